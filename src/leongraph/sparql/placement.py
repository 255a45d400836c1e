"""Where a query runs: in the server's event loop, in a thread of the server, or in a worker
process that a timeout can kill (workers/pool.py). Only a query whose work cost.py bounds runs in
the server, since the engine cannot be interrupted there.

Bounding a query means parsing it with rdflib (milliseconds), so it is done off the request
path, in one background thread. Verdicts are kept per *shape* (query_shape.py: the query's
tokens with resources, strings and variable names abstracted, predicates and numbers kept,
so every query of a shape has the same bound): the first query of a shape goes to a worker;
when a query of the same shape comes (the same text again, or a lookup of another resource),
the shape is analysed; from then on every query of that shape, even a text never seen
before, is placed at once. Verdicts are dropped when the data changes. Until then, and for
every unbounded query, the worker runs it. Among bounded queries, the ones measured to take
under ``INLINE_SECONDS`` skip the thread hop as well.
"""

from __future__ import annotations

import collections
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from enum import Enum

from leongraph.engine import Store
from leongraph.sparql import cost
from leongraph.sparql.evaluation import Plan
from leongraph.sparql.lexer import tokens, unescape_codepoints
from leongraph.sparql.query_shape import shape
from leongraph.vocab import PREFIXES

log = logging.getLogger(__name__)

#: Queries analysed and remembered (LRU); longer texts are not analysed at all.
CACHE_SIZE = 2048
MAX_TEXT = 20_000
#: Analyses queued at once; past that a text waits for its next sighting (a flood of new
#: texts cannot queue unbounded parsing work).
MAX_PENDING = 16
#: A bounded query measured faster than this runs in the event loop itself.
INLINE_SECONDS = 0.002


_UNSEEN = object()


class Place(Enum):
    LOOP = "loop"
    THREAD = "thread"
    WORKER = "worker"


class Triage:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._verdicts: collections.OrderedDict[str, object] = collections.OrderedDict()
        self._seconds: dict[str, float] = {}
        self._lock = threading.Lock()
        self._analyst = ThreadPoolExecutor(1, thread_name_prefix="leongraph-cost")
        self._generation = 0
        self._pending = 0  # analyses queued or running
        self._shapes: collections.OrderedDict[str, str] = collections.OrderedDict()
        # The store's predicates (what a shape keeps): None until read in the background
        # (the statistics of a large store take a scan); until then a shape is its text.
        self._predicates: frozenset[str] | None = None
        self._analyst.submit(self._read_predicates, self._generation)

    def shape_of(self, text: str) -> str:
        """The shape of a text (remembered for the texts placed most recently)."""
        found = self._shapes.get(text)
        if found is None:
            predicates = self._predicates
            if predicates is None or len(text) > MAX_TEXT:
                return "\x00" + text  # a verdict for this text alone
            found = shape(text, predicates, PREFIXES)
            with self._lock:
                self._shapes[text] = found
                if len(self._shapes) > CACHE_SIZE:
                    self._shapes.popitem(last=False)
        return found

    def place(self, plan: Plan) -> Place:
        """Where to run ``plan``; the first sightings of a text go to a worker."""
        if plan.default_graphs is not None or plan.named_graphs is not None:
            return Place.WORKER  # the statistics are those of the default graph
        text = plan.text
        key = self.shape_of(text)
        with self._lock:
            bound = self._verdicts.get(key, _UNSEEN)
            if bound is _UNSEEN:
                self._verdicts[key] = None
                self._trim()
                return Place.WORKER
            self._verdicts.move_to_end(key)
            if bound is None:  # the shape seen again: worth analysing, once
                if len(text) <= MAX_TEXT and self._pending < MAX_PENDING:
                    self._verdicts[key] = cost.INF  # until analysed
                    self._pending += 1
                    self._analyst.submit(self._analyse, text, key, self._generation)
                return Place.WORKER
        assert isinstance(bound, float | int)
        if bound <= cost.INLINE_WORK:
            return Place.LOOP
        if bound <= cost.THREAD_WORK:
            took = self._seconds.get(key)
            return Place.LOOP if took is not None and took <= INLINE_SECONDS else Place.THREAD
        return Place.WORKER

    def known(self, text: str) -> bool:
        """Whether the shape of ``text`` has its verdict (``place`` will not need an analysis;
        the shape is kept for it)."""
        key = self.shape_of(text)
        with self._lock:
            return self._verdicts.get(key) is not None

    def learn(self, text: str) -> float:
        """Bound ``text`` now (in the calling thread) and remember it: for queries known in
        advance, such as the examples the query page offers."""
        bound = analyse(text, self._store)
        key = self.shape_of(text)
        with self._lock:
            self._verdicts[key] = bound
            self._trim()
        return bound

    def timed(self, plan: Plan, seconds: float) -> None:
        """Record how long a query run in the server took (its next runs may skip the thread)."""
        self._seconds[self.shape_of(plan.text)] = seconds

    def too_long(self, plan: Plan) -> None:
        """A query run in the server wrote more than a frame: its shape goes to workers from
        now on, which stream such answers (workers/stream.py)."""
        key = self.shape_of(plan.text)
        with self._lock:
            self._verdicts[key] = cost.INF

    def forget(self) -> None:
        """The data changed: every bound and timing is stale."""
        with self._lock:
            self._generation += 1
            self._verdicts.clear()
            self._seconds.clear()
            self._shapes.clear()
            self._predicates = None  # an update may have added one
            self._analyst.submit(self._read_predicates, self._generation)

    def _read_predicates(self, generation: int) -> None:
        stats = self._store.statistics() if self._store.statistics_available else None
        with self._lock:
            if generation == self._generation:
                self._predicates = frozenset(stats.predicates if stats else ())

    def close(self) -> None:
        self._analyst.shutdown(wait=False, cancel_futures=True)

    def _trim(self) -> None:
        while len(self._verdicts) > CACHE_SIZE:
            key, _ = self._verdicts.popitem(last=False)
            self._seconds.pop(key, None)

    def _analyse(self, text: str, key: str, generation: int) -> None:
        try:
            bound = analyse(text, self._store)
        finally:
            with self._lock:
                self._pending -= 1
        with self._lock:
            if generation == self._generation and key in self._verdicts:
                self._verdicts[key] = bound


def analyse(text: str, store: Store) -> float:
    """The work bound of a query on ``store`` (infinite when it cannot be bounded)."""
    stats = store.statistics()
    if stats is None or _calls(text, cost.UNBOUNDED_FUNCTIONS):
        return cost.INF
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text, initNs=PREFIXES).algebra
        return cost.work_bound(algebra, stats)
    except Exception:  # rdflib cannot read every query Oxigraph can: the worker runs those
        log.debug("query not analysed", exc_info=True)
        return cost.INF


def _calls(text: str, functions: frozenset[str]) -> bool:
    """Whether the text calls one of ``functions`` anywhere, read from its tokens (rdflib's
    algebra drops the FILTERs of an EXISTS pattern, so it cannot be searched for them)."""
    names = {f.removeprefix("Builtin_") for f in functions}
    return any(
        t.kind == "word" and t.text.upper() in names for t in tokens(unescape_codepoints(text))
    )
