#!/usr/bin/env bash
# Benchmark of the random inspection draw (双随机、一公开) and the joint-visit merge (综合查一次) at full
# size: 100,000 objects, 20,000 officers. Writes bench/enforcement/out/draw.jsonl and merge.jsonl.
# Usage: bench/enforcement/run.sh [OBJECTS] [OFFICERS] [BASELINE_OBJECTS]
#   BASELINE_OBJECTS: objects for the naive draw baseline (default: all; it takes about 17 s at
#   100,000 objects on 2 cores, so pass a smaller number for a quick run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
objects=${1:-100000}
officers=${2:-20000}
baseline=${3:-$objects}
out=$here/out
mkdir -p "$out"

cd "$root"
cargo build --release -p tongquan-plan --example enforcement
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples/enforcement
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT

machine=$(printf '{"bench":"machine","nproc":%s,"cpu":"%s","mem_kib":%s,"date":"%s"}' \
  "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
  "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)")

{
  echo "$machine"
  "$bin" draw --objects "$objects" --officers "$officers" --baseline-objects "$baseline" --dump "$dump"
  # An outside check written from the documented algorithm, standard library only.
  if command -v python3 >/dev/null; then python3 "$here/reference_draw.py" "$dump"; fi
} | tee "$out/draw.jsonl"

{
  echo "$machine"
  "$bin" merge --objects "$objects"
} | tee "$out/merge.jsonl"
echo "wrote $out/draw.jsonl and $out/merge.jsonl"
