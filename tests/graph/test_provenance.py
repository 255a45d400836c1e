"""Every fact is traceable to the sentence(s) stating it; `leongraph coverage` and `stats`."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from leongraph.cli.main import main
from leongraph.config import PROJECT_ROOT
from leongraph.engine import Store
from leongraph.graph.loading import build_dataset
from leongraph.graph.provenance import UNCOVERED, coverage, stats, uncovered
from leongraph.graph.sentences import SOURCE_PATH, split

SENT = "https://w3id.org/leongraph/sentence/"
SOURCE = (PROJECT_ROOT / SOURCE_PATH).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def asserted() -> Dataset:
    return build_dataset(PROJECT_ROOT, materialize=False)


def graphs_of(store: Store, pattern: str) -> set[int]:
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}").rows()
    return {int(str(r[0]).removeprefix(SENT)) for r in rows if str(r[0]).startswith(SENT)}


@pytest.mark.parametrize(
    ("pattern", "sentences"),
    [
        ("res:leon leon:trait res:illiteracy", {21}),
        ("res:leon-the-professional leon:director res:luc-besson", {1, 3}),
        ("res:leon-the-professional leon:writer res:luc-besson", {1, 5}),
        ("res:mathilda leon:age 12", {2, 13, 42}),
        ("res:leon leon:occupation res:hitman", {2, 10, 18, 27}),
        ("res:stansfield leon:killed res:leon", {34, 35}),
        ("res:leon leon:residence res:little-italy", {10}),
        ('res:leon rdfs:label "Léon"@en', {10}),
        ("res:little-italy leon:containedIn res:new-york-city", {10}),
        ("res:leon-the-professional leon:boxOffice ?b", {9}),
    ],
)
def test_facts_name_their_sentences(store: Store, pattern: str, sentences: set[int]) -> None:
    assert graphs_of(store, pattern) == sentences


def test_a_sentence_lists_its_facts(store: Store) -> None:
    got = {
        (str(r[0]), str(r[1]), str(r[2]))
        for r in store.query("SELECT ?s ?p ?o WHERE { GRAPH sent:4 { ?s ?p ?o } }").rows()
    }
    res, leon = "https://w3id.org/leongraph/resource/", "https://w3id.org/leongraph/ontology#"
    assert (res + "leon-the-professional", leon + "producer", res + "patrice-ledoux") in got
    assert (
        res + "patrice-ledoux",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "Patrice Ledoux",
    ) in got


def test_events_cite_their_sentences_both_ways(store: Store) -> None:
    rows = store.query(
        "SELECT ?e ?s WHERE { ?e a leon:PlotEvent ; prov:wasDerivedFrom ?s "
        "FILTER NOT EXISTS { GRAPH ?s { ?e ?p ?o } } }"
    ).rows()
    assert list(rows) == []
    missing = store.query(
        "SELECT ?e WHERE { ?e a leon:PlotEvent FILTER NOT EXISTS { ?e prov:wasDerivedFrom ?s } }"
    ).rows()
    assert list(missing) == []


def test_sentence_graphs_hold_only_facts_of_real_sentences(store: Store) -> None:
    texts = {s.n for s in split(SOURCE)}
    graphs = {
        int(str(r[0]).removeprefix(SENT))
        for r in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows()
        if str(r[0]).startswith(SENT)
    }
    assert graphs <= texts


def test_every_sentence_that_states_a_fact_has_one(asserted: Dataset) -> None:
    rows = coverage(asserted)
    assert [r.n for r in rows] == [s.n for s in split(SOURCE)]
    assert set(uncovered(rows)) == set(UNCOVERED), "document or fix sentences without facts"
    for n, reason in UNCOVERED.items():
        assert reason.strip(), f"sentence {n} needs a reason"


def test_coverage_counts_triples_of_each_sentence_graph(asserted: Dataset) -> None:
    rows = {r.n: r for r in coverage(asserted, build_dataset(PROJECT_ROOT))}
    assert rows[4].asserted == 2  # producer + his name
    assert rows[4].total > rows[4].asserted  # the aligned view adds schema:/wdt: triples
    assert rows[10].text.startswith('Leone "Léon" Montana')


def test_stats(asserted: Dataset, dataset: Dataset) -> None:
    s = stats(asserted, dataset)
    assert s.sentences == 45
    assert s.events >= 20
    assert s.wikidata_links == 9
    assert s.entities_per_class["Film"] == 1
    assert s.entities_per_class["Place"] > s.entities_per_class["Country"] == 2
    assert s.facts == sum(r.asserted for r in coverage(asserted))
    assert s.quads == sum(s.graphs.values()) > s.triples
    assert s.uncovered == []


def test_coverage_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--format", "table"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["sentence", "facts", "total"]
    assert out[-1].startswith("45 of 45 sentences cite ")
    assert len(out) == 47


def test_coverage_command_fails_on_a_sentence_without_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    for part in ("ontology", "data"):
        shutil.copytree(PROJECT_ROOT / part, tmp_path / part)
    facts = tmp_path / "data" / "facts.trig"
    text = facts.read_text(encoding="utf-8")
    start = text.index("sent:45 {")
    facts.write_text(text[:start], encoding="utf-8")
    assert main(["coverage", "--root", str(tmp_path), "--format", "table"]) == 1
    assert "<- no facts" in capsys.readouterr().out


def test_stats_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "owl:sameAs links to Wikidata: 9" in out
    assert "leon:PlotEvent: 42" in out


def test_a_fact_stated_twice_counts_once_in_the_default_graph(store: Store) -> None:
    """The default graph is the RDF merge of the sentence graphs: a set, not one copy each."""
    assert graphs_of(store, "res:leon-the-professional leon:director res:luc-besson") == {1, 3}
    rows = list(
        store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { res:leon-the-professional leon:director ?d }"
        ).rows()
    )
    assert int(rows[0][0]) == 1  # type: ignore[arg-type]
