"""Reviewing the graph against its source text, sentence by sentence.

``review_lines`` writes, for each sentence of the synopsis, its text followed by every fact that
cites it (every triple of its named graph ``sent:N``) in plain English: subject label, property
label, object label. Reading it checks the graph against the text in one sitting
(``leongraph coverage --facts``).

``citation_problems`` checks the rule a fact citing several sentences must meet (the README's
"citation rule"): the fact is stated by the union of its sentences, so each cited sentence
mentions at least one end (subject or object) of the fact. A sentence that mentions neither
end cannot be one of the sentences that state it.

A sentence *mentions* an entity when its text contains one of the entity's names: its
``rdfs:label``, ``skos:altLabel``, nickname, given or family name or title; the head of a
possessive name ("father" for "Mathilda's father", as the text says "her father"); for a
character, the name of its occupation (sentence 2 casts "Jean Reno as a mob hitman"); for a
casting role, the names of its actor and character. A plot event is mentioned by the sentences
it is told in (``leon:sourceSentence``); the film, the subject of the whole synopsis, by every
sentence. A literal is mentioned by its text. Names are compared after folding case, accents
and punctuation, as whole words (a plural "s" allowed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from leongraph.graph.names import fold
from leongraph.graph.provenance import sentence_number
from leongraph.vocab import LEON

#: Predicates outside the ontology, in plain words.
PLAIN: dict[URIRef, str] = {
    RDFS.label: "is named",
    SKOS.altLabel: "is also called",
}

#: The properties whose values are names of their subject.
NAME_PROPERTIES = (
    RDFS.label,
    SKOS.altLabel,
    LEON.nickname,
    LEON.givenName,
    LEON.familyName,
    LEON.title,
    LEON.alternativeTitle,
)

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Sentence:
    """One sentence of the source and the facts of its named graph."""

    n: int
    text: str
    facts: frozenset[Triple]


def sentences(ds: Dataset) -> list[Sentence]:
    """Every sentence of the source, in order, with the triples of its graph."""
    texts = {
        n: str(o)
        for s, _, o, _ in ds.quads((None, LEON.text, None, None))
        if (n := sentence_number(s)) is not None
    }
    facts: dict[int, set[Triple]] = defaultdict(set)
    for s, p, o, g in ds.quads((None, None, None, None)):
        n = sentence_number(g)
        if n is not None:
            facts[n].add((s, p, o))
    return [Sentence(n, texts[n], frozenset(facts.get(n, ()))) for n in sorted(texts)]


def _english_labels(ds: Dataset) -> dict[Node, str]:
    """One English (or untagged) label per term, the smallest, so output is stable."""
    labels: dict[Node, str] = {}
    for s, _, o, _ in ds.quads((None, RDFS.label, None, None)):
        english = isinstance(o, Literal) and o.language in (None, "en")
        if english and (s not in labels or str(o) < labels[s]):
            labels[s] = str(o)
    return labels


def _term(term: Node, labels: dict[Node, str]) -> str:
    if isinstance(term, Literal):
        text = f'"{term}"'
        if term.language:
            return f"{text} ({term.language})"
        return (
            str(term) if term.datatype and term.datatype.endswith(("integer", "decimal")) else text
        )
    if term in labels:
        return labels[term]
    return str(term).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def fact_text(triple: Triple, labels: dict[Node, str]) -> str:
    """``subject — property — object`` in labels."""
    s, p, o = triple
    prop = (PLAIN.get(p) if isinstance(p, URIRef) else None) or labels.get(p) or _term(p, labels)
    return f"{_term(s, labels)} — {prop} — {_term(o, labels)}"


def review_lines(ds: Dataset, only: Iterable[int] | None = None) -> list[str]:
    """For each sentence (or those in ``only``): ``[N] text``, then each fact citing it, one per
    line, sorted; a blank line between sentences."""
    labels = _english_labels(ds)
    wanted = set(only) if only is not None else None
    lines: list[str] = []
    for sentence in sentences(ds):
        if wanted is not None and sentence.n not in wanted:
            continue
        if lines:
            lines.append("")
        lines.append(f"[{sentence.n}] {sentence.text}")
        facts = sorted(fact_text(t, labels) for t in sentence.facts)
        lines.extend(f"  - {f}" for f in facts) if facts else lines.append("  (no facts)")
    return lines


# ---------------------------------------------------------------- the citation rule


def _names(ds: Dataset) -> dict[Node, set[str]]:
    """Every folded name an entity is mentioned by (see the module docstring)."""
    own: dict[Node, set[str]] = defaultdict(set)
    for prop in NAME_PROPERTIES:
        for s, _, o, _ in ds.quads((None, prop, None, None)):
            if isinstance(o, Literal):
                own[s].add(fold(str(o)))
                if "'s " in str(o):  # "Mathilda's father" is also "her father"
                    own[s].add(fold(str(o).rsplit("'s ", 1)[1]))
    names: dict[Node, set[str]] = defaultdict(set)
    for s, found in own.items():
        names[s] |= found
    for s, _, o, _ in ds.quads((None, LEON.occupation, None, None)):
        names[s] |= own.get(o, set())
    for prop in (LEON.castActor, LEON.castCharacter):
        for s, _, o, _ in ds.quads((None, prop, None, None)):
            names[s] |= own.get(o, set())
    return {k: {n for n in v if n} for k, v in names.items()}


def _told_in(ds: Dataset, every: set[int]) -> dict[Node, set[int]]:
    """The sentences that mention an entity whatever their words: a plot event's source
    sentences; for the film, every sentence."""
    told: dict[Node, set[int]] = defaultdict(set)
    for s, _, o, _ in ds.quads((None, LEON.sourceSentence, None, None)):
        n = sentence_number(o)
        if n is not None:
            told[s].add(n)
    for film, _, _, _ in ds.quads((None, RDF.type, LEON.Film, None)):
        told[film] = set(every)
    return told


def _contains(text: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}s?\b", text) is not None


def mentions(
    end: Node, n: int, text: str, names: dict[Node, set[str]], told: dict[Node, set[int]]
) -> bool:
    """Does sentence ``n`` (folded ``text``) mention ``end``?"""
    if isinstance(end, Literal):
        return bool(fold(str(end))) and _contains(text, fold(str(end)))
    if end in told:
        return n in told[end]
    return any(_contains(text, name) for name in names.get(end, ()))


@dataclass(frozen=True)
class CitationProblem:
    """A fact citing several sentences that their union does not state by the rule."""

    fact: str
    sentences: tuple[int, ...]
    reason: str

    def __str__(self) -> str:
        cited = ", ".join(str(n) for n in self.sentences)
        return f"{self.fact} [sentences {cited}]: {self.reason}"


def citation_problems(ds: Dataset) -> list[CitationProblem]:
    """Every fact cited by two sentences or more that breaks the citation rule."""
    all_sentences = sentences(ds)
    texts = {s.n: fold(s.text) for s in all_sentences}
    cited: dict[Triple, set[int]] = defaultdict(set)
    for sentence in all_sentences:
        for t in sentence.facts:
            cited[t].add(sentence.n)
    names, told, labels = _names(ds), _told_in(ds, set(texts)), _english_labels(ds)
    problems: list[CitationProblem] = []
    for triple, ns in sorted(cited.items(), key=lambda kv: (sorted(kv[1]), str(kv[0]))):
        if len(ns) < 2:
            continue
        s, _, o = triple
        order = tuple(sorted(ns))
        text = fact_text(triple, labels)
        if len(text) > 120:
            text = text[:117] + "..."
        for n in order:
            if not any(mentions(end, n, texts[n], names, told) for end in (s, o)):
                reason = f"sentence {n} mentions neither {_term(s, labels)} nor {_term(o, labels)}"
                problems.append(CitationProblem(text, order, reason))
    return problems
