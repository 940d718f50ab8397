-- wrk script: GET one URL (the path given to wrk) with a bearer token, and print p50 / p99 / non-2xx.
--   TOKEN=$TOKEN wrk -t1 -c4 -d10s --latency -s bench/get.lua "http://127.0.0.1:5080/api/analytics/summary"
local token = os.getenv("TOKEN") or error("set TOKEN to an analyst token")

function request()
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" })
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.0f, p50 %.1f ms, p99 %.1f ms, non-2xx: %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
