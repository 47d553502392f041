"""The pre-specified analysis settings: one place that the analysis chapters run
with and the methods chapter prints, so that text and code cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AnalysisSettings", "SETTINGS"]


@dataclass(frozen=True)
class AnalysisSettings:
    """Pre-specified choices (change them here, and every page follows).

    * ``method``/``test``: REML with the Hartung–Knapp–Sidik–Jonkman adjustment,
      truncated so that it never narrows the z-interval (metafor's ``test="adhoc"``),
      as current Cochrane guidance favours with few trials.
    * ``sensitivity_models``: the same data pooled with other estimator/test pairs,
      shown beside the primary analysis because the paper names only "random-effects".
    * ``pi``: prediction interval of Higgins, Thompson & Spiegelhalter (2009), t with
      k − 2 degrees of freedom (``RMAResult.predict(pi="riley")``, metafor's ``pi.type="riley"``); none for k < 3.
    * ``i2``: the tau²-based I² that metafor reports is primary; the Q-based I² of
      Higgins & Thompson (2002) is shown beside it.
    * ``subgroup_test``: ``separate_tau2`` (Q-between from subgroups pooled each with
      its own tau², as R ``meta`` and RevMan report) is primary; the common-tau²
      moderator test (metafor ``mods = ~ group``) is shown beside it.
      ``subgroup_singletons_enter`` says whether one-comparison subgroups enter it.
    * ``min_k_small_study``: Egger's test and trim-and-fill only from 10 comparisons
      (Cochrane Handbook, chapter 13).
    * ``or_add``/``or_to``: continuity correction for single-zero tables in the
      random-effects log OR (metafor's ``escalc`` default); Mantel–Haenszel and Peto
      need none.
    * ``mcid_hr``: the minimal clinically important hazard ratio (MDT vs control), fixed before
      any result was seen: the certainty chapter reports the posterior probability of an HR
      below it, and the trial sequential analysis anticipates it (never the observed HR).
    * ``tsa_alpha``/``tsa_power``: two-sided type I error and power of the trial sequential
      analysis (Wetterslev et al. 2008, 2017); ``tsa_hr_alt`` its second anticipated HR;
      ``tsa_d2_if_zero`` the diversity D² of an extra row where the estimated D² is 0.
    * ``tau_prior``: the prior of the between-trial sd τ (log-HR scale) of the Bayesian model,
      half-normal with scale 0.5 (Friede et al. 2017; Röver 2020), with a flat prior on the
      mean; ``tau_prior_wide`` the sensitivity prior.
    * ``null_trial_n``: the size of the hypothetical null trial (HR 1, 1:1) of "what would
      change the conclusion".
    """

    method: str = "REML"
    test: str = "adhoc"
    level: float = 95
    sensitivity_models: tuple[tuple[str, str], ...] = (("REML", "z"), ("DL", "z"), ("REML", "knha"),
                                                       ("PM", "adhoc"), ("EE", "z"))
    pi: str = "riley"
    i2: str = "tau2-based (metafor)"
    subgroup_test: str = "separate_tau2"
    subgroup_singletons_enter: bool = True
    min_k_small_study: int = 10
    or_add: float = 0.5
    or_to: str = "only0"
    absolute_months: float = 12.0     # time point of the absolute effects, within the trials' follow-up
    mcid_hr: float = 0.80             # minimal clinically important HR (MDT vs control)
    tsa_alpha: float = 0.05           # two-sided
    tsa_power: float = 0.9
    tsa_hr_alt: float = 0.70
    tsa_d2_if_zero: float = 0.25
    tau_prior: tuple = ("halfnormal", 0.5)
    tau_prior_wide: tuple = ("halfnormal", 1.0)
    null_trial_n: int = 200
    labels: dict = field(default_factory=lambda: {
        "adhoc": "Hartung–Knapp–Sidik–Jonkman (ad hoc: never narrower than z)",
        "knha": "Hartung–Knapp–Sidik–Jonkman (untruncated)",
        "z": "Wald-type z-test",
        "REML": "restricted maximum likelihood", "DL": "DerSimonian–Laird", "PM": "Paule–Mandel",
        "EE": "common (equal) effect", "ML": "maximum likelihood", "HE": "Hedges", "SJ": "Sidik–Jonkman",
        "EB": "empirical Bayes",
    })

    def describe(self, method: str | None = None, test: str | None = None) -> str:
        """``"restricted maximum likelihood, Hartung–Knapp–…"`` for a method/test pair."""
        m, t = method or self.method, test or self.test
        return f"{self.labels[m]} with {self.labels[t]}"


SETTINGS = AnalysisSettings()
