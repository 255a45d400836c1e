"""The command line: thin wrappers over the same functions the HTTP app uses."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import socket
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from leongraph import __version__
from leongraph.cli import data, export, query, token, wikidata
from leongraph.cli.options import add_store_options, settings_from
from leongraph.cli.progress import FileBar, add_progress_option, bar, note
from leongraph.config import ENV_PREFIX, Settings, is_url
from leongraph.engine import Store
from leongraph.errors import BadRequest, LeongraphError
from leongraph.formats import RdfFormat
from leongraph.graph import open_store
from leongraph.vocab import GRAPH


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything else is done, so that a busy port fails at
    once with one line (BadRequest) instead of after the store is loaded."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise BadRequest(
            f"cannot listen on {host}:{port}: {reason} (choose another with --port or "
            "LEONGRAPH_PORT, e.g. make serve PORT=8011)"
        ) from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from leongraph.web.app import create_app
    from leongraph.web.server import server_options

    settings = settings_from(args)
    sock = listening_socket(settings.host, settings.port)
    print(f"leongraph: loading the graph ({settings.engine}) …", file=sys.stderr)
    store = open_store(settings)
    app = create_app(settings, store)
    where = f" at {settings.store_url}" if settings.store_url else ""

    def banner() -> None:
        try:
            found = str(app.leongraph.derived.counts)
        except LeongraphError as exc:  # an engine that does not answer: /healthz says so
            found = f"counts unavailable: {exc.message}"
        print(
            f"leongraph: {found} ({store.engine}{where}) on "
            f"http://{settings.host}:{settings.port}/",
            file=sys.stderr,
        )

    # Counting the distinct triples reads them all (4 s at 1M): in a thread, so that the
    # server answers meanwhile (the engine lets go of the interpreter while it counts).
    threading.Thread(target=banner, name="leongraph-banner", daemon=True).start()
    config = uvicorn.Config(
        app,
        log_level="info" if args.access_log else "warning",
        access_log=bool(args.access_log),
        root_path=settings.root_path,
        **server_options(settings),  # type: ignore[arg-type]
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def describe_counts(store: Store) -> str:
    """The banner's figures, as /healthz, VoID and ``stats`` give them (README, "Counts")."""
    from leongraph.linkeddata.void import counts

    return str(counts(store))


def cmd_load(args: argparse.Namespace) -> int:
    import time

    from leongraph.engine import load_files

    files = [Path(f) for f in args.files]
    if not files and not args.bundled:
        raise BadRequest("nothing to load: give RDF files, --bundled, or both")
    dataset = None
    if args.bundled:
        from leongraph.graph.loading import build_dataset

        note("building the bundled graph …")
        dataset = build_dataset(settings_from(args).project_root)
    start = time.perf_counter()
    if is_url(args.store):
        return _load_remote(args, files, dataset, start)
    note(f"loading {len(files)} file(s) into {args.store} …")
    watch = FileBar(args, files)
    try:
        count = load_files(
            Path(args.store),
            files,
            dataset=dataset,
            progress=watch,
            graph=args.graph,
            collisions=args.collisions,
        )
    finally:
        watch.close()
    from leongraph.wikidata.stored import store_index

    store_index(Path(args.store))  # the reconciliation index opens with the store
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
    from leongraph.engine.persistence import check_collisions, graph_iri

    settings = settings_from(args)
    store = RemoteStore.open(args.store, args.store_update, timeout=max(settings.timeout, 60))
    if args.collisions == "replace":
        raise BadRequest(
            "--replace works on an on-disk store; on an engine, DROP GRAPH the graph first"
        )
    graph = graph_iri(args.graph) if args.graph else None
    kinds = {f: RdfFormat.from_extension(f.suffix) for f in files}
    targets = [
        (f, graph or str(GRAPH[f.stem])) for f, fmt in kinds.items() if fmt and not fmt.dataset
    ]
    check_collisions(targets, store.graph_sizes(), args.collisions)
    quads = quads_of(files, dataset if isinstance(dataset, Dataset) else None, graph)

    note(f"writing into {args.store} in batches of {args.batch or store.batch} quads …")
    written_bar = bar(args, unit=" quads", unit_scale=True, desc="writing", initial=args.skip)

    def progress(written: int) -> None:
        written_bar.update(written - written_bar.n)

    try:
        count = load_remote(store, quads, batch=args.batch, skip=args.skip, progress=progress)
    finally:
        written_bar.close()
    print(
        f"leongraph: {count} quads written into {args.store} ({time.perf_counter() - start:.1f} s)",
        file=sys.stderr,
    )
    return 0


def serve_epilog(defaults: Settings) -> str:
    """Every setting's environment variable and default, for ``serve --help``."""
    lines = ["environment variables (and defaults):"]
    for f in dataclasses.fields(Settings):
        if f.name in ("extra", "project_root"):
            continue
        value = getattr(defaults, f.name)
        lines.append(
            f"  {ENV_PREFIX}{f.name.upper():<22} {'(none)' if value in (None, '') else value}"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leongraph", description=__doc__)
    parser.add_argument("--version", action="version", version=f"leongraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    defaults = Settings()
    p = sub.add_parser(
        "serve",
        help="serve the graph over HTTP",
        description="Serve the graph over HTTP: the SPARQL endpoint, the pages and the query "
        "page. An option wins over its environment variable, which wins over the default.",
        epilog=serve_epilog(defaults),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store_options(p)

    def default(name: str) -> str:
        value = getattr(defaults, name)
        shown = "none" if value in (None, "") else value
        return f"(default: {shown}; env {ENV_PREFIX}{name.upper()})"

    p.add_argument("--host", default=None, help=f"address to listen on {default('host')}")
    p.add_argument("--port", type=int, default=None, help=f"port {default('port')}")
    p.add_argument(
        "--timeout", type=float, default=None, help=f"query timeout in seconds {default('timeout')}"
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=None,
        dest="max_rows",
        help=f"rows or triples per answer {default('max_rows')}",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="query worker processes, killed and replaced on timeout (0: evaluate in-process) "
        + default("workers"),
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
        help="path prefix when served behind a reverse proxy " + default("root_path"),
    )
    p.add_argument(
        "--access-log",
        action="store_true",
        dest="access_log",
        help="log every request (method, path, status) on stderr (default: off)",
    )
    p.add_argument(
        "--edits",
        action="store_true",
        default=None,
        help="accept token-authenticated edits on the --store (see `leongraph token`)",
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
    p.add_argument(
        "--graph",
        default=None,
        metavar="NAME",
        help="the named graph of the triple files: a short name (graph/NAME) or an IRI "
        "(default: graph/<file stem>)",
    )
    same = p.add_mutually_exclusive_group()
    same.add_argument(
        "--replace",
        dest="collisions",
        action="store_const",
        const="replace",
        default="stop",
        help="when the store already holds a file's graph, drop that graph's triples first "
        "(default: stop and say which graph)",
    )
    same.add_argument(
        "--append",
        dest="collisions",
        action="store_const",
        const="append",
        help="when the store already holds a file's graph, add to it",
    )
    add_progress_option(p)
    p.set_defaults(func=cmd_load)

    for group in (data, export, query, token, wikidata):
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LeongraphError as exc:
        print(f"leongraph: {exc.message}", file=sys.stderr)
        return 2
