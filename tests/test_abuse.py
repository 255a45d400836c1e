"""Nothing one client sends freezes the server or outlives the timeout (issue 17): abusive
requests get a clean 4xx or 503 in bounded time, and /healthz keeps answering meanwhile.
Bounds are generous on purpose: they separate seconds from minutes, not fast from slow."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from rdflib import Dataset

from leongraph.config import Settings
from leongraph.engine import Store, from_dataset
from leongraph.errors import BadRequest
from leongraph.sparql.label_service import rewrite_label_service
from leongraph.sparql.lexer import tokens
from leongraph.web.app import create_app

LABEL = 'SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }'
DOTS = "ASK {} " + "a." * 49_990  # 100 KB: quadratic lexing took tens of seconds
TIGHT = 'SERVICE wikibase:label{bd:serviceParam wikibase:language"en"}'
BLOCKS = "SELECT ?xLabel { ?x ?p ?o " + TIGHT * 1_500 + "}"  # 92 KB


def labelled(blocks: int) -> str:
    groups = " ".join(f"{{ ?x{i} ?p ?o {LABEL} }}" for i in range(blocks))
    return f"SELECT ?x0Label WHERE {{ {groups} }}"


@pytest.fixture(scope="module")
def oxigraph(dataset: Dataset) -> Store:
    return from_dataset(dataset, engine="oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(store: Store, **overrides: object) -> Iterator[str]:
    """A real uvicorn server for ``store`` in a thread; yields its base URL."""
    settings = Settings(engine=store.engine, timeout=3.0, workers=2).replace(**overrides)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


def while_probing(url: str, abuse: Callable[[httpx.Client], object]) -> tuple[object, float]:
    """Run ``abuse`` in a thread while /healthz is asked in a loop; its result and the worst
    time /healthz took to answer."""
    outcome: dict[str, object] = {}

    def run() -> None:
        with httpx.Client(base_url=url, timeout=120) as c:
            outcome["result"] = abuse(c)

    thread = threading.Thread(target=run)
    worst = 0.0
    with httpx.Client(base_url=url, timeout=30) as probe:
        thread.start()
        while thread.is_alive():
            start = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            worst = max(worst, time.perf_counter() - start)
            time.sleep(0.05)
    thread.join()
    return outcome["result"], worst


# ------------------------------------------------ 1, 2: lexing and the label rewrite


def test_the_lexer_is_linear_in_the_text() -> None:
    start = time.perf_counter()
    assert sum(1 for _ in tokens(DOTS)) > 99_000
    assert time.perf_counter() - start < 1.0


def test_many_label_services_are_refused_at_once() -> None:
    start = time.perf_counter()
    with pytest.raises(BadRequest, match="at most 100"):
        rewrite_label_service(labelled(1_500), [])
    assert time.perf_counter() - start < 1.0


def test_a_hundred_label_services_are_rewritten_in_one_lexing() -> None:
    start = time.perf_counter()
    out = rewrite_label_service(labelled(100), [])
    assert "SERVICE" not in out and "?x99Label" not in out  # only the projected one is bound
    assert time.perf_counter() - start < 3.0  # one lexing per block took 5 s


@pytest.mark.parametrize("query", [DOTS, BLOCKS], ids=["long-names", "label-blocks"])
def test_long_queries_leave_the_server_answering(oxigraph: Store, query: str) -> None:
    with serving(oxigraph) as url:
        start = time.perf_counter()
        response, worst = while_probing(url, lambda c: c.post("/sparql", data={"query": query}))
        assert isinstance(response, httpx.Response)
        assert response.status_code in (200, 400), response.text[:300]
        assert time.perf_counter() - start < 10
        assert worst < 1.0
