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
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field

from rdflib import URIRef

from leongraph.engine import OxigraphStore, Store
from leongraph.formats import TSV
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
from leongraph.wikidata.grams import Shapes, bound, multiplier
from leongraph.wikidata.terms import Fact, Facts, iri, literal_parts, text

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


@dataclass(slots=True)
class Entity:
    """One reconcilable resource."""

    iri: str
    id: str  # the local name under res:, as used by /resource/{id}
    name: str = ""
    description: str = ""
    names: list[tuple[str, float]] = field(default_factory=list)  # (folded name, weight)
    types: set[str] | frozenset[str] = field(default_factory=set)  # superclasses included
    wikidata: str | None = None  # Q-id when linked
    confirmed: bool = False  # the item or the entity cites a source (dcterms:source) in the data
    facts: Mapping[str, list[Fact]] = field(default_factory=dict)  # leon property -> values


@dataclass
class Candidate:
    entity: Entity
    score: float
    exact: bool
    features: dict[str, float | bool]


class Index:
    """Everything reconciliation needs, read from the store once.

    An index opened from a file (stored.py) makes its entities when first asked for one
    (``lazy``: their ids, in order, and the maker of the one at a position): a query looks at
    a few hundred of the 80k of a 1M-triple store."""

    def __init__(
        self,
        entities: Iterable[Entity],
        classes: dict[str, str],
        props: dict[str, str],
        supers: dict[str, set[str]],
        *,
        lazy: tuple[list[str], Callable[[int], Entity]] | None = None,
    ) -> None:
        self._made: list[Entity | None] | None = None
        if lazy is None:
            self.entities = {e.id: e for e in entities}
        else:
            self._ids, self._make = lazy
            self._made = [None] * len(self._ids)
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

    @functools.cached_property
    def shapes(self) -> Shapes:
        """The distinct names and their trigrams (stored.py keeps them with the index)."""
        return Shapes.build(e.names for e in self.entities.values())

    @functools.cached_property
    def entities(self) -> dict[str, Entity]:
        """Id -> entity, in the order they were read (made here for a lazy index)."""
        return {id: self._at(position) for position, id in enumerate(self._ids)}

    @functools.cached_property
    def _ordered(self) -> list[Entity]:
        return list(self.entities.values())

    def _at(self, position: int) -> Entity:
        """The entity at ``position`` in the order they were read."""
        if self._made is None:
            return self._ordered[position]
        entity = self._made[position]
        if entity is None:
            entity = self._made[position] = self._make(position)
        return entity

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
        # No entity below 40 (each property may add 10) is a candidate, and past ``limit`` none
        # whose bound is under the last one kept: entities are scored in the order of their
        # bound and the scan stops there (80k entities: seconds -> a fraction of one).
        floor = (40 - 10 * len(properties)) / 100
        if not (q and floor > 0 and limit > 0):
            return self._ranked(q, None, types, properties, limit)
        # The names sharing the most trigrams with the query first (grams.py): their
        # ``limit``-th score is the one to beat; then only the names whose bound may beat it.
        near = self._near(q, limit, types)
        if near is not None:
            first = self._ranked(q, self._bounds(q, floor, near), types, properties, limit)
            least = floor
            if len(first) >= limit:
                least = max(floor, (first[-1].score - 10 * len(properties) - 0.1) / 100)
            reaching = self.shapes.reaching(q, least)
            if reaching is not None:
                among = reaching.union(near)
                return self._ranked(q, self._bounds(q, floor, among), types, properties, limit)
        return self._ranked(q, self._bounds(q, floor), types, properties, limit)

    def _near(self, q: str, limit: int, types: Sequence[str]) -> list[int] | None:
        """Numbers of the names to score first (None: bound every name): those sharing the
        most trigrams with ``q`` and borne by an entity of one of ``types``."""
        most = 50 + 10 * limit
        if not types:
            return self.shapes.near(q, most)
        wanted = set(types)
        found = []
        for number in self.shapes.near(q, None):
            if any(wanted & self._at(p).types for p in self.shapes.positions[number]):
                found.append(number)
                if len(found) >= most:
                    break
        return found

    def _ranked(
        self,
        q: str,
        bounds: dict[int, float] | None,
        types: Sequence[str],
        properties: Sequence[tuple[str, list[object]]],
        limit: int,
    ) -> list[Candidate]:
        """The ``limit`` best, scoring in the order of ``bounds`` (None: every entity)."""
        size = len(self._made) if self._made is not None else len(self.entities)
        order = range(size) if bounds is None else sorted(bounds, key=bounds.__getitem__)
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
            candidate = self._score(self._at(position), q, types, properties)
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

    def _bounds(self, q: str, floor: float, among: Iterable[int] | None = None) -> dict[int, float]:
        """Positions of the entities with a name (of ``among``, name numbers; default all)
        whose ``similarity`` to ``q`` may reach ``floor``, with the most it may be. difflib's
        ratio 2M/(|a|+|b|) is bounded by the characters a and b share, and so is each ratio
        ``similarity`` takes."""
        q_words = q.split()
        whole = Counter(q)
        parts = [(Counter(w), len(w)) for w in q_words]
        # Each query word against each word of the names: bounds of ``_ratio(w, n)``.
        word_bounds: dict[str, tuple[float, ...]] = {}
        near: dict[int, float] = {}
        k = len(q_words)
        names, positions = self.shapes.names, self.shapes.positions
        for number in range(len(names)) if among is None else among:
            name = names[number]
            words = name.split()
            hits = [0.0]
            if words:
                per_word = []
                for w in words:
                    b = word_bounds.get(w)
                    if b is None:
                        b = word_bounds[w] = tuple(bound(c, n, w) for c, n in parts)
                    per_word.append(b)
                hits = [max(b[j] for b in per_word) for j in range(k)]
            most = sum(hits) / len(hits) * multiplier(k, len(words))
            if most < 1.0:
                most = max(most, bound(whole, len(q), name))
            if most >= floor - 1e-9:
                for position in positions[number]:
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
    """Read names, types, descriptions, Wikidata links and leon facts of every resource, in
    one query (at 1M triples, 775k rows: read as text, the facts kept as text, see terms.py)."""
    res, leon = str(RES), str(LEON)
    classes = _labels(store, "owl:Class", leon)
    props = _labels(store, "owl:ObjectProperty", leon) | _labels(
        store, "owl:DatatypeProperty", leon
    )
    supers = _superclasses(store)
    entities: dict[str, Entity] = {}
    facts: dict[str, dict[str, None]] = defaultdict(dict)  # entity -> 'p\to' (no repeats)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    subject = "<" + res
    same_as, wd = f"<{OWL_SAME_AS}>", f"<{WD}"
    typed, named = f"<{RDF_TYPE}>", {f"<{p}>": w for p, w in NAME_WEIGHTS.items()}
    labelling = {f"<{p}>" for p in (RDFS + "label", SCHEMA + "name", str(LEON.title))}
    describing = {f"<{SCHEMA}description>", f"<{RDFS}comment>"}
    for line in _triples(store):
        e, p, o = line.split("\t", 2)
        if not e.startswith(subject) or "#" in e:
            continue
        entity = entities.get(e)
        if entity is None:
            entity = entities[e] = Entity(iri=e[1:-1], id=e[1:-1].removeprefix(res))
        if p in named:
            if (lit := literal_parts(o)) is not None:
                entity.names.append((fold(lit[0]), named[p]))
                if p in labelling:
                    labels[e].setdefault(lit[1], lit[0])
        elif p == typed:
            cls = iri(o)
            if cls in classes:
                entity.types = {*entity.types, cls, *supers.get(cls, ())}
        elif p in describing:
            if (lit := literal_parts(o)) is not None and lit[1] in ("", "en"):
                entity.description = entity.description or lit[0]
        elif p == same_as and o.startswith(wd):
            entity.wikidata = o[len(wd) : -1]
        if p.startswith("<" + leon) and not o.startswith("_:"):
            facts[e][line[len(e) + 1 :]] = None
    for e, entity in entities.items():
        raw: list[str] = []
        for po in facts.pop(e, {}):
            p, o = po.split("\t", 1)
            raw += (p[1:-1], o)
        entity.facts = Facts(raw)
        given, family = _lexical(raw, str(LEON.givenName)), _lexical(raw, str(LEON.familyName))
        entity.names += [(fold(f"{g} {f}"), FULL_NAME) for g in given for f in family]
        by_lang = labels.get(e, {})
        entity.name = by_lang.get("en") or by_lang.get("") or next(iter(by_lang.values()), "")
        entity.names = sorted(dict.fromkeys(entity.names), key=lambda nw: -nw[1])
        if not entity.description and entity.types:
            entity.description = ", ".join(classes[t] for t in most_specific(entity.types, supers))
    named_by = {entity.iri: entity.name for entity in entities.values()}
    for entity in entities.values():  # say who plays whom: it tells namesakes apart
        stated = entity.facts.raw if isinstance(entity.facts, Facts) else []  # built above
        years = _lexical(stated, str(LEON.year))
        if years and entity.description:
            entity.description += f" ({years[0]})"
        for pred, verb in (
            (LEON.playedBy, "played by"),
            (LEON.plays, "plays"),
            (LEON.director, "directed by"),
        ):
            found = sorted(n for o in _lexical(stated, str(pred)) if (n := named_by.get(o)))
            if found and entity.description:
                entity.description += f", {verb} {' and '.join(found)}"
    cited = {
        str(s) for (s,) in store.query("SELECT DISTINCT ?s WHERE { ?s dcterms:source ?o }").rows()
    }
    for entity in entities.values():
        entity.confirmed = entity.iri in cited or f"{WD}{entity.wikidata}" in cited
    usable = [e for e in entities.values() if e.name and e.types]
    index = Index(usable, classes, props, supers)
    for prop, w in store.query(
        f"""SELECT ?p ?w WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?p rdfs:subPropertyOf ?w }}
            FILTER(STRSTARTS(STR(?w), "{WDT}")) }} ORDER BY ?p"""
    ).rows():
        if str(prop) in props:
            index.wikidata_properties.setdefault(str(w).removeprefix(str(WDT)), str(prop))
    return index


def _triples(store: Store) -> Iterator[str]:
    """Every triple of the union graph as a line of three term texts (terms.py): Oxigraph
    writes them itself (no Python object per term); other engines' rows are written here."""
    query = "SELECT ?e ?p ?o WHERE { ?e ?p ?o }"
    if isinstance(store, OxigraphStore):
        answer = io.BytesIO(b"".join(store.query(query).serialize(TSV)))  # lines, uncopied
        next(answer, None)  # the header
        return (line.decode().rstrip("\n") for line in answer if line != b"\n")
    return (
        f"{text(e)}\t{text(p)}\t{text(o)}"
        for e, p, o in store.query(query).rows()
        if e is not None and p is not None and o is not None
    )


def _lexical(raw: Sequence[str], pred: str) -> list[str]:
    """The lexical forms (literals) or IRIs of ``pred``'s values in raw facts."""
    out = []
    for i in range(0, len(raw), 2):
        if raw[i] == pred:
            value = raw[i + 1]
            lit = literal_parts(value)
            out.append(lit[0] if lit is not None else value[1:-1])
    return out


def most_specific(types: Set[str], supers: dict[str, set[str]]) -> list[str]:
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
