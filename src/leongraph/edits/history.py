"""The history graph: each edit a ``prov:Activity`` in ``graph/history``, and reading it back.

An edit ``edit/N`` is recorded as::

    edit:N a prov:Activity ; edits:number N ;
        prov:wasAssociatedWith agent:NAME ;        # agent:NAME a prov:Agent ; rdfs:label "NAME"
        prov:startedAtTime "…"^^xsd:dateTime ;
        rdfs:comment "the summary" ;
        edits:reverts edit:M ;                     # a revert only
        edits:added edit:N/added/1 ; edits:removed edit:N/removed/1 .
    edit:N/added/1 a rdf:Statement ; rdf:subject … ; rdf:predicate … ; rdf:object … ;
        edits:graph <the named graph> .

Reification (not RDF-star) keeps each changed quad readable by any SPARQL 1.1 query, e.g.
``SELECT ?who WHERE { GRAPH leon-graph:history { ?e edits:added/rdf:subject res:leon ;
prov:wasAssociatedWith/rdfs:label ?who } }``. The graph ``edit/N`` itself holds the facts the
edit added to the default graph, so that such a fact cites the edit as others cite a sentence."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from leongraph.engine import Store
from leongraph.engine.editing import Change, Quad
from leongraph.engine.terms import Term
from leongraph.vocab import AGENT, EDIT, EDITS, HISTORY_GRAPH, PROV, RDF, RDFS


@dataclass
class Edit:
    """One recorded edit."""

    number: int
    agent: str
    started: str
    summary: str
    added: list[Quad] = field(default_factory=list)
    removed: list[Quad] = field(default_factory=list)
    reverts: int | None = None

    @property
    def iri(self) -> str:
        return str(EDIT[str(self.number)])

    def change(self) -> Change:
        return Change(frozenset(self.added), frozenset(self.removed))

    def touches(self, iri: str) -> bool:
        """Whether the edit changed a triple about ``iri`` (as subject or object)."""
        return any(str(q[0]) == iri or str(q[2]) == iri for q in self.added + self.removed)


def edit_iri(number: int) -> URIRef:
    return EDIT[str(number)]


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def _key(q: Quad) -> tuple[str, ...]:
    return tuple(t.n3() for t in q)


def record(edit: Edit) -> list[Quad]:
    """The quads of the history graph that record ``edit``."""
    h = HISTORY_GRAPH
    e = edit_iri(edit.number)
    agent = AGENT[edit.agent]
    out: list[Quad] = [
        (e, RDF.type, PROV.Activity, h),
        (e, EDITS.number, Literal(edit.number), h),
        (e, PROV.wasAssociatedWith, agent, h),
        (e, PROV.startedAtTime, Literal(edit.started, datatype=XSD.dateTime), h),
        (agent, RDF.type, PROV.Agent, h),
        (agent, RDFS.label, Literal(edit.agent), h),
    ]
    if edit.summary:
        out.append((e, RDFS.comment, Literal(edit.summary), h))
    if edit.reverts is not None:
        out.append((e, EDITS.reverts, edit_iri(edit.reverts), h))
    for kind, quads in (("added", edit.added), ("removed", edit.removed)):
        for i, (s, p, o, g) in enumerate(sorted(quads, key=_key), 1):
            node = EDIT[f"{edit.number}/{kind}/{i}"]
            out += [
                (e, EDITS[kind], node, h),
                (node, RDF.type, RDF.Statement, h),
                (node, RDF.subject, s, h),
                (node, RDF.predicate, p, h),
                (node, RDF.object, o, h),
                (node, EDITS.graph, g, h),
            ]
    return out


def read(store: Store) -> list[Edit]:
    """Every edit the store's history graph records, oldest first."""
    return parse(store.quads(str(HISTORY_GRAPH)))


def parse(quads: Iterable[tuple[Term, Term, Term, Term | None]]) -> list[Edit]:
    props: dict[Term, dict[Term, list[Term]]] = {}
    for s, p, o, _ in quads:
        props.setdefault(s, {}).setdefault(p, []).append(o)

    def one(node: Term, p: Term) -> Term | None:
        values = props.get(node, {}).get(p)
        return values[0] if values else None

    edits = []
    for node, pv in props.items():
        if PROV.Activity not in pv.get(RDF.type, []):
            continue
        number = one(node, EDITS.number)
        agent = one(node, PROV.wasAssociatedWith)
        label = one(agent, RDFS.label) if agent is not None else None
        reverts = one(node, EDITS.reverts)
        edit = Edit(
            number=int(str(number)),
            agent=str(label or ""),
            started=str(one(node, PROV.startedAtTime) or ""),
            summary=str(one(node, RDFS.comment) or ""),
            reverts=int(str(reverts).rsplit("/", 1)[-1]) if reverts is not None else None,
        )
        for kind, into in (("added", edit.added), ("removed", edit.removed)):
            for c in pv.get(EDITS[kind], []):
                cs, cp, co = (one(c, t) for t in (RDF.subject, RDF.predicate, RDF.object))
                cg = one(c, EDITS.graph)
                if cs is not None and cp is not None and co is not None and isinstance(cg, URIRef):
                    into.append((cs, cp, co, cg))
        edits.append(edit)
    edits.sort(key=lambda e: e.number)
    return edits


def history_quads(store: Store, edits: Iterable[Edit]) -> Iterator[Quad]:
    """The recorded quads of ``edits`` (for the RDF forms of the history pages)."""
    wanted = {edit_iri(e.number) for e in edits}
    agents = {AGENT[e.agent] for e in edits}
    for s, p, o, _ in store.quads(str(HISTORY_GRAPH)):
        root = URIRef(str(s).split("/added/")[0].split("/removed/")[0])
        if root in wanted or s in agents:
            yield s, p, o, HISTORY_GRAPH
