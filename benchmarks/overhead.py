"""Where one SPARQL request's time goes, layer by layer, without the network: each layer is
called in-process many times and its median is printed, so the cost of the protocol, the
worker round trip (or running in the server, triage.py) and serialisation can be told apart
from the engine's.

    python benchmarks/overhead.py                 # the bundled graph, the lookup query
    python benchmarks/overhead.py --query join --store benchmarks/out/work/100k-leongraph-0
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from leongraph.graph import open_store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mix import MIX, PARAMS  # noqa: E402


def median_us(fn: Callable[[], object], n: int) -> float:
    for _ in range(min(50, n)):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


async def amedian_us(fn: Callable[[], Awaitable[object]], n: int) -> float:
    for _ in range(min(50, n)):
        await fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def asgi_call(app: object, body: bytes, accept: str) -> Callable[[], Awaitable[int]]:
    """One POST /sparql through the whole ASGI app, as uvicorn would make it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/sparql-query"),
            (b"accept", accept.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }

    async def call() -> int:
        status = 0

        async def receive() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(dict(scope), receive, send)  # type: ignore[operator]
        if status != 200:
            raise RuntimeError(f"HTTP {status}")
        return status

    return call


async def measure(args: argparse.Namespace) -> list[tuple[str, float]]:
    from leongraph.config import Settings
    from leongraph.formats import JSON, TURTLE
    from leongraph.sparql.evaluation import execute, prepare
    from leongraph.sparql.protocol import parse_request
    from leongraph.web.app import create_app

    query = next(q for q in MIX if q.name == args.query)
    params = PARAMS["synthetic" if args.store else "bundled"]
    text = query.text(params)
    body = text.encode()
    settings = Settings(store_path=Path(args.store) if args.store else None)
    store = open_store(settings)
    fmt = TURTLE if query.graph else JSON
    req = parse_request("POST", b"", "application/sparql-query", body)
    plan = prepare(req, settings, accept=query.accept)
    n, cap = args.n, settings.max_rows

    def parse() -> object:
        return parse_request("POST", b"", "application/sparql-query", body)

    def preparing() -> object:
        return prepare(req, settings, accept=query.accept)

    def uncapped() -> bytes:
        return b"".join(store.query(plan.text).serialize(fmt))

    def capped() -> bytes:
        return b"".join(store.query(plan.text).serialize(fmt, max_rows=cap))

    rows = [
        ("parse_request (protocol)", median_us(parse, n)),
        ("prepare (labels, safety, negotiation)", median_us(preparing, n)),
        ("store.query + serialize, uncapped", median_us(uncapped, n)),
        ("store.query + serialize, max_rows", median_us(capped, n)),
        ("execute (the worker's part)", median_us(lambda: execute(store, plan), n)),
    ]
    for in_process in (False, True):
        app = create_app(settings.replace(in_process=in_process), store)
        executor = app.leongraph.executor
        where = "in the server (bounded)" if in_process else "in a worker"
        if in_process:
            executor._triage.learn(plan.text)  # as after the second sighting of the text
        trip = await amedian_us(functools.partial(executor.run, plan), n)
        rows.append((f"executor.run, {where}", trip))
        whole = await amedian_us(asgi_call(app, body, query.accept), n)
        rows.append((f"whole ASGI app (hot path), {where}", whole))
        executor.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="lookup", choices=[q.name for q in MIX])
    parser.add_argument("--store", help="an on-disk store (default: the bundled graph)")
    parser.add_argument("-n", type=int, default=500, help="calls per layer")
    args = parser.parse_args()
    for name, us in asyncio.run(measure(args)):
        print(f"{us:10.1f} µs  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
