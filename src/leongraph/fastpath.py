"""The hot path of ``/sparql``: a query answered without the framework's layers.

Most requests to the endpoint are queries sent by programs, with no ``Origin`` and no
conditional headers. For those, this ASGI app (in front of every layer, app.py) reads
the request and runs it through the very functions the route uses (protocol.parse_request,
evaluation.prepare, the executor), then writes the answer the full stack would write: the same
headers (Vary; ETag, Last-Modified and Cache-Control on GET; gzip when accepted and worth it).
Routing, dependency resolution and four middleware layers cost more than evaluating a small
query; this path skips them (measured by benchmarks/run.py).

Everything else goes down the full stack, with the body already read replayed: other paths
and methods, CORS and conditional requests, updates, the service description, and every
error, which the route re-raises so that errors keep their one body and their headers.
"""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from leongraph.conditional import etag_for
from leongraph.evaluation import Answer, Plan, prepare
from leongraph.protocol import parse_request
from leongraph.publication import publication_of

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Request headers that send a request down the full stack (CORS, conditional requests).
_DECLINED = frozenset([b"origin", b"if-none-match", b"if-modified-since", b"if-match"])
_WANTED = frozenset([b"accept", b"accept-encoding", b"accept-language", b"content-type"])
#: Where the route finds an error this path met while running the query (see module doc).
ERROR_KEY = "leongraph.error"
#: Requests remembered with their plan, and the longest query string plus body remembered.
PLAN_CACHE_SIZE = 1024
PLAN_KEY_MAX = 16_384
#: Answers at least this long are gzipped for clients that accept it (as GZipMiddleware).
GZIP_MINIMUM = 1024
GZIP_THREAD_MINIMUM = 128 * 1024


class SparqlFastPath:
    def __init__(self, app: ASGIApp, *, cors: bool) -> None:
        self.app = app
        self.vary_origin = cors  # the CORS middleware adds "Origin" to Vary when enabled
        #: Plans of requests seen before: reading and checking a request is pure, and
        #: clients repeat theirs (same query, same headers).
        self._plans: dict[tuple[object, ...], Plan] = {}

    def _remember(self, key: tuple[object, ...], plan: Plan) -> None:
        if len(key[1]) + len(key[2]) > PLAN_KEY_MAX:  # type: ignore[arg-type]
            return
        if len(self._plans) >= PLAN_CACHE_SIZE:
            self._plans.pop(next(iter(self._plans)))  # the oldest
        self._plans[key] = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or method not in ("GET", "POST")
            or path not in ("/sparql", scope.get("root_path", "") + "/sparql")
        ):
            await self.app(scope, receive, send)
            return
        wanted: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _DECLINED:
                await self.app(scope, receive, send)
                return
            if name in _WANTED and name not in wanted:
                wanted[name] = value.decode("latin-1")
        state = scope["app"].state
        body = b""
        if method == "POST":
            body, complete = await _read(receive, state.settings.max_body_bytes)
            receive = _replay(body, not complete, receive)
            if not complete:  # too long: the route refuses it with 413
                await self.app(scope, receive, send)
                return
        key = (
            method,
            scope["query_string"],
            body,
            *(wanted.get(h) for h in (b"content-type", b"accept", b"accept-language")),
        )
        try:
            plan = self._plans.get(key)
            if plan is None:
                request = parse_request(method, key[1], key[3], body)
                if request.query is not None and request.update is None:
                    plan = prepare(request, state.settings, accept=key[4], accept_language=key[5])
                    self._remember(key, plan)
            answer = None if plan is None else await state.executor.run(plan)
        except Exception as exc:  # rendered by the full stack, bugs included
            await self.app({**scope, ERROR_KEY: exc}, receive, send)
            return
        if answer is None:  # an update or no query at all: the route's business
            await self.app(scope, receive, send)
            return
        await self._send(scope, answer, wanted.get(b"accept-encoding", ""), send)

    async def _send(self, scope: Scope, answer: Answer, encodings: str, send: Send) -> None:
        body = answer.body
        vary = "Accept"
        headers = [(b"content-type", answer.content_type.encode("latin-1"))]
        if len(body) >= GZIP_MINIMUM:  # as GZipMiddleware: varies, whether gzipped or not
            vary += ", Accept-Encoding"
            if "gzip" in encodings:
                if len(body) < GZIP_THREAD_MINIMUM:
                    body = gzip.compress(body, compresslevel=9)
                else:  # a long compression would hold up the event loop
                    body = await anyio.to_thread.run_sync(gzip.compress, body, 9)
                headers.append((b"content-encoding", b"gzip"))
        if self.vary_origin:
            vary += ", Origin"
        headers.append((b"vary", vary.encode("latin-1")))
        headers.extend((k.lower().encode(), v.encode("latin-1")) for k, v in answer.headers.items())
        headers.append((b"content-length", str(len(body)).encode("latin-1")))
        if scope["method"] == "GET":  # as ConditionalGetMiddleware
            pub = publication_of(scope["app"].state)
            headers += [
                (b"etag", etag_for(pub, scope).encode("latin-1")),
                (b"last-modified", pub.http_date.encode("latin-1")),
                (b"cache-control", b"no-cache"),
            ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


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
