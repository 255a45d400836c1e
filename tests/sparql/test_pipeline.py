"""Where the pipeline plans a request: in the event loop only when that costs a constant (a
small text whose plan or place is known), in a thread otherwise (pipeline.py)."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest
from support import planning_threads

from leongraph.config import Settings
from leongraph.sparql.evaluation import Answer, Plan
from leongraph.sparql.pipeline import LOOP_BYTES, LOOP_TOKENS, Asked, QueryPipeline
from leongraph.sparql.workers import Executor

QUERY = "application/sparql-query"
LOOKUP = "SELECT ?p ?o WHERE { res:mathilda ?p ?o }"


class Fixed(Executor):
    """Answers every plan with one body; ``placed`` says whether every shape's place is known."""

    def __init__(self, placed: bool) -> None:
        super().__init__()
        self._placed = placed
        self.asked_in: list[int] = []  # the threads that asked for a text's place

    def placed(self, text: str) -> bool:
        self.asked_in.append(threading.get_ident())
        return self._placed

    async def run(self, plan: Plan) -> Answer:
        return Answer(b"{}", "application/sparql-results+json")


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads that ``prepare`` ran in (the event loop's included)."""
    return planning_threads(monkeypatch)


def asked(text: str, accept: str | None = None) -> Asked:
    return Asked("POST", b"", text.encode(), QUERY, accept)


def planned_where(queries: QueryPipeline, request: Asked, *, run: bool = False) -> str:
    """``loop`` when ``request`` was planned without leaving the event loop, else ``thread``."""
    used: list[bool] = []
    real = anyio.to_thread.run_sync

    async def go() -> None:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            used.append(True)
            return await real(*args, **kwargs)

        anyio.to_thread.run_sync = counted  # type: ignore[assignment]
        try:
            found = await queries.plan_off_loop(request)
            if run:
                assert isinstance(found, Plan)
                await queries.run(found)
        finally:
            anyio.to_thread.run_sync = real

    anyio.run(go)
    return "thread" if used else "loop"


def test_the_same_query_in_a_new_text_is_planned_in_the_event_loop(hops: list[int]) -> None:
    queries = QueryPipeline(Settings(answer_cache_mb=0), Fixed(placed=False))
    assert planned_where(queries, asked(LOOKUP), run=True) == "thread"  # the first text
    assert len(hops) == 1
    for n in range(3):  # other texts of the answered query: its plan, at once
        assert planned_where(queries, asked(f"{LOOKUP}\n# {n}")) == "loop"
    assert len(hops) == 1  # nothing prepared again
    # the same query not yet answered in its first text: each text is planned on its own
    assert planned_where(queries, asked("ASK { ?s ?p ?o }")) == "thread"
    assert planned_where(queries, asked("ASK {?s ?p ?o} # again")) == "thread"


def test_a_small_text_of_a_placed_shape_is_planned_in_the_event_loop(hops: list[int]) -> None:
    queries = QueryPipeline(Settings(answer_cache_mb=0), Fixed(placed=True))
    loop = threading.get_ident()
    assert planned_where(queries, asked(LOOKUP)) == "loop"
    assert hops == [loop]  # prepared, here


def test_what_costs_more_than_a_constant_is_planned_in_a_thread(hops: list[int]) -> None:
    """Past the caps (bytes, tokens, header length), with a label service to rewrite, or
    with a shape whose place is not known, a new text takes a thread."""
    placed = QueryPipeline(Settings(answer_cache_mb=0), Fixed(placed=True))
    padded = LOOKUP + " #" + "x" * LOOP_BYTES
    many = "SELECT * WHERE { " + "?s ?p ?o . " * LOOP_TOKENS + "}"
    label = """SELECT ?c ?cLabel WHERE { ?c ?p ?o .
      SERVICE wikibase:label { bd:serviceParam wikibase:language "en". } }"""
    escaped = 'SELECT ?p ?o WHERE { res:mathilda ?p ?o FILTER(?o != "\\u0022") }'
    assert len(many) < LOOP_BYTES
    cases = (padded, many, label, escaped)
    for request in (*map(asked, cases), asked(LOOKUP, "*/*;q=1" * 100)):
        assert planned_where(placed, request) == "thread"
    unplaced = QueryPipeline(Settings(answer_cache_mb=0), Fixed(placed=False))
    assert planned_where(unplaced, asked(LOOKUP)) == "thread"
    assert len(hops) == 6 and threading.get_ident() not in hops


def test_a_text_planned_in_a_thread_has_its_shape_taken_there(hops: list[int]) -> None:
    """So that placing it (in the event loop) finds its shape made."""
    executor = Fixed(placed=False)
    queries = QueryPipeline(Settings(answer_cache_mb=0), executor)
    assert planned_where(queries, asked(LOOKUP)) == "thread"
    assert executor.asked_in[-1] != threading.get_ident()  # last asked by the planner


def test_errors_found_in_the_event_loop_are_the_same_errors(hops: list[int]) -> None:
    """A small text refused while planned in the loop raises the error a thread would."""
    placed = QueryPipeline(Settings(answer_cache_mb=0), Fixed(placed=True))
    threaded = QueryPipeline(Settings(answer_cache_mb=0), Fixed(placed=False))
    refused = (
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", None),  # an update
        ("DESCRIBE <http://x/a>", "application/sparql-results+json"),  # not acceptable
    )
    for text, accept in refused:
        errors = []
        for queries in (placed, threaded):
            try:
                planned_where(queries, asked(text, accept))
            except Exception as exc:  # the 4xx the route renders
                errors.append((type(exc), str(exc)))
        assert len(errors) == 2 and errors[0] == errors[1], text
    assert len(hops) == 4 and hops[0] == hops[2] == threading.get_ident() != hops[1]
