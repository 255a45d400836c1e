"""Whole-graph exports, the Graph Store Protocol read side and the JSON-LD context: every format
parses back to exactly the served data (graphs, blank nodes and language tags included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from leongraph.cli.main import main
from leongraph.config import Settings
from leongraph.engine import Store, from_dataset
from leongraph.formats import JSONLD, TRIG, TURTLE, RdfFormat
from leongraph.graph.loading import build_dataset
from leongraph.linkeddata.serialize import parse, same_quads, same_triples
from leongraph.vocab import GRAPH, LEON, RES, SENT
from leongraph.web.app import create_app

VOID_GRAPH = "https://w3id.org/leongraph/graph/void"
FORMATS = RdfFormat.all()


def store_dataset(store: Store) -> Dataset:
    """The served quads, read straight from the store (one entry per graph holding a triple).
    Literals are written as rdflib's parsers read them back: Wikidata's "…T00:00:00Z" time
    values are kept as they are in the store, and a parser makes them "…T00:00:00+00:00"."""
    ds = Dataset()
    for s, p, o, g in store.quads():
        if isinstance(o, Literal):
            o = Literal(str(o), lang=o.language, datatype=o.datatype)
        ds.graph(g).add((s, p, o))
    return ds


def void_graph(client: TestClient) -> Graph:
    r = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    return Graph().parse(data=r.content, format="nt")


def union(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def expected_export(store: Store, client: TestClient) -> Dataset:
    ds = store_dataset(store)
    for t in void_graph(client):
        ds.graph(URIRef(VOID_GRAPH)).add(t)
    return ds


def check_round_trip(client: TestClient, store: Store, fmt: RdfFormat) -> None:
    r = client.get(f"/export/leon.{fmt.extension}")
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    assert r.headers["content-disposition"] == f'attachment; filename="leon.{fmt.extension}"'
    got = parse(r.content, fmt)
    expected = expected_export(store, client)
    if fmt.dataset:
        assert same_quads(got, expected)
    else:
        assert same_triples(union(got), union(expected))


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_export_round_trips(client: TestClient, store: Store, fmt: RdfFormat) -> None:
    check_round_trip(client, store, fmt)


# A small project with what the bundled data lacks: blank nodes (nested and shared), several
# languages, typed literals and a triple stated in two graphs.
SYNTHETIC_ONTOLOGY = """
@prefix leon: <https://w3id.org/leongraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
leon:Film a owl:Class ; rdfs:label "film"@en, "film"@fr .
leon:role a owl:ObjectProperty ; rdfs:label "role"@en .
leon:releaseDate a owl:DatatypeProperty ; rdfs:range xsd:date .
"""
SYNTHETIC_FACTS = """
@prefix leon: <https://w3id.org/leongraph/ontology#> .
@prefix res: <https://w3id.org/leongraph/resource/> .
@prefix sent: <https://w3id.org/leongraph/sentence/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
sent:1 {
  res:leon-the-professional a leon:Film ;
    rdfs:label "Léon: The Professional"@en, "Léon"@fr, "レオン"@ja, "plain" ;
    leon:releaseDate "1994-09-14"^^xsd:date ;
    leon:role [ rdfs:label "cleaner"@en ; leon:role [ rdfs:label "nested" ] ] .
}
sent:2 {
  res:leon-the-professional a leon:Film .
  res:leon leon:role _:shared . res:mathilda leon:role _:shared .
  _:shared rdfs:label "shared role"@en-GB .
}
"""

SYNTHETIC_SENTENCES = """
@prefix leon: <https://w3id.org/leongraph/ontology#> .
@prefix sent: <https://w3id.org/leongraph/sentence/> .
sent:1 leon:text "Léon (also known as The Professional) is a 1994 film."@en .
sent:2 leon:text "Léon and Mathilda share a role."@en .
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Dataset]:
    root = tmp_path_factory.mktemp("synthetic")
    (root / "ontology").mkdir()
    (root / "data").mkdir()
    (root / "ontology" / "leon.ttl").write_text(SYNTHETIC_ONTOLOGY, encoding="utf-8")
    (root / "data" / "facts.trig").write_text(SYNTHETIC_FACTS, encoding="utf-8")
    (root / "data" / "sentences.ttl").write_text(SYNTHETIC_SENTENCES, encoding="utf-8")
    return Settings(project_root=root), build_dataset(root)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_blank_nodes_and_languages_round_trip(
    synthetic: tuple[Settings, Dataset], engine: str, fmt: RdfFormat
) -> None:
    settings, ds = synthetic
    store = from_dataset(ds, engine=engine)
    assert any(isinstance(o, BNode) for _, _, o, _ in store.quads())
    with TestClient(create_app(settings.replace(engine=engine), store)) as client:
        check_round_trip(client, store, fmt)
        r = client.get(f"/resource/leon-the-professional.{fmt.extension}")
        got = union(parse(r.content, fmt))
        labels = set(got.objects(RES["leon-the-professional"], URIRef(str(RDFS_LABEL))))
        assert Literal("レオン", lang="ja") in labels and Literal("plain") in labels
        nested = [o for o in got.objects(RES["leon-the-professional"], LEON.role)]
        assert len(nested) == 1 and isinstance(nested[0], BNode)
        assert (nested[0], URIRef(str(RDFS_LABEL)), Literal("cleaner", lang="en")) in got


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# ---------------------------------------------------------------- one graph, errors


@pytest.mark.parametrize(
    ("name", "iri", "filename"),
    [
        ("ontology", GRAPH["ontology"], "leon-ontology.ttl"),
        (str(GRAPH["ontology"]), GRAPH["ontology"], "leon-ontology.ttl"),
        ("sentence/13", SENT["13"], "leon-sentence-13.ttl"),
    ],
)
def test_export_one_graph(
    client: TestClient, store: Store, name: str, iri: URIRef, filename: str
) -> None:
    r = client.get("/export/leon.ttl", params={"graph": name})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'
    got = Graph().parse(data=r.content, format="turtle")
    expected = store_dataset(store).graph(iri)
    assert len(expected) > 0 and same_triples(got, Graph() + expected)


@pytest.mark.parametrize(
    "path", ["/export/leon.xyz", "/export/leon.ttl?graph=nope", "/export/leon.ttl?graph=%00"]
)
def test_export_errors_are_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["status"] == 404


# ---------------------------------------------------------------- Graph Store Protocol


def test_gsp_default_graph_is_the_union(client: TestClient, store: Store) -> None:
    r = client.get("/rdf-graphs/service?default")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    got = Graph().parse(data=r.content, format="turtle")
    assert same_triples(got, union(store_dataset(store)))


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_gsp_named_graph(client: TestClient, store: Store, fmt: RdfFormat) -> None:
    iri = str(SENT["13"])
    r = client.get("/rdf-graphs/service", params={"graph": iri}, headers={"Accept": fmt.media_type})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    expected = Graph() + store_dataset(store).graph(URIRef(iri))
    assert same_triples(union(parse(r.content, fmt)), expected)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("graph=https://w3id.org/leongraph/graph/none", 404),
        ("graph=file:///etc/passwd", 404),
        ("", 400),
        ("default&graph=https://w3id.org/leongraph/graph/ontology", 400),
    ],
)
def test_gsp_errors(client: TestClient, query: str, status: int) -> None:
    r = client.get(f"/rdf-graphs/service?{query}")
    assert r.status_code == status
    assert r.json()["error"]["status"] == status


# ---------------------------------------------------------------- JSON-LD context


def test_jsonld_uses_the_published_context(client: TestClient, store: Store) -> None:
    published = client.get("/context.jsonld")
    assert published.headers["content-type"].startswith("application/ld+json")
    context = published.json()["@context"]
    doc = json.loads(client.get("/resource/mathilda.jsonld").content)
    assert doc["@context"] == context
    # reads like plain JSON: short keys and plain English strings
    node = next(n for n in doc["@graph"] if n.get("id") == "res:mathilda")
    assert "label" in node and "type" in node
    assert any(isinstance(v, str) for v in _as_list(node["label"]))
    # expanding with the context fetched from the server gives the same triples
    doc["@context"] = published.json()["@context"]
    again = Graph().parse(data=json.dumps(doc), format="json-ld")
    turtle = Graph().parse(data=client.get("/resource/mathilda.ttl").content, format="turtle")
    assert same_triples(again, turtle)


def test_context_has_a_short_key_per_ontology_term(client: TestClient, store: Store) -> None:
    context = client.get("/context.jsonld").json()["@context"]
    ids = {v["@id"] if isinstance(v, dict) else v for v in context.values() if v}
    terms = [
        t
        for (t,) in store.query(
            "SELECT DISTINCT ?t WHERE { GRAPH <https://w3id.org/leongraph/graph/ontology> "
            "{ ?t a ?k } FILTER(?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) "
            "FILTER(STRSTARTS(STR(?t), STR(leon:))) }"
        ).rows()
    ]
    assert terms and all(str(t) in ids for t in terms)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- CLI


def test_cli_export_matches_http(client: TestClient, tmp_path: Path, store: Store) -> None:
    out = tmp_path / "leon.trig"
    argv = ["export", "--format", "trig", "-o", str(out), "--engine", store.engine]
    assert main(argv) == 0
    from_cli = parse(out.read_bytes(), TRIG)
    expected = store_dataset(store)
    void = from_cli.graph(URIRef(VOID_GRAPH))
    assert len(void) > 0
    from_cli.remove_graph(void)
    assert same_quads(from_cli, expected)


def test_cli_export_one_graph_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["export", "--format", "jsonld", "--graph", "ontology"]) == 0
    data = capsysbinary.readouterr().out
    g = parse(data, JSONLD).default_graph
    assert (LEON.Film, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None) in g


def test_cli_export_refuses_unknown_format_and_graph() -> None:
    assert main(["export", "--format", "pdf"]) == 2
    assert main(["export", "--graph", "nope"]) == 2
    assert TURTLE.extension == "ttl"
