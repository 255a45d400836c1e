"""No query can make the server read anything it was not configured to read.

A real HTTP server on 127.0.0.1 counts every request it gets and would answer with data; the
endpoint is sent every construct that could fetch (FROM, FROM NAMED, SERVICE, SERVICE SILENT,
LOAD, dataset parameters, file: IRIs naming a real file) on both engines. The canary must see
zero requests, and each answer must be the documented error or an empty result. A control test
shows the engines themselves do fetch, so a silent canary means the guard works."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.web.app import create_app

SECRET = "canary-secret-7f3a"
TURTLE = f'<urn:canary:s> <urn:canary:p> "{SECRET}" .\n'.encode()
RESULTS = (
    '{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"'
    + SECRET
    + '"}}]}}'
).encode()


class Canary:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self._lock = threading.Lock()
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                with canary._lock:
                    canary.requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                sparql = "sparql" in self.path
                body = RESULTS if sparql else TURTLE
                self.send_response(200)
                self.send_header(
                    "Content-Type", "application/sparql-results+json" if sparql else "text/turtle"
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    c = Canary()
    yield c
    c.close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.ttl"
    path.write_bytes(TURTLE)
    return path


def _assert_no_secret(response) -> None:
    assert SECRET not in response.text


def test_the_canary_counts_requests(canary: Canary) -> None:
    import urllib.request

    before = len(canary.requests)
    with urllib.request.urlopen(canary.url + "/probe", timeout=5) as r:
        assert SECRET.encode() in r.read()
    assert len(canary.requests) == before + 1


def test_control_the_engines_do_fetch_when_unguarded(canary: Canary, store: Store) -> None:
    """Without the endpoint's checks, SERVICE reaches the canary: the guard is what stops it."""
    before = len(canary.requests)
    query = f"SELECT ?o WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
    # The engine may fail to read the canary's answer; what matters is that it asked.
    with contextlib.suppress(Exception):
        list(store.query(query).rows())
    assert len(canary.requests) > before


def _queries(url: str, file_iri: str) -> list[tuple[str, dict[str, str], int]]:
    """(query, extra parameters, expected status) — 200 means an empty answer."""
    count = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
    graphs = "SELECT ?g {from} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    return [
        (count.format(**{"from": f"FROM <{url}/data.ttl>"}), {}, 200),
        (graphs.format(**{"from": f"FROM NAMED <{url}/data.ttl>"}), {}, 200),
        (count.format(**{"from": f"FROM <{file_iri}>"}), {}, 200),
        (graphs.format(**{"from": f"FROM NAMED <{file_iri}>"}), {}, 200),
        (count.format(**{"from": ""}), {"default-graph-uri": f"{url}/data.ttl"}, 200),
        (graphs.format(**{"from": ""}), {"named-graph-uri": f"{url}/data.ttl"}, 200),
        (count.format(**{"from": ""}), {"default-graph-uri": file_iri}, 200),
        (graphs.format(**{"from": ""}), {"named-graph-uri": file_iri}, 200),
        (f"ASK {{ <{url}/data.ttl> ?p ?o }}", {}, 200),
        (f"DESCRIBE <{url}/data.ttl>", {}, 200),
        (f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", {}, 400),
        (f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}", {}, 400),
        (f"SELECT * WHERE {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}", {}, 400),
        (f"SELECT * WHERE {{ SERV\\u0049CE <{url}/sparql> {{ ?s ?p ?o }} }}", {}, 400),
        (f"SELECT * WHERE {{ SERVICE <{file_iri}> {{ ?s ?p ?o }} }}", {}, 400),
        (
            f"SELECT * WHERE {{ VALUES ?e {{ <{url}/sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
            {},
            400,
        ),
        (
            f"PREFIX c: <{url}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
            {},
            400,
        ),
        (
            f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} }}",
            {},
            400,
        ),
        (
            "SELECT ?l WHERE { ?s rdfs:label ?l . "
            f"SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} LIMIT 1",
            {"format": "csv"},
            400,
        ),
        (f"LOAD <{url}/data.ttl>", {}, 400),
    ]


@pytest.mark.parametrize("case", range(20))
def test_queries_never_reach_the_canary(
    client, canary: Canary, secret_file: Path, case: int
) -> None:
    cases = _queries(canary.url, secret_file.as_uri())
    assert len(cases) == 20
    query, extra, status = cases[case]
    before = len(canary.requests)
    r = client.get("/sparql", params={"query": query, **extra})
    assert r.status_code == status, r.text
    if status == 200:
        _assert_no_secret(r)
        if "COUNT" in query:
            assert r.json()["results"]["bindings"][0]["n"]["value"] == "0"
        elif "GRAPH ?g" in query:
            assert r.json()["results"]["bindings"] == []
    else:
        assert r.json()["error"]["status"] == status
    post = client.post("/sparql", data={"query": query, **extra})
    assert post.status_code == status
    assert canary.requests[before:] == []


@pytest.mark.parametrize("allow_updates", [False, True])
def test_updates_never_reach_the_canary(
    store: Store, canary: Canary, secret_file: Path, allow_updates: bool
) -> None:
    settings = Settings(engine=store.engine, allow_updates=allow_updates)
    before = len(canary.requests)
    updates = [
        f"LOAD <{canary.url}/data.ttl>",
        f"LOAD SILENT <{canary.url}/data.ttl> INTO GRAPH <urn:g>",
        f"LOAD <{secret_file.as_uri()}>",
        f"load silent <{secret_file.as_uri()}>",
        f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} ; LOAD <{canary.url}/data.ttl>",
    ]
    with TestClient(create_app(settings, store)) as c:
        for update in updates:
            r = c.post("/sparql", data={"update": update})
            assert r.status_code == 403, r.text
            assert r.json()["error"]["status"] == 403
        service = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
        r = c.post(
            "/sparql",
            content=service.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
        assert r.status_code == (400 if allow_updates else 403)
    assert canary.requests[before:] == []
