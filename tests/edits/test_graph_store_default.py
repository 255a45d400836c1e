"""The Graph Store Protocol on ``?default`` (the union of every graph): PUT replaces it and
DELETE clears it, with the rules of any edit: the graphs of the synopsis and the ontology need
an admin token, a stale If-Match gets 412. On an on-disk store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from leongraph.cli import main
from leongraph.config import Settings
from leongraph.edits.tokens import TokenFile
from leongraph.graph.opening import open_store
from leongraph.web.app import create_app

URL = "/graph-store?default"
BODY = b'<urn:leongraph:a> <urn:leongraph:b> "kept" .\n'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    root = tmp_path_factory.mktemp("default")
    assert main(["load", "--bundled", "--store", str(root / "store")]) == 0
    tokens = TokenFile(root / "tokens.json")
    editor, admin = tokens.create("alice"), tokens.create("root", "admin")
    settings = Settings(
        store_path=root / "store",
        edits=True,
        tokens_path=root / "tokens.json",
        validate_edits=False,
        max_edit_quads=10**6,
        workers=0,
    )
    with TestClient(create_app(settings, open_store(settings))) as c:
        yield c, editor, admin


def headers(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/n-triples", **more}


def ask(c: TestClient, text: str) -> bool:
    r = c.get("/sparql", params={"query": text}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def test_put_and_delete_on_default_need_admin(served: tuple[TestClient, str, str]) -> None:
    c, editor, _ = served
    assert c.put(URL, content=BODY).status_code == 401
    r = c.put(URL, content=BODY, headers=headers(editor))
    assert r.status_code == 403 and "admin" in r.text, r.text
    assert c.delete(URL, headers=headers(editor)).status_code == 403
    assert ask(c, "ASK { ?film a leon:Film }")  # nothing changed


def test_put_replaces_the_union_and_delete_clears_it(
    served: tuple[TestClient, str, str],
) -> None:
    c, _, admin = served
    stale = c.get(URL, headers={"Accept": "application/n-triples"}).headers["etag"]
    r = c.put(URL, content=BODY, headers=headers(admin))
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1 and r.json()["removed"] > 1000
    assert ask(c, 'ASK { <urn:leongraph:a> <urn:leongraph:b> "kept" }')
    assert not ask(c, "ASK { ?film a leon:Film }")
    assert (
        c.put(URL, content=BODY, headers=headers(admin, **{"If-Match": stale})).status_code == 412
    )
    r = c.delete(URL, headers=headers(admin, **{"If-Match": r.headers["etag"]}))
    assert r.status_code == 200 and r.json()["removed"] == 1, r.text
    assert not ask(c, "ASK { ?s ?p ?o }")
    # The history still records both edits (it is not part of the default graph).
    history = c.get("/history", headers={"Accept": "text/turtle"})
    assert history.status_code == 200 and "prov:Activity" in history.text
