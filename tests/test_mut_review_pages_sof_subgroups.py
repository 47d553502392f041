"""Value tests of helpers.review.sof (summary of findings) and helpers.review.subgroups on
hand-made inputs: the pooled numbers are checked against fits and Q statistics computed here,
the words against the hand-worked expectations in the comments."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import helpers as h
from helpers.review import sof
from helpers.review import subgroups as sg
from helpers.review.grade import DOMAINS
from helpers.review.settings import SETTINGS, AnalysisSettings

L = math.log


# --------------------------------------------------------------------------- summary of findings
def _grade_rows():
    return pd.DataFrame({
        "outcome": ["PFS", "PFS", "OS", "AE grade >=2"],
        "domain": ["risk of bias", "inconsistency", "imprecision", "indirectness"],
        "judgement": ["serious", "very serious", "serious", "not serious"],
        "reason": ["open label", "I² 80%", "crosses 1", "fine"]})


def _reports():
    zero = {d: (0, f"ok {d}") for d in DOMAINS}
    pfs = SimpleNamespace(outcome="PFS", res=SimpleNamespace(beta=L(0.5), ci_lb=L(0.4), ci_ub=L(0.64), k=3),
                          grade=zero | {"imprecision": (1, "wide")},
                          pooled=pd.DataFrame({"n": pd.array([1000, None, 250], dtype="Int64")}))
    os_ = SimpleNamespace(outcome="OS", res=SimpleNamespace(beta=L(0.8), ci_lb=L(0.6), ci_ub=L(1.1), k=2),
                          grade=zero, pooled=pd.DataFrame({"n": pd.array([40, 60], dtype="Int64")}))
    return {"PFS": pfs, "OS": os_}


def _safety(k=2, mh=True, re=True):
    usable = pd.DataFrame({"n1i": [50, 70][:k], "n2i": [50, 30][:k], "trial": ["S1", "S2"][:k]})
    re_or = SimpleNamespace(weights=[60.0, 40.0][:k], k=k, I2=10.0, QEp=0.5, ci_lb=L(1.1), ci_ub=L(4.0))
    return SimpleNamespace(mh_or=SimpleNamespace(beta=L(2.0), ci_lb=L(1.2), ci_ub=L(3.5)) if mh else None,
                           re_or=re_or if re else None, re_k=k, usable=usable, risk_control=0.2)


@pytest.fixture
def absolute(monkeypatch):
    monkeypatch.setattr(sof, "absolute_sentence", lambda rep: f"sentence {rep.outcome}")
    monkeypatch.setattr(sof, "absolute_brief", lambda rep: f"Brief {rep.outcome}")
    monkeypatch.setattr(sof, "absolute_range", lambda rep: f"range {rep.outcome}")


def test_summary_of_findings(absolute):
    review = SimpleNamespace(grade=_grade_rows())
    rows, checks = sof.summary_of_findings(review, _reports(), _safety())
    assert list(rows.columns) == ["Outcome", "Relative effect (95% CI)",
                                  "Absolute effect (control baseline per cancer group)", "Comparisons (participants)",
                                  "Certainty (judged)", "Certainty (computed)", "Plain language"]
    pfs, os_, ae = rows.to_dict("records")
    # PFS: judged 1 + 2 levels down → very low; computed 1 (imprecision) → moderate; n 1000 + 250 (one unknown)
    assert pfs == {"Outcome": "progression-free survival", "Relative effect (95% CI)": "HR 0.50 (0.40–0.64)",
                   "Absolute effect (control baseline per cancer group)": "sentence PFS",
                   "Comparisons (participants)": "3 (1,250)", "Certainty (judged)": "very low",
                   "Certainty (computed)": "moderate",
                   "Plain language": "The evidence is very uncertain about the effect of MDT on progression-free "
                                     "survival"}
    # OS: judged one level (imprecision) → moderate; the CI 0.60–1.10 crosses 1 → little or no difference
    assert os_["Certainty (judged)"] == "moderate" and os_["Certainty (computed)"] == "high"
    assert os_["Comparisons (participants)"] == "2 (100)" and os_["Relative effect (95% CI)"] == "HR 0.80 (0.60–1.10)"
    assert os_["Plain language"] == ("MDT added to standard of care probably makes little or no difference to overall "
                                     "survival")
    # AE: OR 2 (1.2–3.5); p0 = 0.2, p1 = 2·0.2 / (1 − 0.2 + 2·0.2) = 1/3 → 133 more per 1,000; the CI applies the
    # OR's bounds to p0: 1.2·0.2 / (0.8 + 0.24) = 0.23077 → 31 more; 3.5·0.2 / (0.8 + 0.7) = 0.46667 → 267 more;
    # computed: RoB not assessed (1) + 200 participants below 400 (1) → low; judged: nothing → high
    assert ae == {"Outcome": "grade ≥2 adverse events", "Relative effect (95% CI)": "OR 2.00 (1.20–3.50)",
                  "Absolute effect (control baseline per cancer group)":
                      "133 more per 1,000 with MDT (95% CI 31 to 267 more); control risk 200 per 1,000, pooled "
                      "from the trials' control arms",
                  "Comparisons (participants)": "2 (200)", "Certainty (judged)": "high", "Certainty (computed)": "low",
                  "Plain language": "MDT added to standard of care increases grade ≥2 adverse events"}
    assert len(checks) == 15 and list(checks["Outcome"]) == ["PFS"] * 5 + ["OS"] * 5 + ["Grade ≥2 adverse events"] * 5
    agree = dict(zip(zip(checks["Outcome"], checks["Domain"]), checks["Agree"]))
    assert agree[("PFS", "risk of bias")] == "no: the judgement departs from the trigger (see the reasons)"
    assert agree[("PFS", "imprecision")] == "no: the judgement departs from the trigger (see the reasons)"
    assert agree[("PFS", "indirectness")] == "yes"
    assert agree[("OS", "imprecision")] == "no: the judgement departs from the trigger (see the reasons)"
    assert agree[("Grade ≥2 adverse events", "risk of bias")] == "no: the judgement departs from the trigger (see the reasons)"
    assert agree[("Grade ≥2 adverse events", "inconsistency")] == "yes"
    why = dict(zip(zip(checks["Outcome"], checks["Domain"]), checks["Why (computed)"]))
    assert why[("Grade ≥2 adverse events", "imprecision")] == "95% CI 1.10–4.00; 200 participants (below 400)"


def test_summary_of_findings_one_harms_trial(absolute):
    rows, checks = sof.summary_of_findings(SimpleNamespace(grade=_grade_rows()), _reports(), _safety(k=1))
    ae = rows.iloc[2]
    assert ae["Relative effect (95% CI)"] == "one trial: OR 2.00 (1.20–3.50)"
    assert ae["Absolute effect (control baseline per cancer group)"] == (
        "133 more per 1,000 with MDT (95% CI 31 to 267 more); control risk 200 per 1,000, from the control arm of "
        "one trial (S1); nothing is pooled")
    assert ae["Comparisons (participants)"] == "1 (100)"       # 50 + 50
    assert len(checks) == 15


@pytest.mark.parametrize("mh,re", [(False, True), (True, False), (False, False)])
def test_summary_of_findings_without_harms_estimate(absolute, mh, re):
    rows, checks = sof.summary_of_findings(SimpleNamespace(grade=_grade_rows()), _reports(), _safety(mh=mh, re=re))
    assert list(rows["Outcome"]) == ["progression-free survival", "overall survival"] and len(checks) == 10


def test_summary_of_findings_harms_that_decrease(absolute):
    s = _safety()
    s.mh_or = SimpleNamespace(beta=L(0.5), ci_lb=L(0.3), ci_ub=L(0.9))
    s.risk_control = 0.5
    ae = sof.summary_of_findings(SimpleNamespace(grade=_grade_rows()), _reports(), s)[0].iloc[2]
    # p1 = 0.5·0.5 / (1 − 0.5 + 0.25) = 1/3 → 167 fewer; CI 0.15 / 0.65 = 0.23077 → 269 fewer,
    # 0.45 / 0.95 = 0.47368 → 26 fewer
    assert ae["Absolute effect (control baseline per cancer group)"] == (
        "167 fewer per 1,000 with MDT (95% CI 269 to 26 fewer); control risk 500 per 1,000, pooled from the trials' "
        "control arms")
    assert ae["Plain language"] == "MDT added to standard of care reduces grade ≥2 adverse events"


def test_summary_of_findings_computes_what_is_not_given(absolute, monkeypatch):
    asked = []
    monkeypatch.setattr(sof, "efficacy_report", lambda review, oc: asked.append(oc) or _reports()[oc])
    monkeypatch.setattr(sof, "pool_safety", lambda review, grade: asked.append(grade) or _safety())
    rows, checks = sof.summary_of_findings(SimpleNamespace(grade=_grade_rows()))
    assert asked == ["PFS", "OS", ">=2"] and len(rows) == 3 and len(checks) == 15
    assert rows["Comparisons (participants)"].tolist() == ["3 (1,250)", "2 (100)", "2 (200)"]


def test_summary_of_findings_high_control_risk(absolute):
    s = _safety()
    s.risk_control = 0.9
    ae = sof.summary_of_findings(SimpleNamespace(grade=_grade_rows()), _reports(), s)[0].iloc[2]
    # p1 = 2·0.9 / (1 − 0.9 + 1.8) = 0.94737 → 47 more; CI 1.08 / 1.18 = 0.91525 → 15 more, 3.15 / 3.25 = 0.96923
    # → 69 more
    assert ae["Absolute effect (control baseline per cancer group)"].startswith(
        "47 more per 1,000 with MDT (95% CI 15 to 69 more); control risk 900 per 1,000, ")


def test_absolute_from_odds_ratio_one_trial_by_hand():
    # SABR-COMET's grade ≥2 adverse events: 20/66 with MDT, 3/33 with control. OR = 20·30 / (46·3) = 4.3478;
    # Woolf's SE = √(1/20 + 1/46 + 1/3 + 1/30) = 0.66212 → CI exp(1.46968 ∓ 1.95996·0.66212) = 1.18760 to 15.9174.
    # p0 = 1/11 = 0.090909; p1 = 0.30303 (= 20/66) → 212 more; 1.1876·p0 / (1 − p0 + 1.1876·p0) = 0.10615 → 15 more;
    # 15.9174·p0 / (1 − p0 + 15.9174·p0) = 0.61416 → 523 more
    p0 = 3 / 33
    assert sof.risk_with_odds_ratio(p0, 600 / 138) == pytest.approx(20 / 66)
    assert sof.absolute_from_odds_ratio(p0, 600 / 138, 1.18760, 15.9174) == (
        "212 more per 1,000 with MDT (95% CI 15 to 523 more)")
    # an OR whose CI crosses 1: OR 1 (0.5–2) at p0 = 0.2 → 0.5·0.2 / 0.9 = 0.1111 → 89 fewer; 0.4 / 1.2 → 133 more
    assert sof.absolute_from_odds_ratio(0.2, 1.0, 0.5, 2.0) == (
        "no difference per 1,000 with MDT (95% CI 89 fewer to 133 more)")


def test_landing_summary(absolute):
    grade = pd.concat([_grade_rows(), pd.DataFrame({"outcome": ["AE grade >=2"], "domain": ["imprecision"],
                                                    "judgement": ["serious"], "reason": ["few events"]})])
    review = SimpleNamespace(grade=grade)
    table, notes = sof.landing_summary(review, _reports(), _safety())
    assert notes == ["a. Progression-free survival, absolute effect by cancer group: brief PFS",
                     "b. Progression-free survival, risk of bias: downgraded one level (open label).",
                     "c. Progression-free survival, inconsistency: downgraded two levels (I² 80%).",
                     "d. Overall survival, absolute effect by cancer group: brief OS",
                     "e. Overall survival, imprecision: downgraded one level (crosses 1).",
                     "f. Grade ≥2 adverse events, imprecision: downgraded one level (few events)."]
    assert list(table.columns) == ["Outcome", "Comparisons (participants)", "Relative effect (95% CI)",
                                   "Absolute effect (baseline: control-arm medians)", "Certainty", "What it means"]
    assert list(table["Outcome"]) == ["Progression-free survival", "Overall survival", "Grade ≥2 adverse events"]
    assert list(table["Certainty"]) == ["very low (b, c)", "moderate (e)", "moderate (f)"]
    assert table["What it means"][2] == "MDT added to standard of care probably increases grade ≥2 adverse events."
    assert list(table["Absolute effect (baseline: control-arm medians)"]) == [
        "range PFS (a).", "range OS (d).",
        "133 more per 1,000 with MDT (95% CI 31 to 267 more); control risk 200 per 1,000, pooled from the trials' "
        "control arms"]
    assert list(table["Comparisons (participants)"]) == ["3 (1,250)", "2 (100)", "2 (200)"]
    assert table["What it means"][1] == ("MDT added to standard of care probably makes little or no difference to "
                                         "overall survival.")
    assert table["Relative effect (95% CI)"][0] == "HR 0.50 (0.40–0.64)"


def test_landing_summary_without_harms_row(absolute):
    grade = pd.DataFrame({"outcome": ["AE grade >=2"], "domain": ["imprecision"], "judgement": ["serious"],
                          "reason": ["x"]})
    table, notes = sof.landing_summary(SimpleNamespace(grade=grade), _reports(), _safety(mh=False))
    assert len(table) == 2 and list(table["Certainty"]) == ["high", "high"]
    assert notes == ["a. Progression-free survival, absolute effect by cancer group: brief PFS",
                     "b. Overall survival, absolute effect by cancer group: brief OS"]


def test_bottom_line(absolute):
    grade = pd.concat([_grade_rows(), pd.DataFrame({"outcome": ["AE grade >=2"], "domain": ["imprecision"],
                                                    "judgement": ["very serious"], "reason": ["one trial"]})])
    review = SimpleNamespace(grade=grade)
    # the judged certainty of each row (as in the table): PFS 1 + 2 levels down → very low; OS one → moderate;
    # harms two → low; with one trial of harms its OR is said to be one trial's
    assert sof.bottom_line(review, _reports(), _safety(k=1)) == (
        "The evidence is very uncertain about the effect of MDT on progression-free survival (hazard ratio 0.50, "
        "95% CI 0.40–0.64; very low certainty). MDT added to standard of care probably makes little or no "
        "difference to overall survival (hazard ratio 0.80, 95% CI 0.60–1.10; moderate certainty). MDT added to "
        "standard of care may increase grade ≥2 adverse events (one trial: odds ratio 2.00, 95% CI 1.20–3.50; low "
        "certainty).")
    two = sof.bottom_line(review, _reports(), _safety(k=2))
    assert two.endswith("(odds ratio 2.00, 95% CI 1.20–3.50; low certainty).") and "one trial" not in two
    none = sof.bottom_line(review, _reports(), _safety(mh=False))
    assert none.endswith("moderate certainty). No trial reports grade ≥2 adverse events per arm in a form that gives "
                         "an odds ratio.")


# --------------------------------------------------------------------------- subgroups
def _sg_table():
    # yi, vi by level: de novo three trials, recurrent two, mixed one, plus one not estimable
    return pd.DataFrame({
        "trial": ["D1", "D2", "D3", "R1", "R2", "M1", "N1"],
        "estimable": [True, True, True, True, True, True, False],
        "disease_state": ["de_novo", "de_novo", "de_novo", "recurrent", "recurrent", "mixed", "recurrent"],
        "timing": ["upfront", "upfront", "consolidation", None, "consolidation", "upfront", "upfront"],
        "cancer_group": ["lung", "lung", "prostate", "prostate", "breast", "lung", "lung"],
        "control_class": ["observation", "observation", "active therapy", "observation", "observation",
                          "observation", "observation"],
        "yi": [-0.7, -0.2, -0.5, 0.1, -0.1, -0.3, np.nan], "vi": [0.04, 0.09, 0.05, 0.02, 0.06, 0.1, np.nan],
        "n": pd.array([100, 80, None, 200, 150, 60, 10], dtype="Int64")})


def test_subgroup_analysis_against_fits_here():
    t = _sg_table()
    r = sg.subgroup_analysis(t, "Disease state")
    assert r.factor == "Disease state"
    rows = r.rows.set_index("level")
    assert list(rows.index) == ["de_novo", "recurrent", "mixed"]        # tested first, then the apart levels present
    fits = {}
    for level, idx in (("de_novo", [0, 1, 2]), ("recurrent", [3, 4]), ("mixed", [5])):
        fits[level] = h.rma(t["yi"].to_numpy()[idx], t["vi"].to_numpy()[idx], method="REML", test="adhoc")
        f, row = fits[level], rows.loc[level]
        assert row["k"] == len(idx) and row["hr"] == pytest.approx(math.exp(f.beta), rel=1e-12)
        assert row["ci_lb"] == pytest.approx(math.exp(f.ci_lb)) and row["ci_ub"] == pytest.approx(math.exp(f.ci_ub))
        assert row["tau2"] == pytest.approx(f.tau2) and row["I2"] == pytest.approx(f.I2)
        assert row["yi"] == pytest.approx(f.beta) and row["se"] == pytest.approx(f.se)
    assert list(rows["n"]) == [180, 350, 60]                  # n of D3 unknown; N1 not estimable
    assert list(rows["trials"]) == ["D1, D2, D3", "R1, R2", "M1"]
    assert list(rows["in_test"]) == [True, True, False]
    # separate τ²: Q = Σ w (b − b̄)², w = 1/se², one df
    b = np.array([fits["de_novo"].beta, fits["recurrent"].beta])
    w = 1 / np.array([fits["de_novo"].se, fits["recurrent"].se]) ** 2
    q = float(np.sum(w * (b - np.sum(w * b) / np.sum(w)) ** 2))
    assert r.q_separate == pytest.approx(q, rel=1e-10) and r.df_separate == 1
    assert r.p_separate == pytest.approx(stats.chi2.sf(q, 1), rel=1e-10)
    # common τ²: one model with a de novo / recurrent dummy on the five tested comparisons
    x = np.array([[0.0], [0.0], [0.0], [1.0], [1.0]])
    m = h.rma(t["yi"].to_numpy()[:5], t["vi"].to_numpy()[:5], mods=x, method="REML", test="adhoc")
    assert r.qm_common == pytest.approx(m.QM) and r.p_common == pytest.approx(m.QMp)
    assert r.k_test == 5
    assert r.p_primary == r.p_separate


def test_subgroup_analysis_levels_sorted_when_not_fixed_and_settings_used():
    t = _sg_table()
    s = AnalysisSettings(method="DL", test="z", level=90)
    r = sg.subgroup_analysis(t, "Primary cancer", s)
    assert list(r.rows["level"]) == ["breast", "lung", "prostate"]
    lung = h.rma([-0.7, -0.2, -0.3], [0.04, 0.09, 0.1], method="DL", test="z", level=90)
    row = r.rows.set_index("level").loc["lung"]
    assert row["ci_lb"] == pytest.approx(math.exp(lung.ci_lb)) and row["tau2"] == pytest.approx(lung.tau2)
    # a one-comparison level (breast) enters the test by default: three levels, two df
    assert list(r.rows["in_test"]) == [True, True, True] and r.df_separate == 2 and r.k_test == 6


def test_subgroup_analysis_singletons_left_out():
    s = AnalysisSettings(subgroup_singletons_enter=False)
    r = sg.subgroup_analysis(_sg_table(), "Primary cancer", s)
    # breast has one comparison: shown, not tested; lung and prostate remain (df 1, k 5)
    assert list(r.rows["in_test"]) == [False, True, True] and r.df_separate == 1 and r.k_test == 5


def test_subgroup_analysis_fewer_than_two_levels_tested():
    t = _sg_table()
    t["control_class"] = "observation"
    r = sg.subgroup_analysis(t, "Control arm")
    assert list(r.rows["level"]) == ["observation"]
    assert math.isnan(r.q_separate) and r.df_separate == 0 and math.isnan(r.p_separate)
    assert math.isnan(r.qm_common) and math.isnan(r.p_common) and r.k_test == 6


def test_subgroup_analysis_with_no_level_present():
    t = _sg_table()
    t["timing"] = None
    r = sg.subgroup_analysis(t, "Timing of MDT")
    assert r.rows.empty and r.k_test == 0 and r.df_separate == 0
    assert math.isnan(r.q_separate) and math.isnan(r.p_separate) and math.isnan(r.qm_common)


def test_claims_table_compares_each_outcome_with_the_other():
    res = _results({("PFS", "Timing of MDT"): 0.01})
    res[("OS", "Timing of MDT")] = _result("Timing of MDT", {"upfront": 0.9, "consolidation": 0.6}, math.nan)
    t = sg.claims_table(res, n_tests=1)
    assert list(t["Consistent across related outcomes?"]) == ["no: the ordering differs between PFS and OS",
                                                              "yes: the same subgroup does better for PFS and OS"] * 2


def test_factor_levels():
    t = _sg_table()
    assert sg.factor_levels(t, "Timing of MDT") == ("timing", ["upfront", "consolidation"], [])
    assert sg.factor_levels(t, "Disease state") == ("disease_state", ["de_novo", "recurrent"], ["mixed"])
    assert sg.factor_levels(t, "Primary cancer") == ("cancer_group", ["breast", "lung", "prostate"], [])
    t2 = t[t["disease_state"] != "de_novo"]
    assert sg.factor_levels(t2, "Disease state") == ("disease_state", ["recurrent"], ["mixed"])


def _result(factor, levels_hr, p, q=1.0):
    rows = pd.DataFrame({"level": list(levels_hr), "hr": list(levels_hr.values()), "k": [2] * len(levels_hr),
                         "in_test": [True] * len(levels_hr)})
    return sg.SubgroupResult(factor, rows, q, len(levels_hr) - 1, p, 2.0, (1, 3), p * 2 if p == p else p, 5)


def test_iceman_answers():
    a = _result("Timing of MDT", {"upfront": 0.5, "consolidation": 0.8}, 0.03)
    b = _result("Timing of MDT", {"upfront": 0.6, "consolidation": 0.9}, 0.2)
    c = _result("Timing of MDT", {"upfront": 0.9, "consolidation": 0.7}, 0.2)
    got = sg.iceman(a, b, n_tests=10)
    assert got["rating"] == "low"
    # 10 tests run of the 12 that 6 factors × 2 outcomes make: the text says both (not "6 × 2 give 10")
    assert got["Chance a likely explanation?"] == ("possibly: p < 0.05 but one of 10 tests run (of 12 possible: "
                                                   "6 factors × 2 outcomes)")
    assert sg.iceman(a, b, n_tests=3, n_possible=4)["Chance a likely explanation?"].endswith(
        "one of 3 tests run (of 4 possible: 6 factors × 2 outcomes)")
    assert got["Consistent across related outcomes?"] == "yes: the same subgroup does better for PFS and OS"
    assert got["Within-trial comparison?"] == "no: subgroups are whole trials (between-trial comparison)"
    assert got["Pre-specified hypothesis with direction?"] == "no: taken from the paper's abstract, direction not stated"
    assert got["Confounded by other trial features?"].startswith("likely: timing, disease state")
    assert list(got) == ["rating", "Within-trial comparison?", "Pre-specified hypothesis with direction?",
                         "Chance a likely explanation?", "Consistent across related outcomes?",
                         "Confounded by other trial features?"]
    assert sg.iceman(a, c)["Consistent across related outcomes?"] == "no: the ordering differs between PFS and OS"
    assert sg.iceman(a)["Chance a likely explanation?"].endswith("one of 12 tests (6 factors × 2 outcomes)")
    assert sg.iceman(a)["Consistent across related outcomes?"] == "not assessable"
    got = sg.iceman(b, a)
    assert got["rating"] == "very low" and got["Chance a likely explanation?"] == "yes: interaction p ≥ 0.05"


@pytest.mark.parametrize("p,rating", [(0.049999, "low"), (0.05, "very low"), (math.nan, "very low")])
def test_iceman_threshold(p, rating):
    assert sg.iceman(_result("Disease state", {"x": 1.0, "y": 2.0}, p))["rating"] == rating


def test_iceman_needs_two_common_levels():
    a = _result("Disease state", {"de_novo": 0.5, "recurrent": 0.8}, 0.01)
    one = _result("Disease state", {"de_novo": 0.5, "mixed": 0.8}, 0.01)
    assert sg.iceman(a, one)["Consistent across related outcomes?"] == "not assessable"
    empty = sg.SubgroupResult("Disease state", pd.DataFrame(), math.nan, 0, math.nan, math.nan, (), math.nan, 0)
    assert sg.iceman(a, empty)["Consistent across related outcomes?"] == "not assessable"
    assert sg.iceman(empty, a)["Consistent across related outcomes?"] == "not assessable"


def _results(p):
    """(outcome, factor) → result, p by key; the other four factors not testable."""
    out = {}
    for oc in ("PFS", "OS"):
        for f in sg.FACTORS:
            levels = ({"upfront": 0.5, "consolidation": 0.8} if f == "Timing of MDT" else
                      {"de_novo": 0.7, "recurrent": 0.6})
            out[(oc, f)] = _result(f, levels, p.get((oc, f), math.nan))
    return out


def test_claims_table_and_by_question():
    res = _results({("PFS", "Timing of MDT"): 0.005, ("PFS", "Disease state"): 0.3, ("OS", "Timing of MDT"): 0.0004,
                    ("OS", "Disease state"): 0.2})
    t = sg.claims_table(res, n_tests=4)
    assert list(t["Outcome"]) == ["PFS", "PFS", "OS", "OS"]
    assert list(t["Factor"]) == ["Timing of MDT", "Disease state"] * 2
    # fmt_p: three decimals below 0.01, two from 0.01; the common-τ² p of these results is twice the separate one
    assert list(t["Interaction (separate τ²)"]) == ["p = 0.005", "p = 0.30", "p < 0.001", "p = 0.20"]
    assert list(t["Interaction (common τ²)"]) == ["p = 0.01", "p = 0.60", "p < 0.001", "p = 0.40"]
    assert list(t["ICEMAN credibility"]) == ["low", "very low", "low", "very low"]
    assert t["Chance a likely explanation?"][0].endswith("one of 4 tests run (of 12 possible: 6 factors × 2 outcomes)")
    assert "rating" not in t.columns
    q = sg.claims_by_question(t)
    assert list(q.columns) == ["Question", "PFS: Timing of MDT", "PFS: Disease state", "OS: Timing of MDT",
                               "OS: Disease state"]
    assert list(q["Question"]) == ["Interaction (separate τ²)", "Interaction (common τ²)", "ICEMAN credibility",
                                   "Within-trial comparison?", "Pre-specified hypothesis with direction?",
                                   "Chance a likely explanation?", "Consistent across related outcomes?",
                                   "Confounded by other trial features?"]
    assert q.iloc[2, 1:].tolist() == ["low", "very low", "low", "very low"]


def test_claims_by_question_uses_reader_words():
    claims = pd.DataFrame({"Outcome": ["PFS"], "Factor": ["timing"], "A?": ["yes"]})
    q = sg.claims_by_question(claims)
    assert q.columns.tolist() == ["Question", "PFS: Timing of MDT"] and q.values.tolist() == [["A?", "yes"]]
    assert list(claims.columns) == ["Outcome", "Factor", "A?"]      # the caller's table is left alone


def test_significant_sentence():
    assert sg.significant_sentence(_results({})) == "No interaction test is significant at the 5% level."
    assert sg.significant_sentence(_results({("PFS", "Disease state"): 0.05})) == (
        "No interaction test is significant at the 5% level.")
    one = sg.significant_sentence(_results({("OS", "Timing of MDT"): 0.0099}))
    assert one == ("1 interaction test is significant at the 5% level: timing of MDT for OS (p = 0.010: upfront 0.50 "
                   "(k = 2), consolidation 0.80 (k = 2)). These are comparisons between trials, not within them, and "
                   "are not adjusted for the number of tests, so they generate hypotheses rather than establish "
                   "differences.")
    two = sg.significant_sentence(_results({("PFS", "Disease state"): 0.0001, ("OS", "Timing of MDT"): 0.04}))
    assert two.startswith("2 interaction tests are significant at the 5% level: disease state for PFS (p < 0.001: "
                          "de novo 0.70 (k = 2), recurrent 0.60 (k = 2)); timing of MDT for OS (p = 0.04: ")


def test_significant_sentence_lists_tested_levels_only():
    res = _results({("PFS", "Disease state"): 0.001})
    r = res[("PFS", "Disease state")]
    rows = pd.concat([r.rows, pd.DataFrame({"level": ["mixed"], "hr": [2.0], "k": [1], "in_test": [False]})])
    res[("PFS", "Disease state")] = sg.SubgroupResult(r.factor, rows, 1.0, 1, 0.001, 1.0, (1, 3), 0.002, 5)
    assert "mixed" not in sg.significant_sentence(res)


def test_collinearity_table_and_profile():
    t = _sg_table()
    tab = sg.collinearity_table(t)
    # estimable rows: timing (no timing → "oligoprogression") by disease state, with margins; the
    # levels are row and column headings, in sentence case
    assert tab.columns.tolist() == ["PFS comparisons: timing \\ disease state", "De novo", "Mixed", "Recurrent", "All"]
    cells = tab.set_index(tab.columns[0])
    assert cells.loc["Upfront"].tolist() == [2, 1, 0, 3]
    assert cells.loc["Consolidation"].tolist() == [1, 0, 1, 2]
    assert cells.loc["Oligoprogression"].tolist() == [0, 0, 1, 1]
    assert cells.loc["All"].tolist() == [3, 1, 2, 6]
    # upfront estimable: D1, D2, M1 (N1 is not estimable): de novo 2 of 3, lung 3 of 3, observation 3 of 3
    assert sg._profile(t, "upfront") == "upfront comparisons: 2 of 3 de novo, 3 of 3 lung, 3 of 3 observation"
    assert sg._profile(t, "consolidation") == ("consolidation comparisons: 1 of 2 de novo, 1 of 2 breast, "
                                               "1 of 2 active therapy")
    assert sg._profile(t, "later") == "no later comparison"


def test_subgroup_glue_values():
    p = {("PFS", "Timing of MDT"): 0.01, ("PFS", "Disease state"): 0.3, ("OS", "Timing of MDT"): 0.2,
         ("OS", "Disease state"): 0.0004, ("PFS", "Trial phase"): 0.5}
    v = sg.subgroup_glue_values(_results(p), {"PFS": _sg_table()})
    # five of twelve tests have a p; 0.05 × 5 = 0.25 expected by chance; two below 0.05
    assert v["n_tests"] == "5" and v["n_sig"] == "2 are" and v["n_factors"] == "6" and v["alpha"] == "5%"
    assert v["primary_test"] == "the separate-τ² test" and v["singletons"] == "enter it"
    assert v["method"] == SETTINGS.describe()
    assert v["verdict"] == "support a difference for at least one of them"
    assert v["best_rating"] == "low"
    assert v["collinear"] == ("upfront comparisons: 2 of 3 de novo, 3 of 3 lung, 3 of 3 observation; consolidation "
                              "comparisons: 1 of 2 de novo, 1 of 2 breast, 1 of 2 active therapy")
    assert v["timing_pfs_p"] == "p = 0.01" and v["state_pfs_p"] == "p = 0.30"
    assert v["timing_os_p"] == "p = 0.20" and v["state_os_p"] == "p < 0.001"
    assert v["significant"] == sg.significant_sentence(_results(p))
    # 5 of the 12 tests have a p; the others are named by factor and outcome
    assert v["tests_made"] == (
        "6 factors × 2 outcomes make 12 possible tests, of which 5 could be run (primary cancer for PFS and OS, MDT "
        "modality for PFS and OS, control arm for PFS and OS and trial phase for OS could not be tested: fewer than "
        "two of the subgroups have pooled comparisons)")


def test_tests_made_sentence():
    every = {k: r for k, r in _results({k: 0.5 for k in _results({})}).items()}
    assert sg.tests_made_sentence(every) == "6 factors × 2 outcomes make 12 possible tests, of which 12 could be run"
    ten = _results({k: 0.5 for k in _results({}) if k[1] != "Trial phase"})
    assert sg.tests_made_sentence(ten) == (
        "6 factors × 2 outcomes make 12 possible tests, of which 10 could be run (trial phase for PFS and OS could "
        "not be tested: fewer than two of the subgroups have pooled comparisons)")
    assert "give 10 tests" not in sg.tests_made_sentence(ten)


def test_significant_sentence_keeps_an_abbreviation_capital():
    got = sg.significant_sentence(_results({("PFS", "MDT modality"): 0.01}))
    assert got.startswith("1 interaction test is significant at the 5% level: MDT modality for PFS (p = 0.01: ")


def test_subgroup_glue_values_nothing_significant_other_settings():
    s = AnalysisSettings(subgroup_test="common", subgroup_singletons_enter=False, method="DL", test="z")
    p = {("PFS", "Timing of MDT"): 0.06, ("OS", "Disease state"): 0.05}
    v = sg.subgroup_glue_values(_results(p), {"PFS": _sg_table()}, s)
    assert v["primary_test"] == "the common-τ² test" and v["singletons"] == "do not enter it"
    assert v["method"] == "DerSimonian–Laird with Wald-type z-test"
    assert v["n_tests"] == "2" and v["n_sig"] == "0 are" and v["expected_false"] == "0.1"
    assert v["verdict"] == "do not carry that reading" and v["best_rating"] == "very low"
    assert v["timing_os_p"] == "not testable"
    one = sg.subgroup_glue_values(_results({("PFS", "Disease state"): 0.04}), {"PFS": _sg_table()})
    assert one["n_sig"] == "1 is" and one["expected_false"] == "0.1" and one["n_tests"] == "1"


def test_effect_modification_note():
    rep = SimpleNamespace(settings=SimpleNamespace(level=95.0),
                          absolute=pd.DataFrame({"cancer_group": ["NSCLC", "breast"]}))
    rows = pd.DataFrame({"level": ["NSCLC", "breast", "prostate"], "hr": [0.44, 0.87, 0.39],
                         "ci_lb": [0.20, 0.41, 0.26], "ci_ub": [0.96, 1.87, 0.60]})
    res = SimpleNamespace(p_primary=0.02, rows=rows)
    note = sof.effect_modification_note({"PFS": rep}, "PFS", {("PFS", "Primary cancer"): res})
    assert note == (" The pooled HR is applied to every group although the effect differed between primary cancers "
                    "(interaction p = 0.02; a comparison between trials, not adjusted for the other subgroup tests); "
                    "the groups' own HRs: non-small-cell lung cancer 0.44 (0.20–0.96) and breast 0.87 (0.41–1.87).")
    # not significant at the level's alpha (0.05), at 0.05 exactly, or no subgroup results: nothing said
    for p in (0.05, 0.3, float("nan")):
        assert sof.effect_modification_note({"PFS": rep}, "PFS",
                                            {("PFS", "Primary cancer"): SimpleNamespace(p_primary=p, rows=rows)}) == ""
    assert sof.effect_modification_note({"PFS": rep}, "PFS", None) == ""
    assert sof.effect_modification_note({"PFS": rep}, "PFS", {("OS", "Primary cancer"): res}) == ""
    # at a 90% level, p = 0.08 is significant
    rep90 = SimpleNamespace(settings=SimpleNamespace(level=90.0), absolute=rep.absolute)
    assert sof.effect_modification_note({"PFS": rep90}, "PFS",
                                        {("PFS", "Primary cancer"): SimpleNamespace(p_primary=0.08, rows=rows)})
