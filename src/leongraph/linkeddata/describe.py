"""What the graph says about one IRI: its outgoing statements (with the blank nodes they point
to), the statements that link to it, and for every statement the named graphs holding it. Since
each source sentence IRI is also the named graph of the facts it states, those graph names are
the provenance of each fact. Everything goes through ``Store.query``, so it works on any engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef

from leongraph.engine import Store, Term
from leongraph.graph.closure import reachable
from leongraph.vocab import (
    BASE,
    FOAF,
    LEON,
    NIF,
    PREFIXES,
    RDF,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    SENT,
    SKOS,
    WD,
)

#: Predicates that name a thing, best first.
LABEL_PREDICATES = (
    RDFS + "label",
    SKOS + "prefLabel",
    SCHEMA + "name",
    FOAF + "name",
)
ALT_LABEL_PREDICATES = (SKOS + "altLabel",)
#: Predicates that hold the text of a source sentence, best first.
TEXT_PREDICATES = (
    str(NIF.isString),
    str(NIF.anchorOf),
    RDF + "value",
    SCHEMA + "text",
    LEON + "text",
)
MAX_INCOMING = 1000
POSITION = LEON + "position"
LANGUAGES = ("en", "", None)


@dataclass(frozen=True)
class Statement:
    """One triple and the named graphs that hold it."""

    subject: Term
    predicate: URIRef
    object: Term
    graphs: tuple[URIRef, ...]

    @property
    def sentences(self) -> tuple[URIRef, ...]:
        """The source sentences that state this triple."""
        return tuple(g for g in self.graphs if str(g).startswith(str(SENT)))


@dataclass
class Index:
    """Labels and sentence texts of the whole graph, read once: the graph is read-only."""

    labels: dict[Term, str] = field(default_factory=dict)
    alt_labels: dict[Term, list[str]] = field(default_factory=dict)
    sentence_text: dict[URIRef, str] = field(default_factory=dict)
    #: Each property's and class's super-properties / super-classes (transitively, through
    #: rdfs:subPropertyOf, rdfs:subClassOf and the owl: equivalences): what the aligned
    #: triples of a fact use (leon:father: schema:parent, wdt:P22).
    supers: dict[Term, frozenset[Term]] = field(default_factory=dict)
    #: A resource's Wikidata item (owl:sameAs wd:…), under which the Wikidata view names it.
    same_as: dict[Term, Term] = field(default_factory=dict)


@dataclass
class Description:
    """The neighbourhood of one IRI, ready to render as a page or to serialise."""

    iri: URIRef
    outgoing: list[Statement] = field(default_factory=list)
    nested: list[Statement] = field(default_factory=list)  # statements about blank objects
    incoming: list[Statement] = field(default_factory=list)
    incoming_truncated: bool = False
    index: Index = field(default_factory=lambda: Index())
    graph_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def labels(self) -> dict[Term, str]:
        return self.index.labels

    @property
    def alt_labels(self) -> dict[Term, list[str]]:
        return self.index.alt_labels

    @property
    def sentence_text(self) -> dict[URIRef, str]:
        return self.index.sentence_text

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming or str(self.iri) in self.graph_sizes)

    def statements(self) -> Iterator[Statement]:
        yield from self.outgoing
        yield from self.nested
        yield from self.incoming

    def quads(self) -> Iterator[tuple[Term, Term, Term, URIRef]]:
        """Every statement once per graph holding it (for TriG and N-Quads)."""
        for st in self.statements():
            for g in st.graphs:
                yield st.subject, st.predicate, st.object, g

    def triples(self) -> Iterator[tuple[Term, Term, Term]]:
        for st in self.statements():
            yield st.subject, st.predicate, st.object

    def label(self, term: Term) -> str:
        """A human label: rdfs:label (English first), else the IRI's last segment."""
        if term in self.labels:
            return self.labels[term]
        if isinstance(term, Literal):
            return str(term)
        text = str(term)
        local = text.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text
        if text.startswith(BASE):
            return local
        return curie(text) or local

    def values(self, predicate: str) -> list[Term]:
        return [st.object for st in self.outgoing if str(st.predicate) == predicate]

    @property
    def types(self) -> list[Term]:
        return self.values(RDF_TYPE)


def curie(iri: str) -> str | None:
    """``prefix:local`` for an IRI in a well-known namespace, else None."""
    fits = [(len(ns), p) for p, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)]
    if not fits:
        return None
    size, prefix = max(fits)  # the longest namespace: ps:P161, not p:statement/P161
    return f"{prefix}:{iri[size:]}"


def graph_quads(store: Store, graph: str) -> list[tuple[Term, Term, Term, URIRef]]:
    """The triples of one named graph as quads, in a stable order."""
    name = URIRef(graph)
    unique = {(s, p, o) for s, p, o, _ in store.quads(graph)}
    return [(s, p, o, name) for s, p, o in sorted(unique, key=lambda t: tuple(map(str, t)))]


def _iri(term: str) -> str:
    if any(c in term for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not a safe IRI: {term!r}")
    return f"<{term}>"


def graph_order(graph: URIRef) -> tuple[int, int, str]:
    """Sentences first, in reading order; then other graphs by name."""
    tail = str(graph)[len(str(SENT)) :]
    if str(graph).startswith(str(SENT)) and tail.isdigit():
        return (0, int(tail), "")
    return (1, 0, str(graph))


def _group(
    rows: Iterable[tuple[Term | None, ...]],
) -> dict[tuple[Term | None, ...], list[URIRef]]:
    """Rows of (..., graph) -> {(...): [graphs]}, in a stable order whatever the engine."""
    out: dict[tuple[Term | None, ...], list[URIRef]] = {}
    for row in sorted(rows, key=lambda r: tuple(str(t) for t in r)):
        *key, graph = row
        graphs = out.setdefault(tuple(key), [])
        if isinstance(graph, URIRef) and graph not in graphs:
            graphs.append(graph)
    for graphs in out.values():
        graphs.sort(key=graph_order)
    return out


def describe(store: Store, iri: str, index: Index | None = None) -> Description:
    """Collect the description of ``iri`` (which must be an IRI of the graph); ``index`` is
    the graph's labels and sentence texts, read here when not given."""
    node = URIRef(iri)
    index = build_index(store) if index is None else index
    d = Description(node, index=index, graph_sizes=store.graph_sizes())
    ref = _iri(iri)
    out = _group(store.query(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {ref} ?p ?o }} }}").rows())
    # Every variable is bound and a predicate is an IRI: the checks only tell the type checker.
    d.outgoing = [
        Statement(node, p, o, tuple(gs))
        for (p, o), gs in out.items()
        if isinstance(p, URIRef) and o is not None
    ]
    if any(isinstance(st.object, BNode) for st in d.outgoing):
        nested = _group(
            store.query(
                f"SELECT ?b ?p ?o ?g WHERE {{ {ref} ?x ?b . FILTER(isBlank(?b)) "
                "GRAPH ?g { ?b ?p ?o } }"
            ).rows()
        )
        d.nested = [
            Statement(b, p, o, tuple(gs))
            for (b, p, o), gs in nested.items()
            if b is not None and isinstance(p, URIRef) and o is not None
        ]
    rows = store.query(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {ref} }} }} LIMIT {MAX_INCOMING + 1}"
    ).rows()
    incoming = _group(rows)
    d.incoming_truncated = len(incoming) > MAX_INCOMING
    d.incoming = [
        Statement(s, p, node, tuple(gs))
        for (s, p), gs in list(incoming.items())[:MAX_INCOMING]
        if s is not None and isinstance(p, URIRef)
    ]
    return d


def build_index(store: Store) -> Index:
    """Read every label and every sentence text of the graph (two queries)."""
    index = Index()
    branches = " UNION ".join(
        f"{{ ?s {_iri(p)} ?l BIND({_iri(p)} AS ?p) }}"
        for p in (*LABEL_PREDICATES, *ALT_LABEL_PREDICATES)
    )
    best: dict[Term, tuple[int, int, str]] = {}
    for s, p, label in store.query(f"SELECT ?s ?p ?l WHERE {{ {branches} }}").rows():
        if not isinstance(s, URIRef) or not isinstance(label, Literal):
            continue
        if str(p) in ALT_LABEL_PREDICATES:
            alts = index.alt_labels.setdefault(s, [])
            if str(label) not in alts:
                alts.append(str(label))
            continue
        lang = label.language or ""
        rank = (
            LABEL_PREDICATES.index(str(p)),
            LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES),
            str(label),
        )
        if s not in best or rank < best[s]:
            best[s] = rank
    index.labels.update({s: rank[2] for s, rank in best.items()})
    rows = store.query(
        f"SELECT ?s ?p ?t WHERE {{ ?s ?p ?t FILTER(isIRI(?s) && STRSTARTS(STR(?s), {str(SENT)!r}) "
        "&& isLiteral(?t) && (datatype(?t) = xsd:string || lang(?t) != '')) }"
    ).rows()
    texts: dict[URIRef, tuple[int, int, str]] = {}
    for s, p, text in rows:
        if not isinstance(s, URIRef):  # the query keeps IRIs only
            continue
        known = TEXT_PREDICATES.index(str(p)) if str(p) in TEXT_PREDICATES else len(TEXT_PREDICATES)
        rank = (known, -len(str(text)), str(text))
        if s not in texts or rank < texts[s]:
            texts[s] = rank
    index.sentence_text.update({s: rank[2] for s, rank in texts.items()})
    index.supers = _supers(store)
    index.same_as = {
        s: o
        for s, o in store.query(
            f"SELECT ?s ?o WHERE {{ ?s owl:sameAs ?o FILTER(STRSTARTS(STR(?o), {str(WD)!r})) }}"
        ).rows()
        if s is not None and o is not None
    }
    return index


def _supers(store: Store) -> dict[Term, frozenset[Term]]:
    direct: dict[Term, set[Term]] = {URIRef(str(RDFS.label)): {URIRef(str(SCHEMA.name))}}
    rows = store.query(
        "SELECT DISTINCT ?a ?b WHERE { { ?a rdfs:subPropertyOf|rdfs:subClassOf ?b } UNION "
        "{ ?a owl:equivalentProperty|owl:equivalentClass ?b } UNION "
        "{ ?b owl:equivalentProperty|owl:equivalentClass ?a } "
        "FILTER(isIRI(?a) && isIRI(?b) && ?a != ?b) }"
    ).rows()
    for a, b in rows:
        if a is not None and b is not None:
            direct.setdefault(a, set()).add(b)
    return {k: frozenset(v) for k, v in reachable(direct).items()}


def sentence_facts(store: Store, sentence: URIRef) -> list[Statement]:
    """The facts a sentence yields: the triples of its named graph."""
    return [
        Statement(s, p, o, (sentence,))
        for s, p, o, _ in graph_quads(store, str(sentence))
        if isinstance(p, URIRef)  # always: a predicate is an IRI
    ]


def neighbours(store: Store, d: Description) -> dict[str, Term]:
    """The previous and next plot events, by leon:position."""
    positions = [v for v in d.values(POSITION) if str(v).lstrip("-").isdigit()]
    if not positions:
        return {}
    n = int(str(positions[0]))
    rows = store.query(
        f"SELECT ?e ?n WHERE {{ ?e <{POSITION}> ?n FILTER(?n = {n - 1} || ?n = {n + 1}) }}"
    ).rows()
    return {("previous" if int(str(k)) < n else "next"): e for e, k in rows if e is not None}
