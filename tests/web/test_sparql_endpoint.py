"""The SPARQL 1.1 Protocol, after the W3C protocol test suite (test names in the docstrings),
against the real app on both engines. Every body is parsed (json, csv, rdflib), never matched as
a string; expected values come from the store the app serves."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

from leongraph.config import Settings
from leongraph.edits.tokens import TokenFile
from leongraph.engine import Store, from_dataset
from leongraph.vocab import ONTOLOGY_GRAPH
from leongraph.web.app import create_app

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
# DISTINCT: Oxigraph does not remove duplicates when it merges graphs into the default graph
# (a triple held by two graphs is matched twice); rdflib does, as RDF merge says. Counting
# distinct triples gives the same answer on both.
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RDF_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}


@contextmanager
def app_client(store: Store, **overrides: object) -> Iterator[TestClient]:
    settings = Settings(engine=store.engine).replace(**overrides)
    with TestClient(create_app(settings, store)) as c:
        yield c


def two_graphs(store: Store) -> tuple[str, str]:
    """The ontology graph and the largest other graph the store holds."""
    sizes = store.graph_sizes()
    other = max((g for g in sizes if g != str(ONTOLOGY_GRAPH)), key=lambda g: sizes[g])
    return str(ONTOLOGY_GRAPH), other


def triples_of(store: Store, *graphs: str) -> set[tuple[object, object, object]]:
    return {(s, p, o) for g in graphs for s, p, o, _ in store.quads(g)}


def count_of(response) -> int:
    assert response.status_code == 200, response.text
    (binding,) = response.json()["results"]["bindings"]
    return int(binding["n"]["value"])


def column(response, name: str) -> set[str]:
    assert response.status_code == 200, response.text
    return {b[name]["value"] for b in response.json()["results"]["bindings"] if name in b}


def assert_error(response, status: int) -> dict[str, object]:
    """The one error body, with the status repeated inside it."""
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["message"], str) and body["message"]
    return body


# ---------------------------------------------------------------- the three ways to query


def test_query_get(client) -> None:
    """query-get"""
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json() == {"head": {}, "boolean": True}


def test_query_post_form(client) -> None:
    """query-post-form"""
    r = client.post("/sparql", data={"query": "ASK { ?s a <urn:nothing> }"})
    assert r.status_code == 200
    assert r.json()["boolean"] is False


def test_query_post_direct(client) -> None:
    """query-post-direct"""
    r = client.post("/sparql", content=b"ASK { ?s ?p ?o }", headers=DIRECT)
    assert r.status_code == 200
    assert r.json()["boolean"] is True


def test_query_post_direct_with_charset(client) -> None:
    headers = {"Content-Type": "application/sparql-query; charset=UTF-8"}
    r = client.post("/sparql", content="ASK { ?s ?p 'Léon' }".encode(), headers=headers)
    assert r.status_code == 200
    assert isinstance(r.json()["boolean"], bool)


def test_three_ways_give_the_same_bytes(client) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 20"
    get = client.get("/sparql", params={"query": query})
    form = client.post("/sparql", data={"query": query})
    direct = client.post("/sparql", content=query.encode(), headers=DIRECT)
    assert get.status_code == 200
    assert len(get.json()["results"]["bindings"]) == 20
    assert get.content == form.content == direct.content


def test_head_answers_headers_only(client) -> None:
    r = client.head("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.content == b""


def test_options_lists_methods(client) -> None:
    r = client.options("/sparql")
    assert r.status_code == 204
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}


# ---------------------------------------------------------------- dataset


def test_dataset_default_graph(client, store: Store) -> None:
    """query-dataset-default-graph: the default graph is exactly the one named."""
    ontology, _ = two_graphs(store)
    expected = len(triples_of(store, ontology))
    params = {"query": COUNT, "default-graph-uri": ontology}
    assert count_of(client.get("/sparql", params=params)) == expected
    assert count_of(client.post("/sparql", data=params)) == expected
    direct = client.post(
        "/sparql", params={"default-graph-uri": ontology}, content=COUNT.encode(), headers=DIRECT
    )
    assert count_of(direct) == expected


def test_dataset_default_graphs_are_merged(client, store: Store) -> None:
    """query-dataset-default-graphs-get / -post: two default-graph-uri, one merged graph."""
    a, b = two_graphs(store)
    params = [("query", COUNT), ("default-graph-uri", a), ("default-graph-uri", b)]
    expected = len(triples_of(store, a, b))
    assert count_of(client.get("/sparql", params=params)) == expected
    form = client.post("/sparql", data={"query": COUNT, "default-graph-uri": [a, b]})
    assert count_of(form) == expected


def test_dataset_named_graphs(client, store: Store) -> None:
    """query-dataset-named-graphs-get / -post: only the named graphs given, and an empty
    default graph."""
    a, b = two_graphs(store)
    params = [("query", GRAPHS), ("named-graph-uri", a), ("named-graph-uri", b)]
    assert column(client.get("/sparql", params=params), "g") == {a, b}
    count = [("query", COUNT), ("named-graph-uri", a)]
    assert count_of(client.get("/sparql", params=count)) == 0


def test_dataset_full(client, store: Store) -> None:
    """query-dataset-full: default and named graphs together."""
    a, b = two_graphs(store)
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o BIND('default' AS ?g) } "
        "UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g"
    )
    r = client.get("/sparql", params={"query": query, "default-graph-uri": a, "named-graph-uri": b})
    assert r.status_code == 200
    counts = {x["g"]["value"]: int(x["n"]["value"]) for x in r.json()["results"]["bindings"]}
    assert counts == {"default": len(triples_of(store, a)), b: len(triples_of(store, b))}


def test_query_multiple_dataset(client, store: Store) -> None:
    """query-multiple-dataset: protocol parameters replace the query's FROM clauses."""
    a, b = two_graphs(store)
    query = f"SELECT (COUNT(*) AS ?n) FROM <{a}> WHERE {{ SELECT DISTINCT * {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": query, "default-graph-uri": b})
    assert count_of(r) == len(triples_of(store, b))
    named = f"SELECT DISTINCT ?g FROM NAMED <{a}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": named, "named-graph-uri": b})
    assert column(r, "g") == {b}


def test_from_clauses_apply_without_protocol_dataset(client, store: Store) -> None:
    a, b = two_graphs(store)
    query = f"SELECT (COUNT(*) AS ?n) FROM <{a}> FROM <{b}> {{ SELECT DISTINCT * {{ ?s ?p ?o }} }}"
    assert count_of(client.get("/sparql", params={"query": query})) == len(triples_of(store, a, b))
    named = (
        f"PREFIX g: <{a.rsplit('/', 1)[0]}/> SELECT DISTINCT ?g FROM NAMED g:{a.rsplit('/', 1)[1]} "
    )
    named += "WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert column(client.get("/sparql", params={"query": named}), "g") == {a}


def test_default_dataset_is_the_union(client, store: Store) -> None:
    everything = {(s, p, o) for s, p, o, _ in store.quads()}
    assert count_of(client.get("/sparql", params={"query": COUNT})) == len(everything)
    assert column(client.get("/sparql", params={"query": GRAPHS}), "g") == set(store.graph_sizes())


def test_graph_the_server_does_not_hold_is_empty(client) -> None:
    for param in ("default-graph-uri", "named-graph-uri"):
        r = client.get("/sparql", params={"query": COUNT, param: "http://example.org/nowhere"})
        assert count_of(r) == 0
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) FROM <urn:x> { ?s ?p ?o }"})
    assert count_of(r) == 0


def test_graph_parameter_must_be_an_iri(client) -> None:
    r = client.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert_error(r, 400)


# ---------------------------------------------------------------- content types


def _rows(result: Result) -> set[tuple[str, ...]]:
    return {tuple(str(v) if v is not None else "" for v in row) for row in result}


@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
def test_query_content_type_select(client, fmt: str) -> None:
    """query-content-type-select: every results format, by Accept, parsed."""
    query = "SELECT DISTINCT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 15"
    reference = client.get("/sparql", params={"query": query, "format": "json"}).json()
    expected = {(b["s"]["value"], b["label"]["value"]) for b in reference["results"]["bindings"]}
    assert len(reference["results"]["bindings"]) == 15
    r = client.get("/sparql", params={"query": query}, headers={"Accept": RESULT_TYPES[fmt]})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == RESULT_TYPES[fmt]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["s", "label"]
        assert {tuple(row) for row in rows[1:]} == expected
    else:
        parsed = Result.parse(io.BytesIO(r.content), format=fmt)
        assert [str(v) for v in parsed.vars] == ["s", "label"]
        assert _rows(parsed) == expected


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_query_content_type_ask(client, fmt: str) -> None:
    """query-content-type-ask"""
    r = client.get(
        "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": RESULT_TYPES[fmt]}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == RESULT_TYPES[fmt]
    assert Result.parse(io.BytesIO(r.content), format=fmt).askAnswer is True


def _parse_graph(content: bytes, fmt: str) -> Graph:
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=content, format=fmt)
        assert {str(g.identifier) for g in ds.graphs() if len(g)} <= {
            str(ds.default_graph.identifier)
        }, "a graph answer is serialised as the default graph"
        g = Graph()
        for s, p, o, _ in ds.quads():
            g.add((s, p, o))
        return g
    return Graph().parse(data=content, format=fmt)


@pytest.mark.parametrize("fmt", list(RDF_TYPES))
@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }",
        "DESCRIBE <https://w3id.org/leongraph/resource/leon>",
    ],
    ids=["construct", "describe"],
)
def test_query_content_type_construct_describe(client, query: str, fmt: str) -> None:
    """query-content-type-construct, query-content-type-describe: every RDF format, parsed,
    isomorphic to the N-Triples answer."""
    reference = client.get("/sparql", params={"query": query, "format": "nt"})
    assert reference.status_code == 200
    expected = Graph().parse(data=reference.content, format="nt")
    if "CONSTRUCT" in query:
        assert len(expected) > 0
    r = client.get("/sparql", params={"query": query}, headers={"Accept": RDF_TYPES[fmt]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == RDF_TYPES[fmt]
    assert isomorphic(_parse_graph(r.content, fmt), expected)


def test_construct_defaults_to_turtle_and_select_to_json(client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    short = "CONSTRUCT WHERE { ?s a leon:Film ; rdfs:label ?l }"
    r = client.get("/sparql", params={"query": short})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/turtle")
    long = "CONSTRUCT { ?s a leon:Film ; rdfs:label ?l } WHERE { ?s a leon:Film ; rdfs:label ?l }"
    expected = client.get("/sparql", params={"query": long})
    graph = Graph().parse(data=r.content, format="turtle")
    assert len(graph) > 1
    assert isomorphic(graph, Graph().parse(data=expected.content, format="turtle"))


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("srj", "application/sparql-results+json"),
    ],
)
def test_format_parameter_overrides_accept(client, fmt: str, media_type: str) -> None:
    r = client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 2", "format": fmt},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("json", "application/ld+json"),
        ("xml", "application/rdf+xml"),
        ("nq", "application/n-quads"),
    ],
)
def test_format_parameter_for_graphs(client, fmt: str, media_type: str) -> None:
    query = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c }"
    r = client.get("/sparql", params={"query": query, "format": fmt})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type


def test_unknown_format_is_400(client) -> None:
    body = assert_error(client.get("/sparql", params={"query": "ASK {}", "format": "pdf"}), 400)
    assert "ttl" in body["formats"] and "json" in body["formats"]


def test_wrong_family_format_is_406(client) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT {?s ?p ?o} {?s ?p ?o}", "format": "csv"})
    assert_error(r, 406)
    r = client.get("/sparql", params={"query": "SELECT * {}", "format": "ttl"})
    assert_error(r, 406)


def test_not_acceptable_lists_offered_types(client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * {}"}, headers={"Accept": "image/png"})
    body = assert_error(r, 406)
    assert set(body["offered"]) == set(RESULT_TYPES.values())
    r = client.get("/sparql", params={"query": "DESCRIBE <urn:x>"}, headers={"Accept": "text/csv"})
    body = assert_error(r, 406)
    assert set(body["offered"]) == set(RDF_TYPES.values())


# ---------------------------------------------------------------- bad requests


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_bad_query_method(client, method: str) -> None:
    """bad-query-method"""
    r = client.request(method, "/sparql", params={"query": "ASK {}"})
    body = assert_error(r, 405)
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert body["allow"] == ["GET", "HEAD", "POST", "OPTIONS"]


def test_bad_multiple_queries(client) -> None:
    """bad-multiple-queries"""
    assert_error(client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]), 400)
    assert_error(
        client.post("/sparql", content=b"query=ASK%7B%7D&query=ASK%7B%7D", headers=FORM), 400
    )
    r = client.post("/sparql", params={"query": "ASK {}"}, content=b"ASK {}", headers=DIRECT)
    assert_error(r, 400)


def test_bad_query_and_update_together(client) -> None:
    r = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert_error(r, 400)


def test_bad_missing_query(client) -> None:
    assert_error(client.post("/sparql", data={"default-graph-uri": "urn:x"}), 400)
    assert_error(client.get("/sparql", params={"default-graph-uri": "urn:x"}), 400)
    assert_error(client.post("/sparql", content=b"", headers=FORM), 400)


def test_bad_query_wrong_media_type(client) -> None:
    """bad-query-wrong-media-type"""
    r = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    body = assert_error(r, 415)
    assert "application/sparql-query" in body["accepted"]


def test_bad_query_missing_form_type(client) -> None:
    """bad-query-missing-form-type"""
    assert_error(client.post("/sparql", content=b"query=ASK%20%7B%7D"), 415)


def test_bad_query_missing_direct_type(client) -> None:
    """bad-query-missing-direct-type"""
    assert_error(client.post("/sparql", content=b"ASK {}"), 415)


def test_bad_query_non_utf8(client) -> None:
    """bad-query-non-utf8: a UTF-16 body, and a percent-encoded byte that is not UTF-8."""
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    assert_error(client.post("/sparql", content="ASK {}".encode("utf-16"), headers=headers), 400)
    assert_error(client.get("/sparql?query=ASK%20%7B%FF%7D"), 400)
    assert_error(client.post("/sparql", content=b"query=ASK%FE", headers=FORM), 400)


@pytest.mark.parametrize(
    ("query", "line", "column"),
    [
        ("SELECT * WHERE { ?s ?p ?o ", 1, None),
        ("SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER(\n}", 5, None),
    ],
)
def test_bad_query_syntax(client, query: str, line: int, column: None) -> None:
    """bad-query-syntax: 400 with the parser's line, column and message, on both engines."""
    body = assert_error(client.get("/sparql", params={"query": query}), 400)
    assert body["title"] == "Query syntax error"
    assert isinstance(body["line"], int) and isinstance(body["column"], int)
    assert body["line"] >= line - 1 and body["column"] >= 1


def test_bad_update_get(client) -> None:
    """bad-update-get"""
    assert_error(client.get("/sparql", params={"update": "CLEAR ALL"}), 400)


def test_bad_multiple_updates(client) -> None:
    """bad-multiple-updates"""
    r = client.post("/sparql", content=b"update=CLEAR+ALL&update=CLEAR+ALL", headers=FORM)
    assert_error(r, 400)


def test_bad_update_missing_form_type(client) -> None:
    """bad-update-missing-form-type"""
    assert_error(client.post("/sparql", content=b"update=CLEAR%20ALL"), 415)


def test_bad_update_wrong_media_type(client) -> None:
    """bad-update-wrong-media-type"""
    r = client.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "text/plain"})
    assert_error(r, 415)


def test_bad_update_non_utf8(client) -> None:
    """bad-update-non-utf8"""
    headers = {"Content-Type": "application/sparql-update; charset=UTF-16"}
    assert_error(client.post("/sparql", content="CLEAR ALL".encode("utf-16"), headers=headers), 400)


def test_updates_are_forbidden_by_default(client) -> None:
    assert_error(client.post("/sparql", data={"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}), 403)
    headers = {"Content-Type": "application/sparql-update"}
    assert_error(client.post("/sparql", content=b"CLEAR ALL", headers=headers), 403)


def test_load_is_forbidden_even_with_updates_allowed(store: Store) -> None:
    with app_client(store, allow_updates=True) as c:
        r = c.post("/sparql", data={"update": "LOAD <http://example.org/data.ttl>"})
        assert "LOAD" in assert_error(r, 403)["message"]
        r = c.post("/sparql", data={"update": "INSERT { ?s ?p ?o } WHERE { SERVICE <urn:x> {} }"})
        assert_error(r, 400)


def test_an_update_sent_as_query_is_400(client) -> None:
    body = assert_error(client.get("/sparql", params={"query": "DROP ALL"}), 400)
    assert "update" in body["message"]


def test_service_is_refused_with_position(client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * {\n  SERVICE <urn:x> { ?s ?p ?o } }"})
    body = assert_error(r, 400)
    assert (body["line"], body["column"]) == (2, 3)


def test_body_and_query_size_limits(store: Store) -> None:
    with app_client(store, max_body_bytes=200, max_query_length=50) as c:
        big = "ASK { " + "?s ?p ?o . " * 30 + "}"
        assert_error(c.post("/sparql", content=big.encode(), headers=DIRECT), 413)
        assert_error(c.get("/sparql", params={"query": "ASK { ?s ?p ?o . " + " " * 60 + "}"}), 413)
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_errors_can_be_plain_text(client) -> None:
    accept = {"Accept": "text/plain, */*;q=0.1"}
    r = client.get("/sparql", params={"query": "SELECT"}, headers=accept)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("400 Query syntax error: ")
    r = client.get("/sparql", params={"query": "SELECT * {}"}, headers={"Accept": "text/plain"})
    assert r.status_code == 406
    assert r.text.startswith("406 ")


# ---------------------------------------------------------------- row cap


def test_truncation_is_visible(store: Store) -> None:
    with app_client(store, max_rows=3) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.status_code == 200
        assert r.headers["x-leongraph-truncated"] == "true"
        doc = r.json()
        assert len(doc["results"]["bindings"]) == 3
        assert doc["leongraph"] == {"truncated": True, "max_rows": 3}
        assert Result.parse(io.BytesIO(r.content), format="json").bindings
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "format": "csv"})
        assert r.headers["x-leongraph-truncated"] == "true"
        assert len(list(csv.reader(io.StringIO(r.text)))) == 4
        r = c.get(
            "/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", "format": "nt"}
        )
        assert r.headers["x-leongraph-truncated"] == "true"
        assert len(Graph().parse(data=r.content, format="nt")) == 3
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
        assert "x-leongraph-truncated" not in r.headers
        assert "leongraph" not in r.json()


# ---------------------------------------------------------------- service description


def test_service_description(client, store: Store) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    (service,) = g.subjects(SD.endpoint, None)
    assert str(service).endswith("/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.feature, SD.BasicFederatedQuery) not in g
    assert len(set(g.objects(service, SD.resultFormat))) == 10
    sizes = {
        str(g.value(named, SD.name)): int(g.value(g.value(named, SD.graph), VOID.triples))
        for named in g.subjects(None, SD.NamedGraph)
    }
    assert sizes == store.graph_sizes()


@pytest.mark.parametrize(
    ("accept", "fmt"), [("application/ld+json", "json-ld"), ("application/n-triples", "nt")]
)
def test_service_description_negotiated(client, accept: str, fmt: str) -> None:
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.headers["content-type"].split(";")[0] == accept
    g = Graph().parse(data=r.content, format=fmt)
    assert (None, SD.endpoint, None) in g
    r = client.get("/sparql", params={"format": "nt"})
    assert (None, SD.endpoint, None) in Graph().parse(data=r.content, format="nt")
    r = client.get("/sparql", params={"format": "json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert (None, SD.endpoint, None) in Graph().parse(data=r.content, format="json-ld")
    assert_error(client.get("/sparql", params={"format": "csv"}), 406)
    assert_error(client.get("/sparql", params={"format": "pdf"}), 400)


def test_browser_gets_the_query_page(client) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------- CORS and gzip


def test_cors(client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://a.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.get("/sparql", params={"query": "ASK {"}, headers={"Origin": "https://a.example"})
    assert r.status_code == 400
    assert r.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_gzip_for_large_answers(client) -> None:
    r = client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 200"},
        headers={"Accept-Encoding": "gzip"},
    )
    assert r.headers["content-encoding"] == "gzip"
    assert len(r.json()["results"]["bindings"]) == 200
    small = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_label_service_is_rewritten_not_called(client) -> None:
    query = (
        "SELECT ?film ?filmLabel WHERE { ?film a leon:Film . "
        'SERVICE wikibase:label { bd:serviceParam wikibase:language "en" . } }'
    )
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    assert all("filmLabel" in b for b in r.json()["results"]["bindings"])


# ---------------------------------------------------------------- updates, when enabled


@pytest.fixture
def private_store(dataset: Dataset, store: Store) -> Store:
    """A copy of the bundled graph on the same engine, that a test may change."""
    copy = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        copy.graph(g if g is not None else copy.default_graph.identifier).add((s, p, o))
    return from_dataset(copy, engine=store.engine)


@pytest.fixture
def token(tmp_path: Path) -> dict[str, object]:
    """Settings of an app whose updates need a token, and the header that carries one."""
    path = tmp_path / "tokens.json"
    secret = TokenFile(path).create("tester")
    return {"tokens_path": path, "headers": {"Authorization": f"Bearer {secret}"}}


def test_update_needs_a_token_even_when_enabled(private_store: Store, token) -> None:
    """LEONGRAPH_ALLOW_UPDATES is an alias of edits: still 401 without a token."""
    with app_client(private_store, allow_updates=True, tokens_path=token["tokens_path"]) as c:
        r = c.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
        assert_error(r, 401)
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_update_when_enabled(private_store: Store, token) -> None:
    """update-post-form, update-post-direct: applied, then seen by every later query (the
    worker processes get the change too)."""
    graph = "https://w3id.org/leongraph/graph/test-update"
    ask = f"ASK {{ GRAPH <{graph}> {{ <urn:a> <urn:b> ?o }} }}"
    settings = {"allow_updates": True, "workers": 2, "tokens_path": token["tokens_path"]}
    auth = token["headers"]
    with app_client(private_store, **settings) as c:
        assert c.get("/sparql", params={"query": ask}).json()["boolean"] is False
        insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "1" }} }}'
        before = c.get("/sparql", params={"query": ask}).headers["etag"]
        assert c.post("/sparql", data={"update": insert}, headers=auth).status_code == 200
        for _ in range(4):  # whichever worker answers
            assert c.get("/sparql", params={"query": ask}).json()["boolean"] is True
        r = c.get("/sparql", params={"query": ask}, headers={"If-None-Match": before})
        assert r.status_code == 200 and r.headers["etag"] != before
        assert private_store.graph_sizes()[graph] == 1
        sd = Graph().parse(data=c.get("/sparql").content, format="turtle")
        assert (None, SD.name, URIRef(graph)) in sd
        assert (None, SD.supportedLanguage, SD.SPARQL11Update) in sd
        delete = f'DELETE DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "1" }} }}'
        headers = {"Content-Type": "application/sparql-update", **auth}
        assert c.post("/sparql", content=delete.encode(), headers=headers).status_code == 200
        for _ in range(4):
            assert c.get("/sparql", params={"query": ask}).json()["boolean"] is False


def test_bad_update_syntax(private_store: Store, token) -> None:
    """bad-update-syntax: 400 with line and column; nothing applied."""
    with app_client(private_store, allow_updates=True, tokens_path=token["tokens_path"]) as c:
        update = {"update": "INSERT DATA { <urn:a> <urn:b> "}
        body = assert_error(c.post("/sparql", data=update, headers=token["headers"]), 400)
        assert isinstance(body["line"], int) and isinstance(body["column"], int)


def test_bad_update_dataset_parameters(private_store: Store) -> None:
    """bad-update-dataset-conflict: protocol graphs with an update are refused, not ignored."""
    with app_client(private_store, allow_updates=True) as c:
        for param in ("using-graph-uri", "using-named-graph-uri"):
            update = "INSERT { <urn:a> <urn:b> ?o } USING <urn:g> WHERE { ?s ?p ?o }"
            r = c.post("/sparql", data={"update": update, param: "https://w3id.org/leongraph/x"})
            assert_error(r, 400)
        r = c.post(
            "/sparql",
            data={"update": "CLEAR DEFAULT", "default-graph-uri": "https://w3id.org/leongraph/x"},
        )
        assert_error(r, 400)


@pytest.mark.parametrize("path", ["/query", "/update"])
def test_fuseki_and_oxigraph_paths_answer_as_sparql(client, path: str) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"
    expected = client.get("/sparql", params={"query": query, "format": "json"})
    r = client.get(path, params={"query": query, "format": "json"})
    assert r.status_code == 200 and r.json() == expected.json()
    r = client.post(path, data={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert client.options(path).status_code == 204
    assert_error(client.post(path, data={"update": "CLEAR ALL"}), 403)


def test_conflicting_format_parameters_are_400_naming_both(client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "format": "json", "output": "csv"})
    body = assert_error(r, 400)
    assert "'json'" in body["message"] and "'csv'" in body["message"]
