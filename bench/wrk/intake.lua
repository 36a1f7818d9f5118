-- wrk script of bench/intake.py: POST /v1/comments with a unique CMS comment id per
-- request and realistic bodies, and a record of every 202 for the loss check.
--
-- Environment (wrk passes script arguments to threads only; done() runs in the main
-- state, so everything comes from the environment):
--   BENCH_BODIES  file of body templates, one a line, in three parts split by tabs where
--                 the request's unique token goes (the CMS id, the end of the content)
--   BENCH_RUN     a prefix that makes the ids of this run unique
--   BENCH_KEY     the site's API key
--   BENCH_OUT     where done() writes counts, latency and the acknowledged comment ids

local bodies_path = os.getenv("BENCH_BODIES")
local run_id = os.getenv("BENCH_RUN") or "run"
local api_key = os.getenv("BENCH_KEY") or ""
local out_path = os.getenv("BENCH_OUT")

local before, middle, after = {}, {}, {}
for line in io.lines(bodies_path) do
  local b, m, a = line:match("^(.-)\t(.-)\t(.*)$")
  before[#before + 1] = b
  middle[#middle + 1] = m
  after[#after + 1] = a
end
local n_bodies = #before

local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  threads[#threads + 1] = thread
end

-- per-thread state (each wrk thread has its own Lua state)
local counter = 0
local headers = nil
statuses = {}
acked = {}

function request()
  if headers == nil then
    headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. api_key}
  end
  counter = counter + 1
  local i = (counter * 7919 + (thread_no or 1) * 104729) % n_bodies + 1
  local token = run_id .. "-" .. (thread_no or 1) .. "-" .. counter
  local body = before[i] .. token .. middle[i] .. token .. after[i]
  return wrk.format("POST", "/v1/comments", headers, body)
end

function response(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 202 then
    acked[#acked + 1] = body:match('"id":"([^"]+)"') or "?"
  end
end

function done(summary, latency, requests)
  local f = assert(io.open(out_path, "w"))
  f:write(string.format("requests %d\n", summary.requests))
  f:write(string.format("duration_us %d\n", summary.duration))
  f:write(string.format("errors_connect %d\n", summary.errors.connect))
  f:write(string.format("errors_read %d\n", summary.errors.read))
  f:write(string.format("errors_write %d\n", summary.errors.write))
  f:write(string.format("errors_timeout %d\n", summary.errors.timeout))
  f:write(string.format("p50_us %d\n", latency:percentile(50)))
  f:write(string.format("p99_us %d\n", latency:percentile(99)))
  f:write(string.format("max_us %d\n", latency.max))
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      f:write(string.format("status %d %d\n", code, n))
    end
    for _, id in ipairs(thread:get("acked")) do
      f:write("ack " .. id .. "\n")
    end
  end
  f:close()
end
