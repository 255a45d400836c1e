"""The answer cache: serialised answers of queries, kept in a byte-bounded LRU.

The graph is read-only unless an update edits it, and the traffic of a public endpoint is
dominated by a few texts (pages, examples, shared links), so an answer computed once can be
served again without parsing or evaluating anything. The key is what selects the answer:

- the query text as the lexer sees it (lexer.tokens): comments and the whitespace between
  tokens dropped (a space is kept where anything separated two tokens, so ``1.5`` and ``1 .5``
  stay apart), after the label-service rewrite, so the Accept-Language it used is in it;
- the dataset (``default-graph-uri`` / ``named-graph-uri``, or the query's FROM clauses);
- the formats chosen (results and RDF) and the row cap;
- the data's generation: ``clear()`` (called when an update changes the data) starts a new
  one, and an answer computed under an older generation is never stored.

Answers cut by the row cap are not kept (a client may raise the cap), nor streamed answers
(longer than a frame, sparql/workers/stream.py), nor errors and timeouts (they raise, and
nothing is stored). Admission is by cost: when the cache is full, the
cheapest of the oldest entries makes room, and a new answer cheaper to compute than every one
of those is not admitted at all. One answer may use at most a quarter of the budget.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from leongraph.sparql.evaluation import Answer, Plan
from leongraph.sparql.lexer import Token, tokens

#: Bytes counted per entry beyond its body and key (the entry, its dict slots, the headers).
ENTRY_OVERHEAD = 400
#: The oldest entries among which the cheapest is evicted.
EVICTION_WINDOW = 16
#: The largest share of the budget one answer may take.
MAX_SHARE = 4
CACHE_HEADER = "X-Cache"


def normalise(text: str) -> str:
    """``text`` as the lexer sees it: tokens, one space where anything separated two.

    >>> normalise("SELECT  ?s # a comment\\n WHERE {?s ?p 1.5 }")
    'SELECT ?s WHERE {?s ?p 1.5 }'
    >>> normalise("ASK { ?s ?p 1 .5 }") != normalise("ASK { ?s ?p 1.5 }")
    True
    """
    return _joined(tokens(text))


def normalise_within(text: str, most: int) -> str | None:
    """``normalise(text)``, or None when the text holds more than ``most`` tokens (lexing
    stops there, so the work is bounded by ``most`` and the text's length).

    >>> normalise_within("ASK { ?s ?p ?o } # six tokens", 6), normalise_within("ASK {}", 2)
    ('ASK { ?s ?p ?o }', None)
    """
    found = list(itertools.islice(tokens(text), most + 1))
    return None if len(found) > most else _joined(found)


def _joined(toks: Iterable[Token]) -> str:
    parts: list[str] = []
    end = 0
    for tok in toks:
        if parts and tok.offset != end:
            parts.append(" ")
        parts.append(tok.text)
        end = tok.offset + len(tok.text)
    return "".join(parts)


@dataclass(frozen=True)
class Key:
    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    results_format: str | None
    graph_format: str | None
    max_rows: int

    @classmethod
    def of(cls, plan: Plan) -> Key:
        return cls(
            normalise(plan.text),
            plan.default_graphs,
            plan.named_graphs,
            plan.results_format,
            plan.graph_format,
            plan.max_rows,
        )

    def digest(self) -> str:
        fields = (self.text, self.default_graphs, self.named_graphs, self.results_format)
        return hashlib.sha256(
            repr((*fields, self.graph_format, self.max_rows)).encode("utf-8")
        ).hexdigest()[:16]


@dataclass
class Entry:
    answer: Answer  # as served on a hit (X-Cache: hit, ETag)
    size: int
    cost: float  # seconds the answer took to compute


class AnswerCache:
    """A byte-bounded LRU of answers (``max_bytes`` 0: off). ``fingerprint`` names the data
    (the first 16 characters of what it returns start every ETag; asked once per version of
    the data, on the first answer kept). Safe to call from several threads."""

    def __init__(self, max_bytes: int, fingerprint: Callable[[], str] = str) -> None:
        self.max_bytes = max(0, max_bytes)
        self._entries: collections.OrderedDict[Key, Entry] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._fingerprint = fingerprint
        self._named: tuple[int, str] | None = None  # (generation, fingerprint)
        self.bytes = 0
        self.generation = 0
        self.hits = 0
        self.misses = 0
        self.refused = 0  # answers not admitted (too large, too cheap, truncated, stale)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def etag(self, key: Key) -> str:
        """A weak validator of the answer to ``key`` over this version of the data."""
        generation = self.generation
        if self._named is None or self._named[0] != generation:
            name = self._fingerprint()
            if generation:  # edited since start: the generation tells the versions apart
                name = hashlib.sha256(f"{name}:{generation}".encode()).hexdigest()
            self._named = (generation, name[:16])
        return f'W/"{self._named[1]}-{key.digest()}"'

    def get(self, key: Key, *, count_miss: bool = True) -> Answer | None:
        """The cached answer (counted as a hit), or None (a miss)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += count_miss
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.answer

    def put(self, key: Key, answer: Answer, cost: float, generation: int) -> Answer:
        """Keep ``answer`` if it may be kept; the answer as served on this miss."""
        if generation != self.generation:  # the data changed meanwhile: no validator
            self.refused += 1
            return replace(answer, extra_headers=((CACHE_HEADER, "miss"),))
        etag = self.etag(key)
        served = replace(answer, extra_headers=((CACHE_HEADER, "miss"), ("ETag", etag)))
        if answer.truncated or answer.rest is not None:  # cut, or streamed (too long)
            self.refused += 1
            return served
        size = len(answer.body) + len(key.text) + ENTRY_OVERHEAD
        hit = replace(answer, extra_headers=((CACHE_HEADER, "hit"), ("ETag", etag)))
        with self._lock:
            if generation != self.generation or size > self.max_bytes // MAX_SHARE:
                self.refused += 1
                return served
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            while self.bytes + size > self.max_bytes:
                if not self._evict_one_cheaper_than(cost):
                    self.refused += 1
                    return served
            self._entries[key] = Entry(hit, size, cost)
            self.bytes += size
        return served

    def _evict_one_cheaper_than(self, cost: float) -> bool:
        """Evict the cheapest of the oldest entries, if it cost no more than ``cost``."""
        window = []
        for key, entry in self._entries.items():
            window.append((entry.cost, key))
            if len(window) >= EVICTION_WINDOW:
                break
        if not window:
            return False
        cheapest, key = min(window, key=lambda pair: pair[0])
        if cheapest > cost:
            return False
        self.bytes -= self._entries.pop(key).size
        return True

    def clear(self) -> None:
        """The data changed: every answer is stale, and so is any being computed now."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self.bytes = 0

    def stats(self) -> dict[str, object]:
        with self._lock:
            asked = self.hits + self.misses
            return {
                "enabled": self.enabled,
                "max_bytes": self.max_bytes,
                "bytes": self.bytes,
                "entries": len(self._entries),
                "hits": self.hits,
                "misses": self.misses,
                "refused": self.refused,
                "hit_rate": round(self.hits / asked, 4) if asked else 0.0,
            }
