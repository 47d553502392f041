"""Adverse events: per-trial 2×2 tables from ``adverse_events.csv`` and their pooling
(Mantel–Haenszel OR and RD, random effects on the log OR, Peto OR), absolute risks and
the number needed to harm.  "Not reported" is never turned into zero."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.review.data import Review
from helpers.meta.effects import escalc_or
from helpers.meta.mh import MHResult, rma_mh, rma_peto
from helpers.meta.rma import NotEstimable, RMAResult, rma
from helpers.review.labels import reader_labels
from helpers.review.settings import SETTINGS, AnalysisSettings
from helpers.show.labels import source

__all__ = ["ae_table", "SafetyResult", "pool_safety", "nnt_text", "GRADES", "one_or", "safety_glue_values", "deaths_table",
           "quality_of_life_table"]

GRADES = {">=2": "grade ≥2", ">=3": "grade ≥3", "5": "grade 5 (deaths)"}


def printed_decimals(pct: float) -> int:
    """Decimals of a percentage as stored (30.3 → 1, 20 → 0)."""
    text = f"{float(pct):g}"
    return len(text.split(".")[1]) if "." in text else 0


def count_from_percentage(pct: float, total: float) -> int | None:
    """The whole number of patients out of ``total`` that reproduces the printed percentage
    ``pct`` to its printed precision (30.3 % of 66 → 20), or None when none does (then the
    percentage was of another population, e.g. the safety population, and is not converted)."""
    n = int(round(float(pct) / 100 * float(total)))
    tolerance = 0.5 * 10 ** -printed_decimals(pct) + 1e-9
    return n if abs(100 * n / float(total) - float(pct)) <= tolerance else None


def _count(events, pct, total):
    """(count, how): printed count; else derived from a printed percentage and the arm size
    when the count reproduces the percentage; else None with the reason."""
    if pd.notna(events):
        return int(events), "printed"
    if pd.notna(pct):
        if pd.isna(total):
            return None, f"{float(pct):g}% printed, arm size not reported"
        n = count_from_percentage(pct, total)
        if n is None:
            return None, f"{float(pct):g}% printed: no whole number of the {int(total)} randomised gives it"
        return n, f"derived from {float(pct):g}% of {int(total)}"
    return None, "not reported"


def ae_table(review: Review, grade: str) -> pd.DataFrame:
    """One row per included comparison: events and totals per arm for ``grade``
    (the primary row; treatment-related preferred over all-cause), with status
    ``usable`` / ``not reported`` and how the counts were obtained."""
    ae = review.adverse_events[review.adverse_events["grade"] == grade]
    ae = ae[ae["primary"] == "yes"]
    trials = review.included.set_index("trial_id")
    rows = []
    for tid, t in trials.iterrows():
        sub = ae[ae["trial_id"] == tid].sort_values("attribution", ascending=False)  # treatment-related first
        if sub.empty:
            rows.append({"trial_id": tid, "trial": t["trial_name"], "trial_group": t["trial_group"], "status": "not reported", "attribution": None,
                         "ai": None, "n1i": None, "ci": None, "n2i": None, "how": "not reported",
                         "pct_mdt": None, "pct_control": None,
                         "record_id": None, "quote": None})
            continue
        r = sub.iloc[0]
        n1 = r["total_mdt"] if pd.notna(r["total_mdt"]) else t["n_mdt"]
        n2 = r["total_control"] if pd.notna(r["total_control"]) else t["n_control"]
        a, how_a = _count(r["events_mdt"], r["pct_mdt"], n1)
        c, how_c = _count(r["events_control"], r["pct_control"], n2)
        usable = None not in (a, c) and pd.notna(n1) and pd.notna(n2)
        silent = how_a == how_c == "not reported"
        status = "usable" if usable else ("not reported" if silent else "incomplete")
        rows.append({"trial_id": tid, "trial": t["trial_name"], "trial_group": t["trial_group"], "status": status, "attribution": r["attribution"],
                     "ai": a, "n1i": int(n1) if pd.notna(n1) else None, "ci": c,
                     "n2i": int(n2) if pd.notna(n2) else None, "how": f"MDT: {how_a}; control: {how_c}",
                     "pct_mdt": r["pct_mdt"], "pct_control": r["pct_control"],
                     "record_id": r["record_id"], "quote": r["quote"]})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SafetyResult:
    grade: str
    table: pd.DataFrame
    usable: pd.DataFrame
    mh_or: MHResult | None
    mh_rd: MHResult | None
    peto: MHResult | None
    re_or: RMAResult | None
    re_k: int
    double_zero: list
    risk_mdt: float
    risk_control: float


def pool_safety(review: Review, grade: str, settings: AnalysisSettings = SETTINGS) -> SafetyResult:
    """All the pooled estimates for one grade; each is None where not estimable."""
    t = ae_table(review, grade)
    u = t[t["status"] == "usable"].reset_index(drop=True)
    args = [u[c].astype(float).to_numpy() for c in ("ai", "n1i", "ci", "n2i")]

    def attempt(f):
        try:
            return f()
        except (NotEstimable, ValueError):
            return None
    mh_or = attempt(lambda: rma_mh(*args, measure="OR")) if len(u) else None
    mh_rd = attempt(lambda: rma_mh(*args, measure="RD")) if len(u) else None
    peto = attempt(lambda: rma_peto(*args)) if len(u) else None
    re_or, re_k, double_zero = None, 0, []
    if len(u):
        yi, vi = escalc_or(*args, add=settings.or_add, to=settings.or_to)
        ok = np.isfinite(yi)
        double_zero = list(u.loc[~ok, "trial"])
        re_k = int(ok.sum())
        if re_k:
            re_or = rma(yi[ok], vi[ok], method=settings.method, test=settings.test, slab=list(u.loc[ok, "trial"]))
    risk_mdt = float(u["ai"].sum() / u["n1i"].sum()) if len(u) else math.nan
    risk_control = float(u["ci"].sum() / u["n2i"].sum()) if len(u) else math.nan
    return SafetyResult(grade, t, u, mh_or, mh_rd, peto, re_or, re_k, double_zero, risk_mdt, risk_control)


def nnt_text(rd: float, lb: float, ub: float) -> str:
    """Number needed to treat for one more harm (NNTH) or benefit (NNTB) from a risk
    difference (MDT − control) and its CI, in Altman's (1998, BMJ 317:1309) notation when
    the CI crosses zero: "NNTH 10 (NNTH 5 to ∞ to NNTB 40)"."""
    def one(x):
        if x == 0:
            return "\u221e"
        return f"NNTH {math.ceil(1 / x)}" if x > 0 else f"NNTB {math.ceil(-1 / x)}"
    point = one(rd)
    if lb > 0 or ub < 0:
        lo, hi = sorted([1 / lb, 1 / ub], key=abs)
        return f"{point} (95% CI {one(1 / lo)} to {one(1 / hi)})"
    return f"{point} (95% CI {one(ub)} to \u221e to {one(lb)})"


def one_or(sr: SafetyResult) -> tuple[float, float, float] | None:
    """The Mantel–Haenszel OR (a trial's own OR when k = 1) on the ratio scale, or None."""
    r = sr.mh_or
    return None if r is None else (math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub))


def safety_glue_values(pooled: dict[str, SafetyResult], n_included: int) -> dict[str, str]:
    """The safety chapter's prose values. With one trial nothing is called pooled: the
    sentence names the trial and gives its own odds ratio."""
    from helpers.show.text import count, fmt_ratio

    g2 = pooled[">=2"]
    k = len(g2.usable)
    orr = one_or(g2)
    v = {"k2": f"{count(k, 'comparison')} {'reports' if k == 1 else 'report'}", "k2_missing": str(int((g2.table["status"] != "usable").sum())),
         "n_comparisons": str(n_included), "add": f"{SETTINGS.or_add:g}"}
    if k == 0:
        v["or2_sentence"] = "No included trial reports grade ≥2 adverse events per arm, so no odds ratio can be given."
    elif k == 1:
        t = g2.usable.iloc[0]
        v["or2_sentence"] = (f"Only one trial, {t['trial']}, reports them per arm ({int(t['ai'])}/{int(t['n1i'])} "
                             f"with MDT and {int(t['ci'])}/{int(t['n2i'])} with control): its odds ratio is "
                             f"{fmt_ratio(*orr)}. Nothing is pooled; one trial cannot show how harms vary "
                             "across trials, and the paper's pooled odds ratio cannot be compared with it.")
    else:
        nnt = nnt_text(g2.mh_rd.beta, g2.mh_rd.ci_lb, g2.mh_rd.ci_ub) if g2.mh_rd else "not estimable"
        re = (fmt_ratio(math.exp(g2.re_or.beta), math.exp(g2.re_or.ci_lb), math.exp(g2.re_or.ci_ub))
              if g2.re_or is not None else "not estimable")
        v["or2_sentence"] = (f"Across these trials {100 * g2.risk_mdt:.1f}% of patients given MDT and "
                             f"{100 * g2.risk_control:.1f}% of controls had a grade ≥2 event. The pooled "
                             f"Mantel–Haenszel odds ratio is {fmt_ratio(*orr) if orr else 'not estimable'} and the "
                             f"random-effects odds ratio {re}; from the Mantel–Haenszel risk difference, {nnt}.")
    g5 = pooled["5"]
    v["k5"] = count(len(g5.usable), "trial")
    v["deaths_mdt"] = str(int(g5.usable["ai"].sum())) if len(g5.usable) else "0"
    v["deaths_control"] = str(int(g5.usable["ci"].sum())) if len(g5.usable) else "0"
    v["double_zero_5"] = ", ".join(g5.double_zero) or "none"
    return v


def deaths_table(review: Review) -> pd.DataFrame:
    """Grade 5 (treatment-related death) rows of the included comparisons, as printed."""
    ae = review.adverse_events
    deaths = ae[(ae["grade"] == "5") & ae["trial_id"].isin(review.included["trial_id"])]
    names = review.trials.set_index("trial_id")["trial_name"]
    records = reader_labels(review).records
    return pd.DataFrame({"Trial": [names[t] for t in deaths["trial_id"]],
                         "MDT": deaths["events_mdt"].astype("string").fillna("not reported"),
                         "Control": deaths["events_control"].astype("string").fillna("not reported"),
                         "Source": [source(r, records) for r in deaths["record_id"]], "Quote": deaths["quote"]})


def quality_of_life_table(review: Review) -> pd.DataFrame:
    """What each included comparison's sources say about quality of life (provenance field
    ``quality_of_life``), or that they say nothing."""
    qol = review.provenance[review.provenance["field"] == "quality_of_life"]
    inc = review.included.set_index("trial_id")
    return pd.DataFrame([{"Trial": inc.at[t, "trial_name"],
                          "Quality of life": "; ".join(qol.loc[qol["trial_id"] == t, "quote"])
                          or "nothing reported in the sources read"} for t in inc.index])
