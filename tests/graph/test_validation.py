"""SHACL: the bundled graph conforms, and each deliberately broken sample in tests/invalid fails
with exactly the shape named in its header comment (so every shape is proven to apply)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from leongraph.cli import main
from leongraph.config import PROJECT_ROOT
from leongraph.graph.validation import SH, SHAPES, load_shapes, merged, validate

INVALID = Path(__file__).parents[1] / "invalid"
SAMPLES = sorted(INVALID.glob("*.ttl"))
HEADER = re.compile(r"^# shape: (shapes:\w+)$", re.MULTILINE)
VALUE = re.compile(r"^# value: (.+)$", re.MULTILINE)
WIKIDATA_PROPERTY = re.compile(
    r"^http://www\.wikidata\.org/prop/(?:direct/|statement/|statement/value/|qualifier/)?"
    r"(P[0-9]+)$"
)
WIKIDATA_SAMPLES = [p for p in SAMPLES if re.search(r"shapes:P[0-9]+Shape", p.read_text("utf-8"))]


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


def test_every_wikidata_property_of_the_graph_has_a_value_shape(
    dataset: Dataset, shapes: Graph
) -> None:
    """Each wdt:/p:/ps:/psv:/pq: property the served graph uses is the target of the shape of
    its Wikidata property (shapes:PnShape), except p:Pn, whose value is the statement node
    (shapes:StatementShape checks those)."""
    used = {
        p
        for p in merged(dataset).predicates()
        if WIKIDATA_PROPERTY.match(str(p)) and "/prop/P" not in str(p)
    }
    assert len({WIKIDATA_PROPERTY.match(str(p)).group(1) for p in used}) >= 24  # type: ignore[union-attr]
    for prop in used:
        pid = WIKIDATA_PROPERTY.match(str(prop)).group(1)  # type: ignore[union-attr]
        shape = SHAPES[f"{pid}Shape"]
        assert (shape, RDF.type, SH.NodeShape) in shapes, f"no shapes:{pid}Shape for {prop}"
        assert (shape, SH.targetSubjectsOf, URIRef(prop)) in shapes, f"{shape} misses {prop}"


@pytest.mark.parametrize("sample", WIKIDATA_SAMPLES, ids=lambda p: p.stem)
def test_wikidata_shape_message_names_the_property_and_the_value(
    sample: Path, shapes: Graph
) -> None:
    text = sample.read_text(encoding="utf-8")
    pid = re.search(r"shapes:(P[0-9]+)Shape", text).group(1)  # type: ignore[union-attr]
    value = VALUE.search(text)
    assert value, f"{sample.name} must name its offending value in a '# value: ' comment"
    report = validate(Graph().parse(sample, format="turtle"), shapes)
    assert report.violations
    for violation in report.violations:
        assert pid in violation.message and value.group(1) in violation.message, violation


@pytest.mark.parametrize("sample", [INVALID / "killed-by-an-event.ttl"], ids=["P157"])
def test_validate_command_fails_on_a_broken_wikidata_value(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`leongraph validate` on the project with the broken sample added exits non-zero."""
    for name in ("ontology", "shapes", "data", "reference"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    shutil.copy(sample, tmp_path / "data" / "broken.ttl")
    assert main(["validate", "--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "shapes:P157Shape" in out and "event-33 is not" in out
