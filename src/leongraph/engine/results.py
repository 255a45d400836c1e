"""SPARQL 1.1 results writers (JSON, XML, CSV, TSV) over engine-neutral terms.

They write exactly the bytes Oxigraph's own serialisers write, so both engines answer a query
with the same bytes; the Oxigraph engine uses its native serialiser whenever it can (it is
faster) and these writers only when a row cap must cut the answer short, while the rdflib
engine always uses them (rdflib has no TSV writer and is several times slower).

A term is a tuple ``(type, value, language, datatype)`` with type one of ``uri``, ``bnode`` or
``literal``; ``datatype`` is None for plain strings and language-tagged literals.

>>> b"".join(write_rows("csv", ["s"], [(("uri", "http://e/a", None, None),)]))
b's\\r\\nhttp://e/a\\r\\n'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

from leongraph.vocab import SPARQL_RESULTS, XSD

Term = tuple[str, str, str | None, str | None]
T = TypeVar("T")
R = TypeVar("R")
Row = Sequence[Term | None]

_BATCH = 256  # rows per yielded chunk: few writes, bounded memory

# Lexical forms Turtle writes without quotes (Oxigraph's TSV does the same).
_SHORT = {
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
    XSD + "double": re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


#: JSON string literal, non-ASCII kept as is (the C encoder json.dumps itself uses).
_dumps: Callable[[str], str] = json.encoder.encode_basestring


def _json_term(t: Term) -> str:
    kind, value, lang, dt = t
    if kind != "literal":
        return f'{{"type":"{kind}","value":{_dumps(value)}}}'
    if lang:
        return f'{{"type":"literal","value":{_dumps(value)},"xml:lang":{_dumps(lang)}}}'
    if dt:
        return f'{{"type":"literal","value":{_dumps(value)},"datatype":{_dumps(dt)}}}'
    return f'{{"type":"literal","value":{_dumps(value)}}}'


def _xml_term(t: Term) -> str:
    kind, value, lang, dt = t
    if kind != "literal":
        return f"<{kind}>{escape(value)}</{kind}>"
    text = escape(value, {'"': "&quot;", "'": "&apos;"})
    if lang:
        return f"<literal xml:lang={quoteattr(lang)}>{text}</literal>"
    if dt:
        return f"<literal datatype={quoteattr(dt)}>{text}</literal>"
    return f"<literal>{text}</literal>"


def _csv_value(t: Term | None) -> str:
    if t is None:
        return ""
    value = "_:" + t[1] if t[0] == "bnode" else t[1]
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_value(t: Term | None) -> str:
    if t is None:
        return ""
    kind, value, lang, dt = t
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return "_:" + value
    if dt in _SHORT and _SHORT[dt].fullmatch(value):
        return value
    quoted = '"' + value.translate(_NT_ESCAPES) + '"'
    if lang:
        return f"{quoted}@{lang}"
    return f"{quoted}^^<{dt}>" if dt else quoted


def _batched(rows: Iterable[R], render: Callable[[R], str]) -> Iterator[bytes]:
    batch: list[str] = []
    for row in rows:
        batch.append(render(row))
        if len(batch) >= _BATCH:
            yield "".join(batch).encode()
            batch.clear()
    if batch:
        yield "".join(batch).encode()


def write_rows(fmt: str, variables: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """The results of a SELECT query in format ``fmt`` (json, xml, csv or tsv), in chunks."""
    if fmt == "json":
        yield from json_rows(variables, rows, _json_term)
    elif fmt == "xml":
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        yield (
            '<?xml version="1.0"?><sparql xmlns="' + SPARQL_RESULTS + '">'
            f"<head>{head}</head><results>"
        ).encode()
        yield from _batched(rows, lambda row: _xml_row(variables, row))
        yield b"</results></sparql>"
    elif fmt == "csv":
        yield (",".join(variables) + "\r\n").encode()
        yield from _batched(rows, lambda row: ",".join(map(_csv_value, row)) + "\r\n")
    elif fmt == "tsv":
        yield ("\t".join("?" + v for v in variables) + "\n").encode()
        yield from _batched(rows, lambda row: "\t".join(map(_tsv_value, row)) + "\n")
    else:
        raise ValueError(f"unknown results format {fmt!r}")


def json_rows(
    variables: Sequence[str], rows: Iterable[Sequence[T | None]], term: Callable[[T], str]
) -> Iterator[bytes]:
    """SPARQL JSON results whose terms ``term`` renders: an engine may pass its own terms and
    renderer to skip converting them to tuples first."""
    yield ('{"head":{"vars":' + json.dumps(list(variables), separators=(",", ":"))).encode()
    yield b'},"results":{"bindings":['
    keys = [_dumps(v) + ":" for v in variables]

    def render(row: Sequence[T | None]) -> str:
        return (
            ",{"
            + ",".join([k + term(t) for k, t in zip(keys, row, strict=True) if t is not None])
            + "}"
        )

    first = True
    for chunk in _batched(rows, render):
        yield chunk[1:] if first else chunk  # the first row carries no leading comma
        first = False
    yield b"]}}"


def _xml_row(variables: Sequence[str], row: Row) -> str:
    cells = (
        f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
        for v, t in zip(variables, row, strict=True)
        if t
    )
    return "<result>" + "".join(cells) + "</result>"


def write_boolean(fmt: str, value: bool) -> bytes:
    """The answer to an ASK query in format ``fmt``."""
    text = "true" if value else "false"
    if fmt == "json":
        return f'{{"head":{{}},"boolean":{text}}}'.encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?><sparql xmlns="' + SPARQL_RESULTS + '">'
            f"<head></head><boolean>{text}</boolean></sparql>"
        ).encode()
    if fmt in ("csv", "tsv"):
        return text.encode()
    raise ValueError(f"unknown results format {fmt!r}")
