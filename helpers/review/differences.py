"""Why this book's numbers differ from the paper's: borderline exclusions by reason, the
comparisons without a poolable estimate, surrogate endpoints, and the classification of
each included comparison."""
from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from helpers.review.counts import exclusion_class, review_counts
from helpers.review.data import Review
from helpers.review.labels import awaiting_words, extraction_words, extractor_letters, is_awaiting

__all__ = ["differences_glue_values", "excluded_table", "classification_table", "classification_notes_table", "reconciliation_table", "broader_trials",
           "scenario_review", "scenario_scorecards", "composition_table", "scenario_glue_values", "SCENARIOS",
           "mixed_majority"]

BORDERLINE = (("more than 5 lesions allowed", "allowed more than five lesions"),
              ("MDT not to all lesions", "treated the primary tumour or not every metastasis"),
              ("both arms receive MDT", "gave MDT in both arms"))


def differences_glue_values(review: Review, tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The differences page's values (``tables``: the hazard-ratio table of each outcome)."""
    counts = review_counts(review)
    paper = review.paper_reported.set_index("analysis_id")
    excl = review.trials[review.trials["included"] == "no"]
    pfs, os_ = tables["PFS"], tables["OS"]
    estimable = set(pfs.loc[pfs["estimable"], "trial_id"]) | set(os_.loc[os_["estimable"], "trial_id"])
    not_est = set(review.included["trial_id"]) - estimable      # no usable HR for either outcome
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
            "excluded_phrase": _excluded_phrase(excl),
            "n_not_estimable": str(len(not_est)),
            "surrogate": ", ".join(sorted(set(pfs.loc[pfs["endpoint_class"] != "PFS", "trial"])))}


def _excluded_phrase(excl: pd.DataFrame) -> str:
    """"19 comparisons assessed and excluded, with reasons", or, where a source could not be
    identified, "18 comparisons assessed and excluded, with reasons, and 1 awaiting
    classification" (PRISMA 2020: not assessed, so not excluded)."""
    from helpers.show.text import count

    waiting = int(excl["exclusion_reason"].map(is_awaiting).sum())
    text = f"{count(len(excl) - waiting, 'comparison')} assessed and excluded, with reasons"
    return text + (f", and {waiting} awaiting classification" if waiting else "")


def excluded_table(review: Review) -> pd.DataFrame:
    """The comparisons assessed and excluded, with the reason in reader words (operators as
    symbols; a source that could not be identified marked as awaiting classification)."""
    t = review.trials
    out = t[t["included"] == "no"][["trial_name", "cancer_type", "max_lesions", "exclusion_reason"]].rename(
        columns={"trial_name": "Trial", "cancer_type": "Cancer", "max_lesions": "Lesion cap",
                 "exclusion_reason": "Why excluded"})
    out["Why excluded"] = out["Why excluded"].map(lambda r: awaiting_words(reader_note(r)) if isinstance(r, str) else r)
    return out


READER_WORDS = (("n_mdt/n_control", "arm sizes"), ("n_mdt", "MDT arm size"), ("n_control", "control arm size"),
                ("n_randomized", "number randomised"), ("de_novo", "de novo"), ("->", "→"), ("<=", "≤"),
                (">=", "≥"), ("timing and state empty", "timing and disease state empty"),
                ("incl. primary", "including the primary"), ("incl.", "including"))
_SHORT = ((r"\bpts\b", "patients"), (r"\bCTA\b", "Cancer Therapy Advisor"))


def reader_note(text) -> str:
    """A data note in readers' words: column codes, the extractors' round codes ("round 4A",
    "pass B5") and letters ("A said mixed" → "Extractor 1 said mixed"), the extractors'
    abbreviations ("incl.", "pts", "CTA") and ASCII operators replaced."""
    text = extractor_letters(extraction_words(text))
    for code, words in READER_WORDS:
        text = text.replace(code, words)
    for short, words in _SHORT:
        text = re.sub(short, words, text)
    return text


def classification_table(review: Review) -> pd.DataFrame:
    """This book's classification of each included comparison (timing, disease state, modality)."""
    inc = review.included
    return pd.DataFrame({"Trial": inc["trial_name"], "Timing": inc["timing"].fillna("n/a (oligoprogression)"),
                         "Disease state": inc["disease_state"].str.replace("_", " "),
                         "MDT modality": inc["modality_class"]})


def classification_notes_table(review: Review) -> pd.DataFrame:
    """The extractors' note behind each classification, as written (column codes and operators in
    words): the basis a reader checks against the trial's eligibility criteria."""
    inc = review.included
    return pd.DataFrame({"Trial": inc["trial_name"], "Extractors' note": inc["classification_note"].map(reader_note)})


def reconciliation_table(review: Review) -> pd.DataFrame:
    """The data appendix: how the two extractors' calls were reconciled, per included comparison."""
    inc = review.included
    notes = inc["reconciliation_note"].fillna("")
    return pd.DataFrame({"Trial": inc["trial_name"],
                         "How the two extractions were reconciled": notes.map(reader_note)})[notes != ""]


# --------------------------------------------------------------------------- scenarios behind the gap
BROADER = ("more than 5 lesions allowed", "MDT not to all lesions")   # labels of counts.exclusion_class
SCENARIOS = {"broader": "broader eligibility", "mixed_de_novo": "mixed → de novo", "mixed_recurrent": "mixed → recurrent"}


def broader_trials(review: Review) -> pd.DataFrame:
    """The randomised MDT comparisons excluded only by this book's stricter reading of the
    paper's eligibility (more than 5 lesions allowed; primary tumour treated with the
    metastases or MDT not to every lesion), with their size."""
    ex = review.trials[review.trials["included"] == "no"]
    return ex[[exclusion_class(str(r)) in BROADER for r in ex["exclusion_reason"].fillna("")]]


def mixed_majority(review: Review) -> dict[str, str]:
    """Mixed comparisons whose sources report the share of recurrent (metachronous) patients
    (provenance field ``pct_recurrent``): trial id → the majority's state (a 50% split has none)."""
    prov = review.provenance[review.provenance["field"] == "pct_recurrent"]
    out = {}
    for tid, value in zip(prov["trial_id"], prov["value"]):
        share = float(value)
        if share != 50:
            out[tid] = "recurrent" if share > 50 else "de_novo"
    return out


def scenario_review(review: Review, scenario: str) -> Review:
    """``review`` with its trials changed for one scenario: ``broader`` includes
    ``broader_trials``; ``mixed_de_novo`` / ``mixed_recurrent`` assign every comparison of
    mixed disease state to one side of the paper's dichotomy (the two bounds)."""
    t = review.trials.copy()
    if scenario == "broader":
        t.loc[t["trial_id"].isin(broader_trials(review)["trial_id"]), "included"] = "yes"
    elif scenario in ("mixed_de_novo", "mixed_recurrent"):
        majority = mixed_majority(review)
        mixed = t["disease_state"] == "mixed"
        t.loc[mixed, "disease_state"] = [majority.get(tid, scenario.removeprefix("mixed_"))
                                         for tid in t.loc[mixed, "trial_id"]]
    else:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    return replace(review, trials=t)


def scenario_scorecards(review: Review, settings=None) -> dict[str, pd.DataFrame]:
    """The scorecard under each scenario (``SCENARIOS``), with the primary model."""
    from helpers.review.scorecard import scorecard
    from helpers.review.settings import SETTINGS

    return {name: scorecard(scenario_review(review, name), settings or SETTINGS) for name in SCENARIOS}


def composition_table(card: pd.DataFrame, scenarios: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each scorecard row explained by its composition: the comparisons behind this book's
    estimate (k, n, which), the paper's estimate, and what the estimate becomes under each
    scenario (estimate, k, n)."""
    from helpers.show.plots import label_row

    rows = []
    for i, r in card.iterrows():
        row = {"Estimate": label_row(r["outcome"], r["factor"], r["subgroup"]), "Paper": r["paper"],
               "This book": r["book"], "k (n)": f"{r['k']} ({r['n']:,})", "Comparisons": r["trials"] or "none"}
        for key, name in SCENARIOS.items():
            s = scenarios[key].iloc[i]
            row[name.capitalize()] = f"{s['book']}; k = {s['k']} ({s['n']:,})"
        rows.append(row)
    return pd.DataFrame(rows)


def scenario_glue_values(review: Review) -> dict[str, str]:
    """The scenario paragraph's values: the broader set's trials and participants, and how
    close it comes to the paper's participants."""
    from helpers.show.text import count, join_words

    extra = broader_trials(review)
    n_extra = int(extra["n_randomized"].dropna().sum())
    counts = review_counts(review)
    paper = review.paper_reported.set_index("analysis_id")
    target = int(paper.at["participants_included", "estimate"])
    total = counts["participants"] + n_extra
    unknown = int(extra["n_randomized"].isna().sum())
    names = dict(zip(review.trials["trial_id"], review.trials["trial_name"]))
    shares = review.provenance[review.provenance["field"] == "pct_recurrent"]
    return {"broader_k": count(len(extra), "randomised MDT comparison"),
            "broader_names": join_words(f"{n} (n = {int(k):,})" if pd.notna(k) else f"{n} (size not reported)"
                                        for n, k in zip(extra["trial_name"], extra["n_randomized"])) or "none",
            "broader_n": f"{n_extra:,}", "broader_total": f"{total:,}", "paper_n": f"{target:,}",
            "broader_share": f"{100 * total / target:.0f}%",
            "broader_unknown": count(unknown, "comparison") + (" of unknown size" if unknown else ""),
            "mixed_names": join_words(review.included.loc[review.included["disease_state"] == "mixed", "trial_name"])
            or "none",
            "majority": join_words(f"{names[t]} ({float(v):g}% recurrent)"
                                   for t, v in zip(shares["trial_id"], shares["value"])) or "none"}
