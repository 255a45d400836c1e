"""The reconciliation index `leongraph load` writes beside an on-disk store: opened with the
store, never used once the data it was read from has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from leongraph.cli.main import main
from leongraph.config import Settings
from leongraph.engine import OxigraphStore
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
    (tmp_path / INDEX_FILE).write_bytes(b"not a pickle")
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
