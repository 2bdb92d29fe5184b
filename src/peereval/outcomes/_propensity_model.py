r"""The propensity score model: logistic regression of group on the covariates.

Students choose whether to join a mentoring programme, and the stronger ones join more
often, so a raw comparison of mentored and non-mentored students credits the
programme with a head start. The propensity score :math:`e(x) = P(T = 1 \mid X = x)`
(Rosenbaum & Rubin 1983) summarises the measured covariates in one number; units with
the same score have, on average, the same covariate distribution in both groups.

This module fits the score (or takes it from the user), diagnoses separation and the
overlap of the two groups' scores; :mod:`peereval.outcomes._matching` and
:mod:`peereval.outcomes._weighting` use it. Only measured covariates are balanced:
none of this removes confounding by something not in the data (motivation, say),
which is what :mod:`peereval.outcomes._sensitivity` (the E-value) is for.

References
----------
Rosenbaum PR, Rubin DB (1983). The central role of the propensity score in
observational studies for causal effects. *Biometrika* 70:41-55.
Austin PC (2011). An introduction to propensity score methods for reducing the effects
of confounding in observational studies. *Multivariate Behav Res* 46:399-424.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from peereval._format import and_list, count_of, fmt
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._design import CovariateDesign, check_rank, covariate_design
from peereval.outcomes._groups import as_names, frame_of, level_text, numeric_values, two_groups

__all__ = ["Overlap", "PropensityModel"]

#: Fitted propensity scores this close to 0 or 1 signal (quasi-)separation.
SEPARATION_EPS = 1e-8
#: Share of a group outside the common-support range that is a red flag.
OUTSIDE_SUPPORT_FLAG = 0.10

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
    n_dropped, dropped
        Rows left out for a missing group or covariate value (complete cases are
        used): their number, and the count per reason.
    converged, iterations, deviance, aic
        IRLS convergence and fit (NaN when the scores were supplied).
    supplied
        True when the user gave the scores (``scores=``) and no model was fitted.
    messages
        Separation and convergence diagnostics raised while fitting.
    reference_levels
        The reference level of each indicator or categorical covariate (the first
        level, see :mod:`peereval.outcomes._design`).

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
    reference_levels: dict[str, Any] = field(default_factory=dict, compare=False)
    dropped: dict[str, int] = field(default_factory=dict)
    title: str = "Propensity score model (logistic regression)"

    @property
    def n_dropped(self) -> int:
        """Rows left out before the model was fitted (a missing group or covariate)."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def methods(self) -> str:
        """How the propensity scores were obtained, as a methods sentence.

        Names the model and its terms (with the reference level of each categorical
        covariate), or says that the scores were supplied, and how many rows were
        left out for missing values.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import propensity_weight
        >>> records = peereval.load_sample().records.data
        >>> weighted = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"])
        >>> print(weighted.propensity.methods())  # doctest: +NORMALIZE_WHITESPACE
        Propensity scores were estimated by logistic regression of group on gpa_entry,
        sex[M] and age (reference level sex = F; maximum likelihood by IRLS), in the 300
        rows with complete data.
        """
        if self.supplied:
            text = f"Propensity scores were supplied by the user for {self.n} rows"
        else:
            terms = [str(t) for t in self.coefficients["term"] if t != "(Intercept)"]
            refs = ", ".join(f"{name} = {level_text(level)}"
                             for name, level in self.reference_levels.items())
            plural = "s" if len(self.reference_levels) > 1 else ""
            text = ("Propensity scores were estimated by logistic regression of group on "
                    + and_list(terms) + " ("
                    + (f"reference level{plural} {refs}; " if refs else "")
                    + f"maximum likelihood by IRLS), in the {self.n} rows with complete data")
        if self.dropped:
            text += "; " + and_list([f"{count} left out for {reason}"
                                 for reason, count in self.dropped.items()])
        return text + "."

    def apa(self) -> str:
        if self.supplied:
            return f"Propensity scores supplied by the user (n = {self.n})."
        refs = ", ".join(f"{name} = {level_text(level)}"
                         for name, level in self.reference_levels.items())
        return (f"Logistic regression of group on {len(self.coefficients) - 1} terms"
                + (f" (reference levels: {refs})" if refs else "") + ", "
                f"n = {self.n} ({self.n_treated} treated, {self.n_control} comparison), "
                f"deviance = {fmt(self.deviance)}, AIC = {fmt(self.aic)}.")


def _fit_propensity(design: CovariateDesign, treated: np.ndarray, index: pd.Index
                    ) -> PropensityModel:
    """Logistic regression by IRLS (statsmodels GLM, binomial family, logit link)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    model = design.matrix()
    x, names = model.matrix, model.names
    check_rank(x, names, "the propensity score model")
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
                + (f"{count_of(extreme, 'unit')} "
                   f"{'has' if extreme == 1 else 'have'} a fitted score of 0 or 1 "
                   "(numerically)" if extreme
                   else "some coefficients are not identified"))
        if culprits:
            text += "; categories found in one group only: " + ", ".join(culprits)
        messages.append(text)
        warnings.warn(text + ". Such units have no comparable counterpart; consider "
                      "dropping or merging those categories.", PeerevalWarning,
                      stacklevel=user_stacklevel())
    if not converged:
        text = "the propensity model did not converge in 100 IRLS iterations"
        messages.append(text)
        warnings.warn(text, PeerevalWarning, stacklevel=user_stacklevel())
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
        messages=tuple(messages), reference_levels=design.reference_levels)


def _one_group_levels(design: CovariateDesign, treated: np.ndarray) -> list[str]:
    """Levels of indicator and categorical covariates found in one group only."""
    full = design.matrix("full", intercept=False)
    kinds = {c.name: c.kind for c in design.covariates}
    out = []
    for j, name in enumerate(full.names):
        if kinds[full.sources[j]] != "numeric":
            col = full.matrix[:, j]
            if col[treated].sum() == 0 or col[~treated].sum() == 0:
                out.append(name)
    return out


def _separation_error(design: CovariateDesign, treated: np.ndarray) -> PeerevalError:
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
    n_treated, n_control, n
        Units per group and in all (the rows the propensity model used).
    n_dropped, dropped
        Rows left out for a missing group or covariate value, in all and per reason.
    treated_label, control_label
        The group labels.
    estimand, flag_share
        The estimand whose units are checked, and the share outside the support of a
        group it needs from which a warning is issued.

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
    estimand: str
    flag_share: float
    dropped: dict[str, int] = field(default_factory=dict)
    title: str = "Overlap of propensity scores"

    @property
    def n(self) -> int:
        """Units whose scores are compared (both groups)."""
        return self.n_treated + self.n_control

    @property
    def n_dropped(self) -> int:
        """Rows left out before the model was fitted (a missing group or covariate)."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    def methods(self) -> str:
        """How common support was judged, as a methods sentence.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.outcomes import propensity_weight
        >>> records = peereval.load_sample().records.data
        >>> weighted = propensity_weight(records, "mentored", ["gpa_entry", "sex", "age"],
        ...                              estimand="ATT")
        >>> print(weighted.overlap.methods())  # doctest: +NORMALIZE_WHITESPACE
        Common support was taken as the propensity scores from the larger of the two
        groups' minima to the smaller of their maxima; for the ATT, overlap was called
        poor when more than 10% of the treated units lay outside it.
        """
        needed = {"ATT": "the treated units", "ATC": "the comparison units",
                  "ATE": "the units of either group"}[self.estimand]
        return ("Common support was taken as the propensity scores from the larger of the "
                "two groups' minima to the smaller of their maxima; for the "
                f"{self.estimand}, overlap was called poor when more than "
                f"{self.flag_share:.0%} of {needed} lay outside it.")

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


def _overlap(ps: np.ndarray, treated: np.ndarray, labels: tuple[Any, Any], estimand: str,
             dropped: dict[str, int]) -> Overlap:
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
                     int(treated.sum()), int((~treated).sum()), labels[0], labels[1],
                     estimand=estimand, flag_share=OUTSIDE_SUPPORT_FLAG,
                     dropped=dict(dropped))
    for flag, count, n, name in ((True, result.n_outside_treated, result.n_treated,
                                  "treated"),
                                 (False, result.n_outside_control, result.n_control,
                                  "comparison")):
        needed = estimand == "ATE" or (estimand == "ATT") == flag
        if needed and n and count / n > result.flag_share:
            warnings.warn(
                f"poor overlap: {count} of {n} {name} units ({count / n:.0%}) have "
                f"propensity scores outside the common support [{low:.3f}, {high:.3f}]",
                PeerevalWarning, stacklevel=user_stacklevel())
    return result



def _prepare(data: Any, group: str, covariates: str | Sequence[str], treated: Any,
             scores: Any) -> tuple[pd.DataFrame, Any, tuple[str, ...], CovariateDesign,
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
    design = covariate_design(work, names)
    if scores is None:
        model = _fit_propensity(design, t, work.index)
    else:
        model = _supplied_scores(scores, frame, work.index, t)
    model = dataclasses.replace(model, dropped=dict(groups.dropped))
    return work, groups, names, design, model, t
