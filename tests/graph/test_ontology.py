"""The ontology as data rules: each query must return no rows (its rdfs:comment-like docstring
says what a row would mean)."""

from __future__ import annotations

import csv

import pytest

from leongraph.config import PROJECT_ROOT
from leongraph.engine import Store

#: The repository's copy of the reference table of Wikidata identifiers (and its rules).
REFERENCE = PROJECT_ROOT / "reference" / "wikidata-ids.tsv"

ONTO = "<https://w3id.org/leongraph/graph/ontology>"

MUST_BE_EMPTY = {
    "a leon: term without an English label": f"""
        SELECT ?t WHERE {{ GRAPH {ONTO} {{ ?t a ?kind
          FILTER(STRSTARTS(STR(?t), STR(leon:)))
          FILTER NOT EXISTS {{ ?t rdfs:label ?l FILTER(lang(?l) = "en") }} }} }}""",
    "a leon: term without an English comment": f"""
        SELECT ?t WHERE {{ GRAPH {ONTO} {{ ?t a ?kind
          FILTER(STRSTARTS(STR(?t), STR(leon:)))
          FILTER NOT EXISTS {{ ?t rdfs:comment ?c FILTER(lang(?c) = "en") }} }} }}""",
    "a leon: term used in the data but not declared in the ontology": f"""
        SELECT DISTINCT ?t WHERE {{
          {{ ?s ?t ?o }} UNION {{ ?s a ?t }}
          FILTER(isIRI(?t) && STRSTARTS(STR(?t), STR(leon:)))
          FILTER NOT EXISTS {{ GRAPH {ONTO} {{ ?t a ?kind }} }} }}""",
    "a leon: property that is neither an object nor a datatype property": f"""
        SELECT ?p WHERE {{ GRAPH {ONTO} {{ ?p rdfs:label ?l
          FILTER(STRSTARTS(STR(?p), STR(leon:)))
          FILTER NOT EXISTS {{ ?p a owl:Class }}
          FILTER NOT EXISTS {{ ?p a owl:ObjectProperty }}
          FILTER NOT EXISTS {{ ?p a owl:DatatypeProperty }} }} }}""",
    "a domain or range in leon: that is not a declared class": f"""
        SELECT ?p ?c WHERE {{ GRAPH {ONTO} {{ ?p rdfs:domain|rdfs:range ?c
          FILTER(STRSTARTS(STR(?c), STR(leon:)))
          FILTER NOT EXISTS {{ ?c a owl:Class }} }} }}""",
    "an object property used with a literal value": f"""
        SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isLiteral(?o))
          GRAPH {ONTO} {{ ?p a owl:ObjectProperty }} }}""",
    "a datatype property used with an IRI value": f"""
        SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?o))
          GRAPH {ONTO} {{ ?p a owl:DatatypeProperty }} }}""",
    "an asserted fact whose subject has no leon: class": """
        SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o }
          FILTER(STRSTARTS(STR(?g), STR(sent:)) && STRSTARTS(STR(?s), STR(res:)))
          FILTER NOT EXISTS { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(leon:))
            || ?c IN (wikibase:QuantityValue, wikibase:TimeValue, wikibase:Statement)) } }""",
    "a property value of the wrong class (rdfs:range)": f"""
        SELECT ?s ?p ?o ?c WHERE {{
          GRAPH {ONTO} {{ ?p rdfs:range ?c ; a owl:ObjectProperty }}
          ?s ?p ?o FILTER NOT EXISTS {{ ?o a ?c }} }}""",
    "a subject of the wrong class (rdfs:domain)": f"""
        SELECT ?s ?p ?c WHERE {{
          GRAPH {ONTO} {{ ?p rdfs:domain ?c }}
          ?s ?p ?o FILTER NOT EXISTS {{ ?s a ?c }} }}""",
}


@pytest.mark.parametrize("what", MUST_BE_EMPTY)
def test_must_return_no_rows(store: Store, what: str) -> None:
    rows = list(store.query(MUST_BE_EMPTY[what]).rows())
    assert rows == [], f"{what}: {rows[:5]}"


def test_the_rules_can_fail(store: Store) -> None:
    """A control: the 'undeclared term' rule does catch a term that is not in the ontology."""
    query = MUST_BE_EMPTY["a leon: term used in the data but not declared in the ontology"]
    assert list(store.query(query.replace("STR(leon:)", '"http://schema.org/"')).rows())


def test_ontology_header(store: Store) -> None:
    rows = list(
        store.query(
            "SELECT ?v ?lic ?creator ?created ?modified ?comment WHERE { "
            "<https://w3id.org/leongraph/ontology> a owl:Ontology ; owl:versionInfo ?v ; "
            "dcterms:license ?lic ; dcterms:creator ?creator ; dcterms:created ?created ; "
            "dcterms:modified ?modified ; rdfs:comment ?comment }"
        ).rows()
    )
    assert len({r for r in rows}) == 1
    assert str(rows[0][2]) == "leongraph contributors"


def test_main_classes_exist(store: Store) -> None:
    classes = {
        str(r[0]).rsplit("#", 1)[1]
        for r in store.query(f"SELECT ?c WHERE {{ GRAPH {ONTO} {{ ?c a owl:Class }} }}").rows()
    }
    assert {
        "Film", "Person", "FictionalCharacter", "CastingRole", "Organisation", "Place", "Object",
        "PlotEvent", "Release", "MonetaryAmount", "BoxOffice", "Occupation", "Trait", "Habit",
        "Sentence", "SourceDocument", "Genre",
    } <= classes  # fmt: skip


def _reference() -> dict[str, str]:
    with REFERENCE.open(encoding="utf-8") as f:
        return {row["id"]: row["confidence"] for row in csv.DictReader(f, delimiter="\t")}


#: `likely` ids used by the ontology, each confirmed by a second public source recorded in
#: ontology/leon.ttl as dcterms:source on the property.
CONFIRMED_LIKELY = {"P674", "P1441", "P175", "P106", "P551", "P3373", "P3448"}


def test_wikidata_ids_are_verified_or_confirmed(store: Store) -> None:
    if not REFERENCE.exists():
        pytest.fail(f"the reference table of Wikidata identifiers is missing: {REFERENCE}")
    reference = _reference()
    used = {
        str(r[0]).rsplit("/", 1)[1]
        for r in store.query(
            "SELECT DISTINCT ?x WHERE { { ?s ?x ?o } UNION { ?s ?p ?x } UNION { ?x ?p ?o } "
            'FILTER(isIRI(?x) && REGEX(STR(?x), "^http://www.wikidata.org/(entity|prop/direct|'
            'prop|prop/statement|prop/qualifier|prop/statement/value)/[PQ][0-9]+$")) }'
        ).rows()
    }
    assert used
    for ident in used:
        assert ident in reference, f"{ident} is not in the reference table"
        level = reference[ident]
        assert level == "verified" or (level == "likely" and ident in CONFIRMED_LIKELY), ident
    for ident in CONFIRMED_LIKELY:
        sources = list(
            store.query(
                f"SELECT ?src WHERE {{ GRAPH {ONTO} {{ wdt:{ident} dcterms:source ?src }} }}"
            ).rows()
        )
        assert sources, f"{ident} needs its confirming source recorded"
