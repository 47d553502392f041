"""The "what if" panel on the built PFS and OS pages, in headless Chromium over http: it opens on
the numbers glued on the page, follows helpers.leave1out when one comparison is unticked and
helpers.rma when the model changes, its filters and reset work, it fits a phone, and opened as a
file it leaves its notice in place."""
from __future__ import annotations

import math

import pytest

import helpers as h
from helpers.review.efficacy import efficacy_glue_values

OUTPUTS = ("hr", "pi", "tau2", "I2", "k")
PAGES = {"PFS": "chapters/pfs", "OS": "chapters/os"}


@pytest.fixture(scope="module")
def results(built_book):
    return h.load_results(built_book)


def _open(browser, url, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("[data-whatif-ready]", timeout=10_000)
    return page, errors


def _outputs(page) -> dict:
    return {k: page.inner_text(f'[data-whatif="{k}"]').strip() for k in OUTPUTS}


def _expected(fit, pi=None) -> dict:
    out = {"hr": h.fmt_ratio(math.exp(fit["estimate"]), math.exp(fit["ci_lb"]), math.exp(fit["ci_ub"])),
           "tau2": h.fmt_num(fit["tau2"], 3), "I2": f"{fit['I2']:.0f}%", "k": str(fit["k"])}
    if pi is not None:
        out["pi"] = pi
    return out


@pytest.mark.parametrize("outcome", PAGES)
def test_panel_opens_on_the_glued_analysis_and_follows_leave1out(browser, site_url, results, outcome):
    rep = results.efficacy[outcome]
    glued = efficacy_glue_values(rep)
    page, errors = _open(browser, f"{site_url}/{PAGES[outcome]}.html")
    default = _outputs(page)
    pi = glued["pi"]   # the interval alone (lb–ub), as the page prints it: no estimate before it
    assert default == {"hr": glued["hr_ci"], "pi": pi, "tau2": glued["tau2"], "I2": glued["I2"],
                       "k": glued["k"]}
    article = page.inner_text("article")
    assert f"The pooled HR is {glued['hr_ci']}" in article   # the same string as the page's prose
    assert page.locator("input[type=checkbox][data-comparison]").count() == rep.res.k
    assert page.locator(".whatif-svg rect").count() == rep.res.k

    loo = h.leave1out(rep.res)
    for i, tid in enumerate(rep.pooled["trial_id"]):
        box = page.locator(f'input[type=checkbox][data-comparison="{tid}"]')
        box.click()
        row = loo.iloc[i]
        want = _expected({"estimate": row["estimate"], "ci_lb": row["ci_lb"], "ci_ub": row["ci_ub"],
                          "tau2": row["tau2"], "I2": row["I2"], "k": rep.res.k - 1})
        got = _outputs(page)
        assert {k: got[k] for k in want} == want, f"{outcome} without {tid}"
        box.click()
        assert _outputs(page) == default
    assert not errors, errors
    page.close()


def test_estimator_test_filters_and_reset(browser, site_url, results):
    rep = results.efficacy["PFS"]
    s = results.settings
    page, errors = _open(browser, f"{site_url}/chapters/pfs.html")
    default = _outputs(page)
    yi, vi = rep.pooled["yi"].to_numpy(float), rep.pooled["vi"].to_numpy(float)
    for method, test in (("DL", "z"), ("PM", "knha"), ("EE", "z"), ("REML", "z")):
        page.select_option("select[data-estimator]", method)
        page.select_option("select[data-test]", test)
        fit = h.rma(yi, vi, method=method, test=test, level=s.level)
        pred = fit.predict(pi=s.pi)
        pi = h.fmt_ci(math.exp(pred["pi_lb"]), math.exp(pred["pi_ub"])) if pred["pi_lb"] is not None else None
        want = _expected({"estimate": fit.beta, "ci_lb": fit.ci_lb, "ci_ub": fit.ci_ub, "tau2": fit.tau2,
                          "I2": fit.I2, "k": fit.k}, pi)
        got = _outputs(page)
        assert {k: got[k] for k in want} == want, f"{method}, {test}"
    page.click("[data-whatif-reset]")
    assert _outputs(page) == default
    assert page.input_value("select[data-estimator]") == s.method and page.input_value("select[data-test]") == s.test

    flags = {"reported": rep.pooled["derivation"] == "reported", "low-rob": rep.pooled["rob_overall"] == "low",
             "full-text": rep.pooled["record_type"].isin(["full paper", "long-term update"])}
    for name, mask in flags.items():
        if mask.sum() < 2:        # it would pool nothing: off, with its reason on hover and under the buttons
            button = page.locator(f'[data-filter="{name}"]')
            assert button.is_disabled() and "nothing to pool" in button.get_attribute("title")
            assert button.get_attribute("title") in page.inner_text(".whatif-filter-why")
            continue
        page.click(f'[data-filter="{name}"]')
        ticked = page.eval_on_selector_all("input[data-comparison]", "els => els.filter(e => e.checked)"
                                                                      ".map(e => e.dataset.comparison)")
        assert ticked == list(rep.pooled.loc[mask, "trial_id"]), name
        assert _outputs(page)["k"] == str(int(mask.sum()))
        fit = h.rma(yi[mask.to_numpy()], vi[mask.to_numpy()], method=s.method, test=s.test, level=s.level)
        assert _outputs(page)["hr"] == h.fmt_ratio(math.exp(fit.beta), math.exp(fit.ci_lb), math.exp(fit.ci_ub))
    page.click("[data-whatif-reset]")
    assert _outputs(page) == default
    text = page.inner_text("[data-whatif-root]")
    assert "_" not in text and "nan" not in text.lower().split()   # reader words only
    assert not errors, errors
    page.close()


def test_panel_fits_a_phone(browser, site_url):
    page, errors = _open(browser, f"{site_url}/chapters/pfs.html", width=390)
    widths = page.evaluate("() => { const r = document.querySelector('.whatif-panel').getBoundingClientRect();"
                           " return [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                           " r.right, r.left]; }")
    scroll_w, client_w, right, left = widths
    assert scroll_w <= client_w, f"the page scrolls sideways at 390 px ({scroll_w} > {client_w})"
    assert left >= 0 and right <= client_w
    assert not errors, errors
    page.close()


def test_opened_as_a_file_the_notice_stays(browser, built_book):
    page = browser.new_page()
    page.goto((built_book / "_build" / "html" / "chapters" / "pfs.html").as_uri(), wait_until="load")
    page.wait_for_timeout(500)
    assert page.query_selector("[data-whatif-ready]") is None
    notice = page.inner_text("[data-whatif-root] .whatif-notice")
    assert "served over http" in notice and "http.server" in notice
    page.close()


def test_module_only_on_pages_with_a_panel(built_book):
    html_dir = built_book / "_build" / "html"
    assert (html_dir / "_static" / "whatif" / "meta.js").is_file()
    assert (html_dir / "_static" / "whatif" / "package.json").is_file()
    for f in html_dir.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        has_panel = "data-whatif-input" in text
        assert ('<script type="module" src="' in text and "whatif/meta.js" in text) == has_panel, f.name
        assert text.count("whatif/meta.js") == (1 if has_panel else 0), f.name
    assert {f.name for f in html_dir.rglob("*.html") if "data-whatif-input" in f.read_text(encoding="utf-8")} \
        == {"pfs.html", "os.html"}
