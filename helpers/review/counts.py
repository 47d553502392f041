"""Counts of the review (PRISMA 2020 distinguishes reports from studies): computed once
here for the landing page, the search chapter, data/README.md and the tests."""
from __future__ import annotations

import pandas as pd

from helpers.review.data import Review

__all__ = ["review_counts", "participants", "n_randomised", "prisma_counts", "exclusion_class"]


def n_randomised(trial) -> int | None:
    """Participants randomised in one comparison: the total as printed, else the sum of the
    printed arm sizes, else None (not reported)."""
    if pd.notna(trial["n_randomized"]):
        return int(trial["n_randomized"])
    if pd.notna(trial["n_mdt"]) and pd.notna(trial["n_control"]):
        return int(trial["n_mdt"]) + int(trial["n_control"])
    return None


def participants(trials: pd.DataFrame) -> tuple[int, int]:
    """(participants randomised, comparisons whose number randomised is not reported)."""
    ns = [n_randomised(t) for _, t in trials.iterrows()]
    return sum(n for n in ns if n is not None), sum(n is None for n in ns)


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


OTHER_METHODS_TYPES = ("news", "review", "registry", "protocol")


MAX_REASON_LINES = 7


def prisma_counts(review: Review) -> dict[str, object]:
    """PRISMA 2020 flow counts from ``records.csv`` and ``trials.csv`` (Page et al. 2021,
    template for new reviews with databases and other sources).

    Records whose type is a bibliographic publication (paper, abstract, long-term update,
    congress abstract) form the "bibliographic sources" arm; news, reviews, registries and
    protocols the "other methods" arm. ``records.csv`` holds the records the extractors kept, each
    with its ``screening_stage`` and ``retrieved`` flag: records excluded on title or abstract,
    reports not retrieved, reports assessed and reports excluded with reasons are counted from
    them. The raw hits, the duplicates removed and any record dropped without a note were not
    recorded: those counts are ``None`` ("not recorded"), never a guess. Reasons of the reports
    excluded after assessment are grouped into at most ``MAX_REASON_LINES`` lines, the rest as
    "other reasons"."""
    rec = review.records
    other = rec["record_type"].isin(OTHER_METHODS_TYPES)
    inc_trials = set(review.included["trial_group"])
    on_title = rec["screening_stage"] == "title or abstract"
    not_retrieved = ~on_title & (rec["retrieved"] == "no")
    assessed = ~on_title & ~not_retrieved
    excluded = rec[assessed & (rec["decision"] == "excluded")]
    reasons = excluded["exclusion_reason"].fillna("not stated").map(exclusion_class).value_counts()
    named = reasons[reasons.index != OTHER_REASONS]
    keep = named.head(MAX_REASON_LINES - 1) if len(named) >= MAX_REASON_LINES else named
    rest = int(reasons.sum() - keep.sum())
    grouped = {k: int(v) for k, v in keep.items()} | ({OTHER_REASONS: rest} if rest else {})
    return {
        "identified_databases": int((~other).sum()),
        "identified_other": int(other.sum()),
        "duplicates_removed": None,
        "screened": len(rec),
        "excluded_screening": int(on_title.sum()),
        "sought": int((~on_title).sum()),
        "not_retrieved": int(not_retrieved.sum()),
        "assessed": int(assessed.sum()),
        "assessed_databases": int((assessed & ~other).sum()),
        "assessed_other": int((assessed & other).sum()),
        "excluded_databases": int((assessed & ~other & (rec["decision"] == "excluded")).sum()),
        "excluded_other": int((assessed & other & (rec["decision"] == "excluded")).sum()),
        "exclusion_reasons": grouped,
        "reports_included": int((rec["decision"] == "included").sum()),
        "studies_included": len(inc_trials),
        "comparisons_included": len(review.included),
    }


OTHER_REASONS = "other reasons"


def exclusion_class(reason: str) -> str:
    """The PRISMA category of an exclusion reason written in data/ (first matching key word)."""
    r = reason.lower()
    for key, label in (("both arms", "both arms receive MDT"), ("identif", "record could not be identified"),
                       ("primary", "MDT not to all lesions"),
                       ("cut-off", "published after the search cut-off"), ("after", "published after the search cut-off"),
                       ("no results", "no results published"), ("not published", "no results published"),
                       (">5", "more than 5 lesions allowed"), ("cap", "more than 5 lesions allowed"),
                       ("lesion", "more than 5 lesions allowed"), ("metastases", "more than 5 lesions allowed"),
                       ("protocol", "protocol or design report only"), ("design", "protocol or design report only"),
                       ("secondary", "secondary report of an excluded trial"),
                       ("same as", "secondary report of an excluded trial")):
        if key in r:
            return label
    for key, label in (("meta-analysis", "pooled analysis of listed trials"),
                       ("pooled analysis", "pooled analysis of listed trials"),
                       ("registry", "registry entry without results")):
        if key in r:
            return label
    return OTHER_REASONS
