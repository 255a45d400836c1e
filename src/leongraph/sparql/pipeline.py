"""The one query pipeline: a raw protocol request in, an answer out. The hot path
(web/hotpath.py) and the ``/sparql`` route (web/routes/sparql.py) both call ``QueryPipeline``,
so a query takes the same stages whichever way it came (see the package docstring)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import anyio

from leongraph.config import Settings
from leongraph.sparql.evaluation import Answer, Plan, prepare
from leongraph.sparql.protocol import SparqlRequest, parse_request
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
    plans of recent requests are kept."""

    def __init__(self, settings: Settings, executor: Executor) -> None:
        self.settings = settings
        self.executor = executor
        self._plans: OrderedDict[Asked, Plan] = OrderedDict()
        self._planners = anyio.CapacityLimiter(PLANNERS)

    def plan(self, asked: Asked) -> Plan | SparqlRequest:
        """The plan of a query; for an update or a request without a query, the request
        itself (the route's business). Raises the 4xx error that refuses the request."""
        plan = self._plans.get(asked)
        if plan is not None:
            return plan
        return self._remember(asked, self._make(asked))

    async def plan_off_loop(self, asked: Asked) -> Plan | SparqlRequest:
        """``plan``, never holding up the event loop: a request seen before is answered from
        memory, a new one is read and planned in a thread (lexing, rewriting and checking take
        time that grows with the text: a quarter of a second for 100 KB)."""
        plan = self._plans.get(asked)
        if plan is not None:
            return plan
        made = await anyio.to_thread.run_sync(self._make, asked, limiter=self._planners)
        return self._remember(asked, made)

    def _make(self, asked: Asked) -> Plan | SparqlRequest:
        request = parse_request(asked.method, asked.query_string, asked.content_type, asked.body)
        if request.query is None or request.update is not None:
            return request
        return prepare(
            request, self.settings, accept=asked.accept, accept_language=asked.accept_language
        )

    def _remember(self, asked: Asked, made: Plan | SparqlRequest) -> Plan | SparqlRequest:
        """Keep a plan (on the event loop: the cache is not shared with threads)."""
        if isinstance(made, Plan) and len(asked.query_string) + len(asked.body) <= PLAN_KEY_MAX:
            self._plans[asked] = made
            if len(self._plans) > PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)  # the oldest
        return made

    async def run(self, plan: Plan) -> Answer:
        """The answer to a plan, within the timeout (or QueryTimeout)."""
        return await self.executor.run(plan)
