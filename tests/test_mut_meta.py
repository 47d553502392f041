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


# =========================================================================== subgroup
def test_q_between_hand_worked():
    # two subgroups 0 and 1, SE 1 each: w = 1, 1; b̄ = 0.5; Q = 0.25 + 0.25 = 0.5 on 1 df
    q, df, p = h.q_between([0.0, 1.0], [1.0, 1.0])
    assert q == _approx(0.5) and df == 1 and p == _approx(stats.chi2.sf(0.5, 1))
    assert p == pytest.approx(0.4795001221869535, rel=1e-12)
    # three subgroups with unequal weights: w = 1/SE² = 100, 25, 100;
    # b̄ = (100·0 + 25·0.3 + 100·(−0.2)) / 225 = −12.5/225 = −0.0555…
    # Q = 100·(0.0555…)² + 25·(0.3555…)² + 100·(0.1444…)² = 0.308642 + 3.160494 + 2.086420 = 5.555556
    q3, df3, p3 = h.q_between([0.0, 0.3, -0.2], [0.1, 0.2, 0.1])
    assert q3 == pytest.approx(50 / 9, rel=1e-12) and df3 == 2
    assert p3 == _approx(math.exp(-q3 / 2))          # χ² on 2 df: sf(q) = e^(−q/2)


def test_q_between_single_subgroup_has_no_test():
    q, df, p = h.q_between([0.4], [0.2])
    assert q == pytest.approx(0.0, abs=1e-12) and df == 0 and math.isnan(p)


YI7 = [-0.5, -0.2, 0.1, -0.9, 0.3, 0.05, -0.4]
VI7 = [0.04, 0.09, 0.05, 0.12, 0.03, 0.06, 0.08]
G7 = ["a", "a", "b", "b", "c", "c", "a"]


@pytest.mark.parametrize("method,test,ref", [
    # rma(yi, vi, mods = ~ factor(g, levels = c("a","b","c")), method = m, test = t)
    # (REML with control = list(threshold = 1e-12): metafor's default 1e-5 stops at QM 4.379686)
    ("DL", "z", (4.20661412959126, (2, None), 0.12205212580578)),
    ("DL", "knha", (1.91720872368455, (2, 4), 0.260679311511891)),
    ("REML", "z", (4.37974844036331, (2, None), 0.11193082637097)),
    ("REML", "knha", (1.93935662777492, (2, 4), 0.257756361899692)),
])
def test_q_moderator_matches_metafor(method, test, ref):
    qm, qdf, qp = h.q_moderator(YI7, VI7, G7, ["a", "b", "c"], method=method, test=test)
    assert qm == pytest.approx(ref[0], rel=1e-8)
    assert qdf[0] == ref[1][0]
    assert (math.isnan(qdf[1]) if ref[1][1] is None else qdf[1] == ref[1][1])
    assert qp == pytest.approx(ref[2], rel=1e-8)
    # the omnibus test does not depend on which level is the reference
    qm2, _, _ = h.q_moderator(YI7, VI7, G7, ["c", "a", "b"], method=method, test=test)
    assert qm2 == pytest.approx(qm, rel=1e-8)


def test_q_moderator_two_levels_and_degenerate_cases():
    # rma(yi[1:4], vi[1:4], mods = ~ factor(c("a","a","b","b")), method = "REML", control = list(threshold = 1e-12))
    qm, qdf, qp = h.q_moderator(YI7[:4], VI7[:4], G7[:4], ["a", "b"])
    assert qm == pytest.approx(0.00386113003426089, rel=1e-7) and qdf[0] == 1
    assert qp == pytest.approx(0.950452942298824, rel=1e-7)
    # one level: no test
    out = h.q_moderator(YI7[:3], VI7[:3], ["a", "a", "a"], ["a"])
    assert math.isnan(out[0]) and all(math.isnan(x) for x in out[1]) and math.isnan(out[2])
    # as many studies as levels: no residual degrees of freedom
    out = h.q_moderator(YI7[:3], VI7[:3], ["a", "b", "c"], ["a", "b", "c"])
    assert math.isnan(out[0]) and math.isnan(out[2])
    # one more study than levels: estimable
    qm4, qdf4, _ = h.q_moderator(YI7[:4], VI7[:4], ["a", "b", "c", "a"], ["a", "b", "c"], method="DL")
    assert np.isfinite(qm4) and qdf4[0] == 2


def test_q_moderator_leaves_out_groups_outside_the_levels_as_metafor_does():
    # yi <- c(-0.5,-0.2,0.1,-0.8,-0.3,0.05,-0.6); vi <- c(0.04,0.06,0.05,0.09,0.03,0.07,0.05)
    # g <- c("a","b","a","c","b","x","c")
    # rma(yi, vi, mods = ~ factor(g, levels = c("a","b","c")), control = list(threshold = 1e-12))
    # "x" is NA: study 6 dropped, k = 6
    # (the same with levels c("a","b","c","d") or c("d","a","b","c"): "d" has no studies)
    yi = [-0.5, -0.2, 0.1, -0.8, -0.3, 0.05, -0.6]
    vi = [0.04, 0.06, 0.05, 0.09, 0.03, 0.07, 0.05]
    g = ["a", "b", "a", "c", "b", "x", "c"]
    for levels in (["a", "b", "c"], ["a", "b", "c", "d"], ["d", "a", "b", "c"]):
        qm, qdf, qp = h.q_moderator(yi, vi, g, levels)
        assert qm == pytest.approx(3.040352608882, rel=1e-9), levels
        assert qdf[0] == 2
        assert qp == pytest.approx(0.218673330474, rel=1e-9)


# =========================================================================== small_study
YI_SS = [-0.9, -0.6, -0.5, -0.35, -0.3, -0.1, 0.05]
VI_SS = [0.20, 0.12, 0.09, 0.05, 0.04, 0.02, 0.01]     # the larger effects in the smaller studies


def test_regtest_at_level_90_matches_metafor():
    # regtest(rma(yi, vi, method = "DL", level = 90), model = "lm")
    e = h.regtest(h.rma(YI_SS, VI_SS, method="DL", level=90))
    assert e.zval == pytest.approx(-17.407560665967, rel=1e-9)
    assert e.pval == pytest.approx(1.14651529328133e-05, rel=1e-8)
    assert e.dfs == 5
    assert e.est == pytest.approx(0.311834346938603, rel=1e-9)
    assert e.ci_lb == pytest.approx(0.253953126371039, rel=1e-9)
    assert e.ci_ub == pytest.approx(0.369715567506167, rel=1e-9)


def test_regtest_refusals():
    with pytest.raises(ValueError, match="model"):
        h.regtest(h.rma(YI_SS, VI_SS), model="rma")
    with pytest.raises(ValueError, match="at least 3"):
        h.regtest(h.rma(YI_SS[:2], VI_SS[:2]))
    e3 = h.regtest(h.rma(YI_SS[:3], VI_SS[:3]))          # k = 3 is enough (1 df)
    assert e3.dfs == 1 and np.isfinite(e3.zval)
    with pytest.raises(h.NotEstimable, match="same standard error"):
        h.regtest(h.rma(YI_SS[:4], [0.05] * 4))


@pytest.mark.parametrize("side,est,ref", [
    # tf <- trimfill(rma(yi, vi, method = "DL", level = 90), side = s, estimator = e):
    # k0, se.k0, p.k0, beta, se, tau2, ci.lb, ci.ub (the refit at level 95), filled yi
    ("left", "L0", (0, 0.622140015848261, None, -0.241905589103838, 0.107966909998338, 0.0337787224882957,
                    -0.419495352605348, -0.0643158256023283, [])),
    ("left", "R0", (0, 1.4142135623731, 0.5, -0.241905589103838, 0.107966909998338, 0.0337787224882957,
                    -0.419495352605348, -0.0643158256023283, [])),
    ("right", "L0", (3, 1.68503806693697, None, -0.12856052312636, 0.10725175878022, 0.0491069834527197,
                     -0.338770107614169, 0.0816490613614479, [0.285181482878544, 0.385181482878544,
                                                              0.685181482878544])),
    ("right", "R0", (4, 3.16227766016838, 0.03125, -0.0755077489512729, 0.10635082215239, 0.05840254212859,
                     -0.283951530096183, 0.132936032193637, [0.228817860255293, 0.378817860255293,
                                                             0.478817860255293, 0.778817860255293])),
])
def test_trimfill_given_side_matches_metafor(side, est, ref):
    res = h.rma(YI_SS, VI_SS, method="DL", level=90)
    tf = h.trimfill(res, side=side, estimator=est)
    k0, se_k0, p_k0, beta, se, tau2, lb, ub, fill = ref
    assert tf.k0 == k0 and tf.side == side and tf.estimator == est
    assert tf.se_k0 == pytest.approx(se_k0, rel=1e-9)
    assert (math.isnan(tf.p_k0) if p_k0 is None else tf.p_k0 == pytest.approx(p_k0, rel=1e-12))
    assert tf.fit.beta == pytest.approx(beta, rel=1e-8)
    assert tf.fit.se == pytest.approx(se, rel=1e-8)
    assert tf.fit.tau2 == pytest.approx(tau2, rel=1e-8)
    assert tf.fit.ci_lb == pytest.approx(lb, rel=1e-8) and tf.fit.ci_ub == pytest.approx(ub, rel=1e-8)
    np.testing.assert_allclose(tf.filled_yi, fill, rtol=1e-9)
    if k0:
        # imputed studies mirror the k0 largest (flipped) effects: their variances are those studies'
        np.testing.assert_allclose(tf.filled_vi, sorted(VI_SS[:k0]), rtol=0)
        assert tf.fit.k == 7 + k0 and tf.fit.level == 95
    else:
        assert tf.fit is res and tf.filled_vi.size == 0


def test_trimfill_chooses_the_side_from_the_slope():
    # trimfill(rma(yi, vi, method = "DL", level = 90)): k0 3 on the right (the slope on sqrt(vi) is negative)
    tf = h.trimfill(h.rma(YI_SS, VI_SS, method="DL", level=90))
    assert tf.side == "right" and tf.k0 == 3
    # mirrored data: the side flips
    tf2 = h.trimfill(h.rma([-y for y in YI_SS], VI_SS, method="DL"))
    assert tf2.side == "left" and tf2.k0 == 3
    np.testing.assert_allclose(tf2.filled_yi, [-0.285181482878544, -0.385181482878544, -0.685181482878544],
                               rtol=1e-9)


def test_trimfill_small_k_and_refusals():
    # trimfill(rma(c(-0.9, 0.05), c(0.2, 0.01), method = "DL"), side = "left"): k0 0, se.k0 1.20811158742964
    r2 = h.rma([-0.9, 0.05], [0.2, 0.01], method="DL")
    tf = h.trimfill(r2, side="left")
    assert tf.k0 == 0 and tf.se_k0 == pytest.approx(1.20811158742964, rel=1e-9) and tf.fit is r2
    with pytest.raises(ValueError, match="k >= 2"):
        h.trimfill(h.rma([-0.9], [0.2]), side="left")
    with pytest.raises(ValueError, match="intercept-only"):
        h.trimfill(h.rma(YI_SS, VI_SS, mods=np.array(VI_SS)))
    with pytest.raises(ValueError, match="side must"):
        h.trimfill(h.rma(YI_SS, VI_SS), side="up")
    with pytest.raises(h.NotEstimable, match="same variance"):
        h.trimfill(h.rma(YI_SS, [0.05] * 7))
    # with equal variances the side can be given
    assert h.trimfill(h.rma(YI_SS, [0.05] * 7), side="left").side == "left"


# =========================================================================== sequential
def test_diversity_of_two_studies_by_hand():
    # y = −0.9, 0.4; v = 0.05, 0.10: w = 20, 10; DL: Q = (20·10/30)·1.3² = 11.2667, C = 30 − 500/30 = 13.333,
    # τ² = (Q − 1)/C = 0.77; v_FE = 1/30, v_RE = 1/(1/0.82 + 1/0.87); D² = 1 − v_FE/v_RE
    y, v = [-0.9, 0.4], [0.05, 0.10]
    tau2 = (200 / 30 * 1.3**2 - 1) / (30 - 500 / 30)
    assert tau2 == pytest.approx(0.77, rel=1e-12)
    v_re = 1 / (1 / (0.05 + tau2) + 1 / (0.10 + tau2))
    d2 = h.diversity(h.rma(y, v, method="EE"), method="DL")
    assert d2 == pytest.approx((v_re - 1 / 30) / v_re, rel=1e-10)
    assert 0.9 < d2 < 1
    # one study: 0 whatever the method
    assert h.diversity(h.rma([0.3], [0.1]), method="DL") == 0.0


def test_required_information_more_refusals_and_alpha():
    for kw in (dict(alpha=1.0), dict(alpha=-0.1), dict(power=0.0), dict(power=1.5), dict(ratio=np.inf),
               dict(ratio=-1.0), dict(ratio=np.nan)):
        with pytest.raises(ValueError):
            h.required_information(0.7, **kw)
    for hr in (0.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="hr must"):
            h.required_information(hr)
    # alpha 0.1, power 0.85, 1:1: (z_0.95 + z_0.85)² / ln(0.6)²
    r = h.required_information(0.6, alpha=0.1, power=0.85, D2=0.5)
    info = (Z90 + stats.norm.ppf(0.85)) ** 2 / math.log(0.6) ** 2
    assert r.information == _approx(info) and r.events == _approx(4 * info)
    assert r.information_adjusted == _approx(2 * info) and r.events_adjusted == _approx(8 * info)
    assert r.adjustment == _approx(2.0)
    assert (r.hr, r.alpha, r.power, r.ratio, r.D2) == (0.6, 0.1, 0.85, 1.0, 0.5)


def test_ldbounds_alpha_limits():
    for a in (0.0, 0.5, 0.7, -0.01):
        with pytest.raises(ValueError, match="alpha"):
            h.ldbounds([0.5, 1.0], alpha=a)
    for t in ([np.inf], [0.5, np.inf], [-0.2, 0.5]):
        with pytest.raises(ValueError, match="positive and finite"):
            h.ldbounds(t)
    # one look at t = 1 with alpha 0.05 per side: the fixed-sample 1.644854
    assert h.ldbounds([1.0], alpha=0.05)[0] == pytest.approx(Z90, abs=1e-10)


def test_tsa_alpha_ratio_and_benefit_crossing_label():
    v = np.full(6, 0.01)
    out = h.tsa(np.full(6, -0.5), v, hr=0.8, test="z", alpha=0.1, ratio=2.0, D2=0.2, labels=list("abcdef"))
    # boundaries with α/2 = 0.05 per side on the information fractions
    np.testing.assert_allclose(out.looks["upper"], h.ldbounds(out.looks["t"], alpha=0.05), rtol=1e-12)
    req = h.required_information(0.8, alpha=0.1, ratio=2.0, D2=0.2)
    assert out.required == req and out.required.events == _approx(req.information * 4.5)
    np.testing.assert_allclose(out.looks["t"], np.cumsum(1 / v) / req.information_adjusted, rtol=1e-12)
    assert out.D2 == 0.2 and out.alpha == 0.1 and out.power == 0.9 and out.hr == 0.8
    assert out.z_source == "REML-z" and out.beyond == "inf"
    # the first look already crosses: z = −0.5/0.1 = −5 below −c (c of t = 100/info_adj)
    assert out.looks["z"].iloc[0] == pytest.approx(-5.0)
    first = int(np.argmax(out.looks["z"] <= out.looks["lower"]))
    assert out.verdict == "firm evidence of benefit" and out.crossing == "abcdef"[first]
    assert out.information == _approx(600.0) and out.t == _approx(600 / req.information_adjusted)


# =========================================================================== bayes
YB, SB = np.array([0.1, -0.3, 0.5]), np.array([0.2, 0.3, 0.25])
M0, S0 = 0.2, 2.0


def _independent_posterior(log_prior):
    """p(y | tau) from the marginal y ~ N(m0·1, diag(σ² + τ²) + s0²·11ᵀ) (mu integrated out in the
    covariance, not by the fit's conditional decomposition), times the prior, by adaptive quad."""
    from scipy import integrate

    def joint(t):
        cov = np.diag(SB**2 + t**2) + S0**2
        r = YB - M0
        logdet = np.linalg.slogdet(cov)[1]
        return math.exp(-0.5 * (3 * math.log(2 * math.pi) + logdet + r @ np.linalg.solve(cov, r)) + log_prior(t))

    def cond(t):              # mean and variance of mu given tau, y
        w = 1 / (SB**2 + t**2)
        P = w.sum() + 1 / S0**2
        return (np.sum(w * YB) + M0 / S0**2) / P, 1 / P

    def quad(f):
        return integrate.quad(f, 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)[0]

    z = quad(joint)
    e_tau = quad(lambda t: t * joint(t)) / z
    e_tau2 = quad(lambda t: t**2 * joint(t)) / z
    e_mu = quad(lambda t: cond(t)[0] * joint(t)) / z
    e_mu2 = quad(lambda t: (cond(t)[1] + cond(t)[0] ** 2) * joint(t)) / z
    return dict(logz=math.log(z), e_tau=e_tau, sd_tau=math.sqrt(e_tau2 - e_tau**2), e_mu=e_mu,
                sd_mu=math.sqrt(e_mu2 - e_mu**2), sd_theta=math.sqrt(e_mu2 - e_mu**2 + e_tau2))


@pytest.mark.parametrize("prior,log_prior", [
    (("halfnormal", 0.5), lambda t: math.log(2 / (0.5 * math.sqrt(2 * math.pi))) - 0.5 * (t / 0.5) ** 2),
    (("halfcauchy", 0.5), lambda t: math.log(2 / (math.pi * 0.5)) - math.log1p((t / 0.5) ** 2)),
])
def test_bayesmeta_marginal_likelihood_and_moments_against_independent_quadrature(prior, log_prior):
    fit = h.bayesmeta(YB, SB, tau_prior=prior, mu_prior_mean=M0, mu_prior_sd=S0)
    ref = _independent_posterior(log_prior)
    assert fit.log_marginal_likelihood == pytest.approx(ref["logz"], abs=1e-8)
    m = fit.moments
    assert m.loc["mean", "tau"] == pytest.approx(ref["e_tau"], rel=1e-7)
    assert m.loc["sd", "tau"] == pytest.approx(ref["sd_tau"], rel=1e-7)
    assert m.loc["mean", "mu"] == pytest.approx(ref["e_mu"], rel=1e-7)
    assert m.loc["sd", "mu"] == pytest.approx(ref["sd_mu"], rel=1e-7)
    assert m.loc["mean", "theta"] == pytest.approx(ref["e_mu"], rel=1e-7)
    assert m.loc["sd", "theta"] == pytest.approx(ref["sd_theta"], rel=1e-7)


def test_bayesmeta_conditional_moments_by_hand():
    fit = h.bayesmeta(YB, SB, tau_prior=("halfnormal", 0.5), mu_prior_mean=M0, mu_prior_sd=S0)
    # tau = 0: w = 1/σ² = 25, 11.11, 16; P = Σw + 1/4; m = (Σ w·y + 0.2/4) / P
    w = 1 / SB**2
    P = w.sum() + 0.25
    m = (np.sum(w * YB) + 0.05) / P
    cm = fit.conditional_moments([0.0, 0.5])
    assert list(cm.columns) == ["tau", "mean", "sd"]
    assert cm["mean"][0] == _approx(m) and cm["sd"][0] == _approx(1 / math.sqrt(P))
    w5 = 1 / (SB**2 + 0.25)
    P5 = w5.sum() + 0.25
    assert cm["mean"][1] == _approx((np.sum(w5 * YB) + 0.05) / P5)
    pred = fit.conditional_moments(0.5, predictive=True)
    assert pred["sd"][0] == _approx(math.sqrt(1 / P5 + 0.25))
    # the flat prior on mu: P = Σw, m the weighted mean
    flat = h.bayesmeta(YB, SB, tau_prior=("halfnormal", 0.5))
    c0 = flat.conditional_moments(0.0)
    assert c0["mean"][0] == _approx(np.sum(w * YB) / w.sum()) and c0["sd"][0] == _approx(1 / math.sqrt(w.sum()))


def test_bayesmeta_descriptions():
    fit = h.bayesmeta(YB, SB, tau_prior=("halfcauchy", 0.5), mu_prior_sd=2, labels=["a", "b", "c"])
    assert fit.tau_prior == "half-Cauchy(0.5)" and fit.labels == ("a", "b", "c") and fit.k == 3
    assert repr(fit) == "BayesMeta(k=3, tau prior=half-Cauchy(0.5), mu prior=N(0, 2^2))"
    flat = h.bayesmeta(YB, SB)
    assert flat.tau_prior == "half-normal(0.5)" and flat.labels is None
    assert repr(flat) == "BayesMeta(k=3, tau prior=half-normal(0.5), mu prior=flat)"
    assert h.bayesmeta(YB, SB, tau_prior="uniform").tau_prior == "uniform (improper) on tau >= 0"

    def my_prior(t):
        return np.exp(-t)
    assert h.bayesmeta(YB, SB, tau_prior=my_prior).tau_prior == "my_prior"
    for bad in (("halfcauchy", -1), ("halfnormal", np.inf), ("halfcauchy", np.nan)):
        with pytest.raises(ValueError, match="scale"):
            h.bayesmeta(YB, SB, tau_prior=bad)
    for bad in (np.inf, -1.0):
        with pytest.raises(ValueError, match="mu_prior_sd"):
            h.bayesmeta(YB, SB, mu_prior_sd=bad)
    # quadrature weights are a distribution over the tau nodes
    assert fit.weights.sum() == pytest.approx(1.0, abs=1e-12) and np.all(fit.nodes > 0)


def test_bayesmeta_tau_mode_is_found_to_full_precision():
    from scipy import optimize

    fit = h.bayesmeta(YB, SB, tau_prior=("halfnormal", 0.5), mu_prior_mean=M0, mu_prior_sd=S0)

    def neg_log_post(t):    # −log p(tau | y) up to a constant, from the marginal of y (mu integrated out)
        cov = np.diag(SB**2 + t**2) + S0**2
        r = YB - M0
        return 0.5 * (np.linalg.slogdet(cov)[1] + r @ np.linalg.solve(cov, r)) + 0.5 * (t / 0.5) ** 2

    ref = optimize.minimize_scalar(neg_log_post, bounds=(1e-6, 2), method="bounded", options={"xatol": 1e-13})
    assert fit.summary.loc["mode", "tau"] == pytest.approx(ref.x, rel=1e-6)   # a minimum: ~√eps precision
    assert 0.05 < ref.x < 1


# =========================================================================== diagnostics
Y_INF = [0.1, 0.2, 0.15, 0.05, 0.25, 0.8]
V_INF = [0.04, 0.05, 0.03, 0.06, 0.04, 0.05]


def test_influence_and_leave1out_match_metafor_with_default_labels():
    # res <- rma(yi, vi, method = "DL"); influence(res); leave1out(res)  (no slab: rows "1".."6")
    res = h.rma(Y_INF, V_INF, method="DL")
    inf = h.influence(res)
    assert list(inf.columns) == ["rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "QE_del", "hat", "weight",
                                 "dfbs", "inf"]
    assert list(inf.index) == ["1", "2", "3", "4", "5", "6"]
    ref = {
        "rstudent": [-0.622746873995772, -0.195641824431693, -0.442495921660753, -0.72723950555384,
                     -0.0137994280031561, 2.6711287692877],
        "dffits": [-0.295773887986654, -0.097326330078922, -0.229248836968637, -0.299155347025671,
                   -0.0200937853079463, 1.11285475790827],
        "cook_d": [0.101524463472009, 0.0114267846381488, 0.0676566027308138, 0.0969320680212691,
                   0.000515083686857288, 0.847624818814568],
        "cov_r": [1.40004340403073, 1.45568516652267, 1.54172228904876, 1.28035651758455, 1.53298730238706,
                  0.749875763151124],
        "tau2_del": [0.0331750266808965, 0.0381265281173594, 0.038298802946593, 0.0299567773167358,
                     0.0404389007470651, 0],
        "QE_del": [7.00338164251208, 7.60966435185185, 7.2494140625, 6.92685810810811, 7.66099033816425,
                   0.526331018518518],
        "hat": [0.17624531859876, 0.152119932274167, 0.209465377840746, 0.133804120413401, 0.17624531859876,
                0.152119932274167],
        "dfbs": [-0.296535921385849, -0.0963883125541457, -0.234290929601135, -0.296111038232146,
                 -0.0201782262848891, 1.14836664225964],
    }
    for col, r in ref.items():
        np.testing.assert_allclose(inf[col].to_numpy(), r, rtol=1e-6, atol=1e-10, err_msg=col)
    np.testing.assert_allclose(inf["weight"], 100 * np.array(ref["hat"]), rtol=1e-6)
    assert list(inf["inf"]) == ["", "", "", "", "", "*"]       # study 6: Cook's distance, χ²₁ cdf 0.64 > 0.5
    loo = h.leave1out(res)
    assert list(loo.index) == ["1", "2", "3", "4", "5", "6"]
    np.testing.assert_allclose(loo["estimate"], [0.285505038170563, 0.263184582313025, 0.279335955569399,
                                                 0.284736553204095, 0.254308315679751, 0.154861111111111], rtol=1e-6)
    assert list(h.cumul(res).index) == ["1", "2", "3", "4", "5", "6"]


def test_diagnostics_refusals_say_why():
    with pytest.raises(ValueError, match=r"^influence\(\) is implemented for intercept-only models$"):
        h.influence(h.rma(Y_INF, V_INF, mods=np.array(V_INF)))
    with pytest.raises(h.NotEstimable, match=r"^influence\(\) needs k >= 2$"):
        h.influence(h.rma([0.1], [0.04]))
    with pytest.raises(h.NotEstimable, match=r"the covariance ratio are not defined$"):
        h.influence(h.rma([0.2] * 4, V_INF[:4], test="knha"))


# =========================================================================== more exact messages and corners
def test_exact_refusal_messages():
    with pytest.raises(ValueError, match=r"^event counts must lie between 0 and positive group sizes$"):
        h.rma_mh([5], [4], [1], [10])
    with pytest.raises(ValueError, match=r"^measure must be 'OR' or 'RD'$"):
        h.rma_mh([1], [10], [2], [10], measure="rr")
    with pytest.raises(h.NotEstimable, match=r"^Egger's test is not estimable: every study has the same"):
        h.regtest(h.rma(YI_SS[:4], [0.05] * 4))


def test_mh_identical_tables_have_zero_q_and_zero_i2():
    # two identical tables: the MH log OR equals each table's, QE = 0 exactly, and I² is 0 (not undefined)
    res = h.rma_mh([3, 3], [10, 10], [5, 5], [10, 10])
    assert res.QE == 0.0 and res.I2 == 0.0 and res.QEp == 1.0 and res.k_yi == 2


def test_trimfill_ranks_ties_first_come_first_ranked():
    # trimfill(rma(c(-1,-0.5,0.5,1), rep(0.1,4), method = "EE"), side = "left"): k0 1, se.k0 1.57794642380655,
    # beta −1/3.  Centred values ±0.5 and ±1 tie in absolute value across signs: R's rank(ties = "first")
    # gives Sr = 2 + 4 = 6, so k0 = (4·6 − 20)/7 = 0.57 → 1 (average ranks would give Sr = 5 and k0 = 0)
    tf = h.trimfill(h.rma([-1, -0.5, 0.5, 1], [0.1] * 4, method="EE"), side="left")
    assert tf.k0 == 1 and tf.se_k0 == pytest.approx(1.57794642380655, rel=1e-9)
    assert tf.fit.beta == pytest.approx(-1 / 3, rel=1e-12)
    np.testing.assert_allclose(tf.filled_yi, [-5 / 3], rtol=1e-12)


def test_trimfill_side_from_yi_that_differ_by_more_than_the_tie_tolerance():
    # the tolerance is 1e-10·max(1, max|yi|) = 1e-10 here: yi 1.5e-10 apart are not identical, and the
    # largest effect in the most precise study puts the missing studies on the right
    v = [0.1, 0.2, 0.05]
    assert h.trimfill(h.rma([0.5, 0.5, 0.5 + 1.5e-10], v)).side == "right"
    # 0.5e-10 apart: identical within the tolerance, the slope is noise and the side is "left"
    assert h.trimfill(h.rma([0.5, 0.5, 0.5 + 0.5e-10], v)).side == "left"


def test_tsa_verdict_uses_the_last_look():
    # null effects; looks at t = 0.5 and then beyond 1: the required information is reached without a
    # crossing, so "unlikely" (the verdict reads the last look, not the one before)
    req = h.required_information(0.8, D2=0.0).information_adjusted
    v = np.array([2 / req, 1 / (0.7 * req)])                   # t = 0.5, then 0.5 + 0.7 = 1.2
    out = h.tsa([0.0, 0.0], v, hr=0.8, test="z", D2=0.0)
    np.testing.assert_allclose(out.looks["t"], [0.5, 1.2], rtol=1e-12)
    assert out.verdict == "an effect as large as anticipated is unlikely" and out.crossing is None
    # the same trials before the second: t = 0.5, not yet conclusive
    assert h.tsa([0.0], v[:1], hr=0.8, test="z", D2=0.0).verdict == "not yet conclusive"


def test_no_numpy_warnings_for_tables_without_events():
    # a double-zero table has V = 0 and (a − E)/V = 0/0: computed quietly and set to NaN, as R does
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pe = h.rma_peto([0, 4], [10, 20], [0, 5], [10, 20])
        mh = h.rma_mh([0, 4], [10, 20], [0, 5], [10, 20])
        rd = h.rma_mh([0, 4], [10, 20], [0, 5], [10, 20], measure="RD")
    assert pe.k_yi == 1 and mh.k_yi == 1 and rd.k == 2


def test_influence_flags_a_study_by_dffits_alone():
    # 29 studies at 0 and one at a, all v = 0.1, common-effect model: dfb = a/30, W = 300, so
    # DFFITS = (a/30)·√300 = 0.5774·a, Cook's D = DFFITS², hat = 1/30 < 3/30.  metafor 3.8-1,
    # influence(rma(c(rep(0,29),1.04), rep(0.1,30), method="EE")): DFFITS 0.600444279957211, cook.d 0.360533,
    # hat 0.0333, dfbs 0.600444, inf "*" — flagged only because DFFITS > 3·√(1/29) = 0.5571
    # (χ²₁ cdf of 0.3605 is 0.45 ≤ 0.5, |dfbs| < 1)
    inf = h.influence(h.rma([0.0] * 29 + [1.04], [0.1] * 30, method="EE"))
    last = inf.iloc[-1]
    assert last["dffits"] == pytest.approx(0.600444279957211, rel=1e-9)
    assert last["cook_d"] == pytest.approx(0.360533333333334, rel=1e-9)
    assert stats.chi2.cdf(last["cook_d"], 1) < 0.5 and last["hat"] < 0.1 and abs(last["dfbs"]) < 1
    assert last["inf"] == "*" and set(inf["inf"].iloc[:-1]) == {""}
    # a = 0.9: DFFITS 0.52 < 0.5571, nothing flagged
    assert set(h.influence(h.rma([0.0] * 29 + [0.9], [0.1] * 30, method="EE"))["inf"]) == {""}


def test_bayesmeta_tau_mode_at_zero_for_identical_estimates():
    # identical y: p(y | tau) decreases in tau, and so does the half-normal prior: the mode is tau = 0 exactly
    fit = h.bayesmeta([0.1, 0.1, 0.1], [0.2, 0.3, 0.25], tau_prior=("halfnormal", 0.5), mu_prior_sd=2)
    assert fit.summary.loc["mode", "tau"] == 0.0


def test_more_exact_refusal_messages():
    with pytest.raises(ValueError, match=r"^hazard ratio must be positive$"):
        log_hr_from_hr_and_p(0.0, 0.05)
    with pytest.raises(h.NotEstimable, match=r"^trimfill\(\): the side cannot be chosen when every study has the "
                                             r"same variance \(the slope on sqrt\(vi\) is not estimable; metafor "
                                             r"stops too\): give side=$"):
        h.trimfill(h.rma(YI_SS, [0.05] * 7))
