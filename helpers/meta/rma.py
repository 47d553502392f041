"""Random- and fixed-effects meta-analysis, following R metafor's ``rma.uni()``.

Everything here reproduces metafor 3.8 (Viechtbauer 2010, *J Stat Softw* 36:3) to
numerical precision: the tau² estimators, the z / Knapp–Hartung / ad-hoc tests,
the I² and H² statistics, ``predict()`` and the Q-profile ``confint()``.  Effect
sizes are on the scale they are given (log hazard ratios in this book); sampling
variances are their squared standard errors.

The model may have moderators (``mods``, a k × p design matrix without the
intercept column, which is added); all matrix algebra is written with p × p
matrices only, so memory grows as O(k).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = ["rma", "RMAResult", "NotEstimable", "ConvergenceError", "MetaforDeparture", "METHODS", "TESTS"]

METHODS = ("EE", "FE", "DL", "HE", "SJ", "PM", "ML", "REML", "EB")
TESTS = ("z", "knha", "adhoc")
_THRESHOLD = 1e-10   # convergence of iterative estimators: change in tau² per step
_MAXITER = 1000
_TAU2_MAX = 100.0    # metafor's default upper end of root searches
_BOUNDARY = 1e-8     # Fisher scoring ending below this tau² is checked against the boundary tau² = 0


class NotEstimable(ValueError):
    """Raised when no estimate exists (k = 0); chapters show 'not estimable'."""


class ConvergenceError(RuntimeError):
    """Raised when an iterative tau² estimator does not converge."""


class MetaforDeparture(UserWarning):
    """Warned when a fit had to go where metafor 3.8 (default control) would not: a damped
    Fisher-scoring retry, or a Paule–Mandel root above metafor's ``tau2.max``.  The same
    facts are on the result as ``RMAResult.fisher_scoring_damped`` and
    ``RMAResult.pm_beyond_tau2_max``."""


def _metafor_tau2_max(y: np.ndarray) -> float:
    """metafor's default ``control$tau2.max`` in ``rma.uni``: max(100, 10·mad(yi)²),
    with R's ``mad`` (constant 1.4826); on the squared effect scale."""
    mad = 1.4826 * float(np.median(np.abs(y - np.median(y))))
    return max(_TAU2_MAX, 10 * mad**2)


# --------------------------------------------------------------------------- algebra
def _design(k: int, mods) -> np.ndarray:
    """Intercept plus moderators, as metafor builds ``X`` for ``mods=``."""
    if mods is None:
        return np.ones((k, 1))
    m = np.asarray(mods, dtype=float)
    if m.ndim == 1:
        m = m[:, None]
    if m.shape[0] != k:
        raise ValueError(f"mods has {m.shape[0]} rows for {k} studies")
    return np.column_stack([np.ones(k), m])


def _wls(y: np.ndarray, X: np.ndarray, w: np.ndarray):
    """Weighted least squares: beta, (X'WX)⁻¹ and residuals."""
    xtwx = X.T @ (X * w[:, None])
    inv = np.linalg.inv(xtwx)
    beta = inv @ (X.T @ (w * y))
    return beta, inv, y - X @ beta


def _quad_forms(y, X, w):
    """Y'PY, Y'PPY, tr(P) and tr(PP) for P = W − WX(X'WX)⁻¹X'W, in O(k p²)."""
    _, inv, r = _wls(y, X, w)
    b2 = X.T @ (X * (w**2)[:, None])
    b3 = X.T @ (X * (w**3)[:, None])
    ypy = float(np.sum(w * r**2))
    yppy = float(np.sum(w**2 * r**2))
    tr_p = float(np.sum(w) - np.trace(inv @ b2))
    a = inv @ b2
    tr_pp = float(np.sum(w**2) - 2 * np.trace(inv @ b3) + np.trace(a @ a))
    return ypy, yppy, tr_p, tr_pp


def _q_gen(tau2: float, y, v, X) -> float:
    """Generalised Q statistic Y'P(tau²)Y (metafor's ``.QE.func``)."""
    _, _, r = _wls(y, X, 1.0 / (v + tau2))
    return float(np.sum(r**2 / (v + tau2)))


def _root(f, lo: float, hi: float) -> float:
    """Root of a decreasing function on [lo, hi], to machine precision."""
    return float(optimize.brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=_MAXITER))


# --------------------------------------------------------------------------- tau²
def _tau2_he(y, v, X) -> float:
    k, p = X.shape
    inv = np.linalg.inv(X.T @ X)
    r = y - X @ (inv @ (X.T @ y))
    tr_pv = float(np.sum(v) - np.trace(inv @ (X.T @ (X * v[:, None]))))
    return (float(r @ r) - tr_pv) / (k - p)


def _estimate_tau2(y, v, X, method: str) -> tuple[float, dict]:
    """tau² by the named estimator, as ``rma.uni`` computes it (metafor 3.8), and a dict of
    the departures from metafor's default control that were needed (``stepadj``: the
    Fisher-scoring step factor used; ``pm_beyond``: the Paule–Mandel root lies above
    metafor's ``tau2.max``, where metafor stops with "Value of 'tau2.max' too low")."""
    k, p = X.shape
    info = {"stepadj": 1.0, "pm_beyond": False}
    if method == "EE":
        return 0.0, info
    if method == "HE":
        return max(0.0, _tau2_he(y, v, X)), info
    if method == "DL":
        ypy, _, tr_p, _ = _quad_forms(y, X, 1.0 / v)
        return max(0.0, (ypy - (k - p)) / tr_p), info
    if method == "SJ":
        tau2_0 = float(np.var(y))          # var(yi) * (k-1)/k
        ypy, _, _, _ = _quad_forms(y, X, 1.0 / (v + tau2_0))
        return max(0.0, tau2_0 * ypy / (k - p)), info
    if method == "PM":
        # metafor: root of the generalised Q(tau²) = k − p on [0, tau2.max]; it stops where
        # Q(tau2.max) > k − p.  Here the search goes on (×10 steps), flagged as a departure.
        target = k - p
        if _q_gen(0.0, y, v, X) < target:
            return 0.0, info
        hi = _metafor_tau2_max(y)
        while _q_gen(hi, y, v, X) > target:
            info["pm_beyond"] = True
            hi *= 10
            if hi > 1e12:
                raise ConvergenceError("Paule–Mandel: no root for tau² below 1e12")
        return _root(lambda t: _q_gen(t, y, v, X) - target, 0.0, hi), info
    # Fisher scoring for ML, REML and EB, started from HE and step-halved at 0.  Where it
    # oscillates, retry with a damped step (metafor's documented remedy, control=list(stepadj=)).
    for stepadj in (1.0, 0.5, 0.25):
        try:
            tau2 = _fisher_scoring(y, v, X, method, stepadj)
            info["stepadj"] = stepadj
            break
        except ConvergenceError:
            continue
    else:
        raise ConvergenceError(f"{method}: Fisher scoring did not converge in {_MAXITER} iterations, "
                               "even with damped steps (stepadj 0.5 and 0.25)")
    if 0.0 < tau2 < _BOUNDARY and _fisher_step(y, v, X, method, 0.0) <= 0.0:
        # The iteration creeps geometrically towards the boundary (metafor, with threshold 1e-12,
        # stops near 2e-13): the score at tau² = 0 points outward, so the maximum is tau² = 0.
        tau2 = 0.0
    if method in ("ML", "REML") and tau2 > _THRESHOLD:
        if _loglik(y, v, X, 0.0, method) - _loglik(y, v, X, tau2, method) > np.finfo(float).eps ** 0.25:
            tau2 = 0.0   # metafor's ll0check: a local maximum above the boundary
    return max(0.0, tau2), info


def _fisher_step(y, v, X, method: str, tau2: float) -> float:
    """One undamped Fisher-scoring step (metafor's ``adj``) at tau² for ML, REML or EB."""
    k, p = X.shape
    w = 1.0 / (v + tau2)
    ypy, yppy, tr_p, tr_pp = _quad_forms(y, X, w)
    if method == "ML":
        adj = (yppy - np.sum(w)) / np.sum(w**2)
    elif method == "REML":
        adj = (yppy - tr_p) / tr_pp
    else:  # EB
        adj = (ypy * k / (k - p) - k) / np.sum(w)
    return float(adj) if np.isfinite(adj) else 0.0


def _fisher_scoring(y, v, X, method: str, stepadj: float) -> float:
    """metafor's Fisher scoring loop for ML, REML and EB (rma.uni, metafor 3.8)."""
    tau2 = max(0.0, _tau2_he(y, v, X))
    for _ in range(_MAXITER):
        adj = _fisher_step(y, v, X, method, tau2) * stepadj
        while tau2 + adj < 0:
            adj /= 2
        old, tau2 = tau2, tau2 + adj
        if abs(tau2 - old) <= _THRESHOLD:
            return tau2
    raise ConvergenceError(f"{method}: Fisher scoring did not converge in {_MAXITER} iterations")


def _loglik(y, v, X, tau2, method) -> float:
    k, p = X.shape
    w = 1.0 / (v + tau2)
    _, _, r = _wls(y, X, w)
    rss = float(np.sum(w * r**2))
    if method == "ML":
        return -0.5 * k * np.log(2 * np.pi) - 0.5 * np.sum(np.log(v + tau2)) - 0.5 * rss
    logdet = np.linalg.slogdet(X.T @ (X * w[:, None]))[1]
    return -0.5 * (k - p) * np.log(2 * np.pi) - 0.5 * np.sum(np.log(v + tau2)) - 0.5 * logdet - 0.5 * rss


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class RMAResult:
    """A fitted model, with metafor's names (dots become underscores).

    ``beta``, ``se``, ``zval``, ``pval``, ``ci_lb``, ``ci_ub`` are arrays of length
    p (intercept first) for meta-regression and floats for the usual
    intercept-only model.  ``tau2`` is on the squared effect scale; ``I2`` is in
    percent and, as ``rma()`` reports it, tau²-based for random-effects models;
    ``I2_q`` is the Q-based I² of Higgins & Thompson (2002) that RevMan and R
    ``meta`` report.  ``weights`` are percentages.

    Departures from metafor 3.8 with its default ``control`` (each also warned as
    ``MetaforDeparture`` when the model is fitted):

    * ``fisher_scoring_damped`` – True when plain Fisher scoring (ML, REML, EB)
      oscillated and the fit needed a damped retry; ``stepadj`` is the step factor
      used (1.0 when not damped), as metafor's ``control=list(stepadj=)``.
    * ``pm_beyond_tau2_max`` – True when the Paule–Mandel root lies above metafor's
      search limit ``tau2_max`` (max(100, 10·mad(yi)²), squared effect scale), where
      metafor stops with "Value of 'tau2.max' too low"; helpers searches on.
    """

    yi: np.ndarray
    vi: np.ndarray
    method: str
    test: str
    level: float
    beta: float | np.ndarray
    se: float | np.ndarray
    zval: float | np.ndarray
    pval: float | np.ndarray
    ci_lb: float | np.ndarray
    ci_ub: float | np.ndarray
    tau2: float
    I2: float
    H2: float
    I2_q: float
    QE: float
    QEp: float
    k: int
    p: int
    weights: np.ndarray
    s2w: float
    dfs: float
    vt: float
    QM: float = np.nan
    QMp: float = np.nan
    QMdf: tuple = (np.nan, np.nan)
    X: np.ndarray = field(default=None, repr=False)
    slab: tuple | None = None
    fisher_scoring_damped: bool = False
    stepadj: float = 1.0
    pm_beyond_tau2_max: bool = False

    @property
    def tau2_max(self) -> float:
        """metafor's default ``tau2.max`` for these data, max(100, 10·mad(yi)²) (squared effect scale)."""
        return _metafor_tau2_max(self.yi)

    @property
    def departures(self) -> list[str]:
        """The departures from metafor's default fit as sentences (empty when there are none)."""
        out = []
        if self.fisher_scoring_damped:
            out.append(f"{self.method} Fisher scoring oscillated and was refitted with damped steps "
                       f"(stepadj = {self.stepadj:g}), as metafor does with control = list(stepadj = {self.stepadj:g}).")
        if self.pm_beyond_tau2_max:
            out.append(f"The Paule–Mandel tau² ({self.tau2:.4g}) lies above metafor's default search limit "
                       f"tau2.max = {self.tau2_max:.4g}, where metafor stops without an estimate.")
        return out

    @property
    def tau(self) -> float:
        return float(np.sqrt(self.tau2))

    @property
    def vb(self) -> np.ndarray:
        """Variance–covariance matrix of the coefficients (p × p)."""
        w = 1.0 / (self.vi + self.tau2)
        return self.s2w * np.linalg.inv(self.X.T @ (self.X * w[:, None]))

    def _crit(self, level: float | None = None) -> float:
        a = 1 - (self.level if level is None else level) / 100
        if self.test == "z":
            return float(stats.norm.isf(a / 2))
        return float(stats.t.isf(a / 2, self.dfs)) if self.dfs > 0 else np.nan

    def predict(self, pi: str = "metafor", level: float | None = None) -> dict:
        """Pooled estimate with its CI and prediction interval, as metafor's ``predict()``.

        ``level`` (percent) defaults to the model's.  ``pi="metafor"`` is
        metafor's default: ``pred ± crit·√(se² + tau²)`` with crit from the normal
        or, under the Knapp–Hartung tests, the t(k−1) distribution; given for any
        k ≥ 1 of a random-effects model (with tau² = 0, as for k = 2 often, it equals
        the CI).  ``pi="riley"`` is metafor's ``pi.type="riley"``: t with k − 2 df
        (Higgins, Thompson & Spiegelhalter 2009; IntHout et al. 2016); None for
        k < 3, where metafor would use 1 df.  No PI for fixed-effect (EE) models,
        as metafor.  Values are on the scale of ``yi``.
        """
        if self.p != 1:
            raise ValueError("predict() is implemented for intercept-only models")
        if pi not in ("metafor", "riley"):
            hint = " (pi='t' was renamed 'riley', metafor's pi.type)" if pi == "t" else ""
            raise ValueError(f"pi must be 'metafor' or 'riley', not {pi!r}{hint}")
        level = self.level if level is None else float(level)
        if not 0 < level < 100:
            raise ValueError(f"level must be in (0, 100), not {level!r}")
        crit_ci = self._crit(level)
        pred, se = float(self.beta), float(self.se)
        out = {"pred": pred, "se": se, "ci_lb": pred - crit_ci * se, "ci_ub": pred + crit_ci * se,
               "pi_lb": None, "pi_ub": None, "pi_type": pi, "level": level}
        if self.method == "EE" or (pi == "riley" and self.k < 3):
            return out
        crit = crit_ci if pi == "metafor" else float(stats.t.isf((1 - level / 100) / 2, self.k - 2))
        half = crit * np.sqrt(se**2 + self.tau2)
        out["pi_lb"], out["pi_ub"] = float(pred - half), float(pred + half)
        return out

    def confint(self, level: float | None = None) -> pd.DataFrame:
        """Q-profile CIs for tau², tau, I² and H² (Viechtbauer 2007), as metafor's ``confint()``.

        Rows ``tau2`` (squared effect scale), ``tau``, ``I2`` (percent), ``H2``;
        columns ``estimate, ci_lb, ci_ub`` and metafor's censoring marks
        ``lb_sign``/``ub_sign`` ("" for a found root; ">" where the bound lies above
        the search limit and is that limit; "<" where both bounds fall below 0) with
        the booleans ``lb_censored``/``ub_censored``.  The search runs on
        [0, tau2.max] with metafor's tau2.max = max(100, 10·tau²), which
        ``attrs["tau2_max"]`` gives; ``attrs["ci_null"]`` is metafor's flag for a CI
        that is the null/empty set (both bounds below 0).
        """
        if self.method == "EE":
            raise ValueError("Model does not contain a random-effects component.")
        if self.k < 2:
            raise NotEstimable("confint() needs k >= 2")
        a = 1 - (self.level if level is None else level) / 100
        X, y, v = self.X, self.yi, self.vi
        df = self.k - self.p
        crit_u, crit_l = stats.chi2.isf(a / 2, df), stats.chi2.ppf(a / 2, df)
        hi = max(_TAU2_MAX, self.tau2 * 10)    # metafor's tau2.max for confint (tau2.min = 0)
        q = lambda t: _q_gen(t, y, v, X)  # noqa: E731
        q0, qmax = q(0.0), q(hi)
        lb_sign = ub_sign = ""
        ci_null = False
        if q0 < crit_l:
            lb = ub = 0.0
            lb_sign = ub_sign = "<"
            ci_null = True
        else:
            if qmax > crit_l:
                ub, ub_sign = hi, ">"
            else:
                ub = _root(lambda t: q(t) - crit_l, 0.0, hi)
        if qmax > crit_u:
            lb = ub = hi
            lb_sign = ub_sign = ">"
        elif q0 < crit_u:
            lb = 0.0
        else:
            lb = _root(lambda t: q(t) - crit_u, 0.0, hi)
        vt = self.vt
        rows = {
            "tau2": (self.tau2, lb, ub),
            "tau": (self.tau, np.sqrt(lb), np.sqrt(ub)),
            "I2": tuple(100 * t / (vt + t) for t in (self.tau2, lb, ub)),
            "H2": tuple(1 + t / vt for t in (self.tau2, lb, ub)),
        }
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "ci_lb", "ci_ub"])
        out["lb_sign"], out["ub_sign"] = lb_sign, ub_sign
        out["lb_censored"], out["ub_censored"] = lb_sign != "", ub_sign != ""
        out.attrs.update(tau2_max=float(hi), ci_null=ci_null)
        return out

    def summary_frame(self, labels: Sequence[str] | None = None, transf=None) -> pd.DataFrame:
        """Per-study rows plus the pooled row (statsmodels' ``summary_frame`` shape).

        Columns: ``estimate, se, ci_lb, ci_ub, weight`` (weight in percent).  With
        ``transf=np.exp`` estimates and bounds are back-transformed (e.g. to HR).
        """
        z = stats.norm.isf((1 - self.level / 100) / 2)
        se = np.sqrt(self.vi)
        est = np.append(self.yi, float(np.atleast_1d(self.beta)[0]))
        lb = np.append(self.yi - z * se, float(np.atleast_1d(self.ci_lb)[0]))
        ub = np.append(self.yi + z * se, float(np.atleast_1d(self.ci_ub)[0]))
        if transf is not None:
            est, lb, ub = transf(est), transf(lb), transf(ub)
        names = list(labels if labels is not None else (self.slab or [f"Study {i + 1}" for i in range(self.k)]))
        return pd.DataFrame({"estimate": est, "se": np.append(se, float(np.atleast_1d(self.se)[0])),
                             "ci_lb": lb, "ci_ub": ub, "weight": np.append(self.weights, 100.0)},
                            index=names + [f"{self.method} model"])


# --------------------------------------------------------------------------- rma
def rma(yi, vi=None, *, sei=None, mods=None, method: str = "REML", test: str = "z",
        level: float = 95, slab: Sequence[str] | None = None) -> RMAResult:
    """Fit a fixed- or random-effects model, as metafor's ``rma(yi, vi, method=, test=)``.

    Parameters
    ----------
    yi, vi : effect sizes (e.g. log HR) and their sampling variances; give ``sei``
        (standard errors) instead of ``vi`` if preferred.
    mods : optional k × m moderator matrix (an intercept is added), e.g. dummy
        columns of a subgroup factor for the common-tau² subgroup test.
    method : one of ``EE`` (alias ``FE``), ``DL``, ``HE``, ``SJ``, ``PM``, ``ML``,
        ``REML``, ``EB``.
    test : ``z``; ``knha`` (Hartung–Knapp–Sidik–Jonkman, t with k − p df);
        ``adhoc`` (as ``knha`` but the variance factor is truncated below at 1).
    level : confidence level in percent.

    Raises ``NotEstimable`` when k = 0.  With k = 1 the study itself is
    returned with tau² = 0 and the z test, as metafor does.
    """
    method = "EE" if method == "FE" else method
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, not {test!r}")
    if not 0 < level < 100:
        raise ValueError(f"level must be in (0, 100), not {level!r}")
    y = np.asarray(yi, dtype=float).ravel()
    if (vi is None) == (sei is None):
        raise ValueError("give exactly one of vi and sei")
    v = np.asarray(vi if vi is not None else np.square(np.asarray(sei, dtype=float)), dtype=float).ravel()
    if y.shape != v.shape:
        raise ValueError(f"yi has {y.size} values but vi has {v.size}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise ValueError("yi and vi must be finite (missing studies must be removed with a message first)")
    if np.any(v <= 0):
        raise ValueError("sampling variances must be positive")
    k = y.size
    if k == 0:
        raise NotEstimable("no studies to pool (k = 0)")
    X = _design(k, mods)
    p = X.shape[1]
    if k < p:
        raise NotEstimable(f"{p} coefficients cannot be estimated from {k} studies")
    if k == 1:
        test = "z"
        tau2, info = 0.0, {"stepadj": 1.0, "pm_beyond": False}
    else:
        tau2, info = _estimate_tau2(y, v, X, method)
    if info["stepadj"] != 1.0:
        warnings.warn(f"{method}: Fisher scoring oscillated; refitted with damped steps (stepadj = "
                      f"{info['stepadj']:g}), as metafor with control=list(stepadj=)", MetaforDeparture, stacklevel=2)
    if info["pm_beyond"]:
        warnings.warn(f"PM: tau² = {tau2:.6g} lies above metafor's tau2.max = {_metafor_tau2_max(y):.6g} "
                      "(metafor stops: \"Value of 'tau2.max' too low\")", MetaforDeparture, stacklevel=2)

    w = 1.0 / (v + tau2)
    beta, inv, r = _wls(y, X, w)
    s2w = 1.0
    if test in ("knha", "adhoc"):
        rss = float(np.sum(w * r**2))
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        if test == "adhoc":
            s2w = max(1.0, s2w)
    vb = s2w * inv
    se = np.sqrt(np.diag(vb))
    with np.errstate(divide="ignore", invalid="ignore"):   # se = 0 (identical yi, Knapp–Hartung): ±Inf, as metafor
        zval = beta / se
    a = 1 - level / 100
    if test == "z":
        dfs = np.nan
        pval = 2 * stats.norm.sf(np.abs(zval))
        crit = stats.norm.isf(a / 2)
    else:
        dfs = float(k - p)
        pval = 2 * stats.t.sf(np.abs(zval), dfs) if dfs > 0 else np.full(p, np.nan)
        crit = stats.t.isf(a / 2, dfs) if dfs > 0 else np.nan

    # Heterogeneity (always from the fixed-effect weights 1/vi).
    if k > p:
        ypy, _, tr_p, _ = _quad_forms(y, X, 1.0 / v)
        QE = max(0.0, ypy)
        QEp = float(stats.chi2.sf(QE, k - p))
        vt = (k - p) / tr_p
        I2_q = max(0.0, 100 * (QE - (k - p)) / QE) if QE > 0 else 0.0
        if method == "EE":
            I2, H2 = I2_q, QE / (k - p)
        else:
            I2, H2 = 100 * tau2 / (vt + tau2), tau2 / vt + 1
    else:
        QE, QEp, I2, H2, I2_q, vt = 0.0, 1.0, 0.0, 1.0, 0.0, 0.0

    QM = QMp = np.nan
    QMdf = (np.nan, np.nan)
    if p > 1:
        b = beta[1:]
        m = p - 1
        try:   # singular when s2w = 0 (identical yi under Knapp–Hartung): metafor gives QM = NA
            QM = float(b @ np.linalg.solve(vb[1:, 1:], b)) if s2w > 0 else np.nan
        except np.linalg.LinAlgError:
            QM = np.nan
        if test == "z":
            QMdf, QMp = (m, np.nan), float(stats.chi2.sf(QM, m))
        else:
            QM /= m
            QMdf, QMp = (m, k - p), float(stats.f.sf(QM, m, k - p)) if k > p else np.nan

    scal = (lambda x: float(x[0])) if p == 1 else (lambda x: np.asarray(x, dtype=float))
    return RMAResult(
        yi=y, vi=v, method=method, test=test, level=float(level),
        beta=scal(beta), se=scal(se), zval=scal(zval), pval=scal(pval),
        ci_lb=scal(beta - crit * se), ci_ub=scal(beta + crit * se),
        tau2=float(tau2), I2=float(I2), H2=float(H2), I2_q=float(I2_q), QE=float(QE), QEp=float(QEp),
        k=k, p=p, weights=100 * w / np.sum(w), s2w=float(s2w), dfs=dfs, vt=float(vt),
        QM=QM, QMp=QMp, QMdf=QMdf, X=X, slab=tuple(slab) if slab is not None else None,
        fisher_scoring_damped=info["stepadj"] != 1.0, stepadj=float(info["stepadj"]),
        pm_beyond_tau2_max=bool(info["pm_beyond"]),
    )


def refit(res: RMAResult, keep) -> RMAResult:
    """The same model (method, test, level) fitted to the studies selected by ``keep``
    (a boolean mask or an array of indices, in the order to be used)."""
    sel = np.arange(res.k)[np.asarray(keep)]
    slab = None if res.slab is None else [res.slab[i] for i in sel]
    return rma(res.yi[sel], res.vi[sel], method=res.method, test=res.test, level=res.level, slab=slab)
