"""Imputation of missing results (helpers.review.imputation): the notes that say how each value
was derived, the parsers, the result tables and the tipping-point statuses, worked by hand.

z(0.975) = 1.959964; z(0.85) = 1.036433; z(0.9995) = 3.290527.
* 60 : 40 allocation, 100 events: r = 1.5, V = 100 · 1.5 / 2.5² = 24, 1/√V = 0.204124.
* 50 : 50, 20 + 80 events: V = 25, 1/√V = 0.2, floor √(1/20 + 1/80) = 0.25.
* medians 10 (MDT) vs 30 (control): ln HR = ln 3 = 1.098612; p = 0.3 → |ln HR|/z = 1.059994;
  25 + 25 events → √(2/25) = 0.282843; p < .001 without events → 1.098612 / 3.290527 = 0.333871.
* 90 events, 50 : 50, medians 10 vs 20: n·ln2/m ∝ 1/10 : 1/20 → split 60 : 30."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.meta.rma import NotEstimable, rma
from helpers.review.imputation import (MEDIANS, NOT_IMPUTABLE, TIERNEY, Imputed, _favours, _num, _parse_p, _z,
                                       imputation_analysis, impute_one, tipping_point)
from test_values_imputation import row   # the same outcome-row builder

NAN = math.nan
BOUND = " (a bound: taken at the bound, the smallest z the print allows)"
NO_EVENTS = "no events printed and none estimable from medians and follow-up"


# --------------------------------------------------------------------------- parsers
@pytest.mark.parametrize("x,want", [(None, NAN), (pd.NA, NAN), ("", NAN), ("abc", NAN), ([1], NAN), ("0.25", 0.25),
                                    (3, 3.0), (np.float64(2.5), 2.5)])
def test_num(x, want):
    got = _num(x)
    assert (math.isnan(got) and math.isnan(want)) or got == want


@pytest.mark.parametrize("x,want", [("MDT", "MDT"), (" mdt ", "MDT"), ("Control", "control"), ("CONTROL ", "control"),
                                    ("neither", ""), ("", ""), (None, ""), (NAN, "")])
def test_favours(x, want):
    assert _favours(x) == want


@pytest.mark.parametrize("text,p,kind", [
    ("0.07", 0.07, "exact"), ("= .017", 0.017, "exact"), ("p=0.03", 0.03, "exact"), ("P = 0.2", 0.2, "exact"),
    ("<.001", 0.001, "bound"), ("≤0.01", 0.01, "bound"), ("p < 0.05", 0.05, "bound"), ("<=0.01", 0.01, "bound"),
    ("1", 1.0, "exact"), (0.04, 0.04, "exact"),
    (None, NAN, "unusable"), (pd.NA, NAN, "unusable"), (NAN, NAN, "unusable"), ("", NAN, "unusable"),
    (">.05", NAN, "unusable"), ("≥0.1", NAN, "unusable"), ("NS", NAN, "unusable"), ("0", NAN, "unusable"),
    ("1.5", NAN, "unusable"), ("<0", NAN, "unusable"),
])
def test_parse_p(text, p, kind):
    got, k = _parse_p(text)
    assert k == kind
    assert (math.isnan(got) and math.isnan(p)) or got == pytest.approx(p, abs=1e-15)


def test_z_one_and_two_sided():
    assert _z(0.05, 2) == pytest.approx(1.959963984540054, abs=1e-12)
    assert _z(0.05, 1) == pytest.approx(1.6448536269514722, abs=1e-12)
    assert isinstance(_z(0.05, 2), float)


def test_imputed_properties():
    m = Imputed("t", math.log(0.5), 0.3, TIERNEY, None, False, "")
    assert m.vi == pytest.approx(0.09) and m.hr == pytest.approx(0.5) and m.imputable
    assert m.events_total != m.events_total and m.favours == ""          # defaults: NaN, ""
    u = Imputed("u", NAN, 0.3, NOT_IMPUTABLE, None, False, "")
    assert math.isnan(u.hr) and not u.imputable
    assert not Imputed("v", 0.1, NAN, MEDIANS, None, False, "").imputable
    assert not Imputed("w", math.inf, 0.1, MEDIANS, None, False, "").imputable


# --------------------------------------------------------------------------- notes, Tierney route
def test_tierney_note_with_a_printed_total():
    m = impute_one(row(trial_id=7, n_mdt=60, n_control=40, events=100, p_value="0.05", favours="MDT"))
    assert m.trial_id == "7" and m.favours == "MDT" and m.events_total == 100
    assert m.note == "2-sided p = 0.05; 100 events printed in total (not per arm); V = 24.000, 1/√V = 0.2041"


def test_tierney_note_floor_bound_and_direction_from_the_medians():
    m = impute_one(row(n_mdt=50, n_control=50, events_mdt=20, events_control=80, median_mdt=20, median_control=10,
                       p_value="<.001", p_sides=1))
    assert m.method == TIERNEY and m.favours == "MDT" and m.events_total == 100 and not m.events_estimated
    assert m.yi == pytest.approx(-3.090232306167813 / 5, abs=1e-12)       # one-sided z(0.999) / √25
    assert m.sei == pytest.approx(0.25)
    assert m.note == ("1-sided p < 0.001" + BOUND + "; 20 + 80 events printed; V = 25.000, 1/√V = 0.2000; "
                      "SE floored at √(1/d₁ + 1/d₂) = 0.2500; direction from the medians (20 vs 10)")
    ctl = impute_one(row(n_mdt=50, n_control=50, events=100, median_mdt=10, median_control=20, p_value="0.05"))
    assert ctl.favours == "control" and ctl.yi > 0 and "direction from the medians (10 vs 20)" in ctl.note


def test_tierney_printed_total_wins_over_the_sum_of_arms():
    m = impute_one(row(n_mdt=50, n_control=50, events=120, events_mdt=20, events_control=80, p_value="0.05",
                       favours="MDT"))
    assert m.events_total == 120 and m.events_used == (20, 80)
    assert m.sei == pytest.approx(0.25)                                    # floor 0.25 > 1/√30 = 0.182574
    assert m.yi == pytest.approx(-1.959963984540054 / math.sqrt(30), abs=1e-12)


def test_tierney_floor_not_noted_when_it_does_not_bind():
    m = impute_one(row(n_mdt=60, n_control=40, events_mdt=50, events_control=50, p_value="0.05",
                       favours="control", median_mdt=20, median_control=10))
    assert m.favours == "control"                                         # the source wins over the medians
    assert m.note == "2-sided p = 0.05; 50 + 50 events printed; V = 24.000, 1/√V = 0.2041"


def test_tierney_unknown_direction_note():
    m = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.2", p_sides=3))   # 3 sides: read as 2
    assert m.method == NOT_IMPUTABLE and m.favours == "" and m.events_total == 100
    assert m.note == ("2-sided p = 0.2; 100 events printed in total (not per arm); V = 25.000, 1/√V = 0.2000; "
                      "direction unknown: SE only (enters the tipping point at h)")
    same = impute_one(row(n_mdt=50, n_control=50, events=100, p_value="0.2", median_mdt=12, median_control=12))
    assert same.method == NOT_IMPUTABLE and math.isnan(same.yi)           # equal medians favour no arm


def test_split_and_estimated_event_notes():
    m = impute_one(row(n_mdt=50, n_control=50, events=90, median_mdt=10, median_control=20, p_value="0.05",
                       favours="control"))
    assert m.events_estimated and m.events_total == 90
    assert m.note.split("; ")[1] == "90 events printed in total, split 60.0 : 30.0 in proportion to n × exponential hazard"
    e = impute_one(row(n_mdt=100, n_control=100, median_mdt=24, median_control=12, followup_months=12,
                       p_value="0.01", favours="MDT"))
    assert e.events_total == 79
    assert e.note.split("; ")[1] == ("events not printed: 29 + 50 estimated from medians 24 vs 12 and median "
                                     "follow-up 12 (exponential, rounded down)")


def test_a_total_is_not_split_with_an_empty_arm():
    # an arm of 0 patients has no hazard share: the total stays unsplit (no per-arm events, no floor)
    m = impute_one(row(n_mdt=50, n_control=0, events=40, median_mdt=10, median_control=20, p_value="0.01"))
    assert m.method == MEDIANS and m.events_used is None and m.events_total == 40 and not m.events_estimated
    assert m.sei == pytest.approx(math.log(2) / 2.5758293035489004, abs=1e-12)
    assert "40 events printed in total (not per arm)" in m.note


def test_a_total_is_split_for_an_arm_of_one_but_not_with_a_zero_median():
    # n 50 : 1, medians 10 : 20 → n·ln2/m ∝ 5 : 0.05 → 10 events split 9.90099 : 0.09901
    m = impute_one(row(n_mdt=50, n_control=1, events=10, median_mdt=10, median_control=20, p_value="0.05",
                       favours="MDT"))
    assert m.events_used == pytest.approx((10 * 5 / 5.05, 10 * 0.05 / 5.05)) and m.events_estimated
    z = impute_one(row(n_mdt=50, n_control=50, events=40, median_mdt=10, median_control=0, p_value="0.05",
                       favours="MDT"))
    assert z.method == TIERNEY and z.events_used is None and z.sei == pytest.approx(1 / math.sqrt(10))   # V = 40/4


def test_one_arm_of_events_is_not_a_pair():
    # events in one arm only, no total: no events at all (the medians route, SE from p alone)
    m = impute_one(row(events_mdt=20, median_mdt=10, median_control=30, p_value="0.3"))
    assert m.events_used is None and math.isnan(m.events_total)
    assert m.sei == pytest.approx(math.log(3) / 1.0364333894937898, abs=1e-12)
    # a zero count is not an event count either
    z = impute_one(row(events_mdt=0, events_control=20, median_mdt=10, median_control=30, p_value="0.3"))
    assert z.events_used is None


# --------------------------------------------------------------------------- notes, medians route
def test_medians_note_se_from_p_over_the_floor():
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.3"))
    assert m.events_used == (25, 25) and m.events_total == 50 and m.favours == "control"
    assert m.note == ("HR = 30/10 (control/MDT medians), exponential survival assumed; 2-sided p = 0.3; "
                      "25 + 25 events printed; SE = max(|ln HR|/z = 1.0600, √(1/d₁ + 1/d₂) = 0.2828), "
                      "where z is the normal quantile of the p-value")


def test_medians_note_floor_over_the_se_from_p():
    # p = 0.001 → |ln HR|/z = 1.098612 / 3.290527 = 0.333871 < √(1/5 + 1/5) = 0.632456
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=5, events_control=5, p_value="0.001"))
    assert m.sei == pytest.approx(math.sqrt(0.4))
    assert m.note.endswith("SE = max(|ln HR|/z = 0.3339, √(1/d₁ + 1/d₂) = 0.6325), "
                           "where z is the normal quantile of the p-value")


def test_medians_note_p_not_used():
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.7"))
    assert m.note == ("HR = 30/10 (control/MDT medians), exponential survival assumed; 2-sided p = 0.7 not used "
                      "for the SE (p > 0.5 or |ln HR| < 0.05); 25 + 25 events printed; SE from the events alone, "
                      "√(1/d₁ + 1/d₂) = 0.2828")
    at_half = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.5"))
    assert at_half.sei == pytest.approx(math.log(3) / 0.6744897501960817)  # p = 0.5 is still used
    edge = impute_one(row(median_mdt=10, median_control=10 * math.exp(0.05), events_mdt=25, events_control=25,
                          p_value="0.01"))
    assert edge.sei == pytest.approx(max(0.05 / 2.5758293035489004, math.sqrt(0.08)))   # |ln HR| = 0.05 is used
    assert "not used" not in edge.note


def test_medians_note_without_events_and_without_anything():
    m = impute_one(row(median_mdt=30, median_control=10, p_value="<.001", favours="MDT"))
    assert m.favours == "MDT" and m.events_used is None
    assert m.sei == pytest.approx(0.333871, abs=1e-6)
    assert m.note == ("HR = 10/30 (control/MDT medians), exponential survival assumed; 2-sided p < 0.001" + BOUND
                      + "; " + NO_EVENTS + "; SE = |ln HR|/z = 0.3339, where z is the normal quantile of the p-value, "
                      "with no events to floor it")
    none = impute_one(row(median_mdt=30, median_control=10, favours="control"))
    assert none.method == NOT_IMPUTABLE and math.isnan(none.sei) and none.favours == "MDT"
    assert none.events_used is None and not none.events_estimated
    assert none.note == ("HR = 10/30 (control/MDT medians), exponential survival assumed; " + NO_EVENTS
                         + "; no usable p-value and no events: no SE")


def test_medians_note_names_a_contradicting_source():
    m = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.3",
                       favours="MDT"))
    assert m.favours == "control" and m.yi > 0
    assert m.note.endswith("; the source says it favours MDT, the medians favour control")
    agree = impute_one(row(median_mdt=10, median_control=30, events_mdt=25, events_control=25, p_value="0.3",
                           favours="control"))
    assert "the source says" not in agree.note


# --------------------------------------------------------------------------- not imputable
def test_not_imputable_reasons():
    a = impute_one(row(favours="MDT"))
    assert (a.method, a.note, a.favours, a.events_used) == (NOT_IMPUTABLE, "no usable p-value; no pair of medians",
                                                            "MDT", None)
    b = impute_one(row(p_value="0.01", n_mdt=50, n_control=50))
    assert b.note == "a p-value but no events (printed or estimable); no pair of medians"
    c = impute_one(row(p_value="0.01", n_mdt=50, events_mdt=10, events_control=20, favours="control"))
    assert c.note == "a p-value and events but not both arm sizes; no pair of medians"
    assert c.events_used == (10, 20) and c.events_total == 30 and c.favours == "control"
    assert math.isnan(c.yi) and math.isnan(c.sei)
    d = impute_one(row(n_mdt=50, n_control=50, events=40, median_mdt=10))      # one median only
    assert d.note == "no usable p-value; no pair of medians" and d.events_total == 40


# --------------------------------------------------------------------------- imputation analysis
YI = np.log([0.5, 0.6, 0.7])
VI = np.array([0.04, 0.05, 0.06])


def test_imputation_analysis_table():
    m = Imputed("x", math.log(0.8), 0.3, MEDIANS, None, False, "how x was done")
    res = imputation_analysis(YI, VI, [1, 2, 3], [m])
    t = res.table
    assert list(t.columns) == ["trial_id", "yi", "sei", "hr", "imputed", "method", "weight_pooled",
                               "weight_with_imputed", "note"]
    assert t["trial_id"].tolist() == ["1", "2", "3", "x"]
    assert t["sei"].tolist() == pytest.approx([0.2, math.sqrt(0.05), math.sqrt(0.06), 0.3])
    assert t["hr"].tolist() == pytest.approx([0.5, 0.6, 0.7, 0.8])
    assert t["imputed"].tolist() == [False, False, False, True]
    assert t["method"].tolist() == ["pooled", "pooled", "pooled", MEDIANS]
    assert t["note"].tolist() == ["", "", "", "how x was done"]
    pooled = rma(YI, VI, method="REML", test="adhoc")
    assert t["weight_pooled"][:3].tolist() == pytest.approx(list(pooled.weights))
    assert math.isnan(t["weight_pooled"][3])
    assert res.pooled.beta == pytest.approx(pooled.beta) and res.excluded == ()
    assert res.imputed_weight == pytest.approx(t["weight_with_imputed"][3])
    assert res.max_imputed_weight == ("x", pytest.approx(t["weight_with_imputed"][3]))
    w = t["weight_with_imputed"][3]
    assert res.dominant() == [] and res.dominant(threshold=w - 1e-9) == ["x"] and res.dominant(threshold=w) == []


def test_imputation_analysis_model_arguments_and_no_imputed_values():
    res = imputation_analysis(YI, VI, ["a", "b", "c"], [Imputed("n", NAN, 0.2, NOT_IMPUTABLE, None, False, "why")],
                              method="DL", test="z", level=90)
    dl = rma(YI, VI, method="DL", test="z", level=90)
    assert res.pooled.tau2 == pytest.approx(dl.tau2) and res.pooled.ci_lb == pytest.approx(dl.ci_lb)
    assert res.with_imputed.ci_ub == pytest.approx(dl.ci_ub)
    assert res.excluded == (("n", "why"),)
    assert res.imputed_weight == 0.0 and res.max_imputed_weight == (None, 0.0)
    with pytest.raises(ValueError, match="same length"):
        imputation_analysis(YI, VI, ["a", "b"], [])
    with pytest.raises(ValueError):
        imputation_analysis(YI, VI[:2], ["a", "b", "c"], [])


def test_imputation_analysis_without_pooled_comparisons():
    res = imputation_analysis([], [], [], [Imputed("x", -0.2, 0.3, TIERNEY, None, False, ""),
                                           Imputed("y", -0.4, 0.2, TIERNEY, None, False, "")])
    assert res.pooled is None and res.with_imputed.k == 2
    assert res.imputed_weight == pytest.approx(100)


# --------------------------------------------------------------------------- tipping point
Y3, V3 = np.log([0.5, 0.52, 0.48]), np.array([0.01, 0.01, 0.01])
GRID = np.exp(np.linspace(math.log(0.2), math.log(5.0), 21))      # coarse, for speed: HR 0.2 to 5 in 20 steps


def unknown(tid, se):
    return Imputed(tid, NAN, se, NOT_IMPUTABLE, None, False, f"{tid} unknown")


def test_tipping_point_status_and_crossings():
    tp = tipping_point(Y3, V3, ["a", "b", "c"], [unknown("u", 0.05), unknown("w", 0.1),
                                                 Imputed("z", NAN, NAN, NOT_IMPUTABLE, None, False, "z: nothing")],
                       grid=GRID)
    assert tp.cannot_enter == (("z", "z: nothing"),) and tp.kept == () and tp.at_h == ("u", "w")
    assert tp.grid == (pytest.approx(0.2), pytest.approx(5.0), 21)
    assert len(tp.crossings) == 1
    lo, hi = tp.crossings[0]
    assert lo <= tp.h <= hi and hi / lo == pytest.approx(25 ** (1 / 20))   # one grid step
    assert math.exp(tp.fit.ci_ub) == pytest.approx(1, abs=1e-8)
    assert tp.status == (f"the pooled CI's upper bound reaches 1 ({math.exp(tp.fit.ci_ub):.4f}) when the two "
                         f"comparisons of unknown direction have a common HR of {tp.h:.3g}")
    assert tp.status.startswith("the pooled CI's upper bound reaches 1 (1.0000) when the two")
    one = tipping_point(-Y3, V3, ["a", "b", "c"], [unknown("u", 0.05)], grid=GRID, tol=1e-12)
    assert one.favoured == "control"
    assert math.exp(one.fit.ci_lb) == pytest.approx(1, abs=1e-10)
    assert one.status == (f"the pooled CI's lower bound reaches 1 (1.0000) when the one comparison of unknown "
                          f"direction has a common HR of {one.h:.3g}")


def test_tipping_point_grid_end_already_includes_1():
    tp = tipping_point(Y3, V3, ["a", "b", "c"], [unknown("u", 0.05)], grid=[5, 2, 3])   # sorted: 2, 3, 5
    assert tp.grid == (2.0, 5.0, 3) and tp.applicable and not tp.crossing and tp.h is None and tp.fit is None
    assert tp.status == ("no tipping point on the grid: the CI includes 1 at every h from the MDT-favouring end "
                         "(HR 2) onwards")
    for h in (2, 3, 5):                                                   # checked by direct refits
        assert rma(np.r_[Y3, math.log(h)], np.r_[V3, 0.0025], method="REML", test="adhoc").ci_ub > 0
    ctl = tipping_point(-Y3, V3, ["a", "b", "c"], [unknown("u", 0.05)], grid=[0.2, 0.5])
    assert ctl.status == ("no tipping point on the grid: the CI includes 1 at every h from the control-favouring end "
                          "(HR 0.5) onwards")


def test_tipping_point_includes_1_at_the_favoured_end_only():
    # HR 0.01 for a precise comparison makes the pool so heterogeneous that the CI includes 1 there (not monotone)
    tp = tipping_point(Y3, V3, ["a", "b", "c"], [unknown("u", 0.05)], grid=[0.01, 0.5])
    assert tp.status == ("no tipping point on the grid: the CI includes 1 at the MDT-favouring end (HR 0.01) and "
                         "excludes it later")
    assert tp.h is None and not tp.crossing and tp.crossings == ((pytest.approx(0.01), pytest.approx(0.5)),)
    ub = [rma(np.r_[Y3, math.log(h)], np.r_[V3, 0.0025], method="REML", test="adhoc").ci_ub for h in (0.01, 0.5)]
    assert ub[0] > 0 > ub[1]


def test_tipping_point_no_crossing_status():
    tp = tipping_point(Y3, V3, ["a", "b", "c"], [unknown("u", 0.05), unknown("w", 0.3)], grid=[0.2, 0.3])
    assert tp.status == ("no crossing: the CI excludes 1 for every common HR h from 0.2 to 0.3 given to two "
                         "comparisons of unknown direction")
    assert tp.crossings == () and tp.favoured == "MDT" and tp.at_h == ("u", "w")


def test_tipping_point_not_applicable_statuses():
    known = Imputed("k", math.log(0.5), 0.1, TIERNEY, None, False, "")
    tp = tipping_point(Y3, V3, ["a", "b", "c"], [known])
    assert tp.status == "not applicable: every missing result's direction is known" and tp.kept == ("k",)
    cannot = [Imputed("z", NAN, NAN, NOT_IMPUTABLE, None, False, "n1"), Imputed("q", NAN, NAN, NOT_IMPUTABLE,
                                                                                None, False, "n2")]
    tp = tipping_point(Y3, V3, ["a", "b", "c"], cannot)
    assert tp.status == ("not applicable: no missing result of unknown direction has a standard error, so none can "
                         "enter at h (z, q)")
    zero = tipping_point(Y3, V3, ["a", "b", "c"], [Imputed("s", NAN, 0.0, NOT_IMPUTABLE, None, False, "")])
    assert zero.status == "not applicable: every missing result's direction is known"   # SE 0 cannot enter
    wide = tipping_point(np.log([0.5, 1.4, 0.9]), [0.1] * 3, ["a", "b", "c"], [unknown("u", 0.2)])
    assert wide.status == "not applicable: the CI of the pooled comparisons already includes 1"
    assert not wide.applicable and wide.h is None
    with_imp = tipping_point(Y3, V3, ["a", "b", "c"],
                             [Imputed("x", math.log(3), 0.1, TIERNEY, None, False, ""), unknown("u", 0.2)])
    assert with_imp.status == "not applicable: the CI of the analysis with imputed values already includes 1"


def test_tipping_point_passes_the_test_to_every_fit():
    # the h found under REML with z-tests puts the z-test CI bound on 1 (checked by a direct refit)
    z = tipping_point(Y3, V3, ["a", "b", "c"], [unknown("u", 0.05)], grid=GRID, test="z")
    y = np.r_[Y3, math.log(z.h)]
    assert math.exp(rma(y, np.r_[V3, 0.0025], method="REML", test="z").ci_ub) == pytest.approx(1, abs=1e-6)
    assert math.exp(rma(y, np.r_[V3, 0.0025], method="REML", test="adhoc").ci_ub) > 1 + 1e-3


def test_tipping_point_passes_the_level_and_checks_its_arguments():
    lvl = tipping_point(Y3, V3, ["a", "b", "c"], [unknown("u", 0.05)], grid=GRID, level=80)
    assert math.exp(rma(np.r_[Y3, math.log(lvl.h)], np.r_[V3, 0.0025], method="REML", test="adhoc",
                        level=80).ci_ub) == pytest.approx(1, abs=1e-6)
    with pytest.raises(ValueError, match="same length"):
        tipping_point(Y3, V3, ["a"], [])
    with pytest.raises(ValueError, match="two positive"):
        tipping_point(Y3, V3, ["a", "b", "c"], [], grid=[1.0])
    with pytest.raises(ValueError, match="two positive"):
        tipping_point(Y3, V3, ["a", "b", "c"], [], grid=[0.0, 1.0])
    with pytest.raises(NotEstimable):
        tipping_point([], [], [], [unknown("u", 0.2)])
