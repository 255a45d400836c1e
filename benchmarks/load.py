"""``leongraph load`` of an RDF file against pyoxigraph's own ``bulk_load`` of the same file,
each in a fresh process into a fresh directory, in one run: wall time and peak memory (RSS),
and their ratios (issue 16's targets: memory <= 1.2x, time <= 1.5x).

    python benchmarks/generate.py 1M 1m.nq && python benchmarks/load.py 1m.nq --repeat 3

``load_files`` is the store with its sizes, statistics and fingerprint (the targets' figure);
the whole ``leongraph load`` command adds the reconciliation index it writes beside the store.
With ``--repeat N`` the three run in turn N times and the medians are shown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

#: Each run: a child process that does one thing and prints its seconds, peak RSS (MiB) and
#: CPU seconds (all threads: on a shared machine, less noisy than the wall time).
CHILD = """
import json, resource, sys, time
from pathlib import Path
what, data, target = sys.argv[1:4]
start = time.perf_counter()
if what == "bulk_load":
    import pyoxigraph as ox
    store = ox.Store(target)
    fmt = ox.RdfFormat.from_extension(Path(data).suffix.lstrip("."))
    store.bulk_load(path=data, format=fmt)
    store.flush()
    del store
elif what == "load_files":
    from leongraph.engine import load_files
    load_files(Path(target), [Path(data)])
else:
    from leongraph.cli.main import main
    assert main(["load", data, "--store", target]) == 0
seconds = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_SELF)
cpu = use.ru_utime + use.ru_stime
print(json.dumps({"seconds": seconds, "peak_mib": use.ru_maxrss / 1024, "cpu": cpu}))
"""

#: What is measured, and how each is named in the table.
RUNS = {
    "bulk_load": "pyoxigraph bulk_load",
    "load_files": "leongraph load_files",
    "command": "leongraph load (+ index)",
}


def run(what: str, data: Path, target: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, what, str(data), str(target)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="an RDF file (.nq, .nt, .ttl ...)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds, medians shown")
    parser.add_argument("--without-command", action="store_true", help="measure load_files alone")
    args = parser.parse_args()
    names = [w for w in RUNS if not (args.without_command and w == "command")]
    seen: dict[str, list[dict[str, float]]] = {w: [] for w in names}
    for i in range(args.repeat):
        for what in names:  # in turn, so that the machine's load falls on each alike
            with tempfile.TemporaryDirectory(prefix="leongraph-load-") as tmp:
                seen[what].append(run(what, args.data, Path(tmp) / "store"))
            fig = seen[what][-1]
            print(
                f"round {i + 1} {what}: {fig['seconds']:.1f} s, {fig['peak_mib']:.0f} MiB, "
                f"{fig['cpu']:.1f} s CPU",
                file=sys.stderr,
            )
    median = {
        w: {k: statistics.median(f[k] for f in figs) for k in ("seconds", "peak_mib", "cpu")}
        for w, figs in seen.items()
    }
    bulk = median["bulk_load"]
    print(f"medians of {args.repeat} run(s)")
    print(f"{'':26}{'seconds':>10}{'peak MiB':>10}{'CPU s':>8}{'time':>8}{'memory':>8}{'CPU':>8}")
    for what in names:
        fig = median[what]
        print(
            f"{RUNS[what]:26}{fig['seconds']:>10.1f}{fig['peak_mib']:>10.0f}{fig['cpu']:>8.1f}"
            f"{fig['seconds'] / bulk['seconds']:>7.2f}x{fig['peak_mib'] / bulk['peak_mib']:>7.2f}x"
            f"{fig['cpu'] / bulk['cpu']:>7.2f}x"
        )
    ours = median["load_files"]
    print(
        f"load_files / bulk_load: time {ours['seconds'] / bulk['seconds']:.2f}x (target 1.5), "
        f"peak memory {ours['peak_mib'] / bulk['peak_mib']:.2f}x (target 1.2)"
    )


if __name__ == "__main__":
    main()
