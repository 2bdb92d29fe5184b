# Reference values for the JZS Bayes factor of compare() (peereval.outcomes): BF10 of
# the two-sample t test with a Cauchy prior on the standardised effect (Rouder et al.
# 2009; Morey & Rouder's BayesFactor package, the model JASP uses), and the assumption
# checks reported with the comparison (shapiro.test per group, car::leveneTest).
#
# Run from the repository root:
#   python tests/reference/make_bayes_data.py                       # data/bayes_factor.csv
#   python tests/outcomes/test_compare.py --write-reference-data    # data/outcomes_sample.csv
#   (data/outcomes_mtcars.csv is written by outcomes_compare.R)
#   Rscript tests/reference/bayes_factor.R                          # bayes_factor.json
# Needs R with BayesFactor, car and jsonlite (Debian: r-cran-bayesfactor, r-cran-car,
# r-cran-jsonlite).
#
# For each case (x = treated, y = comparison; rows without a score or a group dropped):
# * ttestBF(x, y, rscale = "medium") (r = sqrt(2)/2), its BF10, log BF10 and the
#   proportional error BayesFactor reports for its own quadrature;
# * ttest.tstat() from the Student (pooled-variance) t of t.test(var.equal = TRUE);
# * the same integral written here from Rouder et al. (2009), eq. 1, over log g with
#   integrate(rel.tol = 1e-12), independently of BayesFactor and of the Python code,
#   so that a tight comparison does not depend on BayesFactor's default tolerance;
# * the Welch t, so the test can show which t the Bayes factor is built on;
# * shapiro.test() in each group and car::leveneTest() (center = median, its default).
# Prior scales checked besides "medium": "wide" (r = 1) and 0.5 on two cases.

suppressPackageStartupMessages({
  library(BayesFactor)
  library(car)
  library(jsonlite)
})

ref <- file.path("tests", "reference")
dat <- file.path(ref, "data")
stopifnot(file.exists(file.path(dat, "bayes_factor.csv")),
          file.exists(file.path(dat, "outcomes_sample.csv")),
          file.exists(file.path(dat, "outcomes_mtcars.csv")))

long <- read.csv(file.path(dat, "bayes_factor.csv"), stringsAsFactors = FALSE,
                 na.strings = "NA")
sample <- read.csv(file.path(dat, "outcomes_sample.csv"), stringsAsFactors = FALSE)

# log BF10 from Rouder et al. (2009), eq. 1, with the two-sample effective n
# n1 n2 / (n1 + n2), df = n1 + n2 - 2 and g ~ inverse gamma(1/2, 1/2) scaled by r^2:
#   BF10 = int_0^inf (1 + n g r^2)^(-1/2) (1 + t^2 / ((1 + n g r^2) df))^(-(df+1)/2)
#          (2 pi)^(-1/2) g^(-3/2) exp(-1/(2g)) dg / (1 + t^2/df)^(-(df+1)/2)
# integrated over u = log g (dg = g du), the integrand scaled by its maximum.
log_bf_rouder <- function(t, n1, n2, r) {
  n <- n1 * n2 / (n1 + n2)
  df <- n1 + n2 - 2
  log_null <- -(df + 1) / 2 * log1p(t^2 / df)
  log_f <- function(u) {
    g <- exp(u)
    -0.5 * log1p(n * g * r^2) - (df + 1) / 2 * log1p(t^2 / ((1 + n * g * r^2) * df)) -
      0.5 * log(2 * pi) - 1.5 * u - 1 / (2 * g) + u
  }
  peak <- optimize(log_f, c(-40, 40), maximum = TRUE, tol = 1e-12)
  top <- peak$objective
  area <- integrate(function(u) exp(log_f(u) - top), -Inf, Inf, rel.tol = 1e-12,
                    subdivisions = 10000L)$value
  top + log(area) - log_null
}

one_case <- function(x, y, rscale) {
  r <- c(medium = sqrt(2) / 2, wide = 1, ultrawide = sqrt(2))
  r <- if (is.character(rscale)) unname(r[rscale]) else rscale
  bf <- ttestBF(x = x, y = y, rscale = rscale)
  out <- extractBF(bf)
  student <- t.test(x, y, var.equal = TRUE)
  welch <- t.test(x, y)
  t <- unname(student$statistic)
  sw1 <- shapiro.test(x)
  sw2 <- shapiro.test(y)
  scores <- c(x, y)
  groups <- factor(rep(c("yes", "no"), c(length(x), length(y))))
  lev <- leveneTest(scores ~ groups, center = median)
  list(
    n1 = length(x), n2 = length(y), rscale = r,
    t_student = t, df_student = unname(student$parameter),
    t_welch = unname(welch$statistic),
    bf10 = out$bf, log_bf10 = extractBF(bf, logbf = TRUE)$bf, error = out$error,
    bf10_tstat = ttest.tstat(t, length(x), length(y), rscale = rscale, simple = TRUE),
    log_bf10_rouder = log_bf_rouder(t, length(x), length(y), r),
    shapiro_w1 = unname(sw1$statistic), shapiro_p1 = sw1$p.value,
    shapiro_w2 = unname(sw2$statistic), shapiro_p2 = sw2$p.value,
    levene_f = lev[1, "F value"], levene_df2 = lev[2, "Df"], levene_p = lev[1, "Pr(>F)"]
  )
}

cases <- list()
for (name in unique(long$case)) {
  rows <- long[long$case == name & !is.na(long$score) & !is.na(long$group), ]
  x <- rows$score[rows$group == "yes"]
  y <- rows$score[rows$group == "no"]
  cases[[name]] <- one_case(x, y, "medium")
  cases[[name]]$n_dropped <- sum(long$case == name) - nrow(rows)
}
for (outcome in c("gpa_year1", "exam_score")) {
  rows <- sample[!is.na(sample[[outcome]]) & !is.na(sample$mentored), ]
  cases[[paste0("sample_", outcome)]] <- one_case(
    rows[[outcome]][rows$mentored == "yes"], rows[[outcome]][rows$mentored == "no"],
    "medium")
}
# mtcars (test_compare.py's sentence test): manual (am = 1) against automatic cars
cars <- read.csv(file.path(dat, "outcomes_mtcars.csv"))
cases[["mtcars_mpg"]] <- one_case(cars$mpg[cars$am == 1], cars$mpg[cars$am == 0], "medium")
# other prior scales
for (name in c("unequal", "large")) {
  rows <- long[long$case == name, ]
  x <- rows$score[rows$group == "yes"]
  y <- rows$score[rows$group == "no"]
  cases[[paste0(name, "_wide")]] <- one_case(x, y, "wide")
  cases[[paste0(name, "_r05")]] <- one_case(x, y, 0.5)
}

out <- list(
  cases = cases,
  `_meta` = list(
    script = "tests/reference/bayes_factor.R",
    r_version = R.version.string,
    BayesFactor = as.character(packageVersion("BayesFactor")),
    car = as.character(packageVersion("car")),
    jsonlite = as.character(packageVersion("jsonlite")),
    written = format(Sys.Date())
  )
)
write_json(out, file.path(ref, "bayes_factor.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE)
