"""The loader's rules, each tested on the row it names, in both arms and in every file that
holds numbers: events never above patients, each number printed in its quote, n per arm
within n randomised, every number of trials.csv traced in provenance.csv, and an empty cell
stays missing (never 0) in every numeric column after loading.

Fixture style of test_data.py: copy data/ to tmp_path, edit one row with ``edit_csv``, load
with ``helpers.load_review(tmp_dir)`` and expect the error on that file, row and column."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

import helpers as h
from helpers.review.data import SCHEMAS, DataError, number_in_quote
from conftest import ROOT, edit_csv

DATA = ROOT / "data"


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def _line(file: str, **where) -> tuple[int, dict]:
    """(spreadsheet row, cells) of the one row of data/``file`` matching ``where``."""
    with (DATA / file).open(encoding="utf-8") as f:
        hits = [(i + 2, r) for i, r in enumerate(csv.DictReader(f)) if all(r[k] == v for k, v in where.items())]
    assert len(hits) == 1, f"{file}: {len(hits)} rows match {where}"
    return hits[0]


def _edit(d: Path, file: str, where: dict, changes: dict) -> int:
    """Edit the row of ``file`` matching ``where`` (through conftest.edit_csv, keyed on its
    quote, which is unique in the file); returns its spreadsheet row."""
    line, row = _line(file, **where)
    key = "quote" if "quote" in row else "analysis_id"
    assert sum(r[key] == row[key] for r in csv.DictReader((DATA / file).open(encoding="utf-8"))) == 1
    edit_csv(d / file, key, row[key], changes)
    return line


def _expect(d: Path, file: str, row: int, column: str, match: str) -> None:
    with pytest.raises(DataError, match=match) as e:
        h.load_review(d)
    assert (e.value.file, e.value.row, e.value.column) == (file, row, column), str(e.value)


# --------------------------------------------------------------------------- the rows used
# outcomes.csv, SABR-COMET PFS: "12.0 months versus 6.0 months (HR 0.47, 95% CI 0.30–0.76; P = 0.0012)"
PFS = {"trial_id": "sabr_comet", "outcome": "PFS", "record_id": "nrco_2019_sabrcomet_news"}
# adverse_events.csv, SABR-COMET grade >= 2: 19 of 66 (SABR) and 3 of 33 (control)
AE = {"trial_id": "sabr_comet", "grade": ">=2", "attribution": "treatment-related", "record_id": "cta_2019_sabrcomet_news"}
# paper_reported.csv: "PFS (HR = 0.45, 95% CI 0.32–0.64)"
PAPER = {"analysis_id": "upfront_pfs"}


def test_the_rows_used_here_are_as_described():
    _, r = _line("outcomes.csv", **PFS)
    assert (r["hr"], r["ci_lower"], r["ci_upper"], r["p_value"], r["median_mdt"], r["median_control"]) == \
        ("0.47", "0.30", "0.76", "0.0012", "12.0", "6.0")
    _, r = _line("adverse_events.csv", **AE)
    assert (r["events_mdt"], r["total_mdt"], r["events_control"], r["total_control"]) == ("19", "66", "3", "33")
    _, r = _line("paper_reported.csv", **PAPER)
    assert (r["estimate"], r["ci_lower"], r["ci_upper"]) == ("0.45", "0.32", "0.64")
    _, r = _line("trials.csv", trial_id="sabr_comet")
    assert (r["n_randomized"], r["n_mdt"], r["n_control"], r["max_lesions"]) == ("99", "66", "33", "5")


# --------------------------------------------------------------------------- events ≤ patients, both arms
@pytest.mark.parametrize("arm", ["mdt", "control"])
def test_events_equal_to_patients_load(tmp_path, arm):
    d = _copy(tmp_path)
    total = {"mdt": "66", "control": "33"}[arm]       # both printed in the quote
    _edit(d, "adverse_events.csv", AE, {f"events_{arm}": total})
    ae = h.load_review(d).adverse_events
    row = ae[(ae.trial_id == "sabr_comet") & (ae.grade == ">=2") & (ae.record_id == AE["record_id"])]
    assert int(row[f"events_{arm}"].iloc[0]) == int(total)


@pytest.mark.parametrize("arm", ["mdt", "control"])
def test_one_event_more_than_patients_is_rejected(tmp_path, arm):
    d = _copy(tmp_path)
    over = {"mdt": "67", "control": "34"}[arm]
    line = _edit(d, "adverse_events.csv", AE, {f"events_{arm}": over, "quote": lambda q: f"{q} {over}"})
    _expect(d, "adverse_events.csv", line, f"events_{arm}", f"{over} events exceed")


@pytest.mark.parametrize("arm", ["mdt", "control"])
def test_count_and_percentage_together_are_rejected(tmp_path, arm):
    d = _copy(tmp_path)
    pct = {"mdt": "29", "control": "9"}[arm]          # printed: "19 (29%)", "3 (9%)"
    line = _edit(d, "adverse_events.csv", AE, {f"pct_{arm}": pct})
    _expect(d, "adverse_events.csv", line, f"pct_{arm}", "not both")


@pytest.mark.parametrize("arm", ["mdt", "control"])
def test_percentage_alone_loads(tmp_path, arm):
    d = _copy(tmp_path)
    pct = {"mdt": "29", "control": "9"}[arm]
    _edit(d, "adverse_events.csv", AE, {f"pct_{arm}": pct, f"events_{arm}": ""})
    ae = h.load_review(d).adverse_events
    row = ae[(ae.trial_id == "sabr_comet") & (ae.grade == ">=2") & (ae.record_id == AE["record_id"])].iloc[0]
    assert row[f"pct_{arm}"] == float(pct) and pd.isna(row[f"events_{arm}"])


def test_outcome_events_above_participants_are_rejected(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "outcomes.csv", PFS, {"events": "600", "quote": lambda q: f"{q} 600 events"})
    _expect(d, "outcomes.csv", line, "events", "exceed the 99 participants")


@pytest.mark.parametrize("column, value, ok", [("events_mdt", "67", False), ("events_mdt", "66", True),
                                               ("events_control", "34", False), ("events", "99", True)])
def test_outcome_events_per_arm_within_the_arm(tmp_path, column, value, ok):
    d = _copy(tmp_path)
    line = _edit(d, "outcomes.csv", PFS, {column: value, "quote": lambda q: f"{q} ({value} events)"})
    if ok:
        h.load_review(d)
    else:
        _expect(d, "outcomes.csv", line, column, "events exceed")


# --------------------------------------------------------------------------- n per arm within n randomised
def test_arms_adding_up_to_n_randomised_load():
    t = h.load_review().trials.set_index("trial_id")
    assert (t.at["sabr_comet", "n_mdt"], t.at["sabr_comet", "n_control"], t.at["sabr_comet", "n_randomized"]) \
        == (66, 33, 99)


@pytest.mark.parametrize("column,value", [("n_mdt", "67"), ("n_control", "34")])
def test_arms_above_n_randomised_are_rejected(tmp_path, column, value):
    d = _copy(tmp_path)
    edit_csv(d / "trials.csv", "trial_id", "sabr_comet", {column: value})
    line, _ = _line("trials.csv", trial_id="sabr_comet")
    _expect(d, "trials.csv", line, "n_mdt", "exceeds n_randomized")


# --------------------------------------------------------------------------- every number printed in its quote
OUTCOME_CHANGES = {   # column → a value the quote does not print (and that breaks no other rule)
    "hr": "0.48", "ci_lower": "0.31", "ci_upper": "0.75", "p_value": "0.0013", "events": "57",
    "events_mdt": "20", "events_control": "25", "median_mdt": "13.0", "median_control": "7.0",
    "followup_months": "27.5",
}


def test_every_number_of_outcomes_is_checked_against_the_quote():
    numeric = {c.name for c in SCHEMAS["outcomes.csv"].columns if c.kind in ("int", "float")} | {"p_value"}
    assert numeric - {"ci_level", "p_sides"} == set(OUTCOME_CHANGES)


@pytest.mark.parametrize("column", list(OUTCOME_CHANGES))
def test_outcome_number_not_in_quote(tmp_path, column):
    d = _copy(tmp_path)
    line = _edit(d, "outcomes.csv", PFS, {column: OUTCOME_CHANGES[column]})
    _expect(d, "outcomes.csv", line, column, f"does not contain the number {OUTCOME_CHANGES[column]} as printed")


@pytest.mark.parametrize("column", list(OUTCOME_CHANGES))
def test_outcome_number_added_to_the_quote_loads(tmp_path, column):
    d = _copy(tmp_path)
    value = OUTCOME_CHANGES[column]
    _edit(d, "outcomes.csv", PFS, {column: value, "quote": lambda q: f"{q} ({value})"})
    out = h.load_review(d).outcomes
    row = out[(out.trial_id == "sabr_comet") & (out.outcome == "PFS") & (out.record_id == PFS["record_id"])].iloc[0]
    assert (row[column] if column == "p_value" else float(row[column])) == (value if column == "p_value"
                                                                            else float(value))


AE_CHANGES = {   # column → (changes to the row); the counts 19/66 and 3/33 are printed
    "events_mdt": {"events_mdt": "18"}, "total_mdt": {"total_mdt": "65"},
    "events_control": {"events_control": "4"}, "total_control": {"total_control": "34"},
    "pct_mdt": {"events_mdt": "", "pct_mdt": "28"}, "pct_control": {"events_control": "", "pct_control": "8"},
}


def test_every_number_of_adverse_events_is_checked_against_the_quote():
    numeric = {c.name for c in SCHEMAS["adverse_events.csv"].columns if c.kind in ("int", "float")}
    assert numeric == set(AE_CHANGES)


@pytest.mark.parametrize("column", list(AE_CHANGES))
def test_adverse_event_number_not_in_quote(tmp_path, column):
    d = _copy(tmp_path)
    line = _edit(d, "adverse_events.csv", AE, AE_CHANGES[column])
    _expect(d, "adverse_events.csv", line, column, "quote does not contain the number")


PAPER_CHANGES = {"estimate": "0.46", "ci_lower": "0.31", "ci_upper": "0.65"}


def test_every_number_of_paper_reported_is_checked_against_the_quote():
    numeric = {c.name for c in SCHEMAS["paper_reported.csv"].columns if c.kind in ("int", "float")}
    assert numeric == set(PAPER_CHANGES)


@pytest.mark.parametrize("column", list(PAPER_CHANGES))
def test_paper_number_not_in_quote(tmp_path, column):
    d = _copy(tmp_path)
    edit_csv(d / "paper_reported.csv", "analysis_id", "upfront_pfs", {column: PAPER_CHANGES[column]})
    line, _ = _line("paper_reported.csv", **PAPER)
    _expect(d, "paper_reported.csv", line, column, "quote does not contain the number")


def test_provenance_value_not_in_quote(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "provenance.csv", {"trial_id": "sabr_comet", "field": "n_randomized",
                                       "record_id": "palma_2019_lancet"}, {"value": "98"})
    _expect(d, "provenance.csv", line, "quote", "does not contain 98")


@pytest.mark.parametrize("column,value", [("n_randomized", "100"), ("n_mdt", "65"), ("n_control", "32"),
                                          ("max_lesions", "4")])
def test_every_number_of_trials_needs_a_provenance_row(tmp_path, column, value):
    d = _copy(tmp_path)
    edit_csv(d / "trials.csv", "trial_id", "sabr_comet", {column: value})
    line, _ = _line("trials.csv", trial_id="sabr_comet")
    _expect(d, "trials.csv", line, column, f"{value} has no row in provenance.csv")


# --------------------------------------------------------------------------- number_in_quote, negative cases
@pytest.mark.parametrize("raw,quote,ok", [
    ("5", "HR 0.5", False),            # a number inside a decimal
    ("5", "HR 0·5", False),            # … printed with a Lancet mid-dot
    ("1", "HR 0.71", False),
    ("71", "HR 0.71", False),
    ("12", "120 patients", False),     # the start of a longer number
    ("12", "112 patients", False),     # the end of a longer number
    ("12", "12.5 months", False),
    ("0.5", "HR 0.55", False),
    ("0.55", "HR 0.5", False),
    ("100", "1000 patients", False),
    ("20", "twenty-one patients", False),
    ("12", "the twelfth month", False),
    ("0", "nobody progressed", False),
    ("5", "in 5 patients", True),
    ("5", "HR 0.5 in 5 patients", True),
    ("12", "at 12.", True),            # a full stop after a number is not a decimal point
    ("0.5", "HR 0.5.", True),
    ("1000", "1,000 patients", True),
    ("0.006", "P = .006", True),
    ("<0.001", "P < 0·001", True),
    ("20", "twenty patients", True),
    ("57", "fifty-seven patients", True),
    ("2", "a phase II trial", True),
    ("0", "none of the controls", True),
    ("", "anything", True),
])
def test_number_in_quote_cases(raw, quote, ok):
    assert number_in_quote(raw, quote) is ok


# --------------------------------------------------------------------------- empty stays missing
@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The book's data with one cell of n_hits emptied (the only numeric column without an
    empty cell), loaded; and the raw cells."""
    d = _copy(tmp_path_factory.mktemp("na"))
    first = next(csv.DictReader((DATA / "search_log.csv").open(encoding="utf-8")))
    edit_csv(d / "search_log.csv", "query_no", first["query_no"], {"n_hits": ""})
    review = h.load_review(d)
    raw = {f: pd.read_csv(d / f, dtype=str, keep_default_na=False) for f in SCHEMAS}
    return review, raw


NUMERIC = [(f, c.name, c.kind) for f, s in SCHEMAS.items() for c in s.columns
           if c.kind in ("int", "float") and not c.required]   # a required cell cannot be empty


@pytest.mark.parametrize("file,column,kind", NUMERIC, ids=[f"{f}:{c}" for f, c, _ in NUMERIC])
def test_an_empty_cell_stays_missing_and_a_number_stays_itself(loaded, file, column, kind):
    review, raw = loaded
    table = getattr(review, file[:-4])
    cells = raw[file][column].str.strip()
    empty = (cells == "").to_numpy()
    assert empty.any(), f"{file}:{column} has no empty cell to test"
    assert str(table[column].dtype) == ("Int64" if kind == "int" else "Float64")
    assert table[column].isna().to_numpy().tolist() == empty.tolist()
    got = table[column][~empty].astype(float).to_numpy()
    want = cells[~empty].astype(float).to_numpy()
    assert got.tolist() == want.tolist()


def test_zero_stays_zero():
    ae = h.load_review().adverse_events
    raw = pd.read_csv(DATA / "adverse_events.csv", dtype=str, keep_default_na=False)
    zero = (raw["events_control"] == "0").to_numpy()
    assert zero.any()
    assert (ae["events_control"][zero] == 0).all()


# --------------------------------------------------------------------------- p-values and timing (mutmut survivors)
NROG_PFS = {"trial_id": "nrog_002", "outcome": "PFS", "record_id": "medpath_2024_nrog002_news"}


@pytest.mark.parametrize("bound", ["<", ">", "≤"])
def test_from_hr_and_p_needs_an_exact_p(tmp_path, bound):
    d = _copy(tmp_path)
    line = _edit(d, "outcomes.csv", NROG_PFS, {"p_value": lambda p: bound + p})
    _expect(d, "outcomes.csv", line, "p_value", "from_hr_and_p needs the HR and an exact p-value")


def test_from_hr_and_p_with_its_exact_p_loads():
    _, r = _line("outcomes.csv", **NROG_PFS)
    assert (r["derivation"], r["hr"], r["p_value"]) == ("from_hr_and_p", "0.57", ".004")


@pytest.mark.parametrize("p", ["1.5", "5%", "0.05.", "p=0.05"])
def test_a_p_value_not_as_printed_is_rejected(tmp_path, p):
    d = _copy(tmp_path)
    line = _edit(d, "outcomes.csv", PFS, {"p_value": p})
    _expect(d, "outcomes.csv", line, "p_value", "is not a p-value as printed")


def test_timing_is_required_unless_oligoprogressive(tmp_path):
    d = _copy(tmp_path)
    edit_csv(d / "trials.csv", "trial_id", "sabr_comet", {"timing": ""})
    line, _ = _line("trials.csv", trial_id="sabr_comet")
    _expect(d, "trials.csv", line, "timing", "timing is required unless oligoprogressive")
