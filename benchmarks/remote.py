"""leongraph in front of Oxigraph server against the same server queried directly: the query
mix (mix.py, without the label service, which the engine lacks) at c=1 and c=16, for a few
seconds each, and the ratio of the two throughputs from the same run.

    .venv/bin/python benchmarks/remote.py [--duration 3]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mix import MIX, PARAMS

from leongraph.vocab import prefixes_used

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not start")


def throughput(url: str, queries: list[tuple[str, str]], clients: int, duration: float) -> float:
    """Requests per second that ``clients`` threads get, each sending the mix in turn."""
    done = [0] * clients
    stop = time.monotonic() + duration

    def run(i: int) -> None:
        with httpx.Client(timeout=30) as c:
            for text, accept in itertools.cycle(queries):
                if time.monotonic() > stop:
                    return
                r = c.post(url, data={"query": text}, headers={"Accept": accept})
                assert r.status_code == 200, r.text[:200]
                done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / duration


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=3.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leongraph-remote-"))
    engine_port, front_port = free_port(), free_port()
    engine = f"http://127.0.0.1:{engine_port}"
    processes = [
        subprocess.Popen(
            [BIN / "oxigraph", "serve", "--location", work, "--bind", f"127.0.0.1:{engine_port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        wait(f"{engine}/query?query=ASK%7B%7D")
        load = ["load", "--bundled", "--store", f"{engine}/query", "--store-update"]
        subprocess.run([BIN / "leongraph", *load, f"{engine}/update"], check=True)
        serve = ["serve", "--store", f"{engine}/query", "--port", str(front_port)]
        processes.append(subprocess.Popen([BIN / "leongraph", *serve], stderr=subprocess.DEVNULL))
        front = f"http://127.0.0.1:{front_port}/sparql"
        wait(front.removesuffix("sparql") + "healthz")
        mix = [q for q in MIX if q.name != "label-service"]
        texts = [(q.text(PARAMS["bundled"]), q.accept) for q in mix]
        # Sent directly, the engine needs the prefixes leongraph predeclares.
        direct = [
            ("".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes_used(t).items()) + t, a)
            for t, a in texts
        ]
        print(f"mix: {', '.join(q.name for q in mix)}; {args.duration:g} s per measure")
        for clients in (1, 16):
            straight = throughput(f"{engine}/query", direct, clients, args.duration)
            through = throughput(front, texts, clients, args.duration)
            print(
                f"c={clients:<2}  engine {straight:7.0f} req/s   front {through:7.0f} req/s   "
                f"ratio {through / straight:.2f}"
            )
    finally:
        for p in processes:
            p.kill()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
