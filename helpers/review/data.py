"""The only reader of ``data/``: ``load_review()`` reads every CSV, checks it against
its schema and the rules of ``data/README.md``, and returns DataFrames.

Bad input never passes silently: each problem raises ``DataError`` naming the file,
the row (1-based, counting the header as row 1, as a spreadsheet shows it) and the
column.  Empty cells are missing values ("not reported"), never zeros.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from helpers.review.paths import data_dir as _default_data_dir

__all__ = ["DataError", "Review", "load_review", "read_table", "SCHEMAS", "number_in_quote", "rob2_overall"]


class DataError(ValueError):
    """A problem in a data file, located by file, row and column."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str):
        self.file, self.row, self.column = file, row, column
        where = file + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------- schema
@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "str"            # str | int | float | date
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    open_interval: bool = False  # min < x < max instead of min <= x <= max


@dataclass(frozen=True)
class Schema:
    file: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    optional_file: bool = False
    checks: tuple[Callable, ...] = field(default=())

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)


YES_NO = ("yes", "no")
JUDGEMENTS = ("low", "some concerns", "high")
RECORD_TYPES = ("full paper", "abstract", "long-term update", "congress abstract", "news", "review", "protocol",
                "registry")
TIERS = ("full text", "abstract", "congress", "news", "review", "registry")
DERIVATIONS = ("reported", "from_hr_and_p", "from_p_and_events", "ratio_of_medians", "not_available")

SCHEMAS: dict[str, Schema] = {}


def _schema(s: Schema) -> Schema:
    SCHEMAS[s.file] = s
    return s


_schema(Schema("records.csv", (
    Col("record_id", required=True), Col("trial_group", required=True), Col("authors", required=True),
    Col("year", "int", min=1990, max=2026), Col("pub_date", "date"), Col("title", required=True),
    Col("journal"), Col("doi"), Col("pmid"), Col("url"),
    Col("record_type", required=True, allowed=RECORD_TYPES), Col("source_tier", required=True, allowed=TIERS),
    Col("decision", required=True, allowed=("included", "excluded")), Col("exclusion_reason"),
), key=("record_id",)))

_schema(Schema("trials.csv", (
    Col("trial_id", required=True), Col("trial_group", required=True), Col("trial_name", required=True),
    Col("cancer_type", required=True),
    Col("cancer_group", required=True, allowed=("NSCLC", "SCLC", "breast", "prostate", "colorectal", "oesophageal",
                                                "gastric", "pancreatic", "mixed")),
    Col("phase", allowed=("II", "II/III", "III")),
    Col("n_randomized", "int", min=1), Col("n_mdt", "int", min=1), Col("n_control", "int", min=1),
    Col("mdt_modality", required=True),
    Col("modality_class", required=True, allowed=("SBRT/RT", "surgery", "mixed", "other")),
    Col("control_arm", required=True),
    Col("control_class", allowed=("observation", "active therapy")),
    Col("systemic_therapy"), Col("timing", allowed=("upfront", "consolidation")),
    Col("disease_state", allowed=("de_novo", "recurrent", "mixed", "oligoprogressive")),
    Col("max_lesions", "int", min=1), Col("included", required=True, allowed=YES_NO),
    Col("exclusion_reason"), Col("classification_note"), Col("reconciliation_note"),
), key=("trial_id",)))

_schema(Schema("provenance.csv", (
    Col("trial_id", required=True), Col("field", required=True), Col("value", required=True),
    Col("record_id", required=True), Col("quote", required=True),
), key=("trial_id", "field", "record_id", "value")))

_schema(Schema("outcomes.csv", (
    Col("trial_id", required=True), Col("outcome", required=True, allowed=("PFS", "OS")),
    Col("primary", required=True, allowed=YES_NO), Col("endpoint_name", required=True),
    Col("endpoint_class", required=True),
    Col("hr", "float", min=0, open_interval=True), Col("ci_lower", "float", min=0, open_interval=True),
    Col("ci_upper", "float", min=0, open_interval=True),
    Col("ci_level", "float", min=0, max=100, open_interval=True), Col("p_value"),
    Col("p_sides", "int", allowed=None, min=1, max=2), Col("p_favours", allowed=("mdt", "control")),
    Col("events", "int", min=1), Col("events_mdt", "int", min=0), Col("events_control", "int", min=0),
    Col("median_mdt", "float", min=0), Col("median_control", "float", min=0), Col("median_unit"),
    Col("followup_months", "float", min=0),
    Col("direction", allowed=("mdt_vs_control", "control_vs_mdt")),
    Col("analysis"), Col("derivation", required=True, allowed=DERIVATIONS),
    Col("record_id", required=True), Col("source_url", required=True), Col("quote", required=True),
), key=("trial_id", "outcome", "record_id", "analysis", "endpoint_name")))

_schema(Schema("adverse_events.csv", (
    Col("trial_id", required=True), Col("grade", required=True, allowed=(">=2", ">=3", "5")),
    Col("attribution", required=True, allowed=("treatment-related", "all-cause")),
    Col("primary", required=True, allowed=YES_NO),
    Col("events_mdt", "int", min=0), Col("total_mdt", "int", min=1),
    Col("events_control", "int", min=0), Col("total_control", "int", min=1),
    Col("pct_mdt", "float", min=0, max=100), Col("pct_control", "float", min=0, max=100),
    Col("record_id", required=True), Col("source_url", required=True), Col("quote", required=True),
), key=("trial_id", "grade", "attribution", "record_id")))

_schema(Schema("risk_of_bias.csv", (
    Col("trial_id", required=True), Col("outcome", required=True, allowed=("PFS", "OS")),
    *(Col(f"d{i}", required=True, allowed=JUDGEMENTS) for i in range(1, 6)),
    *(Col(f"d{i}_note", required=True) for i in range(1, 6)),
    Col("overall", required=True, allowed=JUDGEMENTS), Col("provisional", required=True, allowed=YES_NO),
), key=("trial_id", "outcome")))

_schema(Schema("paper_reported.csv", (
    Col("analysis_id", required=True), Col("outcome", required=True, allowed=("PFS", "OS", "AE grade >=2", "all")),
    Col("factor", required=True), Col("subgroup", required=True), Col("measure", required=True, allowed=("HR", "OR", "count", "date")),
    Col("estimate", "float", min=0, open_interval=True), Col("ci_lower", "float", min=0, open_interval=True),
    Col("ci_upper", "float", min=0, open_interval=True), Col("finding"),
    Col("source", required=True), Col("quote", required=True),
), key=("analysis_id",)))

# provenance.csv fields that are not columns of trials.csv: facts kept for risk of bias, the
# methods and the paper's de novo / recurrent dichotomy (pct_recurrent)
PROVENANCE_EXTRA_FIELDS = frozenset({"open_label", "pfs_assessment", "allocation_concealment", "registration",
                                     "mdt_dose", "staging_imaging", "follow_up", "quality_of_life", "randomization",
                                     "analysis", "blinding", "pct_recurrent"})

ROB_ME_ANSWERS = ("yes", "probably yes", "probably no", "no", "no information")
ROB_ME_JUDGEMENTS = ("low", "some concerns", "high")

_schema(Schema("rob_me.csv", (
    Col("outcome", required=True, allowed=("PFS", "OS")),
    Col("item", required=True),
    Col("answer", required=True, allowed=ROB_ME_ANSWERS + ROB_ME_JUDGEMENTS),
    Col("reason", required=True),
), key=("outcome", "item")))

_schema(Schema("grade.csv", (
    Col("outcome", required=True, allowed=("PFS", "OS", "AE grade >=2")),
    Col("domain", required=True, allowed=("risk of bias", "inconsistency", "indirectness", "imprecision",
                                          "publication bias")),
    Col("judgement", required=True, allowed=("not serious", "serious", "very serious")),
    Col("reason", required=True),
), key=("outcome", "domain")))

_schema(Schema("search_log.csv", (
    Col("query_no", "int", True, min=1), Col("date", "date", True), Col("corpus", required=True),
    Col("query", required=True), Col("n_hits", "int", min=0), Col("useful", allowed=("yes", "no", "partial")), Col("notes"),
), key=("query_no",), optional_file=True))


# --------------------------------------------------------------------------- numbers in quotes
_TRANSLATE = str.maketrans({"\u00b7": ".", "\u2219": ".", "\u2027": ".", "\u2013": "-", "\u2014": "-",
                            "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u2009": " ",
                            "\u202f": " ", "\u2002": " ", "\u2003": " "})


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).translate(_TRANSLATE)


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _words(n: int) -> set[str]:
    """English spellings of 0 ≤ n < 1000 ("fifty-seven", "one hundred and fifty-seven")."""
    if n < 20:
        return {_UNITS[n]}
    if n < 100:
        t, u = divmod(n, 10)
        return {_TENS[t]} if u == 0 else {f"{_TENS[t]}-{_UNITS[u]}", f"{_TENS[t]} {_UNITS[u]}"}
    h, rest = divmod(n, 100)
    head = f"{_UNITS[h]} hundred"
    if rest == 0:
        return {head}
    return {f"{head}{sep}{w}" for sep in (" and ", " ") for w in _words(rest)}


def number_in_quote(raw: str, quote: str) -> bool:
    """Whether the number ``raw`` (as stored, e.g. ``0.47``) is printed in ``quote``.

    Lancet mid-dots, Unicode minus signs, en dashes and thin spaces count as
    printed; so do a leading zero dropped (JCO's ``P = .006``), thousands
    separators (``1,234``), numbers spelled out (``one to five``, ``Ninety``), Roman
    numerals up to X (``phase II``) and, for a zero, the words "no", "none" or "zero"."""
    raw = _normalise(raw).strip().lstrip("<>=≤≥ ").strip()
    q = _normalise(quote)
    if not raw:
        return True
    if re.fullmatch(r"0+(\.0+)?", raw) and re.search(r"\b(no|none|zero|nil|neither)\b", q, re.I):
        return True     # "no grade 5 events", "none of the controls"
    forms = {raw}
    if raw.startswith("0."):
        forms.add(raw[1:])
    if re.fullmatch(r"\d+", raw) and len(raw) > 3:
        forms.add(f"{int(raw):,}")
    for form in forms:
        if re.search(r"(?<![\d.])" + re.escape(form) + r"(?![\d])(?!\.\d)", q):
            return True
    if re.fullmatch(r"\d+", raw) and int(raw) < 1000:   # spelled out ("one to five") or Roman ("phase II")
        n = int(raw)
        if any(re.search(r"(?<![a-z-])" + re.escape(w) + r"(?![a-z-])", q, re.I) for w in _words(n)):
            return True
        if 0 < n <= 10 and re.search(r"(?<![A-Za-z])" + _ROMAN[n] + r"(?![A-Za-z])", q):
            return True
    return False


# --------------------------------------------------------------------------- reading
def _read(path: Path, schema: Schema) -> pd.DataFrame:
    name = schema.file
    if not path.is_file():
        raise DataError(name, None, None, f"file is missing (expected at {path})")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise DataError(name, None, None, "file is empty") from None
    except UnicodeDecodeError as e:
        raise DataError(name, None, None, f"not UTF-8 ({e})") from None
    if df.empty:
        raise DataError(name, None, None, "file has a header but no rows")
    for c in schema.columns:
        if c.name not in df.columns:
            raise DataError(name, None, c.name, "column is missing")
    df = df.apply(lambda s: s.str.strip())
    out = df.copy().astype(object)
    for i, row in df.iterrows():
        line = int(i) + 2
        for c in schema.columns:
            v = row[c.name]
            if v == "":
                if c.required:
                    raise DataError(name, line, c.name, "value is required but empty")
                out.at[i, c.name] = None
                continue
            out.at[i, c.name] = _convert(v, c, name, line)
    for c in schema.columns:
        if c.kind in ("str", "date"):
            out[c.name] = pd.Series([None if (v is None or v != v) else v for v in out[c.name]],
                                    index=out.index, dtype=object)
        if c.kind in ("int", "float"):
            out[c.name] = pd.to_numeric(out[c.name], errors="raise") if out[c.name].notna().any() else out[c.name]
            out[c.name] = out[c.name].astype("Float64" if c.kind == "float" else "Int64")
    dup = out.duplicated(list(schema.key), keep=False)
    if dup.any():
        first = int(dup.to_numpy().nonzero()[0][1]) + 2
        raise DataError(name, first, ",".join(schema.key), "duplicated key")
    out.attrs["raw"] = df   # the cells exactly as written, for quote checks
    return out


def _convert(v: str, c: Col, file: str, line: int):
    if c.kind == "str":
        if c.allowed is not None and v not in c.allowed:
            raise DataError(file, line, c.name, f"'{v}' is not one of {', '.join(c.allowed)}")
        return v
    if c.kind == "date":
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v):
            raise DataError(file, line, c.name, f"'{v}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return v
    try:
        x = float(v)
    except ValueError:
        raise DataError(file, line, c.name, f"'{v}' is not a number") from None
    if not math.isfinite(x):
        raise DataError(file, line, c.name, f"'{v}' is not a finite number")
    if c.kind == "int":
        if not float(x).is_integer():
            raise DataError(file, line, c.name, f"'{v}' is not a whole number")
        x = int(x)
    if c.min is not None and (x <= c.min if c.open_interval else x < c.min):
        raise DataError(file, line, c.name, f"{v} is {'not above' if c.open_interval else 'below'} {c.min:g}")
    if c.max is not None and (x >= c.max if c.open_interval else x > c.max):
        raise DataError(file, line, c.name, f"{v} is {'not below' if c.open_interval else 'above'} {c.max:g}")
    return x


# --------------------------------------------------------------------------- rules
def rob2_overall(judgements: list[str]) -> str:
    """RoB 2 overall judgement (Sterne et al. 2019, BMJ 366:l4898): "high" if any domain
    is high, "low" if all domains are low, otherwise "some concerns".  (RoB 2 lets a
    reviewer raise several "some concerns" to "high"; this book does not, and says so.)"""
    if "high" in judgements:
        return "high"
    if all(j == "low" for j in judgements):
        return "low"
    return "some concerns"


def _check_fk(df, col, known, file, target):
    for i, v in df[col].items():
        if v is not None and v not in known:
            raise DataError(file, int(i) + 2, col, f"'{v}' is not a known {target}")


def _check_quote(df: pd.DataFrame, file: str, numeric_cols: list[str], quote_col: str = "quote"):
    raw = df.attrs["raw"]
    for i in df.index:
        quote = raw.at[i, quote_col]
        for c in numeric_cols:
            v = raw.at[i, c]
            if v != "" and not number_in_quote(v, quote):
                raise DataError(file, int(i) + 2, c, f"the quote does not contain the number {v} as printed")


def _rows(df: pd.DataFrame):
    """(index, row as dict) with every missing value as None (iterrows turns None into NaN)."""
    cols = list(df.columns)
    for i, values in zip(df.index, df.itertuples(index=False, name=None)):
        yield i, {c: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                  for c, v in zip(cols, values)}


def _validate(t: dict[str, pd.DataFrame]) -> None:
    rec, tr, prov, out, ae = t["records"], t["trials"], t["provenance"], t["outcomes"], t["adverse_events"]
    rob, paper = t["risk_of_bias"], t["paper_reported"]
    records, trials = set(rec["record_id"]), set(tr["trial_id"])

    for i, r in _rows(rec):
        if r["decision"] == "excluded" and not r["exclusion_reason"]:
            raise DataError("records.csv", int(i) + 2, "exclusion_reason", "an excluded record needs a reason")
    for i, r in _rows(tr):
        line = int(i) + 2
        if r["included"] == "no" and not r["exclusion_reason"]:
            raise DataError("trials.csv", line, "exclusion_reason", "an excluded comparison needs a reason")
        if pd.notna(r["n_mdt"]) and pd.notna(r["n_control"]) and pd.notna(r["n_randomized"]):
            if r["n_mdt"] + r["n_control"] > r["n_randomized"]:
                raise DataError("trials.csv", line, "n_mdt", "n_mdt + n_control exceeds n_randomized")
        if r["included"] == "yes":
            if r["disease_state"] is None:
                raise DataError("trials.csv", line, "disease_state", "an included comparison needs its disease state")
            if r["disease_state"] != "oligoprogressive" and r["timing"] is None:
                raise DataError("trials.csv", line, "timing", "timing is required unless oligoprogressive")
        if r["disease_state"] == "oligoprogressive" and r["timing"] is not None:
            raise DataError("trials.csv", line, "timing", "timing does not apply to oligoprogression: leave empty")

    # provenance: known keys, fields of trials.csv, the value in the quote, every number traced
    _check_fk(prov, "trial_id", trials, "provenance.csv", "trial_id of trials.csv")
    _check_fk(prov, "record_id", records, "provenance.csv", "record_id of records.csv")
    tcols = {c.name for c in SCHEMAS["trials.csv"].columns}
    praw = prov.attrs["raw"]
    for i, r in _rows(prov):
        if r["field"] not in tcols | PROVENANCE_EXTRA_FIELDS:
            raise DataError("provenance.csv", int(i) + 2, "field", f"'{r['field']}' is not a column of trials.csv "
                            f"nor one of {', '.join(sorted(PROVENANCE_EXTRA_FIELDS))}")
        if re.fullmatch(r"[\d.]+", praw.at[i, "value"]) and not number_in_quote(praw.at[i, "value"], r["quote"]):
            raise DataError("provenance.csv", int(i) + 2, "quote", f"the quote does not contain {r['value']}")
    traw = tr.attrs["raw"]
    for i, r in _rows(tr):
        for c in ("n_randomized", "n_mdt", "n_control", "max_lesions"):
            v = traw.at[i, c]
            if v == "":
                continue
            src = prov[(prov["trial_id"] == r["trial_id"]) & (prov["field"] == c)]
            if not any(_same_number(x, v) for x in src["value"]):
                raise DataError("trials.csv", int(i) + 2, c, f"{v} has no row in provenance.csv with a quote")

    # outcomes
    _check_fk(out, "trial_id", trials, "outcomes.csv", "trial_id of trials.csv")
    _check_fk(out, "record_id", records, "outcomes.csv", "record_id of records.csv")
    for i, r in _rows(out):
        line = int(i) + 2
        have = [pd.notna(r[c]) for c in ("hr", "ci_lower", "ci_upper")]
        if any(have[1:]) and not all(have):
            raise DataError("outcomes.csv", line, "hr" if not have[0] else "ci_lower", "a CI needs the HR and both bounds")
        if have[0] and not all(have) and r["derivation"] == "reported":
            raise DataError("outcomes.csv", line, "ci_lower", "a HR printed without its CI cannot be 'reported': "
                            "use from_hr_and_p (with an exact p-value) or not_available")
        if all(have):
            if pd.isna(r["ci_level"]):
                raise DataError("outcomes.csv", line, "ci_level", "the CI level is required with a CI")
            if r["ci_lower"] >= r["ci_upper"]:
                raise DataError("outcomes.csv", line, "ci_lower", "lower bound is not below the upper bound")
            if not r["ci_lower"] <= r["hr"] <= r["ci_upper"]:
                raise DataError("outcomes.csv", line, "hr", f"the CI {r['ci_lower']}–{r['ci_upper']} does not "
                                f"contain the HR {r['hr']}")
        if have[0] and r["direction"] is None:
            raise DataError("outcomes.csv", line, "direction", "a printed HR needs its direction as printed")
        if r["derivation"] == "reported" and not all(have):
            raise DataError("outcomes.csv", line, "hr", "derivation 'reported' needs a HR and its CI")
        if r["derivation"] == "from_p_and_events":
            if pd.isna(r["events"]):
                raise DataError("outcomes.csv", line, "events", "from_p_and_events needs the total events")
            if r["p_value"] is None or r["p_value"].lstrip()[:1] in "<>≤":
                raise DataError("outcomes.csv", line, "p_value", "from_p_and_events needs an exact p-value")
            if r["p_favours"] is None:
                raise DataError("outcomes.csv", line, "p_favours", "from_p_and_events needs the arm favoured")
        if r["derivation"] == "from_hr_and_p" and (r["hr"] is None or r["p_value"] is None
                                                   or r["p_value"].lstrip()[:1] in "<>≤"):
            raise DataError("outcomes.csv", line, "p_value", "from_hr_and_p needs the HR and an exact p-value")
        if r["derivation"] == "ratio_of_medians":
            for c in ("median_mdt", "median_control", "events_mdt", "events_control"):
                if pd.isna(r[c]):
                    raise DataError("outcomes.csv", line, c, "ratio_of_medians needs both medians and events per arm")
        if r["p_value"] is not None and not re.fullmatch(r"[<>≤=]?\s*0?\.\d+|1|1\.0+", r["p_value"]):
            raise DataError("outcomes.csv", line, "p_value", f"'{r['p_value']}' is not a p-value as printed")
    _check_quote(out, "outcomes.csv", ["hr", "ci_lower", "ci_upper", "p_value", "events", "events_mdt",
                                       "events_control", "median_mdt", "median_control", "followup_months"])
    prim = out[out["primary"] == "yes"].groupby(["trial_id", "outcome"]).size()
    for (tid, oc), n in prim.items():
        if n > 1:
            line = int(out[(out.trial_id == tid) & (out.outcome == oc) & (out.primary == "yes")].index[1]) + 2
            raise DataError("outcomes.csv", line, "primary", f"{tid} {oc} has {n} primary rows (one allowed)")
    for (tid, oc), g in out.groupby(["trial_id", "outcome"]):
        if (g["primary"] == "yes").sum() == 0:
            raise DataError("outcomes.csv", int(g.index[0]) + 2, "primary", f"{tid} {oc} has no primary row")

    # events never exceed the participants they come from (the trial, or its arm)
    sizes = tr.set_index("trial_id")
    for i, r in _rows(out):
        if r["trial_id"] not in sizes.index:
            continue
        trial = sizes.loc[r["trial_id"]]
        for col, n_col in (("events", "n_randomized"), ("events_mdt", "n_mdt"), ("events_control", "n_control")):
            if r[col] is not None and pd.notna(trial[n_col]) and r[col] > trial[n_col]:
                raise DataError("outcomes.csv", int(i) + 2, col,
                                f"{r[col]} events exceed the {trial[n_col]} participants of {r['trial_id']} ({n_col})")

    # adverse events: empty = not reported, 0 = none observed
    _check_fk(ae, "trial_id", trials, "adverse_events.csv", "trial_id of trials.csv")
    _check_fk(ae, "record_id", records, "adverse_events.csv", "record_id of records.csv")
    for i, r in _rows(ae):
        for arm in ("mdt", "control"):
            e, n = r[f"events_{arm}"], r[f"total_{arm}"]
            if pd.notna(e) and pd.notna(n) and e > n:
                raise DataError("adverse_events.csv", int(i) + 2, f"events_{arm}", f"{e} events exceed {n} patients")
            pct = r[f"pct_{arm}"]
            if pd.notna(pct) and pd.notna(e):
                raise DataError("adverse_events.csv", int(i) + 2, f"pct_{arm}",
                                "give the count or the percentage as printed, not both")
    _check_quote(ae, "adverse_events.csv", ["events_mdt", "events_control", "total_mdt", "total_control",
                                            "pct_mdt", "pct_control"])
    prim = ae[ae["primary"] == "yes"].groupby(["trial_id", "grade", "attribution"]).size()
    for key, n in prim.items():
        if n > 1:
            raise DataError("adverse_events.csv", None, "primary", f"{' '.join(key)} has {n} primary rows")

    # missing evidence (ROB-ME): one overall judgement per outcome, signalling answers elsewhere
    rob_me = t["rob_me"]
    for i, r in _rows(rob_me):
        overall = r["item"] == "overall"
        allowed = ROB_ME_JUDGEMENTS if overall else ROB_ME_ANSWERS
        if r["answer"] not in allowed:
            raise DataError("rob_me.csv", int(i) + 2, "answer",
                            f"{r['answer']!r}: {'a judgement' if overall else 'an answer'} is one of {', '.join(allowed)}")
    for oc in ("PFS", "OS"):
        if ((rob_me["outcome"] == oc) & (rob_me["item"] == "overall")).sum() != 1:
            raise DataError("rob_me.csv", None, "item", f"{oc} needs exactly one 'overall' judgement")

    # risk of bias
    _check_fk(rob, "trial_id", trials, "risk_of_bias.csv", "trial_id of trials.csv")
    for i, r in _rows(rob):
        want = rob2_overall([r[f"d{j}"] for j in range(1, 6)])
        if r["overall"] != want:
            raise DataError("risk_of_bias.csv", int(i) + 2, "overall",
                            f"'{r['overall']}' disagrees with the RoB 2 algorithm ('{want}')")
    # paper's reported estimates
    _check_quote(paper, "paper_reported.csv", ["estimate", "ci_lower", "ci_upper"])
    _check_fk(paper, "source", {"seed_abstract"}, "paper_reported.csv", "source (seed_abstract)")
    for i, r in _rows(paper):
        if r["measure"] in ("HR", "OR") and pd.notna(r["estimate"]) and not (
                pd.notna(r["ci_lower"]) and pd.notna(r["ci_upper"]) and r["ci_lower"] <= r["estimate"] <= r["ci_upper"]):
            raise DataError("paper_reported.csv", int(i) + 2, "estimate", "the CI does not contain the estimate")
        if pd.isna(r["estimate"]) and not r["finding"]:
            raise DataError("paper_reported.csv", int(i) + 2, "finding", "give an estimate or a finding")


def _same_number(a, b) -> bool:
    try:
        return float(_normalise(str(a)).replace(",", "")) == float(b)
    except ValueError:
        return False


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
    data_dir: Path

    @property
    def included(self) -> pd.DataFrame:
        """The comparisons included in the review."""
        return self.trials[self.trials["included"] == "yes"]


def load_review(data_dir: str | Path | None = None) -> Review:
    """Read and validate every file in ``data_dir`` (default: the book's ``data/``)."""
    folder = Path(data_dir) if data_dir is not None else _default_data_dir()
    tables: dict[str, pd.DataFrame | None] = {}
    for file, schema in SCHEMAS.items():
        path = folder / file
        if schema.optional_file and not path.exists():
            tables[file[:-4]] = None
            continue
        tables[file[:-4]] = _read(path, schema)
    _validate(tables)  # type: ignore[arg-type]
    for t in tables.values():
        if t is not None:
            t.attrs.clear()   # the raw cells were for the quote checks only
    return Review(**tables, data_dir=folder)  # type: ignore[arg-type]


def read_table(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """One file (``"paper_reported"`` or ``"paper_reported.csv"``), checked against its
    schema (types, allowed values, keys) but not against the other files."""
    file = name if name.endswith(".csv") else f"{name}.csv"
    if file not in SCHEMAS:
        raise KeyError(f"unknown data file {file!r}; known: {', '.join(SCHEMAS)}")
    folder = Path(data_dir) if data_dir is not None else _default_data_dir()
    table = _read(folder / file, SCHEMAS[file])
    table.attrs.clear()
    return table
