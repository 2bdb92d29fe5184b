# Reference values for peereval.outcomes: ancova(), pre_post(), diff_in_diff(),
# mixed_model().
#
# Run from the repository root:
#   python tests/outcomes/test_ancova.py --write-reference-data   # data/models_sample.csv
#   Rscript tests/reference/outcomes_models.R                      # data/models_*.csv from
#                                                                  # R data sets, and
#                                                                  # outcomes_models.json
# Needs R with car, effectsize, sandwich, lmtest, lme4, emmeans, jsonlite (Debian:
# r-cran-car r-cran-effectsize r-cran-sandwich r-cran-lmtest r-cran-lme4 r-cran-emmeans
# r-cran-jsonlite); MASS and nlme ship with R.
#
# ANCOVA: car::Anova type II (default treatment contrasts) and type III with
# options(contrasts = c("contr.sum", "contr.poly")), as car's documentation requires.
# Partial eta squared: effectsize::eta_squared(partial = TRUE); effectsize finds the
# noncentrality bounds with optim() at abstol 1e-9 on a probability scale, which leaves
# the bounds about 1e-5 from the root, so the same bounds are also found here with
# uniroot() at tol 1e-13 (eta_exact_*), for the 1e-6 comparison.
# Adjusted means: predictions from the fitted model at the covariate means (the
# model-matrix column means, i.e. categorical covariates at their observed proportions),
# SE sqrt(c' V c); emmeans (installed here) gives the equal-weight version.
# Robust regression: lmtest::coeftest / coefci with sandwich::vcovHC(type = "HC3").
# Checks: anova() of the model with group x covariate interactions, car::leveneTest on
# the residuals (center = median, its default), shapiro.test on the residuals.
# Pre/post: t.test(paired = TRUE), wilcox.test(paired = TRUE) (default exact = NULL,
# correct = TRUE, and correct = FALSE), effectsize::cohens_d(paired = TRUE) (d_z) and
# rank_biserial(paired = TRUE) (whose interval counts zero differences, see below);
# d_z intervals also by uniroot on the noncentral t; d_av = mean change / mean of the
# two SDs (Lakens 2013; effectsize 0.8.3 has no repeated-measures d), its interval the
# d_z interval times sd(change) / that mean.
# Difference in differences: lm(y ~ group * time) with sandwich::vcovCL (its default
# type HC1 with the G/(G - 1) cluster adjustment), t on G - 1 df.
# Mixed models: lme4::lmer random intercept (REML, and ML once), with a bobyqa
# tolerance far below lme4's default so that the optimum is pinned down; students with
# no mentor group get a cluster of their own (cl = "own<id>"), as mixed_model() does.

suppressPackageStartupMessages({
  library(car)
  library(effectsize)
  library(sandwich)
  library(lmtest)
  library(lme4)
  library(emmeans)
  library(jsonlite)
})

ref <- file.path("tests", "reference")
dat <- file.path(ref, "data")
stopifnot(dir.exists(dat), file.exists(file.path(dat, "models_sample.csv")))

write_data <- function(x, name) {
  write.csv(x, file.path(dat, name), row.names = FALSE, na = "")
}

sample <- read.csv(file.path(dat, "models_sample.csv"), na.strings = "",
                   stringsAsFactors = FALSE)

# ------------------------------------------------------------------ helpers

ncp_bound <- function(f, df1, df2, prob) {
  gap <- function(l) pf(f, df1, df2, ncp = l) - prob
  if (gap(0) <= 0) return(0)
  hi <- max(10, 2 * f * df1)
  while (gap(hi) > 0) hi <- hi * 2
  uniroot(gap, c(0, hi), tol = 1e-13, maxiter = 1000)$root
}

eta_exact <- function(f, df1, df2, level = 0.95) {
  lo <- ncp_bound(f, df1, df2, level)            # one-sided ("greater")
  lo2 <- ncp_bound(f, df1, df2, 1 - (1 - level) / 2)
  hi2 <- ncp_bound(f, df1, df2, (1 - level) / 2)
  c(lo / (lo + df2), lo2 / (lo2 + df2), hi2 / (hi2 + df2))
}

anova_entry <- function(tab, level = 0.95) {
  tab <- as.data.frame(tab)
  terms <- rownames(tab)
  eff <- terms[!terms %in% c("(Intercept)", "Residuals")]
  res_df <- tab["Residuals", "Df"]
  exact <- t(sapply(eff, function(term) eta_exact(tab[term, "F value"], tab[term, "Df"],
                                                  res_df, level)))
  list(term = terms, ss = tab[["Sum Sq"]], df = tab[["Df"]],
       f = ifelse(is.na(tab[["F value"]]), NA, tab[["F value"]]),
       p = ifelse(is.na(tab[["Pr(>F)"]]), NA, tab[["Pr(>F)"]]),
       eta_terms = eff,
       eta_exact_low = unname(exact[, 1]),
       eta_exact_two_low = unname(exact[, 2]),
       eta_exact_two_high = unname(exact[, 3]))
}

with_effectsize <- function(entry, tab, level = 0.95) {
  e1 <- as.data.frame(eta_squared(tab, partial = TRUE, ci = level))
  e2 <- as.data.frame(eta_squared(tab, partial = TRUE, ci = 0.90,
                                  alternative = "two.sided"))
  entry$effectsize_terms <- e1$Parameter
  entry$effectsize_eta <- e1$Eta2_partial
  entry$effectsize_low <- e1$CI_low
  entry$effectsize_high <- e1$CI_high
  entry$effectsize90_low <- e2$CI_low
  entry$effectsize90_high <- e2$CI_high
  entry
}

# Predictions at the covariate means: model-matrix column means with the group column
# set to each level (treatment coding, group coded 1 for `treated`).
adjusted_means <- function(fit, group_col, level = 0.95) {
  X <- model.matrix(fit)
  xbar <- colMeans(X)
  crit <- qt(0.5 + level / 2, df.residual(fit))
  out <- lapply(c(1, 0), function(v) {
    x0 <- xbar
    x0[group_col] <- v
    est <- sum(x0 * coef(fit))
    se <- sqrt(drop(t(x0) %*% vcov(fit) %*% x0))
    c(est = est, se = se, low = est - crit * se, high = est + crit * se)
  })
  list(adjusted = c(out[[1]][["est"]], out[[2]][["est"]]),
       se = c(out[[1]][["se"]], out[[2]][["se"]]),
       low = c(out[[1]][["low"]], out[[2]][["low"]]),
       high = c(out[[1]][["high"]], out[[2]][["high"]]))
}

ancova_entry <- function(data, formula, slopes_formula, group, treated, source) {
  data[[group]] <- factor(data[[group]])
  data[[group]] <- relevel(data[[group]], ref = setdiff(levels(data[[group]]), treated))
  options(contrasts = c("contr.treatment", "contr.poly"))
  fit <- lm(formula, data)
  fit_slopes <- lm(slopes_formula, data)
  a2 <- Anova(fit, type = 2)
  s2 <- Anova(fit_slopes, type = 2)
  group_col <- paste0(group, treated)
  adj <- adjusted_means(fit, group_col)
  em_equal <- as.data.frame(emmeans(fit, group))
  em_prop <- as.data.frame(emmeans(fit, group, weights = "proportional"))
  rob <- coeftest(fit, vcov. = vcovHC(fit, type = "HC3"))
  rob_ci <- coefci(fit, vcov. = vcovHC(fit, type = "HC3"), df = df.residual(fit))
  rob0 <- coeftest(fit, vcov. = vcovHC(fit, type = "HC0"))
  cls <- summary(fit)$coefficients
  cls_ci <- confint(fit)
  cmp <- anova(fit, fit_slopes)
  lev <- leveneTest(residuals(fit) ~ data[[group]])
  sw <- shapiro.test(residuals(fit))
  options(contrasts = c("contr.sum", "contr.poly"))
  fit3 <- lm(formula, data)
  fit3_slopes <- lm(slopes_formula, data)
  a3 <- Anova(fit3, type = 3)
  s3 <- Anova(fit3_slopes, type = 3)
  options(contrasts = c("contr.treatment", "contr.poly"))
  y <- model.response(model.frame(fit))
  g <- data[[group]] == treated
  list(
    source = source,
    n = nobs(fit),
    type2 = with_effectsize(anova_entry(a2), a2),
    type3 = with_effectsize(anova_entry(a3), a3),
    slopes_type2 = anova_entry(s2),
    slopes_type3 = anova_entry(s3),
    slopes_f = cmp$F[2], slopes_df1 = cmp$Df[2], slopes_df2 = cmp$Res.Df[2],
    slopes_p = cmp[["Pr(>F)"]][2],
    coef_names = rownames(cls),
    estimate = unname(cls[, 1]), se = unname(cls[, 2]), t = unname(cls[, 3]),
    p = unname(cls[, 4]), ci_low = unname(cls_ci[, 1]), ci_high = unname(cls_ci[, 2]),
    hc3_se = unname(rob[, 2]), hc3_t = unname(rob[, 3]), hc3_p = unname(rob[, 4]),
    hc3_ci_low = unname(rob_ci[, 1]), hc3_ci_high = unname(rob_ci[, 2]),
    hc0_se = unname(rob0[, 2]),
    adjusted_mean = adj$adjusted, adjusted_se = adj$se, adjusted_low = adj$low,
    adjusted_high = adj$high,
    emmeans_levels = as.character(em_equal[[group]]),
    emmeans_equal = em_equal$emmean, emmeans_equal_se = em_equal$SE,
    emmeans_proportional = em_prop$emmean,
    raw_mean = c(mean(y[g]), mean(y[!g])), raw_sd = c(sd(y[g]), sd(y[!g])),
    r_squared = summary(fit)$r.squared, sigma = summary(fit)$sigma,
    levene_f = lev[["F value"]][1], levene_df1 = lev$Df[1], levene_df2 = lev$Df[2],
    levene_p = lev[["Pr(>F)"]][1],
    shapiro_w = unname(sw$statistic), shapiro_p = sw$p.value
  )
}

out <- list()

# ------------------------------------------------------------------ ANCOVA

out$ancova_sample_gpa <- ancova_entry(
  sample, gpa_year1 ~ mentored + gpa_entry + sex,
  gpa_year1 ~ mentored + gpa_entry + sex + mentored:gpa_entry + mentored:sex,
  "mentored", "yes", "sample study records")
out$ancova_sample_exam <- ancova_entry(
  sample, exam_score ~ mentored + gpa_entry,
  exam_score ~ mentored + gpa_entry + mentored:gpa_entry,
  "mentored", "yes", "sample study records")

cars <- mtcars[, c("mpg", "am", "wt", "cyl")]
write_data(cars, "models_mtcars.csv")
cars$cyl <- factor(cars$cyl)
out$ancova_mtcars <- ancova_entry(
  cars, mpg ~ am + wt + cyl, mpg ~ am + wt + cyl + am:wt + am:cyl,
  "am", "1", "datasets::mtcars (am as group, cyl as a factor)")

# ------------------------------------------------------------------ pre/post

t_ncp <- function(t, df, prob) {
  gap <- function(x) pt(t, df, ncp = x) - prob
  step <- 1
  while (gap(t - step) < 0 || gap(t + step) > 0) step <- step * 2
  uniroot(gap, c(t - step, t + step), tol = 1e-13, maxiter = 1000)$root
}

pre_post_entry <- function(before, after, source) {
  n <- length(before)
  diff <- after - before
  tt <- t.test(after, before, paired = TRUE)
  w <- suppressWarnings(wilcox.test(after, before, paired = TRUE))
  w_nc <- suppressWarnings(wilcox.test(after, before, paired = TRUE, correct = FALSE))
  w_ex <- suppressWarnings(wilcox.test(after, before, paired = TRUE, exact = FALSE))
  dz <- as.data.frame(cohens_d(after, before, paired = TRUE))
  rb <- as.data.frame(suppressWarnings(rank_biserial(after, before, paired = TRUE)))
  tval <- unname(tt$statistic)
  df <- n - 1
  dz_low <- t_ncp(tval, df, 0.975) / sqrt(n)
  dz_high <- t_ncp(tval, df, 0.025) / sqrt(n)
  sd_av <- (sd(before) + sd(after)) / 2
  # effectsize 0.8.3 counts zero differences in the SE of the rank-biserial r (it counts
  # non-zero *after* values) though r itself drops them; the interval with zeros dropped
  # throughout, as peereval computes it:
  nd <- sum(diff != 0)
  rb_se <- sqrt((2 * nd^3 + 3 * nd^2 + nd) / 6) / ((nd^2 + nd) / 2)
  rb_ci <- tanh(atanh(rb$r_rank_biserial) + c(-1, 1) * qnorm(0.975) * rb_se)
  list(
    source = source, n = n,
    mean_before = mean(before), sd_before = sd(before),
    mean_after = mean(after), sd_after = sd(after), r = cor(before, after),
    mean_change = mean(diff), sd_change = sd(diff),
    t = tval, df = unname(tt$parameter), p = tt$p.value,
    ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
    wilcox_v = unname(w$statistic), wilcox_p = w$p.value, wilcox_method = w$method,
    wilcox_nocorrect_p = w_nc$p.value, wilcox_approx_p = w_ex$p.value,
    d_z = mean(diff) / sd(diff), d_z_low = dz_low, d_z_high = dz_high,
    effectsize_d_z = dz$Cohens_d, effectsize_d_z_low = dz$CI_low,
    effectsize_d_z_high = dz$CI_high,
    d_av = mean(diff) / sd_av,
    d_av_low = dz_low * sd(diff) / sd_av, d_av_high = dz_high * sd(diff) / sd_av,
    rank_biserial = rb$r_rank_biserial, rank_biserial_low = rb$CI_low,
    rank_biserial_high = rb$CI_high, n_zero = sum(diff == 0),
    rank_biserial_nonzero_low = rb_ci[1], rank_biserial_nonzero_high = rb_ci[2]
  )
}

data(sleep)
sleep_wide <- data.frame(id = 1:10, before = sleep$extra[sleep$group == 1],
                         after = sleep$extra[sleep$group == 2])
write_data(sleep_wide, "models_sleep.csv")
out$prepost_sleep <- pre_post_entry(sleep_wide$before, sleep_wide$after,
                                    "datasets::sleep (drug 1 as before, drug 2 as after)")

data(anorexia, package = "MASS")
ano <- data.frame(id = seq_len(nrow(anorexia)), treat = as.character(anorexia$Treat),
                  prewt = anorexia$Prewt, postwt = anorexia$Postwt)
write_data(ano, "models_anorexia.csv")
ft <- ano[ano$treat == "FT", ]
cont <- ano[ano$treat == "Cont", ]
out$prepost_anorexia_ft <- pre_post_entry(ft$prewt, ft$postwt, "MASS::anorexia, FT arm")
out$prepost_anorexia_cont <- pre_post_entry(cont$prewt, cont$postwt,
                                            "MASS::anorexia, Cont arm")
mentees <- sample[sample$mentored == "yes", ]
out$prepost_sample <- pre_post_entry(mentees$gpa_entry, mentees$gpa_year1,
                                     "sample study, mentored students")

# ------------------------------------------------------------------ DiD

did_entry <- function(long, treated, cluster, source) {
  long$treat <- as.numeric(long$group == treated)
  fit <- lm(y ~ treat * post, long)
  vc <- vcovCL(fit, cluster = long[[cluster]])
  G <- length(unique(long[[cluster]]))
  ct <- coeftest(fit, vcov. = vc, df = G - 1)
  ci <- coefci(fit, vcov. = vc, df = G - 1)
  cells <- aggregate(y ~ treat + post, long, function(v) c(n = length(v), mean = mean(v),
                                                            sd = sd(v)))
  cells <- do.call(data.frame, cells)
  list(source = source, n_rows = nrow(long), n_clusters = G,
       coef_names = rownames(ct), estimate = unname(ct[, 1]), se = unname(ct[, 2]),
       t = unname(ct[, 3]), p = unname(ct[, 4]), ci_low = unname(ci[, 1]),
       ci_high = unname(ci[, 2]),
       cell_treat = cells$treat, cell_post = cells$post, cell_n = cells$y.n,
       cell_mean = cells$y.mean, cell_sd = cells$y.sd)
}

to_long <- function(wide, id, group, before, after, cluster = NULL) {
  a <- data.frame(id = wide[[id]], group = wide[[group]], post = 0, y = wide[[before]])
  b <- data.frame(id = wide[[id]], group = wide[[group]], post = 1, y = wide[[after]])
  if (!is.null(cluster)) {
    a$cl <- wide[[cluster]]
    b$cl <- wide[[cluster]]
  }
  rbind(a, b)
}

ano2 <- ano[ano$treat %in% c("FT", "Cont"), ]
out$did_anorexia <- did_entry(to_long(ano2, "id", "treat", "prewt", "postwt"), "FT", "id",
                              "MASS::anorexia, FT vs Cont, clustered by patient")
sample$cl <- ifelse(is.na(sample$mentor_group), paste0("own", sample$id),
                    sample$mentor_group)
out$did_sample_student <- did_entry(
  to_long(sample, "id", "mentored", "gpa_entry", "gpa_year1"), "yes", "id",
  "sample study GPA entry -> year 1, clustered by student")
out$did_sample_group <- did_entry(
  to_long(sample, "id", "mentored", "gpa_entry", "gpa_year1", "cl"), "yes", "cl",
  "sample study GPA entry -> year 1, clustered by mentor group (own cluster if none)")

# ------------------------------------------------------------------ mixed models

tight <- lmerControl(optimizer = "bobyqa",
                     optCtrl = list(rhobeg = 0.2, rhoend = 1e-12, maxfun = 1e5))

mixed_entry <- function(formula, null_formula, data, source, reml = TRUE) {
  fit <- lmer(formula, data, REML = reml, control = tight)
  null <- lmer(null_formula, data, REML = reml, control = tight)
  vc <- as.data.frame(VarCorr(fit))
  vn <- as.data.frame(VarCorr(null))
  fe <- summary(fit)$coefficients
  tau2 <- vc$vcov[1]; sigma2 <- vc$vcov[2]
  list(source = source, n = nobs(fit), n_groups = unname(ngrps(fit)),
       coef_names = rownames(fe), estimate = unname(fe[, 1]), se = unname(fe[, 2]),
       tau2 = tau2, sigma2 = sigma2, icc = tau2 / (tau2 + sigma2),
       tau2_null = vn$vcov[1], sigma2_null = vn$vcov[2],
       icc_null = vn$vcov[1] / (vn$vcov[1] + vn$vcov[2]),
       deviance = if (reml) unname(REMLcrit(fit)) else deviance(fit),
       loglik = as.numeric(logLik(fit)),
       singular = isSingular(fit))
}

out$mixed_sample_gpa <- mixed_entry(gpa_year1 ~ mentored + gpa_entry + (1 | cl),
                                    gpa_year1 ~ 1 + (1 | cl), sample,
                                    "sample study; no mentor group = own cluster")
out$mixed_sample_exam <- mixed_entry(exam_score ~ mentored + gpa_entry + sex + (1 | cl),
                                     exam_score ~ 1 + (1 | cl), sample,
                                     "sample study; no mentor group = own cluster")
data(Orthodont, package = "nlme")
ortho <- data.frame(distance = Orthodont$distance, age = Orthodont$age,
                    subject = as.character(Orthodont$Subject),
                    sex = as.character(Orthodont$Sex))
write_data(ortho, "models_orthodont.csv")
out$mixed_orthodont <- mixed_entry(distance ~ sex + age + (1 | subject),
                                   distance ~ 1 + (1 | subject), ortho,
                                   "nlme::Orthodont")
out$mixed_orthodont_ml <- mixed_entry(distance ~ sex + age + (1 | subject),
                                      distance ~ 1 + (1 | subject), ortho,
                                      "nlme::Orthodont, maximum likelihood", reml = FALSE)

# ------------------------------------------------------------------ write

pkgs <- c("car", "effectsize", "sandwich", "lmtest", "lme4", "emmeans", "jsonlite")
out[["_meta"]] <- list(
  script = "tests/reference/outcomes_models.R",
  r = R.version.string,
  packages = as.list(setNames(sapply(pkgs, function(p) as.character(packageVersion(p))),
                              pkgs))
)
write_json(out, file.path(ref, "outcomes_models.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
cat("wrote", file.path(ref, "outcomes_models.json"), "\n")
