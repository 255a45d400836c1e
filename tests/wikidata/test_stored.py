"""The reconciliation index `leongraph load` writes beside an on-disk store: opened with the
store, never used once the data it was read from has changed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from leongraph.cli.main import main
from leongraph.config import Settings
from leongraph.engine import OxigraphStore, Store
from leongraph.engine.editing import open_read_write, set_version
from leongraph.vocab import LEON
from leongraph.web import state
from leongraph.web.state import Derived
from leongraph.wikidata.matching import Index, build_index, fold, similarity
from leongraph.wikidata.stored import INDEX_FILE, open_index


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stored") / "db"
    assert main(["load", "--bundled", "--store", str(path)]) == 0
    return path


def test_load_writes_the_index_and_the_server_opens_it(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (db / INDEX_FILE).is_file()
    store = OxigraphStore.open_read_only(db)
    expected = build_index(store)

    def refuse(_: object) -> Index:
        raise AssertionError("the index was read from the store again")

    monkeypatch.setattr(state, "build_index", refuse)
    index = Derived(Settings(store_path=db), store).reconciliation_index
    assert index.entities.keys() == expected.entities.keys()
    assert len(index.entities) > 10
    leon = next(e for e in index.entities.values() if e.name.startswith("Léon"))
    assert leon.types == expected.entities[leon.id].types
    assert index.candidates("Leon")[0].entity.id == expected.candidates("Leon")[0].entity.id


def test_an_index_of_other_data_is_not_used(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_read_write(db)
    set_version(store, None)
    assert open_index(db, store) is not None  # the data as loaded
    set_version(store, "an edit")  # what an edit does to the fingerprint
    assert open_index(db, store) is None
    built: list[object] = []
    monkeypatch.setattr(state, "build_index", lambda s: built.append(s) or build_index(s))
    index = Derived(Settings(store_path=db), store).reconciliation_index
    assert built == [store] and index.entities
    del store


def test_an_unreadable_index_is_built_anew(tmp_path: Path, db: Path) -> None:
    (tmp_path / INDEX_FILE).write_bytes(b"not an index")
    assert open_index(tmp_path, OxigraphStore.open_read_only(db)) is None
    assert open_index(None, OxigraphStore.open_read_only(db)) is None


QUERIES = ["Leon", "Mathilda", "Stansfield", "norman stansfeld", "the professional", "zzz", "a"]


@pytest.mark.parametrize("query", QUERIES)
def test_bounds_bound_every_name(query: str, db: Path) -> None:
    index = open_index(db, OxigraphStore.open_read_only(db))
    assert index is not None
    q = fold(query)
    bounds = index._bounds(q, 0.01)
    for position, entity in enumerate(index.entities.values()):
        best = max((similarity(q, name) for name, _ in entity.names), default=0.0)
        if best >= 0.01:
            assert bounds[position] >= best - 1e-9, (query, entity.id)


def test_the_stored_index_is_the_built_one(db: Path) -> None:
    """Every field of every entity, facts included, read back as it was built."""
    store = OxigraphStore.open_read_only(db)
    built, opened = build_index(store), open_index(db, store)
    assert opened is not None
    assert list(opened.entities) == list(built.entities)
    for id, entity in built.entities.items():
        other = opened.entities[id]
        assert (other.iri, other.name, other.description, other.names) == (
            entity.iri,
            entity.name,
            entity.description,
            entity.names,
        )
        assert (set(other.types), other.wikidata, other.confirmed) == (
            set(entity.types),
            entity.wikidata,
            entity.confirmed,
        )
        assert dict(other.facts) == dict(entity.facts) and list(other.facts) == list(entity.facts)
    assert opened.wikidata_properties == built.wikidata_properties
    assert (opened.classes, opened.properties) == (built.classes, built.properties)


def test_every_engine_builds_the_same_index(store: Store, oxigraph: Store) -> None:
    """Oxigraph's answer is read as its own TSV text, other engines' rows are written as
    that text here: the same entities either way."""
    mine, reference = build_index(store), build_index(oxigraph)
    assert mine.entities.keys() == reference.entities.keys()  # in the engine's order
    for id, entity in reference.entities.items():
        other = mine.entities[id]
        assert (other.name, other.description, sorted(other.names), set(other.types)) == (
            entity.name,
            entity.description,
            sorted(entity.names),
            set(entity.types),
        )
        assert {p: set(v) for p, v in other.facts.items()} == {
            p: set(v) for p, v in entity.facts.items()
        }, id


def test_the_index_opened_in_the_background_answers_the_first_request(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request arriving while the index is being opened waits for it, then answers."""
    opened = threading.Event()

    def slow(directory: Path | None, store: object) -> Index | None:
        time.sleep(0.3)
        index = open_index(directory, store)  # type: ignore[arg-type]
        opened.set()
        return index

    monkeypatch.setattr(state, "open_index", slow)
    derived = Derived(Settings(store_path=db), OxigraphStore.open_read_only(db))
    threading.Thread(target=lambda: derived.reconciliation_index, daemon=True).start()
    time.sleep(0.05)
    assert not derived.index_ready
    index = derived.reconciliation_index  # the first request
    assert opened.is_set() and derived.index_ready
    assert index.candidates("Mathilda")[0].entity.name == "Mathilda"


def test_the_validators_do_not_wait_for_the_index(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every request reads the validators (``publication``): they must not wait behind the
    index being opened."""
    release = threading.Event()

    def held(directory: Path | None, store: object) -> Index | None:
        release.wait(10)
        return open_index(directory, store)  # type: ignore[arg-type]

    monkeypatch.setattr(state, "open_index", held)
    derived = Derived(Settings(store_path=db), OxigraphStore.open_read_only(db))
    opening = threading.Thread(target=lambda: derived.reconciliation_index, daemon=True)
    opening.start()
    try:
        time.sleep(0.05)
        assert derived.publication.fingerprint  # built while the index is still being opened
        assert not derived.index_ready
    finally:
        release.set()
        opening.join()
    assert derived.index_ready


@pytest.mark.parametrize("query", [*QUERIES, "norman stansfield", "leon montana", "tony"])
def test_reaching_finds_every_name_whose_bound_reaches(query: str, db: Path) -> None:
    index = open_index(db, OxigraphStore.open_read_only(db))
    assert index is not None
    q = fold(query)
    for least in (0.3, 0.5, 0.7, 0.9):
        reaching = index.shapes.reaching(q, least)
        if reaching is None:
            continue
        for number, name in enumerate(index.shapes.names):
            if index._bounds(q, least, [number]):  # this name's bound reaches ``least``
                assert number in reaching, (query, least, name)


@pytest.mark.parametrize("query", [*QUERIES, "norman stansfield", "leon montana", "tony"])
@pytest.mark.parametrize("limit", [1, 3, 5, 50])
def test_the_name_indexes_find_what_a_full_scan_finds(
    query: str, limit: int, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring the names sharing trigrams first, then only those whose bound may beat them,
    gives what bounding every name gives, and what scoring every entity gives."""
    index = open_index(db, OxigraphStore.open_read_only(db))
    assert index is not None
    for kwargs in (
        {},
        {"types": [str(LEON.Person)]},
        {"types": [str(LEON.Place), str(LEON.Film)]},
        {"properties": [(str(LEON.nickname), ["x"])]},
    ):
        fast = index.candidates(query, limit=limit, **kwargs)  # type: ignore[arg-type]
        with monkeypatch.context() as m:
            m.setattr(Index, "_near", lambda *_: None)
            bounded = index.candidates(query, limit=limit, **kwargs)  # type: ignore[arg-type]
            m.setattr(Index, "_bounds", lambda *_: None)
            full = index.candidates(query, limit=limit, **kwargs)  # type: ignore[arg-type]
        answers = [[(c.entity.id, c.score, c.exact) for c in cs] for cs in (fast, bounded, full)]
        assert answers[0] == answers[1] == answers[2], kwargs


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("limit", [1, 3, 50])
def test_scoring_in_bound_order_finds_what_a_full_scan_finds(
    query: str, limit: int, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = open_index(db, OxigraphStore.open_read_only(db))
    assert index is not None
    person = str(LEON.Person)
    for kwargs in ({}, {"types": [person]}, {"properties": [(str(LEON.nickname), ["x"])]}):
        fast = index.candidates(query, limit=limit, **kwargs)  # type: ignore[arg-type]
        with monkeypatch.context() as m:
            m.setattr(Index, "_bounds", lambda *_: None)
            full = index.candidates(query, limit=limit, **kwargs)  # type: ignore[arg-type]
        assert [(c.entity.id, c.score, c.exact) for c in fast] == [
            (c.entity.id, c.score, c.exact) for c in full
        ]
