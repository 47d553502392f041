"""The show wing by value: what the figures draw (texts, positions on the axis in data
coordinates, rows, colours, legends clear of the data) on small hand-made inputs, each expected
value worked from the drawing rules or computed independently in the test."""
from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import helpers as h
from helpers.show.plots import (COLORS, FIG_WIDTH, ROB_COLORS, cumulative_plot, forest_plot, odds_ratio_forest,
                                posterior_density_plot, scorecard_figure, sensitivity_plot, subgroup_forest,
                                tsa_plot)

EN = "\u2013"
Z95 = stats.norm.isf(0.025)
Z90 = stats.norm.isf(0.05)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    """{text: (x, y, ha, weight)} of an axes' texts (x in figure fraction, y in data for the forest)."""
    return [(t.get_text(), *t.get_position(), t.get_ha(), t.get_fontweight()) for t in ax.texts]


def _lines(ax):
    return [(list(map(float, ln.get_xdata())), list(map(float, ln.get_ydata())), ln.get_marker(), ln.get_color())
            for ln in ax.get_lines()]


def _annotations(ax):
    return [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]


# =========================================================================== forest_plot
Y3 = np.log([0.5, 0.8, 2.0])
V3 = np.array([0.04, 0.09, 0.25])


def test_forest_plot_common_effect_rows_points_and_texts():
    res = h.rma(Y3, V3, method="EE")
    fig = forest_plot(res, ["A", "B (long aside)", "C$"])
    ax = fig.axes[0]
    # rows: 3 studies (y = 0, 1, 2), a gap (3), the pooled row (4): 5 rows; no PI row (EE has none)
    assert ax.get_ylim() == (4.5, -1.0)
    assert tuple(fig.get_size_inches()) == pytest.approx((FIG_WIDTH, 1.2 + 0.24 * (5 + 2)))
    # per-study CIs from yi ± z·√vi on the ratio scale
    lo, hi = np.exp(Y3 - Z95 * np.sqrt(V3)), np.exp(Y3 + Z95 * np.sqrt(V3))
    # x limits: min(0.3379, 0.5)·0.85 and max(5.329, 2)·1.15
    assert ax.get_xlim() == pytest.approx((lo[0] * 0.85, hi[2] * 1.15))
    assert ax.get_xscale() == "log"
    assert list(ax.get_xticks()) == [0.5, 1, 2, 5]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "1", "2", "5"]
    assert ax.get_xlabel() == "HR (log scale)"
    lines = _lines(ax)
    # null line at 1 and dotted pooled line at exp(beta)
    assert lines[0][0] == [1.0, 1.0] and lines[0][3] == COLORS["null"]
    assert lines[1][0] == pytest.approx([math.exp(res.beta)] * 2) and ax.get_lines()[1].get_linestyle() == ":"
    ci = [ln for ln in lines[2:] if ln[2] in ("None", None, "")]
    pts = [ln for ln in lines[2:] if ln[2] == "s"]
    assert [c[1] for c in ci] == [[0, 0], [1, 1], [2, 2]]
    for i, c in enumerate(ci):
        assert c[0] == pytest.approx([lo[i], hi[i]], rel=1e-12)
    assert [p[0][0] for p in pts] == pytest.approx([0.5, 0.8, 2.0]) and [p[1] for p in pts] == [[0], [1], [2]]
    # marker sizes 4 + 10·√(w/w_max): w = 1/v = 25, 11.11, 4 → 14, 4 + 10·(2/3), 4 + 10·0.4
    sizes = [ln.get_markersize() for ln in ax.get_lines() if ln.get_marker() == "s"]
    assert sizes == pytest.approx([14, 4 + 20 / 3, 8])
    # the diamond: (lb, r), (b, r − 0.35), (ub, r), (b, r + 0.35) at row 4
    b, lb, ub = math.exp(res.beta), math.exp(res.ci_lb), math.exp(res.ci_ub)
    xy = ax.patches[0].get_xy()
    np.testing.assert_allclose(xy[:4], [[lb, 4], [b, 3.65], [ub, 4], [b, 4.35]], rtol=1e-12)
    # texts: headers at y = −0.9, a row's label, CI text and weight on its own row
    # weights 25/40.11 = 62.3 %, 11.11/40.11 = 27.7 %, 4/40.11 = 10.0 %
    t = _texts(ax)
    assert t[:3] == [("Study", 0.005, -0.9, "left", "bold"), ("HR [95% CI]", 0.645, -0.9, "left", "bold"),
                     ("Weight", pytest.approx(0.82), -0.9, "right", "bold")]
    rows = [(s, y) for s, x, y, ha, wt in t[3:-2]]     # the last two: the favours annotations
    assert rows == [("A", 0), (f"0.50 [{lo[0]:.2f}{EN}{hi[0]:.2f}]", 0), ("62.3%", 0),
                    ("B", 1), (f"0.80 [0.44{EN}1.44]", 1), ("27.7%", 1),
                    (r"C\$", 2), (f"2.00 [0.75{EN}5.33]", 2), ("10.0%", 2),
                    ("Common-effect model", 4), (f"{b:.2f} [{lb:.2f}{EN}{ub:.2f}]", 4), ("100%", 4)]
    assert lo[0] == pytest.approx(0.3379, abs=1e-4) and hi[0] == pytest.approx(0.7400, abs=1e-4)
    assert [wt for s, x, y, ha, wt in t[-5:-2]] == ["bold"] * 3
    assert [x for s, x, y, ha, wt in t[3:6]] == pytest.approx([0.005, 0.645, 0.82])   # no group indent
    # heterogeneity line under the plot (QE 7.25 on 2 df: p = e^(−7.25/2) = 0.027)
    assert [t.get_text() for t in fig.texts] == [
        f"Heterogeneity: I\u00b2 = {res.I2:.0f}%, \u03c4\u00b2 = 0.000, Q = 7.25 (df = 2), p = 0.03"]
    assert res.I2 == pytest.approx(100 * (res.QE - 2) / res.QE)
    anns = _annotations(ax)
    # the favours labels either side of HR 1, 6 points clear of it
    assert [(a.get_text(), a.xy, a.xyann, a.get_ha()) for a in anns] == [
        ("\u2190 Favours MDT", (1.0, 0), (-6, -34), "right"), ("Favours control \u2192", (1.0, 0), (6, -34), "left")]


def test_forest_plot_groups_rob_columns_pi_arrows_and_level():
    y = np.log([0.5, 0.8, 2.0, 0.3])
    v = np.array([0.04, 0.09, 0.25, 0.05])
    res = h.rma(y, v, method="REML", test="knha", level=90)
    pred = res.predict()
    fig = forest_plot(res, ["A", "B", "C", "D"], pi=pred, groups=["g2", "g1", "g2", "g1"],
                      rob={"D1": ["low", "high", "some concerns", "?"], "Overall": ["Low ", "high", "", "x"]},
                      left_columns={"Events": ["1/2", "3/4", "5/6", "7/8"], "N": ["10", "20", "30", "40"]},
                      xlim=(0.4, 2.5), measure="OR", favours=("Less", "More"))
    ax = fig.axes[0]
    # rows: g2 (0), A (1), C (2), g1 (3), B (4), D (5), gap (6), pooled (7), PI (8): 9 rows
    assert ax.get_ylim() == (8.5, -1.0)
    assert tuple(fig.get_size_inches()) == pytest.approx((FIG_WIDTH, 1.2 + 0.24 * 11))
    assert ax.get_xlim() == pytest.approx((0.4, 2.5)) and list(ax.get_xticks()) == [0.5, 1, 2]
    t = {(s, y_): (x, ha, wt) for s, x, y_, ha, wt in _texts(ax)}
    assert t[("g2", 0)] == (0.005, "left", "bold") and t[("g1", 3)] == (0.005, "left", "bold")
    assert t[("A", 1)][0] == pytest.approx(0.015) and ("C", 2) in t and ("B", 4) in t and ("D", 5) in t
    # headers: the left columns right-aligned at 0.40 − 0.01 − 0.045·(n − 1 − j), the CI at 90 %
    assert t[("Events", -0.9)] == (pytest.approx(0.345), "right", "bold")
    assert t[("N", -0.9)] == (pytest.approx(0.39), "right", "bold")
    assert ("OR [90% CI]", -0.9) in t
    assert t[("1/2", 1)][0] == pytest.approx(0.345) and t[("40", 5)][0] == pytest.approx(0.39)
    # per-study CI at the model's level (90 %): A = exp(ln 0.5 ± 1.645·0.2) = 0.36–0.69
    lo, hi = np.exp(y - Z90 * np.sqrt(v)), np.exp(y + Z90 * np.sqrt(v))
    assert (f"0.50 [{lo[0]:.2f}{EN}{hi[0]:.2f}]", 1) in t and f"{lo[0]:.2f}" == "0.36"
    # CI lines clipped at the limits, with an arrow where a CI leaves the plot
    ci = {int(ln[1][0]): ln[0] for ln in _lines(ax) if ln[2] in ("None", None, "") and len(ln[0]) == 2
          and ln[1][0] == ln[1][1] and ln[3] == COLORS["study"]}
    assert ci[1] == pytest.approx([0.4, hi[0]])          # A: 0.364 < 0.4
    assert ci[2] == pytest.approx([lo[2], 2.5])          # C: 4.55 > 2.5
    assert ci[4] == pytest.approx([lo[1], hi[1]])        # B inside
    arrows = sorted((a.xy, a.xyann) for a in _annotations(ax) if a.get_text() == ""
                    and a.arrow_patch.get_edgecolor() == matplotlib.colors.to_rgba(COLORS["study"]))
    assert arrows == sorted([((0.4, 1), (0.5, 1)), ((2.5, 2), (2.0, 2)), ((0.4, 5), (0.5, 5))])
    # the prediction interval runs past both limits: a red arrow at each end
    pi_arrows = sorted((a.xy, a.xyann) for a in _annotations(ax) if a.get_text() == ""
                       and a.arrow_patch.get_edgecolor() == matplotlib.colors.to_rgba(COLORS["pi"]))
    assert pi_arrows == [((0.4, 8), (0.5, 8)), ((2.5, 8), (2.0, 8))]
    # risk-of-bias dots: colour by judgement (case and spaces ignored), grey when unknown
    dots = {(float(ln.get_xdata()[0]), int(ln.get_ydata()[0])): ln.get_color() for ln in ax.get_lines()
            if ln.get_marker() == "o"}
    assert dots == {(0.85, 1): ROB_COLORS["low"], (0.875, 1): ROB_COLORS["low"],
                    (0.85, 2): ROB_COLORS["some concerns"], (0.875, 2): ROB_COLORS[""],
                    (0.85, 4): ROB_COLORS["high"], (0.875, 4): ROB_COLORS["high"],
                    (0.85, 5): ROB_COLORS[""], (0.875, 5): ROB_COLORS[""]}
    sym = [(s, y_) for s, x, y_, ha, wt in _texts(ax) if ha == "center"]
    assert sym == [("+", 1), ("+", 1), ("?", 2), ("", 2), ("\u2212", 4), ("\u2212", 4), ("", 5), ("", 5)]
    heads = [(tx.get_text(), tx.get_rotation()) for tx in ax.texts if tx.get_rotation() == 50]
    assert heads == [("D1", 50), ("Overall", 50)]
    # the pooled row and the prediction interval (red bar, clipped to the limits)
    assert ("Random-effects model (REML, HKSJ)", 7) in t and t[("100%", 7)][2] == "bold"
    assert ("Prediction interval", 8) in t
    pl, pu = math.exp(pred["pi_lb"]), math.exp(pred["pi_ub"])
    assert (f"[{pl:.2f}{EN}{pu:.2f}]", 8) in t
    pi_line = [ln for ln in ax.get_lines() if ln.get_color() == COLORS["pi"] and ln.get_marker() != "o"]
    assert len(pi_line) == 1 and list(pi_line[0].get_xdata()) == [0.4, 2.5] and list(pi_line[0].get_ydata()) == [8, 8]
    assert pi_line[0].get_linewidth() == 3
    assert [a.get_text() for a in _annotations(ax) if a.get_text()] == ["\u2190 Less", "More \u2192"]
    assert fig.texts[0].get_text().startswith(f"Heterogeneity: I\u00b2 = {res.I2:.0f}%, \u03c4\u00b2 = {res.tau2:.3f}, "
                                              f"Q = {res.QE:.2f} (df = 3), ")


def test_forest_plot_labels_overrides_and_single_study():
    res = h.rma(Y3, V3, method="DL")
    with pytest.raises(ValueError, match="2 labels for 3"):
        forest_plot(res, ["A", "B"])
    fig = forest_plot(res, ["A", "B", "C"], estimates=[0.45, 0.8, 2.1], ci_lb=[0.3, 0.5, 1.0],
                      ci_ub=[0.7, 1.2, 4.0], model_label="Pooled here", heterogeneity="het $x",
                      pi={"pi_lb": None})
    ax = fig.axes[0]
    rows = [(s, y) for s, x, y, ha, wt in _texts(ax)]
    assert (f"0.45 [0.30{EN}0.70]", 0) in rows and ("Pooled here", 4) in rows
    assert ax.get_ylim() == (4.5, -1.0)                      # a PI of None adds no row
    assert [tx.get_text() for tx in fig.texts] == [r"het \$x"]
    pts = [list(ln.get_xdata()) for ln in ax.get_lines() if ln.get_marker() == "s"]
    assert pts == [[0.45], [0.8], [2.1]]
    # x limits from the given CIs: min(0.3, 0.5)·0.85 = 0.255, max(4.0, 2)·1.15 = 4.6 (DL CI inside)
    assert ax.get_xlim() == pytest.approx((0.255, 4.6))
    assert ("Random-effects model (DL)", 4) not in rows
    default = forest_plot(res, ["A", "B", "C"])
    assert ("Random-effects model (DL)", 4) in [(s, y) for s, x, y, ha, wt in _texts(default.axes[0])]
    # one study: no heterogeneity line
    one = forest_plot(h.rma([math.log(0.5)], [0.04], method="EE"), ["A"])
    assert [tx.get_text() for tx in one.texts] == [""]
    assert one.axes[0].get_ylim() == (2.5, -1.0)


# =========================================================================== scorecard_figure
def _card():
    return pd.DataFrame({"outcome": ["OS", "PFS", "AE grade >=2"], "factor": ["overall", "timing", "overall"],
                         "subgroup": ["all", "de_novo", "all"], "paper_est": [0.5, np.nan, 1.5],
                         "paper_lb": [0.3, np.nan, 0.8], "paper_ub": [0.8, np.nan, 3.0],
                         "hr": [0.55, 0.4, 1.8], "ci_lb": [0.35, 0.2, 0.9], "ci_ub": [0.9, 0.8, 3.6], "k": [3, 1, 2]})


def _segments(container):
    """[(x0, x1, y)] of an errorbar container's horizontal bars."""
    return [v for s in container.lines[2][0].get_segments() for v in (float(s[0][0]), float(s[1][0]), float(s[0][1]))]


def test_scorecard_figure_points_bars_rows_and_legend():
    fig = scorecard_figure(_card())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["OS", "PFS · de novo", "Grade ≥2 adverse events"]
    assert list(ax.get_yticks()) == [0, 1, 2] and ax.get_ylim() == (2.5, -0.6)
    assert tuple(fig.get_size_inches()) == pytest.approx((FIG_WIDTH, 0.8 + 0.42 * 3))
    assert ax.get_xscale() == "log"
    # ticks between min(lower bounds)/1.5 = 0.2/1.5 and max(upper bounds)·1.5 = 3.6·1.5
    assert list(ax.get_xticks()) == [0.2, 0.5, 1, 2, 5]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.2", "0.5", "1", "2", "5"]
    paper, pooled, single = ax.containers
    assert paper.get_label() == "Paper"
    # the paper's estimates 0.15 above each row (no paper value for PFS: not drawn)
    assert list(paper.lines[0].get_xdata()) == [0.5, 1.5] and list(paper.lines[0].get_ydata()) == [-0.15, 1.85]
    assert _segments(paper) == pytest.approx([0.3, 0.8, -0.15, 0.8, 3.0, 1.85])
    assert paper.lines[0].get_marker() == "s"
    # the book's, 0.15 below: pooled rows filled, the one-trial row hollow
    assert pooled.get_label() == "This book, primary model (pooled)"
    assert list(pooled.lines[0].get_xdata()) == [0.55, 1.8] and list(pooled.lines[0].get_ydata()) == [0.15, 2.15]
    assert _segments(pooled) == pytest.approx([0.35, 0.9, 0.15, 0.9, 3.6, 2.15])
    assert pooled.lines[0].get_mfc() == COLORS["study"]
    assert single.get_label() == "This book, one trial only"
    assert list(single.lines[0].get_xdata()) == [0.4] and list(single.lines[0].get_ydata()) == [1.15]
    assert _segments(single) == pytest.approx([0.2, 0.8, 1.15])
    assert single.lines[0].get_mfc() == "white"
    assert [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [1, 1]]       # the null line
    assert ax.get_xlabel() == "HR or OR (log scale); MDT versus control"
    # the legend sits below the axes and its tick labels, clear of every point
    leg = ax.get_legend()
    assert [t.get_text() for t in leg.get_texts()] == ["Paper", "This book, primary model (pooled)",
                                                       "This book, one trial only"]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    lb, axb = leg.get_window_extent(r), ax.get_window_extent(r)
    assert lb.y1 <= axb.y0
    # its texts (not only its box) clear of the axis label
    assert max(t.get_window_extent(r).y1 for t in leg.get_texts()) <= ax.xaxis.label.get_window_extent(r).y0
    assert lb.y0 >= 0                                              # inside the figure


def test_scorecard_figure_without_single_trials():
    card = _card()
    card["k"] = [3, 2, 2]
    ax = scorecard_figure(card).axes[0]
    assert [c.get_label() for c in ax.containers] == ["Paper", "This book, primary model (pooled)"]
    assert list(ax.containers[1].lines[0].get_xdata()) == [0.55, 0.4, 1.8]


# =========================================================================== tsa_plot
YT = np.array([-0.40, -0.10, -0.35, -0.25])
VT = np.array([0.09, 0.05, 0.04, 0.06])


def _line(ax, label):
    return next(ln for ln in ax.get_lines() if ln.get_label() == label)


@pytest.fixture(scope="module")
def tsa_pair():
    return h.tsa(YT, VT, hr=0.75, power=0.8, D2=0.0, test="z"), h.tsa(YT, VT, hr=0.75, power=0.8, D2=0.0)


def test_tsa_plot_curves_boundaries_and_required_information(tsa_pair):
    res, sens = tsa_pair
    fig = tsa_plot(res, sens, title="Cost $5")
    ax = fig.axes[0]
    # information in events (1:1: 4 per unit of information): 4·cumsum(1/v) = 44.4, 124.4, 224.4, 291.1
    x = 4 * np.cumsum(1 / VT)
    req = 4 * (Z95 + stats.norm.ppf(0.8)) ** 2 / math.log(0.75) ** 2          # 379.35 events
    z = _line(ax, "Cumulative Z, primary model")
    assert list(z.get_xdata()) == pytest.approx([0, *x])
    # signed so that above 0 favours MDT: −z; the first look's z-test is −0.4/0.3
    assert z.get_ydata()[1] == pytest.approx(0.4 / 0.3)
    assert list(z.get_ydata()) == pytest.approx([0, *(-res.looks["z"])])
    s = _line(ax, "Z from REML with the Wald z-test")
    assert list(s.get_ydata()) == pytest.approx([0, *(-sens.looks["z"])]) and s.get_linestyle() == "--"
    bounds = _line(ax, "Sequential boundaries for benefit (top) and harm (bottom)")
    assert list(bounds.get_xdata()) == pytest.approx(x)
    assert list(bounds.get_ydata()) == pytest.approx(list(res.looks["upper"]))
    harm = [ln for ln in ax.get_lines() if list(ln.get_ydata()) == pytest.approx(list(-res.looks["upper"]))]
    assert len(harm) == 1 and list(harm[0].get_xdata()) == pytest.approx(x)
    # the required information is not reached: a dashed boundary to it, as one more look at t = 1
    ext = _line(ax, "Boundary at the required information, were a trial to reach it")
    assert list(ext.get_xdata()) == pytest.approx([x[-1], req])
    c_req = h.ldbounds(np.r_[res.looks["t"], 1.0], alpha=0.025)[-1]
    assert list(ext.get_ydata()) == pytest.approx([res.looks["upper"].iloc[-1], c_req])
    v = _line(ax, f"Required information: {req:,.0f} events (D\u00b2 = 0.00)")
    assert list(v.get_xdata()) == pytest.approx([req, req])
    conv = _line(ax, "Conventional significance (Z = \u00b11.96)")
    assert conv.get_ydata()[0] == pytest.approx(Z95)
    assert any(list(ln.get_ydata()) == pytest.approx([-Z95, -Z95]) for ln in ax.get_lines())
    assert ax.get_xlim() == pytest.approx((0, req * 1.05))
    assert ax.get_ylim() == (-6.0, 6.0)                       # max |Z| 2.27·1.15 < 6
    assert ax.get_title(loc="left") == r"Cost \$5"
    assert ax.get_xlabel() == "Information (events; 1:1 allocation)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Conventional significance (Z = \u00b11.96)", "Sequential boundaries for benefit (top) and harm (bottom)",
        "Boundary at the required information, were a trial to reach it",
        f"Required information: {req:,.0f} events (D\u00b2 = 0.00)", "Z from REML with the Wald z-test",
        "Cumulative Z, primary model"]


def test_tsa_plot_legend_below_the_plot(tsa_pair):
    fig = tsa_plot(*tsa_pair)
    ax = fig.axes[0]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(r).y1 <= ax.get_window_extent(r).y0


def test_tsa_plot_beyond_the_required_information_and_a_tall_curve():
    v = np.full(6, 0.01)
    res = h.tsa(np.full(6, -0.5), v, hr=0.8, test="z", D2=0.0, ratio=2.0, alpha=0.1)
    fig = tsa_plot(res)
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "Boundary at the required information, were a trial to reach it" not in labels
    assert "Z from REML with the Wald z-test" not in labels
    # ratio 2: (1 + 2)²/2 = 4.5 events per unit of information
    per = 4.5
    x = per * np.cumsum(1 / v)
    z = _line(ax, "Cumulative Z, primary model")
    assert list(z.get_xdata()) == pytest.approx([0, *x])
    # Z of the sixth look: −0.5/√(0.01/6) = −12.2: the range is capped at ±12
    assert ax.get_ylim() == (-12.0, 12.0)
    conv = stats.norm.isf(0.05)
    assert _line(ax, f"Conventional significance (Z = \u00b1{conv:.2f})").get_ydata()[0] == pytest.approx(conv)
    req = per * res.required.information_adjusted
    assert ax.get_xlim() == pytest.approx((0, max(req, x[-1]) * 1.05))
    fin = np.isfinite(res.looks["upper"].to_numpy())
    b = _line(ax, "Sequential boundaries for benefit (top) and harm (bottom)")
    assert list(b.get_xdata()) == pytest.approx(x[fin])


def test_tsa_plot_range_follows_the_largest_z():
    # a moderate curve (|Z| = 0.3/√(0.005/3) = 7.35): the range is 1.15·max|Z|, between 6 and 12
    res2 = h.tsa(np.full(3, -0.3), np.full(3, 0.005), hr=0.8, test="z", D2=0.0)
    zmax = np.abs(res2.looks["z"]).max()
    assert 6 < 1.15 * zmax < 12
    assert tsa_plot(res2).axes[0].get_ylim() == pytest.approx((-1.15 * zmax, 1.15 * zmax))


# =========================================================================== posterior_density_plot
class _NormalFit:
    """A stand-in for a BayesMeta fit whose mu posterior is N(m, s²)."""

    def __init__(self, m, s):
        self.m, self.s = m, s

    def qposterior(self, mu_p):
        return stats.norm.ppf(mu_p, self.m, self.s)

    def dposterior(self, mu):
        return stats.norm.pdf(mu, self.m, self.s)

    def pposterior(self, mu):
        return float(stats.norm.cdf(mu, self.m, self.s))


def test_posterior_density_plot_panels_titles_and_shading():
    fits = {"OS": _NormalFit(-0.3, 0.15), "P$FS": _NormalFit(-1.0, 0.2)}
    fig = posterior_density_plot(fits, mcid=0.8)
    a, b = fig.axes[:2]
    # P(HR < 1) = Φ(0.3/0.15) = Φ(2) = 97.7 %; P(HR < 0.8) = Φ((ln 0.8 + 0.3)/0.15) = Φ(0.512) = 69.6 %
    assert a.get_title(loc="left") == "OS: P(HR < 1) = 97.7%, P(HR < 0.80) = 69.6%"
    # Φ(1/0.2) = Φ(5) > 99.9 %; Φ((ln 0.8 + 1)/0.2) = Φ(3.88) = 99.99 % > 99.9 %
    assert b.get_title(loc="left") == r"P\$FS: P(HR < 1) > 99.9%, P(HR < 0.80) > 99.9%"
    # x range: the 0.05 % and 99.95 % quantiles, widened to ln(0.8) − 0.1 and 0.1
    q = stats.norm.ppf([0.0005, 0.9995], -0.3, 0.15)
    lo, hi = min(q[0], math.log(0.8) - 0.1), max(q[1], 0.1)
    assert a.get_xlim() == pytest.approx((lo, hi))
    dens = a.get_lines()[0]
    assert len(dens.get_xdata()) == 400 and dens.get_xdata()[0] == pytest.approx(lo)
    np.testing.assert_allclose(dens.get_ydata(), stats.norm.pdf(dens.get_xdata(), -0.3, 0.15))
    assert a.get_ylim() == pytest.approx((0, stats.norm.pdf(0, 0, 0.15) * 1.08), rel=1e-4)
    # vertical lines at HR 1 (log 0) and at the MCID
    assert [float(ln.get_xdata()[0]) for ln in a.get_lines()[1:]] == pytest.approx([0, math.log(0.8)])
    assert [ln.get_linestyle() for ln in a.get_lines()[1:]] == ["-", "--"]
    ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.8, 1, 1.5, 2, 3) if lo <= math.log(t) <= hi]
    assert list(a.get_xticks()) == pytest.approx([math.log(t) for t in ticks])
    assert [t.get_text() for t in a.get_xticklabels()] == [f"{t:g}" for t in ticks]
    # the two shaded regions: below HR 1 and below the MCID
    polys = [c for c in a.collections]
    assert len(polys) == 2
    xs = [p.get_paths()[0].vertices[:, 0] for p in polys]
    assert xs[0].max() <= 0 + 1e-9 and xs[1].max() <= math.log(0.8) + 1e-9
    assert xs[0].max() > math.log(0.8)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["Posterior density of the pooled HR", "HR < 1", "HR < 0.80 (minimal clinically important)"]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    assert fig.legends[0].get_window_extent(r).y1 <= min(ax.xaxis.label.get_window_extent(r).y0 for ax in (a, b)) + 0.5


# =========================================================================== summary-forest wrappers
def test_sensitivity_plot_rows_notes_and_reference():
    sens = pd.DataFrame({"analysis": ["Primary", "Without A", "Only B"], "hr": [0.6, 0.7, np.nan],
                         "ci_lb": [0.4, 0.45, np.nan], "ci_ub": [0.9, 1.1, np.nan], "estimable": [True, True, False]})
    ax = sensitivity_plot(sens).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts[:8] == ["Analysis", "HR [95% CI]", "Primary", f"0.60 [0.40{EN}0.90]", "Without A",
                         f"0.70 [0.45{EN}1.10]", "Only B", "  not estimable"]
    dotted = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(dotted) == 1 and list(dotted[0].get_xdata()) == [0.6, 0.6]


def test_cumulative_plot_exponentiates_and_prefixes():
    cu = pd.DataFrame({"estimate": np.log([0.5, 0.7]), "ci_lb": np.log([0.3, 0.5]), "ci_ub": np.log([0.9, 1.0])},
                      index=["A", "B"])
    ax = cumulative_plot(cu).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts[2:6] == ["+ A", f"0.50 [0.30{EN}0.90]", "+ B", f"0.70 [0.50{EN}1.00]"]
    ci = [list(ln.get_xdata()) for ln in ax.get_lines() if list(ln.get_ydata()) in ([0, 0], [1, 1])]
    assert ci == [pytest.approx([0.3, 0.9]), pytest.approx([0.5, 1.0])]
    assert not [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]


def test_subgroup_forest_headers_levels_and_other_outcomes():
    rows = pd.DataFrame({"level": ["de_novo", "metachronous"], "k": [2, 3], "hr": [0.5, 0.8],
                         "ci_lb": [0.3, 0.6], "ci_ub": [0.8, 1.1]})
    results = {("OS", "Timing"): SimpleNamespace(rows=rows, p_separate=0.04),
               ("PFS", "Timing"): SimpleNamespace(rows=rows.iloc[:1], p_separate=0.5),
               ("OS", "Site"): SimpleNamespace(rows=rows.iloc[1:], p_separate=float("nan"))}
    ax = subgroup_forest(results, "OS").axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts[1] == "HR [95% CI]"
    labels = [t.get_text() for t in ax.texts if t.get_position()[0] == 0.01][1:]
    # levels in sentence case, as reader labels ("de_novo" → "De novo")
    assert labels == ["Timing (interaction p = 0.04)", "    De novo (k = 2)", "    Metachronous (k = 3)",
                      "Site (interaction not testable)", "    Metachronous (k = 3)"]
    # factor headers are bold rows without an estimate; levels carry their CI
    weights = {t.get_text(): t.get_fontweight() for t in ax.texts}
    assert weights["Timing (interaction p = 0.04)"] == "bold" and weights["    De novo (k = 2)"] == "normal"
    ci = {int(ln.get_ydata()[0]): list(ln.get_xdata()) for ln in ax.get_lines()
          if len(ln.get_xdata()) == 2 and ln.get_ydata()[0] == ln.get_ydata()[1]}
    assert ci == {1: [0.3, 0.8], 2: [0.6, 1.1], 4: [0.6, 1.1]}


def _safety(k):
    u = pd.DataFrame({"trial": ["T1", "T2"][:k], "ai": [3, 1][:k], "n1i": [20, 15][:k], "ci": [5, 4][:k],
                      "n2i": [20, 16][:k]})
    yi, vi = h.escalc_or(u["ai"], u["n1i"], u["ci"], u["n2i"])
    return SimpleNamespace(usable=u, re_or=h.rma(yi, vi, method="REML") if k else None), yi, vi


def test_odds_ratio_forest_trials_and_pooled_row():
    sr, yi, vi = _safety(2)
    ax = odds_ratio_forest(sr).axes[0]
    texts = [t.get_text() for t in ax.texts if t.get_text()]          # not the arrows of CIs past the limits
    # T1: ln(3·15/(17·5)) ± 1.96·√(1/3 + 1/17 + 1/5 + 1/15)
    lo1, hi1 = np.exp(yi[0] - Z95 * np.sqrt(vi[0])), np.exp(yi[0] + Z95 * np.sqrt(vi[0]))
    assert math.exp(yi[0]) == pytest.approx(45 / 85)
    assert texts[1] == "OR [95% CI]"
    assert texts[2:4] == ["T1 (3/20 vs 5/20)", f"{45 / 85:.2f} [{lo1:.2f}{EN}{hi1:.2f}]"]
    assert texts[4] == "T2 (1/15 vs 4/16)"
    assert texts[6] == "Random-effects OR (pooled)"
    re = sr.re_or
    assert texts[7] == f"{math.exp(re.beta):.2f} [{math.exp(re.ci_lb):.2f}{EN}{math.exp(re.ci_ub):.2f}]"
    marks = [ln.get_marker() for ln in ax.get_lines() if ln.get_marker() in ("D", "o")]
    assert marks == ["D", "o", "o"]
    anns = sorted(a.get_text() for a in _annotations(ax) if a.get_text())
    assert anns == ["More events with MDT \u2192", "\u2190 Fewer events with MDT"]
    assert ax.get_xlabel() == "OR (log scale)"


def test_odds_ratio_forest_one_trial_and_none():
    sr, yi, vi = _safety(1)
    texts = [t.get_text() for t in odds_ratio_forest(sr).axes[0].texts]
    assert "Random-effects OR (pooled)" not in texts and "T1 (3/20 vs 5/20)" in texts
    empty = odds_ratio_forest(SimpleNamespace(usable=pd.DataFrame(), re_or=None)).axes[0]
    texts = [t.get_text() for t in empty.texts]
    assert texts[:4] == ["Analysis", "OR [95% CI]", "no usable trial", "  not estimable"]
    no_fit = odds_ratio_forest(SimpleNamespace(usable=sr.usable, re_or=None)).axes[0]
    assert "no usable trial" in [t.get_text() for t in no_fit.texts]


def test_odds_ratio_forest_counts_read_as_whole_numbers():
    sr, yi, vi = _safety(1)
    sr.usable = sr.usable.astype({"ai": float, "n1i": float, "ci": float, "n2i": float})   # as a column with gaps
    texts = [t.get_text() for t in odds_ratio_forest(sr).axes[0].texts]
    assert "T1 (3/20 vs 5/20)" in texts


# =========================================================================== certainty tables
from helpers.show.tables import bayes_frequentist_table, null_trial_table, prior_sensitivity_table, tsa_table  # noqa: E402


def test_bayes_frequentist_table_rows_and_columns():
    freq = {"OS": dict(hr=0.5, hr_lb=0.3, hr_ub=0.8, pi_lb=0.2, pi_ub=1.3, tau=0.123),
            "PFS": dict(hr=0.6, hr_lb=0.4, hr_ub=0.9, pi_lb=float("nan"), pi_ub=float("nan"), tau=0.0)}
    b = dict(hr=0.55, hr_lb=0.35, hr_ub=0.85, p_benefit=0.987, p_mcid=0.9996, new_hr=0.56, new_lb=0.2,
             new_ub=1.5, p_new_benefit=0.0004, tau=0.1, tau_lb=0.01, tau_ub=0.45)
    t = bayes_frequentist_table(freq, {"OS": b, "PFS": {**b, "p_benefit": float("nan")}}, mcid=0.8)
    assert list(t.columns) == ["Model", "Quantity", "OS", "PFS"]
    assert list(t["Model"]) == ["Frequentist (primary model)"] * 3 + ["Bayesian (default priors)"] * 6
    assert list(t["Quantity"]) == [
        "Pooled HR (95% CI)", "95% prediction interval for a new trial", "τ (restricted maximum likelihood)",
        "Pooled HR, posterior median (95% credible interval)", "P(HR < 1)", "P(HR < 0.80)",
        "HR in a new trial (95% interval)", "P(new trial's HR < 1)", "τ, posterior median (95% credible interval)"]
    assert list(t["OS"]) == [f"0.50 (0.30{EN}0.80)", f"0.20{EN}1.30", "0.12", f"0.55 (0.35{EN}0.85)", "98.7%",
                             "> 99.9%", f"0.56 (0.20{EN}1.50)", "< 0.1%", f"0.10 (0.01{EN}0.45)"]
    assert t["PFS"][1] == "not given (k < 3)" and t["PFS"][2] == "0.00" and t["PFS"][4] == "\u2014"


def test_prior_sensitivity_table_estimable_and_not():
    rows = pd.DataFrame({"label": ["Default", "Uniform τ"], "k": [4.0, 2.0], "estimable": [True, False],
                         "hr": [0.6, np.nan], "hr_lb": [0.4, np.nan], "hr_ub": [0.9, np.nan],
                         "p_benefit": [0.99, np.nan], "p_mcid": [0.85, np.nan], "p_new_benefit": [0.9, np.nan],
                         "note": ["", "needs k >= 3"]})
    t = prior_sensitivity_table({"OS": rows}, mcid=0.75)
    assert list(t.columns) == ["Outcome", "Prior", "k", "HR (95% credible interval)", "P(HR < 1)", "P(HR < 0.75)",
                               "P(new trial's HR < 1)"]
    assert t.iloc[0].tolist() == ["OS", "Default", 4, f"0.60 (0.40{EN}0.90)", "99.0%", "85.0%", "90.0%"]
    assert t.iloc[1].tolist() == ["OS", "Uniform τ", 2, "needs k >= 3", "", "", ""]
    assert isinstance(t["k"][0], (int, np.integer))


def test_tsa_table_rows():
    t = pd.DataFrame({"outcome": ["OS", "OS", "PFS"], "label": ["primary", "REML z", "primary"],
                      "verdict": ["not yet conclusive", "firm evidence of benefit", "not run"],
                      "note": ["", "", "one trial"], "events_required": [1234.4, 1234.4, np.nan],
                      "events_required_adjusted": [2468.6, 1234.4, np.nan], "D2": [0.5, 0.0, np.nan],
                      "events_accrued": [617.2, 617.2, np.nan], "fraction": [0.25, 0.5, np.nan],
                      "z_final": [1.234, 3.5, np.nan], "boundary_final": [4.5678, np.inf, np.nan]})
    out = tsa_table(t)
    assert list(out.columns) == ["Outcome", "Analysis", "Required events (without / with D²)", "Information reached",
                                 "Final Z", "Boundary for benefit", "Verdict"]
    assert out.iloc[0].tolist() == ["OS", "primary", "1,234 / 2,469 (D² = 0.50)", "617 events (25%)", "1.23", "4.57",
                                    "not yet conclusive"]
    assert out.iloc[1, 5] == "none left (past the required information)"
    assert out.iloc[1, 3] == "617 events (50%)"
    assert out.iloc[2].tolist() == ["PFS", "primary", "", "", "", "", "not run: one trial"]


def test_null_trial_table_rows():
    before = dict(hr=0.5, hr_lb=0.3, hr_ub=0.8, bayes_hr=0.52, bayes_lb=0.31, bayes_ub=0.85, p_benefit=0.99,
                  p_mcid=0.7, verdict="not yet conclusive")
    after = dict(before, hr=0.7, p_benefit=0.9999, verdict="an effect as large as anticipated is unlikely")
    null = {"OS": SimpleNamespace(before=before, after=after, n=250), "PFS": SimpleNamespace(before=before, after={}, n=1)}
    t = null_trial_table(null, mcid=0.8)
    assert list(t.columns) == ["Outcome", "Quantity", "Now", "With a null trial of 250"]
    assert list(t["Outcome"]) == ["OS"] * 5                      # PFS has no "after": left out
    assert list(t["Quantity"]) == ["Pooled HR, primary model (95% CI)", "Pooled HR, Bayesian (95% credible interval)",
                                   "P(HR < 1)", "P(HR < 0.80)", "Trial sequential verdict"]
    assert list(t["Now"]) == [f"0.50 (0.30{EN}0.80)", f"0.52 (0.31{EN}0.85)", "99.0%", "70.0%", "not yet conclusive"]
    assert list(t["With a null trial of 250"]) == [f"0.70 (0.30{EN}0.80)", f"0.52 (0.31{EN}0.85)", "> 99.9%", "70.0%",
                                                   "an effect as large as anticipated is unlikely"]


def test_setup_notebook_applies_the_book_style():
    from helpers.show.plots import STYLE, setup_notebook

    with plt.rc_context():                   # restored afterwards
        plt.rcParams["svg.hashsalt"] = None
        plt.rcParams["font.size"] = 13
        setup_notebook()                     # outside IPython: the style only
        assert plt.rcParams["svg.hashsalt"] == "mdt-meta-book" and plt.rcParams["font.size"] == 8
        assert all(plt.rcParams[k] == v for k, v in STYLE.items() if k != "font.family")
        assert plt.rcParams["font.family"] == ["DejaVu Sans"]


def test_ratio_or_not_defaults_to_estimable():
    from helpers.show.tables import _ratio_or_not

    assert _ratio_or_not(0.5, 0.3, 0.8) == f"0.50 (0.30{EN}0.80)"
    assert _ratio_or_not(0.5, 0.3, 0.8, False) == "not estimable"


# =========================================================================== the house style of the figures
# Sizes in points as the book prints them (RevMan-like forest plots): headings 8 pt bold, study rows 7.5 pt,
# numbers in columns 8 pt, the pooled row 8.5 pt bold, risk-of-bias symbols 6.5 pt on coloured dots (black on
# the light green and yellow, white on the red: whichever contrasts more), group headings in sentence case.
def _style(t):
    return (t.get_text(), t.get_fontsize(), t.get_fontweight(), t.get_color(), t.get_ha(), t.get_va())


def test_forest_plot_house_style():
    y, v = np.log([0.5, 0.8]), np.array([0.04, 0.09])
    res = h.rma(np.r_[y, math.log(0.3)], np.r_[v, 0.05], method="REML", test="knha")
    fig = forest_plot(res, ["A", "B", "C"], pi=res.predict(), groups=["g", "g", "g"], rob={"D1": ["low"] * 3},
                      left_columns={"N": ["1", "2", "3"]}, xlim=(0.4, 2.5))
    ax = fig.axes[0]
    texts = [_style(t) for t in ax.texts if t.get_text()]
    B, K, M, PI = "bold", "black", COLORS["muted"], COLORS["pi"]
    row = lambda lab, n, ci, w: [(lab, 7.5, "normal", K, "left", "center"), (n, 8, "normal", K, "right", "center"),  # noqa: E731
                                 (ci, 7.5, "normal", K, "left", "center"), (w, 8, "normal", K, "right", "center"),
                                 ("+", 6.5, B, "#000000", "center", "center")]
    lo, hi = np.exp(res.yi - Z95 * np.sqrt(res.vi)), np.exp(res.yi + Z95 * np.sqrt(res.vi))
    cis = [f"{math.exp(res.yi[i]):.2f} [{lo[i]:.2f}{EN}{hi[i]:.2f}]" for i in range(3)]
    ws = [f"{w:.1f}%" for w in res.weights]
    pl, pu = np.exp([res.predict()["pi_lb"], res.predict()["pi_ub"]])
    b, lb, ub = np.exp([res.beta, res.ci_lb, res.ci_ub])
    assert texts == [("Study", 8, B, K, "left", "center"), ("N", 8, B, K, "right", "center"),
                     ("HR [95% CI]", 8, B, K, "left", "center"), ("Weight", 8, B, K, "right", "center"),
                     ("D1", 7.5, B, K, "left", "bottom"), ("G", 8.5, B, K, "left", "center"),
                     *row("A", "1", cis[0], ws[0]), *row("B", "2", cis[1], ws[1]), *row("C", "3", cis[2], ws[2]),
                     ("Random-effects model (REML, HKSJ)", 8.5, B, K, "left", "center"),
                     (f"{b:.2f} [{lb:.2f}{EN}{ub:.2f}]", 7.5, B, K, "left", "center"),
                     ("100%", 8, B, K, "right", "center"),
                     ("Prediction interval", 8, "normal", K, "left", "center"),
                     (f"[{pl:.2f}{EN}{pu:.2f}]", 8, "normal", PI, "left", "center"),
                     ("\u2190 Favours MDT", 8, "normal", M, "right", "top"),
                     ("Favours control \u2192", 8, "normal", M, "left", "top")]
    # every text at its column: label 0.005 (+0.01 under a group), N right-aligned at 0.39, CI 0.645,
    # weight right-aligned at 0.82, the RoB dot at 0.85
    xs = {t.get_text(): round(t.get_position()[0], 6) for t in ax.texts if t.get_text()}
    assert xs["Study"] == 0.005 and xs["G"] == 0.005 and xs["A"] == 0.015 and xs["1"] == 0.39
    assert xs["Random-effects model (REML, HKSJ)"] == 0.005 and xs["Prediction interval"] == 0.005
    assert xs[cis[0]] == 0.645 and xs[ws[0]] == 0.82 and xs["100%"] == 0.82 and xs["+"] == 0.85
    assert xs[f"{b:.2f} [{lb:.2f}{EN}{ub:.2f}]"] == 0.645 and xs[f"[{pl:.2f}{EN}{pu:.2f}]"] == 0.645
    assert [t.get_rotation() for t in ax.texts if t.get_text() == "D1"] == [50]
    assert [t.get_position()[1] for t in ax.texts if t.get_text() in ("Study", "D1")] == [-0.9, pytest.approx(-0.6)]
    het = fig.texts[0]
    assert (het.get_fontsize(), het.get_color()) == (8, M)
    # the favours labels 34 points under the axis, 6 points either side of HR 1
    for a in _annotations(ax):
        if a.get_text():
            assert a.xy == (1.0, 0) and a.xyann == ((-6, -34) if a.get_ha() == "right" else (6, -34))
            assert a.get_anncoords() == "offset points"
    # the plot area: 0.24 in per row (n rows + 0.5), from 0.40 to 0.64 of the width, 1.25 in above the bottom
    n_rows = 1 + 3 + 1 + 1 + 1                 # group, studies, gap, pooled, PI
    H = 1.2 + 0.24 * (n_rows + 2)
    x0, y0, w, hgt = ax.get_position().bounds
    assert (x0, w) == pytest.approx((0.40, 0.24))
    assert y0 * H == pytest.approx(1.25) and hgt * H == pytest.approx((n_rows + 0.5) * 0.24)
    # lines: the null line (0.8) and the dotted pooled line (0.6) behind the data; CIs 1 pt; the PI 3 pt, butt ends
    ln = ax.get_lines()
    assert (ln[0].get_linewidth(), ln[0].get_color(), ln[0].get_zorder()) == (0.8, COLORS["null"], 0)
    assert (ln[1].get_linewidth(), ln[1].get_linestyle(), ln[1].get_zorder()) == (0.6, ":", 0)
    ci = [x for x in ln[2:] if x.get_marker() in ("None", None, "") and x.get_linewidth() != 3]
    assert {(x.get_linewidth(), x.get_color()) for x in ci} == {(1.0, COLORS["study"])}
    pts = [x for x in ln if x.get_marker() == "s"]
    assert {(x.get_color(), x.get_mec()) for x in pts} == {(COLORS["study"], "none")}
    dots = [x for x in ln if x.get_marker() == "o"]
    assert {(x.get_markersize(), x.get_clip_on()) for x in dots} == {(7.5, False)}
    pi = [x for x in ln if x.get_linewidth() == 3]
    assert len(pi) == 1 and pi[0].get_solid_capstyle() == "butt"
    assert ax.patches[0].get_facecolor() == matplotlib.colors.to_rgba(COLORS["pooled"])


def test_forest_plot_arrow_style():
    res = h.rma(Y3, V3, method="EE")
    ax = forest_plot(res, ["A", "B", "C"], xlim=(0.4, 2.5)).axes[0]
    arrows = [a for a in _annotations(ax) if not a.get_text()]
    assert len(arrows) == 2                    # A below 0.4 (0.34), C above 2.5 (5.33)
    for a in arrows:
        p = a.arrow_patch
        assert type(p.get_arrowstyle()).__name__ == "CurveB"          # "->"
        assert p.get_edgecolor() == matplotlib.colors.to_rgba(COLORS["study"]) and p.get_linewidth() == 1
        # from 1.25× inside the limit to the limit
        (x, yy), (xt, yt) = a.xy, a.xyann
        assert yy == yt and (xt == pytest.approx(x * 1.25) if x == 0.4 else xt == pytest.approx(x / 1.25))


def test_summary_forest_style():
    from helpers.show.plots import summary_forest

    fig = summary_forest(["a", "b"], [0.5, 0.8], [0.3, 0.5], [0.9, 1.2])
    ax = fig.axes[0]
    heads = [(t.get_text(), t.get_position()) for t in ax.texts[:2]]
    assert heads == [("Analysis", (0.01, -0.75)), ("HR [95% CI]", (0.735, -0.75))]
    assert [(t.get_fontsize(), t.get_fontweight()) for t in ax.texts[:2]] == [(8, "bold"), (8, "bold")]
    marks = [x for x in ax.get_lines() if x.get_marker() in ("D", "o")]
    assert [(x.get_markersize(), x.get_color()) for x in marks] == [(5, COLORS["study"])] * 2
    cis = [x for x in ax.get_lines() if len(x.get_xdata()) == 2 and x.get_ydata()[0] == x.get_ydata()[1]
           and x.get_xdata()[0] != x.get_xdata()[1]]
    assert [(x.get_linewidth(), x.get_color()) for x in cis] == [(1.2, COLORS["study"])] * 2
    assert [t.get_fontsize() for t in ax.texts[2:6]] == [7.5, 8, 7.5, 8]
    null = [x for x in ax.get_lines() if list(x.get_xdata()) == [1, 1]]
    assert [(x.get_linewidth(), x.get_color()) for x in null] == [(0.8, COLORS["null"])]


def test_tsa_plot_style(tsa_pair):
    ax = tsa_plot(*tsa_pair).axes[0]
    by = {x.get_label(): x for x in ax.get_lines()}
    b = by["Sequential boundaries for benefit (top) and harm (bottom)"]
    assert (b.get_color(), b.get_linewidth(), b.get_marker(), b.get_markersize()) == (COLORS["pi"], 1.2, ".", 4)
    e = by["Boundary at the required information, were a trial to reach it"]
    assert (e.get_color(), e.get_linewidth(), e.get_linestyle(), e.get_marker(), e.get_markersize()) == \
        (COLORS["pi"], 1, "--", ".", 4)
    z = by["Cumulative Z, primary model"]
    assert (z.get_color(), z.get_linewidth(), z.get_marker(), z.get_markersize()) == (COLORS["pooled"], 1.6, "o", 4)
    s = by["Z from REML with the Wald z-test"]
    assert (s.get_color(), s.get_linewidth(), s.get_marker(), s.get_markersize(), s.get_mfc()) == \
        (COLORS["muted"], 1, "o", 3, "white")
    c = by["Conventional significance (Z = \u00b11.96)"]
    assert (c.get_color(), c.get_linewidth(), c.get_linestyle()) == (COLORS["null"], 0.8, ":")
    r = [x for lab, x in by.items() if lab.startswith("Required information")][0]
    assert (r.get_color(), r.get_linewidth(), r.get_linestyle()) == (COLORS["muted"], 1, "--")
    zero = ax.get_lines()[0]
    assert list(zero.get_ydata()) == [0, 0] and (zero.get_color(), zero.get_linewidth()) == (COLORS["grid"], 0.8)
    # the harm side mirrors the benefit side's style
    mirrored = [x for x in ax.get_lines() if x.get_label().startswith("_") and x.get_color() == COLORS["pi"]]
    assert sorted((x.get_linewidth(), x.get_linestyle(), x.get_marker()) for x in mirrored) == [(1, "--", "."),
                                                                                                (1.2, "-", ".")]


def test_scorecard_and_funnel_line_style():
    ax = scorecard_figure(_card()).axes[0]
    for c in ax.containers:
        assert c.lines[0].get_markersize() == 5
        assert c.lines[2][0].get_linewidth()[0] == 1.2
        assert not c.lines[1]                                     # capsize 0: no caps
    from helpers.show.plots import contour_funnel_plot
    res = SimpleNamespace(yi=np.array([-0.2, 0.4]), vi=np.array([0.04, 0.16]), beta=0.1)
    fax = contour_funnel_plot(res).axes[0]
    assert [(x.get_linewidth(), x.get_linestyle(), x.get_color()) for x in fax.get_lines()] == [
        (0.8, "--", COLORS["null"]), (1, "-", COLORS["pooled"])]


def test_rob_traffic_light_leaves_room_for_the_domain_headings():
    from helpers.show.plots import rob_traffic_light
    rob = pd.DataFrame({**{f"d{i}": ["low", "high"] for i in range(1, 6)}, "overall": ["low", "high"],
                        "provisional": ["no", "yes"]})
    fig = rob_traffic_light(rob, ["A", "B"])
    H = 0.7 + 0.28 * 2 + 0.45
    assert tuple(fig.get_size_inches()) == pytest.approx((FIG_WIDTH, H))
    x0, y0, w, hgt = fig.axes[0].get_position().bounds
    # 0.45 in above the axes for the slanted headings, 0.45 in below for the legend and 0.05 in more;
    # 42 % on the left for the labels
    assert (1 - (y0 + hgt)) * H == pytest.approx(0.45) and y0 * H == pytest.approx(0.5)
    assert x0 == pytest.approx(0.42) and x0 + w == pytest.approx(0.98)


def test_prisma_arrows_run_between_the_boxes():
    from helpers.show.plots import prisma_flow
    c = dict(identified_databases=100, identified_other=5, duplicates_removed=10, screened=95, excluded_screening=80,
             sought=15, not_retrieved=1, assessed=14, assessed_databases=12, assessed_other=2,
             exclusion_reasons={"wrong design": 3, "no HR": 2}, excluded_databases=4, excluded_other=1,
             studies_included=9, comparisons_included=10, reports_included=12)
    fig = prisma_flow(c)
    ax = fig.axes[0]
    boxes = [p for p, _ in fig.prisma_boxes]
    arrows = [a for a in _annotations(ax) if not a.get_text()]
    assert len(arrows) == 8
    pad = 0.3                                   # the rounded boxes' padding
    for a in arrows:
        (x1, y1), (x0, y0) = a.xy, a.xyann
        # tail and head each lie just outside a box's padded edge (0.3 ± 0.05 units away)
        for (x, y) in ((x0, y0), (x1, y1)):
            gaps = []
            for p in boxes:
                bx, by, bw, bh = p.get_x(), p.get_y(), p.get_width(), p.get_height()
                dx = max(bx - pad - x, 0, x - (bx + bw + pad))
                dy = max(by - pad - y, 0, y - (by + bh + pad))
                gaps.append(math.hypot(dx, dy))
            assert 0.05 <= min(gaps) <= 0.35, (a.xy, a.xyann, min(gaps))


def _prisma_counts(**kw):
    return dict(identified_databases=100, identified_other=5, duplicates_removed=10, screened=95, excluded_screening=80,
                sought=15, not_retrieved=1, assessed=14, assessed_databases=12, assessed_other=2,
                exclusion_reasons={"wrong design": 3, "no HR": 2}, excluded_databases=4, excluded_other=1,
                studies_included=9, comparisons_included=10, reports_included=12) | kw


def test_prisma_layout_columns_stages_and_arrows():
    from helpers.show.plots import prisma_flow
    fig = prisma_flow(_prisma_counts(), paper_records=7)
    ax = fig.axes[0]
    boxes = [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p, _ in fig.prisma_boxes]
    # main column at x 5 (width 45), side column at x 56 (width 43); main boxes from top to bottom
    main = [b for b in boxes if b[0] == 5]
    side = [b for b in boxes if b[0] == 56]
    assert len(main) == 5 and len(side) == 4 and {b[2] for b in main} == {45} and {b[2] for b in side} == {43}
    assert main == [(5, 84, 45, 14), (5, 70, 45, 8), (5, 56, 45, 8), (5, 40, 45, 10), (5, 6, 45, 16)]
    assert side[:3] == [(56, 86, 43, 10), (56, 70, 43, 8), (56, 56, 43, 8)]
    # no two boxes overlap
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
    arrows = [(a.xyann, a.xy) for a in _annotations(ax) if not a.get_text()]
    down = [(t, hd) for t, hd in arrows if t[0] == hd[0]]
    across = [(t, hd) for t, hd in arrows if t[1] == hd[1]]
    assert len(down) == 4 and len(across) == 4
    # downward arrows in the middle of the main column, from 0.6 below a box to 0.6 above the next
    assert {t[0] for t, _ in down} == {27.5}
    assert [(t[1], hd[1]) for t, hd in down] == [(83.4, 78.6), (69.4, 64.6), (55.4, 50.6), (39.4, 22.6)]
    # arrows across at the middle height of their main-column box, from 0.4 right of it to 0.6 left of the side box
    mids = {b[1] + b[3] / 2 for b in main}
    assert all(t[1] in mids for t, _ in across) and sorted(t[1] for t, _ in across) == [45, 60, 74, 91]
    assert {(t[0], hd[0]) for t, hd in across} == {(50.4, 55.4)}
    stages = [(t.get_text(), t.get_position(), t.get_rotation()) for t in ax.texts
              if t.get_text() in ("Identification", "Screening", "Included")]
    assert stages == [("Identification", (1, 91), 90), ("Screening", (1, 54), 90), ("Included", (1, 14), 90)]
    sizes = [t.get_fontsize() for _, t in fig.prisma_boxes]
    assert sizes == [6.8] * 7 + [6.2, 6.8]
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p, _ in fig.prisma_boxes]
    assert colours[0] == "#eef3f8" and colours[-1] == "#e8f4ea" and set(colours[1:-1]) == {"#ffffff"}
    note = [t for t in ax.texts if t.get_text().startswith("The paper's figure")][0]
    assert note.get_position() == (99, 0.5) and note.get_ha() == "right" and note.get_va() == "bottom"
    assert fig.prisma_boxes[0][1].get_position() == (27.5, 91)        # each text at its box's centre


def test_posterior_density_plot_style():
    fig = posterior_density_plot({"OS": _NormalFit(-0.3, 0.15)}, mcid=0.8)
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == pytest.approx((FIG_WIDTH, 3.1))
    d, null, mcid = ax.get_lines()
    assert (d.get_color(), d.get_linewidth()) == (COLORS["pooled"], 1.4)
    assert (null.get_color(), null.get_linewidth()) == (COLORS["null"], 0.8)
    assert (mcid.get_color(), mcid.get_linewidth(), mcid.get_linestyle()) == (COLORS["null"], 0.8, "--")
    fills = [matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert fills == ["#c6dbef", "#6baed6"]
    assert ax.get_yticks().size == 0 and not ax.spines["left"].get_visible()
    assert ax.get_xlabel() == "HR, MDT versus control (log scale)"
    assert ax._left_title.get_fontsize() == 8.5


def test_funnel_default_measure_and_rob_text_styles():
    from helpers.show.plots import funnel_plot, rob_summary, rob_traffic_light
    res = SimpleNamespace(yi=np.array([-0.2, 0.4]), vi=np.array([0.04, 0.16]), beta=0.1)
    ax = funnel_plot(res).axes[0]
    assert ax.get_ylabel() == "Standard error of log HR" and ax.get_xlabel() == "HR (log scale)"
    rob = pd.DataFrame({**{f"d{i}": ["low", "high"] for i in range(1, 6)}, "overall": ["low", "high"],
                        "provisional": ["no", "yes"]})
    sax = rob_summary(rob, [3, 1]).axes[0]
    # the shares are written inside their coloured bars, 7 pt: black on the green "low" bars, white on the red
    # "high" ones (weights 75% low, 25% high in every domain)
    assert [(t.get_text(), t.get_color(), t.get_fontsize(), t.get_ha(), t.get_va()) for t in sax.texts] == [
        ("75%", "#000000", 7, "center", "center"), ("25%", "#ffffff", 7, "center", "center")] * 6
    tax = rob_traffic_light(rob, ["A", "B"], title="T").axes[0]
    assert tax._left_title.get_fontsize() == 9 and tax.get_title(loc="left") == "T"
