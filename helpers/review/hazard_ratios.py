"""One table of log hazard ratios per outcome (``hazard_ratios``), MDT versus control,
assembled from the validated outcome rows: a reported HR with its CI, an HR with its exact
p-value, a p-value with events, or a ratio of medians.  Pure functions of a ``Review``;
every comparison that cannot be estimated carries its reason, nothing is dropped silently."""
from __future__ import annotations

import math

import pandas as pd

from helpers.review.counts import n_randomised
from helpers.review.data import Review
from helpers.meta.effects import invert_hr, log_hr_from_ci, log_hr_from_hr_and_p, log_hr_from_p

__all__ = ["hazard_ratios", "first_publication", "parse_p"]


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
            note = (note + "; " if note else "") + f"SE from {'an' if str(int(float(r['ci_level']))).startswith(('8', '11', '18')) else 'a'} {float(r['ci_level']):g}% CI"
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
        if pd.notna(r["hr"]):
            return (math.nan,) * 5 + (f"HR {r['hr']:g} printed without a CI, an exact p-value or events",)
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
            "mdt_modality": t["mdt_modality"], "modality_class": t["modality_class"], "timing": t["timing"], "disease_state": t["disease_state"],
            "endpoint_name": r["endpoint_name"], "endpoint_class": r["endpoint_class"],
            "hr_printed": r["hr"], "ci_lower_printed": r["ci_lower"], "ci_upper_printed": r["ci_upper"],
            "ci_level": r["ci_level"], "direction": r["direction"], "p_value": r["p_value"],
            "median_mdt": r["median_mdt"], "median_control": r["median_control"], "median_unit": r["median_unit"],
            "derivation": r["derivation"], "analysis": r["analysis"], "record_id": r["record_id"],
            "source_tier": rec.at[r["record_id"], "source_tier"], "record_type": rec.at[r["record_id"], "record_type"],
            "source_url": r["source_url"],
            "year": r["year"], "pub_date": r["pub_date"],
            "first_pub_date": first_year.get(r["trial_id"], r["pub_date"]),
            "rob_overall": rob.at[r["trial_id"], "overall"] if r["trial_id"] in rob.index else None,
            "yi": yi, "vi": sei**2, "hr": hr, "ci_lb": lo, "ci_ub": hi,
            "estimable": not math.isnan(yi), "note": note,
        })
    cols = ["trial_id", "trial", "yi", "vi", "estimable", "note"]
    table = pd.DataFrame(rows) if rows else pd.DataFrame(columns=cols)
    return table.sort_values(["cancer_group", "first_pub_date", "trial"], ignore_index=True) if rows else table
