"""Shared fixtures: the bundled dataset is built once; each engine gets a session-scoped store;
each test gets a fresh app from the factory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset

from leongraph.app import create_app
from leongraph.config import ENGINES, Settings
from leongraph.loader import build_dataset
from leongraph.store import Store


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    return build_dataset(settings.project_root)


@pytest.fixture(scope="session", params=ENGINES)
def store(request: pytest.FixtureRequest, dataset: Dataset) -> Store:
    """The bundled graph behind each engine: every test that uses it runs on both."""
    return Store.from_dataset(dataset, engine=request.param)


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings.replace(engine=store.engine), store)) as c:
        yield c
