"""Value tests of helpers.review.trial_pages on a hand-made two-group review (no results loaded):
each section's Markdown, how a printed row enters the analyses, the index, writing and links."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review import trial_pages as tp
from helpers.review.labels import ReaderLabels

NA = None


def test_small_formatters():
    assert tp._url(" http://x.org/a b<c>(d)[e]`f\\g\"h'i ") == (
        "http://x.org/a%20b%3Cc%3E%28d%29%5Be%5D%60f%5Cg%22h%27i")
    assert tp._url("a\tb") == "a%09b"
    assert tp.md_link("a*b", "http://x") == "[a\\*b](http://x)"
    assert tp.md_link("a*b", "  ") == "a\\*b" and tp.md_link("a*b", None) == "a\\*b"
    assert tp._table(["A", "B"], [["1", "2"], ["3", "4"]]) == "| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"
    assert tp._num(0.456) == "0.46" and tp._num(2.25, 1) == "2.2" and tp._num(None) == "—"
    assert tp._num(float("nan")) == "—" and tp._num("n/a") == "n/a" and tp._num(3, 0) == "3"
    assert tp._int(12.0) == "12" and tp._int("7") == "7" and tp._int(None) == "not reported"
    assert tp._int(" ") == "not reported" and tp._int(pd.NA) == "not reported" and tp._int("x12") == "x12"
    assert tp._cell("a|b") == "a\\|b"
    assert tp.md_escape(None) == "—" and tp.md_escape(float("nan")) == "—" and tp.md_escape(" a\n b ") == "a b"
    assert tp.md_escape(3) == "3"


def test_words():
    w = tp._Words(ReaderLabels(records={"smith_2020": ("Smith 2020", "http://s")}, trials={"t_one": "T-ONE"}))
    assert w("see smith_2020 and t_one") == "see Smith 2020 and T\\-ONE"
    assert w(None) == "—" and w(" ") == "—" and w(float("nan")) == "—" and w("") == "—"
    assert w.code("de_novo") == "de novo" and w.code("mdt_vs_control") == "MDT vs control"
    assert w.code(None) == "—" and w.code("") == "—" and w.code(float("nan")) == "—"
    assert w.record("smith_2020") == "[Smith 2020](http://s)" and w.record("jones_2021") == "jones 2021"


@pytest.mark.parametrize("row,want", [
    (dict(hr=0.5, ci_lower=0.3, ci_upper=0.8, ci_level=95), "0.50 (0.30–0.80, 95% CI)"),
    (dict(hr=0.5, ci_lower=0.3, ci_upper=0.8, ci_level=90.0, direction="control_vs_mdt"),
     "0.50 (0.30–0.80, 90% CI); printed as control vs MDT"),
    (dict(hr=0.5, ci_lower=0.3, ci_upper=0.8, ci_level=None), "0.50 (0.30–0.80, ?% CI)"),
    (dict(hr=1.234, ci_lower=None, ci_upper=None, ci_level=95, direction="mdt_vs_control"), "1.23 (no CI printed)"),
    (dict(hr=None, ci_lower=0.3, ci_upper=0.8), "—"),
])
def test_printed(row, want):
    assert tp._printed(row) == want


@pytest.mark.parametrize("row,want", [
    (dict(median_mdt=12.34, median_control=6.0, median_unit="months"), "12.3 vs 6.0 months"),
    (dict(median_mdt=None, median_control=6.0, median_unit=None), "— vs 6.0"),
    (dict(median_mdt=12.0, median_control=None, median_unit="weeks"), "12.0 vs — weeks"),
    (dict(median_mdt=None, median_control=None, median_unit="months"), "—"),
])
def test_medians(row, want):
    assert tp._medians(row) == want


@pytest.mark.parametrize("row,want", [
    (dict(p_value=0.0123), "p = 0.0123"), (dict(p_value="0.04", p_sides=1), "p = 0.04 (1-sided)"),
    (dict(p_value=0.04, p_sides="1.0"), "p = 0.04 (1-sided)"), (dict(p_value=0.04, p_sides=2), "p = 0.04"),
    (dict(p_value="<0.001"), "p <0.001"), (dict(p_value="≤ 0.05"), "p ≤ 0.05"), (dict(p_value="ns"), "p = ns"),
    (dict(p_value=None), "—"), (dict(p_value=" "), "—"), (dict(), "—"), (dict(p_value=float("nan")), "—"),
    (dict(p_value=0.5, p_sides=None), "p = 0.5"), (dict(p_value=0.5, p_sides=float("nan")), "p = 0.5"),
])
def test_p(row, want):
    assert tp._p(row) == want


# --------------------------------------------------------------------------- a hand-made review
def _res():
    trials = pd.DataFrame({
        "trial_id": ["a1", "a2", "b1", "x1"], "trial_group": ["ga", "ga", "gb", "gx"],
        "trial_name": ["ALPHA (arm 1)", "ALPHA 2", "BETA", "XI"], "included": ["yes", "yes", "yes", "no"],
        "cancer_type": ["lung", "lung", "breast", "colon"], "phase": ["II", "II", None, "III"],
        "n_randomized": pd.array([100, None, 40, 80], "Int64"), "n_mdt": pd.array([50, 10, 20, None], "Int64"),
        "n_control": pd.array([50, 12, 20, None], "Int64"), "mdt_modality": ["SBRT", "SBRT", "surgery", "RT"],
        "control_arm": ["SOC", "SOC", "observation", "SOC"], "systemic_therapy": ["chemo", "chemo", None, "x"],
        "max_lesions": pd.array([5, 3, None, 10], "Int64"), "timing": ["upfront", None, "consolidation", None],
        "disease_state": ["de_novo", "oligoprogressive", "mixed", None],
        "modality_class": ["SBRT", "SBRT", "surgery", None], "control_class": ["active therapy"] * 3 + [None],
        "classification_note": ["n_mdt from table", None, " ", None],
        "reconciliation_note": [None, "pass_a said x", None, None],
        "exclusion_reason": [None, None, None, "cap 10 (as smith_2020)"]})
    outcomes = pd.DataFrame({
        "trial_id": ["a1", "a1", "a2", "b1"], "record_id": ["r1", "r0", "r1", "r2"],
        "outcome": ["PFS", "PFS", "OS", "PFS"], "endpoint_name": ["PFS", "PFS", "OS", "TTP"],
        "primary": ["yes", "no", "yes", "yes"], "hr": [0.5, 0.7, None, 0.9], "ci_lower": [0.3, None, None, 0.5],
        "ci_upper": [0.8, None, None, 1.6], "ci_level": [95, None, None, 95], "direction": [None] * 4,
        "p_value": [0.01, None, None, "0.6"], "p_sides": [None] * 4, "median_mdt": [12.0, None, None, None],
        "median_control": [6.0, None, None, None], "median_unit": ["months", None, None, None],
        "analysis": ["ITT", None, None, None], "derivation": ["reported", "reported", "not_available", "odd_code"],
        "quote": ["HR $0.5$", None, None, " "], "source_url": ["http://q", None, None, None]})
    ae = pd.DataFrame({"trial_id": ["a1", "a1"], "record_id": ["r1", "r1"], "grade": [">=2", "3"],
                       "attribution": ["treatment", None], "events_mdt": [5, None], "total_mdt": [50, None],
                       "pct_mdt": [None, 12.5], "events_control": [2, None], "total_control": [None, None],
                       "pct_control": [None, None], "primary": ["yes", "no"], "quote": ["5 of 50", None]})
    rob = pd.DataFrame({"trial_id": ["a1", "a2"], "outcome": ["PFS", "OS"],
                        **{f"d{i}": ["low", "some concerns"] for i in range(1, 6)},
                        **{f"d{i}_note": ["ok", None] for i in range(1, 6)},
                        "overall": ["low", "some concerns"], "provisional": ["yes", "no"]})
    records = pd.DataFrame({"record_id": ["r0", "r1", "r2"], "trial_group": ["ga", "ga", "gb"],
                            "title": ["First", "Second", "Beta paper"], "record_type": ["abstract", "full paper", "news"],
                            "decision": ["included", "included", "excluded"],
                            "exclusion_reason": [None, None, "duplicate of r1"]})
    review = SimpleNamespace(trials=trials, outcomes=outcomes, adverse_events=ae, risk_of_bias=rob, records=records)
    labels = ReaderLabels(records={"r0": ("Ann 2019", None), "r1": ("Bo 2021, JCO", "http://r1"),
                                   "r2": ("Cy 2022", "http://r2")},
                          trials=dict(zip(trials["trial_id"], trials["trial_name"])),
                          groups={"ga": "ALPHA", "gb": "BETA", "gx": "XI"})
    pfs = SimpleNamespace(table=pd.DataFrame({"trial_id": ["a1", "b1"], "record_id": ["r1", "r2"],
                                              "note": ["", "no HR, CI (x)"]}),
                          pooled=pd.DataFrame({"trial_id": ["a1"]}))
    os_ = SimpleNamespace(table=pd.DataFrame({"trial_id": ["a2"], "record_id": ["r1"], "note": [None]}),
                          pooled=pd.DataFrame({"trial_id": pd.Series([], dtype=object)}))
    missing = {"OS": pd.DataFrame({"trial_id": ["b1", "a2"], "reason": ["no OS reported", "no HR printed"]})}
    return SimpleNamespace(review=review, labels=labels, efficacy={"PFS": pfs, "OS": os_}, missing=missing)


@pytest.fixture
def res(monkeypatch):
    import helpers.review.hazard_ratios as hr

    def first(review, oc, report):
        assert report == "first"
        if oc == "OS":
            raise ValueError("no first report")
        return pd.DataFrame({"trial_id": ["a1", "b1"], "record_id": ["r0", "r2"], "estimable": [True, False]})
    monkeypatch.setattr(hr, "hazard_ratios", first)
    return _res()


def test_uses(res):
    u = tp._uses(res)
    assert u["PFS"]["pooled"] == {"a1"} and set(u["PFS"]["chosen"]) == {"a1", "b1"}
    assert u["PFS"]["first"] == {("a1", "r0")}                      # b1's first report is not estimable
    assert u["OS"]["first"] == set()                                # the first-report table failed
    assert u["OS"]["missing"] == {"b1": "no OS reported", "a2": "no HR printed"} and u["PFS"]["missing"] == {}


def test_use_of_row(res):
    u, w = tp._uses(res), tp._Words(res.labels)
    row = lambda **kw: {"trial_id": "a1", "record_id": "r1", "outcome": "PFS", "primary": "yes"} | kw  # noqa: E731
    assert tp._use_of_row(row(), u, w) == ("pooled in the primary analysis of PFS and in the sensitivity analyses "
                                           "that keep it")
    assert tp._use_of_row(row(record_id="r0", primary="no"), u, w) == (
        "an earlier report: used only in the sensitivity analysis of first reports (PFS)")
    assert tp._use_of_row(row(primary="no"), u, w) == "another report of this comparison: not used in the analyses"
    assert tp._use_of_row(row(record_id="r9"), u, w) == "another report of this comparison: not used in the analyses"
    # reader words only: the page escapes the whole line once
    assert tp._use_of_row(row(trial_id="b1", record_id="r2"), u, w) == (
        "not estimable (no HR, CI (x)): counted as missing evidence for PFS")
    assert tp._use_of_row(row(trial_id="a2", outcome="OS"), u, w) == (
        "not estimable (no estimate obtainable): counted as missing evidence for OS")
    assert tp._use_of_row(row(outcome="AE"), u, w) == "not analysed"


def test_groups_and_index(res):
    assert tp._groups(res) == ["ga", "gb", "gx"]
    idx = tp._index(res, ["ga", "gb", "gx"], tp._Words(res.labels))
    assert "## Included (2)" in idx and "## Excluded (1)" in idx
    assert "- [ALPHA](ga.md): lung; phase II; 100 randomised" in idx        # a2's number is not reported
    assert "- [BETA](gb.md): breast; phase —; 40 randomised" in idx
    assert "- [XI](gx.md): cap 10 \\(as Smith 2020\\)" in idx
    assert idx.startswith("# Trials\n\nOne page per trial the review assessed")


def test_index_without_numbers(res):
    res.review.trials["n_randomized"] = pd.array([None] * 4, "Int64")
    idx = tp._index(res, ["ga"], tp._Words(res.labels))
    assert "- [ALPHA](ga.md): lung; phase II; number randomised not reported" in idx


def test_trial_pages_included_group(res):
    pages = tp.trial_pages(res)
    assert set(pages) == {"ga", "gb", "gx", "index"}
    page = pages["ga"]
    assert page.startswith("# ALPHA\n\n**Included in the review.** Comparisons: ALPHA \\(arm 1\\), ALPHA 2.\n")
    # design: one sub-heading per comparison when the group has two
    assert "### ALPHA \\(arm 1\\)" in page and "### ALPHA 2" in page
    assert "| Randomised | 100 |" in page and "| Randomised | not reported |" in page
    assert "| MDT arm (n) | 10 |" in page and "| Control arm (n) | 12 |" in page
    assert "| Most metastases allowed | 5 |" in page and "| Phase | II |" in page
    assert "| Control arm | SOC |" in page and "| Systemic therapy | chemo |" in page
    assert "| MDT modality class | SBRT |" in page and "| Control arm class | active therapy |" in page
    assert "| Grade | Attribution | MDT | Control | Used in the pooling | Source |" in page
    # classification
    assert "| Timing of MDT | upfront |" in page and "| Timing of MDT | not applicable (oligoprogression) |" in page
    assert "| Disease state | de novo |" in page and "| Disease state | oligoprogression |" in page
    assert "**Why:** MDT arm size from table" in page               # column codes in reader words (reader_note)
    assert "**How the two extractions were reconciled:** Extractor 1 said x" in page   # round codes in words
    # outcomes
    assert "### PFS: PFS (ALPHA \\(arm 1\\))" in page and "### OS: OS (ALPHA 2)" in page
    assert "| HR as printed | 0\\.50 \\(0\\.30–0\\.80\\, 95\\% CI\\) |" in page
    assert "| p-value | p \\= 0\\.01 |" in page and "| Medians, MDT vs control | 12\\.0 vs 6\\.0 months |" in page
    assert "| How obtained | HR and CI as reported |" in page and "| How obtained | no estimate obtainable |" in page
    assert "| Used as the main estimate | yes |" in page and "| Used as the main estimate | no |" in page
    assert "| Source | [Bo 2021\\, JCO](http://r1) |" in page and "| Source | Ann 2019 |" in page
    assert "| Analysis | ITT |" in page and "| Analysis | — |" in page
    assert "> HR \\$0\\.5\\$" in page and "Read at [the source](http://q)." in page
    assert ("| How it enters the analyses | pooled in the primary analysis of PFS and in the sensitivity analyses "
            "that keep it |") in page
    # a2 has its primary OS row: no separate missing-evidence line for it
    assert "missing evidence.**" not in page
    # adverse events
    assert "| Grade ≥2 | treatment | 5\\/50 | 2\\/\\? | yes | [Bo 2021\\, JCO](http://r1) |" in page
    assert "| Grade 3 | — | 12\\.5\\% | not reported | no | [Bo 2021\\, JCO](http://r1) |" in page
    assert "> 5 of 50" in page
    # risk of bias: per outcome, with the comparison named when the group has two
    assert "### PFS (ALPHA \\(arm 1\\))" in page and "### OS (ALPHA 2)" in page
    assert "| Randomisation process | low | ok |" in page
    assert "| Selection of the reported result | some concerns | — |" in page
    assert "| **Overall** | **low** (provisional) |  |" in page and "| **Overall** | **some concerns** |  |" in page
    # records of the group
    assert "| [Bo 2021\\, JCO](http://r1) | Second | full paper | included | — |" in page
    assert "| Ann 2019 | First | abstract | included | — |" in page
    assert ("| How it enters the analyses | an earlier report\\: used only in the sensitivity analysis of first "
            "reports \\(PFS\\) |") in page
    assert page.endswith("[All trials](index.md)\n")


def test_trial_pages_single_comparison_group(res):
    page = tp.trial_pages(res)["gb"]
    assert "### BETA" not in page                                   # one comparison: no sub-headings
    assert "### PFS: TTP\n" in page
    assert "| How obtained | odd code |" in page and "| p-value | p \\= 0\\.6 |" in page
    assert "| Phase | — |" in page and "| Most metastases allowed | not reported |" in page
    assert "**Why:**" not in page                                  # a blank note is left out
    assert "**OS: missing evidence.** no OS reported." in page
    assert "## Adverse events\n\nNo adverse-event counts per arm were found in the sources read.\n\n## Risk" in page
    assert "Not assessed (the trial is not in the analyses)." in page
    assert "| [Cy 2022](http://r2) | Beta paper | news | excluded | duplicate of r1 |" in page
    # the note is escaped once (a comma shows as a comma, not as "\\,")
    assert ("| How it enters the analyses | not estimable \\(no HR\\, CI \\(x\\)\\)\\: counted as missing "
            "evidence for PFS |") in page


def test_trial_pages_excluded_group(res):
    page = tp.trial_pages(res)["gx"]
    assert page == ("# XI\n\n**Excluded from the review.** Reason: cap 10 \\(as Smith 2020\\).\n\n"
                    "Trial as listed: XI.\n\n## Records\n\nNo record of this trial is listed.\n\n"
                    "[All trials](index.md)\n")


def test_outcomes_none(res):
    res.review.outcomes = res.review.outcomes.iloc[0:0]
    page = tp.trial_pages(res)["gb"]
    assert "No hazard ratio, CI, p-value or median was found for this trial in the sources read." in page


def test_write_trial_pages(tmp_path):
    folder = tmp_path / "trials"
    assert tp.write_trial_pages({"b": "B", "a": "A"}, folder) == {"written": ["a", "b"], "deleted": []}
    assert (folder / "a.md").read_text(encoding="utf-8") == "A"
    assert tp.write_trial_pages({"b": "B", "a": "A2"}, folder) == {"written": ["a"], "deleted": []}
    (folder / "note.txt").write_text("kept", encoding="utf-8")
    assert tp.write_trial_pages({"a": "A2"}, folder) == {"written": [], "deleted": ["b"]}
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "note.txt"]


def test_trial_links_markdown():
    labels = ReaderLabels(groups={"sabr_comet": "SABR-COMET", "stomp": "STOMP"})
    table = pd.DataFrame({"trial_group": ["sabr_comet", "stomp", "sabr_comet", "x_y"]})
    assert tp.trial_links_markdown(table, labels) == ("[SABR\\-COMET](../trials/sabr-comet.html), "
                                                      "[STOMP](../trials/stomp.html), [x y](../trials/x-y.html)")
    assert tp.trial_links_markdown(table.iloc[1:2], labels, prefix="t/") == "[STOMP](t/stomp.html)"


# --------------------------------------------------------------------------- quotes as readers see them
@pytest.mark.parametrize("quote,numbers,want", [
    ("HR 0.47, P = .0012.", ["0.47"], ("HR 0.47, P = .0012.", [], "")),
    # a note that quotes another source becomes an attributed quote (cut mid-word: an ellipsis)
    ("HR = 0.47. [events from CTA: 'Progression events occurred in 67 patients: 39 in the con']", ["0.47", "67"],
     ("HR = 0.47.", ["Events from Cancer Therapy Advisor: “Progression events occurred in 67 patients: 39 in the con…”"],
      "")),
    ("HR 0.58. [JNCI abstract: 92 of 119 patients had died.]", ["92"],
     ("HR 0.58.", ["J Natl Cancer Inst abstract: “92 of 119 patients had died.”"], "")),
    # a note that the excerpt was cut
    ("10% had a grade 3 event, whereas 5 [excerpt cut here; experimental-arm figure not visible]", [],
     ("10% had a grade 3 event, whereas 5 […]", [], "")),
    # a note with numbers the quote does not print is kept, in words, as the extractors' note
    ("29% versus 9%. [counts 19/66 vs 3/33 already in round-1 row from CTA]", ["66", "33"],
     ("29% versus 9%.", [], "Counts 19/66 vs 3/33 from Cancer Therapy Advisor")),
    # a note of where the quote was read is dropped; the source's own brackets stay
    ("cap of 3 [lcnuk.org page]", ["3"], ("cap of 3", [], "")),
    ("median 15.6 vs 24.9 [hazard ratio, 0.91; P = .86]).", ["0.91"], ("median 15.6 vs 24.9 [hazard ratio, 0.91; P = .86]).", [], "")),
    ("randomised 66 [...]", ["66"], ("randomised 66 [...]", [], "")),
    (None, [], ("", [], "")),
])
def test_quote_parts(quote, numbers, want):
    assert tp.quote_parts(quote, numbers) == want


def test_quote_markdown_keeps_the_row_numbers():
    w = tp._Words(ReaderLabels())
    row = {"quote": "29% versus 9%. [counts 19/66 vs 3/33 already in round-1 row from CTA]", "total_mdt": 66.0,
           "total_control": 33.0, "raw_numbers": {"total_mdt": "66", "total_control": "33"}}
    assert tp._quote(row, tp.AE_NUMBERS, w) == ["> 29\\% versus 9\\%\\.", "",
                                               "Extractors' note: Counts 19\\/66 vs 3\\/33 from Cancer Therapy Advisor.", ""]
    row = {"quote": "HR 0.5. [JNCI abstract: 92 died]", "events": 92.0}
    assert tp._quote(row, tp.OUTCOME_NUMBERS, w) == ["> HR 0\\.5\\.", ">", "> J Natl Cancer Inst abstract\\: “92 died…”", ""]
    assert tp._quote({"quote": " "}, tp.OUTCOME_NUMBERS, w) == []
