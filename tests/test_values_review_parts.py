"""helpers.review's small parts by value, each expected value worked by hand: counts and
exclusion classes, reader labels (citations, addresses, codes in text), the search chapter's
pass words and record references, the missing-evidence and safety wordings, absolute effects
and the scorecard verdict.  Fast: no review is loaded (hand-made rows and frames)."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review.counts import exclusion_class, n_randomised, participants
from helpers.review.efficacy import (_crosses, absolute_brief, more_fewer_interval, signed, absolute_range, absolute_effects, absolute_sentence, absolute_survival,
                                     control_baselines)
from helpers.review.labels import ReaderLabels, _venue, _who, extraction_words, reader_labels, record_citation, record_url
from helpers.review.missing import _direction, _says, _significant, grade_from_rob_me, missing_glue_values
from helpers.review.safety import _count, nnt_text
from helpers.review.scorecard import VERDICTS, verdict
from helpers.review.search import _record_ref

NAN = float("nan")
EM = "\u2014"


# --------------------------------------------------------------------------- counts
@pytest.mark.parametrize("row,want", [
    ((100, 40, 50), 100), ((NAN, 40, 50), 90), ((100.0, NAN, NAN), 100), ((NAN, 40, NAN), None),
    ((NAN, NAN, 50), None), ((NAN, NAN, NAN), None), ((0, 5, 5), 0),
])
def test_n_randomised(row, want):
    assert n_randomised(pd.Series(dict(zip(("n_randomized", "n_mdt", "n_control"), row)))) == want


def test_participants():
    t = pd.DataFrame({"n_randomized": [100, NAN, NAN, NAN], "n_mdt": [1, 40, NAN, 7], "n_control": [1, 50, NAN, NAN]})
    assert participants(t) == (190, 2)
    assert participants(t.iloc[:0]) == (0, 0)


@pytest.mark.parametrize("reason,want", [
    ("BOTH ARMS got SBRT", "both arms receive MDT"), ("Could not identify the trial", "record could not be identified"),
    ("Primary tumour untreated", "MDT not to all lesions"),
    ("Published past the cut-off", "published after the search cut-off"),
    ("Published after search", "published after the search cut-off"),
    ("No results yet", "no results published"), ("Results not published", "no results published"),
    ("Allowed >5 sites", "more than 5 lesions allowed"), ("No cap on sites", "more than 5 lesions allowed"),
    ("Up to 10 lesions", "more than 5 lesions allowed"), ("Polymetastases", "more than 5 lesions allowed"),
    ("Protocol only", "protocol or design report only"), ("Design paper", "protocol or design report only"),
    ("Secondary analysis", "secondary report of an excluded trial"),
    ("Same as NCT123", "secondary report of an excluded trial"),
    ("secondary report, lesions unlimited", "more than 5 lesions allowed"),   # the first key word wins
    ("Both arms; protocol", "both arms receive MDT"),
    ("Wrong population", "other reasons"),
    ("x" * 70, "other reasons"),
])
def test_exclusion_class(reason, want):
    assert exclusion_class(reason) == want


# --------------------------------------------------------------------------- labels
@pytest.mark.parametrize("authors,want", [
    ("Palma DA et al.", "Palma"), ("(ARTO investigators)", "ARTO investigators"), ("van der Berg J, Smith K", "van der Berg"),
    ("Smith-Jones AB; Lee C", "Smith-Jones"), ("Ost P, Reynders D", "Ost"), ("DA", "DA"), ("Gomez DR (MD Anderson)", "Gomez"),
    ("Tang C,", "Tang"), (None, "Unknown author"), ("", "Unknown author"), ("   ", "Unknown author"), (3, "Unknown author"),
    ("Phillips R A-B", "Phillips"), ("Lee ABCDE", "Lee ABCDE"),
])
def test_who(authors, want):
    assert _who(authors) == want


@pytest.mark.parametrize("journal,want", [
    ("Int J Radiat Oncol Biol Phys 2022;112(3)", "Int J Radiat Oncol Biol Phys"), ("JAMA Oncol; 2020", "JAMA Oncol"),
    ("J Clin Oncol/ASCO", "J Clin Oncol"), ("Lancet (2019)", "Lancet"), ("(not shown)", ""), ("Lancet mirror", ""),
    ("Eur Urol, not visible", ""), ("seen via PubMed", ""), (None, ""), ("", ""), ("  Lancet  ", "Lancet"),
])
def test_venue(journal, want):
    assert _venue(journal) == want


@pytest.mark.parametrize("rec,want", [
    ({"authors": "Harrow S et al.", "year": 2022.0, "journal": "Int J Radiat Oncol Biol Phys 112"},
     "Harrow 2022, Int J Radiat Oncol Biol Phys"),
    ({"authors": "Harrow S", "year": "2022", "journal": None}, "Harrow 2022"),
    ({"authors": "Harrow S", "year": None, "journal": "Lancet"}, "Harrow undated, Lancet"),
    ({"authors": "Harrow S", "year": NAN}, "Harrow undated"),
    ({"authors": "(ASCO Post)", "year": 2021, "journal": "ASCO Post"}, "ASCO Post 2021"),
    ({"authors": "(Nature News 2023)", "year": 2023}, "Nature News 2023"),
    ({"authors": "(not shown)", "year": 2020, "journal": "Lancet Oncol"}, "Lancet Oncol 2020"),
    ({"authors": "(not shown)", "year": 2020}, "Anonymous 2020"),
    ({"authors": "(Medscape copy on medugate)", "year": 2024, "journal": "news"}, "Medscape 2024"),
    ({"authors": "MedPath registry copy (NCT1)", "year": None, "journal": "registry"}, "MedPath undated"),
    ({"authors": "Mirror copy", "year": 2023, "journal": "Web"}, "Web 2023"),
    ({"authors": "Review: X", "year": 2020, "journal": "BMJ"}, "BMJ 2020"),
    ({"authors": "News on SBRT", "year": 2020}, "Anonymous 2020"),
])
def test_record_citation(rec, want):
    assert record_citation(rec) == want


@pytest.mark.parametrize("rec,want", [
    ({"doi": " 10.1/x ", "pmid": 123, "url": "https://u"}, "https://doi.org/10.1/x"),
    ({"doi": "  ", "pmid": 123, "url": "https://u"}, "https://pubmed.ncbi.nlm.nih.gov/123/"),
    ({"doi": None, "pmid": " 456 ", "url": None}, "https://pubmed.ncbi.nlm.nih.gov/456/"),
    ({"doi": NAN, "pmid": NAN, "url": " https://u "}, "https://u"),
    ({"doi": None, "pmid": "", "url": "https://u"}, "https://u"),
    ({"doi": None, "pmid": None, "url": "  "}, None), ({}, None),
])
def test_record_url(rec, want):
    assert record_url(rec) == want


LABELS = ReaderLabels(records={"harrow_2022": ("Harrow 2022, IJROBP", "https://doi.org/x"),
                               "nolink_2020": ("No Link 2020", None)},
                      trials={"sabr_comet": "SABR-COMET"}, groups={"stomp_group": "STOMP"})


def test_reader_labels_lookups():
    assert LABELS.citation(None) == LABELS.citation(NAN) == EM
    assert LABELS.citation("harrow_2022") == "Harrow 2022, IJROBP" and LABELS.citation("x_y") == "x y"
    assert LABELS.url("harrow_2022") == "https://doi.org/x" and LABELS.url("nolink_2020") is None
    assert LABELS.url("zzz") is None and LABELS.url(5) is None
    assert LABELS.trial("sabr_comet") == "SABR-COMET" and LABELS.trial("a_b") == "a b"
    assert LABELS.group("stomp_group") == "STOMP" and LABELS.group("a_b") == "a b"
    assert ReaderLabels().records == {} and ReaderLabels().trials == {} and ReaderLabels().groups == {}


@pytest.mark.parametrize("text,link,want", [
    ("See harrow_2022 and sabr_comet with stomp_group", False, "See Harrow 2022, IJROBP and SABR-COMET with STOMP"),
    ("See harrow_2022 or nolink_2020", True, "See [Harrow 2022, IJROBP](https://doi.org/x) or No Link 2020"),
    ("smith_2025_extra and jones_1999", False, "Smith 2025 and Jones 1999"),
    ("foo_bar and smith_20255 and smith_1899", False, "foo bar and smith 20255 and smith 1899"),
    ("a path/harrow_2022 and x.harrow_2022", False, "a path/harrow_2022 and x.harrow_2022"),
    ("no codes here", True, "no codes here"),
])
def test_reader_labels_words(text, link, want):
    assert LABELS.words(text, link=link) == want


def test_reader_labels_words_leaves_non_text():
    assert LABELS.words(5) == 5 and LABELS.words(None) is None
    assert LABELS.words("harrow_2022") == "Harrow 2022, IJROBP"


def test_reader_labels_from_a_review():
    review = SimpleNamespace(
        records=pd.DataFrame({"record_id": ["r1"], "authors": ["Palma DA"], "year": [2019], "journal": ["Lancet"],
                              "doi": ["10.1/p"], "pmid": [None], "url": [None]}),
        trials=pd.DataFrame({"trial_id": ["t1", "t2", "t3", "t4"],
                             "trial_name": ["STOMP (PFS)", "STOMP (OS)", "ORIOLE - arm A", "(x)"],
                             "trial_group": ["stomp", "stomp", "oriole", "odd"]}))
    lab = reader_labels(review)
    assert lab.records == {"r1": ("Palma 2019, Lancet", "https://doi.org/10.1/p")}
    assert lab.trials == {"t1": "STOMP (PFS)", "t2": "STOMP (OS)", "t3": "ORIOLE - arm A", "t4": "(x)"}
    assert lab.groups == {"stomp": "STOMP", "oriole": "ORIOLE", "odd": "(x)"}


# --------------------------------------------------------------------------- search
@pytest.mark.parametrize("note,want", [
    ("[pass_a2] fixed", "fixed"), ("pass_b note", "Extractor 2 note"),
    ("pass_a and pass_b3", "Extractor 1 and Extractor 2's third round"),
    ("bypass_a1", "bypass_a1"), ("pass_c1", "pass_c1"), ("pass_a12", "pass_a12"), ("", ""),
])
def test_extraction_words_of_the_search_log(note, want):
    assert extraction_words(note) == want


def _rec(**kw):
    base = {"record_id": "r2", "authors": "Smith J", "year": 2020, "journal": "Lancet", "doi": "10.1/x", "pmid": None,
            "url": "https://m.org/x"}
    return base | kw


@pytest.mark.parametrize("rec,want", [
    (_rec(record_id="r1"), "{cite:t}`r1`"),
    (_rec(), "[Smith 2020, Lancet](https://doi.org/10.1/x)"),
    (_rec(journal="Lancet (mirror copy)", doi=None), "[Smith 2020 (copy on another site)](https://m.org/x)"),
    (_rec(authors="Smith J (copy)", journal="Lancet", doi=None), "[Smith 2020, Lancet (copy on another site)](https://m.org/x)"),
    (_rec(journal="Lancet (mirror copy)"), "[Smith 2020](https://doi.org/10.1/x)"),
    (_rec(doi=None, url=None), "Smith 2020, Lancet"),
])
def test_record_ref(rec, want):
    assert _record_ref(rec, {"r1"}) == want


# --------------------------------------------------------------------------- missing evidence
def _rows(**cols):
    base = {"endpoint_name": "OS", "median_mdt": NAN, "median_control": NAN, "median_unit": NAN, "hr": NAN,
            "ci_lower": NAN, "p_value": NAN, "events": NAN, "direction": "mdt_vs_control"}
    n = max(len(v) for v in cols.values())
    return pd.DataFrame({k: cols.get(k, [v] * n) for k, v in base.items()})


def test_says():
    rows = _rows(endpoint_name=["PFS", "OS"], median_mdt=[12.0, NAN], median_control=[8.5, NAN],
                 median_unit=["months", NAN], hr=[0.6, 0.5], ci_lower=[NAN, 0.3], p_value=["<0.001", "0.03"],
                 events=[40.0, NAN])
    assert _says(rows) == ("PFS: median 12.0 vs 8.5 months (MDT vs control), HR 0.60 (no CI printed), p <0.001, "
                           "40 events; OS: HR 0.50, p = 0.03")
    assert _says(_rows(median_mdt=[12.0], median_unit=[NAN])) == f"OS: median 12.0 vs {EM} (MDT vs control)"
    assert _says(_rows(hr=[NAN])) == "no numbers"
    assert _says(_rows(p_value=["", "≥0.05"])) == "OS: p ≥0.05"
    short_and_long = _rows(hr=[0.5, 0.5], ci_lower=[0.3, 0.3], p_value=[NAN, "0.03"])
    assert _says(short_and_long) == "OS: HR 0.50, p = 0.03"
    assert _says(_rows(hr=[0.5, 0.5], ci_lower=[0.3, 0.3])) == "OS: HR 0.50"


@pytest.mark.parametrize("cols,want", [
    ({"hr": [0.5]}, "MDT"), ({"hr": [1.5]}, "control"), ({"hr": [0.5], "direction": ["control_vs_mdt"]}, "control"),
    ({"hr": [2.0], "direction": ["control_vs_mdt"]}, "MDT"), ({"hr": [1.0], "median_mdt": [10.0], "median_control": [8.0]}, "MDT"),
    ({"median_mdt": [8.0], "median_control": [10.0]}, "control"), ({"median_mdt": [8.0], "median_control": [8.0]}, ""),
    ({"median_mdt": [8.0]}, ""), ({"hr": [NAN, 0.7]}, "MDT"), ({"hr": [NAN]}, ""),
])
def test_direction(cols, want):
    assert _direction(_rows(**cols)) == want


@pytest.mark.parametrize("lb,ub,want", [(-0.1, 0.0, False), (0.0, 1.0, False), (0.01, 1.0, True), (-1.0, -0.01, True),
                                        (-1.0, 1.0, False)])
def test_significant(lb, ub, want):
    assert _significant(SimpleNamespace(ci_lb=lb, ci_ub=ub)) is want


def test_grade_from_rob_me():
    assert grade_from_rob_me("low", True) == (0, "ROB-ME: low risk of bias due to missing evidence")
    assert grade_from_rob_me("high", False) == (1, "ROB-ME: high risk of bias due to missing evidence")
    assert grade_from_rob_me("some concerns", True) == (
        1, "ROB-ME: some concerns; imputing the missing results changes the significance or direction of the pooled HR")
    assert grade_from_rob_me("some concerns", False) == (
        0, "ROB-ME: some concerns; imputing the missing results does not change the significance or direction of the "
           "pooled HR")


def test_missing_glue_values():
    m = pd.DataFrame({"n": pd.array([100, None, 50], dtype="Int64"), "favours": ["MDT", "control", ""]})
    assert missing_glue_values(m, pooled_n=450) == {
        "missing_k": "3 included comparisons", "missing_n": "150", "missing_n_unknown": "1", "missing_share": "25%",
        "missing_mdt": "1 comparison", "missing_control": "1 comparison", "missing_unknown": "1 comparison"}
    big = pd.DataFrame({"n": [1500.0], "favours": ["MDT"]})
    v = missing_glue_values(big, pooled_n=500)
    assert v["missing_n"] == "1,500" and v["missing_share"] == "75%" and v["missing_k"] == "1 included comparison"
    assert v["missing_control"] == "0 comparisons" and v["missing_n_unknown"] == "0"
    assert missing_glue_values(big.iloc[:0], pooled_n=0)["missing_share"] == "0%"


# --------------------------------------------------------------------------- safety
@pytest.mark.parametrize("args,want", [
    ((3, 50.0, 66), (3, "printed")), ((0.0, NAN, NAN), (0, "printed")),
    ((NAN, 30.3, 66), (20, "derived from 30.3% of 66")),
    ((NAN, 30.3, NAN), (None, "30.3% printed, arm size not reported")),
    ((NAN, 31.0, 66.0), (None, "31% printed: no whole number of the 66 randomised gives it")),
    ((NAN, 50, 10), (5, "derived from 50% of 10")), ((NAN, NAN, 66), (None, "not reported")),
])
def test_count(args, want):
    assert _count(*args) == want


@pytest.mark.parametrize("rd,lb,ub,want", [
    (0.1, 0.05, 0.2, "NNTH 10 (95% CI NNTH 5 to NNTH 20)"),
    (-0.1, -0.2, -0.05, "NNTB 10 (95% CI NNTB 5 to NNTB 20)"),
    (0.1, -0.025, 0.2, "NNTH 10 (95% CI NNTH 5 to \u221e to NNTB 40)"),
    (0.1, 0.0, 0.2, "NNTH 10 (95% CI NNTH 5 to \u221e to \u221e)"),
    (-0.1, -0.2, 0.0, "NNTB 10 (95% CI \u221e to \u221e to NNTB 5)"),
    (0.0, -0.25, 0.5, "\u221e (95% CI NNTH 2 to \u221e to NNTB 4)"),
    (0.3, 0.25, 0.5, "NNTH 4 (95% CI NNTH 2 to NNTH 4)"),
])
def test_nnt_text(rd, lb, ub, want):
    assert nnt_text(rd, lb, ub) == want


# --------------------------------------------------------------------------- efficacy: absolute effects
@pytest.mark.parametrize("hr,s0,want", [(0.5, 0.64, 0.8), (1.0, 0.3, 0.3), (2.0, 0.5, 0.25), (0.5, 1.0, 1.0),
                                        (0.5, 0.0, 0.0)])
def test_absolute_survival(hr, s0, want):
    assert absolute_survival(hr, s0) == pytest.approx(want)


@pytest.mark.parametrize("s0", [-0.1, 1.1])
def test_absolute_survival_needs_a_proportion(s0):
    with pytest.raises(ValueError, match="proportion"):
        absolute_survival(0.5, s0)


def test_crosses():
    assert _crosses(-1, 1) and not _crosses(0, 1) and not _crosses(-1, 0) and not _crosses(0.1, 1)


def test_control_baselines():
    t = pd.DataFrame({"estimable": [True, True, False, True, True, True],
                      "cancer_group": ["lung", "lung", "lung", "prostate", "breast", "lung"],
                      "median_control": [10.0, 20.0, 100.0, 6.0, "not reported", NAN],
                      "median_unit": ["months", NAN, "months", "weeks", "months", "months"],
                      "trial": ["A", "B", "C", "D", "E", "F"]})
    b = control_baselines(t)
    assert list(b.columns) == ["cancer_group", "k", "median_months", "sources", "k_baseline"]
    assert list(b["cancer_group"]) == ["breast", "lung", "prostate"]
    assert list(b["k"]) == [1, 3, 1] and list(b["k_baseline"]) == [0, 2, 0]
    assert b["median_months"][1] == 15.0 and math.isnan(b["median_months"][0]) and math.isnan(b["median_months"][2])
    assert list(b["sources"]) == [[], ["A", "B"], []]
    assert control_baselines(t.iloc[:0]).empty


def _baselines():
    return pd.DataFrame({"cancer_group": ["NSCLC", "prostate"], "k": [2, 1], "median_months": [12.0, NAN],
                         "sources": [["Gomez", "Iyengar"], []], "k_baseline": [2, 0]})


def test_absolute_effects():
    a = absolute_effects(0.5, 0.25, 1.0, _baselines(), months=12)
    assert list(a["cancer_group"]) == ["NSCLC"]
    r = a.iloc[0]
    assert r["months"] == 12 and r["median_months"] == 12.0 and r["sources"] == ["Gomez", "Iyengar"]
    assert r["control"] == pytest.approx(0.5) and r["mdt"] == pytest.approx(math.sqrt(0.5))
    assert r["mdt_lb"] == pytest.approx(0.5) and r["mdt_ub"] == pytest.approx(0.5 ** 0.25)
    assert r["per_1000"] == pytest.approx(1000 * (math.sqrt(0.5) - 0.5))
    assert r["per_1000_lb"] == pytest.approx(0.0) and r["per_1000_ub"] == pytest.approx(1000 * (0.5 ** 0.25 - 0.5))
    at24 = absolute_effects(1.0, 0.5, 2.0, _baselines(), months=24).iloc[0]
    assert at24["control"] == pytest.approx(0.25) and at24["per_1000"] == pytest.approx(0.0)
    assert at24["per_1000_lb"] == pytest.approx(1000 * (0.0625 - 0.25)) and at24["per_1000_ub"] == pytest.approx(250.0)
    assert absolute_effects(0.5, 0.25, 1.0, _baselines().iloc[1:]).empty
    assert absolute_effects(0.5, 0.25, 1.0, _baselines()).iloc[0]["months"] == 12.0


def _rep(outcome="OS", absent=True):
    b = _baselines() if absent else _baselines().iloc[:1]
    return SimpleNamespace(outcome=outcome, absolute=absolute_effects(0.5, 0.25, 1.0, b, months=12), baseline=b,
                           settings=SimpleNamespace(level=95.0, absolute_months=12.0))


def test_absolute_sentence():
    # S0 = 0.5 at 12 months (median 12): MDT 0.5 ** 0.5 = 0.707, difference +207 per 1,000 (CI 0.5 ** 1 and 0.5 ** 0.25)
    assert absolute_sentence(_rep()) == (
        "Non-small-cell lung cancer (baseline: control-arm median 12.0 months in Gomez and Iyengar): at 12 months 500 "
        "vs 707 per 1,000 alive, +207 per 1,000 (95% CI +0 to +341). No control-arm median is printed for prostate, "
        "so no absolute effect is given there.")
    assert absolute_sentence(_rep("PFS", absent=False)).endswith("per 1,000 alive without progression, +207 per 1,000 "
                                                                 "(95% CI +0 to +341).")
    # a harmful effect: HR 2 (1.5 to 4) → 0.5 ** 2 = 0.25, 250 fewer (CI 0.5 ** 4 − 0.5 and 0.5 ** 1.5 − 0.5),
    # written with a true minus sign; the sentence starts with a capital whatever the group
    b = _baselines().iloc[:1].assign(cancer_group="breast")
    harm = SimpleNamespace(outcome="OS", absolute=absolute_effects(2.0, 1.5, 4.0, b, months=12), baseline=b,
                           settings=SimpleNamespace(level=95.0))
    assert absolute_sentence(harm) == ("Breast (baseline: control-arm median 12.0 months in Gomez and Iyengar): at 12 "
                                       "months 500 vs 250 per 1,000 alive, \u2212250 per 1,000 (95% CI \u2212438 to "
                                       "\u2212146).")
    none = SimpleNamespace(outcome="OS", absolute=absolute_effects(0.5, 0.25, 1.0, _baselines().iloc[1:]),
                           baseline=_baselines().iloc[1:], settings=SimpleNamespace(level=95.0))
    assert absolute_sentence(none) == ("No pooled comparison prints a control-arm median. No control-arm median is "
                                       "printed for prostate, so no absolute effect is given there.")


def test_absolute_brief():
    assert absolute_brief(_rep()) == (
        "Per 1,000 alive at 12 months, control → MDT (difference; 95% CI): non-small-cell lung cancer (baseline from "
        "2 comparisons): 500 → 707 (+207; +0 to +341). None for prostate (no control-arm median).")
    assert absolute_brief(_rep("PFS", absent=False)) == (
        "Per 1,000 without progression at 12 months, control → MDT (difference; 95% CI): non-small-cell lung cancer "
        "(baseline from 2 comparisons): 500 → 707 (+207; +0 to +341).")
    # a group of 5 pooled comparisons of which 4 print a control-arm median: the count says both
    b = _baselines().iloc[:1].assign(k=5, sources=[["A", "B", "C", "D"]], k_baseline=4)
    five = SimpleNamespace(outcome="PFS", absolute=absolute_effects(0.5, 0.25, 1.0, b, months=12), baseline=b,
                           settings=SimpleNamespace(level=95.0, absolute_months=12.0))
    assert "non-small-cell lung cancer (baseline from 4 of 5 comparisons): 500 → 707" in absolute_brief(five)
    # a harmful effect is written with a true minus sign
    harm = SimpleNamespace(outcome="OS", absolute=absolute_effects(2.0, 1.5, 4.0, b, months=12), baseline=b,
                           settings=SimpleNamespace(level=95.0, absolute_months=12.0))
    assert "500 → 250 (\u2212250; \u2212438 to \u2212146)" in absolute_brief(harm)


@pytest.mark.parametrize("lb,ub,want", [(15.2, 522.6, "15 to 523 more"), (-268.9, -26.3, "269 to 26 fewer"),
                                        (-20, 100, "20 fewer to 100 more"), (0.2, 341, "no difference to 341 more")])
def test_more_fewer_interval(lb, ub, want):
    assert more_fewer_interval(lb, ub) == want


@pytest.mark.parametrize("x,digits,want", [(212.1, 0, "+212"), (-12.4, 0, "\u221212"), (-0.2, 0, "+0"),
                                           (-0.54, 1, "\u22120.5"), (0.5, 1, "+0.5")])
def test_signed(x, digits, want):
    assert signed(x, digits) == want


def test_absolute_range():
    # one group: S0 = 0.5, MDT 0.707 → 207 more (CI 0.5 ** 1 − 0.5 = 0 → "no difference"; 0.5 ** 0.25 − 0.5 = +341)
    assert absolute_range(_rep("PFS", absent=False)) == (
        "207 more per 1,000 without progression at 12 months with MDT (95% CI no difference to 341 more); "
        "control risk 500 per 1,000 in non-small-cell lung cancer")
    # two groups: the second at S0 = 0.5 ** (12 / 6) = 0.25 → MDT 0.5 → 250 more; the range names both
    b = pd.concat([_baselines().iloc[:1], _baselines().iloc[:1].assign(cancer_group="breast", median_months=6.0)])
    two = SimpleNamespace(outcome="OS", absolute=absolute_effects(0.5, 0.25, 1.0, b, months=12), baseline=b,
                          settings=SimpleNamespace(level=95.0, absolute_months=12.0))
    assert absolute_range(two) == ("From 207 more (non-small-cell lung cancer) to 250 more (breast) per 1,000 alive "
                                   "at 12 months with MDT (2 cancer groups)")
    # a harmful effect reads "fewer"; no group with a median: said so
    harm = SimpleNamespace(outcome="OS", absolute=absolute_effects(2.0, 1.5, 4.0, b.iloc[:1], months=12),
                           baseline=b.iloc[:1], settings=SimpleNamespace(level=95.0, absolute_months=12.0))
    # HR 2 (1.5 to 4): 0.5 ** 2 = 0.25 → 250 fewer; 0.5 ** 4 → 438 fewer; 0.5 ** 1.5 → 146 fewer
    assert absolute_range(harm).startswith("250 fewer per 1,000 alive at 12 months with MDT (95% CI 438 fewer to 146 fewer)")
    none = SimpleNamespace(outcome="OS", absolute=absolute_effects(0.5, 0.25, 1.0, _baselines().iloc[1:]),
                           baseline=_baselines().iloc[1:], settings=SimpleNamespace(level=95.0, absolute_months=12.0))
    assert absolute_range(none) == "Not estimated: no pooled comparison prints a control-arm median."


# --------------------------------------------------------------------------- scorecard
@pytest.mark.parametrize("args,want", [
    ((0, 0.5, 0.3, 0.8, 0.5, 0.3, 0.8), VERDICTS[4]), ((1, 0.5, 0.3, 0.8, 0.5, 0.3, 0.8), VERDICTS[3]),
    ((2, 0.8, 0.6, 0.9, 1.2, 1.1, 1.3), VERDICTS[2]), ((2, 1.0, 0.9, 1.1, 0.9, 0.8, 1.05), VERDICTS[2]),
    ((2, 0.5, 0.3, 0.8, 0.6, 0.4, 0.9), VERDICTS[0]), ((2, 0.5, 0.3, 1.2, 0.6, 0.4, 1.1), VERDICTS[0]),
    ((2, 0.5, 0.3, 0.8, 0.6, 0.4, 1.1), VERDICTS[1]), ((2, 0.5, 0.3, 1.0, 0.6, 0.4, 0.9), VERDICTS[1]),
    ((2, 1.5, 1.0, 2.0, 1.4, 1.1, 1.9), VERDICTS[1]), ((2, 1.5, 1.2, 2.0, 1.4, 1.1, 1.9), VERDICTS[0]),
])
def test_verdict(args, want):
    assert verdict(*args) == want


def test_reader_labels_citation_of_a_number():
    assert LABELS.citation(5) == "5"          # not a record id, not missing: shown as it is


def test_review_counts():
    from helpers.review.counts import review_counts
    rec = pd.DataFrame({"decision": ["included", "excluded", "excluded", "included", "duplicate"]})
    trials = pd.DataFrame({"included": ["yes", "no", "no", "yes", "maybe"], "trial_group": ["g1", "g2", "g2", "g1", "g3"],
                           "n_randomized": [100, 10, 10, NAN, NAN], "n_mdt": [NAN, NAN, NAN, 20, NAN],
                           "n_control": [NAN, NAN, NAN, 25, NAN]})
    review = SimpleNamespace(records=rec, trials=trials, included=trials[trials["included"] == "yes"])
    assert review_counts(review) == {"records": 5, "records_included": 2, "records_excluded": 2, "comparisons": 5,
                                     "comparisons_included": 2, "comparisons_excluded": 2, "trials_included": 1,
                                     "trials_excluded": 1, "participants": 145, "comparisons_n_missing": 0}
