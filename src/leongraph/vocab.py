"""Every IRI leongraph names: the project's namespaces, the public vocabularies it aligns with,
and the single terms code refers to. Stable: they never depend on the host or port the server
runs on."""

from __future__ import annotations

import functools

from rdflib import Namespace

BASE = "https://w3id.org/leongraph/"
LEON = Namespace(BASE + "ontology#")  # ontology terms
RES = Namespace(BASE + "resource/")  # film, people, characters, places, events, ...
SENT = Namespace(BASE + "sentence/")  # source sentences; each is also the named graph of its facts
GRAPH = Namespace(BASE + "graph/")  # other named graphs: ontology, source, entities
ONTOLOGY_GRAPH = GRAPH["ontology"]
# Each data/<stem>.ttl is loaded into graph/<stem> (loader.py):
SOURCE_GRAPH = GRAPH["sentences"]  # data/sentences.ttl: the source document and its sentences
ENTITIES_GRAPH = GRAPH["leon"]  # data/leon.ttl: the entities and their classes
WIKIDATA_GRAPH = GRAPH["wikidata"]  # data/wikidata.ttl: owl:sameAs links, external ids
HISTORY_GRAPH = GRAPH["history"]  # one prov:Activity per edit (edits/history.py)
EDIT = Namespace(BASE + "edit/")  # edits; each is also the named graph of the facts it added
AGENT = Namespace(BASE + "agent/")  # the editors, one per token name
EDITS = Namespace(BASE + "edits#")  # the history's own terms: added, removed, graph, reverts
# leongraph's default graph (the union of its named graphs) on an engine whose own default
# graph cannot hold it (Virtuoso's is the union of every graph): engine/remote.py
UNION_GRAPH = GRAPH["default"]

SCHEMA = Namespace("http://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
PSV = Namespace("http://www.wikidata.org/prop/statement/value/")
PQV = Namespace("http://www.wikidata.org/prop/qualifier/value/")
WIKIBASE = Namespace("http://wikiba.se/ontology#")
BD = Namespace("http://www.bigdata.com/rdf#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
SHAPES = Namespace(BASE + "shapes#")
QUERY_HINTS = Namespace("http://www.bigdata.com/queryHints#")
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"

# Single terms, as plain strings, for code that compares the values of engine terms.
RDF_TYPE = str(RDF.type)
RDFS_LABEL = str(RDFS.label)
RDFS_COMMENT = str(RDFS.comment)
OWL_SAME_AS = str(OWL.sameAs)
SKOS_ALT_LABEL = str(SKOS.altLabel)
SCHEMA_DESCRIPTION = str(SCHEMA.description)
SCHEMA_ALTERNATE_NAME = str(SCHEMA.alternateName)
XSD_STRING = str(XSD.string)
WIKIBASE_LABEL = str(WIKIBASE.label)

#: Prefixes every query may use without declaring them (WDQS's set plus the project's own).
PREFIXES: dict[str, str] = {
    "leon": str(LEON),
    "res": str(RES),
    "sent": str(SENT),
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "prov": str(PROV),
    "wd": str(WD),
    "wdt": str(WDT),
    "p": str(P),
    "ps": str(PS),
    "pq": str(PQ),
    "psv": str(PSV),
    "pqv": str(PQV),
    "wikibase": str(WIKIBASE),
    "bd": str(BD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "void": str(VOID),
    "sh": str(SH),
}

#: Namespaces queries often use that are not predeclared: an error for an undeclared prefix
#: suggests the declaration of the one it names (sparql/diagnostics.py).
WELL_KNOWN_PREFIXES: dict[str, str] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": str(DCTERMS),
    "nif": str(NIF),
    "sd": str(SD),
    "wds": "http://www.wikidata.org/entity/statement/",
    "wdv": "http://www.wikidata.org/value/",
    "wdref": "http://www.wikidata.org/reference/",
    "pr": "http://www.wikidata.org/prop/reference/",
    "wdno": "http://www.wikidata.org/prop/novalue/",
    "hint": str(QUERY_HINTS),
    "geo": "http://www.opengis.net/ont/geosparql#",
    "dbo": "http://dbpedia.org/ontology/",
    "dbr": "http://dbpedia.org/resource/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "time": "http://www.w3.org/2006/time#",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "ex": "http://example.org/",
}


#: Every prefix a serialisation binds (Turtle, TriG, RDF/XML, JSON-LD): the predeclared ones
#: and the other namespaces the data uses (NIF for the synopsis's sentences, the graphs, the
#: history's terms), so no document falls back to a generated ``ns1:``.
SERIALIZATION_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "nif": str(NIF),
    "graph": str(GRAPH),
    "edit": str(EDIT),
    "edits": str(EDITS),
    "sd": str(SD),
    "vann": "http://purl.org/vocab/vann/",
}


@functools.lru_cache(maxsize=1024)
def prefixes_used(text: str) -> dict[str, str]:
    """The predeclared prefixes ``text`` may use (a superset: any ``name:`` in it counts).
    Oxigraph reads every prefix it is given on every query, ~0.4 µs each. Read-only."""
    return {p: ns for p, ns in PREFIXES.items() if p + ":" in text}
