"""Writes triples as compact JSON-LD under the project's context: one node per subject, short
keys, English strings as plain strings, IRIs as ``res:mathilda``. Written here rather than by
rdflib's compaction, which drops the ``@id`` of blank nodes whose only reference goes through
an IRI-coerced term (and so loses triples).

The rules keep the expansion exact: a string is only left bare where the context gives it the
right meaning (an ``@id``-coerced key for IRIs, the default language ``en`` for English
strings, a typed key for its datatype); every other value is an explicit value or node object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef

from leongraph.engine import Term
from leongraph.vocab import RDF_TYPE, XSD

NATIVE = {XSD + "integer": int, XSD + "boolean": bool}

Context = dict[str, object]


class Compactor:
    """Chooses keys and value forms for one context."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.prefixes = sorted(
            ((k, v) for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))),
            key=lambda kv: -len(kv[1]),
        )
        self.language = context.get("@language")
        # IRI -> (key, @type coercion, language of a bare string under that key)
        self.terms: dict[str, tuple[str, object, object]] = {}
        for key, value in sorted(context.items()):
            if key.startswith("@"):
                continue
            iri = value.get("@id") if isinstance(value, dict) else value
            coercion = value.get("@type") if isinstance(value, dict) else None
            language = self.language
            if isinstance(value, dict) and "@language" in value:
                language = value["@language"]
            if isinstance(iri, str) and not iri.endswith(("/", "#")):
                self.terms.setdefault(iri, (key, coercion, language))

    def iri(self, iri: str) -> str:
        """A compact IRI (``prefix:local``) when a prefix fits, else the IRI itself."""
        for prefix, ns in self.prefixes:
            local = iri[len(ns) :]
            if iri.startswith(ns) and local and not local.startswith("/"):
                return f"{prefix}:{local}"
        return iri

    def node_id(self, term: Term) -> str:
        return f"_:{term}" if isinstance(term, BNode) else self.iri(str(term))

    def type_value(self, term: Term) -> str:
        """@type values are vocabulary-relative: a class's short key works there."""
        if isinstance(term, URIRef) and str(term) in self.terms:
            key, coercion, _ = self.terms[str(term)]
            if coercion is None:
                return key
        return self.node_id(term)

    def key_and_value(self, predicate: str, obj: Term) -> tuple[str, object]:
        key, coercion, language = self.terms.get(predicate, (self.iri(predicate), None, None))
        if predicate not in self.terms:
            language = self.language
        if isinstance(obj, (URIRef, BNode)):
            ref = self.node_id(obj)
            return key, ref if coercion == "@id" else {"@id": ref}
        assert isinstance(obj, Literal)
        text = str(obj)
        datatype = str(obj.datatype) if obj.datatype else XSD + "string"
        bare = coercion is None  # a bare value under this key gets no datatype from the context
        if obj.language:
            if bare and obj.language == language:
                return key, text
            return key, {"@value": text, "@language": obj.language}
        if coercion == datatype:
            return key, text
        native = NATIVE.get(datatype) if bare else None
        if native is int and text.lstrip("-").isdigit() and str(int(text)) == text:
            return key, int(text)
        if native is bool and text in ("true", "false"):
            return key, text == "true"
        if datatype == XSD + "string":
            return key, text if bare and language is None else {"@value": text}
        return key, {"@value": text, "@type": self.iri(datatype)}


def to_jsonld(triples: Iterable[tuple[Term, Term, Term]], context: Context) -> bytes:
    """Compact JSON-LD with the context inline, nodes sorted by id, keys sorted."""
    c = Compactor(context)
    nodes: dict[str, dict[str, list[object]]] = {}
    for s, p, o in sorted(set(triples), key=lambda t: tuple(map(str, t))):
        node = nodes.setdefault(c.node_id(s), {})
        if str(p) == RDF_TYPE and isinstance(o, URIRef):
            node.setdefault("type", []).append(c.type_value(o))
            continue
        key, value = c.key_and_value(str(p), o)
        node.setdefault(key, []).append(value)
    graph = []
    for node_id in sorted(nodes):
        body: dict[str, object] = {"id": node_id}
        for key in sorted(nodes[node_id]):
            values = nodes[node_id][key]
            body[key] = values[0] if len(values) == 1 else values
        graph.append(body)
    doc = {"@context": context, "@graph": graph}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
