"""The work bound (cost.py) that decides which queries may run in the server: finite and small
for ordinary queries, large or infinite for every pathological one, and never below what a
query really returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.sparql import prepareQuery

from leongraph.config import PROJECT_ROOT, Settings
from leongraph.engine import OxigraphStore, Store, from_dataset
from leongraph.sparql import cost
from leongraph.sparql.examples import load_examples, rows_of, run_example
from leongraph.vocab import PREFIXES


@pytest.fixture(scope="module")
def stats(oxigraph: Store) -> cost.Statistics:
    found = oxigraph.statistics()
    assert found is not None
    return found


def bound(text: str, stats: cost.Statistics) -> float:
    return cost.work_bound(prepareQuery(text, initNs=PREFIXES).algebra, stats)


CHEAP = {
    "lookup": "SELECT ?p ?o WHERE { res:mathilda ?p ?o }",
    "join": """SELECT ?actor ?name WHERE { res:leon-the-professional leon:castingRole ?r .
        ?r leon:castActor ?actor . ?actor rdfs:label ?name }""",
    "optional": """SELECT ?e ?l WHERE { ?e a leon:PlotEvent OPTIONAL { ?e rdfs:label ?l } }
        ORDER BY ?e LIMIT 5""",
    "path from a bound end": "SELECT ?x WHERE { res:mathilda (leon:hasActor|^leon:hasActor)* ?x }",
    "exists": "ASK { res:mathilda ?p ?o FILTER NOT EXISTS { ?o a leon:PlotEvent } }",
    "describe": "DESCRIBE res:mathilda",
    "construct": "CONSTRUCT { res:mathilda ?p ?o } WHERE { res:mathilda ?p ?o }",
    "values": "SELECT ?s WHERE { VALUES ?s { res:mathilda res:leon } ?s a ?t }",
    "bind": "SELECT ?l WHERE { res:mathilda rdfs:label ?x BIND(CONCAT(?x, ?x) AS ?l) }",
}

VALUES = " ".join(str(i) for i in range(3000))
PATHOLOGICAL = {
    "cross product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "path between free ends": "SELECT * WHERE { ?s (<urn:p>|!<urn:p>)* ?o }",
    "values times a cross product": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?v {{ {VALUES} }} ?a ?b ?c . ?d ?e ?f }}"
    ),
    "cross product of groups": "SELECT * WHERE { { ?a ?b ?c } { ?d ?e ?f } }",
    "nested optional product": "SELECT * WHERE { ?a ?b ?c OPTIONAL { ?d ?e ?f } }",
    "string doubling": "SELECT ?v WHERE { res:mathilda rdfs:label ?a "
    + " ".join(f"BIND(CONCAT(?{chr(97 + i)}, ?{chr(97 + i)}) AS ?{chr(98 + i)})" for i in range(20))
    + " BIND(?u AS ?v) }",
    "named graphs": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", CHEAP)
def test_ordinary_queries_are_bounded_small(name: str, stats: cost.Statistics) -> None:
    assert bound(CHEAP[name], stats) <= cost.THREAD_WORK


def test_a_lookup_runs_in_the_event_loop(stats: cost.Statistics) -> None:
    assert bound(CHEAP["lookup"], stats) <= cost.INLINE_WORK


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_queries_never_run_in_the_server(name: str, stats: cost.Statistics) -> None:
    assert bound(PATHOLOGICAL[name], stats) > cost.THREAD_WORK


def test_joining_every_value_of_a_big_graph_is_unbounded() -> None:
    """3,111 values joined are fine; a million are not (MAX_GROWTH)."""
    big = cost.Statistics(1_000_000, {"urn:p": (1_000_000, 1, 1)})
    query = "SELECT (GROUP_CONCAT(?o) AS ?all) WHERE { ?s <urn:p> ?o }"
    assert bound(query, big) == cost.INF


def test_unknown_predicates_bound_to_nothing(stats: cost.Statistics) -> None:
    assert bound("SELECT * WHERE { ?a <urn:nothing> ?b . ?c ?d ?e }", stats) <= stats.triples + 1


def test_statistics_match_independent_counts(stats: cost.Statistics, dataset: Dataset) -> None:
    union = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    assert stats.triples == len(union)
    types = [t for t in union if t[1] == RDF.type]
    count, most_out, most_in = stats.predicates[str(RDF.type)]
    assert count == len(types)
    per_subject: dict[object, int] = {}
    per_object: dict[object, int] = {}
    for s, _, o in types:
        per_subject[s] = per_subject.get(s, 0) + 1
        per_object[o] = per_object.get(o, 0) + 1
    assert (most_out, most_in) == (max(per_subject.values()), max(per_object.values()))


def test_statistics_round_trip_through_json(stats: cost.Statistics) -> None:
    assert cost.Statistics.from_json(stats.to_json()) == stats


def test_an_on_disk_store_keeps_its_statistics(tmp_path: Path, dataset: Dataset) -> None:
    from leongraph.engine import load_files

    load_files(tmp_path / "store", [], dataset=dataset)
    opened = OxigraphStore.open_read_only(tmp_path / "store")
    assert "_statistics" in opened.__dict__  # read from the meta file, not computed
    assert opened.statistics() == from_dataset(dataset, engine="oxigraph").statistics()


@pytest.mark.parametrize("example", load_examples(PROJECT_ROOT / "queries"), ids=lambda e: e.name)
def test_no_example_returns_more_rows_than_its_bound(
    example: object, oxigraph: Store, stats: cost.Statistics
) -> None:
    """A bound below what the engine returns would let a heavy query into the server."""
    work = bound(example.text, stats)  # type: ignore[attr-defined]
    result = run_example(oxigraph, example, Settings())  # type: ignore[arg-type]
    produced = len(rows_of(result)) if result.kind != "graph" else len(result.graph())
    assert produced <= work


def test_the_bundled_examples_are_mostly_bounded(stats: cost.Statistics) -> None:
    examples = load_examples(PROJECT_ROOT / "queries")
    bounded = [e.name for e in examples if bound(e.text, stats) <= cost.THREAD_WORK]
    assert len(bounded) >= len(examples) // 2, bounded


def test_predicate_variables_bound_by_the_worst_predicate(stats: cost.Statistics) -> None:
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    assert str(label) in stats.predicates
    assert bound("SELECT * WHERE { res:mathilda ?p ?o . ?x ?p ?y }", stats) < cost.INF


def test_regular_expressions_cost_more_than_comparisons(stats: cost.Statistics) -> None:
    contains = "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, 'a')) }"
    regex = "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(REGEX(?l, 'a')) }"
    assert bound(regex, stats) > 10 * bound(contains, stats) / 2


def test_an_optional_variable_is_not_taken_as_bound(stats: cost.Statistics) -> None:
    """?l may be unbound after the OPTIONAL: joining on it is then a cross product."""
    optional = """SELECT * WHERE { ?e leon:position ?x OPTIONAL { ?e rdfs:label ?l }
        ?s ?p ?l }"""
    crossed = "SELECT * WHERE { ?e leon:position ?x . ?s ?p ?unrelated }"
    assert bound(optional, stats) >= bound(crossed, stats)


def test_a_subquery_hides_its_inner_variables(stats: cost.Statistics) -> None:
    inner = """SELECT * WHERE { { SELECT ?e WHERE { ?e leon:position ?x } }
        ?s ?p ?x }"""
    crossed = "SELECT * WHERE { ?e leon:position ?y . ?s ?p ?x }"
    assert bound(inner, stats) >= bound(crossed, stats)


def test_statistics_follow_updates(dataset: Dataset) -> None:
    store = from_dataset(dataset, engine="oxigraph")
    before = store.statistics()
    assert before is not None and "urn:new" not in before.predicates
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:new> <urn:b> } }")
    after = store.statistics()
    assert after is not None and after.predicates["urn:new"] == (1, 1, 1)
    assert after.triples == before.triples + 1
