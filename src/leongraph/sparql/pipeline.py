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
from leongraph.sparql.answer_cache import AnswerCache, Key, normalise, normalise_within
from leongraph.sparql.evaluation import Answer, Plan, prepare
from leongraph.sparql.protocol import SparqlRequest, parse_request
from leongraph.sparql.safety import check_length
from leongraph.sparql.workers import Executor

#: Requests remembered with their plan, and the longest query string plus body remembered.
PLAN_CACHE_SIZE = 1024
PLAN_KEY_MAX = 16_384
#: New requests are planned in threads, at most this many at once, never on the event loop...
PLANNERS = 2
#: ... unless planning one costs a constant: a request of at most LOOP_BYTES, LOOP_FIELDS
#: parameters and LOOP_TOKENS tokens, whose plan is known (the same query in another text) or
#: whose shape's place is (the executor's ``placed``), is planned in the event loop, with no
#: hop to a thread and back (benchmarks/plan_cost.py: 0.1-0.5 ms for the worst texts).
LOOP_BYTES = 1024
LOOP_FIELDS = 32
LOOP_TOKENS = 64
LOOP_HEADER = 512
#: What a text planned in the event loop may not hold: a label service or query hints (their
#: rewrite), or ``\u`` escapes (the checks and the shape read the text unescaped, where one
#: token of the raw text can become many).
_REWRITTEN = ("service", "hint:", "\\u")


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
        memory, a small one whose planning costs a constant is planned here (``in_loop``),
        any other is read and planned in a thread (lexing, rewriting and checking take time
        that grows with the text: a quarter of a second for 100 KB)."""
        plan = self._plans.get(asked)
        if plan is not None:
            return plan
        if _small(asked):
            found = self.in_loop(asked)
            if found is not None:
                return found
        return await anyio.to_thread.run_sync(self.plan, asked, limiter=self._planners)

    def in_loop(self, asked: Asked) -> Plan | SparqlRequest | None:
        """``plan`` for a small request (``_small``) when it costs a constant: the text holds
        at most LOOP_TOKENS tokens (lexing stops past them) and either the same query was
        answered in another text, or the text needs no label rewrite and its shape's place
        is known. None: plan it in a thread."""
        request = parse_request(asked.method, asked.query_string, asked.content_type, asked.body)
        if request.query is None or request.update is not None:
            return request
        check_length(request.query, self.settings)
        same = self._same_key(request, asked, LOOP_TOKENS)
        if same is None:
            return None
        plan = self._known(asked, same)
        if plan is not None:
            return plan
        lowered = request.query.lower()
        if any(w in lowered for w in _REWRITTEN) or not self.executor.placed(request.query):
            return None
        return self._prepare(request, asked, same)

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
            same = self._same_key(request, asked)
            plan = self._known(asked, same)
            if plan is not None:
                return plan
        plan = self._prepare(request, asked, same)
        self.executor.placed(plan.text)  # its shape taken here, not by ``run`` in the loop
        return plan

    @staticmethod
    def _same_key(
        request: SparqlRequest, asked: Asked, most: int | None = None
    ) -> tuple[object, ...] | None:
        """What makes two requests the same query in other texts (comments, spacing); None
        past ``most`` tokens."""
        assert request.query is not None
        text = normalise(request.query) if most is None else normalise_within(request.query, most)
        if text is None:
            return None
        return (
            text,
            *(request.default_graphs, request.named_graphs, request.format),
            *(asked.accept, asked.accept_language),
        )

    def _known(self, asked: Asked, same: tuple[object, ...] | None) -> Plan | None:
        """The plan of the same query in another text, once that one has been answered (its
        label rewrite and checks, which take milliseconds for a WDQS query, are the same, and
        so is its answer); until then, and for a text that fails, each text is planned and
        refused on its own, so an error gives the line and column of the text it is about."""
        plan = self._same.get(same) if same is not None else None
        if plan is not None and plan in self._answered:
            self._remember(asked, plan)
            return plan
        return None

    def _prepare(
        self, request: SparqlRequest, asked: Asked, same: tuple[object, ...] | None
    ) -> Plan:
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


def _small(asked: Asked) -> bool:
    """Whether reading ``asked`` costs a constant (what the client sent is capped)."""
    return (
        len(asked.query_string) + len(asked.body) <= LOOP_BYTES
        and asked.query_string.count(b"&") + asked.body.count(b"&") <= LOOP_FIELDS
        and len(asked.accept or "") <= LOOP_HEADER
        and len(asked.accept_language or "") <= LOOP_HEADER
    )


def _key(plan: Plan) -> Key:
    """The cache key of a plan (its text lexed once per distinct plan of a remembered size)."""
    return _remembered_key(plan) if len(plan.text) <= PLAN_KEY_MAX else Key.of(plan)


@functools.lru_cache(maxsize=PLAN_CACHE_SIZE)
def _remembered_key(plan: Plan) -> Key:
    return Key.of(plan)
