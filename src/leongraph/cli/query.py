"""``leongraph query``: one SPARQL query against the local graph, no server, through the same
``prepare``/``execute`` pair as ``GET /sparql`` (so the bytes are the endpoint's bytes)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from leongraph.cli.options import add_store_options, settings_from
from leongraph.cli.output import on_terminal, results_table
from leongraph.errors import BadRequest
from leongraph.graph import open_store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "query",
        help="run a SPARQL query locally and print the answer",
        description="Run a SPARQL query against the bundled graph (or --store) and print the "
        "answer exactly as GET /sparql would send it.",
    )
    p.add_argument("query", nargs="?", help="the query text (or use --file, or - for stdin)")
    p.add_argument("--file", "-f", default=None, help="read the query from this file")
    p.add_argument(
        "--format",
        default=None,
        help="table, json, xml, csv, tsv (SELECT/ASK); ttl, nt, jsonld, rdf, trig, nq "
        "(CONSTRUCT/DESCRIBE); or a media type. Default: a table on a terminal; piped, json or "
        "ttl, the endpoint's bytes",
    )
    add_store_options(p)
    p.add_argument("--max-rows", type=int, default=None, dest="max_rows")
    p.add_argument(
        "--default-graph-uri", action="append", default=[], dest="default_graphs", metavar="IRI"
    )
    p.add_argument(
        "--named-graph-uri", action="append", default=[], dest="named_graphs", metavar="IRI"
    )
    p.add_argument(
        "--language",
        default=None,
        help="languages for [AUTO_LANGUAGE] in the label service, as in Accept-Language (fr,en)",
    )
    p.set_defaults(func=cmd_query)


def read_query(args: argparse.Namespace) -> str:
    if args.file is not None and args.query is not None:
        raise BadRequest("give the query as an argument or with --file, not both")
    if args.file is not None:
        return Path(args.file).read_text(encoding="utf-8")
    if args.query in (None, "-"):
        if sys.stdin.isatty() and args.query is None:
            raise BadRequest("no query: give it as an argument, with --file, or on stdin")
        return sys.stdin.read()
    return str(args.query)


def cmd_query(args: argparse.Namespace) -> int:
    from leongraph.sparql.evaluation import execute, prepare
    from leongraph.sparql.protocol import SparqlRequest

    settings = settings_from(args)
    as_table = args.format == "table" or (args.format is None and on_terminal())
    request = SparqlRequest(
        query=read_query(args),
        default_graphs=tuple(args.default_graphs),
        named_graphs=tuple(args.named_graphs),
        format=None if args.format == "table" else args.format,
    )
    plan = prepare(request, settings, accept_language=args.language)
    answer = execute(open_store(settings), plan)
    if as_table and answer.content_type.startswith("application/sparql-results+json"):
        sys.stdout.write(results_table(json.loads(answer.body)))
        sys.stdout.flush()
    else:
        sys.stdout.buffer.write(answer.body)
        sys.stdout.buffer.flush()
    if answer.truncated:
        print(f"leongraph: answer cut at {settings.max_rows} rows (--max-rows)", file=sys.stderr)
    return 0
