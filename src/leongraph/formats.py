"""One registry of the formats leongraph reads and writes. Each format knows its media type,
its file extension, its short ``format=`` name and whether it carries a dataset (quads).

>>> ResultsFormat.from_name("tsv").media_type
'text/tab-separated-values'
>>> RdfFormat.from_extension("jsonld").name
'jsonld'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class _Format:
    name: str  # the short name used by ?format= and the CLI
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()  # other media types clients send for the same thing

    registry: ClassVar[tuple[_Format, ...]] = ()

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
    def all(cls) -> tuple[_Format, ...]:
        return cls.registry

    @classmethod
    def from_name(cls, name: str) -> _Format | None:
        name = name.strip().lower()
        for f in cls.registry:
            if name in (f.name, f.extension) or name in f.media_types:
                return f
        return None

    @classmethod
    def from_media_type(cls, media_type: str) -> _Format | None:
        media_type = media_type.split(";")[0].strip().lower()
        return next((f for f in cls.registry if media_type in f.media_types), None)

    @classmethod
    def from_extension(cls, extension: str) -> _Format | None:
        extension = extension.lstrip(".").lower()
        return next((f for f in cls.registry if extension == f.extension), None)


@dataclass(frozen=True)
class ResultsFormat(_Format):
    """SPARQL 1.1 query results formats (SELECT and ASK)."""


@dataclass(frozen=True)
class RdfFormat(_Format):
    """RDF serialisations (CONSTRUCT, DESCRIBE, exports, resource descriptions)."""

    dataset: bool = False  # True for formats that carry named graphs


JSON = ResultsFormat("json", "application/sparql-results+json", "srj", ("application/json",))
XML = ResultsFormat("xml", "application/sparql-results+xml", "srx", ("application/xml",))
CSV = ResultsFormat("csv", "text/csv", "csv")
TSV = ResultsFormat("tsv", "text/tab-separated-values", "tsv")
ResultsFormat.registry = (JSON, XML, CSV, TSV)

TURTLE = RdfFormat("ttl", "text/turtle", "ttl", ("application/x-turtle",))
NTRIPLES = RdfFormat("nt", "application/n-triples", "nt")
JSONLD = RdfFormat("jsonld", "application/ld+json", "jsonld")
RDFXML = RdfFormat("rdf", "application/rdf+xml", "rdf")
TRIG = RdfFormat("trig", "application/trig", "trig", dataset=True)
NQUADS = RdfFormat("nq", "application/n-quads", "nq", dataset=True)
RdfFormat.registry = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)

#: Web pages: offered beside the RDF formats wherever a browser may ask (linked-data pages, the
#: query page), so one negotiation picks between HTML and data.
HTML = _Format("html", "text/html", "html", ("application/xhtml+xml",))
