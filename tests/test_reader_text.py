"""What a fresh reader found on the site: methods terms not linked to the glossary, the HKSJ
entry, the extractors' working notes on the pages, and bibliography labels of entries without an
author ("[Unsignedrecord23]")."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import helpers
from helpers.review.labels import ANONYMOUS, record_citation

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results():
    return helpers.load_results()


# --------------------------------------------------------------------------- bibliography labels
def _bib_entries():
    from pybtex.database import parse_file

    for name in ("references.bib", "references_trials.bib"):
        yield from parse_file(str(ROOT / name)).entries.items()


def test_every_bib_entry_has_an_author_and_no_label_reads_unsigned():
    from pybtex.style.labels.alpha import LabelStyle

    entries = list(_bib_entries())
    for key, entry in entries:
        assert entry.persons.get("author") or "key" in entry.fields, f"{key}: no author and no key"
        names = [str(p) for p in entry.persons.get("author", [])]
        assert not any(n.startswith(("Unsigned", "{Unsigned")) for n in names), (key, names)
    labels = list(LabelStyle().format_labels([e for _, e in entries]))
    assert not [lab for lab in labels if lab.startswith("Unsigned")], labels


def test_record_citations_name_an_organisation_before_anonymous(results):
    recs = results.review.records
    cites = {r["record_id"]: record_citation(r) for r in recs.to_dict("records")}
    assert not [c for c in cites.values() if c.startswith("Unsigned")]
    assert cites["medscape_2024_orchestra_news"] == "Medscape 2024"
    assert cites["core_isrctn45961438_registry"] == "MedPath undated"
    assert cites["renalurologynews_2022_stomp_oriole_pooled"] == "Renal & Urology News 2022"
    assert cites["unidentified_lcrt_nsclc_rct"] == f"{ANONYMOUS} undated"
    bib = (ROOT / "references_trials.bib").read_text(encoding="utf-8")
    assert "author = {{Medscape}}" in bib and "author = {{Gomez et al.}}" in bib
    assert "author = {{MIMS news}}" in bib          # "et al." of the reported paper, not of the outlet
