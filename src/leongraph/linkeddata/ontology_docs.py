"""The ontology documentation: every class and property of ontology/leon.ttl with its label,
comment, domain and range, its alignments to public vocabularies and a few triples from the
data that use it. Built from the graph (graph/ontology), so it never drifts from the ontology."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from leongraph.engine import Store, Term
from leongraph.linkeddata.describe import Description, Index, Statement, graph_quads
from leongraph.linkeddata.urls import ONTOLOGY_IRI
from leongraph.linkeddata.viewmodels import Linker, Value, triples
from leongraph.vocab import LEON, ONTOLOGY_GRAPH, OWL, RDF, RDF_TYPE, RDFS, SKOS, WDT

CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
PROPERTY_TYPES = {
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
}
#: Predicates that relate a term to another vocabulary's term.
ALIGNMENT_PREDICATES = (
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "broadMatch",
    OWL + "sameAs",
    WDT + "P1628",
)
EXAMPLES = 3


@dataclass
class TermDoc:
    iri: URIRef
    kinds: list[Term] = field(default_factory=list)
    facts: dict[str, list[Term]] = field(default_factory=dict)  # predicate -> objects
    examples: list[Statement] = field(default_factory=list)
    uses: int = 0

    @property
    def name(self) -> str:
        return str(self.iri)[len(str(LEON)) :]

    def get(self, predicate: str) -> list[Term]:
        return self.facts.get(predicate, [])

    @property
    def is_class(self) -> bool:
        return any(str(k) in CLASS_TYPES for k in self.kinds)


@dataclass
class OntologyDoc:
    header: dict[str, list[Term]]
    classes: list[TermDoc]
    properties: list[TermDoc]
    others: list[TermDoc]
    labels: Description  # labels of every IRI shown


def add_examples(store: Store, docs: list[TermDoc]) -> None:
    """Fill each term's uses (how many triples of the graph use it) and up to EXAMPLES of
    them, with two queries in all (one for properties, one for classes)."""
    by_iri = {d.iri: d for d in docs}
    for classes in (False, True):
        chosen = sorted(str(d.iri) for d in docs if d.is_class == classes)
        if not chosen:
            continue
        values = " ".join(f"<{iri}>" for iri in chosen)
        var, pattern = ("?o", "?s a ?o BIND(rdf:type AS ?p)") if classes else ("?p", "?s ?p ?o")
        text = f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES {var} {{ {values} }} {pattern} }}"
        rows = sorted(store.query(text).rows(), key=lambda r: tuple(str(t) for t in r))
        for s, p, o in rows:
            term = o if classes else p
            if not isinstance(term, URIRef):  # never: VALUES binds it to an IRI
                continue
            doc = by_iri[term]
            doc.uses += 1
            if (
                len(doc.examples) < EXAMPLES
                and isinstance(s, URIRef)
                and isinstance(p, URIRef)  # always: a predicate, or rdf:type
                and o is not None  # always bound
            ):
                doc.examples.append(Statement(s, p, o, ()))


def document(store: Store, index: Index) -> OntologyDoc:
    """Read the ontology graph into classes, properties and other terms, with examples."""
    terms: dict[URIRef, TermDoc] = {}
    header: dict[str, list[Term]] = {}
    for s, p, o, _ in graph_quads(store, str(ONTOLOGY_GRAPH)):
        if str(s) == ONTOLOGY_IRI:
            header.setdefault(str(p), []).append(o)
            continue
        if not isinstance(s, URIRef) or not str(s).startswith(str(LEON)):
            continue
        doc = terms.setdefault(s, TermDoc(s))
        if str(p) == RDF_TYPE:
            doc.kinds.append(o)
        else:
            doc.facts.setdefault(str(p), []).append(o)
    add_examples(store, list(terms.values()))
    labels = Description(URIRef(ONTOLOGY_IRI), index=index)
    ordered = sorted(terms.values(), key=lambda d: d.name.lower())
    classes = [d for d in ordered if d.is_class]
    properties = [d for d in ordered if any(str(k) in PROPERTY_TYPES for k in d.kinds)]
    others = [d for d in ordered if d not in classes and d not in properties]
    return OntologyDoc(header, classes, properties, others, labels)


@dataclass
class TermView:
    """One term as the documentation page shows it."""

    name: str
    label: str
    href: str
    kinds: list[Value]
    comments: list[str]
    details: list[tuple[Value, list[Value]]]  # domain, range, then alignments
    examples: list[tuple[Value, Value, Value]]
    uses: int


def term_view(doc: TermDoc, linker: Linker) -> TermView:
    details = []
    for p in (RDFS + "domain", RDFS + "range", *ALIGNMENT_PREDICATES):
        if doc.get(p):
            details.append((linker.value(URIRef(p)), [linker.value(o) for o in doc.get(p)]))
    return TermView(
        name=doc.name,
        label=linker.description.label(doc.iri),
        href=linker.href(str(doc.iri)) or str(doc.iri),
        kinds=[linker.value(k) for k in doc.kinds],
        comments=[str(c) for c in doc.get(RDFS + "comment")],
        details=details,
        examples=triples(linker, doc.examples),
        uses=doc.uses,
    )


HIDDEN_HEADER = {RDFS + "label", RDFS + "comment", RDF_TYPE}


def header_view(doc: OntologyDoc, linker: Linker) -> list[tuple[Value, list[Value]]]:
    """The ontology's own metadata (version, licence, creator...), as property rows."""
    return [
        (linker.value(URIRef(p)), [linker.value(o) for o in objs])
        for p, objs in sorted(doc.header.items())
        if p not in HIDDEN_HEADER
    ]
