"""Tokens: only a salted hash is kept; revoked tokens and wrong ones are refused; repeated
failures from one client get 429 with Retry-After."""

from __future__ import annotations

from pathlib import Path

import pytest

from leongraph.config import Settings
from leongraph.edits.auth import Gate
from leongraph.edits.tokens import TokenFile
from leongraph.errors import BadRequest, TooManyRequests, Unauthorized


def test_only_a_salted_hash_is_kept(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "t.json")
    secret = tokens.create("alice", "admin")
    assert secret not in (tmp_path / "t.json").read_text()
    found = tokens.verify(secret)
    assert found is not None and found.name == "alice" and found.may("revert-any")
    assert tokens.verify(secret + "x") is None
    with pytest.raises(BadRequest):
        tokens.create("alice")
    tokens.revoke("alice")
    assert TokenFile(tmp_path / "t.json").verify(secret) is None


def test_the_gate_refuses_then_limits(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    secret = TokenFile(path).create("bob")
    gate = Gate(Settings(tokens_path=path, max_auth_failures=2))
    assert gate.authenticate(f"Bearer {secret}", "1.2.3.4").name == "bob"
    with pytest.raises(Unauthorized) as missing:
        gate.authenticate(None, "1.2.3.4")
    assert missing.value.headers == {"WWW-Authenticate": 'Bearer realm="leongraph"'}
    for _ in range(2):
        with pytest.raises(Unauthorized) as wrong:
            gate.authenticate("Bearer lg_nope", "1.2.3.4")
        assert "lg_nope" not in wrong.value.message
    with pytest.raises(TooManyRequests) as limited:
        gate.authenticate(f"Bearer {secret}", "1.2.3.4")
    assert int(limited.value.headers["Retry-After"]) > 0  # type: ignore[index]
    assert gate.authenticate(f"Bearer {secret}", "5.6.7.8").name == "bob"  # another client
