-- wrk script: every request reports a new synthetic child missing, with its own messageId and force subject.
-- With MIX=1, every other request instead records a sighting on an episode this thread reported 64 requests earlier
-- (the append path: read the episode, decide, append).
--   TOKEN=$(dotnet run --project src/NationalRegister -- token --role force --force GMP --user "Load test")
--   TOKEN=$TOKEN wrk -t2 -c16 -d30s --latency -s bench/report-missing.lua http://127.0.0.1:5080
--   TOKEN=$TOKEN MIX=1 wrk -t2 -c16 -d30s --latency -s bench/report-missing.lua http://127.0.0.1:5080
local token = os.getenv("TOKEN") or error("set TOKEN to a force token")
local thread_counter = 0
local threads = {}

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("id", thread_counter)
  table.insert(threads, thread)
end

local mix = os.getenv("MIX") == "1"

function init(args)
  math.randomseed(os.time() * 1000 + id)
  n = 0
  reported = {}
end

local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local headers = nil

function request()
  n = n + 1
  headers = headers or { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  if mix and n % 2 == 0 and reported[n - 64] then
    local body = string.format([[{"messageId":"%s","seenAt":"2026-01-01T12:00:00Z","location":"Synthetic","source":"Load"}]], uuid())
    return wrk.format("POST", "/api/episodes/" .. reported[n - 64] .. "/sightings", headers, body)
  end
  local episode = uuid()
  reported[n] = episode
  local body = string.format([[{"messageId":"%s","episodeId":"%s","forceReference":"LOAD-%d-%d",
    "person":{"forceSubjectId":"LOAD-%d-%d","givenName":"Load","familyName":"Test","dateOfBirth":"2012-01-01","sex":"Female"},
    "lastSeenAt":"2026-01-01T10:00:00Z","lastSeenLocation":"Synthetic","circumstances":"Synthetic load",
    "reportedAt":"2026-01-01T11:00:00Z","reportedBy":"Load test"}]], uuid(), episode, id, n, id, n % 5000)
  return wrk.format("POST", "/api/episodes", headers, body)
end

-- Per-thread tallies of refusals, summed in done() (wrk copies only plain values between threads).
function response(status)
  if status == 404 then not_found = (not_found or 0) + 1
  elseif status == 409 then conflicts = (conflicts or 0) + 1
  elseif status >= 500 then server_errors = (server_errors or 0) + 1 end
end

function done(summary, latency, requests)
  local tally = { not_found = 0, conflicts = 0, server_errors = 0 }
  for _, thread in ipairs(threads) do
    for key in pairs(tally) do tally[key] = tally[key] + (thread:get(key) or 0) end
  end
  io.write(string.format("requests/s: %.0f, p50 %.1f ms, p99 %.1f ms, non-2xx: %d (404: %d, 409: %d, 5xx: %d)\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, tally.not_found, tally.conflicts, tally.server_errors))
end
