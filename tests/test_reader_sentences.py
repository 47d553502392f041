"""Sentences added for readers: trials left out of the ongoing-trials table, Expression of Concern."""
import math

import pytest

import helpers
from helpers.review.efficacy import concern_sentence
from helpers.review.search import ongoing_left_out_sentence, ongoing_table, n_ongoing_ineligible
from helpers.show.text import fmt_ratio


@pytest.fixture(scope="module")
def results():
    return helpers.load_results()


@pytest.mark.parametrize("n, start, verb", [(1, "One other registered trial ", " is not listed: its "),
                                            (2, "Two other registered trials ", " are not listed: their "),
                                            (11, "11 other registered trials ", " are not listed: their ")])
def test_ongoing_left_out_sentence(n, start, verb):
    s = ongoing_left_out_sentence(n)
    assert s.startswith(start) and verb in s and "(s)" not in s


def test_ongoing_left_out_sentence_at_zero():
    assert "listed" in ongoing_left_out_sentence(0) and "No other" not in ongoing_left_out_sentence(0)


def test_the_ongoing_table_keeps_only_trials_eligible_by_design(results):
    t = results.review.trials
    shown = set(ongoing_table(results.review)["Trial"])
    reasons = dict(zip(t["trial_name"], t["exclusion_reason"]))
    assert shown and not any(">5" in reasons[n] or "not restricted" in reasons[n] for n in shown)
    without = t[(t["included"] == "no") & t["exclusion_reason"].str.contains("no result|not published|ongoing|after",
                                                                              case=False, na=False)]
    assert len(shown) + n_ongoing_ineligible(results.review) == len(without)
    assert n_ongoing_ineligible(results.review) > 0


def test_concern_sentence_names_the_trial_and_gives_the_leave_one_out_hr(results):
    rep = results.efficacy["PFS"]
    records = results.review.records.copy()
    # the data: SINDAS carries an Expression of Concern and is not pooled
    s = concern_sentence(rep, records)
    assert "SINDAS" in s and "no hazard ratio that can be pooled" in s
    # flag a pooled trial instead: the sentence gives the pooled HR without it, from leave-one-out
    row = rep.pooled[rep.pooled["estimable"]].iloc[0]
    records["exclusion_reason"] = records["exclusion_reason"].str.replace("Expression of Concern", "note", case=False)
    records.loc[records["trial_group"] == row["trial_group"], "exclusion_reason"] = "Expression of Concern issued"
    s = concern_sentence(rep, records)
    loo = rep.loo.loc[row["trial"]]
    want = fmt_ratio(math.exp(loo["estimate"]), math.exp(loo["ci_lb"]), math.exp(loo["ci_ub"]))
    assert s.count("Expression of Concern") == (rep.table["trial_group"] == row["trial_group"]).sum()
    assert f"without it the pooled HR would be {want}." in s and "SINDAS" not in s
    records["exclusion_reason"] = ""
    assert concern_sentence(rep, records) == ""
