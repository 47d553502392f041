"""Formatting of numbers for prose and tables: one place decides how a HR, a CI,
a p-value or a percentage is written, so every page writes them alike."""
from __future__ import annotations

import math

from pandas import NA as _NA

__all__ = ["fmt_num", "fmt_ratio", "fmt_ci", "fmt_p", "fmt_pct", "NOT_ESTIMABLE", "glue_all", "csv_download_link",
           "html_table", "zip_download_link", "markdown_table"]

NOT_ESTIMABLE = "not estimable"
DASH = "\u2013"   # en dash between CI bounds


def fmt_num(x: float | None, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals; a missing value becomes an em dash."""
    if x is None or x is _NA or (isinstance(x, float) and math.isnan(x)):
        return "\u2014"
    return f"{float(x):.{digits}f}"


def fmt_ci(lb: float, ub: float, digits: int = 2) -> str:
    """``0.32–0.64``."""
    return f"{fmt_num(lb, digits)}{DASH}{fmt_num(ub, digits)}"


def fmt_ratio(est: float, lb: float, ub: float, digits: int = 2) -> str:
    """``0.45 (0.32–0.64)`` for a ratio and its CI, already on the ratio scale."""
    return f"{fmt_num(est, digits)} ({fmt_ci(lb, ub, digits)})"


def fmt_p(p: float | None) -> str:
    """``p < 0.001``, ``p = 0.03``, ``p = 0.12`` (two significant decimals, three below 0.01)."""
    if p is None or math.isnan(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def fmt_pct(x: float, digits: int = 0) -> str:
    """``42%`` from a value already in percent."""
    return f"{float(x):.{digits}f}%"


def glue_all(prefix: str, values: dict[str, str]) -> None:
    """Glue every value as text under ``{prefix}_{key}`` (render with ``{glue:text}``)."""
    from myst_nb import glue

    for key, value in values.items():
        glue(f"{prefix}_{key}", str(value), display=False)


def csv_download_link(df, filename: str, text: str = "Download this table as CSV"):
    """An HTML link that carries the table itself (a data: URI), so it works offline."""
    import base64
    import html

    from IPython.display import HTML

    payload = base64.b64encode(df.to_csv(index=False).encode("utf-8")).decode("ascii")
    return HTML(f'<a download="{html.escape(filename)}" href="data:text/csv;charset=utf-8;base64,{payload}">'
                f"{html.escape(text)}</a>")


def html_table(df, caption: str | None = None):
    """A DataFrame as an HTML table with every cell escaped (text from data/ stays text)."""
    import hashlib

    # the id pandas gives a table is random: derive it from the content, so builds are byte-identical
    uid = hashlib.sha256(df.to_csv().encode("utf-8")).hexdigest()[:10]
    styler = df.style.set_uuid(uid).hide(axis="index").format(escape="html", na_rep="\u2014")
    if caption:
        styler = styler.set_caption(caption)
    return styler


def zip_download_link(folder, filename: str, text: str):
    """An HTML link carrying a zip of every file in ``folder`` (a data: URI: works offline)."""
    import base64
    import html
    import io
    import zipfile
    from pathlib import Path

    from IPython.display import HTML

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(Path(folder).iterdir()):
            if path.is_file():
                info = zipfile.ZipInfo(f"data/{path.name}", date_time=(2025, 6, 9, 0, 0, 0))   # fixed: same zip each build
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
    payload = base64.b64encode(buf.getvalue()).decode("ascii")
    return HTML(f'<a download="{html.escape(filename)}" href="data:application/zip;base64,{payload}">'
                f"{html.escape(text)}</a>")


def markdown_table(df) -> str:
    """A DataFrame as a MyST/Markdown pipe table (cells may hold roles such as {cite})."""
    def cell(x):
        return str(x).replace("|", "\\|").replace("\n", " ")
    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])
