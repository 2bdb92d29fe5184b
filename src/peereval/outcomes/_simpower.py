r"""Simulation-based power: the test the study will actually run, on data like its own.

:func:`~peereval.outcomes.power` is exact for the two-sample t test on normal
outcomes with equal variances. Real outcomes are often skewed (days to pass, number
of failed courses), heavy-tailed, or more variable in one group, and the analysis
may be Welch's t test or the Mann-Whitney test. :func:`simulate_power` estimates the
power of that analysis by simulating many studies and counting how often the test
rejects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from peereval._effects import wilson_interval
from peereval._format import fmt
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._parallel import blocks_for, map_blocks
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError

__all__ = ["SimulatedPower", "simulate_power"]

SimTest = Literal["welch", "student", "mann_whitney"]
Distribution = Literal["normal", "skewed", "heavy"]

_TEST_NAMES = {"welch": "Welch's t test", "student": "Student's t test",
               "mann_whitney": "Wilcoxon-Mann-Whitney test"}
_DISTRIBUTIONS = {
    "normal": "normal",
    "skewed": "right-skewed (standardised chi-square, 4 df; skewness 1.41)",
    "heavy": "heavy-tailed (standardised t, 5 df; kurtosis 9)",
}
#: Largest number of simulated values held at once (per block).
_BLOCK_ENTRIES = 4_000_000


@dataclass(frozen=True, repr=False)
class SimulatedPower(Result):
    """Monte Carlo power of a two-group test.

    Attributes
    ----------
    test, distribution
        The test simulated and the shape of the outcome.
    effect, sd_ratio
        The mean difference in comparison-group SD units (Cohen's d when
        ``sd_ratio`` is 1) and the treated group's SD over the comparison group's.
    n_treated, n_control, alpha
        Group sizes and significance level (two-sided test).
    n_sim, rejections
        Simulated studies and how many of them gave p < alpha.
    power, mc_se, ci_low, ci_high, ci_level
        The estimated power, its Monte Carlo standard error
        :math:`\\sqrt{\\hat\\pi(1-\\hat\\pi)/R}`, its Wilson interval and that
        interval's confidence level.
    seed
        How the seed was given.

    Examples
    --------
    >>> from peereval.outcomes import simulate_power
    >>> result = simulate_power(effect=0.5, n=64, n_sim=2000, seed=1)
    >>> 0.75 < result.power < 0.85
    True
    """

    test: str
    distribution: str
    effect: float
    sd_ratio: float
    n_treated: int
    n_control: int
    alpha: float
    n_sim: int
    rejections: int
    power: float
    mc_se: float
    ci_low: float
    ci_high: float
    ci_level: float
    seed: str
    title: str = "Simulation-based power"

    level = deprecated_alias("ci_level")

    @property
    def estimate(self) -> float:
        """The estimated power, the headline number (the same as ``power``)."""
        return self.power

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "test": self.test, "distribution": self.distribution, "effect": self.effect,
            "sd_ratio": self.sd_ratio, "n_treated": self.n_treated,
            "n_control": self.n_control, "alpha": self.alpha, "n_sim": self.n_sim,
            "rejections": self.rejections, "power": self.power, "mc_se": self.mc_se,
            "ci_low": self.ci_low, "ci_high": self.ci_high, "seed": self.seed,
        }])

    def apa(self) -> str:
        return (f"Simulated power of the {_TEST_NAMES[self.test]} ({self.n_sim:,} "
                f"simulated studies, {self.distribution.split(' (')[0]} outcomes, SD ratio "
                f"{fmt(self.sd_ratio)}): {self.power:.1%} "
                f"({self.ci_level:.0%} CI {self.ci_low:.1%} to {self.ci_high:.1%}) to detect a "
                f"difference of {fmt(self.effect)} SD with {self.n_treated} and "
                f"{self.n_control} students at α = {fmt(self.alpha, leading_zero=False)}")

    def methods(self) -> str:
        """The simulation as a methods sentence, from its own settings.

        Names the test, the number of simulated studies, the groups, the outcome's
        distribution and SD ratio, the true difference, α, the level of the Monte
        Carlo interval and the seed.

        Returns
        -------
        str

        Examples
        --------
        >>> from peereval.outcomes import simulate_power
        >>> result = simulate_power(effect=0.5, n=30, n_sim=200, seed=3, confidence=0.9)
        >>> print(result.methods())  # doctest: +NORMALIZE_WHITESPACE
        Power was estimated by simulating 200 studies of Welch's t test (two-sided, α =
        .05) with 30 mentored and 30 comparison students, outcomes from a normal
        distribution, an SD ratio of 1.00 and a true difference of 0.50 SD; the Monte
        Carlo interval is a 90% Wilson interval (seed 3).
        """
        seed = ("no seed" if self.seed.startswith("none") else
                self.seed if not self.seed.isdigit() else f"seed {self.seed}")
        test = _TEST_NAMES[self.test]
        the = "" if "'s " in test else "the "
        return (f"Power was estimated by simulating {self.n_sim:,} studies of {the}"
                f"{test} (two-sided, α = "
                f"{fmt(self.alpha, leading_zero=False)}) with {self.n_treated} mentored and "
                f"{self.n_control} comparison students, outcomes from a {self.distribution} "
                f"distribution, an SD ratio of {fmt(self.sd_ratio)} and a true difference of "
                f"{fmt(self.effect)} SD; the Monte Carlo interval is a "
                f"{self.ci_level:.0%} Wilson interval ({seed}).")


@renamed(level="confidence")
@checked(alpha=Interval(0, 1, closed="neither"), confidence=Interval(0, 1, closed="neither"),
         sd_ratio=Interval(0, None, closed="neither"), n_sim=Interval(100, None, integer=True))
def simulate_power(
    *,
    effect: float,
    n: int | tuple[int, int],
    test: SimTest = "welch",
    alpha: float = 0.05,
    sd_ratio: float = 1.0,
    distribution: Distribution = "normal",
    n_sim: int = 5000,
    confidence: float = 0.95,
    seed: SeedLike = None,
    n_jobs: int | None = None,
) -> SimulatedPower:
    r"""Power of a two-sided two-group test, estimated by simulating the study.

    Parameters
    ----------
    effect
        The true mean difference (mentored minus comparison) in units of the
        comparison group's SD; Cohen's d when ``sd_ratio`` is 1.
    n
        Students per group, or a pair ``(n_mentored, n_comparison)``.
    test
        ``"welch"`` (default), ``"student"`` or ``"mann_whitney"`` (normal
        approximation with continuity correction, as R's ``wilcox.test`` for
        larger groups), all two-sided: the analysis :func:`compare` would run.
    alpha
        Significance level.
    sd_ratio
        The mentored group's SD divided by the comparison group's.
    distribution
        Shape of the outcome in both groups: ``"normal"``, ``"skewed"`` (a chi-square
        with 4 df, standardised; skewness √2) or ``"heavy"`` (a t with 5 df scaled to
        unit variance; excess kurtosis 6).
    n_sim
        Simulated studies (5,000 gives a Monte Carlo SE of at most 0.7 points).
    confidence
        Confidence level of the Monte Carlo interval around the power.
    seed
        An int makes the estimate reproducible.
    n_jobs
        Workers (None: the active ``joblib.parallel_config``, one process by default;
        -1: every core; a Dask cluster through joblib's ``"dask"`` backend). The
        estimate does not depend on it: blocks of at most 250 studies each draw from
        their own child of the seed.

    Returns
    -------
    SimulatedPower

    Raises
    ------
    PeerevalError
        A group below 2 students, ``alpha`` or ``confidence`` outside (0, 1), a
        non-positive ``sd_ratio``, fewer than 100 simulations, an unknown test or
        distribution.

    Notes
    -----
    Each simulated study draws :math:`Y_C = \varepsilon` for the comparison group and
    :math:`Y_T = \delta + \rho\,\varepsilon` for the mentored group, with
    :math:`\varepsilon` of mean 0 and variance 1 from the chosen distribution,
    :math:`\delta` = ``effect`` and :math:`\rho` = ``sd_ratio``; it runs the test and
    rejects when :math:`p < \alpha`. The power estimate is the share of rejections
    over :math:`R` studies, with Monte Carlo SE :math:`\sqrt{\hat\pi(1-\hat\pi)/R}`
    and a Wilson interval (Morris, White & Crowther 2019, *Stat Med* 38:2074-2102,
    on reporting simulation studies). For Student's t test on normal outcomes with
    equal SDs the estimate converges to the noncentral-t power of :func:`power`.

    Examples
    --------
    >>> from peereval.outcomes import simulate_power
    >>> skewed = simulate_power(effect=0.4, n=(60, 120), test="mann_whitney",
    ...                         distribution="skewed", n_sim=1000, seed=3)
    >>> skewed.n_sim, skewed.n_treated, skewed.n_control
    (1000, 60, 120)
    """
    n_treated, n_control = (n, n) if np.isscalar(n) else tuple(n)  # type: ignore[misc]
    for size in (n_treated, n_control):
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 2:
            raise PeerevalError(f"each group needs at least 2 students, not {size!r}",
                                value=size)
    if not math.isfinite(effect):
        raise PeerevalError(f"effect must be a finite number, not {effect!r}", value=effect)
    n_treated, n_control = int(n_treated), int(n_control)
    sizes = blocks_for(int(n_sim), n_treated + n_control, _BLOCK_ENTRIES)
    rejections = int(sum(map_blocks(
        _rejections, sizes, as_generator(seed), n_jobs=n_jobs, n_treated=n_treated,
        n_control=n_control, effect=float(effect), sd_ratio=float(sd_ratio),
        test=test, distribution=distribution, alpha=float(alpha))))
    share = rejections / n_sim
    low, high = wilson_interval(rejections, int(n_sim), confidence)
    return SimulatedPower(
        test=test, distribution=_DISTRIBUTIONS[distribution], effect=float(effect),
        sd_ratio=float(sd_ratio), n_treated=n_treated, n_control=n_control,
        alpha=float(alpha), n_sim=int(n_sim), rejections=rejections, power=share,
        mc_se=math.sqrt(share * (1 - share) / n_sim), ci_low=max(0.0, float(low)),
        ci_high=min(1.0, float(high)),
        ci_level=float(confidence), seed=describe_seed(seed))


def _errors(rng: np.random.Generator, shape: tuple[int, int], distribution: str
            ) -> np.ndarray:
    """Mean-0, variance-1 draws of the chosen shape."""
    if distribution == "normal":
        return rng.standard_normal(shape)
    if distribution == "skewed":
        return (rng.chisquare(4, shape) - 4) / math.sqrt(8)
    return rng.standard_t(5, shape) / math.sqrt(5 / 3)


def _rejections(rng: np.random.Generator, size: int, *, n_treated: int, n_control: int,
                effect: float, sd_ratio: float, test: str, distribution: str,
                alpha: float) -> int:
    """Simulate ``size`` studies and count the rejections at ``alpha``."""
    treated = effect + sd_ratio * _errors(rng, (size, n_treated), distribution)
    control = _errors(rng, (size, n_control), distribution)
    return int(np.sum(_p_values(treated, control, test) < alpha))


def _p_values(treated: np.ndarray, control: np.ndarray, test: str) -> np.ndarray:
    """Two-sided p of each row's test (one simulated study per row)."""
    n1, n2 = treated.shape[1], control.shape[1]
    if test == "mann_whitney":
        return stats.mannwhitneyu(treated, control, axis=1, method="asymptotic",
                                  use_continuity=True).pvalue
    diff = treated.mean(axis=1) - control.mean(axis=1)
    v1, v2 = treated.var(axis=1, ddof=1), control.var(axis=1, ddof=1)
    if test == "student":
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
        se = np.sqrt(pooled * (1 / n1 + 1 / n2))
        df = np.full(diff.shape, n1 + n2 - 2.0)
    else:
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
    t = np.abs(diff / se)
    return 2 * special.stdtr(df, -t)
