"""What runs a plan: the ``Executor`` interface, and the two executors without worker
processes: in a thread of the server (``workers=0``, the CLI) and against a remote engine.
The pool of forked workers (pool.py) is the third."""

from __future__ import annotations

import abc

import anyio
import httpx

from leongraph import errors
from leongraph.config import Settings
from leongraph.engine import RemoteStore, Store
from leongraph.sparql.evaluation import Answer, Plan, execute, write_answer
from leongraph.vocab import prefixes_used

#: A remote engine's answer shorter than this is read and written on the event loop.
_INLINE_BYTES = 64 * 1024


class Executor(abc.ABC):
    """Runs plans without blocking the event loop, honouring ``settings.timeout``."""

    def __init__(self) -> None:
        #: Held while the server's store is written to (one update at a time, so the server's
        #: store and the workers' stay in step); no zygote is forked meanwhile.
        self.update_lock = anyio.Lock()

    @abc.abstractmethod
    async def run(self, plan: Plan) -> Answer:
        """The answer to ``plan``; raises QueryTimeout past ``settings.timeout``."""

    def placed(self, text: str) -> bool:
        """Whether where ``text`` runs is known without analysing it (its shape's verdict
        is, placement.py): the pipeline then plans a small text at once (pipeline.py)."""
        return False

    async def update(self, text: str) -> None:  # noqa: B027 - nothing to do in-process
        """Bring the workers' copies of the store up to date after ``store.update(text)``."""

    def close(self) -> None:  # noqa: B027 - nothing to stop in-process
        """Stop every process this executor started."""

    def health(self) -> str | None:
        """Why the executor cannot serve every query now (it is healing), or None. Called on
        an event loop, it makes sure the healing is under way."""
        return None


class InProcessExecutor(Executor):
    """Evaluates in a thread of the server: no isolation and no hard timeout."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store

    async def run(self, plan: Plan) -> Answer:
        return await anyio.to_thread.run_sync(execute, self._store, plan)


class RemoteExecutor(Executor):
    """Queries to a remote engine: an async HTTP request bounded by the timeout, then the
    answer read and written in a thread (no worker processes: nothing runs here to kill)."""

    def __init__(self, store: RemoteStore, settings: Settings) -> None:
        super().__init__()
        self._store = store
        self.timeout = settings.timeout

    async def run(self, plan: Plan) -> Answer:
        try:
            with anyio.fail_after(self.timeout):
                response = await self._store.fetch(
                    plan.text,
                    default_graphs=plan.default_graphs,
                    named_graphs=plan.named_graphs,
                    form=plan.form,
                )
        except TimeoutError:
            raise errors.QueryTimeout(
                f"The query ran longer than {self.timeout:g} s; the request to the engine at "
                f"{self._store.url} was cancelled.",
                timeout=self.timeout,
            ) from None
        if len(response.content) < _INLINE_BYTES:
            return self._answer(plan, response)
        return await anyio.to_thread.run_sync(self._answer, plan, response)

    def _answer(self, plan: Plan, response: httpx.Response) -> Answer:
        lines = len(prefixes_used(plan.text))
        return write_answer(plan, lambda: self._store.result_of(response, prefix_lines=lines))
