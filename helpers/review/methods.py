"""The methods chapter's values (read from ``SETTINGS``, so text and code cannot disagree)
and its risk-of-bias figures."""
from __future__ import annotations

from helpers.review.labels import reader_labels
from helpers.review.settings import SETTINGS, AnalysisSettings
from helpers.review.grade import EGGER_P
from helpers.show.text import count, join_words, number_word

__all__ = ["glossary_glue_values", "hksj_in_this_book", "methods_glue_values", "rob_figures"]


# which 2×2 tables get the continuity correction (metafor's ``to`` argument), in words
ZERO_CELL_TABLES = {"only0": "tables with a zero cell (as metafor does for studies with zero cells only)",
                    "all": "every table", "if0all": "every table when any table has a zero cell",
                    "none": "no table"}


def methods_glue_values(review, settings: AnalysisSettings = SETTINGS) -> dict[str, str]:
    """The pre-specified methods in words, the search cut-off, the metafor version and the
    trials that contribute more than one comparison."""
    from helpers.review.metafor_check import metafor_agreement

    s = settings
    paper = review.paper_reported.set_index("analysis_id")
    multi = review.included.groupby("trial_group").filter(lambda g: len(g) > 1)
    groups = reader_labels(review)
    return {
        "primary": s.describe(), "level": f"{s.level:g}%",
        "others": "; ".join(s.describe(m, t) for m, t in s.sensitivity_models),
        "pi": ("the Riley et al. prediction interval, from a t distribution with k − 2 degrees of freedom"
               if s.pi == "riley"
               else "metafor's default prediction interval, from the normal distribution, or from a t distribution "
                    "with k − 1 degrees of freedom under the Hartung–Knapp tests"),
        "subgroup_test": "separate-τ² (R meta, RevMan)" if s.subgroup_test == "separate_tau2"
        else "common-τ² (a meta-regression on the subgroup indicator)",
        "singletons": "enter" if s.subgroup_singletons_enter else "do not enter",
        "min_k": str(s.min_k_small_study), "egger_p": f"{EGGER_P:.2f}", "add": f"{s.or_add:g}", "to": ZERO_CELL_TABLES.get(s.or_to, s.or_to),
        "cutoff": paper.at["search_cutoff", "finding"], "months": f"{s.absolute_months:g}",
        "metafor": metafor_agreement()["metafor_version"],
        "cohorts": join_words([f"{groups.group(grp)} ({count(len(g), 'comparison')})"
                               for grp, g in multi.groupby("trial_group")]) or "none here",
    }


_HKSJ_FORMS = {"adhoc": "the ad hoc version", "knha": "the untruncated version", "z": "the z interval"}


def hksj_in_this_book(settings: AnalysisSettings = SETTINGS) -> str:
    """Which Hartung–Knapp–Sidik–Jonkman interval this book's primary model uses, and which forms
    are shown beside it, read from the settings (the glossary's last sentence on HKSJ)."""
    s = settings
    primary = {"adhoc": "uses the ad hoc version, so its interval is never narrower than the z interval",
               "knha": "uses the untruncated version, so its interval can be narrower than the z interval",
               "z": "uses the z interval, not HKSJ"}.get(s.test, f"uses {s.labels.get(s.test, s.test)}")
    shown = [words for test, words in _HKSJ_FORMS.items()
             if test != s.test and any(t == test for _, t in s.sensitivity_models)]
    beside = (f"; {join_words(shown)} {'is' if len(shown) == 1 else 'are'} shown beside it as "
              f"{'a sensitivity analysis' if len(shown) == 1 else 'sensitivity analyses'}") if shown else ""
    return f"This book's primary model {primary}{beside}."


def glossary_glue_values(settings: AnalysisSettings = SETTINGS) -> dict[str, str]:
    """The glossary's values that follow the settings: the smallest number of comparisons for the
    small-study tests (in words), the minimal important HR, the continuity correction, the HKSJ
    form of this book and the scale of the half-normal prior on τ."""
    return {"min_k_small_study": number_word(settings.min_k_small_study), "mcid_hr": f"{settings.mcid_hr:.2f}",
            "or_add": f"{settings.or_add:g}", "hksj": hksj_in_this_book(settings),
            "tau_scale": f"{settings.tau_prior[1]:g}"}


def rob_figures(rep, review) -> tuple:
    """(traffic-light plot, weighted summary) of RoB 2 for the comparisons pooled in ``rep``."""
    from helpers.show import plots

    rob = review.risk_of_bias[review.risk_of_bias["outcome"] == rep.outcome].set_index("trial_id")
    pooled = rep.pooled.set_index("trial_id")
    ids = [t for t in pooled.index if t in rob.index]
    weight = dict(zip(rep.pooled["trial_id"], rep.res.weights))
    return (plots.rob_traffic_light(rob.loc[ids].reset_index(), list(pooled.loc[ids, "trial"])),
            plots.rob_summary(rob.loc[ids].reset_index(), [weight[t] for t in ids]))
