"""What planning a request in the event loop costs at the caps that allow it
(sparql/pipeline.py: LOOP_BYTES, LOOP_TOKENS): the worst texts a client can send within them,
each a new text (nothing remembered), planned by ``QueryPipeline.in_loop`` with the shape's
place taken as known (so every step runs: reading, lexing, the shape, the checks). The cap
must keep the worst case well under a millisecond: the event loop serves every other request
meanwhile.

    python benchmarks/plan_cost.py
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from leongraph.config import Settings
from leongraph.errors import LeongraphError
from leongraph.graph import open_store
from leongraph.sparql.evaluation import Answer, Plan
from leongraph.sparql.pipeline import LOOP_BYTES, LOOP_TOKENS, Asked, QueryPipeline
from leongraph.sparql.placement import Triage
from leongraph.sparql.workers import Executor


class Known(Executor):
    """Every shape placed: ``in_loop`` plans every text (the shape is still computed)."""

    def __init__(self, triage: Triage) -> None:
        super().__init__()
        self.triage = triage

    def placed(self, text: str) -> bool:
        self.triage.known(text)
        return True

    async def run(self, plan: Plan) -> Answer:
        raise NotImplementedError


def texts(tokens: int, size: int) -> dict[str, str]:
    """Texts of ``tokens`` tokens (one character each where possible) or of ``size`` bytes."""
    head = "SELECT * WHERE { "
    room = tokens - 5  # SELECT * WHERE { ... }
    return {
        "one-character tokens": head + "(" * room + " }",
        "variables": head + "?a " * room + "}",
        "prefixed names": head + "rdfs:label " * room + "}",
        "numbers": head + "FILTER(" + "1+" * ((room - 3) // 2) + "1) }",
        "triple patterns": head + "?s rdfs:label ?o . " * (room // 4) + "}",
        "one long string": head + 'FILTER(?o = "' + "x" * (size - 48) + '") }',
        "one long comment": head + "?s ?p ?o }\n#" + "x" * (size - 48),
        "one long IRI": head + "?s ?p <http://e/" + "x" * (size - 48) + "> }",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="texts planned per case")
    args = parser.parse_args()
    settings = Settings()
    store = open_store(settings)
    triage = Triage(store)
    deadline = time.monotonic() + 30
    while triage.shape_of("ASK {}").startswith("\x00") and time.monotonic() < deadline:
        time.sleep(0.05)  # the store's predicates, read in the background
    pipeline = QueryPipeline(settings, Known(triage))
    counter = itertools.count()
    print(f"caps: {LOOP_BYTES} bytes, {LOOP_TOKENS} tokens; median and max of {args.n} texts")
    for name, text in texts(LOOP_TOKENS, LOOP_BYTES).items():
        times = []
        for _ in range(args.n):
            body = f"{text}\n#{next(counter)}".encode()  # a new text: no plan remembered
            assert len(body) <= LOOP_BYTES, (name, len(body))
            asked = Asked("POST", b"", body, "application/sparql-query", None, None)
            t0 = time.perf_counter()
            try:
                found = pipeline.in_loop(asked)
            except LeongraphError:  # refused (too deep, ...): the cost is what counts
                found = None
            times.append(time.perf_counter() - t0)
        planned = "planned" if isinstance(found, Plan) else "not planned here"
        print(
            f"{statistics.median(times) * 1e6:8.0f} µs median {max(times) * 1e6:8.0f} µs max"
            f"  {name} ({len(text)} bytes, {planned})"
        )
    triage.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
