"""The Wikidata tools' routes: the reconciliation service (wikidata/reconciliation.py does the
work; answers are JSON, or JSONP when a 0.2 client names a ``callback``, and allow any origin)
and the QuickStatements batch (wikidata/quickstatements.py)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from leongraph.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from leongraph.web.apidocs import route
from leongraph.web.state import app_state
from leongraph.wikidata import quickstatements as qs
from leongraph.wikidata import reconciliation as service
from leongraph.wikidata.matching import Index

router = APIRouter()

CORS = {"Access-Control-Allow-Origin": "*"}
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def index_for(request: Request) -> Index:
    return app_state(request).reconciliation_index()


def _reply(request: Request, body: object) -> Response:
    """JSON, or JSONP when the client names a callback."""
    callback = request.query_params.get("callback")
    if callback is None:
        return JSONResponse(body, headers=CORS)
    if not _CALLBACK.fullmatch(callback) or len(callback) > 100:
        raise BadRequest("callback must be a JavaScript identifier", parameter="callback")
    text = f"/**/{callback}({json.dumps(body)});"
    return Response(text, media_type="application/javascript", headers=CORS)


async def _params(request: Request) -> dict[str, str]:
    """Query-string parameters, plus a form body, or a JSON body under ``__json__``."""
    params = dict(request.query_params)
    if request.method != "POST":
        return params
    limit = app_state(request).settings.max_body_bytes
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"request body over {limit} bytes", limit=limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = body.decode("utf-8", "replace")
    if kind == "application/x-www-form-urlencoded":
        params.update(parse_qsl(text, keep_blank_values=True))
    elif kind == "application/json":
        params["__json__"] = text
    elif body.strip():
        raise UnsupportedMediaType(
            "send application/x-www-form-urlencoded or application/json", content_type=kind
        )
    return params


@route(router, "/reconcile", methods=["GET", "POST"])
async def reconcile(request: Request) -> Response:
    """The service endpoint: manifest, query batch (0.2 keyed or 1.0-draft list) or extension."""
    params = await _params(request)
    # Building the index, parsing and matching take up to seconds: in a thread, off the loop.
    return _reply(request, await anyio.to_thread.run_sync(_answer, request, params))


def _answer(request: Request, params: dict[str, str]) -> object:
    index, settings = index_for(request), app_state(request).settings
    base = str(request.base_url).rstrip("/")
    depth, chars = settings.max_json_depth, settings.max_batch_chars
    if "__json__" in params:
        return service.json_batch(
            index, service.parse_json(params["__json__"], "body", depth), chars
        )
    if "extend" in params:
        return service.extend(index, service.parse_json(params["extend"], "extend", depth))
    if "queries" in params:
        queries = service.parse_json(params["queries"], "queries", depth)
        return service.query_batch(index, queries, chars)
    if "query" in params:
        return service.single_query(index, params["query"], depth)
    return service.manifest(index, base)


@router.get("/reconcile/suggest/entity")
def suggest_entity(request: Request, prefix: str = "", type: str = "", cursor: int = 0) -> Response:
    return _reply(request, service.suggest_entity(index_for(request), prefix, type, cursor))


@router.get("/reconcile/suggest/type")
def suggest_type(request: Request, prefix: str = "") -> Response:
    return _reply(request, service.suggest_type(index_for(request), prefix))


@router.get("/reconcile/suggest/property")
def suggest_property(request: Request, prefix: str = "") -> Response:
    return _reply(request, service.suggest_property(index_for(request), prefix))


@router.get("/reconcile/preview")
def preview(request: Request, id: str = "") -> Response:
    root = request.scope.get("root_path", "")
    return HTMLResponse(service.preview_html(index_for(request), id, root), headers=CORS)


@router.get("/reconcile/propose_properties")
def propose_properties(request: Request, type: str = "", limit: str = "") -> Response:
    return _reply(request, service.propose_properties(index_for(request), type, limit))


@router.get("/quickstatements", response_class=PlainTextResponse)
def quickstatements(request: Request, comments: bool = True) -> PlainTextResponse:
    """The QuickStatements V1 batch, as plain text (``comments=false``: the commands only)."""
    text = qs.build(app_state(request).store).text(comments=comments)
    return PlainTextResponse(text, media_type=qs.MEDIA_TYPE)
