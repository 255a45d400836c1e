"""How ``leongraph serve`` runs the app under uvicorn: its HTTP limits (settings.py's
``server_options``) and the protocol that makes them hold with uvicorn's fast parser.

uvicorn bounds request headers only with its h11 parser, which serves /sparql at less than
half the rate of httptools (the README's "Limits"). ``LimitedHttpToolsProtocol`` keeps
httptools and adds what it lacks:

- request line and headers longer than ``max_header_bytes`` are answered 431 (the one error
  body) as soon as that many bytes have arrived without the end of the headers, and the
  connection is closed: a huge header costs neither the parser's time nor memory;
- a connection that sends nothing is closed after ``timeout_keep_alive``, like one idle
  between two requests (uvicorn starts that clock only after a first answer);
- past ``limit_concurrency`` connections or requests at once, the answer is the one error
  body, 503 with ``Retry-After`` (uvicorn's own has neither).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from leongraph.config import Settings
from leongraph.errors import HeadersTooLarge, ServerBusy
from leongraph.web.errors import error_body, render_error


def server_options(settings: Settings) -> dict[str, object]:
    """Keyword arguments of ``uvicorn.run`` / ``uvicorn.Config`` for ``settings``' limits."""
    return {**settings.server_options(), "http": LimitedHttpToolsProtocol}


async def busy(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer past ``limit_concurrency``: 503, Retry-After, and the connection closed."""
    exc = ServerBusy("The server has as many requests as it takes at once; try again.")
    response = render_error(Headers(scope=scope).get("accept", ""), exc)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


def _headers_too_large(limit: int) -> bytes:
    exc = HeadersTooLarge(
        f"The request line and headers are longer than {limit} bytes.",
        setting="max_header_bytes",
    )
    body = json.dumps(error_body(exc.status, exc.title, exc.message, **exc.details)).encode()
    head = (
        f"HTTP/1.1 431 {exc.title}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the limits above (see the module doc). The header
    limit is the config's ``h11_max_incomplete_event_size``: one setting for both parsers."""

    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.max_head = int(config.h11_max_incomplete_event_size or 65_536)
        self.head_bytes = 0  # bytes received since the current request began
        self.in_head = True  # the headers of the current request are not complete yet
        self.limit = self.limit_concurrency
        self.limit_concurrency = None  # checked here, with the one error body

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def data_received(self, data: bytes) -> None:
        if not self.in_head:
            super().data_received(data)
            return
        room = self.max_head - self.head_bytes
        self.head_bytes += len(data)
        if len(data) <= room:
            super().data_received(data)
            return
        super().data_received(data[: room + 1])  # the rest is fed only if the head ended
        if self.in_head and not self.transport.is_closing():
            self._unset_keepalive_if_required()
            self.transport.write(_headers_too_large(self.max_head))
            self.transport.close()
        elif not self.transport.is_closing():
            super().data_received(data[room + 1 :])

    def on_headers_complete(self) -> None:
        self.in_head = False
        limit = self.limit
        if limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit):
            app, self.app = self.app, busy
            try:
                super().on_headers_complete()
            finally:
                self.app = app
            return
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head, self.head_bytes = True, 0
