r"""Self-selection handled by propensity scores: matching, weighting, balance, E-values.

Students choose whether to join a mentoring programme, and the stronger ones join more
often, so a raw comparison of mentored and non-mentored students credits the
programme with a head start. The propensity score :math:`e(x) = P(T = 1 \mid X = x)`
(Rosenbaum & Rubin 1983) summarises the measured covariates in one number; units with
the same score have, on average, the same covariate distribution in both groups.

* :func:`propensity_match`: greedy nearest-neighbour matching on the (logit)
  propensity score, as MatchIt's ``method = "nearest"`` does it (Ho, Imai, King &
  Stuart 2007, 2011), 1:k, with or without replacement, caliper, discarding, four
  matching orders; then balance, overlap and the matched effect.
* :func:`propensity_weight`: inverse probability of treatment weights (ATE or ATT),
  stabilised, optionally truncated; effective sample sizes, balance, weighted effect.
* :func:`balance`: standardised mean differences, variance ratios and eCDF statistics
  before and after matching or weighting, computed as MatchIt's ``summary()`` and
  cobalt do.
* :func:`e_value`: how strong an unmeasured confounder would have to be to explain an
  effect away (VanderWeele & Ding 2017).

Only measured covariates are balanced: none of this removes confounding by something
not in the data (motivation, say), which is why the E-value is here.

References
----------
Austin PC (2011). An introduction to propensity score methods for reducing the effects
of confounding in observational studies. *Multivariate Behav Res* 46:399-424.
Austin PC (2011). Optimal caliper widths for propensity-score matching when estimating
differences in means and differences in proportions in observational studies.
*Pharm Stat* 10:150-161.
Ho DE, Imai K, King G, Stuart EA (2007). Matching as nonparametric preprocessing for
reducing model dependence in parametric causal inference. *Polit Anal* 15:199-236.
Ho DE, Imai K, King G, Stuart EA (2011). MatchIt: nonparametric preprocessing for
parametric causal inference. *J Stat Softw* 42(8).
Hernán MA, Robins JM (2020). *Causal Inference: What If*. Chapman & Hall/CRC, ch. 12.
Rosenbaum PR, Rubin DB (1983). The central role of the propensity score in
observational studies for causal effects. *Biometrika* 70:41-55.
VanderWeele TJ, Ding P (2017). Sensitivity analysis in observational research:
introducing the E-value. *Ann Intern Med* 167:268-274.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from peereval._format import fmt, fmt_ci, fmt_p
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes._groups import (
    as_names,
    binary_values,
    check_level,
    frame_of,
    numeric_values,
    two_groups,
)

__all__ = [
    "BalanceTable",
    "EValue",
    "MatchResult",
    "Overlap",
    "PropensityEffect",
    "PropensityModel",
    "WeightResult",
    "balance",
    "e_value",
    "propensity_match",
    "propensity_weight",
]

Estimand = Literal["ATT", "ATC", "ATE"]
Distance = Literal["logit", "ps"]
Order = Literal["largest", "smallest", "random", "data"]
Discard = Literal["none", "both", "treated", "control"]
Robust = Literal["HC0", "HC1", "HC2", "HC3"]

#: |SMD| at or above this is a red flag after matching or weighting (Austin 2011; the
#: 0.1 rule of REFERENCES.md §3.4).
SMD_THRESHOLD = 0.1
#: A categorical covariate with more levels than this is almost certainly an identifier.
MAX_LEVELS = 50
#: Fitted propensity scores this close to 0 or 1 signal (quasi-)separation.
SEPARATION_EPS = 1e-8
#: Share of a group outside the common-support range that is a red flag.
OUTSIDE_SUPPORT_FLAG = 0.10
#: Share of the focal group left unmatched that is a red flag.
UNMATCHED_FLAG = 0.10
#: Effective sample size below this share of a group's size is a red flag for weights.
ESS_FLAG = 0.30
_SQRT_EPS = math.sqrt(np.finfo(float).eps)


# ------------------------------------------------------------------ small checks


def _choice(value: Any, allowed: Sequence[str], name: str) -> str:
    if not isinstance(value, str) or value.lower() not in [a.lower() for a in allowed]:
        raise PeerevalError(f"{name} must be one of {', '.join(map(repr, allowed))}, "
                            f"not {value!r}")
    return next(a for a in allowed if a.lower() == value.lower())


# ------------------------------------------------------------------ covariates


@dataclass(frozen=True)
class _Design:
    """Covariates as numbers: a model matrix (reference-coded) and a balance matrix.

    ``model`` has an intercept and drops each categorical covariate's first level (as
    R's treatment contrasts do); ``balance`` keeps every level as its own 0/1 column (as
    MatchIt's summary does), so each level's balance is visible.
    """

    model: np.ndarray
    model_names: tuple[str, ...]
    balance: np.ndarray
    balance_names: tuple[str, ...]
    binary: np.ndarray
    source: tuple[str, ...]  # covariate each balance column comes from


def _level_name(column: str, level: Any) -> str:
    return f"{column}[{level}]"


def _categorical_levels(series: pd.Series, column: str) -> list[Any] | None:
    """The levels of a categorical column, or None when the column is numeric."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return None
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or \
            pd.api.types.is_timedelta64_dtype(series.dtype):
        raise PeerevalError(f"covariate '{column}' holds dates or times, not numbers or "
                            "categories", column=column,
                            hint="convert it first (e.g. to age in years or a cohort label)")
    values = series.dropna()
    uniques = pd.unique(values)
    converted = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
    if converted.notna().all():
        return None  # numbers stored as text
    if converted.notna().any():
        text = uniques[converted.isna().to_numpy()]
        first = values.index[values.isin(text)][0]
        raise PeerevalError(
            f"covariate '{column}' mixes numbers and text", column=column,
            value=values[first],
            hint=f"first text value at row {first!r}; clean the column, or make every "
            "value a category label")
    return sorted(uniques, key=str)


def _design(frame: pd.DataFrame, covariates: Sequence[str]) -> _Design:
    n = len(frame)
    model_cols: list[np.ndarray] = [np.ones(n)]
    model_names: list[str] = ["(Intercept)"]
    bal_cols: list[np.ndarray] = []
    bal_names: list[str] = []
    source: list[str] = []
    for column in covariates:
        series = frame[column]
        levels = _categorical_levels(series, column)
        if levels is None:
            if pd.api.types.is_bool_dtype(series.dtype):
                x = series.to_numpy(dtype=float)
            else:
                x = numeric_values(series, column)
            if not np.isfinite(x).all():
                raise PeerevalError(f"covariate '{column}' holds an infinite value",
                                    column=column, hint="replace it or drop the row")
            if n and np.all(x == x[0]):
                raise PeerevalError(
                    f"covariate '{column}' has a single value ({x[0]:g}) in the rows "
                    "analysed, so it carries no information", column=column,
                    hint="leave it out of the covariates")
            model_cols.append(x)
            model_names.append(column)
            bal_cols.append(x)
            bal_names.append(column)
            source.append(column)
            continue
        if len(levels) > MAX_LEVELS:
            raise PeerevalError(
                f"covariate '{column}' has {len(levels)} different text values; a "
                "categorical covariate needs few categories", column=column,
                hint="is it an identifier or free text? Leave it out, or recode it")
        if len(levels) < 2:
            raise PeerevalError(
                f"covariate '{column}' has a single category ({levels[0]!r}) in the rows "
                "analysed, so it carries no information", column=column,
                hint="leave it out of the covariates")
        values = series.to_numpy(dtype=object)
        for j, level in enumerate(levels):
            dummy = (values == level).astype(float)
            if j > 0:
                model_cols.append(dummy)
                model_names.append(_level_name(column, level))
            bal_cols.append(dummy)
            bal_names.append(_level_name(column, level))
            source.append(column)
    model = np.column_stack(model_cols)
    bal = np.column_stack(bal_cols) if bal_cols else np.empty((n, 0))
    binary = np.array([bool(np.all((c == 0) | (c == 1))) for c in bal_cols], dtype=bool)
    return _Design(model, tuple(model_names), bal, tuple(bal_names), binary, tuple(source))


def _check_rank(x: np.ndarray, names: Sequence[str], what: str) -> None:
    from scipy.linalg import qr

    _, r, piv = qr(x, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    tol = diag.max() * max(x.shape) * np.finfo(float).eps if diag.size else 0.0
    rank = int((diag > tol).sum())
    if rank < x.shape[1]:
        aliased = [names[i] for i in sorted(piv[rank:])]
        raise PeerevalError(
            f"the {what} cannot be estimated: {', '.join(map(repr, aliased))} "
            "is a linear combination of the other terms (collinear covariates)",
            hint="leave out one of the covariates that measure the same thing")


# ------------------------------------------------------------------ propensity model


@dataclass(frozen=True, repr=False)
class PropensityModel(Result):
    """The propensity score model: logistic regression of group on the covariates.

    Attributes
    ----------
    coefficients
        One row per term: ``term``, ``estimate`` (log odds), ``se``, ``z``, ``p``
        (model-based standard errors). Empty when the scores were supplied.
    scores
        Propensity scores :math:`\\hat e(x) = 1 / (1 + e^{-x'\\hat\\beta})`, one per
        analysed row (index as in the data).
    linear
        The linear predictor :math:`x'\\hat\\beta`, the logit of the score.
    n, n_treated, n_control
        Rows used.
    converged, iterations, deviance, aic
        IRLS convergence and fit (NaN when the scores were supplied).
    supplied
        True when the user gave the scores (``scores=``) and no model was fitted.
    messages
        Separation and convergence diagnostics raised while fitting.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import propensity_weight
    >>> records = peereval.load_sample().records.data
    >>> model = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"]).propensity
    >>> model.n, model.converged
    (300, True)
    >>> model.coefficients[["term", "estimate"]].round(2)
              term  estimate
    0  (Intercept)     -3.96
    1    gpa_entry      1.88
    2       sex[M]      0.04
    3          age     -0.08
    """

    coefficients: pd.DataFrame
    scores: pd.Series
    linear: pd.Series
    n: int
    n_treated: int
    n_control: int
    converged: bool
    iterations: int
    deviance: float
    aic: float
    supplied: bool
    messages: tuple[str, ...] = ()
    title: str = "Propensity score model (logistic regression)"

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def apa(self) -> str:
        if self.supplied:
            return f"Propensity scores supplied by the user (n = {self.n})."
        return (f"Logistic regression of group on {len(self.coefficients) - 1} terms, "
                f"n = {self.n} ({self.n_treated} treated, {self.n_control} comparison), "
                f"deviance = {fmt(self.deviance)}, AIC = {fmt(self.aic)}.")


def _fit_propensity(design: _Design, treated: np.ndarray, index: pd.Index) -> PropensityModel:
    """Logistic regression by IRLS (statsmodels GLM, binomial family, logit link)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    x, names = design.model, design.model_names
    _check_rank(x, names, "propensity score model")
    y = treated.astype(float)
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.GLM(y, x, family=sm.families.Binomial()).fit(maxiter=100, tol=1e-10)
        except Exception as exc:  # statsmodels < 0.14 raised on perfect separation
            raise _separation_error(design, treated) from exc
    separated = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    converged = bool(getattr(fit, "converged", True)) and not any(
        issubclass(w.category, ConvergenceWarning) for w in caught)
    beta = np.asarray(fit.params, dtype=float)
    linear = x @ beta
    if linear[treated].min() > linear[~treated].max() or \
            linear[treated].max() < linear[~treated].min():
        raise _separation_error(design, treated)
    ps = 1.0 / (1.0 + np.exp(-linear))
    extreme = int(((ps < SEPARATION_EPS) | (ps > 1 - SEPARATION_EPS)).sum())
    if separated or extreme:
        culprits = _one_group_levels(design, treated)
        text = ("quasi-complete separation in the propensity model: "
                + (f"{extreme} unit(s) have a fitted score of 0 or 1 (numerically)" if extreme
                   else "some coefficients are not identified"))
        if culprits:
            text += "; categories found in one group only: " + ", ".join(culprits)
        messages.append(text)
        warnings.warn(text + ". Such units have no comparable counterpart; consider "
                      "dropping or merging those categories.", PeerevalWarning, stacklevel=3)
    if not converged:
        text = "the propensity model did not converge in 100 IRLS iterations"
        messages.append(text)
        warnings.warn(text, PeerevalWarning, stacklevel=3)
    with np.errstate(all="ignore"):
        se = np.asarray(fit.bse, dtype=float)
        z = beta / se
    coefficients = pd.DataFrame({"term": list(names), "estimate": beta, "se": se, "z": z,
                                 "p": 2 * stats.norm.sf(np.abs(z))})
    n_t = int(treated.sum())
    return PropensityModel(
        coefficients=coefficients, scores=pd.Series(ps, index=index, name="ps"),
        linear=pd.Series(linear, index=index, name="logit_ps"), n=len(y), n_treated=n_t,
        n_control=len(y) - n_t, converged=converged, iterations=int(getattr(fit, "nit", 0)),
        deviance=float(fit.deviance), aic=float(fit.aic), supplied=False,
        messages=tuple(messages))


def _one_group_levels(design: _Design, treated: np.ndarray) -> list[str]:
    out = []
    for j, name in enumerate(design.balance_names):
        if design.source[j] != name and design.binary[j]:
            col = design.balance[:, j]
            if col[treated].sum() == 0 or col[~treated].sum() == 0:
                out.append(name)
    return out


def _separation_error(design: _Design, treated: np.ndarray) -> PeerevalError:
    culprits = _one_group_levels(design, treated)
    detail = f" (categories found in one group only: {', '.join(culprits)})" if culprits else ""
    return PeerevalError(
        "the covariates separate the groups perfectly: every treated unit has a higher "
        "(or lower) propensity than every comparison unit, so there is no overlap and no "
        "comparison can be made" + detail,
        hint="check that no covariate is a consequence of the group (e.g. sessions "
        "attended), and drop or merge categories found in one group only")


def _supplied_scores(scores: Any, frame: pd.DataFrame, kept: pd.Index, treated: np.ndarray
                     ) -> PropensityModel:
    if isinstance(scores, str):
        values = numeric_values(frame.loc[kept, scores], scores)
    else:
        series = scores if isinstance(scores, pd.Series) else pd.Series(
            np.asarray(scores, dtype=float), index=frame.index)
        if len(series) != len(frame) or not series.index.equals(frame.index):
            raise PeerevalError("scores must have one value per row of the data "
                                f"({len(frame)}), aligned with its index",
                                hint="pass the name of a column holding the scores")
        values = series.loc[kept].to_numpy(dtype=float)
    if np.isnan(values).any() or (values <= 0).any() or (values >= 1).any():
        bad = values[np.isnan(values) | (values <= 0) | (values >= 1)][0]
        raise PeerevalError("propensity scores must lie strictly between 0 and 1",
                            value=float(bad), hint="scores of exactly 0 or 1 mean no "
                            "overlap; check how they were computed")
    linear = np.log(values / (1 - values))
    n_t = int(treated.sum())
    return PropensityModel(
        coefficients=pd.DataFrame(columns=["term", "estimate", "se", "z", "p"]),
        scores=pd.Series(values, index=kept, name="ps"),
        linear=pd.Series(linear, index=kept, name="logit_ps"), n=len(values),
        n_treated=n_t, n_control=len(values) - n_t, converged=True, iterations=0,
        deviance=float("nan"), aic=float("nan"), supplied=True)


# ------------------------------------------------------------------ overlap


@dataclass(frozen=True, repr=False)
class Overlap(Result):
    """Overlap of the propensity score distributions (common support).

    Attributes
    ----------
    summary
        Per group: n, minimum, 5th, 25th, 50th, 75th, 95th percentile and maximum of
        the propensity score.
    support_low, support_high
        The common-support range: from the larger of the two minima to the smaller of
        the two maxima.
    n_outside_treated, n_outside_control
        Units whose score lies outside that range.
    treated_label, control_label
        The group labels.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import propensity_match
    >>> records = peereval.load_sample().records.data
    >>> m = propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
    ...                      replace=True, caliper=None)
    >>> print(m.overlap.apa())  # doctest: +NORMALIZE_WHITESPACE
    Common support: propensity scores 0.222 to 0.842; outside it 8 of 163 treated and
    8 of 137 comparison units.
    """

    summary: pd.DataFrame
    support_low: float
    support_high: float
    n_outside_treated: int
    n_outside_control: int
    n_treated: int
    n_control: int
    treated_label: Any
    control_label: Any
    title: str = "Overlap of propensity scores"

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    @property
    def share_outside(self) -> float:
        """Share of all units outside the common-support range."""
        return (self.n_outside_treated + self.n_outside_control) / (self.n_treated
                                                                    + self.n_control)

    def apa(self) -> str:
        return (f"Common support: propensity scores {fmt(self.support_low, 3)} to "
                f"{fmt(self.support_high, 3)}; outside it {self.n_outside_treated} of "
                f"{self.n_treated} treated and {self.n_outside_control} of {self.n_control} "
                "comparison units.")


def _overlap(ps: np.ndarray, treated: np.ndarray, labels: tuple[Any, Any], estimand: str
             ) -> Overlap:
    """Overlap diagnostics; warns when units the estimand needs lie outside the support.

    For the ATT only treated units outside the comparison group's range matter (they
    have no counterpart); comparison units with scores below every treated unit are
    simply not used. For the ATC the reverse; for the ATE both.
    """
    rows = []
    for flag, label in ((True, labels[0]), (False, labels[1])):
        x = ps[treated == flag]
        q = np.quantile(x, [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1])
        rows.append({"group": label, "n": len(x), "min": q[0], "p05": q[1], "q25": q[2],
                     "median": q[3], "q75": q[4], "p95": q[5], "max": q[6]})
    low = max(ps[treated].min(), ps[~treated].min())
    high = min(ps[treated].max(), ps[~treated].max())
    if low > high:
        raise PeerevalError(
            "the propensity scores of the two groups do not overlap at all "
            f"(treated {ps[treated].min():.3g}-{ps[treated].max():.3g}, comparison "
            f"{ps[~treated].min():.3g}-{ps[~treated].max():.3g})",
            hint="the groups are not comparable on these covariates")
    outside = (ps < low) | (ps > high)
    result = Overlap(pd.DataFrame(rows), float(low), float(high),
                     int(outside[treated].sum()), int(outside[~treated].sum()),
                     int(treated.sum()), int((~treated).sum()), labels[0], labels[1])
    for flag, count, n, name in ((True, result.n_outside_treated, result.n_treated,
                                  "treated"),
                                 (False, result.n_outside_control, result.n_control,
                                  "comparison")):
        needed = estimand == "ATE" or (estimand == "ATT") == flag
        if needed and n and count / n > OUTSIDE_SUPPORT_FLAG:
            warnings.warn(
                f"poor overlap: {count} of {n} {name} units ({count / n:.0%}) have "
                f"propensity scores outside the common support [{low:.3f}, {high:.3f}]",
                PeerevalWarning, stacklevel=3)
    return result


# ------------------------------------------------------------------ balance


def _wvar(x: np.ndarray, w: np.ndarray | None, binary: bool) -> float:
    """Weighted variance as MatchIt/cobalt: reliability weights; p(1 - p) for 0/1."""
    if w is None:
        w = np.ones_like(x)
    total = w.sum()
    if total <= 0:
        return float("nan")
    w = w / total
    m = float((w * x).sum())
    if binary:
        return m * (1 - m)
    denom = 1 - float((w * w).sum())
    return float((w * (x - m) ** 2).sum()) / denom if denom > 0 else float("nan")


def _pooled_sd_proportional(x: np.ndarray, t: np.ndarray, binary: bool) -> float:
    n = len(x)
    if binary:
        v = 0.0
        for g in (t, ~t):
            s = x[g].sum()
            v += s * (1 - s / g.sum()) / n
        return math.sqrt(v)
    centred = x.copy()
    for g in (t, ~t):
        centred[g] -= x[g].mean()
    return math.sqrt((centred**2).sum() / (n - 2))


def _sd_denominator(x: np.ndarray, t: np.ndarray, binary: bool, denom: str) -> float:
    """The SD that standardises mean differences, from the unweighted sample."""
    if denom == "treated":
        v = _wvar(x[t], None, binary)
    elif denom == "control":
        v = _wvar(x[~t], None, binary)
    else:  # pooled, each group contributing equally (cobalt's default for the ATE)
        v = (_wvar(x[t], None, binary) + _wvar(x[~t], None, binary)) / 2
    sd = math.sqrt(v) if v >= 0 else float("nan")
    if not math.isfinite(sd) or sd < _SQRT_EPS:
        sd = _pooled_sd_proportional(x, t, binary)
    return sd


def _ecdf_stats(xs: np.ndarray, last: np.ndarray, t: np.ndarray, w: np.ndarray
                ) -> tuple[float, float]:
    """Mean and maximum distance between the two (weighted) eCDFs over the values of x.

    ``xs`` is x sorted (stably), ``last`` marks the last of each run of equal values,
    ``t`` and ``w`` are in the same order. Every distinct value counts once, whether or
    not its units carry weight (as MatchIt's qqsum).
    """
    wt = np.where(t, w / w[t].sum(), -w / w[~t].sum())
    diffs = np.abs(np.cumsum(wt))[last]
    return float(diffs.mean()), float(diffs.max())


def _balance_columns(x: np.ndarray, binary: np.ndarray, t: np.ndarray,
                     weight_sets: Sequence[np.ndarray | None], sds: np.ndarray
                     ) -> list[pd.DataFrame]:
    """Balance statistics of each column, as MatchIt's bal1var (standardize = TRUE),
    once per set of weights (None: unweighted)."""
    sets = [np.ones(len(t)) if w is None else w for w in weight_sets]
    too_small = [(w[t] != 0).sum() < 2 and (w[~t] != 0).sum() < 2 for w in sets]
    rows: list[list[tuple[float, ...]]] = [[] for _ in sets]
    for j in range(x.shape[1]):
        col = x[:, j]
        order = None
        for s_i, ww in enumerate(sets):
            mt = float((col[t] * ww[t]).sum() / ww[t].sum())
            mc = float((col[~t] * ww[~t]).sum() / ww[~t].sum())
            diff = mt - mc
            if abs(diff) > _SQRT_EPS:
                smd = float("nan") if too_small[s_i] else diff / sds[j]
            else:
                smd = diff
            if binary[j]:
                vr = float("nan")
                e_mean = e_max = abs(diff)
            elif too_small[s_i]:
                vr = e_mean = e_max = float("nan")
            else:
                vr = _wvar(col[t], ww[t], False) / _wvar(col[~t], ww[~t], False)
                if order is None:
                    order = np.argsort(col, kind="stable")
                    xs = col[order]
                    last = np.append(xs[1:] != xs[:-1], True)
                    ts = t[order]
                e_mean, e_max = _ecdf_stats(xs, last, ts, ww[order])
            rows[s_i].append((mt, mc, smd, vr, e_mean, e_max))
    names = ["mean_treated", "mean_control", "smd", "var_ratio", "ecdf_mean", "ecdf_max"]
    return [pd.DataFrame(r, columns=names) for r in rows]


@dataclass(frozen=True, repr=False)
class BalanceTable(Result):
    r"""Covariate balance before and after matching or weighting.

    For each covariate (each level of a categorical covariate is its own 0/1 row) and
    the distance measure:

    * ``smd``: standardised mean difference
      :math:`(\bar x_T - \bar x_C) / s`, the means weighted after adjustment, and
      :math:`s` fixed before adjustment: the SD of the **treated** group for the ATT,
      of the comparison group for the ATC, and :math:`\sqrt{(s_T^2 + s_C^2)/2}` for the
      ATE (MatchIt's ``summary()``; cobalt). Binary variables use :math:`p(1-p)` as
      the variance. Keeping :math:`s` fixed means a change in SMD is a change in the
      mean difference only (Austin 2011; Stuart 2010).
    * ``var_ratio``: weighted variance ratio treated / comparison (continuous only;
      ideal 1, worrying outside 0.5-2).
    * ``ecdf_mean``, ``ecdf_max``: mean and largest distance between the two weighted
      empirical CDFs (for a 0/1 variable both equal the difference in proportions).

    Weighted variances use reliability weights,
    :math:`\sum w_i (x_i - \bar x_w)^2 / (1 - \sum w_i^2)` with :math:`\sum w_i = 1`.

    Attributes
    ----------
    table
        The statistics, columns ``covariate``, ``kind`` and ``<statistic>_before`` /
        ``<statistic>_after``.
    estimand, sd_denominator
        Estimand and the group whose SD standardises (``"treated"``, ``"control"`` or
        ``"pooled"``).
    adjustment
        ``"matching"``, ``"weighting"`` or ``"none"``.
    threshold
        The |SMD| flagged as imbalance (0.1).

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import balance
    >>> records = peereval.load_sample().records.data
    >>> table = balance(records, "mentored", ["gpa_entry", "age"])
    >>> round(table.max_abs_smd, 2), table.imbalanced()
    (0.74, ['gpa_entry', 'age'])
    """

    table: pd.DataFrame
    estimand: str
    sd_denominator: str
    adjustment: str
    threshold: float = SMD_THRESHOLD
    title: str = "Covariate balance"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _covariate_rows(self) -> pd.DataFrame:
        return self.table[self.table["kind"] != "distance"]

    @property
    def max_abs_smd(self) -> float:
        """Largest |SMD| over the covariates after adjustment (before, when none)."""
        column = "smd_after" if "smd_after" in self.table else "smd_before"
        values = self._covariate_rows()[column].abs()
        return float(values.max()) if len(values) else float("nan")

    def imbalanced(self) -> list[str]:
        """Covariates whose |SMD| after adjustment is at least the threshold."""
        column = "smd_after" if "smd_after" in self.table else "smd_before"
        rows = self._covariate_rows()
        return rows.loc[rows[column].abs() >= self.threshold, "covariate"].tolist()

    def apa(self) -> str:
        rows = self._covariate_rows()
        if not len(rows):
            return ""
        when = "after" if "smd_after" in self.table else "before"
        worst = rows.loc[rows[f"smd_{when}"].abs().idxmax()]
        text = (f"Largest |SMD| {when} {self.adjustment if when == 'after' else 'adjustment'}"
                f" = {fmt(abs(worst[f'smd_{when}']), 2, leading_zero=False)} "
                f"({worst['covariate']})")
        if when == "after":
            before = rows["smd_before"].abs().max()
            text = (f"Largest |SMD| before = {fmt(before, 2, leading_zero=False)}; " + text[0]
                    .lower() + text[1:])
        bad = self.imbalanced()
        limit = fmt(self.threshold, 2, leading_zero=False)
        text += (f"; {len(bad)} of {len(rows)} at or above {limit}" if bad
                 else f"; all below {limit}")
        return text + "."


def _balance_table(design: _Design, t: np.ndarray, w: np.ndarray | None, estimand: str,
                   adjustment: str, distance: tuple[str, np.ndarray] | None = None
                   ) -> BalanceTable:
    x, names, binary = design.balance, list(design.balance_names), design.binary
    kinds = ["binary" if b else "continuous" for b in binary]
    if distance is not None:
        x = np.column_stack([distance[1], x])
        names = [distance[0], *names]
        binary = np.concatenate([[False], binary])
        kinds = ["distance", *kinds]
    denom = {"ATT": "treated", "ATC": "control", "ATE": "pooled"}[estimand]
    sds = np.array([_sd_denominator(x[:, j], t, bool(binary[j]), denom)
                    for j in range(x.shape[1])])
    stats_sets = _balance_columns(x, binary, t, [None] if w is None else [None, w], sds)
    table = pd.DataFrame({"covariate": names, "kind": kinds})
    for when, frame in zip(("before", "after"), stats_sets, strict=False):
        for column in frame.columns:
            table[f"{column}_{when}"] = frame[column].to_numpy()
    return BalanceTable(table, estimand, denom, adjustment)


def _dropped_note(dropped: dict[str, int]) -> str:
    if not dropped:
        return ""
    parts = ", ".join(f"{n} for {reason}" for reason, n in dropped.items())
    return f" Rows left out: {parts}."


def _warn_imbalance(table: BalanceTable, what: str) -> None:
    bad = table.imbalanced()
    if bad:
        warnings.warn(
            f"{len(bad)} covariate(s) still differ by |SMD| >= {table.threshold} after "
            f"{what}: {', '.join(bad[:8])}{' ...' if len(bad) > 8 else ''}",
            PeerevalWarning, stacklevel=3)


def balance(data: Any, group: str, covariates: str | Sequence[str], *,
            weights: str | Sequence[float] | np.ndarray | pd.Series | None = None,
            estimand: Estimand = "ATT", treated: Any = None,
            threshold: float = SMD_THRESHOLD) -> BalanceTable:
    r"""Covariate balance between two groups, before and (with ``weights``) after.

    Parameters
    ----------
    data
        One row per student (a DataFrame or Records).
    group
        The two-valued group column (e.g. ``"mentored"``).
    covariates
        Columns to check; text or categorical columns give one 0/1 row per category.
    weights
        Optional column name or array of non-negative weights (matching or IPW
        weights); the "after" statistics use them.
    estimand
        ``"ATT"`` (default): SMDs standardised by the treated group's SD; ``"ATC"``: by
        the comparison group's; ``"ATE"``: by :math:`\sqrt{(s_T^2 + s_C^2)/2}`.
    treated
        Which value of ``group`` is treated (read from yes/no labels when not given).
    threshold
        |SMD| flagged as imbalance (default 0.1).

    Returns
    -------
    BalanceTable
        See :class:`BalanceTable` for the formulas; they follow MatchIt's
        ``summary.matchit`` and cobalt (Ho et al. 2011; Austin 2011).

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import balance
    >>> records = peereval.load_sample().records.data
    >>> table = balance(records, "mentored", ["gpa_entry", "sex", "age"])
    >>> table.to_frame()[["covariate", "smd_before"]].round(2)
       covariate  smd_before
    0  gpa_entry        0.74
    1     sex[F]       -0.01
    2     sex[M]        0.01
    3        age       -0.14
    """
    names = as_names(covariates, "covariates")
    if not names:
        raise PeerevalError("balance() needs at least one covariate")
    estimand = _choice(estimand, ("ATT", "ATC", "ATE"), "estimand")  # type: ignore[assignment]
    frame = frame_of(data)
    weight_values = None
    if weights is not None:
        if isinstance(weights, str):
            if weights not in frame.columns:
                raise PeerevalError(f"no weights column '{weights}'", column=weights)
            weight_series = frame[weights]
        else:
            weight_series = weights if isinstance(weights, pd.Series) else pd.Series(
                np.asarray(weights, dtype=float), index=frame.index)
            if len(weight_series) != len(frame):
                raise PeerevalError(f"weights must have one value per row ({len(frame)})")
        weight_values = weight_series
    work, groups = two_groups(frame, group, names, treated=treated)
    design = _design(work, names)
    t = groups.mask.to_numpy(dtype=bool)
    w = None
    if weight_values is not None:
        w = numeric_values(pd.Series(np.asarray(weight_values.loc[work.index]),
                                     index=work.index), "weights")
        if np.isnan(w).any() or (w < 0).any() or not np.isfinite(w).all():
            raise PeerevalError("weights must be finite and non-negative, with no missing "
                                "values")
        if w[t].sum() == 0 or w[~t].sum() == 0:
            raise PeerevalError("the weights are zero for every unit of one group")
    table = _balance_table(design, t, w, estimand,
                           "weighting" if w is not None else "none")
    if threshold != SMD_THRESHOLD:
        table = BalanceTable(table.table, table.estimand, table.sd_denominator,
                             table.adjustment, float(threshold))
    return table


# ------------------------------------------------------------------ matching core


def _nearest_neighbours(distance: np.ndarray, focal: np.ndarray, discarded: np.ndarray,
                        focal_order: np.ndarray, ratio: int, replace: bool,
                        caliper: float | None) -> np.ndarray:
    """Greedy nearest-neighbour matching on a scalar distance, MatchIt's rules.

    Returns an (n_focal, ratio) array of row positions of matched units (-1: none),
    rows in data order of the focal units.

    Algorithm. Every unit is ranked by distance (a stable sort, so equal distances
    keep data order, as R's ``sort.list``). The available non-focal units, in that
    order, form a list; each focal unit's place in it is found by bisection. Focal
    units are visited ``ratio`` times in ``focal_order`` (round r gives each its r-th
    match); each takes the nearer of the closest available unit below it and the
    closest above it, the one below when both are equally far, neither if it lies
    outside the caliper. Without replacement a used unit is removed by pointing past
    it in two "next available" arrays (union-find with path compression), so a
    search costs near-constant time and the whole match O(n log n): the sort.
    With replacement nothing is removed and each focal unit simply takes its k
    nearest distinct units, computed for all focal units at once.
    """
    n = len(distance)
    order_all = np.argsort(distance, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order_all] = np.arange(n)
    pool_mask = ~focal & ~discarded
    pool = order_all[pool_mask[order_all]]  # available units, by distance
    pool_d = distance[pool]
    m = len(pool)
    focal_rows = np.flatnonzero(focal)
    result = np.full((len(focal_rows), ratio), -1, dtype=np.int64)
    if m == 0:
        return result
    slot = np.searchsorted(rank[pool], rank[focal_rows])  # pool units ranked below
    active = ~discarded[focal_rows]
    cal = math.inf if caliper is None else float(caliper)

    if replace:
        d_f = distance[focal_rows]
        lo = slot - 1
        hi = slot.copy()
        for r in range(ratio):
            has_lo = active & (lo >= 0)
            has_hi = active & (hi < m)
            d_lo = np.where(has_lo, np.abs(d_f - pool_d[np.clip(lo, 0, m - 1)]), np.inf)
            d_hi = np.where(has_hi, np.abs(pool_d[np.clip(hi, 0, m - 1)] - d_f), np.inf)
            has_lo &= d_lo <= cal
            has_hi &= d_hi <= cal
            take_lo = has_lo & (~has_hi | (d_lo <= d_hi))
            take_hi = has_hi & ~take_lo
            result[take_lo, r] = pool[lo[take_lo]]
            result[take_hi, r] = pool[hi[take_hi]]
            lo = lo - take_lo
            hi = hi + take_hi
        return result

    # Without replacement: sequential greedy passes with "next available" pointers.
    # below[k] (k = 1..m) leads to the nearest available pool index + 1 at or below
    # k - 1 (0 = none); above[k] (k = 0..m-1) to the nearest available at or above k
    # (m = none).
    below = list(range(m + 1))
    above = list(range(m + 1))
    pd_list = pool_d.tolist()
    pool_list = pool.tolist()
    slot_list = slot.tolist()
    d_list = distance[focal_rows].tolist()
    active_list = active.tolist()
    remaining = m
    visit = [int(i) for i in focal_order if active_list[i]]
    rows = result.tolist()
    for r in range(ratio):
        for i in visit:
            s = slot_list[i]
            di = d_list[i]
            # nearest available below
            k = s
            while below[k] != k:
                k = below[k]
            j = s
            while below[j] != k:
                below[j], j = k, below[j]
            left = k - 1
            # nearest available above
            k = s
            while above[k] != k:
                k = above[k]
            j = s
            while above[j] != k:
                above[j], j = k, above[j]
            right = k if k < m else -1
            dl = abs(di - pd_list[left]) if left >= 0 else math.inf
            dr = abs(pd_list[right] - di) if right >= 0 else math.inf
            if dl > cal:
                left = -1
            if dr > cal:
                right = -1
            if left >= 0 and (right < 0 or dl <= dr):
                chosen = left
            elif right >= 0:
                chosen = right
            else:
                continue
            rows[i][r] = pool_list[chosen]
            below[chosen + 1] = chosen
            above[chosen] = chosen + 1
            remaining -= 1
            if remaining == 0:
                return np.asarray(rows, dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


def _matching_weights(matches: np.ndarray, focal_rows: np.ndarray, n: int) -> np.ndarray:
    """MatchIt's weights: 1 for matched focal units; each matched unit of the other
    group gets the sum over its focal partners of 1/(number of matches of that focal
    unit), rescaled so that these weights sum to the number of such units."""
    w = np.zeros(n)
    got = matches >= 0
    k = got.sum(axis=1)
    matched = k > 0
    w[focal_rows[matched]] = 1.0
    share = np.repeat(1.0 / np.where(matched, k, 1), matches.shape[1]).reshape(matches.shape)
    np.add.at(w, matches[got], share[got])
    other = np.zeros(n, dtype=bool)
    other[matches[got]] = True
    total = w[other].sum()
    if total > 0:
        w[other] *= other.sum() / total
    return w


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
    outcome, estimand
        Outcome column; ``"ATT"``, ``"ATC"`` or ``"ATE"``.
    estimate, se, ci_low, ci_high, level
        Effect, robust standard error and interval :math:`\hat\tau \pm t_{n-k} SE`
        (t with the residual df, as ``lmtest::coefci``).
    statistic, df, p
        t statistic, residual df, two-sided p.
    n, n_treated, n_control, n_clusters
        Rows in the regression (units with positive weight), per group; clusters (matched
        sets) when the SE is cluster-robust.
    variance
        How the SE was computed.
    adjusted_for
        Covariates in the outcome model.
    dropped
        Rows left out for a missing outcome.

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
    level: float
    statistic: float
    df: int
    p: float
    n: int
    n_treated: int
    n_control: int
    n_clusters: int | None
    variance: str
    adjusted_for: tuple[str, ...] = ()
    dropped: dict[str, int] = field(default_factory=dict)
    title: str = "Treatment effect after propensity score adjustment"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "outcome": self.outcome, "estimand": self.estimand, "estimate": self.estimate,
            "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "statistic": self.statistic, "df": self.df, "p": self.p, "n": self.n,
            "n_treated": self.n_treated, "n_control": self.n_control,
            "variance": self.variance}])

    def apa(self) -> str:
        return (f"{self.estimand} = {fmt(self.estimate)}, "
                f"{fmt_ci(self.ci_low, self.ci_high, level=self.level)}, "
                f"t({self.df}) = {fmt(self.statistic)}, {fmt_p(self.p)}")


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
                     kind: str, cluster: np.ndarray | None, level: float, estimand: str,
                     method: str, variance: str) -> PropensityEffect:
    check_level(level)
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
        design = _design(work.loc[use], adjust)
        xm = design.model[:, 1:]
        tw = target[use] * w
        keep = [j for j in range(xm.shape[1]) if np.ptp(xm[:, j]) > 0]
        for j in keep:
            cols.append(xm[:, j])
            names.append(design.model_names[j + 1])
            gradient.append(0.0)
        for j in keep:
            cols.append(tt * xm[:, j])
            names.append("treat:" + design.model_names[j + 1])
            gradient.append(float((xm[:, j] * tw).sum() / tw.sum()))
    x = np.column_stack(cols)
    _check_rank(x, names, "outcome model")
    n, k = x.shape
    if n - k < 1:
        raise PeerevalError(f"too few units ({n}) for an outcome model with {k} terms")
    beta, vcov = _sandwich(x, y, w, kind, None if cluster is None else cluster[use])
    g = np.asarray(gradient)
    estimate = float(g @ beta)
    se = float(math.sqrt(max(g @ vcov @ g, 0.0)))
    df = n - k
    tcrit = float(stats.t.ppf(0.5 + level / 2, df))
    statistic = estimate / se if se > 0 else float("nan")
    p = float(2 * stats.t.sf(abs(statistic), df)) if se > 0 else float("nan")
    n_clusters = None if cluster is None else int(pd.Series(cluster[use]).nunique())
    return PropensityEffect(
        outcome=outcome, estimand=estimand, method=method, estimate=estimate, se=se,
        ci_low=estimate - tcrit * se, ci_high=estimate + tcrit * se, level=level,
        statistic=statistic, df=df, p=p, n=n, n_treated=int(tt.sum()),
        n_control=int(n - tt.sum()), n_clusters=n_clusters, variance=variance,
        adjusted_for=adjust, dropped=dropped)


# ------------------------------------------------------------------ matching result


@dataclass(frozen=True, repr=False)
class MatchResult(Result):
    """Nearest-neighbour propensity score matching (:func:`propensity_match`).

    Attributes
    ----------
    estimand
        ``"ATT"`` (each treated unit receives matches) or ``"ATC"``.
    ratio, replace, caliper, caliper_distance, std_caliper, distance, order, discard
        The matching specification; ``caliper_distance`` is the caliper on the distance
        scale (``caliper`` x SD of the distance when ``std_caliper``).
    treated_label, control_label, group, rule
        Group labels and how the treated group was chosen.
    propensity
        The :class:`PropensityModel`.
    overlap
        The :class:`Overlap` diagnostics (before matching).
    match_matrix
        One row per focal unit (index: its row label), columns ``match_1`` ..
        ``match_k``: the row labels of its matches in the order found (None: no match),
        as MatchIt's ``match.matrix``.
    pairs
        The same in long form: ``focal``, ``match``, ``subclass`` (matched set, without
        replacement), ``distance_difference``.
    weights
        MatchIt's matching weights, one per analysed row (0 = not in the matched
        sample).
    subclass
        Matched-set number of each row (missing for unmatched rows and with
        replacement).
    counts
        MatchIt's sample-size table: rows ``all_ess``, ``all``, ``matched_ess``,
        ``matched``, ``unmatched``, ``discarded``; columns ``control``, ``treated``.
    balance
        The :class:`BalanceTable` before and after matching.
    dropped
        Rows left out before matching (missing group or covariates), with the reason.
    seed
        The seed, for ``order="random"``.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import propensity_match
    >>> records = peereval.load_sample().records.data
    >>> m = propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
    ...                      replace=True, caliper=None)
    >>> m.estimand, m.n_focal, m.n_matched_focal
    ('ATT', 163, 163)
    >>> round(m.balance.max_abs_smd, 2)
    0.09
    """

    estimand: str
    ratio: int
    replace: bool
    caliper: float | None
    caliper_distance: float | None
    std_caliper: bool
    distance: str
    order: str
    discard: str
    treated_label: Any
    control_label: Any
    group: str
    rule: str
    covariates: tuple[str, ...]
    propensity: PropensityModel
    overlap: Overlap
    match_matrix: pd.DataFrame
    pairs: pd.DataFrame
    weights: pd.Series
    subclass: pd.Series
    counts: pd.DataFrame
    balance: BalanceTable
    dropped: dict[str, int]
    seed: str
    data: pd.DataFrame = field(repr=False)
    treated_mask: np.ndarray = field(repr=False)
    title: str = "Propensity score matching"

    # ---- numbers quoted in the sentence
    @property
    def n_focal(self) -> int:
        return int(self.counts.loc["all", self._focal_column])

    @property
    def n_matched_focal(self) -> int:
        return int(self.counts.loc["matched", self._focal_column])

    @property
    def n_matched_other(self) -> int:
        other = "control" if self._focal_column == "treated" else "treated"
        return int(self.counts.loc["matched", other])

    @property
    def _focal_column(self) -> str:
        return "treated" if self.estimand == "ATT" else "control"

    def to_frame(self) -> pd.DataFrame:
        """The balance table before and after matching."""
        return self.balance.to_frame()

    def _frame_text(self) -> str:
        table = self.balance.to_frame()[["covariate", "smd_before", "smd_after",
                                         "var_ratio_before", "var_ratio_after"]]
        with pd.option_context("display.width", 120, "display.max_columns", 10):
            return (self.counts.round(2).to_string() + "\n\n"
                    + table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    def apa(self) -> str:
        focal, other = ("treated", "comparison") if self.estimand == "ATT" else (
            "comparison", "treated")
        spec = (f"nearest-neighbour matching 1:{self.ratio} on the "
                f"{'logit of the ' if self.distance == 'logit' else ''}propensity score, "
                f"{'with' if self.replace else 'without'} replacement")
        if self.caliper is not None:
            unit = " SD" if self.std_caliper else ""
            spec += f", caliper {fmt(self.caliper, 2, leading_zero=False)}{unit}"
        text = (f"Of {self.n_focal} {focal} units, {self.n_matched_focal} were matched to "
                f"{self.n_matched_other} {other} units ({spec})")
        unmatched = self.n_focal - self.n_matched_focal
        if unmatched:
            text += f"; {unmatched} had no match"
        return text + ". " + self.balance.apa() + _dropped_note(self.dropped)

    def matched_data(self) -> pd.DataFrame:
        """The matched rows with ``weights``, ``subclass`` and ``ps`` columns (as
        MatchIt's ``match.data()``)."""
        keep = self.weights.to_numpy() > 0
        out = self.data.loc[keep].copy()
        out["ps"] = self.propensity.scores.loc[keep].to_numpy()
        out["weights"] = self.weights.loc[keep].to_numpy()
        out["subclass"] = self.subclass.loc[keep].to_numpy()
        return out

    def effect(self, outcome: str, *, adjust: str | Sequence[str] | bool | None = None,
               level: float = 0.95) -> PropensityEffect:
        r"""The matched estimate of the ATT (or ATC) on ``outcome``, with a robust SE.

        Weighted least squares of the outcome on group (and, with ``adjust``,
        covariates and their interactions with group) in the matched sample, with the
        matching weights, as MatchIt's vignette "Estimating Effects After Matching"
        does. Standard errors: **cluster-robust by matched set** without replacement
        (CR1, :math:`\frac{G}{G-1}\frac{n-1}{n-k}` small-sample factor, as
        ``sandwich::vcovCL``; Abadie & Spiess 2022 show it is valid after matching
        without replacement); **HC3** with replacement (Hill & Reiter 2006), since
        controls belong to several sets. The SE treats the propensity score and the
        matches as fixed.

        Parameters
        ----------
        outcome
            Numeric (or pass/fail) outcome column.
        adjust
            Covariates for the outcome model (``True``: the matching covariates); the
            effect is then the g-computation contrast averaged over the matched focal
            units.
        level
            Confidence level.

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import propensity_match
        >>> records = peereval.load_sample().records.data
        >>> m = propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
        ...                      replace=True, caliper=None)
        >>> print(m.effect("gpa_year1").apa())
        ATT = 0.16, 95% CI [−0.03, 0.34], t(237) = 1.67, p = .096

        Adjusting for the covariates as well (g-computation in the matched sample)
        removes the residual imbalance and sharpens the estimate (the true effect in
        the sample study is +0.15):

        >>> print(m.effect("gpa_year1", adjust=True).apa())
        ATT = 0.15, 95% CI [0.05, 0.25], t(231) = 2.88, p = .004
        """
        names = self.covariates if adjust is True else as_names(adjust or None, "adjust")
        focal = self.treated_mask if self.estimand == "ATT" else ~self.treated_mask
        if self.replace:
            kind, cluster, variance = "HC3", None, "HC3 robust (matching with replacement)"
        else:
            kind = "cluster"
            cluster = self.subclass.to_numpy(dtype=float, na_value=np.nan)
            variance = "cluster-robust by matched set (CR1)"
        return _estimate_effect(
            work=self.data, t=self.treated_mask, weights=self.weights.to_numpy(),
            target=focal.astype(float), outcome=outcome, adjust=names, kind=kind,
            cluster=cluster, level=level, estimand=self.estimand, method="matching",
            variance=variance)


def _counts(t: np.ndarray, w: np.ndarray, discarded: np.ndarray) -> pd.DataFrame:
    def ess(x: np.ndarray) -> float:
        return float(x.sum() ** 2 / (x**2).sum()) if (x**2).sum() > 0 else 0.0

    rows = {}
    for g, name in ((~t, "control"), (t, "treated")):
        rows[name] = [float(g.sum()), float(g.sum()), ess(w[g]), float((g & (w > 0)).sum()),
                      float((g & (w == 0) & ~discarded).sum()), float((g & discarded).sum())]
    return pd.DataFrame(rows, index=["all_ess", "all", "matched_ess", "matched",
                                     "unmatched", "discarded"])


def _discarded(option: str, distance: np.ndarray, t: np.ndarray) -> np.ndarray:
    if option == "none":
        return np.zeros(len(t), dtype=bool)
    lo_t, hi_t = distance[t].min(), distance[t].max()
    lo_c, hi_c = distance[~t].min(), distance[~t].max()
    if option == "both":
        return (distance < max(lo_t, lo_c)) | (distance > min(hi_t, hi_c))
    if option == "control":
        return ~t & ((distance < lo_t) | (distance > hi_t))
    return t & ((distance < lo_c) | (distance > hi_c))


def _prepare(data: Any, group: str, covariates: str | Sequence[str], treated: Any,
             scores: Any) -> tuple[pd.DataFrame, Any, tuple[str, ...], _Design,
                                   PropensityModel, np.ndarray]:
    names = as_names(covariates, "covariates")
    if not names:
        raise PeerevalError("at least one covariate is needed",
                            hint="list the baseline characteristics that drive joining, "
                            "e.g. covariates=['gpa_entry', 'sex', 'age']")
    if group in names:
        raise PeerevalError(f"the group column '{group}' is also listed as a covariate",
                            column=group)
    frame = frame_of(data)
    columns = list(names)
    if isinstance(scores, str):
        columns.append(scores)
    work, groups = two_groups(frame, group, columns, treated=treated)
    t = groups.mask.to_numpy(dtype=bool)
    design = _design(work, names)
    if scores is None:
        model = _fit_propensity(design, t, work.index)
    else:
        model = _supplied_scores(scores, frame, work.index, t)
    return work, groups, names, design, model, t


def propensity_match(
    data: Any,
    group: str,
    covariates: str | Sequence[str],
    *,
    ratio: int = 1,
    caliper: float | None = 0.2,
    std_caliper: bool = True,
    replace: bool = False,
    distance: Distance = "logit",
    order: Order | None = None,
    discard: Discard = "none",
    estimand: Literal["ATT", "ATC"] = "ATT",
    scores: str | Sequence[float] | pd.Series | None = None,
    treated: Any = None,
    seed: SeedLike = None,
) -> MatchResult:
    r"""Greedy nearest-neighbour matching on the propensity score, as MatchIt does it.

    1. **Propensity score.** :math:`\hat e(x)` from a logistic regression of group on
       the covariates (statsmodels GLM, binomial, IRLS; text or categorical covariates
       dummy-coded against their first level), unless ``scores`` gives them. Complete
       separation (no overlap) is an error; fitted scores of 0 or 1 are a warning.
    2. **Distance.** ``"logit"`` (default): :math:`\log\{\hat e/(1-\hat e)\}`, the
       linear predictor, on which Austin (2011) calibrated the caliper; ``"ps"``:
       :math:`\hat e` itself (MatchIt's default, ``distance = "glm"``).
    3. **Matching.** Each focal unit (treated, for the ATT) in turn takes the nearest
       available unit of the other group on the distance; with ``ratio = k`` this is
       done in k rounds (every focal unit gets its first match before any gets a
       second). ``order`` sets the turn: ``"largest"`` distance first (default for
       the ATT, MatchIt's ``m.order``), ``"smallest"``, ``"random"`` (``seed``) or
       ``"data"``. When the closest available units below and above are equally far,
       the one below wins; among units with equal distance the sort keeps data
       order. This is
       MatchIt's ``method = "nearest"`` rule (4.5.1 and later); match sets agree with
       MatchIt 4.5.1 exactly in every specification tested (tests/reference/
       propensity.R), once its truncation of distance differences to whole numbers
       (MatchIt issue #163, which disables the caliper and the nearest choice on the
       propensity-score scale in some 4.5.x builds) is sidestepped by rescaling.
       Without replacement a used unit leaves the pool, so when the focal group
       outnumbers the other some focal units stay unmatched; with replacement each
       focal unit takes its k nearest distinct units (MatchIt 4.5.1 could repeat one
       control within a set, its issue #159; this does not).
    4. **Caliper.** A match farther than ``caliper`` SDs of the distance (SD over the
       non-discarded units, MatchIt's ``std.caliper``) is refused. **Default: 0.2 SD
       of the logit**, Austin's (2011) recommendation, which removes most bias with
       little loss of precision. ``caliper=None`` accepts any distance (MatchIt's
       default), so every focal unit is matched while units remain, at the price of
       poor matches. Unmatched focal units change the population the estimate
       describes; their number is reported and warned about above 10%.
    5. **Discard.** ``"both"``, ``"treated"`` or ``"control"`` drop units outside
       the other group's range of the distance before matching (MatchIt's
       ``discard``).
    6. **Weights** (MatchIt's): 1 for a matched focal unit; a matched unit of the
       other group gets :math:`\sum 1/k_i` over the focal units *i* it serves
       (:math:`k_i` their numbers of matches), rescaled to sum to the number of such
       units. Balance and effects use these weights.

    Runs in O(n log n): the distance is sorted once, each focal unit is placed by
    bisection, and used units are skipped through "next available" pointers (no
    n x n distance matrix); a whole call on 500,000 records takes 2-3 s on a 2-core
    machine (benchmarks/bench_matching.py).

    Rows with a missing group or covariate value are left out before the model is
    fitted; ``dropped`` counts them by reason and :meth:`MatchResult.apa` says so.

    Parameters
    ----------
    data
        One row per student (DataFrame or Records).
    group
        The two-valued group column.
    covariates
        Baseline covariates for the propensity model and the balance table.
    ratio
        Matches per focal unit (1:k).
    caliper
        Caliper width (SDs of the distance when ``std_caliper``); None for none.
    std_caliper
        Read ``caliper`` in SDs of the distance (default) or on its own scale.
    replace
        Match with replacement.
    distance
        ``"logit"`` or ``"ps"``.
    order
        Matching order; default ``"largest"`` for the ATT, ``"smallest"`` for the ATC.
    discard
        ``"none"`` (default), ``"both"``, ``"treated"``, ``"control"``.
    estimand
        ``"ATT"`` (default) or ``"ATC"`` (each comparison unit receives matches).
    scores
        Propensity scores to use instead of the model: a column name or one value per
        row.
    treated
        Which value of ``group`` is treated (read from yes/no labels when not given).
    seed
        Seed for ``order="random"``.

    Returns
    -------
    MatchResult
        Matches, weights, counts, overlap, balance (SMDs standardised by the treated
        group's SD for the ATT, as MatchIt and cobalt do) and :meth:`MatchResult.effect`.

    Raises
    ------
    PeerevalError
        A covariate missing or unusable, one group empty, perfect separation, no
        overlap, nothing matched.

    Warns
    -----
    PeerevalWarning
        Poor overlap (over 10% of the focal units outside the other group's range of
        scores), fewer available units than needed, over 10% of the focal units
        unmatched, |SMD| >= 0.1 after matching, quasi-separation in the model.

    References
    ----------
    Rosenbaum & Rubin (1983); Austin (2011, *Multivar Behav Res* 46:399 and
    *Pharm Stat* 10:150); Ho, Imai, King & Stuart (2007, 2011); Stuart (2010),
    *Stat Sci* 25:1-21.

    Examples
    --------
    In the sample study 163 students joined and 137 did not, so without replacement
    at most 137 mentees could be matched. With replacement (and, here, no caliper)
    every mentee gets a partner; matching brings entry GPA into balance:

    >>> import peereval
    >>> from peereval.outcomes import propensity_match
    >>> records = peereval.load_sample().records.data
    >>> m = propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
    ...                      replace=True, caliper=None)
    >>> print(m.apa())  # doctest: +NORMALIZE_WHITESPACE
    Of 163 treated units, 163 were matched to 76 comparison units (nearest-neighbour
    matching 1:1 on the logit of the propensity score, with replacement). Largest
    |SMD| before = .74; largest |SMD| after matching = .09 (sex[F]); all below .10.
    >>> m.counts.loc[["all", "matched"]]
             control  treated
    all        137.0    163.0
    matched     76.0    163.0
    """
    if isinstance(ratio, bool) or not isinstance(ratio, int | np.integer) or ratio < 1:
        raise PeerevalError(f"ratio must be a whole number of at least 1, not {ratio!r}")
    ratio = int(ratio)
    if caliper is not None and (isinstance(caliper, bool) or
                                not isinstance(caliper, int | float) or
                                not math.isfinite(caliper) or caliper <= 0):
        raise PeerevalError(f"caliper must be a positive number or None, not {caliper!r}",
                            hint="0.2 (SD of the logit propensity score) is the usual "
                            "choice (Austin 2011)")
    distance = _choice(distance, ("logit", "ps"), "distance")  # type: ignore[assignment]
    estimand = _choice(estimand, ("ATT", "ATC"), "estimand")  # type: ignore[assignment]
    discard = _choice(discard, ("none", "both", "treated", "control"),  # type: ignore[assignment]
                      "discard")
    if order is None:
        order = "largest" if estimand == "ATT" else "smallest"
    order = _choice(order, ("largest", "smallest", "random", "data"), "order")  # type: ignore[assignment]
    if not isinstance(replace, bool | np.bool_):
        raise PeerevalError(f"replace must be True or False, not {replace!r}")
    replace = bool(replace)

    work, groups, names, design, model, t = _prepare(data, group, covariates, treated,
                                                     scores)
    labels = (groups.treated, groups.control)
    ps = model.scores.to_numpy()
    overlap = _overlap(ps, t, labels, estimand)
    dist = model.linear.to_numpy() if distance == "logit" else ps
    discarded = _discarded(discard, dist, t)
    if (t & ~discarded).sum() == 0 or (~t & ~discarded).sum() == 0:
        raise PeerevalError(f"discard='{discard}' leaves one group empty",
                            hint="use discard='none' or a caliper")
    cal_dist = None
    if caliper is not None:
        cal_dist = float(caliper) * float(np.std(dist[~discarded], ddof=1)) if std_caliper \
            else float(caliper)

    focal = t if estimand == "ATT" else ~t
    focal_rows = np.flatnonzero(focal)
    n_focal_active = int((focal & ~discarded).sum())
    n_other_active = int((~focal & ~discarded).sum())
    focal_name, other_name = ("treated", "comparison") if estimand == "ATT" else (
        "comparison", "treated")
    if not replace and n_other_active < n_focal_active:
        warnings.warn(
            f"fewer {other_name} units ({n_other_active}) than {focal_name} units "
            f"({n_focal_active}): without replacement not every {focal_name} unit can be "
            "matched; consider replace=True", PeerevalWarning, stacklevel=2)
    elif not replace and ratio > 1 and n_other_active < ratio * n_focal_active:
        warnings.warn(f"not every {focal_name} unit can get {ratio} matches "
                      f"({n_other_active} {other_name} units available)",
                      PeerevalWarning, stacklevel=2)

    d_focal = dist[focal_rows]
    if replace or order == "data":
        visit = np.arange(len(focal_rows))
        order_used = "data" if replace else order
    elif order == "largest":
        visit = np.argsort(-d_focal, kind="stable")
        order_used = order
    elif order == "smallest":
        visit = np.argsort(d_focal, kind="stable")
        order_used = order
    else:
        visit = as_generator(seed).permutation(len(focal_rows))
        order_used = order
    matches = _nearest_neighbours(dist, focal, discarded, visit, ratio, replace, cal_dist)
    if (matches < 0).all():
        raise PeerevalError(
            "no unit could be matched" + (" within the caliper" if caliper else ""),
            hint="widen the caliper or check the overlap of the propensity scores")

    n = len(work)
    w = _matching_weights(matches, focal_rows, n)
    index = work.index
    subclass = pd.Series(pd.array([pd.NA] * n, dtype="Int64"), index=index, name="subclass")
    has = matches >= 0
    if not replace:
        ids = np.full(n, -1, dtype=np.int64)
        matched_focal = np.flatnonzero(has.any(axis=1))
        ids[focal_rows[matched_focal]] = np.arange(1, len(matched_focal) + 1)
        for r in range(matches.shape[1]):
            rows = has[:, r]
            ids[matches[rows, r]] = ids[focal_rows[rows]]
        subclass = pd.Series(pd.array(ids, dtype="Int64"), index=index, name="subclass")
        subclass[ids < 0] = pd.NA
    row_i, col_r = np.nonzero(has)
    focal_pos = focal_rows[row_i]
    other_pos = matches[row_i, col_r]
    pairs = pd.DataFrame({
        "focal": index[focal_pos], "match": index[other_pos],
        "round": col_r + 1,
        "subclass": (subclass.to_numpy()[focal_pos] if not replace
                     else pd.array([pd.NA] * len(focal_pos), dtype="Int64")),
        "distance_difference": dist[other_pos] - dist[focal_pos]})
    labels_mm = np.empty(matches.shape, dtype=object)
    labels_mm[:] = None
    idx_values = index.to_numpy(dtype=object)
    labels_mm[has] = idx_values[matches[has]]
    match_matrix = pd.DataFrame(labels_mm, index=index[focal_rows],
                                columns=[f"match_{r + 1}" for r in range(ratio)])

    counts = _counts(t, w, discarded)
    table = _balance_table(design, t, w, estimand, "matching",
                           ("logit(ps)" if distance == "logit" else "ps", dist))
    result = MatchResult(
        estimand=estimand, ratio=ratio, replace=replace,
        caliper=None if caliper is None else float(caliper), caliper_distance=cal_dist,
        std_caliper=bool(std_caliper), distance=distance, order=order_used,
        discard=discard, treated_label=groups.treated, control_label=groups.control,
        group=group, rule=groups.rule, covariates=names, propensity=model,
        overlap=overlap, match_matrix=match_matrix, pairs=pairs,
        weights=pd.Series(w, index=index, name="weights"), subclass=subclass,
        counts=counts, balance=table, dropped=dict(groups.dropped),
        seed=describe_seed(seed) if order_used == "random" else "not used",
        data=work, treated_mask=t)
    unmatched = result.n_focal - result.n_matched_focal
    if result.n_focal and unmatched / result.n_focal > UNMATCHED_FLAG:
        share = unmatched / result.n_focal
        warnings.warn(
            f"{unmatched} of {result.n_focal} {focal_name} units ({share:.0%}) were not "
            "matched; the estimate describes only the matched ones"
            + ("" if replace else "; replace=True or a wider caliper keeps more"),
            PeerevalWarning, stacklevel=2)
    _warn_imbalance(table, "matching")
    return result


# ------------------------------------------------------------------ weighting


@dataclass(frozen=True, repr=False)
class WeightResult(Result):
    r"""Inverse probability of treatment weighting (:func:`propensity_weight`).

    Attributes
    ----------
    estimand, stabilized, trim
        The specification.
    weights
        One weight per analysed row.
    ess_treated, ess_control
        Kish's effective sample sizes :math:`(\sum w)^2 / \sum w^2` per group.
    n_treated, n_control
        Group sizes.
    n_trimmed
        Weights changed by truncation.
    propensity, overlap, balance
        The model, the overlap diagnostics and the balance before/after weighting.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import propensity_weight
    >>> records = peereval.load_sample().records.data
    >>> w = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"])
    >>> w.estimand, w.n_treated, round(w.ess_treated, 1)
    ('ATE', 163, 141.1)
    >>> len(w.weights)
    300
    """

    estimand: str
    stabilized: bool
    trim: float | None
    weights: pd.Series
    ess_treated: float
    ess_control: float
    n_treated: int
    n_control: int
    n_trimmed: int
    treated_label: Any
    control_label: Any
    group: str
    rule: str
    covariates: tuple[str, ...]
    propensity: PropensityModel
    overlap: Overlap
    balance: BalanceTable
    dropped: dict[str, int]
    data: pd.DataFrame = field(repr=False)
    treated_mask: np.ndarray = field(repr=False)
    title: str = "Inverse probability of treatment weighting"

    def to_frame(self) -> pd.DataFrame:
        """The balance table before and after weighting."""
        return self.balance.to_frame()

    def weight_summary(self) -> pd.DataFrame:
        """Per group: n, effective n, and the minimum, mean and maximum weight."""
        rows = []
        w = self.weights.to_numpy()
        for flag, label, ess in ((True, self.treated_label, self.ess_treated),
                                 (False, self.control_label, self.ess_control)):
            x = w[self.treated_mask == flag]
            rows.append({"group": label, "n": len(x), "ess": ess, "min": x.min(),
                         "mean": x.mean(), "max": x.max()})
        return pd.DataFrame(rows)

    def _frame_text(self) -> str:
        table = self.balance.to_frame()[["covariate", "smd_before", "smd_after",
                                         "var_ratio_before", "var_ratio_after"]]
        return (self.weight_summary().to_string(index=False, float_format=lambda v: f"{v:.3f}")
                + "\n\n" + table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    def apa(self) -> str:
        kind = "stabilised " if self.stabilized else ""
        text = (f"Inverse probability weights ({kind}{self.estimand}); effective sample "
                f"sizes {fmt(self.ess_treated, 1)} of {self.n_treated} treated and "
                f"{fmt(self.ess_control, 1)} of {self.n_control} comparison units")
        if self.trim is not None:
            text += f"; {self.n_trimmed} weights truncated"
        return text + ". " + self.balance.apa() + _dropped_note(self.dropped)

    def effect(self, outcome: str, *, adjust: str | Sequence[str] | bool | None = None,
               hc: Robust = "HC0", level: float = 0.95) -> PropensityEffect:
        r"""The weighted estimate of the ATE (or ATT) on ``outcome``.

        Weighted least squares of the outcome on group (and, with ``adjust``,
        covariates and their interactions with group, averaged by g-computation over
        the weighted target sample), with heteroskedasticity-consistent standard
        errors: ``hc="HC0"`` (default) is the sandwich (GEE-robust) variance Hernán &
        Robins (2020, §12.2) use for IPW; HC1-HC3 are available. **Limitation:** the
        SE treats the weights as known and ignores the estimation of the propensity
        score. For the ATE this usually makes it conservative (Lunceford & Davidian
        2004), for the ATT it can err either way; a bootstrap of the whole procedure
        is the remedy when it matters.

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import propensity_weight
        >>> records = peereval.load_sample().records.data
        >>> w = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"])
        >>> print(w.effect("gpa_year1").apa())
        ATE = 0.14, 95% CI [0.02, 0.26], t(298) = 2.23, p = .027
        """
        names = self.covariates if adjust is True else as_names(adjust or None, "adjust")
        hc = _choice(hc, ("HC0", "HC1", "HC2", "HC3"), "hc")  # type: ignore[assignment]
        target = np.ones(len(self.treated_mask)) if self.estimand == "ATE" else \
            self.treated_mask.astype(float)
        return _estimate_effect(
            work=self.data, t=self.treated_mask, weights=self.weights.to_numpy(),
            target=target, outcome=outcome, adjust=names, kind=hc, cluster=None,
            level=level, estimand=self.estimand, method="weighting",
            variance=f"{hc} robust (weights treated as known)")


def propensity_weight(
    data: Any,
    group: str,
    covariates: str | Sequence[str],
    *,
    estimand: Literal["ATE", "ATT"] = "ATE",
    stabilized: bool = True,
    trim: float | None = None,
    scores: str | Sequence[float] | pd.Series | None = None,
    treated: Any = None,
) -> WeightResult:
    r"""Inverse probability of treatment weights, their balance and effective sizes.

    With :math:`\hat e` the propensity score (logistic regression, as in
    :func:`propensity_match`) and :math:`\bar T` the share treated:

    * ATE: :math:`w = T/\hat e + (1-T)/(1-\hat e)`; stabilised (Robins, Hernán &
      Brumback 2000; Hernán & Robins 2020, §12.3):
      :math:`w = T\,\bar T/\hat e + (1-T)(1-\bar T)/(1-\hat e)`, mean about 1 per group.
    * ATT: :math:`w = T + (1-T)\,\hat e/(1-\hat e)`; stabilised: the comparison weights
      times :math:`(1-\bar T)/\bar T`, so that they average about 1.

    Stabilising rescales each group's weights by a constant, so the weighted
    difference in means, the effective sample sizes and HC standard errors are
    unchanged; it keeps the weights interpretable (a weighted n close to the real n).

    A warning flags poor overlap (over 10% of the units the estimand needs outside
    the common support), extreme weights (an effective sample size under 30% of a
    group) and covariates with |SMD| >= 0.1 after weighting.

    ``trim=q`` truncates the estimated weights (all for the ATE, the comparison
    group's for the ATT) at their q-th and (1-q)-th quantiles (Cole & Hernán 2008),
    e.g. ``trim=0.01`` for the 1st and 99th percentiles; the estimand shifts a little
    towards the units with moderate scores.

    Parameters
    ----------
    data, group, covariates, scores, treated
        As in :func:`propensity_match`.
    estimand
        ``"ATE"`` (default) or ``"ATT"``.
    stabilized
        Stabilise the weights (default True).
    trim
        Quantile for truncation in (0, 0.5), or None.

    Returns
    -------
    WeightResult
        Weights, effective sample sizes, balance (SMDs standardised by the pooled SD
        for the ATE and the treated SD for the ATT) and :meth:`WeightResult.effect`.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import propensity_weight
    >>> records = peereval.load_sample().records.data
    >>> w = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"])
    >>> w.weight_summary().round(2)
      group    n     ess   min  mean   max
    0   yes  163  141.13  0.61  1.01  2.44
    1    no  137  115.50  0.53  0.99  2.89
    """
    estimand = _choice(estimand, ("ATE", "ATT"), "estimand")  # type: ignore[assignment]
    if trim is not None and (isinstance(trim, bool) or not isinstance(trim, int | float)
                             or not 0 < trim < 0.5):
        raise PeerevalError(f"trim must be a quantile between 0 and 0.5, not {trim!r}",
                            hint="trim=0.01 truncates at the 1st and 99th percentiles")
    work, groups, names, design, model, t = _prepare(data, group, covariates, treated,
                                                     scores)
    labels = (groups.treated, groups.control)
    ps = model.scores.to_numpy()
    overlap = _overlap(ps, t, labels, estimand)
    p1 = t.mean()
    if estimand == "ATE":
        w = np.where(t, 1 / ps, 1 / (1 - ps))
        if stabilized:
            w = w * np.where(t, p1, 1 - p1)
        estimated = np.ones(len(t), dtype=bool)
    else:
        w = np.where(t, 1.0, ps / (1 - ps))
        if stabilized:
            w = np.where(t, w, w * (1 - p1) / p1)
        estimated = ~t
    n_trimmed = 0
    if trim is not None:
        lo, hi = np.quantile(w[estimated], [trim, 1 - trim])
        clipped = np.clip(w[estimated], lo, hi)
        n_trimmed = int((clipped != w[estimated]).sum())
        w = w.copy()
        w[estimated] = clipped

    def ess(x: np.ndarray) -> float:
        return float(x.sum() ** 2 / (x**2).sum())

    table = _balance_table(design, t, w, estimand, "weighting",
                           ("logit(ps)", model.linear.to_numpy()))
    result = WeightResult(
        estimand=estimand, stabilized=bool(stabilized),
        trim=None if trim is None else float(trim),
        weights=pd.Series(w, index=work.index, name="weights"),
        ess_treated=ess(w[t]), ess_control=ess(w[~t]), n_treated=int(t.sum()),
        n_control=int((~t).sum()), n_trimmed=n_trimmed, treated_label=groups.treated,
        control_label=groups.control, group=group, rule=groups.rule, covariates=names,
        propensity=model, overlap=overlap, balance=table, dropped=dict(groups.dropped),
        data=work, treated_mask=t)
    for e, n_g, name in ((result.ess_treated, result.n_treated, "treated"),
                         (result.ess_control, result.n_control, "comparison")):
        if e < ESS_FLAG * n_g:
            warnings.warn(
                f"extreme weights: the {name} group's effective sample size is {e:.1f} "
                f"of {n_g} ({e / n_g:.0%}); a few units dominate (consider trim= or "
                "matching)", PeerevalWarning, stacklevel=2)
    _warn_imbalance(table, "weighting")
    return result


# ------------------------------------------------------------------ E-value


@dataclass(frozen=True, repr=False)
class EValue(Result):
    r"""E-values for an estimate and its confidence limit closest to the null.

    Attributes
    ----------
    measure
        ``"RR"``, ``"OR"``, ``"HR"`` or ``"SMD"``.
    estimate, lower, upper
        As given.
    rr, rr_lower, rr_upper
        The same on the risk-ratio scale (after the approximate conversion).
    e_value
        :math:`RR + \sqrt{RR(RR-1)}` for :math:`RR \ge 1` (use :math:`1/RR` below 1).
    e_value_ci
        The same for the confidence limit closer to 1; 1 when the interval contains
        1; None when that limit was not given.
    conversion
        How the estimate was put on the risk-ratio scale.

    Examples
    --------
    >>> from peereval.outcomes import e_value
    >>> ev = e_value(1.5, 1.1, 2.0)   # a risk ratio and its 95% CI
    >>> ev.measure, round(ev.e_value, 2), round(ev.e_value_ci, 2)
    ('RR', 2.37, 1.43)
    """

    measure: str
    estimate: float
    lower: float | None
    upper: float | None
    rr: float
    rr_lower: float | None
    rr_upper: float | None
    e_value: float
    e_value_ci: float | None
    conversion: str
    title: str = "E-value (VanderWeele & Ding 2017)"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"measure": self.measure, "estimate": self.estimate,
                              "lower": self.lower, "upper": self.upper, "rr": self.rr,
                              "rr_lower": self.rr_lower, "rr_upper": self.rr_upper,
                              "e_value": self.e_value, "e_value_ci": self.e_value_ci,
                              "conversion": self.conversion}])

    def apa(self) -> str:
        text = f"E-value = {fmt(self.e_value)}"
        if self.e_value_ci is not None:
            text += f" (for the confidence limit: {fmt(self.e_value_ci)})"
        return text


def _e(rr: float) -> float:
    rr = 1 / rr if rr < 1 else rr
    return rr + math.sqrt(rr * (rr - 1))


def e_value(estimate: float, lower: float | None = None, upper: float | None = None, *,
            measure: Literal["RR", "OR", "HR", "SMD"] = "RR", rare: bool | None = None,
            se: float | None = None) -> EValue:
    r"""E-value: the minimum confounding that could explain an association away.

    The E-value is the smallest risk ratio that an unmeasured confounder would need
    with **both** the treatment and the outcome, beyond the measured covariates, to
    move the estimate to the null (VanderWeele & Ding 2017):

    .. math:: E = RR + \sqrt{RR\,(RR - 1)}, \qquad RR \ge 1

    (for :math:`RR < 1` use :math:`1/RR`). For the interval, the limit closer to 1 is
    used; if the interval contains 1 its E-value is 1. Other measures are first put on
    the risk-ratio scale (VanderWeele & Ding 2017, Table 2):

    * ``"OR"``: :math:`RR \approx OR` if the outcome is rare (``rare=True``, under
      about 15%), else :math:`RR \approx \sqrt{OR}`;
    * ``"HR"``: :math:`RR \approx HR` if rare, else
      :math:`RR \approx (1 - 0.5^{\sqrt{HR}}) / (1 - 0.5^{\sqrt{1/HR}})`;
    * ``"SMD"`` (a standardised mean difference *d*, e.g. of exam scores):
      :math:`RR \approx \exp(0.91\,d)`, the interval limits converted the same way,
      or from ``se`` as :math:`\exp(0.91\,d \pm 1.78\,SE)`.

    Parameters
    ----------
    estimate
        The point estimate on its own scale (ratio, or *d* for ``"SMD"``).
    lower, upper
        Confidence limits (either or both, or neither).
    measure
        ``"RR"`` (risk or rate ratio), ``"OR"``, ``"HR"`` or ``"SMD"``.
    rare
        Required for ``"OR"`` and ``"HR"``: whether the outcome is rare (< 15%).
    se
        For ``"SMD"`` only: the standard error of *d*, used when no limits are given.

    Returns
    -------
    EValue

    Examples
    --------
    The breastfeeding example of VanderWeele & Ding (2017): RR = 3.9 (95% CI 1.8 to
    8.7) gives E-values 7.26 and 3.00.

    >>> from peereval.outcomes import e_value
    >>> ev = e_value(3.9, 1.8, 8.7)
    >>> round(ev.e_value, 2), round(ev.e_value_ci, 2)
    (7.26, 3.0)

    A mentoring effect of d = 0.30 (95% CI 0.08 to 0.52) on exam scores:

    >>> print(e_value(0.30, 0.08, 0.52, measure="SMD").apa())
    E-value = 1.96 (for the confidence limit: 1.36)
    """
    measure = _choice(measure, ("RR", "OR", "HR", "SMD"), "measure")  # type: ignore[assignment]
    values = {"estimate": estimate, "lower": lower, "upper": upper, "se": se}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating |
                                                       np.integer) or not math.isfinite(value):
            raise PeerevalError(f"{name} must be a finite number, not {value!r}")
    if measure != "SMD":
        for name in ("estimate", "lower", "upper"):
            if values[name] is not None and values[name] <= 0:
                raise PeerevalError(f"{name} must be a positive ratio for measure="
                                    f"'{measure}', not {values[name]!r}",
                                    hint="give the ratio itself, not its logarithm")
    if se is not None and measure != "SMD":
        raise PeerevalError("se= is only used with measure='SMD'")
    if (lower is not None and lower > estimate) or (upper is not None and upper < estimate):
        raise PeerevalError(f"the interval [{lower}, {upper}] does not contain the "
                            f"estimate {estimate}")
    if measure in ("OR", "HR") and rare is None:
        raise PeerevalError(f"measure='{measure}' needs rare=True or rare=False",
                            hint="is the outcome rare (under about 15% at the end of "
                            "follow-up)? The conversion to a risk ratio depends on it")
    if measure == "SMD":
        if se is not None:
            if se <= 0:
                raise PeerevalError(f"se must be positive, not {se!r}")
            if lower is None and upper is None:
                lower, upper = estimate - 1.96 * se, estimate + 1.96 * se

        def convert(v: float) -> float:
            return math.exp(0.91 * v)

        conversion = "RR = exp(0.91 d)"
    elif measure == "RR":
        def convert(v: float) -> float:
            return float(v)

        conversion = "none (a risk ratio)"
    elif rare:
        def convert(v: float) -> float:
            return float(v)

        conversion = f"RR = {measure} (rare outcome)"
    elif measure == "OR":
        def convert(v: float) -> float:
            return math.sqrt(v)

        conversion = "RR = sqrt(OR) (common outcome)"
    else:
        def convert(v: float) -> float:
            return (1 - 0.5 ** math.sqrt(v)) / (1 - 0.5 ** math.sqrt(1 / v))

        conversion = "RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) (common outcome)"
    rr = convert(estimate)
    rr_lo = None if lower is None else convert(lower)
    rr_hi = None if upper is None else convert(upper)
    limit = rr_lo if rr >= 1 else rr_hi
    if limit is None:
        e_ci = None
    elif (rr >= 1 and limit <= 1) or (rr < 1 and limit >= 1):
        e_ci = 1.0
    else:
        e_ci = _e(limit)
    return EValue(measure=measure, estimate=float(estimate),
                  lower=None if lower is None else float(lower),
                  upper=None if upper is None else float(upper), rr=rr, rr_lower=rr_lo,
                  rr_upper=rr_hi, e_value=_e(rr), e_value_ci=e_ci, conversion=conversion)
