"""The primary pooled model of a hazard-ratio table (``pool``) and the pre-specified
sensitivity scenarios (``sensitivity_analyses``): other estimators and tests, and
subsets of the comparisons, each pooled the same way."""
from __future__ import annotations

import math
import warnings

import pandas as pd

from helpers.meta.rma import MetaforDeparture, NotEstimable, RMAResult, rma
from helpers.review.data import Review
from helpers.review.hazard_ratios import hazard_ratios
from helpers.review.settings import SETTINGS, AnalysisSettings

__all__ = ["pool", "sensitivity_analyses", "CONGRESS_TIERS"]

CONGRESS_TIERS = ("congress", "news")


def pool(table: pd.DataFrame, settings: AnalysisSettings = SETTINGS, method: str | None = None,
         test: str | None = None) -> RMAResult:
    """Pool the estimable rows of a ``hazard_ratios`` table (labels: trial names).

    Raises ``NotEstimable`` when no row is estimable."""
    use = table[table["estimable"]] if len(table) else table
    if len(use) == 0:
        raise NotEstimable("no estimable comparison")
    with warnings.catch_warnings():   # departures are on the result (``departures``) and become sentences
        warnings.simplefilter("ignore", MetaforDeparture)
        return rma(use["yi"].to_numpy(float), use["vi"].to_numpy(float), method=method or settings.method,
                   test=test or settings.test, level=settings.level, slab=list(use["trial"]))


def _scenario(name: str, table: pd.DataFrame, settings, method=None, test=None) -> dict:
    use = table[table["estimable"]]
    row = {"analysis": name, "k": len(use), "n": int(use["n"].dropna().sum()) if len(use) else 0}
    if len(use) < 2:
        return {**row, "hr": math.nan, "ci_lb": math.nan, "ci_ub": math.nan, "pval": math.nan,
                "tau2": math.nan, "I2": math.nan, "estimable": False}
    res = pool(use, settings, method, test)
    return {**row, "hr": math.exp(res.beta), "ci_lb": math.exp(res.ci_lb), "ci_ub": math.exp(res.ci_ub),
            "pval": res.pval, "tau2": res.tau2, "I2": res.I2, "estimable": True}


def sensitivity_analyses(review: Review, outcome: str, settings: AnalysisSettings = SETTINGS) -> pd.DataFrame:
    """The pre-specified sensitivity analyses, one row each (``estimable`` False when
    fewer than two comparisons remain): estimators and tests, first reports, true PFS
    only, no derived estimates, no congress/news-only numbers, no oligoprogression,
    no high risk of bias, phase III only."""
    t = hazard_ratios(review, outcome)
    primary_label = f"Primary model ({settings.describe()})"
    rows = [_scenario(primary_label, t, settings)]
    for m, te in settings.sensitivity_models:
        name = settings.describe(m, te)   # first letter up only: str.capitalize() would lower "DerSimonian–Laird"
        rows.append(_scenario(name[:1].upper() + name[1:], t, settings, m, te))
    rows.append(_scenario("First report of each trial", hazard_ratios(review, outcome, report="first"), settings))
    if outcome == "PFS":
        rows.append(_scenario("Progression-free survival endpoints only", t[t["endpoint_class"] == "PFS"], settings))
    rows.append(_scenario("Reported HRs only (no derived estimates)", t[t["derivation"] == "reported"], settings))
    rows.append(_scenario("Excluding congress- or news-only numbers", t[~t["source_tier"].isin(CONGRESS_TIERS)],
                          settings))
    rows.append(_scenario("Excluding oligoprogressive comparisons", t[t["disease_state"] != "oligoprogressive"],
                          settings))
    rows.append(_scenario("Excluding high risk of bias", t[t["rob_overall"] != "high"], settings))
    rows.append(_scenario("Phase III only", t[t["phase"] == "III"], settings))
    for tid, (level, used, record) in level_conflicts(review, outcome, t).items():
        name = t.loc[t["trial_id"] == tid, "trial"].iloc[0]
        rows.append(_scenario(f"{name}: CI read as {level:g}% (as {record} labels it)",
                              _with_level(t, tid, used, level), settings))
    return pd.DataFrame(rows)


def level_conflicts(review: Review, outcome: str, table: pd.DataFrame) -> dict[str, tuple[float, float, str]]:
    """Pooled comparisons whose HR and CI another source prints with a different CI level:
    trial id → (that level, the level used, the other source's citation).  Gomez 2016's PFS interval is a 90%
    CI in the primary abstract and "95% CI" in a 2024 review."""
    out = review.outcomes[(review.outcomes["outcome"] == outcome) & (review.outcomes["derivation"] == "reported")]
    records = review.records.set_index("record_id")
    found = {}
    for _, row in table[table["estimable"] & (table["derivation"] == "reported")].iterrows():
        mine = out[(out["trial_id"] == row["trial_id"])]
        used = mine[mine["primary"] == "yes"]
        if used.empty:
            continue
        u = used.iloc[0]
        for _, o in mine[mine["primary"] != "yes"].iterrows():
            if (o["hr"], o["ci_lower"], o["ci_upper"]) == (u["hr"], u["ci_lower"], u["ci_upper"]) \
                    and o["ci_level"] != u["ci_level"]:
                r = records.loc[o["record_id"]]
                found[row["trial_id"]] = (float(o["ci_level"]), float(u["ci_level"]),
                                          f"{r['journal']} {r['year']}".strip())
    return found


def _with_level(table: pd.DataFrame, trial_id: str, used: float, level: float) -> pd.DataFrame:
    """``table`` with one comparison's variance recomputed as if its CI, read at ``used``%,
    were a ``level``% CI: SE = width / (2 z), so vi scales by (z_used / z_level)²."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf
    t = table.copy()
    t.loc[t["trial_id"] == trial_id, "vi"] *= (z(0.5 + used / 200) / z(0.5 + level / 200)) ** 2
    return t
