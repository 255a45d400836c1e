"""The worker pool itself: answers match in-process evaluation, a timed-out worker is killed
and replaced, an on-disk store works in forked workers, and close() leaves no process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import anyio
import pytest
from support import plan

from leongraph.config import Settings
from leongraph.engine import Store, load_files
from leongraph.errors import QuerySyntaxError, QueryTimeout
from leongraph.graph import open_store
from leongraph.sparql.evaluation import execute
from leongraph.sparql.workers import InProcessExecutor, ProcessExecutor, create_executor

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_answer_like_in_process(store: Store) -> None:
    settings = Settings(engine=store.engine, workers=2)
    executor = ProcessExecutor(store, settings)
    try:
        for text, fmt in [
            ("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 30", "tsv"),
            ("ASK { ?s ?p ?o }", "xml"),
            ("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } ORDER BY ?s ?c LIMIT 10", "nt"),
        ]:
            p = plan(text, settings, format=fmt)
            assert anyio.run(executor.run, p) == execute(store, p)
        with pytest.raises(QuerySyntaxError) as info:
            anyio.run(executor.run, plan("SELECT * WHERE {", settings))
        assert info.value.line == 1 and info.value.column is not None
    finally:
        executor.close()


def test_timeout_kills_and_replaces_the_worker(store: Store) -> None:
    settings = Settings(engine=store.engine, workers=1, timeout=1.0)
    executor = ProcessExecutor(store, settings)
    try:
        executor.warm_up()
        (worker,) = executor._idle
        start = time.perf_counter()
        with pytest.raises(QueryTimeout):
            anyio.run(executor.run, plan(SLOW, settings))
        assert 1.0 <= time.perf_counter() - start < 1.0 + 5  # stopped, not run to its end
        deadline = time.monotonic() + 5
        while _alive(worker.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _alive(worker.pid)
        answer = anyio.run(executor.run, plan("ASK { ?s ?p ?o }", settings))
        assert b"true" in answer.body
        assert executor._idle and executor._idle[0].pid != worker.pid
    finally:
        executor.close()


def test_requests_queue_for_a_busy_pool(store: Store) -> None:
    """More concurrent queries than workers: each waits its turn, woken when a worker is
    released, and gets its own answer; one that gives up while waiting stalls no other."""
    settings = Settings(engine=store.engine, workers=1, timeout=5.0)
    executor = ProcessExecutor(store, settings)
    answers: dict[int, bytes] = {}

    async def one(i: int) -> None:
        p = plan(f"SELECT ?n WHERE {{ BIND({i} AS ?n) }}", settings, format="csv")
        answers[i] = (await executor.run(p)).body

    async def impatient() -> None:
        with anyio.move_on_after(0.002):
            await executor.run(plan(SLOW, settings))

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            for i in range(6):
                tg.start_soon(one, i)
            tg.start_soon(impatient)
            for i in range(6, 12):
                tg.start_soon(one, i)

    try:
        anyio.run(main)
        assert {i: body.split() for i, body in answers.items()} == {
            i: [b"n", str(i).encode()] for i in range(12)
        }
        assert not executor._waiters and executor._count <= 1
    finally:
        executor.close()


def test_close_stops_every_process(store: Store) -> None:
    executor = ProcessExecutor(store, Settings(engine=store.engine, workers=2))
    executor.warm_up()
    pids = [w.pid for w in executor._idle] + [executor.zygote_pid]
    assert len(pids) == 3 and all(_alive(p) for p in pids)
    executor.close()
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(_alive(p) for p in pids)


def test_on_disk_store_in_forked_workers(tmp_path: Path, dataset) -> None:
    load_files(tmp_path / "store", [], dataset=dataset)
    settings = Settings(store_path=tmp_path / "store", workers=2, timeout=1.0)
    store = open_store(settings)
    executor = create_executor(store, settings)
    try:
        assert isinstance(executor, ProcessExecutor)
        p = plan("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", settings, format="csv")
        expected = execute(store, p)
        for _ in range(4):
            assert anyio.run(executor.run, p) == expected
        with pytest.raises(QueryTimeout):
            anyio.run(executor.run, plan(SLOW, settings))
        assert anyio.run(executor.run, p) == expected
    finally:
        executor.close()


def test_zero_workers_evaluates_in_process(store: Store) -> None:
    settings = Settings(engine=store.engine, workers=0)
    executor = create_executor(store, settings)
    assert isinstance(executor, InProcessExecutor)
    p = plan("ASK { ?s ?p ?o }", settings)
    assert anyio.run(executor.run, p) == execute(store, p)


def test_a_dead_zygote_is_replaced(store: Store) -> None:
    settings = Settings(engine=store.engine, workers=1, timeout=5.0)
    executor = ProcessExecutor(store, settings)
    try:
        old = executor.zygote_pid
        os.kill(old, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while executor.health() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "killed by signal 9" in (executor.health() or "")
        answer = anyio.run(executor.run, plan("ASK { ?s ?p ?o }", settings))  # needs a fork
        assert b"true" in answer.body
        assert executor.health() is None
        assert executor.zygote_pid != old and _alive(executor.zygote_pid)
    finally:
        executor.close()
