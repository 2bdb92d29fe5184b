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

# Ordinal omega and alpha: psych::omega(poly = TRUE) (ordinal alpha: Zumbo, Gadermann &
# Zeisser 2007). psych's polychoric stops its optimiser at about
# 1e-4, which bounds the agreement.
ordinal <- function(x, nf) {
  x <- na.omit(x)
  o <- suppressWarnings(suppressMessages(
    psych::omega(x, nfactors = nf, poly = TRUE, plot = FALSE)))
  # omega's alpha is the standardised alpha of the polychoric matrix after items
  # loading negatively on g are reversed
  list(n = nrow(x), omega_h = o$omega_h, omega_total = o$omega.tot,
       alpha_ordinal = o$alpha)
}
ordinal_out <- list(
  `_meta` = out$`_meta`,
  sample_3 = ordinal(sample_items, 3),
  support_1 = ordinal(sample_items[, 1:6], 1),
  bfi_agree_1 = ordinal(items25[, 1:5], 1)
)
write_json(ordinal_out, "tests/reference/omega_ordinal.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/omega_ordinal.json\n")
