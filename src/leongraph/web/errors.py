"""The one error body. Every refusal, ``LeongraphError`` or the framework's own (404, 405, a bad
parameter), and every bug is answered as ``{"error": {status, title, message, ...}}`` (plain
text for clients that ask for it), with the headers the error declares."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leongraph.errors import LeongraphError


def error_body(status: int, title: str, message: str, **details: object) -> dict[str, object]:
    """The one error shape every route returns: {"error": {"status", "title", "message", ...}}."""
    body: dict[str, object] = {"status": status, "title": title, "message": message}
    body.update({k: v for k, v in details.items() if v is not None})
    return {"error": body}


def error_response(
    accept: str,
    status: int,
    title: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    **details: object,
) -> Response:
    """JSON by default; plain text for clients that ask for text/plain and not JSON."""
    if "text/plain" in accept and "json" not in accept:
        lines = [f"{status} {title}: {message}"]
        lines += [f"{k}: {v}" for k, v in details.items() if v is not None]
        return PlainTextResponse("\n".join(lines) + "\n", status_code=status, headers=headers)
    return JSONResponse(
        error_body(status, title, message, **details), status_code=status, headers=headers
    )


def render_error(accept: str, exc: LeongraphError) -> Response:
    return error_response(accept, exc.status, exc.title, exc.message, exc.headers, **exc.details)


def bug_response(accept: str) -> Response:
    """A real bug: the one error body with 500, never a stack trace."""
    return error_response(
        accept, 500, "Internal error", "The server failed to answer; this is a bug in leongraph."
    )


_TITLES = {404: "Not found", 405: "Method not allowed"}


def install(app: FastAPI) -> None:
    """Render the domain's and the framework's errors as the one error body."""

    @app.exception_handler(LeongraphError)
    async def _domain_error(request: Request, exc: LeongraphError) -> Response:
        return render_error(request.headers.get("accept", ""), exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(
            request.headers.get("accept", ""),
            exc.status_code,
            _TITLES.get(exc.status_code, "Error"),
            str(exc.detail),
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(
            request.headers.get("accept", ""),
            400,
            "Bad request",
            "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                for e in exc.errors()
            ),
        )


class BugMiddleware:
    """Answers a bug with the one error body from inside the other middleware, so that a 500
    carries the CORS headers too (the framework's own handler runs outside every middleware).
    The exception goes on up once answered, for the server to log, as Starlette's own does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if not started:
                response = bug_response(Headers(scope=scope).get("accept", ""))
                await response(scope, receive, send)
            raise
