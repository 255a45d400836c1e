"""The response of a streamed answer (sparql/workers/stream.py): its first frame, then each
frame as the worker sends it, in a chunked body.

``send`` waits while the client has not taken what was sent (the server's flow control), and
the next frame is read from the worker only then: back-pressure reaches the worker, which
blocks on its socket. The query's deadline covers the whole answer; past it, or when the
client leaves (``http.disconnect``), or on an error met mid-answer, the worker is killed and
the response ends without its last chunk: the status line and headers are gone, and an
incomplete body is the one thing an HTTP client reliably reports (``curl: (18) transfer closed
with outstanding read data remaining``, httpx ``RemoteProtocolError``)."""

from __future__ import annotations

import logging
import time

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from leongraph.sparql.evaluation import Answer, Rest

log = logging.getLogger(__name__)

#: Says that the answer is streamed: no Content-Length, and no X-Leongraph-Truncated header
#: (the row cap is met, if ever, after the headers are sent; see README "Row cap").
STREAMED_HEADER = "X-Leongraph-Streamed"


class StreamedResponse(Response):
    """A streamed answer as a response; the worker is killed unless the answer is complete."""

    def __init__(self, answer: Answer, rest: Rest, headers: dict[str, str]) -> None:
        # Not Response.__init__, which would add a Content-Length (as StreamingResponse does).
        self.status_code = 200
        self.background = None
        self.init_headers({**headers, STREAMED_HEADER: "true"})
        self.first = answer.body
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        complete = False
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(_until_disconnect, receive, group.cancel_scope)
                remaining = self.rest.deadline - time.monotonic()
                with anyio.move_on_after(max(remaining, 0.001)):
                    complete = await self._send_all(send)
                group.cancel_scope.cancel()
        except Exception as exc:  # mid-answer: logged, and the body is left incomplete
            log.warning("streamed answer stopped: %s", exc)
        finally:
            self.rest.close()  # kills the worker unless the answer came to its end
        if not complete:
            log.info("streamed answer cut: deadline passed, client gone or worker failed")

    async def _send_all(self, send: Send) -> bool:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.first, "more_body": True})
        async for chunk in self.rest:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return True


async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    """Cancel the response when the client leaves."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            scope.cancel()
            return
