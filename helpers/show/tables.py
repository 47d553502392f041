"""Tables as readers get them: escaped HTML tables, pipe tables for cited cells, and
download links that carry their data (data: URIs, so they work offline)."""
from __future__ import annotations

import pandas as pd

from helpers.show.labels import DERIVATIONS
from helpers.show.text import fmt_num, fmt_ratio

__all__ = ["csv_download_link", "html_table", "zip_download_link", "markdown_table", "comparisons_table"]


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


def comparisons_table(t: pd.DataFrame) -> pd.DataFrame:
    """The table of comparisons a reader checks (one row of a hazard-ratio table each): as
    printed, how used, where from."""

    def printed(r):
        if pd.isna(r["hr_printed"]):
            return "\u2014"
        ci = f" ({fmt_num(r['ci_lower_printed'])}\u2013{fmt_num(r['ci_upper_printed'])}, {r['ci_level']:g}% CI)" \
            if pd.notna(r["ci_lower_printed"]) else " (no CI printed)"
        flip = "; printed as control vs MDT" if r["direction"] == "control_vs_mdt" else ""
        return f"{fmt_num(r['hr_printed'])}{ci}{flip}"

    def medians(r):
        if pd.isna(r["median_mdt"]) and pd.isna(r["median_control"]):
            return "\u2014"
        unit = r["median_unit"] if isinstance(r["median_unit"], str) else ""
        return f"{fmt_num(r['median_mdt'], 1)} vs {fmt_num(r['median_control'], 1)} {unit}".strip()

    return pd.DataFrame({
        "Trial": t["trial"], "Cancer": t["cancer_group"], "Control arm": t["control_arm"],
        "Systemic therapy": t["systemic_therapy"], "Timing": t["timing"].fillna("n/a (oligoprogression)"),
        "Disease state": t["disease_state"], "n": t["n"].astype("string").fillna("not reported"),
        "Endpoint": t["endpoint_name"], "HR as printed": [printed(r) for _, r in t.iterrows()],
        "Median MDT vs control": [medians(r) for _, r in t.iterrows()],
        "HR used (95% CI)": [fmt_ratio(h, l, u) if e else "not estimable"
                             for h, l, u, e in zip(t["hr"], t["ci_lb"], t["ci_ub"], t["estimable"])],
        "How obtained": [DERIVATIONS[d] + (f" ({n})" if n else "") for d, n in zip(t["derivation"], t["note"])],
        "Source": [f"{r} ({tier})" for r, tier in zip(t["record_id"], t["source_tier"])],
    })
