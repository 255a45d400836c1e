"""``leongraph export``: the whole graph (or one named graph) in any RDF format, the same bytes
as ``GET /export/leon.<ext>`` apart from the VoID links, which name the public base IRI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leongraph.cli.options import add_store_options, settings_from
from leongraph.cli.progress import LARGE, add_progress_option, bar, note
from leongraph.errors import BadRequest
from leongraph.formats import RdfFormat
from leongraph.graph import open_store
from leongraph.linkeddata.export import BUNDLED_GRAPHS
from leongraph.vocab import BASE


def register(sub: argparse._SubParsersAction) -> None:
    names = ", ".join(f.name for f in RdfFormat.all())
    p = sub.add_parser(
        "export",
        help="write the graph in an RDF format",
        description="Write the whole dataset (every named graph plus its VoID description) or "
        "one named graph, in the chosen format, to a file or standard output.",
    )
    p.add_argument(
        "--format",
        default="ttl",
        help=f"one of {names} (default: ttl), or quickstatements (a Wikidata batch)",
    )
    p.add_argument(
        "--graph",
        default=None,
        metavar="NAME",
        help="one named graph: its IRI or short name ("
        + ", ".join(BUNDLED_GRAPHS)
        + ", sentence/12; a custom store names its own)",
    )
    p.add_argument("-o", "--output", default=None, help="file to write (default: stdout)")
    add_store_options(p)
    add_progress_option(p)
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from leongraph.linkeddata.export import export_bytes, resolve_graph, void_quads
    from leongraph.linkeddata.publication import Publication
    from leongraph.linkeddata.void import VOID_GRAPH

    if args.format == "quickstatements":
        from leongraph.cli.wikidata import cmd_quickstatements

        return cmd_quickstatements(args)
    fmt = RdfFormat.from_name(args.format)
    if not isinstance(fmt, RdfFormat):
        names = ", ".join(f.name for f in RdfFormat.all())
        raise BadRequest(f"unknown format {args.format!r}; use one of {names}")
    settings = settings_from(args)
    store = open_store(settings)
    pub = Publication.build(settings, store)
    graph = resolve_graph(store, args.graph) if args.graph else None
    note(f"exporting {graph or 'every graph'} as {fmt.name} …")
    void = sum(1 for _ in void_quads(pub, BASE))
    if graph is None:
        size = len(store) + void
    else:
        size = void if graph == str(VOID_GRAPH) else store.graph_sizes().get(graph, 0)
    with bar(
        args, worth_it=size >= LARGE, total=size, unit=" quads", unit_scale=True, desc="reading"
    ) as b:
        data = export_bytes(pub, fmt, graph=graph, progress=b.update)
    if graph is not None:
        what = f"{size} triples of {graph}"
    else:
        what = f"{len(store)} quads of data + {void} of VoID (graph/void)"
    print(f"leongraph: wrote {what}, {len(data)} bytes", file=sys.stderr)
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"leongraph: to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0
