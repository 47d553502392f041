"""What readers see: figures, number and text formatting, reader labels, HTML tables and
downloads. Takes plain data or engine results; never imports ``helpers.review``."""
from helpers.show.tables import (adverse_event_table, comparisons_table, csv_download_link, folded, html_table, imputation_table,
                                 leave_one_out_table, markdown_table, rob_me_table,
                                 missing_evidence_table, scorecard_table, sensitivity_table, subgroup_table,
                                 safety_summary_table, zip_download_link, bayes_frequentist_table,
                                 prior_sensitivity_table, tsa_table, null_trial_table)
from helpers.show.text import DASH, NOT_ESTIMABLE, count, fmt_ci, fmt_num, fmt_p, fmt_pct, fmt_ratio, glue_all, number_word

__all__ = ["fmt_num", "fmt_ci", "fmt_ratio", "fmt_p", "fmt_pct", "NOT_ESTIMABLE", "DASH", "glue_all",
           "count", "number_word",
           "csv_download_link", "html_table", "zip_download_link", "markdown_table", "comparisons_table",
           "sensitivity_table", "leave_one_out_table", "missing_evidence_table", "scorecard_table", "subgroup_table",
           "safety_summary_table", "adverse_event_table", "imputation_table", "rob_me_table", "folded",
           "bayes_frequentist_table", "prior_sensitivity_table", "tsa_table", "null_trial_table"]
