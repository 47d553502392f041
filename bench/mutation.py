"""Mutation score (not part of CI): how many planted bugs the fast tests catch.

    python bench/mutation.py                  # default sample, rewrites the "Mutation score" section of bench/README.md
    python bench/mutation.py --per-module 10  # a quick look
    python bench/mutation.py --per-module 10 --modules helpers/show/text.py --no-readme   # one module
    python bench/mutation.py --report         # rewrite the section from the last run (kept in mutants/)

mutmut 3 (configured in ``[tool.mutmut]`` of pyproject.toml: helpers/, the fast tests) copies
the project into ``mutants/`` and writes every mutant of ``helpers/``.  Running all of them
takes hours, so this script draws a seeded random sample of ``--per-module`` mutants from
each module (fewer if the module has fewer), runs only those, and reports the kill score
per wing (meta, review, show) and per module.  The wing score weights each module by its
number of mutants (a stratified estimate of the score over all mutants of the wing), with a
95% interval from the stratified variance.

Killed = the tests fail (or time out) with the mutant in place.  Survived, "no tests" (no
fast test calls the function) and suspicious count as not killed.  Mutants listed in
``bench/mutation_equivalents.md`` (a mutant that cannot change any result, with the reason)
are left out of the population before sampling and so out of the score.

bench/run.py rewrites bench/README.md as a whole; this script only touches the part between
its two markers (appending it if absent), so after ``python bench/run.py`` run
``python bench/mutation.py --report`` to put the section back from ``mutants/``.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
README = ROOT / "bench" / "README.md"
EQUIVALENTS = ROOT / "bench" / "mutation_equivalents.md"
LAST_RUN = MUTANTS / "bench_mutation.json"
START, END = "<!-- mutation-score:start -->", "<!-- mutation-score:end -->"
TARGETS = {"meta": 90.0, "review": 85.0, "show": 85.0}
DEFAULT_PER_MODULE = 30   # ≈ 900 mutants: about 25 min on 2 cores (0.7 mutants/s)
DEFAULT_SEED = 20250609
GENERATE_ONLY = "helpers.__bench_generate_only__*"   # a filter that matches nothing: mutmut stops after generating
MUTMUT = str(Path(sys.executable).parent / "mutmut")

# mutmut exit codes (mutmut.stats.status_by_exit_code), as this script counts them
KILLED = {1: "killed", 3: "killed", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          37: "killed"}
NOT_KILLED = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", -11: "segfault",
              -9: "segfault", 2: "interrupted", None: "not checked"}


def status(code) -> str:
    return KILLED.get(code) or NOT_KILLED.get(code, "suspicious")


def is_killed(code) -> bool:
    return code in KILLED


# --------------------------------------------------------------------------- mutants
def module_of(path: Path) -> str:
    """``mutants/helpers/meta/rma.py.meta`` → ``helpers/meta/rma.py``."""
    return path.relative_to(MUTANTS).as_posix()[: -len(".meta")]


def wing_of(module: str) -> str:
    parts = module.split("/")
    return parts[1] if len(parts) > 2 else "(top)"


def all_mutants() -> dict[str, dict[str, int | None]]:
    """{module: {mutant name: exit code}} from mutmut's .meta files."""
    out = {}
    for meta in sorted((MUTANTS / "helpers").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            out[module_of(meta)] = codes
    return out


def equivalents() -> dict[str, str]:
    """{mutant name: reason} from the table of bench/mutation_equivalents.md."""
    if not EQUIVALENTS.exists():
        return {}
    out = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`?(helpers\.[^|`\s]+__mutmut_\d+)`?\s*\|(.*)\|\s*$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def mutmut(args: list[str], log: Path) -> int:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with log.open("a", encoding="utf-8") as f:
        f.write(f"\n$ mutmut {' '.join(args[:6])}{' …' if len(args) > 6 else ''}\n")
        f.flush()
        return subprocess.run([MUTMUT, *args], cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=env).returncode


def sample(population: dict[str, list[str]], per_module: int, seed: int) -> dict[str, list[str]]:
    """A seeded simple random sample of ``per_module`` names from each module (all if fewer)."""
    rng = random.Random(seed)
    return {mod: sorted(rng.sample(sorted(names), min(per_module, len(names)))) for mod, names in
            sorted(population.items())}


# --------------------------------------------------------------------------- scores
def scores(run: dict) -> dict:
    """Per module and per wing: sampled, killed, score (%), and the wing's stratified estimate."""
    codes, pop = run["codes"], run["population"]
    modules = {}
    for mod, names in run["sample"].items():
        k = sum(is_killed(codes[n]) for n in names)
        by = defaultdict(int)
        for n in names:
            by[status(codes[n])] += 1
        modules[mod] = {"wing": wing_of(mod), "population": pop[mod], "sampled": len(names), "killed": k,
                        "score": 100.0 * k / len(names) if names else math.nan, "by_status": dict(by)}
    wings = {}
    for wing in sorted({m["wing"] for m in modules.values()}):
        ms = [m for m in modules.values() if m["wing"] == wing and m["sampled"]]
        N = sum(m["population"] for m in ms)
        est = sum(m["population"] / N * m["killed"] / m["sampled"] for m in ms)
        var = 0.0
        for m in ms:
            n, Nh, p = m["sampled"], m["population"], m["killed"] / m["sampled"]
            if n > 1:
                var += (Nh / N) ** 2 * (1 - n / Nh) * p * (1 - p) / (n - 1)
        half = 1.96 * math.sqrt(var)
        wings[wing] = {"population": N, "sampled": sum(m["sampled"] for m in ms),
                       "killed": sum(m["killed"] for m in ms), "score": 100 * est,
                       "lo": 100 * max(0.0, est - half), "hi": 100 * min(1.0, est + half),
                       "target": TARGETS.get(wing)}
    return {"modules": modules, "wings": wings}


def section(run: dict) -> str:
    s = scores(run)
    lines = [
        START, "## Mutation score", "",
        "Not part of CI. `python bench/mutation.py` runs mutmut (configuration in `[tool.mutmut]` of",
        "`pyproject.toml`: every module of `helpers/`, the fast tests) on a seeded random sample of",
        f"{run['per_module']} mutants per module (seed {run['seed']}; all of a module's mutants if it has fewer).",
        "A mutant is killed when the tests fail or time out with it in place. The wing score weights each",
        "module by its number of mutants (an estimate of the score over all of the wing's mutants, with",
        f"its 95% interval); {run['n_equivalent']} mutants listed in `bench/mutation_equivalents.md` as equivalent",
        "are left out." + (" Tests left out of the run (`--deselect`: they fail on the unmutated code for reasons"
                           " outside `helpers/`): " + ", ".join(f"`{t}`" for t in run["deselected"]) + "."
                           if run.get("deselected") else ""), "",
        f"Last run: {run['date']}, commit `{run['commit']}`, {run['cpus']} CPUs, {run['max_children']} workers, "
        f"{run['seconds'] / 60:.1f} min for {sum(len(v) for v in run['sample'].values())} mutants "
        f"(of {sum(run['population'].values())}).", "",
        "| wing | mutants | sampled | killed | score | 95% interval | target |", "|---|---|---|---|---|---|---|",
    ]
    for wing, w in s["wings"].items():
        t = w["target"]
        verdict = "" if t is None else f"≥ {t:.0f}% ({'meets' if w['score'] >= t else 'misses'})"
        lines.append(f"| {wing} | {w['population']} | {w['sampled']} | {w['killed']} | {w['score']:.1f}% | "
                     f"{w['lo']:.0f}–{w['hi']:.0f}% | {verdict} |")
    lines += ["", "| module | mutants | sampled | killed | score | not killed (survived / no tests / other) |",
              "|---|---|---|---|---|---|"]
    for mod, m in s["modules"].items():
        b = m["by_status"]
        other = m["sampled"] - m["killed"] - b.get("survived", 0) - b.get("no tests", 0)
        lines.append(f"| `{mod}` | {m['population']} | {m['sampled']} | {m['killed']} | {m['score']:.0f}% | "
                     f"{b.get('survived', 0)} / {b.get('no tests', 0)} / {other} |")
    lines += ["", "The surviving mutants of the last run are listed in `mutants/bench_survivors.txt` "
              "(`mutmut show <name>` prints one).", END]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """This script's section of bench/README.md (``readme_section.write_section``)."""
    from readme_section import write_section as write

    write(text, START, END, README)


# --------------------------------------------------------------------------- pytest plugin
SLOW_FIXTURES = {"built_book", "site_url", "browser"}
DESELECT_ENV = "BENCH_MUTATION_DESELECT"   # node ids (space-separated) from --deselect, passed to the plugin


def pytest_collection_modifyitems(config, items):
    """Under mutmut (``-p bench.mutation``): leave out every test that builds the book, and the
    tests named by ``--deselect`` (content checks that fail on the unmutated code for reasons
    outside ``helpers/``: mutmut refuses to start while any selected test fails)."""
    named = os.environ.get(DESELECT_ENV, "").split()
    slow = [i for i in items if SLOW_FIXTURES & set(getattr(i, "fixturenames", ()))
            or any(i.nodeid == n or i.nodeid.startswith(n + "[") for n in named)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [i for i in items if i not in slow]


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-module", type=int, default=DEFAULT_PER_MODULE, help="mutants sampled per module")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--modules", nargs="+", metavar="GLOB",
                    help="only these modules (globs on paths such as helpers/show/*.py; a folder matches all below it)")
    ap.add_argument("--max-children", type=int, default=os.cpu_count() or 2, help="parallel mutmut workers")
    ap.add_argument("--deselect", nargs="+", default=[], metavar="NODEID",
                    help="leave out these tests (ones failing unmutated for reasons outside helpers/)")
    ap.add_argument("--reuse", action="store_true", help="keep mutants/ from an earlier run (default: start afresh)")
    ap.add_argument("--report", action="store_true", help="only rewrite the README section from the last run")
    ap.add_argument("--no-readme", action="store_true", help="print, but leave bench/README.md alone")
    a = ap.parse_args(argv)

    if a.report:
        run = json.loads(LAST_RUN.read_text(encoding="utf-8"))
        write_section(section(run))
        print(f"rewrote the mutation section of {README.relative_to(ROOT)} from {LAST_RUN.relative_to(ROOT)}")
        return

    t0 = time.perf_counter()
    if a.deselect:
        os.environ[DESELECT_ENV] = " ".join(a.deselect)
    if not a.reuse and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    MUTANTS.mkdir(exist_ok=True)
    log = MUTANTS / "bench_mutmut.log"
    print("generating mutants and collecting which tests call which function …", flush=True)
    mutmut(["run", "--max-children", str(a.max_children), GENERATE_ONLY], log)
    everything = all_mutants()
    if not everything:
        sys.exit(f"mutmut generated no mutants; see {log}")
    eq = equivalents()
    stale = sorted(set(eq) - {n for names in everything.values() for n in names})
    if stale:
        print(f"warning: {len(stale)} listed equivalent mutants no longer exist (the code changed): {stale[:5]}")
    population = {mod: [n for n in names if n not in eq] for mod, names in everything.items()
                  if not a.modules or any(fnmatch.fnmatch(mod, g) or mod.startswith(g.rstrip("/") + "/")
                                          for g in a.modules)}
    if not population:
        sys.exit(f"no module matches {a.modules}; modules: {sorted(everything)}")
    chosen = sample(population, a.per_module, a.seed)
    names = [n for v in chosen.values() for n in v]
    print(f"running {len(names)} of {sum(len(v) for v in population.values())} mutants "
          f"({a.per_module} per module, seed {a.seed}) on {a.max_children} workers …", flush=True)
    rc = mutmut(["run", "--max-children", str(a.max_children), *names], log)
    codes_all = {n: c for v in all_mutants().values() for n, c in v.items()}
    codes = {n: codes_all.get(n) for n in names}
    if rc != 0 or all(c is None for c in codes.values()):
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        sys.exit(f"{tail}\nmutmut failed (exit {rc}): the fast tests must pass unmutated; see {log}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "helpers", "tests"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    run = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit + ("+" if dirty else ""),
           "cpus": os.cpu_count(), "max_children": a.max_children, "per_module": a.per_module, "seed": a.seed,
           "deselected": a.deselect,
           "seconds": time.perf_counter() - t0, "n_equivalent": len(set(eq) - set(stale)),
           "population": {m: len(v) for m, v in population.items()}, "sample": chosen, "codes": codes}
    LAST_RUN.write_text(json.dumps(run, indent=1), encoding="utf-8")
    survivors = sorted(n for n in names if not is_killed(codes[n]))
    (MUTANTS / "bench_survivors.txt").write_text(
        "".join(f"{n}\t{status(codes[n])}\n" for n in survivors), encoding="utf-8")
    s = scores(run)
    for wing, w in s["wings"].items():
        print(f"{wing:7s} {w['score']:5.1f}% killed (95% interval {w['lo']:.0f}–{w['hi']:.0f}%; "
              f"{w['killed']}/{w['sampled']} sampled of {w['population']}), target {w['target']}")
    for mod, m in s["modules"].items():
        print(f"  {mod:34s} {m['killed']:3d}/{m['sampled']:3d} = {m['score']:5.1f}%  {m['by_status']}")
    print(f"{run['seconds'] / 60:.1f} min; survivors in {(MUTANTS / 'bench_survivors.txt').relative_to(ROOT)}")
    if not a.no_readme:
        write_section(section(run))


if __name__ == "__main__":
    main()
