"""Small-study effects: Egger's regression test and trim-and-fill, as metafor's
``regtest(model="lm")`` and ``trimfill()`` (Duval & Tweedie 2000, estimators L0 and R0)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers.meta.rma import NotEstimable, RMAResult, rma

__all__ = ["regtest", "trimfill", "RegtestResult", "TrimfillResult"]


@dataclass(frozen=True)
class RegtestResult:
    """``zval`` is the t statistic of the standard-error slope, ``dfs`` = k − 2;
    ``est`` (with ``ci_lb``, ``ci_ub``) is the intercept: the limit estimate as SE → 0."""

    zval: float
    pval: float
    dfs: int
    est: float
    ci_lb: float
    ci_ub: float


def regtest(res: RMAResult, model: str = "lm") -> RegtestResult:
    """Classic Egger test (Egger et al. 1997): weighted regression of yi on sei with
    weights 1/vi and a multiplicative dispersion, as metafor's ``regtest(model="lm")``."""
    if model != "lm":
        raise ValueError("only model='lm' (the classic Egger test) is implemented")
    if res.k < 3:
        raise ValueError("Egger's test needs at least 3 studies")
    y, v = res.yi, res.vi
    if np.ptp(v) == 0:
        raise NotEstimable("Egger's test is not estimable: every study has the same standard error "
                           "(the predictor sei is constant; metafor drops it as redundant)")
    X = np.column_stack([np.ones(res.k), np.sqrt(v)])
    w = 1.0 / v
    xtwx_inv = np.linalg.inv(X.T @ (X * w[:, None]))
    b = xtwx_inv @ (X.T @ (w * y))
    dfs = res.k - 2
    sigma2 = float(np.sum(w * (y - X @ b) ** 2)) / dfs
    se = np.sqrt(np.diag(xtwx_inv) * sigma2)
    t = b[1] / se[1]
    crit = stats.t.isf((1 - res.level / 100) / 2, dfs)
    return RegtestResult(zval=float(t), pval=float(2 * stats.t.sf(abs(t), dfs)), dfs=dfs,
                         est=float(b[0]), ci_lb=float(b[0] - crit * se[0]), ci_ub=float(b[0] + crit * se[0]))


@dataclass(frozen=True)
class TrimfillResult:
    """``k0`` studies imputed on ``side`` by ``estimator`` ("L0" or "R0"), with
    metafor's ``se_k0`` (NaN where the L0 variance term is negative, as metafor's
    ``sqrt`` gives NaN) and, for R0, ``p_k0``, the probability of a k0 this large
    under no asymmetry (NaN for L0); ``fit`` is the model refitted with the imputed
    studies (an adjusted estimate for sensitivity only, never a corrected effect),
    ``filled_yi``, ``filled_vi`` the imputed studies (scale of ``yi``)."""

    k0: int
    se_k0: float
    side: str
    fit: RMAResult
    filled_yi: np.ndarray
    filled_vi: np.ndarray
    estimator: str = "L0"
    p_k0: float = np.nan


_TIE_TOL = 1e-10   # |yi − beta| (relative to max(1, max |yi|)) below this counts as 0


def _k0_step(yc: np.ndarray, k: int, estimator: str) -> tuple[float, float]:
    """One k0 estimate and its SE from centred values (metafor's trimfill loop body)."""
    ranks = stats.rankdata(np.abs(yc), method="ordinal")   # R's rank(ties.method = "first")
    signed = np.sign(yc) * ranks
    if estimator == "R0":
        neg = -signed[signed < 0]
        # metafor: k − (largest rank of a negative value) − 1.  With no negative value metafor
        # fails (max of nothing); here the rightmost run is then every positive value.
        top = float(neg.max()) if neg.size else float(np.sum(signed == 0))
        k0f = k - top - 1
        return k0f, float(np.sqrt(2 * max(0.0, k0f) + 2))
    sr = float(np.sum(signed[signed > 0]))
    k0f = (4 * sr - k * (k + 1)) / (2 * k - 1)
    var_sr = (k * (k + 1) * (2 * k + 1) + 10 * k0f**3 + 27 * k0f**2 + 17 * k0f
              - 18 * k * k0f**2 - 18 * k * k0f + 6 * k**2 * k0f) / 24
    # R: sqrt(negative) is NaN and max(0, NaN) is NaN
    se = 4 * np.sqrt(var_sr) / (2 * k - 1) if var_sr >= 0 else np.nan
    return k0f, float(se) if np.isnan(se) else max(0.0, float(se))


def trimfill(res: RMAResult, side: str | None = None, estimator: str = "L0") -> TrimfillResult:
    """Trim-and-fill with the L0 or R0 estimator, step for step as metafor's ``trimfill()``.

    The side is chosen, when not given, from the sign of the slope of sqrt(vi) in
    a meta-regression with the model's estimator.  The refitted model uses the
    model's estimator, the z test and a **95% level whatever ``res.level`` is**:
    metafor's ``trimfill()`` refits with ``rma.uni``'s defaults (it passes neither
    ``test`` nor ``level``), and this follows it.  With k0 = 0 ``fit`` is ``res``
    itself (its own test and level), as in metafor.

    Departures, where metafor has no answer: |yi − beta| below 1e-10·max(1, max |yi|)
    counts as 0 (no sign, no effect on the rank sums), so identical ``yi`` give
    k0 = 0 instead of a result that depends on rounding noise (metafor stops with
    "did not converge"); for R0 without a negative centred value the rightmost run
    is all positive values.
    """
    if res.p != 1:
        raise ValueError("trimfill() is implemented for intercept-only models")
    if estimator not in ("L0", "R0"):
        raise ValueError(f"estimator must be 'L0' or 'R0', not {estimator!r}")
    if res.k < 2:
        raise ValueError("trimfill() needs k >= 2 (metafor: 'Stopped because k = 1.')")
    y0, v0 = res.yi, res.vi
    tol = _TIE_TOL * max(1.0, float(np.max(np.abs(y0))))
    if side is None:
        if np.ptp(v0) == 0:
            raise NotEstimable("trimfill(): the side cannot be chosen when every study has the same variance "
                               "(the slope on sqrt(vi) is not estimable; metafor stops too): give side=")
        slope = np.atleast_1d(rma(y0, v0, mods=np.sqrt(v0), method=res.method).beta)[1]
        if np.ptp(y0) <= tol:   # identical yi: the slope is rounding noise
            slope = 0.0
        side = "right" if slope < 0 else "left"
    if side not in ("left", "right"):
        raise ValueError("side must be 'left' or 'right'")
    y = -y0 if side == "right" else y0.copy()
    ix = np.argsort(y, kind="stable")
    y, v = y[ix], v0[ix]
    k = y.size
    k0, k0_prev, it = 0, -1, 0
    while k0 != k0_prev:
        k0_prev = k0
        it += 1
        if it > 100:
            raise RuntimeError("Trim and fill algorithm did not converge.")
        beta = float(rma(y[: k - k0], v[: k - k0], method=res.method).beta)
        yc = y - beta
        k0f, se_k0 = _k0_step(np.where(np.abs(yc) <= tol, 0.0, yc), k, estimator)
        k0 = int(max(0, np.round(k0f)))
        if k0 >= k:
            raise RuntimeError(f"trim-and-fill ({estimator}) estimates k0 = {k0} of k = {k} studies missing")
    p_k0 = np.nan
    if estimator == "R0":   # metafor: 1 − Σ_{m=−1}^{k0−1} choose(m+1, m+1)·0.5^(m+2)
        m = np.arange(-1, k0)
        p_k0 = float(1 - np.sum(0.5 ** (m + 2)))
    if k0 == 0:
        return TrimfillResult(0, float(se_k0), side, res, np.empty(0), np.empty(0), estimator, p_k0)
    yc = -(yc - beta) if side == "right" else yc - beta
    fill_y = -yc[k - k0:]
    fill_v = v[k - k0:]
    fit = rma(np.concatenate([y0, fill_y]), np.concatenate([v0, fill_v]), method=res.method, level=95)
    return TrimfillResult(k0, float(se_k0), side, fit, fill_y, fill_v, estimator, p_k0)
