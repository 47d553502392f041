"""Rerunning a chapter works as the README says: every page, opened as a notebook from
``chapters/`` (jupytext), runs top to bottom in a fresh kernel with no error output."""
from __future__ import annotations

import pytest

PAGES = ["intro.md", "chapters/methods.md", "chapters/search.md", "chapters/pfs.md", "chapters/os.md",
         "chapters/subgroups.md", "chapters/certainty.md", "chapters/safety.md", "chapters/differences.md",
         "chapters/reproducibility.md"]


@pytest.mark.parametrize("page", PAGES)
def test_chapter_runs_as_a_notebook(built_book, page):
    import jupytext
    from nbclient import NotebookClient

    path = built_book / page
    nb = jupytext.read(path)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, c in enumerate(nb.cells)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors


def test_every_page_is_listed():
    from conftest import ROOT

    pages = {str(p.relative_to(ROOT)) for p in ROOT.glob("chapters/*.md")} | {"intro.md"}
    assert pages - {"chapters/glossary.md"} == set(PAGES)
