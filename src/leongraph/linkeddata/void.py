"""The VoID description of the dataset: statistics computed from the loaded data once, plus
where to query and download it. Counts are over the default graph, i.e. the union of all named
graphs, with each distinct triple counted once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from leongraph.engine import Store, Term
from leongraph.formats import RdfFormat
from leongraph.vocab import BASE, DCTERMS, FORMATS, RDF, VOID, WD

#: The IRI of the dataset itself and the named graph its description lives in.
DATASET = URIRef(BASE + "dataset")
LINKSET = URIRef(BASE + "dataset#wikidata-")
VOID_GRAPH = URIRef(BASE + "graph/void")
LICENSE = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")

_UNION = "{ SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


@dataclass(frozen=True)
class Counts:
    """The one set of counts every place shows (the banner, ``leongraph stats``, VoID,
    /healthz, ``leongraph export``)."""

    triples: int  # distinct triples in the union of all graphs: COUNT(*), void:triples
    quads: int  # (triple, graph) pairs: a triple stated in two graphs counts twice
    graphs: int  # named graphs holding data

    def __str__(self) -> str:
        return f"{self.triples} triples ({self.quads} quads in {self.graphs} graphs)"


def counts(store: Store) -> Counts:
    """Count the store: one query for the triples, the graph sizes for the rest."""
    sizes = store.graph_sizes()
    triples = _one(store, f"SELECT (COUNT(*) AS ?n) WHERE {_UNION}")
    return Counts(triples=triples, quads=sum(sizes.values()), graphs=len(sizes))


@dataclass(frozen=True)
class VoidStats:
    """The numbers VoID publishes about the dataset."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    graphs: int
    class_partitions: dict[str, int] = field(default_factory=dict)  # class -> instances
    property_partitions: dict[str, int] = field(default_factory=dict)  # property -> triples
    wikidata_links: dict[str, int] = field(default_factory=dict)  # link predicate -> triples


def _one(store: Store, select: str) -> int:
    # Consume the whole answer here: an engine's result may only be freed in its own thread.
    (row,) = list(store.query(select).rows())
    return int(str(row[0]))


def _pairs(store: Store, select: str) -> dict[str, int]:
    return {str(k): int(str(n)) for k, n in store.query(select).rows()}


def compute_stats(store: Store) -> VoidStats:
    """Count everything VoID describes, each with one query over the union graph."""
    base = BASE.replace('"', "")
    return VoidStats(
        triples=_one(store, f"SELECT (COUNT(*) AS ?n) WHERE {_UNION}"),
        entities=_one(
            store,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_UNION} "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}")) }}',
        ),
        distinct_subjects=_one(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {_UNION}"),
        distinct_objects=_one(store, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {_UNION}"),
        properties=_one(store, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {_UNION}"),
        classes=_one(
            store,
            "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s a ?o } }",
        ),
        graphs=len(store.graph_sizes()),
        class_partitions=_pairs(
            store,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c",
        ),
        property_partitions=_pairs(store, f"SELECT ?p (COUNT(*) AS ?n) WHERE {_UNION} GROUP BY ?p"),
        wikidata_links=_pairs(
            store,
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_UNION} "
            f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{WD}") && STRSTARTS(STR(?s), "{base}")) }} '
            "GROUP BY ?p",
        ),
    )


def void_triples(
    stats: VoidStats, *, public_base: str, formats: tuple[RdfFormat, ...]
) -> Iterator[tuple[Term, Term, Term]]:
    """The VoID description; ``public_base`` is where this server is reached (ends in /)."""
    v = VOID

    def lit(n: int) -> Literal:
        return Literal(n, datatype=XSD.integer)

    d = DATASET
    yield d, RDF.type, URIRef(v + "Dataset")
    yield d, URIRef(DCTERMS + "title"), Literal("Léon: The Professional knowledge graph", lang="en")
    yield (
        d,
        URIRef(DCTERMS + "description"),
        Literal(
            "Facts of the film Léon: The Professional, each traceable to the sentence of the "
            "source synopsis that states it.",
            lang="en",
        ),
    )
    yield d, URIRef(DCTERMS + "license"), LICENSE
    yield d, URIRef(v + "uriSpace"), Literal(BASE)
    yield d, URIRef(v + "sparqlEndpoint"), URIRef(public_base + "sparql")
    yield d, URIRef(v + "rootResource"), URIRef(BASE + "resource/leon-the-professional")
    yield d, URIRef(v + "vocabulary"), URIRef(BASE + "ontology#")
    for fmt in formats:
        yield d, URIRef(v + "dataDump"), URIRef(f"{public_base}export/leon.{fmt.extension}")
    yield d, URIRef(v + "feature"), FORMATS.Turtle
    for name, n in (
        ("triples", stats.triples),
        ("entities", stats.entities),
        ("distinctSubjects", stats.distinct_subjects),
        ("distinctObjects", stats.distinct_objects),
        ("properties", stats.properties),
        ("classes", stats.classes),
    ):
        yield d, URIRef(v + name), lit(n)
    for i, (cls, n) in enumerate(sorted(stats.class_partitions.items())):
        part = URIRef(f"{DATASET}#class-{i}")
        yield d, URIRef(v + "classPartition"), part
        yield part, URIRef(v + "class"), URIRef(cls)
        yield part, URIRef(v + "entities"), lit(n)
    for i, (prop, n) in enumerate(sorted(stats.property_partitions.items())):
        part = URIRef(f"{DATASET}#property-{i}")
        yield d, URIRef(v + "propertyPartition"), part
        yield part, URIRef(v + "property"), URIRef(prop)
        yield part, URIRef(v + "triples"), lit(n)
    wikidata = URIRef("http://www.wikidata.org/")
    yield wikidata, RDF.type, URIRef(v + "Dataset")
    yield wikidata, URIRef(v + "uriSpace"), Literal(str(WD))
    for i, (prop, n) in enumerate(sorted(stats.wikidata_links.items())):
        ls = URIRef(f"{LINKSET}{i}")
        yield d, URIRef(v + "subset"), ls
        yield ls, RDF.type, URIRef(v + "Linkset")
        yield ls, URIRef(v + "linkPredicate"), URIRef(prop)
        yield ls, URIRef(v + "subjectsTarget"), d
        yield ls, URIRef(v + "objectsTarget"), wikidata
        yield ls, URIRef(v + "triples"), lit(n)
