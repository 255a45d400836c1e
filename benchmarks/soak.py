"""The soak test (`make soak`): a `leongraph serve` process on the loopback interface takes a
c=64 mix of the benchmark's queries (benchmarks/mix.py) for ``--duration`` seconds while a
second client sends the abusive requests of issue 17 (long and deep queries, pattern bombs,
large and deep reconciliation batches, a 1 MiB header, idle connections, a stalled body, and
one kill -9 of the query workers' zygote), and a third asks /healthz every 0.1 s.

It prints p50/p99 of the mix, the answers by status, what each abusive request got, and the
worst /healthz wait, then exits 1 if any request got a 500 or /healthz ever waited more than
1 s. The mix is sent with wrk (installed from Debian when missing and run as root), else with
an asyncio httpx load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from mix import MIX, PARAMS  # noqa: E402

#: Worst /healthz wait allowed, in seconds.
HEALTHZ_LIMIT = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(port: int, timeout: float) -> Iterator[subprocess.Popen]:
    """`leongraph serve` with default settings but ``--timeout``, until /healthz answers."""
    argv = [sys.executable, "-m", "leongraph", "serve", "--port", str(port)]
    argv += ["--timeout", str(timeout)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEONGRAPH_")}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"leongraph serve exited: {log.read().decode()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("leongraph serve did not start")
                time.sleep(0.1)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---------------------------------------------------------------- the mix


def mix_requests() -> list[tuple[str, str]]:
    """(path, Accept) of each query of the mix, as GET requests."""
    params = PARAMS["bundled"]
    return [("/sparql?" + urllib.parse.urlencode({"query": q.text(params)}), q.accept) for q in MIX]


def find_wrk(install: bool) -> str | None:
    """wrk, installed from Debian when missing and allowed (root, apt-get present)."""
    found = shutil.which("wrk")
    if found or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("soak: installing wrk (apt-get) ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if subprocess.run(step, env=env, capture_output=True).returncode != 0:
            return None
    return shutil.which("wrk")


def run_wrk(wrk: str, url: str, seconds: float, connections: int) -> dict:
    argv = [wrk, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    argv += ["-s", str(HERE / "soak.lua"), url, "--"]
    for path, accept in mix_requests():
        argv += [path, accept]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("{")][-1]
    out = json.loads(line)
    return {
        "tool": "wrk",
        "requests": out["requests"],
        "statuses": {int(k): v for k, v in out["statuses"].items()},
        "p50_ms": out["p50_us"] / 1000,
        "p99_ms": out["p99_us"] / 1000,
        "max_ms": out["max_us"] / 1000,
        "socket_errors": sum(out[k] for k in ("connect_errors", "read_errors", "write_errors")),
        "timeouts": out["timeouts"],
    }


async def _httpx_load(url: str, seconds: float, connections: int) -> dict:
    requests = mix_requests()
    latencies: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections)

    async def one(client: httpx.AsyncClient, start: int) -> None:
        nonlocal errors
        i = start
        while time.monotonic() < stop:
            path, accept = requests[i % len(requests)]
            i += 1
            began = time.perf_counter()
            try:
                r = await client.get(path, headers={"Accept": accept})
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - began)
            statuses[r.status_code] += 1

    async with httpx.AsyncClient(base_url=url, timeout=10, limits=limits) as client:
        await asyncio.gather(*(one(client, i) for i in range(connections)))
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "tool": "httpx",
        "requests": len(latencies),
        "statuses": dict(statuses),
        "p50_ms": pct(0.50) if latencies else 0.0,
        "p99_ms": pct(0.99) if latencies else 0.0,
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "socket_errors": errors,
        "timeouts": 0,
    }


def run_httpx(url: str, seconds: float, connections: int) -> dict:
    return asyncio.run(_httpx_load(url, seconds, connections))


# ---------------------------------------------------------------- the abuse

TIGHT = 'SERVICE wikibase:label{bd:serviceParam wikibase:language"en"}'
NESTED = " || ".join(f'REGEX(STR(?o), "(.{{1,100}}){{1,100}}Q{i}")' for i in range(8))
QUERIES = {
    "deep-braces": "ASK { " + "{" * 5_000 + "}" * 5_000 + " }",
    "unions": "ASK { " + "{} UNION " * 11_000 + "{} }",
    "long-names": "ASK {} " + "a." * 49_990,
    "label-blocks": "SELECT ?xLabel { ?x ?p ?o " + TIGHT * 1_500 + "}",
    "regex-nested": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && ({NESTED})) }}"
    ),
    "regex-counted": (
        'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(.{1,40}){1,40}QQQ")) }'
    ),
}


def _batch(queries: int, chars: int) -> str:
    word = "leonmathildastansfield"
    text = (word * (chars // len(word) + 1))[:chars]
    return json.dumps({f"q{i}": {"query": text} for i in range(queries)})


def abuses(base: str) -> dict[str, Callable[[httpx.Client], int]]:
    """Each abusive request of the issue's table: a function sending it, returning the status."""

    def query(text: str) -> Callable[[httpx.Client], int]:
        return lambda c: c.post("/sparql", data={"query": text}).status_code

    out: dict[str, Callable[[httpx.Client], int]] = {
        "huge-header": lambda c: c.get("/healthz", headers={"X-Big": "a" * 2**20}).status_code,
        "reconcile-batch": lambda c: (
            c.post("/reconcile", data={"queries": _batch(60, 1_000)}).status_code
        ),
        "reconcile-deep-json": lambda c: (
            c.get("/reconcile", params={"queries": "[" * 5_000 + "]" * 5_000}).status_code
        ),
    }
    out.update((name, query(text)) for name, text in QUERIES.items())  # the slow ones last
    return out


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


class Abuser(threading.Thread):
    """Sends the abusive requests in turn until stopped; opens idle connections and one that
    stalls mid-body at the start, and kills the zygote once, a third of the way in."""

    def __init__(self, base: str, server_pid: int, seconds: float) -> None:
        super().__init__(daemon=True)
        self.base, self.server_pid, self.seconds = base, server_pid, seconds
        self.stop = threading.Event()
        self.seen: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        self.worst: dict[str, float] = collections.defaultdict(float)
        self.idle_closed = 0
        self.zygote_killed: int | None = None

    def record(self, name: str, outcome: str, elapsed: float) -> None:
        self.seen[name][outcome] += 1
        self.worst[name] = max(self.worst[name], elapsed)

    def run(self) -> None:
        host, port = "127.0.0.1", int(self.base.rsplit(":", 1)[1])
        idle = [socket.create_connection((host, port)) for _ in range(200)]
        stalled = socket.create_connection((host, port))
        stalled.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nquery=ASK"
        )
        kill_at = time.monotonic() + self.seconds / 3
        sends = abuses(self.base)
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                for name, send in sends.items():
                    if self.stop.is_set():
                        break
                    if self.zygote_killed is None and time.monotonic() >= kill_at:
                        self.kill_zygote()
                    start = time.perf_counter()
                    try:
                        outcome = str(send(client))
                    except httpx.HTTPError as exc:
                        outcome = type(exc).__name__
                    self.record(name, outcome, time.perf_counter() - start)
        for sock in idle:
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                try:
                    if sock.recv(1) == b"":
                        self.idle_closed += 1
                except ConnectionResetError:
                    self.idle_closed += 1
            sock.close()
        stalled.close()

    def kill_zygote(self) -> None:
        children = _children(self.server_pid)
        self.zygote_killed = children[0] if children else 0
        for pid in children:  # the zygote (its workers are its children, not the server's)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def probe(base: str, ready: Any, stop: Any, out: Any) -> None:
    """Ask /healthz every 0.1 s until ``stop``; put the worst wait and the answers on ``out``.
    Run in a process of its own, so that the other clients' work never delays it."""
    worst = 0.0
    seen: collections.Counter[str] = collections.Counter()
    with httpx.Client(base_url=base, timeout=10) as client:
        ready.set()
        while not stop.is_set():
            start = time.perf_counter()
            try:
                r = client.get("/healthz")
                outcome = f"{r.status_code} {r.json().get('status')}"
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
                worst = max(worst, 10.0)
            worst = max(worst, time.perf_counter() - start)
            seen[outcome] += 1
            stop.wait(0.1)
    out.put((worst, dict(seen)))


class Prober:
    """``probe`` in a process of its own (started fresh, not forked)."""

    def __init__(self, base: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.ready, self.stop, self.out = context.Event(), context.Event(), context.Queue()
        args = (base, self.ready, self.stop, self.out)
        self.process = context.Process(target=probe, args=args, daemon=True)
        self.worst = 0.0
        self.seen: dict[str, int] = {}

    def start(self) -> None:
        self.process.start()
        if not self.ready.wait(60):
            raise RuntimeError("the /healthz prober did not start")

    def finish(self) -> None:
        self.stop.set()
        self.worst, self.seen = self.out.get(timeout=60)
        self.process.join(10)


# ---------------------------------------------------------------- main


def soak(duration: float, connections: int, timeout: float, use_wrk: bool) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    wrk = find_wrk(install=True) if use_wrk else None
    with serve(port, timeout) as proc:
        prober, abuser = Prober(base), Abuser(base, proc.pid, duration)
        prober.start()
        abuser.start()
        try:
            if wrk:
                mix = run_wrk(wrk, base, duration, connections)
            else:
                mix = run_httpx(base, duration, connections)
        finally:
            abuser.stop.set()
            abuser.join(60)
            prober.finish()
    fivehundreds = mix["statuses"].get(500, 0) + sum(
        n for seen in abuser.seen.values() for outcome, n in seen.items() if outcome == "500"
    )
    return {
        "duration_s": duration,
        "connections": connections,
        "mix": mix,
        "abuse": {
            name: {"answers": dict(seen), "worst_s": round(abuser.worst[name], 3)}
            for name, seen in abuser.seen.items()
        },
        "idle_connections_closed": f"{abuser.idle_closed}/200",
        "zygote_killed": abuser.zygote_killed,
        "healthz": {"worst_s": round(prober.worst, 3), "answers": dict(prober.seen)},
        "errors_500": fivehundreds,
        "ok": fivehundreds == 0 and prober.worst <= HEALTHZ_LIMIT,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="mix concurrency (64)")
    parser.add_argument("--timeout", type=float, default=3.0, help="the server's --timeout (3)")
    parser.add_argument("--no-wrk", action="store_true", help="send the mix with httpx")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    report = soak(args.duration, args.connections, args.timeout, not args.no_wrk)
    mix = report["mix"]
    print(
        f"mix ({mix['tool']}, c={args.connections}, {args.duration:g} s): {mix['requests']} "
        f"requests, p50 {mix['p50_ms']:.1f} ms, p99 {mix['p99_ms']:.1f} ms, max "
        f"{mix['max_ms']:.0f} ms; statuses {mix['statuses']}; socket errors "
        f"{mix['socket_errors']}, timeouts {mix['timeouts']}"
    )
    for name, seen in report["abuse"].items():
        print(f"abuse {name}: {seen['answers']} (worst {seen['worst_s']:.2f} s)")
    print(f"idle connections closed by the server: {report['idle_connections_closed']}")
    print(f"zygote killed: {report['zygote_killed']}")
    health = report["healthz"]
    print(f"/healthz: worst {health['worst_s'] * 1000:.0f} ms; {health['answers']}")
    print(f"500s: {report['errors_500']}; {'PASS' if report['ok'] else 'FAIL'}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
