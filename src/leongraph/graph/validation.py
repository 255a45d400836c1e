"""SHACL validation of the graph with pyshacl: the data must satisfy shapes/leon.shacl.ttl.

Validation runs on the served graph (facts plus the aligned view, all named graphs merged) so
class targets see the types alignment infers, e.g. a leon:City is a leon:Place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from leongraph.errors import DataError
from leongraph.graph.loading import parse_into
from leongraph.vocab import RES, SH, SHAPES

SHAPES_PATH = Path("shapes") / "leon.shacl.ttl"


@dataclass(frozen=True)
class Violation:
    """One validation result, in the words of the shape that failed."""

    focus: str
    shape: str
    path: str | None
    message: str
    severity: str


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: ``conforms`` and each violation."""

    conforms: bool
    violations: list[Violation]

    def shapes(self) -> set[str]:
        """The node shapes that failed (property shapes are reported under their node shape)."""
        return {v.shape for v in self.violations}

    def text(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        lines = [f"Does not conform: {len(self.violations)} violation(s)."]
        for v in self.violations:
            where = f" {v.path}" if v.path else ""
            lines.append(f"- [{v.shape}] {v.focus}{where}: {v.message}")
        return "\n".join(lines)


def merged(ds: Dataset) -> Graph:
    """Every triple of every graph, once."""
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def load_shapes(root: Path) -> Graph:
    """The project's shapes graph; a malformed file is a DataError with its line."""
    path = root / SHAPES_PATH
    if not path.is_file():
        raise DataError("no shapes file", path=str(path))
    ds = Dataset()
    parse_into(ds, path, SHAPES["graph"])
    return ds.graph(SHAPES["graph"])


def _node_shape(shapes: Graph, shape: URIRef) -> URIRef:
    """The node shape a (possibly property) shape belongs to."""
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return shape
    for owner in shapes.subjects(SH.property, shape):
        if isinstance(owner, URIRef):
            return owner
    return shape


def _short(term: object) -> str:
    text = str(term)
    for prefix, ns in (("shapes:", str(SHAPES)), ("res:", str(RES))):
        if text.startswith(ns):
            return prefix + text[len(ns) :]
    return text


def validate(
    data_graph: Graph,
    shapes_graph: Graph,
    *,
    focus_nodes: list[str | URIRef] | None = None,
    inplace: bool = False,
) -> Report:
    """Validate ``data_graph`` against ``shapes_graph`` (no inference: types are materialised),
    only at ``focus_nodes`` when given (edits); ``inplace`` skips copying the data graph."""
    from pyshacl import validate as shacl

    conforms, results, _ = shacl(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        focus_nodes=focus_nodes,
        inplace=inplace,
    )
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        violations.append(
            Violation(
                focus=_short(results.value(result, SH.focusNode)),
                shape=_short(_node_shape(shapes_graph, source)),
                path=_short(path) if path is not None else None,
                message=str(message) if message is not None else "",
                severity=_short(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    violations.sort(key=lambda v: (v.shape, v.focus, v.path or "", v.message))
    return Report(conforms=bool(conforms), violations=violations)
