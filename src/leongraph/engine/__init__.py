"""The query engine behind one interface: ``Store`` and ``QueryResult`` (base.py), Oxigraph
(oxigraph.py, the default), rdflib (rdflib_store.py), a remote SPARQL engine (remote.py),
on-disk stores (persistence.py), loading into a remote engine (remote_load.py), the results
writers (results.py) and the statistics the work bound reads (statistics.py).

The only package that imports pyoxigraph. It imports the shared modules (formats, errors,
vocab) and nothing else of leongraph."""

from rdflib import Dataset

from leongraph.engine.base import Output, QueryResult, Store
from leongraph.engine.oxigraph import OxigraphStore
from leongraph.engine.persistence import load_files
from leongraph.engine.rdflib_store import RdflibStore
from leongraph.engine.remote import RemoteStore
from leongraph.engine.remote_load import load_remote, quads_of
from leongraph.engine.statistics import Statistics
from leongraph.engine.terms import Term


def from_dataset(ds: Dataset, *, engine: str = "oxigraph") -> Store:
    """An in-memory store holding ``ds``, behind the named engine."""
    if engine == "rdflib":
        return RdflibStore(ds)
    return OxigraphStore.from_quads(ds.quads((None, None, None, None)))


__all__ = [
    "Output",
    "OxigraphStore",
    "QueryResult",
    "RdflibStore",
    "RemoteStore",
    "Statistics",
    "Store",
    "Term",
    "from_dataset",
    "load_files",
    "load_remote",
    "quads_of",
]
