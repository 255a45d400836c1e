"""The HTTP application: create_app(settings, store) wires the routers of each module, maps the
error classes to one error body, and holds no module-level state."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from leongraph import __version__
from leongraph.config import Settings
from leongraph.errors import LeongraphError
from leongraph.store import Store


def error_body(status: int, title: str, message: str, **details: object) -> dict[str, object]:
    """The one error shape every route returns: {"error": {status, title, message, ...}}."""
    body: dict[str, object] = {"status": status, "title": title, "message": message}
    body.update({k: v for k, v in details.items() if v is not None})
    return {"error": body}


def error_response(
    request: Request,
    status: int,
    title: str,
    message: str,
    headers: dict[str, str] | None = None,
    **details: object,
) -> Response:
    """JSON by default; plain text for clients that ask for text/plain and not JSON."""
    accept = request.headers.get("accept", "")
    if "text/plain" in accept and "json" not in accept:
        lines = [f"{status} {title}: {message}"]
        lines += [f"{k}: {v}" for k, v in details.items() if v is not None]
        return PlainTextResponse("\n".join(lines) + "\n", status_code=status, headers=headers)
    return JSONResponse(
        error_body(status, title, message, **details), status_code=status, headers=headers
    )


def create_app(settings: Settings, store: Store) -> FastAPI:
    """Build the application for one settings object and one loaded store."""
    from leongraph import export, pages, reconcile, sparql, ui

    app = FastAPI(
        title="leongraph",
        version=__version__,
        root_path=settings.root_path,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.store = store

    @app.exception_handler(LeongraphError)
    async def _domain_error(request: Request, exc: LeongraphError) -> Response:
        return error_response(request, exc.status, exc.title, exc.message, **exc.details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        return error_response(
            request,
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(
            request,
            400,
            "Bad request",
            "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                for e in exc.errors()
            ),
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, object]:
        return {"status": "ok", "engine": store.engine, "triples": len(store)}

    for module in (sparql, export, pages, reconcile, ui):
        app.include_router(module.router)
    # ETag / Last-Modified / 304 on every GET: the graph is read-only while served.
    from leongraph.conditional import ConditionalGetMiddleware

    app.add_middleware(ConditionalGetMiddleware)
    return app
