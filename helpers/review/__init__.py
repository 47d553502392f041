"""This review: the data loader and its checks, settings, counts, hazard-ratio assembly,
efficacy, safety, subgroups, GRADE, summary of findings, scorecard and the metafor recheck."""
from helpers.review.counts import participants, prisma_counts, review_counts
from helpers.review.data import DataError, Review, load_review, read_table
from helpers.review.imputation import imputation_analysis, impute_missing, tipping_point
from helpers.review.paths import book_root, data_dir
from helpers.review.results import Results, build_results, load_results
from helpers.review.settings import SETTINGS, AnalysisSettings

__all__ = ["SETTINGS", "AnalysisSettings", "review_counts", "participants", "prisma_counts", "DataError", "Review",
           "load_review", "read_table", "book_root", "data_dir", "Results", "build_results", "load_results",
           "impute_missing", "imputation_analysis", "tipping_point"]
