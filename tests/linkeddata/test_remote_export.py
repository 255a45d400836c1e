"""The tests of test_export.py, run again with the bundled graph in Oxigraph
server and in Virtuoso behind leongraph (engine/remote.py)."""

from __future__ import annotations

from conftest import over_remote_store
from test_export import *  # noqa: F403

remote_store, store, derived, client, private_store = over_remote_store()

# The command line over a remote engine: tests/cli/test_remote_cli.py.
del test_cli_export_matches_http  # noqa: F821
