"""A small SPARQL lexer: enough to see what a query or update asks for before any engine reads
it (SERVICE calls, update operations, FROM / FROM NAMED graphs), without being fooled by
comments, strings (short and long), IRIs or prefixed names that merely contain those words,
and seeing through ``\\u`` escapes exactly as the engines do. When in doubt it reports more
than is there (a refused query), never less (a fetch).

It does not validate: text it cannot make sense of is left for the engine's parser, which
reports the syntax error with its line and column.

>>> t = scan('PREFIX ex: <http://e/> SELECT * FROM ex:g WHERE { SERVICE <http://x/> {} } # LOAD')
>>> t.form, t.from_default, [s.iri for s in t.services], t.operations
('SELECT', ['http://e/g'], ['http://x/'], [])
>>> scan('SELECT ("SERVICE <http://x/>" AS ?s) {}').services
[]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_OPERATIONS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040-"
_PREFIX = rf"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"
_LOCAL_CHAR = rf"(?:[{_PN_CHARS}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])"
_LOCAL = rf"(?:(?:[{_PN_CHARS_BASE}_:0-9]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])"
_LOCAL += rf"(?:(?:{_LOCAL_CHAR}|\.)*{_LOCAL_CHAR})?)?"

_TOKENS = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)"
            r'|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)'
            r"|'(?:[^'\\\r\n]|\\.)*(?:'|$)"
            r'|"(?:[^"\\\r\n]|\\.)*(?:"|$))',
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            r"(?P<var>[?$][\w\u00b7\u00c0-\U000effff]*)",
            r"(?P<bnode>_:[^\s.;,(){}\[\]]*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)
# A prefixed name is tried only where a word or another character starts (ws, comments,
# strings, IRIs, variables and blank nodes win over it). Its prefix is made of [PN_CHARS.] and
# ends at a ':', so it can only match where the run of such characters from here ends at a
# ':' and not after a '.': that run is found once for all its positions (no rescanning to the
# end from each position, which made the lexer quadratic).
_PNAME = re.compile(rf"{_PREFIX}:{_LOCAL}", re.DOTALL)
_PREFIX_RUN = re.compile(rf"[{_PN_CHARS}.]*")


@dataclass(frozen=True)
class Token:
    kind: str  # ws, comment, string, iri, pname, var, bnode, word, other
    text: str
    offset: int


@dataclass(frozen=True)
class Service:
    """One ``SERVICE [SILENT] <iri>|?var`` clause; ``iri`` is None when the target is a
    variable (which could be bound to any endpoint at run time)."""

    iri: str | None
    silent: bool
    line: int
    column: int
    target: str  # as written


@dataclass
class QueryText:
    """What the text asks for, as far as a lexer can tell."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or the first update keyword
    operations: list[str] = field(default_factory=list)  # update keywords, in order
    services: list[Service] = field(default_factory=list)
    from_default: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    depth: int = 0  # the deepest nesting of braces, parentheses and brackets
    unions: int = 0  # UNION keywords
    values_rows: int = 0  # rows of every VALUES block, together

    @property
    def is_update(self) -> bool:
        return bool(self.operations)

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_default or self.from_named)


def tokens(text: str) -> Iterator[Token]:
    """Every significant token (no whitespace, no comments), in time linear in the text."""
    pos, end = 0, len(text)
    run_end, colon = -1, False  # the [PN_CHARS.] run holding pos, and whether a ':' ends it
    while pos < end:
        m = _TOKENS.match(text, pos)
        assert m is not None  # "other" matches any character
        kind = m.lastgroup or "other"
        if kind in ("word", "other"):
            if pos >= run_end:
                run_end = _PREFIX_RUN.match(text, pos).end()  # type: ignore[union-attr]
                if run_end == pos:
                    colon = text[pos] == ":"
                else:
                    colon = run_end < end and text[run_end] == ":" and text[run_end - 1] != "."
            if colon:
                pname = _PNAME.match(text, pos)
                if pname is not None:
                    m, kind = pname, "pname"
        if kind not in ("ws", "comment"):
            yield Token(kind, m.group(), pos)
        pos = m.end()


def scan(text: str, prefixes: Mapping[str, str] | None = None) -> QueryText:
    """Lex ``text`` once; ``prefixes`` are the ones predeclared for every query."""
    text = unescape_codepoints(text)
    known = dict(prefixes or {})
    base: str | None = None
    result = QueryText()
    toks = list(tokens(text))
    _measure(toks, result)
    i = 0
    while i < len(toks):
        tok = toks[i]
        word = tok.text.upper() if tok.kind == "word" else None
        if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            name = toks[i + 1].text
            if name.endswith(":"):
                known[name[:-1]] = _resolve(toks[i + 2].text[1:-1], base)
                i += 3
                continue
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            base = _resolve(toks[i + 1].text[1:-1], base)
            i += 2
            continue
        if word in QUERY_FORMS and result.form is None:
            result.form = word
        elif word in UPDATE_OPERATIONS:
            result.operations.append(word)
            result.form = result.form or word
        elif word == "FROM":
            i = _from_clause(toks, i, known, base, result)
            continue
        elif word == "SERVICE":
            i = _service_clause(text, toks, i, known, base, result)
            continue
        i += 1
    return result


def _measure(toks: list[Token], result: QueryText) -> None:
    """Nesting depth, UNION keywords and VALUES rows: what the engines' parsers (recursive,
    or building a row per value) must never be given too much of."""
    depth, pending, values = 0, False, -1  # values: the depth inside a VALUES block, or -1
    for n, tok in enumerate(toks):
        if tok.kind == "other" and tok.text in "{([":
            if values >= 0 and depth == values and tok.text == "(":
                result.values_rows += 1  # a row of VALUES (?a ?b) { (1 2) … }
            depth += 1
            result.depth = max(result.depth, depth)
            if pending and tok.text == "{":
                pending, values = False, depth
        elif tok.kind == "other" and tok.text in "})]":
            depth = max(depth - 1, 0)
            values = -1 if depth < values else values
        elif tok.kind == "word" and tok.text.upper() == "UNION":
            result.unions += 1
        elif tok.kind == "word" and tok.text.upper() == "VALUES":
            pending = True
        elif values >= 0 and depth == values and not _continues(toks[n - 1], tok):
            result.values_rows += 1  # a value of VALUES ?a { 1 2 … }


def _continues(prev: Token, tok: Token) -> bool:
    """Whether ``tok`` continues the term before it (``-1.5e3``, ``"a"@en``, ``"1"^^x:y``)."""
    return (
        prev.offset + len(prev.text) == tok.offset
        and tok.kind in ("other", "word", "pname")
        and prev.kind in ("other", "word", "string")
    )


def _from_clause(
    toks: list[Token], i: int, known: Mapping[str, str], base: str | None, result: QueryText
) -> int:
    j = i + 1
    named = j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED"
    if named:
        j += 1
    if j < len(toks):
        iri = _iri(toks[j], known, base)
        if iri is not None:
            (result.from_named if named else result.from_default).append(iri)
            return j + 1
    return j


def _service_clause(
    text: str,
    toks: list[Token],
    i: int,
    known: Mapping[str, str],
    base: str | None,
    result: QueryText,
) -> int:
    j = i + 1
    silent = j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT"
    if silent:
        j += 1
    target = toks[j] if j < len(toks) else None
    iri = _iri(target, known, base) if target is not None else None
    line, column = position(text, toks[i].offset)
    result.services.append(
        Service(iri, silent, line, column, target.text if target is not None else "")
    )
    return j + 1 if target is not None else j


def _iri(tok: Token, known: Mapping[str, str], base: str | None) -> str | None:
    if tok.kind == "iri":
        return _resolve(tok.text[1:-1], base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in known:
            return known[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def _resolve(iri: str, base: str | None) -> str:
    if base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
        return urljoin(base, iri)
    return iri


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """SPARQL 1.1 §19.2: ``\\uXXXX`` escapes are replaced before parsing, anywhere in the text
    (both engines do it), so ``SERV\\u0049CE`` is a SERVICE keyword and must be seen as one."""

    def replace(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _CODEPOINT.sub(replace, text)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
