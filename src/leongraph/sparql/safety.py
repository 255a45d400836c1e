"""Query safety: nothing a client sends may make the server read anything it was not configured
to read. Both engines would fetch on request (Oxigraph performs HTTP for SERVICE and LOAD;
rdflib for SERVICE, and for FROM unless disabled, as engine/rdflib_store.py does), so every
query and update is checked here, from its text, before an engine sees it.

=====================================  ======================================================
the text holds                         outcome
=====================================  ======================================================
``SERVICE <iri>``, ``SERVICE SILENT``  400: this endpoint never calls other endpoints
``SERVICE ?var``                       400, likewise
``SERVICE wikibase:label { … }``       rewritten into plain patterns first (label_service.py)
``LOAD`` (any update)                  403, even when updates are allowed
an update, updates disabled            403
an update sent as ``query=``           400: send it as ``update=``
``FROM`` / ``FROM NAMED`` any IRI      answered from the graphs the server holds; an IRI it
                                       does not hold is an empty graph, never fetched
=====================================  ======================================================
"""

from __future__ import annotations

import functools

from leongraph.config import Settings
from leongraph.errors import BadRequest, Forbidden, PayloadTooLarge, UnsupportedQuery
from leongraph.sparql.lexer import QueryText, scan
from leongraph.vocab import PREFIXES, WIKIBASE_LABEL


def check_length(text: str, settings: Settings) -> None:
    if len(text) > settings.max_query_length:
        raise PayloadTooLarge(
            f"The query is {len(text)} characters long; this endpoint accepts at most "
            f"{settings.max_query_length}.",
            limit=settings.max_query_length,
        )


@functools.lru_cache(maxsize=512)
def _scan_cached(text: str) -> QueryText:
    return scan(text, PREFIXES)


def lex(text: str) -> QueryText:
    """``scan`` with the predeclared prefixes; short texts (clients repeat their queries) are
    lexed once. The result is shared: read it, never change it."""
    return _scan_cached(text) if len(text) <= 8192 else scan(text, PREFIXES)


def check_query(text: str, settings: Settings) -> QueryText:
    """The lexed query, or the error that refuses it."""
    check_length(text, settings)
    found = lex(text)
    check_shape(found, settings)
    if found.is_update:
        raise BadRequest(
            f"This is a SPARQL update ({found.operations[0]}), not a query: send it as the "
            "'update' parameter of a POST request."
        )
    _refuse_services(found)
    return found


def check_update(text: str, settings: Settings) -> QueryText:
    """The lexed update, or the error that refuses it (403 unless updates are allowed)."""
    check_length(text, settings)
    if not settings.allow_updates:
        raise Forbidden("This endpoint is read-only: SPARQL updates are disabled.")
    found = lex(text)
    check_shape(found, settings)
    if "LOAD" in found.operations:
        raise Forbidden("LOAD is refused: this endpoint never fetches data from other places.")
    if not found.is_update:
        raise BadRequest("The 'update' parameter holds no SPARQL update operation.")
    _refuse_services(found)
    return found


def check_shape(found: QueryText, settings: Settings) -> None:
    """400 when the text nests too deep, or holds too many UNIONs or VALUES rows, for a parser
    to be given it (a recursive parser can crash its process on deep nesting)."""
    for name, value, limit, setting in (
        ("nesting depth", found.depth, settings.max_query_depth, "max_query_depth"),
        (
            "UNION branches",
            found.unions + bool(found.unions),
            settings.max_union_branches,
            "max_union_branches",
        ),
        ("VALUES rows", found.values_rows, settings.max_values_rows, "max_values_rows"),
    ):
        if value > limit:
            raise BadRequest(
                f"The query is too large to parse: {name} {value}, past the limit of {limit} "
                f"({setting}).",
                limit=limit,
                setting=setting,
            )


def _refuse_services(found: QueryText) -> None:
    for service in found.services:
        target = service.target or "(nothing)"
        silent = "SERVICE SILENT" if service.silent else "SERVICE"
        label = (
            " The Wikidata label service is only understood in its usual form, "
            'SERVICE wikibase:label { bd:serviceParam wikibase:language "en" . }.'
            if service.iri == WIKIBASE_LABEL
            else ""
        )
        raise UnsupportedQuery(
            f"{silent} {target} is refused: this endpoint never calls other SPARQL endpoints "
            f"(no federated query).{label}",
            line=service.line,
            column=service.column,
        )
