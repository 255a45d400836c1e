"""On-disk stores: ``load_files`` bulk-loads RDF files (and the bundled dataset) into an Oxigraph
store and records what ``OxigraphStore.open_read_only`` needs to open it without a scan."""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Dataset

from leongraph import formats
from leongraph.engine.oxigraph import META_FILE, OxigraphStore, ox_rdf_format, with_union
from leongraph.engine.rdflib_store import RdflibStore
from leongraph.engine.terms import ox_quad
from leongraph.errors import DataError
from leongraph.vocab import GRAPH

#: Quads per call of Oxigraph's bulk loader, whose memory grows with the quads of one call up
#: to a million per thread: 1M triples, 2M quads with the union, peaked at 2.0 GiB in one call
#: against 0.9 GiB for ``bulk_load`` of the 1M (benchmarks/load.py).
BATCH = 500_000


def _batches(quads: Iterable[ox.Quad], size: int) -> Iterator[Iterator[ox.Quad]]:
    """``quads`` in consecutive runs of ``size``, each to be read through before the next."""
    it = iter(quads)
    for first in it:
        yield itertools.chain((first,), itertools.islice(it, size - 1))


#: Triples per call of the bulk loader when the union default graph is written beside
#: ``bulk_load`` (``_load_beside``): their memory adds to its own, 1.17x its peak in all for
#: 1M triples with the statistics (a million per call: 1.73x; benchmarks/load.py).
UNION_BATCH = 100_000

#: Formats with one statement per line and only labelled blank nodes, so that two parses of
#: a file give the same quads.
LINE = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


def _digest(path: Path, target: ox.NamedNode | None, digest: hashlib._Hash) -> bool:
    """Add the file (its name, graph and bytes) to ``digest``; tell whether it holds no ``_:``,
    hence no blank node."""
    digest.update(f"{path.name} {target}\n".encode())
    clean, tail = True, b""
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            clean = clean and b"_:" not in block and b"_:" not in tail + block[:1]
            tail = block[-1:]
    return clean


#: Told of the load's progress: ``(path, bytes of it read so far)`` while a file is read, then
#: ``(None, 0)`` once the files are in and the store is being counted.
LoadProgress = Callable[[Path | None, int], None]


class _Counted(io.RawIOBase):
    """A file whose reads are reported to ``progress`` (the parser reads it in blocks)."""

    def __init__(self, path: Path, progress: LoadProgress) -> None:
        self._file = path.open("rb")
        self._path = path
        self._read = 0
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._file.readinto(buffer)
        self._read += n
        self._progress(self._path, self._read)
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


#: What a load does with a file whose graph the store (or the load) already holds.
COLLISIONS = ("stop", "replace", "append")


FilePlan = list[tuple[Path, ox.RdfFormat, ox.NamedNode | None]]


def file_plan(files: Sequence[Path], graph: str | None = None) -> FilePlan:
    """Each file with its format and the graph its triples go into (graph/<stem>, or
    ``graph``; None for a quad format, which names its own); every file is checked before
    any is read."""
    plan: FilePlan = []
    for path in files:
        fmt = formats.RdfFormat.from_extension(path.suffix)
        if fmt is None:
            raise DataError(
                "unknown RDF format (use .ttl, .nt, .nq, .trig, .rdf or .jsonld)", path=str(path)
            )
        if not path.is_file():
            raise DataError("no such file", path=str(path))
        name = graph or str(GRAPH[path.stem])
        plan.append((path, ox_rdf_format(fmt), None if fmt.dataset else ox.NamedNode(name)))
    return plan


def graph_iri(name: str) -> str:
    """``--graph NAME``: an IRI as it is, a short name under ``graph/``."""
    return name if name.startswith(("http://", "https://", "urn:")) else str(GRAPH[name])


def check_collisions(
    targets: Sequence[tuple[Path, str]], held: dict[str, int], collisions: str
) -> set[str]:
    """The graphs the files go into that are already held (or taken by an earlier file);
    with ``collisions="stop"`` the first one stops the load with a message naming it."""
    if collisions not in COLLISIONS:
        raise ValueError(collisions)
    taken = dict(held)
    hit: set[str] = set()
    for path, graph in targets:
        if graph in taken:
            if collisions == "stop":
                what = (
                    f"already holds {taken[graph]} triples"
                    if graph in held
                    else "is also the graph of another file of this load"
                )
                raise DataError(
                    f"its graph <{graph}> {what}; load it into another graph with "
                    "--graph NAME, or --replace that graph, or --append to it",
                    path=str(path),
                )
            hit.add(graph)
        taken.setdefault(graph, 0)
    return hit


def _read(path: Path, progress: LoadProgress | None) -> IO[bytes]:
    """The file, its reads reported to ``progress`` in blocks of a megabyte."""
    if progress is None:
        return path.open("rb")
    return io.BufferedReader(_Counted(path, progress), 1 << 20)


def _load_beside(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    target: ox.NamedNode | None,
    progress: LoadProgress | None,
    blank_free: bool,
    after: tuple[Callable[[], object], Callable[[], object]] | None = None,
) -> None:
    """A line format (N-Triples, N-Quads), parsed twice at once on the two cores: one parse
    writes the named graphs, a thread's parse the union default graph, in batches of
    UNION_BATCH. Without blank nodes the first is Oxigraph's ``bulk_load``, all in Rust;
    ``bulk_load`` renames blank nodes, so a file with some is written through ``ox.parse``,
    which keeps their labels as the thread's parse does. ``after`` = (one, two): one runs in
    the thread once the union is written (the default graph's statistics), two once the
    named graphs are (their sizes), each beside the other thread's work."""
    with ThreadPoolExecutor(1) as pool:
        union = pool.submit(_write_union, store, path, fmt, progress, after and after[0])
        try:
            if blank_free:
                store.bulk_load(path=str(path), format=fmt, to_graph=target)
            else:
                quads: Iterable[ox.Quad] = ox.parse(path=str(path), format=fmt)
                if target is not None:
                    quads = (ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)
                for batch in _batches(quads, BATCH):
                    store.bulk_extend(batch)
            if after is not None:
                after[1]()
        finally:
            union.result()


def _write_union(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    progress: LoadProgress | None,
    then: Callable[[], object] | None,
) -> None:
    with _read(path, progress) as source:
        # Lenient (no IRI checks, 12% less time): bulk_load reads the same bytes strictly.
        quads: Iterable[ox.Quad] = ox.parse(input=source, format=fmt, lenient=True)
        if fmt == ox.RdfFormat.N_QUADS:
            quads = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        for batch in _batches(quads, UNION_BATCH):  # a triple format: in the default graph
            store.bulk_extend(batch)
    if then is not None:
        then()


def _load_through_python(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    target: ox.NamedNode | None,
    progress: LoadProgress | None,
) -> None:
    """Read once, each quad written in its graph and in the union default graph (see
    OxigraphStore): two parses of Turtle (and the others) name its ``[]`` apart."""
    with _read(path, progress) as source:
        quads: Iterable[ox.Quad] = ox.parse(input=source, format=fmt)
        if target is not None:
            quads = (ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)
        for batch in _batches(with_union(quads), BATCH):
            store.bulk_extend(batch)


def _drop_graph(store: ox.Store, graph: ox.NamedNode) -> None:
    """Empty a named graph and take out of the union the triples no other graph holds."""
    gone = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, graph)
    ]
    store.clear_graph(graph)
    for t in gone:
        others = store.quads_for_pattern(t.subject, t.predicate, t.object)
        if not any(isinstance(q.graph_name, ox.NamedNode) for q in others):
            store.remove(ox.Quad(t.subject, t.predicate, t.object))


def _held(directory: Path, store: ox.Store) -> dict[str, int]:
    """The named graphs a store already holds and their sizes (from its record when it has one)."""
    if (directory / META_FILE).is_file():
        sizes = json.loads((directory / META_FILE).read_text()).get("graph_sizes")
        if isinstance(sizes, dict):
            return {str(k): int(v) for k, v in sizes.items()}
    return {g.value: 0 for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def load_files(
    directory: Path,
    files: Sequence[Path],
    *,
    dataset: Dataset | None = None,
    progress: LoadProgress | None = None,
    graph: str | None = None,
    collisions: str = "stop",
) -> int:
    """Bulk-load RDF files (and optionally a whole rdflib dataset) into an on-disk Oxigraph
    store at ``directory``, creating it if needed; return the number of quads it then holds.

    The format comes from each file's extension; the triples of a triple format go into the
    named graph ``graph/<stem>`` (or ``graph``), a quad format (TriG, N-Quads) names its own
    graphs. A triple file whose graph the store already holds (or the bundled dataset, or an
    earlier file) stops the load with a DataError, unless ``collisions`` is ``"replace"``
    (the graph's old triples go; the bundled dataset's, too) or ``"append"``."""
    plan = file_plan(files, graph_iri(graph) if graph else None)
    directory.mkdir(parents=True, exist_ok=True)
    # The digest: what the store held before, then each file's bytes and graph, in order.
    digest = hashlib.sha256()
    if (directory / META_FILE).is_file():
        digest.update(json.loads((directory / META_FILE).read_text())["fingerprint"].encode())
    blank_free = {path for path, _, target in plan if _digest(path, target, digest)}
    try:
        store = ox.Store(str(directory))
    except OSError as exc:
        raise DataError(f"cannot open a store here: {exc}", path=str(directory)) from exc
    held = _held(directory, store)
    bundled = {str(g.identifier) for g in dataset.graphs()} if dataset is not None else set()
    targets = [(path, g.value) for path, _, g in plan if g is not None]
    hit = check_collisions(targets, {**dict.fromkeys(bundled, 0), **held}, collisions)
    if collisions == "replace":
        for name in sorted(hit & held.keys()):
            _drop_graph(store, ox.NamedNode(name))
    loaded = OxigraphStore(store, union_stored=True)
    # Line-format files without "_:" into an empty store: no blank subject to count.
    no_blanks = dataset is None and next(store.quads_for_pattern(None, None, None), None) is None
    no_blanks = no_blanks and all(fmt in LINE and path in blank_free for path, fmt, _ in plan)
    # The last writes: the statistics (one scan at a time) and sizes are computed beside them.
    blank_subjects = 0 if no_blanks else None
    after = (functools.partial(loaded.statistics, 1, blank_subjects), loaded.graph_sizes)
    for i, (path, ox_fmt, target) in enumerate(plan):
        last = i == len(plan) - 1 and dataset is None
        try:
            if ox_fmt in LINE:
                clean = path in blank_free
                _load_beside(store, path, ox_fmt, target, progress, clean, after if last else None)
            else:
                _load_through_python(store, path, ox_fmt, target, progress)
        except SyntaxError as exc:
            line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
            raise DataError(str(exc.args[0]), path=str(path), line=line) from exc
    if dataset is not None:
        skip = hit if collisions == "replace" else set()
        given = (
            ox_quad(*q) for q in dataset.quads((None, None, None, None)) if str(q[3]) not in skip
        )
        for batch in _batches(with_union(given), BATCH):
            store.bulk_extend(batch)
        digest.update(RdflibStore(dataset).fingerprint().encode())
    if progress is not None:
        progress(None, 0)
    store.flush()
    with ThreadPoolExecutor(1) as pool:  # two scans at once: the sizes and the statistics
        counting = pool.submit(loaded.graph_sizes)
        found = loaded.statistics(3, blank_subjects).to_json()  # computed already?
        sizes = counting.result()
    meta = {"graph_sizes": sizes, "fingerprint": digest.hexdigest(), "statistics": found}
    (directory / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True))
    del store  # closes the database so it can be opened read-only at once
    return sum(sizes.values())  # quads in named graphs, the union not counted
