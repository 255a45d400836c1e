"""Two servers side by side on a noisy machine: short runs of each, interleaved (A B, B A, A B
...), so that whatever else the machine is doing lands on both sides of a round alike. Each
round gives one ratio (A ÷ B for req/s, p50 and p99); the benchmark reports the median of the
rounds' ratios with their spread (min–max), so a reader can tell a difference from the noise:
a ratio whose whole range lies past 1 is a difference, one whose range straddles 1 is not
shown to be.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

Run = Callable[[], dict]

#: The figures compared, each as A ÷ B.
FIGURES = ("rps", "p50_ms", "p99_ms")


def interleave(a: Run, b: Run, rounds: int) -> list[tuple[dict, dict]]:
    """``rounds`` pairs of runs; the side that goes first alternates, so a drift in the
    machine's load over a round does not always favour the same side."""
    pairs = []
    for i in range(rounds):
        if i % 2 == 0:
            first = a()
            pairs.append((first, b()))
        else:
            second = b()
            pairs.append((a(), second))
    return pairs


def spread(values: list[float]) -> dict:
    """The median of per-round ratios with their range."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "rounds": values,
    }


def compare(pairs: list[tuple[dict, dict]]) -> dict:
    """Per figure, the median, min and max of the per-round ratios A ÷ B (rounds where B
    measured 0 are left out of that figure)."""
    out: dict = {}
    for figure in FIGURES:
        values = [a[figure] / b[figure] for a, b in pairs if b[figure]]
        out[figure] = spread(values) if values else None
    return out


def text(ratio: dict | None, digits: int = 2) -> str:
    """``median (min–max)`` for a table cell."""
    if ratio is None:
        return "-"
    m, lo, hi = ratio["median"], ratio["min"], ratio["max"]
    return f"{m:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"
