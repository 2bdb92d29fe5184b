# Reference values for peereval.reliability: icc(), test_retest(), cohen_kappa().
#
# Run from the repository root:
#   python tests/reliability/test_icc.py --write-reference-data   # data/icc_retest_sample.csv
#   Rscript tests/reference/icc_kappa.R                            # data/icc_*.csv, kappa_*.csv,
#                                                                  # icc_kappa.json
# Needs R with psych and jsonlite (Debian: r-cran-psych r-cran-jsonlite).
#
# ICC: psych::ICC(x, lmer = FALSE), the classical ANOVA estimates; psych stops on
# missing data when lmer = FALSE, so data with missing ratings are reduced to complete
# rows first (na.omit), which is what peereval's listwise default does.
# Kappa: psych::cohen.kappa; psych's weighted kappa uses quadratic weights unless a
# weight matrix is given with w =, so linear weights are passed as a matrix.
# Fleiss' kappa and Krippendorff's alpha are checked against published values and
# statsmodels / the krippendorff package in the Python tests (R's irr is not available).

suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})

ref <- file.path("tests", "reference")
dat <- file.path(ref, "data")
stopifnot(dir.exists(dat))

write_data <- function(x, name) {
  write.csv(x, file.path(dat, name), row.names = FALSE, na = "")
}

icc_entry <- function(x, source) {
  x <- as.data.frame(x)
  complete <- na.omit(x)
  r <- psych::ICC(complete, lmer = FALSE, alpha = 0.05)
  res <- r$results
  list(
    source = source,
    n_rows = nrow(x),
    n_targets = r$n.obs,
    n_raters = r$n.judge,
    n_dropped = nrow(x) - nrow(complete),
    psych = res$type,
    icc = res$ICC,
    f = res$F,
    df1 = res$df1,
    df2 = res$df2,
    p = res$p,
    lower = res[["lower bound"]],
    upper = res[["upper bound"]],
    ms_between_targets = unname(r$stats["MS", "subjects"]),
    ms_between_raters = unname(r$stats["MS", "Judges"]),
    ms_error = unname(r$stats["MS", "Residual"]),
    ms_within_targets = unname(r$MSW)
  )
}

out <- list()

# ---------------------------------------------------------------- ICC data sets

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges (the sf example of ?psych::ICC)
sf <- data.frame(J1 = c(9, 6, 8, 7, 10, 6), J2 = c(2, 1, 4, 1, 5, 2),
                 J3 = c(5, 3, 6, 2, 6, 4), J4 = c(8, 2, 8, 6, 9, 7))
write_data(sf, "icc_sf.csv")
out$icc_sf <- icc_entry(sf, "Shrout & Fleiss (1979) example")

# psych::bfi, first 300 respondents, agreeableness items A2-A5 treated as raters;
# 6 respondents have a missing answer (listwise deletion is tested)
data(bfi, package = "psych")
bfi_a <- bfi[1:300, c("A2", "A3", "A4", "A5")]
write_data(bfi_a, "icc_bfi.csv")
out$icc_bfi <- icc_entry(bfi_a, "psych::bfi[1:300, A2:A5]")

# datasets::USJudgeRatings: 43 judges rated on 5 scales treated as raters (decimals)
judges <- USJudgeRatings[, c("INTG", "DMNR", "DILG", "CFMG", "DECI")]
write_data(judges, "icc_judges.csv")
out$icc_judges <- icc_entry(judges, "datasets::USJudgeRatings[, INTG:DECI]")

# Long format with missing ratings: 12 students, 3 examiners with different severity,
# one rating recorded as empty and one never recorded
set.seed(20240301)
true_score <- rnorm(12, 70, 8)
severity <- c(0, -4, 3)
long <- expand.grid(student = sprintf("S%02d", 1:12), examiner = c("E1", "E2", "E3"),
                    stringsAsFactors = FALSE)
long$score <- round(true_score[match(long$student, sprintf("S%02d", 1:12))] +
                      severity[match(long$examiner, c("E1", "E2", "E3"))] +
                      rnorm(nrow(long), 0, 4), 1)
long$score[long$student == "S04" & long$examiner == "E2"] <- NA
long <- long[!(long$student == "S09" & long$examiner == "E3"), ]
long <- long[order(long$examiner, long$student), ]
write_data(long, "icc_long.csv")
wide <- reshape(long, idvar = "student", timevar = "examiner", direction = "wide")
wide <- wide[order(wide$student), c("score.E1", "score.E2", "score.E3")]
out$icc_long <- icc_entry(wide, "synthetic long data, 12 x 3, 2 missing ratings")

# Raters disagree more than targets differ: negative coefficients
negative <- data.frame(R1 = c(3, 5, 4, 2, 4), R2 = c(5, 3, 2, 4, 3), R3 = c(4, 2, 5, 3, 2))
write_data(negative, "icc_negative.csv")
out$icc_negative <- icc_entry(negative, "small table with negative ICCs")

# Test-retest of the sample study: paired scale scores written by
# tests/reliability/test_icc.py --write-reference-data
pairs <- read.csv(file.path(dat, "icc_retest_sample.csv"))
retest <- list()
for (scale in c("support", "adjustment", "belonging")) {
  x <- pairs[, c(paste0(scale, "_first"), paste0(scale, "_second"))]
  retest[[scale]] <- icc_entry(x, paste("sample study test-retest,", scale))
}
out$icc_retest_sample <- retest

# ---------------------------------------------------------------- Cohen's kappa

kappa_entry <- function(x, source, w = NULL, levels = NULL) {
  r <- psych::cohen.kappa(x, w = w, levels = levels)
  agree <- r$agree                # proportions
  wt <- r$weight                  # agreement weights used for the weighted kappa
  rows <- rowSums(agree)
  cols <- colSums(agree)
  list(
    source = source,
    n = r$n.obs,
    kappa = r$kappa,
    var_kappa = r$var.kappa,
    lower = unname(r$confid["unweighted kappa", "lower"]),
    upper = unname(r$confid["unweighted kappa", "upper"]),
    weighted_kappa = r$weighted.kappa,
    var_weighted = r$var.weighted,
    weighted_lower = unname(r$confid["weighted kappa", "lower"]),
    weighted_upper = unname(r$confid["weighted kappa", "upper"]),
    observed = sum(diag(agree)),
    expected = sum(rows * cols),
    weighted_observed = sum(wt * agree),
    weighted_expected = sum(wt * outer(rows, cols)),
    categories = rownames(agree)
  )
}

linear_weights <- function(q) 1 - abs(outer(1:q, 1:q, "-")) / (q - 1)

# Fleiss (1971) diagnoses, raters 1-6 as in R's irr::diagnoses (1 Depression,
# 2 Personality disorder, 3 Schizophrenia, 4 Neurosis, 5 Other)
diagnoses <- data.frame(
  rater1 = c(4, 2, 2, 5, 2, 1, 3, 1, 1, 5, 1, 1, 2, 1, 2, 3, 1, 1, 2, 1, 5, 2, 2, 1, 1, 2, 1, 2, 1, 5),
  rater2 = c(4, 2, 3, 5, 2, 1, 3, 1, 1, 5, 4, 2, 2, 4, 2, 3, 1, 1, 2, 3, 5, 4, 2, 1, 4, 2, 1, 2, 3, 5),
  rater3 = c(4, 2, 3, 5, 2, 3, 3, 3, 4, 5, 4, 4, 2, 4, 4, 3, 1, 1, 4, 3, 5, 4, 4, 4, 4, 2, 1, 4, 3, 5),
  rater4 = c(4, 5, 3, 5, 4, 3, 3, 3, 4, 5, 4, 4, 3, 4, 4, 3, 4, 1, 4, 5, 5, 4, 5, 4, 4, 2, 1, 4, 3, 5),
  rater5 = c(4, 5, 3, 5, 4, 3, 5, 3, 4, 5, 4, 4, 3, 4, 4, 3, 5, 1, 4, 5, 5, 4, 5, 4, 4, 2, 5, 4, 3, 5),
  rater6 = c(4, 5, 5, 5, 4, 3, 5, 4, 4, 5, 4, 4, 3, 4, 5, 5, 5, 2, 4, 5, 5, 4, 5, 4, 5, 4, 5, 4, 3, 5))
write_data(diagnoses, "kappa_diagnoses.csv")
out$kappa_diagnoses_12 <- kappa_entry(diagnoses[, c("rater1", "rater2")],
                                      "diagnoses rater1 vs rater2")
out$kappa_diagnoses_34 <- kappa_entry(diagnoses[, c("rater3", "rater4")],
                                      "diagnoses rater3 vs rater4")

# psych::bfi A2 vs A3, first 500 respondents: 6 ordered categories, missing answers
bfi_k <- bfi[1:500, c("A2", "A3")]
write_data(bfi_k, "kappa_bfi.csv")
out$kappa_bfi_quadratic <- kappa_entry(bfi_k, "bfi A2 vs A3, quadratic weights")
out$kappa_bfi_linear <- kappa_entry(bfi_k, "bfi A2 vs A3, linear weights",
                                    w = linear_weights(6))

# Four ordered grades, grade 3 never given: the weights need levels = 1:4
unused <- data.frame(
  first = c(1, 1, 2, 2, 2, 4, 4, 1, 2, 4, 4, 2, 1, 4, 2, 1, 4, 4, 2, 1),
  second = c(1, 2, 2, 2, 1, 4, 4, 1, 4, 4, 2, 2, 1, 4, 2, 2, 4, 4, 1, 1))
write_data(unused, "kappa_unused.csv")
out$kappa_unused_quadratic <- kappa_entry(unused, "grades 1-4, grade 3 unused, quadratic",
                                          levels = 1:4)
out$kappa_unused_linear <- kappa_entry(unused, "grades 1-4, grade 3 unused, linear",
                                       w = linear_weights(4), levels = 1:4)

out[["_meta"]] <- list(
  script = "tests/reference/icc_kappa.R",
  r_version = R.version.string,
  psych = as.character(packageVersion("psych")),
  jsonlite = as.character(packageVersion("jsonlite")),
  written = format(Sys.Date())
)

jsonlite::write_json(out, file.path(ref, "icc_kappa.json"), digits = NA, auto_unbox = TRUE,
                     pretty = TRUE)
cat("wrote", file.path(ref, "icc_kappa.json"), "\n")
