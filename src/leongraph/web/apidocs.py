"""The API page, ``/api/docs``, and the OpenAPI document it reads, ``/api/openapi.json``.

Swagger UI is served from the files the ``fastapi-offline`` package ships (FastAPI's documented
way of self-hosting the docs' assets): the page loads nothing from another origin. The OpenAPI
document lists one operation per method, each with its own operation ID: ``route`` registers
a path that answers several methods (GET and HEAD, or /sparql's GET and POST) as one route per
documented method, so no two operations share an ID.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from leongraph.errors import UnknownResource

DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"
ASSETS_URL = "/api/docs/assets"
#: The methods the document lists; the others a route answers (HEAD, OPTIONS, and the 405s of
#: /sparql) follow from HTTP itself.
DOCUMENTED_METHODS = ("GET", "POST")
E = TypeVar("E", bound=Callable[..., Any])
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}


def _asset(name: str) -> bytes:
    return importlib.resources.files("fastapi_offline").joinpath("static", name).read_bytes()


def route(
    router: APIRouter,
    path: str,
    methods: Sequence[str],
    *,
    documented: Sequence[str] = DOCUMENTED_METHODS,
    **options: Any,
) -> Callable[[E], E]:
    """Register the decorated function at ``path`` for ``methods`` as one route per documented
    method (GET, POST unless ``documented`` says otherwise), so that each operation has its own
    ID (FastAPI gives a route that answers several methods one ID for all of them), and one
    undocumented route for the others."""

    def register(endpoint: E) -> E:
        include = options.pop("include_in_schema", True)
        for method in methods:
            if method in documented:
                router.api_route(path, methods=[method], include_in_schema=include, **options)(
                    endpoint
                )
        hidden = [m for m in methods if m not in documented]
        if hidden:
            router.api_route(path, methods=hidden, include_in_schema=False, **options)(endpoint)
        return endpoint

    return register


def install(app: FastAPI) -> None:
    """Add the API page and its assets to ``app`` (built with ``docs_url=None``)."""

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{OPENAPI_URL}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            # No validator badge: Swagger UI would ask validator.swagger.io about the document.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(ASSETS_URL + "/{name}", include_in_schema=False)
    def api_docs_asset(name: str) -> Response:
        if name not in _ASSETS:
            raise UnknownResource(f"No API page asset named {name!r}.")
        return Response(
            _asset(name),
            media_type=_ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )
