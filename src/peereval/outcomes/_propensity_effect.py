"""The treatment effect after matching or weighting.

Weighted least squares of the outcome on group (and, optionally, covariates and their
interactions with group, averaged by g-computation) with cluster-robust or HC standard
errors, as MatchIt's vignette "Estimating Effects After Matching" and Hernán & Robins
(2020, ch. 12) do it. Shared by :class:`~peereval.outcomes.MatchResult` and
:class:`~peereval.outcomes.WeightResult`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from peereval._format import fmt, fmt_ci, fmt_p
from peereval._options import deprecated_alias
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.outcomes._design import check_rank, covariate_design
from peereval.outcomes._groups import (
    binary_values,
    check_level,
)

__all__ = ["PropensityEffect"]

Robust = Literal["HC0", "HC1", "HC2", "HC3"]


# ------------------------------------------------------------------ effects


def _sandwich(x: np.ndarray, y: np.ndarray, w: np.ndarray, kind: str,
              cluster: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares and a robust covariance of the coefficients.

    ``kind`` is ``"cluster"`` (CR1: sandwich::vcovCL's default for lm, scaled by
    G/(G - 1) and (n - 1)/(n - k)) or an HC type (sandwich::vcovHC).
    """
    sw = np.sqrt(w)
    xs = x * sw[:, None]
    ys = y * sw
    xtx_inv = np.linalg.pinv(xs.T @ xs)
    beta = xtx_inv @ (xs.T @ ys)
    resid = y - x @ beta
    n, k = x.shape
    if kind == "cluster":
        scores = x * (w * resid)[:, None]
        codes, uniques = pd.factorize(cluster)
        g = len(uniques)
        sums = np.zeros((g, k))
        np.add.at(sums, codes, scores)
        meat = sums.T @ sums * (g / (g - 1)) * ((n - 1) / (n - k))
    else:
        es = resid * sw
        h = np.einsum("ij,jk,ik->i", xs, xtx_inv, xs)
        if kind == "HC0":
            omega = es**2
        elif kind == "HC1":
            omega = es**2 * n / (n - k)
        elif kind == "HC2":
            omega = es**2 / (1 - h)
        else:
            omega = es**2 / (1 - h) ** 2
        meat = (xs * omega[:, None]).T @ xs
    return beta, xtx_inv @ meat @ xtx_inv


@dataclass(frozen=True, repr=False)
class PropensityEffect(Result):
    r"""The treatment effect estimated after matching or weighting.

    The estimate is the weighted difference in outcome means (``adjust`` empty) or,
    with covariates, the g-computation contrast from the weighted regression
    :math:`y = \beta_0 + \tau T + \gamma'x + \delta'(T x)`: the average over the target
    units of :math:`\hat y(T{=}1) - \hat y(T{=}0)`, i.e.
    :math:`\hat\tau + \hat\delta'\bar x_{target}`. Binary outcomes give a risk
    difference.

    Attributes
    ----------
    outcome, estimand, method
        Outcome column; ``"ATT"``, ``"ATC"`` or ``"ATE"``; ``"matching"`` or
        ``"weighting"``.
    estimate, se, ci_low, ci_high, ci_level
        Effect, robust standard error and interval :math:`\hat\tau \pm t_{n-k} SE`
        (t with the residual df, as ``lmtest::coefci``) and its confidence level.
    statistic, df, p_value
        t statistic, residual df, two-sided p-value.
    n, n_treated, n_control, n_clusters
        Rows in the regression (units with positive weight), per group; clusters (matched
        sets) when the SE is cluster-robust.
    variance
        How the SE was computed.
    adjusted_for
        Covariates in the outcome model.
    dropped, n_dropped
        Rows of the matched or weighted sample left out for a missing outcome or
        adjustment covariate: the count per reason, and in all.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import propensity_match
    >>> records = peereval.load_sample().records.data
    >>> m = propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
    ...                      replace=True, caliper=None)
    >>> effect = m.effect("gpa_year1")
    >>> effect.estimand, effect.method, round(effect.estimate, 3)
    ('ATT', 'matching', 0.158)
    """

    outcome: str
    estimand: str
    method: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    ci_level: float
    statistic: float
    df: int
    p_value: float
    n: int
    n_treated: int
    n_control: int
    n_clusters: int | None
    variance: str
    adjusted_for: tuple[str, ...] = ()
    dropped: dict[str, int] = field(default_factory=dict)
    title: str = "Treatment effect after propensity score adjustment"

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")

    @property
    def n_dropped(self) -> int:
        """Rows of the matched or weighted sample left out of the outcome model."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "outcome": self.outcome, "estimand": self.estimand, "estimate": self.estimate,
            "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "ci_level": self.ci_level, "statistic": self.statistic, "df": self.df,
            "p_value": self.p_value, "n": self.n,
            "n_treated": self.n_treated, "n_control": self.n_control,
            "variance": self.variance}])

    def apa(self) -> str:
        return (f"{self.estimand} = {fmt(self.estimate)}, "
                f"{fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)}, "
                f"t({self.df}) = {fmt(self.statistic)}, {fmt_p(self.p_value)}")

    def methods(self) -> str:
        """How the effect was estimated, as a methods sentence.

        Built from the estimate's own settings: the estimand, the sample (matched or
        weighted), the covariates of the outcome model, the standard error and the
        confidence level.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import propensity_weight
        >>> records = peereval.load_sample().records.data
        >>> weighted = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"])
        >>> effect = weighted.effect("gpa_year1", hc="HC3", confidence=0.9)
        >>> print(effect.methods())  # doctest: +NORMALIZE_WHITESPACE
        The ATE on gpa_year1 was estimated by least squares of the outcome on group
        with the inverse probability weights; standard errors: HC3 robust (weights
        treated as known); a 90% confidence interval from the t distribution with the
        residual df.
        """
        sample = ("in the matched sample, with the matching weights"
                  if self.method == "matching" else "with the inverse probability weights")
        text = (f"The {self.estimand} on {self.outcome} was estimated by least squares of "
                f"the outcome on group {sample}")
        if self.adjusted_for:
            text += (", adjusted for " + ", ".join(self.adjusted_for) + " (with their "
                     "interactions with group, averaged by g-computation)")
        text += (f"; standard errors: {self.variance}; a {self.ci_level:.0%} confidence "
                 "interval from the t distribution with the residual df")
        if self.dropped:
            text += "; " + "; ".join(f"{count} rows left out for {reason}"
                                     for reason, count in self.dropped.items())
        return text + "."


def _outcome_values(work: pd.DataFrame, outcome: str) -> np.ndarray:
    if outcome not in work.columns:
        raise PeerevalError(f"no outcome column '{outcome}'", column=outcome,
                            hint="columns available: " + ", ".join(map(str, work.columns[:40])))
    series = work[outcome]
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    if converted.notna().sum() == series.notna().sum():
        return converted.to_numpy(dtype=float)
    values, _ = binary_values(series, outcome)
    return values


def _estimate_effect(*, work: pd.DataFrame, t: np.ndarray, weights: np.ndarray,
                     target: np.ndarray, outcome: str, adjust: tuple[str, ...],
                     kind: str, cluster: np.ndarray | None, confidence: float,
                     estimand: str, method: str, variance: str) -> PropensityEffect:
    check_level(confidence, "confidence")
    y_all = _outcome_values(work, outcome)
    use = weights > 0
    dropped: dict[str, int] = {}
    missing = np.isnan(y_all) & use
    if missing.any():
        dropped[f"missing '{outcome}'"] = int(missing.sum())
        use &= ~missing
    if adjust:
        extra = [c for c in adjust if c not in work.columns]
        if extra:
            raise PeerevalError(f"no covariate column(s) {extra} to adjust for",
                                column=extra[0])
        miss_x = work[list(adjust)].isna().any(axis=1).to_numpy() & use
        if miss_x.any():
            dropped["missing adjustment covariate"] = int(miss_x.sum())
            use &= ~miss_x
    if t[use].sum() < 1 or (~t[use]).sum() < 1:
        raise PeerevalError(f"no outcome values left in one group for '{outcome}'",
                            column=outcome)
    y = y_all[use]
    w = weights[use]
    tt = t[use].astype(float)
    cols = [np.ones(len(y)), tt]
    names = ["(Intercept)", "treat"]
    gradient = [0.0, 1.0]
    if adjust:
        model = covariate_design(work.loc[use], adjust).matrix()
        xm = model.matrix[:, 1:]
        tw = target[use] * w
        keep = [j for j in range(xm.shape[1]) if np.ptp(xm[:, j]) > 0]
        for j in keep:
            cols.append(xm[:, j])
            names.append(model.names[j + 1])
            gradient.append(0.0)
        for j in keep:
            cols.append(tt * xm[:, j])
            names.append("treat:" + model.names[j + 1])
            gradient.append(float((xm[:, j] * tw).sum() / tw.sum()))
    x = np.column_stack(cols)
    check_rank(x, names, "the outcome model")
    n, k = x.shape
    if n - k < 1:
        raise PeerevalError(f"too few units ({n}) for an outcome model with {k} terms")
    beta, vcov = _sandwich(x, y, w, kind, None if cluster is None else cluster[use])
    g = np.asarray(gradient)
    estimate = float(g @ beta)
    se = float(math.sqrt(max(g @ vcov @ g, 0.0)))
    df = n - k
    tcrit = float(stats.t.ppf(0.5 + confidence / 2, df))
    statistic = estimate / se if se > 0 else float("nan")
    p = float(2 * stats.t.sf(abs(statistic), df)) if se > 0 else float("nan")
    n_clusters = None if cluster is None else int(pd.Series(cluster[use]).nunique())
    return PropensityEffect(
        outcome=outcome, estimand=estimand, method=method, estimate=estimate, se=se,
        ci_low=estimate - tcrit * se, ci_high=estimate + tcrit * se, ci_level=confidence,
        statistic=statistic, df=df, p_value=p, n=n, n_treated=int(tt.sum()),
        n_control=int(n - tt.sum()), n_clusters=n_clusters, variance=variance,
        adjusted_for=adjust, dropped=dropped)
