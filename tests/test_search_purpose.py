"""The search log's `purpose` column: the rule that assigns it, and the chapter's counts."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extraction"))
from build_data import query_purpose  # noqa: E402

TRIALS = [{"trial_name": "SABR-COMET"}, {"trial_name": "MD Anderson LCT trial (NCT01725165)"}]
RECORDS = [{"authors": "Palma DA et al."}, {"authors": "Gomez DR et al."}, {"authors": "news"}]


@pytest.mark.parametrize("query, purpose", [
    ("SABR-COMET long-term results overall survival", "confirmatory"),          # a trial's name
    ("sabr-comet 5-year OS", "confirmatory"),                                   # case does not matter
    ("NCT02893332 results", "confirmatory"),                                    # a registry number
    ("Gomez local consolidative therapy NSCLC", "confirmatory"),                # a record's first author
    ("gomezian approach randomised", "discovery"),                              # not the author as a word
    ("median PFS 11.9 months versus 3.9 months", "confirmatory"),               # a reported number
    ("39168356 oligoprogression", "confirmatory"),                              # a PubMed id
    ("randomised trial 104 patients oesophageal", "confirmatory"),              # a patient count
    ("randomized trial SBRT oligometastatic renal cell carcinoma PFS", "discovery"),
    ("randomized phase II 2024 2025 results", "discovery"),                     # years are not numbers found
])
def test_query_purpose(query, purpose):
    assert query_purpose(query, TRIALS, RECORDS) == purpose


def test_the_chapter_counts_follow_the_log():
    from helpers.review.data import load_review
    from helpers.review.search import search_glue_values
    review = load_review()
    log = review.search_log
    values = search_glue_values(review)
    assert int(values["n_discovery"]) == (log["purpose"] == "discovery").sum() > 0
    assert int(values["n_discovery"]) + int(values["n_confirmatory"]) == len(log)
