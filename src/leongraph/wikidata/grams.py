"""The distinct names of the index ("shapes": a folded name and the entities bearing it) with
three inverted indexes, so that a query looks at a few thousand names instead of every one
(159k names, 80k entities at 1M triples) and still finds every name a full scan would:

- character trigrams (a name padded with a space at each end: "leon" -> " le", "leo", "eon",
  "on "): the names sharing most of the query's trigrams are scored first, which gives the
  score to beat (``near``);
- words, and characters counted ("a", "aa", "aaa": the names with at least one, two, three
  a's): with them, ``reaching`` lists every name whose bound on ``similarity`` (the
  characters two names share, see matching.py) may reach a given value, which the score to
  beat sets. A name outside that list cannot enter the answer.

The indexes live in plain values (strings, tuples, bytes of unsigned 32-bit numbers) that
``marshal`` writes and reads back at the speed of a copy."""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

#: Trigram postings, word postings, character-count postings: key -> name numbers (bytes).
Postings = dict[str, bytes]
#: The plain values of a ``Shapes``.
Plain = tuple[list[str], list[tuple[int, ...]], Postings, Postings, Postings]
#: Slack for comparing floating-point bounds: a name is kept rather than lost.
EPS = 1e-9
#: ``reaching`` gives up (every name is then bounded) past one name in FEW, or when it would
#: look through more than SCAN times as many postings as there are names.
FEW = 4
SCAN = 8


def grams(name: str) -> set[str]:
    """The trigrams of a folded name, padded with a space at each end."""
    padded = f" {name} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def bound(counter: Counter[str], size: int, other: str) -> float:
    """Most that difflib's ratio 2M/(|a|+|b|) can be for ``a`` (its characters counted in
    ``counter``, its length ``size``) and ``other``: M is at most the characters they share."""
    shared = sum(min(n, other.count(c)) for c, n in counter.items())
    return 2 * shared / (size + len(other))


def multiplier(k: int, n: int) -> float:
    """How ``similarity`` scales the word hits of a query of ``k`` words in a name of ``n``."""
    return 0.6 + 0.3 * k / max(n, 1)


class Shapes:
    """Distinct folded names, the entities (positions) bearing each, and their postings."""

    def __init__(
        self,
        names: list[str],
        positions: list[tuple[int, ...]],
        trigrams: Postings,
        words: Postings,
        chars: Postings,
    ) -> None:
        self.names = names
        self.positions = positions
        self._trigrams, self._words, self._chars = trigrams, words, chars

    @classmethod
    def build(cls, names_per_entity: Iterable[Sequence[tuple[str, float]]]) -> Shapes:
        """From each entity's (folded name, weight) pairs, in the order of the entities."""
        number: dict[str, int] = {}
        bearers: list[list[int]] = []
        for position, names in enumerate(names_per_entity):
            for name, _ in names:
                n = number.setdefault(name, len(number))
                if n == len(bearers):
                    bearers.append([])
                if not bearers[n] or bearers[n][-1] != position:
                    bearers[n].append(position)
        # Arrays, not lists: 10M numbers (1M triples) as 4 bytes each rather than 36.
        trigrams: dict[str, array[int]] = defaultdict(_array)
        words: dict[str, array[int]] = defaultdict(_array)
        chars: dict[str, array[int]] = defaultdict(_array)
        for name, n in number.items():
            padded = f" {name} "
            for gram in {padded[i : i + 3] for i in range(len(padded) - 2)}:
                trigrams[gram].append(n)
            for word in set(name.split()):
                words[word].append(n)
            for c, count in Counter(name).items():
                for k in range(1, count + 1):
                    chars[c * k].append(n)
        return cls(
            list(number),
            [tuple(b) for b in bearers],
            *({key: _bytes(a) for key, a in p.items()} for p in (trigrams, words, chars)),
        )

    def plain(self) -> Plain:
        return self.names, self.positions, self._trigrams, self._words, self._chars

    @classmethod
    def from_plain(cls, plain: Plain) -> Shapes:
        names, positions, trigrams, words, chars = plain
        return cls(list(names), list(positions), trigrams, words, chars)

    def near(self, q: str, most: int | None) -> list[int]:
        """Numbers of the names sharing trigrams with ``q``, the most shared first; at most
        ``most`` of them (None: all)."""
        counts: Counter[int] = Counter()
        for gram in grams(q):
            posting = self._trigrams.get(gram)
            if posting is not None:
                counts.update(_numbers(posting))
        return [n for n, _ in counts.most_common(most)]

    def reaching(self, q: str, least: float) -> set[int] | None:
        """Numbers of every name whose bound on ``similarity`` to ``q`` (folded, non-empty) may
        be ``least`` or more; None when that may be a good part of all names (``least`` too
        low: bounding every name then costs less than finding which)."""
        many = len(self.names) // FEW
        if least <= EPS:
            return None
        found: set[int] = set()
        q_words = q.split()
        k = len(q_words)
        # The words' part: the mean of the best word ratios, times ``multiplier``, reaches
        # ``least`` only if one ratio reaches least / multiplier, at most least / (0.6 + 0.3k).
        parts = [(Counter(w), len(w)) for w in q_words]
        lowest = least / multiplier(k, 1) - EPS
        for word, posting in self._words.items():
            best = max(bound(c, n, word) for c, n in parts)
            if best < lowest:
                continue
            for number in _numbers(posting):
                n = self.names[number].count(" ") + 1
                if best >= least / multiplier(k, n) - EPS:
                    found.add(number)
            if len(found) > many:
                return None
        # The whole name: 2 * shared / (|q| + L) >= least needs L within [low, high] and, for
        # the shortest such L, ``need`` of the query's counted characters: any name sharing
        # that many has one of the ``len(tokens) - need + 1`` rarest.
        size = len(q)
        low = max(1, math.ceil(least * size / (2 - least) - 1e-6))
        high = math.floor(size * (2 - least) / least + 1e-6)
        need = max(1, math.ceil(least * (size + low) / 2 - 1e-6))
        if need > size:
            return found
        tokens = [c * k for c, count in Counter(q).items() for k in range(1, count + 1)]
        tokens.sort(key=lambda t: len(self._chars.get(t, b"")))
        rarest = tokens[: size - need + 1]
        if sum(len(self._chars.get(t, b"")) for t in rarest) // 4 > SCAN * len(self.names):
            return None  # looking through them would cost more than bounding every name
        names = self.names
        maybe = {
            number
            for token in rarest
            for number in _numbers(self._chars.get(token, b""))
            if low <= len(names[number]) <= high
        }
        maybe -= found
        if len(maybe) > many:
            return None
        whole = Counter(q)
        found.update(n for n in maybe if bound(whole, size, names[n]) >= least - EPS)
        return found


def _array() -> array[int]:
    return array("I")


def _numbers(posting: bytes) -> array[int]:
    numbers = array("I")
    numbers.frombytes(posting)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers


def _bytes(numbers: array[int]) -> bytes:
    """Little-endian bytes of 32-bit numbers, whatever the machine's order."""
    if sys.byteorder != "little":
        numbers = array("I", numbers)
        numbers.byteswap()
    return numbers.tobytes()


__all__ = ["EPS", "Shapes", "bound", "grams", "multiplier"]
