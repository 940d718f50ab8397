#!/usr/bin/env bash
# What the access log costs a read (DPA 2018 s62): one Release build of CHECKOUT on its own embedded PostgreSQL (durable
# settings), started twice, with the access log on and then off (Audit__AccessLog__Enabled=false, allowed in Development
# only), each time 16 clients reading one episode as its force for SECONDS_PER_RUN (20) seconds with wrk.
#   bench/access-log.sh [CHECKOUT] [PORT] [ROUNDS]      ROUNDS (2) alternates on, off, on, off ... in one session
set -euo pipefail
checkout=$(cd "${1:-$(dirname "$0")/..}" && pwd); port=${2:-5186}; rounds=${3:-2}; seconds=${SECONDS_PER_RUN:-20}
bench=$(cd "$(dirname "$0")" && pwd)
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
out=$(mktemp -d); data="/var/tmp/nr-access-$port"
rm -rf "$data"
echo "Publishing $checkout ..." >&2
dotnet publish "$checkout/src/NationalRegister" -c Release -o "$out" -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Development Register__DataDirectory=$data ConnectionStrings__Register=
url="http://127.0.0.1:$port"
register=
stop() { [[ -n $register ]] && { kill -TERM "$register" 2> /dev/null || true; wait "$register" 2> /dev/null || true; }; register=; }
trap 'stop; rm -rf "$data" "$data".* "$out"' EXIT
start() { # start ENABLED: the register with the access log on (true) or off (false)
  (cd "$out" && Audit__AccessLog__Enabled=$1 exec dotnet NationalRegister.dll --urls "$url" > "$out/register.log" 2>&1) &
  register=$!
  until curl -sf "$url/health" > /dev/null; do kill -0 "$register" || { cat "$out/register.log" >&2; exit 1; }; sleep 0.5; done
}
TOKEN=$(cd "$out" && dotnet NationalRegister.dll token --role force --force GMP --user "Load test" 2> /dev/null); export TOKEN

start true
episode=$(curl -sf "$url/api/episodes" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{
  "messageId":"'"$(cat /proc/sys/kernel/random/uuid)"'","forceReference":"READ-1",
  "person":{"forceSubjectId":"READ-1","givenName":"Read","familyName":"Load","dateOfBirth":"2012-01-01","sex":"Female"},
  "lastSeenAt":"2026-01-01T10:00:00Z","lastSeenLocation":"Synthetic","circumstances":"Synthetic load",
  "reportedAt":"2026-01-01T11:00:00Z","reportedBy":"Load test"}' | sed -E 's/.*"episodeId":"([^"]+)".*/\1/')
wrk -t2 -c16 -d5s -s "$bench/get.lua" "$url/api/episodes/$episode" > /dev/null    # warm-up: JIT, pools
stop
for round in $(seq 1 "$rounds"); do
  for enabled in true false; do
    start "$enabled"
    printf 'round %s, access log %-5s 16 clients: ' "$round" "$([[ $enabled == true ]] && echo on || echo off)"
    wrk -t2 -c16 -d"${seconds}s" --latency -s "$bench/get.lua" "$url/api/episodes/$episode" | tail -n 1
    stop
  done
done
