"""The project's errors. Domain code raises these; app.py maps each class to an HTTP status once.

LeongraphError
├── BadRequest                 400  the request cannot be understood
│   ├── QuerySyntaxError       400  the SPARQL text does not parse (line, column, message)
│   └── UnsupportedQuery       400  parses, but asks for what this service refuses (SERVICE)
├── Forbidden                  403  updates while they are disabled
├── UnknownResource            404  no such resource, graph or file
├── MethodNotAllowed           405
├── NotAcceptable              406  no offered format fits the Accept header
├── PayloadTooLarge            413
├── UnsupportedMediaType       415
├── QueryTimeout               503  evaluation ran past the configured timeout
└── DataError                  (not HTTP) a data/ontology file is malformed: file, line, reason
"""

from __future__ import annotations


class LeongraphError(Exception):
    """Base class; ``message`` is meant for a person."""

    status: int = 500
    title: str = "Internal error"

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


class Forbidden(LeongraphError):
    status = 403
    title = "Forbidden"


class UnknownResource(LeongraphError):
    status = 404
    title = "Not found"


class MethodNotAllowed(LeongraphError):
    status = 405
    title = "Method not allowed"


class NotAcceptable(LeongraphError):
    status = 406
    title = "Not acceptable"


class PayloadTooLarge(LeongraphError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(LeongraphError):
    status = 415
    title = "Unsupported media type"


class QueryTimeout(LeongraphError):
    status = 503
    title = "Query timeout"


class DataError(LeongraphError):
    """A bundled or user-given RDF file is malformed; raised at load, before serving."""

    title = "Invalid data"

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", path=path, line=line)
        self.path = path
        self.line = line
