# Reference values for peereval.validity: factorability, efa, parallel_analysis, map_test.
# Run from the repository root: Rscript tests/reference/efa.R
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})
bfi <- na.omit(read.csv("tests/reference/data/bfi.csv")[, 1:25])
sample_items <- na.omit(read.csv("tests/reference/data/sample_items.csv"))

fit <- function(x, nf, fm, rotate) {
  f <- suppressWarnings(suppressMessages(
    psych::fa(x, nfactors = nf, fm = fm, rotate = rotate, scores = "regression")))
  phi <- if (is.null(f$Phi)) diag(nf) else f$Phi
  out <- list(
    loadings = unclass(f$loadings), structure = unclass(f$Structure), phi = phi,
    communality = unname(f$communality), uniquenesses = unname(f$uniquenesses),
    values = f$values, objective = f$objective, statistic = f$STATISTIC,
    dof = f$dof, pval = f$PVAL, tli = f$TLI, rmsea = unname(f$RMSEA[1:3]),
    bic = f$BIC, rms = f$rms, crms = f$crms,
    weights = unclass(f$weights)
  )
  if (fm != "pc") {
    b <- suppressWarnings(psych::factor.scores(x, f, method = "Bartlett"))
    out$bartlett_weights <- unclass(b$weights)
  }
  out
}

pc <- function(x, nf, rotate) {
  p <- suppressWarnings(psych::principal(x, nfactors = nf, rotate = rotate))
  phi <- if (is.null(p$Phi)) diag(nf) else p$Phi
  list(loadings = unclass(p$loadings), phi = phi, communality = unname(p$communality),
       values = p$values)
}

efa_cases <- list()
for (fm in c("minres", "ml", "pa")) {
  for (rotate in c("none", "varimax", "quartimax", "promax", "oblimin", "geominQ")) {
    efa_cases[[paste("bfi", fm, rotate, sep = "_")]] <- fit(bfi, 5, fm, rotate)
    efa_cases[[paste("sample", fm, rotate, sep = "_")]] <- fit(sample_items, 3, fm, rotate)
  }
}
for (rotate in c("none", "varimax", "oblimin")) {
  efa_cases[[paste("bfi_pc", rotate, sep = "_")]] <- pc(bfi, 5, rotate)
}

# Rotations alone, from the same unrotated (minres) loadings.
unrotated <- unclass(suppressMessages(psych::fa(bfi, 5, rotate = "none"))$loadings)
rotations <- list(
  input = unrotated,
  varimax = unclass(stats::varimax(unrotated)$loadings),
  quartimax = unclass(GPArotation::quartimax(unrotated)$loadings),
  oblimin = unclass(GPArotation::oblimin(unrotated)$loadings),
  oblimin_phi = GPArotation::oblimin(unrotated)$Phi,
  geominQ = unclass(GPArotation::geominQ(unrotated)$loadings),
  geominQ_phi = GPArotation::geominQ(unrotated)$Phi
)

# The same rotations run to tight convergence: stats::varimax stops when the criterion
# changes by less than 1e-5 (relative) and GPArotation when the projected gradient is
# below 1e-5, which leaves loadings up to ~1e-3 from the optimum; these are the optima.
tight_promax <- function(L, m = 4) {
  # psych's kaiser(rotate = "Promax") with a tightly converged varimax
  h2 <- rowSums(L^2)
  x <- L / sqrt(h2)
  v <- stats::varimax(x, eps = 1e-14)
  x <- unclass(v$loadings)
  Q <- x * abs(x)^(m - 1)
  U <- lm.fit(x, Q)$coefficients
  d <- diag(solve(t(U) %*% U))
  U <- U %*% diag(sqrt(d))
  z <- x %*% U
  ui <- solve(v$rotmat %*% U)
  list(loadings = z * sqrt(h2), phi = ui %*% t(ui))
}
tight <- list(
  varimax = unclass(stats::varimax(unrotated, eps = 1e-14)$loadings),
  quartimax = unclass(GPArotation::quartimax(unrotated, eps = 1e-10, maxit = 100000)$loadings),
  oblimin = unclass(GPArotation::oblimin(unrotated, eps = 1e-10, maxit = 100000)$loadings),
  oblimin_phi = GPArotation::oblimin(unrotated, eps = 1e-10, maxit = 100000)$Phi,
  geominQ = unclass(GPArotation::geominQ(unrotated, eps = 1e-10, maxit = 100000)$loadings),
  geominQ_phi = GPArotation::geominQ(unrotated, eps = 1e-10, maxit = 100000)$Phi,
  promax = tight_promax(unrotated)$loadings,
  promax_phi = tight_promax(unrotated)$phi
)

kmo <- function(x) {
  k <- psych::KMO(x)
  b <- psych::cortest.bartlett(cor(x), n = nrow(x))
  list(msa = k$MSA, msai = unname(k$MSAi), chisq = b$chisq, df = b$df, p = b$p.value,
       determinant = det(cor(x)))
}

parallel <- function(x) {
  smc_true <- suppressWarnings(suppressMessages(
    psych::fa.parallel(x, fa = "both", SMC = TRUE, n.iter = 2, plot = FALSE)))
  smc_false <- suppressWarnings(suppressMessages(
    psych::fa.parallel(x, fa = "both", SMC = FALSE, n.iter = 2, plot = FALSE)))
  list(pc_values = smc_true$pc.values, fa_values_smc = smc_true$fa.values,
       fa_values_minres = smc_false$fa.values)
}

map_values <- function(x, n) {
  v <- suppressWarnings(suppressMessages(psych::VSS(x, n = n, plot = FALSE)))
  v$map
}

out <- list(
  `_meta` = list(R = R.version.string,
                 psych = as.character(packageVersion("psych")),
                 GPArotation = as.character(packageVersion("GPArotation")),
                 script = "tests/reference/efa.R"),
  efa = efa_cases,
  rotations = rotations,
  rotations_tight = tight,
  factorability = list(bfi = kmo(bfi), sample = kmo(sample_items)),
  parallel = list(bfi = parallel(bfi), sample = parallel(sample_items)),
  map = list(bfi = map_values(bfi, 24), sample = map_values(sample_items, 17))
)
write_json(out, "tests/reference/efa.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/efa.json\n")
