"""One results object: the landing page, the chapters and results.json show the same numbers,
all from the primary model."""
from __future__ import annotations

import html
import json
import re

import helpers
from helpers.review.results import build_results, results_json
from helpers.review.scorecard import VERDICTS, verdict


def _text(path) -> str:
    t = path.read_text(encoding="utf-8")
    t = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", t, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", t))


def test_pages_and_results_json_agree(built_book):
    site = built_book / "_build" / "html"
    data = json.loads((site / "results.json").read_text(encoding="utf-8"))
    assert data["model"] == {"method": helpers.SETTINGS.method, "test": helpers.SETTINGS.test,
                             "level": helpers.SETTINGS.level, "pi": helpers.SETTINGS.pi}
    intro = _text(site / "intro.html")
    for oc, page in (("PFS", "pfs"), ("OS", "os")):
        p = data["pooled"][oc]
        shown = helpers.fmt_ratio(p["hr"], p["ci_lb"], p["ci_ub"])
        assert shown in intro, f"{oc} {shown} not on the landing page"
        assert shown in _text(site / "chapters" / f"{page}.html"), f"{oc} {shown} not on its chapter"
    sub = _text(site / "chapters" / "subgroups.html")
    for row in data["scorecard"]:
        if row["book"]["hr"] is not None and row["book"]["k"] >= 2:
            b = row["book"]
            assert helpers.fmt_ratio(b["hr"], b["ci_lb"], b["ci_ub"]) in sub
        assert row["verdict"] in VERDICTS or row["verdict"] == "no estimate in the paper"


def test_results_json_pools_exactly_what_it_lists():
    res = build_results()
    data = results_json(res)
    for oc, p in data["pooled"].items():
        refit = helpers.rma([c["yi"] for c in p["comparisons"]], [c["vi"] for c in p["comparisons"]],
                            method=data["model"]["method"], test=data["model"]["test"])
        assert abs(refit.beta - __import__("math").log(p["hr"])) < 1e-12
        assert p["k"] == len(p["comparisons"])


def test_one_comparison_is_never_called_agreement():
    assert verdict(1, 0.5, 0.3, 0.8, 0.5, 0.3, 0.8) == "cannot compare (one comparison)"
    assert verdict(0, float("nan"), float("nan"), float("nan"), 0.5, 0.3, 0.8) == "cannot compare (no comparison)"
    assert verdict(3, 0.5, 0.3, 0.8, 0.6, 0.4, 0.9) == "agrees"
    assert verdict(3, 0.5, 0.2, 1.3, 0.6, 0.4, 0.9) == "same direction, significance differs"
    assert verdict(3, 1.2, 0.9, 1.6, 0.6, 0.4, 0.9) == "direction differs"


def test_scorecard_uses_the_primary_model_and_marks_shared_rows():
    card = build_results().scorecard
    ae = card[card["measure"] == "OR"].iloc[0]
    if ae["k"] == 1:
        assert ae["verdict"] == "cannot compare (one comparison)" and ae["book"].startswith("one trial")
    shared = card[card["same_as"] != ""]
    for _, r in shared.iterrows():
        first = card[card["analysis_id"] == r["same_as"]].iloc[0]
        assert first["ids"] == r["ids"] and r["verdict"] == "same comparisons as another row"


def test_harms_from_one_trial_are_not_called_pooled():
    from helpers.review.safety import safety_glue_values

    res = build_results()
    s = safety_glue_values(res.safety, len(res.review.included))["or2_sentence"]
    if len(res.safety[">=2"].usable) == 1:
        assert "pooled" not in s.replace("Nothing is pooled", "").replace("paper's pooled", "")
        assert "one trial" in s.lower()


def test_scenarios_broader_eligibility_and_dichotomy_bounds():
    """Broader eligibility adds exactly the comparisons excluded for >5 lesions or primary-tumour
    treatment; the dichotomy bounds leave no comparison 'mixed'; results.json carries them."""
    from helpers.review.counts import exclusion_class
    from helpers.review.differences import BROADER, broader_trials, mixed_majority, scenario_review

    res = build_results()
    review = res.review
    ex = review.trials[review.trials["included"] == "no"]
    want = {t for t, r in zip(ex["trial_id"], ex["exclusion_reason"].fillna("")) if exclusion_class(r) in BROADER}
    assert set(broader_trials(review)["trial_id"]) == want and want
    wide = scenario_review(review, "broader")
    assert set(wide.included["trial_id"]) == set(review.included["trial_id"]) | want
    majority = mixed_majority(review)
    assert majority == {"extend_prostate": "recurrent"}          # 72% prior definitive treatment
    for state in ("de_novo", "recurrent"):
        s = scenario_review(review, f"mixed_{state}")
        assert "mixed" not in set(s.included["disease_state"])
        moved = (review.included["disease_state"] == "mixed").values
        got = dict(zip(s.included.loc[moved, "trial_id"], s.included.loc[moved, "disease_state"]))
        assert got == {t: majority.get(t, state) for t in got}
    j = results_json(res)
    assert set(j["scenarios"]) == {"broader", "mixed_de_novo", "mixed_recurrent"}
    pfs_overall = next(r for r in j["scenarios"]["broader"] if r["id"] == j["scorecard"][0]["id"])
    assert pfs_overall["k"] >= j["scorecard"][0]["book"]["k"]
