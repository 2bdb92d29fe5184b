r"""Polychoric and polyserial correlations for Likert items.

Likert answers are ordered categories, not measurements: the Pearson correlation of
two 5-point items is pulled towards zero by the coarse coding, and more so when the
answers are skewed. The polychoric correlation is the correlation of the two normal
variables assumed to underlie the items, cut into categories at thresholds; it is
what ordinal alpha, ordinal omega and factor analysis of Likert items start from.
The polyserial correlation pairs a continuous variable (age, a total score) with an
ordinal one in the same way.

Both follow R's ``psych::polychoric`` and ``psych::polyserial`` (Revelle), which
the test suite reproduces cell by cell (``tests/reference/polychoric.R``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from peereval._bivariate import bvn_cdf, bvn_pdf, bvn_pdf_drho
from peereval._format import fmt
from peereval._results import Result
from peereval.errors import ConvergenceWarning, PeerevalError, PeerevalWarning, user_stacklevel
from peereval.reliability._data import item_frame

__all__ = ["PolychoricResult", "polychoric", "polyserial"]

_N_OBS_MESSAGE = ("PolychoricResult.n_obs is deprecated since peereval 0.1: use "
                  "PolychoricResult.n_pairwise_min (PolychoricResult.n is the rows used)")

Missing = Literal["pairwise", "listwise"]

#: Starting points of the maximisation; the best one and its neighbours bracket the
#: maximum, which safeguarded Newton steps then locate to ~1e-12.
_GRID = np.array([-0.99999, -0.999, -0.99, *np.round(np.arange(-0.9, 0.91, 0.1), 10),
                  0.99, 0.999, 0.99999])
_EDGE = 1.0 - 1e-12          # the open interval (-1, 1) is searched up to here
_STEP_TOL = 1e-13            # Newton / bisection stop when the step or bracket is this small
_MAX_ITER = 100
_CELLS_PER_BLOCK = 400_000   # pairs × interior corners evaluated at once (memory bound)
_ONEHOT_CELLS = 1 << 22      # respondents × (items × categories) one-hot coded at once
_EPS = np.finfo(float).eps   # psych's test of positive definiteness: smallest eigenvalue < eps


# ------------------------------------------------------------------ the result


@dataclass(frozen=True, repr=False, eq=False)
class PolychoricResult(Result):
    """Polychoric (item × item) or polyserial (item × continuous) correlations.

    Attributes
    ----------
    method
        ``"polychoric"`` or ``"polyserial"``.
    correlation
        The estimates. Polychoric: a symmetric item × item matrix with ones on the
        diagonal, as estimated pair by pair (never smoothed). Polyserial: ordinal
        items as rows, continuous variables as columns. NaN where a pair could not
        be estimated.
    thresholds
        One row per ordinal item, one column per boundary between adjacent
        categories (``"1|2"`` is the boundary between answers 1 and 2): the normal
        quantile of the proportion answering at or below it, :math:`\\pm\\infty` for
        categories nobody used. They come from every answer to the item
        (``missing="pairwise"``) or from the complete rows (``"listwise"``).
    n_pairwise
        Respondents used for each correlation, in the shape of ``correlation``
        (for polychoric, the diagonal holds each item's number of answers).
    n, n_pairwise_min
        Rows used (``n_rows - n_dropped``: the complete rows with listwise
        deletion, the rows with at least one answer with pairwise deletion) and the
        smallest n behind any correlation.
    n_rows, n_dropped, missing, dropped
        Rows in the data, rows dropped before estimation, the missing-data rule and,
        in words, what was left out and why.
    categories
        The answer codes the items share (from the smallest to the largest answer).
    global_thresholds, correct
        Polychoric options used (see :func:`polychoric`).
    corrected_cells
        Polychoric: for each pair, how many empty cells of its table were given
        ``correct`` (only with ``global_thresholds=False``; zeros otherwise).
    positive_definite, min_eigenvalue
        Polychoric: whether the matrix is positive definite (its smallest eigenvalue
        at least machine epsilon, psych's rule) and that eigenvalue. ``None``/NaN
        when a correlation is missing, and for polyserial.
    smoothed
        Polychoric: when the matrix is not positive definite and ``smooth=True``,
        the nearest positive-definite correlation matrix by psych's ``cor.smooth``;
        otherwise ``None``.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import polychoric
    >>> data = pd.DataFrame({"q1": [1, 2, 3, 1, 2, 3, 2, 1, 3, 2],
    ...                      "q2": [1, 2, 3, 2, 2, 3, 1, 1, 3, 3]})
    >>> result = polychoric(data)
    >>> result.method, round(float(result.correlation.loc["q1", "q2"]), 2)
    ('polychoric', 0.9)
    """

    method: str
    correlation: pd.DataFrame
    thresholds: pd.DataFrame
    n_pairwise: pd.DataFrame
    n_rows: int
    n_dropped: int
    missing: str
    dropped: str
    categories: tuple[float, ...]
    global_thresholds: bool = True
    correct: float = 0.5
    corrected_cells: pd.DataFrame | None = None
    positive_definite: bool | None = None
    min_eigenvalue: float = float("nan")
    smoothed: pd.DataFrame | None = None
    title: str = "Polychoric correlations"

    @property
    def n(self) -> int:
        """Rows used: ``n_rows - n_dropped``."""
        return self.n_rows - self.n_dropped

    @property
    def n_pairwise_min(self) -> int:
        """The smallest n behind any correlation (all of them, with listwise deletion)."""
        n = self.n_pairwise.to_numpy()
        if self.method == "polychoric" and n.shape[0] > 1:
            return int(n[np.triu_indices(n.shape[0], 1)].min())
        return int(n.min())

    def _n_obs(self) -> int:
        warnings.warn(_N_OBS_MESSAGE, DeprecationWarning, stacklevel=2)
        return self.n_pairwise_min

    _n_obs.__deprecated__ = _N_OBS_MESSAGE  # type: ignore[attr-defined]
    n_obs = property(_n_obs, doc="Deprecated: the smallest pairwise n, now "
                     ":attr:`n_pairwise_min` (:attr:`n` is the rows used).")

    @property
    def matrix(self) -> pd.DataFrame:
        """The matrix to analyse further: ``smoothed`` when there is one, else
        ``correlation`` (what ``psych::polychoric(...)$rho`` returns)."""
        return self.smoothed if self.smoothed is not None else self.correlation

    def to_frame(self) -> pd.DataFrame:
        """One row per pair: ``variable_1``, ``variable_2``, ``method``, ``r``, ``n``
        (polychoric also ``corrected_cells`` and, when smoothed, ``r_smoothed``)."""
        corr, n = self.correlation, self.n_pairwise
        if self.method == "polychoric":
            rows, cols = np.triu_indices(corr.shape[0], 1)
        else:
            rows, cols = (a.ravel() for a in np.indices(corr.shape))
        frame = pd.DataFrame({
            "variable_1": corr.index[rows].astype(str),
            "variable_2": corr.columns[cols].astype(str),
            "method": self.method,
            "r": corr.to_numpy()[rows, cols],
            "n": n.to_numpy()[rows, cols].astype(int),
        })
        if self.corrected_cells is not None:
            frame["corrected_cells"] = self.corrected_cells.to_numpy()[rows, cols].astype(int)
        if self.smoothed is not None:
            frame["r_smoothed"] = self.smoothed.to_numpy()[rows, cols]
        return frame

    def methods(self) -> str:
        """The methods sentence: the estimator, thresholds, correction and missing data.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({"q1": [1, 2, 3, 1, 2, 3, 2, 1, 3, 2],
        ...                      "q2": [1, 2, 3, 2, 2, 3, 1, 1, 3, 3]})
        >>> print(polychoric(data).methods())  # doctest: +NORMALIZE_WHITESPACE
        Polychoric correlations of 2 items with 3 answer categories, estimated by
        maximum likelihood in two steps (Olsson 1979): each item's thresholds from all
        its answers, then each correlation from its pair's table; pairwise deletion
        (n = 10).
        """
        rule = f"{self.missing} deletion (n = {self.n}"
        rule += f", {self.n_dropped} dropped)" if self.n_dropped else ")"
        if self.method == "polyserial":
            items, others = self.correlation.shape
            return (f"Polyserial correlations of {items} ordinal item"
                    f"{'s' if items != 1 else ''} with {others} continuous variable"
                    f"{'s' if others != 1 else ''} by the ad hoc estimator of Olsson, "
                    f"Drasgow and Dorans (1982), each item's thresholds from its answers; "
                    f"{rule}.")
        k = self.correlation.shape[0]
        if self.global_thresholds:
            steps = ("each item's thresholds from all its answers, then each correlation "
                     "from its pair's table")
        else:
            correction = (f", {self.correct:g} added to each empty cell" if self.correct
                          else "")
            steps = f"each pair's thresholds and correlation from its own table{correction}"
        smoothed = ("; the matrix was not positive definite and was smoothed as "
                    "psych's cor.smooth does" if self.smoothed is not None else "")
        return (f"Polychoric correlations of {k} items with {len(self.categories)} answer "
                f"categories, estimated by maximum likelihood in two steps (Olsson 1979): "
                f"{steps}{smoothed}; {rule}.")

    def apa(self) -> str:
        frame = self.to_frame()
        r, n = frame["r"].dropna(), frame["n"]
        if r.empty:
            return ""
        name = "Polychoric" if self.method == "polychoric" else "Polyserial"
        if len(frame) == 1:
            return f"{name} r = {fmt(r.iloc[0], leading_zero=False)}, n = {n.iloc[0]}"
        n_text = f"{n.min()}" if n.min() == n.max() else f"{n.min()} to {n.max()}"
        return (f"{name} correlations ranged from {fmt(r.min(), leading_zero=False)} to "
                f"{fmt(r.max(), leading_zero=False)} (n = {n_text})")


# ------------------------------------------------------------------ polychoric


def polychoric(
    data: Any,
    items: Sequence[str] | None = None,
    *,
    correct: float = 0.5,
    global_thresholds: bool = True,
    missing: Missing = "pairwise",
    smooth: bool = True,
    max_categories: int = 10,
) -> PolychoricResult:
    r"""Polychoric correlation matrix of ordinal items, as ``psych::polychoric``.

    Parameters
    ----------
    data
        A DataFrame with one column per item holding integer answer codes (reverse
        keys applied), a :class:`~peereval.instrument.Scores` or a
        :class:`~peereval.responses.Responses`. Not modified.
    items
        The item columns; by default every numeric column. At least two.
    correct
        With ``global_thresholds=False``, the count given to each empty cell of a
        pair's table (after dropping its empty rows and columns) before that pair's
        thresholds and correlation are estimated; 0 turns the correction off.
        psych applies it only then, and so does peereval: with global thresholds an
        empty cell simply contributes nothing to the likelihood.
    global_thresholds
        ``True`` (default, psych's ``global = TRUE``): each item's thresholds come
        from all its answers and are shared by every pair it is in. ``False``: each
        pair's thresholds come from its own table.
    missing
        ``"pairwise"`` (default, as psych): each correlation uses the respondents
        who answered both items; thresholds use every answer to the item.
        ``"listwise"``: only respondents who answered every item.
    smooth
        When the matrix is not positive definite, also return it smoothed as
        ``psych::cor.smooth`` does (:attr:`PolychoricResult.smoothed`).
    max_categories
        More distinct answer codes than this (from the lowest to the highest answer
        in any item) is refused: such a variable is not a Likert item, and its
        Pearson correlation is the better choice.

    Returns
    -------
    PolychoricResult

    Raises
    ------
    PeerevalError
        Fewer than two items; a non-numeric or non-integer answer; more than
        ``max_categories`` categories; an item with one answer only (or none).

    Warns
    -----
    PeerevalWarning
        The matrix is not positive definite; empty cells were corrected; a pair's
        corrected margins had to be renormalised; a pair could not be estimated (its
        likelihood is :math:`-\infty` everywhere, or no respondent answered both);
        an estimate lies at the boundary of the search, :math:`\pm 1`. Each names
        the pairs.

    Notes
    -----
    Item :math:`X` with categories :math:`1..I` is :math:`X = i` when a standard
    normal :math:`\xi` falls in :math:`(a_{i-1}, a_i]`, :math:`a_0 = -\infty`,
    :math:`a_I = \infty`; likewise :math:`Y` with :math:`\eta` and :math:`b_j`, and
    :math:`\operatorname{corr}(\xi, \eta) = \rho`. The two-step estimator (Olsson
    1979) first sets the thresholds from the marginal proportions,

    .. math::

        \hat a_i = \Phi^{-1}\!\Big(\sum_{i' \le i} p_{i'\cdot}\Big),

    then maximises the multinomial log-likelihood of the pair's table
    :math:`n_{ij}` over :math:`\rho` with the thresholds fixed,

    .. math::

        \ell(\rho) = \sum_{i,j} n_{ij} \log \pi_{ij}(\rho), \quad
        \pi_{ij} = \Phi_2(a_i, b_j; \rho) - \Phi_2(a_{i-1}, b_j; \rho)
        - \Phi_2(a_i, b_{j-1}; \rho) + \Phi_2(a_{i-1}, b_{j-1}; \rho),

    where :math:`\Phi_2` is the bivariate normal CDF (Genz 2004, to about 1e-15).
    Since :math:`\partial\Phi_2/\partial\rho = \phi_2`, the score and its derivative
    are exact; :math:`\ell` is evaluated on a grid over :math:`(-1, 1)` and the best
    point refined by Newton steps kept inside its bracket (bisection otherwise)
    until the step is below 1e-13. All pairs are estimated at once; the tables come
    from one product of one-hot codings.

    psych maximises the same likelihood with ``optimize()`` (tolerance about 1.2e-4)
    and cell probabilities from ``mnormt::sadmvn`` (absolute error 1e-6), so its
    correlations differ from these exact maximisers by up to about 1e-4 (2e-5 on
    psych's ``bfi`` items); with those two tolerances tightened, they agree to 3e-8,
    the precision ``optimize()`` can reach (see ``tests/reference/polychoric.R``).
    Thresholds agree to 1e-14. When every cell that vanishes as :math:`\rho \to \pm 1`
    is empty, the likelihood rises to its supremum at the boundary; the estimate is
    then reported as exactly :math:`\pm 1`, with a warning (psych returns a value
    within its tolerance of :math:`\pm 1`). Deliberate differences from psych:

    * psych switches every pair to ``global = FALSE`` when the items' largest
      answers differ; peereval keeps ``global_thresholds`` as given, since an
      unused category merely gets coinciding thresholds and adds nothing to the
      likelihood. Pass ``global_thresholds=False`` to reproduce psych there.
    * psych drops constant items with a message; peereval refuses them.
    * psych smooths by default and returns only the smoothed matrix; peereval
      returns both.

    With ``global_thresholds=False`` and empty cells, psych's thresholds come from
    the corrected table's margins without renormalising (the corrected proportions
    sum to slightly more than 1); peereval does the same, so as to agree. With small
    n and many empty cells (a 5-point pair with n = 25, an 8-point pair with n = 60)
    those cumulative proportions reach 1 below an observed category: the threshold
    would be :math:`+\infty`, that category impossible and the likelihood
    :math:`-\infty` for every :math:`\rho` (psych stops with an error; peereval
    used to return :math:`-0.9995`, where the search stopped). For such a pair the
    corrected margins are divided by the corrected table's own total instead, so
    the thresholds are finite and ordered: the two-step estimate of
    ``polycor::polychor`` (Fox) applied to the corrected table, and a warning names
    the pair. With ``correct=0`` the pair's thresholds are those of its own table,
    exactly polycor's two-step estimate (``polychor(x, y)``). A pair whose
    likelihood is nonetheless :math:`-\infty` for every :math:`\rho` gets NaN and a
    warning, and an estimate at the boundary of the search (:math:`|\rho| \ge
    0.99999`) is always warned about with the pair named; neither passes silently
    (checked against R in ``tests/reference/drift.R``).

    Smoothing (psych's ``cor.smooth``): eigenvalues below 1e-12 become 1e-10, all
    are rescaled to sum to the number of items, and the rebuilt matrix is rescaled
    to unit diagonal.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44, 443-460.

    Drasgow, F. (1986). Polychoric and polyserial correlations. In S. Kotz & N. L.
    Johnson (Eds.), *Encyclopedia of Statistical Sciences* (Vol. 7, pp. 68-74). Wiley.

    Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate
    normal and t probabilities. *Statistics and Computing*, 14, 251-260.

    Revelle, W. (2022). *psych: Procedures for Psychological, Psychometric, and
    Personality Research* (R package 2.2.9), functions ``polychoric``, ``polyc``,
    ``cor.smooth``.

    Fox, J. (2022). *polycor: Polychoric and Polyserial Correlations* (R package
    0.8-1), function ``polychor``.

    Examples
    --------
    Two 3-point items from a table of counts (rows: answers to ``q1``, columns:
    answers to ``q2``), one cell empty:

    >>> import numpy as np
    >>> import pandas as pd
    >>> from peereval.reliability import polychoric
    >>> table = np.array([[20, 10, 0], [12, 25, 8], [3, 11, 21]])
    >>> q1, q2 = np.indices(table.shape)
    >>> data = pd.DataFrame({"q1": np.repeat(q1.ravel() + 1, table.ravel()),
    ...                      "q2": np.repeat(q2.ravel() + 1, table.ravel())})
    >>> result = polychoric(data)  # R: psych::polychoric(data)$rho
    >>> round(float(result.correlation.loc["q1", "q2"]), 4)
    0.7094
    >>> result.thresholds.round(4)
           1|2     2|3
    q1 -0.6046  0.4728
    q2 -0.4728  0.6322
    >>> result.apa()
    'Polychoric r = .71, n = 110'
    """
    if missing not in ("pairwise", "listwise"):
        raise PeerevalError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
    if not correct >= 0:
        raise PeerevalError(f"correct must be 0 or more, not {correct!r}",
                            hint="psych's default is 0.5; 0 turns the correction off")
    frame = item_frame(data, items, what="polychoric correlations")
    names = [str(c) for c in frame.columns]
    n_rows = len(frame)
    if missing == "listwise":
        frame = frame.dropna()
        n_dropped = n_rows - len(frame)
        dropped = (f"listwise: {n_dropped} of {n_rows} rows dropped for at least one "
                   "missing answer")
        if len(frame) < 2:
            raise PeerevalError(
                f"only {len(frame)} of {n_rows} respondents answered every item",
                hint="use missing='pairwise', or leave out the items most often skipped")
    codes, categories = _ordinal_codes(frame, max_categories)
    n_cat = len(categories)
    p = len(names)

    counts = _pair_tables(codes, n_cat)                      # (p, K, p, K)
    item_counts = np.einsum("iaia->ia", counts)              # answers per item and category
    item_n = item_counts.sum(axis=1)
    tau = _thresholds(item_counts)                           # (p, K - 1)

    i_idx, j_idx = np.triu_indices(p, 1)
    tables = counts[i_idx, :, j_idx, :]                      # (pairs, K, K)
    pair_n = tables.sum(axis=(1, 2))
    if missing == "pairwise":
        answered = int((codes >= 0).any(axis=1).sum())
        n_dropped = n_rows - answered
        dropped = (f"pairwise: each correlation uses the respondents who answered both "
                   f"items (n {int(pair_n.min())} to {int(pair_n.max())} of {n_rows} rows; "
                   f"{n_dropped} rows answered none of the items)")

    if global_thresholds:
        tau_r, tau_c = tau[i_idx], tau[j_idx]
        fixed = np.zeros(len(i_idx), dtype=int)
        estimable = pair_n > 0
        renormalised = np.zeros(len(i_idx), dtype=bool)
    else:
        tables, tau_r, tau_c, fixed, estimable, renormalised = _pairwise_thresholds(
            tables, correct)

    rho = np.full(len(i_idx), np.nan)
    impossible = np.zeros(len(i_idx), dtype=bool)
    if estimable.any():
        rho[estimable], impossible[estimable] = _maximise(
            tables[estimable], tau_r[estimable], tau_c[estimable])

    matrix = np.eye(p)
    matrix[i_idx, j_idx] = matrix[j_idx, i_idx] = rho
    n_matrix = np.diag(item_n).astype(int)
    n_matrix[i_idx, j_idx] = n_matrix[j_idx, i_idx] = pair_n.astype(int)
    fixed_matrix = np.zeros((p, p), dtype=int)
    fixed_matrix[i_idx, j_idx] = fixed_matrix[j_idx, i_idx] = fixed

    pairs = [f"{names[i]}-{names[j]}" for i, j in zip(i_idx, j_idx, strict=True)]
    _warn_pairs(rho, pairs, fixed, correct, renormalised, impossible)

    positive_definite, min_eigenvalue, smoothed = _definiteness(matrix, names, smooth)

    labels = [_boundary(categories[a], categories[a + 1]) for a in range(n_cat - 1)]
    return PolychoricResult(
        method="polychoric",
        correlation=pd.DataFrame(matrix, index=names, columns=names),
        thresholds=pd.DataFrame(tau, index=names, columns=labels),
        n_pairwise=pd.DataFrame(n_matrix, index=names, columns=names),
        n_rows=n_rows, n_dropped=n_dropped, missing=missing, dropped=dropped,
        categories=tuple(float(c) for c in categories),
        global_thresholds=bool(global_thresholds), correct=float(correct),
        corrected_cells=pd.DataFrame(fixed_matrix, index=names, columns=names),
        positive_definite=positive_definite, min_eigenvalue=min_eigenvalue,
        smoothed=smoothed,
    )


def _definiteness(matrix: np.ndarray, names: list[str], smooth: bool
                  ) -> tuple[bool | None, float, pd.DataFrame | None]:
    """Whether the matrix is positive definite (psych's rule), its smallest eigenvalue
    and, when it is not and ``smooth``, the smoothed matrix; warns when it is not."""
    positive_definite: bool | None = None
    min_eigenvalue = float("nan")
    smoothed = None
    if np.isfinite(matrix).all():
        eigenvalues = np.linalg.eigvalsh(matrix)
        min_eigenvalue = float(eigenvalues[0])
        positive_definite = bool(min_eigenvalue >= _EPS)
        if not positive_definite:
            if smooth:
                smoothed = pd.DataFrame(cor_smooth(matrix), index=names, columns=names)
            warnings.warn(
                f"the polychoric matrix is not positive definite (smallest eigenvalue "
                f"{min_eigenvalue:.3g}): pairs estimated from different respondents, or "
                "from sparse tables, do not fit together. "
                + ("result.smoothed (and result.matrix) hold it smoothed as psych's "
                   "cor.smooth does; " if smooth else "smooth=True gives a smoothed one; ")
                + "look for items with few answers in some categories or pairs with small n "
                "(result.n_pairwise), and consider merging sparse categories.",
                PeerevalWarning, stacklevel=user_stacklevel())
    return positive_definite, min_eigenvalue, smoothed


def cor_smooth(matrix: np.ndarray) -> np.ndarray:
    """A correlation matrix made positive definite as ``psych::cor.smooth`` does.

    Eigenvalues below 1e-12 are set to 1e-10, all are rescaled to sum to the number
    of variables, and the matrix rebuilt from them is rescaled to unit diagonal. A
    matrix whose smallest eigenvalue is at least machine epsilon is returned as is.

    Examples
    --------
    >>> r = np.array([[1, .9, .1], [.9, 1, .9], [.1, .9, 1]])
    >>> bool(np.linalg.eigvalsh(cor_smooth(r))[0] > 0)
    True
    """
    matrix = np.asarray(matrix, dtype=float)
    values, vectors = np.linalg.eigh(matrix)
    if values[0] >= _EPS:
        return matrix.copy()
    values = np.where(values < 1e-12, 1e-10, values)
    values *= matrix.shape[0] / values.sum()
    rebuilt = (vectors * values) @ vectors.T
    scale = np.sqrt(np.diag(rebuilt))
    out = rebuilt / np.outer(scale, scale)
    out = (out + out.T) / 2
    np.fill_diagonal(out, 1.0)
    return out


# ------------------------------------------------------------------ polyserial


def polyserial(
    data: Any,
    x: str | Sequence[str],
    y: str | Sequence[str],
    *,
    missing: Missing = "pairwise",
    max_categories: int = 10,
) -> PolychoricResult:
    r"""Polyserial correlations of continuous ``x`` with ordinal ``y``, as ``psych::polyserial``.

    Parameters
    ----------
    data
        A DataFrame (not modified).
    x
        The continuous column(s): age, a total or scale score.
    y
        The ordinal item column(s), integer codes.
    missing
        ``"pairwise"`` (default): each correlation uses the respondents with both
        values, and everything in its formula comes from those rows.
        ``"listwise"``: only respondents with every ``x`` and ``y``.
    max_categories
        As in :func:`polychoric`.

    Returns
    -------
    PolychoricResult
        ``correlation`` has the items ``y`` as rows and ``x`` as columns, like psych.

    Notes
    -----
    The two-step "ad hoc" estimator of Olsson, Drasgow & Dorans (1982), which is
    what psych computes: if :math:`Y` is :math:`\eta` (standard normal, correlated
    :math:`\rho` with :math:`X`) cut at thresholds :math:`\tau_1 < \dots < \tau_{J-1}`,
    then :math:`\operatorname{cov}(X, Y) = \rho\,\sigma_X \sum_j \phi(\tau_j)`, so

    .. math::

        \hat\rho = \frac{r_{XY}\, s_Y}{\sum_{j=1}^{J-1} \phi(\hat\tau_j)}, \qquad
        \hat\tau_j = \Phi^{-1}\!\Big(\sum_{j' \le j} p_{j'}\Big),

    with :math:`r_{XY}` the Pearson correlation and :math:`s_Y` the standard
    deviation of the item codes with divisor :math:`n`. Estimates beyond
    :math:`\pm 1` are set to :math:`\pm 1` (as psych does) with a warning.

    psych takes :math:`r_{XY}` from pairwise-complete rows but :math:`s_Y` and the
    thresholds from every answer to the item and :math:`n` as all rows of the data;
    peereval takes all of them from the same rows. Without missing values the two
    are identical; the test suite compares both ways.

    References
    ----------
    Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial correlation
    coefficient. *Psychometrika*, 47, 337-347.

    Drasgow, F. (1986). Polychoric and polyserial correlations. In S. Kotz & N. L.
    Johnson (Eds.), *Encyclopedia of Statistical Sciences* (Vol. 7, pp. 68-74). Wiley.

    Revelle, W. (2022). *psych* (R package 2.2.9), function ``polyserial``.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import polyserial
    >>> data = pd.DataFrame({"age": [19, 22, 25, 21, 30, 27, 24, 20],
    ...                      "q1": [1, 2, 3, 1, 3, 3, 2, 2]})
    >>> result = polyserial(data, x="age", y="q1")  # R: psych::polyserial(data$age, data["q1"])
    >>> round(float(result.correlation.loc["q1", "age"]), 4)
    0.948
    """
    if missing not in ("pairwise", "listwise"):
        raise PeerevalError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
    xs = [x] if isinstance(x, str) else list(x)
    ys = [y] if isinstance(y, str) else list(y)
    if not xs or not ys:
        raise PeerevalError("polyserial needs at least one x and one y column",
                            hint="x is the continuous column, y the ordinal item(s)")
    overlap = sorted(set(xs) & set(ys))
    if overlap:
        raise PeerevalError("a column is both x and y", column=overlap[0],
                            hint="x is the continuous column, y the ordinal item(s)")
    frame = item_frame(data, xs + ys, minimum=2, what="polyserial correlations")
    n_rows = len(frame)
    if missing == "listwise":
        frame = frame.dropna()
        n_dropped = n_rows - len(frame)
        dropped = (f"listwise: {n_dropped} of {n_rows} rows dropped for at least one "
                   "missing value")
        if len(frame) < 2:
            raise PeerevalError(
                f"only {len(frame)} of {n_rows} respondents have every x and y",
                hint="use missing='pairwise', or leave out the columns most often missing")
    x_values = frame[xs].to_numpy()
    for column, values in zip(xs, x_values.T, strict=True):
        finite = values[~np.isnan(values)]
        if finite.size == 0 or np.all(finite == finite[0]):
            raise PeerevalError(
                f"column '{column}' has no variance" if finite.size else
                f"column '{column}' has no values",
                column=column, value=float(finite[0]) if finite.size else None,
                hint="a polyserial correlation needs a continuous x that varies")
    codes, categories = _ordinal_codes(frame[ys], max_categories)
    n_cat = len(categories)
    item_counts = np.stack([np.bincount(c[c >= 0], minlength=n_cat) for c in codes.T])
    tau = _thresholds(item_counts)

    rps = np.full((len(ys), len(xs)), np.nan)
    n = np.zeros((len(ys), len(xs)), dtype=int)
    clipped = []
    for a, code in enumerate(codes.T):
        for b, xv in enumerate(x_values.T):
            ok = (code >= 0) & ~np.isnan(xv)
            n[a, b] = int(ok.sum())
            value = _ad_hoc_polyserial(xv[ok], code[ok], n_cat)
            if abs(value) > 1:
                clipped.append(f"{ys[a]}-{xs[b]} ({value:.3f})")
                value = float(np.sign(value))
            rps[a, b] = value
    if missing == "pairwise":
        n_dropped = n_rows - int(((codes >= 0).any(axis=1) & ~np.isnan(x_values).all(axis=1))
                                 .sum())
        dropped = (f"pairwise: each correlation uses the respondents with both values "
                   f"(n {n.min()} to {n.max()} of {n_rows} rows)")
    if clipped:
        warnings.warn(
            f"polyserial estimates beyond ±1 were set to ±1: {', '.join(clipped)}. The "
            "ad hoc estimator does this when the item is far from a cut normal variable "
            "or n is small; look at the item's distribution.",
            PeerevalWarning, stacklevel=user_stacklevel())
    failed = [f"{ys[a]}-{xs[b]}" for a, b in np.argwhere(np.isnan(rps))]
    if failed:
        warnings.warn(
            f"polyserial correlations could not be estimated for {', '.join(failed)}: fewer "
            "than two respondents with both values, or no variance among them.",
            PeerevalWarning, stacklevel=user_stacklevel())
    labels = [_boundary(categories[a], categories[a + 1]) for a in range(n_cat - 1)]
    return PolychoricResult(
        method="polyserial",
        correlation=pd.DataFrame(rps, index=ys, columns=xs),
        thresholds=pd.DataFrame(tau, index=ys, columns=labels),
        n_pairwise=pd.DataFrame(n, index=ys, columns=xs),
        n_rows=n_rows, n_dropped=n_dropped, missing=missing, dropped=dropped,
        categories=tuple(float(c) for c in categories),
        title="Polyserial correlations",
    )


def _ad_hoc_polyserial(x: np.ndarray, code: np.ndarray, n_cat: int) -> float:
    n = x.size
    if n < 2:
        return float("nan")
    xc = x - x.mean()
    yc = code - code.mean()
    sxx, syy = float(xc @ xc), float(yc @ yc)
    if sxx <= 0 or syy <= 0:
        return float("nan")
    r = float(xc @ yc) / np.sqrt(sxx * syy)
    sd_y = np.sqrt(syy / n)
    cum = np.cumsum(np.bincount(code, minlength=n_cat))[:-1] / n
    tau = ndtri(cum)
    density = np.exp(-0.5 * tau * tau) / np.sqrt(2 * np.pi)   # 0 at ±inf
    return float(r * sd_y / density.sum())


# ------------------------------------------------------------------ internals


def _boundary(low: float, high: float) -> str:
    def show(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else str(v)
    return f"{show(low)}|{show(high)}"


def _ordinal_codes(frame: pd.DataFrame, max_categories: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..K-1 (-1 for missing) over the answers the items share."""
    values = frame.to_numpy(dtype=float)
    present = ~np.isnan(values)
    fractional = present & (values != np.round(np.where(present, values, 0.0)))
    if fractional.any():
        row, col = np.argwhere(fractional)[0]
        raise PeerevalError(
            "ordinal items must hold whole-number answer codes",
            column=str(frame.columns[col]), value=float(values[row, col]),
            hint=f"row label {frame.index[row]!r}: code every answer as an integer (1, 2, "
            "...); a mean or prorated score is not an ordinal item")
    for col, name in enumerate(frame.columns):
        answers = values[present[:, col], col]
        if answers.size == 0:
            raise PeerevalError("the item has no answers", column=str(name),
                                hint="leave the item out of the analysis")
        if np.all(answers == answers[0]):
            raise PeerevalError(
                "the item has one answer only (no variance), so it has no thresholds",
                column=str(name), value=float(answers[0]),
                hint="leave it out: a constant item carries no information")
        span = answers.max() - answers.min() + 1
        if span > max_categories:
            raise PeerevalError(
                f"the item spans {int(span)} answer codes (more than max_categories = "
                f"{max_categories}); polychoric correlations are for ordinal items",
                column=str(name), value=float(answers.max()),
                hint="for a continuous variable use polyserial() or a Pearson correlation; "
                "if it really is ordinal, raise max_categories")
    low, high = np.nanmin(values), np.nanmax(values)
    if high - low + 1 > max_categories:
        col = int(np.nanargmax(np.nanmax(values, axis=0)))
        raise PeerevalError(
            f"the items together span {int(high - low + 1)} answer codes ({low:g} to "
            f"{high:g}), more than max_categories = {max_categories}",
            column=str(frame.columns[col]), value=float(high),
            hint="code all items on the same scale (e.g. 1-5) first")
    categories = np.arange(low, high + 1)
    codes = np.where(present, values - low, -1).astype(np.int16)
    return codes, categories


def _pair_tables(codes: np.ndarray, n_cat: int) -> np.ndarray:
    """Cross-tabulations of every pair of items at once: counts[i, a, j, b].

    Each respondent is one-hot coded (a missing answer is a block of zeros), so the
    cross-product of the coding holds every pairwise-complete contingency table.
    """
    n, p = codes.shape
    width = p * n_cat
    total = np.zeros((width, width))
    offsets = np.arange(p) * n_cat
    rows_per_block = max(256, _ONEHOT_CELLS // width)
    for start in range(0, n, rows_per_block):
        block = codes[start:start + rows_per_block]
        rows, cols = np.nonzero(block >= 0)
        onehot = np.zeros((block.shape[0], width))
        onehot[rows, offsets[cols] + block[rows, cols]] = 1.0
        total += onehot.T @ onehot
    return total.reshape(p, n_cat, p, n_cat)


def _thresholds(counts: np.ndarray) -> np.ndarray:
    """Normal quantiles of the cumulative proportions, one row per item (±inf allowed)."""
    cum = np.cumsum(counts, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ndtri(cum[..., :-1] / cum[..., -1:])


def _pairwise_thresholds(tables: np.ndarray, correct: float):
    """psych's ``global = FALSE``: each pair's own thresholds, empty cells corrected.

    Returns the corrected tables, row and column thresholds, the number of corrected
    cells, whether each pair can be estimated, and whether its corrected margins had
    to be renormalised (see :func:`polychoric`, Notes).
    """
    tables = tables.astype(float).copy()
    total = tables.sum(axis=(1, 2))
    row_used = tables.sum(axis=2) > 0
    col_used = tables.sum(axis=1) > 0
    empty = (tables == 0) & row_used[:, :, None] & col_used[:, None, :]
    fixed = empty.sum(axis=(1, 2)) if correct > 0 else np.zeros(len(tables), dtype=int)
    if correct > 0:
        tables[empty] = correct
    estimable = (row_used.sum(axis=1) >= 2) & (col_used.sum(axis=1) >= 2)
    safe_total = np.where(total > 0, total, 1.0)[:, None]

    def last_used(used: np.ndarray) -> np.ndarray:
        return used.shape[1] - 1 - np.argmax(used[:, ::-1], axis=1)

    def cumulative(margin: np.ndarray, scale: np.ndarray) -> np.ndarray:
        return np.cumsum(margin, axis=1)[:, :-1] / scale

    def overflow(cum: np.ndarray, used: np.ndarray) -> np.ndarray:
        # a boundary below the last category used whose share reaches 1: its threshold
        # would be +inf (R's qnorm gives NaN) and an observed category impossible
        below = np.arange(cum.shape[1])[None, :] < last_used(used)[:, None]
        return (below & (cum >= 1.0)).any(axis=1)

    def margin_thresholds(cum: np.ndarray, used: np.ndarray) -> np.ndarray:
        # at and above the last category used, the boundary is +inf (psych drops unused
        # categories)
        above = np.arange(cum.shape[1])[None, :] >= last_used(used)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = ndtri(np.minimum(cum, 1.0))
        return np.where(above, np.inf, tau)

    rows, cols = tables.sum(axis=2), tables.sum(axis=1)
    cum_r, cum_c = cumulative(rows, safe_total), cumulative(cols, safe_total)
    # psych divides the corrected margins by the uncorrected n; where that pushes a
    # cumulative share to 1 below an observed category, the corrected table's own
    # total is used instead (polycor's two-step thresholds of the corrected table)
    renormalised = estimable & (overflow(cum_r, row_used) | overflow(cum_c, col_used))
    if renormalised.any():
        corrected_total = tables[renormalised].sum(axis=(1, 2))[:, None]
        cum_r[renormalised] = cumulative(rows[renormalised], corrected_total)
        cum_c[renormalised] = cumulative(cols[renormalised], corrected_total)
    tau_r = margin_thresholds(cum_r, row_used)
    tau_c = margin_thresholds(cum_c, col_used)
    return tables, tau_r, tau_c, fixed.astype(int), estimable, renormalised


def _corners(tau_r: np.ndarray, tau_c: np.ndarray, rho: np.ndarray, order: int):
    """Cell probabilities of each pair's table and their first two ρ-derivatives."""
    m, kr = tau_r.shape
    kc = tau_c.shape[1]
    h, k, r = tau_r[:, :, None], tau_c[:, None, :], rho[:, None, None]

    def cells(interior: np.ndarray, border: bool) -> np.ndarray:
        grid = np.zeros((m, kr + 2, kc + 2))
        grid[:, 1:-1, 1:-1] = interior
        if border:  # P(ξ ≤ a_i, η < ∞) and P(ξ < ∞, η ≤ b_j)
            grid[:, 1:-1, -1] = ndtr(tau_r)
            grid[:, -1, 1:-1] = ndtr(tau_c)
            grid[:, -1, -1] = 1.0
        return grid[:, 1:, 1:] - grid[:, :-1, 1:] - grid[:, 1:, :-1] + grid[:, :-1, :-1]

    prob = cells(bvn_cdf(h, k, r), True)
    if order == 0:
        return prob, None, None
    d1 = cells(bvn_pdf(h, k, r), False)
    d2 = cells(bvn_pdf_drho(h, k, r), False)
    return prob, d1, d2


def _loglik(tables: np.ndarray, prob: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(tables > 0, tables * np.log(prob), 0.0)
    return terms.sum(axis=(1, 2))


def _maximise(tables: np.ndarray, tau_r: np.ndarray, tau_c: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """The maximum-likelihood ρ of each table given its thresholds, in blocks of pairs.

    Also returns, per table, whether its log-likelihood is -inf (or NaN) at every ρ
    searched (an observed cell has probability 0 whatever ρ is); its ρ is then NaN,
    never the point where the search happened to stop.
    """
    per_pair = max(1, tau_r.shape[1] * tau_c.shape[1])
    size = max(1, _CELLS_PER_BLOCK // per_pair)
    out = np.empty(len(tables))
    impossible = np.zeros(len(tables), dtype=bool)
    for start in range(0, len(tables), size):
        sl = slice(start, start + size)
        out[sl], impossible[sl] = _maximise_block(tables[sl], tau_r[sl], tau_c[sl])
    return out, impossible


def _maximise_block(tables: np.ndarray, tau_r: np.ndarray, tau_c: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    m = len(tables)
    scores = np.empty((m, _GRID.size))
    for g, value in enumerate(_GRID):
        prob, _, _ = _corners(tau_r, tau_c, np.full(m, value), 0)
        scores[:, g] = _loglik(tables, prob)
    impossible = ~np.isfinite(scores).any(axis=1)
    best = np.argmax(np.where(np.isnan(scores), -np.inf, scores), axis=1)
    padded = np.concatenate([[-_EDGE], _GRID, [_EDGE]])
    lo, hi, x = padded[best], padded[best + 2], _GRID[best].astype(float)
    active = np.ones(m, dtype=bool)
    for _ in range(_MAX_ITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        prob, d1, d2 = _corners(tau_r[idx], tau_c[idx], x[idx], 2)
        t = tables[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(t > 0, d1 / prob, 0.0)
            score = (t * ratio).sum(axis=(1, 2))
            curvature = (t * (np.where(t > 0, d2 / prob, 0.0) - ratio * ratio)).sum(axis=(1, 2))
        xi = x[idx]
        lo[idx] = np.where(score > 0, xi, lo[idx])
        hi[idx] = np.where(score < 0, xi, hi[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xi - score / curvature
        inside = (curvature < 0) & (newton > lo[idx]) & (newton < hi[idx])
        step = np.where(inside, newton, (lo[idx] + hi[idx]) / 2)
        step = np.where(score == 0, xi, step)
        done = (np.abs(step - xi) < _STEP_TOL) | (hi[idx] - lo[idx] < _STEP_TOL) | (score == 0)
        x[idx] = step
        active[idx[done]] = False
    x = _snap_to_boundary(tables, tau_r, tau_c, x)
    x[impossible] = np.nan
    return x, impossible


def _snap_to_boundary(tables: np.ndarray, tau_r: np.ndarray, tau_c: np.ndarray,
                      x: np.ndarray) -> np.ndarray:
    """±1 where the likelihood at the edge is as high as at the estimate.

    That happens when every cell that vanishes as ρ → ±1 is empty: the likelihood then
    rises to its supremum at the boundary and is flat to rounding near it, so the
    iterations stop at an arbitrary point close to ±1.
    """
    near = np.flatnonzero(np.abs(x) > 0.99)
    if near.size == 0:
        return x
    at_x, _, _ = _corners(tau_r[near], tau_c[near], x[near], 0)
    at_edge, _, _ = _corners(tau_r[near], tau_c[near], np.sign(x[near]) * _EDGE, 0)
    ll_x, ll_edge = _loglik(tables[near], at_x), _loglik(tables[near], at_edge)
    flat = np.isfinite(ll_edge) & (ll_edge >= ll_x - 1e-9 * (1.0 + np.abs(ll_x)))
    x = x.copy()
    x[near[flat]] = np.sign(x[near[flat]])
    return x


def _warn_pairs(rho: np.ndarray, pairs: list[str], fixed: np.ndarray, correct: float,
                renormalised: np.ndarray | None = None,
                impossible: np.ndarray | None = None) -> None:
    def listing(mask: np.ndarray) -> str:
        names = [pairs[i] for i in np.flatnonzero(mask)]
        shown = ", ".join(names[:10])
        return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")

    impossible = np.zeros(len(rho), dtype=bool) if impossible is None else impossible
    renormalised = np.zeros(len(rho), dtype=bool) if renormalised is None else renormalised
    if impossible.any():
        warnings.warn(
            f"{int(impossible.sum())} polychoric correlation(s) set to NaN ("
            f"{listing(impossible)}): with the thresholds used, an observed answer has "
            "probability 0 for every correlation, so the likelihood has no maximum. "
            "Merge sparse categories or use global_thresholds=True.",
            PeerevalWarning, stacklevel=user_stacklevel())
    missing = np.isnan(rho) & ~impossible
    if missing.any():
        warnings.warn(
            f"{int(missing.sum())} polychoric correlation(s) could not be estimated "
            f"({listing(missing)}): no respondent answered both items, or one item had "
            "a single answer among those who did. The matrix is incomplete; check result.n.",
            PeerevalWarning, stacklevel=user_stacklevel())
    boundary = np.abs(rho) >= _GRID[-1]
    if boundary.any():
        warnings.warn(
            f"polychoric estimate(s) at ±1 (the boundary of the search) for "
            f"{listing(boundary)}: the table has empty cells that make the association "
            "look perfect. Merge sparse categories, or use global_thresholds=False with a "
            "correction for empty cells.",
            ConvergenceWarning, stacklevel=user_stacklevel())
    if renormalised.any():
        warnings.warn(
            f"for {listing(renormalised)} the corrected cumulative proportions reached 1 "
            "below an observed category (psych's thresholds would be infinite and it "
            "fails); their thresholds come from the corrected table's own margins "
            "instead (polycor's two-step estimate of the corrected table). With so many "
            "empty cells the correction dominates the estimate: merge sparse categories, "
            "or pass correct=0 for polycor's uncorrected two-step estimate.",
            PeerevalWarning, stacklevel=user_stacklevel())
    if fixed.sum() > 0:
        warnings.warn(
            f"{int(fixed.sum())} empty cell(s) in {int((fixed > 0).sum())} pair(s) were given "
            f"{correct:g} respondents (correction for continuity, as psych does); the "
            "estimates for those pairs depend on this choice. Examine sparse categories.",
            PeerevalWarning, stacklevel=user_stacklevel())
