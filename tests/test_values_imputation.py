"""Imputation and tipping point for missing results (helpers.review.imputation), worked by hand.

z(0.975) = 1.959964, z(0.95) = 1.644854, z(0.9995) = 3.290527, z(0.995) = 2.575829,
z(0.85) = 1.036433, z(0.6) = 0.253347.

* Tierney (2007): 100 events, 60 : 40 → r = 1.5, V = 100 · 1.5 / 2.5² = 24, SE = 1/√24 = 0.204124,
  two-sided p = 0.05 → ln HR = −1.959964 · 0.204124 = −0.400076 (favours MDT).
* Floor: 20 + 80 events, 50 : 50, p = 0.05 → V = 25, 1/√V = 0.2, √(1/20 + 1/80) = 0.25 binds;
  ln HR stays −1.959964/5 = −0.391993.
* Events from medians: 100 per arm, medians 24 (MDT) and 12 (control), follow-up 12 →
  100 · (1 − 2^−0.5) = 29.29 → 29 and 100 · (1 − 2^−1) = 50; V = 79/4, 1/√V = 0.225018,
  floor √(1/29 + 1/50) = 0.233415; p = 0.01 → ln HR = −2.575829 · 0.225018 = −0.579607.
* Ratio of medians 10 (MDT) vs 30 (control), no arm sizes, 25 + 25 events: ln HR = ln 3 = 1.098612;
  p = 0.3 → |ln HR|/z = 1.059994 > √(2/25) = 0.282843; p = 0.7 → 0.282843 alone.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.meta.rma import rma
from helpers.review.imputation import (MEDIANS, NOT_IMPUTABLE, TIERNEY, Imputed, events_from_medians,
                                       imputation_analysis, impute_missing, impute_one, tipping_point)
from helpers.review.settings import SETTINGS

NAN = math.nan
Z975, Z95, Z9995, Z995 = 1.959963984540054, 1.6448536269514722, 3.2905267314918945, 2.5758293035489004
LN2 = math.log(2)


def row(**kw) -> dict:
    base = {"trial_id": "t", "n_mdt": NAN, "n_control": NAN, "events": NAN, "events_mdt": NAN, "events_control": NAN,
            "median_mdt": NAN, "median_control": NAN, "followup_months": NAN, "p_value": None, "p_sides": NAN,
            "favours": ""}
    base.update(kw)
    return base


# --------------------------------------------------------------------------- Tierney route
def test_tierney_v_and_se_worked_example():
    m = impute_one(row(n_mdt=60, n_control=40, events=100, p_value="0.05", p_sides=2, favours="MDT"))
    r = 60 / 40
    V = 100 * r / (1 + r) ** 2
    assert V == pytest.approx(24)
    assert m.method == TIERNEY
    assert m.sei == pytest.approx(1 / math.sqrt(24), abs=1e-12)
    assert m.sei == pytest.approx(0.204124, abs=1e-6)
    assert m.yi == pytest.approx(-Z975 / math.sqrt(24), abs=1e-12)
    assert m.yi == pytest.approx(-0.400076, abs=1e-6)
    assert m.events_used is None and m.events_total == 100 and not m.events_estimated


def test_tierney_sign_follows_the_favoured_arm():
    mdt = impute_one(row(n_mdt=60, n_control=40, events=100, p_value="0.05", favours="MDT"))
    ctl = impute_one(row(n_mdt=60, n_control=40, events=100, p_value="0.05", favours="control"))
    assert mdt.yi < 0 < ctl.yi and ctl.yi == pytest.approx(-mdt.yi)
    assert (mdt.favours, ctl.favours) == ("MDT", "control")


def test_se_floor_from_events_per_arm_binds():
    m = impute_one(row(n_mdt=50, n_control=50, events_mdt=20, events_control=80, p_value="0.05", favours="MDT"))
    assert m.method == TIERNEY
    assert m.sei == pytest.approx(math.sqrt(1 / 20 + 1 / 80), abs=1e-12)   # 0.25, not 1/√25 = 0.2
    assert m.sei == pytest.approx(0.25)
    assert m.yi == pytest.approx(-Z975 / 5, abs=1e-12)                      # ln HR from V, not from the floor
    assert m.events_used == (20, 80)


def test_se_floor_does_not_bind_when_events_follow_the_allocation_more_evenly():
    # 50 + 50 events with 60 : 40 allocation: √(1/50 + 1/50) = 0.2 < 1/√24 = 0.204124
    m = impute_one(row(n_mdt=60, n_control=40, events_mdt=50, events_control=50, p_value="0.05", favours="MDT"))
    assert m.sei == pytest.approx(1 / math.sqrt(24), abs=1e-12)


def test_tierney_with_p_above_half_keeps_the_events_se():
    # p = 0.8: ln HR = −z(0.6)/5, SE = 1/√V = 0.2 (events-based already)
    m = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.8", favours="MDT"))
    assert m.sei == pytest.approx(0.2)
    assert m.yi == pytest.approx(-stats.norm.ppf(0.6) / 5, abs=1e-12)
    assert m.yi == pytest.approx(-0.0506694, abs=1e-6)


def test_p_below_bound_taken_at_the_bound():
    bound = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="<.001", favours="MDT"))
    exact = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.001", favours="MDT"))
    smaller = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.0001", favours="MDT"))
    assert bound.yi == pytest.approx(-Z9995 / 5, abs=1e-12)            # −0.658105
    assert bound.yi == pytest.approx(-0.658105, abs=1e-6)
    assert bound.yi == pytest.approx(exact.yi) and abs(bound.yi) < abs(smaller.yi)
    assert "bound" in bound.note


def test_p_below_bound_gives_the_largest_se_in_the_medians_route():
    # no arm sizes, no events: SE = |ln HR| / z, with z at the bound 0.001
    m = impute_one(row(median_mdt=30, median_control=10, p_value="< .001", favours="MDT"))
    assert m.method == MEDIANS
    assert m.yi == pytest.approx(math.log(10 / 30))
    assert m.sei == pytest.approx(math.log(3) / Z9995, abs=1e-12)


def test_one_sided_p():
    m = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.05", p_sides=1, favours="MDT"))
    assert m.yi == pytest.approx(-Z95 / 5, abs=1e-12)   # −0.328971
    assert m.yi == pytest.approx(-0.328971, abs=1e-6)


def test_lower_bound_p_is_not_used():
    m = impute_one(row(n_mdt=50, n_control=50, events=100, p_value=">.05", favours="MDT"))
    assert m.method == NOT_IMPUTABLE and math.isnan(m.yi)


# --------------------------------------------------------------------------- events
def test_events_from_medians_round_down():
    assert events_from_medians(100, 12, 12) == 50                      # 100 · (1 − 2⁻¹)
    assert events_from_medians(100, 24, 12) == 29                      # 29.29
    assert events_from_medians(50, 10, 15) == 32                       # 50 · (1 − 2^−1.5) = 32.32
    assert events_from_medians(25, 41.2, 38.8) == 11                   # 11.985: down, not to the nearest
    assert math.isnan(events_from_medians(100, NAN, 12))               # median not reached
    assert math.isnan(events_from_medians(100, 12, NAN))               # no follow-up


def test_events_estimated_from_medians_and_follow_up_feed_tierney():
    m = impute_one(row(n_mdt=100, n_control=100, median_mdt=24, median_control=12, followup_months=12,
                       p_value="0.01", favours="MDT"))
    d1 = math.floor(100 * (1 - math.exp(-LN2 * 12 / 24)))
    d0 = math.floor(100 * (1 - math.exp(-LN2 * 12 / 12)))
    assert (d1, d0) == (29, 50)
    V = (d1 + d0) * 1 / 4
    assert m.method == TIERNEY and m.events_estimated and m.events_used == (29, 50)
    assert m.yi == pytest.approx(-Z995 / math.sqrt(V), abs=1e-12)            # −0.579607
    assert m.yi == pytest.approx(-0.579607, abs=1e-6)
    assert m.sei == pytest.approx(math.sqrt(1 / 29 + 1 / 50), abs=1e-12)     # 0.233415 > 1/√V = 0.225018
    assert m.sei == pytest.approx(0.233415, abs=1e-6)


def test_total_events_split_by_exponential_hazards_for_the_floor():
    # 90 events, 50 : 50, medians 10 (MDT) vs 20 (control): hazard × n ∝ 1/10 : 1/20 → 60 : 30
    m = impute_one(row(n_mdt=50, n_control=50, events=90, median_mdt=10, median_control=20, p_value="0.05",
                       favours="control"))
    assert m.events_used == pytest.approx((60, 30))
    assert m.sei == pytest.approx(math.sqrt(1 / 60 + 1 / 30))               # 0.223607 > 1/√22.5 = 0.210819
    assert m.yi == pytest.approx(Z975 / math.sqrt(22.5))


def test_arm_sizes_never_used_as_events():
    # p and arm sizes, nothing else: no events, so no SE (not d = n)
    m = impute_one(row(n_mdt=50, n_control=50, p_value="0.01", favours="MDT"))
    assert m.method == NOT_IMPUTABLE and math.isnan(m.sei) and m.events_used is None
    # p, medians and arm sizes but no follow-up: the medians route with the SE from p alone, not Tierney with d = n
    m = impute_one(row(n_mdt=50, n_control=50, median_mdt=20, median_control=10, p_value="0.01", favours="MDT"))
    assert m.method == MEDIANS and m.events_used is None
    assert m.sei == pytest.approx(math.log(2) / Z995)
    # a median so short that the exponential model gives (almost) everyone an event: at most n − 1
    assert events_from_medians(10, 0.001, 100) == 9


# --------------------------------------------------------------------------- ratio of medians
def test_ratio_of_medians_is_labelled_weaker():
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.3"))
    assert m.method == MEDIANS and "weaker" in m.method
    assert m.yi == pytest.approx(math.log(3))
    assert m.favours == "control"


def test_medians_se_from_p_when_it_exceeds_the_events_floor():
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.3"))
    z = stats.norm.ppf(1 - 0.3 / 2)
    assert z == pytest.approx(1.036433, abs=1e-6)
    assert m.sei == pytest.approx(math.log(3) / z, abs=1e-12)               # 1.059994
    assert m.sei == pytest.approx(1.059994, abs=1e-6)


def test_medians_p_above_half_uses_events_se_alone():
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.7"))
    assert m.sei == pytest.approx(math.sqrt(2 / 25))                        # 0.282843, not ln 3 / z(0.65)
    assert m.sei != pytest.approx(math.log(3) / stats.norm.ppf(1 - 0.35))


def test_medians_small_log_hr_uses_events_se_alone():
    m = impute_one(row(median_mdt=10, median_control=10.3, events_mdt=25, events_control=25, p_value="0.01"))
    assert abs(m.yi) < 0.05
    assert m.sei == pytest.approx(math.sqrt(2 / 25))


def test_medians_without_p_or_events_is_not_imputable():
    m = impute_one(row(median_mdt=10, median_control=30))
    assert m.method == NOT_IMPUTABLE and not m.imputable


def test_unknown_direction_keeps_an_se_for_the_tipping_point():
    m = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.2"))
    assert m.method == NOT_IMPUTABLE and math.isnan(m.yi) and m.sei == pytest.approx(0.2)


def test_impute_missing_realistic_rows():
    rows = pd.DataFrame([
        row(trial_id="sindas", n_mdt=68, n_control=65, median_mdt=25.5, median_control=17.4, p_value="<.001",
            p_sides=2, followup_months=23.6, favours="MDT"),
        row(trial_id="gomez", n_mdt=25, n_control=24, median_mdt=41.2, median_control=17.0, p_value=".017",
            p_sides=2, followup_months=38.8, favours="MDT"),
    ])
    s, g = impute_missing(rows)
    # SINDAS: 68 · (1 − 2^(−23.6/25.5)) = 32.19 → 32, 65 · (1 − 2^(−23.6/17.4)) = 39.64 → 39
    assert s.events_used == (32, 39) and s.method == TIERNEY
    r = 68 / 65
    V = 71 * r / (1 + r) ** 2
    assert s.yi == pytest.approx(-Z9995 / math.sqrt(V))                     # HR 0.458
    assert s.sei == pytest.approx(math.sqrt(1 / 32 + 1 / 39))                # 0.2385 (floor) > 1/√V = 0.2374
    # Gomez: 25 · (1 − 2^(−38.8/41.2)) = 11.99 → 11, 24 · (1 − 2^(−38.8/17)) = 19.06 → 19
    assert g.events_used == (11, 19)
    r = 25 / 24
    V = 30 * r / (1 + r) ** 2
    assert g.yi == pytest.approx(-stats.norm.isf(0.017 / 2) / math.sqrt(V))  # HR 0.418
    assert g.sei == pytest.approx(math.sqrt(1 / 11 + 1 / 19))                # 0.3789


# --------------------------------------------------------------------------- imputation analysis
YI = np.log([0.5, 0.6, 0.7, 0.55])
VI = np.array([0.04, 0.05, 0.06, 0.03])
IDS = ["a", "b", "c", "d"]


def known(tid, hr, se):
    return Imputed(tid, math.log(hr), se, TIERNEY, None, False, "")


def unknown(tid, se):
    return Imputed(tid, NAN, se, NOT_IMPUTABLE, None, False, "direction unknown")


def test_imputation_analysis_weights_sum_to_100_and_match_a_direct_refit():
    imp = [known("x", 0.8, 0.3), known("y", 0.9, 0.5), Imputed("z", NAN, NAN, NOT_IMPUTABLE, None, False, "none")]
    res = imputation_analysis(YI, VI, IDS, imp, method=SETTINGS.method, test=SETTINGS.test, level=SETTINGS.level)
    t = res.table
    assert t["weight_with_imputed"].sum() == pytest.approx(100)
    assert t["weight_pooled"].dropna().sum() == pytest.approx(100)
    assert list(t["trial_id"]) == IDS + ["x", "y"] and res.excluded == (("z", "none"),)
    direct = rma(np.r_[YI, math.log(0.8), math.log(0.9)], np.r_[VI, 0.09, 0.25], method="REML", test="adhoc")
    assert res.with_imputed.beta == pytest.approx(direct.beta)
    tau2 = direct.tau2
    w = 1 / (np.r_[VI, 0.09, 0.25] + tau2)
    assert t["weight_with_imputed"].to_numpy() == pytest.approx(100 * w / w.sum())
    assert res.imputed_weight == pytest.approx(100 * w[4:].sum() / w.sum())
    assert res.max_imputed_weight[0] == "x" and res.dominant() == []


def test_an_imputed_comparison_carrying_most_weight_is_flagged():
    res = imputation_analysis(YI, VI, IDS, [known("big", 0.6, 0.02)])
    tid, weight = res.max_imputed_weight
    assert tid == "big" and weight > 50 and res.dominant() == ["big"]


# --------------------------------------------------------------------------- tipping point
def test_tipping_point_found_and_verified_by_direct_refit():
    imp = [known("x", 0.8, 0.3), unknown("u1", 0.25), unknown("u2", 0.3)]
    tp = tipping_point(YI, VI, IDS, imp)
    assert tp.applicable and tp.crossing and tp.favoured == "MDT" and tp.at_h == ("u1", "u2") and tp.kept == ("x",)
    y = np.r_[YI, math.log(0.8)]
    v = np.r_[VI, 0.09, 0.0625, 0.09]

    def ub(h):
        return math.exp(rma(np.r_[y, math.log(h), math.log(h)], v, method="REML", test="adhoc").ci_ub)

    assert ub(tp.h) == pytest.approx(1, abs=1e-6)
    assert ub(tp.h * math.exp(-1e-4)) < 1                     # just below h the CI excludes 1
    assert ub(0.2) < 1                                        # and at the favourable end of the grid
    assert 0.2 < tp.h < 5


def test_tipping_point_mirrored_when_control_is_favoured():
    imp = [unknown("u", 0.25)]
    tp = tipping_point(-YI, VI, IDS, imp)
    assert tp.favoured == "control" and tp.crossing

    def lb(h):
        return math.exp(rma(np.r_[-YI, math.log(h)], np.r_[VI, 0.0625], method="REML", test="adhoc").ci_lb)

    assert lb(tp.h) == pytest.approx(1, abs=1e-6)
    assert lb(tp.h * math.exp(1e-4)) > 1


def test_tipping_point_without_crossing_on_the_grid():
    tp = tipping_point(YI, VI / 10, IDS, [unknown("u", 2.0)], grid=np.exp(np.linspace(math.log(0.2), math.log(5), 41)))
    assert tp.applicable and not tp.crossing and tp.h is None and "no crossing" in tp.status


def test_not_applicable_when_every_direction_is_known():
    tp = tipping_point(YI, VI, IDS, [known("x", 0.8, 0.3)])
    assert not tp.applicable and tp.status == "not applicable: every missing result's direction is known"


def test_not_applicable_when_the_pooled_ci_includes_1():
    yi = np.log([0.5, 1.4, 0.9])
    vi = np.array([0.1, 0.1, 0.1])
    assert rma(yi, vi, method="REML", test="adhoc").ci_ub > 0
    tp = tipping_point(yi, vi, ["a", "b", "c"], [unknown("u", 0.2)])
    assert not tp.applicable and "pooled comparisons already includes 1" in tp.status


def test_not_applicable_when_the_ci_with_imputed_values_includes_1():
    imp = [known("x", 3.0, 0.1), unknown("u", 0.2)]
    assert rma(np.r_[YI, math.log(3)], np.r_[VI, 0.01], method="REML", test="adhoc").ci_ub > 0
    tp = tipping_point(YI, VI, IDS, imp)
    assert not tp.applicable and "imputed values already includes 1" in tp.status


def test_unknown_direction_without_se_cannot_enter():
    imp = [Imputed("z", NAN, NAN, NOT_IMPUTABLE, None, False, "nothing printed")]
    tp = tipping_point(YI, VI, IDS, imp)
    assert not tp.applicable and "no missing result of unknown direction has a standard error" in tp.status
    assert tp.cannot_enter == (("z", "nothing printed"),)
