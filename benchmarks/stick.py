"""THE MEASURING STICK, not part of leongraph: the least a SPARQL endpoint over HTTP can be.
A FastAPI app that hands the query to pyoxigraph and writes its answer, on the same uvicorn
settings as ``leongraph serve``: no safety checks, no negotiation (JSON for SELECT and ASK,
Turtle for graphs), no row cap, no timeout, no worker processes. The benchmark serves the
same data with it so that leongraph's figures can be read against the bare engine's.

    python benchmarks/stick.py --data bundled.nq --port 8102     # in memory
    python benchmarks/stick.py --store 1m-leongraph-0 --port 8102  # an on-disk store
"""

from __future__ import annotations

import argparse

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Request, Response

from leongraph.vocab import PREFIXES, prefixes_used


def create(store: ox.Store) -> FastAPI:
    app = FastAPI()
    union = not store.query("ASK { ?s ?p ?o }")  # leongraph's stores hold the union

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/sparql")
    async def sparql(request: Request) -> Response:
        text = (await request.body()).decode()
        used = prefixes_used(text)  # the prefixes the mix writes (res:, leon:, rdfs: ...)
        result = store.query(text, prefixes=used, use_default_graph_as_union=union)
        if isinstance(result, ox.QueryTriples):
            body = ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            return Response(body, media_type="text/turtle")
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, media_type="application/sparql-results+json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="an N-Quads file, loaded into memory")
    parser.add_argument("--store", help="an on-disk Oxigraph store, opened read-only")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8102)
    args = parser.parse_args()
    if args.store:
        store = ox.Store.read_only(args.store)
    else:
        store = ox.Store()
        store.bulk_load(path=args.data, format=ox.RdfFormat.N_QUADS)
    uvicorn.run(create(store), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
