"""Missing evidence (ROB-ME, Page et al., BMJ 2023): every included comparison with no
poolable estimate for an outcome, with its size, what its sources do say, which arm that
favours where they say so, and why it cannot be pooled. Counted, never hidden."""
from __future__ import annotations

import pandas as pd

from helpers.review.counts import n_randomised
from helpers.review.data import Review
from helpers.show.text import fmt_num

__all__ = ["missing_evidence", "missing_glue_values", "NO_RESULT"]

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
    return "; ".join(dict.fromkeys(parts)) or "no numbers"


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
