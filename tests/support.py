"""Helpers shared by test modules of several folders (fixtures live in conftest.py)."""

from __future__ import annotations

import socket

from leongraph.config import Settings
from leongraph.sparql.evaluation import Plan, prepare
from leongraph.sparql.protocol import SparqlRequest


def plan(text: str, settings: Settings | None = None, **request: object) -> Plan:
    """The plan of a query as the endpoint makes it (``format=`` and dataset in ``request``)."""
    return prepare(SparqlRequest(query=text, **request), settings or Settings())  # type: ignore[arg-type]


def free_port() -> int:
    """A TCP port of the loopback interface that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
