"""The hot path of /sparql (web/hotpath.py) answers exactly as the full stack does: same status,
headers and body for every way of asking, errors included; and it is the path queries take."""

from __future__ import annotations

import gzip
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from leongraph.web import hotpath

#: Sends a request down the full stack without changing its answer (data is newer than 1970).
FULL_STACK = {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}
SELECT = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 40"
CONSTRUCT = "CONSTRUCT { res:mathilda ?p ?o } WHERE { res:mathilda ?p ?o }"
ASK = "ASK { res:mathilda ?p ?o }"

CASES = {
    "get json": ("GET", SELECT, {"Accept": "application/sparql-results+json"}),
    "get xml": ("GET", SELECT, {"Accept": "application/sparql-results+xml"}),
    "get csv": ("GET", SELECT, {"Accept": "text/csv"}),
    "get tsv, no gzip": (
        "GET",
        SELECT,
        {"Accept": "text/tab-separated-values", "Accept-Encoding": "identity"},
    ),
    "get ask": ("GET", ASK, {}),
    "get construct turtle": ("GET", CONSTRUCT, {"Accept": "text/turtle"}),
    "get construct json-ld": ("GET", CONSTRUCT, {"Accept": "application/ld+json"}),
    "post form": ("FORM", SELECT, {"Accept": "application/sparql-results+json"}),
    "post direct": ("DIRECT", SELECT, {"Accept": "text/csv"}),
    "format parameter": ("GET", SELECT + "&format=xml", {}),
    "label language": ("GET", SELECT, {"Accept-Language": "fr"}),
    "syntax error": ("GET", "SELECT ?s WHERE {", {}),
    "not acceptable": ("GET", SELECT, {"Accept": "image/png"}),
    "unknown format": ("GET", SELECT + "&format=nonsense", {}),
    "text error": ("DIRECT", "SELEKT", {"Accept": "text/plain"}),
}


def _send(client: TestClient, how: str, query: str, headers: dict[str, str]) -> httpx.Response:
    if how == "GET":
        text, _, extra = query.partition("&")
        url = "/sparql?" + urlencode({"query": text}) + ("&" + extra if extra else "")
        return client.get(url, headers=headers)
    if how == "FORM":
        return client.post("/sparql", data={"query": query}, headers=headers)
    return client.post(
        "/sparql",
        content=query.encode(),
        headers={**headers, "Content-Type": "application/sparql-query"},
    )


@pytest.mark.parametrize("case", CASES)
def test_the_hot_path_answers_as_the_full_stack(
    case: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    how, query, headers = CASES[case]
    taken: list[bool] = []
    original = hotpath.HotPath._answer

    async def spy(*args: Any) -> None:
        taken.append(True)
        await original(*args)

    monkeypatch.setattr(hotpath.HotPath, "_answer", spy)
    fast = _send(client, how, query, headers)
    fast_taken = bool(taken)
    full = _send(client, how, query, {**headers, **FULL_STACK})
    assert fast.status_code == full.status_code
    if fast.status_code == 200:
        assert fast_taken, "a successful query should be answered by the hot path"
        assert len(taken) == 1, "If-Modified-Since must send a request down the full stack"
    else:
        assert not fast_taken, "errors are rendered by the full stack"

    def comparable(r: httpx.Response) -> dict[str, str]:
        skipped = ("date", "content-length", "x-cache")  # the first asking fills the cache
        return {k: v for k, v in r.headers.items() if k not in skipped}

    assert comparable(fast) == comparable(full)
    assert fast.content == full.content  # httpx has undone any gzip


def test_big_answers_are_gzipped_for_clients_that_ask(client: TestClient) -> None:
    url = "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 200"})
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
    assert r.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in r.headers["vary"]
    assert int(r.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw).startswith(b"{")


def test_a_body_past_the_limit_is_refused(client: TestClient) -> None:
    limit = client.app.leongraph.settings.max_body_bytes  # type: ignore[attr-defined]
    r = client.post(
        "/sparql",
        content=b"#" * (limit + 10),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["status"] == 413


def test_cors_requests_keep_their_headers(client: TestClient) -> None:
    url = "/sparql?" + urlencode({"query": ASK})
    r = client.get(url, headers={"Origin": "https://example.org"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"


def test_a_repeated_request_is_read_and_checked_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leongraph.sparql import pipeline

    calls: list[str] = []
    original = pipeline.prepare

    def counting(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(request.query)
        return original(request, *args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", counting)
    url = "/sparql?" + urlencode({"query": ASK})
    answers = [client.get(url).json() for _ in range(3)]
    assert answers == [{"head": {}, "boolean": True}] * 3
    assert len(calls) == 1
    assert client.get(url, headers={"Accept": "text/csv"}).status_code == 200
    assert len(calls) == 2  # other headers, another plan


def test_a_long_answer_is_compressed_off_the_event_loop(client: TestClient) -> None:
    from leongraph.web.app import GZIP_THREAD_MINIMUM

    query = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 4000"
    url = "/sparql?" + urlencode({"query": query, "format": "xml"})
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert len(gzip.decompress(raw)) >= GZIP_THREAD_MINIMUM


def test_the_same_query_in_another_text_is_planned_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Texts that differ in comments and spacing share one plan (the label rewrite and the
    checks run once); a text that fails still gets its own error."""
    from leongraph.sparql import pipeline

    calls: list[str] = []
    original = pipeline.prepare

    def counting(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(request.query)
        return original(request, *args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", counting)
    headers = {"Content-Type": "application/sparql-query"}
    for i in range(3):
        text = f"# request {i}\nASK {{ res:mathilda  ?p ?o }} # {i}"
        r = client.post("/sparql", content=text.encode(), headers=headers)
        assert r.json() == {"head": {}, "boolean": True}
    assert len(calls) == 1
    for i in range(2):  # each error names its own line
        text = "# comment\n" * (i + 1) + "ASK { ?s "
        r = client.post("/sparql", content=text.encode(), headers=headers)
        assert r.status_code == 400 and r.json()["error"]["line"] == i + 2
    assert len(calls) == 3
