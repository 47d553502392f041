"""GRADE triggers, certainty and wording (helpers.review.grade) at each threshold and on
either side of it: risk of bias (50% of weight at high risk, 75% at high risk or some
concerns), inconsistency (I² 50%, Q-test p 0.10), indirectness (50% of weight from other
endpoints), imprecision (95% CI crossing 1, 400 participants), publication bias (Egger's p
0.10), certainty from the number of downgrades, and the plain-language statement."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review.grade import OIS_PARTICIPANTS, certainty, grade_triggers, grade_wording_for


def res(weights=(50.0, 50.0), I2=0.0, QEp=0.9, lb=0.5, ub=0.8, k=None):
    """A pooled result: weights in percent, the CI on the ratio scale (stored as logs)."""
    return SimpleNamespace(weights=list(weights), I2=I2, QEp=QEp, k=len(weights) if k is None else k,
                           ci_lb=math.log(lb), ci_ub=math.log(ub))


def pooled(rob=("low", "low"), endpoint=("PFS", "PFS"), index=(7, 3)):
    # a non-default index: the triggers must align by position with res.weights
    return pd.DataFrame({"rob_overall": list(rob), "endpoint_class": list(endpoint)}, index=list(index))


def trig(r=None, p=None, outcome="PFS", egger=None, participants=1000):
    return grade_triggers(r or res(), pooled() if p is None else p, outcome, egger, participants)


def test_nothing_triggers_on_clean_evidence():
    t = trig()
    assert {d: v[0] for d, v in t.items()} == {"risk of bias": 0, "inconsistency": 0, "indirectness": 0,
                                                 "imprecision": 0, "publication bias": 0}
    assert certainty(t) == "high"


# --------------------------------------------------------------------------- risk of bias
@pytest.mark.parametrize("weights,rob,down", [
    ((50, 50), ("high", "low"), 1),                 # half the weight at high risk
    ((49.9, 50.1), ("high", "low"), 0),
    ((75, 25), ("some concerns", "low"), 1),        # three quarters at high risk or some concerns
    ((74.9, 25.1), ("some concerns", "low"), 0),
    ((40, 35, 25), ("high", "some concerns", "low"), 1),   # 40% high + 35% some concerns = 75%
    ((40, 34.9, 25.1), ("high", "some concerns", "low"), 0),
    ((75, 25), (None, "low"), 1),                   # not assessed counts as a concern
    ((74.9, 25.1), (None, "low"), 0),
])
def test_risk_of_bias_thresholds(weights, rob, down):
    p = pooled(rob=rob, endpoint=("PFS",) * len(rob), index=range(10, 10 + len(rob)))
    assert trig(res(weights=weights), p)["risk of bias"][0] == down


def test_risk_of_bias_reason_names_both_shares():
    p = pooled(rob=("high", "some concerns"))
    assert trig(res(weights=(30, 70)), p)["risk of bias"] == (
        1, "30% of weight at high risk, 100% at high risk or with some concerns")


def test_risk_of_bias_not_assessed_without_trial_judgements():
    t = grade_triggers(res(), None, "PFS", None, 1000)
    assert t["risk of bias"] == (1, "trial-level risk of bias not assessed for this outcome")
    assert t["indirectness"] == (0, "outcome as defined")


# --------------------------------------------------------------------------- inconsistency
@pytest.mark.parametrize("I2,QEp,down", [
    (50.0, 0.5, 1), (49.9, 0.5, 0), (0.0, 0.0999, 1), (0.0, 0.10, 0), (49.9, 0.10, 0), (80.0, 0.01, 1),
])
def test_inconsistency_thresholds(I2, QEp, down):
    assert trig(res(I2=I2, QEp=QEp))["inconsistency"][0] == down


def test_inconsistency_reason():
    assert trig(res(I2=62.4, QEp=0.034))["inconsistency"] == (1, "I² = 62%, Q-test p = 0.03")


def test_one_trial_is_never_inconsistent():
    assert trig(res(weights=(100,), I2=80.0, QEp=0.01), pooled(("low",), ("PFS",), (0,)))["inconsistency"] == \
        (0, "one trial")


# --------------------------------------------------------------------------- indirectness
@pytest.mark.parametrize("weights,endpoint,down", [
    ((50, 50), ("PFS", "ADT-free survival"), 1),
    ((50.1, 49.9), ("PFS", "ADT-free survival"), 0),
    ((50, 50), ("pfs", "PFS"), 0),                       # the outcome proper, whatever the case
    ((10, 90), ("PFS", "PFS-like"), 1),                  # a full match, not a prefix
])
def test_indirectness_thresholds(weights, endpoint, down):
    assert trig(res(weights=weights), pooled(endpoint=endpoint))["indirectness"][0] == down


def test_indirectness_reason():
    assert trig(res(weights=(25, 75)), pooled(endpoint=("OS", "OS")), outcome="PFS")["indirectness"] == \
        (1, "100% of weight from other endpoints")


# --------------------------------------------------------------------------- imprecision
@pytest.mark.parametrize("lb,ub,participants,down", [
    (0.5, 0.8, OIS_PARTICIPANTS, 0),
    (0.5, 0.8, OIS_PARTICIPANTS - 1, 1),
    (0.5, 1.2, OIS_PARTICIPANTS, 1),
    (0.5, 1.2, OIS_PARTICIPANTS - 1, 2),                 # both: very serious
    (0.5, 1.0, 1000, 0),                                 # touching 1 is not crossing it
    (1.0, 1.5, 1000, 0),
    (1.2, 1.5, 1000, 0),
])
def test_imprecision_thresholds(lb, ub, participants, down):
    assert trig(res(lb=lb, ub=ub), participants=participants)["imprecision"][0] == down


def test_imprecision_reasons():
    assert OIS_PARTICIPANTS == 400
    assert trig(res(lb=0.5, ub=1.2), participants=399)["imprecision"] == \
        (2, "95% CI 0.50–1.20 crosses 1; 399 participants (below 400)")
    assert trig(res(lb=0.5, ub=0.8), participants=400)["imprecision"] == (0, "95% CI 0.50–0.80; 400 participants")


# --------------------------------------------------------------------------- publication bias
@pytest.mark.parametrize("egger,down", [(None, 0), (0.10, 0), (0.0999, 1), (0.5, 0), (0.001, 1)])
def test_publication_bias_thresholds(egger, down):
    assert trig(egger=egger)["publication bias"][0] == down


def test_publication_bias_reasons():
    assert trig(res(weights=(50, 50)), egger=None)["publication bias"] == \
        (0, "Egger's test not assessable with 2 comparisons (fewer than 10)")
    assert trig(egger=0.047)["publication bias"] == (1, "Egger's test p = 0.05")


@pytest.mark.parametrize("judgement, changes, down", [
    ("low", False, 0), ("low", True, 0), ("high", False, 1), ("high", True, 1),
    ("some concerns", False, 0), ("some concerns", True, 1)])
def test_missing_evidence_rule(judgement, changes, down):
    from helpers.review.missing import grade_from_rob_me

    level, reason = grade_from_rob_me(judgement, changes)
    assert level == down and reason.startswith("ROB-ME")


@pytest.mark.parametrize("egger, missing, down", [(None, (0, "m"), 0), (None, (1, "m"), 1), (0.5, (1, "m"), 1),
                                                  (0.01, (0, "m"), 1), (0.5, (0, "m"), 0)])
def test_publication_bias_combines_rob_me_and_egger(egger, missing, down):
    from helpers.review.grade import grade_triggers

    out = grade_triggers(res(), None, "PFS", egger, 500, missing=missing)["publication bias"]
    assert out[0] == down and out[1].startswith("m; ")


# --------------------------------------------------------------------------- certainty
@pytest.mark.parametrize("total,level", [(0, "high"), (1, "moderate"), (2, "low"), (3, "very low"), (4, "very low"),
                                         (6, "very low")])
def test_certainty_from_downgrades(total, level):
    as_ints = {f"d{i}": 1 for i in range(total)}
    as_tuples = {f"d{i}": (1, "why") for i in range(total)}
    assert certainty(as_ints) == certainty(as_tuples) == level


def test_certainty_counts_levels_not_domains():
    assert certainty({"imprecision": (2, ""), "risk of bias": (0, "")}) == "low"
    assert certainty({"imprecision": 2, "inconsistency": 1}) == "very low"


# --------------------------------------------------------------------------- wording
@pytest.mark.parametrize("level,hr,lb,ub,harm,want", [
    ("high", 0.5, 0.4, 0.99, False, "MDT added to standard of care improves progression-free survival"),
    ("moderate", 0.5, 0.4, 0.99, False, "MDT added to standard of care probably improves progression-free survival"),
    ("low", 0.5, 0.4, 0.99, False, "MDT added to standard of care may improve progression-free survival"),
    ("high", 0.5, 0.4, 1.0, False, "MDT added to standard of care makes little or no difference to "
                                   "progression-free survival"),
    ("moderate", 1.5, 1.0, 2.0, False, "MDT added to standard of care probably makes little or no difference to "
                                       "progression-free survival"),
    ("low", 1.5, 1.01, 2.0, False, "MDT added to standard of care may worsen progression-free survival"),
    ("high", 1.5, 1.01, 2.0, False, "MDT added to standard of care worsens progression-free survival"),
    ("high", 1.5, 1.01, 2.0, True, "MDT added to standard of care increases progression-free survival"),
    ("low", 0.5, 0.4, 0.99, True, "MDT added to standard of care may reduce progression-free survival"),
    ("low", 1.0, 0.8, 1.2, True, "MDT added to standard of care may make little or no difference to "
                                 "progression-free survival"),
    ("very low", 0.5, 0.4, 0.6, False, "The evidence is very uncertain about the effect of MDT on "
                                       "progression-free survival"),
])
def test_wording(level, hr, lb, ub, harm, want):
    assert grade_wording_for(level, hr, lb, ub, "progression-free survival", increase_is_harm=harm) == want
