"""The README's SPARQL endpoint section is executable: each query it shows runs and answers."""

from __future__ import annotations

import re

import pytest

from leongraph.config import PROJECT_ROOT


def _section() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## SPARQL endpoint")
    end = text.index("\n## ", start + 1)
    return text[start:end]


QUERIES = re.findall(r"'query=([^']+)'", _section())
SHELL = re.findall(r"leongraph query '([^']+)'", _section())
PIPED = re.findall(r"echo '([^']+)' \| \.venv/bin/leongraph query", _section())


def test_the_section_shows_queries() -> None:
    assert len(QUERIES) >= 4
    assert SHELL and PIPED


@pytest.mark.parametrize("query", QUERIES + SHELL + PIPED)
def test_readme_query_runs(client, query: str) -> None:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    if r.headers["content-type"].startswith("application/sparql-results+json"):
        doc = r.json()
        assert doc.get("boolean") is True or doc["results"]["bindings"]
    else:
        assert r.content.strip()


def test_readme_named_graph_example_uses_graphs_the_store_holds(client, store) -> None:
    graphs = re.findall(r"'named-graph-uri=([^']+)'", _section())
    assert graphs
    assert set(graphs) <= set(store.graph_sizes())
    for path in re.findall(r"@(queries/[\w.-]+\.rq)", _section()):
        assert (PROJECT_ROOT / path).is_file()
