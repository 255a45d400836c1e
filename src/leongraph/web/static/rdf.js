// RDF terms in the browser: SPARQL JSON terms, N-Triples parsing, a Turtle writer, IRIs made
// local (the graph's own IRIs open this server's pages) and labels fetched with one SPARQL query.

import { select } from "./endpoint.js";

export const XSD = "http://www.w3.org/2001/XMLSchema#";
const RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/** A term in the shape of SPARQL 1.1 Results JSON: {type: uri|literal|bnode, value, ...}. */
export function termKey(t) {
  if (t.type === "uri") return `<${t.value}>`;
  if (t.type === "bnode") return `_:${t.value}`;
  return `"${t.value}"@${t["xml:lang"] || ""}^^${t.datatype || ""}`;
}

const NT_TERM = /\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)/y;

function unescapeNt(s) {
  return s.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_, u4, u8, c) => {
    if (u4 || u8) return String.fromCodePoint(parseInt(u4 || u8, 16));
    return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" }[c] ?? c;
  });
}

function ntTerm(raw) {
  if (raw.startsWith("<")) return { type: "uri", value: unescapeNt(raw.slice(1, -1)) };
  if (raw.startsWith("_:")) return { type: "bnode", value: raw.slice(2) };
  const m = /^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$/.exec(raw);
  const term = { type: "literal", value: unescapeNt(m[1]) };
  if (m[2]) term["xml:lang"] = m[2];
  else if (m[3]) term.datatype = m[3];
  return term;
}

/** Parse N-Triples (one triple a line) into [s, p, o] term triples. */
export function parseNTriples(text) {
  const triples = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const parts = [];
    NT_TERM.lastIndex = 0;
    let m;
    while (parts.length < 3 && (m = NT_TERM.exec(trimmed))) parts.push(ntTerm(m[1]));
    if (parts.length === 3) triples.push(parts);
  }
  return triples;
}

/** A prefixed name for the IRI when a prefix fits and the local part is plain, else null. */
export function compact(iri, prefixes) {
  let best = null;
  for (const [prefix, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns) && (!best || ns.length > best[1].length)) best = [prefix, ns];
  }
  if (!best) return null;
  const local = iri.slice(best[1].length);
  return /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$|^$/.test(local) ? `${best[0]}:${local}` : null;
}

const SAFE_LOCAL = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** This server's page for an IRI of the graph (the scheme of urls.py, under the root path);
 * any other IRI is its own link. */
export function localHref(iri, config) {
  if (config.paths[iri]) return config.root + config.paths[iri];
  for (const [prefix, path] of Object.entries(config.path_prefixes)) {
    const name = iri.slice(prefix.length);
    if (iri.startsWith(prefix) && SAFE_LOCAL.test(name)) return config.root + path + name;
  }
  return iri;
}

function turtleString(value) {
  const escaped = value.replace(/[\\"\n\r\t]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]);
  return `"${escaped}"`;
}

/** One term written in Turtle. */
export function turtleTerm(t, prefixes) {
  if (t.type === "uri") return compact(t.value, prefixes) ?? `<${t.value}>`;
  if (t.type === "bnode") return `_:${t.value}`;
  if (t["xml:lang"]) return `${turtleString(t.value)}@${t["xml:lang"]}`;
  if (t.datatype === XSD + "integer" && /^[+-]?\d+$/.test(t.value)) return t.value;
  if (t.datatype === XSD + "boolean" && /^(true|false)$/.test(t.value)) return t.value;
  if (t.datatype && t.datatype !== XSD + "string" && t.datatype !== RDF_LANG_STRING) {
    return `${turtleString(t.value)}^^${turtleTerm({ type: "uri", value: t.datatype }, prefixes)}`;
  }
  return turtleString(t.value);
}

/** Turtle for the triples, grouped by subject and predicate, declaring only the prefixes used. */
export function writeTurtle(triples, prefixes) {
  const used = new Set();
  const write = (t) => {
    const s = turtleTerm(t, prefixes);
    const m = /^([A-Za-z][\w.-]*|):/.exec(s);
    if (t.type === "uri" && m && !s.startsWith("<")) used.add(m[1]);
    if (t.datatype && s.includes("^^")) write({ type: "uri", value: t.datatype });
    return s;
  };
  const subjects = new Map();
  for (const [s, p, o] of triples) {
    const sk = termKey(s);
    if (!subjects.has(sk)) subjects.set(sk, { term: s, preds: new Map() });
    const preds = subjects.get(sk).preds;
    if (!preds.has(p.value)) preds.set(p.value, { term: p, objects: [] });
    preds.get(p.value).objects.push(o);
  }
  const blocks = [];
  for (const { term, preds } of subjects.values()) {
    const lines = [];
    const type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    const ordered = [...preds.values()].sort((a, b) => (b.term.value === type) - (a.term.value === type));
    for (const { term: p, objects } of ordered) {
      const verb = p.value === type ? "a" : write(p);
      lines.push(`    ${verb} ${objects.map(write).join(" ,\n        ")}`);
    }
    blocks.push(`${write(term)}\n${lines.join(" ;\n")} .`);
  }
  const header = [...used].sort().map((p) => `@prefix ${p}: <${prefixes[p]}> .`).join("\n");
  return (header ? header + "\n\n" : "") + blocks.join("\n\n") + "\n";
}

/** The best label of each IRI: English first, then untagged, then any. Returns Map iri -> label. */
export async function fetchLabels(iris, config, signal) {
  const labels = new Map();
  const list = [...new Set(iris)].filter((iri) => /^[^<>"{}|^`\\\s]+$/.test(iri)).slice(0, 400);
  if (!list.length) return labels;
  const query = `SELECT ?iri ?label WHERE {
  VALUES ?iri { ${list.map((i) => `<${i}>`).join(" ")} }
  ?iri <http://www.w3.org/2000/01/rdf-schema#label> ?label .
}`;
  let json;
  try {
    json = await select(config, query, signal);
  } catch (e) {
    if (e.name === "AbortError") throw e;
    return labels; // labels are a nicety: without them the prefixed names stay
  }
  const rank = (lang) => (lang === "en" ? 0 : !lang ? 1 : 2);
  const best = new Map();
  for (const b of json.results.bindings) {
    const r = rank(b.label["xml:lang"]);
    if (!best.has(b.iri.value) || r < best.get(b.iri.value)) {
      best.set(b.iri.value, r);
      labels.set(b.iri.value, b.label.value);
    }
  }
  return labels;
}
