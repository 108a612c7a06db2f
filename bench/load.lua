-- wrk script for POST /api/payment-intent (bench/load.mjs runs it; see bench/load.sh).
--   MIX=valid    random carts of the books in BOOKS (comma-separated ids), 1-3 lines of 1-3
--                copies, each with its own attempt id: every answer must be 200.
--   MIX=invalid  a rotation of bad requests (bad JSON, unknown book, bad quantity, 51 lines,
--                duplicate line, bad attempt, 415, 405, 404, 403, 413): every answer must be
--                a 4xx in the JSON error shape, and none may reach Stripe.
-- Answers are counted by status in a response() hook; done() prints one line
--   RESULT {json}
-- with the counts, the unexpected answers, wrk's socket errors, requests/s and latency percentiles.

local mix = os.getenv("MIX") or "valid"
local books = {}
for id in string.gmatch(os.getenv("BOOKS") or "", "[^,]+") do
  books[#books + 1] = id
end

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

-- Per thread (each thread has its own Lua state): read back by done() with thread:get.
statuses = {}
bad_shape = 0
local n = 0

local json_headers = { ["Content-Type"] = "application/json" }

local function item(id, q)
  return string.format('{"id":"%s","quantity":%d}', id, q)
end

local function lines(count, template)
  local out = {}
  for i = 1, count do
    out[i] = string.format(template, i)
  end
  return table.concat(out, ",")
end

local invalid = {}

function init(args)
  math.randomseed(os.time() + (thread_id or 1) * 7919)
  local b = books[1] or "no-book"
  local path = wrk.path
  invalid = {
    wrk.format("POST", path, json_headers, '{"items": [{"id": '),
    wrk.format("POST", path, json_headers, '{"items":[' .. item("no-such-book", 1) .. "]}"),
    wrk.format("POST", path, json_headers, '{"items":[' .. item(b, 0) .. "]}"),
    wrk.format("POST", path, json_headers, '{"items":[{"id":"' .. b .. '","quantity":"2"}]}'),
    wrk.format("POST", path, json_headers, '{"items":[' .. lines(51, '{"id":"b%d","quantity":1}') .. "]}"),
    wrk.format("POST", path, json_headers, '{"items":[' .. item(b, 1) .. "," .. item(b, 2) .. "]}"),
    wrk.format("POST", path, json_headers, '{"items":[' .. item(b, 1) .. '],"attempt":"has space"}'),
    wrk.format("POST", path, json_headers, '{"items":[]}'),
    wrk.format("POST", path, json_headers, "[]"),
    wrk.format("POST", path, { ["Content-Type"] = "text/plain" }, '{"items":[' .. item(b, 1) .. "]}"),
    wrk.format("GET", path, {}, nil),
    wrk.format("POST", "/api/nope", json_headers, '{"items":[' .. item(b, 1) .. "]}"),
    wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Origin"] = "https://evil.example" },
      '{"items":[' .. item(b, 1) .. "]}"),
    wrk.format("POST", path, json_headers,
      '{"items":[' .. item(b, 1) .. '],"attempt":"' .. string.rep("x", 20000) .. '"}'),
  }
end

function request()
  n = n + 1
  if mix == "invalid" then
    return invalid[(n - 1) % #invalid + 1]
  end
  -- A cart of 1-3 distinct books, 1-3 copies each; a fresh attempt id, so a fresh PaymentIntent.
  local count = math.random(1, math.min(3, #books))
  local picked, chosen = {}, {}
  while #picked < count do
    local id = books[math.random(1, #books)]
    if not chosen[id] then
      chosen[id] = true
      picked[#picked + 1] = item(id, math.random(1, 3))
    end
  end
  local body = string.format('{"items":[%s],"attempt":"load-%d-%d-%d"}',
    table.concat(picked, ","), thread_id or 0, n, math.random(0, 999999))
  -- Each cart from its own shopper (an IPv6 documentation address): one client meets the
  -- limit of new checkouts (wrangler.toml's [[ratelimits]]) after 10 a minute.
  local headers = { ["Content-Type"] = "application/json",
    ["CF-Connecting-IP"] = string.format("2001:db8::%x:%x", thread_id or 0, n) }
  return wrk.format("POST", wrk.path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mix == "invalid" and not string.find(body or "", '^{"error":{"code":"') then
    bad_shape = bad_shape + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  local shapes = 0
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
    shapes = shapes + (t:get("bad_shape") or 0)
  end
  local parts, unexpected = {}, 0
  for status, count in pairs(total) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
    local expected
    if mix == "invalid" then
      expected = status >= 400 and status < 500
    else
      expected = status == 200
    end
    if not expected then
      unexpected = unexpected + count
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"mix":"%s","requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,'
      .. '"statuses":{%s},"unexpected":%d,"bad_shape":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    mix, summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    table.concat(parts, ","), unexpected, shapes, e.connect, e.read, e.write, e.timeout))
end
