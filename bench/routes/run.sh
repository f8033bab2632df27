#!/usr/bin/env bash
# One command for the routing benchmark: tongquan, VROOM (pyvroom) and PyVRP on the 48 Solomon
# instances, same machine, same convention, then RESULTS.md.
# Takes about 30 minutes for all 48 at 10 s. Usage: bench/routes/run.sh [seconds per instance, default 10] [instance names…]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=$root/data/vrptw/solomon
limit=${1:-10}
shift || true
target=${CARGO_TARGET_DIR:-$root/target}
out=$here/out
venv=$target/routes-venv
mkdir -p "$out"

if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  echo "installing python3-venv"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "pyvroom==1.15.*" "pyvrp==0.14.*"

cd "$root"
cargo build --release -p tongquan-plan --example routes
bin=$target/release/examples/routes

# One engine at a time, so each has both cores to itself.
echo "tongquan…"
"$bin" --data "$data" --time-limit "$limit" --threads 2 "$@" >"$out/ours.jsonl"
# And on one thread, as PyVRP runs.
"$bin" --data "$data" --time-limit "$limit" --threads 1 --label ours-1t "$@" >"$out/ours-1t.jsonl"
for engine in vroom pyvrp; do
  echo "$engine…"
  "$venv/bin/python" "$here/peers.py" "$engine" "$data" "$limit" "$@" >"$out/$engine.jsonl"
done
all=$(mktemp)
cat "$out/ours.jsonl" "$out/ours-1t.jsonl" "$out/vroom.jsonl" "$out/pyvrp.jsonl" >"$all"
"$bin" --data "$data" --check "$all" >"$out/checked.jsonl"
rm -f "$all"
python3 "$here/report.py" "$out" "$data" "$limit" "$here/RESULTS.md"
echo "wrote $here/RESULTS.md"
