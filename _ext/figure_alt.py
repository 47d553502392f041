"""Sphinx extension: every figure's image gets an alt text from its caption.

myst-nb writes a glued matplotlib figure (``{glue:figure}``) as an image named by the hash of
its content, and docutils falls back to that file name when an image has no alt text, so a
screen reader would read out "../_images/3f2a….svg". This extension gives every image inside a
figure that has no alt text the first sentence of the figure's caption (taken once
cross-references and glued values are resolved, so it reads as the caption does); an explicit
``:alt:`` option of the directive is kept. An image still without alt text (one outside a
captioned figure) is a warning, so a build with ``-W`` fails on it.
"""
from __future__ import annotations

import re

from docutils import nodes
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def caption_alt(caption: str) -> str:
    """The first sentence of a caption, on one line and without its closing full stop."""
    text = " ".join(caption.split())
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'])", text, maxsplit=1)[0]
    return first[:-1] if first.endswith(".") else first


def set_alt_texts(doctree: nodes.Node) -> list[nodes.image]:
    """Set the alt text of each image in a captioned figure that has none; return the images
    left without one."""
    for figure in doctree.findall(nodes.figure):
        caption = next(iter(figure.findall(nodes.caption)), None)
        if caption is None or not caption.astext().strip():
            continue
        for image in figure.findall(nodes.image):
            if not str(image.get("alt", "")).strip():
                image["alt"] = caption_alt(caption.astext())
    return [image for image in doctree.findall(nodes.image) if not str(image.get("alt", "")).strip()]


def _resolved(app, doctree, docname):
    for image in set_alt_texts(doctree):
        LOGGER.warning("image %s has no alt text: give its figure a caption or an :alt: option",
                       image.get("uri", "?"), location=image, type="figure_alt", subtype="missing")


def setup(app):
    app.connect("doctree-resolved", _resolved)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
