"""The remote store against engines that misbehave, through ``httpx.MockTransport``: what is
sent (dataset, prefixes, the engine's timeout) and what each bad answer becomes."""

from __future__ import annotations

import httpx
import pytest

from leongraph import formats
from leongraph.engine import RemoteStore
from leongraph.engine.remote_load import insert_data, load_remote
from leongraph.errors import (
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    EvaluationError,
    QuerySyntaxError,
)
from leongraph.vocab import UNION_GRAPH

URL = "http://engine.test/sparql"
ASK_TRUE = b'{"head":{},"boolean":true}'
JSON = "application/sparql-results+json"


def store_over(handler, **kwargs) -> RemoteStore:  # type: ignore[no-untyped-def]
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return RemoteStore(URL, client=client, **kwargs)


def answer(body: bytes, kind: str = JSON, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": kind, **headers})


def test_malformed_results_are_a_502_quoting_the_first_bytes() -> None:
    store = store_over(lambda r: answer(b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":'))
    with pytest.raises(EngineError) as caught:
        store.query("SELECT ?x {}")
    assert caught.value.status == 502 and URL in caught.value.message
    assert '{"head":{"vars":["x"]}' in caught.value.message


def test_an_answer_that_is_no_results_format_is_a_502() -> None:
    store = store_over(lambda r: answer(b"<html>hello</html>", "text/html"))
    with pytest.raises(EngineError, match="text/html, not SPARQL results; it began: '<html>"):
        store.query("SELECT ?x {}")


def test_a_url_that_is_not_a_sparql_endpoint_is_refused_at_start() -> None:
    store = store_over(lambda r: answer(b"<html>a blog</html>", "text/html"))
    with pytest.raises(EngineError, match="is not a SPARQL endpoint"):
        store.probe()


@pytest.mark.parametrize(
    ("failure", "error", "status"),
    [
        (httpx.ConnectError("Connection refused"), EngineUnavailable, 502),
        (httpx.ReadTimeout("timed out"), EngineTimeout, 504),
    ],
)
def test_an_engine_down_or_slow_is_a_502_or_504_naming_it(
    failure: Exception, error: type[EngineError], status: int
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    with pytest.raises(error) as caught:
        store_over(handler).query("ASK {}")
    assert caught.value.status == status and URL in caught.value.message


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, b"error at 2:7: expected one of", QuerySyntaxError),
        (400, b"unknown function", EvaluationError),
        (500, b"internal failure", EngineError),
        (504, b"gateway timeout", EngineTimeout),
    ],
)
def test_engine_refusals_become_leongraph_errors(status: int, body: bytes, error: type) -> None:
    store = store_over(lambda r: answer(body, "text/plain", status))
    with pytest.raises(error):
        store.query("ASK { ?s leon:x ?o }")


def test_syntax_error_lines_count_from_the_users_text() -> None:
    """The predeclared prefixes are sent as PREFIX lines ahead of the text."""
    store = store_over(lambda r: answer(b"error at 3:7: oops", "text/plain", 400))
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("ASK { ?s leon:x ?o }")  # one prefix line sent ahead
    assert caught.value.line == 2


def test_what_is_sent_dataset_prefixes_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(ASK_TRUE, server="Virtuoso/07.20.3240")

    store = store_over(handler, timeout=2.5)
    store.probe()
    assert store.mode == "graph"  # an empty Virtuoso: leongraph's default graph is its own
    store.query("ASK { ?s rdfs:label ?o }")
    form = httpx.QueryParams(seen[-1].content.decode())
    assert form.get_list("default-graph-uri") == [str(UNION_GRAPH)]
    store.query("ASK { ?s rdfs:label ?o }", default_graphs=["urn:g1"], named_graphs=["urn:g2"])
    form = httpx.QueryParams(seen[-1].content.decode())
    assert form.get_list("default-graph-uri") == ["urn:g1"]
    assert form.get_list("named-graph-uri") == ["urn:g2"]
    assert form["timeout"] == "2500"
    assert form["query"].startswith("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
    assert seen[-1].headers["accept"].startswith(JSON)


def test_union_parameter_when_only_named_graphs_hold_data() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET" and "GRAPH" not in str(request.url.params.get("query")):
            return answer(b'{"head":{},"boolean":false}')
        return answer(ASK_TRUE)

    store = store_over(handler)
    store.probe()
    assert store.mode == "parameter"
    store.query("ASK {}")
    assert "union-default-graph" in httpx.QueryParams(seen[-1].content.decode())


def test_updates_keep_the_default_graph_the_union() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(httpx.QueryParams(request.content.decode())["update"])
        return httpx.Response(204)

    store = store_over(handler)
    store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } } ;")
    assert "INSERT { ?s ?p ?o } WHERE { GRAPH ?g" in sent[-1] and "DELETE" not in sent[-1]
    store.update("DELETE DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
    assert "DELETE { ?s ?p ?o } WHERE" in sent[-1]


def test_a_load_that_fails_halfway_says_what_was_written() -> None:
    import pyoxigraph as ox

    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 3:
            raise httpx.ConnectError("Connection refused")
        return httpx.Response(204)

    g = ox.NamedNode("urn:g")
    p = ox.NamedNode("urn:p")
    quads = [ox.Quad(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(i), g) for i in range(25)]
    with pytest.raises(EngineError) as caught:
        load_remote(store_over(handler), quads, batch=10)
    message = caught.value.message
    assert "20 quads were written" in message and "--skip 20" in message
    assert "DROP GRAPH each of <urn:g>" in message


def test_insert_data_writes_the_union_too() -> None:
    import pyoxigraph as ox

    a, b, g = (ox.NamedNode(f"urn:{x}") for x in "abg")
    q = ox.Quad(a, b, ox.Literal("c"), g)
    text = insert_data([q], with_union=True)
    assert text.count('<urn:a> <urn:b> "c" .') == 2 and "GRAPH <urn:g> {" in text
    assert insert_data([q], with_union=False).count("<urn:a>") == 1


def test_results_are_written_by_the_usual_writers() -> None:
    uris = ",".join(f'{{"x":{{"type":"uri","value":"urn:{x}"}}}}' for x in "ab")
    body = ('{"head":{"vars":["x"]},"results":{"bindings":[' + uris + "]}}").encode()
    result = store_over(lambda r: answer(body)).query("SELECT ?x {}")
    csv = b"".join(result.serialize(formats.ResultsFormat.from_name("csv"), max_rows=1))  # type: ignore[arg-type]
    assert csv == b"x\r\nurn:a\r\n" and result.truncated
