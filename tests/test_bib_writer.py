"""references_trials.bib as extraction/build_data.py writes it: the venue without the
extractors' remarks, a note in reader words, and no working note anywhere in the file."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "extraction"))
from build_data import _bib_note, _bib_venue  # noqa: E402


@pytest.mark.parametrize("journal,want", [
    ("Future Oncol (inferred from PubMed mirror; journal name not visible in excerpt)", "Future Oncol"),
    ("Eur Urol (per Urology Times report)", "Eur Urol"),
    ("Br J Cancer 130(12):1929-1935", "Br J Cancer 130(12):1929-1935"),
    ("J Clin Oncol 40(16_suppl):1007 (ASCO 2022)", "J Clin Oncol 40(16_suppl):1007 (ASCO 2022)"),
    ("(not visible; AMiner record)", ""), ("not visible in excerpt", ""), ("", ""), (None, ""),
    ("news item (URL not shown in search result)", ""), ("Lancet", "Lancet"),
])
def test_venue(journal, want):
    assert _bib_venue(journal) == want


@pytest.mark.parametrize("kind,tier,want", [
    ("news", "news", "News report"), ("full paper", "abstract", "Full paper; only its abstract was read"),
    ("congress abstract", "news", "Congress abstract; read in a news report"),
    ("congress abstract", "congress", "Congress abstract"), ("registry", "registry", "Trial registry record"),
])
def test_note(kind, tier, want):
    assert _bib_note({"record_type": kind, "source_tier": tier}) == want


def test_the_written_bib_holds_no_working_notes():
    bib = (ROOT / "references_trials.bib").read_text(encoding="utf-8")
    assert not re.search(r"not visible|inferred from|mirror|read as \w+\}|excerpt|search result", bib, re.I)


def test_a_mirror_copy_is_marked_in_the_note():
    r = {"record_type": "news", "source_tier": "news", "authors": "Cancer Therapy Advisor (mirror copy)",
         "journal": "Cancer Therapy Advisor", "url": "http://example.org/x"}
    assert _bib_note(r) == "News report; the address is a copy on another site, not the publisher's page"
    assert _bib_note(dict(r, authors="Tsai CJ et al.")) == "News report"
