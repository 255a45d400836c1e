"""``leongraph query`` prints exactly the bytes ``GET /sparql`` sends, on both engines."""

from __future__ import annotations

import json

import pytest

from leongraph.cli.main import main

QUERIES = [
    ("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 25", "json"),
    ("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 25", "tsv"),
    ("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 25", "xml"),
    ("ASK { ?s a leon:Film }", "csv"),
    ("CONSTRUCT { ?s a leon:Film } WHERE { ?s a leon:Film }", "nt"),
]


@pytest.mark.parametrize(("query", "fmt"), QUERIES)
def test_cli_prints_the_endpoint_bytes(client, store, capsysbinary, query: str, fmt: str) -> None:
    http = client.get("/sparql", params={"query": query, "format": fmt})
    assert http.status_code == 200
    assert main(["query", query, "--format", fmt, "--engine", store.engine]) == 0
    out = capsysbinary.readouterr().out
    assert out
    assert out == http.content


def test_cli_reads_a_file_and_reports_errors(tmp_path, capsys) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert main(["query", "--file", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"head": {}, "boolean": True}
    assert main(["query", "SELECT * WHERE { ?s ?p"]) == 2
    assert "line 1, column 23" in capsys.readouterr().err
    assert main(["query", "SELECT * { SERVICE <http://127.0.0.1:9/> {} }"]) == 2
    assert "refused" in capsys.readouterr().err
    assert main(["query", "ASK {}", "--format", "pdf"]) == 2
    assert "Unknown format" in capsys.readouterr().err


def test_cli_max_rows_is_reported(capsysbinary) -> None:
    assert main(["query", "SELECT * { ?s ?p ?o }", "--format", "csv", "--max-rows", "2"]) == 0
    captured = capsysbinary.readouterr()
    assert captured.out.count(b"\r\n") == 3
    assert b"cut at 2 rows" in captured.err
