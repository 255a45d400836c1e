"""``leongraph links``: the Wikidata links of the graph against the reference table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leongraph.cli.main import main
from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.errors import DataError
from leongraph.vocab import LEON
from leongraph.wikidata.links import (
    REFERENCE,
    Link,
    Reference,
    links,
    property_entities,
    read_reference,
    render,
    used_properties,
)
from leongraph.wikidata.matching import Entity, Index, build_index


@pytest.fixture(scope="module")
def reference() -> list[Reference]:
    return read_reference(Settings().project_root / REFERENCE)


def by_entity(store: Store, reference: list[Reference]) -> dict[str, Link]:
    return {link.entity: link for link in links(build_index(store), reference)}


def test_the_reference_table_is_the_shared_one(reference: list[Reference]) -> None:
    film = next(r for r in reference if r.id == "Q484675")
    assert film.confidence == "verified" and "tt0110413" in film.evidence


def test_every_link_is_verified(store: Store, reference: list[Reference]) -> None:
    found = by_entity(store, reference)
    linked = {k: v.wikidata for k, v in found.items() if v.wikidata}
    assert linked["leon-the-professional"] == "Q484675"
    assert linked["luc-besson"] == "Q484779"
    assert linked["natalie-portman"] == "Q37876"
    assert all(link.sound for link in found.values())
    assert all(found[k].confidence == "verified" for k in linked)


def test_unlinked_entities_carry_the_reason(store: Store, reference: list[Reference]) -> None:
    found = by_entity(store, reference)
    assert found["jean-reno"].wikidata is None
    assert found["jean-reno"].confidence == "unverified"
    assert found["gary-oldman"].wikidata is None
    assert found["gary-oldman"].confidence == "likely"
    assert "Q83492 is only likely" in found["gary-oldman"].evidence
    assert "1974" in found["chinatown"].evidence  # the trap: Q644987 is the film Chinatown
    assert found["mathilda"].confidence == "unverified"
    assert found["dea"].confidence == "unverified"  # "DEA" = Drug Enforcement Administration


def test_an_unverified_link_is_reported() -> None:
    person = str(LEON.Person)
    bad = Entity(
        iri="https://w3id.org/leongraph/resource/x",
        id="x",
        name="Gary Oldman",
        names=[("gary oldman", 1.0)],
        types={person},
        wikidata="Q83492",
    )
    index = Index([bad], {person: "person"}, {}, {})
    table = [Reference("item", "Gary Oldman", "Q83492", "likely", "one source")]
    (link,) = links(index, table)
    assert link.wikidata == "Q83492" and not link.sound
    assert "Links without a verified identifier (1)" in render([link])


def test_cli_table_and_json(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["links", "--engine", store.engine, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Linked to Wikidata (")
    assert "wd:Q484675 [verified]" in out and "Not linked (" in out
    assert main(["links", "--engine", store.engine, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert main(["links", "--engine", store.engine]) == 0  # piped: JSON
    assert json.loads(capsys.readouterr().out) == rows
    assert {"entity": "natalie-portman", "wikidata": "Q37876"}.items() <= next(
        r for r in rows if r["entity"] == "natalie-portman"
    ).items()


def test_missing_or_malformed_reference(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        read_reference(tmp_path / "absent.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(DataError):
        read_reference(bad)
    assert main(["links", "--reference", str(bad)]) == 2


def test_property_entities_file_is_up_to_date(store: Store, reference: list[Reference]) -> None:
    """data/wikidata-properties.ttl describes exactly the properties the graph uses; after a
    change, regenerate it with `leongraph links --properties > data/wikidata-properties.ttl`."""
    path = Settings().project_root / "data" / "wikidata-properties.ttl"
    expected = property_entities(reference, used_properties(store))
    assert path.read_text(encoding="utf-8") == expected


def test_wdqs_property_idiom(client) -> None:  # type: ignore[no-untyped-def]
    """?prop wikibase:directClaim ?wdt: the names of the film's direct claims, as on WDQS."""
    query = """SELECT DISTINCT ?propLabel ?valueLabel WHERE {
      wd:Q484675 ?wdt ?value .
      ?prop wikibase:directClaim ?wdt .
      SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
    }"""
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    rows = set(r.text.strip().splitlines()[1:])
    assert {"director,Luc Besson", "genre,thriller film", "box office,45284974"} <= rows
    assert "publication date,1994-09-14" in rows
