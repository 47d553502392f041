"""The rules of ``data/`` that a Table Schema cannot express, each a named check.

``data/datapackage.json`` states what one cell may hold (type, required, allowed values,
bounds, pattern) and how files key and refer to each other (primary and foreign keys);
``helpers.review.data`` has ``frictionless`` enforce it.  What remains is here: rules
across the cells of a row (events never above patients, the CI containing the HR, the
inputs each derivation needs, classification consistency), across rows (one primary row)
and across files (every number of ``trials.csv`` traced in ``provenance.csv``), and every
number printed in its quote.  ``CHECKS`` lists them in the order they run; each raises
``DataError`` naming the file, the row (1-based, the header being row 1) and the column.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Callable

import pandas as pd

__all__ = ["DataError", "CHECKS", "run_checks", "number_in_quote", "rob2_overall", "PROVENANCE_EXTRA_FIELDS",
           "ROB_ME_ANSWERS", "ROB_ME_JUDGEMENTS"]


class DataError(ValueError):
    """A problem in a data file, located by file, row and column."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str):
        self.file, self.row, self.column = file, row, column
        where = file + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


# provenance.csv fields that are not columns of trials.csv: facts kept for risk of bias, the
# methods and the paper's de novo / recurrent dichotomy (pct_recurrent)
PROVENANCE_EXTRA_FIELDS = frozenset({"open_label", "pfs_assessment", "allocation_concealment", "registration",
                                     "mdt_dose", "staging_imaging", "follow_up", "quality_of_life", "randomization",
                                     "analysis", "blinding", "pct_recurrent"})

# rob_me.csv: a signalling question is answered, the 'overall' item is judged (the schema
# allows the union; which applies depends on the row)
ROB_ME_ANSWERS = ("yes", "probably yes", "probably no", "no", "no information")
ROB_ME_JUDGEMENTS = ("low", "some concerns", "high")


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


def _same_number(a, b) -> bool:
    try:
        return float(_normalise(str(a)).replace(",", "")) == float(b)
    except ValueError:
        return False


def rob2_overall(judgements: list[str]) -> str:
    """RoB 2 overall judgement (Sterne et al. 2019, BMJ 366:l4898): "high" if any domain
    is high, "low" if all domains are low, otherwise "some concerns".  (RoB 2 lets a
    reviewer raise several "some concerns" to "high"; this book does not, and says so.)"""
    if "high" in judgements:
        return "high"
    if all(j == "low" for j in judgements):
        return "low"
    return "some concerns"


# --------------------------------------------------------------------------- the checks
Tables = dict[str, pd.DataFrame]
CHECKS: list[tuple[str, Callable[[Tables], None]]] = []


def check(fn: Callable[[Tables], None]) -> Callable[[Tables], None]:
    """Register ``fn`` as a named check (its name, its docstring the rule); they run in
    the order defined."""
    CHECKS.append((fn.__name__, fn))
    return fn


def run_checks(tables: Tables) -> None:
    """Run every check on the loaded tables (``raw`` cells in each table's ``attrs``)."""
    for _, fn in CHECKS:
        fn(tables)


def _rows(df: pd.DataFrame):
    """(index, row as dict) with every missing value as None (iterrows turns None into NaN)."""
    cols = list(df.columns)
    for i, values in zip(df.index, df.itertuples(index=False, name=None)):
        yield i, {c: (None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v)
                  for c, v in zip(cols, values)}


def _line(i) -> int:
    return int(i) + 2


def _quotes_print_numbers(df: pd.DataFrame, file: str, numeric_cols: list[str], quote_col: str = "quote"):
    raw = df.attrs["raw"].frame
    for i in df.index:
        quote = raw.at[i, quote_col]
        for c in numeric_cols:
            v = raw.at[i, c]
            if v != "" and not number_in_quote(v, quote):
                raise DataError(file, _line(i), c, f"the quote does not contain the number {v} as printed")


@check
def numbers_are_finite(t: Tables) -> None:
    """A number is finite: Table Schema's number type accepts NaN and INF."""
    for name, df in t.items():
        if df is None:
            continue
        raw = df.attrs["raw"].frame
        for c in df.columns:
            if str(df[c].dtype) not in ("Int64", "Float64"):
                continue
            for i, v in raw[c].items():
                if v != "" and not math.isfinite(float(v)):
                    raise DataError(f"{name}.csv", _line(i), c, f"'{v}' is not a finite number")


@check
def excluded_records_have_reasons(t: Tables) -> None:
    """An excluded record says why."""
    for i, r in _rows(t["records"]):
        if r["decision"] == "excluded" and not r["exclusion_reason"]:
            raise DataError("records.csv", _line(i), "exclusion_reason", "an excluded record needs a reason")


@check
def comparisons_are_consistent(t: Tables) -> None:
    """An excluded comparison says why; the arms add up to at most the number randomised; an
    included comparison has its disease state, and its timing unless oligoprogressive (where
    timing does not apply)."""
    for i, r in _rows(t["trials"]):
        line = _line(i)
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


@check
def provenance_facts_are_quoted(t: Tables) -> None:
    """A provenance row is about a column of trials.csv (or a listed extra fact), and its
    quote prints a numeric value."""
    prov = t["provenance"]
    fields = set(t["trials"].columns) | PROVENANCE_EXTRA_FIELDS
    praw = prov.attrs["raw"].frame
    for i, r in _rows(prov):
        if r["field"] not in fields:
            raise DataError("provenance.csv", _line(i), "field", f"'{r['field']}' is not a column of trials.csv "
                            f"nor one of {', '.join(sorted(PROVENANCE_EXTRA_FIELDS))}")
        if re.fullmatch(r"[\d.]+", praw.at[i, "value"]) and not number_in_quote(praw.at[i, "value"], r["quote"]):
            raise DataError("provenance.csv", _line(i), "quote", f"the quote does not contain {r['value']}")


@check
def trial_numbers_are_traced(t: Tables) -> None:
    """Every number of trials.csv has a provenance.csv row with that value (and so a quote)."""
    tr, prov = t["trials"], t["provenance"]
    traw = tr.attrs["raw"].frame
    for i, r in _rows(tr):
        for c in ("n_randomized", "n_mdt", "n_control", "max_lesions"):
            v = traw.at[i, c]
            if v == "":
                continue
            src = prov[(prov["trial_id"] == r["trial_id"]) & (prov["field"] == c)]
            if not any(_same_number(x, v) for x in src["value"]):
                raise DataError("trials.csv", _line(i), c, f"{v} has no row in provenance.csv with a quote")


def _inexact(p: str | None) -> bool:
    return p is None or p.lstrip()[:1] in "<>≤"


@check
def outcome_rows_are_coherent(t: Tables) -> None:
    """A CI comes with its HR, both bounds and its level, the lower bound below the upper,
    and contains the HR; a printed HR has its direction; each derivation has its inputs
    (reported: HR and CI; from_p_and_events: events, an exact p and the arm favoured;
    from_hr_and_p: the HR and an exact p; ratio_of_medians: both medians and events per arm)."""
    for i, r in _rows(t["outcomes"]):
        line = _line(i)
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
            if _inexact(r["p_value"]):
                raise DataError("outcomes.csv", line, "p_value", "from_p_and_events needs an exact p-value")
            if r["p_favours"] is None:
                raise DataError("outcomes.csv", line, "p_favours", "from_p_and_events needs the arm favoured")
        if r["derivation"] == "from_hr_and_p" and (r["hr"] is None or _inexact(r["p_value"])):
            raise DataError("outcomes.csv", line, "p_value", "from_hr_and_p needs the HR and an exact p-value")
        if r["derivation"] == "ratio_of_medians":
            for c in ("median_mdt", "median_control", "events_mdt", "events_control"):
                if pd.isna(r[c]):
                    raise DataError("outcomes.csv", line, c, "ratio_of_medians needs both medians and events per arm")


@check
def outcome_numbers_are_quoted(t: Tables) -> None:
    """Every number of an outcome row is printed in its quote."""
    _quotes_print_numbers(t["outcomes"], "outcomes.csv", ["hr", "ci_lower", "ci_upper", "p_value", "events",
                                                          "events_mdt", "events_control", "median_mdt",
                                                          "median_control", "followup_months"])


@check
def one_primary_outcome_row(t: Tables) -> None:
    """Exactly one row per comparison and outcome is primary."""
    out = t["outcomes"]
    prim = out[out["primary"] == "yes"].groupby(["trial_id", "outcome"]).size()
    for (tid, oc), n in prim.items():
        if n > 1:
            line = _line(out[(out.trial_id == tid) & (out.outcome == oc) & (out.primary == "yes")].index[1])
            raise DataError("outcomes.csv", line, "primary", f"{tid} {oc} has {n} primary rows (one allowed)")
    for (tid, oc), g in out.groupby(["trial_id", "outcome"]):
        if (g["primary"] == "yes").sum() == 0:
            raise DataError("outcomes.csv", _line(g.index[0]), "primary", f"{tid} {oc} has no primary row")


@check
def outcome_events_within_participants(t: Tables) -> None:
    """Events never exceed the participants they come from (the comparison, or its arm)."""
    sizes = t["trials"].set_index("trial_id")
    for i, r in _rows(t["outcomes"]):
        if r["trial_id"] not in sizes.index:
            continue
        trial = sizes.loc[r["trial_id"]]
        for col, n_col in (("events", "n_randomized"), ("events_mdt", "n_mdt"), ("events_control", "n_control")):
            if r[col] is not None and pd.notna(trial[n_col]) and r[col] > trial[n_col]:
                raise DataError("outcomes.csv", _line(i), col,
                                f"{r[col]} events exceed the {trial[n_col]} participants of {r['trial_id']} ({n_col})")


@check
def adverse_events_within_totals(t: Tables) -> None:
    """Patients with events never exceed the patients assessed; an arm gives its count or its
    percentage as printed, not both (empty = not reported, 0 = none observed)."""
    for i, r in _rows(t["adverse_events"]):
        for arm in ("mdt", "control"):
            e, n = r[f"events_{arm}"], r[f"total_{arm}"]
            if pd.notna(e) and pd.notna(n) and e > n:
                raise DataError("adverse_events.csv", _line(i), f"events_{arm}", f"{e} events exceed {n} patients")
            pct = r[f"pct_{arm}"]
            if pd.notna(pct) and pd.notna(e):
                raise DataError("adverse_events.csv", _line(i), f"pct_{arm}",
                                "give the count or the percentage as printed, not both")


@check
def adverse_event_numbers_are_quoted(t: Tables) -> None:
    """Every number of an adverse-event row is printed in its quote."""
    _quotes_print_numbers(t["adverse_events"], "adverse_events.csv", ["events_mdt", "events_control", "total_mdt",
                                                                      "total_control", "pct_mdt", "pct_control"])


@check
def one_primary_adverse_event_row(t: Tables) -> None:
    """At most one row per comparison, grade and attribution is primary."""
    ae = t["adverse_events"]
    prim = ae[ae["primary"] == "yes"].groupby(["trial_id", "grade", "attribution"]).size()
    for key, n in prim.items():
        if n > 1:
            raise DataError("adverse_events.csv", None, "primary", f"{' '.join(key)} has {n} primary rows")


@check
def rob_me_answers_and_judgements(t: Tables) -> None:
    """A ROB-ME signalling question has an answer, the 'overall' item a judgement, and each
    pooled outcome exactly one 'overall' item."""
    rob_me = t["rob_me"]
    for i, r in _rows(rob_me):
        overall = r["item"] == "overall"
        allowed = ROB_ME_JUDGEMENTS if overall else ROB_ME_ANSWERS
        if r["answer"] not in allowed:
            raise DataError("rob_me.csv", _line(i), "answer",
                            f"{r['answer']!r}: {'a judgement' if overall else 'an answer'} is one of {', '.join(allowed)}")
    for oc in ("PFS", "OS"):
        if ((rob_me["outcome"] == oc) & (rob_me["item"] == "overall")).sum() != 1:
            raise DataError("rob_me.csv", None, "item", f"{oc} needs exactly one 'overall' judgement")


@check
def rob2_overall_follows_the_algorithm(t: Tables) -> None:
    """The overall RoB 2 judgement is the algorithm's (rob2_overall)."""
    for i, r in _rows(t["risk_of_bias"]):
        want = rob2_overall([r[f"d{j}"] for j in range(1, 6)])
        if r["overall"] != want:
            raise DataError("risk_of_bias.csv", _line(i), "overall",
                            f"'{r['overall']}' disagrees with the RoB 2 algorithm ('{want}')")


@check
def paper_estimates_are_coherent(t: Tables) -> None:
    """Every number of the paper's estimates is printed in its quote; a ratio's CI contains
    it; a row without an estimate states a finding."""
    paper = t["paper_reported"]
    _quotes_print_numbers(paper, "paper_reported.csv", ["estimate", "ci_lower", "ci_upper"])
    for i, r in _rows(paper):
        if r["measure"] in ("HR", "OR") and pd.notna(r["estimate"]) and not (
                pd.notna(r["ci_lower"]) and pd.notna(r["ci_upper"]) and r["ci_lower"] <= r["estimate"] <= r["ci_upper"]):
            raise DataError("paper_reported.csv", _line(i), "estimate", "the CI does not contain the estimate")
        if pd.isna(r["estimate"]) and not r["finding"]:
            raise DataError("paper_reported.csv", _line(i), "finding", "give an estimate or a finding")
