"""The shape of the code: three wings with one-way imports, and chapters whose cells only call."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_CELL_LINES = 8


def test_import_contracts_are_kept():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0


def test_no_modules_left_at_the_old_flat_paths():
    flat = sorted(p.name for p in (ROOT / "helpers").glob("*.py") if p.name != "__init__.py")
    assert flat == [], f"modules outside the three wings: {flat}"


def test_import_helpers_offers_the_public_names():
    import helpers

    for name in ("rma", "leave1out", "load_review", "fmt_ratio", "html_table", "SETTINGS", "rma_mh", "trimfill"):
        assert callable(getattr(helpers, name)) or name == "SETTINGS", name


def _cells(text: str):
    """(first line number, code lines) of each code cell of a MyST notebook."""
    for m in re.finditer(r"^```\{code-cell\}[^\n]*\n(.*?)^```", text, re.S | re.M):
        start = text[: m.start()].count("\n") + 2
        yield start, m.group(1).splitlines()


def _counted(lines: list[str]) -> list[str]:
    """Lines that count: not blank, not a cell option (``:tags:``), comment or import."""
    return [ln for ln in lines if ln.strip() and not ln.startswith(":") and not ln.lstrip().startswith("#")
            and not re.match(r"(import |from \S+ import )", ln)]


PAGES = sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "intro.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_chapter_cells_only_call(page):
    too_long = [f"{page.name}:{start} has {len(_counted(lines))} lines"
                for start, lines in _cells(page.read_text(encoding="utf-8"))
                if len(_counted(lines)) > MAX_CELL_LINES]
    assert not too_long, f"cells over {MAX_CELL_LINES} lines (move the code into helpers): {too_long}"


def test_the_cell_rule_can_fail():
    text = "```{code-cell} ipython3\n:tags: [remove-cell]\nimport x\n" + "y = 1\n" * 9 + "```\n"
    (_, lines), = _cells(text)
    assert len(_counted(lines)) == 9
