"""What the store tells the work bound (sparql/cost.py) about its default graph, computed by a
scan and recorded with an on-disk store."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Statistics:
    """What the bound needs to know about the default graph: for each predicate, its number
    of triples, the most objects one subject has for it and the most subjects one object has."""

    triples: int
    predicates: Mapping[str, tuple[int, int, int]]
    #: Triples whose subject is a blank node (DESCRIBE follows them).
    blank_subject_triples: int = 0

    @functools.cached_property
    def out_any(self) -> int:
        """The most triples one subject can have, over every predicate."""
        return sum(out for _, out, _ in self.predicates.values())

    @functools.cached_property
    def in_any(self) -> int:
        return sum(inn for _, _, inn in self.predicates.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "triples": self.triples,
            "blank_subject_triples": self.blank_subject_triples,
            "predicates": {p: list(v) for p, v in sorted(self.predicates.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Statistics:
        return cls(
            int(data["triples"]),
            {p: (int(a), int(b), int(c)) for p, (a, b, c) in data["predicates"].items()},
            int(data.get("blank_subject_triples", 0)),
        )
