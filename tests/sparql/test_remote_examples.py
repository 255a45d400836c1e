"""The tests of test_examples.py, run again with the bundled graph in Oxigraph
server and in Virtuoso behind leongraph (engine/remote.py)."""

from __future__ import annotations

from conftest import over_remote_store
from test_examples import *  # noqa: F403

remote_store, store, derived, client, private_store = over_remote_store()
