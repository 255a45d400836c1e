"""The layout's rules, read from the source with ``ast``: the folder names are the architecture
only while every import keeps to them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "leongraph"
SUBPACKAGES = ("graph", "engine", "sparql", "linkeddata", "wikidata", "edits", "web", "cli")
MAX_LINES = 500


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def area(path: Path) -> str:
    """The subpackage a module belongs to, "shared" for the top-level modules, or "face" for
    the package's ``__init__`` and ``__main__``, which name the public API and the CLI."""
    parts = path.relative_to(PACKAGE).parts
    if parts in (("__init__.py",), ("__main__.py",)):
        return "face"
    return parts[0] if len(parts) > 1 else "shared"


def imported(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.module, node))
            if node.module == "leongraph":  # from leongraph import engine, ...
                found += [(f"leongraph.{alias.name}", node) for alias in node.names]
    return found


def target_area(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "leongraph":
        return None
    if len(parts) > 1 and parts[1] in SUBPACKAGES:
        return parts[1]
    return "shared"


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize(
    ("library", "home"),
    [("pyoxigraph", {"engine"}), ("fastapi", {"web"}), ("starlette", {"web"})],
)
def test_only_one_package_imports_each_framework(library: str, home: set[str]) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"  # type: ignore[attr-defined]
        for path in modules()
        if area(path) not in home
        for name, node in imported(parsed(path))
        if name.split(".")[0] == library
    ]
    assert not offenders, f"{library} imported outside {home}: {offenders}"


def test_nothing_below_imports_the_web_or_the_cli() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules()
        if area(path) not in ("web", "cli")
        for name, _ in imported(parsed(path))
        if target_area(name) in ("web", "cli") and area(path) != "face"
    ]
    assert not offenders


def area_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in modules():
        source = area(path)
        if source == "face":
            continue
        for name, _ in imported(parsed(path)):
            target = target_area(name)
            if target is not None and target != source:
                graph.setdefault(source, set()).add(target)
    return graph


def test_no_import_cycles_between_subpackages() -> None:
    graph = area_graph()
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif len(trail) < len(SUBPACKAGES) + 1:
                visit(nxt, [*trail, nxt])

    for start in graph:
        visit(start, [start])
    assert not cycles


def test_the_engine_uses_the_shared_modules_alone() -> None:
    assert area_graph().get("engine", set()) <= {"shared"}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_the_size_limit(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by concern"


def test_no_imports_of_the_package_inside_functions_outside_the_cli() -> None:
    offenders = []
    for path in modules():
        if area(path) == "cli":
            continue
        for func in ast.walk(parsed(path)):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for name, node in imported(func):
                if target_area(name) is not None:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")  # type: ignore[attr-defined]
    assert not offenders


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_subpackage_says_what_it_holds_and_may_import(name: str) -> None:
    init = PACKAGE / name / "__init__.py"
    doc = ast.get_docstring(parsed(init))
    assert doc, f"{name}/__init__.py opens with no docstring"
    assert "import" in doc.lower(), f"{name}/__init__.py does not say what it may import"
