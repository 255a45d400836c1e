"""leongraph in front of Oxigraph server against the same server queried directly: the query
mix (mix.py, without the label service, which the engine lacks) on the bundled graph at c=1
and c=16, and the ratios of the two throughputs and p99 latencies from the same run. Then the
load time of a synthetic graph (generate.py) into the engine through ``leongraph load --store
URL --store-update URL`` against the engine's own bulk loading (``oxigraph load --location DIR
--file FILE``, then ``oxigraph serve`` until it answers), each from nothing to an engine that
serves the data. ``run.py`` (``make bench``) calls ``bench()``; alone:

    .venv/bin/python benchmarks/remote.py [--duration 3] [--size 1m]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate
from mix import MIX, PARAMS

from leongraph.vocab import prefixes_used

BIN = Path(sys.executable).parent
CONCURRENCY = (1, 16)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{url} did not start")


@contextmanager
def engine(location: Path) -> Iterator[str]:
    """Oxigraph server over ``location`` on a free loopback port, ready: its base URL."""
    port = free_port()
    argv = [BIN / "oxigraph", "serve", "--location", location, "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait(f"{url}/query?query=ASK%7B%7D")
        yield url
    finally:
        proc.kill()
        proc.wait()


def measure(url: str, queries: list[tuple[str, str]], clients: int, duration: float) -> dict:
    """``clients`` threads, each sending the mix in turn for ``duration`` seconds: requests
    per second and latency percentiles (ms)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    stop = time.monotonic() + duration

    def run(i: int) -> None:
        with httpx.Client(timeout=30) as c:
            for text, accept in itertools.cycle(queries):
                if time.monotonic() > stop:
                    return
                t0 = time.perf_counter()
                r = c.post(url, data={"query": text}, headers={"Accept": accept})
                latencies[i].append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.text[:200]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = sorted(x for per in latencies for x in per)
    cuts = statistics.quantiles(every, n=100, method="inclusive") if len(every) > 1 else every * 99
    return {
        "requests": len(every),
        "rps": len(every) / duration,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
    }


def compare_mix(work: Path, duration: float) -> dict:
    """The mix straight to the engine and through a front, at each concurrency."""
    location = work / "remote-mix"
    shutil.rmtree(location, ignore_errors=True)
    try:
        return _compare_mix(location, duration)
    finally:
        shutil.rmtree(location, ignore_errors=True)


def _compare_mix(location: Path, duration: float) -> dict:
    with engine(location) as url:
        load = ["load", "--bundled", "--store", f"{url}/query", "--store-update"]
        subprocess.run([BIN / "leongraph", *load, f"{url}/update"], check=True, capture_output=True)
        port = free_port()
        serve = ["serve", "--store", f"{url}/query", "--port", str(port)]
        front_proc = subprocess.Popen(
            [BIN / "leongraph", *serve], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            front = f"http://127.0.0.1:{port}/sparql"
            wait(f"http://127.0.0.1:{port}/healthz")
            mix = [q for q in MIX if q.name != "label-service"]
            texts = [(q.text(PARAMS["bundled"]), q.accept) for q in mix]
            # Sent directly, the engine needs the prefixes leongraph predeclares.
            direct = [
                ("".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes_used(t).items()) + t, a)
                for t, a in texts
            ]
            for target, queries in ((f"{url}/query", direct), (front, texts)):
                measure(target, queries, 1, min(duration, 0.5))  # warm both up
            out: dict = {"queries": [q.name for q in mix], "duration_s": duration}
            for c in CONCURRENCY:
                straight = measure(f"{url}/query", direct, c, duration)
                through = measure(front, texts, c, duration)
                out[str(c)] = {
                    "direct": straight,
                    "front": through,
                    "rps_ratio": through["rps"] / straight["rps"],
                    "p99_ratio": through["p99_ms"] / straight["p99_ms"],
                }
            return out
        finally:
            front_proc.kill()
            front_proc.wait()


def count(url: str) -> int:
    """Quads in the engine's named graphs (where both loads put every quad of the file)."""
    r = httpx.post(
        f"{url}/query",
        data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=300,
    )
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def compare_load(size: str, work: Path) -> dict:
    """Wall time from nothing to an engine serving the graph of ``size``: through leongraph
    (start the engine, ``leongraph load``) and by the engine's own bulk loader (``oxigraph
    load``, then start the engine)."""
    data = work / f"{size}.nq"
    generate.write(generate.parse_size(size), data)
    quads = sum(1 for _ in data.open("rb"))  # lines of the file; the engine keeps repeats once
    ours_dir, own_dir = work / f"remote-{size}-leongraph", work / f"remote-{size}-oxigraph"
    for d in (ours_dir, own_dir):
        shutil.rmtree(d, ignore_errors=True)

    t0 = time.perf_counter()
    with engine(ours_dir) as url:
        argv = ["load", str(data), "--store", f"{url}/query", "--store-update", f"{url}/update"]
        subprocess.run([BIN / "leongraph", *argv], check=True, capture_output=True)
        ours = time.perf_counter() - t0
        ours_triples = count(url)

    t0 = time.perf_counter()
    argv = ["load", "--location", str(own_dir), "--file", str(data)]
    subprocess.run([BIN / "oxigraph", *argv], check=True, capture_output=True)
    with engine(own_dir) as url:
        own = time.perf_counter() - t0
        own_triples = count(url)
    for d in (ours_dir, own_dir):
        shutil.rmtree(d, ignore_errors=True)
    return {
        "size": size,
        "quads": quads,
        "leongraph_s": ours,
        "oxigraph_s": own,
        "ratio": ours / own,
        "leongraph_quads": ours_triples,
        "oxigraph_quads": own_triples,
    }


def bench(work: Path, duration: float, size: str) -> dict:
    print("== remote: leongraph in front of Oxigraph server", file=sys.stderr)
    out = {"mix": compare_mix(work, duration)}
    print(f"== remote: load {size} through leongraph / oxigraph load", file=sys.stderr)
    out["load"] = compare_load(size, work)
    return out


def rows(result: dict) -> list[str]:
    """The printed lines: per concurrency, both sides and front ÷ direct."""
    mix = result["mix"]
    lines = [
        "",
        "### leongraph in front of Oxigraph server (front ÷ direct, same run)",
        "",
        f"mix: {', '.join(mix['queries'])} on the bundled graph; {mix['duration_s']:g} s per "
        "measure",
        "",
        "| c | direct req/s | front req/s | req/s front ÷ direct | direct p99 ms | front p99 ms "
        "| p99 front ÷ direct |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in CONCURRENCY:
        e = mix[str(c)]
        d, f = e["direct"], e["front"]
        lines.append(
            f"| remote c={c} | {d['rps']:.0f} | {f['rps']:.0f} | {e['rps_ratio']:.2f} "
            f"| {d['p99_ms']:.1f} | {f['p99_ms']:.1f} | {e['p99_ratio']:.2f} |"
        )
    load = result["load"]
    lines += [
        "",
        f"remote load {load['size']} ({load['quads']:,} quads): leongraph load "
        f"{load['leongraph_s']:.1f} s, oxigraph load + serve {load['oxigraph_s']:.1f} s, "
        f"ratio {load['ratio']:.2f}",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--size", default="1m", help="graph size for the load: 1k, 100k, 1m")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leongraph-remote-"))
    try:
        print("\n".join(rows(bench(work, args.duration, args.size))))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
