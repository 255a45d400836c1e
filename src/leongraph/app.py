"""The HTTP application: create_app(settings, store) wires the routers of each module, maps the
error classes to one error body, and holds no module-level state."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

from leongraph import __version__
from leongraph.config import Settings
from leongraph.errors import LeongraphError
from leongraph.executor import create_executor
from leongraph.fastpath import SparqlFastPath
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


class _App(FastAPI):
    """FastAPI with the hot path of /sparql (fastpath.py) in front of every layer: a query
    from a program is answered before routing and middleware; everything else, errors
    included, goes through them."""

    fast: SparqlFastPath

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await self.fast(scope, receive, send)


def create_app(settings: Settings, store: Store) -> FastAPI:
    """Build the application for one settings object and one loaded store."""
    from leongraph import export, pages, quickstatements, reconcile, sparql, ui

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The reconciliation name index reads every resource: built at start-up for the
        # bundled graph, on first use for an on-disk store (which must open at once, whatever
        # its size: a 1M-triple store takes minutes to index).
        if settings.store_path is None:
            reconcile.index_of(app.state)
        yield
        app.state.executor.close()

    app = _App(
        lifespan=lifespan,
        title="leongraph",
        version=__version__,
        # No root_path here (deprecated in FastAPI): the server sets scope["root_path"]
        # (`uvicorn --root-path`, passed by `leongraph serve --root-path`).
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # No OpenTelemetry: its per-request check costs more than routing a query.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.store = store
    app.state.executor = create_executor(store, settings)  # forks the query workers' zygote

    @app.exception_handler(LeongraphError)
    async def _domain_error(request: Request, exc: LeongraphError) -> Response:
        return error_response(
            request,
            exc.status,
            exc.title,
            exc.message,
            headers=getattr(exc, "headers", None),
            **exc.details,
        )

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        """A real bug: the one error body with 500, never a stack trace."""
        return error_response(
            request,
            500,
            "Internal error",
            "The server failed to answer; this is a bug in leongraph.",
        )

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

    for module in (sparql, export, pages, reconcile, quickstatements, ui):
        app.include_router(module.router)
    # Outermost last: gzip large answers, then CORS (so even errors carry the CORS headers).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if settings.cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=["X-Leongraph-Truncated", "Content-Length", "ETag"],
            max_age=86400,
        )
    # ETag / Last-Modified / 304 on every GET: the graph is read-only while served.
    from leongraph.conditional import ConditionalGetMiddleware

    app.add_middleware(ConditionalGetMiddleware)
    app.fast = SparqlFastPath(functools.partial(FastAPI.__call__, app), cors=settings.cors)
    return app
