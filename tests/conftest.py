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
                                      "__pycache__", "artifacts", "*.egg-info",
                                      "trials")   # written at build time (git-ignored), as in a fresh clone


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


# --------------------------------------------------------------------------- the site in a browser
import functools  # noqa: E402
import http.server  # noqa: E402
import threading  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def site_url(built_book):
    """The built site served on 127.0.0.1 (a free port) for the duration of the run."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output readable
            pass

    handler = functools.partial(Quiet, directory=str(built_book / "_build" / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright; a failure under CI=true if missing."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if exe is None or sync_playwright is None:
        msg = "headless Chromium (Debian package 'chromium') and playwright are needed for the browser tests"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def edit_csv(path: Path, key: str, value: str, changes: dict) -> None:
    """Rewrite the rows of a CSV whose ``key`` column equals ``value`` (``changes``: column →
    new value, or a function of the old value); fails if no row matches."""
    import csv

    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hits = [r for r in rows if r[key] == value]
    assert hits, f"no row with {key} = {value} in {path.name}"
    for r in hits:
        for col, new in changes.items():
            r[col] = new(r[col]) if callable(new) else new
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
