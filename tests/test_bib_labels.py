"""The reference-list labels of ``_ext/bib_labels.py``: first author, "et al." or a second
author, the year, a letter where two labels would be the same, LaTeX accents decoded."""
from __future__ import annotations

import sys

from pybtex.database import parse_string

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import bib_labels  # noqa: E402

BIB = r"""
@article{a, author = {Gomez, Daniel and Tang, Chad and Zhang, Jianjun}, year = {2016}, title = {T}}
@article{b, author = {{Gomez et al.}}, year = {2016}, title = {T}}
@article{c, author = {Altman, Douglas G. and Bland, J. Martin}, year = {2011}, title = {T}}
@article{d, author = {R{\"o}ver, Christian}, year = {2020}, title = {T}}
@misc{e, author = {{ClinicalTrials.gov}}, title = {T}}
@article{f, author = {Ost, Piet and others}, year = {2020}, title = {T}}
@misc{g, title = {T}, organization = {ASCO Post}, year = {2023}}
"""


def test_labels_read_as_author_and_year():
    entries = list(parse_string(BIB, "bibtex").entries.values())
    labels = list(bib_labels.AuthorYearLabels().format_labels(entries))
    assert labels == ["Gomez et al. 2016a", "Gomez et al. 2016b", "Altman and Bland 2011", "Röver 2020",
                      "ClinicalTrials.gov undated", "Ost et al. 2020", "ASCO Post 2023"]


def test_the_book_uses_the_style():
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "bibtex_default_style: authoryear" in config and "bib_labels: _ext" in config
