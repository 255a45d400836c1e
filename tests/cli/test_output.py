"""The CLI prints a table for a person at a terminal and JSON when piped; ``--format``
chooses. ``leongraph query`` piped (or with a --format) stays byte-identical to /sparql."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient

from leongraph.cli.main import main
from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.web.app import create_app

QUERY = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s LIMIT 3"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    def buffer(self) -> io.BytesIO:  # never written on a terminal in these tests
        raise AssertionError("bytes written to a terminal")


def on_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Standard output a terminal (set in the test itself: capture resets it between phases)."""
    out = Terminal()
    monkeypatch.setattr("sys.stdout", out)
    return out


def test_query_on_a_terminal_is_an_aligned_table(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    assert main(["query", QUERY]) == 0
    lines = terminal.getvalue().splitlines()
    assert lines[0].split() == ["s", "l"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].startswith("wd:P106 ")  # IRIs with their prefixes
    assert lines[-1] == "(3 rows)"
    assert lines[2].index(lines[2].split()[1]) == lines[0].index("l")  # columns aligned


def test_query_ask_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = on_terminal(monkeypatch)
    assert main(["query", "ASK { ?s ?p ?o }"]) == 0
    assert terminal.getvalue() == "true\n"


def test_query_piped_or_with_a_format_is_the_endpoint_bytes(
    oxigraph: Store, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    client = TestClient(create_app(Settings(), oxigraph))
    http = client.get("/sparql", params={"query": QUERY})
    assert main(["query", QUERY]) == 0
    assert capsysbinary.readouterr().out == http.content
    csv = client.get("/sparql", params={"query": QUERY, "format": "csv"})
    assert main(["query", QUERY, "--format", "csv"]) == 0
    assert capsysbinary.readouterr().out == csv.content


def test_query_format_table_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", QUERY, "--format", "table"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "(3 rows)"


@pytest.mark.parametrize("command", ["stats", "coverage", "links"])
def test_tables_on_a_terminal_json_when_piped(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main([command])
    piped = json.loads(capsys.readouterr().out)
    assert piped
    main([command, "--format", "json"])
    assert json.loads(capsys.readouterr().out) == piped
    out = on_terminal(monkeypatch)
    main([command])
    text = out.getvalue()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert {"stats": "triples (distinct", "coverage": "sentence  facts", "links": "Linked to"}[
        command
    ] in text
