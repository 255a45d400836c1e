// Talking to the SPARQL endpoint: one POST (form-encoded, so long queries fit) and the one
// error body the server returns, turned into an exception that keeps its line and column.

export class QueryError extends Error {
  constructor(body, status) {
    super(body.message || `The server answered ${status}.`);
    this.title = body.title || `Error ${status}`;
    this.status = body.status || status;
    this.line = body.line;
    this.column = body.column;
  }
}

/** POST the query; resolves to the Response, rejects with QueryError on any 4xx/5xx. */
export async function postQuery(config, query, accept, signal) {
  const response = await fetch(config.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
    body: new URLSearchParams({ query }),
    signal,
  });
  if (response.ok) return response;
  let body = {};
  try {
    body = (await response.json()).error || {};
  } catch {
    body = { message: `The server answered ${response.status} ${response.statusText}.` };
  }
  throw new QueryError(body, response.status);
}

/** Run a SELECT and return its Results JSON. */
export async function select(config, query, signal) {
  return (await postQuery(config, query, "application/sparql-results+json", signal)).json();
}
