"""Terms between the engines and the writers: Oxigraph's terms to rdflib's and back, and either
to the engine-neutral tuples the results writers take (results.py)."""

from __future__ import annotations

import functools
from typing import overload

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib import Literal as RLiteral
from rdflib.term import Node

from leongraph.engine import results

Term = Node
#: The terms Oxigraph answers with.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def neutral(term: Term | None) -> results.Term | None:
    """An rdflib term as the engine-neutral tuple the results writers take."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term), None, None)
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, RLiteral):
        dt = None if term.language or term.datatype is None else str(term.datatype)
        return ("literal", str(term), term.language, None if dt == XSD_STRING else dt)
    return ("uri", str(term), None, None)


@overload
def ox_neutral(term: OxTerm) -> results.Term: ...
@overload
def ox_neutral(term: OxTerm | None) -> results.Term | None: ...
def ox_neutral(term: OxTerm | None) -> results.Term | None:
    """An Oxigraph term as the engine-neutral tuple the results writers take."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        dt = None if term.language else term.datatype.value
        return ("literal", term.value, term.language, None if dt == XSD_STRING else dt)
    return ("literal", str(term), None, None)


_encode = results._dumps


def ox_json_term(t: OxTerm) -> str:
    """An Oxigraph term as SPARQL JSON, byte for byte as Oxigraph writes it."""
    if type(t) is ox.NamedNode:
        return '{"type":"uri","value":' + _encode(t.value) + "}"
    if type(t) is ox.Literal:
        value = _encode(t.value)
        if t.language:
            return f'{{"type":"literal","value":{value},"xml:lang":{_encode(t.language)}}}'
        dt = t.datatype.value
        if dt == XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return f'{{"type":"literal","value":{value},"datatype":{_encode(dt)}}}'
    return results._json_term(ox_neutral(t))


def fast_uri(value: str) -> URIRef:
    """An rdflib IRI without rdflib's validity check: Oxigraph has validated it already, and
    the check is most of the cost of converting a term (whole-graph scans convert millions)."""
    return str.__new__(URIRef, value)


@functools.lru_cache(maxsize=64)
def _datatype(iri: str) -> URIRef:
    return URIRef(iri)


@overload
def to_rdflib(term: OxTerm) -> Term: ...
@overload
def to_rdflib(term: OxTerm | None) -> Term | None: ...
def to_rdflib(term: OxTerm | None) -> Term | None:
    if term is None:
        return None
    if type(term) is ox.NamedNode:
        return fast_uri(term.value)
    if type(term) is ox.Literal:
        if term.language:
            return RLiteral(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return RLiteral(term.value)
        return RLiteral(term.value, datatype=_datatype(dt))
    if type(term) is ox.BlankNode:
        return BNode(term.value)
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def ox_quad(s: Node, p: Node, o: Node, g: Node | None) -> ox.Quad:
    graph = ox.NamedNode(str(g)) if isinstance(g, URIRef) else ox.DefaultGraph()
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]
