"""Which store a settings object asks for: the bundled graph built in memory, an on-disk
Oxigraph store opened read-only (read-write with edits), or a remote SPARQL engine."""

from __future__ import annotations

from leongraph.config import Settings
from leongraph.engine import OxigraphStore, RemoteStore, Store, from_dataset
from leongraph.engine.editing import open_read_write
from leongraph.errors import DataError
from leongraph.graph.loading import build_dataset


def open_store(settings: Settings) -> Store:
    """The store ``settings`` name, loaded and ready to query. A remote engine is checked
    now: unreachable, or not a SPARQL endpoint, it is refused (EngineError)."""
    if settings.store_url is not None:
        return RemoteStore.open(
            settings.store_url, settings.store_update_url, timeout=settings.timeout
        )
    if settings.store_path is not None:
        if settings.engine != "oxigraph":
            raise DataError(
                "an on-disk store is served by the oxigraph engine only",
                path=str(settings.store_path),
            )
        if settings.edits:
            return open_read_write(settings.store_path)
        return OxigraphStore.open_read_only(settings.store_path)
    return from_dataset(build_dataset(settings.project_root), engine=settings.engine)
