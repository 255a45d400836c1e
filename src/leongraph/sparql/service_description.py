"""The SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-
description/): what ``GET /sparql`` without a query answers. It states the endpoint, the
languages and result formats, the features (the default graph is the union of the named graphs;
no federated query), the limits, and every named graph with its size (void:triples)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID

from leongraph import __version__
from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.formats import RdfFormat, ResultsFormat
from leongraph.vocab import ENTAILMENT, FORMATS, SD


def service_description(store: Store, settings: Settings, endpoint: str) -> Graph:
    """The description of the endpoint served at ``endpoint`` (its absolute URL)."""
    g = Graph()
    for prefix, ns in (
        ("sd", SD),
        ("formats", FORMATS),
        ("void", VOID),
        ("dcterms", DCTERMS),
        ("ent", ENTAILMENT),
    ):
        g.bind(prefix, ns)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, DCTERMS.title, Literal("leongraph SPARQL endpoint")))
    comment = (
        f"The knowledge graph of the film Léon: The Professional (leongraph {__version__}, "
        f"engine {store.engine}). Read-only unless updates are enabled; SERVICE and LOAD "
        f"are refused; queries stop after {settings.timeout:g} s, answers after "
        f"{settings.max_rows} rows; a query is at most {settings.max_query_length} characters."
    )
    g.add((service, RDFS.comment, Literal(comment)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.allow_updates:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in (*ResultsFormat.all(), *RdfFormat.all()):
        g.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))

    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of all the named graphs.")))
    for i, (name, size) in enumerate(sorted(store.graph_sizes().items())):
        named, graph = BNode(f"named{i}"), BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(size)))
    return g
