#!/usr/bin/env python3
"""Summarise scripts/reference/seed_pairs.sh runs: per seed both tools' mAP50 / mAP50-95 (one validator, scores.txt), peak
RSS and wall time (/usr/bin/time -v in fN.log / uN.log), and the training losses of the last epochs from each results.csv;
then the means, the mean paired difference Forge - Ultralytics and its standard error (sample standard deviation of the
per-seed differences / sqrt(seeds)).

    python3 scripts/reference/seed_pairs_summary.py OUT [OUT2 ...] [--last 10]

Several OUT folders are pooled (seeds must not repeat). Standard library only.
"""
import argparse, csv, math, re, statistics
from pathlib import Path


def scores(folder):
    """{'f5': (mAP50, mAP50-95), ...} from scores.txt lines 'f5 all 87 1137 P R mAP50 mAP50-95' (the last line per run)."""
    out = {}
    path = folder / "scores.txt"
    for line in path.read_text().splitlines() if path.exists() else []:
        parts = line.split()
        if len(parts) >= 8 and parts[1] == "all":
            out[parts[0]] = (float(parts[6]), float(parts[7]))
    return out


def time_v(log):
    """(wall seconds, peak RSS in GB = kB / 10^6 as the bench notes give it) from /usr/bin/time -v output, or (None, None)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    seconds = None
    if wall:
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
    return seconds, (int(rss.group(1)) / 1e6 if rss else None)


def losses(results_csv, last):
    """Mean (box, cls, dfl) training loss over the last `last` epochs of a results.csv (either tool's column names)."""
    if not results_csv.exists():
        return None
    rows = [{k.strip(): v.strip() for k, v in r.items()} for r in csv.DictReader(open(results_csv))]
    rows = rows[-last:]
    return tuple(statistics.mean(float(r[f"train/{n}_loss"]) for r in rows) for n in ("box", "cls", "dfl"))


def mean_se(values):
    m = statistics.mean(values)
    return m, (statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="+", type=Path)
    ap.add_argument("--last", type=int, default=10, help="epochs at the end whose training losses are averaged")
    a = ap.parse_args()
    rows = []
    for folder in a.out:
        sc = scores(folder)
        for key in sorted((k for k in sc if k.startswith("f")), key=lambda k: int(k[1:])):
            seed = key[1:]
            if "u" + seed not in sc:
                continue
            f_wall, f_rss = time_v(folder / f"f{seed}.log")
            u_wall, u_rss = time_v(folder / f"u{seed}.log")
            rows.append((seed, sc[key], sc["u" + seed], f_wall, u_wall, f_rss, u_rss,
                         losses(folder / f"f{seed}" / "results.csv", a.last), losses(folder / f"u{seed}" / "results.csv", a.last)))
    if not rows:
        raise SystemExit("no seed with both tools scored (scores.txt)")
    print(f"{'seed':>4}  {'Forge mAP50/50-95':>18}  {'Ultralytics':>12}  {'diff':>7}  {'peak GB F/U':>11}  "
          f"{'wall s F/U':>11}  train losses F-U, last {a.last} epochs: box cls dfl")
    for seed, f, u, fw, uw, fr, ur, fl, ul in rows:
        peak = f"{fr:.2f}/{ur:.2f}" if fr and ur else "-"
        wall = f"{fw:.0f}/{uw:.0f}" if fw and uw else "-"
        dl = " ".join(f"{x - y:+.3f}" for x, y in zip(fl, ul)) if fl and ul else "-"
        print(f"{seed:>4}  {f[0]:.3f} / {f[1]:.3f}     {u[0]:.3f} / {u[1]:.3f}  {f[1] - u[1]:+.3f}  {peak:>11}  {wall:>11}  {dl}")
    fm, fse = mean_se([r[1][1] for r in rows])
    um, use = mean_se([r[2][1] for r in rows])
    dm, dse = mean_se([r[1][1] - r[2][1] for r in rows])
    f50 = statistics.mean(r[1][0] for r in rows)
    u50 = statistics.mean(r[2][0] for r in rows)
    print(f"mean over {len(rows)} seeds: Forge {f50:.4f} / {fm:.4f} (standard error {fse:.4f}), Ultralytics {u50:.4f} / {um:.4f} "
          f"({use:.4f}); mAP50-95 difference {dm:+.4f}, standard error {dse:.4f}; Forge higher at "
          f"{sum(r[1][1] > r[2][1] for r in rows)} seeds, lower at {sum(r[1][1] < r[2][1] for r in rows)}")


if __name__ == "__main__":
    main()
