"""Adverse-event counts from printed percentages: converted only when the count reproduces
the percentage to its printed precision (issue 10 §4), hand-worked."""
from __future__ import annotations

import pandas as pd
import pytest

from helpers.review.safety import count_from_percentage, printed_decimals


@pytest.mark.parametrize("pct, total, expected", [
    (30.3, 66, 20),     # SABR-COMET 2022: 20/66 = 30.30 %
    (9.1, 33, 3),       # 3/33 = 9.09 %
    (20, 25, 5),        # Gomez: 5/25 = 20 %
    (8, 24, 2),         # 2/24 = 8.33 %, printed to a whole per cent
    (10.6, 75, None),   # ARTO: 8/75 = 10.67 % ≠ 10.6 %: another population
    (15.8, 82, None),   # 13/82 = 15.85 %
    (50, 31, None),     # 15/31 = 48.4 %, 16/31 = 51.6 %
    (0, 40, 0),
    (100, 12, 12),
])
def test_count_from_percentage(pct, total, expected):
    assert count_from_percentage(pct, total) == expected


@pytest.mark.parametrize("pct, decimals", [(30.3, 1), (20.0, 0), (45.25, 2), (8, 0)])
def test_printed_decimals(pct, decimals):
    assert printed_decimals(pct) == decimals


def test_percentages_that_give_no_count_are_shown_as_printed():
    from helpers.review.data import load_review
    from helpers.review.safety import ae_table
    from helpers.show.tables import _arm

    t = ae_table(load_review(), ">=3").set_index("trial_id")
    arto = t.loc["arto"]
    assert arto["status"] == "incomplete" and pd.isna(arto["ai"])
    assert _arm(arto["ai"], arto["n1i"], arto["pct_mdt"]) == "10.6%"
    gomez = t.loc["gomez_lct"]
    assert (gomez["ai"], gomez["n1i"], gomez["ci"], gomez["n2i"]) == (5, 25, 2, 24)
