"""The results writers and QueryResult.serialize: both engines write the same bytes, a row cap
is honoured and reported, and every format parses back."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset

from leongraph import formats
from leongraph.engine import Store, from_dataset, results

# Ordered by plain strings: engines order mixed kinds of terms differently, and may.
QUERY = """SELECT ?s ?p ?o WHERE { ?s ?p ?o }
ORDER BY STR(?s) STR(?p) STR(?o) COALESCE(LANG(?o), "") COALESCE(STR(DATATYPE(?o)), "")"""
ODD = [
    (("uri", "http://e/a?x=1&y=2", None, None), ("literal", 'say "hi",\tthen\nbye', "en", None)),
    (("bnode", "b0", None, None), ("literal", "12", None, results.XSD + "integer")),
    (("uri", "http://e/c", None, None), None),
]


@pytest.fixture(scope="module")
def rdflib_store(dataset: Dataset) -> Store:
    return from_dataset(dataset, engine="rdflib")


# Sentences have no label: ?label and ?n stay unbound on those rows.
WITH_UNBOUND = """SELECT ?s ?label ?n WHERE { ?s a ?type OPTIONAL { ?s leon:title ?label }
BIND(IF(BOUND(?label), STRLEN(?label), ?nothing) AS ?n) }
ORDER BY STR(?s) COALESCE(STR(?label), "") COALESCE(LANG(?label), "")"""


@pytest.mark.parametrize("query", [QUERY, WITH_UNBOUND], ids=["all-bound", "unbound"])
@pytest.mark.parametrize("fmt", formats.ResultsFormat.all(), ids=lambda f: f.name)
def test_engines_write_the_same_bytes(
    fmt: formats.ResultsFormat, query: str, oxigraph, rdflib_store
) -> None:
    native = b"".join(oxigraph.query(query).serialize(fmt))
    ours = b"".join(oxigraph.query(query).serialize(fmt, max_rows=10**9))
    other = b"".join(rdflib_store.query(query).serialize(fmt))
    assert len(native) > 1000  # a real answer, not an empty one
    if query is WITH_UNBOUND and fmt is formats.JSON:
        assert native.count(b'"label"') < native.count(b'"s"')
    assert ours == native
    assert other == native


@pytest.mark.parametrize("fmt", formats.ResultsFormat.all(), ids=lambda f: f.name)
def test_row_cap_truncates_and_says_so(fmt: formats.ResultsFormat, store: Store) -> None:
    capped = store.query(QUERY)
    body = b"".join(capped.serialize(fmt, max_rows=3))
    assert capped.truncated is True
    if fmt.name == "json":
        assert len(json.loads(body)["results"]["bindings"]) == 3
    elif fmt.name == "xml":
        assert body.count(b"<result>") == 3
    else:
        assert body.count(b"\n") == 4  # header + 3 rows
    whole = store.query("SELECT ?s WHERE { ?s a leon:Film }")
    b"".join(whole.serialize(fmt, max_rows=1000))
    assert whole.truncated is False


def test_writers_escape_and_parse_back() -> None:
    variables = ["s", "o"]
    doc = json.loads(b"".join(results.write_rows("json", variables, ODD)))
    first = doc["results"]["bindings"][0]
    assert first["o"] == {"type": "literal", "value": 'say "hi",\tthen\nbye', "xml:lang": "en"}
    assert doc["results"]["bindings"][2] == {"s": {"type": "uri", "value": "http://e/c"}}
    tree = ET.fromstring(b"".join(results.write_rows("xml", variables, ODD)))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert tree.find(f"{ns}results/{ns}result/{ns}binding/{ns}uri").text == "http://e/a?x=1&y=2"
    rows = list(
        csv.reader(io.StringIO(b"".join(results.write_rows("csv", variables, ODD)).decode()))
    )
    assert rows == [
        ["s", "o"],
        ["http://e/a?x=1&y=2", 'say "hi",\tthen\nbye'],
        ["_:b0", "12"],
        ["http://e/c", ""],
    ]
    tsv = b"".join(results.write_rows("tsv", variables, ODD)).decode().split("\n")
    assert tsv[0] == "?s\t?o"
    assert tsv[1] == '<http://e/a?x=1&y=2>\t"say \\"hi\\",\\tthen\\nbye"@en'
    assert tsv[2] == "_:b0\t12"


def test_ask_in_every_format(store: Store) -> None:
    assert b"".join(store.query("ASK { ?s a leon:Film }").serialize(formats.JSON)) == (
        b'{"head":{},"boolean":true}'
    )
    assert b"".join(store.query("ASK { ?s a leon:Nothing }").serialize(formats.CSV)) == b"false"
    xml = b"".join(store.query("ASK {}").serialize(formats.XML))
    assert b"<boolean>true</boolean>" in xml


@pytest.mark.parametrize("fmt", formats.RdfFormat.all(), ids=lambda f: f.name)
def test_graph_results_parse_back(fmt: formats.RdfFormat, store: Store) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a leon:Film ; ?p ?o }"
    expected = len(list(store.query(query).triples()))
    body = b"".join(store.query(query).serialize(fmt))
    ds = Dataset()
    ds.parse(data=body, format=fmt.rdflib)
    assert expected > 0
    assert len(ds) == expected
    capped = store.query(query)
    b"".join(capped.serialize(fmt, max_rows=1))
    assert capped.truncated is (expected > 1)


def test_format_must_fit_the_result(store: Store) -> None:
    with pytest.raises(ValueError):
        store.query("SELECT * {}").serialize(formats.TURTLE)
    with pytest.raises(ValueError):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }").serialize(formats.JSON)


@pytest.mark.parametrize("fmt", formats.ResultsFormat.all(), ids=lambda f: f.name)
def test_cap_at_the_exact_row_count(fmt: formats.ResultsFormat, store: Store) -> None:
    """A cap equal to the row count keeps every row, whether the answer is small enough to
    be written by the engine at once or is written again row by row (large in bytes)."""
    whole = b"".join(store.query(QUERY).serialize(fmt))
    rows = len(list(store.query(QUERY).rows()))
    exact = store.query(QUERY)
    assert b"".join(exact.serialize(fmt, max_rows=rows)) == whole
    assert exact.truncated is False
    short = store.query(QUERY)
    body = b"".join(short.serialize(fmt, max_rows=rows - 1))
    assert short.truncated is True
    assert len(body) < len(whole)
