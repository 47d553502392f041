"""helpers — the statistics and data layer of the MDT meta-analysis book.

Names follow R metafor (dots become underscores). Nothing but re-exports here.
"""
from .bias import RegtestResult, TrimfillResult, regtest, trimfill
from .effects import LogHR, escalc_or, invert_hr, log_hr_from_ci, log_hr_from_hr_and_p, log_hr_from_p
from .mh import MHResult, rma_mh, rma_peto
from .paths import book_root, data_dir
from .report import (NOT_ESTIMABLE, csv_download_link, fmt_ci, fmt_num, fmt_p, fmt_pct, fmt_ratio, glue_all,
                     html_table, markdown_table, zip_download_link)
from .rma import METHODS, TESTS, ConvergenceError, NotEstimable, RMAResult, refit, rma
from .sensitivity import cumul, influence, leave1out
from .settings import SETTINGS, AnalysisSettings
from .data import DataError, Review, load_review, read_table
from .counts import participants, prisma_counts, review_counts

__all__ = [
    "rma", "RMAResult", "refit", "NotEstimable", "ConvergenceError", "METHODS", "TESTS",
    "leave1out", "influence", "cumul", "regtest", "trimfill", "RegtestResult", "TrimfillResult",
    "rma_mh", "rma_peto", "MHResult", "log_hr_from_ci", "log_hr_from_p", "log_hr_from_hr_and_p", "escalc_or", "invert_hr", "LogHR",
    "SETTINGS", "AnalysisSettings", "review_counts", "participants", "prisma_counts", "DataError", "Review", "load_review", "read_table",
    "book_root", "data_dir", "fmt_num", "fmt_ci", "fmt_ratio", "fmt_p", "fmt_pct", "NOT_ESTIMABLE",
    "glue_all", "csv_download_link", "html_table", "zip_download_link", "markdown_table",
]
