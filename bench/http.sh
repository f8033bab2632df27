#!/usr/bin/env bash
# HTTP throughput and tail latency of the product on the embedded SQLite database.
# Load tool: wrk (Debian package), 50 concurrent connections, 2 threads, from the same machine.
# Usage: bench/http.sh [SECONDS]   — prints a Markdown table; appends nothing anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p tongquan
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn ./target/release/tongquan demo --data "$data" --addr "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; wrk and server share it"
echo
echo "| request | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
for path in "/api/v1/towns" "/api/v1/towns?county=371481" "/map"; do
  curl -sf "http://127.0.0.1:$port$path" >/dev/null   # warm: the map is drawn once, then served from memory
  out=$(wrk -t2 -c50 -d"${secs}s" --latency "http://127.0.0.1:$port$path")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
  echo "| GET $path | $rps | $p50 | $p99 |${errors:+ $errors}"
done
