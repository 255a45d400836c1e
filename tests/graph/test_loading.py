"""Bad data stops the load with the file, line and reason, and the server refuses to start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leongraph.cli.main import main
from leongraph.config import PROJECT_ROOT
from leongraph.errors import DataError
from leongraph.graph.loading import build_dataset


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the project's ontology/ and data/ to break."""
    for part in ("ontology", "data", "shapes"):
        shutil.copytree(PROJECT_ROOT / part, tmp_path / part)
    return tmp_path


def test_the_copy_loads(root: Path) -> None:
    assert sum(1 for _ in build_dataset(root).quads((None, None, None, None))) > 2000


@pytest.mark.parametrize(
    ("where", "content", "line", "reason"),
    [
        (
            "data/extra.ttl",
            "@prefix leon: <https://w3id.org/leongraph/ontology#> .\n\nleon:a leon:b leon:c .\n"
            'leon:a leon:b "unterminated .\n',
            4,
            "newline found in string literal",
        ),
        (
            "ontology/extra.ttl",
            "@prefix leon: <https://w3id.org/leongraph/ontology#> .\n"
            "leon:a leon:b leon:c leon:d .\n",
            2,
            "bad syntax",
        ),
        (
            "data/extra.trig",
            "@prefix sent: <https://w3id.org/leongraph/sentence/> .\nsent:1 {\n"
            "  <urn:a> <urn:b> <urn:c> .\n  <urn:a> <urn:b> \n",
            None,
            "bad syntax",
        ),
        (
            "data/extra.ttl",
            "@prefix leon <https://w3id.org/leongraph/ontology#> .\n",
            1,
            "bad syntax",
        ),
    ],
)
def test_malformed_file_names_file_line_and_reason(
    root: Path, where: str, content: str, line: int | None, reason: str
) -> None:
    (root / where).write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        build_dataset(root)
    assert err.value.path == str(root / where)
    if line is not None:
        assert err.value.line == line
    else:
        assert isinstance(err.value.line, int)
    assert reason in err.value.message
    assert err.value.message.startswith(f"{root / where}:")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "@prefix sent: <https://w3id.org/leongraph/sentence/> .\n"
            "sent:99 { <urn:a> <urn:b> <urn:c> . }\n",
            "is not a sentence of the source",
        ),
        ("<urn:g> { <urn:a> <urn:b> <urn:c> . }\n", "is not a sentence IRI"),
        ("<urn:a> <urn:b> <urn:c> .\n", "facts outside a sentence graph"),
    ],
)
def test_facts_must_sit_in_a_known_sentence_graph(root: Path, content: str, reason: str) -> None:
    (root / "data" / "extra.trig").write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=reason):
        build_dataset(root)


def test_empty_project_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no ontology or data files"):
        build_dataset(tmp_path)


def test_server_refuses_to_start_on_invalid_data(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "data" / "leon.ttl").write_text("this is not turtle\n", encoding="utf-8")
    monkeypatch.setenv("LEONGRAPH_PROJECT_ROOT", str(root))
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("the server started"))
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{root / 'data' / 'leon.ttl'}:1" in err


def test_validate_command_fails_on_shacl_violations(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "data" / "extra.ttl").write_text(
        "@prefix leon: <https://w3id.org/leongraph/ontology#> .\n"
        "<https://w3id.org/leongraph/resource/x> a leon:Occupation .\n",
        encoding="utf-8",
    )
    assert main(["validate", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "Does not conform" in out and "shapes:ConceptShape" in out


def test_validate_command_passes_on_the_bundled_graph(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "Conforms" in capsys.readouterr().out
