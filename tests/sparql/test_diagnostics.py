"""Syntax errors a person can act on (sparql/diagnostics.py): the parsers' messages for the
usual mistakes, rewritten to name the token and what belongs there; never a character-class
dump; the same text from the endpoint (both engines) and ``leongraph query``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leongraph.cli.main import main
from leongraph.edits.tokens import TokenFile
from leongraph.sparql.diagnostics import explain
from leongraph.web.app import create_app

#: (query, what the engines said: line, column, message) -> (line, column, message)
CASES = [
    (
        "SELECT * WHERE { ?s dc:title ?o }",
        (1, 29, "error at 1:29: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9']"),
        (
            1,
            21,
            "Undeclared prefix 'dc:' at line 1, column 21; add PREFIX dc: "
            "<http://purl.org/dc/elements/1.1/>",
        ),
    ),
    (
        "SELECT * WHERE { ?s rdsf:label ?o }",
        (1, 31, "error at 1:31: expected one of Prefix not found, ['%']"),
        (
            1,
            21,
            "Undeclared prefix 'rdsf:' at line 1, column 21; did you mean 'rdfs:' "
            "(<http://www.w3.org/2000/01/rdf-schema#>)? Otherwise add PREFIX rdsf: <namespace IRI>",
        ),
    ),
    (
        "SELECT * WHERE { ?s zz:name ?o }",
        (None, None, "Unknown namespace prefix : zz"),
        (1, 21, "Undeclared prefix 'zz:' at line 1, column 21; add PREFIX zz: <namespace IRI>"),
    ),
    (
        "SELECT * WHERE {\n  ?s rdfs:label ?l\n  ?s a ?t\n}",
        (4, 1, "error at 4:1: expected OPTIONAL"),
        (
            3,
            3,
            "Syntax error at line 3, column 3, at '?s': expected '.' or '}' after the "
            "triple '?s rdfs:label ?l'",
        ),
    ),
    (
        "SELECT * WHERE { ?s ?p ?o ",
        (1, 27, 'error at 1:27: expected one of ",", ".", ";", "{", "{|", "}", "~", [_]'),
        (
            1,
            26,
            "Syntax error at line 1, column 26: the query ends before the '{' of line 1, "
            "column 16 is closed; expected '}'",
        ),
    ),
    (
        "",
        (1, 1, "error at 1:1: expected [_]"),
        (1, 1, "The query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query"),
    ),
    (
        "SELEC * WHERE { ?s ?p ?o }",
        (1, 10, "error at 1:10: expected CONSTRUCT"),
        (
            1,
            1,
            "Syntax error at line 1, column 1, at 'SELEC': a query starts with SELECT, ASK, "
            "CONSTRUCT or DESCRIBE (after any PREFIX and BASE); did you mean SELECT?",
        ),
    ),
    (
        "SELECT * WHERE ?s ?p ?o }",
        (1, 16, 'error at 1:16: expected one of "{", DISTINCT'),
        (1, 16, "Syntax error at line 1, column 16, at '?s': expected '{' after WHERE"),
    ),
    (
        "SELECT ?s, ?o WHERE { ?s ?p ?o }",
        (1, 16, "error at 1:16: expected DISTINCT"),
        (
            1,
            10,
            "Syntax error at line 1, column 10, at ',': separate the variables after "
            "SELECT with spaces, not commas",
        ),
    ),
    (
        "SELECT WHERE { ?s ?p ?o }",
        (1, 8, "Expected SelectQuery"),
        (
            1,
            8,
            "Syntax error at line 1, column 8, at 'WHERE': expected variables, '*' or "
            "(expression AS ?name) after SELECT",
        ),
    ),
    (
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = ) }",
        (1, 42, "error at 1:42: expected one of ABS, AVG, DAY, IRI, [_], isLITERAL"),
        (1, 39, "Syntax error at line 1, column 39, at ')': expected an expression after '='"),
    ),
    (
        'SELECT * WHERE { ?s ?p "abc }',
        (1, 30, 'error at 1:30: expected one of "\\"", "\\\\", [_]'),
        (1, 24, 'Syntax error at line 1, column 24: the string "… is not closed'),
    ),
    (
        "SELECT * WHERE { ?s ?p ?o } }",
        (1, 30, "error at 1:30: expected [_]"),
        (1, 29, "Syntax error at line 1, column 29: this '}' closes no '{'"),
    ),
    (
        "SELECT * WHERE { ?s <http://a b> ?o }",
        (1, 33, "error at 1:33: expected IRI parsing failed"),
        (
            1,
            21,
            "Syntax error at line 1, column 21: not a valid IRI; an IRI holds no spaces, "
            "quotes or '{}|^`\\' (write them %-encoded, e.g. %20)",
        ),
    ),
    (
        "SELECT * WHERE { ?s ?p ?o } LIMIT x",
        (1, 35, 'error at 1:35: expected one of "(", [_]'),
        (1, 35, "Syntax error at line 1, column 35, at 'x': expected '('"),
    ),
    (
        "SELECT * WHERE { VALUES ?v { 1 2 3 4 } ?s ?p ?o ?x }",
        (1, 50, "Expected SelectQuery"),
        (
            1,
            49,
            "Syntax error at line 1, column 49, at '?x': expected '.' or '}' after the "
            "triple '?s ?p ?o'",
        ),
    ),
]


@pytest.mark.parametrize(("query", "said", "expected"), CASES)
def test_rewrites_the_parser_message(query: str, said: tuple, expected: tuple) -> None:
    error = explain(query, *said)
    assert (error.line, error.column, error.message) == expected
    assert "['" not in error.message and "[_]" not in error.message


@pytest.mark.parametrize(("query", "said", "expected"), CASES)
def test_the_endpoint_says_it_on_both_engines(client, store, query: str, said, expected) -> None:
    if query == "SELECT * WHERE { ?s ?p ?o } LIMIT x":
        pytest.skip("the engines stop at different tokens here")
    if store.engine == "rdflib" and "dc:" in query:
        pytest.skip("rdflib binds dc: itself")
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert (error["line"], error["column"], error["message"]) == expected


def test_the_cli_says_it_too(capsys) -> None:
    assert main(["query", "SELECT * WHERE { ?s dc:title ?o }"]) == 2
    assert capsys.readouterr().err == (
        "leongraph: Undeclared prefix 'dc:' at line 1, column 21; add PREFIX dc: "
        "<http://purl.org/dc/elements/1.1/>\n"
    )


def test_an_update_error_is_explained(settings, store, derived, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    auth = {"Authorization": f"Bearer {TokenFile(tokens).create('tester')}"}
    changes = {"engine": store.engine, "allow_updates": True, "tokens_path": tokens}
    app = create_app(settings.replace(**changes), store, derived=derived)
    with TestClient(app) as c:
        r = c.post("/update", data={"update": "INSERT DATA { <urn:a> <urn:b> zz:x }"}, headers=auth)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["message"].startswith("Undeclared prefix 'zz:' at line 1, column 31")
