"""The results object's wiring and its published forms (helpers.review.results), on small
synthetic results whose every number is chosen here, so each expected value is written out.

Numbers used below: HR 0.5 (0.25–1.0) is beta = ln 0.5, CI ln 0.25 to ln 1; 1,234 of the paper's
2,000 participants is 61.7% → "62%"."""
from __future__ import annotations

import json
import math
import pickle
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.review import results as R
from helpers.review.paths import data_dir, data_fingerprint, inputs_fingerprint

LN = math.log


def fit(hr, lb, ub, k=3, **kw):
    return SimpleNamespace(k=k, beta=LN(hr), ci_lb=LN(lb), ci_ub=LN(ub), **kw)


SETTINGS = SimpleNamespace(method="REML", test="knha", level=95.0, pi=True, describe=lambda *a: "REML + HKSJ")


def fake_results(usable_ae: int = 2) -> SimpleNamespace:
    pooled_pfs = pd.DataFrame({"trial_id": ["a", "b"], "trial": ["A", "B"], "yi": [-0.5, -0.25], "vi": [0.04, 0.09],
                               "derivation": ["reported", "ratio_of_medians"],
                               "n": pd.array([100, None], dtype="Int64")})
    pooled_os = pd.DataFrame({"trial_id": ["a"], "trial": ["A"], "yi": [-0.1], "vi": [0.01],
                              "derivation": ["reported"], "n": pd.array([80], dtype="Int64")})
    eff = {"PFS": SimpleNamespace(outcome="PFS", certainty="moderate", pooled=pooled_pfs,
                                  res=fit(0.5, 0.25, 0.8, k=2, pval=0.01, tau2=0.02, I2=12.5),
                                  pred={"pi_lb": LN(0.2), "pi_ub": LN(1.25)}),
           "OS": SimpleNamespace(outcome="OS", certainty="low", pooled=pooled_os,
                                 res=fit(0.9, 0.6, 1.35, k=1, pval=0.6, tau2=0.0, I2=0.0),
                                 pred={"pi_lb": None, "pi_ub": None})}
    card = pd.DataFrame([
        {"analysis_id": "pfs_overall", "outcome": "PFS", "factor": "overall", "subgroup": "all", "measure": "HR",
         "paper_est": 0.5, "paper_lb": 0.4, "paper_ub": 0.6, "paper": "0.50 (0.40–0.60)", "k": 2, "n": 100,
         "hr": 0.5, "ci_lb": 0.25, "ci_ub": 0.8, "ids": ("a", "b"), "verdict": "agrees", "same_as": ""},
        {"analysis_id": "pfs_sub", "outcome": "PFS", "factor": "phase", "subgroup": "III", "measure": "HR",
         "paper_est": math.nan, "paper_lb": pd.NA, "paper_ub": None, "paper": "no estimate", "k": 2, "n": 100,
         "hr": 0.5, "ci_lb": 0.25, "ci_ub": 0.8, "ids": ("a", "b"), "verdict": "same comparisons as another row",
         "same_as": "pfs_overall"}])
    usable = pd.DataFrame({"trial_id": ["a", "b"][:usable_ae], "trial": ["A", "B"][:usable_ae]})
    safety = {">=2": SimpleNamespace(usable=usable, re_k=2, mh_or=fit(2.0, 1.0, 4.0)),
              ">=3": SimpleNamespace(usable=usable.iloc[:1], re_k=1, mh_or=fit(3.0, 1.5, 6.0)),
              "5": SimpleNamespace(usable=usable.iloc[:0], re_k=0, mh_or=None,
                                   table=pd.DataFrame({"status": ["not reported"] * 3}))}
    missing = {"PFS": pd.DataFrame({"trial_id": ["c"], "trial": ["C"], "n": [40.0], "reason": ["no HR"],
                                    "sources_say": ["nothing"], "favours": [""]}),
               "OS": pd.DataFrame({"trial_id": ["b", "c"], "trial": ["B", "C"], "n": [math.nan, 40.0],
                                   "reason": ["r1", "r2"], "sources_say": ["s1", "s2"], "favours": ["MDT", "control"]})}
    scen = {"broader": pd.DataFrame([{"analysis_id": "pfs_overall", "k": 3, "n": 150, "hr": 0.6, "ci_lb": 0.3,
                                      "ci_ub": 1.2, "ids": ("a", "b", "d")},
                                     {"analysis_id": "os_overall", "k": 0, "n": 0, "hr": math.nan,
                                      "ci_lb": math.nan, "ci_ub": math.nan, "ids": ()}])}
    paper = pd.DataFrame({"analysis_id": ["records_included", "participants_included", "search_cutoff"],
                          "estimate": [21.0, 2000.0, math.nan], "finding": [None, None, "June 2024"]})
    tiers = ["abstract"] * 6 + ["news"] * 5 + ["congress"] * 4 + ["registry"] * 3 + ["review"] * 2 + ["poster"]
    records = pd.DataFrame({"decision": ["included"] * len(tiers) + ["excluded"], "source_tier": tiers + ["news"]})
    review = SimpleNamespace(paper_reported=paper, records=records,
                             included=pd.DataFrame({"trial_id": ["a", "b", "c"]}))
    counts = {"comparisons_included": 3, "trials_included": 2, "participants": 1234, "records_included": 21}
    return SimpleNamespace(settings=SETTINGS, review=review, counts=counts, efficacy=eff, missing=missing,
                           safety=safety, scorecard=card, built_from={"data_sha256": "abc", "commit": "c0ffee"},
                           scenarios=scen, subgroups={})


# --------------------------------------------------------------------------- results.json
def test_num():
    assert R._num(None) is None and R._num(pd.NA) is None and R._num(math.nan) is None
    assert R._num(3) == 3.0 and isinstance(R._num(3), float)
    assert R._num(pd.array([2.5], dtype="Float64")[0]) == 2.5


def test_results_json_model_counts_and_build():
    res = fake_results()
    res.counts["participants"] = pd.array([1234], dtype="Int64")[0]      # numpy/pandas ints become int
    j = R.results_json(res)
    assert j["model"] == {"method": "REML", "test": "knha", "level": 95.0, "pi": True}
    assert j["counts"] == {"comparisons_included": 3, "trials_included": 2, "participants": 1234,
                           "records_included": 21}
    assert type(j["counts"]["participants"]) is int
    assert j["built_from"] == {"data_sha256": "abc", "commit": "c0ffee"}
    assert set(j) == {"model", "counts", "pooled", "scorecard", "missing_evidence", "safety", "built_from",
                      "scenarios"}


def test_results_json_pooled():
    j = R.results_json(fake_results())["pooled"]
    p = j["PFS"]
    assert p["k"] == 2 and p["n"] == 100                          # 100 + unknown
    for key, want in {"hr": 0.5, "ci_lb": 0.25, "ci_ub": 0.8, "pval": 0.01, "tau2": 0.02, "I2": 12.5,
                      "pi_lb": 0.2, "pi_ub": 1.25}.items():
        assert p[key] == pytest.approx(want, rel=1e-12), key
    assert p["comparisons"] == [
        {"id": "a", "label": "A", "yi": -0.5, "vi": 0.04, "derivation": "reported"},
        {"id": "b", "label": "B", "yi": -0.25, "vi": 0.09, "derivation": "ratio_of_medians"}]
    assert all(type(c["yi"]) is float and type(c["vi"]) is float for c in p["comparisons"])
    o = j["OS"]
    assert o["k"] == 1 and o["n"] == 80 and o["pi_lb"] is None and o["pi_ub"] is None
    assert o["hr"] == pytest.approx(0.9) and o["ci_ub"] == pytest.approx(1.35)


def test_results_json_scorecard():
    card = R.results_json(fake_results())["scorecard"]
    assert card[0] == {"id": "pfs_overall", "outcome": "PFS", "factor": "overall", "subgroup": "all", "measure": "HR",
                       "paper": {"estimate": 0.5, "ci_lb": 0.4, "ci_ub": 0.6, "text": "0.50 (0.40–0.60)"},
                       "book": {"k": 2, "n": 100, "hr": 0.5, "ci_lb": 0.25, "ci_ub": 0.8, "comparisons": ["a", "b"]},
                       "verdict": "agrees", "same_as": None}
    assert card[1]["paper"] == {"estimate": None, "ci_lb": None, "ci_ub": None, "text": "no estimate"}
    assert card[1]["same_as"] == "pfs_overall" and card[1]["subgroup"] == "III" and card[1]["factor"] == "phase"
    assert card[1]["verdict"] == "same comparisons as another row"


def test_results_json_safety():
    s = R.results_json(fake_results())["safety"]
    assert s[">=2"]["k"] == 2 and s[">=2"]["k_with_events"] == 2 and s[">=2"]["trials"] == ["a", "b"]
    assert s[">=2"]["pooled"] is True                                  # two trials with events: pooled
    mh = s[">=2"]["mh_or"]
    assert mh == {"or": pytest.approx(2.0), "ci_lb": pytest.approx(1.0), "ci_ub": pytest.approx(4.0)}
    assert s[">=3"] == {"k": 1, "k_with_events": 1, "trials": ["a"], "pooled": False, "mh_or": None}  # one: not pooled
    assert s["5"] == {"k": 0, "k_with_events": 0, "trials": [], "pooled": False, "mh_or": None}


def test_results_json_missing_and_scenarios():
    j = R.results_json(fake_results())
    assert j["missing_evidence"] == {
        "PFS": [{"id": "c", "label": "C", "n": 40.0, "reason": "no HR", "sources_say": "nothing", "favours": None}],
        "OS": [{"id": "b", "label": "B", "n": None, "reason": "r1", "sources_say": "s1", "favours": "MDT"},
               {"id": "c", "label": "C", "n": 40.0, "reason": "r2", "sources_say": "s2", "favours": "control"}]}
    assert j["scenarios"] == {"broader": [
        {"id": "pfs_overall", "k": 3, "n": 150, "hr": 0.6, "ci_lb": 0.3, "ci_ub": 1.2, "comparisons": ["a", "b", "d"]},
        {"id": "os_overall", "k": 0, "n": 0, "hr": None, "ci_lb": None, "ci_ub": None, "comparisons": []}]}


def test_write_results_json(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "results_json", lambda res: {"b": [1, 2], "a": "≥2", "c": 0.1})
    out = R.write_results_json(None, str(tmp_path / "r.json"))
    assert out == tmp_path / "r.json"
    text = out.read_text(encoding="utf-8")
    assert text == '{\n "a": "≥2",\n "b": [\n  1,\n  2\n ],\n "c": 0.1\n}\n'   # sorted, indent 1, not escaped
    assert json.loads(text) == {"a": "≥2", "b": [1, 2], "c": 0.1}


# --------------------------------------------------------------------------- landing page
@pytest.fixture
def glue(monkeypatch):
    """efficacy_glue_values and safety_glue_values (tested elsewhere) replaced by tags."""
    import helpers.review.efficacy as eff
    import helpers.review.safety as saf

    monkeypatch.setattr(eff, "efficacy_glue_values",
                        lambda rep: {"n": f"n-{rep.outcome}", "grade": f"g-{rep.outcome}",
                                     "certainty": f"c-{rep.outcome}", "robustness": f"r-{rep.outcome}"})
    monkeypatch.setattr(saf, "safety_glue_values",
                        lambda pooled, n: {"or2_sentence": f"ae {sorted(pooled)} of {n}"})
    import helpers.review.sof as sof
    monkeypatch.setattr(sof, "bottom_line", lambda review, reports, safety: f"bottom {sorted(reports)} {safety.re_k}")


def test_landing_glue_values(glue):
    v = R.landing_glue_values(fake_results())
    want = {"paper_records": "21", "paper_participants": "2,000", "paper_cutoff": "June 2024", "comparisons": "3",
            "trials": "2", "participants": "1,234", "records": "21", "model": "REML + HKSJ",
            "PFS_hr": "0.50 (0.25–0.80)", "PFS_k": "2 comparisons", "PFS_n": "n-PFS", "PFS_grade": "g-PFS",
            "PFS_certainty": "c-PFS", "PFS_robustness": "r-PFS", "PFS_missing": "1 included comparison",
            "OS_hr": "0.90 (0.60–1.35)", "OS_k": "1 comparison", "OS_n": "n-OS", "OS_grade": "g-OS",
            "OS_certainty": "c-OS", "OS_robustness": "r-OS", "OS_missing": "2 included comparisons",
            "ae_sentence": "ae ['5', '>=2', '>=3'] of 3", "bottom_line": "bottom ['OS', 'PFS'] 2"}
    assert {k: v[k] for k in want} == want
    assert set(v) == set(want) | {"plain_summary", "limit_sources", "limit_missing", "limit_participants"}


def test_summary_values_plain_summary_and_limits():
    res = fake_results()
    v = R._summary_values(res, res.review.paper_reported.set_index("analysis_id"))
    assert v["plain_summary"] == (
        "This book gathered the randomised trials that compared adding metastasis-directed therapy (MDT) to standard "
        "care with standard care alone in people with a few metastases: 3 comparisons from 2 trials, 1,234 "
        "participants. MDT added to standard of care probably improves progression-free survival (hazard ratio "
        "0.50 (0.25–0.80); 2 comparisons, moderate certainty). MDT added to standard of care may make little or no "
        "difference to overall survival (hazard ratio 0.90 (0.60–1.35); 1 comparison, low certainty). Grade 2 or "
        "worse adverse events were reported per arm by 2 trials. No trial reported treatment-related deaths (grade 5 "
        "adverse events) per arm. Of the 3 comparisons, 2 published no usable "
        "overall-survival result and 1 no usable progression-free result; the certainty counts them.")
    assert v["limit_missing"] == ("No poolable result: progression-free survival in 1 of 3 included comparisons, "
                                  "overall survival in 2 of 3.")
    assert v["limit_participants"] == ("1,234 participants in the included comparisons, 62% of the paper's 2,000; "
                                       "the paper's list of trials is not public.")
    # 21 included records (the excluded news record is not counted), by tier, most first
    assert v["limit_sources"] == (
        "MEDLINE, Embase and CENTRAL were not searched; only public sources were read, never a full text or a "
        "protocol: the 21 records used are 6 abstracts or journal pages, 5 news reports, 4 congress reports, "
        "3 registry entries, 2 reviews and 1 poster.")


def test_summary_values_harms_from_one_trial_and_singular_tiers():
    res = fake_results(usable_ae=1)
    paper = res.review.paper_reported.set_index("analysis_id")
    v = R._summary_values(res, paper)
    # the harm is named (grade 2 or worse), not "harms" in general: deaths are a sentence of their own
    assert ("Grade 2 or worse adverse events were reported per arm by one trial only, so the evidence on them is "
            "very uncertain. No trial reported treatment-related deaths") in v["plain_summary"]
    assert "Harms were" not in v["plain_summary"]
    for tier, words in [("abstract", "1 abstract or journal page"), ("news", "1 news report"),
                        ("congress", "1 congress report"), ("registry", "1 registry entry"), ("review", "1 review")]:
        res.review.records = pd.DataFrame({"decision": ["included", "excluded"], "source_tier": [tier, "poster"]})
        assert R._summary_values(res, paper)["limit_sources"].endswith(f"records used are {words}.")
    res.review.records = pd.DataFrame({"decision": ["included"] * 3, "source_tier": ["poster"] * 3})
    assert R._summary_values(res, paper)["limit_sources"].endswith("the 3 records used are 3 posters.")


def _deaths(rows, statuses=()):
    usable = pd.DataFrame(rows, columns=["trial", "ai", "n1i", "ci", "n2i"])
    return SimpleNamespace(usable=usable, table=pd.DataFrame({"status": ["usable"] * len(usable) + list(statuses)}))


def test_deaths_sentence_trial_by_trial():
    assert R.deaths_sentence(_deaths([])) == (
        "No trial reported treatment-related deaths (grade 5 adverse events) per arm.")
    assert R.deaths_sentence(_deaths([("A", 3, 66, 0, 33)], ["not reported"])) == (
        "Treatment-related deaths (grade 5 adverse events) were reported per arm by one trial only: 3 of 66 with MDT "
        "and none of 33 with control in A.")
    two = R.deaths_sentence(_deaths([("A", 3, 66, 0, 33), ("B", 0, 68, 0, 65)], ["incomplete", "not reported"]))
    assert two == ("Treatment-related deaths (grade 5 adverse events) were reported per arm by two trials: 3 of 66 "
                   "with MDT and none of 33 with control in A; none of 68 with MDT and none of 65 with control in B. "
                   "One more trial reports them incompletely (not for both arms with their sizes).")
    assert "pooled" not in two
    # four trials: added up (3 + 1 = 4 of 100 + 50 + 20 + 30 = 200; 0 + 2 = 2 of 50 + 25 + 10 + 15 = 100), said so
    four = R.deaths_sentence(_deaths([("A", 3, 100, 0, 50), ("B", 0, 50, 2, 25), ("C", 1, 20, 0, 10),
                                      ("D", 0, 30, 0, 15)], ["incomplete", "incomplete"]))
    assert four == ("Treatment-related deaths (grade 5 adverse events) were reported per arm by four trials: 4 deaths "
                    "among 200 patients given MDT and 2 among 100 controls, added up over the trials (the safety "
                    "chapter gives each trial). Two more trials report them incompletely (not for both arms with their "
                    "sizes).")


def _primary(p, rows):
    rows = pd.DataFrame(rows, columns=["level", "k", "hr", "ci_lb", "ci_ub", "in_test"])
    return SimpleNamespace(p_primary=p, p_separate=p, rows=rows)


def test_effect_modification_sentence():
    res = fake_results()
    rows = [("NSCLC", 3, 0.44, 0.20, 0.96, True), ("breast", 3, 0.87, 0.41, 1.87, True),
            ("prostate", 5, 0.39, 0.26, 0.60, True), ("mixed", 1, 1.02, 0.5, 2.0, False)]
    res.subgroups = {("PFS", "Primary cancer"): _primary(0.021, rows),
                     ("OS", "Primary cancer"): _primary(0.66, rows),
                     ("PFS", "Trial phase"): _primary(math.nan, rows), ("OS", "Trial phase"): _primary(math.nan, rows)}
    # |ln 0.87| = 0.14 is the smallest among the tested groups (mixed, HR 1.02, is not in the test);
    # two of the four tests have a p-value; OS (p = 0.66) says nothing
    want = ("The effect on progression-free survival appeared to differ between primary cancers (test for subgroup "
            "differences p = 0.02): the hazard ratio was closest to 1 (no effect) in breast cancer, 0.87 (0.41–1.87) "
            "from 3 comparisons. This compares different trials, not patients within the same trials, and is one of "
            "2 subgroup tests, so it suggests a hypothesis to test; it does not show that MDT works differently by "
            "cancer.")
    assert R.effect_modification_sentence(res) == want
    v = R._summary_values(res, res.review.paper_reported.set_index("analysis_id"))
    assert f"low certainty). {want} Grade 2 or worse" in v["plain_summary"]
    for word in ("proven", "pooled", "shows that"):
        assert word not in want
    # NSCLC closest to 1: named in reader words
    res.subgroups[("PFS", "Primary cancer")] = _primary(0.01, [("NSCLC", 2, 0.95, 0.5, 1.8, True),
                                                              ("prostate", 5, 0.39, 0.26, 0.60, True)])
    assert "closest to 1 (no effect) in non-small-cell lung cancer, 0.95 (0.50–1.80) from 2 comparisons" in (
        R.effect_modification_sentence(res))
    # not significant at the level's alpha (0.05 exactly included), or no subgroup result: nothing said
    for p in (0.05, 0.2, math.nan):
        res.subgroups[("PFS", "Primary cancer")] = _primary(p, rows)
        assert R.effect_modification_sentence(res) == ""
    res.subgroups = {}
    assert R.effect_modification_sentence(res) == ""


# --------------------------------------------------------------------------- build_results and its cache
def _git_repo(path: Path) -> str | None:
    if shutil.which("git") is None:
        return None
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e.org", "HOME": str(path), "PATH": __import__("os").environ["PATH"]}
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", "-C", str(path), *args], check=True, capture_output=True, env=env)
    return subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def wiring(monkeypatch):
    """Every part build_results assembles replaced by a tag of its arguments."""
    calls = []
    review = SimpleNamespace(name="review")
    monkeypatch.setattr(R, "load_review", lambda data: calls.append(data) or review)
    monkeypatch.setattr(R, "efficacy_report",
                        lambda rv, oc, s: SimpleNamespace(table=f"table-{oc}", missing=SimpleNamespace(table=f"m-{oc}"),
                                                          args=(rv.name, oc, s)))
    monkeypatch.setattr(R, "FACTORS", ("phase", "timing"))
    monkeypatch.setattr(R, "subgroup_analysis", lambda table, f, s: (table, f, s))
    monkeypatch.setattr(R, "GRADES", {">=2": "g2", "5": "g5"})
    monkeypatch.setattr(R, "pool_safety", lambda rv, g, s: (rv.name, g, s))
    monkeypatch.setattr(R, "scorecard", lambda rv, s, tables: ("card", rv.name, s, tables))
    monkeypatch.setattr(R, "review_counts", lambda rv: {"of": rv.name})
    monkeypatch.setattr(R, "scenario_scorecards", lambda rv, s: ("scenarios", rv.name, s))
    monkeypatch.setattr(R, "reader_labels", lambda rv: ("labels", rv.name))
    return calls


def test_build_results_wiring(tmp_path, wiring):
    book = make_book(tmp_path / "book")
    (book / "data" / "x.csv").write_bytes(b"1\n")
    commit = _git_repo(book)
    s = SimpleNamespace(tag="settings")
    res = R.build_results(book / "data", settings=s)
    assert wiring == [book / "data"]
    assert res.settings is s and res.review.name == "review" and res.counts == {"of": "review"}
    assert sorted(res.efficacy) == ["OS", "PFS"] and res.efficacy["OS"].args == ("review", "OS", s)
    assert res.missing == {"PFS": "m-PFS", "OS": "m-OS"}
    assert res.subgroups == {(oc, f): (f"table-{oc}", f, s) for oc in ("PFS", "OS") for f in ("phase", "timing")}
    assert res.safety == {">=2": ("review", ">=2", s), "5": ("review", "5", s)}
    assert res.scorecard == ("card", "review", s, {"PFS": "table-PFS", "OS": "table-OS"})
    assert res.scenarios == ("scenarios", "review", s) and res.labels == ("labels", "review")
    assert res.built_from == {"data_sha256": data_fingerprint(book / "data"), "commit": commit or "unknown"}


def test_build_results_outside_a_book_reads_the_commit_of_the_folder(tmp_path, wiring):
    folder = tmp_path / "loose"                  # no _config.yml: the folder is its own root
    folder.mkdir()
    (folder / "x.csv").write_bytes(b"2\n")
    commit = _git_repo(folder)
    res = R.build_results(str(folder))
    assert res.settings is R.SETTINGS
    assert res.built_from == {"data_sha256": data_fingerprint(folder), "commit": commit or "unknown"}
    plain = tmp_path / "plain"
    plain.mkdir()
    assert R.build_results(plain).built_from["commit"] == "unknown"
    assert R._commit(plain) == "unknown"


def test_build_results_default_data(wiring, monkeypatch):
    monkeypatch.delenv("MDT_BOOK_DATA", raising=False)
    res = R.build_results()
    assert wiring == [None]
    from helpers.review.build_info import git_commit
    from helpers.review.paths import book_root
    assert res.built_from == {"data_sha256": data_fingerprint(data_dir()),
                              "commit": git_commit(book_root(data_dir())) or "unknown"}


def make_book(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "helpers").mkdir()
    (root / "_config.yml").write_text("title: t\n", encoding="utf-8")
    return root


def test_load_results_reads_the_cache_of_this_fingerprint(tmp_path, monkeypatch):
    book = make_book(tmp_path / "book")
    (book / "data" / "x.csv").write_bytes(b"1\n")
    cache = book / "_build" / ".results" / f"{inputs_fingerprint(book)}.pkl"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(pickle.dumps({"cached": 1}))
    monkeypatch.setattr(R, "build_results", lambda data: pytest.fail("rebuilt although cached"))
    assert R.load_results(book) == {"cached": 1}
    monkeypatch.chdir(book)
    assert R.load_results() == {"cached": 1}                       # default: the book of the working directory


def test_load_results_builds_and_keeps_a_missing_or_broken_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("MDT_BOOK_DATA", raising=False)
    book = make_book(tmp_path / "book")
    (book / "data" / "x.csv").write_bytes(b"1\n")
    built = []
    monkeypatch.setattr(R, "build_results", lambda data: built.append(data) or {"built": len(built)})
    assert R.load_results(str(book)) == {"built": 1}
    assert built == [book.resolve() / "data"]
    folder = book / "_build" / ".results"
    cache = folder / f"{inputs_fingerprint(book)}.pkl"
    assert [p.name for p in folder.iterdir()] == [cache.name]      # no temporary file left
    assert pickle.loads(cache.read_bytes()) == {"built": 1}
    assert R.load_results(book) == {"built": 1} and len(built) == 1   # read back, not rebuilt
    cache.write_bytes(b"not a pickle")
    assert R.load_results(book) == {"built": 2}
    assert pickle.loads(cache.read_bytes()) == {"built": 2}
