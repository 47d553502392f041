"""helpers.meta.sequential: required information, diversity D², Lan–DeMets boundaries and the
trial sequential analysis of log hazard ratios."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

import helpers as h
from helpers.meta.sequential import _boundaries

Z975, Z90 = stats.norm.isf(0.025), stats.norm.ppf(0.9)


# --------------------------------------------------------------------------- required information
def test_required_information_reference_and_formula():
    r = h.required_information(0.7, alpha=0.05, power=0.9)
    assert r.events == pytest.approx(330.4, abs=0.05)
    assert math.ceil(r.events) == 331                               # gsDesign::nEvents rounds up
    assert r.information == pytest.approx((Z975 + Z90) ** 2 / math.log(0.7) ** 2, rel=1e-12)
    assert r.events == pytest.approx(4 * r.information, rel=1e-12)  # 1:1 allocation
    assert r.events_adjusted == r.events and r.information_adjusted == r.information and r.adjustment == 1


def test_required_information_adjustment_ratio_and_symmetry():
    r = h.required_information(0.75, power=0.8, ratio=2.0, D2=0.25)
    info = (Z975 + stats.norm.ppf(0.8)) ** 2 / math.log(0.75) ** 2
    assert r.information == pytest.approx(info, rel=1e-12)
    assert r.events == pytest.approx(info * 9 / 2, rel=1e-12)       # (1 + r)² / r
    assert r.information_adjusted == pytest.approx(info / 0.75, rel=1e-12)
    assert r.events_adjusted == pytest.approx(info * 9 / 2 / 0.75, rel=1e-12)
    assert r.adjustment == pytest.approx(4 / 3)
    assert h.required_information(1 / 0.75, power=0.8).information == pytest.approx(info, rel=1e-12)


@pytest.mark.parametrize("kwargs", [dict(hr=1.0), dict(hr=-0.5), dict(hr=0.7, alpha=0), dict(hr=0.7, power=1),
                                    dict(hr=0.7, ratio=0), dict(hr=0.7, D2=1.0), dict(hr=0.7, D2=-0.1)])
def test_required_information_errors(kwargs):
    hr = kwargs.pop("hr")
    with pytest.raises(ValueError):
        h.required_information(hr, **kwargs)


# --------------------------------------------------------------------------- diversity
def test_diversity_is_zero_without_heterogeneity():
    res = h.rma([-0.3, -0.3, -0.3], [0.04, 0.09, 0.02], test="adhoc")
    assert res.tau2 == 0 and h.diversity(res) == 0.0
    assert h.diversity(h.rma([-0.3], [0.04])) == 0.0


def test_diversity_by_hand():
    y, v = np.array([-0.9, 0.1, -0.5, 0.4, -1.2]), np.array([0.05, 0.08, 0.04, 0.1, 0.06])
    res = h.rma(y, v, method="DL", test="knha")        # refitted with REML whatever the model
    tau2 = h.rma(y, v, method="REML").tau2
    v_fe, v_re = 1 / np.sum(1 / v), 1 / np.sum(1 / (v + tau2))
    d2 = h.diversity(res)
    assert tau2 > 0 and d2 == pytest.approx((v_re - v_fe) / v_re, rel=1e-12) and 0 < d2 < 1
    assert h.diversity(res, method="DL") == pytest.approx(1 - v_fe * np.sum(1 / (v + res.tau2)), rel=1e-12)
    with pytest.raises(ValueError):
        h.diversity(h.rma(y, v, mods=[0, 1, 0, 1, 1]))


# --------------------------------------------------------------------------- boundaries
def test_ldbounds_references():
    np.testing.assert_allclose(h.ldbounds([0.25, 0.5, 0.75, 1.0]), [4.3326, 2.9631, 2.3590, 2.0141], atol=1e-4)
    assert h.ldbounds([0.05])[0] == pytest.approx(9.955, abs=1e-3)
    np.testing.assert_allclose(h.ldbounds([0.5, 0.9, 1.2]), [2.963, 2.105, 2.166], atol=1e-3)


def test_single_look_at_or_beyond_one_is_the_fixed_sample_test():
    for alpha in (0.025, 0.05, 0.005):
        assert h.ldbounds([1.0], alpha=alpha)[0] == pytest.approx(stats.norm.isf(alpha), abs=1e-10)
        assert h.ldbounds([1.7], alpha=alpha)[0] == pytest.approx(stats.norm.isf(alpha), abs=1e-10)


def test_first_look_is_the_spending_quantile_without_underflow():
    for t in (0.5, 0.05):
        spend = 2 * stats.norm.sf(stats.norm.isf(0.0125) / math.sqrt(t))
        assert h.ldbounds([t])[0] == pytest.approx(stats.norm.isf(spend), rel=1e-10)
    for t in (1e-3, 1e-4):    # the spending underflows in floating point (2 − 2Φ(…) and even 2Φ̄(…) are 0)
        b = h.ldbounds([t])[0]
        log_spend = math.log(2) + special.log_ndtr(-stats.norm.isf(0.0125) / math.sqrt(t))
        assert np.isfinite(b) and special.log_ndtr(-b) == pytest.approx(log_spend, rel=1e-12)


def test_boundaries_decrease_below_one_and_spend_alpha():
    t = np.array([0.1, 0.2, 0.35, 0.5, 0.62, 0.8, 0.95])
    b, exits = _boundaries(t, 0.025, "hold")
    assert np.all(np.diff(b) < 0)
    cum = 2 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(t))
    np.testing.assert_allclose(np.cumsum(exits), cum, rtol=1e-9)


def test_crossing_probability_against_multivariate_normal():
    # independent check: P(no crossing) from the multivariate normal of (Z_1, ..., Z_K),
    # corr(Z_i, Z_j) = sqrt(t_i / t_j)
    for t in ([0.5, 1.0], [0.3, 0.6, 1.0], [0.5, 0.9, 1.2]):
        t = np.array(t)
        b = h.ldbounds(t)
        cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
        p_none = stats.multivariate_normal(mean=np.zeros(t.size), cov=cov).cdf(b)
        assert 1 - p_none == pytest.approx(0.025, abs=2e-5)


def test_looks_after_the_first_beyond_one():
    t = [0.5, 0.9, 1.2, 1.5]
    inf, exits_inf = _boundaries(t, 0.025, "inf")
    held, exits_hold = _boundaries(t, 0.025, "hold")
    np.testing.assert_allclose(h.ldbounds(t), inf)                  # the default
    np.testing.assert_allclose(inf[:3], h.ldbounds([0.5, 0.9, 1.2]), rtol=1e-12)
    assert inf[3] == np.inf and exits_inf[3] == 0
    assert exits_inf.sum() == pytest.approx(0.025, abs=1e-10)
    np.testing.assert_allclose(held[:3], inf[:3], rtol=1e-12)
    assert held[3] == held[2]
    assert exits_hold[3] == pytest.approx(0.0057, abs=1e-4)        # holding spends more α
    rtsa, exits_rtsa = _boundaries(t, 0.025, "rtsa")                 # RTSA: spending at t / max(t)
    assert np.all(np.isfinite(rtsa)) and exits_rtsa.sum() == pytest.approx(0.025, abs=1e-10)
    cum = 2 * stats.norm.sf(stats.norm.isf(0.0125) / np.sqrt(np.array(t) / 1.5))
    np.testing.assert_allclose(np.cumsum(exits_rtsa), cum, rtol=1e-9)


def test_close_looks_are_integrated_accurately():
    b = h.ldbounds([0.5, 0.5001, 1.0])
    cov = np.sqrt(np.minimum.outer([0.5, 0.5001, 1.0], [0.5, 0.5001, 1.0])
                  / np.maximum.outer([0.5, 0.5001, 1.0], [0.5, 0.5001, 1.0]))
    assert b[0] == pytest.approx(h.ldbounds([0.5, 1.0])[0], abs=1e-12)
    assert 1 - stats.multivariate_normal(mean=np.zeros(3), cov=cov).cdf(b) == pytest.approx(0.025, abs=3e-5)


@pytest.mark.parametrize("t, kw", [([], {}), ([0.5, 0.5], {}), ([0.6, 0.3], {}), ([0.0, 0.5], {}),
                                   ([np.nan], {}), ([0.5], dict(alpha=0.6)), ([0.5], dict(beyond="nothing"))])
def test_ldbounds_errors(t, kw):
    with pytest.raises(ValueError):
        h.ldbounds(t, **kw)


# --------------------------------------------------------------------------- tsa
Y = np.array([-0.40, -0.10, -0.35, -0.25])
V = np.array([0.09, 0.05, 0.04, 0.06])


def test_tsa_by_hand():
    out = h.tsa(Y, V, hr=0.75, power=0.8, D2=0.0, test="z", labels=list("abcd"))
    lk = out.looks
    assert list(lk.columns[:8]) == ["label", "estimate", "pval", "information", "t", "z", "upper", "lower"]
    req = (Z975 + stats.norm.ppf(0.8)) ** 2 / math.log(0.75) ** 2
    np.testing.assert_allclose(lk["information"], np.cumsum(1 / V), rtol=1e-12)
    np.testing.assert_allclose(lk["t"], np.cumsum(1 / V) / req, rtol=1e-12)
    assert lk["z"].iloc[0] == pytest.approx(Y[0] / math.sqrt(V[0]), rel=1e-10)
    for j in range(4):
        fit = h.rma(Y[:j + 1], V[:j + 1], method="REML", test="z")
        assert lk["z"].iloc[j] == pytest.approx(fit.zval, rel=1e-9)
    np.testing.assert_allclose(lk["upper"], h.ldbounds(lk["t"], alpha=0.025), rtol=1e-12)
    np.testing.assert_allclose(lk["lower"], -lk["upper"])
    assert out.verdict == "not yet conclusive" and out.crossing is None
    assert out.required_information == pytest.approx(req) and out.t == pytest.approx(lk["t"].iloc[-1])


def test_tsa_default_model_d2_and_order():
    y = np.array([-0.9, 0.1, -0.5, 0.4, -1.2])
    v = np.array([0.05, 0.08, 0.04, 0.1, 0.06])
    out = h.tsa(y, v, hr=0.8, order=["2019", "2016", "2021-03", "2021-01", "2018"], labels=list("abcde"))
    assert out.method == "REML" and out.test == "adhoc"
    assert list(out.looks["label"]) == ["b", "e", "a", "d", "c"]
    assert out.D2 == pytest.approx(h.diversity(h.rma(y, v)), rel=1e-12) and out.D2 > 0
    assert out.required.information_adjusted == pytest.approx(out.required.information / (1 - out.D2))
    second = h.rma(y[[1, 4]], v[[1, 4]], test="adhoc")
    assert out.looks["z"].iloc[1] == pytest.approx(np.sign(second.beta) * stats.norm.isf(second.pval / 2))
    res = h.rma(y, v, method="DL", test="knha", slab=list("abcde"))
    from_res = h.tsa(res, hr=0.8)
    assert (from_res.method, from_res.test) == ("DL", "knha") and list(from_res.looks["label"]) == list("abcde")


def test_tsa_verdicts():
    v = np.full(6, 0.01)
    assert h.tsa(np.full(6, -0.5), v, hr=0.8, test="z").verdict == "firm evidence of benefit"
    harm = h.tsa(np.full(6, 0.5), v, hr=0.8, test="z")
    assert harm.verdict == "harm boundary crossed" and harm.crossing == "1"
    null = h.tsa(np.zeros(6), v, hr=0.8, test="z")
    assert null.t >= 1 and null.verdict == "an effect as large as anticipated is unlikely"
    after = null.looks["t"] >= 1
    assert np.isfinite(null.looks.loc[after, "upper"].iloc[0]) and np.isinf(null.looks.loc[after, "upper"].iloc[1:]).all()
    assert null.looks["alpha_spent"].iloc[-1] == pytest.approx(0.025, abs=1e-10)
    held = h.tsa(np.zeros(6), v, hr=0.8, test="z", beyond="hold")
    assert np.isfinite(held.looks["upper"]).all() and held.looks["alpha_spent"].iloc[-1] > 0.025
    assert h.tsa(np.zeros(2), np.full(2, 0.5), hr=0.8).verdict == "not yet conclusive"
    assert set(h.VERDICTS) == {"firm evidence of benefit", "harm boundary crossed",
                               "an effect as large as anticipated is unlikely", "not yet conclusive"}


@pytest.mark.parametrize("args, kw", [(([], []), dict(hr=0.8)), (([0.1], [0.1, 0.2]), dict(hr=0.8)),
                                      (([0.1], [0.0]), dict(hr=0.8)), (([0.1], None), dict(hr=0.8)),
                                      (([0.1, 0.2], [0.1, 0.1]), dict(hr=0.8, order=[1])),
                                      (([0.1, 0.2], [0.1, 0.1]), dict(hr=0.8, labels=["a"]))])
def test_tsa_errors(args, kw):
    with pytest.raises(ValueError):
        h.tsa(*args, **kw)


def test_os_pool_crosses_with_reml_z_but_not_with_hksj():
    """The issue's sanity check: the book's OS pool (k = 4, by first publication), HR 0.75,
    power 0.8, D² = 0: the REML-z curve crosses the benefit boundary, the HKSJ-based one does not."""
    from helpers.review.hazard_ratios import hazard_ratios

    t = hazard_ratios(h.load_review(), "OS")
    t = t[t["estimable"]]
    assert len(t) == 4
    kw = dict(hr=0.75, power=0.8, D2=0.0, order=list(t["first_pub_date"].astype(str)), labels=list(t["trial_id"]))
    z = h.tsa(t["yi"].to_numpy(), t["vi"].to_numpy(), test="z", **kw)
    hksj = h.tsa(t["yi"].to_numpy(), t["vi"].to_numpy(), test="adhoc", **kw)
    assert z.verdict == "firm evidence of benefit"
    assert hksj.verdict == "not yet conclusive"
    assert z.looks["t"].iloc[-1] < 1 and (hksj.looks["z"] > hksj.looks["lower"]).all()
