"""The project's errors, all of them. Domain code raises these; each class carries its HTTP
status and title, and the web layer (web/errors.py) renders every one as the same error body.

LeongraphError
├── BadRequest                 400  the request cannot be understood
│   ├── QuerySyntaxError       400  the SPARQL text does not parse (line, column, message)
│   ├── UnsupportedQuery       400  parses, but asks for what this service refuses (SERVICE)
│   └── EvaluationError        400  parses, but the engine cannot evaluate it
├── Unauthorized               401  a write without a valid token (WWW-Authenticate: Bearer)
├── Forbidden                  403  updates while they are disabled; a graph the role may not write
├── UnknownResource            404  no such resource, graph or file
├── MethodNotAllowed           405  (with an Allow header)
├── NotAcceptable              406  no offered format fits the Accept header
├── Conflict                   409  a revert over later edits of the same triples
├── PreconditionFailed         412  If-Match names a version that is no longer current
├── PayloadTooLarge            413
├── UnsupportedMediaType       415
├── ShapeViolation             422  an edit would break the SHACL shapes (with the report)
├── TooManyRequests            429  repeated bad tokens from one client (with Retry-After)
├── HeadersTooLarge            431  request line and headers past ``max_header_bytes``
├── ServerBusy                 503  more connections or requests at once than allowed
├── QueryTimeout               503  evaluation ran past the configured timeout
│   ├── QueryAborted           503  evaluation stopped for want of resources
│   │   └── WorkerLost         503  the worker process died while evaluating
│   └── WorkersRestarting      503  the query workers are being restarted (their zygote died)
├── EngineError                502  a remote SPARQL engine failed or answered malformed results
│   ├── EngineUnavailable      502  the engine cannot be reached (down, refused, bad address)
│   └── EngineTimeout          504  the engine did not answer in time, or gave up itself
└── DataError                  (not HTTP) a data/ontology file is malformed: file, line, reason

``headers`` holds response headers an error asks for (``Allow`` on a 405, ``Retry-After`` on
every 503).
"""

from __future__ import annotations


class LeongraphError(Exception):
    """Base class; ``message`` is meant for a person."""

    status: int = 500
    title: str = "Internal error"
    headers: dict[str, str] | None = None

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(LeongraphError):
    status = 400
    title = "Bad request"


class QuerySyntaxError(BadRequest):
    title = "Query syntax error"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message, line=line, column=column)
        self.line = line
        self.column = column


class UnsupportedQuery(BadRequest):
    title = "Unsupported query"


class EvaluationError(BadRequest):
    """The engine could not evaluate a query that parsed (an engine limitation or type error)."""

    title = "Query evaluation error"


class Forbidden(LeongraphError):
    status = 403
    title = "Forbidden"


class Unauthorized(LeongraphError):
    """No token, or a wrong or revoked one; the message never repeats what was sent."""

    status = 401
    title = "Unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.headers = {"WWW-Authenticate": 'Bearer realm="leongraph"'}


class Conflict(LeongraphError):
    status = 409
    title = "Conflict"


class PreconditionFailed(LeongraphError):
    status = 412
    title = "Precondition failed"


class ShapeViolation(LeongraphError):
    status = 422
    title = "Shape violation"


class TooManyRequests(LeongraphError):
    status = 429
    title = "Too many requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


class UnknownResource(LeongraphError):
    status = 404
    title = "Not found"


class MethodNotAllowed(LeongraphError):
    status = 405
    title = "Method not allowed"

    def __init__(self, message: str, *, allow: list[str]) -> None:
        super().__init__(message, allow=allow)
        self.headers = {"Allow": ", ".join(allow)}


class NotAcceptable(LeongraphError):
    status = 406
    title = "Not acceptable"


class PayloadTooLarge(LeongraphError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(LeongraphError):
    status = 415
    title = "Unsupported media type"


class HeadersTooLarge(LeongraphError):
    status = 431
    title = "Request header fields too large"


class ServerBusy(LeongraphError):
    """More connections or requests at once than ``settings.limit_concurrency``."""

    status = 503
    title = "Server busy"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message, **details)
        self.headers = {"Retry-After": "1"}


class QueryTimeout(LeongraphError):
    status = 503
    title = "Query timeout"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message, **details)
        self.headers = {"Retry-After": "1"}  # every 503 says when to come back


class QueryAborted(QueryTimeout):
    """Evaluation stopped for want of resources (the worker's memory cap), not for time."""

    title = "Query aborted"


class WorkerLost(QueryAborted):
    """The worker died while evaluating (memory cap reached, or a crash in the engine)."""


class EngineError(LeongraphError):
    """A remote SPARQL engine (engine/remote.py) failed; ``engine`` names its URL."""

    status = 502
    title = "Engine error"


class EngineUnavailable(EngineError):
    title = "Engine unavailable"


class EngineTimeout(EngineError):
    status = 504
    title = "Engine timeout"


class WorkersRestarting(QueryTimeout):
    """The pool of query workers lost its zygote and has not replaced it yet."""

    title = "Query workers restarting"


class DataError(LeongraphError):
    """A bundled or user-given RDF file is malformed; raised at load, before serving."""

    title = "Invalid data"

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", path=path, line=line)
        self.path = path
        self.line = line
