"""rdflib's own SPARQL evaluator behind the Store interface: slower, pure Python, and the
reference the suite compares Oxigraph with."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import cast

import rdflib
import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Dataset, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow

from leongraph.engine.base import QueryResult, Store
from leongraph.engine.terms import Term
from leongraph.errors import QuerySyntaxError
from leongraph.vocab import PREFIXES

# rdflib must never fetch the IRIs of FROM / FROM NAMED clauses from the network or disk.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class RdflibStore(Store):
    """rdflib's evaluator over an rdflib Dataset. Queries are parsed and translated once
    (an LRU of prepared queries keyed by text and prefixes): parsing is most of rdflib's cost
    on a small graph."""

    engine = "rdflib"

    def __init__(self, ds: Dataset, *, cache_size: int = 256) -> None:
        self._ds = Dataset(store=ds.store, default_union=True)
        self._prepare = functools.lru_cache(maxsize=cache_size)(self._prepare_uncached)

    @staticmethod
    def _prepare_uncached(text: str, prefixes: tuple[tuple[str, str], ...]) -> Query:
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
        result = view.query(prepared)
        if result.type == "ASK":
            return QueryResult("ask", [], bool(result.askAnswer))
        if result.type == "SELECT":
            names = [str(v) for v in result.vars or []]
            rows = cast("Iterator[ResultRow]", iter(result))  # a SELECT result yields rows
            return QueryResult("select", names, None, _rows=(tuple(r) for r in rows))
        return QueryResult("graph", [], None, _triples=iter(result.graph or ()))

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
        try:
            self._ds.update(text, initNs=PREFIXES)
        except ParseException as exc:
            raise QuerySyntaxError(exc.msg, line=exc.lineno, column=exc.col) from exc
        self.__dict__.pop("_graph_sizes", None)
        RdflibStore._view.cache_clear()

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, Term | None]]:
        if graph is not None:
            # Dataset.quads((…, ctx)) also yields the other graphs that hold the same triple.
            gid = URIRef(graph)
            for s, p, o in self._ds.graph(gid):
                yield s, p, o, gid
            return
        for s, p, o, g in self._ds.quads((None, None, None, None)):
            yield s, p, o, g.identifier if isinstance(g, rdflib.Graph) else g


def _complete_construct_where(algebra: CompValue) -> None:
    """rdflib leaves the template of the short form ``CONSTRUCT WHERE { ... }`` empty (and
    then fails); SPARQL 1.1 says the template is the pattern itself, a basic graph pattern."""
    if getattr(algebra, "name", None) != "ConstructQuery" or algebra.get("template"):
        return
    triples: list[object] = []
    stack = [algebra.get("p")]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "BGP":
                triples.extend(node.get("triples") or ())
            else:
                stack.extend(v for v in node.values() if isinstance(v, CompValue))
    algebra["template"] = triples


def _without_dataset_clause(prepared: Query) -> Query:
    """The prepared query minus its FROM / FROM NAMED: explicit graphs replace them (SPARQL
    1.1 Protocol), and rdflib would otherwise look them up again inside the view."""
    algebra = prepared.algebra
    if not algebra.get("datasetClause"):
        return prepared
    stripped = CompValue(algebra.name, **algebra)
    stripped["datasetClause"] = None
    return Query(prepared.prologue, stripped)
