-- wrk script for the benchmark: one SPARQL query per run, sent as the protocol allows.
--   wrk -s benchmarks/wrk.lua URL -- POST query.rq  ACCEPT   (POST application/sparql-query)
--   wrk -s benchmarks/wrk.lua URL -- GET  "/sparql?query=..." ACCEPT
--   BENCH_UNIQUE_TEXT=1 wrk ... POST query.rq ACCEPT   (a new comment on every request)
-- done() prints one JSON line with the counts and latency percentiles (microseconds).

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local base, sent = nil, 0

function init(args)
  local method, what, accept = args[1], args[2], args[3]
  wrk.method = method
  wrk.headers["Accept"] = accept or "application/sparql-results+json"
  if method == "POST" then
    local f = assert(io.open(what, "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "application/sparql-query"
    base = wrk.body
  else
    wrk.path = what
  end
end

-- Every request a text the server has never seen: the query with a comment. Only then is
-- request() defined (wrk sends one prepared request over and over when it is not).
if os.getenv("BENCH_UNIQUE_TEXT") == "1" then
  request = function()
    sent = sent + 1
    return wrk.format(nil, nil, nil, base .. "\n# " .. tostring(tid) .. "-" .. sent)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
