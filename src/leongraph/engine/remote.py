"""A remote SPARQL 1.1 engine (Oxigraph server, Virtuoso, any SPARQL 1.1 endpoint) behind the
store seam: every query, count and update is an HTTP request to the engine; nothing is copied.

Dataset: leongraph's default graph is the union of the named graphs. How the engine gives it
is settled when the store opens (``RemoteStore.open``):

- ``stored``: the engine's own default graph holds the union, written by ``leongraph load``
  (as in an on-disk store; a fact stated in two graphs is then one triple). Queries send no
  dataset parameter. Updates through leongraph keep it the union (``UNION_SYNC``).
- ``graph`` (Virtuoso): the engine's default graph is the union of *every* graph, its own
  system graphs included, and a triple held by two graphs comes twice. So the union is kept
  in a graph of its own, ``UNION_GRAPH``, written by ``leongraph load`` and kept the union by
  updates through leongraph as in ``stored``. Each query begins with Virtuoso's pragmas
  ``define input:default-graph-uri <UNION_GRAPH>`` and ``define input:named-graph-exclude``
  for that graph and Virtuoso's own graphs (``VIRTUOSO_OWN``), so ``GRAPH ?g`` sees the data's
  named graphs only. An update begins with the first pragma: a triple written to the default
  graph goes to ``UNION_GRAPH``.
- ``engine`` (Virtuoso, data loaded elsewhere, no ``UNION_GRAPH``): the engine's union, with
  its own graphs left out by ``define input:default-graph-exclude`` and
  ``input:named-graph-exclude``; a triple held by two graphs comes twice, as on Oxigraph with
  ``parameter``.
- ``parameter``: the default graph is empty but named graphs hold data (loaded elsewhere into
  Oxigraph server): queries send Oxigraph's ``union-default-graph`` parameter. That union
  yields a triple once per graph holding it, as pyoxigraph does on a store built elsewhere.

A query's own dataset (FROM, FROM NAMED, ``default-graph-uri``) is sent as the protocol's
``default-graph-uri`` / ``named-graph-uri`` parameters. The engine answers SPARQL JSON or
N-Triples, read by pyoxigraph's parsers, so the answer is written by the same writers as the
embedded engine's. Engine timeouts: Virtuoso's ``timeout`` parameter (milliseconds) is sent
with every query; Oxigraph server ignores it (its own limit is ``--timeout-s``)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pyoxigraph as ox

from leongraph.config import REMOTE_ENGINE
from leongraph.engine.base import QueryResult, Store
from leongraph.engine.http import Pool, Unreachable
from leongraph.engine.oxigraph import _parse_error, ox_result
from leongraph.engine.terms import Term
from leongraph.errors import (
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    EvaluationError,
    Forbidden,
    QuerySyntaxError,
)
from leongraph.vocab import UNION_GRAPH, prefixes_used

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
#: By query form: Virtuoso answers a CONSTRUCT in SPARQL JSON when both are acceptable.
ACCEPT_RESULTS, ACCEPT_GRAPH = "application/sparql-results+json", "application/n-triples"
_GRAPH_FORM = re.compile(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)
#: After an update, the default graph is made the union of the named graphs again (mode
#: ``stored``): what a named graph gained is added; with a deletion, what no graph holds goes.
UNION_ADD = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }"
UNION_DROP = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
_REMOVES = re.compile(r"\b(DELETE|CLEAR|DROP|MOVE)\b", re.IGNORECASE)
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: Virtuoso's own graphs, in every database it creates (its schemas, WebDAV, service
#: description, the OWL and LDP vocabularies it loads): not part of leongraph's dataset.
VIRTUOSO_OWN = re.compile(
    r"^(http://www\.openlinksw\.com/.*|http://www\.w3\.org/ns/ldp#|"
    r"http://www\.w3\.org/2002/07/owl#|https?://[^/]+/(DAV/|sparql))$"
)
_VIRTUOSO_SYNTAX = re.compile(r"SP030: SPARQL compiler, line (\d+): ([^\n]*)")
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Quads per INSERT DATA request of ``leongraph load`` (each also written to the union graph:
#: twice the triples); Virtuoso refuses a request whose SQL exceeds 10,000 lines.
BATCH = 20_000
VIRTUOSO_BATCH = 200
#: How long graph sizes are kept between two counts (seconds): pages and VoID read them.
SIZES_TTL = 5.0
#: Bytes of a bad answer quoted in the error.
QUOTE = 200


def quote(body: bytes) -> str:
    text = body[:QUOTE].decode("utf-8", "replace")
    return repr(text + ("…" if len(body) > QUOTE else ""))


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint, read through the protocol (see the module doc). ``client`` and
    ``async_client`` may be given (tests pass ``httpx.MockTransport``); ``timeout`` bounds
    every request, and is passed to the engine where it takes one."""

    engine = REMOTE_ENGINE

    def __init__(
        self,
        url: str,
        update_url: str | None = None,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        mode: str = "stored",
    ) -> None:
        self.url = url
        self.update_url = update_url or url
        self.timeout = timeout
        limits = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._client = client or httpx.Client(timeout=limits)
        self._async_client = async_client
        self._async_limits = limits
        #: An async client is bound to its event loop: one per loop (a server runs one).
        self._loop_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._loop_clients = weakref.WeakKeyDictionary()
        #: Plain http: leongraph's own kept-alive connections (engine/http.py), one pool per loop.
        self._loop_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Pool]
        self._loop_pools = weakref.WeakKeyDictionary()
        self.mode = mode
        self.server = ""
        #: Most quads ``leongraph load`` writes in one INSERT DATA request.
        self.batch = BATCH
        #: Virtuoso's own graphs found at start (``VIRTUOSO_OWN``), left out of the dataset.
        self.hidden: list[str] = []
        self._sizes: tuple[float, dict[str, int]] | None = None

    # -- opening

    @classmethod
    def open(cls, url: str, update_url: str | None = None, **kwargs: Any) -> RemoteStore:
        """Connect and check that ``url`` is a SPARQL endpoint; settle the dataset mode.
        Raises EngineUnavailable (unreachable) or EngineError (not a SPARQL endpoint)."""
        store = cls(url, update_url, **kwargs)
        store.probe()
        return store

    def probe(self) -> None:
        accept = {"Accept": ACCEPT}
        response = self._send("GET", self.url, params={"query": "ASK { ?s ?p ?o }"}, headers=accept)
        self.server = response.headers.get("server", "")
        answer = self._boolean(response, what="ASK { ?s ?p ?o }")
        if self.virtuoso:
            graphs = {str(g) for (g,) in self.query(_GRAPHS).rows() if g is not None}
            self.hidden = sorted(g for g in graphs if VIRTUOSO_OWN.match(g))
            data = graphs - {*self.hidden, str(UNION_GRAPH)}
            self.mode = "graph" if str(UNION_GRAPH) in graphs or not data else "engine"
            self.batch = VIRTUOSO_BATCH
        elif answer:
            self.mode = "stored"
        else:
            ask = {"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}
            named = self._send("GET", self.url, params=ask, headers=accept)
            self.mode = "parameter" if self._boolean(named, what="ASK") else "stored"

    @property
    def virtuoso(self) -> bool:
        return "virtuoso" in self.server.lower()

    def pragmas(self, *, dataset: bool, update: bool = False, counting: bool = False) -> str:
        """Virtuoso's ``define`` pragmas giving leongraph's dataset (see the module doc);
        empty on other engines, in mode ``graph`` (dataset parameters instead) and for a query
        naming its own dataset."""
        if not self.virtuoso or dataset:
            return ""
        if update:
            return (
                f"define input:default-graph-uri <{UNION_GRAPH}> " if self.mode == "graph" else ""
            )
        hidden = [f"<{g}>" for g in self.hidden]
        if self.mode == "graph":  # only for counting the named graphs (``graph_sizes``)
            if not counting:
                return ""
            found = [f"define input:named-graph-exclude {g}" for g in [*hidden, f"<{UNION_GRAPH}>"]]
        else:
            found = [f"define input:default-graph-exclude {g}" for g in hidden]
            found += [f"define input:named-graph-exclude {g}" for g in hidden]
        return " ".join(found) + " " if found else ""

    def dataset(self) -> list[tuple[str, str]]:
        """Mode ``graph``: ``UNION_GRAPH`` as the default graph and the data's named graphs
        (as last counted: at most ``SIZES_TTL`` seconds old) as the named graphs. Virtuoso
        cannot leave the graph holding the default graph out of ``GRAPH ?g`` otherwise."""
        if self.mode != "graph":
            return []
        named = sorted(self.graph_sizes()) or [str(UNION_GRAPH)]  # none: the empty union
        return [("default-graph-uri", str(UNION_GRAPH))] + [("named-graph-uri", g) for g in named]

    def _fresh(self) -> bool:
        return self._sizes is not None and time.monotonic() - self._sizes[0] < SIZES_TTL

    def _boolean(self, response: httpx.Response, *, what: str) -> bool:
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        found = ox.QueryResultsFormat.from_media_type(kind) if kind else None
        if response.status_code != 200 or found is None:
            raise EngineError(
                f"{self.url} is not a SPARQL endpoint: it answered {what} with "
                f"{response.status_code} {kind or 'no content type'}: {quote(response.content)}",
                engine=self.url,
            )
        try:
            parsed = ox.parse_query_results(response.content, format=found)
        except (SyntaxError, ValueError) as exc:
            raise self._malformed(response.content, exc) from exc
        if not isinstance(parsed, ox.QueryBoolean):
            raise EngineError(f"{self.url} answered {what} without a boolean", engine=self.url)
        return bool(parsed)

    # -- requests

    def query_params(
        self,
        text: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> list[tuple[str, str]]:
        """The protocol parameters of one query: the text with the predeclared prefixes it
        uses, the dataset, and the engine's own timeout (Virtuoso, in milliseconds)."""
        used = prefixes_used(text)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in used.items())
        # on the first line: the user's lines keep their numbers in the engine's errors
        own = bool(default_graphs or named_graphs)
        params = [("query", self.pragmas(dataset=own) + head + text)]
        if default_graphs is None and self.mode == "parameter":
            params.append(("union-default-graph", ""))
        if not own:
            params += self.dataset()
        params += [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        if self.virtuoso:
            params.append(("timeout", str(int(self.timeout * 1000))))
        return params

    def accept(self, text: str, form: str | None = None) -> dict[str, str]:
        """The Accept header of a query: the one format its form gives (the form as the plan
        knows it, or else as a CONSTRUCT or DESCRIBE keyword starting a line shows it)."""
        if form is None:
            form = "CONSTRUCT" if _GRAPH_FORM.search(text) else "SELECT"
        graph = form.upper() in ("CONSTRUCT", "DESCRIBE")
        return {"Accept": ACCEPT_GRAPH if graph else ACCEPT_RESULTS}

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise self.timed_out(exc) from exc
        except httpx.HTTPError as exc:
            raise self.unreachable(exc) from exc

    async def fetch(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        form: str | None = None,
    ) -> httpx.Response:
        """The engine's answer to a query, without blocking the event loop; the caller bounds
        the wait (leaving cancels the request to the engine)."""
        if self.mode == "graph" and not self._fresh():  # count the graphs off the event loop
            await asyncio.to_thread(self.graph_sizes)
        params = self.query_params(text, default_graphs, named_graphs)
        headers = self.accept(text, form)
        loop = asyncio.get_running_loop()
        try:
            if self._async_client is None and self.url.startswith("http://"):
                pool = self._loop_pools.get(loop)
                if pool is None:
                    pool = self._loop_pools[loop] = Pool(self.url, self._async_limits.connect or 5)
                return await pool.post_form(_pairs(params), headers)
            client = self._async_client or self._loop_clients.get(loop)
            if client is None:
                client = self._loop_clients[loop] = httpx.AsyncClient(timeout=self._async_limits)
            return await client.post(self.url, data=_pairs(params), headers=headers)
        except httpx.TimeoutException as exc:
            raise self.timed_out(exc) from exc
        except (httpx.HTTPError, Unreachable) as exc:
            raise self.unreachable(exc) from exc

    def unreachable(self, exc: BaseException) -> EngineUnavailable:
        reason = str(exc) or type(exc).__name__
        return EngineUnavailable(
            f"The SPARQL engine at {self.url} cannot be reached: {reason}", engine=self.url
        )

    def timed_out(self, exc: BaseException) -> EngineTimeout:
        return EngineTimeout(
            f"The SPARQL engine at {self.url} did not answer within {self.timeout:g} s "
            f"({type(exc).__name__})",
            engine=self.url,
        )

    def _malformed(self, body: bytes, exc: BaseException) -> EngineError:
        return EngineError(
            f"The SPARQL engine at {self.url} answered malformed results ({exc}); "
            f"it began: {quote(body)}",
            engine=self.url,
        )

    # -- answers

    def result_of(self, response: httpx.Response, *, prefix_lines: int = 0) -> QueryResult:
        """The engine's answer as a ``QueryResult`` (its errors as leongraph's)."""
        body = response.content
        if response.status_code >= 400:
            raise self._refused(response, prefix_lines)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.headers.get("x-sql-state") == "S1TAT":  # Virtuoso's partial answer
            raise EngineTimeout(
                f"The SPARQL engine at {self.url} stopped the query at its own timeout",
                engine=self.url,
            )
        results_format = ox.QueryResultsFormat.from_media_type(kind) if kind else None
        rdf_format = ox.RdfFormat.from_media_type(kind) if kind else None
        try:
            if results_format is not None:
                parsed = ox.parse_query_results(body, format=results_format)
                if isinstance(parsed, ox.QuerySolutions):
                    for _ in parsed:  # read now: a malformed answer fails here, not later
                        pass
                    fmt = results_format
                    return ox_result(
                        ox.parse_query_results(body, format=fmt),
                        lambda: ox.parse_query_results(body, format=fmt),
                    )
                return ox_result(parsed, lambda: parsed)
            if rdf_format is not None:
                parsed_triples = ox.parse(body, format=rdf_format)
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed_triples]
                return ox_result(iter(triples), lambda: iter(triples))
        except (SyntaxError, ValueError) as exc:
            raise self._malformed(body, exc) from exc
        raise EngineError(
            f"The SPARQL engine at {self.url} answered {kind or 'no content type'}, not SPARQL "
            f"results; it began: {quote(body)}",
            engine=self.url,
        )

    def _refused(self, response: httpx.Response, prefix_lines: int) -> Exception:
        message = response.content[:2000].decode("utf-8", "replace").strip()
        status = response.status_code
        if status in (408, 504) or "timeout" in message.lower()[:200]:
            return EngineTimeout(
                f"The SPARQL engine at {self.url} gave up on the query ({status}): "
                f"{message[:QUOTE]}",
                engine=self.url,
            )
        if status in (401, 403):
            return Forbidden(
                f"The SPARQL engine at {self.url} refused the request ({status}): {message[:QUOTE]}"
            )
        if status >= 500 or status == 404:
            return EngineError(
                f"The SPARQL engine at {self.url} failed ({status}): {quote(response.content)}",
                engine=self.url,
            )
        virtuoso = _VIRTUOSO_SYNTAX.search(message)
        if virtuoso is not None:  # Virtuoso names the line only
            line = max(int(virtuoso.group(1)) - prefix_lines, 1)
            return QuerySyntaxError(virtuoso.group(2)[:QUOTE], line=line)
        found = _parse_error(Exception(message))
        if found.line is not None:  # lines of the text as the user wrote it
            return QuerySyntaxError(
                message, line=max(found.line - prefix_lines, 1), column=found.column
            )
        return EvaluationError(f"The SPARQL engine refused the query: {message[:500]}")

    # -- the Store interface

    def query(
        self,
        text: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> QueryResult:
        params = self.query_params(text, default_graphs, named_graphs)
        response = self._send("POST", self.url, data=_pairs(params), headers=self.accept(text))
        return self.result_of(response, prefix_lines=len(prefixes_used(text)))

    def graph_sizes(self) -> dict[str, int]:
        """Counted by the engine; kept ``SIZES_TTL`` seconds, dropped at once by an update."""
        now = time.monotonic()
        if self._sizes is not None and now - self._sizes[0] < SIZES_TTL:
            return dict(self._sizes[1])
        params = [("query", self.pragmas(dataset=False, counting=True) + _GRAPH_SIZES)]
        response = self._send("POST", self.url, data=_pairs(params), headers={"Accept": ACCEPT})
        rows = self.result_of(response).rows()
        sizes = {str(g): int(str(n)) for g, n in rows if g is not None and n is not None}
        self._sizes = (now, sizes)
        return dict(sizes)

    def quads(self, graph: str | None = None) -> Iterator[tuple[Term, Term, Term, Term | None]]:
        if graph is None:
            text = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        else:
            text = (
                f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ <{graph}> }} }}"
            )
        for s, p, o, g in self.query(text).rows():
            if s is not None and p is not None and o is not None:
                yield s, p, o, g

    def fingerprint(self) -> str:
        """A digest of the named graphs and their sizes, counted by the engine now: cheap at
        any size, it misses a change that leaves every graph's size as it was."""
        self._sizes = None
        sizes = self.graph_sizes()
        digest = hashlib.sha256(self.url.encode())
        for g in sorted(sizes):
            digest.update(f"{g} {sizes[g]}\n".encode())
        return digest.hexdigest()

    def forget(self) -> None:
        """Count again on next use (the data changed)."""
        self._sizes = None

    def update(self, text: str) -> None:
        """The update, then (mode ``stored``) the union made again, in one request (one
        transaction on engines that run a request as one)."""
        body = text
        if self.mode in ("stored", "graph"):
            add, drop = (UNION_ADD, UNION_DROP) if self.mode == "stored" else self._union_sync()
            body = text.rstrip().rstrip(";") + "\n;\n" + add
            if _REMOVES.search(text):
                body += " ;\n" + drop
        self.post_update(body)
        self._sizes = None

    def _union_sync(self) -> tuple[str, str]:
        """``UNION_ADD`` and ``UNION_DROP`` for mode ``graph``: ``UNION_GRAPH`` made the union
        of the data's named graphs again."""
        union = f"<{UNION_GRAPH}>"
        others = ", ".join([union, *(f"<{g}>" for g in self.hidden)])
        add = (
            f"INSERT {{ GRAPH {union} {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER (?g NOT IN ({others})) FILTER NOT EXISTS {{ GRAPH {union} {{ ?s ?p ?o }} }} }}"
        )
        drop = (
            f"DELETE {{ GRAPH {union} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {union} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({others})) }} }}"
        )
        return add, drop

    def post_update(self, text: str) -> None:
        """Send a SPARQL Update as it is (with the predeclared prefixes it uses; on Virtuoso,
        the default graph as ``UNION_GRAPH``, see the module doc)."""
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes_used(text).items())
        body = self.pragmas(dataset=False, update=True) + head + text
        response = self._send("POST", self.update_url, data={"update": body})
        if response.status_code >= 400:
            raise self._refused(response, len(prefixes_used(text)))

    def close(self) -> None:
        self._client.close()


def _pairs(params: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Repeated protocol parameters as httpx takes them."""
    grouped: dict[str, list[str]] = {}
    for k, v in params:
        grouped.setdefault(k, []).append(v)
    return grouped


__all__ = ["RemoteStore"]
