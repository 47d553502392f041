"""Sphinx extension: load the "what if" panel's module (``_static/whatif/meta.js``) on the pages
that embed a panel (their body holds ``data-whatif-input``), and on no other page.

Jupyter Book 1 lists every ``*.js`` under ``_static`` in ``html_js_files`` (so on every page, as
a classic script); that entry is taken out here and the module is added, as
``type="module"``, only where a panel is.  Browsers do not run module scripts from ``file://``
pages, so the panel's static notice stays in place there (see README.md)."""
from __future__ import annotations

import os

MODULE = "whatif/meta.js"
_PATH = f"_static/{MODULE}"


def _name(js) -> str:
    return os.fspath(getattr(js, "filename", js) or "")


def _module_where_used(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is None:
        return
    scripts[:] = [js for js in scripts if _name(js) != _PATH]   # in place: it is the builder's list
    if "data-whatif-input" in (context.get("body") or ""):
        app.add_js_file(MODULE, type="module")
        if not any(_name(js) == _PATH for js in scripts):
            raise RuntimeError(f"{pagename}: the what-if module could not be added to the page's scripts")


def setup(app):
    app.connect("html-page-context", _module_where_used)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
