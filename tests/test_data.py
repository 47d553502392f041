"""The loader accepts the book's data and rejects each kind of bad input with an error
that names the file, the row and the column."""
from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

import helpers as h
from helpers.review.data import DataError, number_in_quote, rob2_overall
from conftest import ROOT

DATA = ROOT / "data"


def test_the_books_data_loads():
    review = h.load_review()
    assert len(review.included) > 0
    assert set(review.outcomes["outcome"]) <= {"PFS", "OS"}


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _write(path: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields or list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _mutate(tmp_path, file, fn):
    d = _copy(tmp_path)
    rows = _rows(d / file)
    fn(rows)
    _write(d / file, rows)
    return d


def _first(rows, **where):
    for i, r in enumerate(rows):
        if all(r[k] == v for k, v in where.items()) if where else True:
            return i, r
    raise AssertionError(f"no row with {where}")


def _reported(rows):
    return _first(rows, derivation="reported")


def _expect(d, file, row, column, match):
    with pytest.raises(DataError, match=match) as e:
        h.load_review(d)
    assert e.value.file == file, str(e.value)
    if row is not None:
        assert e.value.row == row, str(e.value)
    assert e.value.column == column, str(e.value)


def test_wrong_type(tmp_path):
    def f(rows):
        i, r = _first(rows, included="yes")
        r["n_randomized"] = "ninety"
        f.i = i
    d = _mutate(tmp_path, "trials.csv", f)
    _expect(d, "trials.csv", f.i + 2, "n_randomized", "not a number")


def test_value_outside_allowed_set(tmp_path):
    def f(rows):
        rows[0]["timing"] = "sometimes"
    d = _mutate(tmp_path, "trials.csv", f)
    _expect(d, "trials.csv", 2, "timing", "not one of")


def test_missing_required_value(tmp_path):
    def f(rows):
        rows[0]["trial_name"] = ""
    _expect(_mutate(tmp_path, "trials.csv", f), "trials.csv", 2, "trial_name", "required")


def test_duplicated_key(tmp_path):
    def f(rows):
        rows.append(dict(rows[0]))
        f.n = len(rows)
    d = _mutate(tmp_path, "records.csv", f)
    _expect(d, "records.csv", None, "record_id", "duplicated")


def test_two_primary_rows(tmp_path):
    def f(rows):
        i, r = _first(rows, primary="yes")
        dup = dict(r)
        dup["record_id"] = next(x["record_id"] for x in rows if x["record_id"] != r["record_id"])
        dup["endpoint_name"] = "a second primary row"
        rows.append(dup)
        f.line = len(rows) + 1
    d = _mutate(tmp_path, "outcomes.csv", f)
    _expect(d, "outcomes.csv", None, "primary", "primary rows")


def test_ci_not_containing_estimate(tmp_path):
    def f(rows):
        i, r = _reported(rows)
        r["hr"], f.i = str(float(r["ci_upper"]) + 0.5), i
        r["quote"] += f" {r['hr']}"
    d = _mutate(tmp_path, "outcomes.csv", f)
    _expect(d, "outcomes.csv", f.i + 2, "hr", "does not contain")


def test_lower_above_upper(tmp_path):
    def f(rows):
        i, r = _reported(rows)
        r["ci_lower"], r["ci_upper"] = r["ci_upper"], r["ci_lower"]
        f.i = i
    d = _mutate(tmp_path, "outcomes.csv", f)
    _expect(d, "outcomes.csv", f.i + 2, "ci_lower", "not below")


def test_non_positive_ratio(tmp_path):
    def f(rows):
        i, r = _reported(rows)
        r["hr"], f.i = "0", i
    d = _mutate(tmp_path, "outcomes.csv", f)
    _expect(d, "outcomes.csv", f.i + 2, "hr", "not above 0")


def test_ci_level_outside_0_100(tmp_path):
    def f(rows):
        i, r = _reported(rows)
        r["ci_level"], f.i = "100", i
    d = _mutate(tmp_path, "outcomes.csv", f)
    _expect(d, "outcomes.csv", f.i + 2, "ci_level", "not below 100")


def test_events_above_totals(tmp_path):
    def f(rows):
        i, r = _first(rows)
        r["total_mdt"] = r["total_mdt"] or "10"
        r["events_mdt"] = str(int(r["total_mdt"]) + 1)
        r["quote"] += " " + r["events_mdt"]
        f.i = i
    d = _mutate(tmp_path, "adverse_events.csv", f)
    _expect(d, "adverse_events.csv", f.i + 2, "events_mdt", "exceed")


def test_unknown_trial_and_record(tmp_path):
    def f(rows):
        rows[0]["trial_id"] = "no_such_trial"
    _expect(_mutate(tmp_path, "outcomes.csv", f), "outcomes.csv", 2, "trial_id", "not a known")

    def g(rows):
        rows[0]["record_id"] = "no_such_record"
    _expect(_mutate(tmp_path / "b", "provenance.csv", g), "provenance.csv", 2, "record_id", "not a known")


def test_empty_and_missing_file_and_column(tmp_path):
    d = _copy(tmp_path)
    (d / "adverse_events.csv").write_text("", encoding="utf-8")
    _expect(d, "adverse_events.csv", None, None, "empty")
    d2 = _copy(tmp_path / "b")
    (d2 / "risk_of_bias.csv").unlink()
    _expect(d2, "risk_of_bias.csv", None, None, "missing")
    d3 = _copy(tmp_path / "c")
    rows = _rows(d3 / "trials.csv")
    fields = [c for c in rows[0] if c != "phase"]
    _write(d3 / "trials.csv", [{k: r[k] for k in fields} for r in rows], fields)
    _expect(d3, "trials.csv", None, "phase", "column is missing")


def test_number_without_its_quote(tmp_path):
    def f(rows):
        i, r = _reported(rows)
        r["quote"], f.i = "The trial met its primary endpoint.", i
    d = _mutate(tmp_path, "outcomes.csv", f)
    _expect(d, "outcomes.csv", f.i + 2, "hr", "quote does not contain")


def test_trial_number_without_provenance(tmp_path):
    def f(rows):
        i, r = _first(rows, included="yes")
        r["n_randomized"] = str(int(r["n_randomized"]) + 1000)
        f.i = i
    d = _mutate(tmp_path, "trials.csv", f)
    _expect(d, "trials.csv", f.i + 2, "n_randomized", "provenance")


def test_empty_adverse_event_cell_is_not_zero():
    ae = h.load_review().adverse_events
    assert ae["events_control"].isna().any() or (ae["events_control"] == 0).any()
    # missing stays missing (<NA>), zero stays 0
    assert str(ae["events_control"].dtype) == "Int64"


def test_rob2_algorithm_is_enforced(tmp_path):
    assert rob2_overall(["low"] * 5) == "low"
    assert rob2_overall(["low", "high", "low", "low", "low"]) == "high"
    assert rob2_overall(["low", "some concerns", "low", "low", "low"]) == "some concerns"

    def f(rows):
        rows[0]["overall"] = "low" if rows[0]["overall"] != "low" else "high"
    _expect(_mutate(tmp_path, "risk_of_bias.csv", f), "risk_of_bias.csv", 2, "overall", "algorithm")


@pytest.mark.parametrize("raw,quote,ok", [
    ("0.47", "HR 0·47 (95% CI 0·30–0·76)", True),
    ("0.006", "stratified log-rank P = .006", True),
    ("3500", "3,500 participants", True),
    ("0.4", "HR 0.45", False),
    ("-0.5", "difference \u22120.5", True),
    ("12", "112 patients", False),
])
def test_number_in_quote(raw, quote, ok):
    assert number_in_quote(raw, quote) is ok


def test_readme_counts_are_current_and_every_column_documented():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_data", ROOT / "extraction" / "build_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert build.counts_block() in readme, "data/README.md counts are stale: run python extraction/build_data.py"
    from helpers.review.data import SCHEMAS
    for file, schema in SCHEMAS.items():
        assert f"`{file}`" in readme, f"{file} is not documented"
        for col in schema.columns:
            assert col.name in readme, f"{file}:{col.name} is not documented in data/README.md"


def test_no_primary_estimate_after_the_cutoff():
    review = h.load_review()
    rec = review.records.set_index("record_id")
    prim = review.outcomes[(review.outcomes["primary"] == "yes") & (review.outcomes["derivation"] != "not_available")
                           & review.outcomes["trial_id"].isin(review.included["trial_id"])]
    for _, r in prim.iterrows():
        assert rec.at[r["record_id"], "decision"] == "included", (r["trial_id"], r["record_id"])


def _build_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_data", ROOT / "extraction" / "build_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


def _row(rec, derivation, analysis=""):
    return {"record_id": rec, "derivation": derivation, "analysis": analysis}


@pytest.mark.parametrize("dates, expected", [
    ({"old": "2023", "new": ""}, "old"),          # printed HR beats an undated derivation
    ({"old": "2023", "new": "2022"}, "old"),      # ... and an earlier one
    ({"old": "2023", "new": "2023"}, "old"),      # ... and one of the same date
    ({"old": "2023", "new": "2024-06"}, "new"),   # a derivation from a later report wins
    ({"old": "2023-01", "new": "2023-02"}, "new"),
])
def test_latest_report_rule(dates, expected):
    build = _build_module()
    records = {k: {"decision": "included", "pub_date": v, "year": v[:4]} for k, v in dates.items()}
    group = [_row("old", "reported"), _row("new", "from_p_and_events", "ITT")]
    group[0]["primary"] = group[1]["primary"] = ""
    rows = [dict(r, trial_id="t", outcome="OS") for r in group]
    build.choose_primary(rows, records)
    assert [r["record_id"] for r in rows if r["primary"] == "yes"] == [expected]


def test_latest_report_rule_ignores_reports_after_the_cutoff():
    build = _build_module()
    records = {"old": {"decision": "included", "pub_date": "2020"},
               "late": {"decision": "excluded", "pub_date": "2026"},
               "mid": {"decision": "included", "pub_date": "2022"}}
    rows = [dict(_row(r, d), trial_id="t", outcome="OS")
            for r, d in (("old", "from_hr_and_p"), ("late", "reported"), ("mid", "from_p_and_events"))]
    build.choose_primary(rows, records)
    assert [r["record_id"] for r in rows if r["primary"] == "yes"] == ["mid"]


def test_arto_os_follows_the_latest_report_rule():
    review = h.load_review()
    o = review.outcomes
    prim = o[(o["trial_id"] == "arto") & (o["outcome"] == "OS") & (o["primary"] == "yes")].iloc[0]
    assert prim["derivation"] == "reported" and (prim["hr"], prim["ci_lower"], prim["ci_upper"]) == (0.65, 0.28, 1.49)


@pytest.mark.parametrize("text, expected", [
    ("SBRT", "SBRT/RT"),
    ("RT (25-40 Gy/5 fx to all metastases and primary/involved nodes)", "SBRT/RT"),
    ("RT (definitive RT/SBRT to all sites; surgery allowed)", "SBRT/RT"),
    ("RT (comprehensive MDT, mostly radiotherapy)", "SBRT/RT"),
    ("mixed (SBRT 93%, surgery 2%)", "SBRT/RT"),
    ("mixed (SBRT 60%, surgery 40%)", "mixed"),
    ("mixed (SBRT or surgery)", "mixed"),
    ("mixed (RT incl. SABR/IMRT, surgery, thermal ablation)", "mixed"),
    ("surgery (pulmonary metastasectomy)", "surgery"),
    ("radiofrequency ablation", "other"),
    ("hyperthermia", "other"),
])
def test_modality_class_rule(text, expected):
    assert _build_module().modality_class(text) == expected


STATE_WORDS = {"de_novo": "de_novo", "de novo": "de_novo", "recurrent": "recurrent", "mixed": "mixed",
               "oligoprogressive": "oligoprogressive"}


def stated_codes(note: str) -> list[str]:
    """Disease-state codes a note states with an arrow: '-> coded mixed', '→ recurrent', '-> upfront, de_novo'."""
    import re

    found = []
    for m in re.finditer(r"(?:->|→)\s*(?:coded\s+)?([a-z_ ,/]+)", note):
        words = re.findall(r"de novo|[a-z_]+", m.group(1))
        first = next((STATE_WORDS[w] for w in words if w in STATE_WORDS), None)   # "mixed de novo/recurrent" is mixed
        if first:
            found.append(first)
    return found


@pytest.mark.parametrize("note, codes", [
    ("-> coded mixed (uncertain)", ["mixed"]),
    ("→ recurrent.", ["recurrent"]),
    ("-> upfront, de_novo; ESTRO", ["de_novo"]),
    ("Randomised after PR -> consolidation.", []),
    ("72% had prior treatment -> mixed de novo/recurrent (ESTRO)", ["mixed"]),
])
def test_stated_codes_parser(note, codes):
    assert stated_codes(note) == codes


def test_notes_never_contradict_the_codes():
    """A note's stated disease state (after an arrow) is the coded one, and a note never says
    there are no outcome numbers for a comparison that has an estimable outcome row."""
    review = h.load_review()
    usable = set(review.outcomes.loc[review.outcomes["derivation"] != "not_available", "trial_id"])
    for _, t in review.trials[review.trials["included"] == "yes"].iterrows():
        note = t["classification_note"] if isinstance(t["classification_note"], str) else ""
        for code in stated_codes(note):
            assert code == t["disease_state"], f"{t['trial_id']}: note says {code}, coded {t['disease_state']}"
        if t["trial_id"] in usable:
            assert not re.search(r"no outcome numbers|outcome numbers not seen", note, re.I), t["trial_id"]
        assert "Reconciliation:" not in note and not re.search(r"\b[AB] (said|wrote)\b", note), t["trial_id"]
