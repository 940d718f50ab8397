#!/usr/bin/env bash
# The national views under a load of data: starts a Release build of the register on its own embedded PostgreSQL, reports
# LOAD_SECONDS' worth of synthetic episodes (and sightings) through the API, waits for the async projections to catch up
# (printing their progress), then times each analytics endpoint with wrk (4 clients, 10 s each).
#   bench/analytics.sh [CHECKOUT] [PORT]        LOAD_SECONDS=60 by default
set -euo pipefail
checkout=$(cd "${1:-$(dirname "$0")/..}" && pwd); port=${2:-5184}; load=${LOAD_SECONDS:-60}
bench=$(cd "$(dirname "$0")" && pwd)
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
out=$(mktemp -d); data="/var/tmp/nr-analytics-$port"
rm -rf "$data"
echo "Publishing $checkout ..." >&2
dotnet publish "$checkout/src/NationalRegister" -c Release -o "$out" -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Development Register__DataDirectory=$data ConnectionStrings__Register=
(cd "$out" && exec dotnet NationalRegister.dll --urls "http://127.0.0.1:$port" > "$out/register.log" 2>&1) &
register=$!
trap 'kill -TERM $register 2> /dev/null; wait $register 2> /dev/null; rm -rf "$data" "$data".* "$out"' EXIT
url="http://127.0.0.1:$port"
until curl -sf "$url/health" > /dev/null; do kill -0 "$register" || exit 1; sleep 0.5; done
token() { (cd "$out" && dotnet NationalRegister.dll token "$@" 2> /dev/null); }
FORCE_TOKEN=$(token --role force --force GMP --user "Load test"); ANALYST=$(token --role analyst --user "Analyst 1")

echo "Loading for $load s ..." >&2
TOKEN=$FORCE_TOKEN MIX=1 wrk -t2 -c16 -d"${load}s" -s "$bench/report-missing.lua" "$url" | tail -n 1
events() { curl -sf "$url/api/analytics/summary" -H "Authorization: Bearer $ANALYST" | sed -E 's/.*"sequence":([0-9]+).*/\1/'; }
last=-1
while :; do
  now=$(events); echo "projections at sequence $now" >&2
  [[ $now == "$last" ]] && break
  last=$now; sleep 2
done
episodes=$(curl -sf "$url/api/analytics/open-episodes?pageSize=1" -H "Authorization: Bearer $ANALYST" | sed -E 's/.*"total":([0-9]+).*/\1/')
echo "$episodes open episodes, projections at sequence $last"
for path in "/api/analytics/summary" "/api/analytics/open-episodes" "/api/analytics/open-episodes?page=200" \
  "/api/analytics/long-term-missing" "/api/analytics/repeat-missing?windowDays=3660&minEpisodes=2" "/api/analytics/reviews/overdue" \
  "/api/analytics/return-interviews/overdue" "/api/analytics/return-interviews/timeliness" \
  "/api/reports/annual?from=2025-04-01&to=2026-12-31" "/api/people/possible-matches" "/api/alerts" "/api/analytics/open-episodes?force=GMP&riskLevel=High"; do
  printf '%-62s ' "$path"
  TOKEN=$ANALYST wrk -t1 -c4 -d10s --latency -s "$bench/get.lua" "$url$path" | tail -n 1
done
