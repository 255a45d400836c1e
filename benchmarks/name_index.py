"""Seconds and peak memory of building the reconciliation name index of an on-disk store and
writing it beside the store (what ``leongraph load`` does after loading), then of opening it
(what ``leongraph serve`` does at start), each in a fresh process.

    python benchmarks/name_index.py STORE_DIR [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

#: Run in a fresh process: build (or open) the index, print seconds and the peak RSS it added.
CHILD = """
import resource, sys, time
from pathlib import Path
from leongraph.engine import OxigraphStore
from leongraph.wikidata import stored
directory = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if sys.argv[2] == "build":
    stored.store_index(directory)
else:
    assert stored.open_index(directory, OxigraphStore.open_read_only(directory)) is not None
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, peak, peak - before)
"""


def run(store: Path, what: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), what], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for what in ("build", "open"):
        runs = []
        for _ in range(args.runs):
            runs.append(run(args.store, what))
            print(f"  {what}: {runs[-1][0]:.2f} s, peak RSS {runs[-1][1]:.0f} MiB", file=sys.stderr)
        seconds = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        print(f"{what}: {seconds:.2f} s, peak RSS {peak:.0f} MiB (median of {len(runs)})")


if __name__ == "__main__":
    main()
