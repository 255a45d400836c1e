"""Writes triples or quads in any RDF format of the registry, and builds the project's JSON-LD
context: short keys for the ontology's terms (so JSON-LD reads like plain JSON) that expand back
to exactly the same triples."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Dataset, Graph, URIRef

from leongraph.engine import Store, Term
from leongraph.formats import RdfFormat
from leongraph.linkeddata.jsonld import to_jsonld
from leongraph.vocab import (
    BASE,
    LEON,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SERIALIZATION_PREFIXES,
    SKOS,
)

JsonLdContext = dict[str, object]

#: rdflib's parser/serializer names for the registry's formats.
#: Common terms from other vocabularies used by the data, with their short keys.
COMMON_TERMS: dict[str, tuple[str, bool]] = {
    "label": (RDFS + "label", False),
    "comment": (RDFS + "comment", False),
    "seeAlso": (RDFS + "seeAlso", True),
    "subClassOf": (RDFS + "subClassOf", True),
    "subPropertyOf": (RDFS + "subPropertyOf", True),
    "domain": (RDFS + "domain", True),
    "range": (RDFS + "range", True),
    "sameAs": (OWL + "sameAs", True),
    "equivalentClass": (OWL + "equivalentClass", True),
    "equivalentProperty": (OWL + "equivalentProperty", True),
    "altLabel": (SKOS + "altLabel", False),
    "wasDerivedFrom": (PROV + "wasDerivedFrom", True),
}


def rdflib_name(fmt: RdfFormat) -> str:
    return fmt.rdflib


def _bind(g: Graph) -> None:
    for prefix, ns in SERIALIZATION_PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)


def build_context(store: Store) -> JsonLdContext:
    """The JSON-LD context: prefixes, then one short key per ontology term.

    Object properties coerce their values to IRIs; datatype properties with an XSD range to
    that datatype; English is the default language, so ``"label": "Léon"`` means ``"Léon"@en``."""
    rows = store.query(
        "SELECT DISTINCT ?t ?kind ?range WHERE { GRAPH ?g { ?t a ?kind } "
        "VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty "
        "rdf:Property owl:AnnotationProperty } "
        f"FILTER(STRSTARTS(STR(?t), {str(LEON)!r})) OPTIONAL {{ ?t rdfs:range ?range }} }}"
    ).rows()
    terms: dict[str, dict[str, str | None] | str] = {}
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    for term, kind, rng in rows:
        kinds.setdefault(str(term), set()).add(str(kind).rsplit("#", 1)[-1])
        if rng is not None:
            ranges.setdefault(str(term), set()).add(str(rng))
    ctx: JsonLdContext = {"@version": 1.1, "@language": "en", "id": "@id", "type": "@type"}
    ctx.update(
        {
            p: ns
            for p, ns in sorted(SERIALIZATION_PREFIXES.items())
            if p not in ("rdf", "xsd", "owl")
        }
    )
    ctx.update({"rdf": RDF, "xsd": PREFIXES["xsd"], "owl": PREFIXES["owl"]})
    for key, (iri, is_object) in COMMON_TERMS.items():
        terms[key] = {"@id": iri, "@type": "@id"} if is_object else {"@id": iri}
    for iri in sorted(kinds):
        key = iri[len(str(LEON)) :]
        if not key or key in terms or key in ctx or not key.replace("_", "a").isalnum():
            continue
        if kinds[iri] & {"Class"}:
            terms[key] = iri
        elif "ObjectProperty" in kinds[iri]:
            terms[key] = {"@id": iri, "@type": "@id"}
        else:
            xsd = [r for r in ranges.get(iri, ()) if r.startswith(PREFIXES["xsd"])]
            if xsd == [PREFIXES["xsd"] + "string"]:
                # plain strings, not English text: no default language under this key
                terms[key] = {"@id": iri, "@language": None}
            elif len(xsd) == 1:
                terms[key] = {"@id": iri, "@type": xsd[0]}
            else:
                terms[key] = {"@id": iri}
    ctx.update(terms)
    return ctx


def to_graph(triples: Iterable[tuple[Term, Term, Term]]) -> Graph:
    g = Graph()
    _bind(g)
    for t in triples:
        g.add(t)
    return g


def to_dataset(quads: Iterable[tuple[Term, Term, Term, Term | None]]) -> Dataset:
    ds = Dataset()
    _bind(ds)
    for s, p, o, graph in quads:
        target = ds.graph(graph) if isinstance(graph, URIRef) else ds.default_graph
        target.add((s, p, o))
    return ds


def serialize(
    quads: Iterable[tuple[Term, Term, Term, Term | None]],
    fmt: RdfFormat,
    *,
    context: JsonLdContext | None = None,
    first: Term | None = None,
) -> bytes:
    """Serialise quads: dataset formats keep the graphs; the others write the union.
    With ``first``, that resource's own triples (and its blank nodes') are written before the
    others in the line and block formats (Turtle, TriG, N-Triples, N-Quads)."""
    if first is not None and fmt.name in _ORDERED:
        quads = list(quads)
        own = [q for q in quads if q[0] == first or isinstance(q[0], BNode)]
        rest = [q for q in quads if not (q[0] == first or isinstance(q[0], BNode))]
        if own and rest:
            head = serialize(own, fmt, context=context)
            tail = serialize(rest, fmt, context=context)
            return _join(head, tail)
    if fmt.name == "jsonld":
        return to_jsonld(((s, p, o) for s, p, o, _ in quads), context or {})
    if fmt.dataset:
        data: Graph = to_dataset(quads)
    else:
        data = to_graph((s, p, o) for s, p, o, _ in quads)
    return data.serialize(format=rdflib_name(fmt), encoding="utf-8")


_ORDERED = ("ttl", "trig", "nt", "nq")


def _join(head: bytes, tail: bytes) -> bytes:
    """Two documents of one format as one: the prefix lines of both, then each body."""
    prefixes: list[bytes] = []
    bodies: list[bytes] = []
    for doc in (head, tail):
        lines = doc.splitlines(keepends=True)
        n = 0
        while n < len(lines) and lines[n].startswith(b"@prefix"):
            prefixes.extend(x for x in [lines[n]] if x not in prefixes)
            n += 1
        bodies.append(b"".join(lines[n:]).strip(b"\n") + b"\n")
    top = b"".join(sorted(prefixes))
    return (top + b"\n" if top else b"") + b"\n".join(bodies)


def parse(data: bytes | str, fmt: RdfFormat) -> Dataset:
    """Parse a serialisation back (tests and clients use this to check round trips)."""
    ds = Dataset()
    if fmt.dataset:
        ds.parse(data=data, format=rdflib_name(fmt))
    else:
        ds.default_graph.parse(data=data, format=rdflib_name(fmt), publicID=BASE)
    return ds


def same_triples(a: Graph, b: Graph) -> bool:
    """Graph isomorphism; plain set equality when neither graph has a blank node (the same
    answer, without rdflib's canonicalisation cost)."""
    from rdflib import BNode
    from rdflib.compare import isomorphic

    if any(isinstance(t, BNode) for g in (a, b) for triple in g for t in triple):
        return isomorphic(a, b)
    return set(a) == set(b)


def same_quads(a: Dataset, b: Dataset) -> bool:
    """True when both datasets hold the same graphs with isomorphic contents (blank nodes
    compared up to renaming within each graph)."""

    def graphs(ds: Dataset) -> dict[str, Graph]:
        out: dict[str, Graph] = {}
        for s, p, o, g in ds.quads((None, None, None, None)):
            name = str(g.identifier if isinstance(g, Graph) else g)
            out.setdefault(name, Graph()).add((s, p, o))
        return out

    ga, gb = graphs(a), graphs(b)
    return ga.keys() == gb.keys() and all(same_triples(ga[k], gb[k]) for k in ga)
