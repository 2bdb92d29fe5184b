"""Sensitivity to unmeasured confounding: the E-value.

:func:`e_value`: how strong an unmeasured confounder would have to be, with both the
treatment and the outcome, to explain an effect away (VanderWeele & Ding 2017). It
applies to any observational estimate (a matched, weighted, adjusted or raw one), so
it lives beside, not inside, the propensity-score methods.

References
----------
VanderWeele TJ, Ding P (2017). Sensitivity analysis in observational research:
introducing the E-value. *Ann Intern Med* 167:268-274.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from peereval._format import fmt
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.outcomes._groups import AnyCase, check_choice

__all__ = ["EValue", "e_value"]

#: The measures, as the methods sentence names them.
_MEASURE_NAMES = {"RR": "risk ratio", "OR": "odds ratio", "HR": "hazard ratio",
                  "SMD": "standardised mean difference"}
#: The limits ``se=`` gives for an SMD are d ± 1.96 SE (the EValue package's 95%).
_SE_CONFIDENCE = 0.95


# ------------------------------------------------------------------ E-value


@dataclass(frozen=True, repr=False)
class EValue(Result):
    r"""E-values for an estimate and its confidence limit closest to the null.

    Attributes
    ----------
    measure
        ``"RR"``, ``"OR"``, ``"HR"`` or ``"SMD"``.
    estimate, ci_low, ci_high
        As given (the limits computed from ``se`` for an SMD given with its SE).
    ci_level
        The confidence level of that interval (as given to :func:`e_value`).
    rr, rr_ci_low, rr_ci_high
        The same on the risk-ratio scale (after the approximate conversion).
    e_value
        :math:`RR + \sqrt{RR(RR-1)}` for :math:`RR \ge 1` (use :math:`1/RR` below 1).
    e_value_ci
        The same for the confidence limit closer to 1; 1 when the interval contains
        1; None when that limit was not given.
    conversion
        How the estimate was put on the risk-ratio scale.

    Examples
    --------
    >>> from peereval.outcomes import e_value
    >>> ev = e_value(1.5, 1.1, 2.0)   # a risk ratio and its 95% CI
    >>> ev.measure, round(ev.e_value, 2), round(ev.e_value_ci, 2)
    ('RR', 2.37, 1.43)
    """

    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    ci_level: float
    rr: float
    rr_ci_low: float | None
    rr_ci_high: float | None
    e_value: float
    e_value_ci: float | None
    conversion: str
    title: str = "E-value (VanderWeele & Ding 2017)"

    lower = deprecated_alias("ci_low")
    upper = deprecated_alias("ci_high")
    rr_lower = deprecated_alias("rr_ci_low")
    rr_upper = deprecated_alias("rr_ci_high")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"measure": self.measure, "estimate": self.estimate,
                              "ci_low": self.ci_low, "ci_high": self.ci_high,
                              "ci_level": self.ci_level, "rr": self.rr,
                              "rr_ci_low": self.rr_ci_low, "rr_ci_high": self.rr_ci_high,
                              "e_value": self.e_value, "e_value_ci": self.e_value_ci,
                              "conversion": self.conversion}])

    def apa(self) -> str:
        text = f"E-value = {fmt(self.e_value)}"
        if self.e_value_ci is not None:
            text += f" (for the confidence limit: {fmt(self.e_value_ci)})"
        return text

    def methods(self) -> str:
        """How the E-values were computed, as a methods sentence.

        Names the measure, whether (and at which confidence level) an interval was
        given, and the conversion to the risk-ratio scale.

        Returns
        -------
        str

        Examples
        --------
        >>> from peereval.outcomes import e_value
        >>> print(e_value(2.5, 1.5, 4.0, measure="OR", rare=False, confidence=0.9)
        ...       .methods())  # doctest: +NORMALIZE_WHITESPACE
        E-values (VanderWeele & Ding, 2017) were computed for the odds ratio and for the
        limit of its 90% confidence interval closer to the null, after converting it to
        the risk-ratio scale as RR = sqrt(OR) (common outcome).
        """
        name = _MEASURE_NAMES[self.measure]
        if self.e_value_ci is None:
            what = f"for the {name} (no confidence limit closer to the null was given)"
        else:
            what = (f"for the {name} and for the limit of its {self.ci_level:.0%} "
                    "confidence interval closer to the null")
        converted = ("" if self.measure == "RR" else
                     f", after converting it to the risk-ratio scale as {self.conversion}")
        return f"E-values (VanderWeele & Ding, 2017) were computed {what}{converted}."


def _e(rr: float) -> float:
    rr = 1 / rr if rr < 1 else rr
    return rr + math.sqrt(rr * (rr - 1))


@renamed(lower="ci_low", upper="ci_high")
@checked(measure=AnyCase(("RR", "OR", "HR", "SMD")),
         se=Interval(0, math.inf, closed="neither", none=True),
         confidence=Interval(0, 1, closed="neither"))
def e_value(estimate: float, ci_low: float | None = None, ci_high: float | None = None, *,
            measure: Literal["RR", "OR", "HR", "SMD"] = "RR", rare: bool | None = None,
            se: float | None = None, confidence: float = 0.95) -> EValue:
    r"""E-value: the minimum confounding that could explain an association away.

    The E-value is the smallest risk ratio that an unmeasured confounder would need
    with **both** the treatment and the outcome, beyond the measured covariates, to
    move the estimate to the null (VanderWeele & Ding 2017):

    .. math:: E = RR + \sqrt{RR\,(RR - 1)}, \qquad RR \ge 1

    (for :math:`RR < 1` use :math:`1/RR`). For the interval, the limit closer to 1 is
    used; if the interval contains 1 its E-value is 1. Other measures are first put on
    the risk-ratio scale (VanderWeele & Ding 2017, Table 2):

    * ``"OR"``: :math:`RR \approx OR` if the outcome is rare (``rare=True``, under
      about 15%), else :math:`RR \approx \sqrt{OR}`;
    * ``"HR"``: :math:`RR \approx HR` if rare, else
      :math:`RR \approx (1 - 0.5^{\sqrt{HR}}) / (1 - 0.5^{\sqrt{1/HR}})`;
    * ``"SMD"`` (a standardised mean difference *d*, e.g. of exam scores):
      :math:`RR \approx \exp(0.91\,d)`, the interval limits converted the same way,
      or from ``se`` as :math:`\exp(0.91\,d \pm 1.78\,SE)`.

    Parameters
    ----------
    estimate
        The point estimate on its own scale (ratio, or *d* for ``"SMD"``).
    ci_low, ci_high
        Confidence limits (either or both, or neither).
    measure
        ``"RR"`` (risk or rate ratio), ``"OR"``, ``"HR"`` or ``"SMD"``.
    rare
        Required for ``"OR"`` and ``"HR"``: whether the outcome is rare (< 15%).
    se
        For ``"SMD"`` only: the standard error of *d*, used when no limits are given
        (the limits are then :math:`d \pm 1.96\,SE`, a 95% interval).
    confidence
        The confidence level of the interval given (0.95 by default); it is recorded
        for the methods sentence and does not change the E-values.

    Returns
    -------
    EValue

    Examples
    --------
    The breastfeeding example of VanderWeele & Ding (2017): RR = 3.9 (95% CI 1.8 to
    8.7) gives E-values 7.26 and 3.00.

    >>> from peereval.outcomes import e_value
    >>> ev = e_value(3.9, 1.8, 8.7)
    >>> round(ev.e_value, 2), round(ev.e_value_ci, 2)
    (7.26, 3.0)

    A mentoring effect of d = 0.30 (95% CI 0.08 to 0.52) on exam scores:

    >>> print(e_value(0.30, 0.08, 0.52, measure="SMD").apa())
    E-value = 1.96 (for the confidence limit: 1.36)
    """
    measure = check_choice(measure, ("RR", "OR", "HR", "SMD"), "measure")  # type: ignore[assignment]
    values = {"estimate": estimate, "ci_low": ci_low, "ci_high": ci_high, "se": se}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating |
                                                       np.integer) or not math.isfinite(value):
            raise PeerevalError(f"{name} must be a finite number, not {value!r}")
    if measure != "SMD":
        for name in ("estimate", "ci_low", "ci_high"):
            if values[name] is not None and values[name] <= 0:
                raise PeerevalError(f"{name} must be a positive ratio for measure="
                                    f"'{measure}', not {values[name]!r}",
                                    hint="give the ratio itself, not its logarithm")
    if se is not None and measure != "SMD":
        raise PeerevalError("se= is only used with measure='SMD'")
    if (ci_low is not None and ci_low > estimate) or (ci_high is not None and ci_high < estimate):
        raise PeerevalError(f"the interval [{ci_low}, {ci_high}] does not contain the "
                            f"estimate {estimate}")
    if measure in ("OR", "HR") and rare is None:
        raise PeerevalError(f"measure='{measure}' needs rare=True or rare=False",
                            hint="is the outcome rare (under about 15% at the end of "
                            "follow-up)? The conversion to a risk ratio depends on it")
    if measure == "SMD":
        if se is not None and ci_low is None and ci_high is None:
            if confidence != _SE_CONFIDENCE:
                raise PeerevalError(
                    f"se= gives the 95% limits d ± 1.96 SE, not a {confidence:.0%} "
                    "interval", hint="give the limits of that interval as ci_low= and "
                    "ci_high=, or leave confidence= at 0.95")
            ci_low, ci_high = estimate - 1.96 * se, estimate + 1.96 * se

        def convert(v: float) -> float:
            return math.exp(0.91 * v)

        conversion = "RR = exp(0.91 d)"
    elif measure == "RR":
        def convert(v: float) -> float:
            return float(v)

        conversion = "none (a risk ratio)"
    elif rare:
        def convert(v: float) -> float:
            return float(v)

        conversion = f"RR = {measure} (rare outcome)"
    elif measure == "OR":
        def convert(v: float) -> float:
            return math.sqrt(v)

        conversion = "RR = sqrt(OR) (common outcome)"
    else:
        def convert(v: float) -> float:
            return (1 - 0.5 ** math.sqrt(v)) / (1 - 0.5 ** math.sqrt(1 / v))

        conversion = "RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) (common outcome)"
    rr = convert(estimate)
    rr_lo = None if ci_low is None else convert(ci_low)
    rr_hi = None if ci_high is None else convert(ci_high)
    limit = rr_lo if rr >= 1 else rr_hi
    if limit is None:
        e_ci = None
    elif (rr >= 1 and limit <= 1) or (rr < 1 and limit >= 1):
        e_ci = 1.0
    else:
        e_ci = _e(limit)
    return EValue(measure=measure, estimate=float(estimate),
                  ci_low=None if ci_low is None else float(ci_low),
                  ci_high=None if ci_high is None else float(ci_high),
                  ci_level=float(confidence), rr=rr, rr_ci_low=rr_lo, rr_ci_high=rr_hi,
                  e_value=_e(rr), e_value_ci=e_ci, conversion=conversion)
