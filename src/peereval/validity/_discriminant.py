"""Convergent and discriminant validity: CR, AVE, Fornell-Larcker and HTMT."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt
from peereval._options import checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.validity._cfa import CFAResult, cfa
from peereval.validity._cfa_data import LISTWISE_ONLY

__all__ = ["DiscriminantValidity", "discriminant_validity"]

CR_MIN = 0.70
AVE_MIN = 0.50
HTMT_STRICT = 0.85
HTMT_LIBERAL = 0.90


@dataclass(frozen=True, repr=False)
class DiscriminantValidity(Result):
    """Composite reliability, AVE, the Fornell-Larcker criterion and HTMT.

    Attributes
    ----------
    factors
        One row per factor: ``factor``, ``n_items``, ``cr`` (composite reliability),
        ``ave``, ``sqrt_ave``, ``max_correlation`` (largest absolute correlation with
        another factor) and ``with_factor`` (which), ``cr_ok`` (CR ≥ .70),
        ``ave_ok`` (AVE ≥ .50), ``fornell_larcker_ok`` (√AVE above every correlation).
    fornell_larcker
        Factors x factors: √AVE on the diagonal, factor correlations off it.
    htmt
        Factors x factors heterotrait-monotrait ratios (1 on the diagonal).
    pairs
        One row per pair of factors: ``factor_1``, ``factor_2``, ``correlation``,
        ``htmt``, ``htmt_below_85``, ``htmt_below_90``, ``fornell_larcker_ok`` and
        ``verdict`` in words.
    correlation
        ``"pearson"`` or ``"polychoric"``: the item correlations behind HTMT.
    n, n_dropped
        Respondents behind the CFA, and rows it left out (listwise).
    cfa
        The fitted model the coefficients come from.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import discriminant_validity
    >>> study = peereval.load_sample()
    >>> result = discriminant_validity(study.scores.items, study.instrument)
    >>> result.n, round(float(result.htmt.loc["support", "belonging"]), 3)
    (111, 0.391)
    """

    factors: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    pairs: pd.DataFrame
    correlation: str
    n: int
    cfa: CFAResult
    n_dropped: int = 0
    absolute: bool = False
    title: str = "Convergent and discriminant validity"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        """The per-factor table (see :attr:`factors`)."""
        return self.factors.copy()

    def apa(self) -> str:
        f = self.factors
        text = (f"composite reliability {_range(f['cr'])}, AVE {_range(f['ave'])}")
        if len(self.pairs):
            worst = self.pairs.loc[self.pairs["htmt"].abs().idxmax()]
            text += (f"; largest HTMT = {fmt(worst['htmt'], leading_zero=False)} "
                     f"({worst['factor_1']}–{worst['factor_2']})")
            ok = int(f["fornell_larcker_ok"].sum())
            text += f"; Fornell-Larcker criterion met for {ok} of {len(f)} factors"
        return text[0].upper() + text[1:]

    def methods(self) -> str:
        """How convergent and discriminant validity were assessed, as a methods sentence.

        Built from the analysis's own settings: the CFA it rests on (estimator,
        missing-data rule, n), the item correlations behind HTMT and whether they
        were taken as absolute values.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import discriminant_validity
        >>> study = peereval.load_sample()
        >>> result = discriminant_validity(study.scores.items, study.instrument)
        >>> print(result.methods())  # doctest: +NORMALIZE_WHITESPACE
        Composite reliability and average variance extracted (AVE) were computed from
        the standardised solution of a CFA fitted by maximum likelihood (listwise
        deletion; n = 111, 27 dropped), against CR ≥ .70 and AVE ≥ .50; discriminant
        validity by the Fornell-Larcker criterion and the heterotrait-monotrait ratio
        (HTMT) of the Pearson item correlations, against .85 (strict) and .90
        (liberal).
        """
        fit = self.cfa
        estimator = ("maximum likelihood on polychoric correlations" if fit.ordinal
                     else "maximum likelihood")
        rule = "listwise deletion" if fit.missing == "listwise" else fit.missing
        sign = "absolute " if self.absolute else ""
        kind = "Pearson" if self.correlation == "pearson" else self.correlation
        return (f"Composite reliability and average variance extracted (AVE) were "
                f"computed from the standardised solution of a CFA fitted by {estimator} "
                f"({rule}; n = {self.n}, {self.n_dropped} dropped), against CR ≥ "
                f"{fmt(CR_MIN, leading_zero=False)} and AVE ≥ "
                f"{fmt(AVE_MIN, leading_zero=False)}; discriminant validity by the "
                f"Fornell-Larcker criterion and the heterotrait-monotrait ratio (HTMT) of "
                f"the {sign}{kind} item correlations, against "
                f"{fmt(HTMT_STRICT, leading_zero=False)} (strict) and "
                f"{fmt(HTMT_LIBERAL, leading_zero=False)} (liberal).")


def _range(values: pd.Series) -> str:
    lo, hi = float(values.min()), float(values.max())
    if np.isclose(lo, hi):
        return f"= {fmt(lo, leading_zero=False)}"
    return f"{fmt(lo, leading_zero=False)} to {fmt(hi, leading_zero=False)}"


def _pair_verdict(r: float, htmt: float, fl_ok: bool) -> str:
    if not math.isfinite(htmt):
        ht = "HTMT not available (a factor with one item or non-positive correlations)"
    elif abs(htmt) < HTMT_STRICT:
        ht = f"HTMT = {fmt(htmt, leading_zero=False)} is below .85: distinct"
    elif abs(htmt) < HTMT_LIBERAL:
        ht = (f"HTMT = {fmt(htmt, leading_zero=False)} is below .90 but not .85: distinct "
              "only by the liberal cut-off")
    else:
        ht = (f"HTMT = {fmt(htmt, leading_zero=False)} reaches .90: the two factors may "
              "measure the same thing")
    fl = ("√AVE of both exceeds their correlation" if fl_ok else
          f"the correlation ({fmt(r, leading_zero=False)}) exceeds √AVE of at least one "
          "(Fornell-Larcker not met)")
    return f"{ht}; {fl}"


@renamed(fit="data")
@checked(missing=LISTWISE_ONLY)
def discriminant_validity(
    data: CFAResult | Any,
    model: Any = None,
    *,
    std_lv: bool = False,
    missing: Literal["listwise"] = "listwise",
    ordinal: bool = False,
    absolute: bool = False,
) -> DiscriminantValidity:
    r"""Composite reliability, AVE, the Fornell-Larcker criterion and HTMT per factor.

    Parameters
    ----------
    data
        The data, in which case ``model`` is fitted first with
        :func:`peereval.validity.cfa` (``std_lv``, ``missing`` and ``ordinal`` are
        passed on), or a fitted :class:`~peereval.validity.CFAResult` (one group).
        Formerly ``fit=``, which still works with a :class:`DeprecationWarning`.
    model
        The measurement model, when ``data`` is data.
    absolute
        Use absolute item correlations in HTMT (as R's semTools does by default);
        ``False`` uses them as they are (Henseler et al.'s formula), which assumes
        the items are keyed in the same direction.

    Returns
    -------
    DiscriminantValidity

    Raises
    ------
    PeerevalError
        A multi-group CFA; data without a model, or a fitted CFA with one. (With one
        factor CR and AVE are given and the pair tables are empty.)

    Notes
    -----
    With :math:`\lambda_i` the standardised loadings (std.all) of the :math:`k`
    items of a factor, :math:`\theta_{ii}` their standardised residual variances and
    :math:`\theta_{ij}` their residual covariances in the same metric,

    .. math::

        CR = \frac{(\sum\lambda_i)^2}{(\sum\lambda_i)^2 + \sum\theta_{ii}
              + 2\sum_{i<j}\theta_{ij}},\qquad
        AVE = \frac{\sum\lambda_i^2}{\sum\lambda_i^2 + \sum\theta_{ii}}

    (composite reliability or ω, Raykov 1997, *Appl Psychol Meas* 21:173-184;
    average variance extracted, Fornell & Larcker 1981, *J Mark Res* 18:39-50). The
    usual thresholds are CR ≥ .70 and AVE ≥ .50. Fornell and Larcker's criterion asks
    that :math:`\sqrt{AVE}` of each factor exceed its correlation with every other
    factor.

    The heterotrait-monotrait ratio of factors :math:`a` and :math:`b` (Henseler,
    Ringle & Sarstedt 2015, *J Acad Mark Sci* 43:115-135) is the mean correlation
    between the items of :math:`a` and those of :math:`b`, over the geometric mean of
    the mean correlation among the items of :math:`a` and among those of :math:`b`
    (each pair once, diagonal excluded):

    .. math::

        HTMT_{ab} = \frac{\overline{r}_{ab}}{\sqrt{\overline{r}_{aa}\,\overline{r}_{bb}}}

    computed from the item correlation matrix the CFA analysed (Pearson, or
    polychoric with ``ordinal=True``). Values below .85 (Kline's strict cut-off) or
    .90 (the liberal one, Gold, Malhotra & Segars 2001) support discriminant validity.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import discriminant_validity
    >>> study = peereval.load_sample()
    >>> result = discriminant_validity(study.scores.items, study.instrument)
    >>> # R: from lavaan 0.6.14's standardizedSolution by the formulas above
    >>> result.factors[["factor", "cr", "ave"]].round(3).to_numpy().tolist()
    [['support', 0.847, 0.483], ['adjustment', 0.783, 0.382], ['belonging', 0.798, 0.404]]
    """
    result = _fitted(data, model, std_lv=std_lv, missing=missing, ordinal=ordinal)
    std = result.standardized
    loadings = std[(std["op"] == "=~") & (result.estimates["estimate"] != 0)]
    factors = list(result.factors)
    items = {f: list(loadings.loc[loadings["lhs"] == f, "rhs"]) for f in factors}
    phi = result.factor_correlations
    table = _factor_table(result, loadings, items, phi)
    fl = phi.copy()
    for row in table.itertuples():
        fl.loc[row.factor, row.factor] = row.sqrt_ave
    htmt, notes = _htmt(result, items, absolute=absolute)
    for note in notes:
        warnings.warn(note, PeerevalWarning, stacklevel=user_stacklevel())
    return DiscriminantValidity(
        factors=table, fornell_larcker=fl, htmt=htmt, pairs=_pair_table(table, phi, htmt),
        correlation="polychoric" if result.ordinal else "pearson",
        n=result.n, cfa=result, n_dropped=result.n_dropped, absolute=bool(absolute))


def _fitted(fit: Any, model: Any, *, std_lv: bool, missing: Literal["listwise"],
            ordinal: bool) -> CFAResult:
    """The one-group CFA to work from: the one given, or fitted to the data."""
    if isinstance(fit, CFAResult):
        if model is not None:
            raise PeerevalError(
                "a fitted CFA was given together with a model",
                hint="pass either a CFAResult, or the data and the model")
        result = fit
    else:
        if model is None:
            raise PeerevalError(
                "the data were given without a model",
                hint="pass the measurement model too, e.g. discriminant_validity(data, "
                "{'f1': [...], 'f2': [...]}), or a fitted CFAResult")
        result = cfa(fit, model, std_lv=std_lv, missing=missing, ordinal=ordinal)
    if len(result.groups) > 1:
        raise PeerevalError(
            "discriminant validity is computed for one group; this CFA has "
            f"{len(result.groups)} groups ({', '.join(result.groups)})",
            hint="fit the CFA to one group at a time (without group=)")
    return result


def _factor_table(result: CFAResult, loadings: pd.DataFrame, items: dict[str, list[str]],
                  phi: pd.DataFrame) -> pd.DataFrame:
    """CR, AVE, the square root of AVE and the largest correlation, per factor."""
    std = result.standardized
    residual = std[(std["op"] == "~~") & std["lhs"].isin(result.observed)]
    theta = {r.lhs: r.est_std for r in residual.itertuples() if r.lhs == r.rhs}
    rows = []
    for f in items:
        lam = loadings.loc[loadings["lhs"] == f, "est_std"].to_numpy(dtype=float)
        th = np.array([theta[i] for i in items[f]], dtype=float)
        cov = 0.0
        for r in residual.itertuples():
            if r.lhs != r.rhs and r.lhs in items[f] and r.rhs in items[f]:
                cov += r.est_std * math.sqrt(abs(theta[r.lhs] * theta[r.rhs]))
        cr = lam.sum() ** 2 / (lam.sum() ** 2 + th.sum() + 2 * cov)
        ave = (lam**2).sum() / ((lam**2).sum() + th.sum())
        others = phi.loc[f].drop(f).abs()
        rows.append({
            "factor": f, "n_items": len(lam), "cr": float(cr), "ave": float(ave),
            "sqrt_ave": math.sqrt(ave) if ave >= 0 else math.nan,
            "max_correlation": float(others.max()) if len(others) else math.nan,
            "with_factor": str(others.idxmax()) if len(others) else "",
            "cr_ok": bool(cr >= CR_MIN), "ave_ok": bool(ave >= AVE_MIN),
        })
    table = pd.DataFrame(rows)
    table["fornell_larcker_ok"] = [
        bool(len(items) > 1 and row.sqrt_ave > row.max_correlation)
        for row in table.itertuples()]
    return table


def _htmt(result: CFAResult, items: dict[str, list[str]], *, absolute: bool,
          ) -> tuple[pd.DataFrame, list[str]]:
    """The heterotrait-monotrait ratios, and why any is missing."""
    factors = list(items)
    cov = result.sample_covariance[0]
    sd = np.sqrt(np.diag(cov.to_numpy()))
    corr = pd.DataFrame(cov.to_numpy() / np.outer(sd, sd), index=cov.index,
                        columns=cov.columns)
    if absolute:
        corr = corr.abs()
    mono = {}
    for f in factors:
        block = corr.loc[items[f], items[f]].to_numpy()
        off = block[np.triu_indices(len(items[f]), 1)]
        mono[f] = float(off.mean()) if len(off) else math.nan
    htmt = pd.DataFrame(np.eye(len(factors)), index=factors, columns=factors)
    for a, fa in enumerate(factors):
        for fb in factors[a + 1:]:
            hetero = float(corr.loc[items[fa], items[fb]].to_numpy().mean())
            denom = mono[fa] * mono[fb]
            value = hetero / math.sqrt(denom) if denom > 0 else math.nan
            htmt.loc[fa, fb] = htmt.loc[fb, fa] = value
    notes = []
    for f in factors:
        if not mono[f] > 0:
            notes.append(f"HTMT is not available for '{f}': "
                         + ("it has one item" if len(items[f]) < 2 else
                            "its items correlate negatively on average (reverse-key them "
                            "first, or use absolute=True)"))
    return htmt, notes


def _pair_table(table: pd.DataFrame, phi: pd.DataFrame, htmt: pd.DataFrame) -> pd.DataFrame:
    """Each pair of factors: correlation, HTMT against .85 and .90, Fornell-Larcker."""
    factors = list(table["factor"])
    pairs = []
    by_factor = table.set_index("factor")
    for a, fa in enumerate(factors):
        for fb in factors[a + 1:]:
            r = float(phi.loc[fa, fb])
            h = float(htmt.loc[fa, fb])
            fl_ok = bool(by_factor.loc[fa, "sqrt_ave"] > abs(r)
                         and by_factor.loc[fb, "sqrt_ave"] > abs(r))
            pairs.append({
                "factor_1": fa, "factor_2": fb, "correlation": r, "htmt": h,
                "htmt_below_85": bool(abs(h) < HTMT_STRICT) if math.isfinite(h) else False,
                "htmt_below_90": bool(abs(h) < HTMT_LIBERAL) if math.isfinite(h) else False,
                "fornell_larcker_ok": fl_ok, "verdict": _pair_verdict(r, h, fl_ok)})
    return pd.DataFrame(pairs, columns=[
        "factor_1", "factor_2", "correlation", "htmt", "htmt_below_85", "htmt_below_90",
        "fornell_larcker_ok", "verdict"])
