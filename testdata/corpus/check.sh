#!/usr/bin/env bash
# Verifies every file listed in corpus.tsv: present, expected size, SQLite header,
# and PRAGMA integrity_check = ok. Exit 1 on any failure.
#
# Files are opened as immutable URIs so no -wal/-shm/-journal side files are
# created (some corpus files carry a WAL-mode header).
# A file whose schema uses a collation the sqlite3 shell does not know
# (e.g. Anki's "unicase") cannot be integrity-checked by the shell; for those the
# check is repeated with python3's sqlite3 module, registering a case-insensitive
# stand-in for each unknown collation.
set -u
cd "$(dirname "$0")"

command -v sqlite3 >/dev/null || { echo "sqlite3 not found" >&2; exit 1; }

fail=0
n=0
header=$(printf 'SQLite format 3\000' | od -An -tx1 | tr -d ' \n')

py_integrity() {
  python3 - "$1" <<'EOF'
import re, sqlite3, sys
path = sys.argv[1]
con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
sql = "\n".join(s for (s,) in con.execute("select sql from sqlite_master where sql is not null"))
for name in set(re.findall(r'COLLATE\s+"?(\w+)', sql, re.I)):
    if name.upper() not in ("BINARY", "NOCASE", "RTRIM"):
        con.create_collation(name, lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()))
print(con.execute("pragma integrity_check").fetchone()[0])
EOF
}

while IFS=$'\t' read -r file framework repo commit path bytes tables rows features; do
  [ "$file" = "file" ] && continue
  n=$((n + 1))
  if [ ! -f "$file" ]; then
    echo "FAIL $file: missing"; fail=1; continue
  fi
  size=$(wc -c < "$file" | tr -d ' ')
  if [ "$size" != "$bytes" ]; then
    echo "FAIL $file: size $size, expected $bytes"; fail=1; continue
  fi
  got=$(head -c 16 "$file" | od -An -tx1 | tr -d ' \n')
  if [ "$got" != "$header" ]; then
    echo "FAIL $file: no SQLite header"; fail=1; continue
  fi
  res=$(sqlite3 "file:$file?mode=ro&immutable=1" 'PRAGMA integrity_check;' 2>&1)
  note=""
  if [ "$res" != "ok" ] && printf '%s' "$res" | grep -q 'no such collation sequence'; then
    if command -v python3 >/dev/null; then
      res=$(py_integrity "$file" 2>&1)
      note=" (unknown collation; checked via python3)"
    else
      echo "FAIL $file: unknown collation and no python3 to check it: $res"; fail=1; continue
    fi
  fi
  if [ "$res" != "ok" ]; then
    echo "FAIL $file: integrity_check: $(printf '%s' "$res" | head -3 | tr '\n' ' ')"; fail=1; continue
  fi
  echo "ok   $file$note"
done < corpus.tsv

# no side files may be left behind
if ls ./*-wal ./*-shm ./*-journal >/dev/null 2>&1; then
  echo "FAIL: side files present: $(ls ./*-wal ./*-shm ./*-journal 2>/dev/null | tr '\n' ' ')"; fail=1
fi

echo "$n files checked"
exit $fail
