"""VoID: every published statistic equals the same count computed independently, in plain Python
over the loaded rdflib Dataset (not through SPARQL or the store)."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Dataset, Graph, Literal, URIRef

from leongraph.engine import RemoteStore
from leongraph.vocab import BASE, WD

VOID = "http://rdfs.org/ns/void#"
DATASET = URIRef(BASE + "dataset")


def v(name: str) -> URIRef:
    return URIRef(VOID + name)


@pytest.fixture(scope="module")
def triples(dataset: Dataset) -> set[tuple[object, object, object]]:
    """Distinct triples of the union of all named graphs."""
    return {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}


@pytest.fixture
def void(client: TestClient) -> Graph:
    r = client.get("/.well-known/void")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=r.content, format="turtle")


def number(g: Graph, subject: object, name: str) -> int:
    values = list(g.objects(subject, v(name)))
    assert len(values) == 1, (subject, name, values)
    assert isinstance(values[0], Literal)
    return int(values[0])


def test_dataset_counts(void: Graph, triples: set[tuple[object, object, object]]) -> None:
    assert (DATASET, RDF.type, v("Dataset")) in void
    subjects = {s for s, _, _ in triples}
    assert number(void, DATASET, "triples") == len(triples)
    assert number(void, DATASET, "distinctSubjects") == len(subjects)
    assert number(void, DATASET, "distinctObjects") == len({o for _, _, o in triples})
    assert number(void, DATASET, "properties") == len({p for _, p, _ in triples})
    assert number(void, DATASET, "classes") == len({o for _, p, o in triples if p == RDF.type})
    entities = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(BASE)}
    assert number(void, DATASET, "entities") == len(entities)


def test_class_and_property_partitions(
    void: Graph, triples: set[tuple[object, object, object]]
) -> None:
    instances: dict[object, set[object]] = {}
    for s, p, o in triples:
        if p == RDF.type:
            instances.setdefault(o, set()).add(s)
    published = {
        void.value(part, v("class")): number(void, part, "entities")
        for part in void.objects(DATASET, v("classPartition"))
    }
    assert published == {c: len(members) for c, members in instances.items()}
    per_property = Counter(p for _, p, _ in triples)
    published = {
        void.value(part, v("property")): number(void, part, "triples")
        for part in void.objects(DATASET, v("propertyPartition"))
    }
    assert published == dict(per_property)


def test_wikidata_linksets(void: Graph, triples: set[tuple[object, object, object]]) -> None:
    links = Counter(
        p
        for s, p, o in triples
        if str(s).startswith(BASE) and isinstance(o, URIRef) and str(o).startswith(str(WD))
    )
    assert links, "the bundled data links to Wikidata"
    published = {
        void.value(ls, v("linkPredicate")): number(void, ls, "triples")
        for ls in void.objects(DATASET, v("subset"))
        if (ls, RDF.type, v("Linkset")) in void
    }
    assert published == dict(links)
    for ls in void.objects(DATASET, v("subset")):
        assert void.value(ls, v("objectsTarget")) == URIRef("http://www.wikidata.org/")


def test_access_points_follow_the_request_base(client: TestClient, void: Graph) -> None:
    endpoint = void.value(DATASET, v("sparqlEndpoint"))
    assert endpoint == URIRef("http://testserver/sparql")
    dumps = {str(d) for d in void.objects(DATASET, v("dataDump"))}
    assert "http://testserver/export/leon.ttl" in dumps and len(dumps) == 6
    for dump in dumps:
        assert client.get(dump.removeprefix("http://testserver")).status_code == 200
    assert void.value(DATASET, URIRef("http://purl.org/dc/terms/license")) is not None


def test_void_in_other_formats_and_html(client: TestClient, void: Graph) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert set(Graph().parse(data=r.content, format="json-ld")) == set(void)
    html = client.get("/.well-known/void", headers={"Accept": "text/html"}).text
    assert f"<td>{number(void, DATASET, 'triples')}</td>" in html


def test_export_carries_the_void_graph(client: TestClient, void: Graph) -> None:
    ds = Dataset().parse(data=client.get("/export/leon.nq").content, format="nquads")
    got = ds.graph(URIRef(BASE + "graph/void"))
    assert set(got) == set(void)


def test_one_set_of_counts_everywhere(client: TestClient, store, dataset: Dataset, capsys) -> None:
    """The banner, ``leongraph stats``, VoID, /healthz, COUNT(*) and the export agree: triples
    are the distinct triples of the union, quads count a triple once per graph holding it,
    and the export holds the quads plus the VoID description."""
    from leongraph.cli.main import describe_counts, main
    from leongraph.graph.provenance import stats
    from leongraph.linkeddata.void import counts

    found = counts(store)
    health = client.get("/healthz").json()
    assert (health["triples"], health["quads"], health["graphs"]) == (
        found.triples,
        found.quads,
        found.graphs,
    )
    assert found.quads == len(store) > found.triples
    assert found.triples == len({(s, p, o) for s, p, o, _ in dataset.quads()})
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == found.triples
    void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    # the dataset's void:triples; its partitions and subsets have fewer
    assert max(int(o) for o in void.objects(None, v("triples"))) == found.triples
    assert describe_counts(store) == (
        f"{found.triples} triples ({found.quads} quads in {found.graphs} graphs)"
    )
    s = stats(dataset, dataset)
    assert (s.triples, s.quads) == (found.triples, found.quads)
    export = client.get("/export/leon.nq").text.strip().splitlines()
    void_size = len(export) - found.quads
    assert void_size > 0
    where = ["--store", store.url] if isinstance(store, RemoteStore) else ["--engine", store.engine]
    assert main(["export", "--format", "nq", *where]) == 0
    assert (
        f"wrote {found.quads} quads of data + {void_size} of VoID (graph/void)"
        in capsys.readouterr().err
    )


def test_export_takes_the_usual_format_names(capsys) -> None:
    from leongraph.cli.main import main

    assert main(["export", "--format", "turtle", "--graph", "ontology"]) == 0
    assert "@prefix" in capsys.readouterr().out
