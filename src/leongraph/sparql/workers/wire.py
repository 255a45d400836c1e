"""What crosses between the server and a query worker, both sides in one file: frames (an 8-byte
length, then a payload) and their payloads, pickles of plain tuples: a ``Plan`` out, and back
an ``Answer``, a ``LeongraphError`` rebuilt as the same class, or a bug's description."""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
import sys

from leongraph import errors
from leongraph.sparql.evaluation import Answer, Plan

#: Bytes of the first read of an answer: most answers arrive whole in it.
_FIRST_READ = 1 << 16

HEADER = struct.Struct("!Q")


def send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    parts: list[bytes] = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError("peer closed the connection")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def recv(sock: socket.socket) -> bytes:
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    return _recv_exactly(sock, size)


def encode_plan(plan: Plan) -> bytes:
    """A plan as the worker receives it: its fields as a tuple (a dataclass pickles as a class
    reference plus a state dict, slower both ways)."""
    return pickle.dumps(tuple(vars(plan).values()), protocol=pickle.HIGHEST_PROTOCOL)


def decode_plan(payload: bytes) -> Plan:
    return Plan(*pickle.loads(payload))


def encode_answer(answer: Answer) -> bytes:
    return _dumps(("ok", *vars(answer).values()))


def encode_error(exc: errors.LeongraphError) -> bytes:
    """A refusal, named by its class so that the server raises the same one."""
    return _dumps(("error", type(exc).__module__, type(exc).__qualname__, exc.message, exc.details))


def encode_bug(exc: BaseException) -> bytes:
    return _dumps(("bug", f"{type(exc).__name__}: {exc}"))


def decode_reply(payload: bytes | memoryview) -> Answer:
    """The worker's answer; raises the error it reported."""
    reply = pickle.loads(payload)
    kind = reply[0]
    if kind == "ok":
        return Answer(*reply[1:])
    if kind == "error":
        _, module, qualname, message, details = reply
        raise _rebuild(str(module), str(qualname), str(message), details)
    raise RuntimeError(f"query worker failed: {reply[1]}")


def _dumps(reply: tuple[object, ...]) -> bytes:
    return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)


async def exchange(sock: socket.socket, payload: bytes) -> bytes | memoryview:
    """Send one frame and read the one frame that answers it, on the running event loop. The
    first read takes the header and (for most answers) the whole payload: one wait, no copy."""
    loop = asyncio.get_running_loop()
    await loop.sock_sendall(sock, HEADER.pack(len(payload)) + payload)
    first = await loop.sock_recv(sock, _FIRST_READ)
    while len(first) < HEADER.size:
        if not first:
            raise EOFError("the worker closed the connection")
        first += await _read(loop, sock, HEADER.size - len(first))
    (size,) = HEADER.unpack_from(first)
    missing = HEADER.size + size - len(first)
    if missing == 0:
        return memoryview(first)[HEADER.size :]
    return first[HEADER.size :] + await _read(loop, sock, missing)


async def read_frame(sock: socket.socket) -> bytes:
    """One frame, on the running event loop (the frames of a streamed answer, stream.py)."""
    loop = asyncio.get_running_loop()
    (size,) = HEADER.unpack(await _read(loop, sock, HEADER.size))
    return await _read(loop, sock, size)


async def _read(loop: asyncio.AbstractEventLoop, sock: socket.socket, n: int) -> bytes:
    parts: list[bytes] = []
    while n:
        chunk = await loop.sock_recv(sock, min(n, 1 << 20))
        if not chunk:
            raise EOFError("the worker closed the connection")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _rebuild(module: str, qualname: str, message: str, details: dict[str, object]) -> Exception:
    """The worker's LeongraphError, as the same class in this process."""
    cls: object = sys.modules.get(module)
    for part in qualname.split("."):
        cls = getattr(cls, part, None)
    if not (isinstance(cls, type) and issubclass(cls, errors.LeongraphError)):
        cls = errors.BadRequest
    exc = cls.__new__(cls)
    errors.LeongraphError.__init__(exc, message, **details)
    for key, value in details.items():  # e.g. QuerySyntaxError.line / .column
        setattr(exc, key, value)
    return exc
