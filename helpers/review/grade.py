"""Certainty of evidence (GRADE) for the summary-of-findings table.

The triggers that can be computed are computed here from the pooled model; the
reviewers' judgements are kept in ``data/grade.csv`` and compared with them, so that a
judgement cannot silently go stale when the data change.  Rules (stated, not tuned):

* risk of bias: serious when at least half of the weight comes from comparisons at high
  risk, or at least three quarters from comparisons at high risk or with some concerns;
* inconsistency: serious when I² ≥ 50% or the Q test gives p < 0.10;
* indirectness: serious when at least half of the weight comes from endpoints other than
  the outcome proper (e.g. ADT-free survival pooled as PFS);
* imprecision: serious when the 95% CI crosses 1 or fewer than 400 participants are pooled
  (a rule of thumb for the optimal information size); very serious when both;
* publication bias (missing evidence): from the ROB-ME judgement (``data/rob_me.csv``): low →
  not serious; high → serious; some concerns → serious only if imputing the missing results
  changes the significance or direction of the pooled HR under the primary model; and, from 10
  comparisons, serious when Egger's p < 0.10.
"""
from __future__ import annotations

import math

import pandas as pd

__all__ = ["HETEROGENEITY_P", "EGGER_P", "grade_triggers", "certainty", "grade_wording_for", "DOMAINS", "OIS_PARTICIPANTS"]

DOMAINS = ("risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias")
OIS_PARTICIPANTS = 400
LEVELS = ("very low", "low", "moderate", "high")



HETEROGENEITY_P = 0.10   # GRADE: the Q test flags inconsistency at p < 0.10 (low power with few trials)
EGGER_P = 0.10           # GRADE: Egger's test flags small-study effects at p < 0.10

def grade_triggers(res, pooled: pd.DataFrame, outcome: str, egger_p: float | None, participants: int,
                   rob: pd.Series | None = None,
                   missing: tuple[int, str] | None = None) -> dict[str, tuple[int, str]]:
    """Computed downgrades per domain: {domain: (levels down, reason)} for a ratio outcome.

    ``pooled`` needs ``rob_overall`` (per comparison) and ``endpoint_class``, aligned
    with ``res.weights``; for adverse events pass ``pooled=None`` and ``rob`` aside."""
    out: dict[str, tuple[int, str]] = {}
    w = pd.Series(res.weights)
    if pooled is not None and "rob_overall" in pooled:
        rob_vals = pooled["rob_overall"].fillna("not assessed").reset_index(drop=True)
        high = float(w[rob_vals == "high"].sum())
        concern = float(w[rob_vals.isin(["high", "some concerns", "not assessed"])].sum())
        serious = high >= 50 or concern >= 75
        out["risk of bias"] = (int(serious), f"{high:.0f}% of weight at high risk, {concern:.0f}% at high risk or "
                                             f"with some concerns")
    else:
        out["risk of bias"] = (1, "trial-level risk of bias not assessed for this outcome")
    out["inconsistency"] = (int(res.k > 1 and (res.I2 >= 50 or res.QEp < HETEROGENEITY_P)),
                            f"I² = {res.I2:.0f}%, Q-test p = {res.QEp:.2f}" if res.k > 1 else "one trial")
    if pooled is not None and "endpoint_class" in pooled:
        proper = pooled["endpoint_class"].reset_index(drop=True).str.fullmatch(outcome, case=False)
        surrogate = float(w[~proper].sum())
        out["indirectness"] = (int(surrogate >= 50), f"{surrogate:.0f}% of weight from other endpoints")
    else:
        out["indirectness"] = (0, "outcome as defined")
    lb, ub = math.exp(res.ci_lb), math.exp(res.ci_ub)
    crosses = lb < 1 < ub
    small = participants < OIS_PARTICIPANTS
    out["imprecision"] = (int(crosses) + int(small),
                          f"95% CI {lb:.2f}–{ub:.2f}{' crosses 1' if crosses else ''}; {participants} participants"
                          f"{' (below ' + str(OIS_PARTICIPANTS) + ')' if small else ''}")
    if egger_p is None:
        small = (0, f"Egger's test not assessable with {res.k} comparison{'' if res.k == 1 else 's'} (fewer than 10)")
    else:
        small = (int(egger_p < EGGER_P), f"Egger's test p = {egger_p:.2f}")
    if missing is None:
        out["publication bias"] = small
    else:
        out["publication bias"] = (max(small[0], missing[0]), f"{missing[1]}; {small[1]}")
    return out


def certainty(downgrades: dict[str, tuple[int, str]] | dict[str, int]) -> str:
    """GRADE certainty from randomised evidence (start high) after the downgrades."""
    total = sum(v[0] if isinstance(v, tuple) else v for v in downgrades.values())
    return LEVELS[max(0, 3 - total)]


_VERBS = {  # effect → (certain form, hedged form)
    "improve": ("improves", "improve"), "worsen": ("worsens", "worsen"), "reduce": ("reduces", "reduce"),
    "increase": ("increases", "increase"), "none": ("makes little or no difference to", "make little or no difference to"),
}


def grade_wording_for(level: str, hr: float, lb: float, ub: float, outcome_phrase: str,
                      increase_is_harm: bool = False) -> str:
    """GRADE plain-language statement (Santesso et al. 2020, J Clin Epidemiol 119:126) for a
    certainty level and a ratio with its 95% CI: "MDT probably improves …"."""
    if level == "very low":
        return f"The evidence is very uncertain about the effect of MDT on {outcome_phrase}"
    if ub < 1:
        effect = "reduce" if increase_is_harm else "improve"
    elif lb > 1:
        effect = "increase" if increase_is_harm else "worsen"
    else:
        effect = "none"
    certain, hedged = _VERBS[effect]
    verb = {"high": certain, "moderate": f"probably {certain}", "low": f"may {hedged}"}[level]
    return f"MDT added to standard of care {verb} {outcome_phrase}"
