"""Number formatting (helpers.show.text): a table of inputs and the text every page must show.

p-values: three decimals below 0.01, two from 0.01, "p < 0.001" below 0.001.  Rounding is
Python's (and R's sprintf): to the nearest, ties to even where the float is an exact tie
(0.125 → 0.12); 0.005 and 0.045 are not exact in binary and round as their stored value."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.show.text import DASH, fmt_ci, fmt_num, fmt_p, fmt_pct, fmt_ratio

EM = "\u2014"   # a missing number


@pytest.mark.parametrize("p,want", [
    (0.0499, "p = 0.05"),
    (0.05, "p = 0.05"),
    (0.0501, "p = 0.05"),
    (0.01, "p = 0.01"),          # from 0.01: two decimals
    (0.00999, "p = 0.010"),      # below 0.01: three decimals (0.00999 rounds up to 0.010)
    (0.0099, "p = 0.010"),
    (0.005, "p = 0.005"),
    (0.0015, "p = 0.002"),
    (0.001, "p = 0.001"),        # 0.001 itself is printed
    (0.0009999, "p < 0.001"),
    (0.0005, "p < 0.001"),
    (0.0, "p < 0.001"),
    (0.125, "p = 0.12"),         # an exact tie: to even
    (0.135, "p = 0.14"),
    (0.045, "p = 0.04"),         # 0.04499999… in binary
    (0.5, "p = 0.50"),
    (0.995, "p = 0.99"),
    (1.0, "p = 1.00"),
    (np.float64(0.03), "p = 0.03"),
    (float("nan"), "p not available"),
    (np.nan, "p not available"),
    (None, "p not available"),
])
def test_fmt_p(p, want):
    assert fmt_p(p) == want


def test_fmt_p_of_pandas_na():
    assert fmt_p(pd.NA) == "p not available"


@pytest.mark.parametrize("x,digits,want", [
    (0.45, 2, "0.45"),
    (0.125, 2, "0.12"),
    (0.135, 2, "0.14"),
    (1.005, 2, "1.00"),          # 1.00499999… in binary
    (2, 2, "2.00"),
    (2, 0, "2"),
    (0.0, 2, "0.00"),
    (1234.5678, 1, "1234.6"),
    (0.0004, 3, "0.000"),
    (-0.5, 2, "-0.50"),
    (-1.234, 2, "-1.23"),
    (-1.236, 1, "-1.2"),
    (-0.005, 3, "-0.005"),
    (np.float64(0.3333), 2, "0.33"),
    (np.int64(3), 1, "3.0"),
    (None, 2, EM),
    (float("nan"), 2, EM),
    (np.nan, 3, EM),
    (pd.NA, 2, EM),
])
def test_fmt_num(x, digits, want):
    assert fmt_num(x, digits) == want


def test_fmt_num_default_is_two_decimals():
    assert fmt_num(math.pi) == "3.14"


@pytest.mark.parametrize("args,want", [
    ((0.45, 0.32, 0.64), "0.45 (0.32\u20130.64)"),
    ((0.125, 0.0999, 1.005), "0.12 (0.10\u20131.00)"),
    ((1.5, 1.0, 2.25), "1.50 (1.00\u20132.25)"),
    ((float("nan"), float("nan"), float("nan")), f"{EM} ({EM}\u2013{EM})"),
    ((0.5, None, 0.9), f"0.50 ({EM}\u20130.90)"),
    ((-0.5, -0.9, -0.1), "-0.50 (-0.90\u2013-0.10)"),
])
def test_fmt_ratio(args, want):
    assert fmt_ratio(*args) == want


def test_fmt_ratio_and_ci_digits():
    assert fmt_ratio(0.4567, 0.3123, 0.6789, digits=3) == "0.457 (0.312\u20130.679)"
    assert fmt_ratio(0.4567, 0.3123, 0.6789, 1) == "0.5 (0.3\u20130.7)"
    assert fmt_ci(0.3123, 0.6789) == "0.31\u20130.68"
    assert fmt_ci(0.3123, 0.6789, digits=1) == "0.3\u20130.7"
    assert DASH == "\u2013"


@pytest.mark.parametrize("x,digits,want", [
    (42.4, 0, "42%"),
    (42.5, 0, "42%"),            # an exact tie: to even
    (43.5, 0, "44%"),
    (0, 0, "0%"),
    (100, 0, "100%"),
    (99.95, 1, "100.0%"),
    (12.345, 1, "12.3%"),
    (12.35, 2, "12.35%"),
    (-3.2, 0, "-3%"),
    (-3.25, 1, "-3.2%"),
    (np.float64(61.7), 0, "62%"),
])
def test_fmt_pct(x, digits, want):
    assert fmt_pct(x, digits) == want


def test_fmt_pct_default_is_whole_percent():
    assert fmt_pct(37.46) == "37%"


@pytest.mark.parametrize("x", [float("nan"), np.nan])
def test_fmt_pct_of_nan_is_a_dash(x):
    assert fmt_pct(x) == EM


@pytest.mark.parametrize("x", [None, pd.NA])
def test_fmt_pct_of_missing_is_a_dash(x):
    assert fmt_pct(x) == EM


@pytest.mark.parametrize("args,kw,want", [
    ((1, "comparison"), {}, "1 comparison"),
    ((0, "comparison"), {}, "0 comparisons"),
    ((3, "comparison"), {}, "3 comparisons"),
    ((2, "analysis", "analyses"), {}, "2 analyses"),
    ((1, "analysis", "analyses"), {}, "1 analysis"),
    ((1234, "patient"), {}, "1,234 patients"),
    ((3, "trial"), {"words": True}, "three trials"),
    ((1, "trial"), {"words": True}, "one trial"),
    ((0, "trial"), {"words": True}, "no trials"),
    ((11, "trial"), {"words": True}, "11 trials"),
])
def test_count(args, kw, want):
    from helpers.show.text import count
    assert count(*args, **kw) == want


@pytest.mark.parametrize("n,want", [(0, "no"), (1, "one"), (10, "ten"), (11, "11"), (1500, "1,500"), (-1, "-1")])
def test_number_word(n, want):
    from helpers.show.text import number_word
    assert number_word(n) == want
