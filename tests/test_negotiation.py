"""Accept header -> chosen format, as one table; malformed headers fall back to the default."""

from __future__ import annotations

import pytest

from leongraph.errors import NotAcceptable
from leongraph.formats import (
    CSV,
    JSON,
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    TRIG,
    TSV,
    TURTLE,
    XML,
    RdfFormat,
    ResultsFormat,
)
from leongraph.negotiation import negotiate, parse_accept

RESULTS = list(ResultsFormat.all())
GRAPHS = list(RdfFormat.all())


@pytest.mark.parametrize(
    ("accept", "offered", "default", "expected"),
    [
        (None, RESULTS, JSON, JSON),
        ("", RESULTS, JSON, JSON),
        ("   ", RESULTS, JSON, JSON),
        ("*/*", RESULTS, JSON, JSON),
        ("*/*", GRAPHS, TURTLE, TURTLE),
        ("application/sparql-results+xml", RESULTS, JSON, XML),
        ("application/sparql-results+json", RESULTS, JSON, JSON),
        ("application/json", RESULTS, XML, JSON),
        ("application/xml", RESULTS, JSON, XML),
        ("text/csv", RESULTS, JSON, CSV),
        ("text/tab-separated-values", RESULTS, JSON, TSV),
        ("TEXT/CSV", RESULTS, JSON, CSV),
        ("text/*", RESULTS, JSON, CSV),
        ("text/*", GRAPHS, JSONLD, TURTLE),
        ("application/*", GRAPHS, JSONLD, JSONLD),
        ("application/*, text/*;q=0", GRAPHS, TURTLE, NTRIPLES),
        ("text/csv;q=0.5, application/sparql-results+xml", RESULTS, JSON, XML),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.4", RESULTS, JSON, CSV),
        ("text/csv, text/tab-separated-values", RESULTS, JSON, CSV),
        ("text/tab-separated-values, text/csv", RESULTS, JSON, TSV),
        ("text/csv;q=0, */*", RESULTS, CSV, JSON),
        ("text/turtle;q=0, */*;q=0.1", GRAPHS, TURTLE, NTRIPLES),
        ("application/sparql-results+json;q=0.9, */*;q=1", RESULTS, JSON, XML),
        ("text/turtle;charset=utf-8", GRAPHS, JSONLD, TURTLE),
        (
            'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
            GRAPHS,
            TURTLE,
            JSONLD,
        ),
        ("application/trig", GRAPHS, TURTLE, TRIG),
        ("application/n-quads", GRAPHS, TURTLE, NQUADS),
        ("application/rdf+xml, text/turtle;q=0.8", GRAPHS, TURTLE, RDFXML),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESULTS, JSON, JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GRAPHS, TURTLE, TURTLE),
        ("application/x-turtle", GRAPHS, JSONLD, TURTLE),
        ("text/csv;q=1.000", RESULTS, JSON, CSV),
        ("text/csv ; q=0.7 , text/tab-separated-values ; q=0.8", RESULTS, JSON, TSV),
        ("text/csv;q=0.5;ext=1, text/tab-separated-values;q=0.4", RESULTS, JSON, CSV),
        # malformed headers: treated as no preference
        ("garbage", RESULTS, JSON, JSON),
        ("text", RESULTS, JSON, JSON),
        ("text/csv;q=2", RESULTS, JSON, JSON),
        ("text/csv;q=abc", RESULTS, JSON, JSON),
        ("text/csv;q=0.1234", RESULTS, JSON, JSON),
        ("*/csv", RESULTS, JSON, JSON),
        ("text/csv;;", RESULTS, JSON, CSV),
        (",,text/csv,,", RESULTS, JSON, CSV),
        ("text/csv;=x", RESULTS, JSON, JSON),
        ("\x00\xff", RESULTS, JSON, JSON),
    ],
)
def test_negotiate(accept, offered, default, expected) -> None:
    assert negotiate(accept, offered, default) is expected


@pytest.mark.parametrize(
    ("accept", "offered"),
    [
        ("text/turtle", RESULTS),
        ("application/sparql-results+json", GRAPHS),
        ("image/png", RESULTS),
        ("text/csv;q=0", RESULTS),
        ("*/*;q=0", GRAPHS),
        ("text/*;q=0, application/*;q=0", RESULTS),
        ("text/html", GRAPHS),
    ],
)
def test_not_acceptable_lists_offered_types(accept, offered) -> None:
    with pytest.raises(NotAcceptable) as info:
        negotiate(accept, offered, offered[0])
    for fmt in offered:
        assert fmt.media_type in info.value.message
    assert info.value.details["offered"] == [f.media_type for f in offered]


def test_parse_accept_keeps_parameters_and_order() -> None:
    ranges = parse_accept('text/turtle;charset=utf-8;q=0.5, application/ld+json;profile="a,b"')
    assert ranges is not None
    assert [(r.type, r.subtype, r.q, r.order) for r in ranges] == [
        ("text", "turtle", 0.5, 0),
        ("application", "ld+json", 1.0, 1),
    ]
    assert ranges[1].params == (("profile", "a,b"),)
    assert ranges[0].params == ()
