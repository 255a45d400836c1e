"""The public-vocabulary view materialised by alignment.py, asked the way users of schema.org,
Wikidata and SEM ask it, on both engines."""

from __future__ import annotations

import datetime

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from leongraph.engine import Store

WD = "http://www.wikidata.org/entity/"
RES = "https://w3id.org/leongraph/resource/"
SENT = "https://w3id.org/leongraph/sentence/"


def values(store: Store, query: str) -> set[str]:
    """The first column of a SELECT, as a set of strings."""
    return {str(row[0]) for row in store.query(query).rows()}


def rows(store: Store, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(v) for v in row) for row in store.query(query).rows()}


# ---------------------------------------------------------------- schema.org


def test_film_is_a_schema_movie_with_names(store: Store) -> None:
    assert values(store, "SELECT ?m WHERE { ?m a schema:Movie }") == {RES + "leon-the-professional"}
    names = values(store, "SELECT ?n WHERE { res:leon-the-professional schema:name ?n }")
    assert {"Léon: The Professional", "Léon"} <= names
    alt = values(store, "SELECT ?n WHERE { res:leon-the-professional schema:alternateName ?n }")
    assert alt == {"The Professional", "Léon: The Professional"}


@pytest.mark.parametrize(
    ("prop", "expected"),
    [
        ("director", {"luc-besson"}),
        ("author", {"luc-besson"}),
        ("producer", {"patrice-ledoux"}),
        ("musicBy", {"eric-serra"}),
        (  # the actors, and the PerformanceRoles of schema.org's role pattern
            "actor",
            {"jean-reno", "gary-oldman", "natalie-portman", "danny-aiello", "michael-badalucco"}
            | {"cast-leon", "cast-stansfield", "cast-mathilda", "cast-tony"}
            | {"cast-mathildas-father"},
        ),
        (  # every character of the synopsis, credited or not
            "character",
            {"leon", "mathilda", "stansfield", "tony", "mathildas-father"}
            | {"mathildas-stepmother", "mathildas-brother", "dea-agent-killed-in-chinatown"}
            | {"stansfields-man-1", "stansfields-man-2", "stansfields-man-who-tells-mathilda"}
            | {"headmistress"},
        ),
        ("genre", {"thriller-film"}),
        ("countryOfOrigin", {"france"}),
    ],
)
def test_schema_film_properties(store: Store, prop: str, expected: set[str]) -> None:
    got = values(store, f"SELECT ?x WHERE {{ res:leon-the-professional schema:{prop} ?x }}")
    assert got == {RES + e for e in expected}


def test_schema_actor_is_the_person_with_a_name(store: Store) -> None:
    got = rows(
        store,
        "SELECT ?n WHERE { res:leon-the-professional schema:actor ?p . "
        "?p a schema:Person ; schema:name ?n }",
    )
    assert {("Jean Reno",), ("Natalie Portman",), ("Michael Badalucco",)} <= got


def test_who_plays_whom_in_schema_org_alone(store: Store) -> None:
    """schema.org's role pattern: Movie -schema:actor-> PerformanceRole -schema:actor-> Person,
    the role naming the part with schema:character and schema:characterName."""
    got = rows(
        store,
        "SELECT ?actor ?character ?name WHERE { ?film a schema:Movie ; schema:actor ?role . "
        "?role a schema:PerformanceRole ; schema:actor ?person ; schema:character ?c ; "
        "schema:characterName ?name . ?person a schema:Person ; schema:name ?actor . "
        "?c schema:name ?character }",
    )
    assert got == {
        ("Jean Reno", "Léon", "Léon"),
        ("Gary Oldman", "Stansfield", "Stansfield"),
        ("Natalie Portman", "Mathilda", "Mathilda"),
        ("Danny Aiello", "Tony", "Tony"),
        ("Michael Badalucco", "Mathilda's father", "Mathilda's father"),
    }
    assert values(store, 'SELECT ?r WHERE { ?r schema:characterName "Mathilda" }') == {
        RES + "cast-mathilda"
    }


def test_a_role_is_named_where_its_character_is_named(store: Store) -> None:
    """Sentence 2 casts Natalie Portman as "a 12-year-old girl"; sentence 13 names Mathilda."""
    got = values(
        store, "SELECT ?g WHERE { GRAPH ?g { res:cast-mathilda schema:characterName ?n } }"
    )
    assert got == {SENT + "13"}
    got = values(
        store, "SELECT ?g WHERE { GRAPH ?g { res:cast-mathilda schema:character res:mathilda } }"
    )
    assert {SENT + "2", SENT + "13"} <= got


def test_schema_released_event(store: Store) -> None:
    got = store.query(
        "SELECT ?d ?c WHERE { res:leon-the-professional schema:releasedEvent ?e . "
        "?e a schema:PublicationEvent ; schema:startDate ?d ; schema:location ?c }"
    )
    found = {(r[0], str(r[1])) for r in got.rows()}
    assert found == {
        (Literal("1994-09-14", datatype=XSD.date), RES + "france"),
        (Literal("1994-11-18", datatype=XSD.date), RES + "united-states"),
    }


def test_schema_contained_in_place(store: Store) -> None:
    assert values(store, "SELECT ?p WHERE { res:little-italy schema:containedInPlace ?p }") == {
        RES + "new-york-city"
    }
    inside = values(store, "SELECT ?p WHERE { ?p schema:containedInPlace res:new-york-city }")
    assert inside == {RES + "little-italy"}  # the synopsis does not say where Chinatown is


# ---------------------------------------------------------------- Wikidata


def test_who_directed_the_film_in_wikidata_terms(store: Store) -> None:
    assert values(store, "SELECT ?d WHERE { wd:Q484675 wdt:P57 ?d }") == {WD + "Q484779"}


@pytest.mark.parametrize(
    ("prop", "expected"),
    [
        ("P31", {WD + "Q11424"}),
        ("P58", {WD + "Q484779"}),
        ("P162", {RES + "patrice-ledoux"}),
        ("P86", {RES + "eric-serra"}),
        ("P136", {WD + "Q2484376"}),
        ("P495", {WD + "Q142"}),
        (
            "P161",
            {
                RES + "jean-reno",
                RES + "gary-oldman",
                WD + "Q37876",
                RES + "danny-aiello",
                RES + "michael-badalucco",
            },
        ),
        ("P577", {"1994-09-14", "1994-11-18"}),
        ("P2142", {"45284974"}),
        ("P345", {"tt0110413"}),
    ],
)
def test_wikidata_direct_claims_of_the_film(store: Store, prop: str, expected: set[str]) -> None:
    assert values(store, f"SELECT ?v WHERE {{ wd:Q484675 wdt:{prop} ?v }}") == expected


def test_cast_member_statements_carry_the_character(store: Store) -> None:
    got = rows(
        store,
        "SELECT ?actor ?char WHERE { wd:Q484675 p:P161 ?st . ?st ps:P161 ?actor ; pq:P453 ?char }",
    )
    assert got == {
        (RES + "jean-reno", RES + "leon"),
        (RES + "gary-oldman", RES + "stansfield"),
        (WD + "Q37876", RES + "mathilda"),
        (RES + "danny-aiello", RES + "tony"),
        (RES + "michael-badalucco", RES + "mathildas-father"),
    }


def test_publication_date_statements_are_qualified_by_place(store: Store) -> None:
    got = store.query(
        "SELECT ?date ?place WHERE { wd:Q484675 p:P577 ?st . ?st ps:P577 ?date ; pq:P291 ?place }"
    )
    found = {(r[0], str(r[1])) for r in got.rows()}
    assert found == {
        (Literal("1994-09-14", datatype=XSD.date), WD + "Q142"),
        (Literal("1994-11-18", datatype=XSD.date), WD + "Q30"),
    }


def test_release_dates_as_full_time_values(store: Store) -> None:
    got = {
        (r[0].toPython(), int(r[1]), str(r[2]), str(r[3]))  # type: ignore[union-attr]
        for r in store.query(
            "SELECT ?time ?precision ?calendar ?place WHERE { wd:Q484675 p:P577 ?st . "
            "?st psv:P577 [ wikibase:timeValue ?time ; wikibase:timePrecision ?precision ; "
            "wikibase:timeCalendarModel ?calendar ] ; pq:P291 ?place }"
        ).rows()
    }
    utc = datetime.UTC
    assert got == {
        (datetime.datetime(1994, 9, 14, tzinfo=utc), 11, WD + "Q1985727", WD + "Q142"),
        (datetime.datetime(1994, 11, 18, tzinfo=utc), 11, WD + "Q1985727", WD + "Q30"),
    }
    datatypes = {
        (r[0].datatype, r[1].datatype)  # type: ignore[union-attr]
        for r in store.query(
            "SELECT ?t ?p WHERE { ?v wikibase:timeValue ?t ; wikibase:timePrecision ?p }"
        ).rows()
    }
    assert datatypes == {(XSD.dateTime, XSD.integer)}
    # the value node sits in the graph of the sentence that states the date
    graphs = values(store, "SELECT ?g WHERE { GRAPH ?g { ?v wikibase:timeValue ?t } }")
    assert graphs == {SENT + "8"}


def test_narrative_location(store: Store) -> None:
    assert values(store, "SELECT ?p WHERE { wd:Q484675 wdt:P840 ?p }") == {
        WD + "Q60",
        RES + "little-italy",  # no verified Wikidata item: a local IRI
    }
    assert values(store, "SELECT ?p WHERE { wd:Q484675 p:P840/ps:P840 ?p }") == {
        WD + "Q60",
        RES + "little-italy",
    }
    assert values(store, "SELECT ?g WHERE { GRAPH ?g { wd:Q484675 wdt:P840 wd:Q60 } }") == {
        SENT + "10"
    }


def test_every_statement_has_a_rank(store: Store) -> None:
    statements = values(store, "SELECT ?st WHERE { ?st a wikibase:Statement }")
    assert len(statements) >= 10
    unranked = values(
        store,
        "SELECT ?st WHERE { { ?s ?p ?st "
        "FILTER(REGEX(STR(?p), '^http://www.wikidata.org/prop/P[0-9]+$')) } UNION "
        "{ ?st a wikibase:Statement } FILTER NOT EXISTS { ?st wikibase:rank ?r } }",
    )
    assert unranked == set()


def test_box_office_quantity_value(store: Store) -> None:
    got = rows(
        store,
        "SELECT ?unit WHERE { wd:Q484675 p:P2142/psv:P2142 "
        "[ wikibase:quantityAmount 45284974 ; wikibase:quantityUnit ?unit ] }",
    )
    assert got == {(WD + "Q4917",)}
    assert values(store, "SELECT ?a WHERE { wd:Q484675 p:P2142/ps:P2142 ?a }") == {"45284974"}


def test_labels_on_wikidata_iris(store: Store) -> None:
    assert values(
        store, 'SELECT ?l WHERE { wd:Q484779 rdfs:label ?l FILTER(lang(?l) = "en") }'
    ) == {"Luc Besson"}
    assert "Léon: The Professional" in values(
        store, "SELECT ?n WHERE { wd:Q484675 schema:name ?n }"
    )
    assert values(store, "SELECT ?l WHERE { wd:Q60 rdfs:label ?l }") == {"New York City"}


@pytest.mark.parametrize(
    ("subject", "prop", "expected"),
    [
        ("leon", "P1441", {WD + "Q484675"}),
        ("leon", "P175", {RES + "jean-reno"}),
        ("mathilda", "P175", {WD + "Q37876"}),
        ("mathilda", "P22", {RES + "mathildas-father"}),
        ("mathilda", "P3448", {RES + "mathildas-stepmother"}),
        ("mathilda", "P3373", {RES + "mathildas-brother"}),
        ("mathildas-brother", "P3373", {RES + "mathilda"}),
        ("mathildas-father", "P157", {RES + "stansfield"}),
        ("leon", "P157", {RES + "stansfield"}),
        # Léon's grenades kill Stansfield (sentences 35-37): the killer is Léon, not the explosion
        ("stansfield", "P157", {RES + "leon"}),
        ("leon", "P106", {RES + "hitman"}),
        ("tony", "P106", {RES + "mafioso"}),
        ("stansfield", "P108", {RES + "dea"}),
        ("leon", "P108", {RES + "tony"}),
        ("leon", "P551", {RES + "little-italy", RES + "leons-apartment"}),
    ],
)
def test_wikidata_character_claims(
    store: Store, subject: str, prop: str, expected: set[str]
) -> None:
    assert values(store, f"SELECT ?v WHERE {{ res:{subject} wdt:{prop} ?v }}") == expected


def test_characters_are_fictional_in_wikidata_terms(store: Store) -> None:
    for character in ("leon", "mathilda", "stansfield", "tony"):
        classes = values(store, f"SELECT ?c WHERE {{ res:{character} wdt:P31 ?c }}")
        assert classes == {WD + "Q95074", WD + "Q15632617"}
    assert values(store, "SELECT ?c WHERE { wd:Q37876 wdt:P31 ?c }") == {WD + "Q5"}


def test_unverified_entities_get_no_wikidata_iri(store: Store) -> None:
    linked = values(store, "SELECT ?s WHERE { ?s owl:sameAs ?wd }")
    for unverified in ("jean-reno", "gary-oldman", "danny-aiello", "chinatown", "leon", "dea"):
        assert RES + unverified not in linked
    assert values(store, "SELECT ?x WHERE { ?x wdt:P31 ?c FILTER(?x = wd:Q644987) }") == set()


# ---------------------------------------------------------------- events (SEM, PROV)


def test_events_in_sem_and_prov_terms(store: Store) -> None:
    got = store.query(
        "SELECT ?e ?pos ?s WHERE { ?e a sem:Event ; schema:position ?pos ; "
        "prov:wasDerivedFrom ?s } ORDER BY ?pos"
    )
    found = sorted({(str(r[0]), int(r[1]), str(r[2])) for r in got.rows()}, key=lambda t: t[1])
    positions = [p for _, p, _ in found]
    assert positions == list(range(1, len(positions) + 1))
    assert len(positions) >= 20
    assert found[0] == (RES + "event-01", 1, SENT + "13")


def test_event_actors_and_places(store: Store) -> None:
    actors = values(store, "SELECT ?a WHERE { res:event-16 sem:hasActor ?a }")
    assert RES + "leon" in actors
    assert values(store, "SELECT ?p WHERE { res:event-16 sem:hasPlace ?p }") == {RES + "chinatown"}


def test_positions_are_integers(store: Store) -> None:
    got = store.query("SELECT ?pos WHERE { res:event-05 schema:position ?pos }")
    assert {r[0] for r in got.rows()} == {Literal(5, datatype=XSD.integer)}


def test_aligned_triples_share_the_graph_of_their_fact(store: Store) -> None:
    got = values(store, "SELECT ?g WHERE { GRAPH ?g { wd:Q484675 wdt:P86 res:eric-serra } }")
    assert got == {SENT + "7"}
    got = values(store, "SELECT ?g WHERE { GRAPH ?g { res:event-33 prov:wasDerivedFrom sent:37 } }")
    assert got == {SENT + "37"}


def test_every_resource_has_an_english_label(store: Store) -> None:
    missing = values(
        store,
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(res:))) "
        'FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(langMatches(lang(?l), "en")) } }',
    )
    assert missing == set()


def test_wd_iris_are_used_only_for_verified_ids(store: Store) -> None:
    verified = {
        "Q484675", "Q484779", "Q37876", "Q73089", "Q60", "Q1408", "Q142", "Q30", "Q2484376",
        "Q11424", "Q5", "Q95074", "Q15632617", "Q4917",
        "Q1985727",  # the calendar model of time values, sources in data/wikidata.ttl
    }  # fmt: skip
    used = values(
        store,
        "SELECT DISTINCT ?x WHERE { { ?x ?p ?o } UNION { ?s ?p ?x } "
        "FILTER(isIRI(?x) && STRSTARTS(STR(?x), STR(wd:))) }",
    )
    # Property entities (wd:P57, data/wikidata-properties.ttl) are checked against the reference
    # table by test_ontology.py; items must be among the verified ones.
    assert {u.removeprefix(WD) for u in used if u.removeprefix(WD).startswith("Q")} <= verified
    assert URIRef(WD + "Q484675") and (WD + "Q484675") in used
