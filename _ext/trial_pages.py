"""Sphinx extension: write one page per assessed trial into ``trials/`` (git-ignored) before
the table of contents is read, from the build's results (``helpers.review.trial_pages``).

It runs at ``config-inited`` with a priority below sphinx-external-toc's, so the ``glob:
trials/*`` entry of ``_toc.yml`` sees the pages. The pages are recomputed only when the
inputs (``data/`` and ``helpers/``) changed since the stamp in ``trials/.fingerprint``; a page
is written only when its text changed (an unchanged file keeps its mtime, so Sphinx does not
re-read it) and the pages of trials that are gone are deleted.
"""
from __future__ import annotations

from pathlib import Path

STAMP = ".fingerprint"


def write_pages(root: Path) -> dict:
    """Bring ``root/trials/`` up to date; returns what was written and deleted."""
    from helpers.review.paths import inputs_fingerprint

    folder = root / "trials"
    fingerprint = inputs_fingerprint(root)
    stamp = folder / STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == fingerprint \
            and (folder / "index.md").is_file():
        return {"written": [], "deleted": []}
    from helpers.review.results import load_results
    from helpers.review.trial_pages import trial_pages, write_trial_pages

    done = write_trial_pages(trial_pages(load_results(root)), folder)
    stamp.write_text(fingerprint + "\n", encoding="utf-8")
    return done


def _on_config(app, config):
    done = write_pages(Path(app.srcdir))
    if done["written"] or done["deleted"]:
        from sphinx.util import logging

        logging.getLogger(__name__).info("trial pages: %d written, %d deleted",
                                         len(done["written"]), len(done["deleted"]))


def _escape_print_title(app, pagename, templatename, context, doctree):
    """sphinx-book-theme puts the page title, as plain text, unescaped into the print header
    (``<h1>{{ pagetitle }}</h1>``): a trial name from data/ with "<b>" would become markup."""
    import html

    if isinstance(context.get("pagetitle"), str):
        context["pagetitle"] = html.escape(context["pagetitle"])


def setup(app):
    app.connect("config-inited", _on_config, priority=100)
    app.connect("html-page-context", _escape_print_title, priority=900)   # after the theme sets it
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
