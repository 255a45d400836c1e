"""The query page's HTTP side: the HTML shell, its assets, /api/config and /api/examples.
What the page does in a browser is tested in test_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.formats import RdfFormat, ResultsFormat
from leongraph.graph import open_store
from leongraph.sparql import examples
from leongraph.vocab import PREFIXES
from leongraph.web.app import create_app
from leongraph.web.routes.query_page import CONTENT_SECURITY_POLICY, STATIC_DIR


def test_page_is_html_with_versioned_local_assets(client: TestClient) -> None:
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    html = response.text
    assert "{{" not in html
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {a.split("?")[0] for a in assets} == {
        "/static/app.js",
        "/static/query.css",
        "/static/favicon.svg",
    }
    for asset in assets:
        assert re.search(r"\?v=[0-9a-f]{10}$", asset), asset
        assert client.get(asset).status_code == 200


def test_every_link_of_the_page_answers(client: TestClient) -> None:
    html = client.get("/").text
    links = set(re.findall(r'href="(/[^"]*)"', html))
    assert {"/sparql", "/ontology", "/resource/leon-the-professional"} <= links
    for link in links:
        response = client.get(link, headers={"Accept": "text/html,*/*;q=0.8"})
        assert response.status_code == 200, link


def test_page_references_nothing_outside_the_server() -> None:
    """No CDN, no external font: every asset URL in the shell, CSS and JS is local."""
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r"""(?:src=|href=|url\(|@import\s|from\s)["']?(https?:)?//""", text):
            pytest.fail(f"{path.name} loads a remote resource ({url}//...)")
        assert "fonts.googleapis" not in text and "cdn" not in text.lower(), path.name


def test_page_respects_root_path(settings: Settings, store: Store) -> None:
    # The prefix reaches the app the way uvicorn --root-path passes it: in the ASGI scope.
    with TestClient(create_app(settings, store), root_path="/leon") as client:
        html = client.get("/").text
        config = client.get("/api/config").json()
    assert 'data-root="/leon"' in html
    assert 'src="/leon/static/app.js?v=' in html
    assert config["endpoint"] == "/leon/sparql"


def test_every_module_the_page_imports_is_served(client: TestClient) -> None:
    """The JS modules import each other by relative path; each import must resolve."""
    seen: set[str] = set()
    todo = ["app.js"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/javascript")
        todo += re.findall(r'from "\./([a-z-]+\.js)"', response.text)
    assert {"app.js", "editor.js", "highlight.js", "graph.js", "views.js"} <= seen


def test_static_is_cached_by_etag(client: TestClient) -> None:
    first = client.get("/static/query.css")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/css")
    again = client.get("/static/query.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    "name",
    ["../config.py", "..%2Fconfig.py", "query.html", "nope.js", "APP.JS", ".hidden.js"],
)
def test_static_refuses_anything_but_its_assets(client: TestClient, name: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_favicon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_config_shows_the_limits_of_the_running_server(settings: Settings, store: Store) -> None:
    app = create_app(settings.replace(timeout=2.5, max_rows=123), store)
    with TestClient(app) as client:
        config = client.get("/api/config").json()
    assert config["timeout"] == 2.5
    assert config["max_rows"] == 123
    assert config["engine"] == store.engine
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    assert [f["name"] for f in config["results_formats"]] == [f.name for f in ResultsFormat.all()]
    assert [f["name"] for f in config["graph_formats"]] == [f.name for f in RdfFormat.all()]


def test_examples_are_the_files_of_queries(client: TestClient, settings: Settings) -> None:
    served = client.get("/api/examples").json()
    on_disk = examples.load_examples(settings.project_root / "queries")
    assert [e["id"] for e in served] == [e.name for e in on_disk]
    for entry, example in zip(served, on_disk, strict=True):
        assert entry["title"] == example.title and entry["title"]
        assert entry["description"] == example.description and entry["description"]
        assert entry["query"] == example.path.read_text(encoding="utf-8")


def test_examples_from_another_project_root(tmp_path: Path, store: Store) -> None:
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "01-one.rq").write_text(
        "# title: One\n# description: The first\n#   of two.\nASK {}\n", encoding="utf-8"
    )
    (tmp_path / "queries" / "02-two.rq").write_text(
        "# title: Two\n# description: Second\nSELECT * {}\n", encoding="utf-8"
    )
    with TestClient(create_app(Settings(project_root=tmp_path), store)) as client:
        served = client.get("/api/examples").json()
    assert [(e["id"], e["title"], e["description"]) for e in served] == [
        ("01-one", "One", "The first of two."),
        ("02-two", "Two", "Second"),
    ]
    assert served[0]["query"].endswith("ASK {}\n")


def test_a_custom_store_gets_no_leon_examples(tmp_path: Path) -> None:
    from leongraph.engine import load_files

    data = tmp_path / "films.nt"
    data.write_text('<urn:film:1> <urn:title> "Film" .\n', encoding="utf-8")
    load_files(tmp_path / "store", [data])
    settings = Settings(store_path=tmp_path / "store", workers=0)
    with TestClient(create_app(settings, open_store(settings))) as client:
        assert client.get("/api/examples").json() == []


def test_an_on_disk_store_ships_its_own_queries(tmp_path: Path) -> None:
    from leongraph.engine import load_files

    data = tmp_path / "films.nt"
    data.write_text('<urn:film:1> <urn:title> "Film" .\n', encoding="utf-8")
    load_files(tmp_path / "store", [data])
    (tmp_path / "store" / "queries").mkdir()
    (tmp_path / "store" / "queries" / "01-titles.rq").write_text(
        "# title: Titles\n# description: Every title.\nSELECT ?t { ?f <urn:title> ?t }\n",
        encoding="utf-8",
    )
    settings = Settings(store_path=tmp_path / "store", workers=0)
    with TestClient(create_app(settings, open_store(settings))) as client:
        served = client.get("/api/examples").json()
    assert [(e["id"], e["title"]) for e in served] == [("01-titles", "Titles")]


def test_a_store_with_the_leon_graph_gets_the_leon_examples(tmp_path: Path) -> None:
    from leongraph.cli.main import main

    assert main(["load", "--bundled", "--store", str(tmp_path / "store")]) == 0
    settings = Settings(store_path=tmp_path / "store", workers=0)
    with TestClient(create_app(settings, open_store(settings))) as client:
        served = client.get("/api/examples").json()
    assert served and served[0]["id"] == "01-cast"
