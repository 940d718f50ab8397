#!/usr/bin/env bash
# Live ingest against raw PostgreSQL (issue #12): the register (Release, its embedded PostgreSQL, durable settings) and
# bench/raw-baseline.cs (a minimal API with raw Npgsql doing the same logical writes, one transaction per command, in
# its own schema of the same PostgreSQL), driven by the same wrk script (reports and sightings half and half), taking
# turns at 4, 16 and 64 clients, ROUNDS times. Prints each run and the register's share of the baseline per client count.
#   bench/live-ingest.sh [PORT]        SECONDS_PER_RUN=15, ROUNDS=2 by default
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-5192}; base_port=$((port + 1)); seconds=${SECONDS_PER_RUN:-15}; rounds=${ROUNDS:-2}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d /var/tmp/nr-live-XXXX); data=$work/data
register=""; baseline=""
stop() { for p in $baseline $register; do kill -TERM "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done; rm -rf "$work"; }
trap stop EXIT
echo "Publishing the register and building the baseline ..." >&2
dotnet publish src/NationalRegister -c Release -o "$work/app" -v q -nologo > /dev/null
dotnet build -c Release bench/raw-baseline.cs -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Register=
(cd "$work/app" && exec env Register__DataDirectory="$data" dotnet NationalRegister.dll --urls "http://127.0.0.1:$port" > "$work/register.log" 2>&1) &
register=$!
until curl -sf "http://127.0.0.1:$port/health" > /dev/null; do kill -0 "$register" || { tail "$work/register.log" >&2; exit 1; }; sleep 0.5; done
pg_port=$(grep -ao 'Started PostgreSQL on 127.0.0.1:[0-9]*' "$work/register.log" | grep -o '[0-9]*$' | head -1)
connection="Host=127.0.0.1;Port=$pg_port;Database=register;Username=postgres;Password=$(cat "$data.password")"
(exec dotnet run -c Release --no-build bench/raw-baseline.cs -- "$connection" --urls "http://127.0.0.1:$base_port" > "$work/baseline.log" 2>&1) &
baseline=$!
until curl -s -o /dev/null "http://127.0.0.1:$base_port/"; do kill -0 "$baseline" || { tail "$work/baseline.log" >&2; exit 1; }; sleep 0.5; done
TOKEN=$(cd "$work/app" && dotnet NationalRegister.dll token --role force --force GMP --user "Load test" 2> /dev/null); export TOKEN
run() { MIX=1 wrk -t2 -c"$2" -d"${3}s" --latency -s bench/report-missing.lua "http://127.0.0.1:$1" | tail -n 1; }
run "$port" 16 5 > /dev/null; run "$base_port" 16 5 > /dev/null # warm-up: JIT, pools
declare -A register_rates baseline_rates
for round in $(seq 1 "$rounds"); do
  for clients in 4 16 64; do
    r=$(run "$port" "$clients" "$seconds"); echo "round $round, $clients clients, register: $r"; sleep 3
    b=$(run "$base_port" "$clients" "$seconds"); echo "round $round, $clients clients, baseline: $b"; sleep 3
    register_rates[$clients]+="$(sed -E 's/requests\/s: ([0-9]+).*/\1/' <<< "$r") "
    baseline_rates[$clients]+="$(sed -E 's/requests\/s: ([0-9]+).*/\1/' <<< "$b") "
  done
done
for clients in 4 16 64; do
  read -ra r <<< "${register_rates[$clients]}"; read -ra b <<< "${baseline_rates[$clients]}"
  ratios=(); for i in "${!r[@]}"; do ratios+=("$(awk -v x="${r[$i]}" -v y="${b[$i]}" 'BEGIN { printf "%.2f", x / y }')"); done
  echo "$clients clients: register ${r[*]} commands/s, baseline ${b[*]}: register/baseline $(printf '%s\n' "${ratios[@]}" | sort -n | paste -sd' ') (goal: at least 0.8)"
done
