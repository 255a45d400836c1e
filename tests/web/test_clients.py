"""The clients people already use work with their defaults, against a real server on loopback:
SPARQLWrapper (which sends ``format=``, ``output=`` and ``results=`` beside ``Accept``, some
twice) through every return format and query form, GET and POST; rdflib's SPARQLStore; and the
``/query`` and ``/update`` paths of Fuseki and Oxigraph."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from support import serving_in_thread

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.vocab import BASE
from leongraph.web.app import create_app

pytestmark = pytest.mark.slow

MATHILDA = BASE + "resource/mathilda"
SELECT = f"SELECT ?p ?o WHERE {{ <{MATHILDA}> ?p ?o }} LIMIT 5"
ASK = f"ASK {{ <{MATHILDA}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{MATHILDA}> ?p ?o }} WHERE {{ <{MATHILDA}> ?p ?o }} LIMIT 5"
DESCRIBE = f"DESCRIBE <{MATHILDA}>"
RESULTS_FORMATS = [XML, JSON, CSV, TSV]
GRAPH_FORMATS = [XML, RDFXML, RDF, TURTLE, N3, JSONLD, JSON]


@pytest.fixture(scope="module")
def url(store: Store) -> Iterator[str]:
    """A real uvicorn server for the bundled graph, on a loopback port the system picks."""
    settings = Settings(engine=store.engine, workers=0)
    with serving_in_thread(create_app(settings, store)) as served:
        yield served


def _run(endpoint: str, query: str, fmt: str, method: str) -> object:
    client = SPARQLWrapper(endpoint)  # every other setting left at its default
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    with warnings.catch_warnings():
        # SPARQLWrapper's own note that it sends Accept: */* for some pairs (JSON or RDF with
        # a CONSTRUCT); any other warning (an unexpected content type) still fails the test.
        warnings.filterwarnings("ignore", "Sending Accept header", RuntimeWarning)
        return client.queryAndConvert()


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", RESULTS_FORMATS)
def test_sparqlwrapper_select_and_ask(url: str, fmt: str, method: str) -> None:
    rows = _run(f"{url}/sparql", SELECT, fmt, method)
    ask = _run(f"{url}/sparql", ASK, fmt, method)
    if fmt == JSON:
        assert len(rows["results"]["bindings"]) == 5  # type: ignore[index]
        assert ask["boolean"] is True  # type: ignore[index]
    elif fmt == XML:
        assert len(rows.getElementsByTagName("result")) == 5  # type: ignore[attr-defined]
        assert ask.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[attr-defined]
    else:
        lines = rows.decode().strip().splitlines()  # type: ignore[attr-defined]
        assert len(lines) == 6  # the header and five rows
        assert "true" in ask.decode().lower()  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_sparqlwrapper_construct_and_describe(url: str, fmt: str, query: str, method: str) -> None:
    answer = _run(f"{url}/sparql", query, fmt, method)
    if isinstance(answer, Graph):
        graph = answer
    elif isinstance(answer, bytes):
        graph = Graph().parse(data=answer, format="turtle")
    else:  # JSON: the JSON-LD document, parsed by the json module
        graph = Graph().parse(data=__import__("json").dumps(answer), format="json-ld")
    assert len(graph) >= 5
    assert all(s == URIRef(MATHILDA) for s in graph.subjects(unique=True)) or query == DESCRIBE


@pytest.mark.parametrize("path", ["/query", "/sparql"])
def test_sparqlwrapper_at_fuseki_and_oxigraph_paths(url: str, path: str) -> None:
    answer = _run(f"{url}{path}", ASK, JSON, GET)
    assert answer["boolean"] is True  # type: ignore[index]


def test_rdflib_sparqlstore(url: str) -> None:
    graph = Graph(SPARQLStore(f"{url}/query"))
    rows = list(graph.query(SELECT))
    assert len(rows) == 5
    labels = list(
        graph.objects(URIRef(MATHILDA), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    )
    assert Literal("Mathilda", lang="en") in labels
