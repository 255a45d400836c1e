"""Helpers shared by test modules of several folders (fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from leongraph.config import Settings
from leongraph.sparql import pipeline
from leongraph.sparql.evaluation import Plan, prepare
from leongraph.sparql.protocol import SparqlRequest


def plan(text: str, settings: Settings | None = None, **request: object) -> Plan:
    """The plan of a query as the endpoint makes it (``format=`` and dataset in ``request``)."""
    return prepare(SparqlRequest(query=text, **request), settings or Settings())  # type: ignore[arg-type]


def process_gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (or was killed and waits for its parent to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def free_port() -> int:
    """A TCP port of the loopback interface that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def leongraph_serve(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`leongraph serve` in a process of its own on a free port, with ``env`` added to a
    clean environment; its URL and process once /healthz answers. Stopped at the end."""
    port = free_port()
    cmd = [sys.executable, "-m", "leongraph", "serve", "--port", str(port)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEONGRAPH_")}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=clean | env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"leongraph serve exited:\n{log.read_text()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            assert time.monotonic() < deadline, f"leongraph serve did not start:\n{log.read_text()}"
            time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serving_in_thread(app: Any, **options: Any) -> Iterator[str]:
    """A real uvicorn server for ``app`` in a thread, on a loopback port the system picks,
    with uvicorn's ``options``; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


@contextlib.contextmanager
def running(
    command: list[str], ready: str, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` as a process group of its own, once ``ready`` (a URL) answers with 200;
    stopped (SIGTERM, then SIGKILL) on the way out."""
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=quiet, stderr=quiet, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"{command[:3]} exited"
            assert time.monotonic() < deadline, f"{ready} did not answer"
            try:
                if httpx.get(ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def planning_threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads ``pipeline.prepare`` runs in from now on: where new texts are planned."""
    threads: list[int] = []
    real = pipeline.prepare

    def spied(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", spied)
    return threads
