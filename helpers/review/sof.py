"""GRADE summary of findings: relative and absolute effects, the computed certainty and
the reviewers' judgements from ``data/grade.csv``, with every disagreement shown."""
from __future__ import annotations

import math

import pandas as pd

from helpers.review.data import Review
from helpers.review.efficacy import GROUP_WORDS, OUTCOME_PHRASES, efficacy_report
from helpers.review.efficacy import absolute_brief, absolute_range, absolute_sentence, more_fewer, more_fewer_interval
from helpers.review.grade import DOMAINS, certainty, grade_triggers, grade_wording_for
from helpers.show.text import fmt_ratio
from helpers.review.safety import SafetyResult, pool_safety
from helpers.review.subgroups import cancer_interaction

__all__ = ["summary_of_findings", "landing_summary", "JUDGEMENT_LEVELS", "absolute_from_odds_ratio", "risk_with_odds_ratio",
           "bottom_line"]

JUDGEMENT_LEVELS = {"not serious": 0, "serious": 1, "very serious": 2}


def _judged(review: Review, outcome: str) -> dict[str, tuple[int, str]]:
    g = review.grade[review.grade["outcome"] == outcome].set_index("domain")
    return {d: (JUDGEMENT_LEVELS[g.at[d, "judgement"]], g.at[d, "reason"]) if d in g.index else (0, "no judgement")
            for d in DOMAINS}


def summary_of_findings(review: Review, reports: dict | None = None,
                        safety: SafetyResult | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary-of-findings rows, domain-by-domain comparison of computed and judged).
    ``reports`` (outcome → ``EfficacyReport``) and ``safety`` (grade ≥2) are the build's results;
    computed here when not given."""
    rows, checks = [], []
    for oc in ("PFS", "OS"):
        rep = reports[oc] if reports is not None else efficacy_report(review, oc)
        r = rep.res
        hr, lb, ub = math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub)
        computed, judged = rep.grade, _judged(review, oc)
        absolute = absolute_sentence(rep)
        rows.append({"Outcome": OUTCOME_PHRASES[oc], "Relative effect (95% CI)": f"HR {fmt_ratio(hr, lb, ub)}",
                     "Absolute effect (control baseline per cancer group)": absolute,
                     "Comparisons (participants)": f"{r.k} ({int(rep.pooled['n'].dropna().sum()):,})",
                     "Certainty (judged)": certainty(judged), "Certainty (computed)": certainty(computed),
                     "Plain language": grade_wording_for(certainty(judged), hr, lb, ub, OUTCOME_PHRASES[oc])})
        checks += _compare(oc, computed, judged)
    s = safety if safety is not None else pool_safety(review, ">=2")
    label = "AE grade >=2"
    judged = _judged(review, label)
    if s.mh_or is not None and s.re_or is not None:
        orr, lb, ub = math.exp(s.mh_or.beta), math.exp(s.mh_or.ci_lb), math.exp(s.mh_or.ci_ub)
        n = int(s.usable["n1i"].sum() + s.usable["n2i"].sum())
        computed = grade_triggers(s.re_or, None, label, None, n)
        p0 = s.risk_control
        one = "one trial: " if s.re_k == 1 else ""
        rows.append({"Outcome": "grade ≥2 adverse events", "Relative effect (95% CI)": f"{one}OR {fmt_ratio(orr, lb, ub)}",
                     "Absolute effect (control baseline per cancer group)":
                         f"{absolute_from_odds_ratio(p0, orr, lb, ub)}; control risk {1000 * p0:.0f} per 1,000, "
                         + ("pooled from the trials' control arms" if len(s.usable) > 1 else
                            f"from the control arm of one trial ({s.usable['trial'].iloc[0]}); nothing is pooled"),
                     "Comparisons (participants)": f"{len(s.usable)} ({n:,})",
                     "Certainty (judged)": certainty(judged), "Certainty (computed)": certainty(computed),
                     "Plain language": grade_wording_for(certainty(judged), orr, lb, ub, "grade ≥2 adverse events",
                                                         increase_is_harm=True)})
        checks += _compare(label, computed, judged)
    return pd.DataFrame(rows), pd.DataFrame(checks)


def risk_with_odds_ratio(p0: float, odds_ratio: float) -> float:
    """The risk with MDT from the control risk ``p0`` (a proportion) and an odds ratio:
    p1 = OR·p0 / (1 − p0 + OR·p0)."""
    return odds_ratio * p0 / (1 - p0 + odds_ratio * p0)


def absolute_from_odds_ratio(p0: float, odds_ratio: float, lb: float, ub: float) -> str:
    """GRADE's absolute effect: the odds ratio and its 95% CI applied to the control risk
    ``p0``, as a difference per 1,000 ('212 more per 1,000 with MDT (95% CI 15 to 523 more)')."""
    d = [1000 * (risk_with_odds_ratio(p0, x) - p0) for x in (odds_ratio, lb, ub)]
    return f"{more_fewer(d[0])} per 1,000 with MDT (95% CI {more_fewer_interval(d[1], d[2])})"


DISAGREE = "no: the judgement departs from the trigger (see the reasons)"


def _compare(outcome, computed, judged) -> list[dict]:
    outcome = "Grade ≥2 adverse events" if outcome == "AE grade >=2" else outcome
    out = []
    for d in DOMAINS:
        c, why_c = computed[d]
        j, why_j = judged[d]
        out.append({"Outcome": outcome, "Domain": d, "Computed trigger": ["not serious", "serious", "very serious"][c],
                    "Why (computed)": why_c, "Judged": ["not serious", "serious", "very serious"][j],
                    "Why (judged)": why_j, "Agree": "yes" if c == j else DISAGREE})
    return out


_MARKS = "abcdefghijklmnopqrstuvwxyz"


def effect_modification_note(reports: dict, outcome: str, subgroups: dict | None) -> str:
    """Where the interaction test by primary cancer is significant, say that the absolute effects
    apply the pooled HR to every cancer group all the same, with each group's own HR (GRADE uses
    the pooled relative effect unless a subgroup effect is credible; this one compares trials)."""
    from helpers.show.text import fmt_p, join_words

    if not subgroups:
        return ""
    rep = reports[outcome]
    res = cancer_interaction(subgroups, outcome, rep.settings.level)
    if res is None:
        return ""
    shown = set(rep.absolute["cancer_group"])
    rows = res.rows[res.rows["level"].isin(shown)]
    own = [f"{GROUP_WORDS.get(r['level'], r['level'])} {fmt_ratio(r['hr'], r['ci_lb'], r['ci_ub'])}"
           for _, r in rows.iterrows()]
    return (f" The pooled HR is applied to every group although the effect differed between primary cancers "
            f"(interaction {fmt_p(res.p_primary)}; a comparison between trials, not adjusted for the other "
            f"subgroup tests)" + (f"; the groups' own HRs: {join_words(own)}." if own else "."))


def landing_summary(review: Review, reports: dict, safety: SafetyResult,
                    subgroups: dict | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The landing page's GRADE summary of findings (Cochrane's layout): outcome; comparisons
    (participants); relative effect; absolute effect per 1,000 with its named baseline;
    certainty (the reviewers' judgement) with a footnote for every downgraded domain; and the
    GRADE plain-language statement. Returns (table, footnotes "a. …"). With ``subgroups`` (the
    build's subgroup results), the absolute-effect footnote says where the effect differed
    between primary cancers."""
    sof, _ = summary_of_findings(review, reports, safety)
    outcomes = ["PFS", "OS", "AE grade >=2"][:len(sof)]
    notes, rows = [], []
    for oc, row in zip(outcomes, sof.to_dict("records")):
        if oc in ("PFS", "OS"):    # the range in the cell, each cancer group in a footnote
            mark = _MARKS[len(notes)]
            brief = absolute_brief(reports[oc])
            notes.append(f"{mark}. {row['Outcome'].capitalize()}, absolute effect by cancer group: "
                         f"{brief[:1].lower()}{brief[1:]}" + effect_modification_note(reports, oc, subgroups))
            absolute = f"{absolute_range(reports[oc])} ({mark})."
        else:
            absolute = row["Absolute effect (control baseline per cancer group)"]
        marks = []
        for d, (level, why) in _judged(review, oc).items():
            if level:
                mark = _MARKS[len(notes)]
                marks.append(mark)
                notes.append(f"{mark}. {row['Outcome'].capitalize()}, {d}: downgraded "
                             f"{'one level' if level == 1 else 'two levels'} ({why}).")
        rows.append({"Outcome": row["Outcome"].capitalize(), "Comparisons (participants)": row["Comparisons (participants)"],
                     "Relative effect (95% CI)": row["Relative effect (95% CI)"],
                     "Absolute effect (baseline: control-arm medians)": absolute,
                     "Certainty": row["Certainty (judged)"] + (f" ({', '.join(marks)})" if marks else ""),
                     "What it means": row["Plain language"] + "."})
    return pd.DataFrame(rows), notes


def bottom_line(review: Review, reports: dict, safety: SafetyResult) -> str:
    """The landing page's bottom line, one sentence per row of the summary of findings: GRADE's
    statement, the relative effect with its 95% CI and the certainty (the reviewers' judgement,
    as in the table). With one trial of harms the odds ratio is that trial's, and said so."""
    from helpers.show.text import fmt_ci, fmt_num

    sof, _ = summary_of_findings(review, reports, safety)
    rel = []
    for oc in ("PFS", "OS"):
        r = reports[oc].res
        rel.append(f"hazard ratio {fmt_num(math.exp(r.beta))}, 95% CI {fmt_ci(math.exp(r.ci_lb), math.exp(r.ci_ub))}")
    if len(sof) > 2:
        m = safety.mh_or
        rel.append(("one trial: " if safety.re_k == 1 else "")
                   + f"odds ratio {fmt_num(math.exp(m.beta))}, 95% CI {fmt_ci(math.exp(m.ci_lb), math.exp(m.ci_ub))}")
    out = [f"{row['Plain language']} ({r}; {row['Certainty (judged)']} certainty)."
           for row, r in zip(sof.to_dict("records"), rel)]
    if len(sof) == 2:
        out.append("No trial reports grade ≥2 adverse events per arm in a form that gives an odds ratio.")
    return " ".join(out)

