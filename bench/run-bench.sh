#!/usr/bin/env bash
# The main job's benchmark: sink apply throughput, and SQLite commit -> visible in PostgreSQL lag at a fixed rate.
# Everything real, in one JVM (SQLite WAL + triggers, the feed, an embedded broker, the sink) + the local PostgreSQL.
# Usage: bench/run-bench.sh [tx_per_second=1000] [seconds=20] [apply_rows=500000] [RunBench options: --parts, --rates, ...]
# PostgreSQL: BENCH_POSTGRES (default postgresql://postgres@127.0.0.1:5432/replicator_bench, created if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${BENCH_POSTGRES:-postgresql://postgres@127.0.0.1:5432/replicator_bench}"
if [[ -z "${BENCH_POSTGRES:-}" ]]; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'replicator_bench'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE replicator_bench"
fi
CP="$(bench/java-classpath.sh)"
mkdir -p bench/out
java -Xmx2g -cp "$CP" io.replicator.bench.RunBench "$PG" "${1:-1000}" "${2:-20}" "${3:-500000}" "${@:4}" 2>&1 | grep -E '^(apply|lag|max-rate|burst|cutover)' | tee "bench/out/run-$(date +%Y%m%dT%H%M%S).txt"
