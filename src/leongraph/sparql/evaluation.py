"""One query, from protocol request to response bytes, in two steps shared by the HTTP endpoint
and ``leongraph query`` (so both give the same bytes):

``prepare`` (cheap, in the server process) rewrites the label service, applies the safety rules,
settles the dataset and picks the output formats; ``execute`` (in a worker process for HTTP, so
a runaway query can be killed) runs the engine and writes the answer.

Dataset: the protocol's ``default-graph-uri`` / ``named-graph-uri`` replace the query's FROM /
FROM NAMED; with neither, the query's own clauses apply; with none at all the default graph is
the union of every named graph and every named graph is available. In every case an IRI the
server does not hold is an empty graph; nothing is ever fetched.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from leongraph.config import Settings
from leongraph.engine import Output, QueryResult, Store
from leongraph.errors import (
    BadRequest,
    EvaluationError,
    LeongraphError,
    NotAcceptable,
    QueryAborted,
    QuerySyntaxError,
)
from leongraph.formats import JSON, JSONLD, RDFXML, TURTLE, RdfFormat, ResultsFormat, _Format
from leongraph.negotiation import F, negotiate
from leongraph.sparql import label_service
from leongraph.sparql.diagnostics import explain, is_prefix_error
from leongraph.sparql.protocol import SparqlRequest
from leongraph.sparql.safety import check_length, check_query

log = logging.getLogger(__name__)

#: ``format=json`` / ``format=xml`` on a CONSTRUCT or DESCRIBE mean JSON-LD / RDF/XML (as Fuseki).
_GRAPH_EQUIVALENT = {"json": JSONLD, "xml": RDFXML}
TRUNCATED_HEADER = "X-Leongraph-Truncated"


@dataclass(frozen=True)
class Plan:
    """Everything ``execute`` needs; small and picklable, it is what crosses to a worker."""

    text: str
    form: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    results_format: str | None  # None: no results format is acceptable
    graph_format: str | None  # None: no RDF format is acceptable
    max_rows: int


class Rest(Protocol):
    """The rest of a streamed answer, after its first frame (sparql/workers/stream.py)."""

    #: ``time.monotonic()`` past which the answer is cut (the query's timeout).
    deadline: float

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    def close(self) -> None:
        """Stop the answer where it is (the worker writing it is killed), if not ended."""


@dataclass(frozen=True)
class Answer:
    body: bytes  # the whole answer; for a streamed one, its first frame
    content_type: str
    truncated: bool = False
    #: Added by the server after evaluation (the answer cache's X-Cache and ETag).
    extra_headers: tuple[tuple[str, str], ...] = ()
    #: The rest of an answer too long for one frame, streamed (never cached); the row cap
    #: is then known only at its end, so ``truncated`` stays False (see README "Row cap").
    rest: Rest | None = None

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.extra_headers)
        if self.truncated:
            headers[TRUNCATED_HEADER] = "true"
        return headers


def prepare(
    request: SparqlRequest,
    settings: Settings,
    *,
    accept: str | None = None,
    accept_language: str | None = None,
) -> Plan:
    """Check and settle a query request; raises the 4xx error that refuses it."""
    if request.query is None:
        raise BadRequest("The request holds no 'query' parameter.")
    text = _rewrite_labels(request.query, accept_language, settings)
    found = check_query(text, settings)
    results_format, graph_format = choose_formats(request.format, accept)
    if request.has_dataset:
        default, named = request.default_graphs, request.named_graphs
    elif found.has_dataset_clause:
        default, named = tuple(found.from_default), tuple(found.from_named)
    else:
        default, named = None, None
    if found.form in ("SELECT", "ASK") and results_format is None:
        raise _not_acceptable(ResultsFormat.all())
    if found.form in ("CONSTRUCT", "DESCRIBE") and graph_format is None:
        raise _not_acceptable(RdfFormat.all())
    return Plan(
        text=text,
        form=found.form,
        default_graphs=default,
        named_graphs=named,
        results_format=results_format.name if results_format else None,
        graph_format=graph_format.name if graph_format else None,
        max_rows=settings.max_rows,
    )


def choose_formats(
    format_param: str | None, accept: str | None
) -> tuple[ResultsFormat | None, RdfFormat | None]:
    """The results format and the RDF format to answer in: ``format`` overrides Accept."""
    if format_param is not None:
        results = ResultsFormat.from_name(format_param)
        graph = RdfFormat.from_name(format_param)
        if results is None and graph is None:
            names = [f.name for f in (*ResultsFormat.all(), *RdfFormat.all())]
            raise BadRequest(
                f"Unknown format {format_param[:100]!r}; use one of {', '.join(names)} "
                "or a media type.",
                formats=names,
            )
        if graph is None and results is not None:
            graph = _GRAPH_EQUIVALENT.get(results.name)
        return results, graph
    # ``negotiate`` is pure and clients repeat their Accept header: parse each one once.
    pick: _Negotiator = (
        _negotiate_cached if accept is None or len(accept) <= 512 else _negotiate_or_none
    )
    return (
        pick(accept, ResultsFormat.all(), JSON),
        pick(accept, RdfFormat.all(), TURTLE),
    )


def _negotiate_or_none(accept: str | None, offered: tuple[F, ...], default: F) -> F | None:
    try:
        return negotiate(accept, offered, default)
    except NotAcceptable:
        return None


class _Negotiator(Protocol):
    """The signature of ``_negotiate_or_none``, which ``lru_cache`` keeps but cannot type."""

    def __call__(self, accept: str | None, offered: tuple[F, ...], default: F) -> F | None: ...


_negotiate_cached: _Negotiator = functools.lru_cache(maxsize=256)(_negotiate_or_none)


def _not_acceptable(offered: tuple[_Format, ...]) -> NotAcceptable:
    return NotAcceptable(
        "None of the media types offered for this query's answer is acceptable: "
        + ", ".join(f.media_type for f in offered),
        offered=[f.media_type for f in offered],
    )


def _rewrite_labels(text: str, accept_language: str | None, settings: Settings) -> str:
    """Replace the Wikidata label service by plain patterns (label_service.py), when present."""
    check_length(text, settings)  # before any rewriting work
    return _rewrite_cached(text, accept_language)


@functools.lru_cache(maxsize=256)
def _rewrite_cached(text: str, accept_language: str | None) -> str:
    """The rewrite is pure and takes milliseconds for a WDQS query: once per text."""
    return label_service.rewrite_label_service(
        text, label_service.accept_languages(accept_language)
    )


def execute(store: Store, plan: Plan, into: Collector | None = None) -> Answer:
    """Run a prepared query and write its answer (into ``into``, which may refuse to take
    more, when given). Engine failures on a query that parsed become EvaluationError (400);
    syntax errors stay QuerySyntaxError (400)."""
    return write_answer(plan, _running(store, plan), into)


def execute_into(store: Store, plan: Plan, out: AnswerOutput) -> Written:
    """``execute``, writing the answer into ``out`` as the engine produces it (a worker
    streams a large answer this way, sparql/workers/stream.py); the JSON note of a cut
    answer is the caller's to add (``note_truncation``), at the end of what it wrote."""
    return write_into(plan, _running(store, plan), out)


def _running(store: Store, plan: Plan) -> Callable[[], QueryResult]:
    return lambda: store.query(
        plan.text, default_graphs=plan.default_graphs, named_graphs=plan.named_graphs
    )


class OutputClosed(Exception):
    """Raised by an output that takes no more of an answer (a stream whose reader left, a
    buffer that is full); it passes through ``write_into`` unchanged."""


class AnswerOutput(Output, Protocol):
    """Where an answer is written: told its media type before the first byte."""

    def begin(self, content_type: str) -> None: ...


class Collector(AnswerOutput, Protocol):
    """An output that keeps what is written, to be read back whole."""

    def __iter__(self) -> Iterator[bytes]: ...


class Written(NamedTuple):  # a tuple: made once per answer, on every query's path
    """What ``write_into`` tells of the answer it wrote."""

    content_type: str
    truncated: bool
    #: The answer is SPARQL JSON cut by the row cap: its end takes ``note_truncation``.
    note: bool


class _Collected(list[bytes]):
    def begin(self, content_type: str) -> None:
        pass

    def write(self, data: bytes, /) -> int:
        self.append(data if type(data) is bytes else bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def write_answer(
    plan: Plan, run: Callable[[], QueryResult], into: Collector | None = None
) -> Answer:
    """The answer to ``plan`` from the result ``run`` gives (a query run now, or an answer a
    remote engine gave), written in the plan's format within its row cap."""
    parts = _Collected() if into is None else into
    written = write_into(plan, run, parts)
    body = b"".join(parts)
    if written.note:
        body = note_truncation(body, plan.max_rows)
    return Answer(body, written.content_type, written.truncated)


def write_into(plan: Plan, run: Callable[[], QueryResult], out: AnswerOutput) -> Written:
    """``write_answer`` into ``out``, piece by piece."""
    result = None
    try:
        result = run()
        name = plan.graph_format if result.kind == "graph" else plan.results_format
        family = RdfFormat if result.kind == "graph" else ResultsFormat
        fmt = family.from_name(name) if name else None
        if fmt is None:
            raise _not_acceptable(family.all())
        out.begin(fmt.content_type)
        result.write_to(fmt, out, max_rows=plan.max_rows)
    except QuerySyntaxError as exc:  # said in terms of the query's own tokens
        raise explain(plan.text, exc.line, exc.column, exc.message) from exc
    except (LeongraphError, OutputClosed):
        raise
    except MemoryError as exc:
        raise QueryAborted(
            "The query was stopped: it needed more memory than a query may use."
        ) from exc
    except Exception as exc:
        if is_prefix_error(str(exc)):  # rdflib: while translating a query that parsed
            raise explain(plan.text, None, None, str(exc)) from exc
        log.info("evaluation failed", exc_info=True)
        raise EvaluationError(f"The query could not be evaluated: {_describe(exc)}") from exc
    finally:
        if result is not None:
            result.close()
    truncated = bool(result.truncated)
    return Written(fmt.content_type, truncated, truncated and fmt is JSON)


def note_truncation(body: bytes, max_rows: int) -> bytes:
    """Add a top-level member to SPARQL JSON results; clients ignore members they do not know,
    so the document stays valid SPARQL JSON."""
    note = f',"leongraph":{{"truncated":true,"max_rows":{max_rows}}}}}'.encode()
    return body.rstrip()[:-1] + note


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 500 else text[:500] + "…"
