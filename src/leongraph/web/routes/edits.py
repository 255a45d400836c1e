"""The write side, when edits are enabled (``serve --store DIR --edits``): SPARQL Update at
``/sparql`` (called by routes/sparql.py), the Graph Store HTTP Protocol at ``/graph-store``,
and the history: ``/history``, ``/history/<n>``, ``/resource/<slug>/history`` (HTML or RDF)
and ``POST /history/<n>/revert``. Every write needs ``Authorization: Bearer <token>``; reads
are open to all. Edits run one at a time under the app's update lock, in a thread."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError

from leongraph.edits.editor import Outcome
from leongraph.edits.history import Edit, history_quads
from leongraph.edits.tokens import Token
from leongraph.errors import (
    BadRequest,
    EvaluationError,
    Forbidden,
    LeongraphError,
    PayloadTooLarge,
    PreconditionFailed,
    QuerySyntaxError,
    UnknownResource,
    UnsupportedMediaType,
)
from leongraph.formats import HTML, NTRIPLES, TURTLE, RdfFormat
from leongraph.negotiation import negotiate
from leongraph.sparql.diagnostics import explain
from leongraph.sparql.protocol import SparqlRequest
from leongraph.sparql.safety import check_update
from leongraph.vocab import EDITS, PREFIXES, RES
from leongraph.web.apidocs import route
from leongraph.web.state import AppState, app_state

router = APIRouter()

#: Bodies the Graph Store Protocol takes (formats that never make the server fetch anything).
BODY_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt"}
MAX_SUMMARY = 500
GRAPH_STORE_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]


def authorised(request: Request, state: AppState) -> Token:
    """The request's token, or 401 / 429; 403 when edits are disabled."""
    if state.editor is None or state.gate is None:
        raise Forbidden(
            "This endpoint is read-only: edits are disabled (serve --store DIR --edits)."
        )
    client = request.client.host if request.client else "unknown"
    return state.gate.authenticate(request.headers.get("authorization"), client)


def authenticate(request: Request, state: AppState) -> Token:
    """The request's token, or 401 / 429, where edits are enabled over a remote engine: the
    engine keeps the data, and the update goes to it as it is (no history is kept there)."""
    assert state.gate is not None
    client = request.client.host if request.client else "unknown"
    return state.gate.authenticate(request.headers.get("authorization"), client)


def summary_of(request: Request, form: Iterable[tuple[str, str]] = ()) -> str:
    text = request.headers.get("x-edit-summary") or request.query_params.get("summary")
    if text is None:
        text = next((v for k, v in form if k == "summary"), "")
    return text.strip()[:MAX_SUMMARY]


async def run_edit(state: AppState, work: Callable[[], Outcome]) -> Outcome:
    """One edit at a time: applied and flushed, then the workers' copy and everything derived
    from the data follow it."""
    async with state.update_lock:
        try:
            outcome = await anyio.to_thread.run_sync(work)
        except LeongraphError:
            raise
        except OSError as exc:
            raise Forbidden(f"The store cannot be written: {exc}") from exc
        except Exception as exc:
            raise EvaluationError(f"The edit could not be applied: {exc}") from exc
        if outcome.text:
            await state.executor.update(outcome.text)
            await state.data_changed()
    return outcome


def outcome_response(outcome: Outcome, status: int = 200) -> Response:
    edit = outcome.edit
    noun = "triple" if outcome.added == 1 else "triples"
    body = {
        "edit": edit.iri if edit else None,
        "number": edit.number if edit else None,
        "added": outcome.added,
        "removed": outcome.removed,
        "message": f"{outcome.added} {noun} added, {outcome.removed} removed",
    }
    headers = {"Location": f"/history/{edit.number}"} if edit else {}
    return JSONResponse(body, status_code=status, headers=headers)


async def sparql_update(request: Request, state: AppState, req: SparqlRequest) -> Response:
    """SPARQL Update at /sparql: LOAD and SERVICE refused whatever the token, then the token,
    then the edit."""
    assert req.update is not None
    check_update(req.update, state.settings)
    if req.has_dataset or req.using_graphs:
        raise BadRequest(
            "An update names its graphs in its text (WITH, USING, GRAPH): this endpoint takes "
            "no default-graph-uri, named-graph-uri, using-graph-uri or using-named-graph-uri "
            "with an update."
        )
    token = authorised(request, state)
    form: list[tuple[str, str]] = []
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        body: bytes = request.scope.get("leongraph.body", b"")
        form = parse_qsl(body.decode("utf-8", "replace"))
    summary = summary_of(request, form)
    editor = state.editor
    assert editor is not None
    text = req.update
    try:
        outcome = await run_edit(state, lambda: editor.update(text, token, summary))
    except QuerySyntaxError as exc:  # said in terms of the update, as for a query
        raise explain(text, exc.line, exc.column, exc.message) from exc
    return outcome_response(outcome)


# --- Graph Store HTTP Protocol ---------------------------------------------------------------


async def read_body(request: Request, limit: int) -> bytes:
    """The body of a graph, refused with 413 as soon as it passes ``limit`` bytes."""
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"The request body is larger than the {limit} bytes this endpoint accepts.",
                limit=limit,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _target(request: Request) -> str | None:
    """The graph IRI of ``?graph=``, or None for ``?default``."""
    params = request.query_params
    graph = params.get("graph")
    if ("default" in params) == (graph is not None):
        raise BadRequest("Name one graph: ?graph=<IRI> or ?default.")
    if graph is not None and (not graph.strip() or any(c in graph for c in '<>" {}|\\^`')):
        raise BadRequest("?graph= must be an absolute IRI.")
    return graph


def graph_etag(state: AppState, graph: str | None) -> str:
    """A strong validator of one graph's content (of the whole data for the default graph)."""
    if graph is None:
        return f'"{state.store.fingerprint()[:32]}"'
    lines = sorted(" ".join(t.n3() for t in q[:3]) for q in state.store.quads(graph))
    return '"' + hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32] + '"'


def _check_if_match(request: Request, state: AppState, graph: str | None) -> None:
    wanted = request.headers.get("if-match")
    if wanted is None:
        return
    tags = [t.strip() for t in wanted.split(",") if t.strip()]
    exists = graph is None or next(iter(state.store.quads(graph)), None) is not None
    if "*" in tags and exists:
        return
    if graph_etag(state, graph) not in tags:
        raise PreconditionFailed(
            "The graph changed since the version If-Match names; read it again.",
        )


async def _body_triples(request: Request, state: AppState) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in BODY_FORMATS:
        raise UnsupportedMediaType(
            "Send the graph as " + ", ".join(BODY_FORMATS) + ".", accepted=list(BODY_FORMATS)
        )
    body = await read_body(request, state.settings.max_body_bytes)
    g = Graph()
    try:
        g.parse(data=body.decode("utf-8"), format=BODY_FORMATS[media])
    except (UnicodeDecodeError, SyntaxError, ParserError, ValueError) as exc:
        raise BadRequest(f"The body is not valid {media}: {str(exc)[:300]}") from exc
    return g.serialize(format="nt11")


@route(
    router,
    "/graph-store",
    GRAPH_STORE_METHODS,
    documented=("GET", "PUT", "POST", "DELETE"),
    summary="Graph Store Protocol",
)
async def graph_store(request: Request) -> Response:
    state = app_state(request)
    method = request.method
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ", ".join(GRAPH_STORE_METHODS)})
    graph = _target(request)
    if method in ("GET", "HEAD"):
        return _graph_get(request, state, graph)
    token = authorised(request, state)
    summary = summary_of(request)
    editor = state.editor
    assert editor is not None
    existed = graph is None or next(iter(state.store.quads(graph)), None) is not None
    # The default graph is the union of every graph: clearing it takes each triple out of
    # every graph holding it (the synopsis's and the ontology's too: an admin token only).
    drop = f"DROP SILENT GRAPH <{graph}>" if graph else "CLEAR DEFAULT"
    if method == "DELETE":
        if not existed:
            raise UnknownResource(f"No graph <{graph}> in the store.")
        text = drop
    else:
        triples = await _body_triples(request, state)
        into = f"GRAPH <{graph}> {{ {triples} }}" if graph else triples
        text = f"INSERT DATA {{ {into} }}"
        if method == "PUT":
            text = f"{drop} ;\n{text}"

    def work() -> Outcome:
        _check_if_match(request, state, graph)  # under the lock: no write slips in between
        return editor.update(text, token, summary)

    outcome = await run_edit(state, work)
    response = outcome_response(outcome, 201 if method == "PUT" and not existed else 200)
    response.headers["ETag"] = graph_etag(state, graph)
    return response


def _graph_get(request: Request, state: AppState, graph: str | None) -> Response:
    fmt = negotiate(request.headers.get("accept"), [TURTLE, NTRIPLES, *RdfFormat.all()], TURTLE)
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    quads = state.store.quads(graph) if graph else state.store.quads()
    found = False
    for s, p, o, _ in quads:
        found = True
        g.add((s, p, o))
    if graph and not found:
        raise UnknownResource(f"No graph <{graph}> in the store.")
    body = g.serialize(format=fmt.rdflib, encoding="utf-8")
    headers = {"ETag": graph_etag(state, graph), "Vary": "Accept"}
    return Response(body, media_type=fmt.content_type, headers=headers)


# --- History ---------------------------------------------------------------------------------


@router.get("/history", summary="Recent edits (HTML or RDF)")
def history_page(request: Request) -> Response:
    state = app_state(request)
    edits = list(reversed(state.editor.edits)) if state.editor else []
    return _history_response(request, state, edits[:200], "Recent edits")


@router.get("/history/{number}", summary="One edit (HTML or RDF)")
def edit_page(number: int, request: Request) -> Response:
    state = app_state(request)
    if state.editor is None:
        raise UnknownResource("Edits are disabled: there is no history.")
    edit = state.editor.find(number)
    return _history_response(request, state, [edit], f"Edit {number}")


@router.get("/resource/{slug}/history", summary="The edits that touched a resource")
def resource_history(slug: str, request: Request) -> Response:
    state = app_state(request)
    iri = str(RES[slug])
    edits = [e for e in reversed(state.editor.edits) if e.touches(iri)] if state.editor else []
    return _history_response(request, state, edits, f"Edits of res:{slug}")


@router.post("/history/{number}/revert", summary="Revert an edit (token required)")
async def revert(number: int, request: Request) -> Response:
    state = app_state(request)
    token = authorised(request, state)
    editor = state.editor
    assert editor is not None
    summary = summary_of(request)
    return outcome_response(await run_edit(state, lambda: editor.revert(number, token, summary)))


def _history_response(request: Request, state: AppState, edits: list[Edit], title: str) -> Response:
    fmt = negotiate(request.headers.get("accept"), [HTML, *RdfFormat.all()], HTML)
    if isinstance(fmt, RdfFormat):
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        target = ds if fmt.dataset else Graph()
        for prefix, ns in [*PREFIXES.items(), ("edits", str(EDITS))]:
            target.bind(prefix, ns)
        for s, p, o, g in history_quads(state.store, edits):
            if isinstance(target, Dataset):
                target.graph(URIRef(g)).add((s, p, o))
            else:
                target.add((s, p, o))
        body = target.serialize(format=fmt.rdflib, encoding="utf-8")
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
    return HTMLResponse(_history_html(title, edits), headers={"Vary": "Accept"})


def _history_html(title: str, edits: list[Edit]) -> str:
    esc = html.escape
    rows = []
    for e in edits:
        diff = [f'<li class="add">+ {esc(_quad(q))}</li>' for q in e.added]
        diff += [f'<li class="del">− {esc(_quad(q))}</li>' for q in e.removed]
        reverts = f" (reverts edit {e.reverts})" if e.reverts is not None else ""
        rows.append(
            f'<article id="edit-{e.number}"><h2><a href="/history/{e.number}">Edit '
            f"{e.number}</a>{reverts}</h2><p>by <b>{esc(e.agent)}</b> at "
            f"<time>{esc(e.started)}</time>: {esc(e.summary) or '<i>no summary</i>'}</p>"
            f"<ul>{''.join(diff)}</ul></article>"
        )
    body = "".join(rows) or "<p>No edits yet.</p>"
    return (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{esc(title)} — '
        "leongraph</title><style>.add{color:#060}.del{color:#a00}li{font-family:monospace}"
        f"</style><h1>{esc(title)}</h1>{body}</html>"
    )


def _quad(q: tuple[object, ...]) -> str:
    s, p, o, g = (getattr(t, "n3", lambda t=t: str(t))() for t in q)
    return f"{s} {p} {o} (graph {g})"
