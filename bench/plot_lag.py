#!/usr/bin/env python3
"""Draw lag over time around a write burst as an SVG, with the standard library only.

    python3 bench/plot_lag.py SAMPLES.csv OUT.svg [--title TEXT] [--burst START END]

SAMPLES.csv is what RunBench's burst part writes: t_s, lag_ms, lag_changes, captured_seq,
applied_seq, phase (before | burst | after). Two panels share the time axis: lag in ms (age of
the oldest transaction committed in SQLite and not yet applied in PostgreSQL) and lag in
changes (changelog rows captured and not yet applied). The burst window (--burst, in seconds;
else the span of the samples marked "burst") is shaded.
"""
import argparse
import csv
import math
from xml.sax.saxutils import escape

W, H = 900, 560
LEFT, RIGHT, TOP = 90, 30, 60
PANEL_H, GAP = 190, 70


def nice_ticks(hi, n=5):
    """Round tick values from 0 to at least hi."""
    if hi <= 0:
        return [0, 1]
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks, v = [], 0.0
    while v < hi + step * 0.999:
        ticks.append(v)
        v += step
    return ticks


def fmt(v):
    if v >= 1000 and v == int(v):
        return f"{int(v):,}"
    return f"{v:g}"


def panel(out, y0, xs, ys, t_max, burst, label, color):
    x_of = lambda t: LEFT + (W - LEFT - RIGHT) * t / t_max
    yt = nice_ticks(max(ys) if ys else 1)
    y_max = yt[-1]
    y_of = lambda v: y0 + PANEL_H - PANEL_H * v / y_max
    if burst:
        bx0, bx1 = x_of(burst[0]), x_of(burst[1])
        out.append(f'<rect x="{bx0:.1f}" y="{y0}" width="{bx1 - bx0:.1f}" height="{PANEL_H}" fill="#f4b400" fill-opacity="0.18"/>')
    for v in yt:
        y = y_of(v)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{fmt(v)}</text>')
    for t in nice_ticks(t_max, 10):
        if t > t_max:
            break
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" y1="{y0 + PANEL_H}" x2="{x:.1f}" y2="{y0 + PANEL_H + 5}" stroke="#333"/>')
        out.append(f'<text x="{x:.1f}" y="{y0 + PANEL_H + 19}" text-anchor="middle" font-size="12">{fmt(t)}</text>')
    out.append(f'<rect x="{LEFT}" y="{y0}" width="{W - LEFT - RIGHT}" height="{PANEL_H}" fill="none" stroke="#333"/>')
    if xs:
        pts = " ".join(f"{x_of(t):.1f},{y_of(v):.1f}" for t, v in zip(xs, ys))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.5"/>')
    cy = y0 + PANEL_H / 2
    out.append(f'<text x="22" y="{cy:.1f}" text-anchor="middle" font-size="13" transform="rotate(-90 22 {cy:.1f})">{escape(label)}</text>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2:.1f}" y="{y0 + PANEL_H + 38}" text-anchor="middle" font-size="13">time since the start of the steady load (s)</text>')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("samples")
    ap.add_argument("svg")
    ap.add_argument("--title", default="Replication lag around a write burst")
    ap.add_argument("--burst", nargs=2, type=float, metavar=("START", "END"))
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.samples, newline="")))
    if not rows:
        raise SystemExit(f"plot_lag: no samples in {a.samples}")
    t = [float(r["t_s"]) for r in rows]
    ms = [float(r["lag_ms"]) for r in rows]
    ch = [float(r["lag_changes"]) for r in rows]
    in_burst = [x for x, r in zip(t, rows) if r["phase"] == "burst"]
    burst = tuple(a.burst) if a.burst else (min(in_burst), max(in_burst)) if in_burst else None
    t_max = max(t) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{escape(a.title)}</text>']
    legend = f"{len(rows)} samples, one every 100 ms"
    if burst:
        legend += f"; shaded: the burst ({burst[0]:.1f}–{burst[1]:.1f} s)"
    out.append(f'<text x="{W / 2}" y="44" text-anchor="middle" font-size="12" fill="#555">{escape(legend)}</text>')
    panel(out, TOP, t, ms, t_max, burst, "lag (ms)", "#1a73e8")
    panel(out, TOP + PANEL_H + GAP, t, ch, t_max, burst, "lag (changes)", "#d93025")
    out.append("</svg>")
    with open(a.svg, "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
