"""Speed of the "what if" panel (_static/whatif/meta.js) in headless Chromium: one change (a click
on a comparison's checkbox, an estimator or a test) must update every output and the forest
plot in under 16 ms for k <= 50.

    python bench/whatif_speed.py              # measures, writes bench/whatif_speed.json and the
                                              # "What-if panel speed" section of bench/README.md
    python bench/whatif_speed.py --no-readme  # measures and prints only

It serves a page with the book's custom.css and one panel mounted with ``mount(root, input)`` on
k = 50 simulated comparisons (seeded), and times ``performance.now()`` around ``el.click()`` (for
the selects: setting the value and dispatching ``change``); the panel updates synchronously in its
change handler, so the time covers the whole update (fit, text and SVG), not layout or paint.
Not part of CI."""
from __future__ import annotations

import functools
import http.server
import json
import platform
import shutil
import sys
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "bench" / "README.md"
RESULT = ROOT / "bench" / "whatif_speed.json"
START, END = "<!-- whatif-speed:start -->", "<!-- whatif-speed:end -->"
BUDGET_MS = 16.0
KS = (14, 50)
ROUNDS = 60          # clicks per kind of change and k
SEED = 20260101

PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="custom.css">
<title>what-if speed</title></head><body><div style="max-width:750px"><div id="root"></div></div>
<script type="module">
import { mount } from "./whatif/meta.js";
window.mountPanel = (input) => { const r = document.getElementById("root"); mount(r, input); return true; };
window.benchReady = true;
</script></body></html>"""

MEASURE = """([rounds]) => {
  const root = document.getElementById("root");
  const boxes = [...root.querySelectorAll("input[type=checkbox][data-comparison]")];
  const est = root.querySelector("select[data-estimator]"), test = root.querySelector("select[data-test]");
  const out = {checkbox: [], estimator: [], test: []};
  const time = (f) => { const t0 = performance.now(); f(); return performance.now() - t0; };
  for (let i = 0; i < rounds; i++) {
    const b = boxes[(i * 7) % boxes.length];
    out.checkbox.push(time(() => b.click()));
    out.checkbox.push(time(() => b.click()));
    const m = ["DL", "PM", "EE", "REML"][i % 4];
    out.estimator.push(time(() => { est.value = m; est.dispatchEvent(new Event("change", {bubbles: true})); }));
    const t = ["z", "knha", "adhoc"][i % 3];
    out.test.push(time(() => { test.value = t; test.dispatchEvent(new Event("change", {bubbles: true})); }));
  }
  const k = root.querySelector('[data-whatif="k"]').textContent;
  return {times: out, k};
}"""


def simulated_input(k: int, seed: int = SEED) -> dict:
    """A panel input like the pages' (helpers.review.whatif.whatif_input) with k comparisons."""
    rng = np.random.default_rng(seed + k)
    vi = rng.uniform(0.02, 0.3, k)
    yi = rng.normal(-0.5, np.sqrt(vi + 0.05))
    comps = [{"id": f"trial{i}", "label": f"Simulated trial {i + 1}", "yi": float(y), "vi": float(v),
              "low_rob": bool(i % 3 == 0), "reported": bool(i % 4 != 0), "full_text": bool(i % 2 == 0)}
             for i, (y, v) in enumerate(zip(yi, vi))]
    return {"outcome": "PFS", "settings": {"method": "REML", "test": "adhoc", "level": 95.0, "pi": "riley"},
            "labels": {}, "comparisons": comps}


def measure() -> dict:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        sys.exit("headless Chromium (Debian package 'chromium') is needed")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copytree(ROOT / "_static" / "whatif", site / "whatif")
        shutil.copy(ROOT / "_static" / "custom.css", site / "custom.css")
        (site / "index.html").write_text(PAGE, encoding="utf-8")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                 functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=exe, headless=True,
                                            args=["--no-sandbox", "--disable-gpu"])
                version = browser.version
                for k in KS:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.goto(url, wait_until="networkidle")
                    page.wait_for_function("window.benchReady === true")
                    page.evaluate("(input) => window.mountPanel(input)", simulated_input(k))
                    assert page.inner_text('[data-whatif="k"]') == str(k)
                    page.evaluate(MEASURE, [10])                          # warm-up (JIT)
                    page.evaluate("() => document.querySelector('[data-whatif-reset]').click()")
                    res = page.evaluate(MEASURE, [ROUNDS])
                    page.close()
                    for kind, t in res["times"].items():
                        t = np.asarray(t)
                        rows.append({"k": k, "change": kind, "n": int(t.size), "median_ms": float(np.median(t)),
                                     "p95_ms": float(np.percentile(t, 95)), "max_ms": float(t.max())})
                browser.close()
        finally:
            server.shutdown()
    return {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "chromium": version,
            "machine": f"{platform.machine()}, {platform.system()} {platform.release()}, "
                       f"Python {platform.python_version()}", "budget_ms": BUDGET_MS, "rows": rows}


def section(result: dict) -> str:
    worst = max(r["max_ms"] for r in result["rows"] if r["k"] <= 50)
    lines = [START, "## What-if panel speed", "",
             "Not part of CI. `python bench/whatif_speed.py` mounts one panel (`mount(root, input)` of",
             "`_static/whatif/meta.js`) on seeded simulated comparisons in headless Chromium, served over http,",
             "and times `performance.now()` around each change: a click on a comparison's checkbox, or a new",
             "estimator or test (value set, `change` dispatched). The panel recomputes synchronously in its",
             "change handler, so each time covers the fit, the outputs and the redrawn SVG forest plot",
             "(layout and paint come after). Target: under "
             f"{result['budget_ms']:g} ms per change for k ≤ 50.", "",
             f"Last run: {result['when']}, Chromium {result['chromium']}, {result['machine']}.", "",
             "| k | change | changes timed | median (ms) | 95th percentile (ms) | max (ms) |",
             "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['k']} | {r['change']} | {r['n']} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | "
                     f"{r['max_ms']:.2f} |")
    verdict = "meets" if worst < result["budget_ms"] else "misses"
    lines += ["", f"Slowest change at k ≤ 50: {worst:.2f} ms ({verdict} the {result['budget_ms']:g} ms target).",
              END]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """This script's section of bench/README.md (``readme_section.write_section``)."""
    from readme_section import write_section as write

    write(text, START, END, README)


def main() -> None:
    result = measure()
    print(section(result))
    if "--no-readme" not in sys.argv:
        RESULT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        write_section(section(result))
        print(f"wrote {RESULT.relative_to(ROOT)} and the what-if section of {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
