"""The one module that owns the query engine. Two engines sit behind the same ``Store`` API:
Oxigraph (pyoxigraph, the default: fastest by measurement, see benchmarks/) and rdflib's own
SPARQL evaluator. Everything else in leongraph speaks the types defined here and rdflib terms."""

from __future__ import annotations

import abc
import atexit
import collections
import ctypes
import functools
import hashlib
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from rdflib import BNode, Dataset, URIRef
from rdflib import Literal as RLiteral
from rdflib.term import Node

from leongraph import formats, results
from leongraph.config import Settings
from leongraph.cost import Statistics
from leongraph.errors import DataError, QuerySyntaxError
from leongraph.namespaces import GRAPH, PREFIXES, prefixes_used

# rdflib must never fetch the IRIs of FROM / FROM NAMED clauses from the network or disk.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

Kind = TypingLiteral["select", "ask", "graph"]
#: Written by ``load_files`` into the store directory: triples per named graph and a digest
#: of what was loaded, so that opening the store reads neither.
META_FILE = "leongraph-store.json"
Term = Node
Format = formats.ResultsFormat | formats.RdfFormat
#: Writes a result in one format, stopping after ``max_rows`` rows or triples when given.
Serializer = Callable[["QueryResult", Format, "int | None"], Iterator[bytes]]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_OX_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_OX_RDF = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
#: rdflib's names for the registry's RDF formats.
RDFLIB_FORMATS = {
    "ttl": "turtle",
    "nt": "nt",
    "jsonld": "json-ld",
    "rdf": "xml",
    "trig": "trig",
    "nq": "nquads",
}


#: pyoxigraph objects whose last reference went away on a foreign thread, by owning thread.
_graveyards: dict[int, list[object]] = collections.defaultdict(list)
_thread = threading.local()
_tokens = itertools.count()


def _thread_token() -> int:
    """A number for the running thread that, unlike ``threading.get_ident()``, no later thread
    reuses (pyo3 checks Rust thread ids, which are never reused either)."""
    token = getattr(_thread, "token", None)
    if token is None:
        token = _thread.token = next(_tokens)
    return token


class _Bound:
    """Holds a pyoxigraph iterator, which must be released by the thread that made it (pyo3
    "unsendable" objects). Generators and closures reference this holder, never the iterator;
    dropped elsewhere (a thread pool, the cyclic collector, a traceback kept by a parser), the
    holder parks the iterator until its own thread next enters the store."""

    __slots__ = ("obj", "owner")

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.owner = _thread_token()

    def __del__(self) -> None:
        if self.obj is not None and _thread_token() != self.owner:
            _graveyards[self.owner].append(self.obj)

    def drain(self) -> Iterator[Any]:
        """Items of the iterator; the generator's frame holds only the holder."""
        while (item := next(self.obj, _END)) is not _END:
            yield item


_END = object()


def _bury() -> None:
    """Release what this thread's holders parked while they were dropped elsewhere."""
    _graveyards.pop(_thread_token(), None)


@atexit.register
def _keep_parked() -> None:
    """At exit, what holders parked for other threads is never released: dropping it on this
    thread would make pyo3 print an error for each object, and the process is ending."""
    for parked in _graveyards.values():
        for obj in parked:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


@dataclass
class QueryResult:
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).

    Rows and triples are produced lazily and can be consumed once: read them with ``rows()`` /
    ``triples()`` or write them with ``serialize()``, in the thread that ran the query."""

    kind: Kind
    variables: list[str]
    boolean: bool | None
    _rows: Iterator[tuple[Term | None, ...]] | None = None
    _triples: Iterator[tuple[Term, Term, Term]] | None = None
    _serializer: Serializer | None = None
    #: Set by ``serialize`` when ``max_rows`` cut the answer short.
    truncated: bool = False
    _holders: list[_Bound] = field(default_factory=list)

    def close(self) -> None:
        """Release the engine's iterators now, in this thread (the thread that ran the query
        must release them; left to the collector, they may be dropped by another)."""
        for holder in self._holders:
            holder.obj = None
        self._holders.clear()

    def rows(self) -> Iterator[tuple[Term | None, ...]]:
        return self._rows if self._rows is not None else iter(())

    def triples(self) -> Iterator[tuple[Term, Term, Term]]:
        return self._triples if self._triples is not None else iter(())

    def graph(self) -> rdflib.Graph:
        g = rdflib.Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        for t in self.triples():
            g.add(t)
        return g

    def serialize(self, fmt: Format, *, max_rows: int | None = None) -> Iterator[bytes]:
        """The result written in ``fmt`` (a results format for SELECT/ASK, an RDF format for
        CONSTRUCT/DESCRIBE), by the engine's fastest writer, in chunks. With ``max_rows`` at
        most that many rows (or triples) are written and ``truncated`` tells whether more
        existed."""
        wants_rdf = isinstance(fmt, formats.RdfFormat)
        if wants_rdf != (self.kind == "graph"):
            raise ValueError(f"a {self.kind} result cannot be written as {fmt.name}")
        if self.kind == "ask":
            return iter((results.write_boolean(fmt.name, bool(self.boolean)),))
        serializer = self._serializer or _generic_serializer
        return serializer(self, fmt, max_rows)

    def _cap(self, items: Iterable[object], max_rows: int | None) -> Iterator[object]:
        """``items`` stopped after ``max_rows``, recording whether any were left."""
        if max_rows is None:
            yield from items
            return
        it = iter(items)
        yield from itertools.islice(it, max_rows)
        self.truncated = next(it, None) is not None


def _generic_serializer(result: QueryResult, fmt: Format, max_rows: int | None) -> Iterator[bytes]:
    """Serialises rdflib terms: our results writers for rows, rdflib's writers for graphs."""
    if result.kind == "select":
        rows = (tuple(map(_neutral, row)) for row in result.rows())
        yield from results.write_rows(fmt.name, result.variables, result._cap(rows, max_rows))  # type: ignore[arg-type]
        return
    holder = Dataset() if isinstance(fmt, formats.RdfFormat) and fmt.dataset else rdflib.Graph()
    g = holder.default_graph if isinstance(holder, Dataset) else holder
    for prefix, ns in PREFIXES.items():
        holder.bind(prefix, ns)
    for t in result._cap(result.triples(), max_rows):
        g.add(t)  # type: ignore[arg-type]
    yield holder.serialize(format=RDFLIB_FORMATS[fmt.name], encoding="utf-8")


def _neutral(term: Term | None) -> results.Term | None:
    """An rdflib term as the engine-neutral tuple the results writers take."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term), None, None)
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, RLiteral):
        dt = None if term.language or term.datatype is None else str(term.datatype)
        return ("literal", str(term), term.language, None if dt == _XSD_STRING else dt)
    return ("uri", str(term), None, None)


def _ox_neutral(term: object) -> results.Term | None:
    """An Oxigraph term as the engine-neutral tuple the results writers take."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        dt = None if term.language else term.datatype.value
        return ("literal", term.value, term.language, None if dt == _XSD_STRING else dt)
    return ("literal", str(term), None, None)


_encode = results._dumps


def _ox_json_term(t: object) -> str:
    """An Oxigraph term as SPARQL JSON, byte for byte as Oxigraph writes it."""
    cls = t.__class__
    if cls is ox.NamedNode:
        return '{"type":"uri","value":' + _encode(t.value) + "}"  # type: ignore[attr-defined]
    if cls is ox.Literal:
        value = _encode(t.value)  # type: ignore[attr-defined]
        if t.language:  # type: ignore[attr-defined]
            return f'{{"type":"literal","value":{value},"xml:lang":{_encode(t.language)}}}'  # type: ignore[attr-defined]
        dt = t.datatype.value  # type: ignore[attr-defined]
        if dt == _XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return f'{{"type":"literal","value":{value},"datatype":{_encode(dt)}}}'
    return results._json_term(_ox_neutral(t))  # type: ignore[arg-type]


# ---------------------------------------------------------------- term conversion (oxigraph)


def _uri(value: str) -> URIRef:
    """An rdflib IRI without rdflib's validity check: Oxigraph has validated it already, and
    the check is most of the cost of converting a term (whole-graph scans convert millions)."""
    return str.__new__(URIRef, value)  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _datatype(iri: str) -> URIRef:
    return URIRef(iri)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Term | None:
    if term is None:
        return None
    cls = term.__class__
    if cls is ox.NamedNode:
        return _uri(term.value)  # type: ignore[union-attr]
    if cls is ox.Literal:
        if term.language:  # type: ignore[union-attr]
            return RLiteral(term.value, lang=term.language)  # type: ignore[union-attr]
        dt = term.datatype.value  # type: ignore[union-attr]
        if dt == _XSD_STRING:
            return RLiteral(term.value)  # type: ignore[union-attr]
        return RLiteral(term.value, datatype=_datatype(dt))  # type: ignore[union-attr]
    if cls is ox.BlankNode:
        return BNode(term.value)  # type: ignore[union-attr]
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def _ox_quad(s: Node, p: Node, o: Node, g: Node | None) -> ox.Quad:
    graph = to_oxigraph(g) if isinstance(g, URIRef) else ox.DefaultGraph()
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]


# ---------------------------------------------------------------- engines


class Store(abc.ABC):
    """A read-only RDF dataset with a SPARQL engine. The default graph of a query is the union
    of all named graphs unless ``default_graphs`` says otherwise."""

    engine: str

    @abc.abstractmethod
    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; raises QuerySyntaxError with line and column."""

    @abc.abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Named graph IRI -> number of triples."""

    @abc.abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """Every quad, or the triples of one named graph (as quads)."""

    @abc.abstractmethod
    def update(self, text: str) -> None:
        """Apply a SPARQL 1.1 Update. Only the endpoint calls this, and only when updates are
        enabled and the text passed its safety checks (no LOAD, no SERVICE)."""

    #: Whether ``statistics`` answers: rdflib evaluates in Python, holding the interpreter
    #: lock, so its queries always go to a worker and it keeps none.
    statistics_available = False

    def statistics(self) -> Statistics | None:
        """What cost.py needs to bound a query's work (may scan the store once)."""
        return None

    def __len__(self) -> int:
        return sum(self.graph_sizes().values())

    def fingerprint(self) -> str:
        """A digest that changes when the data changes (ETags): SHA-256 of the sorted quads,
        blank nodes written as ``[]`` so it is the same in every process and across restarts.
        An on-disk store answers with the digest ``leongraph load`` recorded instead."""
        lines = sorted(
            " ".join("[]" if isinstance(t, BNode) else t.n3() for t in quad if t is not None)
            for quad in self.quads()
        )
        digest = hashlib.sha256()
        for line in lines:
            digest.update(line.encode("utf-8") + b"\n")
        return digest.hexdigest()

    # -- construction

    @staticmethod
    def from_settings(settings: Settings) -> Store:
        """The bundled graph in memory, or an on-disk Oxigraph store opened read-only."""
        if settings.store_path is not None:
            if settings.engine != "oxigraph":
                raise DataError(
                    "an on-disk store is served by the oxigraph engine only",
                    path=str(settings.store_path),
                )
            return OxigraphStore.open_read_only(settings.store_path)
        from leongraph.loader import build_dataset

        return Store.from_dataset(build_dataset(settings.project_root), engine=settings.engine)

    @staticmethod
    def from_dataset(ds: Dataset, *, engine: str = "oxigraph") -> Store:
        if engine == "rdflib":
            return RdflibStore(ds)
        return OxigraphStore.from_quads(ds.quads((None, None, None, None)))


def _parse_error(exc: Exception) -> QuerySyntaxError:
    import re

    text = str(exc)
    m = re.search(r"(?:line|at) (\d+)[:, ]+(?:column |col )?(\d+)", text)
    if m:
        return QuerySyntaxError(text, line=int(m.group(1)), column=int(m.group(2)))
    return QuerySyntaxError(text)


def _with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad, and its triple again in the default graph (see OxigraphStore)."""
    for q in quads:
        yield q
        if not isinstance(q.graph_name, ox.DefaultGraph):
            yield ox.Quad(q.subject, q.predicate, q.object)


#: The store's statistics for cost.py, over the default graph as queries see it.
_STATS_COUNT = """SELECT ?p (COUNT(*) AS ?n) (SUM(IF(isBlank(?s), 1, 0)) AS ?b)
WHERE { ?s ?p ?o } GROUP BY ?p"""
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
        store.bulk_extend(_with_union(_ox_quad(*q) for q in quads))
        return cls(store, union_stored=True)

    @classmethod
    def open_read_only(cls, path: Path) -> OxigraphStore:
        """Open an on-disk store built by ``leongraph load``; nothing is read up front."""
        if not Path(path).is_dir():
            raise DataError("no such store directory", path=str(path))
        try:
            opened = cls(ox.Store.read_only(str(path)))
        except OSError as exc:
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
        kwargs: dict[str, object] = {
            "prefixes": prefixes_used(text) if prefixes is None else prefixes
        }
        if default_graphs is None:
            kwargs["use_default_graph_as_union"] = not self._union_stored
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        _bury()
        try:
            result = self._store.query(text, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise _parse_error(exc) from exc
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", [], bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            box = _Bound(result)
            del result
            holders = [box]

            def rerun() -> _Bound:
                holders.append(_Bound(self._store.query(text, **kwargs)))  # type: ignore[arg-type]
                return holders[-1]

            rows = (tuple(to_rdflib(sol[i]) for i in range(len(names))) for sol in box.drain())
            return QueryResult(
                "select",
                names,
                None,
                _rows=rows,
                _serializer=_ox_solutions_writer(box, rerun),
                _holders=holders,
            )
        box = _Bound(result)
        del result
        triples = (
            (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in box.drain()
        )
        return QueryResult(
            "graph",
            [],
            None,
            _triples=triples,
            _serializer=_ox_triples_writer(box),
            _holders=[box],
        )

    def statistics(self) -> Statistics:
        found: Statistics | None = self.__dict__.get("_statistics")
        if found is None:
            updates = self._updates
            found = self._scan_statistics()
            if updates == self._updates:  # not kept if an update came meanwhile
                self.__dict__["_statistics"] = found
        return found

    def _scan_statistics(self) -> Statistics:
        def rows(text: str) -> list[tuple[str, ...]]:
            found = self._store.query(text, use_default_graph_as_union=not self._union_stored)
            return [tuple(t.value for t in sol) for sol in found]  # type: ignore[union-attr]

        # Three scans of the store, in parallel (Oxigraph releases the interpreter lock).
        with ThreadPoolExecutor(3) as pool:
            degrees = [pool.submit(rows, _STATS_DEGREE.replace("?x", x)) for x in ("?s", "?o")]
            count = rows(_STATS_COUNT)
            out, inn = (dict(d.result()) for d in degrees)
        predicates = {p: (int(n), int(out[p]), int(inn[p])) for p, n, _ in count}
        return Statistics(
            triples=sum(n for n, _, _ in predicates.values()),
            predicates=predicates,
            blank_subject_triples=sum(int(b) for _, _, b in count),
        )

    @functools.cached_property
    def _graph_sizes(self) -> dict[str, int]:
        counts = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {sol["g"].value: int(sol["n"].value) for sol in counts}  # type: ignore[union-attr]

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

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        # Graph by graph: the default graph is the materialised union, not data of its own,
        # and iterating it only to skip it would double the work.
        _bury()
        names = [ox.NamedNode(graph)] if graph else sorted(self._store.named_graphs(), key=str)
        for name in names:
            gid = _uri(name.value) if isinstance(name, ox.NamedNode) else to_rdflib(name)
            for q in _Bound(self._store.quads_for_pattern(None, None, None, name)).drain():
                yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), gid  # type: ignore[misc]


#: Fewest bytes a row takes in each results format (all variables unbound), so that an answer
#: of at most ``max_rows * _MIN_ROW`` bytes cannot hold more than ``max_rows`` rows.
_MIN_ROW = {"json": 3, "xml": 17, "csv": 2, "tsv": 1}


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


def _ox_solutions_writer(solutions: _Bound, rerun: Callable[[], _Bound]) -> Serializer:
    """Oxigraph's own writer whenever the answer provably fits the row cap (it is small in
    bytes); otherwise the query runs again into our writers, which count rows. The common,
    small answer thus costs no Python per row; a large one costs a second, cut-short run."""

    def write(result: QueryResult, fmt: Format, max_rows: int | None) -> Iterator[bytes]:
        if max_rows is None:
            yield solutions.obj.serialize(format=_OX_RESULTS[fmt.name])
            return
        out = _BoundedBuffer(max_rows * _MIN_ROW[fmt.name])
        try:
            solutions.obj.serialize(out, format=_OX_RESULTS[fmt.name])
        except _Overflow:
            pass
        else:
            yield b"".join(out.parts)
            return
        again = rerun().drain()
        if fmt.name == "json":  # the common case: Oxigraph terms straight to JSON
            capped = result._cap(again, max_rows)
            yield from results.json_rows(result.variables, capped, _ox_json_term)  # type: ignore[arg-type]
            return
        n = len(result.variables)
        rows = (tuple(_ox_neutral(sol[i]) for i in range(n)) for sol in again)
        yield from results.write_rows(fmt.name, result.variables, result._cap(rows, max_rows))  # type: ignore[arg-type]

    return write


def _ox_triples_writer(triples: _Bound) -> Serializer:
    def write(result: QueryResult, fmt: Format, max_rows: int | None) -> Iterator[bytes]:
        items: Iterable[object] = result._cap(triples.drain(), max_rows)
        if isinstance(fmt, formats.RdfFormat) and fmt.dataset:
            items = (ox.Quad(t.subject, t.predicate, t.object) for t in items)  # type: ignore[attr-defined]
        yield ox.serialize(items, format=_OX_RDF[fmt.name], prefixes=PREFIXES)  # type: ignore[arg-type]

    return write


class RdflibStore(Store):
    """rdflib's evaluator over an rdflib Dataset. Queries are parsed and translated once
    (an LRU of prepared queries keyed by text and prefixes): parsing is most of rdflib's cost
    on a small graph."""

    engine = "rdflib"

    def __init__(self, ds: Dataset, *, cache_size: int = 256) -> None:
        self._ds = Dataset(store=ds.store, default_union=True)
        self._prepare = functools.lru_cache(maxsize=cache_size)(self._prepare_uncached)

    @staticmethod
    def _prepare_uncached(text: str, prefixes: tuple[tuple[str, str], ...]) -> object:
        from pyparsing import ParseException

        try:
            prepared = rdflib.plugins.sparql.prepareQuery(text, initNs=dict(prefixes))
        except ParseException as exc:
            raise QuerySyntaxError(exc.msg, line=exc.lineno, column=exc.col) from exc
        _complete_construct_where(prepared.algebra)
        return prepared

    @functools.lru_cache(maxsize=64)  # noqa: B019 - the store lives as long as the process
    def _view(self, default: tuple[str, ...] | None, named: tuple[str, ...] | None) -> Dataset:
        """A dataset whose default graph merges ``default`` and whose named graphs are ``named``."""
        if default is None and named is None:
            return self._ds
        view = Dataset(default_union=default is None)
        for g in self._ds.graphs():
            name = str(g.identifier)
            if default is not None and name in default:
                for t in g:
                    view.default_graph.add(t)
            if (named is None or name in named) and isinstance(g.identifier, URIRef):
                target = view.graph(g.identifier)
                for t in g:
                    target.add(t)
        return view

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> QueryResult:
        view = self._view(
            tuple(default_graphs) if default_graphs is not None else None,
            tuple(named_graphs) if named_graphs is not None else None,
        )
        ns = PREFIXES if prefixes is None else prefixes
        prepared = self._prepare(text, tuple(sorted(ns.items())))
        if default_graphs is not None or named_graphs is not None:
            prepared = _without_dataset_clause(prepared)
        result = view.query(prepared)  # type: ignore[arg-type]
        if result.type == "ASK":
            return QueryResult("ask", [], bool(result.askAnswer))
        if result.type == "SELECT":
            names = [str(v) for v in result.vars or []]
            return QueryResult("select", names, None, _rows=(tuple(r) for r in result))
        return QueryResult("graph", [], None, _triples=iter(result.graph or ()))  # type: ignore[arg-type]

    @functools.cached_property
    def _graph_sizes(self) -> dict[str, int]:
        return {
            str(g.identifier): len(g)
            for g in self._ds.graphs()
            if isinstance(g.identifier, URIRef) and len(g)
        }

    def graph_sizes(self) -> dict[str, int]:
        return dict(self._graph_sizes)

    def update(self, text: str) -> None:
        from pyparsing import ParseException

        try:
            self._ds.update(text, initNs=PREFIXES)
        except ParseException as exc:
            raise QuerySyntaxError(exc.msg, line=exc.lineno, column=exc.col) from exc
        self.__dict__.pop("_graph_sizes", None)
        RdflibStore._view.cache_clear()

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        if graph is not None:
            # Dataset.quads((…, ctx)) also yields the other graphs that hold the same triple.
            gid = URIRef(graph)
            for s, p, o in self._ds.graph(gid):
                yield s, p, o, gid
            return
        for s, p, o, g in self._ds.quads((None, None, None, None)):
            yield s, p, o, g.identifier if hasattr(g, "identifier") else g  # type: ignore[misc]


def _complete_construct_where(algebra: object) -> None:
    """rdflib leaves the template of the short form ``CONSTRUCT WHERE { ... }`` empty (and
    then fails); SPARQL 1.1 says the template is the pattern itself, a basic graph pattern."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if getattr(algebra, "name", None) != "ConstructQuery" or algebra.get("template"):  # type: ignore[attr-defined]
        return
    triples: list[object] = []
    stack = [algebra.get("p")]  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "BGP":
                triples.extend(node.get("triples") or ())
            else:
                stack.extend(v for v in node.values() if isinstance(v, CompValue))
    algebra["template"] = triples  # type: ignore[index]


def _without_dataset_clause(prepared: object) -> object:
    """The prepared query minus its FROM / FROM NAMED: explicit graphs replace them (SPARQL
    1.1 Protocol), and rdflib would otherwise look them up again inside the view."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query

    algebra = prepared.algebra  # type: ignore[attr-defined]
    if not algebra.get("datasetClause"):
        return prepared
    stripped = CompValue(algebra.name, **algebra)
    stripped["datasetClause"] = None
    return Query(prepared.prologue, stripped)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- persistence


def load_files(
    directory: Path,
    files: Sequence[Path],
    *,
    dataset: Dataset | None = None,
) -> int:
    """Bulk-load RDF files (and optionally a whole rdflib dataset) into an on-disk Oxigraph
    store at ``directory``, creating it if needed; return the number of quads it then holds.

    The format comes from each file's extension; the triples of a triple format go into the
    named graph ``graph/<stem>``, a quad format (TriG, N-Quads) names its own graphs."""
    plan: list[tuple[Path, ox.RdfFormat, ox.NamedNode | None]] = []
    for path in files:
        fmt = formats.RdfFormat.from_extension(path.suffix)
        if fmt is None:
            raise DataError(
                "unknown RDF format (use .ttl, .nt, .nq, .trig, .rdf or .jsonld)", path=str(path)
            )
        if not path.is_file():
            raise DataError("no such file", path=str(path))
        graph = None if fmt.dataset else ox.NamedNode(str(GRAPH[path.stem]))
        plan.append((path, _OX_RDF[fmt.name], graph))
    directory.mkdir(parents=True, exist_ok=True)
    # The digest: what the store held before, then each file's bytes and graph, in order.
    digest = hashlib.sha256()
    if (directory / META_FILE).is_file():
        digest.update(json.loads((directory / META_FILE).read_text())["fingerprint"].encode())
    for path, _, graph in plan:
        digest.update(f"{path.name} {graph}\n".encode())
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    try:
        store = ox.Store(str(directory))
    except OSError as exc:
        raise DataError(f"cannot open a store here: {exc}", path=str(directory)) from exc
    for path, ox_fmt, graph in plan:
        try:
            # Read once, each quad written in its graph and in the union default graph (see
            # OxigraphStore): 1.5x faster than Oxigraph's bulk_load run twice (1M triples).
            quads = ox.parse(path=str(path), format=ox_fmt)
            if graph is not None:
                quads = (ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
            store.bulk_extend(_with_union(quads))
        except SyntaxError as exc:
            line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
            raise DataError(str(exc.args[0]), path=str(path), line=line) from exc
    if dataset is not None:
        store.bulk_extend(
            _with_union(_ox_quad(*q) for q in dataset.quads((None, None, None, None)))
        )
        digest.update(RdflibStore(dataset).fingerprint().encode())
    store.flush()
    loaded = OxigraphStore(store, union_stored=True)
    with ThreadPoolExecutor(1) as pool:  # two scans at once: the sizes and the statistics
        counting = pool.submit(loaded.graph_sizes)
        statistics = loaded.statistics().to_json()
        sizes = counting.result()
    meta = {"graph_sizes": sizes, "fingerprint": digest.hexdigest(), "statistics": statistics}
    (directory / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True))
    del store  # closes the database so it can be opened read-only at once
    return sum(sizes.values())  # quads in named graphs, the union not counted


__all__ = ["OxigraphStore", "QueryResult", "RdflibStore", "Store", "formats", "load_files"]
