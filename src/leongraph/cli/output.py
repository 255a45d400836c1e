"""What the CLI prints on standard output: a table for a person at a terminal, a machine
format (JSON) when piped, and whichever ``--format`` asks for."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence

from leongraph.vocab import PREFIXES


def add_format_option(
    p: argparse.ArgumentParser, choices: Sequence[str] = ("table", "json")
) -> None:
    p.add_argument(
        "--format",
        choices=choices,
        default=None,
        help="table or json (default: a table on a terminal, json when piped)",
    )


def on_terminal() -> bool:
    return bool(getattr(sys.stdout, "isatty", lambda: False)())


def chosen(args: argparse.Namespace) -> str:
    """``--format``, else a table on a terminal and JSON when piped."""
    fmt = getattr(args, "format", None)
    if fmt:
        return str(fmt)
    return "table" if on_terminal() else "json"


def write_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], cut: int = 60) -> str:
    """An aligned text table: a header, a rule, one line per row (cells cut at ``cut``).

    >>> print(table(["n", "name"], [["1", "Léon"], ["12", "Mathilda"]]), end="")
    n   name
    --  --------
    1   Léon
    12  Mathilda
    """
    cells = [[c if len(c) <= cut else c[: cut - 1] + "…" for c in row] for row in rows]
    widths = [_width(h) for h in header]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]

    def line(row: Sequence[str]) -> str:
        padded = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
        return "  ".join(padded).rstrip() + "\n"

    return "".join([line(header), line(["-" * w for w in widths]), *map(line, cells)])


def short(iri: str) -> str:
    """An IRI with the longest known prefix, else in angle brackets."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(str(ns))), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(str(best)) :]}"


def results_table(doc: dict) -> str:
    """A SPARQL JSON results document (SELECT or ASK) as an aligned table."""
    if "boolean" in doc:
        return ("true" if doc["boolean"] else "false") + "\n"
    names = list(doc["head"]["vars"])
    rows = []
    for binding in doc["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append("")
            elif term["type"] == "uri":
                row.append(short(term["value"]))
            elif term["type"] == "bnode":
                row.append("_:" + term["value"])
            else:
                row.append(term["value"] + (f"@{term['xml:lang']}" if "xml:lang" in term else ""))
        rows.append(row)
    n = len(rows)
    return table(names, rows) + f"({n} row{'s' if n != 1 else ''})\n"
