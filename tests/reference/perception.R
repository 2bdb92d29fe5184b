# Reference values for peereval.perception: summarise() and wilson().
#
# Run from the repository root:
#   Rscript tests/reference/perception.R   # writes data/perception_small.csv, perception.json
# Needs R with jsonlite (Debian: r-cran-jsonlite).
#
# Wilson's (1927) interval is stats::prop.test(x, n, correct = FALSE)$conf.int, at a
# few (x, n, level) including x = 0 and x = n (prop.test clips to [0, 1]).
#
# The small survey is invented here with a fixed seed: seven items on two scales,
#   s1: a1-a4 on 1-5, a4 reverse-keyed; 9 is a missing code (in a2); nobody answers
#       a3 with 1 (an empty category);
#   s2: b1-b3 on 1-4 (an even scale: top-two box = 3 and 4, midpoint 2.5);
# answers missing at random, and a cohort column (junior / senior / missing).
# Everything below is written from the definitions, independently of the Python code:
# items as worded (9 -> NA), counts with table(factor(levels = range)), median,
# mean, sd, top-two box count, prop.test; scale score = mean of the answered items
# after reversing a4 (6 - a4), missing when fewer than ceiling(0.75 * k) answered;
# share with mean > midpoint and with mean >= lowest top-two option; pooled counts of
# the answers after reverse keying.

suppressPackageStartupMessages(library(jsonlite))

ref <- file.path("tests", "reference")
dat <- file.path(ref, "data")
stopifnot(dir.exists(dat))

ci <- function(x, n, level = 0.95) {
  if (n == 0) return(c(NA, NA))
  suppressWarnings(as.numeric(prop.test(x, n, correct = FALSE, conf.level = level)$conf.int))
}

# ------------------------------------------------------------------ Wilson
cases <- list(c(99, 138, 0.95), c(0, 20, 0.95), c(20, 20, 0.95), c(1, 7, 0.95),
              c(56, 70, 0.95), c(37, 52, 0.95), c(99, 138, 0.90), c(3, 11, 0.99))
wilson <- lapply(cases, function(v) {
  limits <- ci(v[1], v[2], v[3])
  list(x = v[1], n = v[2], level = v[3], low = limits[1], high = limits[2])
})

# ------------------------------------------------------------------ data
set.seed(20240611)
n <- 45
five <- function(p) sample(1:5, n, replace = TRUE, prob = p)
four <- function(p) sample(1:4, n, replace = TRUE, prob = p)
d <- data.frame(
  id = sprintf("r%02d", 1:n),
  a1 = five(c(.05, .15, .2, .4, .2)),
  a2 = five(c(.1, .1, .3, .3, .2)),
  a3 = sample(2:5, n, replace = TRUE, prob = c(.1, .3, .4, .2)),
  a4 = five(c(.3, .3, .2, .1, .1)),
  b1 = four(c(.1, .2, .4, .3)),
  b2 = four(c(.2, .3, .3, .2)),
  b3 = four(c(.1, .1, .5, .3)),
  cohort = sample(c("junior", "senior"), n, replace = TRUE)
)
for (item in c("a1", "a2", "a3", "a4", "b1", "b2", "b3")) {
  d[[item]][sample(n, 3)] <- NA
}
d$a2[sample(which(!is.na(d$a2)), 2)] <- 9
d$cohort[c(4, 17)] <- NA
write.csv(d, file.path(dat, "perception_small.csv"), row.names = FALSE, na = "")

# ------------------------------------------------------------------ summaries
scales <- list(s1 = list(items = c("a1", "a2", "a3", "a4"), reverse = "a4", range = c(1, 5)),
               s2 = list(items = c("b1", "b2", "b3"), reverse = character(0), range = c(1, 4)))
worded <- d
worded$a2[worded$a2 == 9] <- NA

groups <- list(all = rep(TRUE, n), junior = !is.na(d$cohort) & d$cohort == "junior",
               senior = !is.na(d$cohort) & d$cohort == "senior")

item_rows <- list()
scale_rows <- list()
for (g in names(groups)) {
  keep <- groups[[g]]
  for (s in names(scales)) {
    spec <- scales[[s]]
    levels <- seq(spec$range[1], spec$range[2])
    top <- tail(levels, 2)
    for (item in spec$items) {
      x <- worded[[item]][keep]
      x <- x[!is.na(x)]
      agree <- sum(x %in% top)
      limits <- ci(agree, length(x))
      item_rows[[length(item_rows) + 1]] <- list(
        group = g, scale = s, item = item, n = length(x),
        n_missing = sum(keep) - length(x),
        counts = as.integer(table(factor(x, levels = levels))),
        median = median(x), mean = mean(x), sd = sd(x),
        agree_n = agree, low = limits[1], high = limits[2])
    }
    block <- as.matrix(worded[keep, spec$items])
    for (r in spec$reverse) {
      block[, r] <- sum(spec$range) - block[, r]
    }
    answered <- rowSums(!is.na(block))
    score <- rowMeans(block, na.rm = TRUE)
    score[answered < ceiling(0.75 * length(spec$items))] <- NA
    scored <- score[!is.na(score)]
    midpoint <- mean(spec$range)
    above <- sum(scored > midpoint)
    agree <- sum(scored >= min(top))
    above_ci <- ci(above, length(scored))
    agree_ci <- ci(agree, length(scored))
    pooled <- as.vector(block)
    pooled <- pooled[!is.na(pooled)]
    scale_rows[[length(scale_rows) + 1]] <- list(
      group = g, scale = s, n = length(scored), n_missing = sum(keep) - length(scored),
      median = median(scored), mean = mean(scored), sd = sd(scored),
      midpoint = midpoint, above_n = above, above_low = above_ci[1],
      above_high = above_ci[2], agree_n = agree, agree_low = agree_ci[1],
      agree_high = agree_ci[2],
      pooled_counts = as.integer(table(factor(pooled, levels = levels))))
  }
}

out <- list(
  `_meta` = list(script = "tests/reference/perception.R", R = R.version.string,
                 jsonlite = as.character(packageVersion("jsonlite")),
                 written = format(Sys.Date())),
  wilson = wilson, items = item_rows, scales = scale_rows)
write_json(out, file.path(ref, "perception.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
