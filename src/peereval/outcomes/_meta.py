r"""Meta-analysis of an effect across sites, cohorts or years.

A single school's mentoring evaluation rarely has the students to detect a small
effect (see :func:`~peereval.outcomes.power`); several cohorts, years or schools
synthesised can. :func:`from_groups` turns per-site group summaries (means and SDs,
or event counts) into effect sizes and their sampling variances, as R's
``metafor::escalc`` does; :func:`meta_analysis` pools them with a fixed-effect
(inverse-variance) or random-effects model, as ``metafor::rma``, and returns a
forest-plot-ready table.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from peereval._format import fmt, fmt_ci, fmt_p
from peereval._options import Choice, checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._groups import LEVEL, AnyCase

__all__ = ["MEASURES", "MetaAnalysis", "from_groups", "meta_analysis"]

Method = Literal["REML", "DL", "FE", "ML", "PM"]
Prediction = Literal["riley", "metafor"]

#: Effect-size measures :func:`from_groups` computes (metafor's names) and their names.
MEASURES = {
    "SMD": "Hedges' g",
    "MD": "mean difference",
    "OR": "log odds ratio",
    "RR": "log risk ratio",
    "RD": "risk difference",
}
_RATIO = {"OR": "OR", "RR": "RR"}
_METHOD_NAMES = {
    "FE": "fixed-effect (inverse-variance)",
    "DL": "DerSimonian-Laird",
    "REML": "restricted maximum likelihood",
    "ML": "maximum likelihood",
    "PM": "Paule-Mandel",
}
_ALIASES = {"EE": "FE", "FIXED": "FE", "CE": "FE"}

#: Fisher scoring stops when tau² changes by less than this (metafor: 1e-5).
TAU2_TOLERANCE = 1e-10
#: ... or after this many iterations (metafor: 100).
MAX_ITERATIONS = 1000
#: Fewer studies than this make tau² imprecise (warning).
FEW_STUDIES = 5
#: I² (percent) from which heterogeneity is called substantial (Higgins et al., 2003).
I2_SUBSTANTIAL = 50.0
#: Q-test p below which heterogeneity is flagged (the test has little power; .10).
Q_ALPHA = 0.10


# ------------------------------------------------------------------ estimators


@dataclass(frozen=True)
class _Tau2:
    value: float
    se: float
    iterations: int


def _p_matrix(w: np.ndarray) -> np.ndarray:
    """P = W - W 1 (1'W1)^-1 1'W for an intercept-only model."""
    return np.diag(w) - np.outer(w, w) / w.sum()


def _q(y: np.ndarray, w: np.ndarray) -> float:
    mu = float(np.sum(w * y) / np.sum(w))
    return float(np.sum(w * (y - mu) ** 2))


def _restricted_loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    w = 1 / (v + tau2)
    k = y.size
    return float(-0.5 * (k - 1) * math.log(2 * math.pi) - 0.5 * np.sum(np.log(v + tau2))
                 - 0.5 * math.log(w.sum()) - 0.5 * _q(y, w))


def _loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    w = 1 / (v + tau2)
    return float(-0.5 * y.size * math.log(2 * math.pi) - 0.5 * np.sum(np.log(v + tau2))
                 - 0.5 * _q(y, w))


def _dl(y: np.ndarray, v: np.ndarray) -> _Tau2:
    w = 1 / v
    k = y.size
    p = _p_matrix(w)
    trace = float(np.trace(p))
    tau2 = max(0.0, (_q(y, w) - (k - 1)) / trace)
    se = math.sqrt((2 * (k - 1) + 4 * tau2 * trace + 2 * tau2**2 * np.sum(p * p)) / trace**2)
    return _Tau2(tau2, se, 0)


def _step(y: np.ndarray, v: np.ndarray, tau2: float, reml: bool) -> float:
    """One Fisher-scoring step for tau² (score divided by expected information)."""
    w = 1 / (v + tau2)
    p = _p_matrix(w)
    py = p @ y
    if reml:
        return (float(py @ py) - float(np.trace(p))) / float(np.sum(p * p))
    return (float(py @ py) - float(w.sum())) / float(np.sum(w**2))


def _fisher_scoring(y: np.ndarray, v: np.ndarray, reml: bool) -> _Tau2:
    k = y.size
    # Hedges' (HE) estimator as the starting value, as metafor
    centred = y - y.mean()
    tau2 = max(0.0, float((np.sum(centred**2) - np.sum(v) * (k - 1) / k) / (k - 1)))
    iterations = 0
    change = math.inf
    while change > TAU2_TOLERANCE:
        if iterations >= MAX_ITERATIONS:
            raise PeerevalError(
                f"{'REML' if reml else 'ML'} estimation of tau² did not converge in "
                f"{MAX_ITERATIONS} iterations",
                hint="use method='DL' or method='PM', which are not iterative in this way")
        iterations += 1
        step = _step(y, v, tau2, reml)
        while tau2 + step < 0:  # step-halving keeps tau² non-negative
            step /= 2
        previous, tau2 = tau2, tau2 + step
        change = abs(tau2 - previous)
    # On the boundary the steps shrink geometrically towards 0 and stop just above it:
    # snap to 0 when the likelihood falls from tau² = 0 (a non-positive step there).
    if 0 < tau2 < 1e-6 * float(np.mean(v)) and _step(y, v, 0.0, reml) <= 0:
        tau2 = 0.0
    # a positive estimate must beat tau² = 0 (metafor's ll0check)
    loglik = _restricted_loglik if reml else _loglik
    if tau2 > TAU2_TOLERANCE and loglik(y, v, 0.0) - loglik(y, v, tau2) > 1e-8:
        warnings.warn("Fisher scoring stopped at a local maximum; tau² is set to 0",
                      PeerevalWarning,
                          stacklevel=user_stacklevel())  # via _tau2, _pool, meta_analysis
        tau2 = 0.0
    w = 1 / (v + tau2)
    if reml:
        p = _p_matrix(w)
        se = math.sqrt(2 / np.sum(p * p))
    else:
        se = math.sqrt(2 / np.sum(w**2))
    return _Tau2(tau2, se, iterations)


def _pm(y: np.ndarray, v: np.ndarray) -> _Tau2:
    k = y.size

    def excess(tau2: float) -> float:
        return _q(y, 1 / (v + tau2)) - (k - 1)

    if excess(0.0) <= 0:
        tau2 = 0.0
    else:
        high = max(1.0, float(np.var(y)) * 4)
        while excess(high) > 0:
            high *= 4
        tau2 = float(optimize.brentq(excess, 0.0, high, xtol=1e-14, rtol=1e-15))
    w = 1 / (v + tau2)
    se = math.sqrt(2 * k**2 / (k - 1) / w.sum() ** 2)
    return _Tau2(tau2, se, 0)


def _tau2(y: np.ndarray, v: np.ndarray, method: str) -> _Tau2:
    if method == "FE":
        return _Tau2(0.0, float("nan"), 0)
    if method == "DL":
        return _dl(y, v)
    if method == "PM":
        return _pm(y, v)
    return _fisher_scoring(y, v, reml=method == "REML")


# ------------------------------------------------------------------ result

_EXPLAIN_DEPRECATED = ("MetaAnalysis.explain is deprecated since peereval 0.1: use "
                       "MetaAnalysis.apa(plain=True)")
_SUMMARY_DEPRECATED = ("MetaAnalysis.summary is deprecated since peereval 0.1: use "
                       "MetaAnalysis.summary_row")


@dataclass(frozen=True, repr=False)
class MetaAnalysis(Result):
    r"""A pooled effect across studies (sites, cohorts, years), with heterogeneity.

    Attributes
    ----------
    method, knha, ci_level, measure
        Estimator of τ² (``"FE"`` for the fixed-effect model), Hartung-Knapp
        adjustment (False, True or ``"adhoc"``), confidence level and the effect
        measure (e.g. ``"SMD"``; None when unknown).
    k, labels, effects, variances, weights
        Studies used, their labels, effects, sampling variances and weights in
        percent (inverse of :math:`v_i + \hat\tau^2`).
    estimate, se, statistic, df, p_value, ci_low, ci_high
        Pooled effect, its standard error, z (or t with ``df`` = k - 1 under
        Hartung-Knapp; ``df`` is NaN for z), p-value and confidence interval.
    tau2, tau, se_tau2
        Between-study variance, its square root and its standard error.
    i2, h2
        I² (percent) and H² (Higgins & Thompson, 2002).
    q, q_df, q_p_value
        Cochran's Q with k - 1 df and its p-value.
    s2w
        Hartung-Knapp scale factor (1 without the adjustment).
    pi_low, pi_high, pi_method, pi_df
        Prediction interval for the true effect in a new study, how it was formed
        (``"riley"``: t with k - 2 df; ``"metafor"``: metafor 3.8's default) and
        its df (NaN for a normal quantile).
    iterations
        Fisher-scoring iterations (REML and ML; 0 otherwise).
    dropped
        Labels of studies left out for a missing effect or variance.
    notes
        How the numbers were obtained, and cautions.

    Examples
    --------
    >>> from peereval.outcomes import meta_analysis
    >>> result = meta_analysis([0.3, 0.1, 0.5], [0.04, 0.04, 0.05], method="FE")
    >>> result.k, result.method, round(result.estimate, 3)
    (3, 'FE', 0.286)
    """

    method: str
    knha: bool | str
    ci_level: float
    measure: str | None
    k: int
    labels: tuple[str, ...]
    effects: tuple[float, ...]
    variances: tuple[float, ...]
    weights: tuple[float, ...]
    estimate: float
    se: float
    statistic: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    tau2: float
    tau: float
    se_tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p_value: float
    s2w: float
    pi_low: float
    pi_high: float
    pi_method: str
    pi_df: float
    iterations: int
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    title: str = field(default="Meta-analysis")

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")
    q_p = deprecated_alias("q_p_value")

    @property
    def random(self) -> bool:
        return self.method != "FE"

    @property
    def measure_name(self) -> str:
        return MEASURES.get(self.measure or "", "effect")

    def _exp(self, value: float) -> float:
        return float(np.exp(value))

    # -------------------------------------------------------------- tables

    def to_frame(self) -> pd.DataFrame:
        r"""The forest-plot table: one row per study, then the pooled row and (random
        effects) the prediction interval row.

        Study intervals use the normal quantile, :math:`y_i \pm z\sqrt{v_i}`. For
        ratio measures (``"OR"``, ``"RR"``) the exponentiated columns ``ratio``,
        ``ratio_ci_low`` and ``ratio_ci_high`` are added.
        """
        z = stats.norm.isf((1 - self.ci_level) / 2)
        y = np.asarray(self.effects)
        se = np.sqrt(np.asarray(self.variances))
        frame = pd.DataFrame({
            "label": list(self.labels), "row": "study", "estimate": y, "se": se,
            "ci_low": y - z * se, "ci_high": y + z * se, "weight": list(self.weights),
        })
        pooled = {"label": f"Pooled ({self.method}{', Hartung-Knapp' if self.knha else ''})",
                  "row": "pooled", "estimate": self.estimate, "se": self.se,
                  "ci_low": self.ci_low, "ci_high": self.ci_high, "weight": 100.0}
        rows = [pooled]
        if self.random:
            rows.append({"label": "Prediction interval", "row": "prediction",
                         "estimate": self.estimate, "se": math.sqrt(self.se**2 + self.tau2),
                         "ci_low": self.pi_low, "ci_high": self.pi_high,
                         "weight": float("nan")})
        frame = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)
        if self.measure in _RATIO:
            for column in ("estimate", "ci_low", "ci_high"):
                name = "ratio" if column == "estimate" else f"ratio_{column}"
                frame[name] = np.exp(frame[column])
        return frame

    @property
    def summary_row(self) -> pd.DataFrame:
        """One row of pooled statistics: estimate, interval, test, τ², I², H², Q."""
        return pd.DataFrame([{
            "method": self.method, "knha": self.knha, "measure": self.measure, "k": self.k,
            "estimate": self.estimate, "se": self.se, "statistic": self.statistic,
            "df": self.df, "p_value": self.p_value, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "pi_low": self.pi_low, "pi_high": self.pi_high,
            "pi_method": self.pi_method, "tau2": self.tau2, "tau": self.tau,
            "se_tau2": self.se_tau2, "i2": self.i2, "h2": self.h2, "q": self.q,
            "q_df": self.q_df, "q_p_value": self.q_p_value, "s2w": self.s2w,
            "iterations": self.iterations, "ci_level": self.ci_level,
        }])

    def summary(self) -> pd.DataFrame:
        """Deprecated: the one-row table is the property :attr:`summary_row`."""
        warnings.warn(_SUMMARY_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.summary_row

    summary.__deprecated__ = _SUMMARY_DEPRECATED  # type: ignore[attr-defined]

    # -------------------------------------------------------------- sentences

    def apa(self, *, plain: bool = False) -> str:
        """The pooled effect and heterogeneity as an APA-style sentence, or in words.

        Parameters
        ----------
        plain
            False (default): the APA-style statistics. True: the same result read in
            plain language (what the pooled effect is, whether the studies agree and
            where the effect in a new site would be expected).

        Returns
        -------
        str

        Examples
        --------
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # k < 5: tau² is imprecise
        ...     result = meta_analysis([0.32, 0.10, 0.45], [0.047, 0.036, 0.058],
        ...                            method="DL", measure="SMD")
        >>> print(result.apa(plain=True))  # doctest: +NORMALIZE_WHITESPACE
        Across 3 studies, pooled with a random-effects model, the Hedges' g is 0.26 (95%
        CI [0.02, 0.50]; p = .033). Heterogeneity is I² = 0%. The effect in a new site
        or cohort would be expected between −1.30 and 1.82 (95% prediction interval).
        """
        if plain:
            return self._in_words()
        model = ("Fixed-effect meta-analysis" if not self.random else
                 f"Random-effects meta-analysis ({self.method}"
                 f"{', Hartung-Knapp' if self.knha else ''})")
        test = (f"t({fmt(self.df, 0)}) = {fmt(self.statistic)}" if np.isfinite(self.df)
                else f"z = {fmt(self.statistic)}")
        text = (f"{model}, k = {self.k}: pooled {self.measure_name} = {fmt(self.estimate)}, "
                f"{fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)}, {test}, "
                f"{fmt_p(self.p_value)}")
        if self.measure in _RATIO:
            interval = fmt_ci(self._exp(self.ci_low), self._exp(self.ci_high), level=self.ci_level)
            text += f" ({_RATIO[self.measure]} = {fmt(self._exp(self.estimate))}, {interval})"
        text += (f"; Q({self.q_df}) = {fmt(self.q)}, {fmt_p(self.q_p_value)}, "
                 f"I² = {fmt(self.i2, 0)}%")
        if self.random:
            text += f", τ² = {fmt(self.tau2, 3)}"
            if np.isfinite(self.pi_low):
                text += (f"; {self.ci_level:.0%} prediction interval [{fmt(self.pi_low)}, "
                         f"{fmt(self.pi_high)}]")
        return text + "."

    def _in_words(self) -> str:
        """The synthesis in plain language."""
        model = "a random-effects model" if self.random else "a fixed-effect model"
        ratio = (f"; {_RATIO[self.measure]} = {fmt(self._exp(self.estimate))}"
                 if self.measure in _RATIO else "")
        text = (f"Across {self.k} studies, pooled with {model}, the {self.measure_name} is "
                f"{fmt(self.estimate)} ({fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)}"
                f"; {fmt_p(self.p_value)}{ratio}).")
        if self.i2 >= I2_SUBSTANTIAL:
            text += (f" The studies disagree more than chance explains (I² = "
                     f"{fmt(self.i2, 0)}%): the pooled value is an average of different "
                     "effects.")
        else:
            text += f" Heterogeneity is I² = {fmt(self.i2, 0)}%."
        if self.random and np.isfinite(self.pi_low):
            text += (f" The effect in a new site or cohort would be expected between "
                     f"{fmt(self.pi_low)} and {fmt(self.pi_high)} ({self.ci_level:.0%} "
                     "prediction interval).")
        return text

    def explain(self) -> str:
        """Deprecated: the synthesis in words is ``apa(plain=True)``."""
        warnings.warn(_EXPLAIN_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.apa(plain=True)

    explain.__deprecated__ = _EXPLAIN_DEPRECATED  # type: ignore[attr-defined]

    def methods(self) -> str:
        """How the effects were pooled, as a methods sentence.

        Built from the analysis' own settings: the model and estimator of τ², the
        Hartung-Knapp adjustment, the confidence level, the heterogeneity statistics
        and how the prediction interval was formed.

        Returns
        -------
        str

        Examples
        --------
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # k < 5: tau² is imprecise
        ...     result = meta_analysis([0.32, 0.10, 0.45], [0.047, 0.036, 0.058],
        ...                            knha=True, confidence=0.9, measure="SMD")
        >>> print(result.methods())  # doctest: +NORMALIZE_WHITESPACE
        Hedges' g values were pooled with a random-effects model (τ² by restricted
        maximum likelihood) with the Hartung-Knapp adjustment (t with k - 1 df), and 90%
        confidence intervals; heterogeneity was assessed with Cochran's Q, I² and H²,
        and the 90% prediction interval uses t with k - 2 df (Riley et al., 2011).
        """
        what = "Effects" if self.measure is None else f"{self.measure_name} values"
        what = what[:1].upper() + what[1:]
        level = f"{self.ci_level:.0%}"
        if not self.random:
            model = "a fixed-effect (inverse-variance) model"
        else:
            model = f"a random-effects model (τ² by {_METHOD_NAMES[self.method]})"
            if self.knha == "adhoc":
                model += (" with the Hartung-Knapp adjustment (t with k - 1 df; scale "
                          "factor at least 1, the ad hoc variant)")
            elif self.knha:
                model += " with the Hartung-Knapp adjustment (t with k - 1 df)"
        text = (f"{what} were pooled with {model}, and {level} confidence intervals; "
                "heterogeneity was assessed with Cochran's Q, I² and H²")
        if self.random:
            if self.pi_method == "riley":
                text += (f", and the {level} prediction interval uses t with k - 2 df "
                         "(Riley et al., 2011)")
            else:
                text += (f", and the {level} prediction interval is metafor's default (the "
                         "normal quantile, or t with k - 1 df under Hartung-Knapp)")
        return text + "."

    def __repr__(self) -> str:
        return super().__repr__() + "\n" + self.apa(plain=True)


# ------------------------------------------------------------------ input


def _column(data: pd.DataFrame | None, value: Any, role: str) -> np.ndarray | None:
    """Values given directly, or the column ``value`` names in ``data``."""
    if value is None:
        return None
    if isinstance(value, str):
        if data is None:
            raise PeerevalError(f"{role} = {value!r} names a column, but no data= was given",
                                value=value, hint="pass data=<DataFrame> or the values")
        if value not in data.columns:
            raise PeerevalError(f"no {role} column {value!r}", column=value,
                                hint="columns available: " + ", ".join(map(str, data.columns)))
        return data[value].to_numpy()
    array = np.asarray(value)
    if array.ndim == 0:
        array = array.reshape(1)
    return array


def _numbers(values: np.ndarray, role: str) -> np.ndarray:
    converted = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(converted) & pd.notna(pd.Series(values)).to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise PeerevalError(f"{role} holds a value that is not a number", row=first + 1,
                            value=values[first], hint="clean the input or pass numbers")
    return converted


def _labels(values: np.ndarray | None, k: int) -> list[str]:
    if values is None:
        return [f"Study {i + 1}" for i in range(k)]
    return ["" if pd.isna(v) else str(v) for v in values]


def _method(method: str) -> str:
    key = str(method).upper()
    key = _ALIASES.get(key, key)
    if key not in _METHOD_NAMES:
        raise PeerevalError(f"unknown method {method!r}", value=method,
                            hint="use 'REML' (default), 'DL', 'PM', 'ML' or 'FE'")
    return key


# ------------------------------------------------------------------ meta_analysis()


@renamed(level="confidence")
@checked(method=AnyCase((*_METHOD_NAMES, *_ALIASES)), knha=Choice((False, True, "adhoc")),
         confidence=LEVEL)
def meta_analysis(
    effects: Any = None,
    variances: Any = None,
    *,
    se: Any = None,
    labels: Any = None,
    data: pd.DataFrame | None = None,
    method: Method = "REML",
    knha: bool | Literal["adhoc"] = False,
    confidence: float = 0.95,
    prediction: Prediction = "riley",
    measure: str | None = None,
) -> MetaAnalysis:
    r"""Pool effects across studies with a fixed-effect or random-effects model.

    Parameters
    ----------
    effects
        The studies' effects (Hedges' g, log odds ratios, ...): a sequence, or a
        column name of ``data``. A DataFrame here is read as ``data`` with the
        columns ``yi``, ``vi`` and ``label`` that :func:`from_groups` writes.
    variances
        Their sampling variances (sequence or column name).
    se
        Standard errors instead of variances.
    labels
        Study labels for the forest table (sequence or column name).
    data
        DataFrame holding the named columns.
    method
        τ² estimator: ``"REML"`` (default), ``"DL"`` (DerSimonian-Laird), ``"PM"``
        (Paule-Mandel), ``"ML"``; or ``"FE"`` for the fixed-effect model.
    knha
        True for the Hartung-Knapp(-Sidik-Jonkman) adjustment (t with k - 1 df and a
        rescaled variance); ``"adhoc"`` keeps the scale factor at least 1 (Knapp &
        Hartung's ad hoc variant), so the interval is never narrower than without it.
    confidence
        Confidence (and prediction) level.
    prediction
        ``"riley"`` (default): :math:`\hat\mu \pm t_{k-2}\sqrt{SE^2 + \hat\tau^2}`
        (Riley et al., 2011). ``"metafor"``: metafor 3.8's default, the normal
        quantile (t with k - 1 df under Hartung-Knapp).
    measure
        Name of the effect measure (``"SMD"``, ``"OR"``, ...) for sentences; read
        from a ``measure`` column of ``data`` when there is one.

    Returns
    -------
    MetaAnalysis

    Raises
    ------
    PeerevalError
        Lengths differ; fewer than 2 studies; a variance (or SE) that is zero,
        negative or infinite; an infinite effect; an unknown method; Hartung-Knapp
        with the fixed-effect model; both or neither of ``variances`` and ``se``.

    Warns
    -----
    PeerevalWarning
        Studies dropped for a missing value; a random-effects model with fewer than 5
        studies (τ² imprecise); substantial heterogeneity (I² ≥ 50% or Q-test
        p < .10).

    Notes
    -----
    With effects :math:`y_i`, variances :math:`v_i` and weights
    :math:`w_i = 1/(v_i + \hat\tau^2)` (:math:`\hat\tau^2 = 0` for the fixed-effect
    model), the pooled effect is :math:`\hat\mu = \sum w_iy_i/\sum w_i` with
    :math:`SE = (\sum w_i)^{-1/2}`, tested by :math:`z = \hat\mu/SE`.

    *Heterogeneity.* :math:`Q = \sum v_i^{-1}(y_i - \hat\mu_{FE})^2` on k - 1 df.
    For random-effects models :math:`I^2 = \hat\tau^2/(\hat\tau^2 + \tilde v)` and
    :math:`H^2 = \hat\tau^2/\tilde v + 1` with the typical within-study variance
    :math:`\tilde v = (k-1)/(\sum w_i - \sum w_i^2/\sum w_i)`, :math:`w_i = 1/v_i`
    (Higgins & Thompson, 2002, eq. 9); for DerSimonian-Laird this equals
    :math:`(Q - (k-1))/Q`. For the fixed-effect model :math:`I^2 = (Q - (k-1))/Q`
    and :math:`H^2 = Q/(k-1)`. These are metafor's definitions.

    *τ² estimators.* DerSimonian & Laird (1986):
    :math:`\hat\tau^2 = \max(0, (Q - (k-1))/(\sum w_i - \sum w_i^2/\sum w_i))`.
    REML and ML (Viechtbauer, 2005): Fisher scoring as in metafor, from the Hedges
    estimator, with :math:`P = W - W\mathbf{1}\mathbf{1}'W/\sum w_i`, REML step
    :math:`(y'PPy - \mathrm{tr}P)/\mathrm{tr}(PP)` (ML:
    :math:`(y'PPy - \sum w_i)/\sum w_i^2`), halved while it would make τ² negative,
    until τ² changes by less than 1e-10 (metafor: 1e-5) or 1000 iterations (then an
    error). An estimate within 1e-6 × mean(v) of 0 where the step from 0 is not
    positive is set to 0 (the boundary, which the steps only approach), and a
    positive estimate whose likelihood is below that of τ² = 0 is set to 0.
    Paule-Mandel: the τ² at which the generalised Q equals k - 1 (Brent's method).

    *Hartung-Knapp* (Hartung & Knapp, 2001; Sidik & Jonkman, 2002): the variance of
    :math:`\hat\mu` is multiplied by :math:`s^2 = \sum w_i(y_i - \hat\mu)^2/(k-1)`
    and the test and interval use t with k - 1 df. With few studies it keeps the
    interval honest (IntHout et al., 2014); when :math:`s^2 < 1` it is narrower
    than the z interval, which ``knha="adhoc"`` prevents.

    *Prediction interval.* Riley, Higgins & Deeks (2011) give
    :math:`\hat\mu \pm t_{k-2}\sqrt{SE^2 + \hat\tau^2}` (with k ≥ 3), the default
    here. metafor 3.8's ``predict()`` uses the normal quantile by default (t with
    k - 1 df under Hartung-Knapp) and Riley's form with ``pi.type = "riley"``; both
    are checked against it. No prediction interval is given for the fixed-effect
    model, which assumes one common effect.

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). *Control Clin Trials*, 7, 177-188.
    Viechtbauer, W. (2005). *J Educ Behav Stat*, 30, 261-293. Hartung, J., & Knapp,
    G. (2001). *Stat Med*, 20, 3875-3889. Higgins, J. P. T., & Thompson, S. G.
    (2002). *Stat Med*, 21, 1539-1558. Riley, R. D., Higgins, J. P. T., & Deeks,
    J. J. (2011). *BMJ*, 342, d549. Viechtbauer, W. (2010). metafor. *J Stat Softw*,
    36(3).

    Examples
    --------
    Three cohorts' Hedges' g and variances:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # k < 5: tau² is imprecise
    ...     result = meta_analysis([0.32, 0.10, 0.45], [0.047, 0.036, 0.058],
    ...                            labels=["2019", "2020", "2021"], method="DL")
    >>> round(result.estimate, 4), round(result.tau2, 4), round(result.i2, 1)
    (0.2616, 0.0, 0.0)
    >>> result.to_frame()["row"].tolist()
    ['study', 'study', 'study', 'pooled', 'prediction']
    """
    y, spread, names, measure = _read_input(effects, variances, se, labels, data, measure)
    method = _method(method)
    if knha and method == "FE":
        raise PeerevalError("the Hartung-Knapp adjustment applies to random-effects models",
                            hint="use method='REML' (or 'DL') with knha=True, or knha=False")
    y, v, names, dropped = _usable_studies(y, spread, names, is_se=se is not None)
    k = y.size
    pooled = _pool(y, v, method, knha, confidence)
    q, q_p, i2, h2 = _heterogeneity(y, v, pooled.tau2, method)
    pi_low, pi_high, pi_df = _prediction_interval(pooled, k, method, prediction, confidence)
    estimate, se_mu, crit, w = pooled.estimate, pooled.se, pooled.crit, pooled.weights
    result = MetaAnalysis(
        method=method, knha=knha, ci_level=float(confidence), measure=measure, k=int(k),
        labels=tuple(names), effects=tuple(map(float, y)), variances=tuple(map(float, v)),
        weights=tuple(map(float, 100 * w / w.sum())),
        estimate=estimate, se=se_mu, statistic=float(pooled.statistic), df=pooled.df,
        p_value=pooled.p, ci_low=estimate - crit * se_mu, ci_high=estimate + crit * se_mu,
        tau2=float(pooled.tau2), tau=math.sqrt(pooled.tau2), se_tau2=float(pooled.fit.se),
        i2=float(i2), h2=float(h2), q=float(q), q_df=int(k - 1), q_p_value=q_p,
        s2w=float(pooled.s2w), pi_low=float(pi_low), pi_high=float(pi_high),
        pi_method=prediction, pi_df=float(pi_df), iterations=int(pooled.fit.iterations),
        dropped=dropped, notes=tuple(pooled.notes),
        title=("Meta-analysis, fixed effect" if method == "FE" else
               f"Meta-analysis, random effects ({method}"
               f"{', Hartung-Knapp' if knha else ''})"),
    )
    _warn(result)
    return result


def _read_input(effects: Any, variances: Any, se: Any, labels: Any,
                data: pd.DataFrame | None, measure: str | None
                ) -> tuple[np.ndarray, np.ndarray, list[str], str | None]:
    """Effects, variances (or SEs) and labels as arrays; a from_groups frame read by its
    column names (``yi``, ``vi``, ``label``, ``measure``)."""
    if isinstance(effects, pd.DataFrame) and data is None:
        data = effects
        effects = "yi"
        if variances is None and se is None:
            variances = "vi"
        if labels is None and "label" in data.columns:
            labels = "label"
    if data is not None and not isinstance(data, pd.DataFrame):
        raise PeerevalError(f"data must be a DataFrame, not {type(data).__name__}")
    if measure is None and data is not None and "measure" in data.columns:
        found = data["measure"].dropna().unique()
        measure = str(found[0]) if len(found) == 1 else None
    if effects is None:
        raise PeerevalError("no effects given", hint="pass the studies' effects and variances")
    if (variances is None) == (se is None):
        raise PeerevalError("give the sampling variances or the standard errors (se=), "
                            "one of them")
    y_raw = _column(data, effects, "effect")
    spread_raw = _column(data, variances if se is None else se,
                         "variance" if se is None else "standard error")
    label_raw = _column(data, labels, "label")
    lengths = {"effects": len(y_raw), "variances" if se is None else "se": len(spread_raw)}
    if label_raw is not None:
        lengths["labels"] = len(label_raw)
    if len(set(lengths.values())) != 1:
        raise PeerevalError("effects, variances and labels must have the same length; got "
                            + ", ".join(f"{k} {v}" for k, v in lengths.items()))
    y = _numbers(y_raw, "effects")
    spread = _numbers(spread_raw, "variances" if se is None else "standard errors")
    return y, spread, _labels(label_raw, len(y)), measure


def _usable_studies(y: np.ndarray, spread: np.ndarray, names: list[str], *, is_se: bool
                    ) -> tuple[np.ndarray, np.ndarray, list[str], tuple[str, ...]]:
    """Studies with an effect and a variance (the others dropped, named and warned
    about); impossible values refused; the variances (squared SEs)."""
    missing = np.isnan(y) | np.isnan(spread)
    dropped = tuple(name for name, gone in zip(names, missing, strict=True) if gone)
    if dropped:
        warnings.warn(f"{len(dropped)} stud{'y' if len(dropped) == 1 else 'ies'} dropped for "
                      f"a missing effect or variance: {', '.join(dropped)}",
                      PeerevalWarning, stacklevel=user_stacklevel())
    keep = ~missing
    y, spread = y[keep], spread[keep]
    names = [n for n, k in zip(names, keep, strict=True) if k]
    role = "standard error" if is_se else "variance"
    for i, (value, name) in enumerate(zip(spread, names, strict=True)):
        if not np.isfinite(value) or value <= 0:
            raise PeerevalError(
                f"the {role} of study '{name}' must be positive and finite", row=i + 1,
                value=float(value), hint="a variance is the squared standard error; check for "
                "a sign error or a study with no students in a group")
    for i, (value, name) in enumerate(zip(y, names, strict=True)):
        if not np.isfinite(value):
            raise PeerevalError(f"the effect of study '{name}' is infinite", row=i + 1,
                                hint="a log ratio from a zero cell: add 0.5 to the cells "
                                "(from_groups does this by default)")
    v = spread**2 if is_se else spread
    if y.size < 2:
        raise PeerevalError(
            f"a meta-analysis needs at least 2 studies; {y.size} remain",
            hint="with one study, report its own estimate and interval")
    return y, v, names, dropped


@dataclass(frozen=True)
class _Pooled:
    """The pooled estimate: τ², weights, estimate, its SE and test, the critical value."""

    fit: _Tau2
    tau2: float
    weights: np.ndarray
    estimate: float
    variance: float
    s2w: float
    se: float
    statistic: float
    df: float
    p: float
    crit: float
    notes: list[str]


def _pool(y: np.ndarray, v: np.ndarray, method: str, knha: bool | str, level: float
          ) -> _Pooled:
    """τ² by ``method``, the inverse-variance pooled estimate, its z (or Hartung-Knapp t)
    test and interval."""
    k = y.size
    fit = _tau2(y, v, method)
    tau2 = fit.value
    w = 1 / (v + tau2)
    estimate = float(np.sum(w * y) / np.sum(w))
    variance = 1 / float(np.sum(w))
    s2w = 1.0
    notes: list[str] = [f"τ² by {_METHOD_NAMES[method]}"]
    if method in ("REML", "ML"):
        notes.append(f"Fisher scoring converged in {fit.iterations} iterations "
                     f"(change in τ² < {TAU2_TOLERANCE:g})")
    if knha:
        s2w = _q(y, w) / (k - 1)
        if knha == "adhoc" and s2w < 1:
            notes.append(f"Hartung-Knapp scale factor {s2w:.3g} < 1 raised to 1 (ad hoc)")
            s2w = 1.0
        elif s2w < 1:
            notes.append(f"Hartung-Knapp scale factor {s2w:.3g} < 1: the interval is narrower "
                         "than without the adjustment; knha='adhoc' prevents this")
        variance *= s2w
    se_mu = math.sqrt(variance)
    statistic = estimate / se_mu
    if knha:
        df = float(k - 1)
        p = float(2 * stats.t.sf(abs(statistic), df))
        crit = float(stats.t.isf((1 - level) / 2, df))
    else:
        df = float("nan")
        p = float(2 * stats.norm.sf(abs(statistic)))
        crit = float(stats.norm.isf((1 - level) / 2))
    return _Pooled(fit, tau2, w, estimate, variance, s2w, se_mu, statistic, df, p, crit,
                   notes)


def _heterogeneity(y: np.ndarray, v: np.ndarray, tau2: float, method: str
                   ) -> tuple[float, float, float, float]:
    """Cochran's Q, its p-value, I² and H²."""
    k = y.size
    w_fe = 1 / v
    q = _q(y, w_fe)
    q_p = float(stats.chi2.sf(q, k - 1))
    if method == "FE":
        i2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
    else:
        typical = (k - 1) / (w_fe.sum() - np.sum(w_fe**2) / w_fe.sum())
        i2 = 100 * tau2 / (typical + tau2)
        h2 = tau2 / typical + 1
    return q, q_p, i2, h2


def _prediction_interval(pooled: _Pooled, k: int, method: str, prediction: str,
                         level: float) -> tuple[float, float, float]:
    """Bounds and df of the prediction interval (NaN for the fixed-effect model, and
    for Riley's interval with 2 studies, noted)."""
    pi_low = pi_high = pi_df = float("nan")
    if method != "FE":
        if prediction == "riley":
            if k >= 3:
                pi_df = float(k - 2)
                pi_crit = float(stats.t.isf((1 - level) / 2, pi_df))
            else:
                pi_crit = float("nan")
                pooled.notes.append("no prediction interval with 2 studies (t with k - 2 = 0 "
                                    "df)")
        else:
            pi_df, pi_crit = pooled.df, pooled.crit
        half = pi_crit * math.sqrt(pooled.variance + pooled.tau2)
        pi_low, pi_high = pooled.estimate - half, pooled.estimate + half
    return pi_low, pi_high, pi_df


def _warn(result: MetaAnalysis) -> None:
    if result.random and result.k < FEW_STUDIES:
        advice = ("the Hartung-Knapp interval used here allows for that" if result.knha else
                  "use knha=True (Hartung-Knapp) for an interval that allows for it")
        warnings.warn(
            f"only {result.k} studies: the between-study variance τ² is estimated "
            f"imprecisely and the z-based interval is too narrow; {advice}",
            PeerevalWarning, stacklevel=user_stacklevel())
    if result.i2 >= I2_SUBSTANTIAL or result.q_p_value < Q_ALPHA:
        model = ("the fixed-effect model assumes one common effect, which these studies do "
                 "not share; use a random-effects model (method='REML')"
                 if not result.random else
                 "report the prediction interval and look for reasons (site, year, "
                 "design, outcome measure)")
        warnings.warn(
            f"substantial heterogeneity: I² = {result.i2:.0f}%, Q({result.q_df}) = "
            f"{result.q:.2f}, p = {result.q_p_value:.3g}; the studies' effects differ more than "
            f"sampling error explains, so the pooled estimate averages different effects; "
            f"{model}", PeerevalWarning, stacklevel=user_stacklevel())


# ------------------------------------------------------------------ from_groups()


def _cmi(m: np.ndarray) -> np.ndarray:
    """Hedges' exact small-sample correction, Γ(m/2) / (√(m/2) Γ((m-1)/2))."""
    return np.exp(special.gammaln(m / 2) - 0.5 * np.log(m / 2) - special.gammaln((m - 1) / 2))


@checked(measure=AnyCase(tuple(MEASURES)))
def from_groups(
    data: pd.DataFrame | None = None,
    *,
    measure: str = "SMD",
    n_treated: Any = None,
    n_control: Any = None,
    mean_treated: Any = None,
    sd_treated: Any = None,
    mean_control: Any = None,
    sd_control: Any = None,
    events_treated: Any = None,
    events_control: Any = None,
    labels: Any = None,
    add: float = 0.5,
    to: Literal["only0", "all", "if0all", "none"] = "only0",
) -> pd.DataFrame:
    r"""Effect sizes and sampling variances from per-site group summaries.

    Parameters
    ----------
    data
        One row per site, cohort or year; the other arguments name its columns.
        Without ``data`` they are sequences of values.
    measure
        ``"SMD"`` (Hedges' g, default), ``"MD"`` (raw mean difference), or for counts
        ``"OR"`` (log odds ratio), ``"RR"`` (log risk ratio), ``"RD"`` (risk
        difference). metafor's names; "treated" is the mentored group.
    n_treated, n_control
        Group sizes.
    mean_treated, sd_treated, mean_control, sd_control
        Group means and standard deviations (SMD, MD).
    events_treated, events_control
        Number of students with the event (pass, dropout) per group (OR, RR, RD).
    labels
        Site labels.
    add, to
        Counts: ``add`` is added to every cell of the tables where ``to`` says:
        ``"only0"`` (default) tables with a zero cell, ``"all"`` every table,
        ``"if0all"`` every table if any has a zero cell, ``"none"`` never (as
        ``escalc``'s ``add`` and ``to``).

    Returns
    -------
    pandas.DataFrame
        Columns ``label``, ``measure``, ``yi`` (effect), ``vi`` (sampling variance),
        ``sei`` and the group sizes; pass it to :func:`meta_analysis` as it is.

    Raises
    ------
    PeerevalError
        Unknown measure, missing inputs, lengths that differ, group sizes below 1
        (SMD: fewer than 4 students in all), negative SDs, both SDs zero, events
        outside [0, n], a zero cell with ``to="none"``.

    Notes
    -----
    With pooled SD :math:`s_p = \sqrt{((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)}`,
    Hedges' g is :math:`g = c(m)(\bar x_1 - \bar x_2)/s_p` with
    :math:`c(m) = \Gamma(m/2)/(\sqrt{m/2}\,\Gamma((m-1)/2))`, :math:`m = n_1+n_2-2`
    (Hedges, 1981), and variance :math:`1/n_1 + 1/n_2 + g^2/(2(n_1+n_2))` (metafor's
    default large-sample ``vtype = "LS"``). MD: :math:`\bar x_1 - \bar x_2` with
    variance :math:`s_1^2/n_1 + s_2^2/n_2`. With events :math:`a, c` among
    :math:`n_1, n_2` and :math:`b = n_1 - a`, :math:`d = n_2 - c`: log OR
    :math:`\ln(ad/bc)`, variance :math:`1/a + 1/b + 1/c + 1/d`; log RR
    :math:`\ln((a/n_1)/(c/n_2))`, variance :math:`1/a - 1/n_1 + 1/c - 1/n_2`; RD
    :math:`a/n_1 - c/n_2`, variance :math:`p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2` (the
    corrected counts are used for both estimate and variance, as escalc's
    defaults). Checked against ``metafor::escalc``.

    Examples
    --------
    >>> sites = pd.DataFrame({"site": ["A", "B"], "n_t": [40, 52], "m_t": [72.4, 70.9],
    ...                       "s_t": [9.8, 11.2], "n_c": [45, 60], "m_c": [69.1, 70.2],
    ...                       "s_c": [10.5, 10.9]})
    >>> g = from_groups(sites, n_treated="n_t", mean_treated="m_t", sd_treated="s_t",
    ...                 n_control="n_c", mean_control="m_c", sd_control="s_c", labels="site")
    >>> g[["label", "yi", "vi"]].round(4)
      label      yi      vi
    0     A  0.3213  0.0478
    1     B  0.0630  0.0359
    """
    key = str(measure).upper()
    if key not in MEASURES:
        raise PeerevalError(f"unknown measure {measure!r}", value=measure,
                            hint="use " + ", ".join(map(repr, MEASURES)))
    if data is not None and not isinstance(data, pd.DataFrame):
        raise PeerevalError(f"data must be a DataFrame, not {type(data).__name__}")
    means = key in ("SMD", "MD")
    needed = ({"n_treated": n_treated, "n_control": n_control,
               "mean_treated": mean_treated, "sd_treated": sd_treated,
               "mean_control": mean_control, "sd_control": sd_control} if means else
              {"n_treated": n_treated, "n_control": n_control,
               "events_treated": events_treated, "events_control": events_control})
    absent = [name for name, value in needed.items() if value is None]
    if absent:
        raise PeerevalError(f"measure {key!r} needs {', '.join(absent)}",
                            hint="name the columns (with data=) or pass the values")
    values = {name: _numbers(_column(data, value, name), name)
              for name, value in needed.items()}
    label_values = _column(data, labels, "label")
    lengths = {name: len(v) for name, v in values.items()}
    if label_values is not None:
        lengths["labels"] = len(label_values)
    if len(set(lengths.values())) != 1:
        raise PeerevalError("the group summaries must have the same length; got "
                            + ", ".join(f"{k} {v}" for k, v in lengths.items()))
    for name, array in values.items():
        if np.isnan(array).any():
            row = int(np.flatnonzero(np.isnan(array))[0]) + 1
            raise PeerevalError(f"{name} has a missing value", row=row,
                                hint="fill it in or leave that site out")
    names = _labels(label_values, len(values["n_treated"]))
    n1, n2 = values["n_treated"], values["n_control"]
    if (n1 < 1).any() or (n2 < 1).any():
        raise PeerevalError("every group needs at least 1 student",
                            value=float(np.min(np.minimum(n1, n2))))
    if means:
        y, v = _mean_effects(key, n1, n2, values)
    else:
        y, v = _count_effects(key, n1, n2, values["events_treated"],
                              values["events_control"], add, to)
    return pd.DataFrame({"label": names, "measure": key, "yi": y, "vi": v,
                         "sei": np.sqrt(v), "n_treated": n1, "n_control": n2})


def _mean_effects(key: str, n1: np.ndarray, n2: np.ndarray,
                  values: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    m1, s1 = values["mean_treated"], values["sd_treated"]
    m2, s2 = values["mean_control"], values["sd_control"]
    if (s1 < 0).any() or (s2 < 0).any():
        raise PeerevalError("a standard deviation is negative",
                            value=float(np.min(np.minimum(s1, s2))))
    if key == "MD":
        v = s1**2 / n1 + s2**2 / n2
        if (v <= 0).any():
            raise PeerevalError("both standard deviations are zero at a site",
                                row=int(np.flatnonzero(v <= 0)[0]) + 1)
        return m1 - m2, v
    m = n1 + n2 - 2
    if (m <= 1).any():
        raise PeerevalError("Hedges' g needs at least 4 students in the two groups together",
                            row=int(np.flatnonzero(m <= 1)[0]) + 1)
    pooled = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / m)
    if (pooled <= 0).any():
        raise PeerevalError("the pooled standard deviation is zero at a site",
                            row=int(np.flatnonzero(pooled <= 0)[0]) + 1,
                            hint="a standardised difference needs spread within groups")
    g = _cmi(m) * (m1 - m2) / pooled
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def _count_effects(key: str, n1: np.ndarray, n2: np.ndarray, a: np.ndarray, c: np.ndarray,
                   add: float, to: str) -> tuple[np.ndarray, np.ndarray]:
    if (a < 0).any() or (c < 0).any() or (a > n1).any() or (c > n2).any():
        raise PeerevalError("event counts must lie between 0 and the group size")
    b, d = n1 - a, n2 - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    if to == "all":
        shift = np.ones_like(a, dtype=bool)
    elif to == "only0":
        shift = zero
    elif to == "if0all":
        shift = np.full_like(zero, zero.any())
    else:
        shift = np.zeros_like(zero)
    a, b, c, d = (x + add * shift for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    p1, p2 = a / n1, c / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        if key == "OR":
            y = np.log(a * d / (b * c))
            v = 1 / a + 1 / b + 1 / c + 1 / d
        elif key == "RR":
            y = np.log(p1 / p2)
            v = 1 / a - 1 / n1 + 1 / c - 1 / n2
        else:
            y = p1 - p2
            v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    if key != "RD" and not (np.isfinite(y).all() and np.isfinite(v).all()):
        row = int(np.flatnonzero(~(np.isfinite(y) & np.isfinite(v)))[0]) + 1
        raise PeerevalError(f"a zero cell makes the log {'odds' if key == 'OR' else 'risk'} "
                            "ratio infinite", row=row,
                            hint="keep the default to='only0' (adds 0.5 to tables with a "
                            "zero cell)")
    return y, v

