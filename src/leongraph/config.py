"""One settings object, built at the edge (CLI or environment) and passed explicitly."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent.parent

ENGINES = ("oxigraph", "rdflib")
#: The engine name a remote store reports (engine/remote.py): chosen by a URL, not --engine.
REMOTE_ENGINE = "remote"
ENV_PREFIX = "LEONGRAPH_"


@dataclass(frozen=True)
class Settings:
    """Everything the server, the CLI and the store need to know; nothing reads os.environ."""

    host: str = "127.0.0.1"
    port: int = 8000
    engine: str = "oxigraph"
    #: On-disk Oxigraph store opened read-only; None serves the bundled graph from memory.
    store_path: Path | None = None
    #: A remote SPARQL 1.1 engine's query endpoint (http:// or https://) served instead of a
    #: local store; LEONGRAPH_STORE takes a directory or such a URL.
    store_url: str | None = None
    #: Its update endpoint, where that is another URL (LEONGRAPH_STORE_UPDATE).
    store_update_url: str | None = None
    #: Directory holding ontology/, data/ and shapes/ (the bundled graph).
    project_root: Path = PROJECT_ROOT
    timeout: float = 10.0
    max_rows: int = 10_000
    max_query_length: int = 100_000
    max_body_bytes: int = 1_000_000
    #: Checked before any parser sees a query: nesting of braces, parentheses and brackets,
    #: UNION keywords, and rows of VALUES blocks together (400 past each).
    max_query_depth: int = 200
    max_union_branches: int = 1_000
    max_values_rows: int = 10_000
    #: Nesting of the JSON the reconciliation API reads (400 past it), and the text one
    #: reconciliation batch may ask to match: query strings and property values (413 past it).
    max_json_depth: int = 32
    max_batch_chars: int = 10_000
    #: HTTP limits of ``leongraph serve`` (uvicorn): connections and tasks at once (503 past
    #: it), seconds an idle keep-alive connection is kept, seconds SIGTERM waits for open
    #: requests, and bytes of request line and headers (an error past it).
    limit_concurrency: int = 512
    timeout_keep_alive: float = 5.0
    timeout_graceful_shutdown: float = 5.0
    max_header_bytes: int = 65_536
    #: Query worker processes (killed and replaced on timeout); 0 evaluates in the server.
    workers: int = 4
    #: Evaluate queries whose work is provably small (cost.py) in the server, not a worker.
    in_process: bool = True
    #: Serialised answers kept by the answer cache (sparql/answer_cache.py), in MiB; 0: off.
    answer_cache_mb: int = 64
    #: Address space a query worker may add to what the store needs, in MiB.
    worker_memory_mb: int = 2048
    #: Alias of ``edits`` kept for old configurations: updates still need a token.
    allow_updates: bool = False
    #: Accept token-authenticated edits (SPARQL Update, Graph Store Protocol), recorded in the
    #: history graph; ``serve --store DIR --edits``.
    edits: bool = False
    #: The JSON file of token hashes; None: ``<store>.tokens.json`` next to the store directory.
    tokens_path: Path | None = None
    #: Refuse an edit that breaks the SHACL shapes (422); off for bulk work (about 1 s an edit).
    validate_edits: bool = True
    #: Most quads one edit may add and remove together (413 past it).
    max_edit_quads: int = 10_000
    #: Failed sign-ins a client may make a minute before it gets 429.
    max_auth_failures: int = 10
    root_path: str = ""
    cors: bool = True
    base_iri: str = "https://w3id.org/leongraph/"
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.engine not in (*ENGINES, REMOTE_ENGINE):
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.max_rows <= 0:
            raise ValueError("max_rows must be positive")
        for url in (self.store_url, self.store_update_url):
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError(f"a store URL must start with http:// or https://, not {url!r}")
        if self.edits or self.allow_updates:  # one switch under two names
            object.__setattr__(self, "edits", True)
            object.__setattr__(self, "allow_updates", True)

    def tokens_file(self) -> Path | None:
        """Where the token hashes are kept: ``tokens_path``, else next to the store."""
        if self.tokens_path is not None:
            return self.tokens_path
        if self.store_path is not None:
            return self.store_path.parent / (self.store_path.name + ".tokens.json")
        return None
        if self.answer_cache_mb < 0:
            raise ValueError("answer_cache_mb must be 0 (off) or more")

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: object) -> Settings:
        """Read LEONGRAPH_* variables (e.g. LEONGRAPH_TIMEOUT=5); explicit overrides win."""
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None or f.name == "extra":
                continue
            values[f.name] = _coerce(f.name, raw)
        store = environ.get(ENV_PREFIX + "STORE")
        if store:  # a directory or an engine's URL
            values["store_url" if is_url(store) else "store_path"] = _coerce_store(store)
        if environ.get(ENV_PREFIX + "STORE_UPDATE"):
            values["store_update_url"] = environ[ENV_PREFIX + "STORE_UPDATE"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def server_options(self) -> dict[str, object]:
        """uvicorn's settings for the HTTP limits above."""
        return {
            "limit_concurrency": self.limit_concurrency,
            "timeout_keep_alive": self.timeout_keep_alive,
            "timeout_graceful_shutdown": self.timeout_graceful_shutdown,
            "h11_max_incomplete_event_size": self.max_header_bytes,
        }

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def is_url(text: str) -> bool:
    """Whether a ``--store`` / LEONGRAPH_STORE value names a remote engine."""
    return text.startswith(("http://", "https://"))


def _coerce_store(raw: str) -> object:
    return raw if is_url(raw) else Path(raw)


def _coerce(name: str, raw: str) -> object:
    default = {f.name: f.default for f in dataclasses.fields(Settings)}[name]
    if name in ("store_path", "project_root", "tokens_path"):
        return Path(raw) if raw else None
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
