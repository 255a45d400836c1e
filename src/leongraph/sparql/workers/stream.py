"""Answers longer than one frame, streamed from the worker to the client, both sides in one file.

A worker writes an answer into a ``FrameWriter`` as the engine produces it (the results
writers yield 256 rows at a time; Oxigraph's graph writers write 8 KiB at a time). An answer
that ends within the first ``FRAME`` bytes goes back as before: one frame holding the whole
``Answer``, which the answer cache may keep. A longer one is streamed:

- an ``S`` frame (its media type and first bytes), then ``D`` frames of ``FRAME`` bytes, then
  one ``E`` frame: ``("ok", truncated)``, or the error met on the way (wire.py's pickles);
- the worker blocks on its socket while the server has not read the last frame, and the server
  reads a frame only when the client has taken the one before (``Frames``): neither process
  holds more than a frame or two of the answer, whatever its length;
- the query's deadline covers the whole answer: past it the worker is killed and the response
  is ended without its last chunk (web/streaming.py), which HTTP clients report as an
  incomplete body. A client that leaves, or an answer dropped unread, kills the worker too;
- the last ``_TAIL`` bytes are held back to the end, where a SPARQL JSON answer cut by the row
  cap takes its note (evaluation.note_truncation), as a whole answer does; the
  ``X-Leongraph-Truncated`` header, sent before the first byte, cannot be.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import socket
import time
from collections.abc import Callable

import anyio

from leongraph import errors
from leongraph.engine import Store
from leongraph.sparql.evaluation import (
    Answer,
    OutputClosed,
    Plan,
    Written,
    execute,
    execute_into,
    note_truncation,
)
from leongraph.sparql.workers.wire import (
    HEADER,
    decode_reply,
    encode_answer,
    encode_bug,
    encode_error,
    read_frame,
    send,
)

log = logging.getLogger(__name__)

#: Bytes of an answer per frame: an answer longer than one frame is streamed. At least the
#: server's first read (wire.py), which then never takes more than the first frame.
FRAME = 256 * 1024
#: Bytes held back until the end of a streamed answer (for the JSON note of a cut answer).
_TAIL = 64
#: Tags of the frames of a streamed answer (a whole answer's frame is a pickle: b"\x80").
_START = b"S"
_DATA = b"D"
_END = b"E"


class WorkerGone(OutputClosed):
    """The server closed the worker's socket while it streamed an answer."""


class TooLong(OutputClosed):
    """An answer written in the server passed one frame: a worker must stream it."""


class _FrameBuffer(list[bytes]):
    """The output of a query run in the server: at most one frame (then TooLong)."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0
        self.content_type = ""

    def begin(self, content_type: str) -> None:
        self.content_type = content_type

    def write(self, data: bytes, /) -> int:
        self.size += len(data)
        if self.size > FRAME:
            raise TooLong
        self.append(data if type(data) is bytes else bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def execute_in_server(store: Store, plan: Plan) -> Answer:
    """``evaluation.execute`` for a query run in the server (placement.py), which must not
    hold a long answer whole: past one frame it raises TooLong, and the caller hands the
    query to a worker, which streams it."""
    return execute(store, plan, _FrameBuffer())


class FrameWriter:
    """The file a worker's engine writes an answer into (evaluation.AnswerOutput)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.parts: list[bytes] = []
        self.size = 0
        self.content_type = ""
        self.streaming = False

    def begin(self, content_type: str) -> None:
        self.content_type = content_type

    def write(self, data: bytes, /) -> int:
        self.parts.append(data if type(data) is bytes else bytes(data))
        self.size += len(data)
        if self.size >= FRAME + _TAIL:
            pending = b"".join(self.parts)
            chunk, tail = pending[:-_TAIL], pending[-_TAIL:]
            self.parts, self.size = [tail], len(tail)
            if self.streaming:
                self._send(_DATA, chunk)
            else:
                self._send(_START, _dumps((self.content_type, chunk)))
                self.streaming = True
        return len(data)

    def flush(self) -> None:
        """Frames go by size, not by the writer's flushes."""

    def finish(self, written: Written, max_rows: int) -> None:
        """Send what is left: the whole answer, or the last frames of a streamed one."""
        tail = b"".join(self.parts)
        if written.note:
            tail = note_truncation(tail, max_rows)
        if not self.streaming:
            send(self.sock, encode_answer(Answer(tail, written.content_type, written.truncated)))
            return
        self._send(_DATA, tail)
        self._send(_END, _dumps(("ok", written.truncated)))

    def fail(self, reply: bytes) -> None:
        """Send an error reply: alone, or as the end of a streamed answer already begun."""
        if self.streaming:
            self._send(_END, reply)
        else:
            send(self.sock, reply)

    def _send(self, tag: bytes, payload: bytes) -> None:
        try:  # blocks while the server has not read the frames before: back-pressure
            self.sock.sendall(HEADER.pack(len(tag) + len(payload)) + tag)
            self.sock.sendall(payload)
        except OSError as exc:
            raise WorkerGone(str(exc)) from exc


def answer_plan(sock: socket.socket, store: Store, plan: Plan) -> None:
    """In a worker: evaluate ``plan`` and send its answer, whole or streamed, or its error.
    Raises WorkerGone when the server is gone (it killed us, or will)."""
    out = FrameWriter(sock)
    try:
        out.finish(execute_into(store, plan, out), plan.max_rows)
        return
    except WorkerGone:
        raise
    except errors.LeongraphError as exc:
        reply = encode_error(exc)
    except BaseException as exc:  # a bug: reported to the server, which answers 500
        log.exception("worker failed")
        reply = encode_bug(exc)
    out.fail(reply)


def is_stream(reply: bytes | memoryview) -> bool:
    """Whether a worker's first frame begins a streamed answer."""
    return reply[:1] == _START


class Frames:
    """On the server: the frames of a streamed answer after its first (evaluation.Rest), read
    from the worker one at a time as the client takes them. ``release`` gives the worker
    back (True: healthy, once the last frame is read) or kills it (False), exactly once."""

    def __init__(
        self,
        sock: socket.socket,
        deadline: float,
        timeout: float,
        release: Callable[[bool], None],
    ) -> None:
        self.sock = sock
        self.deadline = deadline
        self.timeout = timeout
        self._release: Callable[[bool], None] | None = release
        self.truncated = False

    def __aiter__(self) -> Frames:
        return self

    async def __anext__(self) -> bytes:
        if self._release is None:
            raise StopAsyncIteration
        try:
            with anyio.fail_after(max(self.deadline - time.monotonic(), 0.001)):
                payload = await read_frame(self.sock)
        except TimeoutError:
            self.close()
            raise errors.QueryTimeout(
                f"The answer took longer than {self.timeout:g} s and was cut.",
                timeout=self.timeout,
            ) from None
        except (EOFError, OSError) as exc:
            self.close()
            raise errors.WorkerLost(
                "The query was stopped while its answer was sent: it needed more memory than "
                "a query may use, or it crashed the query engine.",
            ) from exc
        except BaseException:  # cancelled: the client left
            self.close()
            raise
        tag = payload[:1]
        if tag == _DATA:
            return payload[1:]
        self._end(healthy=True)
        reply = pickle.loads(payload[1:])
        if reply[0] == "ok":
            self.truncated = bool(reply[1])
            raise StopAsyncIteration
        decode_reply(payload[1:])  # raises the error the worker met on the way
        raise RuntimeError("a streamed answer ended with an unknown frame")

    def close(self) -> None:
        self._end(healthy=False)

    def _end(self, *, healthy: bool) -> None:
        release, self._release = self._release, None
        if release is not None:
            release(healthy)

    def __del__(self) -> None:  # dropped unread (the response never ran): no worker leaks
        with contextlib.suppress(Exception):
            self.close()


def streamed(
    first: bytes | memoryview,
    sock: socket.socket,
    deadline: float,
    timeout: float,
    release: Callable[[bool], None],
) -> Answer:
    """The answer an ``S`` frame begins: its first bytes, and the rest to come."""
    content_type, body = pickle.loads(first[1:])
    return Answer(body, content_type, rest=Frames(sock, deadline, timeout, release))


def _dumps(reply: tuple[object, ...]) -> bytes:
    return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)


__all__ = [
    "FRAME",
    "FrameWriter",
    "Frames",
    "TooLong",
    "answer_plan",
    "execute_in_server",
    "is_stream",
    "streamed",
]
