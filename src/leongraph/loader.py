"""Builds the bundled dataset with rdflib: ontology, source sentences, facts and the aligned
(public-vocabulary) triples. Any malformed file stops the load with its path, line and reason."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Dataset, URIRef

from leongraph.errors import DataError
from leongraph.namespaces import GRAPH, ONTOLOGY_GRAPH

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


def parse_into(ds: Dataset, path: Path, graph: URIRef | None) -> None:
    """Parse one file; raise DataError naming the file and line on any syntax error."""
    try:
        if graph is None:
            ds.parse(path, format="trig")
        else:
            ds.graph(graph).parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        text = str(exc)
        line = getattr(exc, "lines", None)
        if not isinstance(line, int):
            m = _LINE.search(text)
            line = int(m.group(1)) if m else None
        raise DataError(
            text.strip().splitlines()[-1] if text.strip() else repr(exc), path=str(path), line=line
        ) from exc


def build_dataset(root: Path, *, materialize: bool = True) -> Dataset:
    """Load every bundled file into one Dataset, then add the aligned triples."""
    ds = Dataset()
    files = bundled_files(root)
    if not files:
        raise DataError("no ontology or data files found", path=str(root))
    for path, graph in files:
        parse_into(ds, path, graph)
    if materialize:
        from leongraph.alignment import materialize as add_aligned

        add_aligned(ds)
    return ds
