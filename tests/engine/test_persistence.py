"""`leongraph load` builds an on-disk Oxigraph store that `serve --store` opens read-only."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import Dataset

from leongraph import formats
from leongraph.cli.main import main
from leongraph.config import ENGINES, Settings
from leongraph.engine import OxigraphStore, from_dataset, load_files
from leongraph.engine.oxigraph import META_FILE
from leongraph.errors import DataError
from leongraph.graph import open_store
from leongraph.vocab import GRAPH

TTL = b"""@prefix ex: <http://example.org/> .
ex:a ex:p "one" ; ex:q ex:b .
"""
NQ = b'<http://example.org/a> <http://example.org/p> "two" <http://example.org/g> .\n'


def test_bundled_store_equals_the_in_memory_graph(tmp_path: Path, dataset: Dataset) -> None:
    assert main(["load", "--bundled", "--store", str(tmp_path / "db")]) == 0
    on_disk = open_store(Settings(store_path=tmp_path / "db"))
    in_memory = from_dataset(dataset)
    assert on_disk.engine == "oxigraph"
    assert on_disk.graph_sizes() == in_memory.graph_sizes()
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    assert b"".join(on_disk.query(query).serialize(formats.JSON)) == b"".join(
        in_memory.query(query).serialize(formats.JSON)
    )


def test_triple_files_go_to_their_stem_graph(tmp_path: Path) -> None:
    (tmp_path / "people.ttl").write_bytes(TTL)
    (tmp_path / "more.nq").write_bytes(NQ)
    count = load_files(tmp_path / "db", [tmp_path / "people.ttl", tmp_path / "more.nq"])
    assert count == 3
    store = OxigraphStore.open_read_only(tmp_path / "db")
    assert store.graph_sizes() == {str(GRAPH["people"]): 2, "http://example.org/g": 1}


def test_open_read_only_is_fast(tmp_path: Path) -> None:
    (tmp_path / "x.nt").write_bytes(
        b"".join(b"<http://e/s%d> <http://e/p> <http://e/o%d> .\n" % (i, i) for i in range(20000))
    )
    load_files(tmp_path / "db", [tmp_path / "x.nt"])
    start = time.perf_counter()
    store = OxigraphStore.open_read_only(tmp_path / "db")
    assert time.perf_counter() - start < 1.0
    assert len(store) == 20000


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("bad.ttl", TTL + b"ex:c ex:p .\n", 3),
        ("bad.nq", NQ * 3 + b"<http://example.org/a> <http://example.org/p> .\n" + NQ, 4),
        (
            "bad.nt",
            b'<http://e/s> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> "x .\n',
            2,
        ),
    ],
)
def test_malformed_file_names_path_and_line(
    tmp_path: Path, name: str, data: bytes, line: int
) -> None:
    bad = tmp_path / name
    bad.write_bytes(data)
    with pytest.raises(DataError) as info:
        load_files(tmp_path / "db", [bad])
    assert info.value.path == str(bad)
    assert info.value.line == line


def test_unknown_extension_and_missing_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="unknown RDF format"):
        load_files(tmp_path / "db", [tmp_path / "notes.txt"])
    with pytest.raises(DataError, match="no such store"):
        OxigraphStore.open_read_only(tmp_path / "absent")


def test_cli_reports_errors_with_status_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["load", "--store", str(tmp_path / "db")]) == 2
    assert main(["load", str(tmp_path / "missing.ttl"), "--store", str(tmp_path / "db")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_on_disk_union_default_graph_is_a_set(tmp_path: Path) -> None:
    (tmp_path / "two.nq").write_bytes(NQ + NQ.replace(b"/g>", b"/h>"))
    (tmp_path / "people.ttl").write_bytes(TTL)
    load_files(tmp_path / "db", [tmp_path / "two.nq", tmp_path / "people.ttl"])
    store = OxigraphStore.open_read_only(tmp_path / "db")
    rows = store.query("SELECT ?o WHERE { <http://example.org/a> ?p ?o } ORDER BY ?o").rows()
    assert [str(r[0]) for r in rows] == ["http://example.org/b", "one", "two"]
    assert len(store) == 4


@pytest.mark.parametrize(
    "blank",
    [b"<http://example.org/c>", b"_:c"],  # without blank nodes written beside bulk_load
)
def test_union_is_the_set_of_named_graph_triples(tmp_path: Path, blank: bytes) -> None:
    """One triple in two graphs, one in a graph and the default graph, one only in the
    default graph: the stored default graph holds each once, and nothing else."""
    ex = b"<http://example.org/"
    lines = [
        ex + b"a> " + ex + b'p> "two" ' + ex + b"g> .",
        ex + b"a> " + ex + b'p> "two" ' + ex + b"h> .",
        blank + b" " + ex + b"q> " + ex + b"a> " + ex + b"g> .",
        blank + b" " + ex + b"q> " + ex + b"a> .",
        ex + b"d> " + ex + b"q> " + blank + b" .",
    ]
    (tmp_path / "x.nq").write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "y.nt").write_bytes(ex + b"e> " + ex + b"r> " + blank + b" .\n")
    assert load_files(tmp_path / "db", [tmp_path / "x.nq", tmp_path / "y.nt"]) == 4
    store = OxigraphStore.open_read_only(tmp_path / "db")
    everything = "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    rows = [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in store.query(everything).rows()]
    named = {r[:3] for r in rows if r[3] is not None}
    default = [r[:3] for r in rows if r[3] is None]
    assert len(default) == len(set(default)) == 4
    assert len(named) == 3
    only_default = {r for r in default if r[0] == "http://example.org/d"}
    assert set(default) == named | only_default and len(only_default) == 1


def _statistics_by_hand(store: OxigraphStore) -> dict[str, object]:
    """The statistics of the default graph counted in Python, from its triples."""
    triples = {tuple(map(str, r)) for r in store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").rows()}
    blank = {
        str(r[0]) for r in store.query("SELECT ?s WHERE { ?s ?p ?o FILTER isBlank(?s) }").rows()
    }
    count: Counter[str] = Counter(p for _, p, _ in triples)
    out: Counter[tuple[str, str]] = Counter((p, s) for s, p, _ in triples)
    inn: Counter[tuple[str, str]] = Counter((p, o) for _, p, o in triples)
    return {
        "triples": len(triples),
        "blank_subject_triples": sum(1 for s, _, _ in triples if s in blank),
        "predicates": {
            p: [
                n,
                max(v for (q, _), v in out.items() if q == p),
                max(v for (q, _), v in inn.items() if q == p),
            ]
            for p, n in sorted(count.items())
        },
    }


@pytest.mark.parametrize("subject", [b"<http://example.org/c>", b"_:c"])
def test_recorded_statistics_are_those_of_the_union(tmp_path: Path, subject: bytes) -> None:
    ex = b"<http://example.org/"
    quad = b"%s <http://example.org/p> <http://example.org/x%d> <http://example.org/g%d> ."
    lines = [quad % (subject, i % 3, i % 2) for i in range(12)]  # 3 triples in 2 graphs
    lines.append(quad % (ex + b"d>", 0, 0))
    (tmp_path / "x.nq").write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "y.nt").write_bytes(ex + b"e> " + ex + b"q> " + ex + b"x0> .\n")
    load_files(tmp_path / "db", [tmp_path / "x.nq", tmp_path / "y.nt"])
    recorded = json.loads((tmp_path / "db" / META_FILE).read_text())["statistics"]
    expected = _statistics_by_hand(OxigraphStore.open_read_only(tmp_path / "db"))
    assert recorded == expected
    assert recorded["triples"] == 5  # three of the twelve lines, d's and e's


def test_sizes_and_fingerprint_are_recorded_at_load_not_at_open(tmp_path: Path) -> None:
    (tmp_path / "people.ttl").write_bytes(TTL)
    load_files(tmp_path / "db", [tmp_path / "people.ttl"])
    recorded = json.loads((tmp_path / "db" / META_FILE).read_text())
    assert recorded["graph_sizes"] == {str(GRAPH["people"]): 2}
    first = recorded["fingerprint"]
    store = OxigraphStore.open_read_only(tmp_path / "db")
    assert store.fingerprint() == first
    (tmp_path / "db" / META_FILE).write_text(
        json.dumps({"graph_sizes": {"http://e/g": 7}, "fingerprint": "abc"})
    )
    reopened = OxigraphStore.open_read_only(tmp_path / "db")
    assert (reopened.graph_sizes(), reopened.fingerprint()) == ({"http://e/g": 7}, "abc")
    (tmp_path / "db" / META_FILE).unlink()  # a store loaded elsewhere: counted on demand
    bare = OxigraphStore.open_read_only(tmp_path / "db")
    assert bare.graph_sizes() == recorded["graph_sizes"]
    assert len(bare.fingerprint()) == 64


def test_fingerprint_follows_the_data(tmp_path: Path, dataset: Dataset) -> None:
    (tmp_path / "people.ttl").write_bytes(TTL)
    load_files(tmp_path / "a", [tmp_path / "people.ttl"])
    load_files(tmp_path / "b", [tmp_path / "people.ttl"])
    same = [OxigraphStore.open_read_only(tmp_path / d).fingerprint() for d in "ab"]
    assert same[0] == same[1]
    load_files(tmp_path / "b", [tmp_path / "people.ttl"], collisions="append")  # another state
    assert OxigraphStore.open_read_only(tmp_path / "b").fingerprint() != same[0]
    engines = {from_dataset(dataset, engine=e).fingerprint() for e in ENGINES}
    assert len(engines) == 1


def test_an_on_disk_store_serves_its_name_index_without_building_it(tmp_path: Path) -> None:
    """The reconciliation index reads every resource; an on-disk store (possibly huge) must
    start at once, so ``load`` stores the index and the server opens it in the background,
    /healthz saying when it is ready."""
    from fastapi.testclient import TestClient

    from leongraph.web.app import create_app

    assert main(["load", "--bundled", "--store", str(tmp_path / "db")]) == 0
    settings = Settings(store_path=tmp_path / "db", workers=0)
    app = create_app(settings, open_store(settings))
    with TestClient(app) as client:
        deadline = time.monotonic() + 30
        while client.get("/healthz").json()["reconciliation_index"] != "ready":
            assert time.monotonic() < deadline, "the name index never became ready"
            time.sleep(0.05)
        r = client.get("/reconcile/suggest/entity", params={"prefix": "Mathil"})
        assert r.status_code == 200
        assert "Mathilda" in r.text


@pytest.mark.parametrize(
    ("name", "node", "calls"),
    [
        # Written beside bulk_load: only the union goes through bulk_extend.
        ("x.nt", b"<http://e/s%d>", [500, 1000, 1000]),
        # Blank nodes: the named graph too, parsed apart (both keep the labels).
        ("x.nt", b"_:s%d", [500, 500, 1000, 1000, 1000, 1000]),
        # Turtle: read once, each triple in its graph and in the union.
        ("x.ttl", b"<http://e/s%d>", [1000] * 5),
    ],
)
def test_quads_go_to_the_bulk_loader_in_bounded_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, node: bytes, calls: list[int]
) -> None:
    """The loader's memory grows with the quads of one call: no call gets more than its batch."""
    from leongraph.engine import persistence

    (tmp_path / name).write_bytes(
        b"".join(node % i + b" <http://e/p> <http://e/o%d> .\n" % i for i in range(2500))
    )
    monkeypatch.setattr(persistence, "BATCH", 1000)
    monkeypatch.setattr(persistence, "UNION_BATCH", 1000)
    seen: list[int] = []
    real_store = persistence.ox.Store

    class Counting:
        def __init__(self, path: str) -> None:
            self._store = real_store(path)

        def bulk_extend(self, quads: Iterable[object]) -> None:
            batch = list(quads)
            seen.append(len(batch))
            self._store.bulk_extend(batch)

        def __getattr__(self, name: str) -> object:
            return getattr(self._store, name)

    monkeypatch.setattr(persistence.ox, "Store", Counting)
    assert load_files(tmp_path / "db", [tmp_path / name]) == 2500
    assert sorted(seen) == calls
    monkeypatch.undo()
    store = OxigraphStore.open_read_only(tmp_path / "db")
    assert len(store) == 2500
    union = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()
    assert [int(r[0]) for r in union] == [2500]
