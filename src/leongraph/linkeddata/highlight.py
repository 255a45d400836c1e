"""Find where a fact's words occur in the sentence that states it, so pages can <mark> them.

>>> highlight("Léon meets Mathilda Lando.", ["Mathilda", "Mathilda Lando", "Léon Montana"])
[('Léon', True), (' meets ', False), ('Mathilda Lando', True), ('.', False)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Segment = tuple[str, bool]  # (text, highlighted)


def _words(phrase: str) -> list[str]:
    """The capitalised words of four letters or more of a phrase."""
    return [w for w in re.findall(r"\w[\w'’-]*", phrase) if len(w) >= 4 and w[0].isupper()]


def spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``text`` matching the phrases (whole words,
    case-insensitive), longest phrase first; a phrase that never occurs whole falls back to
    its main words. Spans separated only by spaces are merged ("Mathilda" "Lando")."""
    taken: list[tuple[int, int]] = []

    def mark(variant: str) -> bool:
        pattern = re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)
        found = [
            m.span()
            for m in pattern.finditer(text)
            if not any(m.start() < e and s < m.end() for s, e in taken)
        ]
        taken.extend(found)
        return bool(found) or any(variant.lower() == text[s:e].lower() for s, e in taken)

    unique = sorted({p.strip() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    missing = [p for p in unique if not mark(p)]
    for phrase in missing:
        for word in _words(phrase):
            mark(word)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(taken):
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, phrases: Iterable[str]) -> list[Segment]:
    """Split ``text`` into plain and highlighted segments."""
    out: list[Segment] = []
    pos = 0
    for start, end in spans(text, phrases):
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out
