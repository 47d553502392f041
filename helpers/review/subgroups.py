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

__all__ = ["SubgroupResult", "subgroup_analysis", "iceman", "FACTORS", "factor_levels", "collinearity_table",
           "claims_table", "claims_by_question", "significant_sentence", "subgroup_glue_values", "ALPHA", "CLAIMED",
           "tests_phrase", "tests_made_sentence", "tests_run", "cancer_interaction"]

# factor → (column of the hazard-ratio table, levels entering the test, levels shown apart)
FACTORS: dict[str, tuple[str, tuple[str, ...] | None, tuple[str, ...]]] = {
    "Timing of MDT": ("timing", ("upfront", "consolidation"), ()),
    "Disease state": ("disease_state", ("de_novo", "recurrent"), ("mixed", "oligoprogressive")),
    "Primary cancer": ("cancer_group", None, ()),
    "MDT modality": ("modality_class", None, ()),
    "Control arm": ("control_class", ("observation", "active therapy"), ()),
    "Trial phase": ("phase", None, ()),
}


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


def tests_phrase(n_tests: int, n_possible: int | None = None) -> str:
    """How many interaction tests were run, out of how many the factors and outcomes make:
    '12 tests (6 factors × 2 outcomes)', or '10 tests run (of 12 possible: 6 factors × 2 outcomes)'."""
    n_possible = 2 * len(FACTORS) if n_possible is None else n_possible
    made = f"{len(FACTORS)} factors × 2 outcomes"
    return (f"{n_tests} tests ({made})" if n_tests == n_possible else
            f"{n_tests} tests run (of {n_possible} possible: {made})")


def iceman(result: "SubgroupResult", other: "SubgroupResult | None" = None, n_tests: int = 12,
           n_possible: int | None = None) -> dict[str, str]:
    """ICEMAN (Schandelmaier et al. 2020, CMAJ 192:E901) for a claimed difference between
    trial-level subgroups: the answers that follow from the data and the design, and the
    overall credibility.  Between-trial comparisons cap credibility at "low".  ``n_tests`` is
    the number of interaction tests run, ``n_possible`` the number the factors and outcomes
    make (default: 2 × the number of factors)."""
    p = result.p_separate
    answers = {
        "Within-trial comparison?": "no: subgroups are whole trials (between-trial comparison)",
        "Pre-specified hypothesis with direction?": "no: taken from the paper's abstract, direction not stated",
        "Chance a likely explanation?": ("yes: interaction p ≥ 0.05" if not p < 0.05 else
                                         "possibly: p < 0.05 but one of " + tests_phrase(n_tests, n_possible)),
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


ALPHA = 0.05   # the conventional level: only to count how many tests chance alone would flag
CLAIMED = ("Timing of MDT", "Disease state")   # the factors the paper's abstract reads as differences


def collinearity_table(table: pd.DataFrame) -> pd.DataFrame:
    """PFS comparisons cross-tabulated by timing and disease state (reader words, in sentence
    case as row and column headings)."""
    from helpers.show.labels import heading

    est = table[table["estimable"]]
    tab = pd.crosstab(est["timing"].fillna("oligoprogression").map(heading), est["disease_state"].map(heading),
                      margins=True, margins_name="All")
    return tab.reset_index().rename(columns={"timing": "PFS comparisons: timing \\ disease state"})


def _profile(table: pd.DataFrame, level: str) -> str:
    """The commonest disease state, cancer and control arm among the comparisons of a timing level."""
    from helpers.show.labels import label

    g = table[table["estimable"] & (table["timing"] == level)]
    if g.empty:
        return f"no {level} comparison"
    parts = [f"{(g[c] == g[c].mode()[0]).sum()} of {len(g)} {label(g[c].mode()[0])}"
             for c in ("disease_state", "cancer_group", "control_class")]
    return f"{level} comparisons: " + ", ".join(parts)


def claims_table(results: dict, n_tests: int) -> pd.DataFrame:
    """The paper's subgroup claims with both interaction tests and the ICEMAN answers."""
    from helpers.show.text import fmt_test_p

    rows = []
    for oc in ("PFS", "OS"):
        other = "OS" if oc == "PFS" else "PFS"
        for f in CLAIMED:
            r = results[(oc, f)]
            rows.append({"Outcome": oc, "Factor": f, "Interaction (separate τ²)": fmt_test_p(r.p_separate),
                         "Interaction (common τ²)": fmt_test_p(r.p_common),
                         **iceman(r, results[(other, f)], n_tests=n_tests, n_possible=len(results))})
    return pd.DataFrame(rows).rename(columns={"rating": "ICEMAN credibility"})


def claims_by_question(claims: pd.DataFrame) -> pd.DataFrame:
    """``claims_table`` for the page: one row per question and one column per claim (ten
    questions side by side do not fit a text column)."""
    from helpers.show.labels import label as reader

    table = claims.copy()
    names = [f"{o}: {reader(f)}" for o, f in zip(table.pop("Outcome"), table.pop("Factor"))]
    out = table.T
    out.columns = names
    return out.rename_axis("Question").reset_index()


def _lower_first(name: str) -> str:
    """A factor's name inside a sentence: 'Trial phase' → 'trial phase', 'MDT modality' kept."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def tests_run(results: dict) -> int:
    """How many of the interaction tests in ``results`` could be run (a p-value, not NaN)."""
    return sum(1 for r in results.values() if not math.isnan(r.p_separate))


def cancer_interaction(results: dict | None, outcome: str, level: float) -> "SubgroupResult | None":
    """The subgroup result by primary cancer for ``outcome`` when its primary interaction test is
    significant at the level of a ``level``% CI (e.g. p < 0.05 at 95); otherwise ``None``."""
    r = (results or {}).get((outcome, "Primary cancer"))
    return r if r is not None and r.p_primary < (100 - level) / 100 else None


def significant_sentence(results: dict) -> str:
    """Which interaction tests are significant and what they show (between-trial, unadjusted)."""
    from helpers.show.labels import label
    from helpers.show.text import count, fmt_num, fmt_p

    sig = [(k, r) for k, r in results.items() if r.p_separate < ALPHA]
    if not sig:
        return "No interaction test is significant at the 5% level."
    parts = []
    for (oc, f), r in sig:
        rows = r.rows[r.rows["in_test"]]
        levels = ", ".join(f"{label(g['level'])} {fmt_num(g['hr'])} (k = {g['k']})" for _, g in rows.iterrows())
        parts.append(f"{_lower_first(f)} for {oc} ({fmt_p(r.p_separate)}: {levels})")
    return (f"{count(len(sig), 'interaction test').capitalize()} {'is' if len(sig) == 1 else 'are'} significant at "
            f"the 5% level: " + "; ".join(parts) + ". These are comparisons between trials, not within them, and "
            "are not adjusted for the number of tests, so they generate hypotheses rather than establish differences.")


def tests_made_sentence(results: dict) -> str:
    """How many interaction tests the factors and outcomes make and how many could be run,
    naming those that could not ('6 factors × 2 outcomes make 12 possible tests, of which 10
    could be run (trial phase for PFS and OS could not be tested: …)')."""
    from helpers.show.text import join_words

    n_tests = tests_run(results)
    factors = list(dict.fromkeys(f for _, f in results))
    outcomes = list(dict.fromkeys(oc for oc, _ in results))
    text = (f"{len(factors)} factors × {len(outcomes)} outcomes make {len(results)} possible tests, of which "
            f"{n_tests} could be run")
    untested = {}
    for (oc, f), r in results.items():
        if math.isnan(r.p_separate):
            untested.setdefault(f, []).append(oc)
    if untested:
        items = [f"{_lower_first(f)} for {join_words(ocs)}" for f, ocs in untested.items()]
        text += (f" ({join_words(items)} could not be tested: fewer than two of the subgroups have pooled "
                 "comparisons)")
    return text


def subgroup_glue_values(results: dict, tables: dict, settings: AnalysisSettings = SETTINGS) -> dict[str, str]:
    """Every number and computed phrase of the subgroups chapter's prose, as text."""
    from helpers.show.text import fmt_test_p

    n_tests = tests_run(results)
    claimed = [results[(oc, f)].p_separate for oc in ("PFS", "OS") for f in CLAIMED]
    claims = claims_table(results, n_tests)
    v = {"primary_test": "the separate-τ² test" if settings.subgroup_test == "separate_tau2" else "the common-τ² test",
         "singletons": "enter it" if settings.subgroup_singletons_enter else "do not enter it",
         "n_factors": str(len(FACTORS)), "n_tests": str(n_tests), "method": settings.describe(),
         "collinear": "; ".join(_profile(tables["PFS"], lv) for lv in ("upfront", "consolidation")),
         "n_sig": (lambda n: f"{n} {'is' if n == 1 else 'are'}")(sum(1 for r in results.values() if r.p_separate < ALPHA)),
         "alpha": f"{100 * ALPHA:g}%", "expected_false": f"{ALPHA * n_tests:.1f}",
         "verdict": "do not carry that reading" if all(not p < ALPHA for p in claimed)
         else "support a difference for at least one of them",
         "best_rating": max(claims["ICEMAN credibility"], key=["very low", "low", "moderate", "high"].index),
         "significant": significant_sentence(results), "tests_made": tests_made_sentence(results)}
    for oc in ("PFS", "OS"):
        v[f"timing_{oc.lower()}_p"] = fmt_test_p(results[(oc, "Timing of MDT")].p_separate)
        v[f"state_{oc.lower()}_p"] = fmt_test_p(results[(oc, "Disease state")].p_separate)
    return v
