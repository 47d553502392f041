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


# --------------------------------------------------------------------------- the book, built once
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"
_COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", "venv", ".git", ".pytest_cache", ".hypothesis",
                                      "__pycache__", "artifacts", "*.egg-info")


def jupyter_book_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else ["jupyter-book"]


def copy_book(dest: Path) -> Path:
    """A clean copy of the book (no _build, no caches) at ``dest``."""
    shutil.copytree(ROOT, dest, ignore=_COPY_IGNORE)
    return dest


def build_book(book: Path, log_name: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    run = subprocess.run([*jupyter_book_cmd(), "build", str(book), "-W", "-n", "--keep-going", *extra],
                         capture_output=True, text=True, timeout=1800)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / log_name).write_text(run.stdout + "\n--- stderr ---\n" + run.stderr, encoding="utf-8")
    return run


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The book built once per test run from a clean copy, warnings as errors."""
    book = copy_book(tmp_path_factory.mktemp("book") / "book")
    run = build_book(book, "build.log")
    assert run.returncode == 0, "the book does not build:\n" + run.stdout[-6000:] + run.stderr[-4000:]
    return book
