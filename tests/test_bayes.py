"""helpers.bayesmeta: the normal–normal random-effects model by exact numerical integration,
against bayesmeta's published eight-schools values (Röver 2020, J Stat Softw 93(6), and the
package vignette), independent adaptive quadrature and a brute-force 2-D grid."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

import helpers as h
from helpers.meta.bayes import BayesMeta

# Rubin (1981), as bayesmeta ships it (data("Rubin1981"))
Y = np.array([28.39, 7.94, -2.75, 6.82, -0.64, 0.63, 18.01, 12.16])
SIGMA = np.array([14.9, 10.2, 16.3, 11.0, 9.4, 11.4, 10.4, 17.6])
PROPS = settings(deadline=None, derandomize=True, max_examples=30)


@pytest.fixture(scope="module")
def cauchy():
    return h.bayesmeta(Y, SIGMA, tau_prior=("halfcauchy", 25), mu_prior_mean=0, mu_prior_sd=50)


@pytest.fixture(scope="module")
def uniform():
    return h.bayesmeta(Y, SIGMA, tau_prior="uniform")


# --------------------------------------------------------------------------- reference values
def test_half_cauchy_reference_values(cauchy):
    # exact values from independent adaptive quadrature (1e-6); bayesmeta's output for the
    # median of mu (7.962961, from its DIRECT discrete-mixture approximation) to 1e-4 relative
    assert cauchy.qposterior(tau_p=0.5) == pytest.approx(4.7585393, abs=1e-6)
    assert cauchy.qposterior(tau_p=0.95) == pytest.approx(15.165894, abs=1e-6)
    assert cauchy.qposterior(mu_p=0.5) == pytest.approx(7.963499, abs=1e-6)
    assert cauchy.qposterior(mu_p=0.5) == pytest.approx(7.962961, rel=1e-4)
    assert cauchy.qposterior(tau_p=0.5) == pytest.approx(4.758539, abs=1e-6)   # bayesmeta's output
    assert cauchy.summary.loc["median", "tau"] == pytest.approx(4.7585393, abs=1e-6)
    assert cauchy.summary.loc["95% upper", "tau"] == pytest.approx(15.165894, abs=1e-6)  # shortest = [0, q95]
    assert cauchy.summary.loc["95% lower", "tau"] == 0.0


def test_uniform_flat_reference_values(uniform):
    assert uniform.qposterior(tau_p=0.5) == pytest.approx(5.2277318, abs=1e-6)
    assert uniform.qposterior(tau_p=0.5) == pytest.approx(5.227732, abs=1e-6)   # bayesmeta's output
    assert uniform.qposterior(mu_p=0.5) == pytest.approx(8.056407, abs=1e-6)
    assert uniform.qposterior(mu_p=0.5) == pytest.approx(8.055861, rel=1e-4)
    assert np.isnan(uniform.log_marginal_likelihood)     # improper priors: no marginal likelihood


def _quad_posterior(fit: BayesMeta, log_prior):
    """p(tau | y) by scipy's adaptive quad on [0, inf), independently of the fit's rule."""
    def lp(t):
        ll, _, _ = fit._conditional(np.array([t]))
        return float(ll[0]) + float(log_prior(t))
    shift = max(lp(t) for t in np.linspace(0, 100, 201))
    f = lambda t: math.exp(lp(t) - shift)  # noqa: E731
    z = integrate.quad(f, 0, np.inf, epsabs=0, epsrel=1e-12, limit=500)[0]
    return f, z, shift


def test_tau_posterior_matches_scipy_quad(cauchy):
    log_prior = lambda t: math.log(2 / (math.pi * 25)) - math.log1p((t / 25) ** 2)  # noqa: E731
    f, z, shift = _quad_posterior(cauchy, log_prior)
    for x in (0.5, 4.0, 10.0, 40.0):
        assert cauchy.pposterior(tau=x) == pytest.approx(integrate.quad(f, 0, x, epsrel=1e-12, limit=500)[0] / z,
                                                         abs=1e-10)
        assert cauchy.dposterior(tau=x) == pytest.approx(f(x) / z, rel=1e-9)
    assert cauchy.log_marginal_likelihood == pytest.approx(math.log(z) + shift, abs=1e-9)
    mean = integrate.quad(lambda t: t * f(t), 0, np.inf, epsrel=1e-12, limit=500)[0] / z
    assert cauchy.summary.loc["mean", "tau"] == pytest.approx(mean, rel=1e-9)
    # mu: the tau-mixture of the conditional normals, by nested quad
    cm = cauchy.conditional_moments
    cdf = integrate.quad(lambda t: f(t) * stats.norm.cdf(8.0, *cm(t).loc[0, ["mean", "sd"]]), 0, np.inf,
                         epsrel=1e-11, limit=500)[0] / z
    assert cauchy.pposterior(mu=8.0) == pytest.approx(cdf, abs=1e-9)


def test_brute_force_2d_grid(cauchy):
    # posterior on a fine (tau, mu) grid: p(tau, mu | y) ∝ p(tau) p(mu) Π N(y_i; mu, sigma_i² + tau²)
    dt, dm = 0.04, 0.04
    tau = np.arange(dt / 2, 150, dt)
    mu = np.arange(-45, 60, dm)
    ll = np.zeros((tau.size, mu.size))
    for yi, si in zip(Y, SIGMA):
        v = si**2 + tau[:, None] ** 2
        ll += -0.5 * np.log(2 * np.pi * v) - 0.5 * (yi - mu[None, :]) ** 2 / v
    lp = ll + stats.halfcauchy.logpdf(tau, scale=25)[:, None] + stats.norm.logpdf(mu, 0, 50)[None, :]
    shift = lp.max()
    p = np.exp(lp - shift)
    z = p.sum() * dt * dm
    p_tau, p_mu = p.sum(axis=1) * dm / z, p.sum(axis=0) * dt / z
    med_tau = np.interp(0.5, np.cumsum(p_tau) * dt, tau + dt / 2)
    med_mu = np.interp(0.5, np.cumsum(p_mu) * dm, mu + dm / 2)
    s = cauchy.summary
    assert med_tau == pytest.approx(s.loc["median", "tau"], abs=5e-3)
    assert med_mu == pytest.approx(s.loc["median", "mu"], abs=5e-3)
    assert (p_tau * tau).sum() * dt == pytest.approx(s.loc["mean", "tau"], abs=5e-3)
    assert (p_mu * mu).sum() * dm == pytest.approx(s.loc["mean", "mu"], abs=5e-3)
    assert math.log(z) + shift == pytest.approx(cauchy.log_marginal_likelihood, abs=1e-3)
    assert mu[np.argmax(p_mu)] == pytest.approx(s.loc["mode", "mu"], abs=2 * dm)


def test_summary_shape_and_coherence(cauchy):
    s = cauchy.summary
    assert list(s.index) == ["mode", "median", "mean", "sd", "95% lower", "95% upper"]
    assert list(s.columns) == ["tau", "mu", "theta"]
    assert s.loc["mean", "theta"] == pytest.approx(s.loc["mean", "mu"], rel=1e-12)
    # var(theta) = var(mu) + E[tau²]
    e_tau2 = float(cauchy.weights @ cauchy.nodes**2)
    assert s.loc["sd", "theta"] ** 2 == pytest.approx(s.loc["sd", "mu"] ** 2 + e_tau2, rel=1e-10)
    for par in ("tau", "mu", "theta"):
        lo, hi = cauchy.post_interval(0.95, par, "shortest")
        assert (lo, hi) == pytest.approx((s.loc["95% lower", par], s.loc["95% upper", par]))
    assert cauchy.k == 8 and cauchy.mu_prior_sd == 50 and "Cauchy" in cauchy.tau_prior
    assert cauchy.weights.sum() == pytest.approx(1, abs=1e-12)


def test_shortest_interval_equalises_density(cauchy):
    lo, hi = cauchy.post_interval(0.9, "mu")
    assert cauchy.dposterior(mu=lo) == pytest.approx(cauchy.dposterior(mu=hi), rel=1e-6)
    assert cauchy.pposterior(mu=hi) - cauchy.pposterior(mu=lo) == pytest.approx(0.9, abs=1e-9)
    clo, chi = cauchy.post_interval(0.9, "mu", "central")
    assert cauchy.pposterior(mu=clo) == pytest.approx(0.05, abs=1e-10)
    assert hi - lo <= chi - clo


def test_vectorised_and_scalar_outputs(cauchy):
    p = np.array([[0.1, 0.5], [0.9, 0.99]])
    q = cauchy.qposterior(mu_p=p)
    assert q.shape == (2, 2) and isinstance(cauchy.qposterior(mu_p=0.5), float)
    np.testing.assert_allclose(cauchy.pposterior(mu=q), p, atol=1e-10)
    assert cauchy.dposterior(tau=-1.0) == 0.0 and cauchy.pposterior(tau=-1.0) == 0.0
    assert cauchy.qposterior(tau_p=[0.0, 1.0]).tolist() == [0.0, np.inf]
    assert cauchy.qposterior(theta_p=[0.0, 1.0]).tolist() == [-np.inf, np.inf]
    d = cauchy.dposterior(theta=np.linspace(-60, 80, 2001))
    mass = cauchy.pposterior(theta=80.0) - cauchy.pposterior(theta=-60.0)
    assert (d[1:] + d[:-1]).sum() * 0.07 / 2 == pytest.approx(mass, abs=1e-6)


def test_callable_prior_equals_built_in_half_normal():
    ref = h.bayesmeta(Y, SIGMA, tau_prior=("halfnormal", 10), mu_prior_sd=40)
    vec = h.bayesmeta(Y, SIGMA, tau_prior=lambda t: 2 * stats.norm.pdf(t, scale=10), mu_prior_sd=40)
    scalar = h.bayesmeta(Y, SIGMA, tau_prior=lambda t: 3 * math.exp(-0.5 * (t / 10) ** 2), mu_prior_sd=40)
    np.testing.assert_allclose(vec.summary.to_numpy(), ref.summary.to_numpy(), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(scalar.summary.to_numpy(), ref.summary.to_numpy(), rtol=1e-8, atol=1e-9)
    assert vec.log_marginal_likelihood == pytest.approx(ref.log_marginal_likelihood, abs=1e-9)
    assert np.isnan(scalar.log_marginal_likelihood)      # not a normalised density
    assert np.isnan(h.bayesmeta(Y, SIGMA, tau_prior=("halfnormal", 10)).log_marginal_likelihood)  # flat mu


def test_heavy_tails_give_infinite_moments():
    fit = h.bayesmeta(Y[:3], SIGMA[:3], tau_prior="uniform")     # p(tau | y) ~ tau^-2: no mean
    assert fit.summary.loc["mean", "tau"] == np.inf and fit.summary.loc["sd", "mu"] == np.inf
    assert np.isnan(fit.summary.loc["mean", "theta"])
    assert np.isfinite(fit.summary.loc["median", "tau"]) and np.isfinite(fit.summary.loc["mean", "mu"])
    fit4 = h.bayesmeta(Y[:4], SIGMA[:4], tau_prior="uniform")    # ~ tau^-3: mean, no sd
    assert np.isfinite(fit4.summary.loc["mean", "tau"]) and fit4.summary.loc["sd", "tau"] == np.inf


def test_single_study_with_proper_prior():
    fit = h.bayesmeta([0.3], [0.2], tau_prior=("halfnormal", 0.5))
    # flat prior on mu: mu | tau ~ N(y, sigma² + tau²), so its median is y
    assert fit.summary.loc["median", "mu"] == pytest.approx(0.3, abs=1e-10)
    assert fit.summary.loc["median", "tau"] == pytest.approx(stats.halfnorm.ppf(0.5, scale=0.5), rel=1e-9)


def test_improper_posterior_boundaries_are_accepted():
    h.bayesmeta(Y[:3], SIGMA[:3], tau_prior="uniform")
    h.bayesmeta(Y[:2], SIGMA[:2], tau_prior="uniform", mu_prior_sd=10)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, match", [
    (dict(y=[], sigma=[]), "k = 0"),
    (dict(y=[1.0, 2.0], sigma=[1.0]), "sigma has 1"),
    (dict(y=[1.0, np.nan], sigma=[1.0, 1.0]), "y must be finite"),
    (dict(y=[1.0, 2.0], sigma=[1.0, np.inf]), "sigma"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 0.0]), "sigma"),
    (dict(y=[1.0, 2.0], sigma=[1.0, -1.0]), "sigma"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], tau_prior="uniform"), "improper posterior"),
    (dict(y=[1.0], sigma=[1.0], tau_prior="uniform", mu_prior_sd=10.0), "improper posterior"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], tau_prior=lambda t: np.ones_like(t)), "improper posterior"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], tau_prior=lambda t: 1 / t), "improper posterior"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], tau_prior=lambda t: -np.ones_like(t)), "non-negative"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], tau_prior=("halfnormal", 0)), "scale"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], tau_prior=("lognormal", 1)), "tau_prior must be"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], mu_prior_sd=0.0), "mu_prior_sd"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], mu_prior_mean=np.nan), "mu_prior_mean"),
    (dict(y=[1.0, 2.0], sigma=[1.0, 1.0], labels=["a"]), "labels"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        h.bayesmeta(**kwargs)


def test_k0_is_not_estimable():
    with pytest.raises(h.NotEstimable):
        h.bayesmeta([], [])


def test_distribution_function_errors(cauchy):
    with pytest.raises(ValueError, match="exactly one"):
        cauchy.qposterior()
    with pytest.raises(ValueError, match="exactly one"):
        cauchy.pposterior(tau=1.0, mu=1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        cauchy.qposterior(mu_p=1.5)
    with pytest.raises(ValueError, match="parameter"):
        cauchy.post_interval(parameter="sigma")
    with pytest.raises(ValueError, match="method"):
        cauchy.post_interval(method="hpd")
    with pytest.raises(ValueError, match="level"):
        cauchy.post_interval(level=95)


# --------------------------------------------------------------------------- properties
datasets = st.integers(2, 7).flatmap(lambda k: st.tuples(
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=k, max_size=k),
    st.lists(st.floats(0.05, 1.0, allow_nan=False), min_size=k, max_size=k),
    st.sampled_from([("halfnormal", 0.5), ("halfcauchy", 0.5), ("halfnormal", 2.0)]),
    st.sampled_from([None, 1.0]),
))


@PROPS
@given(datasets)
def test_properties(data):
    y, sigma, prior, mu_sd = data
    fit = h.bayesmeta(y, sigma, tau_prior=prior, mu_prior_sd=mu_sd)
    s = fit.summary
    for par in ("tau", "mu", "theta"):
        lo, hi = s.loc["95% lower", par], s.loc["95% upper", par]
        assert lo <= hi
        assert lo - 1e-9 <= s.loc["median", par] <= hi + 1e-9
        assert lo - 1e-9 <= s.loc["mode", par] <= hi + 1e-9
        clo, chi = fit.post_interval(0.95, par, "central")
        assert hi - lo <= chi - clo + 1e-9
        kw = {par: np.array([lo, hi])}
        mass = np.diff(fit.pposterior(**kw))[0]
        assert 0 <= mass <= 1 and mass == pytest.approx(0.95, abs=1e-8)
        grid = np.linspace(lo - 1, hi + 1, 41)
        cdf = fit.pposterior(**{par: grid})
        assert np.all(np.diff(cdf) >= -1e-13) and np.all((cdf >= 0) & (cdf <= 1 + 1e-12))
        p = np.array([0.01, 0.3, 0.5, 0.8, 0.99])
        q = fit.qposterior(**{f"{par}_p": p})
        np.testing.assert_allclose(fit.pposterior(**{par: q}), p, atol=1e-9)
