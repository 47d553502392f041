"""The two tests for subgroup differences (knows nothing of this review).

* ``q_between``: subgroups pooled each with its own τ² (R ``meta``'s default, RevMan);
  Q_between = Σ w_g (b_g − b̄)², w_g = 1/se_g², χ² with G − 1 df.
* ``q_moderator``: one model with the subgroup as a categorical moderator and a common τ²
  (metafor ``rma(yi, vi, mods = ~ factor(group))``); the omnibus test QM (χ², or F under the
  Knapp–Hartung tests).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import stats

from helpers.meta.rma import rma

__all__ = ["q_between", "q_moderator"]


def q_between(estimates, ses) -> tuple[float, int, float]:
    """Q_between of subgroup estimates (a fixed-effect Q across subgroups): (Q, df, p)."""
    b, se = np.asarray(estimates, float), np.asarray(ses, float)
    w = 1 / se**2
    bbar = np.sum(w * b) / np.sum(w)
    q = float(np.sum(w * (b - bbar) ** 2))
    df = b.size - 1
    return q, df, float(stats.chi2.sf(q, df)) if df > 0 else math.nan


def q_moderator(yi, vi, groups: Sequence, levels: Sequence, *, method: str = "REML", test: str = "z",
                level: float = 95) -> tuple[float, tuple, float]:
    """The omnibus moderator test of ``groups`` (first of ``levels`` as reference): (QM, QMdf, QMp),
    as metafor's ``rma(yi, vi, mods = ~ factor(groups, levels))``. NaN where there are fewer than
    two levels or no residual degrees of freedom.

    As in R, a group outside ``levels`` is a missing moderator, so its study is left out
    (metafor's ``na.action = "na.omit"``), and a level without studies adds no coefficient
    (metafor drops the redundant predictor)."""
    groups = list(groups)
    keep = [i for i, g in enumerate(groups) if g in levels]
    groups = [groups[i] for i in keep]
    levels = [lv for lv in levels if lv in groups]
    if len(levels) < 2 or len(groups) <= len(levels):
        return math.nan, (math.nan, math.nan), math.nan
    X = np.array([[1.0 if g == lv else 0.0 for lv in levels[1:]] for g in groups])
    res = rma(np.asarray(yi, float)[keep], np.asarray(vi, float)[keep], mods=X, method=method,
              test=test, level=level)
    return res.QM, res.QMdf, res.QMp
