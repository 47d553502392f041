"""Where the book lives: found by walking up from the working directory (or this
package) to the folder that holds ``_config.yml``, so notebooks executed in
``chapters/`` and scripts run elsewhere read the same ``data/``."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["book_root", "data_dir", "inputs_fingerprint", "data_fingerprint"]


def book_root(start: str | os.PathLike | None = None) -> Path:
    """The nearest ancestor of ``start`` (default: the working directory, then this
    package's folder) that contains both ``_config.yml`` and ``data/``."""
    candidates = [Path(start)] if start is not None else [Path.cwd(), Path(__file__).resolve().parent]
    for base in candidates:
        for folder in [base.resolve(), *base.resolve().parents]:
            if (folder / "_config.yml").is_file() and (folder / "data").is_dir():
                return folder
    raise FileNotFoundError(f"no book root (a folder with _config.yml and data/) above {candidates[0]}")


def data_dir(start: str | os.PathLike | None = None) -> Path:
    """The book's ``data/`` folder (``MDT_BOOK_DATA`` overrides it)."""
    env = os.environ.get("MDT_BOOK_DATA")
    return Path(env) if env else book_root(start) / "data"


WATCHED = ("data", "helpers")
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def inputs_fingerprint(root: str | os.PathLike | None = None) -> str:
    """SHA-256 over the relative paths and contents of ``data/`` and ``helpers/``: what every
    number of a build depends on (the build cache and ``results.json`` are keyed by it)."""
    import hashlib

    root = Path(root) if root is not None else book_root()
    h = hashlib.sha256()
    for folder in WATCHED:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and not _SKIP_PARTS & set(p.parts)):
            h.update(str(path.relative_to(root)).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def data_fingerprint(folder: str | os.PathLike | None = None) -> str:
    """SHA-256 over the files of ``data/`` (names and contents), as ``results.json`` reports it."""
    import hashlib

    base = Path(folder) if folder is not None else data_dir()
    h = hashlib.sha256()
    for path in sorted(p for p in base.iterdir() if p.is_file()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
