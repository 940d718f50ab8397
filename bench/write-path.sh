#!/usr/bin/env bash
# The write path under load: starts a Release build of the register in CHECKOUT on its own embedded PostgreSQL (durable
# settings: fsync, synchronous_commit and full_page_writes on), then drives it with wrk.
#   bench/write-path.sh CHECKOUT PORT mix      reports and sightings half and half, at 4, 16 and 64 clients
#   bench/write-path.sh CHECKOUT PORT hot      200 clients appending to one episode while 4 others report new episodes
# Run it for two checkouts one after the other (e.g. main and a `git worktree` of an older commit) to compare them in one
# session: these machines are noisy, so compare runs taken side by side, never figures from another day.
set -euo pipefail
checkout=$(cd "$1" && pwd); port=$2; mode=${3:-mix}; seconds=${SECONDS_PER_RUN:-20}
bench=$(cd "$(dirname "$0")" && pwd)
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

out=$(mktemp -d); data="/var/tmp/nr-bench-$port"
rm -rf "$data"
echo "Publishing $checkout ..." >&2
dotnet publish "$checkout/src/NationalRegister" -c Release -o "$out" -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Development Register__DataDirectory=$data ConnectionStrings__Register=
(cd "$out" && exec dotnet NationalRegister.dll --urls "http://127.0.0.1:$port" > "$out/register.log" 2>&1) &
register=$!
# TERM, not INT: a script's background jobs ignore SIGINT, so INT would leave the register running and the script waiting.
stop() { kill -TERM "$register" 2> /dev/null || true; wait "$register" 2> /dev/null || true; rm -rf "$data" "$data.lock"; }
trap stop EXIT
until curl -sf "http://127.0.0.1:$port/health" > /dev/null; do
  kill -0 "$register" 2> /dev/null || { cat "$out/register.log" >&2; exit 1; }
  sleep 0.5
done
TOKEN=$(cd "$out" && dotnet NationalRegister.dll token --role force --force GMP --user "Load test" 2> /dev/null); export TOKEN
url="http://127.0.0.1:$port"
wrk -t2 -c16 -d5s -s "$bench/report-missing.lua" "$url" > /dev/null # warm-up: JIT, pools, first episodes

case $mode in
  mix)
    for clients in 4 16 64; do
      printf '%s clients: ' "$clients"
      MIX=1 wrk -t2 -c"$clients" -d"${seconds}s" --latency -s "$bench/report-missing.lua" "$url" | tail -n 1
    done ;;
  hot)
    EPISODE=$(curl -sf "$url/api/episodes" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{
      "messageId":"'"$(cat /proc/sys/kernel/random/uuid)"'","forceReference":"HOT-1",
      "person":{"forceSubjectId":"HOT-1","givenName":"Hot","familyName":"Stream","dateOfBirth":"2012-01-01","sex":"Female"},
      "lastSeenAt":"2026-01-01T10:00:00Z","lastSeenLocation":"Synthetic","circumstances":"Synthetic load",
      "reportedAt":"2026-01-01T11:00:00Z","reportedBy":"Load test"}' | sed -E 's/.*"episodeId":"([^"]+)".*/\1/')
    export EPISODE
    printf 'one episode, 200 clients: '
    wrk -t1 -c200 -d"${seconds}s" --timeout 10s --latency -s "$bench/one-episode.lua" "$url" | tail -n 1 &
    hot=$!
    sleep 2
    printf 'meanwhile, 4 clients reporting new episodes: '
    wrk -t1 -c4 -d"$((seconds - 4))s" --latency -s "$bench/report-missing.lua" "$url" | tail -n 1
    wait "$hot"
    printf 'versions on the one episode: '
    curl -sf "$url/api/episodes/$EPISODE" -H "Authorization: Bearer $TOKEN" | sed -E 's/.*"sightings":([0-9]+).*"version":([0-9]+).*/\1 sightings, version \2/'; echo ;;
esac
