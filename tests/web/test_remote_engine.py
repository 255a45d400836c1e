"""A front over a remote engine when the engine fails, is slow, or is shared: 502 naming it,
/healthz reporting it, recovery by itself; the timeout's 503; two fronts over one engine."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import EngineServer, engine_server, load_bundled
from fastapi.testclient import TestClient

from leongraph.config import Settings
from leongraph.edits.tokens import TokenFile
from leongraph.engine import RemoteStore
from leongraph.web import state as state_module
from leongraph.web.app import create_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def front(store: RemoteStore, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(engine="remote").replace(**settings), store))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EngineServer]:
    yield from engine_server(tmp_path / "engine", "--timeout-s", "3")


def test_engine_killed_mid_load_gives_502_then_recovers(
    engine: EngineServer, wait_until: Callable[..., None]
) -> None:
    store = load_bundled(engine)
    statuses: list[int] = []
    stop = threading.Event()
    with front(store) as c:

        def load() -> None:  # clients keep querying while the engine dies and comes back
            while not stop.is_set():
                statuses.append(c.get("/sparql", params={"query": COUNT}).status_code)

        threads = [threading.Thread(target=load) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda: statuses.count(200) >= 5, 10, "answers before the kill")
            engine.stop()
            wait_until(lambda: 502 in statuses, 10, "a 502 while the engine is down")
            r = c.get("/sparql", params={"query": COUNT})
            assert r.status_code == 502
            error = r.json()["error"]
            assert error["title"] == "Engine unavailable" and engine.query in error["message"]
            assert error["engine"] == engine.query
            health = c.get("/healthz")
            assert health.status_code == 503 and health.json()["endpoint"] == engine.query
            assert c.get("/resource/leon").status_code == 502  # pages too: no 500
            engine.start()
            answered = len(statuses)
            wait_until(lambda: statuses[answered:].count(200) >= 5, 20, "answers after restart")
        finally:
            stop.set()
            for t in threads:
                t.join()
        assert set(statuses) <= {200, 502, 504}, set(statuses)
        health = c.get("/healthz").json()
        assert (health["status"], health["engine"], health["endpoint"]) == (
            "ok",
            "remote",
            engine.query,
        )
        assert health["quads"] == len(store)


def test_a_slow_query_is_a_503_and_the_front_keeps_answering(engine: EngineServer) -> None:
    store = load_bundled(engine)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with front(store, timeout=0.5) as c:
        r = c.get("/sparql", params={"query": slow})
        assert r.status_code == 503
        assert r.json()["error"]["title"] == "Query timeout"
        assert engine.query in r.json()["error"]["message"]
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_two_fronts_over_one_engine_see_each_others_writes(
    engine: EngineServer, tmp_path: Path
) -> None:
    load_bundled(engine)
    graph = "https://w3id.org/leongraph/graph/shared"
    one = RemoteStore.open(engine.query, engine.update)
    two = RemoteStore.open(engine.query, engine.update)
    tokens = tmp_path / "tokens.json"
    auth = {"Authorization": f"Bearer {TokenFile(tokens).create('front')}"}
    edits = {"allow_updates": True, "tokens_path": tokens}
    with front(one, **edits) as a, front(two, **edits) as b:
        before = b.get("/healthz").json()["triples"]
        for writer, reader, name in ((a, b, "a"), (b, a, "b")):
            insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:{name}> rdfs:label "{name}" }} }}'
            assert writer.post("/sparql", data={"update": insert}, headers=auth).status_code == 204
            ask = f'ASK {{ <urn:{name}> rdfs:label "{name}" }}'  # the default graph: the union
            assert reader.get("/sparql", params={"query": ask}).json()["boolean"] is True
        assert b.get("/healthz").json()["triples"] == before + 2
        assert a.get("/sparql", params={"query": f"ASK {{ GRAPH <{graph}> {{}} }}"}).is_success


def test_a_url_that_is_no_sparql_endpoint_is_refused(engine: EngineServer) -> None:
    with pytest.raises(Exception, match="is not a SPARQL endpoint"):
        RemoteStore.open(engine.query.removesuffix("query"))


def test_a_write_made_behind_the_front_reaches_its_etags_without_blocking_a_request(
    engine: EngineServer, monkeypatch: pytest.MonkeyPatch, wait_until: Callable[..., None]
) -> None:
    store = load_bundled(engine)
    monkeypatch.setattr(state_module, "REFRESH", 0.2)
    behind = RemoteStore.open(engine.query, engine.update)  # another writer, not this front
    with front(store) as c:
        tag = c.get("/resource/leon").headers["etag"]
        answered = []
        asked = threading.Event()

        def slow_count() -> dict[str, int]:  # the engine slow to count: requests don't wait
            asked.set()
            time.sleep(1.5)
            return real_count()

        real_count = store.graph_sizes
        monkeypatch.setattr(store, "graph_sizes", slow_count)
        assert asked.wait(5)
        started = time.monotonic()
        answered.append(c.get("/resource/leon").headers["etag"])
        assert time.monotonic() - started < 1.0
        monkeypatch.setattr(store, "graph_sizes", real_count)
        assert answered == [tag]
        behind.update('INSERT DATA { GRAPH <urn:g> { <urn:x> rdfs:label "x" } }')
        wait_until(lambda: c.get("/resource/leon").headers["etag"] != tag, 10, "a new ETag")
