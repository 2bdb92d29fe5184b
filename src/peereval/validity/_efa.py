"""Exploratory factor analysis on numpy and scipy."""

from __future__ import annotations

import functools
import typing
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from peereval._factor import (
    HEYWOOD_UNIQUENESS,
    FactorFit,
    geomin_criterion,
    gpa_oblique,
    gpa_orthogonal,
    minres,
    ml,
    oblimin_criterion,
    principal_axis,
    principal_components,
    promax,
    quartimax_criterion,
    varimax,
)
from peereval._format import count_of, fmt
from peereval._options import Interval, checked, deprecated_alias
from peereval._results import Result
from peereval.errors import OptionError, PeerevalError, PeerevalWarning, user_stacklevel
from peereval.reliability._data import check_variance, item_frame, pairwise_cov
from peereval.validity._matrix import correlation_input

__all__ = ["EFAResult", "efa"]

Method = Literal["minres", "ml", "pa", "pc"]
Rotation = Literal["none", "varimax", "quartimax", "promax", "oblimin", "geomin"]
METHODS = ("minres", "ml", "pa", "pc")
ROTATIONS = ("none", "varimax", "quartimax", "promax", "oblimin", "geomin")
OBLIQUE = ("promax", "oblimin", "geomin")
_METHOD_NAMES = {"minres": "minimum residual", "ml": "maximum likelihood",
                 "pa": "principal axis", "pc": "principal components"}


@dataclass(frozen=True, repr=False, eq=False)
class EFAResult(Result):
    """An exploratory factor solution.

    Attributes
    ----------
    loadings
        Pattern loadings (items x factors); for orthogonal rotations also the
        structure.
    structure
        Structure loadings, correlations of items with factors (pattern x Φ).
    phi
        Factor correlations (identity for orthogonal solutions).
    communalities, uniquenesses
        Per item.
    variance
        Per factor: sum of squared loadings (for oblique solutions the variance
        each factor explains including what it shares, diag(Φ L'L)), proportion and
        cumulative proportion of the items' variance.
    eigenvalues
        Of the correlation matrix with the communalities on the diagonal (principal
        components: of the correlation matrix).
    fit
        Residual fit and, for every method, the maximum-likelihood fit statistics of
        the solution (chi-square with Bartlett's correction, df, p, TLI, RMSEA with
        90% CI, BIC, RMSR), as R's ``psych::fa`` reports them.
    heywood
        Items with a communality of 1 or more (improper solution).

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import efa
    >>> result = efa(peereval.load_sample().scores.items, n_factors=3)
    >>> result.method, result.rotation, result.n, result.loadings.shape
    ('minres', 'oblimin', 111, (18, 3))
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    phi: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    eigenvalues: np.ndarray
    fit: dict[str, float]
    method: str
    rotation: str
    n_factors: int
    n: int
    n_dropped: int
    correlation: str
    converged: bool
    heywood: tuple[str, ...]
    _uniq_for_scores: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    _matrix: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    missing: str = "listwise"
    title: str = "Exploratory factor analysis"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        out = self.loadings.copy()
        out["communality"] = self.communalities
        out["uniqueness"] = self.uniquenesses
        return out.reset_index(names="item")

    def sorted(self, cutoff: float = 0.30) -> pd.DataFrame:
        """Loadings sorted by factor and size, loadings below ``cutoff`` hidden (blank).

        Each item is listed under the factor it loads on most; within a factor, by
        descending loading (``psych::fa.sort``'s order).
        """
        loadings = self.loadings
        main = loadings.abs().to_numpy().argmax(axis=1)
        order = sorted(range(len(loadings)),
                       key=lambda i: (main[i], -abs(loadings.iat[i, main[i]])))
        shown = loadings.iloc[order].copy()
        display = shown.map(lambda v: f"{v:.2f}" if abs(v) >= cutoff else "")
        display["h2"] = self.communalities.iloc[order].map(lambda v: f"{v:.2f}")
        return display

    def scores(self, data: Any, method: Literal["regression", "bartlett"] = "regression"
               ) -> pd.DataFrame:
        """Factor scores of respondents (items standardised with their own mean and SD).

        ``regression`` (Thurstone 1935): weights :math:`W = R^{-1} S`, S the structure;
        ``bartlett`` (Bartlett 1937): :math:`W = U^{-2} P (P^\\top U^{-2} P)^{-1}`.
        Respondents with a missing item get missing scores.
        """
        frame = item_frame(data, list(self.loadings.index), what="factor scores")
        z = (frame - frame.mean()) / frame.std(ddof=1)
        weights = self.weights(method)
        return pd.DataFrame(z.to_numpy() @ weights, index=frame.index,
                            columns=self.loadings.columns)

    def weights(self, method: Literal["regression", "bartlett"] = "regression") -> np.ndarray:
        """Factor score weights (items x factors)."""
        if method == "regression":
            return np.linalg.solve(self._matrix, self.structure.to_numpy())
        if method == "bartlett":
            pattern = self.loadings.to_numpy()
            inv_u = 1 / self._uniq_for_scores
            weighted = pattern * inv_u[:, None]
            return weighted @ np.linalg.inv(pattern.T @ weighted)
        raise PeerevalError(f"unknown factor score method {method!r}",
                            hint="use 'regression' or 'bartlett'")

    def apa(self) -> str:
        method = _METHOD_NAMES[self.method]
        rot = "no rotation" if self.rotation == "none" else f"{self.rotation} rotation"
        explained = self.variance["cumulative"].iloc[-1]
        text = (f"{count_of(self.n_factors, 'factor')} extracted by {method} with {rot} explained "
                f"{explained:.0%} of the variance (n = {self.n})")
        if self.fit.get("rmsea") is not None and np.isfinite(self.fit.get("rmsea", np.nan)):
            text += (f"; TLI = {fmt(self.fit['tli'], leading_zero=False)}, RMSEA = "
                     f"{fmt(self.fit['rmsea'], 3, leading_zero=False)}")
        return text

    def methods(self) -> str:
        """How the factors were extracted and rotated, as a methods sentence.

        Built from the solution's own settings: the number of factors, the
        extraction method, the rotation, the correlations factored and the
        missing-data rule.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import efa
        >>> items = peereval.load_sample().scores.items
        >>> print(efa(items, n_factors=3, rotation="promax").methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        A 3-factor solution for 18 items was extracted by minimum residual from the
        Pearson correlations and rotated by promax (oblique); listwise deletion (n =
        111; 27 rows dropped).
        """
        method = _METHOD_NAMES[self.method]
        if self.rotation == "none":
            rotation = "left unrotated"
        else:
            kind = "oblique" if self.rotation in OBLIQUE else "orthogonal"
            rotation = f"rotated by {self.rotation} ({kind})"
        correlations = ("polychoric correlations" if self.correlation == "polychoric"
                        else "Pearson correlations")
        rule = (f"{self.missing} deletion" if self.missing in ("listwise", "pairwise")
                else self.missing)
        dropped = "row" if self.n_dropped == 1 else "rows"
        return (f"A {self.n_factors}-factor solution for {len(self.loadings)} items was "
                f"extracted by {method} from the {correlations} and {rotation}; {rule} "
                f"(n = {self.n}; {self.n_dropped} {dropped} dropped).")


def factor_input(data: Any, items: Sequence[str] | None, *, missing: str,
                 polychoric: bool, what: str, minimum: int = 3
                 ) -> tuple[np.ndarray, list[str], int, int, str]:
    r"""Correlation matrix, item names, n, rows dropped and kind, as ``psych`` takes them.

    Listwise deletion and polychoric correlations as
    :func:`peereval.validity._matrix.correlation_input`. With ``missing="pairwise"``
    and Pearson correlations, each correlation is computed on its own
    pairwise-complete respondents (their own means and standard deviations), as R's
    ``cor(x, use = "pairwise")`` inside ``psych::fa``, ``KMO``, ``cortest.bartlett``,
    ``fa.parallel`` and ``VSS`` (and as :func:`peereval.reliability.omega`), not
    rescaled from the pairwise covariances, and n is the number of respondents (rows
    with at least one answer), which psych takes as ``n.obs`` for raw data. psych
    also counts rows with no answer at all; peereval drops them and reports them as
    dropped. Polychoric correlations with pairwise deletion get the same n.
    """
    if missing != "pairwise" or polychoric:
        matrix, names, n_obs, dropped, kind = correlation_input(
            data, items, missing=missing, polychoric=polychoric, what=what,
            minimum=minimum)
        if polychoric and missing == "pairwise":
            # psych's n.obs for raw data: the rows, not the smallest pairwise n
            n_obs = len(item_frame(data, items, minimum=minimum, what=what)) - dropped
        return matrix, names, n_obs, dropped, kind
    frame = item_frame(data, items, minimum=minimum, what=what)
    names = list(map(str, frame.columns))
    answered = frame.dropna(how="all")
    dropped = len(frame) - len(answered)
    x = answered.to_numpy()
    present = (~np.isnan(x)).astype(int)
    pair_n = present.T @ present
    if len(answered) < len(names) + 1:
        raise PeerevalError(
            f"only {len(answered)} respondent(s) answered any item ({dropped} rows with no "
            f"answer dropped); {what} needs at least {len(names) + 1}",
            hint="collect more responses or analyse fewer items")
    check_variance(pairwise_cov(x), names)
    matrix = answered.corr(method="pearson", min_periods=3).to_numpy().copy()
    if not np.all(np.isfinite(matrix)):
        i, j = np.argwhere(~np.isfinite(matrix))[0]
        raise PeerevalError(
            f"items '{names[i]}' and '{names[j]}' have {int(pair_n[i, j])} respondent(s) in "
            "common (or no variance among them), so their correlation is undefined",
            column=names[i],
            hint="use missing='listwise' or drop items with few answers")
    np.fill_diagonal(matrix, 1.0)
    return matrix, names, len(answered), dropped, "pearson"


def _extract(matrix: np.ndarray, n_factors: int, method: str) -> FactorFit:
    if method == "minres":
        return minres(matrix, n_factors)
    if method == "ml":
        return ml(matrix, n_factors)
    if method == "pa":
        return principal_axis(matrix, n_factors)
    return principal_components(matrix, n_factors)


def _positive_columns(loadings: np.ndarray) -> np.ndarray:
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1
    return signs


def _rotate(loadings: np.ndarray, rotation: str
            ) -> tuple[np.ndarray, np.ndarray | None, bool]:
    if rotation == "none" or loadings.shape[1] == 1:
        return loadings, None, True
    if rotation == "varimax":
        rotated, _ = varimax(loadings)
        return rotated, None, True
    if rotation == "quartimax":
        rotated, _, ok = gpa_orthogonal(loadings, quartimax_criterion)
        return rotated, None, ok
    if rotation == "promax":
        pattern, phi = promax(loadings)
        return pattern, phi, True
    criterion = oblimin_criterion(0.0) if rotation == "oblimin" else geomin_criterion(0.01)
    pattern, phi, ok = gpa_oblique(loadings, criterion)
    return pattern, phi, ok


def _fit_statistics(matrix: np.ndarray, pattern: np.ndarray, phi: np.ndarray,
                    n_obs: int) -> dict[str, float]:
    """psych::fa's fit statistics of a solution (ML discrepancy, whatever the method)."""
    p, m = pattern.shape
    model = pattern @ phi @ pattern.T
    residual = matrix - model
    off = ~np.eye(p, dtype=bool)
    rstar_off = float(np.sum(residual[off] ** 2))
    dof = p * (p - 1) / 2 - p * m + m * (m - 1) / 2
    out = {"dof": dof, "rms": float(np.sqrt(rstar_off / (p * (p - 1)))),
           "crms": float(np.sqrt(rstar_off / (2 * dof))) if dof > 0 else np.nan}
    np.fill_diagonal(model, np.diag(matrix))
    solved = np.linalg.solve(model, matrix)
    _sign, logdet = np.linalg.slogdet(solved)
    objective = float(np.trace(solved) - logdet - p)
    out["objective"] = objective
    correction = (n_obs - 1) - (2 * p + 5) / 6 - (2 * m) / 3
    chisq = max(objective * correction, 0.0)
    out["chi_square"] = chisq
    out["p"] = float(stats.chi2.sf(chisq, dof)) if dof > 0 else np.nan
    _, null_logdet = np.linalg.slogdet(matrix)
    f0 = float(np.trace(matrix) - null_logdet - p)
    m0 = f0 * 2 / (p * (p - 1))
    mm = objective / dof if dof > 0 else np.nan
    out["tli"] = float((m0 - mm) / (m0 - 1 / correction))
    out["null_chi_square"] = f0 * ((n_obs - 1) - (2 * p + 5) / 6)
    out["null_dof"] = p * (p - 1) / 2
    if dof > 0:
        out["rmsea"] = float(np.sqrt(max(chisq / (dof * n_obs) - 1 / (n_obs - 1), 0)))
        out["rmsea_low"], out["rmsea_high"] = _rmsea_interval(chisq, dof, n_obs)
        out["bic"] = float(chisq - dof * np.log(n_obs))
    else:
        out.update(rmsea=np.nan, rmsea_low=np.nan, rmsea_high=np.nan, bic=np.nan)
    return out


def _rmsea_interval(chisq: float, dof: float, n_obs: int, level: float = 0.90
                    ) -> tuple[float, float]:
    """Noncentrality bounds of RMSEA (Steiger & Lind 1980), as psych computes them."""
    tail = (1 - level) / 2

    def bound(target: float) -> float:
        if stats.chi2.cdf(chisq, dof) <= target:
            return 0.0
        try:
            root = optimize.brentq(lambda x: stats.ncx2.cdf(chisq, dof, x) - target,
                                   1e-12, max(n_obs, chisq * 10))
        except ValueError:
            return np.nan
        return float(np.sqrt(root / (n_obs - 1) / dof))

    return bound(1 - tail), bound(tail)


F = typing.TypeVar("F", bound=Callable[..., Any])


def _n_factors_by_position(function: F) -> F:
    """Keep the old order ``efa(data, n_factors, items)`` working for one release.

    ``keyword_only`` cannot express this change, since ``items`` moved in front of
    ``n_factors``: an int as the second positional argument is taken as ``n_factors``
    (and a third as ``items``), with a DeprecationWarning.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if (len(args) >= 2 and isinstance(args[1], int | np.integer)
                and not isinstance(args[1], bool)):
            for name, value in zip(("n_factors", "items"), args[1:3], strict=False):
                if name in kwargs:
                    raise OptionError(f"{function.__name__}(): {name} is given both by "
                                      "position and by name", hint=f"give {name}= only")
                kwargs[name] = value
            warnings.warn(f"{function.__name__}(data, n_factors, items) is deprecated since "
                          f"peereval 0.1: use {function.__name__}(data, items, "
                          "n_factors=...)", DeprecationWarning, stacklevel=2)
            args = (args[0], *args[3:])
        return function(*args, **kwargs)

    if hasattr(function, "__peereval_options__"):
        wrapper.__peereval_options__ = function.__peereval_options__  # type: ignore[attr-defined]
    return typing.cast(F, wrapper)


@_n_factors_by_position
@checked(n_factors=Interval(1, None, integer=True))
def efa(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    n_factors: int,
    method: Method = "minres",
    rotation: Rotation = "oblimin",
    missing: Literal["listwise", "pairwise"] = "listwise",
    polychoric: bool = False,
) -> EFAResult:
    """Exploratory factor analysis.

    Parameters
    ----------
    data, items, missing
        Item data (DataFrame, Scores or Responses), the columns to use, and the
        missing-data rule: ``"listwise"`` (default) or ``"pairwise"``, each
        correlation from the respondents who answered both items, with n the number
        of respondents for the fit statistics (as ``psych::fa`` on raw data).
    n_factors
        Factors to extract (see :func:`peereval.validity.factor_retention`); a
        required keyword. The old order ``efa(data, 3)`` or ``efa(data, 3, items)``
        still works for one release, with a :class:`DeprecationWarning`.
    method
        ``"minres"`` (minimum residual, default), ``"ml"`` (maximum likelihood),
        ``"pa"`` (iterated principal axis) or ``"pc"`` (principal components).
    rotation
        ``"oblimin"`` (quartimin, default), ``"promax"`` (power 4, Kaiser-normalised),
        ``"geomin"`` (oblique, δ = .01), ``"varimax"``, ``"quartimax"`` or ``"none"``.
    polychoric
        Factor the polychoric correlation matrix (ordinal items).

    Returns
    -------
    EFAResult

    Notes
    -----
    Extraction and rotation follow R's ``psych::fa`` and GPArotation, so the numbers
    agree with them: minres minimises the off-diagonal residuals, ML the
    Lawley-Maxwell discrepancy (both with L-BFGS-B and exact gradients), principal
    axis iterates communalities from the squared multiple correlations until their
    sum changes by less than .001; oblique rotations use gradient projection
    (Jennrich 2002), varimax Kaiser's SVD iteration with Kaiser normalisation. After
    rotation, factors are reflected so that loadings sum positive and ordered by the
    variance they explain. Communalities of 1 or more (Heywood cases) are reported
    and warned about.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import efa
    >>> study = peereval.load_sample()
    >>> result = efa(study.scores.items, n_factors=3)   # R: psych::fa(items, 3)
    >>> result.loadings.shape
    (18, 3)
    >>> sorted(result.sorted().index[:6])[:3]
    ['Q1_1', 'Q1_2', 'Q1_3']
    """
    n_factors = int(n_factors)
    matrix, names, n_obs, dropped, kind = factor_input(
        data, items, missing=missing, polychoric=polychoric, what="factor analysis")
    p = len(names)
    max_factors = p - 1 if method == "pc" else int(np.floor((2 * p + 1 - np.sqrt(8 * p + 1))
                                                             / 2))
    if not 1 <= n_factors <= max(max_factors, 1):
        raise PeerevalError(
            f"{n_factors} factor(s) cannot be estimated from {p} items",
            hint=f"use at most {max(max_factors, 1)} factors (more items are needed for more)",
        )
    fit = _extract(matrix, n_factors, method)
    loadings = fit.loadings * _positive_columns(fit.loadings)
    loadings[loadings == 0] = 1e-15
    pattern, phi, rotated_ok = _rotate(loadings, rotation)
    signs = _positive_columns(pattern)
    pattern = pattern * signs
    if phi is not None:
        phi = phi * np.outer(signs, signs)
        explained = np.diag(phi @ pattern.T @ pattern)
    else:
        phi = np.eye(n_factors)
        explained = (pattern**2).sum(axis=0)
    order = np.argsort(-explained, kind="stable") if n_factors > 1 else np.arange(1)
    pattern, phi, explained = pattern[:, order], phi[np.ix_(order, order)], explained[order]
    prefix = {"minres": "MR", "ml": "ML", "pa": "PA", "pc": "PC"}[method]
    columns = [f"{prefix}{j + 1}" for j in range(n_factors)]
    communality = (fit.loadings**2).sum(axis=1)
    uniqueness = np.diag(matrix) - communality
    reduced = matrix.copy()
    np.fill_diagonal(reduced, communality)
    eigenvalues = (np.sort(np.linalg.eigvalsh(matrix))[::-1] if method == "pc"
                   else fit.eigenvalues if fit.eigenvalues is not None
                   else np.sort(np.linalg.eigvalsh(reduced))[::-1])
    # minres and ML keep uniquenesses at or above .005, so a Heywood case shows as a
    # uniqueness on that bound; principal axis can exceed a communality of 1
    at_bound = uniqueness <= HEYWOOD_UNIQUENESS + 1e-6 if method in ("minres", "ml") else (
        communality >= 1)
    heywood = tuple(names[i] for i in np.flatnonzero(at_bound & (method != "pc")))
    if heywood:
        warnings.warn(
            f"Heywood case: item(s) {list(heywood)} have a communality of (almost) 1 or more, "
            "so the solution is improper; try fewer factors, another method, or check those "
            "items (nearly duplicated items cause it)",
            PeerevalWarning, stacklevel=user_stacklevel())
    converged = fit.converged and rotated_ok
    if not converged:
        warnings.warn(f"the {method} extraction or the {rotation} rotation did not converge; "
                      "the loadings may be unreliable", PeerevalWarning,
                      stacklevel=user_stacklevel())
    variance = pd.DataFrame({
        "factor": columns, "ss_loadings": explained,
        "proportion": explained / p, "cumulative": np.cumsum(explained) / p,
    })
    return EFAResult(
        loadings=pd.DataFrame(pattern, index=names, columns=columns),
        structure=pd.DataFrame(pattern @ phi, index=names, columns=columns),
        phi=pd.DataFrame(phi, index=columns, columns=columns),
        communalities=pd.Series(communality, index=names, name="communality"),
        uniquenesses=pd.Series(uniqueness, index=names, name="uniqueness"),
        variance=variance, eigenvalues=eigenvalues,
        fit=_fit_statistics(matrix, pattern, phi, n_obs),
        method=method, rotation=rotation, n_factors=n_factors, n=n_obs,
        n_dropped=dropped, correlation=kind, converged=converged, heywood=heywood,
        _uniq_for_scores=uniqueness, _matrix=matrix, missing=missing,
    )
