"""The Wikidata subcommands (``links``, ``quickstatements``): thin wrappers over links.py and
quickstatements.py, registered on the main parser by cli.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leongraph.cli.options import add_store_options, settings_from
from leongraph.cli.output import add_format_option, chosen, write_json
from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.graph import open_store


def _store_and_settings(args: argparse.Namespace) -> tuple[Store, Settings]:
    settings = settings_from(args)
    return open_store(settings), settings


def cmd_links(args: argparse.Namespace) -> int:
    """Print which entities are linked to Wikidata, with the reference table's evidence."""
    from leongraph.wikidata.links import (
        REFERENCE,
        as_json,
        links,
        property_entities,
        read_reference,
        render,
        used_properties,
    )
    from leongraph.wikidata.matching import build_index

    store, settings = _store_and_settings(args)
    reference = read_reference(
        Path(args.reference) if args.reference else settings.project_root / REFERENCE
    )
    if args.properties:
        sys.stdout.write(property_entities(reference, used_properties(store)))
        return 0
    found = links(build_index(store), reference)
    if args.json or chosen(args) == "json":
        write_json(as_json(found))
    else:
        sys.stdout.write(render(found, width=args.width))
    return 1 if any(not link.sound for link in found) else 0


def cmd_quickstatements(args: argparse.Namespace) -> int:
    """Print the QuickStatements V1 batch (the same text as GET /quickstatements)."""
    from leongraph.wikidata.quickstatements import build

    store, _ = _store_and_settings(args)
    text = build(store).text(comments=not getattr(args, "commands_only", False))
    output = getattr(args, "output", None)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"leongraph: wrote {len(text.encode())} bytes to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the Wikidata subcommands to the main parser."""

    p = sub.add_parser(
        "links", help="which entities are linked to Wikidata, with the reference evidence"
    )
    add_store_options(p)
    p.add_argument("--reference", default=None, help="reference table (TSV)")
    add_format_option(p)
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument(
        "--properties",
        action="store_true",
        help="print the Wikidata property entities the graph uses (data/wikidata-properties.ttl)",
    )
    p.add_argument("--width", type=int, default=160, help="cut table lines at this width")
    p.set_defaults(func=cmd_links)

    p = sub.add_parser("quickstatements", help="print the QuickStatements V1 batch")
    add_store_options(p)
    p.add_argument(
        "--commands-only",
        action="store_true",
        help="leave out the comments (statements waiting for an item, notes)",
    )
    p.set_defaults(func=cmd_quickstatements)
