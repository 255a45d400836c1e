"""The sentence splitter: exact offsets, the tricky quotes of the synopsis, and the checked-in
data/sentences.ttl that every fact cites (regenerated here so it cannot drift)."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from leongraph.config import PROJECT_ROOT
from leongraph.graph.sentences import SOURCE_PATH, render_turtle, split
from leongraph.vocab import LEON, SENT

SOURCE = (PROJECT_ROOT / SOURCE_PATH).read_text(encoding="utf-8")


def test_offsets_slice_the_source_exactly() -> None:
    sentences = split(SOURCE)
    assert [s.n for s in sentences] == list(range(1, len(sentences) + 1))
    for s in sentences:
        assert SOURCE[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text


def test_sentences_do_not_overlap_and_cover_all_text() -> None:
    sentences = split(SOURCE)
    for a, b in itertools.pairwise(sentences):
        assert a.end <= b.start
        assert SOURCE[a.end : b.start].strip() == ""
    assert SOURCE[: sentences[0].start].strip() == ""
    assert SOURCE[sentences[-1].end :].strip() == ""


def test_the_synopsis_splits_into_45_sentences() -> None:
    texts = [s.text for s in split(SOURCE)]
    assert len(texts) == 45
    assert texts[2] == "Directed by - Luc Besson"
    assert texts[8] == "Box office - $45,284,974"
    assert texts[9].startswith('Leone "Léon" Montana (Jean Reno) is a hitman (or "cleaner,"')


@pytest.mark.parametrize(
    "fragment",
    [
        'his "best friend,"[3] and (in one scene) watching old Gene Kelly musicals.',
        'his skills as a "cleaner;" she wants to avenge',
        "remedying Léon's illiteracy.",
        '"from Mathilda," and dies.',
    ],
)
def test_quotes_and_apostrophes_do_not_end_a_sentence(fragment: str) -> None:
    holders = [s for s in split(SOURCE) if fragment in s.text]
    assert len(holders) == 1


def test_exclamation_inside_quotes_ends_the_sentence() -> None:
    texts = [s.text for s in split(SOURCE)]
    assert 'Tony sternly informs her that he "ain\'t got no work for a 12-year-old kid!"' in texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ('He said "no." Then left.', ['He said "no."', "Then left."]),
        ("A note.[3] Next one.", ["A note.[3]", "Next one."]),
        ("Line one\nLine - two", ["Line one", "Line - two"]),
        ("Dr. who", ["Dr. who"]),
        ("", []),
    ],
)
def test_split_rules(text: str, expected: list[str]) -> None:
    assert [s.text for s in split(text)] == expected


def test_checked_in_turtle_is_regenerated_byte_for_byte() -> None:
    checked_in = (PROJECT_ROOT / "data" / "sentences.ttl").read_bytes()
    assert render_turtle(SOURCE).encode("utf-8") == checked_in


def test_turtle_states_text_and_offsets() -> None:
    g = Graph().parse(data=render_turtle(SOURCE), format="turtle")
    for s in split(SOURCE):
        iri = URIRef(SENT[str(s.n)])
        assert g.value(iri, LEON.text) == Literal(s.text, lang="en")
        assert int(g.value(iri, LEON.startOffset)) == s.start  # type: ignore[arg-type]
        assert int(g.value(iri, LEON.endOffset)) == s.end  # type: ignore[arg-type]
        assert int(g.value(iri, LEON["index"])) == s.n  # type: ignore[arg-type]


#: SHA-256 of the published synopsis (shared/source/leon-synopsis.txt); every offset cites it.
SOURCE_SHA256 = "5dc9ee2220a653f830ea47eab15f02d922885924be8cf462ef14164a0a36ce9d"


def test_source_copy_is_the_published_synopsis() -> None:
    digest = hashlib.sha256((PROJECT_ROOT / "data" / "source" / "leon-synopsis.txt").read_bytes())
    assert digest.hexdigest() == SOURCE_SHA256


def test_sentences_command_prints_and_writes_the_turtle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from leongraph.cli.main import main

    assert main(["sentences"]) == 0
    assert capsys.readouterr().out == (PROJECT_ROOT / "data" / "sentences.ttl").read_text(
        encoding="utf-8"
    )
    (tmp_path / "data" / "source").mkdir(parents=True)
    (tmp_path / SOURCE_PATH).write_text("One. Two!\nThree - four\n", encoding="utf-8")
    assert main(["sentences", "--root", str(tmp_path), "--write"]) == 0
    written = (tmp_path / "data" / "sentences.ttl").read_text(encoding="utf-8")
    g = Graph().parse(data=written, format="turtle")
    assert sorted(str(o) for o in g.objects(None, LEON.text)) == ["One.", "Three - four", "Two!"]
