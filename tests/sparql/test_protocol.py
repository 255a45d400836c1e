"""The format parameters of a protocol request (sparql/protocol.py): ``format``, ``output`` and
``results`` are one parameter; values that name the same format agree; two that differ are
refused with 400 naming both."""

from __future__ import annotations

import pytest

from leongraph.errors import BadRequest
from leongraph.formats import RdfFormat, ResultsFormat
from leongraph.sparql.protocol import parse_request


def _format(query_string: str) -> str | None:
    return parse_request("GET", f"query=ASK%7B%7D&{query_string}".encode(), None, b"").format


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("output=csv", "csv"),
        ("results=tsv", "tsv"),
        ("format=turtle&output=turtle&results=turtle", "turtle"),  # SPARQLWrapper's Turtle
        (
            "format=tsv&format=text%2Ftab-separated-values&output=tsv"
            "&output=text%2Ftab-separated-values",
            "tsv",
        ),
        ("format=json-ld&format=application%2Fld%2Bjson%2Capplication%2Fx-json%2Bld", "json-ld"),
        ("format=rdf%2Bxml&output=application%2Frdf%2Bxml", "rdf+xml"),
        ("format=tsv&format=", "tsv"),  # the empty value SPARQLWrapper sends after */*
        ("format=JSON&output=json", "JSON"),
        ("format=", None),
        ("", None),
    ],
)
def test_agreeing_format_parameters_are_one(query_string: str, expected: str | None) -> None:
    assert _format(query_string) == expected


@pytest.mark.parametrize(
    ("query_string", "first", "second"),
    [
        ("format=json&output=xml", "json", "xml"),
        ("format=csv&format=tsv", "csv", "tsv"),
        ("output=turtle&results=json-ld", "turtle", "json-ld"),
        ("format=pdf&format=json", "pdf", "json"),
    ],
)
def test_conflicting_format_parameters_name_both(
    query_string: str, first: str, second: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        _format(query_string)
    assert f"'{first}'" in caught.value.message and f"'{second}'" in caught.value.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("turtle", "ttl"),
        ("ttl", "ttl"),
        ("n3", "ttl"),
        ("json-ld", "jsonld"),
        ("jsonld", "jsonld"),
        ("rdf+xml", "rdf"),
        ("application/rdf+xml", "rdf"),
        ("text/turtle; charset=utf-8", "ttl"),
        ("ntriples", "nt"),
        ("n-quads", "nq"),
    ],
)
def test_usual_rdf_format_names(name: str, expected: str) -> None:
    fmt = RdfFormat.from_name(name)
    assert fmt is not None and fmt.name == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("tsv", "tsv"), ("text/tab-separated-values", "tsv"), ("xml", "xml"), ("json", "json")],
)
def test_usual_results_format_names(name: str, expected: str) -> None:
    fmt = ResultsFormat.from_name(name)
    assert fmt is not None and fmt.name == expected
