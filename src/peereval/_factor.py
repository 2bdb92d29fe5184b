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

__all__ = ["FactorFit", "gpa_oblique", "minres", "oblimin", "smc", "sort_and_flip", "varimax"]


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
                               bounds=[(0.005, upper)] * p,
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


def gpa_oblique(loadings: np.ndarray, criterion: Criterion, *,
                start: np.ndarray | None = None, eps: float = 1e-8,
                max_iter: int = 5000) -> tuple[np.ndarray, np.ndarray, bool]:
    """Gradient projection oblique rotation.

    Finds T with unit-length columns minimising ``criterion(A (T')⁻¹)``. Returns the
    rotated pattern loadings, the factor correlations :math:`\\Phi = T'T`, and
    whether the projected gradient fell below ``eps`` (1e-8 by default, stricter than
    GPArotation's 1e-5; much smaller values lie below the precision of the line
    search's sufficient-decrease test).
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
        for _ in range(11):
            trial = rotation - step * projected
            trial = trial / np.sqrt((trial**2).sum(axis=0))
            trial_inverse = np.linalg.inv(trial)
            trial_pattern = a @ trial_inverse.T
            trial_value, trial_grad = criterion(trial_pattern)
            if trial_value < value - 0.5 * size**2 * step:
                break
            step /= 2
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
