"""Mantel–Haenszel and Peto pooling of 2×2 tables, as metafor's ``rma.mh()`` and
``rma.peto()``: no continuity correction in the pooled estimate; the Q test uses
the per-study estimates with metafor's default correction (add 1/2 to tables
with a zero cell, drop tables without events in either arm)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers.meta.effects import escalc_or
from helpers.meta.rma import NotEstimable

__all__ = ["rma_mh", "rma_peto", "MHResult"]


@dataclass(frozen=True)
class MHResult:
    """Pooled log OR (or RD) with metafor's names; ``k`` tables entered,
    ``k_yi`` of them estimable on their own (these enter the Q test)."""

    measure: str
    beta: float
    se: float
    zval: float
    pval: float
    ci_lb: float
    ci_ub: float
    QE: float
    QEp: float
    I2: float
    k: int
    k_yi: int


def _arrays(ai, n1i, ci, n2i):
    a, n1, c, n2 = (np.asarray(x, dtype=float).ravel() for x in (ai, n1i, ci, n2i))
    if not (a.size == n1.size == c.size == n2.size):
        raise ValueError("ai, n1i, ci and n2i must have the same length")
    if a.size == 0:
        raise NotEstimable("no tables to pool (k = 0)")
    if np.any((a < 0) | (c < 0) | (a > n1) | (c > n2) | (n1 <= 0) | (n2 <= 0)):
        raise ValueError("event counts must lie between 0 and positive group sizes")
    return a, n1, c, n2


def _finish(measure, beta, se, yi, vi, level, k) -> MHResult:
    crit = stats.norm.isf((1 - level / 100) / 2)
    ok = np.isfinite(yi) & np.isfinite(vi)
    k_yi = int(ok.sum())
    if k_yi > 1:
        QE = max(0.0, float(np.sum((yi[ok] - beta) ** 2 / vi[ok])))
        QEp = float(stats.chi2.sf(QE, k_yi - 1))
        I2 = max(0.0, 100 * (QE - (k_yi - 1)) / QE) if QE > 0 else 0.0
    else:
        QE, QEp, I2 = 0.0, 1.0, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):   # se = 0: z = ±Inf or NaN, as R
        z = beta / se
    return MHResult(measure, float(beta), float(se), float(z), float(2 * stats.norm.sf(abs(z))),
                    float(beta - crit * se), float(beta + crit * se), QE, QEp, I2, k, k_yi)


def _escalc_rd(a, n1, c, n2, add=0.5):
    """Risk differences with metafor's ``escalc(measure="RD")`` defaults in ``rma.mh``."""
    b, d = n1 - a, n2 - c
    has0 = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    both0 = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    k = np.where(has0, add, 0.0)
    a2, b2, c2, d2 = a + k, b + k, c + k, d + k
    p1, p2 = a2 / (a2 + b2), c2 / (c2 + d2)
    yi = p1 - p2
    vi = p1 * (1 - p1) / (a2 + b2) + p2 * (1 - p2) / (c2 + d2)
    return np.where(both0, np.nan, yi), np.where(both0, np.nan, vi)


def rma_mh(ai, n1i, ci, n2i, measure: str = "OR", level: float = 95) -> MHResult:
    """Mantel–Haenszel pooled log odds ratio (variance of Robins, Breslow & Greenland
    1986) or risk difference (variance of Greenland & Robins 1985 / Sato 1989), as
    metafor's ``rma.mh()``. ``ai``/``ci`` are events in the MDT/control arm."""
    a, n1, c, n2 = _arrays(ai, n1i, ci, n2i)
    b, d = n1 - a, n2 - c
    N = n1 + n2
    if measure == "OR":
        P, Q = (a + d) / N, (b + c) / N
        R, S = a * d / N, b * c / N
        if R.sum() == 0 or S.sum() == 0:
            raise NotEstimable("Mantel–Haenszel OR is not estimable (no discordant information)")
        Rs, Ss = R.sum(), S.sum()
        beta = np.log(Rs / Ss)
        se = np.sqrt(0.5 * (np.sum(P * R) / Rs**2 + np.sum(P * S + Q * R) / (Rs * Ss) + np.sum(Q * S) / Ss**2))
        yi, vi = escalc_or(a, n1, c, n2)
    elif measure == "RD":
        den = np.sum(n1 * n2 / N)
        beta = np.sum(a * (n2 / N) - c * (n1 / N)) / den
        se = np.sqrt((beta * np.sum(c * (n1 / N) ** 2 - a * (n2 / N) ** 2 + (n1 / N) * (n2 / N) * (n2 - n1) / 2)
                      + np.sum(a * (n2 - c) / N + c * (n1 - a) / N) / 2) / den**2)
        yi, vi = _escalc_rd(a, n1, c, n2)
    else:
        raise ValueError("measure must be 'OR' or 'RD'")
    return _finish(measure, beta, se, yi, vi, level, a.size)


def rma_peto(ai, n1i, ci, n2i, level: float = 95) -> MHResult:
    """Peto's one-step log odds ratio (Yusuf et al. 1985), as metafor's ``rma.peto()``:
    sum(O − E) / sum(V) with hypergeometric V; tables with V = 0 carry no weight."""
    a, n1, c, n2 = _arrays(ai, n1i, ci, n2i)
    N = n1 + n2
    xt, yt = a + c, (n1 - a) + (n2 - c)
    E = xt * n1 / N
    with np.errstate(invalid="ignore", divide="ignore"):
        V = xt * yt * (n1 / N) * (n2 / N) / (N - 1)
    if V.sum() == 0:
        raise NotEstimable("Peto OR is not estimable (no events, or only events, in every table)")
    beta = np.sum(a - E) / V.sum()
    se = np.sqrt(1 / V.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        yi = np.where(V > 0, (a - E) / V, np.nan)
        vi = np.where(V > 0, 1 / V, np.nan)
    return _finish("PETO", beta, se, yi, vi, level, a.size)
