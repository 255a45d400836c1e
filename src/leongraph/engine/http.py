"""A small HTTP/1.1 client for the query path to a remote engine over plain ``http://``:
kept-alive connections in a pool of the event loop, one form POST per query, the answer read
whole (``Content-Length`` or chunked). It does per request a fraction of what a general client
does (httpx's async stack was two thirds of a front's time in front of Oxigraph server).

A request left midway (the caller's timeout cancels it) closes its connection, which is how
the engine learns that nobody waits for the answer any more; only a connection that finished
its exchange goes back to the pool. ``https://`` and everything else go through httpx."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode, urlsplit

import httpx

#: Idle connections kept per engine (one per concurrent query is reused; more are closed).
POOL = 64
_MAX_HEAD = 64 * 1024


class Unreachable(OSError):
    """The connection failed or the engine closed it before answering."""


class Pool:
    """Kept-alive connections to one ``http://host:port``, for one event loop."""

    def __init__(self, url: str, connect_timeout: float) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 80
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.authority = parts.netloc
        self.connect_timeout = connect_timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post_form(
        self, fields: dict[str, list[str]], headers: dict[str, str]
    ) -> httpx.Response:
        body = urlencode(fields, doseq=True).encode()
        head = [
            f"POST {self.target} HTTP/1.1",
            f"Host: {self.authority}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in (0, 1):  # a kept-alive connection the engine closed: once more, fresh
            reused = bool(self._idle)
            reader, writer = self._idle.pop() if reused else await self._connect()
            done = False
            try:
                writer.write(request)
                response, keep = await _read_response(reader)
                done = True
            except (Unreachable, ConnectionError, asyncio.IncompleteReadError) as exc:
                if reused and attempt == 0:
                    continue
                raise Unreachable(str(exc) or "the connection was closed") from exc
            finally:
                if not done:
                    writer.close()
            if keep and len(self._idle) < POOL:
                self._idle.append((reader, writer))
            else:
                writer.close()
            return response
        raise Unreachable("the connection was closed")  # pragma: no cover - loop returns

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            async with asyncio.timeout(self.connect_timeout):
                return await asyncio.open_connection(self.host, self.port, limit=_MAX_HEAD)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {self.authority} timed out") from exc
        except OSError as exc:
            raise Unreachable(str(exc) or type(exc).__name__) from exc

    def close(self) -> None:
        for _, writer in self._idle:
            with contextlib.suppress(Exception):
                writer.close()
        self._idle.clear()


async def _read_response(reader: asyncio.StreamReader) -> tuple[httpx.Response, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise Unreachable("the engine closed the connection")
    parts = status_line.decode("latin-1").split(" ", 2)
    status = int(parts[1])
    headers: list[tuple[str, str]] = []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip().lower(), value.strip()))
    found = dict(headers)
    if found.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        content = b"".join(chunks)
        keep = True
    elif "content-length" in found:
        content = await reader.readexactly(int(found["content-length"]))
        keep = True
    else:  # the body ends with the connection
        content = await reader.read()
        keep = False
    if found.get("connection", "").lower() == "close" or parts[0] == "HTTP/1.0":
        keep = False
    return httpx.Response(status, headers=headers, content=content), keep


__all__ = ["Pool", "Unreachable"]
