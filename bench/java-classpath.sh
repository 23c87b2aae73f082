#!/usr/bin/env bash
# Builds the project and the test classes (the bench classes live there) and prints the classpath that
# runs them. Used by feed-bench.sh, run-bench.sh and all.sh. Build output goes to stderr only on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { mvn -q -B -DskipTests install && mvn -q -B -pl replicator test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "bench: error: the build failed" >&2
  exit 1
fi
echo "$PWD/replicator/target/test-classes:$PWD/replicator/target/classes:$(cat replicator/target/bench.classpath)"
