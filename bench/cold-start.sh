#!/usr/bin/env bash
# Cold start of the published register as Production runs it (pre-generated handler code, schema applied beforehand
# by db-apply, embedded PostgreSQL): seconds from launch to listening, and the latency of the first write.
#   bench/cold-start.sh [CHECKOUT]
set -euo pipefail
checkout=$(cd "${1:-$(dirname "$0")/..}" && pwd)
out=$(mktemp -d); data=/var/tmp/nr-cold-start; port=5183
rm -rf "$data"
dotnet publish "$checkout/src/NationalRegister" -c Release -o "$out" -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Production Register__DataDirectory=$data ConnectionStrings__Register= \
  Auth__SigningKey=cold-start-benchmark-signing-key-0123456789abcdef
(cd "$out" && dotnet NationalRegister.dll db-apply > /dev/null)
token=$(cd "$out" && dotnet NationalRegister.dll token --role force --force GMP --user "Cold start" 2> /dev/null)
launched=$(date +%s.%N)
(cd "$out" && exec dotnet NationalRegister.dll --urls "http://127.0.0.1:$port" > "$out/register.log" 2>&1) &
register=$!
trap 'kill -TERM $register 2> /dev/null; wait $register 2> /dev/null; rm -rf "$data" "$data.lock" "$out"' EXIT
until curl -sf "http://127.0.0.1:$port/health" > /dev/null; do sleep 0.05; done
listening=$(date +%s.%N)
first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/api/episodes" \
  -H "Authorization: Bearer $token" -H "Content-Type: application/json" -d '{
  "messageId":"'"$(cat /proc/sys/kernel/random/uuid)"'","forceReference":"COLD-1",
  "person":{"forceSubjectId":"COLD-1","givenName":"Cold","familyName":"Start","dateOfBirth":"2012-01-01","sex":"Female"},
  "lastSeenAt":"2026-01-01T10:00:00Z","lastSeenLocation":"Synthetic","circumstances":"Synthetic",
  "reportedAt":"2026-01-01T11:00:00Z","reportedBy":"Benchmark"}')
done_at=$(date +%s.%N)
echo "listening after $(echo "$listening - $launched" | bc) s; first write: HTTP ${first% *} in ${first#* } s; launch to first write answered: $(echo "$done_at - $launched" | bc) s"
