#!/usr/bin/python3
"""An application writing a SQLite file at a steady rate, counting the transactions that fail.

    /usr/bin/python3 bench/sqlite_busy_writer.py DB --style A|B|C [--rate 200] [--hold-ms 0] [--log FILE] [--stop-file F]

Each transaction reads, then writes (the read-then-write shape of ORM code):
    SELECT n FROM bench_counter WHERE id = 1;  INSERT INTO bench_item ...;  UPDATE bench_counter SET n = n + 1 ...

  style A  Python's sqlite3 defaults: sqlite3.connect(DB) (timeout 5 s, isolation_level ''): the module opens
           a deferred transaction by itself before the INSERT, after the SELECT ran in autocommit.
  style B  Django's shape: isolation_level=None, timeout 20 s, an explicit BEGIN (deferred, what atomic() and
           Model.save() issue on SQLite up to Django 5.0) before the SELECT, so the INSERT must upgrade a read
           transaction to a write transaction.
  style C  style B with BEGIN IMMEDIATE (what docs/operations-sqlite.md recommends; Django 5.1
           OPTIONS transaction_mode=IMMEDIATE).

Runs until SIGTERM/SIGINT or until --stop-file exists. Every failed transaction is one JSON line in --log:
{"t": epoch seconds, "kind": "busy"|"fenced"|"other", "error": "<class>: <message> [<sqlite error name>]"};
every second one line {"t": ..., "tick": committed_so_far, "failed": failed_so_far}. On exit a summary line
{"summary": ...} is printed on stdout and appended to the log.
"""
import argparse
import json
import os
import signal
import sqlite3
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("db")
ap.add_argument("--style", choices=["A", "B", "C"], required=True)
ap.add_argument("--rate", type=float, default=200.0)
ap.add_argument("--hold-ms", type=float, default=0.0, help="keep the write lock this long in each transaction (a slower application)")
ap.add_argument("--log", default=None)
ap.add_argument("--stop-file", default=None)
ap.add_argument("--setup", action="store_true", help="create the two tables (rollback journal), then exit")
args = ap.parse_args()

if args.setup:
    c = sqlite3.connect(args.db, isolation_level=None)
    c.executescript("""
        CREATE TABLE IF NOT EXISTS bench_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
        INSERT OR IGNORE INTO bench_counter VALUES (1, 0);
        CREATE TABLE IF NOT EXISTS bench_item (id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE, v INTEGER, at REAL);
    """)
    c.close()
    sys.exit(0)

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)

if args.style == "A":
    conn = sqlite3.connect(args.db)  # every default: timeout=5.0, isolation_level='' (implicit deferred BEGIN before DML)
else:
    conn = sqlite3.connect(args.db, timeout=20, isolation_level=None)  # Django: autocommit driver, its own BEGIN

log = open(args.log, "a", buffering=1) if args.log else None
pid = os.getpid()
committed = failed = 0
kinds = {}
errors = {}


def one_tx(i):
    cur = conn.cursor()
    if args.style != "A":
        cur.execute("BEGIN IMMEDIATE" if args.style == "C" else "BEGIN")
    n = cur.execute("SELECT n FROM bench_counter WHERE id = 1").fetchone()[0]
    cur.execute("INSERT INTO bench_item (k, v, at) VALUES (?, ?, ?)", (f"{pid}-{i}", n, time.time()))
    cur.execute("UPDATE bench_counter SET n = n + 1 WHERE id = 1")
    if args.hold_ms:
        time.sleep(args.hold_ms / 1000)
    if args.style != "A":
        cur.execute("COMMIT")
    else:
        conn.commit()


def classify(e):
    msg = str(e)
    name = getattr(e, "sqlite_errorname", "") or ""
    if "moved to PostgreSQL" in msg or "writes are refused" in msg:
        return "fenced"  # the cutover's write fence refusing a write: by design
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "database is locked" in msg:
        return "busy"
    return "other"


period = 1.0 / args.rate
start = time.monotonic()
next_tick = time.time() + 1
i = 0
while not stop:
    if args.stop_file and i % 50 == 0 and os.path.exists(args.stop_file):
        break
    due = start + i * period
    delay = due - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    elif delay < -1.0:  # more than a second behind (a long wait on a lock): do not burst to catch up
        start += -delay
    try:
        one_tx(i)
        committed += 1
    except sqlite3.Error as e:
        try:
            if args.style != "A":
                conn.execute("ROLLBACK") if conn.in_transaction else None
            else:
                conn.rollback()
        except sqlite3.Error:
            pass
        failed += 1
        kind = classify(e)
        kinds[kind] = kinds.get(kind, 0) + 1
        text = f"{type(e).__name__}: {e}" + (f" [{e.sqlite_errorname}]" if getattr(e, "sqlite_errorname", None) else "")
        errors[text] = errors.get(text, 0) + 1
        if log:
            log.write(json.dumps({"t": time.time(), "kind": kind, "error": text}) + "\n")
    i += 1
    if log and time.time() >= next_tick:
        next_tick += 1
        log.write(json.dumps({"t": time.time(), "tick": committed, "failed": failed}) + "\n")

elapsed = time.monotonic() - start
summary = {"summary": {"style": args.style, "committed": committed, "failed": failed, "kinds": kinds, "errors": errors,
                       "seconds": round(elapsed, 1), "rate": round(committed / elapsed, 1) if elapsed > 0 else 0}}
if log:
    log.write(json.dumps(summary) + "\n")
print(json.dumps(summary))
