#!/usr/bin/env python3
"""Turn the raw results of bench/snapshot-bench.sh into the markdown and JSON report.

    python3 bench/report.py OUT.md OUT.json

Everything else comes from B_* environment variables set by snapshot-bench.sh.
"""
import csv
import json
import os
import statistics
import sys


def env(name, default=""):
    return os.environ.get(name, default)


def load_json(path, default):
    try:
        with open(path) as fh:
            text = fh.read().strip()
        return json.loads(text) if text else default
    except (OSError, ValueError):
        return default


def main():
    md_path, json_path = sys.argv[1:3]
    rows = int(env("B_ROWS"))
    file_bytes = int(env("B_FILE_BYTES"))
    rundir = env("B_RUNDIR")

    runs = {}
    with open(env("B_RESULTS"), newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            runs.setdefault(r["tool"], []).append(
                {"run": int(r["run"]), "seconds": float(r["seconds"]),
                 "rss_kb": int(r["rss_kb"] or 0), "exit": int(r["exit"]),
                 "cpu_busy_before_percent": float(r.get("busy_before") or 0)})

    # The replicator's own figure (time inside the JVM, without start-up), per run.
    ours_internal = []
    for r in runs.get("ours", []):
        rep = load_json(os.path.join(rundir, f"ours-{r['run']}.out"), {})
        if isinstance(rep, dict) and isinstance(rep.get("seconds"), (int, float)):
            r["reported_seconds"] = rep["seconds"]
            r["problems"] = rep.get("problems", [])
            ours_internal.append(rep["seconds"])

    tools = {}
    for tool in ("ours", "pgloader", "floor"):
        rs = runs.get(tool, [])
        ok = [r for r in rs if r["exit"] == 0]
        t = {"runs": rs, "runs_ok": len(ok), "runs_failed": len(rs) - len(ok)}
        if tool == "pgloader" and env("B_PGLOADER_STATE") != "available":
            t["status"] = "unavailable"
        elif not ok:
            t["status"] = "failed" if rs else "not run"
        else:
            secs = [r["seconds"] for r in ok]
            med = statistics.median(secs)
            t.update({
                "status": "ok",
                "median_seconds": round(med, 3),
                "min_seconds": round(min(secs), 3),
                "max_seconds": round(max(secs), 3),
                "rows_per_second": round(rows / med) if med > 0 else None,
                "mb_per_second": round(file_bytes / 1e6 / med, 2) if med > 0 else None,
                "peak_rss_kb": max(r["rss_kb"] for r in ok),
            })
        tools[tool] = t
    if ours_internal:
        tools["ours"]["median_reported_seconds"] = round(statistics.median(ours_internal), 3)

    def ratio(a, b):
        ta, tb = tools[a], tools[b]
        if ta.get("status") == "ok" and tb.get("status") == "ok" and tb["median_seconds"] > 0:
            return round(ta["median_seconds"] / tb["median_seconds"], 2)
        return None

    realcheck = load_json(env("B_REALCHECK"), {"status": "unavailable"})
    report = {
        "date": env("B_STAMP"),
        "commit": env("B_GIT"),
        "machine": {"nproc": int(env("B_NPROC", "0")), "memory_kb": int(env("B_MEM_KB", "0")),
                    "cpu": env("B_CPU"), "kernel": env("B_KERNEL")},
        "versions": {"java": env("B_JAVA"), "psql": env("B_PSQL"), "postgresql_server": env("B_SERVER"),
                     "sqlite3": env("B_SQLITE"), "pgloader": env("B_PGLOADER")},
        "data": {"file": env("B_FILE"), "file_bytes": file_bytes, "rows": rows, "tables": env("B_COUNTS"),
                 "runs": int(env("B_RUNS"))},
        "tools": tools,
        "ratios": {"pgloader_over_ours": ratio("pgloader", "ours"), "ours_over_floor": ratio("ours", "floor")},
        "correctness": {
            "ours_verify_exit": env("B_VERIFY"),
            "ours_failed": env("B_OURS_FAILED") != "0",
            "pgloader_real_check": realcheck,
            "pgloader_column_types": load_json(os.path.join(rundir, "pgl-types.json"), {}),
            "ours_column_types": load_json(os.path.join(rundir, "ours-types.json"), {}),
        },
        "logs": rundir,
    }
    with open(json_path, "w") as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")

    def fmt(v, unit=""):
        return "–" if v is None else f"{v}{unit}"

    mem_gb = int(env("B_MEM_KB", "0")) / 1024 / 1024
    out = []
    out.append(f"# Snapshot benchmark {env('B_STAMP')}\n")
    out.append(f"Commit `{env('B_GIT')}`; {int(env('B_RUNS'))} run(s) per tool; wall-clock seconds, end to end.\n")
    out.append("## Machine and versions\n")
    out.append(f"- CPU: {env('B_CPU')} — {env('B_NPROC')} cores (nproc); memory {mem_gb:.1f} GiB; {env('B_KERNEL')}")
    out.append(f"- Java: {env('B_JAVA')}")
    out.append(f"- PostgreSQL: server {env('B_SERVER')}; client {env('B_PSQL')}")
    out.append(f"- sqlite3: {env('B_SQLITE')}")
    out.append(f"- pgloader: {env('B_PGLOADER')}\n")
    out.append("## Data\n")
    out.append(f"- File: `{env('B_FILE')}`, {file_bytes:,} bytes ({file_bytes / 1e6:.1f} MB), WAL mode")
    out.append(f"- Rows: {rows:,} ({env('B_COUNTS')})\n")
    out.append("## Results\n")
    out.append("| tool | runs ok | median s | min s | max s | rows/s | MB/s | peak RSS (KB) |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    names = {"ours": "replicator snapshot", "pgloader": "pgloader", "floor": "floor (sqlite3 csv \\| psql \\copy)"}
    for tool in ("ours", "pgloader", "floor"):
        t = tools[tool]
        if t["status"] != "ok":
            out.append(f"| {names[tool]} | {t['status']} ({t['runs_ok']}/{len(t['runs'])}) | – | – | – | – | – | – |")
            continue
        out.append(f"| {names[tool]} | {t['runs_ok']}/{len(t['runs'])} | {t['median_seconds']:.2f} | "
                   f"{t['min_seconds']:.2f} | {t['max_seconds']:.2f} | {t['rows_per_second']:,} | "
                   f"{t['mb_per_second']:.1f} | {t['peak_rss_kb']:,} |")
    out.append("")
    out.append(f"- pgloader / ours (median): **{fmt(report['ratios']['pgloader_over_ours'])}**"
               " (above 1: ours is faster)")
    out.append(f"- ours / floor (median): **{fmt(report['ratios']['ours_over_floor'])}**"
               " (how far ours is from a plain lossy CSV copy)")
    if "median_reported_seconds" in tools["ours"]:
        out.append(f"- ours, as reported by the tool itself (no JVM start-up): median "
                   f"{tools['ours']['median_reported_seconds']:.2f} s")
    out.append("")
    out.append("## Correctness\n")
    v = env("B_VERIFY")
    out.append(f"- `replicator verify` on bench_ours: exit {v} ({'equal' if v == '0' else 'NOT equal or failed'})")
    if realcheck.get("status") in ("ok", "incomplete"):
        out.append(f"- REAL values pgloader changed: **{realcheck.get('changed_total')}** in total")
        for col, c in realcheck.get("columns", {}).items():
            if "error" in c:
                out.append(f"  - {col}: {c['error']}")
                continue
            line = f"  - {col}: {c['changed']:,} of {c['compared']:,} changed"
            if c.get("missing"):
                line += f", {c['missing']:,} missing"
            if c.get("example"):
                e = c["example"]
                line += f" (e.g. id {e['id']}: {e['sqlite']} became {e['pgloader']})"
            out.append(line)
        types = report["correctness"]["pgloader_column_types"]
        if types:
            real_types = ", ".join(f"{k} → {types.get(k, '?')}" for k in
                                   ("customers.balance", "orders.amount", "events.value",
                                    "customers.credit", "orders.payload", "customers.created"))
            out.append(f"- pgloader's column types: {real_types}")
    else:
        out.append("- REAL values pgloader changed: unavailable (pgloader did not run)")
    busy = [f"{tool} {r['run']}: {r['cpu_busy_before_percent']:.0f}%" for tool in tools for r in tools[tool]["runs"]]
    if busy:
        out.append(f"- CPU busy in the second before each run (other work on the machine; near 0 is clean):"
                   f" {'; '.join(busy)}")
    failed = [f"{tool} run {r['run']} (exit {r['exit']})" for tool in tools for r in tools[tool]["runs"] if r["exit"]]
    if failed:
        out.append(f"- Failed runs: {', '.join(failed)}; logs in `{rundir}`")
    out.append("")
    out.append("Figures: wall seconds from start to exit of the command (JVM start-up included for ours);"
               " rows/s = source rows / median s; MB/s = SQLite file size / median s; peak RSS = the largest"
               " resident set of any one process of the command (GNU time), PostgreSQL's own memory not"
               " included. See bench/README.md.\n")
    with open(md_path, "w") as fh:
        fh.write("\n".join(out))


if __name__ == "__main__":
    main()
