// A node-link drawing of RDF triples in SVG with a small force layout: nodes repel, edges pull,
// a weak gravity keeps the picture together. Nodes can be dragged (mouse, pen or touch).

import { compact, localHref, termKey } from "./rdf.js";

const SVG = "http://www.w3.org/2000/svg";
export const MAX_NODES = 150;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function tail(iri) {
  return iri.replace(/[/#]$/, "").split(/[/#]/).pop() || iri;
}

/** Nodes and edges for the triples; each literal gets its own node so its text can be shown. */
export function buildGraph(triples, config, labels) {
  const nodes = new Map();
  const edges = [];
  let truncated = false;
  const node = (t, key) => {
    if (!nodes.has(key)) {
      const name = t.type === "uri" ? labels.get(t.value) ?? compact(t.value, config.prefixes) ?? tail(t.value)
        : t.type === "bnode" ? `_:${t.value}` : t.value;
      nodes.set(key, { key, term: t, name: shorten(name, t.type === "literal" ? 36 : 28), x: 0, y: 0, vx: 0, vy: 0 });
    }
    return nodes.get(key);
  };
  triples.forEach(([s, p, o], i) => {
    const oKey = o.type === "literal" ? `lit:${i}` : termKey(o);
    const fresh = [termKey(s), oKey].filter((k) => !nodes.has(k)).length;
    if (nodes.size + fresh > MAX_NODES) {
      truncated = true;
      return;
    }
    const source = node(s, termKey(s));
    const target = node(o, oKey);
    const predicate = compact(p.value, config.prefixes) ?? tail(p.value);
    edges.push({ source, target, predicate, iri: p.value });
  });
  return { nodes: [...nodes.values()], edges, truncated };
}

/** Run the force simulation for `ticks` steps (or until it cools); positions are updated in place. */
export function layout(graph, ticks = 300, alpha = 1) {
  const { nodes, edges } = graph;
  const n = nodes.length;
  if (!graph.placed) {
    nodes.forEach((d, i) => {
      const angle = i * 2.39996; // golden angle: an even, deterministic start
      const r = 30 * Math.sqrt(i + 1);
      d.x = r * Math.cos(angle);
      d.y = r * Math.sin(angle);
    });
    graph.placed = true;
  }
  for (let tick = 0; tick < ticks && alpha > 0.01; tick++, alpha *= 0.985) {
    for (let i = 0; i < n; i++) {
      const a = nodes[i];
      for (let j = i + 1; j < n; j++) {
        const b = nodes[j];
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        let d2 = dx * dx + dy * dy;
        if (d2 < 1) {
          dx = (i - j) * 0.1 || 0.1;
          dy = 0.1;
          d2 = 1;
        }
        const f = (900 * alpha) / d2;
        a.vx += dx * f; a.vy += dy * f;
        b.vx -= dx * f; b.vy -= dy * f;
      }
    }
    for (const e of edges) {
      const dx = e.target.x - e.source.x;
      const dy = e.target.y - e.source.y;
      const d = Math.sqrt(dx * dx + dy * dy) || 1;
      const rest = e.target.term.type === "literal" ? 70 : 100;
      const f = ((d - rest) / d) * 0.08 * alpha;
      e.source.vx += dx * f; e.source.vy += dy * f;
      e.target.vx -= dx * f; e.target.vy -= dy * f;
    }
    for (const d of nodes) {
      d.vx -= d.x * 0.02 * alpha;
      d.vy -= d.y * 0.02 * alpha;
      if (d.fixed) {
        d.vx = d.vy = 0;
        continue;
      }
      d.x += (d.vx *= 0.6);
      d.y += (d.vy *= 0.6);
    }
  }
  return alpha;
}

/** Half the width and height of a node's circle or box, in drawing units at node scale `k`. */
function boxOf(d, k = 1) {
  if (d.term.type !== "literal") return { w: 9 * k, h: 9 * k };
  return { w: (d.name.length * 3.6 + 8) * k, h: 11 * k };
}

/** Where an edge should end: on the border of the target's circle or box. */
function endPoint(from, to, k) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const { w, h } = boxOf(to, k);
  const t = Math.min(dx ? w / Math.abs(dx) : Infinity, dy ? h / Math.abs(dy) : Infinity, 1);
  return [to.x - dx * t, to.y - dy * t];
}

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** A node's drawn box (circle or box and its text) in drawing units. */
function nodeBox(d, k) {
  const local = d.local ?? (d.local = d.el.getBBox());
  return { x: d.x + local.x * k, y: d.y + local.y * k, w: local.width * k, h: local.height * k };
}

/** Put each edge label at the middle of its edge, else a third of the way along either end;
 * a label that would cover a node or another label there is hidden (its edge keeps the
 * predicate as a tooltip, the Turtle beside the drawing has every triple). Longer edges,
 * which have the most room, are placed first. */
export function placeEdgeLabels(graph, k) {
  const taken = graph.nodes.map((d) => nodeBox(d, k));
  const byLength = [...graph.edges].sort((a, b) => Math.hypot(b.target.x - b.source.x, b.target.y - b.source.y) - Math.hypot(a.target.x - a.source.x, a.target.y - a.source.y));
  const pad = 2 * k;
  for (const e of byLength) {
    let placed = false;
    for (const at of [0.5, 0.33, 0.67]) {
      const x = e.source.x + (e.target.x - e.source.x) * at;
      const y = e.source.y + (e.target.y - e.source.y) * at - 4 * k;
      e.label.setAttribute("x", x.toFixed(1));
      e.label.setAttribute("y", y.toFixed(1));
      const r = e.label.getBBox(); // where the text really is, in drawing units
      const box = { x: r.x - pad, y: r.y - pad, w: r.width + 2 * pad, h: r.height + 2 * pad };
      if (taken.some((b) => overlaps(box, b))) continue;
      taken.push(box);
      placed = true;
      break;
    }
    e.label.classList.toggle("crowded", !placed);
  }
}

/** Draw the graph into container and make its nodes draggable. */
export function drawGraph(container, graph, config) {
  layout(graph);
  const root = svg("svg", { class: "graph", role: "img", "aria-label": `Graph of ${graph.nodes.length} nodes and ${graph.edges.length} edges` });
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0 0 L10 5 L0 10 z", class: "arrow" }));
  defs.append(marker);
  const edgeLayer = svg("g", { class: "edges" });
  const nodeLayer = svg("g", { class: "nodes" });
  root.append(defs, edgeLayer, nodeLayer);

  for (const e of graph.edges) {
    e.line = svg("line", { class: "edge", "marker-end": "url(#arrow)" });
    e.line.append(svg("title", {}, `${e.predicate} (${e.iri})`));
    e.label = svg("text", { class: "edge-label", "text-anchor": "middle" }, e.predicate);
    e.label.append(svg("title", {}, e.iri));
    edgeLayer.append(e.line, e.label);
  }
  for (const d of graph.nodes) {
    const kind = d.term.type;
    d.el = svg("g", { class: `node ${kind}`, "data-key": d.key });
    const title = svg("title", {}, kind === "uri" ? d.term.value : kind === "literal" ? d.term.value : "blank node");
    if (kind === "literal") {
      const { w, h } = boxOf(d);
      d.el.append(svg("rect", { x: -w, y: -h, width: 2 * w, height: 2 * h, rx: 4, class: "handle" }), svg("text", { "text-anchor": "middle", y: 4 }, d.name));
    } else {
      d.el.append(svg("circle", { r: kind === "uri" ? 8 : 6, class: "handle" }));
      const text = svg("text", { x: 12, y: 4 }, d.name);
      if (kind === "uri") {
        const link = svg("a", { href: localHref(d.term.value, config) });
        link.append(text);
        d.el.append(link);
      } else {
        d.el.append(text);
      }
    }
    d.el.append(title);
    nodeLayer.append(d.el);
  }

  // Nodes and labels keep a legible size on screen when the view is zoomed out: they are
  // drawn at scale k (about 90% of the zoom-out), so text never drops much below its CSS size.
  const view = { x: 0, y: 0, scale: 1 };
  let k = 1;
  const paint = () => {
    for (const e of graph.edges) {
      const [x2, y2] = endPoint(e.source, e.target, k);
      e.line.setAttribute("x1", e.source.x); e.line.setAttribute("y1", e.source.y);
      e.line.setAttribute("x2", x2); e.line.setAttribute("y2", y2);
    }
    for (const d of graph.nodes) d.el.setAttribute("transform", `translate(${d.x.toFixed(1)},${d.y.toFixed(1)}) scale(${k.toFixed(3)})`);
    placeEdgeLabels(graph, k);
  };
  // The view: centred on the drawing, one SVG unit per pixel unless the drawing needs less.
  const applyView = () => {
    const w = root.clientWidth || 800;
    const h = root.clientHeight || 560;
    k = Math.max(1, view.scale * 0.9);
    root.style.setProperty("--k", k.toFixed(3));
    root.setAttribute("viewBox", [view.x - (w * view.scale) / 2, view.y - (h * view.scale) / 2, w * view.scale, h * view.scale].map((v) => v.toFixed(1)).join(" "));
    paint();
  };
  const fit = () => {
    // Extents include each node's text (literals are centred boxes, labels run to the right),
    // drawn at the scale the view will give them: twice, as that scale follows the extents.
    for (let pass = 0; pass < 2; pass++) {
      const left = graph.nodes.map((d) => d.x - boxOf(d, k).w);
      const right = graph.nodes.map((d) => d.x + (d.term.type === "literal" ? boxOf(d, k).w : (14 + d.name.length * 7.5) * k));
      const top = graph.nodes.map((d) => d.y - boxOf(d, k).h);
      const bottom = graph.nodes.map((d) => d.y + boxOf(d, k).h);
      const [x0, x1, y0, y1] = [Math.min(...left) - 20, Math.max(...right) + 20, Math.min(...top) - 24 * k, Math.max(...bottom) + 12 * k];
      view.x = (x0 + x1) / 2;
      view.y = (y0 + y1) / 2;
      view.scale = Math.max(1, (x1 - x0) / (root.clientWidth || 800), (y1 - y0) / (root.clientHeight || 560));
      applyView();
    }
  };
  const zoom = (factor) => {
    view.scale = Math.min(20, Math.max(0.2, view.scale * factor));
    applyView();
  };
  container.append(root);
  fit();

  let alpha = 0;
  let frame = 0;
  const animate = () => {
    alpha = layout(graph, 1, alpha);
    paint();
    frame = alpha > 0.01 ? requestAnimationFrame(animate) : 0;
  };
  const point = (e) => {
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(root.getScreenCTM().inverse());
    return [p.x, p.y];
  };
  for (const d of graph.nodes) {
    const handle = d.el.querySelector(".handle");
    handle.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      handle.setPointerCapture(e.pointerId);
      d.fixed = true;
      d.el.classList.add("dragging");
      alpha = Math.max(alpha, 0.3);
      if (!frame) frame = requestAnimationFrame(animate);
    });
    handle.addEventListener("pointermove", (e) => {
      if (!d.fixed) return;
      [d.x, d.y] = point(e);
      alpha = Math.max(alpha, 0.3);
      if (!frame) frame = requestAnimationFrame(animate);
    });
    const release = () => {
      d.fixed = false;
      d.el.classList.remove("dragging");
    };
    handle.addEventListener("pointerup", release);
    handle.addEventListener("pointercancel", release);
  }
  // Pan by dragging the background, zoom with the wheel or the buttons.
  let pan = null;
  root.addEventListener("pointerdown", (e) => {
    if (e.target !== root) return;
    pan = [e.clientX, e.clientY, view.x, view.y];
    root.setPointerCapture(e.pointerId);
  });
  root.addEventListener("pointermove", (e) => {
    if (!pan) return;
    view.x = pan[2] - (e.clientX - pan[0]) * view.scale;
    view.y = pan[3] - (e.clientY - pan[1]) * view.scale;
    applyView();
  });
  root.addEventListener("pointerup", () => (pan = null));
  root.addEventListener("wheel", (e) => {
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15);
  }, { passive: false });
  const controls = document.createElement("div");
  controls.className = "graph-controls";
  for (const [text, label, action] of [["+", "Zoom in", () => zoom(1 / 1.25)], ["−", "Zoom out", () => zoom(1.25)], ["Fit", "Fit the drawing", fit]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.title = label;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", action);
    controls.append(button);
  }
  const save = document.createElement("a");
  save.className = "graph-save";
  save.textContent = "SVG";
  save.title = "Download this drawing as an SVG picture";
  save.download = "leongraph.svg";
  save.href = "#";
  save.addEventListener("click", () => {
    save.href = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgDocument(root))}`;
  });
  controls.append(save);
  container.prepend(controls);
  return root;
}

/** The drawing as a standalone SVG file: the page's graph styles copied in, as it looks now. */
export function svgDocument(root) {
  const copy = root.cloneNode(true);
  copy.setAttribute("xmlns", SVG);
  const box = root.viewBox.baseVal;
  copy.setAttribute("width", Math.round(box.width));
  copy.setAttribute("height", Math.round(box.height));
  const rules = [];
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      if (/\.(node|edge|arrow)/.test(rule.selectorText || "")) rules.push(rule.cssText);
    }
  }
  const vars = getComputedStyle(document.documentElement);
  const resolved = rules.join("\n").replace(/var\((--[\w-]+)\)/g, (_, name) => vars.getPropertyValue(name).trim());
  const style = document.createElementNS(SVG, "style");
  style.textContent = `svg.graph { background: #fff; }\n${resolved}`;
  copy.prepend(style);
  return `<?xml version="1.0" encoding="utf-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}
