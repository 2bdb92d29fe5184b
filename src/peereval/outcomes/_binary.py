"""Two-group comparison of a binary outcome: risks, RD, RR, OR, NNT, tests, logistic model."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from peereval._effects import Effect, cohens_h, newcombe_interval, wilson_interval
from peereval._format import and_list, fmt, fmt_ci, fmt_p
from peereval._options import checked, deprecated_alias, deprecated_method, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._compare import _capital, default_labels
from peereval.outcomes._design import check_rank, covariate_design
from peereval.outcomes._groups import (
    LEVEL,
    as_typed,
    binary_values,
    frame_of,
    left_out_sentence,
    two_groups,
)

__all__ = ["BinaryComparison", "compare_binary"]

Correction = Literal["auto", "always", "none"]
RiskCI = Literal["newcombe", "wald"]
BinaryTest = Literal["chisq", "yates", "fisher"]

#: Each test of compare_binary(test=...) in words.
TEST_NAMES = {"chisq": "Pearson's chi-square test",
              "yates": "Pearson's chi-square test with Yates' continuity correction",
              "fisher": "Fisher's exact test"}

#: Events per model parameter below which the logistic model draws a warning
#: (Peduzzi et al. 1996, J Clin Epidemiol 49:1373-1379).
MIN_EVENTS_PER_PARAMETER = 10


# ---------------------------------------------------------------- tables


def _chisq(table: np.ndarray, *, yates: bool) -> tuple[float, float, np.ndarray]:
    """Pearson's X² on a 2 × 2 table, optionally with Yates' correction as R applies it."""
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    gap = np.abs(table - expected)
    if yates:
        gap = gap - np.minimum(0.5, gap)
    statistic = float(np.sum(gap**2 / expected))
    return statistic, float(stats.chi2.sf(statistic, 1)), expected


def _log_interval(estimate: float, se: float, z: float) -> tuple[float, float]:
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.log(estimate)
        return float(np.exp(centre - z * se)), float(np.exp(centre + z * se))


@dataclass(frozen=True)
class _Nnt:
    value: float
    kind: str
    low: float
    high: float
    through_infinity: bool
    text: str


def _nnt(rd: float, low: float, high: float, event_is_good: bool, level: float) -> _Nnt:
    """Number needed to treat with Altman's (1998) interval.

    On the benefit scale b (RD when the event is good, −RD otherwise), NNT = 1/|b|,
    NNTB when b > 0 and NNTH when b < 0. The limits are 1/b_high and 1/b_low (signed:
    positive NNTB, negative NNTH). When the interval of b contains 0 the NNT interval
    runs through infinity: NNTH 1/|b_low| to ∞ to NNTB 1/b_high.
    """
    sign = 1.0 if event_is_good else -1.0
    b = sign * rd
    b_low, b_high = sorted([sign * low, sign * high])
    with np.errstate(divide="ignore"):
        inverse = np.float64(1.0) / np.array([b, b_high, b_low])
    value, from_high, from_low = (float(v) for v in inverse)
    kind = "NNTB" if b > 0 else "NNTH" if b < 0 else "none"
    share = f"{level:.0%} CI"

    def word(v: float) -> str:
        return f"NNTB {fmt(v, 1)}" if v > 0 else f"NNTH {fmt(abs(v), 1)}"

    through = b_low <= 0 <= b_high
    head = "NNT ∞ (no difference)" if kind == "none" else f"{kind} {fmt(abs(value), 1)}"
    if through:
        harm = "∞" if b_low == 0 else f"NNTH {fmt(abs(from_low), 1)}"
        benefit = "∞" if b_high == 0 else f"NNTB {fmt(from_high, 1)}"
        ci = f"{share} {harm} to ∞ to {benefit}"
    else:
        ends = sorted([from_high, from_low], key=abs)
        ci = f"{share} {word(ends[0])} to {word(ends[1])}"
    return _Nnt(abs(value), kind, from_high, from_low, through, f"{head} ({ci})")


# --------------------------------------------------------------- logistic


def _design(work: pd.DataFrame, treated_mask: np.ndarray, group: str, treated: Any,
            covariates: Sequence[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Intercept, treatment indicator and the covariates as every model codes them
    (:mod:`peereval.outcomes._design`), with the covariates' reference levels."""
    coded = covariate_design(work, covariates)
    model = coded.matrix(intercept=False)
    columns = [f"{group}[{treated}]", *model.names]
    matrix = np.column_stack([treated_mask.astype(float), model.matrix])
    frame = pd.DataFrame(matrix, index=work.index, columns=columns)
    frame.insert(0, "(Intercept)", 1.0)
    return frame, coded.reference_levels


def _separated(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which coefficients are driven to infinity by (quasi-)complete separation.

    Konis's (2007) linear programme: with s = 2y − 1, maximise Σ sᵢ xᵢ'β subject to
    sᵢ xᵢ'β ≥ 0 and |β| ≤ 1. The data are separated exactly when the maximum is
    positive; the solution's nonzero entries mark the affected coefficients.
    """
    scale = np.where(np.ptp(x, axis=0) > 0, np.abs(x).max(axis=0), 1.0)
    signed = (2 * y - 1)[:, None] * (x / scale)
    solution = optimize.linprog(-signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(len(y)),
                                bounds=[(-1, 1)] * x.shape[1], method="highs")
    if solution.status != 0 or -solution.fun <= 1e-7 * len(y):
        return np.zeros(x.shape[1], dtype=bool)
    return np.abs(solution.x) > 1e-7


def _logistic(design: pd.DataFrame, y: np.ndarray, level: float
              ) -> tuple[pd.DataFrame, list[str], bool]:
    import statsmodels.api as sm

    x = design.to_numpy()
    check_rank(x, list(design.columns), "the logistic model")
    flagged = _separated(x, y)
    separated = [name for name, hit in zip(design.columns, flagged, strict=True) if hit]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, x, family=sm.families.Binomial()).fit(tol=1e-12, maxiter=200)
    converged = bool(getattr(fit, "converged", True))
    z = float(special.ndtri(1 - (1 - level) / 2))
    coef = np.asarray(fit.params)
    # Standard errors from the information matrix X'WX at the final estimates:
    # statsmodels' bse uses the weights of the last IRLS step (as R's glm does at its
    # default tolerance), which differ from these by up to ~1e-6.
    fitted = special.expit(x @ coef)
    information = x.T @ ((fitted * (1 - fitted))[:, None] * x)
    with np.errstate(all="ignore"):
        try:
            se = np.sqrt(np.diag(np.linalg.inv(information)))
        except np.linalg.LinAlgError:
            se = np.full(coef.shape, np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        frame = pd.DataFrame({
            "term": design.columns, "estimate": coef, "se": se, "z": coef / se,
            "p_value": 2 * special.ndtr(-np.abs(coef / se)), "odds_ratio": np.exp(coef),
            "ci_low": np.exp(coef - z * se), "ci_high": np.exp(coef + z * se),
            "separated": flagged,
        })
    return frame, separated, converged


# ----------------------------------------------------------------- result


@dataclass(frozen=True, repr=False)
class BinaryComparison(Result):
    """A binary outcome compared between the treated and the comparison group.

    The 2 × 2 table has the treated group in the first row and the event in the first
    column: ``a`` treated events, ``b`` treated non-events, ``c`` comparison events,
    ``d`` comparison non-events.

    Attributes
    ----------
    outcome, group, treated, control, event, rule, event_rule, labels
        Columns, the two groups, the event value and how each was chosen.
    a, b, c, d, n_treated, n_control
        The table and group sizes.
    risk_treated, risk_control
        Event proportions, with Wilson intervals in :meth:`to_frame`.
    risk_difference, rd_ci_low, rd_ci_high, rd_method
        p₁ − p₂ with the interval asked for (Newcombe's hybrid score by default).
    rd_wald_ci_low, rd_wald_ci_high, rd_newcombe_ci_low, rd_newcombe_ci_high
        Both intervals, always computed.
    risk_ratio, rr_ci_low, rr_ci_high, odds_ratio, or_ci_low, or_ci_high
        Ratios with log-scale Wald intervals; ``haldane`` says whether 0.5 was added
        to every cell (``correction``).
    or_conditional, or_conditional_ci_low, or_conditional_ci_high
        The conditional maximum-likelihood odds ratio and its exact interval, as R's
        ``fisher.test``.
    nnt, nnt_kind, nnt_ci_low, nnt_ci_high, nnt_through_infinity, nnt_text
        Number needed to treat (1/|RD|), NNTB or NNTH by ``event_is_good``; the limits
        are signed (positive NNTB, negative NNTH) after Altman (1998), and run through
        infinity when the RD interval contains 0.
    chisq, chisq_p_value, chisq_yates, chisq_yates_p_value, fisher_p_value, min_expected
        Pearson's test with and without Yates' correction (1 df), Fisher's exact
        two-sided p, the smallest expected count.
    test, p_value
        The test quoted in :meth:`apa` and its p.
    effects
        Cohen's h (and other effects in :meth:`to_frame`).
    logistic, covariates, adjusted_or, adjusted_or_ci_low, adjusted_or_ci_high, adjusted_or_p_value,
    separation, reference_levels, n_dropped, dropped
        The logistic model with covariates (a table of terms, or None), the group's
        adjusted odds ratio with Wald interval, terms hit by separation, the reference
        level of each indicator or categorical covariate, rows dropped.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import compare_binary
    >>> records = peereval.load_sample().records.data
    >>> result = compare_binary(records, "passed", "mentored")
    >>> (result.a, result.b, result.c, result.d), round(result.risk_difference, 3)
    ((145, 18, 82, 55), 0.291)
    """

    outcome: str
    group: str
    treated: Any
    control: Any
    event: Any
    rule: str
    event_rule: str
    labels: tuple[str, str]
    a: int
    b: int
    c: int
    d: int
    risk_treated: float
    risk_control: float
    risk_treated_ci_low: float
    risk_treated_ci_high: float
    risk_control_ci_low: float
    risk_control_ci_high: float
    risk_difference: float
    rd_ci_low: float
    rd_ci_high: float
    rd_method: str
    rd_wald_ci_low: float
    rd_wald_ci_high: float
    rd_newcombe_ci_low: float
    rd_newcombe_ci_high: float
    risk_ratio: float
    rr_ci_low: float
    rr_ci_high: float
    odds_ratio: float
    or_ci_low: float
    or_ci_high: float
    haldane: bool
    correction: str
    or_conditional: float
    or_conditional_ci_low: float
    or_conditional_ci_high: float
    nnt: float
    nnt_kind: str
    nnt_ci_low: float
    nnt_ci_high: float
    nnt_through_infinity: bool
    nnt_text: str
    event_is_good: bool
    chisq: float
    chisq_p_value: float
    chisq_yates: float
    chisq_yates_p_value: float
    fisher_p_value: float
    min_expected: float
    test: str
    p_value: float
    effects: tuple[Effect, ...]
    ci_level: float
    covariates: tuple[str, ...] = ()
    logistic: pd.DataFrame | None = field(default=None, compare=False)
    adjusted_or: float = math.nan
    adjusted_or_ci_low: float = math.nan
    adjusted_or_ci_high: float = math.nan
    adjusted_or_p_value: float = math.nan
    separation: tuple[str, ...] = ()
    reference_levels: dict[str, Any] = field(default_factory=dict, compare=False)
    n_dropped: int = 0
    dropped: dict[str, int] = field(default_factory=dict, compare=False)
    title: str = "Binary outcome comparison"

    level = deprecated_alias("ci_level")
    adjusted_or_low = deprecated_alias("adjusted_or_ci_low")
    adjusted_or_high = deprecated_alias("adjusted_or_ci_high")
    adjusted_p = deprecated_alias("adjusted_or_p_value")
    chisq_p = deprecated_alias("chisq_p_value")
    chisq_yates_p = deprecated_alias("chisq_yates_p_value")
    fisher_p = deprecated_alias("fisher_p_value")
    or_conditional_low = deprecated_alias("or_conditional_ci_low")
    or_conditional_high = deprecated_alias("or_conditional_ci_high")
    rd_newcombe_low = deprecated_alias("rd_newcombe_ci_low")
    rd_newcombe_high = deprecated_alias("rd_newcombe_ci_high")
    rd_wald_low = deprecated_alias("rd_wald_ci_low")
    rd_wald_high = deprecated_alias("rd_wald_ci_high")
    risk_control_low = deprecated_alias("risk_control_ci_low")
    risk_control_high = deprecated_alias("risk_control_ci_high")
    risk_treated_low = deprecated_alias("risk_treated_ci_low")
    risk_treated_high = deprecated_alias("risk_treated_ci_high")
    table = deprecated_method("crosstab")
    summary = deprecated_method("summary_row")

    @property
    def n_treated(self) -> int:
        return self.a + self.b

    @property
    def n_control(self) -> int:
        return self.c + self.d

    @property
    def n(self) -> int:
        """Students compared: ``n_treated + n_control``."""
        return self.n_treated + self.n_control

    @property
    def crosstab(self) -> pd.DataFrame:
        """The 2 × 2 table: groups in rows (treated first), event / no event in columns."""
        return pd.DataFrame({"event": [self.a, self.c], "no_event": [self.b, self.d],
                             "total": [self.n_treated, self.n_control]},
                            index=pd.Index([self.treated, self.control], name=self.group))

    @property
    def tests(self) -> pd.DataFrame:
        """Pearson's chi-square with and without Yates' correction, Fisher's exact test."""
        return pd.DataFrame([
            {"test": "chisq", "statistic": self.chisq, "df": 1.0, "p_value": self.chisq_p_value},
            {"test": "yates", "statistic": self.chisq_yates, "df": 1.0,
             "p_value": self.chisq_yates_p_value},
            {"test": "fisher", "statistic": self.or_conditional, "df": math.nan,
             "p_value": self.fisher_p_value},
        ])

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: estimate, interval and how the interval was made."""
        halved = " (0.5 added to every cell)" if self.haldane else ""
        rows = [
            ("risk_treated", self.risk_treated, self.risk_treated_ci_low,
             self.risk_treated_ci_high, "Wilson score"),
            ("risk_control", self.risk_control, self.risk_control_ci_low,
             self.risk_control_ci_high, "Wilson score"),
            ("risk_difference", self.risk_difference, self.rd_ci_low, self.rd_ci_high,
             self.rd_method),
            ("risk_ratio", self.risk_ratio, self.rr_ci_low, self.rr_ci_high,
             "Wald on the log scale" + halved),
            ("odds_ratio", self.odds_ratio, self.or_ci_low, self.or_ci_high,
             "Wald on the log scale" + halved),
            ("odds_ratio_conditional", self.or_conditional, self.or_conditional_ci_low,
             self.or_conditional_ci_high, "conditional MLE, exact (Fisher)"),
            # signed like its limits, so that the row reads as one scale
            ("nnt", -self.nnt if self.nnt_kind == "NNTH" else self.nnt, self.nnt_ci_low,
             self.nnt_ci_high, f"1/RD ({self.nnt_kind}); signed, + NNTB, − NNTH"
             + ("; through infinity" if self.nnt_through_infinity else "")),
        ]
        rows += [(e.name, e.estimate, e.ci_low, e.ci_high, e.method) for e in self.effects]
        if self.logistic is not None:
            rows.append(("odds_ratio_adjusted", self.adjusted_or, self.adjusted_or_ci_low,
                         self.adjusted_or_ci_high, "logistic regression on "
                         + ", ".join(self.covariates) + ", Wald"))
        return pd.DataFrame([{
            "outcome": self.outcome, "measure": name, "estimate": est, "ci_low": low,
            "ci_high": high, "ci_level": self.ci_level, "ci_method": how,
        } for name, est, low, high, how in rows])

    @property
    def summary_row(self) -> pd.DataFrame:
        """One row: groups, the quoted test and the risk difference."""
        statistic = {"chisq": self.chisq, "yates": self.chisq_yates,
                     "fisher": self.or_conditional}[self.test]
        return pd.DataFrame([{
            "outcome": self.outcome, "kind": "binary",
            "treated": self.treated, "control": self.control,
            "n_treated": self.n_treated, "n_control": self.n_control,
            "risk_treated": self.risk_treated, "risk_control": self.risk_control,
            "difference": self.risk_difference, "test": self.test,
            "statistic_name": "conditional OR" if self.test == "fisher" else "chi2",
            "statistic": statistic, "df": math.nan if self.test == "fisher" else 1.0,
            "p_value": self.p_value, "effect": "risk_difference",
            "estimate": self.risk_difference, "ci_low": self.rd_ci_low,
            "ci_high": self.rd_ci_high, "ci_level": self.ci_level, "interpretation": "",
        }])

    def _frame_text(self) -> str:
        with pd.option_context("display.max_columns", 30, "display.width", 120):
            return (self.crosstab.to_string() + "\n\n" + self.to_frame().drop(
                columns=["outcome"]).to_string(index=False,
                                               float_format=lambda v: f"{v:.4f}"))

    def apa(self) -> str:
        """Counts, risk difference, odds ratio and the test, as an APA sentence."""
        n = self.n_treated + self.n_control

        def pct(value: float) -> str:
            return fmt(100 * value, 1) + "%"

        first = (f"{_capital(self.labels[0])}: {self.a} of {self.n_treated} "
                 f"({pct(self.risk_treated)}) had {self.outcome} = {self.event}; "
                 f"{self.labels[1]}: {self.c} of {self.n_control} "
                 f"({pct(self.risk_control)})")
        rd = (f"risk difference = {fmt(100 * self.risk_difference, 1)} percentage points, "
              f"{fmt_ci(100 * self.rd_ci_low, 100 * self.rd_ci_high, 1, level=self.ci_level)}")
        ratio = (f"OR = {fmt(self.odds_ratio)}, "
                 f"{fmt_ci(self.or_ci_low, self.or_ci_high, level=self.ci_level)}")
        if self.test == "fisher":
            test = f"Fisher's exact test, {fmt_p(self.fisher_p_value)}"
        else:
            value = self.chisq if self.test == "chisq" else self.chisq_yates
            test = f"χ²(1, N = {n}) = {fmt(value)}, {fmt_p(self.p_value)}"
            if self.test == "yates":
                test += " (Yates' correction)"
        text = f"{first}; {rd}; {ratio}; {test}"
        if self.separation:
            text += ("; the adjusted OR could not be estimated: the outcome is perfectly "
                     "separated in the logistic model on " + ", ".join(self.covariates))
        elif self.logistic is not None:
            interval = fmt_ci(self.adjusted_or_ci_low, self.adjusted_or_ci_high,
                              level=self.ci_level)
            text += (f"; adjusted OR = {fmt(self.adjusted_or)}, {interval}"
                     f" (logistic regression on {', '.join(self.covariates)})")
        return text + "."

    def methods(self) -> str:
        """The methods sentence, from the test, intervals and model of this result.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> print(compare_binary(records, "passed", "mentored").methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        The share of students with passed = 1 was compared between the mentored = yes
        group and the mentored = no group (163 and 137 students) by Pearson's
        chi-square test; the risk difference has a 95% Newcombe hybrid score (method
        10) interval, the risks Wilson score intervals and the risk and odds ratios
        Wald intervals on the log scale.
        """
        halved = " (0.5 added to every cell)" if self.haldane else ""
        text = (f"The share of students with {self.outcome} = {self.event} was compared "
                f"between {self.labels[0]} and {self.labels[1]} ({self.n_treated} and "
                f"{self.n_control} students) by {TEST_NAMES[self.test]}; the risk difference "
                f"has a {self.ci_level:.0%} {self.rd_method} interval, the risks Wilson "
                f"score intervals and the risk and odds ratios Wald intervals on the log "
                f"scale{halved}.")
        if self.logistic is not None:
            text += (" The odds ratio adjusted for " + and_list(self.covariates)
                     + " is from a logistic regression (Wald interval).")
        text += left_out_sentence(self.dropped)
        return text


# --------------------------------------------------------------- function


def _ratios(table: np.ndarray, haldane: bool) -> tuple[float, float, float, float]:
    """Risk ratio and odds ratio with the SEs of their logarithms (0.5 added to every
    cell when ``haldane``)."""
    ca, cb, cc, cd = (table + 0.5).ravel() if haldane else table.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = float(np.float64(ca / (ca + cb)) / (cc / (cc + cd)))
        rr_se = float(np.sqrt(np.float64(1 / ca) - 1 / (ca + cb) + 1 / cc - 1 / (cc + cd)))
        odds = float(np.float64(ca * cd) / (cb * cc))
        or_se = float(np.sqrt(np.float64(1 / ca) + 1 / cb + 1 / cc + 1 / cd))
    return rr, rr_se, odds, or_se


def _warn_sparse(outcome: str, group: str, table: np.ndarray, haldane: bool,
                 expected: np.ndarray) -> None:
    """Warn about a zero cell and about expected counts under 5."""
    a, b, c, d = (int(v) for v in table.ravel())
    zero = bool(np.any(table == 0))
    if zero:
        warnings.warn(f"'{outcome}' by '{group}' has a zero cell ({a}, {b} / {c}, {d}); "
                      + ("0.5 was added to every cell for the risk and odds ratios"
                         if haldane else "ratios are 0 or infinite"),
                      PeerevalWarning, stacklevel=user_stacklevel())
    if expected.min() < 5:
        warnings.warn(f"'{outcome}' by '{group}': an expected count is "
                      f"{expected.min():.2f} (< 5); the chi-square p-value is unreliable, "
                      "use Fisher's exact test (test='fisher')", PeerevalWarning,
                      stacklevel=user_stacklevel())


def _adjusted(work: pd.DataFrame, mask: np.ndarray, group: str, treated: Any,
              covariates: Sequence[str], y: np.ndarray, level: float) -> dict[str, Any]:
    """The logistic model on the covariates: the group's adjusted odds ratio, with
    warnings for separation, non-convergence and few events per predictor."""
    design, references = _design(work, mask, group, treated, covariates)
    model, separated, converged = _logistic(design, y, level)
    term = model.iloc[1]
    events = int(min(y.sum(), len(y) - y.sum()))
    if separated:
        warnings.warn("separation in the logistic model: " + ", ".join(separated)
                      + " perfectly predict(s) the outcome for some students, so their "
                      "odds ratios are not finite (the values shown are where the "
                      "iterations stopped); use Firth's penalised likelihood or exact "
                      "logistic regression, or drop or merge the covariate",
                      PeerevalWarning, stacklevel=user_stacklevel())
    elif not converged:
        warnings.warn("the logistic model did not converge", PeerevalWarning,
                      stacklevel=user_stacklevel())
    if events / (design.shape[1] - 1) < MIN_EVENTS_PER_PARAMETER:
        warnings.warn(f"the logistic model has {events} events (or non-events) for "
                      f"{design.shape[1] - 1} predictors, fewer than "
                      f"{MIN_EVENTS_PER_PARAMETER} per predictor; estimates may be "
                      "biased and unstable (Peduzzi et al. 1996)", PeerevalWarning,
                      stacklevel=user_stacklevel())
    return {"covariates": tuple(covariates), "logistic": model,
            "adjusted_or": float(term["odds_ratio"]),
            "adjusted_or_ci_low": float(term["ci_low"]),
            "adjusted_or_ci_high": float(term["ci_high"]),
            "adjusted_or_p_value": float(term["p_value"]), "separation": tuple(separated),
            "reference_levels": references}


@renamed(level="confidence")
@checked(confidence=LEVEL)
def compare_binary(
    data: Any,
    outcome: str,
    group: str,
    *,
    event: Any = None,
    treated: Any = None,
    covariates: Sequence[str] | None = None,
    correction: Correction = "auto",
    rd_ci: RiskCI = "newcombe",
    test: BinaryTest = "chisq",
    event_is_good: bool = True,
    confidence: float = 0.95,
    labels: tuple[str, str] | None = None,
) -> BinaryComparison:
    r"""Compare a binary outcome (pass/fail, dropped out, ...) between two groups.

    Parameters
    ----------
    data
        A DataFrame (or Records) with one row per student.
    outcome
        The two-valued outcome column (1/0, yes/no, pass/fail, or any two values with
        ``event=``).
    group
        The column holding exactly two groups.
    event
        The outcome value counted as the event; read from the labels by default
        (1, yes, pass, ...).
    treated
        The treated group's value; by default read from the labels.
    covariates
        Columns to adjust for in a logistic regression, coded as in every model
        (:mod:`peereval.outcomes._design`): numeric as they are, booleans and 0/1
        columns as one indicator, text as indicators against a reference level (a
        Categorical's first category, otherwise the first in sorted order; recorded
        in ``reference_levels``). Rows
        missing any of them are dropped for every estimate, so that unadjusted and
        adjusted results describe the same students.
    correction
        Zero cells: ``"auto"`` (default) adds 0.5 to every cell for the risk ratio
        and odds ratio only when a cell is 0 (Haldane 1956; Anscombe 1956);
        ``"always"`` always does; ``"none"`` never does (estimates may be 0 or ∞).
        The risk difference, the tests and the conditional odds ratio use the
        counts as they are.
    rd_ci
        Interval of the risk difference: ``"newcombe"`` (default; Newcombe 1998,
        method 10, good coverage with small counts) or ``"wald"``. Both are stored.
    test
        The test quoted in :meth:`BinaryComparison.apa`: ``"chisq"`` (Pearson,
        default), ``"yates"`` (with Yates' correction) or ``"fisher"``. All three are
        computed.
    event_is_good
        Whether the event is a good outcome (passing: True, default) or a bad one
        (failing, dropping out: False); decides whether a positive risk difference
        is a benefit (NNTB) or a harm (NNTH).
    confidence
        Confidence level.
    labels
        Names of the two groups in the sentence.

    Returns
    -------
    BinaryComparison

    Notes
    -----
    With the table [[a, b], [c, d]], :math:`n_1 = a + b`, :math:`n_2 = c + d`,
    :math:`p_1 = a/n_1`, :math:`p_2 = c/n_2`:

    * RD :math:`= p_1 - p_2`; Wald interval
      :math:`\pm z\sqrt{p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2}`; Newcombe's interval
      from the Wilson limits of each proportion (see
      :func:`peereval._effects.newcombe_interval`).
    * RR :math:`= p_1/p_2` with :math:`\operatorname{SE}(\log RR) =
      \sqrt{1/a - 1/n_1 + 1/c - 1/n_2}`; OR :math:`= ad/(bc)` with
      :math:`\operatorname{SE}(\log OR) = \sqrt{1/a + 1/b + 1/c + 1/d}`.
    * NNT :math:`= 1/|RD|` with Altman's (1998) interval from the RD interval.
    * Pearson's :math:`X^2 = \sum (O - E)^2/E` on 1 df; Yates' version replaces
      :math:`|O - E|` by :math:`|O - E| - \min(0.5, |O - E|)`, as R's
      ``chisq.test``. Fisher's test sums the hypergeometric probabilities no larger
      than the observed one (relative tolerance 1e-7, as R); its odds ratio is the
      conditional MLE with the exact interval (Cornfield 1956), as ``fisher.test``.
    * Logistic regression by IRLS (statsmodels GLM, binomial, logit link) with Wald
      intervals (R's ``confint.default``; ``confint`` on a glm profiles the
      likelihood instead). Separation is detected exactly by Konis's (2007) linear
      programme, and the terms it drives to infinity are listed.

    Raises
    ------
    PeerevalError
        Unknown column, an outcome with more than two values or one value only,
        an unknown option, collinear covariates.

    Warns
    -----
    PeerevalWarning
        Expected counts below 5 (Fisher's test is preferable), zero cells,
        separation in the logistic model, fewer than 10 events per parameter.

    References
    ----------
    Altman, D. G. (1998). Confidence intervals for the number needed to treat.
    *BMJ*, 317, 1309-1312. Newcombe, R. G. (1998). *Stat Med*, 17, 873-890.
    Konis, K. (2007). *Linear programming algorithms for detecting separated data in
    binary logistic regression models* (DPhil thesis). University of Oxford.
    Haldane, J. B. S. (1956). *Ann Hum Genet*, 20, 309-311. Peduzzi, P., et al.
    (1996). *J Clin Epidemiol*, 49, 1373-1379.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import compare_binary
    >>> records = peereval.load_sample().records.data
    >>> result = compare_binary(records, "passed", "mentored",
    ...                         labels=("mentored students", "non-mentored students"))
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    Mentored students: 145 of 163 (89.0%) had passed = 1; non-mentored students:
    82 of 137 (59.9%); risk difference = 29.1 percentage points, 95% CI [19.4, 38.4];
    OR = 5.40, 95% CI [2.97, 9.82]; χ²(1, N = 300) = 34.24, p < .001.
    >>> result.nnt_text
    'NNTB 3.4 (95% CI NNTB 2.6 to NNTB 5.2)'
    """
    frame = frame_of(data)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates or [])
    if outcome == group or outcome in covariates or group in covariates:
        raise PeerevalError("the outcome, the group and the covariates must be different "
                            "columns", column=outcome, hint="check the column names")
    work, groups = two_groups(frame, group, [outcome, *covariates], treated=treated)
    coded, event_rule = binary_values(work[outcome], outcome, event)
    y = coded.astype(float)
    if np.all(y == y[0]):
        raise PeerevalError(f"'{outcome}' has one value ({work[outcome].iloc[0]!r}) for "
                            "every student analysed", column=outcome,
                            hint="nothing to compare; check the column and the event")
    event_value = as_typed(work[outcome].to_numpy()[np.argmax(y == 1)])
    mask = groups.mask.to_numpy()
    a, c = int(y[mask].sum()), int(y[~mask].sum())
    b, d = int(mask.sum()) - a, int((~mask).sum()) - c
    n1, n2 = a + b, c + d
    table = np.array([[a, b], [c, d]], dtype=float)
    z = float(special.ndtri(1 - (1 - confidence) / 2))
    p1, p2 = a / n1, c / n2
    rd = p1 - p2
    wald_se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    wald = (rd - z * wald_se, rd + z * wald_se)
    newcombe = newcombe_interval(a, n1, c, n2, confidence)
    rd_low, rd_high = newcombe if rd_ci == "newcombe" else wald
    zero = bool(np.any(table == 0))
    haldane = correction == "always" or (correction == "auto" and zero)
    rr, rr_se, odds, or_se = _ratios(table, haldane)
    from scipy.stats.contingency import odds_ratio as conditional_odds_ratio

    conditional = conditional_odds_ratio(table.astype(int), kind="conditional")
    cond_ci = conditional.confidence_interval(confidence_level=confidence)
    chisq, chisq_p_value, expected = _chisq(table, yates=False)
    yates, yates_p, _ = _chisq(table, yates=True)
    fisher_p_value = float(stats.fisher_exact(table.astype(int)).pvalue)
    nnt = _nnt(rd, rd_low, rd_high, event_is_good, confidence)
    _warn_sparse(outcome, group, table, haldane, expected)
    extra = _adjusted(work, mask, group, groups.treated, covariates, y, confidence) \
        if covariates else {}
    risk_t = wilson_interval(a, n1, confidence)
    risk_c = wilson_interval(c, n2, confidence)
    p_value = {"chisq": chisq_p_value, "yates": yates_p, "fisher": fisher_p_value}[test]
    return BinaryComparison(
        outcome=outcome, group=group, treated=groups.treated, control=groups.control,
        event=event_value, rule=groups.rule, event_rule=event_rule,
        labels=default_labels(group, groups.treated, groups.control, labels),
        a=a, b=b, c=c, d=d, risk_treated=p1, risk_control=p2,
        risk_treated_ci_low=risk_t[0], risk_treated_ci_high=risk_t[1],
        risk_control_ci_low=risk_c[0], risk_control_ci_high=risk_c[1],
        risk_difference=rd, rd_ci_low=float(rd_low), rd_ci_high=float(rd_high),
        rd_method=("Newcombe hybrid score (method 10)" if rd_ci == "newcombe" else "Wald"),
        rd_wald_ci_low=float(wald[0]), rd_wald_ci_high=float(wald[1]),
        rd_newcombe_ci_low=float(newcombe[0]), rd_newcombe_ci_high=float(newcombe[1]),
        risk_ratio=rr, rr_ci_low=_log_interval(rr, rr_se, z)[0],
        rr_ci_high=_log_interval(rr, rr_se, z)[1], odds_ratio=odds,
        or_ci_low=_log_interval(odds, or_se, z)[0], or_ci_high=_log_interval(odds, or_se, z)[1],
        haldane=haldane, correction=correction,
        or_conditional=float(conditional.statistic), or_conditional_ci_low=float(cond_ci.low),
        or_conditional_ci_high=float(cond_ci.high),
        nnt=nnt.value, nnt_kind=nnt.kind, nnt_ci_low=nnt.low, nnt_ci_high=nnt.high,
        nnt_through_infinity=nnt.through_infinity, nnt_text=nnt.text,
        event_is_good=event_is_good, chisq=chisq, chisq_p_value=chisq_p_value,
        chisq_yates=yates, chisq_yates_p_value=yates_p, fisher_p_value=fisher_p_value,
        min_expected=float(expected.min()),
        test=test, p_value=float(p_value), effects=(cohens_h(p1, p2, n1, n2, confidence),),
        ci_level=confidence, n_dropped=sum(groups.dropped.values()),
        dropped=dict(groups.dropped),
        **extra,
    )

