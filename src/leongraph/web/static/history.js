// The queries this browser ran, newest first, kept in localStorage (nothing leaves the browser).

const KEY = "leongraph.history";
const KEEP = 25;

export function loadHistory() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list.filter((e) => typeof e?.query === "string") : [];
  } catch {
    return []; // storage disabled or corrupt: no history, no error
  }
}

/** Put the query on top (once), keeping the newest KEEP. */
export function remember(query) {
  const list = [{ query, at: Date.now() }, ...loadHistory().filter((e) => e.query !== query)].slice(0, KEEP);
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // storage full or disabled: the query still ran
  }
  return list;
}

/** The first line that says something: a comment's text or the query's first clause. */
export function summary(query) {
  const lines = query.split("\n").map((l) => l.trim()).filter(Boolean);
  const comment = lines.find((l) => l.startsWith("#") && !/^#\s*description:/i.test(l));
  const code = lines.find((l) => !l.startsWith("#") && !/^(PREFIX|BASE)\b/i.test(l));
  const text = (comment ? comment.replace(/^#\s*(title:\s*)?/i, "") : code) || lines[0] || "";
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}

export function ago(at, now = Date.now()) {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(at).toLocaleDateString("en");
}
