#!/usr/bin/env python3
"""Compare two JSON-lines sample dumps (dump_ultralytics_samples.py, `forge bench augment out=...`) per epoch.

    python3 scripts/reference/compare_samples.py ultralytics.jsonl forge.jsonl

Prints, per epoch and tool: samples, boxes per sample, box side sqrt(w h) quantiles in pixels, the fraction of boxes with a
side under 8 px, boxes touching the border, the grey-pad fraction and the BGR mean. Different random generators make the
samples differ one by one; over a few hundred samples the distributions should agree when the pipelines do.
"""
import json, sys, statistics


def load(path):
    by_epoch = {}
    for line in open(path):
        r = json.loads(line)
        by_epoch.setdefault(r["epoch"], []).append(r)
    return by_epoch


def q(values, f):
    values = sorted(values)
    return values[min(len(values) - 1, int(f * len(values)))] if values else float("nan")


def row(rs):
    sides, small, edge = [], 0, 0
    for r in rs:
        for c, x1, y1, x2, y2 in r["boxes"]:
            w, h = x2 - x1, y2 - y1
            sides.append((max(w, 0) * max(h, 0)) ** 0.5)
            small += min(w, h) < 8
            edge += x1 <= 0.5 or y1 <= 0.5 or x2 >= r["w"] - 0.5 or y2 >= r["h"] - 0.5
    n = len(sides)
    mean = [statistics.fmean(r["mean"][k] for r in rs) for k in range(3)]
    return (f"{len(rs):5d} {n / len(rs):7.2f} {q(sides, .1):6.1f} {q(sides, .5):6.1f} {q(sides, .9):6.1f} "
            f"{small / max(n, 1):6.3f} {edge / max(n, 1):6.3f} {statistics.fmean(r['grey'] for r in rs):6.3f} "
            + " ".join(f"{m:6.1f}" for m in mean))


def main():
    dumps = [(p, load(p)) for p in sys.argv[1:]]
    print(f"{'epoch':>5} {'tool':>12} {'n':>5} {'box/img':>7} {'p10':>6} {'p50':>6} {'p90':>6} {'<8px':>6} {'edge':>6} {'grey':>6} {'B':>6} {'G':>6} {'R':>6}")
    for e in sorted(set().union(*[d.keys() for _, d in dumps])):
        for p, d in dumps:
            if e in d: print(f"{e:5d} {p.split('/')[-1][:12]:>12} {row(d[e])}")


if __name__ == "__main__":
    main()
