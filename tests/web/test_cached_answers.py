"""The answer cache over HTTP: X-Cache and ETag, a hit answered by the hot path with the headers
of the full stack, never a stale answer after an update (both engines), nothing kept from a
query that timed out, the figures in /healthz, and the setting that turns it off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset

from leongraph.config import Settings
from leongraph.edits.tokens import TokenFile
from leongraph.engine import Store, from_dataset
from leongraph.web.app import create_app

SELECT = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 40"
FULL_STACK = {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}


@contextmanager
def app_client(store: Store, **overrides: object) -> Iterator[TestClient]:
    settings = Settings(engine=store.engine).replace(**overrides)
    with TestClient(create_app(settings, store)) as c:
        yield c


def stats(c: TestClient) -> dict[str, object]:
    cache: dict[str, object] = c.get("/healthz").json()["answer_cache"]
    return cache


def test_a_repeated_query_is_a_hit(client: TestClient) -> None:
    url = "/sparql?" + urlencode({"query": SELECT})
    first = client.get(url)
    again = client.get(url)
    assert first.headers["x-cache"] == "miss" and again.headers["x-cache"] == "hit"
    assert first.content == again.content
    assert first.headers["etag"] == again.headers["etag"]
    assert first.headers["etag"].startswith('W/"')
    # the same text with another comment and other spacing, sent another way: a hit too
    other = client.post(
        "/sparql",
        content=("# hello\n" + SELECT.replace(" ", "  ")).encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert other.headers["x-cache"] == "hit" and other.content == first.content
    # another format is another answer
    csv = client.get(url, headers={"Accept": "text/csv"})
    assert csv.headers["x-cache"] == "miss" and csv.headers["etag"] != first.headers["etag"]
    # a client holding the answer gets 304
    r = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 304


@pytest.mark.parametrize(
    "headers",
    [{}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip"}, {"Accept": "text/csv"}],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_hit_has_the_headers_of_the_full_stack(
    client: TestClient, method: str, headers: dict[str, str]
) -> None:
    def ask(extra: dict[str, str]) -> object:
        if method == "GET":
            url = "/sparql?" + urlencode({"query": SELECT})
            return client.get(url, headers={**headers, **extra})
        return client.post("/sparql", data={"query": SELECT}, headers={**headers, **extra})

    ask({})
    hit, full = ask({}), ask(FULL_STACK)
    assert hit.headers["x-cache"] == full.headers["x-cache"] == "hit"  # type: ignore[attr-defined]
    skipped = ("date", "content-length")
    assert {k: v for k, v in hit.headers.items() if k not in skipped} == {  # type: ignore[attr-defined]
        k: v
        for k, v in full.headers.items()  # type: ignore[attr-defined]
        if k not in skipped
    }
    assert hit.content == full.content  # type: ignore[attr-defined]


@pytest.fixture
def private_store(dataset: Dataset, store: Store) -> Store:
    copy = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        copy.graph(g if g is not None else copy.default_graph.identifier).add((s, p, o))
    return from_dataset(copy, engine=store.engine)


def test_no_stale_answer_after_an_update(private_store: Store, tmp_path: Path) -> None:
    """Two identical queries with an update between them: the second sees the update."""
    tokens = tmp_path / "tokens.json"
    auth = {"Authorization": f"Bearer {TokenFile(tokens).create('tester')}"}
    graph = "https://w3id.org/leongraph/graph/test-cache"
    ask = f"ASK {{ GRAPH <{graph}> {{ <urn:a> <urn:b> ?o }} }}"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with app_client(private_store, allow_updates=True, workers=2, tokens_path=tokens) as c:
        for _ in range(2):  # a hit before the update
            before = c.post(
                "/sparql", content=ask, headers={"Content-Type": "application/sparql-query"}
            )
        assert before.headers["x-cache"] == "hit" and before.json()["boolean"] is False
        n = c.get("/sparql", params={"query": count}).json()
        assert c.get("/sparql", params={"query": count}).headers["x-cache"] == "hit"
        insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "1" }} }}'
        assert c.post("/sparql", data={"update": insert}, headers=auth).status_code == 200
        assert stats(c)["entries"] == 0
        after = c.post("/sparql", content=ask, headers={"Content-Type": "application/sparql-query"})
        assert after.headers["x-cache"] == "miss" and after.json()["boolean"] is True
        assert after.headers["etag"] != before.headers["etag"]
        counted = c.get("/sparql", params={"query": count})
        assert counted.headers["x-cache"] == "miss" and counted.json() != n


def test_a_timed_out_query_leaves_no_entry(store: Store) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with app_client(store, timeout=0.5, workers=1) as c:
        for _ in range(2):
            r = c.get("/sparql", params={"query": slow})
            assert r.status_code == 503 and "x-cache" not in r.headers
        figures = stats(c)
        assert figures["entries"] == 0 and figures["bytes"] == 0


def test_errors_and_truncated_answers_are_not_kept(store: Store) -> None:
    with app_client(store, max_rows=5, workers=1) as c:
        for _ in range(2):
            r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
            assert r.headers["x-leongraph-truncated"] == "true"
            assert r.headers["x-cache"] == "miss"
            assert c.get("/sparql", params={"query": "SELECT ?s WHERE {"}).status_code == 400
        assert stats(c)["entries"] == 0


def test_healthz_shows_the_cache(client: TestClient) -> None:
    query = "ASK { res:mathilda ?p ?o }"
    for _ in range(3):
        client.get("/sparql", params={"query": query})
    figures = stats(client)
    assert figures["enabled"] is True and figures["max_bytes"] == 64 * 2**20
    assert int(figures["entries"]) >= 1 and int(figures["bytes"]) > 0  # type: ignore[call-overload]
    assert int(figures["hits"]) >= 2 and 0 < float(figures["hit_rate"]) <= 1  # type: ignore[arg-type]


def test_off_at_zero(store: Store) -> None:
    with app_client(store, answer_cache_mb=0, workers=1) as c:
        for _ in range(2):
            r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert r.status_code == 200 and "x-cache" not in r.headers
        assert stats(c)["enabled"] is False and stats(c)["entries"] == 0
