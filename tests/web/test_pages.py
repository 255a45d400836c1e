"""Dereferenceable IRIs: every kind of resource answers HTML to browsers and its description in
each RDF format by Accept header and by suffix; pages show facts, incoming links, provenance
sentences with the fact's words marked; bad input gets a clear 4xx."""

from __future__ import annotations

import doctest
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.formats import TRIG, RdfFormat
from leongraph.linkeddata import highlight, urls
from leongraph.linkeddata.describe import describe
from leongraph.linkeddata.serialize import parse, same_quads
from leongraph.vocab import GRAPH, LEON, RES, SENT
from leongraph.web.app import create_app

RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
OWL_SAME_AS = URIRef("http://www.w3.org/2002/07/owl#sameAs")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: One path per kind of IRI, and the IRI it answers for.
KINDS = {
    "/resource/leon-the-professional": RES["leon-the-professional"],
    "/resource/mathilda": RES["mathilda"],
    "/resource/event-01": RES["event-01"],
    "/sentence/13": SENT["13"],
    "/ontology": URIRef("https://w3id.org/leongraph/ontology"),
    "/ontology/Film": LEON["Film"],
    "/graph/ontology": GRAPH["ontology"],
}


def vary(response: object) -> set[str]:
    header = response.headers.get("vary", "")  # type: ignore[attr-defined]
    return {v.strip().lower() for v in header.split(",") if v.strip()}


def graph_of(response: object) -> Graph:
    """Parse a triples-format response by its Content-Type."""
    fmt = RdfFormat.from_media_type(response.headers["content-type"])  # type: ignore[attr-defined]
    assert fmt is not None and not fmt.dataset
    return parse(response.content, fmt).default_graph  # type: ignore[attr-defined, arg-type]


def test_doctests_of_the_url_scheme_and_highlighter() -> None:
    for module in (urls, highlight):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


@pytest.mark.parametrize("path", KINDS)
def test_browser_gets_html(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "accept" in vary(r)
    assert str(KINDS[path]) in r.text


@pytest.mark.parametrize("path", KINDS)
@pytest.mark.parametrize("fmt", RdfFormat.all(), ids=lambda f: f.name)
def test_accept_and_suffix_give_the_same_rdf(client: TestClient, path: str, fmt: RdfFormat) -> None:
    by_accept = client.get(path, headers={"Accept": fmt.media_type})
    by_suffix = client.get(f"{path}.{fmt.extension}")
    assert by_accept.status_code == by_suffix.status_code == 200
    assert by_accept.headers["content-type"].split(";")[0] == fmt.media_type
    assert by_accept.headers["content-location"].endswith(f"{path}.{fmt.extension}")
    assert "accept" not in vary(by_suffix)  # a suffixed URL names one representation
    a, b = parse(by_accept.content, fmt), parse(by_suffix.content, fmt)
    assert same_quads(a, b)
    subject = KINDS[path]
    union = {(s, p, o) for s, p, o, _ in a.quads()}
    assert len(union) > 0
    assert any(subject in (s, o) for s, _, o in union) or path.startswith("/graph/")


@pytest.mark.parametrize("path", KINDS)
def test_link_header_lists_every_alternate(client: TestClient, path: str) -> None:
    r = client.get(path)
    links = r.headers["link"]
    for fmt in RdfFormat.all():
        assert f'<{path}.{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"' in links
    assert f'<{path}.html>; rel="alternate"; type="text/html"' in links


def test_html_suffix_and_explicit_turtle(client: TestClient) -> None:
    assert client.get("/resource/leon.html").headers["content-type"].startswith("text/html")
    r = client.get("/resource/leon", headers={"Accept": "text/turtle;q=0.9, text/html;q=0.1"})
    assert r.headers["content-type"].startswith("text/turtle")


def test_description_matches_the_store(client: TestClient, store: Store) -> None:
    """The Turtle twin holds every outgoing triple of the resource (from any named graph)."""
    g = graph_of(client.get("/resource/mathilda.ttl"))
    expected = {
        (RES["mathilda"], p, o)
        for p, o in store.query("SELECT DISTINCT ?p ?o WHERE { res:mathilda ?p ?o }").rows()
    }
    assert expected and expected <= set(g)
    incoming = list(store.query("SELECT DISTINCT ?s ?p WHERE { ?s ?p res:mathilda }").rows())
    assert incoming and all((s, p, RES["mathilda"]) in g for s, p in incoming)


def test_trig_description_keeps_the_provenance_graphs(client: TestClient, store: Store) -> None:
    r = client.get("/resource/mathilda.trig")
    ds = parse(r.content, TRIG)
    rows = store.query("SELECT ?p ?o ?g WHERE { GRAPH ?g { res:mathilda ?p ?o } }").rows()
    for p, o, g in rows:
        assert (RES["mathilda"], p, o) in ds.graph(g), (p, o, g)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_resource_page_shows_labels_facts_and_sources(client: TestClient, store: Store) -> None:
    html = client.get("/resource/mathilda", headers={"Accept": BROWSER}).text
    label = next(store.query("SELECT ?l WHERE { res:mathilda rdfs:label ?l }").rows())[0]
    assert f"<h1>{label}</h1>" in html
    # every linked local resource is shown by its label, linked to its own page
    for _p, o in store.query(
        "SELECT ?p ?o WHERE { res:mathilda ?p ?o . ?o rdfs:label ?l "
        "FILTER(STRSTARTS(STR(?o), STR(res:))) }"
    ).rows():
        slug = str(o).rsplit("/", 1)[-1]
        assert f'href="/resource/{slug}"' in html, o
    # each sentence stating a fact about her is cited and quoted
    cited = {
        str(g).rsplit("/", 1)[-1]
        for (g,) in store.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { res:mathilda ?p ?o } "
            "FILTER(STRSTARTS(STR(?g), STR(sent:))) }"
        ).rows()
    }
    assert cited
    for n in cited:
        assert f'href="/sentence/{n}"' in html
        assert f'id="s{n}"' in html


def test_sentences_mark_the_words_of_the_fact(client: TestClient) -> None:
    html = client.get("/resource/mathilda", headers={"Accept": BROWSER}).text
    sources = html[html.index('class="plain sources"') :]
    assert "<mark>Mathilda</mark>" in sources
    marked = re.findall(r"<mark>([^<]+)</mark>", sources)
    assert len(set(marked)) >= 3  # her name and the other ends of her facts


def test_incoming_links_are_listed(client: TestClient, store: Store) -> None:
    html = client.get("/resource/mathilda", headers={"Accept": BROWSER}).text
    assert "What links here" in html
    part = html[html.index("What links here") :]
    subjects = {
        str(s).rsplit("/", 1)[-1]
        for (s,) in store.query(
            "SELECT DISTINCT ?s WHERE { ?s ?p res:mathilda FILTER(STRSTARTS(STR(?s), STR(res:))) }"
        ).rows()
    }
    assert subjects
    for slug in subjects:
        assert f'href="/resource/{slug}"' in part


def test_same_as_links_to_wikidata(client: TestClient, store: Store) -> None:
    links = [
        str(o)
        for (o,) in store.query(
            "SELECT ?o WHERE { res:natalie-portman owl:sameAs ?o "
            "FILTER(STRSTARTS(STR(?o), STR(wd:))) }"
        ).rows()
    ]
    assert links
    html = client.get("/resource/natalie-portman", headers={"Accept": BROWSER}).text
    for iri in links:
        assert f'href="{iri}"' in html


def test_event_page_links_previous_and_next(client: TestClient, store: Store) -> None:
    position = {
        str(e).rsplit("/", 1)[-1]: int(n)
        for e, n in store.query("SELECT ?e ?n WHERE { ?e leon:position ?n }").rows()
    }
    second = next(e for e, n in position.items() if n == 2)
    first = next(e for e, n in position.items() if n == 1)
    third = next(e for e, n in position.items() if n == 3)
    html = client.get(f"/resource/{second}", headers={"Accept": BROWSER}).text
    start = html.index('class="events"')
    nav = html[start : html.index("</nav>", start)]
    assert f'href="/resource/{first}"' in nav and f'href="/resource/{third}"' in nav


def test_sentence_page_shows_text_and_its_facts(client: TestClient, store: Store) -> None:
    text = next(store.query("SELECT ?t WHERE { sent:13 leon:text ?t }").rows())[0]
    facts = list(store.query("SELECT ?s ?p ?o WHERE { GRAPH sent:13 { ?s ?p ?o } }").rows())
    html = client.get("/sentence/13", headers={"Accept": BROWSER}).text
    assert "Facts stated by this sentence" in html
    block = html[html.index('class="sentence-text">') + len('class="sentence-text">') :]
    block = block[: block.index("</blockquote>")]
    assert (
        _text(block)
        .replace(" ", "")
        .startswith(_text(str(text)).replace(" ", "").replace("'", "&#39;")[:20])
    )
    assert "<mark>" in block
    table = html[html.index("Facts stated by this sentence") :]
    assert table.count("<tr><td>") == len(set(facts))


def test_sentence_rdf_includes_the_facts_it_states(client: TestClient, store: Store) -> None:
    ds = parse(client.get("/sentence/13.trig").content, TRIG)
    facts = set(store.query("SELECT ?s ?p ?o WHERE { GRAPH sent:13 { ?s ?p ?o } }").rows())
    assert facts and facts <= set(ds.graph(SENT["13"]))


def test_ontology_term_page(client: TestClient, store: Store) -> None:
    html = client.get("/ontology/Film", headers={"Accept": BROWSER}).text
    comment = next(store.query("SELECT ?c WHERE { leon:Film rdfs:comment ?c }").rows())[0]
    assert str(comment).split()[0] in html
    assert "Examples of use" in html
    assert 'href="/resource/leon-the-professional"' in html


def test_ontology_documentation(client: TestClient, store: Store) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).text
    terms = [
        str(t)[len(str(LEON)) :]
        for (t,) in store.query(
            "SELECT DISTINCT ?t WHERE { GRAPH <https://w3id.org/leongraph/graph/ontology> "
            "{ ?t a ?k } FILTER(?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty)) "
            "FILTER(STRSTARTS(STR(?t), STR(leon:))) }"
        ).rows()
    ]
    assert len(terms) > 5
    for name in terms:
        assert f'id="{name}"' in html, name
    prop, rng = next(
        store.query(
            "SELECT ?p ?r WHERE { ?p rdfs:range ?r FILTER(STRSTARTS(STR(?p), STR(leon:)) "
            "&& STRSTARTS(STR(?r), STR(leon:))) } ORDER BY ?p LIMIT 1"
        ).rows()
    )
    name, range_name = (str(t)[len(str(LEON)) :] for t in (prop, rng))
    section = html[html.index(f'id="{name}"') :]
    section = section[: section.index("</section>")]
    assert f'href="/ontology/{range_name}"' in section


def test_ontology_in_rdf_is_the_ontology_graph(client: TestClient, store: Store) -> None:
    fmt = RdfFormat.from_extension("nt")
    g = graph_of(client.get("/ontology", headers={"Accept": fmt.media_type}))
    expected = {
        (s, p, o)
        for s, p, o, g in store.quads(str(GRAPH["ontology"]))
        if g == GRAPH["ontology"]  # the rdflib engine also yields other graphs sharing a triple
    }
    assert set(g) == expected


def test_graph_page(client: TestClient, store: Store) -> None:
    size = store.graph_sizes()[str(GRAPH["ontology"])]
    html = client.get("/graph/ontology", headers={"Accept": BROWSER}).text
    assert f"{size} triple" in html


# ---------------------------------------------------------------- not found and bad input


def test_unknown_resource_suggests_near_names(client: TestClient) -> None:
    r = client.get("/resource/mathlda", headers={"Accept": BROWSER})
    assert r.status_code == 404
    assert 'href="/resource/mathilda"' in r.text
    r = client.get("/resource/mathlda", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    body = r.json()["error"]
    assert body["status"] == 404
    assert str(RES["mathilda"]) in body["suggestions"]


@pytest.mark.parametrize(
    "path",
    ["/resource/nothing-like-this", "/sentence/99999", "/ontology/NoSuchTerm", "/graph/nope"],
)
def test_unknown_iris_are_404(client: TestClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/resource/leon.pdf", {}),
        ("/resource/le%20on", {}),
        ("/resource/le%3Con", {}),
        ("/resource/" + "a" * 300, {}),
        ("/resource/leon", {"Accept": "not a media type"}),
        ("/resource/leon.", {}),
        ("/ontology.exe", {}),
    ],
)
def test_bad_input_is_a_clear_400(client: TestClient, path: str, headers: dict[str, str]) -> None:
    r = client.get(path, headers=headers)
    assert r.status_code == 400
    assert r.json()["error"]["status"] == 400


def test_unacceptable_type_is_406(client: TestClient) -> None:
    r = client.get("/resource/leon", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["error"]["status"] == 406


@pytest.mark.parametrize(
    "path", ["/resource/..%2F..%2Fetc%2Fpasswd", "/resource/../../etc/passwd", "/sentence/%2e%2e"]
)
def test_no_path_traversal(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert "root:" not in r.text


def test_rdf_labels_are_real_literals(client: TestClient) -> None:
    g = graph_of(client.get("/resource/leon-the-professional.nt"))
    labels = set(g.objects(RES["leon-the-professional"], RDFS_LABEL))
    assert labels and all(isinstance(x, Literal) for x in labels)


# ---------------------------------------------------------------- behind a proxy


def test_links_are_relative_to_root_path(settings: Settings, store: Store) -> None:
    app = create_app(settings.replace(engine=store.engine, root_path="/kg"), store)
    with TestClient(app, root_path="/kg") as c:
        r = c.get("/resource/mathilda", headers={"Accept": BROWSER})
        assert r.status_code == 200
        hrefs = re.findall(r'href="([^"]+)"', r.text)
        local = [h for h in hrefs if not h.startswith(("http://", "https://", "#"))]
        assert local and all(h.startswith("/kg/") for h in local), local
        assert r.headers["link"].startswith("</kg/resource/mathilda.")
        assert "</kg/resource/mathilda.ttl>" in r.headers["link"]


@pytest.mark.parametrize("path", [*KINDS, "/ontology", "/export/leon.ttl", "/.well-known/void"])
def test_head_gives_the_headers_of_get(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "etag", "last-modified", "link"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_describe_reports_the_graph_of_each_triple(store: Store) -> None:
    """Provenance: each outgoing statement lists exactly the named graphs holding it."""
    d = describe(store, str(RES["mathilda"]))
    expected: dict[tuple[object, object], set[object]] = {}
    for p, o, g in store.query("SELECT ?p ?o ?g WHERE { GRAPH ?g { res:mathilda ?p ?o } }").rows():
        expected.setdefault((p, o), set()).add(g)
    got = {(st.predicate, st.object): set(st.graphs) for st in d.outgoing}
    assert got == expected
    stated = [st for st in d.outgoing if st.sentences]
    assert stated and all(str(s).startswith(str(SENT)) for st in stated for s in st.sentences)


@examples(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["resource", "sentence", "ontology", "graph"]),
    segment=st.text(min_size=1, max_size=80).filter(lambda s: s not in (".", "..")),
    accept=st.sampled_from(["", "text/html", "text/turtle", "*/*", ";;", "text/html;q=x"]),
)
def test_no_name_or_header_makes_a_500(
    client: TestClient, kind: str, segment: str, accept: str
) -> None:
    r = client.get(f"/{kind}/{quote(segment, safe='')}", headers={"Accept": accept})
    assert r.status_code in (200, 400, 404, 406), (segment, r.status_code)
    if r.status_code >= 400 and not r.headers["content-type"].startswith("text/html"):
        assert r.json()["error"]["status"] == r.status_code


def test_readme_documents_every_linked_data_route() -> None:
    from leongraph.config import PROJECT_ROOT
    from leongraph.web.routes import data, pages

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    routes = [r.path for m in (pages, data) for r in m.router.routes]  # type: ignore[attr-defined]
    assert len(routes) >= 10
    for path in routes:
        stem = path.split("{")[0]
        assert f"`{stem}" in readme, path
    for kind, prefix in urls.KINDS.items():
        assert f"`{prefix}" in readme and f"`/{kind}/" in readme, kind


@pytest.mark.parametrize(
    ("text", "phrases", "marked"),
    [
        ("He meets Mathilda Lando.", ["Mathilda", "Mathilda Lando"], ["Mathilda Lando"]),
        # a phrase missing whole falls back to its words, after the whole phrases
        (
            "A young Natalie Portman.",
            ["Natalie Portman as Mathilda", "Natalie Portman"],
            ["Natalie Portman"],
        ),
        ("Léon meets Mathilda.", ["Léon Montana"], ["Léon"]),
        ("Tony's place", ["Tony"], ["Tony"]),
        ("Antony", ["Tony"], []),  # whole words only
        ("nothing here", ["Stansfield"], []),
    ],
)
def test_highlight_marks_whole_phrases(text: str, phrases: list[str], marked: list[str]) -> None:
    segments = highlight.highlight(text, phrases)
    assert "".join(t for t, _ in segments) == text
    assert [t for t, hit in segments if hit] == marked
