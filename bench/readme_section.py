"""One marked section of ``bench/README.md`` rewritten in place (or appended), so each benchmark
script owns its section between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(text: str, start: str, end: str, readme: Path = README) -> None:
    """Replace the text from ``start`` to ``end`` (both included in ``text``) in ``readme``, or
    append ``text`` when the markers are not there yet."""
    old = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmark\n"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + text + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    readme.write_text(new, encoding="utf-8")
