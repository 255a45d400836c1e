"""Answers longer than a frame are streamed from the worker (sparql/workers/stream.py): the
streamed bytes are the bytes of the whole answer in every format, the row cap and its JSON note
hold, the deadline holds mid-answer (the worker is killed), and a query the server would have
run itself hands a long answer to a worker. The frame is made small so that the bundled graph
gives long answers; the executor is forked after that, so its workers use it too."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator

import anyio
import pytest
from support import plan, process_gone

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.errors import QueryTimeout, WorkerLost
from leongraph.sparql.evaluation import Answer, execute
from leongraph.sparql.placement import Place, Triage
from leongraph.sparql.workers import ProcessExecutor, wire
from leongraph.sparql.workers import stream as stream_module

#: As small as a frame may be: the worker's first read (wire.py) never passes the first frame.
FRAME = 1 << 16
ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3000"
TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3000"
RESULTS_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["ttl", "nt", "nq", "trig", "rdf", "jsonld"]
#: Rows from the first instant, more of them than any timeout lets through.
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def small_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    assert FRAME >= wire._FIRST_READ
    monkeypatch.setattr(stream_module, "FRAME", FRAME)


@pytest.fixture
def executor(store: Store, small_frames: None) -> Iterator[ProcessExecutor]:
    pool = ProcessExecutor(store, executor_settings(store))
    try:
        yield pool
    finally:
        pool.close()


def executor_settings(store: Store) -> Settings:
    return Settings(engine=store.engine, workers=1, timeout=30.0, max_rows=2500)


async def _whole(answer: Answer) -> bytes:
    parts = [answer.body]
    if answer.rest is not None:
        parts += [chunk async for chunk in answer.rest]
    return b"".join(parts)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [(ROWS, f) for f in RESULTS_FORMATS] + [(TRIPLES, f) for f in GRAPH_FORMATS],
)
def test_a_streamed_answer_is_the_whole_answer(
    store: Store, executor: ProcessExecutor, text: str, fmt: str
) -> None:
    p = plan(text, executor_settings(store), format=fmt)
    whole = execute(store, p)
    answer = anyio.run(executor.run, p)
    assert answer.rest is not None, "longer than a frame: streamed"
    assert len(answer.body) >= FRAME
    assert anyio.run(_whole, answer) == whole.body
    assert whole.truncated  # 3000 rows asked, 2500 allowed
    assert not answer.truncated  # known only at the end: said in the body, not the header
    if fmt == "json":
        assert whole.body.endswith(b',"leongraph":{"truncated":true,"max_rows":2500}}')
    assert (executor._count, len(executor._idle)) == (1, 1)  # the worker was given back


def test_a_short_answer_is_not_streamed(store: Store, executor: ProcessExecutor) -> None:
    p = plan("SELECT ?s WHERE { ?s a leon:Film }", executor_settings(store))
    answer = anyio.run(executor.run, p)
    assert answer.rest is None and answer == execute(store, p)


@pytest.mark.slow
def test_the_deadline_holds_mid_answer(
    store: Store, executor: ProcessExecutor, wait_until: Callable[..., None]
) -> None:
    p = plan(ENDLESS, Settings(max_rows=10**9), format="csv")
    executor.timeout = 3.0
    executor.warm_up()
    (worker,) = executor._idle
    got = [0]

    async def read() -> None:
        answer = await executor.run(p)
        assert answer.rest is not None
        got[0] += len(answer.body)
        async for chunk in answer.rest:
            got[0] += len(chunk)

    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        anyio.run(read)
    assert 3.0 <= time.monotonic() - start < 3.0 + 5  # cut at the deadline, not at the end
    assert got[0] >= FRAME  # rows went out before
    wait_until(lambda: process_gone(worker.pid), what="the worker killed")
    assert executor._count == 0  # killed, not given back


def test_a_stream_dropped_unread_kills_its_worker(
    store: Store, executor: ProcessExecutor, wait_until: Callable[..., None]
) -> None:
    p = plan(ROWS, executor_settings(store), format="xml")
    executor.warm_up()
    (worker,) = executor._idle

    async def first_frame_only() -> None:
        answer = await executor.run(p)
        assert answer.rest is not None
        async for _ in answer.rest:
            break  # the client left
        answer.rest.close()

    anyio.run(first_frame_only)
    assert executor._count == 0 and executor._idle == []
    wait_until(lambda: process_gone(worker.pid), what="the worker killed")
    # and the pool answers the next query with a new worker
    again = anyio.run(executor.run, plan("ASK { ?s ?p ?o }", executor_settings(store)))
    assert again.body.endswith(b"true}")


def test_a_long_answer_leaves_the_server_for_a_worker(oxigraph: Store, small_frames: None) -> None:
    settings = Settings(workers=1, timeout=30.0, max_rows=2500)
    triage = Triage(oxigraph)
    pool = ProcessExecutor(oxigraph, settings, triage)
    try:
        p = plan(ROWS, settings, format="tsv")
        assert triage.learn(p.text) < float("inf")
        assert triage.place(p) is not Place.WORKER  # bounded: the server would run it
        answer = anyio.run(pool.run, p)
        assert answer.rest is not None  # streamed by a worker
        assert anyio.run(_whole, answer) == execute(oxigraph, p).body
        assert triage.place(p) is Place.WORKER  # and its shape goes to workers from now on
    finally:
        pool.close()


def test_a_worker_lost_mid_answer_is_an_error(
    store: Store, executor: ProcessExecutor, wait_until: Callable[..., None]
) -> None:
    p = plan(ENDLESS, Settings(max_rows=10**9), format="json")
    executor.warm_up()
    (worker,) = executor._idle

    async def read() -> None:
        answer = await executor.run(p)
        assert answer.rest is not None
        os.kill(worker.pid, signal.SIGKILL)  # as the memory cap or an engine crash would
        async for _ in answer.rest:
            pass

    with pytest.raises(WorkerLost):
        anyio.run(read)
    assert executor._count == 0
    wait_until(lambda: process_gone(worker.pid), what="the worker gone")
