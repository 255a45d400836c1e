"""The SPARQL 1.1 Protocol endpoint, ``/sparql``. Thin: the query pipeline (sparql/pipeline.py)
reads, plans and runs a query; this route adds what only HTTP has: OPTIONS and 405, the size
limit of a body, updates, and the service description (or the query page for a browser) when
no query is asked."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response

from leongraph.errors import (
    BadRequest,
    EvaluationError,
    Forbidden,
    LeongraphError,
    MethodNotAllowed,
    NotAcceptable,
    PayloadTooLarge,
    QuerySyntaxError,
)
from leongraph.formats import HTML, TURTLE, RdfFormat
from leongraph.linkeddata.serialize import rdflib_name
from leongraph.negotiation import negotiate
from leongraph.sparql.diagnostics import explain, is_prefix_error
from leongraph.sparql.evaluation import Answer, Plan, choose_formats
from leongraph.sparql.pipeline import Asked
from leongraph.sparql.protocol import SparqlRequest
from leongraph.sparql.safety import check_update
from leongraph.sparql.service_description import service_description
from leongraph.web.apidocs import route
from leongraph.web.routes import edits
from leongraph.web.routes.query_page import query_page
from leongraph.web.state import AppState, app_state
from leongraph.web.streaming import StreamedResponse

router = APIRouter()

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
_ROUTED_METHODS = [*ALLOWED_METHODS, "PUT", "DELETE", "PATCH"]
#: The endpoint's paths: /sparql, and /query and /update as Fuseki and Oxigraph name theirs
#: (each answers as /sparql does: queries and updates alike).
ENDPOINT_PATHS = ("/sparql", "/query", "/update")
#: Where the hot path (hotpath.py) hands the route what it read of a request it does not answer
#: itself: the request (an update, or no query), or the error that refuses it.
HANDED_KEY = "leongraph.handed"
#: The body of a POST already read (by the hot path or the route), for the update's summary.
BODY_KEY = "leongraph.body"


@route(
    router,
    "/update",
    methods=_ROUTED_METHODS,
    summary="The SPARQL endpoint, as Fuseki and Oxigraph name their update endpoint",
    description="Answers as /sparql does (updates are refused unless enabled).",
)
@route(
    router,
    "/query",
    methods=_ROUTED_METHODS,
    summary="The SPARQL endpoint, as Fuseki and Oxigraph name their query endpoint",
    description="Answers as /sparql does.",
)
@route(
    router,
    "/sparql",
    methods=_ROUTED_METHODS,
    summary="SPARQL 1.1 Protocol endpoint",
    description=(
        "GET with ?query=, POST application/x-www-form-urlencoded (query= or update=), or "
        "POST application/sparql-query with the query as the body. default-graph-uri and "
        "named-graph-uri select the dataset; format= overrides Accept. Without a query: the "
        "service description."
    ),
)
async def sparql(request: Request) -> Response:
    handed: SparqlRequest | Exception | None = request.scope.get(HANDED_KEY)
    if isinstance(handed, Exception):
        raise handed  # met by the hot path: rendered here, with every header
    method = request.method
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
    if method not in ALLOWED_METHODS:
        raise MethodNotAllowed(
            f"{method} is not a SPARQL protocol method; use " + ", ".join(ALLOWED_METHODS) + ".",
            allow=list(ALLOWED_METHODS),
        )
    state = app_state(request)
    outcome: Plan | SparqlRequest
    if handed is None:
        body = await read_body(request, state.settings.max_body_bytes) if method == "POST" else b""
        request.scope[BODY_KEY] = body
        outcome = await state.pipeline.plan_off_loop(asked(request, body))
    else:
        outcome = handed
    if isinstance(outcome, Plan):
        return answer_response(await state.pipeline.run(outcome))
    if outcome.update is not None:
        if state.editor is not None:
            return await edits.sparql_update(request, state, outcome)
        return await _update(request, state, outcome)
    return _describe_service(request, state, outcome)


def asked(request: Request, body: bytes) -> Asked:
    headers = request.headers
    return Asked(
        request.method,
        request.scope.get("query_string", b""),
        body,
        headers.get("content-type"),
        headers.get("accept"),
        headers.get("accept-language"),
    )


def answer_response(answer: Answer) -> Response:
    headers = {"Content-Type": answer.content_type, "Vary": "Accept", **answer.headers}
    if answer.rest is not None:  # longer than a frame: streamed (web/streaming.py)
        return StreamedResponse(answer, answer.rest, headers)
    return Response(answer.body, headers=headers)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {limit} bytes this endpoint accepts.", limit=limit
    )


def _describe_service(request: Request, state: AppState, req: SparqlRequest) -> Response:
    """The service description, or the query page for a browser."""
    if req.format is not None:
        # 400 for an unknown name; json / xml mean JSON-LD / RDF/XML here, as for CONSTRUCT
        _, graph_format = choose_formats(req.format, None)
        if graph_format is None:
            raise NotAcceptable(
                "The service description is RDF: "
                + ", ".join(f.media_type for f in RdfFormat.all()),
                offered=[f.media_type for f in RdfFormat.all()],
            )
        fmt = graph_format
    else:
        chosen = negotiate(request.headers.get("accept"), [*RdfFormat.all(), HTML], TURTLE)
        if not isinstance(chosen, RdfFormat):  # HTML: a browser
            return query_page(request)
        fmt = chosen
    endpoint = str(request.url.replace(query="", fragment=""))
    graph = service_description(state.store, state.settings, endpoint)
    body = graph.serialize(format=rdflib_name(fmt), encoding="utf-8")
    return Response(body, headers={"Content-Type": fmt.content_type, "Vary": "Accept"})


async def _update(request: Request, state: AppState, req: SparqlRequest) -> Response:
    """SPARQL Update on a remote engine (local stores are edited by edits/, with history):
    refused (403) unless enabled; LOAD and SERVICE are always refused."""
    assert req.update is not None
    check_update(req.update, state.settings)
    if req.has_dataset or req.using_graphs:
        raise BadRequest(
            "An update names its graphs in its text (WITH, USING, GRAPH): this endpoint takes "
            "no default-graph-uri, named-graph-uri, using-graph-uri or using-named-graph-uri "
            "with an update."
        )
    if state.gate is not None:  # edits over a remote engine: a token, then the engine
        edits.authenticate(request, state)
    store = state.store
    async with state.update_lock:
        try:
            await anyio.to_thread.run_sync(store.update, req.update)
        except OSError as exc:
            raise Forbidden(f"The {store.engine} store behind this endpoint is read-only.") from exc
        except QuerySyntaxError as exc:
            raise explain(req.update, exc.line, exc.column, exc.message) from exc
        except LeongraphError:
            raise
        except Exception as exc:
            if is_prefix_error(str(exc)):  # rdflib: while translating an update that parsed
                raise explain(req.update, None, None, str(exc)) from exc
            raise EvaluationError(f"The update could not be applied: {exc}") from exc
        await state.executor.update(req.update)
        await state.data_changed()  # ETags, Last-Modified and indexes follow the data
    return Response(status_code=204)
