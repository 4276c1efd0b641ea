-- wrk script for benches/revoke-bench.sh: every request revokes one new, unique token, so each
-- 204 is a real new outbox row (no dedup shortcut).
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  token = os.getenv("BENCH_TOKEN") or "bench-token"
  run = os.getenv("BENCH_RUN") or "0"
end

-- Optional fixed pacing: BENCH_DELAY_MS per connection between requests (open-loop-ish load
-- at roughly connections * 1000 / BENCH_DELAY_MS requests per second).
local pace = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pace then
  function delay()
    return pace
  end
end

function request()
  counter = counter + 1
  local body = string.format(
    '[{"type":"bench_type","token":"bench-%s-%d-%d","location":"https://gitlab.example.com/g/r/-/raw/0000000/f.env"}]',
    run, tid, counter)
  return wrk.format("POST", "/v1/revoke_tokens",
    { ["Authorization"] = token, ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_s=%.2f req_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
