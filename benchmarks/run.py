"""The benchmark: a fixed query mix (benchmarks/mix.py) over HTTP with wrk at concurrency 1 and
16 against three things on the same data, so every figure comes with its ratio:

- leongraph: ``leongraph serve`` (real uvicorn, the settings users run);
- ceiling: a bare ASGI app on the same uvicorn settings (benchmarks/ceiling.py): HTTP alone;
- floor: pyoxigraph called in-process (query + JSON/Turtle serialisation): the engine alone;
- stick: a minimal FastAPI app calling pyoxigraph (benchmarks/stick.py, a measuring stick, not
  leongraph): the bare engine over HTTP, with no safety, negotiation or timeout.

leongraph is measured with its answer cache off, the same text repeated and a new text per
request (a comment appended), and with the cache on (every request after the first a hit);
the stick with the same text repeated and a new text per request. Each figure is set beside
the stick's and the ceiling's.

Per graph size it also measures loading (``leongraph load`` against pyoxigraph's own
``bulk_load``, wall time and the loader's peak RSS), opening the on-disk store, and the server's
peak RSS while serving; on the bundled graph it also serves the mix with ``--engine rdflib``.
Figures are medians of the repeats; ratios come from the same run. It prints a table and writes
JSON to benchmarks/out/.

Last, the remote store (benchmarks/remote.py): the mix on the bundled graph sent to Oxigraph
server directly and through ``leongraph serve --store URL`` in front of it, at c=1 and c=16
(req/s and p99, front ÷ direct), and the load time of the 1M graph (1k with ``--quick``) into
the engine through ``leongraph load --store URL`` against ``oxigraph load`` then serve.

    python benchmarks/run.py                 # bundled, 1k, 100k, 1M triples (< 17 min)
    python benchmarks/run.py --quick         # 1k and 100k, short runs
    python benchmarks/run.py --sizes 1k --duration 1 --repeats 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import remote  # noqa: E402
import report  # noqa: E402
import versus  # noqa: E402
from mix import MIX, PARAMS, Query  # noqa: E402

PYTHON = sys.executable
LEONGRAPH = [PYTHON, "-m", "leongraph"]
CONCURRENCY = (1, 16)
FULL_SIZES = ("bundled", "1k", "100k", "1m")
QUICK_SIZES = ("1k", "100k")
#: Graph size of the load through leongraph into Oxigraph server against its own bulk load.
REMOTE_LOAD_SIZE, QUICK_REMOTE_LOAD_SIZE = "1m", "1k"
#: In-process seconds past which a query is measured at concurrency 1 only.
SLOW_S = 1.0


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed_run(argv: Sequence[str]) -> tuple[float, float]:
    """Run a command to completion: (wall seconds, peak RSS in MiB of that process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (the server, its zygote and query workers)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _proc_kb(path: str, field: str) -> int:
    try:
        text = Path(path).read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return next((int(ln.split()[1]) for ln in text.splitlines() if ln.startswith(field)), 0)


def tree_memory_mb(pid: int) -> dict[str, float]:
    """Memory of a process tree in MiB: the sum of each process's peak RSS (an upper bound:
    forked workers share the store's pages, and each counts them) and the sum of PSS now
    (shared pages split between the processes that share them)."""
    pids = _tree(pid)
    return {
        "peak_rss_mb": sum(_proc_kb(f"/proc/{p}/status", "VmHWM:") for p in pids) / 1024,
        "pss_mb": sum(_proc_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids) / 1024,
        "processes": len(pids),
    }


@contextmanager
def server(argv: Sequence[str], port: int, *, ready_path: str = "/healthz") -> Iterator[dict]:
    """Start a server, wait until it answers, yield facts about it, stop it."""
    env = dict(os.environ)
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_ready(proc, log, f"http://127.0.0.1:{port}{ready_path}")
            facts: dict = {"pid": proc.pid, "startup_s": time.perf_counter() - start}
            yield facts
            facts.update(tree_memory_mb(proc.pid))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(proc: subprocess.Popen, log: IO[bytes], url: str, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while True:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{proc.args} exited: {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{proc.args} did not start") from None
            time.sleep(0.1)


# ---------------------------------------------------------------- wrk


def ensure_wrk() -> str:
    """wrk from Debian, installed when missing (the benchmark needs the real tool)."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing wrk (apt-get) ...", file=sys.stderr)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and apt-get could not install it")
    return found


def wrk(
    url: str,
    query_file: Path,
    accept: str,
    connections: int,
    duration: float,
    *,
    unique: bool = False,
) -> dict:
    """One wrk run: POST the query (application/sparql-query); the Lua script's JSON line.
    ``unique``: a new comment on every request, so that no two texts are the same."""
    threads = min(connections, os.cpu_count() or 1)
    argv = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / "wrk.lua"),
        url,
        "--",
        "POST",
        str(query_file),
        accept,
    ]
    env = {**os.environ, "BENCH_UNIQUE_TEXT": "1" if unique else "0"}
    out = subprocess.run(
        argv, capture_output=True, text=True, check=True, timeout=120, env=env
    ).stdout
    line = next(ln for ln in reversed(out.splitlines()) if ln.startswith("{"))
    raw = json.loads(line)
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "non2xx": raw["non2xx"],
        "errors": errors,
        "timeouts": raw["timeouts"],
    }


def median_runs(runs: list[dict]) -> dict:
    """Median of each figure over the repeats; errors are summed, never hidden."""
    out = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")}
    for k in ("requests", "non2xx", "errors", "timeouts"):
        out[k] = sum(r[k] for r in runs)
    out["repeats"] = len(runs)
    return out


def post(url: str, text: str, accept: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=text.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def measure_http(
    url: str,
    query: Query,
    query_file: Path,
    floor_figures: dict | None,
    args: argparse.Namespace,
    *,
    repeats: int | None = None,
) -> dict:
    """wrk at each concurrency, ``repeats`` runs each (medians). A run lasts long enough for
    a few answers; a query slower than SLOW_S in-process is not run at concurrency 16, where
    2 cores could only queue it (the table says so), and the server is drained after each run
    so a slow query's backlog never lands in the next measurement."""
    slow = floor_figures is not None and floor_figures["p50_ms"] / 1000 > SLOW_S
    duration = args.duration
    if floor_figures is not None:
        duration = max(duration, min(30.0, 3 * floor_figures["p50_ms"] / 1000))
    out: dict = {}
    for c in CONCURRENCY:
        if slow and c > 1:
            out[str(c)] = {"skipped": f"over {SLOW_S:g} s per query in-process"}
            continue
        runs = []
        for _ in range(repeats or args.repeats):
            runs.append(wrk(url, query_file, query.accept, c, duration))
            drain(url)
        out[str(c)] = median_runs(runs)
    return out


def side_by_side(
    entry: dict,
    query: Query,
    query_file: Path,
    stick_file: Path,
    urls: dict[str, str],
    args: argparse.Namespace,
) -> None:
    """c16 in interleaved rounds (versus.py): leongraph with its cache off against the stick,
    the same text repeated and a new text per request; cache hits against the ceiling. Adds
    each side's medians (``stick``, ``unique``, ``hits``) and the per-round ratios
    (``versus``) to ``entry``; a query slower than SLOW_S in-process is skipped."""
    if entry["floor"]["p50_ms"] / 1000 > SLOW_S:
        skipped = {"skipped": f"over {SLOW_S:g} s per query in-process"}
        entry.update(stick={"repeated": skipped, "unique": skipped}, unique=skipped, hits=skipped)
        return
    duration = max(args.round_duration, min(30.0, 3 * entry["floor"]["p50_ms"] / 1000))

    def side(url: str, file: Path, unique: bool = False) -> versus.Run:
        def run() -> dict:
            figures = wrk(url, file, query.accept, 16, duration, unique=unique)
            drain(url)
            return figures

        return run

    stick: dict = {}
    entry["versus"] = {}
    for mode, ours, theirs in (
        ("repeated", side(urls["off"], query_file), side(urls["stick"], stick_file)),
        ("unique", side(urls["off"], query_file, True), side(urls["stick"], stick_file, True)),
        ("hits", side(urls["on"], query_file), side(urls["ceiling"], query_file)),
    ):
        pairs = versus.interleave(ours, theirs, args.rounds)
        entry["versus"][mode] = versus.compare(pairs)
        mine = median_runs([a for a, _ in pairs])
        if mode == "repeated":
            entry["repeated"] = mine
        else:
            entry[mode] = mine
        if mode == "hits":
            entry["versus"]["hits"]["ceiling"] = median_runs([b for _, b in pairs])
        else:
            stick[mode] = median_runs([b for _, b in pairs])
    entry["stick"] = stick


def drain(url: str, limit: float = 60) -> None:
    """Wait until the server answers a trivial query again (its workers are free)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if post(url, "ASK {}", "application/sparql-results+json")[0] == 200:
            return
        time.sleep(0.2)


# ---------------------------------------------------------------- in-process floor


def floor(run: Callable[[], object], duration: float, limit: int = 2000) -> dict:
    """Latency of ``run`` called in-process for about ``duration`` seconds: at least 5 calls,
    unless a call takes so long that 5 would blow the budget (then at least one)."""
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < limit:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
        if elapsed >= duration and (len(times) >= 5 or elapsed >= 3 * duration):
            break
    times.sort()
    return {
        "calls": len(times),
        "p50_ms": statistics.median(times) * 1000,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        "rps": len(times) / sum(times),
    }


def engine_text(query: Query, params: dict[str, str]) -> str:
    """The text pyoxigraph runs: the label service rewritten exactly as the server does."""
    from leongraph.sparql.label_service import rewrite_label_service

    return rewrite_label_service(query.text(params), ["en"])


def floor_runner(store: object, query: Query, params: dict[str, str]) -> Callable[[], object]:
    import pyoxigraph as ox

    from leongraph.vocab import PREFIXES, prefixes_used

    text = engine_text(query, params)
    used = prefixes_used(text)  # as the server does: only the prefixes the text may use
    # leongraph's stores hold the union of the named graphs as their default graph.
    union = not store.query("ASK { ?s ?p ?o }")  # type: ignore[attr-defined]

    def run() -> object:
        result = store.query(text, prefixes=used, use_default_graph_as_union=union)  # type: ignore[attr-defined]
        if query.graph:
            return ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return result.serialize(format=ox.QueryResultsFormat.JSON)

    return run


def parse_time_ms(query: Query, params: dict[str, str]) -> float:
    """Oxigraph parses and plans each query (pyoxigraph 0.5 has no prepared queries): the
    median time of the query on an empty store bounds that cost."""
    import pyoxigraph as ox

    from leongraph.vocab import prefixes_used

    empty, text = ox.Store(), engine_text(query, params)
    used = prefixes_used(text)
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        empty.query(text, prefixes=used, use_default_graph_as_union=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


# ---------------------------------------------------------------- one graph size


def prepare(size: str, work: Path, repeats: int) -> dict:
    """The data file, its on-disk store, and load / open figures."""
    import pyoxigraph as ox

    from leongraph.engine import OxigraphStore

    data = work / f"{size}.nq"
    if size == "bundled":
        store_dir = work / "bundled-store"
        shutil.rmtree(store_dir, ignore_errors=True)
        subprocess.run([*LEONGRAPH, "load", "--bundled", "--store", str(store_dir)], check=True)
        dumped = ox.Store.read_only(str(store_dir))
        dumped.dump(str(data), format=ox.RdfFormat.N_QUADS)
        del dumped
    elif not data.exists():
        generate.write(generate.parse_size(size), data)
    loads: dict[str, list[tuple[float, float]]] = {"leongraph": [], "pyoxigraph": []}
    load_repeats = 1 if size == "1m" else repeats
    for i in range(load_repeats):
        for who in ("pyoxigraph", "leongraph"):
            target = work / f"{size}-{who}-{i}"
            shutil.rmtree(target, ignore_errors=True)
            if who == "leongraph":
                argv = [*LEONGRAPH, "load", str(data), "--store", str(target)]
            else:
                argv = [
                    PYTHON,
                    "-c",
                    "import pyoxigraph as ox, sys; s = ox.Store(sys.argv[1]); "
                    "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); s.flush()",
                    str(target),
                    str(data),
                ]
            loads[who].append(timed_run(argv))
            if i or who == "pyoxigraph":
                shutil.rmtree(target, ignore_errors=True)
    store_dir = work / f"{size}-leongraph-0"
    opens = []
    for _ in range(max(3, repeats)):
        t0 = time.perf_counter()
        opened = OxigraphStore.open_read_only(store_dir)
        opens.append(time.perf_counter() - t0)
        del opened
    triples = len(OxigraphStore.open_read_only(store_dir))
    own = statistics.median(w for w, _ in loads["pyoxigraph"])
    ours = statistics.median(w for w, _ in loads["leongraph"])
    return {
        "data": data,
        "store": store_dir,
        "triples": triples,
        "load": {
            "leongraph_s": ours,
            "pyoxigraph_s": own,
            "ratio": ours / own if own else None,
            "leongraph_peak_rss_mb": max(r for _, r in loads["leongraph"]),
            "pyoxigraph_peak_rss_mb": max(r for _, r in loads["pyoxigraph"]),
            "repeats": load_repeats,
        },
        "open_s": statistics.median(opens),
    }


def bench_size(size: str, work: Path, args: argparse.Namespace) -> dict:
    import pyoxigraph as ox

    print(f"\n== {size}: preparing", file=sys.stderr)
    facts = prepare(size, work, args.repeats)
    params = PARAMS["bundled" if size == "bundled" else "synthetic"]
    out: dict = {k: v for k, v in facts.items() if k not in ("data", "store")}
    query_files = {}
    for q in MIX:
        query_files[q.name] = work / f"{size}-{q.name}.rq"
        query_files[q.name].write_text(q.text(params), encoding="utf-8")

    # The floor: pyoxigraph in-process on the same data (in memory for the bundled graph, as
    # `leongraph serve` holds it; the on-disk store otherwise).
    if size == "bundled":
        engine = ox.Store()
        engine.bulk_load(path=str(facts["data"]), format=ox.RdfFormat.N_QUADS)
    else:
        engine = ox.Store.read_only(str(facts["store"]))
    queries: dict[str, dict] = {}
    for q in MIX:
        queries[q.name] = {
            "what": q.what,
            "floor": floor(floor_runner(engine, q, params), args.floor_duration),
            "parse_ms": parse_time_ms(q, params),
        }
    del engine

    ceiling_port = free_port()
    print(f"== {size}: ceiling", file=sys.stderr)
    with server([PYTHON, str(HERE / "ceiling.py"), "--port", str(ceiling_port)], ceiling_port):
        url = f"http://127.0.0.1:{ceiling_port}/sparql"
        out["ceiling"] = {
            str(c): median_runs(
                [
                    wrk(url, query_files["lookup"], MIX[0].accept, c, args.duration)
                    for _ in range(args.repeats)
                ]
            )
            for c in CONCURRENCY
        }

    # leongraph (cache off, cache on), the stick and the ceiling run at once and are measured
    # in interleaved rounds (versus.py), each ratio from runs seconds apart.
    stick_port, off_port, on_port = free_port(), free_port(), free_port()
    source = (
        ["--data", str(facts["data"])] if size == "bundled" else ["--store", str(facts["store"])]
    )
    argv = [*LEONGRAPH, "serve"]
    if size != "bundled":
        argv += ["--store", str(facts["store"])]
    print(f"== {size}: leongraph (answer cache off, on), stick, ceiling", file=sys.stderr)
    with contextlib.ExitStack() as running:
        enter = running.enter_context
        enter(
            server([PYTHON, str(HERE / "stick.py"), *source, "--port", str(stick_port)], stick_port)
        )
        facts_server = enter(
            server([*argv, "--port", str(off_port), "--answer-cache-mb", "0"], off_port)
        )
        enter(server([*argv, "--port", str(on_port)], on_port))
        enter(server([PYTHON, str(HERE / "ceiling.py"), "--port", str(ceiling_port)], ceiling_port))
        urls = {
            name: f"http://127.0.0.1:{port}/sparql"
            for name, port in (
                ("off", off_port),
                ("on", on_port),
                ("stick", stick_port),
                ("ceiling", ceiling_port),
            )
        }
        for q in MIX:  # each query twice: a shape seen again is bounded, then may run in
            post(urls["off"], q.text(params), q.accept)  # the server process (placement.py)
        time.sleep(1.0)
        for q in MIX:
            entry = queries[q.name]
            status, body = post(urls["off"], q.text(params), q.accept)
            entry.update(status=status, bytes=len(body))
            if status != 200:
                entry["error"] = body.decode("utf-8", "replace")[:300]
                print(f"   {q.name}: HTTP {status}: {entry['error']}", file=sys.stderr)
                continue
            entry["http"] = measure_http(urls["off"], q, query_files[q.name], entry["floor"], args)
            print(f"   {q.name}: {report.brief(entry)}", file=sys.stderr)
            # the stick knows no label service: it gets the text rewritten as leongraph does
            stick_file = work / f"{size}-{q.name}-stick.rq"
            stick_file.write_text(engine_text(q, params), encoding="utf-8")
            post(urls["stick"], engine_text(q, params), q.accept)
            post(urls["on"], q.text(params), q.accept)  # the miss that fills the cache
            side_by_side(entry, q, query_files[q.name], stick_file, urls, args)
    out["server"] = {
        "startup_s": facts_server["startup_s"],
        "peak_rss_mb": facts_server.get("peak_rss_mb"),
        "pss_mb": facts_server.get("pss_mb"),
        "processes": facts_server.get("processes"),
    }
    out["queries"] = queries
    if size == "bundled" and args.rdflib:
        out["rdflib"] = bench_rdflib(query_files, params, args)
    return out


def bench_rdflib(query_files: dict[str, Path], params: dict[str, str], args) -> dict:
    """The mix on the bundled graph with ``--engine rdflib``: every query must succeed."""
    port = free_port()
    print("== bundled: leongraph --engine rdflib", file=sys.stderr)
    results: dict[str, dict] = {}
    with server([*LEONGRAPH, "serve", "--engine", "rdflib", "--port", str(port)], port):
        url = f"http://127.0.0.1:{port}/sparql"
        for q in MIX:
            status, body = post(url, q.text(params), q.accept)
            entry: dict = {"status": status, "bytes": len(body)}
            if status == 200:
                entry["http"] = measure_http(url, q, query_files[q.name], None, args, repeats=1)
            else:
                entry["error"] = body.decode("utf-8", "replace")[:300]
            results[q.name] = entry
    return results


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 100k, 1 s runs, 1 repeat")
    parser.add_argument("--sizes", help="comma-separated: bundled,1k,100k,1m (or a number)")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 1.5; quick 1)")
    parser.add_argument("--repeats", type=int, help="runs per figure (default 3; quick 1)")
    parser.add_argument(
        "--rounds",
        type=int,
        help="interleaved rounds of leongraph against the stick and the ceiling (default 5; "
        "quick 2)",
    )
    parser.add_argument(
        "--round-duration", type=float, default=1.0, help="seconds per run of a round (1)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the JSON goes")
    parser.add_argument("--no-rdflib", dest="rdflib", action="store_false")
    parser.add_argument("--no-remote", dest="remote", action="store_false")
    parser.add_argument(
        "--remote-size", help="graph size of the remote load comparison (default 1m; quick 1k)"
    )
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",") if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    args.duration = args.duration or (1.0 if args.quick else 1.5)
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.floor_duration = 0.3 if args.quick else 0.5
    ensure_wrk()
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / "work"
    work.mkdir(exist_ok=True)
    started = time.time()
    results: dict = {
        "meta": {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "quick": args.quick,
            "duration_s": args.duration,
            "repeats": args.repeats,
            "rounds": args.rounds,
            "round_duration_s": args.round_duration,
            "concurrency": list(CONCURRENCY),
            "queries": [q.name for q in MIX],
        },
        "sizes": {},
    }
    for size in sizes:
        results["sizes"][size] = bench_size(size, work, args)
    if args.remote:
        load_size = args.remote_size or (QUICK_REMOTE_LOAD_SIZE if args.quick else REMOTE_LOAD_SIZE)
        remote_duration = args.duration if args.quick else 2 * args.duration
        results["remote"] = remote.bench(work, remote_duration, load_size)
    results["meta"]["elapsed_s"] = time.time() - started
    results["targets"] = report.targets(results)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    text = json.dumps(results, indent=2, default=str)
    (args.out / f"bench-{stamp}.json").write_text(text)
    (args.out / "latest.json").write_text(text)
    print(report.table(results))
    if "remote" in results:
        print("\n".join(remote.rows(results["remote"])))
    print(f"\nJSON: {args.out / 'latest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
