"""(Re)write the expected result of example queries, and the README's table of examples.

    .venv/bin/python scripts/expected.py queries/05-cast.rq    # write 05-cast.srj and show it
    .venv/bin/python scripts/expected.py --all                 # every example
    .venv/bin/python scripts/expected.py --readme              # regenerate the README table

An expected file is a claim about the film: read what this prints against the synopsis
(data/source/leon-synopsis.txt) before committing it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from leongraph.config import ENGINES, PROJECT_ROOT, Settings
from leongraph.engine import Store
from leongraph.graph import open_store
from leongraph.sparql.examples import (
    RESULT_SUFFIXES,
    load_example,
    load_examples,
    render_example,
    replace_readme_table,
    run_example,
)


def write_expected(store: Store, settings: Settings, path: Path, *, quiet: bool = False) -> Path:
    """Run one example and write its expected-result file (removing one of the other kind)."""
    example = load_example(path)
    suffix, body = render_example(example, run_example(store, example, settings))
    target = path.with_suffix(suffix)
    target.write_text(body, encoding="utf-8")
    for other in RESULT_SUFFIXES:
        if other != suffix:
            path.with_suffix(other).unlink(missing_ok=True)
    if not quiet:
        print(f"==> {target.relative_to(PROJECT_ROOT)}\n{body}")
    return target


def write_readme(readme: Path, queries: Path) -> None:
    readme.write_text(
        replace_readme_table(readme.read_text(encoding="utf-8"), load_examples(queries)),
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="*", type=Path, help="NN-slug.rq files")
    parser.add_argument("--all", action="store_true", help="every example in queries/")
    parser.add_argument("--readme", action="store_true", help="regenerate the README table")
    parser.add_argument("--engine", choices=ENGINES, default="oxigraph")
    parser.add_argument("--quiet", action="store_true", help="do not print what is written")
    args = parser.parse_args(argv)
    folder = PROJECT_ROOT / "queries"
    paths = sorted(folder.glob("*.rq")) if args.all else [p.resolve() for p in args.queries]
    if paths:
        settings = Settings(engine=args.engine)
        store = open_store(settings)
        for path in paths:
            write_expected(store, settings, path, quiet=args.quiet)
    if args.readme:
        write_readme(PROJECT_ROOT / "README.md", folder)
    if not paths and not args.readme:
        parser.print_usage(sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
