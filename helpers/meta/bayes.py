"""Bayesian random-effects meta-analysis of the normal–normal model by exact numerical
integration, following R ``bayesmeta`` (Röver 2020, *J Stat Softw* 93(6)).

The model: ``y_i ~ N(theta_i, sigma_i²)``, ``theta_i ~ N(mu, tau²)``, so that
``y_i | mu, tau ~ N(mu, sigma_i² + tau²)``; priors ``p(mu)`` (normal or flat, i.e. the
improper uniform) and ``p(tau)`` on ``tau ≥ 0``.  Everything is on the scale of ``y``
(log hazard ratios in this book; ``tau`` in the same units as ``y``).

How it is computed (Röver 2020, sections 2.3–2.4), with no Monte Carlo:

* Given tau, mu is integrated out analytically: ``mu | tau, y`` is normal with
  precision ``P(tau) = Σ w_i (+ 1/s0²)``, ``w_i = 1/(sigma_i² + tau²)``, and mean
  ``m(tau) = (Σ w_i y_i (+ mu0/s0²)) / P(tau)``; the marginal likelihood ``p(y | tau)``
  is closed-form (for the flat prior, the restricted likelihood).
* The marginal posterior ``p(tau | y) ∝ p(tau) p(y | tau)`` is integrated on
  ``[0, ∞)`` after the double-exponential substitution
  ``tau = s·exp((π/2)·sinh t)`` (``s`` a posterior-centred scale), which maps the
  algebraic tail of ``p(tau | y)`` and the neighbourhood of 0 onto a smooth, quickly
  decaying integrand on ``t ∈ [−T, T]``.  The rule is composite Gauss–Legendre on
  that interval, refined adaptively (panels doubled) until the normalising constant
  changes by less than 1e-13 relative; it is computed once and reused.
* The marginal posterior of mu (and the predictive distribution of a new trial's
  effect theta, ``theta | tau, y ~ N(m(tau), 1/P(tau) + tau²)``) is the tau-mixture
  of these conditional normals, integrated with the same rule, so CDFs, densities and
  moments are exact to quadrature accuracy (~1e-10), not a discrete grid
  approximation as bayesmeta's DIRECT algorithm (Röver & Friede 2017), whose medians
  of mu can differ from the exact ones in the fourth significant digit.

Quantiles are roots of these CDFs (Brent).  The 95 % limits of ``summary`` are, as in
bayesmeta, the *shortest* intervals with 95 % posterior mass (for a unimodal density,
the highest-density interval); ``post_interval(method="central")`` gives the
equal-tailed ones.
"""
from __future__ import annotations

from functools import cached_property
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from helpers.meta.rma import NotEstimable

__all__ = ["bayesmeta", "BayesMeta"]

_LOG2PI = float(np.log(2 * np.pi))
_GL_N = 12                # Gauss–Legendre nodes per panel
_T = 4.0                  # t-range of the double-exponential substitution: tau/s in [e^-42.9, e^42.9]
_T_MAX = 6.0              # widest range tried before a posterior is declared improper
_RTOL = 1e-13             # panel doubling stops when the normalising constant changes less than this
_TAIL = 1e-14             # share of the integrand allowed at an end of the t-range
_GL_X, _GL_W = np.polynomial.legendre.leggauss(_GL_N)
PARAMETERS = ("tau", "mu", "theta")


def _tau_of_t(t, s):
    return s * np.exp(0.5 * np.pi * np.sinh(t))


def _t_of_tau(tau, s):
    with np.errstate(divide="ignore"):
        return np.arcsinh(np.log(np.asarray(tau, dtype=float) / s) / (0.5 * np.pi))


def _dtau_dt(t, s):
    return _tau_of_t(t, s) * 0.5 * np.pi * np.cosh(t)


def _panel_rule(lo: float, hi: float, m: int):
    """Nodes and weights of composite m-panel Gauss–Legendre on [lo, hi]."""
    edges = np.linspace(lo, hi, m + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    mid = 0.5 * (edges[1:] + edges[:-1])
    x = (mid[:, None] + half[:, None] * _GL_X[None, :]).ravel()
    w = (half[:, None] * _GL_W[None, :]).ravel()
    return edges, x, w


def _tau_prior(spec) -> tuple[Callable[[np.ndarray], np.ndarray], str, bool]:
    """(log density on tau ≥ 0, description, proper?) for a ``tau_prior`` specification."""
    if callable(spec):
        def logf(tau):
            tau = np.asarray(tau, dtype=float)
            try:
                val = np.asarray(spec(tau), dtype=float)
                if val.shape != tau.shape:
                    raise ValueError
            except (TypeError, ValueError):
                val = np.array([float(spec(float(x))) for x in tau.ravel()]).reshape(tau.shape)
            if np.any(val < 0) or np.any(np.isnan(val)):
                raise ValueError("the tau prior density must be non-negative")
            with np.errstate(divide="ignore"):
                return np.log(val)
        return logf, getattr(spec, "__name__", "user-defined"), None
    if isinstance(spec, str) and spec == "uniform":
        return (lambda tau: np.zeros_like(np.asarray(tau, dtype=float))), "uniform (improper) on tau >= 0", False
    if isinstance(spec, tuple) and len(spec) == 2 and spec[0] in ("halfnormal", "halfcauchy"):
        name, scale = spec[0], float(spec[1])
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"the {name} scale must be positive and finite, not {spec[1]!r}")
        if name == "halfnormal":
            c = np.log(2.0) - np.log(scale) - 0.5 * _LOG2PI
            return (lambda tau: c - 0.5 * (np.asarray(tau, dtype=float) / scale) ** 2), f"half-normal({scale:g})", True
        c = np.log(2.0 / np.pi) - np.log(scale)
        return (lambda tau: c - np.log1p((np.asarray(tau, dtype=float) / scale) ** 2)), f"half-Cauchy({scale:g})", True
    raise ValueError("tau_prior must be ('halfnormal', scale), ('halfcauchy', scale), 'uniform' "
                     f"or a callable density on tau >= 0, not {spec!r}")


class BayesMeta:
    """A fitted normal–normal random-effects model (see :func:`bayesmeta`).

    Attributes: ``k``, ``y``, ``sigma`` (standard errors), ``labels``,
    ``tau_prior`` (description), ``mu_prior_mean``, ``mu_prior_sd`` (None: flat),
    ``log_marginal_likelihood`` (log p(y), NaN unless both priors are proper), and the
    quadrature rule (``nodes``: tau values, ``weights``: their posterior masses, which
    sum to 1).  Parameters are named as in bayesmeta: ``tau`` (heterogeneity), ``mu``
    (overall mean) and ``theta`` (the effect in a new trial, the posterior predictive).
    """

    def __init__(self, y, sigma, *, tau_prior=("halfnormal", 0.5), mu_prior_mean: float = 0.0,
                 mu_prior_sd: float | None = None, labels: Sequence[str] | None = None):
        y = np.asarray(y, dtype=float).ravel()
        sigma = np.asarray(sigma, dtype=float).ravel()
        if y.size == 0:
            raise NotEstimable("no studies to pool (k = 0)")
        if y.shape != sigma.shape:
            raise ValueError(f"y has {y.size} values but sigma has {sigma.size}")
        if not np.all(np.isfinite(y)):
            raise ValueError("y must be finite")
        if not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
            raise ValueError("sigma (standard errors) must be finite and positive")
        if labels is not None and len(labels) != y.size:
            raise ValueError(f"{len(labels)} labels for {y.size} studies")
        if mu_prior_sd is not None:
            mu_prior_sd = float(mu_prior_sd)
            if not (np.isfinite(mu_prior_sd) and mu_prior_sd > 0):
                raise ValueError(f"mu_prior_sd must be positive and finite (None: flat prior), not {mu_prior_sd!r}")
        if not np.isfinite(mu_prior_mean):
            raise ValueError("mu_prior_mean must be finite")
        self.k = int(y.size)
        self.y, self.sigma = y, sigma
        self.labels = tuple(labels) if labels is not None else None
        self.mu_prior_mean, self.mu_prior_sd = float(mu_prior_mean), mu_prior_sd
        self._log_tau_prior, self.tau_prior, proper = _tau_prior(tau_prior)
        if proper is False:
            need = 2 if mu_prior_sd is not None else 3
            if self.k < need:
                raise ValueError(
                    f"improper posterior: with a uniform prior on tau the posterior tail behaves as "
                    f"tau^({'-k' if mu_prior_sd is not None else '1-k'}), so k >= {need} studies are needed "
                    f"{'with a normal' if mu_prior_sd is not None else 'with a flat'} prior on mu (k = {self.k})")
        self._build_rule()
        self.log_marginal_likelihood = np.nan
        if mu_prior_sd is not None and (proper or (proper is None and self._callable_is_density())):
            self.log_marginal_likelihood = float(np.log(self._z) + self._shift)

    # ----------------------------------------------------------------- conditional model
    def _conditional(self, tau):
        """log p(y | tau) with mu integrated out, and the conditional mean and precision of mu."""
        tau = np.asarray(tau, dtype=float)
        V = self.sigma[None, :] ** 2 + (tau.ravel() ** 2)[:, None]
        w = 1.0 / V
        P, wy = w.sum(axis=1), (w * self.y).sum(axis=1)
        if self.mu_prior_sd is None:
            m = wy / P
            rss = (w * (self.y[None, :] - m[:, None]) ** 2).sum(axis=1)
            ll = -0.5 * (self.k - 1) * _LOG2PI - 0.5 * np.log(V).sum(axis=1) - 0.5 * np.log(P) - 0.5 * rss
        else:
            s0, m0 = self.mu_prior_sd, self.mu_prior_mean
            P = P + 1.0 / s0**2
            m = (wy + m0 / s0**2) / P
            rss = (w * (self.y[None, :] - m[:, None]) ** 2).sum(axis=1) + (m - m0) ** 2 / s0**2
            ll = (-0.5 * self.k * _LOG2PI - 0.5 * np.log(V).sum(axis=1) - np.log(s0) - 0.5 * np.log(P)
                  - 0.5 * rss)
        shape = tau.shape
        return ll.reshape(shape), m.reshape(shape), P.reshape(shape)

    def _log_post(self, tau):
        """Unnormalised log posterior density of tau (−inf below 0), shifted by ``_shift``."""
        tau = np.asarray(tau, dtype=float)
        ll, _, _ = self._conditional(np.abs(tau))
        with np.errstate(invalid="ignore"):
            out = ll + self._log_tau_prior(np.abs(tau))
        return np.where(tau < 0, -np.inf, out) - getattr(self, "_shift", 0.0)

    def conditional_moments(self, tau, predictive: bool = False) -> pd.DataFrame:
        """Mean and sd of mu (or, with ``predictive=True``, of theta) given tau
        (bayesmeta's ``conditionalmoment``); columns ``mean``, ``sd``."""
        tau = np.atleast_1d(np.asarray(tau, dtype=float))
        _, m, P = self._conditional(tau)
        var = 1.0 / P + (tau**2 if predictive else 0.0)
        return pd.DataFrame({"tau": tau, "mean": m, "sd": np.sqrt(var)})

    # ----------------------------------------------------------------- the tau rule
    def _integrand(self, t, s):
        """Posterior density of tau in t (unnormalised, shifted), with the Jacobian."""
        with np.errstate(over="ignore", under="ignore"):
            return np.exp(self._log_post(_tau_of_t(t, s))) * _dtau_dt(t, s)

    def _build_rule(self) -> None:
        # 1. a centring scale: the posterior median of log tau on a coarse pass
        s = float(np.sqrt(np.median(self.sigma**2)))
        t0 = np.linspace(-_T, _T, 321)
        lp = self._log_post(_tau_of_t(t0, s)) + np.log(_dtau_dt(t0, s))
        if not np.any(np.isfinite(lp)):
            raise ValueError("the posterior density of tau is zero everywhere")
        self._shift = float(np.max(self._log_post(_tau_of_t(t0, s))))
        g = np.exp(lp - np.max(lp))
        c = np.cumsum(g) / g.sum()
        s = float(_tau_of_t(np.interp(0.5, c, t0), s))
        self._s = s
        # 2. the range: widen until both ends carry a negligible share, else improper
        T = _T
        while True:
            ends = self._integrand(np.array([-T, T]), s)
            _, x, w = _panel_rule(-T, T, 64)
            total = float(np.sum(w * self._integrand(x, s)))
            if not np.isfinite(total) or total <= 0:
                raise ValueError("improper posterior: the posterior density of tau does not integrate")
            if np.all(ends <= _TAIL * total):
                break
            if T >= _T_MAX:
                raise ValueError("improper posterior: the posterior density of tau does not decay at "
                                 f"{'0' if ends[0] > _TAIL * total else 'infinity'} (check the tau prior)")
            T = min(T + 0.5, _T_MAX)
        # 3. panels doubled until the normalising constant settles
        m, old = 32, None
        while True:
            edges, x, w = _panel_rule(-T, T, m)
            f = self._integrand(x, s)
            z = float(np.sum(w * f))
            if old is not None and abs(z - old) <= _RTOL * z:
                break
            if m >= 4096:
                raise ValueError("the posterior of tau could not be integrated to 1e-13")
            old, m = z, 2 * m
        self._T, self._z, self._edges = T, z, edges
        wf = (w * f).reshape(m, _GL_N)
        self._cum = np.concatenate([[0.0], np.cumsum(wf.sum(axis=1))]) / z
        self.nodes = _tau_of_t(x, s)
        self.weights = (w * f) / z
        # the mixtures for mu and theta use the nodes that carry mass (dropped: < 1e-20 each)
        keep = self.weights > 1e-20 * self.weights.max()
        self._mix_tau, self._mix_w = self.nodes[keep], self.weights[keep]
        _, cm, cP = self._conditional(self._mix_tau)
        self._m, self._v = cm, 1.0 / cP

    def _callable_is_density(self) -> bool:
        _, x, w = _panel_rule(-_T_MAX, _T_MAX, 256)
        with np.errstate(over="ignore", under="ignore"):
            mass = float(np.sum(w * np.exp(self._log_tau_prior(_tau_of_t(x, 1.0))) * _dtau_dt(x, 1.0)))
        return abs(mass - 1.0) < 1e-6

    # ----------------------------------------------------------------- tau
    def _cdf_tau_scalar(self, tau: float) -> float:
        if tau <= 0:
            return 0.0
        t = float(_t_of_tau(tau, self._s))
        if t <= -self._T:
            return 0.0
        if t >= self._T:
            return 1.0
        width = self._edges[1] - self._edges[0]
        i = min(int((t + self._T) // width), len(self._edges) - 2)
        return self._cum[i] + self._partial(self._edges[i], t)

    def _partial(self, a: float, b: float) -> float:
        half, mid = 0.5 * (b - a), 0.5 * (b + a)
        return float(np.sum(half * _GL_W * self._integrand(mid + half * _GL_X, self._s))) / self._z

    def _q_tau_scalar(self, p: float) -> float:
        if p <= 0:
            return 0.0
        if p >= 1:
            return np.inf
        i = int(np.searchsorted(self._cum, p, side="right")) - 1
        i = min(max(i, 0), len(self._edges) - 2)
        a, b = self._edges[i], self._edges[i + 1]
        t = optimize.brentq(lambda u: self._cum[i] + self._partial(a, u) - p, a, b, xtol=1e-14, rtol=1e-15)
        return float(_tau_of_t(t, self._s))

    def _d_tau(self, tau):
        with np.errstate(over="ignore", under="ignore"):
            return np.exp(self._log_post(tau)) / self._z

    # ----------------------------------------------------------------- mu and theta (mixtures)
    def _mix_sd(self, parameter: str) -> np.ndarray:
        return np.sqrt(self._v + (self._mix_tau**2 if parameter == "theta" else 0.0))

    def _cdf_mix(self, x, parameter: str):
        x = np.asarray(x, dtype=float)
        sd = self._mix_sd(parameter)
        return (special.ndtr((x.ravel()[:, None] - self._m[None, :]) / sd[None, :]) @ self._mix_w).reshape(x.shape)

    def _d_mix(self, x, parameter: str):
        x = np.asarray(x, dtype=float)
        sd = self._mix_sd(parameter)
        z = (x.ravel()[:, None] - self._m[None, :]) / sd[None, :]
        return ((np.exp(-0.5 * z**2) / (np.sqrt(2 * np.pi) * sd)[None, :]) @ self._mix_w).reshape(x.shape)

    def _q_mix_scalar(self, p: float, parameter: str) -> float:
        if p <= 0:
            return -np.inf
        if p >= 1:
            return np.inf
        sd = self._mix_sd(parameter)
        keep = self._mix_w > 1e-14 * self._mix_w.max()
        q = self._m[keep] + sd[keep] * special.ndtri(p)
        lo, hi = float(q.min()), float(q.max())
        f = lambda x: float(self._cdf_mix(x, parameter)) - p  # noqa: E731
        width = max(hi - lo, 1e-8)
        while f(lo) > 0:
            lo -= width
            width *= 2
        width = max(hi - lo, 1e-8)
        while f(hi) < 0:
            hi += width
            width *= 2
        return float(optimize.brentq(f, lo, hi, xtol=1e-13, rtol=1e-15))

    # ----------------------------------------------------------------- public distribution functions
    @staticmethod
    def _one(kw: dict) -> tuple[str, object]:
        given = [(k, v) for k, v in kw.items() if v is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(kw)}")
        return given[0]

    @staticmethod
    def _shape(value, fn):
        arr = np.asarray(value, dtype=float)
        out = np.array([fn(float(v)) for v in arr.ravel()]).reshape(arr.shape)
        return float(out) if arr.ndim == 0 else out

    def pposterior(self, tau=None, mu=None, theta=None):
        """Posterior CDF of tau, mu or theta (give one), vectorised over arrays."""
        name, x = self._one({"tau": tau, "mu": mu, "theta": theta})
        if name == "tau":
            return self._shape(x, self._cdf_tau_scalar)
        return self._shape(x, lambda v: float(self._cdf_mix(v, name)))

    def dposterior(self, tau=None, mu=None, theta=None):
        """Posterior density of tau (0 below 0), mu or theta (give one), vectorised over arrays."""
        name, x = self._one({"tau": tau, "mu": mu, "theta": theta})
        if name == "tau":
            return self._shape(x, lambda v: float(self._d_tau(v)))
        return self._shape(x, lambda v: float(self._d_mix(v, name)))

    def qposterior(self, tau_p=None, mu_p=None, theta_p=None):
        """Posterior quantiles of tau, mu or theta at probabilities in [0, 1] (give one)."""
        name, p = self._one({"tau_p": tau_p, "mu_p": mu_p, "theta_p": theta_p})
        pa = np.asarray(p, dtype=float)
        if np.any((pa < 0) | (pa > 1)) or np.any(np.isnan(pa)):
            raise ValueError("probabilities must lie in [0, 1]")
        if name == "tau_p":
            return self._shape(p, self._q_tau_scalar)
        par = name[:-2]
        return self._shape(p, lambda v: self._q_mix_scalar(v, par))

    def _quantile(self, parameter: str, p: float) -> float:
        return self._q_tau_scalar(p) if parameter == "tau" else self._q_mix_scalar(p, parameter)

    def _density(self, parameter: str, x: float) -> float:
        return float(self._d_tau(x)) if parameter == "tau" else float(self._d_mix(x, parameter))

    def post_interval(self, level: float = 0.95, parameter: str = "mu", method: str = "shortest") -> tuple[float, float]:
        """A posterior interval (lower, upper) with mass ``level`` (a fraction, 0 < level < 1).

        ``method="central"``: the equal-tailed interval ((1 − level)/2 and (1 + level)/2
        quantiles).  ``method="shortest"`` (bayesmeta's default): the shortest interval of
        that mass, found as bayesmeta does by optimising the lower tail probability p;
        at the optimum the density is equal at both ends (for tau, the interval starts
        at 0 when the density there is higher than at the level-quantile).
        """
        if parameter not in PARAMETERS:
            raise ValueError(f"parameter must be one of {PARAMETERS}, not {parameter!r}")
        if not 0 < level < 1:
            raise ValueError(f"level must be a fraction in (0, 1), not {level!r}")
        if method == "central":
            a = (1 - level) / 2
            return self._quantile(parameter, a), self._quantile(parameter, 1 - a)
        if method != "shortest":
            raise ValueError(f"method must be 'shortest' or 'central', not {method!r}")
        return self._shortest(parameter, level)

    def _shortest(self, parameter: str, level: float) -> tuple[float, float]:
        # d/dp [Q(p + level) − Q(p)] = 1/f(Q(p + level)) − 1/f(Q(p)); its sign is that of
        # log f(Q(p)) − log f(Q(p + level)); the root equalises the density at both ends.
        def ends(p):
            return self._quantile(parameter, p), self._quantile(parameter, p + level)

        def slope(p):
            a, b = ends(p)
            fa, fb = self._density(parameter, a), self._density(parameter, b)
            with np.errstate(divide="ignore"):
                return float(np.log(fa) - np.log(fb))

        eps = 1e-10 * (1 - level)
        lo, hi = (0.0 if parameter == "tau" else eps), 1 - level - eps
        s_lo = slope(lo)
        if s_lo >= 0:
            return ends(lo)
        if slope(hi) <= 0:
            return ends(hi)
        p = optimize.brentq(slope, lo, hi, xtol=1e-12)
        return ends(p)

    # ----------------------------------------------------------------- point summaries
    def _mode(self, parameter: str) -> float:
        if parameter == "tau":
            lp = self._log_post(self.nodes)
            j = int(np.argmax(lp))
            if self._log_post(0.0) >= lp[j]:
                j = -1
            hi = self.nodes[min(j + 1, len(self.nodes) - 1)]
            lo = 0.0 if j <= 0 else self.nodes[j - 1]
            r = optimize.minimize_scalar(lambda x: -float(self._log_post(x)), bounds=(lo, hi), method="bounded",
                                         options={"xatol": 1e-12 * max(hi, 1e-300)})
            # log p is even in tau (flat at 0): an optimum within rounding of p(0) is the boundary
            return 0.0 if float(self._log_post(0.0)) >= -r.fun - 1e-12 else float(r.x)
        grid = np.linspace(self._q_mix_scalar(1e-3, parameter), self._q_mix_scalar(1 - 1e-3, parameter), 81)
        d = self._d_mix(grid, parameter)
        j = int(np.argmax(d))
        lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, grid.size - 1)]
        slope = lambda x: self._slope_mix(x, parameter)  # noqa: E731
        if slope(lo) > 0 > slope(hi):    # the density's derivative, in closed form, changes sign
            return float(optimize.brentq(slope, lo, hi, xtol=1e-13, rtol=1e-15))
        r = optimize.minimize_scalar(lambda x: -float(self._d_mix(x, parameter)), bounds=(lo, hi), method="bounded",
                                     options={"xatol": 1e-12 * max(1.0, abs(grid[j]))})
        return float(r.x)

    def _slope_mix(self, x: float, parameter: str) -> float:
        """d/dx of the mixture density of mu or theta at x."""
        sd = self._mix_sd(parameter)
        z = (x - self._m) / sd
        return float(self._mix_w @ (-z * np.exp(-0.5 * z**2) / (np.sqrt(2 * np.pi) * sd**2)))

    def _tail_moment(self, r: int) -> float:
        """E[tau^r], or inf where the integrand has not decayed at the end of the range."""
        terms = self.weights * self.nodes**r
        total = float(terms.sum())
        last_panel = float(terms[-_GL_N:].sum())
        integrand_end = float(self._integrand(self._T, self._s) * _tau_of_t(self._T, self._s) ** r / self._z)
        if integrand_end > 1e-12 * max(total, 1e-300) or last_panel > 1e-12 * total:
            return np.inf
        return total

    @cached_property
    def moments(self) -> pd.DataFrame:
        """Posterior mean and sd of tau, mu and theta.  Where a moment does not exist (the
        heavy tail of p(tau | y) under a uniform prior with few studies: E[tau] needs a tail
        faster than tau^-2, E[tau²] faster than tau^-3) the sd, or the mean of tau, is inf and
        the mean of theta (then not absolutely integrable) NaN; with a flat prior on mu the
        sd of mu needs E[tau²] too.  Existence is judged numerically: the moment's integrand
        must have decayed at the end of the quadrature range."""
        et, et2 = self._tail_moment(1), self._tail_moment(2)
        emu = float(self._mix_w @ self._m) / float(self._mix_w.sum())
        var_m = float(self._mix_w @ (self._m - emu) ** 2) / float(self._mix_w.sum())
        var_cond = float(self._mix_w @ self._v) / float(self._mix_w.sum())
        if self.mu_prior_sd is None and not np.isfinite(et2):
            var_cond = np.inf
        sd_tau = np.sqrt(max(et2 - et**2, 0.0)) if np.isfinite(et2) else np.inf
        sd_mu = np.sqrt(var_m + var_cond)
        mean_theta = emu if np.isfinite(et) else np.nan
        sd_theta = np.sqrt(var_m + var_cond + et2) if np.isfinite(et2) else np.inf
        return pd.DataFrame({"tau": [et, sd_tau], "mu": [emu, sd_mu], "theta": [mean_theta, sd_theta]},
                            index=["mean", "sd"])

    @cached_property
    def summary(self) -> pd.DataFrame:
        """bayesmeta's summary: rows ``mode, median, mean, sd, 95% lower, 95% upper``,
        columns ``tau, mu, theta`` (scale of y); the 95 % limits are the shortest intervals,
        as bayesmeta's (``post_interval(method="central")`` for equal tails); mean and sd
        as :attr:`moments` (inf/NaN where they do not exist)."""
        mom = self.moments
        rows = {}
        for par in PARAMETERS:
            lo, hi = self._shortest(par, 0.95)
            rows[par] = [self._mode(par), self._quantile(par, 0.5), mom.loc["mean", par], mom.loc["sd", par], lo, hi]
        return pd.DataFrame(rows, index=["mode", "median", "mean", "sd", "95% lower", "95% upper"])

    def __repr__(self) -> str:
        mu = "flat" if self.mu_prior_sd is None else f"N({self.mu_prior_mean:g}, {self.mu_prior_sd:g}^2)"
        return f"BayesMeta(k={self.k}, tau prior={self.tau_prior}, mu prior={mu})"


def bayesmeta(y, sigma, *, tau_prior=("halfnormal", 0.5), mu_prior_mean: float = 0.0,
              mu_prior_sd: float | None = None, labels: Sequence[str] | None = None) -> BayesMeta:
    """Bayesian normal–normal random-effects meta-analysis, as R ``bayesmeta(y, sigma, ...)``
    (Röver 2020), by exact numerical integration (no MCMC).

    Parameters
    ----------
    y, sigma : effect estimates (e.g. log HR) and their standard errors (same units).
    tau_prior : ``("halfnormal", scale)`` (default scale 0.5 on the log-HR scale),
        ``("halfcauchy", scale)``, ``"uniform"`` (improper, on tau ≥ 0), or a callable
        density ``f(tau)`` on tau ≥ 0 (need not be normalised; vectorised or not).
    mu_prior_mean, mu_prior_sd : normal prior on mu; ``mu_prior_sd=None`` (default) is
        the flat (improper uniform) prior, as bayesmeta's ``mu.prior.mean``/``mu.prior.sd``
        left unset.
    labels : optional study labels.

    Raises ``NotEstimable`` (a ValueError) for k = 0, ValueError for non-finite or
    non-positive sigma, and ValueError for an improper posterior: with a uniform prior
    on tau, p(tau | y) decays as tau^(1−k) under a flat prior on mu (k ≥ 3 needed) and
    as tau^(−k) under a normal one (k ≥ 2); a callable prior whose posterior does not
    decay at 0 or infinity is refused too.
    """
    return BayesMeta(y, sigma, tau_prior=tau_prior, mu_prior_mean=mu_prior_mean, mu_prior_sd=mu_prior_sd,
                     labels=labels)
