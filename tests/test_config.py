from pathlib import Path

import pytest

from leongraph.config import Settings


def test_defaults() -> None:
    s = Settings()
    assert (s.engine, s.timeout, s.store_path, s.allow_updates) == ("oxigraph", 10.0, None, False)


def test_from_env_reads_prefixed_variables() -> None:
    s = Settings.from_env(
        {
            "LEONGRAPH_TIMEOUT": "2.5",
            "LEONGRAPH_MAX_ROWS": "7",
            "LEONGRAPH_ENGINE": "rdflib",
            "LEONGRAPH_ALLOW_UPDATES": "yes",
            "LEONGRAPH_STORE_PATH": "/tmp/x",
            "OTHER": "ignored",
        }
    )
    assert (s.timeout, s.max_rows, s.engine, s.allow_updates) == (2.5, 7, "rdflib", True)
    assert s.store_path == Path("/tmp/x")


def test_explicit_overrides_win_over_env() -> None:
    s = Settings.from_env({"LEONGRAPH_PORT": "9000"}, port=8123, host=None)
    assert s.port == 8123
    assert s.host == "127.0.0.1"


@pytest.mark.parametrize(
    "env",
    [
        {"LEONGRAPH_ENGINE": "blazegraph"},
        {"LEONGRAPH_TIMEOUT": "0"},
        {"LEONGRAPH_ALLOW_UPDATES": "perhaps"},
        {"LEONGRAPH_PORT": "eighty"},
    ],
)
def test_bad_values_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Settings.from_env(env)


def test_store_takes_a_directory_or_an_engine_url() -> None:
    remote = Settings.from_env(
        {"LEONGRAPH_STORE": "http://127.0.0.1:7878/query", "LEONGRAPH_STORE_UPDATE": "http://u/"}
    )
    assert (remote.store_url, remote.store_update_url, remote.store_path) == (
        "http://127.0.0.1:7878/query",
        "http://u/",
        None,
    )
    local = Settings.from_env({"LEONGRAPH_STORE": "/srv/leongraph"})
    assert (local.store_path, local.store_url) == (Path("/srv/leongraph"), None)
    with pytest.raises(ValueError, match="http"):
        Settings(store_url="ftp://engine/")
