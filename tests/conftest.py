"""Shared fixtures: the bundled dataset is built once; each engine gets a session-scoped store;
each test gets a fresh app from the factory."""

from __future__ import annotations

import re
import shutil
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
        self.kind = "oxigraph-server" if type(self) is EngineServer else "virtuoso"

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


class VirtuosoServer(EngineServer):
    """Virtuoso 7 (Debian's ``virtuoso-opensource``, installed by ``make virtuoso``) with the
    package's default configuration, its database in ``location`` and its two ports (SQL and
    HTTP) moved to free loopback ports; ``/sparql`` for queries and updates. At first start
    user SPARQL is granted SPARQL_UPDATE through isql (Virtuoso's endpoint is read-only until
    then). Skips the test, saying why, when Virtuoso is not installed."""

    def __init__(self, location: Path, *options: str) -> None:
        super().__init__(location, *options)
        self.sql_port = free_port()
        self.query = self.update = f"http://{self.bind}/sparql"
        self.config = location / "virtuoso.ini"

    def start(self) -> None:
        missing = [b for b in (VIRTUOSO, ISQL) if shutil.which(b) is None]
        if missing or not VIRTUOSO_INI.is_file():
            pytest.skip(f"Virtuoso is not installed ({' '.join(missing) or VIRTUOSO_INI} missing)")
        first = not self.config.exists()
        if first:
            self.location.mkdir(parents=True, exist_ok=True)
            self.config.write_text(virtuoso_ini(self.location, self.sql_port, self.port))
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(self.config)],
            cwd=self.location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(self.answers, 90, f"virtuoso on port {self.port}")
        if first:
            subprocess.run(
                [
                    ISQL,
                    f"127.0.0.1:{self.sql_port}",
                    "dba",
                    "dba",
                    'exec=GRANT SPARQL_UPDATE TO "SPARQL";',
                ],
                check=True,
                capture_output=True,
                timeout=30,
            )


VIRTUOSO, ISQL = "virtuoso-t", "isql-vt"
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def virtuoso_ini(location: Path, sql_port: int, http_port: int) -> str:
    """The package's virtuoso.ini with the database in ``location`` and the ports changed."""
    text = VIRTUOSO_INI.read_text()
    text = text.replace("/var/lib/virtuoso-opensource-7/db", str(location))
    text = re.sub(r"(?m)^(ServerPort\s*=\s*)1111\b", rf"\g<1>127.0.0.1:{sql_port}", text)
    return re.sub(r"(?m)^(ServerPort\s*=\s*)8890\b", rf"\g<1>127.0.0.1:{http_port}", text)


#: The remote engines the test_remote_* modules run against.
REMOTE_ENGINES = {"oxigraph-server": EngineServer, "virtuoso": VirtuosoServer}


def engine_server(
    location: Path, *options: str, kind: str = "oxigraph-server"
) -> Iterator[EngineServer]:
    server = REMOTE_ENGINES[kind](location, *options)
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


@pytest.fixture(scope="session", params=list(REMOTE_ENGINES))
def remote_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EngineServer]:
    """Each remote engine holding the bundled graph, loaded through ``leongraph load``."""
    if request.param == "oxigraph-server":
        yield request.getfixturevalue("oxigraph_server")
        return
    for server in engine_server(tmp_path_factory.mktemp(request.param), kind=request.param):
        load_bundled(server)
        yield server


def load_bundled(server: EngineServer) -> RemoteStore:
    """The bundled graph written into ``server`` by ``leongraph load``, and the store over it."""
    assert (
        main(["load", "--bundled", "--store", server.query, "--store-update", server.update]) == 0
    )
    return RemoteStore.open(server.query, server.update)


def over_remote_store() -> tuple[object, ...]:
    """``store``, ``derived``, ``client`` and ``private_store`` over each remote engine
    (Oxigraph server, Virtuoso), for a module that imports another's tests to run them again
    on a remote engine: ``store, derived, client, private_store = over_remote_store()``."""

    @pytest.fixture(scope="module", name="remote_store")
    def remote_store_(remote_engine: EngineServer) -> Store:
        return RemoteStore.open(remote_engine.query, remote_engine.update)

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
    def private_store_(tmp_path: Path, remote_engine: EngineServer) -> Iterator[Store]:
        """A fresh engine of the same kind holding the bundled graph, that a test may change."""
        for server in engine_server(tmp_path / "engine", kind=remote_engine.kind):
            yield load_bundled(server)

    return remote_store_, store_, derived_, client_, private_store_


#: Where Virtuoso still answers otherwise than the embedded engine (strict, so that a fix
#: shows up, except where its answer varies from run to run).
VIRTUOSO_DIFFERS = {
    "17-describe-mathilda": "DESCRIBE: Virtuoso adds the triples pointing at the resource",
    "19-events-per-character": "ORDER BY ties and language-tagged names: order not stable",
    "24-characters-without-actor": "ORDER BY on language-tagged names: order not stable",
    "test_query_multiple_dataset": "FROM with FROM NAMED: Virtuoso's dataset differs",
    "test_bad_query_syntax": "no column for a syntax error (cases without one pass: not stable)",
    "test_bad_update_syntax": "no column for a syntax error (cases without one pass: not stable)",
    "test_update_when_enabled": "a new named graph is seen within the graph list's 5 s",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "[virtuoso" not in item.name:
            continue
        for what, reason in VIRTUOSO_DIFFERS.items():
            if what in item.name:
                stable = "not stable" not in reason  # the others sometimes pass
                item.add_marker(pytest.mark.xfail(reason=f"Virtuoso: {reason}", strict=stable))
