// Signing in with an edit token, and running SPARQL updates with it. The token is kept in this
// tab's sessionStorage only (never localStorage, never a cookie): it goes when the tab closes,
// and it is sent only as `Authorization: Bearer` with an update.

import { QueryError } from "./endpoint.js";
import { el } from "./results.js";

const KEY = "leongraph-token";
const UPDATE_WORDS = new Set(["INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "LOAD", "WITH"]);
const QUERY_WORDS = new Set(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]);

export function token() {
  return sessionStorage.getItem(KEY) || "";
}

/** True when the text is a SPARQL update: its first operation word is an update's. */
export function isUpdate(text) {
  // Leave out IRIs, strings, comments, variables and prefixed names: only keywords remain.
  const stripped = text.replace(/<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*|[?$][\w]+|[\w.-]*:[\w.:%-]*/g, " ");
  for (const word of stripped.match(/[A-Za-z]+/g) || []) {
    const upper = word.toUpperCase();
    if (UPDATE_WORDS.has(upper)) return true;
    if (QUERY_WORDS.has(upper)) return false;
  }
  return false;
}

/** The sign-in box in `box`; `onChange(signedIn)` after each sign-in and sign-out. */
export function renderSignIn(box, onChange = () => {}) {
  box.textContent = "";
  box.hidden = false;
  if (token()) {
    const out = el("button", { type: "button", id: "signout", text: "Sign out" });
    out.addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      renderSignIn(box, onChange);
      onChange(false);
    });
    box.append(el("span", { id: "signed-in", text: "Signed in: updates run with your token." }), out);
    return;
  }
  const input = el("input", {
    type: "password", id: "token", name: "token", autocomplete: "off", spellcheck: "false",
    placeholder: "lg_…", "aria-label": "Edit token",
  });
  const form = el("form", { id: "signin-form" },
    el("label", { for: "token", text: "Edit token " }), input,
    el("button", { type: "submit", id: "signin", text: "Sign in" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    sessionStorage.setItem(KEY, value);
    input.value = "";
    renderSignIn(box, onChange);
    onChange(true);
  });
  box.append(form);
}

/** POST the update with the token; resolves to the edit's JSON ({added, removed, message}),
 * rejects with QueryError (a 401 also signs out: the token is wrong or revoked). */
export async function postUpdate(config, update, signal) {
  const secret = token();
  if (!secret) {
    throw new QueryError({ title: "Not signed in", message: "Sign in with an edit token to run updates." }, 401);
  }
  const response = await fetch(config.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/json",
      Authorization: `Bearer ${secret}`,
    },
    body: new URLSearchParams({ update }),
    signal,
  });
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  if (response.ok) return body;
  if (response.status === 401) sessionStorage.removeItem(KEY);
  throw new QueryError(body.error || { message: `The server answered ${response.status}.` }, response.status);
}

/** The answer of an edit, in the results area. */
export function renderUpdate(results, body, root = "") {
  const parts = [el("strong", { text: body.message || "Done." })];
  if (body.number != null) {
    parts.push(" · ", el("a", { href: `${root}/history/${body.number}`, text: `edit ${body.number}` }));
  }
  results.append(el("p", { class: "update-result", id: "update-result" }, ...parts));
}
