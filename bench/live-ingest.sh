#!/usr/bin/env bash
# Live ingest against raw PostgreSQL (issue #12): the register (Release, durable settings) and bench/raw-baseline.cs (a
# minimal API with raw Npgsql doing the same logical writes, one transaction per command, in its own schema of the same
# PostgreSQL), driven by the same wrk script (reports and sightings half and half), taking turns at 4, 16 and 64 clients,
# ROUNDS times; then the register again with its projections paused (a node that runs none, ServerlessWithOutbox), to
# show what the async daemon costs the writes. One more register process, idle, holds the embedded PostgreSQL so the
# others can stop and start. Prints each run and, per client count, the ratios to the baseline and to the paused register.
#   bench/live-ingest.sh [PORT]        SECONDS_PER_RUN=15, ROUNDS=2 by default
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-5192}; base_port=$((port + 1)); seconds=${SECONDS_PER_RUN:-15}; rounds=${ROUNDS:-2}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d /var/tmp/nr-live-XXXX); data=$work/data
register=""; baseline=""
stop() { for p in $baseline $register $holder; do halt "$p"; done; rm -rf "$work"; }
trap stop EXIT
echo "Publishing the register and building the baseline ..." >&2
dotnet publish src/NationalRegister -c Release -o "$work/app" -v q -nologo > /dev/null
dotnet build -c Release bench/raw-baseline.cs -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Register=
holder=""
start() { # PORT LOG [ENV...]: a register on PORT, waited for
  local p=$1 log=$2; shift 2
  (cd "$work/app" && exec env "$@" dotnet NationalRegister.dll --urls "http://127.0.0.1:$p" > "$log" 2>&1) &
  local pid=$!
  until curl -sf "http://127.0.0.1:$p/health" > /dev/null; do kill -0 "$pid" || { tail "$log" >&2; exit 1; }; sleep 0.5; done
  echo "$pid"
}
halt() { kill -TERM "$1" 2> /dev/null || true; while kill -0 "$1" 2> /dev/null; do sleep 0.2; done; }
holder=$(start $((port + 2)) "$work/holder.log" Register__DataDirectory="$data" Register__Durability=ServerlessWithOutbox)
pg_port=$(grep -ao 'Started PostgreSQL on 127.0.0.1:[0-9]*' "$work/holder.log" | grep -o '[0-9]*$' | head -1)
connection="Host=127.0.0.1;Port=$pg_port;Database=register;Username=postgres;Password=$(cat "$data.password")"
register=$(start "$port" "$work/register.log" ConnectionStrings__Register="$connection")
(exec dotnet run -c Release --no-build bench/raw-baseline.cs -- "$connection" --urls "http://127.0.0.1:$base_port" > "$work/baseline.log" 2>&1) &
baseline=$!
until curl -s -o /dev/null "http://127.0.0.1:$base_port/"; do kill -0 "$baseline" || { tail "$work/baseline.log" >&2; exit 1; }; sleep 0.5; done
TOKEN=$(cd "$work/app" && dotnet NationalRegister.dll token --role force --force GMP --user "Load test" 2> /dev/null); export TOKEN
run() { MIX=1 wrk -t2 -c"$2" -d"${3}s" --latency -s bench/report-missing.lua "http://127.0.0.1:$1" | tail -n 1; }
run "$port" 16 5 > /dev/null; run "$base_port" 16 5 > /dev/null # warm-up: JIT, pools
declare -A register_rates baseline_rates paused_rates
rate() { sed -E 's/requests\/s: ([0-9]+).*/\1/' <<< "$1"; }
for round in $(seq 1 "$rounds"); do
  # Restarted: its daemon catches up on what the paused node wrote, and a warm-up run takes the JIT out of the figures.
  (( round > 1 )) && { register=$(start "$port" "$work/register.log" ConnectionStrings__Register="$connection"); sleep 10; run "$port" 16 5 > /dev/null; }
  for clients in 4 16 64; do
    r=$(run "$port" "$clients" "$seconds"); echo "round $round, $clients clients, register: $r"; sleep 3
    b=$(run "$base_port" "$clients" "$seconds"); echo "round $round, $clients clients, baseline: $b"; sleep 3
    register_rates[$clients]+="$(rate "$r") "; baseline_rates[$clients]+="$(rate "$b") "
  done
  halt "$register"; register=""
  paused=$(start "$port" "$work/paused.log" ConnectionStrings__Register="$connection" Register__Durability=ServerlessWithOutbox)
  run "$port" 16 5 > /dev/null
  for clients in 4 16 64; do
    p=$(run "$port" "$clients" "$seconds"); echo "round $round, $clients clients, register with its projections paused: $p"; sleep 3
    paused_rates[$clients]+="$(rate "$p") "
  done
  halt "$paused"
done
ratios() { local -a x y; read -ra x <<< "$1"; read -ra y <<< "$2"; for i in "${!x[@]}"; do awk -v a="${x[$i]}" -v b="${y[$i]}" 'BEGIN { printf "%.2f\n", a / b }'; done | sort -n | paste -sd' '; }
for clients in 4 16 64; do
  echo "$clients clients: register ${register_rates[$clients]}commands/s, baseline ${baseline_rates[$clients]}, paused ${paused_rates[$clients]}:" \
    "register/baseline $(ratios "${register_rates[$clients]}" "${baseline_rates[$clients]}") (goal: at least 0.8)," \
    "register/paused $(ratios "${register_rates[$clients]}" "${paused_rates[$clients]}") (goal: at least 0.9)"
done
