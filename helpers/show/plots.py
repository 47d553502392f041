"""Figures, in one style: forest plots as R ``meta``/RevMan draw them and funnel plots
with pseudo-confidence contours.  Every function returns a matplotlib Figure.

Text that comes from data (trial names) is shown literally: ``$`` is escaped so that
matplotlib never parses it as mathtext.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from helpers.show.labels import heading, label  # noqa: E402
from helpers.show.text import fmt_ci, fmt_num, fmt_p, fmt_test_p  # noqa: E402
from helpers.meta.rma import RMAResult  # noqa: E402

__all__ = ["FUNNEL_LEVELS", "funnel_level_words", "STYLE", "COLORS", "ROB_COLORS", "setup_notebook", "book_style", "literal", "forest_plot", "funnel_plot", "contour_funnel_plot",
           "posterior_density_plot", "tsa_plot", "prisma_flow", "text_outside_boxes"]

COLORS = {"study": "#1f4e79", "pooled": "#1f4e79", "pi": "#c0392b", "null": "#555555", "grid": "#dddddd",
          "group": "#000000", "muted": "#666666", "filled": "#ffffff"}
ROB_COLORS = {"low": "#2e8b57", "some concerns": "#f0b400", "high": "#c0392b", "": "#cccccc"}
FIG_WIDTH = 7.6   # inches: the width of the book's text column, so figures show at 1:1
ROB_SYMBOLS = {"low": "+", "some concerns": "?", "high": "\u2212", "": ""}
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 8, "axes.titlesize": 10, "axes.labelsize": 9,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.spines.top": False, "axes.spines.right": False,
    "figure.dpi": 100, "savefig.dpi": 150, "svg.hashsalt": "mdt-meta-book", "svg.fonttype": "none",
    "path.simplify": True,
}



FUNNEL_LEVELS = (0.90, 0.95, 0.99)   # pseudo-confidence regions and contour levels (metafor's level = c(90, 95, 99))


def funnel_level_words(levels=FUNNEL_LEVELS) -> tuple[str, str]:
    """The funnel plots' levels for a caption: ("90%, 95% and 99%", "0.10, 0.05 and 0.01"),
    the confidence levels and the two-sided p-values of the contours."""
    from helpers.show.text import join_words

    return join_words([f"{100 * lv:g}%" for lv in levels]), join_words([f"{1 - lv:.2f}" for lv in levels])

def setup_notebook() -> None:
    """Apply the book style and make inline figures deterministic SVG (no date, fixed ids)."""
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        ip = get_ipython()
        if ip is not None:
            set_matplotlib_formats("svg", metadata={"Date": None}, bbox_inches="tight")
    except ImportError:  # outside IPython nothing else is needed
        pass


@contextmanager
def book_style():
    with plt.rc_context(STYLE):
        yield


def literal(text: object) -> str:
    """Text as matplotlib shows it literally (no mathtext)."""
    return str(text).replace("$", r"\$")


def short_label(text: object, width: int | None = 36, drop_asides: bool = True) -> str:
    """A label short enough for a figure: parenthetical asides dropped (``drop_asides``), then
    cut at ``width`` characters with an ellipsis (``None``: never cut); leading indentation is
    kept (tables keep the full text)."""
    import re

    raw = str(text)
    indent = raw[: len(raw) - len(raw.lstrip())]
    t = raw.strip()
    if drop_asides:
        t = re.sub(r"\s*\([^)]*\)", "", t).strip() or raw.strip()
    t = t if width is None or len(t) <= width else t[: width - 1].rstrip() + "\u2026"
    return indent + t


_MEASURE = {}


def text_width(text: str, fontsize: float, weight: str = "normal") -> float:
    """Width in inches of one line of ``text`` as matplotlib draws it in the book's font
    (measured by the Agg renderer, no mathtext)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    if "renderer" not in _MEASURE:
        _MEASURE["renderer"] = RendererAgg(10, 10, 72)       # 72 dpi: pixels are points
    prop = FontProperties(family=STYLE["font.family"], size=fontsize, weight=weight)
    return _MEASURE["renderer"].get_text_width_height_descent(str(text), prop, ismath=False)[0] / 72


def wrap_label(text: object, width: float, fontsize: float, weight: str = "normal") -> str:
    """``text`` broken at spaces into lines at most ``width`` inches wide in the book's font,
    never cut: a word wider than ``width`` keeps a line of its own, whole. Leading
    indentation is repeated on every line."""
    raw = str(text)
    indent = raw[: len(raw) - len(raw.lstrip())]
    lines: list[str] = []
    for word in raw.split():
        if lines and text_width(f"{indent}{lines[-1]} {word}", fontsize, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(indent + ln for ln in lines) if lines else raw


def row_centres(n_lines: Sequence[int], extra: float) -> tuple[list[float], float]:
    """Centres of the rows of a forest-type figure, in row units from 0, where a row of one
    line takes one unit and each further line of its label ``extra`` units more; and the
    total number of units."""
    ys, cursor = [], 0.0
    for n in n_lines:
        height = 1 + extra * (n - 1)
        ys.append(cursor + (height - 1) / 2)
        cursor += height
    return ys, cursor


def _clip_arrows(ax, lo: float, hi: float, y: float, xlim: tuple[float, float], color: str, lw: float = 1) -> None:
    """Arrow heads at the ends of a CI (``lo``–``hi``) that run off the x-axis, as R ``meta``
    draws them: from 1.25 times inside the limit out to the limit, on row ``y``."""
    if lo < xlim[0]:
        ax.annotate("", xy=(xlim[0], y), xytext=(xlim[0] * 1.25, y),
                    arrowprops=dict(arrowstyle="->", color=color, lw=lw))
    if hi > xlim[1]:
        ax.annotate("", xy=(xlim[1], y), xytext=(xlim[1] / 1.25, y),
                    arrowprops=dict(arrowstyle="->", color=color, lw=lw))


FAVOURS_GAP = 6    # points between HR 1 and each "favours" label


def _favours_labels(ax, favours: tuple[str, str], below: float, null: float = 1.0) -> None:
    """The two "favours" labels under the axis, ``below`` points down, one either side of the
    line of no effect at ``null`` and ``FAVOURS_GAP`` points clear of it."""
    for dx, text, ha in ((-FAVOURS_GAP, f"\u2190 {literal(favours[0])}", "right"),
                         (FAVOURS_GAP, f"{literal(favours[1])} \u2192", "left")):
        ax.annotate(text, xy=(null, 0), xycoords=("data", "axes fraction"), xytext=(dx, -below),
                    textcoords="offset points", ha=ha, va="top", fontsize=8, color=COLORS["muted"])


def _fmt_ci_text(est: float, lb: float, ub: float, digits: int = 2) -> str:
    return f"{fmt_num(est, digits)} [{fmt_ci(lb, ub, digits)}]"


def _ladder(mantissas: Sequence[float]) -> tuple[float, ...]:
    """The ``mantissas`` in every decade from 0.001 to 1000, as tick values."""
    return tuple(sorted({float(f"{m * 10.0 ** e:.6g}") for e in range(-3, 4) for m in mantissas}))


# Tick values for a log ratio axis, tried in turn: 1-2-5, then powers of 2 (0.25, 0.5, 1, 2),
# then 1-1.5-2-3-5-7 and finer steps for short axes, decades alone for very long ones, and tenths
# (0.9, 1, 1.1) for the shortest.
LOG_TICK_LADDERS = (_ladder((1, 2, 5)), tuple(2.0 ** e for e in range(-10, 11)), _ladder((1, 1.5, 2, 3, 5, 7)),
                    _ladder((1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8)), _ladder((1,)),
                    tuple(k / 10 for k in range(1, 100)))
MIN_TICKS, MAX_TICKS = 3, 9


def log_ticks(lo: float, hi: float, min_n: int = MIN_TICKS, max_n: int = MAX_TICKS) -> list[float]:
    """Ticks for a log ratio axis from ``lo`` to ``hi``: those of the first ladder in
    ``LOG_TICK_LADDERS`` that puts between ``min_n`` and ``max_n`` ticks inside the limits (a
    reader needs at least three labelled ticks to read a log scale); failing that, the fewest
    ticks above ``min_n``, else the most there are."""
    found = [[t for t in ladder if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)] for ladder in LOG_TICK_LADDERS]
    for ticks in found:
        if min_n <= len(ticks) <= max_n:
            return ticks
    enough = [t for t in found if len(t) >= min_n]
    return min(enough, key=len) if enough else max(found, key=len)


def _log_axis(ax, lo: float, hi: float, measure: str) -> None:
    """A log x-axis from ``lo`` to ``hi`` with ``log_ticks`` labelled as plain numbers."""
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ticks = log_ticks(lo, hi)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel(f"{measure} (log scale)")


def _luminance(color) -> float:
    """WCAG 2 relative luminance of a matplotlib colour."""
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; 4.5 is the minimum for normal text)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


TEXT_DARK, TEXT_LIGHT = "#000000", "#ffffff"


def text_on(fill) -> str:
    """The text colour for a label on ``fill``: black or white, whichever contrasts more (dark
    text on light fills such as the "some concerns" yellow)."""
    return TEXT_DARK if contrast_ratio(TEXT_DARK, fill) >= contrast_ratio(TEXT_LIGHT, fill) else TEXT_LIGHT


def forest_plot(res: RMAResult, labels: Sequence[str], *, groups: Sequence[str] | None = None,
                ci_lb: Sequence[float] | None = None, ci_ub: Sequence[float] | None = None,
                estimates: Sequence[float] | None = None, rob: Mapping[str, Sequence[str]] | None = None,
                left_columns: Mapping[str, Sequence[str]] | None = None, pi: dict | None = None,
                measure: str = "HR", favours: tuple[str, str] = ("Favours MDT", "Favours control"),
                model_label: str | None = None, heterogeneity: str | None = None,
                xlim: tuple[float, float] | None = None) -> plt.Figure:
    """Forest plot of a fitted model on the ratio scale (exp of log effects).

    ``labels`` name the studies in the order of ``res.yi``; ``groups`` (optional)
    sorts them under bold group headings. Per-study CIs are computed from yi and vi
    unless ``estimates``/``ci_lb``/``ci_ub`` (ratio scale, e.g. as printed) are given.
    ``rob`` maps column headings (D1…D5, Overall) to judgements ("low", "some
    concerns", "high") drawn as RevMan's coloured dots. ``pi`` is the dictionary of
    ``res.predict()``; its interval is drawn as a red bar under the diamond.
    """
    k = res.k
    if len(labels) != k:
        raise ValueError(f"{len(labels)} labels for {k} studies")
    z = stats.norm.isf((1 - res.level / 100) / 2)
    se = np.sqrt(res.vi)
    est = np.exp(res.yi) if estimates is None else np.asarray(estimates, float)
    lo = np.exp(res.yi - z * se) if ci_lb is None else np.asarray(ci_lb, float)
    hi = np.exp(res.yi + z * se) if ci_ub is None else np.asarray(ci_ub, float)
    w = res.weights

    # rows: (kind, payload) from top to bottom
    order = list(range(k))
    rows: list[tuple[str, object]] = []
    if groups is not None:
        seen: list[str] = []
        for g in groups:
            if g not in seen:
                seen.append(g)
        for g in seen:
            rows.append(("group", g))
            rows.extend(("study", i) for i in order if groups[i] == g)
    else:
        rows.extend(("study", i) for i in order)
    rows.append(("gap", None))
    rows.append(("pooled", None))
    if pi is not None and pi.get("pi_lb") is not None:
        rows.append(("pi", None))

    left = dict(left_columns or {})
    rob = dict(rob or {})
    # horizontal layout in figure fractions (sized to the book's text column, about 7.5 in)
    x_label, x_plot0, x_plot1 = 0.005, 0.40, 0.64
    x_ci, x_w, x_rob0 = 0.645, 0.80, 0.85
    indent = 0.01 if groups is not None else 0
    left_x = [x_plot0 - 0.01 - 0.045 * (len(left) - 1 - j) for j in range(len(left))]   # right-aligned
    # study names wrapped (never cut) to the room left of the first column (or of the plot)
    label_end = min([x - max(text_width(t, 8, "bold" if t == name else "normal") for t in [name, *map(str, vals)])
                     / FIG_WIDTH for x, (name, vals) in zip(left_x, left.items())] + [x_plot0])
    room = (label_end - 0.015 - x_label - indent) * FIG_WIDTH
    names = [wrap_label(short_label(s, None), room, 7.5) for s in labels]
    ys, units = row_centres([names[p].count("\n") + 1 if kind == "study" else 1 for kind, p in rows], 0.65)
    height = 1.2 + 0.24 * (units + 2)
    with book_style():
        fig = plt.figure(figsize=(FIG_WIDTH, height))
        ax = fig.add_axes([x_plot0, 0.9 / height + 0.35 / height, x_plot1 - x_plot0, (units + 0.5) * 0.24 / height])
        ax.set_ylim(units - 0.5, -1.0)
        finite = np.concatenate([lo, hi, [np.exp(res.ci_lb), np.exp(res.ci_ub)]])
        if xlim is None:
            lo_lim = max(min(finite.min(), 0.5) * 0.85, 0.01)
            hi_lim = min(max(finite.max(), 2.0) * 1.15, 100)
            xlim = (lo_lim, hi_lim)
        _log_axis(ax, *xlim, measure)
        ax.axvline(1.0, color=COLORS["null"], lw=0.8, zorder=0)
        ax.axvline(float(np.exp(res.beta)), color=COLORS["pooled"], lw=0.6, ls=":", zorder=0)
        ax.spines[["left", "top", "right"]].set_visible(False)
        ax.set_yticks([])

        trans = matplotlib.transforms.blended_transform_factory(fig.transFigure, ax.transData)
        head_y = -0.9
        headers = [(x_label, "Study", "left")]
        for xs, name in zip(left_x, left):
            headers.append((xs, name, "right"))
        headers += [(x_ci, f"{measure} [{res.level:g}% CI]", "left"), (x_w + 0.02, "Weight", "right")]
        for x, t, ha in headers:
            ax.text(x, head_y, t, transform=trans, ha=ha, va="center", fontweight="bold", fontsize=8)
        for j, name in enumerate(rob):   # risk-of-bias headings, slanted as RevMan prints them
            ax.text(x_rob0 + j * 0.025, head_y + 0.3, literal(name), transform=trans, ha="left", va="bottom",
                    rotation=50, fontweight="bold", fontsize=7.5)

        msize = 4 + 10 * np.sqrt(w / w.max())
        for r, (kind, payload) in zip(ys, rows):
            if kind == "group":
                ax.text(x_label, r, literal(heading(payload)), transform=trans, va="center", fontweight="bold",
                        fontsize=8.5)
            elif kind == "study":
                i = payload
                ax.plot([max(lo[i], xlim[0]), min(hi[i], xlim[1])], [r, r], color=COLORS["study"], lw=1)
                _clip_arrows(ax, lo[i], hi[i], r, xlim, COLORS["study"])
                ax.plot([est[i]], [r], marker="s", ms=msize[i], color=COLORS["study"], mec="none")
                ax.text(x_label + indent, r, literal(names[i]), transform=trans, va="center", fontsize=7.5)
                for xs, vals in zip(left_x, left.values()):
                    ax.text(xs, r, literal(vals[i]), transform=trans, va="center", ha="right", fontsize=8)
                ax.text(x_ci, r, _fmt_ci_text(est[i], lo[i], hi[i]), transform=trans, va="center", fontsize=7.5)
                ax.text(x_w + 0.02, r, f"{w[i]:.1f}%", transform=trans, va="center", ha="right", fontsize=8)
                for j, vals in enumerate(rob.values()):
                    j_val = _rob_level(vals[i])
                    ax.plot([x_rob0 + j * 0.025], [r], transform=trans, marker="o", ms=7.5,
                            color=ROB_COLORS[j_val], clip_on=False)
                    ax.text(x_rob0 + j * 0.025, r, ROB_SYMBOLS[j_val], transform=trans, ha="center",
                            va="center", fontsize=6.5, color=text_on(ROB_COLORS[j_val]), fontweight="bold")
            elif kind == "pooled":
                b, l_, u_ = np.exp([float(res.beta), float(res.ci_lb), float(res.ci_ub)])
                ax.fill([l_, b, u_, b], [r, r - 0.35, r, r + 0.35], color=COLORS["pooled"])
                label = model_label or f"Random-effects model ({res.method}{', HKSJ' if res.test != 'z' else ''})"
                if res.method == "EE" and model_label is None:
                    label = "Common-effect model"
                ax.text(x_label, r, label, transform=trans, va="center", fontweight="bold", fontsize=8.5)
                ax.text(x_ci, r, _fmt_ci_text(b, l_, u_), transform=trans, va="center", fontweight="bold", fontsize=7.5)
                ax.text(x_w + 0.02, r, "100%", transform=trans, va="center", ha="right", fontsize=8,
                        fontweight="bold")
            elif kind == "pi":
                pl, pu = np.exp([pi["pi_lb"], pi["pi_ub"]])
                ax.plot([max(pl, xlim[0]), min(pu, xlim[1])], [r, r], color=COLORS["pi"], lw=3, solid_capstyle="butt")
                _clip_arrows(ax, pl, pu, r, xlim, COLORS["pi"])
                ax.text(x_label, r, "Prediction interval", transform=trans, va="center", fontsize=8)
                ax.text(x_ci, r, f"[{fmt_ci(pl, pu)}]", transform=trans, va="center", fontsize=8, color=COLORS["pi"])
        het = heterogeneity or (
            f"Heterogeneity: I\u00b2 = {res.I2:.0f}%, \u03c4\u00b2 = {res.tau2:.3f}, "
            f"Q = {res.QE:.2f} (df = {res.k - 1}), {fmt_p(res.QEp)}" if res.k > 1 else "")
        fig.text(x_label, 0.35 / height, literal(het), fontsize=8, color=COLORS["muted"])
        _favours_labels(ax, favours, 34)
        if rob:   # the key under the dots' columns, from just below the last comparison's row
            gap = ys[[kind for kind, _ in rows].index("gap")]
            ax_y0, ax_h = ax.get_position().y0, ax.get_position().height
            top = ax_y0 + (units - 0.5 - (gap - 0.4)) / (units + 0.5) * ax_h
            _rob_key(fig, {_rob_level(v) for vals in rob.values() for v in vals}, x_rob0, top)
    return fig


def _rob_key(fig, levels: set[str], x: float, top: float) -> None:
    """The key of a forest plot's risk-of-bias dots under their columns, from ``x`` (figure
    fraction, the first column) with its top at ``top``: the judgements in ``levels`` with the
    names and colours of the traffic-light plot's legend, stacked, clear of the plot, the
    "favours" labels and the heterogeneity line."""
    handles = _rob_legend_handles(levels, provisional=False)
    for hd in handles:
        hd.set_markersize(7.5)                    # the size of the dots it explains
    leg = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(x - 0.012, top), ncol=1, frameon=False,
                     fontsize=7, title="Risk of bias (RoB 2)", title_fontsize=7, alignment="left",
                     handletextpad=0.2, labelspacing=0.25, borderpad=0, borderaxespad=0, handlelength=1.2)
    leg.set_gid("rob-key")


def _funnel_frame(se: np.ndarray):
    """(fig, ax, top, grid) of a funnel plot: the standard-error axis runs from 0 to ``top``
    (10% above the largest SE), ``grid`` spans it; call inside ``book_style()``."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    top = max(se.max() * 1.1, 0.05)
    return fig, ax, top, np.linspace(0, top, 100)


def _funnel_axes(ax, top: float, lo: float, hi: float, measure: str, ratios: Sequence[float]) -> None:
    """Funnel axes: SE inverted from ``top`` to 0, log ``measure`` from ``lo`` to ``hi`` with
    ticks at the ``ratios`` inside that range (``log_ticks`` when fewer than three fall inside),
    labelled on the ratio scale."""
    ax.set_ylim(top, 0)
    ax.set_ylabel("Standard error of log " + measure)
    ax.set_xlim(lo, hi)
    ticks = [r for r in ratios if lo <= math.log(r) <= hi]
    if len(ticks) < MIN_TICKS:                       # a short axis: finer ticks, at least three
        ticks = log_ticks(math.exp(lo), math.exp(hi))
    ax.set_xticks([math.log(t) for t in ticks])
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.set_xlabel(f"{measure} (log scale)")


def funnel_plot(res: RMAResult, labels: Sequence[str] | None = None, measure: str = "HR",
                contours: Sequence[float] = FUNNEL_LEVELS) -> plt.Figure:
    """Funnel plot: log effect against its standard error (inverted axis), with
    pseudo-confidence regions around the pooled estimate (metafor's ``funnel()``)
    and contour shading at the given levels."""
    se = np.sqrt(res.vi)
    b = float(res.beta)
    with book_style():
        fig, ax, top, grid = _funnel_frame(se)
        shades = ["#f2f2f2", "#e0e0e0", "#c8c8c8"]
        for lev, shade in sorted(zip(contours, shades), reverse=True):
            zc = stats.norm.isf((1 - lev) / 2)
            ax.fill_betweenx(grid, b - zc * grid, b + zc * grid, color=shade, lw=0, zorder=0,
                             label=f"{lev * 100:g}% pseudo-CI")
        ax.axvline(b, color=COLORS["pooled"], lw=1)
        ax.axvline(0, color=COLORS["null"], lw=0.8, ls="--")
        ax.scatter(res.yi, se, s=28, color=COLORS["study"], zorder=3, edgecolor="white", linewidth=0.5)
        if labels is not None:
            for x, y, t in zip(res.yi, se, labels):
                ax.annotate(literal(t), (x, y), xytext=(4, 2), textcoords="offset points", fontsize=7,
                            color=COLORS["muted"])
        lim = max(abs(res.yi - b).max() + 0.2, stats.norm.isf(0.005) * top * 0.9)
        _funnel_axes(ax, top, b - lim, b + lim, measure, (0.1, 0.2, 0.5, 1, 2, 5))
        ax.legend(loc="lower right", fontsize=7, frameon=False)
    return fig


def contour_funnel_plot(res: RMAResult, measure: str = "HR",
                        levels: Sequence[float] = FUNNEL_LEVELS) -> plt.Figure:
    """Contour-enhanced funnel plot (Peters JL et al., J Clin Epidemiol 2008;61:991; metafor's
    ``funnel(res, refline = 0, level = c(90, 95, 99), shade = ...)``): the contours are centred
    on the null (log HR 0), so each shaded band is where a comparison's own two-sided p-value
    falls below 0.10, 0.05 or 0.01; comparisons in the white area are not significant. Missing
    comparisons in the white area suggest that small-study effects come from non-publication
    of non-significant results; missing ones in shaded areas suggest another cause."""
    se = np.sqrt(res.vi)
    b = float(res.beta)
    with book_style():
        fig, ax, top, grid = _funnel_frame(se)
        zs = [stats.norm.isf((1 - lev) / 2) for lev in sorted(levels)]
        lim = max(np.abs(res.yi).max() + 0.2, zs[-1] * top * 1.05)
        shades = ["#dcdcdc", "#b8b8b8", "#8c8c8c"]
        edges = zs + [None]
        for j, z in enumerate(zs):          # band between this contour and the next, on both sides
            outer = grid * edges[j + 1] if edges[j + 1] is not None else np.full_like(grid, lim)
            p_hi = 1 - sorted(levels)[j]
            label = f"p < {p_hi:.2g}" if j == len(zs) - 1 else f"{1 - sorted(levels)[j + 1]:.2g} ≤ p < {p_hi:.2g}"
            for sign in (-1, 1):
                ax.fill_betweenx(grid, sign * z * grid, sign * outer, color=shades[j], lw=0, zorder=0,
                                 label=label if sign == 1 else None)
        ax.axvline(0, color=COLORS["null"], lw=0.8, ls="--")
        ax.axvline(b, color=COLORS["pooled"], lw=1, label="Pooled estimate")
        ax.scatter(res.yi, se, s=28, color=COLORS["study"], zorder=3, edgecolor="white", linewidth=0.5)
        _funnel_axes(ax, top, -lim, lim, measure, (0.1, 0.2, 0.5, 1, 2, 5, 10))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7, frameon=False,
                  title="Comparison's own p", title_fontsize=7)
        fig.tight_layout()
    return fig


def summary_forest(labels: Sequence[str], est: Sequence[float], lb: Sequence[float], ub: Sequence[float],
                   *, notes: Sequence[str] | None = None, reference: float | None = None, measure: str = "HR",
                   favours: tuple[str, str] = ("Favours MDT", "Favours control"), title: str | None = None,
                   right_header: str | None = None) -> plt.Figure:
    """Point estimates with CIs, one row per analysis (sensitivity analyses, cumulative
    meta-analysis). Rows with a missing estimate show their note (e.g. "not estimable").
    Labels are wrapped, never cut; the x-axis spans the CIs but no further than 0.1 and 10,
    and a CI that runs past a limit ends in an arrow."""
    n = len(labels)
    est, lb, ub = (np.asarray(x, dtype=float) for x in (est, lb, ub))
    notes = list(notes) if notes is not None else [""] * n
    ok = np.isfinite(est)
    bold = [not ok[i] and not notes[i] for i in range(n)]
    room = (0.40 - 0.015 - 0.01) * FIG_WIDTH                       # from the label's start to the plot
    names = [wrap_label(s, room, 7.5, "bold" if b else "normal") for s, b in zip(labels, bold)]
    ys, units = row_centres([t.count("\n") + 1 for t in names], 0.5)
    height = 0.9 + 0.3 * units
    with book_style():
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, height))
        fig.subplots_adjust(left=0.40, right=0.72, top=1 - 0.35 / height, bottom=0.55 / height)
        lo_lim = max(0.1, min(np.nanmin(lb[ok]) if ok.any() else 0.5, 0.5) * 0.85)
        hi_lim = min(10, max(np.nanmax(ub[ok]) if ok.any() else 2, 1.5) * 1.15)
        _log_axis(ax, lo_lim, hi_lim, measure)
        ax.set_ylim(units - 0.5, -0.8)
        ax.axvline(1, color=COLORS["null"], lw=0.8)
        if reference is not None:
            ax.axvline(reference, color=COLORS["pooled"], lw=0.8, ls=":")
        ax.set_yticks([])
        ax.spines[["left", "top", "right"]].set_visible(False)
        trans = matplotlib.transforms.blended_transform_factory(fig.transFigure, ax.transData)
        ax.text(0.01, -0.75, "Analysis", transform=trans, fontweight="bold", fontsize=8, va="center")
        ax.text(0.735, -0.75, right_header or f"{measure} [95% CI]", transform=trans, fontweight="bold", fontsize=8,
                va="center")
        for i, y in enumerate(ys):
            ax.text(0.01, y, literal(names[i]), transform=trans, va="center",
                    fontsize=7.5, fontweight="bold" if bold[i] else "normal")
            if ok[i]:
                ends = [min(max(x, lo_lim), hi_lim) for x in (lb[i], ub[i])]       # a CI wholly outside: at the limit
                ax.plot(ends, [y, y], color=COLORS["study"], lw=1.2)
                _clip_arrows(ax, lb[i], ub[i], y, (lo_lim, hi_lim), COLORS["study"], 1.2)
                ax.plot([est[i]], [y], marker="D" if i == 0 else "o", ms=5, color=COLORS["study"])
                txt = _fmt_ci_text(est[i], lb[i], ub[i])
            else:
                txt = ""
            extra = f"  {literal(notes[i])}" if notes[i] else ""
            ax.text(0.735, y, txt + extra, transform=trans, va="center", fontsize=8,
                    color=COLORS["muted"] if not ok[i] else "black")
        if title:
            ax.set_title(literal(title), fontsize=9, loc="left")
        _favours_labels(ax, favours, 30)
    return fig


def influence_plot(infl, labels: Sequence[str] | None = None) -> plt.Figure:
    """metafor's ``plot(influence(res))`` in four panels: externally standardised residuals,
    DFFITS, Cook's distance and tau² when the study is left out; flagged studies in red.
    Study names run whole under the lower panels, the figure as tall as they need."""
    labels = list(labels) if labels is not None else [str(i) for i in infl.index]
    x = np.arange(len(labels))
    flagged = (infl["inf"] == "*").to_numpy()
    panels = [("rstudent", "Standardised residual", (-1.96, 1.96)), ("dffits", "DFFITS", None),
              ("cook_d", "Cook's distance", None), ("tau2_del", "\u03c4\u00b2 without the study", None)]
    names = [short_label(s, None) for s in labels]          # whole names: the figure grows to fit them
    below = max(text_width(s, 6.5) for s in names) * math.sin(math.radians(60)) if names else 0
    with book_style():
        fig, axes = plt.subplots(2, 2, figsize=(FIG_WIDTH, 4.75 + below), sharex=True)
        for ax, (col, title, band) in zip(axes.ravel(), panels):
            y = infl[col].to_numpy(float)
            ax.plot(x, y, color=COLORS["muted"], lw=0.8)
            ax.scatter(x, y, c=[COLORS["pi"] if f else COLORS["study"] for f in flagged], s=22, zorder=3)
            if band:
                for b in band:
                    ax.axhline(b, color=COLORS["null"], lw=0.6, ls="--")
            ax.set_title(title, fontsize=9, loc="left")
        for ax in axes[1]:
            ax.set_xticks(x)
            ax.set_xticklabels([literal(s) for s in names], rotation=60, ha="right", rotation_mode="anchor",
                               fontsize=6.5)
        fig.tight_layout()
    return fig


def _n(x) -> str:
    """A PRISMA count: "n = 12", or "not recorded" when the count was not kept."""
    return "not recorded" if x is None else f"n = {x:,}"


def prisma_flow(c: dict, paper_records: int | None = None) -> plt.Figure:
    """PRISMA 2020 flow diagram (Page et al. 2021): identification, screening and included,
    with the boxes of the template (records removed before screening, records excluded,
    reports sought, not retrieved, assessed, excluded with reasons). Every count comes from
    ``helpers.prisma_counts``; a count that was not recorded reads "not recorded".

    One identification column: every record was found in public web sources (stored public
    pages, trial registries, archives), none by a search of a bibliographic database, so the
    template's second column ("other methods") has nothing of its own to show; the records are
    split by type instead (``identified_databases``: journal articles and abstracts;
    ``identified_other``: news, reviews, registry entries, protocols). The boxes and their
    texts are kept as ``fig.prisma_boxes`` [(patch, text)], so a test can check that no text
    leaves its box."""
    from matplotlib.patches import FancyBboxPatch

    with book_style():
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 6.4))
        fig.subplots_adjust(left=0, right=1, top=1, bottom=0)
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.axis("off")
        fig.prisma_boxes = []

        def box(x, y, w, h, text, bold=False, color="#ffffff", size=6.8):
            patch = FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.3", fc=color, ec="#555555", lw=0.8)
            ax.add_patch(patch)
            t = ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size,
                        fontweight="bold" if bold else "normal", linespacing=1.25)
            fig.prisma_boxes.append((patch, t))

        def stage(y, h, text):
            ax.text(1, y + h / 2, text, rotation=90, ha="center", va="center", fontsize=7, color=COLORS["muted"],
                    fontweight="bold")

        def arrow(x0, y0, x1, y1):
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle="->", color="#555555", lw=0.8))

        left, lw, right, rw = 5, 45, 56, 43
        stage(84, 14, "Identification")
        found = c["identified_databases"] + c["identified_other"]
        box(left, 84, lw, 14, f"Records identified from public web\nsources and registries: n = {found:,}\n"
                               f"(journal articles and abstracts: {_n(c['identified_databases'])};\n"
                               f"news, reviews, registry entries\nand protocols: {_n(c['identified_other'])})",
            color="#eef3f8")
        box(right, 86, rw, 10, f"Records removed before screening\nduplicates: {_n(c['duplicates_removed'])}")
        arrow(left + lw + 0.4, 91, right - 0.6, 91)
        stage(30, 48, "Screening")
        box(left, 70, lw, 8, f"Records screened\n{_n(c['screened'])}")
        dropped = "" if c["excluded_screening"] is None else " (others dropped\nwithout a note: not recorded)"
        box(right, 70, rw, 8, f"Records excluded on title or abstract\n{_n(c['excluded_screening'])}{dropped}")
        arrow(left + lw / 2, 83.4, left + lw / 2, 78.6)
        arrow(left + lw + 0.4, 74, right - 0.6, 74)
        box(left, 56, lw, 8, f"Reports sought for retrieval\n{_n(c['sought'])}")
        box(right, 56, rw, 8, f"Reports not retrieved\n{_n(c['not_retrieved'])}")
        arrow(left + lw / 2, 69.4, left + lw / 2, 64.6)
        arrow(left + lw + 0.4, 60, right - 0.6, 60)
        box(left, 40, lw, 10, f"Reports assessed for eligibility\n{_n(c['assessed'])}\n"
                               f"({c['assessed_databases']} articles and abstracts, {c['assessed_other']} other)")
        arrow(left + lw / 2, 55.4, left + lw / 2, 50.6)
        reasons = c["exclusion_reasons"]
        lines = "\n".join(f"{short_label(k, 44)}: {v}" for k, v in reasons.items())
        h = 6 + 2.6 * len(reasons)
        excluded = c["excluded_databases"] + c["excluded_other"]
        box(right, 45 - h / 2 - 5, rw, h, f"Reports excluded: n = {excluded}\n{lines}", size=6.2)
        arrow(left + lw + 0.4, 45, right - 0.6, 45)
        stage(4, 20, "Included")
        box(left, 6, lw, 16, f"Studies included in the review:\n{c['studies_included']} trials, "
                              f"{c['comparisons_included']} randomised\ncomparisons\n"
                              f"Reports of included studies:\n{_n(c['reports_included'])}", bold=True, color="#e8f4ea")
        arrow(left + lw / 2, 39.4, left + lw / 2, 22.6)
        if paper_records is not None:
            ax.text(99, 0.5, f"The paper's figure: {paper_records} records included", ha="right", va="bottom",
                    fontsize=6.5, color=COLORS["muted"], style="italic")
    return fig


def text_outside_boxes(fig) -> list[str]:
    """The texts of ``fig.prisma_boxes`` whose rendered extent leaves their box (measured with
    the figure's renderer, in display pixels)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for patch, text in getattr(fig, "prisma_boxes", []):
        t, b = text.get_window_extent(renderer), patch.get_window_extent(renderer)
        if t.x0 < b.x0 - 0.5 or t.x1 > b.x1 + 0.5 or t.y0 < b.y0 - 0.5 or t.y1 > b.y1 + 0.5:
            out.append(text.get_text().split("\n")[0])
    return out


ROB_DOMAINS = ("D1", "D2", "D3", "D4", "D5", "Overall")


ROB_LEVELS = {"low": "Low", "some concerns": "Some concerns", "high": "High", "": "Not assessed"}


def _rob_level(value: object) -> str:
    """A RoB 2 judgement as a key of ``ROB_COLORS``: anything but the three levels is "" (not assessed)."""
    v = str(value).strip().lower()
    return v if v in ROB_COLORS else ""


def _rob_legend_handles(levels: set[str], provisional: bool) -> list:
    """Legend entries for the judgements in ``levels`` (in the order low, some concerns, high,
    not assessed), each a dot in its colour with its symbol named, and a dashed outline
    for provisional judgements when there are any."""
    from matplotlib.lines import Line2D

    handles = []
    for level in ROB_LEVELS:
        if level in levels:
            sym = f" ({ROB_SYMBOLS[level]})" if ROB_SYMBOLS[level] else ""
            handles.append(Line2D([], [], ls="", marker="o", ms=9, mec="none", color=ROB_COLORS[level],
                                  label=ROB_LEVELS[level] + sym))
    if provisional:
        from matplotlib.collections import PathCollection
        from matplotlib.markers import MarkerStyle
        from matplotlib.transforms import IdentityTransform

        marker = MarkerStyle("o")
        handles.append(PathCollection([marker.get_path().transformed(marker.get_transform())], sizes=[81],
                                      facecolors="white", edgecolors="#333333", linewidths=0.8, linestyles="--",
                                      label="Provisional (dashed outline)", transform=IdentityTransform()))
    return handles


ROB_ROW = 0.28        # inches per comparison in the traffic-light plot
ROB_LEGEND = 0.45     # inches under the grid for the legend


def rob_traffic_light(rob, labels: Sequence[str], title: str | None = None) -> plt.Figure:
    """RoB 2 traffic-light plot: comparisons × domains, provisional judgements with a dashed
    outline, and a legend of the judgements under the grid. Comparison names are wrapped to
    the label column, never cut."""
    cols = [f"d{i}" for i in range(1, 6)] + ["overall"]
    names = [wrap_label(short_label(s, None), 0.42 * FIG_WIDTH - 0.15, 7.5) for s in labels]
    ys, units = row_centres([t.count("\n") + 1 for t in names], 0.55)
    height = 0.7 + ROB_ROW * units + ROB_LEGEND
    levels = {_rob_level(v) for c in cols for v in rob[c]}
    provisional = bool((rob["provisional"] == "yes").any())
    with book_style():
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, height))
        fig.subplots_adjust(left=0.42, right=0.98, top=1 - 0.45 / height, bottom=(ROB_LEGEND + 0.05) / height)
        for y, (_, r) in zip(ys, rob.iterrows()):
            for j, c in enumerate(cols):
                j_val = _rob_level(r[c])
                ax.scatter([j], [y], s=120, color=ROB_COLORS[j_val],
                           edgecolor="#333333" if r["provisional"] == "yes" else "none",
                           linewidth=0.6, linestyle="--" if r["provisional"] == "yes" else "-")
                ax.text(j, y, ROB_SYMBOLS[j_val], ha="center", va="center", color=text_on(ROB_COLORS[j_val]),
                        fontsize=7, fontweight="bold")
        ax.set_xticks(range(len(cols)))
        ax.set_xticklabels(ROB_DOMAINS)
        ax.xaxis.tick_top()
        ax.set_yticks(ys)
        ax.set_yticklabels([literal(t) for t in names], fontsize=7.5)
        ax.set_ylim(units - 0.5, -0.7)
        ax.set_xlim(-0.6, len(cols) - 0.4)
        for side in ("left", "right", "bottom", "top"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
        if title:
            ax.set_title(literal(title), fontsize=9, loc="left", pad=18)
        handles = _rob_legend_handles(levels, provisional)
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.04 / height), ncol=len(handles),
                   frameon=False, fontsize=7.5, handletextpad=0.3, columnspacing=1.4)
    return fig


def rob_summary(rob, weights: Sequence[float], title: str | None = None) -> plt.Figure:
    """RoB 2 summary: share of the analysis weight at each judgement, per domain."""
    cols = [f"d{i}" for i in range(1, 6)] + ["overall"]
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() * 100
    with book_style():
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 2.6))
        judged = {c: np.array([_rob_level(v) for v in rob[c]]) for c in cols}
        levels = [lv for lv in ROB_LEVELS if any((j == lv).any() for j in judged.values()) or lv != ""]
        for row, c in enumerate(cols):
            left = 0.0
            for level in levels:
                share = float(w[judged[c] == level].sum())
                ax.barh(row, share, left=left, color=ROB_COLORS[level], label=ROB_LEVELS[level] if row == 0 else None)
                if share >= 8:            # dark text on light fills, light on dark: contrast at least 4.5:1
                    ax.text(left + share / 2, row, f"{share:.0f}%", ha="center", va="center",
                            color=text_on(ROB_COLORS[level]), fontsize=7)
                left += share
        ax.set_yticks(range(len(cols)))
        ax.set_yticklabels(ROB_DOMAINS)
        ax.set_ylim(len(cols) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.set_xlabel("Share of the analysis weight (%)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=len(levels), frameon=False, fontsize=7)
        if title:
            ax.set_title(literal(title), fontsize=9, loc="left")
        fig.tight_layout()
    return fig


def scorecard_figure(card) -> plt.Figure:
    """The paper's estimate beside this book's under the primary model, for each estimate in
    the paper's abstract (rows of ``helpers.review.scorecard.scorecard``). A row whose book
    estimate is one trial is drawn hollow: it is that trial's result, not a pooled one."""
    labels = [label_row(o, f, s) for o, f, s in zip(card["outcome"], card["factor"], card["subgroup"])]
    n = len(card)
    with book_style():
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.8 + 0.42 * n))
        y = np.arange(n)
        pe = card["paper_est"].astype(float).to_numpy()
        ok = np.isfinite(pe)
        ax.errorbar(pe[ok], y[ok] - 0.15, xerr=[pe[ok] - card["paper_lb"].to_numpy(float)[ok],
                                                card["paper_ub"].to_numpy(float)[ok] - pe[ok]],
                    fmt="s", color="#444444", ms=5, lw=1.2, capsize=0, label="Paper")
        be, bl, bu = (card[c].astype(float).to_numpy() for c in ("hr", "ci_lb", "ci_ub"))
        for single, face, name in ((False, COLORS["study"], "This book, primary model (pooled)"),
                                   (True, "white", "This book, one trial only")):
            m = np.isfinite(be) & ((card["k"].to_numpy() == 1) == single)
            if m.any():
                ax.errorbar(be[m], y[m] + 0.15, xerr=[be[m] - bl[m], bu[m] - be[m]], fmt="o", color=COLORS["study"],
                            mfc=face, ms=5, lw=1.2, capsize=0, label=name)
        ax.axvline(1, color=COLORS["null"], lw=0.8)
        ax.set_xscale("log")
        ax.set_yticks(range(n))
        ax.set_yticklabels([literal(t) for t in labels], fontsize=8)
        ax.set_ylim(n - 0.5, -0.6)
        lo = np.nanmin(np.r_[bl, card["paper_lb"].to_numpy(float)])
        hi = np.nanmax(np.r_[bu, card["paper_ub"].to_numpy(float)])
        ticks = log_ticks(lo / 1.5, hi * 1.5)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("HR or OR (log scale); MDT versus control")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.2 / (0.8 + 0.42 * n)), ncol=3, fontsize=7,
                  frameon=False)
        fig.tight_layout()
    return fig


def label_row(outcome: str, factor: str, subgroup: str) -> str:
    """``OS · de novo`` for a scorecard row; ``Grade ≥2 adverse events`` for the harms row."""
    if outcome.startswith("AE") or outcome.lower().startswith("grade"):
        return "Grade ≥2 adverse events"
    return outcome if subgroup in ("all", "", None) else f"{outcome} · {label(subgroup)}"


def sensitivity_plot(sens) -> plt.Figure:
    """Pooled HR under each sensitivity analysis (rows of ``sensitivity_analyses``, the primary
    analysis first); the dotted line is the primary estimate."""
    return summary_forest(list(sens["analysis"]), sens["hr"], sens["ci_lb"], sens["ci_ub"],
                          notes=["" if e else "not estimable" for e in sens["estimable"]],
                          reference=float(sens["hr"].iloc[0]))


def cumulative_plot(cu) -> plt.Figure:
    """metafor's ``forest(cumul(res))``: the pooled HR as each comparison is added (log scale input).
    Rows name the comparison as the forest plot does (asides dropped) and keep its year."""
    import re

    def name(s: str) -> str:
        m = re.fullmatch(r"(.*?)\s*(\(\d{4}\))", str(s))
        return f"+ {short_label(m[1], None)} {m[2]}" if m else f"+ {short_label(s, None)}"

    return summary_forest([name(s) for s in cu.index], np.exp(cu["estimate"]), np.exp(cu["ci_lb"]),
                          np.exp(cu["ci_ub"]))


def subgroup_forest(results: dict, outcome: str) -> plt.Figure:
    """Pooled HR within each subgroup of each factor for one outcome, with the separate-τ²
    interaction p-value in each factor's header (``SubgroupResult`` objects keyed by (outcome, factor))."""
    labels, est, lb, ub = [], [], [], []
    for (oc, f), r in results.items():
        if oc != outcome:
            continue
        labels.append(f"{f} (interaction {fmt_test_p(r.p_separate)})")
        est.append(np.nan), lb.append(np.nan), ub.append(np.nan)
        for _, g in r.rows.iterrows():
            labels.append(f"    {heading(g['level'])} (k = {g['k']})")
            est.append(g["hr"]), lb.append(g["ci_lb"]), ub.append(g["ci_ub"])
    return summary_forest(labels, est, lb, ub, notes=[""] * len(labels), right_header="HR [95% CI]")


def odds_ratio_forest(sr) -> plt.Figure:
    """Odds ratios of adverse events per trial (events/patients in each arm), with the
    random-effects pooled OR as a last row only when two or more trials are pooled
    (``sr``: a ``SafetyResult``)."""
    u = sr.usable
    if not len(u) or sr.re_or is None:
        return summary_forest(["no usable trial"], [np.nan], [np.nan], [np.nan], notes=["not estimable"], measure="OR")
    z = stats.norm.ppf(0.975)
    yi, se = np.asarray(sr.re_or.yi), np.sqrt(np.asarray(sr.re_or.vi))
    labels = [f"{t} ({a:g}/{n1:g} vs {c:g}/{n2:g})"            # counts read 20/66, never 20.0/66.0
              for t, a, n1, c, n2 in zip(u["trial"], *(u[k].astype(float) for k in ("ai", "n1i", "ci", "n2i")))]
    est, lb, ub = list(np.exp(yi)), list(np.exp(yi - z * se)), list(np.exp(yi + z * se))
    if len(yi) >= 2:
        labels.append("Random-effects OR (pooled)")
        est.append(math.exp(sr.re_or.beta)), lb.append(math.exp(sr.re_or.ci_lb)), ub.append(math.exp(sr.re_or.ci_ub))
    return summary_forest(labels, est, lb, ub, measure="OR", favours=("Fewer events with MDT", "More events with MDT"),
                          right_header="OR [95% CI]")


def posterior_density_plot(fits: Mapping, mcid: float) -> plt.Figure:
    """The posterior density of the pooled HR (``BayesMeta`` fits by outcome, log-HR scale,
    drawn on a log HR axis), shaded where HR < 1 and, darker, where HR < ``mcid``; each
    panel's title gives both probabilities; the legend sits below the panels."""
    from helpers.show.text import fmt_prob

    names = list(fits)
    with book_style():
        fig, axes = plt.subplots(1, len(names), figsize=(FIG_WIDTH, 3.1), squeeze=False)
        for ax, oc in zip(axes[0], names):
            f = fits[oc]
            lo, hi = (float(q) for q in f.qposterior(mu_p=np.array([0.0005, 0.9995])))
            lo, hi = min(lo, math.log(mcid) - 0.1), max(hi, 0.1)
            x = np.linspace(lo, hi, 400)
            d = np.asarray(f.dposterior(mu=x), float)
            ax.plot(x, d, color=COLORS["pooled"], lw=1.4, label="Posterior density of the pooled HR")
            ax.fill_between(x, 0, d, where=x <= 0, color="#c6dbef", lw=0, label="HR < 1")
            ax.fill_between(x, 0, d, where=x <= math.log(mcid), color="#6baed6", lw=0,
                            label=f"HR < {mcid:.2f} (minimal clinically important)")
            ax.axvline(0, color=COLORS["null"], lw=0.8)
            ax.axvline(math.log(mcid), color=COLORS["null"], lw=0.8, ls="--")
            ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.8, 1, 1.5, 2, 3) if lo <= math.log(t) <= hi]
            ax.set_xticks([math.log(t) for t in ticks])
            ax.set_xticklabels([f"{t:g}" for t in ticks])
            ax.set_xlim(lo, hi)
            ax.set_ylim(0, d.max() * 1.08)
            ax.set_yticks([])
            ax.spines[["left"]].set_visible(False)
            ax.set_xlabel("HR, MDT versus control (log scale)")
            ax.set_title(f"{literal(oc)}: P(HR < 1) {_prob_is(fmt_prob(f.pposterior(mu=0.0)))}, "
                         f"P(HR < {mcid:.2f}) {_prob_is(fmt_prob(f.pposterior(mu=math.log(mcid))))}",
                         fontsize=8.5, loc="left")
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=7.5)
        fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def _prob_is(text: str) -> str:
    return text if text[0] in "<>" else f"= {text}"


def tsa_plot(res, sensitivity=None, *, title: str | None = None, sensitivity_label: str = "Z from REML with the Wald z-test") -> plt.Figure:
    """Trial sequential analysis (a ``TSAResult``): the cumulative Z-curve against the
    information as events (Σ 1/vᵢ · (1 + r)²/r), signed so that values above 0 favour MDT;
    the Lan–DeMets O'Brien–Fleming boundaries for benefit (top) and harm (bottom) at each
    trial and, where the required information is not reached, at it (as if one more look
    were taken there); the conventional ±z₁₋α/₂ lines; and a vertical line at the
    diversity-adjusted required information.  ``sensitivity``: a second Z-curve (dashed)."""
    from helpers.meta.sequential import ldbounds

    per = (1 + res.required.ratio) ** 2 / res.required.ratio
    lk = res.looks
    x = per * lk["information"].to_numpy(float)
    t = lk["t"].to_numpy(float)
    c = lk["upper"].to_numpy(float)
    req = per * res.required.information_adjusted
    bx, bc = list(x), list(c)
    if t[-1] < 1:
        bx.append(req)
        bc.append(float(ldbounds(np.r_[t, 1.0], alpha=res.alpha / 2, beyond=res.beyond)[-1]))
    bx, bc = np.array(bx), np.array(bc)
    fin = np.isfinite(bc)
    conv = float(stats.norm.isf(res.alpha / 2))
    z = -lk["z"].to_numpy(float)
    zs = -sensitivity.looks["z"].to_numpy(float) if sensitivity is not None else np.array([])
    top = min(12.0, max(6.0, 1.15 * np.nanmax(np.abs(np.r_[z, zs, conv]))))
    with book_style():
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.9))
        ax.axhline(0, color=COLORS["grid"], lw=0.8)
        for sign in (1, -1):
            ax.axhline(sign * conv, color=COLORS["null"], lw=0.8, ls=":",
                       label=f"Conventional significance (Z = ±{conv:.2f})" if sign == 1 else None)
            ax.plot(x[np.isfinite(c)], sign * c[np.isfinite(c)], color=COLORS["pi"], lw=1.2, marker=".", ms=4,
                    label="Sequential boundaries for benefit (top) and harm (bottom)" if sign == 1 else None)
            if len(bx) > len(x) and fin[-2:].all():   # to the required information: dashed, a look not yet taken
                ax.plot(bx[-2:], sign * bc[-2:], color=COLORS["pi"], lw=1, ls="--", marker=".", ms=4,
                        label="Boundary at the required information, were a trial to reach it" if sign == 1 else None)
        ax.axvline(req, color=COLORS["muted"], lw=1, ls="--",
                   label=f"Required information: {req:,.0f} events (D² = {res.D2:.2f})")
        if sensitivity is not None:
            ax.plot(np.r_[0, x], np.r_[0, zs], color=COLORS["muted"], lw=1, ls="--", marker="o", ms=3, mfc="white",
                    label=literal(sensitivity_label))
        ax.plot(np.r_[0, x], np.r_[0, z], color=COLORS["pooled"], lw=1.6, marker="o", ms=4,
                label="Cumulative Z, primary model")
        ax.set_xlim(0, max(req, x[-1]) * 1.05)
        ax.set_ylim(-top, top)
        ax.set_xlabel("Information (events; 1:1 allocation)")
        ax.set_ylabel("Cumulative Z (above 0 favours MDT)")
        if title:
            ax.set_title(literal(title), fontsize=9, loc="left")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False, fontsize=7)
        fig.tight_layout()
    return fig
