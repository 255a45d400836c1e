"""RDF terms as the text of a SPARQL TSV answer (``<iri>``, ``"lexical"@lang``,
``"lexical"^^<datatype>``, bare numbers and booleans), and an entity's facts kept as that text
until someone reads them.

The name index reads every resource of the store in one query whose answer Oxigraph writes
as TSV: parsing its lines costs a fraction of turning a million terms into rdflib objects,
and most facts (those of entities no one asks about) are never turned into objects at all."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from leongraph.vocab import XSD

#: One entity's facts as text: predicate IRI, term text, predicate IRI, term text, ...
RawFacts = Sequence[str]
#: Separates the parts of a ``RawFacts`` joined into one string (escaped in term texts).
SEP = "\x1f"
Fact = URIRef | Literal

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?\d*\.\d+")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _CHARS.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


def literal_parts(text: str) -> tuple[str, str, str] | None:
    """(lexical form, language, datatype IRI) of a literal's text; None for anything else
    (an IRI, a blank node). A plain literal has neither language nor datatype ("")."""
    if text.startswith('"'):
        end = text.rfind('"')
        lexical, rest = _unescape(text[1:end]), text[end + 1 :]
        if rest.startswith("@"):
            return lexical, rest[1:], ""
        if rest.startswith("^^<"):
            datatype = rest[3:-1]
            return lexical, "", "" if datatype == str(XSD.string) else datatype
        return lexical, "", ""
    if text.startswith(("<", "_:")) or not text:
        return None
    if text in ("true", "false"):
        return text, "", str(XSD.boolean)
    if _INTEGER.fullmatch(text):
        return text, "", str(XSD.integer)
    if _DECIMAL.fullmatch(text):
        return text, "", str(XSD.decimal)
    return text, "", str(XSD.double)


def iri(text: str) -> str | None:
    """The IRI of ``<iri>``, else None."""
    return text[1:-1] if text.startswith("<") else None


def term(text: str) -> Node:
    """The rdflib term of a term's text."""
    value = iri(text)
    if value is not None:
        return str.__new__(URIRef, value)  # checked by the engine that wrote it
    if text.startswith("_:"):
        return BNode(text[2:])
    parts = literal_parts(text)
    assert parts is not None
    lexical, language, datatype = parts
    if language:
        return Literal(lexical, lang=language)
    return Literal(lexical, datatype=_datatype(datatype)) if datatype else Literal(lexical)


@functools.lru_cache(maxsize=64)
def _datatype(value: str) -> URIRef:
    return URIRef(value)


_QUOTE = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", SEP: "\\u001F"}
)


def text(node: Node) -> str:
    """The TSV text of an rdflib term (the inverse of ``term``)."""
    if isinstance(node, Literal):
        quoted = '"' + str(node).translate(_QUOTE) + '"'
        if node.language:
            return f"{quoted}@{node.language}"
        dt = node.datatype
        return f"{quoted}^^<{dt}>" if dt is not None and str(dt) != str(XSD.string) else quoted
    if isinstance(node, BNode):
        return "_:" + str(node)
    return f"<{node}>"


class Facts(Mapping[str, list[Fact]]):
    """Predicate IRI -> values (in the order read, without repeats), kept as one string of
    texts joined by ``SEP`` and turned into rdflib terms at the first look. With
    ``predicates``, the string names each predicate by its number in that list."""

    __slots__ = ("_joined", "_predicates", "_terms")

    def __init__(self, raw: RawFacts | str = (), predicates: Sequence[str] = ()) -> None:
        self._joined = raw if isinstance(raw, str) else SEP.join(raw)
        self._predicates = predicates
        self._terms: dict[str, list[Fact]] | None = None

    @property
    def raw(self) -> RawFacts:
        parts = self._joined.split(SEP) if self._joined else []
        if self._predicates:
            parts[0::2] = [self._predicates[int(n)] for n in parts[0::2]]
        return parts

    def _decoded(self) -> dict[str, list[Fact]]:
        if self._terms is None:
            out: dict[str, list[Fact]] = {}
            raw = self.raw
            for i in range(0, len(raw), 2):
                node = term(raw[i + 1])
                assert isinstance(node, URIRef | Literal)
                out.setdefault(raw[i], []).append(node)
            self._terms = out
        return self._terms

    def __getitem__(self, key: str) -> list[Fact]:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:  # the predicates, without turning values into terms
        return iter(dict.fromkeys(self.raw[0::2]))

    def __len__(self) -> int:
        return len(set(self.raw[0::2]))

    def __contains__(self, key: object) -> bool:
        return key in self.raw[0::2]

    def __repr__(self) -> str:
        return f"Facts({self._decoded()!r})"


__all__ = ["SEP", "Fact", "Facts", "RawFacts", "iri", "literal_parts", "term", "text"]
