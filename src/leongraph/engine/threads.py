"""pyo3 "unsendable" objects: a pyoxigraph iterator must be released by the thread that made it.
Results hold their iterators through ``Bound`` holders; a holder dropped on another thread (a
thread pool, the cyclic collector, a traceback kept by a parser) parks its iterator until its
own thread next enters the store (``bury``)."""

from __future__ import annotations

import atexit
import collections
import ctypes
import itertools
import threading
from collections.abc import Iterator
from typing import Any

#: pyoxigraph objects whose last reference went away on a foreign thread, by owning thread.
_graveyards: dict[int, list[object]] = collections.defaultdict(list)
_thread = threading.local()
_tokens = itertools.count()


def _thread_token() -> int:
    """A number for the running thread that, unlike ``threading.get_ident()``, no later thread
    reuses (pyo3 checks Rust thread ids, which are never reused either)."""
    token = getattr(_thread, "token", None)
    if token is None:
        token = _thread.token = next(_tokens)
    return token


class Bound:
    """Holds a pyoxigraph iterator, which must be released by the thread that made it (pyo3
    "unsendable" objects). Generators and closures reference this holder, never the iterator;
    dropped elsewhere (a thread pool, the cyclic collector, a traceback kept by a parser), the
    holder parks the iterator until its own thread next enters the store."""

    __slots__ = ("obj", "owner")

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.owner = _thread_token()

    def __del__(self) -> None:
        if self.obj is not None and _thread_token() != self.owner:
            _graveyards[self.owner].append(self.obj)

    def drain(self) -> Iterator[Any]:
        """Items of the iterator; the generator's frame holds only the holder."""
        while (item := next(self.obj, _END)) is not _END:
            yield item


_END = object()


def bury() -> None:
    """Release what this thread's holders parked while they were dropped elsewhere."""
    _graveyards.pop(_thread_token(), None)


@atexit.register
def _keep_parked() -> None:
    """At exit, what holders parked for other threads is never released: dropping it on this
    thread would make pyo3 print an error for each object, and the process is ending."""
    for parked in _graveyards.values():
        for obj in parked:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))
