"""Is a correlation matrix worth factoring? KMO, MSA, Bartlett's test, determinant."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from peereval._format import fmt, fmt_p
from peereval._options import checked, deprecated_alias
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.validity._efa import factor_input

__all__ = ["Factorability", "factorability", "kaiser_label"]

_KAISER = ((0.5, "unacceptable"), (0.6, "miserable"), (0.7, "mediocre"), (0.8, "middling"),
           (0.9, "meritorious"), (float("inf"), "marvelous"))


def kaiser_label(value: float) -> str:
    """Kaiser & Rice's (1974) words for a KMO or MSA value.

    Examples
    --------
    >>> kaiser_label(0.93), kaiser_label(0.71), kaiser_label(0.42)
    ('marvelous', 'middling', 'unacceptable')
    """
    for upper, label in _KAISER:
        if value < upper:
            return label
    return _KAISER[-1][1]


@dataclass(frozen=True, repr=False)
class Factorability(Result):
    """KMO, per-item MSA, Bartlett's test of sphericity and the determinant.

    Attributes
    ----------
    kmo, kmo_label
        Overall measure of sampling adequacy and Kaiser's word for it.
    msa
        One row per item: ``item``, ``msa``, ``label``.
    chi_square, df, p_value
        Bartlett's (1951) test that the correlation matrix is an identity matrix.
    determinant
        Of the correlation matrix; near zero means near-singular (multicollinearity).
    n, n_dropped, correlation
        Respondents used, dropped, and ``"pearson"`` or ``"polychoric"``.
    missing
        The missing-data rule (``"listwise"`` or ``"pairwise"``).

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import factorability
    >>> result = factorability(peereval.load_sample().scores.items)
    >>> round(result.kmo, 2), result.kmo_label, result.n
    (0.78, 'middling', 111)
    """

    kmo: float
    kmo_label: str
    msa: pd.DataFrame
    chi_square: float
    df: int
    p_value: float
    determinant: float
    n: int
    n_dropped: int
    correlation: str
    missing: str = "listwise"
    title: str = "Factorability"

    p = deprecated_alias("p_value")
    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        return self.msa.copy()

    @property
    def low_msa(self) -> list[str]:
        """Items with MSA below .50 (Kaiser's "unacceptable"), candidates to drop."""
        return list(self.msa.loc[self.msa["msa"] < 0.5, "item"])

    def apa(self) -> str:
        return (f"KMO = {fmt(self.kmo, leading_zero=False)} ({self.kmo_label}); Bartlett's "
                f"test χ²({self.df}) = {fmt(self.chi_square)}, {fmt_p(self.p_value)}; "
                f"n = {self.n}")

    def methods(self) -> str:
        """How factorability was judged, as a methods sentence.

        Built from the analysis's own settings: the correlations tested and the
        missing-data rule.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import factorability
        >>> items = peereval.load_sample().scores.items
        >>> print(factorability(items, missing="pairwise").methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        The factorability of the 18 items' Pearson correlation matrix was judged by the
        Kaiser-Meyer-Olkin measure of sampling adequacy (overall and per item, with
        Kaiser & Rice's 1974 labels), Bartlett's test of sphericity and the determinant;
        pairwise deletion (n = 138; 0 rows dropped).
        """
        correlations = ("polychoric correlation matrix" if self.correlation == "polychoric"
                        else "Pearson correlation matrix")
        rule = (f"{self.missing} deletion" if self.missing in ("listwise", "pairwise")
                else self.missing)
        dropped = "row" if self.n_dropped == 1 else "rows"
        return (f"The factorability of the {len(self.msa)} items' {correlations} was "
                "judged by the Kaiser-Meyer-Olkin measure of sampling adequacy (overall "
                "and per item, with Kaiser & Rice's 1974 labels), Bartlett's test of sphericity "
                f"and the determinant; {rule} (n = {self.n}; {self.n_dropped} {dropped} "
                "dropped).")


@checked()
def factorability(data: Any, items: Sequence[str] | None = None, *,
                  missing: Literal["listwise", "pairwise"] = "listwise",
                  polychoric: bool = False) -> Factorability:
    """Kaiser-Meyer-Olkin measure, per-item MSA, Bartlett's test and the determinant.

    Parameters
    ----------
    data, items, missing
        Item data (DataFrame, Scores or Responses) and the columns to use;
        ``missing`` as in :func:`peereval.validity.efa`: with ``"pairwise"`` each
        correlation uses the respondents who answered both items and Bartlett's n is
        the number of respondents, as ``psych::KMO`` and ``psych::cortest.bartlett``
        on raw data.
    polychoric
        Test the polychoric correlation matrix instead of Pearson's.

    Returns
    -------
    Factorability

    Notes
    -----
    With :math:`R` the correlation matrix and :math:`Q = S R^{-1} S`,
    :math:`S = \\operatorname{diag}(R^{-1})^{-1/2}`, the anti-image (partial)
    correlations, Kaiser's (1970; Kaiser & Rice 1974) measure over off-diagonal
    elements is :math:`\\mathrm{KMO} = \\sum r_{jl}^2 / (\\sum r_{jl}^2 + \\sum q_{jl}^2)`,
    and per item :math:`\\mathrm{MSA}_j` the same over row :math:`j`. Bartlett's (1951)
    test: :math:`\\chi^2 = -\\left(n - 1 - \\frac{2p + 5}{6}\\right) \\ln |R|` on
    :math:`p(p-1)/2` degrees of freedom.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import factorability
    >>> study = peereval.load_sample()
    >>> result = factorability(study.scores.items)   # R: psych::KMO(items): MSA .78
    >>> round(result.kmo, 2), result.kmo_label, result.df
    (0.78, 'middling', 153)
    """
    matrix, names, n_obs, dropped, kind = factor_input(
        data, items, missing=missing, polychoric=polychoric, what="factorability")
    p = len(names)
    try:
        inverse = np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        raise PeerevalError(
            "the correlation matrix is singular: some items are exact combinations of others",
            hint="drop duplicated or summed items (for example a total score) and try again",
        ) from None
    scale = 1 / np.sqrt(np.diag(inverse))
    partial = inverse * np.outer(scale, scale)
    off = ~np.eye(p, dtype=bool)
    r2 = np.where(off, matrix**2, 0.0)
    q2 = np.where(off, partial**2, 0.0)
    kmo = float(r2.sum() / (r2.sum() + q2.sum()))
    msa = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    sign, logdet = np.linalg.slogdet(matrix)
    determinant = float(sign * math.exp(logdet)) if sign > 0 else 0.0
    chi = -((n_obs - 1) - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) // 2
    if determinant < 1e-5:
        warnings.warn(
            f"the determinant of the correlation matrix is {determinant:.2g} (below 1e-5): "
            "some items are nearly redundant (Field 2013); look for pairs correlating above .80",
            PeerevalWarning, stacklevel=user_stacklevel())
    table = pd.DataFrame({"item": names, "msa": msa,
                          "label": [kaiser_label(v) for v in msa]})
    return Factorability(kmo, kaiser_label(kmo), table, float(chi), df,
                         float(stats.chi2.sf(chi, df)), determinant, n_obs, dropped, kind,
                         missing=missing)
