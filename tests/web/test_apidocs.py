"""The API page works offline: Swagger UI and its styles come from this server, and the
OpenAPI document gives every operation its own ID (no "Duplicate Operation ID" warning)."""

from __future__ import annotations

import re
import warnings

from fastapi.testclient import TestClient


def test_api_page_loads_its_assets_from_this_server(client: TestClient) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert sources, r.text
    assert all(s.startswith("/") for s in sources), sources
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert '"validatorUrl": null' in r.text  # no badge fetched from validator.swagger.io
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 1000, source
    assert client.get("/api/docs/assets/../../sparql").status_code == 404


def test_api_asset_unknown_is_404(client: TestClient) -> None:
    r = client.get("/api/docs/assets/secret.js")
    assert r.status_code == 404 and r.json()["error"]["status"] == 404


def test_operation_ids_are_unique_without_warnings(client: TestClient) -> None:
    client.app.openapi_schema = None  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        document = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), ids
    assert {"get", "post"} <= set(document["paths"]["/sparql"])
    assert "/query" in document["paths"] and "/update" in document["paths"]
