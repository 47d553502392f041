"""Missing evidence (helpers.review.missing) on a five-comparison review made here:

* t1 pooled; t2 missing with a note, HR 0.7 without CI (favours MDT by the HR), and a row from a
  record after the cut-off (R9) that prints the most; t3 missing, no note, its source says it
  favours control although its HR (0.8) would say MDT; t4 included with no outcome row and no arm
  sizes; t5 excluded from the review (never listed)."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review import imputation as imp
from helpers.review.imputation import MEDIANS, NOT_IMPUTABLE, TIERNEY, Imputed, TippingPoint
from helpers.review.missing import (NO_RESULT, _in_time_rows, assess_missing, assessment_glue_values, imputation_inputs,
                                    missing_evidence)

NAN = math.nan
LN = math.log
EM = "\u2014"


def outcome_row(**kw):
    base = {"outcome": "PFS", "trial_id": "t1", "record_id": "R1", "primary": "yes", "endpoint_name": "PFS",
            "hr": NAN, "ci_lower": NAN, "direction": "mdt_vs_control", "p_value": None, "p_sides": NAN,
            "p_favours": None, "events": NAN, "events_mdt": NAN, "events_control": NAN, "median_mdt": NAN,
            "median_control": NAN, "median_unit": None, "followup_months": NAN}
    base.update(kw)
    return base


def make_review():
    trials = pd.DataFrame({"trial_id": ["t1", "t2", "t3", "t4", "t5"], "trial_name": ["T1", "T2", "T3", "T4", "T5"],
                           "included": ["yes", "yes", "yes", "yes", "no"],
                           "n_randomized": [80.0, 100.0, NAN, NAN, 10.0], "n_mdt": [40.0, 50.0, 30.0, NAN, 5.0],
                           "n_control": [40.0, 50.0, 20.0, NAN, 5.0]})
    outcomes = pd.DataFrame([
        outcome_row(trial_id="t1", hr=0.5, ci_lower=0.3),
        outcome_row(trial_id="t2", hr=0.7),                                                  # primary, 0 inputs
        outcome_row(trial_id="t2", primary="no", p_value="0.04", events=50.0, hr=0.9, ci_lower=0.5),  # 2 inputs
        outcome_row(trial_id="t2", record_id="R9", primary="no", p_value="0.01", events=60.0, median_mdt=12.0,
                    median_control=8.0, followup_months=24.0, median_unit="months"),         # late record: 5 inputs
        outcome_row(trial_id="t3", primary="no", hr=0.8, p_value="0.2", p_favours="control"),  # 1 input
        outcome_row(trial_id="t3", p_value="0.3", p_favours="unclear"),                       # 1 input, primary
        outcome_row(trial_id="t3", outcome="OS", hr=0.1),                                     # another outcome
        outcome_row(trial_id="t5", hr=0.2),
    ])
    records = pd.DataFrame({"record_id": ["R1", "R9"], "decision": ["included", "after_cutoff"]})
    rob_me = pd.DataFrame({"outcome": ["PFS", "PFS", "PFS", "OS"], "item": ["q1", "overall", "q2", "overall"],
                           "answer": ["yes", "some concerns", "no", "low"]})
    return SimpleNamespace(trials=trials, included=trials[trials["included"] == "yes"], outcomes=outcomes,
                           records=records, rob_me=rob_me)


TABLE = pd.DataFrame({"trial_id": ["t1", "t2", "t3"], "estimable": [True, False, False],
                      "note": ["", "HR 0.7 printed without a CI, an exact p-value or events", ""],
                      "yi": [LN(0.5), NAN, NAN], "vi": [0.04, NAN, NAN]})


# --------------------------------------------------------------------------- the table
def test_missing_evidence_rows():
    m = missing_evidence(make_review(), TABLE, "PFS")
    assert list(m.columns) == ["trial_id", "trial", "n", "reason", "sources_say", "favours"]
    assert m["trial_id"].tolist() == ["t2", "t3", "t4"]
    assert m["trial"].tolist() == ["T2", "T3", "T4"]
    assert m["n"].tolist()[:2] == [100, 50] and m["n"].isna().tolist() == [False, False, True]  # 30 + 20 arms
    assert m["reason"].tolist() == ["HR 0.7 printed without a CI, an exact p-value or events", NO_RESULT, NO_RESULT]
    assert m["sources_say"].tolist() == [
        "PFS: HR 0.70 (no CI printed); PFS: HR 0.90, p = 0.04, 50 events; "
        f"PFS: median 12.0 vs 8.0 months (MDT vs control), p = 0.01, 60 events",
        "PFS: HR 0.80 (no CI printed), p = 0.2; PFS: p = 0.3", "nothing"]
    assert m["favours"].tolist() == ["MDT", "control", ""]


def test_missing_evidence_without_a_table_lists_every_included_comparison():
    m = missing_evidence(make_review(), pd.DataFrame(), "PFS")
    assert m["trial_id"].tolist() == ["t1", "t2", "t3", "t4"]
    assert set(m["reason"]) == {NO_RESULT}
    m = missing_evidence(make_review(), TABLE.iloc[:0], "OS")
    assert m["trial_id"].tolist() == ["t1", "t2", "t3", "t4"]
    assert m["sources_say"].tolist() == ["nothing", "nothing", "PFS: HR 0.10 (no CI printed)", "nothing"]
    assert m["favours"].tolist() == ["", "", "MDT", ""]


def test_in_time_rows_keep_records_before_the_cut_off_and_the_outcome():
    out = _in_time_rows(make_review(), "PFS")
    assert out.index.tolist() == [0, 1, 2, 4, 5, 7]              # R9's row and OS left out
    assert _in_time_rows(make_review(), "OS").index.tolist() == [6]


def test_imputation_inputs_take_the_fullest_in_time_row():
    review = make_review()
    m = missing_evidence(review, TABLE, "PFS")
    rows = imputation_inputs(review, m, "PFS")
    assert list(rows.columns) == ["trial_id", "n_mdt", "n_control", "favours", "p_value", "p_sides", "events",
                                  "events_mdt", "events_control", "median_mdt", "median_control", "followup_months"]
    t2, t3, t4 = (rows.iloc[i] for i in range(3))
    assert (t2["trial_id"], t2["n_mdt"], t2["n_control"], t2["favours"]) == ("t2", 50, 50, "MDT")
    assert t2["p_value"] == "0.04" and t2["events"] == 50 and math.isnan(t2["median_mdt"])   # not R9's row
    assert (t3["n_mdt"], t3["n_control"], t3["favours"]) == (30, 20, "control")
    assert t3["p_value"] == "0.3"                       # 1 input each: the primary row wins the tie
    assert t4["trial_id"] == "t4" and math.isnan(t4["n_mdt"]) and t4[["p_value", "events"]].isna().all()


# --------------------------------------------------------------------------- assess_missing
def _fit(hr, lb, ub):
    return SimpleNamespace(beta=LN(hr), ci_lb=LN(lb), ci_ub=LN(ub))


@pytest.fixture
def stub(monkeypatch):
    """impute_missing, imputation_analysis and tipping_point (tested in test_values_imputation)
    replaced by recorders; the fits before and after imputation are set by each test."""
    seen = {}
    fits = {"before": _fit(0.6, 0.4, 0.9), "after": _fit(0.7, 0.5, 0.95)}

    def impute(rows):
        seen["rows"] = rows
        return ["imputed"]

    def analysis(*args, **kw):
        seen["analysis"] = (args, kw)
        return SimpleNamespace(pooled=fits["before"], with_imputed=fits["after"])

    def tipping(*args, **kw):
        seen["tipping"] = (args, kw)
        return "tipping"

    monkeypatch.setattr(imp, "impute_missing", impute)
    monkeypatch.setattr(imp, "imputation_analysis", analysis)
    monkeypatch.setattr(imp, "tipping_point", tipping)
    return seen, fits


def test_assess_missing_passes_the_pooled_rows_and_the_model(stub):
    seen, _ = stub
    s = SimpleNamespace(method="DL", test="z", level=90.0)
    a = assess_missing(make_review(), TABLE, "PFS", s)
    args, kw = seen["analysis"]
    assert kw == {"method": "DL", "test": "z", "level": 90.0}
    assert args[0].tolist() == [LN(0.5)] and args[1].tolist() == [0.04] and args[2] == ["t1"]
    assert args[0].dtype == float and args[3] == ["imputed"]
    assert seen["tipping"][1] == kw and seen["tipping"][0][2] == ["t1"]
    assert seen["rows"]["trial_id"].tolist() == ["t2", "t3", "t4"]
    assert a.outcome == "PFS" and a.imputed == ["imputed"] and a.tipping == "tipping"
    assert a.table["trial_id"].tolist() == ["t2", "t3", "t4"]
    assert a.rob_me == "some concerns"
    assert a.rob_me_items[["item", "answer"]].values.tolist() == [["q1", "yes"], ["q2", "no"]]
    assert a.rob_me_items.index.tolist() == [0, 1]
    assert a.changes is False                          # both significant, both favour MDT
    assert a.grade == (0, "ROB-ME: some concerns; imputing the missing results does not change the significance "
                          "or direction of the pooled HR")
    # pooled HR 0.6: t2's first in-time HR 0.7 favours MDT less (0.9 is not looked at); t3's 0.8 too
    assert a.weaker == (("t2", pytest.approx(0.7)), ("t3", pytest.approx(0.8)))


def test_assess_missing_default_settings_and_os(stub):
    from helpers.review.settings import SETTINGS

    seen, _ = stub
    a = assess_missing(make_review(), TABLE, "OS")
    assert seen["analysis"][1] == {"method": SETTINGS.method, "test": SETTINGS.test, "level": SETTINGS.level}
    assert a.rob_me == "low" and a.grade == (0, "ROB-ME: low risk of bias due to missing evidence")
    assert a.rob_me_items.empty
    assert a.weaker == ()                               # OS: t3's HR 0.1 favours MDT more than 0.6


@pytest.mark.parametrize("after,changes", [
    ((0.7, 0.5, 1.1), True),      # no longer significant
    ((1.3, 1.1, 1.6), True),      # significant, other direction
    ((1.05, 0.7, 1.5), True),     # other direction
    ((0.5, 0.3, 0.8), False),
])
def test_assess_missing_changes(stub, after, changes):
    _, fits = stub
    fits["after"] = _fit(*after)
    a = assess_missing(make_review(), TABLE, "PFS")
    assert a.changes is changes
    assert a.grade[0] == int(changes)


def test_assess_missing_no_pooled_fit(stub):
    _, fits = stub
    fits["before"] = None
    a = assess_missing(make_review(), TABLE, "PFS")
    assert a.changes is False and a.weaker == ()
    fits["before"], fits["after"] = _fit(0.6, 0.4, 0.9), None
    assert assess_missing(make_review(), TABLE, "PFS").changes is False


def test_assess_missing_weaker_inverts_control_vs_mdt_and_is_strict(stub):
    _, fits = stub
    review = make_review()
    review.outcomes.loc[4, ["hr", "direction"]] = [0.8, "control_vs_mdt"]     # t3: MDT vs control 1/0.8 = 1.25
    fits["before"] = _fit(1.0, 0.5, 0.9)                                        # pooled HR exactly 1
    a = assess_missing(review, TABLE, "PFS")
    assert a.weaker == (("t3", pytest.approx(1.25)),)                           # t2's 0.7 and 0.9 favour MDT more
    review.outcomes.loc[4, ["hr", "direction"]] = [1.0, "mdt_vs_control"]      # equal to the pool: not weaker
    assert assess_missing(review, TABLE, "PFS").weaker == ()
    fits["before"] = _fit(0.8, 0.5, 0.9)             # t2: 0.7 is not weaker, its next row 0.9 is; t3: 1.0
    assert assess_missing(review, TABLE, "PFS").weaker == (("t2", pytest.approx(0.9)), ("t3", pytest.approx(1.0)))


# --------------------------------------------------------------------------- the paragraphs
def imputed(tid, yi, method, sei=0.2):
    return Imputed(tid, yi, sei, method, None, False, "note")


class Analysis(SimpleNamespace):
    def dominant(self):
        return self.dom


NAMES = {"t2": "Two", "t3": "Three", "t4": "Four"}
TIP = TippingPoint(True, "status", h=1.234, at_h=("t4",), grid=(0.2, 5.0, 401))


def assessment(**kw):
    base = dict(imputed=[imputed("t2", LN(0.8), TIERNEY), imputed("t3", LN(1.5), MEDIANS),
                         imputed("t4", NAN, NOT_IMPUTABLE)],
                analysis=Analysis(pooled=_fit(0.6, 0.4, 0.9), with_imputed=_fit(0.7, 0.5, 0.98),
                                  max_imputed_weight=("t3", 23.46), dom=[]),
                tipping=TIP, rob_me="some concerns", grade=(1, "x"), changes=True, weaker=())
    base.update(kw)
    return SimpleNamespace(**base)


def test_assessment_glue_values_with_imputed_values():
    v = assessment_glue_values(assessment(), NAMES)
    assert v == {
        "imputed_k": "2 missing comparisons", "imputed_names": "Two and Three", "not_imputable_k": "1 comparison",
        "rob_me": "some concerns", "grade_missing": "serious",
        "weaker": "Three rests on the ratio of medians, the weaker method",
        "with_imputed": "0.70 (0.50–0.98)", "top_imputed": "Three (23% of the weight)",
        "dominates": "no imputed comparison carries most of the weight",
        "changes": "changes the significance or direction", "without_imputed": "0.60 (0.40–0.90)",
        "bias": ("Missing results that favour MDT at least as strongly as the pooled estimate cannot bias it toward "
                 "benefit; those that favour control and those of unknown direction can."),
        "tipping": "the pooled CI reaches 1 when the 1 comparison of unknown direction (Four) share a hazard ratio "
                   "of 1.23"}


def test_assessment_glue_values_plural_weaker_dominant_and_bias():
    a = assessment(imputed=[imputed("t2", LN(0.8), MEDIANS), imputed("t3", LN(1.5), MEDIANS)], grade=(0, "x"),
                   changes=False, weaker=(("t2", 0.8), ("zz", 0.954)),
                   analysis=Analysis(pooled=_fit(0.6, 0.4, 0.9), with_imputed=_fit(0.7, 0.5, 0.98),
                                     max_imputed_weight=("zz", 60.5), dom=["t2", "t3"]),
                   tipping=TippingPoint(True, "s", h=None, at_h=("t4", "t9"), grid=(0.25, 4.0, 11)))
    v = assessment_glue_values(a, NAMES)
    assert v["not_imputable_k"] == "0 comparisons" and v["grade_missing"] == "not serious"
    assert v["weaker"] == "Two and Three rest on the ratio of medians, the weaker method"
    assert v["top_imputed"] == "zz (60% of the weight)"                       # an id without a name is shown as is
    assert v["dominates"] == "Two and Three carries most of the weight"
    assert v["changes"] == "does not change the significance or direction"
    assert v["bias"] == ("Missing results that favour MDT at least as strongly as the pooled estimate cannot bias "
                         "it toward benefit; those that favour control, those of unknown direction, and those that "
                         "favour MDT less than the pool, here Two (HR 0.80) and zz (HR 0.95), can.")
    assert v["tipping"] == ("no common hazard ratio between 0.25 and 4 for the comparisons of unknown direction "
                            "(Four and t9) brings the pooled CI to 1")


def test_assessment_glue_values_nothing_imputed():
    a = assessment(imputed=[imputed("t4", NAN, NOT_IMPUTABLE)],
                   analysis=Analysis(pooled=None, with_imputed=_fit(0.7, 0.5, 0.98), max_imputed_weight=(None, 0.0),
                                     dom=[]),
                   tipping=TippingPoint(False, "not applicable: the CI of the pooled comparisons already includes 1"))
    v = assessment_glue_values(a, NAMES)
    assert v["imputed_k"] == "0 missing comparisons" and v["imputed_names"] == "none"
    assert v["weaker"] == "none rests on the ratio of medians alone"
    assert v["with_imputed"] == v["top_imputed"] == "not applicable (nothing could be imputed)"
    assert v["dominates"] == "no imputed comparison carries weight"
    assert v["changes"] == "cannot change the significance or direction"
    assert "without_imputed" not in v
    assert v["tipping"] == "not applicable: the pooled CI already includes 1"
    a.analysis.with_imputed = None                                     # no fit at all: the same words
    a.imputed = [imputed("t2", LN(0.8), TIERNEY)]
    assert assessment_glue_values(a, NAMES)["with_imputed"] == "not applicable (nothing could be imputed)"


def test_assessment_glue_values_tipping_not_applicable():
    cannot = TippingPoint(False, "not applicable: no SE", cannot_enter=(("t4", "n"), ("t9", "n")))
    v = assessment_glue_values(assessment(tipping=cannot), NAMES)
    assert v["tipping"] == ("not applicable: no missing result of unknown direction prints a p-value, events or "
                            "medians from which a standard error could be given (2 comparisons)")
    known = TippingPoint(False, "not applicable: every missing result's direction is known")
    assert assessment_glue_values(assessment(tipping=known), NAMES)["tipping"] == (
        "not applicable: the direction of every missing result is known")
    # cannot_enter but some at h (not applicable for another reason): not the "no standard error" sentence
    other = TippingPoint(False, "not applicable: other", at_h=("t2",), cannot_enter=(("t4", "n"),))
    assert assessment_glue_values(assessment(tipping=other), NAMES)["tipping"] == (
        "not applicable: the direction of every missing result is known")
    # applicable wins over the status text
    odd = TippingPoint(True, "already includes 1?", h=0.5, at_h=("t2", "t3"))
    assert assessment_glue_values(assessment(tipping=odd), NAMES)["tipping"] == (
        "the pooled CI reaches 1 when the 2 comparisons of unknown direction (Two and Three) share a hazard ratio "
        "of 0.50")
