"""Split-half reliability and Guttman's lambdas."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peereval._format import fmt
from peereval._options import Interval, checked, deprecated_alias
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.reliability._data import cov_to_corr, item_frame, prepare

__all__ = ["SplitHalfResult", "split_half"]


@dataclass(frozen=True, repr=False)
class SplitHalfResult(Result):
    """Split-half coefficients of one scale.

    Attributes
    ----------
    odd_even_r, odd_even_sb, odd_even_rulon
        Correlation of the odd-item and even-item half scores, its Spearman-Brown
        step-up and the Flanagan-Rulon coefficient of that split.
    mean_sb, mean_rulon
        Mean Spearman-Brown and Flanagan-Rulon coefficient over the splits examined.
    lambda2, lambda4, lambda6
        Guttman's (1945) lower bounds; lambda 4 is the best split's Flanagan-Rulon
        coefficient.
    beta
        The worst split's coefficient (Revelle 1979).
    alpha
        Coefficient alpha of the same matrix (Guttman's lambda 3).
    n, n_dropped
        Respondents used and left out by the missing-data rule.
    n_splits, exhaustive, seed
        Splits examined, whether they were all possible splits, and the seed of the
        random sample otherwise.
    best_split, worst_split
        The items of one half of the best and the worst split.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import split_half
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
    ...                      "c": [1, 3, 3, 4, 5, 2], "d": [2, 3, 2, 5, 5, 3]})
    >>> result = split_half(data)
    >>> result.best_split, round(result.odd_even_sb, 3)
    (('a', 'd'), 0.927)
    """

    odd_even_r: float
    odd_even_sb: float
    odd_even_rulon: float
    mean_sb: float
    mean_rulon: float
    lambda2: float
    lambda4: float
    lambda6: float
    beta: float
    alpha: float
    n_splits: int
    exhaustive: bool
    seed: str
    best_split: tuple[str, ...]
    worst_split: tuple[str, ...]
    n_items: int
    n: int
    n_dropped: int
    missing: str
    standardised: bool
    title: str = "Split-half reliability"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        rows = [
            ("odd_even_sb", self.odd_even_sb, "Spearman-Brown, odd vs even items"),
            ("odd_even_rulon", self.odd_even_rulon, "Flanagan-Rulon, odd vs even items"),
            ("mean_sb", self.mean_sb, f"mean Spearman-Brown over {self.n_splits} splits"),
            ("mean_rulon", self.mean_rulon, f"mean Flanagan-Rulon over {self.n_splits} splits"),
            ("lambda2", self.lambda2, "Guttman lambda 2"),
            ("lambda4", self.lambda4, "Guttman lambda 4 (best split)"),
            ("lambda6", self.lambda6, "Guttman lambda 6 (squared multiple correlations)"),
            ("beta", self.beta, "worst split (Revelle's beta)"),
            ("alpha", self.alpha, "alpha (Guttman lambda 3)"),
        ]
        frame = pd.DataFrame(rows, columns=["coefficient", "estimate", "description"])
        frame["n_items"], frame["n"] = self.n_items, self.n
        return frame

    def apa(self) -> str:
        return (f"Spearman-Brown split-half reliability (odd-even) = "
                f"{fmt(self.odd_even_sb, leading_zero=False)}; Guttman's λ2 = "
                f"{fmt(self.lambda2, leading_zero=False)}, λ4 = "
                f"{fmt(self.lambda4, leading_zero=False)}, λ6 = "
                f"{fmt(self.lambda6, leading_zero=False)} ({self.n_items} items, "
                f"n = {self.n})")

    def methods(self) -> str:
        """The methods sentence, from the settings this result was computed with.

        Returns
        -------
        str
            The matrix analysed, the splits examined (all of them, or a random sample
            with its seed) and the missing-data rule.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
        ...                      "c": [1, 3, 3, 4, 5, 2], "d": [2, 3, 2, 5, 5, 3]})
        >>> print(split_half(data).methods())  # doctest: +NORMALIZE_WHITESPACE
        Split-half reliability (odd-even Spearman-Brown; Guttman's λ2, λ4 and λ6) of
        the item correlation matrix over all 3 splits into halves; listwise deletion.
        """
        matrix = "correlation" if self.standardised else "covariance"
        if self.exhaustive:
            splits = f"over all {self.n_splits:,} splits into halves"
        else:
            splits = f"over {self.n_splits:,} random splits into halves (seed {self.seed})"
        return (f"Split-half reliability (odd-even Spearman-Brown; Guttman's λ2, λ4 and "
                f"λ6) of the item {matrix} matrix {splits}; {self.missing} deletion.")


def _smc(matrix: np.ndarray) -> np.ndarray:
    """Squared multiple correlation of each variable with the others."""
    corr = cov_to_corr(matrix)
    try:
        inverse = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(corr)
    return 1 - 1 / np.diag(inverse)


def _split_matrix(k: int, n_splits: int, rng: np.random.Generator
                  ) -> tuple[np.ndarray, bool]:
    """Rows mark the items of half A (size floor(k/2)); all splits when few enough."""
    m = k // 2
    if k % 2 == 0:  # fix item 0 in A: each split once
        count = math.comb(k - 1, m - 1)
        combos = ((0, *rest) for rest in itertools.combinations(range(1, k), m - 1))
    else:
        count = math.comb(k, m)
        combos = itertools.combinations(range(k), m)
    if count <= n_splits:
        out = np.zeros((count, k))
        for row, combo in enumerate(combos):
            out[row, list(combo)] = 1.0
        return out, True
    out = np.zeros((n_splits, k))
    for row in range(n_splits):
        out[row, rng.choice(k, m, replace=False)] = 1.0
    return out, False


@checked(n_splits=Interval(1, None, integer=True))
def split_half(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    n_splits: int = 10000,
    seed: SeedLike = None,
    missing: str = "listwise",
    standardised: bool = True,
) -> SplitHalfResult:
    """Split-half reliability: odd-even and random splits, Guttman's lambda 2, 4 and 6.

    Parameters
    ----------
    data, items, missing
        As for :func:`peereval.reliability.alpha`.
    n_splits
        All splits into halves are examined when there are at most this many;
        otherwise this many random splits (drawn with ``seed``).
    standardised
        Use the correlation matrix (default, as R's ``psych::splitHalf``) or the
        covariance matrix.

    Returns
    -------
    SplitHalfResult

    Notes
    -----
    For a split into halves A and B of the item matrix :math:`C` with total variance
    :math:`V = \\mathbf 1^\\top C \\mathbf 1`, the half-score correlation is
    :math:`r = C_{AB}/\\sqrt{V_A V_B}`, its Spearman-Brown step-up
    :math:`2r/(1+r)` and the Flanagan-Rulon coefficient :math:`4 C_{AB} / V`
    (Guttman's lambda 4 for that split; the best split gives lambda 4, the worst
    Revelle's beta). With the off-diagonal sum :math:`S`, the sum of squared
    off-diagonal elements :math:`S_2` and squared multiple correlations
    :math:`\\rho^2_j`:

    .. math::

        \\lambda_2 = \\frac{S + \\sqrt{\\tfrac{k}{k-1} S_2}}{V},\\qquad
        \\lambda_6 = 1 - \\frac{\\sum_j C_{jj}(1 - \\rho^2_j)}{V}

    (Guttman 1945, *Psychometrika* 10:255-282). Halves have :math:`\\lfloor k/2 \\rfloor`
    and :math:`\\lceil k/2 \\rceil` items. With an odd number of items every such split
    is examined; R's ``psych::splitHalf`` examines half of them, so its lambda 4 and
    mean can differ there.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
    ...                      "c": [1, 3, 3, 4, 5, 2], "d": [2, 3, 2, 5, 5, 3]})
    >>> result = split_half(data)   # R: psych::splitHalf(data): maxrb .979, alpha .950
    >>> result.n_splits, result.exhaustive
    (3, True)
    >>> round(result.lambda4, 3), round(result.alpha, 3)
    (0.979, 0.95)
    """
    if n_splits < 1:
        raise PeerevalError(f"n_splits must be at least 1, not {n_splits}")
    frame = item_frame(data, items, what="split-half reliability", minimum=2)
    names = tuple(map(str, frame.columns))
    k = len(names)
    prepared = prepare(frame, missing, what="split-half reliability")
    cov, n_obs, dropped = prepared.cov, prepared.n_obs, prepared.n_dropped
    matrix = cov_to_corr(cov) if standardised else cov
    total = matrix.sum()
    trace = np.trace(matrix)
    off = total - trace
    off_squares = (matrix**2).sum() - (np.diag(matrix) ** 2).sum()
    lambda2 = (off + math.sqrt(off_squares * k / (k - 1))) / total
    errors = np.diag(matrix) * (1 - _smc(matrix))
    lambda6 = 1 - errors.sum() / total
    alpha_value = k / (k - 1) * off / total

    rng = as_generator(seed)
    splits, exhaustive = _split_matrix(k, n_splits, rng)
    other = 1 - splits
    var_a = np.einsum("sk,kl,sl->s", splits, matrix, splits)
    var_b = np.einsum("sk,kl,sl->s", other, matrix, other)
    cov_ab = np.einsum("sk,kl,sl->s", splits, matrix, other)
    rulon = 4 * cov_ab / total
    r_ab = cov_ab / np.sqrt(var_a * var_b)
    brown = 2 * r_ab / (1 + r_ab)
    odd = np.zeros(k)
    odd[0::2] = 1.0
    even = 1 - odd
    oe_cov = odd @ matrix @ even
    oe_r = oe_cov / math.sqrt((odd @ matrix @ odd) * (even @ matrix @ even))
    best, worst = int(np.argmax(rulon)), int(np.argmin(rulon))
    return SplitHalfResult(
        odd_even_r=float(oe_r), odd_even_sb=float(2 * oe_r / (1 + oe_r)),
        odd_even_rulon=float(4 * oe_cov / total), mean_sb=float(brown.mean()),
        mean_rulon=float(rulon.mean()), lambda2=float(lambda2), lambda4=float(rulon[best]),
        lambda6=float(lambda6), beta=float(rulon[worst]), alpha=float(alpha_value),
        n_splits=int(splits.shape[0]), exhaustive=exhaustive,
        seed="" if exhaustive else describe_seed(seed),
        best_split=tuple(n for n, s in zip(names, splits[best], strict=True) if s),
        worst_split=tuple(n for n, s in zip(names, splits[worst], strict=True) if s),
        n_items=k, n=n_obs, n_dropped=dropped, missing=missing,
        standardised=standardised,
    )
