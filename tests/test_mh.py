"""Mantel–Haenszel, Peto and escalc(OR) against metafor's rma.mh, rma.peto and escalc."""
from __future__ import annotations

import numpy as np
import pytest

import helpers as h
from conftest import close


@pytest.mark.parametrize("table", ["bcg", "sparse"])
def test_mh_peto_escalc_match_metafor(reference, table):
    case = reference["twobytwo"][table]
    x = case["data"]
    args = (x["ai"], x["n1i"], x["ci"], x["n2i"])
    for name, res in (("mh_or", h.rma_mh(*args, measure="OR")), ("mh_rd", h.rma_mh(*args, measure="RD")),
                      ("peto", h.rma_peto(*args))):
        for f, ref in case[name].items():
            close(getattr(res, f), ref, f"{table} {name} {f}")
    yi, vi = h.escalc_or(*args)
    close(yi, [np.nan if v is None else v for v in case["escalc_or"]["yi"]], "escalc yi")
    close(vi, [np.nan if v is None else v for v in case["escalc_or"]["vi"]], "escalc vi")


def test_double_zero_table_is_dropped_from_escalc():
    yi, vi = h.escalc_or([0, 1], [10, 10], [0, 0], [10, 10])
    assert np.isnan(yi[0]) and np.isnan(vi[0])
    assert yi[1] == pytest.approx(np.log((1.5 * 10.5) / (9.5 * 0.5)))


def test_counts_out_of_range_raise():
    with pytest.raises(ValueError):
        h.rma_mh([5], [4], [1], [10])
    with pytest.raises(h.NotEstimable):
        h.rma_mh([0], [4], [0], [10])
