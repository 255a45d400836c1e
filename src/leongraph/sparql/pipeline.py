"""The one query pipeline: a raw protocol request in, an answer out. The hot path
(web/hotpath.py) and the ``/sparql`` route (web/routes/sparql.py) both call ``QueryPipeline``,
so a query takes the same stages whichever way it came (see the package docstring)."""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from leongraph.config import Settings
from leongraph.sparql.answer_cache import AnswerCache, Key, normalise
from leongraph.sparql.evaluation import Answer, Plan, prepare
from leongraph.sparql.protocol import SparqlRequest, parse_request
from leongraph.sparql.safety import check_length
from leongraph.sparql.workers import Executor

#: Requests remembered with their plan, and the longest query string plus body remembered.
PLAN_CACHE_SIZE = 1024
PLAN_KEY_MAX = 16_384
#: New requests are planned in threads, at most this many at once, never on the event loop.
PLANNERS = 2


@dataclass(frozen=True)
class Asked:
    """A request as the pipeline reads it: what selects the operation and its answer."""

    method: str
    query_string: bytes
    body: bytes = b""
    content_type: str | None = None
    accept: str | None = None
    accept_language: str | None = None


class QueryPipeline:
    """Reads a request (protocol.py), plans a query (evaluation.prepare: label-service rewrite,
    safety, dataset, formats) and runs the plan (the executor, which places it in the server
    or in a worker). Reading and planning are pure, and clients repeat their requests, so the
    plans of recent requests are kept; and the answers, in the answer cache (answer_cache.py),
    until the data changes. ``fingerprint`` names the data (the cache's ETags)."""

    def __init__(
        self, settings: Settings, executor: Executor, fingerprint: Callable[[], str] = str
    ) -> None:
        self.settings = settings
        self.executor = executor
        self._plans: OrderedDict[Asked, Plan] = OrderedDict()
        self._same: OrderedDict[tuple[object, ...], Plan] = OrderedDict()
        self._answered: weakref.WeakSet[Plan] = weakref.WeakSet()
        self.cache = AnswerCache(settings.answer_cache_mb * 2**20, fingerprint)
        self._planners = anyio.CapacityLimiter(PLANNERS)
        self._lock = threading.Lock()  # plans are made in threads

    def cached(self, asked: Asked) -> Answer | None:
        """The cached answer to a request asked before, without reading or planning it
        again; None when it must take the whole way (not counted as a miss: ``run`` counts)."""
        if not self.cache.enabled:
            return None
        plan = self._plans.get(asked)
        return None if plan is None else self.cache.get(_key(plan), count_miss=False)

    async def plan_off_loop(self, asked: Asked) -> Plan | SparqlRequest:
        """``plan``, never holding up the event loop: a request seen before is answered from
        memory, a new one is read and planned in a thread (lexing, rewriting and checking take
        time that grows with the text: a quarter of a second for 100 KB)."""
        plan = self._plans.get(asked)
        if plan is not None:
            return plan
        return await anyio.to_thread.run_sync(self.plan, asked, limiter=self._planners)

    def plan(self, asked: Asked) -> Plan | SparqlRequest:
        """The plan of a query; for an update or a request without a query, the request
        itself (the route's business). Raises the 4xx error that refuses the request."""
        plan = self._plans.get(asked)
        if plan is not None:
            return plan
        request = parse_request(asked.method, asked.query_string, asked.content_type, asked.body)
        if request.query is None or request.update is not None:
            return request
        check_length(request.query, self.settings)  # before any lexing
        same = None
        if len(request.query) <= PLAN_KEY_MAX:
            # The same query in another text (comments, spacing): the plan of the first one
            # once it has been answered (its label rewrite and checks, which take
            # milliseconds for a WDQS query, are the same, and so is its answer); until then,
            # and for a text that fails, each text is planned and refused on its own, so an
            # error gives the line and column of the text it is about.
            same = (
                normalise(request.query),
                *(request.default_graphs, request.named_graphs, request.format),
                *(asked.accept, asked.accept_language),
            )
            plan = self._same.get(same)
            if plan is not None and plan in self._answered:
                self._remember(asked, plan)
                return plan
        plan = prepare(
            request, self.settings, accept=asked.accept, accept_language=asked.accept_language
        )
        if same is not None:
            with self._lock:
                self._same[same] = plan
                if len(self._same) > PLAN_CACHE_SIZE:
                    self._same.popitem(last=False)
        self._remember(asked, plan)
        return plan

    def _remember(self, asked: Asked, plan: Plan) -> None:
        if len(asked.query_string) + len(asked.body) <= PLAN_KEY_MAX:
            with self._lock:
                self._plans[asked] = plan
                if len(self._plans) > PLAN_CACHE_SIZE:
                    self._plans.popitem(last=False)  # the oldest

    async def run(self, plan: Plan) -> Answer:
        """The answer to a plan, within the timeout (or QueryTimeout): from the cache, or
        computed and offered to it (an error or a timeout raises, so it is never kept)."""
        cache = self.cache
        if not cache.enabled:
            answer = await self.executor.run(plan)
            self._answered.add(plan)
            return answer
        key = _key(plan)
        hit = cache.get(key)
        if hit is not None:
            return hit
        generation = cache.generation
        start = time.perf_counter()
        answer = await self.executor.run(plan)
        self._answered.add(plan)
        return cache.put(key, answer, time.perf_counter() - start, generation)

    def data_changed(self) -> None:
        """An update changed the data: no answer computed before it is served again."""
        self.cache.clear()


def _key(plan: Plan) -> Key:
    """The cache key of a plan (its text lexed once per distinct plan of a remembered size)."""
    return _remembered_key(plan) if len(plan.text) <= PLAN_KEY_MAX else Key.of(plan)


@functools.lru_cache(maxsize=PLAN_CACHE_SIZE)
def _remembered_key(plan: Plan) -> Key:
    return Key.of(plan)
