#!/usr/bin/env bash
# The main job on the bundled example, end to end on one machine:
#   a copy of examples/shop.db (in data/demo/) keeps being written by a small "application" (the sqlite3
#   program, about 20 transactions a second for 30 s: orders placed, balances moved, customers renamed,
#   orders deleted) while `bin/replicator run` snapshots it into PostgreSQL and streams every change through an
#   embedded Kafka broker. Its status line shows the lag; when the writer stops, lag falls to zero, the
#   replicator is stopped (SIGTERM) and `verify` compares both sides value by value.
# Usage: examples/demo.sh [POSTGRES_URL]   (default: postgresql://postgres@127.0.0.1:5432/postgres, schema shop_demo)
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${1:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}}"
DIR=data/demo
rm -rf "$DIR" && mkdir -p "$DIR"
cp examples/shop.db "$DIR/shop.db"
DB="$DIR/shop.db"
bin/replicator --version >/dev/null   # builds on first use, before anything is timed

# a previous demo's tables and state in this schema are dropped: the demo always starts fresh
psql "$PG" -qc "DROP SCHEMA IF EXISTS shop_demo CASCADE" 2>/dev/null || true
psql "$PG" -qc "DELETE FROM replicator.snapshot_table WHERE target_schema = 'shop_demo'; DELETE FROM replicator.snapshot_run WHERE target_schema = 'shop_demo'; DELETE FROM replicator.sink_position WHERE target_schema = 'shop_demo'" 2>/dev/null || true

bin/replicator run --sqlite "$DB" --postgres "$PG" --schema shop_demo --state-dir "$DIR/state" --status-interval 1s &
RUN=$!
trap 'kill $RUN 2>/dev/null || true' EXIT

sleep 8   # JVM, embedded broker, snapshot
echo "== application writing for 30 s =="
end=$((SECONDS + 30))
n=0
while (( SECONDS < end )); do
  c=$((RANDOM % 500 + 1)); d=$((RANDOM % 500 + 1)); n=$((n + 1))
  sqlite3 "$DB" "PRAGMA busy_timeout=5000;
    BEGIN;
    INSERT INTO orders (customer_id, total, weight_kg, placed_at, receipt) VALUES ($c, $((RANDOM % 1000)).$((RANDOM % 100)), 0.1 * $n, datetime('now'), randomblob(8));
    UPDATE customers SET balance = balance - 1.25 WHERE id = $c;
    UPDATE customers SET balance = balance + 1.25 WHERE id = $d;
    COMMIT;
    UPDATE customers SET name = 'customer $c (seen $n)' WHERE id = $c;
    DELETE FROM orders WHERE id = (SELECT min(id) FROM orders WHERE customer_id = $d);
    INSERT INTO \"audit log\" VALUES (datetime('now'), 'demo write $n');" >/dev/null
  sleep 0.05
done
echo "== application stopped after $n rounds; waiting for lag 0 =="
for _ in $(seq 1 60); do
  lag=$(bin/replicator status --sqlite "$DB" --state-dir "$DIR/state" --postgres "$PG" --schema shop_demo --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("apply_lag_changes"))')
  [[ "$lag" == "0" ]] && break
  sleep 1
done
sleep 2
kill -TERM $RUN; wait $RUN || true
trap - EXIT
bin/replicator status --sqlite "$DB" --state-dir "$DIR/state" --postgres "$PG" --schema shop_demo
bin/replicator verify --sqlite "$DB" --postgres "$PG" --schema shop_demo
