#!/usr/bin/env bash
# Every benchmark, one report.
#
#   bench/all.sh [--quick] [--runs K] [--only PARTS] [--timeout SECONDS]
#
#   --quick     tiny sizes and short durations: checks that the harness works, in minutes; the figures
#               of a quick run say nothing about performance
#   --runs K    runs of each figure (default 3; 2 with --quick); reported as median and min-max
#   --only      comma-separated subset of: snapshot,verify,capture,feed,stream,burst,restart (default all;
#               verify needs snapshot in the same command)
#   --timeout   limit per command in seconds (default 3600; 900 with --quick)
#
# Writes bench/out/report-YYYYmmdd-HHMMSS.{md,json} and bench/out/lag-YYYYmmdd-HHMMSS.svg; logs and raw
# results in bench/work/all-YYYYmmdd-HHMMSS/. Exits 0 when every part succeeded, 1 when any failed (the
# report says which), 2 on a usage error. See bench/README.md.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PGH="${BENCH_PGHOST:-127.0.0.1}"
PGP="${BENCH_PGPORT:-5432}"
PGU="${BENCH_PGUSER:-postgres}"
DB=replicator_bench
URL="postgresql://$PGU@$PGH:$PGP/$DB"
ALL_PARTS="snapshot,verify,capture,feed,stream,burst,restart"

log() { echo "bench: $*" >&2; }
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die_usage() { echo "bench: error: $*" >&2; exit 2; }

ARGS="$*"
QUICK=0; RUNS=""; ONLY="$ALL_PARTS"; TIMEOUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --runs) [ $# -ge 2 ] || die_usage "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --only) [ $# -ge 2 ] || die_usage "--only needs a value"; ONLY="$2"; shift 2 ;;
    --only=*) ONLY="${1#*=}"; shift ;;
    --timeout) [ $# -ge 2 ] || die_usage "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
    --timeout=*) TIMEOUT="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument: $1 (see --help)" ;;
  esac
done
[ -n "$RUNS" ] || RUNS=$([ "$QUICK" = 1 ] && echo 2 || echo 3)
[ -n "$TIMEOUT" ] || TIMEOUT=$([ "$QUICK" = 1 ] && echo 900 || echo 3600)
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || die_usage "--runs must be an integer >= 1 (got '$RUNS')"
[[ "$TIMEOUT" =~ ^[0-9]+$ && "$TIMEOUT" -ge 1 ]] || die_usage "--timeout must be a positive integer (got '$TIMEOUT')"
IFS=',' read -r -a PARTS <<< "$ONLY"
for p in "${PARTS[@]}"; do
  [[ ",$ALL_PARTS," == *",$p,"* ]] || die_usage "--only: unknown part '$p' (known: $ALL_PARTS)"
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
if want verify && ! want snapshot; then die_usage "verify measures the copy the snapshot part makes: add snapshot to --only"; fi

# Sizes. Full: the figures the README quotes. Quick: the same code paths on tiny inputs.
if [ "$QUICK" = 1 ]; then
  MODE=quick
  SNAP_ROWS=50000; CAP_ROWS=50000; CAP_SINGLE=300
  FEED_ARGS=(1000 4 20000 --warmup 1)
  STREAM_ARGS=(1000 4 20000 --parts apply,lag,max-rate,cutover --rates 100,1000,5000 --warmup 1
               --step-seconds 3 --refine 1 --cutover-rows 10000)
  BURST_ARGS=(--parts burst --burst-base 500 --burst-rate 5000 --burst-before 3 --burst-seconds 3 --burst-after 6)
  RESTARTS=2
else
  MODE=full
  SNAP_ROWS=5000000; CAP_ROWS=500000; CAP_SINGLE=2000
  FEED_ARGS=(1000 20 500000 --warmup 5)
  STREAM_ARGS=(1000 20 500000 --parts apply,lag,max-rate,cutover --rates 100,1000,5000 --warmup 5
               --step-seconds 10 --refine 2 --cutover-rows 100000)
  BURST_ARGS=(--parts burst --burst-base 500 --burst-rate 10000 --burst-before 10 --burst-seconds 10 --burst-after 20)
  RESTARTS=5
fi

STAMP="$(date +%Y%m%d-%H%M%S)"
RUNDIR="$HERE/work/all-$STAMP"
OUT="$HERE/out"
mkdir -p "$RUNDIR" "$OUT"
STATUS="$RUNDIR/status.tsv"
RESULTS="$RUNDIR/results.jsonl"
printf 'part\trun\texit\tseconds\tload1\tlog\n' > "$STATUS"
: > "$RESULTS"
T_START="$(date +%s.%N)"
log "mode=$MODE runs=$RUNS parts=$ONLY; logs in $RUNDIR"
python3 - "$RUNDIR/settings.json" <<PY
import json, sys
json.dump({"mode": "$MODE", "runs": $RUNS, "parts": "$ONLY".split(","), "timeout_s": $TIMEOUT, "stamp": "$STAMP",
           "command": "bench/all.sh $ARGS".strip(), "snapshot_rows": $SNAP_ROWS, "capture_rows": $CAP_ROWS,
           "capture_single": $CAP_SINGLE, "feed_args": "${FEED_ARGS[*]}", "stream_args": "${STREAM_ARGS[*]}",
           "burst_args": "${BURST_ARGS[*]}", "restarts": $RESTARTS, "postgres": "$URL"}, open(sys.argv[1], "w"), indent=2)
PY

# step PART RUN LOG CMD... : runs CMD under the timeout, output to LOG; records exit code and seconds.
step() {
  local part="$1" run="$2" out="$3"; shift 3
  local load t0 t1 rc
  load="$(cut -d' ' -f1 /proc/loadavg)"
  t0="$(date +%s.%N)"
  timeout --kill-after=30 "$TIMEOUT" "$@" >"$out" 2>&1
  rc=$?
  t1="$(date +%s.%N)"
  local secs; secs="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$t1")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$part" "$run" "$rc" "$secs" "$load" "$out" >> "$STATUS"
  if [ "$rc" = 0 ]; then log "$part run $run: ok in ${secs}s"; else log "$part run $run: FAILED (exit $rc) after ${secs}s; log $out"; fi
  return "$rc"
}

# collect PART RUN LOG : the Java bench's "result {json}" lines, tagged with part and run.
collect() {
  python3 - "$1" "$2" "$3" >> "$RESULTS" <<'PY'
import json, sys
part, run, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for line in open(path, errors="replace"):
    if line.startswith("result {"):
        try:
            r = json.loads(line[len("result "):])
        except ValueError:
            continue
        r.update({"part": part, "run": run})
        print(json.dumps(r))
PY
}

# --- Preparation: PostgreSQL, the build -------------------------------------------------------
PREP_OK=1
if ! pg_isready -q -h "$PGH" -p "$PGP"; then
  log "PostgreSQL does not answer at $PGH:$PGP"; PREP_OK=0
elif [ -z "$(psql -X -h "$PGH" -p "$PGP" -U "$PGU" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  createdb -h "$PGH" -p "$PGP" -U "$PGU" "$DB" || { log "could not create database $DB"; PREP_OK=0; }
fi
CP=""
if [ "$PREP_OK" = 1 ]; then
  log "building (outside every timing)"
  if step build 1 "$RUNDIR/build.log" "$HERE/java-classpath.sh"; then
    CP="$(tail -n 1 "$RUNDIR/build.log")"
    # A private copy of the jar for verify, so a rebuild of the work tree during the run changes nothing.
    mkdir -p "$RUNDIR/app" && cp "$ROOT/replicator/target/replicator.jar" "$RUNDIR/app/" && cp -r "$ROOT/replicator/target/lib" "$RUNDIR/app/" \
      || { log "cannot copy the built jar"; PREP_OK=0; }
  else
    PREP_OK=0
  fi
fi
read -r -a JAVA_OPTS <<< "${REPLICATOR_JAVA_OPTS:--Xmx1g}"

if [ "$PREP_OK" = 1 ]; then
  # --- Snapshot: ours vs pgloader vs the CSV floor (bench/snapshot-bench.sh) ----------------
  if want snapshot; then
    step snapshot all "$RUNDIR/snapshot.log" "$HERE/snapshot-bench.sh" --rows "$SNAP_ROWS" --runs "$RUNS" \
      --timeout "$TIMEOUT" --out "$RUNDIR/snapshot"
  fi

  # --- Verify the snapshot's copy, and the count(*) floor, back to back in each run -----------
  if want verify; then
    F="$HERE/work/snapshot-$SNAP_ROWS.sqlite"
    if [ -f "$RUNDIR/snapshot.json" ] && python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['tools']['ours']['status'] != 'ok')" "$RUNDIR/snapshot.json"; then
      count_floor() { # both sides' row counts at once; the totals must agree
        local s p
        s="$(mktemp)"; p="$(mktemp)"
        sqlite3 "$F" "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM events)" >"$s" &
        local sp=$!
        psql -X -h "$PGH" -p "$PGP" -U "$PGU" -d "$DB" -tAc "SELECT (SELECT count(*) FROM bench_ours.customers) + (SELECT count(*) FROM bench_ours.orders) + (SELECT count(*) FROM bench_ours.events)" >"$p" &
        local pp=$!
        wait "$sp" || return 1
        wait "$pp" || return 1
        echo "sqlite=$(cat "$s") postgres=$(cat "$p")"
        [ "$(cat "$s")" = "$(cat "$p")" ] && [ -n "$(cat "$s")" ]
        local rc=$?; rm -f "$s" "$p"; return "$rc"
      }
      export -f count_floor
      export F PGH PGP PGU DB
      for run in $(seq 1 "$RUNS"); do
        # Alternate the order, so neither side always finds the caches warmed by the other.
        order=(verify floor); [ $((run % 2)) = 0 ] && order=(floor verify)
        for what in "${order[@]}"; do
          if [ "$what" = verify ]; then
            step verify "$run" "$RUNDIR/verify-$run.out" /usr/bin/time -f 'peak_rss_kb=%M' \
              java "${JAVA_OPTS[@]}" -jar "$RUNDIR/app/replicator.jar" verify --sqlite "$F" --postgres "$URL" --schema bench_ours --json
          else
            step verify-floor "$run" "$RUNDIR/verify-floor-$run.out" /usr/bin/time -f 'peak_rss_kb=%M' bash -c count_floor
          fi
        done
      done
    else
      log "verify: no successful snapshot in this run to verify"
      printf 'verify\t-\t%s\t0\t-\t%s\n' "no-snapshot" "$RUNDIR/snapshot.log" >> "$STATUS"
    fi
  fi

  # --- Capture overhead (bench/capture-overhead.sh) -------------------------------------------
  if want capture; then
    step capture all "$RUNDIR/capture.log" "$HERE/capture-overhead.sh" --rows "$CAP_ROWS" --single "$CAP_SINGLE" \
      --runs "$RUNS" --out "$RUNDIR/capture"
  fi

  # --- The change feed alone: commit -> Kafka (FeedBench) --------------------------------------
  if want feed; then
    for run in $(seq 1 "$RUNS"); do
      step feed "$run" "$RUNDIR/feed-$run.out" java -Xmx2g -cp "$CP" io.replicator.bench.FeedBench "${FEED_ARGS[@]}"
      collect feed "$run" "$RUNDIR/feed-$run.out"
    done
  fi

  # --- Streaming: apply, end-to-end lag at fixed rates, max sustained rate, cutover (RunBench) --
  if want stream; then
    for run in $(seq 1 "$RUNS"); do
      step stream "$run" "$RUNDIR/stream-$run.out" java -Xmx2g -cp "$CP" io.replicator.bench.RunBench "$URL" "${STREAM_ARGS[@]}"
      collect stream "$run" "$RUNDIR/stream-$run.out"
    done
  fi

  # --- Lag over time around a write burst, plotted ---------------------------------------------
  if want burst; then
    step burst 1 "$RUNDIR/burst.out" java -Xmx2g -cp "$CP" io.replicator.bench.RunBench "$URL" "${BURST_ARGS[@]}" --samples "$RUNDIR/burst.csv"
    collect burst 1 "$RUNDIR/burst.out"
    if [ -s "$RUNDIR/burst.csv" ]; then
      window="$(python3 -c "
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get('figure') == 'burst': print(r['burst_start_s'], r['burst_end_s'])" "$RESULTS" | tail -n 1)"
      # shellcheck disable=SC2086
      step plot 1 "$RUNDIR/plot.log" python3 "$HERE/plot_lag.py" "$RUNDIR/burst.csv" "$OUT/lag-$STAMP.svg" \
        ${window:+--burst $window} --title "Replication lag around a write burst ($MODE run $STAMP)"
    fi
  fi

  # --- Restart -> streaming: first start, then RESTARTS after SIGTERM and after SIGKILL (bench/restart-bench.py) --
  if want restart; then
    step restart 1 "$RUNDIR/restart.out" python3 "$HERE/restart-bench.py" --jar "$RUNDIR/app/replicator.jar" --sqlite "$ROOT/examples/shop.db" \
      --postgres "$URL" --restarts "$RESTARTS" --work "$RUNDIR/restart" --java-opts="${JAVA_OPTS[*]}"
    collect restart 1 "$RUNDIR/restart.out"
  fi
fi

# --- Report ------------------------------------------------------------------------------------
T_END="$(date +%s.%N)"
WALL="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$T_START" "$T_END")"
python3 "$HERE/all_report.py" --rundir "$RUNDIR" --root "$ROOT" --md "$OUT/report-$STAMP.md" --json "$OUT/report-$STAMP.json" \
  --svg "lag-$STAMP.svg" --wall "$WALL" --prep-ok "$PREP_OK" --pg "$PGH:$PGP:$PGU:$DB"
rc=$?
log "report: $OUT/report-$STAMP.md and .json (wall time ${WALL}s; logs: $RUNDIR)"
[ "$rc" = 0 ] || log "some parts failed; see the report's Failures section"
exit "$rc"
