"""Sphinx extension: the footer names the book's version and release date from
``CITATION.cff`` (and the short commit where ``.git`` exists), never the clock time, so two
builds of one commit stay byte-identical."""
from __future__ import annotations

import html
from pathlib import Path


def _footer(app, config):
    from helpers.review.build_info import book_citation

    c = book_citation(Path(app.srcdir))
    commit = f", commit {html.escape(c['commit'])}" if c["commit"] else ""
    options = dict(config.html_theme_options or {})
    before = options.get("extra_footer", "")
    options["extra_footer"] = (f"{before} Version {html.escape(c['version'])}, released {html.escape(c['date'])}"
                               f"{commit}. How to cite: <code>CITATION.cff</code>.")
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _footer, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
