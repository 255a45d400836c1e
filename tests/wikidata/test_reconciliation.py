"""The reconciliation service, checked against the specification's own JSON Schemas (shipped in
tests/data/reconciliation-schemas, see SOURCE.md there) and scored on a credits table."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parents[1] / "data" / "reconciliation-schemas"
CREDITS = Path(__file__).parents[1] / "data" / "credits.csv"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource(contents, specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def check(schema: str, instance: object) -> None:
    """Fail with every violation if ``instance`` does not satisfy the named schema."""
    contents = json.loads((SCHEMAS / f"{schema}.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(contents, registry=REGISTRY)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors


def batch(client: TestClient, queries: dict[str, Any], method: str = "get") -> dict[str, Any]:
    check("reconciliation-query-batch", queries)
    payload = {"queries": json.dumps(queries)}
    if method == "get":
        r = client.get("/reconcile", params=payload)
    else:
        r = client.post("/reconcile", data=payload)
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "*"
    check("reconciliation-result-batch", r.json())
    return r.json()


def top(client: TestClient, query: str, type_: str | None = None, **extra: Any) -> list[dict]:
    q: dict[str, Any] = {"query": query, **extra}
    if type_:
        q["type"] = type_
    return batch(client, {"q0": q})["q0"]["result"]


def assert_error(r: Any, status: int) -> None:
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["status"] == status and body["title"] and body["message"]


# ---------------------------------------------------------------- manifest


def test_manifest_is_valid_and_complete(client: TestClient) -> None:
    r = client.get("/reconcile")
    assert r.status_code == 200
    manifest = r.json()
    check("manifest", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/leongraph/resource/"
    assert manifest["schemaSpace"] == "https://w3id.org/leongraph/ontology#"
    assert manifest["view"]["url"].endswith("/resource/{{id}}")
    assert manifest["preview"]["url"].endswith("/reconcile/preview?id={{id}}")
    assert [t["id"] for t in manifest["defaultTypes"]] == [
        "Person",
        "FictionalCharacter",
        "Film",
        "Place",
        "Organisation",
        "PlotEvent",
    ]
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert manifest["extend"]["propose_properties"]["service_path"] == (
        "/reconcile/propose_properties"
    )


def test_jsonp_for_old_clients(client: TestClient) -> None:
    r = client.get("/reconcile", params={"callback": "jQuery123_456"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/javascript")
    text = r.text
    assert text.startswith("/**/jQuery123_456(") and text.endswith(");")
    check("manifest", json.loads(text[len("/**/jQuery123_456(") : -2]))
    assert_error(client.get("/reconcile", params={"callback": "alert(1)//"}), 400)


# ---------------------------------------------------------------- reconciliation


def test_batch_by_get_and_by_post_form_agree(client: TestClient) -> None:
    queries = {"a": {"query": "Jean Reno", "type": "Person"}, "b": {"query": "Tony"}}
    assert batch(client, queries, "get") == batch(client, queries, "post")


@pytest.mark.parametrize(
    ("query", "type_", "expected"),
    [
        ("Stan", "FictionalCharacter", "stansfield"),  # nickname
        ("Leon", "FictionalCharacter", "leon"),  # nickname without the accent
        ("LÉON", "FictionalCharacter", "leon"),  # case
        ("Leone Montana", None, "leon"),  # given + family name
        ("The Professional", "Film", "leon-the-professional"),  # alternative title
        ("leon: the professional", None, "leon-the-professional"),
        ("Éric Serra", "Person", "eric-serra"),
        ("eric serra", None, "eric-serra"),
    ],
)
def test_unambiguous_names_match(
    client: TestClient, query: str, type_: str | None, expected: str
) -> None:
    result = top(client, query, type_)
    assert result[0]["id"] == expected
    assert result[0]["match"] is True
    assert result[0]["score"] == 100
    assert not any(c["match"] for c in result[1:])


def test_an_ambiguous_name_matches_nothing(client: TestClient) -> None:
    """ "Leon" is both the character and the film's French title: without a type, no match."""
    result = top(client, "Leon")
    ids = [c["id"] for c in result]
    assert {"leon", "leon-the-professional"} <= set(ids[:2])
    assert not any(c["match"] for c in result)
    about = {c["id"]: c["description"] for c in result}  # what tells them apart
    assert about["leon"] == "fictional character, played by Jean Reno"
    assert about["leon-the-professional"] == "film (1994), directed by Luc Besson"


def test_misspelt_names_rank_first_without_matching(client: TestClient) -> None:
    for query, expected in [("Matilda", "mathilda"), ("Gary Oldmann", "gary-oldman")]:
        result = top(client, query)
        assert result[0]["id"] == expected
        assert 80 <= result[0]["score"] < 100
        assert result[0]["match"] is False
        features = {f["id"]: f["value"] for f in result[0]["features"]}
        assert features["exact_name"] is False


def test_type_restricts_candidates(client: TestClient) -> None:
    result = top(client, "Mathilda", "Person")
    assert "mathilda" not in [c["id"] for c in result]
    for c in top(client, "Mathilda", "FictionalCharacter"):
        assert "FictionalCharacter" in [t["id"] for t in c["type"]]


def test_subclasses_count_for_their_superclass(client: TestClient) -> None:
    result = top(client, "Little Italy", "Place")
    assert result[0]["id"] == "little-italy" and result[0]["match"]


def test_properties_confirm_or_contradict(client: TestClient) -> None:
    agree = top(client, "Natalie Portman", properties=[{"pid": "plays", "v": "Mathilda"}])
    assert agree[0]["id"] == "natalie-portman" and agree[0]["match"]
    assert {"id": "property:plays", "value": True} in agree[0]["features"]
    by_id = top(client, "Natalie Portman", properties=[{"pid": "plays", "v": {"id": "mathilda"}}])
    assert by_id[0]["match"]
    disagree = top(client, "Natalie Portman", properties=[{"pid": "plays", "v": "Tony"}])
    assert disagree[0]["id"] == "natalie-portman"
    assert disagree[0]["score"] < agree[0]["score"] and not disagree[0]["match"]


def test_limit(client: TestClient) -> None:
    assert len(top(client, "Mathilda", limit=2)) == 2


def test_single_query_parameter(client: TestClient) -> None:
    r = client.get("/reconcile", params={"query": "Gene Kelly"})
    assert r.status_code == 200 and r.json()["result"][0]["id"] == "gene-kelly"
    r = client.get("/reconcile", params={"query": json.dumps({"query": "Tony", "limit": 1})})
    assert [c["id"] for c in r.json()["result"]] == ["tony"]


def test_draft_json_batch(client: TestClient) -> None:
    body = {
        "queries": [
            {"query": "Stan", "type": "FictionalCharacter", "limit": 3},
            {"conditions": [{"matchType": "name", "propertyValue": "Jean Reno"}]},
        ]
    }
    r = client.post("/reconcile", json=body)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [res["candidates"][0]["id"] for res in results] == ["stansfield", "jean-reno"]
    assert all(c["score"] <= 100 for res in results for c in res["candidates"])


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"queries": "{not json"}, 400),
        ({"queries": "[1, 2]"}, 400),
        ({"queries": json.dumps({"q": 5})}, 400),
        ({"queries": json.dumps({"q": {"query": "x", "type": "Spaceship"}})}, 400),
        ({"queries": json.dumps({"q": {"query": "x", "type": ["Person", 7]}})}, 400),
        ({"queries": json.dumps({"q": {"query": "x", "limit": "many"}})}, 400),
        ({"queries": json.dumps({"q": {"query": "x", "limit": -1}})}, 400),
        ({"queries": json.dumps({"q": {"query": ""}})}, 400),
        ({"queries": json.dumps({"q": {"query": 12}})}, 400),
        ({"queries": json.dumps({"q": {"query": "x" * 5000}})}, 400),
        (
            {"queries": json.dumps({"q": {"query": "x", "properties": [{"pid": "nope", "v": 1}]}})},
            400,
        ),
        ({"queries": json.dumps({"q": {"query": "x", "properties": [{"v": 1}]}})}, 400),
        ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(101)})}, 413),
        ({"extend": "{}"}, 400),
        ({"extend": json.dumps({"ids": ["leon"], "properties": [{"id": "nope"}]})}, 400),
        ({"extend": json.dumps({"ids": ["leon"], "properties": "plays"})}, 400),
    ],
)
def test_bad_input_is_a_clear_4xx(client: TestClient, params: dict[str, str], status: int) -> None:
    assert_error(client.get("/reconcile", params=params), status)


def test_bad_bodies(client: TestClient) -> None:
    r = client.post("/reconcile", content=b"{oops", headers={"content-type": "application/json"})
    assert_error(r, 400)
    r = client.post("/reconcile", content=b"[]", headers={"content-type": "application/json"})
    assert_error(r, 400)
    r = client.post("/reconcile", content=b"<x/>", headers={"content-type": "application/xml"})
    assert_error(r, 415)
    r = client.post("/reconcile", json={"queries": [{"query": "x", "conditions": [3]}]})
    assert_error(r, 400)


# ---------------------------------------------------------------- suggest, preview, extend


def test_suggest_entity(client: TestClient) -> None:
    r = client.get("/reconcile/suggest/entity", params={"prefix": "sta"})
    check("suggest-entities-response", r.json())
    assert r.json()["result"][0]["id"] == "stansfield"
    r = client.get("/reconcile/suggest/entity", params={"prefix": "nat", "type": "Person"})
    assert [e["id"] for e in r.json()["result"]] == ["natalie-portman"]
    assert_error(client.get("/reconcile/suggest/entity", params={"prefix": "a", "type": "X"}), 400)


def test_suggest_type_and_property(client: TestClient) -> None:
    r = client.get("/reconcile/suggest/type", params={"prefix": "fict"})
    check("suggest-types-response", r.json())
    assert r.json()["result"][0] == {"id": "FictionalCharacter", "name": "fictional character"}
    r = client.get("/reconcile/suggest/property", params={"prefix": "dir"})
    check("suggest-properties-response", r.json())
    assert {"id": "director", "name": "director"} in r.json()["result"]


def test_preview(client: TestClient) -> None:
    r = client.get("/reconcile/preview", params={"id": "natalie-portman"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Natalie Portman" in r.text and "/resource/natalie-portman" in r.text
    assert "Q37876" in r.text  # the verified Wikidata link
    assert_error(client.get("/reconcile/preview", params={"id": "<script>"}), 404)


def test_extend(client: TestClient) -> None:
    query = {
        "ids": ["leon-the-professional", "natalie-portman", "not-an-entity"],
        "properties": [{"id": "director"}, {"id": "plays"}, {"id": "release"}],
    }
    check("data-extension-query", query)
    r = client.post("/reconcile", data={"extend": json.dumps(query)})
    assert r.status_code == 200, r.text
    body = r.json()
    check("data-extension-response", body)
    rows = body["rows"]
    assert rows["leon-the-professional"]["director"] == [{"id": "luc-besson", "name": "Luc Besson"}]
    assert rows["natalie-portman"]["plays"] == [{"id": "mathilda", "name": "Mathilda"}]
    assert len(rows["leon-the-professional"]["release"]) == 2
    assert rows["not-an-entity"] == {"director": [], "plays": [], "release": []}


def test_extend_literals_and_limit(client: TestClient) -> None:
    query = {
        "ids": ["release-france", "mathilda", "leon-the-professional"],
        "properties": [
            {"id": "releaseDate"},
            {"id": "age"},
            {"id": "release", "settings": {"limit": 1}},
        ],
    }
    body = client.get("/reconcile", params={"extend": json.dumps(query)}).json()
    check("data-extension-response", body)
    assert body["rows"]["release-france"]["releaseDate"] == [{"date": "1994-09-14T00:00:00Z"}]
    assert body["rows"]["mathilda"]["age"] == [{"int": 12}]
    assert len(body["rows"]["leon-the-professional"]["release"]) == 1


def test_propose_properties(client: TestClient) -> None:
    r = client.get("/reconcile/propose_properties", params={"type": "Film", "limit": 50})
    body = r.json()
    check("data-extension-property-proposal", body)
    ids = [p["id"] for p in body["properties"]]
    assert {"director", "starring", "release"} <= set(ids)
    assert_error(client.get("/reconcile/propose_properties", params={"type": "Nope"}), 400)


def test_index_is_built_once_at_start_up(client: TestClient) -> None:
    first = client.app.leongraph.derived.__dict__["reconciliation_index"]  # type: ignore[attr-defined]
    assert first is not None and "natalie-portman" in first.entities  # before any request
    client.get("/reconcile")
    client.get("/reconcile/suggest/entity", params={"prefix": "a"})
    assert client.app.leongraph.reconciliation_index() is first  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the credits table


def test_credits_table_precision_and_recall(client: TestClient) -> None:
    """A 20-row credits table with misspellings, accents stripped, nicknames and one person
    who is not in the film. An automatic match that is wrong costs a curator far more than a
    missed one, so automatic matches must be exact (precision 1.0); the best candidate must be
    right for nearly every row (at most one miss in 19), so a curator's one click suffices."""
    rows = list(csv.DictReader(CREDITS.open(encoding="utf-8")))
    assert len(rows) == 20
    queries = {}
    for i, row in enumerate(rows):
        q: dict[str, Any] = {"query": row["name"], "limit": 3}
        if row["type"]:
            q["type"] = row["type"]
        queries[f"q{i}"] = q
    results = batch(client, queries, "post")
    expected = {f"q{i}": row["expected"] or None for i, row in enumerate(rows)}
    present = sum(1 for e in expected.values() if e)

    auto = {
        k: r["result"][0]["id"]
        for k, r in results.items()
        if r["result"] and r["result"][0]["match"]
    }
    auto_right = sum(1 for k, v in auto.items() if expected[k] == v)
    best = {
        k: r["result"][0]["id"]
        for k, r in results.items()
        if r["result"] and r["result"][0]["score"] >= 80
    }
    best_right = sum(1 for k, v in best.items() if expected[k] == v)

    auto_precision, auto_recall = auto_right / len(auto), auto_right / present
    best_precision, best_recall = best_right / len(best), best_right / present
    print(
        f"\ncredits ({len(rows)} rows, {present} in the graph): "
        f"automatic match precision {auto_precision:.2f} recall {auto_recall:.2f}; "
        f"best candidate (score >= 80) precision {best_precision:.2f} recall {best_recall:.2f}"
    )
    assert auto_precision == 1.0
    assert auto_recall >= 0.6  # the exact names: every misspelling is left to a person
    assert best_precision >= 0.95
    assert best_recall >= 0.94
    willis = next(k for k, r in zip(queries, rows, strict=True) if r["name"] == "Bruce Willis")
    assert expected[willis] is None and willis not in best  # nobody scores 80


def test_cors_preflight_and_errors_allow_any_origin(client: TestClient) -> None:
    r = client.options(
        "/reconcile",
        headers={"Origin": "http://localhost:3333", "Access-Control-Request-Method": "POST"},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.get("/reconcile/preview", params={"id": "nobody"}, headers={"Origin": "http://x"})
    assert r.status_code == 404 and r.headers["access-control-allow-origin"] == "*"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
QUERY_KEYS = st.sampled_from(["query", "type", "limit", "properties", "type_strict", "pid", "v"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batch=st.dictionaries(
        st.text(max_size=5), st.dictionaries(QUERY_KEYS, JSON_VALUES, max_size=4), max_size=3
    )
    | JSON_VALUES,
    extend=JSON_VALUES,
)
def test_any_json_gets_an_answer_or_a_4xx(
    client: TestClient, batch: object, extend: object
) -> None:
    for params in ({"queries": json.dumps(batch)}, {"extend": json.dumps(extend)}):
        r = client.post("/reconcile", data=params)
        assert r.status_code in (200, 400, 413), r.text
        if r.status_code == 200 and "queries" in params:
            check("reconciliation-result-batch", r.json())
    r = client.post("/reconcile", json=batch)
    assert r.status_code in (200, 400, 413), r.text
    for constant in ("NaN", "Infinity", "-Infinity"):
        r = client.post(
            "/reconcile", data={"queries": '{"q": {"query": "x", "limit": ' + constant + "}}"}
        )
        assert r.status_code == 400, r.text


def test_wikidata_property_ids_stand_for_the_leon_properties(client: TestClient) -> None:
    """Columns already named after Wikidata (P57 director, P175 performer) work as they are."""
    result = top(client, "The Professional", "Film", properties=[{"pid": "P57", "v": "Luc Besson"}])
    assert result[0]["id"] == "leon-the-professional" and result[0]["match"]
    assert {"id": "property:director", "value": True} in result[0]["features"]
    query = {
        "ids": ["leon", "leon-the-professional"],
        "properties": [{"id": "P175"}, {"id": "wdt:P57"}],
    }
    body = client.post("/reconcile", data={"extend": json.dumps(query)}).json()
    check("data-extension-response", body)
    assert body["rows"]["leon"]["P175"] == [{"id": "jean-reno", "name": "Jean Reno"}]
    assert body["rows"]["leon-the-professional"]["wdt:P57"] == [
        {"id": "luc-besson", "name": "Luc Besson"}
    ]
    assert_error(
        client.get(
            "/reconcile",
            params={"extend": json.dumps({"ids": [], "properties": [{"id": "P999999"}]})},
        ),
        400,
    )
