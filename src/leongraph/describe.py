"""What the graph says about one IRI: its outgoing statements (with the blank nodes they point
to), the statements that link to it, and for every statement the named graphs holding it. Since
each source sentence IRI is also the named graph of the facts it states, those graph names are
the provenance of each fact. Everything goes through ``Store.query``, so it works on any engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef

from leongraph.namespaces import NIF, SENT
from leongraph.store import Store, Term

#: Predicates that name a thing, best first.
LABEL_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
)
ALT_LABEL_PREDICATES = ("http://www.w3.org/2004/02/skos/core#altLabel",)
#: Predicates that hold the text of a source sentence, best first.
TEXT_PREDICATES = (
    str(NIF.isString),
    str(NIF.anchorOf),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#value",
    "http://schema.org/text",
    "https://w3id.org/leongraph/ontology#text",
)
MAX_INCOMING = 1000
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
class Description:
    """The neighbourhood of one IRI, ready to render as a page or to serialise."""

    iri: URIRef
    outgoing: list[Statement] = field(default_factory=list)
    nested: list[Statement] = field(default_factory=list)  # statements about blank objects
    incoming: list[Statement] = field(default_factory=list)
    incoming_truncated: bool = False
    labels: dict[Term, str] = field(default_factory=dict)
    alt_labels: dict[Term, list[str]] = field(default_factory=dict)
    sentence_text: dict[URIRef, str] = field(default_factory=dict)
    graph_sizes: dict[str, int] = field(default_factory=dict)

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
        return text.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or text

    def values(self, predicate: str) -> list[Term]:
        return [st.object for st in self.outgoing if str(st.predicate) == predicate]

    @property
    def types(self) -> list[Term]:
        return self.values("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _iri(term: str) -> str:
    if any(c in term for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not a safe IRI: {term!r}")
    return f"<{term}>"


def _group(rows: Iterable[tuple[Term | None, ...]]) -> dict[tuple[Term, ...], list[URIRef]]:
    """Rows of (..., graph) -> {(...): [graphs]} keeping first-seen order."""
    out: dict[tuple[Term, ...], list[URIRef]] = {}
    for row in rows:
        *key, graph = row
        graphs = out.setdefault(tuple(key), [])  # type: ignore[arg-type]
        if isinstance(graph, URIRef) and graph not in graphs:
            graphs.append(graph)
    return out


def describe(store: Store, iri: str) -> Description:
    """Collect the description of ``iri`` (which must be an IRI of the graph)."""
    node = URIRef(iri)
    d = Description(node, graph_sizes=store.graph_sizes())
    ref = _iri(iri)
    out = _group(store.query(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {ref} ?p ?o }} }}").rows())
    d.outgoing = [Statement(node, p, o, tuple(gs)) for (p, o), gs in out.items()]  # type: ignore[arg-type]
    if any(isinstance(st.object, BNode) for st in d.outgoing):
        nested = _group(
            store.query(
                f"SELECT ?b ?p ?o ?g WHERE {{ {ref} ?x ?b . FILTER(isBlank(?b)) "
                "GRAPH ?g { ?b ?p ?o } }"
            ).rows()
        )
        d.nested = [Statement(b, p, o, tuple(gs)) for (b, p, o), gs in nested.items()]  # type: ignore[arg-type]
    rows = store.query(
        f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {ref} }} }} LIMIT {MAX_INCOMING + 1}"
    ).rows()
    incoming = _group(rows)
    d.incoming_truncated = len(incoming) > MAX_INCOMING
    d.incoming = [
        Statement(s, p, node, tuple(gs))  # type: ignore[arg-type]
        for (s, p), gs in list(incoming.items())[:MAX_INCOMING]
    ]
    terms = {node, *(t for st in d.statements() for t in (st.subject, st.predicate, st.object))}
    terms |= {g for st in d.statements() for g in st.graphs}
    add_labels(store, d, terms)
    sentences = {s for st in d.statements() for s in st.sentences}
    if str(node).startswith(str(SENT)):
        sentences.add(node)
    d.sentence_text = sentence_texts(store, sentences)
    return d


def add_labels(store: Store, d: Description, terms: Iterable[Term]) -> None:
    """Fill ``d.labels`` / ``d.alt_labels`` for the IRIs among ``terms``."""
    iris = sorted({t for t in terms if isinstance(t, URIRef) and t not in d.labels})
    preds = " ".join(_iri(p) for p in (*LABEL_PREDICATES, *ALT_LABEL_PREDICATES))
    best: dict[Term, tuple[int, int, str]] = {}
    for start in range(0, len(iris), 200):
        values = " ".join(_iri(str(t)) for t in iris[start : start + 200])
        rows = store.query(
            f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {preds} }} "
            "?s ?p ?l FILTER(isLiteral(?l)) }"
        ).rows()
        for s, p, label in rows:
            if str(p) in ALT_LABEL_PREDICATES:
                alts = d.alt_labels.setdefault(s, [])  # type: ignore[arg-type]
                if str(label) not in alts:
                    alts.append(str(label))
                continue
            lang = getattr(label, "language", None) or ""
            rank = (
                LABEL_PREDICATES.index(str(p)),
                LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES),
                str(label),
            )
            if s not in best or rank < best[s]:  # type: ignore[operator]
                best[s] = rank  # type: ignore[index]
    d.labels.update({s: rank[2] for s, rank in best.items()})


def sentence_texts(store: Store, sentences: Iterable[URIRef]) -> dict[URIRef, str]:
    """The text of each source sentence: a known text predicate, else its longest literal."""
    wanted = sorted(set(sentences))
    if not wanted:
        return {}
    values = " ".join(_iri(str(s)) for s in wanted)
    rows = store.query(
        f"SELECT ?s ?p ?t WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?t "
        "FILTER(isLiteral(?t) && (datatype(?t) = xsd:string || lang(?t) != '')) }"
    ).rows()
    best: dict[URIRef, tuple[int, int, str]] = {}
    for s, p, text in rows:
        known = TEXT_PREDICATES.index(str(p)) if str(p) in TEXT_PREDICATES else len(TEXT_PREDICATES)
        rank = (known, -len(str(text)), str(text))
        if s not in best or rank < best[s]:  # type: ignore[operator]
            best[s] = rank  # type: ignore[index]
    return {s: rank[2] for s, rank in best.items()}
