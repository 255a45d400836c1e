"""The timeout really stops pathological queries, on a real uvicorn server: the query's client
gets 503 with the error body after ``timeout`` seconds, while a second client keeps getting
answers; the killed worker is replaced; a query past its memory cap is stopped too."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from rdflib import Dataset
from support import serving_in_thread

from leongraph.config import Settings
from leongraph.engine import Store, from_dataset
from leongraph.web.app import create_app

#: Timed against a real server: the guarantee itself, with bounds a loaded machine meets.
pytestmark = pytest.mark.slow

TIMEOUT = 2.0
VALUES = " ".join(str(i) for i in range(3000))
PATHOLOGICAL = {
    "cross-product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "property-path": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s (<urn:p>|!<urn:p>)* ?o . "
        "?o (<urn:p>|!<urn:p>)* ?x . ?x (<urn:p>|!<urn:p>)* ?y }"
    ),
    "huge-values": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?v {{ {VALUES} }} ?a ?b ?c . ?d ?e ?f }}"
    ),
}
QUICK = "SELECT ?s WHERE { ?s a leon:Film } LIMIT 1"


SERVED: dict[str, Any] = {}


@contextmanager
def serving(store: Store, **overrides: object) -> Iterator[str]:
    """A real uvicorn server for ``store`` in a thread, on a port the system picks; yields its
    base URL (its app is ``SERVED["app"]`` meanwhile)."""
    settings = Settings(engine=store.engine, timeout=TIMEOUT, workers=2).replace(**overrides)
    app = SERVED["app"] = create_app(settings, store)
    with serving_in_thread(app) as url:
        yield url


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_query_is_stopped_while_others_are_served(
    store: Store, name: str, capsys: pytest.CaptureFixture[str], wait_until: Callable[..., None]
) -> None:
    with serving(store) as url:
        with httpx.Client(base_url=url, timeout=30) as warm:  # fork both workers first
            assert warm.get("/sparql", params={"query": QUICK}).status_code == 200

        outcome: dict[str, object] = {}

        def slow() -> None:
            start = time.perf_counter()
            with httpx.Client(base_url=url, timeout=30) as c:
                r = c.get("/sparql", params={"query": PATHOLOGICAL[name]})
            outcome["elapsed"] = time.perf_counter() - start
            outcome["response"] = r

        thread = threading.Thread(target=slow)
        thread.start()
        executor = SERVED["app"].leongraph.executor
        wait_until(lambda: executor._count > len(executor._idle), what="the slow query to start")
        latencies: list[float] = []
        with httpx.Client(base_url=url, timeout=30) as other:
            while thread.is_alive():
                start = time.perf_counter()
                r = other.get("/sparql", params={"query": QUICK})
                latencies.append(time.perf_counter() - start)
                assert r.status_code == 200, r.text
                assert r.json()["results"]["bindings"]
                time.sleep(0.05)
            thread.join()
            # the killed worker is replaced: the server still answers everything
            after = other.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert after.status_code == 200 and after.json()["boolean"] is True

    response = outcome["response"]
    elapsed = float(outcome["elapsed"])  # type: ignore[arg-type]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["status"] == 503 and error["title"] == "Query timeout"
    assert error["timeout"] == TIMEOUT
    assert TIMEOUT <= elapsed < TIMEOUT + 1.5
    assert len(latencies) >= 5
    assert max(latencies) < 1.0
    with capsys.disabled():
        print(
            f"\n[{store.engine}] {name}: 503 after {elapsed:.2f} s (timeout {TIMEOUT:g} s); "
            f"meanwhile {len(latencies)} other queries answered, median "
            f"{sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms, max "
            f"{max(latencies) * 1000:.1f} ms"
        )


def test_memory_cap_stops_a_query(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    """Thirty doublings of a 16-character string want 16 GiB; the worker may add 48 MiB."""
    binds = ['BIND("0123456789abcdef" AS ?v0)']
    binds += [f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(30)]
    query = "SELECT (STRLEN(?v30) AS ?n) WHERE { " + " ".join(binds) + " }"
    with (
        serving(store, timeout=20.0, worker_memory_mb=48) as url,
        httpx.Client(base_url=url, timeout=60) as c,
    ):
        start = time.perf_counter()
        r = c.get("/sparql", params={"query": query})
        elapsed = time.perf_counter() - start
        assert r.status_code == 503, r.text[:300]
        error = r.json()["error"]
        assert (error["status"], error["title"]) == (503, "Query aborted")
        assert elapsed < 20.0
        assert c.get("/sparql", params={"query": QUICK}).status_code == 200
    with capsys.disabled():
        print(f"\n[{store.engine}] memory cap (48 MiB): 503 after {elapsed:.2f} s")


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_a_pathological_query_sent_again_is_stopped_again(
    dataset: Dataset, name: str, wait_until: Callable[..., None]
) -> None:
    """Queries a client repeats are bounded and may move into the server (triage.py): a
    pathological one must stay where a timeout can stop it, however often it comes."""
    store = from_dataset(dataset, engine="oxigraph")
    with serving(store) as url, httpx.Client(base_url=url, timeout=30) as c:
        triage = SERVED["app"].leongraph.executor._triage
        for _ in range(3):
            start = time.perf_counter()
            r = c.get("/sparql", params={"query": PATHOLOGICAL[name]})
            elapsed = time.perf_counter() - start
            assert r.status_code == 503, r.text
            # Stopped by the timeout: unstopped, each of these runs for minutes. Alone it
            # answers in 2.0-2.1 s; late in a full suite, whose process holds every earlier
            # test's objects, one answer took 5.7 s.
            assert TIMEOUT <= elapsed < TIMEOUT + 6
            wait_until(lambda: triage._pending == 0, what="the background analysis")
        for _ in range(3):  # meanwhile an ordinary repeated query came into the server
            assert c.get("/sparql", params={"query": QUICK}).status_code == 200
