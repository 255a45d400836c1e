"""Query evaluation that a timeout can stop: the pool of forked worker processes (pool.py), the
processes themselves (process.py) and what crosses between them (wire.py). Imports the engine
interface and the sparql stages; nothing of the web or the CLI."""

from leongraph.sparql.workers.pool import (
    Executor,
    InProcessExecutor,
    ProcessExecutor,
    create_executor,
)

__all__ = ["Executor", "InProcessExecutor", "ProcessExecutor", "create_executor"]
