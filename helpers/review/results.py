"""One results object per build: every number a reader sees, computed once from ``data/`` and
``SETTINGS`` with the primary model, and read by the landing page, every chapter, the
scorecard and ``results.json``. Two pages can never disagree.

``load_results()`` builds it once per inputs fingerprint (``data/`` and ``helpers/``) and keeps
it in ``_build/.results/``, so each notebook kernel of a build reads the same object."""
from __future__ import annotations

import json
import math
import pickle
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.review.build_info import git_commit
from helpers.review.counts import review_counts
from helpers.review.data import Review, load_review
from helpers.review.labels import ReaderLabels, reader_labels
from helpers.review.efficacy import EfficacyReport, efficacy_report
from helpers.review.differences import scenario_scorecards
from helpers.review.paths import book_root, data_dir, data_fingerprint, inputs_fingerprint
from helpers.review.safety import GRADES, SafetyResult, pool_safety
from helpers.review.scorecard import scorecard
from helpers.review.settings import SETTINGS, AnalysisSettings
from helpers.review.subgroups import FACTORS, SubgroupResult, cancer_interaction, subgroup_analysis, tests_run

__all__ = ["Results", "build_results", "load_results", "results_json", "write_results_json", "OUTCOMES",
           "effect_modification_sentence", "deaths_sentence"]

OUTCOMES = ("PFS", "OS")


@dataclass(frozen=True)
class Results:
    settings: AnalysisSettings
    review: Review
    counts: dict
    efficacy: dict[str, EfficacyReport]
    missing: dict[str, pd.DataFrame]
    subgroups: dict[tuple[str, str], SubgroupResult]
    safety: dict[str, SafetyResult]
    scorecard: pd.DataFrame
    built_from: dict
    scenarios: dict[str, pd.DataFrame]   # the scorecard under the differences page's scenarios
    labels: ReaderLabels                 # codes of data/ → reader words (records, trials, groups)


def _commit(root: Path) -> str:
    return git_commit(root) or "unknown"


def build_results(data: str | Path | None = None, settings: AnalysisSettings = SETTINGS) -> Results:
    """Compute every result of the book from ``data`` (default: the book's ``data/``)."""
    review = load_review(data)
    eff = {oc: efficacy_report(review, oc, settings) for oc in OUTCOMES}
    subgroups = {(oc, f): subgroup_analysis(eff[oc].table, f, settings) for oc in OUTCOMES for f in FACTORS}
    folder = Path(data) if data is not None else data_dir()
    try:
        root = book_root(folder)
    except FileNotFoundError:
        root = folder
    return Results(settings, review, review_counts(review), eff,
                   {oc: eff[oc].missing.table for oc in OUTCOMES}, subgroups,
                   {g: pool_safety(review, g, settings) for g in GRADES}, scorecard(review, settings, {oc: rep.table for oc, rep in eff.items()}),
                   {"data_sha256": data_fingerprint(folder), "commit": _commit(root)},
                   scenario_scorecards(review, settings), reader_labels(review))


def load_results(root: str | Path | None = None) -> Results:
    """The build's results for the book at ``root`` (default: found from the working
    directory): read from ``_build/.results/<fingerprint>.pkl`` when an earlier kernel of this
    build made it, else built and kept there."""
    root = Path(root) if root is not None else book_root()
    cache = root / "_build" / ".results" / f"{inputs_fingerprint(root)}.pkl"
    if cache.is_file():
        try:
            return pickle.loads(cache.read_bytes())
        except Exception:  # a cache from another version of the code: rebuild it
            pass
    res = build_results(data_dir(root))
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{id(res)}.tmp")
    tmp.write_bytes(pickle.dumps(res))
    tmp.replace(cache)
    return res


def _num(x) -> float | None:
    """A JSON number (None for a missing value)."""
    if x is None or x is pd.NA:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _pooled(rep: EfficacyReport) -> dict:
    r, pred = rep.res, rep.pred
    exp = (lambda v: None if v is None else math.exp(v))
    return {"k": r.k, "n": int(rep.pooled["n"].dropna().sum()), "hr": math.exp(r.beta),
            "ci_lb": math.exp(r.ci_lb), "ci_ub": math.exp(r.ci_ub), "pval": r.pval,
            "pi_lb": exp(pred["pi_lb"]), "pi_ub": exp(pred["pi_ub"]), "tau2": r.tau2, "I2": r.I2,
            "comparisons": [{"id": t, "label": lab, "yi": float(y), "vi": float(v), "derivation": d}
                            for t, lab, y, v, d in zip(rep.pooled["trial_id"], rep.pooled["trial"], rep.pooled["yi"],
                                                       rep.pooled["vi"], rep.pooled["derivation"])]}


def results_json(res: Results) -> dict:
    """The published summary of the build (``results.json`` at the site root)."""
    s = res.settings
    card = [{"id": r["analysis_id"], "outcome": r["outcome"], "factor": r["factor"], "subgroup": r["subgroup"],
             "measure": r["measure"],
             "paper": {"estimate": _num(r["paper_est"]), "ci_lb": _num(r["paper_lb"]), "ci_ub": _num(r["paper_ub"]),
                       "text": r["paper"]},
             "book": {"k": int(r["k"]), "n": int(r["n"]), "hr": _num(r["hr"]), "ci_lb": _num(r["ci_lb"]),
                      "ci_ub": _num(r["ci_ub"]), "comparisons": list(r["ids"])},
             "verdict": r["verdict"], "same_as": r["same_as"] or None} for _, r in res.scorecard.iterrows()]
    safety = {}
    for g, sr in res.safety.items():
        safety[g] = {"k": len(sr.usable), "k_with_events": sr.re_k, "trials": list(sr.usable["trial_id"]),
                     "pooled": sr.re_k >= 2,
                     "mh_or": None if sr.mh_or is None or sr.re_k < 2 else
                     {"or": math.exp(sr.mh_or.beta), "ci_lb": math.exp(sr.mh_or.ci_lb), "ci_ub": math.exp(sr.mh_or.ci_ub)}}
    missing = {oc: [{"id": r["trial_id"], "label": r["trial"], "n": _num(r["n"]), "reason": r["reason"],
                     "sources_say": r["sources_say"], "favours": r["favours"] or None}
                    for _, r in m.iterrows()] for oc, m in res.missing.items()}
    return {"model": {"method": s.method, "test": s.test, "level": s.level, "pi": s.pi},
            "counts": {k: int(v) for k, v in res.counts.items()},
            "pooled": {oc: _pooled(rep) for oc, rep in res.efficacy.items()},
            "scorecard": card, "missing_evidence": missing, "safety": safety, "built_from": res.built_from,
            "scenarios": {name: [{"id": r["analysis_id"], "k": int(r["k"]), "n": int(r["n"]), "hr": _num(r["hr"]),
                                  "ci_lb": _num(r["ci_lb"]), "ci_ub": _num(r["ci_ub"]), "comparisons": list(r["ids"])}
                                 for _, r in c.iterrows()] for name, c in res.scenarios.items()}}


def write_results_json(res: Results, path: str | Path) -> Path:
    """Write ``results_json(res)`` (sorted keys, fixed float repr: byte-identical builds)."""
    path = Path(path)
    path.write_text(json.dumps(results_json(res), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def landing_glue_values(res: Results) -> dict[str, str]:
    """The landing page's key findings, from the results object and the primary model. The
    wording is GRADE's informative statement; where a robustness check fails it says so."""
    from helpers.review.efficacy import efficacy_glue_values
    from helpers.review.safety import safety_glue_values
    from helpers.show.text import count, fmt_ratio

    paper = res.review.paper_reported.set_index("analysis_id")
    c = res.counts
    v = {"paper_records": str(int(paper.at["records_included", "estimate"])),
         "paper_participants": f"{int(paper.at['participants_included', 'estimate']):,}",
         "paper_cutoff": paper.at["search_cutoff", "finding"],
         "comparisons": str(c["comparisons_included"]), "trials": str(c["trials_included"]),
         "participants": f"{c['participants']:,}", "records": str(c["records_included"]),
         "model": res.settings.describe()}
    for oc, rep in res.efficacy.items():
        ev = efficacy_glue_values(rep)
        r = rep.res
        v[f"{oc}_hr"] = fmt_ratio(math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub))
        v[f"{oc}_k"] = count(r.k, "comparison")
        v[f"{oc}_n"] = ev["n"]
        v[f"{oc}_grade"], v[f"{oc}_certainty"], v[f"{oc}_robustness"] = ev["grade"], ev["certainty"], ev["robustness"]
        m = res.missing[oc]
        v[f"{oc}_missing"] = count(len(m), "included comparison")
    v["ae_sentence"] = safety_glue_values(res.safety, len(res.review.included))["or2_sentence"]
    from helpers.review.sof import bottom_line
    v["bottom_line"] = bottom_line(res.review, res.efficacy, res.safety[">=2"])
    return v | _summary_values(res, paper)


def _cancer_words(level: str) -> str:
    """A cancer group in reader words: 'breast' → 'breast cancer', 'NSCLC' → 'non-small-cell lung cancer'."""
    from helpers.review.efficacy import GROUP_WORDS

    w = GROUP_WORDS.get(level, level)
    return w if "cancer" in w or "primar" in w else f"{w} cancer"


def effect_modification_sentence(res: Results) -> str:
    """For each outcome whose interaction test by primary cancer is significant at the primary
    model's level: that the effect appeared to differ, the cancer group whose own HR is closest
    to 1 (with its CI and k), and why this is a hypothesis (between trials, one of several
    tests); "" when no such test is significant."""
    from helpers.review.efficacy import OUTCOME_PHRASES
    from helpers.show.text import count, fmt_p, fmt_ratio

    n_tests = tests_run(res.subgroups)
    out = []
    for oc in res.efficacy:
        r = cancer_interaction(res.subgroups, oc, res.settings.level)
        if r is None or not len(r.rows):
            continue
        rows = r.rows[r.rows["in_test"]] if "in_test" in r.rows else r.rows
        g = rows.loc[rows["hr"].map(lambda x: abs(math.log(x))).idxmin()]
        out.append(f"The effect on {OUTCOME_PHRASES[oc]} appeared to differ between primary cancers (test for "
                   f"subgroup differences {fmt_p(r.p_primary)}): the hazard ratio was closest to 1 (no effect) in "
                   f"{_cancer_words(g['level'])}, {fmt_ratio(g['hr'], g['ci_lb'], g['ci_ub'])} from "
                   f"{count(int(g['k']), 'comparison')}. This compares different trials, not patients within the same "
                   f"trials, and is one of {n_tests} subgroup tests, so it suggests a hypothesis to test; it does not "
                   "show that MDT works differently by cancer.")
    return " ".join(out)


def deaths_sentence(g5: SafetyResult) -> str:
    """Treatment-related deaths (grade 5) as the trials report them per arm, trial by trial
    (nothing pooled); up to three trials are named, more are summed and said to be."""
    from helpers.show.text import count

    def of(d, n):
        return f"{'none' if int(d) == 0 else int(d)} of {int(n)}"

    u, k = g5.usable, len(g5.usable)
    if k == 0:
        text = "No trial reported treatment-related deaths (grade 5 adverse events) per arm."
    else:
        head = (f"Treatment-related deaths (grade 5 adverse events) were reported per arm by "
                f"{count(k, 'trial', words=True)}{' only' if k == 1 else ''}: ")
        if k <= 3:
            text = head + "; ".join(f"{of(t['ai'], t['n1i'])} with MDT and {of(t['ci'], t['n2i'])} with control "
                                    f"in {t['trial']}" for _, t in u.iterrows()) + "."
        else:
            text = head + (f"{int(u['ai'].sum())} deaths among {int(u['n1i'].sum()):,} patients given MDT and "
                           f"{int(u['ci'].sum())} among {int(u['n2i'].sum()):,} controls, added up over the trials "
                           "(the safety chapter gives each trial).")
    n_part = int((g5.table["status"] == "incomplete").sum()) if "status" in g5.table else 0
    if n_part:
        text += (f" {count(n_part, 'more trial', 'more trials', words=True).capitalize()} "
                 f"{'reports' if n_part == 1 else 'report'} them incompletely (not for both arms with their sizes).")
    return text


def _summary_values(res: Results, paper: pd.DataFrame) -> dict[str, str]:
    """The plain-language summary (GRADE's wording, about 100 words) and the limitations box,
    every number from the results."""
    from helpers.review.grade import grade_wording_for
    from helpers.review.efficacy import OUTCOME_PHRASES
    from helpers.show.text import count, fmt_ratio, join_words

    c, included = res.counts, res.review.included
    sentences, limits = [], {}
    for oc, rep in res.efficacy.items():
        r = rep.res
        hr, lb, ub = math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub)
        level = rep.certainty
        sentences.append(f"{grade_wording_for(level, hr, lb, ub, OUTCOME_PHRASES[oc])} (hazard ratio "
                         f"{fmt_ratio(hr, lb, ub)}; {count(r.k, 'comparison')}, {level} certainty).")
        limits[oc] = f"{len(res.missing[oc])} of {len(included)}"
    g2 = res.safety[">=2"]
    harms = (f"Grade 2 or worse adverse events were reported per arm by {count(len(g2.usable), 'trial', words=True)} "
             "only, so the evidence on them is very uncertain." if len(g2.usable) < 2 else
             f"Grade 2 or worse adverse events were reported per arm by {count(len(g2.usable), 'trial')}.")
    harms += " " + deaths_sentence(res.safety["5"])
    differs = effect_modification_sentence(res)
    target = int(paper.at["participants_included", "estimate"])
    share = 100 * c["participants"] / target
    tiers = res.review.records.loc[res.review.records["decision"] == "included", "source_tier"]
    by_tier = tiers.value_counts()
    tier_words = {"abstract": ("abstract or journal page", "abstracts or journal pages"),
                  "news": ("news report", "news reports"), "congress": ("congress report", "congress reports"),
                  "registry": ("registry entry", "registry entries"), "review": ("review", "reviews")}
    read_as = [count(int(n), *tier_words.get(t, (t, t + "s"))) for t, n in by_tier.items()]
    return {
        "plain_summary": (f"This book gathered the randomised trials that compared adding metastasis-directed therapy "
                          f"(MDT) to standard care with standard care alone in people with a few metastases: "
                          f"{count(c['comparisons_included'], 'comparison')} from {count(c['trials_included'], 'trial')}, "
                          f"{c['participants']:,} participants. " + " ".join(sentences) + (f" {differs}" if differs else "")
                          + " " + harms
                          + f" Of the {len(included)} comparisons, {len(res.missing['OS'])} published no usable "
                          f"overall-survival result and {len(res.missing['PFS'])} no usable progression-free "
                          "result; the certainty counts them."),
        "limit_sources": (f"MEDLINE, Embase and CENTRAL were not searched; only public sources were read, never a "
                          f"full text or a protocol: the {len(tiers)} records used are {join_words(read_as)}."),
        "limit_missing": (f"No poolable result: progression-free survival in {limits['PFS']} included comparisons, "
                          f"overall survival in {limits['OS']}."),
        "limit_participants": (f"{c['participants']:,} participants in the included comparisons, "
                               f"{share:.0f}% of the paper's {target:,}; the paper's list of trials is not public."),
    }
