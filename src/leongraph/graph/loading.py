"""Builds the bundled dataset with rdflib: ontology, source sentences, facts and the aligned
(public-vocabulary) triples. Any malformed file stops the load with its path, line and reason,
so a server never starts on broken data."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from leongraph.errors import DataError
from leongraph.graph.alignment import materialize as add_aligned
from leongraph.vocab import GRAPH, LEON, ONTOLOGY_GRAPH, SENT

_LINE = re.compile(r"line (\d+)", re.IGNORECASE)


def bundled_files(root: Path) -> list[tuple[Path, URIRef | None]]:
    """The files of the bundled graph and the named graph each goes into.

    ``None`` means the file is TriG and names its own graphs."""
    files: list[tuple[Path, URIRef | None]] = []
    for path in sorted((root / "ontology").glob("*.ttl")):
        files.append((path, ONTOLOGY_GRAPH))
    for path in sorted((root / "data").glob("*.ttl")):
        files.append((path, GRAPH[path.stem]))
    for path in sorted((root / "data").glob("*.trig")):
        files.append((path, None))
    return files


def _reason(exc: Exception) -> tuple[str, int | None]:
    """A readable reason and a 1-based line for a parser exception of any rdflib plugin."""
    text = str(exc).strip()
    m = _LINE.search(text)
    line = int(m.group(1)) if m else None
    why = getattr(exc, "_why", None)  # notation3's BadSyntax (Turtle, TriG)
    if why:
        return f"bad syntax ({why})", line
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return first or type(exc).__name__, line


def parse_into(ds: Dataset, path: Path, graph: URIRef | None) -> None:
    """Parse one file; raise DataError naming the file and line on any syntax error."""
    try:
        if graph is None:
            ds.parse(path, format="trig")
        else:
            ds.graph(graph).parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        reason, line = _reason(exc)
        raise DataError(reason, path=str(path), line=line) from exc


def _parse_trig(path: Path) -> Dataset:
    """A TriG file of facts: every triple must sit in the graph of a sentence (``sent:N``)."""
    part = Dataset()
    parse_into(part, path, None)
    for g in part.graphs():
        if g.identifier == DATASET_DEFAULT_GRAPH_ID:
            if len(g):
                raise DataError(
                    "facts outside a sentence graph (wrap them in sent:N { })", path=str(path)
                )
            continue
        if (
            not str(g.identifier).startswith(str(SENT))
            or not str(g.identifier)[len(SENT) :].isdigit()
        ):
            raise DataError(
                f"graph <{g.identifier}> is not a sentence IRI (sent:N)", path=str(path)
            )
    return part


def check_sentences(ds: Dataset, trig: dict[Path, Dataset]) -> None:
    """Every sentence graph named by a facts file must be a sentence of the source."""
    known = {s for s, _, _, _ in ds.quads((None, LEON.text, None, None))}
    for path, part in trig.items():
        for g in part.graphs():
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and g.identifier not in known:
                raise DataError(
                    f"graph <{g.identifier}> is not a sentence of the source", path=str(path)
                )


def build_dataset(root: Path, *, materialize: bool = True) -> Dataset:
    """Load every bundled file into one Dataset, then add the aligned triples."""
    ds = Dataset()
    files = bundled_files(root)
    if not files:
        raise DataError("no ontology or data files found", path=str(root))
    trig: dict[Path, Dataset] = {}
    for path, graph in files:
        if graph is None:
            trig[path] = _parse_trig(path)
            for quad in trig[path].quads((None, None, None, None)):
                ds.add(quad)  # type: ignore[arg-type]
        else:
            parse_into(ds, path, graph)
    check_sentences(ds, trig)
    if materialize:
        add_aligned(ds)
    return ds
