# Reference values for peereval.outcomes: power() and meta_analysis() / from_groups().
#
# Run from the repository root:
#   Rscript tests/reference/power_meta.R    # writes data/meta_*.csv and power_meta.json
# Needs R with pwr, metafor (with metadat's dat.bcg), Hmisc and jsonlite
# (Debian: r-cran-pwr r-cran-metafor r-cran-hmisc r-cran-jsonlite).
#
# Power. pwr::pwr.t.test, pwr.t2n.test, pwr.2p.test, pwr.2p2n.test and
# stats::power.t.test / power.prop.test (strict = TRUE: both rejection tails, as pwr
# and peereval count them), Hmisc::bpower (normal approximation with unequal n).
# Solving for n, d or h: pwr calls uniroot() with its default tolerance
# (.Machine$double.eps^0.25, about 1.2e-4), so the value pwr prints is correct to
# about 1e-4 only. The entries "exact" re-solve pwr's own power function with
# uniroot(tol = 1e-13); those are compared at 1e-6, the "pwr" entries at 1e-3.
# power.t.test and power.prop.test take tol =, and are given 1e-13.
#
# Meta-analysis. metafor::escalc and rma on dat.bcg (log risk ratios) and on the two
# invented multi-site data sets written to data/meta_sites.csv (group means) and
# data/meta_counts.csv (pass counts, one zero cell). REML and ML are Fisher scoring
# (metafor's default stopping rule, a change in tau^2 below 1e-5); they are fitted
# twice: with the default control (stored as "*_default") and with
# control = list(threshold = 1e-13, maxiter = 1000) (compared at 1e-6 / 1e-8).
# Paule-Mandel uses uniroot(); it is given control = list(tol = 1e-13).
# Prediction intervals: predict() with metafor 3.8's default (normal quantile, or t
# with k - 1 df under test = "knha") and with pi.type = "riley" (t with k - 2 df,
# Riley et al. 2011).

suppressPackageStartupMessages({
  library(pwr)
  library(metafor)
  library(jsonlite)
})

ref <- file.path("tests", "reference")
dat <- file.path(ref, "data")
stopifnot(dir.exists(dat))
tight <- 1e-13

# ---------------------------------------------------------------- power

solve_exact <- function(f, lower, upper) uniroot(f, c(lower, upper), tol = tight)$root

t_power <- function(n1, n2, d, alternative = "two.sided") {
  pwr.t2n.test(n1 = n1, n2 = n2, d = d, alternative = alternative)$power
}

design_effect <- function(m, icc) 1 + (m - 1) * icc

power_cases <- list(
  # --- continuous, equal groups: pwr.t.test
  t_power_two_sided = list(
    args = list(outcome = "continuous", effect = 0.5, n = 40),
    power = pwr.t.test(n = 40, d = 0.5)$power),
  t_power_greater = list(
    args = list(outcome = "continuous", effect = 0.5, n = 40, alternative = "greater"),
    power = pwr.t.test(n = 40, d = 0.5, alternative = "greater")$power),
  t_power_less = list(
    args = list(outcome = "continuous", effect = -0.4, n = 25, alternative = "less"),
    power = pwr.t.test(n = 25, d = -0.4, alternative = "less")$power),
  t_power_alpha01 = list(
    args = list(outcome = "continuous", effect = 0.8, n = 13, alpha = 0.01),
    power = pwr.t.test(n = 13, d = 0.8, sig.level = 0.01)$power),
  t_n_two_sided = list(
    args = list(outcome = "continuous", effect = 0.3, power = 0.8),
    n_pwr = pwr.t.test(d = 0.3, power = 0.8)$n,
    n = solve_exact(function(n) pwr.t.test(n = n, d = 0.3)$power - 0.8, 2 + 1e-10, 1e9)),
  t_n_greater_90 = list(
    args = list(outcome = "continuous", effect = 0.5, power = 0.9, alternative = "greater"),
    n_pwr = pwr.t.test(d = 0.5, power = 0.9, alternative = "greater")$n,
    n = solve_exact(function(n) pwr.t.test(n = n, d = 0.5, alternative = "greater")$power -
                      0.9, 2 + 1e-10, 1e9)),
  t_mde_two_sided = list(
    args = list(outcome = "continuous", n = 40, power = 0.8),
    d_pwr = pwr.t.test(n = 40, power = 0.8)$d,
    d = solve_exact(function(d) pwr.t.test(n = 40, d = d)$power - 0.8, 1e-7, 10)),
  t_mde_less = list(
    args = list(outcome = "continuous", n = 60, power = 0.8, alternative = "less"),
    d_pwr = pwr.t.test(n = 60, power = 0.8, alternative = "less")$d,
    d = solve_exact(function(d) pwr.t.test(n = 60, d = d, alternative = "less")$power - 0.8,
                    -10, 5)),
  # --- continuous, unequal groups: pwr.t2n.test (UT Houston 81 vs 174, d = 0.29)
  t2n_power = list(
    args = list(outcome = "continuous", effect = 0.29, n = c(81, 174)),
    power = pwr.t2n.test(n1 = 81, n2 = 174, d = 0.29)$power),
  t2n_n1_given_n2 = list(
    args = list(outcome = "continuous", effect = 0.4, power = 0.8, n = list(NULL, 120)),
    n_pwr = pwr.t2n.test(n2 = 120, d = 0.4, power = 0.8)$n1,
    n = solve_exact(function(n1) t_power(n1, 120, 0.4) - 0.8, 2 + 1e-10, 1e9)),
  t2n_mde = list(
    args = list(outcome = "continuous", n = c(39, 30), power = 0.8),
    d_pwr = pwr.t2n.test(n1 = 39, n2 = 30, power = 0.8)$d,
    d = solve_exact(function(d) t_power(39, 30, d) - 0.8, 1e-7, 10)),
  # ratio: n_control = 2 n_treated, solved on pwr.t2n.test's power
  t_n_ratio2 = list(
    args = list(outcome = "continuous", effect = 0.4, power = 0.8, ratio = 2),
    n = solve_exact(function(n) t_power(n, 2 * n, 0.4) - 0.8, 2, 1e9)),
  # --- stats::power.t.test, strict = TRUE
  power_t_test_power = list(
    args = list(outcome = "continuous", effect = 0.5, n = 40),
    power = power.t.test(n = 40, delta = 0.5, sd = 1, strict = TRUE)$power),
  power_t_test_n = list(
    args = list(outcome = "continuous", effect = 0.3, power = 0.8),
    n = power.t.test(delta = 0.3, power = 0.8, strict = TRUE, tol = tight)$n),
  power_t_test_delta = list(
    args = list(outcome = "continuous", n = 40, power = 0.8),
    d = power.t.test(n = 40, power = 0.8, strict = TRUE, tol = tight)$delta),
  # --- clustering: mentees in groups of 6, ICC = 0.05 (design effect 1.25)
  t_cluster_n_both = list(
    args = list(outcome = "continuous", effect = 0.3, power = 0.8, cluster_size = 6,
                icc = 0.05),
    design_effect = design_effect(6, 0.05),
    n_effective = solve_exact(function(n) pwr.t.test(n = n, d = 0.3)$power - 0.8,
                              2 + 1e-10, 1e9),
    n = design_effect(6, 0.05) *
      solve_exact(function(n) pwr.t.test(n = n, d = 0.3)$power - 0.8, 2 + 1e-10, 1e9)),
  t_cluster_power_treated_only = list(
    args = list(outcome = "continuous", effect = 0.5, n = c(60, 60), cluster_size = c(8, 1),
                icc = 0.1),
    design_effect = design_effect(8, 0.1),
    power = t_power(60 / design_effect(8, 0.1), 60, 0.5)),
  t_cluster_mde_both = list(
    args = list(outcome = "continuous", n = 120, power = 0.8, cluster_size = 10, icc = 0.02),
    d = solve_exact(function(d) t_power(120 / design_effect(10, 0.02),
                                        120 / design_effect(10, 0.02), d) - 0.8, 1e-7, 10)),
  # --- binary, arcsine (Cohen's h): pwr.2p.test / pwr.2p2n.test
  h_power = list(
    args = list(outcome = "binary", p_control = 0.5, p_treated = 0.7, n = 60),
    h = ES.h(0.7, 0.5),
    power = pwr.2p.test(h = ES.h(0.7, 0.5), n = 60)$power),
  h_power_greater = list(
    args = list(outcome = "binary", p_control = 0.8, effect = 0.1, n = 100,
                alternative = "greater"),
    h = ES.h(0.9, 0.8),
    power = pwr.2p.test(h = ES.h(0.9, 0.8), n = 100, alternative = "greater")$power),
  h_n = list(
    args = list(outcome = "binary", p_control = 0.267, p_treated = 0.513, power = 0.8),
    n_pwr = pwr.2p.test(h = ES.h(0.513, 0.267), power = 0.8)$n,
    n = solve_exact(function(n) pwr.2p.test(h = ES.h(0.513, 0.267), n = n)$power - 0.8,
                    2 + 1e-10, 1e9)),
  h_mde = list(
    args = list(outcome = "binary", p_control = 0.7, n = 100, power = 0.8),
    h_pwr = pwr.2p.test(n = 100, power = 0.8)$h,
    h = solve_exact(function(h) pwr.2p.test(h = h, n = 100)$power - 0.8, 1e-10, 10)),
  h2n_power = list(
    args = list(outcome = "binary", p_control = 0.267, p_treated = 0.513, n = c(39, 30)),
    power = pwr.2p2n.test(h = ES.h(0.513, 0.267), n1 = 39, n2 = 30)$power),
  h2n_n1_given_n2 = list(
    args = list(outcome = "binary", p_control = 0.6, p_treated = 0.75, power = 0.8,
                n = list(NULL, 300)),
    n_pwr = pwr.2p2n.test(h = ES.h(0.75, 0.6), n2 = 300, power = 0.8)$n1,
    n = solve_exact(function(n1) pwr.2p2n.test(h = ES.h(0.75, 0.6), n1 = n1,
                                               n2 = 300)$power - 0.8, 2 + 1e-10, 1e9)),
  h2n_mde = list(
    args = list(outcome = "binary", p_control = 0.3, n = c(81, 174), power = 0.8),
    h_pwr = pwr.2p2n.test(n1 = 81, n2 = 174, power = 0.8)$h,
    h = solve_exact(function(h) pwr.2p2n.test(h = h, n1 = 81, n2 = 174)$power - 0.8,
                    1e-10, 10)),
  # --- binary, normal approximation: power.prop.test(strict = TRUE), Hmisc::bpower
  prop_power = list(
    args = list(outcome = "binary", p_control = 0.5, p_treated = 0.75, n = 50,
                method = "normal"),
    power = power.prop.test(n = 50, p1 = 0.5, p2 = 0.75, strict = TRUE)$power),
  prop_n = list(
    args = list(outcome = "binary", p_control = 0.5, p_treated = 0.75, power = 0.9,
                method = "normal"),
    n = power.prop.test(p1 = 0.5, p2 = 0.75, power = 0.9, strict = TRUE, tol = tight)$n),
  prop_mde_rise = list(
    args = list(outcome = "binary", p_control = 0.6, n = 80, power = 0.8, method = "normal"),
    p_treated = power.prop.test(n = 80, p1 = 0.6, power = 0.8, strict = TRUE, tol = tight)$p2),
  prop_mde_fall = list(
    args = list(outcome = "binary", p_control = 0.6, n = 80, power = 0.8, method = "normal"),
    p_treated = power.prop.test(n = 80, p2 = 0.6, power = 0.8, strict = TRUE, tol = tight)$p1),
  bpower_unequal = list(
    args = list(outcome = "binary", p_control = 0.267, p_treated = 0.513, n = c(39, 30),
                method = "normal"),
    power = unname(Hmisc::bpower(p1 = 0.513, p2 = 0.267, n1 = 39, n2 = 30))),
  bpower_cluster = list(
    args = list(outcome = "binary", p_control = 0.1, p_treated = 0.2, n = c(150, 150),
                method = "normal", cluster_size = 6, icc = 0.05),
    power = unname(Hmisc::bpower(p1 = 0.2, p2 = 0.1, n1 = 150 / design_effect(6, 0.05),
                                 n2 = 150 / design_effect(6, 0.05))))
)

# ---------------------------------------------------------------- meta-analysis input

data(dat.bcg, package = "metadat")
bcg <- dat.bcg[, c("trial", "author", "year", "tpos", "tneg", "cpos", "cneg")]
write.csv(bcg, file.path(dat, "meta_bcg.csv"), row.names = FALSE)

# Invented multi-site evaluation: exam scores of mentored (treated) and comparison
# students at six sites/cohorts.
sites <- data.frame(
  site = c("Site A 2019", "Site A 2020", "Site B 2020", "Site C 2021", "Site D 2021",
           "Site E 2022"),
  n_treated = c(40, 52, 35, 28, 61, 22),
  mean_treated = c(72.4, 70.9, 75.3, 68.2, 73.8, 71.0),
  sd_treated = c(9.8, 11.2, 8.7, 12.5, 10.1, 9.0),
  n_control = c(45, 60, 38, 30, 120, 25),
  mean_control = c(69.1, 70.2, 70.8, 67.9, 71.5, 65.2),
  sd_control = c(10.5, 10.9, 9.4, 12.1, 10.7, 10.2)
)
write.csv(sites, file.path(dat, "meta_sites.csv"), row.names = FALSE)

# Invented pass counts at four sites; Site C has no failures among mentored students
# (a zero cell: escalc adds 1/2 to every cell of that table, add = 1/2, to = "only0").
counts <- data.frame(
  site = c("Site A", "Site B", "Site C", "Site D"),
  events_treated = c(36, 50, 35, 25), n_treated = c(40, 52, 35, 28),
  events_control = c(30, 52, 33, 24), n_control = c(45, 60, 38, 30)
)
write.csv(counts, file.path(dat, "meta_counts.csv"), row.names = FALSE)

# ---------------------------------------------------------------- meta-analysis output

tight_control <- list(threshold = tight, maxiter = 1000, tol = tight)

fit_entry <- function(yi, vi, method, test = "z", control = tight_control) {
  fit <- rma(yi = yi, vi = vi, method = method, test = test, control = control)
  p_default <- predict(fit)
  p_riley <- predict(fit, pi.type = "riley")
  list(
    method = method, test = test, k = fit$k,
    estimate = c(fit$beta), se = fit$se, statistic = fit$zval, p = fit$pval,
    ci_low = fit$ci.lb, ci_high = fit$ci.ub, df = if (is.na(fit$ddf)) NULL else fit$ddf,
    tau2 = fit$tau2, se_tau2 = if (is.na(fit$se.tau2)) NULL else fit$se.tau2,
    i2 = fit$I2, h2 = fit$H2, q = fit$QE, q_p = fit$QEp, s2w = fit$s2w,
    weights = unname(weights(fit)),
    pi_low_metafor = p_default$pi.lb, pi_high_metafor = p_default$pi.ub,
    pi_low_riley = p_riley$pi.lb, pi_high_riley = p_riley$pi.ub
  )
}

bcg_es <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
bcg_fits <- list(
  FE = fit_entry(bcg_es$yi, bcg_es$vi, "FE"),
  DL = fit_entry(bcg_es$yi, bcg_es$vi, "DL"),
  REML = fit_entry(bcg_es$yi, bcg_es$vi, "REML"),
  ML = fit_entry(bcg_es$yi, bcg_es$vi, "ML"),
  PM = fit_entry(bcg_es$yi, bcg_es$vi, "PM"),
  DL_knha = fit_entry(bcg_es$yi, bcg_es$vi, "DL", test = "knha"),
  REML_knha = fit_entry(bcg_es$yi, bcg_es$vi, "REML", test = "knha"),
  REML_adhoc = fit_entry(bcg_es$yi, bcg_es$vi, "REML", test = "adhoc"),
  REML_default = fit_entry(bcg_es$yi, bcg_es$vi, "REML", control = list())
)

sites_smd <- escalc(measure = "SMD", m1i = mean_treated, sd1i = sd_treated, n1i = n_treated,
                    m2i = mean_control, sd2i = sd_control, n2i = n_control, data = sites)
sites_md <- escalc(measure = "MD", m1i = mean_treated, sd1i = sd_treated, n1i = n_treated,
                   m2i = mean_control, sd2i = sd_control, n2i = n_control, data = sites)
count_es <- function(measure) {
  escalc(measure = measure, ai = events_treated, n1i = n_treated, ci = events_control,
         n2i = n_control, data = counts)
}
counts_or <- count_es("OR")
counts_rr <- count_es("RR")
counts_rd <- count_es("RD")
yv <- function(es) list(yi = c(es$yi), vi = c(es$vi))

out <- list(
  `_meta` = list(script = "tests/reference/power_meta.R", R = R.version.string,
                 pwr = as.character(packageVersion("pwr")),
                 metafor = as.character(packageVersion("metafor")),
                 Hmisc = as.character(packageVersion("Hmisc")),
                 jsonlite = as.character(packageVersion("jsonlite")),
                 written = format(Sys.Date())),
  power = power_cases,
  escalc = list(bcg_rr = yv(bcg_es), sites_smd = yv(sites_smd), sites_md = yv(sites_md),
                counts_or = yv(counts_or), counts_rr = yv(counts_rr),
                counts_rd = yv(counts_rd)),
  bcg = bcg_fits,
  sites = list(
    REML = fit_entry(sites_smd$yi, sites_smd$vi, "REML"),
    REML_knha = fit_entry(sites_smd$yi, sites_smd$vi, "REML", test = "knha"),
    DL = fit_entry(sites_smd$yi, sites_smd$vi, "DL")
  ),
  # optimum on the boundary: Hedges' starting value is positive, REML's optimum is 0
  boundary = list(
    REML = fit_entry(c(0, 0, 1), c(0.001, 0.001, 0.9), "REML"),
    REML_default = fit_entry(c(0, 0, 1), c(0.001, 0.001, 0.9), "REML", control = list()),
    ML = fit_entry(c(0, 0, 1), c(0.001, 0.001, 0.9), "ML")
  ),
  counts = list(
    REML_or = fit_entry(counts_or$yi, counts_or$vi, "REML"),
    DL_rr = fit_entry(counts_rr$yi, counts_rr$vi, "DL")
  )
)

jsonlite::write_json(out, file.path(ref, "power_meta.json"), digits = NA, auto_unbox = TRUE,
                     pretty = TRUE, null = "null")
cat("wrote", file.path(ref, "power_meta.json"), "\n")
