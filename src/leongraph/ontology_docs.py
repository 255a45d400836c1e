"""The ontology documentation: every class and property of ontology/leon.ttl with its label,
comment, domain and range, its alignments to public vocabularies and a few triples from the
data that use it. Built from the graph (graph/ontology), so it never drifts from the ontology."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from leongraph.describe import Description, Statement, add_labels
from leongraph.namespaces import LEON, ONTOLOGY_GRAPH
from leongraph.store import Store, Term
from leongraph.urls import ONTOLOGY_IRI
from leongraph.views import Linker, Value, triples

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
PROPERTY_TYPES = {
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
}
#: Predicates that relate a term to another vocabulary's term.
ALIGNMENT_PREDICATES = (
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
    "http://www.w3.org/2004/02/skos/core#broadMatch",
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.wikidata.org/prop/direct/P1628",
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


def examples(store: Store, term: TermDoc) -> tuple[list[Statement], int]:
    """Up to EXAMPLES triples of the data using the term, and how many there are in all."""
    ref = f"<{term.iri}>"
    if term.is_class:
        where = f"?s a {ref} . BIND(rdf:type AS ?p) BIND({ref} AS ?o)"
    else:
        where = f"?s {ref} ?o . BIND({ref} AS ?p)"
    count = next(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows())[0]
    rows = store.query(
        f"SELECT ?s ?p ?o WHERE {{ {where} FILTER(isIRI(?s)) }} ORDER BY ?s ?o LIMIT {EXAMPLES}"
    ).rows()
    return [Statement(s, p, o, ()) for s, p, o in rows], int(count)  # type: ignore[arg-type]


def document(store: Store) -> OntologyDoc:
    """Read the ontology graph into classes, properties and other terms, with examples."""
    terms: dict[URIRef, TermDoc] = {}
    header: dict[str, list[Term]] = {}
    for s, p, o, _ in store.quads(str(ONTOLOGY_GRAPH)):
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
    for doc in terms.values():
        doc.examples, doc.uses = examples(store, doc)
    labels = Description(URIRef(ONTOLOGY_IRI))
    shown = {t for d in terms.values() for vs in d.facts.values() for t in vs}
    shown |= {t for d in terms.values() for t in d.kinds} | set(terms)
    shown |= {t for d in terms.values() for st in d.examples for t in (st.subject, st.object)}
    shown |= {t for vs in header.values() for t in vs}
    add_labels(store, labels, shown)
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
