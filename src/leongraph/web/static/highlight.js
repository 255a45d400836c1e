// Syntax highlighting for SPARQL and Turtle: a small tokenizer whose output is HTML spans.

const KEYWORDS = new Set(`BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED ORDER BY ASC
  DESC LIMIT OFFSET DISTINCT REDUCED OPTIONAL GRAPH UNION MINUS FILTER BIND VALUES SERVICE SILENT
  AS GROUP HAVING UNDEF EXISTS NOT IN SEPARATOR LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT DELETE
  DATA WITH USING DEFAULT ALL INTO TO`.split(/\s+/));
const FUNCTIONS = new Set(`STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR
  ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER
  YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512
  COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
  COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT`.split(/\s+/));

const PN = "A-Za-z\\u00C0-\\uFFFF";
const RULES = [
  ["comment", /#[^\n]*/y],
  ["string", /"""[\s\S]*?(?:"""|$(?![\s\S]))|'''[\s\S]*?(?:'''|$(?![\s\S]))/y],
  ["string", /"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/y],
  ["iri", /<[^<>"{}|^`\\\s]*>/y],
  ["var", new RegExp(`[?$][${PN}0-9_\\u00B7]+`, "y")],
  ["lang", /@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*/y],
  ["bnode", /_:[\w.-]*\w|_:\w/y],
  ["pname", new RegExp(`(?:[${PN}][${PN}0-9_.-]*)?:(?:[${PN}0-9_:%-](?:[${PN}0-9_.:%-]*[${PN}0-9_:%-])?)?`, "y")],
  ["number", /[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y],
  ["word", /[A-Za-z_][\w]*/y],
  ["space", /\s+/y],
  ["punct", /\^\^|&&|\|\||[!<>=]=?|[\s\S]/y],
];

export function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** Split text into [kind, text] tokens; kinds name the CSS classes t-<kind>. */
export function tokenize(text) {
  const tokens = [];
  let pos = 0;
  while (pos < text.length) {
    for (const [kind, re] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m || m[0].length === 0) continue;
      let k = kind;
      if (kind === "word") {
        const upper = m[0].toUpperCase();
        if (m[0] === "a" || KEYWORDS.has(upper)) k = "keyword";
        else if (FUNCTIONS.has(upper)) k = "function";
        else if (upper === "TRUE" || upper === "FALSE") k = "number";
      } else if (kind === "lang" && /^@(prefix|base)$/i.test(m[0])) {
        k = "keyword";
      }
      tokens.push([k, m[0]]);
      pos += m[0].length;
      break;
    }
  }
  return tokens;
}

/** HTML for the text with each token wrapped in a span of its kind. */
export function highlight(text) {
  return tokenize(text)
    .map(([kind, t]) => (kind === "space" || kind === "punct" ? escapeHtml(t) : `<span class="t-${kind}">${escapeHtml(t)}</span>`))
    .join("");
}

/** The query form (select, ask, construct, describe) or "" when it cannot be told. */
export function queryForm(text) {
  for (const [kind, t] of tokenize(text)) {
    if (kind !== "keyword") continue;
    const upper = t.toUpperCase();
    if (["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"].includes(upper)) return upper.toLowerCase();
  }
  return "";
}
