"""Why this book's numbers differ from the paper's: borderline exclusions by reason, the
comparisons without a poolable estimate, surrogate endpoints, and the classification of
each included comparison."""
from __future__ import annotations

import pandas as pd

from helpers.review.counts import exclusion_class, review_counts
from helpers.review.data import Review

__all__ = ["differences_glue_values", "excluded_table", "classification_table", "reconciliation_table"]

BORDERLINE = (("more than 5 lesions allowed", "allowed more than five lesions"),
              ("primary tumour treated / MDT not to all lesions", "treated the primary tumour or not every metastasis"),
              ("both arms receive MDT", "gave MDT in both arms"))


def differences_glue_values(review: Review, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The differences page's values (``tables``: the hazard-ratio table of each outcome)."""
    counts = review_counts(review)
    paper = review.paper_reported.set_index("analysis_id")
    excl = review.trials[review.trials["included"] == "no"]
    pfs, os_ = tables["PFS"], tables["OS"]
    not_est = set(pfs.loc[~pfs["estimable"], "trial"]) | set(os_.loc[~os_["estimable"], "trial"])
    groups: dict[str, list[str]] = {}
    for name, reason in zip(excl["trial_name"], excl["exclusion_reason"].fillna("")):
        groups.setdefault(exclusion_class(reason), []).append(name)
    borderline = [f"trials that {words} ({', '.join(groups[key])})" for key, words in BORDERLINE if key in groups]
    inc = review.included
    return {"borderline": "; ".join(borderline) or "none",
            "oligoprogressive": ", ".join(inc.loc[inc["disease_state"] == "oligoprogressive", "trial_name"]) or "none",
            "paper_records": str(int(paper.at["records_included", "estimate"])),
            "paper_participants": f"{int(paper.at['participants_included', 'estimate']):,}",
            "records": str(counts["records_included"]), "comparisons": str(counts["comparisons_included"]),
            "participants": f"{counts['participants']:,}", "n_excluded": str(len(excl)),
            "n_not_estimable": str(len(not_est)),
            "surrogate": ", ".join(sorted(set(pfs.loc[pfs["endpoint_class"] != "PFS", "trial"])))}


def excluded_table(review: Review) -> pd.DataFrame:
    t = review.trials
    return t[t["included"] == "no"][["trial_name", "cancer_type", "max_lesions", "exclusion_reason"]].rename(
        columns={"trial_name": "Trial", "cancer_type": "Cancer", "max_lesions": "Lesion cap",
                 "exclusion_reason": "Why excluded"})


def classification_table(review: Review) -> pd.DataFrame:
    inc = review.included
    return pd.DataFrame({"Trial": inc["trial_name"], "Timing": inc["timing"].fillna("n/a (oligoprogression)"),
                         "Disease state": inc["disease_state"].str.replace("_", " "),
                         "MDT modality": inc["modality_class"], "Basis": inc["classification_note"]})


def reconciliation_table(review: Review) -> pd.DataFrame:
    """The data appendix: how the two extractors' calls were reconciled, per included comparison."""
    inc = review.included
    notes = inc["reconciliation_note"].fillna("")
    return pd.DataFrame({"Trial": inc["trial_name"], "How the two extractions were reconciled": notes})[notes != ""]
