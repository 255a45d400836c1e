"""The engine seam: ``Store``, a read-only RDF dataset with a SPARQL engine, and ``QueryResult``,
its answer. Two stores implement it (oxigraph.py, rdflib_store.py); everything else in leongraph
speaks these types and rdflib terms."""

from __future__ import annotations

import abc
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral
from typing import Protocol, TypeVar

import rdflib
from rdflib import BNode, Dataset

from leongraph import formats
from leongraph.engine import results
from leongraph.engine.statistics import Statistics
from leongraph.engine.terms import Term, neutral
from leongraph.engine.threads import Bound
from leongraph.vocab import PREFIXES

T = TypeVar("T")
Kind = TypingLiteral["select", "ask", "graph"]
Format = formats.ResultsFormat | formats.RdfFormat
#: Writes a result in one format, stopping after ``max_rows`` rows or triples when given.
Serializer = Callable[["QueryResult", Format, "int | None"], Iterator[bytes]]


class Output(Protocol):
    """Where ``QueryResult.write_to`` writes: a file open for writing bytes."""

    def write(self, data: bytes, /) -> object: ...

    def flush(self) -> None: ...


#: Writes a result in one format into an ``Output`` as the engine's writer produces it.
Pusher = Callable[["QueryResult", Format, "int | None", Output], None]


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
    #: The engine's writer into a file, where it writes an answer piece by piece (Oxigraph's
    #: graph writers, which return the answer whole otherwise).
    _pusher: Pusher | None = None
    #: Set by ``serialize`` when ``max_rows`` cut the answer short.
    truncated: bool = False
    _holders: list[Bound] = field(default_factory=list)

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

    def write_to(self, fmt: Format, out: Output, *, max_rows: int | None = None) -> None:
        """``serialize`` into ``out``, piece by piece as the writer produces it, so that a
        large answer need not be held whole (the worker streams it, sparql/workers/stream.py)."""
        if self._pusher is not None and self.kind != "ask":
            self._pusher(self, fmt, max_rows, out)
            return
        for chunk in self.serialize(fmt, max_rows=max_rows):
            out.write(chunk)

    def _cap(self, items: Iterable[T], max_rows: int | None) -> Iterator[T]:
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
        rows = (tuple(map(neutral, row)) for row in result.rows())
        yield from results.write_rows(fmt.name, result.variables, result._cap(rows, max_rows))
        return
    assert isinstance(fmt, formats.RdfFormat)  # serialize() checked: a graph takes RDF formats
    holder = Dataset() if fmt.dataset else rdflib.Graph()
    g = holder.default_graph if isinstance(holder, Dataset) else holder
    for prefix, ns in PREFIXES.items():
        holder.bind(prefix, ns)
    for t in result._cap(result.triples(), max_rows):
        g.add(t)
    yield holder.serialize(format=fmt.rdflib, encoding="utf-8")


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
    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, Term | None]]:
        """Every quad, or the triples of one named graph (as quads). The graph name is an IRI,
        or a blank node or None (the default graph) in a store built elsewhere."""

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
        blank nodes written as ``[]`` so it is the same in every process and across restarts,
        and literals in rdflib's canonical form so it is the same on every engine (Oxigraph
        writes a time "…Z", rdflib "…+00:00"). An on-disk store answers with the digest
        ``leongraph load`` recorded instead."""
        lines = sorted(
            " ".join(_canonical(t) for t in quad if t is not None) for quad in self.quads()
        )
        digest = hashlib.sha256()
        for line in lines:
            digest.update(line.encode("utf-8") + b"\n")
        return digest.hexdigest()


def _canonical(term: Term) -> str:
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, rdflib.Literal):
        return rdflib.Literal(str(term), lang=term.language, datatype=term.datatype).n3()
    return term.n3()
