"""Adverse events (helpers.review.safety) on a review made here, pooled results checked against
direct calls of the meta wing, and the chapter's sentences written out.

Comparisons: a prints counts 10/50 vs 5/50 (treatment-related and all-cause rows: the
treatment-related one is used); b prints 30% of 40 (= 12) vs 10% of 40 (= 4) with its own totals
40/40 (randomised 45/45); c prints 31% of 66 (no whole count gives it) vs a count; d has no row;
e prints nothing in its row; f is not included. Grade 5: a 0 vs 0, b 1 vs 0."""
from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.meta.effects import escalc_or
from helpers.meta.mh import rma_mh, rma_peto
from helpers.meta.rma import rma
from helpers.review import safety as S
from helpers.review.safety import (ae_table, deaths_table, nnt_text, one_or, pool_safety, quality_of_life_table,
                                   safety_glue_values)
from helpers.review.settings import SETTINGS

NAN = math.nan


def ae(trial, grade="≥2", **kw):
    base = {"trial_id": trial, "grade": grade, "primary": "yes", "attribution": "all-cause", "events_mdt": NAN,
            "events_control": NAN, "pct_mdt": NAN, "pct_control": NAN, "total_mdt": NAN, "total_control": NAN,
            "record_id": f"R{trial}", "quote": f"quote {trial}"}
    base.update(kw)
    return base


def make_review():
    trials = pd.DataFrame({"trial_id": list("abcdef"), "trial_name": ["A", "B", "C", "D", "E", "F"],
                           "trial_group": ["ga", "gb", "gc", "gd", "ge", "gf"], "included": ["yes"] * 5 + ["no"],
                           "n_mdt": [50.0, 45.0, 66.0, 30.0, NAN, 10.0], "n_control": [50.0, 45.0, 60.0, 30.0, NAN, 10.0]})
    rows = [
        ae("a", ">=2", events_mdt=12, events_control=6, attribution="all-cause"),
        ae("a", ">=2", events_mdt=10, events_control=5, attribution="treatment-related"),
        ae("a", ">=2", events_mdt=40, events_control=40, primary="no"),
        ae("b", ">=2", pct_mdt=30.0, pct_control=10.0, total_mdt=40, total_control=40),
        ae("c", ">=2", pct_mdt=31.0, events_control=6),
        ae("e", ">=2"),
        ae("f", ">=2", events_mdt=1, events_control=1),
        ae("a", "5", events_mdt=0, events_control=0),
        ae("b", "5", events_mdt=1, events_control=0),
        ae("c", "5", events_mdt=NAN, events_control=2),
        ae("f", "5", events_mdt=3, events_control=3),
        ae("a", ">=3", events_mdt=3, events_control=1),
    ]
    rows = [dict(r, grade=r["grade"]) for r in rows]
    adverse = pd.DataFrame(rows)
    for col in ("events_mdt", "events_control", "total_mdt", "total_control"):     # as data.py reads them
        adverse[col] = adverse[col].astype("Int64")
    provenance = pd.DataFrame({"trial_id": ["a", "a", "b", "f"], "field": ["quality_of_life"] * 2 + ["n_mdt", "quality_of_life"],
                               "quote": ["QoL stable", "no difference", "n", "x"]})
    return SimpleNamespace(trials=trials, included=trials[trials["included"] == "yes"], adverse_events=adverse,
                           provenance=provenance)


# --------------------------------------------------------------------------- the 2×2 tables
def test_ae_table():
    t = ae_table(make_review(), ">=2")
    assert list(t.columns) == ["trial_id", "trial", "trial_group", "status", "attribution", "ai", "n1i", "ci", "n2i",
                               "how", "pct_mdt", "pct_control", "record_id", "quote"]
    assert list(t["trial_id"]) == list("abcde")
    assert list(t["trial"]) == list("ABCDE") and list(t["trial_group"]) == ["ga", "gb", "gc", "gd", "ge"]
    assert list(t["status"]) == ["usable", "usable", "incomplete", "not reported", "not reported"]
    a, b, c, d, e = (t.iloc[i] for i in range(5))
    assert (a["ai"], a["n1i"], a["ci"], a["n2i"]) == (10, 50, 5, 50)          # treatment-related first
    assert a["attribution"] == "treatment-related" and a["how"] == "MDT: printed; control: printed"
    assert (a["record_id"], a["quote"]) == ("Ra", "quote a")
    assert (b["ai"], b["n1i"], b["ci"], b["n2i"]) == (12, 40, 4, 40)           # the row's own totals
    assert b["how"] == "MDT: derived from 30% of 40; control: derived from 10% of 40"
    assert (b["pct_mdt"], b["pct_control"]) == (30.0, 10.0)
    assert pd.isna(c["ai"]) and c["ci"] == 6 and (c["n1i"], c["n2i"]) == (66, 60)
    assert c["how"] == "MDT: 31% printed: no whole number of the 66 randomised gives it; control: printed"
    assert d["status"] == "not reported" and d["how"] == "not reported" and pd.isna(d["ai"]) and pd.isna(d["n1i"])
    assert pd.isna(d["attribution"]) and pd.isna(d["record_id"]) and pd.isna(d["quote"])
    assert e["how"] == "MDT: not reported; control: not reported" and pd.isna(e["n1i"]) and pd.isna(e["n2i"])
    assert e["record_id"] == "Re"


def test_ae_table_counts_without_arm_sizes_are_incomplete():
    review = make_review()
    review.adverse_events.loc[5, ["events_mdt", "events_control"]] = [3, 4]     # e: counts but no arm sizes
    t = ae_table(review, ">=2")
    e = t.iloc[4]
    assert (e["ai"], e["ci"], e["status"]) == (3, 4, "incomplete") and pd.isna(e["n1i"]) and pd.isna(e["n2i"])


# --------------------------------------------------------------------------- pooling
def test_pool_safety_against_direct_fits():
    sr = pool_safety(make_review(), ">=2")
    assert sr.grade == ">=2" and len(sr.table) == 5 and list(sr.usable["trial_id"]) == ["a", "b"]
    assert sr.usable.index.tolist() == [0, 1]
    args = ([10.0, 12.0], [50.0, 40.0], [5.0, 4.0], [50.0, 40.0])
    assert sr.mh_or.beta == pytest.approx(rma_mh(*args, measure="OR").beta)
    assert sr.mh_rd.beta == pytest.approx(rma_mh(*args, measure="RD").beta)
    assert sr.peto.beta == pytest.approx(rma_peto(*args).beta)
    yi, vi = escalc_or(*map(np.array, args), add=0.5, to="only0")
    direct = rma(yi, vi, method=SETTINGS.method, test=SETTINGS.test)
    assert sr.re_or.beta == pytest.approx(direct.beta) and sr.re_or.ci_ub == pytest.approx(direct.ci_ub)
    assert sr.re_k == 2 and sr.double_zero == []
    assert sr.risk_mdt == pytest.approx(22 / 90) and sr.risk_control == pytest.approx(9 / 90)
    assert one_or(sr) == pytest.approx((math.exp(sr.mh_or.beta), math.exp(sr.mh_or.ci_lb), math.exp(sr.mh_or.ci_ub)))


def test_pool_safety_double_zero_and_settings():
    sr = pool_safety(make_review(), "5")
    assert list(sr.usable["trial_id"]) == ["a", "b"]
    assert sr.double_zero == ["A"] and sr.re_k == 1                   # 0/50 vs 0/50 has no log OR
    yi, vi = escalc_or(np.array([1.0]), np.array([45.0]), np.array([0.0]), np.array([45.0]), add=0.5, to="only0")
    assert sr.re_or.beta == pytest.approx(yi[0]) and sr.re_or.k == 1
    assert sr.risk_mdt == pytest.approx(1 / 95) and sr.risk_control == 0
    s = SimpleNamespace(method="DL", test="z", or_add=1.0, or_to="only0")
    sr2 = pool_safety(make_review(), "5", s)
    y2, _ = escalc_or(np.array([1.0]), np.array([45.0]), np.array([0.0]), np.array([45.0]), add=1.0, to="only0")
    assert sr2.re_or.beta == pytest.approx(y2[0]) and sr2.re_or.method == "DL" and sr2.re_or.test == "z"
    assert sr2.re_or.beta != pytest.approx(sr.re_or.beta)
    every = pool_safety(make_review(), ">=2", SimpleNamespace(method="DL", test="z", or_add=0.5, or_to="all"))
    args = [np.array(a) for a in ([10.0, 12.0], [50.0, 40.0], [5.0, 4.0], [50.0, 40.0])]
    y3, v3 = escalc_or(*args, add=0.5, to="all")                  # 0.5 added to every cell, not only to zeros
    assert every.re_or.beta == pytest.approx(rma(y3, v3, method="DL", test="z").beta)
    assert every.re_or.beta != pytest.approx(rma(*escalc_or(*args), method="DL", test="z").beta)


def test_pool_safety_nothing_usable():
    sr = pool_safety(make_review(), "3")
    assert sr.usable.empty and sr.mh_or is None and sr.mh_rd is None and sr.peto is None and sr.re_or is None
    assert sr.re_k == 0 and sr.double_zero == [] and math.isnan(sr.risk_mdt) and math.isnan(sr.risk_control)
    assert one_or(sr) is None


def test_pool_safety_one_trial_and_failures_become_none(monkeypatch):
    sr = pool_safety(make_review(), ">=3")
    assert list(sr.usable["trial"]) == ["A"] and sr.re_k == 1
    assert sr.mh_or.beta == pytest.approx(math.log((3 / 47) / (1 / 49)))     # the trial's own OR

    def fail(*a, **k):
        raise ValueError("no")
    monkeypatch.setattr(S, "rma_mh", fail)
    monkeypatch.setattr(S, "rma_peto", fail)
    sr = pool_safety(make_review(), ">=3")
    assert sr.mh_or is None and sr.mh_rd is None and sr.peto is None and sr.re_or is not None


# --------------------------------------------------------------------------- NNT and sentences
def test_nnt_text_rounding_up_and_both_sides():
    # RD 0.04 (0.01 to 0.07): 1/0.04 = 25; 1/0.07 = 14.3 → 15; 1/0.01 = 100
    assert nnt_text(0.04, 0.01, 0.07) == "NNTH 25 (95% CI NNTH 15 to NNTH 100)"
    assert nnt_text(-0.04, -0.07, -0.01) == "NNTB 25 (95% CI NNTB 15 to NNTB 100)"
    assert nnt_text(0.0, -0.02, 0.05) == "∞ (95% CI NNTH 20 to ∞ to NNTB 50)"
    assert nnt_text(0.03, 0.0, 0.06) == "NNTH 34 (95% CI NNTH 17 to ∞ to ∞)"


def test_safety_glue_values_pooled():
    pooled = {g: pool_safety(make_review(), g) for g in (">=2", ">=3", "5")}
    v = safety_glue_values(pooled, 5)
    mh, rd, re = pooled[">=2"].mh_or, pooled[">=2"].mh_rd, pooled[">=2"].re_or
    from helpers.show.text import fmt_ratio
    assert v["k2"] == "2 comparisons report" and v["k2_missing"] == "3" and v["n_comparisons"] == "5"
    assert v["add"] == "0.5"
    assert v["or2_sentence"] == (
        "Across these trials 24.4% of patients given MDT and 10.0% of controls had a grade ≥2 event. The pooled "
        f"Mantel–Haenszel odds ratio is {fmt_ratio(math.exp(mh.beta), math.exp(mh.ci_lb), math.exp(mh.ci_ub))} and "
        f"the random-effects odds ratio {fmt_ratio(math.exp(re.beta), math.exp(re.ci_lb), math.exp(re.ci_ub))}; "
        f"from the Mantel–Haenszel risk difference, {nnt_text(rd.beta, rd.ci_lb, rd.ci_ub)}.")
    assert v["k5"] == "2 trials" and v["deaths_mdt"] == "1" and v["deaths_control"] == "0"
    assert v["double_zero_5"] == "A"


def test_safety_glue_values_one_and_no_trial():
    review = make_review()
    one = {">=2": pool_safety(review, ">=3"), "5": pool_safety(review, "3")}
    v = safety_glue_values(one, 4)
    o = one_or(one[">=2"])
    assert v["k2"] == "1 comparison reports" and v["k2_missing"] == "4"
    assert v["or2_sentence"] == (f"Only one trial, A, reports them per arm (3/50 with MDT and 1/50 with control): its "
                                 f"odds ratio is {o[0]:.2f} ({o[1]:.2f}–{o[2]:.2f}). Nothing is pooled; one trial "
                                 "cannot show how harms vary across trials, and the paper's pooled odds ratio cannot "
                                 "be compared with it.")
    assert v["k5"] == "0 trials" and v["deaths_mdt"] == v["deaths_control"] == "0" and v["double_zero_5"] == "none"
    none = {">=2": pool_safety(review, "3"), "5": pool_safety(review, "3")}
    assert safety_glue_values(none, 4)["or2_sentence"] == (
        "No included trial reports grade ≥2 adverse events per arm, so no odds ratio can be given.")
    assert safety_glue_values(none, 4)["k2"] == "0 comparisons report"


def test_safety_glue_values_without_estimates():
    review = make_review()
    sr = pool_safety(review, ">=2")
    bare = dataclasses.replace(sr, mh_or=None, mh_rd=None, re_or=None)
    v = safety_glue_values({">=2": bare, "5": pool_safety(review, "5")}, 5)
    assert v["or2_sentence"].endswith("The pooled Mantel–Haenszel odds ratio is not estimable and the random-effects "
                                      "odds ratio not estimable; from the Mantel–Haenszel risk difference, not "
                                      "estimable.")


# --------------------------------------------------------------------------- tables
def test_deaths_table(monkeypatch):
    monkeypatch.setattr(S, "reader_labels", lambda review: SimpleNamespace(records={"Ra": ("Smith 2020", "http://a")}))
    t = deaths_table(make_review())
    assert list(t.columns) == ["Trial", "MDT", "Control", "Source", "Quote"]
    assert list(t["Trial"]) == ["A", "B", "C"]                              # f is not included
    assert list(t["MDT"]) == ["0", "1", "not reported"] and list(t["Control"]) == ["0", "0", "2"]
    assert [s.text for s in t["Source"]] == ["Smith 2020", "Rb", "Rc"] and t["Source"].iloc[0].url == "http://a"
    assert list(t["Quote"]) == ["quote a", "quote b", "quote c"]


def test_quality_of_life_table():
    t = quality_of_life_table(make_review())
    assert t.to_dict("list") == {"Trial": list("ABCDE"),
                                 "Quality of life": ["QoL stable; no difference"] + ["nothing reported in the sources "
                                                                                     "read"] * 4}
