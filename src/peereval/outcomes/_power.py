r"""Sample size, minimum detectable effect and achieved power for two-group comparisons.

:func:`power` answers the three planning questions of a mentoring evaluation:

* *a priori*: how many mentored and comparison students are needed to detect an
  effect of a given size (solve for ``n``);
* *sensitivity*: with the students available, which effect can be detected (solve
  for ``effect``, the minimum detectable effect, MDE);
* *achieved power*: with these students, how likely is an effect of a given size
  to be detected (solve for ``power``).

Continuous outcomes (exam scores, GPA) use the two-sample t test and the noncentral
t distribution, as R's ``pwr::pwr.t.test`` / ``pwr.t2n.test``. Binary outcomes
(pass/fail, attrition) use Cohen's h, the difference of arcsine-transformed
proportions (``pwr::pwr.2p.test`` / ``pwr.2p2n.test``), or on request the normal
approximation for the difference of two proportions (R's ``power.prop.test``).
Mentees nested in mentor groups are handled with the design effect.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from peereval._format import fmt
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel

__all__ = ["PowerResult", "cohen_h", "effect_label", "power"]

Outcome = Literal["continuous", "binary"]
Alternative = Literal["two-sided", "greater", "less"]
Method = Literal["t", "arcsine", "normal"]

#: Cohen's (1988) cut-offs for d and h: small, medium, large.
COHEN_CUTOFFS = (0.2, 0.5, 0.8)
#: Default "plausible" effect of peer mentoring on academic outcomes (d or h).
PLAUSIBLE_EFFECT = 0.3
#: Power a design should have for the plausible effect (the conventional 80%).
ADEQUATE_POWER = 0.8

_N_MIN = 2.0          # smallest group pwr accepts
_N_MAX = 1e9          # upper end of pwr's search
_D_BOUNDS = (1e-7, 10.0)
_XTOL, _RTOL = 1e-11, 1e-14


# ------------------------------------------------------------------ power functions


def _nct_tail(x: float, df: float, ncp: float, upper: bool) -> float:
    """A tail of the noncentral t; the normal approximation where scipy gives NaN
    (far tails with very large df or noncentrality, where the value is near 0 or 1)."""
    value = stats.nct.sf(x, df, ncp) if upper else stats.nct.cdf(x, df, ncp)
    if not np.isfinite(value):
        value = stats.norm.sf(x - ncp) if upper else stats.norm.cdf(x - ncp)
    return float(value)


def _t_power(n1: float, n2: float, d: float, alpha: float, alternative: str) -> float:
    """Power of the two-sample t test: noncentral t with n1 + n2 - 2 df."""
    df = n1 + n2 - 2
    ncp = d / math.sqrt(1 / n1 + 1 / n2)
    if alternative == "two-sided":
        crit = stats.t.isf(alpha / 2, df)
        return _nct_tail(crit, df, ncp, True) + _nct_tail(-crit, df, ncp, False)
    if alternative == "greater":
        return _nct_tail(stats.t.isf(alpha, df), df, ncp, True)
    return _nct_tail(stats.t.ppf(alpha, df), df, ncp, False)


def _h_power(n1: float, n2: float, h: float, alpha: float, alternative: str) -> float:
    """Power of the arcsine test: normal with mean h·sqrt(n1 n2 / (n1 + n2))."""
    shift = h * math.sqrt(n1 * n2 / (n1 + n2))
    if alternative == "two-sided":
        z = stats.norm.isf(alpha / 2)
        return float(stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift))
    z = stats.norm.isf(alpha)
    if alternative == "greater":
        return float(stats.norm.sf(z - shift))
    return float(stats.norm.cdf(-z - shift))


def _normal_power(n1: float, n2: float, p1: float, p2: float, alpha: float,
                  alternative: str) -> float:
    """Power of the z test of p1 - p2 with a pooled null variance (Fleiss et al., 2003)."""
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    null_sd = math.sqrt((1 / n1 + 1 / n2) * pooled * (1 - pooled))
    alt_sd = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if alt_sd == 0:
        raise PeerevalError(
            "the normal approximation is undefined when both proportions are 0 or 1",
            hint="use method='arcsine' (the default) or proportions strictly between 0 and 1")
    diff = p1 - p2
    if alternative == "two-sided":
        z = stats.norm.isf(alpha / 2)
        return float(stats.norm.cdf((abs(diff) - z * null_sd) / alt_sd)
                     + stats.norm.cdf((-abs(diff) - z * null_sd) / alt_sd))
    z = stats.norm.isf(alpha)
    signed = diff if alternative == "greater" else -diff
    return float(stats.norm.cdf((signed - z * null_sd) / alt_sd))


def cohen_h(p1: float, p2: float) -> float:
    r"""Cohen's h: :math:`2\arcsin\sqrt{p_1} - 2\arcsin\sqrt{p_2}`.

    Examples
    --------
    >>> round(cohen_h(0.7, 0.5), 4)
    0.4115
    """
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def _risk_from_h(h: float, risk_control: float) -> float:
    """The treated proportion at Cohen's h from ``risk_control`` (NaN when outside [0, 1])."""
    angle = math.asin(math.sqrt(risk_control)) + h / 2
    if angle < 0 or angle > math.pi / 2:
        return float("nan")
    return math.sin(angle) ** 2


def effect_label(value: float) -> str:
    """Cohen's (1988) label of a standardised effect (d or h), by its absolute value.

    Values that round (two decimals) to a cut-off get its name; values between two
    cut-offs get both ("medium-to-large").

    Examples
    --------
    >>> effect_label(0.63), effect_label(0.5), effect_label(0.1), effect_label(-1.2)
    ('medium-to-large', 'medium', 'smaller than small', 'large')
    """
    if value is None or not math.isfinite(value):
        return "not available"
    size = round(abs(value), 2)
    small, medium, large = COHEN_CUTOFFS
    if size < small:
        return "smaller than small"
    for cut, name in ((small, "small"), (medium, "medium"), (large, "large")):
        if math.isclose(size, cut):
            return name
    if size < medium:
        return "small-to-medium"
    if size < large:
        return "medium-to-large"
    return "large"


# ------------------------------------------------------------------ the design


@dataclass(frozen=True)
class _Design:
    outcome: str
    method: str
    alpha: float
    alternative: str
    risk_control: float
    de_treated: float
    de_control: float

    def power(self, n_treated: float, n_control: float, effect: float) -> float:
        """Power at nominal group sizes; ``effect`` is d, h or the treated proportion."""
        n1 = n_treated / self.de_treated
        n2 = n_control / self.de_control
        if self.method == "t":
            return _t_power(n1, n2, effect, self.alpha, self.alternative)
        if self.method == "arcsine":
            return _h_power(n1, n2, effect, self.alpha, self.alternative)
        return _normal_power(n1, n2, effect, self.risk_control, self.alpha, self.alternative)


def _solve(f: Callable[[float], float], low: float, high: float) -> float:
    return float(optimize.brentq(f, low, high, xtol=_XTOL, rtol=_RTOL, maxiter=500))


# ------------------------------------------------------------------ result

_EXPLAIN_DEPRECATED = ("PowerResult.explain is deprecated since peereval 0.1: use "
                       "PowerResult.methods")


@dataclass(frozen=True, repr=False)
class PowerResult(Result):
    """A two-group design: group sizes, effect and power, nominal and effective.

    Attributes
    ----------
    outcome, method, alternative, alpha
        ``"continuous"`` (``method="t"``) or ``"binary"`` (``"arcsine"`` or
        ``"normal"``); the alternative hypothesis and significance level.
    solved_for
        ``"n"``, ``"effect"`` or ``"power"``: the quantity :func:`power` computed.
    power
        Power of the design (the target when solving for n or the effect).
    effect
        Continuous: Cohen's d. Binary: the risk difference ``risk_treated - risk_control``.
        When ``solved_for == "effect"`` this is the minimum detectable effect.
    d, h
        Cohen's d (continuous) and Cohen's h (binary; NaN otherwise).
    risk_control, risk_treated
        Binary outcomes: the comparison and mentored proportions. For a two-sided
        minimum detectable effect ``risk_treated`` is the detectable rise and
        ``risk_treated_fall`` the detectable fall (NaN when impossible).
    n_treated, n_control
        Nominal group sizes (students). When solved for, the exact non-integer
        solution; ``n_treated_needed`` and ``n_control_needed`` round them up.
    n_treated_effective, n_control_effective
        Nominal sizes divided by each arm's design effect.
    design_effect_treated, design_effect_control
        :math:`1 + (m - 1)\\,ICC` per arm (1 when the arm is not clustered).
    clusters_treated, clusters_control
        Groups (mentor groups) needed per arm, ``ceil(n / m)``; None if unclustered.
    power_needed
        Power with the rounded-up group sizes (solving for n only; otherwise NaN).
    mde, mde_power
        Minimum detectable d (continuous) or h (binary) at ``mde_power`` (the target
        power, or 80% when solving for power).
    plausible, power_plausible, adequate
        The plausible effect (d or h), the design's power for it and whether that
        power reaches 80% (see :func:`power`, Notes).
    notes
        Remarks on how the numbers were obtained.

    Examples
    --------
    >>> from peereval.outcomes import power
    >>> result = power(effect=0.3, power=0.8)
    >>> result.solved_for, result.n_treated_needed, result.n_control_needed
    ('n', 176, 176)
    """

    outcome: str
    method: str
    solved_for: str
    alternative: str
    alpha: float
    power: float
    effect: float
    d: float
    h: float
    risk_control: float
    risk_treated: float
    risk_treated_fall: float
    n_treated: float
    n_control: float
    n_treated_needed: int
    n_control_needed: int
    n_treated_effective: float
    n_control_effective: float
    design_effect_treated: float
    design_effect_control: float
    cluster_size_treated: float | None
    cluster_size_control: float | None
    icc: float | None
    clusters_treated: int | None
    clusters_control: int | None
    power_needed: float
    mde: float
    mde_power: float
    plausible: float
    power_plausible: float
    notes: tuple[str, ...] = ()
    title: str = field(default="Power analysis")

    p_control = deprecated_alias("risk_control")
    p_treated = deprecated_alias("risk_treated")
    p_treated_fall = deprecated_alias("risk_treated_fall")

    @property
    def adequate(self) -> bool:
        """Whether the design has at least 80% power for the plausible effect."""
        return bool(self.power_plausible >= ADEQUATE_POWER - 1e-9)

    @property
    def clustered(self) -> bool:
        return self.design_effect_treated > 1 or self.design_effect_control > 1

    @property
    def test(self) -> str:
        return {"t": "two-sample t test", "arcsine": "arcsine test of two proportions",
                "normal": "z test of two proportions"}[self.method]

    # -------------------------------------------------------------- output

    def to_frame(self) -> pd.DataFrame:
        """One row: the design, nominal and effective sizes, effect, power, MDE."""
        row: dict[str, Any] = {
            "outcome": self.outcome, "test": self.test, "solved_for": self.solved_for,
            "alternative": self.alternative, "alpha": self.alpha, "power": self.power,
            "effect": self.effect, "d": self.d, "h": self.h,
            "risk_control": self.risk_control, "risk_treated": self.risk_treated,
            "risk_treated_fall": self.risk_treated_fall,
            "n_treated": self.n_treated, "n_control": self.n_control,
            "n_treated_needed": self.n_treated_needed,
            "n_control_needed": self.n_control_needed,
            "n_treated_effective": self.n_treated_effective,
            "n_control_effective": self.n_control_effective,
            "design_effect_treated": self.design_effect_treated,
            "design_effect_control": self.design_effect_control,
            "icc": self.icc, "clusters_treated": self.clusters_treated,
            "clusters_control": self.clusters_control,
            "power_needed": self.power_needed,
            "mde": self.mde, "mde_power": self.mde_power,
            "plausible": self.plausible, "power_plausible": self.power_plausible,
            "adequate": self.adequate,
        }
        return pd.DataFrame([row])

    def _effect_text(self, value: float | None = None) -> str:
        if self.outcome == "continuous":
            return f"d = {fmt(self.d if value is None else value)}"
        return f"h = {fmt(self.h if value is None else value)}"

    def _sides(self) -> str:
        side = "two-sided" if self.alternative == "two-sided" else "one-sided"
        return f"{side} α = {fmt(self.alpha, 2, leading_zero=False)}"

    def _groups_text(self, treated: float, control: float) -> str:
        if treated == control:
            return f"{_count(treated)} students per group"
        return f"{_count(treated)} mentored and {_count(control)} comparison students"

    def _proportions_text(self) -> str:
        if self.outcome != "binary":
            return ""
        text = f" (a proportion of {_pct(self.risk_control)} among comparison students"
        if not np.isnan(self.risk_treated):
            text += f" against {_pct(self.risk_treated)}"
            if not np.isnan(self.risk_treated_fall):
                text += f" or {_pct(self.risk_treated_fall)}"
            text += " among mentored students"
        return text + ")"

    def _cluster_text(self) -> str:
        if not self.clustered:
            return ""
        parts = []
        for arm, m, de in (("mentored", self.cluster_size_treated, self.design_effect_treated),
                           ("comparison", self.cluster_size_control,
                            self.design_effect_control)):
            if de > 1:
                parts.append(f"{arm} students in groups of {_count(m)}, design effect "
                             f"{fmt(de)}")
        return f" (ICC = {fmt(self.icc, 2, leading_zero=False)}; " + "; ".join(parts) + ")"

    def apa(self) -> str:
        """The design as a methods-section sentence."""
        test = f"{self.test}, {self._sides()}"
        if self.solved_for == "n":
            return (f"An a priori power analysis ({test}) indicated that "
                    f"{self._groups_text(self.n_treated_needed, self.n_control_needed)} "
                    f"(N = {self.n_treated_needed + self.n_control_needed}) are needed to "
                    f"detect {self._effect_text()}{self._proportions_text()} with "
                    f"{_pct(self.power)} power{self._cluster_text()}.")
        groups = self._groups_text(self.n_treated, self.n_control)
        if self.solved_for == "effect":
            return (f"A sensitivity power analysis ({test}) showed that with {groups}, "
                    f"the minimum detectable effect with {_pct(self.power)} power is "
                    f"{self._effect_text()}{self._proportions_text()}"
                    f"{self._cluster_text()}.")
        return (f"With {groups}, the power to detect {self._effect_text()}"
                f"{self._proportions_text()} ({test}) is {_pct(self.power)}"
                f"{self._cluster_text()}.")

    def _plausible_text(self) -> str:
        """What the design means for an effect of the plausible size."""
        if self.outcome == "continuous":
            size = f"d = {fmt(self.plausible)}"
            missed = ("Effects of the size the literature reports for mentoring (d around "
                      "0.2-0.3)")
            what = f"{size}, the size of effect the literature reports for mentoring"
        else:
            size = f"h = {fmt(self.plausible)}"
            sign = -1.0 if self.alternative == "less" else 1.0
            example = _risk_from_h(sign * self.plausible, self.risk_control)
            if np.isnan(example):
                example = _risk_from_h(-sign * self.plausible, self.risk_control)
            missed = (f"A plausible mentoring effect ({size}: {_pct(self.risk_control)} against "
                      f"{_pct(example)})")
            what = (f"{size}, a plausible mentoring effect ({_pct(self.risk_control)} against "
                    f"{_pct(example)})")
        if self.power_plausible < 0.5:
            return (f" {missed} would be missed most of the time: power for {size} is "
                    f"{_pct(self.power_plausible)}.")
        if not self.adequate:
            return (f" Power for {what}, is {_pct(self.power_plausible)}, below the "
                    "conventional 80%.")
        return f" Power for {what}, is {_pct(self.power_plausible)}."

    def methods(self) -> str:
        """The sample-size justification: the design, the test and what it can detect.

        Built from the design's own settings: the test, the alternative and α, the
        power, the effect, the clustering (ICC and design effects) and the effect
        regarded as plausible.

        Returns
        -------
        str
            One paragraph for the methods section.

        Examples
        --------
        >>> from peereval.outcomes import power
        >>> print(power(effect=0.3, power=0.9, alpha=0.01).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        To detect d = 0.30 (a small-to-medium effect) with 90% power in a two-sample t
        test at two-sided α = .01, the study needs 333 students per group (332.3 before
        rounding up).
        """
        name = "d" if self.outcome == "continuous" else "h"
        standardised = self.d if self.outcome == "continuous" else self.h
        described = (f"{self._effect_text()} (a {effect_label(standardised)} effect"
                     + (f": {_pct(self.risk_control)} against {_pct(self.risk_treated)}"
                        if self.outcome == "binary" else "") + ")")
        if self.solved_for == "n":
            groups = self._groups_text(self.n_treated_needed, self.n_control_needed)
            exact = (f"{_count(round(self.n_treated, 1))}"
                     if self.n_treated == self.n_control else
                     f"{_count(round(self.n_treated, 1))} and "
                     f"{_count(round(self.n_control, 1))}")
            text = (f"To detect {described} with {_pct(self.power)} power in {_a(self.test)} "
                    f"at {self._sides()}, the study needs {groups} ({exact} before "
                    "rounding up).")
        else:
            groups = (f"{self._groups_text(self.n_treated, self.n_control)} and "
                      f"{_a(self.test)} at {self._sides()}")
            if self.solved_for == "effect":
                text = (f"With {groups}, the study has {_pct(self.power)} power to detect "
                        f"{described}.")
            else:
                mde = (f"it has {_pct(self.mde_power)} power for {name} = {fmt(self.mde)} "
                       "or larger" if np.isfinite(self.mde) else
                       f"no effect reaches {_pct(self.mde_power)} power with these groups")
                text = (f"With {groups}, the study has {_pct(self.power)} power to detect "
                        f"{described}; {mde}.")
        if self.clustered:
            arms = [f"{arm} students are in groups of {_count(m)} (design effect {fmt(de)}, "
                    f"{_count(round(n_eff, 1))} effective students"
                    + (f", {groups_needed} groups)" if groups_needed else ")")
                    for arm, m, de, n_eff, groups_needed in (
                        ("mentored", self.cluster_size_treated, self.design_effect_treated,
                         self.n_treated_effective, self.clusters_treated),
                        ("comparison", self.cluster_size_control,
                         self.design_effect_control, self.n_control_effective,
                         self.clusters_control))
                    if de > 1]
            text += (f" This counts the clustering (ICC = "
                     f"{fmt(self.icc, 2, leading_zero=False)}): " + "; ".join(arms) + ".")
        if not math.isclose(abs(standardised), self.plausible, abs_tol=1e-9):
            text += self._plausible_text()
        return text

    def explain(self) -> str:
        """Deprecated: the sample-size justification is :meth:`methods`."""
        warnings.warn(_EXPLAIN_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.methods()

    explain.__deprecated__ = _EXPLAIN_DEPRECATED  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return super().__repr__() + "\n" + self.methods()


_TITLES = {"t": "Power analysis (two-sample t test)",
           "arcsine": "Power analysis (two proportions, arcsine transformation)",
           "normal": "Power analysis (two proportions, normal approximation)"}


def _a(noun: str) -> str:
    """The noun with its indefinite article ("a t test", "an arcsine test")."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _groups_needed(n: int, m: float | None) -> int | None:
    return None if m is None or m == 1 else math.ceil(round(n / m, 6))


def _pct(value: float) -> str:
    if value is None or np.isnan(value):
        return "NA"
    return f"{value:.0%}" if value < 0.995 or value >= 1 else "over 99%"


def _count(value: float | None) -> str:
    if value is None:
        return "NA"
    return str(int(value)) if float(value).is_integer() else fmt(value, 1)


# ------------------------------------------------------------------ input checks


def _number(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PeerevalError(f"{name} must be a number, not {value!r}", value=value) from None
    if not math.isfinite(number):
        raise PeerevalError(f"{name} must be finite, not {value!r}", value=value)
    return number


def _probability(value: Any, name: str, *, open_interval: bool = True) -> float:
    number = _number(value, name)
    bad = not 0 < number < 1 if open_interval else not 0 <= number <= 1
    if bad:
        interval = "between 0 and 1 (exclusive)" if open_interval else "between 0 and 1"
        raise PeerevalError(f"{name} must be {interval}, not {value!r}", value=value,
                            hint="give proportions as fractions: 0.7 for 70%")
    return number


def _group_sizes(n: Any, ratio: float) -> tuple[float | None, float | None, float | None]:
    """(n_treated, n_control, ratio used when one size is unknown)."""
    if n is None:
        return None, None, ratio
    if isinstance(n, Sequence | np.ndarray) and not isinstance(n, str):
        if len(n) != 2:
            raise PeerevalError(f"n must be one number or a pair (mentored, comparison), "
                                f"not {len(n)} values", value=n)
        if ratio != 1:
            raise PeerevalError("give either ratio= or n as a pair (mentored, comparison), "
                                "not both", value=n)
        sizes = [None if v is None else _number(v, "n") for v in n]
        if sizes[0] is None and sizes[1] is None:
            return None, None, 1.0
        for size in sizes:
            if size is not None and size < _N_MIN:
                raise PeerevalError(f"each group needs at least {int(_N_MIN)} students, "
                                    f"not {size:g}", value=size)
        return sizes[0], sizes[1], None
    size = _number(n, "n")
    if size < _N_MIN:
        raise PeerevalError(f"each group needs at least {int(_N_MIN)} students, not {size:g}",
                            value=n)
    return size, ratio * size, None


def _clusters(cluster_size: Any, icc: Any) -> tuple[float | None, float | None, float | None]:
    if cluster_size is None and icc is None:
        return None, None, None
    if cluster_size is None or icc is None:
        raise PeerevalError(
            "clustering needs both cluster_size= and icc=",
            hint="give the mean number of students per mentor group (cluster_size) and the "
            "intraclass correlation of the outcome (icc; e.g. from mixed_model(), or .01-.10 "
            "for exam scores of students taught together)")
    rho = _number(icc, "icc")
    if isinstance(cluster_size, Sequence | np.ndarray) and not isinstance(cluster_size, str):
        if len(cluster_size) != 2:
            raise PeerevalError("cluster_size must be one number or a pair (mentored, "
                                "comparison)", value=cluster_size)
        m_t, m_c = (_number(v, "cluster_size") for v in cluster_size)
    else:
        m_t = m_c = _number(cluster_size, "cluster_size")
    for m in (m_t, m_c):
        if m < 1:
            raise PeerevalError(f"cluster_size must be at least 1, not {m:g}", value=m,
                                hint="use 1 for an arm whose students are not clustered")
    return m_t, m_c, rho


# ------------------------------------------------------------------ power()


@renamed(p_control="risk_control", p_treated="risk_treated")
@checked(alpha=Interval(0, 1, closed="neither"), power=Interval(0, 1, closed="neither", none=True),
         ratio=Interval(0, None, closed="neither"), icc=Interval(0, 1, closed="left", none=True))
def power(
    *,
    outcome: Outcome = "continuous",
    effect: float | None = None,
    n: float | Sequence[float | None] | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    ratio: float = 1.0,
    risk_control: float | None = None,
    risk_treated: float | None = None,
    alternative: Alternative = "two-sided",
    method: Method | None = None,
    cluster_size: float | Sequence[float] | None = None,
    icc: float | None = None,
    plausible: float = PLAUSIBLE_EFFECT,
) -> PowerResult:
    r"""Sample size, minimum detectable effect or achieved power of a two-group study.

    Give two of ``effect``, ``n`` and ``power``; the third is computed.

    Parameters
    ----------
    outcome
        ``"continuous"`` (exam score, GPA: two-sample t test) or ``"binary"``
        (pass/fail, dropout: two proportions).
    effect
        Continuous: Cohen's d, the mean difference (mentored minus comparison) in
        pooled-SD units. Binary: the risk difference ``risk_treated - risk_control`` (e.g.
        0.15 for a pass rate rising from 70% to 85%); or give ``risk_treated`` instead.
        Leave out to obtain the minimum detectable effect.
    n
        Students per group (equal groups, or the mentored group when ``ratio`` is
        given), or a pair ``(n_mentored, n_comparison)``. One element of the pair may
        be None: for a comparison cohort of fixed size, ``n=(None, 120)`` gives the
        number of mentees needed. Leave out to obtain the sample size. With
        clustering, these are the *nominal* numbers of students.
    power
        Probability of a significant result when the effect is real (e.g. 0.8).
        Leave out to obtain the achieved power.
    alpha
        Significance level.
    ratio
        Comparison students per mentored student when ``n`` is one number or unknown.
    risk_control
        Binary outcomes: the proportion expected in the comparison group (required).
    risk_treated
        Binary outcomes: the proportion expected among mentored students (instead of
        ``effect``).
    alternative
        ``"two-sided"`` (default), ``"greater"`` (mentored higher) or ``"less"``.
    method
        Binary outcomes: ``"arcsine"`` (default; Cohen's h, as ``pwr::pwr.2p.test``)
        or ``"normal"`` (the z test of the difference with a pooled null variance, as
        ``power.prop.test`` and ``Hmisc::bpower``). Continuous outcomes: ``"t"``.
    cluster_size, icc
        Students per mentor group (one number, or a pair for the mentored and the
        comparison arm: ``(6, 1)`` when only mentees are grouped) and the intraclass
        correlation of the outcome within groups.
    plausible
        The effect (d or h) regarded as plausible for peer mentoring, 0.3 by default;
        the design is flagged when its power for this effect is below 80%.

    Returns
    -------
    PowerResult
        With :meth:`~PowerResult.apa` (the design in one sentence),
        :meth:`~PowerResult.methods` (the sample-size justification in plain
        language) and :meth:`~PowerResult.to_frame`.

    Raises
    ------
    PeerevalError
        Not exactly one of ``effect``, ``n``, ``power`` missing; a probability
        outside (0, 1); power not above ``alpha``; a group below 2 students; an
        effect of zero (or in the wrong direction for a one-sided test) when
        solving for n; a sample size or effect that cannot reach the power.

    Warns
    -----
    PeerevalWarning
        When the design has less than 80% power for the plausible effect.

    Notes
    -----
    **Continuous outcomes.** With effective group sizes :math:`n_1, n_2`, the t
    statistic has :math:`\nu = n_1 + n_2 - 2` df and noncentrality
    :math:`\delta = d/\sqrt{1/n_1 + 1/n_2}`; two-sided power is
    :math:`P(T_{\nu,\delta} > t_{1-\alpha/2,\nu}) + P(T_{\nu,\delta} < -t_{1-\alpha/2,\nu})`
    (both tails, as ``pwr.t.test`` and ``power.t.test(strict = TRUE)``; Cohen, 1988,
    ch. 2).

    **Binary outcomes.** Arcsine method (default; Cohen, 1988, ch. 6):
    :math:`h = 2\arcsin\sqrt{p_1} - 2\arcsin\sqrt{p_2}` and power
    :math:`\Phi(h\sqrt{n_1n_2/(n_1+n_2)} - z_{1-\alpha/2}) + \Phi(-h\sqrt{\cdot} -
    z_{1-\alpha/2})`. Normal method: with :math:`\bar p = (n_1p_1 + n_2p_2)/(n_1+n_2)`,
    :math:`\sigma_0^2 = \bar p(1-\bar p)(1/n_1 + 1/n_2)` and
    :math:`\sigma_1^2 = p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2`, power is
    :math:`\Phi((|p_1-p_2| - z\sigma_0)/\sigma_1) + \Phi((-|p_1-p_2| - z\sigma_0)/\sigma_1)`
    (Fleiss, Levin & Paik, 2003). The arcsine method is the default because it is
    the one of Cohen's tables and its effect size, h, has Cohen's cut-offs.

    **Solving.** Sample size, effect and power are found with Brent's method
    (``xtol`` 1e-11) on the power function, so the non-integer sample size agrees
    with R's to about 1e-8; the number to recruit is that value rounded up
    (``n_treated_needed``). The minimum detectable effect of a binary outcome is
    found on h (arcsine) or on ``risk_treated`` (normal); a two-sided MDE is given as
    a rise (``risk_treated``) and a fall (``risk_treated_fall``) from ``risk_control``.

    **Clustering.** Students taught or mentored in groups of :math:`m` with
    intraclass correlation :math:`\rho` carry less information than independent
    students: the design effect is :math:`DE = 1 + (m-1)\rho` (Kish, 1965; Donner &
    Klar, 2000) and the effective size is :math:`n/DE`. Power is computed on the
    effective sizes (including the t test's df); the nominal sizes to recruit are
    the effective ones times DE. Each arm has its own design effect, so an
    unclustered comparison cohort is ``cluster_size=(m, 1)``.

    **Plausible effects.** Cohen (1988) calls d (or h) = 0.2 small, 0.5 medium and
    0.8 large. Effects of peer mentoring and near-peer teaching on academic
    outcomes are usually small (d around 0.2-0.3; d = 0.29 for NBME subject exams
    in a 174-vs-81 evaluation). A design is flagged (``PeerevalWarning``,
    ``adequate`` False) when its power for ``plausible`` (0.3) is below the
    conventional 80%; equivalently, when its minimum detectable effect at 80% power
    exceeds 0.3. The plain-language text says "missed most of the time" when that
    power is below 50%. Do not compute "observed power" from the effect a study
    found: it is a function of the p-value and adds nothing (Hoenig & Heisey, 2001);
    report the minimum detectable effect and the confidence interval instead.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd
    ed.). Erlbaum. Fleiss, J. L., Levin, B., & Paik, M. C. (2003). *Statistical
    methods for rates and proportions* (3rd ed.). Wiley. Donner, A., & Klar, N.
    (2000). *Design and analysis of cluster randomization trials*. Arnold. Hoenig,
    J. M., & Heisey, D. M. (2001). The abuse of power. *Am Stat*, 55, 19-24.

    Examples
    --------
    Students per group to detect d = 0.3 with 80% power (R: ``pwr.t.test(d = 0.3,
    power = 0.8)`` gives n = 175.4):

    >>> result = power(effect=0.3, power=0.8)
    >>> round(result.n_treated, 2), result.n_treated_needed
    (175.38, 176)

    The smallest effect 40 mentored and 40 comparison students can detect:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     small = power(n=40, power=0.8)
    >>> round(small.d, 2), small.adequate
    (0.63, False)
    >>> print(small.methods())  # doctest: +NORMALIZE_WHITESPACE
    With 40 students per group and a two-sample t test at two-sided α = .05, the study
    has 80% power to detect d = 0.63 (a medium-to-large effect). Effects of the size
    the literature reports for mentoring (d around 0.2-0.3) would be missed most of
    the time: power for d = 0.30 is 26%.

    Mentees needed to raise a pass rate from 70% to 85% against a comparison cohort
    of 150, with mentees in groups of 6 (ICC .05) and comparison students unclustered:

    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     pass_rate = power(outcome="binary", risk_control=0.7, risk_treated=0.85, power=0.8,
    ...                       n=(None, 150), cluster_size=(6, 1), icc=0.05)
    >>> pass_rate.n_treated_needed, pass_rate.clusters_treated
    (123, 21)
    """
    notes: list[str] = []
    method = _method_for(outcome, method)
    alpha = _probability(alpha, "alpha")
    plausible = abs(_number(plausible, "plausible"))
    ratio = _number(ratio, "ratio")
    effect, pc = _effect_and_control(outcome, effect, risk_control, risk_treated)
    n_t, n_c, solve_ratio = _group_sizes(n, ratio)
    target = None if power is None else _probability(power, "power")
    solved_for = _unknown(effect, n_t is None or n_c is None, target, alpha)
    m_t, m_c, rho = _clusters(cluster_size, icc)
    de_t = 1.0 if rho is None else 1 + (m_t - 1) * rho
    de_c = 1.0 if rho is None else 1 + (m_c - 1) * rho
    design = _Design(outcome, method, alpha, alternative, pc, de_t, de_c)

    # --- solve
    p_fall = float("nan")
    if solved_for == "n":
        param = _natural(design, effect)
        _check_direction(design, param, effect)
        n_t, n_c = _solve_n(design, param, target, n_t, n_c, solve_ratio, notes)
        # the target, unless the smallest possible groups already exceed it
        achieved = max(target, design.power(n_t, n_c, param))
    elif solved_for == "effect":
        effect, p_fall = _solve_effect(design, n_t, n_c, target, notes)
        achieved = target
    else:
        achieved = design.power(n_t, n_c, _natural(design, effect))

    # --- describe the design
    need_t, need_c = math.ceil(round(n_t, 6)), math.ceil(round(n_c, 6))
    power_needed = (design.power(need_t, need_c, _natural(design, effect))
                    if solved_for == "n" else float("nan"))
    mde_power = target if target is not None else ADEQUATE_POWER
    mde = _mde_standardised(design, n_t, n_c, mde_power, effect if solved_for == "effect"
                            else None)
    power_plausible = _power_at_standardised(design, n_t, n_c, plausible)

    if outcome == "continuous":
        d, h, p_t = effect, float("nan"), float("nan")
    else:
        p_t = pc + effect
        d, h = float("nan"), cohen_h(p_t, pc)
    if rho is not None:
        notes.append(f"design effect 1 + (m - 1)·ICC: {de_t:.4g} (mentored), {de_c:.4g} "
                     "(comparison)")
    result = PowerResult(
        outcome=outcome, method=method, solved_for=solved_for, alternative=alternative,
        alpha=alpha, power=float(achieved), effect=float(effect), d=float(d), h=float(h),
        risk_control=pc, risk_treated=float(p_t), risk_treated_fall=float(p_fall),
        n_treated=float(n_t), n_control=float(n_c),
        n_treated_needed=int(need_t), n_control_needed=int(need_c),
        n_treated_effective=float(n_t / de_t), n_control_effective=float(n_c / de_c),
        design_effect_treated=de_t, design_effect_control=de_c,
        cluster_size_treated=m_t, cluster_size_control=m_c, icc=rho,
        clusters_treated=_groups_needed(need_t, m_t),
        clusters_control=_groups_needed(need_c, m_c),
        power_needed=float(power_needed), mde=float(mde), mde_power=float(mde_power),
        plausible=plausible, power_plausible=float(power_plausible), notes=tuple(notes),
        title=_TITLES[method],
    )
    if not result.adequate:
        _warn_underpowered(result)
    return result


def _method_for(outcome: str, method: str | None) -> str:
    """The power method: the default for the outcome, or the one given if it applies."""
    if method is None:
        method = "t" if outcome == "continuous" else "arcsine"
    allowed = ("t",) if outcome == "continuous" else ("arcsine", "normal")
    if method not in allowed:
        raise PeerevalError(f"method {method!r} does not apply to a {outcome} outcome",
                            value=method, hint="use " + " or ".join(map(repr, allowed)))
    return method


def _effect_and_control(outcome: str, effect: Any, risk_control: Any, risk_treated: Any
                        ) -> tuple[float | None, float]:
    """The effect (d, or the risk difference) or None, and the control proportion (NaN
    for a continuous outcome)."""
    if outcome != "binary":
        if risk_control is not None or risk_treated is not None:
            raise PeerevalError("risk_control and risk_treated apply to binary outcomes",
                                hint="pass outcome='binary', or give Cohen's d as effect=")
        return (None if effect is None else _number(effect, "effect")), float("nan")
    if risk_control is None:
        raise PeerevalError("a binary outcome needs risk_control=, the proportion expected "
                            "in the comparison group", hint="e.g. risk_control=0.7 for a "
                            "70% pass rate")
    pc = _probability(risk_control, "risk_control")
    if effect is not None and risk_treated is not None:
        raise PeerevalError("give effect= (the risk difference) or risk_treated=, not both")
    if risk_treated is not None:
        return _probability(risk_treated, "risk_treated", open_interval=False) - pc, pc
    if effect is not None:
        diff = _number(effect, "effect")
        if not 0 <= pc + diff <= 1:
            raise PeerevalError(
                f"effect = {diff:g} moves the proportion {pc:g} outside [0, 1]",
                value=effect, hint="for binary outcomes effect is the risk difference "
                "risk_treated - risk_control; or give risk_treated= directly")
        return diff, pc
    return None, pc


def _unknown(effect: float | None, n_missing: bool, target: float | None,
             alpha: float) -> str:
    """Which of effect, n and power is computed (exactly one must be missing)."""
    missing = [name for name, gone in (("effect", effect is None), ("n", n_missing),
                                       ("power", target is None)) if gone]
    if len(missing) != 1:
        raise PeerevalError(
            "give exactly two of effect, n and power; the third is computed "
            f"(missing now: {', '.join(missing) or 'none'})",
            hint="e.g. power(effect=0.3, power=0.8) for a sample size, power(n=40, "
            "power=0.8) for the minimum detectable effect")
    if target is not None and target <= alpha:
        raise PeerevalError(f"power = {target:g} must exceed alpha = {alpha:g}", value=target)
    return missing[0]


def _natural(design: _Design, value: float) -> float:
    """The parameter the power function takes: d, h or the treated proportion."""
    if design.method == "arcsine":
        return cohen_h(design.risk_control + value, design.risk_control)
    if design.method == "normal":
        return design.risk_control + value
    return value


def _check_direction(design: _Design, param: float, effect: float) -> None:
    """An effect to plan for must be non-zero and point the way of the alternative."""
    size = param - design.risk_control if design.method == "normal" else param
    if size == 0:
        raise PeerevalError("an effect of zero cannot be detected with any sample size",
                            value=effect)
    alternative = design.alternative
    if (alternative == "greater" and size < 0) or (alternative == "less" and size > 0):
        raise PeerevalError(
            f"effect = {effect:g} points the other way from alternative = "
            f"'{alternative}'", value=effect,
            hint="flip the sign of the effect or use alternative='two-sided'")


def _warn_underpowered(result: PowerResult) -> None:
    """Warn that a plausible mentoring effect would likely be missed, and what to do."""
    name = "d" if result.outcome == "continuous" else "h"
    power_plausible, mde, mde_power = result.power_plausible, result.mde, result.mde_power
    missed = ("would be missed most of the time" if power_plausible < 0.5 else
              f"would be missed in about {round(10 * (1 - power_plausible))} of 10 such "
              "studies")
    warnings.warn(
        f"this design has {_pct(power_plausible)} power for {name} = {result.plausible:.2f}, "
        f"a plausible effect of peer mentoring (Cohen's small = 0.2, medium = 0.5); "
        f"such an effect {missed}. "
        + (f"With {mde_power:.0%} power it detects {name} = {mde:.2f} or larger. "
           if np.isfinite(mde) else f"No effect size reaches {mde_power:.0%} power. ")
        + "Pooling cohorts or sites (a meta-analysis) or more students would help; "
        "otherwise read the result as exploratory, with its confidence interval.",
        PeerevalWarning, stacklevel=user_stacklevel())


# ------------------------------------------------------------------ solvers


def _solve_n(design: _Design, param: float, target: float, n_t: float | None,
             n_c: float | None, ratio: float | None, notes: list[str]) -> tuple[float, float]:
    """Nominal group sizes reaching ``target`` power: both arms in proportion ``ratio``,
    or the one arm left as None with the other fixed."""
    is_t = design.method == "t"
    de_t, de_c = design.de_treated, design.de_control
    if ratio is not None:
        def sizes(x: float) -> tuple[float, float]:
            return x, ratio * x
        low = _N_MIN / min(1.0, ratio)
        if is_t:  # positive df on the effective scale
            low = max(low, 2.0 / (1 / de_t + ratio / de_c))
        fixed = None
    elif n_t is None:
        def sizes(x: float) -> tuple[float, float]:
            return x, n_c
        low = max(_N_MIN, de_t * (2.0 - n_c / de_c)) if is_t else _N_MIN
        fixed = n_c
    else:
        def sizes(x: float) -> tuple[float, float]:
            return n_t, x
        low = max(_N_MIN, de_c * (2.0 - n_t / de_t)) if is_t else _N_MIN
        fixed = n_t
    low = low * (1 + 1e-12) + 1e-10

    def gap(x: float) -> float:
        return design.power(*sizes(x), param) - target

    if gap(low) >= 0:
        notes.append(f"the smallest possible group ({low:.3g}) already has the power asked for")
        return sizes(low)
    high = max(4 * low, 16.0)
    while gap(high) < 0:  # power rises with n: widen the bracket until it holds the root
        if high >= _N_MAX:
            other = "" if fixed is None else f" with {_count(fixed)} students in the other group"
            raise PeerevalError(
                f"no sample size reaches {target:.0%} power for this effect{other}",
                hint="a fixed group this small limits power however large the other group "
                "becomes; enlarge it, accept lower power or plan for a larger effect")
        high = min(high * 8, _N_MAX)
    return sizes(_solve(gap, low, high))


def _solve_effect(design: _Design, n_t: float, n_c: float, target: float,
                  notes: list[str]) -> tuple[float, float]:
    """The minimum detectable effect (d, or the risk difference) and, for two-sided
    binary outcomes, the detectable treated proportion in the falling direction."""
    sign = -1.0 if design.alternative == "less" else 1.0
    pc = design.risk_control
    if design.method == "t":
        low, high = _D_BOUNDS
        if design.power(n_t, n_c, sign * high) < target:
            raise PeerevalError(f"no effect up to d = {high:g} reaches {target:.0%} power with "
                                "these group sizes", hint="the groups are far too small")
        return sign * _solve(lambda d: design.power(n_t, n_c, sign * d) - target,
                             low, high), float("nan")
    if design.method == "arcsine":
        h_max = math.pi
        if design.power(n_t, n_c, sign * h_max) < target:
            raise PeerevalError(f"no difference in proportions reaches {target:.0%} power with "
                                "these group sizes", hint="the groups are far too small")
        h = _solve(lambda x: design.power(n_t, n_c, sign * x) - target, 1e-10, h_max)
        rise = _risk_from_h(h, pc) if design.alternative != "less" else float("nan")
        fall = _risk_from_h(-h, pc) if design.alternative != "greater" else float("nan")
    else:
        def detectable(direction: float) -> float:
            edge = 1.0 if direction > 0 else 0.0
            if design.power(n_t, n_c, edge) < target:
                return float("nan")
            return _solve(lambda p: design.power(n_t, n_c, p) - target,
                          *sorted((pc + direction * 1e-12, edge)))
        rise = detectable(1.0) if design.alternative != "less" else float("nan")
        fall = detectable(-1.0) if design.alternative != "greater" else float("nan")
    if np.isnan(rise) and np.isnan(fall):
        raise PeerevalError(f"no proportion reaches {target:.0%} power from risk_control = "
                            f"{pc:g} with these group sizes", hint="the groups are too small")
    if design.alternative == "two-sided" and np.isnan(rise):
        notes.append("no detectable rise within [0, 1]; the fall is reported")
        return fall - pc, float("nan")
    if design.alternative == "two-sided" and np.isnan(fall):
        notes.append("no detectable fall within [0, 1]")
    primary = fall if design.alternative == "less" else rise
    other = fall if design.alternative == "two-sided" else float("nan")
    return primary - pc, other


def _mde_standardised(design: _Design, n_t: float, n_c: float, target: float,
                      known: float | None) -> float:
    """Minimum detectable d (continuous) or h (binary) at ``target`` power."""
    if design.outcome == "continuous":
        if known is not None:
            return abs(known)
        try:
            return abs(_solve_effect(design, n_t, n_c, target, [])[0])
        except PeerevalError:  # no d up to 10 reaches the power
            return float("nan")
    arcsine = _Design(design.outcome, "arcsine", design.alpha, design.alternative,
                      design.risk_control, design.de_treated, design.de_control)
    if design.method == "arcsine":
        sign = -1.0 if design.alternative == "less" else 1.0
        if arcsine.power(n_t, n_c, sign * math.pi) < target:
            return float("nan")
        return _solve(lambda x: arcsine.power(n_t, n_c, sign * x) - target, 1e-10, math.pi)
    try:
        diff = known if known is not None else _solve_effect(design, n_t, n_c, target, [])[0]
    except PeerevalError:
        return float("nan")
    pc = design.risk_control
    return abs(cohen_h(pc + diff, pc))


def _power_at_standardised(design: _Design, n_t: float, n_c: float, size: float) -> float:
    """Power for a standardised effect of ``size`` in the tested direction."""
    sign = -1.0 if design.alternative == "less" else 1.0
    if design.method in ("t", "arcsine"):
        return design.power(n_t, n_c, sign * size)
    pc = design.risk_control
    p = _risk_from_h(sign * size, pc)
    if np.isnan(p):
        p = _risk_from_h(-sign * size, pc)
    return float("nan") if np.isnan(p) else design.power(n_t, n_c, p)
