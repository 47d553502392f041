"""Benchmark (not part of CI): time of one helpers.bayesmeta fit, i.e. constructing the object
and computing its ``.summary`` (modes, medians, moments and shortest 95 % intervals of tau, mu
and theta), on simulated log hazard ratios at k = 8, 40 and 200; target: under 50 ms at k = 40.

    python bench/bayes_speed.py             # prints the timings, rewrites the "bayesmeta" section of bench/README.md
    python bench/bayes_speed.py --no-readme # prints only

Median of REPEATS fits, each a fresh object (nothing cached between fits).
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers.meta.bayes import bayesmeta  # noqa: E402

README = ROOT / "bench" / "README.md"
START, END = "<!-- bayes-speed:start -->", "<!-- bayes-speed:end -->"
REPEATS = 21
TARGET_MS, TARGET_K = 50.0, 40


def data(k: int, seed: int = 20250601):
    rng = np.random.default_rng(seed)
    sigma = rng.uniform(0.1, 0.5, k)
    return rng.normal(-0.2, np.sqrt(sigma**2 + 0.1**2)), sigma


def fit_ms(y, sigma) -> float:
    t0 = time.perf_counter()
    bayesmeta(y, sigma, tau_prior=("halfnormal", 0.5)).summary
    return 1e3 * (time.perf_counter() - t0)


def main() -> None:
    fit_ms(*data(8))   # warm-up: imports, scipy's first calls
    rows = []
    for k in (8, 40, 200):
        y, sigma = data(k)
        times = [fit_ms(y, sigma) for _ in range(REPEATS)]
        rows.append((k, statistics.median(times), min(times), max(times)))
        print(f"k = {k:4d}: median {rows[-1][1]:.1f} ms (min {rows[-1][2]:.1f}, max {rows[-1][3]:.1f}) "
              f"over {REPEATS} fits")
    at = next(r for r in rows if r[0] == TARGET_K)
    verdict = "meets" if at[1] < TARGET_MS else "misses"
    print(f"k = {TARGET_K}: {at[1]:.1f} ms, target < {TARGET_MS:.0f} ms ({verdict})")
    if "--no-readme" in sys.argv:
        return
    machine = (f"{platform.processor() or platform.machine()}, {platform.system()} {platform.release()}, "
               f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    lines = [
        START, "## bayesmeta", "",
        "Not part of CI. `python bench/bayes_speed.py` times one `helpers.bayesmeta` fit (constructing the",
        "object and computing `.summary`: modes, medians, moments and shortest 95% intervals of tau, mu and",
        f"theta) on simulated log hazard ratios, half-normal(0.5) prior on tau, flat prior on mu; median of {REPEATS}",
        f"fits. Machine: {machine} (shared with other jobs, so times vary).", "",
        "| k | median (ms) | min (ms) | max (ms) | target |", "|---|---|---|---|---|",
        *[f"| {k} | {med:.1f} | {lo:.1f} | {hi:.1f} | "
          + (f"< {TARGET_MS:.0f} ms ({verdict})" if k == TARGET_K else "") + " |" for k, med, lo, hi in rows],
        END,
    ]
    from readme_section import write_section

    write_section("\n".join(lines), START, END, README)
    print(f"rewrote the bayesmeta section of {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
