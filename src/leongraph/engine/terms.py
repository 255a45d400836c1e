"""Terms between the engines and the writers: Oxigraph's terms to rdflib's and back, and either
to the engine-neutral tuples the results writers take (results.py)."""

from __future__ import annotations

import functools

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib import Literal as RLiteral
from rdflib.term import Node

from leongraph.engine import results

Term = Node
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


def ox_neutral(term: object) -> results.Term | None:
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


def ox_json_term(t: object) -> str:
    """An Oxigraph term as SPARQL JSON, byte for byte as Oxigraph writes it."""
    cls = t.__class__
    if cls is ox.NamedNode:
        return '{"type":"uri","value":' + _encode(t.value) + "}"  # type: ignore[attr-defined]
    if cls is ox.Literal:
        value = _encode(t.value)  # type: ignore[attr-defined]
        if t.language:  # type: ignore[attr-defined]
            return f'{{"type":"literal","value":{value},"xml:lang":{_encode(t.language)}}}'  # type: ignore[attr-defined]
        dt = t.datatype.value  # type: ignore[attr-defined]
        if dt == XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return f'{{"type":"literal","value":{value},"datatype":{_encode(dt)}}}'
    return results._json_term(ox_neutral(t))  # type: ignore[arg-type]


def fast_uri(value: str) -> URIRef:
    """An rdflib IRI without rdflib's validity check: Oxigraph has validated it already, and
    the check is most of the cost of converting a term (whole-graph scans convert millions)."""
    return str.__new__(URIRef, value)  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _datatype(iri: str) -> URIRef:
    return URIRef(iri)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Term | None:
    if term is None:
        return None
    cls = term.__class__
    if cls is ox.NamedNode:
        return fast_uri(term.value)  # type: ignore[union-attr]
    if cls is ox.Literal:
        if term.language:  # type: ignore[union-attr]
            return RLiteral(term.value, lang=term.language)  # type: ignore[union-attr]
        dt = term.datatype.value  # type: ignore[union-attr]
        if dt == XSD_STRING:
            return RLiteral(term.value)  # type: ignore[union-attr]
        return RLiteral(term.value, datatype=_datatype(dt))  # type: ignore[union-attr]
    if cls is ox.BlankNode:
        return BNode(term.value)  # type: ignore[union-attr]
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
    graph = to_oxigraph(g) if isinstance(g, URIRef) else ox.DefaultGraph()
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)  # type: ignore[arg-type]
