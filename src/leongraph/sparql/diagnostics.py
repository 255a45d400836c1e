"""Syntax errors a person can act on. The engines' parsers report where they gave up and what
their grammar would have taken there: pyoxigraph as a dump of character classes
(``expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' …``), rdflib as the name of a
grammar rule (``Expected SelectQuery``), and both often point past the real mistake.
``explain`` reads the query text itself and says what is wrong at which token, in one line:
an undeclared prefix (with the declaration to add, when the namespace is known), a triple
missing its ``.``, an unclosed ``{`` or string, an unknown keyword, an empty query. The line and
column are those of the token it names. Used by the endpoint, the query page (which shows the
endpoint's message) and ``leongraph query`` alike.

>>> explain("SELECT * WHERE { ?s dc:title ?o }", 1, 29).message
"Undeclared prefix 'dc:' at line 1, column 21; add PREFIX dc: <http://purl.org/dc/elements/1.1/>"
>>> explain("SELECT * WHERE { ?s ?p ?o ?x ?y ?z }", 1, 35).message
"Syntax error at line 1, column 27, at '?x': expected '.' or '}' after the triple '?s ?p ?o'"
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from leongraph.errors import QuerySyntaxError
from leongraph.sparql.lexer import Token, position, tokens
from leongraph.vocab import PREFIXES, WELL_KNOWN_PREFIXES

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_PROLOGUE = ("PREFIX", "BASE")
_TERMS = ("var", "iri", "pname", "string", "bnode")
#: Words after which the terms of a group are not a triple (expressions, VALUES rows, …).
_NOT_TRIPLES = frozenset(
    {"FILTER", "BIND", "VALUES", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "SELECT"}
)
#: An IRI with a character IRIs may not hold (a space, a quote …) before its '>'.
_BAD_IRI = re.compile(r"<[A-Za-z][\w+.-]*:[^<>\s\"{}|^`\\]*[\s\"{}|^`\\][^<>\n]*>")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
#: Parser messages worth keeping, once stripped of character classes: quoted tokens, keywords.
_EXPECTED = re.compile(r"expected (?:one of )?(.+)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class _Finding:
    offset: int
    message: str  # what is wrong at the token at ``offset``


def explain(
    text: str, line: int | None, column: int | None, parser_message: str = ""
) -> QuerySyntaxError:
    """The syntax error to show for ``text``, which a parser refused at ``line``:``column``
    (1-based, or None) with ``parser_message``."""
    toks = list(tokens(text))
    error_offset = _offset(text, line, column)
    rules = (
        _empty,
        _unclosed_string,
        _bad_iri,
        _undeclared_prefix,
        _projection,
        _where,
        _braces,
        _missing_dot,
        _dangling_operator,
    )
    for rule in rules:
        found = rule(text, toks, error_offset)
        if found is not None:
            return _error(text, found)
    found = _at_token(text, toks, error_offset, parser_message)
    return _error(text, found)


def is_prefix_error(message: str) -> bool:
    """True when an engine's message is about an unknown prefix (rdflib raises it while
    translating a query that parsed)."""
    return "Unknown namespace prefix" in message or "Prefix not found" in message


def _error(text: str, found: _Finding) -> QuerySyntaxError:
    line, column = position(text, min(found.offset, len(text)))
    message = found.message.replace("{where}", f"line {line}, column {column}")
    return QuerySyntaxError(message, line=line, column=column)


def _offset(text: str, line: int | None, column: int | None) -> int:
    if line is None:
        return len(text)
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    if line > len(starts):
        return len(text)
    return min(starts[line - 1] + max((column or 1) - 1, 0), len(text))


def _shown(tok: Token) -> str:
    return tok.text if len(tok.text) <= 40 else tok.text[:37] + "..."


def _is_term(tok: Token) -> bool:
    return (
        tok.kind in _TERMS
        or (tok.kind == "word" and (tok.text == "a" or tok.text in ("true", "false")))
        or (tok.kind == "other" and tok.text.isdigit())
        or bool(_NUMBER.match(tok.text))
    )


def _empty(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    if toks:
        return None
    return _Finding(0, "The query is empty: write a SELECT, ASK, CONSTRUCT or DESCRIBE query")


def _unclosed_string(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    for tok in toks:
        if tok.kind != "string":
            continue
        quote = tok.text[:3] if tok.text[:3] in ('"""', "'''") else tok.text[0]
        body = tok.text[len(quote) :]
        if (
            len(tok.text) < 2 * len(quote)
            or not body.endswith(quote)
            or body.endswith("\\" + quote)
        ):
            return _Finding(
                tok.offset, f"Syntax error at {{where}}: the string {quote}… is not closed"
            )
    return None


def _declared(toks: list[Token]) -> set[str]:
    names = set(PREFIXES)
    for i, tok in enumerate(toks[:-1]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX":
            following = toks[i + 1]
            if following.kind == "pname" and following.text.endswith(":"):
                names.add(following.text[:-1])
            elif following.kind == "other" and following.text == ":":
                names.add("")
    return names


def _undeclared_prefix(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    declared = _declared(toks)
    for i, tok in enumerate(toks):
        if tok.kind != "pname":
            continue
        if i and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "PREFIX":
            continue
        if i and toks[i - 1].text == "<" and toks[i - 1].offset + 1 == tok.offset:
            continue  # the start of an IRI that does not close (_bad_iri)
        prefix = tok.text.split(":", 1)[0]
        if prefix in declared:
            continue
        message = f"Undeclared prefix '{prefix}:' at {{where}}"
        if prefix in WELL_KNOWN_PREFIXES:
            return _Finding(
                tok.offset, message + f"; add PREFIX {prefix}: <{WELL_KNOWN_PREFIXES[prefix]}>"
            )
        # a case slip or two letters swapped first (rdsf: is rdfs:), then the nearest name
        close = [p for p in sorted(PREFIXES) if sorted(p) == sorted(prefix.lower())]
        close = close or difflib.get_close_matches(
            prefix.lower(), sorted(PREFIXES), n=1, cutoff=0.6
        )
        if close:
            name = close[0]
            return _Finding(
                tok.offset,
                message + f"; did you mean '{name}:' (<{PREFIXES[name]}>)? "
                f"Otherwise add PREFIX {prefix}: <namespace IRI>",
            )
        return _Finding(tok.offset, message + f"; add PREFIX {prefix}: <namespace IRI>")
    return None


def _bad_iri(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    m = _BAD_IRI.search(text)
    if m is None:
        return None
    return _Finding(
        m.start(),
        "Syntax error at {where}: not a valid IRI; an IRI holds no spaces, quotes or "
        "'{}|^`\\' (write them %-encoded, e.g. %20)",
    )


def _after(toks: list[Token], word: str) -> tuple[Token, Token | None] | None:
    """The first ``word`` keyword and the token after it."""
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == word:
            return tok, toks[i + 1] if i + 1 < len(toks) else None
    return None


def _projection(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    """SELECT takes variables, '*' or (expression AS ?name), separated by spaces."""
    found = _after(toks, "SELECT")
    if found is None:
        return None
    start = toks.index(found[0]) + 1
    while start < len(toks) and toks[start].text.upper() in ("DISTINCT", "REDUCED"):
        start += 1
    depth = 0
    for i in range(start, len(toks)):
        tok = toks[i]
        if depth == 0 and (tok.text == "{" or tok.text.upper() in ("WHERE", "FROM")):
            if i == start:
                return _Finding(
                    tok.offset,
                    f"Syntax error at {{where}}, at '{_shown(tok)}': expected variables, '*' "
                    "or (expression AS ?name) after SELECT",
                )
            return None
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.text == "," and depth == 0:
            return _Finding(
                tok.offset,
                "Syntax error at {where}, at ',': separate the variables after SELECT with "
                "spaces, not commas",
            )
    return None


def _where(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    found = _after(toks, "WHERE")
    if found is None or (found[1] is not None and found[1].text == "{"):
        return None
    following = found[1]
    if following is None:
        return _Finding(len(text.rstrip()), "Syntax error at {where}: expected '{' after WHERE")
    return _Finding(
        following.offset,
        f"Syntax error at {{where}}, at '{_shown(following)}': expected '{{' after WHERE",
    )


def _dangling_operator(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    """An operator with nothing after it: ``FILTER(?o = )``."""
    for i in range(1, len(toks) - 1):
        tok, following = toks[i], toks[i + 1]
        if (
            tok.kind == "other"
            and tok.text in "=<>&|+-/!*"
            and following.text in (")", ",")
            and toks[i - 1].text != "("
        ):
            return _Finding(
                following.offset,
                f"Syntax error at {{where}}, at '{following.text}': expected an expression "
                f"after '{tok.text}'",
            )
    return None


def _braces(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    opened: list[Token] = []
    for tok in toks:
        if tok.text == "{":
            opened.append(tok)
        elif tok.text == "}":
            if not opened:
                return _Finding(tok.offset, "Syntax error at {where}: this '}' closes no '{'")
            opened.pop()
    if opened:
        line, column = position(text, opened[-1].offset)
        return _Finding(
            len(text.rstrip()),
            f"Syntax error at {{where}}: the query ends before the '{{' of line {line}, "
            f"column {column} is closed; expected '}}'",
        )
    return None


def _missing_dot(text: str, toks: list[Token], error_offset: int) -> _Finding | None:
    """A fourth term in a row inside a group: the triple before it lacks its '.'."""
    depth = 0  # brackets and parentheses inside the group
    run: list[Token] = []
    skip = False  # in an expression or a VALUES block
    skip_depth = 0
    projection = False  # in a SELECT clause, until its '{'
    braces = 0
    for tok in toks:
        if tok.offset > error_offset:
            break
        if tok.kind == "word" and tok.text.upper() in _NOT_TRIPLES:
            skip, skip_depth, run = True, braces, []
            projection = tok.text.upper() == "SELECT"
            continue
        if tok.text == "{":
            braces += 1
            run = []
            if projection:
                skip = projection = False
            continue
        if tok.text == "}":
            braces -= 1
            if skip and braces <= skip_depth:
                skip = False
            run = []
            continue
        if tok.text in "([":
            depth += 1
            run = []
            continue
        if tok.text in ")]":
            depth -= 1
            run = [tok] if depth == 0 and tok.text == "]" else []
            if depth == 0 and skip and not projection and braces == skip_depth:
                skip = False  # the end of FILTER(…) or BIND(…)
            continue
        if braces == 0 or depth or skip or not _is_term(tok):
            if tok.kind == "word" or tok.text in ".;,/|^*+?!=<>&":
                run = []
                if tok.text == "." and skip and braces > skip_depth:
                    skip = False
            continue
        run.append(tok)
        if len(run) == 4:
            triple = " ".join(_shown(t) for t in run[:3])
            return _Finding(
                tok.offset,
                f"Syntax error at {{where}}, at '{_shown(tok)}': expected '.' or '}}' after the "
                f"triple '{triple}'",
            )
    return None


def _at_token(text: str, toks: list[Token], error_offset: int, parser: str) -> _Finding:
    """The token at the error, with what should have come there."""
    start = 0  # past the prologue: PREFIX name: <iri> and BASE <iri>
    while (
        start < len(toks) and toks[start].kind == "word" and toks[start].text.upper() in _PROLOGUE
    ):
        start += 3 if toks[start].text.upper() == "PREFIX" else 2
    first = toks[start] if start < len(toks) else None
    if first is not None:
        word = first.text.upper()
        if first.kind != "word" or word not in (*_FORMS, *_UPDATES):
            close = difflib.get_close_matches(word, _FORMS + _UPDATES, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            return _Finding(
                first.offset,
                f"Syntax error at {{where}}, at '{_shown(first)}': a query starts with SELECT, "
                f"ASK, CONSTRUCT or DESCRIBE (after any PREFIX and BASE){hint}",
            )
    here = next((t for t in toks if t.offset + len(t.text) > error_offset), None)
    before = [t for t in toks if t.offset + len(t.text) <= error_offset]
    previous = before[-1] if before else None
    if previous is not None and previous.kind == "word" and previous.text.upper() == "SELECT":
        if here is not None and here.text == ",":
            return _Finding(
                here.offset,
                "Syntax error at {where}, at ',': separate the variables after SELECT with "
                "spaces, not commas",
            )
        return _Finding(
            here.offset if here else error_offset,
            "Syntax error at {where}"
            + (f", at '{_shown(here)}'" if here else "")
            + ": expected variables, '*' or (expression AS ?name) after SELECT",
        )
    if previous is not None and previous.kind == "word" and previous.text.upper() == "WHERE":
        return _Finding(
            here.offset if here else error_offset,
            "Syntax error at {where}"
            + (f", at '{_shown(here)}'" if here else "")
            + ": expected '{' after WHERE",
        )
    if here is None:
        return _Finding(len(text.rstrip()), "Syntax error at {where}: the query ends too early")
    if here.kind == "other" and here.text == "<" and "IRI" in parser:
        return _Finding(
            here.offset,
            "Syntax error at {where}: not a valid IRI (an IRI has no spaces, quotes or "
            "'{}|^`\\' in it)",
        )
    return _Finding(
        here.offset,
        f"Syntax error at {{where}}, at '{_shown(here)}'" + _expectation(parser),
    )


def _expectation(parser: str) -> str:
    """The parser's expectation when it is short and readable: quoted tokens and keywords,
    never character classes or grammar rule names."""
    m = _EXPECTED.search(parser.strip())
    if m is None:
        return ""
    items = [i.strip() for i in re.split(r",\s*(?![^\[]*\])", m.group(1))]
    readable = [i for i in items if re.fullmatch(r'"[^"]{1,3}"|[A-Z][A-Z]+', i) and i != "IRI"]
    if not readable or len(readable) > 6:
        return ": this token does not fit here"
    shown = [f"'{i[1:-1]}'" if i.startswith('"') else i for i in readable]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f": expected {joined}"
