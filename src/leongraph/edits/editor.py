"""One edit from end to end, under the app's update lock: the change an update would make
(engine/editing.py, by diffing) with the aligned view of each graph it edits following it
(graph/alignment.py ``follow``: derived triples in the graph of their fact), the checks
(size, blank nodes, the graphs the token's role may write, the SHACL shapes), then the change
and its history record committed as one transaction and flushed to disk. A refused edit
writes nothing.

SHACL validation (``settings.validate_edits``) checks only the nodes an edit touches: the
subjects and objects of its changed triples and the subjects that point at them, before and
after the change; an edit is refused (422) when it adds a violation. It keeps an rdflib copy
of the data (a few MB for the bundled graph, built by the first edit) and costs tens of
milliseconds an edit on the bundled graph; set ``LEONGRAPH_VALIDATE_EDITS=false`` for bulk
work and run ``leongraph validate`` afterwards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from leongraph.config import Settings
from leongraph.edits import history
from leongraph.edits.history import Edit, edit_iri
from leongraph.edits.tokens import Token
from leongraph.engine import Store
from leongraph.engine.editing import Change, change_text, commit, record_meta, set_version, trial
from leongraph.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    PayloadTooLarge,
    ShapeViolation,
    UnknownResource,
)
from leongraph.graph.alignment import Axioms, follow
from leongraph.graph.validation import Violation, load_shapes, validate
from leongraph.vocab import HISTORY_GRAPH, ONTOLOGY_GRAPH, RDF, SENT, SOURCE_GRAPH, WD

#: Graphs only an ``admin`` token may write: the ontology, the synopsis and its sentences.
PROTECTED = (str(ONTOLOGY_GRAPH), str(SOURCE_GRAPH))


def protected(graph: str) -> bool:
    return graph in PROTECTED or graph.startswith(str(SENT))


@dataclass(frozen=True)
class Outcome:
    """What an edit did: its record (None when it changed nothing) and the update text that
    brings a copy of the store (the query workers') in step."""

    edit: Edit | None
    text: str
    added: int
    removed: int


class Editor:
    """Applies edits to one store and keeps its history in memory (read once at start)."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.edits = history.read(store)
        self.next = max((e.number for e in self.edits), default=0) + 1
        set_version(store, self.edits[-1].iri if self.edits else None)
        self._shapes: Graph | None = None
        self._merged: Graph | None = None
        self._holders: Counter[tuple[object, ...]] = Counter()
        self._axioms: Axioms | None = None
        self._same_as: dict[Node, URIRef] | None = None

    def find(self, number: int) -> Edit:
        for e in self.edits:
            if e.number == number:
                return e
        raise UnknownResource(f"No edit {number} in the history.")

    def update(self, text: str, token: Token, summary: str) -> Outcome:
        """Apply a SPARQL update as one edit."""
        own = str(edit_iri(self.next))
        change = trial(self.store, text, own_graph=own, hidden=[str(HISTORY_GRAPH)])
        return self.apply(self.aligned(change), token, summary)

    def aligned(self, change: Change) -> Change:
        """The change with the aligned view of each graph it edits following it (derived
        triples in the graph of their fact, as at load: graph/alignment.py ``follow``). The
        ontology's axioms and the owl:sameAs links are read from the store; a change of the
        ontology graph itself is not aligned (its axioms apply from the next load)."""
        if not change.added and not change.removed:
            return change
        if self._axioms is None:
            onto = Graph()
            for s, p, o, _ in self.store.quads(str(ONTOLOGY_GRAPH)):
                onto.add((s, p, o))
            self._axioms = Axioms.from_ontology(onto)
        if self._same_as is None:
            self._same_as = {
                s: o
                for s, p, o, _ in self.store.quads()
                if p == OWL.sameAs and isinstance(o, URIRef) and o.startswith(WD)
            }
        same_as = dict(self._same_as)
        same_as.update(
            {
                s: o
                for s, p, o, _ in change.added
                if p == OWL.sameAs and isinstance(o, URIRef) and o.startswith(WD)
            }
        )
        added, removed = set(change.added), set(change.removed)
        for g in change.graphs() - {str(ONTOLOGY_GRAPH), str(HISTORY_GRAPH)}:
            name = URIRef(g)
            before = {(s, p, o) for s, p, o, _ in self.store.quads(g)}
            plus, minus = follow(
                before,
                {q[:3] for q in change.added if q[3] == name},
                {q[:3] for q in change.removed if q[3] == name},
                self._axioms,
                same_as,
            )
            added = {q for q in added if q[3] != name} | {(*t, name) for t in plus}
            removed = {q for q in removed if q[3] != name} | {(*t, name) for t in minus}
        return Change(frozenset(added), frozenset(removed))

    def revert(self, number: int, token: Token, summary: str) -> Outcome:
        """Apply the inverse of edit ``number`` as a new edit; 409 if a later edit changed
        one of its triples."""
        target = self.find(number)
        if target.agent != token.name and not token.may("revert-any"):
            raise Forbidden("Only an admin token may revert another editor's edit.")
        mine = set(target.added) | set(target.removed)
        for later in self.edits:
            if later.number > number and mine & (set(later.added) | set(later.removed)):
                raise Conflict(
                    f"Edit {later.number} changed the same triples after edit {number}; "
                    f"revert edit {later.number} first.",
                    edit=later.number,
                )
        summary = summary or f"Revert edit {number}"
        return self.apply(target.change().inverse(), token, summary, reverts=number)

    def apply(
        self, change: Change, token: Token, summary: str, *, reverts: int | None = None
    ) -> Outcome:
        if not token.may("write"):
            raise Forbidden(f"The role {token.role} may not write.")
        if not change.added and not change.removed:
            return Outcome(None, "", 0, 0)
        if len(change) > self.settings.max_edit_quads:
            raise PayloadTooLarge(
                f"The edit changes {len(change)} quads; one edit may change at most "
                f"{self.settings.max_edit_quads}.",
                limit=self.settings.max_edit_quads,
            )
        if change.has_blank_nodes():
            raise BadRequest(
                "The edit adds or removes triples with blank nodes, which cannot be reverted: "
                "name them with IRIs."
            )
        graphs = change.graphs()
        if str(HISTORY_GRAPH) in graphs:
            raise Forbidden("The history graph is written by the server only.")
        if not token.may("protected"):
            locked = sorted(g for g in graphs if protected(g))
            if locked:
                raise Forbidden(
                    "Only an admin token may change the graphs of the synopsis, its sentences "
                    "and the ontology: " + ", ".join(locked[:5]),
                    graphs=locked[:20],
                )
        undo = self._validate(change) if self.settings.validate_edits else None
        edit = Edit(
            self.next,
            token.name,
            history.now(),
            summary,
            sorted(change.added),
            sorted(change.removed),
            reverts,
        )
        text = change_text(self.store, change, history.record(edit))
        try:
            commit(self.store, text)
        except BaseException:
            if undo is not None:
                undo()
            raise
        self.edits.append(edit)
        self.next += 1
        if any(q[1] == OWL.sameAs for q in change.added | change.removed):
            self._same_as = None  # read again by the next edit
        set_version(self.store, edit.iri)
        record_meta(self.store)
        return Outcome(edit, text, len(change.added), len(change.removed))

    # --- validation -------------------------------------------------------------------------

    def _data(self) -> Graph:
        if self._merged is None:
            merged = Graph()
            for s, p, o, g in self.store.quads():
                if g is not None and str(g) == str(HISTORY_GRAPH):
                    continue
                self._holders[(s, p, o)] += 1
                merged.add((s, p, o))
            self._merged = merged
        return self._merged

    def _shift(self, change: Change, sign: int) -> None:
        merged = self._data()
        for quads, step in ((change.added, sign), (change.removed, -sign)):
            for s, p, o, _ in quads:
                key = (s, p, o)
                self._holders[key] += step
                if self._holders[key] > 0:
                    merged.add((s, p, o))
                else:
                    del self._holders[key]
                    merged.remove((s, p, o))

    def _validate(self, change: Change) -> Callable[[], None]:
        """Refuse (422) a change that adds a violation of the shapes; else apply it to the
        validation copy and return the function that takes it back."""
        if self._shapes is None:
            self._shapes = load_shapes(self.settings.project_root)
        merged = self._data()
        changed = change.added | change.removed
        focus = {t for q in changed for t in (q[0], q[2]) if isinstance(t, URIRef)}
        for node in {q[0] for q in changed if q[1] == RDF.type}:  # sh:class of who points here
            focus.update(s for s in merged.subjects(None, node) if isinstance(s, URIRef))
        focus -= self._classes()
        before = self._violations(merged, focus)
        self._shift(change, +1)
        after = self._violations(merged, focus)
        new = [v for v in after if v not in before]
        if new:
            self._shift(change, -1)
            raise ShapeViolation(
                f"The edit would break {len(new)} constraint(s) of the shapes; nothing changed.",
                report=[
                    {"focus": v.focus, "shape": v.shape, "path": v.path, "message": v.message}
                    for v in new
                ],
            )
        return lambda: self._shift(change, -1)

    def _classes(self) -> set[URIRef]:
        """Classes and properties of the ontology: objects of changed triples, not focus."""
        merged = self._data()
        return {o for o in merged.objects(None, RDF.type) if isinstance(o, URIRef)} | {
            p for p in merged.predicates() if isinstance(p, URIRef)
        }

    def _violations(self, merged: Graph, focus: set[URIRef]) -> list[Violation]:
        if not focus:
            return []
        assert self._shapes is not None
        nodes: list[str | URIRef] = sorted(focus)
        return validate(merged, self._shapes, focus_nodes=nodes, inplace=True).violations
