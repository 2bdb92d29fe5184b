"""Confirmatory factor analysis by maximum likelihood, following lavaan's conventions."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from peereval._format import fmt, fmt_ci, fmt_p
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.reliability._data import check_variance, item_frame
from peereval.validity._syntax import ModelSpec, as_spec

__all__ = ["CFAResult", "cfa"]

# model matrices (LISREL all-y notation): Sigma = Lambda Psi Lambda' + Theta,
# mu = nu + Lambda alpha
LAMBDA, THETA, PSI, NU, ALPHA = range(5)
_Z975 = float(stats.norm.ppf(0.975))
_SMALL_N = 100

# Hu & Bentler (1999) "close to" cut-offs
HU_BENTLER = {"cfi": (">=", 0.95), "tli": (">=", 0.95), "rmsea": ("<=", 0.06),
              "srmr": ("<=", 0.08)}

_ORDINAL_NOTE = (
    "ML on polychoric correlations, not lavaan's WLSMV: the estimates are consistent, "
    "but the chi-square, the fit indices built on it and the standard errors treat the "
    "polychoric matrix as if it were a covariance matrix of normal data and are only "
    "approximate (standard errors usually too small, chi-square inflated)")


# ================================================================== data


@dataclass(frozen=True)
class _Group:
    label: str
    n: int
    cov: np.ndarray  # divisor n (lavaan's likelihood = "normal")
    mean: np.ndarray | None
    logdet: float


@dataclass(frozen=True)
class _Data:
    names: tuple[str, ...]
    groups: tuple[_Group, ...]
    n_rows: int
    n_dropped: int
    dropped: str
    ordinal: bool

    @property
    def n(self) -> int:
        return sum(g.n for g in self.groups)


def _columns(data: Any) -> list[str] | None:
    if isinstance(data, pd.DataFrame):
        return list(map(str, data.columns))
    if hasattr(data, "instrument") and hasattr(data, "items"):
        return list(map(str, data.items.columns))
    return None


def _check_names(data: Any, spec: ModelSpec) -> None:
    columns = _columns(data)
    if columns is None:
        return
    unknown = [v for v in spec.observed if v not in columns]
    if unknown:
        name = unknown[0]
        raise PeerevalError(
            f"model syntax, line {spec.line_of(name)}: the item '{name}' is not a column "
            "of the data" + (f" (nor are {unknown[1:]})" if len(unknown) > 1 else ""),
            column=name,
            hint="check the spelling against the columns: " + ", ".join(columns[:60]))
    clash = [f for f in spec.factors if f in columns]
    if clash:
        raise PeerevalError(
            f"model syntax, line {spec.line_of(clash[0])}: the factor name '{clash[0]}' "
            "is also a column of the data",
            column=clash[0],
            hint="give the factor a name that is not an item (e.g. "
            f"'{clash[0]}_factor')")


def _by_short_names(data: Any, model: Any) -> Any:
    """Responses read under an instrument whose items name export columns: the items
    as numbers under their short names (as :meth:`Responses.numeric` gives them,
    reverse-keyed items not reversed); anything else unchanged."""
    from peereval.instrument import Instrument

    if (isinstance(model, Instrument) and model.columns and hasattr(data, "numeric")
            and hasattr(data, "likert_items")):
        return model.item_values(data)
    return data


def _not_pd_error(cov: np.ndarray, names: Sequence[str], label: str) -> PeerevalError:
    values, vectors = np.linalg.eigh(cov)
    weights = np.abs(vectors[:, 0])
    involved = [names[i] for i in np.argsort(-weights) if weights[i] > 0.2]
    where = f" in group '{label}'" if label else ""
    return PeerevalError(
        f"the covariance matrix of the items{where} is not positive definite "
        f"(smallest eigenvalue {values[0]:.3g}): some items are (nearly) linear "
        f"combinations of others, e.g. {involved}",
        hint="drop one of a pair of duplicated items, or a total score that was left "
        "among the items; with fewer respondents than items the matrix is always singular")


def _prepare(data: Any, spec: ModelSpec, *, group: Any = None, missing: str = "listwise",
             ordinal: bool = False) -> _Data:
    """Items (and group) after listwise deletion, with each group's moments."""
    if missing != "listwise":
        raise PeerevalError(
            f"missing must be 'listwise', not {missing!r}",
            hint="full-information ML (FIML) is not implemented; incomplete rows are "
            "dropped and counted (result.n_dropped)")
    _check_names(data, spec)
    names = list(spec.observed)
    frame = item_frame(data, names, minimum=1, what="a CFA")
    n_rows = len(frame)
    labels = None
    if group is not None:
        if isinstance(group, str):
            if not isinstance(data, pd.DataFrame) or group not in data.columns:
                raise PeerevalError(
                    f"no column '{group}' (the grouping variable) in the data",
                    column=group,
                    hint="pass the name of a column of the DataFrame, or the groups "
                    "themselves as a Series aligned with the data")
            labels = data[group]
        elif isinstance(group, pd.Series):
            if not group.index.equals(frame.index):
                if not (group.index.is_unique and set(group.index) == set(frame.index)):
                    raise PeerevalError(
                        "the groups (a Series) are indexed differently from the data",
                        hint="index the Series like the data (Series.reindex(data.index)), "
                        "or pass its values (.to_numpy()) to match rows by position")
                group = group.reindex(frame.index)
            labels = group
        else:
            labels = pd.Series(list(group))
            if len(labels) != n_rows:
                raise PeerevalError(
                    f"the groups have {len(labels)} values but the data {n_rows} rows",
                    hint="pass one group per row of the data")
        labels = pd.Series(np.asarray(labels, dtype=object), index=frame.index)
    complete = frame.notna().all(axis=1)
    if labels is not None:
        complete &= labels.notna()
    used = frame[complete]
    n_dropped = int(n_rows - complete.sum())
    if n_dropped:
        reason = "an unanswered item" + (" or no group" if labels is not None else "")
        dropped = (f"listwise: {n_dropped} of {n_rows} rows dropped for {reason}; "
                   f"{n_rows - n_dropped} used")
    else:
        dropped = f"listwise: no rows dropped; {n_rows} used"

    p = len(names)
    if labels is None:
        parts = [("", used)]
    else:
        kept = labels[complete]
        order = list(dict.fromkeys(kept.tolist()))
        if len(order) < 2:
            raise PeerevalError(
                f"the grouping variable has {len(order)} group(s) among the complete "
                "rows; at least two are needed",
                value=order[0] if order else None,
                hint="check the group column (and its missing values)")
        parts = [(str(v), used[(kept == v).to_numpy()]) for v in order]

    groups = []
    for label, part in parts:
        n = len(part)
        where = f" in group '{label}'" if label else ""
        if n <= p:
            raise PeerevalError(
                f"too few observations{where}: {n} complete rows for {p} items; "
                "ML estimation needs more respondents than items (and, for stable "
                "results, at least 100 to 200)",
                hint="collect more responses, or fit a smaller model (fewer items per "
                "factor)" + ("; groups with few respondents can be merged" if label else ""))
        x = part.to_numpy(dtype=float)
        cov = np.cov(x, rowvar=False, ddof=0).reshape(p, p)
        check_variance(cov, names)
        if ordinal:
            if labels is not None:
                raise PeerevalError(
                    "ordinal=True is available for one group only",
                    hint="fit the groups separately, or use the items as continuous")
            from peereval.reliability import polychoric

            result = polychoric(part, names, missing="listwise")
            cov = result.matrix.to_numpy(dtype=float)
            n = result.n_obs
            mean = None
        else:
            mean = x.mean(axis=0)
        sign, logdet = np.linalg.slogdet(cov)
        eig = np.linalg.eigvalsh(cov)
        if sign <= 0 or eig[0] <= 1e-10 * eig[-1]:
            raise _not_pd_error(cov, names, label)
        groups.append(_Group(label, n, cov, mean, float(logdet)))
    return _Data(tuple(names), tuple(groups), n_rows, n_dropped, dropped, ordinal)


# ================================================================== model


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


# ================================================================== estimation


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


# ================================================================== fit measures


def _rmsea_ci(chisq: float, df: int, n: int, n_groups: int, level: float = 0.90
              ) -> tuple[float, float]:
    """lavaan's RMSEA interval: noncentrality with P(chi2 <= X2 | df, lambda) at the tails."""
    if not (math.isfinite(chisq) and df >= 1):
        return (0.0, 0.0) if df < 1 else (math.nan, math.nan)
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam: float) -> float:
        return float(stats.chi2.cdf(chisq, df) if lam <= 0 else stats.ncx2.cdf(chisq, df, lam))

    def solve(target: float, upper: float) -> float:
        try:
            lam = optimize.brentq(lambda v: cdf(v) - target, 0.0, upper, xtol=1e-12,
                                  rtol=1e-14, maxiter=500)
        except ValueError:
            return math.nan
        return math.sqrt(lam / (n * df)) * math.sqrt(n_groups)

    low = 0.0 if cdf(0.0) < upper_p else solve(upper_p, chisq)
    top = max(n, 4 * chisq)
    high = 0.0 if (cdf(top) > lower_p or cdf(0.0) < lower_p) else solve(lower_p, top)
    return low, high


def _fit_measures(engine: _Engine, x: np.ndarray) -> dict[str, float]:
    data = engine.data
    n, n_groups, p, q, df = data.n, engine.n_groups, engine.p, engine.q, engine.df
    _, _, parts = engine.discrepancy(x, gradient=False)
    chisq = max(float(sum(g.n * f for g, f in zip(data.groups, parts, strict=True))), 0.0)
    base = float(sum(g.n * (np.log(np.diag(g.cov)).sum() - g.logdet) for g in data.groups))
    base_df = n_groups * p * (p - 1) // 2
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    base_p = float(stats.chi2.sf(base, base_df)) if base_df > 0 else math.nan
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, base - base_df, 0.0)
    cfi = 1.0 if (abs(t1) < 1.5e-8 and abs(t2) < 1.5e-8) else 1 - t1 / t2
    u1, u2 = (chisq - df) * base_df, (base - base_df) * df
    tli = 1 - u1 / u2 if df > 0 and abs(u2) > 0 else 1.0
    rmsea = (math.sqrt(max(chisq / n / df - 1 / n, 0.0)) * math.sqrt(n_groups)
             if df > 0 else 0.0)
    low, high = _rmsea_ci(chisq, df, n, n_groups)
    pclose = (float(stats.ncx2.sf(chisq, df, n * df * 0.05**2 / n_groups))
              if df > 0 else math.nan)

    mats = engine.matrices(x)
    loglik = 0.0
    unrestricted = 0.0
    srmr = 0.0
    for g, group in enumerate(data.groups):
        sigma, mu = engine.implied(mats[g])
        inv = np.linalg.inv(sigma)
        logdet = np.linalg.slogdet(sigma)[1]
        e = group.mean - mu if engine.meanstructure else np.zeros(p)
        loglik += -group.n / 2 * (p * math.log(2 * math.pi) + logdet
                                  + np.trace(group.cov @ inv) + e @ inv @ e)
        unrestricted += -group.n / 2 * (p * math.log(2 * math.pi) + group.logdet + p)
        sd = np.sqrt(np.diag(group.cov))
        resid = (group.cov - sigma) / np.outer(sd, sd)
        squares = resid[np.tril_indices(p)] ** 2
        count = len(squares)
        total = squares.sum()
        if engine.meanstructure:
            total += ((e / sd) ** 2).sum()
            count += p
        srmr += group.n / n * math.sqrt(total / count)
    ordinal = data.ordinal
    return {
        "chisq": chisq, "df": df, "pvalue": pvalue,
        "baseline_chisq": base, "baseline_df": base_df, "baseline_pvalue": base_p,
        "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_ci_lower": low,
        "rmsea_ci_upper": high, "rmsea_pvalue": pclose, "srmr": srmr,
        "loglik": math.nan if ordinal else float(loglik),
        "unrestricted_loglik": math.nan if ordinal else float(unrestricted),
        "aic": math.nan if ordinal else float(-2 * loglik + 2 * q),
        "bic": math.nan if ordinal else float(-2 * loglik + q * math.log(n)),
        "n_parameters": q,
    }


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


# ================================================================== modification indices


def _extra_elements(engine: _Engine) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every matrix element of each group that the model does not estimate."""
    out = []
    p, m = engine.p, engine.m
    for g in range(engine.n_groups):
        free = {(engine.mat[k], engine.row[k], engine.col[k])
                for k in np.nonzero((engine.group == g) & (engine.free >= 0))[0]}
        cand = [(LAMBDA, i, j) for j in range(m) for i in range(p)]
        cand += [(THETA, r, c) for c in range(p) for r in range(c, p)]
        cand += [(PSI, r, c) for c in range(m) for r in range(c, m)]
        if engine.meanstructure:
            cand += [(NU, i, 0) for i in range(p)] + [(ALPHA, j, 0) for j in range(m)]
        cand = [c for c in cand if c not in free]
        arr = np.array(cand, dtype=int).reshape(-1, 3)
        out.append((arr[:, 0], arr[:, 1], arr[:, 2]))
    return out


def _modification_indices(engine: _Engine, x: np.ndarray) -> pd.DataFrame:
    """Score tests of every fixed or omitted parameter, as lavaan's modindices()."""
    extra = _extra_elements(engine)
    n_extra = sum(len(e[0]) for e in extra)
    columns = ["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all"]
    if n_extra == 0:
        return pd.DataFrame(columns=columns)
    full = engine.information(x, extra)
    q = engine.q
    i22 = full[:q, :q]
    i12 = full[q:, :q]
    try:
        i22_inv = np.linalg.inv(i22)
    except np.linalg.LinAlgError:
        return pd.DataFrame(columns=columns)
    v_diag = np.diag(full[q:, q:]) - np.einsum("ij,jk,ik->i", i12, i22_inv, i12)
    v_diag = np.where(v_diag < np.finfo(float).eps ** (1 / 3), np.nan, v_diag)
    mats = engine.matrices(x)
    score = np.zeros(n_extra)
    offset = 0
    records = []
    for g, group in enumerate(engine.data.groups):
        em, er, ec = extra[g]
        sigma, mu = engine.implied(mats[g])
        inv = np.linalg.inv(sigma)
        resid = sigma - group.cov
        e = None
        if engine.meanstructure:
            e = group.mean - mu
            resid = resid - np.outer(e, e)
        w_mat = inv @ resid @ inv
        d_sigma, d_mu = engine.derivatives(mats[g], em, er, ec)
        d_f = np.einsum("kij,ij->k", d_sigma, w_mat)
        if e is not None:
            d_f -= 2 * d_mu @ (inv @ e)
        # the unit log-likelihood is -1/2 sum_g (n_g/N) F_g (+ constant)
        score[offset:offset + len(em)] = -0.5 * engine.weights[g] * d_f
        lam, th, ps, _, _ = mats[g]
        sd_f = np.sqrt(np.abs(np.diag(ps)))
        sd_y = np.sqrt(np.abs(np.diag(lam @ ps @ lam.T + th)))
        rv = np.sqrt(np.abs(np.diag(th)))
        for a in range(len(em)):
            records.append((g, em[a], er[a], ec[a], sd_f, sd_y, rv, th, ps))
        offset += len(em)
    n = engine.data.n
    mi = n * score**2 / v_diag
    epc = score / v_diag
    spec = engine.spec
    out = []
    for a, (g, mat, r, c, sd_f, sd_y, rv, th, ps) in enumerate(records):
        if not np.isfinite(mi[a]):
            continue
        if mat == LAMBDA:
            lhs, op, rhs = spec.factors[c], "=~", spec.observed[r]
            s_lv = epc[a] * sd_f[c]
            s_all = s_lv / sd_y[r]
        elif mat == THETA:
            lhs, op, rhs = spec.observed[c], "~~", spec.observed[r]
            if r == c:
                s_lv = th[r, r]
                s_all = th[r, r] / sd_y[r] ** 2
            else:
                s_lv = epc[a]
                s_all = epc[a] / (rv[r] * rv[c])
        elif mat == PSI:
            lhs, op, rhs = spec.factors[c], "~~", spec.factors[r]
            base = ps[r, r] if r == c else epc[a]
            s_lv = s_all = base / (sd_f[r] * sd_f[c])
        elif mat == NU:
            lhs, op, rhs = spec.observed[r], "~1", ""
            s_lv, s_all = epc[a], epc[a] / sd_y[r]
        else:
            lhs, op, rhs = spec.factors[r], "~1", ""
            s_lv = s_all = epc[a] / sd_f[r]
        out.append((lhs, op, rhs, engine.data.groups[g].label, float(mi[a]), float(epc[a]),
                    float(s_lv), float(s_all)))
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)


# ================================================================== result


@dataclass(frozen=True, repr=False)
class CFAResult(Result):
    """A fitted confirmatory factor analysis.

    Attributes
    ----------
    model
        The model syntax (as given, or as built from a mapping or an instrument).
    estimates
        One row per parameter (lavaan's ``parameterEstimates`` with the standardised
        columns): ``lhs``, ``op``, ``rhs``, ``group`` (with groups only), ``label``,
        ``free``, ``est``,
        ``se``, ``z``, ``p``, ``ci_lower``, ``ci_upper`` (95%), ``std_lv``,
        ``std_all``. Fixed parameters have ``se`` 0 and ``z``/``p`` NaN, as in lavaan.
    standardized
        The completely standardised solution (lavaan's ``standardizedSolution``,
        ``std.all``) with delta-method standard errors: ``est_std``, ``se``, ``z``,
        ``p``, ``ci_lower``, ``ci_upper``.
    modification_indices
        Score tests (1 df) of each fixed or omitted loading, residual covariance and
        factor covariance, largest first: ``mi``, ``epc`` (expected parameter change),
        ``sepc_lv``, ``sepc_all`` (as lavaan's ``modindices``).
    chisq, df, pvalue
        The likelihood-ratio test of the model against the saturated model.
    baseline_chisq, baseline_df, baseline_pvalue
        The same for the independence (baseline) model.
    cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr
        Fit indices (RMSEA with its 90% interval and the p-value of close fit,
        H0: RMSEA <= .05; SRMR as lavaan's default, Bentler's).
    loglik, unrestricted_loglik, aic, bic, n_parameters
        Log-likelihood of the model and of the saturated model, information
        criteria and the number of free parameters. NaN for ``ordinal=True``, which
        has no likelihood of the data.
    n_obs, n_dropped, dropped, groups, n_by_group
        Respondents used (total and per group), rows dropped and why.
    sample_covariance, implied_covariance
        Per group, the covariance matrix analysed (divisor n, as lavaan; the
        polychoric matrix with ``ordinal=True``) and the one the model implies.
    factors, observed
        Factor and item names, in order of appearance in the model.
    estimator, ordinal, approximate
        How it was estimated; ``approximate`` marks standard errors and chi-square
        that are not exact ML theory (ML on polychoric correlations).
    std_lv, meanstructure
        Identification by unit factor variances; whether means were modelled.
    converged, iterations, max_gradient
        Convergence of the optimiser (largest absolute gradient element of F_ML).
    warnings
        Red flags raised while fitting (also issued as :class:`PeerevalWarning`).

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import cfa
    >>> study = peereval.load_sample()
    >>> result = cfa(study.scores.items, study.instrument)
    >>> result.n_obs, result.df, round(result.cfi, 3)
    (111, 132, 0.94)
    >>> result.hu_bentler()[["index", "rule", "met"]]
       index     rule    met
    0    CFI  >= 0.95  False
    1    TLI  >= 0.95  False
    2  RMSEA  <= 0.06   True
    3   SRMR  <= 0.08   True
    """

    model: str
    estimates: pd.DataFrame
    standardized: pd.DataFrame
    modification_indices: pd.DataFrame
    chisq: float
    df: int
    pvalue: float
    baseline_chisq: float
    baseline_df: int
    baseline_pvalue: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_lower: float
    rmsea_ci_upper: float
    rmsea_pvalue: float
    srmr: float
    loglik: float
    unrestricted_loglik: float
    aic: float
    bic: float
    n_parameters: int
    n_obs: int
    n_dropped: int
    dropped: str
    groups: tuple[str, ...]
    n_by_group: tuple[int, ...]
    sample_covariance: tuple[pd.DataFrame, ...]
    implied_covariance: tuple[pd.DataFrame, ...]
    factors: tuple[str, ...]
    observed: tuple[str, ...]
    estimator: str
    ordinal: bool
    approximate: bool
    std_lv: bool
    meanstructure: bool
    converged: bool
    iterations: int
    max_gradient: float
    warnings: tuple[str, ...]
    title: str = "Confirmatory factor analysis"

    def to_frame(self) -> pd.DataFrame:
        """The parameter estimates (see :attr:`estimates`)."""
        return self.estimates.copy()

    def fit_frame(self) -> pd.DataFrame:
        """The fit measures as one row."""
        return pd.DataFrame([{
            "chisq": self.chisq, "df": self.df, "pvalue": self.pvalue,
            "baseline_chisq": self.baseline_chisq, "baseline_df": self.baseline_df,
            "cfi": self.cfi, "tli": self.tli, "rmsea": self.rmsea,
            "rmsea_ci_lower": self.rmsea_ci_lower, "rmsea_ci_upper": self.rmsea_ci_upper,
            "rmsea_pvalue": self.rmsea_pvalue, "srmr": self.srmr, "aic": self.aic,
            "bic": self.bic, "loglik": self.loglik, "n_parameters": self.n_parameters,
            "n_obs": self.n_obs, "n_dropped": self.n_dropped, "estimator": self.estimator,
            "approximate": self.approximate, "converged": self.converged,
        }])

    @property
    def loadings(self) -> pd.DataFrame:
        """Standardised loadings (std.all), items x factors (0 where an item does not
        load); of the first group when there are several."""
        rows = self.standardized[self.standardized["op"] == "=~"]
        if len(self.groups) > 1:
            rows = rows[rows["group"] == self.groups[0]]
        table = pd.DataFrame(0.0, index=list(self.observed), columns=list(self.factors))
        for r in rows.itertuples():
            table.loc[r.rhs, r.lhs] = r.est_std
        return table

    @property
    def factor_correlations(self) -> pd.DataFrame:
        """Correlations between the factors (of the first group)."""
        std = self.standardized
        rows = std[(std["op"] == "~~") & std["lhs"].isin(self.factors)]
        if len(self.groups) > 1:
            rows = rows[rows["group"] == self.groups[0]]
        table = pd.DataFrame(np.eye(len(self.factors)), index=list(self.factors),
                             columns=list(self.factors))
        for r in rows.itertuples():
            table.loc[r.lhs, r.rhs] = table.loc[r.rhs, r.lhs] = r.est_std
        return table

    def hu_bentler(self) -> pd.DataFrame:
        """Each index against Hu & Bentler's (1999) cut-off: ``index``, ``value``,
        ``cutoff``, ``rule`` and ``met``."""
        out = []
        for name, (rule, cutoff) in HU_BENTLER.items():
            value = getattr(self, name)
            met = value >= cutoff if rule == ">=" else value <= cutoff
            out.append({"index": name.upper(), "value": value, "rule": f"{rule} {cutoff}",
                        "cutoff": cutoff, "met": bool(met) if np.isfinite(value) else False})
        return pd.DataFrame(out)

    @property
    def combination_rule_met(self) -> bool:
        """Hu & Bentler's two-index rule: SRMR <= .08 with CFI >= .95 or RMSEA <= .06."""
        return bool(self.srmr <= 0.08 and (self.cfi >= 0.95 or self.rmsea <= 0.06))

    @property
    def fit_verdict(self) -> str:
        """The fit against Hu & Bentler's (1999) cut-offs, in words."""
        parts = []
        table = self.hu_bentler()
        for row in table.itertuples():
            digits = 3 if row.index in ("RMSEA", "SRMR") else 2
            value = fmt(row.value, digits, leading_zero=False)
            cut = fmt(row.cutoff, 2, leading_zero=False)
            sign = "≥" if row.rule.startswith(">") else "≤"
            if row.met:
                parts.append(f"{row.index} = {value} meets the {sign} {cut} cut-off")
            else:
                side = "below" if sign == "≥" else "above"
                parts.append(f"{row.index} = {value} is {side} the {cut} cut-off")
        rule = "The combination rule (SRMR ≤ .08 with CFI ≥ .95 or RMSEA ≤ .06)"
        if table["met"].all():
            overall = "By Hu and Bentler's (1999) criteria the model fits well."
        elif self.combination_rule_met:
            overall = (f"{rule} is met, so by Hu and Bentler's (1999) criteria the fit is "
                       "acceptable, though not every index meets its cut-off.")
        else:
            overall = (f"{rule} is not met: by Hu and Bentler's (1999) criteria the model "
                       "does not fit well; the modification indices show where it misfits.")
        text = "; ".join(parts) + ". " + overall
        text += (" These cut-offs are rules of thumb from simulations of continuous data "
                 "(Marsh, Hau & Wen 2004), not tests.")
        if self.ordinal:
            text += " With ML on polychoric correlations the indices are approximate."
        return text

    def apa(self) -> str:
        chi = (f"χ²({self.df}) = {fmt(self.chisq)}, {fmt_p(self.pvalue)}" if self.df > 0
               else f"χ²(0) = {fmt(self.chisq)}")
        ci = fmt_ci(self.rmsea_ci_lower, self.rmsea_ci_upper, 3, leading_zero=False,
                    level=0.90)
        text = (f"{chi}; CFI = {fmt(self.cfi, leading_zero=False)}; "
                f"TLI = {fmt(self.tli, leading_zero=False)}; "
                f"RMSEA = {fmt(self.rmsea, 3, leading_zero=False)}, {ci}; "
                f"SRMR = {fmt(self.srmr, 3, leading_zero=False)}")
        if self.approximate:
            text += " (ML on polychoric correlations; χ² and SEs approximate)"
        return text


# ================================================================== fitting


def _fit(spec: ModelSpec, data: _Data, *, std_lv: bool, meanstructure: bool,
         equal: frozenset[str] = frozenset(), modification_indices: bool = True,
         stacklevel: int = 3) -> CFAResult:
    rows = _build(spec, len(data.groups), std_lv=std_lv, meanstructure=meanstructure,
                  equal=equal)
    engine = _Engine(rows, spec, data, meanstructure)
    x0 = _start(engine)
    _check_identified(engine, x0)
    x, converged, iterations, max_grad = _minimise(engine, x0)
    notes: list[str] = []
    if not converged:
        notes.append(f"the optimiser did not converge (largest gradient {max_grad:.2g}); "
                     "the estimates and fit measures are not to be trusted. A misspecified "
                     "model, a factor with near-zero loadings or a tiny sample are the "
                     "usual causes")
    n = data.n
    info = engine.information(x)
    try:
        eig = np.linalg.eigvalsh(info)
        if eig[0] <= 1e-12 * eig[-1]:
            raise np.linalg.LinAlgError
        vcov = np.linalg.inv(info) / n
    except np.linalg.LinAlgError:
        vcov = np.full((engine.q, engine.q), np.nan)
        notes.append("the information matrix is singular at the estimates: the model is "
                     "empirically unidentified (e.g. a factor whose loadings are all near "
                     "zero) and no standard errors are given")
    v = engine.values(x)
    se = np.zeros(len(rows))
    free = engine.free >= 0
    se[free] = np.sqrt(np.clip(np.diag(vcov)[engine.free[free]], 0, None))
    std_lv_values, std_all = _standardize(engine, x)
    jac = _std_jacobian(engine, x)
    std_cov = jac @ vcov @ jac.T
    std_se = np.sqrt(np.clip(np.diag(std_cov), 0, None))

    labels = [g.label for g in data.groups]
    base = pd.DataFrame({
        "lhs": [r.lhs for r in rows], "op": [r.op for r in rows],
        "rhs": [r.rhs for r in rows],
        "group": [labels[r.group] for r in rows],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free & (se > 0), v / se, np.nan)
        zs = np.where(std_se > 0, std_all / std_se, np.nan)
    estimates = base.assign(
        label=[r.label for r in rows], free=free, est=v, se=se, z=z,
        p=2 * stats.norm.sf(np.abs(z)), ci_lower=v - _Z975 * se, ci_upper=v + _Z975 * se,
        std_lv=std_lv_values, std_all=std_all)
    standardized = base.assign(
        est_std=std_all, se=std_se, z=zs, p=2 * stats.norm.sf(np.abs(zs)),
        ci_lower=std_all - _Z975 * std_se, ci_upper=std_all + _Z975 * std_se)
    if len(data.groups) == 1:
        estimates = estimates.drop(columns="group")
        standardized = standardized.drop(columns="group")

    measures = _fit_measures(engine, x)
    mi = (_modification_indices(engine, x) if modification_indices
          else pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv",
                                     "sepc_all"]))
    if len(data.groups) == 1:
        mi = mi.drop(columns="group")

    mats = engine.matrices(x)
    names = list(spec.observed)
    implied = []
    for g, (lam, th, ps, _, _) in enumerate(mats):
        sigma = lam @ ps @ lam.T + th
        implied.append(pd.DataFrame(sigma, index=names, columns=names))
        where = f" in group '{labels[g]}'" if len(labels) > 1 else ""
        for i, name in enumerate(names):
            if th[i, i] < 0:
                notes.append(f"Heywood case{where}: the residual variance of '{name}' is "
                             f"negative ({th[i, i]:.3g}); the model is misspecified or the "
                             "sample too small for it")
        for j, factor in enumerate(spec.factors):
            if ps[j, j] < 0:
                notes.append(f"negative variance of the factor '{factor}'{where} "
                             f"({ps[j, j]:.3g}); the model is misspecified")
        if (np.all(np.diag(ps) > 0) and engine.m > 1
                and np.linalg.eigvalsh(ps)[0] <= 0):
            notes.append(f"the factor covariance matrix{where} is not positive "
                         "definite (a factor correlation at or beyond ±1): two factors "
                         "may be one")
        if np.linalg.eigvalsh(sigma)[0] <= 0:
            notes.append(f"the model-implied covariance matrix{where} is not positive "
                         "definite")
    if free.any():
        lam = estimates[estimates["op"] == "=~"]
        big = lam[np.abs(lam["std_all"]) > 1]
        for r in big.itertuples():
            notes.append(f"Heywood case: the standardised loading of '{r.rhs}' on "
                         f"'{r.lhs}' is {r.std_all:.3f}, beyond ±1")
    for g in data.groups:
        if g.n < _SMALL_N:
            where = f" in group '{g.label}'" if g.label else ""
            notes.append(f"small sample{where} (n = {g.n}): ML chi-square, fit indices "
                         "and standard errors rest on large-sample theory; treat them "
                         "with caution")
    if data.ordinal:
        notes.append(_ORDINAL_NOTE)
    notes = list(dict.fromkeys(notes))
    for note in notes:
        warnings.warn(note, PeerevalWarning, stacklevel=stacklevel)

    return CFAResult(
        model=spec.text, estimates=estimates, standardized=standardized,
        modification_indices=mi,
        chisq=measures["chisq"], df=int(measures["df"]), pvalue=measures["pvalue"],
        baseline_chisq=measures["baseline_chisq"], baseline_df=int(measures["baseline_df"]),
        baseline_pvalue=measures["baseline_pvalue"], cfi=measures["cfi"],
        tli=measures["tli"], rmsea=measures["rmsea"],
        rmsea_ci_lower=measures["rmsea_ci_lower"], rmsea_ci_upper=measures["rmsea_ci_upper"],
        rmsea_pvalue=measures["rmsea_pvalue"], srmr=measures["srmr"],
        loglik=measures["loglik"], unrestricted_loglik=measures["unrestricted_loglik"],
        aic=measures["aic"], bic=measures["bic"], n_parameters=int(measures["n_parameters"]),
        n_obs=data.n, n_dropped=data.n_dropped, dropped=data.dropped,
        groups=tuple(labels), n_by_group=tuple(g.n for g in data.groups),
        sample_covariance=tuple(pd.DataFrame(g.cov, index=names, columns=names)
                                for g in data.groups),
        implied_covariance=tuple(implied),
        factors=spec.factors, observed=spec.observed,
        estimator="ML on polychoric correlations" if data.ordinal else "ML",
        ordinal=data.ordinal, approximate=data.ordinal, std_lv=std_lv,
        meanstructure=meanstructure, converged=converged, iterations=iterations,
        max_gradient=max_grad, warnings=tuple(notes),
    )


def cfa(
    data: Any,
    model: Any,
    *,
    estimator: Literal["ML"] = "ML",
    std_lv: bool = False,
    missing: Literal["listwise"] = "listwise",
    ordinal: bool = False,
    group: str | Sequence[Any] | None = None,
) -> CFAResult:
    r"""Confirmatory factor analysis by maximum likelihood, as lavaan's ``cfa()``.

    Parameters
    ----------
    data
        A DataFrame with one numeric column per item (a
        :class:`~peereval.instrument.Scores` or
        :class:`~peereval.loaders.responses.Responses` also works). Not modified.
    model
        lavaan-style syntax (``"support =~ Q1_1 + Q1_2 + Q1_3"``, one factor per line;
        ``x1 ~~ x2`` for a residual covariance, ``f1 ~~ 0*f2`` for orthogonal factors,
        ``1*x1`` to fix and ``NA*x1`` to free a loading, a shared label ``a*x2 +
        a*x3`` for equal loadings), a mapping ``{factor: [items]}`` or an
        :class:`~peereval.instrument.Instrument` (one factor per scale).
    estimator
        ``"ML"`` (the only one): maximum likelihood.
    std_lv
        ``False`` (default): each factor is scaled by its first item, whose loading
        is fixed at 1 (marker variable). ``True``: factor variances are fixed at 1
        and every loading is estimated (lavaan's ``std.lv = TRUE``).
    missing
        ``"listwise"``: rows with any item unanswered are dropped and counted
        (:attr:`CFAResult.n_dropped`). Full-information ML is not implemented.
    ordinal
        ``True``: fit by ML to the polychoric correlation matrix of the items
        (:func:`peereval.reliability.polychoric`, smoothed when not positive
        definite). This is **not** lavaan's WLSMV: the loadings are consistent, but the
        chi-square, the indices built on it and the standard errors treat the
        polychoric matrix as a covariance matrix of normal data, so they are only
        approximate (``result.approximate`` is ``True`` and the APA sentence says
        so); AIC, BIC and the log-likelihood are not given.
    group
        A column (or a Series aligned with the data) splitting the sample: the same
        model is fitted in every group with no equality constraints (the configural
        model of :func:`peereval.validity.invariance`), with means and intercepts.

    Returns
    -------
    CFAResult

    Raises
    ------
    PeerevalError
        A syntax error (naming the line and token); an item not in the data; a
        non-numeric item; a factor without a scale, or with one item and nothing
        fixed; a model with more parameters than variances and covariances, or one
        whose parameters cannot be told apart; no more complete rows than items; a
        singular covariance matrix.

    Warns
    -----
    PeerevalWarning
        Non-convergence, Heywood cases (negative residual or factor variances,
        standardised loadings beyond ±1), a factor covariance matrix or implied
        covariance matrix that is not positive definite, a singular information
        matrix, n below 100, and the approximations of ``ordinal=True``.

    Notes
    -----
    The model (Jöreskog 1969, *Psychometrika* 34:183-202; Bollen 1989, *Structural
    Equations with Latent Variables*) implies :math:`\Sigma(\theta) = \Lambda\Psi
    \Lambda^\top + \Theta`. The estimates minimise

    .. math::

        F_{ML}(\theta) = \log|\Sigma(\theta)| + \operatorname{tr}(S\Sigma(\theta)^{-1})
        - \log|S| - p

    with :math:`S` the covariance matrix with divisor :math:`N` (lavaan's default
    ``likelihood = "normal"``), by BFGS with the analytic gradient
    :math:`\partial F/\partial\theta_k = \operatorname{tr}(\Sigma^{-1}(\Sigma - S)
    \Sigma^{-1}\,\partial\Sigma/\partial\theta_k)` followed by Fisher-scoring steps
    until the largest gradient element is below about 1e-12. With groups,
    :math:`F = \sum_g (n_g/N) F_g`, each with the mean term
    :math:`(\bar y_g - \mu_g)^\top\Sigma_g^{-1}(\bar y_g - \mu_g)`.

    Standard errors come from the expected information
    :math:`\tfrac12 \operatorname{tr}(\Sigma^{-1}\Sigma_a\Sigma^{-1}\Sigma_b)`
    (plus :math:`\mu_a^\top\Sigma^{-1}\mu_b` with means) evaluated at
    :math:`\hat\Sigma`, as lavaan's default for complete data; those of the
    standardised solution by the delta method (Jacobian by complex step).

    Fit: :math:`\chi^2 = N F_{ML}(\hat\theta)`; CFI :math:`= 1 - \max(\chi^2 -
    df, 0) / \max(\chi^2 - df, \chi^2_b - df_b, 0)`; TLI :math:`= (\chi^2_b/df_b -
    \chi^2/df) / (\chi^2_b/df_b - 1)`; RMSEA :math:`= \sqrt{G}\sqrt{\max(\chi^2/(N
    df) - 1/N, 0)}` with its 90% interval from the noncentral chi-square and the
    p-value of H0: RMSEA ≤ .05; SRMR is Bentler's, the root mean square of
    :math:`(s_{ij} - \hat\sigma_{ij})/\sqrt{s_{ii}s_{jj}}` over the lower triangle
    with the diagonal; AIC :math:`= -2\log L + 2q`, BIC :math:`= -2\log L + q\log
    N`. The baseline model has free variances only. Hu & Bentler (1999, *Struct
    Equ Modeling* 6:1-55) cut-offs: CFI and TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08,
    and their combination rule SRMR ≤ .08 with CFI ≥ .95 or RMSEA ≤ .06
    (:attr:`CFAResult.fit_verdict`).

    Modification indices are lavaan's score tests (Sörbom 1989, *Psychometrika*
    54:371-384; EPC: Saris, Satorra & Sörbom 1987, *Sociol Methodol* 17:105-129): for
    each fixed or omitted loading, residual covariance or factor covariance,
    :math:`MI = N g^2 / V` and :math:`EPC = g / V`, with :math:`g` the derivative of
    the per-observation log-likelihood and :math:`V = I_{11} - I_{12} I_{22}^{-1}
    I_{21}` from the expected information; parameters whose :math:`V` vanishes (a
    marker loading, say) are left out, as lavaan does.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import cfa
    >>> study = peereval.load_sample()
    >>> result = cfa(study.scores.items, study.instrument)  # one factor per scale
    >>> # lavaan 0.6.14, cfa(model, na.omit(items)): chisq 167.543, df 132, cfi .9397
    >>> round(result.chisq, 3), result.df, round(result.cfi, 4), result.n_dropped
    (167.543, 132, 0.9397, 27)
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    χ²(132) = 167.54, p = .020; CFI = .94; TLI = .93;
    RMSEA = .049, 90% CI [.021, .070]; SRMR = .069
    >>> result.combination_rule_met  # SRMR <= .08 with RMSEA <= .06
    True
    """
    if estimator != "ML":
        raise PeerevalError(
            f"estimator must be 'ML', not {estimator!r}",
            hint="for ordinal items, ordinal=True fits ML to polychoric correlations; "
            "WLSMV is not implemented")
    spec = as_spec(model)
    data = _by_short_names(data, model)
    data_ = _prepare(data, spec, group=group, missing=missing, ordinal=bool(ordinal))
    return _fit(spec, data_, std_lv=bool(std_lv), meanstructure=group is not None)
