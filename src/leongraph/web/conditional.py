"""Conditional GET for a read-only graph. Every successful GET gets a weak ETag (a hash of the
loaded data plus what selects the representation: path, query string, Accept, Accept-Encoding,
host) and a Last-Modified date (when the data changed); a request whose If-None-Match (or,
without it, If-Modified-Since) matches is answered 304 with no body (RFC 9110 §13). An
If-None-Match naming the very tag this request would get is answered before the route runs:
the tag is a function of the data and of the request alone."""

from __future__ import annotations

import hashlib
from email.utils import parsedate_to_datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leongraph.linkeddata.publication import Publication

#: Request headers that select a different representation of the same URL.
VARYING = ("accept", "accept-encoding", "accept-language", "host")
#: Headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5).
KEPT_ON_304 = ("etag", "last-modified", "vary", "cache-control", "content-location", "expires")


def etag_for(pub: Publication, scope: Scope) -> str:
    """The weak validator of the representation this request would get."""
    headers = Headers(scope=scope)
    selector = "\n".join(
        [
            scope.get("root_path", ""),
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            *(headers.get(h, "") for h in VARYING),
        ]
    )
    digest = hashlib.sha256(selector.encode("utf-8")).hexdigest()[:16]
    return f'W/"{pub.fingerprint[:16]}-{digest}"'


def _tags(header: str) -> list[str]:
    """Entity tags of an If-None-Match header, compared weakly (the W/ prefix dropped)."""
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def not_modified(request_headers: Headers, etag: str, pub: Publication) -> bool:
    """True when the client's copy is current."""
    inm = request_headers.get("if-none-match")
    if inm is not None:
        tags = _tags(inm)
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = request_headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False  # an unparseable date is ignored (RFC 9110 §13.1.3)
        if since.tzinfo is None:
            return False
        return since >= pub.last_modified
    return False


class ConditionalGetMiddleware:
    """Adds ETag / Last-Modified / Cache-Control to 200 answers of GET and HEAD, and turns
    them into 304 when the client already has them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        pub = await scope["app"].leongraph.ready_publication()
        etag = etag_for(pub, scope)
        request_headers = Headers(scope=scope)
        if etag.removeprefix("W/") in _tags(request_headers.get("if-none-match", "")):
            # The tag names this exact request over this exact data, and the graph is
            # read-only: the client holds the current answer, so it is not computed again.
            headers = [
                (b"etag", etag.encode("latin-1")),
                (b"last-modified", pub.http_date.encode("latin-1")),
                (b"cache-control", b"no-cache"),
            ]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        state = {"304": False}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                headers = MutableHeaders(scope=message)
                own = headers.get("etag")
                if own is None:
                    headers["ETag"] = etag
                if "last-modified" not in headers:
                    headers["Last-Modified"] = pub.http_date
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-cache"
                if not_modified(request_headers, own or etag, pub):
                    state["304"] = True
                    kept = [(k, v) for k, v in message["headers"] if k.decode() in KEPT_ON_304]
                    await send({"type": "http.response.start", "status": 304, "headers": kept})
                    return
                await send(message)
            elif state["304"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
            else:
                await send(message)

        await self.app(scope, receive, wrapped)
