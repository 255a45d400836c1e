"""The query page's sign-in box in a real browser (chromium via selenium, as in
test_browser.py) against ``leongraph serve --store DIR --edits`` in a subprocess: sign in
with a token, run an INSERT, see what it changed; the token stays in sessionStorage only."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_browser import Watch, _serve, browser, endpoint, open_page, set_query, shot, until, watch

__all__ = ["browser", "shot", "watch"]  # fixtures shared with test_browser.py


@pytest.fixture(scope="module")
def edits_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server with edits on an on-disk store, and an editor's token."""
    root = tmp_path_factory.mktemp("signin")
    store = root / "store"
    leongraph = [sys.executable, "-m", "leongraph"]
    subprocess.run([*leongraph, "load", "--bundled", "--store", str(store)], check=True)
    out = subprocess.run(
        [*leongraph, "token", "create", "alice", "--store", str(store)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    secret = out.strip().splitlines()[-1]
    with _serve(["--store", str(store), "--edits"], root / "server.log") as url:
        yield url, secret


INSERT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {
  <https://w3id.org/leongraph/resource/leon>
    rdfs:comment "Signed-in note one"@en , "Signed-in note two"@en .
}"""


def test_sign_in_and_run_an_update(
    browser: WebDriver,
    edits_server: tuple[str, str],
    watch: Watch,
    shot: Callable[..., Path],
) -> None:
    server, secret = edits_server
    open_page(browser, server + "/")
    box = browser.find_element(By.ID, "signin-box")
    assert box.is_displayed()
    browser.find_element(By.ID, "token").send_keys(secret)
    browser.find_element(By.ID, "signin").click()
    until(browser, lambda d: d.find_elements(By.ID, "signed-in"), "the signed-in state")
    set_query(browser, INSERT)
    browser.find_element(By.ID, "run").click()
    result = until(browser, lambda d: d.find_elements(By.ID, "update-result"), "the edit's result")
    assert result[0].text.startswith("2 triples added, 0 removed")
    assert browser.find_element(By.ID, "status").text.startswith("2 triples added, 0 removed in ")
    shot("update")
    ask = 'ASK { res:leon rdfs:comment "Signed-in note two"@en }'
    assert endpoint(server, ask)["boolean"] is True
    stored = browser.execute_script(
        "return [sessionStorage.getItem('leongraph-token'), JSON.stringify(localStorage),"
        " document.cookie]"
    )
    assert stored[0] == secret
    assert secret not in stored[1] and secret not in stored[2]
    assert secret not in browser.current_url
    # Signing out forgets it.
    browser.find_element(By.ID, "signout").click()
    assert browser.execute_script("return sessionStorage.getItem('leongraph-token')") is None


def test_no_sign_in_box_without_edits(browser: WebDriver, watch: Watch, tmp_path: Path) -> None:
    with _serve([], tmp_path / "server.log") as server:
        open_page(browser, server + "/")
        assert not browser.find_element(By.ID, "signin-box").is_displayed()
