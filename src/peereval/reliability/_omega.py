"""McDonald's omega: one-factor omega total, and the Schmid-Leiman omegas."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._factor import HEYWOOD_UNIQUENESS, minres, oblimin, sort_and_flip, varimax
from peereval._format import fmt
from peereval._options import Interval, checked, deprecated_alias
from peereval._results import Result
from peereval.errors import (
    ConvergenceWarning,
    HeywoodWarning,
    PeerevalError,
    PeerevalWarning,
    SmallSampleWarning,
    user_stacklevel,
)
from peereval.reliability._data import (
    check_variance,
    cov_to_corr,
    item_frame,
    pairwise_cov,
    prepare,
)

__all__ = ["OmegaResult", "omega"]


@dataclass(frozen=True, repr=False)
class OmegaResult(Result):
    """Omega coefficients and the Schmid-Leiman solution behind them.

    Attributes
    ----------
    omega_total
        Share of total-score variance due to all common factors,
        :math:`1 - \\sum u^2_j / V_t`.
    omega_hierarchical
        Share due to the general factor, :math:`(\\sum g_j)^2 / V_t` (with one factor,
        the share due to that factor).
    omega_limit
        :math:`\\omega_h` of an infinitely long test, :math:`(\\sum g)^2 / (V_t - \\sum u^2)`.
    alpha
        Standardised alpha of the same matrix (ordinal alpha when polychoric).
    ecv
        Explained common variance of the general factor.
    loadings
        One row per item: ``g``, group factors ``F1*``..., ``h2``, ``u2``, ``p2``
        (share of the communality due to g).
    group
        Per factor (``g``, ``F1*``, ...): omega total, general and group, over the
        items that load most on that group factor.
    n_factors, rotation, correlation
        The model: group factors, the oblique rotation before the Schmid-Leiman
        transformation, and ``"pearson"`` or ``"polychoric"``.
    flipped
        Items reversed because they load negatively on the general factor.
    n_items, n, n_dropped, missing
        Items, respondents used (with pairwise deletion, the smallest number behind
        any correlation), respondents dropped and the missing-data rule.

    Examples
    --------
    >>> import peereval
    >>> from peereval.reliability import omega
    >>> result = omega(peereval.load_sample().scores.items, n_factors=3)
    >>> result.n_items, result.n, result.n_dropped
    (18, 111, 27)
    >>> result.apa()
    'ωh = .37, ωt = .87 (3 group factors, 18 items, n = 111)'
    """

    omega_total: float
    omega_hierarchical: float
    omega_limit: float
    alpha: float
    ecv: float
    loadings: pd.DataFrame
    group: pd.DataFrame
    n_factors: int
    rotation: str
    correlation: str
    flipped: tuple[str, ...]
    n_items: int
    n: int
    n_dropped: int
    missing: str
    converged: bool
    option: str = "equal"
    title: str = "McDonald's omega"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "omega_total": self.omega_total, "omega_hierarchical": self.omega_hierarchical,
            "omega_limit": self.omega_limit, "alpha": self.alpha, "ecv": self.ecv,
            "n_factors": self.n_factors, "correlation": self.correlation,
            "n_items": self.n_items, "n": self.n, "n_dropped": self.n_dropped,
        }])

    def apa(self) -> str:
        kind = "ordinal " if self.correlation == "polychoric" else ""
        if self.n_factors == 1:
            return (f"{kind}ω = {fmt(self.omega_total, leading_zero=False)} "
                    f"(one factor, {self.n_items} items, n = {self.n})")
        return (f"{kind}ωh = {fmt(self.omega_hierarchical, leading_zero=False)}, "
                f"ωt = {fmt(self.omega_total, leading_zero=False)} "
                f"({self.n_factors} group factors, {self.n_items} items, n = {self.n})")

    def methods(self) -> str:
        """The methods sentence, from the model this result was computed with.

        Returns
        -------
        str
            The correlations factored, the extraction and rotation, the Schmid-Leiman
            transformation (for group factors), reversed items and the missing-data
            rule.

        Examples
        --------
        >>> import peereval
        >>> from peereval.reliability import omega
        >>> items = peereval.load_sample().scores.items
        >>> print(omega(items, n_factors=3).methods())  # doctest: +NORMALIZE_WHITESPACE
        McDonald's omega (hierarchical and total) of 18 items from the Pearson
        correlations: 3 group factors extracted by minimum residual, rotated by
        oblimin and transformed by Schmid-Leiman, the general factor from the factor
        correlations; listwise deletion (n = 111, 27 dropped).
        """
        source = ("polychoric correlations" if self.correlation == "polychoric"
                  else "Pearson correlations")
        if self.n_factors == 1:
            model = "one factor extracted by minimum residual"
        else:
            general = ("the general factor from the factor correlations"
                       if self.n_factors > 2 else
                       f"the general factor fixed by option '{self.option}' (two group "
                       "factors do not identify it)")
            model = (f"{self.n_factors} group factors extracted by minimum residual, "
                     f"rotated by {self.rotation} and transformed by Schmid-Leiman, "
                     f"{general}")
        flipped = (f"; reversed because they load negatively: {', '.join(self.flipped)}"
                   if self.flipped else "")
        dropped = f", {self.n_dropped} dropped" if self.n_dropped else ""
        kind = "" if self.n_factors == 1 else " (hierarchical and total)"
        return (f"McDonald's omega{kind} of {self.n_items} items from the {source}: "
                f"{model}{flipped}; {self.missing} deletion (n = {self.n}{dropped}).")


def _second_order(phi: np.ndarray, option: str) -> np.ndarray:
    """Loadings of the group factors on the general factor."""
    m = phi.shape[0]
    if m > 2:
        general = minres(phi, 1).loadings[:, 0]
        return general if general.sum() >= 0 else -general
    r = phi[0, 1]
    if option == "equal":
        return np.array([np.sqrt(abs(r)), np.sign(r) * np.sqrt(abs(r))])
    if option == "first":
        return np.array([1.0, r])
    return np.array([r, 1.0])


def _schmid_leiman(matrix: np.ndarray, n_factors: int, option: str
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """General loadings, group loadings (items x m) and communalities."""
    fit = minres(matrix, n_factors)
    converged = fit.converged
    if n_factors == 1:
        loadings = fit.loadings
        if loadings.sum() < 0:
            loadings = -loadings
        return loadings[:, 0], np.zeros((matrix.shape[0], 0)), fit.communalities, converged
    orthogonal, _ = sort_and_flip(varimax(fit.loadings)[0])
    pattern, phi, rotated = oblimin(orthogonal)
    converged = converged and rotated
    gload = _second_order(phi, option)
    general = pattern @ gload
    group = pattern * np.sqrt(np.clip(1 - gload**2, 0, None))
    return general, group, fit.communalities, converged


@checked(n_factors=Interval(1, None, integer=True))
def omega(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    n_factors: int = 3,
    missing: Literal["listwise", "pairwise"] = "listwise",
    polychoric: bool = False,
    flip: bool = True,
    option: Literal["equal", "first", "second"] = "equal",
) -> OmegaResult:
    """McDonald's omega total and hierarchical, from a Schmid-Leiman bifactor solution.

    Parameters
    ----------
    data, items, missing
        As for :func:`peereval.reliability.alpha`; with ``"pairwise"`` each
        correlation uses the respondents who answered both items (R's
        ``cor(use = "pairwise")``, which ``psych::omega`` uses).
    n_factors
        Group factors. With 1, a single factor is fitted and omega total (and the
        same share as omega hierarchical) is reported; at least 3 are needed to
        identify a general factor, with 2 the general loadings are set by ``option``
        as in R's ``psych::omega`` and a warning says so. At most as many as the
        factor model can identify from the items (non-negative degrees of freedom
        :math:`((k - m)^2 - (k + m))/2`: 3 factors from 6 items, 4 from 8), as
        ``psych::omega`` computes them; when the model is just identified or a group
        factor holds fewer than three items (two items per group factor, as with 3
        factors and 6 items) the omegas are computed and a warning says how fragile
        they are. psych fits even more factors than that, with negative degrees of
        freedom; peereval refuses them.
    polychoric
        Work on polychoric correlations (ordinal alpha and omega; Zumbo, Gadermann &
        Zeisser 2007, *J Mod Appl Stat Methods* 6:21-29).
    flip
        Reverse items that load negatively on the general factor before summing, as
        ``psych::omega`` does (their sign shows in :attr:`OmegaResult.flipped`).

    Returns
    -------
    OmegaResult

    Notes
    -----
    Factors are extracted by minimum residuals, rotated by varimax and then oblimin
    (quartimin); the factor correlations :math:`\\Phi` are factored once more (one
    factor) giving the general-factor loadings :math:`\\gamma` of the group factors.
    The Schmid-Leiman (1957) transformation gives item loadings on the general factor
    :math:`g = P\\gamma` and on the residualised group factors
    :math:`P \\operatorname{diag}(\\sqrt{1 - \\gamma^2})`. With :math:`V_t` the sum of
    the correlation matrix and :math:`u^2_j = 1 - h^2_j` the uniquenesses,

    .. math::

        \\omega_h = \\frac{(\\sum_j g_j)^2}{V_t},\\qquad
        \\omega_t = 1 - \\frac{\\sum_j u^2_j}{V_t}

    (McDonald 1999, *Test Theory*; Zinbarg, Revelle, Yovel & Li 2005, *Psychometrika*
    70:123-133), the definitions of R's ``psych::omega``.

    Examples
    --------
    >>> import peereval
    >>> from peereval.reliability import omega
    >>> study = peereval.load_sample()
    >>> result = omega(study.scores.items, n_factors=3)
    >>> # R: psych::omega(na.omit(items), 3): omega.tot .872, omega_h .368
    >>> round(result.omega_total, 3), round(result.omega_hierarchical, 3)
    (0.872, 0.368)
    """
    if n_factors < 1:
        raise PeerevalError(f"n_factors must be at least 1, not {n_factors}")
    frame = item_frame(data, items, what="omega", minimum=3)
    names = tuple(map(str, frame.columns))
    k = len(names)
    dof = ((k - n_factors) ** 2 - (k + n_factors)) / 2
    if dof < 0:
        largest = int(np.floor((2 * k + 1 - np.sqrt(8 * k + 1)) / 2))
        raise PeerevalError(
            f"{n_factors} group factors cannot be estimated from {k} items: the factor "
            f"model would have {dof:g} degrees of freedom",
            hint=f"use at most {largest} factors for {k} items (n_factors=1 for a "
            "one-dimensional scale)",
        )
    matrix, n_obs, dropped, correlation = _omega_correlations(frame, names, missing,
                                                              polychoric)
    general, group, communality, converged = _schmid_leiman(matrix, n_factors, option)
    _warn_about_solution(names, matrix, group, communality, converged,
                         n_factors=n_factors, dof=dof, option=option)
    signs = np.ones(k)
    if flip:
        signs = np.where(general < 0, -1.0, 1.0)
        matrix = matrix * np.outer(signs, signs)
        general = general * signs
        group = group * signs[:, None]
    flipped = tuple(n for n, s in zip(names, signs, strict=True) if s < 0)
    total = float(matrix.sum())
    unique = 1 - communality
    omega_t = 1 - unique.sum() / total
    omega_h = general.sum() ** 2 / total
    common = total - unique.sum()
    off = total - np.trace(matrix)
    alpha_std = k / (k - 1) * off / total
    group_names = [f"F{j + 1}*" for j in range(group.shape[1])]
    variance = np.concatenate([[np.sum(general**2)], (group**2).sum(axis=0)])
    ecv = float(variance[0] / variance.sum())
    table = pd.DataFrame(np.column_stack([general, group]), columns=["g", *group_names])
    table.insert(0, "item", names)
    table["h2"] = communality
    table["u2"] = unique
    with np.errstate(divide="ignore", invalid="ignore"):
        table["p2"] = general**2 / communality
    return OmegaResult(
        omega_total=float(omega_t), omega_hierarchical=float(omega_h),
        omega_limit=float(general.sum() ** 2 / common), alpha=float(alpha_std), ecv=ecv,
        loadings=table, group=_group_omegas(matrix, general, group, omega_t, group_names),
        n_factors=n_factors, rotation="oblimin" if n_factors > 1 else "none",
        correlation=correlation, flipped=flipped, n_items=k, n=n_obs,
        n_dropped=dropped, missing=missing, converged=converged, option=option,
    )


def _omega_correlations(frame: pd.DataFrame, names: tuple[str, ...], missing: str,
                        polychoric: bool) -> tuple[np.ndarray, int, int, str]:
    """The correlation matrix omega factors, its n, the rows dropped and its kind."""
    k = len(names)
    if polychoric:
        from peereval.reliability._polychoric import polychoric as _polychoric

        poly = _polychoric(frame, missing=missing)
        matrix = poly.matrix.to_numpy()  # smoothed as psych::cor.smooth when not PD
        n_obs = poly.n_pairwise_min
        dropped = len(frame) - n_obs if missing == "listwise" else 0
        return matrix, n_obs, dropped, "polychoric"
    if missing == "listwise":
        prepared = prepare(frame, missing, minimum_rows=k + 1, what="omega")
        matrix = cov_to_corr(prepared.cov)
        return matrix, prepared.n_obs, prepared.n_dropped, "pearson"
    if missing == "pairwise":
        answered = frame.dropna(how="all")
        dropped = len(frame) - len(answered)
        check_variance(pairwise_cov(answered.to_numpy()), names)
        matrix = answered.corr(method="pearson").to_numpy()  # each pair's own moments
        mask = answered.notna().to_numpy().astype(int)
        return matrix, int((mask.T @ mask).min()), dropped, "pearson"
    raise PeerevalError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")


def _warn_about_solution(names: tuple[str, ...], matrix: np.ndarray, group: np.ndarray,
                         communality: np.ndarray, converged: bool, *, n_factors: int,
                         dof: float, option: str) -> None:
    """Warn where the factor solution behind the omegas is weak or improper."""
    k = len(names)
    if n_factors == 2:
        warnings.warn(
            "a general factor is not identified by two group factors: its loadings were set "
            f"by option='{option}' (as psych::omega does); prefer 3 or more group factors",
            PeerevalWarning, stacklevel=user_stacklevel())
    # minres keeps uniquenesses at or above HEYWOOD_UNIQUENESS, so a Heywood case shows
    # as a communality at (or, where the search stops early, just short of) that bound
    improper = communality >= np.diag(matrix) - 2 * HEYWOOD_UNIQUENESS
    if np.any(improper):
        heywood = [names[i] for i in np.flatnonzero(improper)]
        warnings.warn(
            f"Heywood case: item(s) {heywood} have a communality of (almost) 1 or more, so "
            "the factor solution is improper; try fewer factors or check the items "
            "(nearly duplicated items cause it)",
            HeywoodWarning, stacklevel=user_stacklevel())
    if not converged:
        warnings.warn("the factor extraction or rotation did not converge; the omegas may "
                      "be unreliable", ConvergenceWarning, stacklevel=user_stacklevel())
    if n_factors > 1:
        owner = np.argmax(np.abs(group), axis=1)
        sizes = np.bincount(owner, minlength=n_factors)
        if dof == 0 or sizes.min() < 3:
            warnings.warn(
                f"{n_factors} group factors from {k} items: "
                + ("the factor model has 0 degrees of freedom (just identified), " if
                   dof == 0 else "")
                + f"group factors hold {', '.join(map(str, sizes))} item(s) each; a group "
                "factor with fewer than 3 items rests on one or two correlations, so its "
                "loadings and omega_h are fragile (psych::omega computes them all the same)",
                SmallSampleWarning, stacklevel=user_stacklevel())


def _group_omegas(matrix: np.ndarray, general: np.ndarray, group: np.ndarray,
                  omega_t: float, names: list[str]) -> pd.DataFrame:
    """Omegas of each group factor's items (those loading most on it)."""
    rows = [{"factor": "g", "omega_total": omega_t,
             "omega_general": general.sum() ** 2 / matrix.sum(), "omega_group": np.nan}]
    if group.shape[1] == 0:
        return pd.DataFrame(rows)
    owner = np.argmax(np.abs(group), axis=1)
    group_sq = 0.0
    for j, name in enumerate(names):
        members = np.flatnonzero(owner == j)
        if members.size == 0:
            rows.append({"factor": name, "omega_total": np.nan, "omega_general": np.nan,
                         "omega_group": np.nan})
            continue
        v = matrix[np.ix_(members, members)].sum()
        gr = group[members, j].sum()
        ge = general[members].sum()
        group_sq += gr**2
        rows.append({"factor": name, "omega_total": (gr**2 + ge**2) / v,
                     "omega_general": ge**2 / v, "omega_group": gr**2 / v})
    rows[0]["omega_group"] = group_sq / matrix.sum()
    return pd.DataFrame(rows)
