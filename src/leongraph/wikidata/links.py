"""Which entities of the graph are linked to Wikidata, with the evidence of the reference table
(reference/wikidata-ids.tsv), and which are not, with the reason the table gives.

A link is sound when its identifier is ``verified`` in the table (two independent public
sources), or ``likely`` with a second source recorded next to it in the data. Anything else
linked is reported as a problem, never silently accepted.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from leongraph.engine import Store
from leongraph.errors import DataError
from leongraph.vocab import LEON, PQ, PQV, PS, PSV, WDT, P
from leongraph.wikidata.matching import Index, fold

REFERENCE = Path("reference") / "wikidata-ids.tsv"
#: The kinds of entity that could have a Wikidata item of their own.
LINKABLE = ("Film", "Person", "FictionalCharacter", "Organisation", "Place", "Genre")


@dataclass(frozen=True)
class Reference:
    """One row of the reference table."""

    kind: str
    label: str
    id: str
    confidence: str  # verified | likely | unverified
    evidence: str


@dataclass(frozen=True)
class Link:
    """One entity of the graph and what the reference table says about it."""

    entity: str  # local id (res:<id>)
    name: str
    wikidata: str | None  # the item it is linked to, if any
    confidence: str | None  # the table's confidence for that item (or for the entity)
    evidence: str  # the table's evidence, or why there is no link
    sound: bool  # linked with a verified id, or not linked at all


def read_reference(path: Path) -> list[Reference]:
    """The rows of the reference table; DataError if it is missing or malformed."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    except OSError as exc:
        raise DataError(f"cannot read the reference table: {exc}", path=str(path)) from exc
    needed = {"kind", "label", "id", "confidence", "evidence"}
    if not rows or not needed <= set(rows[0]):
        raise DataError(f"expected the columns {', '.join(sorted(needed))}", path=str(path))
    return [Reference(**{k: (row[k] or "").strip() for k in needed}) for row in rows]


def _base_label(label: str) -> str:
    """ "Léon (character, Léon Montana)" -> "leon"."""
    return fold(re.sub(r"\s*\(.*\)\s*$", "", label))


def _aliases(label: str) -> set[str]:
    """Every name a reference label gives: the base and the parenthesised forms."""
    names = {_base_label(label)}
    for inner in re.findall(r"\(([^)]*)\)", label):
        names |= {fold(part) for part in inner.split(",")}
    words = _base_label(label).split()
    if len(words) > 1:  # "Drug Enforcement Administration" is also "DEA"
        names.add("".join(w[0] for w in words))
    return {n for n in names if n}


def links(index: Index, reference: list[Reference]) -> list[Link]:
    """One Link per linkable entity, linked ones first, each sorted by name."""
    by_id = {r.id: r for r in reference if r.kind == "item" and r.id}
    items = [r for r in reference if r.kind == "item"]
    wanted = {str(LEON) + t for t in LINKABLE}
    found: list[Link] = []
    for entity in index.entities.values():
        if not entity.types & wanted:
            continue
        if entity.wikidata:
            row = by_id.get(entity.wikidata)
            confidence = row.confidence if row else None
            evidence = row.evidence if row else "this identifier is not in the reference table"
            sound = confidence == "verified" or (confidence == "likely" and entity.confirmed)
            found.append(Link(entity.id, entity.name, entity.wikidata, confidence, evidence, sound))
            continue
        names = {n for n, _ in entity.names} | {fold(entity.name)}
        row = next((r for r in items if _base_label(r.label) in names), None) or next(
            (r for r in items if _aliases(r.label) & names), None
        )
        if row is None:
            found.append(
                Link(entity.id, entity.name, None, None, "not in the reference table", True)
            )
        else:
            why = row.evidence
            if row.confidence == "likely":
                why = f"{row.id} is only likely (one public source): {why}"
            found.append(Link(entity.id, entity.name, None, row.confidence, why, True))
    return sorted(found, key=lambda link: (link.wikidata is None, fold(link.name)))


def render(found: list[Link], width: int = 100) -> str:
    """A plain-text report: linked entities, then the others, then any unsound link."""
    linked = [link for link in found if link.wikidata]
    other = [link for link in found if not link.wikidata]
    unsound = [link for link in found if not link.sound]

    def line(link: Link) -> str:
        head = f"  res:{link.entity:<32} {link.name[:30]:<30} "
        tail = f"wd:{link.wikidata} " if link.wikidata else ""
        tail += f"[{link.confidence or 'no entry'}] {link.evidence}"
        return (head + tail)[:width]

    out = [f"Linked to Wikidata ({len(linked)}):", *map(line, linked), ""]
    out += [f"Not linked ({len(other)}):", *map(line, other)]
    if unsound:
        out += ["", f"Links without a verified identifier ({len(unsound)}):", *map(line, unsound)]
    return "\n".join(out) + "\n"


def as_json(found: list[Link]) -> list[dict[str, object]]:
    return [asdict(link) for link in found]


#: The predicates of a Wikidata property entity, and the namespace of the term each points to.
PROPERTY_FORMS = (
    ("directClaim", str(WDT)),
    ("claim", str(P)),
    ("statementProperty", str(PS)),
    ("statementValue", str(PSV)),
    ("qualifier", str(PQ)),
    ("qualifierValue", str(PQV)),
)
_USED_PROPERTIES = (
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o FILTER(REGEX(STR(?p), "
    '"^http://www.wikidata.org/prop/(direct/|statement/|qualifier/|statement/value/)?P[0-9]+$")) }'
)


def used_properties(store: Store) -> list[str]:
    """The Wikidata property ids the graph uses as predicates (wdt:, p:, ps:, pq:, psv:)."""
    pids = {str(p).rsplit("/", 1)[1] for (p,) in store.query(_USED_PROPERTIES).rows()}
    return sorted(pids, key=lambda pid: int(pid[1:]))


def property_entities(reference: list[Reference], pids: list[str]) -> str:
    """Turtle for the Wikidata property entities of ``pids`` (label from the reference table,
    and the links WDQS queries follow: ``?prop wikibase:directClaim ?wdt``)."""
    rows = {r.id: r for r in reference if r.kind == "property"}
    out = [
        "@prefix wd: <http://www.wikidata.org/entity/> .",
        "@prefix wikibase: <http://wikiba.se/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "",
        "# The Wikidata properties this graph uses, as Wikidata describes its properties, so that",
        "# WDQS queries such as `?prop wikibase:directClaim ?wdt ; rdfs:label ?name` work here.",
        "# Labels and identifiers come from reference/wikidata-ids.tsv. Generated by",
        "# `leongraph links --properties`; tests/test_links.py checks it is up to date.",
        "",
        "<https://w3id.org/leongraph/graph/wikidata-properties> rdfs:comment"
        ' "Wikidata property entities for the properties the graph uses."@en ;',
        "    dcterms:source <https://www.wikidata.org/> .",
    ]
    for pid in pids:
        if pid not in rows:
            raise DataError(f"{pid} is not in the reference table", path=str(REFERENCE))
        label = rows[pid].label.replace('"', "'")
        out += ["", f"wd:{pid} a wikibase:Property ;", f'    rdfs:label "{label}"@en ;']
        forms = [f"    wikibase:{name} <{ns}{pid}>" for name, ns in PROPERTY_FORMS]
        out.append(" ;\n".join(forms) + " .")
    return "\n".join(out) + "\n"


__all__ = [
    "LINKABLE",
    "REFERENCE",
    "Link",
    "Reference",
    "as_json",
    "links",
    "property_entities",
    "read_reference",
    "used_properties",
]
