"""One efficacy analysis (PFS or OS), written once and called by both chapters:
``efficacy_report(review, "PFS")`` computes everything the chapter shows, and
``efficacy_glue_values(report)`` formats every number the prose quotes."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.review.hazard_ratios import hazard_ratios
from helpers.review.scenarios import pool, sensitivity_analyses
from helpers.meta.small_study import RegtestResult, TrimfillResult, regtest, trimfill
from helpers.review.data import Review
from helpers.review.grade import certainty, grade_triggers, grade_wording_for
from helpers.review.missing import MissingAssessment, assess_missing
from helpers.show.text import count, fmt_ci, fmt_num, fmt_p, fmt_ratio
from helpers.meta.rma import RMAResult, rma
from helpers.meta.diagnostics import cumul, influence, leave1out
from helpers.review.settings import SETTINGS, AnalysisSettings
from helpers.show.plots import forest_plot

OUTCOME_PHRASES = {"PFS": "progression-free survival", "OS": "overall survival"}

__all__ = ["EfficacyReport", "efficacy_report", "efficacy_glue_values", "concern_sentence", "control_baselines", "absolute_effects", "OUTCOME_PHRASES",
           "forest_figure", "absolute_survival", "more_fewer", "more_fewer_interval", "signed"]


@dataclass(frozen=True)
class EfficacyReport:
    outcome: str
    table: pd.DataFrame            # every included comparison with a row for this outcome
    pooled: pd.DataFrame           # the estimable rows, in the order pooled
    res: RMAResult
    pred: dict
    het: pd.DataFrame              # confint(): tau2, tau, I2, H2 with Q-profile CIs
    sensitivity: pd.DataFrame
    loo: pd.DataFrame
    loo_z: pd.DataFrame            # leave-one-out under REML with z-tests, beside the primary model
    infl: pd.DataFrame
    cumulative: pd.DataFrame
    egger: RegtestResult | None
    tf: TrimfillResult | None
    small_study_note: str
    baseline: pd.DataFrame        # control-arm baseline per cancer group (control_baselines)
    absolute: pd.DataFrame        # absolute effects per cancer group with a baseline
    settings: AnalysisSettings
    grade: dict            # computed GRADE downgrades per domain: (levels, reason)
    certainty: str
    missing: MissingAssessment   # missing results named, imputed and tipped; ROB-ME


def control_baselines(table: pd.DataFrame) -> pd.DataFrame:
    """One row per cancer group among the pooled comparisons: the control-arm medians
    (months) that the group's own pooled comparisons print, their median, and the trials
    they come from.  A group without a printed control median has ``median_months`` NaN:
    no baseline is borrowed from another cancer (there is no single baseline for a mixed pool)."""
    rows = []
    use = table[table["estimable"]]
    for group, g in use.groupby("cancer_group", sort=True):
        med = pd.to_numeric(g["median_control"], errors="coerce")
        ok = med.notna() & g["median_unit"].fillna("months").astype(str).str.startswith("month")
        rows.append({"cancer_group": group, "k": len(g), "median_months": float(med[ok].median()) if ok.any()
                     else math.nan, "sources": list(g.loc[ok, "trial"]), "k_baseline": int(ok.sum())})
    return pd.DataFrame(rows, columns=["cancer_group", "k", "median_months", "sources", "k_baseline"])


def absolute_survival(hr: float, control_survival: float) -> float:
    """Survival with MDT from the control-arm survival (a proportion) under proportional
    hazards: S_MDT = S_control ** HR."""
    if not 0 <= control_survival <= 1:
        raise ValueError("control survival must be a proportion")
    return control_survival ** hr


def absolute_effects(hr: float, lb: float, ub: float, baselines: pd.DataFrame, months: float = 12.0) -> pd.DataFrame:
    """Per cancer group with a control-arm baseline, at ``months`` (within the trials'
    follow-up): exponential control survival S_control(t) = 0.5 ** (t / median), and
    S_MDT(t) = S_control(t) ** HR; per 1,000 with the CI from the HR's CI."""
    rows = []
    for _, b in baselines.dropna(subset=["median_months"]).iterrows():
        s0 = 0.5 ** (months / b["median_months"])
        rows.append({"cancer_group": b["cancer_group"], "months": months, "median_months": b["median_months"],
                     "sources": b["sources"],
                     "control": s0, "mdt": absolute_survival(hr, s0), "mdt_lb": absolute_survival(ub, s0),
                     "mdt_ub": absolute_survival(lb, s0), "per_1000": 1000 * (s0**hr - s0),
                     "per_1000_lb": 1000 * (s0**ub - s0), "per_1000_ub": 1000 * (s0**lb - s0)})
    return pd.DataFrame(rows, columns=["cancer_group", "months", "median_months", "sources", "control", "mdt",
                                       "mdt_lb", "mdt_ub", "per_1000", "per_1000_lb", "per_1000_ub"])


def efficacy_report(review: Review, outcome: str, settings: AnalysisSettings = SETTINGS) -> EfficacyReport:
    """Everything the PFS or OS chapter shows, computed from ``review`` with ``settings``."""
    table = hazard_ratios(review, outcome)
    pooled = table[table["estimable"]].reset_index(drop=True)
    res = pool(pooled, settings)
    pred = res.predict(pi=settings.pi)
    het = res.confint() if res.k >= 2 and res.method != "EE" else pd.DataFrame()
    loo = leave1out(res) if res.k >= 3 else pd.DataFrame()
    loo_z = leave1out(pool(pooled, settings, "REML", "z")) if res.k >= 3 else pd.DataFrame()
    infl = influence(res) if res.k >= 3 else pd.DataFrame()
    # cumulative: the first report of each trial, in order of first publication
    first = hazard_ratios(review, outcome, report="first")
    first = first[first["estimable"]].sort_values(["first_pub_date", "trial"]).reset_index(drop=True)
    if len(first):
        res_first = rma(first["yi"].to_numpy(float), first["vi"].to_numpy(float), method=settings.method,
                        test=settings.test, level=settings.level,
                        slab=[f"{t} ({d[:4]})" for t, d in zip(first["trial"], first["first_pub_date"])])
        cumulative = cumul(res_first).assign(date=list(first["first_pub_date"]))
    else:
        cumulative = pd.DataFrame()
    if res.k >= settings.min_k_small_study:
        egger, tf = regtest(res), trimfill(res)
        note = ""
    else:
        egger = tf = None
        note = (f"Egger's test and trim-and-fill are not shown: {res.k} comparisons are pooled, fewer than the "
                f"{settings.min_k_small_study} the Cochrane Handbook asks for before testing funnel-plot asymmetry.")
    baseline = control_baselines(pooled)
    absolute = absolute_effects(math.exp(res.beta), math.exp(res.ci_lb), math.exp(res.ci_ub), baseline,
                                settings.absolute_months)
    participants = int(pooled["n"].dropna().sum())
    missing = assess_missing(review, table, outcome, settings)
    grade = grade_triggers(res, pooled, outcome, egger.pval if egger is not None else None, participants,
                           missing=missing.grade)
    return EfficacyReport(outcome, table, pooled, res, pred, het, sensitivity_analyses(review, outcome, settings),
                          loo, loo_z, infl, cumulative, egger, tf, note, baseline, absolute, settings, grade,
                          certainty(grade), missing)


def efficacy_glue_values(rep: EfficacyReport) -> dict[str, str]:
    """Every number the efficacy chapters put into prose, formatted as text."""
    r, s = rep.res, rep.settings
    hr, lb, ub = math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub)
    het = rep.het
    v = {
        "k": str(r.k), "k_all": str(len(rep.table)), "k_not_estimable": str(int((~rep.table["estimable"]).sum())),
        "n": f"{int(rep.pooled['n'].dropna().sum()):,}",
        "n_missing": str(int(rep.pooled["n"].isna().sum())),
        "hr_ci": fmt_ratio(hr, lb, ub), "hr": fmt_num(hr), "p": fmt_p(r.pval),
        "tau2": fmt_num(r.tau2, 3), "I2": f"{r.I2:.0f}%", "I2_q": f"{r.I2_q:.0f}%",
        "Q": fmt_num(r.QE, 2), "Q_df": str(r.k - 1), "Q_p": fmt_p(r.QEp),
        "method": s.describe(), "level": f"{s.level:g}%",
    }
    if not het.empty:
        v["tau2_ci"] = fmt_ci(het.at["tau2", "ci_lb"], het.at["tau2", "ci_ub"], 3)
        v["I2_ci"] = f"{het.at['I2', 'ci_lb']:.0f}%{chr(8211)}{het.at['I2', 'ci_ub']:.0f}%"
    if rep.pred["pi_lb"] is not None:
        v["pi"] = fmt_ci(math.exp(rep.pred["pi_lb"]), math.exp(rep.pred["pi_ub"]))
        v["pi_sentence"] = (f"The {s.level:g}% prediction interval for the effect in a new trial runs from "
                            f"{fmt_num(math.exp(rep.pred['pi_lb']))} to {fmt_num(math.exp(rep.pred['pi_ub']))} "
                            f"(t distribution with k − 2 = {r.k - 2} degrees of freedom).")
    else:
        v["pi"] = "not computed (k < 3)"
        v["pi_sentence"] = "No prediction interval is given: fewer than three comparisons are pooled."
    sens = rep.sensitivity[rep.sensitivity["estimable"]]
    v["sens_min"] = fmt_num(sens["hr"].min())
    v["sens_max"] = fmt_num(sens["hr"].max())
    v["sens_n_rows"] = str(len(rep.sensitivity))
    n_ne = int((~rep.sensitivity["estimable"]).sum())
    v["sens_not_estimable"] = (f"{count(n_ne, 'analysis', 'analyses')} {'leaves' if n_ne == 1 else 'leave'} fewer than "
                               f"two comparisons and {'is' if n_ne == 1 else 'are'} marked \"not estimable\"")
    if not rep.loo.empty:
        est = np.exp(rep.loo["estimate"])
        v["loo_min"], v["loo_max"] = fmt_num(est.min()), fmt_num(est.max())
        v["loo_min_trial"], v["loo_max_trial"] = str(est.idxmin()), str(est.idxmax())
        n_inf = int((rep.infl["inf"] == "*").sum())
        v["n_influential"] = f"{count(n_inf, 'comparison')} {'meets' if n_inf == 1 else 'meet'}"
    if rep.egger is not None:
        v["egger"] = f"t = {rep.egger.zval:.2f}, df = {rep.egger.dfs}, {fmt_p(rep.egger.pval)}"
        v["trimfill"] = (f"{count(rep.tf.k0, 'comparison')} imputed on the {rep.tf.side}; adjusted HR "
                         f"{fmt_ratio(math.exp(rep.tf.fit.beta), math.exp(rep.tf.fit.ci_lb), math.exp(rep.tf.fit.ci_ub))}")
        v["small_study_text"] = (f"Egger's regression test gives {v['egger']}. Trim-and-fill (L0 estimator) finds "
                                 f"{v['trimfill']}; this is a sensitivity check of funnel asymmetry, not a corrected "
                                 "estimate: asymmetry has causes other than publication bias, among them the real "
                                 "differences between these trials.")
    else:
        v["small_study_text"] = rep.small_study_note
    v["robustness"] = robustness_sentence(rep)
    v["departures"] = " ".join(r.departures) if r.departures else ""
    if not rep.cumulative.empty:
        c = rep.cumulative
        v["cum_first_year"] = str(c["date"].iloc[0])[:4]
        first_sig = next((str(d)[:4] for d, ub_ in zip(c["date"], np.exp(c["ci_ub"])) if ub_ < 1), None)
        v["cum_first_sig"] = (f"The cumulative {s.level:g}% CI first lies wholly below 1 in {first_sig}."
                              if first_sig else f"The cumulative {s.level:g}% CI never lies wholly below 1.")
        v["cum_k"] = str(len(c))
    v["absolute"] = absolute_sentence(rep)
    v["absolute_months"] = f"{s.absolute_months:g}"
    v["grade"] = grade_wording_for(rep.certainty, hr, lb, ub, OUTCOME_PHRASES[rep.outcome])
    v["certainty"] = rep.certainty
    v["downgrades"] = "; ".join(f"{d}: {why}" for d, (n, why) in rep.grade.items() if n) or "none"
    return v


def _crosses(lb_log, ub_log) -> bool:
    return bool(lb_log < 0 < ub_log)


GROUP_WORDS = {"NSCLC": "non-small-cell lung cancer", "SCLC": "small-cell lung cancer", "mixed": "mixed primaries"}


def absolute_sentence(rep: EfficacyReport) -> str:
    """The absolute effects, one clause per cancer group with its named baseline, and the
    groups without control-arm data named as such."""
    from helpers.show.text import join_words

    alive = "alive without progression" if rep.outcome == "PFS" else "alive"
    parts = []
    for _, a in rep.absolute.iterrows():
        group = GROUP_WORDS.get(a["cancer_group"], a["cancer_group"])
        parts.append(f"{group} (baseline: control-arm median {fmt_num(a['median_months'], 1)} months in "
                     f"{join_words(a['sources'])}): at {a['months']:g} months {1000 * a['control']:.0f} "
                     f"vs {1000 * a['mdt']:.0f} per 1,000 {alive}, {signed(a['per_1000'])} per 1,000 "
                     f"({rep.settings.level:g}% CI {signed(a['per_1000_lb'])} to {signed(a['per_1000_ub'])})")
    none = [GROUP_WORDS.get(g, g) for g in rep.baseline.loc[rep.baseline["median_months"].isna(), "cancer_group"]]
    text = "; ".join(parts) + "." if parts else "No pooled comparison prints a control-arm median."
    if none:
        text += f" No control-arm median is printed for {join_words(none)}, so no absolute effect is given there."
    return text[:1].upper() + text[1:]     # a sentence of its own: 'Non-small-cell lung cancer (…'


def absolute_brief(rep: EfficacyReport) -> str:
    """The absolute effects in a table cell, per cancer group: control → MDT per 1,000 at the
    landmark (the difference and its CI), with the number of the group's pooled comparisons
    whose control-arm median is the baseline ('baseline from 4 of 5 comparisons')."""
    from helpers.show.text import count, join_words

    k_group = dict(zip(rep.baseline["cancer_group"], rep.baseline["k"]))

    def source(a) -> str:
        n, k = len(a["sources"]), k_group.get(a["cancer_group"], len(a["sources"]))
        return f"baseline from {count(n, 'comparison')}" if n == k else f"baseline from {n} of {count(k, 'comparison')}"

    parts = [f"{GROUP_WORDS.get(a['cancer_group'], a['cancer_group'])} ({source(a)}): "
             f"{1000 * a['control']:.0f} → {1000 * a['mdt']:.0f} ({signed(a['per_1000'])}; "
             f"{signed(a['per_1000_lb'])} to {signed(a['per_1000_ub'])})"
             for _, a in rep.absolute.iterrows()]
    none = [GROUP_WORDS.get(g, g) for g in rep.baseline.loc[rep.baseline["median_months"].isna(), "cancer_group"]]
    what = "without progression" if rep.outcome == "PFS" else "alive"
    months = f"{rep.settings.absolute_months:g}"
    text = (f"Per 1,000 {what} at {months} months, control → MDT (difference; {rep.settings.level:g}% CI): "
            + "; ".join(parts) + "." if parts else "No pooled comparison prints a control-arm median.")
    return text + (f" None for {join_words(none)} (no control-arm median)." if none else "")


def more_fewer(per_1000: float) -> str:
    """+227 → '227 more', −12 → '12 fewer', 0 → 'no difference' (per 1,000, rounded)."""
    n = round(per_1000)
    return "no difference" if n == 0 else f"{abs(n)} {'more' if n > 0 else 'fewer'}"


def more_fewer_interval(lb: float, ub: float) -> str:
    """A CI of a difference per 1,000 in GRADE's words, the bounds in the order given:
    (15, 523) → '15 to 523 more', (−269, −26) → '269 to 26 fewer', (−20, 100) → '20 fewer to
    100 more' (rounded; a bound that rounds to 0 is 'no difference')."""
    a, b = round(lb), round(ub)
    if a > 0 and b > 0:
        return f"{a} to {b} more"
    if a < 0 and b < 0:
        return f"{-a} to {-b} fewer"
    return f"{more_fewer(lb)} to {more_fewer(ub)}"


def signed(x: float, digits: int = 0) -> str:
    """A signed number with a true minus sign: +212, −12, +0.5 (a value that rounds to zero is +0)."""
    x = round(float(x), digits) or 0.0
    return f"{x:+.{digits}f}".replace("-", "\u2212")


def absolute_range(rep: EfficacyReport) -> str:
    """The absolute effect in a few words for a summary-of-findings cell: the difference per
    1,000 at the landmark for one cancer group (with its CI), or the range of differences over
    the groups with a control-arm median (the per-group detail belongs in a footnote:
    ``absolute_brief``)."""
    from helpers.show.text import count

    what = "without progression" if rep.outcome == "PFS" else "alive"
    at = f"per 1,000 {what} at {rep.settings.absolute_months:g} months with MDT"
    a = rep.absolute
    if len(a) == 0:
        return "Not estimated: no pooled comparison prints a control-arm median."
    if len(a) == 1:
        row = a.iloc[0]
        group = GROUP_WORDS.get(row["cancer_group"], row["cancer_group"])
        return (f"{more_fewer(row['per_1000'])} {at} ({rep.settings.level:g}% CI {more_fewer(row['per_1000_lb'])} "
                f"to {more_fewer(row['per_1000_ub'])}); control risk {1000 * row['control']:.0f} per 1,000 "
                f"in {group}")
    lo, hi = a.loc[a["per_1000"].idxmin()], a.loc[a["per_1000"].idxmax()]
    name = lambda row: GROUP_WORDS.get(row["cancer_group"], row["cancer_group"])   # noqa: E731
    return (f"From {more_fewer(lo['per_1000'])} ({name(lo)}) to {more_fewer(hi['per_1000'])} ({name(hi)}) {at} "
            f"({count(len(a), 'cancer group')})")


def robustness_sentence(rep: EfficacyReport) -> str:
    """Where the conclusion is fragile, say so (computed): the primary CI, reported HRs only,
    leave-one-out under the primary model and under REML-z, and the cumulative analysis."""
    r, s = rep.res, rep.settings
    if _crosses(r.ci_lb, r.ci_ub):
        return f"The pooled {s.level:g}% CI includes 1, so no benefit is shown under the primary model."
    notes = []
    sens = rep.sensitivity.set_index("analysis")
    rep_only = "Reported HRs only (no derived estimates)"
    if rep_only in sens.index:
        row = sens.loc[rep_only]
        if not row["estimable"]:
            notes.append("with reported HRs only, fewer than two comparisons remain")
        elif row["ci_lb"] < 1 < row["ci_ub"]:
            notes.append(f"with reported HRs only (no derived estimates) the CI crosses 1 "
                         f"({fmt_ratio(row['hr'], row['ci_lb'], row['ci_ub'])})")
    for name, loo in (("the primary model", rep.loo), ("REML with z-tests", rep.loo_z)):
        if len(loo):
            n = sum(_crosses(a, b) for a, b in zip(loo["ci_lb"], loo["ci_ub"]))
            if n:
                notes.append(f"leaving out one comparison at a time under {name}, {n} of {len(loo)} CIs cross 1")
    if len(rep.cumulative) and _crosses(rep.cumulative["ci_lb"].iloc[-1], rep.cumulative["ci_ub"].iloc[-1]):
        notes.append("the cumulative analysis of first reports ends with a CI that crosses 1")
    if not notes:
        return ("The conclusion holds in every robustness check: reported HRs only, leaving out any one comparison "
                "(under the primary model and under REML with z-tests) and the cumulative analysis.")
    return "The conclusion is fragile: " + "; ".join(notes) + "."


def forest_figure(rep: EfficacyReport, review: Review):
    """The chapter's forest plot: grouped by cancer, RoB 2 dots beside each trial."""
    rob = review.risk_of_bias[review.risk_of_bias["outcome"] == rep.outcome].set_index("trial_id")
    ids = list(rep.pooled["trial_id"])
    cols = {f"D{i}": [rob.at[t, f"d{i}"] if t in rob.index else "" for t in ids] for i in range(1, 6)}
    cols["Overall"] = [rob.at[t, "overall"] if t in rob.index else "" for t in ids]
    return forest_plot(rep.res, list(rep.pooled["trial"]), groups=list(rep.pooled["cancer_group"]), rob=cols,
                       pi=rep.pred, left_columns={"n": rep.pooled["n"].astype("string").fillna("?").tolist()})


def concern_sentence(rep: EfficacyReport, records: pd.DataFrame) -> str:
    """A sentence for each comparison of the outcome whose trial has a publication under an
    Expression of Concern (so noted in ``records.csv``): if it is pooled, with the pooled HR
    without it (leave-one-out under the primary model); "" when there is none."""
    flagged = set(records.loc[records["exclusion_reason"].str.contains("expression of concern", case=False, na=False),
                              "trial_group"])
    out = []
    for _, row in rep.table[rep.table["trial_group"].isin(flagged)].iterrows():
        name = row["trial"]
        if row["estimable"] and name in rep.loo.index:
            loo = rep.loo.loc[name]
            hr = fmt_ratio(math.exp(loo["estimate"]), math.exp(loo["ci_lb"]), math.exp(loo["ci_ub"]))
            out.append(f"The journal publication of {name} carries an Expression of Concern, so its results may "
                       f"yet be corrected or withdrawn; without it the pooled HR would be {hr}.")
        else:
            out.append(f"The journal publication of {name} carries an Expression of Concern, so its results may "
                       f"yet be corrected or withdrawn; it gives no hazard ratio that can be pooled, so the primary "
                       f"analysis does not depend on it.")
    return " ".join(out)
