"""Whole-graph exports in every RDF format, with the VoID description in ``graph/void``: the
bytes behind ``leongraph export`` and ``/export/leon.<ext>``, computed once per format."""

from __future__ import annotations

from collections.abc import Iterator

from leongraph.engine import Store, Term
from leongraph.errors import UnknownResource
from leongraph.formats import RdfFormat
from leongraph.linkeddata.describe import graph_quads
from leongraph.linkeddata.publication import Publication
from leongraph.linkeddata.serialize import serialize
from leongraph.linkeddata.void import VOID_GRAPH, void_triples
from leongraph.vocab import BASE, GRAPH, SENT

Quad = tuple[Term, Term, Term, Term | None]


def resolve_graph(store: Store, name: str) -> str:
    """A graph named by its IRI or short name (``ontology``, ``source``, ``sentence/12``)."""
    name = name.strip()
    held = store.graph_sizes()
    candidates = [name]
    if not name.startswith(("http://", "https://", "urn:")):
        if name.startswith("sentence/"):
            candidates = [str(SENT) + name.removeprefix("sentence/")]
        else:
            candidates = [str(GRAPH) + name.removeprefix("graph/"), BASE + name]
    for iri in candidates:
        if iri in held:
            return iri
    raise UnknownResource(f"no named graph {name[:200]!r} in the dataset", graph=name[:200])


def void_quads(pub: Publication, public_base: str) -> Iterator[Quad]:
    for s, p, o in void_triples(
        pub.void_stats,
        public_base=public_base,
        formats=RdfFormat.all(),
    ):
        yield s, p, o, VOID_GRAPH


def export_bytes(
    pub: Publication, fmt: RdfFormat, *, graph: str | None = None, public_base: str = BASE
) -> bytes:
    """The whole dataset (with its VoID description in graph/void), or one named graph."""
    key = ("export", fmt.name, graph or "", public_base)

    def make() -> bytes:
        if graph is not None:
            return serialize(graph_quads(pub.store, graph), fmt, context=pub.context)
        quads: list[Quad] = [*pub.store.quads(), *void_quads(pub, public_base)]
        return serialize(quads, fmt, context=pub.context)

    return pub.cached(key, make)
