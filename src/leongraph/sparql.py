"""The SPARQL 1.1 Protocol endpoint, ``/sparql``. Thin: protocol.py reads the request,
evaluation.py prepares and runs it (in a worker process, see executor.py), service.py answers a
GET without a query; errors are the app's one error body."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response

from leongraph import publication
from leongraph.config import Settings
from leongraph.errors import (
    BadRequest,
    Forbidden,
    LeongraphError,
    MethodNotAllowed,
    NotAcceptable,
    PayloadTooLarge,
)
from leongraph.evaluation import Answer, EvaluationError, choose_formats, prepare
from leongraph.executor import Executor
from leongraph.fastpath import ERROR_KEY
from leongraph.formats import HTML, TURTLE, RdfFormat
from leongraph.negotiation import negotiate
from leongraph.protocol import SparqlRequest, parse_request
from leongraph.safety import check_update
from leongraph.serialize import rdflib_name
from leongraph.service import service_description
from leongraph.store import Store

router = APIRouter()

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
_ROUTED_METHODS = [*ALLOWED_METHODS, "PUT", "DELETE", "PATCH"]
#: Only used to tell browsers (which get the query page) from RDF clients.


@router.api_route(
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
    if (met := request.scope.get(ERROR_KEY)) is not None:
        raise met  # met by fastpath.py while answering: rendered here, with every header
    method = request.method
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
    if method not in ALLOWED_METHODS:
        raise _method_not_allowed(method)
    settings: Settings = request.app.state.settings
    body = await read_body(request, settings.max_body_bytes) if method == "POST" else b""
    req = parse_request(
        method, request.scope.get("query_string", b""), request.headers.get("content-type"), body
    )
    if req.update is not None:
        return await _update(request, req, settings)
    if req.query is None:
        return _describe_service(request, req, settings)
    plan = prepare(
        req,
        settings,
        accept=request.headers.get("accept"),
        accept_language=request.headers.get("accept-language"),
    )
    executor: Executor = request.app.state.executor
    answer = await executor.run(plan)
    return answer_response(answer)


def answer_response(answer: Answer) -> Response:
    return Response(
        answer.body,
        headers={"Content-Type": answer.content_type, "Vary": "Accept", **answer.headers},
    )


def _method_not_allowed(method: str) -> MethodNotAllowed:
    exc = MethodNotAllowed(
        f"{method} is not a SPARQL protocol method; use " + ", ".join(ALLOWED_METHODS) + ".",
        allow=list(ALLOWED_METHODS),
    )
    exc.headers = {"Allow": ", ".join(ALLOWED_METHODS)}  # type: ignore[attr-defined]
    return exc


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The request body is larger than the {limit} bytes this endpoint accepts.", limit=limit
    )


def _describe_service(request: Request, req: SparqlRequest, settings: Settings) -> Response:
    """The service description, or the query page for a browser."""
    accept = request.headers.get("accept")
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
        chosen = negotiate(accept, [*RdfFormat.all(), HTML], TURTLE)
        if chosen is HTML:
            from leongraph import ui

            return ui.query_page(request)
        fmt = chosen  # type: ignore[assignment]
    store: Store = request.app.state.store
    endpoint = str(request.url.replace(query="", fragment=""))
    graph = service_description(store, settings, endpoint)
    body = graph.serialize(format=rdflib_name(fmt), encoding="utf-8")
    return Response(body, headers={"Content-Type": fmt.content_type, "Vary": "Accept"})


async def _update(request: Request, req: SparqlRequest, settings: Settings) -> Response:
    """SPARQL Update: refused (403) unless enabled; LOAD and SERVICE are always refused. The
    update is applied to the server's store, then to the query workers' copy."""
    assert req.update is not None
    check_update(req.update, settings)
    if req.has_dataset or req.using_graphs:
        raise BadRequest(
            "An update names its graphs in its text (WITH, USING, GRAPH): this endpoint takes "
            "no default-graph-uri, named-graph-uri, using-graph-uri or using-named-graph-uri "
            "with an update."
        )
    store: Store = request.app.state.store
    executor: Executor = request.app.state.executor
    async with _update_lock(request):
        try:
            await anyio.to_thread.run_sync(store.update, req.update)
        except OSError as exc:
            raise Forbidden(f"The {store.engine} store behind this endpoint is read-only.") from exc
        except LeongraphError:
            raise
        except Exception as exc:
            raise EvaluationError(f"The update could not be applied: {exc}") from exc
        await executor.update(req.update)
        publication.invalidate(request.app.state)  # ETags and Last-Modified follow the data
    return Response(status_code=204)


def _update_lock(request: Request) -> anyio.Lock:
    """One update at a time per app, so the server's store and the workers' stay in step."""
    lock = getattr(request.app.state, "update_lock", None)
    if lock is None:
        lock = request.app.state.update_lock = anyio.Lock()
    return lock
