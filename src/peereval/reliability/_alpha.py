"""Cronbach's alpha with intervals, and item analysis."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats

from peereval._bootstrap import (
    bca_interval,
    bootstrap_replicates,
    influence_from_jackknife,
    percentile_interval,
)
from peereval._format import fmt, fmt_ci, interval_words
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, SmallSampleWarning, user_stacklevel
from peereval.reliability._data import (
    cov_to_corr,
    item_frame,
    pairwise_cov,
    prepare,
)

__all__ = ["AlphaResult", "ItemAnalysis", "alpha", "item_analysis"]

Missing = Literal["listwise", "pairwise"]
CI = Literal["feldt", "percentile", "bca"]


# ------------------------------------------------------------------ formulas


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = cov.sum()
    if total <= 0 or not np.isfinite(total):
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def _std_alpha(corr: np.ndarray) -> tuple[float, float, float]:
    """Standardised alpha, mean and median inter-item correlation."""
    k = corr.shape[0]
    off = corr[np.triu_indices(k, 1)]
    mean_r = float(np.mean(off))
    std = k * mean_r / (1 + (k - 1) * mean_r) if 1 + (k - 1) * mean_r != 0 else np.nan
    return float(std), mean_r, float(np.median(off))


def _asymptotic_se(cov: np.ndarray, n: int) -> float:
    """Standard error of alpha under normality (van Zyl, Neudecker & Nel 2000)."""
    k = cov.shape[0]
    total = cov.sum()
    if total <= 0:  # alpha itself is undefined; the caller warns once
        return float("nan")
    trace = np.trace(cov)
    cc = cov @ cov
    q = (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(cc) + trace**2) - 2 * trace * cc.sum())
    return float(np.sqrt(q / n)) if q >= 0 else float("nan")


def feldt_interval(value: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's (1965) interval: 1 - (1 - α)F with F on n - 1 and (n - 1)(k - 1) df.

    Feldt, Woodruff & Salih (1987), *Appl Psychol Meas* 11:93-103.
    """
    tail = (1 - level) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - value) * stats.f.ppf(1 - tail, df1, df2)
    high = 1 - (1 - value) * stats.f.ppf(tail, df1, df2)
    return float(low), float(high)


def _alphas_from_counts(counts: np.ndarray, columns: np.ndarray, k: int) -> np.ndarray:
    """Alpha for each row of resample counts (listwise data, centred columns).

    ``columns`` holds, per observation, the k item values, the sum of their squares
    and the total score and its square; one matrix product gives every weighted sum.
    """
    n = counts.shape[1]
    sums = counts @ columns  # (resamples, k + 3)
    item_sums = sums[:, :k]
    square_sum, total_sum, total_square = sums[:, k], sums[:, k + 1], sums[:, k + 2]
    item_var = (square_sum - (item_sums**2).sum(axis=1) / n) / (n - 1)
    total_var = (total_square - total_sum**2 / n) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return k / (k - 1) * (1 - item_var / total_var)


def _jackknife_listwise(x: np.ndarray) -> np.ndarray:
    """Alpha with each observation left out, for all observations at once."""
    n, k = x.shape
    total = x.sum(axis=1)
    item_s = x.sum(axis=0)
    square_q = (x**2).sum()
    q_i = (x**2).sum(axis=1)
    cross = x @ item_s
    sum_item_var = (square_q - q_i - ((item_s**2).sum() - 2 * cross + q_i) / (n - 1)) / (n - 2)
    total_s, total_q = total.sum(), (total**2).sum()
    total_var = (total_q - total**2 - (total_s - total) ** 2 / (n - 1)) / (n - 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return k / (k - 1) * (1 - sum_item_var / total_var)


# -------------------------------------------------------------------- result


@dataclass(frozen=True, repr=False)
class AlphaResult(Result):
    """Cronbach's alpha.

    Attributes
    ----------
    alpha
        Raw alpha, from the item covariance matrix.
    alpha_std
        Standardised alpha, from the correlation matrix.
    average_r, median_r
        Mean and median inter-item correlation.
    se
        Asymptotic standard error (van Zyl, Neudecker & Nel 2000), assuming normality.
    ci_low, ci_high, ci_method, ci_level
        The interval reported (``feldt``, ``percentile`` or ``bca``) and its level.
    feldt_ci_low, feldt_ci_high
        Feldt's analytic interval, always computed.
    n_items, n, n_dropped, missing
        Items, observations used, observations dropped and the missing-data rule.
        ``listwise``: the complete rows. ``pairwise``: the rows with at least one
        answer (the n of psych's Feldt interval and standard error, see
        :func:`alpha`); rows with no answer at all are dropped and counted.
    n_pairwise_min
        The smallest number of respondents behind any covariance (equal to
        ``n`` with listwise deletion).
    n_boot, seed
        Bootstrap replicates and seed (provenance), when bootstrapped.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import alpha
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
    ...                      "c": [1, 3, 3, 4, 5, 2]})
    >>> result = alpha(data)
    >>> round(result.alpha, 3), result.n_items, result.n, result.ci_method
    (0.932, 3, 6, 'feldt')
    """

    alpha: float
    alpha_std: float
    average_r: float
    median_r: float
    se: float
    ci_low: float
    ci_high: float
    ci_method: str
    ci_level: float
    feldt_ci_low: float
    feldt_ci_high: float
    n_items: int
    n: int
    n_dropped: int
    missing: str
    items: tuple[str, ...]
    n_pairwise_min: int = 0
    n_boot: int = 0
    seed: str = ""
    replicates: np.ndarray | None = field(default=None, compare=False)
    title: str = "Cronbach's alpha"

    level = deprecated_alias("ci_level")
    feldt_low = deprecated_alias("feldt_ci_low")
    feldt_high = deprecated_alias("feldt_ci_high")
    n_obs = deprecated_alias("n")

    @property
    def estimate(self) -> float:
        """Raw alpha (the same as :attr:`alpha`)."""
        return self.alpha

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "alpha": self.alpha, "alpha_std": self.alpha_std, "average_r": self.average_r,
            "median_r": self.median_r, "se": self.se, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "ci_method": self.ci_method, "ci_level": self.ci_level,
            "n_items": self.n_items, "n": self.n,
            "n_pairwise_min": self.n_pairwise_min, "n_dropped": self.n_dropped,
            "missing": self.missing, "n_boot": self.n_boot,
        }])

    def apa(self) -> str:
        return (f"α = {fmt(self.alpha, leading_zero=False)}, "
                f"{fmt_ci(self.ci_low, self.ci_high, leading_zero=False, level=self.ci_level)}"
                f" ({self.n_items} items, n = {self.n})")

    def methods(self) -> str:
        """The methods sentence, from the settings this result was computed with.

        Returns
        -------
        str
            The matrix alpha was computed from, the missing-data rule (and the rows
            it dropped) and the interval: its method, level, resamples and seed.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
        ...                      "c": [1, 3, 3, 4, 5, 2]})
        >>> print(alpha(data).methods())  # doctest: +NORMALIZE_WHITESPACE
        Cronbach's alpha of 3 items from the item covariance matrix (listwise
        deletion, n = 6), with a 95% Feldt (F-based) interval.
        >>> print(alpha(data, ci="bca", n_boot=500, seed=3, confidence=0.9).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Cronbach's alpha of 3 items from the item covariance matrix (listwise
        deletion, n = 6), with a 90% bias-corrected and accelerated (BCa) bootstrap
        interval (500 resamples, seed 3).
        """
        matrix = ("pairwise covariances" if self.missing == "pairwise"
                  else "item covariance matrix")
        dropped = f", {self.n_dropped} dropped" if self.n_dropped else ""
        interval = interval_words(self.ci_method, self.ci_level, n_boot=self.n_boot,
                                  seed=self.seed)
        return (f"Cronbach's alpha of {self.n_items} items from the {matrix} "
                f"({self.missing} deletion, n = {self.n}{dropped}), with {interval}.")


@renamed(level="confidence")
@checked(n_boot=Interval(1, None, integer=True), confidence=Interval(0, 1, closed="neither"))
def alpha(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    missing: Missing = "listwise",
    ci: CI = "feldt",
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: SeedLike = None,
    n_jobs: int | None = None,
) -> AlphaResult:
    """Cronbach's alpha, raw and standardised, with an interval.

    Parameters
    ----------
    data
        A DataFrame with one numeric column per item (reverse-keyed items already
        reversed), a :class:`~peereval.instrument.Scores` or a
        :class:`~peereval.responses.Responses`.
    items
        The columns of one scale; by default every numeric column.
    missing
        ``"listwise"`` (default): respondents with any missing item are dropped and
        counted. ``"pairwise"``: each covariance uses every respondent who answered
        both items, as R's ``psych::alpha`` does by default.
    ci
        ``"feldt"`` (analytic, default), ``"percentile"`` or ``"bca"`` (bootstrap).
    n_boot, seed
        Bootstrap replicates and their seed (an int makes the interval reproducible).
    confidence
        Confidence level.
    n_jobs
        Workers for the bootstrap: None follows the active ``joblib.parallel_config``
        (one process by default), -1 uses every core; inside
        ``joblib.parallel_config(backend="dask")`` the resamples run on a Dask
        cluster. The interval is the same whatever ``n_jobs`` is.

    Returns
    -------
    AlphaResult

    Notes
    -----
    With :math:`k` items, item covariance matrix :math:`C` and correlation matrix
    :math:`R`,

    .. math::

        \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1^\\top C
        \\mathbf 1}\\right),\\qquad
        \\alpha_{std} = \\frac{k \\bar r}{1 + (k-1) \\bar r}

    (Cronbach 1951, *Psychometrika* 16:297-334). Feldt's interval is
    :math:`[1 - (1-\\hat\\alpha) F_{1-\\gamma/2},\\; 1 - (1-\\hat\\alpha) F_{\\gamma/2}]` with
    :math:`F` on :math:`n-1` and :math:`(n-1)(k-1)` degrees of freedom (Feldt,
    Woodruff & Salih 1987). Bootstrap intervals resample respondents; each resample's
    item and total variances come from weighted sums, one matrix product for a
    block of resamples, and the BCa acceleration from the closed-form jackknife
    (Efron 1987).

    With ``missing="pairwise"``, :math:`C` holds pairwise covariances, and the
    :math:`n` of Feldt's interval and of the standard error is the number of
    respondents (rows with at least one answer), as in ``psych::alpha``, which uses
    the number of rows of the data: the covariances are each estimated from at most
    that many answers, and taking the smallest pairwise n instead (as peereval did
    before) would widen the interval by an amount that depends on one item pair
    only. The smallest pairwise n is reported as ``n_pairwise_min``. One deliberate
    difference: psych also counts rows in which no item was answered; peereval drops
    them (they carry no information) and counts them in ``n_dropped``.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import alpha
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
    ...                      "c": [1, 3, 3, 4, 5, 2]})
    >>> result = alpha(data)   # R: psych::alpha(data): raw_alpha 0.9318, Feldt .71-.99
    >>> round(result.alpha, 4), round(result.feldt_ci_low, 4), round(result.feldt_ci_high, 4)
    (0.9318, 0.7109, 0.9897)
    >>> result.apa()
    'α = .93, 95% CI [.71, .99] (3 items, n = 6)'
    """
    frame = item_frame(data, items, what="alpha")
    names = tuple(map(str, frame.columns))
    k = frame.shape[1]
    prepared = prepare(frame, missing, what="alpha")
    x, cov, dropped = prepared.x, prepared.cov, prepared.n_dropped
    n_min = prepared.n_obs           # listwise: complete rows; pairwise: smallest pair n
    n = x.shape[0]                   # listwise: complete rows; pairwise: rows answering
    raw = _alpha_from_cov(cov)
    corr = cov_to_corr(cov)
    std, mean_r, median_r = _std_alpha(corr)
    _warn_if_bad(raw, cov, names)
    if n_min <= k:
        warnings.warn(
            f"alpha from {n_min} respondents for {k} items: with no more respondents than "
            "items the item covariance matrix is singular and alpha is very unstable; "
            "report it as provisional or collect more responses",
            SmallSampleWarning, stacklevel=user_stacklevel())
    feldt = feldt_interval(raw, n, k, confidence) if np.isfinite(raw) else (np.nan, np.nan)
    low, high = feldt
    replicates = None
    if ci != "feldt":
        if n_boot < 100:
            raise PeerevalError(f"n_boot = {n_boot} is too few resamples for an interval",
                                hint="use n_boot=2000 or more")
        rng = as_generator(seed)
        if missing == "listwise":
            replicates = _bootstrap_listwise(x, n_boot, rng, n_jobs)
        else:
            replicates = _bootstrap_pairwise(x, n_boot, rng, n_jobs)
        if ci == "percentile":
            low, high = percentile_interval(replicates, confidence)
        else:
            jack = (_jackknife_listwise(x - x.mean(axis=0)) if missing == "listwise"
                    else _jackknife_pairwise(x))
            low, high = bca_interval(raw, replicates, influence_from_jackknife(jack), confidence)
    return AlphaResult(
        alpha=raw, alpha_std=std, average_r=mean_r, median_r=median_r,
        se=_asymptotic_se(cov, n), ci_low=low, ci_high=high, ci_method=ci,
        ci_level=confidence, feldt_ci_low=feldt[0], feldt_ci_high=feldt[1], n_items=k, n=n,
        n_dropped=dropped,
        missing=missing, items=names, n_pairwise_min=n_min,
        n_boot=n_boot if ci != "feldt" else 0,
        seed=describe_seed(seed) if ci != "feldt" else "", replicates=replicates,
    )


def _warn_if_bad(raw: float, cov: np.ndarray, names: tuple[str, ...]) -> None:
    if not np.isfinite(raw):
        warnings.warn("alpha is undefined: the total score has no variance",
                      PeerevalWarning, stacklevel=user_stacklevel())
        return
    if raw < 0:
        rest = _item_rest(cov)
        negative = [names[i] for i in range(len(names)) if rest[i] < 0]
        which = (f"; items correlating negatively with the rest: {', '.join(negative)}"
                 if negative else "")
        warnings.warn(
            f"alpha is negative ({raw:.3f}): the items covary negatively on average"
            f"{which}. The usual cause is an item that was not reverse-keyed (check the "
            "codebook's reverse list); with very few items or a tiny sample, alpha is also "
            "unstable.",
            PeerevalWarning, stacklevel=user_stacklevel())


def _item_rest(cov: np.ndarray) -> np.ndarray:
    """Corrected item-total (item-rest) correlation of every item."""
    col_sums = cov.sum(axis=0)
    total = cov.sum()
    diag = np.diag(cov)
    rest_var = total - 2 * col_sums + diag
    with np.errstate(divide="ignore", invalid="ignore"):
        return (col_sums - diag) / np.sqrt(diag * rest_var)


def _bootstrap_listwise(x: np.ndarray, n_boot: int, rng: np.random.Generator,
                        n_jobs: int | None = None) -> np.ndarray:
    k = x.shape[1]
    centred = x - x.mean(axis=0)
    total = centred.sum(axis=1)
    columns = np.column_stack([centred, (centred**2).sum(axis=1), total, total**2])
    return bootstrap_replicates(_alphas_from_counts, x.shape[0], n_boot, rng,
                                n_jobs=n_jobs, columns=columns, k=k)


def _bootstrap_pairwise(x: np.ndarray, n_boot: int, rng: np.random.Generator,
                        n_jobs: int | None = None) -> np.ndarray:
    """One weighted pairwise covariance per resample (slower than the listwise path)."""
    return bootstrap_replicates(_pairwise_alphas, x.shape[0], n_boot, rng, n_jobs=n_jobs,
                                x=x)


def _pairwise_alphas(counts: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.array([_alpha_from_cov(pairwise_cov(x, weights)) for weights in counts])


def _jackknife_pairwise(x: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    out = np.empty(n)
    weights = np.ones(n)
    for i in range(n):
        weights[i] = 0.0
        out[i] = _alpha_from_cov(pairwise_cov(x, weights))
        weights[i] = 1.0
    return out


# ------------------------------------------------------------ item analysis


@dataclass(frozen=True, repr=False)
class ItemAnalysis(Result):
    """Item statistics of one scale.

    ``table`` has one row per item: ``n`` (the respondents behind the item's
    ``mean``, ``sd``, ``floor_pct`` and ``ceiling_pct``: the complete rows with
    ``missing="listwise"``, every answer to the item with ``"pairwise"``),
    ``n_answered`` (every answer to the item), ``missing`` (rows without an answer
    to it), ``mean``, ``sd``, ``floor_pct``, ``ceiling_pct``, ``item_total_r``,
    ``item_rest_r`` (corrected item-total correlation), ``alpha_if_deleted``,
    ``alpha_std_if_deleted``, ``flags`` (rules broken, in words). ``rules`` states
    each rule and ``basis`` says, in words, which respondents each column uses.
    ``n`` is the number of respondents used (the complete rows with
    ``"listwise"``, the rows with at least one answer with ``"pairwise"``) and
    ``n_dropped`` the rows left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import item_analysis
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
    ...                      "c": [5, 1, 4, 2, 1, 5]})
    >>> result = item_analysis(data, response_range=(1, 5))
    >>> result.table[["item", "item_rest_r"]].round(2)
      item  item_rest_r
    0    a         0.00
    1    b         0.31
    2    c        -0.47
    """

    table: pd.DataFrame
    alpha: float
    rules: dict[str, str]
    response_range: tuple[float, float]
    missing: str
    n: int
    basis: str = ""
    n_dropped: int = 0
    min_alpha_gain: float = 0.0
    title: str = "Item analysis"
    column_roles: ClassVar[Mapping[str, str]] = {"floor_pct": "share", "ceiling_pct": "share"}

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def flagged(self) -> list[str]:
        """Items with at least one flag."""
        return list(self.table.loc[self.table["flags"] != "", "item"])

    @property
    def flagged_weak(self) -> list[str]:
        """Items that weaken the scale: low or negative item-rest r, or alpha rises
        without them (floor and ceiling flags left aside)."""
        weak = self.table["flags"].str.contains("item-rest|alpha rises", regex=True)
        return list(self.table.loc[weak, "item"])

    def apa(self) -> str:
        rest = self.table["item_rest_r"]
        return (f"Corrected item-total correlations ranged from "
                f"{fmt(rest.min(), leading_zero=False)} to {fmt(rest.max(), leading_zero=False)}"
                f" (n = {self.n}).")

    def methods(self) -> str:
        """The methods sentence: the statistics, the flagging rules and who was used.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
        ...                      "c": [5, 1, 4, 2, 1, 5]})
        >>> print(item_analysis(data, response_range=(1, 5)).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Item statistics (mean, SD, floor and ceiling shares of the range 1-5,
        item-total and corrected item-total correlations, alpha if the item is
        deleted); items were flagged for a corrected item-total correlation below
        0.30 (Nunnally & Bernstein 1994), a negative one, a rise in alpha of .01 or
        more without the item, or more than 15% of respondents at the lowest or
        highest option (Terwee et al. 2007). Listwise: every statistic from the 6
        respondents who answered all 3 items (0 dropped).
        """
        low, high = self.response_range
        rest = self.rules["item-rest r"].removeprefix("corrected item-total correlation ")
        floor = self.rules["floor/ceiling"].split(" of respondents")[0]
        basis = self.basis[:1].upper() + self.basis[1:]
        return (f"Item statistics (mean, SD, floor and ceiling shares of the range "
                f"{low:g}-{high:g}, item-total and corrected item-total correlations, "
                f"alpha if the item is deleted); items were flagged for a corrected "
                f"item-total correlation {rest}, a negative one, a rise in alpha of "
                f"{fmt(self.min_alpha_gain, leading_zero=False)} or more without the item, "
                f"or {floor} of respondents at the lowest or highest option "
                f"(Terwee et al. 2007). {basis}.")


def item_analysis(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    missing: Missing = "listwise",
    response_range: tuple[float, float] | None = None,
    min_item_rest: float = 0.30,
    floor_ceiling: float = 0.15,
    min_alpha_gain: float = 0.01,
) -> ItemAnalysis:
    """Item statistics and flags for weak items.

    Parameters
    ----------
    data, items, missing
        As for :func:`alpha`. ``"listwise"`` (default): every statistic (means, SDs,
        floor and ceiling shares, correlations, alpha if deleted) comes from the
        respondents who answered every item, ``n`` in the table. ``"pairwise"``, as
        ``psych::alpha``: means, SDs and shares from every answer to the item,
        covariances pairwise, and the item-total r correlates the item with each
        respondent's mean of the items they answered.
    response_range
        Lowest and highest possible answer, for floor and ceiling shares; by default
        the lowest and highest answers observed across the items.
    min_item_rest
        Flag items whose corrected item-total correlation is below this (.30,
        Nunnally & Bernstein 1994, *Psychometric Theory*, 3rd ed.).
    floor_ceiling
        Flag items where more than this share of respondents chose the lowest or the
        highest option (15%, the criterion of Terwee et al. 2007, *J Clin Epidemiol*
        60:34-42).
    min_alpha_gain
        Flag an item whose deletion raises alpha by at least this much (.01: a smaller
        rise does not show in alpha reported to two decimals, and no item is worth
        dropping for it). 0 flags every rise, however small.

    Returns
    -------
    ItemAnalysis

    Notes
    -----
    Item-total :math:`r` correlates the item with the total including it;
    item-rest :math:`r` (the corrected item-total correlation) with the total of the
    other items, :math:`r_{j,T-j} = (\\sum_l C_{jl} - C_{jj}) / \\sqrt{C_{jj}
    (\\mathbf 1^\\top C \\mathbf 1 - 2\\sum_l C_{jl} + C_{jj})}`. An item is also
    flagged when it correlates negatively with the rest (reverse keying?) and when
    alpha rises without it by ``min_alpha_gain`` or more.

    With ``missing="pairwise"``, :math:`C` holds the pairwise covariances (the
    item-rest r is psych's ``r.drop``), and the item-total r is the correlation of
    the item with the respondent's mean over the items answered (the total with
    each missing answer replaced by the respondent's own mean), psych's ``raw.r``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
    ...                      "c": [5, 1, 4, 2, 1, 5]})
    >>> table = item_analysis(data, response_range=(1, 5)).table
    >>> table.loc[2, "flags"]
    'item-rest r < .30; negative item-rest r; alpha rises without it; floor > 15%; ceiling > 15%'
    """
    frame = item_frame(data, items, what="item analysis")
    names = tuple(map(str, frame.columns))
    k = frame.shape[1]
    prepared = prepare(frame, missing, what="item analysis")
    cov = prepared.cov
    if missing == "listwise":
        used = pd.DataFrame(prepared.x, columns=frame.columns)
        n_obs, n_dropped = prepared.n_obs, prepared.n_dropped
        total = used.sum(axis=1)
        item_total = [float(np.corrcoef(used[c], total)[0, 1]) for c in used.columns]
        basis = (f"listwise: every statistic from the {n_obs} respondents who answered "
                 f"all {k} items ({prepared.n_dropped} dropped)")
    else:
        used = frame.dropna(how="all")
        n_obs, n_dropped = len(used), len(frame) - len(used)
        person_mean = used.mean(axis=1)  # the total with missing answers person-mean imputed
        item_total = [float(used[c].corr(person_mean)) for c in used.columns]
        basis = ("pairwise: means, SDs and floor/ceiling shares from every answer to the "
                 "item (n), covariances from each pair's respondents, item-total r with "
                 f"the respondent's mean of the items answered ({n_obs} respondents)")
    full = _alpha_from_cov(cov)
    rest = _item_rest(cov)
    low, high = response_range or (float(np.nanmin(frame.to_numpy())),
                                   float(np.nanmax(frame.to_numpy())))
    rows = []
    for j, name in enumerate(names):
        column = frame.iloc[:, j]
        answered = used.iloc[:, j].dropna()
        keep = [i for i in range(k) if i != j]
        sub = cov[np.ix_(keep, keep)]
        drop_alpha = _alpha_from_cov(sub) if k > 2 else np.nan
        drop_std = _std_alpha(cov_to_corr(sub))[0] if k > 2 else np.nan
        floor_pct = float((answered == low).mean()) if len(answered) else np.nan
        ceiling_pct = float((answered == high).mean()) if len(answered) else np.nan
        flags = []
        if rest[j] < min_item_rest:
            flags.append(f"item-rest r < {fmt(min_item_rest, leading_zero=False)}")
        if rest[j] < 0:
            flags.append("negative item-rest r")
        gain = drop_alpha - full
        if np.isfinite(drop_alpha) and gain > 0 and gain >= min_alpha_gain:
            flags.append("alpha rises without it")
        if floor_pct > floor_ceiling:
            flags.append(f"floor > {floor_ceiling:.0%}")
        if ceiling_pct > floor_ceiling:
            flags.append(f"ceiling > {floor_ceiling:.0%}")
        rows.append({
            "item": name, "n": len(answered), "n_answered": int(column.notna().sum()),
            "missing": int(column.isna().sum()),
            "mean": float(answered.mean()), "sd": float(answered.std(ddof=1)),
            "floor_pct": floor_pct, "ceiling_pct": ceiling_pct,
            "item_total_r": item_total[j], "item_rest_r": float(rest[j]),
            "alpha_if_deleted": drop_alpha, "alpha_std_if_deleted": drop_std,
            "flags": "; ".join(flags),
        })
    rules = {
        "item-rest r": f"corrected item-total correlation below {min_item_rest:.2f} "
        "(Nunnally & Bernstein 1994)",
        "negative item-rest r": "the item runs against the others: check reverse keying",
        "alpha rises without it": "alpha if the item is deleted exceeds the scale's alpha "
        f"by {fmt(min_alpha_gain, leading_zero=False)} or more",
        "floor/ceiling": f"more than {floor_ceiling:.0%} of respondents at the lowest or "
        f"highest option ({low:g} or {high:g}; Terwee et al. 2007)",
    }
    return ItemAnalysis(pd.DataFrame(rows), full, rules, (low, high), missing, n=n_obs,
                        basis=basis, n_dropped=n_dropped, min_alpha_gain=min_alpha_gain)
