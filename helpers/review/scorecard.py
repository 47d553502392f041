"""The reproduction scorecard: each estimate in the source paper's abstract set beside this
book's estimate for the same analysis. The book's column is the primary model (``SETTINGS``),
the one every verdict in the book is drawn from; DerSimonian–Laird and REML with z-tests sit
beside it because the paper says only "random-effects". The verdict comes from a fixed
vocabulary (``VERDICTS``)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.meta.effects import escalc_or
from helpers.meta.rma import NotEstimable, rma
from helpers.review.data import Review
from helpers.review.hazard_ratios import hazard_ratios
from helpers.review.safety import ae_table
from helpers.review.settings import SETTINGS, AnalysisSettings
from helpers.show.text import NOT_ESTIMABLE, fmt_ratio

__all__ = ["scorecard", "scorecard_glue_values", "verdict", "VERDICTS", "SECONDARY_MODELS"]

VERDICTS = ("agrees", "same direction, significance differs", "direction differs", "cannot compare (one comparison)",
            "cannot compare (no comparison)", "same comparisons as another row")
SECONDARY_MODELS = (("DL", "z"), ("REML", "z"))


def _excludes_one(lb: float, ub: float) -> bool:
    return ub < 1 or lb > 1


def verdict(k: int, est: float, lb: float, ub: float, paper_est: float, paper_lb: float, paper_ub: float) -> str:
    """The scorecard verdict for one row (``VERDICTS``): "agrees" when the direction is the same
    and both CIs exclude 1 or both include it. One comparison is never a pooled estimate."""
    if k == 0:
        return VERDICTS[4]
    if k == 1:
        return VERDICTS[3]
    if (est < 1) != (paper_est < 1):
        return VERDICTS[2]
    return VERDICTS[0] if _excludes_one(lb, ub) == _excludes_one(paper_lb, paper_ub) else VERDICTS[1]


def _comparisons(review: Review, row: pd.Series, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The comparisons (id, label, yi, vi, n) that enter the book's estimate for a paper row."""
    if row["measure"] == "OR":
        u = ae_table(review, ">=2")
        u = u[u["status"] == "usable"]
        yi, vi = escalc_or(*(u[c].astype(float).to_numpy() for c in ("ai", "n1i", "ci", "n2i")),
                           add=SETTINGS.or_add, to=SETTINGS.or_to)
        t = pd.DataFrame({"trial_id": u["trial_id"].to_numpy(), "trial": u["trial"].to_numpy(), "yi": yi, "vi": vi,
                          "n": (u["n1i"].astype(float) + u["n2i"].astype(float)).to_numpy()})
        return t[np.isfinite(t["yi"])]
    if row["outcome"] not in tables:
        tables[row["outcome"]] = hazard_ratios(review, row["outcome"])
    t = tables[row["outcome"]]
    t = t[t["estimable"]]
    if row["factor"] != "overall":
        t = t[t[row["factor"]] == row["subgroup"]]
    return t[["trial_id", "trial", "yi", "vi", "n"]]


def _fit(t: pd.DataFrame, method: str, test: str, level: float):
    if len(t) == 0:
        raise NotEstimable("no estimable comparison")
    res = rma(t["yi"].to_numpy(float), t["vi"].to_numpy(float), method=method, test=test, level=level)
    return math.exp(res.beta), math.exp(res.ci_lb), math.exp(res.ci_ub)


def scorecard(review: Review, settings: AnalysisSettings = SETTINGS,
              tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per estimate in the paper's abstract: the paper's value, this book's under the
    primary model (``hr, ci_lb, ci_ub``, ``k``, ``n``, ``ids``) and under the secondary models
    (``book_DL_z``, ``book_REML_z``, as text), and the ``verdict``; ``same_as`` names the earlier
    row with exactly the same comparisons. ``tables`` (outcome → ``hazard_ratios`` table) are the
    build's own; the missing ones are assembled here, once per outcome."""
    paper = review.paper_reported[review.paper_reported["measure"].isin(["HR", "OR"])]
    rows, seen, tables = [], {}, dict(tables or {})
    for _, p in paper.iterrows():
        t = _comparisons(review, p, tables)
        row = {"analysis_id": p["analysis_id"], "outcome": p["outcome"], "factor": p["factor"],
               "subgroup": p["subgroup"], "measure": p["measure"], "paper_est": p["estimate"],
               "paper_lb": p["ci_lower"], "paper_ub": p["ci_upper"],
               "paper": fmt_ratio(p["estimate"], p["ci_lower"], p["ci_upper"]) if pd.notna(p["estimate"])
               else p["finding"],
               "k": len(t), "n": int(pd.to_numeric(t["n"], errors="coerce").dropna().sum()),
               "ids": tuple(t["trial_id"]), "trials": ", ".join(t["trial"])}
        try:
            est, lb, ub = _fit(t, settings.method, settings.test, settings.level)
        except NotEstimable:
            est = lb = ub = math.nan
        row.update(hr=est, ci_lb=lb, ci_ub=ub, book=NOT_ESTIMABLE if math.isnan(est) else fmt_ratio(est, lb, ub))
        for m, te in SECONDARY_MODELS:
            try:
                row[f"book_{m}_{te}"] = fmt_ratio(*_fit(t, m, te, settings.level))
            except NotEstimable:
                row[f"book_{m}_{te}"] = NOT_ESTIMABLE
        if row["k"] == 1:   # one trial is shown as that trial's estimate, never as a pooled one
            for col in ("book", *(f"book_{m}_{te}" for m, te in SECONDARY_MODELS)):
                row[col] = f"one trial: {row[col]}"
        key = (p["outcome"], p["measure"], row["ids"])
        row["same_as"] = seen.get(key, "") if row["k"] else ""
        seen.setdefault(key, p["analysis_id"])
        if row["same_as"]:
            row["verdict"] = VERDICTS[5]
        elif pd.isna(p["estimate"]):
            row["verdict"] = VERDICTS[4] if row["k"] == 0 else ("cannot compare (one comparison)" if row["k"] == 1
                                                               else "no estimate in the paper")
        else:
            row["verdict"] = verdict(row["k"], est, lb, ub, p["estimate"], p["ci_lower"], p["ci_upper"])
        rows.append(row)
    return pd.DataFrame(rows)


def scorecard_glue_values(card: pd.DataFrame) -> dict[str, str]:
    """The scorecard's counts in words: how many rows, and how many of each verdict."""
    from helpers.show.text import count

    tally = card["verdict"].value_counts()
    parts = [f"{v}, {count(int(tally[v]), 'estimate')}" for v in VERDICTS if v in tally.index]
    return {"n": str(len(card)), "summary": "Verdicts: " + "; ".join(parts) + "."}
