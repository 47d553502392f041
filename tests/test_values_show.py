"""helpers.show by value: the number formats at their boundaries, the reader labels and every
table builder on small hand-made frames, each cell written out by hand (the tables' text is what
the pages print).  These are the fast tests that let mutation testing judge ``helpers/show``:
without them the wing was checked only through the built book, which the mutation run leaves out.

Negative zero: ``fmt_num(-0.001)`` prints ``-0.00``, as Python's and R's ``sprintf`` do (metafor's
printed output is the reference for every number here); a value that rounds to zero keeps its sign."""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import math
import zipfile
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.show.labels import DERIVATIONS, FACTORS, LEVELS, Link, label, source
from helpers.show.tables import (_arm, adverse_event_table, breakable, comparisons_table, csv_download_link, folded,
                                 html_table, imputation_table, leave_one_out_table, markdown_table,
                                 missing_evidence_table, rob_me_table, safety_summary_table, scorecard_table,
                                 sensitivity_table, subgroup_table, zip_download_link)
from helpers.show.text import (NOT_ESTIMABLE, count, fmt_ci, fmt_num, fmt_p, fmt_pct, fmt_ratio, fmt_test_p,
                               join_words, number_word)

EM, EN, ZW = "\u2014", "\u2013", "\u200b"
NAN = float("nan")


# --------------------------------------------------------------------------- text
@pytest.mark.parametrize("p,want", [
    (0.0499, "p = 0.05"), (0.00999, "p = 0.010"), (0.001, "p = 0.001"), (0.00099, "p < 0.001"),
    (0.125, "p = 0.12"), (0.135, "p = 0.14"), (0.01, "p = 0.01"), (0.0100001, "p = 0.01"),
    (0.009999999, "p = 0.010"), (0.0010001, "p = 0.001"), (0.0, "p < 0.001"), (1, "p = 1.00"),
    (None, "p not available"), (NAN, "p not available"), (pd.NA, "p not available"),
    (np.float64("nan"), "p not available"),
])
def test_fmt_p_boundaries(p, want):
    assert fmt_p(p) == want


@pytest.mark.parametrize("p,want", [
    (None, "not testable"), (NAN, "not testable"), (pd.NA, "not testable"), (np.float64("nan"), "not testable"),
    (0.0499, "p = 0.05"), (0.0005, "p < 0.001"), (0.005, "p = 0.005"), (0.2, "p = 0.20"),
])
def test_fmt_test_p(p, want):
    assert fmt_test_p(p) == want


@pytest.mark.parametrize("args,want", [
    ((0.0499, 0.00999, 0.00099), "0.05 (0.01\u20130.00)"),
    ((0.125, 0.135, 1.0), "0.12 (0.14\u20131.00)"),
    ((-0.001, -0.004, 0.001), "-0.00 (-0.00\u20130.00)"),
    ((0.5, NAN, None), f"0.50 ({EM}\u2013{EM})"),
    ((pd.NA, 0.1, 0.2), f"{EM} (0.10\u20130.20)"),
])
def test_fmt_ratio_boundaries(args, want):
    assert fmt_ratio(*args) == want


def test_fmt_num_negative_zero_keeps_its_sign():
    assert fmt_num(-0.001) == "-0.00"
    assert fmt_num(-0.001, 3) == "-0.001"
    assert fmt_num(-0.0) == "-0.00"
    assert fmt_num(0.001) == "0.00"
    assert fmt_ci(-0.001, 0.001) == f"-0.00{EN}0.00"
    assert fmt_ci(1, 2) == f"1.00{EN}2.00"
    assert fmt_ci(1, 2, 0) == f"1{EN}2"
    assert fmt_ratio(1, 2, 3, 1) == f"1.0 (2.0{EN}3.0)"


def test_fmt_pct_and_missing():
    assert fmt_pct(None) == fmt_pct(NAN) == fmt_pct(pd.NA) == EM
    assert fmt_pct(12.5) == "12%" and fmt_pct(12.5, 1) == "12.5%" and fmt_pct(7) == "7%"
    assert fmt_num(None) == fmt_num(pd.NA) == fmt_num(np.nan) == EM


@pytest.mark.parametrize("n,noun,plural,words,want", [
    (1, "trial", None, False, "1 trial"), (2, "trial", None, False, "2 trials"),
    (1, "entry", "entries", False, "1 entry"), (2, "entry", "entries", False, "2 entries"),
    (0, "entry", "entries", True, "no entries"), (10, "trial", None, True, "ten trials"),
    (11, "trial", None, True, "11 trials"), (12345, "patient", None, False, "12,345 patients"),
    (12345, "patient", None, True, "12,345 patients"), (-1, "trial", None, False, "-1 trials"),
])
def test_count_table(n, noun, plural, words, want):
    assert count(n, noun, plural, words=words) == want


def test_count_words_default_is_digits():
    assert count(3, "trial") == "3 trials"
    assert count(1, "analysis", "analyses", True) == "one analysis"


@pytest.mark.parametrize("n,want", [(0, "no"), (2, "two"), (5, "five"), (9, "nine"), (10, "ten"), (11, "11"),
                                    (-1, "-1"), (-11, "-11"), (1000, "1,000")])
def test_number_word_table(n, want):
    assert number_word(n) == want


def test_join_words_table():
    assert join_words([]) == ""
    assert join_words(["A"]) == "A"
    assert join_words(("A", "B")) == "A and B"
    assert join_words(["A", "B", "C"]) == "A, B and C"
    assert join_words([1, 2, 3, 4]) == "1, 2, 3 and 4"
    assert join_words(x for x in "xy") == "x and y"


# --------------------------------------------------------------------------- labels
@pytest.mark.parametrize("code,want", [
    ("timing", "Timing of MDT"), ("overall", "All comparisons"), ("de_novo", "de novo"),
    ("oligoprogressive", "oligoprogression"), ("control_vs_mdt", "control vs MDT"),
    ("some_new_code", "some new code"), ("plain", "plain"), (None, ""), ("", ""), (3, "3"), ("a__b", "a  b"),
])
def test_label(code, want):
    assert label(code) == want


def test_label_maps_are_reader_words():
    assert all("_" not in v for v in [*FACTORS.values(), *LEVELS.values()])
    assert DERIVATIONS["reported"] == "HR and CI as reported"


def test_link():
    a = Link("A & B", 'https://x.org/?a=1&b="2"', after=" (n<3)")
    assert a.plain == "A & B (n<3)"
    assert str(a) == '<a href="https://x.org/?a=1&amp;b=&quot;2&quot;">A &amp; B</a> (n&lt;3)'
    assert a.__html__() == str(a)
    assert str(Link("A & B", None, " <i>")) == "A &amp; B &lt;i&gt;"
    assert str(Link("x", "")) == "x"
    assert str(Link("<x>")) == "&lt;x&gt;"
    assert Link(3).text == "3" and Link(3).url is None and Link(3).after == ""
    assert Link("a", "u") == Link("a", "u") and hash(Link("a", "u")) == hash(Link("a", "u"))
    assert Link("a", "u") != Link("a", "v") and Link("a", "u") != Link("b", "u")
    assert Link("a", "u") != Link("a", "u", "!") and Link("a") != "a"
    assert len({Link("a", "u"), Link("a", "u"), Link("a", "v")}) == 2
    assert repr(Link("a", "u", "!")) == "Link('a', 'u', '!')"


def test_source():
    records = {"r1": ("Smith 2020, J Clin Oncol", "https://doi.org/10.1/x")}
    assert source("r1", records) == Link("Smith 2020, J Clin Oncol", "https://doi.org/10.1/x")
    assert source("lee_et_al_2021", records) == Link("lee et al 2021", None)
    assert source("lee_2021", {}) == Link("lee 2021")
    for missing in (None, "", NAN, 5):
        assert source(missing, records) == EM


# --------------------------------------------------------------------------- small helpers of tables
@pytest.mark.parametrize("args,want", [
    ((3, 66), "3/66"), ((0, 66), "0/66"), ((3.0, 66.0), "3/66"), ((0, None), "0/?"), ((2, NAN), "2/?"),
    ((None, 66), "not reported"), ((NAN, 66), "not reported"), ((None, 66, 10.6), "10.6%"),
    ((NAN, 66, 12.0), "12%"), ((None, 66, NAN), "not reported"), ((2, 10, 20.0), "2/10"),
    ((pd.NA, 5, None), "not reported"),
])
def test_arm(args, want):
    assert _arm(*args) == want


@pytest.mark.parametrize("text,want", [
    ("upfront/consolidation/unselected", f"upfront/{ZW}consolidation/{ZW}unselected"),
    ("aaaaaaaa/bbbbbbbbb", f"aaaaaaaa/{ZW}bbbbbbbbb"),      # 18 characters: long
    ("aaaaaaaa/bbbbbbbb", "aaaaaaaa/bbbbbbbb"),             # 17: short
    ("see https://example.org/aaaa/bbbb/cccc", "see https://example.org/aaaa/bbbb/cccc"),
    ("no slash in this long phrase", "no slash in this long phrase"),
    ("a/b and upfront/consolidation/x", f"a/b and upfront/{ZW}consolidation/{ZW}x"),
    (5, 5), (None, None),
])
def test_breakable(text, want):
    assert breakable(text) == want


def test_markdown_table():
    df = pd.DataFrame({"a|b": ["x|y", "line\nbreak"], "c": [1, 2]})
    assert markdown_table(df) == "| a\\|b | c |\n|---|---|\n| x\\|y | 1 |\n| line break | 2 |"
    long = pd.DataFrame({"x": ["upfront/consolidation/unselected"]})
    assert markdown_table(long) == f"| x |\n|---|\n| upfront/{ZW}consolidation/{ZW}unselected |"


def test_html_table_escapes_and_is_stable():
    df = pd.DataFrame({"Trial": ["<b>A</b>", "B & C"], "n": [1.5, np.nan], "id": ["sha", "x"]})
    html = html_table(df, caption="Cap <1>", break_anywhere=("id",)).to_html()
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "B &amp; C" in html and "<b>A</b>" not in html
    assert EM in html and "nan" not in html
    assert "Cap &lt;1&gt;" in html or "Cap <1>" in html
    assert "<caption>" in html and "overflow-wrap: anywhere" in html
    uid = hashlib.sha256(df.to_csv().encode("utf-8")).hexdigest()[:10]
    assert f"T_{uid}" in html
    assert html == html_table(df, caption="Cap <1>", break_anywhere=("id",)).to_html()
    plain = html_table(df).to_html()
    assert "<caption>" not in plain and "overflow-wrap" not in plain
    assert "level0 row0" not in plain or 'class="row_heading' not in plain   # index hidden
    long = html_table(pd.DataFrame({"x": ["upfront/consolidation/unselected"]})).to_html()
    assert f"upfront/{ZW}consolidation" in long


def _payload(html: str, kind: str) -> bytes:
    start = html.index(f"data:{kind}") 
    b64 = html[start:].split("base64,", 1)[1].split('"', 1)[0]
    return base64.b64decode(b64)


def test_csv_download_link():
    df = pd.DataFrame({"Trial": ["A", "B"], "Source": [Link("Smith 2020", "https://x", " (note)"), "plain"]})
    h = csv_download_link(df, "t<1>.csv").data
    assert h.startswith('<a download="t&lt;1&gt;.csv" href="data:text/csv;charset=utf-8;base64,')
    assert h.endswith(">Download this table as CSV</a>")
    rows = list(csv.reader(io.StringIO(_payload(h, "text/csv").decode("utf-8"))))
    assert rows == [["Trial", "Source"], ["A", "Smith 2020 (note)"], ["B", "plain"]]
    assert csv_download_link(df, "t.csv", text="Get <it>").data.endswith(">Get &lt;it&gt;</a>")


def test_folded():
    df = pd.DataFrame({"a": ["<x>"]})
    h = folded(df, "Show <all>", "refs").data
    assert h.startswith('<details class="refs"><summary>Show &lt;all&gt;</summary>')
    assert h.endswith("</details>") and "&lt;x&gt;" in h and "<table" in h
    assert folded(df, "S").data.startswith("<details><summary>S</summary><style")


def test_zip_download_link(tmp_path):
    (tmp_path / "b.csv").write_text("b", encoding="utf-8")
    (tmp_path / "a.csv").write_text("a,1", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.csv").write_text("c", encoding="utf-8")
    h = zip_download_link(tmp_path, "data<1>.zip", "Get <all>").data
    assert h.startswith('<a download="data&lt;1&gt;.zip" href="data:application/zip;base64,')
    assert h.endswith(">Get &lt;all&gt;</a>")
    z = zipfile.ZipFile(io.BytesIO(_payload(h, "application/zip")))
    assert z.namelist() == ["data/a.csv", "data/b.csv"]
    assert z.read("data/a.csv") == b"a,1"
    assert all(i.date_time == (2025, 6, 9, 0, 0, 0) and i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
    assert zip_download_link(tmp_path, "d.zip", "t").data == zip_download_link(tmp_path, "d.zip", "t").data


# --------------------------------------------------------------------------- table builders
def _comparisons() -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": ["harrow_2022", "lee_2020", "r3", "r4"],
        "source_tier": ["primary_paper", NAN, "registry", NAN],
        "trial": ["SABR-COMET", "T2", "T3", "T4"],
        "n": pd.array([99, None, 40, 12], dtype="Int64"),
        "endpoint_name": ["OS", "PFS", "OS", "OS"],
        "hr_printed": [0.47, 2.0, NAN, 1.1],
        "ci_lower_printed": [0.27, NAN, NAN, 0.9],
        "ci_upper_printed": [0.81, NAN, NAN, 1.3],
        "ci_level": [95.0, 95.0, 95.0, 90.0],
        "direction": ["mdt_vs_control", "control_vs_mdt", "mdt_vs_control", "mdt_vs_control"],
        "median_mdt": [50.0, NAN, 12.5, NAN],
        "median_control": [28.0, NAN, NAN, 7.25],
        "median_unit": ["months", NAN, NAN, "weeks"],
        "hr": [0.47, 0.5, 0.8, 1.1], "ci_lb": [0.27, 0.25, 0.6, 0.9], "ci_ub": [0.81, 1.0, 1.2, 1.3],
        "estimable": [True, True, False, True],
        "derivation": ["reported", "from_p_and_events", "not_available", "ratio_of_medians"],
        "note": ["", "p = 0.04", "", ""],
        "cancer_group": ["mixed", "prostate", "lung", "breast"], "control_arm": ["SOC"] * 4,
        "systemic_therapy": ["any", "ADT", "none", "any"],
        "timing": ["upfront", "consolidation", NAN, "de_novo"],
        "disease_state": ["oligometastatic", "oligoprogressive", "de_novo", "x_y"],
    })


def test_comparisons_table():
    records = {"harrow_2022": ("Harrow 2022, IJROBP", "https://doi.org/10.1/x")}
    out = comparisons_table(_comparisons(), records)
    assert list(out.columns) == ["Trial", "n", "Endpoint", "HR as printed", "Medians, MDT vs control",
                                 "HR used (95% CI)", "How obtained", "Source (read as)"]
    assert out.to_dict("list") == {
        "Trial": ["SABR-COMET", "T2", "T3", "T4"],
        "n": ["99", "not reported", "40", "12"],
        "Endpoint": ["OS", "PFS", "OS", "OS"],
        "HR as printed": ["0.47 (0.27\u20130.81, 95% CI)", "2.00 (no CI printed); printed as control vs MDT", EM,
                          "1.10 (0.90\u20131.30, 90% CI)"],
        "Medians, MDT vs control": ["50.0 vs 28.0 months", EM, f"12.5 vs {EM}", f"{EM} vs 7.2 weeks"],
        "HR used (95% CI)": ["0.47 (0.27\u20130.81)", "0.50 (0.25\u20131.00)", "not estimable", "1.10 (0.90\u20131.30)"],
        "How obtained": ["HR and CI as reported", "from p-value and events (see Methods) (p = 0.04)",
                         "no estimate obtainable", "ratio of medians (exponential assumption; weaker)"],
        "Source (read as)": [Link("Harrow 2022, IJROBP", "https://doi.org/10.1/x", " (primary paper)"),
                             Link("lee 2020"), Link("r3", None, " (registry)"), Link("r4")],
    }


def test_comparisons_table_full_and_no_records():
    out = comparisons_table(_comparisons(), full=True)
    assert list(out.columns)[:8] == ["Trial", "Cancer", "Control arm", "Systemic therapy", "Timing", "Disease state",
                                     "n", "Endpoint"]
    assert list(out["Timing"]) == ["upfront", "consolidation", "n/a (oligoprogression)", "de novo"]
    assert list(out["Disease state"]) == ["oligometastatic", "oligoprogression", "de novo", "x y"]
    assert list(out["Cancer"]) == ["mixed", "prostate", "lung", "breast"]
    assert list(out["Systemic therapy"]) == ["any", "ADT", "none", "any"]
    assert out["Source (read as)"][0] == Link("harrow 2022", None, " (primary paper)")


def test_sensitivity_table():
    sens = pd.DataFrame({"analysis": ["Primary", "Without X"], "k": [5, 1], "n": [300, 40],
                         "hr": [0.6, NAN], "ci_lb": [0.45, NAN], "ci_ub": [0.8, NAN], "estimable": [True, False],
                         "pval": [0.0004, NAN], "tau2": [0.01234, NAN], "I2": [23.6, NAN]})
    out = sensitivity_table(sens)
    assert out.to_dict("list") == {"Analysis": ["Primary", "Without X"], "k": [5, 1], "n": [300, 40],
                                   "HR (95% CI)": ["0.60 (0.45\u20130.80)", "not estimable"],
                                   "p": ["p < 0.001", ""], "τ²": ["0.012", ""], "I²": ["24%", ""]}
    assert "HR (90% CI)" in sensitivity_table(sens, level=90).columns
    assert "HR (97.5% CI)" in sensitivity_table(sens, level=97.5).columns


def test_leave_one_out_table():
    ln = math.log
    reml = pd.DataFrame({"estimate": [ln(0.5), 0.0, ln(0.5), ln(2)], "ci_lb": [ln(0.25), ln(0.5), ln(0.25), 0.0],
                         "ci_ub": [ln(0.8), ln(2), 0.0, ln(4)]}, index=["A", "B", "C", "D"])
    dl = pd.DataFrame({"estimate": [0.0] * 4, "ci_lb": [-1e-9] * 4, "ci_ub": [1e-9] * 4}, index=list("ABCD"))
    out = leave_one_out_table({"REML": reml, "DL": dl}, level=90)
    assert out.to_dict("list") == {
        "Left out": ["A", "B", "C", "D"],
        "REML: HR (90% CI) without it": ["0.50 (0.25\u20130.80)", "1.00 (0.50\u20132.00) crosses 1",
                                          "0.50 (0.25\u20131.00)", "2.00 (1.00\u20134.00)"],
        "DL: HR (90% CI) without it": ["1.00 (1.00\u20131.00) crosses 1"] * 4,
    }
    assert list(leave_one_out_table({"REML": reml}).columns) == ["Left out", "REML: HR (95% CI) without it"]


def test_missing_evidence_table():
    m = pd.DataFrame({"trial": ["A", "B"], "n": [120.0, NAN], "sources_say": ["HR not given", "abstract only"],
                      "favours": ["MDT", ""], "reason": ["no CI", "no data"]})
    assert missing_evidence_table(m).to_dict("list") == {
        "Trial": ["A", "B"], "n": ["120", "not reported"], "What the sources say": ["HR not given", "abstract only"],
        "Favours": ["MDT", "not stated"], "Why not pooled": ["no CI", "no data"]}


def test_imputation_table():
    z = 1.959963984540054    # the 97.5% normal quantile
    t = pd.DataFrame({"trial_id": ["t1", "t2"], "yi": [math.log(0.5), 0.0], "sei": [math.log(2) / z, 0.0],
                      "method": ["pooled", "events_from_medians"], "weight_pooled": [40.4, NAN],
                      "weight_with_imputed": [12.6, 99.5], "note": [NAN, "imputed"]})
    assert imputation_table(t, {"t1": "Trial One"}).to_dict("list") == {
        "Trial": ["Trial One", "t2"], "HR (95% CI)": ["0.50 (0.25\u20131.00)", "1.00 (1.00\u20131.00)"],
        "How obtained": ["pooled as reported", "events_from_medians"], "Weight, pooled only": ["40%", EM],
        "Weight, with imputed": ["13%", "100%"], "Note": ["", "imputed"]}


def test_rob_me_table():
    items = pd.DataFrame({"item": ["Q1"], "answer": ["Yes"], "reason": ["because"]})
    assert rob_me_table(items).to_dict("list") == {"Signalling question": ["Q1"], "Answer": ["Yes"], "Why": ["because"]}


def test_scorecard_table():
    card = pd.DataFrame({"analysis_id": ["a1", "a2", "a3"], "outcome": ["OS", "PFS", "AE grade >=2"],
                         "factor": ["overall", "timing", "overall"], "subgroup": ["all", "de_novo", ""],
                         "paper": ["0.5", "0.6", "0.7"], "book": ["0.51", "0.61", "0.71"], "k": [5, 2, 3],
                         "n": [500, 100, 200], "verdict": ["matches", "differs", "matches"],
                         "same_as": ["", "", "a1"], "book_DL_z": ["d1", "d2", "d3"], "book_REML_z": ["r1", "r2", "r3"]})
    out = scorecard_table(card, "REML, HKSJ")
    assert out.to_dict("list") == {
        "Analysis": ["OS", "PFS · de novo", "Grade ≥2 adverse events"], "Paper": ["0.5", "0.6", "0.7"],
        "This book (REML, HKSJ)": ["0.51", "0.61", "0.71"], "k": [5, 2, 3], "n": [500, 100, 200],
        "Verdict": ["matches", "differs", "same comparisons as OS"]}
    full = scorecard_table(card, "REML", full=True)
    assert list(full.columns) == ["Analysis", "Paper", "This book (REML)", "k", "n", "DerSimonian–Laird, z",
                                  "REML, z-test", "Verdict"]
    assert list(full["REML, z-test"]) == ["r1", "r2", "r3"] and list(full["DerSimonian–Laird, z"]) == ["d1", "d2", "d3"]


def test_subgroup_table():
    rows = pd.DataFrame({"level": ["de_novo", "oligoprogressive"], "in_test": [True, False], "k": [3, 1],
                         "n": [200, 40], "hr": [0.5, 0.9], "ci_lb": [0.3, 0.5], "ci_ub": [0.8, 1.6],
                         "tau2": [0.0123, NAN], "I2": [12.4, NAN]})
    tested = SimpleNamespace(q_separate=3.14159, df_separate=1, p_separate=0.0762, p_common=0.0009, rows=rows)
    untested = SimpleNamespace(q_separate=NAN, df_separate=0, p_separate=NAN, p_common=NAN, rows=rows.iloc[:1])
    out = subgroup_table({("OS", "timing"): tested, ("PFS", "phase"): untested})
    assert out.to_dict("list") == {
        "Outcome": ["OS", "OS", "PFS"], "Factor": ["timing", "timing", "phase"],
        "Subgroup": ["De novo", "Oligoprogression (not in the test)", "De novo"], "k": [3, 1, 3], "n": [200, 40, 200],
        "HR (95% CI)": ["0.50 (0.30\u20130.80)", "0.90 (0.50\u20131.60)", "0.50 (0.30\u20130.80)"],
        "τ²": ["0.012", EM, "0.012"], "I²": ["12%", EM, "12%"],
        "Test (separate τ²)": ["Q = 3.14, df = 1, p = 0.08", "Q = 3.14, df = 1, p = 0.08", "not testable"],
        "Test (common τ²)": ["p < 0.001", "p < 0.001", "not testable"]}
    assert subgroup_table({}).empty


def _est(hr, lb, ub):
    return SimpleNamespace(beta=math.log(hr), ci_lb=math.log(lb), ci_ub=math.log(ub))


def _safety(statuses, re_k, risk_mdt=0.1, risk_control=0.2):
    k = statuses.count("usable")
    table = pd.DataFrame({"status": statuses})
    return SimpleNamespace(usable=list(range(k)), re_k=re_k, table=table, risk_mdt=risk_mdt,
                           risk_control=risk_control,
                           mh_rd=SimpleNamespace(beta=-0.0525, ci_lb=-0.125, ci_ub=0.0175) if k else None,
                           mh_or=_est(0.5, 0.25, 1.0) if re_k else None, re_or=_est(0.4, 0.2, 0.8) if re_k else None,
                           peto=_est(0.6, 0.3, 1.2) if re_k else None)


def test_safety_summary_table():
    pooled = {">=2": _safety(["usable", "usable", "not reported"], 2), ">=3": _safety(["usable", "incomplete"], 1),
              "5": _safety(["not reported"], 0)}
    pooled["5"].mh_rd = None
    out = safety_summary_table(pooled, {">=2": "Grade ≥2", ">=3": "Grade ≥3", "5": "Grade 5"})
    one = "not pooled (one trial with events)"
    assert out.to_dict("list") == {
        "Grade": ["Grade ≥2", "Grade ≥3", "Grade 5"], "Trials with usable counts": [2, 1, 0],
        "Not reported or incomplete": [1, 1, 1],
        "Risk MDT": ["10.0%", "10.0%", "—"], "Risk control": ["20.0%", "20.0%", "—"],
        "Odds ratio": ["0.50 (0.25\u20131.00) (Mantel–Haenszel)", "one trial: 0.50 (0.25\u20131.00)", "—"],
        "Random-effects OR": ["0.40 (0.20\u20130.80)", one, NOT_ESTIMABLE],
        "Peto OR": ["0.60 (0.30\u20131.20)", one, NOT_ESTIMABLE],
        "Risk difference": ["\u22125.2 (\u221212.5 to 1.8) per 100 (Mantel–Haenszel)",
                            "one trial: \u22125.2 (\u221212.5 to 1.8) per 100", "—"]}
    assert "-" not in "".join(out["Risk difference"])       # a minus sign, never a hyphen, before a number


def test_safety_summary_table_without_risk_difference():
    r = _safety(["usable", "usable"], 2)
    r.mh_rd = None
    assert safety_summary_table({"g": r}, {"g": "G"})["Risk difference"][0] == "not estimable (Mantel–Haenszel)"


def test_adverse_event_table():
    def res(rows):
        return SimpleNamespace(table=pd.DataFrame(rows))
    row = {"trial": "A", "status": "usable", "ai": 3, "n1i": 66, "pct_mdt": None, "ci": 5, "n2i": 33,
           "pct_control": None, "how": "counted", "record_id": "r1"}
    silent = {**row, "trial": "B", "status": "not reported", "ai": None, "ci": None, "pct_control": 10.6,
              "record_id": None}
    pooled = {">=2": res([row, silent]), ">=3": res([silent, {**row, "trial": "C", "n2i": None}])}
    records = {"r1": ("Smith 2020", "https://x")}
    out = adverse_event_table(pooled, {">=2": "≥2", ">=3": "≥3"}, records=records)
    assert out.to_dict("list") == {
        "Grade": ["≥2", "≥2", "≥3"], "Trial": ["A", "B", "C"], "Status": ["usable", "not reported", "usable"],
        "MDT": ["3/66", "not reported", "3/66"], "Control": ["5/33", "10.6%", "5/?"], "How": ["counted"] * 3,
        "Source": [Link("Smith 2020", "https://x"), EM, Link("Smith 2020", "https://x")]}
    kept3 = adverse_event_table(pooled, {">=2": "≥2", ">=3": "≥3"}, keep_unreported=">=3")
    assert list(kept3["Trial"]) == ["A", "B", "C"] and list(kept3["Grade"]) == ["≥2", "≥3", "≥3"]
    assert kept3["Source"][0] == Link("r1")


def test_glue_all(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display)))
    from helpers.show.text import glue_all
    glue_all("os", {"hr": 0.5, "k": "3"})
    assert calls == [("os_hr", "0.5", False), ("os_k", "3", False)]
