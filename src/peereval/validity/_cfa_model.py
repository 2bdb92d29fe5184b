r"""The CFA model: its parameter table and the moments it implies.

:func:`_build` turns a parsed model (:mod:`peereval.validity._syntax`) into lavaan's
parameter table, one row per model-matrix element, group after group, and checks that
every factor has a scale. :class:`_Engine` maps a vector of free parameters to the
model matrices (LISREL all-y notation: :math:`\Sigma = \Lambda\Psi\Lambda^\top +
\Theta`, :math:`\mu = \nu + \Lambda\alpha`), the ML discrepancy, its analytic
gradient and the expected information.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from peereval.errors import PeerevalError
from peereval.validity._cfa_data import _Data
from peereval.validity._syntax import ModelSpec

__all__: list[str] = []

# model matrices (LISREL all-y notation): Sigma = Lambda Psi Lambda' + Theta,
# mu = nu + Lambda alpha
LAMBDA, THETA, PSI, NU, ALPHA = range(5)


@dataclass
class _Row:
    lhs: str
    op: str
    rhs: str
    group: int
    mat: int
    row: int
    col: int
    free: bool
    value: float
    label: str
    user: bool
    key: tuple | None = None


def _build(spec: ModelSpec, n_groups: int, *, std_lv: bool, meanstructure: bool,
           equal: frozenset[str] = frozenset()) -> list[_Row]:
    """The parameter table: one row per model-matrix element, group after group."""
    ov = {name: i for i, name in enumerate(spec.observed)}
    lv = {name: j for j, name in enumerate(spec.factors)}
    rows: list[_Row] = []
    for g in range(n_groups):
        first: set[str] = set()
        for t in spec.terms:
            if t.op != "=~":
                continue
            is_first = t.lhs not in first
            first.add(t.lhs)
            if t.fixed is not None:
                free, value = False, t.fixed
            elif t.free or std_lv or not is_first:
                free, value = True, np.nan
            else:
                free, value = False, 1.0
            key = ("label", t.label) if t.label else (
                ("=~", t.lhs, t.rhs) if "loadings" in equal and free else None)
            rows.append(_Row(t.lhs, "=~", t.rhs, g, LAMBDA, ov[t.rhs], lv[t.lhs], free,
                             value, t.label or "", True, key))
        given: set[tuple[int, int, int]] = set()
        for t in spec.terms:
            if t.op != "~~":
                continue
            if t.lhs in lv:
                mat, a, b = PSI, lv[t.lhs], lv[t.rhs]
            else:
                mat, a, b = THETA, ov[t.lhs], ov[t.rhs]
            r, c = max(a, b), min(a, b)
            given.add((mat, r, c))
            free = t.fixed is None
            value = np.nan if free else t.fixed
            key = ("label", t.label) if t.label else None
            rows.append(_Row(t.lhs, "~~", t.rhs, g, mat, r, c, free, value, t.label or "",
                             True, key))
        for name, i in ov.items():
            if (THETA, i, i) not in given:
                rows.append(_Row(name, "~~", name, g, THETA, i, i, True, np.nan, "", False))
        for name, j in lv.items():
            if (PSI, j, j) not in given:
                free = not std_lv or (g > 0 and "loadings" in equal)
                rows.append(_Row(name, "~~", name, g, PSI, j, j, free,
                                 np.nan if free else 1.0, "", False))
        names = list(lv)
        for a in range(len(names)):
            for b in range(a + 1, len(names)):
                if (PSI, b, a) not in given:
                    rows.append(_Row(names[a], "~~", names[b], g, PSI, b, a, True, np.nan,
                                     "", False))
        if meanstructure:
            for name, i in ov.items():
                key = ("~1", name) if "intercepts" in equal else None
                rows.append(_Row(name, "~1", "", g, NU, i, 0, True, np.nan, "", False, key))
            for name, j in lv.items():
                free = g > 0 and "intercepts" in equal
                rows.append(_Row(name, "~1", "", g, ALPHA, j, 0, free,
                                 np.nan if free else 0.0, "", False))
    _check_scales(spec, rows)
    return rows


def _check_scales(spec: ModelSpec, rows: list[_Row]) -> None:
    """Every factor needs a scale; a one-item factor needs more than that."""
    first = [r for r in rows if r.group == 0]
    for factor in spec.factors:
        loadings = [r for r in first if r.mat == LAMBDA and r.lhs == factor]
        variance = next(r for r in first if r.mat == PSI and r.lhs == factor
                        and r.rhs == factor)
        fixed_loading = any(not r.free and r.value != 0 for r in loadings)
        line = spec.line_of(factor)
        if not fixed_loading and variance.free:
            raise PeerevalError(
                f"model syntax, line {line}: the factor '{factor}' has no scale (no "
                "loading fixed and its variance free), so the model is not identified",
                value=factor,
                hint="fix one loading (by default the first loading is fixed at 1; NA* "
                f"frees it) or the variance ({factor} ~~ 1*{factor}, or std_lv=True)")
        items = [r.rhs for r in loadings]
        if len(items) == 1:
            residual = next(r for r in first if r.mat == THETA and r.lhs == items[0]
                            and r.rhs == items[0])
            if residual.free:
                raise PeerevalError(
                    f"model syntax, line {line}: the factor '{factor}' has one item "
                    f"({items[0]}) and nothing fixes that item's residual variance, so "
                    "the factor's variance cannot be told from the item's error variance",
                    value=factor,
                    hint="give the factor at least three items (two if it correlates "
                    f"with other factors), or fix the residual variance ({items[0]} ~~ "
                    f"0*{items[0]} makes the factor the item itself)")


class _Engine:
    """Implied moments, ML discrepancy, its gradient and the expected information."""

    def __init__(self, rows: list[_Row], spec: ModelSpec, data: _Data,
                 meanstructure: bool) -> None:
        self.rows = rows
        self.spec = spec
        self.data = data
        self.meanstructure = meanstructure
        self.p = len(spec.observed)
        self.m = len(spec.factors)
        self.n_groups = len(data.groups)
        keys: dict[tuple, int] = {}
        free = np.full(len(rows), -1)
        q = 0
        for k, r in enumerate(rows):
            if not r.free:
                continue
            if r.key is not None and r.key in keys:
                free[k] = keys[r.key]
                continue
            free[k] = q
            if r.key is not None:
                keys[r.key] = q
            q += 1
        self.q = q
        self.free = free
        self.group = np.array([r.group for r in rows])
        self.mat = np.array([r.mat for r in rows])
        self.row = np.array([r.row for r in rows])
        self.col = np.array([r.col for r in rows])
        self.value = np.array([r.value for r in rows], dtype=float)
        self.weights = np.array([g.n for g in data.groups], dtype=float) / data.n
        # index arrays: rows of group g in matrix k, and the free rows of group g
        self.index = [[np.nonzero((self.group == g) & (self.mat == k))[0] for k in range(5)]
                      for g in range(self.n_groups)]
        self.free_rows = [np.nonzero((self.group == g) & (free >= 0))[0]
                          for g in range(self.n_groups)]
        self.moments = self.n_groups * (self.p * (self.p + 1) // 2
                                        + (self.p if meanstructure else 0))
        self.df = self.moments - q

    # ------------------------------------------------------------ matrices
    def values(self, x: np.ndarray) -> np.ndarray:
        v = self.value.astype(np.result_type(x, float))
        mask = self.free >= 0
        v[mask] = x[self.free[mask]]
        return v

    def matrices(self, x: np.ndarray) -> list[tuple[np.ndarray, ...]]:
        v = self.values(x)
        out = []
        p, m, dtype = self.p, self.m, v.dtype
        for g in range(self.n_groups):
            idx = self.index[g]
            lam = np.zeros((p, m), dtype)
            lam[self.row[idx[LAMBDA]], self.col[idx[LAMBDA]]] = v[idx[LAMBDA]]
            th = np.zeros((p, p), dtype)
            th[self.row[idx[THETA]], self.col[idx[THETA]]] = v[idx[THETA]]
            th[self.col[idx[THETA]], self.row[idx[THETA]]] = v[idx[THETA]]
            ps = np.zeros((m, m), dtype)
            ps[self.row[idx[PSI]], self.col[idx[PSI]]] = v[idx[PSI]]
            ps[self.col[idx[PSI]], self.row[idx[PSI]]] = v[idx[PSI]]
            nu = np.zeros(p, dtype)
            nu[self.row[idx[NU]]] = v[idx[NU]]
            al = np.zeros(m, dtype)
            al[self.row[idx[ALPHA]]] = v[idx[ALPHA]]
            out.append((lam, th, ps, nu, al))
        return out

    @staticmethod
    def implied(mats: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
        lam, th, ps, nu, al = mats
        return lam @ ps @ lam.T + th, nu + lam @ al

    def derivatives(self, mats: tuple[np.ndarray, ...], mat: np.ndarray, row: np.ndarray,
                    col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dSigma (k x p x p) and dmu (k x p) for matrix elements (mat, row, col)."""
        lam, _, ps, _, al = mats
        p, k = self.p, len(mat)
        d_sigma = np.zeros((k, p, p))
        d_mu = np.zeros((k, p))
        lp = lam @ ps
        s = np.nonzero(mat == LAMBDA)[0]
        if len(s):
            i, j = row[s], col[s]
            a = lp[:, j].T
            d_sigma[s, i, :] += a
            d_sigma[s, :, i] += a
            d_mu[s, i] = al[j]
        s = np.nonzero(mat == THETA)[0]
        if len(s):
            d_sigma[s, row[s], col[s]] = 1.0
            d_sigma[s, col[s], row[s]] = 1.0
        s = np.nonzero(mat == PSI)[0]
        if len(s):
            lj, lk = lam[:, row[s]].T, lam[:, col[s]].T
            outer = np.einsum("ni,nj->nij", lj, lk)
            both = outer + outer.transpose(0, 2, 1)
            diagonal = row[s] == col[s]
            both[diagonal] /= 2
            d_sigma[s] = both
        s = np.nonzero(mat == NU)[0]
        if len(s):
            d_mu[s, row[s]] = 1.0
        s = np.nonzero(mat == ALPHA)[0]
        if len(s):
            d_mu[s] = lam[:, row[s]].T
        return d_sigma, d_mu

    # ------------------------------------------------------------ discrepancy
    def discrepancy(self, x: np.ndarray, gradient: bool = True
                    ) -> tuple[float, np.ndarray | None, list[float]]:
        """F = sum_g (n_g/N) F_ML,g, its gradient in x, and each group's F_ML,g."""
        mats = self.matrices(x)
        total = 0.0
        grad = np.zeros(self.q) if gradient else None
        parts = []
        for g, group in enumerate(self.data.groups):
            sigma, mu = self.implied(mats[g])
            try:
                chol = np.linalg.cholesky(sigma)
            except np.linalg.LinAlgError:
                return math.inf, None, []
            logdet = 2 * np.log(np.diag(chol)).sum()
            inv = np.linalg.inv(sigma)
            f = logdet + np.trace(group.cov @ inv) - group.logdet - self.p
            e = None
            if self.meanstructure:
                e = group.mean - mu
                f += e @ inv @ e
            parts.append(float(f))
            total += self.weights[g] * f
            if gradient:
                resid = sigma - group.cov
                if e is not None:
                    resid = resid - np.outer(e, e)
                w_mat = inv @ resid @ inv
                rows = self.free_rows[g]
                d_sigma, d_mu = self.derivatives(mats[g], self.mat[rows], self.row[rows],
                                         self.col[rows])
                gr = np.einsum("kij,ij->k", d_sigma, w_mat)
                if e is not None:
                    gr -= 2 * d_mu @ (inv @ e)
                grad += self.weights[g] * np.bincount(self.free[rows], gr,
                                                      minlength=self.q)
        return float(total), grad, parts

    def information(self, x: np.ndarray, extra: list[tuple[np.ndarray, ...]] | None = None
                    ) -> np.ndarray:
        """Expected (unit) information, Delta' W Delta, evaluated at Sigma(x).

        Columns: the free parameters, then (when given) the extra matrix elements
        ``extra[g] = (mat, row, col)`` of each group.
        """
        mats = self.matrices(x)
        n_extra = sum(len(e[0]) for e in extra) if extra else 0
        size = self.q + n_extra
        info = np.zeros((size, size))
        offset = self.q
        for g in range(self.n_groups):
            rows = self.free_rows[g]
            mat, row, col = self.mat[rows], self.row[rows], self.col[rows]
            columns = self.free[rows]
            if extra:
                em, er, ec = extra[g]
                mat = np.concatenate([mat, em])
                row = np.concatenate([row, er])
                col = np.concatenate([col, ec])
                columns = np.concatenate([columns, offset + np.arange(len(em))])
                offset += len(em)
            sigma, _ = self.implied(mats[g])
            inv = np.linalg.inv(sigma)
            d_sigma, d_mu = self.derivatives(mats[g], mat, row, col)
            # tr(S⁻¹ dΣ_a S⁻¹ dΣ_b) for every pair as one matrix product (BLAS): with
            # B_a = S⁻¹ dΣ_a, the trace is vec(B_a) · vec(B_bᵀ)
            k, p = len(mat), self.p
            b_mat = (inv @ d_sigma.transpose(1, 0, 2).reshape(p, k * p)).reshape(
                p, k, p).transpose(1, 0, 2)
            block = 0.5 * (b_mat.reshape(k, p * p)
                           @ b_mat.transpose(0, 2, 1).reshape(k, p * p).T)
            if self.meanstructure:
                block += d_mu @ inv @ d_mu.T
            if np.unique(columns).size == columns.size:
                info[np.ix_(columns, columns)] += self.weights[g] * block
            else:  # equality constraints: several elements share a parameter
                k_mat = np.zeros((len(columns), size))
                k_mat[np.arange(len(columns)), columns] = 1.0
                info += self.weights[g] * (k_mat.T @ block @ k_mat)
        return info


def _parameter_names(engine: _Engine) -> list[str]:
    names = [""] * engine.q
    for k, r in enumerate(engine.rows):
        i = engine.free[k]
        if i >= 0 and not names[i]:
            text = f"{r.lhs} {r.op} {r.rhs}".strip()
            if engine.n_groups > 1:
                text += f" (group {engine.data.groups[r.group].label})"
            names[i] = text
    return names
