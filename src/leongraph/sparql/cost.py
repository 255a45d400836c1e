"""An upper bound on the work a query can make the engine do, from the query's algebra and the
store's statistics; queries under a small bound are evaluated in the server process (no
round trip to a worker), everything else in a worker that a timeout can kill (workers/pool.py).

The bound must hold for *any* plan the engine picks, since pyoxigraph cannot be interrupted:

- a basic graph pattern is bounded through its connected subsets: each subset's solutions are
  at most the product of per-pattern fan-outs (predicate count, or the most objects one
  subject has for it, or the most subjects one object has), taken greedily with the variables
  bound so far. Every intermediate result of a join plan is the solution set of such a subset.
- joins and OPTIONALs add both plans: hash join (each side alone) and nested loop (the right
  side once per left row, with the left's variables bound).
- ``*`` / ``+`` paths are bounded only from a bound end (the breadth-first search visits each
  edge once); from two free ends, GRAPH, SERVICE and anything unknown, the bound is infinite.
- strings: a BIND or aggregate that can multiply a value's length (CONCAT, REPLACE,
  ENCODE_FOR_URI, GROUP_CONCAT) through a chain past ``MAX_GROWTH`` is infinite too, so no
  "cheap" query builds a huge string; REGEX and REPLACE, whose work grows with the pattern,
  make any query infinite.

The bound is in units of solutions and pattern matches; ``INLINE_WORK`` is calibrated by
benchmarks/run.py (Oxigraph does millions of such units a second).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath

from leongraph.engine.statistics import Statistics

Triple = tuple[Any, Any, Any]
INF = math.inf
#: Bounds at or under this run in the server's event loop (a few milliseconds at most).
INLINE_WORK = 20_000
#: Bounds at or under this run in a thread of the server (under a second at most).
THREAD_WORK = 2_000_000
#: Most times a chain of string functions may multiply a value's length.
MAX_GROWTH = 64
_EXISTS = ("Builtin_EXISTS", "Builtin_NOTEXISTS")
#: Functions that cost far more than a comparison, per evaluation (in units of a solution).
_FUNCTION_COST = {f"Builtin_{h}": 20 for h in ("MD5", "SHA1", "SHA256", "SHA384", "SHA512")}
#: Functions whose work grows with a pattern the client writes (a regular expression such as
#: ``(.{1,100}){1,100}`` compiles to a huge automaton, run over every value): no sound bound,
#: so a query using one anywhere always runs in a worker, where the timeout holds.
UNBOUNDED_FUNCTIONS = frozenset({"Builtin_REGEX", "Builtin_REPLACE"})
#: Largest basic graph pattern analysed (its connected subsets are enumerated).
MAX_PATTERNS = 10


def work_bound(algebra: Any, stats: Statistics) -> float:
    """An upper bound on the work of evaluating a translated query (rdflib algebra)."""
    try:
        if _uses(algebra, UNBOUNDED_FUNCTIONS):
            return INF
        return _Bounder(stats).query(algebra)
    except (RecursionError, _Unbounded):
        return INF


def _uses(algebra: Any, names: frozenset[str]) -> bool:
    """Whether any node of the algebra (patterns, expressions, subqueries) is one of ``names``."""
    stack, seen = [algebra], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if getattr(node, "name", None) in names:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend(node)
    return False


class _Unbounded(Exception):
    pass


def _is_var(term: object) -> bool:
    return isinstance(term, Variable | BNode)


def _vars_of(triple: Triple) -> frozenset[str]:
    return frozenset(str(t) for t in (triple[0], triple[2]) if _is_var(t)) | (
        frozenset([str(triple[1])]) if _is_var(triple[1]) else frozenset()
    )


class _Bounder:
    def __init__(self, stats: Statistics) -> None:
        self.stats = stats
        self.growth: dict[str, float] = {}  # variable -> how much longer than data it may be
        self._parts: dict[tuple[int, frozenset[str]], tuple[float, float]] = {}

    # -- queries

    def query(self, q: Any) -> float:
        name = q.name
        pattern = q.get("p")
        if name == "DescribeQuery":
            rows, work = (1.0, 0.0) if pattern is None else self.part(pattern, frozenset())
            per = self.stats.out_any + self.stats.blank_subject_triples
            return work + rows * len(q.get("PV") or [1]) * per
        rows, work = self.part(pattern, frozenset())
        if name == "ConstructQuery":
            return work + rows * max(1, len(q.get("template") or []))
        if name in ("SelectQuery", "AskQuery"):
            return work + rows
        raise _Unbounded(name)

    # -- graph patterns: (solutions per binding of ``bound``, work per binding)

    def part(self, p: Any, bound: frozenset[str]) -> tuple[float, float]:
        key = (id(p), bound)
        if key not in self._parts:  # joins look at each side twice: once is enough
            self._parts[key] = self._part(p, bound)
        return self._parts[key]

    def _part(self, p: Any, bound: frozenset[str]) -> tuple[float, float]:
        name = getattr(p, "name", None)
        if name == "BGP":
            return self.bgp(p["triples"], bound)
        if name in ("Project", "Distinct", "Reduced", "ToMultiSet"):
            rows, work = self.part(p["p"], bound)
            return rows, work + (rows if name == "Distinct" else 0)
        if name == "Slice":
            rows, work = self.part(p["p"], bound)
            length = p.get("length")
            return (rows if length is None else min(rows, float(length))), work
        if name == "values":
            rows = float(len(p["res"]))
            return rows, rows
        if name == "OrderBy":
            rows, work = self.part(p["p"], bound)
            per = sum(self.expr(c["expr"], rows) for c in p["expr"])
            return rows, work + rows * (math.log2(rows + 1) + per)
        if name == "Filter":
            rows, work = self.part(p["p"], bound)
            return rows, work + rows * self.expr(p["expr"], rows, _certain(p["p"]) | bound)
        if name == "Extend":
            rows, work = self.part(p["p"], bound)
            cost = self.expr(p["expr"], rows)
            self.growth[str(p["var"])] = self.grow(p["expr"], rows)
            return rows, work + rows * cost
        if name == "Group":
            rows, work = self.part(p["p"], bound)
            return rows, work + rows * (1 + len(p.get("expr") or []))
        if name == "AggregateJoin":
            rows, work = self.part(p["p"], bound)
            for agg in p["A"]:
                self.growth[str(agg["res"])] = self.grow(agg, rows)
            return rows, work + rows * len(p["A"])
        if name == "Union":
            r1, w1 = self.part(p["p1"], bound)
            r2, w2 = self.part(p["p2"], bound)
            return r1 + r2, w1 + w2
        if name in ("Join", "LeftJoin", "Minus"):
            return self.join(p, bound)
        raise _Unbounded(name or type(p).__name__)

    def join(self, p: Any, bound: frozenset[str]) -> tuple[float, float]:
        """Either plan: each side alone then matched, or the right side per left row."""
        left, right = p["p1"], p["p2"]
        r1, w1 = self.part(left, bound)
        r2, w2 = self.part(right, bound)
        r2_per, w2_per = self.part(right, bound | _certain(left))
        if p.name == "Minus":
            return r1, w1 + w2 + r1 * (w2_per + 1)
        rows = r1 * (max(1.0, r2_per) if p.name == "LeftJoin" else r2_per)
        work = w1 + w2 + r1 * w2_per + rows
        if p.name == "LeftJoin" and p.get("expr") is not None:
            work += rows * self.expr(p["expr"], rows, _certain(left) | bound)
        if p.name == "Join":  # the other side may drive the loop too
            r1_per, w1_per = self.part(left, bound | _certain(right))
            rows = min(rows, r2 * r1_per)
            work += r2 * w1_per
        return rows, work

    # -- basic graph patterns

    def bgp(self, triples: list[Triple], bound: frozenset[str]) -> tuple[float, float]:
        triples = [tuple(t) for t in triples]
        if not triples:
            return 1.0, 1.0
        if len(triples) > MAX_PATTERNS:
            raise _Unbounded("BGP")
        work = 0.0
        component_max: list[float] = []
        for component in _components(triples, bound):
            biggest = 0.0
            for subset in _connected_subsets(component, bound):
                card = self.cardinality(subset, bound)
                work += card
                biggest = max(biggest, card)
            component_max.append(biggest)
        rows = self.cardinality(triples, bound)
        work += math.prod(component_max)  # a cross product between components, if any
        return rows, work

    def cardinality(self, triples: Iterable[Triple], bound: frozenset[str]) -> float:
        """Solutions of a set of patterns, per binding of ``bound``: patterns taken greedily,
        each bounded by its fan-out given the variables bound before it."""
        todo = list(triples)
        known = set(bound)
        total = 1.0
        while todo:
            fanouts = [self.pattern(t, known) for t in todo]
            i = min(range(len(todo)), key=fanouts.__getitem__)
            total *= fanouts[i]
            if total == 0:
                return 0.0
            known |= _vars_of(todo.pop(i))
        return total

    def pattern(self, t: Triple, known: set[str]) -> float:
        s, p, o = t
        s_bound = not _is_var(s) or str(s) in known
        o_bound = not _is_var(o) or str(o) in known
        if isinstance(p, Path):
            return self.path(p, s_bound, o_bound)
        if _is_var(p) and str(p) not in known:
            return self.any_predicate(s_bound, o_bound)
        if _is_var(p):  # bound by an earlier pattern: the worst predicate
            return max(
                (self.predicate(q, s_bound, o_bound) for q in self.stats.predicates), default=0.0
            )
        return self.predicate(str(p), s_bound, o_bound)

    def predicate(self, p: str, s_bound: bool, o_bound: bool) -> float:
        count, out, inn = self.stats.predicates.get(p, (0, 0, 0))
        if s_bound and o_bound:
            return min(1.0, count)
        if s_bound:
            return float(out)
        if o_bound:
            return float(inn)
        return float(count)

    def any_predicate(self, s_bound: bool, o_bound: bool) -> float:
        if s_bound and o_bound:
            return float(len(self.stats.predicates))
        if s_bound:
            return float(self.stats.out_any)
        if o_bound:
            return float(self.stats.in_any)
        return float(self.stats.triples)

    def path(self, p: Path | URIRef, s_bound: bool, o_bound: bool) -> float:
        if isinstance(p, URIRef):
            return self.predicate(str(p), s_bound, o_bound)
        if isinstance(p, InvPath):
            return self.path(p.arg, o_bound, s_bound)
        if isinstance(p, AlternativePath):
            return sum(self.path(a, s_bound, o_bound) for a in p.args)
        if isinstance(p, NegatedPath):
            return self.any_predicate(s_bound, o_bound)
        if isinstance(p, SequencePath):
            steps = list(p.args)
            if not s_bound and o_bound:  # walk it backwards from the bound end
                steps = [InvPath(a) for a in reversed(steps)]
            first = self.path(steps[0], s_bound or o_bound, False)
            return first * math.prod(self.path(a, True, False) for a in steps[1:])
        if isinstance(p, MulPath):
            if not (s_bound or o_bound):
                raise _Unbounded("a * or + or ? path between two free ends")
            edges = self.path(p.path, False, False)
            if p.mod == "?":
                return 1 + self.path(p.path, s_bound, o_bound)
            return edges + 1  # every node reachable, each edge visited once
        raise _Unbounded(type(p).__name__)

    # -- expressions

    def expr(self, e: Any, rows: float, scope: frozenset[str] = frozenset()) -> float:
        """Work to evaluate an expression once; EXISTS costs its pattern, per row."""
        cost = 1.0
        for node in _walk(e):
            name = getattr(node, "name", "")
            if name in _EXISTS:
                from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

                graph = node["graph"]
                if getattr(graph, "name", "") == "GroupGraphPatternSub":
                    graph = translateGroupGraphPattern(graph)
                alone = self.part(graph, frozenset())[1]
                per_row = self.part(graph, scope)[1]
                cost += per_row + alone / max(rows, 1.0)
            else:
                cost += _FUNCTION_COST.get(name, 1)
        return cost

    def grow(self, e: Any, rows: float) -> float:
        """How many times longer than the longest value in the data ``e``'s value may be."""
        if isinstance(e, Variable):
            return self.growth.get(str(e), 1.0)
        if isinstance(e, Literal | URIRef):
            return 1.0
        name = getattr(e, "name", "")
        args = [v for k, v in e.items() if not k.startswith("_")] if hasattr(e, "items") else []
        children = [a for arg in args for a in (arg if isinstance(arg, list) else [arg])]
        if name == "Builtin_CONCAT":
            result = sum(self.grow(a, rows) for a in children) or 1.0
        elif name == "Builtin_REPLACE":
            replacement = e.get("replacement")
            result = self.grow(e["arg"], rows) * (1 + len(str(replacement or "")))
        elif name == "Builtin_ENCODE_FOR_URI":
            result = 3 * self.grow(e["arg"], rows)
        elif name.startswith("Aggregate_GroupConcat"):
            result = rows * self.grow(e["vars"], rows)
        else:
            result = max((self.grow(a, rows) for a in children), default=1.0)
        if result > MAX_GROWTH:
            raise _Unbounded("a value that may grow too long")
        return result


def _walk(e: Any) -> Iterator[Any]:
    yield e
    if hasattr(e, "items") and getattr(e, "name", "") not in (
        "Builtin_EXISTS",
        "Builtin_NOTEXISTS",
    ):
        for key, value in e.items():
            if key.startswith("_"):
                continue
            for v in value if isinstance(value, list) else [value]:
                yield from _walk(v)


def _certain(p: Any) -> frozenset[str]:
    """Variables bound in every solution of ``p`` (fewer is safe: bounds only grow)."""
    name = getattr(p, "name", None)
    if name == "BGP":
        return frozenset().union(*(_vars_of(tuple(t)) for t in p["triples"]))
    if name == "Join":
        return _certain(p["p1"]) | _certain(p["p2"])
    if name in ("LeftJoin", "Minus"):
        return _certain(p["p1"])
    if name == "Union":
        return _certain(p["p1"]) & _certain(p["p2"])
    if name in ("Filter", "Slice", "OrderBy", "Distinct", "Reduced", "ToMultiSet", "Extend"):
        return _certain(p["p"])
    if name == "Project":
        return _certain(p["p"]) & frozenset(str(v) for v in p.get("PV") or ())
    if name == "values":
        rows = p["res"]
        return (
            frozenset(str(v) for v in rows[0] if all(v in r for r in rows)) if rows else frozenset()
        )
    return frozenset()


def _components(triples: list[Triple], bound: frozenset[str]) -> list[list[Triple]]:
    """Groups of patterns linked by free variables (variables bound outside link nothing)."""
    groups: list[tuple[set[str], list[Triple]]] = []
    for t in triples:
        free = set(_vars_of(t) - bound)
        merged = [g for g in groups if g[0] & free]
        for g in merged:
            groups.remove(g)
            free |= g[0]
        groups.append((free, [t for g in merged for t in g[1]] + [t]))
    return [g[1] for g in groups]


def _connected_subsets(triples: list[Triple], bound: frozenset[str]) -> Iterator[list[Triple]]:
    for size in range(1, len(triples) + 1):
        for subset in itertools.combinations(triples, size):
            if len(_components(list(subset), bound)) == 1:
                yield list(subset)
