// The story views: a timeline of the plot events in story order and the cast (film, actors,
// characters). Each is one SPARQL query against the endpoint, shown beside the view.

import { select } from "./endpoint.js";
import { localHref } from "./rdf.js";
import { el } from "./results.js";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

export const TIMELINE_QUERY = `# The plot events in story order, with who takes part, where,
# and the sentence of the synopsis each one comes from.
SELECT DISTINCT ?event ?position ?label ?actor ?actorLabel ?place ?placeLabel ?sentence ?text
WHERE {
  ?event a leon:PlotEvent ;
         leon:position ?position .
  OPTIONAL { ?event rdfs:label ?label FILTER(lang(?label) IN ("en", "")) }
  OPTIONAL { ?event leon:hasActor ?actor .
             OPTIONAL { ?actor rdfs:label ?actorLabel FILTER(lang(?actorLabel) IN ("en", "")) } }
  OPTIONAL { ?event leon:hasPlace ?place .
             OPTIONAL { ?place rdfs:label ?placeLabel FILTER(lang(?placeLabel) IN ("en", "")) } }
  OPTIONAL { ?event leon:sourceSentence ?sentence .
             ?sentence leon:text ?text }
}
ORDER BY ?position ?event
`;

export const CAST_QUERY = `# Who plays whom: each casting role joins a film, an actor and a character.
SELECT DISTINCT ?film ?filmLabel ?actor ?actorLabel ?character ?characterLabel
WHERE {
  ?role a leon:CastingRole ;
        leon:castFilm|^leon:castingRole ?film ;
        leon:castActor ?actor .
  OPTIONAL { ?role leon:castCharacter ?character .
             OPTIONAL { ?character rdfs:label ?characterLabel FILTER(lang(?characterLabel) IN ("en", "")) } }
  OPTIONAL { ?film rdfs:label ?filmLabel FILTER(lang(?filmLabel) IN ("en", "")) }
  OPTIONAL { ?actor rdfs:label ?actorLabel FILTER(lang(?actorLabel) IN ("en", "")) }
}
ORDER BY ?actorLabel ?characterLabel
`;

function tail(iri) {
  return decodeURIComponent(iri.split(/[/#]/).pop()).replace(/-/g, " ");
}

function link(iri, label, config, cls) {
  return el("a", { href: localHref(iri, config), title: iri, class: cls, text: label || tail(iri) });
}

/** Group rows by a key variable, keeping first-seen order (the query orders the rows). */
function groupBy(bindings, key) {
  const groups = new Map();
  for (const b of bindings) {
    const k = b[key]?.value;
    if (!k) continue;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(b);
  }
  return groups;
}

/** Distinct {iri, label} pairs of one variable (with its label variable) in the rows. */
function distinct(rows, variable, labelVariable) {
  const seen = new Map();
  for (const r of rows) {
    const v = r[variable];
    if (v && (!seen.has(v.value) || (!seen.get(v.value).label && r[labelVariable]))) {
      seen.set(v.value, { iri: v.value, label: r[labelVariable]?.value });
    }
  }
  return [...seen.values()];
}

function renderTimeline(json, config) {
  const list = $("timeline");
  list.textContent = "";
  const events = [...groupBy(json.results.bindings, "event").entries()]
    .map(([iri, rows]) => ({ iri, rows, position: Number(rows[0].position.value) }))
    .sort((a, b) => a.position - b.position);
  for (const { iri, rows, position } of events) {
    const label = rows.find((r) => r.label)?.label.value;
    const actors = distinct(rows, "actor", "actorLabel");
    const places = distinct(rows, "place", "placeLabel");
    const sentences = distinct(rows, "sentence", "text");
    const item = el("li", { class: "event", "data-position": position, "data-actors": actors.map((a) => a.iri).join(" ") },
      el("span", { class: "position", "aria-label": `Event ${position}`, text: position }),
      el("div", { class: "event-body" },
        el("h3", {}, link(iri, label, config, "event-link")),
        actors.length ? el("p", { class: "who" }, el("span", { class: "tag", text: "Who" }),
          ...actors.flatMap((a, i) => [i ? ", " : "", link(a.iri, a.label, config, "actor")])) : null,
        places.length ? el("p", { class: "where" }, el("span", { class: "tag", text: "Where" }),
          ...places.flatMap((p, i) => [i ? ", " : "", link(p.iri, p.label, config, "place")])) : null,
        ...sentences.map((s) => el("blockquote", { cite: s.iri },
          el("p", { text: s.label }),
          el("footer", {}, link(s.iri, `Sentence ${tail(s.iri)}`, config, "sentence"))))));
    list.append(item);
  }
  renderFilter(events.length);
  return events.length;
}

/** A menu of everyone taking part: choosing one shows only the events they are in. */
function renderFilter(total) {
  const box = $("timeline-filter");
  box.textContent = "";
  const people = new Map();
  for (const a of $("timeline").querySelectorAll(".who a")) people.set(a.title, a.textContent);
  if (!people.size) return;
  const select = el("select", { id: "timeline-actor" },
    el("option", { value: "", text: "everyone" }),
    ...[...people].sort((a, b) => a[1].localeCompare(b[1])).map(([iri, name]) => el("option", { value: iri, text: name })));
  const count = el("span", { class: "filter-count", "aria-live": "polite" });
  select.addEventListener("change", () => {
    let shown = 0;
    for (const li of $("timeline").children) {
      li.hidden = !!select.value && !li.dataset.actors.split(" ").includes(select.value);
      shown += li.hidden ? 0 : 1;
    }
    count.textContent = select.value ? `${shown} of ${total} events` : "";
  });
  box.append(el("label", { for: "timeline-actor", text: "Show the events of " }), select, count);
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Three columns joined by lines: film → actors → characters. */
function castDiagram(films, actors, characters, pairs, config) {
  const rowHeight = 44;
  const rows = Math.max(actors.length, characters.length, films.length, 1);
  const height = rows * rowHeight + 40;
  const columns = [[films, 110], [actors, 400], [characters, 690]];
  const root = svg("svg", { class: "cast-diagram", viewBox: `0 0 800 ${height}`, role: "img", "aria-label": "Diagram: the film, its actors and the characters they play" });
  const where = new Map();
  for (const [items, x] of columns) {
    const top = (height - items.length * rowHeight) / 2 + rowHeight / 2;
    items.forEach((item, i) => where.set(item.iri, [x, top + i * rowHeight]));
  }
  const lines = svg("g", { class: "cast-lines" });
  for (const [from, to] of pairs) {
    if (!where.has(from) || !where.has(to)) continue;
    const [x1, y1] = where.get(from);
    const [x2, y2] = where.get(to);
    const mid = (x1 + x2) / 2;
    lines.append(svg("path", { d: `M${x1 + 95} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2 - 95} ${y2}` }));
  }
  root.append(lines);
  for (const [items, x] of columns) {
    const kind = items === films ? "film" : items === actors ? "actor" : "character";
    for (const item of items) {
      const [cx, cy] = where.get(item.iri);
      const a = svg("a", { href: localHref(item.iri, config), class: `cast-node ${kind}` });
      a.append(svg("rect", { x: cx - 95, y: cy - 16, width: 190, height: 32, rx: 16 }),
        svg("text", { x: cx, y: cy + 5, "text-anchor": "middle" }, item.label || tail(item.iri)), svg("title", {}, item.iri));
      root.append(a);
    }
  }
  for (const [title, x] of [["Film", 110], ["Actors", 400], ["Characters", 690]]) {
    root.append(svg("text", { x, y: 18, "text-anchor": "middle", class: "column-title" }, title));
  }
  return root;
}

function renderCast(json, config) {
  const box = $("cast");
  box.textContent = "";
  const rows = json.results.bindings;
  const films = distinct(rows, "film", "filmLabel");
  const actors = distinct(rows, "actor", "actorLabel");
  const characters = distinct(rows, "character", "characterLabel");
  const pairs = rows.flatMap((r) => [[r.film?.value, r.actor?.value], [r.actor?.value, r.character?.value]]);
  box.append(castDiagram(films, actors, characters, pairs, config));
  const table = el("table", { class: "result-table cast-table" },
    el("caption", { text: "Cast list" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Actor" }), el("th", { scope: "col", text: "Character" }), el("th", { scope: "col", text: "Film" }))));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", {},
      el("td", {}, link(r.actor.value, r.actorLabel?.value, config, "actor")),
      el("td", {}, r.character ? link(r.character.value, r.characterLabel?.value, config, "character") : "—"),
      el("td", {}, link(r.film.value, r.filmLabel?.value, config, "film"))));
  }
  table.append(body);
  box.append(el("div", { class: "table-wrap" }, table));
  return actors.length;
}

function view(name, query, render, noun) {
  let loaded = null;
  return {
    query,
    show(config) {
      if (loaded) return loaded;
      $(`${name}-query`).textContent = query;
      const status = $(`${name}-status`);
      status.textContent = "Loading…";
      const started = performance.now();
      loaded = select(config, query)
        .then((json) => {
          const n = render(json, config);
          status.textContent = n ? `${n} ${noun}${n === 1 ? "" : "s"} in ${Math.round(performance.now() - started)} ms.`
            : `The graph has no ${noun}s yet.`;
        })
        .catch((err) => {
          loaded = null;
          status.textContent = `Could not load this view: ${err.message}`;
          status.classList.add("bad");
        });
      return loaded;
    },
  };
}

export const VIEWS = {
  timeline: view("timeline", TIMELINE_QUERY, renderTimeline, "event"),
  cast: view("cast", CAST_QUERY, renderCast, "actor"),
};
