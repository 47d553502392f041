"""Hazard-ratio assembly (helpers.review.hazard_ratios._row_effect), worked by hand for each
derivation and each direction, one- and two-sided p.

The numbers are chosen so the arithmetic is short: z(0.975) = 1.959964, z(0.95) = 1.644854.

* reported HR 0.5 (95% CI 0.25–1.00): ln 0.5 = −0.693147, SE = ln(1.00/0.25) / (2 · 1.959964)
  = 1.386294 / 3.919928 = 0.353653; printed as control vs MDT it is HR 2.0 (1.0–4.0).
* HR 0.5 with two-sided p = 0.05: SE = |ln 0.5| / 1.959964 = 0.353653 (the same: a p of
  0.05 puts the CI bound on 1); one-sided p = 0.05: SE = 0.693147 / 1.644854 = 0.421404.
* p and events (Tierney 2007): 100 events, 50 : 50 → V = 100 · 50 · 50 / 100² = 25,
  SE = 1/5 = 0.2, ln HR = ∓1.959964 / 5 = ∓0.391993; 60 : 40 → V = 24, SE = 0.204124.
* ratio of medians 12 vs 6 months: ln(6/12) = −0.693147, events 25 + 25 → SE = √(1/25 + 1/25)
  = 0.282843; events 20 + 80 → SE = √(0.05 + 0.0125) = 0.25.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.review.hazard_ratios import _row_effect, parse_p

LN2 = 0.6931471805599453
Z975, Z95 = 1.959963984540054, 1.6448536269514722


def row(**kw) -> pd.Series:
    base = {"derivation": "not_available", "hr": pd.NA, "ci_lower": pd.NA, "ci_upper": pd.NA, "ci_level": pd.NA,
            "p_value": None, "p_sides": pd.NA, "p_favours": None, "events": pd.NA, "events_mdt": pd.NA,
            "events_control": pd.NA, "median_mdt": pd.NA, "median_control": pd.NA, "direction": None}
    base.update(kw)
    return pd.Series(base, dtype=object)


TRIAL = pd.Series({"n_mdt": 50, "n_control": 50}, dtype=object)


def check(got, yi, sei, note=None):
    y, s, hr, lo, hi, n = got
    assert y == pytest.approx(yi, abs=1e-6)
    assert s == pytest.approx(sei, abs=1e-6)
    assert hr == pytest.approx(math.exp(yi), rel=1e-6)
    assert lo == pytest.approx(math.exp(yi - Z975 * sei), rel=1e-6)
    assert hi == pytest.approx(math.exp(yi + Z975 * sei), rel=1e-6)
    if note is not None:
        assert n == note


# --------------------------------------------------------------------------- reported
def test_reported_mdt_vs_control():
    got = _row_effect(row(derivation="reported", hr=0.5, ci_lower=0.25, ci_upper=1.0, ci_level=95,
                          direction="mdt_vs_control"), TRIAL)
    check(got, -LN2, 0.353653019, note="")
    assert got[3] == pytest.approx(0.25) and got[4] == pytest.approx(1.0)


def test_reported_control_vs_mdt_is_inverted():
    got = _row_effect(row(derivation="reported", hr=2.0, ci_lower=1.0, ci_upper=4.0, ci_level=95,
                          direction="control_vs_mdt"), TRIAL)
    check(got, -LN2, 0.353653019, note="")
    assert got[2:5] == pytest.approx((0.5, 0.25, 1.0))


def test_reported_90_percent_ci():
    # HR 1.0 (90% CI 0.5–2.0): SE = ln 4 / (2 · 1.644854) = 0.421404, 95% CI 0.437825–2.284017
    got = _row_effect(row(derivation="reported", hr=1.0, ci_lower=0.5, ci_upper=2.0, ci_level=90,
                          direction="mdt_vs_control"), TRIAL)
    check(got, 0.0, 0.421403564, note="SE from a 90% CI")
    assert got[3:5] == pytest.approx((0.437825080, 2.284017168))


def test_reported_asymmetric_ci_is_noted():
    # HR 0.5 (0.10–1.00): log midpoint ln(0.316) = −1.151, 0.46 from ln 0.5, far beyond rounding
    got = _row_effect(row(derivation="reported", hr=0.5, ci_lower=0.1, ci_upper=1.0, ci_level=95,
                          direction="mdt_vs_control"), TRIAL)
    check(got, -LN2, math.log(10) / (2 * Z975), note="CI asymmetric on the log scale beyond rounding")


def test_reported_asymmetric_and_80_percent_notes_are_joined():
    got = _row_effect(row(derivation="reported", hr=0.5, ci_lower=0.1, ci_upper=1.0, ci_level=80,
                          direction="mdt_vs_control"), TRIAL)
    assert got[5] == "CI asymmetric on the log scale beyond rounding; SE from an 80% CI"


# --------------------------------------------------------------------------- from_hr_and_p
@pytest.mark.parametrize("hr,direction", [(0.5, "mdt_vs_control"), (2.0, "control_vs_mdt")])
def test_from_hr_and_two_sided_p(hr, direction):
    got = _row_effect(row(derivation="from_hr_and_p", hr=hr, p_value="0.05", p_sides=2, direction=direction), TRIAL)
    check(got, -LN2, 0.353653019, note="2-sided p = 0.05")
    assert got[4] == pytest.approx(1.0)


def test_from_hr_and_p_two_sided_when_sides_not_printed():
    got = _row_effect(row(derivation="from_hr_and_p", hr=0.5, p_value="0.05", direction="mdt_vs_control"), TRIAL)
    check(got, -LN2, 0.353653019, note="2-sided p = 0.05")


@pytest.mark.parametrize("hr,direction", [(0.5, "mdt_vs_control"), (2.0, "control_vs_mdt")])
def test_from_hr_and_one_sided_p(hr, direction):
    got = _row_effect(row(derivation="from_hr_and_p", hr=hr, p_value="0.05", p_sides=1, direction=direction), TRIAL)
    check(got, -LN2, 0.421403564, note="1-sided p = 0.05")


def test_from_hr_and_one_sided_p_half_the_two_sided():
    got = _row_effect(row(derivation="from_hr_and_p", hr=0.5, p_value="0.025", p_sides=1,
                          direction="mdt_vs_control"), TRIAL)
    check(got, -LN2, 0.353653019, note="1-sided p = 0.025")


# --------------------------------------------------------------------------- from_p_and_events
@pytest.mark.parametrize("favours,sign", [("mdt", -1), ("control", 1)])
def test_from_two_sided_p_and_events(favours, sign):
    got = _row_effect(row(derivation="from_p_and_events", p_value="0.05", events=100, p_favours=favours), TRIAL)
    check(got, sign * 0.391992797, 0.2, note="2-sided p and 100 events")


@pytest.mark.parametrize("favours,sign", [("mdt", -1), ("control", 1)])
def test_from_one_sided_p_and_events(favours, sign):
    got = _row_effect(row(derivation="from_p_and_events", p_value="0.05", p_sides=1, events=100,
                          p_favours=favours), TRIAL)
    check(got, sign * Z95 / 5, 0.2, note="1-sided p and 100 events")


def test_from_p_and_events_unequal_arms():
    trial = pd.Series({"n_mdt": 60, "n_control": 40}, dtype=object)
    got = _row_effect(row(derivation="from_p_and_events", p_value="0.05", p_sides=2, events=100, p_favours="mdt"),
                      trial)
    check(got, -0.400075973, 0.204124145)


@pytest.mark.parametrize("missing", ["n_mdt", "n_control"])
def test_from_p_and_events_without_arm_sizes_is_not_estimable(missing):
    trial = pd.Series({"n_mdt": 50, "n_control": 50, missing: pd.NA}, dtype=object)
    got = _row_effect(row(derivation="from_p_and_events", p_value="0.05", events=100, p_favours="mdt"), trial)
    assert all(math.isnan(x) for x in got[:5])
    assert got[5] == "p-value and events reported, but not the arm sizes"


# --------------------------------------------------------------------------- ratio_of_medians
@pytest.mark.parametrize("direction", [None, "mdt_vs_control", "control_vs_mdt"])
def test_ratio_of_medians(direction):
    # the medians are labelled by arm, so a printed direction changes nothing
    got = _row_effect(row(derivation="ratio_of_medians", median_mdt=12.0, median_control=6.0, events_mdt=25,
                          events_control=25, direction=direction), TRIAL)
    check(got, -LN2, 0.282842712, note="ratio of medians, exponential survival assumed")


def test_ratio_of_medians_unequal_events():
    got = _row_effect(row(derivation="ratio_of_medians", median_mdt=6.0, median_control=12.0, events_mdt=80,
                          events_control=20), TRIAL)
    check(got, LN2, 0.25)


# --------------------------------------------------------------------------- not_available
def test_not_available():
    got = _row_effect(row(derivation="not_available", hr=0.5), TRIAL)
    assert all(math.isnan(x) for x in got[:5])
    assert got[5] == "HR 0.5 printed without a CI, an exact p-value or events"
    got = _row_effect(row(derivation="not_available", hr=math.nan), TRIAL)
    assert got[5] == "no HR, CI, exact p-value with events, or medians with events reported"


# --------------------------------------------------------------------------- parse_p
@pytest.mark.parametrize("text,want", [
    ("0.006", (0.006, True)), ("<.001", (0.001, False)), ("< 0.001", (0.001, False)), ("≤0.05", (0.05, False)),
    (">0.5", (0.5, False)), ("=0.04", (0.04, True)), (None, (None, False)), (float("nan"), (None, False)),
])
def test_parse_p(text, want):
    assert parse_p(text) == want
