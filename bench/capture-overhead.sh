#!/usr/bin/env bash
# Capture overhead on the application's writes, measured with the machine's sqlite3 (the application's
# library stand-in): the same workload with capture off and on.
#   bench/capture-overhead.sh [--rows N] [--single N] [--runs K] [--out PREFIX]
# Each run measures all four cases (bulk/single x off/on) one after the other, so both sides of a ratio
# see the same machine load. Writes PREFIX.md and PREFIX.json (default bench/out/capture-STAMP).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS=500000; SINGLE=2000; RUNS=3; PREFIX=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2;; --single) SINGLE="$2"; shift 2;; --runs) RUNS="$2"; shift 2;;
    --out) PREFIX="$2"; shift 2;;
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
RAW="$WORK/runs.tsv"
printf 'run\tworkload\tcapture\tseconds\n' > "$RAW"
for run in $(seq 1 "$RUNS"); do
  for mode in bulk single; do
    for cap in off on; do
      printf '%s\t%s\t%s\t%s\n' "$run" "$mode" "$cap" "$(measure $cap $mode)" >> "$RAW"
    done
  done
done
STAMP=$(date +%Y%m%d-%H%M%S)
[ -n "$PREFIX" ] || PREFIX="$ROOT/bench/out/capture-$STAMP"
python3 - "$RAW" "$PREFIX" "$ROWS" "$SINGLE" "$RUNS" "$STAMP" "$(sqlite3 --version | cut -d' ' -f1)" "$(nproc)" <<'PY'
import csv, json, statistics, sys
raw, prefix, rows, single, runs, stamp, sqlite_version, nproc = sys.argv[1:9]
by = {}
for r in csv.DictReader(open(raw), delimiter="\t"):
    by.setdefault((r["workload"], r["capture"]), []).append(float(r["seconds"]))
def spread(xs):
    return {"median": round(statistics.median(xs), 4), "min": round(min(xs), 4), "max": round(max(xs), 4), "runs": [round(x, 4) for x in xs]}
out = {"date": stamp, "sqlite3": sqlite_version, "runs": int(runs), "workloads": {}}
labels = {"bulk": f"bulk insert, {int(rows):,} rows in one transaction", "single": f"{int(single):,} single-row autocommit inserts"}
for w in ("bulk", "single"):
    off, on = by[(w, "off")], by[(w, "on")]
    ratios = [b / a for a, b in zip(off, on)]  # per run: both measured back to back
    out["workloads"][w] = {"label": labels[w], "off_seconds": spread(off), "on_seconds": spread(on),
                           "ratio_of_medians": round(statistics.median(on) / statistics.median(off), 3),
                           "ratio_per_run": spread(ratios)}
json.dump(out, open(prefix + ".json", "w"), indent=2)
md = [f"# Capture overhead {stamp}", "",
      f"sqlite3 {sqlite_version}, {nproc} cores; WAL, synchronous=NORMAL; median (min–max) of {runs} runs, off and on measured back to back in each run.", "",
      "| workload | capture off (s) | capture on (s) | on / off (median) | on / off per run (min–max) |", "|---|---|---|---|---|"]
for w, v in out["workloads"].items():
    o, n, rr = v["off_seconds"], v["on_seconds"], v["ratio_per_run"]
    md.append(f"| {v['label']} | {o['median']:.3f} ({o['min']:.3f}–{o['max']:.3f}) | {n['median']:.3f} ({n['min']:.3f}–{n['max']:.3f}) "
              f"| {v['ratio_of_medians']:.2f} | {rr['min']:.2f}–{rr['max']:.2f} |")
open(prefix + ".md", "w").write("\n".join(md) + "\n")
PY
cat "$PREFIX.md"
