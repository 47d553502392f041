"""The search chapter's tables and values: the search log, the included and excluded records
(cited where they are the source of a pooled estimate), trial characteristics and the trials
still without results."""
from __future__ import annotations

import re

import pandas as pd

from helpers.review.data import Review
from helpers.review.hazard_ratios import first_publication
from helpers.review.labels import (awaiting_words, extraction_words, is_awaiting, reader_labels, record_citation, record_url,
                                   searched_by)
from helpers.show.labels import label
from helpers.show.text import count

__all__ = ["search_glue_values", "search_log_table", "search_log_download", "record_tables", "record_reason", "record_trials",
           "awaiting_classification", "awaiting_sentence", "characteristics_table", "ongoing_table",
           "n_ongoing_ineligible", "ongoing_left_out_sentence"]


SHOWN_PURPOSE = "discovery"   # the queries the page lists: those that could find a trial not yet known


def search_glue_values(review: Review) -> dict[str, str]:
    """The search paragraph's values: cut-off, queries, dates, and which of them the page lists."""
    paper = review.paper_reported.set_index("analysis_id")
    log = review.search_log
    dates = sorted({str(d) for d in log["date"]})
    shown = int((log["purpose"] == SHOWN_PURPOSE).sum())
    return {"cutoff": paper.at["search_cutoff", "finding"], "cutoff_quote": paper.at["search_cutoff", "quote"],
            "n_queries": str(len(log)), "n_useful": str(int((log["useful"] == "yes").sum())),
            "n_discovery": str(int((log["purpose"] == "discovery").sum())),
            "n_confirmatory": str(int((log["purpose"] == "confirmatory").sum())),
            "log_dates": " to ".join(dates[::max(1, len(dates) - 1)]),
            "log_shown": (f"The table lists the {count(shown, f'{SHOWN_PURPOSE} query', f'{SHOWN_PURPOSE} queries')} of the "
                          f"{len(log)}; the CSV holds every query "
                          f"with the extractors' note on what it found." if shown < len(log) else
                          "The table lists every query; the CSV adds the extractors' note on what each found."),
            "paper_records": str(int(paper.at["records_included", "estimate"]))}


def search_log_table(review: Review, purpose: str = SHOWN_PURPOSE) -> pd.DataFrame:
    """The queries of one ``purpose`` (the discovery queries: those that could find a trial not
    yet known) for readers, without the extractors' notes (their shorthand is in the CSV): who ran
    each query in words, the hit count (capped at 8 by the archive searched)."""
    log = review.search_log
    log = log[log["purpose"] == purpose]
    return pd.DataFrame({"No.": log["query_no"], "Date": log["date"], "Searched by": log["notes"].map(searched_by),
                         "Query": log["query"], "Hits (at most 8)": log["n_hits"], "Used": log["useful"]})


def search_log_download(review: Review) -> pd.DataFrame:
    """The whole search log with reader column names (for the CSV download; the extractors' raw
    notes are in ``data/search_log.csv``)."""
    log = review.search_log
    return pd.DataFrame({"No.": log["query_no"], "Date": log["date"], "Searched by": log["notes"].map(searched_by),
                         "Corpus": log["corpus"], "Purpose": log["purpose"], "Query": log["query"],
                         "Hits (at most 8)": log["n_hits"], "Used": log["useful"],
                         "Notes": log["notes"].map(extraction_words)})


def _record_ref(r: dict, cited: set, text: str | None = None) -> str:
    """A citation role for the sources of pooled estimates; otherwise the reader's citation
    (``text``, else ``record_citation``) linked to the DOI, PubMed or the page read, marked when
    that page is a copy on another site than the publisher's (sphinxcontrib-bibtex re-formats
    every citation on every build, so citations are kept to those that matter)."""
    if r["record_id"] in cited:
        return f"{{cite:t}}`{r['record_id']}`"
    text, url = text or record_citation(r), record_url(r)
    mirror = any(isinstance(r.get(c), str) and re.search(r"mirror|copy", r[c], re.I) for c in ("authors", "journal"))
    text += " (copy on another site)" if mirror and url == r.get("url") else ""
    return f"[{text}]({url})" if url else text


# --------------------------------------------------------------------------- reasons in final words
# the extractors' words → final words (the CSV keeps theirs)
_REASON_WORDS = ((r"\s*\(searched once\)", ""), (r"\s*as far as seen\b", ""),
                 (r"\bNOT\b", "not"), (r"\bpts\b", "patients"), (r"\bHRs\b", "hazard ratios"),
                 (r"\bKM-reconstructed IPD\b", "individual patient data reconstructed from Kaplan–Meier curves"),
                 (r"\bIPD\b", "individual patient data"),
                 (r"\bQoL\b", "quality-of-life"), (r"\bRMST\b", "restricted mean survival time"),
                 (r"<=\s*", "≤"), (r">=\s*", "≥"), (r"\s*->\s*", " → "),
                 (r"\bCTA\b", "Cancer Therapy Advisor"), (r"\bURL/authors/journal\b", "address, authors or journal"),
                 (r"\bno results seen\b", "no results found"), (r"\b(cap|lesion cap) seen\b", r"\1 found"),
                 (r"\bseen directly\b", "read directly"), (r"\b(in (?:any|all) \w+) seen\b", r"\1 read"),
                 (r"\bseen\b", "visible"), (r"\bin excerpt\b", "in the excerpt read"), (r"\s+-\s+", "; "))
_REMINDER = re.compile(r"\breviewer (?:should|to)\b", re.I)         # a reminder to the reviewer, not a reason
_NO_NUMBERS = re.compile(r"\bno outcome numbers seen\b", re.I)   # superseded where the record supplies outcome rows
_SAME_AS = re.compile(r"\b(?:same as|as) (?P<code>[a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")


def record_reason(rec: dict, records: pd.DataFrame, labels, link: bool = False, sources: set = frozenset()) -> str:
    """A record's exclusion reason (or an included record's note) as a final reason for readers:
    the extractors' reminders to the reviewer dropped, their abbreviations spelt out, record and
    trial codes as names, and "as x" for a record not listed pointed at the listed record of the
    same trial; a clause saying no outcome numbers were seen is dropped for a record in ``sources``
    (the records that supply outcome rows). A record whose source could not be identified is
    awaiting classification (PRISMA 2020), not excluded: its reason says so. The CSV keeps the
    extractors' words."""
    text = rec.get("exclusion_reason")
    if not isinstance(text, str) or not text.strip():
        return ""

    def same_as(m: re.Match) -> str:
        code = m.group("code")
        if code in labels.records:
            return f"same reason as {code}"
        other = records[(records["trial_group"] == rec.get("trial_group")) & (records["record_id"] != rec["record_id"])
                        & (records["decision"] == rec.get("decision"))]
        return f"same reason as {other['record_id'].iloc[0]}" if len(other) else "same reason as another report of this trial"

    text = re.sub(r"\s*->\s*reviewer to check\b", "", _SAME_AS.sub(same_as, text))
    clauses = [c.strip() for c in text.split(";")]
    text = "; ".join(c for c in clauses if c and not _REMINDER.search(c)
                     and not (rec.get("record_id") in sources and _NO_NUMBERS.search(c)))
    for pattern, words in _REASON_WORDS:
        text = re.sub(pattern, words, text)
    text = re.sub(r"\s+([;,)])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ;")
    return labels.words(awaiting_words(text) if awaiting_classification(rec) else text, link=link)


def awaiting_classification(rec: dict) -> bool:
    """Whether a record's source could not be identified: PRISMA 2020 counts it as awaiting
    classification, not as excluded with a reason."""
    return is_awaiting(rec.get("exclusion_reason"))


def awaiting_sentence(review: Review) -> str:
    """The sentence under the excluded-records table on the records awaiting classification."""
    n = sum(awaiting_classification(r) for r in review.records.to_dict("records"))
    if n == 0:
        return ""
    one = n == 1
    return (f"{count(n, 'record', words=True).capitalize()} in this table could not be identified (no address, "
            f"authors or journal in the search result): PRISMA 2020 counts {'it' if one else 'them'} as awaiting "
            f"classification, not as excluded, and {'its' if one else 'their'} reason says so.")


def record_trials(group, labels) -> str:
    """A record's trial group in reader words: "stomp;oriole" → "STOMP, ORIOLE"; a group that is
    not a trial of this review (an individual-patient-data meta-analysis) → "several trials"."""
    if not isinstance(group, str) or not group.strip():
        return "\u2014"
    names = []
    for g in group.split(";"):
        g = g.strip()
        names.append(labels.groups.get(g) or ("several trials" if "_" in g or " " not in g and g.islower() else g))
    return ", ".join(dict.fromkeys(names))


def record_tables(review: Review) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(included records with their role, excluded records with the reason), cells holding
    MyST citation roles (show them with ``markdown_table``). Records that read the same carry a
    letter after the year ("Chmura 2022a"); the records awaiting classification are listed with
    the excluded ones, their reason saying so."""
    rec, out = review.records, review.outcomes
    inc = rec[rec["decision"] == "included"]
    names = reader_labels(review)
    roles = {rid: ", ".join(sorted({f"{o} ({'primary' if p == 'yes' else 'other'})" for o, p in zip(g["outcome"], g["primary"])}))
             for rid, g in out.groupby("record_id")}
    cited = set(out.loc[(out["primary"] == "yes") & out["trial_id"].isin(review.included["trial_id"]), "record_id"])

    def ref(r):
        return _record_ref(r, cited, names.citation(r["record_id"]))
    inc_table = pd.DataFrame({"Record": [ref(r) for r in inc.to_dict("records")],
                              "Trial": inc["trial_group"].map(lambda g: record_trials(g, names)), "Type": inc["record_type"],
                              "Read as": inc["source_tier"],
                              "Role": [roles.get(r, "design facts") for r in inc["record_id"]]})
    exc = rec[rec["decision"] == "excluded"]
    exc_table = pd.DataFrame({"Record": [ref(r) for r in exc.to_dict("records")], "Title": exc["title"],
                              "Trial": exc["trial_group"].map(lambda g: record_trials(g, names)),
                              "Reason": [record_reason(r, rec, names, link=True) for r in exc.to_dict("records")]})
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
