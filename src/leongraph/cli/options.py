"""What every command that reads the graph shares: the ``--engine`` and ``--store`` options,
and the one settings object built from them, the other options and the environment."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from leongraph.config import ENGINES, Settings

#: Options that map one to one onto a field of Settings.
_FIELDS = (
    "host",
    "port",
    "engine",
    "timeout",
    "max_rows",
    "workers",
    "root_path",
    "answer_cache_mb",
)


def add_store_options(p: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--store``, declared once for every command."""
    p.add_argument(
        "--engine", choices=ENGINES, default=None, help="query engine (default: oxigraph)"
    )
    p.add_argument("--store", default=None, help="on-disk Oxigraph store (read-only)")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of a command: its options, then the environment, then the defaults."""
    overrides: dict[str, object] = {k: getattr(args, k, None) for k in _FIELDS}
    store = getattr(args, "store", None)
    overrides["store_path"] = Path(store) if store else None
    return Settings.from_env(os.environ, **overrides)
