"""The built book tested on its values (issue "Tests that catch real bugs", §3).

Each page of the book has at least one test that finds a key number in the built HTML and
compares it with a number this file computes itself: from the raw CSV files the book was
built from (read here with ``csv``, not with ``helpers.review.data``) and the statistics
engine (``helpers.rma``), never through the glue functions the pages use, so that a bug in
the glue layer shows up as a mismatch. Then two page-wide invariants: every printed
"estimate (lower–upper)" has its estimate inside its interval, and no page prints ``nan``,
``inf`` or ``None`` as a value.

The book is the one ``built_book`` (tests/conftest.py) builds once per run; the numbers are
recomputed from the ``data/`` of that copy (``<site>/../../data``). The page helpers take the
site folder as an argument, so the same checks can be run on a scratch copy of a build with
one input broken (how their power was shown: each broken page or CSV cell fails a test)."""
from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import pytest
from scipy import stats

import helpers
from helpers.show.text import fmt_num, fmt_p, fmt_ratio

try:
    from bs4 import BeautifulSoup
except ImportError:  # pragma: no cover - bs4 is in requirements via the book's toolchain
    BeautifulSoup = None

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["intro.md", *sorted(f"chapters/{p.name}" for p in (ROOT / "chapters").glob("*.md"))]
COVERED: dict[str, list[str]] = {}   # page → the value tests that read it


def covers(*pages: str):
    """Register a test as a value test of ``pages`` (checked by ``test_every_page_has_a_value_test``)."""
    def mark(f):
        for p in pages:
            COVERED.setdefault(p, []).append(f.__name__)
        return f
    return mark


# --------------------------------------------------------------------------- the built site
@pytest.fixture(scope="module")
def site(built_book) -> Path:
    """The site of the run's one build (a static dependency on ``built_book``, so that
    bench/mutation.py sees these tests need the book and deselects them)."""
    return built_book / "_build" / "html"


@pytest.fixture(scope="module")
def data(site) -> Path:
    return site.parent.parent / "data"


def html_path(site: Path, page: str) -> Path:
    return site / (page[:-3] + ".html")


@lru_cache(maxsize=None)
def _soup(path: Path):
    raw = path.read_text(encoding="utf-8")
    if BeautifulSoup is None:
        return None, raw
    s = BeautifulSoup(raw, "html.parser")
    for t in s(["script", "style", "noscript", "template"]):
        t.decompose()
    return s, raw


def _squash(text: str) -> str:
    """Whitespace squashed, and none inside parentheses or before punctuation (inline glue and
    table cells leave "( 975 participants)" and "only0 ," in the raw text)."""
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    return re.sub(r"\s+([),;:]|\.(?!\d))", r"\1", re.sub(r"\(\s+", "(", text)).strip()


@lru_cache(maxsize=None)
def visible_text(path: Path) -> str:
    """The page's text as a reader sees it (scripts and styles stripped), whitespace squashed."""
    s, raw = _soup(path)
    if s is not None:
        return _squash(s.get_text(" "))
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style", "noscript", "template")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style", "noscript", "template") and self.skip > 0

        def handle_data(self, d):
            if not self.skip:
                self.parts.append(d)
    p = Text()
    p.feed(raw)
    return _squash(" ".join(p.parts))


def page_text(site: Path, page: str) -> str:
    return visible_text(html_path(site, page))


def html_tables(site: Path, page: str) -> list[dict]:
    """Every table of a page: {"head": [column names], "rows": [[cell text, ...], ...]}."""
    s, _ = _soup(html_path(site, page))
    assert s is not None, "BeautifulSoup is needed to read tables"
    out = []
    for t in s.find_all("table"):
        head = [_squash(th.get_text(" ")) for th in (t.find("thead") or t).find_all("th")]
        body = t.find("tbody") or t
        rows = [[_squash(td.get_text(" ")) for td in tr.find_all(["td", "th"])] for tr in body.find_all("tr")]
        out.append({"head": head, "rows": [r for r in rows if r and r != head]})
    return out


def table_with(site: Path, page: str, *columns: str) -> list[dict]:
    """The rows (column → cell) of the one table of ``page`` that has all ``columns``."""
    hits = [t for t in html_tables(site, page) if all(c in t["head"] for c in columns)]
    assert len(hits) == 1, f"{page}: {len(hits)} tables with columns {columns}"
    t = hits[0]
    return [dict(zip(t["head"], r)) for r in t["rows"]]


# --------------------------------------------------------------------------- the data, read afresh
def read_csv(data: Path, name: str) -> list[dict]:
    with (data / name).open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def included_trials(data: Path) -> dict[str, dict]:
    return {t["trial_id"]: t for t in read_csv(data, "trials.csv") if t["included"] == "yes"}


def n_of(t: dict) -> int | None:
    if t["n_randomized"]:
        return int(t["n_randomized"])
    if t["n_mdt"] and t["n_control"]:
        return int(t["n_mdt"]) + int(t["n_control"])
    return None


def _p(text: str) -> float:
    return float(text.replace(" ", "").lstrip("="))


def log_hrs(data: Path, outcome: str) -> list[dict]:
    """Each included comparison's primary row for ``outcome`` as (yi, vi) on the MDT-vs-control
    scale, derived here from the printed numbers (the textbook formulas, written out again)."""
    trials = included_trials(data)
    out = []
    for r in read_csv(data, "outcomes.csv"):
        if r["outcome"] != outcome or r["primary"] != "yes" or r["trial_id"] not in trials:
            continue
        t, d = trials[r["trial_id"]], r["derivation"]
        sides = int(r["p_sides"] or 2)
        if d == "reported":
            hr, lo, hi = float(r["hr"]), float(r["ci_lower"]), float(r["ci_upper"])
            if r["direction"] == "control_vs_mdt":
                hr, lo, hi = 1 / hr, 1 / hi, 1 / lo
            z = stats.norm.ppf(1 - (1 - float(r["ci_level"]) / 100) / 2)
            yi, sei = math.log(hr), (math.log(hi) - math.log(lo)) / (2 * z)
        elif d == "from_hr_and_p":
            hr = float(r["hr"]) if r["direction"] != "control_vs_mdt" else 1 / float(r["hr"])
            yi = math.log(hr)
            sei = abs(yi) / stats.norm.ppf(1 - _p(r["p_value"]) / sides)
        elif d == "from_p_and_events":
            if not (t["n_mdt"] and t["n_control"]):
                continue
            n1, n2 = float(t["n_mdt"]), float(t["n_control"])
            v = float(r["events"]) * n1 * n2 / (n1 + n2) ** 2
            z = stats.norm.ppf(1 - _p(r["p_value"]) / sides)
            yi, sei = (-1 if r["p_favours"] == "mdt" else 1) * z / math.sqrt(v), 1 / math.sqrt(v)
        elif d == "ratio_of_medians":
            yi = math.log(float(r["median_control"]) / float(r["median_mdt"]))
            sei = math.sqrt(1 / float(r["events_mdt"]) + 1 / float(r["events_control"]))
        else:
            continue
        out.append({"trial_id": r["trial_id"], "yi": yi, "vi": sei**2, "n": n_of(t), **{
            k: t[k] for k in ("timing", "disease_state", "cancer_group", "phase", "control_class", "trial_name")}})
    return out


def fit(rows: list[dict]):
    s = helpers.SETTINGS
    return helpers.rma([r["yi"] for r in rows], [r["vi"] for r in rows], method=s.method, test=s.test, level=s.level)


def ratio(res) -> str:
    return fmt_ratio(math.exp(res.beta), math.exp(res.ci_lb), math.exp(res.ci_ub))


# --------------------------------------------------------------------------- every page has a value test
def test_every_page_has_a_value_test():
    assert set(PAGES) == set(COVERED), f"pages without a value test: {sorted(set(PAGES) - set(COVERED))}"


# --------------------------------------------------------------------------- landing page
@covers("intro.md")
def test_landing_page_pooled_hrs_and_counts(site, data):
    text = page_text(site, "intro.md")
    for oc in ("PFS", "OS"):
        rows = log_hrs(data, oc)
        res = fit(rows)
        shown = ratio(res)
        assert f"pooled hazard ratio {shown} from {res.k} comparison" in text, f"{oc}: expected {shown}, k = {res.k}"
        n = sum(r["n"] for r in rows if r["n"] is not None)
        assert f"({n:,} participants)" in text, f"{oc}: expected {n:,} participants"
    inc = included_trials(data)
    records = read_csv(data, "records.csv")
    n_all = sum(n_of(t) or 0 for t in inc.values())
    n_rec = sum(r["decision"] == "included" for r in records)
    n_trials = len({t["trial_group"] for t in inc.values()})
    want = (f"The evidence: {len(inc)} randomised comparisons from {n_trials} trials, {n_all:,} participants, "
            f"{n_rec} reports")
    assert want in text, want


@covers("intro.md")
def test_landing_bottom_line_and_harms_absolute_effect(site, data):
    """The bottom line (above the summary of findings) quotes the pooled PFS HR with its CI; the
    grade ≥2 row's absolute effect applies the OR and its CI to the control risk (GRADE), here
    recomputed from the one 2×2 table; the footnotes are plain paragraphs, not a bulleted list."""
    s, _ = _soup(html_path(site, "intro.md"))
    box = s.select_one(".bottom-line")
    assert box is not None, "no bottom-line box on the landing page"
    heading = s.find(id="summary-of-findings")
    assert heading is not None and box.sourceline < heading.sourceline, "the bottom line is not above the summary"
    res = fit(log_hrs(data, "PFS"))
    hr, lb, ub = (math.exp(x) for x in (res.beta, res.ci_lb, res.ci_ub))
    want = f"progression-free survival (hazard ratio {fmt_num(hr)}, 95% CI {fmt_num(lb)}–{fmt_num(ub)};"
    assert want in _squash(box.get_text(" ")), want
    notes = s.select_one(".sof-notes")
    assert notes is not None and not notes.find_all("li"), "the footnotes are a bulleted list"
    assert [_squash(p.get_text(" "))[:2] for p in notes.find_all("p")][:2] == ["a.", "b."]
    tables = grade2_tables(data)
    if len(tables) == 1:
        a, b, c, d, name = tables[0]
        lor, se = math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        z = stats.norm.ppf(0.975)
        p0 = c / (c + d)
        diff = [1000 * (x * p0 / (1 - p0 + x * p0) - p0) for x in
                (math.exp(lor), math.exp(lor - z * se), math.exp(lor + z * se))]
        assert all(x > 0.5 for x in diff), "extend this test to an interval that is not 'more' throughout"
        want = (f"{round(diff[0])} more per 1,000 with MDT (95% CI {round(diff[1])} to {round(diff[2])} more); "
                f"control risk {1000 * p0:.0f} per 1,000, from the control arm of one trial ({name})")
        assert want in page_text(site, "intro.md"), want


# --------------------------------------------------------------------------- PFS and OS
@covers("chapters/pfs.md", "chapters/os.md")
@pytest.mark.parametrize("oc", ["PFS", "OS"])
def test_efficacy_chapter_pooled_estimate(site, data, oc):
    page = f"chapters/{oc.lower()}.md"
    text = page_text(site, page)
    rows = log_hrs(data, oc)
    res = fit(rows)
    want = f"The pooled HR is {ratio(res)} ({fmt_p(res.pval)})"
    assert want in text, f"{page}: expected '{want}'"
    assert f"τ² = {fmt_num(res.tau2, 3)}" in text, f"{page}: expected τ² = {fmt_num(res.tau2, 3)}"
    assert f"I² is {res.I2:.0f}%" in text
    assert f"Q = {fmt_num(res.QE)} on {res.k - 1} degrees of freedom" in text
    # the primary row of the sensitivity table is the same fit
    sens = table_with(site, page, "Analysis", "k", "n", "HR (95% CI)")
    primary = [r for r in sens if r["Analysis"].lower().startswith("primary")]
    assert primary and primary[0]["HR (95% CI)"] == ratio(res) and primary[0]["k"] == str(res.k)


@covers("chapters/pfs.md", "chapters/os.md")
@pytest.mark.parametrize("oc", ["PFS", "OS"])
def test_efficacy_chapter_comparison_rows(site, data, oc):
    """Every comparison pooled shows its own HR (95% CI) from the printed numbers; the others
    are counted as not estimable."""
    page = f"chapters/{oc.lower()}.md"
    rows = {r["trial_id"]: r for r in log_hrs(data, oc)}
    table = table_with(site, page, "Trial", "HR used (95% CI)")
    names = {r["trial_name"]: r for r in rows.values()}
    shown = {r["Trial"]: r["HR used (95% CI)"] for r in table}
    z = stats.norm.ppf(0.975)
    for name, r in names.items():
        want = fmt_ratio(math.exp(r["yi"]), math.exp(r["yi"] - z * math.sqrt(r["vi"])),
                         math.exp(r["yi"] + z * math.sqrt(r["vi"])))
        assert shown.get(name) == want, f"{page}: {name} shows {shown.get(name)!r}, expected {want}"
    n_primary = sum(1 for r in read_csv(data, "outcomes.csv") if r["outcome"] == oc and r["primary"] == "yes"
                    and r["trial_id"] in included_trials(data))
    assert len(table) == n_primary
    assert sum(v == "not estimable" or v.startswith("not ") for v in shown.values()) == n_primary - len(rows)


# --------------------------------------------------------------------------- subgroups
@covers("chapters/subgroups.md")
@pytest.mark.parametrize("oc", ["PFS", "OS"])
@pytest.mark.parametrize("factor,col,level,words", [
    ("Timing of MDT", "timing", "upfront", "Upfront"),            # subgroup cells in sentence case
    ("Timing of MDT", "timing", "consolidation", "Consolidation"),
    ("Disease state", "disease_state", "de_novo", "De novo"),
    ("Disease state", "disease_state", "recurrent", "Recurrent"),
])
def test_subgroup_estimates(site, data, oc, factor, col, level, words):
    sub = [r for r in log_hrs(data, oc) if r[col] == level]
    if not sub:
        pytest.skip(f"no {oc} comparison with {col} = {level}")
    res = fit(sub)
    table = table_with(site, "chapters/subgroups.md", "Outcome", "Factor", "Subgroup", "k", "HR (95% CI)")
    row = [r for r in table if r["Outcome"] == oc and r["Factor"] == factor
           and r["Subgroup"].removesuffix(" (not in the test)") == words]
    assert len(row) == 1, f"no row {oc} / {factor} / {words}"
    assert row[0]["k"] == str(res.k)
    assert row[0]["HR (95% CI)"] == ratio(res), f"{oc} {factor} {words}: expected {ratio(res)}"


# --------------------------------------------------------------------------- safety
def _arm_cell(events: str, pct: str, total: str, n_trial: str) -> str:
    """What the per-trial table must show for one arm, from the raw cells."""
    denom = total or n_trial
    if events:
        e = int(float(events))
    elif pct:
        decimals = len(pct.split(".")[1]) if "." in pct else 0
        e = round(float(pct) / 100 * float(denom)) if denom else None
        if e is None or abs(100 * e / float(denom) - float(pct)) > 0.5 * 10 ** -decimals + 1e-9:
            return f"{float(pct):g}%"   # printed, but no whole count of the arm reproduces it
    else:
        return "not reported"
    return f"{e}/{int(float(denom)) if denom else '?'}"


@covers("chapters/safety.md")
def test_safety_not_reported_exactly_where_the_csv_is_empty(site, data):
    inc = included_trials(data)
    labels = {">=2": "grade ≥2", ">=3": "grade ≥3", "5": "grade 5 (deaths)"}
    ae = [r for r in read_csv(data, "adverse_events.csv") if r["primary"] == "yes" and r["trial_id"] in inc]
    table = table_with(site, "chapters/safety.md", "Grade", "Trial", "Status", "MDT", "Control")
    shown = {(r["Grade"], r["Trial"]): r for r in table}
    for g, lab in labels.items():
        rows = sorted((r for r in ae if r["grade"] == g), key=lambda r: r["attribution"] != "treatment-related")
        seen = set()
        for r in rows:
            if r["trial_id"] in seen:
                continue
            seen.add(r["trial_id"])
            t = inc[r["trial_id"]]
            cell = shown.get((lab, t["trial_name"]))
            wants = [_arm_cell(r[f"events_{a}"], r[f"pct_{a}"], r[f"total_{a}"], t[f"n_{a}"]) for a in ("mdt", "control")]
            if g != ">=2" and wants == ["not reported"] * 2:
                assert cell is None, f"{lab} {t['trial_name']}: nothing reported, yet a row is shown"
                continue
            assert cell is not None, f"{lab} {t['trial_name']} missing from the per-trial table"
            for arm, col in (("mdt", "MDT"), ("control", "Control")):
                want = _arm_cell(r[f"events_{arm}"], r[f"pct_{arm}"], r[f"total_{arm}"], t[f"n_{arm}"])
                assert cell[col] == want, f"{lab} {t['trial_name']} {col}: shows {cell[col]!r}, CSV gives {want!r}"
        # trials with no row at all are "not reported" for grade ≥2 (and absent for the other grades)
        for tid, t in inc.items():
            if tid not in seen:
                cell = shown.get((lab, t["trial_name"]))
                if g == ">=2":
                    assert cell and cell["MDT"] == cell["Control"] == "not reported" == cell["Status"]
                else:
                    assert cell is None
    # the deaths table prints every grade 5 row as written, "not reported" for an empty cell
    deaths = table_with(site, "chapters/safety.md", "Trial", "MDT", "Control", "Source", "Quote")
    raw = [r for r in read_csv(data, "adverse_events.csv") if r["grade"] == "5" and r["trial_id"] in inc]
    assert len(deaths) == len(raw)
    for shown_row, r in zip(deaths, raw):
        assert shown_row["Trial"] == inc[r["trial_id"]]["trial_name"]
        assert shown_row["MDT"] == (r["events_mdt"] or "not reported")
        assert shown_row["Control"] == (r["events_control"] or "not reported")


@covers("chapters/safety.md", "chapters/methods.md")
def grade2_tables(data: Path) -> list[tuple]:
    """The usable grade ≥2 2×2 tables (a, b, c, d, trial name), read afresh from the CSV."""
    inc = included_trials(data)
    tables = []
    for r in read_csv(data, "adverse_events.csv"):
        if r["grade"] != ">=2" or r["primary"] != "yes" or r["trial_id"] not in inc:
            continue
        t = inc[r["trial_id"]]
        cells = [_arm_cell(r["events_mdt"], r["pct_mdt"], r["total_mdt"], t["n_mdt"]),
                 _arm_cell(r["events_control"], r["pct_control"], r["total_control"], t["n_control"])]
        if all("/" in c and "?" not in c for c in cells):
            (a, n1), (c, n2) = (map(int, x.split("/")) for x in cells)
            tables.append((a, n1 - a, c, n2 - c, t["trial_name"]))
    return tables


def test_grade2_odds_ratio(site, data):
    """The grade ≥2 odds ratio from the 2×2 tables written in the CSV (Mantel–Haenszel; for one
    table it is the table's own OR with Woolf's variance)."""
    tables = grade2_tables(data)
    assert tables, "no trial reports grade ≥2 events per arm"
    safety = page_text(site, "chapters/safety.md")
    if len(tables) > 1:   # Mantel–Haenszel point estimate, no continuity correction
        num = sum(a * d / (a + b + c + d) for a, b, c, d, _ in tables)
        den = sum(b * c / (a + b + c + d) for a, b, c, d, _ in tables)
        assert f"The pooled Mantel–Haenszel odds ratio is {fmt_num(num / den)} (" in safety
        return
    a, b, c, d, name = tables[0]
    assert 0 not in (a, b, c, d), "zero cell: Woolf's variance does not apply, extend this test"
    lor, se = math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = stats.norm.ppf(0.975)
    want = fmt_ratio(math.exp(lor), math.exp(lor - z * se), math.exp(lor + z * se))
    assert f"Only one trial, {name}, reports them per arm ({a}/{a + b} with MDT and {c}/{c + d} with control): " \
           f"its odds ratio is {want}." in safety, want
    assert f"OR {want}" in page_text(site, "chapters/methods.md"), f"methods summary of findings: expected OR {want}"


# --------------------------------------------------------------------------- certainty
def first_dates(data: Path) -> dict[str, str]:
    """Each trial's first publication, read afresh: the earliest date (pub_date, else year) of
    the records cited for it in outcomes.csv or provenance.csv, reviews, registries and
    protocols left out."""
    recs = {r["record_id"]: r for r in read_csv(data, "records.csv")
            if r["record_type"] not in ("review", "registry", "protocol")}
    out: dict[str, str] = {}
    for name in ("outcomes.csv", "provenance.csv"):
        for r in read_csv(data, name):
            rec = recs.get(r["record_id"])
            date = rec and (rec["pub_date"] or (str(int(float(rec["year"]))) if rec["year"] else ""))
            if date and (r["trial_id"] not in out or date < out[r["trial_id"]]):
                out[r["trial_id"]] = date
    return out


def _prob_is(p: float) -> str:
    text = "> 99.9%" if p > 0.999 else "< 0.1%" if p < 0.001 else f"{100 * p:.1f}%"
    return text if text[0] in "<>" else f"= {text}"


@covers("chapters/certainty.md")
def test_certainty_probabilities_and_tsa_verdicts(site, data):
    """P(HR < 1) and P(HR < 0.80) from bayesmeta on the log HRs derived here, and the trial
    sequential verdicts (anticipated HR 0.80, α 0.05, power 0.9, trials by first publication,
    z from the primary model and from REML-z) from helpers.tsa."""
    page = "chapters/certainty.md"
    text = page_text(site, page)
    s = helpers.SETTINGS
    dates = first_dates(data)
    table = table_with(site, page, "Outcome", "Analysis", "Final Z", "Verdict")
    for oc, words in (("PFS", "progression-free survival"), ("OS", "overall survival")):
        rows = log_hrs(data, oc)
        y = [r["yi"] for r in rows]
        v = [r["vi"] for r in rows]
        b = helpers.bayesmeta(y, [math.sqrt(x) for x in v], tau_prior=("halfnormal", 0.5))
        p1, p8 = _prob_is(b.pposterior(mu=0.0)), _prob_is(b.pposterior(mu=math.log(0.8)))
        want = (f"the probability that MDT lowers the hazard is P(HR < 1) {p1}, and the probability that it lowers "
                f"it by a clinically important amount is P(HR < 0.80) {p8}" if oc == "PFS" else
                f"For overall survival, P(HR < 1) {p1} and P(HR < 0.80) {p8}")
        assert want in text, f"{oc}: expected '{want}'"
        keys = [(0, dates[r["trial_id"]]) if r["trial_id"] in dates else (1, "") for r in rows]
        names = [r["trial_name"] for r in rows]
        for label, test in (("Primary", s.test), ("Z from REML with the Wald z-test", "z")):
            t = helpers.tsa(y, v, hr=0.8, alpha=0.05, power=0.9, order=keys, labels=names, method="REML", test=test)
            row = [r for r in table if r["Outcome"] == oc and r["Analysis"] == label]
            assert len(row) == 1 and row[0]["Verdict"] == t.verdict, f"{oc} {label}: expected {t.verdict}"
            assert row[0]["Final Z"] == fmt_num(-t.looks["z"].iloc[-1])
            if label == "Primary":
                sentence = (f"For {words}, the pooled trials carry information worth about {4 * t.information:,.0f} "
                            f"events, {100 * t.t:.0f}% of the {t.required.events_adjusted:,.0f} required to detect "
                            "HR 0.80")
                assert sentence in text, sentence
                if oc == "OS":
                    reached = "has" if t.verdict == "firm evidence of benefit" else "has not"
                    assert f"that claim {reached} reached firm evidence of benefit ({t.verdict})" in text


# --------------------------------------------------------------------------- search
def _svg_texts(site: Path, page: str, figure_id: str) -> list[str]:
    s, _ = _soup(html_path(site, page))
    fig = s.find(id=figure_id)
    assert fig is not None, f"{page}: no figure #{figure_id}"
    img = fig.find("img")
    svg = (html_path(site, page).parent / img["src"]).resolve().read_text(encoding="utf-8")
    return [_squash(BeautifulSoup(t, "html.parser").get_text())
            for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


@covers("chapters/search.md")
def test_search_prisma_counts_and_log(site, data):
    rec = read_csv(data, "records.csv")
    other = [r["record_type"] in ("news", "review", "registry", "protocol") for r in rec]
    n_db, n_other = other.count(False), other.count(True)
    excluded = sum(r["decision"] == "excluded" for r in rec)
    included = len(rec) - excluded
    on_title = sum(r["screening_stage"] == "title or abstract" for r in rec)
    lost = sum(r["screening_stage"] == "full report" and r["retrieved"] == "no" for r in rec)
    assessed = [r for r in rec if r["screening_stage"] == "full report" and r["retrieved"] == "yes"]
    a_other = sum(r["record_type"] in ("news", "review", "registry", "protocol") for r in assessed)
    inc = included_trials(data)
    flow = " | ".join(_svg_texts(site, "chapters/search.md", "search-prisma"))
    assert "bibliographic" not in flow.lower() and "other methods" not in flow.lower()   # none was searched
    caption = _squash(_soup(html_path(site, "chapters/search.md"))[0].find(id="search-prisma").find("figcaption")
                      .get_text(" "))
    assert "no bibliographic database was searched" in caption and '"other methods" arm' not in caption
    for want in (f"sources and registries: n = {len(rec)}", f"(journal articles and abstracts: n = {n_db};",
                 f"and protocols: n = {n_other})",
                 f"Records screened | n = {len(rec)}", "duplicates: not recorded",
                 f"Records excluded on title or abstract | n = {on_title} ",
                 f"Reports sought for retrieval | n = {len(rec) - on_title}", f"Reports not retrieved | n = {lost}",
                 f"Reports assessed for eligibility | n = {len(assessed)} | ({len(assessed) - a_other} articles and "
                 f"abstracts, {a_other} other)",
                 f"Reports excluded: n = {excluded - on_title - lost}",
                 f"{len({t['trial_group'] for t in inc.values()})} trials, {len(inc)} randomised",
                 f"Reports of included studies: | n = {included}"):
        assert want in flow, f"PRISMA flow: expected '{want}' in {flow!r}"
    log = read_csv(data, "search_log.csv")
    text = page_text(site, "chapters/search.md")
    n_useful = sum(r["useful"] == "yes" for r in log)
    assert f"their {len(log)} queries" in text and f"; {n_useful} returned something used" in text
    # the included-records table lists exactly the included records
    inc_table = table_with(site, "chapters/search.md", "Record", "Trial", "Type", "Read as", "Role")
    assert len(inc_table) == included


# --------------------------------------------------------------------------- methods
LABELS = {"REML": "restricted maximum likelihood", "DL": "DerSimonian–Laird", "PM": "Paule–Mandel",
          "EE": "common (equal) effect", "adhoc": "Hartung–Knapp–Sidik–Jonkman (ad hoc: never narrower than z)",
          "knha": "Hartung–Knapp–Sidik–Jonkman (untruncated)", "z": "Wald-type z-test"}


@covers("chapters/methods.md")
def test_methods_states_the_model_the_pages_run(site, data):
    s = helpers.SETTINGS
    text = page_text(site, "chapters/methods.md")
    assert re.search(rf"Primary model[^:]*: {re.escape(LABELS[s.method])} with {re.escape(LABELS[s.test])}, "
                     rf"{s.level:g}% confidence", text)
    others = "; ".join(f"{LABELS[m]} with {LABELS[t]}" for m, t in s.sensitivity_models)
    assert re.search(rf"Shown beside it[^:]*: {re.escape(others)}", text)   # "(glossary links): " may sit between
    assert f"only from {s.min_k_small_study} comparisons" in text
    ref = json.loads((ROOT / "tests" / "reference" / "metafor_reference.json").read_text(encoding="utf-8"))
    assert f"reproduces R metafor {ref['metafor_version']} to" in text
    cutoff = next(r["finding"] for r in read_csv(data, "paper_reported.csv") if r["analysis_id"] == "search_cutoff")
    assert f"Cochrane CENTRAL up to {cutoff}." in text
    # the primary model the PFS page actually ran is the one stated: its HR is the REML/adhoc fit
    assert ratio(fit(log_hrs(data, "PFS"))) in page_text(site, "chapters/pfs.md")


# --------------------------------------------------------------------------- differences
@covers("chapters/differences.md")
def test_differences_counts(site, data):
    trials = read_csv(data, "trials.csv")
    inc = [t for t in trials if t["included"] == "yes"]
    n_rec = sum(r["decision"] == "included" for r in read_csv(data, "records.csv"))
    n = sum(n_of(t) or 0 for t in inc)
    paper = {r["analysis_id"]: r for r in read_csv(data, "paper_reported.csv")}
    text = page_text(site, "chapters/differences.md")
    want = f"includes {n_rec} reports of {len(inc)} randomised comparisons with {n:,} participants"
    assert want in text, want
    assert (f"The paper included {int(float(paper['records_included']['estimate']))} records with "
            f"{int(float(paper['participants_included']['estimate'])):,} participants") in text
    n_exc = sum(t["included"] == "no" for t in trials)
    # a comparison whose source could not be identified awaits classification (PRISMA 2020)
    waiting = sum(t["included"] == "no" and bool(re.search(r"could not be identified|not identifiable",
                                                            t["exclusion_reason"], re.I)) for t in trials)
    phrase = f"({n_exc - waiting} comparisons assessed and excluded, with reasons"
    assert phrase + (f", and {waiting} awaiting classification)" if waiting else ")") in text
    assert len(table_with(site, "chapters/differences.md", "Trial", "Cancer", "Lesion cap", "Why excluded")) == n_exc
    # comparisons with a usable HR for neither PFS nor OS
    est = {r["trial_id"] for oc in ("PFS", "OS") for r in log_hrs(data, oc)}
    not_est = {t["trial_id"] for t in inc} - est
    assert f"participants. {len(not_est)} included comparisons print no usable hazard ratio" in text


# --------------------------------------------------------------------------- reproducibility
@covers("chapters/reproducibility.md")
def test_reproducibility_hashes_and_metafor(site, data):
    table = table_with(site, "chapters/reproducibility.md", "File", "Bytes", "SHA-256")
    files = sorted(p for p in data.iterdir() if p.is_file())
    assert [r["File"] for r in table] == [p.name for p in files]
    for r, p in zip(table, files):
        assert r["Bytes"] == f"{p.stat().st_size:,}", p.name
        assert r["SHA-256"] == hashlib.sha256(p.read_bytes()).hexdigest(), p.name
    ref = json.loads((ROOT / "tests" / "reference" / "metafor_reference.json").read_text(encoding="utf-8"))
    text = page_text(site, "chapters/reproducibility.md")
    n_values = sum(v is not None for case in ref["fits"].values() for f, v in case["fit"].items()
                   if f in ("beta", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "I2", "H2", "QE", "QEp"))
    assert f"Recomputed now, {len(ref['fits'])} models fitted" in text
    assert f"reproduce {n_values:,} values from metafor {ref['metafor_version']}" in text
    worst = re.search(r"largest relative difference of (\S+)", text)
    assert worst and float(worst.group(1).rstrip(".")) < 1e-6


# --------------------------------------------------------------------------- page-wide: estimate inside its interval
_NUM = r"[−+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?"
_SEP = r"\s*(?:–|—|-|\bto\b)\s*"
_LABEL = r"(?:[A-Za-z][\w-]*\s+)?\d+(?:\.\d+)?%\s*CI:?\s*"
_X = rf"(?<![\w.,/:−+\-])(?<!per )(?P<x>{_NUM})"
_INTERVAL = rf"(?P<l>{_NUM}){_SEP}(?P<u>{_NUM})"
CI_PATTERNS = [
    # 0.45 (0.28–0.72) · 0.45 (95% CI 0.28 to 0.72) · 0.92 (0.71–1.17, 70% CI) · τ² = 0.05 (Q-profile 95% CI 0–0.3)
    re.compile(rf"{_X}\s*\(\s*(?:{_LABEL})?{_INTERVAL}\s*(?:,\s*\d+(?:\.\d+)?%\s*CI\s*)?\)"),
    # (+247; 95% CI +158 to +333)
    re.compile(rf"\(\s*{_X}\s*;\s*{_LABEL}{_INTERVAL}\s*\)"),
    # 177 more per 1,000 (95% CI 27 to 291)
    re.compile(rf"{_X}\s+(?:more|fewer)\s+per\s+(?:1,000|100)\s*\(\s*{_LABEL}{_INTERVAL}\s*\)"),
]


def _value(s: str) -> float:
    return float(s.replace("\u2212", "-").replace(",", "").rstrip("%"))


def ci_violations(text: str) -> list[str]:
    """Snippets where a printed estimate lies outside its printed interval (L ≤ X ≤ U fails)."""
    bad = []
    for pat in CI_PATTERNS:
        for m in pat.finditer(text):
            x, lo, hi = (_value(m.group(g)) for g in ("x", "l", "u"))
            if not lo <= x <= hi:
                bad.append(text[max(0, m.start() - 60):m.end() + 10])
    return bad


def ci_matches(text: str) -> int:
    return sum(len(pat.findall(text)) for pat in CI_PATTERNS)


@pytest.mark.parametrize("text,n_bad", [
    ("pooled HR 0.47 (0.76–0.30) from", 1),
    ("pooled HR 0.47 (0.30–0.76) from", 0),
    ("HR 0.80 (0.30–0.76)", 1),
    ("HR 0.20 (0.30-0.76)", 1),
    ("OR 4.04 (95% CI 1.10 to 14.85)", 0),
    ("OR 0.04 (95% CI 1.10 to 14.85)", 1),
    ("RD 2.0 (95% CI 1.1–3.0)", 0),
    ("0.92 (0.71–1.17, 70% CI)", 0),
    ("0.52 (0.71–1.17, 70% CI)", 1),
    ("τ² = 0.054 (Q-profile 95% CI 0.000–0.316 )", 0),
    ("τ² = 0.554 (Q-profile 95% CI 0.000–0.316 )", 1),
    ("(+247; 95% CI +158 to +333)", 0),
    ("(+94; 95% CI +146 to +159)", 1),
    ("177 more per 1,000 ( 95% CI 27 to 291 )", 0),
    ("17 more per 1,000 ( 95% CI 27 to 291 )", 1),
    ("−12.5 (−20.1 to −3.2) per 100", 0),
    ("−22.5 (−20.1 to −3.2) per 100", 1),
    ("-1.5 (-2.0 to -1.0)", 0),
    ("1,250 (1,100–1,400)", 0),
    ("1,050 (1,100–1,400)", 1),
    ("35% (95% CI 0%–76%)", 0),
    ("95% (95% CI 0%–76%)", 1),
    # not intervals: dates, page ranges, counts, identifiers
    ("published 2019 (2018-10-01)", 0),
    ("Lancet 393 (10185): 2051-8", 0),
    ("pages 12 (3-4)", 1),   # shaped like an interval: flagged, which is why pages must not print this shape
    ("(k = 3)", 0),
    ("n = 99 (66/33)", 0),
    ("IQR 16-35 months", 0),
    ("RTOG 0937 (NCT01583283)", 0),
])
def test_ci_parser_flags_an_estimate_outside_its_interval(text, n_bad):
    assert len(ci_violations(text)) == n_bad, ci_violations(text)


def test_every_estimate_lies_within_its_interval(site):
    offenders, n = [], 0
    for page in PAGES:
        text = page_text(site, page)
        n += ci_matches(text)
        offenders += [f"{page}: …{s}…" for s in ci_violations(text)]
    assert n > 50, f"only {n} intervals found: the parser no longer reads the pages"
    assert not offenders, "estimate outside its interval:\n" + "\n".join(offenders)


# --------------------------------------------------------------------------- page-wide: no nan, inf or None
_NONVALUE = re.compile(
    r"(?<![\w.])(?:nan|NaN|NAN|[−\-]?inf|[−\-]?Inf|[−\-]?infinity|NaT|<NA>|None(?!\s+[a-z]))(?![\w])")


def nonvalues(text: str) -> list[str]:
    return [text[max(0, m.start() - 40):m.end() + 40] for m in _NONVALUE.finditer(text)]


@pytest.mark.parametrize("text,n_bad", [
    ("HR nan (nan–nan)", 3), ("τ² = NaN", 1), ("p = inf", 1), ("lower −inf", 1), ("bound -inf.", 1),
    ("n = None", 1), ("value: <NA>", 1), ("date NaT", 1), ("| None |", 1),
    ("information on infinite intervals", 0), ("Nanfang Hospital", 0), ("Nan Laird", 0), ("banana", 0),
    ("None of the patients", 0), ("none found", 0), ("influence", 0), ("NNTH 5 to ∞", 0), ("Nat Rev", 0),
])
def test_nonvalue_finder(text, n_bad):
    assert len(nonvalues(text)) == n_bad, nonvalues(text)


def test_no_page_prints_nan_inf_or_none(site):
    offenders = [f"{page}: …{s}…" for page in PAGES for s in nonvalues(page_text(site, page))]
    assert not offenders, "a missing or infinite value printed as a value:\n" + "\n".join(offenders)


# --------------------------------------------------------------------------- glossary
GLOSSARY_TERMS = ("REML", "HKSJ", "τ²", "I²", "Prediction interval", "Q-profile", "DFFITS", "Cook's distance",
                  "Hat value", "Egger's test", "Trim-and-fill", "ICEMAN", "Peto OR", "NNT", "NNTH", "GRADE",
                  "Risk of bias", "Inconsistency", "Indirectness", "Imprecision", "Publication bias", "RoB 2")


@covers("chapters/glossary.md")
def test_glossary_defines_the_methods_terms_the_chapters_link(site):
    """The glossary defines every methods term the issue names, and every {term} link on the
    other pages points at an entry that exists."""
    from bs4 import BeautifulSoup

    html = (site / "chapters" / "glossary.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    defined = {dt.get_text(" ", strip=True).rstrip("¶#").strip().replace("\u2019", "'") for dt in soup.select("dl.glossary dt")}
    missing = [t for t in GLOSSARY_TERMS if t not in defined]
    assert not missing, f"terms missing from the glossary: {missing}"
    ids = {dt.get("id") for dt in soup.select("dl.glossary dt")}
    for page in site.rglob("*.html"):
        for a in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select('a[href*="glossary.html#term-"]'):
            assert a["href"].split("#", 1)[1] in ids, f"{page.name}: link to a missing term {a['href']}"
