"""What readers see: figures, number and text formatting, reader labels, HTML tables and
downloads. Takes plain data or engine results; never imports ``helpers.review``."""
from helpers.show.tables import comparisons_table, csv_download_link, html_table, markdown_table, zip_download_link
from helpers.show.text import DASH, NOT_ESTIMABLE, fmt_ci, fmt_num, fmt_p, fmt_pct, fmt_ratio, glue_all

__all__ = ["fmt_num", "fmt_ci", "fmt_ratio", "fmt_p", "fmt_pct", "NOT_ESTIMABLE", "DASH", "glue_all",
           "csv_download_link", "html_table", "zip_download_link", "markdown_table", "comparisons_table"]
