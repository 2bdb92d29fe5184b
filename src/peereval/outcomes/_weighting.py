"""Inverse probability of treatment weighting.

:func:`propensity_weight`: inverse probability of treatment weights (ATE or ATT),
stabilised, optionally truncated; effective sample sizes, balance, weighted effect.

References
----------
Hernán MA, Robins JM (2020). *Causal Inference: What If*. Chapman & Hall/CRC, ch. 12.
Cole SR, Hernán MA (2008). Constructing inverse probability weights for marginal
structural models. *Am J Epidemiol* 168:656-664.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt
from peereval._options import Interval, checked, renamed
from peereval._results import Result
from peereval.errors import PeerevalWarning, user_stacklevel
from peereval.outcomes._balance import BalanceTable, _balance_table, _dropped_note, _warn_imbalance
from peereval.outcomes._groups import (
    AnyCase,
    as_names,
    check_choice,
)
from peereval.outcomes._propensity_effect import PropensityEffect, Robust, _estimate_effect
from peereval.outcomes._propensity_model import Overlap, PropensityModel, _overlap, _prepare

__all__ = ["WeightResult", "propensity_weight"]

#: Effective sample size below this share of a group's size is a red flag for weights.
ESS_FLAG = 0.30


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
    n_treated, n_control, n
        Group sizes, and both together (the rows weighted: complete cases).
    n_dropped, dropped
        Rows left out for a missing group or covariate value: in all, and per reason.
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

    @property
    def n(self) -> int:
        """Rows weighted (both groups; complete cases)."""
        return self.n_treated + self.n_control

    @property
    def n_dropped(self) -> int:
        """Rows left out for a missing group or covariate value."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        """The balance table before and after weighting."""
        return self.balance.to_frame()

    @property
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
        return (self.weight_summary.to_string(index=False, float_format=lambda v: f"{v:.3f}")
                + "\n\n" + table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    def apa(self) -> str:
        kind = "stabilised " if self.stabilized else ""
        text = (f"Inverse probability weights ({kind}{self.estimand}); effective sample "
                f"sizes {fmt(self.ess_treated, 1)} of {self.n_treated} treated and "
                f"{fmt(self.ess_control, 1)} of {self.n_control} comparison units")
        if self.trim is not None:
            text += f"; {self.n_trimmed} weights truncated"
        return text + ". " + self.balance.apa() + _dropped_note(self.dropped)

    def methods(self) -> str:
        """The weighting as a methods sentence, from its own specification.

        Names the propensity model, the estimand, stabilisation, truncation and how
        balance was judged.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import propensity_weight
        >>> records = peereval.load_sample().records.data
        >>> w = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"],
        ...                       stabilized=False, trim=0.01)
        >>> print(w.methods())  # doctest: +NORMALIZE_WHITESPACE
        Propensity scores were estimated by logistic regression of group on gpa_entry,
        sex[M] and age (reference level sex = F; maximum likelihood by IRLS), in the 300
        rows with complete data. Inverse probability of treatment weights for the ATE
        were computed from them (not stabilised), truncated at their 1st and 99th
        percentiles. Covariate balance was assessed with standardised mean differences
        (for the ATE, standardised by the square root of the mean of the two groups'
        variances), variance ratios and eCDF statistics (as MatchIt and cobalt), before
        and after weighting; |SMD| ≥ .10 was taken as imbalance.
        """
        kind = "stabilised" if self.stabilized else "not stabilised"
        text = (f"Inverse probability of treatment weights for the {self.estimand} were "
                f"computed from them ({kind})")
        if self.trim is not None:
            which = "truncated" if self.estimand == "ATE" else \
                "the comparison group's truncated"
            text += (f", {which} at their {_ordinal(100 * self.trim)} and "
                     f"{_ordinal(100 * (1 - self.trim))} percentiles")
        # the rows left out are said once, in the propensity model's sentence
        return " ".join([self.propensity.methods(), text + ".",
                         self.balance._assessment() + "."])

    @renamed(level="confidence")
    def effect(self, outcome: str, *, adjust: str | Sequence[str] | bool | None = None,
               hc: Robust = "HC0", confidence: float = 0.95) -> PropensityEffect:
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
        hc = check_choice(hc, ("HC0", "HC1", "HC2", "HC3"), "hc")  # type: ignore[assignment]
        target = np.ones(len(self.treated_mask)) if self.estimand == "ATE" else \
            self.treated_mask.astype(float)
        return _estimate_effect(
            work=self.data, t=self.treated_mask, weights=self.weights.to_numpy(),
            target=target, outcome=outcome, adjust=names, kind=hc, cluster=None,
            confidence=confidence, estimand=self.estimand, method="weighting",
            variance=f"{hc} robust (weights treated as known)")


def _ordinal(value: float) -> str:
    """1 -> '1st', 2.5 -> '2.5th', 99 -> '99th'."""
    rounded = round(value, 6)
    if not float(rounded).is_integer():
        return f"{rounded:g}th"
    whole = int(rounded)
    suffix = "th" if 10 <= whole % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        whole % 10, "th")
    return f"{whole}{suffix}"


@checked(estimand=AnyCase(("ATE", "ATT")),
         trim=Interval(0, 0.5, closed="neither", none=True))
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
    >>> w.weight_summary.round(2)
      group    n     ess   min  mean   max
    0   yes  163  141.13  0.61  1.01  2.44
    1    no  137  115.50  0.53  0.99  2.89
    """
    estimand = check_choice(estimand, ("ATE", "ATT"), "estimand")  # type: ignore[assignment]
    work, groups, names, design, model, t = _prepare(data, group, covariates, treated,
                                                     scores)
    labels = (groups.treated, groups.control)
    ps = model.scores.to_numpy()
    overlap = _overlap(ps, t, labels, estimand, groups.dropped)
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
                           ("logit(ps)", model.linear.to_numpy()), dropped=groups.dropped)
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
                "matching)", PeerevalWarning, stacklevel=user_stacklevel())
    _warn_imbalance(table, "weighting")
    return result
