"""Reader words for the codes in ``data/`` and in the analysis tables: one place, so no
code name reaches a page."""
from __future__ import annotations

__all__ = ["DERIVATIONS", "FACTORS", "LEVELS", "Link", "label", "heading", "sentence_case", "source", "trial_page_name",
           "trial_page_url"]

DERIVATIONS = {
    "reported": "HR and CI as reported",
    "from_hr_and_p": "SE from the HR and its exact p-value (see Methods)",
    "from_p_and_events": "from p-value and events (see Methods)",
    "ratio_of_medians": "ratio of medians (exponential assumption; weaker)",
    "not_available": "no estimate obtainable",
}

FACTORS = {"timing": "Timing of MDT", "disease_state": "Disease state", "cancer_group": "Primary cancer",
           "modality_class": "MDT modality", "control_class": "Control arm", "phase": "Trial phase",
           "overall": "All comparisons"}
LEVELS = {"de_novo": "de novo", "oligoprogressive": "oligoprogression", "all": "all", "mdt_vs_control": "MDT vs control",
          "control_vs_mdt": "control vs MDT"}
VERDICT_NOTES = {"same comparisons as another row": "same comparisons as {other}"}


def label(code: object) -> str:
    """Reader words for a code from ``data/`` (a factor, a level, a direction); unknown codes
    lose their underscores, so no snake_case identifier reaches a page."""
    text = "" if code is None else str(code)
    return FACTORS.get(text) or LEVELS.get(text) or text.replace("_", " ")


def sentence_case(text: object) -> str:
    """``text`` with its first letter capitalised when its first word is lower case ("breast" →
    "Breast", "de novo" → "De novo"); abbreviations and names ("NSCLC", "SBRT/RT", "II",
    "pN1") and leading indentation are kept as they are."""
    raw = "" if text is None else str(text)
    body = raw.lstrip()
    first = body.split(" ", 1)[0]
    if not first or not first[0].islower() or any(c.isupper() or c.isdigit() for c in first):
        return raw
    return raw[: len(raw) - len(body)] + body[0].upper() + body[1:]


def heading(code: object) -> str:
    """A code from ``data/`` as a reader sees it where it stands alone (a figure's group
    heading or row, a table's subgroup cell): ``label`` in sentence case ("breast" → "Breast",
    "de_novo" → "De novo", "NSCLC" unchanged)."""
    return sentence_case(label(code))


def trial_page_name(trial_group) -> str:
    """The page of a trial group under ``trials/``: "sabr_comet" → "sabr-comet"."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", str(trial_group).lower()).strip("-") or "trial"


def trial_page_url(trial_group, prefix: str = "../trials/") -> str:
    """The address of a trial's page from a chapter page (``chapters/*.html``)."""
    return f"{prefix}{trial_page_name(trial_group)}.html"


class Link:
    """A cell that reads as ``text`` (then ``after``, unlinked) and links to ``url``:
    ``html_table`` writes it as an anchor (``str()`` is the escaped HTML), a CSV file as
    ``plain``, the words alone."""

    __slots__ = ("text", "url", "after")

    def __init__(self, text: str, url: str | None = None, after: str = ""):
        self.text, self.url, self.after = str(text), url, after

    @property
    def plain(self) -> str:
        return self.text + self.after

    def __str__(self) -> str:
        import html

        tail = html.escape(self.after)
        if not self.url:
            return html.escape(self.text) + tail
        return f'<a href="{html.escape(self.url, quote=True)}">{html.escape(self.text)}</a>{tail}'

    __html__ = __str__

    def __eq__(self, other) -> bool:
        return isinstance(other, Link) and (self.text, self.url, self.after) == (other.text, other.url, other.after)

    def __hash__(self) -> int:
        return hash((self.text, self.url, self.after))

    def __repr__(self) -> str:
        return f"Link({self.text!r}, {self.url!r}, {self.after!r})"


def source(record_id, records: dict) -> "Link | str":
    """The reader's citation of a record id, linked: ``records`` maps record id → (citation,
    address) (``helpers.review.labels.ReaderLabels.records``); no record gives "—"."""
    if not isinstance(record_id, str) or not record_id:
        return "\u2014"
    text, url = records.get(record_id, (record_id.replace("_", " "), None))
    return Link(text, url)
