"""Sphinx extension: re-execute every notebook page when data/ or helpers/ change.

myst-nb hashes only the code cells of a page and Sphinx re-reads only pages whose
source changed, so a CSV edit alone would leave stale numbers on the site.  This
extension fingerprints every file in ``data/`` and ``helpers/`` (SHA-256 of their
contents), keeps the fingerprint in the build environment, and asks Sphinx to re-read
all pages when it changes; with ``execute_notebooks: force`` a re-read page is
re-executed.  It also warms matplotlib's font cache once before any kernel starts,
so that a clean machine does not spend the first cell's timeout building it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

WATCHED = ("data", "helpers")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def inputs_fingerprint(root: Path) -> str:
    """SHA-256 over the relative paths and contents of the watched folders."""
    h = hashlib.sha256()
    for folder in WATCHED:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and not SKIP_PARTS & set(p.parts)):
            h.update(str(path.relative_to(root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


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
