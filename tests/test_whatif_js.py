"""The what-if panel's JavaScript engine (_static/whatif/meta.js) under Node: against helpers.rma
(rtol 1e-8, atol 1e-10) and R metafor (the reference values, rtol 1e-6, atol 1e-9) on the
reference datasets, its t and normal quantiles against scipy (1e-12), and its number format
against Python's."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import warnings

import numpy as np
import pytest
from scipy import stats

import helpers as h
from conftest import IN_CI, ROOT, close

RUNNER = ROOT / "tests" / "whatif" / "run_meta.mjs"
JS_RTOL, JS_ATOL = 1e-8, 1e-10          # against helpers.rma
JS_FIELDS = ["beta", "se", "ci_lb", "ci_ub", "pi_lb", "pi_ub", "tau2", "I2", "QE", "k"]
METHODS = ("EE", "DL", "HE", "SJ", "PM", "ML", "REML", "EB")


def require_node(which=shutil.which, in_ci: bool = IN_CI) -> str:
    """The node executable; skipped where it is missing, a failure under CI=true."""
    exe = which("node")
    if exe is None:
        msg = "node (Debian package 'nodejs') is needed to test the what-if panel's engine"
        if in_ci:
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def run_js(tmp_path, payload: dict) -> dict:
    node = require_node()
    inp = tmp_path / "whatif-inputs.json"
    inp.write_text(json.dumps(payload), encoding="utf-8")
    run = subprocess.run([node, str(RUNNER), str(inp)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _py_fit(c: dict) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", h.MetaforDeparture)
        r = h.rma(c["yi"], c["vi"], method=c["method"], test=c["test"], level=c.get("level", 95))
    p = r.predict(pi=c.get("pi", "metafor"))
    return {"beta": r.beta, "se": r.se, "ci_lb": r.ci_lb, "ci_ub": r.ci_ub, "pi_lb": p["pi_lb"], "pi_ub": p["pi_ub"],
            "tau2": r.tau2, "I2": r.I2, "QE": r.QE, "k": r.k, "stepadj": r.stepadj, "pm_beyond": r.pm_beyond_tau2_max}


def _datasets(reference) -> dict[str, dict]:
    """The reference datasets, the damped-scoring case, the book's PFS and OS inputs and seeded
    simulated data up to k = 50 (homogeneous and heterogeneous)."""
    out = {name: {"yi": ds["yi"], "vi": ds["vi"]} for name, ds in reference["datasets"].items()}
    out["damped"] = reference["damped"]["data"]
    from helpers.review.whatif import whatif_input

    R = h.load_results()
    for oc in ("PFS", "OS"):
        comps = whatif_input(R.efficacy[oc])["comparisons"]
        out[f"book_{oc}"] = {"yi": [c["yi"] for c in comps], "vi": [c["vi"] for c in comps]}
    rng = np.random.default_rng(20260101)
    for k in (2, 3, 5, 12, 30, 50):
        for tau in (0.0, 0.3):
            vi = rng.uniform(0.01, 0.3, k)
            yi = rng.normal(-0.4, np.sqrt(vi + tau**2))
            out[f"sim_k{k}_tau{tau}"] = {"yi": yi.tolist(), "vi": vi.tolist()}
    return out


def _max_diff(ours: dict, ref: dict) -> tuple[float, float]:
    """(max absolute, max relative) difference over the fields both give as numbers."""
    ab = rel = 0.0
    for f in JS_FIELDS:
        a, b = ours.get(f), ref.get(f)
        if a is None or b is None:
            continue
        d = abs(float(a) - float(b))
        ab, rel = max(ab, d), max(rel, d / abs(float(b)) if b else 0.0)
    return ab, rel


def test_js_engine_matches_helpers_rma(tmp_path, reference):
    cases = [{**data, "method": m, "test": t, "pi": pi, "name": name}
             for name, data in _datasets(reference).items() for m in METHODS for t in h.TESTS
             for pi in ("metafor", "riley")]
    cases += [{**reference["datasets"]["bcg"], "method": "REML", "test": t, "level": lv, "name": f"bcg level {lv}"}
              for t in h.TESTS for lv in (80, 90, 99)]
    js = run_js(tmp_path, {"fits": cases})["fits"]
    worst = [0.0, 0.0]
    for c, ours in zip(cases, js):
        what = f"{c['name']} {c['method']} {c['test']} pi={c.get('pi')} level={c.get('level', 95)}"
        assert "error" not in ours, f"{what}: {ours.get('error')}"
        ref = _py_fit(c)
        for f in JS_FIELDS:
            if ref[f] is None:
                assert ours[f] is None, f"{what} {f}: helpers gives none, JS {ours[f]}"
                continue
            np.testing.assert_allclose(ours[f], ref[f], rtol=JS_RTOL, atol=JS_ATOL, err_msg=f"{what} {f}")
        assert ours["stepadj"] == ref["stepadj"] and ours["pm_beyond"] == ref["pm_beyond"], what
        worst = [max(a, b) for a, b in zip(worst, _max_diff(ours, ref))]
    assert len(cases) > 500
    print(f"\nJS vs helpers.rma: {len(cases)} fits, max abs diff {worst[0]:.3g}, max rel diff {worst[1]:.3g}")


def test_js_engine_matches_metafor(tmp_path, reference):
    fits = reference["fits"]
    cases = [{**reference["datasets"][c["dataset"]], "method": c["method"], "test": c["test"], "key": key}
             for key, c in fits.items()]
    damped = reference["damped"]
    cases += [{**damped["data"], "method": m, "test": "z", "key": f"damped {m}"} for m in ("REML", "ML")]
    js = run_js(tmp_path, {"fits": cases})["fits"]
    worst = [0.0, 0.0]
    for c, ours in zip(cases, js):
        key = c["key"]
        if key.startswith("damped"):
            ref = damped[c["method"]]
            pred = {}
        else:
            ref, pred = fits[key]["fit"], fits[key]["predict"]
        for f in ("beta", "se", "ci_lb", "ci_ub", "tau2", "I2", "QE", "k"):
            close(ours[f], ref[f], f"{key} {f}")
        for f in ("pi_lb", "pi_ub"):
            if f in pred:
                close(ours[f], pred[f], f"{key} {f}")
        rf = {**ref, **{f: pred.get(f) for f in ("pi_lb", "pi_ub")}}
        worst = [max(a, b) for a, b in zip(worst, _max_diff(ours, rf))]
    assert len(cases) >= 120
    print(f"\nJS vs metafor: {len(cases)} fits, max abs diff {worst[0]:.3g}, max rel diff {worst[1]:.3g}")


QS = [1e-12, 1e-8, 1e-6, 1e-4, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.4999, 0.5, 0.6, 0.975]
DFS = [*range(1, 61), 75, 100, 150, 200, 500, 1000, 10_000, 100_000, 2.5, 7.5]


def test_quantiles_match_scipy(tmp_path):
    """Upper t and normal quantiles (scipy's t.isf and norm.isf) to 1e-12 (relative above 1)."""
    tq = [[q, df] for q in QS for df in DFS]
    js = run_js(tmp_path, {"t": tq, "norm": QS})
    ref_t = np.array([stats.t.isf(q, df) for q, df in tq])
    err_t = np.abs(np.array(js["t"]) - ref_t) / np.maximum(1, np.abs(ref_t))
    ref_n = stats.norm.isf(QS)
    err_n = np.abs(np.array(js["norm"]) - ref_n) / np.maximum(1, np.abs(ref_n))
    worst = int(np.argmax(err_t))
    assert err_t.max() <= 1e-12, f"t quantile off by {err_t.max():.3g} at q, df = {tq[worst]}"
    assert err_n.max() <= 1e-12, f"normal quantile off by {err_n.max():.3g}"
    print(f"\nquantiles vs scipy: t max error {err_t.max():.3g}, normal {err_n.max():.3g}")


def test_numbers_are_written_as_python_writes_them(tmp_path):
    """Exact binary ties round half to even, as Python's format (JS toFixed: 0.125 -> 0.13)."""
    ties = [0.125, 0.375, 0.625, 0.875, -0.125, 2.5, 0.5, 1.5, -2.5, 0.0625, 1.125, 1000.125, 0.25, 0.75]
    near = [2.675, 1.005, 0.045, 1.455, 0.615, 0.035, 8.345, 1e-7, 123456.789, 0.0, -0.0, -0.001, 5e-324, 1e22,
            0.49999999999999994, 0.1 + 0.2]
    rng = np.random.default_rng(7)
    rand = list(np.round(rng.uniform(-3, 3, 200), 3)) + list(rng.uniform(0, 100, 100))
    cases = [[float(x), d] for x in ties + near + rand for d in (0, 1, 2, 3)]
    js = run_js(tmp_path, {"fmt": cases})["fmt"]
    bad = [(x, d, ours, format(x, f".{d}f")) for (x, d), ours in zip(cases, js) if ours != format(x, f".{d}f")]
    assert not bad, bad[:10]
    assert format(0.125, ".2f") == "0.12" and js[cases.index([0.125, 2])] == "0.12"


def test_missing_node_skips_here_and_fails_in_ci():
    with pytest.raises(pytest.skip.Exception):
        require_node(which=lambda _: None, in_ci=False)
    with pytest.raises(pytest.fail.Exception):
        require_node(which=lambda _: None, in_ci=True)


def test_the_panel_default_is_the_glued_analysis(tmp_path):
    """The payload is the pooled comparisons the page glues, and the JS fit of it with the book's
    settings prints the glued HR, PI, tau² and I² (the browser test checks the page itself)."""
    from helpers.review.efficacy import efficacy_glue_values
    from helpers.review.whatif import whatif_input

    R = h.load_results()
    for oc in ("PFS", "OS"):
        rep = R.efficacy[oc]
        payload = whatif_input(rep)
        s = payload["settings"]
        assert (s["method"], s["test"], s["level"], s["pi"]) == (R.settings.method, R.settings.test,
                                                                  R.settings.level, R.settings.pi)
        comps = payload["comparisons"]
        assert [c["id"] for c in comps] == list(rep.pooled["trial_id"])
        assert [c["label"] for c in comps] == list(rep.pooled["trial"])
        assert json.loads(json.dumps(payload)) == payload   # plain JSON
        fit = run_js(tmp_path, {"fits": [{"yi": [c["yi"] for c in comps], "vi": [c["vi"] for c in comps],
                                          "method": s["method"], "test": s["test"], "level": s["level"],
                                          "pi": s["pi"]}],
                                "fmt": []})["fits"][0]
        glued = efficacy_glue_values(rep)
        hr = h.fmt_ratio(math.exp(fit["beta"]), math.exp(fit["ci_lb"]), math.exp(fit["ci_ub"]))
        assert hr == glued["hr_ci"]
        assert h.fmt_ci(math.exp(fit["pi_lb"]), math.exp(fit["pi_ub"])) == glued["pi"]
        assert h.fmt_num(fit["tau2"], 3) == glued["tau2"] and f"{fit['I2']:.0f}%" == glued["I2"]
        assert fit["k"] == rep.res.k


# --------------------------------------------------------------------------- what a reader sees in the panel
def test_names_wrap_in_the_panel_forest_never_cut(tmp_path):
    from bs4 import BeautifulSoup

    from helpers.review.whatif import whatif_input

    wrap = run_js(tmp_path, {"wrap": [["MD Anderson LCT trial (NCT01725165)", 22], ["Supercalifragilisticexpialidocious x", 10],
                                      ["", 22], ["a  b", 22]]})["wrap"]
    assert wrap == [["MD Anderson LCT trial", "(NCT01725165)"], ["Supercalifragilisticexpialidocious", "x"], [""],
                    ["a b"]]
    R = h.load_results()
    comps = whatif_input(R.efficacy["PFS"])["comparisons"]
    rows = [{"label": c["label"], "yi": c["yi"], "vi": c["vi"]} for c in comps]
    svg = run_js(tmp_path, {"svg": [{"rows": rows, "z": 1.96, "fit": {"yi": [c["yi"] for c in comps],
                                                                       "vi": [c["vi"] for c in comps],
                                                                       "method": "REML", "test": "z"}}]})["svg"][0]
    soup = BeautifulSoup(svg, "html.parser")
    labels = [t for t in soup.find_all("text") if t.get("class") == ["wf-label"]]
    assert len(labels) == len(comps)
    spans = []
    for t, c in zip(labels, comps):
        lines = [s.get_text() for s in t.find_all("tspan")]
        assert " ".join(lines) == c["label"] and "\u2026" not in "".join(lines)      # whole, in order
        assert all(len(ln) <= 22 or " " not in ln for ln in lines)
        spans.append([float(s["y"]) for s in t.find_all("tspan")])
    # rows grow with their lines: no line of one name reaches the next name's first line
    assert all(a[-1] + 10 <= b[0] for a, b in zip(spans, spans[1:]))
    # each box sits at the middle of its name's lines
    boxes = [float(r["y"]) + float(r["height"]) / 2 for r in soup.find_all("rect")]
    assert [round(b, 0) for b in boxes] == [round((s[0] + s[-1]) / 2 - 4, 0) for s in spans]


def test_filters_that_select_fewer_than_two_comparisons_are_off(tmp_path):
    comps = [{"low_rob": False, "reported": True, "full_text": True}, {"low_rob": False, "reported": True,
                                                                        "full_text": False}]
    states = run_js(tmp_path, {"filters": [comps]})["filters"][0]
    assert [(f["name"], f["n"], f["disabled"]) for f in states] == [("low-rob", 0, True), ("reported", 2, False),
                                                                    ("full-text", 1, True)]
    assert states[0]["reason"] == "No comparison is at low risk of bias overall: nothing to pool."
    assert states[2]["reason"] == "Only one comparison comes from a full paper: nothing to pool."
    assert states[1]["reason"] == ""


@pytest.fixture()
def panel_page(tmp_path):
    """A page holding the PFS panel as the book writes it, served over http with the module (no book build)."""
    import functools
    import http.server
    import threading

    from helpers.review.whatif import whatif_input
    from helpers.show.whatif import whatif_panel

    R = h.load_results()
    payload = whatif_input(R.efficacy["PFS"])
    (tmp_path / "whatif").mkdir()
    shutil.copy(ROOT / "_static" / "whatif" / "meta.js", tmp_path / "whatif" / "meta.js")
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        f"{whatif_panel(payload).data}"
        '<script type="module" src="whatif/meta.js"></script></body></html>', encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", R, payload
    server.shutdown()


def test_panel_shows_the_pi_alone_wraps_names_and_switches_off_empty_filters(browser, panel_page):
    url, R, payload = panel_page
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("[data-whatif-ready]", timeout=10_000)
    rep = R.efficacy["PFS"]
    pred = rep.res.predict(pi=R.settings.pi)
    # the prediction interval alone: "0.31–0.81", never the estimate before it
    assert page.inner_text('[data-whatif="pi"]').strip() == h.fmt_ci(math.exp(pred["pi_lb"]), math.exp(pred["pi_ub"]))
    # no name in the small forest is cut
    shown = page.eval_on_selector_all(".whatif-svg text.wf-label:not(.wf-pooled)",
                                      "els => els.map(e => Array.from(e.querySelectorAll('tspan'))"
                                      ".map(s => s.textContent).join(' '))")
    assert shown == [c["label"] for c in payload["comparisons"]]
    # a filter that would tick no comparison (PFS: none at low risk of bias) is off, and says why
    n_low = sum(c["low_rob"] for c in payload["comparisons"])
    button = page.locator('[data-filter="low-rob"]')
    if n_low < 2:
        assert button.is_disabled() and "nothing to pool" in button.get_attribute("title")
        why = page.inner_text(".whatif-filter-why")
        assert "low risk of bias" in why and "nothing to pool" in why
        button.click(force=True)                      # a click on it changes nothing
        assert page.inner_text('[data-whatif="k"]').strip() == str(rep.res.k)
    for f in ("reported", "full-text"):
        n = sum(c[{"reported": "reported", "full-text": "full_text"}[f]] for c in payload["comparisons"])
        assert page.locator(f'[data-filter="{f}"]').is_disabled() == (n < 2)
    assert not errors, errors
    page.close()
