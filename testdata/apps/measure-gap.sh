#!/bin/bash
# Measures how far a framework application is from working on the PostgreSQL schema the replicator
# builds with `snapshot` (no `run`/`cutover`: no Kafka, no HTTP port).
#
#   measure-gap.sh django|sqlalchemy JAR PG_URL WORKDIR [OPS]
#     JAR     replicator/target/replicator.jar (built elsewhere: mvn -B -q package -DskipTests)
#     PG_URL  postgresql://postgres@127.0.0.1:5432/apps_dev   (schemas <app>_copy and <app>_orm are dropped and recreated)
#
# Steps (outputs in WORKDIR): SQLite via setup_db + workload (seed 1) -> dump -> snapshot into <app>_copy
# -> dump on the copy + dump_diff -> setup_db on an empty <app>_orm + pg_catalog --diff <app>_orm <app>_copy
# -> workload on the copy (seed 2) -> apply_next on the copy. Never fails on a measured difference.
# INTO_EXISTING=1: the ORM's own migrations make <app>_copy first (setup_db), and plan/snapshot run with
# --into-existing (the application's schema is the target; the catalog diff is then 0 by construction).
set -u
APP=$1; JAR=$2; PG=$3; WORK=$4; OPS=${5:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
case "$APP" in django) DIR=$HERE/django_app; P=dj;; sqlalchemy) DIR=$HERE/sqlalchemy_app; P=sa;; *) echo "django|sqlalchemy" >&2; exit 2;; esac
mkdir -p "$WORK"; cd "$WORK" || exit 2
DB=$WORK/$P.db; COPY=${P}_copy; ORM=${P}_orm
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
$PY - "$PG" "$COPY" "$ORM" <<'PYEOF'
import sys, psycopg2
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
c = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=u.username or 'postgres', dbname=u.path.lstrip('/'))
c.autocommit = True
for s in sys.argv[2:]:
    c.cursor().execute('DROP SCHEMA IF EXISTS "%s" CASCADE' % s)
PYEOF
step() { echo "== $*" >&2; }
step "SQLite: setup_db + workload --ops $OPS --seed 1"
APP_DB=sqlite:$DB $PY "$DIR/app.py" setup_db --quiet 2>/dev/null || { echo "setup_db on SQLite failed" >&2; exit 2; }
APP_DB=sqlite:$DB $PY "$DIR/app.py" workload --ops "$OPS" --seed 1 --json > sqlite_workload.json
APP_DB=sqlite:$DB $PY "$DIR/app.py" dump --json > sqlite_dump.json
EXISTING=()
if [ "${INTO_EXISTING:-0}" = 1 ]; then
  step "the ORM's own schema in $COPY (setup_db), to be filled --into-existing"
  APP_DB="$PG?schema=$COPY" $PY "$DIR/app.py" setup_db --quiet 2>/dev/null || { echo "setup_db on PostgreSQL failed" >&2; exit 2; }
  EXISTING=(--into-existing)
fi
step "plan + snapshot into $COPY"
java -jar "$JAR" plan --sqlite "$DB" --postgres "$PG" --schema "$COPY" "${EXISTING[@]}" > plan.txt 2>&1
java -jar "$JAR" snapshot --sqlite "$DB" --postgres "$PG" --schema "$COPY" "${EXISTING[@]}" --rollback-journal=lock --drop > snapshot.txt 2>&1
echo "snapshot exit code $?" >> snapshot.txt
CURL="$PG?schema=$COPY"
step "dump on the copy, compared with SQLite's"
APP_DB=$CURL $PY "$DIR/app.py" dump --json > copy_dump.json 2> copy_dump.err
$PY "$HERE/dump_diff.py" sqlite_dump.json copy_dump.json --examples 1 > dump_diff.txt
step "the ORM's own schema in $ORM, catalog diff"
APP_DB="$PG?schema=$ORM" $PY "$DIR/app.py" setup_db --quiet 2>/dev/null
$PY "$HERE/pg_catalog.py" --db "$PG" --diff "$ORM" "$COPY" --summary > catalog_diff.txt
step "workload on the copy (seed 2)"
APP_DB=$CURL $PY "$DIR/app.py" workload --ops "$OPS" --seed 2 --json > copy_workload.json 2> copy_workload.err
step "apply_next on the copy"
APP_DB=$CURL $PY "$DIR/app.py" apply_next > apply_next.txt 2>&1
echo "apply_next exit code $?" >> apply_next.txt
step "done: $WORK"
$PY - <<'PYEOF'
import json
w = json.load(open('copy_workload.json'))
s = json.load(open('sqlite_workload.json'))
print('workload on SQLite: %d ops, %d errors' % (s['ops'], s['errors']))
print('workload on the copy: %d ops, %d errors' % (w['ops'], w['errors']))
for k, n in sorted(w['error_kinds'].items(), key=lambda kv: (-kv[1], kv[0])):
    print('  %5d  %s' % (n, k))
PYEOF
echo "dump differences: $(grep -c . dump_diff.txt) line(s) (dump_diff.txt)"
grep '^-- ' catalog_diff.txt | head -1
tail -1 apply_next.txt
