"""Peak memory of large answers: streamed (sparql/workers/stream.py) against whole.

Pairs of `leongraph serve` processes on the same on-disk store, one worker each, a raised row cap,
no answer cache and no evaluation in the server: one as it ships, one whose frame is larger
than any answer (``--whole``: every answer is built whole in the worker, sent in one piece and
held whole by the server before it is written, as before streaming). Each large answer is asked
of both in turn, ``--repeat`` times, each time of a fresh pair of servers; before each request
the peak RSS of the server and of its worker is reset (``/proc/PID/clear_refs``), and after it
the peak (``VmHWM``) is read: what the answer cost each process is that peak less its RSS
before the request. Prints the medians and the ratios streamed ÷ whole.

    python benchmarks/generate.py 300000 /tmp/g.nq
    leongraph load --store /tmp/g-store /tmp/g.nq
    python benchmarks/stream.py /tmp/g-store
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from support import free_port  # noqa: E402

#: (name, query, format): 100k rows, and 100k triples.
ANSWERS = [
    ("SELECT 100k rows", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100000", "json"),
    ("SELECT 100k rows", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100000", "csv"),
    ("CONSTRUCT 100k triples", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 100000", "nt"),
    ("CONSTRUCT 100k triples", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 100000", "ttl"),
]
_WHOLE = (
    "import sys, leongraph.sparql.workers.stream as s; s.FRAME = 1 << 62; "
    "from leongraph.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


@contextlib.contextmanager
def server(
    store: Path, *, whole: bool, log: Path, source: Path | None = None
) -> Iterator[tuple[str, int]]:
    """A server on ``store``: its URL and pid, once it answers. ``source``: run the code of
    another checkout (its ``src``), as it is, instead of the whole-answer mode."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEONGRAPH_")}
    env |= {
        "LEONGRAPH_WORKERS": "1",
        "LEONGRAPH_MAX_ROWS": "200000",
        "LEONGRAPH_TIMEOUT": "300",
        "LEONGRAPH_ANSWER_CACHE_MB": "0",
        "LEONGRAPH_IN_PROCESS": "false",
    }
    head = [sys.executable, "-c", _WHOLE] if whole else [sys.executable, "-m", "leongraph"]
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
        head = [sys.executable, "-m", "leongraph"]
    cmd = [*head, "serve", "--store", str(store), "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(url + "/healthz", timeout=5)
                if health.status_code == 200 and health.json()["reconciliation_index"] == "ready":
                    break
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        # the worker forked before measuring
        httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
    return found


def worker_of(server_pid: int) -> int:
    """The one worker: a child of the zygote, itself a child of the server."""
    workers = [w for z in children(server_pid) for w in children(z)]
    assert len(workers) == 1, workers
    return workers[0]


def reset_peak(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def status_mib(pid: int, field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) of a process, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def measure(url: str, server_pid: int, query: str, fmt: str) -> tuple[float, float, float, int]:
    """(server MiB, worker MiB, seconds, bytes) of one answer, read as it comes: the MiB are
    each process's peak RSS during the request above its RSS before it."""
    worker = worker_of(server_pid)
    reset_peak(server_pid)
    reset_peak(worker)
    server_before = status_mib(server_pid, "VmRSS")
    worker_before = status_mib(worker, "VmRSS")
    size = 0
    start = time.perf_counter()
    with httpx.stream(
        "GET",
        url + "/sparql",
        params={"query": query, "format": fmt},
        headers={"Accept-Encoding": "identity"},
        timeout=300,
    ) as response:
        assert response.status_code == 200, response.read()
        for chunk in response.iter_raw(1 << 16):
            size += len(chunk)
    seconds = time.perf_counter() - start
    server_peak = status_mib(server_pid, "VmHWM") - server_before
    return server_peak, status_mib(worker, "VmHWM") - worker_before, seconds, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path, help="an on-disk store of at least 100k triples")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--logs", type=Path, default=Path("benchmarks/out"))
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="a checkout of leongraph before streaming, served as the baseline instead of "
        "the whole-answer mode (e.g. made by `git worktree add DIR REV`)",
    )
    args = parser.parse_args(argv)
    args.logs.mkdir(parents=True, exist_ok=True)
    print(
        "| answer | format | MiB | server: peak MiB over its RSS, whole → streamed (ratio) "
        "| worker: peak MiB over its RSS, whole → streamed (ratio) "
        "| seconds, whole → streamed (ratio) |"
    )
    print("|---|---|---|---|---|---|")
    for name, query, fmt in ANSWERS:
        runs: dict[bool, list[tuple[float, float, float, int]]] = {True: [], False: []}
        for _ in range(args.repeat):  # fresh processes (a heap, once grown, stays grown)
            with (
                server(
                    args.store,
                    whole=True,
                    log=args.logs / "stream-whole.log",
                    source=args.baseline_src,
                ) as whole,
                server(args.store, whole=False, log=args.logs / "stream-streamed.log") as streamed,
            ):
                for is_whole, (url, pid) in ((True, whole), (False, streamed)):  # interleaved
                    runs[is_whole].append(measure(url, pid, query, fmt))
        sizes = {run[3] for side in runs.values() for run in side}
        assert len(sizes) == 1, f"the two servers gave different answers: {sizes}"
        cells = []
        for i in range(3):
            before = statistics.median(run[i] for run in runs[True])
            after = statistics.median(run[i] for run in runs[False])
            ratio = f"{after / before:.2f}" if before > 0.5 else "-"
            cells.append(f"{before:.1f} → {after:.1f} ({ratio})")
        mib = sizes.pop() / 2**20
        print(f"| {name} | {fmt} | {mib:.1f} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
