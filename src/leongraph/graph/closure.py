"""The transitive closure of a relation given as direct links (super-classes, super-properties):
the ontology's hierarchies are read in three places, and each needs every ancestor."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def reachable(direct: Mapping[K, Iterable[K]]) -> dict[K, set[K]]:
    """Each key's ancestors through ``direct``, itself excluded (a cycle leads back to it).

    >>> sorted(reachable({"a": ["b"], "b": ["c"]})["a"])
    ['b', 'c']
    """
    result: dict[K, set[K]] = {}
    for start in direct:
        seen: set[K] = set()
        todo = list(direct[start])
        while todo:
            x = todo.pop()
            if x not in seen and x != start:
                seen.add(x)
                todo.extend(direct.get(x, ()))
        result[start] = seen
    return result
