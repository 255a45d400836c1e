"""Dereferenceable IRIs: ``/resource/<slug>``, ``/sentence/<n>``, ``/ontology``,
``/ontology/<Term>`` and ``/graph/<name>`` answer with an HTML page for browsers and the same
description in any RDF format by Accept header or by suffix (``.ttl``, ``.jsonld``, ``.nt``,
``.rdf``, ``.trig``, ``.nq``, ``.html``). The routes are thin: choose a format, describe, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import URIRef

from leongraph.errors import UnknownResource
from leongraph.formats import HTML, RdfFormat, _Format
from leongraph.linkeddata import viewmodels
from leongraph.linkeddata.describe import (
    Description,
    Statement,
    describe,
    graph_quads,
    neighbours,
    sentence_facts,
)
from leongraph.linkeddata.export import Quad, held_graphs, named_graph_quads
from leongraph.linkeddata.highlight import highlight
from leongraph.linkeddata.ontology_docs import (
    TermDoc,
    add_examples,
    document,
    header_view,
    term_view,
)
from leongraph.linkeddata.publication import Publication
from leongraph.linkeddata.serialize import serialize
from leongraph.linkeddata.urls import KINDS, ONTOLOGY_IRI, iri_for, local_path, split_name
from leongraph.vocab import LEON, ONTOLOGY_GRAPH, RDFS_COMMENT, SENT
from leongraph.web.apidocs import route
from leongraph.web.rendering import (
    RDF_FORMATS,
    choose_format,
    headers_for,
    public_base,
    rdf_response,
    render,
    root_path,
)
from leongraph.web.state import app_state

router = APIRouter()

MAX_GRAPH_ROWS = 500


# ---------------------------------------------------------------- not found


def not_found(request: Request, pub: Publication, kind: str, name: str, fmt: _Format) -> Response:
    near = pub.near(KINDS[kind], name)
    iri = iri_for(kind, name)
    message = f"{iri} is not in the graph"
    if fmt is HTML:
        root = root_path(request)
        links = [(label, root + (local_path(i) or "")) for i, label in near]
        return render(
            request, "not_found.html", 404, title="Not found", iri=iri, message=message, near=links
        )
    raise UnknownResource(message, iri=iri, suggestions=[i for i, _ in near] or None)


# ---------------------------------------------------------------- descriptions


def describe_response(request: Request, kind: str, segment: str) -> Response:
    name, suffix = split_name(segment)
    fmt = choose_format(request, suffix)
    pub = app_state(request).publication()
    path = f"/{kind}/{name}"
    headers = headers_for(request, path, suffix, fmt)
    # Pages are rendered once per representation: the graph does not change while served.
    key = ("describe", path, fmt.name, root_path(request))
    body = pub.lookup(key)
    if body is None:
        d = describe(pub.store, iri_for(kind, name), pub.index)
        facts = sentence_facts(pub.store, d.iri) if kind == "sentence" else []
        if not d.exists and not facts:
            return not_found(request, pub, kind, name, fmt)
        if not isinstance(fmt, RdfFormat):  # HTML
            body = resource_page(request, pub, d, facts, path)
        else:
            quads = [*d.quads(), *((st.subject, st.predicate, st.object, d.iri) for st in facts)]
            body = serialize(quads, fmt, context=pub.context, first=d.iri)
        pub.remember(key, body)
    if fmt is HTML:
        return HTMLResponse(body, headers=headers)
    return rdf_response(body, fmt, headers)


def resource_page(
    request: Request,
    pub: Publication,
    d: Description,
    facts: list[Statement],
    path: str,
) -> bytes:
    root = root_path(request)
    linker = viewmodels.Linker(d, root)
    term = str(d.iri).startswith(str(LEON))
    examples, uses = [], 0
    if term:
        doc = TermDoc(d.iri, kinds=d.types)
        add_examples(pub.store, [doc])
        examples, uses = doc.examples, doc.uses
    text = d.sentence_text.get(d.iri) if str(d.iri).startswith(str(SENT)) else None
    marked = (
        highlight(text, linker.phrases(*(t for st in facts for t in (st.subject, st.object))))
        if text
        else []
    )
    page = render(
        request,
        "resource.html",
        d=d,
        title=d.label(d.iri),
        iri=str(d.iri),
        types=sorted((linker.value(t) for t in d.types), key=lambda v: (v.external, v.text)),
        comment=viewmodels.comment(d),
        doc_anchor=f"{root}/ontology#{str(d.iri)[len(str(LEON)) :]}" if term else None,
        same_as=viewmodels.same_as(linker),
        rows=viewmodels.rows(linker, d.outgoing),
        incoming=viewmodels.rows(linker, d.incoming, incoming=True),
        sources=viewmodels.cited_sentences(linker),
        sentence=marked,
        facts=viewmodels.triples(linker, viewmodels.in_reading_order(linker, facts)),
        examples=viewmodels.triples(linker, examples),
        uses=uses,
        neighbours={k: linker.value(e) for k, e in neighbours(pub.store, d).items()},
        alternates=viewmodels.alternates(root + path, RDF_FORMATS),
        graph_size=d.graph_sizes.get(str(d.iri)),
    )
    return bytes(page.body)  # a rendered page's body is bytes


@route(
    router,
    "/resource/{segment}",
    summary="A resource: HTML page or RDF description",
    methods=["GET", "HEAD"],
)
def resource(segment: str, request: Request) -> Response:
    return describe_response(request, "resource", segment)


@route(
    router,
    "/sentence/{segment}",
    summary="A source sentence and the facts it states",
    methods=["GET", "HEAD"],
)
def sentence(segment: str, request: Request) -> Response:
    return describe_response(request, "sentence", segment)


@route(
    router,
    "/ontology/{segment}",
    summary="An ontology term (the page of ontology#Term)",
    methods=["GET", "HEAD"],
)
def ontology_term(segment: str, request: Request) -> Response:
    return describe_response(request, "ontology", segment)


# ---------------------------------------------------------------- ontology and named graphs


def ontology_response(request: Request, suffix: str | None) -> Response:
    fmt = choose_format(request, suffix)
    pub = app_state(request).publication()
    headers = headers_for(request, "/ontology", suffix, fmt)
    if isinstance(fmt, RdfFormat):
        body = pub.cached(
            ("ontology", fmt.name),
            lambda: serialize(
                graph_quads(pub.store, str(ONTOLOGY_GRAPH)), fmt, context=pub.context
            ),
        )
        return rdf_response(body, fmt, headers)
    root = root_path(request)

    def page() -> bytes:
        doc = document(pub.store, pub.index)
        linker = viewmodels.Linker(doc.labels, root)
        rendered = render(
            request,
            "ontology.html",
            title=doc.labels.label(doc.labels.iri),
            iri=ONTOLOGY_IRI,
            comments=[str(c) for c in doc.header.get(RDFS_COMMENT, [])],
            header=header_view(doc, linker),
            classes=[term_view(t, linker) for t in doc.classes],
            properties=[term_view(t, linker) for t in doc.properties],
            others=[term_view(t, linker) for t in doc.others],
            alternates=viewmodels.alternates(root + "/ontology", RDF_FORMATS),
        )
        return bytes(rendered.body)

    response = HTMLResponse(pub.cached(("ontology-html", root), page))
    response.headers.update(headers)
    return response


@route(
    router,
    "/ontology",
    summary="Ontology documentation (HTML) or the ontology in RDF",
    methods=["GET", "HEAD"],
)
def ontology(request: Request) -> Response:
    return ontology_response(request, None)


@route(router, "/ontology.{suffix}", include_in_schema=False, methods=["GET", "HEAD"])
def ontology_suffixed(suffix: str, request: Request) -> Response:
    split_name("ontology." + suffix)
    return ontology_response(request, suffix.lower())


@route(
    router,
    "/graph/{segment}",
    summary="A named graph: its triples as a page or in RDF",
    methods=["GET", "HEAD"],
)
def graph(segment: str, request: Request) -> Response:
    name, suffix = split_name(segment)
    fmt = choose_format(request, suffix)
    pub = app_state(request).publication()
    iri = iri_for("graph", name)
    if iri not in held_graphs(pub.store):
        return not_found(request, pub, "graph", name, fmt)
    base = public_base(request)
    path = f"/graph/{name}"
    headers = headers_for(request, path, suffix, fmt)
    if isinstance(fmt, RdfFormat):
        body = pub.cached(
            ("graph", name, fmt.name, base),
            lambda: serialize(named_graph_quads(pub, iri, base), fmt, context=pub.context),
        )
        return rdf_response(body, fmt, headers)
    quads = named_graph_quads(pub, iri, base)
    size = len(quads)
    d = describe(pub.store, iri, pub.index)
    triples = _graph_statements(quads)
    linker = viewmodels.Linker(d, root_path(request))
    response = render(
        request,
        "graph.html",
        title=d.label(d.iri),
        iri=iri,
        name=name,
        size=size,
        shown=len(triples),
        triples=[
            tuple(linker.value(t) for t in (st.subject, st.predicate, st.object)) for st in triples
        ],
        alternates=viewmodels.alternates(root_path(request) + path, RDF_FORMATS),
    )
    response.headers.update(headers)
    return response


def _graph_statements(quads: list[Quad]) -> list[Statement]:
    out: list[Statement] = []
    for s, p, o, _ in quads:
        if not isinstance(p, URIRef):  # never: a predicate is an IRI
            continue
        out.append(Statement(s, p, o, ()))
        if len(out) >= MAX_GRAPH_ROWS:
            break
    return out
