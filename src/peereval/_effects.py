"""Effect-size arithmetic shared by the outcome analyses.

Everything here works on arrays or summary numbers, never on DataFrames, so that the
two-group comparison, Table 1, balance diagnostics after propensity matching, power
and meta-analysis all use one definition of each quantity.

Conventions: the first sample (``x``) is the treated (mentored) group and the second
(``y``) the comparison group, so a positive effect favours the treated group when
higher values are better. Intervals are two-sided at ``level``.

References
----------
Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
covariates between treatment groups in propensity-score matched samples. *Statistics
in Medicine*, 28, 3083-3107.

Cliff, N. (1993). Dominance statistics: Ordinal analyses to answer ordinal questions.
*Psychological Bulletin*, 114, 494-509.

Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
Erlbaum.

Hedges, L. V., & Olkin, I. (1985). *Statistical Methods for Meta-Analysis*. Academic
Press.

Kerby, D. S. (2014). The simple difference formula: An approach to teaching
nonparametric correlation. *Comprehensive Psychology*, 3, 11.IT.3.1.

Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine*, 17, 873-890.

Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the
evaluation of statistical models. In L. L. Harlow et al. (Eds.), *What If There Were
No Significance Tests?* (pp. 221-257). Erlbaum.

Yang, D., & Dalton, J. E. (2012). A unified approach to measuring the effect size
between two groups using SAS. *SAS Global Forum 2012*, paper 335-2012.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from peereval._options import deprecated_alias

__all__ = [
    "Effect",
    "cliffs_delta",
    "cohens_d",
    "cohens_h",
    "d_normal_interval",
    "glass_delta",
    "hedges_g",
    "hedges_j",
    "interpret_d",
    "interpret_r",
    "newcombe_interval",
    "noncentral_t_interval",
    "pooled_sd",
    "probability_of_superiority",
    "rank_biserial",
    "smd_binary",
    "smd_categorical",
    "smd_continuous",
    "wilson_interval",
]


# ------------------------------------------------------------------ the record


@dataclass(frozen=True)
class Effect:
    """One effect size with its interval.

    ``name`` is a stable snake_case key (``cohens_d``, ``hedges_g``, ``glass_delta``,
    ``rank_biserial``, ``cliffs_delta``, ``cles``, ``cles_normal``, ...); ``label`` is
    how a reader sees it; ``method`` says how the interval was obtained;
    ``interpretation`` is Cohen's (1988) verbal label where one applies ("" otherwise);
    ``ci_level`` is the confidence level of the interval.
    """

    name: str
    label: str
    estimate: float
    ci_low: float
    ci_high: float
    ci_level: float
    method: str
    interpretation: str = ""

    level = deprecated_alias("ci_level")


# ----------------------------------------------------------- interpretation

_D_BANDS = ((0.2, "very small"), (0.5, "small"), (0.8, "medium"), (math.inf, "large"))
_R_BANDS = ((0.1, "very small"), (0.3, "small"), (0.5, "moderate"), (math.inf, "large"))


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    if value is None or not np.isfinite(value):
        return "not available"
    size = abs(value)
    return next(label for upper, label in bands if size < upper)


def interpret_d(d: float) -> str:
    """Cohen's (1988) label for a standardised mean difference, by its size.

    ``|d|`` < .2 very small, .2-.5 small, .5-.8 medium, ≥ .8 large (a boundary
    belongs to the band above it). Applies to d, g, Glass's Δ and Cohen's h.

    Examples
    --------
    >>> interpret_d(0.19), interpret_d(-0.5), interpret_d(0.83)
    ('very small', 'medium', 'large')
    """
    return _band(d, _D_BANDS)


def interpret_r(r: float) -> str:
    """Cohen's (1988) label for a correlation-type effect, by its size.

    ``|r|`` < .1 very small, .1-.3 small, .3-.5 moderate, ≥ .5 large. Applied to the
    rank-biserial correlation and Cliff's delta.

    Examples
    --------
    >>> interpret_r(0.05), interpret_r(-0.3), interpret_r(0.62)
    ('very small', 'moderate', 'large')
    """
    return _band(r, _R_BANDS)


# ------------------------------------------------------ standardised differences


def pooled_sd(sd1: float, sd2: float, n1: int, n2: int) -> float:
    r"""Pooled standard deviation weighted by degrees of freedom.

    .. math:: s_p = \sqrt{\frac{(n_1 - 1) s_1^2 + (n_2 - 1) s_2^2}{n_1 + n_2 - 2}}

    Examples
    --------
    >>> round(pooled_sd(1.0, 2.0, 11, 21), 6)
    1.732051
    """
    return float(math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2)))


def hedges_j(df: float, *, exact: bool = True) -> float:
    r"""Hedges' small-sample correction factor J(df).

    Exact (Hedges & Olkin 1985, p. 104), computed on the log scale:

    .. math:: J(\nu) = \frac{\Gamma(\nu/2)}{\sqrt{\nu/2}\,\Gamma((\nu - 1)/2)}

    or the approximation :math:`J \approx 1 - 3/(4\nu - 1)`.

    Examples
    --------
    >>> round(hedges_j(10), 7), round(hedges_j(10, exact=False), 7)
    (0.9227456, 0.9230769)
    """
    if exact:
        return float(np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2)
                            - special.gammaln((df - 1) / 2)))
    return 1 - 3 / (4 * df - 1)


def noncentral_t_interval(t: float, df: float, level: float = 0.95) -> tuple[float, float]:
    r"""Interval for the noncentrality parameter of a t statistic (Steiger & Fouladi 1997).

    The limits are the noncentralities λ for which the observed ``t`` sits at the
    upper and lower tail quantiles:

    .. math:: P(T_{\nu}(\lambda_L) \le t) = 1 - \alpha/2, \qquad
              P(T_{\nu}(\lambda_U) \le t) = \alpha/2

    solved by Brent's method to 1e-12 (effectsize's ``.get_ncp_t`` minimises the same
    conditions by Nelder-Mead, good to about 1e-5).

    Examples
    --------
    d = 0.5 with 30 per group (REFERENCES §1.7: [−0.0162, 1.0121]):

    >>> scale = math.sqrt(1 / 30 + 1 / 30)
    >>> low, high = noncentral_t_interval(0.5 / scale, 58)
    >>> round(low * scale, 4), round(high * scale, 4)
    (-0.0162, 1.0121)
    """
    tail = (1 - level) / 2

    def solve(target: float) -> float:
        def gap(ncp: float) -> float:
            return float(stats.nct.cdf(t, df, ncp)) - target

        width = 2.0 + abs(t) * 0.1
        low, high = t - width, t + width
        while gap(low) < 0:
            low -= width
            width *= 2
        while gap(high) > 0:
            high += width
            width *= 2
        return float(optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-14, maxiter=500))

    return solve(1 - tail), solve(tail)


def _z(level: float) -> float:
    """The standard normal quantile for a two-sided interval at ``level``."""
    return float(special.ndtri(1 - (1 - level) / 2))


def _group_stats(x: np.ndarray) -> tuple[float, float, int]:
    return float(np.mean(x)), float(np.std(x, ddof=1)), int(x.size)


def cohens_d(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> Effect:
    r"""Cohen's d with the pooled SD, and its noncentral-t interval.

    .. math:: d = \frac{\bar x - \bar y}{s_p}, \qquad
              t = \frac{d}{\sqrt{1/n_1 + 1/n_2}}, \qquad
              \text{CI} = [\lambda_L, \lambda_U] \sqrt{1/n_1 + 1/n_2}

    with :math:`\lambda` from :func:`noncentral_t_interval` on
    :math:`n_1 + n_2 - 2` df, as R's ``effectsize::cohens_d`` (Steiger & Fouladi 1997).

    Examples
    --------
    >>> e = cohens_d(np.array([5.0, 6, 7, 8]), np.array([4.0, 5, 5, 6]))
    >>> round(e.estimate, 4), e.interpretation
    (1.3887, 'large')
    """
    m1, s1, n1 = _group_stats(x)
    m2, s2, n2 = _group_stats(y)
    sp = pooled_sd(s1, s2, n1, n2)
    d = (m1 - m2) / sp
    scale = math.sqrt(1 / n1 + 1 / n2)
    low, high = noncentral_t_interval(d / scale, n1 + n2 - 2, level)
    return Effect("cohens_d", "Cohen's d", d, low * scale, high * scale, level,
                  "noncentral t", interpret_d(d))


def hedges_g(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> Effect:
    r"""Hedges' g: Cohen's d times the exact J(n₁ + n₂ − 2); the interval of d times J.

    .. math:: g = J(n_1 + n_2 - 2)\, d

    as R's ``effectsize::hedges_g`` (Hedges & Olkin 1985).
    """
    d = cohens_d(x, y, level)
    j = hedges_j(x.size + y.size - 2)
    g = d.estimate * j
    return Effect("hedges_g", "Hedges' g", g, d.ci_low * j, d.ci_high * j, level,
                  "noncentral t (d's interval times J)", interpret_d(g))


def glass_delta(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> Effect:
    r"""Glass's Δ: the difference in means over the comparison group's SD.

    .. math:: \Delta = \frac{\bar x - \bar y}{s_y}, \qquad
              h = \frac{1}{n_y} + \frac{s_x^2}{n_x s_y^2}, \qquad
              \text{CI} = [\lambda_L, \lambda_U]\sqrt{h}

    with the noncentral-t limits for :math:`t = \Delta / \sqrt{h}` on :math:`n_y - 1`
    df, as R's ``effectsize::glass_delta`` (Glass 1976; Algina, Keselman & Penfield
    2006).
    """
    m1, s1, n1 = _group_stats(x)
    m2, s2, n2 = _group_stats(y)
    if s2 == 0:
        return Effect("glass_delta", "Glass's Δ", math.nan, math.nan, math.nan, level,
                      "noncentral t", "not available")
    delta = (m1 - m2) / s2
    h = 1 / n2 + s1**2 / (n1 * s2**2)
    low, high = noncentral_t_interval(delta / math.sqrt(h), n2 - 1, level)
    return Effect("glass_delta", "Glass's Δ", delta, low * math.sqrt(h), high * math.sqrt(h),
                  level, "noncentral t", interpret_d(delta))


def d_normal_interval(d: float, n1: int, n2: int, level: float = 0.95, *,
                      df_denominator: bool = False) -> tuple[float, float, float]:
    r"""Large-sample standard error and interval of d (Hedges & Olkin 1985).

    .. math:: \operatorname{Var}(d) = \frac{n_1 + n_2}{n_1 n_2} + \frac{d^2}{2 m}

    with :math:`m = n_1 + n_2` (default) or :math:`n_1 + n_2 - 2`
    (``df_denominator=True``), the two forms found in texts. Returns (se, low, high).

    Examples
    --------
    >>> se, low, high = d_normal_interval(0.5, 30, 30)
    >>> round(low, 4), round(high, 4)
    (-0.0139, 1.0139)
    """
    m = n1 + n2 - 2 if df_denominator else n1 + n2
    se = math.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * m))
    z = _z(level)
    return se, float(d - z * se), float(d + z * se)


# ------------------------------------------------------------- rank effects


def _dominance_margins(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-observation dominance means d_i. and d_.j, and the number of tied pairs.

    ``d_i.`` = (#{y < x_i} − #{y > x_i}) / n_y, by binary search on the sorted
    samples, so no n_x × n_y matrix is formed.
    """
    xs, ys = np.sort(x), np.sort(y)
    y_below = np.searchsorted(ys, x, side="left")
    y_at_or_below = np.searchsorted(ys, x, side="right")
    di = (y_below - (y.size - y_at_or_below)) / y.size
    x_below = np.searchsorted(xs, y, side="left")
    x_at_or_below = np.searchsorted(xs, y, side="right")
    dj = ((x.size - x_at_or_below) - x_below) / x.size
    ties = int(np.sum(y_at_or_below - y_below))
    return di, dj, ties


def rank_biserial(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> Effect:
    r"""Rank-biserial correlation for two independent samples, with a Fisher-z interval.

    .. math:: r_{rb} = \frac{2 U_x}{n_x n_y} - 1, \qquad
              \text{CI} = \tanh\left(\operatorname{atanh}(r_{rb}) \pm z_{1-\alpha/2}
              \sqrt{\frac{n_x + n_y + 1}{3 n_x n_y}}\right)

    where :math:`U_x` is the Mann-Whitney U of ``x`` (midranks for ties), i.e. the
    proportion of pairs favouring ``x`` minus the proportion favouring ``y`` (Kerby
    2014); the interval is that of R's ``effectsize::rank_biserial``.

    Examples
    --------
    >>> e = rank_biserial(np.array([3.0, 4, 5, 6]), np.array([1.0, 2, 3, 4]))
    >>> round(e.estimate, 4)
    0.75
    """
    n1, n2 = x.size, y.size
    ranks = stats.rankdata(np.concatenate([x, y]))
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    r = 2 * u1 / (n1 * n2) - 1
    se = math.sqrt((n1 + n2 + 1) / (3 * n1 * n2))
    z = _z(level)
    with np.errstate(divide="ignore"):
        centre = np.arctanh(r)
    low, high = float(np.tanh(centre - z * se)), float(np.tanh(centre + z * se))
    return Effect("rank_biserial", "rank-biserial r", float(r), low, high, level,
                  "Fisher z, SE = √((n₁ + n₂ + 1)/(3n₁n₂))", interpret_r(r))


def cliffs_delta(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> Effect:
    r"""Cliff's delta with Cliff's (1993) consistent variance and asymmetric interval.

    With :math:`d_{ij} = \operatorname{sign}(x_i - y_j)`, its row and column means
    :math:`d_{i\cdot}`, :math:`d_{\cdot j}` and :math:`\delta` the grand mean:

    .. math::

        s^2_\delta = \frac{(n_y - 1) s^2_{d_{i\cdot}} + (n_x - 1) s^2_{d_{\cdot j}}
        + s^2_{d_{ij}}}{n_x n_y}

    where :math:`s^2_{d_{i\cdot}} = \sum_i (d_{i\cdot} - \delta)^2/(n_x - 1)`,
    :math:`s^2_{d_{\cdot j}} = \sum_j (d_{\cdot j} - \delta)^2/(n_y - 1)` and
    :math:`s^2_{d_{ij}} = \sum_{ij} (d_{ij} - \delta)^2/((n_x - 1)(n_y - 1))`. The
    interval (Cliff 1993; Feng & Cliff 2004), which stays inside [−1, 1], is

    .. math::

        \frac{\delta - \delta^3 \pm z\, s_\delta \sqrt{(1 - \delta^2)^2 + z^2 s^2_\delta}}
        {1 - \delta^2 + z^2 s^2_\delta}.

    For two independent samples δ equals the rank-biserial r; only the interval
    differs (R's ``effectsize::cliffs_delta`` reuses the rank-biserial interval).
    """
    n1, n2 = x.size, y.size
    di, dj, ties = _dominance_margins(x, y)
    delta = float(di.mean())
    sum_sq_cells = (n1 * n2 - ties) - n1 * n2 * delta**2  # sum (d_ij - delta)^2, d_ij^2 = 1
    s2_i = np.sum((di - delta) ** 2) / (n1 - 1)
    s2_j = np.sum((dj - delta) ** 2) / (n2 - 1)
    s2_ij = sum_sq_cells / ((n1 - 1) * (n2 - 1))
    variance = max(((n2 - 1) * s2_i + (n1 - 1) * s2_j + s2_ij) / (n1 * n2), 0.0)
    z = _z(level)
    denominator = 1 - delta**2 + z**2 * variance
    if denominator <= 0:
        low = high = delta
    else:
        spread = z * math.sqrt(variance) * math.sqrt((1 - delta**2) ** 2 + z**2 * variance)
        low = (delta - delta**3 - spread) / denominator
        high = (delta - delta**3 + spread) / denominator
    return Effect("cliffs_delta", "Cliff's δ", delta, float(low), float(high), level,
                  "Cliff (1993) consistent variance, asymmetric interval",
                  interpret_r(delta))


def probability_of_superiority(rank: Effect | None = None, d: Effect | None = None
                               ) -> list[Effect]:
    r"""Common-language effect sizes from the rank-biserial r and from Cohen's d.

    * nonparametric (``cles``): :math:`P(X > Y) + \tfrac12 P(X = Y) = (r_{rb} + 1)/2`,
      interval transformed from r's (``effectsize::p_superiority(parametric = FALSE)``);
    * under normality with equal variances (``cles_normal``): :math:`\Phi(d/\sqrt 2)`,
      interval transformed from d's (``p_superiority(parametric = TRUE)``; McGraw &
      Wong 1992).
    """
    out = []
    if rank is not None:
        out.append(Effect("cles", "P(X > Y)", (rank.estimate + 1) / 2, (rank.ci_low + 1) / 2,
                          (rank.ci_high + 1) / 2, rank.ci_level,
                          "(r_rb + 1)/2 with r_rb's interval"))
    if d is not None:
        root2 = math.sqrt(2)
        out.append(Effect("cles_normal", "Φ(d/√2)", float(special.ndtr(d.estimate / root2)),
                          float(special.ndtr(d.ci_low / root2)),
                          float(special.ndtr(d.ci_high / root2)), d.ci_level,
                          "Φ(d/√2) with d's noncentral-t interval"))
    return out


# ------------------------------------------------------------- proportions


def wilson_interval(events: float, n: float, level: float = 0.95) -> tuple[float, float]:
    r"""Wilson's (1927) score interval for one proportion (no continuity correction).

    .. math:: \frac{p + \frac{z^2}{2n} \pm z\sqrt{\frac{p(1-p)}{n} + \frac{z^2}{4n^2}}}
              {1 + z^2/n}

    the interval of R's ``prop.test(correct = FALSE)``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(56, 70)]
    [0.6918, 0.877]
    """
    p = events / n
    z = _z(level)
    centre = p + z**2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = (centre - spread) / (1 + z**2 / n), (centre + spread) / (1 + z**2 / n)
    # at p = 0 (p = 1) the lower (upper) limit is exactly 0 (1); the formula leaves a
    # rounding residue of about 1e-17 that would put the estimate outside its interval
    return (0.0 if events == 0 else low), (1.0 if events == n else high)


def newcombe_interval(events1: float, n1: float, events2: float, n2: float,
                      level: float = 0.95) -> tuple[float, float]:
    r"""Newcombe's (1998, method 10) hybrid score interval for p₁ − p₂.

    With Wilson limits :math:`[l_i, u_i]` of each proportion:

    .. math::

        L = (p_1 - p_2) - \sqrt{(p_1 - l_1)^2 + (u_2 - p_2)^2}, \qquad
        U = (p_1 - p_2) + \sqrt{(u_1 - p_1)^2 + (p_2 - l_2)^2}

    Examples
    --------
    Newcombe's (1998) Table II example (a), 56/70 against 48/80:

    >>> [round(v, 4) for v in newcombe_interval(56, 70, 48, 80)]
    [0.0524, 0.3339]
    """
    p1, p2 = events1 / n1, events2 / n2
    l1, u1 = wilson_interval(events1, n1, level)
    l2, u2 = wilson_interval(events2, n2, level)
    diff = p1 - p2
    return (diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def cohens_h(p1: float, p2: float, n1: int, n2: int, level: float = 0.95) -> Effect:
    r"""Cohen's h, the difference of arcsine-transformed proportions, with a normal interval.

    .. math:: h = 2\arcsin\sqrt{p_1} - 2\arcsin\sqrt{p_2}, \qquad
              \operatorname{SE} = \sqrt{1/n_1 + 1/n_2}

    (Cohen 1988, ch. 6), as R's ``effectsize::cohens_h``.
    """
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    se = math.sqrt(1 / n1 + 1 / n2)
    z = _z(level)
    return Effect("cohens_h", "Cohen's h", h, h - z * se, h + z * se, level,
                  "normal, SE = √(1/n₁ + 1/n₂)", interpret_d(h))


# ---------------------------------------------------------- balance (Table 1)


def smd_continuous(x: np.ndarray, y: np.ndarray) -> float:
    r"""Standardised mean difference for a covariate (Austin 2009).

    .. math:: d = \frac{\bar x - \bar y}{\sqrt{(s_x^2 + s_y^2)/2}}

    The denominator averages the two variances without weighting by n (the
    balance-diagnostic convention of Austin 2009 and R's cobalt, ``s.d.denom =
    "pooled"``); Cohen's d (:func:`cohens_d`) weights them by their df. Missing
    values are ignored; NaN when a group has fewer than two values or both
    variances are zero and the means equal (±inf if the means differ).

    Examples
    --------
    >>> round(smd_continuous(np.array([2.0, 3, 4]), np.array([0.0, 1, 2, 3, 4])), 4)
    0.7559
    """
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if x.size < 2 or y.size < 2:
        return math.nan
    spread = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    return _ratio(float(np.mean(x) - np.mean(y)), spread)


def _ratio(difference: float, spread: float) -> float:
    """difference / spread, with 0/0 read as no difference and a/0 as ±inf."""
    if spread > 0:
        return difference / spread
    if difference == 0:
        return 0.0
    return math.copysign(math.inf, difference)


def smd_binary(p1: float, p2: float) -> float:
    r"""Standardised difference in proportions (Austin 2009).

    .. math:: d = \frac{p_1 - p_2}{\sqrt{[p_1(1 - p_1) + p_2(1 - p_2)]/2}}

    Signed; its absolute value equals :func:`smd_categorical` for two categories.
    0 when the proportions are equal (even both 0 or both 1); ±inf when one group
    is all 0 and the other all 1.

    Examples
    --------
    >>> round(smd_binary(0.6, 0.4), 4)
    0.4082
    """
    spread = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    return _ratio(p1 - p2, spread)


def smd_categorical(counts1: np.ndarray, counts2: np.ndarray) -> float:
    r"""Multivariate standardised difference for a categorical variable (Yang & Dalton 2012).

    With :math:`\mathbf p_g` the proportions of the k categories in group g,
    :math:`T = (p_{12} - p_{22}, \dots, p_{1k} - p_{2k})'` (the first category left
    out) and

    .. math::

        S_g[l, m] = \begin{cases} p_{gl}(1 - p_{gl}) & l = m \\
                                  -p_{gl}\,p_{gm} & l \ne m \end{cases}, \qquad
        d = \sqrt{T' \left[\frac{S_1 + S_2}{2}\right]^{-1} T}

    over categories 2..k. d ≥ 0, does not depend on which category is left out, and
    for k = 2 equals the absolute value of :func:`smd_binary`. It is not the mean
    or maximum of per-category SMDs. Categories absent from both groups are ignored.
    A generalised inverse is used if the averaged matrix is singular; d is inf when
    the groups share no category (T outside the span of the matrix).

    Examples
    --------
    >>> round(smd_categorical(np.array([30, 50, 20]), np.array([45, 35, 20])), 4)
    0.3409
    """
    c1 = np.asarray(counts1, float)
    c2 = np.asarray(counts2, float)
    keep = (c1 + c2) > 0
    c1, c2 = c1[keep], c2[keep]
    if c1.sum() == 0 or c2.sum() == 0:
        return math.nan
    p1, p2 = c1 / c1.sum(), c2 / c2.sum()
    if p1.size < 2:
        return 0.0
    t = (p1 - p2)[1:]
    if not np.any(t):
        return 0.0
    s1 = np.diag(p1[1:]) - np.outer(p1[1:], p1[1:])
    s2 = np.diag(p2[1:]) - np.outer(p2[1:], p2[1:])
    s = (s1 + s2) / 2
    solved = np.linalg.pinv(s, rcond=1e-12, hermitian=True) @ t
    if not np.allclose(s @ solved, t, rtol=1e-9, atol=1e-12):
        return math.inf
    return math.sqrt(max(float(t @ solved), 0.0))
