"""Sphinx extension: a site that reads offline and logs no console errors.

Jupyter Book 1 always loads sphinx-thebe, which declares ``THEBE_JS_URL`` in an inline
script twice (a console error on every page) and points it at a CDN.  Launch buttons and
thebe are off in ``_config.yml``, so every thebe script is dropped from each page here.
MathJax is served from ``_static/mathjax`` (``mathjax_path``), so no page needs a CDN,
and is loaded once per page.
"""
from __future__ import annotations


def _is_thebe(js) -> bool:
    name = str(getattr(js, "filename", js) or "")
    body = str(getattr(js, "attributes", {}).get("body", "")) if hasattr(js, "attributes") else ""
    return "thebe" in name.lower() or "THEBE" in body


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Drop thebe's scripts, and any script file listed twice (MathJax is added both by
    sphinx.ext.mathjax and by myst-nb; loaded twice, MathJax 3 logs a console error)."""
    scripts = context.get("script_files")
    if scripts:
        seen, kept = set(), []
        for js in scripts:
            name = str(getattr(js, "filename", js) or "")
            if _is_thebe(js) or (name and name in seen):
                continue
            if name:
                seen.add(name)
            kept.append(js)
        context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
