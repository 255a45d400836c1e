"""Where queries run (triage.py): a text seen once goes to a worker; seen again, it is bounded in
the background and, when cheap, answered in the server, with the same bytes a worker gives;
pathological queries stay in workers however often they come; a change of data forgets all."""

from __future__ import annotations

import time

import anyio
import pytest
from support import plan

from leongraph.config import PROJECT_ROOT, Settings
from leongraph.engine import Store
from leongraph.sparql.evaluation import Plan, execute, prepare
from leongraph.sparql.examples import load_examples
from leongraph.sparql.placement import Place, Triage
from leongraph.sparql.protocol import SparqlRequest
from leongraph.sparql.workers.pool import ProcessExecutor

LOOKUP = "SELECT ?p ?o WHERE { res:mathilda ?p ?o }"
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def settle(triage: Triage, p: Plan) -> Place:
    """``place`` once the background analysis of ``p`` has had time to finish."""
    deadline = time.monotonic() + 10
    while (found := triage.place(p)) is Place.WORKER and time.monotonic() < deadline:
        time.sleep(0.01)
    return found


def test_a_cheap_query_moves_into_the_server_when_it_comes_back(oxigraph: Store) -> None:
    triage = Triage(oxigraph)
    try:
        p = plan(LOOKUP)
        assert triage.place(p) is Place.WORKER  # first sighting: not analysed
        assert triage.place(p) is Place.WORKER  # analysis starts in the background
        assert settle(triage, p) is Place.LOOP
    finally:
        triage.close()


def test_pathological_queries_stay_in_workers(oxigraph: Store) -> None:
    triage = Triage(oxigraph)
    try:
        p = plan(CROSS)
        assert triage.learn(CROSS) == float("inf") or triage.learn(CROSS) > 1e9
        assert all(triage.place(p) is Place.WORKER for _ in range(5))
    finally:
        triage.close()


def test_dataset_parameters_go_to_workers(oxigraph: Store) -> None:
    triage = Triage(oxigraph)
    try:
        triage.learn(LOOKUP)
        assert triage.place(plan(LOOKUP)) is Place.LOOP
        named = plan(LOOKUP, default_graphs=("https://w3id.org/leongraph/graph/leon",))
        assert triage.place(named) is Place.WORKER
    finally:
        triage.close()


def test_a_change_of_data_forgets_every_verdict(oxigraph: Store) -> None:
    triage = Triage(oxigraph)
    try:
        triage.learn(LOOKUP)
        triage.forget()
        assert triage.place(plan(LOOKUP)) is Place.WORKER
    finally:
        triage.close()


def test_a_slow_bounded_query_runs_in_a_thread_until_timed(oxigraph: Store) -> None:
    triage = Triage(oxigraph)
    try:
        text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?o"
        bound = triage.learn(text)
        from leongraph.sparql import cost

        assert cost.INLINE_WORK < bound <= cost.THREAD_WORK
        p = plan(text)
        assert triage.place(p) is Place.THREAD
        triage.timed(p, 0.0005)
        assert triage.place(p) is Place.LOOP
        triage.timed(p, 0.5)
        assert triage.place(p) is Place.THREAD
    finally:
        triage.close()


def test_examples_answer_the_same_in_the_server_and_in_workers(oxigraph: Store) -> None:
    """Every bundled example, run where triage puts it, gives the bytes a worker gives."""
    settings = Settings(workers=1)
    triage = Triage(oxigraph)
    executor = ProcessExecutor(oxigraph, settings, triage)
    places: dict[Place, int] = {}
    try:
        for example in load_examples(PROJECT_ROOT / "queries"):
            graph = prepare(SparqlRequest(query=example.text), settings).graph_format
            is_graph = prepare(SparqlRequest(query=example.text), settings).form in (
                "CONSTRUCT",
                "DESCRIBE",
            )
            assert graph
            for fmt in ("ttl", "nt", "jsonld") if is_graph else ("json", "xml", "csv", "tsv"):
                p = prepare(SparqlRequest(query=example.text, format=fmt), settings)
                triage.learn(p.text)
                place = triage.place(p)
                places[place] = places.get(place, 0) + 1
                answer = anyio.run(executor.run, p)
                if "RAND()" in p.text.upper() or "NOW()" in p.text.upper():
                    continue
                assert answer == execute(oxigraph, p), example.name
    finally:
        executor.close()
    assert places.get(Place.LOOP, 0) + places.get(Place.THREAD, 0) >= 10, places


def test_bounded_queries_queue_for_workers_when_server_threads_are_busy(oxigraph: Store) -> None:
    """Queries that run in threads of the server cannot be stopped: only a few at once."""
    import threading

    triage = Triage(oxigraph)
    executor = ProcessExecutor(oxigraph, Settings(workers=1), triage)
    try:
        text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?o"
        triage.learn(text)
        p = plan(text)
        assert triage.place(p) is Place.THREAD
        executor._threads = threading.Semaphore(0)  # every server thread taken
        assert executor._count == 0
        answer = anyio.run(executor.run, p)
        rest = answer.rest  # a long answer, streamed (workers/stream.py)
        assert rest is not None

        async def whole() -> bytes:
            return answer.body + b"".join([chunk async for chunk in rest])

        assert anyio.run(whole) == execute(oxigraph, p).body
        assert executor._count == 1  # a worker was forked to answer it
    finally:
        executor.close()


def test_analyses_queue_only_so_far(oxigraph: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flood of new texts, each sent twice, cannot queue unbounded parsing work."""
    import threading

    from leongraph.sparql import placement as module

    release = threading.Event()
    monkeypatch.setattr(module, "analyse", lambda text, store: release.wait(10) and 1.0)
    triage = Triage(oxigraph)
    try:
        texts = [f"SELECT * WHERE {{ ?s ?p {i} }}" for i in range(module.MAX_PENDING + 10)]
        for text in texts:
            triage.place(plan(text))
            triage.place(plan(text))
        assert triage._pending == module.MAX_PENDING
        release.set()
        deadline = time.monotonic() + 10
        while triage._pending and time.monotonic() < deadline:
            time.sleep(0.01)
        assert triage._pending == 0
        assert triage.place(plan(texts[0])) is Place.LOOP  # analysed
        later = plan(texts[-1])  # was refused: analysed at its next sighting
        assert triage.place(later) is Place.WORKER
        assert settle(triage, later) is Place.LOOP
    finally:
        release.set()
        triage.close()


def shaped(triage: Triage) -> Triage:
    """``triage`` once it has read the store's predicates (in its background thread)."""
    deadline = time.monotonic() + 10
    while triage._predicates is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return triage


def test_a_new_text_of_a_known_shape_is_placed_at_first_sight(oxigraph: Store) -> None:
    """Lookups of distinct resources share one verdict: after two of them, a third text never
    seen before runs in the server at once, and so does the same text with a new comment."""
    triage = shaped(Triage(oxigraph))
    try:
        lookup = "SELECT ?p ?o WHERE { res:%s ?p ?o }"
        assert triage.place(plan(lookup % "mathilda")) is Place.WORKER  # a new shape
        assert triage.place(plan(lookup % "leon")) is Place.WORKER  # analysed now
        assert settle(triage, plan(lookup % "leon")) is Place.LOOP
        assert triage.place(plan(lookup % "stansfield")) is Place.LOOP  # never seen
        assert triage.place(plan("SELECT ?a ?b WHERE {res:tony ?a ?b} # new")) is Place.LOOP
        # another predicate, another limit: other shapes, not placed before analysis
        pattern = "SELECT ?o WHERE { res:mathilda %s ?o } LIMIT %d"
        triage.learn(pattern % ("rdfs:label", 10))
        assert triage.place(plan(pattern % ("rdfs:label", 10))) is Place.LOOP
        assert triage.place(plan(pattern % ("rdfs:comment", 10))) is Place.WORKER
        assert triage.place(plan(pattern % ("rdfs:label", 100))) is Place.WORKER
    finally:
        triage.close()


def test_a_shape_is_known_once_analysed(oxigraph: Store) -> None:
    """``known`` (what lets the pipeline plan a small text in the event loop) holds only once
    the shape has its verdict, and never starts an analysis itself."""
    triage = shaped(Triage(oxigraph))
    try:
        lookup = "SELECT ?p ?o WHERE { res:%s ?p ?o }"
        assert not triage.known(lookup % "mathilda")  # never seen
        assert triage.place(plan(lookup % "mathilda")) is Place.WORKER
        assert not triage.known(lookup % "leon")  # seen once: no verdict yet
        assert not triage.known(lookup % "leon")  # (asking does not analyse it)
        triage.learn(lookup % "mathilda")
        assert triage.known(lookup % "stansfield")  # a new text of the shape
        assert not triage.known("SELECT ?o WHERE { res:mathilda rdfs:label ?o }")
        triage.forget()
        assert not triage.known(lookup % "stansfield")
    finally:
        triage.close()


def test_a_pathological_shape_stays_in_workers_whatever_its_constants(oxigraph: Store) -> None:
    triage = shaped(Triage(oxigraph))
    try:
        regex = 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(REGEX(?l, "%s")) }'
        triage.learn(regex % "a")
        assert triage.place(plan(regex % "(.{1,100}){1,100}")) is Place.WORKER
        triage.learn(CROSS)
        assert triage.place(plan(CROSS.replace("?n", "?m"))) is Place.WORKER
    finally:
        triage.close()
