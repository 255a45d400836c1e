"""Progress bars (tqdm) on standard error, shown when it is a terminal or ``--progress`` asks;
and the one-line notes long commands print there about what they are doing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

#: Below this many quads an export is quick: no bar unless ``--progress`` asks.
LARGE = 100_000


def add_progress_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="show progress bars on stderr even when it is not a terminal "
        "(default: only on a terminal)",
    )


def wanted(args: argparse.Namespace, worth_it: bool = True) -> bool:
    """A bar when asked, or when a person watches standard error and the work is long."""
    if getattr(args, "progress", None):
        return True
    return worth_it and bool(getattr(sys.stderr, "isatty", lambda: False)())


def bar(args: argparse.Namespace, *, worth_it: bool = True, **kwargs: Any) -> tqdm:
    """A tqdm bar on stderr; disabled (a no-op) when no bar is wanted."""
    disable = not wanted(args, worth_it)
    return tqdm(file=sys.stderr, disable=disable, dynamic_ncols=True, **kwargs)


def note(text: str) -> None:
    """One line on stderr saying what the command is doing (above any bar)."""
    tqdm.write(f"leongraph: {text}", file=sys.stderr)


class FileBar:
    """``load``'s bar: bytes read over all the files, one note per file."""

    def __init__(self, args: argparse.Namespace, files: list[Path]) -> None:
        total = sum(f.stat().st_size for f in files if f.is_file())
        self._total = total
        self.bar = bar(args, total=total, unit="B", unit_scale=True, desc="loading")
        self._current: Path | None = None
        self._done = 0  # bytes of the files finished

    def __call__(self, path: Path | None, read: int) -> None:
        if path != self._current:
            if self._current is not None:
                self._done += self._current.stat().st_size
            self._current = path
            if path is None:
                self.bar.update(self._total - self.bar.n)
                self.bar.close()
                note("counting the graphs and computing the statistics …")
                return
            note(f"reading {path} ({path.stat().st_size:,} bytes)")
        self.bar.update(self._done + read - self.bar.n)

    def close(self) -> None:
        self.bar.close()
