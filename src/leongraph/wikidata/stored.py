"""The reconciliation name index kept beside an on-disk store: ``leongraph load`` builds it
(``store_index``) and the server opens it with the store (``open_index``) instead of reading
every resource at its first reconciliation request (21 s at 1M triples).

The file names the fingerprint of the data it was read from; an index whose fingerprint is not
the store's (an edit since, a load after it) is never used: the caller builds one anew."""

from __future__ import annotations

import gc
import io
import os
import pickle
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from leongraph.engine import OxigraphStore, Store
from leongraph.wikidata.matching import Index, build_index

#: Written by ``leongraph load`` beside the store's meta file.
INDEX_FILE = "leongraph-names.pickle"
#: Bumped whenever Index or Entity change shape: an older file is then ignored.
VERSION = 1


def store_index(directory: Path) -> Index:
    """Build the index of the on-disk store at ``directory`` and write it there."""
    store = OxigraphStore.open_read_only(directory)
    index = build_index(store)
    index.__dict__["_shapes"] = index._shapes  # what matching reads first, ready at once
    tmp = directory / (INDEX_FILE + ".tmp")
    with tmp.open("wb") as f:
        _Pickler(f).dump((VERSION, store.fingerprint(), _shared(index)))
    os.replace(tmp, directory / INDEX_FILE)
    return index


def open_index(directory: Path | None, store: Store) -> Index | None:
    """The index written beside the store at ``directory`` if it was read from the data the
    store holds now, else None."""
    path = None if directory is None else Path(directory) / INDEX_FILE
    if path is None or not path.is_file():
        return None
    # A million objects, none in a cycle: collecting while reading them takes three times as
    # long as reading.
    gc.disable()
    try:
        with path.open("rb") as f:
            version, fingerprint, index = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None  # unreadable or of another release: built anew
    finally:
        gc.enable()
    if version != VERSION or not isinstance(index, Index) or fingerprint != store.fingerprint():
        return None
    return index


def _shared(index: Index) -> Index:
    """The index with each equal string and term one object, written once (memo) and read
    back once: a 1M-triple store's index then opens in under a second instead of seven."""
    seen: dict[Any, Any] = {}

    def one(value: Any) -> Any:
        return seen.setdefault((type(value), value), value)

    for e in index.entities.values():
        e.types = {one(t) for t in e.types}
        e.names = [(one(n), w) for n, w in e.names]
        e.facts = {one(p): [one(v) for v in values] for p, values in e.facts.items()}
    return index


class _Pickler(pickle.Pickler):
    """rdflib terms written as plain values, read back without rdflib's checks and parsing
    (the values were checked and parsed when the index was built)."""

    def __init__(self, f: io.BufferedWriter) -> None:
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is URIRef:
            return _uri, (str(obj),)
        if type(obj) is Literal:
            dt = obj.datatype
            return _literal, (
                str(obj),
                obj.language,
                None if dt is None else str(dt),
                obj.value,
                obj.ill_typed,
            )
        return NotImplemented


def _uri(value: str) -> URIRef:
    return str.__new__(URIRef, value)


def _literal(
    lexical: str, language: str | None, datatype: str | None, value: Any, ill: bool | None
) -> Literal:
    literal = str.__new__(Literal, lexical)
    literal._language = language
    literal._datatype = None if datatype is None else _uri(datatype)
    literal._value = value
    literal._ill_typed = ill
    return literal


__all__ = ["INDEX_FILE", "open_index", "store_index"]
