"""This review's subgroup analyses: the factors and their levels, each level pooled with
the primary model, both tests for subgroup differences (``helpers.meta.subgroup``), and
the ICEMAN credibility answers."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from helpers.meta.rma import NotEstimable, rma
from helpers.meta.subgroup import q_between, q_moderator
from helpers.review.settings import SETTINGS, AnalysisSettings

__all__ = ["SubgroupResult", "subgroup_analysis", "iceman", "FACTORS", "modality_class", "factor_levels"]

# factor → (column of the hazard-ratio table, levels entering the test, levels shown apart)
FACTORS: dict[str, tuple[str, tuple[str, ...] | None, tuple[str, ...]]] = {
    "Timing of MDT": ("timing", ("upfront", "consolidation"), ()),
    "Disease state": ("disease_state", ("de_novo", "recurrent"), ("mixed", "oligoprogressive")),
    "Primary cancer": ("cancer_group", None, ()),
    "MDT modality": ("modality_class", ("SBRT", "surgery/other"), ()),
    "Control arm": ("control_class", ("observation", "active therapy"), ()),
    "Trial phase": ("phase", None, ()),
}


def modality_class(mdt_modality: str) -> str:
    """SBRT/SABR alone → "SBRT"; anything including surgery, ablation or other RT → "surgery/other"."""
    text = str(mdt_modality)
    if re.search(r"surg|resect|ablat|metastasectomy|RFA|\bLND\b", text, re.I):
        return "surgery/other"
    return "SBRT" if re.search(r"SBRT|SABR|SAbR|stereotactic", text, re.I) else "surgery/other"


def factor_levels(table: pd.DataFrame, factor: str) -> tuple[str, list[str], list[str]]:
    col, tested, apart = FACTORS[factor]
    present = [v for v in pd.unique(table[col].dropna())]
    tested_levels = [v for v in (tested or sorted(present)) if v in present]
    return col, tested_levels, [v for v in apart if v in present]


@dataclass(frozen=True)
class SubgroupResult:
    factor: str
    rows: pd.DataFrame        # one row per level: k, n, hr, ci_lb, ci_ub, tau2, I2, in_test
    q_separate: float
    df_separate: int
    p_separate: float
    qm_common: float
    qm_df: tuple
    p_common: float
    k_test: int

    @property
    def p_primary(self) -> float:
        return self.p_separate if SETTINGS.subgroup_test == "separate_tau2" else self.p_common


def subgroup_analysis(table: pd.DataFrame, factor: str, settings: AnalysisSettings = SETTINGS) -> SubgroupResult:
    """Pool each level of ``factor`` and test the difference between the tested levels."""
    t = table[table["estimable"]].copy()
    t["modality_class"] = [modality_class(m) for m in t["mdt_modality"]]
    col, tested, apart = factor_levels(t, factor)
    rows = []
    for level in tested + apart:
        g = t[t[col] == level]
        try:
            res = rma(g["yi"].to_numpy(float), g["vi"].to_numpy(float), method=settings.method,
                      test=settings.test, level=settings.level)
        except NotEstimable:
            continue
        enters = level in tested and (res.k > 1 or settings.subgroup_singletons_enter)
        rows.append({"level": level, "k": res.k, "n": int(g["n"].dropna().sum()), "hr": math.exp(res.beta),
                     "ci_lb": math.exp(res.ci_lb), "ci_ub": math.exp(res.ci_ub), "tau2": res.tau2, "I2": res.I2,
                     "yi": res.beta, "se": res.se, "in_test": enters,
                     "trials": ", ".join(g["trial"])})
    rows_df = pd.DataFrame(rows)
    used = rows_df[rows_df["in_test"]] if len(rows_df) else rows_df
    if len(used) >= 2:
        q, df, p = q_between(used["yi"], used["se"])
    else:
        q, df, p = math.nan, 0, math.nan
    levels_in = list(used["level"]) if len(used) else []
    g = t[t[col].isin(levels_in)]
    qm, qm_df, p_c = q_moderator(g["yi"], g["vi"], g[col], levels_in, method=settings.method, test=settings.test,
                                 level=settings.level)
    return SubgroupResult(factor, rows_df, q, df, p, qm, qm_df, p_c, len(g))


def iceman(result: "SubgroupResult", other: "SubgroupResult | None" = None, n_tests: int = 12) -> dict[str, str]:
    """ICEMAN (Schandelmaier et al. 2020, CMAJ 192:E901) for a claimed difference between
    trial-level subgroups: the answers that follow from the data and the design, and the
    overall credibility.  Between-trial comparisons cap credibility at "low"."""
    p = result.p_separate
    answers = {
        "Within-trial comparison?": "no: subgroups are whole trials (between-trial comparison)",
        "Pre-specified hypothesis with direction?": "no: taken from the paper's abstract, direction not stated",
        "Chance a likely explanation?": ("yes: interaction p ≥ 0.05" if not p < 0.05 else
                                         "possibly: p < 0.05 but one of " + str(n_tests) + " tests (6 factors × 2 outcomes)"),
        "Consistent across related outcomes?": "not assessable",
        "Confounded by other trial features?": "likely: timing, disease state, cancer type and control arm are collinear across trials",
    }
    if other is not None and len(result.rows) and len(other.rows):
        a = result.rows.set_index("level")["hr"]
        b = other.rows.set_index("level")["hr"]
        common = [lv for lv in a.index if lv in b.index]
        if len(common) >= 2:
            same = (a[common].idxmin() == b[common].idxmin())
            answers["Consistent across related outcomes?"] = ("yes: the same subgroup does better for PFS and OS"
                                                             if same else "no: the ordering differs between PFS and OS")
    if not p < 0.05:
        rating = "very low"
    else:
        rating = "low"
    return {"rating": rating, **answers}
