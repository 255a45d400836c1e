"""The HTTP application: ``create_app(settings, store)`` builds the app state, includes the
routes, installs the one error body and the middleware, and puts the hot path of ``/sparql``
in front. No module-level state."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from leongraph import __version__
from leongraph.config import Settings
from leongraph.edits.auth import Gate
from leongraph.edits.editor import Editor
from leongraph.engine import RemoteStore, Store
from leongraph.engine.editing import mirror
from leongraph.errors import LeongraphError
from leongraph.sparql.pipeline import QueryPipeline
from leongraph.sparql.placement import Triage
from leongraph.sparql.workers import Executor, ProcessExecutor, create_executor
from leongraph.web import apidocs, errors
from leongraph.web.conditional import ConditionalGetMiddleware
from leongraph.web.hotpath import HotPath
from leongraph.web.routes import data, edits, pages, query_page, sparql, wikidata
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
                allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=[
                    "X-Leongraph-Truncated",
                    "X-Leongraph-Streamed",
                    "Content-Length",
                    "ETag",
                ],
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


def _executor(store: Store, settings: Settings) -> Executor:
    """With edits, the query workers evaluate on an in-memory copy of the store that each
    edit's change keeps in step: a forked process must never touch a database the server
    writes."""
    if not settings.edits or settings.workers <= 0 or not hasattr(os, "fork"):
        return create_executor(store, settings)
    triage = Triage(store) if settings.in_process and store.statistics_available else None
    return ProcessExecutor(mirror(store), settings, triage)


def create_app(settings: Settings, store: Store, *, derived: Derived | None = None) -> LeongraphApp:
    """Build the application for one settings object and one loaded store. ``derived`` lets
    apps over the same store and settings share what is computed from the data (tests)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The reconciliation name index reads every resource: built at start-up for the
        # bundled graph; for an on-disk store or a remote engine (which must open at once,
        # whatever its size: a 1M-triple store takes seconds to index) in a thread, /healthz
        # saying when it is ready.
        if settings.store_path is None and settings.store_url is None:
            state.reconciliation_index()
        else:
            threading.Thread(target=state.reconciliation_index, daemon=True).start()
        # ETags and dates come from the publication: built in a thread from the start (a
        # remote engine counts its graphs for it; a request meanwhile waits for it in a thread),
        # then watched (state.py).
        threading.Thread(target=state.derived.built, daemon=True).start()
        stop = threading.Event()
        threading.Thread(target=state.watch, args=(stop,), daemon=True).start()
        yield
        stop.set()
        state.executor.close()

    layers = middleware(settings)
    app = LeongraphApp(
        lifespan=lifespan,
        title="leongraph",
        version=__version__,
        # No root_path here (deprecated in FastAPI): the server sets scope["root_path"]
        # (`uvicorn --root-path`, passed by `leongraph serve --root-path`).
        docs_url=None,  # apidocs.py: Swagger UI from bundled files, not a CDN
        redoc_url=None,
        openapi_url=apidocs.OPENAPI_URL,
        middleware=layers,
        # No OpenTelemetry: its per-request check costs more than routing a query.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    # Before the fork: ETags. A remote engine keeps its own data: tokens, but no history.
    local = not isinstance(store, RemoteStore)
    editor = Editor(settings, store) if settings.edits and local else None
    executor = _executor(store, settings)  # forks the query workers' zygote
    state = AppState(
        settings,
        store,
        executor,
        # No answer cache in front of a remote engine: its data may change behind leongraph.
        QueryPipeline(
            settings.replace(answer_cache_mb=0) if isinstance(store, RemoteStore) else settings,
            executor,
            store.fingerprint,
        ),
        derived or Derived(settings, store),
        editor=editor,
        gate=Gate(settings) if settings.edits else None,
    )
    app.leongraph = state
    errors.install(app)
    apidocs.install(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """The counts of the data and whether the reconciliation index is ready; 503 with the
        reason while the query workers are being restarted, or while a remote engine does not
        answer."""
        body: dict[str, object] = {"status": "ok", "engine": store.engine}
        if isinstance(store, RemoteStore):
            body["endpoint"] = store.url
            store.forget()  # counted now: the check must reach the engine
            try:
                await anyio.to_thread.run_sync(store.__len__)
            except LeongraphError as exc:
                body.update(status="engine unavailable", message=exc.message)
                return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})
        derived = state.derived
        found = await anyio.to_thread.run_sync(lambda: derived.counts)
        body.update(
            triples=found.triples,
            quads=found.quads,
            graphs=found.graphs,
            reconciliation_index="ready" if derived.index_ready else "building",
        )
        body["answer_cache"] = state.pipeline.cache.stats()
        problem = state.executor.health()
        if problem is not None:
            body.update(status="degraded", reason=problem)
            return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})
        return JSONResponse(body)

    for module in (sparql, edits, data, pages, wikidata, query_page):
        app.include_router(module.router)
    app.hot_path = HotPath(
        functools.partial(FastAPI.__call__, app),
        state.pipeline,
        functools.partial(wrap, layers=layers),
        max_body_bytes=settings.max_body_bytes,
        gzip_minimum=GZIP_MINIMUM,
        last_modified=functools.partial(_last_modified, state),
        cors=settings.cors,
    )
    return app


async def _last_modified(state: AppState) -> str:
    return (await state.ready_publication()).http_date
