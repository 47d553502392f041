"""Value tests of the review wing's page modules on small hand-made reviews (no results loaded):
helpers.review.differences, .methods, .whatif and .search.  Every expected value is worked out
by hand in the comments from the inputs built here."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from conftest import REFERENCE_JSON
from helpers.review import differences as diff
from helpers.review import methods as meth
from helpers.review import search as srch
from helpers.review import whatif as wif
from helpers.review.data import Review
from helpers.review.labels import ReaderLabels
from helpers.review.settings import SETTINGS, AnalysisSettings

NA = pd.NA
I64 = "Int64"

TRIAL_COLS = ("trial_id", "trial_group", "trial_name", "cancer_type", "cancer_group", "phase", "n_randomized", "n_mdt",
              "n_control", "mdt_modality", "modality_class", "control_arm", "control_class", "systemic_therapy",
              "timing", "disease_state", "max_lesions", "included", "exclusion_reason", "classification_note",
              "reconciliation_note")


def _trials(rows: list[dict]) -> pd.DataFrame:
    """trials.csv-like rows: every column present, missing values as None / <NA>."""
    df = pd.DataFrame([{c: r.get(c) for c in TRIAL_COLS} for r in rows])
    for c in ("n_randomized", "n_mdt", "n_control", "max_lesions"):
        df[c] = pd.array([NA if x is None else x for x in df[c]], dtype=I64)
    return df


def _review(trials, records=None, provenance=None, outcomes=None, paper=None, search_log=None, rob=None,
            grade=None) -> Review:
    empty = pd.DataFrame()
    return Review(records=records if records is not None else pd.DataFrame(columns=["record_id", "decision"]),
                  trials=trials,
                  provenance=provenance if provenance is not None else pd.DataFrame(
                      columns=["trial_id", "record_id", "field", "value"]),
                  outcomes=outcomes if outcomes is not None else pd.DataFrame(
                      columns=["trial_id", "record_id", "outcome", "primary"]),
                  adverse_events=empty, risk_of_bias=rob if rob is not None else empty,
                  paper_reported=paper if paper is not None else _paper(), rob_me=empty,
                  grade=grade if grade is not None else empty, search_log=search_log, reconciliation=empty,
                  data_dir=Path("."))


def _paper(records=21.0, participants=3500.0) -> pd.DataFrame:
    return pd.DataFrame({"analysis_id": ["records_included", "participants_included", "search_cutoff"],
                         "estimate": [records, participants, None], "finding": [None, None, "9 June 2025"],
                         "quote": [None, None, "searched up to 9 June 2025"]})


# --------------------------------------------------------------------------- differences
def _diff_trials():
    return _trials([
        dict(trial_id="a", trial_group="ga", trial_name="A", included="yes", disease_state="mixed", n_randomized=1000,
             timing="upfront", modality_class="SBRT", classification_note="n_mdt/n_control from Table 1",
             reconciliation_note="pass a said de_novo"),
        dict(trial_id="b", trial_group="gb", trial_name="B", included="yes", disease_state="oligoprogressive",
             n_mdt=20, n_control=30, timing=None, modality_class="surgery", classification_note=None,
             reconciliation_note=None),
        dict(trial_id="c", trial_group="gb", trial_name="C", included="yes", disease_state="oligoprogressive",
             n_randomized=100, timing=None, modality_class="SBRT", classification_note="x <= 5",
             reconciliation_note=""),
        dict(trial_id="e", trial_group="ge", trial_name="E", included="yes", disease_state="mixed", n_randomized=50,
             timing="consolidation", modality_class="SBRT", classification_note="plain",
             reconciliation_note="a -> b"),
        dict(trial_id="x1", trial_name="X1", included="no", exclusion_reason="cap of 10 lesions", n_randomized=100,
             cancer_type="breast", max_lesions=10),
        dict(trial_id="x2", trial_name="X2", included="no", exclusion_reason=">5 lesions allowed", cancer_type="lung"),
        dict(trial_id="x3", trial_name="X3", included="no", exclusion_reason="both arms receive SBRT",
             n_randomized=70),
        dict(trial_id="x4", trial_name="X4", included="no", exclusion_reason="primary tumour resected too",
             n_randomized=2000),
        dict(trial_id="x5", trial_name="X5", included="no", exclusion_reason=None, n_randomized=9),
        dict(trial_id="x6", trial_name="X6", included="no", exclusion_reason="no results published"),
    ])


def _diff_review():
    records = pd.DataFrame({"record_id": list("pqrst"),
                            "decision": ["included", "included", "excluded", "included", "excluded"]})
    prov = pd.DataFrame({"trial_id": ["a", "e", "a"], "record_id": ["p", "q", "p"],
                         "field": ["pct_recurrent", "pct_recurrent", "mdt_dose"], "value": ["72.5", "50", "30 Gy"]})
    return _review(_diff_trials(), records=records, provenance=prov)


def _hr_tables():
    pfs = pd.DataFrame({"trial_id": ["a", "b", "c", "c"], "trial": ["A", "B", "C", "C"],
                        "estimable": [True, False, False, False],
                        "endpoint_class": ["PFS", "rPFS", "TTP", "TTP"]})
    os_ = pd.DataFrame({"trial_id": ["b", "e"], "trial": ["B", "E"], "estimable": [True, False],
                        "endpoint_class": ["OS", "OS"]})
    return {"PFS": pfs, "OS": os_}


def test_differences_glue_values():
    v = diff.differences_glue_values(_diff_review(), _hr_tables())
    # classes: x1 "cap" and x2 ">5" → more than 5 lesions; x4 "primary" → MDT not to all lesions;
    # x3 → both arms; x5 (no reason) and x6 (no results) are not borderline; BORDERLINE's order
    assert v["borderline"] == ("trials that allowed more than five lesions (X1, X2); trials that treated the primary "
                               "tumour or not every metastasis (X4); trials that gave MDT in both arms (X3)")
    assert v["oligoprogressive"] == "B, C"
    assert v["paper_records"] == "21" and v["paper_participants"] == "3,500"
    assert v["records"] == "3"                       # p, q, s included
    assert v["comparisons"] == "4"                   # a, b, c, e
    assert v["participants"] == "1,200"              # 1000 + (20 + 30) + 100 + 50
    assert v["n_excluded"] == "6"
    assert v["excluded_phrase"] == "6 comparisons assessed and excluded, with reasons"
    # estimable for PFS {a}, for OS {b}: c and e have no usable HR
    assert v["n_not_estimable"] == "2"
    # PFS rows whose endpoint is not PFS, each trial once, sorted
    assert v["surrogate"] == "B, C"


def test_differences_glue_values_with_nothing_to_say():
    t = _trials([dict(trial_id="a", trial_group="ga", trial_name="A", included="yes", disease_state="recurrent",
                      n_randomized=5),
                 dict(trial_id="x", trial_name="X", included="no", exclusion_reason="no results published")])
    tables = {"PFS": pd.DataFrame({"trial_id": ["a"], "trial": ["A"], "estimable": [True], "endpoint_class": ["PFS"]}),
              "OS": pd.DataFrame({"trial_id": [], "trial": [], "estimable": pd.Series([], dtype=bool),
                                  "endpoint_class": []})}
    v = diff.differences_glue_values(_review(t, paper=_paper(7.0, 999.0)), tables)
    assert v["borderline"] == "none" and v["oligoprogressive"] == "none"
    assert v["n_not_estimable"] == "0" and v["surrogate"] == "" and v["n_excluded"] == "1"
    assert v["paper_participants"] == "999" and v["paper_records"] == "7" and v["participants"] == "5"
    assert v["excluded_phrase"] == "1 comparison assessed and excluded, with reasons"


def test_a_comparison_whose_source_was_not_identified_awaits_classification():
    t = _trials([dict(trial_id="a", trial_group="ga", trial_name="A", included="yes", disease_state="recurrent",
                      n_randomized=5),
                 dict(trial_id="x", trial_name="X", included="no", exclusion_reason="no results published"),
                 dict(trial_id="y", trial_name="Y", included="no",
                      exclusion_reason="record could not be identified (no URL in the search result)")])
    tables = {"PFS": pd.DataFrame({"trial_id": ["a"], "trial": ["A"], "estimable": [True], "endpoint_class": ["PFS"]}),
              "OS": pd.DataFrame({"trial_id": [], "trial": [], "estimable": pd.Series([], dtype=bool),
                                  "endpoint_class": []})}
    v = diff.differences_glue_values(_review(t, paper=_paper(7.0, 999.0)), tables)
    assert v["excluded_phrase"] == ("1 comparison assessed and excluded, with reasons, and 1 awaiting "
                                    "classification")


def test_excluded_table():
    t = diff.excluded_table(_diff_review())
    assert list(t.columns) == ["Trial", "Cancer", "Lesion cap", "Why excluded"]
    assert list(t["Trial"]) == ["X1", "X2", "X3", "X4", "X5", "X6"]
    assert t.iloc[0].tolist() == ["X1", "breast", 10, "cap of 10 lesions"]


def test_classification_table():
    t = diff.classification_table(_diff_review())
    assert list(t.columns) == ["Trial", "Timing", "Disease state", "MDT modality"]
    assert list(t["Trial"]) == ["A", "B", "C", "E"]
    assert list(t["Timing"]) == ["upfront", "n/a (oligoprogression)", "n/a (oligoprogression)", "consolidation"]
    assert list(t["Disease state"]) == ["mixed", "oligoprogressive", "oligoprogressive", "mixed"]
    assert list(t["MDT modality"]) == ["SBRT", "surgery", "SBRT", "SBRT"]
    notes = diff.classification_notes_table(_diff_review())
    assert list(notes.columns) == ["Trial", "Extractors' note"] and list(notes["Trial"]) == ["A", "B", "C", "E"]
    assert list(notes["Extractors' note"]) == ["arm sizes from Table 1", "", "x ≤ 5", "plain"]


def test_classification_table_disease_state_words():
    t = _trials([dict(trial_id="a", trial_name="A", included="yes", disease_state="de_novo", timing="upfront")])
    assert diff.classification_table(_review(t))["Disease state"].tolist() == ["de novo"]


def test_reconciliation_table():
    t = diff.reconciliation_table(_diff_review())
    # rows with a note only (b: None, c: ""), codes in reader words
    assert list(t.columns) == ["Trial", "How the two extractions were reconciled"]
    assert t.values.tolist() == [["A", "pass a said de novo"], ["E", "a → b"]]


def test_broader_trials():
    assert list(diff.broader_trials(_diff_review())["trial_id"]) == ["x1", "x2", "x4"]


def test_broader_labels_are_classes_that_exclusion_class_returns():
    from helpers.review.counts import exclusion_class
    assert exclusion_class("primary tumour resected") in diff.BROADER
    assert exclusion_class("cap of 8") in diff.BROADER
    assert {k for k, _ in diff.BORDERLINE} == {exclusion_class(r) for r in ("cap", "primary", "both arms")}


@pytest.mark.parametrize("value,want", [("72.5", "recurrent"), ("50.5", "recurrent"), ("49.9", "de_novo"),
                                        ("0", "de_novo"), ("50", None)])
def test_mixed_majority(value, want):
    prov = pd.DataFrame({"trial_id": ["m", "m2"], "record_id": ["p", "p"], "field": ["pct_recurrent", "mdt_dose"],
                         "value": [value, "90"]})
    got = diff.mixed_majority(_review(_diff_trials(), provenance=prov))
    assert got == ({} if want is None else {"m": want})


def test_scenario_review_broader():
    review = _diff_review()
    wide = diff.scenario_review(review, "broader")
    assert list(wide.included["trial_id"]) == ["a", "b", "c", "e", "x1", "x2", "x4"]
    assert list(review.included["trial_id"]) == ["a", "b", "c", "e"]          # the original is left alone
    assert wide.provenance is review.provenance


@pytest.mark.parametrize("scenario,other", [("mixed_de_novo", "de_novo"), ("mixed_recurrent", "recurrent")])
def test_scenario_review_mixed_bounds(scenario, other):
    review = _diff_review()
    s = diff.scenario_review(review, scenario)
    got = dict(zip(s.trials["trial_id"], s.trials["disease_state"]))
    # a: 72.5% recurrent → its majority whatever the bound; e: a 50% split has none → the bound
    assert got["a"] == "recurrent" and got["e"] == other
    assert got["b"] == got["c"] == "oligoprogressive"
    assert list(review.trials["disease_state"][:4]) == ["mixed", "oligoprogressive", "oligoprogressive", "mixed"]
    assert list(s.trials["included"]) == list(review.trials["included"])


def test_scenario_review_unknown():
    with pytest.raises(ValueError, match="unknown scenario 'x'; known: broader, mixed_de_novo, mixed_recurrent"):
        diff.scenario_review(_diff_review(), "x")


def test_scenario_scorecards(monkeypatch):
    import helpers.review.scorecard as sc
    seen = []
    monkeypatch.setattr(sc, "scorecard", lambda review, settings: seen.append((review, settings)) or len(seen))
    review = _diff_review()
    out = diff.scenario_scorecards(review)
    assert out == {"broader": 1, "mixed_de_novo": 2, "mixed_recurrent": 3}
    assert all(s is SETTINGS for _, s in seen)
    assert len(seen[0][0].included) == 7
    assert list(seen[1][0].included["disease_state"]) == ["recurrent", "oligoprogressive", "oligoprogressive", "de_novo"]
    assert list(seen[2][0].included["disease_state"]) == ["recurrent", "oligoprogressive", "oligoprogressive",
                                                          "recurrent"]
    mine = AnalysisSettings(method="DL")
    diff.scenario_scorecards(review, mine)
    assert all(s is mine for _, s in seen[3:]) and len(seen) == 6


def test_composition_table():
    card = pd.DataFrame({"outcome": ["PFS", "OS"], "factor": ["overall", "disease_state"],
                         "subgroup": ["all", "de_novo"], "paper": ["0.5 (0.4–0.6)", "0.7"],
                         "book": ["0.55 (0.45–0.65)", "0.8"], "k": [3, 1], "n": [1234, 50],
                         "trials": ["A, B, C", ""]})
    sc = {"broader": pd.DataFrame({"book": ["0.6", "0.9"], "k": [5, 2], "n": [2500, 80]}),
          "mixed_de_novo": pd.DataFrame({"book": ["0.61", "0.91"], "k": [3, 4], "n": [1234, 999]}),
          "mixed_recurrent": pd.DataFrame({"book": ["0.62", "0.92"], "k": [3, 0], "n": [1234, 0]})}
    t = diff.composition_table(card, sc)
    assert list(t.columns) == ["Estimate", "Paper", "This book", "k (n)", "Comparisons", "Broader eligibility",
                               "Mixed → de novo", "Mixed → recurrent"]
    assert t.iloc[0].tolist() == ["PFS", "0.5 (0.4–0.6)", "0.55 (0.45–0.65)", "3 (1,234)", "A, B, C",
                                  "0.6; k = 5 (2,500)", "0.61; k = 3 (1,234)", "0.62; k = 3 (1,234)"]
    assert t.iloc[1].tolist() == ["OS · de novo", "0.7", "0.8", "1 (50)", "none", "0.9; k = 2 (80)",
                                  "0.91; k = 4 (999)", "0.92; k = 0 (0)"]


def test_scenario_glue_values():
    v = diff.scenario_glue_values(_diff_review())
    # broader: x1 (100), x2 (not reported), x4 (2000): 2,100 more; 1,200 + 2,100 = 3,300 of 3,500 = 94.3%
    assert v == {"broader_k": "3 randomised MDT comparisons",
                 "broader_names": "X1 (n = 100), X2 (size not reported) and X4 (n = 2,000)",
                 "broader_n": "2,100", "broader_total": "3,300", "paper_n": "3,500", "broader_share": "94%",
                 "broader_unknown": "1 comparison of unknown size", "mixed_names": "A and E",
                 "majority": "A (72.5% recurrent) and E (50% recurrent)"}


def test_scenario_glue_values_with_none():
    t = _trials([dict(trial_id="a", trial_group="ga", trial_name="A", included="yes", disease_state="recurrent",
                      n_randomized=700),
                 dict(trial_id="x", trial_name="X", included="no", exclusion_reason="both arms")])
    v = diff.scenario_glue_values(_review(t, paper=_paper(3.0, 1000.0)))
    # nothing broader: 700 of 1,000 = 70%
    assert v == {"broader_k": "0 randomised MDT comparisons", "broader_names": "none", "broader_n": "0",
                 "broader_total": "700", "paper_n": "1,000", "broader_share": "70%", "broader_unknown": "0 comparisons",
                 "mixed_names": "none", "majority": "none"}


def test_scenario_glue_values_two_unknown():
    t = _trials([dict(trial_id="a", trial_group="ga", trial_name="A", included="yes", disease_state="recurrent",
                      n_randomized=10),
                 dict(trial_id="x", trial_name="X", included="no", exclusion_reason="cap 8"),
                 dict(trial_id="y", trial_name="Y", included="no", exclusion_reason="cap 9")])
    v = diff.scenario_glue_values(_review(t, paper=_paper(3.0, 40.0)))
    assert v["broader_unknown"] == "2 comparisons of unknown size" and v["broader_n"] == "0"
    assert v["broader_share"] == "25%" and v["broader_names"] == "X (size not reported) and Y (size not reported)"


# --------------------------------------------------------------------------- methods
def _methods_review():
    t = _trials([
        dict(trial_id="e1", trial_group="extend", trial_name="EXTEND - prostate basket (NCT1)", included="yes"),
        dict(trial_id="e2", trial_group="extend", trial_name="EXTEND - breast basket", included="yes"),
        dict(trial_id="s", trial_group="solo", trial_name="SOLO", included="yes"),
        dict(trial_id="s2", trial_group="solo", trial_name="SOLO-2", included="no", exclusion_reason="cap"),
        dict(trial_id="z1", trial_group="zeta", trial_name="ZETA (phase II)", included="yes"),
        dict(trial_id="z2", trial_group="zeta", trial_name="ZETA 2", included="yes"),
        dict(trial_id="z3", trial_group="zeta", trial_name="ZETA 3", included="yes"),
    ])
    return _review(t)


def test_methods_glue_values_defaults():
    v = meth.methods_glue_values(_methods_review())
    version = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["metafor_version"]
    assert v == {
        "primary": "restricted maximum likelihood with Hartung–Knapp–Sidik–Jonkman (ad hoc: never narrower than z)",
        "level": "95%",
        "others": ("restricted maximum likelihood with Wald-type z-test; DerSimonian–Laird with Wald-type z-test; "
                   "restricted maximum likelihood with Hartung–Knapp–Sidik–Jonkman (untruncated); Paule–Mandel with "
                   "Hartung–Knapp–Sidik–Jonkman (ad hoc: never narrower than z); common (equal) effect with "
                   "Wald-type z-test"),
        "pi": "the Riley et al. prediction interval, from a t distribution with k − 2 degrees of freedom",
        "subgroup_test": "separate-τ² (R meta, RevMan)", "singletons": "enter", "min_k": "10", "egger_p": "0.10", "add": "0.5",
        "to": "tables with a zero cell (as metafor does for studies with zero cells only)", "cutoff": "9 June 2025", "months": "12", "metafor": version,
        # groups with more than one included comparison, in group order; SOLO has one included, one excluded
        "cohorts": "EXTEND (2 comparisons) and ZETA (3 comparisons)",
    }


def test_methods_glue_values_other_settings():
    s = AnalysisSettings(level=90, pi="t", subgroup_test="common", subgroup_singletons_enter=False,
                         min_k_small_study=5, or_add=0.25, or_to="all", absolute_months=24.5,
                         sensitivity_models=(("DL", "knha"),))
    t = _trials([dict(trial_id="a", trial_group="a", trial_name="A", included="yes")])
    v = meth.methods_glue_values(_review(t), s)
    assert v["level"] == "90%" and v["singletons"] == "do not enter" and v["min_k"] == "5"
    assert v["pi"] == ("metafor's default prediction interval, from the normal distribution, or from a t distribution "
                       "with k − 1 degrees of freedom under the Hartung–Knapp tests")
    assert v["subgroup_test"] == "common-τ² (a meta-regression on the subgroup indicator)"
    assert v["add"] == "0.25" and v["to"] == "every table" and v["months"] == "24.5"
    for to, words in (("if0all", "every table when any table has a zero cell"), ("none", "no table")):
        assert meth.methods_glue_values(_review(t), replace(s, or_to=to))["to"] == words
    assert v["others"] == "DerSimonian–Laird with Hartung–Knapp–Sidik–Jonkman (untruncated)"
    assert v["cohorts"] == "none here"


def test_rob_figures(monkeypatch):
    from helpers.show import plots
    calls = {}
    monkeypatch.setattr(plots, "rob_traffic_light", lambda rob, names: calls.setdefault("light", (rob, names)))
    monkeypatch.setattr(plots, "rob_summary", lambda rob, weights: calls.setdefault("summary", (rob, weights)))
    rob = pd.DataFrame({"trial_id": ["b", "a", "a", "c"], "outcome": ["PFS", "PFS", "OS", "OS"],
                        "overall": ["high", "low", "some", "low"]})
    review = SimpleNamespace(risk_of_bias=rob)
    rep = SimpleNamespace(outcome="PFS", pooled=pd.DataFrame({"trial_id": ["a", "c", "b"], "trial": ["A", "C", "B"]}),
                          res=SimpleNamespace(weights=[50.0, 30.0, 20.0]))
    light, summary = meth.rob_figures(rep, review)
    # pooled order a, c, b; c has no PFS judgement; weights follow the trial ids
    assert light[1] == ["A", "B"] and list(light[0]["trial_id"]) == ["a", "b"]
    assert list(light[0]["overall"]) == ["low", "high"]
    assert summary[1] == [50.0, 20.0] and list(summary[0]["trial_id"]) == ["a", "b"]


# --------------------------------------------------------------------------- what-if panel
def _whatif_rep(yi_res=None, settings=SETTINGS):
    pooled = pd.DataFrame({"trial_id": ["t1", "t2", "t3"], "trial": ["One", "Two", "Three"],
                           "yi": [-0.5, 0.1, -0.2], "vi": [0.04, 0.09, 0.01],
                           "rob_overall": ["low", "some concerns", "high"],
                           "derivation": ["reported", "from_hr_and_p", "reported"],
                           "record_type": ["full paper", "abstract", "long-term update"]})
    res = SimpleNamespace(yi=yi_res if yi_res is not None else [-0.5, 0.1, -0.2])
    return SimpleNamespace(outcome="OS", settings=settings, pooled=pooled, res=res)


def test_whatif_input():
    j = wif.whatif_input(_whatif_rep())
    assert j["outcome"] == "OS"
    assert j["settings"] == {"method": "REML", "test": "adhoc", "level": 95.0, "pi": "riley"}
    assert isinstance(j["settings"]["level"], float)
    assert j["labels"] == {"REML": "Restricted maximum likelihood (REML)", "DL": "DerSimonian–Laird (DL)",
                           "PM": "Paule–Mandel (PM)", "EE": "Common (equal) effect (EE)",
                           "z": "Wald-type z-test",
                           "adhoc": "HKSJ, ad hoc (never narrower than z)", "knha": "HKSJ (untruncated)"}
    assert j["comparisons"] == [
        {"id": "t1", "label": "One", "yi": -0.5, "vi": 0.04, "low_rob": True, "reported": True, "full_text": True},
        {"id": "t2", "label": "Two", "yi": 0.1, "vi": 0.09, "low_rob": False, "reported": False, "full_text": False},
        {"id": "t3", "label": "Three", "yi": -0.2, "vi": 0.01, "low_rob": False, "reported": True, "full_text": True}]
    json.dumps(j)   # JSON-ready


def test_whatif_reader_labels_capitalise_and_name_the_code():
    s = AnalysisSettings(labels={"REML": "reml words", "DL": "dl", "PM": "", "EE": "e", "z": "z words",
                                 "adhoc": "ad hoc", "knha": "kh"}, method="DL", test="z", level=90, pi="t")
    j = wif.whatif_input(_whatif_rep(settings=s))
    # estimators: the settings' words, first letter raised, with the code; tests: the panel's short labels
    assert j["labels"] == {"REML": "Reml words (REML)", "DL": "Dl (DL)", "PM": " (PM)", "EE": "E (EE)",
                           "z": "Wald-type z-test", "adhoc": "HKSJ, ad hoc (never narrower than z)",
                           "knha": "HKSJ (untruncated)"}
    assert j["settings"] == {"method": "DL", "test": "z", "level": 90.0, "pi": "t"}


def test_whatif_input_refuses_other_comparisons():
    with pytest.raises(ValueError, match="not those of the pooled fit"):
        wif.whatif_input(_whatif_rep(yi_res=[-0.5, -0.2, 0.1]))
    assert wif.PANEL_METHODS == ("REML", "DL", "PM", "EE") and wif.PANEL_TESTS == ("z", "adhoc", "knha")


# --------------------------------------------------------------------------- search
def _log():
    return pd.DataFrame({"query_no": [1, 2, 3], "date": ["2025-06-01", "2025-06-02", "2025-06-09"],
                         "corpus": ["pubmed", "web", "pubmed"], "query": ["q1", "q2", "q3"], "n_hits": [8, 0, 3],
                         "useful": ["yes", "no", "yes"],
                         "notes": ["[pass_a2] found " + "x" * 200, None, "[pass_b] ok"],
                         "purpose": ["discovery", "confirmatory", "confirmatory"]})


def test_search_log_table():
    t = srch.search_log_table(SimpleNamespace(search_log=_log()))
    # the discovery queries, without the extractors' notes (their shorthand stays in the CSV)
    assert list(t.columns) == ["No.", "Date", "Searched by", "Query", "Hits (at most 8)", "Used"]
    assert list(t["Searched by"]) == ["Extractor 1, second round"]
    assert list(t["No."]) == [1] and list(t["Query"]) == ["q1"] and list(t["Hits (at most 8)"]) == [8]
    assert list(t["Date"]) == ["2025-06-01"] and list(t["Used"]) == ["yes"]
    c = srch.search_log_table(SimpleNamespace(search_log=_log()), purpose="confirmatory")
    assert list(c["No."]) == [2, 3] and list(c["Searched by"]) == ["", "Extractor 2, first round"]


def test_search_log_shown_sentence():
    log = _log()
    paper = pd.DataFrame({"analysis_id": ["search_cutoff", "records_included"], "finding": ["9 June 2025", ""],
                          "quote": ["q", ""], "estimate": [None, 37]})
    v = srch.search_glue_values(SimpleNamespace(search_log=log, paper_reported=paper))
    assert v["log_shown"] == ("The table lists the 1 discovery query of the 3; the CSV holds every query with the "
                              "extractors' note on what it found.")
    assert "corpora" not in v
    every = SimpleNamespace(search_log=log.assign(purpose="discovery"), paper_reported=paper)
    assert srch.search_glue_values(every)["log_shown"].startswith("The table lists every query")


def test_search_log_download():
    t = srch.search_log_download(SimpleNamespace(search_log=_log()))
    assert list(t.columns) == ["No.", "Date", "Searched by", "Corpus", "Purpose", "Query", "Hits (at most 8)", "Used",
                               "Notes"]
    assert list(t["Searched by"]) == ["Extractor 1, second round", "", "Extractor 2, first round"]
    assert list(t["Corpus"]) == ["pubmed", "web", "pubmed"]
    assert list(t["Purpose"]) == ["discovery", "confirmatory", "confirmatory"]
    # the whole note, not cut
    assert list(t["Notes"]) == ["found " + "x" * 200, "", "ok"]


def _search_review():
    t = _trials([
        dict(trial_id="t1", trial_group="g1", trial_name="ONE (NCT1)", included="yes", phase=None, cancer_type="lung",
             n_randomized=99, n_mdt=None, n_control=50, control_arm="observation", systemic_therapy="none",
             mdt_modality="SBRT", timing="upfront", disease_state="de_novo", max_lesions=None),
        dict(trial_id="t2", trial_group="g2", trial_name="TWO", included="yes", phase="II", cancer_type="breast",
             n_randomized=None, n_mdt=10, n_control=12, control_arm="SOC", systemic_therapy="ET",
             mdt_modality="surgery", timing=None, disease_state="oligoprogressive", max_lesions=3),
        dict(trial_id="x1", trial_group="gx", trial_name="XONE", included="no", cancer_type="prostate",
             exclusion_reason="Results presented after the cut-off"),
        dict(trial_id="x2", trial_group="gy", trial_name="XTWO", included="no", cancer_type="lung",
             exclusion_reason="cap 10"),
        dict(trial_id="x3", trial_group="gz", trial_name="XTHREE", included="no", cancer_type="colon",
             exclusion_reason="Ongoing"),
        dict(trial_id="x4", trial_group="gw", trial_name="XFOUR", included="no", cancer_type="colon",
             exclusion_reason=None),
    ])
    records = pd.DataFrame({
        "record_id": ["smith_2020", "jones_2021", "lee_2019", "rev_2022", "mirror_2023"],
        "decision": ["included", "included", "excluded", "included", "excluded"],
        "trial_group": ["g1", "g2", "gx", "g1", "g2"],
        "record_type": ["full paper", "abstract", "protocol", "review", "news"],
        "source_tier": ["full text", "abstract", "abstract", "full text", "page"],
        "title": ["T1", "T2", "T3", "T4", "T5"],
        "exclusion_reason": [None, None, "protocol of smith_2020", None, "duplicate"],
        "authors": ["Smith J et al.", "Jones K", "Lee A", "Review: X", "Mirror copy"],
        "year": [2020, 2021, 2019, 2022, 2023], "journal": ["Lancet", "JCO", None, None, "Web"],
        "doi": ["10.1/a", None, None, None, None], "pmid": [None, "123", None, None, None],
        "url": [None, None, "http://lee", None, "http://m"],
        "pub_date": pd.Series(["2020-03-01", None, "2019-01-01", "2022-01-01", None], dtype=object)})
    outcomes = pd.DataFrame({"trial_id": ["t1", "t1", "t2", "t1"],
                             "record_id": ["smith_2020", "smith_2020", "jones_2021", "rev_2022"],
                             "outcome": ["PFS", "OS", "PFS", "PFS"], "primary": ["yes", "no", "no", "no"]})
    prov = pd.DataFrame({"trial_id": ["t1", "t1", "t2"], "record_id": ["smith_2020", "jones_2021", "jones_2021"],
                         "field": ["mdt_dose", "mdt_dose", "follow_up"], "value": ["30 Gy", "8 Gy", "24 months"]})
    return _review(t, records=records, outcomes=outcomes, provenance=prov)


def test_record_tables():
    inc, exc = srch.record_tables(_search_review())
    assert list(inc.columns) == ["Record", "Trial", "Type", "Read as", "Role"]
    # smith_2020 is the primary source of an included comparison: a citation role; the others are links
    assert list(inc["Record"]) == ["{cite:t}`smith_2020`", "[Jones 2021, JCO](https://pubmed.ncbi.nlm.nih.gov/123/)",
                                   "Anonymous 2022"]
    assert list(inc["Trial"]) == ["ONE", "TWO", "ONE"]
    assert list(inc["Type"]) == ["full paper", "abstract", "review"]
    assert list(inc["Read as"]) == ["full text", "abstract", "full text"]
    assert list(inc["Role"]) == ["OS (other), PFS (primary)", "PFS (other)", "PFS (other)"]
    assert list(exc.columns) == ["Record", "Title", "Trial", "Reason"]
    assert list(exc["Record"]) == ["[Lee 2019](http://lee)", "[Web 2023 (copy on another site)](http://m)"]
    assert list(exc["Title"]) == ["T3", "T5"] and list(exc["Trial"]) == ["XONE", "TWO"]
    assert list(exc["Reason"]) == ["protocol of [Smith 2020, Lancet](https://doi.org/10.1/a)", "duplicate"]


def test_record_tables_design_facts_role():
    review = _search_review()
    inc, _ = srch.record_tables(replace(review, outcomes=review.outcomes.drop(index=[3])))   # rev_2022: no outcome
    assert list(inc["Role"]) == ["OS (other), PFS (primary)", "PFS (other)", "design facts"]


def test_characteristics_table_parts():
    review = _search_review()
    allc = srch.characteristics_table(review)
    assert list(allc.columns) == ["Trial", "First published", "Phase", "Cancer", "n (MDT/control)", "Control arm",
                                  "Systemic therapy", "MDT", "MDT dose", "Timing", "Disease state", "Max lesions",
                                  "Staging imaging", "Follow-up"]
    assert list(allc["Trial"]) == ["ONE (NCT1)", "TWO"]
    # t1: earliest own dated record 2020-03-01 (rev_2022 is a review); t2: jones_2021 has no pub_date → its year
    assert list(allc["First published"]) == ["2020", "2021"]
    assert list(allc["Phase"]) == ["not reported", "II"]
    assert list(allc["n (MDT/control)"]) == ["99 (?/50)", "? (10/12)"]
    assert list(allc["MDT dose"]) == ["30 Gy; 8 Gy", "not reported"]
    assert list(allc["Follow-up"]) == ["not reported", "24 months"]
    assert list(allc["Staging imaging"]) == ["not reported", "not reported"]
    assert list(allc["Timing"]) == ["upfront", "n/a"]
    assert list(allc["Disease state"]) == ["de novo", "oligoprogression"]
    assert list(allc["Max lesions"]) == ["not reported", "3"]
    assert list(allc["Control arm"]) == ["observation", "SOC"] and list(allc["MDT"]) == ["SBRT", "surgery"]
    assert list(allc["Systemic therapy"]) == ["none", "ET"] and list(allc["Cancer"]) == ["lung", "breast"]
    assert list(srch.characteristics_table(review, "design").columns) == ["Trial", "First published", "Phase", "Cancer",
                                                                           "n (MDT/control)"]
    assert list(srch.characteristics_table(review, "arms").columns) == ["Trial", "Control arm", "Systemic therapy",
                                                                         "MDT", "MDT dose"]
    assert list(srch.characteristics_table(review, "disease").columns) == ["Trial", "Timing", "Disease state",
                                                                            "Max lesions", "Staging imaging",
                                                                            "Follow-up"]
    with pytest.raises(ValueError, match="part must be"):
        srch.characteristics_table(review, "other")


def test_characteristics_table_undated_trial():
    review = _search_review()
    review = replace(review, outcomes=review.outcomes.drop(index=[2]),
                     provenance=review.provenance.drop(index=[1, 2]))     # nothing cites jones_2021 for t2
    assert list(srch.characteristics_table(review, "design")["First published"]) == ["2020", "—"]


def test_ongoing_table():
    t = srch.ongoing_table(_search_review())
    assert list(t.columns) == ["Trial", "Cancer", "Status"]
    # "after" and "Ongoing" (case-insensitive) match; "cap 10" and a missing reason do not
    assert t.values.tolist() == [["XONE", "prostate", "Results presented after the cut-off"],
                                 ["XTHREE", "colon", "Ongoing"]]


@pytest.mark.parametrize("reason,hit", [("no results published", True), ("Not published yet", True),
                                        ("no result", True), ("included", False)])
def test_ongoing_table_reasons(reason, hit):
    t = _trials([dict(trial_id="x", trial_name="X", included="no", exclusion_reason=reason),
                 dict(trial_id="y", trial_name="Y", included="yes", exclusion_reason="ongoing")])
    assert list(srch.ongoing_table(_review(t))["Trial"]) == (["X"] if hit else [])


# --------------------------------------------------------------------------- record labels and reasons in reader words
def test_distinct_citations_letter_records_that_read_the_same():
    from helpers.review.labels import distinct_citations

    recs = [dict(record_id="a", authors="Chmura SJ", year=2022, journal="J Clin Oncol 40(16_suppl)"),
            dict(record_id="b", authors="Lee A", year=2021, journal="JCO"),
            dict(record_id="c", authors="Chmura SJ et al.", year=2022, journal="J Clin Oncol (ASCO 2022)"),
            dict(record_id="d", authors="ClinicalTrials.gov (Veeva copy)", year=None, journal="registry"),
            dict(record_id="e", authors="ClinicalTrials.gov (trials.co copy)", year=None, journal="registry")]
    assert distinct_citations(recs) == ["Chmura 2022a, J Clin Oncol", "Lee 2021, JCO", "Chmura 2022b, J Clin Oncol",
                                        "ClinicalTrials.gov undated a", "ClinicalTrials.gov undated b"]


def _reason_records():
    return pd.DataFrame({"record_id": ["x_2024_a", "x_2024_b", "y_2025", "z_na", "w_1"],
                         "trial_group": ["x", "x", "y", "z", "w"], "decision": ["excluded"] * 5})


@pytest.mark.parametrize("reason,want", [
    ("meta-analysis; trial list NOT seen; reviewer should check its tables", "meta-analysis; trial list not visible"),
    ("date not visible; if after 2025-06-09 it falls outside -> reviewer to check", "date not visible; if after 2025-06-09 it falls outside"),
    ("no <=5 cap; 48 pts; CTA copy", "no ≤5 cap; 48 patients; Cancer Therapy Advisor copy"),
    ("same as x_2024_a", "same reason as X 2024"),
    ("as elamin_2025_esmo", "same reason as X 2024"),                           # a record not listed: the trial's other record
    ("no results found (searched once); not published as far as seen", "no results found; not published"),
    ("record could not be identified (no URL/authors/journal in the search result)",
     "Awaiting classification (PRISMA 2020), not an exclusion: record could not be identified (no address, authors or "
     "journal in the search result)"),
    (None, ""),
])
def test_record_reason(reason, want):
    labels = ReaderLabels(records={"x_2024_a": ("X 2024", None)})
    recs = _reason_records()
    rec = {"record_id": "x_2024_b", "trial_group": "x", "decision": "excluded", "exclusion_reason": reason}
    assert srch.record_reason(rec, recs, labels) == want


def test_record_reason_drops_a_superseded_no_numbers_clause():
    rec = {"record_id": "g", "trial_group": "g", "decision": "included",
           "exclusion_reason": "eligible on design; abstract cut -> no outcome numbers seen; reviewer to decide"}
    recs = pd.DataFrame({"record_id": ["g"], "trial_group": ["g"], "decision": ["included"]})
    assert srch.record_reason(rec, recs, ReaderLabels(), sources={"g"}) == "eligible on design"
    assert srch.record_reason(rec, recs, ReaderLabels()) == "eligible on design; abstract cut → no outcome numbers visible"
    lone = {"record_id": "z_na", "trial_group": "z", "decision": "excluded", "exclusion_reason": "as q_2020_r"}
    assert srch.record_reason(lone, _reason_records(), ReaderLabels()) == "same reason as another report of this trial"


def test_record_trials_and_awaiting():
    labels = ReaderLabels(groups={"stomp": "STOMP", "oriole": "ORIOLE"})
    assert srch.record_trials("stomp;oriole", labels) == "STOMP, ORIOLE"
    assert srch.record_trials("wolverine_xmet", labels) == "several trials"
    assert srch.record_trials("several trials", labels) == "several trials" and srch.record_trials(None, labels) == "—"
    review = SimpleNamespace(records=pd.DataFrame({"exclusion_reason": ["record could not be identified", "protocol", None]}))
    assert srch.awaiting_sentence(review) == (
        "One record in this table could not be identified (no address, authors or journal in the search result): "
        "PRISMA 2020 counts it as awaiting classification, not as excluded, and its reason says so.")
    assert srch.awaiting_sentence(SimpleNamespace(records=review.records.iloc[1:])) == ""
