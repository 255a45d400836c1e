"""Who is asking: the ``Authorization: Bearer`` check of a write, and the rate limit on failed
attempts (per client address, over a minute). Messages never repeat what was sent."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from leongraph.config import Settings
from leongraph.edits.tokens import Token, TokenFile
from leongraph.errors import TooManyRequests, Unauthorized

WINDOW = 60.0


class Gate:
    """Checks bearer tokens against the token file named by the settings."""

    def __init__(self, settings: Settings) -> None:
        self.tokens = TokenFile(settings.tokens_file())
        self.limit = settings.max_auth_failures
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def authenticate(self, authorization: str | None, client: str) -> Token:
        """The token of a request, or 401 (none, wrong, revoked) / 429 (too many failures)."""
        now = time.monotonic()
        self._check_rate(client, now)
        scheme, _, secret = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("This write needs a token: send Authorization: Bearer <token>.")
        token = self.tokens.verify(secret.strip())
        if token is None:
            self._fail(client, now)
            raise Unauthorized("The token is not valid (unknown or revoked).")
        return token

    def _check_rate(self, client: str, now: float) -> None:
        with self._lock:
            seen = self._failures.get(client)
            if not seen:
                return
            while seen and seen[0] < now - WINDOW:
                seen.popleft()
            if len(seen) >= self.limit:
                wait = max(1, math.ceil(seen[0] + WINDOW - now))
                raise TooManyRequests(
                    f"Too many failed sign-ins from this client; retry in {wait} s.",
                    retry_after=wait,
                )

    def _fail(self, client: str, now: float) -> None:
        with self._lock:
            self._failures.setdefault(client, deque()).append(now)
            if len(self._failures) > 10_000:  # forget the oldest clients
                self._failures.pop(next(iter(self._failures)))
