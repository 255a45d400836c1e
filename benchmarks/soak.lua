-- wrk script for the soak (benchmarks/soak.py): cycles through the query mix and counts the
-- answers by status.
--   wrk -s benchmarks/soak.lua URL -- PATH1 ACCEPT1 PATH2 ACCEPT2 ...
-- done() prints one JSON line: counts by status, socket errors, latency percentiles (us).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for i = 1, #args, 2 do
    table.insert(requests, wrk.format("GET", args[i], { ["Accept"] = args[i + 1] }))
  end
  sent = 0
  statuses = {}
end

function request()
  sent = sent + 1
  return requests[(sent % #requests) + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"statuses":{%s},"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, table.concat(parts, ","), latency:percentile(50),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout))
end
