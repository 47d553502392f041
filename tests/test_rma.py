"""helpers.rma against R metafor 3.8 (reference values from tests/reference/metafor_reference.R)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import helpers as h
from conftest import close

FIT_FIELDS = ["beta", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "I2", "H2", "QE", "QEp", "k"]


def _cases(reference, need=None):
    return [(k, v) for k, v in reference["fits"].items() if need is None or need in v]


def _fit(reference, case):
    ds = reference["datasets"][case["dataset"]]
    return h.rma(ds["yi"], ds["vi"], method=case["method"], test=case["test"])


def test_reference_covers_every_method_and_test(reference):
    combos = {(v["method"], v["test"]) for v in reference["fits"].values()}
    assert combos == {(m, t) for m in ("EE", "DL", "HE", "SJ", "PM", "ML", "REML", "EB") for t in h.TESTS}
    assert len(reference["datasets"]) >= 5


def test_rma_matches_metafor(reference):
    for key, case in _cases(reference):
        res = _fit(reference, case)
        for f in FIT_FIELDS:
            close(getattr(res, f), case["fit"][f], f"{key} {f}")


def test_predict_matches_metafor(reference):
    for key, case in _cases(reference):
        res = _fit(reference, case)
        pred = res.predict()
        ref = case["predict"]
        for f in ("pred", "ci_lb", "ci_ub"):
            close(pred[f], ref[f], f"{key} predict {f}")
        if res.method != "EE":   # metafor gives a PI for every k of a random-effects model (k = 2 too)
            assert ref["pi_lb"] is not None, key
            close(pred["pi_lb"], ref["pi_lb"], f"{key} pi_lb")
            close(pred["pi_ub"], ref["pi_ub"], f"{key} pi_ub")
        else:
            assert pred["pi_lb"] is None and pred["pi_ub"] is None
            assert ref["pi_lb"] is None and ref["pi_ub"] is None


def test_confint_matches_metafor(reference):
    n = 0
    for key, case in _cases(reference, "confint"):
        ci = _fit(reference, case).confint()
        ref = case["confint"]
        assert list(ci.index) == ["tau2", "tau", "I2", "H2"]
        assert len(ref["rows"]) == 4
        for col in ("estimate", "ci_lb", "ci_ub"):
            close(ci[col].to_numpy(), ref[col], f"{key} confint {col}")
        n += 1
    assert n >= 100


def test_leave1out_influence_cumul_match_metafor(reference):
    n = 0
    for key, case in _cases(reference, "leave1out"):
        res = _fit(reference, case)
        l1 = h.leave1out(res)
        for col, ref in case["leave1out"].items():
            if ref == [] and res.method == "EE":   # metafor has no tau2/I2/H2 columns for EE models
                continue
            close(l1[col].to_numpy(), ref, f"{key} leave1out {col}")
        inf = h.influence(res)
        for col, ref in case["influence"].items():
            if col == "inf":
                assert [s.strip() for s in inf["inf"]] == [s.strip() for s in ref], f"{key} influence flags"
            else:
                close(inf[col].to_numpy(), ref, f"{key} influence {col}")
        cu = h.cumul(res, order=np.arange(res.k)[::-1])
        for col, ref in case["cumul"].items():
            if ref == [] and res.method == "EE":
                continue
            close(cu[col].to_numpy(), ref, f"{key} cumul {col}")
        n += 1
    assert n >= 20


def test_regtest_and_trimfill_match_metafor(reference):
    n = 0
    for key, case in _cases(reference, "regtest"):
        res = _fit(reference, case)
        eg = h.regtest(res)
        for f, ref in case["regtest"].items():
            close(getattr(eg, f), ref, f"{key} regtest {f}")
        tf = h.trimfill(res)
        assert tf.k0 == case["trimfill"]["k0"], key
        assert tf.side == case["trimfill"]["side"], key
        for f, ref in case["trimfill"]["fit"].items():
            close(getattr(tf.fit, f), ref, f"{key} trimfill {f}")
        n += 1
    assert n >= 15


def test_moderator_test_matches_metafor(reference):
    ds = reference["datasets"]["bcg"]
    groups = pd.Series(reference["subgroup_groups"])
    dummies = pd.get_dummies(groups, drop_first=True, dtype=float).to_numpy()
    for key, case in reference["subgroups"].items():
        res = h.rma(ds["yi"], ds["vi"], mods=dummies, method=case["method"], test=case["test"])
        for f in ("QM", "QMp", "tau2", "QE"):
            close(getattr(res, f), case[f], f"{key} {f}")
        close(res.beta, case["beta"], f"{key} beta")
        close(res.se, case["se"], f"{key} se")
        close(np.array(res.QMdf, dtype=float), np.array([np.nan if x is None else x for x in case["QMdf"]]), key) \
            if None not in case["QMdf"] else close(res.QMdf[0], case["QMdf"][0], key)


def test_k1_returns_the_study_and_k0_is_not_estimable():
    res = h.rma([-0.5], [0.04], method="REML", test="adhoc")
    assert res.beta == -0.5 and res.se == pytest.approx(0.2) and res.tau2 == 0 and res.test == "z"
    assert res.QE == 0 and res.QEp == 1
    with pytest.raises(h.NotEstimable):
        h.rma([], [], method="REML")


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="method"):
        h.rma([0.1, 0.2], [0.1, 0.1], method="XX")
    with pytest.raises(ValueError, match="test"):
        h.rma([0.1, 0.2], [0.1, 0.1], test="t2")
    with pytest.raises(ValueError, match="positive"):
        h.rma([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(ValueError, match="finite"):
        h.rma([0.1, np.nan], [0.1, 0.1])


def test_result_is_frozen_and_has_summary_frame(reference):
    ds = reference["datasets"]["bcg"]
    res = h.rma(ds["yi"], ds["vi"], slab=[f"T{i}" for i in range(13)])
    with pytest.raises(Exception):
        res.beta = 0  # type: ignore[misc]
    sf = res.summary_frame(transf=np.exp)
    assert len(sf) == 14 and sf["weight"].iloc[:-1].sum() == pytest.approx(100)
    assert sf.index[0] == "T0" and sf["estimate"].iloc[-1] == pytest.approx(np.exp(res.beta))


def test_q_based_i2_is_higgins_thompson(reference):
    ds = reference["datasets"]["bcg"]
    res = h.rma(ds["yi"], ds["vi"], method="DL")
    assert res.I2_q == pytest.approx(max(0, 100 * (res.QE - (res.k - 1)) / res.QE))
    # for DL the two definitions coincide exactly (Higgins & Thompson 2002)
    assert res.I2_q == pytest.approx(res.I2)


def test_riley_prediction_interval_uses_k_minus_2(reference):
    ds = reference["datasets"]["bcg"]
    res = h.rma(ds["yi"], ds["vi"])
    from scipy import stats
    half = stats.t.isf(0.025, res.k - 2) * np.sqrt(res.se**2 + res.tau2)
    pi = res.predict(pi="riley")
    assert pi["pi_lb"] == pytest.approx(res.beta - half) and pi["pi_ub"] == pytest.approx(res.beta + half)
    k2 = h.rma(ds["yi"][:2], ds["vi"][:2])
    assert k2.predict(pi="riley")["pi_lb"] is None and k2.predict()["pi_lb"] is not None
    with pytest.raises(ValueError, match="riley"):
        res.predict(pi="t")


def test_damped_fisher_scoring_matches_metafor_stepadj(reference):
    """Where plain Fisher scoring oscillates (metafor stops), helpers retries with a
    damped step, as metafor does with control=list(stepadj=0.5)."""
    case = reference["damped"]
    for method in ("REML", "ML"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = h.rma(case["data"]["yi"], case["data"]["vi"], method=method)
        # the flag and the warning go together (REML needs the damped retry on these data)
        assert res.fisher_scoring_damped == any(issubclass(w.category, h.MetaforDeparture) for w in caught)
        assert res.fisher_scoring_damped or method == "ML"
        for f in FIT_FIELDS:
            close(getattr(res, f), case[method][f], f"damped {method} {f}")
