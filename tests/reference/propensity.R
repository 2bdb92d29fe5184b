# Reference values for peereval.outcomes.propensity_match, propensity_weight and balance.
# Run from the repository root: Rscript tests/reference/propensity.R
# Writes tests/reference/data/lalonde.csv (MatchIt's copy of the Lalonde/Dehejia-Wahba
# data, with the row names as column `id`) and tests/reference/propensity.json.
#
# Matching: MatchIt 4.5.1, method = "nearest", treat ~ age + educ + race + married +
# nodegree + re74 + re75, propensity score from glm(family = binomial) (what MatchIt's
# distance = "glm" fits); the distance is the score itself, or its logit where the
# case says link = "linear.logit".
#
# MatchIt 4.5.1 as installed here truncates |distance difference| to an integer before
# comparing (MatchIt issue #163, "Caliper not working as intended on versions
# 4.5.1 - 4.5.3"): with propensity scores every difference becomes 0, so the caliper is
# never applied and the unit below always wins, whatever the distances. The cases below
# therefore pass the distance to matchit() multiplied by a power of ten (about 1e9 for
# scores), a monotone rescaling that leaves nearest-neighbour matching and a caliper in
# SD units unchanged but makes the truncation act only below 1e-9; the distance and
# caliper are divided back before summary(). `bug_451` records, for the default call,
# how many matches the unscaled call gets wrong.
#
# MatchIt 4.5.1 has a bug with ratio > 1 AND replace = TRUE: the same control can be
# matched several times to one treated unit (MatchIt issue #159, fixed after 4.5.1).
# That combination is therefore checked against `knn_replace()` below, a brute-force
# k-nearest-distinct-controls search written here, not against matchit().
#
# Effects after matching follow MatchIt's vignette "Estimating Effects After Matching":
# lm(re78 ~ treat, weights = weights) on match.data(), cluster-robust SEs by pair
# (sandwich::vcovCL, cluster = ~subclass) without replacement, HC3 with replacement;
# with covariates, g-computation from lm(re78 ~ treat * (covariates)) averaged over the
# (weighted) focal units, SE by the delta method with the same vcov. Intervals use the
# t distribution with the residual df (lmtest::coefci).
#
# Weighting (WeightIt is not installed): weights written out by hand from glm() scores,
# balance from MatchIt's own bal1var() (cobalt's conventions), lm(re78 ~ treat, weights)
# with sandwich::vcovHC types HC0 and HC3.
suppressPackageStartupMessages({
  library(MatchIt)
  library(jsonlite)
  library(sandwich)
  library(lmtest)
})

data("lalonde", package = "MatchIt")
lal <- lalonde
lal$race <- as.character(lal$race)
write.csv(data.frame(id = rownames(lalonde), lal, stringsAsFactors = FALSE),
          "tests/reference/data/lalonde.csv", row.names = FALSE)
lal <- read.csv("tests/reference/data/lalonde.csv", stringsAsFactors = FALSE)
rownames(lal) <- lal$id
covs <- c("age", "educ", "race", "married", "nodegree", "re74", "re75")
f <- treat ~ age + educ + race + married + nodegree + re74 + re75

balance_frame <- function(tab) {
  tab <- as.data.frame(tab)
  out <- list(term = rownames(tab))
  for (nm in names(tab)) out[[nm]] <- unname(tab[[nm]])
  out
}

describe_match <- function(m) {
  s <- summary(m)
  mm <- m$match.matrix
  list(
    distance = unname(m$distance),
    caliper = if (is.null(m$caliper)) NULL else unname(m$caliper),
    focal = rownames(mm),
    match_matrix = lapply(seq_len(ncol(mm)), function(j) unname(mm[, j])),
    weights = unname(m$weights),
    subclass = if (is.null(m$subclass)) NULL else as.character(m$subclass),
    discarded = unname(m$discarded),
    sum_all = balance_frame(s$sum.all),
    sum_matched = balance_frame(s$sum.matched),
    nn = list(row = rownames(s$nn), control = unname(s$nn[, "Control"]),
              treated = unname(s$nn[, "Treated"]))
  )
}

run <- function(data, formula, link = "logit", ...) {
  args <- list(...)
  fit <- glm(formula, data = data, family = binomial)
  d <- if (link == "linear.logit") predict(fit, type = "link") else fitted(fit)
  scale <- 10^floor(log10(2e9 / diff(range(d))))
  m <- do.call(matchit, c(list(formula = formula, data = data, method = "nearest",
                               distance = unname(d) * scale), args))
  m$distance <- m$distance / scale
  if (!is.null(m$caliper)) m$caliper <- m$caliper / scale
  c(list(args = c(list(link = link), args), scale = scale), describe_match(m))
}

cases <- list(
  nearest = run(lal, f),
  caliper = run(lal, f, caliper = 0.2),
  ratio2 = run(lal, f, ratio = 2),
  replace = run(lal, f, replace = TRUE),
  logit_caliper = run(lal, f, link = "linear.logit", caliper = 0.2),
  logit_nearest = run(lal, f, link = "linear.logit"),
  logit_ratio3_caliper = run(lal, f, link = "linear.logit", ratio = 3, caliper = 0.25),
  smallest = run(lal, f, m.order = "smallest"),
  data_order = run(lal, f, m.order = "data"),
  discard_both = run(lal, f, discard = "both"),
  discard_control_caliper = run(lal, f, discard = "control", caliper = 0.1),
  atc = run(lal, f, estimand = "ATC")
)

# Treated outnumber controls: reverse the coding (429 "treated", 185 controls).
rev_data <- lal
rev_data$treat <- 1L - rev_data$treat
cases$reversed_replace <- run(rev_data, f, replace = TRUE)
cases$reversed_nearest <- run(rev_data, f)
cases$reversed_caliper <- run(rev_data, f, caliper = 0.2)

# 1:2 with replacement: k nearest distinct controls of each treated unit, the closer
# one first; a tie in |distance| goes to the control with the smaller distance (lower in
# the sorted order), as MatchIt's find_left/find_right comparison does.
knn_replace <- function(treat, distance, k) {
  ord <- sort.list(distance)
  ids0 <- which(treat == 0)
  out <- matrix(NA_integer_, nrow = sum(treat == 1), ncol = k)
  for (r in seq_len(nrow(out))) {
    i <- which(treat == 1)[r]
    d <- distance[ids0]
    pos0 <- match(ids0, ord)
    posi <- match(i, ord)
    # key: |difference|, then left side (sorted position below i) first, then nearest
    # in sorted order
    left <- pos0 < posi
    key <- order(abs(d - distance[i]), !left, abs(pos0 - posi))
    out[r, ] <- ids0[key[seq_len(k)]]
  }
  out
}
m_r2 <- matchit(f, data = lal, method = "nearest", ratio = 2, replace = TRUE)
ps_glm <- fitted(glm(f, data = lal, family = binomial))
knn <- knn_replace(lal$treat, unname(ps_glm), 2)
cases$ratio2_replace_bruteforce <- list(
  args = list(ratio = 2, replace = TRUE),
  distance = unname(ps_glm),
  focal = rownames(lal)[lal$treat == 1],
  match_matrix = lapply(1:2, function(j) rownames(lal)[knn[, j]]),
  matchit_451_duplicates = sum(m_r2$match.matrix[, 1] == m_r2$match.matrix[, 2])
)

# Effects after matching -----------------------------------------------------------
effect_row <- function(fit, V, term = "treat") {
  est <- unname(coef(fit)[term])
  se <- sqrt(V[term, term])
  ci <- coefci(fit, vcov. = V, parm = term)
  ct <- coeftest(fit, vcov. = V)
  list(estimate = est, se = se, lower = ci[1, 1], upper = ci[1, 2],
       statistic = ct[term, 3], p = ct[term, 4], df = fit$df.residual,
       n = nobs(fit))
}

gcomp_row <- function(fit, V, focal_rows, w) {
  # ATT/ATC from lm(y ~ treat * (x)): the treat coefficient plus the interaction
  # coefficients times the weighted means of x among the focal units.
  X <- model.matrix(fit)
  b <- coef(fit)
  X1 <- X[focal_rows, , drop = FALSE]
  X1[, "treat"] <- 1
  X0 <- X1
  X0[, "treat"] <- 0
  inter <- grep("^treat:", colnames(X))
  X1[, inter] <- X1[, sub("^treat:", "", colnames(X)[inter])]
  X0[, inter] <- 0
  g <- colSums((X1 - X0) * w[focal_rows]) / sum(w[focal_rows])
  est <- sum(g * b)
  se <- sqrt(drop(t(g) %*% V %*% g))
  tcrit <- qt(0.975, fit$df.residual)
  list(estimate = est, se = se, lower = est - tcrit * se, upper = est + tcrit * se,
       df = fit$df.residual, n = nobs(fit))
}

match_again <- function(case, data = lal) {
  # the matchit object of a case above (same scaled distance), for match.data()
  a <- cases[[case]]$args
  fit <- glm(f, data = data, family = binomial)
  d <- if (a$link == "linear.logit") predict(fit, type = "link") else fitted(fit)
  a$link <- NULL
  do.call(matchit, c(list(formula = f, data = data, method = "nearest",
                          distance = unname(d) * cases[[case]]$scale), a))
}

effects <- list()
for (name in c("nearest", "caliper", "ratio2", "logit_caliper")) {
  md <- match.data(match_again(name))
  fit <- lm(re78 ~ treat, data = md, weights = weights)
  V <- vcovCL(fit, cluster = ~subclass)
  fit_x <- lm(re78 ~ treat * (age + educ + race + married + nodegree + re74 + re75),
              data = md, weights = weights)
  Vx <- vcovCL(fit_x, cluster = ~subclass)
  effects[[name]] <- list(
    plain = effect_row(fit, V),
    adjusted = gcomp_row(fit_x, Vx, which(md$treat == 1), md$weights)
  )
}
md <- match.data(match_again("replace"))
fit <- lm(re78 ~ treat, data = md, weights = weights)
fit_x <- lm(re78 ~ treat * (age + educ + race + married + nodegree + re74 + re75),
            data = md, weights = weights)
effects$replace <- list(
  plain = effect_row(fit, vcovHC(fit, type = "HC3")),
  adjusted = gcomp_row(fit_x, vcovHC(fit_x, type = "HC3"), which(md$treat == 1),
                       md$weights)
)
md <- match.data(match_again("atc"))
fit <- lm(re78 ~ treat, data = md, weights = weights)
effects$atc <- list(plain = effect_row(fit, vcovCL(fit, cluster = ~subclass)))

# The same default call without the rescaling, to document the 4.5.1 truncation.
m_bug <- matchit(f, data = lal, method = "nearest")
bug_451 <- list(
  nearest_differences = sum(m_bug$match.matrix[, 1] != cases$nearest$match_matrix[[1]],
                            na.rm = TRUE),
  caliper_matched_unscaled = sum(!is.na(
    matchit(f, data = lal, method = "nearest", caliper = 0.2)$match.matrix[, 1])),
  caliper_matched_scaled = sum(!is.na(cases$caliper$match_matrix[[1]]))
)

# Propensity model -------------------------------------------------------------------
# glm()'s default convergence (relative deviance change < 1e-8) stops about 3e-9 from
# the maximum in the scores and 2e-5 (relative) in the standard errors, which come from
# the last iteration's weights; the model is refitted to convergence for these values
# (matchit() above used its own default fit, as users run it).
ps_fit <- glm(f, data = lal, family = binomial,
              control = glm.control(epsilon = 1e-14, maxit = 100))
ps <- unname(fitted(ps_fit))
propensity <- list(
  coef_names = names(coef(ps_fit)),
  coef = unname(coef(ps_fit)),
  se = unname(sqrt(diag(vcov(ps_fit)))),
  ps = ps,
  ps_default_glm = unname(fitted(glm(f, data = lal, family = binomial))),
  linear = unname(predict(ps_fit, type = "link")),
  deviance = ps_fit$deviance,
  aic = ps_fit$aic
)

# Weighting -------------------------------------------------------------------------
X <- MatchIt:::get.covs.matrix(data = lal[covs])
tr <- lal$treat
ipw_weights <- function(estimand, stabilized, trim) {
  p1 <- mean(tr)
  if (estimand == "ATE") {
    w <- ifelse(tr == 1, 1 / ps, 1 / (1 - ps))
    if (stabilized) w <- w * ifelse(tr == 1, p1, 1 - p1)
    estimated <- rep(TRUE, length(tr))
  } else {
    w <- ifelse(tr == 1, 1, ps / (1 - ps))
    if (stabilized) w[tr == 0] <- w[tr == 0] * (1 - p1) / p1
    estimated <- tr == 0
  }
  if (!is.null(trim)) {
    lo <- quantile(w[estimated], trim, type = 7)
    hi <- quantile(w[estimated], 1 - trim, type = 7)
    w[estimated] <- pmin(pmax(w[estimated], lo), hi)
  }
  w
}
ipw_case <- function(estimand, stabilized, trim = NULL) {
  w <- ipw_weights(estimand, stabilized, trim)
  denom <- if (estimand == "ATE") "pooled" else "treated"
  bal <- function(ww) {
    rows <- lapply(seq_len(ncol(X)), function(j) {
      MatchIt:::bal1var(X[, j], tt = tr, ww = ww, s.weights = rep(1, length(tr)),
                        standardize = TRUE, s.d.denom = denom, compute.pair.dist = FALSE)
    })
    tab <- do.call(rbind, rows)
    rownames(tab) <- colnames(X)
    balance_frame(tab[, 1:6])
  }
  fit <- lm(re78 ~ treat, data = lal, weights = w)
  ess <- function(x) sum(x)^2 / sum(x^2)
  list(
    estimand = estimand, stabilized = stabilized, trim = trim,
    weights = unname(w),
    ess_treated = ess(w[tr == 1]), ess_control = ess(w[tr == 0]),
    balance_before = bal(NULL), balance_after = bal(w),
    hc0 = effect_row(fit, vcovHC(fit, type = "HC0")),
    hc3 = effect_row(fit, vcovHC(fit, type = "HC3"))
  )
}
ipw <- list(
  ate_stabilized = ipw_case("ATE", TRUE),
  ate_unstabilized = ipw_case("ATE", FALSE),
  att_stabilized = ipw_case("ATT", TRUE),
  att_unstabilized = ipw_case("ATT", FALSE),
  ate_trim = ipw_case("ATE", TRUE, 0.01)
)

meta <- list(
  R = R.version.string,
  MatchIt = as.character(packageVersion("MatchIt")),
  sandwich = as.character(packageVersion("sandwich")),
  lmtest = as.character(packageVersion("lmtest")),
  script = "tests/reference/propensity.R",
  data = "tests/reference/data/lalonde.csv (MatchIt::lalonde, row names as id)"
)
write_json(list(`_meta` = meta, ids = lal$id, propensity = propensity, cases = cases,
                bug_451 = bug_451, effects = effects, ipw = ipw),
           "tests/reference/propensity.json", digits = NA, auto_unbox = TRUE,
           na = "null", null = "null")
cat("wrote tests/reference/propensity.json\n")
