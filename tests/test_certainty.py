"""helpers.review.certainty: the certainty chapter's numbers, each checked by hand or by an
independent computation (one-dimensional quadrature, Woolf's formula, Schoenfeld's formula)."""
from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import helpers as h
from helpers.review.certainty import (SCEPTICAL_SD, adverse_event_probability, bayes_analyses, certainty_glue_values,
                                      certainty_report, control_event_proportion, entry_order,
                                      tsa_analyses)
from helpers.show.text import fmt_prob

Z975, Z90 = stats.norm.ppf(0.975), stats.norm.ppf(0.9)


@pytest.fixture(scope="module")
def R():
    return h.load_results()


@pytest.fixture(scope="module")
def cr(R):
    return certainty_report(R)


def _p_benefit_by_quadrature(y, v, scale=0.5):
    """P(mu < 0 | y) under a flat prior on mu and a half-normal(scale) prior on tau, written out:
    p(tau | y) ∝ p(tau) · |P|^(-1/2) · Π (v_i + tau²)^(-1/2) · exp(-Q/2), mu | tau, y ~ N(m, 1/P)."""
    def parts(tau):
        w = 1 / (v + tau**2)
        P = w.sum()
        m = (w * y).sum() / P
        logpost = (stats.halfnorm.logpdf(tau, scale=scale) - 0.5 * np.log(w**-1).sum() - 0.5 * np.log(P)
                   - 0.5 * (w * (y - m) ** 2).sum())
        return logpost, m, P
    shift = parts(0.1)[0]
    dens = lambda t: math.exp(parts(t)[0] - shift)  # noqa: E731
    num = integrate.quad(lambda t: dens(t) * stats.norm.cdf(-parts(t)[1] * math.sqrt(parts(t)[2])), 0, 10,
                         epsabs=1e-13, epsrel=1e-11, limit=200)[0]
    den = integrate.quad(dens, 0, 10, epsabs=1e-13, epsrel=1e-11, limit=200)[0]
    return num / den


# --------------------------------------------------------------------------- Bayesian
@pytest.mark.parametrize("oc", ["PFS", "OS"])
def test_p_benefit_is_the_posterior_cdf_at_zero(R, cr, oc):
    p = R.efficacy[oc].pooled
    y, v = p["yi"].to_numpy(float), p["vi"].to_numpy(float)
    row = cr.bayes[oc].set_index("analysis").loc["default"]
    fit = h.bayesmeta(y, np.sqrt(v), tau_prior=("halfnormal", 0.5))
    assert row["p_benefit"] == pytest.approx(fit.pposterior(mu=0.0), abs=1e-12)
    assert row["p_mcid"] == pytest.approx(fit.pposterior(mu=math.log(0.8)), abs=1e-12)
    assert row["p_benefit"] == pytest.approx(_p_benefit_by_quadrature(y, v), abs=1e-7)
    assert row["k"] == len(p)


def test_the_primary_numbers_of_the_page(cr):
    """The values the chapter shows (P(HR < 1), P(HR < 0.8)), rounded as shown."""
    b = {oc: t.set_index("analysis").loc["default"] for oc, t in cr.bayes.items()}
    assert fmt_prob(b["PFS"]["p_benefit"]) == "> 99.9%"
    assert fmt_prob(b["OS"]["p_benefit"]) == "98.6%"
    assert fmt_prob(b["OS"]["p_mcid"]) == "92.3%"


def test_sceptical_prior_holds_95_percent_between_hr_half_and_two():
    assert SCEPTICAL_SD == pytest.approx(math.log(2) / 1.959964, rel=1e-15)
    mass = stats.norm.cdf(math.log(2), scale=SCEPTICAL_SD) - stats.norm.cdf(math.log(0.5), scale=SCEPTICAL_SD)
    assert mass == pytest.approx(0.95, abs=1e-7)


def test_settings_hold_the_prespecified_threshold():
    s = h.SETTINGS
    assert (s.mcid_hr, s.tsa_alpha, s.tsa_power, s.tau_prior) == (0.80, 0.05, 0.9, ("halfnormal", 0.5))


def _fake_report(y, v, imputed=()):
    pooled = pd.DataFrame({"yi": y, "vi": v})
    rows = [{"yi": a, "sei": math.sqrt(b), "imputed": False} for a, b in zip(y, v)]
    rows += [{"yi": a, "sei": s, "imputed": True} for a, s in imputed]
    return SimpleNamespace(pooled=pooled, missing=SimpleNamespace(analysis=SimpleNamespace(table=pd.DataFrame(rows))))


def test_uniform_tau_prior_is_refused_below_three_comparisons_and_says_so():
    t, fits = bayes_analyses(_fake_report([-0.5, -0.2], [0.04, 0.09]))
    row = t.set_index("analysis").loc["tau_uniform"]
    assert not row["estimable"] and row["note"] == "posterior not proper with k = 2 (needs k ≥ 3)"
    assert "tau_uniform" not in fits and t.set_index("analysis").loc["default", "estimable"]


def test_imputed_set_adds_the_imputed_comparisons():
    t, fits = bayes_analyses(_fake_report([-0.5, -0.2, -0.3], [0.04, 0.09, 0.05], imputed=[(-0.7, 0.3)]))
    row = t.set_index("analysis").loc["imputed"]
    assert row["k"] == 4 and row["note"] == "1 imputed"
    ref = h.bayesmeta([-0.5, -0.2, -0.3, -0.7], np.sqrt([0.04, 0.09, 0.05, 0.09]))
    assert row["p_benefit"] == pytest.approx(ref.pposterior(mu=0.0), abs=1e-12)


# --------------------------------------------------------------------------- adverse events
def test_one_trial_adverse_event_probability_by_hand(R):
    a = adverse_event_probability(R.safety[">=2"])
    assert a.k == 1 and a.counts == ((20, 66, 3, 33),)
    lor = math.log(20 * 30 / (46 * 3))
    se = math.sqrt(1 / 20 + 1 / 46 + 1 / 3 + 1 / 30)
    assert a.log_or == pytest.approx(lor, rel=1e-12) and a.se == pytest.approx(se, rel=1e-12)
    assert a.p_harm == pytest.approx(stats.norm.cdf(lor / se), rel=1e-12)
    assert fmt_prob(a.p_harm) == "98.7%"


# --------------------------------------------------------------------------- TSA
def test_entry_order_puts_undated_last_and_years_before_their_dates():
    keys, undated = entry_order(["2023-04-27", "undated", "2019", "2019-12-12", None, "2016-10-24"])
    order = sorted(range(6), key=lambda i: keys[i])
    assert order == [5, 2, 3, 0, 1, 4] and undated == 2


def test_tsa_anticipates_the_mcid_not_the_observed_hr(cr):
    r = cr.tsa["OS"]["primary"]
    assert r.hr == 0.80 and r.alpha == 0.05 and r.power == 0.9 and r.test == "adhoc"
    events = 4 * (Z975 + Z90) ** 2 / math.log(0.8) ** 2
    assert r.required.events == pytest.approx(events, rel=1e-12)
    assert cr.tsa["OS"]["alpha_split"].alpha == 0.025
    assert cr.tsa["OS"]["hr_alt"].hr == 0.70
    # D² is 0 for OS (tau² = 0), so the D² = 0.25 row is there; not for PFS
    assert cr.tsa["OS"]["primary"].D2 == 0 and cr.tsa["OS"]["d2"].D2 == 0.25 and "d2" not in cr.tsa["PFS"]


def test_tsa_order_is_by_first_publication(R, cr):
    p = R.efficacy["OS"].pooled
    labels = list(cr.tsa["OS"]["primary"].looks["label"])
    dates = dict(zip(p["trial"], p["first_pub_date"].astype(str)))
    assert [dates[t] for t in labels] == sorted(dates[t] for t in labels)


def test_os_with_reml_z_crosses_and_with_hksj_does_not(R):
    """The engine's sanity check, through this module: OS, HR 0.75, power 0.8, D² = 0."""
    s = dataclasses.replace(h.SETTINGS, mcid_hr=0.75, tsa_power=0.8)
    res, _ = tsa_analyses(R.efficacy["OS"], s)
    assert res["primary"].D2 == 0
    assert res["reml_z"].verdict == "firm evidence of benefit"
    assert res["primary"].verdict == "not yet conclusive"


def test_low_risk_of_bias_row_is_explained_when_not_run(cr):
    assert set(cr.tsa_notes["OS"]) == {"low_rob"} and "no pooled trial is at low overall risk of bias" in \
        cr.tsa_notes["OS"]["low_rob"]


def test_verdicts_and_os_claim_sentence(cr):
    v = certainty_glue_values(cr)
    assert v["os_verdict"] == "not yet conclusive" and v["pfs_verdict"] == "firm evidence of benefit"
    assert "that claim has not reached firm evidence of benefit" in v["os_claim"]
    assert v["os_verdict_reml_z"] == cr.tsa["OS"]["reml_z"].verdict


# --------------------------------------------------------------------------- one more null trial
def test_null_trial_standard_error_from_the_control_event_proportion(R, cr):
    rep = R.efficacy["OS"]
    prop, source = control_event_proportion(R.review, rep)
    # no control-arm counts: the 12-month control risk of the only baseline (NSCLC, median 23.2 months)
    assert prop == pytest.approx(1 - 0.5 ** (12 / 23.2), rel=1e-12)
    assert source.startswith("No pooled trial prints control-arm event counts")
    n = cr.null["OS"]
    d = 100 * prop
    assert n.events == pytest.approx(d) and n.se == pytest.approx(math.sqrt(1 / d + 1 / d), rel=1e-12)


def test_null_trial_refit_adds_hr_one(R, cr):
    p = R.efficacy["OS"].pooled
    n = cr.null["OS"]
    y = np.r_[p["yi"].to_numpy(float), 0.0]
    v = np.r_[p["vi"].to_numpy(float), n.se**2]
    f = h.rma(y, v, method="REML", test="adhoc")
    assert n.after["hr"] == pytest.approx(math.exp(f.beta), rel=1e-10)
    b = h.bayesmeta(y, np.sqrt(v))
    assert n.after["p_benefit"] == pytest.approx(b.pposterior(mu=0.0), abs=1e-12)
    assert n.before["hr"] == pytest.approx(math.exp(R.efficacy["OS"].res.beta), rel=1e-12)


def test_fmt_prob_never_rounds_to_certainty():
    assert fmt_prob(0.99999) == "> 99.9%" and fmt_prob(0.00001) == "< 0.1%" and fmt_prob(0.9229) == "92.3%"
    assert fmt_prob(float("nan")) == "\u2014"
