"""helpers.show.plots by value, without the built book: the figures' text, limits, ticks and
marks on small hand-made inputs, each expected value worked by hand from the drawing rules."""
from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.show.plots import (COLORS, ROB_COLORS, _fmt_ci_text, _funnel_axes, _funnel_frame, influence_plot,
                                label_row, literal, prisma_flow, rob_summary, rob_traffic_light, short_label,
                                summary_forest, text_outside_boxes)

EN = "\u2013"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.mark.parametrize("text,want", [("Cost $5", r"Cost \$5"), ("$a$ and $b", r"\$a\$ and \$b"), (3, "3"),
                                       ("plain", "plain")])
def test_literal(text, want):
    assert literal(text) == want


@pytest.mark.parametrize("args,kw,want", [
    (("SABR-COMET (long-term update)",), {}, "SABR-COMET"),
    (("  ORIOLE (PFS) arm",), {}, "  ORIOLE arm"),
    (("(all aside)",), {}, "(all aside)"),
    (("A (b)",), {"drop_asides": False}, "A (b)"),
    (("abcdefghij",), {"width": 10}, "abcdefghij"),
    (("abcdefghijk",), {"width": 10}, "abcdefghi\u2026"),
    (("abcd efghijk",), {"width": 6}, "abcd\u2026"),
    (("x" * 36,), {}, "x" * 36),
    (("x" * 37,), {}, "x" * 35 + "\u2026"),
])
def test_short_label(args, kw, want):
    assert short_label(*args, **kw) == want


def test_fmt_ci_text_and_label_row():
    assert _fmt_ci_text(0.5, 0.25, 1.0) == f"0.50 [0.25{EN}1.00]"
    assert _fmt_ci_text(0.5, 0.25, 1.0, 1) == f"0.5 [0.2{EN}1.0]"
    assert label_row("OS", "overall", "all") == "OS"
    assert label_row("OS", "overall", "") == "OS" and label_row("OS", "overall", None) == "OS"
    assert label_row("PFS", "timing", "de_novo") == "PFS · de novo"
    assert label_row("AE grade >=2", "overall", "all") == "Grade ≥2 adverse events"
    assert label_row("Grade 3 toxicity", "x", "y") == "Grade ≥2 adverse events"
    assert label_row("grade x", "x", "y") == "Grade ≥2 adverse events"


def test_funnel_frame():
    fig, ax, top, grid = _funnel_frame(np.array([0.1, 0.3]))
    assert top == pytest.approx(0.33) and len(grid) == 100 and grid[0] == 0 and grid[-1] == pytest.approx(0.33)
    assert tuple(fig.get_size_inches()) == pytest.approx((6.4, 4.4))
    assert _funnel_frame(np.array([0.01]))[2] == 0.05


def test_funnel_axes():
    fig, ax = plt.subplots()
    _funnel_axes(ax, 0.5, math.log(0.25), math.log(3), "OR", (0.1, 0.25, 0.5, 1, 2, 4))
    assert ax.get_ylim() == (0.5, 0)
    assert ax.get_xlim() == pytest.approx((math.log(0.25), math.log(3)))
    assert list(ax.get_xticks()) == pytest.approx([math.log(0.25), math.log(0.5), 0.0, math.log(2)])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.25", "0.5", "1", "2"]
    assert ax.get_ylabel() == "Standard error of log OR" and ax.get_xlabel() == "OR (log scale)"


def test_summary_forest():
    fig = summary_forest(["Primary", "Without A (sens)", "Not est"], [0.5, 0.8, np.nan], [0.25, 0.4, np.nan],
                         [1.0, 1.6, np.nan], notes=["", "", "not estimable"], reference=0.5, title="Cost $5")
    ax = fig.axes[0]
    # limits: lower 0.85 × min(0.25, 0.5) = 0.2125; upper 1.15 × max(1.6, 1.5) = 1.84
    assert ax.get_xscale() == "log"
    assert ax.get_xlim() == pytest.approx((0.2125, 1.84)) and ax.get_ylim() == (2.5, -0.8)
    assert tuple(fig.get_size_inches()) == pytest.approx((7.6, 0.9 + 0.9))
    # 1-2-5 ticks would leave only 0.5 and 1 on this axis: powers of 2 give the three a reader needs
    assert list(ax.get_xticks()) == [0.25, 0.5, 1] and [t.get_text() for t in ax.get_xticklabels()] == ["0.25", "0.5",
                                                                                                        "1"]
    assert ax.get_xlabel() == "HR (log scale)" and ax.get_title(loc="left") == r"Cost \$5"
    assert _texts(fig) == ["Analysis", "HR [95% CI]", "Primary", f"0.50 [0.25{EN}1.00]", "Without A (sens)",
                           f"0.80 [0.40{EN}1.60]", "Not est", "  not estimable", "\u2190 Favours MDT",
                           "Favours control \u2192"][:len(_texts(fig))]
    texts = {t.get_text(): t for t in ax.texts}
    assert texts["Analysis"].get_fontweight() == "bold" and texts["Not est"].get_fontweight() == "normal"
    assert texts["  not estimable"].get_color() == COLORS["muted"] and texts[f"0.50 [0.25{EN}1.00]"].get_color() == "black"
    anns = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert sorted(a.get_text() for a in anns) == sorted(["\u2190 Favours MDT", "Favours control \u2192"])
    lines = ax.get_lines()
    vertical = [tuple(ln.get_xdata()) for ln in lines if ln.get_linestyle() in ("-", ":") and len(ln.get_xdata()) == 2
                and ln.get_xdata()[0] == ln.get_xdata()[1]]
    assert (1, 1) in vertical and (0.5, 0.5) in vertical
    dotted = [ln for ln in lines if ln.get_linestyle() == ":"]
    assert len(dotted) == 1 and dotted[0].get_color() == COLORS["pooled"]
    ci = [list(ln.get_xdata()) for ln in lines if list(ln.get_ydata()) in ([0, 0], [1, 1])]
    assert ci == [[0.25, 1.0], [0.4, 1.6]]
    marks = [(ln.get_marker(), list(ln.get_xdata()), list(ln.get_ydata())) for ln in lines if ln.get_marker() in ("D", "o")]
    assert marks == [("D", [0.5], [0]), ("o", [0.8], [1])]


def test_summary_forest_clips_and_headers():
    fig = summary_forest(["a", "b"], [0.02, 30], [0.01, 25], [0.03, 40], measure="OR", right_header="OR here",
                         favours=("Less", "More"))
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((0.1, 10))
    ci = [list(ln.get_xdata()) for ln in ax.get_lines() if len(ln.get_xdata()) == 2 and list(ln.get_ydata()) in ([0, 0], [1, 1])]
    # CIs wholly outside the limits 0.1 and 10 shrink to the limit they pass, where an arrow points on
    assert ci == [[0.1, 0.1], [10, 10]]
    arrows = sorted((a.xy, a.xyann) for a in ax.get_children() if isinstance(a, matplotlib.text.Annotation)
                    and not a.get_text())
    assert arrows == [((0.1, 0), (0.125, 0)), ((10, 1), (8.0, 1))]
    assert "OR here" in _texts(fig) and ax.get_xlabel() == "OR (log scale)"
    anns = sorted(c.get_text() for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation) and c.get_text())
    assert anns == ["More \u2192", "\u2190 Less"]
    assert list(ax.get_xticks()) == [0.1, 0.2, 0.5, 1, 2, 5, 10]
    assert ax.get_title(loc="left") == ""


def test_summary_forest_without_estimates():
    fig = summary_forest(["x"], [np.nan], [np.nan], [np.nan])
    ax = fig.axes[0]
    # no estimate: limits from the defaults 0.5 and 2 → 0.425 and 2.3
    assert ax.get_xlim() == pytest.approx((0.425, 2.3))
    assert {t.get_text(): t.get_fontweight() for t in ax.texts}["x"] == "bold"


def _prisma():
    return {"identified_databases": 10, "identified_other": 5, "assessed_databases": 10, "assessed_other": 5,
            "exclusion_reasons": {"reason a": 3, "reason b": 4}, "excluded_databases": 4, "excluded_other": 3,
            "comparisons_included": 6, "studies_included": 5, "reports_included": 8}


def test_prisma_flow():
    """The PRISMA 2020 boxes in order, with counts, "not recorded" where a count was not kept,
    the grouped reasons, and the box geometry worked out from the layout constants."""
    c = _prisma() | {"duplicates_removed": None, "screened": 15, "excluded_screening": 2, "sought": 13,
                     "not_retrieved": 1, "assessed": 12}
    fig = prisma_flow(c, paper_records=12)
    texts = [t.get_text() for _, t in fig.prisma_boxes]
    # one identification column (no bibliographic database was searched), its records split by type
    assert texts == [
        "Records identified from public web\nsources and registries: n = 15\n(journal articles and abstracts: n = 10;\n"
        "news, reviews, registry entries\nand protocols: n = 5)",
        "Records removed before screening\nduplicates: not recorded",
        "Records screened\nn = 15",
        "Records excluded on title or abstract\nn = 2 (others dropped\nwithout a note: not recorded)",
        "Reports sought for retrieval\nn = 13", "Reports not retrieved\nn = 1",
        "Reports assessed for eligibility\nn = 12\n(10 articles and abstracts, 5 other)",
        "Reports excluded: n = 7\nreason a: 3\nreason b: 4",
        "Studies included in the review:\n5 trials, 6 randomised\ncomparisons\nReports of included studies:\nn = 8"]
    ax = fig.axes[0]
    # the exclusion box: height 6 + 2.6 × 2 reasons = 11.2, bottom 45 − 5.6 − 5 = 34.4
    excl = fig.prisma_boxes[7][0]
    assert (excl.get_x(), excl.get_y(), excl.get_width(), excl.get_height()) == pytest.approx((56, 34.4, 43, 11.2))
    assert [t.get_fontweight() for _, t in fig.prisma_boxes][-1] == "bold"
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (0, 100) and not ax.axison
    assert any(t.get_text() == "The paper's figure: 12 records included" for t in ax.texts)
    assert not any("paper's figure" in t.get_text() for t in prisma_flow(c).axes[0].texts)
    # a count that was not kept reads "not recorded", with nothing added
    unknown = prisma_flow(c | {"excluded_screening": None, "not_retrieved": None})
    texts = [t.get_text() for _, t in unknown.prisma_boxes]
    assert texts[3] == "Records excluded on title or abstract\nnot recorded" and texts[5] == "Reports not retrieved\nnot recorded"


def test_prisma_flow_many_reasons():
    c = _prisma() | {"duplicates_removed": None, "screened": 15, "excluded_screening": None, "sought": 15,
                     "not_retrieved": None, "assessed": 15, "exclusion_reasons": {f"r{i}": 1 for i in range(7)}}
    box = prisma_flow(c).prisma_boxes[7][0]
    # height 6 + 2.6 × 7 = 24.2; bottom 45 − 12.1 − 5 = 27.9
    assert (box.get_y(), box.get_height()) == pytest.approx((27.9, 24.2))


def _rob():
    return pd.DataFrame({"d1": ["low", "high"], "d2": ["some concerns", ""], "d3": ["low", "odd"], "d4": ["low", "low"],
                         "d5": ["high", "low"], "overall": ["high", "some concerns"], "provisional": ["no", "yes"]})


def test_rob_traffic_light():
    fig = rob_traffic_light(_rob(), ["Trial $A (x)", "B"], title="RoB $")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["+", "?", "+", "+", "\u2212", "\u2212", "\u2212", "", "", "+", "+", "?"]
    cols = [matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections]
    assert cols == [ROB_COLORS[x] for x in ("low", "some concerns", "low", "low", "high", "high", "high", "", "", "low",
                                             "low", "some concerns")]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [r"Trial \$A", "B"]
    assert ax.get_ylim() == (1.5, -0.7) and ax.get_xlim() == (-0.6, 5.6)
    assert ax.get_title(loc="left") == r"RoB \$"
    assert [c.get_linestyle()[0][1] is None for c in ax.collections][:6] == [True] * 6   # solid for not provisional
    assert matplotlib.colors.to_hex(ax.collections[6].get_edgecolor()[0]) == "#333333"
    assert len(ax.collections[0].get_edgecolor()) == 0 or ax.collections[0].get_edgecolor()[0][3] == 0


def test_rob_summary():
    fig = rob_summary(_rob(), [3, 1], title="Summary")
    ax = fig.axes[0]
    # weights 75% and 25%: D1 low 75, high 25; D2 concerns 75, not assessed ("") 25; D3 low 75, not assessed
    # ("odd") 25; D4 low 100; D5 low 25, high 75; overall concerns 25, high 75 — shares from 8% written inside
    # the bar; four segments a row (low, some concerns, high, not assessed) since some judgements are missing
    assert [t.get_text() for t in ax.texts] == ["75%", "25%", "75%", "25%", "75%", "25%", "100%", "25%", "75%",
                                                "25%", "75%"]
    widths = [round(p.get_width(), 6) for p in ax.patches]
    assert widths == [75, 0, 25, 0, 0, 75, 0, 25, 75, 0, 0, 25, 100, 0, 0, 0, 25, 0, 75, 0, 0, 25, 75, 0]
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches[:4]] == [
        ROB_COLORS[x] for x in ("low", "some concerns", "high", "")]
    lefts = [round(p.get_x(), 6) for p in ax.patches][:3]
    assert lefts == [0, 75, 75]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["D1", "D2", "D3", "D4", "D5", "Overall"]
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (5.5, -0.5)
    assert ax.get_xlabel() == "Share of the analysis weight (%)" and ax.get_title(loc="left") == "Summary"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Low", "Some concerns", "High", "Not assessed"]


def test_rob_summary_small_shares_unlabelled():
    rob = _rob().iloc[[0, 1]]
    ax = rob_summary(rob, [93, 7]).axes[0]
    assert "7%" not in [t.get_text() for t in ax.texts] and "93%" in [t.get_text() for t in ax.texts]
    ax2 = rob_summary(rob, [92, 8]).axes[0]
    assert "8%" in [t.get_text() for t in ax2.texts]


def test_influence_plot():
    infl = pd.DataFrame({"rstudent": [0.5, -2.5, 1.0], "dffits": [0.1, -1.2, 0.3], "cook_d": [0.01, 0.9, 0.05],
                         "tau2_del": [0.02, 0.0, 0.03], "inf": ["", "*", ""]}, index=["A", "B", "C"])
    fig = influence_plot(infl, labels=["Trial $A", "B (aside)", "C"])
    axes = fig.axes
    assert [a.get_title(loc="left") for a in axes] == ["Standardised residual", "DFFITS", "Cook's distance",
                                                       "\u03c4\u00b2 without the study"]
    assert list(axes[0].get_lines()[0].get_ydata()) == [0.5, -2.5, 1.0]
    assert list(axes[3].get_lines()[0].get_ydata()) == [0.02, 0.0, 0.03]
    bands = [tuple(ln.get_ydata()) for ln in axes[0].get_lines()[1:]]
    assert bands == [(-1.96, -1.96), (1.96, 1.96)] and len(axes[1].get_lines()) == 1
    colours = [matplotlib.colors.to_hex(c) for c in axes[2].collections[0].get_facecolor()]
    assert colours == [COLORS["study"], COLORS["pi"], COLORS["study"]]
    assert [t.get_text() for t in axes[2].get_xticklabels()] == [r"Trial \$A", "B", "C"]
    default = influence_plot(infl)
    assert [t.get_text() for t in default.axes[3].get_xticklabels()] == ["A", "B", "C"]


def _funnel_res():
    from types import SimpleNamespace
    return SimpleNamespace(yi=np.array([-0.2, 0.4]), vi=np.array([0.04, 0.16]), beta=0.1)


def test_funnel_plot():
    from scipy import stats
    from helpers.show.plots import funnel_plot
    fig = funnel_plot(_funnel_res(), labels=["A", "B$"], measure="OR")
    ax = fig.axes[0]
    # SE 0.2 and 0.4: top 0.44; half-width max(0.3 + 0.2, z(0.995) × 0.44 × 0.9 = 1.0200) around 0.1
    half = stats.norm.isf(0.005) * 0.44 * 0.9
    assert ax.get_ylim() == pytest.approx((0.44, 0)) and ax.get_xlim() == pytest.approx((0.1 - half, 0.1 + half))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "1", "2"]
    assert ax.get_xlabel() == "OR (log scale)" and ax.get_ylabel() == "Standard error of log OR"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["99% pseudo-CI", "95% pseudo-CI", "90% pseudo-CI"]
    assert [t.get_text() for t in ax.texts] == ["A", r"B\$"]
    assert [tuple(t.xy) for t in ax.texts] == [(-0.2, 0.2), (0.4, 0.4)]
    assert ax.collections[-1].get_offsets().tolist() == [[-0.2, 0.2], [0.4, 0.4]]
    v = [(ln.get_xdata()[0], ln.get_linestyle()) for ln in ax.get_lines()]
    assert v == [(0.1, "-"), (0, "--")]
    assert len(funnel_plot(_funnel_res()).axes[0].texts) == 0


def test_contour_funnel_plot():
    from scipy import stats
    from helpers.show.plots import contour_funnel_plot
    ax = contour_funnel_plot(_funnel_res()).axes[0]
    half = stats.norm.isf(0.005) * 0.44 * 1.05          # beyond max |yi| + 0.2 = 0.6
    assert ax.get_xlim() == pytest.approx((-half, half)) and ax.get_ylim() == pytest.approx((0.44, 0))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.5", "1", "2"]
    leg = ax.get_legend()
    assert [t.get_text() for t in leg.get_texts()] == ["0.05 ≤ p < 0.1", "0.01 ≤ p < 0.05", "p < 0.01", "Pooled estimate"]
    assert leg.get_title().get_text() == "Comparison's own p"
    assert [(ln.get_xdata()[0], ln.get_linestyle()) for ln in ax.get_lines()] == [(0, "--"), (0.1, "-")]


# =========================================================================== what a reader sees, as rendered
# Extents are measured with the figure's own renderer, in display pixels (100 dpi).
from helpers.meta.rma import rma  # noqa: E402
from helpers.show.plots import (FAVOURS_GAP, forest_plot, row_centres, subgroup_forest, text_width,  # noqa: E402
                                wrap_label)

LONG = "EXTEND - prostate intermittent hormone therapy basket of a trial named at great length"


def _draw(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _in_column(t, right: float) -> bool:
    """A text (not an annotation) placed left of ``right`` (figure fraction)."""
    return not isinstance(t, matplotlib.text.Annotation) and t.get_position()[0] < right


def _inside(fig, box) -> bool:
    return box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1


def test_text_width_wrap_label_and_row_centres():
    assert text_width("abcd", 10) == pytest.approx(2 * text_width("ab", 10), rel=0.05)
    assert text_width("abc", 10, "bold") > text_width("abc", 10) > text_width("abc", 5)
    wrapped = wrap_label("  " + LONG, 1.5, 7.5)
    lines = wrapped.split("\n")
    assert len(lines) > 1 and all(ln.startswith("  ") for ln in lines)
    assert " ".join(ln.strip() for ln in lines) == LONG                    # every word, in order, none cut
    assert all(text_width(ln, 7.5) <= 1.5 for ln in lines)
    assert wrap_label("Supercalifragilistic word", 0.1, 8) == "Supercalifragilistic\nword"   # too wide: whole
    assert wrap_label("short", 3, 8) == "short"
    # one-line rows one unit apart; a row of three lines takes 1 + 2 × 0.5 units, centred on its middle
    assert row_centres([1, 3, 1], 0.5) == ([0.0, 1.5, 3.0], 4.0)


def test_forest_plot_names_are_wrapped_never_cut():
    res = rma(np.log([0.5, 0.8, 0.6]), np.array([0.04, 0.09, 0.05]), method="REML")
    names = [LONG, "Short (an aside)", "Another trial whose name is far longer than its column (NCT0001)"]
    fig = forest_plot(res, names, groups=["g", "g", "h"], left_columns={"n": ["128", "49", "62"]})
    ax = fig.axes[0]
    r = _draw(fig)
    shown = {t.get_text().replace("\n", " "): t for t in ax.texts}
    assert LONG in shown and "Short" in shown and "Another trial whose name is far longer than its column" in shown
    assert "\n" in shown[LONG].get_text() and not any("\u2026" in s for s in shown)
    plot = ax.get_window_extent(r)
    column = [t.get_window_extent(r) for t in ax.texts if t.get_text() in ("n", "128", "49", "62")]
    left = [t.get_window_extent(r) for t in ax.texts if t.get_text() and _in_column(t, 0.4)]
    for box in left:
        assert _inside(fig, box) and box.x1 <= plot.x0
    names_boxes = [shown[s].get_window_extent(r) for s in shown if s.startswith(("EXTEND", "Short", "Another"))]
    assert not [1 for a in names_boxes for c in column if _overlap(a, c)]
    # wrapped rows take more room: no two texts of the label column touch
    assert not [(i, j) for i, a in enumerate(left) for j, b in enumerate(left) if i < j and _overlap(a, b)]


def test_summary_forest_labels_are_wrapped_never_cut():
    labels = ["Primary model (restricted maximum likelihood with Hartung\u2013Knapp\u2013Sidik\u2013Jonkman "
              "(ad hoc: never narrower than z))", "b", LONG]
    fig = summary_forest(labels, [0.5, 0.6, 0.7], [0.3, 0.4, 0.5], [0.9, 0.9, 1.0])
    ax = fig.axes[0]
    r = _draw(fig)
    shown = [t.get_text().replace("\n", " ") for t in ax.texts]
    assert all(lab in shown for lab in labels) and not any("\u2026" in s for s in shown)
    left = [t.get_window_extent(r) for t in ax.texts if t.get_text() and _in_column(t, 0.4)]
    plot = ax.get_window_extent(r)
    assert all(_inside(fig, b) and b.x1 <= plot.x0 for b in left)
    assert not [(i, j) for i, a in enumerate(left) for j, b in enumerate(left) if i < j and _overlap(a, b)]
    # each row's CI sits at the vertical centre of its (wrapped) label
    rows = [ln for ln in ax.get_lines() if ln.get_marker() in ("D", "o")]
    labels_y = [t.get_position()[1] for t in ax.texts if t.get_position()[0] == 0.01][1:]
    assert [ln.get_ydata()[0] for ln in rows] == labels_y


def test_rob_traffic_light_names_are_wrapped_never_cut():
    rob = pd.concat([_rob()] * 2, ignore_index=True)
    fig = rob_traffic_light(rob, [LONG, "B", LONG + " again", "D"])
    ax = fig.axes[0]
    r = _draw(fig)
    ticks = ax.get_yticklabels()
    assert [t.get_text().replace("\n", " ") for t in ticks] == [LONG, "B", LONG + " again", "D"]
    boxes = [t.get_window_extent(r) for t in ticks]
    assert all(_inside(fig, b) for b in boxes)
    assert not [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j and _overlap(a, b)]
    # the dots stay on their name's row
    assert sorted({float(c.get_offsets()[0][1]) for c in ax.collections}) == pytest.approx(list(ax.get_yticks()))


def test_rob_traffic_light_legend_names_every_level_and_covers_no_data():
    fig = rob_traffic_light(_rob(), ["A", "B"])
    ax = fig.axes[0]
    assert ax.get_legend() is None and len(fig.legends) == 1
    leg = fig.legends[0]
    # "" and "odd" are no RoB 2 judgement: shown grey, named "Not assessed"; B's judgements are provisional
    assert [t.get_text() for t in leg.get_texts()] == ["Low (+)", "Some concerns (?)", "High (\u2212)", "Not assessed",
                                                       "Provisional (dashed outline)"]
    colours = [matplotlib.colors.to_hex(hd.get_color()) for hd in leg.legend_handles[:4]]
    assert colours == [ROB_COLORS[x] for x in ("low", "some concerns", "high", "")]
    assert leg.legend_handles[4].get_linestyle()[0][1] is not None                   # dashed
    r = _draw(fig)
    box = leg.get_window_extent(r)
    assert _inside(fig, box)
    assert box.y1 <= ax.get_window_extent(r).y0                                       # under the grid
    assert not [c for c in ax.collections if _overlap(box, c.get_window_extent(r))]
    assert not [t for t in ax.get_yticklabels() + ax.get_xticklabels() if _overlap(box, t.get_window_extent(r))]
    # only the levels used: all judged, none provisional
    rob = _rob().assign(d2=["low", "low"], d3=["low", "low"], provisional=["no", "no"])
    texts = [t.get_text() for t in rob_traffic_light(rob, ["A", "B"]).legends[0].get_texts()]
    assert texts == ["Low (+)", "Some concerns (?)", "High (\u2212)"]


def test_rob_summary_legend_clear_of_the_bars_and_the_axis_label():
    fig = rob_summary(_rob(), [3, 1])
    ax = fig.axes[0]
    r = _draw(fig)
    box = ax.get_legend().get_window_extent(r)
    assert _inside(fig, box) and box.y1 <= ax.get_window_extent(r).y0
    assert not _overlap(box, ax.xaxis.label.get_window_extent(r))
    assert not [p for p in ax.patches if p.get_width() and _overlap(box, p.get_window_extent(r))]
    judged = _rob().assign(d2=["low", "low"], d3=["low", "low"])
    assert [t.get_text() for t in rob_summary(judged, [1, 1]).axes[0].get_legend().get_texts()] == [
        "Low", "Some concerns", "High"]


def _arrows(ax):
    return sorted((a.xy, a.xyann) for a in ax.get_children()
                  if isinstance(a, matplotlib.text.Annotation) and not a.get_text())


def test_subgroup_forest_arrows_where_a_ci_runs_off_the_axis():
    from types import SimpleNamespace

    rows = pd.DataFrame({"level": ["upfront", "oligoprogression"], "k": [4, 2], "hr": [0.42, 0.57],
                         "ci_lb": [0.27, 0.01], "ci_ub": [0.67, 33.74]})
    fig = subgroup_forest({("PFS", "Timing"): SimpleNamespace(rows=rows, p_separate=0.3)}, "PFS")
    ax = fig.axes[0]
    # the axis stops at 0.1 and 10 (not 0.01 and 34); the wide CI is drawn to both limits with an arrow at each
    # end (row 2), the narrow one (row 1) has none
    assert ax.get_xlim() == pytest.approx((0.1, 10))
    assert _arrows(ax) == [((0.1, 2), (0.125, 2)), ((10, 2), (8.0, 2))]
    ci = [list(ln.get_xdata()) for ln in ax.get_lines() if list(ln.get_ydata()) == [2, 2]]
    assert ci == [[0.1, 10]]
    r = _draw(fig)
    heads = [a.arrow_patch.get_window_extent(r) for a in ax.get_children()
             if isinstance(a, matplotlib.text.Annotation) and not a.get_text()]
    plot = ax.get_window_extent(r)
    assert all(plot.x0 - 2 <= b.x0 and b.x1 <= plot.x1 + 2 for b in heads)      # drawn at the axis ends, visible


@pytest.mark.parametrize("lims", [(0.2, 1.4), (0.02, 40), (0.7, 9)])
def test_favours_labels_either_side_of_no_effect(lims):
    lo, hi = lims
    figs = [summary_forest(["a", "b"], [lo * 1.3, hi / 1.3], [lo * 1.2, hi / 1.5], [lo * 1.5, hi / 1.2],
                           favours=("Favours MDT", "Favours control")),
            forest_plot(rma(np.log([0.5, 0.8]), np.array([0.04, 0.09])), ["A", "B"], xlim=(min(lo, 0.9), max(hi, 1.1)))]
    for fig in figs:
        ax = fig.axes[0]
        r = _draw(fig)
        left, right = [a for a in ax.get_children() if isinstance(a, matplotlib.text.Annotation) and a.get_text()]
        null = ax.transData.transform((1, 0))[0]
        a, b = left.get_window_extent(r), right.get_window_extent(r)
        gap = FAVOURS_GAP * fig.dpi / 72 - 1
        assert a.x1 <= null - gap and b.x0 >= null + gap, (a, null, b)
        assert left.get_text().startswith("\u2190") and right.get_text().endswith("\u2192")
        assert _inside(fig, a) and _inside(fig, b)
        clear = [ax.xaxis.label, *ax.get_xticklabels()]
        assert not [t for t in clear if t.get_text() and (_overlap(a, t.get_window_extent(r))
                                                          or _overlap(b, t.get_window_extent(r)))]


def test_influence_plot_names_run_whole_inside_the_figure():
    infl = pd.DataFrame({"rstudent": [0.5, -2.5], "dffits": [0.1, -1.2], "cook_d": [0.01, 0.9],
                         "tau2_del": [0.02, 0.0], "inf": ["", "*"]}, index=["A", "B"])
    short, long = influence_plot(infl, labels=["A", "B"]), influence_plot(infl, labels=[LONG + " (aside)", "B"])
    ax = long.axes[2]
    assert [t.get_text() for t in ax.get_xticklabels()] == [LONG, "B"]               # the aside dropped, nothing cut
    r = _draw(long)
    assert all(_inside(long, t.get_window_extent(r)) for t in ax.get_xticklabels())
    # the figure grows by the height the longer name needs at 60°; the panels keep their size
    grow = (text_width(LONG, 6.5) - text_width("A", 6.5)) * math.sin(math.radians(60))
    assert long.get_size_inches()[1] - short.get_size_inches()[1] == pytest.approx(grow)


# =========================================================================== defects a fresh reader found
from helpers.show.labels import heading, sentence_case  # noqa: E402
from helpers.show.plots import (MIN_TICKS, ROB_SYMBOLS, contrast_ratio, log_ticks, summary_forest,  # noqa: E402
                                text_on)


def _rob_key(fig):
    keys = [leg for leg in fig.legends if leg.get_gid() == "rob-key"]
    return keys[0] if keys else None


def _data_extents(fig, r):
    """Every drawn thing of a forest plot a key must not cover: texts (and annotations), lines
    and markers (the RoB dots), patches (the diamond), as display boxes."""
    out = []
    for ax in fig.axes:
        out += [(t.get_text(), t.get_window_extent(r)) for t in ax.texts if t.get_text()]
        out += [(f"line {i}", ln.get_window_extent(r)) for i, ln in enumerate(ax.get_lines())]
        out += [("patch", p.get_window_extent(r)) for p in ax.patches]
        out += [(t.get_text(), t.get_window_extent(r)) for t in ax.get_xticklabels() if t.get_text()]
        out += [("x label", ax.xaxis.label.get_window_extent(r))]
    out += [(t.get_text(), t.get_window_extent(r)) for t in fig.texts if t.get_text()]
    return out


@pytest.mark.parametrize("with_pi", [True, False])
def test_forest_plot_rob_key_names_the_dots_and_covers_no_data(with_pi):
    y, v = np.log([0.5, 0.8, 2.0, 0.3]), np.array([0.04, 0.09, 0.25, 0.05])
    res = rma(y, v, method="REML" if with_pi else "EE")
    rob = {"D1": ["low", "high", "some concerns", "?"], "Overall": ["low", "high", "", "some concerns"]}
    fig = forest_plot(res, ["A", "B", "C", LONG], pi=res.predict() if with_pi else None, groups=["g", "g", "h", "h"],
                      rob=rob, left_columns={"n": ["10", "20", "30", "40"]})
    key = _rob_key(fig)
    assert key is not None and key.get_title().get_text() == "Risk of bias (RoB 2)"
    # the names and colours of the traffic-light legend; "?" and "" are no judgement: "Not assessed"
    assert [t.get_text() for t in key.get_texts()] == ["Low (+)", "Some concerns (?)", "High (\u2212)", "Not assessed"]
    assert [matplotlib.colors.to_hex(hd.get_color()) for hd in key.legend_handles] == [
        ROB_COLORS[x] for x in ("low", "some concerns", "high", "")]
    r = _draw(fig)
    box = key.get_window_extent(r)
    assert _inside(fig, box)
    hits = [name for name, b in _data_extents(fig, r) if _overlap(box, b)]
    assert not hits, hits
    # under the dots' columns: from the first column, below the last comparison's dot
    dots = [ln.get_window_extent(r) for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    assert box.y1 <= min(d.y0 for d in dots) and min(d.x0 for d in dots) - 10 <= box.x0 <= min(d.x1 for d in dots)
    # only the judgements used; no key without risk-of-bias columns
    only = forest_plot(res, ["A", "B", "C", "D"], rob={"D1": ["low"] * 4})
    assert [t.get_text() for t in _rob_key(only).get_texts()] == ["Low (+)"]
    assert _rob_key(forest_plot(res, ["A", "B", "C", "D"])) is None and not forest_plot(res, list("ABCD")).legends


def test_sentence_case_for_reader_labels():
    assert [heading(c) for c in ("breast", "mixed", "colorectal", "NSCLC", "SCLC", "de_novo", "SBRT/RT", "II")] == [
        "Breast", "Mixed", "Colorectal", "NSCLC", "SCLC", "De novo", "SBRT/RT", "II"]
    assert sentence_case("  upfront (k = 3)") == "  Upfront (k = 3)" and sentence_case("pN1 stage") == "pN1 stage"
    assert sentence_case("") == "" and sentence_case(None) == ""


def test_forest_and_subgroup_labels_are_sentence_case():
    from types import SimpleNamespace

    res = rma(np.log([0.5, 0.8, 0.6]), np.array([0.04, 0.09, 0.05]))
    fig = forest_plot(res, ["A", "B", "C"], groups=["NSCLC", "breast", "mixed"])
    groups = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold" and t.get_fontsize() == 8.5]
    assert groups[:3] == ["NSCLC", "Breast", "Mixed"]
    rows = pd.DataFrame({"level": ["prostate", "SCLC"], "k": [2, 1], "hr": [0.5, 0.6], "ci_lb": [0.3, 0.4],
                         "ci_ub": [0.8, 0.9]})
    ax = subgroup_forest({("PFS", "Primary cancer"): SimpleNamespace(rows=rows, p_separate=0.3)}, "PFS").axes[0]
    assert "    Prostate (k = 2)" in [t.get_text() for t in ax.texts]
    assert "    SCLC (k = 1)" in [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("lo,hi,want", [
    (0.24, 1.38, [0.25, 0.5, 1]),                 # the OS sensitivity plot: 1-2-5 leaves only 0.5 and 1
    (0.425, 1.725, [0.5, 0.7, 1, 1.5]),           # the shortest axis summary_forest draws
    (0.4, 2.5, [0.5, 1, 2]), (0.1, 10, [0.1, 0.2, 0.5, 1, 2, 5, 10]),
    (0.01, 100, [0.01, 0.1, 1, 10, 100]),         # 1-2-5 would crowd 13 ticks: decades
    (0.9, 1.1, [0.9, 1, 1.1]),
])
def test_log_ticks_give_at_least_three(lo, hi, want):
    ticks = log_ticks(lo, hi)
    assert ticks == pytest.approx(want) and len(ticks) >= MIN_TICKS
    assert all(lo <= t <= hi for t in ticks)


def test_short_summary_axis_has_three_labelled_ticks_that_do_not_touch():
    fig = summary_forest(["a", "b"], [0.59, 0.62], [0.36, 0.37], [0.97, 1.2])
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    labels = [t for t in ax.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi]
    assert len(labels) >= 3, [t.get_text() for t in labels]
    r = _draw(fig)
    boxes = [t.get_window_extent(r) for t in labels]
    assert not [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j and _overlap(a, b)]


def test_rob_text_contrast():
    # WCAG: black on white 21:1; white on the "some concerns" yellow was under 2:1
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("white", ROB_COLORS["some concerns"]) < 2
    for level, fill in ROB_COLORS.items():
        assert contrast_ratio(text_on(fill), fill) >= 4.5, level
    assert text_on(ROB_COLORS["some concerns"]) == "#000000" and text_on(ROB_COLORS["high"]) == "#ffffff"
    # every label on a bar of the summary, and every symbol on a dot, at 4.5:1 or more against its fill
    rob = _rob().assign(overall=["some concerns", "high"])
    ax = rob_summary(rob, [1, 1]).axes[0]
    for t in ax.texts:
        x, y = t.get_position()
        bar = [p for p in ax.patches if p.get_width() and p.get_x() <= x <= p.get_x() + p.get_width()
               and p.get_y() <= y <= p.get_y() + p.get_height()]
        assert len(bar) == 1 and contrast_ratio(t.get_color(), bar[0].get_facecolor()) >= 4.5, t.get_text()
    tax = rob_traffic_light(rob, ["A", "B"]).axes[0]
    for t, dots in zip(tax.texts, tax.collections):
        assert contrast_ratio(t.get_color(), dots.get_facecolor()[0]) >= 4.5 or not t.get_text()
    fax = forest_plot(rma(np.log([0.5, 0.8]), np.array([0.04, 0.09])), ["A", "B"],
                      rob={"D1": ["some concerns", "high"]}).axes[0]
    syms = [t for t in fax.texts if t.get_text() in ROB_SYMBOLS.values() and t.get_text()]
    fills = [ln.get_color() for ln in fax.get_lines() if ln.get_marker() == "o"]
    assert [t.get_text() for t in syms] == ["?", "\u2212"]
    assert all(contrast_ratio(t.get_color(), f) >= 4.5 for t, f in zip(syms, fills))


def test_prisma_flow_says_where_the_records_came_from():
    """No bibliographic database was searched: the boxes never say "bibliographic", and the one
    identification column is the public web sources and registries, its total the sum of the types."""
    c = _prisma() | {"duplicates_removed": None, "screened": 15, "excluded_screening": 2, "sought": 13,
                     "not_retrieved": 1, "assessed": 12}
    fig = prisma_flow(c)
    text = " ".join(t.get_text() for _, t in fig.prisma_boxes).replace("\n", " ")
    assert "bibliographic" not in text.lower() and "other methods" not in text.lower()
    assert "public web sources and registries: n = 15" in text
    assert not text_outside_boxes(fig)
