"""Effect-size derivations: hand-worked cases and property tests."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers as h

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=200)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")


def test_log_hr_from_ci_hand_worked():
    # HR 0.47 (95% CI 0.30–0.74): SE = (ln 0.74 − ln 0.30) / (2 × 1.959964) = 0.230311…
    r = h.log_hr_from_ci(0.47, 0.30, 0.74, level=95)
    assert r.yi == pytest.approx(math.log(0.47))
    assert r.sei == pytest.approx((math.log(0.74) - math.log(0.30)) / (2 * 1.959963984540054))
    assert r.sei == pytest.approx(0.2303, abs=5e-5)
    assert not r.asymmetric
    # an 80% CI uses z = 1.281552
    r80 = h.log_hr_from_ci(0.57, 0.37, 0.88, level=80)
    assert r80.sei == pytest.approx((math.log(0.88) - math.log(0.37)) / (2 * 1.2815515655446004))


def test_log_hr_from_ci_flags_asymmetry_and_rejects_nonsense():
    assert h.log_hr_from_ci(0.50, 0.20, 0.60).asymmetric
    with pytest.raises(ValueError, match="contain"):
        h.log_hr_from_ci(0.9, 0.3, 0.8)
    with pytest.raises(ValueError, match="level"):
        h.log_hr_from_ci(0.5, 0.3, 0.8, level=100)
    with pytest.raises(ValueError, match="positive"):
        h.log_hr_from_ci(0.5, 0.0, 0.8)


def test_log_hr_from_p_hand_worked():
    # Tierney 2007 worked case: 2-sided p = 0.05, 100 events, 1:1 allocation.
    # V = 100·50·50/100² = 25; z = 1.959964; ln HR = −1.959964/5 = −0.391993; SE = 1/5.
    r = h.log_hr_from_p(0.05, 100, 50, 50)
    assert r.yi == pytest.approx(-0.3919927969, rel=1e-9)
    assert r.sei == pytest.approx(0.2)
    # 2:1 allocation (66 vs 33), 67 events, p = 0.001, favouring control:
    # V = 67·66·33/99² = 14.888…; z = 3.290527; ln HR = +3.290527/√V = 0.852775
    r2 = h.log_hr_from_p(0.001, 67, 66, 33, direction="favours_control")
    V = 67 * 66 * 33 / 99**2
    assert r2.yi == pytest.approx(3.2905267314919255 / math.sqrt(V), rel=1e-9)
    assert r2.yi == pytest.approx(0.852775, abs=1e-6)
    # one-sided p = 0.10 → z = 1.281552
    r3 = h.log_hr_from_p(0.10, 25, 20, 20, sides=1)
    assert r3.yi == pytest.approx(-1.2815515655446004 / math.sqrt(25 * 400 / 1600))


def test_invert_hr_swaps_bounds():
    assert h.invert_hr(2.0, 1.25, 4.0) == (0.5, 0.25, 0.8)


levels = st.sampled_from([50, 70, 80, 90, 95, 99])


@given(logh=st.floats(-3, 3), se=st.floats(0.01, 2), level=levels)
def test_log_hr_from_ci_round_trips_at_every_level(logh, se, level):
    from scipy import stats
    z = stats.norm.isf((1 - level / 100) / 2)
    lo, hi = math.exp(logh - z * se), math.exp(logh + z * se)
    r = h.log_hr_from_ci(math.exp(logh), lo, hi, level=level, decimals=12)
    assert r.yi == pytest.approx(logh, abs=1e-9)
    assert r.sei == pytest.approx(se, rel=1e-9)
    assert not r.asymmetric


studies = st.lists(st.tuples(st.floats(-3, 3), st.floats(0.001, 4)), min_size=2, max_size=25)


@given(data=studies, method=st.sampled_from(["DL", "REML", "PM", "EE", "HE", "SJ"]), seed=st.integers(0, 2**32 - 1))
def test_rma_is_invariant_to_study_order(data, method, seed):
    y, v = map(np.array, zip(*data))
    perm = np.random.default_rng(seed).permutation(len(y))
    a, b = h.rma(y, v, method=method), h.rma(y[perm], v[perm], method=method)
    assert a.beta == pytest.approx(b.beta, rel=1e-7, abs=1e-10)
    assert a.tau2 == pytest.approx(b.tau2, rel=1e-6, abs=1e-9)
    assert a.QE == pytest.approx(b.QE, rel=1e-7, abs=1e-9)


@given(data=studies)
def test_ee_estimate_lies_within_the_study_estimates(data):
    y, v = map(np.array, zip(*data))
    res = h.rma(y, v, method="EE")
    assert y.min() - 1e-12 <= res.beta <= y.max() + 1e-12
