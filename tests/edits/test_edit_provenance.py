"""Every fact cites a sentence of the synopsis, or an edit: on an on-disk store with an edit,
`leongraph coverage --store` lists the edit's graph with its facts, and a resource page links
each fact to the sentence that states it or the edit that added it."""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leongraph.cli import main
from leongraph.config import Settings
from leongraph.edits.tokens import TokenFile
from leongraph.graph.opening import open_store
from leongraph.web.app import create_app


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("provenance") / "store"
    assert main(["load", "--bundled", "--store", str(path)]) == 0
    return path


@dataclass
class Edited:
    """What the server answered while it ran; the store is closed afterwards."""

    plant: int = 0
    two: int = 0
    page: str = ""


@pytest.fixture(scope="module")
def edited(store_dir: Path) -> Edited:
    tokens = store_dir.parent / "tokens.json"
    secret = TokenFile(tokens).create("alice")
    settings = Settings(
        store_path=store_dir, edits=True, tokens_path=tokens, validate_edits=False, workers=0
    )
    out = Edited()
    with TestClient(create_app(settings, open_store(settings))) as c:

        def edit(text: str, summary: str) -> int:
            auth = {"Authorization": f"Bearer {secret}", "X-Edit-Summary": summary}
            r = c.post("/sparql", data={"update": text}, headers=auth)
            assert r.status_code == 200, r.text
            return int(r.json()["number"])

        out.plant = edit('INSERT DATA { res:leon rdfs:comment "Waters his plant."@en }', "plant")
        out.two = edit('INSERT DATA { res:leon rdfs:comment "One."@en , "Two."@en }', "two")
        out.page = c.get("/resource/leon", headers={"Accept": "text/html"}).text
    gc.collect()  # the store closes: `coverage --store` opens it read-only
    return out


def test_fact_rows_link_their_sentence_or_their_edit(edited: Edited) -> None:
    row = re.search(r"<li>Waters his plant\.[^\n]*</li>", edited.page)
    assert row, "the edited fact is on the page"
    assert f'href="/history/{edited.plant}"' in row.group(0)
    assert f"[edit {edited.plant}]" in row.group(0) and "[s" not in row.group(0)
    label = re.search(r"<li>Leon[^\n]*</li>", edited.page)
    assert label and 'href="/sentence/' in label.group(0) and "/history/" not in label.group(0)


def test_coverage_lists_edit_graphs(
    edited: Edited, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["sentence", "facts", "total"]
    header = next(i for i, line in enumerate(out) if line.split()[:2] == ["edit", "facts"])
    assert out[header - 1].startswith("45 of 45 sentences cite ")
    rows = {int(line.split()[0]): line for line in out[header + 1 : -1]}
    assert rows[edited.two].split()[1] == "2"
    assert rows[edited.two].endswith("two (alice)")
    assert rows[edited.plant].endswith("plant (alice)")
    assert re.fullmatch(r"\d+ edit graphs hold \d+ facts", out[-1])
