"""Name matching for reconciliation: an index of every resource's names, types and facts, read
once from the store, and a scorer that explains itself.

Names are compared after folding (accents, case, punctuation and spacing removed), so "Leon",
"LÉON" and "Léon" are the same name. A candidate's score (0-100) is its best name similarity,
lowered for partial names (a family name alone) and moved by the property values the query
gives; ``match`` is set only for an exact full name or alias of a single best candidate.
"""

from __future__ import annotations

import difflib
import functools
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from leongraph.engine import Store
from leongraph.graph.closure import reachable
from leongraph.graph.names import fold
from leongraph.vocab import (
    LEON,
    ONTOLOGY_GRAPH,
    OWL_SAME_AS,
    RDF_TYPE,
    RDFS,
    RES,
    SCHEMA,
    SKOS,
    WD,
    WDT,
)

#: Name-giving properties and how much an exact hit on each is worth (100 = a full name).
NAME_WEIGHTS: dict[str, float] = {
    RDFS + "label": 1.0,
    SCHEMA + "name": 1.0,
    str(LEON.title): 1.0,
    str(LEON.alternativeTitle): 1.0,
    SCHEMA + "alternateName": 1.0,
    SKOS + "altLabel": 1.0,
    str(LEON.nickname): 1.0,
    str(LEON.givenName): 0.85,
    str(LEON.familyName): 0.85,
}
FULL_NAME = 1.0


def similarity(query: str, name: str) -> float:
    """0..1: 1 for equal folded names; otherwise the best of character and word-order ratios."""
    if query == name:
        return 1.0
    if not query or not name:
        return 0.0
    direct = _ratio(query, name)
    q_words, n_words = query.split(), name.split()
    sorted_ratio = direct
    if len(q_words) > 1 or len(n_words) > 1:
        sorted_ratio = _ratio(" ".join(sorted(q_words)), " ".join(sorted(n_words)))
    # Every query word found (nearly) in the name: "stansfield" in "norman stansfield".
    hits = [max(_ratio(w, n) for n in n_words) for w in q_words]
    contained = (sum(hits) / len(hits)) * (0.6 + 0.3 * len(q_words) / max(len(n_words), 1))
    return min(max(direct, sorted_ratio, contained), 0.99)


@functools.lru_cache(maxsize=1 << 16)
def _ratio(a: str, b: str) -> float:
    """difflib's ratio, remembered: names and query words recur across a batch."""
    return difflib.SequenceMatcher(None, a, b).ratio()


@dataclass
class Entity:
    """One reconcilable resource."""

    iri: str
    id: str  # the local name under res:, as used by /resource/{id}
    name: str = ""
    description: str = ""
    names: list[tuple[str, float]] = field(default_factory=list)  # (folded name, weight)
    types: set[str] = field(default_factory=set)  # class IRIs, superclasses included
    wikidata: str | None = None  # Q-id when linked
    confirmed: bool = False  # the item or the entity cites a source (dcterms:source) in the data
    facts: dict[str, list[URIRef | Literal]] = field(default_factory=dict)


@dataclass
class Candidate:
    entity: Entity
    score: float
    exact: bool
    features: dict[str, float | bool]


class Index:
    """Everything reconciliation needs, read from the store once."""

    def __init__(
        self,
        entities: Iterable[Entity],
        classes: dict[str, str],
        props: dict[str, str],
        supers: dict[str, set[str]],
    ) -> None:
        self.entities = {e.id: e for e in entities}
        self.classes = classes  # class IRI -> label (leon classes)
        self.properties = props  # property IRI -> label (leon properties)
        self.superclasses = supers  # class IRI -> every superclass IRI
        self.wikidata_properties: dict[str, str] = {}  # "P57" -> leon property refining it

    # -- lookups

    def entity(self, id_or_iri: str) -> Entity | None:
        key = id_or_iri.removeprefix(str(RES))
        return self.entities.get(key)

    def type_iri(self, name: str) -> str | None:
        """``Person``, ``leon:Person`` or the full IRI -> the class IRI (None if unknown)."""
        local = name.removeprefix(str(LEON)).removeprefix("leon:")
        iri = str(LEON) + local
        if iri in self.classes:
            return iri
        by_label = {fold(label): c for c, label in self.classes.items()}
        return by_label.get(fold(name))

    def property_iri(self, name: str) -> str | None:
        """``director``, ``leon:director``, the full IRI, or the Wikidata property it refines
        (``P57``, ``wdt:P57``) -> the leon property IRI (None if unknown)."""
        local = name.removeprefix(str(LEON)).removeprefix("leon:")
        iri = str(LEON) + local
        if iri in self.properties:
            return iri
        pid = name.removeprefix(str(WDT)).removeprefix("wdt:")
        return self.wikidata_properties.get(pid)

    # -- matching

    def candidates(
        self,
        query: str,
        *,
        types: Sequence[str] = (),
        properties: Sequence[tuple[str, list[object]]] = (),
        limit: int = 5,
    ) -> list[Candidate]:
        """Best candidates for a name, restricted to ``types`` (class IRIs, any of them)."""
        q = fold(query)
        entities = list(self.entities.values())
        # No entity below 40 (each property may add 10) is a candidate, and past ``limit`` none
        # whose bound is under the last one kept: entities are scored in the order of their
        # bound and the scan stops there (80k entities: seconds -> a fraction of one).
        floor = (40 - 10 * len(properties)) / 100
        bounds = self._bounds(q, floor) if q and floor > 0 and limit > 0 else None
        order = range(len(entities)) if bounds is None else sorted(bounds, key=bounds.__getitem__)
        if bounds is not None:
            order = order[::-1]
        found: list[tuple[int, Candidate]] = []
        kept: list[float] = []  # the best ``limit`` scores so far, smallest first (a heap)
        for position in order:
            if (
                bounds is not None
                and len(kept) >= limit
                and bounds[position] * 100 + 10 * len(properties) + 0.1 < kept[0]
            ):
                break
            candidate = self._score(entities[position], q, types, properties)
            if candidate is not None:
                found.append((position, candidate))
                if bounds is not None:
                    heapq.heappush(kept, candidate.score)
                    if len(kept) > limit:
                        heapq.heappop(kept)
        found.sort(key=lambda pc: pc[0])  # ties keep the order of the entities
        ranked = [c for _, c in found]
        ranked.sort(key=lambda c: (-c.score, not c.exact, c.entity.name))
        return ranked[:limit]

    def _score(
        self,
        entity: Entity,
        q: str,
        types: Sequence[str],
        properties: Sequence[tuple[str, list[object]]],
    ) -> Candidate | None:
        if types and not entity.types.intersection(types):
            return None
        best, weight = 0.0, 0.0
        for name, w in entity.names:
            s = similarity(q, name) * w
            if s > best:
                best, weight = s, w
        if not q:
            best = 0.0
        exact = best == FULL_NAME and weight == FULL_NAME
        features: dict[str, float | bool] = {
            "name": round(best * 100, 1),
            "exact_name": exact,
        }
        if types:
            features["type_match"] = True
        score = best * 100
        for pid, values in properties:
            agree = self._agrees(entity, pid, values)
            features[f"property:{pid.removeprefix(str(LEON))}"] = agree
            score += 10 if agree else -20
        score = max(0.0, min(100.0, score))
        if score >= 40 or (not q and properties and score > 0):
            return Candidate(entity, round(score, 1), exact, features)
        return None

    @functools.cached_property
    def _shapes(self) -> tuple[list[str], dict[tuple[str, tuple[int, ...]], list[int]]]:
        """The words of all names, and (name, its words by number) -> entities (positions)."""
        words: dict[str, int] = {}
        shapes: dict[tuple[str, tuple[int, ...]], list[int]] = defaultdict(list)
        for position, entity in enumerate(self.entities.values()):
            for name, _ in entity.names:
                ids = tuple(words.setdefault(w, len(words)) for w in name.split())
                shapes[(name, ids)].append(position)
        return list(words), shapes

    def _bounds(self, q: str, floor: float) -> dict[int, float]:
        """Positions of the entities with a name whose ``similarity`` to ``q`` may reach
        ``floor``, with the most it may be. difflib's ratio 2M/(|a|+|b|) is bounded by the
        characters a and b share, and so is each ratio ``similarity`` takes."""
        vocabulary, shapes = self._shapes
        q_words = q.split()
        whole = Counter(q)
        parts = [(Counter(w), len(w)) for w in q_words]

        def bound(counter: Counter[str], size: int, other: str) -> float:
            shared = sum(min(n, other.count(c)) for c, n in counter.items())
            return 2 * shared / (size + len(other))

        # Each query word against each word of the vocabulary: bounds of ``_ratio(w, n)``.
        word_bounds = [tuple(bound(c, n, word) for c, n in parts) for word in vocabulary]
        near: dict[int, float] = {}
        k = len(q_words)
        for (name, ids), positions in shapes.items():
            hits = [max(word_bounds[i][j] for i in ids) for j in range(k)] if ids else [0.0]
            most = sum(hits) / len(hits) * (0.6 + 0.3 * k / max(len(ids), 1))
            if most < 1.0:
                most = max(most, bound(whole, len(q), name))
            if most >= floor - 1e-9:
                for position in positions:
                    near[position] = max(near.get(position, 0.0), min(most, 1.0))
        return near

    def suggest(self, prefix: str, *, types: Sequence[str] = ()) -> list[Entity]:
        """Entities one of whose names, or a word of it, starts with ``prefix`` (folded)."""
        p = fold(prefix)
        ranked: list[tuple[int, str, Entity]] = []
        for entity in self.entities.values():
            if types and not entity.types.intersection(types):
                continue
            if fold(entity.name).startswith(p):
                ranked.append((0, entity.name, entity))
            elif any(name.startswith(p) for name, _ in entity.names):
                ranked.append((1, entity.name, entity))
            elif any(w.startswith(p) for name, _ in entity.names for w in name.split()):
                ranked.append((2, entity.name, entity))
        return [e for _, _, e in sorted(ranked, key=lambda r: (r[0], r[1]))]

    def _agrees(self, entity: Entity, pid: str, values: list[object]) -> bool:
        have = entity.facts.get(pid, [])
        for wanted in values:
            target = wanted.get("id") if isinstance(wanted, dict) else wanted
            for value in have:
                if isinstance(value, URIRef):
                    other = self.entity(str(value))
                    if str(value) == str(target) or (other and other.id == target):
                        return True
                    if other and isinstance(target, str) and fold(target) in dict(other.names):
                        return True
                elif fold(str(value)) == fold(str(target)):
                    return True
        return False


# ---------------------------------------------------------------- building


def build_index(store: Store) -> Index:
    """Read names, types, descriptions, Wikidata links and leon facts of every resource."""
    res, leon = str(RES), str(LEON)
    entities: dict[str, Entity] = {}

    def get(iri: str) -> Entity:
        if iri not in entities:
            entities[iri] = Entity(iri=iri, id=iri.removeprefix(res))
        return entities[iri]

    classes = _labels(store, "owl:Class", leon)
    props = _labels(store, "owl:ObjectProperty", leon) | _labels(
        store, "owl:DatatypeProperty", leon
    )
    supers = _superclasses(store)
    rows = store.query(
        f"""SELECT ?e ?p ?o WHERE {{ ?e ?p ?o
            FILTER(STRSTARTS(STR(?e), "{res}") && !CONTAINS(STR(?e), "#")) }}"""
    ).rows()
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for e, p, o in rows:
        iri, pred = str(e), str(p)
        entity = get(iri)
        if pred in NAME_WEIGHTS and isinstance(o, Literal):
            entity.names.append((fold(str(o)), NAME_WEIGHTS[pred]))
            if pred in (RDFS + "label", SCHEMA + "name", str(LEON.title)):
                labels[iri].setdefault(o.language or "", str(o))
        elif pred == RDF_TYPE and str(o) in classes:
            entity.types |= {str(o), *supers.get(str(o), ())}
        elif pred in (SCHEMA + "description", RDFS + "comment") and isinstance(o, Literal):
            if o.language in (None, "", "en") and not entity.description:
                entity.description = str(o)
        elif pred == OWL_SAME_AS and str(o).startswith(str(WD)):
            entity.wikidata = str(o).removeprefix(str(WD))
        if pred.startswith(leon) and isinstance(o, URIRef | Literal):
            entity.facts.setdefault(pred, []).append(o)
    for iri, entity in entities.items():
        given = [str(v) for v in entity.facts.get(str(LEON.givenName), [])]
        family = [str(v) for v in entity.facts.get(str(LEON.familyName), [])]
        entity.names += [(fold(f"{g} {f}"), FULL_NAME) for g in given for f in family]
        by_lang = labels.get(iri, {})
        entity.name = by_lang.get("en") or by_lang.get("") or next(iter(by_lang.values()), "")
        entity.names = sorted(set(entity.names), key=lambda nw: -nw[1])
        entity.facts = {p: list(dict.fromkeys(v)) for p, v in entity.facts.items()}
        if not entity.description and entity.types:
            entity.description = ", ".join(classes[t] for t in most_specific(entity.types, supers))
    for entity in entities.values():  # say who plays whom: it tells namesakes apart
        years = entity.facts.get(str(LEON.year), [])
        if years and entity.description:
            entity.description += f" ({years[0]})"
        for pred, verb in (
            (LEON.playedBy, "played by"),
            (LEON.plays, "plays"),
            (LEON.director, "directed by"),
        ):
            others = [entities.get(str(o)) for o in entity.facts.get(str(pred), [])]
            named = sorted(o.name for o in others if o is not None and o.name)
            if named and entity.description:
                entity.description += f", {verb} {' and '.join(named)}"
    cited = {
        str(s) for (s,) in store.query("SELECT DISTINCT ?s WHERE { ?s dcterms:source ?o }").rows()
    }
    for entity in entities.values():
        entity.confirmed = entity.iri in cited or f"{WD}{entity.wikidata}" in cited
    usable = [e for e in entities.values() if e.name and e.types]
    index = Index(usable, classes, props, supers)
    for p, w in store.query(
        f"""SELECT ?p ?w WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?p rdfs:subPropertyOf ?w }}
            FILTER(STRSTARTS(STR(?w), "{WDT}")) }} ORDER BY ?p"""
    ).rows():
        if str(p) in props:
            index.wikidata_properties.setdefault(str(w).removeprefix(str(WDT)), str(p))
    return index


def most_specific(types: set[str], supers: dict[str, set[str]]) -> list[str]:
    """The types that are no other type's superclass, sorted."""
    broader = set().union(*(supers.get(t, set()) for t in types)) if types else set()
    return sorted(t for t in types if t not in broader)


def _labels(store: Store, kind: str, namespace: str) -> dict[str, str]:
    rows = store.query(
        f"""SELECT ?c (SAMPLE(?l) AS ?label) WHERE {{ ?c a {kind} ; rdfs:label ?l
            FILTER(STRSTARTS(STR(?c), "{namespace}")) }} GROUP BY ?c"""
    ).rows()
    return {str(c): str(label) for c, label in rows}


def _superclasses(store: Store) -> dict[str, set[str]]:
    """Each class's superclasses, the closure taken here: Virtuoso refuses ``subClassOf+``
    with neither end bound ("transitive start not given")."""
    rows = store.query("""SELECT ?c ?s WHERE { ?c rdfs:subClassOf ?s FILTER(isIRI(?s)) }""").rows()
    direct: dict[str, set[str]] = defaultdict(set)
    for c, s in rows:
        direct[str(c)].add(str(s))
    return defaultdict(set, reachable(direct))


__all__ = ["Candidate", "Entity", "Index", "build_index", "fold", "similarity"]
