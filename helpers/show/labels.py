"""Reader words for the codes in ``data/`` and in the analysis tables: one place, so no
code name reaches a page."""
from __future__ import annotations

__all__ = ["DERIVATIONS"]

DERIVATIONS = {
    "reported": "HR and CI as reported",
    "from_hr_and_p": "SE from the HR and its exact p-value (Altman & Bland 2011)",
    "from_p_and_events": "from p-value and events (Tierney 2007)",
    "ratio_of_medians": "ratio of medians (exponential assumption; weaker)",
    "not_available": "no estimate obtainable",
}
