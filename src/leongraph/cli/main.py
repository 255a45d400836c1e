"""The command line: thin wrappers over the same functions the HTTP app uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from leongraph.cli import data, export, query, wikidata
from leongraph.cli.options import add_store_options, settings_from
from leongraph.config import is_url
from leongraph.errors import BadRequest, LeongraphError
from leongraph.graph import open_store


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from leongraph.web.app import create_app

    settings = settings_from(args)
    store = open_store(settings)
    app = create_app(settings, store)
    where = f" at {settings.store_url}" if settings.store_url else ""
    print(
        f"leongraph: {len(store)} triples ({store.engine}{where}) on "
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
    if is_url(args.store):
        return _load_remote(args, files, dataset, start)
    count = load_files(Path(args.store), files, dataset=dataset)
    print(
        f"leongraph: {count} quads in {args.store} ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    return 0


def _load_remote(args: argparse.Namespace, files: list[Path], dataset: object, start: float) -> int:
    """``load --store URL``: SPARQL Update in batches, with a progress line on stderr."""
    import time

    from rdflib import Dataset

    from leongraph.engine import RemoteStore, load_remote, quads_of

    settings = settings_from(args)
    store = RemoteStore.open(args.store, args.store_update, timeout=max(settings.timeout, 60))
    quads = quads_of(files, dataset if isinstance(dataset, Dataset) else None)

    def progress(written: int) -> None:
        rate = written / max(time.perf_counter() - start, 1e-9)
        print(f"\rleongraph: {written} quads written ({rate:,.0f}/s)", end="", file=sys.stderr)

    try:
        count = load_remote(store, quads, batch=args.batch, skip=args.skip, progress=progress)
    finally:
        print(file=sys.stderr)
    print(
        f"leongraph: {count} quads written into {args.store} ({time.perf_counter() - start:.1f} s)",
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
        "--root-path",
        default=None,
        dest="root_path",
        help="path prefix when served behind a reverse proxy",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "load", help="bulk-load RDF files into an on-disk Oxigraph store or a SPARQL engine"
    )
    p.add_argument("files", nargs="*", help="RDF files: .ttl .nt .nq .trig .rdf .jsonld")
    p.add_argument(
        "--store",
        required=True,
        help="store directory (created if missing), or a SPARQL engine's query URL",
    )
    p.add_argument("--store-update", default=None, dest="store_update", help="its update URL")
    p.add_argument(
        "--batch",
        type=int,
        default=None,
        help="quads per SPARQL Update request (URL only; default 20000, 200 on Virtuoso)",
    )
    p.add_argument(
        "--skip", type=int, default=0, help="quads already written by a load that stopped"
    )
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
