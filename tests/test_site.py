"""The site as readers get it: every page in a real browser, offline reading, determinism,
failing cells, and text from data/ reaching the page as text."""
from __future__ import annotations

import re
from pathlib import Path


from conftest import ARTIFACTS, build_book, copy_book, edit_csv

PAGES = ["intro", "chapters/methods", "chapters/search", "chapters/pfs", "chapters/os", "chapters/subgroups", "chapters/certainty", "chapters/glossary",
         "chapters/safety", "chapters/differences", "chapters/reproducibility"]
BAD_TEXT = [("Traceback", "a traceback"), ("np.float64(", "a NumPy scalar repr"), ("{glue", "a raw glue role"),
            ("Warning:", "a warning"), ("UserWarning", "a warning")]


def test_every_page_in_a_real_browser(browser, site_url):
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    problems = []
    for page_name in PAGES:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("requestfailed", lambda r, errors=errors: errors.append(f"failed request {r.url}"))
        response = page.goto(f"{site_url}/{page_name}.html", wait_until="networkidle")
        assert response is not None and response.ok, f"{page_name}: HTTP {response and response.status}"
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(
            "Promise.all(Array.from(document.images).map(i => i.decode().then(() => null, () => i.src)))"
            ".then(r => r.filter(x => x).concat(Array.from(document.images).filter(i => i.naturalWidth === 0)"
            ".map(i => i.src)))")
        text = page.inner_text("article") if page.query_selector("article") else page.inner_text("body")
        page.screenshot(path=str(shots / f"{page_name.replace('/', '_')}.png"), full_page=True)
        page.close()
        if errors:
            problems.append(f"{page_name}: console errors {errors}")
        if broken:
            problems.append(f"{page_name}: images not loaded {broken}")
        for needle, what in BAD_TEXT:
            if needle in text:
                problems.append(f"{page_name}: {what} on the page")
        if re.search(r"(?<![\w.-])(nan|NaN)(?![\w-])", text):
            problems.append(f"{page_name}: 'nan' on the page")
    assert not problems, "\n".join(problems)


def test_navigation_reaches_every_chapter(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/intro.html", wait_until="networkidle")
    hrefs = page.eval_on_selector_all("nav.bd-links a, .bd-sidebar a", "els => els.map(e => e.href)")
    page.close()
    reached = {re.sub(r"^.*?/(chapters/[\w-]+|intro)\.html.*$", r"\1", h) for h in hrefs}
    for p in PAGES[1:]:
        assert p in reached, f"the navigation does not link {p}"


def test_landing_page_shows_the_scorecard(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}/intro.html", wait_until="networkidle")
    text = page.inner_text("article")
    assert "Reproduction scorecard" in text and "Verdict" in text
    assert "cannot compare (one comparison)" in text or "agrees" in text
    assert "direction_agrees" not in text and "ours_REML" not in text   # reader words, not column names
    assert page.query_selector("#intro-scorecard img") is not None
    page.close()


def landing_layout_problems(page) -> list[str]:
    """On the landing page as loaded in ``page``: the bottom line and the summary-of-findings
    table start within the first screen (at 1280 × 900), the footnotes are not a bulleted list,
    and the rebuild commands wrap rather than scroll sideways."""
    got = page.evaluate("""() => {
      const top = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top : null; };
      const pre = document.querySelector('.rebuild pre');
      return {box: top('.bottom-line'), table: top('article table'), height: window.innerHeight,
              bullets: document.querySelectorAll('.sof-notes li').length,
              notes: document.querySelectorAll('.sof-notes p').length,
              pre: pre ? pre.scrollWidth - pre.clientWidth : null};
    }""")
    problems = []
    if got["box"] is None or got["table"] is None or not got["box"] < got["table"]:
        problems.append(f"no bottom line above the summary of findings ({got})")
    elif page.viewport_size["width"] >= 1280 and got["table"] > 0.85 * got["height"]:
        problems.append(f"the summary of findings starts at {got['table']:.0f} px of a {got['height']} px screen")
    if got["bullets"] or not got["notes"]:
        problems.append(f"footnotes: {got['bullets']} bullets, {got['notes']} paragraphs")
    if got["pre"] is None or got["pre"] > 1:
        problems.append(f"the rebuild commands scroll sideways ({got['pre']} px)")
    return problems


def test_landing_page_one_screen(browser, site_url):
    problems = []
    for width, height in ((1280, 900), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{site_url}/intro.html", wait_until="networkidle")
        problems += [f"{width} px: {p}" for p in landing_layout_problems(page)]
        page.close()
    assert not problems, "\n".join(problems)


def test_no_page_needs_the_network(built_book):
    html_dir = built_book / "_build" / "html"
    external = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)
    offenders = []
    for f in html_dir.rglob("*.html"):
        for m in external.finditer(f.read_text(encoding="utf-8", errors="replace")):
            tag = f.read_text(encoding="utf-8", errors="replace")[m.start():m.start() + 200]
            if 'rel="canonical"' in tag:
                continue
            offenders.append(f"{f.relative_to(html_dir)}: {tag[:120]}")
    for f in (html_dir / "_static").rglob("*.css"):
        for m in re.finditer(r"url\((['\"]?)(?:https?:)?//[^)]*\)", f.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{f.relative_to(html_dir)}: {m.group(0)[:120]}")
    assert not offenders, "pages reference the network:\n" + "\n".join(offenders[:20])
    assert (html_dir / "_static" / "mathjax" / "tex-mml-chtml.js").exists()


def _page_texts(book: Path) -> dict:
    """The article of every page (where glued values show), without the execution-time
    table (reproducibility page) and the search index."""
    out = {}
    html_dir = book / "_build" / "html"
    for f in sorted(html_dir.rglob("*.html")):
        if f.name in ("reproducibility.html", "search.html", "genindex.html"):
            continue
        m = re.search(r"<article.*?</article>", f.read_text(encoding="utf-8"), flags=re.S)
        if m:
            out[str(f.relative_to(html_dir))] = m.group(0)
    return out


def test_two_clean_builds_are_identical(built_book, tmp_path):
    second = copy_book(tmp_path / "again")
    run = build_book(second, "build-determinism.log")
    assert run.returncode == 0, run.stdout[-3000:]
    images = lambda b: {p.name: p.read_bytes() for p in (b / "_build" / "html" / "_images").glob("*")}  # noqa: E731
    a, b = images(built_book), images(second)
    assert a.keys() == b.keys(), "figure files differ between two clean builds"
    assert [n for n in a if a[n] != b[n]] == [], "figures differ byte for byte"
    assert all(b"<dc:date>" not in v for v in a.values()), "dates in figure metadata"
    ta, tb = _page_texts(built_book), _page_texts(second)
    assert len(ta) >= 7 and ta.keys() == tb.keys()
    assert [p for p in ta if ta[p] != tb[p]] == [], "page text (glued values) differs between two clean builds"


def test_a_failing_cell_fails_the_build(tmp_path):
    book = copy_book(tmp_path / "failing")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    text = (book / "intro.md").read_text(encoding="utf-8")
    (book / "intro.md").write_text(text + "\n```{code-cell} ipython3\nraise ValueError('injected failure')\n```\n",
                                   encoding="utf-8")
    run = build_book(book, "build-failing-cell.log")
    assert run.returncode != 0, "a raising cell did not fail the build"
    assert "injected failure" in run.stdout + run.stderr


def test_text_from_data_is_shown_literally(tmp_path):
    book = copy_book(tmp_path / "escaping")
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapters/pfs\nparts:\n  - caption: Trials\n    chapters:\n"
                                   "      - file: trials/index\n        sections:\n          - glob: trials/*\n"
                                   "      - file: chapters/glossary\n      - file: chapters/search\n",   # terms, bibliography
                                   encoding="utf-8")
    for stray in ("intro.md",):
        (book / stray).unlink()
    edit_csv(book / "data" / "trials.csv", "trial_id", "sabr_comet", {"trial_name": "SABR <b>&$x$_y"})
    quote = "Note: with $x$, <b>bold</b>, *a*, `c`, [l](u) and a | bar"
    edit_csv(book / "data" / "outcomes.csv", "trial_id", "sabr_comet", {"quote": lambda q: f"{q} {quote}"})
    run = build_book(book, "build-escaping.log")
    assert run.returncode == 0, run.stdout[-3000:]
    html = (book / "_build" / "html" / "chapters" / "pfs.html").read_text(encoding="utf-8")
    assert "SABR &lt;b&gt;&amp;$x$_y" in html, "the trial name is not escaped in the table"
    assert "SABR <b>&" not in html
    svgs = [p.read_text(encoding="utf-8") for p in (book / "_build" / "html" / "_images").glob("*.svg")]
    assert any("SABR &lt;b&gt;&amp;$x$_y" in s for s in svgs), "the figure does not show the name literally"
    from bs4 import BeautifulSoup

    page = BeautifulSoup((book / "_build" / "html" / "trials" / "sabr-comet.html").read_text(encoding="utf-8"),
                         "html.parser")
    main = page.find("main") or page
    assert main.find("h1").get_text().strip("#\u00b6 \n") == "SABR <b>&$x$_y", "the trial page title is not literal"
    assert any(q.get_text(" ", strip=True).endswith(quote) for q in main.find_all("blockquote")), "the quote is not literal"
    assert not main.find("b") and not main.select("span.math, div.math"), "data text became HTML or math"


def test_the_book_builds_with_the_network_disabled(tmp_path):
    """A clean copy builds inside a network namespace that has only loopback (kernels talk
    to Jupyter over 127.0.0.1): nothing in the build fetches from the network."""
    import shutil as sh
    import subprocess

    from conftest import ARTIFACTS as art, jupyter_book_cmd

    if sh.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        import pytest

        pytest.skip("cannot create a network namespace here (needs root and unshare)")
    book = copy_book(tmp_path / "offline")
    cmd = " ".join(jupyter_book_cmd()) + f" build {book} -W -n --keep-going"
    run = subprocess.run(["unshare", "-n", "sh", "-c", f"ip link set lo up && {cmd}"], capture_output=True, text=True,
                         timeout=1800)
    art.mkdir(parents=True, exist_ok=True)
    (art / "build-offline.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_pages_read_like_a_publication(browser, site_url):
    """At 1280 px: no snake_case code name in the text (after MathJax; code, math and the folded
    package list excluded), no citation typed as text, no table or figure wider than the text
    column and nothing scrolling sideways; at 390 px the page never scrolls sideways."""
    from reading import PAGES as READ, reading_problems

    assert set(PAGES) <= set(READ)
    problems = reading_problems(browser, site_url, READ)
    assert not problems, "\n".join(problems)


def test_the_reading_checks_can_fail():
    from reading import AUTHOR_YEAR, code_names

    assert code_names("see harrow_2022_ijrobp and data/trials.csv, outcomes.csv") == ["harrow_2022_ijrobp"]
    assert code_names("de novo, HR 0.5, p_value.csv") == []
    assert re.search(AUTHOR_YEAR, "as Tierney et al. 2007 showed") and re.search(AUTHOR_YEAR, "Altman & Bland, 2011")
    assert not re.search(AUTHOR_YEAR, "PRISMA 2020 flow, ESTRO 2023")


FILE_LIKE = re.compile(r"\.(?:svg|png|jpe?g|gif|webp)\b|[0-9a-f]{16,}|_images/|^\.{0,2}/", re.I)


def bad_alt_texts(html_dir: Path) -> list[str]:
    """Every <img> of the built site whose alt text is missing, empty, its file name or a path,
    or shows a snake_case name."""
    from bs4 import BeautifulSoup

    from reading import SNAKE

    bad = []
    for f in sorted(html_dir.rglob("*.html")):
        for img in BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser").find_all("img"):
            alt = (img.get("alt") or "").strip()
            if not alt or FILE_LIKE.search(alt) or re.search(SNAKE, alt) or alt == img.get("src"):
                bad.append(f"{f.relative_to(html_dir)}: <img src={img.get('src')!r} alt={alt!r}>")
    return bad


def test_every_figure_has_an_alt_text_that_says_what_it_shows(built_book):
    html_dir = built_book / "_build" / "html"
    assert not bad_alt_texts(html_dir), "images without a meaningful alt text:\n" + "\n".join(bad_alt_texts(html_dir))
    pfs = (html_dir / "chapters" / "pfs.html").read_text(encoding="utf-8")
    assert 'alt="Forest plot of PFS, MDT versus control, grouped by primary cancer"' in pfs


def test_the_alt_text_check_can_fail(tmp_path):
    (tmp_path / "a.html").write_text('<img src="_images/3f2a.svg" alt="../_images/3f2a9b8c7d6e5f4a3b2c1d0e.svg">'
                                     '<img src="x.svg"><img src="y.svg" alt=" "><img src="z.svg" alt="rob_pfs_fig">'
                                     '<img src="ok.svg" alt="Forest plot of OS, MDT versus control">'
                                     '<img src="ok2.svg" alt="Odds ratios per trial (events/patients in each arm)">',
                                     encoding="utf-8")
    assert [b.split("alt=")[1] for b in bad_alt_texts(tmp_path)] == [
        "'../_images/3f2a9b8c7d6e5f4a3b2c1d0e.svg'>", "''>", "''>", "'rob_pfs_fig'>"]
