r"""Analysis of covariance: the group difference adjusted for baseline and covariates.

:func:`ancova` fits one linear model, outcome on group and covariates, and reports it
three ways: the ANCOVA table (type II or type III sums of squares, F tests, partial
eta squared with an interval), the adjusted (estimated marginal) means of the two
groups and their difference, and the regression coefficients with
heteroskedasticity-consistent standard errors. Beside the result it checks the
assumptions an ANCOVA rests on and says, in plain words, what a violation means.

Why adjust: mentoring programmes are joined by volunteers, who usually start ahead.
Comparing post scores alone credits the programme with the head start; comparing
change scores over-corrects when the baseline and the outcome are not measured with
the same reliability. Regressing the outcome on the baseline (ANCOVA) is the standard
remedy for observational cohorts (REFERENCES.md §3.4), with the caveat that it removes
only the differences the covariates measure.

Covariates are read and coded by :mod:`peereval.outcomes._design`, the one builder
every model uses (numeric, indicator or categorical; one reference level rule; one
rank check); the group coding and the term structure here (:func:`build_design`) are
shared with :mod:`peereval.outcomes._mixed`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from peereval._effects import pooled_sd
from peereval._format import and_list, count_of, fmt, fmt_ci, fmt_p
from peereval._options import Choice, checked, deprecated_alias, deprecated_method, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._design import (
    INTERCEPT,
    Covariate,
    CovariateDesign,
    check_rank,
    check_residual_df,
    covariate_design,
)
from peereval.outcomes._groups import (
    LEVEL,
    Groups,
    as_names,
    frame_of,
    left_out_sentence,
    level_text,
    numeric_values,
    two_groups,
)

__all__ = ["AncovaResult", "AssumptionCheck", "ancova"]

Robust = Literal["HC0", "HC1", "HC2", "HC3"]
Weights = Literal["proportional", "equal"]
Alternative = Literal["greater", "two-sided"]

RESIDUALS = "Residuals"
SHAPIRO_MAX_N = 5000


# ----------------------------------------------------------------- shared helpers


def require_columns(frame: pd.DataFrame, names: Sequence[str], role: str) -> None:
    """Raise naming the first of ``names`` that is not a column of ``frame``."""
    missing = [n for n in names if n not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:40]))
        raise PeerevalError(f"the data have no {role} column '{missing[0]}'",
                            column=str(missing[0]),
                            hint=f"columns available: {shown}")


def dropped_text(dropped: dict[str, int]) -> str:
    """'3 rows dropped (missing 'gpa_year1': 3)' or ''."""
    if not dropped:
        return ""
    total = sum(dropped.values())
    parts = "; ".join(f"{why}: {k}" for why, k in dropped.items())
    return f"{count_of(total, 'row')} dropped ({parts})"


def check_outcome_varies(y: np.ndarray, outcome: str) -> None:
    """Raise when the outcome takes one value in the analysed rows."""
    if len(y) and np.ptp(y) == 0:
        raise PeerevalError(f"the outcome '{outcome}' is constant ({y[0]:g}) in the analysed "
                            "rows, so there is nothing to compare", column=outcome,
                            hint="check that the right column is named")


@dataclass(frozen=True)
class Design:
    """A model matrix, its column names and which columns make each term.

    ``terms`` maps a term name (``'(Intercept)'``, the group column, a covariate, or
    ``'group:covariate'``) to its column indices; ``variables`` gives the variables a
    term contains (for the marginality rule of type II sums of squares).
    """

    matrix: np.ndarray
    names: tuple[str, ...]
    terms: dict[str, np.ndarray]
    variables: dict[str, frozenset[str]]

    def without(self, dropped: Sequence[str]) -> np.ndarray:
        keep = [i for t, idx in self.terms.items() if t not in dropped for i in idx]
        return self.matrix[:, sorted(keep)]


def build_design(treated: np.ndarray, group: str, treated_label: Any,
                 covariates: Sequence[Covariate], *, coding: str = "treatment",
                 interactions: bool = False, control_label: Any = None) -> Design:
    """Intercept, group, covariates (and group x covariate products if asked).

    ``coding='treatment'`` codes the group 1 (treated) / 0 and categorical covariates
    as indicators of every level but the first; ``coding='sum'`` uses sum-to-zero
    (effect) codes, R's ``contr.sum``: the group +1 / -1 and each categorical
    covariate with k - 1 columns, the last level coded -1 throughout.
    """
    n = treated.shape[0]
    columns: list[np.ndarray] = [np.ones((n, 1))]
    names: list[str] = [INTERCEPT]
    terms: dict[str, list[int]] = {INTERCEPT: [0]}
    variables: dict[str, frozenset[str]] = {INTERCEPT: frozenset()}

    def add(term: str, block: np.ndarray, labels: list[str], vars_: frozenset[str]) -> None:
        start = sum(c.shape[1] for c in columns)
        columns.append(block)
        names.extend(labels)
        terms[term] = list(range(start, start + block.shape[1]))
        variables[term] = vars_

    if coding == "sum":
        g = np.where(treated, 1.0, -1.0).reshape(-1, 1)
        g_name = f"{group}[S.{level_text(treated_label)}]"
    else:
        g = treated.astype(float).reshape(-1, 1)
        g_name = f"{group}[{level_text(treated_label)}]"
    add(group, g, [g_name], frozenset({group}))
    blocks = {}
    for cov in covariates:
        block, labels = cov.columns(coding)
        blocks[cov.name] = (block, labels)
        add(cov.name, block, labels, frozenset({cov.name}))
    if interactions:
        for cov in covariates:
            block, labels = blocks[cov.name]
            add(f"{group}:{cov.name}", block * g, [f"{g_name}:{lab}" for lab in labels],
                frozenset({group, cov.name}))
    matrix = np.column_stack(columns)
    return Design(matrix, tuple(names), {t: np.array(i) for t, i in terms.items()},
                  variables)


def check_model(matrix: np.ndarray, names: Sequence[str], what: str) -> None:
    """Raise when the model matrix is rank deficient or leaves no residual df."""
    check_rank(matrix, names, what)
    check_residual_df(matrix, what)


def _rss(matrix: np.ndarray, y: np.ndarray) -> float:
    beta, *_ = np.linalg.lstsq(matrix, y, rcond=None)
    resid = y - matrix @ beta
    return float(resid @ resid)


def _eta_bounds(f: float, df1: float, df2: float, level: float,
                alternative: str) -> tuple[float, float]:
    r"""Interval of partial eta squared by inverting the noncentral F (Steiger, 2004).

    The noncentrality :math:`\lambda` whose F distribution puts the observed F at the
    required quantile is found by root search; each bound is
    :math:`\lambda / (\lambda + df_2)`, the map that turns an observed
    :math:`F \cdot df_1` into :math:`\eta^2_p` (effectsize's convention).
    """
    if not np.isfinite(f):
        return float("nan"), float("nan")
    tail = 1 - level if alternative == "greater" else (1 - level) / 2

    def ncp_for(prob: float) -> float:
        # cdf(f; lambda) falls with lambda; the bound solves cdf = prob
        def gap(lam: float) -> float:
            return float(stats.ncf.cdf(f, df1, df2, lam)) - prob

        if gap(0.0) <= 0:
            return 0.0
        hi = max(10.0, 2 * f * df1)
        while gap(hi) > 0:
            hi *= 2
        return float(optimize.brentq(gap, 0.0, hi, xtol=1e-12, rtol=1e-14, maxiter=500))

    low = ncp_for(1 - tail)
    low_eta = low / (low + df2)
    if alternative == "greater":
        return low_eta, 1.0
    high = ncp_for(tail)
    return low_eta, high / (high + df2)


def anova_table(design: Design, y: np.ndarray, type_: int, *, level: float = 0.95,
                alternative: str = "greater") -> pd.DataFrame:
    """Type II or type III ANOVA table of a linear model, with partial eta squared.

    Type II (Langsrud, 2003; Fox & Weisberg, 2019): the sum of squares of a term is
    the drop in residual SS when it is added to the model of every term that does not
    contain it. Type III: the Wald sum of squares of the term's coefficients in the
    full model, :math:`b_T' [(X'X)^{-1}_{TT}]^{-1} b_T`; it tests a meaningful
    hypothesis only when factors are coded to sum to zero, which the caller arranges.
    """
    x = design.matrix
    n, p = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    resid = y - x @ beta
    rss = float(resid @ resid)
    df_res = n - p
    mse = rss / df_res
    rows = []
    for term, idx in design.terms.items():
        if type_ == 2 and term == INTERCEPT:
            continue
        if type_ == 3:
            b = beta[idx]
            ss = float(b @ np.linalg.solve(xtx_inv[np.ix_(idx, idx)], b))
        else:
            mine = design.variables[term]
            higher = [t for t, v in design.variables.items() if t != term and mine < v]
            ss = _rss(design.without([*higher, term]), y) - _rss(design.without(higher), y)
            ss = max(ss, 0.0)
        df = len(idx)
        f = (ss / df) / mse
        p_value = float(stats.f.sf(f, df, df_res))
        if term == INTERCEPT:
            eta, low, high = float("nan"), float("nan"), float("nan")
        else:
            eta = ss / (ss + rss)
            low, high = _eta_bounds(f, df, df_res, level, alternative)
        rows.append({"term": term, "ss": ss, "df": df, "ms": ss / df, "f": f,
                     "p_value": p_value, "eta_sq_partial": eta, "eta_sq_ci_low": low,
                     "eta_sq_ci_high": high})
    rows.append({"term": RESIDUALS, "ss": rss, "df": df_res, "ms": mse, "f": np.nan,
                 "p_value": np.nan, "eta_sq_partial": np.nan, "eta_sq_ci_low": np.nan,
                 "eta_sq_ci_high": np.nan})
    return pd.DataFrame(rows)


def levene_median(values: np.ndarray, labels: np.ndarray) -> tuple[float, int, int, float]:
    """Levene's test centred on group medians (Brown & Forsythe, 1974): F, df1, df2, p.

    The one-way ANOVA F of :math:`|x_{ij} - \\tilde{x}_j|`, R's ``car::leveneTest``
    default (``center = median``).
    """
    groups = [values[labels == g] for g in pd.unique(labels)]
    stat, p = stats.levene(*groups, center="median")
    return float(stat), len(groups) - 1, len(values) - len(groups), float(p)


# ----------------------------------------------------------------------- results


@dataclass(frozen=True)
class AssumptionCheck:
    """One assumption check: the test, its result and what it means in words.

    ``met`` is True when the test gives no evidence against the assumption at the
    level used (p ≥ ``alpha``), False when it does, None when no test was run.
    """

    assumption: str
    test: str
    statistic: float
    df1: float
    df2: float
    p_value: float
    met: bool | None
    note: str

    p = deprecated_alias("p_value")


def checks_frame(checks: Sequence[AssumptionCheck]) -> pd.DataFrame:
    """Assumption checks as a table."""
    return pd.DataFrame([{"assumption": c.assumption, "test": c.test,
                          "statistic": c.statistic, "df1": c.df1, "df2": c.df2,
                          "p_value": c.p_value,
                          "met": c.met, "note": c.note} for c in checks])


@dataclass(frozen=True, repr=False)
class AncovaResult(Result):
    """An ANCOVA: table, adjusted means, adjusted difference, regression, checks.

    Attributes
    ----------
    outcome, group, covariates
        The analysed columns; ``treated`` and ``control`` the two group labels.
    type
        2 or 3: which sums of squares :meth:`to_frame` and :attr:`table` show.
    anova_type2, anova_type3
        Both ANCOVA tables (term, ss, df, ms, f, p, eta_sq_partial with its interval).
        Type III is computed with sum-to-zero coding and includes the intercept row,
        as ``car::Anova(type = 3)`` prints it.
    f, df1, df2, f_p_value, eta_sq_partial, eta_sq_ci_low, eta_sq_ci_high
        The group's F test and partial eta squared (the same in both tables, since the
        model has no interaction).
    adjusted_means
        Per group: n, raw mean and SD, adjusted mean with SE and interval.
    difference, se, t, df, p_value, ci_low, ci_high, ci_level
        Adjusted difference treated - control (the group coefficient, also
        ``estimate``) with its classical standard error and interval.
    robust, robust_se, robust_p_value, robust_ci_low, robust_ci_high
        The same with the heteroskedasticity-consistent standard error named by
        ``robust`` (None when not asked).
    g, g_ci_low, g_ci_high
        Adjusted Hedges' g (What Works Clearinghouse): the adjusted difference over the
        unadjusted pooled SD, small-sample corrected.
    coefficients
        The regression (treatment coding): estimate, classical and robust SE, t, p and
        interval of every coefficient.
    slopes_table
        ANOVA table (of the chosen type) of the model with group x covariate
        interactions used for the homogeneity-of-slopes check.
    checks
        :class:`AssumptionCheck` for homogeneity of slopes, equal residual variance
        and residual normality; :attr:`assumptions` shows them as a table.
    n, n_treated, n_control, n_dropped, dropped, group_rule, notes
        Rows used, rows dropped (how many, and why), how the treated group was
        identified, and what the reader should know.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import ancova
    >>> records = peereval.load_sample().records.data
    >>> result = ancova(records, "gpa_year1", "mentored", ["gpa_entry"])
    >>> result.treated, result.control, round(result.difference, 3)
    ('yes', 'no', 0.133)
    >>> result.adjusted_means[["group", "n", "adjusted_mean"]].round(2)
      group    n  adjusted_mean
    0   yes  163           3.12
    1    no  137           2.99
    """

    outcome: str
    group: str
    covariates: tuple[str, ...]
    treated: Any
    control: Any
    type: int
    ci_level: float
    anova_type2: pd.DataFrame
    anova_type3: pd.DataFrame
    f: float
    df1: float
    df2: float
    f_p_value: float
    eta_sq_partial: float
    eta_sq_ci_low: float
    eta_sq_ci_high: float
    eta_alternative: str
    adjusted_means: pd.DataFrame
    weights: str
    difference: float
    se: float
    t: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    robust: str | None
    robust_se: float
    robust_p_value: float
    robust_ci_low: float
    robust_ci_high: float
    g: float
    g_ci_low: float
    g_ci_high: float
    coefficients: pd.DataFrame
    r_squared: float
    sigma: float
    slopes_table: pd.DataFrame
    checks: tuple[AssumptionCheck, ...]
    n: int
    n_treated: int
    n_control: int
    dropped: dict[str, int]
    group_rule: str
    notes: tuple[str, ...]
    title: str = field(default="ANCOVA: group difference adjusted for covariates")

    level = deprecated_alias("ci_level")
    p = deprecated_alias("f_p_value")
    p_difference = deprecated_alias("p_value")
    robust_p = deprecated_alias("robust_p_value")
    checks_frame = deprecated_method("assumptions")

    @property
    def estimate(self) -> float:
        """The adjusted difference (the same as :attr:`difference`)."""
        return self.difference

    @property
    def n_dropped(self) -> int:
        """Rows left out (the reasons are in :attr:`dropped`)."""
        return int(sum(self.dropped.values()))

    @property
    def table(self) -> pd.DataFrame:
        """The ANCOVA table of the chosen type."""
        return self.anova_type3 if self.type == 3 else self.anova_type2

    def to_frame(self) -> pd.DataFrame:
        """The ANCOVA table (type as chosen) with partial eta squared and interval."""
        return self.table.copy()

    @property
    def assumptions(self) -> pd.DataFrame:
        """The assumption checks as a table, with their plain-language notes."""
        return checks_frame(self.checks)

    def apa(self) -> str:
        """The adjusted difference and the group's F test as an APA-style sentence."""
        means = self.adjusted_means.set_index("group")["adjusted_mean"]
        t_mean = means.iloc[0]
        c_mean = means.iloc[1]
        eta_ci = fmt_ci(self.eta_sq_ci_low, self.eta_sq_ci_high, leading_zero=False,
                        level=self.ci_level)
        adjusted = and_list(self.covariates)
        return (
            f"Adjusted for {adjusted}, the difference in {self.outcome} between "
            f"{level_text(self.treated)} and {level_text(self.control)} was "
            f"{fmt(self.difference)}, {fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)} "
            f"(adjusted M = {fmt(t_mean)} vs {fmt(c_mean)}); "
            f"F({fmt(self.df1, 0)}, {fmt(self.df2, 0)}) = {fmt(self.f)}, {fmt_p(self.f_p_value)}, "
            f"ηp² = {fmt(self.eta_sq_partial, leading_zero=False)}, {eta_ci}"
            + (" (one-sided)" if self.eta_alternative == "greater" else "")
        )

    def methods(self) -> str:
        """The methods sentence, from the model, sums of squares and errors used.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> print(ancova(records, "gpa_year1", "mentored", ["gpa_entry"],
        ...              robust="HC3").methods())  # doctest: +NORMALIZE_WHITESPACE
        The difference in gpa_year1 between mentored = yes and mentored = no was
        adjusted for gpa_entry by ANCOVA (type II sums of squares), the group's
        effect as partial eta squared with a one-sided (upper bound 1) 95% interval,
        and the adjusted difference with a 95% interval from classical standard errors and, beside
        it, one from heteroscedasticity-consistent (HC3) standard errors; homogeneity
        of slopes, equal residual variances (Levene, median-centred) and residual
        normality (Shapiro-Wilk) were checked.
        """
        kind = "II" if self.type == 2 else "III"
        errors = "classical standard errors"
        if self.robust:
            errors += (f" and, beside it, one from heteroscedasticity-consistent "
                       f"({self.robust}) standard errors")
        # eta squared cannot be below 0, so its interval is one-sided by default (as R's
        # effectsize): the upper bound is 1
        sided = ("one-sided (upper bound 1) " if self.eta_alternative == "greater"
                 else "two-sided ")
        text = (f"The difference in {self.outcome} between {self.group} = "
                f"{level_text(self.treated)} and {self.group} = {level_text(self.control)} "
                f"was adjusted for {and_list(self.covariates)} by ANCOVA (type {kind} sums "
                f"of squares), the group's effect as partial eta squared with a "
                f"{sided}{self.ci_level:.0%} interval, and the adjusted difference with a "
                f"{self.ci_level:.0%} interval from {errors}; homogeneity of slopes, equal "
                f"residual variances (Levene, median-centred) and residual normality "
                f"(Shapiro-Wilk) were checked.")
        text += left_out_sentence(self.dropped)
        return text


# ------------------------------------------------------------------------ ancova


@renamed(level="confidence")
@checked(confidence=LEVEL, check_alpha=LEVEL,
         type=Choice((2, 3, "2", "3", "II", "III", "ii", "iii")))
def ancova(
    data: Any,
    outcome: str,
    group: str,
    covariates: str | Sequence[str],
    *,
    treated: Any = None,
    type: Literal[2, 3] = 2,
    robust: Robust | None = "HC3",
    categorical: str | Sequence[str] = (),
    weights: Weights = "proportional",
    confidence: float = 0.95,
    eta_alternative: Alternative = "greater",
    check_alpha: float = 0.05,
) -> AncovaResult:
    r"""ANCOVA of one outcome on a two-level group, adjusted for covariates.

    Parameters
    ----------
    data
        One row per student: a DataFrame (or Records).
    outcome
        Numeric outcome column (``gpa_year1``, ``exam_score``).
    group
        Column with exactly two groups (mentored yes/no).
    covariates
        One or more baseline columns to adjust for. Numeric columns enter as they are;
        booleans and 0/1 columns enter as one indicator (reference False / 0); text
        columns (``sex``) and those listed in ``categorical`` enter as categories
        against a reference level: a pandas Categorical's first category, otherwise
        the first in sorted order (recorded in :attr:`AncovaResult.notes`).
    treated
        The treated group's label; read from the labels (yes/no, mentored/control)
        when not given.
    type
        2 (default) or 3: which sums of squares :meth:`AncovaResult.to_frame` shows.
        Both are computed.
    robust
        ``"HC3"`` (default), ``"HC0"``, ``"HC1"``, ``"HC2"`` or None: the
        heteroskedasticity-consistent covariance of the regression coefficients.
    categorical
        Numeric columns to treat as categories (a cohort year coded 1, 2, 3).
    weights
        How adjusted means average over a categorical covariate: ``"proportional"``
        (default) at its observed proportions, that is at the mean of its indicator
        codes, so the adjusted means are predictions at the covariate means of the
        whole sample; ``"equal"`` gives each category equal weight (R emmeans'
        default).
    confidence
        Confidence level of every interval.
    eta_alternative
        ``"greater"`` (default; R effectsize's default): a one-sided interval
        [lower, 1] for partial eta squared, whose lower bound exceeds 0 exactly when
        the F test is significant at 1 - ``level``; ``"two-sided"``: a two-sided
        interval at ``level`` (Steiger, 2004, recommends 90%).
    check_alpha
        Significance level of the assumption checks.

    Returns
    -------
    AncovaResult

    Raises
    ------
    PeerevalError
        Unknown columns; a non-numeric outcome or covariate; a group column that
        does not hold two groups; no covariates; a constant or collinear covariate;
        too few rows.

    Warns
    -----
    PeerevalWarning
        For each assumption check that fails at ``check_alpha``, saying what it means
        and what to do.

    Notes
    -----
    The model is :math:`y_i = \beta_0 + \tau T_i + \sum_k \beta_k x_{ik} +
    \varepsilon_i` with :math:`T_i` = 1 for the treated group, fitted by least
    squares; :math:`\hat\tau` is the adjusted difference.

    *Sums of squares.* Type II (Langsrud, 2003) compares, for each term, the models
    with and without it among all terms that do not contain it; type III tests each
    term with every other term in the model. They differ only where the model has
    interactions: here, in the intercept row (type III only) and in the
    homogeneity-of-slopes model. Type III tests are meaningful only when categorical
    predictors are coded to sum to zero (Fox & Weisberg, 2019, §5.3.4), so the type III
    table is computed with sum-to-zero (effect) coding, as R's ``car::Anova(type = 3)``
    requires with ``options(contrasts = c("contr.sum", "contr.poly"))``; numeric
    covariates are not centred, so the type III intercept (and, in the slopes model,
    the group main effect) is tested at covariate value 0, as in car and SPSS.

    *Effect size.* :math:`\eta^2_p = SS_{term} / (SS_{term} + SS_{residual})`; its
    interval inverts the noncentral F distribution (Steiger, 2004) and maps each
    noncentrality bound :math:`\lambda` to :math:`\lambda / (\lambda + df_{residual})`,
    as R's ``effectsize::eta_squared`` does. Adjusted Hedges' *g* follows the What
    Works Clearinghouse (2022): :math:`g = \omega \hat\tau / S_p` with :math:`S_p` the
    unadjusted pooled within-group SD of the outcome and
    :math:`\omega = 1 - 3/(4N - 9)`; its interval rescales the interval of
    :math:`\hat\tau` and so treats :math:`S_p` as known (an approximation).

    *Adjusted means* are model predictions for each group with numeric covariates at
    their sample means (and categorical ones weighted as ``weights`` says), with
    standard error :math:`\sqrt{c' V c}` and intervals on the residual df.

    *Robust regression.* The same model with HC standard errors (MacKinnon & White,
    1985; HC3 as recommended by Long & Ervin, 2000), t intervals and p values on the
    residual df, as ``lmtest::coeftest(fit, vcov = sandwich::vcovHC(fit, "HC3"))``.

    *Assumption checks.* (1) Homogeneity of regression slopes: the joint F test of the
    group x covariate interactions; (2) equal residual variance: Levene's test centred
    on the median (Brown & Forsythe, 1974; ``car::leveneTest``'s default) applied to
    the model residuals by group, because ANCOVA assumes equal *error* variance;
    (3) normal residuals: Shapiro-Wilk (Royston, 1995) for 3 ≤ n ≤ 5000 (the range of
    R's ``shapiro.test``); beyond that the test flags trivial departures, so none is
    run and the skewness and excess kurtosis are reported instead.

    References
    ----------
    Fox, J., & Weisberg, S. (2019). *An R companion to applied regression* (3rd ed.).
    Sage.

    Langsrud, Ø. (2003). ANOVA for unbalanced data: Use type II instead of type III
    sums of squares. *Statistics and Computing, 13*, 163-167.

    Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and
    tests of close fit. *Psychological Methods, 9*(2), 164-182.

    Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard
    errors in the linear regression model. *The American Statistician, 54*(3),
    217-224.

    Brown, M. B., & Forsythe, A. B. (1974). Robust tests for the equality of
    variances. *JASA, 69*(346), 364-367.

    What Works Clearinghouse (2022). *Procedures and standards handbook, version 5.0*.
    IES, U.S. Department of Education.

    Examples
    --------
    Year-1 GPA of mentored and non-mentored students, adjusted for entry GPA:

    >>> import peereval
    >>> from peereval.outcomes import ancova
    >>> records = peereval.load_sample().records.data
    >>> result = ancova(records, "gpa_year1", "mentored", ["gpa_entry", "sex"])
    >>> # R: car::Anova(lm(gpa_year1 ~ mentored + gpa_entry + sex, records), type = 2)
    >>> result.to_frame()[["term", "df", "f", "p_value"]].round(4)
            term   df         f  p_value
    0   mentored    1   15.2569   0.0001
    1  gpa_entry    1  471.4046   0.0000
    2        sex    1    2.0439   0.1539
    3  Residuals  296       NaN      NaN
    >>> round(result.difference, 3), round(result.robust_se, 4)  # HC3
    (0.133, 0.0346)
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    Adjusted for gpa_entry and sex, the difference in gpa_year1 between yes and no was
    0.13, 95% CI [0.07, 0.20] (adjusted M = 3.12 vs 2.99); F(1, 296) = 15.26,
    p < .001, ηp² = .05, 95% CI [.02, 1.00] (one-sided)
    """
    frame = frame_of(data)
    covs = as_names(covariates, "covariates")
    cats = as_names(categorical, "categorical")
    type_ = _check_arguments(frame, outcome, group, covs, cats, type)

    work, groups = two_groups(frame, group, [outcome, *covs], treated=treated)
    y = numeric_values(work[outcome], outcome)
    check_outcome_varies(y, outcome)
    mask = groups.mask.to_numpy()
    coded = covariate_design(work, covs, categorical=cats)
    cov_objs = coded.covariates
    design = build_design(mask, group, groups.treated, cov_objs)
    check_model(design.matrix, design.names, "the ANCOVA model")
    sum_design = build_design(mask, group, groups.treated, cov_objs, coding="sum")
    table2 = anova_table(design, y, 2, level=confidence, alternative=eta_alternative)
    table3 = anova_table(sum_design, y, 3, level=confidence, alternative=eta_alternative)
    g_row = table2.set_index("term").loc[group]

    fit = _regression(design, y, robust, confidence)
    coef = fit["coefficients"]
    gi = 1  # the group column follows the intercept
    b = float(coef["estimate"].iloc[gi])
    df_res = float(fit["df"])
    crit = float(stats.t.ppf(0.5 + confidence / 2, df_res))

    means = _adjusted_means(design, fit["beta"], fit["cov"], cov_objs, work, y, mask,
                            groups, weights, crit)
    g, g_low, g_high = _adjusted_g(b, coef, gi, y, mask)

    slopes_design = build_design(mask, group, groups.treated, cov_objs,
                                 coding="sum" if type_ == 3 else "treatment",
                                 interactions=True)
    checks, slopes_table = _checks(design, slopes_design, y, fit["resid"], mask, groups,
                                   group, covs, type_, confidence, eta_alternative, check_alpha)
    _warn_checks(checks)

    notes = _notes(groups, coded, weights, robust)
    return AncovaResult(
        outcome=outcome, group=group, covariates=covs, treated=groups.treated,
        control=groups.control, type=type_, ci_level=confidence, anova_type2=table2,
        anova_type3=table3, f=float(g_row["f"]), df1=float(g_row["df"]), df2=df_res,
        f_p_value=float(g_row["p_value"]), eta_sq_partial=float(g_row["eta_sq_partial"]),
        eta_sq_ci_low=float(g_row["eta_sq_ci_low"]),
        eta_sq_ci_high=float(g_row["eta_sq_ci_high"]), eta_alternative=eta_alternative,
        adjusted_means=means, weights=weights, difference=b,
        se=float(coef["se"].iloc[gi]), t=float(coef["t"].iloc[gi]), df=df_res,
        p_value=float(coef["p_value"].iloc[gi]), ci_low=float(coef["ci_low"].iloc[gi]),
        ci_high=float(coef["ci_high"].iloc[gi]), robust=robust,
        robust_se=float(coef["robust_se"].iloc[gi]),
        robust_p_value=float(coef["robust_p_value"].iloc[gi]),
        robust_ci_low=float(coef["robust_ci_low"].iloc[gi]),
        robust_ci_high=float(coef["robust_ci_high"].iloc[gi]), g=g, g_ci_low=g_low,
        g_ci_high=g_high, coefficients=coef, r_squared=fit["r_squared"],
        sigma=fit["sigma"], slopes_table=slopes_table, checks=checks, n=len(y),
        n_treated=groups.n_treated, n_control=groups.n_control,
        dropped=dict(groups.dropped), group_rule=groups.rule, notes=notes,
    )


def _check_arguments(frame: pd.DataFrame, outcome: str, group: str, covs: tuple[str, ...],
                     cats: tuple[str, ...], type: Any) -> int:
    """Check ancova()'s columns; the sums-of-squares type as 2 or 3."""
    if not covs:
        raise PeerevalError("ANCOVA needs at least one covariate",
                            hint="name the baseline column(s) with covariates=[...]; "
                            "for an unadjusted comparison use compare()")
    for name, role in ((outcome, "outcome"), (group, "group")):
        if not isinstance(name, str):
            raise PeerevalError(f"{role} must be a column name, not {name!r}")
    require_columns(frame, [outcome], "outcome")
    require_columns(frame, [group], "group")
    require_columns(frame, covs, "covariate")
    unknown_cat = [c for c in cats if c not in covs]
    if unknown_cat:
        raise PeerevalError(f"categorical names '{unknown_cat[0]}', which is not a covariate",
                            hint="list it in covariates too, or leave it out of categorical")
    clash = {outcome, group} & set(covs)
    if clash or outcome == group:
        raise PeerevalError(
            f"'{(clash or {outcome}).pop()}' is used in two roles (outcome, group, covariate)",
            hint="each column can play one role")
    return _check_type(type)


def _notes(groups: Groups, coded: CovariateDesign, weights: str, robust: str | None
           ) -> tuple[str, ...]:
    """The notes of an ANCOVA: groups, dropped rows, coding, sums of squares, SEs."""
    notes = [groups.rule]
    if groups.dropped:
        notes.append(dropped_text(groups.dropped))
    if coded.reference_levels:
        notes.append(coded.coding_note() + "; adjusted means "
                     + ("at their observed proportions" if weights == "proportional"
                        else "averaged with equal weight per level"))
    notes.append("type III sums of squares use sum-to-zero (effect) coding; "
                 "the intercept row tests the adjusted mean at covariate values of 0")
    if robust:
        notes.append(f"robust standard errors: {robust} (t on the residual df)")
    return tuple(notes)


def _check_type(value: Any) -> int:
    """The sums-of-squares type (already checked by ``@checked``) as 2 or 3."""
    mapping = {2: 2, 3: 3, "2": 2, "3": 3, "II": 2, "III": 3, "ii": 2, "iii": 3}
    return mapping[value]


def _regression(design: Design, y: np.ndarray, robust: str | None, level: float) -> dict:
    """OLS by statsmodels with classical and (if asked) HC covariances."""
    import statsmodels.api as sm

    model = sm.OLS(y, design.matrix)
    classical = model.fit()
    alpha = 1 - level
    ci = classical.conf_int(alpha)
    frame = pd.DataFrame({
        "term": list(design.names), "estimate": classical.params,
        "se": classical.bse, "t": classical.tvalues, "p_value": classical.pvalues,
        "ci_low": ci[:, 0], "ci_high": ci[:, 1],
    })
    if robust:
        rob = model.fit(cov_type=robust, use_t=True)
        rci = rob.conf_int(alpha)
        frame["robust_se"] = rob.bse
        frame["robust_t"] = rob.tvalues
        frame["robust_p_value"] = rob.pvalues
        frame["robust_ci_low"] = rci[:, 0]
        frame["robust_ci_high"] = rci[:, 1]
    else:
        for col in ("robust_se", "robust_t", "robust_p_value", "robust_ci_low", "robust_ci_high"):
            frame[col] = np.nan
    return {"coefficients": frame, "beta": np.asarray(classical.params),
            "cov": np.asarray(classical.cov_params()), "resid": np.asarray(classical.resid),
            "df": classical.df_resid, "r_squared": float(classical.rsquared),
            "sigma": float(np.sqrt(classical.scale))}


def _adjusted_means(design: Design, beta: np.ndarray, cov: np.ndarray,
                    covs: Sequence[Covariate], work: pd.DataFrame, y: np.ndarray,
                    mask: np.ndarray, groups: Groups, weights: str, crit: float
                    ) -> pd.DataFrame:
    point = design.matrix.mean(axis=0)
    for c in covs:
        if c.categorical and weights == "equal":
            idx = design.terms[c.name]
            point[idx] = 1.0 / len(c.levels)
    rows = []
    for label, value, hit in ((groups.treated, 1.0, mask), (groups.control, 0.0, ~mask)):
        x0 = point.copy()
        x0[1] = value
        est = float(x0 @ beta)
        se = float(np.sqrt(x0 @ cov @ x0))
        rows.append({"group": label, "n": int(hit.sum()), "mean": float(y[hit].mean()),
                     "sd": float(y[hit].std(ddof=1)) if hit.sum() > 1 else float("nan"),
                     "adjusted_mean": est, "se": se, "ci_low": est - crit * se,
                     "ci_high": est + crit * se})
    return pd.DataFrame(rows)


def _adjusted_g(b: float, coef: pd.DataFrame, gi: int, y: np.ndarray,
                mask: np.ndarray) -> tuple[float, float, float]:
    n1, n0 = int(mask.sum()), int((~mask).sum())
    if n1 < 2 or n0 < 2:
        return float("nan"), float("nan"), float("nan")
    pooled = pooled_sd(float(y[mask].std(ddof=1)), float(y[~mask].std(ddof=1)), n1, n0)
    if pooled == 0:
        return float("nan"), float("nan"), float("nan")
    omega = 1 - 3 / (4 * (n1 + n0) - 9)
    scale = omega / pooled
    return (b * scale, float(coef["ci_low"].iloc[gi]) * scale,
            float(coef["ci_high"].iloc[gi]) * scale)


def _checks(design: Design, slopes: Design, y: np.ndarray, resid: np.ndarray,
            mask: np.ndarray, groups: Groups, group: str, covs: Sequence[str], type_: int,
            level: float, alternative: str, alpha: float
            ) -> tuple[tuple[AssumptionCheck, ...], pd.DataFrame]:
    out = []
    # 1. homogeneity of regression slopes
    rss_add = _rss(design.matrix, y)
    try:
        check_model(slopes.matrix, slopes.names, "the homogeneity-of-slopes model")
        rss_int = _rss(slopes.matrix, y)
        q = slopes.matrix.shape[1] - design.matrix.shape[1]
        df2 = len(y) - slopes.matrix.shape[1]
        f = ((rss_add - rss_int) / q) / (rss_int / df2)
        p = float(stats.f.sf(f, q, df2))
        slopes_table = anova_table(slopes, y, type_, level=level, alternative=alternative)
        met = p >= alpha
        inter = ", ".join(f"{group} x {c}" for c in covs)
        note = (f"the covariate slopes do not differ detectably between groups ({fmt_p(p)})"
                if met else
                f"the covariate slopes differ between groups ({fmt_p(p)}): the effect of "
                f"{group} depends on the covariate(s), so one adjusted difference averages "
                "unlike effects; report the interaction (the difference at low, mean and "
                "high covariate values) rather than the ANCOVA alone")
        out.append(AssumptionCheck("homogeneity of regression slopes",
                                   f"F test of {inter}", float(f), float(q), float(df2), p,
                                   met, note))
    except PeerevalError:
        slopes_table = pd.DataFrame()
        out.append(AssumptionCheck("homogeneity of regression slopes", "not testable",
                                   np.nan, np.nan, np.nan, np.nan, None,
                                   "the model with group x covariate interactions cannot be "
                                   "fitted (a covariate does not vary within a group)"))
    # 2. equal residual variance
    labels = np.where(mask, "t", "c")
    f, d1, d2, p = levene_median(resid, labels)
    met = p >= alpha
    sd_t, sd_c = resid[mask].std(ddof=1), resid[~mask].std(ddof=1)
    note = (f"residual SDs {fmt(sd_t)} ({level_text(groups.treated)}) and {fmt(sd_c)} "
            f"({level_text(groups.control)}) do not differ detectably ({fmt_p(p)})"
            if met else
            f"the residual SDs differ ({fmt(sd_t)} vs {fmt(sd_c)}, {fmt_p(p)}): the "
            "classical F test and intervals assume equal error variance; rely on the "
            "robust (HC3) standard errors of the regression, which do not")
    out.append(AssumptionCheck("equal residual variance across groups",
                               "Levene's test (median-centred) on the residuals", f, d1, d2,
                               p, met, note))
    # 3. normal residuals
    n = len(resid)
    skew = float(stats.skew(resid))
    kurt = float(stats.kurtosis(resid))
    shape = f"skewness {fmt(skew)}, excess kurtosis {fmt(kurt)}"
    if 3 <= n <= SHAPIRO_MAX_N:
        w, p = stats.shapiro(resid)
        met = p >= alpha
        note = (f"no detectable departure from normality ({fmt_p(p)}; {shape})" if met else
                f"the residuals are not normal ({fmt_p(p)}; {shape}): with large groups "
                "the F test and intervals remain close to right (central limit theorem); "
                "with small groups, or marked skew or outliers, check a Q-Q plot and "
                "consider a transformation or a rank-based test")
        out.append(AssumptionCheck("normal residuals", "Shapiro-Wilk", float(w), np.nan,
                                   np.nan, float(p), met, note))
    else:
        note = (f"Shapiro-Wilk is defined for 3 to {SHAPIRO_MAX_N} residuals; "
                + ("too few to test" if n < 3 else
                   f"with {n} it flags trivial departures, and the central limit theorem "
                   "makes the F test robust to non-normality at this size") + f"; {shape}")
        out.append(AssumptionCheck("normal residuals", "none (see note)", np.nan, np.nan,
                                   np.nan, np.nan, None, note))
    return tuple(out), slopes_table


def _warn_checks(checks: Sequence[AssumptionCheck]) -> None:
    for check in checks:
        if check.met is False:
            warnings.warn(f"ANCOVA assumption not met, {check.assumption}: {check.note}",
                          PeerevalWarning, stacklevel=user_stacklevel())
