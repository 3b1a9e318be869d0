-- wrk script: POST a registration with an e-mail address no other request of the run uses.
-- Every request goes to the same event: the opening rush, where every registration meets the
-- same capacity rule.
local counter = 0
local threads = {}
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local event = os.getenv("BENCH_EVENT") or "bench-rush"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  path = "/api/v1/events/" .. event .. "/registrations"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email":"wrk-%s-%d-%d@example.org","name":"Bench Person","country":"NP",' ..
    '"timezone":"Asia/Kathmandu","language":"en","consent":true}', run, tid, counter)
  return wrk.format(nil, path, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("BENCH p50_us=%d p99_us=%d requests=%d non2xx=%d errors=%d\n",
    latency:percentile(50), latency:percentile(99), summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
