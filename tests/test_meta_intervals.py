"""Property tests: every engine function that returns an interval keeps its estimate
inside its CI, the CI inside the prediction interval, and lb ≤ ub.  Derandomised
under CI=true (as tests/test_effects.py)."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import helpers as h
from conftest import IN_CI

PROPS = settings(deadline=None, derandomize=IN_CI, max_examples=150 if IN_CI else 60)
EPS = 1e-12

studies = st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 4)), min_size=2, max_size=20)
methods = st.sampled_from(["EE", "DL", "HE", "SJ", "PM", "ML", "REML", "EB"])
tests = st.sampled_from(["z", "knha", "adhoc"])
levels = st.sampled_from([50, 80, 90, 95, 99])


def _le(a, b):
    """a ≤ b up to rounding of the last bits."""
    return a <= b + EPS * (1 + abs(a) + abs(b))


def _inside(est, lb, ub, what=""):
    assert _le(lb, ub), f"{what}: lb {lb} > ub {ub}"
    assert _le(lb, est) and _le(est, ub), f"{what}: {est} outside [{lb}, {ub}]"


def _fit(data, method, test, level=95):
    y, v = map(np.array, zip(*data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return h.rma(y, v, method=method, test=test, level=level)
    except h.ConvergenceError:
        assume(False)


@PROPS
@given(data=studies, method=methods, test=tests, level=levels)
def test_rma_and_predict_nest_estimate_ci_and_pi(data, method, test, level):
    res = _fit(data, method, test, level)
    _inside(res.beta, res.ci_lb, res.ci_ub, "rma")
    for pi in ("metafor", "riley"):
        p = res.predict(pi=pi)
        _inside(p["pred"], p["ci_lb"], p["ci_ub"], f"predict {pi} CI")
        if p["pi_lb"] is not None:
            assert _le(p["pi_lb"], p["ci_lb"]) and _le(p["ci_ub"], p["pi_ub"]), f"{pi}: CI not inside PI"
        p2 = res.predict(pi=pi, level=80)
        _inside(p2["pred"], p2["ci_lb"], p2["ci_ub"], "predict level 80")
        if p2["pi_lb"] is not None:
            assert _le(p2["pi_lb"], p2["ci_lb"]) and _le(p2["ci_ub"], p2["pi_ub"])


@PROPS
@given(data=studies, method=st.sampled_from(["DL", "HE", "SJ", "PM", "ML", "REML", "EB"]), level=levels)
def test_confint_bounds_are_ordered_and_pm_lies_inside(data, method, level):
    res = _fit(data, method, "z")
    ci = res.confint(level=level)
    for row in ci.index:
        assert _le(ci.at[row, "ci_lb"], ci.at[row, "ci_ub"]), row
        if method == "PM":   # Q(PM) = k − p lies between the chi² quantiles of the Q-profile
            _inside(ci.at[row, "estimate"], ci.at[row, "ci_lb"], ci.at[row, "ci_ub"], f"confint {row}")
    assert ci.at["tau2", "ci_ub"] <= ci.attrs["tau2_max"] * (1 + EPS)


@PROPS
@given(data=st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 4)), min_size=3, max_size=12),
       method=st.sampled_from(["EE", "DL", "REML", "PM"]), test=tests)
def test_leave1out_cumul_regtest_trimfill_intervals(data, method, test):
    res = _fit(data, method, test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, frame in (("leave1out", h.leave1out(res)), ("cumul", h.cumul(res))):
            for _, row in frame.iterrows():
                _inside(row["estimate"], row["ci_lb"], row["ci_ub"], name)
        if np.ptp(res.vi) == 0:   # Egger's test and the trim-and-fill side are not estimable
            return
        eg = h.regtest(res)
        _inside(eg.est, eg.ci_lb, eg.ci_ub, "regtest")
        for est in ("L0", "R0"):
            try:
                tf = h.trimfill(res, estimator=est)
            except RuntimeError:   # metafor too stops when trim-and-fill does not converge
                continue
            _inside(tf.fit.beta, tf.fit.ci_lb, tf.fit.ci_ub, f"trimfill {est}")


tables = st.lists(st.tuples(st.integers(1, 60), st.integers(1, 60), st.floats(0, 1), st.floats(0, 1)),
                  min_size=1, max_size=10)


@PROPS
@given(tabs=tables, level=levels)
def test_mantel_haenszel_and_peto_intervals(tabs, level):
    n1 = np.array([t[0] for t in tabs], float)
    n2 = np.array([t[1] for t in tabs], float)
    a = np.floor(n1 * np.array([t[2] for t in tabs]))
    c = np.floor(n2 * np.array([t[3] for t in tabs]))
    for measure in ("OR", "RD"):
        try:
            r = h.rma_mh(a, n1, c, n2, measure=measure, level=level)
        except h.NotEstimable:
            continue
        if np.isnan(r.se):   # the RD variance formula goes negative (e.g. 0/1 vs 4/4): metafor gives NA too
            continue
        _inside(r.beta, r.ci_lb, r.ci_ub, f"MH {measure}")
    try:
        r = h.rma_peto(a, n1, c, n2, level=level)
    except h.NotEstimable:
        return
    _inside(r.beta, r.ci_lb, r.ci_ub, "Peto")
