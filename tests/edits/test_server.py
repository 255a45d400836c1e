"""Edits against a real server (``leongraph serve --store DIR --edits`` in its own process
group) on an on-disk store: tokens, durability across kill -9, the history, revert, If-Match,
SHACL refusals. Prints the figures: edits per second with and without validation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from support import free_port

pytestmark = pytest.mark.slow

LEONGRAPH = [sys.executable, "-m", "leongraph"]
HISTORY = "https://w3id.org/leongraph/graph/history"


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [*LEONGRAPH, *args], capture_output=True, text=True, check=True, env=env, timeout=120
    )
    return done.stdout


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edits") / "store"
    cli("load", "--bundled", "--store", str(path))
    return path


@pytest.fixture(scope="module")
def token(store_dir: Path) -> str:
    out = cli("token", "create", "alice", "--store", str(store_dir))
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("lg_")
    return secret


@contextmanager
def serving(store: Path, **env: str) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    """``leongraph serve --edits`` on a free port, in a process group of its own."""
    port = free_port()
    environ = {**os.environ, "LEONGRAPH_WORKERS": "1", **env}
    proc = subprocess.Popen(
        [*LEONGRAPH, "serve", "--store", str(store), "--edits", "--port", str(port)],
        env=environ,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield client, proc
    finally:
        client.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(20)
        if proc.stderr:
            proc.stderr.close()


def update(c: httpx.Client, text: str, token: str | None, **headers: str) -> httpx.Response:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return c.post("/sparql", data={"update": text}, headers=headers)


def ask(c: httpx.Client, text: str) -> bool:
    r = c.get("/sparql", params={"query": text}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def select(c: httpx.Client, text: str) -> list[dict[str, dict[str, str]]]:
    r = c.get("/sparql", params={"query": text}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    rows: list[dict[str, dict[str, str]]] = r.json()["results"]["bindings"]
    return rows


def test_edits_need_a_token_and_survive_kill_9(store_dir: Path, token: str) -> None:
    with serving(store_dir, LEONGRAPH_VALIDATE_EDITS="false") as (c, proc):
        insert = 'INSERT DATA { res:leon rdfs:comment "note 0"@en }'
        r = update(c, insert, None)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        r = update(c, insert, "lg_wrong")
        assert r.status_code == 401 and "lg_wrong" not in r.text
        assert not ask(c, 'ASK { res:leon rdfs:comment "note 0"@en }')  # nothing written
        start = time.perf_counter()
        for i in range(50):
            r = update(
                c,
                f'INSERT DATA {{ res:leon rdfs:comment "note {i}"@en }}',
                token,
                **{"X-Edit-Summary": f"note {i}"},
            )
            assert r.status_code == 200, r.text
            assert r.json()["added"] == 1 and r.json()["removed"] == 0
        rate = 50 / (time.perf_counter() - start)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole tree: server, zygote, workers
        proc.wait(20)
    print(f"\nedits without validation: {rate:.1f} edits/s (50 edits, then kill -9)")
    with serving(store_dir, LEONGRAPH_VALIDATE_EDITS="false") as (c, _):
        rows = select(
            c, 'SELECT ?c WHERE { res:leon rdfs:comment ?c FILTER(STRSTARTS(?c, "note")) }'
        )
        assert sorted(r["c"]["value"] for r in rows) == sorted(f"note {i}" for i in range(50))
        rows = select(
            c,
            f"SELECT ?e ?s WHERE {{ GRAPH <{HISTORY}> {{ ?e a prov:Activity ; rdfs:comment ?s ;"
            ' prov:wasAssociatedWith/rdfs:label "alice" } }',
        )
        assert len(rows) == 50
        # the fact cites the edit: it sits in the edit's own graph
        rows = select(c, 'SELECT ?g WHERE { GRAPH ?g { res:leon rdfs:comment "note 7"@en } }')
        assert [r["g"]["value"] for r in rows] == ["https://w3id.org/leongraph/edit/8"]
        print("kill -9 after 50 acknowledged edits: 50 of 50 present, 50 activities by alice")


def test_revert_if_match_and_history(store_dir: Path, token: str) -> None:
    with serving(store_dir, LEONGRAPH_VALIDATE_EDITS="false") as (c, _):
        ask_it = 'ASK { res:leon rdfs:comment "to revert"@en }'
        r = update(c, 'INSERT DATA { res:leon rdfs:comment "to revert"@en }', token)
        number = r.json()["number"]
        assert ask(c, ask_it)
        assert c.post(f"/history/{number}/revert").status_code == 401
        r = c.post(f"/history/{number}/revert", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["removed"] == 1, r.text
        assert not ask(c, ask_it)
        r = c.post(f"/history/{number}/revert", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 409  # the revert itself changed the same triple later
        page = c.get("/resource/leon/history", headers={"Accept": "text/html"})
        assert page.status_code == 200 and f"Edit {number}" in page.text and "alice" in page.text
        rdf = c.get("/history", headers={"Accept": "text/turtle"})
        assert rdf.status_code == 200 and "prov:Activity" in rdf.text
        # Graph Store Protocol with If-Match
        url = "/graph-store?graph=https://w3id.org/leongraph/graph/notes"
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
        r = c.put(url, content=b"<urn:a> <urn:b> 1 .", headers=auth)
        assert r.status_code == 201, r.text
        etag = c.get(url).headers["etag"]
        r = c.put(url, content=b"<urn:a> <urn:b> 2 .", headers={**auth, "If-Match": etag})
        assert r.status_code == 200, r.text
        r = c.put(url, content=b"<urn:a> <urn:b> 3 .", headers={**auth, "If-Match": etag})
        assert r.status_code == 412
        assert "2" in c.get(url, headers={"Accept": "application/n-triples"}).text
        assert c.delete(url).status_code == 401
        assert c.delete(url, headers=auth).status_code == 200
        assert c.get(url).status_code == 404


def test_protected_graphs_need_admin(store_dir: Path, token: str) -> None:
    with serving(store_dir, LEONGRAPH_VALIDATE_EDITS="false") as (c, _):
        r = update(c, "DELETE WHERE { res:leon rdfs:label ?l }", token)
        assert r.status_code == 403 and "sentence" in r.text
        assert ask(c, "ASK { res:leon rdfs:label ?l }")
        assert update(c, "LOAD <http://example.org/x.ttl>", token).status_code == 403


def test_shape_breaking_edit_is_422_and_changes_nothing(store_dir: Path, token: str) -> None:
    with serving(store_dir) as (c, _):
        before = len(select(c, f"SELECT ?e WHERE {{ GRAPH <{HISTORY}> {{ ?e a prov:Activity }} }}"))
        r = update(c, "INSERT DATA { res:leon leon:age 300 }", token)
        assert r.status_code == 422, r.text
        assert "0 and 150" in r.text
        assert not ask(c, "ASK { res:leon leon:age 300 }")
        after = len(select(c, f"SELECT ?e WHERE {{ GRAPH <{HISTORY}> {{ ?e a prov:Activity }} }}"))
        assert after == before
        start = time.perf_counter()
        for i in range(5):
            r = update(c, f'INSERT DATA {{ res:leon rdfs:comment "checked {i}"@en }}', token)
            assert r.status_code == 200, r.text
        rate = 5 / (time.perf_counter() - start)
    print(f"\nedits with validation: {rate:.2f} edits/s (5 edits on res:leon)")


def test_revoked_tokens_and_repeated_failures(store_dir: Path) -> None:
    secret = cli("token", "create", "bob", "--store", str(store_dir)).strip().splitlines()[-1]
    assert "bob\teditor" in cli("token", "list", "--store", str(store_dir))
    with serving(store_dir, LEONGRAPH_MAX_AUTH_FAILURES="3") as (c, _):
        insert = 'INSERT DATA { res:leon rdfs:comment "bob"@en }'
        assert update(c, insert, secret).status_code == 200
        cli("token", "revoke", "bob", "--store", str(store_dir))
        assert update(c, insert, secret).status_code == 401
        codes = [update(c, insert, "lg_guess").status_code for _ in range(4)]
        assert codes[-1] == 429
        r = update(c, insert, "lg_guess")
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    tokens = (store_dir.parent / "store.tokens.json").read_text()
    assert secret not in tokens
