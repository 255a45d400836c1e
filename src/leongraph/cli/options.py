"""What every command that reads the graph shares: the ``--engine`` and ``--store`` options,
and the one settings object built from them, the other options and the environment."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from leongraph.config import ENGINES, Settings, is_url

#: Options that map one to one onto a field of Settings.
_FIELDS = (
    "host",
    "port",
    "engine",
    "timeout",
    "max_rows",
    "workers",
    "root_path",
    "edits",
    "answer_cache_mb",
)


def add_store_options(p: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--store``, declared once for every command."""
    p.add_argument(
        "--engine", choices=ENGINES, default=None, help="query engine (default: oxigraph)"
    )
    p.add_argument(
        "--store",
        default=None,
        help="on-disk Oxigraph store (read-only unless --edits), or a SPARQL engine's query URL (http[s]://)",
    )
    p.add_argument(
        "--store-update",
        default=None,
        dest="store_update",
        help="the engine's update URL, where it is not the query URL",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of a command: its options, then the environment, then the defaults."""
    overrides: dict[str, object] = {k: getattr(args, k, None) for k in _FIELDS}
    store = getattr(args, "store", None)
    if store and is_url(store):
        overrides["store_url"] = store
    else:
        overrides["store_path"] = Path(store) if store else None
    overrides["store_update_url"] = getattr(args, "store_update", None)
    return Settings.from_env(os.environ, **overrides)
