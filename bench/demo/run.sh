#!/usr/bin/env bash
# Seconds per stage of a first `tongquan demo` at the reform's volume, on both backends.
# Output: bench/demo/sqlite.out and bench/demo/postgres.out.
# Usage: bench/demo/run.sh [TODAY, default 2026-12-07]
# PostgreSQL: the server at 127.0.0.1:5432 (trust auth); the database tq_demo_bench is made anew.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
today=${1:-2026-12-07}
cd "$root"
cargo build --release -p tongquan --example demo_bench
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples/demo_bench
"$bin" --today "$today" 2>/dev/null | tee "$here/sqlite.out"
psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS tq_demo_bench' -c 'CREATE DATABASE tq_demo_bench'
"$bin" --today "$today" --database postgres://postgres@127.0.0.1:5432/tq_demo_bench 2>/dev/null | tee "$here/postgres.out"
