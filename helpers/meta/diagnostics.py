"""Leave-one-out, influence diagnostics and cumulative meta-analysis (metafor's
``leave1out()``, ``influence()`` and ``cumul()`` for ``rma.uni`` models)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from helpers.meta.rma import NotEstimable, RMAResult, refit

__all__ = ["leave1out", "influence", "cumul"]

_COLUMNS = ["estimate", "se", "zval", "pval", "ci_lb", "ci_ub", "Q", "Qp", "tau2", "I2", "H2"]


def _row(fit: RMAResult) -> list[float]:
    return [fit.beta, fit.se, fit.zval, fit.pval, fit.ci_lb, fit.ci_ub, fit.QE, fit.QEp, fit.tau2, fit.I2, fit.H2]


def _labels(res: RMAResult) -> list[str]:
    return list(res.slab) if res.slab is not None else [str(i + 1) for i in range(res.k)]


def leave1out(res: RMAResult) -> pd.DataFrame:
    """The model refitted k times, each time without one study (metafor's ``leave1out()``).

    One row per omitted study (index: its label), columns
    ``estimate, se, zval, pval, ci_lb, ci_ub, Q, Qp, tau2, I2, H2``.
    """
    if res.p != 1:
        raise ValueError("leave1out() is implemented for intercept-only models")
    idx = np.arange(res.k)
    rows = [_row(refit(res, idx != i)) for i in range(res.k)]
    return pd.DataFrame(rows, columns=_COLUMNS, index=_labels(res))


def influence(res: RMAResult) -> pd.DataFrame:
    """Case-deletion diagnostics of Viechtbauer & Cheung (2010), as metafor's ``influence()``.

    Columns: ``rstudent`` (externally standardised residual), ``dffits``,
    ``cook_d``, ``cov_r``, ``tau2_del``, ``QE_del``, ``hat``, ``weight`` (percent)
    and ``inf`` ("*" where metafor flags the study as influential).

    Raises ``NotEstimable`` when the pooled estimate has zero variance (identical
    ``yi`` under the Knapp–Hartung test, whose variance factor is then 0): the
    diagnostics divide by it, and metafor stops there with a Cholesky error.
    """
    if res.p != 1:
        raise ValueError("influence() is implemented for intercept-only models")
    if res.k < 2:
        raise NotEstimable("influence() needs k >= 2")
    k, y, v = res.k, res.yi, res.vi
    w = 1.0 / (v + res.tau2)
    hat = w / w.sum()
    vb_full = float(res.se) ** 2
    if not vb_full > 0:
        raise NotEstimable("influence(): the pooled estimate has zero variance (identical effect sizes under the "
                           f"'{res.test}' test, variance factor s2w = {res.s2w:g}), so Cook's distance, DFFITS and "
                           "the covariance ratio are not defined")
    idx = np.arange(k)
    out = {c: np.full(k, np.nan) for c in ["rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "QE_del", "dfbs"]}
    for i in range(k):
        d = refit(res, idx != i)
        with np.errstate(divide="ignore", invalid="ignore"):   # a deletion fit with s2w = 0 gives ±Inf/NaN
            _deletion(out, i, res, d, y, v, hat, vb_full)
    infl = (np.abs(out["dffits"]) > 3 * np.sqrt(1 / (k - 1))) | (stats.chi2.cdf(out["cook_d"], 1) > 0.5) \
        | (hat > 3 / k) | (np.abs(out["dfbs"]) > 1)
    return pd.DataFrame({
        "rstudent": out["rstudent"], "dffits": out["dffits"], "cook_d": out["cook_d"], "cov_r": out["cov_r"],
        "tau2_del": out["tau2_del"], "QE_del": out["QE_del"], "hat": hat, "weight": 100 * hat,
        "dfbs": out["dfbs"], "inf": np.where(infl, "*", ""),
    }, index=_labels(res))


def _deletion(out: dict, i: int, res: RMAResult, d: RMAResult, y, v, hat, vb_full: float) -> None:
    """Row i of influence(): study i against the fit ``d`` without it (metafor's formulas)."""
    dfb = float(res.beta) - float(d.beta)
    resid = y[i] - float(d.beta)
    if abs(resid) < 100 * np.finfo(float).eps:
        resid = 0.0
    out["rstudent"][i] = resid / np.sqrt(v[i] * d.s2w + float(d.se) ** 2 + d.tau2 * d.s2w)
    out["dffits"][i] = dfb / np.sqrt(d.s2w * hat[i] * (d.tau2 + v[i]))
    out["cook_d"][i] = dfb**2 / vb_full
    out["cov_r"][i] = float(d.se) ** 2 / vb_full
    out["tau2_del"][i], out["QE_del"][i] = d.tau2, d.QE
    vb_del = 1.0 / np.sum(1.0 / (v + d.tau2))
    out["dfbs"][i] = dfb / np.sqrt(d.s2w * vb_del)


def cumul(res: RMAResult, order=None) -> pd.DataFrame:
    """Cumulative meta-analysis (metafor's ``cumul()``): the model refitted on the
    first 1, 2, …, k studies in ``order`` (indices; default: as given).

    Row i is the model after adding study ``order[i]`` (index: its label).
    metafor 3.8's ``order`` is instead a sort key (studies enter by increasing
    value): ``cumul(res, order=o)`` here equals metafor's ``cumul(res, order=order(o + 1))``.
    """
    if res.p != 1:
        raise ValueError("cumul() is implemented for intercept-only models")
    order = np.arange(res.k) if order is None else np.asarray(order)
    if sorted(order.tolist()) != list(range(res.k)):
        raise ValueError("order must be a permutation of the study indices")
    labels = _labels(res)
    rows = [_row(refit(res, order[: i + 1])) for i in range(res.k)]
    return pd.DataFrame(rows, columns=_COLUMNS, index=[labels[j] for j in order])
