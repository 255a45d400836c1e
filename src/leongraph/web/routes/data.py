"""The data downloads: whole-graph exports (``/export/leon.<ext>``), the read side of the SPARQL
1.1 Graph Store Protocol (``/rdf-graphs/service``), the published JSON-LD context
(``/context.jsonld``) and the VoID description (``/.well-known/void``)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import URIRef

from leongraph.errors import BadRequest, UnknownResource
from leongraph.formats import HTML, TURTLE, RdfFormat
from leongraph.linkeddata.describe import graph_order, graph_quads
from leongraph.linkeddata.export import export_bytes, resolve_graph, void_quads
from leongraph.linkeddata.serialize import serialize
from leongraph.linkeddata.urls import local_path
from leongraph.negotiation import negotiate
from leongraph.web.apidocs import route
from leongraph.web.rendering import checked_accept, public_base, render, root_path
from leongraph.web.state import app_state

router = APIRouter()


@route(
    router,
    "/export/leon.{extension}",
    summary="Download the whole graph or one named graph",
    methods=["GET", "HEAD"],
)
def export(extension: str, request: Request, graph: str | None = None) -> Response:
    fmt = RdfFormat.from_extension(extension)
    if fmt is None or not extension.isalnum():
        known = ", ".join(f"leon.{f.extension}" for f in RdfFormat.all())
        raise UnknownResource(f"no export leon.{extension[:20]}; available: {known}")
    pub = app_state(request).publication()
    iri = resolve_graph(pub.store, graph) if graph else None
    body = export_bytes(pub, fmt, graph=iri, public_base=public_base(request))
    # leon.ttl, leon-ontology.ttl, leon-sentence-13.ttl: a graph's short name in the file name
    path = (local_path(iri) or "") if iri else ""
    stem = "leon" + path.replace("/graph/", "/").replace("/", "-")
    return Response(
        body,
        media_type=fmt.content_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt.extension}"'},
    )


@route(
    router,
    "/rdf-graphs/service",
    summary="Graph Store Protocol (read): ?default or ?graph=IRI",
    methods=["GET", "HEAD"],
)
def graph_store(request: Request) -> Response:
    params = request.query_params
    if ("default" in params) == ("graph" in params):
        raise BadRequest("give exactly one of ?default or ?graph=IRI")
    fmt = negotiate(checked_accept(request), RdfFormat.all(), TURTLE)
    pub = app_state(request).publication()
    if "graph" in params:
        iri = params["graph"]
        if iri not in pub.store.graph_sizes():
            raise UnknownResource(f"no named graph <{iri[:200]}> in the dataset", graph=iri[:200])
        body = pub.cached(
            ("gsp", iri, fmt.name),
            lambda: serialize(graph_quads(pub.store, iri), fmt, context=pub.context),
        )
    else:
        # The default graph is the union of all named graphs.
        body = pub.cached(
            ("gsp", "", fmt.name),
            lambda: serialize(
                ((s, p, o, None) for s, p, o, _ in pub.store.quads()), fmt, context=pub.context
            ),
        )
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@route(
    router,
    "/context.jsonld",
    summary="The JSON-LD context of every JSON-LD document served",
    methods=["GET", "HEAD"],
)
def context(request: Request) -> Response:
    body = json.dumps(
        {"@context": app_state(request).publication().context}, indent=2, ensure_ascii=False
    )
    return Response(body.encode("utf-8"), media_type="application/ld+json")


VOID_OFFERED = (TURTLE, HTML, *(f for f in RdfFormat.all() if f is not TURTLE))


@route(
    router, "/.well-known/void", summary="VoID description of the dataset", methods=["GET", "HEAD"]
)
@route(router, "/dataset", include_in_schema=False, methods=["GET", "HEAD"])
def void(request: Request) -> Response:
    fmt = negotiate(checked_accept(request), VOID_OFFERED, TURTLE)
    pub = app_state(request).publication()
    base = public_base(request)
    headers = {"Vary": "Accept"}
    if not isinstance(fmt, RdfFormat):  # HTML
        response = render(
            request,
            "void.html",
            title="Dataset description",
            stats=pub.void_stats,
            base=base,
            formats=RdfFormat.all(),
            graphs=[
                (g, root_path(request) + (local_path(g) or ""), n)
                for g, n in sorted(
                    pub.store.graph_sizes().items(), key=lambda i: graph_order(URIRef(i[0]))
                )
            ],
        )
        response.headers.update(headers)
        return response
    body = pub.cached(
        ("void", fmt.name, base),
        lambda: serialize(void_quads(pub, base), fmt, context=pub.context),
    )
    return Response(body, media_type=fmt.content_type, headers=headers)
