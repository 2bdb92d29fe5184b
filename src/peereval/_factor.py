"""Factor extraction and rotation on a correlation (or covariance) matrix.

Private building blocks shared by omega (:func:`peereval.reliability.omega`) and
exploratory factor analysis. Everything works on numpy arrays.

* :func:`minres`: minimum-residual (unweighted least squares) extraction (Harman &
  Jones 1966, *Psychometrika* 31:351-368): the uniquenesses minimise the squared
  off-diagonal residuals of the reduced matrix's rank-m approximation.
* :func:`varimax`: Kaiser's (1958) varimax by the SVD iteration.
* :func:`gpa_oblique`: the gradient projection algorithm for oblique rotations
  (Jennrich 2002, *Psychometrika* 67:7-19; Bernaards & Jennrich 2005, *Educ Psychol
  Meas* 65:676-696), with the oblimin family of criteria.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["FactorFit", "geomin_criterion", "gpa_oblique", "gpa_orthogonal", "minres", "ml",
           "oblimin", "principal_axis", "principal_components", "promax", "quartimax_criterion",
           "smc", "sort_and_flip", "varimax"]

#: Smallest uniqueness minres and ML allow (as psych::fa); an item on this bound is a
#: Heywood case.
HEYWOOD_UNIQUENESS = 0.005


def smc(matrix: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 - 1/diag(R⁻¹) (pseudo-inverse when singular)."""
    sd = np.sqrt(np.diag(matrix))
    corr = matrix / np.outer(sd, sd)
    try:
        inverse = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(corr)
    out = 1 - 1 / np.diag(inverse)
    return np.clip(out, 0, 1) * np.diag(matrix)


@dataclass(frozen=True)
class FactorFit:
    """An unrotated factor solution."""

    loadings: np.ndarray
    uniquenesses: np.ndarray
    objective: float
    converged: bool
    iterations: int
    eigenvalues: np.ndarray | None = None

    @property
    def communalities(self) -> np.ndarray:
        return (self.loadings**2).sum(axis=1)


def _reduced_loadings(matrix: np.ndarray, psi: np.ndarray, m: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    reduced = matrix - np.diag(psi)
    values, vectors = np.linalg.eigh(reduced)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    loadings = vectors[:, :m] * np.sqrt(np.clip(values[:m], 0, None))
    return loadings, values, vectors


def minres(matrix: np.ndarray, n_factors: int, *, tol: float = 1e-12,
           max_iter: int = 5000) -> FactorFit:
    """Minimum-residual factor extraction.

    Minimises :math:`F(\\psi) = \\sum_{j > m} \\lambda_j^2` over the uniquenesses
    :math:`\\psi`, where :math:`\\lambda_j` are the eigenvalues of
    :math:`S - \\operatorname{diag}(\\psi)` beyond the m largest (the unweighted least
    squares discrepancy, whose minimum has zero diagonal residuals and so minimises
    the off-diagonal residuals too), with the gradient
    :math:`\\partial F/\\partial \\psi_i = -2 \\sum_{j>m} \\lambda_j v_{ij}^2`; bounds
    [.005, max(1, SMC)] and start 1 - SMC as in R's ``psych::fa``.
    """
    p = matrix.shape[0]
    if not 1 <= n_factors < p:
        raise ValueError(f"cannot extract {n_factors} factors from {p} variables")
    start_smc = smc(matrix)
    start = np.diag(matrix) - start_smc
    upper = max(float(start_smc.max()), 1.0)

    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        values, vectors = np.linalg.eigh(matrix - np.diag(psi))
        order = np.argsort(values)[::-1]
        values, vectors = values[order], vectors[:, order]
        rest_values, rest_vectors = values[n_factors:], vectors[:, n_factors:]
        value = float(np.sum(rest_values**2))
        gradient = -2 * (rest_vectors**2) @ rest_values
        return value, gradient

    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                               bounds=[(HEYWOOD_UNIQUENESS, upper)] * p,
                               options={"ftol": tol, "gtol": 1e-10, "maxiter": max_iter})
    loadings, _, _ = _reduced_loadings(matrix, result.x, n_factors)
    return FactorFit(loadings, np.diag(matrix) - (loadings**2).sum(axis=1),
                     float(result.fun), bool(result.success), int(result.nit))


def varimax(loadings: np.ndarray, *, normalize: bool = True, eps: float = 1e-12,
            max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser 1958); returns rotated loadings and the rotation matrix.

    Rows are scaled to unit length first when ``normalize`` (Kaiser normalisation),
    as R's ``stats::varimax`` does by default.
    """
    x = np.array(loadings, dtype=float)
    p, m = x.shape
    if m < 2:
        return x, np.eye(m)
    scale = np.sqrt((x**2).sum(axis=1)) if normalize else np.ones(p)
    x = x / scale[:, None]
    rotation = np.eye(m)
    criterion = 0.0
    for _ in range(max_iter):
        z = x @ rotation
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        rotation = u @ vt
        previous, criterion = criterion, float(s.sum())
        if criterion < previous * (1 + eps):
            break
    rotated = (x @ rotation) * scale[:, None]
    return rotated, rotation


Criterion = Callable[[np.ndarray], tuple[float, np.ndarray]]


def oblimin_criterion(gamma: float = 0.0) -> Criterion:
    """Oblimin family (gamma 0: quartimin), criterion value and gradient in L."""

    def criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
        p, m = loadings.shape
        squares = loadings**2
        off = np.ones((m, m)) - np.eye(m)
        weight = (np.eye(p) - gamma * np.full((p, p), 1 / p)) @ squares @ off
        return float(np.sum(squares * weight) / 4), loadings * weight

    return criterion


#: Gradient size below which a line search that finds no decrease ends the rotation as
#: converged (GPArotation's own tolerance; the default target is 100 times smaller).
STALL_TOLERANCE = 1e-5


def gpa_oblique(loadings: np.ndarray, criterion: Criterion, *,
                start: np.ndarray | None = None, eps: float = 1e-7,
                max_iter: int = 5000) -> tuple[np.ndarray, np.ndarray, bool]:
    """Gradient projection oblique rotation.

    Finds T with unit-length columns minimising ``criterion(A (T')⁻¹)``. Returns the
    rotated pattern loadings, the factor correlations :math:`\\Phi = T'T`, and
    whether the projected gradient fell below ``eps`` (1e-7 by default, 100 times
    stricter than GPArotation's 1e-5; much smaller values lie below the precision of
    the line search's sufficient-decrease test, and when that test can no longer be
    met below 1e-5 the rotation is also taken as converged).
    """
    a = np.asarray(loadings, float)
    m = a.shape[1]
    rotation = np.eye(m) if start is None else np.array(start, float)
    inverse = np.linalg.inv(rotation)
    pattern = a @ inverse.T
    value, grad_l = criterion(pattern)
    gradient = -(pattern.T @ grad_l @ inverse).T
    step = 1.0
    converged = False
    for _ in range(max_iter + 1):
        projected = gradient - rotation @ np.diag((rotation * gradient).sum(axis=0))
        size = float(np.sqrt((projected**2).sum()))
        if size < eps:
            converged = True
            break
        step *= 2
        improved = False
        for _ in range(11):
            trial = rotation - step * projected
            trial = trial / np.sqrt((trial**2).sum(axis=0))
            trial_inverse = np.linalg.inv(trial)
            trial_pattern = a @ trial_inverse.T
            trial_value, trial_grad = criterion(trial_pattern)
            if trial_value < value - 0.5 * size**2 * step:
                improved = True
                break
            step /= 2
        if not improved and size < STALL_TOLERANCE:
            converged = True  # no further decrease is measurable in double precision
            break
        rotation, inverse, pattern = trial, trial_inverse, trial_pattern
        value, grad_l = trial_value, trial_grad
        gradient = -(pattern.T @ grad_l @ inverse).T
    return pattern, rotation.T @ rotation, converged


def oblimin(loadings: np.ndarray, gamma: float = 0.0, **kwargs: float
            ) -> tuple[np.ndarray, np.ndarray, bool]:
    """Oblimin rotation (Jennrich 2002); gamma 0 is quartimin, R's default."""
    return gpa_oblique(loadings, oblimin_criterion(gamma), **kwargs)


def sort_and_flip(loadings: np.ndarray, phi: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Order factors by the variance they explain and make each column sum positive."""
    order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
    loadings = loadings[:, order]
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    loadings = loadings * signs
    if phi is not None:
        phi = phi[np.ix_(order, order)] * np.outer(signs, signs)
    return loadings, phi


# ------------------------------------------------------------------ extraction


def ml(matrix: np.ndarray, n_factors: int, *, tol: float = 1e-12,
       max_iter: int = 5000) -> FactorFit:
    """Maximum likelihood factor extraction (Lawley & Maxwell 1971).

    Minimises :math:`F(\\psi) = -\\sum_{j>m}(\\log\\lambda_j - \\lambda_j) - m + p`
    over the uniquenesses, with :math:`\\lambda_j` the eigenvalues of
    :math:`\\Psi^{-1/2} S \\Psi^{-1/2}`; loadings
    :math:`\\Psi^{1/2} V_m (\\Lambda_m - I)^{1/2}` (Jöreskog 1967, *Psychometrika*
    32:443-482). Bounds and start as R's ``psych::fa(fm = "ml")``.
    """
    p = matrix.shape[0]
    start_smc = smc(matrix)
    start = np.diag(matrix) - start_smc
    upper = max(float(start_smc.max()), 1.0)

    def objective(psi: np.ndarray) -> tuple[float, np.ndarray]:
        scale = 1 / np.sqrt(psi)
        scaled = matrix * np.outer(scale, scale)
        values, vectors = np.linalg.eigh(scaled)
        order = np.argsort(values)[::-1]
        values, vectors = values[order], vectors[:, order]
        rest = values[n_factors:]
        value = float(-np.sum(np.log(rest) - rest) - n_factors + p)
        loadings = vectors[:, :n_factors] * np.sqrt(np.clip(values[:n_factors] - 1, 0, None))
        loadings = loadings * np.sqrt(psi)[:, None]
        implied = loadings @ loadings.T + np.diag(psi) - matrix
        return value, np.diag(implied) / psi**2

    result = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                               bounds=[(HEYWOOD_UNIQUENESS, upper)] * p,
                               options={"ftol": tol, "gtol": 1e-10, "maxiter": max_iter})
    psi = result.x
    scale = 1 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(matrix * np.outer(scale, scale))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    loadings = vectors[:, :n_factors] * np.sqrt(np.clip(values[:n_factors] - 1, 0, None))
    loadings = loadings * np.sqrt(psi)[:, None]
    return FactorFit(loadings, np.diag(matrix) - (loadings**2).sum(axis=1),
                     float(result.fun), bool(result.success), int(result.nit))


def principal_axis(matrix: np.ndarray, n_factors: int, *, tol: float = 0.001,
                   max_iter: int = 50) -> FactorFit:
    """Iterated principal axis factoring.

    Start with squared multiple correlations on the diagonal, take the first m
    eigenpairs, put the implied communalities back on the diagonal, and stop when
    the sum of communalities changes by less than ``tol`` or after ``max_iter``
    rounds (the stopping rule of R's ``psych::fa(fm = "pa")``, 0.001 and 50).
    """
    reduced = matrix.copy()
    np.fill_diagonal(reduced, smc(matrix))
    total = float(np.trace(reduced))
    converged = False
    iterations = 0
    loadings = np.zeros((matrix.shape[0], n_factors))
    while iterations < max_iter:
        iterations += 1
        values, vectors = np.linalg.eigh(reduced)
        order = np.argsort(values)[::-1]
        values, vectors = values[order], vectors[:, order]
        loadings = vectors[:, :n_factors] * np.sqrt(np.clip(values[:n_factors], 0, None))
        communality = (loadings**2).sum(axis=1)
        new_total = float(communality.sum())
        np.fill_diagonal(reduced, communality)
        change, total = abs(total - new_total), new_total
        if change <= tol:
            converged = True
            break
    return FactorFit(loadings, np.diag(matrix) - (loadings**2).sum(axis=1), float("nan"),
                     converged, iterations, values)


def principal_components(matrix: np.ndarray, n_components: int) -> FactorFit:
    """Principal components: the first eigenvectors scaled by the root eigenvalues."""
    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    loadings = vectors[:, :n_components] * np.sqrt(np.clip(values[:n_components], 0, None))
    return FactorFit(loadings, np.diag(matrix) - (loadings**2).sum(axis=1), float("nan"),
                     True, 0)


# ------------------------------------------------------------------- rotation


def quartimax_criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
    """Quartimax (Neuhaus & Wrigley 1954): minimise -Σ λ⁴/4."""
    return float(-np.sum(loadings**4) / 4), -(loadings**3)


def geomin_criterion(delta: float = 0.01) -> Criterion:
    """Geomin (Yates 1987): Σ_i (Π_j (λ_ij² + δ))^(1/m)."""

    def criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
        m = loadings.shape[1]
        shifted = loadings**2 + delta
        product = np.exp(np.log(shifted).sum(axis=1) / m)
        gradient = (2 / m) * loadings / shifted * product[:, None]
        return float(product.sum()), gradient

    return criterion


def gpa_orthogonal(loadings: np.ndarray, criterion: Criterion, *, eps: float = 1e-7,
                   max_iter: int = 5000) -> tuple[np.ndarray, np.ndarray, bool]:
    """Gradient projection orthogonal rotation (Jennrich 2001, *Psychometrika* 66:289-306).

    Returns the rotated loadings, the rotation matrix T (loadings = A T) and whether
    the projected gradient fell below ``eps``.
    """
    a = np.asarray(loadings, float)
    rotation = np.eye(a.shape[1])
    rotated = a @ rotation
    value, grad_l = criterion(rotated)
    gradient = a.T @ grad_l
    step = 1.0
    converged = False
    for _ in range(max_iter + 1):
        m = rotation.T @ gradient
        projected = gradient - rotation @ ((m + m.T) / 2)
        size = float(np.sqrt((projected**2).sum()))
        if size < eps:
            converged = True
            break
        step *= 2
        improved = False
        for _ in range(11):
            u, _, vt = np.linalg.svd(rotation - step * projected)
            trial = u @ vt
            trial_rotated = a @ trial
            trial_value, trial_grad = criterion(trial_rotated)
            if trial_value < value - 0.5 * size**2 * step:
                improved = True
                break
            step /= 2
        if not improved and size < STALL_TOLERANCE:
            converged = True  # no further decrease is measurable in double precision
            break
        rotation, rotated, value, grad_l = trial, trial_rotated, trial_value, trial_grad
        gradient = a.T @ grad_l
    return rotated, rotation, converged


def promax(loadings: np.ndarray, power: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Promax (Hendrickson & White 1964) after Kaiser normalisation, as ``psych::fa``.

    Rows are scaled to unit communality, rotated by varimax, the target
    ``L |L|^(power-1)`` is approached by least squares, the transformation is
    rescaled so that factors have unit variance, and rows are scaled back. Returns
    the pattern loadings and the factor correlations.
    """
    a = np.asarray(loadings, float)
    scale = np.sqrt((a**2).sum(axis=1))
    x, _ = varimax(a / scale[:, None])
    target = x * np.abs(x) ** (power - 1)
    u, *_ = np.linalg.lstsq(x, target, rcond=None)
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u * np.sqrt(d)
    pattern = (x @ u) * scale[:, None]
    inverse = np.linalg.inv(u)
    return pattern, inverse @ inverse.T
