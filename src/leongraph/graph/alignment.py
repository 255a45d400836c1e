"""Materialises the public-vocabulary view of the facts (schema.org, Wikidata, SEM, PROV-O, NIF)
at load, driven by the alignment axioms of the ontology. Each derived triple goes into the same
named graph as the fact it comes from, so provenance holds for it too.

What is added, per named graph:

- leon: closure: inverse (owl:inverseOf) and symmetric relations, leon super-properties and
  super-classes, so ``?x a leon:Place`` finds neighbourhoods and ``leon:killedBy`` answers.
- public terms: each super-class/-property outside the leon namespace (schema:, sem:, prov:,
  nif:, dcterms:...) is asserted on the same subject; ``rdfs:label`` is copied to ``schema:name``.
- schema.org roles: a casting role is a ``schema:PerformanceRole`` between the film and the actor
  (film ``schema:actor`` role, role ``schema:actor`` person, ``schema:character``, from the
  ontology's axioms); where the same graph names the character, the role also gets the name as
  ``schema:characterName`` (ROLE_NAMES), so who plays whom is answerable in schema.org alone.
- Wikidata view: a super-class that is a Wikidata item gives ``wdt:P31``; a super-property in
  ``wdt:`` gives a direct claim. Subjects and values with an ``owl:sameAs wd:`` link are written
  under their ``wd:`` IRI (which also gets the labels), local IRIs otherwise. The qualified
  statements Wikidata uses for cast members (P161 + P453), publication dates (P577 + P291, with a
  full time value node: ``wikibase:timeValue``, ``timePrecision`` 11 (day) and
  ``timeCalendarModel``, as in Wikidata's RDF dumps) and box office (P2142 with a quantity value
  node) come from the STATEMENTS table below; direct claims listed in SIMPLE_STATEMENTS (narrative
  location, P840) also get a ``p:``/``ps:`` statement. Every statement has ``wikibase:rank``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeGuard

from rdflib import RDF, RDFS, XSD, Dataset, Graph, URIRef
from rdflib import Literal as RLiteral
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL
from rdflib.term import Node

from leongraph.graph.closure import reachable
from leongraph.vocab import LEON, ONTOLOGY_GRAPH, PQ, PS, PSV, SCHEMA, WD, WDT, WIKIBASE
from leongraph.vocab import P as WDP

Triple = tuple[Node, Node, Node]

#: ISO 4217 codes used in the data -> Wikidata currency items (verified ids only).
CURRENCIES: dict[str, URIRef] = {"USD": WD["Q4917"]}

#: The calendar model of every time value: the proleptic Gregorian calendar (Q1985727, checked
#: against two public sources recorded in data/wikidata.ttl), as Wikidata uses for modern dates.
GREGORIAN: URIRef = WD["Q1985727"]
#: Wikidata's time precision for a day.
DAY_PRECISION = 11


@dataclass(frozen=True)
class StatementRule:
    """A Wikidata qualified statement built from a leon n-ary node.

    ``subject --link--> node``; ``node --value--> main value``; each qualifier property of the
    node becomes a ``pq:`` qualifier. The node itself is the statement (its IRI is stable)."""

    link: URIRef
    prop: str
    value: URIRef
    qualifiers: dict[str, URIRef] = field(default_factory=dict)
    direct: bool = False  # also add the wdt: direct claim (when no leon property already does)
    quantity: bool = False  # the value is an amount: add a psv: quantity node with its unit
    time: bool = False  # the value is a date: add a psv: time value node (day precision)


#: Role property -> the schema.org property naming it: the value's ``rdfs:label`` in the same
#: graph becomes the role's name there (a plain string: a name, not text in a language).
ROLE_NAMES: dict[URIRef, URIRef] = {LEON.castCharacter: SCHEMA.characterName}

STATEMENTS: tuple[StatementRule, ...] = (
    StatementRule(LEON.castingRole, "P161", LEON.castActor, {"P453": LEON.castCharacter}),
    StatementRule(
        LEON.release, "P577", LEON.releaseDate, {"P291": LEON.releaseCountry}, True, time=True
    ),
    StatementRule(LEON.boxOffice, "P2142", LEON.amount, direct=True, quantity=True),
)


#: leon property -> the Wikidata property whose direct claims it makes (through the ontology's
#: rdfs:subPropertyOf) and which also get a full statement: ``p:``, ``ps:`` and a rank. The
#: statement's IRI is minted from the local subject, the property and the local value.
SIMPLE_STATEMENTS: dict[URIRef, str] = {LEON.narrativeLocation: "P840"}


@dataclass
class Axioms:
    """The alignment axioms of the ontology, closed transitively."""

    class_supers: dict[URIRef, set[URIRef]]
    property_supers: dict[URIRef, set[URIRef]]
    inverses: dict[URIRef, set[URIRef]]
    symmetric: set[URIRef]

    @classmethod
    def from_ontology(cls, onto: Graph) -> Axioms:
        def closure(links: Iterable[URIRef]) -> dict[URIRef, set[URIRef]]:
            direct: dict[URIRef, set[URIRef]] = {}
            for pred in links:
                for s, o in onto.subject_objects(pred):
                    if isinstance(s, URIRef) and isinstance(o, URIRef) and s.startswith(LEON):
                        direct.setdefault(s, set()).add(o)
            return reachable(direct)

        inverses: dict[URIRef, set[URIRef]] = {}
        for a, b in onto.subject_objects(OWL.inverseOf):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                inverses.setdefault(a, set()).add(b)
                inverses.setdefault(b, set()).add(a)
        symmetric = {s for s in onto.subjects(RDF.type, OWL.SymmetricProperty)}
        return cls(
            class_supers=closure([RDFS.subClassOf, OWL.equivalentClass]),
            property_supers=closure([RDFS.subPropertyOf, OWL.equivalentProperty]),
            inverses=inverses,
            symmetric={s for s in symmetric if isinstance(s, URIRef)},
        )


def _is_leon(term: Node) -> TypeGuard[URIRef]:
    return isinstance(term, URIRef) and term.startswith(LEON)


def _leon_closure(triples: set[Triple], ax: Axioms) -> set[Triple]:
    """Add leon super-properties, inverses and symmetric links until nothing changes."""
    result = set(triples)
    todo = list(triples)
    while todo:
        s, p, o = todo.pop()
        if not _is_leon(p):
            continue
        new: list[Triple] = [(s, q, o) for q in ax.property_supers.get(p, ()) if _is_leon(q)]
        if isinstance(o, URIRef):
            new += [(o, q, s) for q in ax.inverses.get(p, ())]
            if p in ax.symmetric:
                new.append((o, p, s))
        for t in new:
            if t not in result:
                result.add(t)
                todo.append(t)
    return result


def _wd(term: Node, same_as: dict[Node, URIRef]) -> Node:
    return same_as.get(term, term)


def derive(graph: Iterable[Triple], ax: Axioms, same_as: dict[Node, URIRef]) -> set[Triple]:
    """Every triple alignment adds to one named graph (it may repeat existing ones)."""
    closed = _leon_closure(set(graph), ax)
    out = set(closed)
    for s, p, o in closed:
        if p == RDF.type and isinstance(o, URIRef) and o in ax.class_supers:
            for sup in ax.class_supers[o]:
                if sup.startswith(WD):
                    out.add((_wd(s, same_as), WDT.P31, sup))
                else:
                    out.add((s, RDF.type, sup))
        elif isinstance(p, URIRef) and p in ax.property_supers:
            for sup in ax.property_supers[p]:
                if sup.startswith(WDT):
                    out.add((_wd(s, same_as), sup, _wd(o, same_as)))
                elif not _is_leon(sup):
                    out.add((s, sup, o))
        elif p == RDFS.label:
            out.add((s, SCHEMA.name, o))
            if s in same_as:
                out.add((same_as[s], RDFS.label, o))
                out.add((same_as[s], SCHEMA.name, o))
    out |= _role_names(closed)
    out |= _statements(closed, same_as)
    out |= _simple_statements(closed, same_as)
    return out


def _simple_statements(closed: set[Triple], same_as: dict[Node, URIRef]) -> set[Triple]:
    """A ``p:``/``ps:`` statement with its rank for each fact of SIMPLE_STATEMENTS."""
    out: set[Triple] = set()
    for s, p, o in closed:
        prop = SIMPLE_STATEMENTS.get(p)  # type: ignore[call-overload]
        if prop is None or not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        value = str(o).rstrip("/").rsplit("/", 1)[-1]
        node = URIRef(f"{s}-{prop}-{value}")
        out |= {
            (_wd(s, same_as), WDP[prop], node),
            (node, RDF.type, WIKIBASE.Statement),
            (node, RDFS.label, RLiteral(f"{prop} statement: {value}", lang="en")),
            (node, WIKIBASE.rank, WIKIBASE.NormalRank),
            (node, PS[prop], _wd(o, same_as)),
        }
    return out


def _role_names(closed: set[Triple]) -> set[Triple]:
    """schema:characterName of each role whose character the graph names (ROLE_NAMES)."""
    names: dict[Node, set[RLiteral]] = {}
    for s, p, o in closed:
        if p == RDFS.label and isinstance(o, RLiteral) and o.language in (None, "en"):
            names.setdefault(s, set()).add(RLiteral(str(o)))
    return {
        (role, ROLE_NAMES[p], name)
        for role, p, value in closed
        if isinstance(p, URIRef) and p in ROLE_NAMES
        for name in names.get(value, ())
    }


def _statements(closed: set[Triple], same_as: dict[Node, URIRef]) -> set[Triple]:
    """Wikidata's p:/ps:/pq:/psv: statement model for the rules in STATEMENTS."""
    by_sp: dict[tuple[Node, Node], list[Node]] = {}
    for s, p, o in closed:
        by_sp.setdefault((s, p), []).append(o)
    out: set[Triple] = set()
    for rule in STATEMENTS:
        for (subject, p), nodes in list(by_sp.items()):
            if p != rule.link:
                continue
            for node in nodes:
                for value in by_sp.get((node, rule.value), ()):
                    out |= _statement(rule, _wd(subject, same_as), node, value, by_sp, same_as)
    return out


def _statement(
    rule: StatementRule,
    subject: Node,
    node: Node,
    value: Node,
    by_sp: dict[tuple[Node, Node], list[Node]],
    same_as: dict[Node, URIRef],
) -> set[Triple]:
    out: set[Triple] = {
        (subject, WDP[rule.prop], node),
        (node, RDF.type, WIKIBASE.Statement),
        (node, WIKIBASE.rank, WIKIBASE.NormalRank),
        (node, PS[rule.prop], _wd(value, same_as)),
    }
    if rule.direct:
        out.add((subject, WDT[rule.prop], _wd(value, same_as)))
    for qualifier, prop in rule.qualifiers.items():
        for q in by_sp.get((node, prop), ()):
            out.add((node, PQ[qualifier], _wd(q, same_as)))
    if rule.quantity and isinstance(node, URIRef):
        quantity = URIRef(str(node) + "-value")
        out |= {
            (node, PSV[rule.prop], quantity),
            (quantity, RDF.type, WIKIBASE.QuantityValue),
            (quantity, RDFS.label, RLiteral(f"{value} (quantity value)", lang="en")),
            (quantity, WIKIBASE.quantityAmount, value),
        }
        for code in by_sp.get((node, LEON.currency), ()):
            unit = CURRENCIES.get(str(code))
            if unit is not None:
                out.add((quantity, WIKIBASE.quantityUnit, unit))
    if rule.time and isinstance(node, URIRef) and isinstance(value, RLiteral):
        time = URIRef(str(node) + "-value")
        out |= {
            (node, PSV[rule.prop], time),
            (time, RDF.type, WIKIBASE.TimeValue),
            (time, RDFS.label, RLiteral(f"{value} (time value)", lang="en")),
            # midnight UTC, written as in Wikidata's dumps on both engines (rdflib would
            # normalise it to "…T00:00:00+00:00", the same value)
            (
                time,
                WIKIBASE.timeValue,
                RLiteral(f"{value}T00:00:00Z", datatype=XSD.dateTime, normalize=False),
            ),
            (time, WIKIBASE.timePrecision, RLiteral(DAY_PRECISION)),
            (time, WIKIBASE.timeCalendarModel, GREGORIAN),
        }
    return out


def same_as_links(ds: Dataset) -> dict[Node, URIRef]:
    """Local resource -> its Wikidata item, from the owl:sameAs links of every graph."""
    return {
        s: o
        for s, _, o, _ in ds.quads((None, OWL.sameAs, None, None))
        if isinstance(o, URIRef) and o.startswith(WD)
    }


def materialize(ds: Dataset) -> int:
    """Add the aligned triples to ``ds``, each in the graph of its source fact; return how many
    were added."""
    ax = Axioms.from_ontology(ds.graph(ONTOLOGY_GRAPH))
    same_as = same_as_links(ds)
    added = 0
    for graph in list(ds.graphs()):
        if graph.identifier in (ONTOLOGY_GRAPH, DATASET_DEFAULT_GRAPH_ID):
            continue
        before = len(graph)
        for t in derive(graph, ax, same_as):
            graph.add(t)
        added += len(graph) - before
    return added


def follow(
    before: set[Triple],
    added: set[Triple],
    removed: set[Triple],
    ax: Axioms,
    same_as: dict[Node, URIRef],
) -> tuple[set[Triple], set[Triple]]:
    """What an edit of one aligned named graph (``before`` less ``removed`` plus ``added``)
    changes once the graph's aligned view follows it: the triples to add and to remove.

    The added facts' aligned triples join the graph, as at load. When facts are removed, the
    triples they yield on their own (inverses, super-properties, public terms, Wikidata
    claims) go with them; so does every other triple about a node they touch that the rest of
    the graph yielded before without it and what it yields itself (an inverse pair does not
    make both derived), a Wikidata statement included, and no longer yields. A triple both
    stated and derivable from other facts counts as derived; a derived triple cannot be removed
    while its fact stays. Costs one alignment of the graph per such triple: fine for the
    graphs of a sentence or an edit."""
    if not removed:
        final = derive(before | added, ax, same_as)
    else:
        after = (before - removed) | added
        back = {v: k for k, v in same_as.items()}
        nodes = {t for r in removed for t in (r[0], r[2]) if isinstance(t, URIRef)}
        nodes |= {same_as[n] for n in nodes if n in same_as}
        prefixes = tuple(f"{n}-" for n in nodes)
        stale = (derive(removed, ax, same_as) - removed) - added
        for t in after - added - stale:
            if not (t[0] in nodes or t[0] in back or str(t[0]).startswith(prefixes)):
                continue
            if t in derive(before - derive({t}, ax, same_as), ax, same_as):
                stale.add(t)
        final = derive(after - stale, ax, same_as)
    # What aligning an already aligned graph adds again (schema:name of statement labels) is
    # not part of the view written at load: leave it out.
    again = derive(before, ax, same_as) - before
    return final - before - again, before - final
