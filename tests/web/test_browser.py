"""The query page in a real browser: Debian's chromium, driven through chromedriver by selenium,
against the real server started as ``leongraph serve`` in a subprocess (once per engine).

Every test fails on a console error or a failed request it did not expect, and saves a
screenshot of what it checked under its tmp_path. `make test` installs chromium when missing."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import rdflib
from rdflib.compare import isomorphic
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait
from support import free_port

from leongraph.config import ENGINES
from leongraph.linkeddata import urls
from leongraph.vocab import PREFIXES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
WAIT = 30  # seconds; generous for a loaded CI machine, never reached when things work


# ------------------------------------------------------------------------------ fixtures


@contextlib.contextmanager
def _serve(args: list[str], log: Path) -> Iterator[str]:
    """`leongraph serve` on a free port; the URL once /healthz answers."""
    port = free_port()
    cmd = [sys.executable, "-m", "leongraph", "serve", "--port", str(port), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEONGRAPH_")}
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"leongraph serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"leongraph serve did not answer in 90 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    with _serve(["--engine", request.param, "--timeout", "8"], log) as url:
        yield url


PREFIX = "/leon"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "upgrade", "server", "date"}


class _StripPrefix(http.server.BaseHTTPRequestHandler):
    """A reverse proxy that publishes the app under PREFIX and strips it, as nginx would."""

    backend = ""

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def _relay(self) -> None:
        if not (self.path == PREFIX or self.path.startswith(PREFIX + "/")):
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        target = self.backend + (self.path[len(PREFIX) :] or "/")
        request = urllib.request.Request(target, body, headers, method=self.command)
        try:
            response = urllib.request.urlopen(request, timeout=WAIT)
        except urllib.error.HTTPError as exc:
            response = exc
        data = response.read()
        self.send_response(response.status)
        for k, v in response.headers.items():
            if k.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app behind a prefix-stripping proxy: `leongraph serve --root-path /leon`."""
    log = tmp_path_factory.mktemp("proxied") / "server.log"
    with _serve(["--root-path", PREFIX], log) as backend:
        handler = type("Handler", (_StripPrefix,), {"backend": backend})
        proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{proxy.server_address[1]}{PREFIX}"
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            pytest.fail(f"{path} is missing: `make test` installs chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def _on_this_machine(url: str) -> bool:
    """True for what a page may load: this server (loopback), inline data and blobs."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return parsed.hostname in ("127.0.0.1", "localhost", "::1")


class Watch:
    """Console errors, failed requests and requests to other machines seen by the browser
    since the last check."""

    def __init__(self, driver: WebDriver) -> None:
        self.driver = driver
        self.allowed: list[tuple[str, int | str]] = []
        self.drain()

    def allow(self, url_part: str, status: int | str) -> None:
        """Expect a response (status) or a failure ("canceled") for URLs containing url_part."""
        self.allowed.append((url_part, status))

    def drain(self) -> None:
        self.driver.get_log("browser")
        self.driver.get_log("performance")

    def _expected(self, url: str, status: int | str) -> bool:
        return any(part in url and status == s for part, s in self.allowed)

    def problems(self) -> list[str]:
        found: list[str] = []
        urls: dict[str, str] = {}
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            method = message.get("method")
            if method == "Network.requestWillBeSent":
                urls[params["requestId"]] = url = params["request"]["url"]
                if not _on_this_machine(url):
                    found.append(f"a request left the machine: {url}")
            elif method == "Network.responseReceived":
                response = params["response"]
                if response["status"] >= 400 and not self._expected(
                    response["url"], response["status"]
                ):
                    found.append(f"HTTP {response['status']} for {response['url']}")
            elif method == "Network.loadingFailed":
                url = urls.get(params["requestId"], "?")
                kind = "canceled" if params.get("canceled") else params.get("errorText", "")
                if not self._expected(url, kind) and not (
                    kind == "net::ERR_ABORTED" and self._expected(url, "canceled")
                ):
                    found.append(f"request failed ({kind}) for {url}")
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE":
                continue
            text = entry["message"]
            expected_failure = "Failed to load resource" in text and any(
                part in text and str(status) in text for part, status in self.allowed
            )
            if not expected_failure:
                found.append(f"console: {text}")
        return found


@pytest.fixture
def watch(browser: WebDriver) -> Iterator[Watch]:
    w = Watch(browser)
    yield w
    problems = w.problems()
    assert not problems, "the page had errors:\n" + "\n".join(problems)


@pytest.fixture
def shot(browser: WebDriver, tmp_path: Path) -> Callable[..., Path]:
    def save(name: str, at: str | None = None) -> Path:
        """Screenshot the window, scrolled to the element `at` (a CSS selector) if given."""
        if at:
            element = browser.find_element(By.CSS_SELECTOR, at)
            browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
        path = tmp_path / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return save


# ------------------------------------------------------------------------------ helpers


def until(driver: WebDriver, check: Callable[[WebDriver], Any], what: str) -> Any:
    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.1).until(check)
    except WebDriverException as exc:  # TimeoutException and friends
        status, error, text = driver.execute_script(
            "return [document.getElementById('status')?.textContent,"
            " document.getElementById('error')?.textContent, document.body.innerText]"
        )
        raise AssertionError(
            f"timed out waiting for {what} at {driver.current_url}; status={status!r} "
            f"error={error!r}; page text: {text[:300]!r}"
        ) from exc


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(url)
    until(driver, lambda d: d.execute_script("return document.body.dataset.ready"), "the page")


def set_query(driver: WebDriver, text: str) -> None:
    driver.execute_script(
        "const t = document.getElementById('editor'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input'));",
        text,
    )


def run_and_wait(driver: WebDriver, what: str = "an answer") -> None:
    driver.find_element(By.ID, "run").click()
    until(
        driver,
        lambda d: (
            d.find_element(By.ID, "run").is_enabled()
            and d.find_element(By.ID, "status").text.strip()
            and not d.find_element(By.ID, "status").text.startswith("Running")
            and d.find_element(By.ID, "results").get_attribute("data-labels") != "pending"
        ),
        what,
    )


def endpoint(server: str, query: str, accept: str = "application/sparql-results+json") -> Any:
    """Ask the server directly, as a reference for what the page shows."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        f"{server}/sparql",
        data=body,
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as r:
            data = r.read().decode()
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read().decode())
    return json.loads(data) if "json" in accept else data


def cells(table: WebElement) -> list[list[str]]:
    return [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]


def local_path(iri: str) -> str:
    path = urls.local_path(iri)
    assert path is not None, f"{iri} has no page here"
    return path


# ------------------------------------------------------------------------------ tests


#: Every kind of page the server shows a person (the API page included).
PAGES = [
    "/",
    "/api/docs",
    "/resource/mathilda",
    "/sentence/1",
    "/ontology",
    "/graph/ontology",
    "/.well-known/void",
    "/reconcile/preview?id=mathilda",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_the_machine(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path], path: str
) -> None:
    """The watch fails the test on any request to another host (a CDN, a font, a validator)."""
    browser.get(server + path)
    until(browser, lambda d: d.execute_script("return document.readyState") == "complete", path)
    if path == "/api/docs":  # Swagger UI drew the operations from /api/openapi.json
        operations = until(
            browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"), "the operations"
        )
        assert len(operations) > 10
        assert browser.find_elements(By.XPATH, "//*[contains(text(), '/sparql')]")
    time.sleep(0.5)  # anything the page fetches late
    shot("page" + path.replace("/", "-").replace("?", "-"))


def test_example_from_the_menu_runs_into_a_labelled_table(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    examples = json.load(urllib.request.urlopen(f"{server}/api/examples", timeout=WAIT))
    with_rows = [
        e for e in examples if endpoint(server, e["query"]).get("results", {}).get("bindings")
    ]
    assert with_rows, "queries/ should hold a SELECT example that has answers"
    chosen = with_rows[0]
    open_page(browser, server + "/")
    browser.find_element(By.CSS_SELECTOR, "#examples-menu summary").click()
    items = browser.find_elements(By.CSS_SELECTOR, "#examples button")
    assert [i.find_element(By.TAG_NAME, "strong").text for i in items] == [
        e["title"] for e in examples
    ]
    assert all(i.find_element(By.TAG_NAME, "span").text for i in items)
    shot("examples-menu")
    browser.find_element(By.CSS_SELECTOR, f'[data-example="{chosen["id"]}"]').click()
    assert browser.find_element(By.ID, "editor").get_attribute("value") == chosen["query"]
    assert browser.find_element(By.ID, "example-title").text == chosen["title"]
    assert browser.find_element(By.ID, "example-description").text == chosen["description"]

    run_and_wait(browser)
    expected = endpoint(server, chosen["query"])
    table = browser.find_element(By.CSS_SELECTOR, "#results table")
    headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == [f"?{v}" for v in expected["head"]["vars"]]
    rows = expected["results"]["bindings"]
    shown = cells(table)
    assert len(shown) == min(len(rows), 500)
    n = len(rows)
    assert browser.find_element(By.ID, "status").text.startswith(
        f"{n:,} {'row' if n == 1 else 'rows'} in "
    )
    # Literals read as their value; IRIs link to this server's page for them.
    for row, texts in zip(rows, shown, strict=False):
        for var, text in zip(expected["head"]["vars"], texts, strict=True):
            term = row.get(var)
            if term is None:
                assert text == ""
            elif term["type"] == "literal":
                assert text.startswith(term["value"].strip()[:40].strip())
    links = table.find_elements(By.CSS_SELECTOR, "a.iri")
    assert links, "the example should answer with IRIs"
    for link in links:
        iri = link.get_attribute("data-iri")
        path = urls.local_path(iri)
        assert link.get_attribute("href") == (server + path if path else iri)
    shot("example-table", at="#status")


def test_iris_are_shown_by_label_and_open_their_page(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    query = (
        "SELECT ?film ?title WHERE {\n"
        '  ?film a leon:Film ; rdfs:label ?title FILTER(lang(?title) = "en")\n}'
    )
    expected = endpoint(server, query)["results"]["bindings"]
    assert expected, "the graph should hold a film with an English label"
    open_page(browser, server + "/")
    set_query(browser, query)
    run_and_wait(browser)
    link = until(
        browser,
        lambda d: next(
            (
                a
                for a in d.find_elements(By.CSS_SELECTOR, "#results a.iri")
                if a.text == expected[0]["title"]["value"]
            ),
            None,
        ),
        "the film's label in place of its IRI",
    )
    iri = expected[0]["film"]["value"]
    assert iri in link.get_attribute("title")
    literal = browser.find_element(By.CSS_SELECTOR, "#results .literal")
    assert literal.get_attribute("title") == f"language: {expected[0]['title']['xml:lang']}"
    shot("labels")
    link.click()
    until(browser, lambda d: d.current_url == server + local_path(iri), "the resource page")
    until(browser, lambda d: d.execute_script("return document.readyState") == "complete", "load")
    assert expected[0]["title"]["value"] in browser.find_element(By.TAG_NAME, "body").text
    shot("resource-page")


def test_construct_is_drawn_as_a_draggable_graph_beside_its_turtle(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    query = (
        "CONSTRUCT { ?event ?p ?o } WHERE {\n"
        "  ?event a leon:PlotEvent ; leon:position 1 ; ?p ?o .\n}"
    )
    triples = rdflib.Graph().parse(
        data=endpoint(server, query, "application/n-triples"), format="nt"
    )
    assert len(triples), "the first plot event should have triples"
    # Each IRI or blank node is one node; each literal is a node of its own.
    expected_nodes = len(
        {s for s, _, _ in triples} | {o for _, _, o in triples if not isinstance(o, rdflib.Literal)}
    ) + sum(isinstance(o, rdflib.Literal) for o in triples.objects())
    open_page(browser, server + "/")
    set_query(browser, query)
    run_and_wait(browser)
    nodes = browser.find_elements(By.CSS_SELECTOR, "svg.graph g.node")
    edges = browser.find_elements(By.CSS_SELECTOR, "svg.graph line.edge")
    assert len(edges) == len(triples)
    assert len(nodes) == expected_nodes
    labels = [  # crowded labels are hidden; each keeps its predicate and IRI
        t.get_attribute("textContent")
        for t in browser.find_elements(By.CSS_SELECTOR, "svg.graph .edge-label")
    ]
    assert any(x.startswith("rdf:type") for x in labels)
    assert any(x.startswith("leon:position") for x in labels)
    turtle = browser.find_element(By.CSS_SELECTOR, "pre.turtle").text
    assert "@prefix leon: <https://w3id.org/leongraph/ontology#> ." in turtle
    assert "leon:position 1" in turtle
    assert browser.find_element(By.ID, "status").text.startswith(f"{len(triples)} triples in ")
    downloads = browser.find_elements(By.CSS_SELECTOR, "#downloads a.download")
    assert {a.get_attribute("data-format") for a in downloads} == {
        "ttl",
        "nt",
        "jsonld",
        "rdf",
        "trig",
        "nq",
    }

    iri_nodes = [n for n in nodes if "uri" in n.get_attribute("class").split()]
    for n in iri_nodes:  # ontology terms, resources and sentences link to their pages here
        iri = n.get_attribute("data-key")[1:-1]
        href = n.find_element(By.TAG_NAME, "a").get_dom_attribute("href")
        assert href == (urls.local_path(iri) or iri)
    assert any(urls.local_path(n.get_attribute("data-key")[1:-1]) for n in iri_nodes)
    node = iri_nodes[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", node)
    before = node.get_attribute("transform")
    ActionChains(browser).drag_and_drop_by_offset(
        node.find_element(By.CSS_SELECTOR, ".handle"), 60, 40
    ).perform()
    until(browser, lambda d: node.get_attribute("transform") != before, "the node to move")
    shot("construct-graph", at="#status")

    # The drawing downloads as a standalone SVG picture, styles included.
    save = browser.find_element(By.CSS_SELECTOR, ".graph-save")
    save.click()
    href = save.get_attribute("href")
    assert href.startswith("data:image/svg+xml;charset=utf-8,")
    picture = ElementTree.fromstring(urllib.parse.unquote(href.split(",", 1)[1]).encode())
    svg_ns = "{http://www.w3.org/2000/svg}"
    assert picture.tag == f"{svg_ns}svg"
    assert ".edge" in "".join(s.text or "" for s in picture.iter(f"{svg_ns}style"))
    pictured = [g for g in picture.iter(f"{svg_ns}g") if "node" in g.get("class", "").split()]
    assert len(pictured) == expected_nodes

    # A big graph is drawn in part (and says so); its Turtle still has every triple.
    everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a leon:PlotEvent ; ?p ?o }"
    answer = endpoint(server, everything, "application/n-triples")
    expected = rdflib.Graph().parse(data=answer, format="nt")
    total = len(expected)
    set_query(browser, everything)
    run_and_wait(browser)
    drawn = browser.find_elements(By.CSS_SELECTOR, "svg.graph g.node")
    assert 0 < len(drawn) <= 150 < total
    assert "The first 150 nodes are drawn" in browser.find_element(By.TAG_NAME, "figcaption").text
    turtle = browser.find_element(By.CSS_SELECTOR, "pre.turtle").get_attribute("textContent")
    assert isomorphic(rdflib.Graph().parse(data=turtle, format="turtle"), expected)


def test_timeline_lists_the_events_in_story_order(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    expected = endpoint(
        server,
        "SELECT ?event ?position WHERE { ?event a leon:PlotEvent ; leon:position ?position }"
        " ORDER BY ?position",
    )["results"]["bindings"]
    assert expected, "the graph should hold plot events"
    open_page(browser, server + "/")
    browser.find_element(By.ID, "tab-timeline").click()
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#timeline li.event"), "events")
    items = browser.find_elements(By.CSS_SELECTOR, "#timeline li.event")
    positions = [int(i.get_attribute("data-position")) for i in items]
    assert positions == [int(b["position"]["value"]) for b in expected]
    assert positions == sorted(positions)
    first = items[0].find_element(By.CSS_SELECTOR, "a.event-link")
    assert first.get_attribute("href") == server + local_path(expected[0]["event"]["value"])
    assert first.text and not first.text.startswith("http")
    assert items[0].find_elements(By.CSS_SELECTOR, "blockquote"), "the source sentence is quoted"
    placed = endpoint(
        server,
        "SELECT DISTINCT ?position WHERE { ?e a leon:PlotEvent ; leon:position ?position ;"
        " leon:hasPlace ?place } ORDER BY ?position",
    )["results"]["bindings"]
    where = [
        int(i.get_attribute("data-position"))
        for i in items
        if i.find_elements(By.CSS_SELECTOR, ".where a.place")
    ]
    assert where == [int(b["position"]["value"]) for b in placed] != []
    assert browser.current_url.endswith("#timeline")
    shot("timeline")

    # Filtering by one participant keeps exactly the events they take part in.
    select = Select(browser.find_element(By.ID, "timeline-actor"))
    someone = select.options[1].get_attribute("value")
    select.select_by_value(someone)
    theirs = endpoint(
        server,
        f"SELECT DISTINCT ?position WHERE {{ ?e a leon:PlotEvent ; leon:position ?position ;"
        f" leon:hasActor <{someone}> }} ORDER BY ?position",
    )["results"]["bindings"]
    visible = [int(i.get_attribute("data-position")) for i in items if i.is_displayed()]
    assert visible == [int(b["position"]["value"]) for b in theirs] != []


def test_cast_view_joins_actors_characters_and_film(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    expected = endpoint(
        server,
        "SELECT DISTINCT ?actor ?character WHERE { ?r a leon:CastingRole ; "
        "leon:castActor ?actor ; leon:castCharacter ?character }",
    )["results"]["bindings"]
    assert expected, "the graph should hold casting roles"
    open_page(browser, server + "/#cast")
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#cast tbody tr"), "the cast")
    rows = browser.find_elements(By.CSS_SELECTOR, "#cast tbody tr")
    pairs = {
        (
            r.find_element(By.CSS_SELECTOR, "a.actor").get_attribute("href"),
            r.find_element(By.CSS_SELECTOR, "a.character").get_attribute("href"),
        )
        for r in rows
    }
    assert pairs == {
        (server + local_path(b["actor"]["value"]), server + local_path(b["character"]["value"]))
        for b in expected
    }
    actors = browser.find_elements(By.CSS_SELECTOR, "svg.cast-diagram a.cast-node.actor")
    assert len(actors) == len({b["actor"]["value"] for b in expected})
    shot("cast", at="#cast")


def test_a_syntax_error_is_shown_at_its_line_and_column(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    query = "SELECT ?s\nWHERE {\n  ?s ?p ?o\n  FILTER(?o = )\n}"
    expected = endpoint(server, query)["error"]
    assert expected["status"] == 400 and expected["line"] > 1
    watch.allow("/sparql", 400)
    open_page(browser, server + "/")
    set_query(browser, query)
    browser.find_element(By.ID, "run").click()
    error = until(
        browser, lambda d: d.find_element(By.ID, "error").is_displayed() and d, "the error"
    ).find_element(By.ID, "error")
    assert f"line {expected['line']}, column {expected['column']}" in error.text
    assert browser.find_element(By.ID, "error-line").is_displayed()
    bad = browser.find_elements(By.CSS_SELECTOR, "#gutter span.bad")
    assert [b.text for b in bad] == [str(expected["line"])]
    caret = browser.execute_script("return document.getElementById('editor').selectionStart")
    lines = query.split("\n")
    assert caret == sum(len(x) + 1 for x in lines[: expected["line"] - 1]) + expected["column"] - 1
    shot("syntax-error")
    # Typing clears the marker.
    browser.find_element(By.ID, "editor").send_keys(" ")
    assert not browser.find_element(By.ID, "error-line").is_displayed()


def test_a_shared_url_reproduces_the_results(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    query = (
        "SELECT ?event ?label WHERE {\n  ?event a leon:PlotEvent ; leon:position ?n ;"
        " rdfs:label ?label .\n} ORDER BY ?n LIMIT 5"
    )
    open_page(browser, server + "/")
    set_query(browser, query)
    run_and_wait(browser)
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results tbody tr"), "rows")
    first = cells(browser.find_element(By.CSS_SELECTOR, "#results table"))
    shared = browser.current_url
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)["query"] == [query]

    browser.get("about:blank")
    open_page(browser, shared)
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results tbody tr"), "rows")
    until(
        browser,
        lambda d: cells(d.find_element(By.CSS_SELECTOR, "#results table")) == first,
        "the same cells",
    )
    assert browser.find_element(By.ID, "editor").get_attribute("value") == query
    shot("shared-url")
    # The endpoint itself answers a browser with the same page.
    open_page(browser, f"{server}/sparql")
    assert browser.find_element(By.ID, "editor").is_displayed()


def test_ask_keyboard_and_prefix_buttons(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    open_page(browser, server + "/")
    set_query(browser, "ASK { ?film a schema:Movie }")
    browser.find_element(By.CSS_SELECTOR, '#prefixes [data-prefix="schema"]').click()
    value = browser.find_element(By.ID, "editor").get_attribute("value")
    assert value.startswith(f"PREFIX schema: <{PREFIXES['schema']}>\n")
    editor = browser.find_element(By.ID, "editor")
    editor.click()
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    answer = until(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#results .ask"), "the yes/no answer"
    )[0]
    expected = endpoint(server, value)["boolean"]
    assert answer.find_element(By.TAG_NAME, "strong").text == ("Yes" if expected else "No")
    assert {
        a.get_attribute("data-format")
        for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a.download")
    } == {"json", "xml", "csv", "tsv"}
    shot("ask")
    # Tab indents inside the editor; Escape then Tab leaves it for the Run button.
    editor.send_keys(Keys.END, Keys.TAB)
    assert browser.switch_to.active_element == editor
    assert browser.find_element(By.ID, "editor").get_attribute("value") == value + "  "
    editor.send_keys(Keys.CONTROL, "z")  # the indent is one undoable edit
    assert browser.find_element(By.ID, "editor").get_attribute("value") == value
    editor.send_keys(Keys.ESCAPE, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "run"


def test_history_keeps_the_queries_run_in_this_browser(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    first = "# First of two\nSELECT ?film WHERE { ?film a leon:Film }"
    second = "# Second of two\nASK { ?film a leon:Film }"
    open_page(browser, server + "/")
    for query in (first, second, first):
        set_query(browser, query)
        run_and_wait(browser)
    open_page(browser, server + "/")
    browser.find_element(By.CSS_SELECTOR, "#history-menu summary").click()
    items = browser.find_elements(By.CSS_SELECTOR, "#history button")
    titles = [i.find_element(By.TAG_NAME, "strong").text for i in items]
    assert titles[:2] == ["First of two", "Second of two"]  # newest first, each once
    assert "Second of two" not in titles[2:] and "First of two" not in titles[2:]
    shot("history")
    items[1].click()
    assert browser.find_element(By.ID, "editor").get_attribute("value") == second
    assert not browser.find_element(By.ID, "history").is_displayed()


def test_columns_sort_numbers_by_value(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    open_page(browser, server + "/")
    set_query(browser, "SELECT ?event ?n WHERE { ?event a leon:PlotEvent ; leon:position ?n }")
    run_and_wait(browser)
    header = browser.find_elements(By.CSS_SELECTOR, "#results th")[1]
    column = "#results tbody td:nth-child(2)"
    for order in ("ascending", "descending"):
        header.find_element(By.TAG_NAME, "button").click()
        assert header.get_attribute("aria-sort") == order
        numbers = [int(td.text) for td in browser.find_elements(By.CSS_SELECTOR, column)]
        assert len(numbers) > 9, "enough events to tell numeric from text order"
        assert numbers == sorted(numbers, reverse=order == "descending")
    shot("sorted", at="#status")


CONTRAST_JS = """
const parse = (c) => c.match(/[\\d.]+/g).map(Number);
const lum = ([r, g, b]) => {
  const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const background = (el) => {
  for (; el; el = el.parentElement) {
    const c = parse(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c;
  }
  return [255, 255, 255];
};
return [...document.querySelectorAll(arguments[0])].filter((el) => el.offsetParent).map((el) => {
  const [a, b] = [lum(parse(getComputedStyle(el).color)), lum(background(el))];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return [arguments[0], el.textContent.slice(0, 30), ratio];
});
"""


def test_text_contrast_focus_outlines_and_tab_keys(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    open_page(browser, server + "/")
    set_query(
        browser,
        '# c\nSELECT ?s (COUNT(*) AS ?n) WHERE { ?s a leon:Film ; rdfs:label "x"@en . '
        "FILTER(?n > 1) } GROUP BY ?s <http://x/>",
    )
    kinds = ["keyword", "function", "var", "iri", "pname", "string", "number", "comment", "lang"]
    selectors = [f".t-{k}" for k in kinds]
    selectors += ["#limits", "#editor-help", ".prefix", ".gutter span", "footer.site p"]
    selectors += [".tabs [role=tab]", "header.site a", ".menu summary", "#run"]
    seen = set()
    for selector in selectors:
        for _, text, ratio in browser.execute_script(CONTRAST_JS, selector):
            seen.add(selector)
            assert ratio >= 4.5, f"{selector} {text!r}: contrast {ratio:.2f} is below 4.5"
    assert seen == set(selectors), f"not on the page: {set(selectors) - seen}"

    # Keyboard focus is visible, and the arrow keys move between the tabs.
    tab = browser.find_element(By.ID, "tab-query")
    ActionChains(browser).move_to_element(tab).click().perform()
    tab.send_keys(Keys.ARROW_RIGHT)
    active = browser.switch_to.active_element
    assert active.get_attribute("id") == "tab-timeline"
    assert active.get_attribute("aria-selected") == "true"
    assert browser.find_element(By.ID, "panel-timeline").is_displayed()
    active.send_keys(Keys.ARROW_LEFT)
    assert browser.switch_to.active_element.get_attribute("id") == "tab-query"
    browser.find_element(By.ID, "editor").send_keys(Keys.ESCAPE, Keys.TAB)
    style = browser.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [document.activeElement.id, s.outlineStyle, s.outlineWidth]"
    )
    assert style[0] == "run" and style[1] != "none" and style[2] != "0px", style
    shot("focus")

    # The highlighted copy lies exactly under the text being typed.
    props = ["fontFamily", "fontSize", "lineHeight", "paddingTop", "paddingLeft", "tabSize"]
    under, over = browser.execute_script(
        "const pick = (el) => arguments[0].map((p) => getComputedStyle(el)[p]);"
        "const pre = document.querySelector('.code pre');"
        "const textarea = document.getElementById('editor');"
        "return [pick(pre), pick(textarea)]",
        props,
    )
    assert under == over


def test_long_answers_are_drawn_500_rows_at_a_time(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1200"
    assert len(endpoint(server, query)["results"]["bindings"]) == 1200
    open_page(browser, server + "/")
    set_query(browser, query)
    run_and_wait(browser)
    assert browser.find_element(By.ID, "status").text.startswith("1,200 rows in ")
    for shown in (500, 1000, 1200):
        rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
        assert len(rows) == shown
        more = browser.find_element(By.CSS_SELECTOR, "#results button.more")
        if shown < 1200:
            assert more.text == f"Show {min(500, 1200 - shown)} more rows"
            more.click()
            until(
                browser,
                lambda d: d.find_element(By.ID, "results").get_attribute("data-labels") == "done",
                "the labels of the new rows",
            )
        else:
            assert not more.is_displayed()


def test_a_running_query_can_be_cancelled(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    watch.allow("/sparql", "canceled")
    open_page(browser, server + "/")
    set_query(browser, "SELECT * WHERE { ?s ?p ?o }")
    # Click Cancel in the same task as Run, so the answer cannot arrive in between.
    browser.execute_script(
        "document.getElementById('run').click(); document.getElementById('cancel').click();"
    )
    until(
        browser,
        lambda d: d.find_element(By.ID, "status").text.startswith("Cancelled after"),
        "the cancellation",
    )
    assert browser.find_element(By.ID, "run").is_enabled()
    assert not browser.find_element(By.ID, "cancel").is_displayed()
    assert not browser.find_elements(By.CSS_SELECTOR, "#results table")
    limits = browser.find_element(By.ID, "limits").text
    assert "Timeout 8 s" in limits and "10,000 rows" in limits
    shot("cancelled")

    # From the keyboard: Escape cancels, and focus goes from Run to Cancel and back to Run.
    browser.execute_script("document.getElementById('status').textContent = ''")
    focus = browser.execute_script(
        "const run = document.getElementById('run'); run.focus(); run.click();"
        "const during = document.activeElement.id;"
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));"
        "return during;"
    )
    assert focus == "cancel"
    until(
        browser,
        lambda d: d.find_element(By.ID, "status").text.startswith("Cancelled after"),
        "the cancellation by Escape",
    )
    assert browser.switch_to.active_element.get_attribute("id") == "run"


def test_phone_sized_screen_and_transfer_size(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path], tmp_path: Path
) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        open_page(browser, server + "/")
        until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#examples li"), "examples")
        width = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width}"
        run = browser.find_element(By.ID, "run")
        assert run.size["height"] >= 32, "buttons must be big enough to tap"
        total = browser.execute_script(
            "return performance.getEntriesByType('navigation')"
            ".concat(performance.getEntriesByType('resource'))"
            ".reduce((n, e) => n + e.transferSize, 0)"
        )
        (tmp_path / "transfer-size.txt").write_text(f"{total}\n")
        print(f"query page transfer size: {total} bytes")
        assert 0 < total < 200_000
        shot("phone")

        # Each answer and view fits the width too (wide tables scroll inside their box).
        def fits() -> bool:
            return bool(
                browser.execute_script(
                    "return document.documentElement.scrollWidth <= window.innerWidth"
                )
            )

        set_query(browser, "SELECT * WHERE { ?event a leon:PlotEvent ; ?p ?o } LIMIT 40")
        run_and_wait(browser)
        assert fits(), "the results table makes the page scroll sideways"
        shot("phone-table", at="#status")
        set_query(browser, "DESCRIBE res:leon")
        run_and_wait(browser)
        assert browser.find_elements(By.CSS_SELECTOR, "svg.graph g.node")
        assert fits(), "the graph view makes the page scroll sideways"
        shot("phone-graph", at="#status")
        for tab, item in (("timeline", "#timeline li"), ("cast", "#cast tbody tr")):
            browser.find_element(By.ID, f"tab-{tab}").click()
            until(browser, lambda d, item=item: d.find_elements(By.CSS_SELECTOR, item), tab)
            assert fits(), f"the {tab} makes the page scroll sideways"
            shot(f"phone-{tab}")
    finally:
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        browser.set_window_size(1280, 900)


def test_the_page_works_behind_a_path_prefix(
    browser: WebDriver, proxied: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    open_page(browser, proxied + "/")
    set_query(browser, "SELECT ?film WHERE { ?film a leon:Film }")
    run_and_wait(browser)
    link = browser.find_element(By.CSS_SELECTOR, "#results a.iri")
    href = link.get_attribute("href")
    assert href == proxied + local_path(link.get_attribute("data-iri"))
    download = browser.find_element(By.CSS_SELECTOR, '#downloads a[data-format="csv"]')
    assert download.get_attribute("href").startswith(proxied + "/sparql?")
    with urllib.request.urlopen(download.get_attribute("href"), timeout=WAIT) as r:
        assert r.status == 200 and r.read().decode().startswith("film")
    browser.find_element(By.ID, "tab-cast").click()
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#cast tbody tr"), "the cast")
    shot("path-prefix")
    link = browser.find_element(By.CSS_SELECTOR, "#cast tbody a.actor")
    assert link.get_attribute("href").startswith(proxied + "/resource/")


def test_the_editor_stops_growing_and_the_answer_comes_into_view(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    open_page(browser, server + "/")
    # An example's title and description go as soon as the text is edited.
    browser.find_element(By.CSS_SELECTOR, "#examples-menu summary").click()
    browser.find_element(By.CSS_SELECTOR, "#examples button").click()
    assert browser.find_element(By.ID, "example-info").is_displayed()
    browser.find_element(By.ID, "editor").send_keys(Keys.END, " ")
    assert not browser.find_element(By.ID, "example-info").is_displayed()

    comments = "".join(f"# line {i}: a long query, as people paste them\n" for i in range(120))
    set_query(browser, comments + "SELECT ?s WHERE { ?s a leon:Film }")
    box = browser.find_element(By.ID, "editor-box")
    height, scrolls, resize, viewport = browser.execute_script(
        "const b = arguments[0]; return [b.getBoundingClientRect().height,"
        " b.scrollHeight > b.clientHeight, getComputedStyle(b).resize, window.innerHeight];",
        box,
    )
    assert height <= 0.6 * viewport + 2, "the editor stops at a maximum height"
    assert scrolls and resize == "vertical", "then it scrolls, and its corner resizes it"
    run_and_wait(browser)
    top = browser.execute_script(
        "return document.getElementById('status').getBoundingClientRect().top"
    )
    assert 0 <= top < viewport, "the answer is scrolled into view"
    assert browser.find_element(By.CSS_SELECTOR, "#results table").is_displayed()
    shot("answer-in-view")


def _drawn(browser: WebDriver, query: str) -> tuple[float, list[list[float]], int]:
    """Run a CONSTRUCT; the smallest node label's height on screen, the boxes of the edge
    labels shown, and the number of edge labels."""
    set_query(browser, query)
    run_and_wait(browser)
    until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "svg.graph g.node"), "the drawing")
    browser.execute_script("document.querySelector('svg.graph').scrollIntoView({block: 'start'})")
    return tuple(
        browser.execute_script(
            "const texts = [...document.querySelectorAll('svg.graph g.node text')];"
            "const px = Math.min(...texts.map((t) => t.getBoundingClientRect().height));"
            "const all = [...document.querySelectorAll('svg.graph .edge-label')];"
            "const shown = all.filter((t) => getComputedStyle(t).visibility !== 'hidden')"
            "  .map((t) => { const r = t.getBoundingClientRect();"
            "    return [r.left, r.top, r.right, r.bottom]; });"
            "return [px, shown, all.length];"
        )
    )


def _apart(labels: list[list[float]]) -> None:
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1
            assert apart, f"edge labels overlap: {a} {b}"


def test_the_graph_is_readable_at_its_first_fit(
    browser: WebDriver, server: str, watch: Watch, shot: Callable[..., Path]
) -> None:
    open_page(browser, server + "/")
    # A star: every edge leaves the event; its labels are spread along the edges, not piled up.
    px, shown, edges = _drawn(
        browser,
        "CONSTRUCT { ?event ?p ?o } WHERE {\n"
        "  ?event a leon:PlotEvent ; leon:position 1 ; ?p ?o .\n}",
    )
    assert px >= 10.5 and len(shown) >= edges / 2, (px, len(shown), edges)
    _apart(shown)
    shot("graph-star", at="svg.graph")
    # 150 nodes: labels keep a legible size; edge labels that do not fit are hidden.
    px, shown, edges = _drawn(
        browser, "CONSTRUCT { ?s ?p ?o } WHERE { ?s a leon:PlotEvent ; ?p ?o }"
    )
    assert px >= 10.5, f"node labels are {px:.1f} px high at the first fit"
    _apart(shown)
    shot("graph-first-fit", at="svg.graph")
