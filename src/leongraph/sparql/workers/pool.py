"""Query evaluation in worker processes that can be killed.

Neither engine can be interrupted once a query runs (pyoxigraph evaluates in Rust with the GIL
released; rdflib in pure Python), so a timeout that really stops a pathological query needs a
process to kill. The design:

- At start the server process forks one *zygote* (process.py): a copy holding the loaded
  store, single-threaded, doing nothing but fork workers on request. Forking from it (not from
  the server, which runs threads) is safe, and each worker shares the store copy-on-write.
- Each worker gets its own socket pair; the zygote passes the server's end back over a Unix
  socket (SCM_RIGHTS). A request is one Plan out, one Answer (or error) back (wire.py).
- The server waits for the answer at most ``settings.timeout`` seconds; past that it SIGKILLs
  the worker and answers 503. A replacement is forked on the next demand, so other clients keep
  being served by the other workers meanwhile.
- Workers cap their own address space (``settings.worker_memory_mb`` above what the store
  needs) with ``setrlimit``; a worker that dies for it is reported as a 503 as well.

Queries whose work placement.py can bound (from the store's statistics) are evaluated in the
server itself instead: a runaway query cannot be one of them, and they skip both hops.

A remote store (engine/remote.py) has no process to kill: the query is an HTTP request to the
engine, awaited on the event loop for at most ``settings.timeout`` seconds; past that the
request is cancelled (its connection closed) and the client gets the usual 503
(``RemoteExecutor``).

``workers=0`` evaluates in the calling thread instead (no isolation, no hard timeout): for
platforms without fork and for the CLI, which runs one query and exits.
"""

from __future__ import annotations

import abc
import asyncio
import collections
import contextlib
import os
import pickle
import signal
import socket
import sys
import threading
import time
import weakref
from dataclasses import dataclass

import anyio
import httpx

from leongraph import errors
from leongraph.config import Settings
from leongraph.engine import RemoteStore, Store
from leongraph.errors import WorkerLost
from leongraph.sparql.evaluation import Answer, Plan, execute, write_answer
from leongraph.sparql.placement import Place, Triage
from leongraph.sparql.workers.process import zygote_main
from leongraph.sparql.workers.wire import HEADER, decode_reply, encode_plan, exchange, recv
from leongraph.vocab import prefixes_used

#: Longest wait for a busy pool before checking it again (a wake-up is normally immediate).
_RECHECK = 0.05
#: Bounded queries run in threads of the server at once (they cannot be stopped; more wait for
#: a worker, where a timeout holds).
IN_PROCESS_THREADS = 2
#: A remote engine's answer shorter than this is read and written on the event loop.
_INLINE_BYTES = 64 * 1024
#: Server-side sockets of every live executor: a fresh zygote closes those it inherited.
_LIVE_SOCKETS: weakref.WeakSet[socket.socket] = weakref.WeakSet()


@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    generation: int = 0  # workers forked before the last update hold stale data

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.sock.close()


class Executor(abc.ABC):
    """Runs plans without blocking the event loop, honouring ``settings.timeout``."""

    @abc.abstractmethod
    async def run(self, plan: Plan) -> Answer:
        """The answer to ``plan``; raises QueryTimeout past ``settings.timeout``."""

    async def update(self, text: str) -> None:  # noqa: B027 - nothing to do in-process
        """Bring the workers' copies of the store up to date after ``store.update(text)``."""

    def close(self) -> None:  # noqa: B027 - nothing to stop in-process
        """Stop every process this executor started."""


class InProcessExecutor(Executor):
    """Evaluates in a thread of the server: no isolation and no hard timeout."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def run(self, plan: Plan) -> Answer:
        return await anyio.to_thread.run_sync(execute, self._store, plan)


class RemoteExecutor(Executor):
    """Queries to a remote engine: an async HTTP request bounded by the timeout, then the
    answer read and written in a thread (no worker processes: nothing runs here to kill)."""

    def __init__(self, store: RemoteStore, settings: Settings) -> None:
        self._store = store
        self.timeout = settings.timeout

    async def run(self, plan: Plan) -> Answer:
        try:
            with anyio.fail_after(self.timeout):
                response = await self._store.fetch(
                    plan.text,
                    default_graphs=plan.default_graphs,
                    named_graphs=plan.named_graphs,
                    form=plan.form,
                )
        except TimeoutError:
            raise errors.QueryTimeout(
                f"The query ran longer than {self.timeout:g} s; the request to the engine at "
                f"{self._store.url} was cancelled.",
                timeout=self.timeout,
            ) from None
        if len(response.content) < _INLINE_BYTES:
            return self._answer(plan, response)
        return await anyio.to_thread.run_sync(self._answer, plan, response)

    def _answer(self, plan: Plan, response: httpx.Response) -> Answer:
        lines = len(prefixes_used(plan.text))
        return write_answer(plan, lambda: self._store.result_of(response, prefix_lines=lines))


class ProcessExecutor(Executor):
    """A pool of up to ``settings.workers`` forked worker processes (see the module doc).

    The server talks to a worker with non-blocking socket I/O on its own event loop (no thread
    hop per query); only forking a new worker runs in a thread."""

    def __init__(self, store: Store, settings: Settings, triage: Triage | None = None) -> None:
        self.size = max(1, settings.workers)
        self._store = store
        self._triage = triage
        self._threads = threading.Semaphore(IN_PROCESS_THREADS)
        self.timeout = settings.timeout
        self._lock = threading.Lock()  # guards the zygote socket and the pool's bookkeeping
        self._idle: list[_Worker] = []
        self._waiters: collections.deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]
        self._waiters = collections.deque()
        self._count = 0
        self._generation = 0
        self._closed = False
        server_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the zygote
            code = 0
            try:
                server_end.close()
                for inherited in list(_LIVE_SOCKETS):
                    with contextlib.suppress(OSError):
                        inherited.close()
                zygote_main(zygote_end, store, settings.worker_memory_mb)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        zygote_end.close()
        self._zygote_pid = pid
        self._control = server_end
        _LIVE_SOCKETS.add(server_end)
        self._finalizer = weakref.finalize(self, _shutdown, server_end, pid, self._idle)

    # -- pool

    def _spawn(self) -> _Worker:
        """A fresh worker from the zygote (blocking: a fork)."""
        with self._lock:
            self._control.sendall(b"S")
            message, fds, _, _ = socket.recv_fds(self._control, HEADER.size, 1)
        if len(message) != HEADER.size or not fds:
            raise errors.QueryTimeout("The query workers are not available; try again.")
        (pid,) = HEADER.unpack(message)
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(False)
        _LIVE_SOCKETS.add(sock)
        return _Worker(pid, sock, self._generation)

    def _take(self) -> _Worker | bool:
        """An idle worker; True if the caller may fork a new one; False if all are busy."""
        with self._lock:
            if self._closed:
                raise errors.QueryTimeout("The server is shutting down.")
            if self._idle:
                return self._idle.pop()
            if self._count < self.size:
                self._count += 1
                return True
            return False

    async def _acquire(self, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        while True:
            taken = self._take()
            if isinstance(taken, _Worker):
                return taken
            if taken:
                try:
                    return await anyio.to_thread.run_sync(self._spawn)
                except BaseException:
                    with self._lock:
                        self._count -= 1
                    self._wake_one()
                    raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise errors.QueryTimeout(
                    f"All {self.size} query workers stayed busy for {self.timeout:g} s; "
                    "try again later.",
                    timeout=self.timeout,
                )
            await self._wait_for_release(loop, remaining)

    async def _wait_for_release(self, loop: asyncio.AbstractEventLoop, limit: float) -> None:
        """Sleep until a worker is released (woken in turn, first come first served); the
        wait is bounded anyway, then the pool is tried again."""
        waiter = loop.create_future()
        entry = (loop, waiter)
        with self._lock:
            if self._idle or self._count < self.size:
                return  # released since ``_take``: try again at once
            self._waiters.append(entry)
        woken = False
        try:
            await asyncio.wait_for(waiter, min(limit, _RECHECK))
            woken = True
        except TimeoutError:
            pass
        finally:
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove(entry)
            if not woken and waiter.done() and not waiter.cancelled():
                self._wake_one()  # woken but leaving (cancelled): pass the turn on

    def _wake_one(self) -> None:
        """Wake the longest-waiting request, on its own event loop."""
        with self._lock:
            if not self._waiters:
                return
            loop, waiter = self._waiters.popleft()
        with contextlib.suppress(RuntimeError):  # that loop has closed
            loop.call_soon_threadsafe(_set_done, waiter)

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        if not healthy:
            worker.kill()
        with self._lock:
            if healthy and not self._closed and worker.generation == self._generation:
                self._idle.append(worker)
            else:
                self._count -= 1
                if healthy:
                    worker.kill()
        self._wake_one()

    def warm_up(self, count: int | None = None) -> None:
        """Fork ``count`` workers now (default: all), so the first requests wait for none."""
        while True:
            with self._lock:
                if self._count >= min(count or self.size, self.size):
                    return
                self._count += 1
            worker = self._spawn()
            with self._lock:
                self._idle.append(worker)

    # -- running

    async def run(self, plan: Plan) -> Answer:
        place = self._triage.place(plan) if self._triage else Place.WORKER
        if place is Place.LOOP:
            return self._run_here(plan)
        if place is Place.THREAD and self._threads.acquire(blocking=False):
            try:  # at most IN_PROCESS_THREADS at once: the rest queue for workers
                return await anyio.to_thread.run_sync(self._run_here, plan)
            finally:
                self._threads.release()
        return await self._run_in_worker(plan)

    def _run_here(self, plan: Plan) -> Answer:
        """A query triage.py proved cheap, in this process; its time is kept for triage."""
        assert self._triage is not None
        start = time.perf_counter()
        answer = execute(self._store, plan)
        self._triage.timed(plan, time.perf_counter() - start)
        return answer

    async def _run_in_worker(self, plan: Plan) -> Answer:
        deadline = time.monotonic() + self.timeout
        worker = await self._acquire(deadline)
        healthy = False
        payload = encode_plan(plan)
        try:
            with anyio.fail_after(max(deadline - time.monotonic(), 0.001)):
                reply = await exchange(worker.sock, payload)
            healthy = True
        except TimeoutError:
            raise errors.QueryTimeout(
                f"The query ran longer than {self.timeout:g} s and was stopped.",
                timeout=self.timeout,
            ) from None
        except (EOFError, OSError) as exc:
            raise WorkerLost(
                "The query was stopped: it needed more memory than a query may use, or it "
                "crashed the query engine.",
            ) from exc
        finally:  # a worker left mid-answer (timeout, cancelled request) is killed
            self._release(worker, healthy=healthy)
        return decode_reply(reply)

    async def update(self, text: str) -> None:
        if self._triage is not None:
            self._triage.forget()
        await anyio.to_thread.run_sync(self._update_zygote, text)

    def _update_zygote(self, text: str) -> None:
        """Apply the update to the zygote's copy, then retire every worker forked before it."""
        payload = text.encode()
        with self._lock:
            self._control.sendall(b"U" + HEADER.pack(len(payload)) + payload)
            reply = pickle.loads(recv(self._control))
            self._generation += 1
            stale, self._idle[:] = list(self._idle), []
            self._count -= len(stale)
        for worker in stale:
            worker.kill()
        if reply[0] != "ok":
            raise RuntimeError(f"the query workers could not apply the update: {reply[1]}")

    def close(self) -> None:
        with self._lock:
            self._closed = True
        if self._triage is not None:
            self._triage.close()
        self._finalizer()


def _set_done(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _shutdown(control: socket.socket, zygote_pid: int, idle: list[_Worker]) -> None:
    """Ask the zygote to kill its workers and exit; make sure it does."""
    for worker in idle:
        worker.kill()
    idle.clear()
    with contextlib.suppress(OSError):
        control.sendall(b"Q")
    with contextlib.suppress(OSError):
        control.close()
    for _ in range(50):
        try:
            pid, _ = os.waitpid(zygote_pid, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            return
        time.sleep(0.01)
    with contextlib.suppress(OSError):
        os.kill(zygote_pid, signal.SIGKILL)
        os.waitpid(zygote_pid, 0)


def create_executor(store: Store, settings: Settings) -> Executor:
    """Worker processes when ``settings.workers`` > 0 and the platform can fork; HTTP requests
    for a remote store."""
    if isinstance(store, RemoteStore):
        return RemoteExecutor(store, settings)
    if settings.workers <= 0 or not hasattr(os, "fork"):
        return InProcessExecutor(store)
    triage = Triage(store) if settings.in_process and store.statistics_available else None
    return ProcessExecutor(store, settings, triage)


__all__ = [
    "Executor",
    "InProcessExecutor",
    "ProcessExecutor",
    "RemoteExecutor",
    "create_executor",
]
