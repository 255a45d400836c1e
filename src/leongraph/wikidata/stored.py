"""The reconciliation name index kept beside an on-disk store: ``leongraph load`` builds it
(``store_index``) and the server opens it with the store (``open_index``) instead of reading
every resource at its first reconciliation request (21 s at 1M triples).

The file holds plain values only (strings, numbers, tuples, bytes), written by ``marshal``:
reading them back is little more than a copy (a third of the time a pickle of the 80k entity
objects of 1M triples took), and the entities are made when first asked for. Each entity's
facts stay as text until read (terms.py); the postings of the names (grams.py) come with it.

The file names the fingerprint of the data it was read from; an index whose fingerprint is not
the store's (an edit since, a load after it) is never used: the caller builds one anew."""

from __future__ import annotations

import gc
import marshal
import os
from pathlib import Path
from typing import Any

from leongraph.engine import OxigraphStore, Store
from leongraph.vocab import RES
from leongraph.wikidata.grams import Shapes
from leongraph.wikidata.matching import Entity, Index, build_index
from leongraph.wikidata.terms import SEP, Facts

#: Written by ``leongraph load`` beside the store's meta file.
INDEX_FILE = "leongraph-names.index"
#: What releases before this one wrote: removed when a new index is written.
OLD_FILES = ("leongraph-names.pickle",)
#: Bumped whenever the file's layout changes: an older file is then ignored.
VERSION = 2


def store_index(directory: Path) -> Index:
    """Build the index of the on-disk store at ``directory`` and write it there."""
    store = OxigraphStore.open_read_only(directory)
    index = build_index(store)
    tmp = directory / (INDEX_FILE + ".tmp")
    with tmp.open("wb") as f:
        header = marshal.dumps((VERSION, store.fingerprint()))
        f.write(len(header).to_bytes(4, "little") + header)
        f.write(marshal.dumps(_plain(index)))
    os.replace(tmp, directory / INDEX_FILE)
    for old in OLD_FILES:
        (directory / old).unlink(missing_ok=True)
    return index


def open_index(directory: Path | None, store: Store) -> Index | None:
    """The index written beside the store at ``directory`` if it was read from the data the
    store holds now, else None."""
    path = None if directory is None else Path(directory) / INDEX_FILE
    if path is None or not path.is_file():
        return None
    # Half a million objects, none in a cycle: collecting while making them would take
    # longer than making them.
    gc.disable()
    try:
        with path.open("rb") as f:  # marshal.load(f) would read a file in small pieces
            header = marshal.loads(f.read(int.from_bytes(f.read(4), "little")))
            if header != (VERSION, store.fingerprint()):
                return None  # of other data, or of another release: built anew
            return _index(marshal.loads(f.read()))
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        return None  # unreadable: built anew
    finally:
        gc.enable()


def _plain(index: Index) -> dict[str, Any]:
    """The index as plain values, one list per field of the entities."""
    entities = list(index.entities.values())
    sets: dict[frozenset[str], int] = {}
    res = str(RES)
    for e in entities:
        assert e.iri == res + e.id and isinstance(e.facts, Facts)
    predicates = sorted({p for e in entities for p in e.facts})
    number = {p: str(n) for n, p in enumerate(predicates)}
    return {
        "classes": index.classes,
        "properties": index.properties,
        "superclasses": {c: tuple(sorted(s)) for c, s in index.superclasses.items()},
        "wikidata_properties": index.wikidata_properties,
        "ids": [e.id for e in entities],
        "names": [e.name for e in entities],
        "descriptions": [e.description for e in entities],
        "folded": [tuple(e.names) for e in entities],
        "types": [sets.setdefault(frozenset(e.types), len(sets)) for e in entities],
        "type_sets": [tuple(sorted(s)) for s in sets],
        "wikidata": [e.wikidata for e in entities],
        "confirmed": [e.confirmed for e in entities],
        "predicates": predicates,
        "facts": [_numbered(e.facts, number) for e in entities if isinstance(e.facts, Facts)],
        "shapes": index.shapes.plain(),
    }


def _numbered(facts: Facts, number: dict[str, str]) -> str:
    """Facts with each predicate IRI written as its number in the file's list of them."""
    raw = list(facts.raw)
    raw[0::2] = [number[p] for p in raw[0::2]]
    return SEP.join(raw)


def _index(plain: dict[str, Any]) -> Index:
    """The index of the plain values, making each entity when first asked for."""
    res = str(RES)
    sets = [frozenset(s) for s in plain["type_sets"]]
    ids, names, descriptions, folded = (
        plain[k] for k in ("ids", "names", "descriptions", "folded")
    )
    types, wikidata, confirmed, facts = (
        plain[k] for k in ("types", "wikidata", "confirmed", "facts")
    )
    predicates = plain["predicates"]
    if not len(ids) == len(names) == len(descriptions) == len(folded) == len(types) == len(facts):
        raise ValueError("columns of unequal length")

    def make(i: int) -> Entity:
        id = ids[i]
        return Entity(
            res + id,
            id,
            names[i],
            descriptions[i],
            list(folded[i]),
            sets[types[i]],
            wikidata[i],
            confirmed[i],
            Facts(facts[i], predicates),
        )

    supers = {c: set(s) for c, s in plain["superclasses"].items()}
    index = Index((), plain["classes"], plain["properties"], supers, lazy=(ids, make))
    index.wikidata_properties = plain["wikidata_properties"]
    index.__dict__["shapes"] = Shapes.from_plain(plain["shapes"])
    return index


__all__ = ["INDEX_FILE", "open_index", "store_index"]
