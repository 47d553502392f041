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
    assert [(a.get_text(), a.xy, a.get_ha()) for a in anns] == [("\u2190 Favours MDT", (0.95, 0), "right"),
                                                                ("Favours control \u2192", (1.05, 0), "left")]


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
    arrows = sorted((a.xy, a.xyann) for a in _annotations(ax) if a.get_text() == "")
    assert arrows == sorted([((0.4, 1), (0.5, 1)), ((2.5, 2), (2.0, 2)), ((0.4, 5), (0.5, 5))])
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
