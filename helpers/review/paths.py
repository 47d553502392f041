"""Where the book lives: found by walking up from the working directory (or this
package) to the folder that holds ``_config.yml``, so notebooks executed in
``chapters/`` and scripts run elsewhere read the same ``data/``."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["book_root", "data_dir"]


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
