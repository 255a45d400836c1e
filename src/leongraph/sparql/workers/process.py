"""The processes behind the executor (executor.py): the zygote, forked once from the loaded
server, and the query workers it forks; plus the framing both ends use on their sockets (an
8-byte length, then a pickle of plain tuples)."""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import pickle
import resource
import signal
import socket

from leongraph import errors
from leongraph.engine import Store
from leongraph.sparql.evaluation import execute
from leongraph.sparql.workers.wire import (
    HEADER,
    decode_plan,
    encode_answer,
    encode_bug,
    encode_error,
    recv,
    send,
)

log = logging.getLogger(__name__)


def _worker_main(sock: socket.socket, store: Store, memory_mb: int) -> None:
    """Answer plans until the server closes the socket."""
    faulthandler.disable()  # an engine that aborts on its memory cap is reported, not dumped
    _limit_memory(memory_mb)
    while True:
        try:
            plan = decode_plan(recv(sock))
        except (EOFError, OSError):
            return
        try:
            reply = encode_answer(execute(store, plan))
        except errors.LeongraphError as exc:
            reply = encode_error(exc)
        except BaseException as exc:  # a bug: reported to the server, which answers 500
            log.exception("worker failed")
            reply = encode_bug(exc)
        send(sock, reply)


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
