"""The hot path of ``/sparql``: a query answered before routing.

Most requests to the endpoint are queries sent by programs, with no ``Origin`` and no
conditional headers. For those, this ASGI app (in front of the app's layers, app.py) reads the
request and runs it through the same query pipeline as the route (sparql/pipeline.py), then
writes the answer through the same middleware the app uses (so every header is written by one
piece of code). Routing and dependency resolution cost more than evaluating a small query;
this path skips them (measured by benchmarks/run.py).

A request asked before whose answer is in the answer cache (sparql/answer_cache.py) is
answered here and now: no reading, planning or evaluating. Every answer, cached or new, is
written here with the headers the middleware would add (validators on GET, ``Vary:
Accept-Encoding`` past the gzip minimum); only a client that accepts gzip for an answer long
enough to compress takes the middleware for it.

Everything else goes down the full stack: other paths and methods, CORS and conditional
requests, and bodies over the size limit, with the body already read replayed; and updates,
requests without a query and every error, which the hot path hands to the route (HANDED_KEY)
so that they keep their one body and their headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from leongraph.sparql.evaluation import Answer, Plan
from leongraph.sparql.pipeline import Asked, QueryPipeline
from leongraph.web.routes.sparql import BODY_KEY, ENDPOINT_PATHS, HANDED_KEY, answer_response

Scope = MutableMapping[str, Any]  # as starlette.types has them
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Request headers that send a request down the full stack (CORS, conditional requests).
_DECLINED = frozenset([b"origin", b"if-none-match", b"if-modified-since", b"if-match"])
_WANTED = frozenset([b"accept", b"accept-language", b"content-type", b"accept-encoding"])
_ANSWER_KEY = "leongraph.answer"


class HotPath:
    """``app`` is the full stack; ``layers`` wraps an ASGI app in the app's middleware."""

    def __init__(
        self,
        app: ASGIApp,
        pipeline: QueryPipeline,
        layers: Callable[[ASGIApp], ASGIApp],
        *,
        max_body_bytes: int,
        gzip_minimum: int,
        last_modified: Callable[[], Awaitable[str]],
        cors: bool,
    ) -> None:
        self.app = app
        self.pipeline = pipeline
        self.max_body_bytes = max_body_bytes
        self.gzip_minimum = gzip_minimum
        self.last_modified = last_modified
        # Vary as the middleware writes it: gzip adds Accept-Encoding past its minimum, CORS
        # adds Origin to every answer.
        origin = b", Origin" if cors else b""
        self._vary = (b"Accept" + origin, b"Accept, Accept-Encoding" + origin)
        self.respond = layers(_write_answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if path.startswith(root):
            path = path[len(root) :] or "/"
        if scope["type"] != "http" or method not in ("GET", "POST") or path not in ENDPOINT_PATHS:
            await self.app(scope, receive, send)
            return
        wanted: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _DECLINED:
                await self.app(scope, receive, send)
                return
            if name in _WANTED and name not in wanted:
                wanted[name] = value.decode("latin-1")
        body = b""
        if method == "POST":
            body, complete = await _read(receive, self.max_body_bytes)
            if not complete:  # too long: the route refuses it with 413
                await self.app(scope, _replay(body, True, receive), send)
                return
        asked = Asked(
            method,
            scope["query_string"],
            body,
            wanted.get(b"content-type"),
            wanted.get(b"accept"),
            wanted.get(b"accept-language"),
        )
        hit = self.pipeline.cached(asked)
        if hit is not None:
            await self._answer(scope, receive, send, hit, wanted)
            return
        try:
            outcome = await self.pipeline.plan_off_loop(asked)
            if not isinstance(outcome, Plan):  # an update, or no query: the route's business
                await self.app({**scope, HANDED_KEY: outcome, BODY_KEY: body}, receive, send)
                return
            answer = await self.pipeline.run(outcome)
        except Exception as exc:  # rendered by the full stack, bugs included
            await self.app({**scope, HANDED_KEY: exc}, receive, send)
            return
        await self._answer(scope, receive, send, answer, wanted)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, answer: Answer, wanted: dict[bytes, str]
    ) -> None:
        """Write ``answer`` directly, unless it is streamed or the client accepts gzip for an
        answer long enough to compress: then through the middleware (the layers cost more
        than a small query)."""
        long = len(answer.body) >= self.gzip_minimum
        if answer.rest is None and not (long and "gzip" in wanted.get(b"accept-encoding", "")):
            await self._write(scope["method"], answer, long, send)
            return
        await self.respond({**scope, _ANSWER_KEY: answer}, receive, send)

    async def _write(self, method: str, answer: Answer, long: bool, send: Send) -> None:
        """An answer with the headers the full stack writes for it (test_hotpath.py)."""
        headers = [
            (b"content-length", str(len(answer.body)).encode()),
            (b"content-type", answer.content_type.encode("latin-1")),
            (b"vary", self._vary[long]),
        ]
        headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in answer.headers.items()]
        if method == "GET":  # as conditional.py adds them
            headers.append((b"last-modified", (await self.last_modified()).encode("latin-1")))
            headers.append((b"cache-control", b"no-cache"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


async def _write_answer(scope: Scope, receive: Receive, send: Send) -> None:
    await answer_response(scope[_ANSWER_KEY])(scope, receive, send)


async def _read(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, or as much of it as passes ``limit`` (then False)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read so far, then what the client still sends."""
    pending = [{"type": "http.request", "body": body, "more_body": more}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
