"""The one module that owns the query engine. Two engines sit behind the same ``Store`` API:
Oxigraph (pyoxigraph, the default: fastest by measurement) and rdflib's own SPARQL evaluator.
Everything else in leongraph speaks the types defined here and rdflib terms."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from rdflib import BNode, Dataset, URIRef
from rdflib import Literal as RLiteral
from rdflib.term import Node

from leongraph import formats
from leongraph.config import Settings
from leongraph.errors import QuerySyntaxError
from leongraph.namespaces import PREFIXES

# rdflib must never fetch the IRIs of FROM / FROM NAMED clauses from the network or disk.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

Kind = TypingLiteral["select", "ask", "graph"]
Term = Node


@dataclass
class QueryResult:
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).

    Rows and triples are produced lazily and can be consumed once."""

    kind: Kind
    variables: list[str]
    boolean: bool | None
    _rows: Iterator[tuple[Term | None, ...]] | None = None
    _triples: Iterator[tuple[Term, Term, Term]] | None = None

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


# ---------------------------------------------------------------- term conversion (oxigraph)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RLiteral(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return RLiteral(term.value)
        return RLiteral(term.value, datatype=URIRef(dt))
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


# ---------------------------------------------------------------- engines


class Store:
    """A read-only RDF dataset with a SPARQL engine. The default graph of a query is the union
    of all named graphs unless ``default_graphs`` says otherwise."""

    engine: str

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> QueryResult:
        raise NotImplementedError

    def graph_sizes(self) -> dict[str, int]:
        """Named graph IRI -> number of triples."""
        raise NotImplementedError

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """Every quad, or the triples of one named graph (as quads)."""
        raise NotImplementedError

    def __len__(self) -> int:
        return sum(self.graph_sizes().values())

    # -- construction

    @staticmethod
    def from_settings(settings: Settings) -> Store:
        """The bundled graph in memory, or an on-disk Oxigraph store opened read-only."""
        if settings.store_path is not None:
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


class OxigraphStore(Store):
    engine = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def from_quads(cls, quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> OxigraphStore:
        store = ox.Store()
        store.bulk_extend(
            ox.Quad(
                to_oxigraph(s),
                to_oxigraph(p),
                to_oxigraph(o),
                to_oxigraph(g) if isinstance(g, URIRef) else ox.DefaultGraph(),
            )
            for s, p, o, g in quads
        )
        return cls(store)

    @classmethod
    def open_read_only(cls, path: Path) -> OxigraphStore:
        return cls(ox.Store.read_only(str(path)))

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> QueryResult:
        kwargs: dict[str, object] = {"prefixes": PREFIXES if prefixes is None else prefixes}
        if default_graphs is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self._store.query(text, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise _parse_error(exc) from exc
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", [], bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = (tuple(to_rdflib(sol[i]) for i in range(len(names))) for sol in result)
            return QueryResult("select", names, None, _rows=rows)
        triples = (
            (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in result
        )
        return QueryResult("graph", [], None, _triples=triples)  # type: ignore[arg-type]

    @functools.cached_property
    def _graph_sizes(self) -> dict[str, int]:
        counts = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        return {sol["g"].value: int(sol["n"].value) for sol in counts}  # type: ignore[union-attr]

    def graph_sizes(self) -> dict[str, int]:
        return dict(self._graph_sizes)

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        g = ox.NamedNode(graph) if graph else None
        for q in self._store.quads_for_pattern(None, None, None, g):
            yield (
                to_rdflib(q.subject),
                to_rdflib(q.predicate),
                to_rdflib(q.object),
                URIRef(q.graph_name.value) if isinstance(q.graph_name, ox.NamedNode) else None,
            )  # type: ignore[misc]


class RdflibStore(Store):
    engine = "rdflib"

    def __init__(self, ds: Dataset) -> None:
        self._ds = Dataset(store=ds.store, default_union=True)

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
        from pyparsing import ParseException

        view = self._view(
            tuple(default_graphs) if default_graphs is not None else None,
            tuple(named_graphs) if named_graphs is not None else None,
        )
        try:
            result = view.query(text, initNs=PREFIXES if prefixes is None else prefixes)
        except ParseException as exc:
            raise QuerySyntaxError(exc.msg, line=exc.lineno, column=exc.col) from exc
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

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        ctx = URIRef(graph) if graph else None
        for s, p, o, g in self._ds.quads((None, None, None, ctx)):
            gid = g.identifier if hasattr(g, "identifier") else g
            yield s, p, o, gid  # type: ignore[misc]


__all__ = ["OxigraphStore", "QueryResult", "RdflibStore", "Store", "formats"]
