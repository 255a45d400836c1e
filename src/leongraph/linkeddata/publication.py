"""What the linked-data side derives once from the loaded (read-only) graph: a fingerprint and a
modification time for conditional requests, the JSON-LD context, the VoID statistics and the
serialised exports. Built on first use and dropped when the data changes (web/state.py)."""

from __future__ import annotations

import difflib
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from rdflib import URIRef

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.graph.loading import bundled_files
from leongraph.linkeddata.describe import Index, build_index
from leongraph.linkeddata.serialize import JsonLdContext, build_context
from leongraph.linkeddata.void import VoidStats, compute_stats


def fingerprint(store: Store) -> str:
    """SHA-256 of the sorted quads, the same in every worker and across restarts for the same
    data (Store.fingerprint; an on-disk store recorded it at load, so start-up reads nothing)."""
    return store.fingerprint()


def data_mtime(settings: Settings) -> datetime:
    """When the served data last changed: the newest bundled file, or the on-disk store; for
    a remote engine, when leongraph first saw this version of its data."""
    if settings.store_url is not None:
        return datetime.now(UTC).replace(microsecond=0)
    if settings.store_path is not None:
        paths = [settings.store_path, *Path(settings.store_path).glob("*")]
    else:
        paths = [p for p, _ in bundled_files(settings.project_root)]
    stamps = [p.stat().st_mtime for p in paths if p.exists()]
    moment = datetime.fromtimestamp(max(stamps), UTC) if stamps else datetime.now(UTC)
    return moment.replace(microsecond=0)


CACHE_ENTRIES = 256


@dataclass
class Publication:
    store: Store
    settings: Settings
    fingerprint: str
    last_modified: datetime
    context: JsonLdContext
    _void: VoidStats | None = None
    _cache: OrderedDict[tuple[str, ...], bytes] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, settings: Settings, store: Store) -> Publication:
        return cls(store, settings, fingerprint(store), data_mtime(settings), build_context(store))

    @property
    def http_date(self) -> str:
        return format_datetime(self.last_modified, usegmt=True)

    @functools.cached_property
    def index(self) -> Index:
        """Labels and sentence texts of the whole graph."""
        return build_index(self.store)

    @functools.cached_property
    def subjects(self) -> frozenset[str]:
        """Every IRI that is the subject of a triple (for near-name suggestions)."""
        return frozenset(str(s) for s, _, _, _ in self.store.quads() if isinstance(s, URIRef))

    def near(self, prefix: str, name: str) -> list[tuple[str, str]]:
        """Up to five IRIs under ``prefix`` whose local name or label is close to ``name``
        (difflib), as (IRI, label), for 404 suggestions."""
        names: dict[str, tuple[str, str]] = {}
        for iri in sorted(self.subjects | set(self.store.graph_sizes())):
            if not iri.startswith(prefix):
                continue
            slug = iri[len(prefix) :]
            label = self.index.labels.get(URIRef(iri))
            names.setdefault(slug.lower(), (iri, label or slug))
            if label:
                names.setdefault(label.lower(), (iri, label))
        close = difflib.get_close_matches(name.lower(), list(names), n=8, cutoff=0.5)
        return list(dict.fromkeys(names[c] for c in close))[:5]

    @property
    def void_stats(self) -> VoidStats:
        if self._void is None:
            self._void = compute_stats(self.store)
        return self._void

    def cached(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        """Serialise once per key (the data never changes while served)."""
        body = self.lookup(key)
        if body is None:
            body = make()
            self.remember(key, body)
        return body

    def lookup(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        return None

    def remember(self, key: tuple[str, ...], body: bytes) -> None:
        """Keep the most recently used CACHE_ENTRIES answers: keys may hold client input
        (the Host a VoID document names), so the cache must not grow without bound."""
        with self._lock:
            self._cache[key] = body
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
