"""Sphinx extension: publish the build's results object as ``results.json`` at the site root.

The same object (``helpers.review.results.load_results``, cached per inputs fingerprint)
feeds every page, so the file and the pages cannot disagree."""
from __future__ import annotations

from pathlib import Path


def _write(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from helpers.review.results import load_results, write_results_json

    write_results_json(load_results(Path(app.srcdir)), Path(app.outdir) / "results.json")


def setup(app):
    app.connect("build-finished", _write)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
