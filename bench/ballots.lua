-- wrk script for bench/ballots.py: every request is one vote by a distinct resident.
--
--   wrk -t C -c C -d LIMIT --timeout 30s -s bench/ballots.lua URL -- DIR
--
-- Run with as many threads as connections (one connection per thread): a
-- thread then sends its next vote only after the previous answer, stops
-- itself after its last one (no vote is ever sent twice, nothing else is
-- sent), and wrk's latency histogram holds the votes and nothing else.
-- Thread i (from 0) sends the votes of DIR/votes-<i>.tsv, one line each:
-- "<path>\t<Cookie header>\t<form body>". It touches DIR/done-<i> when it
-- is done, so the caller can end wrk's timer early.

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } rk_timespec;
  int clock_gettime(int clk_id, rk_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("rk_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

-- main state: number the threads
local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

-- thread state
local requests = {}
local sent, answered = 0, 0
local verified = false
statuses = {}
first, last = 0, 0
dir = nil

function init(args)
  dir = args[1]
  for line in io.lines(dir .. "/votes-" .. id .. ".tsv") do
    local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Host"] = "127.0.0.1",
      ["User-Agent"] = "ruamkhit-bench",
      ["Accept-Language"] = "th",
      ["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Referer"] = "http://127.0.0.1/",
    }, body)
  end
  quota = #requests
end

local function finish()
  last = now()
  local f = io.open(dir .. "/done-" .. id, "w")
  if f then f:close() end
  wrk.thread:stop()
end

function request()
  if id == 0 and not verified then
    -- wrk asks thread 0 for one request before it starts, only to check it: nothing is sent.
    verified = true
    return requests[1]
  end
  if sent == 0 then first = now() end
  if sent > answered then
    -- The connection broke before the answer came (wrk reconnected and asks for
    -- the next request): that vote stays unanswered, and is never sent again.
    answered = answered + 1
    statuses["none"] = (statuses["none"] or 0) + 1
  end
  if sent >= quota then
    finish()
    return wrk.format("GET", "/healthz")  -- written before the loop stops: a harmless request
  end
  sent = sent + 1
  return requests[sent]
end

function response(status, headers, body)
  answered = answered + 1
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if answered >= quota then finish() end
end

function done(summary, latency, requests)
  local start, finish, total = math.huge, 0, 0
  local merged = {}
  for _, thread in ipairs(threads) do
    local f, l = thread:get("first"), thread:get("last")
    if f > 0 and f < start then start = f end
    if l > finish then finish = l end
    for k, v in pairs(thread:get("statuses")) do
      merged[k] = (merged[k] or 0) + v
      total = total + v
    end
  end
  local parts = {}
  for k, v in pairs(merged) do parts[#parts + 1] = k .. "=" .. v end
  io.write(string.format("RESULT answered=%d seconds=%.4f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f "
    .. "errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d statuses=%s\n",
    total, finish - start, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    table.concat(parts, ",")))
end
