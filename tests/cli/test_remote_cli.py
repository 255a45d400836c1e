"""The command line over a remote engine (``--store URL``): the same bytes as over HTTP, and
``leongraph load`` into the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EngineServer, engine_server
from fastapi.testclient import TestClient
from support import free_port

from leongraph.cli.main import main
from leongraph.config import Settings
from leongraph.engine import RemoteStore, Store
from leongraph.web.app import create_app
from leongraph.wikidata.quickstatements import build


def test_query_prints_the_endpoint_bytes(
    oxigraph_server: EngineServer, remote_store: Store, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    query = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 25"
    with TestClient(create_app(Settings(engine="remote"), remote_store)) as c:
        http = c.get("/sparql", params={"query": query, "format": "tsv"})
    assert http.status_code == 200
    assert main(["query", query, "--format", "tsv", "--store", oxigraph_server.query]) == 0
    assert capsysbinary.readouterr().out == http.content


def test_quickstatements_and_links_over_the_engine(
    oxigraph_server: EngineServer, remote_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quickstatements", "--store", oxigraph_server.query]) == 0
    assert capsys.readouterr().out == build(remote_store).text()
    assert main(["links", "--store", oxigraph_server.query, "--format", "table"]) == 0
    assert "wd:Q484675 [verified]" in capsys.readouterr().out


def test_load_files_into_the_engine_in_batches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "films.ttl"
    data.write_text(
        "".join(f'<urn:film:{i}> <urn:title> "Film {i}" .\n' for i in range(25)), encoding="utf-8"
    )
    for server in engine_server(tmp_path / "engine"):
        argv = ["load", str(data), "--store", server.query, "--store-update", server.update]
        assert main([*argv, "--batch", "10", "--progress"]) == 0
        err = capsys.readouterr().err
        assert "25 quads written" in err  # the total
        assert "writing: " in err and "\r" in err and "25/s" not in err  # the tqdm bar
        store = RemoteStore.open(server.query, server.update)
        assert store.graph_sizes() == {"https://w3id.org/leongraph/graph/films": 25}
        assert main(["query", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "--format", "csv",
                     "--store", server.query]) == 0  # fmt: skip
        assert capsys.readouterr().out.split() == ["n", "25"]  # the union, once each
        assert main(argv) == 2  # graph/films is there already: stop, and say so
        assert "graph/films> already holds 25 triples" in capsys.readouterr().err
        assert main([*argv, "--append"]) == 0
        assert main([*argv, "--graph", "films-2"]) == 0
        assert set(RemoteStore.open(server.query, server.update).graph_sizes()) == {
            "https://w3id.org/leongraph/graph/films",
            "https://w3id.org/leongraph/graph/films-2",
        }


def test_start_fails_fast_on_an_unreachable_engine(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    assert main(["links", "--store", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and url in err and "cannot be reached" in err
