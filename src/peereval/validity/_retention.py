"""How many factors? Parallel analysis, Velicer's MAP, Kaiser, scree; one recommendation."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._factor import minres
from peereval._format import count_of
from peereval._options import Interval, checked, deprecated_alias
from peereval._parallel import blocks_for, map_blocks
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.validity._efa import factor_input

__all__ = ["FactorRetention", "MAPResult", "ParallelAnalysis", "factor_retention",
           "map_test", "parallel_analysis", "simulate_null_correlations"]

_RULE_TEXT_DEPRECATED = ("MAPResult.rule_text is deprecated since peereval 0.1: use "
                         "MAPResult.methods()")


def _correlations(kind: str) -> str:
    return "polychoric correlations" if kind == "polychoric" else "Pearson correlations"


def _seed_words(seed: str) -> str:
    """The recorded seed (see ``describe_seed``) as words for a methods sentence."""
    if seed.startswith("none"):
        return "no seed, so not reproducible"
    return f"seed {seed}" if seed.lstrip("-").isdigit() else seed


def _percent(quantile: float) -> str:
    return f"{quantile * 100:g}th"


def _rule(missing: str, n: int, n_dropped: int) -> str:
    rule = f"{missing} deletion" if missing in ("listwise", "pairwise") else missing
    rows = "row" if n_dropped == 1 else "rows"
    return f"{rule} (n = {n}; {n_dropped} {rows} dropped)"


#: Simulated matrices built at once (each p x p); bounds memory for large p.
_BATCH_ENTRIES = 4_000_000


def simulate_null_correlations(rng: np.random.Generator, n_obs: int, p: int, size: int
                               ) -> np.ndarray:
    """Correlation matrices of ``n_obs`` independent standard normal p-vectors.

    Under the null of parallel analysis the sample covariance matrix of n
    observations is :math:`W/(n-1)` with :math:`W \\sim \\mathrm{Wishart}_p(n-1, I)`, and
    the correlation matrix does not depend on the scale. W is drawn by Bartlett's
    (1933) decomposition :math:`W = T T^\\top`, T lower triangular with
    :math:`T_{ii}^2 \\sim \\chi^2_{n-i}` (i = 1..p) and standard normal entries below
    the diagonal, so a draw costs O(p³) whatever n is, instead of n x p random
    numbers and an n x p² product.
    """
    df = n_obs - 1
    if df < p:
        raise PeerevalError(f"parallel analysis needs more respondents ({n_obs}) than items "
                            f"({p})", hint="collect more responses or analyse fewer items")
    lower = np.tril(rng.standard_normal((size, p, p)), k=-1)
    diag = np.sqrt(rng.chisquare(df - np.arange(p), size=(size, p)))
    lower[:, np.arange(p), np.arange(p)] = diag
    wishart = lower @ np.transpose(lower, (0, 2, 1))
    scale = 1 / np.sqrt(np.einsum("bii->bi", wishart))
    return wishart * scale[:, :, None] * scale[:, None, :]


def _simulated_eigenvalues(rng: np.random.Generator, size: int, n_obs: int, p: int,
                           factor_method: str) -> tuple[np.ndarray, np.ndarray]:
    """Component and factor eigenvalues of ``size`` simulated null correlation matrices."""
    corr = simulate_null_correlations(rng, n_obs, p, size)
    return np.linalg.eigvalsh(corr)[:, ::-1], _factor_eigenvalues(corr, factor_method)


def _smc_batch(corr: np.ndarray) -> np.ndarray:
    inverse = np.linalg.inv(corr)
    return 1 - 1 / np.einsum("bii->bi", inverse)


def _factor_eigenvalues(corr: np.ndarray, method: str) -> np.ndarray:
    """Eigenvalues of the reduced matrix (batch or single), largest first."""
    single = corr.ndim == 2
    batch = corr[None] if single else corr
    if method == "smc":
        reduced = batch.copy()
        idx = np.arange(batch.shape[1])
        reduced[:, idx, idx] = _smc_batch(batch)
    else:  # one-factor minres communalities, as psych::fa.parallel(SMC = FALSE)
        reduced = batch.copy()
        idx = np.arange(batch.shape[1])
        for b in range(batch.shape[0]):
            fit = minres(batch[b], 1)
            reduced[b, idx, idx] = (fit.loadings**2).sum(axis=1)
    values = np.linalg.eigvalsh(reduced)[:, ::-1]
    return values[0] if single else values


@dataclass(frozen=True, repr=False)
class ParallelAnalysis(Result):
    """Horn's parallel analysis.

    ``table`` has one row per position k: the observed eigenvalue of the correlation
    matrix (``pc_observed``) beside the mean and the ``quantile`` of the eigenvalues
    of correlation matrices of uncorrelated normal data of the same size
    (``pc_mean``, ``pc_quantile``), and the same for the reduced matrix
    (``fa_observed``, ``fa_mean``, ``fa_quantile``). ``n_components`` and
    ``n_factors``: how many observed eigenvalues exceed their simulated quantile
    before the first that does not.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import parallel_analysis
    >>> result = parallel_analysis(peereval.load_sample().scores.items, n_iter=20, seed=1)
    >>> result.n_components, result.n_factors, result.n_iter
    (3, 3, 20)
    >>> result.table["pc_observed"].round(2).head(3).tolist()
    [4.55, 2.69, 2.21]
    """

    table: pd.DataFrame
    n_components: int
    n_factors: int
    n_iter: int
    quantile: float
    factor_method: str
    seed: str
    n: int
    n_dropped: int
    correlation: str
    missing: str = "listwise"
    title: str = "Parallel analysis"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def apa(self) -> str:
        return (f"Parallel analysis ({self.n_iter} simulated data sets, "
                f"{self.quantile:.0%} quantile) suggested "
                f"{count_of(self.n_components, 'component')} "
                f"and {count_of(self.n_factors, 'factor')}")

    def methods(self) -> str:
        """How the parallel analysis was run, as a methods sentence.

        Built from the analysis's own settings: the number of simulated data sets,
        the quantile, the communalities of the reduced matrices, the seed, the
        correlations and the missing-data rule.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import parallel_analysis
        >>> items = peereval.load_sample().scores.items
        >>> print(parallel_analysis(items, n_iter=50, quantile=0.99, seed=7).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Horn's (1965) parallel analysis compared the eigenvalues of the Pearson
        correlations of the items (and of the reduced matrix, with squared multiple
        correlations on the diagonal) with the 99th quantile of those of 50 simulated
        data sets of uncorrelated normal variables of the same size (seed 7); listwise
        deletion (n = 111; 27 rows dropped).
        """
        diagonal = ("squared multiple correlations" if self.factor_method == "smc"
                    else "one-factor minimum residual communalities")
        return (f"Horn's (1965) parallel analysis compared the eigenvalues of the "
                f"{_correlations(self.correlation)} of the items (and of the reduced "
                f"matrix, with {diagonal} on the diagonal) with the "
                f"{_percent(self.quantile)} quantile of those of {self.n_iter:,} "
                f"simulated data sets of uncorrelated normal variables of the same size "
                f"({_seed_words(self.seed)}); {_rule(self.missing, self.n, self.n_dropped)}.")


def _count_above(observed: np.ndarray, threshold: np.ndarray) -> int:
    below = np.flatnonzero(~(observed > threshold))
    return int(below[0]) if below.size else len(observed)


@checked(n_iter=Interval(10, None, integer=True), quantile=Interval(0.5, 1, closed="left"))
def parallel_analysis(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    n_iter: int = 1000,
    seed: SeedLike = None,
    quantile: float = 0.95,
    factor_method: Literal["smc", "minres"] = "smc",
    missing: Literal["listwise", "pairwise"] = "listwise",
    polychoric: bool = False,
    n_jobs: int | None = None,
) -> ParallelAnalysis:
    """Horn's (1965) parallel analysis for components and common factors.

    Parameters
    ----------
    data, items, missing, polychoric
        As for :func:`efa`.
    n_iter, seed
        Simulated data sets and their seed (an int makes the result reproducible).
    quantile
        Observed eigenvalues are compared with this quantile of the simulated ones
        (Glorfeld 1995: .95) and the mean is reported too.
    factor_method
        Communalities on the diagonal of the reduced matrices: squared multiple
        correlations (``"smc"``, Humphreys & Ilgen 1969; fast) or those of a
        one-factor minres solution (``"minres"``, R's ``psych::fa.parallel``
        default; one factor fit per simulated matrix, so much slower).
    n_jobs
        Workers for the simulations (None: the active ``joblib.parallel_config``, one
        process by default; -1: every core; a Dask cluster through joblib's
        ``"dask"`` backend). The result does not depend on it: blocks of at most 250
        simulations each draw from their own child of the seed.

    Returns
    -------
    ParallelAnalysis

    Notes
    -----
    The simulated correlation matrices are drawn directly from their distribution
    under independence (see :func:`simulate_null_correlations`), so the cost does
    not grow with the number of respondents: 1,000 iterations for 60 variables take
    well under 2 s. The number of respondents enters as the Wishart degrees of
    freedom n - 1 (listwise: the complete rows; pairwise: the respondents, rows with
    at least one answer, as ``psych::fa.parallel`` takes ``nrow`` of the data, with
    each observed correlation from its own pairwise-complete respondents).

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import parallel_analysis
    >>> study = peereval.load_sample()
    >>> result = parallel_analysis(study.scores.items, n_iter=200, seed=1)
    >>> result.n_components, result.n_factors
    (3, 3)
    """
    n_iter = int(n_iter)
    matrix, names, n_obs, dropped, kind = factor_input(
        data, items, missing=missing, polychoric=polychoric, what="parallel analysis")
    p = len(names)
    observed_pc = np.sort(np.linalg.eigvalsh(matrix))[::-1]
    observed_fa = _factor_eigenvalues(matrix, factor_method)
    sizes = blocks_for(n_iter, p * p, _BATCH_ENTRIES)
    blocks = map_blocks(_simulated_eigenvalues, sizes, as_generator(seed), n_jobs=n_jobs,
                        n_obs=n_obs, p=p, factor_method=factor_method)
    pc_values = [pc for pc, _ in blocks]
    fa_values = [fa for _, fa in blocks]
    pc_sim = np.concatenate(pc_values)
    fa_sim = np.concatenate(fa_values)
    table = pd.DataFrame({
        "position": np.arange(1, p + 1),
        "pc_observed": observed_pc, "pc_mean": pc_sim.mean(axis=0),
        "pc_quantile": np.quantile(pc_sim, quantile, axis=0),
        "fa_observed": observed_fa, "fa_mean": fa_sim.mean(axis=0),
        "fa_quantile": np.quantile(fa_sim, quantile, axis=0),
    })
    return ParallelAnalysis(
        table, _count_above(observed_pc, table["pc_quantile"].to_numpy()),
        _count_above(observed_fa, table["fa_quantile"].to_numpy()), n_iter, quantile,
        factor_method, describe_seed(seed), n_obs, dropped, kind, missing=missing,
    )


@dataclass(frozen=True, repr=False)
class MAPResult(Result):
    """Velicer's minimum average partial test.

    ``table``: for m = 0, 1, ... components partialled out, the average squared
    partial correlation (Velicer 1976) and average fourth power (Velicer, Eaton &
    Fava 2000). ``n_factors`` and ``n_factors_4th``: the m at each minimum, by
    ``rule``: ``"velicer"`` (the minimum over m = 0, 1, ..., so 0 when the
    correlations are smaller than any partial correlation) or ``"psych"`` (over
    m = 1, 2, ..., as ``psych::VSS`` and ``psych::nfactors`` report it, never 0).

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import map_test
    >>> result = map_test(peereval.load_sample().scores.items)
    >>> result.n_factors, result.n_factors_4th
    (3, 3)
    >>> result.table.columns.tolist()
    ['components', 'average_squared', 'average_fourth']
    """

    table: pd.DataFrame
    n_factors: int
    n_factors_4th: int
    n: int
    rule: str = "velicer"
    n_dropped: int = 0
    correlation: str = "pearson"
    missing: str = "listwise"
    title: str = "Velicer's MAP test"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _rule_words(self) -> str:
        if self.rule == "psych":
            return "minimum over 1 or more components partialled out, as psych::VSS"
        return "minimum over 0 or more components partialled out, Velicer's rule"

    def _rule_text(self) -> str:
        warnings.warn(_RULE_TEXT_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self._rule_words()

    _rule_text.__deprecated__ = _RULE_TEXT_DEPRECATED  # type: ignore[attr-defined]
    #: Deprecated: the counting rule is part of :meth:`methods`.
    rule_text = property(_rule_text)

    def apa(self) -> str:
        return (f"Velicer's MAP test suggested {count_of(self.n_factors, 'factor')} "
                f"({self.n_factors_4th} with the fourth-power revision; "
                f"{self._rule_words()})")

    def methods(self) -> str:
        """How the MAP test was run, as a methods sentence.

        Built from the test's own settings: the counting rule, the correlations and
        the missing-data rule.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import map_test
        >>> items = peereval.load_sample().scores.items
        >>> print(map_test(items, rule="psych").methods())  # doctest: +NORMALIZE_WHITESPACE
        Velicer's (1976) minimum average partial test (squared partial correlations, and
        their fourth powers as revised by Velicer, Eaton & Fava 2000) was applied to the
        Pearson correlations of the items; the number of factors is the minimum over 1
        or more components partialled out (as psych::VSS counts it); listwise deletion
        (n = 111; 27 rows dropped).
        """
        start = "1" if self.rule == "psych" else "0"
        source = ("as psych::VSS counts it" if self.rule == "psych"
                  else "Velicer's original rule")
        return (f"Velicer's (1976) minimum average partial test (squared partial "
                f"correlations, and their fourth powers as revised by Velicer, Eaton & Fava "
                f"2000) was applied to the {_correlations(self.correlation)} of the items; "
                f"the number of factors is the minimum over {start} or more components "
                f"partialled out ({source}); "
                f"{_rule(self.missing, self.n, self.n_dropped)}.")


@checked()
def map_test(data: Any, items: Sequence[str] | None = None, *,
             missing: Literal["listwise", "pairwise"] = "listwise",
             polychoric: bool = False,
             rule: Literal["velicer", "psych"] = "velicer") -> MAPResult:
    """Velicer's (1976) minimum average partial (MAP) test.

    Parameters
    ----------
    data, items, missing, polychoric
        As for :func:`efa`.
    rule
        ``"velicer"`` (default): the suggested number is the m at the minimum over
        m = 0, 1, ..., p - 2, Velicer's (1976) original rule, which suggests 0 when
        no component reduces the average squared correlation. ``"psych"``: the
        minimum over m >= 1, as ``psych::VSS(...)$map`` (which starts at one
        component) and ``psych::nfactors`` report it. The result's ``rule`` says
        which one is shown, and its table always lists m = 0.

    Returns
    -------
    MAPResult

    Notes
    -----
    With :math:`A_m` the loadings of the first m principal components, the partial
    covariance :math:`C_m = R - A_m A_m^\\top` is scaled to a partial correlation
    matrix :math:`R^*_m`; the criterion is the mean of its squared (or fourth-power)
    off-diagonal elements, for m = 0 (the correlations themselves) to p - 2. The
    suggested number of factors is the m at the minimum (see ``rule``). Values for
    m >= 1 equal R's ``psych::VSS(...)$map``.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import map_test
    >>> map_test(peereval.load_sample().scores.items).n_factors
    3
    """
    matrix, names, n_obs, dropped, kind = factor_input(
        data, items, missing=missing, polychoric=polychoric, what="the MAP test")
    p = len(names)
    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1]
    components = vectors[:, order] * np.sqrt(np.clip(values[order], 0, None))
    off = ~np.eye(p, dtype=bool)
    rows = []
    for m in range(p - 1):
        partial = matrix - components[:, :m] @ components[:, :m].T
        scale = 1 / np.sqrt(np.diag(partial))
        rstar = partial * np.outer(scale, scale)
        rows.append({"components": m, "average_squared": float(np.mean(rstar[off] ** 2)),
                     "average_fourth": float(np.mean(rstar[off] ** 4))})
    table = pd.DataFrame(rows)
    counted = table if rule == "velicer" or len(table) < 2 else table.iloc[1:]
    return MAPResult(table, int(counted["average_squared"].idxmin()),
                     int(counted["average_fourth"].idxmin()), n_obs, rule,
                     n_dropped=dropped, correlation=kind, missing=missing)


@dataclass(frozen=True, repr=False)
class FactorRetention(Result):
    """Every retention criterion side by side, and one recommendation with reasons.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import factor_retention
    >>> result = factor_retention(peereval.load_sample().scores.items, n_iter=20, seed=1)
    >>> result.recommended, result.kaiser, result.parallel.n_factors, result.map.n_factors
    (3, 4, 3, 3)
    """

    recommended: int
    reasons: tuple[str, ...]
    parallel: ParallelAnalysis
    map: MAPResult
    kaiser: int
    scree: int
    eigenvalues: np.ndarray
    title: str = "Number of factors"

    @property
    def n(self) -> int:
        """Respondents used (those of the parallel analysis)."""
        return self.parallel.n

    @property
    def n_dropped(self) -> int:
        """Rows left out by the missing-data rule."""
        return self.parallel.n_dropped

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"criterion": "parallel analysis (components)",
             "suggests": self.parallel.n_components},
            {"criterion": "parallel analysis (factors)", "suggests": self.parallel.n_factors},
            {"criterion": "Velicer's MAP (squared partial correlations"
                          + (", counted as psych::VSS)" if self.map.rule == "psych" else ")"),
             "suggests": self.map.n_factors},
            {"criterion": "Velicer's MAP (4th power)", "suggests": self.map.n_factors_4th},
            {"criterion": "scree (optimal coordinates)", "suggests": self.scree},
            {"criterion": "Kaiser (eigenvalue > 1)", "suggests": self.kaiser},
            {"criterion": "recommended", "suggests": self.recommended},
        ])

    def apa(self) -> str:
        return (f"{count_of(self.recommended, 'factor')} "
                f"{'was' if self.recommended == 1 else 'were'} retained: "
                + "; ".join(self.reasons))

    def methods(self) -> str:
        """How the number of factors was chosen, as a methods sentence.

        The criteria, then the methods sentences of the parallel analysis and of the
        MAP test, each built from its own settings.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.validity import factor_retention
        >>> items = peereval.load_sample().scores.items
        >>> print(factor_retention(items, n_iter=20, seed=1).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        The number of factors was chosen by parallel analysis of components, confirmed
        by Velicer's MAP test (the two most accurate rules, Zwick & Velicer 1986), with
        the optimal-coordinates scree and Kaiser's eigenvalue-greater-than-one rule
        shown for comparison. Horn's (1965) parallel analysis compared the eigenvalues
        of the Pearson correlations of the items (and of the reduced matrix, with
        squared multiple correlations on the diagonal) with the 95th quantile of those
        of 20 simulated data sets of uncorrelated normal variables of the same size
        (seed 1); listwise deletion (n = 111; 27 rows dropped). Velicer's (1976) minimum
        average partial test (squared partial correlations, and their fourth powers as
        revised by Velicer, Eaton & Fava 2000) was applied to the Pearson correlations
        of the items; the number of factors is the minimum over 0 or more components
        partialled out (Velicer's original rule); listwise deletion (n = 111; 27 rows
        dropped).
        """
        return ("The number of factors was chosen by parallel analysis of components, "
                "confirmed by Velicer's MAP test (the two most accurate rules, Zwick & "
                "Velicer 1986), with the optimal-coordinates scree and Kaiser's "
                "eigenvalue-greater-than-one rule shown for comparison. "
                + self.parallel.methods() + " " + self.map.methods())


def _optimal_coordinates(values: np.ndarray, parallel_means: np.ndarray) -> int:
    r"""Non-graphical scree by optimal coordinates (Raîche et al. 2013, *Methodology*
    9:23-29).

    For each eigenvalue :math:`\lambda_i`, the line through the next eigenvalue and
    the last one predicts :math:`\hat\lambda_i`; factors are counted from the first
    while :math:`\lambda_i > \hat\lambda_i` and :math:`\lambda_i` exceeds the mean
    eigenvalue of the parallel analysis at that position.
    """
    p = len(values)
    count = 0
    for i in range(p - 2):
        slope = (values[p - 1] - values[i + 1]) / (p - 1 - (i + 1))
        predicted = values[i + 1] - slope
        if values[i] > predicted and values[i] > parallel_means[i]:
            count = i + 1
        else:
            break
    return count


@checked(n_iter=Interval(10, None, integer=True))
def factor_retention(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    n_iter: int = 1000,
    seed: SeedLike = None,
    missing: Literal["listwise", "pairwise"] = "listwise",
    polychoric: bool = False,
    n_jobs: int | None = None,
    map_rule: Literal["velicer", "psych"] = "velicer",
) -> FactorRetention:
    """How many factors to retain, with the evidence and one recommendation.

    Runs parallel analysis (components and factors), Velicer's MAP (squared and
    fourth power), the optimal-coordinates scree and Kaiser's eigenvalue-greater-
    than-one rule. The recommendation follows the simulation evidence: parallel
    analysis of components and MAP are the most accurate rules (Zwick & Velicer
    1986, *Psychol Bull* 99:432-442; Velicer, Eaton & Fava 2000); when they agree
    their value is taken, otherwise parallel analysis of components, with the
    disagreement stated. Kaiser's rule overestimates and is shown for comparison
    only.

    Parameters
    ----------
    data, items, missing, polychoric
        As for :func:`efa`.
    n_iter, seed
        Simulated data sets of the parallel analysis and their seed (an int makes
        the result reproducible).
    n_jobs
        Workers for the simulations (see :func:`parallel_analysis`).
    map_rule
        How MAP counts (see :func:`map_test`): ``"velicer"`` (m = 0 allowed) or
        ``"psych"`` (from m = 1, as ``psych::VSS``); the table and the reasons name it.

    Returns
    -------
    FactorRetention

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import factor_retention
    >>> result = factor_retention(peereval.load_sample().scores.items, n_iter=200, seed=1)
    >>> result.recommended
    3
    """
    parallel = parallel_analysis(data, items, n_iter=n_iter, seed=seed, missing=missing,
                                 polychoric=polychoric, n_jobs=n_jobs)
    map_result = map_test(data, items, missing=missing, polychoric=polychoric,
                          rule=map_rule)
    values = parallel.table["pc_observed"].to_numpy()
    kaiser = int(np.sum(values > 1))
    scree = _optimal_coordinates(values, parallel.table["pc_mean"].to_numpy())
    pa_pc = parallel.n_components
    reasons = [f"parallel analysis of components ({parallel.n_iter} simulations, "
               f"{parallel.quantile:.0%} quantile) suggests {pa_pc}"]
    # the default counting rule (Velicer's) is named in the methods; psych's here too
    counted = ", counted as psych::VSS" if map_result.rule == "psych" else ""
    if map_result.n_factors == pa_pc:
        reasons.append(f"Velicer's MAP agrees ({map_result.n_factors}{counted})")
    else:
        reasons.append(f"Velicer's MAP suggests {map_result.n_factors}{counted}; parallel "
                       "analysis "
                       "is followed, and a solution with the other number is worth "
                       "examining too")
    reasons.append(f"parallel analysis of common factors suggests {parallel.n_factors}, "
                   f"the scree {scree}, and Kaiser's rule {kaiser} (which tends to "
                   "overestimate)")
    return FactorRetention(max(pa_pc, 1), tuple(reasons), parallel, map_result, kaiser,
                           scree, values)
