"""Query evaluation in worker processes that can be killed.

Neither engine can be interrupted once a query runs (pyoxigraph evaluates in Rust with the GIL
released; rdflib in pure Python), so a timeout that really stops a pathological query needs a
process to kill. The design:

- At start the server process forks one *zygote* (process.py): a copy holding the loaded
  store, single-threaded, doing nothing but fork workers on request. Forking from it (not from
  the server, which runs threads) is safe, and each worker shares the store copy-on-write.
- Each worker gets its own socket pair; the zygote passes the server's end back over a Unix
  socket (SCM_RIGHTS). A request is one Plan out, one Answer (or error) back (wire.py); an
  answer longer than a frame comes back in frames as it is written (stream.py), and the
  worker is the stream's until its end (killed if the deadline passes or the client leaves).
- The server waits for the answer at most ``settings.timeout`` seconds; past that it SIGKILLs
  the worker and answers 503. A replacement is forked on the next demand, so other clients keep
  being served by the other workers meanwhile.
- Workers cap their own address space (``settings.worker_memory_mb`` above what the store
  needs) with ``setrlimit``; a worker that dies for it is reported as a 503 as well.
- The pool heals itself: a thread waits for the zygote's exit, and a fork request that fails
  tells the same. The pool is then *degraded* (``health()`` says why; /healthz answers 503)
  until a new zygote is forked from the server, on the event loop, at once. Meanwhile the
  workers already forked keep answering, and a query needing a new worker waits for the new
  zygote within its timeout (503 with Retry-After past it); a failed restart is retried
  every second.

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

import asyncio
import collections
import contextlib
import functools
import os
import pickle
import signal
import socket
import threading
import time
import weakref
from dataclasses import dataclass

import anyio

from leongraph import errors
from leongraph.config import Settings
from leongraph.engine import RemoteStore, Store
from leongraph.errors import WorkerLost
from leongraph.sparql.evaluation import Answer, Plan
from leongraph.sparql.placement import Place, Triage
from leongraph.sparql.workers.executors import Executor, InProcessExecutor, RemoteExecutor
from leongraph.sparql.workers.process import start_zygote
from leongraph.sparql.workers.stream import TooLong, execute_in_server, is_stream, streamed
from leongraph.sparql.workers.wire import HEADER, decode_reply, encode_plan, exchange, recv

#: Longest wait for a busy pool before checking it again (a wake-up is normally immediate).
_RECHECK = 0.05
#: Bounded queries run in threads of the server at once (they cannot be stopped; more wait for
#: a worker, where a timeout holds).
IN_PROCESS_THREADS = 2
#: Seconds between two attempts to restart a zygote that could not be forked.
_RESTART_DELAY = 1.0
#: Server-side sockets of every live executor: a fresh zygote closes those it inherited.
_LIVE_SOCKETS: weakref.WeakSet[socket.socket] = weakref.WeakSet()


@dataclass
class _Zygote:
    """The current zygote (replaced in place when it is restarted)."""

    pid: int
    control: socket.socket


class _ZygoteLost(Exception):
    def __init__(self, pid: int, reason: str) -> None:
        super().__init__(reason)
        self.pid = pid
        self.reason = reason


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


class ProcessExecutor(Executor):
    """A pool of up to ``settings.workers`` forked worker processes (see the module doc).

    The server talks to a worker with non-blocking socket I/O on its own event loop (no thread
    hop per query); only forking a new worker runs in a thread."""

    def __init__(self, store: Store, settings: Settings, triage: Triage | None = None) -> None:
        super().__init__()
        self.size = max(1, settings.workers)
        self._store = store
        self._memory_mb = settings.worker_memory_mb
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
        #: Why the pool is degraded (its zygote is gone and not yet replaced), or None.
        self._problem: str | None = None
        self._healing: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop serving queries
        self._attempted = float("-inf")  # the last restart of the zygote
        pid, control = start_zygote(store, self._memory_mb, _LIVE_SOCKETS)
        self._zygote = _Zygote(pid, control)
        _LIVE_SOCKETS.add(control)
        self._watch(pid)
        self._finalizer = weakref.finalize(self, _shutdown, self._zygote, self._idle)

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    # -- healing

    def _watch(self, pid: int) -> None:
        """Report the zygote's exit (and reap it) from a thread."""
        ref = weakref.ref(self)
        threading.Thread(
            target=_watch_zygote, args=(pid, ref), name=f"leongraph-zygote-{pid}", daemon=True
        ).start()

    def _lost(self, pid: int, reason: str) -> None:
        """The zygote ``pid`` is gone (any thread): degrade the pool and start healing it."""
        with self._lock:
            if self._closed or pid != self._zygote.pid or self._problem is not None:
                return
            self._problem = reason
            loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(self._heal)

    def _heal(self) -> None:
        """On an event loop: fork a new zygote unless that is under way or not needed."""
        if self._problem is None or self._closed:
            return
        if self._healing is not None and not self._healing.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on a loop: the next query or /healthz heals
            return
        self._loop = loop
        self._healing = loop.create_task(self._restart())

    async def _restart(self) -> None:
        held = 0
        try:
            # A zygote that fails to start, or dies at once, is not forked again at once.
            await asyncio.sleep(max(0.0, self._attempted + _RESTART_DELAY - time.monotonic()))
            # In-server queries finish first (they are short); new ones go to workers.
            while held < IN_PROCESS_THREADS:
                if self._threads.acquire(blocking=False):
                    held += 1
                else:
                    await asyncio.sleep(0.002)
            async with self.update_lock:
                with self._lock:
                    if self._closed:
                        return
                    old = self._zygote.control
                    self._attempted = time.monotonic()
                    try:  # on the loop's thread: nothing else runs the store here
                        pid, control = start_zygote(self._store, self._memory_mb, _LIVE_SOCKETS)
                    except OSError as exc:
                        self._problem = f"the query workers' zygote could not be restarted: {exc}"
                        asyncio.get_running_loop().call_later(_RESTART_DELAY, self._heal)
                        return
                    self._zygote.pid, self._zygote.control = pid, control
                    _LIVE_SOCKETS.add(control)
                    self._problem = None
                self._watch(pid)
                with contextlib.suppress(OSError):
                    old.close()
        finally:
            for _ in range(held):
                self._threads.release()

    def health(self) -> str | None:
        if self._problem is not None:
            self._heal()
        return self._problem

    async def _healed(self, deadline: float) -> None:
        """Wait (within the query's time) for a degraded pool to heal."""
        while (problem := self._problem) is not None:
            self._heal()
            if time.monotonic() >= deadline:
                raise errors.WorkersRestarting(
                    f"The query workers are being restarted ({problem}); try again.",
                )
            await asyncio.sleep(_RECHECK)

    # -- pool

    def _spawn(self) -> _Worker:
        """A fresh worker from the zygote (blocking: a fork)."""
        with self._lock:
            zygote = self._zygote.pid
            try:
                self._zygote.control.sendall(b"S")
                message, fds, _, _ = socket.recv_fds(self._zygote.control, HEADER.size, 1)
            except OSError as exc:
                raise _ZygoteLost(zygote, f"the zygote process did not answer: {exc}") from exc
        if len(message) != HEADER.size or not fds:
            raise _ZygoteLost(zygote, "the zygote process closed its socket")
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
                    return await self._fork_worker(deadline)
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

    async def _fork_worker(self, deadline: float) -> _Worker:
        """A new worker, once the zygote is there; a zygote found dead is restarted."""
        while True:
            await self._healed(deadline)
            try:
                return await anyio.to_thread.run_sync(self._spawn)
            except _ZygoteLost as lost:
                self._lost(lost.pid, lost.reason)

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

    def placed(self, text: str) -> bool:
        return self._triage is not None and self._triage.known(text)

    async def run(self, plan: Plan) -> Answer:
        place = self._triage.place(plan) if self._triage else Place.WORKER
        try:
            if place is Place.LOOP:
                return self._run_here(plan)
            if place is Place.THREAD and self._threads.acquire(blocking=False):
                try:  # at most IN_PROCESS_THREADS at once: the rest queue for workers
                    return await anyio.to_thread.run_sync(self._run_here, plan)
                finally:
                    self._threads.release()
        except TooLong:  # longer than a frame: a worker streams it (stream.py)
            assert self._triage is not None
            self._triage.too_long(plan)
        return await self._run_in_worker(plan)

    def _run_here(self, plan: Plan) -> Answer:
        """A query placement.py proved cheap, in this process; its time is kept for the triage."""
        assert self._triage is not None
        start = time.perf_counter()
        answer = execute_in_server(self._store, plan)
        self._triage.timed(plan, time.perf_counter() - start)
        return answer

    async def _run_in_worker(self, plan: Plan) -> Answer:
        deadline = time.monotonic() + self.timeout
        self._loop = asyncio.get_running_loop()
        worker = await self._acquire(deadline)
        healthy = handed = False
        payload = encode_plan(plan)
        try:
            with anyio.fail_after(max(deadline - time.monotonic(), 0.001)):
                reply = await exchange(worker.sock, payload)
            healthy = True
            if is_stream(reply):  # longer than a frame: the worker is the stream's until its end
                handed = True
                release = functools.partial(self._stream_ended, worker)
                return streamed(reply, worker.sock, deadline, self.timeout, release)
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
            if not handed:
                self._release(worker, healthy=healthy)
        return decode_reply(reply)

    def _stream_ended(self, worker: _Worker, healthy: bool) -> None:
        self._release(worker, healthy=healthy)

    async def update(self, text: str) -> None:
        if self._triage is not None:
            self._triage.forget()
        await anyio.to_thread.run_sync(self._update_zygote, text)

    def _update_zygote(self, text: str) -> None:
        """Apply the update to the zygote's copy, then retire every worker forked before it.
        Without a zygote, the next one is forked from the server's store, updated already."""
        payload = text.encode()
        reply: tuple[object, ...] = ("ok",)
        with self._lock:
            zygote = self._zygote
            try:
                zygote.control.sendall(b"U" + HEADER.pack(len(payload)) + payload)
                reply = pickle.loads(recv(zygote.control))
            except (OSError, EOFError, pickle.UnpicklingError) as exc:
                lost: _ZygoteLost | None = _ZygoteLost(zygote.pid, f"lost in an update: {exc}")
            else:
                lost = None
            self._generation += 1
            stale, self._idle[:] = list(self._idle), []
            self._count -= len(stale)
        for worker in stale:
            worker.kill()
        if lost is not None:
            self._lost(lost.pid, lost.reason)
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


def _watch_zygote(pid: int, ref: weakref.ref[ProcessExecutor]) -> None:
    """Wait for the zygote ``pid`` to exit (reaping it), then tell its executor, if any."""
    try:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
    except ChildProcessError:
        code = 0
    executor = ref()
    if executor is None:
        return
    how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
    executor._lost(pid, f"the zygote process {pid} {how}")


def _shutdown(zygote: _Zygote, idle: list[_Worker]) -> None:
    """Ask the zygote to kill its workers and exit; make sure it does."""
    for worker in idle:
        worker.kill()
    idle.clear()
    control, zygote_pid = zygote.control, zygote.pid
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
