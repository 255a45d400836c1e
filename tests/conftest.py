"""Shared fixtures: the bundled dataset is built once; each engine gets a session-scoped store;
each test gets a fresh app from the factory."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset

from leongraph.config import ENGINES, Settings
from leongraph.engine import Store, from_dataset
from leongraph.graph.loading import build_dataset
from leongraph.web.app import create_app
from leongraph.web.state import Derived


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    return build_dataset(settings.project_root)


@pytest.fixture(scope="session", params=ENGINES)
def store(request: pytest.FixtureRequest, dataset: Dataset) -> Store:
    """The bundled graph behind each engine: every test that uses it runs on both."""
    return from_dataset(dataset, engine=request.param)


@pytest.fixture(scope="session")
def derived(settings: Settings, store: Store) -> Derived:
    """What is computed from the data of each engine's store, shared by the apps over it."""
    return Derived(settings.replace(engine=store.engine), store)


@pytest.fixture
def client(settings: Settings, store: Store, derived: Derived) -> Iterator[TestClient]:
    app = create_app(settings.replace(engine=store.engine), store, derived=derived)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def oxigraph(dataset: Dataset) -> Store:
    """The bundled graph in Oxigraph alone, for what only that engine has (statistics)."""
    return from_dataset(dataset, engine="oxigraph")


def _wait_until(condition: Callable[[], object], timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting {timeout:g} s for {what or condition}"
        time.sleep(0.01)


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """Waits for a condition to hold (failing after ``timeout`` seconds), never a fixed time."""
    return _wait_until
