# Reference values for issue 13, item 8: estimators checked against R on data of the kind
# on which peereval had drifted (small n, sparse or empty categories, pairwise missing).
# Run from the repository root, after python tests/reference/make_drift_data.py:
#   Rscript tests/reference/drift.R
# Writes tests/reference/drift.json. Needs psych, polycor, GPArotation, mnormt, jsonlite.
#
# Polychoric correlations with each pair's own thresholds ("global = FALSE"):
#   polycor_raw:   polycor::polychor(x, y) as shipped, the two-step estimate (no
#                  correction for empty cells). optimise() at its default tolerance
#                  (about 1.2e-4) with mvtnorm::pmvnorm cell probabilities.
#   tight_raw:     the same likelihood and thresholds, maximised with optimize(tol = 1e-12)
#                  and exact bivariate normal rectangles (mnormt's biv.nt.prob, Genz's
#                  routine), so that it locates the maximum to about 1e-8.
#   corrected:     empty cells of the pair's table (within the categories it uses) given
#                  0.5 respondents, as psych's correct = 0.5. Thresholds as psych computes
#                  them (corrected margins over the uncorrected n) when every cumulative
#                  share below the last category stays under 1; otherwise (psych fails:
#                  qnorm of a share above 1) from the corrected table's own margins,
#                  i.e. polycor's two-step estimate of the corrected table. Both tight and,
#                  as an independent check, as shipped (psych::polychoric on the pair, or
#                  polycor::polychor on the corrected table).
suppressPackageStartupMessages({
  library(psych)
  library(polycor)
  library(GPArotation)
  library(mnormt)
  library(jsonlite)
})

read <- function(name) read.csv(file.path("tests/reference/data", paste0(name, ".csv")))
ordinal5 <- read("drift_ordinal5")
ordinal8 <- read("drift_ordinal8")
pairwise <- read("drift_pairwise")
omega6 <- read("drift_omega6")
omega6_proper <- read("drift_omega6_proper")
weak <- read("drift_weak")
stopifnot(all(rowSums(!is.na(pairwise)) > 0), all(rowSums(!is.na(omega6)) > 0))

# ---------------------------------------------------------------- polychoric, per pair
rectangles <- function(rho, rc, cc) {
  rc <- c(-Inf, rc, Inf)
  cc <- c(-Inf, cc, Inf)
  S <- matrix(c(1, rho, rho, 1), 2)
  P <- matrix(0, length(rc) - 1, length(cc) - 1)
  for (i in seq_len(nrow(P))) for (j in seq_len(ncol(P))) {
    P[i, j] <- mnormt:::biv.nt.prob(Inf, lower = c(rc[i], cc[j]),
                                    upper = c(rc[i + 1], cc[j + 1]),
                                    mean = c(0, 0), S = S)
  }
  P
}
tight_rho <- function(tab, rc, cc) {
  f <- function(rho) {
    P <- rectangles(rho, rc, cc)
    -sum(ifelse(tab > 0, tab * log(P), 0))
  }
  optimize(f, interval = c(-1, 1), tol = 1e-12)$minimum
}
pair_table <- function(x, y) {
  tab <- table(x, y)
  tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
}
thresholds <- function(margin, n) qnorm(cumsum(margin) / n)[-length(margin)]

pair_values <- function(d) {
  p <- ncol(d)
  out <- list(i = integer(), j = integer(), n = integer(), polycor_raw = numeric(),
              tight_raw = numeric(), corrected_tight = numeric(),
              corrected_shipped = numeric(), renormalised = logical(),
              corrected_cells = integer())
  for (i in 1:(p - 1)) for (j in (i + 1):p) {
    tab <- unclass(pair_table(d[[i]], d[[j]]))
    n <- sum(tab)
    raw <- suppressWarnings(polycor::polychor(d[[i]], d[[j]]))
    tight <- tight_rho(tab, thresholds(rowSums(tab), n), thresholds(colSums(tab), n))
    fixed <- tab
    empty <- fixed == 0
    fixed[empty] <- 0.5
    cum_r <- cumsum(rowSums(fixed))[-nrow(fixed)] / n
    cum_c <- cumsum(colSums(fixed))[-ncol(fixed)] / n
    renorm <- any(cum_r >= 1) || any(cum_c >= 1)
    total <- if (renorm) sum(fixed) else n
    corrected <- tight_rho(fixed, thresholds(rowSums(fixed), total),
                           thresholds(colSums(fixed), total))
    shipped <- if (renorm) {
      suppressWarnings(polycor::polychor(as.table(fixed)))
    } else {
      suppressWarnings(suppressMessages(
        psych::polychoric(d[, c(i, j)], global = FALSE, smooth = FALSE)$rho[1, 2]))
    }
    out$i <- c(out$i, i - 1L)
    out$j <- c(out$j, j - 1L)
    out$n <- c(out$n, n)
    out$polycor_raw <- c(out$polycor_raw, raw)
    out$tight_raw <- c(out$tight_raw, tight)
    out$corrected_tight <- c(out$corrected_tight, corrected)
    out$corrected_shipped <- c(out$corrected_shipped, shipped)
    out$renormalised <- c(out$renormalised, renorm)
    out$corrected_cells <- c(out$corrected_cells, sum(empty))
  }
  out
}
psych_fails <- function(d) {
  res <- try(suppressWarnings(suppressMessages(
    psych::polychoric(d, global = FALSE, smooth = FALSE))), silent = TRUE)
  inherits(res, "try-error")
}

# ---------------------------------------------------------------- alpha, item statistics
alpha_values <- function(x) {
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)  # use = "pairwise"
  list(n = nrow(x), raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
       average_r = a$total$average_r, ase = a$total$ase,
       feldt_low = unname(a$feldt$lower.ci[[1]]), feldt_high = unname(a$feldt$upper.ci[[1]]),
       item_raw_r = unname(a$item.stats$raw.r), item_r_drop = unname(a$item.stats$r.drop),
       item_mean = unname(a$item.stats$mean), item_sd = unname(a$item.stats$sd),
       item_n = unname(a$item.stats$n),
       drop_raw_alpha = unname(a$alpha.drop$raw_alpha))
}

# ---------------------------------------------------------------- factor analysis
fa_values <- function(x, nf, fm) {
  f <- suppressWarnings(suppressMessages(
    psych::fa(x, nfactors = nf, fm = fm, rotate = "oblimin")))
  list(n_obs = f$n.obs, loadings = unclass(f$loadings), phi = f$Phi,
       communality = unname(f$communality), objective = f$objective,
       statistic = f$STATISTIC, dof = f$dof, tli = f$TLI, rmsea = unname(f$RMSEA[1]),
       bic = f$BIC, rms = f$rms, rms_of_loadings = rms_of(x, f))
}
# psych's rms for fm = "ml" on this matrix is not the root mean square of the residuals
# of its own solution (it differs by about 1e-4); this is that root mean square
rms_of <- function(x, f) {
  r <- cor(x, use = "pairwise")
  L <- unclass(f$loadings)
  phi <- if (is.null(f$Phi)) diag(ncol(L)) else f$Phi
  res <- (r - L %*% phi %*% t(L))[upper.tri(r)]
  sqrt(mean(res^2))
}
kmo_values <- function(x) {
  k <- psych::KMO(x)
  b <- suppressMessages(psych::cortest.bartlett(x))  # n = nrow(x), R = cor(pairwise)
  list(msa = k$MSA, msai = unname(k$MSAi), chisq = b$chisq, df = b$df, p = b$p.value,
       determinant = det(cor(x, use = "pairwise")))
}
parallel_values <- function(x) {
  smc <- suppressWarnings(suppressMessages(
    psych::fa.parallel(x, fa = "both", SMC = TRUE, n.iter = 2, plot = FALSE)))
  list(pc_values = smc$pc.values, fa_values_smc = smc$fa.values)
}
map_values <- function(x) {
  v <- suppressWarnings(suppressMessages(psych::VSS(x, n = ncol(x) - 2, plot = FALSE)))
  list(map = v$map, psych_n = which.min(v$map),
       # Velicer's criterion with no component removed: the mean squared correlation
       map0 = mean(cor(x, use = "pairwise")[upper.tri(diag(ncol(x)))]^2))
}

# ---------------------------------------------------------------- omega
# With 3 factors from 6 items the model has 0 degrees of freedom and the minres
# objective is flat near its minimum: psych's L-BFGS-B (default factr and pgtol) stops
# at an objective of about 5e-8 with communalities up to 3e-3 from the minimum. "tight"
# runs psych's own omega, omegah, schmid, fa and fac unchanged except that optim() gets
# factr = 1, pgtol = 0 (it then stops at the precision of double arithmetic).
tight <- new.env(parent = asNamespace("psych"))
for (name in c("omega", "omegah", "schmid", "fa", "fac")) {
  f <- get(name, envir = asNamespace("psych"))
  environment(f) <- tight
  assign(name, f, envir = tight)
}
assign("optim", function(par, fn, gr = NULL, ..., method, lower, upper, control = list(),
                         hessian = FALSE) {
  control$factr <- 1
  control$pgtol <- 0
  control$maxit <- 100000
  stats::optim(par, fn, gr, ..., method = method, lower = lower, upper = upper,
               control = control, hessian = hessian)
}, envir = tight)
omega_values <- function(x, nf, which = c("psych", "tight")) {
  fun <- if (match.arg(which) == "psych") psych::omega else tight$omega
  o <- suppressWarnings(suppressMessages(fun(x, nfactors = nf, plot = FALSE)))
  sl <- o$schmid$sl
  list(omega_h = o$omega_h, omega_total = o$omega.tot, omega_limit = o$omega.lim,
       alpha = o$alpha, ecv = unname(o$ECV),
       g = unname(sl[, 1]), h2 = unname(sl[, "h2"]),
       group = unname(as.matrix(sl[, 2:(nf + 1)])),
       group_total = o$omega.group$total, group_group = o$omega.group$group)
}

out <- list(
  `_meta` = list(R = R.version.string,
                 psych = as.character(packageVersion("psych")),
                 polycor = as.character(packageVersion("polycor")),
                 GPArotation = as.character(packageVersion("GPArotation")),
                 mnormt = as.character(packageVersion("mnormt")),
                 script = "tests/reference/drift.R"),
  polychoric = list(
    ordinal5 = c(pair_values(ordinal5), psych_fails = psych_fails(ordinal5)),
    ordinal8 = c(pair_values(ordinal8), psych_fails = psych_fails(ordinal8)),
    omega6 = c(pair_values(omega6), psych_fails = psych_fails(omega6))
  ),
  alpha = list(pairwise = alpha_values(pairwise),
               listwise = c(alpha_values(na.omit(pairwise)),
                            n_complete = nrow(na.omit(pairwise)))),
  efa = list(minres = fa_values(pairwise, 3, "minres"), ml = fa_values(pairwise, 3, "ml")),
  factorability = kmo_values(pairwise),
  parallel = parallel_values(pairwise),
  map = list(weak = map_values(weak), pairwise = map_values(pairwise)),
  omega = list(heywood = list(psych = omega_values(omega6, 3),
                              tight = omega_values(omega6, 3, "tight")),
               proper = list(psych = omega_values(omega6_proper, 3),
                             tight = omega_values(omega6_proper, 3, "tight")))
)
write_json(out, "tests/reference/drift.json", digits = NA, auto_unbox = TRUE,
           pretty = FALSE, na = "string")
cat("wrote tests/reference/drift.json\n")
