"""Reader labels built from the data: a record id becomes "Harrow 2022, Int J Radiat Oncol Biol
Phys" with a link (a letter after the year where two records would read the same), a trial id becomes the trial's name, a trial group its reader name. One map,
built once per review and passed to ``helpers.show``, so no code name reaches a page."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from .data import Review

__all__ = ["ANONYMOUS", "AWAITING", "ReaderLabels", "awaiting_words", "is_awaiting", "distinct_citations", "extraction_words", "extractor_letters", "reader_labels", "record_author", "record_citation",
           "record_url", "searched_by"]

_INITIALS = re.compile(r"^[A-Z][A-Z-]{0,3}$")          # "DA", "SJ", "C": a person's initials
_CODE = re.compile(r"(?<![\w./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])")   # a snake_case code in text
_NOT_SHOWN = re.compile(r"not visible|not shown|inferred|mirror|copy|\bvia\b|-style", re.I)
# "MedPath registry copy (NCT…)", "Medscape copy on …", "MedPage Today-style news report": the source a copy names
_COPY_OF = re.compile(r"^(?P<org>[A-Z][^;()]*?)(?:-style\b|\s+(?:registry\s+|news\s+)?copy\b)")
_NOT_A_NAME = {"mirror", "news", "registry", "review", "record", "abstract"}   # kinds of record, not names
ANONYMOUS = "Anonymous"   # what Cochrane reference lists print for a record that names no author


def _who(authors: object) -> str:
    """The first author's surname ("Palma DA et al." → "Palma"), or the group or outlet that
    published the record ("(ARTO investigators)" → "ARTO investigators")."""
    text = str(authors).strip() if isinstance(authors, str) else ""
    if not text:
        return "Unknown author"
    if text.startswith("("):
        text = text[1:].split(")")[0]
    text = re.split(r"[;(]", text)[0].replace(" et al.", "").strip().rstrip(",")
    first = text.split(",")[0].strip()
    words = first.split()
    surname = []
    for w in words:
        if surname and _INITIALS.match(w):
            break
        surname.append(w)
    return " ".join(surname) or first


def _venue(journal: object) -> str:
    """The journal's abbreviation without volume, supplement or a note on how it was seen;
    empty when the source does not show it or names only the kind of record ("news", "registry")."""
    text = str(journal).strip() if isinstance(journal, str) else ""
    if not text or text.startswith("(") or _NOT_SHOWN.search(text):
        return ""
    venue = re.split(r"[(;/]|\s\d", text)[0].strip()
    return "" if venue.lower() in _NOT_A_NAME else venue


def _copied_from(authors: object) -> str:
    """The organisation that a copy or mirror names as its source ("MedPath registry copy (NCT…)"
    → "MedPath", "(Medscape copy on medugate)" → "Medscape"); empty when it names none."""
    text = str(authors).strip() if isinstance(authors, str) else ""
    m = _COPY_OF.match(text[1:] if text.startswith("(") else text)
    org = m.group("org").strip() if m else ""
    return "" if org.lower() in _NOT_A_NAME or _NOT_SHOWN.search(org) else org


def record_author(rec: dict) -> str:
    """Who a citation of the record names: the first author's surname or the group; where the
    source shows no author, the organisation a copy names as its source, else the journal, else
    "Anonymous"."""
    who = re.sub(r"\s+(?:19|20)\d\d$", "", _who(rec.get("authors")))
    if _NOT_SHOWN.search(who) or who.lower().startswith(("review:", "news on")):
        who = _copied_from(rec.get("authors")) or _venue(rec.get("journal")) or ANONYMOUS
    return who


def record_citation(rec: dict, suffix: str = "") -> str:
    """"Harrow 2022, Int J Radiat Oncol Biol Phys": first author (or group) and year, then the
    journal when the source shows it and it is not the author's own name. ``suffix`` tells apart
    records that would read the same ("Chmura 2022a", "ClinicalTrials.gov undated b")."""
    who = record_author(rec)
    year = rec.get("year")
    year = str(int(float(year))) if year is not None and not pd.isna(year) else "undated"
    year += (suffix if year[-1].isdigit() else f" {suffix}") if suffix else ""
    venue = _venue(rec.get("journal"))
    if venue and venue.lower() not in who.lower():
        return f"{who} {year}, {venue}"
    return f"{who} {year}"


def distinct_citations(records: list[dict]) -> list[str]:
    """``record_citation`` of each record, with a letter after the year where two or more records
    would read the same, in their order ("Chmura 2022a, J Clin Oncol", "Chmura 2022b, J Clin Oncol")."""
    plain = [record_citation(r) for r in records]
    n, seen = Counter(plain), Counter()
    out = []
    for r, c in zip(records, plain):
        if n[c] > 1:
            out.append(record_citation(r, "abcdefghijklmnopqrstuvwxyz"[seen[c]]))
            seen[c] += 1
        else:
            out.append(c)
    return out


def record_url(rec: dict) -> str | None:
    """The record's DOI page, else its PubMed page, else the address the extractors read."""
    doi, pmid, url = rec.get("doi"), rec.get("pmid"), rec.get("url")
    if isinstance(doi, str) and doi.strip():
        return f"https://doi.org/{doi.strip()}"
    if pmid is not None and not pd.isna(pmid) and str(pmid).strip():
        return f"https://pubmed.ncbi.nlm.nih.gov/{str(pmid).strip()}/"
    return url.strip() if isinstance(url, str) and url.strip() else None


@dataclass(frozen=True)
class ReaderLabels:
    """Codes of this review's data → reader words.

    ``records``: record id → (citation, address or None); ``trials``: trial id → trial name;
    ``groups``: trial group → the name of its first trial, without the subgroup suffix."""

    records: dict = field(default_factory=dict)
    trials: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)

    def citation(self, record_id) -> str:
        """Reader words for a record id ("—" when there is none)."""
        if record_id is None or (not isinstance(record_id, str) and pd.isna(record_id)):
            return "\u2014"
        return self.records.get(record_id, (str(record_id).replace("_", " "), None))[0]

    def url(self, record_id) -> str | None:
        """The address of a record, or None."""
        return self.records.get(record_id, (None, None))[1] if isinstance(record_id, str) else None

    def words(self, text, link: bool = False) -> str:
        """``text`` with every code in it (record id, trial id, trial group) turned into reader
        words; an unknown code "name_2025_..." reads "Name 2025". ``link=True`` writes a record
        as a Markdown link to its address."""
        if not isinstance(text, str):
            return text
        return _CODE.sub(lambda m: self._word(m, link), text)

    def _word(self, m: re.Match, link: bool = False) -> str:
        code = m.group(0)
        if code in self.records:
            text, url = self.records[code]
            return f"[{text}]({url})" if link and url else text
        if code in self.trials:
            return self.trials[code]
        if code in self.groups:
            return self.groups[code]
        author_year = re.match(r"([a-z]+)_((?:19|20)\d\d)(?:_|$)", code)
        return f"{author_year.group(1).capitalize()} {author_year.group(2)}" if author_year else code.replace("_", " ")

    def trial(self, trial_id) -> str:
        return self.trials.get(trial_id, str(trial_id).replace("_", " "))

    def group(self, trial_group) -> str:
        return self.groups.get(trial_group, str(trial_group).replace("_", " "))


# --------------------------------------------------------------------------- awaiting classification
AWAITING = "awaiting classification"
_UNIDENTIFIED = re.compile(r"could not be identified|not identifiable", re.I)


def is_awaiting(reason: object) -> bool:
    """Whether an exclusion reason says the source could not be identified: PRISMA 2020 counts
    such a record (or study) as awaiting classification, not as excluded with a reason."""
    return isinstance(reason, str) and _UNIDENTIFIED.search(reason) is not None


def awaiting_words(reason: object) -> object:
    """``reason`` as shown to readers: one that says the source could not be identified is marked
    "Awaiting classification (PRISMA 2020), not an exclusion: …"; any other is returned as it is."""
    return f"{AWAITING.capitalize()} (PRISMA 2020), not an exclusion: {reason}" if is_awaiting(reason) else reason


# --------------------------------------------------------------------------- the extraction rounds in words
# The two extractors are "Extractor 1" and "Extractor 2" wherever the book names them (the search log's
# "Searched by" column, the notes on the differences and trial pages); their rounds are ordinal words.
_ORDINAL = dict(enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"), 1))
_EXTRACTOR = {"a": "Extractor 1", "b": "Extractor 2"}
_PASS_PREFIX = re.compile(r"^\s*\[pass_([ab])(\d?)\]\s*")
_PASS = r"(?:pass_(?P<l1>[ab])|pass (?P<l2>[AB]))(?P<r1>\d?)|round (?P<r2>\d)(?P<l3>[AB])"
# "A said mixed, B recurrent", "(B wrote 6 ...)", "on systemic therapy (A)": an extractor named by its letter
_LETTER = re.compile(r"(?<=\()([AB])(?=\))|(?<![\w/+.\-])([AB])(?= (?:said|wrote|left|included|excluded|mixed|"
                     r"recurrent|coded|called|de novo|upfront|consolidation)\b)")


def _extractor(letter: str, rnd: str = "") -> str:
    """("a", "2") → "Extractor 1's second round"; ("b", "") → "Extractor 2"."""
    who = _EXTRACTOR[letter.lower()]
    return f"{who}'s {_ORDINAL[int(rnd)]} round" if rnd and int(rnd) in _ORDINAL else who


def _as_text(value: object) -> str:
    """A data note as text: "" for a missing one (``None`` or NaN)."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _pass(m: re.Match) -> tuple[str, str]:
    """(letter, round) of a match of ``_PASS``."""
    return m.group("l1") or m.group("l2") or m.group("l3"), m.group("r1") or m.group("r2") or ""


def extraction_words(text: object) -> str:
    """The extractors' working codes in reader words: "pass_a2" and "pass A2" → "Extractor 1's
    second round", "round 4A" → "Extractor 1's fourth round", "found in round 4A" → "found by
    Extractor 1", "confirmed by pass B5" → "confirmed by Extractor 2", "round 1" → "the first
    search round" (a leading "[pass_a2]" tag is dropped: ``searched_by`` reads it)."""
    text = _as_text(text)
    text = _PASS_PREFIX.sub("", text)
    text = re.sub(rf"\b(found|seen|captured|noted|confirmed|checked) (?:in|by) (?:{_PASS})\b",
                  lambda m: f"{m.group(1)} by {_EXTRACTOR[_pass(m)[0].lower()]}", text)
    text = re.sub(rf"\b(?:{_PASS})\b", lambda m: _extractor(*_pass(m)), text)
    text = re.sub(r"\((?:in )?round (\d)\)", lambda m: f"(in the {_ORDINAL[int(m.group(1))]} search round)", text)
    text = re.sub(r"\b(seen|captured|noted|found) round (\d)\b",
                  lambda m: f"{m.group(1)} in the {_ORDINAL[int(m.group(2))]} search round", text)
    return re.sub(r"\bround (\d)\b", lambda m: f"the {_ORDINAL[int(m.group(1))]} search round", text)


def extractor_letters(text: object) -> str:
    """A note on the two extractions with each extractor named: "A said mixed, B recurrent" →
    "Extractor 1 said mixed, Extractor 2 recurrent"; "(A)" → "(Extractor 1)". Only a capital A or
    B followed by a verb or call of the extractions counts ("arm A", "A total of" do not)."""
    text = _as_text(text)
    return _LETTER.sub(lambda m: _EXTRACTOR[(m.group(1) or m.group(2)).lower()], text)


def searched_by(note: object) -> str:
    """Who ran a logged query, from the note's "[pass_a2]" tag: "Extractor 1, second round"
    (empty without a tag)."""
    m = _PASS_PREFIX.match(note) if isinstance(note, str) else None
    if not m:
        return ""
    return f"{_EXTRACTOR[m.group(1)]}, {_ORDINAL[int(m.group(2) or 1)]} round"


def reader_labels(review: Review) -> ReaderLabels:
    """The label map of ``review``, built from ``records.csv`` and ``trials.csv``."""
    recs = review.records.to_dict("records")
    records = {r["record_id"]: (c, record_url(r)) for r, c in zip(recs, distinct_citations(recs))}
    trials = dict(zip(review.trials["trial_id"], review.trials["trial_name"]))
    groups = {}
    for g, name in zip(review.trials["trial_group"], review.trials["trial_name"]):
        short = re.split(r"\s+-\s+", re.sub(r"\s*\((?:[^()]*)\)$", "", str(name)))[0].strip()
        groups.setdefault(g, short or str(name))
    return ReaderLabels(records=records, trials=trials, groups=groups)
