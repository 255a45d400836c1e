"""One registry of the formats leongraph reads and writes. Each format knows its media type,
its file extension, its short ``format=`` name, its W3C IRI (https://www.w3.org/ns/formats/),
rdflib's name for it and whether it carries a dataset (quads). The engine finds its own format
objects by media type.

>>> ResultsFormat.from_name("tsv").media_type
'text/tab-separated-values'
>>> RdfFormat.from_extension("jsonld").name
'jsonld'
>>> RdfFormat.from_name("turtle").name, RdfFormat.from_name("application/ld+json,text/n3").name
('ttl', 'jsonld')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self


@dataclass(frozen=True)
class _Format:
    name: str  # the short name used by ?format= and the CLI
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()  # other media types clients send for the same thing
    w3c: str = ""  # the format's IRI in https://www.w3.org/ns/formats/
    names: tuple[str, ...] = ()  # other short names clients send (SPARQLWrapper, Fuseki, Jena)

    registry: ClassVar[tuple[Self, ...]] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(
            ("+json", "+xml", "/json", "/trig", "/n-quads", "/n-triples")
        )
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @classmethod
    def all(cls) -> tuple[Self, ...]:
        return cls.registry

    @classmethod
    def from_name(cls, name: str) -> Self | None:
        """The format a ``format=`` value names: a short name, an extension, a media type, or a
        comma-separated list of media types as some clients send (the first known one)."""
        for part in name.split(","):
            part = part.split(";")[0].strip().lower()
            for f in cls.registry:
                if part in (f.name, f.extension, *f.names) or part in f.media_types:
                    return f
        return None

    @classmethod
    def from_media_type(cls, media_type: str) -> Self | None:
        media_type = media_type.split(";")[0].strip().lower()
        return next((f for f in cls.registry if media_type in f.media_types), None)

    @classmethod
    def from_extension(cls, extension: str) -> Self | None:
        extension = extension.lstrip(".").lower()
        return next((f for f in cls.registry if extension == f.extension), None)


@dataclass(frozen=True)
class ResultsFormat(_Format):
    """SPARQL 1.1 query results formats (SELECT and ASK)."""


@dataclass(frozen=True)
class RdfFormat(_Format):
    """RDF serialisations (CONSTRUCT, DESCRIBE, exports, resource descriptions)."""

    dataset: bool = False  # True for formats that carry named graphs
    rdflib: str = ""  # rdflib's plugin name for it


_W3C = "http://www.w3.org/ns/formats/"
JSON = ResultsFormat(
    "json",
    "application/sparql-results+json",
    "srj",
    ("application/json",),
    _W3C + "SPARQL_Results_JSON",
    names=("sparql-results+json",),
)
XML = ResultsFormat(
    "xml",
    "application/sparql-results+xml",
    "srx",
    ("application/xml",),
    _W3C + "SPARQL_Results_XML",
    names=("sparql-results+xml",),
)
CSV = ResultsFormat("csv", "text/csv", "csv", (), _W3C + "SPARQL_Results_CSV")
TSV = ResultsFormat("tsv", "text/tab-separated-values", "tsv", (), _W3C + "SPARQL_Results_TSV")
ResultsFormat.registry = (JSON, XML, CSV, TSV)

# Turtle answers for N3: every Turtle document is N3 (SPARQLWrapper's N3 asks for Turtle too).
TURTLE = RdfFormat(
    "ttl",
    "text/turtle",
    "ttl",
    ("application/x-turtle",),
    _W3C + "Turtle",
    names=("turtle", "n3"),
    rdflib="turtle",
)
NTRIPLES = RdfFormat(
    "nt",
    "application/n-triples",
    "nt",
    (),
    _W3C + "N-Triples",
    names=("ntriples", "n-triples"),
    rdflib="nt11",
)
JSONLD = RdfFormat(
    "jsonld",
    "application/ld+json",
    "jsonld",
    ("application/x-json+ld",),
    _W3C + "JSON-LD",
    names=("json-ld",),
    rdflib="json-ld",
)
RDFXML = RdfFormat(
    "rdf",
    "application/rdf+xml",
    "rdf",
    (),
    _W3C + "RDF_XML",
    names=("rdf+xml", "rdfxml", "rdf/xml", "owl"),
    rdflib="xml",
)
TRIG = RdfFormat("trig", "application/trig", "trig", (), _W3C + "TriG", dataset=True, rdflib="trig")
NQUADS = RdfFormat(
    "nq",
    "application/n-quads",
    "nq",
    (),
    _W3C + "N-Quads",
    names=("nquads", "n-quads"),
    dataset=True,
    rdflib="nquads",
)
RdfFormat.registry = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)

#: Web pages: offered beside the RDF formats wherever a browser may ask (linked-data pages, the
#: query page), so one negotiation picks between HTML and data.
HTML = _Format("html", "text/html", "html", ("application/xhtml+xml",))
