"""Value tests of helpers.review.certainty on small hand-made reports (no results loaded): the
Bayesian rows against bayesmeta fits made here, the adverse-event probability by Woolf's formula,
the TSA rows against tsa() calls made here, the control-event proportion and the null trial by
hand, and the prose helpers word for word."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import helpers as h
from helpers.meta.bayes import bayesmeta
from helpers.meta.sequential import VERDICTS, tsa
from helpers.review import certainty as ce
from helpers.review.settings import SETTINGS, AnalysisSettings

Y = np.array([-0.5, -0.2, -0.4])
V = np.array([0.04, 0.09, 0.05])


def _rep(y=Y, v=V, imputed=None, dates=("2019", "2018-05-01", None), rob=("low", "some concerns", "low"),
         outcome="PFS"):
    k = len(y)
    pooled = pd.DataFrame({"trial_id": [f"t{i}" for i in range(k)], "trial": [f"T{i}" for i in range(k)],
                           "yi": y, "vi": v, "first_pub_date": list(dates)[:k], "rob_overall": list(rob)[:k],
                           "n": [100] * k, "cancer_group": ["NSCLC"] * k})
    table = pd.DataFrame({"yi": list(y), "sei": list(np.sqrt(v)), "imputed": [False] * k})
    if imputed is not None:
        table = pd.concat([table, pd.DataFrame({"yi": [imputed[0]], "sei": [imputed[1]], "imputed": [True]})],
                          ignore_index=True)
    return SimpleNamespace(outcome=outcome, pooled=pooled, missing=SimpleNamespace(analysis=SimpleNamespace(table=table)))


# --------------------------------------------------------------------------- Bayesian
def test_prior_words():
    assert ce._prior_words(("halfnormal", 0.5)) == "half-normal(0.5)"
    assert ce._prior_words(("halfcauchy", 1)) == "half-Cauchy(1.0)"
    assert ce._prior_words("uniform") == "uniform"


def test_posterior_summary_reads_the_right_cells():
    fit = bayesmeta(Y, np.sqrt(V), tau_prior=("halfnormal", 0.5))
    s = fit.summary
    got = ce.posterior_summary(fit, 0.7)
    assert got == pytest.approx({
        "k": 3, "hr": math.exp(s.at["median", "mu"]), "hr_lb": math.exp(s.at["95% lower", "mu"]),
        "hr_ub": math.exp(s.at["95% upper", "mu"]), "p_benefit": fit.pposterior(mu=0.0),
        "p_mcid": fit.pposterior(mu=math.log(0.7)), "new_hr": math.exp(s.at["median", "theta"]),
        "new_lb": math.exp(s.at["95% lower", "theta"]), "new_ub": math.exp(s.at["95% upper", "theta"]),
        "p_new_benefit": fit.pposterior(theta=0.0), "tau": s.at["median", "tau"], "tau_lb": s.at["95% lower", "tau"],
        "tau_ub": s.at["95% upper", "tau"]}, rel=1e-12)
    # sanity on the ordering of the numbers (the predictive interval is wider than the mean's)
    assert got["new_lb"] < got["hr_lb"] < got["hr"] < got["hr_ub"] < got["new_ub"]
    assert got["p_mcid"] < got["p_benefit"] < 1


def test_bayes_analyses_rows_against_fits_here():
    s = AnalysisSettings(tau_prior=("halfnormal", 0.3), tau_prior_wide=("halfnormal", 2.0), mcid_hr=0.75)
    rows, fits = ce.bayes_analyses(_rep(imputed=(0.1, 0.3)), s)
    assert list(rows["analysis"]) == ["default", "tau_wide", "tau_uniform", "sceptical", "imputed"]
    assert list(rows["label"]) == [ce.PRIOR_LABELS[k] for k in rows["analysis"]]
    assert list(rows["k"]) == [3, 3, 3, 3, 4] and list(rows["estimable"]) == [True] * 5
    assert list(rows["note"]) == ["", "", "", "", "1 imputed"]
    se = np.sqrt(V)
    want = {"default": bayesmeta(Y, se, tau_prior=("halfnormal", 0.3)),
            "tau_wide": bayesmeta(Y, se, tau_prior=("halfnormal", 2.0)),
            "tau_uniform": bayesmeta(Y, se, tau_prior="uniform"),
            "sceptical": bayesmeta(Y, se, tau_prior=("halfnormal", 0.3), mu_prior_mean=0.0,
                                   mu_prior_sd=ce.SCEPTICAL_SD),
            "imputed": bayesmeta(np.r_[Y, 0.1], np.r_[se, 0.3], tau_prior=("halfnormal", 0.3))}
    by = rows.set_index("analysis")
    for key, fit in want.items():     # the probabilities differ between the priors (no summary: it is slow)
        assert by.at[key, "p_benefit"] == pytest.approx(fit.pposterior(mu=0.0), rel=1e-10), key
        assert by.at[key, "p_mcid"] == pytest.approx(fit.pposterior(mu=math.log(0.75)), rel=1e-10), key
        assert by.at[key, "p_new_benefit"] == pytest.approx(fit.pposterior(theta=0.0), rel=1e-10), key
        assert fits[key].k == fit.k
    assert set(fits) == set(want)
    # the sceptical prior pulls towards HR 1; the wide τ prior gives a wider predictive interval
    assert by.at["sceptical", "hr"] > by.at["default", "hr"]
    assert by.at["tau_wide", "new_ub"] > by.at["default", "new_ub"]


def test_bayes_analyses_with_two_comparisons_and_nothing_imputed():
    rows, fits = ce.bayes_analyses(_rep(Y[:2], V[:2]))
    by = rows.set_index("analysis")
    assert not by.at["tau_uniform", "estimable"] and "tau_uniform" not in fits
    assert by.at["tau_uniform", "note"] == "not proper with k = 2 (needs k ≥ 3)"
    assert math.isnan(by.at["tau_uniform", "p_benefit"])
    assert by.at["imputed", "note"] == "no missing comparison could be imputed" and by.at["imputed", "k"] == 2
    assert by.at["imputed", "p_benefit"] == pytest.approx(by.at["default", "p_benefit"], rel=1e-12)
    assert by.loc[["default", "tau_wide", "sceptical", "imputed"], "estimable"].all()


def test_bayes_analyses_with_nothing_to_pool():
    rows, fits = ce.bayes_analyses(_rep(np.array([]), np.array([])))
    assert fits == {} and not rows["estimable"].any()
    notes = dict(zip(rows["analysis"], rows["note"]))
    # a prior on the mean makes two comparisons enough; a flat one needs three
    assert notes == {"default": "not proper with k = 0 (needs k ≥ 3)", "tau_wide": "not proper with k = 0 (needs k ≥ 3)",
                     "tau_uniform": "not proper with k = 0 (needs k ≥ 3)",
                     "sceptical": "not proper with k = 0 (needs k ≥ 2)",
                     "imputed": "not proper with k = 0 (needs k ≥ 3)"}


def test_frequentist_summary():
    res = SimpleNamespace(k=4, beta=math.log(0.6), ci_lb=math.log(0.4), ci_ub=math.log(0.9), pval=0.01, tau2=0.09)
    f = ce.frequentist_summary(SimpleNamespace(res=res, pred={"pi_lb": math.log(0.3), "pi_ub": math.log(1.2)}))
    assert f == pytest.approx({"k": 4, "hr": 0.6, "hr_lb": 0.4, "hr_ub": 0.9, "pi_lb": 0.3, "pi_ub": 1.2,
                               "pval": 0.01, "tau": 0.3})
    f = ce.frequentist_summary(SimpleNamespace(res=res, pred={"pi_lb": None, "pi_ub": None}))
    assert math.isnan(f["pi_lb"]) and math.isnan(f["pi_ub"]) and f["hr"] == pytest.approx(0.6)


# --------------------------------------------------------------------------- adverse events
def _sr(counts, trials=None, k_all=None):
    u = pd.DataFrame(counts, columns=["ai", "n1i", "ci", "n2i"]) if counts else pd.DataFrame(
        columns=["ai", "n1i", "ci", "n2i"])
    u["trial"] = trials or [f"S{i}" for i in range(len(u))]
    return SimpleNamespace(usable=u, table=pd.DataFrame({"x": range(k_all if k_all is not None else len(u))}))


def test_odds_ratio_of_ae_probability():
    a = ce.AEProbability(1, "m", ("S",), ((1, 2, 3, 4),), math.log(2.0), 0.5, 0.9)
    z = stats.norm.ppf(0.975)
    assert a.odds_ratio == pytest.approx((2.0, 2 * math.exp(-0.5 * z), 2 * math.exp(0.5 * z)), rel=1e-12)
    assert a.k_included == 0


def test_adverse_event_probability_none():
    a = ce.adverse_event_probability(_sr([], k_all=5))
    assert (a.k, a.method, a.trials, a.counts, a.k_included) == (0, "no trial reports the events per arm", (), (), 5)
    assert math.isnan(a.log_or) and math.isnan(a.se) and math.isnan(a.p_harm)


def test_adverse_event_probability_double_zero():
    a = ce.adverse_event_probability(_sr([(0, 40, 0, 40)], ["Z"], k_all=3))
    assert (a.k, a.method, a.trials, a.counts, a.k_included) == (1, "no trial has events in either arm", ("Z",),
                                                                 ((0, 40, 0, 40),), 3)
    assert math.isnan(a.p_harm) and math.isnan(a.log_or)


def test_adverse_event_probability_one_usable_of_two():
    # the double-zero trial drops out; the other: OR = (10·45)/(40·5) = 2.25, var = 1/10 + 1/40 + 1/5 + 1/45
    a = ce.adverse_event_probability(_sr([(0, 40, 0, 40), (10, 50, 5, 50)], ["Z", "A"]))
    y, se = math.log(2.25), math.sqrt(1 / 10 + 1 / 40 + 1 / 5 + 1 / 45)
    assert a.k == 2 and a.method == "one trial: flat prior, normal approximation" and a.trials == ("Z", "A")
    assert a.log_or == pytest.approx(y, rel=1e-12) and a.se == pytest.approx(se, rel=1e-12)
    assert a.p_harm == pytest.approx(stats.norm.cdf(y / se), rel=1e-12)
    assert a.counts == ((0, 40, 0, 40), (10, 50, 5, 50)) and all(isinstance(x, int) for x in a.counts[1])


def test_adverse_event_probability_single_zero_gets_the_correction():
    s = AnalysisSettings(or_add=0.25)
    a = ce.adverse_event_probability(_sr([(3, 20, 0, 20)]), s)
    # 0.25 added to every cell: OR = (3.25·0.25)/(17.25·20.25)... written out below
    y = math.log((3.25 * 20.25) / (17.25 * 0.25))
    assert a.log_or == pytest.approx(y, rel=1e-12)
    assert a.se == pytest.approx(math.sqrt(1 / 3.25 + 1 / 17.25 + 1 / 0.25 + 1 / 20.25), rel=1e-12)


def test_adverse_event_probability_two_trials():
    a = ce.adverse_event_probability(_sr([(10, 50, 5, 50), (8, 30, 9, 31)]))
    y = np.array([math.log(10 * 45 / (40 * 5)), math.log(8 * 22 / (22 * 9))])
    se = np.sqrt([1 / 10 + 1 / 40 + 1 / 5 + 1 / 45, 1 / 8 + 1 / 22 + 1 / 9 + 1 / 22])
    fit = bayesmeta(y, se, tau_prior=("halfnormal", 0.5))
    assert a.k == 2 and a.method == "random-effects posterior, default priors"
    assert a.log_or == pytest.approx(fit.summary.at["median", "mu"], rel=1e-10)
    assert a.se == pytest.approx(fit.summary.at["sd", "mu"], rel=1e-10)
    assert a.p_harm == pytest.approx(1 - fit.pposterior(mu=0.0), rel=1e-10)


# --------------------------------------------------------------------------- trial sequential analysis
def test_entry_order():
    keys, undated = ce.entry_order(["2019-12-12", "2019", None, float("nan"), "undated", " 2020 "])
    assert keys == [(0, "2019-12-12"), (0, "2019"), (1, ""), (1, ""), (1, ""), (0, "2020")]
    assert undated == 3
    assert ce.entry_order([]) == ([], 0)


@pytest.fixture
def fake_tsa(monkeypatch):
    """tsa() replaced by a recorder: the arguments each TSA row is run with."""
    def record(y, v, **kw):
        return SimpleNamespace(y=list(y), v=list(v), **kw)
    monkeypatch.setattr(ce, "tsa", record)


def test_tsa_analyses_arguments(fake_tsa):
    y, v = np.array([-0.9, 0.2, -0.4]), np.array([0.02, 0.03, 0.05])
    out, notes = ce.tsa_analyses(_rep(y, v, rob=("low", "high", "low")))
    D2 = h.diversity(h.rma(y, v, method="REML", test="z"))
    assert D2 > 0.5 and "d2" not in out and notes == {}
    assert list(out) == ["primary", "reml_z", "hr_alt", "hr_alt_z", "low_rob", "alpha_split"]
    low = math.exp(h.rma(y[[0, 2]], v[[0, 2]], method="REML", test="adhoc").beta)     # T0 and T2, primary model
    want = {"primary": (0.8, 0.05, "adhoc"), "reml_z": (0.8, 0.05, "z"), "hr_alt": (0.7, 0.05, "adhoc"),
            "hr_alt_z": (0.7, 0.05, "z"), "low_rob": (pytest.approx(low, rel=1e-12), 0.05, "adhoc"),
            "alpha_split": (0.8, 0.025, "adhoc")}
    for key, (hr, alpha, test) in want.items():
        r = out[key]
        assert (r.hr, r.alpha, r.test, r.power, r.method) == (hr, alpha, test, 0.9, "REML"), key
        assert r.D2 == pytest.approx(D2, rel=1e-12) and r.y == list(y) and r.v == list(v), key
        assert r.order == [(0, "2019"), (0, "2018-05-01"), (1, "")] and r.labels == ["T0", "T1", "T2"], key
    assert low < 1


def test_tsa_analyses_homogeneous(fake_tsa):
    y, v = np.array([-0.3, -0.3, -0.3]), np.array([0.04, 0.05, 0.06])
    s = AnalysisSettings(tsa_d2_if_zero=0.4, tsa_hr_alt=0.6, tsa_alpha=0.04, mcid_hr=0.85, tsa_power=0.8,
                         method="DL", test="knha")
    out, notes = ce.tsa_analyses(_rep(y, v, rob=("some concerns", "high", "low")), s)
    assert list(out) == ["primary", "reml_z", "d2", "hr_alt", "hr_alt_z", "alpha_split"]
    assert out["primary"].D2 == 0 and out["d2"].D2 == 0.4 and out["hr_alt"].D2 == 0
    assert (out["d2"].hr, out["d2"].test, out["d2"].alpha) == (0.85, "knha", 0.04)
    assert (out["primary"].power, out["primary"].alpha, out["primary"].method) == (0.8, 0.04, "DL")
    assert out["alpha_split"].alpha == 0.02 and out["reml_z"].test == "z" and out["reml_z"].hr == 0.85
    assert (out["hr_alt"].hr, out["hr_alt"].test) == (0.6, "knha") and (out["hr_alt_z"].hr, out["hr_alt_z"].test) == (
        0.6, "z")
    assert notes == {"low_rob": "only one pooled trial is at low overall risk of bias, fewer than the two needed to "
                                "pool an anticipated HR"}


def test_tsa_analyses_low_rob_notes(fake_tsa):
    v = np.array([0.04, 0.05, 0.06])
    _, notes = ce.tsa_analyses(_rep(Y, v, rob=("high", "high", None)))
    assert notes == {"low_rob": "no pooled trial is at low overall risk of bias, fewer than the two needed to pool an "
                                "anticipated HR"}
    # two low-risk trials that pool to HR ≥ 1: nothing to anticipate
    out, notes = ce.tsa_analyses(_rep(np.array([0.2, -0.5, 0.3]), v, rob=("low", "high", "low")))
    hr = math.exp(h.rma(np.array([0.2, 0.3]), v[[0, 2]], method="REML", test="adhoc").beta)
    assert "low_rob" not in out and f"{hr:.2f}" == "1.27"
    assert notes == {"low_rob": "the trials at low risk of bias pool to HR 1.27, no benefit to anticipate"}


def test_tsa_analyses_one_trial(fake_tsa):
    out, _ = ce.tsa_analyses(_rep(Y[:1], V[:1], rob=("low",)))
    assert out["primary"].D2 == 0 and out["d2"].D2 == SETTINGS.tsa_d2_if_zero


def test_tsa_summary():
    y, v = np.array([-0.9, 0.2, -0.4]), np.array([0.02, 0.03, 0.05])
    D2 = h.diversity(h.rma(y, v, method="REML", test="z"))
    keys, labels = [(0, "2019"), (0, "2018-05-01"), (1, "")], ["T0", "T1", "T2"]
    out = {"primary": ce._tsa(y, v, keys, labels, SETTINGS, D2=D2), "d2": ce._tsa(y, v, keys, labels, SETTINGS, D2=0.25),
           "hr_alt": ce._tsa(y, v, keys, labels, SETTINGS, D2=D2, hr=0.7),
           "alpha_split": ce._tsa(y, v, keys, labels, SETTINGS, D2=D2, alpha=0.025)}
    t = ce.tsa_summary("OS", out, {"low_rob": "a note"})
    by = t.set_index("analysis")
    p = out["primary"]
    last = p.looks.iloc[-1]
    # required information (Wetterslev): (z_{1−α/2} + z_power)² / ln(HR)² / (1 − D²); 4 events per unit
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.9)
    assert by.at["primary", "events_required"] == pytest.approx(4 * z**2 / math.log(0.8) ** 2, rel=1e-9)
    assert by.at["primary", "events_required_adjusted"] == pytest.approx(
        4 * z**2 / math.log(0.8) ** 2 / (1 - p.D2), rel=1e-9)
    assert by.at["primary", "events_accrued"] == pytest.approx(4 * (1 / v).sum(), rel=1e-12)
    assert by.at["primary", "fraction"] == pytest.approx((1 / v).sum() / (z**2 / math.log(0.8) ** 2 / (1 - p.D2)))
    assert by.at["primary", "z_final"] == pytest.approx(-last["z"]) and by.at["primary", "z_final"] > 0
    assert by.at["primary", "boundary_final"] == pytest.approx(-last["lower"]) and by.at["primary", "boundary_final"] > 0
    assert by.at["primary", "crossing"] == (p.crossing or "") and by.at["primary", "note"] == ""
    assert by.at["primary", "verdict"] == p.verdict and by.at["primary", "z_source"] == "REML-adhoc"
    assert (by.at["primary", "hr"], by.at["primary", "alpha"], by.at["primary", "power"]) == (0.8, 0.05, 0.9)
    assert by.at["primary", "D2"] == p.D2
    assert by.at["d2", "D2"] == 0.25 and by.at["hr_alt", "hr"] == 0.7 and by.at["alpha_split", "alpha"] == 0.025
    assert list(p.looks["label"]) == ["T1", "T0", "T2"]        # by date of first publication, undated last
    labels = dict(zip(t["analysis"], t["label"]))
    assert labels == {"primary": "Primary", "hr_alt": "Anticipated HR 0.70",
                      "low_rob": "Anticipated HR of the trials at low risk of bias",
                      "alpha_split": "α 0.025 (two primary outcomes)", "d2": "D² set to 0.25"}
    assert ce.TSA_LABELS["reml_z"] == "Z from REML with the Wald z-test"
    assert ce.TSA_LABELS["hr_alt_z"].format(hr=0.7) == "Anticipated HR 0.70, z from REML with the Wald z-test"
    assert ce.TSA_LABELS["low_rob"].format(hr=0.6543) == "Anticipated HR 0.65 (low risk of bias trials)"
    assert list(t["outcome"].unique()) == ["OS"]
    note = t[t["note"] == "a note"].iloc[0]
    assert note["verdict"] == "not run" and note["analysis"] == "low_rob" and note["outcome"] == "OS"


# --------------------------------------------------------------------------- control events and the null trial
def _ce_review(events=True):
    records = pd.DataFrame({"record_id": ["r1", "r2", "r3", "r4"],
                            "decision": ["included", "included", "excluded", "included"]})
    outcomes = pd.DataFrame({
        "trial_id": ["t0", "t0", "t1", "t2", "t1", "t0", "zz"],
        "record_id": ["r1", "r2", "r3", "r1", "r4", "r1", "r1"],
        "outcome": ["PFS", "PFS", "PFS", "PFS", "OS", "OS", "PFS"],
        "primary": ["no", "yes", "yes", "yes", "yes", "yes", "yes"],
        "events_control": [20.0, 30.0, 99.0, None, 7.0, 5.0, 50.0] if events else [None] * 7})
    trials = pd.DataFrame({"trial_id": ["t0", "t1", "t2", "zz"], "n_control": pd.array([50, 40, 60, 100], "Int64")})
    return SimpleNamespace(records=records, outcomes=outcomes, trials=trials)


def _abs(groups, controls):
    return pd.DataFrame({"cancer_group": groups, "control": controls})


def test_control_event_proportion_from_printed_counts():
    rep = _rep()
    rep.absolute = _abs([], [])
    prop, source = ce.control_event_proportion(_ce_review(), rep)
    # PFS of pooled trials from included records: t0 (primary row: 30 of 50); t1's row is from an excluded
    # record, t2 prints none, zz is not pooled → 30 / 50
    assert prop == pytest.approx(0.6)
    assert source == "The control-arm event counts printed by 1 pooled trial are used (30 events in 50 patients)"
    rep.outcome = "OS"
    prop, source = ce.control_event_proportion(_ce_review(), rep)
    # OS: t1 7 of 40 (record r4 included), t0 5 of 50 → 12 / 90
    assert prop == pytest.approx(12 / 90)
    assert source == "The control-arm event counts printed by 2 pooled trials are used (12 events in 90 patients)"


def test_control_event_proportion_skips_trials_without_a_control_size():
    review = _ce_review()
    review.trials["n_control"] = pd.array([None, 40, 60, 100], "Int64")
    rep = _rep()
    rep.absolute = _abs([], [])
    rep.outcome = "OS"
    prop, source = ce.control_event_proportion(review, rep)
    assert prop == pytest.approx(7 / 40) and "1 pooled trial" in source


def test_control_event_proportion_from_the_baselines():
    rep = _rep()
    rep.pooled["cancer_group"] = ["NSCLC", "breast", "breast"]
    rep.pooled["n"] = pd.array([100, 200, None], "Int64")
    rep.absolute = _abs(["NSCLC", "breast", "prostate"], [0.6, 0.8, 0.5])
    prop, source = ce.control_event_proportion(_ce_review(events=False), rep)
    # weights 100 (NSCLC), 200 (breast), 0 (prostate, not pooled): (100·0.4 + 200·0.2 + 0·0.5) / 300
    assert prop == pytest.approx(80 / 300)
    assert source == ("No pooled trial prints control-arm event counts, so the control-arm risk of an event by 12 "
                      "months is taken from the baseline of the absolute effects (exponential survival from the "
                      "printed control-arm medians; 3 cancer groups, weighted by the participants of their pooled "
                      "comparisons)")
    rep.absolute = _abs(["NSCLC"], [0.7])
    prop, source = ce.control_event_proportion(_ce_review(events=False), rep, AnalysisSettings(absolute_months=24))
    assert prop == pytest.approx(0.3)
    assert source.endswith("by 24 months is taken from the baseline of the absolute effects (exponential survival "
                           "from the printed control-arm medians; the non-small-cell lung cancer comparisons, the "
                           "only cancer group with a printed control median)")
    rep.absolute = _abs(["prostate", "colon"], [0.5, 0.9])          # no pooled participants: plain mean
    assert ce.control_event_proportion(_ce_review(events=False), rep)[0] == pytest.approx(0.3)
    rep.absolute = _abs([], [])
    prop, source = ce.control_event_proportion(_ce_review(events=False), rep)
    assert math.isnan(prop) and source == "no control-arm events or control-arm baseline is printed"


def test_null_trial():
    rep = _rep()
    rep.absolute = _abs([], [])
    s = AnalysisSettings(null_trial_n=100)
    n = ce.null_trial(_ce_review(), rep, s)
    # 30 / 50 control events: d = 100 / 2 × 0.6 = 30 per arm, SE = √(1/30 + 1/30)
    assert (n.outcome, n.n, n.proportion, n.events) == ("PFS", 100, pytest.approx(0.6), pytest.approx(30.0))
    assert n.se == pytest.approx(math.sqrt(2 / 30))
    se = np.sqrt(V)
    before, after = h.rma(Y, V, method="REML", test="adhoc"), h.rma(np.r_[Y, 0.0], np.r_[V, 2 / 30],
                                                                    method="REML", test="adhoc")
    assert n.before["hr"] == pytest.approx(math.exp(before.beta)) and n.before["pval"] == pytest.approx(before.pval)
    assert n.after["hr"] == pytest.approx(math.exp(after.beta)) and n.after["hr_ub"] == pytest.approx(
        math.exp(after.ci_ub))
    assert n.after["hr_lb"] == pytest.approx(math.exp(after.ci_lb)) and n.after["hr"] > n.before["hr"]
    fit = bayesmeta(np.r_[Y, 0.0], np.r_[se, math.sqrt(2 / 30)], tau_prior=("halfnormal", 0.5))
    assert n.after["p_benefit"] == pytest.approx(fit.pposterior(mu=0.0), rel=1e-10)
    assert n.after["p_mcid"] == pytest.approx(fit.pposterior(mu=math.log(0.8)), rel=1e-10)
    assert n.after["bayes_hr"] > n.before["bayes_hr"]          # every pooled log HR is negative: HR 1 pulls up
    t = tsa(np.r_[Y, 0.0], np.r_[V, 2 / 30], hr=0.8, order=[(0, "2019"), (0, "2018-05-01"), (1, ""), (2, "")],
            labels=["T0", "T1", "T2", "a new null trial"], alpha=0.05, power=0.9, method="REML", test="adhoc")
    assert n.after["verdict"] == t.verdict and n.after["fraction"] == pytest.approx(t.t)
    assert t.looks["label"].iloc[-1] == "a new null trial"


def test_null_trial_without_a_proportion():
    rep = _rep()
    rep.absolute = _abs([], [])
    n = ce.null_trial(_ce_review(events=False), rep)
    assert math.isnan(n.proportion) and math.isnan(n.se) and n.after == {} and n.before["hr"] > 0
    rep.absolute = _abs(["NSCLC"], [1.0])            # no event by the landmark: d = 0
    n = ce.null_trial(_ce_review(events=False), rep)
    assert n.proportion == 0 and n.events == 0 and math.isnan(n.se) and n.after == {}


# --------------------------------------------------------------------------- prose helpers
def test_verdict_words():
    row = {"verdict": VERDICTS[0], "crossing": "T9"}
    assert ce._verdict_words(row, 0.8).startswith("the Z-curve crossed the boundary for benefit when T9 was added: "
                                                  "“firm evidence of benefit” in the sense of trial sequential")
    assert ce._verdict_words({"verdict": VERDICTS[1], "crossing": "T2"}, 0.8) == (
        "the Z-curve crossed the boundary for harm when T2 was added")
    assert ce._verdict_words({"verdict": VERDICTS[2], "crossing": ""}, 0.75) == (
        "the required information was reached without a crossing: an effect as large as HR 0.75 is unlikely")
    assert ce._verdict_words({"verdict": VERDICTS[3], "crossing": ""}, 0.8) == (
        "the Z-curve has crossed no boundary: not yet conclusive")


def test_is_and_move():
    assert ce._is(0.986) == "= 98.6%" and ce._is(0.9999) == "> 99.9%" and ce._is(0.0001) == "< 0.1%"
    assert ce._move("a", "a") == "stays a" and ce._move("a", "b") == "goes from a to b"
    assert ce._move("x", "x", quote=True) == "stays “x”" and ce._move("x", "y", quote=True) == "goes from “x” to “y”"


def test_ae_sentence():
    none = ce.AEProbability(0, "m", (), (), math.nan, math.nan, math.nan, 4)
    text = "No included trial reports grade ≥2 adverse events per arm, so no probability of harm can be given."
    assert ce._ae_sentence(none) == text
    assert ce._ae_sentence(ce.AEProbability(1, "m", ("Z",), ((0, 4, 0, 4),), math.nan, math.nan, math.nan, 4)) == text
    one = ce.AEProbability(1, "m", ("SABR",), ((10, 50, 5, 50),), math.log(2.25), 0.5, 0.95, 4)
    assert ce._ae_sentence(one) == (
        "For grade ≥2 adverse events only one trial, SABR, reports the events per arm (10/50 with MDT, 5/50 with "
        f"control). Its odds ratio is {h.fmt_ratio(*one.odds_ratio)}; under a flat prior, with the normal "
        "approximation to its log odds ratio, the probability that MDT raises the odds of such an event (OR > 1) is "
        "95.0%. A random-effects posterior from one trial would only return the prior on τ: one trial cannot say how "
        "harms vary between trials. 3 of the 4 included comparisons report no usable count, so this probability "
        "describes the trials that report harms, not all the trials pooled for benefit.")
    two = ce.AEProbability(2, "m", ("A", "B"), (), 0.1, 0.2, 0.6, 5)
    assert ce._ae_sentence(two) == (
        "For grade ≥2 adverse events 2 trials report the events per arm; under the default priors the probability "
        "that MDT raises the odds of such an event (OR > 1) is 60.0%. 3 of the 5 included comparisons report no "
        "usable count, so this probability describes the trials that report harms, not all the trials pooled for "
        "benefit.")
