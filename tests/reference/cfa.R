# Reference values for peereval.validity.cfa, invariance and discriminant_validity
# (lavaan 0.6.14). Run from the repository root: Rscript tests/reference/cfa.R
#
# Writes tests/reference/data/hs1939.csv (lavaan::HolzingerSwineford1939),
# tests/reference/data/cfa_hs_missing.csv (the same with some values blanked) and
# tests/reference/cfa.json. Reads tests/reference/data/sample_items.csv (written by
# tests/reference/make_inputs.py) and tests/reference/data/cfa_sample_sex.csv (written
# by python tests/validity/test_invariance.py --write-reference-data; run it first).
# Needs r-cran-lavaan, r-cran-psych and r-cran-jsonlite.
#
# Optimiser. lavaan's default nlminb stops with a gradient of about 3e-7 on the HS
# model, which leaves estimates about 1e-6 (relative) from the optimum (rel.tol cannot
# be tightened further: nlminb then reports false convergence). The reference fits are
# therefore run with optim.method = "BFGS" and reltol = 1e-16 (the same estimator,
# information matrix and fit measures; only the stopping point differs), which brings
# the largest gradient element under 1e-8. The default nlminb fit of the first model is
# stored too (hs3$nlminb) to show what the default tolerance gives.
suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
  library(jsonlite)
})
dir.create("tests/reference/data", showWarnings = FALSE, recursive = TRUE)

hs <- lavaan::HolzingerSwineford1939
write.csv(hs, "tests/reference/data/hs1939.csv", row.names = FALSE, na = "")
cat("wrote tests/reference/data/hs1939.csv\n")

# The same data with values blanked in a fixed pattern, for listwise deletion.
hs_missing <- hs
hs_missing$x1[seq(3, 301, by = 23)] <- NA
hs_missing$x5[seq(10, 301, by = 31)] <- NA
hs_missing$x9[c(7, 10, 200)] <- NA
write.csv(hs_missing, "tests/reference/data/cfa_hs_missing.csv", row.names = FALSE, na = "")
cat("wrote tests/reference/data/cfa_hs_missing.csv\n")

tight <- list(optim.method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))

fit_cfa <- function(model, data = NULL, ..., default_optimiser = FALSE) {
  args <- list(model = model, ...)
  if (!is.null(data)) args$data <- data
  if (!default_optimiser) args <- c(args, tight)
  do.call("cfa", args)
}

measures <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
              "baseline.pvalue", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic",
              "ntotal", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
              "srmr")

columns <- function(x) {
  x <- as.data.frame(x)
  rownames(x) <- NULL
  as.list(x)
}

summarise <- function(fit, mi = TRUE) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  keep <- intersect(c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                      "ci.lower", "ci.upper"), names(pe))
  out <- list(
    converged = lavInspect(fit, "converged"),
    max_gradient = max(abs(lavInspect(fit, "gradient"))),
    n = lavInspect(fit, "ntotal"),
    nobs = as.list(lavInspect(fit, "nobs")),
    fit = as.list(fitMeasures(fit, measures)),
    estimates = columns(pe[, keep]),
    standardized = columns(ss[, intersect(c("lhs", "op", "rhs", "group", "est.std", "se",
                                            "z", "pvalue"), names(ss))]),
    implied = unname(lavInspect(fit, "implied")$cov)
  )
  if (mi) {
    m <- modindices(fit)
    out$modindices <- columns(m[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv",
                                    "sepc.all")])
  }
  out
}

hs3_model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"
hs3 <- fit_cfa(hs3_model, hs)
hs3_nlminb <- fit_cfa(hs3_model, hs, default_optimiser = TRUE)
hs3_stdlv <- fit_cfa(hs3_model, hs, std.lv = TRUE)

resid_model <- paste(hs3_model, "x7 ~~ x8\n")
hs3_resid <- fit_cfa(resid_model, hs)

# fixed orthogonality, a fixed non-marker loading and an equality by labels
constrained_model <- "
visual  =~ x1 + x2 + x3
textual =~ x4 + 1*x5 + x6
speed   =~ x7 + a*x8 + a*x9
visual ~~ 0*speed
"
hs3_constrained <- fit_cfa(constrained_model, hs)

hs3_missing <- fit_cfa(hs3_model, hs_missing)

# ---------------------------------------------------------------- discriminant validity
# CR and AVE by their formulas from lavaan's standardised solution (semTools is not
# available here): CR = (sum l)^2 / ((sum l)^2 + sum theta_ii + 2 sum_{i<j} theta_ij),
# AVE = sum l^2 / (sum l^2 + sum theta_ii), l the std.all loadings, theta_ii the
# std.all residual variances and theta_ij the residual covariances among the factor's
# items in the same metric (std.all gives them as residual correlations, so they are
# multiplied back by sqrt(theta_ii theta_jj)).
# HTMT (Henseler, Ringle & Sarstedt 2015) written here from its formula: the mean
# heterotrait-heteromethod correlation over the geometric mean of the two mean
# monotrait-heteromethod correlations (off-diagonal), on Pearson correlations.
discriminant <- function(fit, data) {
  ss <- standardizedSolution(fit)
  lv <- lavNames(fit, "lv")
  ind <- lapply(lv, function(f) ss$rhs[ss$op == "=~" & ss$lhs == f])
  names(ind) <- lv
  cr <- ave <- numeric(length(lv))
  for (k in seq_along(lv)) {
    l <- ss$est.std[ss$op == "=~" & ss$lhs == lv[k]]
    items <- ind[[k]]
    th <- ss$est.std[ss$op == "~~" & ss$lhs == ss$rhs & ss$lhs %in% items]
    names(th) <- ss$lhs[ss$op == "~~" & ss$lhs == ss$rhs & ss$lhs %in% items]
    cov_rows <- ss[ss$op == "~~" & ss$lhs != ss$rhs & ss$lhs %in% items &
                     ss$rhs %in% items, ]
    th_cov <- sum(cov_rows$est.std * sqrt(th[cov_rows$lhs] * th[cov_rows$rhs]))
    cr[k] <- sum(l)^2 / (sum(l)^2 + sum(th) + 2 * th_cov)
    ave[k] <- sum(l^2) / (sum(l^2) + sum(th))
  }
  phi <- lavInspect(fit, "cor.lv")
  r <- cor(data[, lavNames(fit, "ov")])
  htmt <- matrix(1, length(lv), length(lv))
  mono <- function(v) {
    m <- r[v, v]
    mean(m[lower.tri(m)])
  }
  for (i in seq_along(lv)) for (j in seq_along(lv)) if (i != j) {
    hetero <- mean(r[ind[[i]], ind[[j]]])
    htmt[i, j] <- hetero / sqrt(mono(ind[[i]]) * mono(ind[[j]]))
  }
  list(factors = lv, cr = cr, ave = ave, sqrt_ave = sqrt(ave),
       factor_correlations = unname(phi[lv, lv]), htmt = htmt)
}

# ---------------------------------------------------------------- invariance by school
inv <- function(...) fit_cfa(hs3_model, hs, group = "school", ...)
configural <- inv()
metric <- inv(group.equal = "loadings")
scalar <- inv(group.equal = c("loadings", "intercepts"))
# with std.lv = TRUE lavaan frees the factor variances of the later groups once the
# loadings are equal
metric_stdlv <- inv(group.equal = "loadings", std.lv = TRUE)
scalar_stdlv <- inv(group.equal = c("loadings", "intercepts"), std.lv = TRUE)
lrt <- lavTestLRT(configural, metric, scalar)
lrt <- as.data.frame(lrt)

# ---------------------------------------------------------------- sample study
sample_items <- na.omit(read.csv("tests/reference/data/sample_items.csv"))
sample_model <- "
support    =~ Q1_1 + Q1_2 + Q1_3 + Q1_4 + Q1_5 + Q1_6
adjustment =~ Q2_1 + Q2_2 + Q2_3 + Q2_4 + Q2_5 + Q2_6
belonging  =~ Q3_1 + Q3_2 + Q3_3 + Q3_4 + Q3_5 + Q3_6
"
sample_fit <- fit_cfa(sample_model, sample_items)
# ML on the polychoric matrix (psych::polychoric, its defaults, complete rows), taken
# as it is (sample.cov.rescale = FALSE: no (N - 1)/N rescaling of a correlation matrix).
pc <- psych::polychoric(sample_items)
sample_ordinal_fit <- fit_cfa(sample_model, sample.cov = pc$rho,
                              sample.nobs = nrow(sample_items),
                              sample.cov.rescale = FALSE)

# invariance by sex in the sample study (data/cfa_sample_sex.csv is written by
# python tests/validity/test_invariance.py --write-reference-data)
sample_sex <- na.omit(read.csv("tests/reference/data/cfa_sample_sex.csv"))
sex_fit <- function(...) fit_cfa(sample_model, sample_sex, group = "sex", ...)
sex_configural <- sex_fit()
sex_metric <- sex_fit(group.equal = "loadings")
sex_scalar <- sex_fit(group.equal = c("loadings", "intercepts"))
sex_out <- list(groups = lavInspect(sex_configural, "group.label"),
                nobs = lavInspect(sex_configural, "nobs"),
                configural = as.list(fitMeasures(sex_configural, measures)),
                metric = as.list(fitMeasures(sex_metric, measures)),
                scalar = as.list(fitMeasures(sex_scalar, measures)))


out <- list(
  `_meta` = list(R = R.version.string,
                 lavaan = as.character(packageVersion("lavaan")),
                 psych = as.character(packageVersion("psych")),
                 jsonlite = as.character(packageVersion("jsonlite")),
                 optimiser = "BFGS, reltol 1e-16 (nlminb default for hs3$nlminb)",
                 script = "tests/reference/cfa.R"),
  models = list(hs3 = hs3_model, resid = resid_model, constrained = constrained_model,
                sample = sample_model),
  hs3 = c(summarise(hs3), list(nlminb = summarise(hs3_nlminb, mi = FALSE),
                               discriminant = discriminant(hs3, hs))),
  hs3_stdlv = summarise(hs3_stdlv),
  hs3_resid = c(summarise(hs3_resid), list(discriminant = discriminant(hs3_resid, hs))),
  hs3_constrained = summarise(hs3_constrained),
  hs3_missing = summarise(hs3_missing, mi = FALSE),
  invariance = list(
    groups = lavInspect(configural, "group.label"),
    configural = summarise(configural, mi = FALSE),
    metric = summarise(metric, mi = FALSE),
    scalar = summarise(scalar, mi = FALSE),
    metric_stdlv = summarise(metric_stdlv, mi = FALSE),
    scalar_stdlv = summarise(scalar_stdlv, mi = FALSE),
    configural_mi = columns(modindices(configural)[, c("lhs", "op", "rhs", "group",
                                                        "mi", "epc")]),
    lrt = list(df = lrt$Df, chisq = lrt$Chisq, chisq_diff = lrt$`Chisq diff`,
               df_diff = lrt$`Df diff`, pvalue = lrt$`Pr(>Chisq)`)
  ),
  sample = c(summarise(sample_fit, mi = FALSE),
             list(discriminant = discriminant(sample_fit, sample_items))),
  sample_sex = sex_out,
  sample_ordinal = c(summarise(sample_ordinal_fit, mi = FALSE),
                     list(polychoric = unname(pc$rho)))
)
write_json(out, "tests/reference/cfa.json", digits = NA, auto_unbox = TRUE,
           na = "null", pretty = FALSE)
cat("wrote tests/reference/cfa.json\n")
