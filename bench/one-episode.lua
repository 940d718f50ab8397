-- wrk script: every request appends a sighting to ONE episode, without an expectedVersion: writers on one stream.
--   EPISODE=<id> TOKEN=$TOKEN wrk -t2 -c200 -d20s --latency -s bench/one-episode.lua http://127.0.0.1:5080
local token = os.getenv("TOKEN") or error("set TOKEN to a force token")
local episode = os.getenv("EPISODE") or error("set EPISODE to an episode the token's force owns")
local headers = nil

local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function init(args)
  math.randomseed(os.time() * 1000 + math.random(1, 100000))
end

function request()
  headers = headers or { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  local body = string.format([[{"messageId":"%s","seenAt":"2026-01-01T12:00:00Z","location":"Synthetic","source":"Load"}]], uuid())
  return wrk.format("POST", "/api/episodes/" .. episode .. "/sightings", headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.0f, p50 %.1f ms, p99 %.1f ms, max %.1f ms, non-2xx: %d, timeouts: %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status, summary.errors.timeout))
end
