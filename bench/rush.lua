-- wrk script of bench/rush.sh: exactly RUSH_TOTAL registrations, shared out over wrk's threads, each
-- with an e-mail address no other request uses, all for the event RUSH_EVENT.
--
-- Once a thread has sent its share, request() returns nothing: wrk writes zero bytes and the
-- connection stays idle, so not one registration more reaches the server. Every answer is
-- recorded (status, latency, the registration's status and e-mail from a 201) and written by done()
-- to RUSH_OUT. Latency is timed here, on CLOCK_MONOTONIC, per request (matched to its answer by the
-- X-Request-Id the server echoes): wrk's own percentiles are "corrected" with the run's duration.
-- A thread that has all its answers creates RUSH_DIR/done-<thread>, and bench/rush.sh then ends wrk.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } rush_timespec;
  int clock_gettime(int clock_id, rush_timespec *tp);
  unsigned long pthread_self(void);
]]
local timespec = ffi.new("rush_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec)  -- CLOCK_MONOTONIC: one clock for all threads
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

-- wrk loads this script on its main thread and asks the first thread's copy for one request there,
-- to check it parses; only requests asked for on a thread of its own are sent and counted.
local loaded_on = ffi.C.pthread_self()
local threads = {}
local total = tonumber(os.getenv("RUSH_TOTAL") or "20000")
local thread_count = tonumber(os.getenv("RUSH_THREADS") or "2")
local run = os.getenv("RUSH_RUN") or tostring(os.time())
local event = os.getenv("RUSH_EVENT") or "bench-rush"
local dir = os.getenv("RUSH_DIR") or "."

-- Globals of a thread's state (read by done() through thread:get).
sent, answered, first_us, last_us = 0, 0, 0, 0
answers = {}
local started = {}
local quota, path

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  quota = math.floor(total / thread_count) + ((tid <= total % thread_count) and 1 or 0)
  path = "/api/v1/events/" .. event .. "/registrations"
end

local function registration(number)
  local body = string.format(
    '{"email":"rush-%s-%d-%d@example.org","name":"Rush Person","country":"NP",' ..
    '"timezone":"Asia/Kathmandu","language":"en","consent":true}', run, tid, number)
  return wrk.format("POST", path,
    {["Content-Type"] = "application/json", ["X-Request-Id"] = string.format("rush-%d-%d", tid, number)}, body)
end

function request()
  if ffi.C.pthread_self() == loaded_on then return registration(0) end
  if sent >= quota then return "" end
  sent = sent + 1
  local now = now_us()
  if sent == 1 then first_us = now end
  started[sent] = now
  return registration(sent)
end

function response(status, headers, body)
  local now = now_us()
  local id = headers["X-Request-Id"] or headers["x-request-id"]
  local n = id and tonumber(string.match(id, "^rush%-%d+%-(%d+)$"))
  local latency = (n and started[n]) and (now - started[n]) or -1
  local state, email = "-", "-"
  if status == 201 then
    -- The registration's own fields come first in its JSON.
    state = string.match(body, '"status":"(%a+)"') or "?"
    email = string.match(body, '"email":"([^"]+)"') or "?"
  end
  answered = answered + 1
  answers[answered] = string.format("%d %d %s %s", status, latency, state, email)
  last_us = now
  if answered == quota then
    local f = io.open(dir .. "/done-" .. tid, "w")
    if f then f:close() end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("RUSH_OUT") or "rush.answers", "w"))
  local all_sent, all_answered, first, last = 0, 0, nil, 0
  for _, thread in ipairs(threads) do
    all_sent = all_sent + thread:get("sent")
    all_answered = all_answered + thread:get("answered")
    local f, l = thread:get("first_us"), thread:get("last_us")
    if f > 0 and (first == nil or f < first) then first = f end
    if l > last then last = l end
    for _, line in ipairs(thread:get("answers")) do out:write(line, "\n") end
  end
  out:close()
  io.write(string.format("RUSH sent=%d answered=%d elapsed_us=%d connect=%d read=%d write=%d timeout=%d\n",
    all_sent, all_answered, first and (last - first) or 0, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
