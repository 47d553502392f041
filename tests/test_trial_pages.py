"""The page per trial: written from data/ at build time (``helpers.review.trial_pages`` and
``_ext/trial_pages.py``), one per assessed trial group, every data string shown literally,
written only when changed, and every link to a trial page resolves."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT

from helpers.review.trial_pages import md_escape, md_link, trial_pages, write_trial_pages
from helpers.show.labels import trial_page_name, trial_page_url

_CODE = re.compile(r"(?<![\w./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.@-])")


# --------------------------------------------------------------------------- escaping (no build)
def _render(text: str) -> str:
    """``text`` rendered as the book's MyST parser renders it (same extensions), as plain text."""
    from bs4 import BeautifulSoup
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    md = create_md_parser(MdParserConfig(enable_extensions={"amsmath", "dollarmath", "colon_fence", "deflist",
                                                            "substitution"}), RendererHTML)
    html = md.render(text)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find(["b", "em", "strong", "code", "a", "table", "h1", "ol", "ul"]) and "math" not in html, html
    return soup.get_text().strip()


@pytest.mark.parametrize("text", [
    "$x$ and $$y$$", "<b>bold</b> & <script>x</script>", "*a* _b_ __c__ **d**", "`code` and ``more``",
    "[link](http://x) ![img](y.png)", "a | b | c", "{cite}`palma2019` {{ sub }}", "1. not a list",
    "# not a heading", "back\\slash \\$ and \\*", "50% ~strike~ ^sup^ :colon: &amp; &#36;",
    "- dash", "> not a quote", "line\nbreak",
])
def test_data_strings_render_literally(text):
    assert _render(md_escape(text)) == " ".join(text.split())


def test_escaping_keeps_a_table_cell_whole():
    from bs4 import BeautifulSoup
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    cell = md_escape("a | b $x$")
    soup = BeautifulSoup(md.render(f"| h |\n|---|\n| {cell} |\n"), "html.parser")
    assert [td.get_text() for td in soup.find_all("td")] == ["a | b $x$"]


def test_a_link_keeps_its_address_and_escapes_its_text():
    assert md_link("A *b*", "https://doi.org/10.1016/S0140-6736(18)32487-5") == \
        "[A \\*b\\*](https://doi.org/10.1016/S0140-6736%2818%2932487-5)"
    assert md_link("plain", None) == "plain"
    assert md_escape(None) == "\u2014"


def test_page_names_and_addresses():
    assert trial_page_name("sabr_comet") == "sabr-comet"
    assert trial_page_name("NCT04646564_breast") == "nct04646564-breast"
    assert trial_page_url("sabr_comet") == "../trials/sabr-comet.html"


# --------------------------------------------------------------------------- the writer (no build)
@pytest.fixture(scope="module")
def pages():
    from helpers.review.results import load_results

    return trial_pages(load_results(ROOT))


def test_one_page_per_assessed_trial_group(pages):
    from helpers.review.results import load_results

    res = load_results(ROOT)
    groups = set(res.review.trials["trial_group"])
    assert set(pages) == {trial_page_name(g) for g in groups} | {"index"}
    for g in groups:
        assert pages[trial_page_name(g)].startswith(f"# {md_escape(res.labels.group(g))}\n")
        assert f"]({trial_page_name(g)}.md)" in pages["index"]
    assert "```{code-cell" not in "".join(pages.values())


def test_included_pages_show_every_section(pages):
    page = pages["sabr-comet"]
    for heading in ("## Design and arms", "## Classification", "## Outcomes", "## Adverse events",
                    "## Risk of bias (RoB 2)", "## Records"):
        assert heading in page
    assert "pooled in the primary analysis of PFS" in page
    assert "Excluded from the review." in pages["halt"]


def test_writing_is_idempotent_and_removes_gone_trials(tmp_path):
    folder = tmp_path / "trials"
    first = write_trial_pages({"index": "# Trials\n", "a": "# A\n", "b": "# B\n"}, folder)
    assert first == {"written": ["a", "b", "index"], "deleted": []}
    stamp = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    os.utime(folder / "a.md", ns=(1, 1))            # an mtime a rewrite would change
    again = write_trial_pages({"index": "# Trials\n", "a": "# A\n", "b": "# B\n"}, folder)
    assert again == {"written": [], "deleted": []}
    assert (folder / "a.md").stat().st_mtime_ns == 1
    assert (folder / "b.md").stat().st_mtime_ns == stamp["b.md"]
    gone = write_trial_pages({"index": "# Trials\n", "a": "# A changed\n"}, folder)
    assert gone == {"written": ["a"], "deleted": ["b"]}
    assert sorted(p.name for p in folder.glob("*.md")) == ["a.md", "index.md"]


def test_the_extension_recomputes_only_when_the_inputs_change(tmp_path, monkeypatch):
    import shutil

    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import trial_pages as ext
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    book = tmp_path / "book"
    for part in ("data", "helpers"):
        shutil.copytree(ROOT / part, book / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    done = ext.write_pages(book)
    assert "index" in done["written"] and len(done["written"]) > 30
    mtimes = {p.name: p.stat().st_mtime_ns for p in (book / "trials").glob("*.md")}

    def no_results(*a, **k):
        raise AssertionError("results recomputed although the inputs did not change")
    import helpers.review.results as results
    monkeypatch.setattr(results, "load_results", no_results)
    assert ext.write_pages(book) == {"written": [], "deleted": []}
    assert mtimes == {p.name: p.stat().st_mtime_ns for p in (book / "trials").glob("*.md")}


# --------------------------------------------------------------------------- the built book
def _html(built_book: Path) -> Path:
    return built_book / "_build" / "html"


def test_every_assessed_trial_has_a_page_after_a_build(built_book):
    from bs4 import BeautifulSoup

    from helpers.review.data import load_review
    from helpers.review.labels import reader_labels

    review = load_review(built_book / "data")
    labels = reader_labels(review)
    for g in set(review.trials["trial_group"]):
        page = _html(built_book) / "trials" / f"{trial_page_name(g)}.html"
        assert page.is_file(), f"no page for {g}"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.find("h1").get_text().strip("#¶ \n") == labels.group(g)
        text = (soup.find("main") or soup).get_text(" ")
        assert not _CODE.findall(text), f"code names on the page of {g}: {_CODE.findall(text)[:5]}"


def test_every_link_to_a_trial_page_resolves(built_book):
    from bs4 import BeautifulSoup

    html = _html(built_book)
    trials = (html / "trials").resolve()
    found = 0
    for page in html.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for a in soup.find_all("a", href=True):
            url = urlsplit(a["href"])
            if url.scheme or url.netloc or not url.path:
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not target.is_relative_to(trials):
                continue
            assert target.is_file(), f"{page.relative_to(html)} links to a missing trial page {a['href']}"
            found += 1
    assert found > 100

    pfs = BeautifulSoup((html / "chapters" / "pfs.html").read_text(encoding="utf-8"), "html.parser")
    linked = {a.get_text() for a in pfs.select("table a[href^='../trials/']")}
    assert "SABR-COMET" in linked and "STOMP" in linked
    caption = pfs.find(id="pfs-forest").find("figcaption")
    assert {a.get_text() for a in caption.find_all("a")} >= {"SABR-COMET", "STOMP"}, "the forest caption links no trial"


# --------------------------------------------------------------------------- order of the index and the sidebar
def _ext():
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import trial_pages as ext
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    return ext


def test_the_index_lists_included_then_excluded_each_alphabetically(pages):
    from helpers.review.results import load_results
    from helpers.review.trial_pages import _reader_order, index_order

    res = load_results(ROOT)
    t = res.review.trials
    included = set(t.loc[t["included"] == "yes", "trial_group"])
    by_page = {trial_page_name(g): g for g in set(t["trial_group"])}
    inc_part, exc_part = pages["index"].split("## Excluded")
    inc, exc = index_order(inc_part), index_order(exc_part)
    assert {by_page[n] for n in inc} == included and not {by_page[n] for n in exc} & included
    assert len(inc) + len(exc) == len(by_page)
    for part in (inc, exc):
        names = [res.labels.group(by_page[n]) for n in part]
        assert names == sorted(names, key=_reader_order), names
    # the reader's complaint: "Wuhan" (peng-2023) was listed between PEACE and PulMiCC, "MWA …" last
    assert inc[-1] == "peng-2023" and exc.index("wei-mwa-nsclc") < exc.index("northstar")
    assert _reader_order("\u00c9tude") < _reader_order("Fable") and _reader_order("abc") < _reader_order("ABD")


def test_the_sidebar_follows_the_index(pages):
    from sphinx_external_toc.parsing import parse_toc_yaml

    from helpers.review.trial_pages import index_order

    from helpers.review.trial_pages import index_excluded, page_title

    site_map = parse_toc_yaml(ROOT / "_toc.yml")
    assert "trials/*" in site_map.globs()                      # _toc.yml keeps its glob; the build orders it
    found = sorted(pages) + ["zz-stray"]
    titles = {n: page_title(text) for n, text in pages.items()}
    listed = _ext().order_trials(site_map, pages["index"], found, titles)
    want = [f"trials/{n}" for n in index_order(pages["index"])] + ["trials/zz-stray"]
    assert listed == want
    assert [str(i) for tree in site_map["trials/index"].subtrees for i in tree.items] == want
    assert not site_map.globs() and all(site_map[d].docname == d for d in want)
    # an excluded trial's entry says so; an included one keeps its page title
    excluded = index_excluded(pages["index"])
    assert excluded and "halt" in excluded and "sabr-comet" not in excluded
    assert site_map["trials/halt"].title == "HALT (excluded)" and site_map["trials/sabr-comet"].title is None
    assert titles["nrg-br002"] == "NRG-BR002"                  # the MyST escapes dropped
    # titles only, hidden toctree: the options of the glob's toctree are kept
    before = parse_toc_yaml(ROOT / "_toc.yml")["trials/index"].subtrees[0]
    after = site_map["trials/index"].subtrees[0]
    assert (after.hidden, after.titlesonly, after.maxdepth) == (before.hidden, before.titlesonly, before.maxdepth)
    # no glob, nothing done
    assert _ext().order_trials(site_map, pages["index"], found) == []


def test_the_built_sidebar_lists_trials_as_the_index_does(built_book):
    from bs4 import BeautifulSoup

    from helpers.review.trial_pages import index_excluded, index_order

    index_md = (built_book / "trials" / "index.md").read_text(encoding="utf-8")
    soup = BeautifulSoup((_html(built_book) / "trials" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [(a["href"], a.get_text(" ", strip=True)) for a in soup.select(".bd-sidenav a.reference.internal")
             if not a["href"].startswith(("../", "#", "index.html"))]     # (one list per part of the book)
    assert [h.removesuffix(".html") for h, _ in links] == index_order(index_md)
    excluded = set(index_excluded(index_md))
    assert all(text.endswith("(excluded)") == (h.removesuffix(".html") in excluded) for h, text in links)
