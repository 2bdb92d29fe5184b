"""Two-group comparison of a continuous outcome: test, effect sizes and intervals."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations, islice
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from peereval._effects import (
    Effect,
    cliffs_delta,
    cohens_d,
    glass_delta,
    hedges_g,
    probability_of_superiority,
    rank_biserial,
)
from peereval._format import fmt, fmt_bf, fmt_ci, fmt_p
from peereval._options import Interval, checked, deprecated_alias, deprecated_method, renamed
from peereval._parallel import blocks_for, map_blocks
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._groups import (
    LEVEL,
    frame_of,
    left_out_sentence,
    numeric_values,
    two_groups,
)

__all__ = ["BF_PRIOR", "Comparison", "compare", "fmt_bf"]

Test = Literal["welch", "student", "mann_whitney", "permutation"]
TESTS = ("welch", "student", "mann_whitney", "permutation")

#: Groups smaller than this draw a warning (intervals are wide, approximations rough).
SMALL_GROUP = 10

#: Default scale r of the Cauchy prior on the standardised effect in the Bayes factor:
#: sqrt(2)/2, JASP's default and BayesFactor's ``rscale = "medium"``.
BF_PRIOR = math.sqrt(2) / 2

#: Largest number of index entries drawn at once for Monte Carlo permutations.
_CHUNK_ENTRIES = 4_000_000

#: How each effect size is written in an APA sentence, and whether it can exceed 1.
_SYMBOLS = {
    "cohens_d": ("d", True), "hedges_g": ("g", True), "glass_delta": ("Δ", True),
    "rank_biserial": ("r_rb", False), "cliffs_delta": ("δ", False),
    "cles": ("P(X > Y)", False), "cles_normal": ("Φ(d/√2)", False),
}


# ------------------------------------------------------------------ checks


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise PeerevalError(f"unknown {name} {value!r}", value=value,
                            hint="choose one of " + ", ".join(map(repr, allowed)))
    return value


def default_labels(group: str, treated: Any, control: Any,
                   labels: tuple[str, str] | None) -> tuple[str, str]:
    """How the two groups are named in sentences."""
    if labels is not None:
        if len(labels) != 2:
            raise PeerevalError("labels must name the treated and the comparison group",
                                value=labels, hint='e.g. labels=("mentored students", '
                                '"non-mentored students")')
        return str(labels[0]), str(labels[1])
    return f"the {group} = {treated} group", f"the {group} = {control} group"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _warn_small(group: str, sizes: dict[Any, int], what: str) -> None:
    small = {k: v for k, v in sizes.items() if v < SMALL_GROUP}
    if small:
        listed = ", ".join(f"{group} = {k}: n = {v}" for k, v in small.items())
        warnings.warn(f"{what}: small group ({listed}); intervals are wide and large-sample "
                      "approximations rough", PeerevalWarning, stacklevel=user_stacklevel())


# -------------------------------------------------------------------- tests


@dataclass(frozen=True)
class _TestResult:
    method: str
    statistic_name: str
    statistic: float
    df: float
    p_value: float
    z: float = math.nan
    exact: bool = False
    n_perm: int = 0


def _t_test(x: np.ndarray, y: np.ndarray, *, welch: bool, level: float
            ) -> tuple[_TestResult, tuple[float, float]]:
    n1, n2 = x.size, y.size
    v1, v2 = np.var(x, ddof=1), np.var(y, ddof=1)
    diff = float(np.mean(x) - np.mean(y))
    if welch:
        a, b = v1 / n1, v2 / n2
        se = math.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
        method = "Welch's t-test (unequal variances)"
    else:
        df = n1 + n2 - 2
        sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        se = math.sqrt(sp2 * (1 / n1 + 1 / n2))
        method = "Student's t-test (pooled variance)"
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    q = float(stats.t.ppf(1 - (1 - level) / 2, df))
    return _TestResult(method, "t", t, float(df), p), (diff - q * se, diff + q * se)


def _mann_whitney(x: np.ndarray, y: np.ndarray, *, exact: bool | None, correct: bool
                  ) -> _TestResult:
    n1, n2 = x.size, y.size
    ranks = stats.rankdata(np.concatenate([x, y]))
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    _, tie_counts = np.unique(ranks, return_counts=True)
    has_ties = bool(np.any(tie_counts > 1))
    if exact is None:
        exact = n1 < 50 and n2 < 50 and not has_ties
    elif exact and has_ties:
        warnings.warn("the exact Mann-Whitney p-value needs data without ties; the normal "
                      "approximation is used (as R's wilcox.test does)", PeerevalWarning,
                      stacklevel=user_stacklevel())
        exact = False
    if exact:
        p = float(stats.mannwhitneyu(x, y, alternative="two-sided", method="exact").pvalue)
        return _TestResult("Wilcoxon-Mann-Whitney test, exact p", "U", u, math.nan,
                           min(p, 1.0), exact=True)
    n = n1 + n2
    centred = u - n1 * n2 / 2
    tie_term = float(np.sum(tie_counts**3 - tie_counts)) / (n * (n - 1))
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term))
    shift = math.copysign(0.5, centred) if correct and centred != 0 else 0.0
    z = (centred - shift) / sigma
    p = float(min(2 * min(special.ndtr(z), special.ndtr(-z)), 1.0))
    how = ("normal approximation with continuity correction" if correct
           else "normal approximation without continuity correction")
    if has_ties:
        how += ", variance corrected for ties"
    return _TestResult(f"Wilcoxon-Mann-Whitney test, {how}", "U", u, math.nan, p, z=z)


def _permutation_hits(rng: np.random.Generator, size: int, values: np.ndarray, n1: int,
                      cutoff: float) -> int:
    """How many of ``size`` random splits give a mean difference at least ``cutoff``."""
    n = values.size
    order = rng.permuted(np.broadcast_to(np.arange(n), (size, n)), axis=1)
    return _count_extreme(values[order[:, :n1]].sum(axis=1), values, n1, cutoff)


def _count_extreme(sums: np.ndarray, values: np.ndarray, n1: int, cutoff: float) -> int:
    """Splits (given by the first group's sums) whose |mean difference| >= ``cutoff``."""
    total, n2 = float(values.sum()), values.size - n1
    return int(np.sum(np.abs(sums / n1 - (total - sums) / n2) >= cutoff))


def _permutation(x: np.ndarray, y: np.ndarray, *, n_perm: int, seed: SeedLike,
                 n_jobs: int | None = None) -> _TestResult:
    n1 = x.size
    values = np.concatenate([x, y])
    n = values.size
    observed = abs(float(x.mean() - y.mean()))
    cutoff = observed - 1e-9 * max(1.0, observed)  # floating-point ties count as extreme
    arrangements = math.comb(n, n1)
    if arrangements <= n_perm:
        hits = 0
        chunks = combinations(range(n), n1)
        while block := list(islice(chunks, 200_000)):
            hits += _count_extreme(values[np.array(block)].sum(axis=1), values, n1, cutoff)
        return _TestResult(f"permutation test, exact (all {arrangements:,} splits)",
                           "mean difference", float(x.mean() - y.mean()), math.nan,
                           hits / arrangements, exact=True, n_perm=arrangements)
    sizes = blocks_for(n_perm, n, _CHUNK_ENTRIES)
    hits = sum(map_blocks(_permutation_hits, sizes, as_generator(seed), n_jobs=n_jobs,
                          values=values, n1=n1, cutoff=cutoff))
    return _TestResult(f"permutation test, {n_perm:,} random splits", "mean difference",
                       float(x.mean() - y.mean()), math.nan, (hits + 1) / (n_perm + 1),
                       n_perm=n_perm)


def _bayes_factor(x: np.ndarray, y: np.ndarray, r: float) -> tuple[float, float]:
    """Student's t of ``x`` against ``y`` and the JZS BF10 on it (pingouin)."""
    from pingouin import bayesfactor_ttest  # imported here: pingouin loads in 1-3 s

    student, _ = _t_test(x, y, welch=False, level=0.95)
    t = float(student.statistic)
    try:
        bf = float(bayesfactor_ttest(t, int(x.size), int(y.size), r=float(r)))
    except (ZeroDivisionError, OverflowError):  # BF10 beyond the float range
        bf = math.inf
    return t, bf


def _assumptions(x: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    """Shapiro-Wilk W and p in each group, Brown-Forsythe (median) Levene F and p."""
    out: list[float] = []
    for sample in (x, y):
        if 3 <= sample.size <= 5000 and np.ptp(sample) > 0:  # R's shapiro.test range
            w, p = stats.shapiro(sample)
            out += [float(w), float(p)]
        else:
            out += [math.nan, math.nan]
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f, p = stats.levene(x, y, center="median")
    return (*out, float(f), float(p))


# -------------------------------------------------------------------- result


@dataclass(frozen=True, repr=False)
class Comparison(Result):
    """A continuous outcome compared between the treated and the comparison group.

    Attributes
    ----------
    outcome, group, treated, control, rule
        The outcome column, the group column, the treated and comparison labels, and
        how the treated group was chosen.
    labels
        How the two groups are named in :meth:`apa`.
    n_treated, mean_treated, sd_treated, median_treated, q1_treated, q3_treated
        The treated group's n and summary statistics (and the same ``_control``).
    difference, difference_ci_low, difference_ci_high, difference_method
        Mean difference (treated − control) and its t interval (Welch's unless
        ``test="student"``).
    test, method, statistic_name, statistic, df, z, p_value, exact, n_perm, seed
        The test asked for, what was done, its statistic (t, U or the mean
        difference), df (t-tests), z (Mann-Whitney normal approximation), two-sided
        p, whether p is exact, permutations used and the seed.
    effects
        Every effect size, each an :class:`~peereval._effects.Effect` with its
        interval; :meth:`effect` picks one by name.
    bf10, bf_prior, bf_t
        The JZS Bayes factor of H1 (the means differ) against H0 (they do not),
        its Cauchy prior scale r, and the Student t (pooled variance) it was
        computed from, whatever ``test`` is (see :func:`compare`, Notes).
    shapiro_w_treated, shapiro_treated_p_value, shapiro_w_control, shapiro_control_p_value
        Shapiro-Wilk normality test in each group (NaN below 3 or above 5,000
        values, or for a constant group, where R's ``shapiro.test`` refuses).
    levene_f, levene_p_value
        Levene's test of equal variances on the median (Brown-Forsythe; R's
        ``car::leveneTest`` default), F on 1 and n₁ + n₂ − 2 df. See
        :attr:`assumptions`.
    ci_level
        The confidence level of every interval.
    headline
        The effect size quoted in :meth:`apa` (Hedges' g, or the rank-biserial r
        for the Mann-Whitney test, unless chosen).
    n_dropped, dropped
        Rows left out and why.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import compare
    >>> records = peereval.load_sample().records.data
    >>> result = compare(records, "exam_score", "mentored")
    >>> result.n_treated, result.n_control, result.test, round(result.difference, 2)
    (163, 137, 'welch', 10.97)
    """

    outcome: str
    group: str
    treated: Any
    control: Any
    rule: str
    labels: tuple[str, str]
    n_treated: int
    n_control: int
    mean_treated: float
    mean_control: float
    sd_treated: float
    sd_control: float
    median_treated: float
    median_control: float
    q1_treated: float
    q1_control: float
    q3_treated: float
    q3_control: float
    difference: float
    difference_ci_low: float
    difference_ci_high: float
    difference_method: str
    test: str
    method: str
    statistic_name: str
    statistic: float
    df: float
    z: float
    p_value: float
    exact: bool
    n_perm: int
    seed: str
    effects: tuple[Effect, ...]
    headline: str
    ci_level: float
    bf10: float
    bf_prior: float
    bf_t: float
    shapiro_w_treated: float
    shapiro_treated_p_value: float
    shapiro_w_control: float
    shapiro_control_p_value: float
    levene_f: float
    levene_p_value: float
    n_dropped: int
    dropped: dict[str, int] = field(default_factory=dict, compare=False)
    title: str = "Two-group comparison"

    level = deprecated_alias("ci_level")
    shapiro_p_treated = deprecated_alias("shapiro_treated_p_value")
    shapiro_p_control = deprecated_alias("shapiro_control_p_value")
    levene_p = deprecated_alias("levene_p_value")

    @property
    def n(self) -> int:
        """Students compared: ``n_treated + n_control``."""
        return self.n_treated + self.n_control

    def effect(self, name: str) -> Effect:
        """One effect size by name (``hedges_g``, ``cohens_d``, ``rank_biserial``, ...)."""
        for item in self.effects:
            if item.name == name:
                return item
        raise KeyError(f"no effect {name!r}; have {[e.name for e in self.effects]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per effect size: estimate, interval, interval method, label.

        The last two columns, ``bf10`` and ``bf_prior``, are the comparison's JZS
        Bayes factor and its prior scale (the same on every row).
        """
        return pd.DataFrame([{
            "outcome": self.outcome, "effect": e.name, "label": e.label,
            "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high,
            "ci_level": e.ci_level, "ci_method": e.method,
            "interpretation": e.interpretation,
            "bf10": self.bf10, "bf_prior": self.bf_prior,
        } for e in self.effects])

    @property
    def assumptions(self) -> pd.DataFrame:
        """The assumption checks: normality in each group, equal variances.

        Reported for reading beside the test, not for choosing it: Welch's test
        does not assume equal variances, and a preliminary test changes the error
        rate of the test chosen after it (Zimmerman 2004). With large groups both
        flag departures too small to matter.
        """
        n = self.n_treated + self.n_control
        rows = [{"check": "normality", "group": level, "test": "Shapiro-Wilk",
                 "statistic_name": "W", "statistic": getattr(self, f"shapiro_w_{role}"),
                 "df1": math.nan, "df2": math.nan,
                 "p_value": getattr(self, f"shapiro_{role}_p_value"),
                 "n": getattr(self, f"n_{role}")}
                for role, level in (("treated", self.treated), ("control", self.control))]
        rows.append({"check": "equal variances", "group": "both",
                     "test": "Levene (median-centred, Brown-Forsythe)",
                     "statistic_name": "F", "statistic": self.levene_f, "df1": 1.0,
                     "df2": float(n - 2), "p_value": self.levene_p_value, "n": n})
        return pd.DataFrame(rows)

    @property
    def descriptives(self) -> pd.DataFrame:
        """Summary statistics of the outcome per group (treated first)."""
        rows = []
        for role, level in (("treated", self.treated), ("control", self.control)):
            rows.append({"group": level, "role": role} | {
                key: getattr(self, f"{key}_{role}")
                for key in ("n", "mean", "sd", "median", "q1", "q3")})
        return pd.DataFrame(rows)

    groups = deprecated_method("descriptives")
    summary = deprecated_method("summary_row")

    @property
    def summary_row(self) -> pd.DataFrame:
        """One row: groups, test and the headline effect size (for several outcomes)."""
        head = self.effect(self.headline)
        return pd.DataFrame([{
            "outcome": self.outcome, "kind": "continuous",
            "treated": self.treated, "control": self.control,
            "n_treated": self.n_treated, "n_control": self.n_control,
            "mean_treated": self.mean_treated, "sd_treated": self.sd_treated,
            "mean_control": self.mean_control, "sd_control": self.sd_control,
            "difference": self.difference, "test": self.test,
            "statistic_name": self.statistic_name, "statistic": self.statistic,
            "df": self.df, "p_value": self.p_value, "effect": head.name,
            "estimate": head.estimate, "ci_low": head.ci_low, "ci_high": head.ci_high,
            "ci_level": self.ci_level, "interpretation": head.interpretation,
            "bf10": self.bf10, "bf_prior": self.bf_prior,
        }])

    def _frame_text(self) -> str:
        with pd.option_context("display.max_columns", 30, "display.width", 120):
            return (self.descriptives.to_string(index=False) + "\n\n"
                    + self.to_frame().drop(columns=["outcome", "label", "bf10", "bf_prior"])
                    .to_string(index=False, float_format=lambda v: f"{v:.4f}")
                    + f"\n\n{self._bf_text()} (JZS, Cauchy prior r = {self.bf_prior:.3f}, "
                    f"from Student's t = {self.bf_t:.4f})")

    def _bf_text(self) -> str:
        text = fmt_bf(self.bf10)
        return f"BF10 {text}" if text.startswith(">") else f"BF10 = {text}"

    def _describe(self, role: str, label: str) -> str:
        n = getattr(self, f"n_{role}")
        if self.test == "mann_whitney":
            iqr = getattr(self, f"q3_{role}") - getattr(self, f"q1_{role}")
            return (f"{label} (Mdn = {fmt(getattr(self, f'median_{role}'))}, "
                    f"IQR = {fmt(iqr)}, n = {n})")
        return (f"{label} (M = {fmt(getattr(self, f'mean_{role}'))}, "
                f"SD = {fmt(getattr(self, f'sd_{role}'))}, n = {n})")

    def apa(self) -> str:
        """The comparison as an APA sentence.

        Examples
        --------
        "Mentored students (M = 3.24, SD = 0.44, n = 163) scored higher on gpa_year1
        than non-mentored students (M = 2.85, SD = 0.44, n = 137), t(287.12) = 7.75,
        p < .001, BF10 = 4.54 × 10¹⁰, g = 0.90, 95% CI [0.66, 1.13]." (Mann-Whitney:
        Mdn and IQR, U, z; permutation: the kind of p. The Bayes factor is quoted
        beside a t test only: the rank and permutation tests make no normal model.)
        """
        if self.test == "mann_whitney":
            centre = self.median_treated - self.median_control
        else:
            centre = self.difference
        direction = "higher" if centre > 0 else "lower" if centre < 0 else "the same"
        first = self._describe("treated", _capital(self.labels[0]))
        second = self._describe("control", self.labels[1])
        verb = (f"scored {direction} on {self.outcome} than" if direction != "the same"
                else f"scored the same on {self.outcome} as")
        if self.test in ("welch", "student"):
            df = fmt(self.df, 0 if self.test == "student" else 2)
            test = (f"t({df}) = {fmt(self.statistic)}, {fmt_p(self.p_value)}, "
                    f"{self._bf_text()}")
        elif self.test == "mann_whitney":
            test = f"U = {fmt(self.statistic, 1)}"
            if not self.exact:
                test += f", z = {fmt(self.z)}"
            test += f", {fmt_p(self.p_value)}"
        else:
            kind = "exact" if self.exact else f"{self.n_perm:,} permutations"
            test = f"permutation test ({kind}), {fmt_p(self.p_value)}"
        head = self.effect(self.headline)
        symbol, unbounded = _SYMBOLS.get(head.name, (head.label, True))
        interval = fmt_ci(head.ci_low, head.ci_high, leading_zero=unbounded,
                          level=self.ci_level)
        effect = f"{symbol} = {fmt(head.estimate, leading_zero=unbounded)}, {interval}"
        return f"{first} {verb} {second}, {test}, {effect}."

    def methods(self) -> str:
        """The methods sentence, from the test, intervals and settings of this result.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> print(compare(records, "exam_score", "mentored").methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        The outcome exam_score was compared between the mentored = yes group and the
        mentored = no group (163 and 137 students) by Welch's t-test (unequal
        variances); the mean difference has a 95% Welch's t interval, and Hedges' g a
        95% interval by noncentral t (d's interval times J). A JZS Bayes factor (Cauchy
        prior r = 0.707) from Student's t is given beside the test.
        """
        head = self.effect(self.headline)
        test = self.method
        if self.test == "permutation" and not self.exact and self.seed:
            test += f" (seed {self.seed})"
        dropped = left_out_sentence(self.dropped)
        bayes = ""
        if self.test in ("welch", "student"):
            bayes = (f" A JZS Bayes factor (Cauchy prior r = {self.bf_prior:.3f}) from "
                     "Student's t is given beside the test.")
        return (f"The outcome {self.outcome} was compared between {self.labels[0]} and "
                f"{self.labels[1]} ({self.n_treated} and {self.n_control} students) by "
                f"{test}; the mean difference has a {self.ci_level:.0%} "
                f"{self.difference_method} interval, and {head.label} a "
                f"{head.ci_level:.0%} interval by {head.method}.{bayes}{dropped}")


# ------------------------------------------------------------------ function


@renamed(level="confidence")
@checked(confidence=LEVEL, n_perm=Interval(1, None, integer=True),
         bf_prior=Interval(0, math.inf, closed="neither"))
def compare(
    data: Any,
    outcome: str,
    group: str,
    *,
    test: Test = "welch",
    treated: Any = None,
    confidence: float = 0.95,
    n_perm: int = 10_000,
    seed: SeedLike = None,
    n_jobs: int | None = None,
    exact: bool | None = None,
    correct: bool = True,
    effect: str | None = None,
    labels: tuple[str, str] | None = None,
    bf_prior: float = BF_PRIOR,
) -> Comparison:
    r"""Compare a continuous outcome between two groups, with effect sizes and intervals.

    Parameters
    ----------
    data
        A DataFrame (or Records) with one row per student.
    outcome
        The numeric outcome column (e.g. ``"gpa_year1"``).
    group
        The column holding exactly two groups (e.g. ``"mentored"``).
    test
        ``"welch"`` (default), ``"student"``, ``"mann_whitney"`` or
        ``"permutation"``; all two-sided.
    treated
        The treated group's value; by default read from the labels (yes/no, ...),
        see :func:`~peereval.outcomes._groups.two_groups`.
    confidence
        Confidence level of every interval.
    n_perm, seed
        Permutation test: the number of random splits and the seed. When the number
        of distinct splits C(n, n₁) is at most ``n_perm``, all are enumerated and p
        is exact (no seed needed).
    n_jobs
        Workers for the random splits (None: the active ``joblib.parallel_config``,
        one process by default; -1: every core; a Dask cluster through joblib's
        ``"dask"`` backend). p does not depend on it.
    exact, correct
        Mann-Whitney test, with R's ``wilcox.test`` defaults: ``exact=None`` gives
        the exact p when both groups have fewer than 50 values and there are no ties,
        otherwise the normal approximation with the tie-corrected variance and, with
        ``correct=True``, a continuity correction of 0.5 towards zero.
    effect
        The effect size quoted in :meth:`Comparison.apa`; default ``"hedges_g"``
        (``"rank_biserial"`` for the Mann-Whitney test).
    labels
        Names of the treated and comparison group in the sentence, e.g.
        ``("mentored students", "non-mentored students")``.
    bf_prior
        Scale r of the Cauchy prior on the standardised effect in the Bayes factor;
        default √2/2 ≈ 0.707 (JASP's default, BayesFactor's ``rscale = "medium"``);
        1 is BayesFactor's ``"wide"``.

    Returns
    -------
    Comparison

    Notes
    -----
    With :math:`\bar x_g`, :math:`s_g`, :math:`n_g` for the treated (1) and
    comparison (2) group:

    * Welch: :math:`t = (\bar x_1 - \bar x_2)/\sqrt{s_1^2/n_1 + s_2^2/n_2}` on the
      Welch-Satterthwaite df
      :math:`(s_1^2/n_1 + s_2^2/n_2)^2 / [\frac{(s_1^2/n_1)^2}{n_1 - 1} +
      \frac{(s_2^2/n_2)^2}{n_2 - 1}]` (Welch 1947); Student's test pools the
      variances on :math:`n_1 + n_2 - 2` df.
    * Mann-Whitney: :math:`U = R_1 - n_1(n_1 + 1)/2` (R's ``W`` with the treated
      group as ``x``); normal approximation
      :math:`z = (U - n_1 n_2/2 - c) / \sqrt{\frac{n_1 n_2}{12}\left[n + 1 -
      \frac{\sum (t^3 - t)}{n(n - 1)}\right]}` with :math:`c = 0.5\,\mathrm{sign}(U
      - n_1 n_2/2)` when ``correct``.
    * Permutation: the statistic is the difference in means; p is the share of
      splits of the pooled values into groups of n₁ and n₂ at least as extreme
      (two-sided, absolute difference), :math:`(1 + b)/(1 + B)` for B random splits
      (Phipson & Smyth 2010).

    Effect sizes (all with intervals; see :mod:`peereval._effects`): Cohen's d and
    Hedges' g with the pooled SD and noncentral-t intervals (Steiger & Fouladi
    1997); Glass's Δ standardised by the comparison group's SD; the rank-biserial r
    (Fisher-z interval, as R's effectsize); Cliff's δ with Cliff's (1993) consistent
    variance and asymmetric interval; and the common-language effect size, the
    probability that a random treated student outscores a random comparison student
    (ties half), with its interval from the rank-biserial r, plus its normal-theory
    counterpart Φ(d/√2) (McGraw & Wong 1992). d, g and Δ are labelled by Cohen's
    (1988) d bands, r_rb and δ by his r bands.

    Bayes factor: ``bf10`` is the JZS Bayes factor of Rouder et al. (2009), the
    figure JASP prints beside its t test, computed by
    :func:`pingouin.bayesfactor_ttest` from **Student's** t (pooled variance, the
    ``bf_t`` field) on :math:`\nu = n_1 + n_2 - 2` df with the effective sample size
    :math:`N = n_1 n_2 / (n_1 + n_2)`:

    .. math::

        \mathrm{BF}_{10} = \frac{\int_0^\infty (1 + N g r^2)^{-1/2}
        \left(1 + \frac{t^2}{\nu (1 + N g r^2)}\right)^{-(\nu + 1)/2}
        (2\pi)^{-1/2} g^{-3/2} e^{-1/(2g)} \, dg}
        {\left(1 + t^2/\nu\right)^{-(\nu + 1)/2}}

    i.e. a Cauchy(0, r) prior on the standardised difference δ = (μ₁ − μ₂)/σ under
    H1 against δ = 0 under H0, with a common σ in both groups. The model assumes
    equal variances, so it is built on Student's t even when the test reported is
    Welch's (as JASP and R's ``BayesFactor::ttestBF`` do); ``bf_t`` is then not the
    ``statistic`` shown. It is computed for every ``test`` but quoted in
    :meth:`Comparison.apa` only beside a t test. Values above 1 favour a
    difference, below 1 its absence (BF01 = 1/BF10); a BF10 beyond the float range
    is ``inf``. Checked against ``BayesFactor::ttestBF`` (tests/reference/
    bayes_factor.R).

    Assumption checks (:meth:`Comparison.assumptions`, as JASP shows them beside its
    t test): the Shapiro-Wilk test in each group (Royston's algorithm, as R's
    ``shapiro.test``) and Levene's test on absolute deviations from the group
    medians (Brown & Forsythe 1974), both by scipy.

    Raises
    ------
    PeerevalError
        Unknown column, a non-numeric outcome, a group with fewer than two values,
        a constant outcome or no variation within either group, an unknown test.

    Warns
    -----
    PeerevalWarning
        A group smaller than 10; an outcome with only two values (use
        :func:`compare_binary`); an exact Mann-Whitney p asked for with ties.

    References
    ----------
    Welch, B. L. (1947). *Biometrika*, 34, 28-35. Mann, H. B., & Whitney, D. R.
    (1947). *Ann Math Stat*, 18, 50-60. Rouder, J. N., Speckman, P. L., Sun, D.,
    Morey, R. D., & Iverson, G. (2009). Bayesian t tests for accepting and rejecting
    the null hypothesis. *Psychon Bull Rev*, 16, 225-237. Phipson, B., & Smyth, G. K. (2010).
    Permutation p-values should never be zero. *Stat Appl Genet Mol Biol*, 9(1), 39.
    McGraw, K. O., & Wong, S. P. (1992). A common language effect size statistic.
    *Psychol Bull*, 111, 361-365. Brown, M. B., & Forsythe, A. B. (1974). Robust
    tests for the equality of variances. *J Am Stat Assoc*, 69, 364-367. Zimmerman,
    D. W. (2004). A note on preliminary tests of equality of variances. *Br J Math
    Stat Psychol*, 57, 173-181. Cohen (1988); Cliff (1993); Steiger & Fouladi
    (1997).

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import compare
    >>> records = peereval.load_sample().records.data
    >>> result = compare(records, "gpa_year1", "mentored",
    ...                  labels=("mentored students", "non-mentored students"))
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    Mentored students (M = 3.24, SD = 0.44, n = 163) scored higher on gpa_year1 than
    non-mentored students (M = 2.85, SD = 0.44, n = 137), t(287.12) = 7.75,
    p < .001, BF10 = 4.54 × 10¹⁰, g = 0.90, 95% CI [0.66, 1.13].
    >>> round(result.effect("rank_biserial").estimate, 2)
    0.47
    >>> round(result.bf_t, 2), f"{result.bf10:.3g}"  # Student's t; R: ttestBF(x, y)
    (7.76, '4.54e+10')
    >>> result.assumptions[["check", "group", "statistic", "p_value"]].round(3)
                 check group  statistic  p_value
    0        normality   yes      0.982    0.036
    1        normality    no      0.990    0.442
    2  equal variances  both      0.008    0.931
    """
    frame = frame_of(data)
    if outcome == group:
        raise PeerevalError("the outcome and the group are the same column", column=outcome,
                            hint="pass the outcome column and the group column")
    work, groups = two_groups(frame, group, [outcome], treated=treated)
    values = numeric_values(work[outcome], outcome)
    x = values[groups.mask.to_numpy()]
    y = values[~groups.mask.to_numpy()]
    for level_value, sample in ((groups.treated, x), (groups.control, y)):
        if sample.size < 2:
            raise PeerevalError(
                f"the group '{group}' = {level_value!r} has {sample.size} value of "
                f"'{outcome}'; a comparison needs at least 2 per group", column=group,
                value=level_value, hint="check the group coding and missing values")
    if np.ptp(values) == 0:
        raise PeerevalError(f"'{outcome}' is constant ({values[0]:g} for everyone)",
                            column=outcome, hint="nothing to compare; check the column")
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        raise PeerevalError(f"'{outcome}' does not vary within either group", column=outcome,
                            hint="every treated student has one value and every comparison "
                            "student another; report the two values, no test is needed")
    _warn_small(group, {groups.treated: x.size, groups.control: y.size}, f"'{outcome}'")
    if np.unique(values).size == 2:
        warnings.warn(f"'{outcome}' takes only two values; compare_binary() reports risks, "
                      "risk difference and odds ratio", PeerevalWarning,
                      stacklevel=user_stacklevel())
    for name, sample in (("treated", x), ("comparison", y)):
        if np.ptp(sample) == 0:
            warnings.warn(f"'{outcome}' is constant in the {name} group; Glass's Δ and "
                          "variance-based intervals may be undefined", PeerevalWarning,
                          stacklevel=user_stacklevel())
    if test in ("welch", "student"):
        result, diff_ci = _t_test(x, y, welch=test == "welch", level=confidence)
    else:
        _, diff_ci = _t_test(x, y, welch=True, level=confidence)
        if test == "mann_whitney":
            result = _mann_whitney(x, y, exact=exact, correct=correct)
        else:
            result = _permutation(x, y, n_perm=int(n_perm), seed=seed, n_jobs=n_jobs)
    d = cohens_d(x, y, confidence)
    rank = rank_biserial(x, y, confidence)
    effects = (d, hedges_g(x, y, confidence), glass_delta(x, y, confidence), rank,
               cliffs_delta(x, y, confidence), *probability_of_superiority(rank, d))
    names = [e.name for e in effects]
    headline = effect or ("rank_biserial" if test == "mann_whitney" else "hedges_g")
    _choice(headline, tuple(names), "effect")
    bf_t, bf10 = _bayes_factor(x, y, float(bf_prior))
    sw1, sp1, sw2, sp2, lev_f, lev_p = _assumptions(x, y)
    q1 = [float(np.quantile(s, 0.25)) for s in (x, y)]
    q3 = [float(np.quantile(s, 0.75)) for s in (x, y)]
    return Comparison(
        outcome=outcome, group=group, treated=groups.treated, control=groups.control,
        rule=groups.rule,
        labels=default_labels(group, groups.treated, groups.control, labels),
        n_treated=int(x.size), n_control=int(y.size),
        mean_treated=float(x.mean()), mean_control=float(y.mean()),
        sd_treated=float(np.std(x, ddof=1)), sd_control=float(np.std(y, ddof=1)),
        median_treated=float(np.median(x)), median_control=float(np.median(y)),
        q1_treated=q1[0], q1_control=q1[1], q3_treated=q3[0], q3_control=q3[1],
        difference=float(x.mean() - y.mean()), difference_ci_low=float(diff_ci[0]),
        difference_ci_high=float(diff_ci[1]),
        difference_method="Student's t" if test == "student" else "Welch's t",
        test=test, method=result.method, statistic_name=result.statistic_name,
        statistic=float(result.statistic), df=result.df, z=float(result.z),
        p_value=float(result.p_value), exact=result.exact, n_perm=result.n_perm,
        seed=describe_seed(seed) if test == "permutation" and not result.exact else "",
        effects=tuple(effects), headline=headline, ci_level=confidence,
        bf10=bf10, bf_prior=float(bf_prior), bf_t=bf_t,
        shapiro_w_treated=sw1, shapiro_treated_p_value=sp1, shapiro_w_control=sw2,
        shapiro_control_p_value=sp2, levene_f=lev_f,
        levene_p_value=lev_p,
        n_dropped=sum(groups.dropped.values()), dropped=dict(groups.dropped),
    )
