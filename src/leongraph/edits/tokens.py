"""API tokens: ``leongraph token create NAME`` prints a random token once; the token file keeps
only a salted SHA-256 of it (a token is 32 random bytes, so a slow hash would add nothing).

Roles say what a token may do (``ROLES``). To add one, add its name and its permissions here;
the permissions the code checks are ``write``, ``protected`` (write the graphs of the
synopsis, its sentences and the ontology), ``revert-any`` (revert others' edits) and
``revoke``."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from leongraph.errors import BadRequest, UnknownResource

ROLES: dict[str, frozenset[str]] = {
    "editor": frozenset({"write"}),
    "admin": frozenset({"write", "protected", "revert-any", "revoke"}),
}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PREFIX = "lg_"


@dataclass(frozen=True)
class Token:
    """One token as the file keeps it: never the token itself."""

    name: str
    role: str
    salt: str
    sha256: str
    created: str
    revoked: bool = False

    def may(self, permission: str) -> bool:
        return permission in ROLES.get(self.role, frozenset())

    def matches(self, secret: str) -> bool:
        digest = hashlib.sha256(bytes.fromhex(self.salt) + secret.encode("utf-8")).hexdigest()
        return hmac.compare_digest(digest, self.sha256)


class TokenFile:
    """The JSON file of tokens; read again whenever it changed on disk (so a token revoked by
    the command line is refused by a running server)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._seen: tuple[float, int] | None = None
        self._tokens: list[Token] = []

    def tokens(self) -> list[Token]:
        if self.path is None:
            return []
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return []
        if self._seen != (st.st_mtime, st.st_size):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._tokens = [Token(**t) for t in data.get("tokens", [])]
            self._seen = (st.st_mtime, st.st_size)
        return list(self._tokens)

    def verify(self, secret: str) -> Token | None:
        """The live token ``secret`` is, compared in constant time against every one."""
        found = None
        for token in self.tokens():
            if token.matches(secret) and not token.revoked:
                found = token
        return found

    def create(self, name: str, role: str = "editor") -> str:
        """Add a token; returns the secret, which is kept nowhere."""
        if not NAME.match(name):
            raise BadRequest("a token name is 1-64 letters, digits, '_', '.' or '-'")
        if role not in ROLES:
            raise BadRequest(f"no role {role!r}; roles: {', '.join(ROLES)}")
        tokens = self.tokens()
        if any(t.name == name and not t.revoked for t in tokens):
            raise BadRequest(f"a token named {name!r} exists; revoke it first")
        secret = PREFIX + secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        digest = hashlib.sha256(salt + secret.encode("utf-8")).hexdigest()
        tokens = [t for t in tokens if t.name != name]
        self._write([*tokens, Token(name, role, salt.hex(), digest, now)])
        return secret

    def revoke(self, name: str) -> None:
        tokens = self.tokens()
        if not any(t.name == name and not t.revoked for t in tokens):
            raise UnknownResource(f"no live token named {name!r}")
        self._write(
            [Token(**{**asdict(t), "revoked": True}) if t.name == name else t for t in tokens]
        )

    def _write(self, tokens: list[Token]) -> None:
        if self.path is None:
            raise BadRequest("no token file: give --store or LEONGRAPH_TOKENS_PATH")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"tokens": [asdict(t) for t in tokens]}, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        self._seen = None
