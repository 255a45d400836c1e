"""The data owner's subcommands (sentences, coverage, stats, validate): thin wrappers over
sentences.py, provenance.py and validation.py, registered on the main parser by cli.py."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from rdflib import Dataset

from leongraph.cli.output import add_format_option, chosen, write_json
from leongraph.config import Settings


def _root(args: argparse.Namespace) -> Path:
    root = getattr(args, "root", None)
    return Path(root) if root else Settings.from_env(os.environ).project_root


def cmd_sentences(args: argparse.Namespace) -> int:
    """Print (or --write) data/sentences.ttl, generated from the source synopsis."""
    from leongraph.graph.sentences import SOURCE_PATH, render_turtle

    root = _root(args)
    turtle = render_turtle((root / SOURCE_PATH).read_text(encoding="utf-8"))
    if args.write:
        target = root / "data" / "sentences.ttl"
        target.write_text(turtle, encoding="utf-8")
        print(f"leongraph: wrote {target}", file=sys.stderr)
    else:
        sys.stdout.write(turtle)
    return 0


def _datasets(args: argparse.Namespace) -> tuple[Dataset, Dataset]:
    """The data as written, and the served graph (with the aligned view)."""
    from leongraph.graph.loading import build_dataset

    root = _root(args)
    return build_dataset(root, materialize=False), build_dataset(root)


def _store_dataset(path: Path) -> tuple[Dataset, dict[int, str]]:
    """The named graphs of an on-disk store (the history left out), and each edit's summary."""
    from leongraph.edits import history
    from leongraph.engine import OxigraphStore
    from leongraph.vocab import HISTORY_GRAPH

    store = OxigraphStore.open_read_only(path)
    ds = Dataset()
    for s, p, o, g in store.quads():
        if g is not None and str(g) != str(HISTORY_GRAPH):
            ds.graph(g).add((s, p, o))  # type: ignore[arg-type]
    summaries = {e.number: f"{e.summary} ({e.agent})" for e in history.read(store)}
    return ds, summaries


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print, sentence by sentence, how many facts cite it, then each edit graph's facts;
    exit 1 if a sentence states none."""
    from leongraph.graph.provenance import (
        UNCOVERED,
        coverage,
        edit_coverage,
        format_coverage,
        uncovered,
    )

    if getattr(args, "store", None):  # a store holds the data with its aligned view
        served, summaries = _store_dataset(Path(args.store))
        rows = coverage(served)
        print(format_coverage(rows, edits=edit_coverage(served, summaries)))
        return 1 if [n for n in uncovered(rows) if n not in UNCOVERED] else 0
    asserted, aligned = _datasets(args)
    if getattr(args, "facts", False):  # the sentences with their facts, for review
        from leongraph.graph.review import review_lines

        print("\n".join(review_lines(asserted, args.sentence or None)))
        return 0
    rows = coverage(asserted, aligned)
    if chosen(args) == "json":
        write_json([dataclasses.asdict(r) for r in rows])
    else:
        print(format_coverage(rows))
    missing = [n for n in uncovered(rows) if n not in UNCOVERED]
    return 1 if missing else 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print triples, entities per class and links to Wikidata."""
    from leongraph.graph.provenance import format_stats, stats

    asserted, aligned = _datasets(args)
    found = stats(asserted, aligned)
    if chosen(args) == "json":
        write_json(dataclasses.asdict(found))
    else:
        print(format_stats(found))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the served graph against the SHACL shapes; exit 1 when it does not conform."""
    from leongraph.graph.loading import build_dataset
    from leongraph.graph.validation import load_shapes, merged, validate

    root = _root(args)
    report = validate(merged(build_dataset(root)), load_shapes(root))
    print(report.text())
    return 0 if report.conforms else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the data subcommands to the main parser."""

    def root(p: argparse.ArgumentParser) -> None:
        p.add_argument("--root", default=None, help="project root holding ontology/ and data/")

    p = sub.add_parser("sentences", help="generate data/sentences.ttl from the synopsis")
    root(p)
    p.add_argument("--write", action="store_true", help="write data/sentences.ttl in place")
    p.set_defaults(func=cmd_sentences)

    for name, func, text in (
        ("coverage", cmd_coverage, "how many facts cite each source sentence"),
        ("stats", cmd_stats, "triples, entities per class, links to Wikidata"),
        ("validate", cmd_validate, "validate the graph against the SHACL shapes"),
    ):
        p = sub.add_parser(name, help=text)
        root(p)
        p.set_defaults(func=func)
        if name in ("coverage", "stats"):
            add_format_option(p)
        if name == "coverage":
            p.add_argument("--facts", action="store_true", help="each sentence and its facts")
            p.add_argument(
                "--store", default=None, help="count an on-disk store's graphs, edits included"
            )
            p.add_argument("--sentence", type=int, action="append", help="only sentence N")
