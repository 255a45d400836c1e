"""The answer cache itself (sparql/answer_cache.py): its key, its byte bound under a flood of
large answers, admission by cost, and what it never keeps (truncated or stale answers)."""

from __future__ import annotations

from leongraph.sparql.answer_cache import ENTRY_OVERHEAD, AnswerCache, Key, normalise
from leongraph.sparql.evaluation import Answer, Plan

JSON = "application/sparql-results+json"


def plan(text: str, **changes: object) -> Plan:
    fields: dict[str, object] = {
        "text": text,
        "form": "SELECT",
        "default_graphs": None,
        "named_graphs": None,
        "results_format": "json",
        "graph_format": "ttl",
        "max_rows": 10_000,
    }
    fields.update(changes)
    return Plan(**fields)  # type: ignore[arg-type]


def test_the_key_is_the_text_as_the_lexer_sees_it() -> None:
    a = Key.of(plan("SELECT ?s WHERE { ?s ?p ?o } # one"))
    b = Key.of(plan("SELECT  ?s\n\tWHERE {?s ?p ?o}   # another comment"))
    assert normalise("SELECT ?s WHERE{?s ?p ?o}") == "SELECT ?s WHERE{?s ?p ?o}"
    assert a.text == "SELECT ?s WHERE { ?s ?p ?o }"
    assert b.text == "SELECT ?s WHERE {?s ?p ?o}"
    # comments and runs of whitespace are dropped, strings and adjacency are kept
    assert Key.of(plan('ASK { ?s ?p "a  b" }')) != Key.of(plan('ASK { ?s ?p "a b" }'))
    assert Key.of(plan("ASK { ?s ?p 1.5 }")) != Key.of(plan("ASK { ?s ?p 1 .5 }"))
    assert Key.of(plan("ASK { ?s ?p ?o } # x")) == Key.of(plan("ASK  { ?s ?p ?o }"))


def test_the_key_holds_the_dataset_formats_and_row_cap() -> None:
    base = Key.of(plan("ASK {}"))
    for changes in (
        {"default_graphs": ("urn:g",)},
        {"named_graphs": ("urn:g",)},
        {"results_format": "xml"},
        {"graph_format": "nt"},
        {"max_rows": 5},
    ):
        assert Key.of(plan("ASK {}", **changes)) != base, changes


def test_hits_misses_and_headers() -> None:
    cache = AnswerCache(1 << 20, lambda: "f" * 64)
    key = Key.of(plan("ASK {}"))
    assert cache.get(key) is None
    served = cache.put(key, Answer(b"{}", JSON), 0.01, cache.generation)
    assert served.headers["X-Cache"] == "miss"
    hit = cache.get(key)
    assert hit is not None and hit.body == b"{}"
    assert hit.headers["X-Cache"] == "hit"
    assert hit.headers["ETag"] == served.headers["ETag"]
    assert hit.headers["ETag"].startswith('W/"ffffffffffffffff-')
    assert cache.stats()["hits"] == 1 and cache.stats()["misses"] == 1
    assert cache.stats()["hit_rate"] == 0.5


def test_a_flood_of_large_answers_stays_within_the_bound() -> None:
    bound = 1 << 20
    cache = AnswerCache(bound)
    body = b"x" * (100 * 1024)
    for i in range(500):
        key = Key.of(plan(f"SELECT * WHERE {{ ?s ?p {i} }}"))
        cache.put(key, Answer(body, JSON), 0.01, cache.generation)
        assert cache.bytes <= bound
    stats = cache.stats()
    assert stats["entries"] == bound // (len(body) + ENTRY_OVERHEAD + 30)
    assert 0 < int(stats["bytes"]) <= bound  # type: ignore[call-overload]
    # one answer larger than a quarter of the budget is never kept
    huge = Key.of(plan("SELECT * WHERE { ?s ?p ?o }"))
    cache.put(huge, Answer(b"x" * (bound // 3), JSON), 10.0, cache.generation)
    assert cache.get(huge) is None and cache.bytes <= bound


def test_admission_by_cost_keeps_the_slow_answers() -> None:
    body = b"x" * 1000
    size = len(body) + ENTRY_OVERHEAD + 20
    cache = AnswerCache(10 * size)
    slow = [Key.of(plan(f"ASK {{ ?s ?p {i} }}")) for i in range(10)]
    for key in slow:
        cache.put(key, Answer(body, JSON), 1.0, cache.generation)
    assert cache.stats()["entries"] == 10  # full
    cheap = [Key.of(plan(f"ASK {{ ?s ?q {i} }}")) for i in range(20)]
    for key in cheap:
        cache.put(key, Answer(body, JSON), 0.001, cache.generation)
    assert all(cache.get(key) is not None for key in slow)  # none made room for a cheap one
    assert all(cache.get(key) is None for key in cheap)
    assert cache.stats()["refused"] == 20
    slower = Key.of(plan("ASK { ?s ?r 0 }"))
    cache.put(slower, Answer(body, JSON), 2.0, cache.generation)
    assert cache.get(slower) is not None  # a slower answer takes the place of a slow one
    assert sum(cache.get(key) is not None for key in slow) == 9


def test_truncated_and_stale_answers_are_not_kept() -> None:
    cache = AnswerCache(1 << 20)
    key = Key.of(plan("SELECT * { ?s ?p ?o }"))
    cache.put(key, Answer(b"{}", JSON, truncated=True), 1.0, cache.generation)
    assert cache.get(key) is None
    started = cache.generation
    cache.clear()  # the data changed while the query ran
    served = cache.put(key, Answer(b"{}", JSON), 1.0, started)
    assert "ETag" not in served.headers and cache.get(key) is None
    cache.put(key, Answer(b"{}", JSON), 1.0, cache.generation)
    assert cache.get(key) is not None
    cache.clear()
    assert cache.get(key) is None and cache.bytes == 0


def test_off_at_zero() -> None:
    assert not AnswerCache(0).enabled
