"""Engine corner cases against metafor 3.8.1 (reference: the ``corner`` block of
tests/reference/metafor_reference.R).  Each test reproduces one departure found by an
independent comparison, or pins a corner that a planted bug would break."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import helpers as h
from helpers.meta.rma import MetaforDeparture
from conftest import close

FIT_FIELDS = ["beta", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "I2", "H2", "QE", "QEp", "k"]


def _na(xs):
    return [np.nan if x is None else x for x in xs]


@pytest.fixture(scope="module")
def corner(reference):
    return reference["corner"]


# --------------------------------------------------------------------------- 1. drop00 before if0all
def test_drop00_removes_tables_before_if0all_counts_zero_cells(corner):
    case = corner["escalc_if0all"]
    x = case["data"]
    yi, vi = h.escalc_or(x["ai"], x["n1i"], x["ci"], x["n2i"], to="if0all", drop00=True)
    close(yi, _na(case["yi"]), "yi")
    close(vi, _na(case["vi"]), "vi")
    assert yi[1] == pytest.approx(0.84730, abs=5e-6) and vi[1] == pytest.approx(0.87619, abs=5e-6)


# --------------------------------------------------------------------------- 6. zero cells, no correction
@pytest.mark.parametrize("how", ["add0", "none"])
def test_zero_cells_without_correction_are_recoded_to_nan_with_a_warning(corner, how):
    case = corner["escalc_nocorr"]
    x = case["data"]
    kw = {"add": 0} if how == "add0" else {"to": "none"}
    with pytest.warns(RuntimeWarning, match="Inf"):
        yi, vi = h.escalc_or(x["ai"], x["n1i"], x["ci"], x["n2i"], **kw)
    assert not np.any(np.isinf(yi)) and not np.any(np.isinf(vi))
    close(yi, _na(case[how]["yi"]), f"{how} yi")
    close(vi, _na(case[how]["vi"]), f"{how} vi")


def test_no_warning_when_every_table_is_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h.escalc_or([1, 2], [10, 10], [3, 4], [10, 10], add=0)


def test_table_with_a_zero_non_event_cell(corner):
    """Every patient of one arm has the event (b = 0): corrected in escalc, uncorrected in MH/Peto."""
    case = corner["zero_nonevent"]
    x = case["data"]
    args = (x["ai"], x["n1i"], x["ci"], x["n2i"])
    yi, vi = h.escalc_or(*args)
    close(yi, _na(case["escalc_or"]["yi"]), "escalc yi")
    close(vi, _na(case["escalc_or"]["vi"]), "escalc vi")
    assert np.all(np.isfinite(yi))
    for name, res in (("mh_or", h.rma_mh(*args, measure="OR")), ("peto", h.rma_peto(*args))):
        for f, ref in case[name].items():
            close(getattr(res, f), ref, f"{name} {f}")


# --------------------------------------------------------------------------- 2. confint search limit
@pytest.mark.parametrize("data,method", [("k3", "REML"), ("k3", "DL"), ("het12", "DL"), ("homogeneous", "DL")])
def test_confint_with_very_large_heterogeneity(corner, data, method):
    case = corner["confint_large"][data]
    ds = case["data"]
    ref = case[method]
    ci = h.rma(ds["yi"], ds["vi"], method=method).confint()
    for col in ("estimate", "ci_lb", "ci_ub"):
        close(ci[col].to_numpy(), ref[col], f"{data} {method} {col}")
    assert (ci["lb_sign"] == ref["lb_sign"]).all() and (ci["ub_sign"] == ref["ub_sign"]).all()
    assert (ci["ub_censored"] == (ref["ub_sign"] != "")).all()
    assert (ci["lb_censored"] == (ref["lb_sign"] != "")).all()
    assert ci.attrs["ci_null"] == ref["ci_null"]


def test_confint_upper_bound_above_100_is_found_or_censored(corner):
    ci = h.rma(*corner["confint_large"]["het12"]["data"].values(), method="DL").confint()
    assert ci.at["tau2", "ci_ub"] > 100 and not ci.at["tau2", "ub_censored"]
    ci3 = h.rma(*corner["confint_large"]["k3"]["data"].values(), method="REML").confint()
    assert ci3.at["tau2", "ci_ub"] == pytest.approx(ci3.attrs["tau2_max"]) and ci3.at["tau2", "ub_censored"]
    assert ci3.attrs["tau2_max"] > 100


# --------------------------------------------------------------------------- 3. predict
def test_predict_k2_riley_and_other_levels(corner, reference):
    n = 0
    for key, case in corner["predict"].items():
        ds = reference["datasets"][case["dataset"]]
        res = h.rma(ds["yi"], ds["vi"], method=case["method"], test=case["test"])
        if case["riley"] is None:
            assert res.predict(pi="riley")["pi_lb"] is None
        else:
            p = res.predict(pi="riley")
            for f in ("pred", "ci_lb", "ci_ub", "pi_lb", "pi_ub"):
                close(p[f], case["riley"][f], f"{key} riley {f}")
        p80 = res.predict(level=80)
        for f in ("pred", "ci_lb", "ci_ub", "pi_lb", "pi_ub"):
            close(p80[f], case["level80"][f], f"{key} level 80 {f}")
        res80 = h.rma(ds["yi"], ds["vi"], method=case["method"], test=case["test"], level=80)
        p = res80.predict()
        for f in ("pred", "ci_lb", "ci_ub", "pi_lb", "pi_ub"):
            close(p[f], case["fit80"][f], f"{key} fit at 80 {f}")
        n += 1
    assert n == 18


# --------------------------------------------------------------------------- 4. singular cases
def test_identical_yi_with_moderators_and_knha_give_nan_qm(corner):
    case = corner["identical"]
    d = case["data"]
    res = h.rma(d["yi"], d["vi"], mods=np.array(d["g"], float), method="REML", test="knha")
    close(res.QM, case["knha_mods"]["QM"], "QM")
    close(res.QMp, case["knha_mods"]["QMp"], "QMp")
    close(res.beta, case["knha_mods"]["beta"], "beta")


def test_adhoc_floor_when_the_weighted_residual_sum_is_zero(corner):
    case = corner["identical"]
    d = case["data"]
    res = h.rma(d["yi"], d["vi"], method="REML", test="adhoc")
    assert res.s2w == 1.0
    for f in FIT_FIELDS:
        close(getattr(res, f), case["adhoc"][f], f"adhoc {f}")
    rm = h.rma(d["yi"], d["vi"], mods=np.array(d["g"], float), method="REML", test="adhoc")
    close(rm.se, case["adhoc_mods"]["se"], "adhoc mods se")
    close(rm.QM, case["adhoc_mods"]["QM"], "adhoc mods QM")
    close(rm.QMp, case["adhoc_mods"]["QMp"], "adhoc mods QMp")


def test_influence_of_a_zero_variance_fit_is_not_estimable(corner):
    d = corner["identical"]["data"]
    res = h.rma(d["yi"], d["vi"], method="REML", test="knha")
    with pytest.raises(h.NotEstimable, match="zero variance"):
        h.influence(res)


# --------------------------------------------------------------------------- 5. trimfill
def test_trimfill_r0_and_refit_level_follow_metafor(corner, reference):
    n = 0
    for key, case in corner["trimfill"].items():
        ds = case.get("data") or reference["datasets"][case["dataset"]]
        for variant in ("R0", "L0_level90", "L0"):
            if variant not in case:
                continue
            ref = case[variant]
            level = 90 if variant == "L0_level90" else 95
            res = h.rma(ds["yi"], ds["vi"], method=case["method"], level=level)
            tf = h.trimfill(res, estimator=variant[:2])
            assert tf.k0 == ref["k0"] and tf.side == ref["side"], f"{key} {variant}"
            close(tf.se_k0, ref["se_k0"], f"{key} {variant} se_k0")
            close(tf.p_k0, ref["p_k0"], f"{key} {variant} p_k0")
            for f, r in ref["fit"].items():
                close(getattr(tf.fit, f), r, f"{key} {variant} fit {f}")
            n += 1
    assert n == 13


def test_trimfill_se_k0_is_nan_where_the_variance_term_is_negative(corner):
    case = corner["trimfill"]["nan_se|DL"]
    tf = h.trimfill(h.rma(case["data"]["yi"], case["data"]["vi"], method="DL"))
    assert case["L0"]["se_k0"] is None and np.isnan(tf.se_k0)


def test_trimfill_of_identical_yi_is_stable():
    v = np.array([0.1, 0.2, 0.3, 0.15, 0.25, 0.4])
    for y in (0.3, -1.7, 1e-3):
        for est in ("L0", "R0"):
            tf = h.trimfill(h.rma(np.full(6, y), v, method="REML"), estimator=est)
            assert tf.k0 == 0 and tf.side == "left", (y, est)


def test_trimfill_rejects_unknown_estimator(reference):
    ds = reference["datasets"]["bcg"]
    with pytest.raises(ValueError, match="estimator"):
        h.trimfill(h.rma(ds["yi"], ds["vi"]), estimator="Q1")


# --------------------------------------------------------------------------- 7. tau2 at the boundary
@pytest.mark.parametrize("method", ["ML", "REML", "EB"])
def test_tau2_reaches_the_boundary(corner, method):
    case = corner["boundary"]
    res = h.rma(case["data"]["yi"], case["data"]["vi"], method=method)
    ref = case[method]
    for f in FIT_FIELDS:
        close(getattr(res, f), ref[f], f"boundary {method} {f}")
    if ref["tau2"] < 1e-10:    # metafor (threshold 1e-12) is at the boundary: so are we, not at ~1e-10
        assert res.tau2 <= max(ref["tau2"], 1e-12)


# --------------------------------------------------------------------------- 8. visible departures
def test_damped_retry_is_flagged_and_warned(reference):
    d = reference["damped"]["data"]
    with pytest.warns(MetaforDeparture, match="stepadj"):
        res = h.rma(d["yi"], d["vi"], method="REML")
    assert res.fisher_scoring_damped is True and res.stepadj == 0.5
    assert res.pm_beyond_tau2_max is False and len(res.departures) == 1
    ds = reference["datasets"]["bcg"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = h.rma(ds["yi"], ds["vi"], method="REML")
    assert plain.fisher_scoring_damped is False and plain.departures == []


def test_pm_beyond_metafor_tau2_max_is_flagged_and_warned(corner):
    case = corner["pm_beyond"]
    d = case["data"]
    assert case["default_stops"] is True
    with pytest.warns(MetaforDeparture, match="tau2.max"):
        res = h.rma(d["yi"], d["vi"], method="PM")
    assert res.pm_beyond_tau2_max is True and res.fisher_scoring_damped is False
    close(res.tau2_max, case["tau2_max_default"], "tau2.max")
    for f in FIT_FIELDS:
        close(getattr(res, f), case["PM"][f], f"PM beyond {f}")
    assert "Paule–Mandel" in res.departures[0]


# --------------------------------------------------------------------------- 15. more corners
@pytest.mark.parametrize("test", ["z", "knha"])
def test_pm_with_moderators_uses_q_equal_k_minus_p(corner, reference, test):
    case = corner["pm_mods"]
    ref = case["fits"][test]
    ds = reference["datasets"]["bcg"]
    mods = np.column_stack([case["mods"]["ablat"], case["mods"]["year"]])
    res = h.rma(ds["yi"], ds["vi"], mods=mods, method="PM", test=test)
    for f in ("tau2", "beta", "se", "QM", "QMp", "QE"):
        close(getattr(res, f), ref[f], f"PM mods {test} {f}")
    from helpers.meta.rma import _q_gen
    assert _q_gen(res.tau2, res.yi, res.vi, res.X) == pytest.approx(res.k - res.p, rel=1e-9)


def test_cumul_index_follows_the_order(corner, reference):
    case = corner["cumul_order"]
    ds = reference["datasets"]["bcg"]
    res = h.rma(ds["yi"], ds["vi"], method="DL", slab=case["slab"])
    cu = h.cumul(res, order=case["order"])
    assert list(cu.index) == case["rows"]
    close(cu["estimate"].to_numpy(), case["estimate"], "cumul estimate")
    close(cu["tau2"].to_numpy(), case["tau2"], "cumul tau2")
    assert isinstance(cu, pd.DataFrame)


def test_mh_risk_difference_with_a_negative_variance_term_is_na_as_in_metafor():
    # metafor 3.8.1: rma.mh(ai=0, n1i=1, ci=4, n2i=4, measure="RD") gives beta -1 and se/ci NA
    import math

    import helpers as h

    r = h.rma_mh([0], [1], [4], [4], measure="RD")
    assert r.beta == -1 and math.isnan(r.se) and math.isnan(r.ci_lb) and math.isnan(r.ci_ub)
