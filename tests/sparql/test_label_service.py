"""The label service rewrite, on a small graph of its own, run on both engines."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, URIRef

from leongraph.config import ENGINES
from leongraph.engine import Store, from_dataset
from leongraph.errors import BadRequest
from leongraph.sparql.label_service import (
    accept_languages,
    rewrite_label_service,
    service_languages,
    strip_query_hints,
)

TTL = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

wd:Q1 wdt:P57 wd:Q2 ; wdt:P161 wd:Q3, ex:nolabel ;
    rdfs:label "Film"@en, "Film (fr)"@fr ;
    schema:description "a film"@en ;
    skos:altLabel "The Movie"@en, "Le Film"@fr, "Movie"@en ;
    schema:alternateName "The Movie"@en .
wd:Q2 rdfs:label "Director"@en .
wd:Q4 rdfs:label "Someone" ; schema:alternateName "Stan" .
wd:Q3 rdfs:label "Actrice"@fr .
ex:nolabel ex:x 1 .
wd:Q5 rdfs:label "Zed"@en, "Abe"@en, "Mid"@en, "1", "1"^^xsd:integer .
ex:a owl:sameAs wd:Q6 ; rdfs:label "Lent"@en, "Zzz"@en ; schema:description "lent"@en .
ex:b owl:sameAs wd:Q6 ; rdfs:label "Lent"@en .
"""


@pytest.fixture(scope="module", params=ENGINES)
def tiny(request: pytest.FixtureRequest) -> Store:
    ds = Dataset()
    ds.graph(URIRef("http://example.org/g")).parse(data=TTL, format="turtle")
    return from_dataset(ds, engine=request.param)


def rows(store: Store, query: str, languages: list[str] | None = None) -> list[dict[str, str]]:
    result = store.query(rewrite_label_service(query, languages or []))
    return [
        {v: str(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows()
    ]


SERVICE_EN_FR = 'SERVICE wikibase:label { bd:serviceParam wikibase:language "en,fr". }'


def test_label_in_first_language_that_has_one(tiny: Store) -> None:
    q = f"SELECT ?p ?pLabel WHERE {{ wd:Q1 wdt:P161 ?p . {SERVICE_EN_FR} }} ORDER BY ?p"
    assert rows(tiny, q)[::-1] == [
        {"p": "http://www.wikidata.org/entity/Q3", "pLabel": "Actrice"},
        {"p": "http://example.org/nolabel", "pLabel": "nolabel"},
    ]


def test_language_order_is_respected(tiny: Store) -> None:
    q = f"SELECT ?fLabel {{ BIND(wd:Q1 AS ?f) {SERVICE_EN_FR} }}".replace('"en,fr"', '"fr,en"')
    assert rows(tiny, q) == [{"fLabel": "Film (fr)"}]
    assert rows(tiny, q.replace('"fr,en"', '"de,en"')) == [{"fLabel": "Film"}]


def test_missing_label_falls_back_to_the_item_id(tiny: Store) -> None:
    q = f"SELECT ?xLabel {{ BIND(wd:Q99 AS ?x) {SERVICE_EN_FR} }}"
    assert rows(tiny, q) == [{"xLabel": "Q99"}]


def test_one_row_per_entity_with_the_smallest_of_several_values(tiny: Store) -> None:
    q = f"SELECT ?xLabel {{ BIND(wd:Q5 AS ?x) {SERVICE_EN_FR} }}"
    assert rows(tiny, q) == [{"xLabel": "Abe"}]
    plain = f"SELECT ?xLabel {{ BIND(wd:Q5 AS ?x) {SERVICE_EN_FR.replace('en,fr', 'de')} }}"
    assert rows(tiny, plain) == [{"xLabel": "1"}]  # "1" and 1: one row, not two


def test_names_lent_by_same_as_resources_give_one_row(tiny: Store) -> None:
    q = f"SELECT ?xLabel ?xDescription {{ BIND(wd:Q6 AS ?x) {SERVICE_EN_FR} }}"
    assert rows(tiny, q) == [{"xLabel": "Lent", "xDescription": "lent"}]


def test_label_cost_follows_the_rows_not_the_graph() -> None:
    """Labels are looked up per row: no grouped subquery over every label of the graph."""
    q = f"SELECT ?xLabel ?xDescription {{ BIND(wd:Q1 AS ?x) {SERVICE_EN_FR} }}"
    assert "GROUP BY" not in rewrite_label_service(q, []).upper()


def test_aliases_are_joined_per_row_without_merging_or_multiplying_rows(tiny: Store) -> None:
    q = f"""SELECT ?f ?fAltLabel ?fDescription {{ VALUES ?f {{ wd:Q1 wd:Q1 wd:Q2 }}
        {SERVICE_EN_FR} }}"""
    got = sorted(rows(tiny, q), key=lambda r: r["f"])
    assert [r["f"][-2:] for r in got] == ["Q1", "Q1", "Q2"]  # a repeated row stays repeated
    assert [sorted(r["fAltLabel"].split(", ")) for r in got[:2]] == [["Movie", "The Movie"]] * 2
    assert got[2] == {"f": "http://www.wikidata.org/entity/Q2"}
    assert "GROUP BY ?_wikibase_row" in rewrite_label_service(q, [])


def test_aliases_keep_their_language_and_unbound_bases_stay_unbound(tiny: Store) -> None:
    q = """SELECT ?fAltLabel ?x ?xAltLabel { BIND(wd:Q1 AS ?f) OPTIONAL { ?f wdt:P999 ?x }
        SERVICE wikibase:label { bd:serviceParam wikibase:language "fr". } }"""
    result = tiny.query(rewrite_label_service(q, []))
    [(alias, x, x_alias)] = list(result.rows())
    assert (str(alias), alias.language, x, x_alias) == ("Le Film", "fr", None, None)


def test_aliases_inside_graph_keep_the_graph_bound(tiny: Store) -> None:
    q = """SELECT ?g ?d ?alias WHERE { GRAPH ?g { wd:Q1 wdt:P57 ?d . BIND(wd:Q1 AS ?f)
        SERVICE wikibase:label { bd:serviceParam wikibase:language "fr". ?f skos:altLabel ?alias }
    } }"""
    assert rows(tiny, q) == [
        {"g": "http://example.org/g", "d": "http://www.wikidata.org/entity/Q2", "alias": "Le Film"}
    ]


def test_a_filter_on_an_alias_sees_it(tiny: Store) -> None:
    q = """SELECT ?f ?fAltLabel { VALUES ?f { wd:Q1 wd:Q2 wd:Q4 }
        SERVICE wikibase:label { bd:serviceParam wikibase:language "en" .
            ?f skos:altLabel ?fAltLabel } FILTER(CONTAINS(?fAltLabel, "Movie")) }"""
    assert [r["f"][-2:] for r in rows(tiny, q)] == ["Q1"]


def test_description_and_alt_labels(tiny: Store) -> None:
    q = f"""SELECT ?f ?fDescription ?fAltLabel {{
        VALUES ?f {{ wd:Q1 wd:Q2 }} {SERVICE_EN_FR} }} ORDER BY ?f"""
    got = rows(tiny, q)
    assert got[0]["fDescription"] == "a film"
    assert sorted(got[0]["fAltLabel"].split(", ")) == ["Movie", "The Movie"]
    assert got[1] == {"f": "http://www.wikidata.org/entity/Q2"}  # WDQS: no description, no alias


def test_aliases_include_alternate_names_and_untagged_values(tiny: Store) -> None:
    q = f"SELECT ?xLabel ?xAltLabel {{ BIND(wd:Q4 AS ?x) {SERVICE_EN_FR} }}"
    assert rows(tiny, q) == [{"xLabel": "Someone", "xAltLabel": "Stan"}]


def test_unbound_base_keeps_the_label_unbound(tiny: Store) -> None:
    q = f"""SELECT ?d ?dLabel ?x ?xLabel WHERE {{
        wd:Q1 wdt:P57 ?d . OPTIONAL {{ ?d wdt:P999 ?x }} {SERVICE_EN_FR} }}"""
    assert rows(tiny, q) == [{"d": "http://www.wikidata.org/entity/Q2", "dLabel": "Director"}]


def test_explicit_form(tiny: Store) -> None:
    q = """SELECT ?name ?about WHERE { BIND(wd:Q1 AS ?f)
        SERVICE wikibase:label { bd:serviceParam wikibase:language "fr" .
            ?f rdfs:label ?name ; schema:description ?about . } }"""
    assert rows(tiny, q) == [{"name": "Film (fr)"}]


def test_auto_language_uses_the_client_language(tiny: Store) -> None:
    q = """SELECT ?fLabel { BIND(wd:Q1 AS ?f)
        SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],en". } }"""
    assert rows(tiny, q, ["fr-ca"]) == [{"fLabel": "Film (fr)"}]
    assert rows(tiny, q, []) == [{"fLabel": "Film"}]


def test_select_star_shows_no_helper_variables(tiny: Store) -> None:
    q = f"SELECT * WHERE {{ wd:Q1 wdt:P57 ?d . {SERVICE_EN_FR} }}"
    result = tiny.query(rewrite_label_service(q, []))
    assert result.variables == ["d"]
    q = f"SELECT * WHERE {{ wd:Q1 wdt:P57 ?d . ?d rdfs:label ?l . {SERVICE_EN_FR} }}"
    assert tiny.query(rewrite_label_service(q, [])).variables == ["d", "l"]


def test_nested_group_is_rewritten_in_place(tiny: Store) -> None:
    q = f"""SELECT ?dLabel WHERE {{ {{ SELECT ?d WHERE {{ wd:Q1 wdt:P57 ?d }} }}
        {{ ?d ?p ?o {SERVICE_EN_FR} }} }}"""
    assert rows(tiny, q) == [{"dLabel": "Director"}]


def test_queries_without_the_service_come_back_unchanged() -> None:
    for q in (
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE wikibase:label { }",
        'SELECT ("SERVICE wikibase:label { }" AS ?x) WHERE {}',
        "SELECT * WHERE { <http://e/SERVICE/wikibase:label> ?p ?o }",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ):
        assert rewrite_label_service(q, []) is q or rewrite_label_service(q, []) == q


def test_a_query_prefix_that_redefines_wikibase_wins() -> None:
    q = "PREFIX wikibase: <http://example.org/> SELECT * { SERVICE wikibase:label { ?s ?p ?o } }"
    assert rewrite_label_service(q, []) == q


def test_full_iri_form_is_recognised() -> None:
    q = """SELECT ?xLabel { BIND(1 AS ?x) SERVICE <http://wikiba.se/ontology#label> {
        <http://www.bigdata.com/rdf#serviceParam> <http://wikiba.se/ontology#language> "en" } }"""
    assert "SERVICE" not in rewrite_label_service(q, [])


def test_fast_path_is_fast() -> None:
    q = "SELECT * WHERE { ?s ?p ?o }" * 1000
    start = time.perf_counter()
    for _ in range(1000):
        rewrite_label_service(q, [])
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    ("language", "kept"),
    [
        ('"xx"', ["xx"]),
        ('"en,zz-top"', ["en", "zz-top"]),
        ('"[AUTO_LANGUAGE],klingon"', ["en", "klingon"]),
        ('"e n"', []),
        ("'en,x\"y'", ["en"]),
    ],
)
def test_unknown_language_is_no_error(language: str, kept: list[str]) -> None:
    """As WDQS: an unknown code matches no label, so the label falls back to the ID; a
    malformed one is left out, and never reaches the rewritten text."""
    q = f"""SELECT ?xLabel {{ BIND(1 AS ?x)
        SERVICE wikibase:label {{ bd:serviceParam wikibase:language {language} }} }}"""
    text = rewrite_label_service(q, [])
    assert "wikibase:label" not in text and "e n" not in text and 'x"y' not in text
    assert service_languages(language.strip("\"'"), []) == kept


def test_no_language_at_all_is_a_bad_request() -> None:
    q = """SELECT ?xLabel { BIND(1 AS ?x)
        SERVICE wikibase:label { bd:serviceParam wikibase:language "" } }"""
    with pytest.raises(BadRequest):
        rewrite_label_service(q, [])


@pytest.mark.parametrize(
    "body",
    [
        "",  # no language
        "bd:serviceParam wikibase:language",  # incomplete
        'bd:serviceParam wikibase:language "en" ?x',  # trailing junk
        "bd:serviceParam wikibase:language ?lang",  # not a string
        'bd:serviceParam wikibase:limit "en"',  # unknown parameter
        'bd:serviceParam wikibase:language "en" . ?x wdt:P31 ?y',  # not a label predicate
    ],
)
def test_malformed_block_is_a_bad_request(body: str) -> None:
    q = f"SELECT ?xLabel {{ BIND(1 AS ?x) SERVICE wikibase:label {{ {body} }} }}"
    with pytest.raises(BadRequest):
        rewrite_label_service(q, [])


def test_unbalanced_block_is_a_bad_request() -> None:
    with pytest.raises(BadRequest):
        rewrite_label_service("SELECT * { SERVICE wikibase:label { ", [])
    with pytest.raises(BadRequest):
        rewrite_label_service("SELECT * { SERVICE wikibase:label ?x }", [])


def test_accept_languages() -> None:
    assert accept_languages("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == [
        "fr-ch",
        "fr",
        "en",
        "de",
    ]
    assert accept_languages("en;q=0.1, it") == ["it", "en"]
    assert accept_languages("da;q=0, *") == []
    assert accept_languages(None) == []


def test_service_languages() -> None:
    assert service_languages("[AUTO_LANGUAGE],en", ["it"]) == ["it", "en"]
    assert service_languages("[AUTO_LANGUAGE],en", ["tlh", "de-AT"]) == ["de-at", "de", "en"]
    assert service_languages("en, fr ,en", []) == ["en", "fr"]


FRAGMENTS = st.sampled_from(
    [
        "SERVICE",
        "SILENT",
        "wikibase:label",
        "<http://wikiba.se/ontology#label>",
        "{",
        "}",
        ".",
        ";",
        ",",
        "bd:serviceParam",
        "wikibase:language",
        '"en,fr"',
        '"[AUTO_LANGUAGE]"',
        "'x'",
        '"""a\nb"""',
        "?x",
        "?xLabel",
        "?xAltLabel",
        "rdfs:label",
        "# c\n",
        "SELECT",
        "*",
        "WHERE",
        "PREFIX wikibase: <http://e/>",
        "OPTIONAL",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=30), st.lists(st.text(max_size=6), max_size=2))
def test_any_text_is_rewritten_or_refused_with_a_400(parts: list[str], langs: list[str]) -> None:
    text = " ".join(parts)
    try:
        out = rewrite_label_service(text, langs)
    except BadRequest:
        return
    assert isinstance(out, str)


def test_query_hints() -> None:
    q = 'SELECT * { hint:Query hint:optimizer "None" . ?s ?p ?o . hint:Prior hint:x 1.5 }'
    assert strip_query_hints(q).split() == ["SELECT", "*", "{", "?s", "?p", "?o", ".", "}"]
    kept = 'SELECT * { ?s rdfs:label "hint:Query hint:a 1" } # hint:Query hint:b 2'
    assert strip_query_hints(kept) == kept
    own = "PREFIX hint: <http://e/> SELECT * { hint:Query hint:optimizer 1 }"
    assert strip_query_hints(own) == own
