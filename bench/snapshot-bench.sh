#!/usr/bin/env bash
# Snapshot benchmark: times `replicator snapshot` against pgloader and against a plain
# sqlite3-CSV | psql \copy "floor", on one generated SQLite file, K runs each.
#
#   bench/snapshot-bench.sh [--rows N] [--runs K] [--timeout SECONDS] [--out PREFIX]
#
# Writes bench/out/snapshot-YYYYmmdd-HHMMSS.{md,json} (or PREFIX.{md,json}) and prints the markdown.
# Needs: PostgreSQL at $BENCH_PGHOST:$BENCH_PGPORT (default 127.0.0.1:5432, user postgres,
# no password), sqlite3, python3, GNU time (/usr/bin/time), Java + Maven for the
# replicator, and apt-get (as root) to install pgloader when it is missing.
# See bench/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

PGH="${BENCH_PGHOST:-127.0.0.1}"
PGP="${BENCH_PGPORT:-5432}"
PGU="${BENCH_PGUSER:-postgres}"
DB=replicator_bench
DB_PGL=replicator_bench_pgloader
URL="postgresql://$PGU@$PGH:$PGP/$DB"
URL_PGL="postgresql://$PGU@$PGH:$PGP/$DB_PGL"
TABLES=(customers orders events)

log()  { echo "bench: $*" >&2; }
fail() { echo "bench: error: $*" >&2; exit 1; }
trap 'rc=$?; echo "bench: error: command failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

psql_db() { # psql_db DB ARGS... : quiet, stop on the first error
  local db="$1"; shift
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$PGH" -p "$PGP" -U "$PGU" -d "$db" "$@"
}

# ---------------------------------------------------------------------------------------
# Internal mode: the timed part of the floor (run under /usr/bin/time by the main script).
# Loads every table in parallel, then builds the same keys, index and foreign key as the
# replicator does.
if [ "${1:-}" = "__floor_load" ]; then
  F="$2"
  declare -A SELECTS=(
    [customers]="SELECT id, name, email, balance, credit, created, profile FROM customers"
    [orders]="SELECT id, customer_id, amount, total, '\\x' || hex(payload), created FROM orders"
    [events]="SELECT id, kind, value, data, '\\x' || hex(blob) FROM events"
  )
  pids=()
  for t in "${TABLES[@]}"; do
    ( sqlite3 -csv "$F" "${SELECTS[$t]}" | psql_db "$DB" -c "\\copy bench_floor.$t FROM STDIN WITH (FORMAT csv)" ) &
    pids+=("$!")
  done
  failed=0
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      echo "bench: error: floor load of table ${TABLES[$i]} failed" >&2
      failed=1
    fi
  done
  [ "$failed" = 0 ] || exit 1
  # Keys and indexes in parallel per table, then the foreign key (needs both keys).
  pids=()
  ( psql_db "$DB" -c "ALTER TABLE bench_floor.customers ADD PRIMARY KEY (id)" ) & pids+=("$!")
  ( psql_db "$DB" -c "ALTER TABLE bench_floor.orders ADD PRIMARY KEY (id)" \
                  -c "CREATE INDEX orders_customer_id ON bench_floor.orders (customer_id)" ) & pids+=("$!")
  ( psql_db "$DB" -c "ALTER TABLE bench_floor.events ADD PRIMARY KEY (id)" ) & pids+=("$!")
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" = 0 ] || { echo "bench: error: floor keys/index failed" >&2; exit 1; }
  psql_db "$DB" -c "ALTER TABLE bench_floor.orders ADD FOREIGN KEY (customer_id) REFERENCES bench_floor.customers (id)"
  exit 0
fi

# ---------------------------------------------------------------------------------------
ROWS=5000000
RUNS=3
TIMEOUT=3600
PREFIX=""
usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows)    [ $# -ge 2 ] || fail "--rows needs a value"; ROWS="$2"; shift 2 ;;
    --rows=*)  ROWS="${1#*=}"; shift ;;
    --runs)    [ $# -ge 2 ] || fail "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --runs=*)  RUNS="${1#*=}"; shift ;;
    --timeout) [ $# -ge 2 ] || fail "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
    --timeout=*) TIMEOUT="${1#*=}"; shift ;;
    --out)     [ $# -ge 2 ] || fail "--out needs a value"; PREFIX="$2"; shift 2 ;;
    --out=*)   PREFIX="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$ROWS" =~ ^[0-9]+$ && "$ROWS" -ge 3 ]] || fail "--rows must be an integer >= 3 (got '$ROWS')"
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || fail "--runs must be an integer >= 1 (got '$RUNS')"
[[ "$TIMEOUT" =~ ^[0-9]+$ && "$TIMEOUT" -ge 1 ]] || fail "--timeout must be a positive integer (got '$TIMEOUT')"

for tool in psql pg_isready createdb dropdb sqlite3 python3 timeout; do
  command -v "$tool" >/dev/null || fail "'$tool' is not on PATH"
done
[ -x /usr/bin/time ] || fail "GNU time (/usr/bin/time) is missing: apt-get install -y time"

WORK="$HERE/work"
OUT="$HERE/out"
STAMP="$(date +%Y%m%d-%H%M%S)"
RUNDIR="$WORK/run-$STAMP"
mkdir -p "$WORK" "$OUT" "$RUNDIR"
RESULTS="$RUNDIR/results.tsv"
printf 'tool\trun\tseconds\trss_kb\texit\tbusy_before\n' > "$RESULTS"
log "rows=$ROWS runs=$RUNS timeout=${TIMEOUT}s logs in $RUNDIR"

# --- 1. PostgreSQL -----------------------------------------------------------------------
if ! pg_isready -q -h "$PGH" -p "$PGP"; then
  log "PostgreSQL does not answer at $PGH:$PGP; starting the local cluster"
  command -v pg_ctlcluster >/dev/null || fail "pg_ctlcluster not found; start PostgreSQL yourself"
  ver="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$ver" ] || fail "no cluster under /etc/postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || fail "could not start PostgreSQL $ver/main"
  for _ in $(seq 1 30); do pg_isready -q -h "$PGH" -p "$PGP" && break; sleep 1; done
  pg_isready -q -h "$PGH" -p "$PGP" || fail "PostgreSQL still does not answer at $PGH:$PGP after 30 s"
fi
if [ -z "$(psql_db postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  createdb -h "$PGH" -p "$PGP" -U "$PGU" "$DB" || fail "could not create database $DB"
fi

# --- 2. The SQLite file ------------------------------------------------------------------
F="$WORK/snapshot-$ROWS.sqlite"
count_rows() {
  sqlite3 "$1" "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM events)" 2>/dev/null || echo 0
}
if [ -f "$F" ] && [ -f "$F.done" ] && [ "$(count_rows "$F")" = "$ROWS" ]; then
  log "reusing $F"
else
  log "generating $F ($ROWS rows)"
  rm -f "$F" "$F-wal" "$F-shm" "$F.done"
  python3 "$HERE/gen_snapshot_db.py" "$F" --rows "$ROWS" || fail "generating $F failed"
  [ "$(count_rows "$F")" = "$ROWS" ] || fail "generated file $F does not hold $ROWS rows"
  touch "$F.done"
fi
[ "$(sqlite3 "$F" 'PRAGMA journal_mode')" = "wal" ] || fail "$F is not in WAL mode"
FILE_BYTES="$(stat -c %s "$F")"
declare -A COUNTS
for t in "${TABLES[@]}"; do COUNTS[$t]="$(sqlite3 "$F" "SELECT count(*) FROM $t")"; done
log "file: $FILE_BYTES bytes; customers=${COUNTS[customers]} orders=${COUNTS[orders]} events=${COUNTS[events]}"

# --- 3. pgloader ---------------------------------------------------------------------------
PGLOADER=available
if ! command -v pgloader >/dev/null; then
  log "pgloader not found; installing the Debian package"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgloader; } >"$RUNDIR/apt.log" 2>&1 \
     || ! command -v pgloader >/dev/null; then
    log "pgloader could not be installed (see $RUNDIR/apt.log); its figures will read 'unavailable'"
    PGLOADER=unavailable
  fi
fi

# --- 4. Runs -------------------------------------------------------------------------------
log "building the replicator (outside the timing)"
"$ROOT/bin/replicator" --help >/dev/null 2>"$RUNDIR/build.log" \
  || { tail -n 40 "$RUNDIR/build.log" >&2; fail "bin/replicator does not build or start (log: $RUNDIR/build.log)"; }
# Run a private copy of the built jar, started the way bin/replicator starts it, so that a
# rebuild of the work tree during the benchmark neither lands inside a timing nor swaps the
# program between runs.
APP="$RUNDIR/app"
mkdir -p "$APP"
cp "$ROOT/replicator/target/replicator.jar" "$APP/" || fail "cannot copy replicator/target/replicator.jar"
cp -r "$ROOT/replicator/target/lib" "$APP/" || fail "cannot copy replicator/target/lib"
read -r -a JAVA_OPTS <<< "${REPLICATOR_JAVA_OPTS:--Xmx1g}"
REPLICATOR=(java "${JAVA_OPTS[@]}" -jar "$APP/replicator.jar")
"${REPLICATOR[@]}" --help >/dev/null || fail "the copied replicator does not start"
# The commit the copied jar was built from ("+changes": the work tree differed from it).
B_GIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null; then B_GIT="$B_GIT+changes"; fi

# cpu_busy: percent of all CPU time not idle over one second, from /proc/stat.
cpu_busy() {
  local a b
  a="$(head -n 1 /proc/stat)"; sleep 1; b="$(head -n 1 /proc/stat)"
  python3 - "$a" "$b" <<'PY'
import sys
a, b = ([int(x) for x in s.split()[1:]] for s in sys.argv[1:3])
d = [y - x for x, y in zip(a, b)]
total, idle = sum(d[:8]), d[3] + d[4]   # idle + iowait
print(f"{100 * (total - idle) / total:.0f}" if total else "0")
PY
}

# measure TOOL RUN CMD... : wall seconds (date) and peak RSS (GNU time) of CMD; stdout and
# stderr go to $RUNDIR/TOOL-RUN.{out,err}. Appends a line to $RESULTS; returns CMD's code.
measure() {
  local tool="$1" run="$2"; shift 2
  local base="$RUNDIR/$tool-$run" start end rc busy
  # How busy the CPUs were during the second before the start (percent of all cores):
  # well above 0 means something else was running, and the figure of this run is suspect.
  busy="$(cpu_busy)"
  start="$(date +%s.%N)"
  if /usr/bin/time -f '%M' -o "$base.rss" timeout --kill-after=30 "$TIMEOUT" "$@" >"$base.out" 2>"$base.err"; then
    rc=0
  else
    rc=$?
  fi
  end="$(date +%s.%N)"
  local secs rss
  secs="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$start" "$end")"
  rss="$(grep -E '^[0-9]+$' "$base.rss" | tail -n 1 || true)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$secs" "${rss:-0}" "$rc" "$busy" >> "$RESULTS"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    log "$tool run $run: timed out after ${TIMEOUT}s"
  fi
  log "$tool run $run: ${secs}s, peak RSS ${rss:-?} KB, exit $rc (CPU busy before: $busy%)"
  return "$rc"
}

# Row counts of a loaded copy: "customers=N orders=N events=N" must match the source.
check_counts() { # check_counts LABEL DB SCHEMA
  local label="$1" db="$2" schema="$3" t n bad=0
  for t in "${TABLES[@]}"; do
    n="$(psql_db "$db" -tAc "SELECT count(*) FROM \"$schema\".\"$t\"" 2>&1)" || { log "$label: cannot count $schema.$t: $n"; bad=1; continue; }
    if [ "$n" != "${COUNTS[$t]}" ]; then log "$label: $schema.$t has $n rows, the source ${COUNTS[$t]}"; bad=1; fi
  done
  return "$bad"
}

FLOOR_DDL="DROP SCHEMA IF EXISTS bench_floor CASCADE; CREATE SCHEMA bench_floor;
CREATE TABLE bench_floor.customers (id bigint NOT NULL, name text NOT NULL, email text NOT NULL,
  balance double precision NOT NULL, credit numeric(12,2) NOT NULL, created timestamp NOT NULL, profile jsonb NOT NULL);
CREATE TABLE bench_floor.orders (id bigint NOT NULL, customer_id bigint NOT NULL, amount double precision NOT NULL,
  total numeric(10,2) NOT NULL, payload bytea NOT NULL, created timestamp NOT NULL);
CREATE TABLE bench_floor.events (id bigint NOT NULL, kind text NOT NULL, value double precision NOT NULL,
  data jsonb NOT NULL, blob bytea NOT NULL);"

PGL_SCHEMA=""
OURS_FAILED=0
for run in $(seq 1 "$RUNS"); do
  log "=== run $run of $RUNS ==="

  # (a) ours. The target schema is dropped outside the timing, so every run starts empty.
  psql_db "$DB" -c "DROP SCHEMA IF EXISTS bench_ours CASCADE" || fail "could not drop schema bench_ours"
  if measure ours "$run" "${REPLICATOR[@]}" snapshot --sqlite "$F" --postgres "$URL" \
        --schema bench_ours --drop --json; then
    check_counts ours "$DB" bench_ours || { log "ours run $run: row counts differ"; OURS_FAILED=1; }
  else
    log "ours run $run FAILED; its output:"; tail -n 30 "$RUNDIR/ours-$run.err" >&2; tail -n 30 "$RUNDIR/ours-$run.out" >&2
    OURS_FAILED=1
  fi

  # (b) pgloader, into a database recreated outside the timing.
  if [ "$PGLOADER" = available ]; then
    PGOPTIONS="-c client_min_messages=warning" dropdb -h "$PGH" -p "$PGP" -U "$PGU" --if-exists "$DB_PGL" || fail "could not drop database $DB_PGL"
    createdb -h "$PGH" -p "$PGP" -U "$PGU" "$DB_PGL" || fail "could not create database $DB_PGL"
    if measure pgloader "$run" pgloader "sqlite://$F" "$URL_PGL"; then
      if [ -z "$PGL_SCHEMA" ]; then
        PGL_SCHEMA="$(psql_db "$DB_PGL" -tAc "SELECT table_schema FROM information_schema.tables WHERE table_name = 'orders' AND table_schema NOT IN ('pg_catalog','information_schema') LIMIT 1")"
        [ -n "$PGL_SCHEMA" ] || { log "pgloader run $run: no orders table in $DB_PGL"; PGL_SCHEMA=public; }
      fi
      # pgloader can exit 0 and still have skipped rows: check the counts.
      check_counts pgloader "$DB_PGL" "$PGL_SCHEMA" || log "pgloader run $run: row counts differ (see $RUNDIR/pgloader-$run.out)"
    else
      log "pgloader run $run FAILED; its output:"; tail -n 30 "$RUNDIR/pgloader-$run.out" >&2; tail -n 30 "$RUNDIR/pgloader-$run.err" >&2
    fi
  fi

  # (c) the floor, into fresh plain tables created outside the timing.
  psql_db "$DB" -c "$FLOOR_DDL" || fail "could not create the floor tables"
  if measure floor "$run" bash "${BASH_SOURCE[0]}" __floor_load "$F"; then
    check_counts floor "$DB" bench_floor || log "floor run $run: row counts differ"
  else
    log "floor run $run FAILED; its output:"; tail -n 30 "$RUNDIR/floor-$run.err" >&2
  fi
done

# --- 5. Correctness, once ------------------------------------------------------------------
VERIFY_EXIT=skipped
log "verify: replicator verify on bench_ours"
if "${REPLICATOR[@]}" verify --sqlite "$F" --postgres "$URL" --schema bench_ours --json \
     >"$RUNDIR/verify.out" 2>"$RUNDIR/verify.err"; then
  VERIFY_EXIT=0
else
  VERIFY_EXIT=$?
  log "verify exited $VERIFY_EXIT (0 = equal):"; tail -n 40 "$RUNDIR/verify.out" >&2; tail -n 20 "$RUNDIR/verify.err" >&2
fi

# REAL values pgloader changed: compare each REAL column, SQLite's exact double against
# pgloader's value read back as float8 with shortest-exact output.
REALCHECK="$RUNDIR/pgloader-real.json"
echo '{"status": "unavailable"}' > "$REALCHECK"
if [ "$PGLOADER" = available ] && [ -n "$PGL_SCHEMA" ]; then
  log "comparing REAL columns between SQLite and pgloader's copy"
  for spec in customers.balance orders.amount events.value; do
    t="${spec%.*}"; c="${spec#*.}"
    psql_db "$DB_PGL" -c "SET extra_float_digits = 3" \
      -c "\\copy (SELECT id, \"$c\"::float8 FROM \"$PGL_SCHEMA\".\"$t\" ORDER BY id) TO '$RUNDIR/pgl-$t-$c.csv' WITH (FORMAT csv)" \
      || log "could not export $PGL_SCHEMA.$t.$c from $DB_PGL"
  done
  python3 - "$F" "$RUNDIR" "$REALCHECK" <<'PY' || log "the REAL comparison failed"
import csv, json, os, sqlite3, sys
db, rundir, out = sys.argv[1:4]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
result = {"status": "ok", "columns": {}}
for t, c in (("customers", "balance"), ("orders", "amount"), ("events", "value")):
    path = os.path.join(rundir, f"pgl-{t}-{c}.csv")
    if not os.path.exists(path):
        result["columns"][f"{t}.{c}"] = {"error": "not exported"}
        result["status"] = "incomplete"
        continue
    theirs = {}
    with open(path, newline="") as fh:
        for row in csv.reader(fh):
            theirs[int(row[0])] = None if row[1] == "" else float(row[1])
    changed = missing = compared = 0
    example = None
    for rid, v in con.execute(f'SELECT id, "{c}" FROM "{t}" ORDER BY id'):
        compared += 1
        if rid not in theirs:
            missing += 1
            continue
        w = theirs[rid]
        if w is None or float(v) != w:
            changed += 1
            if example is None:
                example = {"id": rid, "sqlite": repr(float(v)), "pgloader": repr(w)}
    col = {"compared": compared, "changed": changed, "missing": missing}
    if example:
        col["example"] = example
    result["columns"][f"{t}.{c}"] = col
result["changed_total"] = sum(v.get("changed", 0) for v in result["columns"].values())
with open(out, "w") as fh:
    json.dump(result, fh, indent=2)
PY
  # The column types pgloader chose, for the report.
  psql_db "$DB_PGL" -tAc "SELECT json_object_agg(table_name || '.' || column_name, data_type) FROM information_schema.columns WHERE table_schema = '$PGL_SCHEMA' AND table_name IN ('customers','orders','events')" \
    >"$RUNDIR/pgl-types.json" 2>"$RUNDIR/pgl-types.err" || echo '{}' >"$RUNDIR/pgl-types.json"
fi
psql_db "$DB" -tAc "SELECT json_object_agg(table_name || '.' || column_name, data_type) FROM information_schema.columns WHERE table_schema = 'bench_ours'" \
  >"$RUNDIR/ours-types.json" 2>/dev/null || echo '{}' >"$RUNDIR/ours-types.json"

# --- 6. Report -----------------------------------------------------------------------------
first_line() { "$@" 2>&1 | head -n 1 || true; }
B_JAVA="$(first_line java -version)"
B_PSQL="$(first_line psql --version)"
B_SERVER="$(psql_db "$DB" -tAc 'SHOW server_version' 2>/dev/null || echo unknown)"
B_SQLITE="$(sqlite3 --version | cut -d' ' -f1-2)"
export B_PGLOADER="unavailable"
if [ "$PGLOADER" = available ]; then B_PGLOADER="$(pgloader --version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"; fi
B_NPROC="$(nproc)"
B_MEM_KB="$(awk '/^MemTotal/ {print $2}' /proc/meminfo)"
B_CPU="$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
B_KERNEL="$(uname -sr)"
export B_JAVA B_PSQL B_SERVER B_SQLITE B_NPROC B_MEM_KB B_CPU B_KERNEL
export B_GIT
export B_STAMP="$STAMP" B_ROWS="$ROWS" B_RUNS="$RUNS" B_FILE="$F" B_FILE_BYTES="$FILE_BYTES"
export B_COUNTS="customers=${COUNTS[customers]} orders=${COUNTS[orders]} events=${COUNTS[events]}"
export B_PGLOADER_STATE="$PGLOADER" B_VERIFY="$VERIFY_EXIT" B_OURS_FAILED="$OURS_FAILED"
export B_RUNDIR="$RUNDIR" B_RESULTS="$RESULTS" B_REALCHECK="$REALCHECK"
[ -n "$PREFIX" ] || PREFIX="$OUT/snapshot-$STAMP"
MD="$PREFIX.md"
JSON="$PREFIX.json"
python3 "$HERE/report.py" "$MD" "$JSON" || fail "writing the report failed (raw results: $RESULTS)"
cat "$MD"
log "report: $MD and $JSON (logs: $RUNDIR)"
if [ "$OURS_FAILED" != 0 ] || [ "$VERIFY_EXIT" != 0 ]; then
  log "our snapshot failed or verify found differences"
  exit 1
fi
