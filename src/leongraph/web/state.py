"""What one app holds: its settings, its store, the query executor, and what is derived from the
data (the linked-data publication, the reconciliation name index), built on first use and
dropped whenever the data changes."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import anyio

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.linkeddata.publication import Publication
from leongraph.sparql.pipeline import QueryPipeline
from leongraph.sparql.workers import Executor
from leongraph.wikidata.matching import Index, build_index

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection


class Derived:
    """Everything computed from one version of the data. Each part is built once, under a lock
    (an index of a large store takes seconds), by the first request that needs it."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()

    @functools.cached_property
    def publication(self) -> Publication:
        with self._lock:
            return self.__dict__.get("publication") or Publication.build(self.settings, self.store)

    @functools.cached_property
    def reconciliation_index(self) -> Index:
        with self._lock:
            return self.__dict__.get("reconciliation_index") or build_index(self.store)


@dataclass(eq=False)
class AppState:
    """The one object a route reaches through ``app_state(request)``."""

    settings: Settings
    store: Store
    executor: Executor
    pipeline: QueryPipeline
    derived: Derived
    #: One update at a time, so the server's store and the workers' stay in step.
    update_lock: anyio.Lock = field(default_factory=anyio.Lock)

    def publication(self) -> Publication:
        return self.derived.publication

    def reconciliation_index(self) -> Index:
        return self.derived.reconciliation_index

    def data_changed(self) -> None:
        """The store was written to: validators, dates, VoID, exports, indexes and cached
        answers start over."""
        self.pipeline.data_changed()
        self.derived = Derived(self.settings, self.store)


class _HasState(Protocol):
    leongraph: AppState


def app_state(conn: HTTPConnection) -> AppState:
    """The state of the app serving ``conn``."""
    app: _HasState = conn.app
    return app.leongraph
