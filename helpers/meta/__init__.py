"""The metafor-faithful engine: knows nothing of this review (numpy, scipy, pandas only).

Names follow R metafor, dots becoming underscores."""
from helpers.meta.bayes import BayesMeta, bayesmeta
from helpers.meta.diagnostics import cumul, influence, leave1out
from helpers.meta.effects import LogHR, escalc_or, invert_hr, log_hr_from_ci, log_hr_from_hr_and_p, log_hr_from_p
from helpers.meta.mh import MHResult, rma_mh, rma_peto
from helpers.meta.rma import METHODS, TESTS, ConvergenceError, MetaforDeparture, NotEstimable, RMAResult, refit, rma
from helpers.meta.sequential import (VERDICTS, RequiredInformation, TSAResult, diversity, ldbounds,
                                     required_information, tsa)
from helpers.meta.small_study import RegtestResult, TrimfillResult, regtest, trimfill
from helpers.meta.subgroup import q_between, q_moderator

__all__ = [
    "rma", "RMAResult", "refit", "NotEstimable", "ConvergenceError", "MetaforDeparture", "METHODS", "TESTS",
    "leave1out", "influence", "cumul", "regtest", "trimfill", "RegtestResult", "TrimfillResult",
    "rma_mh", "rma_peto", "MHResult", "log_hr_from_ci", "log_hr_from_p", "log_hr_from_hr_and_p", "escalc_or",
    "invert_hr", "LogHR", "q_between", "q_moderator", "bayesmeta", "BayesMeta",
    "required_information", "RequiredInformation", "diversity", "ldbounds", "tsa", "TSAResult", "VERDICTS",
]
