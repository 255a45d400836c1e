"""Every example query in queries/ runs on both engines and gives exactly its expected result;
the folder holds nothing else; the README lists every example. The checker itself is tested on
broken folders and wrong results, so a pass means something."""

from __future__ import annotations

import doctest
import importlib.util
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib.plugins.sparql import prepareQuery

from leongraph.config import PROJECT_ROOT, Settings
from leongraph.engine import QueryResult, Store
from leongraph.errors import DataError
from leongraph.sparql import examples
from leongraph.sparql.examples import (
    Example,
    differences,
    folder_problems,
    has_top_level_order,
    load_example,
    load_examples,
    parse_result,
    read_expected,
    read_header,
    readme_table,
    render_example,
    replace_readme_table,
    run_example,
)

QUERIES = PROJECT_ROOT / "queries"
README = PROJECT_ROOT / "README.md"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
#: Queries written in the Wikidata Query Service's style rely on the endpoint's predeclared
#: prefixes (wd:, wdt:, p:, ps:, pq:, ...), as queries pasted from WDQS do. Their header says so.
PREDECLARED = "predeclared"


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


@pytest.mark.parametrize("path", QUERY_FILES, ids=_ids(QUERY_FILES))
def test_example_gives_its_expected_result(path: Path, store: Store, settings: Settings) -> None:
    example = load_example(path)
    [expected_path] = example.expected_paths()
    result = run_example(store, example, settings)
    problem = differences(example, result, read_expected(expected_path))
    assert problem == "", (
        f"{path.name} on {store.engine}: {problem}\n(if the data changed on purpose: "
        f"python scripts/expected.py queries/{path.name}, then check the new answer against "
        "the synopsis)"
    )


@pytest.mark.parametrize("path", QUERY_FILES, ids=_ids(QUERY_FILES))
def test_example_runs_anywhere(path: Path) -> None:
    """Each query declares the prefixes it uses, so it runs pasted into any store; only the
    WDQS-style ones (header ``# prefixes: predeclared``) rely on the endpoint's."""
    example = load_example(path)
    if read_header(example.text).get("prefixes") == PREDECLARED:
        with pytest.raises(Exception, match="Unknown namespace prefix"):
            prepareQuery(example.text)
        return
    prepareQuery(example.text)


@pytest.mark.parametrize("path", QUERY_FILES, ids=_ids(QUERY_FILES))
def test_limited_examples_are_ordered(path: Path) -> None:
    """LIMIT or OFFSET without ORDER BY picks arbitrary rows: no stable expectation exists."""
    example = load_example(path)
    upper = "\n".join(
        line for line in example.text.upper().splitlines() if not line.startswith("#")
    )
    if "LIMIT" in upper.split() or "OFFSET" in upper.split():
        assert example.ordered(), f"{path.name}: LIMIT/OFFSET needs a top-level ORDER BY"


def test_folder_holds_only_examples_and_their_results() -> None:
    assert folder_problems(QUERIES) == []


def test_there_are_enough_examples_with_distinct_titles() -> None:
    examples = load_examples(QUERIES)
    assert len(examples) >= 18
    titles = [e.title for e in examples]
    assert len(set(titles)) == len(titles), "two examples share a title"


def test_readme_lists_every_example() -> None:
    """The README table is generated (scripts/expected.py --readme); this keeps it in step."""
    readme = README.read_text(encoding="utf-8")
    table = readme_table(load_examples(QUERIES))
    assert table in readme, "README's example table is stale: run scripts/expected.py --readme"
    for path in QUERY_FILES:
        assert f"(queries/{path.name})" in readme


# ---------------------------------------------------------------- the checker itself


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


QUERY = "# title: Films\n# description: Every film.\nSELECT ?f WHERE { ?f a <urn:Film> }\n"
EMPTY_SRJ = json.dumps({"head": {"vars": ["f"]}, "results": {"bindings": []}})


def test_checker_accepts_a_valid_folder(tmp_path: Path) -> None:
    folder = _write(tmp_path / "q", {"01-films.rq": QUERY, "01-films.srj": EMPTY_SRJ})
    assert folder_problems(folder) == []


@pytest.mark.parametrize(
    ("files", "complaint"),
    [
        ({"01-films.rq": QUERY}, "01-films.rq: needs exactly one of .srj/.ttl"),
        (
            {"01-films.rq": QUERY, "01-films.srj": EMPTY_SRJ, "01-films.ttl": ""},
            "01-films.rq: needs exactly one of .srj/.ttl",
        ),
        ({"02-gone.srj": EMPTY_SRJ}, "02-gone.srj: expected result without a query"),
        ({"notes.txt": "x"}, "notes.txt: only NN-slug.rq"),
        ({"films.rq": QUERY, "films.srj": EMPTY_SRJ}, "films.rq: not named NN-slug.rq"),
        (
            {"03-a.rq": QUERY, "03-a.srj": EMPTY_SRJ, "03-b.rq": QUERY, "03-b.srj": EMPTY_SRJ},
            "03-a.rq: number 03 used by another query",
        ),
    ],
)
def test_checker_rejects_a_broken_folder(
    tmp_path: Path, files: dict[str, str], complaint: str
) -> None:
    problems = folder_problems(_write(tmp_path / "q", files))
    assert any(p.startswith(complaint) for p in problems), problems


@pytest.mark.parametrize(
    "text",
    ["SELECT * {}", "# title: Films\nSELECT * {}", "# description: x\n# title:\nASK {}"],
)
def test_a_query_needs_a_title_and_a_description(tmp_path: Path, text: str) -> None:
    path = tmp_path / "01-films.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError):
        load_example(path)


@pytest.mark.parametrize(
    ("text", "ordered"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", True),
        ("SELECT ?s { ?s ?p ?o } order  by desc(?s) LIMIT 3", True),
        ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s ORDER BY ?n", True),
        ("SELECT ?s { ?s ?p ?o }", False),
        ("SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }", False),
        ("SELECT ?s { ?s ?p '} ORDER BY ?s' }", False),
        ("SELECT ?s { ?s ?p <urn:x#}> } # ORDER BY ?s", False),
        ("ASK { ?s ?p ?o }", False),
    ],
)
def test_top_level_order_is_told_from_subqueries_strings_and_comments(
    text: str, ordered: bool
) -> None:
    assert has_top_level_order(text) is ordered


def test_doctests_of_the_examples_module() -> None:
    result = doctest.testmod(examples)
    assert result.attempted > 0 and result.failed == 0


def test_header_continuation_lines() -> None:
    text = "# title: Cast\n# description: Who plays\n#   whom.\nSELECT * {}\n# note: late\n"
    assert read_header(text) == {"title": "Cast", "description": "Who plays whom."}


def _roundtrip(tmp_path: Path, store: Store, text: str) -> tuple[Example, Path]:
    """Write an example and its expected file the way scripts/expected.py does."""
    path = tmp_path / "01-probe.rq"
    path.write_text("# title: Probe\n# description: A probe.\n" + text, encoding="utf-8")
    example = load_example(path)
    suffix, body = render_example(example, store.query(example.text))
    expected = path.with_suffix(suffix)
    expected.write_text(body, encoding="utf-8")
    return example, expected


PROBES = {
    "select": "SELECT ?g ?n WHERE { VALUES (?g ?n) { (<urn:a> 1) (<urn:b> 2) (<urn:b> 2) } }",
    "ordered": "SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY ?n",
    "ask": "ASK { FILTER(1 < 2) }",
    "graph": "CONSTRUCT { <urn:s> <urn:p> ?n } WHERE { VALUES ?n { 1 'x'@fr } }",
}
WRONG = {
    "select": "SELECT ?g ?n WHERE { VALUES (?g ?n) { (<urn:a> 1) (<urn:b> 2) } }",
    "ordered": "SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY DESC(?n)",
    "ask": "ASK { FILTER(1 > 2) }",
    "graph": "CONSTRUCT { <urn:s> <urn:p> ?n } WHERE { VALUES ?n { 1 'x'@en } }",
}


@pytest.mark.parametrize("kind", sorted(PROBES))
def test_written_expectation_matches_and_a_wrong_result_does_not(
    tmp_path: Path, store: Store, kind: str
) -> None:
    example, expected_path = _roundtrip(tmp_path, store, PROBES[kind])
    expected = read_expected(expected_path)
    assert differences(example, store.query(PROBES[kind]), expected) == ""
    assert differences(example, store.query(WRONG[kind]), expected) != ""


def test_unordered_rows_compare_as_multisets(tmp_path: Path, store: Store) -> None:
    example, expected_path = _roundtrip(tmp_path, store, PROBES["select"])
    reordered = "SELECT ?g ?n WHERE { VALUES (?g ?n) { (<urn:b> 2) (<urn:a> 1) (<urn:b> 2) } }"
    assert differences(example, store.query(reordered), read_expected(expected_path)) == ""


def test_a_result_of_another_kind_is_reported(tmp_path: Path, store: Store) -> None:
    example, expected_path = _roundtrip(tmp_path, store, PROBES["select"])
    result: QueryResult = store.query(PROBES["ask"])
    problem = differences(example, result, read_expected(expected_path))
    assert problem == "expected a select result, the query's result is of kind ask"


def test_readme_table_is_replaced_between_markers(tmp_path: Path) -> None:
    folder = _write(tmp_path / "q", {"01-films.rq": QUERY, "01-films.srj": EMPTY_SRJ})
    examples = load_examples(folder)
    old = readme_table([]).replace("| file |", "| old |")
    readme = f"# x\n\n{old}\n\nafter\n"
    new = replace_readme_table(readme, examples)
    assert "| [`01-films.rq`](queries/01-films.rq) | Films |" in new
    assert new.endswith("\n\nafter\n") and "| old |" not in new
    with pytest.raises(DataError):
        replace_readme_table("# no markers\n", examples)


@pytest.mark.parametrize("path", QUERY_FILES, ids=_ids(QUERY_FILES))
def test_readme_example_runs_over_http(path: Path, client: TestClient) -> None:
    """What the README lists answers the same through the SPARQL protocol as in process."""
    assert f"(queries/{path.name})" in README.read_text(encoding="utf-8")
    example = load_example(path)
    [expected] = example.expected_paths()
    accept = "text/turtle" if expected.suffix == ".ttl" else "application/sparql-results+json"
    response = client.get("/sparql", params={"query": example.text}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    got = parse_result(response.content, expected.suffix)
    assert differences(example, got, read_expected(expected)) == ""


def _expected_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("expected", PROJECT_ROOT / "scripts/expected.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_maintainer_script_reproduces_the_checked_in_files(tmp_path: Path) -> None:
    """scripts/expected.py writes exactly what is checked in (stable bytes, readable diffs)."""
    script = _expected_script()
    for name in ("01-cast", "16-cast-network", "18-does-leon-die"):
        copy = tmp_path / f"{name}.rq"
        copy.write_bytes((QUERIES / f"{name}.rq").read_bytes())
        if name == "18-does-leon-die":  # a stale result of the other kind must go
            copy.with_suffix(".ttl").write_text("stale", encoding="utf-8")
        assert script.main([str(copy), "--quiet"]) == 0
        [written] = load_example(copy).expected_paths()
        assert written.read_bytes() == (QUERIES / written.name).read_bytes()
    assert not (tmp_path / "18-does-leon-die.ttl").exists()
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{readme_table([])}\nrest\n", encoding="utf-8")
    script.write_readme(readme, QUERIES)
    assert readme.read_text(encoding="utf-8") == (
        f"intro\n{readme_table(load_examples(QUERIES))}\nrest\n"
    )
