"""The book as built: a clean copy builds with warnings as errors, every chapter is on
the site, and a change in data/ reaches the page on the next (incremental) build."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from conftest import ROOT, build_book, edit_csv

CHAPTERS = ["methods", "search", "pfs", "os", "subgroups", "safety", "differences", "reproducibility"]


def _html(book: Path, page: str) -> str:
    return (book / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")


def test_every_page_is_built_and_executed(built_book):
    for page in ["intro", *[f"chapters/{c}" for c in CHAPTERS]]:
        html = _html(built_book, page)
        assert 'class="cell_output' in html or "cell_output" in html, f"{page}: no executed cell output"
        for bad in ("Traceback (most recent call last)", "np.float64(", "<span class=\"pasted-text\">'",
                    "Error", "glue:"):
            assert bad not in re.sub(r"<script.*?</script>", "", html, flags=re.S), f"{page}: '{bad}' on the page"


def test_config_guards():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert cfg["only_build_toc_files"] is True
    assert cfg["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert cfg["execute"]["execute_notebooks"] == "force"
    for pattern in (".venv", "tests", "bench", "data/README.md"):
        assert pattern in cfg["exclude_patterns"]
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for c in CHAPTERS:
        assert f"chapters/{c}" in toc
        text = (ROOT / "chapters" / f"{c}.md").read_text(encoding="utf-8")
        assert text.startswith("---\njupytext:") and "kernelspec:" in text and "```{code-cell}" in text


def test_readme_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n\s*(.*?)\n\s*```", readme, flags=re.S)
    assert len(commands) == 2, "README must give exactly two commands"
    build_cmd, test_cmd = (c.strip() for c in commands)
    assert "jupyter-book build ." in build_cmd and "pip install -r requirements.txt" in build_cmd
    assert "pytest" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci.splitlines(), ".ci/run must run the README's test command verbatim"


def test_requirements_pin_everything():
    lines = [ln for ln in (ROOT / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    assert all("==" in ln for ln in lines), [ln for ln in lines if "==" not in ln]
    names = {ln.split("==")[0].lower().replace("_", "-") for ln in lines}
    for pkg in ("jupyter-book", "myst-nb", "sphinx", "sphinx-book-theme", "docutils", "nbclient", "pandas", "numpy",
                "scipy", "matplotlib", "seaborn", "jupytext", "pytest", "hypothesis", "ipykernel"):
        assert pkg in names, f"{pkg} is not pinned"
    jb = next(ln for ln in lines if ln.lower().startswith("jupyter-book=="))
    assert jb.split("==")[1].startswith("1."), "Jupyter Book must stay below 2"


def test_edit_a_csv_and_the_page_follows(built_book, tmp_path):
    """Incremental rebuild after a data edit re-executes the pages (the myst-nb cache
    alone would keep the old numbers)."""
    book = tmp_path / "book"
    shutil.copytree(built_book, book)
    edit_csv(book / "data" / "paper_reported.csv", "analysis_id", "records_included",
             {"estimate": "41", "quote": lambda q: q.replace("37", "41")})
    run = build_book(book, "build-after-edit.log")
    assert run.returncode == 0, run.stdout[-4000:]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", _html(book, "intro")))
    assert "included 41 records" in text, "the edited CSV did not reach the landing page"
