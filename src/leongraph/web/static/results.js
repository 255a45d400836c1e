// Rendering answers: SELECT as a table (IRIs by label, linked to their pages), ASK as yes/no,
// and the download links for every format the endpoint offers.

import { compact, fetchLabels, localHref } from "./rdf.js";

const PAGE = 500; // rows drawn at once; "Show more" draws the next page

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** A link (IRI), a text span with language/datatype on hover (literal) or a blank node. */
export function termNode(t, config) {
  if (t.type === "uri") {
    const short = compact(t.value, config.prefixes);
    return el("a", { href: localHref(t.value, config), class: "iri", title: t.value, "data-iri": t.value, text: short ?? t.value });
  }
  if (t.type === "bnode") return el("span", { class: "bnode", title: "blank node", text: `_:${t.value}` });
  const lang = t["xml:lang"];
  const datatype = t.datatype ? compact(t.datatype, config.prefixes) ?? t.datatype : null;
  const title = lang ? `language: ${lang}` : datatype ? `datatype: ${datatype}` : "datatype: xsd:string";
  const numeric = t.datatype && /#(integer|decimal|double|float|int|long|gYear)$/.test(t.datatype);
  return el("span", { class: numeric ? "literal number" : "literal", title, "data-lang": lang, "data-datatype": t.datatype }, t.value,
    lang ? el("sup", { class: "lang", text: `@${lang}` }) : null);
}

/** Replace the text of every linked IRI under root by its label, keeping the prefixed name on hover. */
const knownLabels = new Map(); // iri -> label or null, so a sorted redraw never asks twice

export async function applyLabels(root, config, signal) {
  const links = [...root.querySelectorAll("a.iri[data-iri]")];
  const missing = [...new Set(links.map((a) => a.dataset.iri))].filter((iri) => !knownLabels.has(iri));
  if (missing.length) {
    const found = await fetchLabels(missing, config, signal);
    for (const iri of missing.slice(0, 400)) knownLabels.set(iri, found.get(iri) ?? null);
  }
  for (const a of links) {
    const label = knownLabels.get(a.dataset.iri);
    if (!label) continue;
    a.title = `${compact(a.dataset.iri, config.prefixes) ?? a.dataset.iri}\n${a.dataset.iri}`;
    a.textContent = label;
  }
  return knownLabels;
}

/** Order for sorting a column: unbound first, numbers by value, everything else as text. */
function compareTerms(a, b) {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  const na = Number(a.value);
  const nb = Number(b.value);
  if (a.datatype && b.datatype && !Number.isNaN(na) && !Number.isNaN(nb) && a.value !== "" && b.value !== "") return na - nb;
  return a.value.localeCompare(b.value, "en", { numeric: true });
}

export function renderTable(container, json, config) {
  const vars = json.head.vars;
  let rows = json.results.bindings;
  const table = el("table", { class: "result-table" });
  table.append(el("caption", { class: "visually-hidden", text: `Query results: ${rows.length} rows` }));
  const headers = vars.map((v) => {
    const th = el("th", { scope: "col", "aria-sort": "none" });
    const button = el("button", { type: "button", class: "sort", title: `Sort by ?${v}`, text: `?${v}` });
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of headers) other.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows = [...rows].sort((a, b) => compareTerms(a[v], b[v]) * (ascending ? 1 : -1));
      tbody.textContent = "";
      drawn = 0;
      draw();
      relabel();
    });
    th.append(button);
    return th;
  });
  table.append(el("thead", {}, el("tr", {}, ...headers)));
  const tbody = el("tbody");
  table.append(tbody);
  const more = el("button", { type: "button", class: "more" });
  let drawn = 0;
  const draw = () => {
    const end = Math.min(rows.length, drawn + PAGE);
    const fragment = document.createDocumentFragment();
    for (; drawn < end; drawn++) {
      const b = rows[drawn];
      fragment.append(el("tr", {}, ...vars.map((v) => el("td", {}, b[v] ? termNode(b[v], config) : ""))));
    }
    tbody.append(fragment);
    more.hidden = drawn >= rows.length;
    more.textContent = `Show ${Math.min(PAGE, rows.length - drawn)} more rows`;
  };
  // Labels follow the rows; the table is usable before. data-labels tells tests when they are in.
  const relabel = () => {
    container.dataset.labels = "pending";
    applyLabels(tbody, config).catch(() => {}).finally(() => (container.dataset.labels = "done"));
  };
  more.addEventListener("click", () => {
    draw();
    relabel();
  });
  draw();
  relabel();
  container.append(el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Results table" }, table), more);
  if (!rows.length) container.append(el("p", { class: "empty", text: "No solutions: nothing in the graph matches this pattern." }));
  return table;
}

export function renderAsk(container, json) {
  const yes = json.boolean === true;
  container.append(el("p", { class: `ask ${yes ? "yes" : "no"}`, role: "status" },
    el("span", { class: "ask-mark", "aria-hidden": "true", text: yes ? "✓" : "✗" }),
    el("strong", { text: yes ? "Yes" : "No" }), ` — the pattern ${yes ? "matches" : "does not match"} the graph.`));
}

/** One link per format of the endpoint, each reproducing the query with ?format=. */
export function renderDownloads(container, query, form, config) {
  const graph = form === "construct" || form === "describe";
  const list = graph ? config.graph_formats : config.results_formats;
  container.textContent = "";
  container.append(el("span", { class: "downloads-label", text: "Download:" }));
  for (const f of list) {
    const href = `${config.endpoint}?${new URLSearchParams({ query, format: f.name })}`;
    container.append(el("a", { href, download: `query.${f.extension}`, class: "download", title: f.media_type, "data-format": f.name, text: f.name.toUpperCase() }));
  }
  const copy = el("button", { type: "button", class: "copy-link", text: "Copy link to this query" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      copy.textContent = "Link copied";
    } catch {
      copy.textContent = "Copy the address bar to share";
    }
  });
  container.append(copy);
  container.hidden = false;
}

export function formatCount(n) {
  return n.toLocaleString("en");
}
