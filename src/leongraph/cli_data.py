"""The data owner's subcommands (sentences, coverage, stats, validate): thin wrappers over
sentences.py, provenance.py and validation.py, registered on the main parser by cli.py."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from leongraph.config import Settings


def _root(args: argparse.Namespace) -> Path:
    root = getattr(args, "root", None)
    return Path(root) if root else Settings.from_env(os.environ).project_root


def cmd_sentences(args: argparse.Namespace) -> int:
    """Print (or --write) data/sentences.ttl, generated from the source synopsis."""
    from leongraph.sentences import SOURCE_PATH, render_turtle

    root = _root(args)
    turtle = render_turtle((root / SOURCE_PATH).read_text(encoding="utf-8"))
    if args.write:
        target = root / "data" / "sentences.ttl"
        target.write_text(turtle, encoding="utf-8")
        print(f"leongraph: wrote {target}", file=sys.stderr)
    else:
        sys.stdout.write(turtle)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the data subcommands to the main parser."""

    def root(p: argparse.ArgumentParser) -> None:
        p.add_argument("--root", default=None, help="project root holding ontology/ and data/")

    p = sub.add_parser("sentences", help="generate data/sentences.ttl from the synopsis")
    root(p)
    p.add_argument("--write", action="store_true", help="write data/sentences.ttl in place")
    p.set_defaults(func=cmd_sentences)
