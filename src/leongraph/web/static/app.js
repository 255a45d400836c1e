// The query page: wires the editor, the example menu, the prefix buttons, running and
// cancelling queries, the answers (table, yes/no, graph + Turtle) and the story views.

import { Editor } from "./editor.js";
import { postQuery } from "./endpoint.js";
import { buildGraph, drawGraph, MAX_NODES } from "./graph.js";
import { highlight, queryForm } from "./highlight.js";
import { ago, loadHistory, remember, summary } from "./history.js";
import { fetchLabels, parseNTriples, writeTurtle } from "./rdf.js";
import { el, formatCount, renderAsk, renderDownloads, renderTable } from "./results.js";
import { isUpdate, postUpdate, renderSignIn, renderUpdate } from "./signin.js";
import { VIEWS } from "./views.js";

const $ = (id) => document.getElementById(id);
const ROOT = document.documentElement.dataset.root || "";
const COMMON_PREFIXES = ["leon", "res", "sent", "schema", "sem", "prov", "rdfs", "rdf", "owl", "xsd", "skos", "dcterms", "wd", "wdt"];
const DEFAULT_QUERY = `# Which kinds of things does the graph hold, and how many of each?
SELECT ?class (COUNT(DISTINCT ?thing) AS ?members)
WHERE {
  ?thing a ?class .
}
GROUP BY ?class
ORDER BY DESC(?members)
`;

let config;
let editor;
let running = null; // the AbortController of the query in flight

function seconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function setStatus(text) {
  $("status").textContent = text;
}

function showError(err) {
  const box = $("error");
  box.textContent = "";
  const where = err.line ? ` (line ${err.line}${err.column ? `, column ${err.column}` : ""})` : "";
  box.append(el("strong", { text: `${err.title || "Error"}${where}: ` }), el("span", { class: "message", text: err.message }));
  box.hidden = false;
  if (err.line) editor.showError(err.line, err.column);
}

function clearAnswer() {
  $("error").hidden = true;
  $("results").textContent = "";
  $("downloads").hidden = true;
  editor.clearError();
}

function keepInUrl(query) {
  const url = new URL(location.href);
  url.searchParams.set("query", query);
  history.replaceState(null, "", url);
}

function setRunning(controller) {
  // Keep keyboard focus where it was meant to be: Run hands it to Cancel and back.
  const from = document.activeElement;
  running = controller;
  $("run").disabled = !!controller;
  $("cancel").hidden = !controller;
  $("editor-box").setAttribute("aria-busy", controller ? "true" : "false");
  if (controller && from === $("run")) $("cancel").focus();
  if (!controller && from === $("cancel")) $("run").focus();
}

async function run() {
  const query = editor.value;
  if (running) return;
  clearAnswer();
  if (!query.trim()) {
    showError({ title: "Empty query", message: "Type a query or pick one from the examples." });
    return;
  }
  if (query.length > config.max_query_length) {
    showError({ title: "Query too long", message: `This server accepts queries of up to ${formatCount(config.max_query_length)} characters; this one has ${formatCount(query.length)}.` });
    return;
  }
  keepInUrl(query);
  renderHistory(remember(query));
  const form = queryForm(query);
  const graphForm = form === "construct" || form === "describe";
  const accept = graphForm ? "application/n-triples"
    : form ? "application/sparql-results+json"
    : "application/sparql-results+json, application/n-triples;q=0.9";
  const controller = new AbortController();
  setRunning(controller);
  const started = performance.now();
  const ticker = setInterval(() => setStatus(`Running… ${seconds(performance.now() - started)}`), 200);
  setStatus("Running…");
  try {
    if (isUpdate(query)) {
      const done = await postUpdate(config, query, controller.signal);
      clearInterval(ticker);
      setStatus(`${done.message} in ${seconds(performance.now() - started)}.`);
      renderUpdate($("results"), done, ROOT);
      return;
    }
    const response = await postQuery(config, query, accept, controller.signal);
    const type = response.headers.get("content-type") || "";
    const body = type.includes("json") ? await response.json() : await response.text();
    clearInterval(ticker); // the answer is in; labels and drawing come after the timing
    const took = performance.now() - started;
    if (type.includes("json")) {
      const json = body;
      renderDownloads($("downloads"), query, "boolean" in json ? "ask" : "select", config);
      if ("boolean" in json) {
        renderAsk($("results"), json);
        setStatus(`ASK answered in ${seconds(took)}.`);
      } else {
        const n = json.results.bindings.length;
        const capped = n >= config.max_rows ? ` — the row cap (${formatCount(config.max_rows)}) was reached` : "";
        setStatus(`${formatCount(n)} ${n === 1 ? "row" : "rows"} in ${seconds(took)}${capped}.`);
        renderTable($("results"), json, config);
      }
    } else {
      const triples = parseNTriples(body);
      renderDownloads($("downloads"), query, "construct", config);
      setStatus(`${formatCount(triples.length)} ${triples.length === 1 ? "triple" : "triples"} in ${seconds(took)}.`);
      await showGraph(triples, controller.signal);
    }
    revealResults();
  } catch (err) {
    if (err.name === "AbortError") setStatus(`Cancelled after ${seconds(performance.now() - started)}.`);
    else {
      setStatus("");
      showError(err.name === "TypeError" ? { title: "Network error", message: "The server could not be reached." } : err);
    }
  } finally {
    clearInterval(ticker);
    setRunning(null);
  }
}

async function showGraph(triples, signal) {
  const results = $("results");
  if (!triples.length) {
    results.append(el("p", { class: "empty", text: "The query produced no triples." }));
    return;
  }
  const iris = triples.flatMap(([s, , o]) => [s, o]).filter((t) => t.type === "uri").map((t) => t.value);
  const labels = await fetchLabels(iris, config, signal);
  const graph = buildGraph(triples, config, labels);
  const picture = el("figure", { class: "graph-box" });
  const turtle = el("pre", { class: "turtle", tabindex: "0", "aria-label": "The triples in Turtle" });
  turtle.innerHTML = highlight(writeTurtle(triples, config.prefixes));
  results.append(el("div", { class: "graph-view" }, picture, el("div", { class: "turtle-box" }, el("h3", { text: "Turtle" }), turtle)));
  drawGraph(picture, graph, config);
  picture.append(el("figcaption", {
    text: graph.truncated ? `The first ${MAX_NODES} nodes are drawn; the Turtle has every triple. Drag a node to move it.`
      : "Drag a node to move it, drag the background to pan, scroll to zoom; follow a label to its page.",
  }));
}

function cancel() {
  running?.abort();
}

function renderExamples(examples) {
  const list = $("examples");
  if (!examples.length) {
    list.append(el("li", { class: "empty", text: "No example queries are installed." }));
    return;
  }
  for (const ex of examples) {
    const button = el("button", { type: "button", "data-example": ex.id },
      el("strong", { text: ex.title }), el("span", { text: ex.description }));
    button.addEventListener("click", () => {
      loadQuery(ex.query, ex);
      setStatus(`Example loaded: ${ex.title}. Run it with the button or Ctrl+Enter.`);
    });
    list.append(el("li", {}, button));
  }
}

/** Bring the answer into view when it starts below the fold (a long query above it). */
function revealResults() {
  const status = $("status");
  const top = status.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) status.scrollIntoView({ block: "start" });
}

function loadQuery(query, example) {
  editor.value = query;
  $("example-info").hidden = !example;
  if (example) {
    $("example-title").textContent = example.title;
    $("example-description").textContent = example.description;
  }
  for (const menu of document.querySelectorAll("details.menu")) menu.open = false;
  clearAnswer();
  editor.textarea.focus();
}

function renderHistory(entries) {
  const list = $("history");
  list.textContent = "";
  if (!entries.length) list.append(el("li", { class: "empty", text: "Queries you run appear here." }));
  for (const entry of entries) {
    list.append(el("li", {}, el("button", {
      type: "button", class: "history-item",
      onclick: () => {
        loadQuery(entry.query);
        setStatus("Query loaded from the history. Run it with the button or Ctrl+Enter.");
      },
    }, el("strong", { text: summary(entry.query) }), el("span", { text: ago(entry.at) }))));
  }
}

function renderPrefixes() {
  const box = $("prefixes");
  box.append(el("span", { class: "prefixes-label", text: "Add prefix:" }));
  for (const prefix of COMMON_PREFIXES.filter((p) => config.prefixes[p])) {
    box.append(el("button", {
      type: "button", class: "prefix", title: `PREFIX ${prefix}: <${config.prefixes[prefix]}>`, "data-prefix": prefix, text: `${prefix}:`,
      onclick: () => {
        const added = editor.insertPrefix(prefix, config.prefixes[prefix]);
        setStatus(added ? `PREFIX ${prefix}: added.` : `${prefix}: is already declared.`);
      },
    }));
  }
}

function selectTab(name, focus = false) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute("aria-selected", on);
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (VIEWS[name]) VIEWS[name].show(config);
  const url = new URL(location.href);
  url.hash = name === "query" ? "" : name;
  if (url.href !== location.href) history.replaceState(null, "", url);
}

function wireTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(tab.id.slice(4)));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) selectTab(tabs[(i + step + tabs.length) % tabs.length].id.slice(4), true);
    });
  });
  for (const button of document.querySelectorAll(".open-in-editor")) {
    button.addEventListener("click", () => {
      selectTab("query");
      loadQuery(VIEWS[button.dataset.view].query);
    });
  }
}

async function getJson(path) {
  const response = await fetch(`${ROOT}${path}`, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

async function main() {
  editor = new Editor({
    textarea: $("editor"), code: $("highlight"), gutter: $("gutter"),
    errorLine: $("error-line"), errorCaret: $("error-caret"), onRun: run,
  });
  // An example's title and description describe its text: typing makes it another query.
  $("editor").addEventListener("input", () => ($("example-info").hidden = true));
  $("run").addEventListener("click", run);
  for (const menu of document.querySelectorAll("details.menu")) {
    menu.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || !menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
    // One menu open at a time.
    menu.addEventListener("toggle", () => {
      if (menu.open) for (const other of document.querySelectorAll("details.menu")) if (other !== menu) other.open = false;
    });
  }
  renderHistory(loadHistory());
  $("cancel").addEventListener("click", cancel);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && running) cancel();
  });
  config = await getJson("/api/config");
  $("limits").textContent = `Timeout ${config.timeout} s · at most ${formatCount(config.max_rows)} rows · ${config.engine}`;
  renderPrefixes();
  if (config.edits) renderSignIn($("signin-box"));
  wireTabs();
  const shared = new URL(location.href).searchParams.get("query");
  editor.value = shared ?? DEFAULT_QUERY;
  const tab = location.hash.slice(1);
  if (VIEWS[tab]) selectTab(tab);
  window.addEventListener("hashchange", () => selectTab(VIEWS[location.hash.slice(1)] ? location.hash.slice(1) : "query"));
  getJson("/api/examples").then(renderExamples, (err) => {
    renderExamples([]);
    setStatus(`The examples could not be loaded: ${err.message}`);
  });
  document.body.dataset.ready = "true";
  if (shared) run();
}

main();
