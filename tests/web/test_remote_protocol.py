"""The protocol tests of test_sparql_endpoint.py, run again with the bundled graph in Oxigraph
server behind leongraph (engine/remote.py): status codes, formats, errors, refusals, the row
cap and the label service carry over to a remote engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import engine_server
from fastapi.testclient import TestClient
from test_sparql_endpoint import *  # noqa: F403

from leongraph.cli import main
from leongraph.config import Settings
from leongraph.engine import RemoteStore, Store
from leongraph.web.app import create_app
from leongraph.web.state import Derived


@pytest.fixture(scope="module")
def store(remote_store: Store) -> Store:
    return remote_store


@pytest.fixture(scope="module")
def derived(settings: Settings, remote_store: Store) -> Derived:
    return Derived(settings.replace(engine=remote_store.engine), remote_store)


@pytest.fixture
def client(settings: Settings, remote_store: Store, derived: Derived) -> Iterator[TestClient]:
    app = create_app(settings.replace(engine=remote_store.engine), remote_store, derived=derived)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def private_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh Oxigraph server holding the bundled graph, that a test may change."""
    for server in engine_server(tmp_path / "engine"):
        assert (
            main(["load", "--bundled", "--store", server.query, "--store-update", server.update])
            == 0
        )
        yield RemoteStore.open(server.query, server.update)
