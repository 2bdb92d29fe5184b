# Reference values for peereval.reliability.alpha, item_analysis and split_half.
# Run from the repository root: Rscript tests/reference/alpha.R
# Needs tests/reference/data/bfi.csv (export_data.R) and sample_items.csv (make_inputs.py).
suppressPackageStartupMessages({
  library(psych)
  library(boot)
  library(jsonlite)
})

bfi <- read.csv("tests/reference/data/bfi.csv")
sample_items <- read.csv("tests/reference/data/sample_items.csv")

# Agreeableness with A1 reversed (6-point items): 1..6 -> 7 - x
agree <- bfi[, c("A1", "A2", "A3", "A4", "A5")]
agree$A1 <- 7 - agree$A1
conscientious <- bfi[, c("C1", "C2", "C3", "C4", "C5")]
conscientious$C4 <- 7 - conscientious$C4
conscientious$C5 <- 7 - conscientious$C5
support <- sample_items[, paste0("Q1_", 1:6)]
all18 <- sample_items

alpha_values <- function(x, use) {
  if (use == "listwise") {
    x <- na.omit(x)
    a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE, use = "complete.obs")
  } else {
    a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE, use = "pairwise")
  }
  list(
    n = nrow(x),
    raw_alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    average_r = a$total$average_r,
    median_r = a$total$median_r,
    ase = a$total$ase,
    feldt_low = unname(a$feldt$lower.ci),
    feldt_high = unname(a$feldt$upper.ci),
    item_raw_r = unname(a$item.stats$raw.r),
    item_r_drop = unname(a$item.stats$r.drop),
    item_mean = unname(a$item.stats$mean),
    item_sd = unname(a$item.stats$sd),
    drop_raw_alpha = unname(a$alpha.drop$raw_alpha),
    drop_std_alpha = unname(a$alpha.drop$std.alpha)
  )
}

split_values <- function(x) {
  x <- na.omit(x)
  s <- psych::splitHalf(x, check.keys = FALSE)
  list(maxrb = s$maxrb, minrb = s$minrb, meanr = s$meanr, alpha = s$alpha,
       lambda2 = s$lambda2, lambda6 = s$lambda6, av_r = s$av.r, med_r = s$med.r)
}

# Guttman lambda 4 and beta by brute force over every split into halves of sizes
# floor(k/2) and ceiling(k/2); psych::splitHalf enumerates only half of them when k is odd.
all_splits <- function(x) {
  r <- cor(na.omit(x))
  k <- ncol(r)
  m <- floor(k / 2)
  combos <- combn(k, m)
  rab <- apply(combos, 2, function(a) {
    ab <- cbind(as.numeric(1:k %in% a), as.numeric(!(1:k %in% a)))
    rr <- t(ab) %*% r %*% ab
    4 * rr[1, 2] / sum(rr)
  })
  list(max = max(rab), min = min(rab), mean = mean(rab), count = length(rab))
}

# Bootstrap: the same replicates for both sides. R's replicates, their boot.ci
# intervals (percentile; BCa with jackknife influence values), and the index
# arrays of the first resamples so the Python side can recompute alpha on them.
alpha_stat <- function(d, i) {
  x <- d[i, , drop = FALSE]
  C <- cov(x)
  k <- ncol(C)
  (1 - sum(diag(C)) / sum(C)) * k / (k - 1)
}
set.seed(20240301)
support_complete <- na.omit(support)
b <- boot(support_complete, alpha_stat, R = 999)
L <- empinf(b, type = "jack")
ci <- boot.ci(b, conf = 0.95, type = c("perc", "bca"), L = L)
first <- boot.array(b, indices = TRUE)[1:5, ]

out <- list(
  `_meta` = list(R = R.version.string,
                 psych = as.character(packageVersion("psych")),
                 boot = as.character(packageVersion("boot")),
                 script = "tests/reference/alpha.R"),
  alpha = list(
    agree_listwise = alpha_values(agree, "listwise"),
    agree_pairwise = alpha_values(agree, "pairwise"),
    conscientious_listwise = alpha_values(conscientious, "listwise"),
    support_listwise = alpha_values(support, "listwise"),
    support_pairwise = alpha_values(support, "pairwise")
  ),
  split_half = list(
    agree = split_values(agree), agree_all = all_splits(agree),
    conscientious_all = all_splits(conscientious),
    support = split_values(support), support_all = all_splits(support),
    all18 = split_values(all18), all18_all = all_splits(all18)
  ),
  bootstrap = list(
    t0 = b$t0, t = as.vector(b$t), L = as.vector(L),
    perc = ci$percent[4:5], bca = ci$bca[4:5],
    first_indices = first
  )
)
write_json(out, "tests/reference/alpha.json", digits = NA, auto_unbox = TRUE, pretty = FALSE)
cat("wrote tests/reference/alpha.json\n")
