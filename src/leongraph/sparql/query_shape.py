"""The shape of a query: its tokens with what cannot change its work bound (cost.py) abstracted,
so that placement.py keeps one verdict for every query of a shape (a lookup of one resource and
a lookup of another share it, and so do two texts that differ in comments or spacing).

What cost.work_bound reads of a query, and so what a shape keeps verbatim:

- predicates: the bound of a pattern comes from its predicate's statistics, so an IRI the
  store has as a predicate is kept; any other IRI (a subject, an object, a class, a datatype,
  or a predicate the store lacks, whose statistics are all zero) becomes ``<>``;
- numbers (``LIMIT``, ``OFFSET``), keywords, function names, operators and punctuation, and
  the number and position of every term (VALUES rows, patterns, expressions);
- ``PREFIX`` declarations, which decide what a prefixed name expands to.

Abstracted: IRIs that are not predicates of the store (written ``<...>`` or as prefixed names
whose prefix is known), string literals (the bound does not read their value; a long one
keeps a length class, so no shape mixes a short string with a huge one), and variable names
(renamed in order of appearance). Anything the shape cannot read with certainty is kept as
written, which only makes shapes narrower. A query with ``BASE`` (relative IRIs) is its own
shape.
"""

from __future__ import annotations

from collections.abc import Container, Mapping

from leongraph.sparql.lexer import tokens, unescape_codepoints

#: Strings up to this length share one placeholder; longer ones a placeholder per length class.
SHORT_STRING = 256
#: Token kinds a number is made of (the lexer has no number token).
_GLUED = ("word", "other")


def shape(text: str, predicates: Container[str], prefixes: Mapping[str, str]) -> str:
    """The shape of ``text``; ``prefixes`` are the ones predeclared for every query.

    >>> preds = {"http://p/knows"}
    >>> pre = {"ex": "http://p/"}
    >>> a = shape("SELECT ?x { ex:bob ex:knows ?x } LIMIT 5", preds, pre)
    >>> a == shape("SELECT ?who {ex:alice  ex:knows ?who} LIMIT 5 # hi", preds, pre)
    True
    >>> a == shape("SELECT ?x { ex:bob ex:hates ?x } LIMIT 5", preds, pre)
    False
    >>> a == shape("SELECT ?x { ex:bob ex:knows ?x } LIMIT 50", preds, pre)
    False
    """
    known = dict(prefixes)
    variables: dict[str, str] = {}
    parts: list[str] = []
    toks = list(tokens(unescape_codepoints(text)))
    i = end = 0
    while i < len(toks):
        tok = toks[i]
        kind, value = tok.kind, tok.text
        # one space between tokens, none inside a number (``1.5`` is not ``1 .5``)
        if parts and not (tok.offset == end and kind in _GLUED and toks[i - 1].kind in _GLUED):
            parts.append(" ")
        end = tok.offset + len(value)
        if kind == "word" and value.upper() == "BASE":
            return "\x00" + text  # relative IRIs: not abstracted at all (as placement.py
            # keys a text whose shape it cannot take)
        if kind == "word" and value.upper() == "PREFIX" and i + 2 < len(toks):
            name, iri = toks[i + 1], toks[i + 2]
            if iri.kind == "iri" and name.text.endswith(":"):
                known[name.text[:-1]] = iri.text[1:-1]
            parts += [value, " ", name.text, " ", iri.text]
            end = iri.offset + len(iri.text)
            i += 3
            continue
        if kind == "iri":
            value = "<>" if value[1:-1] not in predicates and ":" in value else value
        elif kind == "pname":
            value = _pname(value, known, predicates)
        elif kind == "string":
            value = '""' if len(value) <= SHORT_STRING else f'"{len(value).bit_length()}"'
        elif kind == "var":
            value = variables.setdefault(value[1:], f"?{len(variables)}")
        parts.append(value)
        i += 1
    return "".join(parts)


def _pname(value: str, known: Mapping[str, str], predicates: Container[str]) -> str:
    prefix, _, local = value.partition(":")
    namespace = known.get(prefix)
    if namespace is None or "\\" in local or "%" in local:
        return value  # cannot tell what it expands to: kept
    return value if namespace + local in predicates else "<>"
