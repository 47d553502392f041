"""Subgroup tests against metafor: the separate-τ² Q-between and the common-τ² moderator test."""
from __future__ import annotations

import numpy as np
import pandas as pd

import helpers as h
from helpers.review.settings import AnalysisSettings
from helpers.review.subgroups import subgroup_analysis
from helpers.meta.subgroup import q_between
from conftest import close


def test_separate_tau2_q_between_matches_metafor(reference):
    ds = reference["datasets"]["bcg"]
    groups = np.array(reference["subgroup_groups"])
    y, v = np.array(ds["yi"]), np.array(ds["vi"])
    for key, case in reference["subgroups_separate"].items():
        est, ses, taus = [], [], []
        for level in case["levels"]:
            res = h.rma(y[groups == level], v[groups == level], method=case["method"], test=case["test"])
            est.append(res.beta), ses.append(res.se), taus.append(res.tau2)
        close(est, case["estimates"], f"{key} estimates")
        close(ses, case["ses"], f"{key} se")
        close(taus, case["tau2"], f"{key} tau2")
        q, df, p = q_between(est, ses)
        close(q, case["Qb"], f"{key} Qb")
        close(p, case["Qbp"], f"{key} Qbp")


def _table(reference):
    ds = reference["datasets"]["bcg"]
    groups = reference["subgroup_groups"]
    return pd.DataFrame({"yi": ds["yi"], "vi": ds["vi"], "estimable": True, "n": 100, "trial": [f"T{i}" for i in range(13)],
                         "mdt_modality": "SBRT", "modality_class": "SBRT/RT", "phase": groups, "estimable_": True})


def test_subgroup_analysis_reproduces_both_tests(reference):
    """subgroup_analysis on the BCG data grouped by allocation equals metafor's two tests."""
    t = _table(reference)
    for key, case in reference["subgroups_separate"].items():
        settings = AnalysisSettings(method=case["method"], test=case["test"])
        res = subgroup_analysis(t, "Trial phase", settings)
        close(res.q_separate, case["Qb"], key)
        close(res.p_separate, case["Qbp"], key)
    for key, case in reference["subgroups"].items():
        settings = AnalysisSettings(method=case["method"], test=case["test"])
        res = subgroup_analysis(t, "Trial phase", settings)
        close(res.qm_common, case["QM"], key)
        close(res.p_common, case["QMp"], key)


def test_singleton_rule_is_applied(reference):
    t = _table(reference).iloc[:7].copy()
    t.loc[t.index[0], "phase"] = "lonely"
    with_single = subgroup_analysis(t, "Trial phase", AnalysisSettings(subgroup_singletons_enter=True))
    without = subgroup_analysis(t, "Trial phase", AnalysisSettings(subgroup_singletons_enter=False))
    assert with_single.df_separate == without.df_separate + 1
