"""What a reader sees, measured in a browser: code names in the text, and tables or figures
wider than the text column (1280 px) or than the phone (390 px). Shared by the browser tests
and by ``python tests/reading.py _build/html`` (a quick check of a local build)."""
from __future__ import annotations

import re

PAGES = ["intro", "chapters/methods", "chapters/search", "chapters/pfs", "chapters/os", "chapters/subgroups",
         "chapters/certainty", "chapters/safety", "chapters/differences", "chapters/glossary",
         "chapters/reproducibility"]

SNAKE = r"(?<![\w./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])"
# "Tierney et al. 2007", "Higgins and Thompson (2002)", "Altman & Bland, 2011": a citation typed as text
AUTHOR_YEAR = (r"\b[A-Z][a-zA-Z'-]+ (?:et al\.?|and [A-Z][a-zA-Z'-]+|& [A-Z][a-zA-Z'-]+),? \(?(?:19|20)\d\d\b")

# the extractors' working notes: "[pass_a2]", "pass B5", "round 4A", "[extractor A, round 2]", a helper's code
# name ("helpers.SETTINGS", "z_p"), a bibliography label of an entry without an author ("[Unsignedrecord23]")
WORKING_NOTES = (r"\[?\bpass_[ab]\d?\b\]?|\bpass [AB]\d?\b|\bround \d+[AB]?\b|\[extractor [AB]\b|\bextractor [AB]\b"
                 r"|\bhelpers\.\w+|\bz_p\b|\bUnsigned ?record")

# the article's text outside links (citations and record links are links)
_UNLINKED_JS = """() => {
  const art = document.querySelector('article.bd-article') || document.querySelector('article');
  const clone = art.cloneNode(true);
  clone.querySelectorAll('a, pre, code, .highlight, mjx-container, script, style, .bibliography, .citation')
       .forEach(e => e.remove());
  return clone.textContent;
}"""

# the article's text without code, math and the package list; file names of data/ are allowed
_TEXT_JS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const art = document.querySelector('article.bd-article') || document.querySelector('article');
  const clone = art.cloneNode(true);
  clone.querySelectorAll('pre, code, .highlight, mjx-container, script, style, .package-list, .math')
       .forEach(e => e.remove());
  document.body.appendChild(clone); clone.style.position = 'absolute'; clone.style.left = '-99999px';
  const text = clone.innerText; clone.remove();
  return text;
}"""

_WIDTH_JS = """() => {
  const art = document.querySelector('article.bd-article');
  const cs = getComputedStyle(art);
  const column = art.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const wide = [];
  const name = e => (e.closest('[id]') ? '#' + e.closest('[id]').id : '') + ' ' + e.tagName.toLowerCase() +
                    (e.tagName === 'IMG' ? ' ' + e.getAttribute('src') : '');
  art.querySelectorAll('table, img, svg, figure').forEach(e => {
    if (e.closest('mjx-container')) return;
    const w = e.getBoundingClientRect().width;
    if (w > column + 1) wide.push(`${name(e)} is ${Math.round(w)} px in a ${Math.round(column)} px column`);
  });
  art.querySelectorAll('*').forEach(e => {
    if (e.closest('mjx-container, pre, .highlight')) return;
    if (e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
      wide.push(`${name(e)} scrolls sideways (${e.scrollWidth} px in ${e.clientWidth} px)`);
  });
  return wide;
}"""

_PHONE_JS = """() => {
  const wide = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) wide.push(`the page is ${doc.scrollWidth} px wide`);
  document.querySelectorAll('article img, article svg:not(mjx-container svg)').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width > window.innerWidth + 1) wide.push(`image ${e.getAttribute('src') || ''} is ${Math.round(r.width)} px`);
  });
  return wide;
}"""


def article_text(page) -> str:
    return page.evaluate(_TEXT_JS)


def code_names(text: str) -> list[str]:
    """The snake_case identifiers in ``text``, without file names of ``data/`` (``*.csv``)."""
    return sorted({m for m in re.findall(SNAKE, text)} - set(re.findall(r"[\w]+(?=\.csv)", text)))


def working_notes(text: str) -> list[str]:
    """The extractors' working notes and code names left in ``text`` (see ``WORKING_NOTES``)."""
    return sorted({m.group(0) for m in re.finditer(WORKING_NOTES, text)})


def reading_problems(browser, site_url: str, pages=PAGES) -> list[str]:
    """Code names and working notes at 1280 px, tables and figures wider than the column at 1280 px,
    and pages wider than the phone at 390 px."""
    problems = []
    for name in pages:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{site_url}/{name}.html", wait_until="networkidle")
            if width == 1280:
                text = article_text(page)
                problems += [f"{name}: code name '{c}'" for c in code_names(text)]
                problems += [f"{name}: working note '{n}'" for n in working_notes(text)]
                problems += [f"{name}: citation typed as text '{m.group(0)}'"
                             for m in re.finditer(AUTHOR_YEAR, page.evaluate(_UNLINKED_JS))]
                problems += [f"{name} at 1280 px: {w}" for w in page.evaluate(_WIDTH_JS)]
            else:
                problems += [f"{name} at 390 px: {w}" for w in page.evaluate(_PHONE_JS)]
            page.close()
    return problems


if __name__ == "__main__":   # python tests/reading.py _build/html
    import functools
    import http.server
    import shutil
    import sys
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=sys.argv[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox"])
        found = reading_problems(b, f"http://127.0.0.1:{server.server_address[1]}", sys.argv[2:] or PAGES)
        b.close()
    print("\n".join(found) or "no problems")
