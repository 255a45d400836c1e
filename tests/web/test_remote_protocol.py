"""The protocol tests of test_sparql_endpoint.py, run again with the bundled graph in Oxigraph
server and in Virtuoso behind leongraph (engine/remote.py): status codes, formats, errors,
refusals, the row cap, the label service and updates carry over to a remote engine."""

from __future__ import annotations

from conftest import over_remote_store
from test_sparql_endpoint import *  # noqa: F403
from test_sparql_endpoint import app_client

from leongraph.engine import Store

remote_store, store, derived, client, private_store = over_remote_store()


def test_update_when_enabled(private_store: Store, token) -> None:  # type: ignore[no-redef]
    """Over a remote engine an update with a token goes to the engine as it is (204; the
    engine keeps no history) and every later query sees it."""
    graph = "https://w3id.org/leongraph/graph/test-update"
    ask = f"ASK {{ GRAPH <{graph}> {{ <urn:a> <urn:b> ?o }} }}"
    settings = {"allow_updates": True, "tokens_path": token["tokens_path"]}
    with app_client(private_store, **settings) as c:
        insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "1" }} }}'
        assert c.post("/sparql", data={"update": insert}).status_code == 401
        assert (
            c.post("/sparql", data={"update": insert}, headers=token["headers"]).status_code == 204
        )
        assert c.get("/sparql", params={"query": ask}).json()["boolean"] is True
        delete = f'DELETE DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "1" }} }}'
        headers = {"Content-Type": "application/sparql-update", **token["headers"]}
        assert c.post("/sparql", content=delete.encode(), headers=headers).status_code == 204
        assert c.get("/sparql", params={"query": ask}).json()["boolean"] is False
