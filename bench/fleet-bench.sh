#!/usr/bin/env bash
# Fleet benchmark: run --stores with N stores in one process, light writes on each (see FleetBench's comment).
# Usage: bench/fleet-bench.sh [stores=1,10,50,100] [tx/s per store=10] [seconds=30]
# Builds without installing (mvn -o test-compile in the reactor), so it can run beside other builds.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -pl replicator -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="$PWD/replicator/target/test-classes:$PWD/replicator/target/classes"
for m in core translate verify snapshotter connector sink; do CP="$CP:$PWD/$m/target/classes"; done
CP="$CP:$(cat replicator/target/bench.classpath)"
mkdir -p bench/out
java -Xmx1g -cp "$CP" io.replicator.bench.FleetBench "${1:-1,10,50,100}" "${2:-10}" "${3:-30}" 2>&1 | grep -E '^fleet ' | tee "bench/out/fleet-$(date +%Y%m%dT%H%M%S).txt"
