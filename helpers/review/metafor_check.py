"""How closely helpers reproduces R metafor: every reference value written by
``tests/reference/metafor_reference.R`` recomputed, with the largest relative difference.
The tests assert it; the reproducibility page reports it."""
from __future__ import annotations

import json
from pathlib import Path

from helpers.meta.rma import rma

__all__ = ["metafor_agreement", "metafor_glue_values", "REFERENCE_JSON"]

REFERENCE_JSON = Path(__file__).resolve().parents[2] / "tests" / "reference" / "metafor_reference.json"
FIELDS = ("beta", "se", "zval", "pval", "ci_lb", "ci_ub", "tau2", "I2", "H2", "QE", "QEp")


def metafor_agreement(path: Path = REFERENCE_JSON) -> dict:
    """Recompute every rma() fit in the reference file: the number of values compared and
    the largest relative difference (absolute where metafor's value is 0)."""
    ref = json.loads(Path(path).read_text(encoding="utf-8"))
    n, worst, worst_at = 0, 0.0, ""
    for key, case in ref["fits"].items():
        ds = ref["datasets"][case["dataset"]]
        res = rma(ds["yi"], ds["vi"], method=case["method"], test=case["test"])
        for f in FIELDS:
            want = case["fit"][f]
            if want is None:
                continue
            got = float(getattr(res, f))
            diff = abs(got - want) / abs(want) if want != 0 else abs(got)
            n += 1
            if diff > worst:
                worst, worst_at = diff, f"{key} {f}"
    return {"metafor_version": ref["metafor_version"], "R_version": ref["R_version"], "n_values": n,
            "n_models": len(ref["fits"]), "max_rel_diff": worst, "worst": worst_at,
            "methods": sorted({c["method"] for c in ref["fits"].values()}),
            "tests": sorted({c["test"] for c in ref["fits"].values()})}


def metafor_glue_values(path: Path = REFERENCE_JSON) -> dict[str, str]:
    """``metafor_agreement`` in words for the reproducibility page."""
    v = metafor_agreement(path)
    return {"n_values": f"{v['n_values']:,}", "n_models": str(v["n_models"]), "max": f"{v['max_rel_diff']:.1e}",
            "metafor": v["metafor_version"], "R": v["R_version"], "methods": ", ".join(v["methods"]),
            "tests": ", ".join(v["tests"])}
