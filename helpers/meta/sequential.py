"""Trial sequential analysis (TSA) of hazard ratios: required information, diversity,
Lan–DeMets O'Brien–Fleming-type boundaries and the cumulative Z-curve.

Follows Wetterslev, Thorlund, Brok & Gluud (*J Clin Epidemiol* 2008;61:64–75) and
Wetterslev, Jakobsen & Gluud (*BMC Med Res Methodol* 2017;17:39); the diversity D² of
Wetterslev, Thorlund, Brok & Gluud (*BMC Med Res Methodol* 2009;9:86); for time-to-event
data the information is counted in events or, equivalently, in inverse variances of the
log hazard ratio (Miladinovic et al., *J Clin Epidemiol* 2013).  Boundaries follow Lan &
DeMets (*Biometrika* 1983;70:659–663) with the O'Brien–Fleming-type spending function, computed
by the recursive numerical integration of Armitage, McPherson & Rowe (*J R Stat Soc A*
1969;132:235–244) as in Jennison & Turnbull (2000, chapter 19).

Units: effects are log hazard ratios (negative = fewer events with the experimental arm);
information is in units of 1/variance of the log HR; events are a display conversion.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from helpers.meta.rma import NotEstimable, RMAResult, rma

__all__ = ["required_information", "RequiredInformation", "diversity", "ldbounds", "tsa", "TSAResult", "VERDICTS"]

BEYOND = ("inf", "hold", "rtsa")
VERDICTS = ("firm evidence of benefit", "harm boundary crossed", "an effect as large as anticipated is unlikely",
            "not yet conclusive")
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_LOWER_SD = 9.0          # sub-densities are integrated from −9 sd (mass below: ~1e-19)
_CHUNK = 256             # grid points convolved at once
_BAND = 12.0             # kernel sds of the convolution band


# --------------------------------------------------------------------------- required information
@dataclass(frozen=True)
class RequiredInformation:
    """The required information of a two-arm time-to-event comparison (Schoenfeld 1983).

    ``information`` = (z₁₋α/₂ + z₁₋β)² / ln(HR)² (units of 1/variance of the log HR);
    ``events`` = information · (1 + r)² / r, the Schoenfeld number of events for
    allocation ratio r (× 4 for 1:1).  The ``*_adjusted`` values are divided by
    (1 − D²), the heterogeneity correction of Wetterslev et al. (2009);
    ``adjustment`` = 1/(1 − D²).
    """

    hr: float
    alpha: float
    power: float
    ratio: float
    D2: float
    information: float
    events: float
    information_adjusted: float
    events_adjusted: float

    @property
    def adjustment(self) -> float:
        return 1.0 / (1.0 - self.D2)


def required_information(hr: float, *, alpha: float = 0.05, power: float = 0.9, ratio: float = 1.0,
                         D2: float = 0.0) -> RequiredInformation:
    """Required information and number of events to detect ``hr`` with two-sided ``alpha`` and
    ``power`` (Schoenfeld: D = (z₁₋α/₂ + z₁₋β)² (1 + r)² / (r · ln(HR)²)), unadjusted and
    adjusted for diversity ``D2`` (divided by 1 − D²).  HR 0.7, α 0.05, power 0.9, 1:1 gives
    330.4 events (gsDesign's ``nEvents`` rounds up to 331)."""
    hr, alpha, power, ratio, D2 = float(hr), float(alpha), float(power), float(ratio), float(D2)
    if not (np.isfinite(hr) and hr > 0 and hr != 1):
        raise ValueError(f"hr must be a positive hazard ratio other than 1, not {hr!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), not {alpha!r}")
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), not {power!r}")
    if not (np.isfinite(ratio) and ratio > 0):
        raise ValueError(f"ratio (allocation, experimental:control) must be positive, not {ratio!r}")
    if not 0 <= D2 < 1:
        raise ValueError(f"D2 must be in [0, 1), not {D2!r}")
    z = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    info = float(z**2 / np.log(hr) ** 2)
    per_event = (1 + ratio) ** 2 / ratio
    adj = 1.0 / (1.0 - D2)
    return RequiredInformation(hr=hr, alpha=alpha, power=power, ratio=ratio, D2=D2, information=info,
                               events=info * per_event, information_adjusted=info * adj,
                               events_adjusted=info * per_event * adj)


def diversity(res: RMAResult, method: str = "REML") -> float:
    """D² = (v_RE − v_FE) / v_RE (Wetterslev et al. 2009), from the variances of the pooled
    estimate under the random-effects model (tau² by ``method``, REML by default) and the
    fixed-effect model, both with the unadjusted (z) variances 1/Σwᵢ.  0 when tau² = 0."""
    if res.p != 1:
        raise ValueError("diversity() is for intercept-only models")
    if res.k < 2:
        return 0.0
    tau2 = rma(res.yi, res.vi, method=method, test="z").tau2
    v_fe = 1.0 / np.sum(1.0 / res.vi)
    v_re = 1.0 / np.sum(1.0 / (res.vi + tau2))
    return float(max(0.0, (v_re - v_fe) / v_re))


# --------------------------------------------------------------------------- boundaries
def _log_spend(t: np.ndarray, alpha: float) -> np.ndarray:
    """log α(t), α(t) = 2·Φ̄(Φ̄⁻¹(α/2)/√t) capped at α for t ≥ 1 (upper tails: no underflow)."""
    return np.log(2.0) + special.log_ndtr(-stats.norm.isf(alpha / 2) / np.sqrt(np.minimum(t, 1.0)))


def _log_diff(a: float, b: float) -> float:
    """log(e^a − e^b) for a ≥ b."""
    return a if b == -np.inf else a + np.log1p(-np.exp(b - a))


def _grid(lo: float, hi: float, h: float):
    m = max(1, int(np.ceil((hi - lo) / h)))
    edges = np.linspace(lo, hi, m + 1)
    half, mid = 0.5 * np.diff(edges), 0.5 * (edges[1:] + edges[:-1])
    return (mid[:, None] + half[:, None] * _GL_X).ravel(), (half[:, None] * _GL_W).ravel()


def _convolve(x_new, u, logw, sd):
    """log Σᵢ exp(logwᵢ) φ((x − uᵢ)/sd)/sd at each x; x and u ascending.  Terms beyond 12 sd
    (relative size < 1e-31) are left out, so the cost grows with the band, not with u.size."""
    out = np.full(x_new.size, -np.inf)
    for a in range(0, x_new.size, _CHUNK):
        x = x_new[a:a + _CHUNK]
        i, j = np.searchsorted(u, x[0] - _BAND * sd), np.searchsorted(u, x[-1] + _BAND * sd)
        if j > i:
            z = (x[:, None] - u[None, i:j]) / sd
            out[a:a + _CHUNK] = special.logsumexp(logw[None, i:j] - 0.5 * z**2, axis=1)
    return out - np.log(sd * np.sqrt(2 * np.pi))


def _boundaries(t, alpha: float, beyond: str):
    """One-sided boundaries and the probability of a first crossing at each look under H0."""
    t = np.asarray(t, dtype=float).ravel()
    if t.size == 0:
        raise ValueError("no looks")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("information fractions must be positive and finite")
    if np.any(np.diff(t) <= 0):
        raise ValueError("information fractions must increase strictly")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha (one side) must be in (0, 0.5), not {alpha!r}")
    if beyond not in BEYOND:
        raise ValueError(f"beyond must be one of {BEYOND}, not {beyond!r}")
    t_spend = t / t.max() if beyond == "rtsa" and t.max() > 1 else t
    log_cum = _log_spend(t_spend, alpha)
    K = t.size
    bounds, exits = np.empty(K), np.empty(K)
    log_spent = -np.inf
    u = logw = None            # the sub-density of the score S(t_{k-1}) = √t·Z on its grid, as log(weight·density)
    c_star = None              # the boundary of the first look at or beyond t = 1
    for k in range(K):
        tk, dk = t[k], t[k] - (t[k - 1] if k else 0.0)
        sk, sd = np.sqrt(tk), np.sqrt(dk)

        def log_exit(c):
            if k == 0:
                return float(special.log_ndtr(-c))
            return float(special.logsumexp(logw + special.log_ndtr(-(c * sk - u) / sd)))

        if c_star is not None:
            c = c_star if beyond == "hold" else np.inf
        else:
            target = _log_diff(log_cum[k], log_spent) if log_cum[k] > log_spent else -np.inf
            if target == -np.inf:
                c = np.inf
            else:
                lo, hi = -10.0, 50.0
                while log_exit(hi) > target:
                    hi *= 2
                c = float(optimize.brentq(lambda x: log_exit(x) - target, lo, hi, xtol=1e-13, rtol=1e-15))
            if t_spend[k] >= 1:
                c_star = c
        bounds[k] = c
        le = log_exit(c) if np.isfinite(c) else -np.inf
        exits[k] = np.exp(le)
        log_spent = np.logaddexp(log_spent, le)
        if k == K - 1:
            break
        # the sub-density at t_k below the boundary, on a grid fine enough for both kernels
        d_next = t[k + 1] - tk
        h = min(sd, np.sqrt(d_next), sk) / 3
        top = c * sk if np.isfinite(c) else _LOWER_SD * sk
        x, w = _grid(-_LOWER_SD * sk, top, h)
        if k == 0:
            logf = stats.norm.logpdf(x, scale=sk)
        else:
            logf = _convolve(x, u, logw, sd)
        u, logw = x, np.log(w) + logf
    return bounds, exits


def ldbounds(t, *, alpha: float = 0.025, beyond: str = "inf") -> np.ndarray:
    """Lan–DeMets O'Brien–Fleming-type boundaries (z scale) for one side at information
    fractions ``t`` (strictly increasing, > 0).

    Spending: α(t) = 2·Φ̄(Φ̄⁻¹(α/2)/√t) with ``alpha`` per side (R ``ldbounds`` with
    ``iuse=1``, gsDesign's ``sfLDOF``), so that α(1) = α; for t ≥ 1 it is capped at α.  Each
    boundary solves P(first crossing at look k) = α(t_k) − α(t_{k−1}) under H0 (the score
    is Brownian motion in t), by the Armitage–McPherson–Rowe recursion of the sub-densities
    on composite Gauss–Legendre grids finer than a third of the smallest increment's sd;
    upper tails are handled in logs, so very early looks (t = 0.05: 9.955) do not underflow.

    Beyond the required information (t > 1), three conventions (``beyond``):

    * ``"inf"`` (default): the spending is capped, α(t) = α for t ≥ 1.  The first look at or
      beyond t = 1 spends all the α left, with the actual correlation of the looks ((0.5,
      0.9, 1.2) give 2.963, 2.105, 2.166); later looks have nothing left to spend, and the
      only boundary that spends exactly nothing is +inf.  The overall type I error is α.
      No finite boundary spends nothing, so no finite convention keeps the cap and α.
    * ``"hold"``: as ``"inf"``, but later looks keep the boundary of the first look at or
      beyond t = 1 (a flat line, never looser than the boundary at the required
      information).  Finite, but it spends more α (at (0.5, 0.9, 1.2, 1.5) the fourth look
      adds 0.0057 to 0.025 per side); ``tsa(...).looks["alpha_spent"]`` shows how much.
    * ``"rtsa"``: R RTSA's convention (``alpha_boundary``): when any t exceeds 1, the spending
      is evaluated at t / max(t), so the last look spends exactly α and every boundary is
      finite (the correlations still use the actual t).  The boundaries of earlier looks
      then change when a look is added.
    """
    return _boundaries(t, float(alpha), beyond)[0]


# --------------------------------------------------------------------------- the Z-curve
@dataclass(frozen=True)
class TSAResult:
    """A trial sequential analysis (see :func:`tsa`).

    ``looks``: one row per cumulative meta-analysis, in order of entry, with columns
    ``label, estimate`` (pooled log HR), ``pval``, ``information`` (Σ 1/vᵢ so far),
    ``t`` (information fraction of the diversity-adjusted required information), ``z``
    (signed like the log HR: negative favours the experimental arm), ``upper`` (harm
    boundary, +c), ``lower`` (benefit boundary, −c), ``alpha_spent`` (cumulative
    probability under H0 of crossing one given side by this look).
    """

    looks: pd.DataFrame
    required: RequiredInformation
    D2: float
    hr: float
    alpha: float
    power: float
    method: str
    test: str
    z_source: str
    beyond: str
    verdict: str
    crossing: str | None

    @property
    def information(self) -> float:
        return float(self.looks["information"].iloc[-1])

    @property
    def t(self) -> float:
        return float(self.looks["t"].iloc[-1])

    @property
    def required_information(self) -> float:
        """The diversity-adjusted required information that t is a fraction of."""
        return self.required.information_adjusted


def tsa(yi, vi=None, *, hr: float, order: Sequence | None = None, labels: Sequence[str] | None = None,
        alpha: float = 0.05, power: float = 0.9, ratio: float = 1.0, D2: float | None = None,
        method: str | None = None, test: str | None = None, beyond: str = "inf") -> TSAResult:
    """Trial sequential analysis of log hazard ratios (Wetterslev et al. 2008, 2017).

    Parameters
    ----------
    yi, vi : log hazard ratios and their variances, or an ``RMAResult`` as ``yi`` (its
        yi, vi, slab, method and test are used unless given here).
    hr : the anticipated hazard ratio (< 1 for a benefit), e.g. 0.75.
    order : sort keys of entry into the meta-analysis (e.g. dates of first publication);
        studies enter in increasing order, ties in the given order; None: as given.
    labels : study labels (default: the slab of ``yi`` or "1", "2", ...).
    alpha, power, ratio : two-sided type I error, power and allocation ratio of the
        required information (:func:`required_information`).
    D2 : diversity; None takes :func:`diversity` of all studies (REML).
    method, test : the model of each cumulative look, as :func:`rma` (default REML with
        ``test="adhoc"``, the book's primary Hartung–Knapp–Sidik–Jonkman model; ``"z"``
        gives REML-z, the classical TSA Z-curve).
    beyond : the boundaries after the first look at or beyond the required information
        (:func:`ldbounds`): ``"inf"`` (default: nothing left to spend, so these looks cannot
        cross and the verdict is settled at the required information), ``"hold"`` or ``"rtsa"``.

    Each look k pools the first k studies; z_k = sign(β̂_k)·Φ⁻¹(1 − p_k/2) from that model's
    p-value (β̂_k/se_k itself for the z-test), so z < 0 favours the experimental arm (HR < 1).
    Accrued information is Σ 1/vᵢ, and t_k is its fraction of the diversity-adjusted required
    information (z₁₋α/₂ + z₁₋β)²/ln(HR)²/(1 − D²).  Boundaries are two-sided symmetric,
    α/2 per side, from :func:`ldbounds` on the t_k: the benefit boundary is ``lower`` = −c_k,
    the harm boundary ``upper`` = +c_k.

    Verdict (the first crossing counts): "firm evidence of benefit" (z ≤ lower at a look),
    "harm boundary crossed" (z ≥ upper), else "an effect as large as anticipated is
    unlikely" once t ≥ 1 (the required information reached without a crossing; no
    futility boundaries are drawn), else "not yet conclusive".
    """
    if isinstance(yi, RMAResult):
        res = yi
        if res.p != 1:
            raise ValueError("tsa() is for intercept-only models")
        y, v = res.yi, res.vi
        labels = labels if labels is not None else res.slab
        method = method or res.method
        test = test or res.test
    else:
        if vi is None:
            raise ValueError("give vi with yi (or an RMAResult)")
        y, v = np.asarray(yi, dtype=float).ravel(), np.asarray(vi, dtype=float).ravel()
        method, test = method or "REML", test or "adhoc"
    if y.size == 0:
        raise NotEstimable("no studies (k = 0)")
    if y.shape != v.shape:
        raise ValueError(f"yi has {y.size} values but vi has {v.size}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValueError("yi must be finite and vi finite and positive")
    k = y.size
    labels = [str(i + 1) for i in range(k)] if labels is None else [str(s) for s in labels]
    if len(labels) != k:
        raise ValueError(f"{len(labels)} labels for {k} studies")
    if order is not None:
        keys = list(order)
        if len(keys) != k:
            raise ValueError(f"order has {len(keys)} keys for {k} studies")
        idx = sorted(range(k), key=lambda i: keys[i])
        y, v, labels = y[idx], v[idx], [labels[i] for i in idx]
    if D2 is None:
        D2 = diversity(rma(y, v, method="REML", test="z"))
    req = required_information(hr, alpha=alpha, power=power, ratio=ratio, D2=D2)
    info = np.cumsum(1.0 / v)
    t = info / req.information_adjusted
    est, pval, z = np.empty(k), np.empty(k), np.empty(k)
    for j in range(k):
        fit = rma(y[:j + 1], v[:j + 1], method=method, test=test)
        est[j], pval[j] = fit.beta, fit.pval
        z[j] = np.sign(fit.beta) * stats.norm.isf(fit.pval / 2) if np.isfinite(fit.pval) else np.nan
    c, exits = _boundaries(t, alpha / 2, beyond)
    looks = pd.DataFrame({"label": labels, "estimate": est, "pval": pval, "information": info, "t": t, "z": z,
                          "upper": c, "lower": -c, "alpha_spent": np.cumsum(exits)})
    verdict, crossing = VERDICTS[3], None
    for row in looks.itertuples():
        if row.z <= row.lower:
            verdict, crossing = VERDICTS[0], row.label
            break
        if row.z >= row.upper:
            verdict, crossing = VERDICTS[1], row.label
            break
    else:
        if t[-1] >= 1:
            verdict = VERDICTS[2]
    return TSAResult(looks=looks, required=req, D2=float(D2), hr=float(hr), alpha=float(alpha), power=float(power),
                     method=method, test=test, z_source=f"{method}-{test}", beyond=beyond, verdict=verdict,
                     crossing=crossing)
