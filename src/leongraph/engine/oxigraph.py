"""Oxigraph (pyoxigraph) in memory or on disk: the default engine, fastest by measurement
(benchmarks/). The only module, with persistence.py and terms.py, that calls pyoxigraph."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, TypedDict, cast

import pyoxigraph as ox
from rdflib.term import Node

from leongraph import formats
from leongraph.engine import results
from leongraph.engine.base import Format, Output, Pusher, QueryResult, Serializer, Store
from leongraph.engine.statistics import Statistics
from leongraph.engine.terms import Term, fast_uri, ox_json_term, ox_neutral, ox_quad, to_rdflib
from leongraph.engine.threads import Bound, bury
from leongraph.errors import DataError, QuerySyntaxError
from leongraph.vocab import PREFIXES, prefixes_used

#: Written by ``load_files`` into the store directory: triples per named graph and a digest
#: of what was loaded, so that opening the store reads neither.
META_FILE = "leongraph-store.json"


def ox_results_format(fmt: Format) -> ox.QueryResultsFormat:
    found = ox.QueryResultsFormat.from_media_type(fmt.media_type)
    if found is None:
        raise ValueError(f"Oxigraph writes no results as {fmt.media_type}")
    return found


def ox_rdf_format(fmt: Format) -> ox.RdfFormat:
    found = ox.RdfFormat.from_media_type(fmt.media_type)
    if found is None:
        raise ValueError(f"Oxigraph writes no RDF as {fmt.media_type}")
    return found


class _QueryOptions(TypedDict, total=False):
    """The keyword arguments ``OxigraphStore.query`` passes to ``pyoxigraph.Store.query``."""

    prefixes: dict[str, str]
    use_default_graph_as_union: bool
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named_graphs: list[ox.NamedNode | ox.BlankNode]


def _parse_error(exc: Exception) -> QuerySyntaxError:
    text = str(exc)
    m = re.search(r"(?:line|at) (\d+)[:, ]+(?:column |col )?(\d+)", text)
    if m:
        return QuerySyntaxError(text, line=int(m.group(1)), column=int(m.group(2)))
    return QuerySyntaxError(text)


def with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad, and its triple again in the default graph (see OxigraphStore)."""
    for q in quads:
        yield q
        if not isinstance(q.graph_name, ox.DefaultGraph):
            yield ox.Quad(q.subject, q.predicate, q.object)


#: The store's statistics for cost.py, over the default graph as queries see it: a count by
#: predicate costs a tenth of one that also sums blank subjects (0.35 s against 1.9 s of CPU
#: for 1M triples), so those are counted apart.
_STATS_COUNT = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
_STATS_BLANK = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER isBlank(?s) }"
_STATS_DEGREE = """SELECT ?p (MAX(?n) AS ?most) WHERE {
  { SELECT ?p ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ?x } } GROUP BY ?p"""


class OxigraphStore(Store):
    """Oxigraph in memory or on disk.

    The union of the named graphs is materialised as the store's default graph, which queries
    then read: pyoxigraph 0.5 yields a triple once per named graph holding it when the default
    graph is the union (oxigraph issue #1919), and here a fact stated by two sentences sits in
    two graphs. A store built elsewhere, with an empty default graph, is read through the union
    option instead, duplicates included.

    pyoxigraph 0.5 has no prepared-query API: it parses and plans each query anew, which takes
    microseconds (measured by benchmarks/run.py)."""

    engine = "oxigraph"
    statistics_available = True

    def __init__(self, store: ox.Store, *, union_stored: bool | None = None) -> None:
        self._store = store
        if union_stored is None:  # a store on disk: built by `leongraph load`, or elsewhere?
            union_stored = bool(store.query("ASK { ?s ?p ?o }"))
        self._union_stored = union_stored
        self._own_default: set[ox.Triple] = set()  # written to the default graph by updates
        self._updates = 0
        self._fingerprint: str | None = None

    @classmethod
    def from_quads(cls, quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> OxigraphStore:
        store = ox.Store()
        store.bulk_extend(with_union(ox_quad(*q) for q in quads))
        return cls(store, union_stored=True)

    @classmethod
    def open_read_only(cls, path: Path) -> OxigraphStore:
        """Open an on-disk store built by ``leongraph load``; nothing is read up front."""
        if not Path(path).is_dir():
            raise DataError("no such store directory", path=str(path))
        try:
            opened = cls(ox.Store.read_only(str(path)))
        except (OSError, RuntimeError) as exc:  # RuntimeError: being written by another process
            raise DataError(f"not an Oxigraph store: {exc}", path=str(path)) from exc
        meta = Path(path) / META_FILE
        if meta.is_file():  # recorded by `leongraph load`: no scan of the store at start-up
            recorded = json.loads(meta.read_text())
            opened.__dict__["_graph_sizes"] = recorded["graph_sizes"]
            if "statistics" in recorded:
                opened.__dict__["_statistics"] = Statistics.from_json(recorded["statistics"])
            opened._fingerprint = recorded["fingerprint"]
        return opened

    def fingerprint(self) -> str:
        return self._fingerprint or super().fingerprint()

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> QueryResult:
        kwargs: _QueryOptions = {"prefixes": prefixes_used(text) if prefixes is None else prefixes}
        if default_graphs is None:
            kwargs["use_default_graph_as_union"] = not self._union_stored
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        bury()
        try:
            result = self._store.query(text, **kwargs)
        except SyntaxError as exc:
            raise _parse_error(exc) from exc

        def rerun() -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
            return self._store.query(text, **kwargs)

        return ox_result(result, rerun)

    def statistics(self, threads: int = 3, blank_subjects: int | None = None) -> Statistics:
        """``threads``: the scans run at once (each holds its own groups in memory);
        ``blank_subjects``: their number when the caller knows it (a scan less)."""
        found: Statistics | None = self.__dict__.get("_statistics")
        if found is None:
            updates = self._updates
            found = self._scan_statistics(threads, blank_subjects)
            if updates == self._updates:  # not kept if an update came meanwhile
                self.__dict__["_statistics"] = found
        return found

    def _scan_statistics(self, threads: int, blank_subjects: int | None) -> Statistics:
        def rows(text: str) -> list[tuple[str, ...]]:
            found = self._store.query(text, use_default_graph_as_union=not self._union_stored)
            assert isinstance(found, ox.QuerySolutions)  # a SELECT query
            return [tuple(t.value for t in sol) for sol in found]

        # Four scans of the store, in parallel (Oxigraph releases the interpreter lock).
        with ThreadPoolExecutor(threads) as pool:
            degrees = [pool.submit(rows, _STATS_DEGREE.replace("?x", x)) for x in ("?s", "?o")]
            blank = pool.submit(rows, _STATS_BLANK) if blank_subjects is None else None
            count = rows(_STATS_COUNT)
            out, inn = ({p: most for p, most in d.result()} for d in degrees)
            blanks = int(blank.result()[0][0]) if blank else blank_subjects or 0
        predicates = {p: (int(n), int(out[p]), int(inn[p])) for p, n in count}
        return Statistics(
            triples=sum(n for n, _, _ in predicates.values()),
            predicates=predicates,
            blank_subject_triples=blanks,
        )

    @functools.cached_property
    def _graph_sizes(self) -> dict[str, int]:
        counts = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(counts, ox.QuerySolutions)  # a SELECT query
        return {sol["g"].value: int(sol["n"].value) for sol in counts}

    def graph_sizes(self) -> dict[str, int]:
        return dict(self._graph_sizes)

    def update(self, text: str) -> None:
        before = self._default_triples() if self._union_stored else None
        try:
            self._store.update(text, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise _parse_error(exc) from exc
        if before is not None:
            self._resync_union(before)
        self._updates += 1
        self.__dict__.pop("_graph_sizes", None)
        self.__dict__.pop("_statistics", None)

    def _default_triples(self) -> set[ox.Triple]:
        quads = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}

    def _resync_union(self, before: set[ox.Triple]) -> None:
        """Make the default graph the union of the named graphs again after an update, plus
        the triples updates wrote to the default graph itself (as rdflib's union keeps them).
        Updates are for small, in-memory stores: this reads the whole store."""
        after = self._default_triples()
        self._own_default = (self._own_default | (after - before)) - (before - after)
        wanted = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._store.quads_for_pattern(None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph)
        } | self._own_default
        for t in after - wanted:
            self._store.remove(ox.Quad(t.subject, t.predicate, t.object))
        for t in wanted - after:
            self._store.add(ox.Quad(t.subject, t.predicate, t.object))

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, Term | None]]:
        # Graph by graph: the default graph is the materialised union, not data of its own,
        # and iterating it only to skip it would double the work.
        bury()
        names = [ox.NamedNode(graph)] if graph else sorted(self._store.named_graphs(), key=str)
        for name in names:
            gid = fast_uri(name.value) if isinstance(name, ox.NamedNode) else to_rdflib(name)
            for q in Bound(self._store.quads_for_pattern(None, None, None, name)).drain():
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), gid


def ox_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple],
    rerun: Callable[[], object],
) -> QueryResult:
    """An Oxigraph answer (solutions, a boolean, or triples) as a ``QueryResult``; ``rerun``
    gives the same solutions again (the writer runs a large answer twice, see below)."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", [], bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        box = Bound(result)
        del result
        holders = [box]

        def again() -> Bound:
            holders.append(Bound(rerun()))
            return holders[-1]

        rows = (tuple(to_rdflib(sol[i]) for i in range(len(names))) for sol in box.drain())
        return QueryResult(
            "select",
            names,
            None,
            _rows=rows,
            _serializer=_ox_solutions_writer(box, again),
            _holders=holders,
        )
    box = Bound(result)
    del result
    serializer, pusher = _ox_triples_writer(box)
    triples = (
        (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in box.drain()
    )
    return QueryResult(
        "graph",
        [],
        None,
        _triples=triples,
        _serializer=serializer,
        _pusher=pusher,
        _holders=[box],
    )


#: Fewest bytes a row takes in each results format (all variables unbound), so that an answer
#: of at most ``max_rows * _MIN_ROW`` bytes cannot hold more than ``max_rows`` rows.
_MIN_ROW = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}


#: The most bytes Oxigraph's writer may hold before the answer is written again by ours,
#: which yield it piece by piece (a raised row cap must not let one answer sit in memory).
_FAST_BYTES = 1 << 20


class _Overflow(Exception):
    """The answer grew past the size that proves it is within the row cap."""


class _BoundedBuffer:
    """A file for Oxigraph's serialiser that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _Overflow
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _ox_solutions_writer(solutions: Bound, rerun: Callable[[], Bound]) -> Serializer:
    """Oxigraph's own writer whenever the answer provably fits the row cap (it is small in
    bytes); otherwise the query runs again into our writers, which count rows. The common,
    small answer thus costs no Python per row; a large one costs a second, cut-short run."""

    def write(result: QueryResult, fmt: Format, max_rows: int | None) -> Iterator[bytes]:
        if max_rows is None:
            yield solutions.obj.serialize(format=ox_results_format(fmt))
            return
        out = _BoundedBuffer(min(max_rows * _MIN_ROW[fmt.name], _FAST_BYTES))
        try:
            solutions.obj.serialize(out, format=ox_results_format(fmt))
        except _Overflow:
            pass
        else:
            yield b"".join(out.parts)
            return
        again = rerun().drain()
        if fmt.name == "json":  # the common case: Oxigraph terms straight to JSON
            capped = result._cap(again, max_rows)
            yield from results.json_rows(result.variables, capped, ox_json_term)
            return
        n = len(result.variables)
        rows = (tuple(ox_neutral(sol[i]) for i in range(n)) for sol in again)
        yield from results.write_rows(fmt.name, result.variables, result._cap(rows, max_rows))

    return write


def _ox_triples_writer(triples: Bound) -> tuple[Serializer, Pusher]:
    """Oxigraph's RDF writers, which write into a file 8 KiB at a time: the pusher hands them
    the caller's file (a streamed answer), the serializer a list it then yields whole."""

    def push(result: QueryResult, fmt: Format, max_rows: int | None, out: Output) -> None:
        capped: Iterator[ox.Triple] = result._cap(triples.drain(), max_rows)
        items: Iterable[ox.Triple] | Iterable[ox.Quad] = capped
        if isinstance(fmt, formats.RdfFormat) and fmt.dataset:
            items = (ox.Quad(t.subject, t.predicate, t.object) for t in capped)
        file = cast("IO[bytes]", out)  # pyoxigraph calls only ``write`` (and ``flush``)
        ox.serialize(items, file, format=ox_rdf_format(fmt), prefixes=PREFIXES)

    def write(result: QueryResult, fmt: Format, max_rows: int | None) -> Iterator[bytes]:
        parts = _Parts()
        push(result, fmt, max_rows, parts)
        yield b"".join(parts)

    return write, push


class _Parts(list[bytes]):
    """A file for Oxigraph's writers that keeps what they write."""

    def write(self, data: bytes) -> int:
        self.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass
