"""Find where a fact's words occur in the sentence that states it, so pages can <mark> them.

>>> highlight("Léon meets Mathilda Lando.", ["Mathilda Lando", "Léon Montana"])
[('Léon', True), (' meets ', False), ('Mathilda Lando', True), ('.', False)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Segment = tuple[str, bool]  # (text, highlighted)


def _variants(phrase: str) -> list[str]:
    """The phrase itself, then its capitalised words of four letters or more."""
    phrase = phrase.strip()
    words = [w for w in re.findall(r"\w[\w'’-]*", phrase) if len(w) >= 4 and w[0].isupper()]
    return [phrase, *words] if phrase else words


def spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``text`` matching the phrases (whole words,
    case-insensitive). A phrase whose full form never occurs falls back to its main words."""
    taken: list[tuple[int, int]] = []
    for phrase in phrases:
        for variant in _variants(phrase):
            pattern = re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)
            found = [
                m.span()
                for m in pattern.finditer(text)
                if not any(m.start() < e and s < m.end() for s, e in taken)
            ]
            taken.extend(found)
            if found and variant == phrase.strip():
                break
    return sorted(taken)


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
