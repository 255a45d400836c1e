"""Resource pages: one row per fact with its aligned forms as tags, the query page's header and
stylesheet, the resource's own triples first in its RDF, and no generated prefix anywhere."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph

from leongraph.formats import RdfFormat

HTML = {"Accept": "text/html"}


def _rows(page: str, table: str) -> list[str]:
    """The rows of a property table, as their text."""
    start = page.index(f'<table class="{table}">')
    body = page[start : page.index("</table>", start)]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr>")[1:]]


def test_one_row_per_fact_with_the_aligned_properties_as_tags(client: TestClient) -> None:
    page = client.get("/resource/mathilda", headers=HTML).text
    rows = _rows(page, "properties")
    father = [r for r in rows if r.startswith("father ")]
    assert len(father) == 1
    assert "schema:parent" in father[0] and "wdt:P22" in father[0]
    heads = [r.split(" ")[0] for r in rows]
    assert "parent" not in heads and "wdt:P22" not in " ".join(heads)
    assert not any(r.startswith(("parent ", "P22")) for r in rows)
    assert 'class="tag"' in page
    played = next(r for r in rows if r.startswith("played by "))
    assert "wdt:P175 wd:Q37876" in played  # the value under its Wikidata item


def test_what_links_here_is_grouped_too(client: TestClient) -> None:
    page = client.get("/resource/mathildas-father", headers=HTML).text
    incoming = _rows(page, "incoming")
    assert len([r for r in incoming if r.startswith("← father ")]) == 1
    assert not any(r.startswith(("← parent ", "← P22 ")) for r in incoming)


def _nav(page: str) -> list[str]:
    header = page[page.index('<header class="site">') : page.index("</header>")]
    return re.findall(r'href="([^"]+)"', header)


def test_the_same_header_and_style_as_the_query_page(client: TestClient) -> None:
    query_page = client.get("/", headers=HTML).text
    for path in ("/resource/mathilda", "/ontology", "/graph/leon", "/sentence/12"):
        page = client.get(path, headers=HTML).text
        assert set(_nav(query_page)) <= set(_nav(page)), path
        assert 'class="logo"' in page and 'class="tagline"' in page
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert css and css.group(1).startswith("/static/query.css?v="), path
        assert client.get(css.group(1)).status_code == 200


def test_a_resources_own_triples_come_first(client: TestClient) -> None:
    ttl = client.get("/resource/mathilda.ttl").text
    body = [line for line in ttl.splitlines() if line and not line.startswith("@prefix")]
    assert body[0].startswith("res:mathilda ")
    nt = client.get("/resource/mathilda.nt").text.splitlines()
    assert nt[0].startswith("<https://w3id.org/leongraph/resource/mathilda> ")
    assert set(Graph().parse(data=ttl, format="turtle")) == set(
        Graph().parse(data="\n".join(nt), format="nt")
    )
    trig = client.get("/resource/mathilda.trig").text
    nq = client.get("/resource/mathilda.nq").text
    assert set(Dataset().parse(data=trig, format="trig").quads()) == set(
        Dataset().parse(data=nq, format="nquads").quads()
    )


@pytest.mark.parametrize("fmt", [f for f in RdfFormat.all() if f.name in ("ttl", "trig", "rdf")])
@pytest.mark.parametrize("path", ["/sentence/12", "/resource/mathilda", "/graph/sentences"])
def test_no_generated_prefixes(client: TestClient, fmt: RdfFormat, path: str) -> None:
    text = client.get(f"{path}.{fmt.extension}").text
    assert not re.search(r"\bns\d+:", text), text[:400]


def test_the_sentences_nif_terms_have_their_prefix(client: TestClient) -> None:
    trig = client.get("/sentence/12.trig").text
    assert "@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>" in trig
    context = client.get("/context.jsonld").json()["@context"]
    assert context["nif"].endswith("nif-core#")
