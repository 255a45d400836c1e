"""Every error is the one error body, with the headers it declares; a bug too, and a bug's 500
carries the CORS headers like every other answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from leongraph.config import Settings
from leongraph.engine import Store
from leongraph.web.app import create_app
from leongraph.web.state import Derived


def test_a_bug_is_the_one_error_body_with_cors_headers(
    settings: Settings, store: Store, derived: Derived, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("leongraph.web.routes.pages.describe", broken)
    app = create_app(settings.replace(engine=store.engine, workers=0), store, derived=derived)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/resource/nobody-cached", headers={"Origin": "https://example.org"})
    assert r.status_code == 500
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.json() == {
        "error": {
            "status": 500,
            "title": "Internal error",
            "message": "The server failed to answer; this is a bug in leongraph.",
        }
    }


def test_a_405_declares_what_is_allowed(client: TestClient) -> None:
    r = client.put("/sparql", content=b"ASK {}")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert r.json()["error"]["allow"] == ["GET", "HEAD", "POST", "OPTIONS"]
