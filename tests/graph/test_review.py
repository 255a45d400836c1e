"""The review of the graph against the synopsis: `leongraph coverage --facts` prints each sentence
with its facts in plain words, and every fact citing several sentences is stated by their union
(the citation rule of review.py and the README), checked against the sentences' text."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef

from leongraph.cli import main
from leongraph.config import PROJECT_ROOT
from leongraph.graph.loading import build_dataset
from leongraph.graph.review import citation_problems, review_lines, sentences
from leongraph.vocab import LEON, SENT

RES = "https://w3id.org/leongraph/resource/"


@pytest.fixture(scope="module")
def asserted() -> Dataset:
    return build_dataset(PROJECT_ROOT, materialize=False)


def test_every_fact_citing_several_sentences_is_stated_by_their_union(asserted: Dataset) -> None:
    problems = citation_problems(asserted)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_the_rule_has_facts_to_check(asserted: Dataset) -> None:
    cited: dict[tuple, set[int]] = {}
    for sentence in sentences(asserted):
        for fact in sentence.facts:
            cited.setdefault(fact, set()).add(sentence.n)
    several = {fact for fact, ns in cited.items() if len(ns) > 1}
    assert len(several) >= 50
    killing = (URIRef(RES + "leon"), LEON.killed, URIRef(RES + "stansfield"))
    assert cited[killing] == {35, 36, 37}


@pytest.mark.parametrize(
    ("fact", "sentence"),
    [
        # a citation once wrong: sentence 36 mentions only the pin, not the grenades
        (("event-33", LEON.involves, "grenades"), 36),
        # the killer cited to a sentence that names neither of them
        (("leon", LEON.killed, "stansfield"), 40),
        # the brother's murder cited to a sentence about Tony's refusal
        (("stansfield", LEON.killed, "mathildas-brother"), 42),
    ],
)
def test_the_rule_catches_a_sentence_that_does_not_state_the_fact(
    fact: tuple[str, URIRef, str], sentence: int
) -> None:
    ds = build_dataset(PROJECT_ROOT, materialize=False)
    s, p, o = fact
    ds.graph(SENT[str(sentence)]).add((URIRef(RES + s), p, URIRef(RES + o)))
    problems = citation_problems(ds)
    assert problems, fact
    assert all(f"sentence {sentence} mentions neither" in p.reason for p in problems)
    assert any(sentence in p.sentences for p in problems)


def test_review_lines_give_each_sentence_and_its_facts(asserted: Dataset) -> None:
    lines = review_lines(asserted, [35, 37])
    assert lines[0] == (
        "[35] Léon then places an object in Stansfield's hands, which he explains is \"from "
        'Mathilda," and dies.'
    )
    assert "  - Léon — killed — Stansfield" in lines
    assert "  - Stansfield — killed — Léon" in lines
    start = lines.index("") + 1
    assert lines[start].startswith("[37] He rips open Léon's vest")
    assert "  - active grenades — worn by — Léon" in lines[start:]
    assert "  - A massive explosion kills Stansfield — victim — Stansfield" in lines[start:]
    assert not any("explosion kills Stansfield — killed" in line for line in lines)
    assert all(line == "" or line.startswith(("[", "  - ")) for line in lines)


def test_review_covers_every_sentence_in_order(asserted: Dataset) -> None:
    heads = [line for line in review_lines(asserted) if line.startswith("[")]
    assert [int(h[1:].split("]")[0]) for h in heads] == list(range(1, 46))


def test_review_shows_literals_and_names(asserted: Dataset) -> None:
    lines = review_lines(asserted, [1, 13])
    assert '  - Léon: The Professional — title — "Léon" (fr)' in lines
    assert "  - Mathilda — age — 12" in lines
    assert "  - Mathilda — condition — black eye" in lines


def test_coverage_facts_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--facts", "--sentence", "36"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[36] Opening his hands, Stansfield finds the pin from a grenade.\n")
    assert "  - Léon — killed — Stansfield\n" in out
    assert "[35]" not in out and "[37]" not in out
