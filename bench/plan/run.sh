#!/usr/bin/env bash
# One command for the planner benchmark: tongquan on every OR-Library instance present and the
# synthetic province, PySAL spopt (PuLP + CBC, from PyPI) on the same p-median matrices, then
# RESULTS.md. Usage: bench/plan/run.sh [spopt time limit in seconds, default 600]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data=${TONGQUAN_DATA:-$root/data}/orlib
out=$here/out
venv=$here/.venv
limit=${1:-600}

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "spopt==0.7.0" "pulp==3.3.2"

cd "$root"
cargo build --release -p tongquan-plan --example bench
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples/bench
"$bin" --data "$data" --out "$out"
"$venv/bin/python" "$here/compare.py" --out "$out" --results "$here/RESULTS.md" --time-limit "$limit"
echo "wrote $here/RESULTS.md"
