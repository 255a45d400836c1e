"""The command line: thin wrappers over the same functions the HTTP app uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from leongraph.cli import data, export, query, wikidata
from leongraph.cli.options import add_store_options, settings_from
from leongraph.errors import BadRequest, LeongraphError
from leongraph.graph import open_store


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from leongraph.web.app import create_app

    settings = settings_from(args)
    store = open_store(settings)
    app = create_app(settings, store)
    print(
        f"leongraph: {len(store)} triples ({store.engine}) on "
        f"http://{settings.host}:{settings.port}/",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        root_path=settings.root_path,
        **settings.server_options(),  # type: ignore[arg-type]
    )
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    import time

    from leongraph.engine import load_files

    files = [Path(f) for f in args.files]
    if not files and not args.bundled:
        raise BadRequest("nothing to load: give RDF files, --bundled, or both")
    dataset = None
    if args.bundled:
        from leongraph.graph.loading import build_dataset

        dataset = build_dataset(settings_from(args).project_root)
    start = time.perf_counter()
    count = load_files(Path(args.store), files, dataset=dataset)
    print(
        f"leongraph: {count} quads in {args.store} ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leongraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the graph over HTTP")
    add_store_options(p)
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--timeout", type=float, default=None, help="query timeout in seconds")
    p.add_argument("--max-rows", type=int, default=None, dest="max_rows")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="query worker processes, killed and replaced on timeout (0: evaluate in-process)",
    )
    p.add_argument(
        "--answer-cache-mb",
        type=int,
        default=None,
        dest="answer_cache_mb",
        help="MiB of serialised answers kept until the data changes (default 64; 0: off)",
    )
    p.add_argument(
        "--root-path",
        default=None,
        dest="root_path",
        help="path prefix when served behind a reverse proxy",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("load", help="bulk-load RDF files into an on-disk Oxigraph store")
    p.add_argument("files", nargs="*", help="RDF files: .ttl .nt .nq .trig .rdf .jsonld")
    p.add_argument("--store", required=True, help="store directory (created if missing)")
    p.add_argument(
        "--bundled", action="store_true", help="also load the bundled graph with its alignments"
    )
    p.set_defaults(func=cmd_load)

    for group in (data, export, query, wikidata):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LeongraphError as exc:
        print(f"leongraph: {exc.message}", file=sys.stderr)
        return 2
