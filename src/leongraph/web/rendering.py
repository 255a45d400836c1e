"""What every HTML or RDF answer of the web layer shares: the templates, the proxy's path
prefix, the checked Accept header, the format chosen by suffix or negotiation, and the
alternate-format headers of a negotiated URL."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from leongraph.errors import BadRequest
from leongraph.formats import HTML, RdfFormat, _Format
from leongraph.negotiation import negotiate, parse_accept

RDF_FORMATS: tuple[RdfFormat, ...] = RdfFormat.all()
OFFERED: tuple[_Format, ...] = (HTML, *RDF_FORMATS)


@functools.cache
def templates() -> Environment:
    return Environment(
        loader=PackageLoader("leongraph.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def root_path(request: Request) -> str:
    return str(request.scope.get("root_path") or "").rstrip("/")


def choose_format(request: Request, suffix: str | None) -> _Format:
    """The format asked for by suffix, else by the Accept header (HTML when indifferent)."""
    if suffix is not None:
        fmt = HTML if suffix == "html" else RdfFormat.from_extension(suffix)
        if fmt is None:
            known = ", ".join("." + f.extension for f in OFFERED)
            raise BadRequest(f"unknown format suffix .{suffix}; use one of {known}")
        return fmt
    return negotiate(checked_accept(request), OFFERED, HTML)


def checked_accept(request: Request) -> str | None:
    """The Accept header; BadRequest if it is present but cannot be parsed."""
    accept = request.headers.get("accept")
    if accept and accept.strip() and parse_accept(accept) is None:
        raise BadRequest(f"malformed Accept header: {accept[:200]!r}")
    return accept


def headers_for(request: Request, path: str, suffix: str | None, fmt: _Format) -> dict[str, str]:
    """Vary on negotiated URLs; Link to every alternate; Content-Location to the chosen one."""
    base = root_path(request) + path
    links = [f'<{base}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in OFFERED]
    headers = {"Link": ", ".join(links)}
    if suffix is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{base}.{fmt.extension}"
    return headers


def asset_url(root: str, name: str) -> str:
    """A static file's URL, versioned by its content so a changed file is never stale."""
    data = (Path(__file__).resolve().parent / "static" / name).read_bytes()
    return f"{root}/static/{name}?v={hashlib.sha256(data).hexdigest()[:10]}"


def render(request: Request, template: str, status: int = 200, **context: object) -> Response:
    root = root_path(request)
    page = (
        templates()
        .get_template(template)
        .render(
            root=root,
            request_path=request.url.path,
            site_css=asset_url(root, "query.css"),
            icon=asset_url(root, "favicon.svg"),
            **context,
        )
    )
    return HTMLResponse(page, status_code=status)


def rdf_response(body: bytes, fmt: _Format, headers: dict[str, str]) -> Response:
    return Response(body, media_type=fmt.content_type, headers=headers)


def public_base(request: Request) -> str:
    """Where clients reach this server (with the proxy prefix), ending in a slash."""
    return str(request.base_url).rstrip("/") + "/"
