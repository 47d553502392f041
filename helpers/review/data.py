"""The only reader of ``data/``: ``load_review()`` reads every CSV that
``data/datapackage.json`` describes, validates it, and returns DataFrames.

``data/datapackage.json`` (a Frictionless Data Package, Data Package v2 with Table Schema)
is the single source of the schema: each file's columns, types, constraints (required,
allowed values, bounds, patterns), primary and foreign keys, and ``missingValues: [""]``
(an empty cell is "not reported", never zero).  Validation runs in three steps and stops
at the first problem, in the order of the package's resources:

1. file checks that ``frictionless`` lacks: the file exists, is UTF-8, not empty, has rows,
   its header is exactly the schema's fields (``frictionless`` reports a missing column by
   position only), and no cell holds only spaces (which passes ``required``);
2. ``frictionless`` validates the package against the Table Schema (types, constraints,
   keys); its report is mapped to ``DataError``;
3. the rules a Table Schema cannot express, the named checks of ``helpers.review.checks``.

Every problem raises ``DataError`` naming the file, the row (1-based, counting the header
as row 1, as a spreadsheet shows it) and the column.  A dataset that passed is remembered
by its fingerprint (the bytes of every file, the package and this validation code), in
memory and in ``_build/.data-valid/`` of the book, so validation (and the import of
``frictionless``) runs once per dataset, not in every notebook kernel.  Within a process,
each resource that passed step 2 is also remembered (its bytes, the package and the bytes of
the resources its foreign keys point to), so an edited dataset re-runs ``frictionless`` only
on the changed resources and those whose foreign keys point to them.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.review.checks import DataError, number_in_quote, rob2_overall, run_checks
from helpers.review.paths import book_root
from helpers.review.paths import data_dir as _default_data_dir

__all__ = ["DataError", "Review", "load_review", "read_table", "read_package", "schemas", "validation_cached",
           "SCHEMAS", "PACKAGE", "number_in_quote", "rob2_overall"]

PACKAGE = "datapackage.json"
OPTIONAL_RESOURCES = frozenset({"search_log"})   # the loader accepts a data/ without them


# --------------------------------------------------------------------------- the package
def read_package(folder: str | Path | None = None) -> dict:
    """``datapackage.json`` of ``folder`` (default: the book's ``data/``) as a dict."""
    folder = Path(folder) if folder is not None else _default_data_dir()
    path = folder / PACKAGE
    if not path.is_file():
        raise DataError(PACKAGE, None, None, f"file is missing (expected at {path})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(PACKAGE, None, None, f"not valid JSON ({e})") from None


@dataclass(frozen=True)
class Col:
    """A field of a resource's Table Schema, as the loader and the tests use it."""
    name: str
    kind: str            # int | float (Table Schema integer | number) | str (string; read as text)
    required: bool
    title: str
    description: str
    descriptor: dict     # the field as datapackage.json writes it


@dataclass(frozen=True)
class Schema:
    file: str
    name: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    descriptor: dict     # the resource as datapackage.json writes it

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


_KINDS = {"string": "str", "integer": "int", "number": "float"}


def schemas(package: dict) -> dict[str, Schema]:
    """One ``Schema`` per resource, keyed by its file name, in the package's order."""
    out = {}
    try:
        for res in package["resources"]:
            fields = res["schema"]["fields"]
            cols = tuple(Col(f["name"], _KINDS.get(f.get("type", "string"), "str"),
                             bool(f.get("constraints", {}).get("required")), f.get("title", f["name"]),
                             f.get("description", ""), f) for f in fields)
            key = res["schema"].get("primaryKey", ())
            out[res["path"]] = Schema(res["path"], res["name"], cols, tuple([key] if isinstance(key, str) else key), res)
    except (KeyError, TypeError, AttributeError) as e:
        raise DataError(PACKAGE, None, None, f"not a Data Package of tables with a schema each ({e!r})") from None
    return out


class _Schemas(Mapping):
    """``SCHEMAS``: the schemas of the book's own ``data/datapackage.json``, read on first use."""

    def _get(self) -> dict[str, Schema]:
        if not hasattr(self, "_value"):
            self._value = schemas(read_package())
        return self._value

    def __getitem__(self, file: str) -> Schema:
        return self._get()[file]

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


SCHEMAS: Mapping[str, Schema] = _Schemas()


# --------------------------------------------------------------------------- step 1: the files
def _read_bytes(folder: Path, schema: Schema) -> bytes | None:
    path = folder / schema.file
    if not path.is_file():
        if schema.name in OPTIONAL_RESOURCES:
            return None
        raise DataError(schema.file, None, None, f"file is missing (expected at {path})")
    return path.read_bytes()


def _file_checks(schema: Schema, data: bytes) -> None:
    """What ``frictionless`` lets through or reports badly: encoding, an empty or header-only
    file, a header that is not the schema's fields, a cell holding only spaces."""
    name = schema.file
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(name, None, None, f"not UTF-8 ({e})") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if not header or header == [""]:
        raise DataError(name, None, None, "file is empty")
    fields = [c.name for c in schema.columns]
    for f in fields:
        if f not in header:
            raise DataError(name, None, f, "column is missing")
    for h in header:
        if h not in fields:
            raise DataError(name, None, h, f"column is not described in {PACKAGE}")
    if header != fields:
        raise DataError(name, None, None, f"columns are not in the order of {PACKAGE}: {', '.join(fields)}")
    required = {c.name for c in schema.columns if c.required}
    n = 0
    for n, row in enumerate(rows, start=2):
        for h, v in zip(header, row):
            if v and not v.strip():
                if h in required:
                    raise DataError(name, n, h, "value is required but empty (the cell holds only spaces)")
                raise DataError(name, n, h, "the cell holds only spaces: leave it empty for 'not reported'")
    if n == 0:
        raise DataError(name, None, None, "file has a header but no rows")


# --------------------------------------------------------------------------- step 2: frictionless
def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _finite(cell) -> bool:
    try:
        return math.isfinite(float(cell))
    except (TypeError, ValueError):
        return False


def _message(error, schema: Schema) -> tuple[int | None, str | None, str]:
    """(row, column, message) of one ``frictionless`` error."""
    kind = error.type
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    if kind == "type-error":
        col = schema.col(field)
        if col.kind in ("int", "float"):
            try:
                float(cell)
                return row, field, f"'{cell}' is not a whole number"
            except ValueError:
                return row, field, f"'{cell}' is not a number"
        return row, field, f"'{cell}' is not of type {col.descriptor.get('type')}"
    if kind == "constraint-error":
        constraints = schema.col(field).descriptor.get("constraints", {})
        m = re.match(r'constraint "(\w+)"', error.note)
        name = m.group(1) if m else ""
        value = constraints.get(name)
        if name == "required":
            return row, field, "value is required but empty"
        if name == "enum":
            return row, field, f"'{cell}' is not one of {', '.join(map(str, value))}"
        if name == "pattern":
            title = schema.col(field).title.lower()
            return row, field, f"'{cell}' is not {_article(title)} {title} as printed (pattern {value})"
        words = {"minimum": "below", "maximum": "above", "exclusiveMinimum": "not above",
                 "exclusiveMaximum": "not below"}
        if name in words:
            if not _finite(cell):    # NaN fails every bound (INF only some): say what it is
                return row, field, f"'{cell}' is not a finite number"
            return row, field, f"{cell} is {words[name]} {value:g}"
        return row, field, f"'{cell}' breaks the constraint {name} = {value}"
    if kind == "primary-key":
        return row, ",".join(schema.key), f"duplicated key ({error.note})"
    if kind == "foreign-key":
        cells = ", ".join(error.field_cells)
        target = f"{','.join(error.reference_field_names)} of {error.reference_name}.csv"
        return row, ",".join(error.field_names), f"'{cells}' is not a known {target}"
    return row, field or getattr(error, "label", None), error.message


def _frictionless_first_error(folder: Path, package: dict, names: list[str],
                              only: list[str] | None = None) -> DataError | None:
    """The first error of ``frictionless`` on the resources ``names`` (in the package's order).

    With ``only``, the package of ``names`` is built (so that foreign keys resolve) but only
    the resources in ``only`` are validated: the others are known to pass."""
    from frictionless import FrictionlessException, Package   # imported only when validation runs

    if only is not None:   # build just what the validated resources need
        needed = set(only).union(*(_references(r) for r in package["resources"] if r["name"] in only))
        names = [name for name in names if name in needed]
    descriptor = dict(package, resources=[r for r in package["resources"] if r["name"] in names])
    by_name = {s.name: s for s in schemas(descriptor).values()}
    try:
        built = Package(descriptor, basepath=str(folder))
        if only is None:
            report = built.validate()
            tasks = report.tasks
        else:
            report = None
            tasks = [t for name in names if name in only
                     for t in built.get_resource(name).validate().tasks]
    except FrictionlessException as e:     # the descriptor itself is not a valid Data Package
        reasons = [r.note for r in getattr(e, "reasons", [])] or [e.error.note]
        return DataError(PACKAGE, None, None, f"not a valid Data Package: {'; '.join(dict.fromkeys(reasons))}")
    if report is not None and report.valid:
        return None
    if report is not None and report.errors:            # the descriptor itself
        return DataError(PACKAGE, None, None, "; ".join(e.message for e in report.errors[:3]))
    for task in tasks:
        if task.errors:
            schema = by_name[task.name]
            row, column, message = _message(task.errors[0], schema)
            return DataError(schema.file, row, column, message)
    if report is None:
        return None
    return DataError(PACKAGE, None, None, "frictionless found the package invalid")


# --------------------------------------------------------------------------- verdicts
_CODE = (Path(__file__).with_name("data.py"), Path(__file__).with_name("checks.py"))
_VALID: set[str] = set()
_VALID_RESOURCES: set[str] = set()   # per-resource fingerprints that passed frictionless


def _references(resource: dict) -> set[str]:
    """The resources that the foreign keys of ``resource`` (a package resource) point to (a
    reference without a resource points to the resource itself)."""
    return {fk.get("reference", {}).get("resource") or resource["name"]
            for fk in resource.get("schema", {}).get("foreignKeys", [])}


def _resource_keys(package_bytes: bytes, present: list[Schema], files: dict[str, bytes | None]) -> dict[str, str]:
    """A fingerprint per resource (``_fingerprint``): this code, the package, the resource's bytes
    and the bytes of every resource its foreign keys point to (their errors depend on those too)."""
    file_of = {s.name: s.file for s in present}
    return {s.name: _fingerprint(package_bytes, {file_of.get(name, name): files.get(file_of.get(name, ""))
                                                 for name in sorted({s.name} | _references(s.descriptor))})
            for s in present}


@functools.cache
def _code_bytes() -> bytes:
    """The validation code, read once per process (a fingerprint includes it)."""
    return b"".join(path.read_bytes() + b"\0" for path in _CODE)


def _fingerprint(package_bytes: bytes, files: dict[str, bytes | None]) -> str:
    h = hashlib.sha256()
    h.update(_code_bytes())
    h.update(package_bytes + b"\0")
    for name, data in files.items():
        h.update(name.encode() + b"\0" + (b"-" if data is None else b"+" + data) + b"\0")
    return h.hexdigest()


def _verdict_file(folder: Path, key: str) -> Path | None:
    """Where a passed dataset of ``folder`` is remembered: ``_build/.data-valid/`` of the book
    that holds it (none for a folder outside a book, e.g. a test's copy)."""
    try:
        root = book_root(folder)
    except FileNotFoundError:
        return None
    if folder.resolve() != (root / "data").resolve():
        return None
    return root / "_build" / ".data-valid" / key


@dataclass(frozen=True)
class _Dataset:
    """A data folder as read: its package, schemas, file bytes and whether it is known to pass."""
    folder: Path
    package: dict
    schemas: dict[str, Schema]
    files: dict[str, bytes | None]
    key: str
    verdict: Path | None

    @property
    def known_valid(self) -> bool:
        return self.key in _VALID or (self.verdict is not None and self.verdict.is_file())

    def remember_valid(self) -> None:
        _VALID.add(self.key)
        if self.verdict is not None and not self.verdict.is_file():
            self.verdict.parent.mkdir(parents=True, exist_ok=True)
            self.verdict.write_text("valid\n", encoding="utf-8")


def _dataset(folder: Path) -> _Dataset:
    package = read_package(folder)
    by_file = schemas(package)
    files = {s.file: _read_bytes(folder, s) for s in by_file.values()}
    key = _fingerprint((folder / PACKAGE).read_bytes(), files)
    return _Dataset(folder, package, by_file, files, key, _verdict_file(folder, key))


def validation_cached(data_dir: str | Path | None = None) -> bool:
    """Whether the data in ``data_dir`` is already known to pass (in this process, or in this
    book's ``_build/.data-valid/``), so that ``load_review`` will not validate it again."""
    return _dataset(Path(data_dir) if data_dir is not None else _default_data_dir()).known_valid


# --------------------------------------------------------------------------- reading
class RawCells:
    """A table's stripped cells as written, kept in its ``attrs["raw"]`` for the quote checks.
    pandas deep-copies ``attrs`` into every frame or row derived from the table; this holder
    is shared instead (the checks only read it), which keeps a load from copying every file's
    cells thousands of times."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def __deepcopy__(self, memo) -> "RawCells":
        return self


_FRAMES: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]] = {}   # (schema, bytes) → typed, raw


def _frame(data: bytes, schema: Schema) -> pd.DataFrame:
    """The cells as typed columns: strings (``None`` when empty), ``Int64``, ``Float64``;
    the stripped cells as written in ``attrs["raw"]`` (a ``RawCells``, for the quote checks).
    A file read before with the same bytes and schema is copied from memory, not parsed again."""
    key = (json.dumps(schema.descriptor, sort_keys=True), hashlib.sha256(data).hexdigest())
    if key not in _FRAMES:
        if len(_FRAMES) >= 64:
            _FRAMES.pop(next(iter(_FRAMES)))
        _FRAMES[key] = _parse(data, schema)
    typed, raw = _FRAMES[key]
    out = typed.copy(deep=True)
    out.attrs["raw"] = RawCells(raw.copy(deep=True))
    return out


def _parse(data: bytes, schema: Schema) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    raw = raw.apply(lambda s: s.str.strip())
    out = pd.DataFrame(index=raw.index)
    for c in schema.columns:
        cells = raw[c.name]
        if c.kind == "str":
            out[c.name] = pd.Series([v if v != "" else None for v in cells], index=raw.index, dtype=object)
        else:
            numbers = pd.to_numeric(cells.where(cells != "", None))
            out[c.name] = numbers.astype("Int64" if c.kind == "int" else "Float64")
    return out, raw


def load_review(data_dir: str | Path | None = None) -> Review:
    """Read and validate every file in ``data_dir`` (default: the book's ``data/``); a dataset
    that passed before (same fingerprint) is read without validating it again."""
    ds = _dataset(Path(data_dir) if data_dir is not None else _default_data_dir())
    known = ds.known_valid
    present = [s for s in ds.schemas.values() if ds.files[s.file] is not None]
    if not known:
        _validate_files(ds.folder, ds.package, present, ds.files)
    tables: dict[str, pd.DataFrame | None] = {s.name: None for s in ds.schemas.values()}
    for s in present:
        tables[s.name] = _frame(ds.files[s.file], s)  # type: ignore[arg-type]
    if not known:
        run_checks(tables)  # type: ignore[arg-type]
    ds.remember_valid()
    for t in tables.values():
        if t is not None:
            t.attrs.clear()   # the raw cells were for the checks only
    return Review(**tables, data_dir=ds.folder)  # type: ignore[arg-type]


def _validate_files(folder: Path, package: dict, present: list[Schema], files: dict[str, bytes | None]) -> None:
    """Steps 1 and 2: the first problem in the package's order of resources."""
    first: DataError | None = None
    passed: list[str] = []
    for s in present:
        try:
            _file_checks(s, files[s.file])  # type: ignore[arg-type]
        except DataError as e:
            first = e
            break
        passed.append(s.name)
    keys = _resource_keys((folder / PACKAGE).read_bytes(), present, files)
    todo = [name for name in passed if keys[name] not in _VALID_RESOURCES]
    if todo:
        # the package was built before with these bytes: validate only the changed resources
        known_package = len(todo) < len(passed)
        error = _frictionless_first_error(folder, package, passed, todo if known_package else None)
        if error is not None:
            raise error
        _VALID_RESOURCES.update(keys[name] for name in passed)
    if first is not None:
        raise first


# --------------------------------------------------------------------------- API
@dataclass(frozen=True)
class Review:
    """All data files as validated DataFrames (missing values are ``None``/``<NA>``)."""

    records: pd.DataFrame
    trials: pd.DataFrame
    provenance: pd.DataFrame
    outcomes: pd.DataFrame
    adverse_events: pd.DataFrame
    risk_of_bias: pd.DataFrame
    paper_reported: pd.DataFrame
    rob_me: pd.DataFrame
    grade: pd.DataFrame
    search_log: pd.DataFrame | None
    reconciliation: pd.DataFrame
    data_dir: Path

    @property
    def included(self) -> pd.DataFrame:
        """The comparisons included in the review."""
        return self.trials[self.trials["included"] == "yes"]


def read_table(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """One file (``"paper_reported"`` or ``"paper_reported.csv"``), validated against its
    Table Schema (types, constraints, primary key) but not against the other files
    (no foreign keys, no named checks), unless the whole dataset is known to pass."""
    file = name if name.endswith(".csv") else f"{name}.csv"
    folder = Path(data_dir) if data_dir is not None else _default_data_dir()
    package = read_package(folder)
    by_file = schemas(package)
    if file not in by_file:
        raise KeyError(f"unknown data file {file!r}; known: {', '.join(by_file)}")
    schema = by_file[file]
    data = _read_bytes(folder, schema)
    if data is None:
        raise DataError(file, None, None, f"file is missing (expected at {folder / file})")
    try:
        known = _dataset(folder).known_valid   # the whole dataset passed before: so did this file
    except DataError:
        known = False
    if not known:
        _file_checks(schema, data)
        resource = dict(schema.descriptor)
        resource["schema"] = {k: v for k, v in resource["schema"].items() if k != "foreignKeys"}
        error = _frictionless_first_error(folder, dict(package, resources=[resource]), [schema.name])
        if error is not None:
            raise error
    table = _frame(data, schema)
    table.attrs.clear()
    return table
