"""Sphinx extension: re-execute every notebook page when data/ or helpers/ change.

myst-nb hashes only the code cells of a page and Sphinx re-reads only pages whose
source changed, so a CSV edit alone would leave stale numbers on the site.  This
extension fingerprints every file in ``data/`` and ``helpers/`` (``helpers.review.paths.inputs_fingerprint``), keeps the fingerprint in the build environment, and asks Sphinx to re-read
all pages when it changes; with ``execute_notebooks: force`` a re-read page is
re-executed.  It also warms matplotlib's font cache once before any kernel starts,
so that a clean machine does not spend the first cell's timeout building it.
"""
from __future__ import annotations

from pathlib import Path

from helpers.review.paths import inputs_fingerprint


def _outdated(app, env, added, changed, removed):
    fingerprint = inputs_fingerprint(Path(app.srcdir))
    previous = getattr(env, "mdt_inputs_fingerprint", None)
    env.mdt_inputs_fingerprint = fingerprint
    if previous is not None and previous != fingerprint:
        return sorted(set(env.found_docs) - set(added) - set(changed))
    return []


def _warm_font_cache(app):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    font_manager.findfont("DejaVu Sans")


def setup(app):
    app.connect("builder-inited", _warm_font_cache)
    app.connect("env-get-outdated", _outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
