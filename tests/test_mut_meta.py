"""Value tests for the meta wing that pin what a planted bug would change: hand-worked numbers
(arithmetic in the comments), independent computations, and exact metafor 3.8-1 values (the R
call in a comment: the tests themselves never run R)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import helpers as h
from helpers.meta.effects import log_hr_from_hr_and_p

Z95 = 1.959963984540054
Z90 = 1.6448536269514722


def _approx(x, rel=1e-9, abs=1e-12):
    return pytest.approx(x, rel=rel, abs=abs)


# =========================================================================== effects.log_hr_from_ci
def test_log_hr_from_ci_level_must_lie_strictly_between_0_and_100():
    for bad in (0, -5, 100, 120):
        with pytest.raises(ValueError, match="level"):
            h.log_hr_from_ci(0.5, 0.3, 0.8, level=bad)
    # just inside: 99.9 % → z = 3.290527
    r = h.log_hr_from_ci(0.5, 0.3, 0.8, level=99.9)
    assert r.sei == _approx((math.log(0.8) - math.log(0.3)) / (2 * 3.2905267314919255))


def test_log_hr_from_ci_bounds_checks():
    for args in ((0.0, 0.3, 0.8), (0.5, 0.0, 0.8), (0.5, 0.3, -1.0), (-0.5, -0.8, -0.3)):
        with pytest.raises(ValueError, match="positive"):
            h.log_hr_from_ci(*args)
    with pytest.raises(ValueError, match="contain"):
        h.log_hr_from_ci(0.2, 0.3, 0.8)          # HR below the lower bound
    with pytest.raises(ValueError, match="contain"):
        h.log_hr_from_ci(0.9, 0.3, 0.8)          # above the upper bound
    with pytest.raises(ValueError, match="equal"):
        h.log_hr_from_ci(0.5, 0.5, 0.5)
    # a HR equal to a bound is allowed (printed CIs touch the estimate after rounding)
    lo = h.log_hr_from_ci(0.5, 0.5, 0.8)
    hi = h.log_hr_from_ci(0.8, 0.5, 0.8)
    se = (math.log(0.8) - math.log(0.5)) / (2 * Z95)
    assert lo.sei == _approx(se) and hi.sei == _approx(se)
    assert lo.yi == _approx(math.log(0.5)) and hi.yi == _approx(math.log(0.8))


def test_log_hr_from_ci_default_level_is_95_and_vi_is_se_squared():
    r = h.log_hr_from_ci(0.47, 0.30, 0.74)
    se = (math.log(0.74) - math.log(0.30)) / (2 * Z95)
    assert r.sei == _approx(se)
    assert r.vi == _approx(se**2)
    r90 = h.log_hr_from_ci(0.47, 0.30, 0.74, level=90)
    assert r90.sei == _approx((math.log(0.74) - math.log(0.30)) / (2 * Z90))


@pytest.mark.parametrize("hr,decimals,expected", [
    # CI 0.25–1.00: the log midpoint is ln 0.5 (−0.693147).  Rounding tolerance with d decimals:
    # u = 0.5·10^−d; tol = u/HR + (u/0.25 + u/1.00)/2.  d = 2: u = 0.005, (0.02 + 0.005)/2 = 0.0125.
    (0.50, 2, False),     # |ln 0.50 − mid| = 0           ≤ tol = 0.0100 + 0.0125 = 0.02250
    (0.51, 2, False),     # |ln 1.02|       = 0.019803    ≤ tol = 0.009804 + 0.0125 = 0.022304
    (0.49, 2, False),     # |ln 0.98|       = 0.020203    ≤ tol = 0.010204 + 0.0125 = 0.022704
    (0.5115, 2, True),    # |ln 1.023|      = 0.022739    > tol = 0.009775 + 0.0125 = 0.022275
    (0.52, 2, True),      # |ln 1.04|       = 0.039221    > tol = 0.009615 + 0.0125 = 0.022115
    (0.48, 2, True),      # |ln 0.96|       = 0.040822    > tol = 0.010417 + 0.0125 = 0.022917 (below mid)
    (0.51, 3, True),      # d = 3: tol = 0.000980 + 0.00125 = 0.002230 < 0.019803
    (0.502, 3, True),     # |ln 1.004| = 0.003992 > tol = 0.000996 + 0.00125 = 0.002246
    (0.502, 2, False),    # 0.003992 ≤ tol = 0.009960 + 0.0125
])
def test_log_hr_from_ci_asymmetry_threshold(hr, decimals, expected):
    assert h.log_hr_from_ci(hr, 0.25, 1.0, decimals=decimals).asymmetric is expected


def test_log_hr_from_ci_default_decimals_is_two():
    # 0.51 in 0.25–1.00 is symmetric within the rounding of 2 decimals, not of 3 (above)
    assert h.log_hr_from_ci(0.51, 0.25, 1.0).asymmetric is False
    assert h.log_hr_from_ci(0.5115, 0.25, 1.0).asymmetric is True


# =========================================================================== effects.log_hr_from_p
def test_log_hr_from_p_rejects_out_of_range_inputs():
    for p in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="p must"):
            h.log_hr_from_p(p, 100, 50, 50)
    for sides in (0, 3):
        with pytest.raises(ValueError, match="sides"):
            h.log_hr_from_p(0.05, 100, 50, 50, sides=sides)
    for ev, n1, n2 in ((0, 50, 50), (100, 0, 50), (100, 50, 0), (-1, 50, 50)):
        with pytest.raises(ValueError, match="positive"):
            h.log_hr_from_p(0.05, ev, n1, n2)
    with pytest.raises(ValueError, match="direction"):
        h.log_hr_from_p(0.05, 100, 50, 50, direction="favours_nobody")


def test_log_hr_from_p_unequal_allocation_and_one_sided():
    # 30 events, 10 vs 30 patients: V = 30·10·30/40² = 5.625; one-sided p 0.025 → z = 1.959964
    r = h.log_hr_from_p(0.025, 30, 10, 30, sides=1)
    V = 30 * 10 * 30 / 40**2
    assert V == 5.625
    assert r.yi == _approx(-Z95 / math.sqrt(5.625))
    assert r.sei == _approx(1 / math.sqrt(5.625))
    assert r.asymmetric is False
    # the same p two-sided: z = Φ̄⁻¹(0.0125) = 2.241403
    r2 = h.log_hr_from_p(0.025, 30, 10, 30)
    assert r2.yi == _approx(-2.241402727604945 / math.sqrt(5.625))


# =========================================================================== effects.log_hr_from_hr_and_p
def test_log_hr_from_hr_and_p_hand_worked():
    # HR 0.5, p = 0.01 two-sided: z = 2.575829, SE = ln 2 / 2.575829 = 0.269096
    r = log_hr_from_hr_and_p(0.5, 0.01)
    assert r.yi == _approx(math.log(0.5))
    assert r.sei == _approx(math.log(2) / 2.5758293035489004)
    assert r.sei == pytest.approx(0.269096, abs=1e-6)
    # HR 2 (above 1: |ln HR|), one-sided p 0.025: z = 1.959964
    r1 = log_hr_from_hr_and_p(2.0, 0.025, sides=1)
    assert r1.yi == _approx(math.log(2)) and r1.sei == _approx(math.log(2) / Z95)


def test_log_hr_from_hr_and_p_rejects_out_of_range_inputs():
    for hr in (0.0, -1.0):
        with pytest.raises(ValueError, match="positive"):
            log_hr_from_hr_and_p(hr, 0.05)
    for p in (0.0, 1.0):
        with pytest.raises(ValueError, match="p must"):
            log_hr_from_hr_and_p(0.5, p)
    for sides in (0, 3):
        with pytest.raises(ValueError, match="sides"):
            log_hr_from_hr_and_p(0.5, 0.05, sides=sides)
    with pytest.raises(ValueError, match="exactly 1"):
        log_hr_from_hr_and_p(1.0, 0.05)


# =========================================================================== effects.escalc_or
def _lor(a, b, c, d):
    return math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d


def test_escalc_or_corrects_a_zero_in_any_one_cell():
    # tables (a, n1, c, n2) with exactly one zero cell, in a, b = n1 − a, c, d = n2 − c in turn,
    # and one without a zero cell (left uncorrected)
    ai, n1, ci, n2 = [0, 10, 3, 3, 3], [10] * 5, [3, 3, 0, 10, 5], [10] * 5
    yi, vi = h.escalc_or(ai, n1, ci, n2)
    expected = [_lor(0.5, 10.5, 3.5, 7.5),     # a = 0
                _lor(10.5, 0.5, 3.5, 7.5),     # b = 0
                _lor(3.5, 7.5, 0.5, 10.5),     # c = 0
                _lor(3.5, 7.5, 10.5, 0.5),     # d = 0
                _lor(3, 7, 5, 5)]              # no zero: ln(3·5/(7·5)) = ln(3/7)
    np.testing.assert_allclose(yi, [e[0] for e in expected], rtol=1e-12)
    np.testing.assert_allclose(vi, [e[1] for e in expected], rtol=1e-12)
    # metafor: escalc("OR", ai=c(0,10,3,3,3), n1i=10, ci=c(3,3,0,10,5), n2i=10)
    #   yi −2.2824 3.8067 2.2824 −3.8067 −0.8473; vi 2.5143 ×4, 0.8762
    np.testing.assert_allclose(yi, [-2.2824, 3.8067, 2.2824, -3.8067, -0.8473], atol=5e-5)


def test_escalc_or_drop00_only_tables_empty_or_full_in_both_arms():
    ai, n1, ci, n2 = [0, 10, 0, 10], [10] * 4, [0, 10, 4, 4], [10] * 4
    yi, vi = h.escalc_or(ai, n1, ci, n2)
    assert np.isnan(yi[0]) and np.isnan(vi[0])       # no events in either arm
    assert np.isnan(yi[1]) and np.isnan(vi[1])       # only events in both arms
    np.testing.assert_allclose([yi[2], vi[2]], _lor(0.5, 10.5, 4.5, 6.5), rtol=1e-12)
    np.testing.assert_allclose([yi[3], vi[3]], _lor(10.5, 0.5, 4.5, 6.5), rtol=1e-12)
    # drop00=False keeps them, corrected: ln(0.5·10.5/(10.5·0.5)) = 0, v = 2·(2 + 1/10.5)
    yk, vk = h.escalc_or(ai, n1, ci, n2, drop00=False)
    assert yk[0] == _approx(0.0) and vk[0] == _approx(2 * (2 + 1 / 10.5))
    assert yk[1] == _approx(0.0) and vk[1] == _approx(2 * (2 + 1 / 10.5))
    assert yk[2] == _approx(yi[2])


def test_escalc_or_to_all_if0all_none_and_add():
    ai, n1, ci, n2 = [3, 0], [10, 10], [5, 4], [10, 10]
    y_all, v_all = h.escalc_or(ai, n1, ci, n2, to="all")
    np.testing.assert_allclose(y_all, [_lor(3.5, 7.5, 5.5, 5.5)[0], _lor(0.5, 10.5, 4.5, 6.5)[0]], rtol=1e-12)
    np.testing.assert_allclose(v_all, [_lor(3.5, 7.5, 5.5, 5.5)[1], _lor(0.5, 10.5, 4.5, 6.5)[1]], rtol=1e-12)
    # if0all with a zero somewhere: every table corrected (as "all")
    y_if, v_if = h.escalc_or(ai, n1, ci, n2, to="if0all")
    np.testing.assert_allclose(y_if, y_all, rtol=1e-12)
    np.testing.assert_allclose(v_if, v_all, rtol=1e-12)
    # if0all without any zero: nothing corrected
    y_nz, _ = h.escalc_or([3, 2], [10, 10], [5, 4], [10, 10], to="if0all")
    np.testing.assert_allclose(y_nz, [math.log(3 * 5 / (7 * 5)), math.log(2 * 6 / (8 * 4))], rtol=1e-12)
    # "all" also corrects a table without zeros; "only0" does not
    y_o, _ = h.escalc_or(ai, n1, ci, n2)
    assert y_o[0] == _approx(math.log(3 / 7)) and y_o[1] == _approx(y_all[1])
    # add = 1 to the zero table only
    y1, v1 = h.escalc_or(ai, n1, ci, n2, add=1.0)
    np.testing.assert_allclose([y1[1], v1[1]], _lor(1, 11, 5, 7), rtol=1e-12)
    assert y1[0] == _approx(math.log(3 / 7))
    # "none": the zero table is infinite, recoded to NaN with a warning; the other stays
    with pytest.warns(RuntimeWarning, match="Inf"):
        y_n, v_n = h.escalc_or(ai, n1, ci, n2, to="none")
    assert np.isnan(y_n[1]) and np.isnan(v_n[1])
    assert y_n[0] == _approx(math.log(3 / 7)) and v_n[0] == _approx(1 / 3 + 1 / 7 + 2 / 5)


def test_escalc_or_zero_in_b_without_correction_is_nan():
    # b = 0 (every patient of the MDT arm has the event), add = 0: ln(a·d/(0·c)) = +Inf → NaN
    with pytest.warns(RuntimeWarning):
        yi, vi = h.escalc_or([10, 3], [10, 10], [4, 5], [10, 10], add=0)
    assert np.isnan(yi[0]) and np.isnan(vi[0])
    assert yi[1] == _approx(math.log(3 / 7))


def test_escalc_or_rejects_impossible_counts_and_unknown_to():
    good = dict(ai=[1], n1i=[10], ci=[2], n2i=[10])
    for change in ({"ai": [-1]}, {"ci": [-1]}, {"ai": [11]}, {"ci": [11]}):
        with pytest.raises(ValueError, match="between 0"):
            h.escalc_or(**{**good, **change})
    with pytest.raises(ValueError, match="to must"):
        h.escalc_or(**good, to="some")
    # counts at the limits are fine
    yi, _ = h.escalc_or([0, 10], [10, 10], [3, 3], [10, 10])
    assert np.all(np.isfinite(yi))


# =========================================================================== mh.rma_mh / rma_peto
MH_FIELDS = ("beta", "se", "zval", "pval", "ci_lb", "ci_ub", "QE", "QEp", "I2", "k", "k_yi")


def _check(res, ref):
    for f, r in zip(MH_FIELDS, ref):
        assert getattr(res, f) == pytest.approx(r, rel=1e-9, abs=1e-12), f


TABS3 = ([3, 10, 0], [10, 10, 12], [5, 6, 2], [10, 12, 11])


def test_mh_or_rd_peto_at_level_90_match_metafor():
    # ai <- c(3,10,0); n1 <- c(10,10,12); ci <- c(5,6,2); n2 <- c(10,12,11)
    # rma.mh(ai=ai, n1i=n1, ci=ci, n2i=n2, measure="OR", level=90)
    res = h.rma_mh(*TABS3, measure="OR", level=90)
    _check(res, (0.2189607796279946, 0.5664789079904224, 0.3865294480332119, 0.6991045976129180,
                 -0.7128141067715612, 1.1507356660275505, 6.3305156149964272, 0.0422032600945709,
                 68.4069968129897887, 3, 3))
    assert res.measure == "OR"
    # rma.mh(..., measure="RD", level=90)
    rd = h.rma_mh(*TABS3, measure="RD", level=90)
    _check(rd, (0.04222601903832071, 0.10892611824448677, 0.38765742981443257, 0.69826956296576770,
                -0.13694150162586832, 0.22139353970250975, 11.32302736326266057, 0.00347724946396702,
                82.33687921227709694, 3, 3))
    assert rd.measure == "RD"
    # rma.peto(..., level=90)
    pe = h.rma_peto(*TABS3, level=90)
    _check(pe, (0.2380120572863388, 0.5899791830041864, 0.4034245006313212, 0.6866359657714352,
                -0.7324173417039638, 1.2084414562766412, 9.4771296246713241, 0.0087511967867615,
                78.8965638415084811, 3, 3))
    assert pe.measure == "PETO"


def test_mh_homogeneous_pair_has_i2_zero():
    # rma.mh(ai=c(4,6), n1i=c(20,30), ci=c(5,7), n2i=c(20,30)): QE 0.0085 < df 1, so I² = 0
    tabs = ([4, 6], [20, 30], [5, 7], [20, 30])
    _check(h.rma_mh(*tabs), (-0.23361485118150521, 0.48440325952538982, -0.48227349132703429,
                             0.62961167594148204, -1.18302779384507795, 0.71579809148206763,
                             0.00849822242386867, 0.92655041693339124, 0.0, 2, 2))
    # rma.peto(same)
    _check(h.rma_peto(*tabs), (-0.22844378257632167, 0.47795792971382078, -0.47795792971382084,
                               0.63268014872217915, -1.16522411094073686, 0.70833654578809346,
                               0.00790417511686595, 0.92915706976658341, 0.0, 2, 2))
    # rma.mh(same, measure="RD")
    _check(h.rma_mh(*tabs, measure="RD"), (-0.04, 0.08275264346230880, -0.48336824452283184,
                                           0.62883429162904592, -0.20219220081160921, 0.12219220081160920,
                                           0.00968982191296143, 0.92158538050622363, 0.0, 2, 2))


def test_mh_single_table_and_one_estimable_table_have_no_q():
    # rma.mh(ai=3, n1i=10, ci=5, n2i=10): beta ln(3·5/(7·5)) = −0.847298, QE 0, QEp 1, I² 0, k.yi 1
    _check(h.rma_mh([3], [10], [5], [10]), (-0.847297860387204, 0.936050466689952, -0.905183951655306,
                                            0.365367942409297, -2.681923062811418, 0.987327342037011,
                                            0.0, 1.0, 0.0, 1, 1))
    # rma.peto(ai=3, n1i=10, ci=5, n2i=10)
    _check(h.rma_peto([3], [10], [5], [10]), (-0.791666666666667, 0.889756521002609, -0.889756521002609,
                                              0.373596637456436, -2.535557402841437, 0.952224069508103,
                                              0.0, 1.0, 0.0, 1, 1))
    # a double-zero table enters the pooled estimate (k = 2) but not the Q test (k.yi = 1)
    # rma.mh(ai=c(0,4), n1i=c(10,20), ci=c(0,5), n2i=c(10,20))
    _check(h.rma_mh([0, 4], [10, 20], [0, 5], [10, 20]),
           (-0.287682072451781, 0.761030003788725, -0.378016728669802, 0.705418166777276,
            -1.779273471032063, 1.203909326128501, 0.0, 1.0, 0.0, 2, 1))
    # rma.peto(same)
    _check(h.rma_peto([0, 4], [10, 20], [0, 5], [10, 20]),
           (-0.279569892473118, 0.747756501105966, -0.373878250552983, 0.708494898463498,
            -1.745145703846497, 1.186005918900260, 0.0, 1.0, 0.0, 2, 1))


def test_mh_input_checks():
    with pytest.raises(ValueError, match="same length"):
        h.rma_mh([1, 2], [10, 10], [1], [10, 10])
    with pytest.raises(ValueError, match="same length"):
        h.rma_peto([1], [10, 10], [1, 2], [10, 10])
    with pytest.raises(ValueError, match="same length"):
        h.rma_mh([1], [10], [1], [10, 10])
    with pytest.raises(h.NotEstimable, match="k = 0"):
        h.rma_mh([], [], [], [])
    for bad in (([-1], [10], [1], [10]), ([1], [10], [-1], [10]), ([11], [10], [1], [10]),
                ([1], [10], [11], [10]), ([0], [0], [1], [10]), ([1], [10], [0], [0])):
        with pytest.raises(ValueError, match="positive group sizes"):
            h.rma_mh(*bad)
    with pytest.raises(ValueError, match="measure"):
        h.rma_mh([1], [10], [2], [10], measure="RR")
    # MH OR: no discordant information either way
    with pytest.raises(h.NotEstimable, match="Mantel"):
        h.rma_mh([3, 0], [10, 10], [0, 0], [10, 10])      # Σ b·c/N = 0
    with pytest.raises(h.NotEstimable, match="Mantel"):
        h.rma_mh([0, 0], [10, 10], [3, 0], [10, 10])      # Σ a·d/N = 0
    with pytest.raises(h.NotEstimable, match="Peto"):
        h.rma_peto([0, 10], [10, 10], [0, 10], [10, 10])
