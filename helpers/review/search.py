"""The search chapter's tables and values: the search log, the included and excluded records
(cited where they are the source of a pooled estimate), trial characteristics and the trials
still without results."""
from __future__ import annotations

import re

import pandas as pd

from helpers.review.data import Review
from helpers.review.hazard_ratios import first_publication
from helpers.review.labels import extraction_words, reader_labels, record_citation, record_url, searched_by
from helpers.show.labels import label
from helpers.show.text import count

__all__ = ["search_glue_values", "search_log_table", "search_log_download", "record_tables", "characteristics_table", "ongoing_table",
           "n_ongoing_ineligible", "ongoing_left_out_sentence"]


def search_glue_values(review: Review) -> dict[str, str]:
    """The search paragraph's values: cut-off, queries, dates, corpora."""
    paper = review.paper_reported.set_index("analysis_id")
    log = review.search_log
    dates = sorted({str(d) for d in log["date"]})
    return {"cutoff": paper.at["search_cutoff", "finding"], "cutoff_quote": paper.at["search_cutoff", "quote"],
            "n_queries": str(len(log)), "n_useful": str(int((log["useful"] == "yes").sum())),
            "n_discovery": str(int((log["purpose"] == "discovery").sum())),
            "n_confirmatory": str(int((log["purpose"] == "confirmatory").sum())),
            "log_dates": " to ".join(dates[::max(1, len(dates) - 1)]), "corpora": ", ".join(sorted(set(log["corpus"]))),
            "paper_records": str(int(paper.at["records_included", "estimate"]))}


def search_log_table(review: Review, rows: int = 25) -> pd.DataFrame:
    """The first ``rows`` queries of the search log for readers, notes cut to 120 characters
    (the hit count is capped at 8 by the search library); who ran each query in words."""
    log = review.search_log.head(rows)
    return pd.DataFrame({"No.": log["query_no"], "Date": log["date"], "Searched by": log["notes"].map(searched_by),
                         "Purpose": log["purpose"], "Query": log["query"],
                         "Hits (at most 8)": log["n_hits"], "Used": log["useful"],
                         "Notes": log["notes"].map(extraction_words).str.slice(0, 120)})


def search_log_download(review: Review) -> pd.DataFrame:
    """The whole search log with reader column names (for the CSV download; the extractors' raw
    notes are in ``data/search_log.csv``)."""
    log = review.search_log
    return pd.DataFrame({"No.": log["query_no"], "Date": log["date"], "Searched by": log["notes"].map(searched_by),
                         "Corpus": log["corpus"], "Purpose": log["purpose"], "Query": log["query"],
                         "Hits (at most 8)": log["n_hits"], "Used": log["useful"],
                         "Notes": log["notes"].map(extraction_words)})


def _record_ref(r: dict, cited: set) -> str:
    """A citation role for the sources of pooled estimates; otherwise the reader's citation
    linked to the DOI, PubMed or the page read, marked when that page is a mirror copy
    (sphinxcontrib-bibtex re-formats every citation on every build, so citations are kept to
    those that matter)."""
    if r["record_id"] in cited:
        return f"{{cite:t}}`{r['record_id']}`"
    text, url = record_citation(r), record_url(r)
    mirror = any(isinstance(r.get(c), str) and re.search(r"mirror|copy", r[c], re.I) for c in ("authors", "journal"))
    text += " (mirror copy)" if mirror and url == r.get("url") else ""
    return f"[{text}]({url})" if url else f"{text} (no address)"


def record_tables(review: Review) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(included records with their role, excluded records with the reason), cells holding
    MyST citation roles (show them with ``markdown_table``)."""
    rec, out = review.records, review.outcomes
    inc = rec[rec["decision"] == "included"]
    names = reader_labels(review)
    roles = {rid: ", ".join(sorted({f"{o} ({'primary' if p == 'yes' else 'other'})" for o, p in zip(g["outcome"], g["primary"])}))
             for rid, g in out.groupby("record_id")}
    cited = set(out.loc[(out["primary"] == "yes") & out["trial_id"].isin(review.included["trial_id"]), "record_id"])
    inc_table = pd.DataFrame({"Record": [_record_ref(r, cited) for r in inc.to_dict("records")],
                              "Trial": inc["trial_group"].map(names.group), "Type": inc["record_type"], "Read as": inc["source_tier"],
                              "Role": [roles.get(r, "design facts") for r in inc["record_id"]]})
    exc = rec[rec["decision"] == "excluded"]
    exc_table = pd.DataFrame({"Record": [_record_ref(r, cited) for r in exc.to_dict("records")], "Title": exc["title"],
                              "Trial": exc["trial_group"].map(names.group), "Reason": [names.words(r, link=True) for r in exc["exclusion_reason"]]})
    return inc_table, exc_table


def characteristics_table(review: Review, part: str = "all") -> pd.DataFrame:
    """Characteristics of the included comparisons, with design facts from provenance.
    ``part="design"``, ``"arms"`` and ``"disease"`` give the three parts a page column holds;
    ``"all"`` every column (the CSV download)."""
    inc, prov = review.included, review.provenance

    def fact(tid, field):
        q = prov[(prov["trial_id"] == tid) & (prov["field"] == field)]
        return "; ".join(q["value"]) if len(q) else "not reported"

    def size(t):
        show = [t[c] if pd.notna(t[c]) else "?" for c in ("n_randomized", "n_mdt", "n_control")]
        return f"{show[0]} ({show[1]}/{show[2]})"
    first = first_publication(review)
    ids = list(inc["trial_id"])
    design = {"First published": [str(first.get(t, "—"))[:4] for t in ids],
              "Phase": inc["phase"].fillna("not reported"), "Cancer": inc["cancer_type"],
              "n (MDT/control)": [size(t) for _, t in inc.iterrows()]}
    arms = {"Control arm": inc["control_arm"], "Systemic therapy": inc["systemic_therapy"],
            "MDT": inc["mdt_modality"], "MDT dose": [fact(t, "mdt_dose") for t in ids]}
    disease = {"Timing": inc["timing"].map(label, na_action="ignore").fillna("n/a"),
               "Disease state": inc["disease_state"].map(label, na_action="ignore"),
               "Max lesions": inc["max_lesions"].astype("string").fillna("not reported"),
               "Staging imaging": [fact(t, "staging_imaging") for t in ids],
               "Follow-up": [fact(t, "follow_up") for t in ids]}
    parts = {"design": design, "arms": arms, "disease": disease, "all": design | arms | disease}
    if part not in parts:
        raise ValueError("part must be 'design', 'arms', 'disease' or 'all'")
    return pd.DataFrame({"Trial": inc["trial_name"], **parts[part]})


# An exclusion reason that makes a trial ineligible by design, whatever its results: more than five
# lesions allowed, a population not restricted to oligometastatic disease, or MDT not to all sites.
DESIGN_INELIGIBLE = re.compile(r">\s*[35]|no <=5|up to 10|polymetastatic|not restricted to oligometastatic|"
                               r"not mandated|not to all|both arms", re.I)


def _without_results(t: pd.DataFrame) -> pd.Series:
    return (t["included"] == "no") & t["exclusion_reason"].str.contains(
        "no result|not published|ongoing|after", case=False, na=False)


def ongoing_table(review: Review) -> pd.DataFrame:
    """Trials excluded only because no result was public by the cut-off: eligible by design, so
    their results could change the answer (trials also ineligible by design are left out)."""
    t = review.trials
    ongoing = t[_without_results(t) & ~t["exclusion_reason"].str.contains(DESIGN_INELIGIBLE, na=False)]
    return ongoing[["trial_name", "cancer_type", "exclusion_reason"]].rename(
        columns={"trial_name": "Trial", "cancer_type": "Cancer", "exclusion_reason": "Status"})


def n_ongoing_ineligible(review: Review) -> int:
    """Trials without results by the cut-off that are also ineligible by design (not in the table)."""
    t = review.trials
    return int((_without_results(t) & t["exclusion_reason"].str.contains(DESIGN_INELIGIBLE, na=False)).sum())


def ongoing_left_out_sentence(n: int) -> str:
    """The sentence under the ongoing-trials table about the trials without results left out of it."""
    if n == 0:
        return "Every registered trial without results by the cut-off is eligible by design and listed."
    one = n == 1
    return (f"{count(n, 'other registered trial', words=True).capitalize()} without results by the cut-off "
            f"{'is' if one else 'are'} not listed: {'its' if one else 'their'} design is ineligible by this "
            f"book's rule (more than five lesions allowed, a population not restricted to oligometastatic "
            f"disease, or MDT not to every site).")
