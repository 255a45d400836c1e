"""The SPARQL 1.1 Protocol's three ways of sending an operation, read into one SparqlRequest:
GET with ``?query=``; POST ``application/x-www-form-urlencoded`` with ``query=`` or ``update=``;
POST ``application/sparql-query`` / ``application/sparql-update`` with the operation as the body
and the other parameters in the URL. A pure function of the method, the raw query string, the
Content-Type and the body, so every bad-request rule is testable without a server.

>>> parse_request("GET", b"query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fe%2Fg", None, b"")
SparqlRequest(query='ASK{}', update=None, default_graphs=('http://e/g',), named_graphs=(), \
format=None, using_graphs=())
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from leongraph.errors import BadRequest, UnsupportedMediaType
from leongraph.formats import RdfFormat, ResultsFormat

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
ACCEPTED_BODIES = (FORM, QUERY, UPDATE)
#: The parameters that name the answer's format: ``format`` (Virtuoso, Oxigraph), and ``output``
#: and ``results`` (Fuseki, Jena, sparqler), which SPARQLWrapper sends all three of.
FORMAT_PARAMETERS = ("format", "output", "results")

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")


@dataclass(frozen=True)
class SparqlRequest:
    """One protocol operation: a query or an update, and the dataset and format it names."""

    query: str | None = None
    update: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None
    #: using-graph-uri / using-named-graph-uri (updates only)
    using_graphs: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        """True when the protocol's dataset parameters replace the query's FROM clauses."""
        return bool(self.default_graphs or self.named_graphs)


def parse_request(
    method: str, query_string: bytes, content_type: str | None, body: bytes
) -> SparqlRequest:
    """Read a protocol request. Raises BadRequest (400) or UnsupportedMediaType (415)."""
    url_params = _params(query_string, "URL")
    if method in ("GET", "HEAD"):
        if "update" in _names(url_params):
            raise BadRequest("SPARQL updates must be sent with POST, never GET.")
        return _build(url_params, allow_empty=True)
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not media_type:
        raise UnsupportedMediaType(
            "A POST needs a Content-Type: one of " + ", ".join(ACCEPTED_BODIES) + ".",
            accepted=list(ACCEPTED_BODIES),
        )
    if media_type == FORM:
        return _build(url_params + _params(body, "body"), allow_empty=False)
    if media_type in (QUERY, UPDATE):
        names = _names(url_params)
        if "query" in names or "update" in names:
            raise BadRequest(
                f"With Content-Type {media_type} the operation is the body; the URL must not "
                "carry another 'query' or 'update' parameter."
            )
        text = _decode(body, "request body")
        field = "query" if media_type == QUERY else "update"
        return _build([*url_params, (field, text)], allow_empty=False)
    raise UnsupportedMediaType(
        f"Content-Type {media_type} is not a SPARQL operation; send one of "
        + ", ".join(ACCEPTED_BODIES)
        + ".",
        accepted=list(ACCEPTED_BODIES),
    )


def _build(params: list[tuple[str, str]], *, allow_empty: bool) -> SparqlRequest:
    queries = [v for k, v in params if k == "query"]
    updates = [v for k, v in params if k == "update"]
    fmt = _format(params)
    if len(queries) > 1:
        raise BadRequest(f"The request holds {len(queries)} 'query' parameters; send one.")
    if len(updates) > 1:
        raise BadRequest(f"The request holds {len(updates)} 'update' parameters; send one.")
    if queries and updates:
        raise BadRequest("The request holds both a 'query' and an 'update'; send one of them.")
    default = tuple(_graph(v, "default-graph-uri") for k, v in params if k == "default-graph-uri")
    named = tuple(_graph(v, "named-graph-uri") for k, v in params if k == "named-graph-uri")
    if not queries and not updates and not (allow_empty and not default and not named):
        raise BadRequest("The request holds no 'query' (or 'update') parameter.")
    using = tuple(
        _graph(v, k) for k, v in params if k in ("using-graph-uri", "using-named-graph-uri")
    )
    return SparqlRequest(
        query=queries[0] if queries else None,
        update=updates[0] if updates else None,
        default_graphs=default,
        named_graphs=named,
        format=fmt,
        using_graphs=using,
    )


def _format(params: list[tuple[str, str]]) -> str | None:
    """The one format the ``format`` / ``output`` / ``results`` parameters name. Values that
    name the same format agree (``tsv`` and ``text/tab-separated-values``); empty ones are
    ignored; two that differ are refused, naming both.

    >>> _format([("format", "tsv"), ("format", "text/tab-separated-values"), ("output", "tsv")])
    'tsv'
    >>> _format([("format", "json"), ("output", "")]) , _format([("results", "")])
    ('json', None)
    """
    values = [(k, v.strip()) for k, v in params if k in FORMAT_PARAMETERS and v.strip()]
    if not values:
        return None
    first_name, first = values[0]
    for name, value in values[1:]:
        if value.lower() != first.lower() and _meaning(value) != _meaning(first):
            raise BadRequest(
                f"The request asks for two formats: {first_name}={first[:100]!r} and "
                f"{name}={value[:100]!r}; send one.",
                formats=[first[:100], value[:100]],
            )
    return first


def _meaning(value: str) -> tuple[str | None, str | None] | str:
    """What a format value asks for: its results format and RDF format, or the value itself
    when it names neither (then only the same text agrees with it)."""
    results, graph = ResultsFormat.from_name(value), RdfFormat.from_name(value)
    if results is None and graph is None:
        return value.lower()
    return (results.name if results else None, graph.name if graph else None)


def _graph(value: str, name: str) -> str:
    if not _IRI.match(value):
        raise BadRequest(f"{name} must be an absolute IRI, not {value[:200]!r}.")
    return value


def _names(params: list[tuple[str, str]]) -> set[str]:
    return {k for k, _ in params}


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"The {where} is not valid UTF-8 (byte {exc.start}); SPARQL text must be UTF-8."
        ) from exc


def _params(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``name=value`` pairs of a query string or form body, percent-decoded as UTF-8."""
    text = _decode(raw, f"{where} parameter list")
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"A {where} parameter is not valid UTF-8 once percent-decoded; SPARQL text must be "
            "UTF-8."
        ) from exc
    except ValueError as exc:
        raise BadRequest(f"The {where} parameters cannot be read: {exc}.") from exc
