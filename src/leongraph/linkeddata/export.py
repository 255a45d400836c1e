"""Whole-graph exports in every RDF format, with the VoID description in ``graph/void``: the
bytes behind ``leongraph export`` and ``/export/leon.<ext>``, computed once per format."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator

from leongraph.engine import Store, Term
from leongraph.errors import UnknownResource
from leongraph.formats import RdfFormat
from leongraph.linkeddata.describe import graph_quads
from leongraph.linkeddata.publication import Publication
from leongraph.linkeddata.serialize import serialize
from leongraph.linkeddata.void import VOID_GRAPH, void_triples
from leongraph.vocab import BASE, GRAPH, SENT

Quad = tuple[Term, Term, Term, Term | None]


#: The short names of the bundled dataset's graphs, as the README, ``export --help`` and
#: ``/graph/<name>`` give them (tests/linkeddata/test_graph_names.py runs each one).
BUNDLED_GRAPHS = ("ontology", "leon", "sentences", "wikidata", "wikidata-properties", "void")


def held_graphs(store: Store) -> set[str]:
    """Every named graph a client may ask for: the store's, and ``graph/void`` (the VoID
    description every whole-dataset export carries)."""
    return {*store.graph_sizes(), str(VOID_GRAPH)}


def resolve_graph(store: Store, name: str) -> str:
    """A graph named by its IRI or short name (``ontology``, ``void``, ``sentence/12``…)."""
    name = name.strip()
    held = held_graphs(store)
    candidates = [name]
    if not name.startswith(("http://", "https://", "urn:")):
        if name.startswith("sentence/"):
            candidates = [str(SENT) + name.removeprefix("sentence/")]
        else:
            candidates = [str(GRAPH) + name.removeprefix("graph/"), BASE + name]
    for iri in candidates:
        if iri in held:
            return iri
    short = sorted(g.removeprefix(str(GRAPH)) for g in held if g.startswith(str(GRAPH)))
    raise UnknownResource(
        f"no named graph {name[:200]!r} in the dataset; the named graphs are "
        f"{', '.join(short)} and sentence/N",
        graph=name[:200],
    )


def void_quads(pub: Publication, public_base: str) -> Iterator[Quad]:
    for s, p, o in void_triples(
        pub.void_stats,
        public_base=public_base,
        formats=RdfFormat.all(),
    ):
        yield s, p, o, VOID_GRAPH


def named_graph_quads(pub: Publication, graph: str, public_base: str = BASE) -> list[Quad]:
    """The quads of one named graph; ``graph/void`` is computed from the store's statistics."""
    if graph == str(VOID_GRAPH):
        return list(void_quads(pub, public_base))
    return list(graph_quads(pub.store, graph))


def _watched(quads: Iterable[Quad], progress: Callable[[int], object]) -> Iterator[Quad]:
    """``quads``, telling ``progress`` of each block of 10,000 read."""
    n = 0
    for q in quads:
        yield q
        n += 1
        if n == 10_000:
            progress(n)
            n = 0
    progress(n)


def export_bytes(
    pub: Publication,
    fmt: RdfFormat,
    *,
    graph: str | None = None,
    public_base: str = BASE,
    progress: Callable[[int], object] | None = None,
) -> bytes:
    """The whole dataset (with its VoID description in graph/void), or one named graph.
    ``progress`` is told how many more quads have been read (``tqdm.update``)."""
    key = ("export", fmt.name, graph or "", public_base)

    def make() -> bytes:
        quads: Iterable[Quad]
        if graph is not None:
            quads = named_graph_quads(pub, graph, public_base)
        else:
            quads = itertools.chain(pub.store.quads(), void_quads(pub, public_base))
        if progress is not None:
            quads = _watched(quads, progress)
        return serialize(quads, fmt, context=pub.context)

    return pub.cached(key, make)
