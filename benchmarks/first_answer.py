"""Seconds from ``leongraph serve --store DIR`` being started to its first reconciliation
answer, with the name index ``leongraph load`` wrote beside the store (and, with --without,
after moving it aside: the index is then read from the store at the first request).

    python benchmarks/first_answer.py STORE_DIR [--query "Clara Amber"] [--without]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from leongraph.wikidata.stored import INDEX_FILE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def first_answer(store: Path, query: str) -> tuple[float, float, float]:
    """(seconds to listening, to the first answer, of that one request)."""
    port = free_port()
    leongraph = Path(sys.executable).with_name("leongraph")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(leongraph), "serve", "--store", str(store), "--port", str(port)],
        start_new_session=True,
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
        asked = time.perf_counter()
        reply = httpx.get(
            f"http://127.0.0.1:{port}/reconcile", params={"query": query}, timeout=120
        )
        reply.raise_for_status()
        done = time.perf_counter()
        return listening, done - start, done - asked
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--query", default="Clara Amber")
    parser.add_argument("--without", action="store_true", help="with the index moved aside")
    args = parser.parse_args()
    index, aside = args.store / INDEX_FILE, args.store / (INDEX_FILE + ".aside")
    if args.without:
        index.rename(aside)
    try:
        listening, first, one = first_answer(args.store, args.query)
    finally:
        if args.without:
            aside.rename(index)
    which = "without" if args.without else "with"
    print(
        f"{which} the stored index: listening after {listening:.2f} s, first reconciliation "
        f"answer {first:.2f} s after start (that request: {one:.2f} s)"
    )


if __name__ == "__main__":
    main()
