"""Missing results, imputed and tipped (ROB-ME, Page MJ et al., BMJ 2023;383:e076754).

Pure computation, no data loading: the caller passes one row per missing comparison
(the ``missing_evidence`` table joined to what its sources print) and the pooled log
hazard ratios.  Three steps:

* ``impute_missing`` – a log hazard ratio (MDT vs control, natural log) and its standard
  error for each missing comparison, by the best method its sources allow, in this order:

  1. the log-rank p-value and the number of events (Tierney JF et al., *Trials*
     2007;8:16, method 7; Parmar MKB et al., *Stat Med* 1998;17:2815):
     V = d·r/(1 + r)² with d the total events and r = n_MDT/n_control the allocation
     ratio, |ln HR| = z_p/√V, SE = 1/√V, the sign from the arm the source says is favoured;
  2. only then the ratio of medians under exponential survival, HR = median_control /
     median_MDT, labelled weaker (it assumes constant hazards and ignores censoring).

  Whatever the route, the SE is never smaller than the events allow:
  SE = max(|ln HR|/z_p, √(1/d₁ + 1/d₂)).  In the Tierney route |ln HR|/z_p is 1/√V.
* ``imputation_analysis`` – the primary model fitted without and with the imputed values,
  with each comparison's weight in both fits, so that a page can check that no imputed
  comparison carries most of the pooled weight.
* ``tipping_point`` – the comparisons whose direction is known kept at their imputed
  values, the rest given one common HR h, and h searched for the value at which the pooled
  CI reaches 1.

Units: hazard ratios MDT vs control (HR < 1 favours MDT); ``yi`` natural-log HR, ``sei``
its standard error; medians and follow-up in the same unit (months in this book); weights
in percent.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers.show.text import count
from helpers.meta.rma import NotEstimable, RMAResult, rma
from helpers.review.settings import SETTINGS

__all__ = ["Imputed", "ImputationResult", "TippingPoint", "impute_missing", "impute_one", "imputation_analysis",
           "tipping_point", "events_from_medians", "TIERNEY", "MEDIANS", "NOT_IMPUTABLE", "SMALL_LOG_HR",
           "DEFAULT_GRID"]

TIERNEY = "log-rank p and events (Tierney method)"
MEDIANS = "ratio of medians, exponential (weaker)"
NOT_IMPUTABLE = "not imputable"
Z_WORDS = "where z is the normal quantile of the p-value"   # z_p in words: these notes reach the pages
SMALL_LOG_HR = 0.05   # |ln HR| below this: |ln HR|/z_p is unstable, the events-based SE alone is used
P_UNSTABLE = 0.5      # p above this: likewise
DEFAULT_GRID = np.exp(np.linspace(math.log(0.2), math.log(5.0), 401))   # HR 0.2 to 5, even on the log scale
LN2 = math.log(2.0)


# --------------------------------------------------------------------------- small parsers
def _num(x) -> float:
    """A float, or NaN for None / pandas NA / empty text / text that is not a number."""
    if x is None or x is pd.NA:
        return math.nan
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _favours(x) -> str:
    """"MDT", "control" or "" from what a row says (case-insensitive)."""
    t = str(x).strip().lower() if isinstance(x, str) else ""
    return {"mdt": "MDT", "control": "control"}.get(t, "")


def _parse_p(text) -> tuple[float, str]:
    """(p, kind) from a printed p-value: kind is ``"exact"`` (``"0.07"``, ``"= .017"``),
    ``"bound"`` (``"<.001"``, ``"≤0.01"``: the true p is below; the bound itself is used)
    or ``"unusable"`` (nothing printed, ``">.05"``, ``"NS"``: p is NaN).

    A lower bound (``">.05"``) is not used: p at the bound would give the largest z
    consistent with the print, so an SE from it could be too small."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return math.nan, "unusable"
    t = str(text).strip().replace(" ", "").lower().lstrip("p").lstrip("=")
    if not t or t[:1] in ">≥":
        return math.nan, "unusable"
    kind = "bound" if t[:1] in "<≤" else "exact"
    p = _num(t.lstrip("<≤="))
    if not 0 < p <= 1:
        return math.nan, "unusable"
    return p, kind


def _z(p: float, sides: int) -> float:
    """z_p = Φ⁻¹(1 − p/2) for a two-sided p, Φ⁻¹(1 − p) for a one-sided one."""
    return float(stats.norm.isf(p / sides))


def events_from_medians(n: float, median: float, followup: float) -> float:
    """Events expected in an arm of ``n`` patients with median survival ``median`` after a
    median follow-up of ``followup`` (same time unit), under exponential survival:
    n·(1 − exp(−ln 2·F/m)), rounded down (the lower whole count, so the SE built on it is
    never understated) and never the arm size itself (at most n − 1).  NaN when any input is
    missing or not positive (a median not reached cannot give a count)."""
    n, m, f = _num(n), _num(median), _num(followup)
    if not (n > 0 and m > 0 and f > 0):
        return math.nan
    return float(min(math.floor(n * (1.0 - math.exp(-LN2 * f / m))), n - 1))


# --------------------------------------------------------------------------- imputation
@dataclass(frozen=True)
class Imputed:
    """One missing comparison, imputed.

    ``yi`` log HR (MDT vs control), NaN when the direction or size cannot be given;
    ``sei`` its SE, NaN when none can be given (a comparison with an SE but no ``yi`` can
    still enter the tipping point at the common HR h); ``method`` one of ``TIERNEY``,
    ``MEDIANS``, ``NOT_IMPUTABLE``; ``events_used`` (d_MDT, d_control) behind the SE floor,
    None when the events per arm are unknown; ``events_total`` the d in Tierney's V;
    ``events_estimated`` True when the counts come from medians and follow-up (or a printed
    total split by the exponential hazards); ``favours`` the arm the imputed value favours
    ("" when unknown); ``note`` how it was derived, in words."""

    trial_id: str
    yi: float
    sei: float
    method: str
    events_used: tuple[float, float] | None
    events_estimated: bool
    note: str
    events_total: float = math.nan
    favours: str = ""

    @property
    def vi(self) -> float:
        return self.sei**2

    @property
    def hr(self) -> float:
        return math.exp(self.yi) if math.isfinite(self.yi) else math.nan

    @property
    def imputable(self) -> bool:
        """A value that the imputation analysis can pool (both yi and sei finite)."""
        return math.isfinite(self.yi) and math.isfinite(self.sei)


def _events(r) -> tuple[tuple[float, float] | None, float, bool, str]:
    """(per-arm events or None, total events or NaN, estimated?, note) for one row.

    Printed per-arm counts first; a printed total alone is split in proportion to n·λ with
    λ = ln 2/median (the expected share of events per arm under exponential survival with
    equal follow-up; not rounded, the total is printed); with nothing printed, the counts
    are estimated from medians and follow-up (``events_from_medians``).  Arm sizes are
    never used as counts."""
    e1, e0, d = _num(r.get("events_mdt")), _num(r.get("events_control")), _num(r.get("events"))
    n1, n0 = _num(r.get("n_mdt")), _num(r.get("n_control"))
    m1, m0 = _num(r.get("median_mdt")), _num(r.get("median_control"))
    if e1 > 0 and e0 > 0:
        return (e1, e0), (d if d > 0 else e1 + e0), False, f"{e1:g} + {e0:g} events printed"
    if d > 0:
        if n1 > 0 and n0 > 0 and m1 > 0 and m0 > 0:
            h1, h0 = n1 * LN2 / m1, n0 * LN2 / m0
            s1, s0 = d * h1 / (h1 + h0), d * h0 / (h1 + h0)
            return (s1, s0), d, True, (f"{d:g} events printed in total, split {s1:.1f} : {s0:.1f} in proportion "
                                       "to n × exponential hazard")
        return None, d, False, f"{d:g} events printed in total (not per arm)"
    f = _num(r.get("followup_months"))
    x1, x0 = events_from_medians(n1, m1, f), events_from_medians(n0, m0, f)
    if x1 > 0 and x0 > 0:
        return (x1, x0), x1 + x0, True, (f"events not printed: {x1:g} + {x0:g} estimated from medians "
                                         f"{m1:g} vs {m0:g} and median follow-up {f:g} (exponential, rounded down)")
    return None, math.nan, False, "no events printed and none estimable from medians and follow-up"


def impute_one(r) -> Imputed:
    """The imputed log HR and SE for one missing comparison (a mapping or Series with the
    columns listed in ``impute_missing``).  See the module docstring for the order of
    methods; the rules in detail:

    * z_p = Φ⁻¹(1 − p/2) for a two-sided p (``p_sides`` 2 or missing), Φ⁻¹(1 − p) for a
      one-sided one.  Where only a bound is printed (``"<.001"``), p is taken at the bound
      (0.001): the largest p consistent with the print, hence the smallest z, so the
      smallest |ln HR| in the Tierney route and the largest SE = |ln HR|/z_p in the
      ratio-of-medians route.  ``">.05"`` and the like are not used.
    * Tierney route (p, events and both arm sizes, and a known favoured arm – from
      ``favours`` or, failing that, the medians): V = d·r/(1 + r)², r = n_MDT/n_control;
      |ln HR| = z_p/√V; SE = max(1/√V, √(1/d₁ + 1/d₂)), the floor where the per-arm
      events are known (printed, split or estimated).  1/√V is itself events-based, so
      "p > 0.5 or |ln HR| < 0.05 → events-based SE alone" changes nothing here.
    * Ratio-of-medians route: ln HR = ln(median_control/median_MDT); SE =
      max(|ln HR|/z_p, √(1/d₁ + 1/d₂)); the events term alone where p > 0.5, where
      |ln HR| < 0.05 or where no usable p is printed; |ln HR|/z_p alone where no events are
      known (noted); no SE at all (not imputable) where neither applies.
    * A p-value, events and arm sizes but no known direction: SE = 1/√V (floored as above)
      with ``yi`` NaN – not imputable, but able to enter the tipping point at h.
    """
    tid = str(r.get("trial_id"))
    n1, n0 = _num(r.get("n_mdt")), _num(r.get("n_control"))
    m1, m0 = _num(r.get("median_mdt")), _num(r.get("median_control"))
    p, kind = _parse_p(r.get("p_value"))
    sides = int(_num(r.get("p_sides"))) if _num(r.get("p_sides")) in (1.0, 2.0) else 2
    fav = _favours(r.get("favours"))
    medians = m1 > 0 and m0 > 0
    med_fav = "" if not medians or m1 == m0 else ("MDT" if m1 > m0 else "control")
    arms, d, estimated, ev_note = _events(r)
    floor = math.sqrt(1 / arms[0] + 1 / arms[1]) if arms else math.nan
    p_note = ""
    if kind != "unusable":
        p_note = (f"{sides}-sided p {'<' if kind == 'bound' else '='} {p:g}"
                  + (" (a bound: taken at the bound, the smallest z the print allows)" if kind == "bound" else ""))

    # 1. log-rank p and events (Tierney 2007)
    if kind != "unusable" and d > 0 and n1 > 0 and n0 > 0:
        ratio = n1 / n0
        V = d * ratio / (1 + ratio) ** 2
        se_v = 1 / math.sqrt(V)
        sei = max(se_v, floor) if arms else se_v
        bits = [p_note, ev_note, f"V = {V:.3f}, 1/√V = {se_v:.4f}"]
        if arms and floor > se_v:
            bits.append(f"SE floored at √(1/d₁ + 1/d₂) = {floor:.4f}")
        direction = fav or med_fav
        if fav == "" and med_fav:
            bits.append(f"direction from the medians ({m1:g} vs {m0:g})")
        if not direction:
            return Imputed(tid, math.nan, sei, NOT_IMPUTABLE, arms, estimated,
                           "; ".join(bits + ["direction unknown: SE only (enters the tipping point at h)"]),
                           events_total=d, favours="")
        yi = (-1.0 if direction == "MDT" else 1.0) * _z(p, sides) * se_v
        return Imputed(tid, yi, sei, TIERNEY, arms, estimated, "; ".join(bits), events_total=d, favours=direction)

    # 2. ratio of medians, exponential survival (weaker)
    if medians:
        yi = math.log(m0 / m1)
        bits = [f"HR = {m0:g}/{m1:g} (control/MDT medians), exponential survival assumed", ev_note]
        p_ok = kind != "unusable" and p <= P_UNSTABLE and abs(yi) >= SMALL_LOG_HR
        se_p = abs(yi) / _z(p, sides) if p_ok else math.nan
        if p_ok:
            bits.insert(1, p_note)
        elif kind != "unusable":
            bits.insert(1, p_note + f" not used for the SE (p > {P_UNSTABLE:g} or |ln HR| < {SMALL_LOG_HR:g})")
        if arms and p_ok:
            sei = max(se_p, floor)
            bits.append(f"SE = max(|ln HR|/z = {se_p:.4f}, √(1/d₁ + 1/d₂) = {floor:.4f}), {Z_WORDS}")
        elif arms:
            sei = floor
            bits.append(f"SE from the events alone, √(1/d₁ + 1/d₂) = {floor:.4f}")
        elif p_ok:
            sei = se_p
            bits.append(f"SE = |ln HR|/z = {se_p:.4f}, {Z_WORDS}, with no events to floor it")
        else:
            return Imputed(tid, math.nan, math.nan, NOT_IMPUTABLE, None, False,
                           "; ".join(bits + ["no usable p-value and no events: no SE"]), favours=med_fav)
        if fav and med_fav and fav != med_fav:
            bits.append(f"the source says it favours {fav}, the medians favour {med_fav}")
        return Imputed(tid, yi, sei, MEDIANS, arms, estimated, "; ".join(bits), events_total=d, favours=med_fav)

    why = []
    if kind == "unusable":
        why.append("no usable p-value")
    elif not d > 0:
        why.append("a p-value but no events (printed or estimable)")
    else:
        why.append("a p-value and events but not both arm sizes")
    why.append("no pair of medians")
    return Imputed(tid, math.nan, math.nan, NOT_IMPUTABLE, arms, estimated, "; ".join(why), events_total=d,
                   favours=fav)


def impute_missing(rows: pd.DataFrame) -> list[Imputed]:
    """``impute_one`` for each row, in order.  Columns (missing ones count as not printed):
    trial_id, n_mdt, n_control, events, events_mdt, events_control, median_mdt,
    median_control (same unit as followup_months), followup_months (median follow-up),
    p_value (text as printed: ``"<.001"``, ``"0.07"``), p_sides (1, 2 or NaN = 2),
    favours (``"MDT"``, ``"control"`` or ``""``)."""
    return [impute_one(r) for _, r in rows.iterrows()]


# --------------------------------------------------------------------------- imputation analysis
@dataclass(frozen=True)
class ImputationResult:
    """The primary model without (``pooled``) and with (``with_imputed``) the imputed values.

    ``table``: one row per comparison – trial_id, yi, sei, hr, imputed (bool), method,
    weight_pooled (% in the fit without imputed values; NaN for imputed rows),
    weight_with_imputed (% in the fit with them), note.  Comparisons that could not be
    imputed are listed in ``excluded`` (trial_id, note) and are in neither fit.  Either fit
    is None when it has no comparison."""

    pooled: RMAResult | None
    with_imputed: RMAResult | None
    table: pd.DataFrame
    excluded: tuple[tuple[str, str], ...]

    @property
    def imputed_weight(self) -> float:
        """Total weight (%) of the imputed comparisons in the fit with them."""
        t = self.table
        return float(t.loc[t["imputed"], "weight_with_imputed"].sum())

    @property
    def max_imputed_weight(self) -> tuple[str | None, float]:
        """(trial_id, weight %) of the imputed comparison that carries most weight."""
        t = self.table[self.table["imputed"]]
        if t.empty:
            return None, 0.0
        i = t["weight_with_imputed"].idxmax()
        return str(t.at[i, "trial_id"]), float(t.at[i, "weight_with_imputed"])

    def dominant(self, threshold: float = 50.0) -> list[str]:
        """Imputed comparisons carrying more than ``threshold`` % of the weight with them."""
        t = self.table
        return list(t.loc[t["imputed"] & (t["weight_with_imputed"] > threshold), "trial_id"])


def _fit(y, v, method, test, level):
    return rma(np.asarray(y, float), np.asarray(v, float), method=method, test=test, level=level) if len(y) else None


def imputation_analysis(yi: Sequence[float], vi: Sequence[float], ids: Sequence[str], imputed: Sequence[Imputed], *,
                        method: str = SETTINGS.method, test: str = SETTINGS.test,
                        level: float = SETTINGS.level) -> ImputationResult:
    """The pooled comparisons (``yi`` log HR, ``vi`` variances, ``ids`` labels) fitted under
    the primary model, and again together with every imputable missing comparison.
    ``method``/``test``/``level`` default to ``SETTINGS`` (REML with the ad hoc HKSJ
    adjustment, 95%)."""
    y, v = np.asarray(yi, float).ravel(), np.asarray(vi, float).ravel()
    ids = [str(i) for i in ids]
    if not (len(y) == len(v) == len(ids)):
        raise ValueError("yi, vi and ids must have the same length")
    use = [m for m in imputed if m.imputable]
    excluded = tuple((m.trial_id, m.note) for m in imputed if not m.imputable)
    pooled = _fit(y, v, method, test, level)
    y2 = np.concatenate([y, [m.yi for m in use]])
    v2 = np.concatenate([v, [m.vi for m in use]])
    both = _fit(y2, v2, method, test, level)
    k0 = len(y)
    rows = []
    for i, tid in enumerate(ids + [m.trial_id for m in use]):
        m = use[i - k0] if i >= k0 else None
        rows.append({"trial_id": tid, "yi": y2[i], "sei": math.sqrt(v2[i]), "hr": math.exp(y2[i]),
                     "imputed": m is not None, "method": m.method if m else "pooled",
                     "weight_pooled": float(pooled.weights[i]) if m is None else math.nan,
                     "weight_with_imputed": float(both.weights[i]), "note": m.note if m else ""})
    cols = ["trial_id", "yi", "sei", "hr", "imputed", "method", "weight_pooled", "weight_with_imputed", "note"]
    return ImputationResult(pooled, both, pd.DataFrame(rows, columns=cols), excluded)


# --------------------------------------------------------------------------- tipping point
@dataclass(frozen=True)
class TippingPoint:
    """The common HR h given to the missing comparisons of unknown direction at which the
    pooled CI (primary model) first reaches 1.

    ``applicable`` False with ``status`` saying why (the CI already includes 1, no missing
    result of unknown direction, none of them with an SE).  When applicable, ``h`` is the
    tipping HR (None when the CI excludes 1 over the whole grid: ``crossing`` False);
    ``favoured`` is the arm the analysis with imputed values favours, and h is searched from
    that arm's end of the grid towards the other: for "MDT", the smallest h at which the
    upper CI bound reaches 1 (the first crossing scanning HR 0.2 → 5); for "control", the
    largest h at which the lower bound falls to 1 (scanning 5 → 0.2).  ``crossings`` are the
    grid intervals where the CI's relation to 1 changes (REML with HKSJ is not monotone in h,
    so there can be several); ``fit`` is the fit at h.  ``at_h``: the comparisons set to h;
    ``kept``: the missing comparisons kept at their imputed values; ``cannot_enter``: those
    of unknown direction without an SE (trial_id, note)."""

    applicable: bool
    status: str
    h: float | None = None
    crossing: bool = False
    favoured: str = ""
    crossings: tuple[tuple[float, float], ...] = ()
    fit: RMAResult | None = field(default=None, repr=False)
    at_h: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    cannot_enter: tuple[tuple[str, str], ...] = ()
    grid: tuple[float, float, int] = (0.2, 5.0, 401)


def _excludes(fit: RMAResult, favoured: str) -> bool:
    """The CI excludes 1 on the favoured arm's side (upper bound < 1 for MDT, lower > 1 for control)."""
    return fit.ci_ub < 0 if favoured == "MDT" else fit.ci_lb > 0


def tipping_point(yi: Sequence[float], vi: Sequence[float], ids: Sequence[str], imputed: Sequence[Imputed], *,
                  method: str = SETTINGS.method, test: str = SETTINGS.test, level: float = SETTINGS.level,
                  grid: Sequence[float] = DEFAULT_GRID, tol: float = 1e-10) -> TippingPoint:
    """How unfavourable would the unknown results have to be for the pooled CI to include 1?

    The pooled comparisons (``yi``, ``vi``, ``ids``) and the missing comparisons of known
    direction at their imputed values (``Imputed.yi``) are kept; every missing comparison of
    unknown direction that has an SE (``yi`` NaN, ``sei`` finite) is given ln h with its own
    SE; the primary model is refitted for each HR h of ``grid`` (default 401 points even on
    the log scale from 0.2 to 5), scanned from the end favouring the arm that the analysis
    with imputed values favours.  The first grid interval in which the CI stops excluding 1
    on that side is refined by bisection on ln h (to ``tol``); ``h`` is the end of the final
    interval at which the CI includes 1, so that the bound is within a whisker of 1 at h and
    excludes 1 just before it.  Not applicable (``status`` says why) when the CI of the pooled
    comparisons or of the analysis with imputed values already includes 1, when no missing
    result is of unknown direction, or when none of those has an SE.
    """
    y, v = np.asarray(yi, float).ravel(), np.asarray(vi, float).ravel()
    ids = [str(i) for i in ids]
    if not (len(y) == len(v) == len(ids)):
        raise ValueError("yi, vi and ids must have the same length")
    g = np.sort(np.asarray(grid, float))
    if g.size < 2 or np.any(g <= 0):
        raise ValueError("grid must hold at least two positive hazard ratios")
    ginfo = (float(g[0]), float(g[-1]), int(g.size))
    kept = [m for m in imputed if m.imputable]
    unknown = [m for m in imputed if not math.isfinite(m.yi) and math.isfinite(m.sei) and m.sei > 0]
    cannot = tuple((m.trial_id, m.note) for m in imputed if not math.isfinite(m.yi) and not math.isfinite(m.sei))
    common = dict(kept=tuple(m.trial_id for m in kept), cannot_enter=cannot, grid=ginfo)

    pooled = _fit(y, v, method, test, level)
    if pooled is not None and pooled.ci_lb <= 0 <= pooled.ci_ub:
        return TippingPoint(False, "not applicable: the CI of the pooled comparisons already includes 1", **common)
    yk = np.concatenate([y, [m.yi for m in kept]])
    vk = np.concatenate([v, [m.vi for m in kept]])
    base = _fit(yk, vk, method, test, level)
    if base is not None and base.ci_lb <= 0 <= base.ci_ub:
        return TippingPoint(False, "not applicable: the CI of the analysis with imputed values already includes 1",
                            **common)
    if not unknown:
        why = ("not applicable: every missing result's direction is known" if not cannot else
               "not applicable: no missing result of unknown direction has a standard error, so none can enter "
               f"at h ({', '.join(t for t, _ in cannot)})")
        return TippingPoint(False, why, **common)
    if base is None:
        raise NotEstimable("no comparison with a known result to hold the tipping point against")
    favoured = "MDT" if base.ci_ub < 0 else "control"
    vu = np.array([m.vi for m in unknown])
    yall, vall = np.concatenate([yk, np.zeros(len(unknown))]), np.concatenate([vk, vu])

    def fit_at(log_h: float) -> RMAResult:
        yall[len(yk):] = log_h
        return rma(yall.copy(), vall, method=method, test=test, level=level)

    scan = np.log(g) if favoured == "MDT" else np.log(g)[::-1]
    state = [_excludes(fit_at(x), favoured) for x in scan]
    crossings = tuple((float(np.exp(min(a, b))), float(np.exp(max(a, b))))
                      for a, b, sa, sb in zip(scan[:-1], scan[1:], state[:-1], state[1:]) if sa != sb)
    at_h = tuple(m.trial_id for m in unknown)
    first = next((i for i in range(1, len(scan)) if state[i - 1] and not state[i]), None)
    side = "upper" if favoured == "MDT" else "lower"
    if first is None:
        if not state[0]:
            status = (f"no tipping point on the grid: the CI includes 1 at every h from the {favoured}-favouring end "
                      f"(HR {np.exp(scan[0]):.3g}) onwards" if not any(state) else
                      f"no tipping point on the grid: the CI includes 1 at the {favoured}-favouring end "
                      f"(HR {np.exp(scan[0]):.3g}) and excludes it later")
        else:
            status = (f"no crossing: the CI excludes 1 for every common HR h from {ginfo[0]:g} to {ginfo[1]:g} "
                      f"given to {count(len(unknown), 'comparison', words=True)} of unknown direction")
        return TippingPoint(True, status, None, False, favoured, crossings, None, at_h, **common)
    a, b = scan[first - 1], scan[first]     # CI excludes 1 at a, includes it at b
    while abs(b - a) > tol:
        mid = 0.5 * (a + b)
        if _excludes(fit_at(mid), favoured):
            a = mid
        else:
            b = mid
    h = float(np.exp(b))
    fit = fit_at(b)
    bound = math.exp(fit.ci_ub if favoured == "MDT" else fit.ci_lb)
    status = (f"the pooled CI's {side} bound reaches 1 ({bound:.4f}) when the "
              f"{count(len(unknown), 'comparison', words=True)} of unknown direction "
              f"{'has' if len(unknown) == 1 else 'have'} a common HR of {h:.3g}"
              + ("" if len(crossings) == 1 else f"; the CI's relation to 1 changes {len(crossings)} times on the grid "
                 "(not monotone in h): this is the first change scanning from the favoured end"))
    return TippingPoint(True, status, h, True, favoured, crossings, fit, at_h, **common)
