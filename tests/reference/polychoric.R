# Reference values for peereval.reliability.polychoric / polyserial and the bivariate
# normal CDF in peereval._bivariate.
# Run from the repository root: Rscript tests/reference/polychoric.R
# Needs tests/reference/data/bfi.csv (export_data.R). Writes tests/reference/polychoric.json
# and the hand-made tables as tests/reference/data/polychoric_*.csv.
#
# Two versions of psych::polychoric are run on every data set:
#   "psych": psych as shipped. It maximises the likelihood with optimize() at its default
#            tolerance (.Machine$double.eps^0.25, about 1.2e-4) and takes the cell
#            probabilities from mnormt::sadmvn (absolute error 1e-6).
#   "tight": psych's own functions (polychoric, polyc, polyF, polytab, polyBinBvn), copied
#            unchanged except that optimize() gets tol = 1e-12 and each rectangle
#            probability comes from mnormt's biv.nt.prob (Genz's exact bivariate normal
#            routine) instead of sadmvn. optimize() compares function values, so even then
#            it locates the maximum only to about sqrt(machine eps) = 1.5e-8.
suppressPackageStartupMessages({
  library(psych)
  library(mnormt)
  library(jsonlite)
})

bfi <- read.csv("tests/reference/data/bfi.csv")

# ---------------------------------------------------------------- the "tight" psych
tight <- new.env(parent = asNamespace("psych"))
for (name in c("polychoric", "polyc", "polyF", "polytab", "polyBinBvn")) {
  f <- get(name, envir = asNamespace("psych"))
  environment(f) <- tight
  assign(name, f, envir = tight)
}
bvn_body <- deparse(body(tight$polyBinBvn))
stopifnot(sum(grepl("mnormt::sadmvn(", bvn_body, fixed = TRUE)) == 1)
f <- tight$polyBinBvn
body(f) <- parse(text = gsub("mnormt::sadmvn(", "rectangle_exact(", bvn_body, fixed = TRUE))[[1]]
assign("polyBinBvn", f, envir = tight)
assign("rectangle_exact", function(lower, upper, mean, varcov) {
  mnormt:::biv.nt.prob(Inf, lower = lower, upper = upper, mean = mean, S = varcov)
}, envir = tight)
assign("optimize", function(f, interval, ..., tol) {
  stats::optimize(f, interval, ..., tol = 1e-12)
}, envir = tight)

# psych::polychoric as shipped (which = "psych") or tightened; the warnings are kept.
run_poly <- function(x, which = c("psych", "tight"), ...) {
  which <- match.arg(which)
  fun <- if (which == "psych") psych::polychoric else tight$polychoric
  said <- character()
  res <- withCallingHandlers(
    suppressMessages(fun(x, ...)),
    warning = function(w) {
      said <<- c(said, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  adjusted <- regmatches(said, regexpr("^[0-9]+(?= cells were adjusted)", said, perl = TRUE))
  list(rho = unname(res$rho), tau = unname(res$tau),
       pairs_corrected = if (length(adjusted)) as.numeric(adjusted) else 0,
       warnings = said)
}
both <- function(x, ...) list(psych = run_poly(x, "psych", ...), tight = run_poly(x, "tight", ...))

# ---------------------------------------------------------------- bivariate normal CDF
# Genz's bvnd (Fortran, in mnormt) through pmnorm; upper limits may be infinite.
limits <- c(-Inf, -4, -2.5, -1, -0.3, 0, 0.4, 1.2, 3, 5, Inf)
rhos <- c(-1, -0.999, -0.99, -0.95, -0.93, -0.92, -0.8, -0.5, -0.1, 0, 0.2, 0.29, 0.31,
          0.6, 0.76, 0.9, 0.924, 0.93, 0.97, 0.999, 1)
grid <- expand.grid(h = limits, k = limits, rho = rhos)
grid$p <- mapply(function(h, k, r) {
  if (abs(r) == 1) {
    # pmnorm needs a non-singular matrix; the limits are closed forms
    if (r == 1) pnorm(min(h, k)) else max(0, pnorm(h) + pnorm(k) - 1)
  } else {
    pmnorm(c(h, k), mean = c(0, 0), varcov = matrix(c(1, r, r, 1), 2))
  }
}, grid$h, grid$k, grid$rho)

# ---------------------------------------------------------------- bfi items
items10 <- c(paste0("A", 1:5), paste0("C", 1:5))
x10 <- bfi[, items10]
x10_complete <- na.omit(x10)
# 60 respondents, all 25 items: pairwise n is small and the matrix is not positive definite.
x60 <- bfi[1:60, 1:25]
# Items with different largest answers (A2's 6 merged into 5): psych sets global = FALSE.
ragged <- bfi[, paste0("A", 1:5)]
ragged$A2[!is.na(ragged$A2) & ragged$A2 == 6] <- 5

# ---------------------------------------------------------------- hand-made tables
# 3 x 3 with one empty cell, and 2 x 2 with an empty off-diagonal cell (global
# thresholds put the estimate at the boundary; the correction pulls it inside).
table3 <- matrix(c(20, 10, 0,
                   12, 25, 8,
                   3, 11, 21), 3, byrow = TRUE)
table2 <- matrix(c(20, 10,
                   0, 15), 2, byrow = TRUE)
expand <- function(tab) {
  cells <- expand.grid(q1 = seq_len(nrow(tab)), q2 = seq_len(ncol(tab)))
  counts <- tab[cbind(cells$q1, cells$q2)]
  data.frame(q1 = rep(cells$q1, counts), q2 = rep(cells$q2, counts))
}
raw3 <- expand(table3)
raw2 <- expand(table2)
write.csv(raw3, "tests/reference/data/polychoric_table3.csv", row.names = FALSE)
write.csv(raw2, "tests/reference/data/polychoric_table2.csv", row.names = FALSE)

# ---------------------------------------------------------------- cor.smooth
indefinite <- matrix(c(1, 0.9, 0.1, 0.3,
                       0.9, 1, 0.9, 0.2,
                       0.1, 0.9, 1, 0.4,
                       0.3, 0.2, 0.4, 1), 4, byrow = TRUE)
smoothed <- suppressWarnings(cor.smooth(indefinite))

# ---------------------------------------------------------------- polyserial
# age (complete) and age with every 7th row (1-based) missing, against the ten items.
age <- bfi$age
age_na <- age
age_na[seq_len(nrow(bfi)) %% 7 == 0] <- NA
serial_pairwise <- function(x, y) {
  # psych::polyserial applied to each pair's complete rows only, so that r, the item's
  # standard deviation, its thresholds and n all come from the same respondents
  sapply(names(y), function(item) {
    ok <- !is.na(x) & !is.na(y[[item]])
    as.numeric(psych::polyserial(x[ok], y[ok, item, drop = FALSE]))
  })
}

out <- list(
  `_meta` = list(R = R.version.string,
                 psych = as.character(packageVersion("psych")),
                 mnormt = as.character(packageVersion("mnormt")),
                 script = "tests/reference/polychoric.R"),
  bvn = list(h = grid$h, k = grid$k, rho = grid$rho, p = grid$p),
  bfi10 = list(items = items10,
               global = both(x10, smooth = FALSE),
               local = both(x10, smooth = FALSE, global = FALSE),
               local_nocorrect = both(x10, smooth = FALSE, global = FALSE, correct = 0),
               listwise = both(x10_complete, smooth = FALSE),
               n_complete = nrow(x10_complete)),
  bfi60 = list(items = names(x60),
               raw = both(x60, smooth = FALSE),
               smoothed = both(x60, smooth = TRUE)),
  ragged = list(items = names(ragged), psych = both(ragged, smooth = FALSE)),
  table3 = list(table = table3,
                global = both(raw3, smooth = FALSE),
                local = both(raw3, smooth = FALSE, global = FALSE),
                polytab = list(psych = psych::polychoric(as.table(table3))$rho,
                               tight = suppressMessages(
                                 tight$polychoric(as.table(table3))$rho))),
  table2 = list(table = table2,
                local = both(raw2, smooth = FALSE, global = FALSE)),
  cor_smooth = list(input = indefinite, smoothed = unname(smoothed)),
  polyserial = list(
    items = items10,
    age = as.numeric(psych::polyserial(age, x10)),
    age_pairwise = unname(serial_pairwise(age, x10)),
    age_na = as.numeric(psych::polyserial(age_na, x10)),
    age_na_pairwise = unname(serial_pairwise(age_na, x10)),
    n_age = unname(colSums(!is.na(x10))),
    n_age_na = unname(colSums(!is.na(x10) & !is.na(age_na))))
)
write_json(out, "tests/reference/polychoric.json", digits = NA, auto_unbox = TRUE,
           pretty = FALSE, na = "string")
cat("wrote tests/reference/polychoric.json\n")
