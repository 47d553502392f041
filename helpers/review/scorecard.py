"""The reproduction scorecard: each estimate the source paper's abstract reports, set
beside this book's estimate for the same analysis (DerSimonian–Laird and REML, z-tests:
the paper says only "random-effects")."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.review.hazard_ratios import hazard_ratios
from helpers.review.data import Review
from helpers.meta.effects import escalc_or
from helpers.show.text import fmt_ratio
from helpers.meta.rma import NotEstimable, rma
from helpers.review.safety import ae_table

__all__ = ["scorecard"]


def _ours(review: Review, row: pd.Series, method: str):
    if row["measure"] == "OR":
        u = ae_table(review, ">=2")
        u = u[u["status"] == "usable"]
        if u.empty:
            raise NotEstimable("no usable grade ≥2 tables")
        yi, vi = escalc_or(*(u[c].astype(float).to_numpy() for c in ("ai", "n1i", "ci", "n2i")))
        ok = np.isfinite(yi)
        return rma(yi[ok], vi[ok], method=method, test="z"), int(ok.sum())
    t = hazard_ratios(review, row["outcome"])
    t = t[t["estimable"]]
    if row["factor"] != "overall":
        t = t[t[row["factor"]] == row["subgroup"]]
    if t.empty:
        raise NotEstimable(f"no estimable comparison for {row['analysis_id']}")
    return rma(t["yi"].to_numpy(float), t["vi"].to_numpy(float), method=method, test="z"), len(t)


def scorecard(review: Review) -> pd.DataFrame:
    """One row per result in the paper's abstract (estimates and stated findings)."""
    paper = review.paper_reported[review.paper_reported["measure"].isin(["HR", "OR"])]
    rows = []
    for _, p in paper.iterrows():
        row = {"analysis_id": p["analysis_id"], "outcome": p["outcome"], "factor": p["factor"],
               "subgroup": p["subgroup"], "measure": p["measure"]}
        has_paper = pd.notna(p["estimate"])
        row["paper"] = fmt_ratio(p["estimate"], p["ci_lower"], p["ci_upper"]) if has_paper else p["finding"]
        paper_sig = (p["ci_upper"] < 1 or p["ci_lower"] > 1) if has_paper else False
        for method in ("DL", "REML"):
            try:
                res, k = _ours(review, p, method)
                est, lb, ub = math.exp(res.beta), math.exp(res.ci_lb), math.exp(res.ci_ub)
                row[f"ours_{method}"] = fmt_ratio(est, lb, ub)
                row[f"est_{method}"], row[f"lb_{method}"], row[f"ub_{method}"] = est, lb, ub
                row["k"] = k
            except NotEstimable:
                row[f"ours_{method}"] = "not estimable"
                row[f"est_{method}"] = row[f"lb_{method}"] = row[f"ub_{method}"] = math.nan
                row.setdefault("k", 0)
        est, lb, ub = row["est_REML"], row["lb_REML"], row["ub_REML"]
        ours_sig = (ub < 1 or lb > 1) if not math.isnan(est) else None
        if math.isnan(est):
            row.update(log_diff=math.nan, direction_agrees="—", significance_agrees="—")
        else:
            if has_paper:
                row["log_diff"] = math.log(est) - math.log(p["estimate"])
                row["direction_agrees"] = "yes" if (est < 1) == (p["estimate"] < 1) else "no"
            else:
                row["log_diff"] = math.nan
                row["direction_agrees"] = "—"
            row["significance_agrees"] = "yes" if ours_sig == paper_sig else "no"
        row["paper_est"] = p["estimate"] if has_paper else math.nan
        row["paper_lb"], row["paper_ub"] = (p["ci_lower"], p["ci_upper"]) if has_paper else (math.nan, math.nan)
        rows.append(row)
    return pd.DataFrame(rows)
