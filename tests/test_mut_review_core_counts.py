"""PRISMA counts on records made here (helpers.review.counts.prisma_counts), the unknown-file
message of read_table, and the citation read as UTF-8 whatever the locale (build_info)."""
from __future__ import annotations

import locale
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review.build_info import book_citation
from helpers.review.counts import OTHER_REASONS, exclusion_class, prisma_counts
from helpers.review.data import _Schemas, read_table


def review_of(records: list[tuple]):
    """Records (type, decision, reason[, screening stage, retrieved]); by default assessed in full."""
    rec = pd.DataFrame({"record_type": pd.Series([r[0] for r in records], dtype=object),
                        "decision": pd.Series([r[1] for r in records], dtype=object),
                        "exclusion_reason": pd.Series([r[2] for r in records], dtype=object),
                        "screening_stage": [r[3] if len(r) > 3 else "full report" for r in records],
                        "retrieved": [r[4] if len(r) > 4 else "yes" for r in records]})
    trials = pd.DataFrame({"trial_group": ["g1", "g1", "g2", "g3"], "included": ["yes", "yes", "yes", "no"]})
    return SimpleNamespace(records=rec, trials=trials, included=trials[trials["included"] == "yes"])


def test_prisma_counts_by_arm_and_reason():
    review = review_of([
        ("paper", "included", None), ("abstract", "included", None), ("news", "included", None),
        ("registry", "excluded", "registry entry, no results posted"),    # "no results" before "registry"
        ("paper", "excluded", None),                                      # no reason: "not stated", other reasons
        ("paper", "excluded", ">5 lesions allowed"), ("review", "excluded", "Both arms received SBRT"),
        ("protocol", "excluded", "protocol only"),
    ])
    p = prisma_counts(review)
    assert p == {"identified_databases": 4, "identified_other": 4, "duplicates_removed": None, "screened": 8,
                 "excluded_screening": 0, "sought": 8, "not_retrieved": 0, "assessed": 8,
                 "assessed_databases": 4, "assessed_other": 4, "excluded_databases": 2, "excluded_other": 3,
                 "exclusion_reasons": {"no results published": 1, OTHER_REASONS: 1, "more than 5 lesions allowed": 1,
                                       "both arms receive MDT": 1, "protocol or design report only": 1},
                 "reports_included": 3, "studies_included": 2, "comparisons_included": 3}


def test_prisma_counts_follow_the_screening_stage_and_retrieval():
    # 2 excluded on title or abstract (one other-methods), 1 report not retrieved, 3 assessed: 1 excluded
    review = review_of([
        ("paper", "included", None), ("news", "included", None),
        ("news", "excluded", "news report of X", "title or abstract"),
        ("protocol", "excluded", "protocol only", "title or abstract"),
        ("paper", "excluded", "could not be identified", "full report", "no"),
        ("paper", "excluded", "both arms receive MDT"),
    ])
    p = prisma_counts(review)
    assert (p["screened"], p["excluded_screening"], p["sought"], p["not_retrieved"], p["assessed"]) == (6, 2, 4, 1, 3)
    assert (p["assessed_databases"], p["assessed_other"]) == (2, 1)
    assert (p["excluded_databases"], p["excluded_other"]) == (1, 0)
    assert p["exclusion_reasons"] == {"both arms receive MDT": 1} and p["reports_included"] == 2


def test_prisma_reasons_grouped_into_at_most_seven_lines():
    reasons = (["both arms"] * 8 + ["not identified"] * 7 + ["primary tumour only"] * 6 + ["after the cut-off"] * 5
               + ["protocol"] * 4 + ["secondary report"] * 3 + ["meta-analysis"] * 2 + ["unclear"])
    p = prisma_counts(review_of([("paper", "excluded", r) for r in reasons]))
    assert p["exclusion_reasons"] == {"both arms receive MDT": 8, "record could not be identified": 7,
                                      "MDT not to all lesions": 6, "published after the search cut-off": 5,
                                      "protocol or design report only": 4,
                                      "secondary report of an excluded trial": 3, OTHER_REASONS: 3}
    assert list(p["exclusion_reasons"])[:6] == ["both arms receive MDT", "record could not be identified",
                                                "MDT not to all lesions", "published after the search cut-off",
                                                "protocol or design report only",
                                                "secondary report of an excluded trial"]
    six = prisma_counts(review_of([("paper", "excluded", r) for r in reasons if r != "meta-analysis"]))
    assert len(six["exclusion_reasons"]) == 7 and six["exclusion_reasons"][OTHER_REASONS] == 1
    assert six["exclusion_reasons"]["secondary report of an excluded trial"] == 3
    none_other = prisma_counts(review_of([("paper", "excluded", "protocol")]))
    assert none_other["exclusion_reasons"] == {"protocol or design report only": 1}     # no empty "other" line


def test_read_table_names_the_known_files():
    with pytest.raises(KeyError) as e:
        read_table("no_such_table")
    msg = str(e.value)
    assert "unknown data file 'no_such_table.csv'; known: " in msg
    assert "trials.csv" in msg and "outcomes.csv" in msg and ", " in msg


def test_book_citation_default_root_and_utf8_whatever_the_locale(tmp_path, monkeypatch):
    book = tmp_path / "book"
    (book / "data").mkdir(parents=True)
    (book / "_config.yml").write_text("", encoding="utf-8")
    (book / "CITATION.cff").write_text('title: "Méta-analyse"\nversion: 1\ndate-released: 2026-01-01\nauthors:\n'
                                       '  - name: "Zoë Müller"\n', encoding="utf-8")
    monkeypatch.chdir(book)
    old = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, "C")           # an ASCII locale: only an explicit UTF-8 reads the names
        c = book_citation()
    finally:
        locale.setlocale(locale.LC_CTYPE, old)
    assert c["title"] == "Méta-analyse" and c["authors"] == "Zoë Müller"
    assert c["text"] == "Zoë Müller. Méta-analyse (version 1, released 2026-01-01)."


def test_schemas_are_read_on_first_use():
    fresh = _Schemas()
    assert not hasattr(fresh, "_value")
    names = list(fresh)
    assert "trials.csv" in names and "outcomes.csv" in names and len(fresh) == len(names)
    assert fresh["trials.csv"].file == "trials.csv"
    assert hasattr(fresh, "_value") and fresh._get() is fresh._value          # read once, then kept


@pytest.mark.parametrize("reason,want", [
    ("Meta-analysis of SABR-COMET and ORIOLE", "pooled analysis of listed trials"),
    ("Pooled analysis of two trials", "pooled analysis of listed trials"),
    ("Registry entry only", "registry entry without results"),
    ("Registry entry, no results", "no results published"),           # the first list is searched first
    ("Meta-analysis of a trial with both arms treated", "both arms receive MDT"),
])
def test_exclusion_class_second_list(reason, want):
    assert exclusion_class(reason) == want
