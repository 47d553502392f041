"""What a reader needs to cite and check this build: the book's citation from ``CITATION.cff``
(version, release date and, where ``.git`` exists, the short commit; never the clock time, so
builds stay byte-identical), the checksums of ``data/`` and the installed packages."""
from __future__ import annotations

import hashlib
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from helpers.review.paths import book_root

__all__ = ["book_citation", "data_files_table", "git_commit", "software_table"]


def _cff_field(text: str, key: str) -> str | None:
    """A top-level scalar of a CITATION.cff file (quoted or not)."""
    m = re.search(rf"^{re.escape(key)}:\s*\"?([^\"\n]+?)\"?\s*$", text, re.M)
    return m.group(1) if m else None


def git_commit(root: Path, short: bool = False) -> str | None:
    """The commit checked out at ``root`` (``git rev-parse [--short] HEAD``), or None without git."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", *(["--short"] if short else []), "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _short_commit(root: Path) -> str | None:
    """The short commit, only where the book's root is itself a git checkout."""
    return git_commit(root, short=True) if (root / ".git").exists() else None


def book_citation(root: str | Path | None = None) -> dict[str, str | None]:
    """``title``, ``authors``, ``version``, ``date`` (``date-released``), ``commit`` (or None)
    and ``text``, the citation in one line, read from ``CITATION.cff`` at the book's root."""
    root = Path(root) if root is not None else book_root()
    cff = (root / "CITATION.cff").read_text(encoding="utf-8")
    title, version, date = _cff_field(cff, "title"), _cff_field(cff, "version"), _cff_field(cff, "date-released")
    names = re.findall(r"^\s+- name:\s*\"?([^\"\n]+?)\"?\s*$", cff.split("references:")[0], re.M)
    authors = ", ".join(names) or "the authors"
    commit = _short_commit(root)
    text = f"{authors}. {title} (version {version}, released {date}" + (f", commit {commit}" if commit else "") + ")."
    return {"title": title, "authors": authors, "version": version, "date": date, "commit": commit, "text": text}


def data_files_table(folder: str | Path) -> pd.DataFrame:
    """Every file of ``data/`` with its size and SHA-256 (the checksum a reader compares)."""
    return pd.DataFrame([{"File": p.name, "Bytes": f"{p.stat().st_size:,}",
                          "SHA-256": hashlib.sha256(p.read_bytes()).hexdigest()}
                         for p in sorted(Path(folder).iterdir()) if p.is_file()])


def software_table() -> pd.DataFrame:
    """Python and every installed package with its version."""
    packages = sorted((d.metadata["Name"] or "?", d.version) for d in metadata.distributions())
    return pd.DataFrame([("Python", platform.python_version())] + packages, columns=["Package", "Version"])
