"""The book's forest-type figures and risk-of-bias plots drawn from the review's own data, as the
chapters draw them, measured with matplotlib's renderer: no name cut, nothing outside the
figure, no two texts of the label column touching, the "favours" labels either side of HR 1,
an arrow wherever a CI leaves the axis, and the RoB legend clear of the data."""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers as h
from helpers.review.efficacy import forest_figure
from helpers.review.methods import rob_figures
from helpers.show import plots
from test_values_plots import _data_extents  # the same extents a key must not cover

OUTCOMES = ("PFS", "OS")


@pytest.fixture(scope="module")
def R():
    return h.load_results()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _figures(R):
    for oc in OUTCOMES:
        rep = R.efficacy[oc]
        yield f"{oc} forest", forest_figure(rep, R.review)
        yield f"{oc} subgroups", plots.subgroup_forest(R.subgroups, oc)
        yield f"{oc} sensitivity", plots.sensitivity_plot(rep.sensitivity)
        yield f"{oc} cumulative", plots.cumulative_plot(rep.cumulative)
    yield "adverse events", plots.odds_ratio_forest(R.safety[">=2"])


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_forest_type_figures_as_a_reader_sees_them(R):
    problems = []
    for name, fig in _figures(R):
        ax = fig.axes[0]
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        texts = [t for t in ax.texts if t.get_text()]
        anns = [t for t in texts if isinstance(t, matplotlib.text.Annotation)]
        column = [t for t in texts if t not in anns and t.get_position()[0] < ax.get_position().x0]
        for t in texts:
            box = t.get_window_extent(r)
            if "\u2026" in t.get_text():
                problems.append(f"{name}: {t.get_text()!r} is cut")
            # (the slanted RoB headings may reach past the right edge: the book saves figures with
            # bbox_inches="tight", which widens the figure to them)
            if t.get_rotation() == 0 and (box.x0 < 0 or box.x1 > fig.bbox.x1 or box.y0 < 0 or box.y1 > fig.bbox.y1):
                problems.append(f"{name}: {t.get_text()!r} leaves the figure")
        boxes = [(t.get_text(), t.get_window_extent(r)) for t in column]
        problems += [f"{name}: {a!r} touches {b!r}" for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
                     if _overlap(ba, bb)]
        null = ax.transData.transform((1, 0))[0]
        left, right = (t.get_window_extent(r) for t in anns)
        if not (left.x1 < null - 4 and right.x0 > null + 4):
            problems.append(f"{name}: the favours labels are not either side of HR 1")
        # every CI line that ends at an axis limit carries an arrow there
        lo, hi = ax.get_xlim()
        arrows = {(round(a.xy[0], 9), round(a.xy[1], 9)) for a in ax.texts
                  if isinstance(a, matplotlib.text.Annotation) and not a.get_text()}
        for ln in ax.get_lines():
            x, y = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
            if len(x) == 2 and y[0] == y[1] and x[0] != x[1]:
                for end in x:
                    if np.isclose(end, lo) or np.isclose(end, hi):
                        if (round(float(end), 9), round(float(y[0]), 9)) not in arrows:
                            problems.append(f"{name}: a CI on row {y[0]} is clipped at {end:g} with no arrow")
    assert not problems, "\n".join(problems)


def test_the_subgroup_figure_points_past_its_axis(R):
    """The PFS subgroups include CIs wider than 0.1–10 (oligoprogression, k = 2): drawn with arrows."""
    rows = [g for (oc, f), res in R.subgroups.items() if oc == "PFS" for _, g in res.rows.iterrows()]
    wide = [g for g in rows if g["ci_lb"] < 0.1 or g["ci_ub"] > 10]
    ax = plots.subgroup_forest(R.subgroups, "PFS").axes[0]
    arrows = [a for a in ax.texts if isinstance(a, matplotlib.text.Annotation) and not a.get_text()]
    assert len(arrows) == sum((g["ci_lb"] < 0.1) + (g["ci_ub"] > 10) for g in wide)
    assert ax.get_xlim() == pytest.approx((0.1, 10)) if wide else True


@pytest.mark.parametrize("oc", OUTCOMES)
def test_rob_figures_have_a_legend_clear_of_the_data(R, oc):
    traffic, summary = rob_figures(R.efficacy[oc], R.review)
    for fig, legend in ((traffic, traffic.legends[0]), (summary, summary.axes[0].get_legend())):
        ax = fig.axes[0]
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        box = legend.get_window_extent(r)
        assert box.y1 <= ax.get_window_extent(r).y0 and box.y0 >= 0
        texts = [t.get_text() for t in legend.get_texts()]
        assert {"Low (+)", "Some concerns (?)"} <= set(texts) or {"Low", "Some concerns", "High"} <= set(texts)
    names = [t.get_text().replace("\n", " ") for t in traffic.axes[0].get_yticklabels()]
    assert set(names) <= {plots.short_label(t, None) for t in R.efficacy[oc].pooled["trial"]}     # whole names


def _boxes_of(fig, r):
    return _data_extents(fig, r)


@pytest.mark.parametrize("oc", OUTCOMES)
def test_the_forest_plot_keys_its_rob_dots_and_sentence_cases_its_groups(R, oc):
    fig = forest_figure(R.efficacy[oc], R.review)
    keys = [leg for leg in fig.legends if leg.get_gid() == "rob-key"]
    assert len(keys) == 1
    names = [t.get_text() for t in keys[0].get_texts()]
    assert names and set(names) <= {"Low (+)", "Some concerns (?)", "High (\u2212)", "Not assessed"}
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    box = keys[0].get_window_extent(r)
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1
    assert not [n for n, b in _boxes_of(fig, r) if _overlap(box, b)]
    groups = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold" and t.get_fontsize() == 8.5
              and t.get_position()[0] == 0.005 and not t.get_text().startswith(("Random", "Common"))]
    assert groups and all(g[0].isupper() for g in groups), groups     # "Breast", "NSCLC", never "breast"


def test_every_log_axis_has_three_labelled_ticks_that_do_not_touch(R):
    figures = list(_figures(R)) + [("scorecard", plots.scorecard_figure(R.scorecard))]
    figures += [(f"{oc} funnel", plots.funnel_plot(R.efficacy[oc].res)) for oc in OUTCOMES]
    problems = []
    for name, fig in figures:
        ax = fig.axes[0]
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        lo, hi = ax.get_xlim()
        shown = [t for t in ax.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi]
        if len(shown) < 3:
            problems.append(f"{name}: ticks {[t.get_text() for t in shown]}")
        boxes = [t.get_window_extent(r) for t in shown]
        if any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
            problems.append(f"{name}: tick labels touch")
    assert not problems, problems


def test_subgroup_levels_read_in_sentence_case(R):
    import helpers as hh
    from helpers.review.subgroups import collinearity_table

    cells = list(hh.subgroup_table(R.subgroups)["Subgroup"])
    assert cells and all(not c[0].islower() for c in cells), [c for c in cells if c[0].islower()]
    for oc in OUTCOMES:
        ax = plots.subgroup_forest(R.subgroups, oc).axes[0]
        levels = [t.get_text().strip() for t in ax.texts if t.get_text().startswith("    ")]
        assert levels and all(not s[0].islower() for s in levels), levels
    tab = collinearity_table(R.efficacy["PFS"].table)
    heads = list(tab.columns[1:]) + list(tab.iloc[:, 0])
    assert all(not str(s)[0].islower() for s in heads), heads


def test_legend_entries_and_axis_labels_start_as_sentences(R):
    """Reader labels in sentence case: legends, legend titles and axis labels of the review's figures."""
    rep = R.efficacy["PFS"]
    figs = [plots.contour_funnel_plot(rep.res), plots.funnel_plot(rep.res), rob_figures(rep, R.review)[1],
            plots.scorecard_figure(R.scorecard)]
    texts = []
    for fig in figs:
        for ax in fig.axes:
            texts += [ax.get_xlabel(), ax.get_ylabel()]
            legends = [ax.get_legend()] if ax.get_legend() else []
            for leg in legends + list(fig.legends):
                texts += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    lower = [t for t in texts if t and t[0].islower() and t.split(" ")[0] not in ("p",)]
    assert not lower, lower
