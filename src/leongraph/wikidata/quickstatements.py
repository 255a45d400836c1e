"""QuickStatements (V1) for the statements of this graph that Wikidata could take: subject and
value are Wikidata items or literals, and each cites the sentence of the synopsis it comes from
(``S854``, reference URL = the sentence IRI).

Lines follow the V1 syntax, fields separated by ``|`` (QuickStatements also accepts tabs):
``Q484675|P577|+1994-09-14T00:00:00Z/11|P291|Q142|S854|"https://w3id.org/leongraph/sentence/8"``.
Dates carry their precision (``/11`` day, ``/9`` year), amounts their unit (``+45284974U4917``),
texts their language (``fr:"Léon"``). Statements that need an entity Wikidata has no verified
item for are not dropped: they are listed after the commands, as ``#`` comments, each with the
entity that needs an item first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from leongraph.engine import Store
from leongraph.vocab import PQ, PS, PSV, RES, SENT, WD, WDT, WIKIBASE, XSD
from leongraph.vocab import P as WDP

MEDIA_TYPE = "text/plain; charset=utf-8"
# Only the Wikidata-model triples (and each one's graph), so a large store is not read whole.
_WIKIDATA_QUADS = """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o }
    FILTER(STRSTARTS(STR(?p), STR(p:)) || ?p = wikibase:quantityUnit) }"""
_RESOURCE_LABELS = f"""SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ ?s rdfs:label ?l
    FILTER(STRSTARTS(STR(?s), "{RES}") && LANGMATCHES(LANG(?l), "en")) }} GROUP BY ?s"""


@dataclass
class Claim:
    """One statement: subject, property, main value, qualifiers and the graphs stating it."""

    subject: Node
    prop: str  # "P161"
    value: Node
    qualifiers: list[tuple[str, Node]] = field(default_factory=list)
    unit: Node | None = None
    graphs: set[str] = field(default_factory=set)


@dataclass
class Batch:
    commands: list[str]
    needs_item: list[str]  # comment lines: statements waiting for an item
    notes: list[str]  # comment lines: what was left out of commands, and why

    def text(self, *, comments: bool = True) -> str:
        """The batch; without ``comments``, only the commands (to paste as they are)."""
        if not comments:
            return "\n".join(self.commands) + "\n"
        head = [
            "# QuickStatements V1 for Léon: The Professional (Q484675), from the leongraph",
            "# knowledge graph. Each command cites the synopsis sentence it comes from (S854).",
        ]
        out = head + self.commands
        if self.notes:
            out += ["", *self.notes]
        if self.needs_item:
            out += ["", "# Statements that need a Wikidata item first:", *self.needs_item]
        return "\n".join(out) + "\n"


def claims(store: Store) -> list[Claim]:
    """Every Wikidata-model statement of the store: qualified ones (p:/ps:/pq:/psv:) and the
    direct claims (wdt:) no qualified statement already gives."""
    by_sp: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    graphs: dict[tuple[Node, Node, Node], set[str]] = defaultdict(set)
    for s, p, o, g in store.query(_WIKIDATA_QUADS).rows():
        if s is None or p is None or o is None:  # never: the pattern binds them
            continue
        by_sp[(s, p)].add(o)
        graphs[(s, p, o)].add(str(g))
    found: list[Claim] = []
    seen: set[tuple[Node, str, Node]] = set()
    for (s, p), objects in sorted(by_sp.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        if not str(p).startswith(str(WDP)) or str(p).startswith((str(PS), str(PQ), str(PSV))):
            continue
        prop = str(p).removeprefix(str(WDP))
        for node in sorted(objects, key=str):
            for value in sorted(by_sp.get((node, PS[prop]), ()), key=str):
                claim = Claim(s, prop, value, graphs=graphs[(s, p, node)])
                for (n, q), qvalues in by_sp.items():
                    if n == node and str(q).startswith(str(PQ)):
                        qid = str(q).removeprefix(str(PQ))
                        claim.qualifiers += [(qid, v) for v in sorted(qvalues, key=str)]
                for qv in by_sp.get((node, PSV[prop]), ()):
                    claim.unit = next(iter(by_sp.get((qv, WIKIBASE.quantityUnit), ())), None)
                claim.qualifiers.sort(key=lambda kv: (kv[0], str(kv[1])))
                found.append(claim)
                seen.add((s, prop, value))
    for (s, p), objects in sorted(by_sp.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        if not str(p).startswith(str(WDT)):
            continue
        prop = str(p).removeprefix(str(WDT))
        for value in sorted(objects, key=str):
            if (s, prop, value) not in seen:
                found.append(Claim(s, prop, value, graphs=graphs[(s, p, value)]))
    return found


def item_id(term: Node) -> str | None:
    """``Q484675`` for a Wikidata item IRI, None for anything else."""
    text = str(term)
    if isinstance(term, URIRef) and text.startswith(str(WD)):
        local = text.removeprefix(str(WD))
        if local[:1] == "Q" and local[1:].isdigit():
            return local
    return None


def value_text(term: Node, unit: Node | None = None) -> str | None:
    """A value in V1 syntax, or None when it is a resource without an item."""
    qid = item_id(term)
    if qid:
        return qid
    if not isinstance(term, Literal):
        return None
    lexical = str(term)
    datatype = str(term.datatype or "")
    if datatype == XSD + "date":
        return f"+{lexical}T00:00:00Z/11"
    if datatype == XSD + "dateTime":
        return f"+{lexical[:10]}T00:00:00Z/11"
    if datatype == XSD + "gYear":
        return f"+{lexical}-00-00T00:00:00Z/9"
    if datatype in (XSD + "integer", XSD + "decimal", XSD + "double", XSD + "float"):
        number = lexical if lexical.startswith(("-", "+")) else "+" + lexical
        unit_id = item_id(unit) if unit is not None else None
        return number + (f"U{unit_id[1:]}" if unit_id else "")
    text = lexical.replace('"', "'")
    return f'{term.language}:"{text}"' if term.language else f'"{text}"'


def sentence_of(graphs: set[str]) -> str | None:
    """The first sentence (lowest number) among the graphs that state a fact."""
    numbers = sorted(
        int(g.removeprefix(str(SENT)))
        for g in graphs
        if g.startswith(str(SENT)) and g.removeprefix(str(SENT)).isdigit()
    )
    return f"{SENT}{numbers[0]}" if numbers else None


def build(store: Store) -> Batch:
    """The commands, and the statements that must wait for an item."""
    labels = {str(s): str(o) for s, o in store.query(_RESOURCE_LABELS).rows()}

    def short(term: Node) -> str:
        return str(term).replace(str(RES), "res:")

    def name(term: Node) -> str:
        return labels.get(str(term), short(term))

    commands: list[str] = []
    waiting: list[str] = []
    no_source: list[str] = []
    dropped_roles: set[str] = set()
    for claim in sorted(claims(store), key=_order):
        sentence = sentence_of(claim.graphs)
        subject, value = item_id(claim.subject), value_text(claim.value, claim.unit)
        qualifiers: list[str] = []
        for qid, qvalue in claim.qualifiers:
            qtext = value_text(qvalue)
            if qtext is None:
                dropped_roles.add(f"{qid} {short(qvalue)} ({name(qvalue)})")
                continue
            qualifiers += [qid, qtext]
        if subject is None or value is None:
            missing = [t for t, v in ((claim.subject, subject), (claim.value, value)) if v is None]
            cite = f" (sentence {sentence.removeprefix(str(SENT))})" if sentence else ""
            waiting.append(
                f"# {subject or short(claim.subject)}|{claim.prop}|{value or short(claim.value)}"
                f"{cite}: needs an item for {', '.join(name(t) for t in missing)}"
            )
            continue
        fields = [subject, claim.prop, value, *qualifiers]
        if sentence is None:
            no_source.append("# " + "|".join(fields))
            continue
        fields += ["S854", f'"{sentence}"']
        commands.append("|".join(fields))
    notes: list[str] = []
    if dropped_roles:
        notes.append(
            "# Qualifiers left out because their value has no Wikidata item (no character of"
            " the film has one):"
        )
        notes += [f"#   {d}" for d in sorted(dropped_roles)]
    if no_source:
        notes.append(
            "# Not stated by a sentence of the synopsis (classes, identifiers), so no S854 source:"
        )
        notes += no_source
    return Batch(commands, waiting, notes)


def _order(claim: Claim) -> tuple[int, str, int, str]:
    """Items before local resources, then by property number, then by value."""
    subject = item_id(claim.subject)
    return (subject is None, str(claim.subject), int(claim.prop[1:]), str(claim.value))


__all__ = ["Batch", "Claim", "build", "claims", "item_id", "value_text"]
