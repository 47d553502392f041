"""Formatting of numbers for prose and tables: one place decides how a HR, a CI,
a p-value or a percentage is written, so every page writes them alike."""
from __future__ import annotations

import math

from pandas import NA as _NA

__all__ = ["fmt_num", "fmt_ratio", "fmt_ci", "fmt_p", "fmt_pct", "NOT_ESTIMABLE", "DASH", "glue_all", "count", "number_word", "fmt_test_p", "join_words", "fmt_prob"]

NOT_ESTIMABLE = "not estimable"
DASH = "\u2013"   # en dash between CI bounds


def _missing(x) -> bool:
    """None, pandas' NA or a NaN: a value that was not reported or cannot be computed."""
    return x is None or x is _NA or (isinstance(x, float) and math.isnan(x))


def fmt_num(x: float | None, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals; a missing value becomes an em dash."""
    if _missing(x):
        return "\u2014"
    return f"{float(x):.{digits}f}"


def fmt_ci(lb: float, ub: float, digits: int = 2) -> str:
    """``0.32–0.64``."""
    return f"{fmt_num(lb, digits)}{DASH}{fmt_num(ub, digits)}"


def fmt_ratio(est: float, lb: float, ub: float, digits: int = 2) -> str:
    """``0.45 (0.32–0.64)`` for a ratio and its CI, already on the ratio scale."""
    return f"{fmt_num(est, digits)} ({fmt_ci(lb, ub, digits)})"


def fmt_p(p: float | None) -> str:
    """``p < 0.001``, ``p = 0.03``, ``p = 0.12`` (two significant decimals, three below 0.01)."""
    if _missing(p) or math.isnan(float(p)):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def fmt_test_p(p: float | None) -> str:
    """The p-value of a test that may not have been run: ``fmt_p``, or "not testable"."""
    return "not testable" if _missing(p) or math.isnan(float(p)) else fmt_p(p)


def fmt_prob(p: float | None) -> str:
    """A probability (a fraction) as a percentage with one decimal: ``97.3%``; beyond
    99.9% or below 0.1% the bound is written (``> 99.9%``, ``< 0.1%``), so that no
    probability is rounded to certainty; a missing value becomes an em dash."""
    if _missing(p) or math.isnan(float(p)):
        return "\u2014"
    p = float(p)
    if p > 0.999:
        return "> 99.9%"
    if p < 0.001:
        return "< 0.1%"
    return f"{100 * p:.1f}%"


def fmt_pct(x: float, digits: int = 0) -> str:
    """``42%`` from a value already in percent; a missing value becomes an em dash."""
    if _missing(x) or math.isnan(float(x)):
        return "\u2014"
    return f"{float(x):.{digits}f}%"


def glue_all(prefix: str, values: dict[str, str]) -> None:
    """Glue every value as text under ``{prefix}_{key}`` (render with ``{glue:text}``)."""
    from myst_nb import glue

    for key, value in values.items():
        glue(f"{prefix}_{key}", str(value), display=False)


_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """Numbers below eleven in words (house style for counts in prose), others as digits."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def count(n: int, noun: str, plural: str | None = None, words: bool = False) -> str:
    """``1 comparison``, ``3 comparisons`` (``words=True``: ``three comparisons``): never "comparison(s)"."""
    shown = number_word(n) if words else f"{n:,}"
    return f"{shown} {noun if n == 1 else (plural or noun + 's')}"


def join_words(items) -> str:
    """'A', 'A and B', 'A, B and C' (no Oxford comma); '' for none."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
