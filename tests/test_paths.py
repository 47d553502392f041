"""helpers finds the book's data/ whatever the working directory."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_data_dir_found_from_another_directory(tmp_path):
    code = "import helpers; print(helpers.data_dir()); print(len(helpers.read_table('paper_reported')))"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.split()
    assert lines[0] == str(ROOT / "data")
    assert int(lines[1]) > 0


def test_data_dir_found_from_chapters():
    code = "import helpers; print(helpers.book_root())"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "chapters", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(ROOT)
