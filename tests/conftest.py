"""Shared fixtures: the metafor reference values and tolerances."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_JSON = ROOT / "tests" / "reference" / "metafor_reference.json"
REFERENCE_R = ROOT / "tests" / "reference" / "metafor_reference.R"
RTOL, ATOL = 1e-6, 1e-9   # metafor agreement: relative, with an absolute floor where the truth is 0
IN_CI = os.environ.get("CI", "").lower() == "true"


def close(ours, ref, what: str = "") -> None:
    """Assert agreement with a metafor value (None in the JSON means NA)."""
    if ref is None:
        assert ours is None or np.isnan(ours), f"{what}: metafor gives NA, we give {ours}"
        return
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(ref, dtype=float),
                               rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.fixture(scope="session")
def reference() -> dict:
    return json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))
