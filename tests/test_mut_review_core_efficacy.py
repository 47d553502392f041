"""The efficacy chapter's analysis and prose (helpers.review.efficacy): ``efficacy_glue_values``
and ``robustness_sentence`` on a report whose every number is set here (so each expected string
is written out), and ``efficacy_report`` on a four-comparison table checked against direct fits."""
from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.meta.diagnostics import cumul, influence, leave1out
from helpers.meta.rma import rma
from helpers.review import efficacy as E
from helpers.review.efficacy import efficacy_glue_values, efficacy_report, forest_figure, robustness_sentence
from helpers.review.settings import SETTINGS

LN = math.log
NAN = math.nan


def logs(*pairs):
    return [LN(a) for a in pairs]


def report(**kw):
    """A report: HR 0.60 (0.45–0.80), k = 4 of 6 rows, 1,300 participants (one n unknown)."""
    res = SimpleNamespace(k=4, beta=LN(0.6), ci_lb=LN(0.45), ci_ub=LN(0.8), pval=0.0004, tau2=0.01234, I2=23.4,
                          I2_q=30.6, QE=5.678, QEp=0.128, departures=[])
    het = pd.DataFrame({"ci_lb": [0.001, 5.4], "ci_ub": [0.2346, 80.6]}, index=["tau2", "I2"])
    sens = pd.DataFrame({"analysis": ["Primary", "Reported HRs only (no derived estimates)", "x", "y"],
                         "estimable": [True, True, False, True], "hr": [0.6, 0.7, NAN, 0.55],
                         "ci_lb": [0.45, 0.4, NAN, 0.4], "ci_ub": [0.8, 1.1, NAN, 0.9]})
    loo = pd.DataFrame({"estimate": logs(0.62, 0.58, 0.66, 0.6), "ci_lb": logs(0.4, 0.4, 0.45, 0.4),
                        "ci_ub": logs(0.9, 0.85, 1.05, 0.95)}, index=["A", "B", "C", "D"])
    loo_z = loo.assign(ci_ub=logs(0.9, 0.85, 0.95, 0.95))
    cumulative = pd.DataFrame({"date": ["2016-05", "2019", "2021-01"], "ci_lb": logs(0.4, 0.4, 0.45),
                               "ci_ub": logs(1.3, 0.9, 0.85)})
    tf = SimpleNamespace(k0=1, side="left", fit=SimpleNamespace(beta=LN(0.65), ci_lb=LN(0.5), ci_ub=LN(0.85)))
    base = dict(outcome="PFS", res=res, settings=SimpleNamespace(level=90.0, absolute_months=18.0,
                                                                 describe=lambda: "MODEL"),
                table=pd.DataFrame({"estimable": [True] * 4 + [False] * 2}),
                pooled=pd.DataFrame({"n": pd.array([100, 200, None, 1000], dtype="Int64")}), het=het,
                pred={"pi_lb": LN(0.3), "pi_ub": LN(1.2)}, sensitivity=sens, loo=loo, loo_z=loo_z,
                infl=pd.DataFrame({"inf": ["*", "", "*", ""]}),
                egger=SimpleNamespace(zval=1.234, dfs=2, pval=0.3456), tf=tf, small_study_note="NOTE",
                cumulative=cumulative, absolute=pd.DataFrame(), baseline=pd.DataFrame({"cancer_group": [],
                                                                                        "median_months": []}),
                certainty="low", grade={"risk of bias": (1, "why1"), "inconsistency": (0, "x"),
                                        "imprecision": (2, "why2")})
    base.update(kw)
    return SimpleNamespace(**base)


# --------------------------------------------------------------------------- glue values
def test_efficacy_glue_values_full():
    v = efficacy_glue_values(report())
    assert v == {
        "k": "4", "k_all": "6", "k_not_estimable": "2", "n": "1,300", "n_missing": "1",
        "hr_ci": "0.60 (0.45–0.80)", "hr": "0.60", "p": "p < 0.001", "tau2": "0.012", "I2": "23%", "I2_q": "31%",
        "Q": "5.68", "Q_df": "3", "Q_p": "p = 0.13", "method": "MODEL", "level": "90%",
        "tau2_ci": "0.001–0.235", "I2_ci": "5%–81%",
        "pi": "0.30–1.20",
        "pi_sentence": ("The 90% prediction interval for the effect in a new trial runs from 0.30 to 1.20 "
                        "(t distribution with k − 2 = 2 degrees of freedom)."),
        "sens_min": "0.55", "sens_max": "0.70", "sens_n_rows": "4",
        "sens_not_estimable": '1 analysis leaves fewer than two comparisons and is marked "not estimable"',
        "loo_min": "0.58", "loo_max": "0.66", "loo_min_trial": "B", "loo_max_trial": "C",
        "n_influential": "2 comparisons meet",
        "egger": "t = 1.23, df = 2, p = 0.35",
        "trimfill": "1 comparison imputed on the left; adjusted HR 0.65 (0.50–0.85)",
        "small_study_text": ("Egger's regression test gives t = 1.23, df = 2, p = 0.35. Trim-and-fill (L0 estimator) "
                             "finds 1 comparison imputed on the left; adjusted HR 0.65 (0.50–0.85); this is a "
                             "sensitivity check of funnel asymmetry, not a corrected estimate: asymmetry has causes "
                             "other than publication bias, among them the real differences between these trials."),
        # C's leave-one-out CI (0.45–1.05) crosses 1 under the primary model, not under REML-z (0.45–0.95);
        # the cumulative CI ends at 0.45–0.85
        "robustness": ("The conclusion is fragile: with reported HRs only (no derived estimates) the CI crosses 1 "
                       "(0.70 (0.40–1.10)); leaving out one comparison at a time under the primary model, 1 of 4 "
                       "CIs cross 1."),
        "departures": "",
        "cum_first_year": "2016", "cum_first_sig": "The cumulative 90% CI first lies wholly below 1 in 2019.",
        "cum_k": "3",
        "absolute": "No pooled comparison prints a control-arm median.", "absolute_months": "18",
        "grade": "MDT added to standard of care may improve progression-free survival", "certainty": "low",
        "downgrades": "risk of bias: why1; imprecision: why2"}


def test_efficacy_glue_values_sparse():
    res = SimpleNamespace(k=2, beta=LN(1.1), ci_lb=LN(0.7), ci_ub=LN(1.8), pval=0.0056, tau2=0.0, I2=0.0, I2_q=0.0,
                          QE=0.5, QEp=0.48, departures=["One departure.", "Another."])
    sens = pd.DataFrame({"analysis": ["P", "Q", "R"], "estimable": [True, False, False], "hr": [1.1, NAN, NAN],
                         "ci_lb": [0.7, NAN, NAN], "ci_ub": [1.8, NAN, NAN]})
    rep = report(outcome="OS", res=res, het=pd.DataFrame(), pred={"pi_lb": None, "pi_ub": None}, sensitivity=sens,
                 loo=pd.DataFrame(), loo_z=pd.DataFrame(), egger=None, tf=None, cumulative=pd.DataFrame(),
                 certainty="very low", grade={"imprecision": (0, "fine")},
                 table=pd.DataFrame({"estimable": [True, True]}),
                 pooled=pd.DataFrame({"n": pd.array([10, 20], dtype="Int64")}))
    v = efficacy_glue_values(rep)
    assert v["p"] == "p = 0.006" and v["k_not_estimable"] == "0" and v["n_missing"] == "0" and v["n"] == "30"
    assert "tau2_ci" not in v and "I2_ci" not in v
    assert v["pi"] == "not computed (k < 3)"
    assert v["pi_sentence"] == "No prediction interval is given: fewer than three comparisons are pooled."
    assert v["sens_min"] == v["sens_max"] == "1.10"
    assert v["sens_not_estimable"] == '2 analyses leave fewer than two comparisons and are marked "not estimable"'
    assert not {"loo_min", "loo_max", "loo_min_trial", "loo_max_trial", "n_influential"} & set(v)
    assert "egger" not in v and "trimfill" not in v and v["small_study_text"] == "NOTE"
    assert v["robustness"] == "The pooled 90% CI includes 1, so no benefit is shown under the primary model."
    assert v["departures"] == "One departure. Another."
    assert not {"cum_first_year", "cum_first_sig", "cum_k"} & set(v)
    assert v["grade"] == "The evidence is very uncertain about the effect of MDT on overall survival"
    assert v["downgrades"] == "none"


def test_efficacy_glue_values_one_influential_and_never_significant():
    cumulative = pd.DataFrame({"date": ["2018", "2020"], "ci_lb": logs(0.4, 0.5), "ci_ub": logs(1.2, 1.0)})
    rep = report(infl=pd.DataFrame({"inf": ["", "*", "", ""]}), cumulative=cumulative,
                 sensitivity=report().sensitivity.assign(estimable=True, hr=[0.6, 0.7, 0.5, 0.55]))
    v = efficacy_glue_values(rep)
    assert v["n_influential"] == "1 comparison meets"
    assert v["cum_first_sig"] == "The cumulative 90% CI never lies wholly below 1."      # 1.0 is not below 1
    assert v["sens_min"] == "0.50"
    assert v["sens_not_estimable"] == '0 analyses leave fewer than two comparisons and are marked "not estimable"'


# --------------------------------------------------------------------------- robustness
def test_robustness_sentence_branches():
    clean_sens = report().sensitivity.assign(ci_ub=[0.8, 0.95, NAN, 0.9])
    clean_loo = report().loo.assign(ci_ub=logs(0.9, 0.85, 0.95, 0.95))
    clean_cum = report().cumulative.assign(ci_ub=logs(1.3, 0.9, 0.85))
    holds = report(sensitivity=clean_sens, loo=clean_loo, loo_z=clean_loo, cumulative=clean_cum)
    assert robustness_sentence(holds) == (
        "The conclusion holds in every robustness check: reported HRs only, leaving out any one comparison (under the "
        "primary model and under REML with z-tests) and the cumulative analysis.")
    z_only = report(sensitivity=clean_sens, loo=clean_loo, loo_z=report().loo, cumulative=clean_cum)
    assert robustness_sentence(z_only) == ("The conclusion is fragile: leaving out one comparison at a time under "
                                           "REML with z-tests, 1 of 4 CIs cross 1.")
    not_est = clean_sens.assign(estimable=[True, False, False, True])
    cum_cross = clean_cum.assign(ci_ub=logs(0.9, 0.85, 1.02))
    r = report(sensitivity=not_est, loo=clean_loo, loo_z=clean_loo, cumulative=cum_cross)
    assert robustness_sentence(r) == ("The conclusion is fragile: with reported HRs only, fewer than two comparisons "
                                      "remain; the cumulative analysis of first reports ends with a CI that crosses 1.")
    no_row = report(sensitivity=clean_sens[clean_sens["analysis"] != "Reported HRs only (no derived estimates)"],
                    loo=pd.DataFrame(), loo_z=pd.DataFrame(), cumulative=pd.DataFrame())
    assert robustness_sentence(no_row).startswith("The conclusion holds")
    # a CI touching 1 does not cross it; the pooled CI crossing on the harmful side does
    touch = report(sensitivity=clean_sens.assign(ci_ub=[0.8, 1.0, NAN, 0.9]), loo=clean_loo, loo_z=clean_loo,
                   cumulative=clean_cum)
    assert robustness_sentence(touch).startswith("The conclusion holds")
    harm = report(res=SimpleNamespace(**{**vars(report().res), "ci_lb": LN(0.9), "ci_ub": LN(1.2)}))
    assert robustness_sentence(harm) == "The pooled 90% CI includes 1, so no benefit is shown under the primary model."


# --------------------------------------------------------------------------- efficacy_report
def hr_table():
    return pd.DataFrame({
        "trial_id": ["a", "b", "c", "d", "e"], "trial": ["A", "B", "C", "D", "E"],
        "yi": [LN(0.5), LN(0.7), LN(0.6), LN(0.9), NAN], "vi": [0.04, 0.05, 0.03, 0.06, NAN],
        "n": pd.array([100, 150, 120, None, 40], dtype="Int64"), "estimable": [True, True, True, True, False],
        "first_pub_date": ["2019-03", "2016", "2019-03", "2021-06-01", "2015"],
        "cancer_group": ["prostate", "NSCLC", "prostate", "NSCLC", "NSCLC"],
        "median_control": [12.0, 10.0, 14.0, NAN, 5.0], "median_unit": ["months"] * 5,
        "rob_overall": ["low", "high", "low", "some concerns", "low"],
        "endpoint_class": ["PFS", "PFS", "rPFS", "PFS", "PFS"]})


@pytest.fixture
def stubs(monkeypatch):
    seen = {}
    first = hr_table().assign(yi=[LN(0.4), LN(0.7), LN(0.6), NAN, NAN],
                              estimable=[True, True, True, False, False])

    def hazard_ratios(review, outcome, report="primary"):
        seen.setdefault("hr", []).append((outcome, report))
        return first if report == "first" else hr_table()

    def assess_missing(review, table, outcome, settings):
        seen["missing"] = (table["trial_id"].tolist(), outcome, settings)
        return SimpleNamespace(grade=(1, "ROB-ME says so"))

    monkeypatch.setattr(E, "hazard_ratios", hazard_ratios)
    monkeypatch.setattr(E, "assess_missing", assess_missing)
    monkeypatch.setattr(E, "sensitivity_analyses", lambda review, outcome, settings: ("sens", outcome, settings))
    return seen


def test_efficacy_report(stubs):
    settings = dataclasses.replace(SETTINGS, level=90.0, absolute_months=6.0)
    rep = efficacy_report("REVIEW", "PFS", settings)
    assert stubs["hr"] == [("PFS", "primary"), ("PFS", "first")]
    assert stubs["missing"] == (list("abcde"), "PFS", settings)
    assert rep.outcome == "PFS" and rep.settings is settings and len(rep.table) == 5
    assert rep.pooled["trial_id"].tolist() == list("abcd") and rep.pooled.index.tolist() == [0, 1, 2, 3]
    y, v = np.log([0.5, 0.7, 0.6, 0.9]), np.array([0.04, 0.05, 0.03, 0.06])
    want = rma(y, v, method=settings.method, test=settings.test, level=90)
    assert rep.res.beta == pytest.approx(want.beta) and rep.res.ci_lb == pytest.approx(want.ci_lb)
    assert rep.pred["pi_lb"] == pytest.approx(want.predict(pi=settings.pi)["pi_lb"])
    assert rep.het.loc["tau2", "ci_ub"] == pytest.approx(want.confint().loc["tau2", "ci_ub"])
    pd.testing.assert_frame_equal(rep.loo, leave1out(rep.res))
    assert rep.loo_z["ci_ub"].tolist() == pytest.approx(leave1out(rma(y, v, method="REML", test="z",
                                                                      level=90))["ci_ub"].tolist())
    assert rep.infl["inf"].tolist() == influence(rep.res)["inf"].tolist()
    assert rep.sensitivity == ("sens", "PFS", settings)
    # cumulative: first reports b (2016), then a and c (2019-03, by name), d had no estimate
    first = rma(np.log([0.7, 0.4, 0.6]), np.array([0.05, 0.04, 0.03]), method=settings.method,
                test=settings.test, level=90)
    c = rep.cumulative
    assert c.index.tolist() == ["B (2016)", "A (2019)", "C (2019)"]
    assert c["date"].tolist() == ["2016", "2019-03", "2019-03"]
    assert c["ci_ub"].tolist() == pytest.approx(cumul(first)["ci_ub"].tolist())
    # small-study methods need 10 comparisons
    assert rep.egger is None and rep.tf is None
    assert rep.small_study_note == ("Egger's test and trim-and-fill are not shown: 4 comparisons are pooled, fewer "
                                    "than the 10 the Cochrane Handbook asks for before testing funnel-plot asymmetry.")
    # baselines: NSCLC from B (D prints none), prostate the median of 12 and 14; absolute effects at 6 months
    assert rep.baseline[["cancer_group", "median_months"]].values.tolist() == [["NSCLC", 10.0], ["prostate", 13.0]]
    assert rep.absolute["months"].tolist() == [6.0, 6.0]
    s0 = 0.5 ** (6 / 10)
    hr = math.exp(rep.res.beta)
    assert rep.absolute["mdt"].iloc[0] == pytest.approx(s0 ** hr)
    assert rep.absolute["mdt_lb"].iloc[0] == pytest.approx(s0 ** math.exp(rep.res.ci_ub))
    # GRADE: 370 participants (< 400) and the missing-evidence domain from ROB-ME
    assert rep.grade["imprecision"][1].endswith("370 participants (below 400)")
    assert rep.grade["publication bias"] == (1, "ROB-ME says so; Egger's test not assessable with 4 comparisons "
                                                "(fewer than 10)")
    assert rep.certainty == {0: "high", 1: "moderate", 2: "low"}.get(sum(n for n, _ in rep.grade.values()),
                                                                       "very low")


def test_efficacy_report_small_study_methods_from_the_threshold(stubs):
    settings = dataclasses.replace(SETTINGS, min_k_small_study=4)
    rep = efficacy_report("REVIEW", "OS", settings)
    assert stubs["hr"][0] == ("OS", "primary")
    from helpers.meta.small_study import regtest, trimfill

    assert rep.small_study_note == ""
    assert rep.egger.pval == pytest.approx(regtest(rep.res).pval)
    assert rep.tf.k0 == trimfill(rep.res).k0
    assert rep.grade["publication bias"][1] == f"ROB-ME says so; Egger's test p = {rep.egger.pval:.2f}"


def test_efficacy_report_with_two_comparisons(stubs, monkeypatch):
    two = hr_table().assign(estimable=[True, True, False, False, False])
    monkeypatch.setattr(E, "hazard_ratios", lambda review, outcome, report="primary": two)
    rep = efficacy_report("REVIEW", "PFS")
    assert rep.res.k == 2 and not rep.het.empty
    assert rep.loo.empty and rep.loo_z.empty and rep.infl.empty
    assert rep.pred["pi_lb"] is None
    assert len(rep.cumulative) == 2
    one = hr_table().assign(estimable=[True, False, False, False, False])
    monkeypatch.setattr(E, "hazard_ratios", lambda review, outcome, report="primary": one)
    rep1 = efficacy_report("REVIEW", "PFS", dataclasses.replace(SETTINGS, method="EE", test="z"))
    assert rep1.het.empty and rep1.res.k == 1
    none_first = hr_table().assign(estimable=False)

    def hr(review, outcome, report="primary"):
        return none_first if report == "first" else two
    monkeypatch.setattr(E, "hazard_ratios", hr)
    assert efficacy_report("REVIEW", "PFS").cumulative.empty


# --------------------------------------------------------------------------- forest figure
def test_forest_figure_columns(monkeypatch):
    seen = {}

    def forest_plot(res, labels, **kw):
        seen.update(kw, res=res, labels=labels)
        return "figure"

    monkeypatch.setattr(E, "forest_plot", forest_plot)
    pooled = pd.DataFrame({"trial_id": ["a", "b"], "trial": ["A", "B"], "cancer_group": ["g1", "g2"],
                           "n": pd.array([100, None], dtype="Int64")})
    rob = pd.DataFrame({"outcome": ["PFS", "OS", "PFS"], "trial_id": ["a", "b", "x"],
                        **{f"d{i}": [f"p{i}", f"o{i}", "x"] for i in range(1, 6)},
                        "overall": ["low", "high", "x"]})
    rep = SimpleNamespace(outcome="PFS", pooled=pooled, res="RES", pred={"pi_lb": 1})
    assert forest_figure(rep, SimpleNamespace(risk_of_bias=rob)) == "figure"
    assert seen["res"] == "RES" and seen["labels"] == ["A", "B"] and seen["groups"] == ["g1", "g2"]
    assert seen["pi"] == {"pi_lb": 1}
    assert seen["rob"] == {"D1": ["p1", ""], "D2": ["p2", ""], "D3": ["p3", ""], "D4": ["p4", ""],
                           "D5": ["p5", ""], "Overall": ["low", ""]}     # b has no PFS judgement
    assert seen["left_columns"] == {"n": ["100", "?"]}
