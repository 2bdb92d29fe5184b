# Reference values for peereval.outcomes: describe(), compare(), compare_binary(),
# compare_many() and the effect-size maths in peereval._effects.
#
# Run from the repository root:
#   python tests/outcomes/test_compare.py --write-reference-data  # data/outcomes_sample.csv
#   Rscript tests/reference/outcomes_compare.R                    # data/outcomes_mtcars.csv,
#                                                                 # data/outcomes_sleep.csv,
#                                                                 # data/outcomes_small.csv,
#                                                                 # outcomes_compare.json
# Needs R with effectsize, epiR and jsonlite (Debian: r-cran-effectsize, r-cran-epir,
# r-cran-jsonlite).
#
# Where a package is the reference, its function is called (t.test, wilcox.test,
# chisq.test, fisher.test, prop.test, glm, p.adjust, effectsize::*, epiR::epi.2by2).
# Where no package computes the quantity, or computes it only approximately, it is
# written here from the published formula, independently of the Python code:
# * the noncentral-t limits of d, g and Glass's delta by uniroot() to 1e-13
#   (effectsize finds them by Nelder-Mead, good to about 1e-5; both are stored);
# * Cliff's delta and its interval from the full dominance matrix (Cliff 1993);
# * Newcombe's (1998) interval from prop.test's Wilson limits;
# * the exact permutation p by enumerating every split with combn();
# * the standardised differences of Table 1: Austin (2009) for continuous and binary
#   variables, Yang & Dalton (2012) for categorical ones (solve() on the averaged
#   covariance matrix);
# * the Haldane-corrected ratios and the number needed to treat.
# Group order everywhere: x (first) is the treated group, y the comparison group.

suppressPackageStartupMessages({
  library(effectsize)
  library(epiR)
  library(jsonlite)
})

ref <- file.path("tests", "reference")
dat <- file.path(ref, "data")
stopifnot(file.exists(file.path(dat, "outcomes_sample.csv")))

sample <- read.csv(file.path(dat, "outcomes_sample.csv"), stringsAsFactors = FALSE)

# mtcars: automatic (am = 0) and manual (am = 1) cars; mpg has ties.
cars <- mtcars[, c("mpg", "am", "cyl", "gear", "carb", "vs", "wt")]
write.csv(cars, file.path(dat, "outcomes_mtcars.csv"), row.names = FALSE)
# sleep: extra hours of sleep under two drugs (Student 1908), with ties.
write.csv(sleep[, c("extra", "group")], file.path(dat, "outcomes_sleep.csv"), row.names = FALSE)

# A small hand-made data set: 8 treated and 7 comparison students.
# score_noties has no ties (exact Mann-Whitney and permutation p); score_ties has
# ties (normal approximation with tie correction); passed has a zero cell (every
# treated student passed); sex is unrelated to passing.
small <- data.frame(
  group = c(rep("yes", 8), rep("no", 7)),
  score_noties = c(71.5, 64.2, 80.3, 77.7, 69.9, 85.1, 74.6, 66.8,
                   62.3, 70.4, 58.8, 67.5, 61.0, 73.2, 55.4),
  score_ties = c(6, 4, 4, 5, 8, 6, 6, 3, 3, 2, 5, 5, 3, 4, 7),
  passed = c(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0),
  sex = c("F", "M", "F", "F", "M", "M", "F", "M", "F", "F", "M", "F", "M", "M", "F")
)
write.csv(small, file.path(dat, "outcomes_small.csv"), row.names = FALSE)

level <- 0.95
z <- qnorm(1 - (1 - level) / 2)

ncp_limits <- function(t, df) {
  a <- (1 - level) / 2
  # pt() warns about precision at far-off bracket ends uniroot probes; not at the roots
  f <- function(ncp, target) suppressWarnings(pt(t, df, ncp)) - target
  width <- 10 + abs(t)
  lo <- uniroot(f, c(t - width, t + width), target = 1 - a, tol = 1e-13)$root
  hi <- uniroot(f, c(t - width, t + width), target = a, tol = 1e-13)$root
  c(lo, hi)
}

es <- function(e) list(estimate = e[[1]], ci_low = e$CI_low, ci_high = e$CI_high)

cliff <- function(x, y) {
  n1 <- length(x); n2 <- length(y)
  dom <- sign(outer(x, y, "-"))
  d <- mean(dom)
  di <- rowMeans(dom); dj <- colMeans(dom)
  s2i <- sum((di - d)^2) / (n1 - 1)
  s2j <- sum((dj - d)^2) / (n2 - 1)
  s2ij <- sum((dom - d)^2) / ((n1 - 1) * (n2 - 1))
  v <- ((n2 - 1) * s2i + (n1 - 1) * s2j + s2ij) / (n1 * n2)
  ci <- (d - d^3 + c(-1, 1) * z * sqrt(v) * sqrt((1 - d^2)^2 + z^2 * v)) /
    (1 - d^2 + z^2 * v)
  list(estimate = d, variance = v, ci_low = ci[1], ci_high = ci[2])
}

permutation_exact <- function(x, y) {
  values <- c(x, y); n1 <- length(x)
  observed <- abs(mean(x) - mean(y))
  splits <- combn(length(values), n1)
  diffs <- apply(splits, 2, function(i) mean(values[i]) - mean(values[-i]))
  list(p = mean(abs(diffs) >= observed - 1e-9 * max(1, observed)), splits = ncol(splits))
}

continuous_case <- function(x, y) {
  n1 <- length(x); n2 <- length(y)
  welch <- t.test(x, y, var.equal = FALSE, conf.level = level)
  student <- t.test(x, y, var.equal = TRUE, conf.level = level)
  ties <- length(unique(c(x, y))) < n1 + n2
  w_default <- suppressWarnings(wilcox.test(x, y))
  w_nocorrect <- suppressWarnings(wilcox.test(x, y, correct = FALSE))
  w_normal <- suppressWarnings(wilcox.test(x, y, exact = FALSE, correct = TRUE))
  d <- cohens_d(x, y, ci = level)
  g <- hedges_g(x, y, ci = level)
  delta <- glass_delta(x, y, ci = level)
  # exact noncentral-t limits, written from the definition
  sp <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / (n1 + n2 - 2))
  d_hat <- (mean(x) - mean(y)) / sp
  h <- sqrt(1 / n1 + 1 / n2)
  d_lim <- ncp_limits(d_hat / h, n1 + n2 - 2) * h
  df <- n1 + n2 - 2
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  hd <- sqrt(1 / n2 + var(x) / (n1 * var(y)))
  delta_hat <- (mean(x) - mean(y)) / sd(y)
  delta_lim <- ncp_limits(delta_hat / hd, n2 - 1) * hd
  out <- list(
    n1 = n1, n2 = n2, mean1 = mean(x), mean2 = mean(y), sd1 = sd(x), sd2 = sd(y),
    median1 = median(x), median2 = median(y),
    q1_1 = unname(quantile(x, 0.25)), q3_1 = unname(quantile(x, 0.75)),
    q1_2 = unname(quantile(y, 0.25)), q3_2 = unname(quantile(y, 0.75)),
    ties = ties,
    welch = list(t = unname(welch$statistic), df = unname(welch$parameter),
                 p = welch$p.value, ci_low = welch$conf.int[1], ci_high = welch$conf.int[2]),
    student = list(t = unname(student$statistic), df = unname(student$parameter),
                   p = student$p.value, ci_low = student$conf.int[1],
                   ci_high = student$conf.int[2]),
    wilcox_default = list(W = unname(w_default$statistic), p = w_default$p.value,
                          method = w_default$method),
    wilcox_nocorrect = list(W = unname(w_nocorrect$statistic), p = w_nocorrect$p.value),
    wilcox_normal = list(W = unname(w_normal$statistic), p = w_normal$p.value),
    cohens_d = es(d), hedges_g = es(g), glass_delta = es(delta),
    rank_biserial = es(rank_biserial(x, y, ci = level)),
    cliffs_delta_effectsize = es(cliffs_delta(x, y, ci = level)),
    p_superiority_np = es(p_superiority(x, y, parametric = FALSE, ci = level)),
    p_superiority_normal = es(p_superiority(x, y, parametric = TRUE, ci = level)),
    cohens_d_exact = list(estimate = d_hat, ci_low = d_lim[1], ci_high = d_lim[2]),
    hedges_g_exact = list(estimate = d_hat * J, ci_low = d_lim[1] * J,
                          ci_high = d_lim[2] * J),
    glass_delta_exact = list(estimate = delta_hat, ci_low = delta_lim[1],
                             ci_high = delta_lim[2]),
    cliffs_delta = cliff(x, y)
  )
  if (!ties) {
    w_exact <- wilcox.test(x, y, exact = TRUE)
    out$wilcox_exact <- list(W = unname(w_exact$statistic), p = w_exact$p.value)
  }
  if (choose(n1 + n2, n1) <= 10000) out$permutation <- permutation_exact(x, y)
  out
}

yes <- sample$mentored == "yes"
continuous <- list(
  sample_gpa_year1 = continuous_case(sample$gpa_year1[yes], sample$gpa_year1[!yes]),
  sample_exam_score = continuous_case(sample$exam_score[yes], sample$exam_score[!yes]),
  mtcars_mpg = continuous_case(cars$mpg[cars$am == 1], cars$mpg[cars$am == 0]),
  mtcars_mpg_reversed = continuous_case(cars$mpg[cars$am == 0], cars$mpg[cars$am == 1]),
  sleep_extra = continuous_case(sleep$extra[sleep$group == 2], sleep$extra[sleep$group == 1]),
  small_noties = continuous_case(small$score_noties[small$group == "yes"],
                                 small$score_noties[small$group == "no"]),
  small_ties = continuous_case(small$score_ties[small$group == "yes"],
                               small$score_ties[small$group == "no"])
)

# ----------------------------------------------------------------- binary outcomes

# fisher.test finds the conditional MLE and its limits with uniroot's default tolerance
# (about 1e-4); the same equations solved here on the log scale to 1e-12. With x = a,
# the noncentral hypergeometric distribution of the first cell given the margins.
conditional_or <- function(a, b, c, d) {
  n1 <- a + b; n2 <- c + d; m <- a + c
  support <- max(0, m - n2):min(n1, m)
  logdens <- dhyper(support, n1, n2, m, log = TRUE)
  dist <- function(lpsi) {
    w <- logdens + support * lpsi
    w <- exp(w - max(w))
    w / sum(w)
  }
  mean_at <- function(lpsi) sum(support * dist(lpsi))
  upper_tail <- function(lpsi) sum(dist(lpsi)[support >= a])
  lower_tail <- function(lpsi) sum(dist(lpsi)[support <= a])
  a_half <- (1 - level) / 2
  range <- c(-50, 50)
  mle <- if (a == min(support)) 0 else if (a == max(support)) Inf else
    exp(uniroot(function(l) mean_at(l) - a, range, tol = 1e-12)$root)
  low <- if (a == min(support)) 0 else
    exp(uniroot(function(l) upper_tail(l) - a_half, range, tol = 1e-12)$root)
  high <- if (a == max(support)) Inf else
    exp(uniroot(function(l) lower_tail(l) - a_half, range, tol = 1e-12)$root)
  list(estimate = mle, ci_low = low, ci_high = high)
}

binary_case <- function(a, b, c, d) {
  n1 <- a + b; n2 <- c + d
  p1 <- a / n1; p2 <- c / n2
  tab <- matrix(c(a, b, c, d), nrow = 2, byrow = TRUE)
  w1 <- suppressWarnings(prop.test(a, n1, correct = FALSE, conf.level = level))$conf.int
  w2 <- suppressWarnings(prop.test(c, n2, correct = FALSE, conf.level = level))$conf.int
  rd <- p1 - p2
  newcombe <- c(rd - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
                rd + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
  se_wald <- sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
  wald <- rd + c(-1, 1) * z * se_wald
  zero <- any(tab == 0)
  k <- if (zero) tab + 0.5 else tab
  rr <- (k[1, 1] / sum(k[1, ])) / (k[2, 1] / sum(k[2, ]))
  rr_se <- sqrt(1 / k[1, 1] - 1 / sum(k[1, ]) + 1 / k[2, 1] - 1 / sum(k[2, ]))
  or <- (k[1, 1] * k[2, 2]) / (k[1, 2] * k[2, 1])
  or_se <- sqrt(sum(1 / k))
  chi <- suppressWarnings(chisq.test(tab, correct = FALSE))
  yates <- suppressWarnings(chisq.test(tab, correct = TRUE))
  fisher <- fisher.test(tab, conf.level = level)
  h <- cohens_h(t(tab), ci = level)
  out <- list(
    a = a, b = b, c = c, d = d,
    wilson1 = as.numeric(w1), wilson2 = as.numeric(w2),
    rd = rd, rd_newcombe = newcombe, rd_wald = wald,
    haldane = zero,
    rr = rr, rr_ci = exp(log(rr) + c(-1, 1) * z * rr_se),
    or = or, or_ci = exp(log(or) + c(-1, 1) * z * or_se),
    nnt_limits_newcombe = 1 / rev(newcombe),
    chisq = unname(chi$statistic), chisq_p = chi$p.value,
    yates = unname(yates$statistic), yates_p = yates$p.value,
    min_expected = min(chi$expected),
    fisher_p = fisher$p.value, fisher_or = unname(fisher$estimate),
    fisher_ci = as.numeric(fisher$conf.int),
    conditional_or = conditional_or(a, b, c, d),
    cohens_h = es(h)
  )
  if (!zero) {
    e <- epi.2by2(as.table(tab), method = "cohort.count", conf.level = level)$massoc.detail
    out$epi <- list(
      rr = as.numeric(e$RR.strata.wald[1, ]), or = as.numeric(e$OR.strata.wald[1, ]),
      rd_wald = as.numeric(e$ARisk.strata.wald[1, ]) / 100,
      chisq = e$chi2.strata.uncor$test.statistic,
      yates = e$chi2.strata.yates$test.statistic
    )
    out$effectsize_or <- es(oddsratio(t(tab), ci = level))
    # effectsize 0.8.3's riskratio interval uses SE = sqrt(p1/((1-p1)n1)) +
    # sqrt(p2/((1-p2)n2)), not the delta-method SE; only its estimate is a reference.
    out$effectsize_rr <- es(riskratio(t(tab), ci = level))
  }
  out
}

counts <- function(event, treated) {
  c(sum(event[treated] == 1), sum(event[treated] == 0),
    sum(event[!treated] == 1), sum(event[!treated] == 0))
}

binary <- list(
  sample_passed = do.call(binary_case, as.list(counts(sample$passed, yes))),
  sample_sex_f = do.call(binary_case, as.list(counts(as.numeric(sample$sex == "F"), yes))),
  small_passed = do.call(binary_case,
                         as.list(counts(small$passed, small$group == "yes"))),
  mtcars_vs = do.call(binary_case, as.list(counts(cars$vs, cars$am == 1))),
  tea = binary_case(3, 1, 1, 3)
)

# Logistic regression with covariates (Wald intervals, confint.default), IRLS run to
# a tight tolerance so that the coefficients are good to about 1e-10.
sample$treated <- as.numeric(yes)
fit <- glm(passed ~ treated + gpa_entry + sex + age, family = binomial, data = sample,
           control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary(fit)$coefficients
logistic <- list(
  terms = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
  z = unname(s[, 3]), p = unname(s[, 4]),
  or = unname(exp(s[, 1])), ci_low = unname(exp(confint.default(fit)[, 1])),
  ci_high = unname(exp(confint.default(fit)[, 2]))
)
cars$manual <- cars$am
fit_cars <- glm(vs ~ manual + wt, family = binomial, data = cars,
                control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary(fit_cars)$coefficients
logistic_mtcars <- list(
  terms = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
  p = unname(s[, 4]), ci_low = unname(exp(confint.default(fit_cars)[, 1])),
  ci_high = unname(exp(confint.default(fit_cars)[, 2]))
)

# ------------------------------------------------------------ multiplicity

p_many <- c(continuous$sample_gpa_year1$welch$p, continuous$sample_exam_score$welch$p,
            binary$sample_passed$chisq_p)
p_fixed <- c(0.01, 0.04, 0.03, 0.2, 0.005, 0.04)
adjust <- list(
  sample_p = p_many,
  sample_holm = p.adjust(p_many, "holm"), sample_bh = p.adjust(p_many, "BH"),
  sample_bonferroni = p.adjust(p_many, "bonferroni"),
  fixed_p = p_fixed,
  fixed_holm = p.adjust(p_fixed, "holm"), fixed_bh = p.adjust(p_fixed, "BH"),
  fixed_bonferroni = p.adjust(p_fixed, "bonferroni")
)

# ------------------------------------------------------------ Table 1 (describe)

smd_cont <- function(x, y) {
  x <- x[!is.na(x)]; y <- y[!is.na(y)]
  (mean(x) - mean(y)) / sqrt((var(x) + var(y)) / 2)
}
smd_bin <- function(p1, p2) (p1 - p2) / sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
smd_cat <- function(x, y) {
  levels <- sort(unique(c(x, y)))
  p1 <- as.numeric(table(factor(x, levels = levels))) / length(x)
  p2 <- as.numeric(table(factor(y, levels = levels))) / length(y)
  t <- (p1 - p2)[-1]
  s <- function(p) diag(p[-1], nrow = length(p) - 1) - outer(p[-1], p[-1])
  S <- (s(p1) + s(p2)) / 2
  sqrt(drop(t(t) %*% solve(S) %*% t))
}
describe_cont <- function(x, y) list(
  n1 = length(x), n2 = length(y), mean1 = mean(x), mean2 = mean(y), sd1 = sd(x),
  sd2 = sd(y), median1 = median(x), median2 = median(y),
  q1_1 = unname(quantile(x, 0.25)), q3_1 = unname(quantile(x, 0.75)),
  q1_2 = unname(quantile(y, 0.25)), q3_2 = unname(quantile(y, 0.75)),
  smd = smd_cont(x, y))
describe_cat <- function(x, y) {
  levels <- sort(unique(c(x, y)))
  c1 <- as.numeric(table(factor(x, levels = levels)))
  c2 <- as.numeric(table(factor(y, levels = levels)))
  list(levels = as.character(levels), count1 = c1, count2 = c2,
       pct1 = 100 * c1 / sum(c1), pct2 = 100 * c2 / sum(c2),
       smd_levels = smd_bin(c1 / sum(c1), c2 / sum(c2)), smd = smd_cat(x, y))
}
am1 <- cars$am == 1
describe_ref <- list(
  sample = list(
    gpa_entry = describe_cont(sample$gpa_entry[yes], sample$gpa_entry[!yes]),
    age = describe_cont(sample$age[yes], sample$age[!yes]),
    sessions_attended = describe_cont(sample$sessions_attended[yes],
                                      sample$sessions_attended[!yes]),
    sex = describe_cat(sample$sex[yes], sample$sex[!yes]),
    passed = describe_cat(sample$passed[yes], sample$passed[!yes])
  ),
  mtcars = list(
    mpg = describe_cont(cars$mpg[am1], cars$mpg[!am1]),
    wt = describe_cont(cars$wt[am1], cars$wt[!am1]),
    cyl = describe_cat(cars$cyl[am1], cars$cyl[!am1]),
    gear = describe_cat(cars$gear[am1], cars$gear[!am1]),
    carb = describe_cat(cars$carb[am1], cars$carb[!am1]),
    vs = describe_cat(cars$vs[am1], cars$vs[!am1])
  ),
  # a three-level variable written by hand, checked against the formula
  hand = list(counts1 = c(30, 50, 20), counts2 = c(45, 35, 20),
              smd = smd_cat(rep(c("a", "b", "c"), c(30, 50, 20)),
                            rep(c("a", "b", "c"), c(45, 35, 20))),
              smd_reordered = smd_cat(rep(c("c", "a", "b"), c(20, 30, 50)),
                                      rep(c("c", "a", "b"), c(20, 45, 35))))
)

out <- list(continuous = continuous, binary = binary, logistic = logistic,
            logistic_mtcars = logistic_mtcars, adjust = adjust, describe = describe_ref)
out[["_meta"]] <- list(
  script = "tests/reference/outcomes_compare.R",
  r_version = R.version.string,
  effectsize = as.character(packageVersion("effectsize")),
  epiR = as.character(packageVersion("epiR")),
  jsonlite = as.character(packageVersion("jsonlite")),
  level = level,
  written = format(Sys.Date())
)

jsonlite::write_json(out, file.path(ref, "outcomes_compare.json"), digits = NA,
                     auto_unbox = TRUE, pretty = TRUE)
cat("wrote", file.path(ref, "outcomes_compare.json"), "\n")
