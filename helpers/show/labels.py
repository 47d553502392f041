"""Reader words for the codes in ``data/`` and in the analysis tables: one place, so no
code name reaches a page."""
from __future__ import annotations

__all__ = ["DERIVATIONS", "FACTORS", "LEVELS", "label"]

DERIVATIONS = {
    "reported": "HR and CI as reported",
    "from_hr_and_p": "SE from the HR and its exact p-value (Altman & Bland 2011)",
    "from_p_and_events": "from p-value and events (Tierney 2007)",
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
