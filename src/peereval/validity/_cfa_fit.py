"""Estimation of a CFA: starting values, identification, ML minimisation, standardising.

:func:`_start` gives starting values, :func:`_check_identified` refuses a model that
is not identified (counting rule and the rank of the information), :func:`_minimise`
runs BFGS with the analytic gradient and polishes by Fisher scoring, and
:func:`_standardize` gives lavaan's ``std.lv`` and ``std.all`` (complex-step safe, so
that :func:`_std_jacobian` gives their delta-method Jacobian exactly).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import optimize

from peereval.errors import PeerevalError
from peereval.validity._cfa_model import ALPHA, LAMBDA, NU, PSI, THETA, _Engine, _parameter_names

__all__: list[str] = []


def _start(engine: _Engine) -> np.ndarray:
    """Starting values: one-factor loadings per factor, half-residual variances."""
    v = engine.value.copy()
    rows = engine.rows
    for g, group in enumerate(engine.data.groups):
        s_cov = group.cov
        psi = {}
        loading = {}
        for j in range(engine.m):
            lam_rows = [k for k in engine.index[g][LAMBDA] if engine.col[k] == j]
            items = [engine.row[k] for k in lam_rows]
            sub = s_cov[np.ix_(items, items)]
            if len(items) >= 2:
                values, vectors = np.linalg.eigh(sub)
                ell = vectors[:, -1] * np.sqrt(max(values[-1], 1e-8))
            else:
                ell = np.sqrt(0.5 * np.diag(sub))
            marker = next((n for n, k in enumerate(lam_rows)
                           if not rows[k].free and rows[k].value != 0), None)
            if ell.sum() < 0:
                ell = -ell
            var_row = next(k for k in engine.index[g][PSI]
                           if engine.row[k] == j and engine.col[k] == j)
            if marker is not None:
                if ell[marker] < 0:
                    ell = -ell
                scale = ell[marker] / rows[lam_rows[marker]].value
                if abs(scale) < 1e-3 * np.sqrt(sub[marker, marker]):
                    scale = math.copysign(np.sqrt(sub[marker, marker]) * 0.5, scale or 1.0)
                lam, var = ell / scale, scale**2
            else:
                fixed_var = rows[var_row].value if not rows[var_row].free else 1.0
                lam, var = ell / np.sqrt(fixed_var), fixed_var
            for n, k in enumerate(lam_rows):
                if rows[k].free:
                    v[k] = lam[n]
                loading[(engine.row[k], j)] = v[k]
            if rows[var_row].free:
                v[var_row] = var
            psi[j] = v[var_row]
        common = np.zeros(engine.p)
        for (i, j), lam in loading.items():
            common[i] += lam**2 * psi[j]
        for k in engine.index[g][THETA]:
            if not rows[k].free:
                continue
            i, c = engine.row[k], engine.col[k]
            v[k] = max(s_cov[i, i] - common[i], 0.1 * s_cov[i, i]) if i == c else 0.0
        for k in engine.index[g][PSI]:
            if rows[k].free and engine.row[k] != engine.col[k]:
                v[k] = 0.0
        for k in engine.index[g][NU]:
            if rows[k].free:
                v[k] = group.mean[engine.row[k]]
        for k in engine.index[g][ALPHA]:
            if rows[k].free:
                v[k] = 0.0
    x0 = np.zeros(engine.q)
    counts = np.zeros(engine.q)
    mask = engine.free >= 0
    np.add.at(x0, engine.free[mask], v[mask])
    np.add.at(counts, engine.free[mask], 1)
    return x0 / counts


def _check_identified(engine: _Engine, x0: np.ndarray) -> None:
    """Counting rule (df >= 0) and the rank of the information at a generic point."""
    if engine.df < 0:
        raise PeerevalError(
            f"the model is not identified: it has {engine.q} free parameters but the data "
            f"give only {engine.moments} variances and covariances"
            + (" and means" if engine.meanstructure else "") + f" (df = {engine.df})",
            hint="add items, fix parameters (e.g. equal loadings via labels) or drop "
            "residual covariances")
    rng = np.random.default_rng(20240607)  # a fixed generic point, not a user-facing draw
    x = x0.copy()
    for k, r in enumerate(engine.rows):
        if engine.free[k] < 0:
            continue
        if r.mat in (PSI, THETA) and r.row != r.col:
            x[engine.free[k]] = rng.uniform(0.05, 0.15)
        elif r.mat == LAMBDA:
            x[engine.free[k]] *= rng.uniform(0.9, 1.1)
    for _ in range(20):
        if math.isfinite(engine.discrepancy(x, gradient=False)[0]):
            break
        x = 0.5 * (x + x0)
    info = engine.information(x)
    d = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    values, vectors = np.linalg.eigh(info / np.outer(d, d))
    if values[0] < 1e-9 * max(values[-1], 1e-300):
        names = _parameter_names(engine)
        weights = np.abs(vectors[:, 0])
        involved = [names[i] for i in np.argsort(-weights) if weights[i] > 0.1][:6]
        raise PeerevalError(
            "the model is not identified: these parameters cannot be told apart "
            f"from one another: {involved}",
            hint="give each factor at least three items (or two, with correlated factors), "
            "fix one loading or the variance of each factor, and avoid residual "
            "covariances that duplicate a factor")


def _minimise(engine: _Engine, x0: np.ndarray) -> tuple[np.ndarray, bool, int, float]:
    """BFGS on F_ML with its analytic gradient, then Fisher scoring to polish."""

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g, _ = engine.discrepancy(x)
        if not math.isfinite(f):
            return 1e10, np.zeros_like(x)
        return f, g

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = optimize.minimize(fun, x0, jac=True, method="BFGS",
                                   options={"gtol": 1e-9, "maxiter": 20000})
    x = result.x if result.fun < 1e10 else x0
    iterations = int(result.nit)
    f, g, _ = engine.discrepancy(x)
    if not math.isfinite(f):
        x = x0
        f, g, _ = engine.discrepancy(x)
    for _ in range(200):
        if not math.isfinite(f) or np.max(np.abs(g)) < 1e-13:
            break
        info = engine.information(x)
        try:
            step = np.linalg.solve(2 * info, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(2 * info, g, rcond=None)[0]
        t = 1.0
        accepted = False
        while t > 1e-8:
            xn = x - t * step
            fn, gn, _ = engine.discrepancy(xn)
            if math.isfinite(fn) and fn <= f + 1e-14 * abs(f):
                accepted = True
                break
            t /= 2
        if not accepted:
            break
        iterations += 1
        improvement = f - fn
        x, f, g = xn, fn, gn
        if improvement < 1e-16 and np.max(np.abs(g)) < 1e-9:
            break
    max_grad = float(np.max(np.abs(g))) if g is not None and len(g) else 0.0
    converged = math.isfinite(f) and max_grad < 1e-6
    return x, converged, iterations, max_grad


# ================================================================== standardisation


def _standardize(engine: _Engine, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """std.lv and std.all of every parameter-table row (complex-step safe)."""
    v = engine.values(x)
    complex_step = np.iscomplexobj(v)
    std_lv = v.copy()
    std_all = v.copy()
    mats = engine.matrices(x)
    for g in range(engine.n_groups):
        lam, th, ps, _, _ = mats[g]
        sd_f = np.sqrt(np.diag(ps).astype(complex if complex_step else float))
        sigma = lam @ ps @ lam.T + th
        var_y = np.diag(sigma)
        sd_y = np.sqrt(var_y.astype(complex if complex_step else float))
        theta = np.diag(th)
        rv = np.sqrt(theta) if complex_step else np.sqrt(np.abs(theta))
        idx = engine.index[g]
        k = idx[LAMBDA]
        i, j = engine.row[k], engine.col[k]
        std_lv[k] = v[k] * sd_f[j]
        std_all[k] = v[k] * sd_f[j] / sd_y[i]
        k = idx[PSI]
        i, j = engine.row[k], engine.col[k]
        std_lv[k] = std_all[k] = v[k] / (sd_f[i] * sd_f[j])
        variance = k[i == j]  # exactly 1 (no rounding left in a complex step)
        std_lv[variance] = std_all[variance] = np.where(np.real(v[variance]) > 0, 1.0,
                                                        np.nan)
        k = idx[THETA]
        i, j = engine.row[k], engine.col[k]
        diagonal = i == j
        std_all[k[diagonal]] = v[k[diagonal]] / var_y[i[diagonal]]
        off = ~diagonal
        std_all[k[off]] = v[k[off]] / (rv[i[off]] * rv[j[off]])
        k = idx[NU]
        std_all[k] = v[k] / sd_y[engine.row[k]]
        k = idx[ALPHA]
        std_lv[k] = std_all[k] = v[k] / sd_f[engine.row[k]]
    if not complex_step:
        std_lv, std_all = np.real(std_lv), np.real(std_all)
    return std_lv, std_all


def _std_jacobian(engine: _Engine, x: np.ndarray) -> np.ndarray:
    """d std.all / d x by complex step (exact to rounding)."""
    h = 1e-20
    jac = np.zeros((len(engine.rows), engine.q))
    for a in range(engine.q):
        xc = x.astype(complex)
        xc[a] += 1j * h
        jac[:, a] = np.imag(_standardize(engine, xc)[1]) / h
    return jac
