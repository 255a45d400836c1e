"""Running plans: the ``Executor`` interface with the executors that need no process of their
own (executors.py: in a thread, or against a remote engine), the pool of forked worker
processes that a timeout can stop (pool.py), the processes themselves (process.py) and what
crosses between them (wire.py). Imports the engine and the sparql stages; nothing of the web
or the CLI."""

from leongraph.sparql.workers.executors import Executor, InProcessExecutor, RemoteExecutor
from leongraph.sparql.workers.pool import ProcessExecutor, create_executor

__all__ = [
    "Executor",
    "InProcessExecutor",
    "ProcessExecutor",
    "RemoteExecutor",
    "create_executor",
]
