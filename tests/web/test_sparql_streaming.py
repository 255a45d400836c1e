"""Streamed answers over HTTP (web/streaming.py): the body is the whole answer, whichever way it
is asked and whether gzipped or not; the headers say it is streamed and nothing is cached; on a
real server, an answer cut by the deadline ends without its last chunk (an error for the
client), and a client that leaves mid-answer gets its worker killed. The frame is made small
so that the bundled graph gives long answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from support import plan, process_gone, serving_in_thread

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.sparql.evaluation import execute
from leongraph.sparql.workers import ProcessExecutor
from leongraph.sparql.workers import stream as stream_module
from leongraph.web.app import create_app

FRAME = 1 << 16
ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3000"
TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3000"
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture(autouse=True)
def small_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_module, "FRAME", FRAME)


def _settings(store: Store, **overrides: object) -> Settings:
    return Settings(engine=store.engine, workers=1, timeout=30.0, max_rows=2500).replace(
        **overrides
    )


@contextmanager
def app_client(store: Store, **overrides: object) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(store, **overrides), store)) as c:
        yield c


@pytest.mark.parametrize(("text", "fmt"), [(ROWS, "json"), (ROWS, "csv"), (TRIPLES, "nt")])
def test_a_streamed_body_is_the_whole_answer_and_is_not_cached(
    store: Store, text: str, fmt: str
) -> None:
    whole = execute(store, plan(text, _settings(store), format=fmt))
    with app_client(store) as c:
        url = "/sparql?" + urlencode({"query": text, "format": fmt})
        first = c.get(url, headers=IDENTITY)
        again = c.post(  # the hot path (no conditional header) and the full stack alike
            "/sparql",
            data={"query": text, "format": fmt},
            headers={**IDENTITY, "Origin": "http://example.org"},
        )
        zipped = c.get(url, headers={"Accept-Encoding": "gzip"})
        cache = c.get("/healthz").json()["answer_cache"]
    for response in (first, again, zipped):
        assert response.status_code == 200
        assert response.content == whole.body
        assert response.headers["x-leongraph-streamed"] == "true"
        assert response.headers["x-cache"] == "miss"
        assert "x-leongraph-truncated" not in response.headers  # known only at the end
    assert "content-length" not in first.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert cache["entries"] == 0 and cache["refused"] >= 3
    if fmt == "json":  # the cap still says so, at the end of the body
        assert first.content.endswith(b',"leongraph":{"truncated":true,"max_rows":2500}}')
    if fmt == "csv":
        assert first.content.count(b"\r\n") == 2500 + 1  # the header, then the rows allowed


def test_a_short_answer_keeps_its_headers(store: Store) -> None:
    with app_client(store, max_rows=3) as c:
        response = c.get("/sparql", params={"query": ROWS, "format": "csv"}, headers=IDENTITY)
    assert response.headers["x-leongraph-truncated"] == "true"
    assert "x-leongraph-streamed" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.content.count(b"\r\n") == 3 + 1


@contextmanager
def served(store: Store, **overrides: object) -> Iterator[tuple[str, ProcessExecutor]]:
    app = create_app(_settings(store, max_rows=10**9, **overrides), store)
    with serving_in_thread(app) as url:
        executor = app.leongraph.executor  # type: ignore[attr-defined]
        assert isinstance(executor, ProcessExecutor)
        executor.warm_up()
        yield url, executor


@pytest.mark.slow
def test_the_deadline_cuts_a_streamed_answer(store: Store, wait_until: Callable[..., None]) -> None:
    with served(store, timeout=2.0) as (url, executor):
        (worker,) = executor._idle
        received = 0
        start = time.monotonic()
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream(
                "GET",
                url + "/sparql",
                params={"query": ENDLESS, "format": "tsv"},
                headers=IDENTITY,
                timeout=30,
            ) as response,
        ):
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                received += len(chunk)
        assert 2.0 <= time.monotonic() - start < 2.0 + 8
        assert received >= FRAME
        wait_until(lambda: process_gone(worker.pid), what="the worker killed")
        # the next query gets a new worker
        assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.slow
def test_a_client_leaving_mid_answer_gets_its_worker_killed(
    store: Store, wait_until: Callable[..., None]
) -> None:
    with served(store) as (url, executor):
        (worker,) = executor._idle
        host, port = url.removeprefix("http://").split(":")
        target = "/sparql?" + urlencode({"query": ENDLESS, "format": "csv"})
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            received = b""
            while len(received) < 2 * FRAME:
                chunk = sock.recv(1 << 16)
                assert chunk, "the server closed the connection"
                received += chunk
        assert received.startswith(b"HTTP/1.1 200")
        wait_until(lambda: process_gone(worker.pid), what="the worker killed")  # not the deadline
        wait_until(lambda: executor._count == 0, what="the worker given up")
