"""Confirmatory factor analysis by maximum likelihood, following lavaan's conventions.

:func:`cfa` and :class:`CFAResult` live here; the work is split by concern:

* ``_syntax``: lavaan-style model syntax parsed into a :class:`ModelSpec`;
* ``_cfa_data``: the items after listwise deletion and each group's moments;
* ``_cfa_model``: the parameter table and the engine (implied moments, F_ML, its
  gradient, the expected information);
* ``_cfa_fit``: starting values, identification, minimisation, standardisation;
* ``_cfa_indices``: chi-square, CFI, TLI, RMSEA with its interval, SRMR, AIC, BIC;
* ``_cfa_modindices``: modification indices.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from peereval._format import fmt, fmt_ci, fmt_p
from peereval._options import checked, deprecated_alias
from peereval._results import Result
from peereval.errors import PeerevalWarning
from peereval.validity._cfa_data import LISTWISE_ONLY, ML_ONLY, _by_short_names, _Data, _prepare
from peereval.validity._cfa_fit import (
    _check_identified,
    _minimise,
    _standardize,
    _start,
    _std_jacobian,
)
from peereval.validity._cfa_indices import HU_BENTLER, _fit_measures
from peereval.validity._cfa_model import _build, _Engine
from peereval.validity._cfa_modindices import MI_COLUMNS, _modification_indices
from peereval.validity._syntax import ModelSpec, as_spec

__all__ = ["CFAResult", "cfa"]

_Z975 = float(stats.norm.ppf(0.975))
_SMALL_N = 100

_FIT_FRAME_DEPRECATED = ("CFAResult.fit_frame is deprecated since peereval 0.1: use "
                         "CFAResult.fit_indices")
_FIT_VERDICT_DEPRECATED = ("CFAResult.fit_verdict is deprecated since peereval 0.1: use "
                           "CFAResult.apa(verdict=True)")

#: fit_indices column -> the name the deprecated fit_frame() gave it.
_OLD_FIT_COLUMNS = {"p_value": "pvalue", "rmsea_ci_low": "rmsea_ci_lower",
                    "rmsea_ci_high": "rmsea_ci_upper", "rmsea_p_value": "rmsea_pvalue",
                    "n": "n_obs"}

_ORDINAL_NOTE = (
    "ML on polychoric correlations, not lavaan's WLSMV: the estimates are consistent, "
    "but the chi-square, the fit indices built on it and the standard errors treat the "
    "polychoric matrix as if it were a covariance matrix of normal data and are only "
    "approximate (standard errors usually too small, chi-square inflated)")


# ================================================================== result


@dataclass(frozen=True, repr=False)
class CFAResult(Result):
    """A fitted confirmatory factor analysis.

    Attributes
    ----------
    model
        The model syntax (as given, or as built from a mapping or an instrument).
    estimates
        One row per parameter (lavaan's ``parameterEstimates`` with the standardised
        columns): ``lhs``, ``op``, ``rhs``, ``group`` (with groups only), ``label``,
        ``free``, ``estimate``, ``se``, ``z``, ``p_value``, ``ci_low``, ``ci_high``
        (95%), ``std_lv``, ``std_all``. Fixed parameters have ``se`` 0 and
        ``z``/``p_value`` NaN, as in lavaan.
    standardized
        The completely standardised solution (lavaan's ``standardizedSolution``,
        ``std.all``) with delta-method standard errors: ``est_std``, ``se``, ``z``,
        ``p_value``, ``ci_low``, ``ci_high``.
    modification_indices
        Score tests (1 df) of each fixed or omitted loading, residual covariance and
        factor covariance, largest first: ``mi``, ``epc`` (expected parameter change),
        ``sepc_lv``, ``sepc_all`` (as lavaan's ``modindices``).
    chisq, df, p_value
        The likelihood-ratio test of the model against the saturated model.
    baseline_chisq, baseline_df, baseline_p_value
        The same for the independence (baseline) model.
    cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, rmsea_p_value, srmr
        Fit indices (RMSEA with its 90% interval and the p-value of close fit,
        H0: RMSEA <= .05; SRMR as lavaan's default, Bentler's).
    loglik, unrestricted_loglik, aic, bic, n_parameters
        Log-likelihood of the model and of the saturated model, information
        criteria and the number of free parameters. NaN for ``ordinal=True``, which
        has no likelihood of the data.
    n, n_dropped, dropped, groups, n_by_group
        Respondents used (total and per group), rows dropped and why.
    sample_covariance, implied_covariance
        Per group, the covariance matrix analysed (divisor n, as lavaan; the
        polychoric matrix with ``ordinal=True``) and the one the model implies.
    factors, observed
        Factor and item names, in order of appearance in the model.
    estimator, ordinal, approximate
        How it was estimated; ``approximate`` marks standard errors and chi-square
        that are not exact ML theory (ML on polychoric correlations).
    std_lv, meanstructure
        Identification by unit factor variances; whether means were modelled.
    missing
        The missing-data rule (``"listwise"``).
    converged, iterations, max_gradient
        Convergence of the optimiser (largest absolute gradient element of F_ML).
    warnings
        Red flags raised while fitting (also issued as :class:`PeerevalWarning`).

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import cfa
    >>> study = peereval.load_sample()
    >>> result = cfa(study.scores.items, study.instrument)
    >>> result.n, result.df, round(result.cfi, 3)
    (111, 132, 0.94)
    >>> result.hu_bentler[["index", "rule", "met"]]
       index     rule    met
    0    CFI  >= 0.95  False
    1    TLI  >= 0.95  False
    2  RMSEA  <= 0.06   True
    3   SRMR  <= 0.08   True
    """

    model: str
    estimates: pd.DataFrame
    standardized: pd.DataFrame
    modification_indices: pd.DataFrame
    chisq: float
    df: int
    p_value: float
    baseline_chisq: float
    baseline_df: int
    baseline_p_value: float
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    rmsea_p_value: float
    srmr: float
    loglik: float
    unrestricted_loglik: float
    aic: float
    bic: float
    n_parameters: int
    n: int
    n_dropped: int
    dropped: str
    groups: tuple[str, ...]
    n_by_group: tuple[int, ...]
    sample_covariance: tuple[pd.DataFrame, ...]
    implied_covariance: tuple[pd.DataFrame, ...]
    factors: tuple[str, ...]
    observed: tuple[str, ...]
    estimator: str
    ordinal: bool
    approximate: bool
    std_lv: bool
    meanstructure: bool
    converged: bool
    iterations: int
    max_gradient: float
    warnings: tuple[str, ...]
    missing: str = "listwise"
    title: str = "Confirmatory factor analysis"

    pvalue = deprecated_alias("p_value")
    baseline_pvalue = deprecated_alias("baseline_p_value")
    rmsea_ci_lower = deprecated_alias("rmsea_ci_low")
    rmsea_ci_upper = deprecated_alias("rmsea_ci_high")
    rmsea_pvalue = deprecated_alias("rmsea_p_value")
    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        """The parameter estimates (see :attr:`estimates`)."""
        return self.estimates.copy()

    @property
    def fit_indices(self) -> pd.DataFrame:
        """The fit measures as one row (columns named as the attributes)."""
        return pd.DataFrame([{
            "chisq": self.chisq, "df": self.df, "p_value": self.p_value,
            "baseline_chisq": self.baseline_chisq, "baseline_df": self.baseline_df,
            "cfi": self.cfi, "tli": self.tli, "rmsea": self.rmsea,
            "rmsea_ci_low": self.rmsea_ci_low, "rmsea_ci_high": self.rmsea_ci_high,
            "rmsea_p_value": self.rmsea_p_value, "srmr": self.srmr, "aic": self.aic,
            "bic": self.bic, "loglik": self.loglik, "n_parameters": self.n_parameters,
            "n": self.n, "n_dropped": self.n_dropped, "estimator": self.estimator,
            "approximate": self.approximate, "converged": self.converged,
        }])

    def fit_frame(self) -> pd.DataFrame:
        """Deprecated: the fit measures are the property :attr:`fit_indices`.

        Returns the table under its old column names, as it was."""
        warnings.warn(_FIT_FRAME_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.fit_indices.rename(columns=_OLD_FIT_COLUMNS)

    fit_frame.__deprecated__ = _FIT_FRAME_DEPRECATED  # type: ignore[attr-defined]

    @property
    def loadings(self) -> pd.DataFrame:
        """Standardised loadings (std.all), items x factors (0 where an item does not
        load); of the first group when there are several."""
        rows = self.standardized[self.standardized["op"] == "=~"]
        if len(self.groups) > 1:
            rows = rows[rows["group"] == self.groups[0]]
        table = pd.DataFrame(0.0, index=list(self.observed), columns=list(self.factors))
        for r in rows.itertuples():
            table.loc[r.rhs, r.lhs] = r.est_std
        return table

    @property
    def factor_correlations(self) -> pd.DataFrame:
        """Correlations between the factors (of the first group)."""
        std = self.standardized
        rows = std[(std["op"] == "~~") & std["lhs"].isin(self.factors)]
        if len(self.groups) > 1:
            rows = rows[rows["group"] == self.groups[0]]
        table = pd.DataFrame(np.eye(len(self.factors)), index=list(self.factors),
                             columns=list(self.factors))
        for r in rows.itertuples():
            table.loc[r.lhs, r.rhs] = table.loc[r.rhs, r.lhs] = r.est_std
        return table

    @property
    def hu_bentler(self) -> pd.DataFrame:
        """Each index against Hu & Bentler's (1999) cut-off: ``index``, ``value``,
        ``cutoff``, ``rule`` and ``met``."""
        out = []
        for name, (rule, cutoff) in HU_BENTLER.items():
            value = getattr(self, name)
            met = value >= cutoff if rule == ">=" else value <= cutoff
            out.append({"index": name.upper(), "value": value, "rule": f"{rule} {cutoff}",
                        "cutoff": cutoff, "met": bool(met) if np.isfinite(value) else False})
        return pd.DataFrame(out)

    @property
    def combination_rule_met(self) -> bool:
        """Hu & Bentler's two-index rule: SRMR <= .08 with CFI >= .95 or RMSEA <= .06."""
        return bool(self.srmr <= 0.08 and (self.cfi >= 0.95 or self.rmsea <= 0.06))

    def _verdict(self) -> str:
        """The fit against Hu & Bentler's (1999) cut-offs, in words."""
        parts = []
        table = self.hu_bentler
        for row in table.itertuples():
            digits = 3 if row.index in ("RMSEA", "SRMR") else 2
            value = fmt(row.value, digits, leading_zero=False)
            cut = fmt(row.cutoff, 2, leading_zero=False)
            sign = "≥" if row.rule.startswith(">") else "≤"
            if row.met:
                parts.append(f"{row.index} = {value} meets the {sign} {cut} cut-off")
            else:
                side = "below" if sign == "≥" else "above"
                parts.append(f"{row.index} = {value} is {side} the {cut} cut-off")
        rule = "The combination rule (SRMR ≤ .08 with CFI ≥ .95 or RMSEA ≤ .06)"
        if table["met"].all():
            overall = "By Hu and Bentler's (1999) criteria the model fits well."
        elif self.combination_rule_met:
            overall = (f"{rule} is met, so by Hu and Bentler's (1999) criteria the fit is "
                       "acceptable, though not every index meets its cut-off.")
        else:
            overall = (f"{rule} is not met: by Hu and Bentler's (1999) criteria the model "
                       "does not fit well; the modification indices show where it misfits.")
        text = "; ".join(parts) + ". " + overall
        text += (" These cut-offs are rules of thumb from simulations of continuous data "
                 "(Marsh, Hau & Wen 2004), not tests.")
        if self.ordinal:
            text += " With ML on polychoric correlations the indices are approximate."
        return text

    def _fit_verdict(self) -> str:
        warnings.warn(_FIT_VERDICT_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self._verdict()

    _fit_verdict.__deprecated__ = _FIT_VERDICT_DEPRECATED  # type: ignore[attr-defined]
    #: Deprecated: the verdict is the end of ``apa(verdict=True)``.
    fit_verdict = property(_fit_verdict)

    def apa(self, *, verdict: bool = False) -> str:
        """The fit statistics in APA style, optionally judged against the cut-offs.

        Parameters
        ----------
        verdict
            ``True``: follow the statistics with each index judged against Hu and
            Bentler's (1999) cut-offs and the overall verdict, in words.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import cfa
        >>> study = peereval.load_sample()
        >>> result = cfa(study.scores.items, study.instrument)
        >>> print(result.apa(verdict=True))  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        χ²(132) = 167.54, p = .020; CFI = .94; ... SRMR = .069. CFI = .94 is below the
        .95 cut-off; ...
        """
        chi = (f"χ²({self.df}) = {fmt(self.chisq)}, {fmt_p(self.p_value)}" if self.df > 0
               else f"χ²(0) = {fmt(self.chisq)}")
        ci = fmt_ci(self.rmsea_ci_low, self.rmsea_ci_high, 3, leading_zero=False,
                    level=0.90)
        text = (f"{chi}; CFI = {fmt(self.cfi, leading_zero=False)}; "
                f"TLI = {fmt(self.tli, leading_zero=False)}; "
                f"RMSEA = {fmt(self.rmsea, 3, leading_zero=False)}, {ci}; "
                f"SRMR = {fmt(self.srmr, 3, leading_zero=False)}")
        if self.approximate:
            text += " (ML on polychoric correlations; χ² and SEs approximate)"
        if verdict:
            text += ". " + self._verdict()
        return text

    def methods(self) -> str:
        """How the model was fitted, as a methods sentence.

        Built from the fit's own settings: the estimator, how the factors were scaled,
        the groups, the missing-data rule and the rows it left out.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import cfa
        >>> study = peereval.load_sample()
        >>> print(cfa(study.scores.items, study.instrument).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        A confirmatory factor analysis of 18 items on 3 factors was fitted by maximum
        likelihood (expected information), each factor scaled by fixing the loading of
        its first item at 1; listwise deletion (n = 111; 27 rows dropped). Fit was
        judged against Hu and Bentler's (1999) cut-offs (CFI ≥ .95, TLI ≥ .95, RMSEA ≤
        .06, SRMR ≤ .08).
        """
        estimator = ("maximum likelihood on the polychoric correlations of the items "
                     "(standard errors and χ² approximate)" if self.ordinal
                     else "maximum likelihood (expected information)")
        scaling = ("the factor variances fixed at 1" if self.std_lv
                   else "each factor scaled by fixing the loading of its first item at 1")
        plural = "s" if len(self.factors) != 1 else ""
        text = (f"A confirmatory factor analysis of {len(self.observed)} items on "
                f"{len(self.factors)} factor{plural} was fitted by {estimator}, {scaling}")
        if len(self.groups) > 1:
            text += (f", in {len(self.groups)} groups ("
                     + ", ".join(f"{g}: n = {n}" for g, n in
                                 zip(self.groups, self.n_by_group, strict=True))
                     + ") with means and intercepts")
        rule = "listwise deletion" if self.missing == "listwise" else self.missing
        dropped = "row" if self.n_dropped == 1 else "rows"
        text += f"; {rule} (n = {self.n}; {self.n_dropped} {dropped} dropped)."
        cuts = ", ".join(f"{name.upper()} {'≥' if sign == '>=' else '≤'} "
                         f"{fmt(cut, 2, leading_zero=False)}"
                         for name, (sign, cut) in HU_BENTLER.items())
        return text + f" Fit was judged against Hu and Bentler's (1999) cut-offs ({cuts})."


# ================================================================== fitting


def _fit(spec: ModelSpec, data: _Data, *, std_lv: bool, meanstructure: bool,
         equal: frozenset[str] = frozenset(), modification_indices: bool = True,
         stacklevel: int = 4, missing: str = "listwise") -> CFAResult:
    """Fit the model to prepared data: build, estimate, measure fit, flag, report."""
    rows = _build(spec, len(data.groups), std_lv=std_lv, meanstructure=meanstructure,
                  equal=equal)
    engine = _Engine(rows, spec, data, meanstructure)
    x0 = _start(engine)
    _check_identified(engine, x0)
    x, converged, iterations, max_grad = _minimise(engine, x0)
    notes: list[str] = []
    if not converged:
        notes.append(f"the optimiser did not converge (largest gradient {max_grad:.2g}); "
                     "the estimates and fit measures are not to be trusted. A misspecified "
                     "model, a factor with near-zero loadings or a tiny sample are the "
                     "usual causes")
    vcov = _vcov(engine, x, notes)
    estimates, standardized = _parameter_tables(engine, x, vcov)
    measures = _fit_measures(engine, x)
    mi = (_modification_indices(engine, x) if modification_indices
          else pd.DataFrame(columns=MI_COLUMNS))
    if len(data.groups) == 1:
        mi = mi.drop(columns="group")
    implied = _implied(engine, x, notes)
    notes += _data_notes(estimates, data)
    notes = list(dict.fromkeys(notes))
    for note in notes:
        warnings.warn(note, PeerevalWarning, stacklevel=stacklevel)

    names = list(spec.observed)
    return CFAResult(
        model=spec.text, estimates=estimates, standardized=standardized,
        modification_indices=mi,
        chisq=measures["chisq"], df=int(measures["df"]), p_value=measures["p_value"],
        baseline_chisq=measures["baseline_chisq"], baseline_df=int(measures["baseline_df"]),
        baseline_p_value=measures["baseline_p_value"], cfi=measures["cfi"],
        tli=measures["tli"], rmsea=measures["rmsea"],
        rmsea_ci_low=measures["rmsea_ci_low"], rmsea_ci_high=measures["rmsea_ci_high"],
        rmsea_p_value=measures["rmsea_p_value"], srmr=measures["srmr"],
        loglik=measures["loglik"], unrestricted_loglik=measures["unrestricted_loglik"],
        aic=measures["aic"], bic=measures["bic"], n_parameters=int(measures["n_parameters"]),
        n=data.n, n_dropped=data.n_dropped, dropped=data.dropped,
        groups=tuple(g.label for g in data.groups), n_by_group=tuple(g.n for g in data.groups),
        sample_covariance=tuple(pd.DataFrame(g.cov, index=names, columns=names)
                                for g in data.groups),
        implied_covariance=tuple(implied),
        factors=spec.factors, observed=spec.observed,
        estimator="ML on polychoric correlations" if data.ordinal else "ML",
        ordinal=data.ordinal, approximate=data.ordinal, std_lv=std_lv,
        meanstructure=meanstructure, converged=converged, iterations=iterations,
        max_gradient=max_grad, warnings=tuple(notes), missing=missing,
    )


def _vcov(engine: _Engine, x: np.ndarray, notes: list[str]) -> np.ndarray:
    """Covariance matrix of the free parameters: the inverse expected information / N."""
    info = engine.information(x)
    try:
        eig = np.linalg.eigvalsh(info)
        if eig[0] <= 1e-12 * eig[-1]:
            raise np.linalg.LinAlgError
        return np.linalg.inv(info) / engine.data.n
    except np.linalg.LinAlgError:
        notes.append("the information matrix is singular at the estimates: the model is "
                     "empirically unidentified (e.g. a factor whose loadings are all near "
                     "zero) and no standard errors are given")
        return np.full((engine.q, engine.q), np.nan)


def _parameter_tables(engine: _Engine, x: np.ndarray, vcov: np.ndarray,
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """lavaan's ``parameterEstimates`` (with std.lv, std.all) and ``standardizedSolution``."""
    rows = engine.rows
    v = engine.values(x)
    se = np.zeros(len(rows))
    free = engine.free >= 0
    se[free] = np.sqrt(np.clip(np.diag(vcov)[engine.free[free]], 0, None))
    std_lv_values, std_all = _standardize(engine, x)
    jac = _std_jacobian(engine, x)
    std_cov = jac @ vcov @ jac.T
    std_se = np.sqrt(np.clip(np.diag(std_cov), 0, None))

    labels = [g.label for g in engine.data.groups]
    base = pd.DataFrame({
        "lhs": [r.lhs for r in rows], "op": [r.op for r in rows],
        "rhs": [r.rhs for r in rows],
        "group": [labels[r.group] for r in rows],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free & (se > 0), v / se, np.nan)
        zs = np.where(std_se > 0, std_all / std_se, np.nan)
    estimates = base.assign(
        label=[r.label for r in rows], free=free, estimate=v, se=se, z=z,
        p_value=2 * stats.norm.sf(np.abs(z)), ci_low=v - _Z975 * se,
        ci_high=v + _Z975 * se,
        std_lv=std_lv_values, std_all=std_all)
    standardized = base.assign(
        est_std=std_all, se=std_se, z=zs, p_value=2 * stats.norm.sf(np.abs(zs)),
        ci_low=std_all - _Z975 * std_se, ci_high=std_all + _Z975 * std_se)
    if len(labels) == 1:
        estimates = estimates.drop(columns="group")
        standardized = standardized.drop(columns="group")
    return estimates, standardized


def _implied(engine: _Engine, x: np.ndarray, notes: list[str]) -> list[pd.DataFrame]:
    """Each group's implied covariance matrix; improper solutions noted."""
    labels = [g.label for g in engine.data.groups]
    names = list(engine.spec.observed)
    implied = []
    for g, (lam, th, ps, _, _) in enumerate(engine.matrices(x)):
        sigma = lam @ ps @ lam.T + th
        implied.append(pd.DataFrame(sigma, index=names, columns=names))
        where = f" in group '{labels[g]}'" if len(labels) > 1 else ""
        notes += _improper(engine, th, ps, sigma, where)
    return implied


def _improper(engine: _Engine, th: np.ndarray, ps: np.ndarray, sigma: np.ndarray,
              where: str) -> list[str]:
    """Heywood cases and matrices that are not positive definite, in one group."""
    notes = []
    for i, name in enumerate(engine.spec.observed):
        if th[i, i] < 0:
            notes.append(f"Heywood case{where}: the residual variance of '{name}' is "
                         f"negative ({th[i, i]:.3g}); the model is misspecified or the "
                         "sample too small for it")
    for j, factor in enumerate(engine.spec.factors):
        if ps[j, j] < 0:
            notes.append(f"negative variance of the factor '{factor}'{where} "
                         f"({ps[j, j]:.3g}); the model is misspecified")
    if (np.all(np.diag(ps) > 0) and engine.m > 1
            and np.linalg.eigvalsh(ps)[0] <= 0):
        notes.append(f"the factor covariance matrix{where} is not positive "
                     "definite (a factor correlation at or beyond ±1): two factors "
                     "may be one")
    if np.linalg.eigvalsh(sigma)[0] <= 0:
        notes.append(f"the model-implied covariance matrix{where} is not positive "
                     "definite")
    return notes


def _data_notes(estimates: pd.DataFrame, data: _Data) -> list[str]:
    """Standardised loadings beyond ±1, small samples, the ordinal approximation."""
    notes = []
    if estimates["free"].any():
        lam = estimates[estimates["op"] == "=~"]
        big = lam[np.abs(lam["std_all"]) > 1]
        for r in big.itertuples():
            notes.append(f"Heywood case: the standardised loading of '{r.rhs}' on "
                         f"'{r.lhs}' is {r.std_all:.3f}, beyond ±1")
    for g in data.groups:
        if g.n < _SMALL_N:
            where = f" in group '{g.label}'" if g.label else ""
            notes.append(f"small sample{where} (n = {g.n}): ML chi-square, fit indices "
                         "and standard errors rest on large-sample theory; treat them "
                         "with caution")
    if data.ordinal:
        notes.append(_ORDINAL_NOTE)
    return notes


@checked(estimator=ML_ONLY, missing=LISTWISE_ONLY)
def cfa(
    data: Any,
    model: Any,
    *,
    estimator: Literal["ML"] = "ML",
    std_lv: bool = False,
    missing: Literal["listwise"] = "listwise",
    ordinal: bool = False,
    group: str | Sequence[Any] | None = None,
) -> CFAResult:
    r"""Confirmatory factor analysis by maximum likelihood, as lavaan's ``cfa()``.

    Parameters
    ----------
    data
        A DataFrame with one numeric column per item (a
        :class:`~peereval.instrument.Scores` or
        :class:`~peereval.responses.Responses` also works). Not modified.
    model
        lavaan-style syntax (``"support =~ Q1_1 + Q1_2 + Q1_3"``, one factor per line;
        ``x1 ~~ x2`` for a residual covariance, ``f1 ~~ 0*f2`` for orthogonal factors,
        ``1*x1`` to fix and ``NA*x1`` to free a loading, a shared label ``a*x2 +
        a*x3`` for equal loadings), a mapping ``{factor: [items]}`` or an
        :class:`~peereval.instrument.Instrument` (one factor per scale).
    estimator
        ``"ML"`` (the only one): maximum likelihood.
    std_lv
        ``False`` (default): each factor is scaled by its first item, whose loading
        is fixed at 1 (marker variable). ``True``: factor variances are fixed at 1
        and every loading is estimated (lavaan's ``std.lv = TRUE``).
    missing
        ``"listwise"``: rows with any item unanswered are dropped and counted
        (:attr:`CFAResult.n_dropped`). Full-information ML is not implemented.
    ordinal
        ``True``: fit by ML to the polychoric correlation matrix of the items
        (:func:`peereval.reliability.polychoric`, smoothed when not positive
        definite). This is **not** lavaan's WLSMV: the loadings are consistent, but the
        chi-square, the indices built on it and the standard errors treat the
        polychoric matrix as a covariance matrix of normal data, so they are only
        approximate (``result.approximate`` is ``True`` and the APA sentence says
        so); AIC, BIC and the log-likelihood are not given.
    group
        A column (or a Series aligned with the data) splitting the sample: the same
        model is fitted in every group with no equality constraints (the configural
        model of :func:`peereval.validity.invariance`), with means and intercepts.

    Returns
    -------
    CFAResult

    Raises
    ------
    PeerevalError
        A syntax error (naming the line and token); an item not in the data; a
        non-numeric item; a factor without a scale, or with one item and nothing
        fixed; a model with more parameters than variances and covariances, or one
        whose parameters cannot be told apart; no more complete rows than items; a
        singular covariance matrix.

    Warns
    -----
    PeerevalWarning
        Non-convergence, Heywood cases (negative residual or factor variances,
        standardised loadings beyond ±1), a factor covariance matrix or implied
        covariance matrix that is not positive definite, a singular information
        matrix, n below 100, and the approximations of ``ordinal=True``.

    Notes
    -----
    The model (Jöreskog 1969, *Psychometrika* 34:183-202; Bollen 1989, *Structural
    Equations with Latent Variables*) implies :math:`\Sigma(\theta) = \Lambda\Psi
    \Lambda^\top + \Theta`. The estimates minimise

    .. math::

        F_{ML}(\theta) = \log|\Sigma(\theta)| + \operatorname{tr}(S\Sigma(\theta)^{-1})
        - \log|S| - p

    with :math:`S` the covariance matrix with divisor :math:`N` (lavaan's default
    ``likelihood = "normal"``), by BFGS with the analytic gradient
    :math:`\partial F/\partial\theta_k = \operatorname{tr}(\Sigma^{-1}(\Sigma - S)
    \Sigma^{-1}\,\partial\Sigma/\partial\theta_k)` followed by Fisher-scoring steps
    until the largest gradient element is below about 1e-12. With groups,
    :math:`F = \sum_g (n_g/N) F_g`, each with the mean term
    :math:`(\bar y_g - \mu_g)^\top\Sigma_g^{-1}(\bar y_g - \mu_g)`.

    Standard errors come from the expected information
    :math:`\tfrac12 \operatorname{tr}(\Sigma^{-1}\Sigma_a\Sigma^{-1}\Sigma_b)`
    (plus :math:`\mu_a^\top\Sigma^{-1}\mu_b` with means) evaluated at
    :math:`\hat\Sigma`, as lavaan's default for complete data; those of the
    standardised solution by the delta method (Jacobian by complex step).

    Fit: :math:`\chi^2 = N F_{ML}(\hat\theta)`; CFI :math:`= 1 - \max(\chi^2 -
    df, 0) / \max(\chi^2 - df, \chi^2_b - df_b, 0)`; TLI :math:`= (\chi^2_b/df_b -
    \chi^2/df) / (\chi^2_b/df_b - 1)`; RMSEA :math:`= \sqrt{G}\sqrt{\max(\chi^2/(N
    df) - 1/N, 0)}` with its 90% interval from the noncentral chi-square and the
    p-value of H0: RMSEA ≤ .05; SRMR is Bentler's, the root mean square of
    :math:`(s_{ij} - \hat\sigma_{ij})/\sqrt{s_{ii}s_{jj}}` over the lower triangle
    with the diagonal; AIC :math:`= -2\log L + 2q`, BIC :math:`= -2\log L + q\log
    N`. The baseline model has free variances only. Hu & Bentler (1999, *Struct
    Equ Modeling* 6:1-55) cut-offs: CFI and TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08,
    and their combination rule SRMR ≤ .08 with CFI ≥ .95 or RMSEA ≤ .06
    (``CFAResult.apa(verdict=True)``).

    Modification indices are lavaan's score tests (Sörbom 1989, *Psychometrika*
    54:371-384; EPC: Saris, Satorra & Sörbom 1987, *Sociol Methodol* 17:105-129): for
    each fixed or omitted loading, residual covariance or factor covariance,
    :math:`MI = N g^2 / V` and :math:`EPC = g / V`, with :math:`g` the derivative of
    the per-observation log-likelihood and :math:`V = I_{11} - I_{12} I_{22}^{-1}
    I_{21}` from the expected information; parameters whose :math:`V` vanishes (a
    marker loading, say) are left out, as lavaan does.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import cfa
    >>> study = peereval.load_sample()
    >>> result = cfa(study.scores.items, study.instrument)  # one factor per scale
    >>> # lavaan 0.6.14, cfa(model, na.omit(items)): chisq 167.543, df 132, cfi .9397
    >>> round(result.chisq, 3), result.df, round(result.cfi, 4), result.n_dropped
    (167.543, 132, 0.9397, 27)
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    χ²(132) = 167.54, p = .020; CFI = .94; TLI = .93;
    RMSEA = .049, 90% CI [.021, .070]; SRMR = .069
    >>> result.combination_rule_met  # SRMR <= .08 with RMSEA <= .06
    True
    """
    spec = as_spec(model)
    data = _by_short_names(data, model)
    data_ = _prepare(data, spec, group=group, missing=missing, ordinal=bool(ordinal))
    return _fit(spec, data_, std_lv=bool(std_lv), meanstructure=group is not None,
                missing=missing)
