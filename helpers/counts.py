"""Counts of the review (PRISMA 2020 distinguishes reports from studies): computed once
here for the landing page, the search chapter, data/README.md and the tests."""
from __future__ import annotations

import pandas as pd

from .data import Review

__all__ = ["review_counts", "participants"]


def participants(trials: pd.DataFrame) -> tuple[int, int]:
    """(participants randomised, comparisons whose number randomised is not reported).

    Per comparison: the total as printed, else the sum of the printed arm sizes."""
    total, missing = 0, 0
    for _, t in trials.iterrows():
        if pd.notna(t["n_randomized"]):
            total += int(t["n_randomized"])
        elif pd.notna(t["n_mdt"]) and pd.notna(t["n_control"]):
            total += int(t["n_mdt"]) + int(t["n_control"])
        else:
            missing += 1
    return total, missing


def review_counts(review: Review) -> dict[str, int]:
    """Records assessed and included (reports), comparisons and trials included and
    excluded, participants in the included comparisons."""
    rec, tr = review.records, review.trials
    inc = review.included
    n, n_missing = participants(inc)
    return {
        "records": len(rec),
        "records_included": int((rec["decision"] == "included").sum()),
        "records_excluded": int((rec["decision"] == "excluded").sum()),
        "comparisons": len(tr),
        "comparisons_included": len(inc),
        "comparisons_excluded": int((tr["included"] == "no").sum()),
        "trials_included": int(inc["trial_group"].nunique()),
        "trials_excluded": int(tr.loc[tr["included"] == "no", "trial_group"].nunique()),
        "participants": n,
        "comparisons_n_missing": n_missing,
    }
