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
export async function applyLabels(root, config, signal) {
  const links = [...root.querySelectorAll("a.iri[data-iri]")];
  const labels = await fetchLabels(links.map((a) => a.dataset.iri), config, signal);
  for (const a of links) {
    const label = labels.get(a.dataset.iri);
    if (!label) continue;
    a.title = `${compact(a.dataset.iri, config.prefixes) ?? a.dataset.iri}\n${a.dataset.iri}`;
    a.textContent = label;
  }
  return labels;
}

export function renderTable(container, json, config) {
  const vars = json.head.vars;
  const rows = json.results.bindings;
  const table = el("table", { class: "result-table" });
  table.append(el("caption", { class: "visually-hidden", text: `Query results: ${rows.length} rows` }));
  table.append(el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", { scope: "col", text: `?${v}` })))));
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
  more.addEventListener("click", () => {
    draw();
    applyLabels(tbody, config).catch(() => {});
  });
  draw();
  container.append(el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Results table" }, table), more);
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
  container.hidden = false;
}

export function formatCount(n) {
  return n.toLocaleString("en");
}
