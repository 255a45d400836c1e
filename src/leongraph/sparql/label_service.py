"""The Wikidata Query Service label service, done by rewriting the query instead of calling out.

``SERVICE wikibase:label { bd:serviceParam wikibase:language "fr,en" . }`` is replaced by plain
SPARQL that binds ``?xLabel``, ``?xDescription`` and ``?xAltLabel`` from the graph itself, so
the same text runs on every engine and never touches the network. WDQS evaluates the service
last, so the patterns go at the end of the group that held it. Labels come from ``rdfs:label``,
descriptions from ``schema:description``, aliases from ``skos:altLabel`` and
``schema:alternateName`` (where this graph keeps nicknames and alternative titles; joined with
", "), each in the first listed language that has one, then from a value without a language
tag; a missing label falls back to the local name of the IRI (``Q484675``, ``mathilda``), as
WDQS does with item ids. A resource linked by ``owl:sameAs`` to a Wikidata item lends the item
its names: ``wd:Q484675`` has the aliases of the film's local resource.

Everything is looked up from each result row's own entity, so the cost follows the rows of the
answer, not the size of the graph: a label or description is the smallest value in its
language (one per row, the same every time), and aliases are joined by a subquery that groups
the rows by a fresh blank node each (directly inside ``GRAPH ?g``, where a subquery loses ?g,
they are grouped over the graph's aliases instead). Oxigraph reads several
``default-graph-uri`` graphs as a union with repeats: a label stated in two of them repeats
the row there, as any pattern does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leongraph.errors import BadRequest
from leongraph.sparql.label_patterns import (
    PREDICATES,
    UNBOUND,
    automatic,
    fresh,
    in_language,
    label_patterns,
)
from leongraph.sparql.lexer import Token, tokens
from leongraph.vocab import (
    BD,
    OWL_SAME_AS,
    PREFIXES,
    QUERY_HINTS,
    SCHEMA_ALTERNATE_NAME,
    SKOS_ALT_LABEL,
    WIKIBASE,
    WIKIBASE_LABEL,
)

WIKIBASE_LANGUAGE = str(WIKIBASE.language)
BD_SERVICE_PARAM = str(BD.serviceParam)
AUTO_LANGUAGE = "[AUTO_LANGUAGE]"
DEFAULT_LANGUAGE = "en"

#: ISO 639-1 codes, plus "mul" (Wikidata's "multiple languages"). Region and script subtags
#: (en-GB, zh-Hant) are accepted after a known primary code.
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    mul"""
ISO_639_1 = frozenset(_ISO_639_1.split())
_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")


@dataclass
class _Service:
    """One parsed ``SERVICE wikibase:label`` block: token span, languages, explicit bindings."""

    start: int  # index of the SERVICE token
    end: int  # index of the closing brace
    languages: list[str] = field(default_factory=list)
    explicit: list[tuple[str, str, str]] = field(default_factory=list)  # (?x, predicate, ?out)


def accept_languages(header: str | None) -> list[str]:
    """Language ranges of an Accept-Language header, best first (``*`` and q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            ranked.append((-q, i, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def check_language(code: str) -> str:
    """Lower-cased ``code`` if it is a known language tag; BadRequest otherwise."""
    parts = code.strip().lower().split("-")
    if parts[0] not in ISO_639_1 or not all(_SUBTAG.fullmatch(p) for p in parts[1:]):
        raise BadRequest(
            f"unknown language code {code.strip()!r} in the label service", language=code
        )
    return "-".join(parts)


def service_languages(literal: str, preferred: list[str]) -> list[str]:
    """Expand a ``wikibase:language`` value: ``[AUTO_LANGUAGE]`` is the client's first language."""
    auto = [DEFAULT_LANGUAGE]
    for tag in preferred:
        try:
            code = check_language(tag)
        except BadRequest:
            continue
        auto = list(dict.fromkeys([code, code.split("-")[0]]))  # fr-ca, then fr
        break
    out: list[str] = []
    for raw in literal.split(","):
        if not raw.strip():
            continue
        codes = auto if raw.strip().upper() == AUTO_LANGUAGE else _language_tag(raw)
        out += [code for code in codes if code not in out]
    if not out and not literal.strip():
        raise BadRequest("the label service needs at least one language")
    return out


def _language_tag(raw: str) -> list[str]:
    """A known code, or any well-formed tag (``xx`` matches no label: the ID, as on WDQS);
    a malformed one is left out, with no error."""
    try:
        return [check_language(raw)]
    except BadRequest:
        tag = raw.strip().lower()
        return [tag] if re.fullmatch(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*", tag) else []


def rewrite_label_service(text: str, languages: list[str]) -> str:
    """Replace every ``SERVICE wikibase:label`` block by equivalent graph patterns, and drop
    Blazegraph query hints (``hint:Query hint:optimizer "None" .``), which WDQS queries often
    carry and which only steer its optimiser.

    ``languages`` are the client's preferred languages (Accept-Language), used for
    ``[AUTO_LANGUAGE]``. Queries without either come back unchanged."""
    lowered = text.lower()
    if "hint:" in lowered:
        text = strip_query_hints(text)
    if "service" not in lowered or "label" not in lowered:
        return text
    rewritten = False
    while True:
        toks = list(tokens(text))
        service = _find_service(toks, _declared_prefixes(toks))
        if service is None:
            break
        text = _rewrite_one(text, toks, service, languages)
        rewritten = True
    return _expand_select_star(text) if rewritten else text


def strip_query_hints(text: str) -> str:
    """Remove ``hint:Subject hint:name value .`` triples, unless the query gives ``hint:``
    a namespace of its own."""
    toks = list(tokens(text))
    declared = _declared_prefixes(toks).get("hint", QUERY_HINTS)
    if declared != QUERY_HINTS:
        return text
    spans: list[tuple[int, int]] = []
    i = 0
    while i + 2 < len(toks):
        s, p = toks[i], toks[i + 1]
        if not (_is_hint(s) and _is_hint(p)):
            i += 1
            continue
        j = i + 2  # the value: one token, or a number lexed as adjacent characters
        if toks[j].kind == "other":
            while j + 1 < len(toks) and toks[j + 1].offset == _end(toks[j]):
                if toks[j + 1].kind != "other" or toks[j + 1].text not in "0123456789.-+eE":
                    break
                j += 1
        if j + 1 < len(toks) and toks[j + 1].text == ".":
            j += 1
        spans.append((s.offset, _end(toks[j])))
        i = j + 1
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


def _is_hint(token: Token) -> bool:
    return token.kind == "pname" and token.text.startswith("hint:")


# ---------------------------------------------------------------- parsing


def _malformed(why: str) -> BadRequest:
    return BadRequest(f"malformed label service: {why}")


def _end(token: Token) -> int:
    return token.offset + len(token.text)


def _is_word(token: Token, word: str) -> bool:
    return token.kind == "word" and token.text.upper() == word


def _declared_prefixes(toks: list[Token]) -> dict[str, str]:
    prefixes = dict(PREFIXES)
    for n in range(len(toks) - 2):
        name, iri = toks[n + 1], toks[n + 2]
        if _is_word(toks[n], "PREFIX") and iri.kind == "iri" and name.text.endswith(":"):
            prefixes[toks[n + 1].text[:-1]] = toks[n + 2].text[1:-1]
    return prefixes


def _iri(token: Token, prefixes: dict[str, str]) -> str | None:
    """The full IRI a token denotes, or None for any other token."""
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def _find_service(toks: list[Token], prefixes: dict[str, str]) -> _Service | None:
    for n, tok in enumerate(toks):
        if not _is_word(tok, "SERVICE"):
            continue
        k = n + 1
        if k < len(toks) and _is_word(toks[k], "SILENT"):
            k += 1
        if k >= len(toks) or _iri(toks[k], prefixes) != WIKIBASE_LABEL:
            continue
        if k + 1 >= len(toks) or toks[k + 1].text != "{":
            raise _malformed("'{' expected after SERVICE wikibase:label")
        close = _matching_brace(toks, k + 1)
        service = _Service(start=n, end=close)
        _parse_body(toks[k + 2 : close], prefixes, service)
        return service
    return None


def _matching_brace(toks: list[Token], open_index: int) -> int:
    return _matching(toks, open_index, "{", "}")


def _parse_body(items: list[Token], prefixes: dict[str, str], service: _Service) -> None:
    """Read ``s p o`` triples (with the ``;`` and ``,`` abbreviations) from the service body."""
    pos = 0

    def take() -> Token:
        nonlocal pos
        if pos >= len(items):
            raise _malformed("incomplete triple")
        pos += 1
        return items[pos - 1]

    def at(text: str) -> bool:
        return pos < len(items) and items[pos].text == text

    while pos < len(items):
        if at("."):
            pos += 1
            continue
        subject = take()
        while True:
            predicate = take()
            _add_triple(subject, predicate, take(), prefixes, service)
            while at(","):
                pos += 1
                _add_triple(subject, predicate, take(), prefixes, service)
            if not at(";"):
                break
            while at(";"):
                pos += 1
            if pos >= len(items) or at("."):
                break
        if pos < len(items) and not at("."):
            raise _malformed(f"unexpected {items[pos].text!r}")
    if not service.languages:
        raise _malformed('bd:serviceParam wikibase:language "…" is required')


def _add_triple(
    subject: Token, predicate: Token, obj: Token, prefixes: dict[str, str], service: _Service
) -> None:
    p = _iri(predicate, prefixes)
    if _iri(subject, prefixes) == BD_SERVICE_PARAM:
        if p != WIKIBASE_LANGUAGE or obj.kind != "string":
            raise _malformed('only bd:serviceParam wikibase:language "…" is supported')
        service.languages.append(_string_value(obj.text))
        return
    if subject.kind == "var" and obj.kind == "var" and p in PREDICATES:
        service.explicit.append((subject.text[1:], p, obj.text[1:]))
        return
    raise _malformed(f"unsupported triple {subject.text} {predicate.text} {obj.text}")


def _string_value(literal: str) -> str:
    quote = literal[:3] if literal[:3] in ('"""', "'''") else literal[0]
    return literal[len(quote) : -len(quote)]


def _enclosing_group(toks: list[Token], index: int) -> tuple[int, int]:
    """The braces of the innermost group around token ``index``."""
    depth = 0
    for j in range(index - 1, -1, -1):
        if toks[j].kind != "other":
            continue
        if toks[j].text == "}":
            depth += 1
        elif toks[j].text == "{":
            if depth == 0:
                return j, _matching_brace(toks, j)
            depth -= 1
    raise _malformed("SERVICE is not inside a group")


# ---------------------------------------------------------------- rewriting


def _rewrite_one(text: str, toks: list[Token], service: _Service, preferred: list[str]) -> str:
    languages: list[str] = []
    for literal in service.languages:
        languages += [c for c in service_languages(literal, preferred) if c not in languages]
    open_i, close_i = _enclosing_group(toks, service.start)
    outside = [
        t.text[1:]
        for i, t in enumerate(toks)
        if t.kind == "var" and not service.start <= i <= service.end
    ]
    in_group = {
        t.text[1:]
        for i, t in enumerate(toks)
        if t.kind == "var" and open_i < i < close_i and not service.start <= i <= service.end
    }
    wanted = service.explicit or automatic(outside, in_group)
    used = set(outside)
    guards: dict[str, str] = {}
    # Oxigraph leaves ?g unbound in GRAPH ?g { subquery } (and rdflib loses the rows when the
    # subquery groups by ?g), so there aliases are grouped over the graph instead of per row.
    in_graph = open_i > 1 and toks[open_i - 1].kind == "var" and _is_word(toks[open_i - 2], "GRAPH")
    aliases = [] if in_graph else [w for w in wanted if w[1] == SKOS_ALT_LABEL]
    patterns = "".join(
        label_patterns(base, p, out, languages, used, guards)
        for base, p, out in wanted
        if (base, p, out) not in aliases
    )
    start, end = toks[service.start].offset, _end(toks[service.end])
    group_start, group_end = _end(toks[open_i]), toks[close_i].offset
    if aliases:
        return (
            text[:group_start]
            + _grouped(text, toks, (open_i, close_i), service, wanted, languages, used, patterns)
            + text[group_end:]
        )
    return text[:start] + text[end:group_end] + patterns + text[group_end:]


def _top_filters(toks: list[Token], first: int, last: int) -> list[tuple[int, int]]:
    """Token spans ``[i, j]`` of the ``FILTER`` constraints directly in tokens first..last."""
    spans: list[tuple[int, int]] = []
    depth, i = 0, first
    while i <= last:
        tok = toks[i]
        if tok.kind == "other" and tok.text in "{}":
            depth += 1 if tok.text == "{" else -1
        elif depth == 0 and _is_word(tok, "FILTER"):
            j = i + 1
            while j <= last and toks[j].text not in ("(", "{"):
                j += 1  # NOT EXISTS, or the name of a function
            if j > last:
                raise _malformed("incomplete FILTER")
            j = _matching(toks, j, toks[j].text, ")" if toks[j].text == "(" else "}")
            spans.append((i, j))
            i = j
        i += 1
    return spans


def _matching(toks: list[Token], open_index: int, opening: str, closing: str) -> int:
    depth = 0
    for j in range(open_index, len(toks)):
        if toks[j].kind == "other" and toks[j].text == opening:
            depth += 1
        elif toks[j].kind == "other" and toks[j].text == closing:
            depth -= 1
            if depth == 0:
                return j
    raise _malformed("unbalanced braces" if opening == "{" else "unbalanced brackets")


def _grouped(
    text: str,
    toks: list[Token],
    group: tuple[int, int],
    service: _Service,
    wanted: list[tuple[str, str, str]],
    languages: list[str],
    used: set[str],
    patterns: str,
) -> str:
    """The group's content, with its aliases joined per row: a subquery grouping the group's
    solutions by a fresh blank node each (``BNODE()``), so ``GROUP_CONCAT`` sees only the
    row's own aliases and rows are neither merged nor multiplied. The group's ``FILTER``s move
    after the labels when they read one: they still apply to the whole group."""
    open_i, close_i = group
    skip = {*range(service.start, service.end + 1)}
    outputs = {out for *_, out in wanted}
    filters = [  # only those that read a label need to wait for them
        (i, j)
        for i, j in _top_filters(toks, open_i + 1, close_i - 1)
        if any(t.kind == "var" and t.text[1:] in outputs for t in toks[i : j + 1])
    ]
    moved = [text[toks[i].offset : _end(toks[j])] for i, j in filters]
    for i, j in filters:
        skip.update(range(i, j + 1))
    keep = [t for n, t in enumerate(toks) if open_i < n < close_i and n not in skip]
    projected = [
        name
        for name in dict.fromkeys(t.text[1:] for t in keep if t.kind == "var")
        if name not in outputs and not name.startswith("_wikibase_")
    ]
    body = text[_end(toks[open_i]) : toks[close_i].offset]
    base_offset = _end(toks[open_i])
    cut = sorted(
        [(toks[i].offset, _end(toks[j])) for i, j in filters]
        + [(toks[service.start].offset, _end(toks[service.end]))]
    )
    for a, b in reversed(cut):
        body = body[: a - base_offset] + " " + body[b - base_offset :]
    row, nothing = fresh("row", used), fresh("none", used)
    inner = [f"  BIND(BNODE() AS ?{row})"]
    aggregates, binds = [], []
    keys: dict[str, str] = {}
    path = (
        f"(<{SKOS_ALT_LABEL}>|<{SCHEMA_ALTERNATE_NAME}>|^<{OWL_SAME_AS}>/"
        f"(<{SKOS_ALT_LABEL}>|<{SCHEMA_ALTERNATE_NAME}>))"
    )
    for base, _, out in (w for w in wanted if w[1] == SKOS_ALT_LABEL):
        if base not in keys:
            keys[base] = fresh("k", used)
            inner.append(f"  BIND(COALESCE(?{base}, <{UNBOUND}>) AS ?{keys[base]})")
        key, candidates = keys[base], []
        for n, lang in enumerate([*languages, ""]):
            value, other, joined = fresh("a", used), fresh("b", used), fresh("g", used)
            earlier = ", ".join(f'"{code}"' for code in languages[:n])
            absent = (
                f" FILTER NOT EXISTS {{ ?{key} {path} ?{other}"
                f" FILTER(LCASE(LANG(?{other})) IN ({earlier})) }}"
            )
            inner.append(
                f"  OPTIONAL {{ ?{key} {path} ?{value} FILTER({in_language(value, lang)})"
                + (absent if earlier else "")
                + " }"
            )
            # STR: rdflib's DISTINCT aggregates fail on an unbound value, not on an error.
            aggregates.append(
                f'(GROUP_CONCAT(DISTINCT STR(?{value}); separator=", ") AS ?{joined})'
            )
            tagged = f'STRLANG(?{joined}, "{lang}")' if lang else f"?{joined}"
            candidates.append(f'IF(?{joined} = "", ?{nothing}, {tagged})')
        binds.append(f"  BIND(COALESCE({', '.join(candidates)}) AS ?{out})")
    names = " ".join(f"?{name}" for name in projected)
    return (
        f"\n  {{ SELECT {names} {' '.join(aggregates)} WHERE {{{body}\n"
        + "\n".join(inner)
        + f"\n  }} GROUP BY ?{row} {names} }}\n"
        + "".join(f"{bind}\n" for bind in binds)
        + patterns
        + "".join(f"  {f}\n" for f in moved)
    )


def _expand_select_star(text: str) -> str:
    """``SELECT *`` would show the helper variables; list the query's own variables instead."""
    toks = list(tokens(text))
    own = [t.text for t in toks if t.kind == "var" and not t.text[1:].startswith("_wikibase_")]
    names = " ".join(dict.fromkeys(own))
    for n in range(len(toks) - 1, -1, -1):
        if not _is_word(toks[n], "SELECT"):
            continue
        k = n + 1
        while k < len(toks) and (_is_word(toks[k], "DISTINCT") or _is_word(toks[k], "REDUCED")):
            k += 1
        if k < len(toks) and toks[k].text == "*":
            text = text[: toks[k].offset] + names + text[_end(toks[k]) :]
    return text


__all__ = [
    "accept_languages",
    "check_language",
    "rewrite_label_service",
    "service_languages",
    "strip_query_hints",
]
