"""The reproduction scorecard (helpers.review.scorecard) on paper rows and hazard-ratio tables
made here; every book estimate is checked against a direct ``rma`` fit of the rows it should use.

PFS comparisons: a (phase III, upfront, n 100), b (III, upfront, n 150), c (II, upfront, n 80),
d not estimable. OS: a and b. Grade ≥2 harms: x 10/50 vs 5/50, y 12/40 vs 4/40, z 0/20 vs 0/20
(no log OR), w incomplete."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.meta.effects import escalc_or
from helpers.meta.rma import rma
from helpers.review import scorecard as SC
from helpers.review.scorecard import VERDICTS, _excludes_one, scorecard, scorecard_glue_values, verdict
from helpers.review.settings import SETTINGS
from helpers.show.text import fmt_ratio

NAN = math.nan
LN = math.log


def paper_row(aid, outcome, factor, subgroup, measure="HR", est=NAN, lb=NAN, ub=NAN, finding=None):
    return {"analysis_id": aid, "outcome": outcome, "factor": factor, "subgroup": subgroup, "measure": measure,
            "estimate": est, "ci_lower": lb, "ci_upper": ub, "finding": finding}


PAPER = pd.DataFrame([
    paper_row("records", None, None, None, "count", 21.0),
    paper_row("pfs_all", "PFS", "overall", "all", est=0.5, lb=0.4, ub=0.6),
    paper_row("pfs_upfront", "PFS", "timing", "upfront", est=0.52, lb=0.4, ub=0.7),
    paper_row("pfs_iii", "PFS", "phase", "III", est=0.6, lb=0.45, ub=0.8),
    paper_row("pfs_ii", "PFS", "phase", "II", finding="benefit"),
    paper_row("pfs_i", "PFS", "phase", "I", est=0.7, lb=0.5, ub=0.9),
    paper_row("pfs_words", "PFS", "timing", "later", finding="no estimate printed"),
    paper_row("os_all", "OS", "overall", "all", est=1.2, lb=0.9, ub=1.6),
    paper_row("ae", "AE", "overall", "all", "OR", est=2.0, lb=1.1, ub=3.6),
])


def pfs_table():
    return pd.DataFrame({"trial_id": list("abcd"), "trial": list("ABCD"), "yi": [LN(0.5), LN(0.7), LN(0.8), NAN],
                         "vi": [0.04, 0.05, 0.06, NAN], "n": pd.array([100, 150, 80, 40], dtype="Int64"),
                         "estimable": [True, True, True, False], "phase": ["III", "III", "II", "III"],
                         "timing": ["upfront", "upfront", "upfront", "later"]})


def os_table():
    return pd.DataFrame({"trial_id": ["a", "b"], "trial": ["A", "B"], "yi": [LN(0.8), LN(0.9)], "vi": [0.05, 0.06],
                         "n": pd.array([100, None], dtype="Int64"), "estimable": [True, True],
                         "phase": ["III", "III"], "timing": ["upfront", "upfront"]})


AE = pd.DataFrame({"trial_id": list("xyzw"), "trial": list("XYZW"),
                   "status": ["usable", "usable", "usable", "incomplete"],
                   "ai": [10, 12, 0, 3], "n1i": [50, 40, 20, None], "ci": [5, 4, 0, None], "n2i": [50, 40, 20, 30]})


@pytest.fixture
def card(monkeypatch):
    calls = []

    def hazard_ratios(review, outcome):
        calls.append(outcome)
        return {"PFS": pfs_table, "OS": os_table}[outcome]()

    monkeypatch.setattr(SC, "hazard_ratios", hazard_ratios)
    monkeypatch.setattr(SC, "ae_table", lambda review, grade: AE if grade == ">=2" else pytest.fail(grade))
    out = scorecard(SimpleNamespace(paper_reported=PAPER))
    return out.set_index("analysis_id", drop=False), calls


def fit3(table, ids, method=SETTINGS.method, test=SETTINGS.test, level=SETTINGS.level):
    t = table.set_index("trial_id").loc[ids]
    r = rma(t["yi"].to_numpy(float), t["vi"].to_numpy(float), method=method, test=test, level=level)
    return math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub)


def test_rows_and_tables_assembled_once(card):
    c, calls = card
    assert list(c["analysis_id"]) == ["pfs_all", "pfs_upfront", "pfs_iii", "pfs_ii", "pfs_i", "pfs_words", "os_all",
                                      "ae"]
    assert calls == ["PFS", "OS"]                       # one table per outcome
    assert list(c.columns[:14]) == ["analysis_id", "outcome", "factor", "subgroup", "measure", "paper_est",
                                    "paper_lb", "paper_ub", "paper", "k", "n", "ids", "trials", "hr"]


def test_pooled_row(card):
    c, _ = card
    r = c.loc["pfs_all"]
    assert (r["outcome"], r["factor"], r["subgroup"], r["measure"]) == ("PFS", "overall", "all", "HR")
    assert (r["paper_est"], r["paper_lb"], r["paper_ub"], r["paper"]) == (0.5, 0.4, 0.6, "0.50 (0.40–0.60)")
    assert (r["k"], r["n"], r["ids"], r["trials"]) == (3, 330, ("a", "b", "c"), "A, B, C")
    hr, lb, ub = fit3(pfs_table(), list("abc"))
    assert (r["hr"], r["ci_lb"], r["ci_ub"]) == (pytest.approx(hr), pytest.approx(lb), pytest.approx(ub))
    assert r["book"] == fmt_ratio(hr, lb, ub)
    assert r["book_DL_z"] == fmt_ratio(*fit3(pfs_table(), list("abc"), "DL", "z"))
    assert r["book_REML_z"] == fmt_ratio(*fit3(pfs_table(), list("abc"), "REML", "z"))
    assert r["same_as"] == ""
    assert r["verdict"] == verdict(3, hr, lb, ub, 0.5, 0.4, 0.6)


def test_same_comparisons_as_an_earlier_row(card):
    c, _ = card
    r = c.loc["pfs_upfront"]
    assert r["ids"] == ("a", "b", "c") and r["same_as"] == "pfs_all" and r["verdict"] == VERDICTS[5]
    assert c.loc["pfs_iii", "same_as"] == "" and c.loc["pfs_iii", "ids"] == ("a", "b")


def test_subgroup_row_and_its_verdict(card):
    c, _ = card
    r = c.loc["pfs_iii"]
    hr, lb, ub = fit3(pfs_table(), ["a", "b"])
    assert r["k"] == 2 and r["n"] == 250 and r["hr"] == pytest.approx(hr)
    assert lb < 1 < ub                    # two comparisons, HKSJ with 1 df: the book includes 1, the paper does not
    assert r["verdict"] == "same direction, significance differs"


def test_one_comparison_and_no_paper_estimate(card):
    c, _ = card
    r = c.loc["pfs_ii"]
    hr, lb, ub = math.exp(LN(0.8)), math.exp(LN(0.8) - 1.959963984540054 * math.sqrt(0.06)), NAN
    assert r["k"] == 1 and r["ids"] == ("c",) and r["paper"] == "benefit"
    assert r["book"].startswith("one trial: 0.80 (") and r["book_DL_z"].startswith("one trial: 0.80 (")
    assert r["book_REML_z"] == f"one trial: 0.80 ({lb:.2f}–{math.exp(LN(0.8) + 1.959963984540054 * math.sqrt(0.06)):.2f})"
    assert r["verdict"] == "cannot compare (one comparison)"


def test_no_comparison(card):
    c, _ = card
    r = c.loc["pfs_i"]
    assert r["k"] == 0 and r["n"] == 0 and r["ids"] == () and r["trials"] == ""
    assert math.isnan(r["hr"]) and math.isnan(r["ci_lb"]) and math.isnan(r["ci_ub"])
    assert r["book"] == r["book_DL_z"] == r["book_REML_z"] == "not estimable"
    assert r["same_as"] == "" and r["verdict"] == "cannot compare (no comparison)"


def test_no_paper_estimate_with_a_pool(card):
    c, _ = card
    r = c.loc["pfs_words"]
    assert r["k"] == 0 and r["verdict"] == "cannot compare (no comparison)" and r["paper"] == "no estimate printed"


def test_direction_differs_and_unknown_n(card):
    c, _ = card
    r = c.loc["os_all"]
    assert r["n"] == 100 and r["ids"] == ("a", "b")
    assert r["hr"] < 1 < 1.2 and r["verdict"] == "direction differs"


def test_odds_ratio_row(card):
    c, _ = card
    r = c.loc["ae"]
    assert r["ids"] == ("x", "y") and r["k"] == 2 and r["n"] == 180    # z (double zero) and w (incomplete) left out
    yi, vi = escalc_or(np.array([10.0, 12.0]), np.array([50.0, 40.0]), np.array([5.0, 4.0]), np.array([50.0, 40.0]),
                       add=0.5, to="only0")
    res = rma(yi, vi, method=SETTINGS.method, test=SETTINGS.test)
    assert r["hr"] == pytest.approx(math.exp(res.beta)) and r["ci_ub"] == pytest.approx(math.exp(res.ci_ub))
    assert r["measure"] == "OR" and r["paper"] == "2.00 (1.10–3.60)"


def test_tables_given_are_used_and_the_settings_apply(monkeypatch):
    monkeypatch.setattr(SC, "hazard_ratios", lambda review, outcome: pytest.fail("rebuilt a given table"))
    monkeypatch.setattr(SC, "ae_table", lambda review, grade: AE)
    s = SimpleNamespace(method="DL", test="z", level=90.0)
    given = {"PFS": pfs_table(), "OS": os_table()}
    c = scorecard(SimpleNamespace(paper_reported=PAPER), s, given).set_index("analysis_id")
    assert c.loc["pfs_all", "hr"] == pytest.approx(fit3(pfs_table(), list("abc"), "DL", "z", 90)[0])
    assert c.loc["pfs_all", "ci_lb"] == pytest.approx(fit3(pfs_table(), list("abc"), "DL", "z", 90)[1])
    assert c.loc["pfs_all", "book_REML_z"] == fmt_ratio(*fit3(pfs_table(), list("abc"), "REML", "z", 90))
    assert list(given) == ["PFS", "OS"]                  # the caller's dict is not changed


def test_excludes_one_and_verdict_edges():
    assert _excludes_one(0.5, 0.99) and _excludes_one(1.01, 2) and not _excludes_one(0.5, 1.0)
    assert not _excludes_one(1.0, 2.0)
    assert verdict(2, 0.9, 0.5, 1.5, 1.0, 0.8, 1.2) == "direction differs"       # paper at exactly 1: not below
    assert verdict(2, 1.0, 0.5, 1.5, 1.1, 0.8, 1.3) == "agrees"


def test_scorecard_glue_values():
    card = pd.DataFrame({"verdict": ["agrees", "agrees", "direction differs", "same comparisons as another row",
                                     "no estimate in the paper"]})
    assert scorecard_glue_values(card) == {
        "n": "5", "summary": ("Verdicts: agrees, 2 estimates; direction differs, 1 estimate; same comparisons as "
                              "another row, 1 estimate.")}
