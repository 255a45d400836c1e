"""Names compared as people read them: the same name whatever its case, accents or punctuation
(the citation rule of review.py, the reconciliation service's matching)."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of a name.

    >>> fold("  Léon: The PROFESSIONAL ")
    'leon the professional'
    >>> fold("Éric Serra") == fold("eric serra")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain.casefold()).split())
