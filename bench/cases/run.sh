#!/usr/bin/env bash
# The case benchmark on both backends: queue page p50/p99 with CASES generated approval cases, then
# submissions/s against raw single-row inserts on the same database. Output: bench/cases/*.out.
# Usage: bench/cases/run.sh [CASES, default 1000000] [PG_CASES, default CASES]
# PostgreSQL: the server at 127.0.0.1:5432 (trust auth); the database tq_bench is dropped and made anew.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cases=${1:-1000000}
pg_cases=${2:-$cases}
cd "$root"
cargo build --release -p tongquan --example cases_bench
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples/cases_bench
"$bin" --cases "$cases" | grep -v ' INFO ' | tee "$here/sqlite.out"
psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS tq_bench' -c 'CREATE DATABASE tq_bench'
"$bin" --cases "$pg_cases" --database postgres://postgres@127.0.0.1:5432/tq_bench | grep -v ' INFO ' | tee "$here/postgres.out"
