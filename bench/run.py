"""Benchmark (not part of CI): build time of this book against a floor book, and
helpers.rma against metafor's rma(), on the same machine in one run.

    python bench/run.py            # writes bench/results.json and prints the ratios

(a) this book and (b) a floor book with the same configuration and the same pages, whose
cells only import the libraries and draw one trivial figure; each built cold (no _build)
and warm (nothing changed), median of RUNS runs.  Then helpers.rma(method="REML") and
metafor::rma(method="REML") on the same simulated data at k = 10, 40 and 1000, timed
in-process on both sides.
"""
from __future__ import annotations

import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
JB = str(Path(sys.executable).parent / "jupyter-book")
IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "tests", "bench", "__pycache__", ".pytest_cache",
                                ".hypothesis", "*.egg-info")
FLOOR_CELL = """
```{code-cell} ipython3
import helpers, numpy, pandas, scipy
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 1])
plt.show()
```
"""


def make_floor(dest: Path) -> None:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    for page in [dest / "intro.md", *sorted((dest / "chapters").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        front = text.split("---", 2)
        title = next(line for line in front[2].splitlines() if line.startswith("# "))
        page.write_text(f"---{front[1]}---\n\n{title}\n{FLOOR_CELL}", encoding="utf-8")


def build(book: Path) -> float:
    t0 = time.perf_counter()
    run = subprocess.run([JB, "build", str(book)], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stdout[-2000:] + run.stderr[-2000:])
    return time.perf_counter() - t0


def build_times(book: Path) -> dict:
    cold, warm = [], []
    for _ in range(RUNS):
        shutil.rmtree(book / "_build", ignore_errors=True)
        cold.append(build(book))
        warm.append(build(book))
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "cold_runs": cold, "warm_runs": warm}


R_TIMER = r"""
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
invisible(rma(d$yi, d$vi, method = "REML"))
t0 <- proc.time()[["elapsed"]]
for (i in seq_len(reps)) invisible(rma(d$yi, d$vi, method = "REML"))
cat((proc.time()[["elapsed"]] - t0) / reps)
"""


def rma_times() -> list[dict]:
    import helpers

    rng = np.random.default_rng(20250609)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "timer.R"
        script.write_text(R_TIMER, encoding="utf-8")
        for k in (10, 40, 1000):
            vi = rng.uniform(0.01, 0.5, k)
            yi = rng.normal(-0.5, np.sqrt(vi + 0.1))
            data = Path(tmp) / f"d{k}.csv"
            data.write_text("yi,vi\n" + "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(yi, vi)), encoding="utf-8")
            reps = 200 if k < 1000 else 20
            py = min(timeit.repeat(lambda: helpers.rma(yi, vi, method="REML"), number=reps, repeat=3)) / reps
            r = float(subprocess.run(["Rscript", str(script), str(data), str(reps)], capture_output=True,
                                     text=True, check=True).stdout)
            out.append({"k": k, "helpers_s": py, "metafor_s": r, "ratio": py / r})
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        floor = Path(tmp) / "floor"
        shutil.copytree(ROOT, book, ignore=IGNORE)
        make_floor(floor)
        this, base = build_times(book), build_times(floor)
    result = {
        "machine": f"{platform.node()}: {platform.processor() or platform.machine()}, {platform.system()} "
                   f"{platform.release()}, Python {platform.python_version()}",
        "cpus": __import__("os").cpu_count(),
        "book": this, "floor": base,
        "cold_ratio": this["cold"] / base["cold"], "warm_ratio": this["warm"] / base["warm"],
        "rma": rma_times(),
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"cold: book {this['cold']:.1f} s, floor {base['cold']:.1f} s, ratio {result['cold_ratio']:.2f} (target ≤ 1.5)")
    print(f"warm: book {this['warm']:.1f} s, floor {base['warm']:.1f} s, ratio {result['warm_ratio']:.2f} (target ≤ 1.2)")
    for r in result["rma"]:
        print(f"rma REML k={r['k']}: helpers {1e3 * r['helpers_s']:.2f} ms, metafor {1e3 * r['metafor_s']:.2f} ms, "
              f"ratio {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
