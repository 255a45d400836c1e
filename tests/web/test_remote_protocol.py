"""The protocol tests of test_sparql_endpoint.py, run again with the bundled graph in Oxigraph
server and in Virtuoso behind leongraph (engine/remote.py): status codes, formats, errors,
refusals, the row cap, the label service and updates carry over to a remote engine."""

from __future__ import annotations

from conftest import over_remote_store
from test_sparql_endpoint import *  # noqa: F403

remote_store, store, derived, client, private_store = over_remote_store()
