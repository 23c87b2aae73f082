#!/usr/bin/env python3
"""Gather what bench/all.sh measured into one report, markdown and JSON.

    python3 bench/all_report.py --rundir DIR --root REPO --md OUT.md --json OUT.json --svg NAME
                                --wall SECONDS --prep-ok 0|1 --pg HOST:PORT:USER:DB

Reads from DIR: settings.json, status.tsv (each command's exit code and time), results.jsonl (the
Java benches' result lines), snapshot.json (bench/snapshot-bench.sh), capture.json
(bench/capture-overhead.sh), verify-*.out. Every figure is given as median and min-max over the
runs that produced it. A part that failed, or a figure that is missing, is listed under Failures,
and the exit code is 1.
"""
import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess


def sh(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (r.stdout + r.stderr).strip()
    except (OSError, subprocess.SubprocessError) as e:
        return f"unavailable ({e.__class__.__name__})"


def load_json(path, default=None):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return default


def spread(values):
    """Median and range of the values that exist; None when there are none."""
    xs = [v for v in values if isinstance(v, (int, float))]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs), "values": xs}


def ratio_spread(pairs):
    """Per-run ratios a/b of peers measured in the same run, and the ratio of the medians."""
    ok = [(a, b) for a, b in pairs if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0]
    if not ok:
        return None
    r = spread([a / b for a, b in ok])
    r["ratio_of_medians"] = statistics.median([a for a, _ in ok]) / statistics.median([b for _, b in ok])
    return r


def show(s, digits=1, unit=""):
    """'12.3 (10.1–14.0)' or '12.3 (1 run)' or '–'."""
    if not s:
        return "–"
    f = lambda v: f"{v:,.{digits}f}"
    if s["n"] == 1:
        return f"{f(s['median'])}{unit} (1 run)"
    return f"{f(s['median'])}{unit} ({f(s['min'])}–{f(s['max'])})"


def machine(rundir, pg):
    host, port, user, db = pg.split(":")
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    psql = ["psql", "-X", "-h", host, "-p", port, "-U", user, "-d", db, "-tAc"]
    disks = {}
    for label, path in (("bench/work", os.path.join(os.path.dirname(rundir))),
                        ("postgresql data", sh(psql + ["SHOW data_directory"]))):
        try:
            u = shutil.disk_usage(path)
            disks[label] = {"path": path, "free_gb": round(u.free / 1e9, 1), "total_gb": round(u.total / 1e9, 1)}
        except OSError:
            disks[label] = {"path": path, "free_gb": None}
    return {
        "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
        "kernel": " ".join(os.uname()[i] for i in (0, 2)), "disk": disks,
        "load_average_at_report": open("/proc/loadavg").read().split()[:3],
    }


def versions(root, pg):
    host, port, user, db = pg.split(":")
    pom = open(os.path.join(root, "pom.xml")).read()
    prop = lambda name: (re.search(rf"<{name}>([^<]+)</{name}>", pom) or [None, "?"])[1]
    pgloader = sh(["pgloader", "--version"]).splitlines()
    return {
        "java": sh(["java", "-version"]).splitlines()[0],
        "postgresql_server": sh(["psql", "-X", "-h", host, "-p", port, "-U", user, "-d", db, "-tAc", "SHOW server_version"]),
        "sqlite3_cli": sh(["sqlite3", "--version"]).split(" ")[0],
        "sqlite_jdbc": prop("sqlite-jdbc.version"),
        "pgloader": pgloader[0] if pgloader else "unavailable",
        "kafka": prop("kafka.version"),
        "debezium": prop("debezium.version"),
    }


def main():
    ap = argparse.ArgumentParser()
    for a in ("--rundir", "--root", "--md", "--json", "--svg", "--wall", "--prep-ok", "--pg"):
        ap.add_argument(a, required=True)
    a = ap.parse_args()
    rd = a.rundir
    settings = load_json(os.path.join(rd, "settings.json"), {})
    runs = settings.get("runs", 0)
    parts = settings.get("parts", [])
    status = list(csv.DictReader(open(os.path.join(rd, "status.tsv")), delimiter="\t"))
    results = [json.loads(l) for l in open(os.path.join(rd, "results.jsonl")) if l.strip()]
    failures = []

    if a.prep_ok != "1":
        failures.append({"part": "preparation", "what": "PostgreSQL or the build was not ready; nothing ran",
                         "log": os.path.join(rd, "build.log")})
    def why(log):
        """The bench's own words about a failure: its "failed: ..." lines, else the uncaught exception."""
        try:
            lines = open(log, errors="replace").read().splitlines()
        except OSError:
            return []
        said = [l for l in lines if l.startswith("failed: ")]
        return said or [l for l in lines if l.startswith("Exception in thread") or l.startswith("bench: error")][-1:]

    for s in status:
        if s["exit"] != "0":
            what = f"exit {s['exit']}" + (" (timed out)" if s["exit"] in ("124", "137") else "")
            said = why(s["log"])
            failures.append({"part": s["part"], "run": s["run"], "what": what + ("; " + "; ".join(said) if said else ""), "log": s["log"]})

    def res(part, figure, **match):
        return [r for r in results if r["part"] == part and r["figure"] == figure and all(r.get(k) == v for k, v in match.items())]

    def need(part, figure, label, **match):
        """The results of a figure; a run that produced none is a failure (unless the whole part is already failed)."""
        got = res(part, figure, **match)
        have = {r["run"] for r in got}
        for run in range(1, runs + 1) if part not in ("burst", "restart") else [1]:
            if run not in have and not any(f.get("part") == part and f.get("run") == str(run) for f in failures):
                failures.append({"part": part, "run": str(run), "what": f"no result for {label}", "log": os.path.join(rd, f"{part}-{run}.out")})
        return got

    figures = {}

    # Snapshot
    if "snapshot" in parts:
        snap = load_json(os.path.join(rd, "snapshot.json"))
        if snap:
            rows, mb = snap["data"]["rows"], snap["data"]["file_bytes"] / 1e6
            tools = {}
            for tool, t in snap["tools"].items():
                ok = [r for r in t.get("runs", []) if r["exit"] == 0]
                tools[tool] = {"status": t["status"], "runs_ok": len(ok), "runs": len(t.get("runs", [])),
                               "seconds": spread([r["seconds"] for r in ok]),
                               "rows_per_s": spread([rows / r["seconds"] for r in ok]),
                               "mb_per_s": spread([mb / r["seconds"] for r in ok]),
                               "peak_rss_mb": spread([r["rss_kb"] / 1024 for r in ok])}
                if t["status"] != "ok":
                    failures.append({"part": "snapshot", "what": f"{tool}: {t['status']}", "log": snap.get("logs")})
            per_run = lambda tool: {r["run"]: r["seconds"] for r in snap["tools"].get(tool, {}).get("runs", []) if r["exit"] == 0}
            o, p, f = per_run("ours"), per_run("pgloader"), per_run("floor")
            figures["snapshot"] = {
                "file": snap["data"]["file"], "rows": rows, "file_mb": round(mb, 1), "tools": tools,
                "pgloader_over_ours": ratio_spread([(p.get(r), o.get(r)) for r in o]),
                "ours_over_floor": ratio_spread([(o.get(r), f.get(r)) for r in o]),
                "verify_exit": snap["correctness"]["ours_verify_exit"],
                "pgloader_real_values_changed": snap["correctness"]["pgloader_real_check"].get("changed_total"),
                "report": os.path.join(rd, "snapshot.md"),
            }
            if str(snap["correctness"]["ours_verify_exit"]) != "0":
                failures.append({"part": "snapshot", "what": f"verify of our copy exited {snap['correctness']['ours_verify_exit']}", "log": snap.get("logs")})
        elif not any(f["part"] == "snapshot" for f in failures):
            failures.append({"part": "snapshot", "what": "no report", "log": os.path.join(rd, "snapshot.log")})

    # Verify vs count floor
    if "verify" in parts:
        def rss(path):
            try:
                m = re.findall(r"peak_rss_kb=(\d+)", open(path, errors="replace").read())
                return int(m[-1]) / 1024 if m else None
            except OSError:
                return None
        v = {s["run"]: float(s["seconds"]) for s in status if s["part"] == "verify" and s["exit"] == "0"}
        fl = {s["run"]: float(s["seconds"]) for s in status if s["part"] == "verify-floor" and s["exit"] == "0"}
        figures["verify"] = {
            "verify_seconds": spread(list(v.values())), "floor_seconds": spread(list(fl.values())),
            "verify_peak_rss_mb": spread([rss(os.path.join(rd, f"verify-{r}.out")) for r in v]),
            "verify_over_floor": ratio_spread([(v.get(r), fl.get(r)) for r in v]),
        }

    # Capture overhead
    if "capture" in parts:
        cap = load_json(os.path.join(rd, "capture.json"))
        if cap:
            figures["capture"] = cap
        elif not any(f["part"] == "capture" for f in failures):
            failures.append({"part": "capture", "what": "no report", "log": os.path.join(rd, "capture.log")})

    # Feed alone
    if "feed" in parts:
        lat = need("feed", "latency", "feed latency")
        thr = need("feed", "throughput", "feed throughput")
        figures["feed"] = {
            "offered_tx_per_s": lat[0]["offered_tx_per_s"] if lat else None,
            **{k: spread([r[k] for r in lat]) for k in ("achieved_tx_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms")},
            "publish_row_changes_per_s": spread([r["row_changes_per_s"] for r in thr]),
            "publish_sustained_row_changes_per_s": spread([r["sustained_row_changes_per_s"] for r in thr]),
        }

    # Streaming
    if "stream" in parts:
        apply = need("stream", "apply", "sink apply")
        figures["apply"] = {"row_changes": apply[0]["row_changes"] if apply else None,
                            "row_changes_per_s": spread([r["row_changes_per_s"] for r in apply])}
        rates = [int(x) for x in re.search(r"--rates (\S+)", settings.get("stream_args", "")).group(1).split(",")]
        figures["latency"] = []
        for rate in rates:
            got = need("stream", "lag", f"end-to-end latency at {rate} tx/s", offered_tx_per_s=rate)
            row = {"offered_tx_per_s": rate, **{k: spread([r[k] for r in got]) for k in
                   ("achieved_tx_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms", "zero_lag_after_ms")}}
            row["offered_load_reached"] = all(r["achieved_tx_per_s"] >= 0.95 * rate for r in got) if got else None
            figures["latency"].append(row)
        mr = need("stream", "max_rate", "maximum sustained rate")
        figures["max_rate"] = {"tx_per_s": spread([r["max_sustained_tx_per_s"] for r in mr]),
                               "limited_by": [r["limited_by"] for r in mr],
                               "steps": {r["run"]: r["steps"] for r in mr},
                               "step_seconds": mr[0]["step_seconds"] if mr else None}
        figures["cutover"] = []
        for mode in ("none", "full"):
            got = need("stream", "cutover", f"cutover (verify {mode})", verify=mode)
            for r in got:
                if not r["done"]:
                    failures.append({"part": "stream", "run": str(r["run"]), "what": f"cutover (verify {mode}) aborted: {r['reason']}",
                                     "log": os.path.join(rd, f"stream-{r['run']}.out")})
            figures["cutover"].append({"verify": mode, "table_rows": got[0]["table_rows"] if got else None,
                                       "writer_tx_per_s": got[0]["writer_tx_per_s"] if got else None,
                                       "write_pause_ms": spread([r["write_pause_ms"] for r in got if r["done"]]),
                                       "writes_refused": spread([r["writes_refused"] for r in got if r["done"]])})

    # Restart -> streaming
    if "restart" in parts:
        got = need("restart", "restart", "restart timings")
        figures["restart"] = {}
        for kind in ("first", "sigterm", "sigkill"):
            rs = [r for r in got if r["kind"] == kind]
            figures["restart"][kind] = {"starts": len(rs), "feed_s": spread([r["feed_s"] for r in rs]),
                                        "replicating_s": spread([r["replicating_s"] for r in rs]),
                                        "jvm_floor_s": spread([r["jvm_floor_s"] for r in rs])}

    # Burst
    if "burst" in parts:
        got = need("burst", "burst", "the burst run")
        svg = os.path.join(os.path.dirname(a.md), a.svg)
        figures["burst"] = dict(got[0]) if got else {}
        figures["burst"]["svg"] = a.svg if os.path.exists(svg) else None
        if got and not os.path.exists(svg):
            failures.append({"part": "burst", "what": "the plot was not written", "log": os.path.join(rd, "plot.log")})

    report = {
        "date": settings.get("stamp"), "command": settings.get("command"), "mode": settings.get("mode"), "runs": runs,
        "wall_seconds": int(a.wall),
        "commit": sh(["git", "-C", a.root, "rev-parse", "--short", "HEAD"]) + ("" if not sh(["git", "-C", a.root, "status", "--porcelain", "--untracked-files=no"]) else "+changes"),
        "machine": machine(rd, a.pg), "versions": versions(a.root, a.pg), "settings": settings,
        "figures": figures, "failures": failures, "status": [dict(s) for s in status], "logs": rd,
    }
    with open(a.json, "w") as fh:
        json.dump(report, fh, indent=2, default=str)
        fh.write("\n")
    with open(a.md, "w") as fh:
        fh.write(markdown(report))
    return 1 if failures else 0


def markdown(r):
    m, v, f = r["machine"], r["versions"], r["figures"]
    out = [f"# Benchmark report {r['date']}", ""]
    quick = r["mode"] == "quick"
    out.append(f"`{r['command']}` — {r['mode']} mode, {r['runs']} run(s) per figure, wall time {r['wall_seconds']} s, commit `{r['commit']}`.")
    if quick:
        out.append("")
        out.append("**Quick mode: tiny sizes and short durations, to check the harness. These figures say nothing about performance.**")
    out.append("")
    out.append(f"Every figure: median (min–max) over the runs. Peers (ours / pgloader / floor, verify / count floor, capture on / off) "
               f"are measured in the same run, one after the other; their ratio is the median of the per-run ratios (min–max). "
               f"See bench/README.md for what each figure means.")
    out.append("")
    if r["failures"]:
        out.append("## Failures")
        out.append("")
        for x in r["failures"]:
            run = f" run {x['run']}" if x.get("run") not in (None, "all", "-") else ""
            out.append(f"- **{x['part']}{run}**: {x['what']} (log: `{x.get('log')}`)")
        out.append("")
    out.append("## Machine and versions")
    out.append("")
    out.append(f"- {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GiB RAM, {m['kernel']}")
    out.append("- disk free: " + "; ".join(f"{k} {d.get('free_gb')} GB of {d.get('total_gb')} GB (`{d.get('path')}`)" for k, d in m["disk"].items()))
    loads = [f"{s['part']} {s['run']}: {s['load1']}" for s in r["status"] if s["part"] not in ("build",)]
    if loads:
        out.append(f"- load average (1 min) at the start of each part — above 0 means other work was running: {'; '.join(loads)}")
    out.append(f"- Java {v['java']}; PostgreSQL {v['postgresql_server']}; sqlite3 {v['sqlite3_cli']} (CLI), sqlite-jdbc {v['sqlite_jdbc']}; "
               f"pgloader {v['pgloader']}; Kafka {v['kafka']}; Debezium {v['debezium']}")
    out.append("")

    if "snapshot" in f:
        s = f["snapshot"]
        out.append(f"## Snapshot: {s['rows']:,} rows, {s['file_mb']} MB file")
        out.append("")
        out.append("| tool | runs ok | seconds | rows/s | MB/s | peak RSS (MB) |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        names = {"ours": "replicator snapshot", "pgloader": "pgloader", "floor": "floor (sqlite3 csv \\| psql \\copy)"}
        for tool in ("ours", "pgloader", "floor"):
            t = s["tools"].get(tool)
            if not t:
                continue
            if t["status"] != "ok":
                out.append(f"| {names[tool]} | {t['status']} ({t['runs_ok']}/{t['runs']}) | – | – | – | – |")
                continue
            out.append(f"| {names[tool]} | {t['runs_ok']}/{t['runs']} | {show(t['seconds'], 2)} | {show(t['rows_per_s'], 0)} | "
                       f"{show(t['mb_per_s'], 1)} | {show(t['peak_rss_mb'], 0)} |")
        out.append("")
        out.append(f"- pgloader / ours (time; above 1: ours is faster): {show(s['pgloader_over_ours'], 2)}")
        out.append(f"- ours / floor (time; how far from a plain lossy CSV copy): {show(s['ours_over_floor'], 2)}")
        out.append(f"- `verify` of our copy: exit {s['verify_exit']}; REAL values pgloader changed: {s['pgloader_real_values_changed']}")
        out.append(f"- details: `{s['report']}`")
        out.append("")
    if "verify" in f:
        s = f["verify"]
        out.append("## Verification of the snapshot's copy")
        out.append("")
        out.append("| | seconds | peak RSS (MB) |")
        out.append("| --- | --- | --- |")
        out.append(f"| `replicator verify` (every value, both sides) | {show(s['verify_seconds'], 2)} | {show(s['verify_peak_rss_mb'], 0)} |")
        out.append(f"| floor: `sqlite3 select count(*)` ∥ `psql select count(*)` | {show(s['floor_seconds'], 2)} | – |")
        out.append("")
        out.append(f"- verify / floor: {show(s['verify_over_floor'], 1)}")
        out.append("")
    if "capture" in f:
        c = f["capture"]
        out.append("## Capture overhead on the application's writes (sqlite3 CLI, WAL, synchronous=NORMAL)")
        out.append("")
        out.append("| workload | capture off (s) | capture on (s) | on / off per run |")
        out.append("| --- | --- | --- | --- |")
        for w in c["workloads"].values():
            conv = lambda x: {"median": x["median"], "min": x["min"], "max": x["max"], "n": len(x["runs"])}
            out.append(f"| {w['label']} | {show(conv(w['off_seconds']), 3)} | {show(conv(w['on_seconds']), 3)} | {show(conv(w['ratio_per_run']), 2)} |")
        out.append("")
    if "latency" in f:
        out.append("## Streaming: SQLite COMMIT → row visible in PostgreSQL")
        out.append("")
        out.append("| offered tx/s | achieved tx/s | p50 ms | p95 ms | p99 ms | max ms | lag zero after the last commit (ms) |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for row in f["latency"]:
            note = "" if row["offered_load_reached"] in (True, None) else " (writer fell short)"
            out.append(f"| {row['offered_tx_per_s']:,} | {show(row['achieved_tx_per_s'], 0)}{note} | {show(row['p50_ms'])} | {show(row['p95_ms'])} | "
                       f"{show(row['p99_ms'])} | {show(row['max_ms'])} | {show(row['zero_lag_after_ms'], 0)} |")
        out.append("")
        out.append("Each transaction: one insert and two updates (3 row changes).")
        out.append("")
    if "max_rate" in f:
        s = f["max_rate"]
        out.append("## Maximum sustained rate")
        out.append("")
        out.append(f"- highest offered load that held: {show(s['tx_per_s'], 0, ' tx/s')} (× 3 row changes); "
                   f"stopped by: {', '.join(s['limited_by']) or '–'}; steps of {s['step_seconds']} s")
        for run, steps in sorted(s["steps"].items()):
            out.append(f"- run {run}: " + ", ".join(f"{x['offered_tx_per_s']:,} {'✓' if x['held'] else '✗'} "
                                                     f"(achieved {x['achieved_tx_per_s']:,}, slope {x['lag_slope_ms_per_s']} ms/s, end lag {x['end_lag_ms']} ms)"
                                                     for x in steps))
        out.append("")
    if "apply" in f:
        s = f["apply"]
        out.append("## Sink apply throughput alone")
        out.append("")
        out.append(f"- {s['row_changes'] or 0:,} row changes already in Kafka, applied to PostgreSQL: {show(s['row_changes_per_s'], 0, ' row changes/s')}")
        out.append("")
    if "feed" in f:
        s = f["feed"]
        out.append("## The change feed alone: SQLite COMMIT → event at a Kafka consumer")
        out.append("")
        out.append(f"- at {s['offered_tx_per_s'] or '–'} tx/s (achieved {show(s['achieved_tx_per_s'], 0)}): p50 {show(s['p50_ms'])} ms, "
                   f"p95 {show(s['p95_ms'])} ms, p99 {show(s['p99_ms'])} ms, max {show(s['max_ms'])} ms")
        out.append(f"- publish throughput (backlog, acknowledged by Kafka): {show(s['publish_row_changes_per_s'], 0)} row changes/s from start; "
                   f"{show(s['publish_sustained_row_changes_per_s'], 0)} after the first batch")
        out.append("")
    if "restart" in f:
        out.append("## Restart → streaming (the demo file, a writer at about 50 tx/s)")
        out.append("")
        out.append("From the `run` process's start until its feed streams (\"starts after changelog seq N\", resuming at the committed position); "
                   "the JVM floor is a `--version` run of the same jar just before each start.")
        out.append("")
        out.append("| start | starts | streaming after (s) | JVM floor (s) |")
        out.append("| --- | --- | --- | --- |")
        for kind, label in (("first", "first (capture, snapshot, broker formatted)"), ("sigterm", "after SIGTERM"), ("sigkill", "after SIGKILL")):
            k = f["restart"].get(kind, {})
            out.append(f"| {label} | {k.get('starts', 0)} | {show(k.get('feed_s'), 2)} | {show(k.get('jvm_floor_s'), 2)} |")
        out.append("")
    if "cutover" in f:
        out.append("## Cutover write pause")
        out.append("")
        out.append("| verify | table rows | writer tx/s | write pause (ms) | writes refused by the fence |")
        out.append("| --- | --- | --- | --- | --- |")
        for c in f["cutover"]:
            out.append(f"| {c['verify']} | {c['table_rows'] or 0:,} | {c['writer_tx_per_s'] or '–'} | {show(c['write_pause_ms'], 0)} | {show(c['writes_refused'], 0)} |")
        out.append("")
    if "burst" in f:
        b = f["burst"]
        out.append("## Lag during a write burst")
        out.append("")
        if b.get("svg"):
            out.append(f"![lag over time around a write burst]({b['svg']})")
            out.append("")
        if "peak_lag_ms" in b:
            out.append(f"- {b['base_tx_per_s']:,} tx/s, then {b['burst_end_s'] - b['burst_start_s']:.0f} s at {b['burst_tx_per_s']:,} tx/s "
                       f"(achieved {b['achieved_burst']:,.0f}), then {b['base_tx_per_s']:,} tx/s again; one run")
            drained = b.get("under_100ms_after_burst_s")
            out.append(f"- peak lag {b['peak_lag_ms']:,.0f} ms / {b['peak_lag_changes']:,} changes; lag under 100 ms "
                       + (f"{drained:.1f} s after the burst ended" if drained is not None else "not reached before the run ended"))
            out.append(f"- samples: `{b.get('csv')}`")
        out.append("")
    out.append(f"Logs and raw results: `{r['logs']}`")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
