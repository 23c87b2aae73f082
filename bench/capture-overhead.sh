#!/usr/bin/env bash
# Capture overhead on the application's writes, measured with the machine's sqlite3 (the application's
# library stand-in): the same workload with capture off and on.
#   bench/capture-overhead.sh [--rows N] [--single N] [--runs K]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS=500000; SINGLE=2000; RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2;; --single) SINGLE="$2"; shift 2;; --runs) RUNS="$2"; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
WORK="$ROOT/bench/work/capture"; mkdir -p "$WORK" "$ROOT/bench/out"
"$ROOT/bin/replicator" --help >/dev/null
SCHEMA="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER, payload BLOB);"
BULK="BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $ROWS) INSERT INTO items (name, price, qty, payload) SELECT 'item ' || i, i * 0.37, i % 100, randomblob(16) FROM n; COMMIT;"
single_sql() { for i in $(seq 1 "$SINGLE"); do echo "INSERT INTO items (name, price, qty) VALUES ('s$i', $i.5, $i);"; done; }
single_sql > "$WORK/single.sql"

now() { date +%s.%N; }
measure() { # $1 = off|on, $2 = bulk|single -> seconds
  local f="$WORK/$1-$2.db"; rm -f "$f" "$f-wal" "$f-shm"
  sqlite3 "$f" "$SCHEMA" >/dev/null
  if [ "$1" = on ]; then "$ROOT/bin/replicator" install --sqlite "$f" >/dev/null; fi
  local t0 t1
  if [ "$2" = bulk ]; then t0=$(now); sqlite3 "$f" "$BULK"; t1=$(now)
  else t0=$(now); sqlite3 "$f" < "$WORK/single.sql"; t1=$(now); fi
  if [ "$1" = on ]; then
    local n; n=$(sqlite3 "$f" "SELECT count(*) FROM _replicator_changelog")
    local want=$([ "$2" = bulk ] && echo "$ROWS" || echo "$SINGLE")
    [ "$n" = "$want" ] || { echo "changelog holds $n rows, expected $want" >&2; exit 1; }
  fi
  python3 -c "print($t1 - $t0)"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A R
for mode in bulk single; do
  for cap in off on; do
    R[$mode-$cap]=$(for _ in $(seq 1 "$RUNS"); do measure $cap $mode; done | median)
  done
done
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$ROOT/bench/out/capture-$STAMP.md"
{
  echo "# Capture overhead $STAMP"
  echo
  echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(nproc) cores; WAL, synchronous=NORMAL; median of $RUNS runs."
  echo
  echo "| workload | capture off (s) | capture on (s) | ratio |"
  echo "|---|---|---|---|"
  printf "| bulk insert, %d rows in one transaction | %.3f | %.3f | %.2f |\n" "$ROWS" "${R[bulk-off]}" "${R[bulk-on]}" "$(python3 -c "print(${R[bulk-on]} / ${R[bulk-off]})")"
  printf "| %d single-row autocommit inserts | %.3f | %.3f | %.2f |\n" "$SINGLE" "${R[single-off]}" "${R[single-on]}" "$(python3 -c "print(${R[single-on]} / ${R[single-off]})")"
} | tee "$OUT"
