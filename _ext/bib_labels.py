"""Reference-list labels as a reader expects them: "Gomez et al. 2016", "Chen et al. 2026a".

sphinxcontrib-bibtex's default pybtex style (``alpha``) builds labels such as "[Gom+16]", and
from a corporate author written in braces ("{Gomez et al.}") a run-together "[Gomezeal16]".
This extension registers the pybtex formatting style ``authoryear``: the ``unsrt`` entries with
labels of the first author's last name ("et al." from three authors on, or where the record
itself writes it), the year and a letter where two labels would be the same.
"""
from __future__ import annotations

import codecs
import re
from collections import Counter

import latexcodec  # noqa: F401  (registers the "ulatex" codec; a dependency of pybtex)
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _plain(text: str) -> str:
    """LaTeX accents decoded ("R{\\"o}ver" → "Röver"), braces dropped, spaces collapsed."""
    try:
        text = codecs.decode(text, "ulatex")
    except ValueError:
        pass
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _who(entry) -> str:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if not persons:
        return _plain(entry.fields.get("organization", "") or entry.fields.get("publisher", "")) or "Anonymous"
    first = persons[0]
    name = _plain(" ".join(first.prelast_names + first.last_names)) or _plain(str(first))
    if len(persons) == 2:
        second = persons[1]
        other = _plain(" ".join(second.prelast_names + second.last_names))
        return f"{name} and {other}" if other.lower() != "others" else f"{name} et al."
    return f"{name} et al." if len(persons) > 2 else name


class AuthorYearLabels(BaseLabelStyle):
    """"First-author et al. year", with a, b, … where two entries would share a label."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        base = [f"{_who(e)} {_plain(e.fields.get('year', '')) or 'undated'}" for e in entries]
        total, seen = Counter(base), Counter()
        for label in base:
            if total[label] > 1:
                seen[label] += 1
                yield f"{label}{'abcdefghijklmnopqrstuvwxyz'[seen[label] - 1]}"
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels


def setup(app):
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
