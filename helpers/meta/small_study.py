"""Small-study effects: Egger's regression test and trim-and-fill, as metafor's
``regtest(model="lm")`` and ``trimfill()`` (Duval & Tweedie 2000, estimator L0)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from helpers.meta.rma import RMAResult, rma

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
    """``k0`` studies imputed on ``side``; ``fit`` is the model refitted with them
    (an adjusted estimate for sensitivity only, never a corrected effect);
    ``filled_yi``, ``filled_vi`` are the imputed studies."""

    k0: int
    se_k0: float
    side: str
    fit: RMAResult
    filled_yi: np.ndarray
    filled_vi: np.ndarray


def trimfill(res: RMAResult, side: str | None = None) -> TrimfillResult:
    """Trim-and-fill with the L0 estimator, step for step as metafor's ``trimfill()``.

    The side is chosen, when not given, from the sign of the slope of sqrt(vi) in
    a meta-regression with the model's estimator; the refitted model uses the
    model's estimator and a z test, as metafor does.
    """
    if res.p != 1:
        raise ValueError("trimfill() is implemented for intercept-only models")
    y0, v0 = res.yi, res.vi
    if side is None:
        slope = np.atleast_1d(rma(y0, v0, mods=np.sqrt(v0), method=res.method).beta)[1]
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
        ranks = stats.rankdata(np.abs(yc), method="ordinal")
        signed = np.sign(yc) * ranks
        sr = float(np.sum(signed[signed > 0]))
        k0f = (4 * sr - k * (k + 1)) / (2 * k - 1)
        var_sr = (k * (k + 1) * (2 * k + 1) + 10 * k0f**3 + 27 * k0f**2 + 17 * k0f
                  - 18 * k * k0f**2 - 18 * k * k0f + 6 * k**2 * k0f) / 24
        se_k0 = max(0.0, 4 * np.sqrt(var_sr) / (2 * k - 1))
        k0 = int(max(0, np.round(k0f)))
    if k0 == 0:
        return TrimfillResult(0, float(se_k0), side, res, np.empty(0), np.empty(0))
    yc = -(yc - beta) if side == "right" else yc - beta
    fill_y = -yc[k - k0:]
    fill_v = v[k - k0:]
    fit = rma(np.concatenate([y0, fill_y]), np.concatenate([v0, fill_v]), method=res.method, level=res.level)
    return TrimfillResult(k0, float(se_k0), side, fit, fill_y, fill_v)
