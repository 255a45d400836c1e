"""Writing to a store: an on-disk Oxigraph store opened read-write, the exact change an update
would make (computed on an in-memory copy, nothing written), and the commit of a change as one
transaction, flushed to disk before it returns.

The change of an update is found by *diffing*: the store's named graphs (the history graph
left out) are copied into an in-memory Oxigraph store whose default graph is their union, the
update runs there, and the quads before and after are compared. Evaluating the update's
DELETE/INSERT templates instead would miss what DROP, CLEAR, MOVE and ``DELETE WHERE`` do and
duplicate the engine's semantics; the copy costs a few milliseconds on the bundled graph
(linear in the store's size). What the update does to the default graph (the union) becomes a
change of the named graphs: a triple removed from it leaves every named graph holding it, a
triple added to it goes into the graph ``own_graph`` (the edit's graph, so the fact cites the
edit)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, URIRef

from leongraph.engine.base import Store
from leongraph.engine.oxigraph import META_FILE, OxigraphStore, _parse_error, with_union
from leongraph.engine.terms import Term, ox_quad, to_oxigraph, to_rdflib
from leongraph.errors import DataError
from leongraph.vocab import PREFIXES

#: A quad of rdflib terms whose graph is always named.
Quad = tuple[Term, Term, Term, URIRef]


@dataclass(frozen=True)
class Change:
    """Quads of named graphs added and removed by one edit."""

    added: frozenset[Quad]
    removed: frozenset[Quad]

    def __len__(self) -> int:
        return len(self.added) + len(self.removed)

    def inverse(self) -> Change:
        return Change(self.removed, self.added)

    def has_blank_nodes(self) -> bool:
        return any(isinstance(t, BNode) for q in self.added | self.removed for t in q)

    def graphs(self) -> set[str]:
        return {str(q[3]) for q in self.added | self.removed}


def open_read_write(path: Path) -> OxigraphStore:
    """Open an on-disk store for edits (one process at a time). Its sizes and statistics are
    counted anew: the meta file may predate the last edit if the server was killed."""
    if not Path(path).is_dir():
        raise DataError("no such store directory", path=str(path))
    try:
        opened = OxigraphStore(ox.Store(str(path)))
    except OSError as exc:
        raise DataError(f"cannot open the store for writing: {exc}", path=str(path)) from exc
    meta = Path(path) / META_FILE
    if meta.is_file():
        recorded = json.loads(meta.read_text())
        opened.__dict__["_base_fingerprint"] = recorded.get("base_fingerprint") or recorded.get(
            "fingerprint"
        )
    opened.__dict__["_path"] = Path(path)
    return opened


def set_version(store: Store, last_edit: str | None) -> None:
    """Make the store's fingerprint (ETags) name its data as of ``last_edit``."""
    if not isinstance(store, OxigraphStore):
        return
    base = store.__dict__.get("_base_fingerprint")
    if base is None:
        base = store.__dict__["_base_fingerprint"] = store.fingerprint()
    if last_edit is None:
        store._fingerprint = base
    else:
        store._fingerprint = hashlib.sha256(f"{base}\n{last_edit}".encode()).hexdigest()


def _named_quads(store: Store, hidden: Sequence[str]) -> Iterable[ox.Quad]:
    if isinstance(store, OxigraphStore):
        raw = store._store
        for name in raw.named_graphs():
            if isinstance(name, ox.NamedNode) and name.value in hidden:
                continue
            yield from raw.quads_for_pattern(None, None, None, name)
        return
    for s, p, o, g in store.quads():
        if g is not None and str(g) not in hidden:
            yield ox_quad(s, p, o, g)


def _triple(q: ox.Quad) -> ox.Triple:
    return ox.Triple(q.subject, q.predicate, q.object)


def trial(store: Store, update: str, *, own_graph: str, hidden: Sequence[str] = ()) -> Change:
    """The change ``update`` would make to ``store``'s named graphs (``hidden`` graphs are not
    visible to it); nothing is written. Raises QuerySyntaxError, or the engine's error."""
    before = set(_named_quads(store, hidden))
    scratch = ox.Store()
    scratch.bulk_extend(with_union(before))
    union_before = {_triple(q) for q in before}
    try:
        scratch.update(update, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise _parse_error(exc) from exc
    after: set[ox.Quad] = set()
    default_after: set[ox.Triple] = set()
    for q in scratch:
        if isinstance(q.graph_name, ox.DefaultGraph):
            default_after.add(_triple(q))
        else:
            after.add(q)
    dropped = union_before - default_after
    if dropped:
        after = {q for q in after if _triple(q) not in dropped}
    named_triples = {_triple(q) for q in after}
    own = ox.NamedNode(own_graph)
    for t in default_after - union_before - named_triples:
        after.add(ox.Quad(t.subject, t.predicate, t.object, own))
    return Change(
        frozenset(_rdflib(q) for q in after - before),
        frozenset(_rdflib(q) for q in before - after),
    )


def _rdflib(q: ox.Quad) -> Quad:
    assert isinstance(q.graph_name, ox.NamedNode)  # named graphs only
    g = URIRef(q.graph_name.value)
    return to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), g


def _nt(term: Term) -> str:
    """The term in N-Triples syntax."""
    return str(to_oxigraph(term))


def change_text(store: Store, change: Change, extra: Iterable[Quad] = ()) -> str:
    """The change as one SPARQL update (DELETE DATA; INSERT DATA), ``extra`` quads inserted
    too. For an Oxigraph store whose default graph is the materialised union, the union is
    kept: a triple is added to it, and removed once no named graph holds it any more."""
    removed = sorted(change.removed)
    added = sorted([*change.added, *extra])
    dels = [f"GRAPH <{g}> {{ {_nt(s)} {_nt(p)} {_nt(o)} }}" for s, p, o, g in removed]
    adds = [f"GRAPH <{g}> {{ {_nt(s)} {_nt(p)} {_nt(o)} }}" for s, p, o, g in added]
    if isinstance(store, OxigraphStore) and store._union_stored:
        adds += [f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o, _ in change.added]
        gone: dict[tuple[Term, Term, Term], set[str]] = {}
        for s, p, o, g in removed:
            gone.setdefault((s, p, o), set()).add(str(g))
        kept = {(s, p, o) for s, p, o, _ in change.added}
        for (s, p, o), graphs in gone.items():
            if (s, p, o) in kept:
                continue
            t = ox_quad(s, p, o, None)
            holders = {
                q.graph_name.value
                for q in store._store.quads_for_pattern(t.subject, t.predicate, t.object, None)
                if isinstance(q.graph_name, ox.NamedNode)
            }
            if holders <= graphs:
                dels.append(f"{_nt(s)} {_nt(p)} {_nt(o)} .")
    parts = []
    if dels:
        parts.append("DELETE DATA {\n" + "\n".join(dels) + "\n}")
    if adds:
        parts.append("INSERT DATA {\n" + "\n".join(adds) + "\n}")
    return " ;\n".join(parts)


def commit(store: Store, text: str) -> None:
    """Apply a change written by ``change_text``, in one transaction, flushed to disk before
    this returns (an on-disk store); the store's cached sizes and statistics are dropped."""
    if not text:
        return
    if not isinstance(store, OxigraphStore):
        store.update(text)
        return
    try:
        store._store.update(text)
    except SyntaxError as exc:
        raise _parse_error(exc) from exc
    path = store.__dict__.get("_path")
    if path is not None:
        store._store.flush()
    store._updates += 1
    store.__dict__.pop("_graph_sizes", None)
    store.__dict__.pop("_statistics", None)


def record_meta(store: Store) -> None:
    """Rewrite the store's meta file (sizes, fingerprint) after an edit, atomically."""
    path = store.__dict__.get("_path") if isinstance(store, OxigraphStore) else None
    if path is None:
        return
    meta = {
        "graph_sizes": store.graph_sizes(),
        "fingerprint": store.fingerprint(),
        "base_fingerprint": store.__dict__.get("_base_fingerprint"),
    }
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True))
    os.replace(tmp, path / META_FILE)


class MirrorStore(OxigraphStore):
    """An in-memory copy of a store for the query workers, kept in step by applying the text
    of each committed change as is (its default graph is already spelled out)."""

    def update(self, text: str) -> None:
        try:
            self._store.update(text)
        except SyntaxError as exc:
            raise _parse_error(exc) from exc
        self._updates += 1
        self.__dict__.pop("_graph_sizes", None)
        self.__dict__.pop("_statistics", None)


def mirror(store: Store) -> Store:
    """The copy the query workers evaluate on while the server edits ``store``: a forked
    worker must never touch an on-disk database the server writes."""
    if not isinstance(store, OxigraphStore):
        return store
    copy = ox.Store()
    copy.bulk_extend(store._store.quads_for_pattern(None, None, None))
    out = MirrorStore(copy, union_stored=store._union_stored)
    out._fingerprint = store._fingerprint
    return out
