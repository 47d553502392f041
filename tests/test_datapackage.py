"""data/datapackage.json is the schema of data/: a valid Frictionless Data Package that
describes every file, that the loader enforces through ``frictionless`` (each known gap of
``frictionless`` covered), that data/README.md's dictionary is generated from, and that
ships in the dataset's zip.  Fixture style of test_data.py: copy data/ to tmp_path, break
one thing, expect ``DataError`` on that file, row and column."""
from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import helpers as h
from helpers.review.data import PACKAGE, SCHEMAS, DataError, read_package, validation_cached
from conftest import ROOT

DATA = ROOT / "data"


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _edit(d: Path, file: str, row: int, changes: dict) -> int:
    """Change cells of the 0-based data row ``row``; returns its spreadsheet row."""
    rows = _rows(d / file)
    fields = list(rows[0])
    rows[row].update(changes)
    _write(d / file, rows, fields)
    return row + 2


def _expect(d: Path, file: str, row: int | None, column: str | None, match: str) -> DataError:
    with pytest.raises(DataError, match=match) as e:
        h.load_review(d)
    assert (e.value.file, e.value.row, e.value.column) == (file, row, column), str(e.value)
    return e.value


def _package(d: Path) -> dict:
    return json.loads((d / PACKAGE).read_text(encoding="utf-8"))


def _save_package(d: Path, package: dict) -> None:
    (d / PACKAGE).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- the package itself
def test_frictionless_validates_the_package():
    """What `frictionless validate data/datapackage.json` does, through its Python API."""
    import frictionless

    report = frictionless.validate(str(DATA / PACKAGE))
    assert report.valid, report.flatten(["type", "message"])[:5]


def test_the_package_describes_every_csv_and_nothing_else():
    package = read_package(DATA)
    assert sorted(r["path"] for r in package["resources"]) == sorted(p.name for p in DATA.glob("*.csv"))
    for res in package["resources"]:
        assert res["name"] == res["path"][:-4]
        with (DATA / res["path"]).open(encoding="utf-8") as f:
            assert next(csv.reader(f)) == [fld["name"] for fld in res["schema"]["fields"]], res["path"]


def test_every_file_and_field_has_a_title_and_a_description():
    package = read_package(DATA)
    assert package["title"] and package["description"]
    for res in package["resources"]:
        assert res["title"] and res["description"], res["name"]
        for fld in res["schema"]["fields"]:
            assert fld.get("title") and fld.get("description"), f"{res['name']}.{fld['name']}"
            assert fld["type"] in ("string", "integer", "number"), f"{res['name']}.{fld['name']}"


def test_keys_and_missing_values():
    package = {r["name"]: r["schema"] for r in read_package(DATA)["resources"]}
    for name, schema in package.items():
        assert schema["missingValues"] == [""], name   # empty is "not reported", never zero
        assert schema["primaryKey"], name
    refs = {name: {(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
                   for fk in schema.get("foreignKeys", [])} for name, schema in package.items()}
    for name in ("outcomes", "adverse_events", "risk_of_bias", "provenance"):
        assert ("trial_id", "trials", "trial_id") in refs[name], name
    for name in ("outcomes", "adverse_events", "provenance"):
        assert ("record_id", "records", "record_id") in refs[name], name


def test_the_package_declares_data_package_v2():
    """exclusiveMinimum (HR > 0) and exclusiveMaximum (CI level < 100) are Data Package v2:
    without the v2 $schema frictionless rejects the descriptor."""
    import frictionless

    package = read_package(DATA)
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    v1 = {k: v for k, v in package.items() if k != "$schema"}
    with pytest.raises(frictionless.FrictionlessException, match="descriptor is not valid"):
        frictionless.Package(v1, basepath=str(DATA))


def test_the_loader_reports_an_invalid_descriptor(tmp_path):
    d = _copy(tmp_path)
    package = _package(d)
    del package["$schema"]
    _save_package(d, package)
    _expect(d, PACKAGE, None, None, "requires datapackage v2")


def test_schemas_come_from_the_package():
    package = read_package(DATA)
    assert list(SCHEMAS) == [r["path"] for r in package["resources"]]
    hr = SCHEMAS["outcomes.csv"].col("hr")
    assert (hr.kind, hr.required, hr.descriptor["constraints"]) == ("float", False, {"exclusiveMinimum": 0})


def test_the_loader_follows_the_package(tmp_path):
    """No second schema: allow a value in datapackage.json and the loader accepts it."""
    d = _copy(tmp_path)
    line = _edit(d, "trials.csv", 0, {"control_class": "best supportive care"})
    _expect(d, "trials.csv", line, "control_class", "not one of observation, active therapy")
    package = _package(d)
    trials = next(r for r in package["resources"] if r["name"] == "trials")
    field = next(f for f in trials["schema"]["fields"] if f["name"] == "control_class")
    field["constraints"]["enum"].append("best supportive care")
    _save_package(d, package)
    assert h.load_review(d).trials["control_class"].iloc[0] == "best supportive care"


# --------------------------------------------------------------------------- constraints through frictionless
def test_enum_violation(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "outcomes.csv", 0, {"outcome": "DFS"})
    _expect(d, "outcomes.csv", line, "outcome", "'DFS' is not one of PFS, OS")


def test_pattern_violation_on_a_date(tmp_path):
    d = _copy(tmp_path)
    i = next(i for i, r in enumerate(_rows(d / "records.csv")) if r["pub_date"])
    line = _edit(d, "records.csv", i, {"pub_date": "2023/05"})
    _expect(d, "records.csv", line, "pub_date", "'2023/05' is not a publication date as printed")


@pytest.mark.parametrize("date, ok", [("2023", True), ("2023-05", True), ("2023-05-17", True),
                                      ("2023-13", False), ("2023-05-32", False), ("23-05", False)])
def test_dates_are_strings_with_a_pattern(tmp_path, date, ok):
    """Table Schema's date type cannot hold YYYY or YYYY-MM: dates are strings with a pattern."""
    d = _copy(tmp_path)
    assert SCHEMAS["records.csv"].col("pub_date").descriptor["type"] == "string"
    line = _edit(d, "records.csv", 0, {"pub_date": date})
    if ok:
        assert h.load_review(d).records["pub_date"].iloc[0] == date
    else:
        _expect(d, "records.csv", line, "pub_date", "not a publication date")


@pytest.mark.parametrize("p", ["0.05", ".006", "<.001", "< 0.001", "1"])
def test_printed_p_values_match_the_pattern(tmp_path, p):
    """The pattern is an alternation: frictionless anchors it as ^pattern$, so it is grouped."""
    d = _copy(tmp_path)
    rows = _rows(d / "outcomes.csv")
    i = next(i for i, r in enumerate(rows) if r["derivation"] == "not_available" and not r["p_value"])
    _edit(d, "outcomes.csv", i, {"p_value": p, "quote": rows[i]["quote"] + f" (p {p})"})
    h.load_review(d)


def test_a_whole_number_column_rejects_a_fraction(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "search_log.csv", 0, {"n_hits": "2.5"})
    _expect(d, "search_log.csv", line, "n_hits", "not a whole number")


def test_a_number_below_its_minimum(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "search_log.csv", 0, {"n_hits": "-1"})
    _expect(d, "search_log.csv", line, "n_hits", "-1 is below 0")


@pytest.mark.parametrize("value", ["NaN", "INF"])
def test_numbers_are_finite(tmp_path, value):
    """Table Schema's number type reads NaN and INF; a named check rejects them."""
    d = _copy(tmp_path)
    rows = _rows(d / "outcomes.csv")
    i = next(i for i, r in enumerate(rows) if r["followup_months"])
    line = _edit(d, "outcomes.csv", i, {"followup_months": value})
    _expect(d, "outcomes.csv", line, "followup_months", "not a finite number")


def test_foreign_key_to_records(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "adverse_events.csv", 3, {"record_id": "nobody_2099_nowhere"})
    _expect(d, "adverse_events.csv", line, "record_id", "'nobody_2099_nowhere' is not a known record_id of records.csv")


def test_foreign_key_to_trials(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "risk_of_bias.csv", 1, {"trial_id": "no_such_trial"})
    _expect(d, "risk_of_bias.csv", line, "trial_id", "'no_such_trial' is not a known trial_id of trials.csv")


def test_composite_primary_key(tmp_path):
    d = _copy(tmp_path)
    rows = _rows(d / "risk_of_bias.csv")
    rows.append(dict(rows[0]))
    _write(d / "risk_of_bias.csv", rows, list(rows[0]))
    _expect(d, "risk_of_bias.csv", len(rows) + 1, "trial_id,outcome", "duplicated key")


# --------------------------------------------------------------------------- the gaps of frictionless, covered
def test_one_space_in_a_required_cell_is_empty(tmp_path):
    """frictionless lets a cell holding one space through `required`."""
    d = _copy(tmp_path)
    line = _edit(d, "trials.csv", 0, {"trial_name": " "})
    _expect(d, "trials.csv", line, "trial_name", "required but empty")


def test_one_space_in_an_optional_cell_is_not_not_reported(tmp_path):
    d = _copy(tmp_path)
    line = _edit(d, "trials.csv", 0, {"systemic_therapy": "  "})
    _expect(d, "trials.csv", line, "systemic_therapy", "only spaces")


def test_a_missing_column_is_named(tmp_path):
    """frictionless reports a missing column by position (and schema syncing accepts it)."""
    d = _copy(tmp_path)
    rows = _rows(d / "outcomes.csv")
    fields = [c for c in rows[0] if c != "ci_level"]
    _write(d / "outcomes.csv", [{k: r[k] for k in fields} for r in rows], fields)
    _expect(d, "outcomes.csv", None, "ci_level", "column is missing")


def test_an_undescribed_column_and_a_reordered_header(tmp_path):
    d = _copy(tmp_path)
    rows = _rows(d / "grade.csv")
    _write(d / "grade.csv", [dict(r, extra="x") for r in rows], [*rows[0], "extra"])
    _expect(d, "grade.csv", None, "extra", "not described in datapackage.json")
    d2 = _copy(tmp_path / "b")
    fields = list(rows[0])
    _write(d2 / "grade.csv", rows, [fields[1], fields[0], *fields[2:]])
    _expect(d2, "grade.csv", None, None, "not in the order of datapackage.json")


def test_a_header_only_file(tmp_path):
    """frictionless passes a file with a header and no rows."""
    d = _copy(tmp_path)
    header = (d / "grade.csv").read_text(encoding="utf-8").splitlines()[0]
    (d / "grade.csv").write_text(header + "\n", encoding="utf-8")
    _expect(d, "grade.csv", None, None, "header but no rows")


def test_an_empty_trials_file_is_one_error_not_a_flood(tmp_path):
    """frictionless reports every row of every file that refers to trials.csv; the loader
    names the file."""
    d = _copy(tmp_path)
    header = (d / "trials.csv").read_text(encoding="utf-8").splitlines()[0]
    (d / "trials.csv").write_text(header + "\n", encoding="utf-8")
    _expect(d, "trials.csv", None, None, "header but no rows")


def test_the_first_error_in_resource_order(tmp_path):
    """A frictionless error in records.csv comes before a file problem in grade.csv, and a
    file problem in trials.csv before a frictionless error in outcomes.csv."""
    d = _copy(tmp_path)
    line = _edit(d, "records.csv", 0, {"source_tier": "hearsay"})
    (d / "grade.csv").write_text("", encoding="utf-8")
    _expect(d, "records.csv", line, "source_tier", "not one of")
    d2 = _copy(tmp_path / "b")
    _edit(d2, "outcomes.csv", 0, {"outcome": "DFS"})
    _edit(d2, "trials.csv", 0, {"trial_name": " "})
    _expect(d2, "trials.csv", 2, "trial_name", "required")


def test_an_optional_file_may_be_absent(tmp_path):
    d = _copy(tmp_path)
    (d / "search_log.csv").unlink()
    assert h.load_review(d).search_log is None


def test_a_missing_package(tmp_path):
    d = _copy(tmp_path)
    (d / PACKAGE).unlink()
    _expect(d, PACKAGE, None, None, "missing")


# --------------------------------------------------------------------------- validated once per fingerprint
def test_a_passed_dataset_is_not_validated_again(tmp_path):
    d = _copy(tmp_path)
    _edit(d, "grade.csv", 0, {"reason": "a reason no other test writes"})   # a dataset not seen before
    assert not validation_cached(d)
    h.load_review(d)
    assert validation_cached(d)
    _edit(d, "trials.csv", 0, {"timing": "sometimes"})   # another fingerprint: validated again
    assert not validation_cached(d)
    _expect(d, "trials.csv", 2, "timing", "not one of")
    assert not validation_cached(d)                       # a failed dataset is never remembered


def test_after_a_passed_load_only_the_changed_resources_are_validated(tmp_path, monkeypatch):
    import helpers.review.data as data
    d = _copy(tmp_path)
    _edit(d, "grade.csv", 0, {"reason": "a reason only the resource-cache test writes"})
    h.load_review(d)
    seen = []
    real = data._frictionless_first_error
    monkeypatch.setattr(data, "_frictionless_first_error",
                        lambda folder, package, names, only=None: seen.append(only) or real(folder, package, names, only))
    _edit(d, "grade.csv", 0, {"reason": "a second reason only the resource-cache test writes"})
    h.load_review(d)
    assert seen == [["grade"]]


def test_a_changed_resource_revalidates_the_foreign_keys_that_point_to_it(tmp_path):
    d = _copy(tmp_path)
    _edit(d, "grade.csv", 0, {"reason": "a reason only the foreign-key cache test writes"})
    h.load_review(d)                                    # every resource now passed once
    trial = _rows(d / "trials.csv")[0]["trial_id"]
    _edit(d, "trials.csv", 0, {"trial_id": "renamed_trial"})   # outcomes.csv is unchanged
    with pytest.raises(DataError, match=f"'{trial}' is not a known trial_id of trials.csv"):
        h.load_review(d)


def test_the_verdict_is_kept_in_the_books_build_folder(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text("title: t\n", encoding="utf-8")
    d = _copy(book)
    (d / "README.md").write_text("changed\n", encoding="utf-8")   # not a data file: same verdict key
    h.load_review(d)
    kept = list((book / "_build" / ".data-valid").iterdir())
    assert len(kept) == 1 and re.fullmatch(r"[0-9a-f]{64}", kept[0].name)


def test_a_cached_load_does_not_import_frictionless():
    h.load_review()     # validates (or finds the verdict) for the book's data/
    code = "import sys, helpers; helpers.load_review(); print('frictionless' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", "a dataset that passed was validated again"


# --------------------------------------------------------------------------- README and the zip
def _build_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_data", ROOT / "extraction" / "build_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


def test_readme_dictionary_is_generated_from_the_package():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    block = _build_module().dictionary_block()
    assert "\n" + block + "\n<!-- dictionary:end -->" in readme, \
        "data/README.md's dictionary is stale: run python extraction/build_data.py"
    for res in read_package(DATA)["resources"]:
        assert f"### `{res['path']}` — {res['title']}" in block
        for fld in res["schema"]["fields"]:
            assert f"| `{fld['name']}` | {fld['type']} |" in block


def test_the_dataset_zip_includes_the_package():
    html = h.zip_download_link(DATA, "data.zip", "Download").data
    payload = re.search(r'base64,([A-Za-z0-9+/=]+)"', html).group(1)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(payload))) as z:
        names = set(z.namelist())
        assert "data/datapackage.json" in names
        assert {f"data/{p.name}" for p in DATA.glob("*.csv")} <= names
        assert json.loads(z.read("data/datapackage.json")) == read_package(DATA)


def test_read_table_checks_one_file_against_its_schema(tmp_path):
    d = _copy(tmp_path)
    assert len(h.read_table("grade", d)) == len(_rows(DATA / "grade.csv"))
    line = _edit(d, "grade.csv", 0, {"judgement": "fine"})
    with pytest.raises(DataError, match="not one of") as e:
        h.read_table("grade.csv", d)
    assert (e.value.file, e.value.row, e.value.column) == ("grade.csv", line, "judgement")
