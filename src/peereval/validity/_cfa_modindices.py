"""Modification indices of a CFA: score tests of every fixed or omitted parameter.

As lavaan's ``modindices()`` (Sörbom 1989; EPC: Saris, Satorra & Sörbom 1987): for
each matrix element the model does not estimate, :math:`MI = N g^2 / V` and
:math:`EPC = g / V`, with :math:`g` the derivative of the per-observation
log-likelihood and :math:`V = I_{11} - I_{12} I_{22}^{-1} I_{21}` from the expected
information.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from peereval.validity._cfa_model import ALPHA, LAMBDA, NU, PSI, THETA, _Engine

__all__: list[str] = []

MI_COLUMNS = ["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all"]


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
    if n_extra == 0:
        return pd.DataFrame(columns=MI_COLUMNS)
    full = engine.information(x, extra)
    q = engine.q
    i22 = full[:q, :q]
    i12 = full[q:, :q]
    try:
        i22_inv = np.linalg.inv(i22)
    except np.linalg.LinAlgError:
        return pd.DataFrame(columns=MI_COLUMNS)
    v_diag = np.diag(full[q:, q:]) - np.einsum("ij,jk,ik->i", i12, i22_inv, i12)
    v_diag = np.where(v_diag < np.finfo(float).eps ** (1 / 3), np.nan, v_diag)
    score, records = _scores(engine, x, extra, n_extra)
    n = engine.data.n
    mi = n * score**2 / v_diag
    epc = score / v_diag
    out = [_row(engine, record, float(mi[a]), float(epc[a]))
           for a, record in enumerate(records) if np.isfinite(mi[a])]
    frame = pd.DataFrame(out, columns=MI_COLUMNS)
    return frame.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)


def _scores(engine: _Engine, x: np.ndarray,
            extra: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_extra: int,
            ) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """The score of each extra element, and what standardising its EPC needs."""
    mats = engine.matrices(x)
    score = np.zeros(n_extra)
    offset = 0
    records: list[tuple[Any, ...]] = []
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
    return score, records


def _row(engine: _Engine, record: tuple[Any, ...], mi: float, epc: float) -> tuple[Any, ...]:
    """One row of the table: the parameter in lavaan's terms, MI, EPC, sEPC."""
    g, mat, r, c, sd_f, sd_y, rv, th, ps = record
    spec = engine.spec
    if mat == LAMBDA:
        lhs, op, rhs = spec.factors[c], "=~", spec.observed[r]
        s_lv = epc * sd_f[c]
        s_all = s_lv / sd_y[r]
    elif mat == THETA:
        lhs, op, rhs = spec.observed[c], "~~", spec.observed[r]
        if r == c:
            s_lv = th[r, r]
            s_all = th[r, r] / sd_y[r] ** 2
        else:
            s_lv = epc
            s_all = epc / (rv[r] * rv[c])
    elif mat == PSI:
        lhs, op, rhs = spec.factors[c], "~~", spec.factors[r]
        base = ps[r, r] if r == c else epc
        s_lv = s_all = base / (sd_f[r] * sd_f[c])
    elif mat == NU:
        lhs, op, rhs = spec.observed[r], "~1", ""
        s_lv, s_all = epc, epc / sd_y[r]
    else:
        lhs, op, rhs = spec.factors[r], "~1", ""
        s_lv = s_all = epc / sd_f[r]
    return (lhs, op, rhs, engine.data.groups[g].label, mi, epc, float(s_lv), float(s_all))
