"""After an edit the aligned public-vocabulary view follows, as at load: the derived triples
(wdt:, schema:, the leon: closure) go into the edit's graph beside the fact, and go again when
the fact is removed or the edit reverted. On an on-disk store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from leongraph.cli import main
from leongraph.config import Settings
from leongraph.edits.tokens import TokenFile
from leongraph.graph.opening import open_store
from leongraph.web.app import create_app

EDIT = "https://w3id.org/leongraph/edit/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    root = tmp_path_factory.mktemp("alignment")
    assert main(["load", "--bundled", "--store", str(root / "store")]) == 0
    secret = TokenFile(root / "tokens.json").create("alice")
    settings = Settings(
        store_path=root / "store",
        edits=True,
        tokens_path=root / "tokens.json",
        validate_edits=False,
        workers=0,
    )
    with TestClient(create_app(settings, open_store(settings))) as c:
        yield c, secret


def update(served: tuple[TestClient, str], text: str) -> dict[str, int]:
    c, secret = served
    r = c.post("/sparql", data={"update": text}, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200, r.text
    body: dict[str, int] = r.json()
    return body


def ask(served: tuple[TestClient, str], text: str) -> bool:
    r = served[0].get("/sparql", params={"query": text}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def test_an_added_fact_gets_its_aligned_view_in_the_edit_graph(
    served: tuple[TestClient, str],
) -> None:
    assert not ask(served, "ASK { res:x wdt:P22 res:y }")
    done = update(served, "INSERT DATA { res:x leon:father res:y }")
    assert done["added"] > 1  # the fact and what alignment derives from it
    graph = f"<{EDIT}{done['number']}>"
    assert ask(served, f"ASK {{ GRAPH {graph} {{ res:x wdt:P22 res:y ; schema:parent res:y }} }}")
    assert ask(served, "ASK { res:x wdt:P22 res:y }")
    # Removing the fact takes its aligned view with it.
    gone = update(served, "DELETE DATA { res:x leon:father res:y }")
    assert gone["removed"] == done["added"]
    assert not ask(served, "ASK { res:x wdt:P22 res:y }")
    assert not ask(served, "ASK { res:x schema:parent res:y }")


def test_a_revert_takes_the_aligned_view_back(served: tuple[TestClient, str]) -> None:
    done = update(served, "INSERT DATA { res:p leon:father res:q }")
    assert ask(served, "ASK { res:p wdt:P22 res:q }")
    c, secret = served
    r = c.post(f"/history/{done['number']}/revert", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 200 and r.json()["removed"] == done["added"], r.text
    assert not ask(served, "ASK { res:p wdt:P22 res:q }")
