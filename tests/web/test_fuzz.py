"""Whatever arrives at /sparql — random bytes, random Unicode, mutated valid queries, in any
parameter, body, Content-Type or Accept header — the answer is a 2xx or a 4xx with the one error
body (a 503 only for a query that ran past its time), never a 500 and never a hang."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

VALID = [
    "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l LIMIT 5",
    "ASK { ?s a leon:Film }",
    "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l } LIMIT 5",
    "DESCRIBE <https://w3id.org/leongraph/resource/leon>",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Mathilda")) } LIMIT 3',
    "PREFIX ex: <http://example.org/> SELECT * FROM ex:g WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT ?x ?xLabel WHERE { ?x a leon:Film . "
    'SERVICE wikibase:label { bd:serviceParam wikibase:language "en" . } }',
    "SELECT * WHERE { VALUES ?x { 1 2 3 } BIND(?x * 2 AS ?y) }",
    "SELECT * WHERE { ?s (rdfs:subClassOf)* ?o } LIMIT 5",
]
TOKENS = [
    "SERVICE", "SILENT", "LOAD", "FROM", "NAMED", "GRAPH", "{", "}", "<", ">", '"', "'''",
    "#", "\\u0053", "?x", "_:b", "(", ")", ".", ";", ",", "*", "\x00", "\n", "é", "\ud7ff",
    "<http://127.0.0.1:9/>", "<file:///etc/passwd>", "INSERT DATA", "CLEAR ALL",
]  # fmt: skip
PARAMS = ["query", "update", "default-graph-uri", "named-graph-uri", "format", "using-graph-uri"]
CONTENT_TYPES = [
    None,
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
    "application/sparql-query; charset=utf-16",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/json",
    ";;;",
]
ACCEPTS = [
    None,
    "*/*",
    "text/csv",
    "text/turtle;q=0",
    "application/sparql-results+xml;q=0.5, text/*",
    "text/plain",
    "garbage/;q=x",
    "image/png",
    "text/html",
]
EXPECTED = {200, 204, 400, 403, 405, 406, 413, 415, 503}


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid query with a few random edits: deletions, insertions, duplications."""
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 12)))
        edit = draw(st.sampled_from(["delete", "insert", "token", "duplicate"]))
        if edit == "delete":
            text = text[:i] + text[j:]
        elif edit == "insert":
            text = text[:i] + draw(st.text(max_size=6)) + text[i:]
        elif edit == "token":
            text = text[:i] + " " + draw(st.sampled_from(TOKENS)) + " " + text[i:]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


payloads = st.one_of(
    st.binary(max_size=120),
    st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass")),
    mutated().map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(VALID).map(str.encode),
)
headers_text = st.one_of(
    st.sampled_from(ACCEPTS), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126))
)


def _check(r) -> None:
    event(f"status {r.status_code}")
    assert r.status_code in EXPECTED, (r.status_code, r.text[:500])
    if r.status_code >= 400:
        if r.headers["content-type"].startswith("text/plain"):
            assert r.text.startswith(f"{r.status_code} ")
        else:
            error = r.json()["error"]
            assert error["status"] == r.status_code
            assert error["message"]
        if r.status_code == 503:
            assert r.json()["error"]["title"] in ("Query timeout", "Query aborted")


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    params=st.lists(st.tuples(st.sampled_from(PARAMS), payloads), max_size=4),
    accept=headers_text,
)
def test_get_with_any_parameters(client, params, accept) -> None:
    query_string = "&".join(f"{k}={quote_from_bytes(v)}" for k, v in params)
    headers = {"Accept": accept} if accept is not None else {}
    _check(client.get("/sparql?" + query_string, headers=headers))


@FUZZ
@given(
    body=payloads,
    content_type=st.one_of(st.sampled_from(CONTENT_TYPES), headers_text),
    url_params=st.lists(st.tuples(st.sampled_from(PARAMS), payloads), max_size=2),
    accept=headers_text,
)
def test_post_with_any_body(client, body, content_type, url_params, accept) -> None:
    query_string = "&".join(f"{k}={quote_from_bytes(v)}" for k, v in url_params)
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if accept is not None:
        headers["Accept"] = accept
    _check(client.post("/sparql?" + query_string, content=body, headers=headers))


@FUZZ
@given(query=mutated(), via=st.sampled_from(["get", "form", "direct"]))
def test_mutated_queries(client, query, via) -> None:
    if via == "get":
        r = client.get("/sparql", params={"query": query})
    elif via == "form":
        r = client.post("/sparql", data={"query": query})
    else:
        headers = {"Content-Type": "application/sparql-query"}
        r = client.post("/sparql", content=query.encode("utf-8", "surrogatepass"), headers=headers)
    _check(r)


@FUZZ
@given(form=st.lists(st.tuples(st.sampled_from(PARAMS), payloads), max_size=4))
def test_form_bodies(client, form) -> None:
    body = "&".join(f"{k}={quote_from_bytes(v)}" for k, v in form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    _check(client.post("/sparql", content=body, headers=headers))
