"""``leongraph load`` of an RDF file against pyoxigraph's own ``bulk_load`` of the same file,
each in a fresh process into a fresh directory, in one run: wall time and peak memory (RSS),
and their ratios (issue 16's targets: memory <= 1.2x, time <= 1.5x).

    python benchmarks/generate.py 1M 1m.nq && python benchmarks/load.py 1m.nq

``load`` is measured as ``engine.load_files`` (the store, its sizes, statistics and
fingerprint) and, apart, the reconciliation index ``leongraph load`` then writes beside it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

#: Each run: a child process that does one thing and prints its seconds and peak RSS (MiB).
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
    from leongraph.wikidata.stored import store_index
    store_index(Path(target))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak}))
"""


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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="leongraph-load-") as tmp:
        bulk = run("bulk_load", args.data, Path(tmp) / "bulk")
        ours = run("load_files", args.data, Path(tmp) / "leongraph")
        index = run("index", args.data, Path(tmp) / "leongraph")
    print(f"{'':24}{'seconds':>10}{'peak MiB':>10}")
    for name, fig in (("pyoxigraph bulk_load", bulk), ("leongraph load_files", ours)):
        print(f"{name:24}{fig['seconds']:>10.1f}{fig['peak_mib']:>10.0f}")
    print(f"{'  + reconciliation index':24}{index['seconds']:>10.1f}{index['peak_mib']:>10.0f}")
    print(
        f"load_files / bulk_load: time {ours['seconds'] / bulk['seconds']:.2f}x (target 1.5), "
        f"peak memory {ours['peak_mib'] / bulk['peak_mib']:.2f}x (target 1.2)"
    )


if __name__ == "__main__":
    main()
