"""Shared fixtures: the bundled dataset is built once; each engine gets a session-scoped store;
each test gets a fresh app from the factory."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset
from support import free_port

from leongraph.cli import main
from leongraph.config import ENGINES, Settings
from leongraph.engine import RemoteStore, Store, from_dataset
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


# ---------------------------------------------------------------- a remote engine


class EngineServer:
    """Oxigraph server (the PyPI package ``oxigraph``) on a free loopback port, over a store
    directory of its own; ``stop()`` kills it, ``start()`` brings it back on the same data."""

    def __init__(self, location: Path, *options: str) -> None:
        self.location = location
        self.options = options
        self.port = free_port()
        self.bind = f"127.0.0.1:{self.port}"
        base = f"http://{self.bind}"
        self.query, self.update = f"{base}/query", f"{base}/update"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = Path(sys.executable).parent / "oxigraph"
        assert binary.exists(), "the oxigraph server is a dev dependency: make setup"
        self.process = subprocess.Popen(
            [
                str(binary),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                self.bind,
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(self.answers, 20, f"oxigraph server on port {self.port}")

    def answers(self) -> bool:
        try:
            return httpx.get(self.query, params={"query": "ASK {}"}).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def engine_server(location: Path, *options: str) -> Iterator[EngineServer]:
    server = EngineServer(location, *options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineServer]:
    """Oxigraph server holding the bundled graph, loaded through ``leongraph load``."""
    for server in engine_server(tmp_path_factory.mktemp("oxigraph-server")):
        load_bundled(server)
        yield server


@pytest.fixture(scope="session")
def remote_store(oxigraph_server: EngineServer) -> Store:
    """The bundled graph in Oxigraph server, read through the protocol (engine/remote.py)."""
    return RemoteStore.open(oxigraph_server.query, oxigraph_server.update)


def load_bundled(server: EngineServer) -> RemoteStore:
    """The bundled graph written into ``server`` by ``leongraph load``, and the store over it."""
    assert (
        main(["load", "--bundled", "--store", server.query, "--store-update", server.update]) == 0
    )
    return RemoteStore.open(server.query, server.update)


def over_remote_store() -> tuple[object, ...]:
    """``store``, ``derived``, ``client`` and ``private_store`` over Oxigraph server, for a
    module that imports another's tests to run them again on a remote engine:
    ``store, derived, client, private_store = over_remote_store()``."""

    @pytest.fixture(scope="module", name="store")
    def store_(remote_store: Store) -> Store:
        return remote_store

    @pytest.fixture(scope="module", name="derived")
    def derived_(settings: Settings, remote_store: Store) -> Derived:
        return Derived(settings.replace(engine=remote_store.engine), remote_store)

    @pytest.fixture(name="client")
    def client_(settings: Settings, remote_store: Store, derived: Derived) -> Iterator[TestClient]:
        app = create_app(
            settings.replace(engine=remote_store.engine), remote_store, derived=derived
        )
        with TestClient(app) as c:
            yield c

    @pytest.fixture(name="private_store")
    def private_store_(tmp_path: Path) -> Iterator[Store]:
        """A fresh Oxigraph server holding the bundled graph, that a test may change."""
        for server in engine_server(tmp_path / "engine"):
            yield load_bundled(server)

    return store_, derived_, client_, private_store_
