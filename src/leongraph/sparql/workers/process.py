"""The processes behind the executor (pool.py): the zygote, forked from the loaded server at
start (and again if it dies), and the query workers it forks."""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import pickle
import resource
import signal
import socket
import stat
import sys
from collections.abc import Iterable

from leongraph import errors
from leongraph.engine import Store
from leongraph.sparql.workers.stream import WorkerGone, answer_plan
from leongraph.sparql.workers.wire import HEADER, decode_plan, recv, send

log = logging.getLogger(__name__)


def start_zygote(
    store: Store, memory_mb: int, inherited: Iterable[socket.socket]
) -> tuple[int, socket.socket]:
    """Fork the zygote from this process: its pid and the server's end of its control socket.

    The server may run threads by then (a zygote that died is replaced while it serves): the
    caller forks from the event loop's thread while no query runs in another thread of the
    server and no update writes to the store, so no lock of the store is held in the copy. In
    the child only the forking thread goes on; it drops every socket it inherited (the
    listening socket, client connections, other workers') so that none stays open in it."""
    server_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the zygote
        code = 0
        try:
            server_end.close()
            _drop_sockets(zygote_end.fileno(), inherited)
            zygote_main(zygote_end, store, memory_mb)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    zygote_end.close()
    return pid, server_end


def _drop_sockets(keep: int, inherited: Iterable[socket.socket]) -> None:
    """Release every socket but ``keep`` in a fresh child. Each is replaced by /dev/null under
    the same number, so that an object still holding the number closes nothing of ours."""
    for sock in list(inherited):
        with contextlib.suppress(OSError):
            sock.close()
    try:
        numbers = [int(name) for name in os.listdir("/dev/fd")]
    except (OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in numbers:
        if fd in (keep, null) or fd < 3:
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.dup2(null, fd, inheritable=False)
    os.close(null)


def _worker_main(sock: socket.socket, store: Store, memory_mb: int) -> None:
    """Answer plans until the server closes the socket."""
    faulthandler.disable()  # an engine that aborts on its memory cap is reported, not dumped
    _limit_memory(memory_mb)
    while True:
        try:
            plan = decode_plan(recv(sock))
        except (EOFError, OSError):
            return
        try:  # whole, or streamed when longer than a frame
            answer_plan(sock, store, plan)
        except WorkerGone:
            return


def _limit_memory(memory_mb: int) -> None:
    """Cap the address space at what the worker maps now plus ``memory_mb``; no core dumps."""
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    limit = mapped + memory_mb * 1024 * 1024
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def zygote_main(control: socket.socket, store: Store, memory_mb: int) -> None:
    """Fork a worker for every byte ``S`` received; apply the update that follows a ``U`` to
    this copy of the store (so later workers see it); quit on ``Q`` or when the server goes."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the server's handler, if it had one
    signal.set_wakeup_fd(-1)
    children: set[int] = set()
    while True:
        try:
            command = control.recv(1)
        except OSError:
            command = b""
        if command == b"U":
            send(control, pickle.dumps(_apply_update(store, recv(control).decode())))
            continue
        if command != b"S":
            for pid in children:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            # With SIGCHLD ignored this returns once every child is gone, so none outlives us
            # as an orphan that a container's PID 1 might never reap.
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(-1, 0)
            return
        server_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:  # the worker
            control.close()
            server_end.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                _worker_main(worker_end, store, memory_mb)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        worker_end.close()
        children.add(pid)
        socket.send_fds(control, [HEADER.pack(pid)], [server_end.fileno()])
        server_end.close()


def _apply_update(store: Store, text: str) -> tuple[object, ...]:
    try:
        store.update(text)
    except errors.LeongraphError as exc:
        return ("error", exc.message)
    except Exception as exc:
        return ("bug", f"{type(exc).__name__}: {exc}")
    return ("ok",)
