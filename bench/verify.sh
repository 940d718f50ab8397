#!/usr/bin/env bash
# How fast `verify` recomputes the chains: a Release build on its own embedded PostgreSQL (durable settings), STREAMS (50,000)
# synthetic streams of 6 chained events written straight in (bench/chain-seed.cs), then `verify` twice, printing its rate.
#   bench/verify.sh [CHECKOUT] [STREAMS]
set -euo pipefail
checkout=$(cd "${1:-$(dirname "$0")/..}" && pwd); streams=${2:-50000}
out=$(mktemp -d); data="/var/tmp/nr-verify-bench"
rm -rf "$data"
echo "Publishing $checkout ..." >&2
dotnet publish "$checkout/src/NationalRegister" -c Release -o "$out" -v q -nologo > /dev/null
export ASPNETCORE_ENVIRONMENT=Development Register__DataDirectory=$data ConnectionStrings__Register= Audit__Anchors__Folder="$out/anchors"
(cd "$out" && exec dotnet NationalRegister.dll --urls "http://127.0.0.1:5187" > "$out/register.log" 2>&1) &
register=$!
trap 'kill -TERM $register 2> /dev/null; wait $register 2> /dev/null; rm -rf "$data" "$data".* "$out"' EXIT
until curl -sf "http://127.0.0.1:5187/health" > /dev/null; do kill -0 "$register" || exit 1; sleep 0.5; done
port=$(sed -nE 's/.*127\.0\.0\.1:([0-9]+) with data directory.*/\1/p' "$out/register.log" | head -1)
connection="Host=127.0.0.1;Port=$port;Database=register;Username=postgres;Password=$(cat "$data.password")"
dotnet run "$checkout/bench/chain-seed.cs" -- "$connection" "$streams"
for run in 1 2; do (cd "$out" && dotnet NationalRegister.dll verify 2> /dev/null | tail -n 2); done
