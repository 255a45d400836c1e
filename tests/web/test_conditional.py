"""Conditional requests: every successful GET carries ETag and Last-Modified; a matching
If-None-Match or a recent If-Modified-Since gets 304 with no body; validators differ per
representation and are the same for every app serving the same data."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient

from leongraph.config import Settings
from leongraph.engine import Store, from_dataset
from leongraph.web.app import create_app

PATHS = [
    "/resource/leon",
    "/resource/leon.ttl",
    "/sentence/13",
    "/ontology",
    "/graph/ontology.nt",
    "/export/leon.nt",
    "/.well-known/void",
    "/context.jsonld",
    "/rdf-graphs/service?default",
    "/healthz",
]


@pytest.mark.parametrize("path", PATHS)
def test_validators_and_304(client: TestClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('W/"')
    parsedate_to_datetime(modified)
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304


def test_changed_or_stale_validators_get_the_full_answer(client: TestClient) -> None:
    first = client.get("/resource/leon")
    modified = parsedate_to_datetime(first.headers["last-modified"])
    earlier = format_datetime(modified - timedelta(seconds=1), usegmt=True)
    for headers in (
        {"If-None-Match": 'W/"something-else"'},
        {"If-Modified-Since": earlier},
        {"If-Modified-Since": "not a date"},
        # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
        {"If-None-Match": '"other"', "If-Modified-Since": first.headers["last-modified"]},
    ):
        r = client.get("/resource/leon", headers=headers)
        assert r.status_code == 200 and r.content == first.content, headers


def test_star_and_lists_of_tags(client: TestClient) -> None:
    etag = client.get("/resource/leon").headers["etag"]
    assert client.get("/resource/leon", headers={"If-None-Match": "*"}).status_code == 304
    listed = f'"a", {etag}, W/"b"'
    assert client.get("/resource/leon", headers={"If-None-Match": listed}).status_code == 304
    strong = etag.removeprefix("W/")  # If-None-Match compares weakly
    assert client.get("/resource/leon", headers={"If-None-Match": strong}).status_code == 304


def test_each_representation_has_its_own_etag(client: TestClient) -> None:
    html = client.get("/resource/leon", headers={"Accept": "text/html"})
    turtle = client.get("/resource/leon", headers={"Accept": "text/turtle"})
    assert html.headers["etag"] != turtle.headers["etag"]
    r = client.get(
        "/resource/leon", headers={"Accept": "text/turtle", "If-None-Match": html.headers["etag"]}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_errors_are_never_304(client: TestClient) -> None:
    r = client.get("/resource/nothing-here", headers={"If-None-Match": "*"})
    assert r.status_code == 404
    assert "etag" not in r.headers


def test_same_data_same_validators(settings: Settings, store: Store, client: TestClient) -> None:
    """A second app (another worker) over the same data answers with the same validators."""
    a = client.get("/resource/mathilda")
    with TestClient(create_app(settings.replace(engine=store.engine), store)) as other:
        b = other.get("/resource/mathilda")
    assert a.headers["etag"] == b.headers["etag"]
    assert a.headers["last-modified"] == b.headers["last-modified"]


def test_validators_do_not_depend_on_the_engine(settings: Settings, dataset: object) -> None:
    tags = set()
    for engine in ("oxigraph", "rdflib"):
        store = from_dataset(dataset, engine=engine)  # type: ignore[arg-type]
        with TestClient(create_app(settings.replace(engine=engine), store)) as c:
            tags.add(c.get("/resource/leon.ttl").headers["etag"])
    assert len(tags) == 1


def test_post_is_not_conditional(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": "ASK {}"}, headers={"If-None-Match": "*"})
    assert r.status_code != 304


def test_a_matching_tag_is_answered_without_running_the_route(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An app of its own: rendered pages are kept with what is derived from the data, and the
    # apps of the other tests share theirs.
    app = create_app(settings.replace(engine=store.engine, workers=0), store)
    with TestClient(app) as client:
        etag = client.get("/resource/mathilda").headers["etag"]

        def fail(*args: object, **kwargs: object) -> None:
            raise AssertionError("the route ran")

        monkeypatch.setattr("leongraph.web.routes.pages.describe", fail)
        r = client.get("/resource/mathilda", headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.headers["etag"] == etag
        with pytest.raises(AssertionError, match="the route ran"):
            client.get(
                "/resource/mathilda", headers={"If-None-Match": '"stale"', "Accept": "text/turtle"}
            )
