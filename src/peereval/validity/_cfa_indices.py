"""Fit measures of a CFA, as lavaan's ``fitMeasures``: chi-square, CFI, TLI, RMSEA, SRMR.

Computed at the estimates from the engine's discrepancy: the likelihood-ratio
chi-square against the saturated model and the baseline (independence) model, CFI,
TLI, RMSEA with its 90% interval and the p-value of close fit, Bentler's SRMR, the
log-likelihoods, AIC and BIC; and Hu & Bentler's (1999) cut-offs.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from peereval.validity._cfa_model import _Engine

__all__: list[str] = []

# Hu & Bentler (1999) "close to" cut-offs
HU_BENTLER = {"cfi": (">=", 0.95), "tli": (">=", 0.95), "rmsea": ("<=", 0.06),
              "srmr": ("<=", 0.08)}


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
    """lavaan's fit measures at the estimates ``x``."""
    data = engine.data
    _, _, parts = engine.discrepancy(x, gradient=False)
    chisq = max(float(sum(g.n * f for g, f in zip(data.groups, parts, strict=True))), 0.0)
    measures = _chisq_indices(engine, chisq)
    loglik, unrestricted, srmr = _loglik_srmr(engine, x)
    q, n = engine.q, data.n
    ordinal = data.ordinal
    measures.update({
        "srmr": srmr,
        "loglik": math.nan if ordinal else float(loglik),
        "unrestricted_loglik": math.nan if ordinal else float(unrestricted),
        "aic": math.nan if ordinal else float(-2 * loglik + 2 * q),
        "bic": math.nan if ordinal else float(-2 * loglik + q * math.log(n)),
        "n_parameters": q,
    })
    return measures


def _chisq_indices(engine: _Engine, chisq: float) -> dict[str, float]:
    """The model and baseline chi-square tests, CFI, TLI, RMSEA with its interval."""
    data = engine.data
    n, n_groups, p, df = data.n, engine.n_groups, engine.p, engine.df
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
    return {
        "chisq": chisq, "df": df, "p_value": pvalue,
        "baseline_chisq": base, "baseline_df": base_df, "baseline_p_value": base_p,
        "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_ci_low": low,
        "rmsea_ci_high": high, "rmsea_p_value": pclose,
    }


def _loglik_srmr(engine: _Engine, x: np.ndarray) -> tuple[float, float, float]:
    """Log-likelihood of the model and of the saturated model, and Bentler's SRMR."""
    data = engine.data
    n, p = data.n, engine.p
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
    return loglik, unrestricted, srmr
