"""The HTTP application: ``create_app(settings, store)`` builds the app state, includes the
routes, installs the one error body and the middleware, and puts the hot path of ``/sparql``
in front. No module-level state."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from leongraph import __version__
from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.sparql.pipeline import QueryPipeline
from leongraph.sparql.workers import create_executor
from leongraph.web import errors
from leongraph.web.conditional import ConditionalGetMiddleware
from leongraph.web.hotpath import HotPath
from leongraph.web.routes import data, pages, query_page, sparql, wikidata
from leongraph.web.state import AppState, Derived

#: Answers at least this long are gzipped for clients that accept it; from the second size on,
#: in a thread, so that a long compression never holds up the event loop.
GZIP_MINIMUM = 1024
GZIP_THREAD_MINIMUM = 128 * 1024


class LeongraphApp(FastAPI):
    """FastAPI with the hot path of /sparql (hotpath.py) in front of every layer, and the
    app's state as one typed attribute."""

    leongraph: AppState
    hot_path: HotPath

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await self.hot_path(scope, receive, send)


def middleware(settings: Settings) -> list[Middleware]:
    """The layers every answer passes, outermost first: validators and 304s on GET, CORS (so
    errors carry its headers too), gzip for large answers, and the bug catcher."""
    layers = [Middleware(ConditionalGetMiddleware)]
    if settings.cors:
        layers.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["X-Leongraph-Truncated", "Content-Length", "ETag"],
                max_age=86400,
            )
        )
    gzip = Middleware(
        GZipMiddleware, minimum_size=GZIP_MINIMUM, thread_minimum_size=GZIP_THREAD_MINIMUM
    )
    layers += [gzip, Middleware(errors.BugMiddleware)]
    return layers


def wrap(app: ASGIApp, layers: list[Middleware]) -> ASGIApp:
    """``app`` inside ``layers`` (outermost first), as Starlette builds its stack."""
    for cls, args, kwargs in reversed(layers):
        app = cls(app, *args, **kwargs)
    return app


def create_app(settings: Settings, store: Store, *, derived: Derived | None = None) -> FastAPI:
    """Build the application for one settings object and one loaded store. ``derived`` lets
    apps over the same store and settings share what is computed from the data (tests)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The reconciliation name index reads every resource: built at start-up for the
        # bundled graph, on first use for an on-disk store (which must open at once, whatever
        # its size: a 1M-triple store takes minutes to index).
        if settings.store_path is None:
            state.reconciliation_index()
        yield
        state.executor.close()

    layers = middleware(settings)
    app = LeongraphApp(
        lifespan=lifespan,
        title="leongraph",
        version=__version__,
        # No root_path here (deprecated in FastAPI): the server sets scope["root_path"]
        # (`uvicorn --root-path`, passed by `leongraph serve --root-path`).
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        middleware=layers,
        # No OpenTelemetry: its per-request check costs more than routing a query.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    executor = create_executor(store, settings)  # forks the query workers' zygote
    state = AppState(
        settings,
        store,
        executor,
        QueryPipeline(settings, executor, store.fingerprint),
        derived or Derived(settings, store),
    )
    app.leongraph = state
    errors.install(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, object]:
        return {
            "status": "ok",
            "engine": store.engine,
            "triples": len(store),
            "answer_cache": state.pipeline.cache.stats(),
        }

    for module in (sparql, data, pages, wikidata, query_page):
        app.include_router(module.router)
    app.hot_path = HotPath(
        functools.partial(FastAPI.__call__, app),
        state.pipeline,
        functools.partial(wrap, layers=layers),
        max_body_bytes=settings.max_body_bytes,
        gzip_minimum=GZIP_MINIMUM,
        last_modified=lambda: state.publication().http_date,
        cors=settings.cors,
    )
    return app
