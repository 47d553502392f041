"""Sphinx extension: write one page per assessed trial into ``trials/`` (git-ignored) before
the table of contents is read, from the build's results (``helpers.review.trial_pages``).

It runs at ``config-inited`` with a priority below sphinx-external-toc's, so the ``glob:
trials/*`` entry of ``_toc.yml`` sees the pages. The pages are recomputed only when the
inputs (``data/`` and ``helpers/``) changed since the stamp in ``trials/.fingerprint``; a page
is written only when its text changed (an unchanged file keeps its mtime, so Sphinx does not
re-read it) and the pages of trials that are gone are deleted.

A glob lists pages by file name, which mixes included and excluded trials ("peng-2023", the
Wuhan trial, between PEACE and PulMiCC). Once sphinx-external-toc has read ``_toc.yml``, the
glob is replaced by the pages in the order of the trials index (included, then excluded, each
alphabetical by the name a reader sees), so the sidebar and the index agree; an excluded
trial's sidebar entry says so.
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


GLOB = "trials/*"


def order_trials(site_map, index_text: str, found: list[str], titles: dict | None = None) -> list[str]:
    """Replace the ``trials/*`` glob in ``site_map`` (a sphinx-external-toc ``SiteMap``) by the
    pages the trials index links, in its order, then any other page of ``found`` (page names
    under ``trials/``, alphabetical), so that no page drops out of the table of contents. The
    sidebar entry of a page the index lists as excluded reads "<title> (excluded)" (``titles``:
    page name → title), so the second group shows where it starts. Returns the docnames now
    listed; nothing changes where there is no such glob."""
    import dataclasses

    from sphinx_external_toc.api import Document, FileItem, GlobItem

    from helpers.review.trial_pages import INDEX, index_excluded, index_order

    names = [n for n in index_order(index_text) if n in found]
    names += sorted(n for n in found if n not in names and n != INDEX)
    docs = [f"trials/{n}" for n in names]
    listed: list[str] = []
    for doc in list(site_map.values()):
        trees = []
        for tree in doc.subtrees:
            if not any(isinstance(item, GlobItem) and str(item) == GLOB for item in tree.items):
                trees.append(tree)
                continue
            items = []
            for item in tree.items:
                items += [FileItem(d) for d in docs] if isinstance(item, GlobItem) and str(item) == GLOB else [item]
            trees.append(dataclasses.replace(tree, items=items))
            listed += docs
        if trees != doc.subtrees:
            site_map[doc.docname] = dataclasses.replace(doc, subtrees=trees)
    excluded = set(index_excluded(index_text))
    for d in listed:
        name = d.removeprefix("trials/")
        title = (titles or {}).get(name)
        if name in excluded and title:
            site_map[d] = Document(d, title=f"{title} (excluded)")
        elif d not in site_map:
            site_map[d] = Document(d)
    return listed


def _order_sidebar(app, config):
    site_map = getattr(config, "external_site_map", None)
    index = Path(app.srcdir) / "trials" / "index.md"
    if site_map is None or not index.is_file():
        return
    from helpers.review.trial_pages import page_title

    pages = sorted(index.parent.glob("*.md"))
    titles = {p.stem: page_title(p.read_text(encoding="utf-8")) for p in pages}
    order_trials(site_map, index.read_text(encoding="utf-8"), [p.stem for p in pages], titles)


def _escape_print_title(app, pagename, templatename, context, doctree):
    """sphinx-book-theme puts the page title, as plain text, unescaped into the print header
    (``<h1>{{ pagetitle }}</h1>``): a trial name from data/ with "<b>" would become markup."""
    import html

    if isinstance(context.get("pagetitle"), str):
        context["pagetitle"] = html.escape(context["pagetitle"])


def setup(app):
    app.connect("config-inited", _on_config, priority=100)
    app.connect("config-inited", _order_sidebar, priority=950)            # after sphinx-external-toc (900)
    app.connect("html-page-context", _escape_print_title, priority=900)   # after the theme sets it
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
