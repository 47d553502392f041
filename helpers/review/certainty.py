"""How sure can we be? The primary results read as probabilities and as sequential evidence.

``certainty_report(results)`` computes what the certainty chapter shows, and
``certainty_glue_values(report)`` formats every number its prose quotes.  Four parts:

* **Bayesian** (``bayes_analyses``): the normal–normal random-effects model of the pooled
  log hazard ratios by exact numerical integration (``helpers.meta.bayesmeta``, after R
  bayesmeta, Röver 2020), with the book's default priors — half-normal(0.5) on the
  between-trial sd τ (Friede et al. 2017; Röver 2020) and a flat prior on the mean log HR —
  and four sensitivity analyses: half-normal(1.0) on τ; a uniform prior on τ (improper; the
  posterior is proper only for k ≥ 3 with a flat mean); a sceptical normal prior on the mean centred on HR 1 with 95 %
  of its mass between HR 0.5 and 2 (sd = ln 2 / 1.959964 = 0.3537 on the log-HR scale); and
  the default priors on the pooled comparisons plus the imputed missing ones
  (``helpers.review.imputation``).  Posterior medians with the *shortest* 95 % intervals,
  P(HR < 1), P(HR < ``mcid_hr``), the predictive HR of a new trial with P(its HR < 1), and τ.
* **Adverse events** (``adverse_event_probability``): with one trial, that trial's log OR
  (Woolf's variance, ``escalc_or``) and P(OR > 1) = Φ(log OR / SE) under a flat prior and
  the normal approximation; from two trials, ``bayesmeta`` with the default priors.
* **Trial sequential analysis** (``tsa_analyses``): Wetterslev et al. (2008; 2017), the
  anticipated HR the pre-specified ``mcid_hr`` (never the observed one), α and power from
  ``SETTINGS``, diversity D² (Wetterslev et al. 2009), trials entering by date of first
  publication (undated ones last), z from the primary model's p at each look; sensitivity
  rows for REML-z, D² = 0.25 where D² is 0, HR 0.70, the low-risk-of-bias pooled HR and α
  split between the two primary outcomes.
* **One more null trial** (``null_trial``): a trial of ``null_trial_n`` patients (1:1) with
  HR 1 and SE √(1/d₁ + 1/d₂), d₁ = d₂ = n/2 × the control-arm event proportion, refitted
  under the primary frequentist model, the default Bayesian model and the primary TSA.

Units: effects are natural-log hazard (or odds) ratios, MDT vs control, negative = fewer
events with MDT; τ on the same scale; probabilities as fractions; information in units of
1/variance of the log HR, shown as events (× 4 for 1:1 allocation, Schoenfeld)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from helpers.meta.bayes import BayesMeta, bayesmeta
from helpers.meta.effects import escalc_or
from helpers.meta.rma import rma
from helpers.meta.sequential import VERDICTS, TSAResult, diversity, tsa
from helpers.review.settings import SETTINGS, AnalysisSettings

__all__ = ["SCEPTICAL_SD", "CertaintyReport", "certainty_report", "certainty_glue_values", "bayes_analyses",
           "posterior_summary", "frequentist_summary", "adverse_event_probability", "AEProbability",
           "entry_order", "tsa_analyses", "tsa_summary", "control_event_proportion", "null_trial", "NullTrial",
           "PRIOR_LABELS"]

SCEPTICAL_SD = math.log(2.0) / 1.959964   # 95% of a normal prior on log HR between HR 0.5 and HR 2
PRIOR_LABELS = {
    "default": "Default: half-normal(0.5) on τ, flat on the mean",
    "tau_wide": "Half-normal(1.0) on τ",
    "tau_uniform": "Uniform on τ",
    "sceptical": "Sceptical prior on the mean (centred on HR 1, 95% between HR 0.5 and 2)",
    "imputed": "Default priors, with the imputed missing comparisons",
}
WORD_EVENTS = 4.0   # events per unit of information for 1:1 allocation ((1 + r)² / r)


# --------------------------------------------------------------------------- Bayesian
def _prior_words(spec) -> str:
    if isinstance(spec, tuple):
        return f"{'half-normal' if spec[0] == 'halfnormal' else 'half-Cauchy'}({spec[1]:.1f})"
    return str(spec)


def posterior_summary(fit: BayesMeta, mcid: float) -> dict:
    """Posterior median HR with the shortest 95 % interval, P(HR < 1), P(HR < ``mcid``), the
    predictive HR of a new trial (median, shortest 95 % interval) with P(its HR < 1), and the
    posterior median τ (log-HR scale) with its shortest 95 % interval."""
    s = fit.summary
    return {"k": fit.k, "hr": math.exp(s.at["median", "mu"]), "hr_lb": math.exp(s.at["95% lower", "mu"]),
            "hr_ub": math.exp(s.at["95% upper", "mu"]), "p_benefit": float(fit.pposterior(mu=0.0)),
            "p_mcid": float(fit.pposterior(mu=math.log(mcid))),
            "new_hr": math.exp(s.at["median", "theta"]), "new_lb": math.exp(s.at["95% lower", "theta"]),
            "new_ub": math.exp(s.at["95% upper", "theta"]), "p_new_benefit": float(fit.pposterior(theta=0.0)),
            "tau": float(s.at["median", "tau"]), "tau_lb": float(s.at["95% lower", "tau"]),
            "tau_ub": float(s.at["95% upper", "tau"])}


def _data_sets(rep) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """(log HRs, SEs, note) of the pooled comparisons and of pooled + imputed."""
    y, v = rep.pooled["yi"].to_numpy(float), rep.pooled["vi"].to_numpy(float)
    out = {"pooled": (y, np.sqrt(v), "")}
    t = rep.missing.analysis.table
    imputed = t[t["imputed"]]
    if len(imputed):
        out["imputed"] = (t["yi"].to_numpy(float), t["sei"].to_numpy(float), f"{len(imputed)} imputed")
    else:
        out["imputed"] = (y, np.sqrt(v), "no missing comparison could be imputed")
    return out


def bayes_analyses(rep, settings: AnalysisSettings = SETTINGS) -> tuple[pd.DataFrame, dict[str, BayesMeta]]:
    """The default Bayesian analysis and its four sensitivity analyses for one outcome
    (``rep``: an ``EfficacyReport``): one row each with ``analysis`` (key), ``label``,
    ``k``, ``estimable``, ``note`` and the ``posterior_summary`` columns (NaN where not
    estimable), and the fits by key."""
    data = _data_sets(rep)
    y, se, _ = data["pooled"]
    specs = {"default": dict(tau_prior=settings.tau_prior),
             "tau_wide": dict(tau_prior=settings.tau_prior_wide),
             "tau_uniform": dict(tau_prior="uniform"),
             "sceptical": dict(tau_prior=settings.tau_prior, mu_prior_mean=0.0, mu_prior_sd=SCEPTICAL_SD)}
    rows, fits = [], {}
    for key, kw in [*specs.items(), ("imputed", dict(tau_prior=settings.tau_prior))]:
        yy, ss, note = data["imputed"] if key == "imputed" else (y, se, "")
        row = {"analysis": key, "label": PRIOR_LABELS[key], "k": len(yy), "note": note}
        try:
            fit = bayesmeta(yy, ss, **kw)
        except ValueError:   # improper posterior (uniform τ with k < 3) or nothing to pool
            need = 3 if kw.get("mu_prior_sd") is None else 2
            row.update(estimable=False, note=f"posterior not proper with k = {len(yy)} (needs k ≥ {need})")
            rows.append(row)
            continue
        fits[key] = fit
        rows.append(row | {"estimable": True} | posterior_summary(fit, settings.mcid_hr))
    return pd.DataFrame(rows), fits


def frequentist_summary(rep) -> dict:
    """The primary model's pooled HR with its CI and prediction interval (NaN for k < 3),
    p-value and τ (square root of the REML τ²), as the PFS and OS chapters report them."""
    r, p = rep.res, rep.pred
    pi = (math.exp(p["pi_lb"]), math.exp(p["pi_ub"])) if p["pi_lb"] is not None else (math.nan, math.nan)
    return {"k": r.k, "hr": math.exp(r.beta), "hr_lb": math.exp(r.ci_lb), "hr_ub": math.exp(r.ci_ub),
            "pi_lb": pi[0], "pi_ub": pi[1], "pval": r.pval, "tau": math.sqrt(r.tau2)}


# --------------------------------------------------------------------------- adverse events
@dataclass(frozen=True)
class AEProbability:
    """P(OR > 1) for grade ≥2 adverse events (MDT vs control).  ``k`` usable trials; for
    k = 1 the trial's own log OR (Woolf) and P(OR > 1) = Φ(log OR / SE), flat prior and normal
    approximation (``method`` says so); for k ≥ 2 the default-prior ``bayesmeta`` posterior of
    the mean log OR; for k = 0 all NaN."""

    k: int
    method: str
    trials: tuple[str, ...]
    counts: tuple[tuple[int, int, int, int], ...]   # (events MDT, n MDT, events control, n control)
    log_or: float
    se: float
    p_harm: float
    k_included: int = 0    # included comparisons, whether they report the events or not

    @property
    def odds_ratio(self) -> tuple[float, float, float]:
        z = stats.norm.isf(0.025)
        return (math.exp(self.log_or), math.exp(self.log_or - z * self.se), math.exp(self.log_or + z * self.se))


def adverse_event_probability(sr, settings: AnalysisSettings = SETTINGS) -> AEProbability:
    """``AEProbability`` from a ``SafetyResult`` (its ``usable`` 2×2 tables)."""
    u, k_all = sr.usable, len(sr.table)
    counts = tuple((int(a), int(n1), int(c), int(n2)) for a, n1, c, n2 in zip(u["ai"], u["n1i"], u["ci"], u["n2i"]))
    trials = tuple(str(t) for t in u["trial"])
    if not counts:
        return AEProbability(0, "no trial reports the events per arm", (), (), math.nan, math.nan, math.nan, k_all)
    args = [np.array([row[i] for row in counts], float) for i in range(4)]
    yi, vi = escalc_or(*args, add=settings.or_add, to=settings.or_to)
    ok = np.isfinite(yi)
    if ok.sum() == 0:
        return AEProbability(len(counts), "no trial has events in either arm", trials, counts, math.nan, math.nan,
                             math.nan, k_all)
    if ok.sum() == 1:
        y, se = float(yi[ok][0]), math.sqrt(float(vi[ok][0]))
        return AEProbability(len(counts), "one trial: flat prior, normal approximation", trials, counts, y, se,
                             float(stats.norm.cdf(y / se)), k_all)
    fit = bayesmeta(yi[ok], np.sqrt(vi[ok]), tau_prior=settings.tau_prior)
    s = fit.summary
    return AEProbability(len(counts), "random-effects posterior, default priors", trials, counts,
                         float(s.at["median", "mu"]), float(s.at["sd", "mu"]), float(1 - fit.pposterior(mu=0.0)), k_all)


# --------------------------------------------------------------------------- trial sequential analysis
def entry_order(dates) -> tuple[list[tuple[int, str]], int]:
    """Sort keys of entry into the cumulative meta-analysis from first-publication dates
    ("2019", "2019-12-12", "undated"): dated trials by their date as written (a year alone
    sorts before the dates within it), undated ones (or missing dates) last, in the given
    order; and the number undated."""
    keys = []
    for d in dates:
        text = "" if d is None or (isinstance(d, float) and math.isnan(d)) else str(d).strip()
        undated = not text[:4].isdigit()
        keys.append((int(undated), "" if undated else text))
    return keys, sum(k[0] for k in keys)


def _tsa(y, v, keys, labels, settings, **kw) -> TSAResult:
    base = dict(hr=settings.mcid_hr, alpha=settings.tsa_alpha, power=settings.tsa_power,
                method=settings.method, test=settings.test)
    return tsa(y, v, order=keys, labels=labels, **(base | kw))


def tsa_analyses(rep, settings: AnalysisSettings = SETTINGS) -> tuple[dict[str, TSAResult], dict[str, str]]:
    """The primary TSA of one outcome and its sensitivity analyses, by key: ``primary``
    (HR ``mcid_hr``, ``tsa_alpha``, ``tsa_power``, D² of all trials, z from the primary
    model's p), ``reml_z`` (z from REML with the Wald z-test), ``d2`` (D² = ``tsa_d2_if_zero``,
    only where D² is 0), ``hr_alt`` (HR ``tsa_hr_alt``), ``hr_alt_z`` (both), ``low_rob`` (the pooled HR of the
    trials at low overall risk of bias, where at least two are and it is below 1) and
    ``alpha_split`` (α/2: two primary outcomes).  Also the notes of the rows not run."""
    p = rep.pooled
    y, v = p["yi"].to_numpy(float), p["vi"].to_numpy(float)
    keys, _ = entry_order(p["first_pub_date"])
    labels = list(p["trial"])
    D2 = diversity(rma(y, v, method="REML", test="z")) if len(y) >= 2 else 0.0
    out, notes = {}, {}
    run = lambda **kw: _tsa(y, v, keys, labels, settings, D2=kw.pop("D2", D2), **kw)  # noqa: E731
    out["primary"] = run()
    out["reml_z"] = run(test="z")
    if D2 == 0:
        out["d2"] = run(D2=settings.tsa_d2_if_zero)
    out["hr_alt"] = run(hr=settings.tsa_hr_alt)
    out["hr_alt_z"] = run(hr=settings.tsa_hr_alt, test="z")
    low = p[p["rob_overall"].astype(str) == "low"]
    if len(low) >= 2:
        hr_low = math.exp(rma(low["yi"].to_numpy(float), low["vi"].to_numpy(float), method=settings.method,
                              test=settings.test).beta)
        if hr_low < 1:
            out["low_rob"] = run(hr=hr_low)
        else:
            notes["low_rob"] = f"the trials at low risk of bias pool to HR {hr_low:.2f}, no benefit to anticipate"
    else:
        notes["low_rob"] = (f"{'only one pooled trial is' if len(low) == 1 else 'no pooled trial is'} at low overall "
                            "risk of bias, fewer than the two needed to pool an anticipated HR")
    out["alpha_split"] = run(alpha=settings.tsa_alpha / 2)
    return out, notes


TSA_LABELS = {"primary": "Primary", "reml_z": "Z from REML with the Wald z-test", "d2": "D² set to {d2:g}",
              "hr_alt": "Anticipated HR {hr:.2f}",
              "hr_alt_z": "Anticipated HR {hr:.2f}, z from REML with the Wald z-test", "low_rob": "Anticipated HR {hr:.2f} (low risk of bias trials)",
              "alpha_split": "α {alpha:g} (two primary outcomes)"}
NOT_RUN_LABELS = {"low_rob": "Anticipated HR of the trials at low risk of bias"}


def tsa_summary(outcome: str, results: dict[str, TSAResult], notes: dict[str, str]) -> pd.DataFrame:
    """One row per TSA: outcome, analysis (words), the anticipated HR, α, power, D², the
    required events without and with the D² adjustment, the accrued information as events
    and as a fraction of the required, the final Z and the benefit boundary at the last look
    (both signed so that benefit is positive), the verdict and the trial at the crossing;
    rows not run carry their note."""
    rows = []
    for key, r in results.items():
        last = r.looks.iloc[-1]
        rows.append({"outcome": outcome, "analysis": key,
                     "label": TSA_LABELS[key].format(d2=r.D2, hr=r.hr, alpha=r.alpha),
                     "hr": r.hr, "alpha": r.alpha, "power": r.power, "D2": r.D2, "z_source": r.z_source,
                     "events_required": r.required.events, "events_required_adjusted": r.required.events_adjusted,
                     "events_accrued": WORD_EVENTS * r.information, "fraction": r.t,
                     "z_final": -float(last["z"]), "boundary_final": -float(last["lower"]),
                     "verdict": r.verdict, "crossing": r.crossing or "", "note": ""})
    for key, note in notes.items():
        rows.append({"outcome": outcome, "analysis": key, "label": NOT_RUN_LABELS[key], "verdict": "not run",
                     "note": note})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- one more null trial
def control_event_proportion(review, rep, settings: AnalysisSettings = SETTINGS) -> tuple[float, str]:
    """The pooled control-arm event proportion of an outcome and where it comes from.

    First choice: the control-arm event counts printed for the pooled trials (Σ events /
    Σ control-arm size, from records before the cut-off).  Where no pooled trial prints
    them: the control-arm risk of an event by the landmark (``absolute_months``) of the
    absolute effects, 1 − S_control, averaged over the cancer groups with a baseline,
    weighted by the participants of their pooled comparisons.  NaN when neither exists."""
    p = rep.pooled
    in_time = review.records.loc[review.records["decision"] == "included", "record_id"]
    o = review.outcomes
    o = o[(o["outcome"] == rep.outcome) & o["record_id"].isin(in_time) & o["trial_id"].isin(p["trial_id"])]
    o = o[o["events_control"].notna()]
    sizes = review.trials.set_index("trial_id")["n_control"]
    o = o[[pd.notna(sizes.get(t)) for t in o["trial_id"]]]
    if len(o):
        o = o.sort_values("primary", ascending=False).drop_duplicates("trial_id")
        d = float(o["events_control"].astype(float).sum())
        n = float(sum(float(sizes[t]) for t in o["trial_id"]))
        return d / n, (f"The control-arm event counts printed by {len(o)} pooled "
                       f"{'trial' if len(o) == 1 else 'trials'} are used ({d:.0f} events in {n:.0f} patients)")
    a = rep.absolute
    if not len(a):
        return math.nan, "no control-arm events or control-arm baseline is printed"
    n_by = p.groupby("cancer_group")["n"].apply(lambda s: float(pd.to_numeric(s, errors="coerce").sum()))
    w = np.array([n_by.get(g, 0.0) for g in a["cancer_group"]], float)
    risk = 1.0 - a["control"].to_numpy(float)
    prop = float(np.sum(w * risk) / np.sum(w)) if w.sum() > 0 else float(risk.mean())
    from helpers.review.efficacy import GROUP_WORDS

    names = [GROUP_WORDS.get(g, str(g)) for g in a["cancer_group"]]
    where = (f"the {names[0]} comparisons, the only cancer group with a printed control median" if len(names) == 1 else
             f"{len(names)} cancer groups, weighted by the participants of their pooled comparisons")
    return prop, (f"No pooled trial prints control-arm event counts, so the control-arm risk of an event by "
                  f"{settings.absolute_months:g} months is taken from the baseline of the absolute effects "
                  f"(exponential survival from the printed control-arm medians; {where})")


@dataclass(frozen=True)
class NullTrial:
    """The pooled results before and after one more trial with HR 1: ``n`` patients 1:1,
    ``proportion`` the control-arm event proportion (``source`` in words), ``events`` per arm
    (d₁ = d₂ = n/2 × proportion) and ``se`` = √(1/d₁ + 1/d₂) of its log HR (0)."""

    outcome: str
    n: int
    proportion: float
    source: str
    events: float
    se: float
    before: dict = field(default_factory=dict)   # hr, hr_lb, hr_ub, pval, p_benefit, p_mcid, bayes_hr..., verdict
    after: dict = field(default_factory=dict)


def _state(y, se, keys, labels, settings) -> dict:
    f = rma(y, se**2, method=settings.method, test=settings.test, level=settings.level)
    b = posterior_summary(bayesmeta(y, se, tau_prior=settings.tau_prior), settings.mcid_hr)
    t = _tsa(y, se**2, keys, labels, settings)
    return {"hr": math.exp(f.beta), "hr_lb": math.exp(f.ci_lb), "hr_ub": math.exp(f.ci_ub), "pval": f.pval,
            "bayes_hr": b["hr"], "bayes_lb": b["hr_lb"], "bayes_ub": b["hr_ub"], "p_benefit": b["p_benefit"],
            "p_mcid": b["p_mcid"], "verdict": t.verdict, "fraction": t.t}


def null_trial(review, rep, settings: AnalysisSettings = SETTINGS) -> NullTrial:
    """One more trial of ``settings.null_trial_n`` patients with HR 1 added last (the newest
    trial), refitted under the primary model, the default Bayesian model and the primary TSA."""
    prop, source = control_event_proportion(review, rep, settings)
    n = settings.null_trial_n
    d = n / 2 * prop
    se = math.sqrt(2.0 / d) if d > 0 else math.nan
    p = rep.pooled
    y, s = p["yi"].to_numpy(float), np.sqrt(p["vi"].to_numpy(float))
    keys, _ = entry_order(p["first_pub_date"])
    labels = list(p["trial"])
    before = _state(y, s, keys, labels, settings)
    after = {}
    if math.isfinite(se):
        after = _state(np.r_[y, 0.0], np.r_[s, se], keys + [(2, "")], labels + ["a new null trial"], settings)
    return NullTrial(rep.outcome, n, prop, source, d, se, before, after)


# --------------------------------------------------------------------------- the report
@dataclass(frozen=True)
class CertaintyReport:
    settings: AnalysisSettings
    frequentist: dict[str, dict]          # outcome → frequentist_summary
    bayes: dict[str, pd.DataFrame]        # outcome → bayes_analyses table
    fits: dict[str, dict[str, BayesMeta]] = field(repr=False)
    adverse: AEProbability = None
    tsa: dict[str, dict[str, TSAResult]] = field(default_factory=dict, repr=False)
    tsa_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    tsa_table: pd.DataFrame = None
    undated: dict[str, int] = field(default_factory=dict)
    null: dict[str, NullTrial] = field(default_factory=dict)
    missing_k: dict[str, int] = field(default_factory=dict)   # included comparisons with no poolable result
    imputed_k: dict[str, int] = field(default_factory=dict)


def certainty_report(results, outcomes=("PFS", "OS")) -> CertaintyReport:
    """Everything the certainty chapter shows, from a ``Results`` object."""
    s = results.settings
    freq, bayes, fits, tsas, notes, undated, null, missing_k, imputed_k = {}, {}, {}, {}, {}, {}, {}, {}, {}
    rows = []
    for oc in outcomes:
        rep = results.efficacy[oc]
        freq[oc] = frequentist_summary(rep)
        bayes[oc], fits[oc] = bayes_analyses(rep, s)
        tsas[oc], notes[oc] = tsa_analyses(rep, s)
        rows.append(tsa_summary(oc, tsas[oc], notes[oc]))
        undated[oc] = entry_order(rep.pooled["first_pub_date"])[1]
        null[oc] = null_trial(results.review, rep, s)
        missing_k[oc] = len(rep.missing.table)
        imputed_k[oc] = sum(m.imputable for m in rep.missing.imputed)
    return CertaintyReport(s, freq, bayes, fits, adverse_event_probability(results.safety[">=2"], s), tsas, notes,
                           pd.concat(rows, ignore_index=True), undated, null, missing_k, imputed_k)


# --------------------------------------------------------------------------- the prose
OUTCOME_WORDS = {"PFS": "progression-free survival", "OS": "overall survival"}


def _verdict_words(row, mcid: float) -> str:
    """The verdict of one TSA row as a clause."""
    if row["verdict"] == VERDICTS[0]:
        return (f"the Z-curve crossed the boundary for benefit when {row['crossing']} was added: \u201cfirm evidence "
                "of benefit\u201d in the sense of trial sequential analysis, which controls repeated testing but does "
                "not weigh risk of bias or missing results (the GRADE certainty stands)")
    if row["verdict"] == VERDICTS[1]:
        return f"the Z-curve crossed the boundary for harm when {row['crossing']} was added"
    if row["verdict"] == VERDICTS[2]:
        return (f"the required information was reached without a crossing: an effect as large as HR {mcid:.2f} is "
                "unlikely")
    return "the Z-curve has crossed no boundary: not yet conclusive"


def certainty_glue_values(cr: CertaintyReport) -> dict[str, str]:
    """Every number and computed sentence of the certainty chapter, as text."""
    from helpers.show.text import count, fmt_num, fmt_prob, fmt_ratio, join_words, number_word

    s = cr.settings
    mcid = s.mcid_hr
    v = {"model": s.describe(), "mcid": f"{mcid:.2f}", "alpha": f"{s.tsa_alpha:g}", "power": f"{100 * s.tsa_power:.0f}%",
         "alpha_split": f"{s.tsa_alpha / 2:g}", "tau_prior": _prior_words(s.tau_prior),
         "tau_prior_wide": _prior_words(s.tau_prior_wide), "sceptical_sd": fmt_num(SCEPTICAL_SD, 3),
         "hr_alt": f"{s.tsa_hr_alt:.2f}", "mcid_reduction": f"{100 * (1 - mcid):.0f}%",
         "sceptical_range": f"HR {math.exp(-SCEPTICAL_SD * 1.959964):.1f} and {math.exp(SCEPTICAL_SD * 1.959964):.0f}", "d2_if_zero": f"{s.tsa_d2_if_zero:g}", "null_n": f"{s.null_trial_n:,}"}
    tt = cr.tsa_table
    for oc, b in cr.bayes.items():
        o, words = oc.lower(), OUTCOME_WORDS.get(oc, oc)
        d = b.set_index("analysis")
        r = d.loc["default"]
        f = cr.frequentist[oc]
        v[f"{o}_k"] = str(int(r["k"]))
        v[f"{o}_p1"], v[f"{o}_p_mcid"] = _is(r["p_benefit"]), _is(r["p_mcid"])   # "= 98.6%" or "> 99.9%"
        v[f"{o}_hr_bayes"] = fmt_ratio(r["hr"], r["hr_lb"], r["hr_ub"])
        v[f"{o}_new"] = fmt_ratio(r["new_hr"], r["new_lb"], r["new_ub"])
        v[f"{o}_p_new1"] = _is(r["p_new_benefit"])
        v[f"{o}_hr_freq"] = fmt_ratio(f["hr"], f["hr_lb"], f["hr_ub"])
        v[f"{o}_pi_freq"] = (f"{fmt_num(f['pi_lb'])} to {fmt_num(f['pi_ub'])}" if math.isfinite(f["pi_lb"])
                             else "not given (fewer than three comparisons)")
        v[f"{o}_new_range"] = f"{fmt_num(r['new_lb'])} to {fmt_num(r['new_ub'])}"
        ok = d[d["estimable"]]
        lo, hi = ok["p_benefit"].min(), ok["p_benefit"].max()
        v[f"{o}_p1_range"] = (fmt_prob(lo) if fmt_prob(lo) == fmt_prob(hi) else
                              f"from {fmt_prob(lo)} to {fmt_prob(hi)}")
        lo, hi = ok["p_mcid"].min(), ok["p_mcid"].max()
        v[f"{o}_p_mcid_range"] = (fmt_prob(lo) if fmt_prob(lo) == fmt_prob(hi) else
                                  f"from {fmt_prob(lo)} to {fmt_prob(hi)}")
        uni = d.loc["tau_uniform"]
        # the prior is improper; what the data can make proper (from k = 3) is the posterior
        v[f"{o}_uniform"] = (f"the posterior is proper (k = {int(uni['k'])})" if uni["estimable"] else
                             "the " + uni["note"].replace("posterior not", "posterior is not", 1))
        imp = d.loc["imputed"]
        n_missing, n_imputed = cr.missing_k[oc], cr.imputed_k[oc]
        v[f"{o}_caveat"] = (
            f"These probabilities rest on the {count(int(r['k']), 'comparison', words=True)} with a usable {words} result. "
            f"Another {count(n_missing, 'included comparison', words=True)} {'has' if n_missing == 1 else 'have'} none; "
            + (f"{number_word(n_imputed)} of them could be imputed, and with them P(HR < 1) "
               f"{_is(imp['p_benefit'])} and P(HR < {mcid:.2f}) {_is(imp['p_mcid'])}. " if n_imputed else
               "none of them could be imputed. ")
            + "The others could move the estimate either way, and no prior can stand in for them.")
        # trial sequential analysis
        rows = tt[tt["outcome"] == oc].set_index("analysis")
        p = rows.loc["primary"]
        v[f"{o}_D2"] = f"{p['D2']:.2f}"
        v[f"{o}_req"] = f"{p['events_required_adjusted']:,.0f}"
        v[f"{o}_req_raw"] = f"{p['events_required']:,.0f}"
        v[f"{o}_accrued"] = f"{p['events_accrued']:,.0f}"
        v[f"{o}_fraction"] = f"{100 * p['fraction']:.0f}%"
        v[f"{o}_verdict"] = p["verdict"]
        v[f"{o}_verdict_reml_z"] = rows.loc["reml_z", "verdict"]
        v[f"{o}_tsa_sentence"] = (
            f"For {words}, the pooled trials carry information worth about {p['events_accrued']:,.0f} events, "
            f"{100 * p['fraction']:.0f}% of the {p['events_required_adjusted']:,.0f} required to detect HR "
            f"{mcid:.2f} (D² = {p['D2']:.2f}); {_verdict_words(p, mcid)}.")
        sens = rows.drop(index="primary")
        run = sens[sens["verdict"] != "not run"]
        other = run[run["verdict"] != p["verdict"]]
        if len(other):
            v[f"{o}_tsa_sens"] = (f"The verdict differs in {count(len(other), 'sensitivity row', words=True)}: "
                                  + join_words(f"\u201c{lab}\u201d ({ver})"
                                               for lab, ver in zip(other["label"], other["verdict"])) + ".")
        else:
            v[f"{o}_tsa_sens"] = f"Every sensitivity row that could be run gives the same verdict ({p['verdict']})."
        # one more null trial
        n = cr.null[oc]
        if n.after:
            bf, af = n.before, n.after
            v[f"{o}_null_source"] = n.source
            v[f"{o}_null_sentence"] = (
                f"For {words}, the control-arm event proportion is {100 * n.proportion:.0f}%, so the new trial "
                f"would have about {n.events:.0f} events per arm and a standard error of {n.se:.2f} on the log "
                f"hazard ratio. Added to the pool, it would move the primary model's HR from "
                f"{fmt_ratio(bf['hr'], bf['hr_lb'], bf['hr_ub'])} to {fmt_ratio(af['hr'], af['hr_lb'], af['hr_ub'])}; "
                f"P(HR < 1) {_move(fmt_prob(bf['p_benefit']), fmt_prob(af['p_benefit']))}, P(HR < {mcid:.2f}) "
                f"{_move(fmt_prob(bf['p_mcid']), fmt_prob(af['p_mcid']))}, and the trial sequential verdict "
                f"{_move(bf['verdict'], af['verdict'], quote=True)}.")
        else:
            v[f"{o}_null_source"] = n.source
            v[f"{o}_null_sentence"] = f"For {words}, no control-arm event proportion is known: no null trial is added."
    undated = sum(cr.undated.values())
    v["order"] = ("No pooled comparison is undated." if undated == 0 else
                  f"{count(undated, 'pooled comparison')} without a date of first publication "
                  f"{'enters' if undated == 1 else 'enter'} last.")
    lows = {oc: note for oc, notes in cr.tsa_notes.items() for key, note in notes.items() if key == "low_rob"}
    if lows and len(set(lows.values())) == 1:
        v["low_rob"] = (f"For {'both outcomes' if len(lows) == len(cr.bayes) else join_words(lows)}, "
                        f"{next(iter(lows.values()))}, so the row anticipating their pooled HR is not run.")
    else:
        v["low_rob"] = (" ".join(f"For {OUTCOME_WORDS.get(oc, oc)}, {note}, so the row anticipating their pooled HR "
                                 "is not run." for oc, note in lows.items())
                        or "Every outcome has at least two trials at low risk of bias; their pooled HR is anticipated "
                           "in one row.")
    if "OS" in cr.bayes:
        rows = tt[tt["outcome"] == "OS"].set_index("analysis")
        hksj, z = rows.loc["primary", "verdict"], rows.loc["reml_z", "verdict"]
        reached = hksj == VERDICTS[0]
        v["os_claim"] = (
            "The paper reads its pooled data as showing that MDT improves overall survival. By the trial sequential "
            f"analysis with the primary model's z, that claim {'has' if reached else 'has not'} reached firm evidence "
            f"of benefit ({hksj})"
            + (f"; with the REML z-test it would be \u201c{z}\u201d instead." if z != hksj else
               "; the REML z-test gives the same verdict.")
            + f" Anticipating HR {s.tsa_hr_alt:.2f} instead, the verdict is \u201c{rows.loc['hr_alt', 'verdict']}\u201d "
              f"with the primary model's z and \u201c{rows.loc['hr_alt_z', 'verdict']}\u201d with the REML z-test.")
    v["ae_sentence"] = _ae_sentence(cr.adverse)
    return v


def _is(p: float) -> str:
    """``= 98.6%`` or ``> 99.9%``: a probability after its symbol."""
    from helpers.show.text import fmt_prob

    text = fmt_prob(p)
    return text if text[0] in "<>" else f"= {text}"


def _move(before: str, after: str, quote: bool = False) -> str:
    """``from A to B``, or ``stays A`` when the shown values are the same."""
    q = (lambda t: f"\u201c{t}\u201d") if quote else (lambda t: t)  # noqa: E731
    return f"stays {q(before)}" if before == after else f"goes from {q(before)} to {q(after)}"


def _ae_sentence(a: AEProbability) -> str:
    from helpers.show.text import fmt_prob, fmt_ratio

    if a.k == 0 or not math.isfinite(a.p_harm):
        return "No included trial reports grade ≥2 adverse events per arm, so no probability of harm can be given."
    missing = a.k_included - a.k
    tail = (f" {missing} of the {a.k_included} included comparisons report no usable count, so this probability "
            "describes the trials that report harms, not all the trials pooled for benefit.")
    if a.k == 1:
        ai, n1, ci, n2 = a.counts[0]
        return (f"For grade ≥2 adverse events only one trial, {a.trials[0]}, reports the events per arm ({ai}/{n1} "
                f"with MDT, {ci}/{n2} with control). Its odds ratio is {fmt_ratio(*a.odds_ratio)}; under a flat "
                f"prior, with the normal approximation to its log odds ratio, the probability that MDT raises the "
                f"odds of such an event (OR > 1) is {fmt_prob(a.p_harm)}. A random-effects posterior from one trial "
                "would only return the prior on τ: one trial cannot say how harms vary between trials." + tail)
    return (f"For grade ≥2 adverse events {a.k} trials report the events per arm; under the default priors the "
            f"probability that MDT raises the odds of such an event (OR > 1) is {fmt_prob(a.p_harm)}." + tail)
