"""From validated data to the numbers a chapter shows: one table of log hazard ratios
per outcome (``hazard_ratios``), the primary pooled model (``pool``), sensitivity
analyses (``sensitivity_analyses``) and absolute effects.  Pure functions of a
``Review``; every exclusion carries its reason, nothing is dropped silently."""
from __future__ import annotations

import math

import pandas as pd

from .counts import n_randomised
from .data import Review
from .effects import invert_hr, log_hr_from_ci, log_hr_from_hr_and_p, log_hr_from_p
from .rma import NotEstimable, RMAResult, rma
from .settings import SETTINGS, AnalysisSettings

__all__ = ["hazard_ratios", "first_publication", "pool", "sensitivity_analyses", "absolute_survival", "parse_p", "CONGRESS_TIERS",
           "DERIVATION_LABELS"]

CONGRESS_TIERS = ("congress", "news")
DERIVATION_LABELS = {
    "reported": "HR and CI as reported",
    "from_hr_and_p": "SE from the HR and its exact p-value (Altman & Bland 2011)",
    "from_p_and_events": "from p-value and events (Tierney 2007)",
    "ratio_of_medians": "ratio of medians (exponential assumption; weaker)",
    "not_available": "no estimate obtainable",
}


def parse_p(text: str | None) -> tuple[float | None, bool]:
    """``("0.006")`` → (0.006, True); ``"<.001"`` → (0.001, False): the value and whether it is exact."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, False
    t = str(text).replace(" ", "")
    exact = t[:1] not in "<>≤≥"
    return float(t.lstrip("<>≤≥=")), exact


def _row_effect(r: pd.Series, trial: pd.Series) -> tuple[float, float, float, float, float, str]:
    """(yi, sei, hr, lo95, hi95, note) on the MDT-vs-control scale for one outcome row."""
    d = r["derivation"]
    if d == "reported":
        hr, lo, hi = float(r["hr"]), float(r["ci_lower"]), float(r["ci_upper"])
        if r["direction"] == "control_vs_mdt":
            hr, lo, hi = invert_hr(hr, lo, hi)
        e = log_hr_from_ci(hr, lo, hi, level=float(r["ci_level"]))
        note = "CI asymmetric on the log scale beyond rounding" if e.asymmetric else ""
        if float(r["ci_level"]) != 95:
            note = (note + "; " if note else "") + f"SE from a {float(r['ci_level']):g}% CI"
        yi, sei = e.yi, e.sei
    elif d == "from_hr_and_p":
        p, _ = parse_p(r["p_value"])
        sides = int(r["p_sides"]) if pd.notna(r["p_sides"]) else 2
        hr = float(r["hr"])
        if r["direction"] == "control_vs_mdt":
            hr = 1 / hr
        e = log_hr_from_hr_and_p(hr, p, sides=sides)
        yi, sei, note = e.yi, e.sei, f"{sides}-sided p = {r['p_value']}"
    elif d == "from_p_and_events":
        if pd.isna(trial["n_mdt"]) or pd.isna(trial["n_control"]):
            return (math.nan,) * 5 + ("p-value and events reported, but not the arm sizes",)
        p, _ = parse_p(r["p_value"])
        sides = int(r["p_sides"]) if pd.notna(r["p_sides"]) else 2
        e = log_hr_from_p(p, float(r["events"]), float(trial["n_mdt"]), float(trial["n_control"]), sides=sides,
                          direction="favours_mdt" if r["p_favours"] == "mdt" else "favours_control")
        yi, sei, note = e.yi, e.sei, f"{sides}-sided p and {int(r['events'])} events"
    elif d == "ratio_of_medians":
        yi = math.log(float(r["median_control"]) / float(r["median_mdt"]))
        sei = math.sqrt(1 / float(r["events_mdt"]) + 1 / float(r["events_control"]))
        note = "ratio of medians, exponential survival assumed"
    else:
        return (math.nan,) * 5 + ("no HR, CI, exact p-value with events, or medians with events reported",)
    z = 1.959963984540054
    return yi, sei, math.exp(yi), math.exp(yi - z * sei), math.exp(yi + z * sei), note


def first_publication(review: Review) -> pd.Series:
    """Date of each comparison's first publication: the earliest dated record cited for it
    (outcomes or provenance), leaving out reviews, registries and protocols, which
    report a trial but are not its publication."""
    rec = review.records.set_index("record_id")
    own = rec[~rec["record_type"].isin(["review", "registry", "protocol"])]
    cited = pd.concat([review.outcomes[["trial_id", "record_id"]], review.provenance[["trial_id", "record_id"]]])
    cited = cited[cited["record_id"].isin(own.index)].drop_duplicates()
    dates = [own.at[r, "pub_date"] or (str(int(own.at[r, "year"])) if pd.notna(own.at[r, "year"]) else None)
             for r in cited["record_id"]]
    return cited.assign(date=dates).dropna(subset=["date"]).groupby("trial_id")["date"].min()


def hazard_ratios(review: Review, outcome: str, report: str = "primary") -> pd.DataFrame:
    """One row per included comparison with an ``outcome`` (``"PFS"``/``"OS"``) row.

    ``report="primary"`` takes the row marked primary (the latest mature report);
    ``report="first"`` the earliest report with an estimate (what was public first).
    Columns: trial and record characteristics, ``yi`` and ``vi`` (log HR, MDT vs
    control, and its variance), ``hr, ci_lb, ci_ub`` (95%), ``estimable`` and
    ``note`` (why not, or how derived).
    """
    if outcome not in ("PFS", "OS"):
        raise ValueError("outcome must be 'PFS' or 'OS'")
    if report not in ("primary", "first"):
        raise ValueError("report must be 'primary' or 'first'")
    trials = review.included.set_index("trial_id")
    rec = review.records.set_index("record_id")
    out = review.outcomes[(review.outcomes["outcome"] == outcome) & review.outcomes["trial_id"].isin(trials.index)]
    years = [rec.at[r, "year"] for r in out["record_id"]]
    out = out.assign(pub_date=[rec.at[r, "pub_date"] or (str(int(y)) if pd.notna(y) else "undated")
                               for r, y in zip(out["record_id"], years)],
                     year=[int(y) if pd.notna(y) else pd.NA for y in years])
    if report == "primary":
        chosen = out[out["primary"] == "yes"]
    else:
        usable = out["derivation"].ne("not_available")
        chosen = (out.assign(_unusable=~usable).sort_values(["trial_id", "_unusable", "pub_date"])
                  .groupby("trial_id", as_index=False).head(1).drop(columns="_unusable"))
    first_year = first_publication(review)
    rob = review.risk_of_bias
    rob = rob[rob["outcome"] == outcome].set_index("trial_id")
    rows = []
    for _, r in chosen.iterrows():
        t = trials.loc[r["trial_id"]]
        yi, sei, hr, lo, hi, note = _row_effect(r, t)
        n = n_randomised(t)
        n = pd.NA if n is None else n
        rows.append({
            "trial_id": r["trial_id"], "trial_group": t["trial_group"], "trial": t["trial_name"],
            "cancer_type": t["cancer_type"], "cancer_group": t["cancer_group"], "phase": t["phase"], "n": n,
            "n_mdt": t["n_mdt"], "n_control": t["n_control"], "control_arm": t["control_arm"],
            "control_class": t["control_class"], "systemic_therapy": t["systemic_therapy"],
            "mdt_modality": t["mdt_modality"], "timing": t["timing"], "disease_state": t["disease_state"],
            "endpoint_name": r["endpoint_name"], "endpoint_class": r["endpoint_class"],
            "hr_printed": r["hr"], "ci_lower_printed": r["ci_lower"], "ci_upper_printed": r["ci_upper"],
            "ci_level": r["ci_level"], "direction": r["direction"], "p_value": r["p_value"],
            "median_mdt": r["median_mdt"], "median_control": r["median_control"], "median_unit": r["median_unit"],
            "derivation": r["derivation"], "analysis": r["analysis"], "record_id": r["record_id"],
            "source_tier": rec.at[r["record_id"], "source_tier"], "source_url": r["source_url"],
            "year": r["year"], "pub_date": r["pub_date"],
            "first_pub_date": first_year.get(r["trial_id"], r["pub_date"]),
            "rob_overall": rob.at[r["trial_id"], "overall"] if r["trial_id"] in rob.index else None,
            "yi": yi, "vi": sei**2, "hr": hr, "ci_lb": lo, "ci_ub": hi,
            "estimable": not math.isnan(yi), "note": note,
        })
    cols = ["trial_id", "trial", "yi", "vi", "estimable", "note"]
    table = pd.DataFrame(rows) if rows else pd.DataFrame(columns=cols)
    return table.sort_values(["cancer_group", "first_pub_date", "trial"], ignore_index=True) if rows else table


def pool(table: pd.DataFrame, settings: AnalysisSettings = SETTINGS, method: str | None = None,
         test: str | None = None) -> RMAResult:
    """Pool the estimable rows of a ``hazard_ratios`` table (labels: trial names).

    Raises ``NotEstimable`` when no row is estimable."""
    use = table[table["estimable"]] if len(table) else table
    if len(use) == 0:
        raise NotEstimable("no estimable comparison")
    return rma(use["yi"].to_numpy(float), use["vi"].to_numpy(float), method=method or settings.method,
               test=test or settings.test, level=settings.level, slab=list(use["trial"]))


def _scenario(name: str, table: pd.DataFrame, settings, method=None, test=None) -> dict:
    use = table[table["estimable"]]
    row = {"analysis": name, "k": len(use), "n": int(use["n"].dropna().sum()) if len(use) else 0}
    if len(use) < 2:
        return {**row, "hr": math.nan, "ci_lb": math.nan, "ci_ub": math.nan, "pval": math.nan,
                "tau2": math.nan, "I2": math.nan, "estimable": False}
    res = pool(use, settings, method, test)
    return {**row, "hr": math.exp(res.beta), "ci_lb": math.exp(res.ci_lb), "ci_ub": math.exp(res.ci_ub),
            "pval": res.pval, "tau2": res.tau2, "I2": res.I2, "estimable": True}


def sensitivity_analyses(review: Review, outcome: str, settings: AnalysisSettings = SETTINGS) -> pd.DataFrame:
    """The pre-specified sensitivity analyses, one row each (``estimable`` False when
    fewer than two comparisons remain): estimators and tests, first reports, true PFS
    only, no derived estimates, no congress/news-only numbers, no oligoprogression,
    no high risk of bias, phase III only."""
    t = hazard_ratios(review, outcome)
    primary_label = f"Primary: {settings.method}, {settings.test}"
    rows = [_scenario(primary_label, t, settings)]
    for m, te in settings.sensitivity_models:
        rows.append(_scenario(f"{m}, {te}", t, settings, m, te))
    rows.append(_scenario("First report of each trial", hazard_ratios(review, outcome, report="first"), settings))
    if outcome == "PFS":
        rows.append(_scenario("Endpoint is PFS proper", t[t["endpoint_class"] == "PFS"], settings))
    rows.append(_scenario("Reported HRs only (no derived estimates)", t[t["derivation"] == "reported"], settings))
    rows.append(_scenario("Excluding congress- or news-only numbers", t[~t["source_tier"].isin(CONGRESS_TIERS)],
                          settings))
    rows.append(_scenario("Excluding oligoprogressive comparisons", t[t["disease_state"] != "oligoprogressive"],
                          settings))
    rows.append(_scenario("Excluding high risk of bias", t[t["rob_overall"] != "high"], settings))
    rows.append(_scenario("Phase III only", t[t["phase"] == "III"], settings))
    return pd.DataFrame(rows)


def absolute_survival(hr: float, control_survival: float) -> float:
    """Survival with MDT from the control-arm survival (a proportion) under proportional
    hazards: S_MDT = S_control ** HR."""
    if not 0 <= control_survival <= 1:
        raise ValueError("control survival must be a proportion")
    return control_survival ** hr
