# Reference values for peereval.reliability.omega (psych::omega).
# Run from the repository root: Rscript tests/reference/omega.R
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})
bfi <- read.csv("tests/reference/data/bfi.csv")
items25 <- bfi[, 1:25]
sample_items <- read.csv("tests/reference/data/sample_items.csv")

run <- function(x, nf, option = "equal") {
  o <- suppressWarnings(suppressMessages(
    psych::omega(x, nfactors = nf, plot = FALSE, option = option)))
  sl <- o$schmid$sl
  list(
    n = nrow(x),
    omega_h = o$omega_h, omega_total = o$omega.tot, omega_limit = o$omega.lim,
    alpha = o$alpha, ecv = unname(o$ECV),
    g = unname(sl[, 1]), h2 = unname(sl[, "h2"]), u2 = unname(sl[, "u2"]),
    group = if (nf > 1) unname(as.matrix(sl[, 2:(nf + 1)])) else NULL,
    group_total = o$omega.group$total, group_general = o$omega.group$general,
    group_group = o$omega.group$group,
    flipped = names(which(o$key < 0))
  )
}

out <- list(
  `_meta` = list(R = R.version.string,
                 psych = as.character(packageVersion("psych")),
                 GPArotation = as.character(packageVersion("GPArotation")),
                 script = "tests/reference/omega.R"),
  sample_3 = run(na.omit(sample_items), 3),
  sample_support_1 = run(na.omit(sample_items[, 1:6]), 1),
  sample_2 = run(na.omit(sample_items[, 1:12]), 2),
  bfi_5 = run(na.omit(items25), 5),
  bfi_pairwise_5 = run(items25, 5),
  bfi_agree_1 = run(na.omit(items25[, 1:5]), 1)
)
write_json(out, "tests/reference/omega.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/omega.json\n")
