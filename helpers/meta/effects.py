"""Effect sizes: log hazard ratios from what trials print, and log odds ratios.

* ``log_hr_from_ci`` – log HR and its SE from a HR with a CI at any level
  (Tierney et al. 2007, *Trials* 8:16, method 3 generalised to any level).
* ``log_hr_from_p`` – log HR from a p-value and the total number of events
  (Parmar et al. 1998, *Stat Med* 17:2815; Tierney et al. 2007).
* ``escalc_or`` – log odds ratios with metafor's ``escalc(measure="OR")``
  continuity-correction rule.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["LogHR", "log_hr_from_ci", "log_hr_from_p", "log_hr_from_hr_and_p", "escalc_or", "invert_hr"]


@dataclass(frozen=True)
class LogHR:
    """A log hazard ratio ``yi`` with its standard error ``sei`` (natural-log units);
    ``asymmetric`` flags a printed CI whose log-scale midpoint departs from log HR
    by more than the rounding of the printed numbers can explain."""

    yi: float
    sei: float
    asymmetric: bool = False

    @property
    def vi(self) -> float:
        return self.sei**2


def invert_hr(hr: float, lower: float, upper: float) -> tuple[float, float, float]:
    """A HR printed as control vs MDT turned into MDT vs control: 1/HR, bounds swapped."""
    return 1.0 / hr, 1.0 / upper, 1.0 / lower


def log_hr_from_ci(hr: float, lower: float, upper: float, level: float = 95, decimals: int = 2) -> LogHR:
    """log HR and SE = (ln upper − ln lower) / (2 z), z the normal quantile of ``level``.

    ``level`` in percent (trials print 95, 90, 80 or 70 % CIs). The CI is taken
    as symmetric on the log scale; ``asymmetric`` is set when |ln HR − midpoint|
    exceeds the largest error that rounding to ``decimals`` places could cause.
    """
    if not 0 < level < 100:
        raise ValueError(f"CI level must be in (0, 100), got {level!r}")
    if min(hr, lower, upper) <= 0:
        raise ValueError("hazard ratio and CI bounds must be positive")
    if not lower <= hr <= upper:
        raise ValueError(f"CI {lower}–{upper} does not contain HR {hr}")
    if lower == upper:
        raise ValueError("CI bounds are equal: no standard error can be derived")
    z = stats.norm.isf((1 - level / 100) / 2)
    lo, hi, y = np.log(lower), np.log(upper), np.log(hr)
    half_unit = 0.5 * 10.0 ** (-decimals)
    tolerance = half_unit / hr + 0.5 * (half_unit / lower + half_unit / upper)
    return LogHR(yi=float(y), sei=float((hi - lo) / (2 * z)), asymmetric=bool(abs(y - (lo + hi) / 2) > tolerance))


def log_hr_from_p(p: float, events: float, n1: float, n2: float, sides: int = 2,
                  direction: str = "favours_mdt") -> LogHR:
    """log HR from a log-rank p-value and the total number of events.

    V = E·n1·n2 / (n1 + n2)², the variance of O − E under the null with
    allocation n1 : n2; z is the normal quantile of p (two-sided unless
    ``sides=1``); ln HR = ±z/√V with the sign from ``direction``
    (``favours_mdt`` → negative, ``favours_control`` → positive); SE = 1/√V.
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if sides not in (1, 2):
        raise ValueError("sides must be 1 or 2")
    if events <= 0 or n1 <= 0 or n2 <= 0:
        raise ValueError("events and group sizes must be positive")
    if direction not in ("favours_mdt", "favours_control"):
        raise ValueError("direction must be 'favours_mdt' or 'favours_control'")
    V = events * n1 * n2 / (n1 + n2) ** 2
    z = stats.norm.isf(p / sides)
    sign = -1.0 if direction == "favours_mdt" else 1.0
    return LogHR(yi=float(sign * z / np.sqrt(V)), sei=float(1 / np.sqrt(V)))


def log_hr_from_hr_and_p(hr: float, p: float, sides: int = 2) -> LogHR:
    """SE of a log HR printed with its exact p-value but no CI (Altman & Bland 2011,
    BMJ 343:d2090): z is the normal quantile of p (two-sided unless ``sides=1``) and
    SE = |ln HR| / z."""
    if hr <= 0:
        raise ValueError("hazard ratio must be positive")
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if sides not in (1, 2):
        raise ValueError("sides must be 1 or 2")
    if hr == 1:
        raise ValueError("a HR of exactly 1 carries no information on its SE")
    z = stats.norm.isf(p / sides)
    return LogHR(yi=float(np.log(hr)), sei=float(abs(np.log(hr)) / z))


def escalc_or(ai, n1i, ci, n2i, add: float = 0.5, to: str = "only0", drop00: bool = True):
    """Log odds ratios and sampling variances, as metafor's ``escalc(measure="OR")``.

    ``ai``/``ci`` are patients with the event in the treatment/control arm out of
    ``n1i``/``n2i``. With ``drop00`` a table with no events (or only events) in
    both arms gives NaN: it carries no information on the OR; as in metafor such
    tables are dropped *before* the correction is decided. Then ``add`` goes, with
    ``to="only0"``, to every cell of a table that has a zero cell (``"all"``: every
    table; ``"if0all"``: every table if any remaining table has a zero cell;
    ``"none"``: no table). A table left with a zero cell and no correction
    (``add=0`` or ``to="none"``) has an infinite log OR: it is recoded to NaN with a
    ``RuntimeWarning``, as metafor recodes ±Inf to NA with a warning.
    Returns ``(yi, vi)`` arrays (log OR, its variance: natural-log units).
    """
    a, n1, c, n2 = (np.asarray(x, dtype=float) for x in (ai, n1i, ci, n2i))
    if np.any((a < 0) | (c < 0) | (a > n1) | (c > n2)):
        raise ValueError("event counts must lie between 0 and the group size")
    if to not in ("only0", "all", "if0all", "none"):
        raise ValueError("to must be 'only0', 'all', 'if0all' or 'none'")
    b, d = n1 - a, n2 - c
    both0 = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    dropped = both0 if drop00 else np.zeros_like(both0)
    has0 = ((a == 0) | (b == 0) | (c == 0) | (d == 0)) & ~dropped
    if to == "only0":
        corr = has0
    elif to == "all":
        corr = np.ones_like(a, dtype=bool)
    elif to == "if0all":
        corr = np.full(a.shape, bool(np.any(has0)))
    else:
        corr = np.zeros_like(a, dtype=bool)
    k = np.where(corr, add, 0.0)
    a, b, c, d = a + k, b + k, c + k, d + k
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(a * d / (b * c))
        vi = 1 / a + 1 / b + 1 / c + 1 / d
    yi = np.where(dropped, np.nan, yi)
    vi = np.where(dropped, np.nan, vi)
    inf = np.isinf(yi) | np.isinf(vi)
    if np.any(inf):
        warnings.warn("Some 'yi' and/or 'vi' values equal to +-Inf (zero cells without a correction). "
                      "Recoded to NaN, as metafor recodes them to NA.", RuntimeWarning, stacklevel=2)
        yi = np.where(inf, np.nan, yi)
        vi = np.where(inf, np.nan, vi)
    return yi, vi
