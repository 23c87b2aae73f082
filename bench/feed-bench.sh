#!/usr/bin/env bash
# Change feed benchmark: commit -> Kafka latency at a fixed transaction rate, and catch-up throughput.
# Everything real, in one JVM: SQLite (WAL) + capture triggers, the feed (Debezium Embedded), an embedded broker.
# Usage: bench/feed-bench.sh [tx_per_second=1000] [seconds=20] [throughput_rows=500000] [FeedBench options: --parts, --warmup]
set -euo pipefail
cd "$(dirname "$0")/.."
CP="$(bench/java-classpath.sh)"
mkdir -p bench/out
java -Xmx2g -cp "$CP" io.replicator.bench.FeedBench "${1:-1000}" "${2:-20}" "${3:-500000}" "${@:4}" 2>&1 | grep -E '^(latency|throughput)' | tee "bench/out/feed-$(date +%Y%m%dT%H%M%S).txt"
