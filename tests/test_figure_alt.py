"""``_ext/figure_alt.py``: every figure's image gets its caption's first sentence as alt text
(myst-nb's glued figures otherwise show their hashed file name)."""
from __future__ import annotations

import sys

from docutils import nodes

from conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
try:
    from figure_alt import caption_alt, set_alt_texts
finally:
    sys.path.remove(str(ROOT / "_ext"))


def test_caption_alt_is_the_first_sentence():
    assert caption_alt("Forest plot of PFS, MDT versus control.  Squares are sized by weight.") == \
        "Forest plot of PFS, MDT versus control"
    assert caption_alt("Subgroup forest plot for OS, as Fig. 7.") == "Subgroup forest plot for OS, as Fig. 7"
    assert caption_alt("Pooled HR 0.50 (0.40\u20130.62); the dotted line\nis the primary estimate") == \
        "Pooled HR 0.50 (0.40\u20130.62); the dotted line is the primary estimate"
    assert caption_alt("P(HR < 0.80). The dark area") == "P(HR < 0.80)"


def _figure(caption: str | None, **image):
    fig = nodes.figure("", nodes.image(uri="../_images/0f3a9c.svg", **image))
    if caption is not None:
        fig += nodes.caption("", caption)
    return fig


def test_set_alt_texts_fills_figures_and_reports_the_rest():
    doc = nodes.section()
    doc += _figure("RoB 2 judgements for PFS, per comparison. Dashed outlines mark provisional judgements.")
    doc += _figure("Funnel plot of OS.", alt="A funnel plot")             # an explicit :alt: is kept
    doc += _figure(None)                                                   # no caption: nothing to take
    doc += nodes.image(uri="../_images/loose.png")                         # outside a figure
    left = set_alt_texts(doc)
    alts = [img.get("alt") for img in doc.findall(nodes.image)]
    assert alts == ["RoB 2 judgements for PFS, per comparison", "A funnel plot", None, None]
    assert [img["uri"] for img in left] == ["../_images/0f3a9c.svg", "../_images/loose.png"]
