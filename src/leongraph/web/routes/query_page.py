"""The query page: an HTML shell, its static assets and two small JSON routes it reads
(/api/config for the limits it must show, /api/examples for the example menu).

Everything the page needs is served by the package itself: no CDN, no external fonts, and a
Content-Security-Policy that lets the browser talk to this origin only."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from leongraph import __version__, formats
from leongraph.config import Settings
from leongraph.errors import UnknownResource
from leongraph.linkeddata import urls
from leongraph.sparql import examples
from leongraph.vocab import BASE, PREFIXES
from leongraph.web.rendering import root_path
from leongraph.web.state import app_state

router = APIRouter()

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
_STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.(?:css|js|svg)$")
_MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}

#: The page may load and fetch from its own origin only; links may go anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def page_config(settings: Settings, engine: str, root: str) -> dict[str, object]:
    """What the page must know and show: limits, formats, prefixes and where things live."""
    return {
        "version": __version__,
        "root": root,
        "endpoint": f"{root}/sparql",
        "base_iri": BASE,
        # The URL scheme of urls.local_path, so the page links IRIs exactly as the pages do.
        "paths": {urls.ONTOLOGY_IRI: urls.local_path(urls.ONTOLOGY_IRI)},
        "path_prefixes": {prefix: f"/{kind}/" for kind, prefix in urls.KINDS.items()},
        "engine": engine,
        "timeout": settings.timeout,
        "max_rows": settings.max_rows,
        "max_query_length": settings.max_query_length,
        "edits": settings.edits,  # the sign-in box for an edit token, and updates
        "results_formats": [_format_entry(f) for f in formats.ResultsFormat.all()],
        "graph_formats": [_format_entry(f) for f in formats.RdfFormat.all()],
        "prefixes": PREFIXES,
    }


def example_entry(example: examples.Example) -> dict[str, object]:
    """What the example menu shows and loads."""
    return {
        "id": example.name,
        "number": example.number,
        "title": example.title,
        "description": example.description,
        "query": example.text,
    }


def _format_entry(fmt: formats.ResultsFormat | formats.RdfFormat) -> dict[str, str]:
    return {"name": fmt.name, "media_type": fmt.media_type, "extension": fmt.extension}


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _cached(request: Request, body: bytes, media_type: str, **headers: str) -> Response:
    """Serve with an ETag and answer 304 when the browser already has these bytes."""
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache", **headers}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _asset_url(root: str, name: str) -> str:
    """A versioned URL so a changed asset is never taken from a stale cache."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"{root}/static/{name}?v={digest}"


def query_page(request: Request) -> Response:
    """The query page, for ``/`` and for browsers asking ``/sparql`` for text/html."""
    root = root_path(request)
    shell = (STATIC_DIR / "query.html").read_text(encoding="utf-8")
    values = {
        "root": html.escape(root),
        "css": html.escape(_asset_url(root, "query.css")),
        "js": html.escape(_asset_url(root, "app.js")),
        "icon": html.escape(_asset_url(root, "favicon.svg")),
        "version": html.escape(__version__),
    }
    body = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], shell).encode("utf-8")
    return _cached(
        request,
        body,
        "text/html; charset=utf-8",
        **{"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Vary": "Accept"},
    )


@router.get("/", response_class=HTMLResponse, summary="The SPARQL query page")
def index(request: Request) -> Response:
    return query_page(request)


@router.get("/api/config", summary="Limits, formats and prefixes the query page shows")
def api_config(request: Request) -> JSONResponse:
    state = app_state(request)
    return JSONResponse(page_config(state.settings, state.store.engine, root_path(request)))


@router.get(
    "/api/examples",
    summary="The example queries of the store being served, with title and description",
)
def api_examples(request: Request) -> JSONResponse:
    state = app_state(request)
    folder = examples.examples_folder(state.settings, state.store.graph_sizes())
    found = examples.load_examples(folder) if folder is not None else []
    return JSONResponse([example_entry(e) for e in found])


@router.get("/static/{name}", include_in_schema=False)
def static(request: Request, name: str) -> Response:
    path = STATIC_DIR / name
    if not _STATIC_NAME.match(name) or not path.is_file():
        raise UnknownResource(f"No static file named {name!r}.")
    return _cached(request, path.read_bytes(), _MEDIA_TYPES[path.suffix])


@router.get("/favicon.ico", include_in_schema=False)
def favicon(request: Request) -> Response:
    return _cached(request, (STATIC_DIR / "favicon.svg").read_bytes(), _MEDIA_TYPES[".svg"])
