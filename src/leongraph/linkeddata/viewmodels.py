"""Turns a Description into what a page template shows: labelled links instead of raw IRIs,
statements grouped by property, the sentences behind each fact with the fact's words marked.
Every local link is ``root_path + local_path(iri)``, so pages work behind a proxy sub-path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef

from leongraph.engine import Term
from leongraph.formats import RdfFormat
from leongraph.linkeddata.describe import Description, Statement, curie, graph_order
from leongraph.linkeddata.highlight import Segment, highlight
from leongraph.linkeddata.urls import local_path
from leongraph.vocab import EDIT, OWL_SAME_AS, RDF_TYPE, RDFS_COMMENT, SENT, WD, WDT, XSD


@dataclass(frozen=True)
class Value:
    """One rendered term: a link (local page or external IRI), a literal or a blank node."""

    text: str
    href: str | None = None
    iri: str | None = None
    external: bool = False
    note: str = ""  # language tag or datatype of a literal
    nested: tuple[tuple[Value, tuple[Value, ...]], ...] = ()  # a blank node's own statements


@dataclass(frozen=True)
class Source:
    """A sentence cited by a fact: number, link, and its text split into marked segments."""

    number: str
    href: str
    segments: tuple[Segment, ...] = ()


#: One value of a row: the value, the sentences stating it, the data graphs holding it, and
#: the aligned forms of the same fact (``wdt:P22``, ``schema:parent``) shown as tags.
RowValue = tuple["Value", tuple[Source, ...], tuple["Value", ...], tuple["Value", ...]]


@dataclass
class Row:
    """One property with all its values; ``sources`` per value."""

    predicate: Value
    values: list[RowValue] = field(default_factory=list)


@dataclass
class Linker:
    """Makes Values from terms using the labels of one Description."""

    description: Description
    root_path: str

    def href(self, iri: str) -> str | None:
        path = local_path(iri)
        return self.root_path + path if path is not None else None

    def value(self, term: Term) -> Value:
        d = self.description
        if isinstance(term, Literal):
            if term.language:
                note = f"@{term.language}"
            elif term.datatype and not str(term.datatype).endswith("#string"):
                note = str(term.datatype).replace(XSD, "xsd:")
            else:
                note = ""
            return Value(str(term), note=note)
        if isinstance(term, BNode):
            nested = tuple(
                (self.value(st.predicate), (self.value(st.object),))
                for st in d.nested
                if st.subject == term
            )
            return Value("(anonymous)", nested=nested)
        iri = str(term)
        href = self.href(iri)
        return Value(d.label(term), href=href or iri, iri=iri, external=href is None)

    def predicate(self, term: Term) -> Value:
        """A property: its label, and for another vocabulary's term also its prefixed name
        (wdt:P22 "father" beside leon:father)."""
        value = self.value(term)
        name = curie(str(term))
        if value.external and name and name != value.text:
            return Value(value.text, value.href, value.iri, True, note=name)
        return value

    def source(self, sentence: URIRef, phrases: Iterable[str]) -> Source:
        number = str(sentence)[len(str(SENT)) :]
        text = self.description.sentence_text.get(sentence, "")
        return Source(
            number, self.href(str(sentence)) or str(sentence), tuple(highlight(text, phrases))
        )

    def phrases(self, *terms: Term) -> list[str]:
        d = self.description
        out: list[str] = []
        for t in terms:
            if isinstance(t, Literal):
                out.append(str(t))
            elif isinstance(t, URIRef) and t in d.labels:
                out.extend([d.labels[t], *d.alt_labels.get(t, [])])
        return out

    def graphs(self, st: Statement) -> tuple[Value, ...]:
        """Named graphs holding a statement that are not sentences (data files, and the edits
        that added it, linked to their page in the history)."""
        return tuple(self.graph(g) for g in st.graphs if g not in st.sentences)

    def graph(self, g: URIRef) -> Value:
        tail = str(g)[len(str(EDIT)) :] if str(g).startswith(str(EDIT)) else ""
        if tail.isdigit():
            return Value(f"edit {tail}", href=f"{self.root_path}/history/{tail}", iri=str(g))
        return self.value(g)


def _aligns(linker: Linker, fact: Statement, twin: Statement, incoming: bool) -> bool:
    """True when ``twin`` is ``fact`` in another vocabulary: a super-property of its property
    with the same value (or the value's Wikidata item), or for ``rdf:type`` a super-class
    (``a schema:Person``, ``wdt:P31 wd:Q95074``). Both must be held by the same graphs."""
    if fact.graphs != twin.graphs:
        return False
    index = linker.description.index
    mine = fact.subject if incoming else fact.object
    theirs = twin.subject if incoming else twin.object
    if twin.predicate in index.supers.get(fact.predicate, ()):
        return theirs == mine or theirs == index.same_as.get(mine)
    typed = not incoming and str(fact.predicate) == RDF_TYPE and theirs != mine
    if typed and str(twin.predicate) in (RDF_TYPE, str(WDT.P31)):
        return theirs in index.supers.get(mine, ())
    return False


def _tag(linker: Linker, fact: Statement, twin: Statement, incoming: bool) -> Value:
    """An aligned form of a fact as a tag: its property, and its value when that differs."""
    mine = fact.subject if incoming else fact.object
    theirs = twin.subject if incoming else twin.object
    name = curie(str(twin.predicate)) or str(twin.predicate)
    if theirs != mine:  # a super-class, or the value's Wikidata item
        name = f"{name} {curie(str(theirs)) or theirs}"
    iri = str(twin.predicate)
    return Value(name, href=linker.href(iri) or iri, iri=iri, external=linker.href(iri) is None)


def group_aligned(
    linker: Linker, statements: Iterable[Statement], *, incoming: bool = False
) -> list[tuple[Statement, list[Statement]]]:
    """Each fact once, with the triples that state it again in other vocabularies. The most
    specific property (the one with the most super-properties) keeps the fact."""
    supers = linker.description.index.supers
    order = sorted(statements, key=lambda st: -len(supers.get(st.predicate, ())))
    kept: list[tuple[Statement, list[Statement]]] = []
    for st in order:
        home = next((k for k in kept if _aligns(linker, k[0], st, incoming)), None)
        if home is None:
            kept.append((st, []))
        else:
            home[1].append(st)
    return kept


def rows(linker: Linker, statements: Iterable[Statement], *, incoming: bool = False) -> list[Row]:
    """Group statements by predicate, each fact once with its aligned forms as tags; for
    incoming links the value is the subject."""
    grouped: dict[Term, Row] = {}
    for st, twins in group_aligned(linker, statements, incoming=incoming):
        row = grouped.setdefault(st.predicate, Row(linker.predicate(st.predicate)))
        other = st.subject if incoming else st.object
        phrases = linker.phrases(other, linker.description.iri)
        sources = tuple(linker.source(s, phrases) for s in st.sentences)
        tags = tuple(
            sorted((_tag(linker, st, t, incoming) for t in twins), key=lambda v: v.text.lower())
        )
        row.values.append((linker.value(other), sources, linker.graphs(st), tags))
    # The project's own terms first, then the same facts in public vocabularies.
    ordered = sorted(
        grouped.values(), key=lambda r: (r.predicate.external, r.predicate.text.lower())
    )
    for row in ordered:
        row.values.sort(key=lambda v: (v[0].text.lower(), v[0].iri or v[0].text))
    return ordered


def cited_sentences(linker: Linker) -> list[Source]:
    """Every sentence stating a fact about the resource, with all those facts' words marked."""
    by_sentence: dict[URIRef, list[str]] = {}
    for st in linker.description.statements():
        for s in st.sentences:
            by_sentence.setdefault(s, []).extend(linker.phrases(st.subject, st.object))

    return [
        linker.source(s, dict.fromkeys(phrases))
        for s, phrases in sorted(by_sentence.items(), key=lambda i: graph_order(i[0]))
    ]


def same_as(linker: Linker) -> list[Value]:
    """owl:sameAs links, Wikidata first."""
    links = [linker.value(o) for o in linker.description.values(OWL_SAME_AS)]
    return sorted(links, key=lambda v: (not (v.iri or "").startswith(str(WD)), v.text))


@dataclass(frozen=True)
class Alternate:
    """A link to the same description in another format."""

    name: str
    media_type: str
    href: str


def alternates(path: str, formats: Iterable[RdfFormat]) -> list[Alternate]:
    return [Alternate(f.name, f.media_type, f"{path}.{f.extension}") for f in formats]


def triples(linker: Linker, statements: Iterable[Statement]) -> list[tuple[Value, Value, Value]]:
    """Statements as (subject, predicate, object) Values, for triple tables."""
    return [
        (linker.value(st.subject), linker.value(st.predicate), linker.value(st.object))
        for st in statements
    ]


def comment(d: Description) -> str | None:
    """The resource's own description (rdfs:comment, English first), shown under its title."""
    comments = [c for c in d.values(RDFS_COMMENT) if isinstance(c, Literal)]
    comments.sort(key=lambda c: (c.language not in ("en", None), str(c)))
    return str(comments[0]) if comments else None


def in_reading_order(linker: Linker, facts: list[Statement]) -> list[Statement]:
    """Facts in the project's own terms first, then their public-vocabulary twins; each
    group by subject and property label."""

    def key(st: Statement) -> tuple[bool, str, str, str]:
        own = linker.href(str(st.predicate)) is not None
        d = linker.description
        return (not own, d.label(st.subject).lower(), d.label(st.predicate).lower(), str(st.object))

    return sorted(facts, key=key)
