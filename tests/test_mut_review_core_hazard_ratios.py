"""Assembly of the hazard-ratio table (helpers.review.hazard_ratios.hazard_ratios and
first_publication) on a review made here (the per-row arithmetic is in test_values_hazard_ratios).

Records: R1 paper dated 2018-05-01; R2 abstract of 2020 without a date; R3 a review of 2015;
R4 congress report without year or date. Comparisons: t1 (NSCLC) PFS 0.5 (0.4–0.625) in R2
(primary) and 0.6 (0.45–0.8) in R1 (its first report); t2 (prostate) PFS not available in R4,
cited in R2's provenance; t3 (prostate) PFS 0.8 (0.64–1.0) in R1, cited by the review R3 too;
t4 excluded."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review.hazard_ratios import first_publication, hazard_ratios

NAN = math.nan
Z = 1.959963984540054


def trial(tid, group, name, **kw):
    base = {"trial_id": tid, "trial_group": f"g{tid}", "trial_name": name, "cancer_type": "ct", "cancer_group": group,
            "phase": "III", "n_randomized": pd.NA, "n_mdt": 50, "n_control": 50, "control_arm": "SOC",
            "control_class": "cc", "systemic_therapy": "st", "mdt_modality": "SBRT", "modality_class": "RT",
            "timing": "upfront", "disease_state": "de_novo", "included": "yes"}
    base.update(kw)
    return base


def outcome(tid, rec, out="PFS", primary="yes", derivation="reported", hr=NAN, lo=NAN, hi=NAN, **kw):
    base = {"trial_id": tid, "record_id": rec, "outcome": out, "primary": primary, "derivation": derivation,
            "hr": hr, "ci_lower": lo, "ci_upper": hi, "ci_level": 95.0, "direction": "mdt_vs_control",
            "p_value": None, "p_sides": NAN, "p_favours": None, "events": NAN, "events_mdt": NAN,
            "events_control": NAN, "median_mdt": NAN, "median_control": NAN, "median_unit": None,
            "endpoint_name": f"{out} of {tid}", "endpoint_class": out, "analysis": "ITT", "source_url": f"u/{rec}"}
    base.update(kw)
    return base


def make_review():
    trials = pd.DataFrame([trial("t1", "NSCLC", "One", n_randomized=120), trial("t2", "prostate", "Two"),
                           trial("t3", "prostate", "Three", n_mdt=pd.NA), trial("t4", "NSCLC", "Four", included="no")])
    records = pd.DataFrame({"record_id": ["R1", "R2", "R3", "R4"], "year": pd.array([2018, 2020, 2015, None],
                                                                                      dtype="Int64"),
                            "pub_date": pd.Series(["2018-05-01", None, "2015-01-01", None], dtype=object),
                            "source_tier": ["journal", "abstract", "review", "congress"],
                            "record_type": ["paper", "abstract", "review", "congress abstract"]})
    outcomes = pd.DataFrame([
        outcome("t1", "R2", hr=0.5, lo=0.4, hi=0.625, p_value="0.003", median_mdt=14.0, median_control=9.0,
                median_unit="months"),
        outcome("t1", "R1", primary="no", hr=0.6, lo=0.45, hi=0.8),
        outcome("t2", "R4", derivation="not_available"),
        outcome("t3", "R1", hr=0.8, lo=0.64, hi=1.0),
        outcome("t4", "R1", hr=0.9, lo=0.8, hi=1.0),
        outcome("t1", "R2", out="OS", hr=0.7, lo=0.5, hi=0.98),
    ])
    provenance = pd.DataFrame({"trial_id": ["t2", "t3"], "record_id": ["R2", "R3"]})
    rob = pd.DataFrame({"outcome": ["PFS", "PFS", "OS"], "trial_id": ["t1", "t3", "t1"],
                        "overall": ["low", "high", "some concerns"]})
    return SimpleNamespace(trials=trials, included=trials[trials["included"] == "yes"], records=records,
                           outcomes=outcomes, provenance=provenance, risk_of_bias=rob)


def test_first_publication():
    first = first_publication(make_review())
    # t1: R1 2018-05-01 before R2 "2020"; t2: R4 undated (dropped), R2 → "2020"; t3: R1, the review R3 not counted
    assert first.to_dict() == {"t1": "2018-05-01", "t2": "2020", "t3": "2018-05-01", "t4": "2018-05-01"}


def test_first_publication_leaves_out_registries_and_protocols():
    review = make_review()
    review.records["record_type"] = ["registry", "protocol", "review", "congress abstract"]
    assert first_publication(review).to_dict() == {}      # R4 is the only own record, and it is undated
    review.records.loc[3, "year"] = 2017
    assert first_publication(review).to_dict() == {"t2": "2017"}


def test_primary_table():
    t = hazard_ratios(make_review(), "PFS")
    # NSCLC first; within prostate by first publication (t3 2018 before t2 2020), not by name
    assert t["trial_id"].tolist() == ["t1", "t3", "t2"] and t.index.tolist() == [0, 1, 2]
    t1, t3, t2 = (t.iloc[i] for i in range(3))
    assert (t1["trial"], t1["trial_group"], t1["cancer_group"], t1["n"], t1["n_mdt"]) == ("One", "gt1", "NSCLC", 120, 50)
    assert pd.isna(t3["n"]) and t2["n"] == 100                          # t3 lacks an arm size
    assert t1["record_id"] == "R2" and t1["pub_date"] == "2020" and t1["year"] == 2020
    assert t1["first_pub_date"] == "2018-05-01" and t1["source_tier"] == "abstract"
    assert t1["record_type"] == "abstract" and t1["source_url"] == "u/R2"
    assert t1["yi"] == pytest.approx(math.log(0.5))
    assert t1["vi"] == pytest.approx((math.log(0.625 / 0.4) / (2 * Z)) ** 2)
    assert t1["hr"] == pytest.approx(0.5) and t1["ci_lb"] == pytest.approx(0.4, rel=1e-9)
    assert t1["ci_ub"] == pytest.approx(0.625, rel=1e-9)                  # symmetric on the log scale: 0.5²/0.4
    assert t1["estimable"] and t1["note"] == "" and t1["rob_overall"] == "low"
    assert (t1["hr_printed"], t1["ci_lower_printed"], t1["ci_upper_printed"]) == (0.5, 0.4, 0.625)
    assert (t1["endpoint_name"], t1["endpoint_class"], t1["analysis"]) == ("PFS of t1", "PFS", "ITT")
    assert (t1["ci_level"], t1["direction"], t1["derivation"]) == (95.0, "mdt_vs_control", "reported")
    assert t1["p_value"] == "0.003" and t2["derivation"] == "not_available"
    assert (t1["median_mdt"], t1["median_control"], t1["median_unit"]) == (14.0, 9.0, "months")
    assert (t1["control_arm"], t1["timing"], t1["disease_state"], t1["phase"]) == ("SOC", "upfront", "de_novo", "III")
    assert t3["rob_overall"] == "high" and pd.isna(t2["rob_overall"])
    assert t2["pub_date"] == "undated" and pd.isna(t2["year"]) and t2["first_pub_date"] == "2020"
    assert not t2["estimable"] and math.isnan(t2["yi"])
    assert t2["note"] == "no HR, CI, exact p-value with events, or medians with events reported"


def test_first_report_table():
    t = hazard_ratios(make_review(), "PFS", report="first")
    by = t.set_index("trial_id")
    assert by.at["t1", "record_id"] == "R1" and by.at["t1", "hr"] == pytest.approx(0.6)   # 2018 before 2020
    assert by.at["t2", "record_id"] == "R4"                   # nothing usable: the unusable row, not dropped
    assert set(t["trial_id"]) == {"t1", "t2", "t3"}


def test_first_report_prefers_a_usable_row_over_an_earlier_unusable_one():
    review = make_review()
    extra = pd.DataFrame([outcome("t1", "R1", primary="no", derivation="not_available")])
    review.outcomes = pd.concat([extra, review.outcomes], ignore_index=True)
    review.records.loc[0, "pub_date"] = "2018-05-01"
    review.outcomes.loc[2, "record_id"] = "R2"             # t1's reported rows are now both from 2020
    t = hazard_ratios(review, "PFS", report="first").set_index("trial_id")
    assert t.at["t1", "derivation"] == "reported"


def test_other_outcome_and_argument_checks():
    os_ = hazard_ratios(make_review(), "OS")
    assert os_["trial_id"].tolist() == ["t1"] and os_.at[0, "rob_overall"] == "some concerns"
    review = make_review()
    review.outcomes = review.outcomes[review.outcomes["outcome"] == "PFS"]
    empty = hazard_ratios(review, "OS")
    assert empty.empty and list(empty.columns) == ["trial_id", "trial", "yi", "vi", "estimable", "note"]
    with pytest.raises(ValueError, match="outcome must be 'PFS' or 'OS'"):
        hazard_ratios(make_review(), "DFS")
    with pytest.raises(ValueError, match="report must be 'primary' or 'first'"):
        hazard_ratios(make_review(), "PFS", report="last")
