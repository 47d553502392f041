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
from helpers.review.settings import SETTINGS, AnalysisSettings

__all__ = ["ae_table", "SafetyResult", "pool_safety", "nnt_text", "GRADES"]

GRADES = {">=2": "grade ≥2", ">=3": "grade ≥3", "5": "grade 5 (deaths)"}


def _count(events, pct, total):
    """(count, how): printed count, else derived from a printed percentage and the total."""
    if pd.notna(events):
        return int(events), "printed"
    if pd.notna(pct) and pd.notna(total):
        return int(round(float(pct) / 100 * float(total))), f"{float(pct):g}% of {int(total)}"
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
            rows.append({"trial_id": tid, "trial": t["trial_name"], "status": "not reported", "attribution": None,
                         "ai": None, "n1i": None, "ci": None, "n2i": None, "how": "not reported",
                         "record_id": None, "quote": None})
            continue
        r = sub.iloc[0]
        n1 = r["total_mdt"] if pd.notna(r["total_mdt"]) else t["n_mdt"]
        n2 = r["total_control"] if pd.notna(r["total_control"]) else t["n_control"]
        a, how_a = _count(r["events_mdt"], r["pct_mdt"], n1)
        c, how_c = _count(r["events_control"], r["pct_control"], n2)
        usable = None not in (a, c) and pd.notna(n1) and pd.notna(n2)
        status = "usable" if usable else ("not reported" if a is None and c is None else "incomplete")
        rows.append({"trial_id": tid, "trial": t["trial_name"], "status": status, "attribution": r["attribution"],
                     "ai": a, "n1i": int(n1) if pd.notna(n1) else None, "ci": c,
                     "n2i": int(n2) if pd.notna(n2) else None, "how": f"MDT: {how_a}; control: {how_c}",
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
