r"""Change over time: one group before and after, and the difference in differences.

:func:`pre_post` describes how one group changed between two measurements on the same
scale (entry GPA and year-1 GPA of the mentees): the paired t test, the Wilcoxon
signed-rank test as R's ``wilcox.test`` computes it, the mean change and the
standardised changes :math:`d_z` and :math:`d_{av}` (Lakens, 2013) with intervals.
A single group's change cannot be credited to the programme: maturation, regression
to the mean and changes of curriculum or exams move scores too (REFERENCES.md §3.4).

:func:`diff_in_diff` adds a comparison group: the programme's effect is estimated as
the mentees' change minus the comparison group's change, the group x time interaction
of a least-squares model, with standard errors clustered by student (or by a given
cluster such as the mentor group). It rests on the parallel-trends assumption, which
the result states in words.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from peereval._effects import hedges_j, noncentral_t_interval
from peereval._format import count_of, fmt, fmt_ci, fmt_p
from peereval._options import Choice, checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.labels import normalize_label
from peereval.outcomes._ancova import dropped_text, require_columns
from peereval.outcomes._groups import (
    LEVEL,
    frame_of,
    level_text,
    numeric_values,
    two_groups,
)

__all__ = ["DiffInDiffResult", "PrePostResult", "diff_in_diff", "pre_post"]

#: Time labels read as the first (before) and the second (after) measurement.
BEFORE_WORDS = frozenset({"pre", "before", "baseline", "base", "entry", "t0", "time 1",
                          "time1", "pretest", "pre-test", "start", "قبل", "پیش آزمون"})
AFTER_WORDS = frozenset({"post", "after", "follow-up", "followup", "follow up", "t1",
                         "time 2", "time2", "posttest", "post-test", "end", "exit", "بعد",
                         "پس آزمون"})
FEW_CLUSTERS = 20
FEW_CLUSTERS_PER_ARM = 5


# ------------------------------------------------------------ signed-rank test


def _signrank_cdf(v: float, n: int) -> float:
    """P(V ≤ v) of the signed-rank statistic of n untied, non-zero differences."""
    if v < 0:
        return 0.0
    top = n * (n + 1) // 2
    counts = np.zeros(top + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[:-k].copy()
    return float(counts[: math.floor(v) + 1].sum() / 2.0**n)


@dataclass(frozen=True)
class _Wilcoxon:
    v: float
    p: float
    method: str
    n_nonzero: int
    n_zero: int
    ties: bool
    rank_biserial: float
    rb_low: float
    rb_high: float


def _wilcoxon(diff: np.ndarray, exact: bool | None, correct: bool, level: float
              ) -> _Wilcoxon:
    """The signed-rank test as R's ``wilcox.test(paired = TRUE)`` computes it."""
    zero = diff == 0
    x = diff[~zero]
    n = len(x)
    if n == 0:
        return _Wilcoxon(0.0, float("nan"), "not computed (every difference is 0)", 0,
                         int(zero.sum()), False, float("nan"), float("nan"), float("nan"))
    ranks = stats.rankdata(np.abs(x))
    v = float(ranks[x > 0].sum())
    ties = len(np.unique(ranks)) != n
    use_exact = (n < 50) if exact is None else bool(exact)
    if use_exact and not ties and not zero.any():
        upper = v > n * (n + 1) / 4
        p = 1 - _signrank_cdf(v - 1, n) if upper else _signrank_cdf(v, n)
        p = min(2 * p, 1.0)
        method = "exact"
    else:
        _, tie_counts = np.unique(ranks, return_counts=True)
        z = v - n * (n + 1) / 4
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24
                          - float((tie_counts**3 - tie_counts).sum()) / 48)
        correction = math.copysign(0.5, z) if (correct and z != 0) else 0.0
        z = (z - correction) / sigma
        p = float(2 * min(stats.norm.cdf(z), stats.norm.sf(z)))
        method = "normal approximation" + (" with continuity correction" if correct else "")
        if use_exact:
            why = " and ".join(w for w, hit in (("ties", ties), ("zero differences",
                                                                 zero.any())) if hit)
            method += f" (exact p not available with {why})"
    # matched-pairs rank-biserial correlation (Kerby, 2014), zeros dropped
    total = n * (n + 1) / 2
    r = (v - (total - v)) / total
    se = math.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / total
    zc = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore"):
        centre = np.arctanh(r)
    low, high = float(np.tanh(centre - zc * se)), float(np.tanh(centre + zc * se))
    return _Wilcoxon(v, p, method, n, int(zero.sum()), ties, float(r), low, high)


# ---------------------------------------------------------------------- pre_post


@dataclass(frozen=True, repr=False)
class PrePostResult(Result):
    """Change of one group between two measurements (paired, wide data).

    Attributes
    ----------
    before, after
        The two columns; changes are ``after - before``.
    n, n_dropped, dropped
        Students with both measurements; rows dropped (how many, and why).
    mean_before, sd_before, mean_after, sd_after, r
        Descriptives and the before-after correlation.
    mean_change, sd_change, se_change, ci_low, ci_high, ci_level, t, df, p_value
        Mean change (also ``estimate``) with its interval and the paired t test.
    d_z, d_z_ci_low, d_z_ci_high
        Mean change over the SD of the changes, with the exact noncentral-t interval.
    d_av, d_av_ci_low, d_av_ci_high, g_av, g_av_ci_low, g_av_ci_high
        Mean change over the mean of the two SDs (Lakens, 2013) and its Hedges
        correction.
    wilcoxon_v, wilcoxon_p_value, wilcoxon_method, n_zero, ties
        Signed-rank statistic V (sum of the ranks of positive changes), p value and
        how it was computed; zero changes are dropped, as in R.
    rank_biserial, rank_biserial_ci_low, rank_biserial_ci_high
        Matched-pairs rank-biserial correlation (Kerby, 2014) with a Fisher-z interval.
    note
        What a single-group design can and cannot show.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import pre_post
    >>> records = peereval.load_sample().records.data
    >>> result = pre_post(records[records["mentored"] == "yes"], "gpa_entry", "gpa_year1")
    >>> result.n, round(result.mean_change, 3), round(result.d_z, 3)
    (163, 0.077, 0.273)
    """

    before: str
    after: str
    ci_level: float
    n: int
    dropped: dict[str, int]
    mean_before: float
    sd_before: float
    mean_after: float
    sd_after: float
    r: float
    mean_change: float
    sd_change: float
    se_change: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p_value: float
    d_z: float
    d_z_ci_low: float
    d_z_ci_high: float
    d_av: float
    d_av_ci_low: float
    d_av_ci_high: float
    g_av: float
    g_av_ci_low: float
    g_av_ci_high: float
    wilcoxon_v: float
    wilcoxon_p_value: float
    wilcoxon_method: str
    n_zero: int
    ties: bool
    rank_biserial: float
    rank_biserial_ci_low: float
    rank_biserial_ci_high: float
    note: str
    title: str = field(default="Pre/post change in one group (paired)")

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")
    wilcoxon_p = deprecated_alias("wilcoxon_p_value")

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate: mean change, d_z, d_av, g_av, rank-biserial r."""
        t_test = ("paired t", self.t, self.df, self.p_value)
        rows = [
            ("mean change", self.mean_change, self.ci_low, self.ci_high, *t_test),
            ("d_z", self.d_z, self.d_z_ci_low, self.d_z_ci_high, *t_test),
            ("d_av", self.d_av, self.d_av_ci_low, self.d_av_ci_high, *t_test),
            ("g_av", self.g_av, self.g_av_ci_low, self.g_av_ci_high, *t_test),
            ("rank-biserial r", self.rank_biserial, self.rank_biserial_ci_low,
             self.rank_biserial_ci_high, "Wilcoxon signed-rank V", self.wilcoxon_v,
             float("nan"), self.wilcoxon_p_value),
        ]
        frame = pd.DataFrame(rows, columns=["measure", "estimate", "ci_low", "ci_high",
                                            "test", "statistic", "df", "p_value"])
        frame["n"] = self.n
        return frame

    @property
    def estimate(self) -> float:
        """The mean change (the same as :attr:`mean_change`)."""
        return self.mean_change

    @property
    def n_dropped(self) -> int:
        """Students left out for a missing measurement (reasons in :attr:`dropped`)."""
        return int(sum(self.dropped.values()))

    @property
    def descriptives(self) -> pd.DataFrame:
        """Mean and SD at each time."""
        return pd.DataFrame({"time": ["before", "after"], "column": [self.before, self.after],
                             "n": [self.n, self.n], "mean": [self.mean_before, self.mean_after],
                             "sd": [self.sd_before, self.sd_after]})

    def apa(self) -> str:
        """Means, mean change with interval, t test, d_z and the Wilcoxon test."""
        return (
            f"{self.before} M = {fmt(self.mean_before)} (SD = {fmt(self.sd_before)}), "
            f"{self.after} M = {fmt(self.mean_after)} (SD = {fmt(self.sd_after)}), "
            f"n = {self.n}: mean change = {fmt(self.mean_change)}, "
            f"{fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)}, "
            f"t({fmt(self.df, 0)}) = {fmt(self.t)}, {fmt_p(self.p_value)}, "
            f"d_z = {fmt(self.d_z)}, "
            f"{fmt_ci(self.d_z_ci_low, self.d_z_ci_high, level=self.ci_level)}; Wilcoxon "
            f"V = {fmt(self.wilcoxon_v, 1 if self.wilcoxon_v % 1 else 0)}, "
            f"{fmt_p(self.wilcoxon_p_value)}"
        )

    def methods(self) -> str:
        """The methods sentence, from the tests and intervals of this result.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> mentored = records[records["mentored"] == "yes"]
        >>> print(pre_post(mentored, "gpa_entry", "gpa_year1").methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        The change from gpa_entry to gpa_year1 of 163 students was tested by the
        paired t test, with a 95% t interval for the mean change, the standardised
        change d_z with an exact noncentral-t interval, d_av and g_av (Lakens 2013),
        and by the Wilcoxon signed-rank test (normal approximation with continuity
        correction) with the matched-pairs rank-biserial correlation (Kerby 2014).
        """
        text = (f"The change from {self.before} to {self.after} of {self.n} students was "
                f"tested by the paired t test, with a {self.ci_level:.0%} t interval for "
                f"the mean change, the standardised change d_z with an exact noncentral-t "
                f"interval, d_av and g_av (Lakens 2013), and by the Wilcoxon signed-rank "
                f"test ({self.wilcoxon_method}) with the matched-pairs rank-biserial "
                f"correlation (Kerby 2014).")
        if self.n_dropped:
            text += " " + dropped_text(self.dropped) + "."
        return text


def _column_pair(frame: pd.DataFrame, before: str, after: str
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, int], pd.Index]:
    for name, role in ((before, "before"), (after, "after")):
        if not isinstance(name, str):
            raise PeerevalError(f"{role} must be a column name, not {name!r}")
    require_columns(frame, [before], "'before'")
    require_columns(frame, [after], "'after'")
    if before == after:
        raise PeerevalError(f"before and after are the same column '{before}'",
                            column=before, hint="name the two measurements' columns")
    b_all = numeric_values(frame[before], before)
    a_all = numeric_values(frame[after], after)
    dropped = {}
    miss_b, miss_a = np.isnan(b_all), np.isnan(a_all)
    if miss_b.any():
        dropped[f"missing '{before}'"] = int(miss_b.sum())
    if (miss_a & ~miss_b).any():
        dropped[f"missing '{after}'"] = int((miss_a & ~miss_b).sum())
    keep = ~(miss_b | miss_a)
    return b_all[keep], a_all[keep], dropped, frame.index[keep]


@renamed(level="confidence")
@checked(confidence=LEVEL, exact=Choice((None, True, False)))
def pre_post(
    data: Any,
    before: str,
    after: str,
    *,
    confidence: float = 0.95,
    exact: bool | None = None,
    correct: bool = True,
) -> PrePostResult:
    r"""How one group changed between two measurements (wide data, one row per student).

    Parameters
    ----------
    data
        One row per student (a DataFrame or Records); select the group first, e.g.
        ``records[records["mentored"] == "yes"]``.
    before, after
        Columns of the two measurements on the same scale. Changes are
        ``after - before``; students missing either are dropped and counted.
    confidence
        Confidence level of the intervals.
    exact
        Wilcoxon p value: None (default) computes it exactly when fewer than 50
        non-zero changes remain and none are tied, else by the normal approximation,
        as R's ``wilcox.test``; True asks for the exact p (still approximate with ties
        or zeros, as in R); False always approximates.
    correct
        Continuity correction of the normal approximation (R's default, True).

    Returns
    -------
    PrePostResult

    Raises
    ------
    PeerevalError
        Unknown or non-numeric columns, the same column twice, fewer than two
        students with both measurements, or every change identical.

    Notes
    -----
    With changes :math:`D_i = \text{after}_i - \text{before}_i`, mean :math:`\bar D`
    and SD :math:`s_D`, the paired t test is :math:`t = \bar D / (s_D/\sqrt n)` on
    :math:`n - 1` df.

    Standardised changes (Lakens, 2013): :math:`d_z = \bar D / s_D = t/\sqrt n`, whose
    interval inverts the noncentral t distribution of :math:`t` (exact under
    normality), and :math:`d_{av} = \bar D / ((s_1 + s_2)/2)`, which is on the scale
    of a between-group d and so comparable across designs. Its interval rescales that
    of :math:`d_z` by :math:`s_D / ((s_1+s_2)/2)`, treating the ratio of the two
    standardisers as fixed (cf. Algina & Keselman, 2003): a good approximation for
    moderate n. :math:`g_{av} = J(n-1)\, d_{av}`, with
    :math:`J(m) = \Gamma(m/2)/(\sqrt{m/2}\,\Gamma((m-1)/2))`.

    Wilcoxon signed-rank test, as R computes it: zero changes are dropped; V is the
    sum of the ranks of :math:`|D_i|` (average ranks for ties) over positive changes.
    The exact p (when chosen) doubles the smaller tail of the null distribution of V.
    Otherwise :math:`z = (V - n(n+1)/4 - c) / \sigma` with
    :math:`\sigma^2 = n(n+1)(2n+1)/24 - \sum (t^3 - t)/48` over tie groups of size t
    and continuity correction :math:`c = \operatorname{sign}(\cdot)/2`. The
    rank-biserial correlation is :math:`r = (R_+ - R_-)/(R_+ + R_-)` (Kerby, 2014) with
    interval :math:`\tanh(\operatorname{atanh} r \pm z\,SE)`,
    :math:`SE = \sqrt{(2n^3 + 3n^2 + n)/6} / (n(n+1)/2)` with n the non-zero changes,
    as in R's effectsize (whose 0.8 series counts zero changes in this n, though not
    in r; the intervals then differ slightly).

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
    cumulative science: A practical primer for t-tests and ANOVAs. *Frontiers in
    Psychology, 4*, 863.

    Algina, J., & Keselman, H. J. (2003). Approximate confidence intervals for effect
    sizes. *Educational and Psychological Measurement, 63*(4), 537-553.

    Kerby, D. S. (2014). The simple difference formula: An approach to teaching
    nonparametric correlation. *Comprehensive Psychology, 3*, 11.IT.3.1.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import pre_post
    >>> records = peereval.load_sample().records.data
    >>> mentees = records[records["mentored"] == "yes"]
    >>> # R: t.test(gpa_year1, gpa_entry, paired = TRUE); wilcox.test(..., paired = TRUE)
    >>> result = pre_post(mentees, "gpa_entry", "gpa_year1")
    >>> result.to_frame()[["measure", "estimate", "ci_low", "ci_high"]].round(3)
               measure  estimate  ci_low  ci_high
    0      mean change     0.077   0.033    0.120
    1              d_z     0.273   0.117    0.429
    2             d_av     0.181   0.077    0.284
    3             g_av     0.180   0.077    0.283
    4  rank-biserial r     0.297   0.127    0.450
    >>> result.wilcoxon_method
    'normal approximation with continuity correction'
    """
    frame = frame_of(data)
    b, a, dropped, _ = _column_pair(frame, before, after)
    n = len(b)
    if n < 2:
        raise PeerevalError(f"{n} student(s) have both '{before}' and '{after}'; at least "
                            "2 are needed", hint="check the missing values of the columns")
    diff = a - b
    sd_d = float(diff.std(ddof=1))
    if sd_d == 0:
        raise PeerevalError(
            f"every student changed by the same amount ({diff[0]:g}), so the change has "
            "no spread and no test is possible",
            hint="check that before and after are different measurements")
    mean_d = float(diff.mean())
    se = sd_d / math.sqrt(n)
    df = n - 1
    t = mean_d / se
    p = float(2 * stats.t.sf(abs(t), df))
    crit = float(stats.t.ppf(0.5 + confidence / 2, df))
    d_z = mean_d / sd_d
    lam_low, lam_high = noncentral_t_interval(t, df, confidence)
    dz_low, dz_high = lam_low / math.sqrt(n), lam_high / math.sqrt(n)
    sd_b, sd_a = float(b.std(ddof=1)), float(a.std(ddof=1))
    sd_av = (sd_b + sd_a) / 2
    ratio = sd_d / sd_av if sd_av > 0 else float("nan")
    j = hedges_j(df) if df > 1 else float("nan")
    w = _wilcoxon(diff, exact, correct, confidence)
    r = float(np.corrcoef(b, a)[0, 1]) if sd_b > 0 and sd_a > 0 else float("nan")
    note = ("A change within one group cannot be credited to the programme: maturation, "
            "regression to the mean (especially if students joined because of low scores), "
            "and changes of curriculum, exams or grading move scores too. Compare the "
            "change with that of a comparison group (diff_in_diff) or adjust the follow-up "
            "for the baseline (ancova).")
    if dropped:
        note += " " + dropped_text(dropped) + "."
    return PrePostResult(
        before=before, after=after, ci_level=confidence, n=n, dropped=dropped,
        mean_before=float(b.mean()), sd_before=sd_b, mean_after=float(a.mean()),
        sd_after=sd_a, r=r, mean_change=mean_d, sd_change=sd_d, se_change=se,
        ci_low=mean_d - crit * se, ci_high=mean_d + crit * se, t=t, df=float(df), p_value=p,
        d_z=d_z, d_z_ci_low=dz_low, d_z_ci_high=dz_high, d_av=mean_d / sd_av,
        d_av_ci_low=dz_low * ratio, d_av_ci_high=dz_high * ratio,
        g_av=j * mean_d / sd_av, g_av_ci_low=j * dz_low * ratio,
        g_av_ci_high=j * dz_high * ratio, wilcoxon_v=w.v, wilcoxon_p_value=w.p,
        wilcoxon_method=w.method, n_zero=w.n_zero, ties=w.ties,
        rank_biserial=w.rank_biserial, rank_biserial_ci_low=w.rb_low,
        rank_biserial_ci_high=w.rb_high, note=note,
    )


# ------------------------------------------------------------------ diff_in_diff


PARALLEL_TRENDS = (
    "Parallel trends: the estimate is the programme's effect only if, without the "
    "programme, the {treated} group's mean would have changed by as much as the "
    "{control} group's. With two time points this cannot be tested. It is less "
    "plausible when the groups differed at baseline (here by {baseline} on the "
    "outcome's scale), when students joined because of low or high scores (regression "
    "to the mean), or when something else changed for one group only."
)


@dataclass(frozen=True, repr=False)
class DiffInDiffResult(Result):
    """Difference in differences: the treated group's change minus the comparison's.

    Attributes
    ----------
    estimate, se, t, df, p_value, ci_low, ci_high, ci_level
        The DiD estimate (group x time interaction) with its cluster-robust
        standard error; t on ``df`` = number of clusters - 1.
    baseline_difference, baseline_ci_low, baseline_ci_high
        Treated minus comparison at the first time, with its interval.
    means
        Group-by-time table: n, mean, SD.
    coefficients
        The regression: intercept, group, time, group x time.
    vcov
        How standard errors were computed ("cluster-robust (CR1) by ...", or "HC1").
    n_rows, n_units, n_clusters, n_clusters_treated, n_clusters_control
        Observations, students and clusters used.
    n, n_dropped, dropped
        Students used (``n_units``; the rows when there is no unit column), rows
        left out (how many, and why).
    assumption
        The parallel-trends assumption, in words.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import diff_in_diff
    >>> records = peereval.load_sample().records.data
    >>> result = diff_in_diff(records, group="mentored", before="gpa_entry",
    ...                       after="gpa_year1")
    >>> round(result.estimate, 3), result.n_units
    (0.09, 300)
    """

    outcome: str
    group: str
    time: str
    treated: Any
    control: Any
    before_level: Any
    after_level: Any
    ci_level: float
    estimate: float
    se: float
    t: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    baseline_difference: float
    baseline_ci_low: float
    baseline_ci_high: float
    means: pd.DataFrame
    coefficients: pd.DataFrame
    vcov: str
    n_rows: int
    n_units: int | None
    n_clusters: int | None
    n_clusters_treated: int | None
    n_clusters_control: int | None
    dropped: dict[str, int]
    group_rule: str
    time_rule: str
    assumption: str
    notes: tuple[str, ...]
    layout: str = "long"
    title: str = field(default="Difference in differences")

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")

    @property
    def n(self) -> int:
        """Students used (``n_units``), or the rows when no unit column was given."""
        return self.n_units if self.n_units is not None else self.n_rows

    @property
    def n_dropped(self) -> int:
        """Rows left out (the reasons are in :attr:`dropped`)."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        """The group-by-time means, then the changes and the DiD row."""
        m = self.means
        rows = []
        for label in (self.treated, self.control):
            sub = m[m["group"] == label].set_index("time")
            change = sub.loc[self.after_level, "mean"] - sub.loc[self.before_level, "mean"]
            rows.append({"group": label, "n_before": int(sub.loc[self.before_level, "n"]),
                         "mean_before": sub.loc[self.before_level, "mean"],
                         "n_after": int(sub.loc[self.after_level, "n"]),
                         "mean_after": sub.loc[self.after_level, "mean"], "change": change,
                         "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                         "p_value": np.nan})
        rows.append({"group": "difference in differences", "n_before": np.nan,
                     "mean_before": np.nan, "n_after": np.nan, "mean_after": np.nan,
                     "change": self.estimate, "se": self.se, "ci_low": self.ci_low,
                     "ci_high": self.ci_high, "p_value": self.p_value})
        frame = pd.DataFrame(rows)
        for col in ("n_before", "n_after"):
            frame[col] = frame[col].astype("Int64")
        return frame

    def apa(self) -> str:
        """The DiD estimate with interval and test."""
        what = "" if self.layout == "wide" else f" in {self.outcome}"
        return (
            f"The change{what} from {level_text(self.before_level)} to "
            f"{level_text(self.after_level)} was {fmt(self.estimate)} larger in "
            f"{level_text(self.treated)} than in {level_text(self.control)}, "
            f"{fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)}, "
            f"t({fmt(self.df, 0)}) = {fmt(self.t)}, {fmt_p(self.p_value)} "
            f"(difference in differences, {self.vcov} standard errors)"
        )

    def methods(self) -> str:
        """The methods sentence: the model, its standard errors and its assumption.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> result = diff_in_diff(records, group="mentored", before="gpa_entry",
        ...                       after="gpa_year1")
        >>> print(result.methods())  # doctest: +NORMALIZE_WHITESPACE
        The difference in differences (the group x time interaction of a linear
        regression on group, time and their product) compared the change from
        gpa_entry to gpa_year1 between yes and no in 300 students, with
        cluster-robust (CR1) by student standard errors and a 95% interval; it
        assumes parallel trends.
        """
        text = (f"The difference in differences (the group x time interaction of a "
                f"linear regression on group, time and their product) compared the change "
                f"from {level_text(self.before_level)} to {level_text(self.after_level)} "
                f"between {level_text(self.treated)} and {level_text(self.control)} in "
                f"{self.n} students, with {self.vcov} standard errors and a "
                f"{self.ci_level:.0%} interval; it assumes parallel trends.")
        if self.n_dropped:
            text += " " + dropped_text(self.dropped) + "."
        return text



def _time_order(levels: list[Any], post: Any, column: str) -> tuple[Any, Any, str]:
    if post is not None:
        hits = [lv for lv in levels if lv == post or str(lv) == str(post)]
        if not hits:
            raise PeerevalError(f"post = {post!r} is not a value of '{column}'",
                                column=column, value=post,
                                hint="values found: " + ", ".join(map(repr, levels)))
        other = next(lv for lv in levels if not (lv == hits[0] or str(lv) == str(hits[0])))
        return other, hits[0], f"'{column}' = {level_text(hits[0])} is the later time (given)"
    if all(isinstance(lv, int | float | np.integer | np.floating) for lv in levels):
        lo, hi = sorted(levels)
        return lo, hi, f"'{column}' = {level_text(hi)} is the later time (the larger value)"
    keys = {lv: normalize_label(lv) for lv in levels}
    pre = [lv for lv in levels if keys[lv] in BEFORE_WORDS]
    aft = [lv for lv in levels if keys[lv] in AFTER_WORDS]
    if len(pre) == 1 and len(aft) == 1:
        return pre[0], aft[0], f"'{column}' = {level_text(aft[0])} is the later time (read " \
                               "from the label)"
    lo, hi = sorted(levels, key=str)
    return lo, hi, (f"'{column}' = {level_text(hi)} is taken as the later time (the second in "
                    "sorted order; pass post= to choose)")


@renamed(level="confidence")
@checked(confidence=LEVEL)
def diff_in_diff(
    data: Any,
    outcome: str | None = None,
    group: str | None = None,
    time: str | None = None,
    *,
    before: str | None = None,
    after: str | None = None,
    unit: str | None = None,
    cluster: str | None = None,
    treated: Any = None,
    post: Any = None,
    confidence: float = 0.95,
) -> DiffInDiffResult:
    r"""Difference in differences of two groups at two times.

    Parameters
    ----------
    data
        *Long* data, one row per student and time, with ``outcome``, ``group`` and
        ``time`` columns (and ``unit`` naming the student when students are measured
        twice); or *wide* data, one row per student, with ``group`` and the two
        measurements named by ``before`` and ``after`` (then ``outcome`` and
        ``time`` are not given).
    outcome, group, time
        Long data: the outcome, the two-group column and the two-time column.
        Wide data: ``group`` only.
    before, after
        Wide data: the columns of the first and second measurement; students missing
        either are dropped and counted.
    unit
        Long data: the student identifier, so that a student's two rows are treated
        as correlated. Wide data: an optional identifier column (default: the row).
    cluster
        Optional column of a coarser cluster (the mentor group) to cluster standard
        errors by instead of the student. Rows with no cluster (non-mentored
        students) each form their own cluster (that of their student).
    treated
        The treated group's label (read from the labels when not given).
    post
        Long data: the value of ``time`` that is the later measurement. Numeric times
        are ordered by value, labels such as pre/post or before/after are read, and
        otherwise the second in sorted order is taken (and said).
    confidence
        Confidence level.

    Returns
    -------
    DiffInDiffResult

    Raises
    ------
    PeerevalError
        Unknown or non-numeric columns, long and wide arguments mixed, a group or time
        column without exactly two values, a student measured twice at one time or
        in both groups.

    Warns
    -----
    PeerevalWarning
        Fewer than 20 clusters, or fewer than 5 in one group: cluster-robust standard
        errors are then too small.

    Notes
    -----
    The model is :math:`y_{it} = \beta_0 + \beta_1 T_i + \beta_2 P_t +
    \delta\,T_i P_t + \varepsilon_{it}` with :math:`T_i` = 1 for the treated group
    and :math:`P_t` = 1 at the later time; :math:`\hat\delta` equals
    :math:`(\bar y_{T,post} - \bar y_{T,pre}) - (\bar y_{C,post} - \bar y_{C,pre})`.
    Its standard error is cluster-robust (Liang & Zeger, 1986) with the CR1
    small-sample factor :math:`\frac{G}{G-1}\frac{N-1}{N-K}` (Stata's, statsmodels'
    and ``sandwich::vcovCL``'s default), and tests and intervals use the t
    distribution on :math:`G - 1` df (Cameron & Miller, 2015). Clusters are the
    ``cluster`` values if given, else the students (``unit``, or each row of wide
    data); with neither (independent rows, e.g. different cohorts), HC1
    heteroskedasticity-robust errors on the residual df are used.

    With a baseline and one follow-up, ANCOVA (:func:`ancova`) is usually more
    precise than DiD and gives a different answer when groups differ at baseline
    (Lord's paradox): DiD assumes parallel trends, ANCOVA assumes that students with
    the same baseline would have had the same expected follow-up.

    References
    ----------
    Angrist, J. D., & Pischke, J.-S. (2009). *Mostly harmless econometrics*, ch. 5.
    Princeton University Press.

    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. *Journal of Human Resources, 50*(2), 317-372.

    Examples
    --------
    Wide data: entry and year-1 GPA of mentored and non-mentored students.

    >>> import peereval
    >>> from peereval.outcomes import diff_in_diff
    >>> records = peereval.load_sample().records.data
    >>> # R: coeftest(lm(y ~ treat * post, long), vcovCL(fit, cluster = ~id), df = G - 1)
    >>> result = diff_in_diff(records, group="mentored", before="gpa_entry",
    ...                       after="gpa_year1")
    >>> result.to_frame()[["group", "mean_before", "mean_after", "change"]].round(3)
                           group  mean_before  mean_after  change
    0                        yes        3.165       3.241   0.077
    1                         no        2.860       2.846  -0.014
    2  difference in differences          NaN         NaN   0.090
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    The change from gpa_entry to gpa_year1 was 0.09 larger in yes than in no, 95% CI
    [0.03, 0.15], t(299) = 2.80, p = .005 (difference in differences, cluster-robust
    (CR1) by student standard errors)
    """
    frame = frame_of(data)
    wide = before is not None or after is not None
    if group is None:
        raise PeerevalError("diff_in_diff needs group= (the column holding the two groups)")
    if wide:
        if before is None or after is None:
            raise PeerevalError("wide data need both before= and after=")
        if outcome is not None or time is not None:
            raise PeerevalError(
                "give either long data (outcome=, time=) or wide data (before=, after=), "
                "not both")
        long, unit_col, dropped, rule_g, treated_lv, control_lv, time_rule = _wide_to_long(
            frame, group, before, after, unit, cluster, treated)
        outcome_name, time_name = after, "time"
        before_lv, after_lv = before, after
    else:
        if outcome is None or time is None:
            raise PeerevalError("long data need outcome= and time= (or give wide data "
                                "with before= and after=)")
        for name, role in ((outcome, "outcome"), (group, "group"), (time, "time")):
            if not isinstance(name, str):
                raise PeerevalError(f"{role} must be a column name, not {name!r}")
        require_columns(frame, [outcome], "outcome")
        require_columns(frame, [time], "time")
        extra = [c for c in (unit, cluster) if c is not None]
        require_columns(frame, extra, "unit/cluster")
        work, groups = two_groups(frame, group, [outcome, time], treated=treated)
        y = numeric_values(work[outcome], outcome)
        levels = list(pd.unique(work[time]))
        if len(levels) != 2:
            raise PeerevalError(f"'{time}' must hold exactly two times; it holds {len(levels)}",
                                column=time, hint="values found: "
                                + ", ".join(map(repr, levels[:10])))
        before_lv, after_lv, time_rule = _time_order(levels, post, time)
        long = pd.DataFrame({"y": y, "treat": groups.mask.to_numpy().astype(float),
                             "post": (work[time] == after_lv).to_numpy().astype(float)},
                            index=work.index)
        if unit is not None:
            long["unit"] = work[unit].to_numpy()
            if long["unit"].isna().any():
                raise PeerevalError(f"'{unit}' is missing on some rows", column=unit,
                                    hint="give every row its student id")
            _check_units(long, unit)
        if cluster is not None:
            long["cluster"] = work[cluster].to_numpy()
        unit_col = "unit" if unit is not None else None
        dropped = dict(groups.dropped)
        rule_g, treated_lv, control_lv = groups.rule, groups.treated, groups.control
        outcome_name, time_name = outcome, time
    return _fit_did(long, unit_col, cluster, outcome_name, group, time_name, treated_lv,
                    control_lv, before_lv, after_lv, confidence, dropped, rule_g, time_rule,
                    wide)


def _wide_to_long(frame: pd.DataFrame, group: str, before: str, after: str,
                  unit: str | None, cluster: str | None, treated: Any):
    require_columns(frame, [group], "group")
    extra = [c for c in (unit, cluster) if c is not None]
    require_columns(frame, extra, "unit/cluster")
    b, a, dropped_pair, kept = _column_pair(frame, before, after)
    sub = frame.loc[kept]
    work, groups = two_groups(sub, group, [], treated=treated)
    dropped = dict(dropped_pair)
    dropped.update(groups.dropped)
    pos = sub.index.get_indexer(work.index) if not sub.index.has_duplicates else None
    if pos is None:
        raise PeerevalError("the data's row labels are duplicated",
                            hint="reset the index (data.reset_index(drop=True))")
    b, a = b[pos], a[pos]
    ids = work[unit].to_numpy() if unit is not None else np.arange(len(work))
    if unit is not None and pd.Series(ids).duplicated().any():
        raise PeerevalError(f"'{unit}' repeats an id in wide data", column=unit,
                            hint="wide data have one row per student")
    treat = groups.mask.to_numpy().astype(float)
    parts = []
    for post_value, values in ((0.0, b), (1.0, a)):
        part = pd.DataFrame({"y": values, "treat": treat, "post": post_value, "unit": ids})
        if cluster is not None:
            part["cluster"] = work[cluster].to_numpy()
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    rule_t = f"'{before}' is the first and '{after}' the second measurement"
    return long, "unit", dropped, groups.rule, groups.treated, groups.control, rule_t


def _check_units(long: pd.DataFrame, unit: str) -> None:
    twice = long.duplicated(["unit", "post"])
    if twice.any():
        first = long.loc[twice, "unit"].iloc[0]
        raise PeerevalError(f"student {first!r} has two rows at the same time", column=unit,
                            value=first, hint="keep one row per student and time")
    switch = long.groupby("unit")["treat"].nunique() > 1
    if switch.any():
        first = switch.index[switch][0]
        raise PeerevalError(f"student {first!r} is in both groups", column=unit, value=first,
                            hint="a student's group must be the same at both times")


def _did_clusters(long: pd.DataFrame, unit_col: str | None, cluster: str | None,
                  notes: list[str]) -> tuple[np.ndarray | None, str]:
    """The cluster of each row for the standard errors, and how they are computed in
    words (``""`` when rows are independent); notes what the reader should know."""
    clusters = None
    vcov = ""
    if cluster is not None:
        labels = long["cluster"].astype(object)
        own = labels.isna()
        if own.any():
            base = long["unit"] if unit_col else pd.Series(np.arange(len(long)),
                                                           index=long.index)
            labels = labels.where(~own, base.map(lambda u: ("own", u)))
            n_own = int(base[own].nunique())
            notes.append(f"{count_of(n_own, 'student')} with no '{cluster}' "
                         f"{'forms its' if n_own == 1 else 'each form their'} own cluster")
        clusters = pd.factorize(labels.map(lambda v: v if isinstance(v, tuple)
                                           else ("cluster", v)))[0]
        vcov = f"cluster-robust (CR1) by '{cluster}'"
        if unit_col:
            per_unit = pd.DataFrame({"u": long["unit"], "c": clusters}).groupby("u")["c"]
            if (per_unit.nunique() > 1).any():
                notes.append("some students belong to two clusters; errors are clustered by "
                             f"'{cluster}' only")
    elif unit_col:
        clusters = pd.factorize(long["unit"])[0]
        vcov = "cluster-robust (CR1) by student"
    return clusters, vcov


def _did_means(long: pd.DataFrame, treated: Any, control: Any, before_lv: Any,
               after_lv: Any) -> pd.DataFrame:
    """The group-by-time table (n, mean, SD), treated first, before first."""
    means = (long.groupby(["treat", "post"])["y"].agg(["count", "mean", "std"])
             .reset_index())
    means = pd.DataFrame({
        "group": np.where(means["treat"] == 1, treated, control).astype(object),
        "time": np.where(means["post"] == 1, after_lv, before_lv).astype(object),
        "n": means["count"].astype(int), "mean": means["mean"], "sd": means["std"]})
    means["_o"] = [(0 if gr == treated else 1, 0 if t == before_lv else 1)
                   for gr, t in zip(means["group"], means["time"], strict=True)]
    means = means.sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return means


def _fit_did(long: pd.DataFrame, unit_col: str | None, cluster: str | None, outcome: str,
             group: str, time: str, treated: Any, control: Any, before_lv: Any,
             after_lv: Any, level: float, dropped: dict[str, int], group_rule: str,
             time_rule: str, wide: bool) -> DiffInDiffResult:
    import statsmodels.api as sm

    cells = long.groupby(["treat", "post"])["y"]
    if cells.size().reindex(pd.MultiIndex.from_product([[0.0, 1.0], [0.0, 1.0]])).isna().any():
        raise PeerevalError("every group needs observations at both times",
                            hint="check the time and group columns")
    notes = [group_rule, time_rule]
    x = np.column_stack([np.ones(len(long)), long["treat"], long["post"],
                         long["treat"] * long["post"]])
    y = long["y"].to_numpy()
    model = sm.OLS(y, x)
    n_units = int(long["unit"].nunique()) if unit_col else None
    clusters, vcov = _did_clusters(long, unit_col, cluster, notes)
    if clusters is not None:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
        g = len(np.unique(clusters))
        df = float(g - 1)
        treat_arr = long["treat"].to_numpy() == 1
        g_t = len(np.unique(clusters[treat_arr]))
        g_c = len(np.unique(clusters[~treat_arr]))
    else:
        fit = model.fit(cov_type="HC1", use_t=True)
        vcov = "HC1 heteroskedasticity-robust"
        g = g_t = g_c = None
        df = float(fit.df_resid)
        notes.append("no unit or cluster given: rows are treated as independent "
                     "(repeated cross-sections)")
    params = np.asarray(fit.params)
    bse = np.asarray(fit.bse)
    crit = float(stats.t.ppf(0.5 + level / 2, df))
    tvals = params / bse
    pvals = 2 * stats.t.sf(np.abs(tvals), df)
    names = ["(Intercept)", f"{group}[{level_text(treated)}]", f"{time}[{level_text(after_lv)}]",
             f"{group}[{level_text(treated)}]:{time}[{level_text(after_lv)}]"]
    coefficients = pd.DataFrame({"term": names, "estimate": params, "se": bse, "t": tvals,
                                 "p_value": pvals, "ci_low": params - crit * bse,
                                 "ci_high": params + crit * bse})
    if g is not None and (g < FEW_CLUSTERS or min(g_t, g_c) < FEW_CLUSTERS_PER_ARM):
        warnings.warn(
            f"only {g} clusters ({g_t} in {level_text(treated)}, {g_c} in {level_text(control)}): "
            "cluster-robust standard errors are biased downwards with few clusters, "
            "especially few treated ones, so the interval is too narrow and p too small. "
            "Treat the result as approximate; a wild cluster bootstrap (Cameron, Gelbach "
            "& Miller, 2008) or more clusters is the remedy.",
            PeerevalWarning, stacklevel=user_stacklevel())
    means = _did_means(long, treated, control, before_lv, after_lv)
    if dropped:
        notes.append(dropped_text(dropped))
    base = float(params[1])
    assumption = PARALLEL_TRENDS.format(treated=level_text(treated), control=level_text(control),
                                        baseline=fmt(base))
    return DiffInDiffResult(
        outcome=outcome, group=group, time=time, treated=treated, control=control,
        before_level=before_lv, after_level=after_lv, ci_level=level,
        estimate=float(params[3]), se=float(bse[3]), t=float(tvals[3]), df=df,
        p_value=float(pvals[3]), ci_low=float(params[3] - crit * bse[3]),
        ci_high=float(params[3] + crit * bse[3]), baseline_difference=base,
        baseline_ci_low=float(params[1] - crit * bse[1]),
        baseline_ci_high=float(params[1] + crit * bse[1]), means=means,
        coefficients=coefficients, vcov=vcov, n_rows=len(long), n_units=n_units,
        n_clusters=g, n_clusters_treated=g_t, n_clusters_control=g_c, dropped=dropped,
        group_rule=group_rule, time_rule=time_rule, assumption=assumption,
        notes=tuple(notes), layout="wide" if wide else "long",
    )

