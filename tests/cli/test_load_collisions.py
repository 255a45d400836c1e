"""``leongraph load``: a file whose graph (graph/<stem>) the store already holds stops the
load with a message naming the graph, unless ``--graph NAME``, ``--replace`` or ``--append``."""

from __future__ import annotations

from pathlib import Path

import pytest

from leongraph.cli.main import main
from leongraph.engine import OxigraphStore
from leongraph.vocab import GRAPH

LEON = str(GRAPH["leon"])


def _file(folder: Path, name: str, n: int, tag: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(
        "".join(f'<urn:x:{i}> <urn:p> "{tag} {i}" .\n' for i in range(n)), encoding="utf-8"
    )
    return path


def _sizes(store: Path) -> dict[str, int]:
    return OxigraphStore.open_read_only(store).graph_sizes()


def test_a_colliding_graph_stops_the_load_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    first = _file(tmp_path / "a", "leon.nt", 3, "old")
    assert main(["load", str(first), "--store", str(store)]) == 0
    again = _file(tmp_path / "b", "leon.nt", 2, "new")
    capsys.readouterr()
    assert main(["load", str(again), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert f"<{LEON}> already holds 3 triples" in err and str(again) in err
    assert "--graph NAME" in err and "--replace" in err and "--append" in err
    assert _sizes(store) == {LEON: 3}  # nothing written


def test_the_bundled_graph_collides_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = _file(tmp_path, "leon.nt", 2, "mine")
    assert main(["load", str(mine), "--bundled", "--store", str(tmp_path / "store")]) == 2
    assert f"<{LEON}>" in capsys.readouterr().err


def test_graph_replace_and_append(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert (
        main(["load", str(_file(tmp_path / "a", "leon.nt", 3, "old")), "--store", str(store)]) == 0
    )
    newer = _file(tmp_path / "b", "leon.nt", 2, "new")
    assert main(["load", str(newer), "--store", str(store), "--graph", "mine"]) == 0
    assert _sizes(store) == {LEON: 3, str(GRAPH["mine"]): 2}
    assert main(["load", str(newer), "--store", str(store), "--append"]) == 0
    assert _sizes(store) == {LEON: 5, str(GRAPH["mine"]): 2}
    assert main(["load", str(newer), "--store", str(store), "--replace"]) == 0
    assert _sizes(store) == {LEON: 2, str(GRAPH["mine"]): 2}
    union = OxigraphStore.open_read_only(store)
    rows = list(
        union.query('SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(STRSTARTS(?o, "old")) }').rows()
    )
    assert int(rows[0][0]) == 0  # the replaced triples left the union as well
