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
    assert by.at["tau_uniform", "note"] == "posterior not proper with k = 2 (needs k ≥ 3)"
    assert math.isnan(by.at["tau_uniform", "p_benefit"])
    assert by.at["imputed", "note"] == "no missing comparison could be imputed" and by.at["imputed", "k"] == 2
    assert by.at["imputed", "p_benefit"] == pytest.approx(by.at["default", "p_benefit"], rel=1e-12)
    assert by.loc[["default", "tau_wide", "sceptical", "imputed"], "estimable"].all()


def test_bayes_analyses_with_nothing_to_pool():
    rows, fits = ce.bayes_analyses(_rep(np.array([]), np.array([])))
    assert fits == {} and not rows["estimable"].any()
    notes = dict(zip(rows["analysis"], rows["note"]))
    # a prior on the mean makes two comparisons enough; a flat one needs three
    assert notes == {"default": "posterior not proper with k = 0 (needs k ≥ 3)", "tau_wide": "posterior not proper with k = 0 (needs k ≥ 3)",
                     "tau_uniform": "posterior not proper with k = 0 (needs k ≥ 3)",
                     "sceptical": "posterior not proper with k = 0 (needs k ≥ 2)",
                     "imputed": "posterior not proper with k = 0 (needs k ≥ 3)"}


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


# --------------------------------------------------------------------------- the chapter's values
V0, V1, V2, V3 = VERDICTS


def _bayes(k, p1, pm, uniform_ok=True, same=False):
    """The five Bayesian rows: default, tau_wide, tau_uniform (not estimable unless ``uniform_ok``), sceptical, imputed."""
    rows = []
    for key, p_b, p_m in (("default", p1, pm), ("tau_wide", 0.97, 0.8), ("tau_uniform", 0.5, 0.1),
                          ("sceptical", 0.95, 0.7), ("imputed", 0.96, 0.9)):
        if same:
            p_b, p_m = p1, pm
        ok = key != "tau_uniform" or uniform_ok
        rows.append({"analysis": key, "k": k, "estimable": ok, "note": "" if ok else f"posterior not proper with k = {k} (needs k ≥ 3)",
                     "p_benefit": p_b if ok else math.nan, "p_mcid": p_m if ok else math.nan, "hr": 0.5, "hr_lb": 0.3,
                     "hr_ub": 0.9, "new_hr": 0.5, "new_lb": 0.1, "new_ub": 2.5, "p_new_benefit": 0.85})
    return pd.DataFrame(rows)


def _tsa_rows(oc, primary, reml, hr_alt, hr_alt_z, crossing=""):
    base = {"outcome": oc, "D2": 0.456, "events_required_adjusted": 1234.4, "events_required": 700.6,
            "events_accrued": 350.2, "fraction": 0.2837, "crossing": crossing, "note": ""}
    return pd.DataFrame([base | {"analysis": "primary", "label": "Primary", "verdict": primary},
                         base | {"analysis": "reml_z", "label": "Z from REML", "verdict": reml},
                         base | {"analysis": "hr_alt", "label": "Anticipated HR 0.70", "verdict": hr_alt},
                         base | {"analysis": "hr_alt_z", "label": "HR 0.70, REML z", "verdict": hr_alt_z},
                         {"outcome": oc, "analysis": "low_rob", "label": "x", "verdict": "not run", "note": "n"}])


def _null(oc, after=True):
    before = {"hr": 0.5, "hr_lb": 0.3, "hr_ub": 0.9, "p_benefit": 0.986, "p_mcid": 0.9999, "verdict": V3}
    aft = {"hr": 0.6, "hr_lb": 0.4, "hr_ub": 0.95, "p_benefit": 0.95, "p_mcid": 0.9995, "verdict": V3} if after else {}
    return ce.NullTrial(oc, 200, 0.25 if after else math.nan, f"source {oc}", 25.0 if after else math.nan,
                        math.sqrt(2 / 25) if after else math.nan, before, aft)


def _cr(**kw):
    freq = {"PFS": {"hr": 0.55, "hr_lb": 0.35, "hr_ub": 0.85, "pi_lb": 0.2, "pi_ub": 1.5},
            "OS": {"hr": 0.7, "hr_lb": 0.5, "hr_ub": 1.0, "pi_lb": math.nan, "pi_ub": math.nan}}
    args = dict(settings=SETTINGS, frequentist=freq,
                bayes={"PFS": _bayes(3, 0.986, 0.9999), "OS": _bayes(2, 0.9995, 0.99991, uniform_ok=False, same=True)},
                fits={}, adverse=ce.AEProbability(0, "m", (), (), math.nan, math.nan, math.nan, 3), tsa={},
                tsa_notes={"PFS": {"low_rob": "n1"}, "OS": {"low_rob": "n1"}},
                tsa_table=pd.concat([_tsa_rows("PFS", V3, V3, V0, V3), _tsa_rows("OS", V0, V0, V2, V3, "T2")],
                                    ignore_index=True),
                undated={"PFS": 1, "OS": 0}, null={"PFS": _null("PFS"), "OS": _null("OS", after=False)},
                missing_k={"PFS": 1, "OS": 2}, imputed_k={"PFS": 1, "OS": 0})
    return ce.CertaintyReport(**(args | kw))


def test_certainty_glue_values_settings():
    v = ce.certainty_glue_values(_cr())
    # SCEPTICAL_SD = ln 2 / 1.959964 = 0.35365; ± 1.959964 sd is HR 0.5 to 2
    assert {k: v[k] for k in ("mcid", "alpha", "power", "alpha_split", "tau_prior", "tau_prior_wide", "sceptical_sd",
                              "hr_alt", "mcid_reduction", "sceptical_range", "d2_if_zero", "null_n")} == {
        "mcid": "0.80", "alpha": "0.05", "power": "90%", "alpha_split": "0.025", "tau_prior": "half-normal(0.5)",
        "tau_prior_wide": "half-normal(1.0)", "sceptical_sd": "0.354", "hr_alt": "0.70", "mcid_reduction": "20%",
        "sceptical_range": "HR 0.5 and 2", "d2_if_zero": "0.25", "null_n": "200"}
    s = AnalysisSettings(mcid_hr=0.75, tsa_alpha=0.1, tsa_power=0.8, null_trial_n=1500, tsa_hr_alt=0.65,
                         tsa_d2_if_zero=0.3, tau_prior=("halfcauchy", 0.25))
    v = ce.certainty_glue_values(_cr(settings=s))
    assert (v["mcid"], v["alpha"], v["power"], v["alpha_split"], v["null_n"], v["hr_alt"], v["d2_if_zero"]) == (
        "0.75", "0.1", "80%", "0.05", "1,500", "0.65", "0.3")
    assert v["mcid_reduction"] == "25%" and v["tau_prior"] == "half-Cauchy(0.2)"


def test_certainty_glue_values_bayes():
    v = ce.certainty_glue_values(_cr())
    assert (v["pfs_k"], v["pfs_p1"], v["pfs_p_mcid"], v["pfs_p_new1"]) == ("3", "= 98.6%", "> 99.9%", "= 85.0%")
    assert v["pfs_hr_bayes"] == "0.50 (0.30–0.90)" and v["pfs_new"] == "0.50 (0.10–2.50)"
    assert v["pfs_new_range"] == "0.10 to 2.50"
    assert v["pfs_hr_freq"] == "0.55 (0.35–0.85)" and v["pfs_pi_freq"] == "0.20 to 1.50"
    assert v["os_pi_freq"] == "not given (fewer than three comparisons)" and v["os_hr_freq"] == "0.70 (0.50–1.00)"
    # range over the estimable rows: 0.5 (uniform τ prior) to 0.986; P(HR < 0.8) from 0.1 to 0.9999
    assert v["pfs_p1_range"] == "from 50.0% to 98.6%" and v["pfs_p_mcid_range"] == "from 10.0% to > 99.9%"
    assert v["os_p1_range"] == "> 99.9%" and v["os_p_mcid_range"] == "> 99.9%"
    # the uniform prior on τ is improper: what is (or is not) proper is the posterior
    assert v["pfs_uniform"] == "the posterior is proper (k = 3)"
    assert v["os_uniform"] == "the posterior is not proper with k = 2 (needs k ≥ 3)"
    assert v["pfs_caveat"] == (
        "These probabilities rest on the three comparisons with a usable progression-free survival result. Another one "
        "included comparison has none; one of them could be imputed, and with them P(HR < 1) = 96.0% and P(HR < 0.80) "
        "= 90.0%. The others could move the estimate either way, and no prior can stand in for them.")
    assert v["os_caveat"] == (
        "These probabilities rest on the two comparisons with a usable overall survival result. Another two included "
        "comparisons have none; none of them could be imputed. The others could move the estimate either way, and no "
        "prior can stand in for them.")


def test_certainty_glue_values_tsa_and_null_trial():
    v = ce.certainty_glue_values(_cr())
    assert (v["pfs_D2"], v["pfs_req"], v["pfs_req_raw"], v["pfs_accrued"], v["pfs_fraction"]) == (
        "0.46", "1,234", "701", "350", "28%")
    assert v["pfs_verdict"] == V3 and v["pfs_verdict_reml_z"] == V3 and v["os_verdict"] == V0
    assert v["pfs_tsa_sentence"] == (
        "For progression-free survival, the pooled trials carry information worth about 350 events, 28% of the 1,234 "
        "required to detect HR 0.80 (D² = 0.46); the Z-curve has crossed no boundary: not yet conclusive.")
    assert v["os_tsa_sentence"].endswith("the Z-curve crossed the boundary for benefit when T2 was added: “firm "
                                         "evidence of benefit” in the sense of trial sequential analysis, which "
                                         "controls repeated testing but does not weigh risk of bias or missing results "
                                         "(the GRADE certainty stands).")
    assert v["pfs_tsa_sens"] == "The verdict differs in one sensitivity row: “Anticipated HR 0.70” (firm evidence of benefit)."
    assert v["os_tsa_sens"] == ("The verdict differs in two sensitivity rows: “Anticipated HR 0.70” (an effect as large "
                                "as anticipated is unlikely) and “HR 0.70, REML z” (not yet conclusive).")
    assert v["pfs_null_source"] == "source PFS" and v["os_null_source"] == "source OS"
    assert v["pfs_null_sentence"] == (
        "For progression-free survival, the control-arm event proportion is 25%, so the new trial would have about 25 "
        "events per arm and a standard error of 0.28 on the log hazard ratio. Added to the pool, it would move the "
        "primary model's HR from 0.50 (0.30–0.90) to 0.60 (0.40–0.95); P(HR < 1) goes from 98.6% to 95.0%, P(HR < 0.80) "
        "stays > 99.9%, and the trial sequential verdict stays “not yet conclusive”.")
    assert v["os_null_sentence"] == "For overall survival, no control-arm event proportion is known: no null trial is added."
    assert v["ae_sentence"].startswith("No included trial reports grade ≥2 adverse events per arm")


def test_certainty_glue_values_same_verdict_everywhere():
    tt = pd.concat([_tsa_rows("PFS", V3, V3, V3, V3), _tsa_rows("OS", V3, V3, V3, V3)], ignore_index=True)
    v = ce.certainty_glue_values(_cr(tsa_table=tt))
    assert v["pfs_tsa_sens"] == "Every sensitivity row that could be run gives the same verdict (not yet conclusive)."


def test_certainty_glue_values_order_and_low_rob():
    v = ce.certainty_glue_values(_cr())
    assert v["order"] == "1 pooled comparison without a date of first publication enters last."
    assert v["low_rob"] == "For both outcomes, n1, so the row anticipating their pooled HR is not run."
    v = ce.certainty_glue_values(_cr(undated={"PFS": 2, "OS": 1}, tsa_notes={"PFS": {"low_rob": "n1"}, "OS": {}}))
    assert v["order"] == "3 pooled comparisons without a date of first publication enter last."
    assert v["low_rob"] == "For PFS, n1, so the row anticipating their pooled HR is not run."
    v = ce.certainty_glue_values(_cr(undated={"PFS": 0, "OS": 0},
                                     tsa_notes={"PFS": {"low_rob": "n1"}, "OS": {"low_rob": "n2"}}))
    assert v["order"] == "No pooled comparison is undated."
    assert v["low_rob"] == ("For progression-free survival, n1, so the row anticipating their pooled HR is not run. "
                            "For overall survival, n2, so the row anticipating their pooled HR is not run.")
    v = ce.certainty_glue_values(_cr(tsa_notes={"OS": {"low_rob": "n2"}, "AE": {"low_rob": "n3"}}))
    assert v["low_rob"] == ("For overall survival, n2, so the row anticipating their pooled HR is not run. "
                            "For AE, n3, so the row anticipating their pooled HR is not run.")
    v = ce.certainty_glue_values(_cr(tsa_notes={"PFS": {}, "OS": {"other": "x"}}))
    assert v["low_rob"] == ("Every outcome has at least two trials at low risk of bias; their pooled HR is anticipated "
                            "in one row.")


def test_certainty_glue_values_os_claim():
    v = ce.certainty_glue_values(_cr())
    assert v["os_claim"] == (
        "The paper reads its pooled data as showing that MDT improves overall survival. By the trial sequential "
        "analysis with the primary model's z, that claim has reached firm evidence of benefit (firm evidence of "
        "benefit); the REML z-test gives the same verdict. Anticipating HR 0.70 instead, the verdict is “an effect as "
        "large as anticipated is unlikely” with the primary model's z and “not yet conclusive” with the REML z-test.")
    tt = pd.concat([_tsa_rows("PFS", V3, V3, V0, V3), _tsa_rows("OS", V3, V0, V3, V0)], ignore_index=True)
    v = ce.certainty_glue_values(_cr(tsa_table=tt))
    assert v["os_claim"].startswith("The paper reads its pooled data as showing that MDT improves overall survival. By "
                                    "the trial sequential analysis with the primary model's z, that claim has not "
                                    "reached firm evidence of benefit (not yet conclusive); with the REML z-test it "
                                    "would be “firm evidence of benefit” instead. Anticipating HR 0.70")
    one = _cr(bayes={"PFS": _bayes(3, 0.986, 0.9999)}, frequentist={"PFS": _cr().frequentist["PFS"]},
              tsa_notes={"PFS": {"low_rob": "n1"}})
    v = ce.certainty_glue_values(one)
    assert "os_claim" not in v and "os_k" not in v
    assert v["low_rob"] == "For both outcomes, n1, so the row anticipating their pooled HR is not run."


def test_certainty_report_assembles_the_parts(monkeypatch):
    calls = []
    monkeypatch.setattr(ce, "frequentist_summary", lambda rep: {"f": rep.outcome})
    monkeypatch.setattr(ce, "bayes_analyses", lambda rep, s: (f"b {rep.outcome}", {"fit": rep.outcome}))
    monkeypatch.setattr(ce, "tsa_analyses", lambda rep, s: ({"t": rep.outcome}, {"n": rep.outcome}))
    monkeypatch.setattr(ce, "tsa_summary", lambda oc, t, n: pd.DataFrame({"outcome": [oc], "t": [t["t"]]}))
    monkeypatch.setattr(ce, "null_trial", lambda review, rep, s: calls.append(review) or f"null {rep.outcome}")
    monkeypatch.setattr(ce, "adverse_event_probability", lambda sr, s: ("ae", sr))
    s = AnalysisSettings(method="DL")
    reps = {oc: SimpleNamespace(outcome=oc, pooled=pd.DataFrame({"first_pub_date": dates}),
                                missing=SimpleNamespace(table=pd.DataFrame({"x": range(m)}),
                                                        imputed=[SimpleNamespace(imputable=i) for i in imp]))
            for oc, dates, m, imp in (("PFS", ["2019", None, "x"], 3, [True, False, True]), ("OS", ["2020"], 1, [False]))}
    results = SimpleNamespace(settings=s, efficacy=reps, review="the review", safety={">=2": "sr2", ">=3": "sr3"})
    cr = ce.certainty_report(results)
    assert cr.settings is s and cr.frequentist == {"PFS": {"f": "PFS"}, "OS": {"f": "OS"}}
    assert cr.bayes == {"PFS": "b PFS", "OS": "b OS"} and cr.fits == {"PFS": {"fit": "PFS"}, "OS": {"fit": "OS"}}
    assert cr.tsa == {"PFS": {"t": "PFS"}, "OS": {"t": "OS"}} and cr.tsa_notes == {"PFS": {"n": "PFS"}, "OS": {"n": "OS"}}
    assert cr.tsa_table.to_dict("list") == {"outcome": ["PFS", "OS"], "t": ["PFS", "OS"]}
    assert list(cr.tsa_table.index) == [0, 1]
    assert cr.undated == {"PFS": 2, "OS": 0} and cr.null == {"PFS": "null PFS", "OS": "null OS"}
    assert cr.missing_k == {"PFS": 3, "OS": 1} and cr.imputed_k == {"PFS": 2, "OS": 0}
    assert cr.adverse == ("ae", "sr2") and calls == ["the review", "the review"]
    assert list(ce.certainty_report(results, outcomes=("OS",)).bayes) == ["OS"]
