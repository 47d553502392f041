"""Missing evidence (ROB-ME, Page et al., BMJ 2023): every included comparison with no
poolable estimate for an outcome, with its size, what its sources do say, which arm that
favours where they say so, and why it cannot be pooled. Counted, never hidden."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from helpers.review.counts import n_randomised
from helpers.review.data import Review
from helpers.show.text import fmt_num

__all__ = ["missing_evidence", "missing_glue_values", "NO_RESULT", "imputation_inputs", "MissingAssessment",
           "assess_missing", "grade_from_rob_me", "assessment_glue_values"]

NO_RESULT = "no result for this outcome in the sources read"


def _says(rows: pd.DataFrame) -> str:
    """What the outcome rows of one comparison print, in words: medians, HR, p-value, events."""
    parts = []
    for _, r in rows.iterrows():
        bits = []
        if pd.notna(r["median_mdt"]) or pd.notna(r["median_control"]):
            unit = r["median_unit"] if isinstance(r["median_unit"], str) else ""
            bits.append(f"median {fmt_num(r['median_mdt'], 1)} vs {fmt_num(r['median_control'], 1)} {unit}".strip()
                        + " (MDT vs control)")
        if pd.notna(r["hr"]):
            bits.append(f"HR {fmt_num(r['hr'])}" + (" (no CI printed)" if pd.isna(r["ci_lower"]) else ""))
        if isinstance(r["p_value"], str) and r["p_value"]:
            bits.append(f"p {r['p_value']}" if r["p_value"][:1] in "<>≤≥" else f"p = {r['p_value']}")
        if pd.notna(r["events"]):
            bits.append(f"{int(r['events'])} events")
        if bits:
            parts.append(f"{r['endpoint_name']}: " + ", ".join(bits))
    unique = list(dict.fromkeys(parts))
    unique = [p for p in unique if not any(q != p and q.startswith(p) for q in unique)]   # a shorter copy adds nothing
    return "; ".join(unique) or "no numbers"


def _direction(rows: pd.DataFrame) -> str:
    """The arm a printed HR (MDT vs control) or a pair of printed medians favours, else ""."""
    for _, r in rows.iterrows():
        if pd.notna(r["hr"]) and r["hr"] != 1:
            better = r["hr"] < 1 if r["direction"] != "control_vs_mdt" else r["hr"] > 1
            return "MDT" if better else "control"
        if pd.notna(r["median_mdt"]) and pd.notna(r["median_control"]) and r["median_mdt"] != r["median_control"]:
            return "MDT" if r["median_mdt"] > r["median_control"] else "control"
    return ""


def missing_evidence(review: Review, table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One row per included comparison without a poolable ``outcome`` estimate (``table`` is
    the outcome's ``hazard_ratios`` table): trial_id, trial, n, reason, sources_say, favours
    ("MDT", "control" or "")."""
    out = review.outcomes[review.outcomes["outcome"] == outcome]
    pooled = set(table.loc[table["estimable"], "trial_id"]) if len(table) else set()
    notes = dict(zip(table["trial_id"], table["note"])) if len(table) else {}
    rows = []
    for _, t in review.included.iterrows():
        tid = t["trial_id"]
        if tid in pooled:
            continue
        mine = out[out["trial_id"] == tid]
        fav = {"mdt": "MDT", "control": "control"}
        favours = next((fav[f] for f in mine["p_favours"].dropna() if f in fav), "") or _direction(mine)
        rows.append({"trial_id": tid, "trial": t["trial_name"], "n": n_randomised(t),
                     "reason": notes.get(tid) or NO_RESULT,
                     "sources_say": _says(mine) if len(mine) else "nothing", "favours": favours})
    return pd.DataFrame(rows, columns=["trial_id", "trial", "n", "reason", "sources_say", "favours"])


def missing_glue_values(missing: pd.DataFrame, pooled_n: int) -> dict[str, str]:
    """The counts the missing-evidence paragraph quotes, as text."""
    from helpers.show.text import count

    n = int(pd.to_numeric(missing["n"], errors="coerce").dropna().sum())
    fav = missing["favours"]
    return {"missing_k": count(len(missing), "included comparison"),
            "missing_n": f"{n:,}", "missing_n_unknown": str(int(missing["n"].isna().sum())),
            "missing_share": f"{100 * n / (n + pooled_n):.0f}%" if n + pooled_n else "0%",
            "missing_mdt": count(int((fav == "MDT").sum()), "comparison"),
            "missing_control": count(int((fav == "control").sum()), "comparison"),
            "missing_unknown": count(int((fav == "").sum()), "comparison")}


# --------------------------------------------------------------------------- imputed and tipped
INPUT_COLUMNS = ("p_value", "p_sides", "events", "events_mdt", "events_control", "median_mdt", "median_control",
                 "followup_months")


def _in_time_rows(review: Review, outcome: str) -> pd.DataFrame:
    """The outcome rows of ``outcome`` from records before the cut-off."""
    in_time = review.records.loc[review.records["decision"] == "included", "record_id"]
    out = review.outcomes
    return out[(out["outcome"] == outcome) & out["record_id"].isin(in_time)]


def imputation_inputs(review: Review, missing: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """One row per missing comparison with what its sources print (the outcome row, from a
    record before the cut-off, that prints the most of ``INPUT_COLUMNS``; the primary row on
    a tie), the arm sizes and the arm the sources favour: the input of ``impute_missing``."""
    out = _in_time_rows(review, outcome)
    trials = review.trials.set_index("trial_id")
    rows = []
    for _, m in missing.iterrows():
        mine = out[out["trial_id"] == m["trial_id"]]
        base = {"trial_id": m["trial_id"], "n_mdt": trials.at[m["trial_id"], "n_mdt"],
                "n_control": trials.at[m["trial_id"], "n_control"], "favours": m["favours"]}
        if len(mine):
            filled = mine[list(INPUT_COLUMNS)].notna().sum(axis=1) + (mine["primary"] == "yes") * 0.5
            best = mine.loc[filled.idxmax()]
            base.update({c: best[c] for c in INPUT_COLUMNS})
        rows.append(base)
    return pd.DataFrame(rows, columns=["trial_id", "n_mdt", "n_control", "favours", *INPUT_COLUMNS])


@dataclass(frozen=True)
class MissingAssessment:
    """Missing evidence for one outcome: the table, the imputation and tipping-point
    analyses under the primary model, the ROB-ME judgement from ``data/rob_me.csv`` and the
    GRADE missing-evidence domain derived from it by the printed rule."""

    outcome: str
    table: pd.DataFrame
    imputed: list
    analysis: object          # ImputationResult
    tipping: object           # TippingPoint
    rob_me: str               # low / some concerns / high
    rob_me_items: pd.DataFrame
    changes: bool             # imputing changes significance or direction under the primary model
    grade: tuple[int, str]    # GRADE downgrade (0/1) and reason
    weaker: tuple = ()        # missing comparisons whose printed HR favours MDT less than the pool does


def _significant(fit) -> bool:
    return fit.ci_ub < 0 or fit.ci_lb > 0


def grade_from_rob_me(judgement: str, changes: bool) -> tuple[int, str]:
    """The GRADE missing-evidence (publication bias) domain from the ROB-ME overall
    judgement: low → not serious; high → serious; some concerns → serious only if imputing
    the missing results changes significance or direction under the primary model."""
    if judgement == "low":
        return 0, "ROB-ME: low risk of bias due to missing evidence"
    if judgement == "high":
        return 1, "ROB-ME: high risk of bias due to missing evidence"
    what = "changes" if changes else "does not change"
    return int(changes), (f"ROB-ME: some concerns; imputing the missing results {what} the significance or "
                          "direction of the pooled HR")


def assess_missing(review: Review, table: pd.DataFrame, outcome: str, settings=None) -> MissingAssessment:
    """Name, impute and tip the missing results of ``outcome`` (``table``: its hazard-ratio
    table) under the primary model, and derive the GRADE domain from ROB-ME."""
    from helpers.review.imputation import imputation_analysis, impute_missing, tipping_point
    from helpers.review.settings import SETTINGS

    s = settings or SETTINGS
    missing = missing_evidence(review, table, outcome)
    imputed = impute_missing(imputation_inputs(review, missing, outcome))
    pooled = table[table["estimable"]]
    args = (pooled["yi"].to_numpy(float), pooled["vi"].to_numpy(float), list(pooled["trial_id"]), imputed)
    kw = {"method": s.method, "test": s.test, "level": s.level}
    analysis = imputation_analysis(*args, **kw)
    tipping = tipping_point(*args, **kw)
    before, after = analysis.pooled, analysis.with_imputed
    changes = bool(before is not None and after is not None and
                   (_significant(before) != _significant(after) or (before.beta < 0) != (after.beta < 0)))
    items = review.rob_me[review.rob_me["outcome"] == outcome]
    judgement = str(items.loc[items["item"] == "overall", "answer"].iloc[0])
    weaker = ()
    if before is not None:
        out = _in_time_rows(review, outcome)
        out = out[out["hr"].notna()]
        for tid in missing["trial_id"]:
            for _, r in out[out["trial_id"] == tid].iterrows():
                hr = r["hr"] if r["direction"] != "control_vs_mdt" else 1 / r["hr"]
                if math.exp(before.beta) < hr:
                    weaker += ((tid, float(hr)),)
                    break
    return MissingAssessment(outcome, missing, imputed, analysis, tipping, judgement,
                             items[items["item"] != "overall"].reset_index(drop=True), changes,
                             grade_from_rob_me(judgement, changes), weaker)


def _names(ids, names: dict[str, str]) -> str:
    from helpers.show.text import join_words

    return join_words([names.get(i, i) for i in ids])


def assessment_glue_values(a: MissingAssessment, names: dict[str, str]) -> dict[str, str]:
    """The sentences and numbers of the imputation, tipping-point and ROB-ME paragraphs
    (``names``: trial id → trial name), computed, never typed."""
    from helpers.show.text import count, fmt_ratio, join_words

    imputed = [m for m in a.imputed if m.imputable]
    fit0, fit1 = a.analysis.pooled, a.analysis.with_imputed
    v = {"imputed_k": count(len(imputed), "missing comparison"),
         "imputed_names": _names([m.trial_id for m in imputed], names) or "none",
         "not_imputable_k": count(len(a.imputed) - len(imputed), "comparison"),
         "rob_me": a.rob_me, "grade_missing": "serious" if a.grade[0] else "not serious"}
    weaker = [m.trial_id for m in imputed if m.method.startswith("ratio of medians")]
    v["weaker"] = (f"{_names(weaker, names)} rest{'s' if len(weaker) == 1 else ''} on the ratio of medians, the "
                   "weaker method" if weaker else "none rests on the ratio of medians alone")
    if fit1 is not None and imputed:
        v["with_imputed"] = fmt_ratio(math.exp(fit1.beta), math.exp(fit1.ci_lb), math.exp(fit1.ci_ub))
        top, weight = a.analysis.max_imputed_weight
        v["top_imputed"] = f"{names.get(top, top)} ({weight:.0f}% of the weight)"
        v["dominates"] = ("no imputed comparison carries most of the weight" if not a.analysis.dominant()
                          else f"{_names(a.analysis.dominant(), names)} carries most of the weight")
        v["changes"] = ("changes" if a.changes else "does not change") + " the significance or direction"
    else:
        v["with_imputed"] = v["top_imputed"] = "not applicable (nothing could be imputed)"
        v["dominates"] = "no imputed comparison carries weight"
        v["changes"] = "cannot change the significance or direction"
    if fit0 is not None:
        v["without_imputed"] = fmt_ratio(math.exp(fit0.beta), math.exp(fit0.ci_lb), math.exp(fit0.ci_ub))
    if a.weaker:
        listed = join_words(f"{names.get(t, t)} (HR {h:.2f})" for t, h in a.weaker)
        v["bias"] = ("Missing results that favour MDT at least as strongly as the pooled estimate cannot bias it "
                     "toward benefit; those that favour control, those of unknown direction, and those that favour "
                     f"MDT less than the pool, here {listed}, can.")
    else:
        v["bias"] = ("Missing results that favour MDT at least as strongly as the pooled estimate cannot bias it "
                     "toward benefit; those that favour control and those of unknown direction can.")
    t = a.tipping
    if t.applicable and t.h is not None:
        v["tipping"] = (f"the pooled CI reaches 1 when the {count(len(t.at_h), 'comparison')} of unknown direction "
                        f"({_names(t.at_h, names)}) share a hazard ratio of {t.h:.2f}")
    elif t.applicable:
        v["tipping"] = (f"no common hazard ratio between {t.grid[0]:g} and {t.grid[1]:g} for the comparisons of "
                        f"unknown direction ({_names(t.at_h, names)}) brings the pooled CI to 1")
    elif "already includes 1" in t.status:
        v["tipping"] = "not applicable: the pooled CI already includes 1"
    elif t.cannot_enter and not t.at_h:
        v["tipping"] = ("not applicable: no missing result of unknown direction prints a p-value, events or medians "
                        f"from which a standard error could be given ({count(len(t.cannot_enter), 'comparison')})")
    else:
        v["tipping"] = "not applicable: the direction of every missing result is known"
    return v
