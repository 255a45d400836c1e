"""engine/http.py: the query path's own HTTP/1.1 client keeps connections alive, reads both
body framings, tries a closed kept-alive connection once more, and drops a connection left
midway (a cancelled query)."""

from __future__ import annotations

import asyncio

import pytest

from leongraph.engine.http import Pool, Unreachable

CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
    b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
)
SIZED = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


async def serve(answers: list[bytes | None], connections: list[int]) -> asyncio.Server:
    """Answers each request with the next of ``answers`` (None: close without answering;
    b"": never answer)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while answers:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            answer = answers.pop(0)
            if answer is None:
                break
            if answer == b"":
                await asyncio.sleep(10)
            writer.write(answer)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def run(answers: list[bytes | None], body: object) -> tuple[object, int]:
    connections: list[int] = []

    async def main() -> object:
        server = await serve(answers, connections)
        port = server.sockets[0].getsockname()[1]
        pool = Pool(f"http://127.0.0.1:{port}/query", 5)
        try:
            return await body(pool)  # type: ignore[operator]
        finally:
            pool.close()
            server.close()

    return asyncio.run(main()), len(connections)


def test_kept_alive_and_both_framings() -> None:
    async def body(pool: Pool) -> list[tuple[int, bytes, str | None]]:
        out = []
        for _ in range(2):
            r = await pool.post_form({"query": ["ASK {}"]}, {"Accept": "text/plain"})
            out.append((r.status_code, r.content, r.headers.get("x-a")))
        return out

    answers, connections = run([CHUNKED, SIZED], body)
    assert answers == [(200, b"abcde", "1"), (200, b"ok", None)]
    assert connections == 1


def test_a_kept_alive_connection_closed_by_the_engine_is_tried_once_more() -> None:
    async def body(pool: Pool) -> bytes:
        await pool.post_form({"query": ["ASK {}"]}, {})
        return (await pool.post_form({"query": ["ASK {}"]}, {})).content

    content, connections = run([SIZED, None, SIZED], body)
    assert content == b"ok" and connections == 2


def test_a_cancelled_request_drops_its_connection() -> None:
    async def body(pool: Pool) -> bytes:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await pool.post_form({"query": ["slow"]}, {})
        assert pool._idle == []
        return (await pool.post_form({"query": ["ASK {}"]}, {})).content

    content, connections = run([b"", SIZED], body)
    assert content == b"ok" and connections == 2


def test_nothing_listening_is_unreachable() -> None:
    async def main() -> None:
        await Pool("http://127.0.0.1:9/query", 1).post_form({}, {})

    with pytest.raises(Unreachable):
        asyncio.run(main())
