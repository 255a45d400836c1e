"""HTTP content negotiation as one pure function: an Accept header and the formats a route
offers in, the chosen format (or NotAcceptable listing what is offered) out.

Rules (RFC 9110 §12.5.1): each media range may carry ``q`` (0 to 1, three decimals; ``q=0``
excludes); a more specific range wins over a less specific one for the same format
(``text/turtle;q=0`` beats ``*/*``); among equal q-values the client's order decides, then the
route's (its default first). Media-type parameters such as a JSON-LD ``profile`` add
specificity but need not match; ``charset`` is ignored (every format here is UTF-8). A
header that cannot be parsed at all is treated like no header (the route's default), as most
servers do.

>>> from leongraph.formats import JSON, XML, CSV
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", [JSON, XML, CSV], JSON).name
'xml'
>>> negotiate(None, [JSON, XML], JSON).name
'json'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from leongraph.errors import NotAcceptable
from leongraph.formats import _Format

F = TypeVar("F", bound=_Format)

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN})/({_TOKEN})\s*$")
_PARAM = re.compile(rf'^\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*$')
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
_IGNORED_PARAMS = frozenset({"charset"})


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float
    order: int

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        if self.type != "*" and self.type != main:
            return False
        # Parameters (a JSON-LD profile, say) make a range more specific but do not stop it
        # matching: serving the plain format beats refusing with 406.
        return self.subtype == "*" or self.subtype == sub


def parse_accept(header: str) -> list[MediaRange] | None:
    """The media ranges of an Accept header, or None if it is malformed beyond use."""
    ranges: list[MediaRange] = []
    for order, element in enumerate(_split(header)):
        if not element.strip():
            continue
        head, *raw_params = element.split(";")
        match = _RANGE.match(head)
        if match is None:
            return None
        main, sub = match.group(1).lower(), match.group(2).lower()
        if main == "*" and sub != "*":
            return None
        q = 1.0
        params: list[tuple[str, str]] = []
        for raw in raw_params:
            if not raw.strip():
                continue
            pm = _PARAM.match(raw)
            if pm is None:
                return None
            name, value = pm.group(1).lower(), pm.group(2).strip('"')
            if name == "q":
                if not _QVALUE.match(value):
                    return None
                q = float(value)
                break  # what follows q are accept-extensions, not media-type parameters
            if name not in _IGNORED_PARAMS:
                params.append((name, value.lower()))
        ranges.append(MediaRange(main, sub, tuple(params), q, order))
    return ranges


def _split(header: str) -> list[str]:
    """Split on commas that are not inside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def negotiate(accept: str | None, offered: Sequence[F], default: F) -> F:
    """The offered format the client prefers; ``default`` when it states no preference.

    Raises NotAcceptable (406) naming every offered media type when nothing offered is
    acceptable."""
    if not accept or not accept.strip():
        return default
    ranges = parse_accept(accept)
    if ranges is None or not ranges:
        return default
    best: tuple[float, int, int, int] | None = None
    chosen: F | None = None
    for position, fmt in enumerate(_with_default_first(offered, default)):
        quality = _quality(ranges, fmt)
        if quality is None or quality[0] <= 0:
            continue
        key = (quality[0], -quality[1], -position, 0)
        if best is None or key > best:
            best, chosen = key, fmt
    if chosen is None:
        raise NotAcceptable(
            "None of the media types this resource offers is acceptable: "
            + ", ".join(f.media_type for f in offered),
            offered=[f.media_type for f in offered],
        )
    return chosen


def _with_default_first(offered: Sequence[F], default: F) -> list[F]:
    """The default wins ties (e.g. ``*/*``), then the route's order."""
    return [default, *(f for f in offered if f != default)] if default in offered else [*offered]


def _quality(ranges: list[MediaRange], fmt: _Format) -> tuple[float, int] | None:
    """(q, order of the deciding range) for ``fmt``: the most specific range matching its main
    media type decides, or, if none does, the most specific matching one of its aliases."""
    for media_type in fmt.media_types:
        found: tuple[int, float, int] | None = None  # (specificity, q, order)
        for r in ranges:
            if r.matches(media_type):
                candidate = (r.specificity, r.q, r.order)
                # The most specific range decides; among equally specific, the higher q.
                if found is None or candidate[:2] > found[:2]:
                    found = candidate
        if found is not None:
            return found[1], found[2]
    return None
