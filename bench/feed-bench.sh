#!/usr/bin/env bash
# Change feed benchmark: commit -> Kafka latency at a fixed transaction rate, and catch-up throughput.
# Everything real, in one JVM: SQLite (WAL) + capture triggers, the feed (Debezium Embedded), an embedded broker.
# Usage: bench/feed-bench.sh [tx_per_second=1000] [seconds=20] [throughput_rows=500000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests install >/dev/null
mvn -q -B -pl replicator test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="replicator/target/test-classes:replicator/target/classes:$(cat replicator/target/bench.classpath)"
mkdir -p bench/out
java -Xmx2g -cp "$CP" io.replicator.bench.FeedBench "${1:-1000}" "${2:-20}" "${3:-500000}" 2>&1 | grep -E '^(latency|throughput)' | tee "bench/out/feed-$(date +%Y%m%dT%H%M%S).txt"
