"""The committed metafor reference values are what the committed R script produces.

When ``Rscript`` is present the script is rerun into a temporary file and every
number compared with the committed JSON; under ``CI=true`` a missing ``Rscript``
is a failure, not a skip (``.ci/run`` installs Debian's r-cran-metafor).
"""
from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from conftest import IN_CI, REFERENCE_JSON, REFERENCE_R, ROOT


def _walk(a, b, path="$"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: keys differ"
        for key in a:
            _walk(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            _walk(x, y, f"{path}[{i}]")
    elif isinstance(a, (int, float)) and not isinstance(a, bool) and a is not None:
        assert isinstance(b, (int, float)), f"{path}: {a!r} vs {b!r}"
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=path)
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


def test_committed_reference_is_reproduced_by_the_r_script(tmp_path):
    rscript = shutil.which("Rscript")
    if rscript is None:
        if IN_CI:
            pytest.fail("Rscript is missing under CI=true: install r-cran-metafor and r-cran-jsonlite")
        pytest.skip("Rscript not installed (apt-get install --no-install-recommends r-cran-metafor r-cran-jsonlite)")
    out = tmp_path / "ref.json"
    run = subprocess.run([rscript, str(REFERENCE_R), str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    fresh = json.loads(out.read_text(encoding="utf-8"))
    committed = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))
    fresh.pop("R_version"), committed.pop("R_version")
    _walk(fresh, committed)
