#!/usr/bin/python3
"""Report of bench/sqlite-busy.sh: the application's failed transactions per phase and style.

    sqlite_busy_report.py WORK PREFIX LABEL RATE STREAM_SECONDS JAR   (writes PREFIX.md and PREFIX.json)
    sqlite_busy_report.py --merge OUT PREFIX1.json PREFIX2.json ...  (one table from several reports, e.g. before/after)
"""
import json
import os
import sys

PHASES = ["warmup", "install", "idle", "run-start", "streaming", "cutover", "after"]
TITLES = {"warmup": "warm-up (3 s, nothing of ours)", "install": "`install`", "idle": "idle (2 s, nothing of ours)", "run-start": "run start: switch to WAL + snapshot fence",
          "streaming": "streaming + pruning", "cutover": "cutover (fence)", "after": "after the cutover (1 s)"}


def analyse(run_dir):
    bounds = {}
    for line in open(os.path.join(run_dir, "phases.tsv")):
        phase, edge, t = line.rstrip("\n").split("\t")
        bounds.setdefault(phase, {})[edge] = float(t)
    notes = {}
    if os.path.exists(os.path.join(run_dir, "notes.tsv")):
        for line in open(os.path.join(run_dir, "notes.tsv")):
            k, _, v = line.rstrip("\n").partition("\t")
            notes[k] = v
    per = {p: {"busy": 0, "fenced": 0, "other": 0, "errors": {}, "seconds": round(b.get("end", 0) - b.get("start", 0), 2)}
           for p, b in bounds.items()}
    per["between phases"] = {"busy": 0, "fenced": 0, "other": 0, "errors": {}, "seconds": None}
    summary = None
    for line in open(os.path.join(run_dir, "writer.jsonl")):
        e = json.loads(line)
        if "summary" in e:
            summary = e["summary"]
            continue
        if "kind" not in e:
            continue
        where = "between phases"
        for p, b in bounds.items():
            if b.get("start", 1e30) <= e["t"] <= b.get("end", -1):
                where = p
        d = per[where]
        err = e["error"]
        kind = "fenced" if ("moved to PostgreSQL" in err or "writes are refused" in err) else \
            "busy" if ("database is locked" in err or "[SQLITE_BUSY" in err or "[SQLITE_LOCKED" in err) else "other"
        d[kind] += 1
        d["errors"][e["error"]] = d["errors"].get(e["error"], 0) + 1
    return {"phases": per, "notes": notes, "writer": summary}


def table(reports):
    """reports: list of (label, style, [runs])"""
    head = "| phase | " + " | ".join(f"{lab} style {st}" for lab, st, _ in reports) + " |"
    out = [head, "|---|" + "---|" * len(reports)]
    for p in PHASES + ["between phases"]:
        cells = []
        for _, _, runs in reports:
            vals = [r["phases"].get(p, {}).get("busy", 0) for r in runs]
            fenced = [r["phases"].get(p, {}).get("fenced", 0) for r in runs]
            other = [r["phases"].get(p, {}).get("other", 0) for r in runs]
            cell = f"**{sum(vals)}**" + (f" ({' + '.join(map(str, vals))})" if len(vals) > 1 else "")
            if sum(other):
                cell += f"; other {sum(other)}"
            if sum(fenced):
                cell += f"; fenced {sum(fenced)}"
            cells.append(cell)
        if p == "between phases" and all(c.startswith("**0**") and "fenced" not in c and "other" not in c for c in cells):
            continue
        out.append(f"| {TITLES.get(p, p)} | " + " | ".join(cells) + " |")
    commits = []
    for _, _, runs in reports:
        commits.append(" / ".join(f"{r['writer']['committed']} ({r['writer']['rate']}/s)" if r["writer"] else "?" for r in runs))
    out.append("| application commits (rate) | " + " | ".join(commits) + " |")
    attempts = []
    for _, _, runs in reports:
        attempts.append(" / ".join(r["notes"].get("run-started-on-attempt", "?") for r in runs))
    out.append("| `run` started on attempt (exit 4 before) | " + " | ".join(attempts) + " |")
    return "\n".join(out)


def details(reports):
    lines = []
    for lab, st, runs in reports:
        for i, r in enumerate(runs, 1):
            n = r["notes"]
            lines.append(f"- {lab} style {st} run {i}: " + "; ".join(f"{k}: {v}" for k, v in n.items()))
            errs = {}
            for p, d in r["phases"].items():
                for msg, c in d["errors"].items():
                    errs[f"{p}: {msg}"] = errs.get(f"{p}: {msg}", 0) + c
            for msg, c in sorted(errs.items()):
                lines.append(f"  - {c} × {msg[:200]}")
    return "\n".join(lines)


def main():
    if sys.argv[1] == "--merge":
        out = sys.argv[2]
        reports = []
        for f in sys.argv[3:]:
            j = json.load(open(f))
            reports += [(x["label"], x["style"], x["runs"]) for x in j["reports"]]
        md = table(reports) + "\n\n" + details(reports) + "\n"
        open(out + ".md", "w").write(md)
        json.dump({"reports": [{"label": l, "style": s, "runs": r} for l, s, r in reports]}, open(out + ".json", "w"), indent=1)
        print(md)
        return
    work, prefix, label, rate, stream, jar = sys.argv[1:7]
    by_style = {}
    for d in sorted(os.listdir(work)):
        p = os.path.join(work, d)
        if os.path.isdir(p) and os.path.exists(os.path.join(p, "phases.tsv")):
            style, run = d.split("-")
            by_style.setdefault(style, []).append(analyse(p))
    reports = [(label, s, runs) for s, runs in sorted(by_style.items())]
    md = (f"# Application transactions failed by the replicator's SQLite writes ({label})\n\n"
          f"Application: {rate} tx/s (SELECT, INSERT, UPDATE), /usr/bin/python3 sqlite3; jar {jar}; streaming {stream} s.\n"
          f"Each cell: transactions that failed with SQLITE_BUSY (\"database is locked\") during the phase, summed over runs"
          f" (per run in parentheses); \"fenced\": writes refused by the cutover's fence, by design.\n\n"
          + table(reports) + "\n\n" + details(reports) + "\n")
    open(prefix + ".md", "w").write(md)
    json.dump({"label": label, "rate": rate, "jar": jar, "reports": [{"label": l, "style": s, "runs": r} for l, s, r in reports]},
              open(prefix + ".json", "w"), indent=1)
    print(md)


main()
