"""The inputs of the PFS and OS pages' "what if" panel (``_static/whatif/meta.js``): the pooled
comparisons of an efficacy report, as the page glues them (same yi, vi, order and trial
names), their flags for the quick filters, and the book's primary model settings.  Plain
JSON-ready data; ``helpers.show.whatif.whatif_panel`` puts it on the page."""
from __future__ import annotations

from helpers.review.efficacy import EfficacyReport

__all__ = ["whatif_input", "PANEL_METHODS", "PANEL_TESTS"]

PANEL_METHODS = ("REML", "DL", "PM", "EE")
PANEL_TESTS = ("z", "adhoc", "knha")
FULL_PAPERS = ("full paper", "long-term update")   # data/records.csv record_type: published as a full article


# The tests' labels in the panel: short enough for a select box on a phone (the glossary explains HKSJ).
PANEL_TEST_LABELS = {"z": "Wald-type z-test", "adhoc": "HKSJ, ad hoc (never narrower than z)",
                     "knha": "HKSJ (untruncated)"}


def _reader(label: str, code: str) -> str:
    if code in PANEL_TEST_LABELS:
        return PANEL_TEST_LABELS[code]
    text = label[:1].upper() + label[1:]
    return f"{text} ({code})"


def whatif_input(rep: EfficacyReport) -> dict:
    """The panel's JSON for one outcome: ``settings`` (method, test, level, pi of the primary
    model), reader ``labels`` of the estimators and tests, and one entry per pooled comparison
    (``id``: its trial id; ``label``: the trial name; ``yi``, ``vi``; ``low_rob``: RoB 2 overall
    low; ``reported``: the HR and CI as reported, not derived; ``full_text``: its source is a full journal article, not a congress abstract, news report or
    review — whatever part of it the extractors could read),
    in the order of ``rep.pooled``, which is the order of ``rep.res``."""
    s = rep.settings
    pooled = rep.pooled
    comparisons = [{"id": str(r["trial_id"]), "label": str(r["trial"]), "yi": float(r["yi"]), "vi": float(r["vi"]),
                    "low_rob": r["rob_overall"] == "low", "reported": r["derivation"] == "reported",
                    "full_text": r["record_type"] in FULL_PAPERS}
                   for _, r in pooled.iterrows()]
    if [c["yi"] for c in comparisons] != [float(y) for y in rep.res.yi]:
        raise ValueError("the panel's comparisons are not those of the pooled fit")
    return {"outcome": rep.outcome,
            "settings": {"method": s.method, "test": s.test, "level": float(s.level), "pi": s.pi},
            "labels": {code: _reader(s.labels[code], code) for code in (*PANEL_METHODS, *PANEL_TESTS)},
            "comparisons": comparisons}
