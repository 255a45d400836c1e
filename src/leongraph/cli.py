"""The command line: thin wrappers over the same functions the HTTP app uses."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from leongraph.config import ENGINES, Settings
from leongraph.errors import LeongraphError


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        k: getattr(args, k, None)
        for k in ("host", "port", "engine", "timeout", "max_rows", "workers", "root_path")
    }
    store = getattr(args, "store", None)
    overrides["store_path"] = Path(store) if store else None
    return Settings.from_env(os.environ, **overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from leongraph.app import create_app
    from leongraph.store import Store

    settings = _settings(args)
    store = Store.from_settings(settings)
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
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leongraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--engine", choices=ENGINES, default=None, help="query engine (default: oxigraph)"
        )
        p.add_argument("--store", default=None, help="on-disk Oxigraph store (read-only)")

    p = sub.add_parser("serve", help="serve the graph over HTTP")
    common(p)
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--timeout", type=float, default=None, help="query timeout in seconds")
    p.add_argument("--max-rows", type=int, default=None, dest="max_rows")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument(
        "--root-path",
        default=None,
        dest="root_path",
        help="path prefix when served behind a reverse proxy",
    )
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except LeongraphError as exc:
        print(f"leongraph: {exc.message}", file=sys.stderr)
        return 2
