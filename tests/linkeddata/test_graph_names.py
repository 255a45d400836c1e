"""Every named graph the README and ``export --help`` show is one a user can ask for: by the
CLI (``export --graph NAME``), by ``/export/leon.ttl?graph=NAME`` and at ``/graph/NAME``."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from leongraph.cli.main import main
from leongraph.config import PROJECT_ROOT
from leongraph.vocab import VOID


def _readme_names() -> set[str]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`graph/([\w-]+)`", text))
    for line in text.splitlines():
        if "short name" in line or "`/graph/<name>`" in line:
            tail = line.split("short name")[-1]
            names |= set(re.findall(r"`(sentence/\d+|[a-z][a-z-]*)`", tail))
    names -= {"ttl", "nt", "jsonld", "rdf", "trig", "nq", "N", "name"}
    return names


def _help_names(capsysbinary: pytest.CaptureFixture[bytes]) -> set[str]:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsysbinary.readouterr().out.decode().split())
    inside = re.search(r"short name \(([^)]*)\)", out)
    assert inside, out
    return {n.strip() for n in inside.group(1).split(";")[0].split(",")}


README_NAMES = sorted(_readme_names())


def test_the_documents_name_graphs() -> None:
    assert {"ontology", "leon", "sentences", "void"} <= set(README_NAMES)


@pytest.mark.parametrize("name", README_NAMES)
def test_each_readme_graph_name_exports_and_dereferences(client: TestClient, name: str) -> None:
    r = client.get("/export/leon.ttl", params={"graph": name})
    assert r.status_code == 200, (name, r.text)
    assert len(Graph().parse(data=r.text, format="turtle")) > 0
    path = f"/{name}" if name.startswith("sentence/") else f"/graph/{name}"
    page = client.get(path + ".ttl")
    assert page.status_code == 200, (name, page.text)
    assert Graph().parse(data=page.text, format="turtle")
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 200


def test_each_export_help_graph_name_works(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    names = _help_names(capsysbinary)
    assert {"ontology", "void", "sentence/12"} <= names
    for name in sorted(names):
        assert main(["export", "--format", "nt", "--graph", name]) == 0, name
        assert capsysbinary.readouterr().out.strip(), name


def test_graph_void_is_the_void_description_of_the_export(client: TestClient) -> None:
    g = Graph().parse(data=client.get("/graph/void.ttl").text, format="turtle")
    assert (None, None, VOID.Dataset) in g
    assert "void" in client.get("/graph/void", headers={"Accept": "text/html"}).text


def test_an_unknown_graph_name_lists_the_graphs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--graph", "entities"]) == 2
    err = capsys.readouterr().err
    assert "ontology" in err and "void" in err
