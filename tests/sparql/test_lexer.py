"""The lexer sees SERVICE, update operations and FROM clauses, and nothing hidden in comments,
strings, IRIs or names; it errs on the side of reporting."""

from __future__ import annotations

import pytest

from leongraph.sparql.lexer import position, scan, tokens, unescape_codepoints
from leongraph.vocab import PREFIXES


@pytest.mark.parametrize(
    ("text", "services"),
    [
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", [("http://x/", False)]),
        ("SELECT * { service silent <http://x/> { ?s ?p ?o } }", [("http://x/", True)]),
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", [(None, False)]),
        ("SELECT * {SERVICE<http://x/>{?s ?p ?o}}", [("http://x/", False)]),
        ("PREFIX e: <http://e/> SELECT * { SERVICE e:sparql {} }", [("http://e/sparql", False)]),
        ("SELECT * { SERVICE wikibase:label {} }", [("http://wikiba.se/ontology#label", False)]),
        (r"SELECT * { SERV\u0049CE <http://x/> {} }", [("http://x/", False)]),
        (r"SELECT * { SERVICE <http://\u0078/> {} }", [("http://x/", False)]),
        ("SELECT * { FILTER(?a<?b)SERVICE<http://x/>{} }", [("http://x/", False)]),
        ("SELECT * { ?s ?p 'a' . SERVICE <http://x/> {} }", [("http://x/", False)]),
        ("SELECT * { ?s ?p '''a''' SERVICE <http://x/> {} }", [("http://x/", False)]),
        ("SELECT * { _:b#x\nSERVICE <http://x/> {} }", [("http://x/", False)]),
        ("SELECT * { ?s ?p 'a\nSERVICE <http://x/> {} }", [("http://x/", False)]),
        # not services
        ("SELECT * { ?s ?p 'SERVICE <http://x/>' }", []),
        ('SELECT * { ?s ?p """\nSERVICE <http://x/>\n""" }', []),
        ("SELECT * { ?s ?p '''it''s SERVICE <http://x/>''' }", []),
        ('SELECT * { ?s ?p "a \\" SERVICE <http://x/>" }', []),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", []),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", []),
        ("SELECT * { ?s ex:SERVICE ?service }", []),
        ("SELECT * { ?s ex:a.SERVICE ?o }", []),
        ("SELECT * { ?s ?p $SERVICE }", []),
    ],
)
def test_services(text: str, services: list[tuple[str | None, bool]]) -> None:
    found = scan(text, PREFIXES).services
    assert [(s.iri, s.silent) for s in found] == services


def test_service_position_is_reported() -> None:
    (service,) = scan("SELECT *\nWHERE {\n  SERVICE <http://x/> {} }").services
    assert (service.line, service.column) == (3, 3)
    assert service.target == "<http://x/>"


@pytest.mark.parametrize(
    ("text", "form", "operations"),
    [
        ("SELECT * {}", "SELECT", []),
        ("PREFIX a: <http://a/> ask {}", "ASK", []),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", []),
        ("DESCRIBE <http://x/>", "DESCRIBE", []),
        ("# INSERT\nSELECT * { ?s ?p 'DELETE' }", "SELECT", []),
        ("INSERT DATA { <a> <b> <c> }", "INSERT", ["INSERT"]),
        ("LOAD <http://x/>", "LOAD", ["LOAD"]),
        ("load silent <file:///etc/passwd> into graph <g>", "LOAD", ["LOAD"]),
        ("CLEAR ALL ; DROP GRAPH <g>", "CLEAR", ["CLEAR", "DROP"]),
        ("WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", ["WITH", "DELETE"]),
        (
            "CREATE GRAPH <g>; ADD <a> TO <b>; MOVE <a> TO <b>; COPY <a> TO <b>",
            "CREATE",
            ["CREATE", "ADD", "MOVE", "COPY"],
        ),
        (r"\u004cOAD <http://x/>", "LOAD", ["LOAD"]),
        ("", None, []),
    ],
)
def test_forms_and_operations(text: str, form: str | None, operations: list[str]) -> None:
    result = scan(text)
    assert result.form == form
    assert result.operations == operations
    assert result.is_update == bool(operations)


def test_dataset_clauses_resolve_prefixes_and_base() -> None:
    text = (
        "BASE <http://b/> PREFIX e: <x/> SELECT * FROM <g1> FROM e:g2 FROM NAMED e:g3 "
        "FROM NAMED <http://other/g4> FROM res:leon WHERE { ?s ?p ?o }"
    )
    result = scan(text, PREFIXES)
    assert result.from_default == ["http://b/g1", "http://b/x/g2", PREFIXES["res"] + "leon"]
    assert result.from_named == ["http://b/x/g3", "http://other/g4"]
    assert result.has_dataset_clause
    assert not scan("SELECT * WHERE { ?s ?p ?o }").has_dataset_clause


def test_tokens_skip_comments_and_whitespace() -> None:
    toks = list(tokens("SELECT ?x # c\n{ ?x <http://e/#a> 'b' }"))
    assert [t.kind for t in toks] == ["word", "var", "other", "var", "iri", "string", "other"]
    assert toks[4].text == "<http://e/#a>"
    assert toks[4].offset == 19


def test_unescape_leaves_invalid_escapes() -> None:
    assert unescape_codepoints(r"\u0041\U0001F600\uD800\UFFFFFFFF") == "A😀\\uD800\\UFFFFFFFF"


def test_position() -> None:
    assert position("ab\ncd", 0) == (1, 1)
    assert position("ab\ncd", 4) == (2, 2)


def test_lexing_is_linear_on_hostile_input() -> None:
    import time

    hostile = "'" + "\\'" * 50_000 + "<" * 50_000 + '"""' + "a" * 100_000
    start = time.perf_counter()
    scan(hostile)
    assert time.perf_counter() - start < 2.0
