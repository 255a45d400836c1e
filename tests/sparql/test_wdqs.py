"""Queries written exactly as on query.wikidata.org (no PREFIX lines, the label service, the
p:/ps:/pq:/psv: statement model) run unchanged against /sparql, on both engines.

Expected answers come from the synopsis and the verified identifiers of the reference table:
the film is wd:Q484675, Luc Besson wd:Q484779, Natalie Portman wd:Q37876, France wd:Q142, the
United States wd:Q30, thriller film wd:Q2484376, the US dollar wd:Q4917; everyone and
everything without a verified item keeps its local res: IRI (no character has an item).

Rows are compared as sets (WDQS gives no order without ORDER BY), and no answer may repeat a
row: a fact stated by several sentences sits in several named graphs, but the default graph is
their RDF merge, a set, on both engines.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

LABELS = 'SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],en". }'
WD = "http://www.wikidata.org/entity/"
RES = "https://w3id.org/leongraph/resource/"


def short(term: dict[str, str]) -> str:
    value = term["value"]
    return value.replace(WD, "wd:").replace(RES, "res:")


def wdqs(
    client: TestClient, query: str, language: str | None = None
) -> tuple[list[str], set[tuple[str | None, ...]]]:
    """Variables and the set of rows (shortened IRIs, literal values; None when unbound)."""
    headers = {"Accept": "application/sparql-results+json"}
    if language:
        headers["Accept-Language"] = language
    r = client.get("/sparql", params={"query": query}, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    if "boolean" in body:
        return [], {(str(body["boolean"]),)}
    names = body["head"]["vars"]
    rows = [
        tuple(short(b[v]) if v in b else None for v in names) for b in body["results"]["bindings"]
    ]
    assert len(rows) == len(set(rows)), "repeated rows"
    return names, set(rows)


def test_cast_with_character_roles(client: TestClient) -> None:
    names, rows = wdqs(
        client,
        f"""SELECT ?actor ?actorLabel ?role ?roleLabel WHERE {{
  wd:Q484675 p:P161 ?st .
  ?st ps:P161 ?actor .
  OPTIONAL {{ ?st pq:P453 ?role }}
  {LABELS}
}}""",
    )
    assert names == ["actor", "actorLabel", "role", "roleLabel"]
    assert rows == {
        ("res:jean-reno", "Jean Reno", "res:leon", "Léon"),
        ("res:gary-oldman", "Gary Oldman", "res:stansfield", "Stansfield"),
        ("wd:Q37876", "Natalie Portman", "res:mathilda", "Mathilda"),
        ("res:danny-aiello", "Danny Aiello", "res:tony", "Tony"),
        ("res:michael-badalucco", "Michael Badalucco", "res:mathildas-father", "Mathilda's father"),
    }


def test_director(client: TestClient) -> None:
    q = f"SELECT ?director ?directorLabel WHERE {{ wd:Q484675 wdt:P57 ?director . {LABELS} }}"
    assert wdqs(client, q)[1] == {("wd:Q484779", "Luc Besson")}


def test_crew_by_property(client: TestClient) -> None:
    q = f"""SELECT ?property ?person ?personLabel WHERE {{
  VALUES ?property {{ wdt:P57 wdt:P58 wdt:P162 wdt:P86 }}
  wd:Q484675 ?property ?person .
  {LABELS}
}}"""
    p = "http://www.wikidata.org/prop/direct/"
    assert wdqs(client, q)[1] == {
        (p + "P57", "wd:Q484779", "Luc Besson"),
        (p + "P58", "wd:Q484779", "Luc Besson"),
        (p + "P162", "res:patrice-ledoux", "Patrice Ledoux"),
        (p + "P86", "res:eric-serra", "Éric Serra"),
    }


def test_release_dates_with_place_of_publication(client: TestClient) -> None:
    q = f"""SELECT ?date ?place ?placeLabel WHERE {{
  wd:Q484675 p:P577 ?statement .
  ?statement ps:P577 ?date ;
             pq:P291 ?place .
  {LABELS}
}} ORDER BY ?date"""
    rows = {(d[:10], place, label) for d, place, label in wdqs(client, q)[1]}  # type: ignore[index]
    assert rows == {
        ("1994-09-14", "wd:Q142", "France"),
        ("1994-11-18", "wd:Q30", "United States"),
    }


def test_release_places_by_property_path(client: TestClient) -> None:
    q = "SELECT ?place WHERE { wd:Q484675 p:P577/pq:P291 ?place . }"
    assert wdqs(client, q)[1] == {("wd:Q142",), ("wd:Q30",)}


def test_box_office_in_us_dollars(client: TestClient) -> None:
    q = f"""SELECT ?amount ?unit ?unitLabel WHERE {{
  wd:Q484675 p:P2142/psv:P2142 [ wikibase:quantityAmount ?amount ;
                                 wikibase:quantityUnit ?unit ] .
  {LABELS}
}}"""
    # The unit has no label in this graph: like WDQS, the label falls back to the item id.
    assert wdqs(client, q)[1] == {("45284974", "wd:Q4917", "Q4917")}


def test_characters_present_in_the_work(client: TestClient) -> None:
    q = f"SELECT ?character ?characterLabel WHERE {{ ?character wdt:P1441 wd:Q484675 . {LABELS} }}"
    rows = wdqs(client, q)[1]
    assert {
        ("res:leon", "Léon"),
        ("res:mathilda", "Mathilda"),
        ("res:stansfield", "Stansfield"),
        ("res:tony", "Tony"),
    } <= rows
    assert all(c.startswith("res:") for c, _ in rows)  # no character has a Wikidata item
    q = "SELECT ?c WHERE { wd:Q484675 wdt:P674 ?c }"  # characters, from the film's side
    assert wdqs(client, q)[1] == {(c,) for c, _ in rows}


def test_who_plays_whom_by_performer(client: TestClient) -> None:
    q = f"""SELECT ?characterLabel ?actorLabel WHERE {{
  ?character wdt:P1441 wd:Q484675 ; wdt:P175 ?actor .
  {LABELS}
}}"""
    assert {
        ("Léon", "Jean Reno"),
        ("Mathilda", "Natalie Portman"),
        ("Stansfield", "Gary Oldman"),
        ("Tony", "Danny Aiello"),
    } <= wdqs(client, q)[1]


def test_instance_of_film_genre_and_country(client: TestClient) -> None:
    assert wdqs(client, "ASK { wd:Q484675 wdt:P31 wd:Q11424 }")[1] == {("True",)}
    q = f"""SELECT ?genre ?genreLabel ?country ?countryLabel WHERE {{
  wd:Q484675 wdt:P136 ?genre ; wdt:P495 ?country .
  {LABELS}
}}"""
    assert wdqs(client, q)[1] == {("wd:Q2484376", "thriller film", "wd:Q142", "France")}


def test_imdb_id_and_title(client: TestClient) -> None:
    q = "SELECT ?imdb ?title WHERE { wd:Q484675 wdt:P345 ?imdb ; wdt:P1476 ?title . }"
    assert wdqs(client, q)[1] == {("tt0110413", "Léon")}


def test_humans_in_the_credits(client: TestClient) -> None:
    q = f"""SELECT ?person ?personLabel WHERE {{
  ?person wdt:P31 wd:Q5 .
  {LABELS}
}}"""
    labels = {label for _, label in wdqs(client, q)[1]}
    assert {
        "Luc Besson",
        "Patrice Ledoux",
        "Éric Serra",
        "Jean Reno",
        "Gary Oldman",
        "Natalie Portman",
        "Danny Aiello",
        "Michael Badalucco",
        "Gene Kelly",
    } == labels


def test_number_of_cast_members(client: TestClient) -> None:
    q = "SELECT (COUNT(DISTINCT ?actor) AS ?n) WHERE { wd:Q484675 wdt:P161 ?actor . }"
    assert wdqs(client, q)[1] == {("5",)}


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("fr-FR,fr;q=0.9", "Léon"),
        ("en-GB", "Léon: The Professional"),
        (None, "Léon: The Professional"),
    ],
)
def test_auto_language_follows_accept_language(
    client: TestClient, language: str | None, label: str
) -> None:
    q = f"SELECT ?filmLabel WHERE {{ BIND(wd:Q484675 AS ?film) {LABELS} }}"
    assert wdqs(client, q, language)[1] == {(label,)}


def test_alternative_titles_as_aliases(client: TestClient) -> None:
    q = f"SELECT ?filmAltLabel WHERE {{ BIND(wd:Q484675 AS ?film) {LABELS} }}"
    ((aliases,),) = wdqs(client, q, "en")[1]
    assert "The Professional" in (aliases or "").split(", ")


def test_the_query_own_prefixes_win(client: TestClient) -> None:
    base = "SELECT ?d WHERE { wd:Q484675 wdt:P57 ?d }"
    assert wdqs(client, base)[1] == {("wd:Q484779",)}
    same = "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n" + base
    assert wdqs(client, same)[1] == {("wd:Q484779",)}
    other = "PREFIX wd: <http://example.org/elsewhere/>\n" + base
    assert wdqs(client, other)[1] == set()


@pytest.mark.parametrize("languages", ["qq", "qq,en", "zz-unknown", "!!"])
def test_an_unknown_language_falls_back_to_the_id(client: TestClient, languages: str) -> None:
    """As WDQS: a language code the server does not know is no error; with no label in it, the
    label is the entity's ID (or the label of a language listed after it)."""
    service = LABELS.replace("[AUTO_LANGUAGE],en", languages)
    q = f"SELECT ?director ?directorLabel WHERE {{ wd:Q484675 wdt:P57 ?director . {service} }}"
    label = "Luc Besson" if "en" in languages else "Q484779"
    assert wdqs(client, q)[1] == {("wd:Q484779", label)}


def test_label_service_errors_are_400(client: TestClient) -> None:
    for query in (
        "SELECT ?xLabel WHERE { BIND(wd:Q1 AS ?x) SERVICE wikibase:label { ?x ?y ?z } }",
        "SELECT ?xLabel WHERE { BIND(wd:Q1 AS ?x) SERVICE wikibase:label { bd:serviceParam ",
    ):
        r = client.get("/sparql", params={"query": query})
        assert r.status_code == 400, r.text
        assert r.json()["error"]["status"] == 400


def test_leongraph_query_runs_wdqs_queries_unchanged(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI answers byte for byte as /sparql, the label service and its language included."""
    from leongraph.cli.main import main

    q = f"SELECT ?film ?filmLabel WHERE {{ BIND(wd:Q484675 AS ?film) {LABELS} }}"
    engine = client.app.leongraph.store.engine  # type: ignore[attr-defined]
    assert main(["query", q, "--engine", engine, "--language", "fr", "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    r = client.get(
        "/sparql", params={"query": q}, headers={"Accept": "text/csv", "Accept-Language": "fr"}
    )
    assert printed == r.text
    assert printed.splitlines()[1] == "http://www.wikidata.org/entity/Q484675,Léon"


def test_query_hints_are_dropped(client: TestClient) -> None:
    """Blazegraph hints only steer WDQS's optimiser; here they are removed, not refused."""
    q = f"""SELECT ?director ?directorLabel WHERE {{
  hint:Query hint:optimizer "None" .
  wd:Q484675 wdt:P57 ?director .
  hint:Prior hint:runFirst true .
  {LABELS}
}}"""
    assert wdqs(client, q)[1] == {("wd:Q484779", "Luc Besson")}
    own = "PREFIX hint: <http://example.org/hint#>\n" + q.replace(LABELS, "")
    assert wdqs(client, own)[1] == set()  # the query's own hint: namespace is just data
