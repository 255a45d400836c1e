"""Provenance and statistics of the bundled graph: how many facts cite each source sentence, and
what the graph holds (triples, entities per class, links to Wikidata).

The provenance rule: every fact cites a sentence of the synopsis, or an edit. A fact is a
triple in the named graph of a sentence (``sent:N``) or of an edit (``edit/N``, the graph an
edit writes the triples it adds to the default graph into). Counts are taken on the data as
written (``asserted``) and after alignment added the public-vocabulary view (``total``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import RDF, Dataset, URIRef
from rdflib.namespace import OWL

from leongraph.vocab import EDIT, LEON, SENT, WD

#: Sentences deliberately left without facts, with the reason. Every other sentence must state
#: at least one fact (tests/test_provenance.py enforces both directions). All 45 sentences of the
#: synopsis currently carry facts, so the list is empty.
UNCOVERED: dict[int, str] = {}


@dataclass(frozen=True)
class SentenceCoverage:
    """The facts citing one sentence."""

    n: int
    text: str
    asserted: int
    total: int


@dataclass(frozen=True)
class EditCoverage:
    """The facts citing one edit: the triples of its graph (with their aligned view)."""

    n: int
    facts: int
    summary: str = ""


@dataclass(frozen=True)
class Stats:
    """What the graph holds."""

    triples: int  # distinct triples in the union of all graphs (as VoID and /healthz count)
    quads: int  # (triple, graph) pairs: a triple in two graphs counts twice
    graphs: dict[str, int]
    entities_per_class: dict[str, int]
    sentences: int
    facts: int
    events: int
    wikidata_links: int
    wikidata_iris: int
    uncovered: list[int] = field(default_factory=list)


def sentence_number(graph: object) -> int | None:
    """N for the IRI ``sent:N``, else None."""
    text = str(graph)
    if not text.startswith(str(SENT)):
        return None
    tail = text[len(str(SENT)) :]
    return int(tail) if tail.isdigit() else None


def edit_number(graph: object) -> int | None:
    """N for the IRI ``edit/N``, else None."""
    text = str(graph)
    tail = text[len(str(EDIT)) :] if text.startswith(str(EDIT)) else ""
    return int(tail) if tail.isdigit() else None


def edit_coverage(ds: Dataset, summaries: dict[int, str] | None = None) -> list[EditCoverage]:
    """One row per edit graph holding facts, in edit order."""
    sizes = {n: len(g) for g in ds.graphs() if (n := edit_number(g.identifier)) is not None}
    summaries = summaries or {}
    return [EditCoverage(n, sizes[n], summaries.get(n, "")) for n in sorted(sizes) if sizes[n]]


def _sentence_graph_sizes(ds: Dataset) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for g in ds.graphs():
        n = sentence_number(g.identifier)
        if n is not None:
            sizes[n] = len(g)
    return sizes


def _sentence_texts(ds: Dataset) -> dict[int, str]:
    texts: dict[int, str] = {}
    for s, _, o, _ in ds.quads((None, LEON.text, None, None)):
        n = sentence_number(s)
        if n is not None:
            texts[n] = str(o)
    return texts


def coverage(asserted: Dataset, aligned: Dataset | None = None) -> list[SentenceCoverage]:
    """One row per sentence of the source, in order: facts asserted for it, and facts after
    alignment (``aligned`` defaults to ``asserted``)."""
    texts = _sentence_texts(asserted)
    written = _sentence_graph_sizes(asserted)
    total = _sentence_graph_sizes(aligned) if aligned is not None else written
    return [
        SentenceCoverage(n, texts[n], written.get(n, 0), total.get(n, 0)) for n in sorted(texts)
    ]


def uncovered(rows: list[SentenceCoverage]) -> list[int]:
    """Sentences without any fact."""
    return [r.n for r in rows if r.asserted == 0]


def stats(asserted: Dataset, aligned: Dataset) -> Stats:
    """Figures for ``leongraph stats``: ``asserted`` is the data as written, ``aligned`` the
    served graph (with the public-vocabulary view)."""
    graphs = {str(g.identifier): len(g) for g in aligned.graphs() if len(g)}
    per_class: Counter[str] = Counter()
    typed = {(s, o) for s, _, o, _ in aligned.quads((None, RDF.type, None, None))}
    for _, cls in typed:
        if isinstance(cls, URIRef) and cls.startswith(LEON):
            per_class[cls.removeprefix(str(LEON))] += 1
    links = {
        (s, o)
        for s, _, o, _ in aligned.quads((None, OWL.sameAs, None, None))
        if str(o).startswith(str(WD))
    }
    wd_iris = {
        t
        for s, _, o, _ in aligned.quads((None, None, None, None))
        for t in (s, o)
        if isinstance(t, URIRef) and t.startswith(WD)
    }
    rows = coverage(asserted, aligned)
    return Stats(
        triples=len({(s, p, o) for s, p, o, _ in aligned.quads((None, None, None, None))}),
        quads=sum(graphs.values()),
        graphs=dict(sorted(graphs.items())),
        entities_per_class=dict(sorted(per_class.items())),
        sentences=len(rows),
        facts=sum(r.asserted for r in rows),
        events=per_class.get("PlotEvent", 0),
        wikidata_links=len(links),
        wikidata_iris=len(wd_iris),
        uncovered=uncovered(rows),
    )


def format_coverage(
    rows: list[SentenceCoverage], width: int = 72, edits: list[EditCoverage] | None = None
) -> str:
    """The coverage table as text, one sentence per line, then one line per edit graph."""
    lines = [f"{'sentence':>8}  {'facts':>5}  {'total':>5}  text"]
    for r in rows:
        text = r.text if len(r.text) <= width else r.text[: width - 1] + "…"
        mark = "" if r.asserted else "  <- no facts" + (" (documented)" if r.n in UNCOVERED else "")
        lines.append(f"{r.n:>8}  {r.asserted:>5}  {r.total:>5}  {text}{mark}")
    covered = sum(1 for r in rows if r.asserted)
    lines.append(
        f"{covered} of {len(rows)} sentences cite {sum(r.asserted for r in rows)} facts "
        f"({sum(r.total for r in rows)} with the aligned view)"
    )
    if edits:
        lines.append(f"{'edit':>8}  {'facts':>5}  summary")
        for e in edits:
            text = e.summary if len(e.summary) <= width else e.summary[: width - 1] + "…"
            lines.append(f"{e.n:>8}  {e.facts:>5}  {text}")
        noun = "graph holds" if len(edits) == 1 else "graphs hold"
        lines.append(f"{len(edits)} edit {noun} {sum(e.facts for e in edits)} facts")
    return "\n".join(lines)


def format_stats(s: Stats) -> str:
    """``leongraph stats`` output."""
    lines = [
        f"triples (distinct, in the union of all graphs): {s.triples}",
        f"quads (a triple in two graphs counts twice): {s.quads} in {len(s.graphs)} graphs",
        f"sentences: {s.sentences}",
        f"facts (asserted triples in sentence graphs): {s.facts}",
        f"plot events: {s.events}",
        f"owl:sameAs links to Wikidata: {s.wikidata_links}",
        f"distinct Wikidata IRIs used: {s.wikidata_iris}",
        f"sentences without facts: {', '.join(map(str, s.uncovered)) or 'none'}",
        "entities per class (subclasses included):",
    ]
    lines += [f"  leon:{name}: {count}" for name, count in s.entities_per_class.items()]
    other = {g: n for g, n in s.graphs.items() if sentence_number(g) is None}
    lines.append("named graphs other than sentences:")
    lines += [f"  {g}: {n}" for g, n in other.items()]
    return "\n".join(lines)
