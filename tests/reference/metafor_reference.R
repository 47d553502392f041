#!/usr/bin/env Rscript
# Reference values from R metafor for tests/test_rma.py and friends.
# Usage: Rscript tests/reference/metafor_reference.R [output.json]
# Needs Debian's r-cran-metafor and r-cran-jsonlite (no CRAN access required).
# Input data are written into the JSON too, so the Python tests read the same numbers.
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/reference/metafor_reference.json"
ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

# --- datasets -----------------------------------------------------------------
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
datasets <- list(
  bcg = list(yi = as.numeric(bcg$yi), vi = as.numeric(bcg$vi),
             note = "BCG vaccine trials (Colditz et al. 1994), log RR; metafor's dat.bcg"),
  k2 = list(yi = c(-0.35, -0.05), vi = c(0.04, 0.09), note = "two studies"),
  homogeneous = list(yi = c(-0.30, -0.28, -0.33, -0.29, -0.31), vi = c(0.05, 0.08, 0.03, 0.10, 0.06),
                     note = "tau2 = 0 at the boundary"),
  heterogeneous = list(yi = c(-1.60, 0.40, -0.90, 0.85, -0.10, -2.00, 0.30),
                       vi = c(0.02, 0.03, 0.05, 0.02, 0.04, 0.06, 0.03), note = "large heterogeneity"),
  extreme_vi = list(yi = c(-0.69, -0.22, -0.51, 0.10, -0.36, -0.05),
                    vi = c(1e-4, 4.0, 2.5e-3, 9.0, 0.01, 0.5), note = "tiny and huge variances")
)
methods <- c("EE", "DL", "HE", "SJ", "PM", "ML", "REML", "EB")
tests <- c("z", "knha", "adhoc")

num <- function(x) if (is.null(x)) NA else as.numeric(x)
fitvals <- function(r) list(beta = num(r$beta[1]), se = num(r$se[1]), zval = num(r$zval[1]), pval = num(r$pval[1]),
                            ci_lb = num(r$ci.lb[1]), ci_ub = num(r$ci.ub[1]), tau2 = num(r$tau2), I2 = num(r$I2),
                            H2 = num(r$H2), QE = num(r$QE), QEp = num(r$QEp), k = r$k)
# metafor 3.8 calls the test statistic 'tval' under t tests and cumul()'s p-values 'pvals':
# one name each here, as in helpers.
df_cols <- function(d, cols) {
  names(d)[names(d) == "tval"] <- "zval"
  names(d)[names(d) == "pvals"] <- "pval"
  lapply(setNames(cols, gsub(".", "_", cols, fixed = TRUE)), function(c) as.numeric(d[[c]]))
}

fits <- list()
for (dn in names(datasets)) {
  d <- datasets[[dn]]
  for (m in methods) for (t in tests) {
    r <- suppressWarnings(rma(d$yi, d$vi, method = m, test = t, control = ctrl))
    key <- paste(dn, m, t, sep = "|")
    v <- list(dataset = dn, method = m, test = t, fit = fitvals(r))
    p <- predict(r)
    v$predict <- list(pred = num(p$pred), ci_lb = num(p$ci.lb), ci_ub = num(p$ci.ub),
                      pi_lb = num(if (is.null(p$pi.lb)) p$cr.lb else p$pi.lb),
                      pi_ub = num(if (is.null(p$pi.ub)) p$cr.ub else p$pi.ub))
    if (m != "EE") {
      ci <- confint(r, control = list(tol = 1e-12))$random
      v$confint <- list(estimate = as.numeric(ci[, 1]), ci_lb = as.numeric(ci[, 2]), ci_ub = as.numeric(ci[, 3]),
                        rows = rownames(ci))
    }
    if (m %in% c("EE", "DL", "PM", "REML") && (t == "z" || m == "REML")) {
      l1 <- leave1out(r)
      v$leave1out <- df_cols(as.data.frame(l1), c("estimate", "se", "zval", "pval", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2"))
      inf <- influence(r)$inf
      v$influence <- c(df_cols(as.data.frame(inf), c("rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del", "hat", "weight")),
                       list(inf = as.character(inf$inf)))
      cu <- cumul(r, order = rev(seq_along(d$yi)))
      v$cumul <- df_cols(as.data.frame(cu), c("estimate", "se", "zval", "pval", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2"))
      if (length(d$yi) >= 3) {
        eg <- regtest(r, model = "lm")
        v$regtest <- list(zval = num(eg$zval), pval = num(eg$pval), dfs = num(eg$dfs), est = num(eg$est),
                          ci_lb = num(eg$ci.lb), ci_ub = num(eg$ci.ub))
        tf <- suppressWarnings(trimfill(r, control = ctrl))
        v$trimfill <- list(k0 = num(tf$k0), side = tf$side, fit = fitvals(tf))
      }
    }
    fits[[key]] <- v
  }
}

# --- a dataset where plain Fisher scoring oscillates: metafor needs control=list(stepadj=0.5) -------
osc <- list(yi = c(0, 0, 0, 0, 1), vi = c(1, 1, 1, 1, 0.125))
damped <- list(data = osc, REML = fitvals(rma(osc$yi, osc$vi, method = "REML", control = c(ctrl, list(stepadj = 0.5)))),
               ML = fitvals(rma(osc$yi, osc$vi, method = "ML", control = c(ctrl, list(stepadj = 0.5)))))

# --- subgroup (moderator) tests -----------------------------------------------
groups <- as.character(dat.bcg$alloc)
subgroups <- list()
for (m in c("DL", "REML")) for (t in c("z", "knha")) {
  r <- rma(bcg$yi, bcg$vi, mods = ~ factor(groups), method = m, test = t, control = ctrl)
  subgroups[[paste(m, t, sep = "|")]] <- list(method = m, test = t, QM = num(r$QM), QMp = num(r$QMp),
                                             QMdf = as.numeric(r$QMdf), tau2 = num(r$tau2),
                                             beta = as.numeric(r$beta), se = as.numeric(r$se), QE = num(r$QE))
}

# separate-tau2 subgroup test (R meta's default): each group pooled alone, then Q between the group estimates
separate <- list()
for (m in c("DL", "REML")) for (t in c("z", "adhoc")) {
  group_fits <- lapply(split(seq_along(groups), groups), function(ix)
    rma(bcg$yi[ix], bcg$vi[ix], method = m, test = t, control = ctrl))
  est <- sapply(group_fits, function(f) as.numeric(f$beta)); se <- sapply(group_fits, function(f) f$se)
  qb <- rma(est, sei = se, method = "EE")
  separate[[paste(m, t, sep = "|")]] <- list(method = m, test = t, levels = names(group_fits), estimates = as.numeric(est),
                                            ses = as.numeric(se), tau2 = as.numeric(sapply(group_fits, function(f) f$tau2)),
                                            Qb = num(qb$QE), Qbp = num(qb$QEp))
}

# --- 2x2 tables: Mantel-Haenszel and Peto ---------------------------------------
tables <- list(
  bcg = list(ai = dat.bcg$tpos, n1i = dat.bcg$tpos + dat.bcg$tneg, ci = dat.bcg$cpos, n2i = dat.bcg$cpos + dat.bcg$cneg),
  sparse = list(ai = c(3, 0, 1, 0, 5, 2), n1i = c(66, 40, 58, 30, 120, 45),
                ci = c(0, 0, 1, 1, 2, 0), n2i = c(33, 20, 29, 31, 60, 22))
)
twobytwo <- list()
for (tn in names(tables)) {
  x <- tables[[tn]]
  r_or <- rma.mh(ai = x$ai, n1i = x$n1i, ci = x$ci, n2i = x$n2i, measure = "OR")
  r_rd <- rma.mh(ai = x$ai, n1i = x$n1i, ci = x$ci, n2i = x$n2i, measure = "RD")
  r_pe <- rma.peto(ai = x$ai, n1i = x$n1i, ci = x$ci, n2i = x$n2i)
  es <- escalc(measure = "OR", ai = x$ai, n1i = x$n1i, ci = x$ci, n2i = x$n2i, add = 1/2, to = "only0", drop00 = TRUE)
  pick <- function(r) list(beta = num(r$beta), se = num(r$se), zval = num(r$zval), pval = num(r$pval),
                           ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub), QE = num(r$QE), QEp = num(r$QEp))
  twobytwo[[tn]] <- list(data = x, mh_or = pick(r_or), mh_rd = pick(r_rd), peto = pick(r_pe),
                         escalc_or = list(yi = as.numeric(es$yi), vi = as.numeric(es$vi)))
}


# --- engine corner cases (tests/test_meta_corner.py) ------------------------------------------
corner <- list()
esv <- function(e) list(yi = as.numeric(e$yi), vi = as.numeric(e$vi))
# 1. drop00 removes the double-zero table before to="if0all" looks for zero cells
x1 <- list(ai = c(0, 5), n1i = c(10, 10), ci = c(0, 3), n2i = c(10, 10))
corner$escalc_if0all <- c(list(data = x1), esv(escalc(measure = "OR", ai = x1$ai, n1i = x1$n1i, ci = x1$ci, n2i = x1$n2i,
                                                      to = "if0all", drop00 = TRUE)))
# 6. a zero cell without a correction: +-Inf recoded to NA (with a warning)
x6 <- list(ai = c(0, 5, 2), n1i = c(10, 10, 12), ci = c(1, 3, 0), n2i = c(10, 10, 11))
corner$escalc_nocorr <- list(data = x6,
  add0 = esv(suppressWarnings(escalc(measure = "OR", ai = x6$ai, n1i = x6$n1i, ci = x6$ci, n2i = x6$n2i, add = 0))),
  none = esv(suppressWarnings(escalc(measure = "OR", ai = x6$ai, n1i = x6$n1i, ci = x6$ci, n2i = x6$n2i, to = "none"))))
# a 2x2 table with a zero non-event cell (every patient of one arm has the event)
x13 <- list(ai = c(10, 3, 7), n1i = c(10, 20, 15), ci = c(5, 4, 6), n2i = c(10, 20, 16))
pick2 <- function(r) list(beta = num(r$beta), se = num(r$se), ci_lb = num(r$ci.lb), ci_ub = num(r$ci.ub),
                          QE = num(r$QE), QEp = num(r$QEp))
corner$zero_nonevent <- list(data = x13,
  escalc_or = esv(escalc(measure = "OR", ai = x13$ai, n1i = x13$n1i, ci = x13$ci, n2i = x13$n2i)),
  mh_or = pick2(rma.mh(ai = x13$ai, n1i = x13$n1i, ci = x13$ci, n2i = x13$n2i, measure = "OR")),
  peto = pick2(rma.peto(ai = x13$ai, n1i = x13$n1i, ci = x13$ci, n2i = x13$n2i)))
# 2. Q-profile CI for tau2 with very large heterogeneity: tau2.max = max(100, 10 tau2), ">" where censored
ciq <- function(r) { ci <- confint(r, control = list(tol = 1e-12))
  list(estimate = as.numeric(ci$random[, 1]), ci_lb = as.numeric(ci$random[, 2]), ci_ub = as.numeric(ci$random[, 3]),
       lb_sign = ci$lb.sign, ub_sign = ci$ub.sign, ci_null = ci$ci.null) }
big <- list(yi = c(-3, 4, 0.5), vi = c(0.1, 0.2, 0.3))
het12 <- list(yi = 12 * datasets$heterogeneous$yi, vi = datasets$heterogeneous$vi)
corner$confint_large <- list(
  k3 = list(data = big, REML = ciq(rma(big$yi, big$vi, method = "REML", control = ctrl)),
            DL = ciq(rma(big$yi, big$vi, method = "DL", control = ctrl))),
  het12 = list(data = het12, DL = ciq(rma(het12$yi, het12$vi, method = "DL", control = ctrl))),
  homogeneous = list(data = datasets$homogeneous,
                     DL = ciq(rma(datasets$homogeneous$yi, datasets$homogeneous$vi, method = "DL", control = ctrl))))
# 3. predict(): k = 2 (a PI, equal to the CI when tau2 = 0), pi.type = "riley", other levels
pv <- function(p) list(pred = num(p$pred), ci_lb = num(p$ci.lb), ci_ub = num(p$ci.ub), pi_lb = num(p$pi.lb), pi_ub = num(p$pi.ub))
predicts <- list()
for (dn in c("bcg", "heterogeneous", "k2")) for (m in c("DL", "REML", "SJ")) for (t in c("z", "knha")) {
  d <- datasets[[dn]]
  r <- rma(d$yi, d$vi, method = m, test = t, control = ctrl)
  r80 <- rma(d$yi, d$vi, method = m, test = t, level = 80, control = ctrl)
  predicts[[paste(dn, m, t, sep = "|")]] <- list(dataset = dn, method = m, test = t,
    riley = if (length(d$yi) >= 3) pv(predict(r, pi.type = "riley")) else NULL,
    level80 = pv(predict(r, level = 80)), fit80 = pv(predict(r80)))
}
corner$predict <- predicts
# 4. identical yi with moderators and the Knapp-Hartung test: QM is NA; the ad hoc floor keeps s2w = 1
same <- list(yi = rep(0.3, 5), vi = c(0.1, 0.2, 0.3, 0.15, 0.25), g = c(0, 1, 0, 1, 1))
rs <- rma(same$yi, same$vi, mods = ~ same$g, method = "REML", test = "knha", control = ctrl)
ra <- rma(same$yi, same$vi, method = "REML", test = "adhoc", control = ctrl)
rsa <- rma(same$yi, same$vi, mods = ~ same$g, method = "REML", test = "adhoc", control = ctrl)
corner$identical <- list(data = same, knha_mods = list(QM = num(rs$QM), QMp = num(rs$QMp), beta = as.numeric(rs$beta)),
                         adhoc = fitvals(ra), adhoc_mods = list(QM = num(rsa$QM), QMp = num(rsa$QMp),
                                                                se = as.numeric(rsa$se), beta = as.numeric(rsa$beta)))
# 5. trimfill: estimator R0; refit at 95% whatever the level; se.k0 NaN where varSr < 0
tfv <- function(tf) list(k0 = num(tf$k0), se_k0 = num(tf$se.k0), side = tf$side, p_k0 = num(tf$p.k0), fit = fitvals(tf))
tfs <- list()
for (dn in c("bcg", "heterogeneous", "extreme_vi")) for (m in c("DL", "REML")) {
  d <- datasets[[dn]]
  r <- rma(d$yi, d$vi, method = m, control = ctrl)
  tfs[[paste(dn, m, sep = "|")]] <- list(dataset = dn, method = m,
    R0 = tfv(suppressWarnings(trimfill(r, estimator = "R0", control = ctrl))),
    L0_level90 = tfv(suppressWarnings(trimfill(rma(d$yi, d$vi, method = m, level = 90, control = ctrl), control = ctrl))))
}
nan_se <- list(yi = c(-0.26, -0.21, 0.9, -0.28, -0.43, -0.28, -0.28, -0.04), vi = c(0.26, 0.08, 0.23, 0.17, 0.07, 0.18, 0.29, 0.02))
tfs[["nan_se|DL"]] <- list(data = nan_se, method = "DL",
  L0 = tfv(suppressWarnings(trimfill(rma(nan_se$yi, nan_se$vi, method = "DL", control = ctrl), control = ctrl))))
corner$trimfill <- tfs
# 7. tau2 at the boundary: Fisher scoring creeps towards 0 (metafor with threshold 1e-12 stops near 1e-13)
bnd <- list(yi = c(-0.832, 1.134, -0.535, -0.115, 0.315, -0.236), vi = c(0.432, 0.369, 0.305, 0.151, 0.394, 0.133))
corner$boundary <- list(data = bnd, ML = fitvals(rma(bnd$yi, bnd$vi, method = "ML", control = ctrl)),
                        REML = fitvals(rma(bnd$yi, bnd$vi, method = "REML", control = ctrl)),
                        EB = fitvals(rma(bnd$yi, bnd$vi, method = "EB", control = ctrl)))
# 8. Paule-Mandel root above metafor's tau2.max = max(100, 10 mad(yi)^2): metafor stops unless tau2.max is raised
pmb <- list(yi = c(0, 0.1, -0.1, 0.05, 60), vi = c(0.1, 0.1, 0.1, 0.1, 0.1))
corner$pm_beyond <- list(data = pmb, tau2_max_default = max(100, 10 * mad(pmb$yi)^2),
  default_stops = inherits(try(rma(pmb$yi, pmb$vi, method = "PM"), silent = TRUE), "try-error"),
  PM = fitvals(rma(pmb$yi, pmb$vi, method = "PM", control = c(ctrl, list(tau2.max = 1e6)))))
# 15. PM with moderators (generalised Q = k - p), continuous and categorical
bmods <- list(ablat = as.numeric(dat.bcg$ablat), year = as.numeric(dat.bcg$year))
pmm <- list()
for (t in c("z", "knha")) {
  r <- rma(bcg$yi, bcg$vi, mods = ~ bmods$ablat + bmods$year, method = "PM", test = t, control = ctrl)
  pmm[[t]] <- list(test = t, tau2 = num(r$tau2), beta = as.numeric(r$beta), se = as.numeric(r$se), QM = num(r$QM),
                   QMp = num(r$QMp), QE = num(r$QE))
}
corner$pm_mods <- list(mods = bmods, fits = pmm)
# cumul() after reordering: the row labels follow the order.  metafor 3.8's 'order' is a sort key
# (studies enter by increasing value); helpers' is the sequence of indices, so pass its inverse.
seq_in <- c(5, 2, 13, 1, 3, 4, 6:12)
sort_key <- order(seq_in)
cu <- cumul(rma(bcg$yi, bcg$vi, method = "DL", slab = paste0("T", 1:13)), order = sort_key)
corner$cumul_order <- list(order = seq_in - 1, slab = paste0("T", 1:13), rows = as.character(cu$slab),
                           estimate = as.numeric(cu$estimate), tau2 = as.numeric(cu$tau2))

res <- list(metafor_version = as.character(packageVersion("metafor")), R_version = R.version.string,
            datasets = datasets, fits = fits, damped = damped, subgroups = subgroups, subgroups_separate = separate, subgroup_groups = groups, twobytwo = twobytwo,
            corner = corner)
# jsonlite prints at most 15 significant digits: write numbers verbatim with 17.
num17 <- function(x) {
  if (is.list(x)) return(lapply(x, num17))
  if (is.numeric(x)) {
    s <- ifelse(is.na(x), "null", ifelse(is.infinite(x), "null", sprintf("%.17g", x)))
    return(structure(if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]"), class = "json"))
  }
  x
}
writeLines(toJSON(num17(res), auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE, json_verbatim = TRUE), out)
cat("wrote", out, "\n")
