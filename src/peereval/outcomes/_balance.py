"""Covariate balance before and after matching or weighting.

:func:`balance` gives standardised mean differences, variance ratios and eCDF
statistics, computed as MatchIt's ``summary()`` and cobalt do, for any two groups
and, optionally, a set of weights (matching or inverse probability weights).

References
----------
Austin PC (2011). An introduction to propensity score methods for reducing the effects
of confounding in observational studies. *Multivariate Behav Res* 46:399-424.
Ho DE, Imai K, King G, Stuart EA (2011). MatchIt: nonparametric preprocessing for
parametric causal inference. *J Stat Softw* 42(8).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import count_of, fmt
from peereval._options import Interval, checked
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._design import CovariateDesign, covariate_design
from peereval.outcomes._groups import (
    AnyCase,
    as_names,
    check_choice,
    frame_of,
    numeric_values,
    two_groups,
)

__all__ = ["BalanceTable", "balance"]

Estimand = Literal["ATT", "ATC", "ATE"]


#: |SMD| at or above this is a red flag after matching or weighting (Austin 2011; the
#: 0.1 rule of REFERENCES.md §3.4).
SMD_THRESHOLD = 0.1
_SQRT_EPS = math.sqrt(np.finfo(float).eps)


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
    n
        Rows compared: both groups, complete cases (rows with a weight of 0 included).
    threshold
        The |SMD| flagged as imbalance (0.1).
    dropped, n_dropped
        Rows left out for a missing group or covariate value: the count per reason,
        and in all.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import balance
    >>> records = peereval.load_sample().records.data
    >>> table = balance(records, "mentored", ["gpa_entry", "age"])
    >>> round(table.max_abs_smd, 2), table.imbalanced
    (0.74, ['gpa_entry', 'age'])
    """

    table: pd.DataFrame
    estimand: str
    sd_denominator: str
    adjustment: str
    n: int
    threshold: float = SMD_THRESHOLD
    dropped: dict[str, int] = field(default_factory=dict)
    title: str = "Covariate balance"

    @property
    def n_dropped(self) -> int:
        """Rows left out for a missing group or covariate value."""
        return int(sum(self.dropped.values()))

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

    @property
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
        bad = self.imbalanced
        limit = fmt(self.threshold, 2, leading_zero=False)
        text += (f"; {len(bad)} of {len(rows)} at or above {limit}" if bad
                 else f"; all below {limit}")
        return text + "."

    def methods(self) -> str:
        """How balance was assessed, as a methods sentence.

        Built from the table's own settings: the estimand and the SD that
        standardises, the adjustment compared against and the |SMD| threshold.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import balance
        >>> records = peereval.load_sample().records.data
        >>> table = balance(records, "mentored", ["gpa_entry", "age"], estimand="ATE",
        ...                 threshold=0.2)
        >>> print(table.methods())  # doctest: +NORMALIZE_WHITESPACE
        Covariate balance was assessed with standardised mean differences (for the ATE,
        standardised by the square root of the mean of the two groups' variances),
        variance ratios and eCDF statistics (as MatchIt and cobalt), in the raw sample;
        |SMD| ≥ .20 was taken as imbalance.
        """
        text = self._assessment()
        if self.dropped:
            text += "; " + "; ".join(f"{count} rows left out for {reason}"
                                     for reason, count in self.dropped.items())
        return text + "."

    def _assessment(self) -> str:
        """The methods sentence without its full stop and without the rows left out."""
        scale = {"treated": "the treated group's SD", "control": "the comparison group's SD",
                 "pooled": "the square root of the mean of the two groups' variances"
                 }[self.sd_denominator]
        when = ("in the raw sample" if self.adjustment == "none" else
                f"before and after {self.adjustment}")
        return (f"Covariate balance was assessed with standardised mean differences (for "
                f"the {self.estimand}, standardised by {scale}), variance ratios and eCDF "
                f"statistics (as MatchIt and cobalt), {when}; |SMD| ≥ "
                f"{fmt(self.threshold, 2, leading_zero=False)} was taken as imbalance")


def _balance_table(design: CovariateDesign, t: np.ndarray, w: np.ndarray | None, estimand: str,
                   adjustment: str, distance: tuple[str, np.ndarray] | None = None, *,
                   dropped: dict[str, int]) -> BalanceTable:
    full = design.matrix("full", intercept=False)  # every level its own 0/1 row
    x, names = full.matrix, list(full.names)
    binary = np.array([bool(np.all((x[:, j] == 0) | (x[:, j] == 1)))
                       for j in range(x.shape[1])], dtype=bool)
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
    return BalanceTable(table, estimand, denom, adjustment, n=len(t), dropped=dict(dropped))


def _dropped_note(dropped: dict[str, int]) -> str:
    if not dropped:
        return ""
    parts = ", ".join(f"{n} for {reason}" for reason, n in dropped.items())
    return f" Rows left out: {parts}."


def _warn_imbalance(table: BalanceTable, what: str) -> None:
    bad = table.imbalanced
    if bad:
        warnings.warn(
            f"{count_of(len(bad), 'covariate')} still "
            f"{'differs' if len(bad) == 1 else 'differ'} by |SMD| >= {table.threshold} after "
            f"{what}: {', '.join(bad[:8])}{' ...' if len(bad) > 8 else ''}",
            PeerevalWarning, stacklevel=user_stacklevel())


@checked(estimand=AnyCase(("ATT", "ATC", "ATE")),
         threshold=Interval(0, None, closed="neither"))
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
        Columns to check; text or categorical columns give one 0/1 row per category,
        booleans and 0/1 columns one row (as every model codes them).
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
    estimand = check_choice(estimand, ("ATT", "ATC", "ATE"), "estimand")  # type: ignore[assignment]
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
    design = covariate_design(work, names)
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
                           "weighting" if w is not None else "none", dropped=groups.dropped)
    if threshold != SMD_THRESHOLD:
        table = dataclasses.replace(table, threshold=float(threshold))
    return table
