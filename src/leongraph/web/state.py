"""What one app holds: its settings, its store, the query executor, and what is derived from the
data (the linked-data publication, the reconciliation name index), built on first use and
dropped whenever the data changes.

A remote engine's data may change behind leongraph's back (another front, a direct write): a
background thread (``AppState.watch``) asks the engine for its fingerprint (graph sizes,
remote.py) every ``REFRESH`` seconds and, when it changed, builds the new derived state and
only then swaps it in. Derived state is thus at most ``REFRESH`` seconds stale, plus the time
to rebuild it, and no request ever waits on the engine for it: the event loop reads only
derived state already built (an ETag is one attribute read)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import anyio

from leongraph.config import Settings
from leongraph.edits.auth import Gate
from leongraph.edits.editor import Editor
from leongraph.engine import RemoteStore, Store
from leongraph.linkeddata.publication import Publication
from leongraph.linkeddata.void import Counts, counts
from leongraph.sparql.pipeline import QueryPipeline
from leongraph.sparql.workers import Executor
from leongraph.wikidata.matching import Index, build_index
from leongraph.wikidata.stored import open_index

#: Seconds between two checks that a remote engine's data is still what was derived from.
REFRESH = 5.0

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection


class Derived:
    """Everything computed from one version of the data. Each part is built once, under its own
    lock (an index of a large store takes seconds), by the first request that needs it: the
    validators every request reads (``publication``) never wait for the name index."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()

    @functools.cached_property
    def publication(self) -> Publication:
        with self._lock:
            return self.__dict__.get("publication") or Publication.build(self.settings, self.store)

    @functools.cached_property
    def reconciliation_index(self) -> Index:
        with self._index_lock:
            # An on-disk store opens with the index `leongraph load` wrote, if still current.
            return (
                self.__dict__.get("reconciliation_index")
                or open_index(self.settings.store_path, self.store)
                or build_index(self.store)
            )

    @functools.cached_property
    def counts(self) -> Counts:
        return counts(self.store)

    @property
    def index_ready(self) -> bool:
        return "reconciliation_index" in self.__dict__

    def built(self) -> Derived:
        """This state with its publication built (a fingerprint and a query: run it off the
        event loop), so that swapping it in costs a request nothing."""
        self.publication  # noqa: B018 -- a cached property: built here, read for free after
        return self


@dataclass(eq=False)
class AppState:
    """The one object a route reaches through ``app_state(request)``."""

    settings: Settings
    store: Store
    executor: Executor
    pipeline: QueryPipeline
    derived: Derived
    #: With edits enabled: the editor of the store and the check of tokens.
    editor: Editor | None = None
    gate: Gate | None = None

    @property
    def update_lock(self) -> anyio.Lock:
        """One update at a time, so the server's store and the workers' stay in step."""
        return self.executor.update_lock

    def publication(self) -> Publication:
        return self.derived.publication

    async def ready_publication(self) -> Publication:
        """The publication, for the event loop: read at once when built (from the first
        moments on), else built, or waited for, in a thread."""
        derived = self.derived
        built = derived.__dict__.get("publication")
        if built is None:
            built = (await anyio.to_thread.run_sync(derived.built)).publication
        return built

    def reconciliation_index(self) -> Index:
        return self.derived.reconciliation_index

    async def data_changed(self) -> None:
        """The store was written to: cached answers go at once; validators, dates, VoID,
        exports and indexes start over, the new publication built in a thread before the
        writer is answered (so it reads its own write, and the event loop hashes nothing)."""
        self.pipeline.data_changed()
        self.derived = await anyio.to_thread.run_sync(Derived(self.settings, self.store).built)

    def watch(self, stop: threading.Event) -> None:
        """Until ``stop``: every ``REFRESH`` seconds, the remote engine's fingerprint; when it is
        not the one derived state was built from, derived state built anew, then swapped in
        (runs in a thread of its own)."""
        while isinstance(self.store, RemoteStore) and not stop.wait(REFRESH):
            try:
                if self.store.fingerprint() != self.derived.publication.fingerprint:
                    self.pipeline.data_changed()
                    self.derived = Derived(self.settings, self.store).built()
            except Exception:  # an engine down or failing: /healthz says so; keep watching
                continue


class _HasState(Protocol):
    leongraph: AppState


def app_state(conn: HTTPConnection) -> AppState:
    """The state of the app serving ``conn``."""
    app: _HasState = conn.app
    return app.leongraph
