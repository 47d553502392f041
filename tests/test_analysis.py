"""The analysis layer between data/ and the chapters: effect derivations per row,
sensitivity analyses, absolute effects, safety tables, counts, PRISMA and references."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

import helpers as h
from helpers.review.hazard_ratios import _row_effect, hazard_ratios, parse_p
from helpers.review.scenarios import pool, sensitivity_analyses
from helpers.review.efficacy import absolute_survival
from helpers.review.grade import certainty, grade_wording_for
from helpers.review.safety import ae_table, nnt_text, pool_safety
from conftest import ROOT


@pytest.fixture(scope="module")
def review():
    return h.load_review()


def _row(**kw):
    base = {"derivation": "reported", "hr": None, "ci_lower": None, "ci_upper": None, "ci_level": 95.0,
            "direction": "mdt_vs_control", "p_value": None, "p_sides": pd.NA, "p_favours": None, "events": pd.NA,
            "median_mdt": pd.NA, "median_control": pd.NA, "events_mdt": pd.NA, "events_control": pd.NA}
    base.update(kw)
    return pd.Series(base)


TRIAL = pd.Series({"n_mdt": 66, "n_control": 33})


def test_row_effects_invert_convert_levels_and_derive():
    yi, sei, hr, lo, hi, note = _row_effect(_row(hr=2.0, ci_lower=1.25, ci_upper=4.0, direction="control_vs_mdt"), TRIAL)
    assert hr == pytest.approx(0.5) and yi == pytest.approx(math.log(0.5))
    assert sei == pytest.approx((math.log(4.0) - math.log(1.25)) / (2 * 1.959963984540054))
    yi, sei, *_ , note = _row_effect(_row(hr=0.57, ci_lower=0.38, ci_upper=0.84, ci_level=80.0), TRIAL)
    assert sei == pytest.approx((math.log(0.84) - math.log(0.38)) / (2 * 1.2815515655446004))
    assert "80% CI" in note
    yi, sei, *_ = _row_effect(_row(derivation="from_hr_and_p", hr=0.5, p_value="0.036", p_sides=1), TRIAL)
    assert sei == pytest.approx(abs(math.log(0.5)) / 1.799118300, rel=1e-6)
    yi, sei, *_ = _row_effect(_row(derivation="from_p_and_events", p_value="0.07", events=29, p_favours="mdt"),
                              pd.Series({"n_mdt": 75, "n_control": 82}))
    V = 29 * 75 * 82 / 157**2
    assert yi == pytest.approx(-1.8119106729525971 / math.sqrt(V)) and sei == pytest.approx(1 / math.sqrt(V))
    yi, *_ , note = _row_effect(_row(derivation="not_available"), TRIAL)
    assert math.isnan(yi) and "no HR" in note


def test_parse_p():
    assert parse_p("0.006") == (0.006, True)
    assert parse_p("< .001") == (0.001, False)
    assert parse_p(None) == (None, False)


def test_hazard_ratio_tables_are_complete_and_first_reports_precede(review):
    for oc in ("PFS", "OS"):
        t = hazard_ratios(review, oc)
        assert t["trial_id"].is_unique
        assert set(t["trial_id"]) <= set(review.included["trial_id"])
        assert (t.loc[t["estimable"], "vi"] > 0).all()
        assert t.loc[~t["estimable"], "note"].str.len().gt(0).all(), "a comparison left out without a reason"
        first = hazard_ratios(review, oc, report="first")
        both = t.merge(first, on="trial_id", suffixes=("", "_first"))
        assert (both["pub_date_first"] <= both["pub_date"]).all()


def test_sensitivity_rows_never_fail_and_mark_not_estimable(review):
    s = sensitivity_analyses(review, "PFS")
    assert s["estimable"].iloc[0]
    assert (s.loc[~s["estimable"], "k"] < 2).all()
    assert s.loc[~s["estimable"], "hr"].isna().all()
    primary = s.iloc[0]
    res = pool(hazard_ratios(review, "PFS"))
    assert primary["hr"] == pytest.approx(math.exp(res.beta))


def test_absolute_survival():
    assert absolute_survival(0.5, 0.25) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        absolute_survival(0.5, 1.5)


def test_not_reported_is_never_zero(review):
    t = ae_table(review, ">=2")
    reported = set(review.adverse_events.loc[review.adverse_events["grade"] == ">=2", "trial_id"])
    for _, r in t.iterrows():
        if r["trial_id"] not in reported:
            assert r["status"] == "not reported" and pd.isna(r["ai"]) and pd.isna(r["ci"])
    s = pool_safety(review, ">=2")
    assert s.usable["ai"].notna().all() and len(s.usable) == (t["status"] == "usable").sum()


def test_nnt_notation():
    assert nnt_text(0.2, 0.05, 0.35) == "NNTH 5 (95% CI NNTH 3 to NNTH 20)"
    assert nnt_text(0.05, -0.02, 0.12) == "NNTH 20 (95% CI NNTH 9 to \u221e to NNTB 50)"
    assert nnt_text(-0.1, -0.2, -0.05).startswith("NNTB 10")


def test_grade_levels_and_wording():
    assert certainty({"a": (0, ""), "b": (1, "")}) == "moderate"
    assert certainty({"a": (2, ""), "b": (2, "")}) == "very low"
    assert grade_wording_for("moderate", 0.5, 0.4, 0.6, "PFS") == "MDT added to standard of care probably improves PFS"
    assert grade_wording_for("low", 1.8, 1.3, 2.4, "harms", True) == "MDT added to standard of care may increase harms"


def test_counts_and_prisma_agree_with_records(review):
    rec, tr = review.records, review.trials
    c = h.review_counts(review)
    p = h.prisma_counts(review)
    assert c["records"] == len(rec) == p["identified_databases"] + p["identified_other"]
    on_title = rec["screening_stage"] == "title or abstract"
    lost = ~on_title & (rec["retrieved"] == "no")
    assessed_out = (rec["decision"] == "excluded") & ~on_title & ~lost
    assert p["excluded_screening"] == on_title.sum() > 0 and p["not_retrieved"] == lost.sum() > 0
    assert p["sought"] == p["screened"] - p["excluded_screening"] == p["assessed"] + p["not_retrieved"]
    assert p["excluded_databases"] + p["excluded_other"] == assessed_out.sum()
    assert sum(p["exclusion_reasons"].values()) == assessed_out.sum()
    # every excluded record leaves the flow at exactly one box; the included ones reach the end
    assert p["excluded_screening"] + p["not_retrieved"] + assessed_out.sum() == (rec["decision"] == "excluded").sum()
    assert p["assessed"] - assessed_out.sum() == p["reports_included"]
    assert p["reports_included"] == (rec["decision"] == "included").sum()
    assert p["comparisons_included"] == (tr["included"] == "yes").sum()
    assert p["studies_included"] == tr.loc[tr["included"] == "yes", "trial_group"].nunique()
    n = sum(int(r["n_randomized"]) if pd.notna(r["n_randomized"]) else int(r["n_mdt"] + r["n_control"])
            for _, r in review.included.iterrows() if pd.notna(r["n_randomized"]) or pd.notna(r["n_mdt"]))
    assert c["participants"] == n


def test_references_bib_and_records_agree(review):
    bib = (ROOT / "references_trials.bib").read_text(encoding="utf-8")
    entries = dict(re.findall(r"@\w+\{([^,]+),(.*?)\n\}", bib, flags=re.S))
    assert set(entries) == set(review.records["record_id"]), "references_trials.bib is stale: run extraction/build_data.py"
    for _, r in review.records.iterrows():
        if isinstance(r["doi"], str):
            assert f"doi = {{{r['doi']}}}" in entries[r["record_id"]], r["record_id"]
    methods = (ROOT / "references.bib").read_text(encoding="utf-8")
    for key in re.findall(r"@\w+\{([^,]+),", methods):
        entry = methods.split(key, 1)[1].split("@", 1)[0]
        assert "doi" in entry or "url" in entry, f"{key} has neither a DOI nor an address"


def test_every_chapter_cites_only_known_keys():
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references.bib").read_text(encoding="utf-8")))
    keys |= set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references_trials.bib").read_text(encoding="utf-8")))
    for page in (ROOT / "chapters").glob("*.md"):
        for group in re.findall(r"\{cite(?::\w)?\}`([^`]+)`", page.read_text(encoding="utf-8")):
            for key in group.split(","):
                assert key.strip() in keys, f"{page.name}: unknown citation {key}"


def test_absolute_effects_per_cancer_group_hand_worked():
    import math

    import pandas as pd

    from helpers.review.efficacy import absolute_effects, control_baselines

    table = pd.DataFrame({"estimable": [True, True, True, True], "cancer_group": ["breast", "breast", "prostate", "mixed"],
                          "median_control": [10.0, 30.0, 12.0, None], "median_unit": ["months"] * 4,
                          "trial": ["A", "B", "C", "D"]})
    b = control_baselines(table).set_index("cancer_group")
    assert b.at["breast", "median_months"] == 20.0 and b.at["breast", "sources"] == ["A", "B"]
    assert math.isnan(b.at["mixed", "median_months"])            # no baseline borrowed for a mixed pool
    a = absolute_effects(0.5, 0.4, 0.6, b.reset_index(), months=12).set_index("cancer_group")
    assert list(a.index) == ["breast", "prostate"]
    s0 = 0.5 ** (12 / 20)
    assert a.at["breast", "control"] == pytest.approx(s0)
    assert a.at["breast", "per_1000"] == pytest.approx(1000 * (s0 ** 0.5 - s0))
    assert a.at["breast", "per_1000_lb"] == pytest.approx(1000 * (s0 ** 0.6 - s0))   # the CI's upper HR bound
    assert a.at["prostate", "control"] == pytest.approx(0.5)
    assert (a["per_1000_lb"] <= a["per_1000"]).all() and (a["per_1000"] <= a["per_1000_ub"]).all()


def test_prisma_flow_keeps_every_text_in_its_box_and_names_no_id(review):
    """PRISMA 2020 boxes: at most seven reason lines, grouped, never a record id; counts that
    were not recorded read "not recorded"; no text leaves its box (matplotlib's renderer)."""
    from helpers.show import plots

    p = h.prisma_counts(review)
    assert len(p["exclusion_reasons"]) <= 7
    assert not any("_" in k for k in p["exclusion_reasons"])
    assert p["duplicates_removed"] is None
    fig = plots.prisma_flow(p, 37)
    texts = [t.get_text() for _, t in fig.prisma_boxes]
    assert any("duplicates: not recorded" in t for t in texts)
    assert plots.text_outside_boxes(fig) == []
    # the check can fail: a reason line far longer than its box
    long = dict(p, exclusion_reasons={"no results published": 10 ** 60})
    assert plots.text_outside_boxes(plots.prisma_flow(long)) != []


def test_bib_titles_keep_their_capitalisation():
    """Every title in the generated .bib is braced twice, so "SABR-COMET" is not printed
    "Sabr-comet"; no author field carries the extractors' notes."""
    from conftest import ROOT

    text = (ROOT / "references_trials.bib").read_text(encoding="utf-8")
    titles = re.findall(r"^\s*title = (.*),?$", text, re.M)
    assert titles and all(t.startswith("{{") for t in titles)
    assert not re.search(r"author = \{\{[^}]*(not visible|per Urology|mirror)", text)
