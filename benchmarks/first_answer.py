"""Seconds from ``leongraph serve --store DIR`` being started to its first reconciliation
answer, with the name index ``leongraph load`` wrote beside the store (and, with --without,
after moving it aside: the index is then read from the store at the first request), then the
time of each of a few other queries once the server has answered one: the median of
``--starts`` server starts (default 3).

    python benchmarks/first_answer.py STORE_DIR [--query "Clara Amber"] [--without]
        [--starts 3]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from leongraph.wikidata.stored import INDEX_FILE

#: Asked once the first answer is in: a full name, a family name, a misspelling, an accent,
#: a name with a type, a batch of two.
STEADY = [
    {"query": "Mathilda"},
    {"query": "Stansfield"},
    {"query": "Norman Stansfeld"},
    {"query": "Leon"},
    {"query": "Clara Amber", "type": "Person"},
    {"query": "Hollow Quarter 968-1", "limit": 10},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def one_start(store: Path, query: str) -> tuple[float, float, float, float]:
    """(seconds to listening, to the first answer, of that one request, median of the
    steady-state queries)."""
    port = free_port()
    leongraph = Path(sys.executable).with_name("leongraph")
    url = f"http://127.0.0.1:{port}/reconcile"
    client = httpx.Client(timeout=120)  # made first: it reads certificates (seconds, loaded)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(leongraph), "serve", "--store", str(store), "--port", str(port)],
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        listening = 0.0
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.05):
                    listening = time.perf_counter() - start
                    break
            except OSError:
                time.sleep(0.01)
        with client:
            asked = time.perf_counter()
            client.get(url, params={"query": query}).raise_for_status()
            done = time.perf_counter()
            steady = []
            for q in STEADY:
                t = time.perf_counter()
                client.get(url, params={"query": json.dumps(q)}).raise_for_status()
                steady.append(time.perf_counter() - t)
        return listening, done - start, done - asked, statistics.median(steady)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--query", default="Clara Amber")
    parser.add_argument("--without", action="store_true", help="with the index moved aside")
    parser.add_argument("--starts", type=int, default=3, help="server starts (median)")
    args = parser.parse_args()
    index, aside = args.store / INDEX_FILE, args.store / (INDEX_FILE + ".aside")
    if args.without:
        index.rename(aside)
    runs = []
    try:
        for _ in range(args.starts):
            runs.append(one_start(args.store, args.query))
            print(
                "  listening {:.2f} s, first answer {:.2f} s (that request {:.2f} s), "
                "then {:.3f} s per query".format(*runs[-1]),
                file=sys.stderr,
            )
    finally:
        if args.without:
            aside.rename(index)
    listening, first, one, steady = (statistics.median(r[i] for r in runs) for i in range(4))
    which = "without" if args.without else "with"
    print(
        f"{which} the stored index, median of {len(runs)} starts: listening after "
        f"{listening:.2f} s, first reconciliation answer {first:.2f} s after start (that "
        f"request: {one:.2f} s); then {steady * 1000:.0f} ms per query (median of "
        f"{len(STEADY)})"
    )


if __name__ == "__main__":
    main()
