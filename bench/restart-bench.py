#!/usr/bin/env python3
"""Restart -> streaming: how long `run` takes from its process start until the feed streams again.

    python3 bench/restart-bench.py --jar replicator.jar --sqlite examples/shop.db --postgres URL
                                   [--restarts 5] [--work DIR] [--java-opts "-Xmx1g"]

On a copy of the given file (the demo file by default) into a fresh schema: one first start (capture,
snapshot, broker formatted), then RESTARTS starts after a SIGTERM and RESTARTS after a SIGKILL, alternating,
with an application committing about 50 transactions a second the whole time (Python's sqlite3 with a busy
timeout). For every start it prints a line

    result {"figure": "restart", "kind": "first|sigterm|sigkill", "feed_s": F, "replicating_s": R, "jvm_floor_s": J}

feed_s: process start -> the feed's "starts after changelog seq N" (it streams); replicating_s: -> "replicating";
jvm_floor_s: a `--version` run of the same jar just before, the JVM's own start-up on this machine at that moment.
Each start must resume at the position the previous one committed; a start that does not is a failure (exit 1).
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

STARTS_AFTER = re.compile(r"starts after changelog seq (\d+)")


def writer(db, stop, errors):
    c = sqlite3.connect(db, timeout=30)
    i = 0
    while not stop.is_set():
        i += 1
        try:
            c.execute("INSERT INTO bench_writes (v) VALUES (?)", (i,))
            c.execute("UPDATE bench_writes SET v = v + 1 WHERE id = ?", (1 + i // 2,))
            c.commit()
        except sqlite3.Error as e:
            errors.append(str(e))
        time.sleep(0.02)
    c.close()


def timed_start(cmd, until):
    """Starts cmd; returns (process, {mark: seconds}, first seq) once `until` was printed (or the process ended)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    marks, seq, lines = {}, None, []
    for line in p.stdout:
        lines.append(line)
        t = time.monotonic() - t0
        m = STARTS_AFTER.search(line)
        if m and "feed" not in marks:
            marks["feed"], seq = t, int(m.group(1))
        if line.startswith("replicating"):
            marks["replicating"] = t
        if until in marks and "feed" in marks:
            break
    # keep draining the output so the process never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p, marks, seq, lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--sqlite", required=True)
    ap.add_argument("--postgres", required=True)
    ap.add_argument("--restarts", type=int, default=5)
    ap.add_argument("--work", default="bench/work/restart")
    ap.add_argument("--java-opts", default="-Xmx1g")
    a = ap.parse_args()

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    db = os.path.join(a.work, "app.db")
    shutil.copy(a.sqlite, db)
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE IF NOT EXISTS bench_writes (id INTEGER PRIMARY KEY, v INTEGER)")
    c.commit()
    c.close()
    schema = "bench_restart"
    subprocess.run(["psql", "-X", "-q", a.postgres, "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE",
                    "-c", f"DELETE FROM replicator.sink_position WHERE target_schema = '{schema}'",
                    "-c", f"DELETE FROM replicator.snapshot_table WHERE target_schema = '{schema}'",
                    "-c", f"DELETE FROM replicator.snapshot_run WHERE target_schema = '{schema}'"],
                   stderr=subprocess.DEVNULL)
    java = ["java"] + a.java_opts.split()
    cmd = java + ["-jar", a.jar, "run", "--sqlite", db, "--postgres", a.postgres, "--schema", schema,
                  "--state-dir", os.path.join(a.work, "state"), "--http-port", "0", "--status-interval", "60s"]
    stop, errors = threading.Event(), []
    w = threading.Thread(target=writer, args=(db, stop, errors), daemon=True)
    w.start()
    failed = False
    kinds = ["first"] + [k for _ in range(a.restarts) for k in ("sigterm", "sigkill")]
    previous_end_seq = None
    for i, kind in enumerate(kinds):
        t0 = time.monotonic()
        subprocess.run(java + ["-jar", a.jar, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        floor = time.monotonic() - t0
        p, marks, seq, lines = timed_start(cmd, "replicating")
        if "feed" not in marks:
            print(f"start {i} ({kind}) did not stream:\n" + "".join(lines[-15:]), file=sys.stderr)
            failed = True
            p.kill()
            break
        if previous_end_seq is not None and seq < previous_end_seq:
            print(f"start {i} ({kind}) started at seq {seq}, before the {previous_end_seq} the previous process had published", file=sys.stderr)
            failed = True
        print("result " + json.dumps({"figure": "restart", "kind": kind, "feed_s": round(marks["feed"], 3),
                                      "replicating_s": round(marks.get("replicating", -1), 3), "jvm_floor_s": round(floor, 3),
                                      "start_seq": seq}), flush=True)
        time.sleep(3)  # stream for a while
        nxt = kinds[i + 1] if i + 1 < len(kinds) else "sigterm"
        p.send_signal(signal.SIGKILL if nxt == "sigkill" else signal.SIGTERM)
        p.wait(60)
        previous_end_seq = seq
    stop.set()
    w.join(10)
    if errors:
        print(f"the application saw {len(errors)} error(s), e.g. {errors[0]}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
