"""The primary pool and the sensitivity scenarios (helpers.review.scenarios) on a five-row
hazard-ratio table made here; each scenario is checked against a direct ``rma`` fit of the
rows it should keep.

Rows: a (PFS, reported, abstract, de novo, low RoB, phase III, n 100), b (PFS, reported, congress,
recurrent, high RoB, II, n 80), c (TTF, ratio of medians, news, oligoprogressive, III, n unknown),
d (PFS, from HR and p, abstract, de novo, low, II, n 60), e (not estimable, n 50)."""
from __future__ import annotations

import math
from statistics import NormalDist
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.meta.rma import NotEstimable, rma
from helpers.review import scenarios as S
from helpers.review.scenarios import _scenario, _with_level, level_conflicts, pool, sensitivity_analyses
from helpers.review.settings import SETTINGS

NAN = math.nan


def table() -> pd.DataFrame:
    return pd.DataFrame({
        "trial_id": ["a", "b", "c", "d", "e"], "trial": ["A", "B", "C", "D", "E"],
        "yi": [math.log(0.5), math.log(0.6), math.log(0.9), math.log(0.8), NAN],
        "vi": [0.04, 0.05, 0.06, 0.03, NAN], "n": pd.array([100, 80, None, 60, 50], dtype="Int64"),
        "estimable": [True, True, True, True, False],
        "endpoint_class": ["PFS", "PFS", "TTF", "PFS", "PFS"],
        "derivation": ["reported", "reported", "ratio_of_medians", "from_hr_and_p", "not_available"],
        "source_tier": ["abstract", "congress", "news", "abstract", "abstract"],
        "disease_state": ["de_novo", "recurrent", "oligoprogressive", "de_novo", "de_novo"],
        "rob_overall": ["low", "high", "some concerns", "low", "low"], "phase": ["III", "II", "III", "II", "III"]})


def direct(t, ids, method=SETTINGS.method, test=SETTINGS.test):
    u = t.set_index("trial_id").loc[ids]
    return rma(u["yi"].to_numpy(float), u["vi"].to_numpy(float), method=method, test=test, level=SETTINGS.level)


# --------------------------------------------------------------------------- pool
def test_pool_uses_the_estimable_rows_and_the_settings():
    t = table()
    res = pool(t)
    want = direct(t, ["a", "b", "c", "d"])
    assert res.k == 4 and res.beta == pytest.approx(want.beta) and res.ci_ub == pytest.approx(want.ci_ub)
    assert res.slab == ("A", "B", "C", "D") or list(res.slab) == ["A", "B", "C", "D"]
    assert (res.method, res.test, res.level) == (SETTINGS.method, SETTINGS.test, SETTINGS.level)
    dl = pool(t, method="DL", test="z")
    assert (dl.method, dl.test) == ("DL", "z") and dl.tau2 == pytest.approx(direct(t, list("abcd"), "DL", "z").tau2)
    s = SimpleNamespace(method="PM", test="knha", level=90.0)
    pm = pool(t, s)
    assert (pm.method, pm.test, pm.level) == ("PM", "knha", 90.0)


def test_pool_without_an_estimable_row():
    t = table()
    with pytest.raises(NotEstimable, match="no estimable comparison"):
        pool(t[~t["estimable"]])
    with pytest.raises(NotEstimable):
        pool(pd.DataFrame())


# --------------------------------------------------------------------------- one scenario
def test_scenario_row():
    t = table()
    row = _scenario("name", t, SETTINGS)
    res = direct(t, list("abcd"))
    assert row == {"analysis": "name", "k": 4, "n": 240, "hr": pytest.approx(math.exp(res.beta)),
                   "ci_lb": pytest.approx(math.exp(res.ci_lb)), "ci_ub": pytest.approx(math.exp(res.ci_ub)),
                   "pval": pytest.approx(res.pval), "tau2": pytest.approx(res.tau2), "I2": pytest.approx(res.I2),
                   "estimable": True}
    ee = _scenario("ee", t, SETTINGS, "EE", "z")
    assert ee["hr"] == pytest.approx(math.exp(direct(t, list("abcd"), "EE", "z").beta)) and ee["tau2"] == 0


def test_scenario_needs_two_comparisons():
    t = table()
    one = _scenario("one", t[t["trial_id"].isin(["a", "e"])], SETTINGS)
    assert one["k"] == 1 and one["n"] == 100 and one["estimable"] is False
    assert all(math.isnan(one[c]) for c in ("hr", "ci_lb", "ci_ub", "pval", "tau2", "I2"))
    none = _scenario("none", t[t["trial_id"] == "e"], SETTINGS)
    assert none["k"] == 0 and none["n"] == 0 and none["estimable"] is False
    two = _scenario("two", t[t["trial_id"].isin(["a", "b"])], SETTINGS)
    assert two["k"] == 2 and two["n"] == 180 and two["estimable"] is True


# --------------------------------------------------------------------------- the scenarios
def make_review(conflict: bool):
    """Outcome rows only for level_conflicts: a's primary HR is printed at 90%; a 2024 review
    prints the same numbers as a 95% CI (when ``conflict``)."""
    rows = [
        {"outcome": "PFS", "derivation": "reported", "trial_id": "a", "primary": "yes", "hr": 0.5, "ci_lower": 0.3,
         "ci_upper": 0.8, "ci_level": 90.0, "record_id": "R1"},
        {"outcome": "PFS", "derivation": "reported", "trial_id": "a", "primary": "no", "hr": 0.5, "ci_lower": 0.3,
         "ci_upper": 0.8, "ci_level": 95.0 if conflict else 90.0, "record_id": "R2"},
        {"outcome": "PFS", "derivation": "reported", "trial_id": "b", "primary": "yes", "hr": 0.6, "ci_lower": 0.4,
         "ci_upper": 0.9, "ci_level": 95.0, "record_id": "R1"},
        {"outcome": "PFS", "derivation": "reported", "trial_id": "b", "primary": "no", "hr": 0.6, "ci_lower": 0.4,
         "ci_upper": 0.95, "ci_level": 90.0, "record_id": "R2"},
    ]
    records = pd.DataFrame({"record_id": ["R1", "R2"], "journal": ["J Clin", "Rev J"], "year": [2016, 2024]})
    return SimpleNamespace(outcomes=pd.DataFrame(rows), records=records)


@pytest.fixture
def tables(monkeypatch):
    first = table()
    first.loc[first["trial_id"] == "a", "yi"] = math.log(0.4)             # the first report of a differs
    first = first[first["trial_id"] != "d"]                                # d had no estimate at first
    calls = []

    def fake(review, outcome, report="primary"):
        calls.append((outcome, report))
        return first if report == "first" else table()

    monkeypatch.setattr(S, "hazard_ratios", fake)
    return first, calls


def test_sensitivity_analyses_pfs(tables):
    first, calls = tables
    s = sensitivity_analyses(make_review(conflict=False), "PFS")
    assert calls == [("PFS", "primary"), ("PFS", "first")]
    t = table()
    names = (["Primary model (restricted maximum likelihood with Hartung–Knapp–Sidik–Jonkman (ad hoc: never narrower "
              "than z))",
              "Restricted maximum likelihood with Wald-type z-test", "DerSimonian–Laird with Wald-type z-test",
              "Restricted maximum likelihood with Hartung–Knapp–Sidik–Jonkman (untruncated)",
              "Paule–Mandel with Hartung–Knapp–Sidik–Jonkman (ad hoc: never narrower than z)",
              "Common (equal) effect with Wald-type z-test",
              "First report of each trial", "Progression-free survival endpoints only",
              "Reported HRs only (no derived estimates)", "Excluding congress- or news-only numbers",
              "Excluding oligoprogressive comparisons", "Excluding high risk of bias", "Phase III only"])
    assert s["analysis"].tolist() == names
    keep = [list("abcd")] * 6 + [None, ["a", "b", "d"], ["a", "b"], ["a", "d"], ["a", "b", "d"], ["a", "c", "d"],
                                 ["a", "c"]]
    models = [(SETTINGS.method, SETTINGS.test), *SETTINGS.sensitivity_models] + [(SETTINGS.method, SETTINGS.test)] * 7
    for (_, r), ids, (m, te) in zip(s.iterrows(), keep, models):
        if ids is None:                                                     # first reports: a (0.4), b, c
            ids, src = ["a", "b", "c"], first
        else:
            src = t
        want = direct(src, ids, m, te)
        n = int(src.set_index("trial_id").loc[ids, "n"].dropna().sum())
        assert (r["k"], r["n"], r["estimable"]) == (len(ids), n, True), r["analysis"]
        assert r["hr"] == pytest.approx(math.exp(want.beta), rel=1e-10), r["analysis"]
        assert r["ci_ub"] == pytest.approx(math.exp(want.ci_ub), rel=1e-10), r["analysis"]


def test_sensitivity_analyses_os_has_no_pfs_only_row(tables):
    _, calls = tables
    s = sensitivity_analyses(make_review(conflict=False), "OS", SETTINGS)
    assert calls == [("OS", "primary"), ("OS", "first")]
    assert "Progression-free survival endpoints only" not in s["analysis"].tolist()
    assert len(s) == 12


def test_sensitivity_analyses_with_other_settings(tables):
    s = SimpleNamespace(method="DL", test="z", level=90.0, sensitivity_models=(("EE", "z"),),
                        describe=lambda m=None, t=None: f"{m or 'DL'}-{t or 'z'}")
    out = sensitivity_analyses(make_review(conflict=False), "PFS", s)
    assert out["analysis"].tolist()[:3] == ["Primary model (DL-z)", "EE-z", "First report of each trial"]
    t = table()
    want = rma(t["yi"][:4].to_numpy(), t["vi"][:4].to_numpy(), method="DL", test="z", level=90)
    assert out["ci_lb"].iloc[0] == pytest.approx(math.exp(want.ci_lb))


def test_level_conflicts():
    review = make_review(conflict=True)
    t = table()
    assert level_conflicts(review, "PFS", t) == {"a": (95.0, 90.0, "Rev J 2024")}
    assert level_conflicts(make_review(conflict=False), "PFS", t) == {}
    assert level_conflicts(review, "OS", t) == {}
    # only estimable comparisons with a reported HR are looked at
    t2 = t.assign(derivation=["from_hr_and_p"] + list(t["derivation"][1:]))
    assert level_conflicts(review, "PFS", t2) == {}
    t3 = t.assign(estimable=[False, True, True, True, False])
    assert level_conflicts(review, "PFS", t3) == {}
    # a trial without a primary row is skipped
    no_primary = make_review(conflict=True)
    no_primary.outcomes.loc[0, "primary"] = "no"
    assert level_conflicts(no_primary, "PFS", t) == {}
    # the other source's row must be a reported one of the same outcome
    derived = make_review(conflict=True)
    derived.outcomes.loc[1, "derivation"] = "from_hr_and_p"
    assert level_conflicts(derived, "PFS", t) == {}


def test_with_level_rescales_one_variance():
    t = table()
    z = NormalDist().inv_cdf
    out = _with_level(t, "a", 90.0, 95.0)
    factor = (1.6448536269514722 / 1.959963984540054) ** 2                 # 0.704296
    assert factor == pytest.approx((z(0.95) / z(0.975)) ** 2)
    assert out.loc[0, "vi"] == pytest.approx(0.04 * factor, rel=1e-12)
    assert out["vi"][1:4].tolist() == [0.05, 0.06, 0.03]
    assert t.loc[0, "vi"] == 0.04                                           # the input is not changed
    wider = _with_level(t, "b", 95.0, 90.0)
    assert wider.loc[1, "vi"] == pytest.approx(0.05 / factor, rel=1e-12)


def test_conflict_adds_a_scenario(tables):
    s = sensitivity_analyses(make_review(conflict=True), "PFS")
    last = s.iloc[-1]
    assert last["analysis"] == "A: CI read as 95% (as Rev J 2024 labels it)" and len(s) == 14
    t = _with_level(table(), "a", 90.0, 95.0)
    want = direct(t, list("abcd"))
    assert last["hr"] == pytest.approx(math.exp(want.beta), rel=1e-10)
    assert last["ci_lb"] == pytest.approx(math.exp(want.ci_lb), rel=1e-10)
    assert last["hr"] != pytest.approx(s.iloc[0]["hr"], rel=1e-6)
