import gc
import sys
import threading
from collections.abc import Callable

import pytest
from rdflib import Dataset, URIRef

from leongraph.config import ENGINES, Settings
from leongraph.engine import RdflibStore, Store, from_dataset
from leongraph.errors import DataError, QuerySyntaxError
from leongraph.graph import open_store


def test_select_returns_rows(store: Store) -> None:
    result = store.query("SELECT ?s WHERE { ?s a leon:Film }")
    assert result.kind == "select"
    assert [str(r[0]) for r in result.rows()] == [
        "https://w3id.org/leongraph/resource/leon-the-professional"
    ]


def test_ask(store: Store) -> None:
    assert store.query("ASK { ?s a leon:Film }").boolean is True
    assert store.query("ASK { ?s a leon:Nothing }").boolean is False


def test_healthz(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    # the bundled graph's reconciliation index is built before the first request
    assert r.json()["reconciliation_index"] == "ready"


def test_syntax_error_has_line_and_column(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        store.query("SELECT ?s WHERE {\n  ?s ?p }")
    assert info.value.line == 2


def test_rdflib_parses_each_query_once(dataset) -> None:
    store = RdflibStore(dataset)
    for _ in range(3):
        assert store.query("ASK { ?s a leon:Film }").boolean is True
    info = store._prepare.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    store.query("ASK { ?s a leon:Film }", prefixes={"leon": "https://w3id.org/leongraph/ontology#"})
    assert store._prepare.cache_info().misses == 2  # other prefixes, another prepared query


def test_on_disk_store_needs_oxigraph(tmp_path) -> None:
    with pytest.raises(DataError):
        open_store(Settings(engine="rdflib", store_path=tmp_path))


@pytest.mark.parametrize("engine", ENGINES)
def test_union_default_graph_is_a_set(engine: str) -> None:
    """A fact stated by two sentences sits in two graphs but is one triple of the default."""
    ds = Dataset()
    fact = (URIRef("http://e/a"), URIRef("http://e/p"), URIRef("http://e/b"))
    for g in ("http://e/g1", "http://e/g2"):
        ds.graph(URIRef(g)).add(fact)
    store = from_dataset(ds, engine=engine)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert [int(r[0]) for r in store.query(count).rows()] == [1]
    per_graph = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert [int(r[0]) for r in store.query(per_graph).rows()] == [2]
    assert len(store) == 2
    assert sorted(str(q[3]) for q in store.quads()) == ["http://e/g1", "http://e/g2"]


@pytest.mark.parametrize("engine", ENGINES)
def test_updates_keep_the_union_default_graph(engine: str) -> None:
    store = from_dataset(Dataset(), engine=engine)
    store.update("INSERT DATA { GRAPH <http://e/g1> { <http://e/a> <http://e/p> 1 } }")
    store.update("INSERT DATA { GRAPH <http://e/g2> { <http://e/a> <http://e/p> 1, 2 } }")
    values = "SELECT ?o WHERE { ?s <http://e/p> ?o } ORDER BY ?o"
    assert [int(r[0]) for r in store.query(values).rows()] == [1, 2]
    store.update("DELETE DATA { GRAPH <http://e/g2> { <http://e/a> <http://e/p> 1, 2 } }")
    assert [int(r[0]) for r in store.query(values).rows()] == [1]
    store.update("DROP GRAPH <http://e/g1>")
    assert list(store.query(values).rows()) == []


def test_oxigraph_update_of_the_default_graph_is_kept() -> None:
    """(rdflib 7.6 fails on INSERT DATA into a Dataset's default graph, hence Oxigraph only.)"""
    store = from_dataset(Dataset(), engine="oxigraph")
    store.update("INSERT DATA { <http://e/b> <http://e/p> 3 }")
    store.update("INSERT DATA { GRAPH <http://e/g> { <http://e/b> <http://e/p> 3, 4 } }")
    store.update("DROP GRAPH <http://e/g>")
    values = "SELECT ?o WHERE { ?s <http://e/p> ?o } ORDER BY ?o"
    assert [int(r[0]) for r in store.query(values).rows()] == [3]


def test_quads_of_one_graph_are_that_graph_only(store: Store) -> None:
    """A fact stated by two sentences sits in two graphs; asking for one yields it once."""
    sizes = store.graph_sizes()
    for graph in ("https://w3id.org/leongraph/sentence/5", "https://w3id.org/leongraph/sentence/2"):
        quads = list(store.quads(graph))
        assert len(quads) == sizes[graph]
        assert {str(q[3]) for q in quads} == {graph}


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[BaseException | None]:
    """Exceptions raised where nobody can catch them, such as in ``__del__``."""
    seen: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    return seen


def run_in_thread(target: Callable[[], None]) -> None:
    worker = threading.Thread(target=target)
    worker.start()
    worker.join()


def test_results_dropped_on_another_thread_are_released_safely(
    store: Store, unraisable: list[BaseException | None]
) -> None:
    """pyoxigraph iterators must die on the thread that made them; a half-read result handed to
    another thread (a thread pool, the cyclic collector) must not raise on release."""
    kept: list[object] = []

    def half_read() -> None:
        rows = store.query("SELECT * WHERE { ?s ?p ?o }").rows()
        next(rows)
        triples = store.query("CONSTRUCT WHERE { ?s ?p ?o }").triples()
        next(triples)
        quads = store.quads()
        next(quads)
        kept.extend([rows, triples, quads])

    run_in_thread(half_read)
    kept.clear()
    gc.collect()
    assert unraisable == []
    assert store.query("ASK { ?s ?p ?o }").boolean is True


def test_a_later_thread_never_releases_an_ended_threads_results(
    store: Store, unraisable: list[BaseException | None]
) -> None:
    """Thread idents are reused once a thread ends; results parked for an ended thread must not
    be released by a later thread that happens to get the same ident."""
    kept: list[object] = []

    def make() -> None:
        rows = store.query("SELECT * WHERE { ?s ?p ?o }").rows()
        next(rows)
        kept.append(rows)

    def drop_then_query() -> None:
        kept.clear()
        gc.collect()
        store.query("ASK { ?s ?p ?o }")

    for _ in range(5):
        for target in (make, drop_then_query):
            run_in_thread(target)
    assert unraisable == []


def test_nothing_parked_for_a_finished_thread_is_dropped_at_exit() -> None:
    """A result made by a thread that has ended, dropped on another thread, is parked for a
    thread that will never take it: at exit it must not be released on the wrong thread
    (pyo3 would print an "unsendable ... dropped on another thread" error for it)."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import threading
        from leongraph.engine import OxigraphStore
        from leongraph.engine.threads import _graveyards
        store = OxigraphStore.from_quads([])
        made = []
        t = threading.Thread(target=lambda: made.append(store.query("SELECT * { ?s ?p ?o }")))
        t.start(); t.join()
        made.clear()  # dropped here, on the main thread: parked for the finished thread
        assert sum(len(v) for v in _graveyards.values()) == 1
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "unsendable" not in done.stderr, done.stderr
