"""QuickStatements V1 export: syntax of every command, the statements Wikidata could take, their
sources, and the statements that must wait for an item (listed, never dropped)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from leongraph.cli.main import main
from leongraph.engine import Store
from leongraph.wikidata.quickstatements import Batch, claims, item_id, value_text
from leongraph.wikidata.quickstatements import build as build_batch

VALUE = (
    r"(?:Q\d+|[+-]\d{4}-\d\d-\d\dT00:00:00Z/\d{1,2}|[+-]\d+(?:\.\d+)?(?:U\d+)?"
    r'|"[^"|]*"|[a-z-]+:"[^"|]*")'
)
COMMAND = re.compile(
    rf'^Q\d+\|P\d+\|{VALUE}(?:\|P\d+\|{VALUE})*\|S854\|"https://w3id\.org/leongraph/sentence/(\d+)"$'
)


@functools.cache
def build(store: Store) -> Batch:
    """One batch per (read-only) store: the rdflib engine takes a second to build it."""
    return build_batch(store)


def commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_endpoint_serves_plain_text(client: TestClient) -> None:
    r = client.get("/quickstatements")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text == build(client.app.leongraph.store).text()  # type: ignore[attr-defined]


def test_every_command_is_v1_syntax_with_a_sentence_source(store: Store) -> None:
    text = build(store).text()
    sentences = {str(s) for (s,) in store.query("SELECT ?s WHERE { ?s a leon:Sentence }").rows()}
    found = commands(text)
    assert len(found) >= 8
    for line in found:
        m = COMMAND.match(line)
        assert m, line
        assert f"https://w3id.org/leongraph/sentence/{m.group(1)}" in sentences, line


def test_the_statements_wikidata_could_take(store: Store) -> None:
    found = set(commands(build(store).text()))
    s = '|S854|"https://w3id.org/leongraph/sentence/{}"'.format
    assert {
        "Q484675|P57|Q484779" + s(1),  # director: Luc Besson
        "Q484675|P58|Q484779" + s(1),  # screenwriter: Luc Besson
        "Q484675|P136|Q2484376" + s(1),  # genre: thriller film
        "Q484675|P495|Q142" + s(1),  # country of origin: France
        "Q484675|P161|Q37876" + s(2),  # cast member: Natalie Portman
        "Q484675|P577|+1994-09-14T00:00:00Z/11|P291|Q142" + s(8),
        "Q484675|P577|+1994-11-18T00:00:00Z/11|P291|Q30" + s(8),
        "Q484675|P2142|+45284974U4917" + s(9),  # box office in US dollars
    } <= found


def test_cited_sentences_state_the_facts(store: Store) -> None:
    texts = {
        str(s): str(t)
        for s, t in store.query("SELECT ?s ?t WHERE { ?s a leon:Sentence ; leon:text ?t }").rows()
    }
    for line in commands(build(store).text()):
        sentence = texts[line.rsplit('"', 2)[-2]]
        if "|P577|" in line:
            date = re.search(r"\+1994-(\d\d-\d\d)T", line).group(1)  # type: ignore[union-attr]
            day = {"09-14": "14 September 1994", "11-18": "18 November 1994"}[date]
            assert day in sentence
        if "|P2142|" in line:
            assert "45,284,974" in sentence
        if "|P57|" in line:
            assert "directed" in sentence.lower() and "Luc Besson" in sentence


def test_character_roles_are_left_out_and_said_so(store: Store) -> None:
    text = build(store).text()
    assert not any("|P453|" in line for line in commands(text))
    assert "no character of the film has one" in text
    for character in ("res:leon", "res:mathilda", "res:stansfield", "res:tony"):
        assert f"#   P453 {character} " in text


def test_nothing_is_dropped_silently(store: Store) -> None:
    batch = build(store)
    listed = len(batch.commands) + len(batch.needs_item)
    listed += sum(1 for n in batch.notes if re.match(r"^# (Q\d+|res:)", n))
    assert listed == len(claims(store))
    waiting = "\n".join(batch.needs_item)
    for who in ("res:jean-reno", "res:gary-oldman", "res:danny-aiello", "res:michael-badalucco"):
        assert f"# Q484675|P161|{who} (sentence " in waiting
    assert "# Q484675|P86|res:eric-serra (sentence 7): needs an item for Éric Serra" in waiting


def test_cli_prints_the_same_batch(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quickstatements", "--engine", store.engine]) == 0
    assert capsys.readouterr().out == build(store).text()


@pytest.mark.parametrize(
    ("term", "unit", "expected"),
    [
        (URIRef("http://www.wikidata.org/entity/Q142"), None, "Q142"),
        (URIRef("http://www.wikidata.org/entity/P57"), None, None),
        (URIRef("https://w3id.org/leongraph/resource/jean-reno"), None, None),
        (Literal("1994-09-14", datatype=XSD.date), None, "+1994-09-14T00:00:00Z/11"),
        (Literal("1994", datatype=XSD.gYear), None, "+1994-00-00T00:00:00Z/9"),
        (
            Literal("45284974", datatype=XSD.integer),
            URIRef("http://www.wikidata.org/entity/Q4917"),
            "+45284974U4917",
        ),
        (Literal("-3.5", datatype=XSD.decimal), None, "-3.5"),
        (Literal("Léon", lang="fr"), None, 'fr:"Léon"'),
        (Literal("tt0110413"), None, '"tt0110413"'),
    ],
)
def test_value_syntax(term: object, unit: object, expected: str | None) -> None:
    assert value_text(term, unit) == expected  # type: ignore[arg-type]


def test_item_id() -> None:
    assert item_id(URIRef("http://www.wikidata.org/entity/Q484675")) == "Q484675"
    assert item_id(Literal("http://www.wikidata.org/entity/Q1")) is None
    assert item_id(URIRef("http://www.wikidata.org/entity/Qx")) is None


def test_export_format_quickstatements(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = build(store).text()
    assert main(["export", "--format", "quickstatements", "--engine", store.engine]) == 0
    assert capsys.readouterr().out == expected
    target = tmp_path / "leon.qs"
    args = ["export", "--format", "quickstatements", "--engine", store.engine, "-o", str(target)]
    assert main(args) == 0
    assert target.read_text(encoding="utf-8") == expected


def test_commands_only(client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    r = client.get("/quickstatements", params={"comments": "false"})
    assert r.status_code == 200
    lines = r.text.splitlines()
    assert lines and all(COMMAND.match(line) for line in lines)
    assert lines == commands(client.get("/quickstatements").text)
    engine = client.app.leongraph.store.engine  # type: ignore[attr-defined]
    assert main(["quickstatements", "--engine", engine, "--commands-only"]) == 0
    assert capsys.readouterr().out == r.text
    assert client.get("/quickstatements", params={"comments": "maybe"}).status_code == 400
