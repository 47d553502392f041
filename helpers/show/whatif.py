"""The "what if" panel on a page: the panel's inputs as an embedded JSON script and the root
element that ``_static/whatif/meta.js`` mounts into.  Until the script runs (no JavaScript, or
the site opened from a file, where browsers do not load module scripts) a short notice stands
in its place."""
from __future__ import annotations

import json

__all__ = ["whatif_panel", "WHATIF_NOTICE"]

WHATIF_NOTICE = ("The interactive panel did not start: it needs JavaScript, and the site served over http "
                 "(for example python -m http.server -d _build/html), not opened as a file.")


def _script_json(data: dict) -> str:
    """JSON that cannot end its script element or open a comment (<, >, & escaped)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def whatif_panel(payload: dict, title: str = "What if? Recompute the pooled hazard ratio"):
    """An IPython HTML object: the panel root with its notice and the inputs
    (``helpers.review.whatif.whatif_input``) as ``<script type="application/json" data-whatif-input>``."""
    import html

    from IPython.display import HTML

    return HTML(f'<section class="whatif-panel" aria-label="{html.escape(title)}">'
                f'<p class="whatif-title"><strong>{html.escape(title)}</strong></p>'
                f'<div data-whatif-root><p class="whatif-notice">{html.escape(WHATIF_NOTICE)}</p>'
                f'<script type="application/json" data-whatif-input>{_script_json(payload)}</script>'
                "</div></section>")
