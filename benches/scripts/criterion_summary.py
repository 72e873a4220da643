#!/usr/bin/env python3
"""Per-prefix figures from criterion's saved samples of the codec bench.

Usage: python3 benches/scripts/criterion_summary.py [CARGO_TARGET_DIR]

For every benchmark under <target>/criterion it prints, per prefix: criterion's point
estimate (the slope, the figure `cargo bench` prints as `time`/`thrpt`), the median sample
and the fastest sample (each sample is the mean of many iterations). On a loaded machine the
fastest sample is the closest to one idle core.
"""
import glob
import json
import os
import sys

target = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CARGO_TARGET_DIR", "target")
for path in sorted(glob.glob(os.path.join(target, "criterion", "*", "*", "new", "sample.json"))):
    folder = os.path.dirname(path)
    with open(path) as f:
        sample = json.load(f)
    with open(os.path.join(folder, "benchmark.json")) as f:
        bench = json.load(f)
    with open(os.path.join(folder, "estimates.json")) as f:
        estimates = json.load(f)
    point = (estimates.get("slope") or estimates["mean"])["point_estimate"]
    per_iter = sorted(t / i for t, i in zip(sample["times"], sample["iters"]))
    n = (bench.get("throughput") or {}).get("Elements", 1)
    rows = [("estimate", point), ("median", per_iter[len(per_iter) // 2]), ("fastest", per_iter[0])]
    cells = "  ".join(f"{k} {v / n:5.2f} ns ({n / v * 1e3:6.1f} M/s)" for k, v in rows)
    print(f"{bench['full_id']:42s} {cells}")
