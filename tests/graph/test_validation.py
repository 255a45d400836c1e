"""SHACL: the bundled graph conforms, and each deliberately broken sample in tests/invalid fails
with exactly the shape named in its header comment (so every shape is proven to apply)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import RDF

from leongraph.config import PROJECT_ROOT
from leongraph.graph.validation import SH, load_shapes, merged, validate

INVALID = Path(__file__).parents[1] / "invalid"
SAMPLES = sorted(INVALID.glob("*.ttl"))
HEADER = re.compile(r"^# shape: (shapes:\w+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(PROJECT_ROOT)


def test_bundled_graph_conforms(dataset: Dataset, shapes: Graph) -> None:
    report = validate(merged(dataset), shapes)
    assert report.conforms, report.text()
    assert report.violations == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_broken_sample_fails_with_its_shape(sample: Path, shapes: Graph) -> None:
    header = HEADER.search(sample.read_text(encoding="utf-8"))
    assert header, f"{sample.name} must name its shape in a '# shape: shapes:X' comment"
    report = validate(Graph().parse(sample, format="turtle"), shapes)
    assert not report.conforms
    assert report.shapes() == {header.group(1)}, report.text()
    assert all(v.message for v in report.violations)


def test_every_node_shape_has_a_broken_sample(shapes: Graph) -> None:
    named = {HEADER.search(p.read_text(encoding="utf-8")).group(1) for p in SAMPLES}  # type: ignore[union-attr]
    node_shapes = {
        "shapes:" + str(s).rsplit("#", 1)[1] for s in shapes.subjects(RDF.type, SH.NodeShape)
    }
    assert node_shapes == named


def test_every_property_shape_has_a_message(shapes: Graph) -> None:
    for prop in shapes.objects(None, SH.property):
        assert shapes.value(prop, SH.message) is not None, prop


def test_report_text_names_shape_focus_and_message(shapes: Graph) -> None:
    sample = INVALID / "release-with-text-date.ttl"
    text = validate(Graph().parse(sample, format="turtle"), shapes).text()
    assert text.startswith("Does not conform: 1 violation(s).")
    assert "[shapes:ReleaseShape] res:release" in text
    assert "A release has exactly one date, an xsd:date." in text
