"""Benchmark (not part of CI): build time of this book against a floor book, and
helpers.rma against metafor's rma(), on the same machine in one run.

    python bench/run.py            # writes bench/results.json and bench/README.md, prints the ratios
    python bench/run.py --report   # rewrites bench/README.md from bench/results.json

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


def write_readme(result: dict) -> None:
    """bench/README.md from results.json: every number from the measurement, none typed."""
    b, f = result["book"], result["floor"]
    ok = lambda r, t: "meets" if r <= t else "misses"  # noqa: E731
    lines = [
        "# Benchmark", "",
        "Not part of CI. Run `python bench/run.py` from the book root: it builds this book and a floor book",
        "(same configuration and pages, each page only importing the libraries and drawing one trivial",
        f"figure) cold (no `_build`) and warm (nothing changed), median of {RUNS} runs each, then times",
        "`helpers.rma(method=\"REML\")` against metafor's `rma(method=\"REML\")` on the same simulated data,",
        "in-process on both sides. It writes `results.json` and this file.", "",
        f"Machine: {result['machine']}, {result['cpus']} CPUs.", "",
        "| build | this book (s) | floor (s) | ratio | target |", "|---|---|---|---|---|",
        f"| cold | {b['cold']:.1f} | {f['cold']:.1f} | {result['cold_ratio']:.2f} | ≤ 1.5 ({ok(result['cold_ratio'], 1.5)}) |",
        f"| warm | {b['warm']:.2f} | {f['warm']:.2f} | {result['warm_ratio']:.2f} | ≤ 1.2 ({ok(result['warm_ratio'], 1.2)}) |",
        "", "| k | helpers.rma (ms) | metafor rma (ms) | ratio |", "|---|---|---|---|",
        *[f"| {r['k']} | {1e3 * r['helpers_s']:.2f} | {1e3 * r['metafor_s']:.2f} | {r['ratio']:.3f} |"
          for r in result["rma"]],
        "", "A warm build of either book is dominated by starting Sphinx and loading its extensions; this book",
        "adds the formatting of its citations, which sphinxcontrib-bibtex redoes on every build. metafor's",
        "`rma()` builds k × k matrices, so its time grows with k²; `helpers` works with p × p matrices only.", "",
    ]
    (ROOT / "bench" / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    if "--report" in sys.argv:
        write_readme(json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8")))
        return
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
    write_readme(result)
    print(f"cold: book {this['cold']:.1f} s, floor {base['cold']:.1f} s, ratio {result['cold_ratio']:.2f} (target ≤ 1.5)")
    print(f"warm: book {this['warm']:.1f} s, floor {base['warm']:.1f} s, ratio {result['warm_ratio']:.2f} (target ≤ 1.2)")
    for r in result["rma"]:
        print(f"rma REML k={r['k']}: helpers {1e3 * r['helpers_s']:.2f} ms, metafor {1e3 * r['metafor_s']:.2f} ms, "
              f"ratio {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
