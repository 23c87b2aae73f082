#!/usr/bin/env bash
# How many of a live application's transactions fail with SQLITE_BUSY ("database is locked") because of the
# replicator's own writes into its SQLite file, phase by phase.
#
#   bench/sqlite-busy.sh [--jar PATH] [--label NAME] [--styles A,B] [--runs N] [--rate 200] [--stream-seconds 30]
#                        [--hold-ms 0] [--postgres URL] [--out PREFIX]
#
# For each style and run, on a fresh rollback-journal file (SQLite's and Django's default) with 20,000 rows, an
# application (bench/sqlite_busy_writer.py, /usr/bin/python3's sqlite3 module) commits --rate transactions a second
# for the whole run, each a SELECT then an INSERT and an UPDATE:
#   style A  Python's sqlite3 defaults (timeout 5 s; the module's implicit deferred BEGIN before the INSERT)
#   style B  Django's shape (timeout 20 s; explicit deferred BEGIN before the SELECT, so the INSERT must upgrade)
#   style C  style B with BEGIN IMMEDIATE, as docs/operations-sqlite.md recommends (--styles A,B,C)
# while the replicator (java -jar JAR, the same arguments as bin/replicator) goes through:
#   install      `install` (capture triggers + changelog, into the rollback-journal file)
#   run-start    `run --rollback-journal=switch-to-wal --changelog-retention 0`, from its start until it streams:
#                capture check, the switch to WAL, the snapshot's consistent-read fence. A run that fails here (exit 4
#                "cannot switch ... to WAL") is started again at once, up to 3 times, as an operator would.
#   streaming    --stream-seconds of streaming with pruning (retention 0: each 10 s prune deletes what was published)
#   cutover      `cutover` (write fence, drain, verify, done); after the fence the application's writes are refused
#                by design ("fenced", counted apart)
# The application's failed transactions are attributed to the phase during which they failed. --hold-ms N makes
# each application transaction keep the write lock N ms longer (before its COMMIT), as a slower application does.
# Prints a markdown table and writes PREFIX.md / PREFIX.json (default bench/out/sqlite-busy-STAMP); the work files
# (the application's log, each command's output) stay in bench/work/sqlite-busy-STAMP/.
# PostgreSQL: --postgres or $BENCH_POSTGRES (default postgresql://postgres@127.0.0.1:5432/busy_dev); one schema per run,
# dropped at the end of the run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/replicator/target/replicator.jar"; LABEL=""; STYLES="A,B"; RUNS=1; RATE=200; STREAM=30; PREFIX=""; HOLD=0
PG="${BENCH_POSTGRES:-postgresql://postgres@127.0.0.1:5432/busy_dev}"
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2;; --label) LABEL="$2"; shift 2;; --styles) STYLES="$2"; shift 2;;
    --runs) RUNS="$2"; shift 2;; --rate) RATE="$2"; shift 2;; --stream-seconds) STREAM="$2"; shift 2;;
    --postgres) PG="$2"; shift 2;; --out) PREFIX="$2"; shift 2;; --hold-ms) HOLD="$2"; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
PY=/usr/bin/python3
[ -f "$JAR" ] || { echo "no $JAR: build it (mvn -B -q package -DskipTests)" >&2; exit 2; }
[ -n "$LABEL" ] || LABEL="$(cd "$(dirname "$JAR")/../.." && git rev-parse --short HEAD 2>/dev/null || echo jar)"
STAMP=$(date +%Y%m%d-%H%M%S)
WORK="$ROOT/bench/work/sqlite-busy-$STAMP"; mkdir -p "$WORK" "$ROOT/bench/out"
[ -n "$PREFIX" ] || PREFIX="$ROOT/bench/out/sqlite-busy-$STAMP"
PGDB="${PG##*/}"; PGDB="${PGDB%%\?*}"; PGBASE="${PG%/*}/postgres"
psql "$PGBASE" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PGDB'" | grep -q 1 || psql "$PGBASE" -qc "CREATE DATABASE $PGDB"

now() { date +%s.%N; }
mark() { printf '%s\t%s\t%s\n' "$1" "$2" "$(now)" >> "$RUN/phases.tsv"; } # phase, start|end
note() { printf '%s\t%s\n' "$1" "$2" >> "$RUN/notes.tsv"; }
rep() { java -Xmx512m -jar "$JAR" "$@"; }
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

for run in $(seq 1 "$RUNS"); do
  for style in ${STYLES//,/ }; do
    RUN="$WORK/$style-$run"; mkdir -p "$RUN"; DB="$RUN/app.db"
    SCHEMA="busy_$(echo "$LABEL" | tr -c 'a-zA-Z0-9\n' _)_${style}_${run}_$$"; SCHEMA="${SCHEMA,,}"
    echo "== $LABEL style $style run $run: $RUN (schema $SCHEMA)" >&2
    "$PY" "$ROOT/bench/sqlite_busy_writer.py" "$DB" --style A --setup
    "$PY" - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN")
c.executemany("INSERT INTO bench_item (k, v, at) VALUES (?, ?, 0)", ((f"seed-{i}", i) for i in range(20000)))
c.execute("COMMIT")
assert c.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
PY
    "$PY" "$ROOT/bench/sqlite_busy_writer.py" "$DB" --style "$style" --rate "$RATE" --hold-ms "$HOLD" --log "$RUN/writer.jsonl" > "$RUN/writer.out" 2> "$RUN/writer.err" &
    WRITER=$!; PIDS+=("$WRITER")
    until grep -q '"tick"' "$RUN/writer.jsonl" 2>/dev/null; do sleep 0.2; done
    mark warmup start; sleep 3; mark warmup end

    mark install start
    if rep install --sqlite "$DB" > "$RUN/install.out" 2>&1; then note install ok; else note install "failed: $(tail -1 "$RUN/install.out")"; fi
    mark install end
    mark idle start; sleep 2; mark idle end

    mark run-start start
    RUNPID=""; started=0
    for attempt in 1 2 3; do
      rc=0
      rep run --sqlite "$DB" --postgres "$PG" --schema "$SCHEMA" --rollback-journal=switch-to-wal --changelog-retention 0 \
          --state-dir "$RUN/state" --http-port 0 --status-interval 2s > "$RUN/run-$attempt.log" 2>&1 &
      RUNPID=$!; PIDS+=("$RUNPID")
      while kill -0 "$RUNPID" 2>/dev/null && ! grep -q '^replicating ' "$RUN/run-$attempt.log"; do sleep 0.05; done
      if grep -q '^replicating ' "$RUN/run-$attempt.log"; then started=$attempt; break; fi
      wait "$RUNPID" || rc=$?; note "run-attempt-$attempt" "exit ${rc:-0}: $(grep -m1 -E 'error|cannot' "$RUN/run-$attempt.log" | cut -c1-300)"
    done
    mark run-start end
    note run-started-on-attempt "$started"
    [ "$started" != 0 ] || { echo "run did not start (see $RUN)" >&2; kill "$WRITER"; wait "$WRITER" || true; continue; }

    mark streaming start; sleep "$STREAM"; mark streaming end
    note prunes "$(grep -c 'pruned .* changelog row' "$RUN/run-$started.log" || true)"

    mark cutover start
    if rep cutover --sqlite "$DB" --postgres "$PG" --schema "$SCHEMA" > "$RUN/cutover.out" 2>&1; then note cutover ok
    else note cutover "failed: $(tail -1 "$RUN/cutover.out" | cut -c1-300)"; fi
    mark cutover end
    mark after start; sleep 1; mark after end
    kill "$WRITER"; wait "$WRITER" || true
    for i in $(seq 1 100); do kill -0 "$RUNPID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$RUNPID" 2>/dev/null; then kill "$RUNPID"; fi
    wait "$RUNPID" 2>/dev/null || true
    psql "$PG" -qc "DROP SCHEMA IF EXISTS \"$SCHEMA\" CASCADE" >/dev/null 2>&1 || true
  done
done

"$PY" "$ROOT/bench/sqlite_busy_report.py" "$WORK" "$PREFIX" "$LABEL" "$RATE" "$STREAM" "$JAR"
