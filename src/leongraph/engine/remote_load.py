"""``leongraph load --store URL``: RDF files (and the bundled dataset) written into a remote
SPARQL engine by SPARQL Update, ``INSERT DATA`` in batches of at most ``batch`` quads (default:
the store's own).

Each triple goes into its named graph and, when the engine's default graph holds the union
(mode ``stored``, see remote.py), into the default graph as well (on Virtuoso, mode
``graph``: into ``UNION_GRAPH``, the default graph of the update). Writing a triple twice is
harmless (a graph is a set), so a load that stopped can be run again from the start, or from
where it stopped with ``skip``. Blank nodes are scoped to one request: a blank node whose
triples fall into two batches becomes two nodes (raise ``batch`` for such data)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from leongraph.engine.persistence import file_plan
from leongraph.engine.remote import RemoteStore
from leongraph.engine.terms import ox_quad
from leongraph.errors import DataError, EngineError, LeongraphError
from leongraph.vocab import UNION_GRAPH

#: Called after each batch with the quads written so far.
Progress = Callable[[int], None]


def quads_of(
    files: Sequence[Path], dataset: Dataset | None = None, graph: str | None = None
) -> Iterator[ox.Quad]:
    """Every quad to load, in order: each file's (a triple format's in graph/<stem>, or in
    ``graph``, an IRI), then the dataset's. Files are checked before any is read."""
    return _read(file_plan(files, graph), dataset)


def _read(
    plan: list[tuple[Path, ox.RdfFormat, ox.NamedNode | None]], dataset: Dataset | None
) -> Iterator[ox.Quad]:
    for path, fmt, graph in plan:
        try:
            for q in ox.parse(path=str(path), format=fmt):
                yield q if graph is None else ox.Quad(q.subject, q.predicate, q.object, graph)
        except SyntaxError as exc:
            line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
            raise DataError(str(exc.args[0]), path=str(path), line=line) from exc
    if dataset is not None:
        yield from (ox_quad(*q) for q in dataset.quads((None, None, None, None)))


def insert_data(quads: Iterable[ox.Quad], *, with_union: bool) -> str:
    """One ``INSERT DATA`` request writing ``quads`` (and their triples in the default graph
    when ``with_union``)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        triple = f"{q.subject} {q.predicate} {q.object} ."
        if isinstance(q.graph_name, ox.DefaultGraph):
            by_graph.setdefault("", []).append(triple)
            continue
        by_graph.setdefault(str(q.graph_name), []).append(triple)
        if with_union:
            by_graph.setdefault("", []).append(triple)
    parts = ["INSERT DATA {"]
    for graph, triples in by_graph.items():
        if graph:
            parts += [f"GRAPH {graph} {{", *triples, "}"]
        else:
            parts += triples
    parts.append("}")
    return "\n".join(parts)


def load_remote(
    store: RemoteStore,
    quads: Iterable[ox.Quad],
    *,
    batch: int | None = None,
    skip: int = 0,
    progress: Progress | None = None,
) -> int:
    """Write ``quads`` into the engine (see the module doc); return how many were written.
    A failure raises EngineError saying how many were written and how to go on."""
    batch = batch or store.batch
    it = iter(quads)
    if skip:
        for _ in itertools.islice(it, skip):
            pass
    written = skip
    graphs: set[str] = set()
    while chunk := list(itertools.islice(it, batch)):
        graphs.update(str(q.graph_name) for q in chunk if isinstance(q.graph_name, ox.NamedNode))
        try:
            store.post_update(insert_data(chunk, with_union=store.mode in ("stored", "graph")))
        except LeongraphError as exc:
            names = " ".join(sorted(graphs)) or "(none)"
            raise EngineError(
                f"The load stopped: {written} quads were written, the batch after them was "
                f"not ({exc.message}). To resume, run the same command again with --skip "
                f"{written}; to clean up instead, DROP GRAPH each of {names} (and, when the "
                "engine's default graph holds the union, DROP DEFAULT; on Virtuoso, DROP GRAPH "
                f"<{UNION_GRAPH}>).",
                engine=store.url,
                written=written,
            ) from exc
        written += len(chunk)
        if progress is not None:
            progress(written)
    store.forget()
    return written
