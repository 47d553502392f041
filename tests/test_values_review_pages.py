"""Page values of helpers.review on hand-made inputs (no review loaded): the metafor agreement
summary on a two-fit reference file, the data notes in reader words, the summary of findings'
computed-versus-judged comparison and the search paragraph's values; expected values by hand."""
from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review.differences import reader_note
from helpers.review.grade import DOMAINS
from helpers.review.metafor_check import metafor_agreement, metafor_glue_values
from helpers.review.search import search_glue_values
from helpers.review.sof import JUDGEMENT_LEVELS, _compare, _judged

NAN = float("nan")


@pytest.fixture
def reference(tmp_path):
    # yi = (0, 1), vi = (1, 1): FE mean 0.5 with SE √(1/2); Q = 0.5 < df = 1, so DL's τ² = 0 and its mean is 0.5 too
    nones = dict.fromkeys(("beta", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "I2", "H2", "QE", "QEp"))
    ref = {"metafor_version": "3.8-1", "R_version": "4.4.1", "datasets": {"d": {"yi": [0.0, 1.0], "vi": [1.0, 1.0]}},
           "fits": {"a": {"dataset": "d", "method": "FE", "test": "z", "fit": nones | {"beta": 0.5, "se": math.sqrt(0.5)}},
                    "b": {"dataset": "d", "method": "DL", "test": "knha",
                          "fit": nones | {"beta": 0.55, "tau2": 0.0, "QE": 0.5}}}}
    path = tmp_path / "ref.json"
    path.write_text(json.dumps(ref), encoding="utf-8")
    return path


def test_metafor_agreement(reference):
    v = metafor_agreement(reference)
    assert v["metafor_version"] == "3.8-1" and v["R_version"] == "4.4.1"
    assert v["n_values"] == 5 and v["n_models"] == 2
    assert v["max_rel_diff"] == pytest.approx(0.05 / 0.55) and v["worst"] == "b beta"   # |0.5 − 0.55| / 0.55
    assert v["methods"] == ["DL", "FE"] and v["tests"] == ["knha", "z"]


def test_metafor_glue_values(reference):
    assert metafor_glue_values(reference) == {"n_values": "5", "n_models": "2", "max": "9.1e-02", "metafor": "3.8-1",
                                              "R": "4.4.1", "methods": "DL, FE", "tests": "knha, z"}


@pytest.mark.parametrize("text,want", [
    ("n_mdt/n_control from Table 1", "arm sizes from Table 1"), ("n_mdt only", "MDT arm size only"),
    ("n_control only", "control arm size only"), ("n_randomized printed", "number randomised printed"),
    ("de_novo disease", "de novo disease"), ("a -> b", "a → b"), ("x <= 5", "x ≤ 5"), ("x >= 5", "x ≥ 5"),
    (None, ""), (NAN, ""), (3, "3"), ("plain", "plain"),
])
def test_reader_note(text, want):
    assert reader_note(text) == want


def test_judged_and_compare():
    review = SimpleNamespace(grade=pd.DataFrame({
        "outcome": ["OS", "OS", "PFS"], "domain": ["risk of bias", "imprecision", "risk of bias"],
        "judgement": ["serious", "very serious", "not serious"], "reason": ["open label", "few events", "fine"]}))
    judged = _judged(review, "OS")
    assert list(judged) == list(DOMAINS)
    assert judged["risk of bias"] == (1, "open label") and judged["imprecision"] == (2, "few events")
    assert judged["inconsistency"] == (0, "no judgement")
    assert JUDGEMENT_LEVELS == {"not serious": 0, "serious": 1, "very serious": 2}
    computed = {d: (0, f"c {d}") for d in DOMAINS} | {"risk of bias": (1, "weights"), "publication bias": (2, "egger")}
    rows = _compare("OS", computed, judged)
    assert [r["Domain"] for r in rows] == list(DOMAINS)
    assert rows[0] == {"Outcome": "OS", "Domain": "risk of bias", "Computed trigger": "serious", "Why (computed)": "weights",
                       "Judged": "serious", "Why (judged)": "open label", "Agree": "yes"}
    assert rows[3] == {"Outcome": "OS", "Domain": "imprecision", "Computed trigger": "not serious",
                       "Why (computed)": "c imprecision", "Judged": "very serious", "Why (judged)": "few events",
                       "Agree": "no: the judgement departs from the trigger (see the reasons)"}
    assert rows[4]["Computed trigger"] == "very serious" and rows[4]["Agree"] == "no: the judgement departs from the trigger (see the reasons)"
    assert [r["Agree"] for r in rows[1:3]] == ["yes", "yes"]


def _search_review(dates):
    paper = pd.DataFrame({"analysis_id": ["search_cutoff", "records_included"], "finding": ["March 2025", "x"],
                          "quote": ["searched to March 2025", ""], "estimate": [NAN, 21.0]})
    log = pd.DataFrame({"date": dates, "useful": ["yes", "no", "yes"][:len(dates)],
                        "corpus": ["pubmed", "web", "pubmed"][:len(dates)],
                        "purpose": ["discovery", "confirmatory", "confirmatory"][:len(dates)]})
    return SimpleNamespace(paper_reported=paper, search_log=log)


def test_search_glue_values():
    v = search_glue_values(_search_review(["2025-03-02", "2025-03-01", "2025-03-05"]))
    assert v == {"cutoff": "March 2025", "cutoff_quote": "searched to March 2025", "n_queries": "3", "n_useful": "2",
                 "log_dates": "2025-03-01 to 2025-03-05", "paper_records": "21",
                 "n_discovery": "1", "n_confirmatory": "2",
                 "log_shown": "The table lists the 1 discovery query of the 3; the CSV holds every query with the "
                              "extractors' note on what it found."}
    assert search_glue_values(_search_review(["2025-03-01"]))["log_dates"] == "2025-03-01"
    assert search_glue_values(_search_review(["2025-03-02", "2025-03-01"]))["log_dates"] == "2025-03-01 to 2025-03-02"
    assert search_glue_values(_search_review(["2025-03-01", "2025-03-01"]))["log_dates"] == "2025-03-01"
