r"""Agreement of raters on categories: Cohen's and Fleiss' kappa, Krippendorff's alpha.

* :func:`cohen_kappa`: two raters, the same subjects; unweighted, or weighted for
  ordered categories (linear or quadratic weights).
* :func:`fleiss_kappa`: any number of ratings per subject, nominal categories; the
  raters need not be the same people for every subject.
* :func:`krippendorff_alpha`: any number of coders, missing values allowed, nominal,
  ordinal, interval or ratio data.

Every result reports the n used and dropped, an interval, and a label: Landis and
Koch (1977) for kappa, Krippendorff (2004) for alpha.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt, fmt_ci, fmt_p, interval_words
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result, interpret
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel

__all__ = [
    "FleissCategory",
    "FleissKappaResult",
    "KappaResult",
    "KrippendorffAlphaResult",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
]


# ------------------------------------------------------------------ helpers


def _require_frame(data: Any, function: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise PeerevalError(
            f"{function}() needs a pandas DataFrame, not {type(data).__name__}",
            hint="put the ratings in a DataFrame with one column per rater",
        )
    return data


def _require_columns(data: pd.DataFrame, names: Sequence[Any], role: str) -> None:
    absent = [n for n in names if n not in data.columns]
    if absent:
        shown = ", ".join(map(str, list(data.columns)[:30]))
        raise PeerevalError(f"the data have no column {absent[0]!r} ({role})",
                            column=str(absent[0]), hint=f"columns in the data: {shown}")


def _columns(data: pd.DataFrame, columns: Sequence[Any] | None, minimum: int,
             role: str) -> list[Any]:
    names = list(data.columns) if columns is None else (
        [columns] if isinstance(columns, str) else list(columns))
    _require_columns(data, names, role)
    if len(set(names)) != len(names):
        raise PeerevalError(f"a {role} column is listed twice", hint="list each column once")
    if len(names) < minimum:
        raise PeerevalError(
            f"agreement needs at least {minimum} {role}s; got {len(names)}",
            hint=f"pass one column per {role} with columns=[...]",
        )
    return names


def _sorted_values(values: Sequence[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return list(values)


def _category_order(frame: pd.DataFrame, categories: Sequence[Any] | None, *,
                    ordered: bool, role: str) -> list[Any]:
    """Categories in order: given, from an ordered Categorical, or sorted observed values."""
    observed = pd.unique(frame.stack(future_stack=True).dropna().to_numpy())
    if categories is not None:
        order = list(categories)
        if len(set(order)) != len(order):
            raise PeerevalError("a category is listed twice in categories=",
                                hint="list each category once, in order")
        known = set(order)
        for column in frame.columns:
            outside = [v for v in pd.unique(frame[column].dropna()) if v not in known]
            if outside:
                raise PeerevalError(
                    f"{len(outside)} value(s) of {role} {column!r} are not among categories=",
                    column=str(column), value=outside[0],
                    hint="add them to categories=, or recode them; categories given: "
                    + ", ".join(map(repr, order[:20])),
                )
        return order
    dtypes = [frame[c].dtype for c in frame.columns]
    if all(isinstance(d, pd.CategoricalDtype) for d in dtypes):
        cats = list(dtypes[0].categories)
        if all(list(d.categories) == cats for d in dtypes) and (
                dtypes[0].ordered or not ordered):
            return cats
    if all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
           for v in observed):
        return sorted(observed, key=float)
    if ordered:
        raise PeerevalError(
            f"the {role}s' values are text, so their order is not known",
            value=observed[0] if len(observed) else None,
            hint="pass categories=[...] from lowest to highest, use an ordered pandas "
            "Categorical, or code the values as numbers",
        )
    return _sorted_values(list(observed))


def _codes(frame: pd.DataFrame, order: list[Any]) -> np.ndarray:
    """Integer codes 0..q-1 of the values, -1 where missing."""
    lookup = {value: i for i, value in enumerate(order)}
    out = np.full(frame.shape, -1, dtype=np.int64)
    for j, column in enumerate(frame.columns):
        values = frame[column]
        present = values.notna().to_numpy()
        out[present, j] = [lookup[v] for v in values[present]]
    return out


def _landis_koch(value: float) -> str:
    return interpret(value, "landis_koch")


# ------------------------------------------------------------------ Cohen's kappa


@dataclass(frozen=True, repr=False)
class KappaResult(Result):
    """Cohen's kappa (weighted or not) for two raters.

    Attributes
    ----------
    kappa
        Cohen's (weighted) kappa.
    se, ci_low, ci_high, ci_level
        Large-sample standard error (Fleiss, Cohen & Everitt 1969) and the normal
        interval kappa ± z·SE, limited to [-1, 1] (as psych::cohen.kappa does).
    se0, z, p_value
        Standard error under kappa = 0 and the z test of kappa = 0.
    observed_agreement, expected_agreement
        (Weighted) proportion of agreement observed and expected by chance.
    n, n_dropped
        Subjects rated by both raters, and subjects left out (a rating missing).
    categories
        Categories in the order used by the weights.
    counts, crosstab
        The categories x categories table of counts (rows: ``rater1``), as tuples
        and as a labelled DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import cohen_kappa
    >>> grades = pd.DataFrame({"examiner_a": [3, 3, 2, 1, 3, 2, 2, 3, 1, 3],
    ...                        "examiner_b": [3, 2, 2, 1, 3, 2, 3, 3, 1, 3]})
    >>> result = cohen_kappa(grades, "examiner_a", "examiner_b")
    >>> round(result.kappa, 2), result.n, result.interpretation
    (0.68, 10, 'substantial')
    >>> result.crosstab.to_numpy().tolist()  # rows: examiner_a, columns: examiner_b
    [[2, 0, 0], [0, 2, 1], [0, 1, 4]]
    """

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    ci_level: float
    se0: float
    z: float
    p_value: float
    observed_agreement: float
    expected_agreement: float
    n: int
    n_dropped: int
    weights: str
    rater1: str
    rater2: str
    categories: tuple[Any, ...]
    counts: tuple[tuple[int, ...], ...]
    notes: tuple[str, ...] = ()
    title: str = "Cohen's kappa"

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")

    @property
    def estimate(self) -> float:
        """Kappa (the same as :attr:`kappa`)."""
        return self.kappa

    @property
    def interpretation(self) -> str:
        """Landis and Koch (1977) label of kappa."""
        return _landis_koch(self.kappa)

    @property
    def crosstab(self) -> pd.DataFrame:
        """The table of counts, ``rater1`` in rows and ``rater2`` in columns."""
        index = pd.Index(self.categories, name=self.rater1)
        return pd.DataFrame(list(self.counts), index=index,
                            columns=pd.Index(self.categories, name=self.rater2))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "rater1": self.rater1, "rater2": self.rater2, "weights": self.weights,
            "kappa": self.kappa, "se": self.se, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "ci_level": self.ci_level, "z": self.z,
            "p_value": self.p_value, "observed_agreement": self.observed_agreement,
            "expected_agreement": self.expected_agreement,
            "n": self.n, "n_dropped": self.n_dropped,
            "interpretation": self.interpretation,
        }])

    def apa(self) -> str:
        symbol = "κ" if self.weights == "none" else f"{self.weights}-weighted κ"
        dropped = f", {self.n_dropped} dropped for a missing rating" if self.n_dropped else ""
        return (
            f"Cohen's {symbol} = {fmt(self.kappa, leading_zero=False)}, "
            f"{fmt_ci(self.ci_low, self.ci_high, leading_zero=False, level=self.ci_level)}, "
            f"z = {fmt(self.z)}, {fmt_p(self.p_value)}; observed agreement "
            f"{fmt(100 * self.observed_agreement, 1)}%, expected by chance "
            f"{fmt(100 * self.expected_agreement, 1)}% (n = {self.n}{dropped}): "
            f"{self.interpretation} agreement (Landis & Koch, 1977)."
        )

    def methods(self) -> str:
        """The methods sentence, from the weights, level and rule of this result.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> grades = pd.DataFrame({"examiner_a": [3, 3, 2, 1, 3, 2, 2, 3, 1, 3],
        ...                        "examiner_b": [3, 2, 2, 1, 3, 2, 3, 3, 1, 3]})
        >>> print(cohen_kappa(grades, "examiner_a", "examiner_b", weights="quadratic",
        ...                   confidence=0.9).methods())  # doctest: +NORMALIZE_WHITESPACE
        Agreement between examiner_a and examiner_b on 10 subjects was estimated with
        Cohen's kappa (quadratic weights over 3 categories), with a 90% normal
        interval from the large-sample standard error (Fleiss, Cohen & Everitt 1969)
        and a z test of kappa = 0; subjects with a missing rating were left out.
        """
        weights = ("unweighted" if self.weights == "none"
                   else f"{self.weights} weights")
        return (f"Agreement between {self.rater1} and {self.rater2} on {self.n} subjects "
                f"was estimated with Cohen's kappa ({weights} over {len(self.categories)} "
                f"categories), with a {self.ci_level:.0%} normal interval from the "
                f"large-sample standard error (Fleiss, Cohen & Everitt 1969) and a z test "
                f"of kappa = 0; subjects with a missing rating were left out.")


def _weight_matrix(weights: Any, q: int) -> tuple[np.ndarray, str]:
    position = np.arange(q, dtype=float)
    distance = np.abs(position[:, None] - position[None, :])
    if weights is None:
        return np.eye(q), "none"
    if isinstance(weights, str):
        if q < 2:
            return np.eye(q), weights
        if weights == "linear":
            return 1 - distance / (q - 1), "linear"
        if weights == "quadratic":
            return 1 - distance ** 2 / (q - 1) ** 2, "quadratic"
        raise PeerevalError(f"unknown weights {weights!r}",
                            hint="use weights=None, 'linear' or 'quadratic', or a q x q "
                            "matrix of agreement weights")
    matrix = np.asarray(weights, dtype=float)
    if matrix.shape != (q, q):
        raise PeerevalError(
            f"the weight matrix is {matrix.shape}, but there are {q} categories",
            hint="give one row and column per category, in the order of categories=")
    if (not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1)
            or matrix.min() < 0 or matrix.max() > 1):
        raise PeerevalError(
            "agreement weights must be symmetric, between 0 and 1, with 1 on the diagonal",
            hint="weight 1 means full agreement; 1 - |i - j|/(q - 1) are linear weights")
    return matrix, "custom"


@renamed(level="confidence")
@checked(confidence=Interval(0, 1, closed="neither"))
def cohen_kappa(
    data: pd.DataFrame,
    rater1: str,
    rater2: str,
    *,
    weights: Literal["linear", "quadratic"] | np.ndarray | None = None,
    confidence: float = 0.95,
    categories: Sequence[Any] | None = None,
) -> KappaResult:
    r"""Cohen's kappa for two raters, unweighted or weighted, with a large-sample CI.

    Parameters
    ----------
    data
        One row per subject.
    rater1, rater2
        Columns holding the two raters' categories (numbers or labels).
    weights
        ``None`` (default) for Cohen's (1960) kappa; ``"linear"`` or ``"quadratic"``
        for Cohen's (1968) weighted kappa on ordered categories; or a q x q matrix
        of agreement weights.
    confidence
        Confidence level.
    categories
        All categories, in order. Needed for weights when the values are text, and to
        count categories nobody used (the weights depend on the number of categories).
        By default the values seen, sorted.

    Returns
    -------
    KappaResult

    Raises
    ------
    PeerevalError
        Unknown columns, the same column twice, no subject rated by both, a rater who
        used only one category, values outside ``categories``, text values with
        weights but no order.

    Notes
    -----
    With :math:`p_{ij}` the proportion of subjects rated :math:`i` by the first and
    :math:`j` by the second rater, marginals :math:`p_{i\cdot}, p_{\cdot j}` and
    agreement weights :math:`w_{ij}` (:math:`w = I` unweighted,
    :math:`1 - |i-j|/(q-1)` linear, :math:`1 - (i-j)^2/(q-1)^2` quadratic, for
    category positions :math:`i, j` among :math:`q`):

    .. math::

        p_o = \sum_{ij} w_{ij} p_{ij},\quad p_e = \sum_{ij} w_{ij} p_{i\cdot}p_{\cdot j},
        \quad \kappa = \frac{p_o - p_e}{1 - p_e}.

    The large-sample variance is that of Fleiss, Cohen and Everitt (1969), with
    :math:`\bar w_{i\cdot} = \sum_j p_{\cdot j} w_{ij}` and
    :math:`\bar w_{\cdot j} = \sum_i p_{i\cdot} w_{ij}`:

    .. math::

        \widehat{\mathrm{Var}}(\kappa) = \frac{\sum_{ij} p_{ij}\,[w_{ij}(1-p_e) -
        (\bar w_{i\cdot} + \bar w_{\cdot j})(1-p_o)]^2 - (p_o p_e - 2p_e + p_o)^2}
        {n(1-p_e)^4},

    giving the interval :math:`\kappa \pm z_{1-\alpha/2}\,SE` (bounds beyond ±1 are
    set to ±1), the boundaries R's ``psych::cohen.kappa`` reports. The test of
    :math:`\kappa = 0` uses the variance under the null hypothesis,
    :math:`[\sum_{ij} p_{i\cdot}p_{\cdot j}(w_{ij} - \bar w_{i\cdot} -
    \bar w_{\cdot j})^2 - p_e^2] / (n(1-p_e)^2)` (Fleiss et al., 1969). Quadratic
    weights make kappa close to an intraclass correlation (Fleiss & Cohen, 1973).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement, 20*(1), 37-46.

    Cohen, J. (1968). Weighted kappa. *Psychological Bulletin, 70*(4), 213-220.

    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of
    kappa and weighted kappa. *Psychological Bulletin, 72*(5), 323-327.

    Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for
    categorical data. *Biometrics, 33*(1), 159-174.

    Examples
    --------
    Two examiners grade ten OSCE stations (1 fail, 2 borderline, 3 pass):

    >>> import pandas as pd
    >>> from peereval.reliability import cohen_kappa
    >>> grades = pd.DataFrame({"examiner_a": [3, 3, 2, 1, 3, 2, 2, 3, 1, 3],
    ...                        "examiner_b": [3, 2, 2, 1, 3, 2, 3, 3, 1, 3]})
    >>> result = cohen_kappa(grades, "examiner_a", "examiner_b")
    >>> round(result.kappa, 3), round(result.observed_agreement, 2)
    (0.677, 0.8)
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    Cohen's κ = .68, 95% CI [.26, 1.00], z = 2.94, p = .003; observed agreement 80.0%,
    expected by chance 38.0% (n = 10): substantial agreement (Landis & Koch, 1977).
    >>> round(cohen_kappa(grades, "examiner_a", "examiner_b", weights="quadratic").kappa, 3)
    0.836
    """
    from scipy import stats

    frame = _require_frame(data, "cohen_kappa")
    _require_columns(frame, [rater1, rater2], "rater")
    if rater1 == rater2:
        raise PeerevalError("rater1 and rater2 name the same column", column=str(rater1),
                            hint="name the columns of two different raters")
    pair = frame[[rater1, rater2]]
    both = pair.notna().all(axis=1)
    n_dropped = int((~both).sum())
    pair = pair[both]
    n = len(pair)
    if n == 0:
        raise PeerevalError(
            f"no subject was rated by both {rater1!r} and {rater2!r}",
            hint="kappa compares two raters on the same subjects; check that the columns "
            "overlap (missing ratings are left out)",
        )
    order = _category_order(pair, categories, ordered=weights is not None, role="rater")
    codes = _codes(pair, order)
    q = len(order)
    for j, name in enumerate((rater1, rater2)):
        used = np.unique(codes[:, j])
        if used.size < 2:
            raise PeerevalError(
                f"rater {name!r} gave every subject the same rating ({order[used[0]]!r})",
                column=str(name), value=order[used[0]],
                hint="kappa cannot separate agreement from chance when a rater never "
                "varies (it is 0 or undefined by construction); report the percentage "
                "agreement instead, or check the column",
            )
    w, weight_name = _weight_matrix(weights, q)
    table = np.zeros((q, q))
    np.add.at(table, (codes[:, 0], codes[:, 1]), 1)
    prop = table / n
    rows = prop.sum(axis=1)
    cols = prop.sum(axis=0)
    po = float((w * prop).sum())
    pe = float((w * np.outer(rows, cols)).sum())
    notes: list[str] = []
    if math.isclose(pe, 1.0):
        warnings.warn(
            "expected agreement is 1, so kappa is undefined (0/0); every rating falls in "
            "categories the weights treat as agreeing. Report the percentage agreement "
            "instead",
            PeerevalWarning, stacklevel=user_stacklevel(),
        )
        kappa = se = se0 = z = p = low = high = math.nan
    else:
        kappa = (po - pe) / (1 - pe)
        w_row = w @ cols  # mean weight of row category i against the second rater
        w_col = rows @ w  # mean weight of column category j against the first rater
        spread = w_row[:, None] + w_col[None, :]
        var = ((prop * (w * (1 - pe) - spread * (1 - po)) ** 2).sum()
               - (po * pe - 2 * pe + po) ** 2) / (n * (1 - pe) ** 4)
        var0 = ((np.outer(rows, cols) * (w - spread) ** 2).sum() - pe ** 2) / (
            n * (1 - pe) ** 2)
        se = math.sqrt(var) if var > 0 else (0.0 if var > -1e-12 else math.nan)
        se0 = math.sqrt(var0) if var0 > 0 else math.nan
        z = kappa / se0 if se0 and math.isfinite(se0) else math.nan
        p = float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan
        crit = float(stats.norm.ppf(1 - (1 - confidence) / 2))
        low, high = kappa - crit * se, kappa + crit * se
        if low < -1 or high > 1:
            notes.append("an interval bound beyond ±1 was set to ±1")
            low, high = max(low, -1.0), min(high, 1.0)
    return KappaResult(
        kappa=float(kappa), se=float(se), ci_low=float(low), ci_high=float(high),
        ci_level=float(confidence), se0=float(se0), z=float(z), p_value=float(p),
        observed_agreement=po, expected_agreement=pe, n=n, n_dropped=n_dropped,
        weights=weight_name, rater1=str(rater1), rater2=str(rater2),
        categories=tuple(order),
        counts=tuple(tuple(int(c) for c in row) for row in table), notes=tuple(notes),
        title="Cohen's kappa" if weight_name == "none" else f"Cohen's weighted kappa "
        f"({weight_name} weights)",
    )


# ------------------------------------------------------------------ Fleiss' kappa


@dataclass(frozen=True)
class FleissCategory:
    """Kappa for one category against all others (Fleiss, 1971; Fleiss et al., 1979)."""

    category: Any
    proportion: float
    kappa: float
    se0: float
    z: float
    p_value: float

    p = deprecated_alias("p_value")


@dataclass(frozen=True, repr=False)
class FleissKappaResult(Result):
    """Fleiss' kappa for many raters.

    Attributes
    ----------
    kappa
        Fleiss' (1971) kappa; with unequal numbers of ratings per subject, its
        generalisation by Gwet (2014).
    se, ci_low, ci_high, ci_level
        Standard error by linearisation (Gwet, 2008) and the interval
        kappa ± t(n - 1)·SE (upper bound at most 1), valid whether or not kappa is 0.
    se0, z, p_value
        Standard error under kappa = 0 (Fleiss, Nee & Landis, 1979) and the z test,
        as R's ``irr::kappam.fleiss`` reports; only when every subject has the same
        number of ratings.
    observed_agreement, expected_agreement
        Mean pairwise agreement per subject and chance agreement
        :math:`\\sum_j \\pi_j^2`.
    n, n_subjects, n_dropped
        Subjects used (``n`` is ``n_subjects``) and subjects left out (missing
        ratings, or fewer than one).
    n_raters
        Ratings per subject: the common number, or the largest when they differ.
    equal_raters
        Whether every subject has the same number of ratings.
    categories
        One :class:`FleissCategory` per category.
    """

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    ci_level: float
    se0: float
    z: float
    p_value: float
    observed_agreement: float
    expected_agreement: float
    n_subjects: int
    n_dropped: int
    n_raters: int
    equal_raters: bool
    missing: str
    categories: tuple[FleissCategory, ...]
    notes: tuple[str, ...] = ()
    title: str = "Fleiss' kappa"

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")

    @property
    def estimate(self) -> float:
        """Kappa (the same as :attr:`kappa`)."""
        return self.kappa

    @property
    def n(self) -> int:
        """Subjects used (the same as :attr:`n_subjects`)."""
        return self.n_subjects

    @property
    def interpretation(self) -> str:
        """Landis and Koch (1977) label of kappa."""
        return _landis_koch(self.kappa)

    def to_frame(self) -> pd.DataFrame:
        """The overall kappa (``scope`` "overall") then one row per category."""
        rows = [{
            "scope": "overall", "category": None, "proportion": 1.0, "kappa": self.kappa,
            "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "ci_level": self.ci_level, "se0": self.se0, "z": self.z, "p_value": self.p_value,
            "observed_agreement": self.observed_agreement,
            "expected_agreement": self.expected_agreement,
            "n_subjects": self.n_subjects, "n_dropped": self.n_dropped,
            "n_raters": self.n_raters, "interpretation": self.interpretation,
        }]
        for c in self.categories:
            rows.append({
                "scope": "category", "category": c.category, "proportion": c.proportion,
                "kappa": c.kappa, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                "ci_level": math.nan, "se0": c.se0, "z": c.z, "p_value": c.p_value,
                "observed_agreement": math.nan,
                "expected_agreement": math.nan, "n_subjects": self.n_subjects,
                "n_dropped": self.n_dropped, "n_raters": self.n_raters,
                "interpretation": _landis_koch(c.kappa),
            })
        frame = pd.DataFrame(rows)
        frame["category"] = pd.Series([row["category"] for row in rows], dtype=object)
        return frame

    def apa(self) -> str:
        raters = (f"{self.n_raters} ratings each" if self.equal_raters
                  else f"up to {self.n_raters} ratings each")
        dropped = f", {self.n_dropped} dropped" if self.n_dropped else ""
        test = (f", z = {fmt(self.z)}, {fmt_p(self.p_value)}" if math.isfinite(self.z)
                else "")
        return (
            f"Fleiss' κ = {fmt(self.kappa, leading_zero=False)}, "
            f"{fmt_ci(self.ci_low, self.ci_high, leading_zero=False, level=self.ci_level)}"
            f"{test} ({self.n_subjects} subjects{dropped}, {raters}): "
            f"{self.interpretation} agreement (Landis & Koch, 1977)."
        )

    def methods(self) -> str:
        """The methods sentence, from the raters, level and missing-data rule used.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> ratings = pd.DataFrame({"r1": [1, 2, 3, 1, 2, 3], "r2": [1, 2, 3, 2, 2, 3],
        ...                         "r3": [1, 2, 2, 1, 2, 3]})
        >>> print(fleiss_kappa(ratings).methods())  # doctest: +NORMALIZE_WHITESPACE
        Agreement among 3 raters on 6 subjects was estimated with Fleiss' kappa
        (Fleiss 1971), with a 95% interval from the linearised standard error (Gwet
        2008) and a z test of kappa = 0 (Fleiss, Nee & Landis 1979); subjects with a
        missing rating were left out (listwise).
        """
        if self.equal_raters:
            kind = "Fleiss' kappa (Fleiss 1971)"
            raters = f"{self.n_raters} raters"
        else:
            kind = "Fleiss' kappa generalised to unequal numbers of ratings (Gwet 2014)"
            raters = f"up to {self.n_raters} raters"
        test = (" and a z test of kappa = 0 (Fleiss, Nee & Landis 1979)"
                if math.isfinite(self.z) else "")
        rule = ("subjects with a missing rating were left out (listwise)"
                if self.missing == "listwise" else
                "every subject's available ratings were used")
        return (f"Agreement among {raters} on {self.n_subjects} subjects was estimated "
                f"with {kind}, with a {self.ci_level:.0%} interval from the linearised "
                f"standard error (Gwet 2008){test}; {rule}.")


def _gwet_fleiss(counts: np.ndarray, level: float) -> tuple[float, float, float, float,
                                                           float, float, float]:
    """Kappa, pa, pe, SE, interval and t-test df from subject x category counts."""
    from scipy import stats

    n = counts.shape[0]
    r = counts.sum(axis=1)
    pairable = r >= 2
    n2 = int(pairable.sum())
    denom = np.where(pairable, r * (r - 1), 1.0)
    pa_i = np.where(pairable, (counts * (counts - 1)).sum(axis=1) / denom, 0.0)
    pa = float(pa_i[pairable].mean())
    pi = (counts / r[:, None]).mean(axis=0)
    pe = float((pi ** 2).sum())
    if math.isclose(pe, 1.0):
        return math.nan, pa, pe, math.nan, math.nan, math.nan, n - 1
    kappa = (pa - pe) / (1 - pe)
    kappa_i = (n / n2) * (pa_i - pe * pairable) / (1 - pe)
    pe_i = (counts * pi).sum(axis=1) / r
    linear = kappa_i - 2 * (1 - kappa) * (pe_i - pe) / (1 - pe)
    var = float(((linear - kappa) ** 2).sum() / (n * (n - 1)))
    se = math.sqrt(var)
    crit = float(stats.t.ppf(1 - (1 - level) / 2, n - 1))
    return kappa, pa, pe, se, kappa - crit * se, min(1.0, kappa + crit * se), n - 1


@renamed(level="confidence")
@checked(confidence=Interval(0, 1, closed="neither"))
def fleiss_kappa(
    data: pd.DataFrame,
    columns: Sequence[Any] | None = None,
    *,
    counts: bool = False,
    categories: Sequence[Any] | None = None,
    confidence: float = 0.95,
    missing: Literal["listwise", "available"] = "listwise",
) -> FleissKappaResult:
    r"""Fleiss' kappa for nominal ratings by many raters, per category as well.

    Parameters
    ----------
    data
        Either subjects x raters, each cell a category (number or label; missing
        allowed), or, with ``counts=True``, subjects x categories, each cell the
        number of raters who chose that category for that subject.
    columns
        The rater columns (or, with ``counts=True``, the category columns); default
        all.
    counts
        Whether ``data`` is a table of counts.
    categories
        All categories, to report categories nobody chose (ratings data only).
    confidence
        Confidence level.
    missing
        Ratings data: ``"listwise"`` (default, as R's ``irr::kappam.fleiss``) drops
        subjects with a missing rating; ``"available"`` keeps every rating, using
        Gwet's (2014) generalisation to unequal numbers of ratings per subject.
        Count tables always use the ratings they hold.

    Returns
    -------
    FleissKappaResult

    Raises
    ------
    PeerevalError
        Unknown columns, fewer than two raters, fewer than two subjects with two or
        more ratings, negative or fractional counts.

    Warns
    -----
    PeerevalWarning
        When every rating is in one category (kappa undefined).

    Notes
    -----
    For subject :math:`i` with :math:`r_i` ratings, :math:`r_{ij}` of them in category
    :math:`j`, and :math:`n` subjects (:math:`n_2` of them with two or more ratings):

    .. math::

        p_a = \frac{1}{n_2}\sum_{i: r_i \ge 2}\sum_j \frac{r_{ij}(r_{ij}-1)}{r_i(r_i-1)},
        \quad \pi_j = \frac{1}{n}\sum_i \frac{r_{ij}}{r_i},\quad
        p_e = \sum_j \pi_j^2,\quad \kappa = \frac{p_a - p_e}{1 - p_e}.

    With equal :math:`r_i = m` this is Fleiss' (1971) kappa. The per-category kappa is
    the same statistic for category :math:`j` against all others,
    :math:`\kappa_j = 1 - \sum_i r_{ij}(m - r_{ij}) / (n m (m-1) \pi_j (1-\pi_j))`.
    The tests of :math:`\kappa = 0` use the null variances of Fleiss, Nee and Landis
    (1979), as R's ``irr::kappam.fleiss`` does:

    .. math::

        \mathrm{Var}_0(\kappa) = \frac{2}{nm(m-1)}\,
        \frac{(\sum_j \pi_j q_j)^2 - \sum_j \pi_j q_j (q_j - \pi_j)}{(\sum_j \pi_j q_j)^2},
        \qquad \mathrm{Var}_0(\kappa_j) = \frac{2}{nm(m-1)},

    with :math:`q_j = 1 - \pi_j`. These hold only when kappa is 0, so the interval
    uses Gwet's (2008) linearisation variance instead,
    :math:`\frac{1}{n(n-1)}\sum_i (\kappa_i^* - \kappa)^2` with
    :math:`\kappa_i^* = \kappa_i - 2(1-\kappa)(p_{e|i} - p_e)/(1-p_e)`,
    :math:`\kappa_i = (n/n_2)(p_{a|i} - p_e)/(1-p_e)` and
    :math:`p_{e|i} = \sum_j \pi_j r_{ij}/r_i`, and Student's t on :math:`n-1` df, as
    R's ``irrCAC::fleiss.kappa.raw`` does.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin, 76*(5), 378-382.

    Fleiss, J. L., Nee, J. C. M., & Landis, J. R. (1979). Large sample variance of
    kappa in the case of different sets of raters. *Psychological Bulletin, 86*(5),
    974-977.

    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
    presence of high agreement. *British Journal of Mathematical and Statistical
    Psychology, 61*(1), 29-48.

    Gwet, K. L. (2014). *Handbook of inter-rater reliability* (4th ed.). Advanced
    Analytics.

    Examples
    --------
    Four tutors classify six reflective essays as (d)escriptive, (r)eflective or
    (c)ritical:

    >>> import pandas as pd
    >>> from peereval.reliability import fleiss_kappa
    >>> essays = pd.DataFrame({"t1": list("drrcdc"), "t2": list("drcccd"),
    ...                        "t3": list("drrcdc"), "t4": list("ddrcdc")})
    >>> result = fleiss_kappa(essays)
    >>> round(result.kappa, 3), result.n_subjects, result.n_raters
    (0.492, 6, 4)
    >>> result.to_frame()[["scope", "category", "kappa"]].round(3)
          scope category  kappa
    0   overall     None  0.492
    1  category        c  0.467
    2  category        d  0.467
    3  category        r  0.556
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    Fleiss' κ = .49, 95% CI [.11, .87], z = 4.13, p < .001 (6 subjects, 4 ratings
    each): moderate agreement (Landis & Koch, 1977).
    """
    from scipy import stats

    frame = _require_frame(data, "fleiss_kappa")
    if missing not in ("listwise", "available"):
        raise PeerevalError(f"missing must be 'listwise' or 'available', not {missing!r}")
    notes: list[str] = []
    table_counts, order, n_dropped = _subject_counts(frame, columns, counts=counts,
                                                     categories=categories, missing=missing)
    r = table_counts.sum(axis=1)
    n = table_counts.shape[0]
    if r.size == 0 or r.max() < 2 or int((r >= 2).sum()) < 2:
        raise PeerevalError(
            f"Fleiss' kappa needs at least two subjects with two or more ratings; "
            f"{int((r >= 2).sum())} remain" + (f" after dropping {n_dropped}" if n_dropped
                                               else ""),
            hint="check that the raters rated the same subjects; with missing ratings "
            "try missing='available' or krippendorff_alpha()",
        )
    equal = bool(np.all(r == r[0]))
    m = int(r.max())
    kappa, pa, pe, se, low, high, _ = _gwet_fleiss(table_counts, confidence)
    pi = (table_counts / r[:, None]).mean(axis=0)
    if not math.isfinite(kappa):
        warnings.warn(
            "every rating is in the same category, so chance agreement is 1 and kappa is "
            "undefined (0/0); report the percentage agreement, or check that the "
            "subjects were meant to differ",
            PeerevalWarning, stacklevel=user_stacklevel(),
        )
    se0 = z = p = math.nan
    if equal and math.isfinite(kappa):
        pq = pi * (1 - pi)
        spq = float(pq.sum())
        var0 = 2 / (n * m * (m - 1)) * (spq ** 2 - float((pq * (1 - 2 * pi)).sum())) / spq ** 2
        se0 = math.sqrt(var0)
        z = kappa / se0
        p = float(2 * stats.norm.sf(abs(z)))
    elif not equal:
        notes.append("subjects have different numbers of ratings: the z test of Fleiss, Nee "
                     "and Landis (1979) is not defined; judge by the interval")
    cats = _fleiss_categories(table_counts, order, equal=equal, m=m, confidence=confidence)
    return FleissKappaResult(
        kappa=float(kappa), se=float(se), ci_low=float(low), ci_high=float(high),
        ci_level=float(confidence), se0=float(se0), z=float(z), p_value=float(p),
        observed_agreement=float(pa), expected_agreement=float(pe), n_subjects=n,
        n_dropped=n_dropped, n_raters=m, equal_raters=equal,
        missing="counts" if counts else missing, categories=tuple(cats),
        notes=tuple(notes),
    )


def _subject_counts(frame: pd.DataFrame, columns: Sequence[Any] | None, *, counts: bool,
                    categories: Sequence[Any] | None, missing: str
                    ) -> tuple[np.ndarray, list[Any], int]:
    """Subjects x categories counts of raters, the category order and the subjects
    dropped (no rating in a count table; a missing rating, or none, in ratings)."""
    if counts:
        names = _columns(frame, columns, 2, "category")
        table = frame[names].apply(pd.to_numeric, errors="coerce")
        if table.isna().to_numpy().any():
            raise PeerevalError("the count table has empty or non-numeric cells",
                                hint="every cell holds how many raters chose the category "
                                "(0 when none did)")
        values = table.to_numpy(dtype=float)
        if (values < 0).any() or not np.allclose(values, np.round(values)):
            raise PeerevalError("counts must be whole numbers of raters, 0 or more")
        order = list(names)
        table_counts = values
        keep = table_counts.sum(axis=1) >= 1
        n_dropped = int((~keep).sum())
        return table_counts[keep], order, n_dropped
    else:
        names = _columns(frame, columns, 2, "rater")
        ratings = frame[names]
        order = _category_order(ratings, categories, ordered=False, role="rater")
        code = _codes(ratings, order)
        present = code >= 0
        keep = present.all(axis=1) if missing == "listwise" else present.any(axis=1)
        n_dropped = int((~keep).sum())
        code = code[keep]
        table_counts = np.zeros((code.shape[0], len(order)))
        for j in range(code.shape[1]):
            ok = code[:, j] >= 0
            np.add.at(table_counts, (np.flatnonzero(ok), code[ok, j]), 1)
    return table_counts, order, n_dropped


def _fleiss_categories(table_counts: np.ndarray, order: list[Any], *, equal: bool, m: int,
                       confidence: float) -> list[FleissCategory]:
    """Kappa of each category against all others, with its z test when every subject
    has the same number of ratings (Fleiss 1971)."""
    from scipy import stats

    n = table_counts.shape[0]
    r = table_counts.sum(axis=1)
    pi = (table_counts / r[:, None]).mean(axis=0)
    cats = []
    se0_cat = math.sqrt(2 / (n * m * (m - 1))) if equal else math.nan
    for j, category in enumerate(order):
        if pi[j] <= 0 or pi[j] >= 1:
            kj = zj = pj = math.nan
        else:
            binary = np.column_stack([table_counts[:, j], r - table_counts[:, j]])
            kj = _gwet_fleiss(binary, confidence)[0]
            zj = kj / se0_cat if equal else math.nan
            pj = float(2 * stats.norm.sf(abs(zj))) if equal else math.nan
        cats.append(FleissCategory(category=category, proportion=float(pi[j]),
                                   kappa=float(kj), se0=se0_cat if equal else math.nan,
                                   z=float(zj), p_value=float(pj)))
    return cats


# ------------------------------------------------------------------ Krippendorff's alpha

Level = Literal["nominal", "ordinal", "interval", "ratio"]


@dataclass(frozen=True, repr=False)
class KrippendorffAlphaResult(Result):
    """Krippendorff's alpha.

    Attributes
    ----------
    alpha, estimate
        Krippendorff's alpha, :math:`1 - D_o/D_e`.
    metric
        Level of measurement (the difference function).
    ci_low, ci_high, ci_level, n_boot, seed
        Percentile interval from ``n_boot`` bootstrap resamples of the units
        (``NaN`` when ``n_boot=0``), its level and the seed that reproduces it.
    observed_disagreement, expected_disagreement
        :math:`D_o` and :math:`D_e`.
    n, n_units, n_dropped, n_coders, n_values
        Units with two or more values (pairable; ``n`` is ``n_units``), units left
        out (fewer than two values), coders, and pairable values.
    values
        The distinct values, in the order of the coincidence matrix.
    coincidences, coincidence_matrix
        The coincidence matrix :math:`o_{ck}`, as tuples and as a labelled DataFrame.
    """

    alpha: float
    metric: str
    ci_low: float
    ci_high: float
    ci_level: float
    n_boot: int
    seed: str
    observed_disagreement: float
    expected_disagreement: float
    n_units: int
    n_dropped: int
    n_coders: int
    n_values: int
    values: tuple[Any, ...]
    coincidences: tuple[tuple[float, ...], ...]
    notes: tuple[str, ...] = ()
    title: str = "Krippendorff's alpha"

    level = deprecated_alias("metric")
    confidence = deprecated_alias("ci_level")
    n_units_dropped = deprecated_alias("n_dropped")

    @property
    def estimate(self) -> float:
        """Alpha (the same as :attr:`alpha`)."""
        return self.alpha

    @property
    def n(self) -> int:
        """Pairable units (the same as :attr:`n_units`)."""
        return self.n_units

    @property
    def interpretation(self) -> str:
        """Krippendorff's (2004, p. 241) rule: >= .800 reliable, >= .667 tentative."""
        if not math.isfinite(self.alpha):
            return "not available"
        if self.alpha >= 0.8:
            return "reliable"
        if self.alpha >= 0.667:
            return "tentative conclusions only"
        return "unreliable"

    @property
    def coincidence_matrix(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.coincidences), index=list(self.values),
                            columns=list(self.values))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "metric": self.metric, "alpha": self.alpha, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "ci_level": self.ci_level,
            "observed_disagreement": self.observed_disagreement,
            "expected_disagreement": self.expected_disagreement, "n_units": self.n_units,
            "n_dropped": self.n_dropped, "n_coders": self.n_coders,
            "n_values": self.n_values, "n_boot": self.n_boot,
            "interpretation": self.interpretation,
        }])

    def apa(self) -> str:
        interval = ""
        if self.n_boot and math.isfinite(self.ci_low):
            interval = ", " + fmt_ci(self.ci_low, self.ci_high, 3, leading_zero=False,
                                     level=self.ci_level) + \
                f" (bootstrap, {self.n_boot} resamples)"
        dropped = (f"; {self.n_dropped} units with fewer than two values left out"
                   if self.n_dropped else "")
        return (
            f"Krippendorff's α ({self.metric}) = {fmt(self.alpha, 3, leading_zero=False)}"
            f"{interval} ({self.n_units} units, {self.n_coders} coders, "
            f"{self.n_values} pairable values{dropped}): {self.interpretation} "
            f"(Krippendorff, 2004)."
        )

    def methods(self) -> str:
        """The methods sentence, from the metric, interval and seed of this result.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> codes = pd.DataFrame({"c1": [1, 2, 3, 3, 2, 1], "c2": [1, 2, 3, 3, 2, 2],
        ...                       "c3": [None, 2, 3, 3, 2, 1]})
        >>> print(krippendorff_alpha(codes, metric="ordinal", n_boot=500, seed=1).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Agreement among 3 coders on 6 units was estimated with Krippendorff's alpha
        for ordinal data (Krippendorff 2004), from the coincidences of every pair of
        values within a unit; with a 95% percentile bootstrap interval (500
        resamples, seed 1) over units.
        >>> print(krippendorff_alpha(codes, n_boot=0).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Agreement among 3 coders on 6 units was estimated with Krippendorff's alpha
        for nominal data (Krippendorff 2004), from the coincidences of every pair of
        values within a unit; no interval was computed (n_boot=0).
        """
        if self.n_boot:
            words = interval_words("percentile", self.ci_level, n_boot=self.n_boot,
                                   seed=self.seed)
            interval = f"with {words} over units"
        else:
            interval = "no interval was computed (n_boot=0)"
        one = self.n_dropped == 1
        dropped = (f"; {self.n_dropped} unit{'' if one else 's'} with fewer than two values "
                   f"{'was' if one else 'were'} left out" if self.n_dropped else "")
        return (f"Agreement among {self.n_coders} coders on {self.n_units} units was "
                f"estimated with Krippendorff's alpha for {self.metric} data "
                f"(Krippendorff 2004), from the coincidences of every pair of values "
                f"within a unit{dropped}; {interval}.")


def _unit_counts(frame: pd.DataFrame, order: list[Any]) -> np.ndarray:
    code = _codes(frame, order)
    counts = np.zeros((code.shape[0], len(order)))
    for j in range(code.shape[1]):
        ok = code[:, j] >= 0
        np.add.at(counts, (np.flatnonzero(ok), code[ok, j]), 1)
    return counts


def _delta(level: str, numbers: np.ndarray | None, marginals: np.ndarray) -> np.ndarray:
    """Squared differences δ²; ``marginals`` (n_c) has shape (..., V) for ordinal."""
    v = marginals.shape[-1]
    if level == "nominal":
        return 1.0 - np.eye(v)
    if level in ("interval", "ratio"):
        if numbers is None:  # pragma: no cover - the caller always passes them
            raise PeerevalError(f"{level} alpha needs numeric values")
        if level == "interval":
            return (numbers[:, None] - numbers[None, :]) ** 2
        total = numbers[:, None] + numbers[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = ((numbers[:, None] - numbers[None, :]) / total) ** 2
        return np.where(total == 0, 0.0, out)
    # ordinal: (sum of n_g from c to k - (n_c + n_k)/2)^2, values ranked in order
    cum = np.cumsum(marginals, axis=-1)
    upper = cum[..., None, :]  # sum to k
    lower = cum[..., :, None] - marginals[..., :, None]  # sum below c
    between = upper - lower - (marginals[..., :, None] + marginals[..., None, :]) / 2
    idx = np.arange(v)
    sign = idx[None, :] >= idx[:, None]
    between = np.where(sign, between, np.swapaxes(between, -1, -2))
    return between ** 2


def _alpha_from(coincidence: np.ndarray, level: str,
                numbers: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alpha, D_o and D_e for one coincidence matrix or a stack of them."""
    marg = coincidence.sum(axis=-1)
    total = marg.sum(axis=-1)
    delta = _delta(level, numbers, marg)
    observed = (coincidence * delta).sum(axis=(-2, -1))
    expected = (marg[..., :, None] * marg[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = observed / total
        d_e = expected / (total * (total - 1))
        alpha = 1 - (total - 1) * observed / expected
    return alpha, d_o, d_e


def _krippendorff_replicates(counts: np.ndarray, flat: np.ndarray, level: str,
                             numbers: np.ndarray | None) -> np.ndarray:
    """Alpha of each resample of units (rows of ``counts``) from per-unit coincidences."""
    q = math.isqrt(flat.shape[1])
    return _alpha_from((counts @ flat).reshape(-1, q, q), level, numbers)[0]


@renamed(level="metric")
@checked(confidence=Interval(0, 1, closed="neither"), n_boot=Interval(0, None, integer=True))
def krippendorff_alpha(
    data: pd.DataFrame,
    columns: Sequence[Any] | None = None,
    *,
    metric: Level = "nominal",
    categories: Sequence[Any] | None = None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: SeedLike = None,
    n_jobs: int | None = None,
) -> KrippendorffAlphaResult:
    r"""Krippendorff's alpha for any number of coders, with missing values.

    Parameters
    ----------
    data
        Units (rows) x coders (columns); a missing value means the coder did not code
        that unit. (Krippendorff prints reliability data the other way round, coders
        in rows.)
    columns
        The coder columns (default all).
    metric
        ``"nominal"`` (default), ``"ordinal"``, ``"interval"`` or ``"ratio"``: the
        difference function. Interval and ratio data must be numbers (ratio: not
        negative); ordinal values are numbers, an ordered Categorical, or labels put
        in order with ``categories``.
    categories
        The values in order (ordinal labels), or all values for nominal data.
    n_boot
        Bootstrap resamples of the units for the interval (0 for none).
    confidence
        Confidence level of the interval.
    seed
        Seed of the bootstrap (an int or a numpy Generator); the same seed gives the
        same interval.
    n_jobs
        Workers for the bootstrap (None: the active ``joblib.parallel_config``, one
        process by default; -1: every core; a Dask cluster through joblib's
        ``"dask"`` backend). The interval does not depend on it.

    Returns
    -------
    KrippendorffAlphaResult

    Raises
    ------
    PeerevalError
        Unknown columns, fewer than two coders, no unit coded by two coders,
        non-numeric values for interval or ratio data, negative ratio values.

    Warns
    -----
    PeerevalWarning
        When all pairable values are equal (alpha undefined).

    Notes
    -----
    Computed from the coincidence matrix (Krippendorff, 2011): each unit :math:`u`
    with :math:`m_u \ge 2` values contributes, for every ordered pair of values
    :math:`(c, k)` from different coders, :math:`1/(m_u - 1)` to :math:`o_{ck}`. With
    :math:`n_c = \sum_k o_{ck}` and :math:`n = \sum_c n_c`,

    .. math::

        \alpha = 1 - \frac{D_o}{D_e}
        = 1 - (n-1)\frac{\sum_c\sum_k o_{ck}\,\delta^2_{ck}}
                        {\sum_c\sum_k n_c n_k\,\delta^2_{ck}},

    with :math:`\delta^2_{ck}` = 0 if :math:`c = k` else 1 (nominal);
    :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2` (ordinal, values ranked);
    :math:`(c - k)^2` (interval); :math:`((c - k)/(c + k))^2` (ratio).
    The interval is the percentile interval of alpha over bootstrap resamples of the
    pairable units (the units are the sampling units); Krippendorff's own bootstrap
    differs. Krippendorff (2004, p. 241) advises relying on variables with
    :math:`\alpha \ge .800` and drawing only tentative conclusions from
    :math:`.667 \le \alpha < .800`.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's alpha-reliability*. Annenberg
    School for Communication, University of Pennsylvania.
    https://repository.upenn.edu/asc_papers/43

    Krippendorff, K. (2004). *Content analysis: An introduction to its methodology*
    (2nd ed.). Sage.

    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. *Communication Methods and Measures, 1*(1),
    77-89.

    Examples
    --------
    The example of Krippendorff (2011): four coders, twelve units, values 1-5:

    >>> import numpy as np
    >>> import pandas as pd
    >>> from peereval.reliability import krippendorff_alpha
    >>> nan = np.nan
    >>> units = pd.DataFrame({
    ...     "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...     "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...     "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...     "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]})
    >>> [round(krippendorff_alpha(units, metric=lv, n_boot=0).alpha, 3)
    ...  for lv in ("nominal", "ordinal", "interval", "ratio")]
    [0.743, 0.815, 0.849, 0.797]
    >>> result = krippendorff_alpha(units, metric="interval", seed=1)
    >>> result.n_units, result.n_dropped, result.n_values
    (11, 1, 40)
    """
    frame = _require_frame(data, "krippendorff_alpha")
    names = _columns(frame, columns, 2, "coder")
    coded = frame[names]
    numbers: np.ndarray | None = None
    if metric in ("interval", "ratio"):
        converted = {}
        for name in names:
            column = coded[name]
            as_num = pd.to_numeric(column, errors="coerce")
            bad = column.notna() & as_num.isna()
            if bad.any():
                raise PeerevalError(
                    f"{metric} data must be numbers; coder {name!r} has {column[bad].iloc[0]!r}",
                    column=str(name), value=column[bad].iloc[0],
                    hint="code the values as numbers, or use level='nominal' or 'ordinal'")
            converted[name] = as_num.astype("float64")
        coded = pd.DataFrame(converted, index=coded.index)
        if metric == "ratio" and (coded < 0).to_numpy().any():
            raise PeerevalError("ratio data cannot be negative",
                                hint="use level='interval' for scales with negative values")
        order = _category_order(coded, None, ordered=True, role="coder")
        numbers = np.asarray(order, dtype=float)
    else:
        order = _category_order(coded, categories, ordered=metric == "ordinal", role="coder")
    counts = _unit_counts(coded, order)
    m = counts.sum(axis=1)
    pairable = m >= 2
    n_dropped = int((~pairable).sum())
    if int(pairable.sum()) == 0:
        raise PeerevalError(
            "no unit was coded by two or more coders, so there is nothing to compare",
            hint="check that the coders coded the same units (rows are units, columns "
            "coders)",
        )
    units = counts[pairable]
    weights = 1.0 / (units.sum(axis=1) - 1)
    # per-unit coincidences, flattened: (n_c n_k - [c == k] n_c) / (m_u - 1)
    per_unit = (units[:, :, None] * units[:, None, :]
                - units[:, :, None] * np.eye(len(order))[None]) * weights[:, None, None]
    coincidence = per_unit.sum(axis=0)
    alpha, d_o, d_e = _alpha_from(coincidence, metric, numbers)
    notes: list[str] = []
    if not np.isfinite(alpha):
        warnings.warn(
            "all pairable values are equal, so expected disagreement is 0 and alpha is "
            "undefined (0/0); agreement is perfect but says nothing about reliability "
            "without variation in the units",
            PeerevalWarning, stacklevel=user_stacklevel(),
        )
    low = high = math.nan
    seed_text = describe_seed(seed) if n_boot else "not used"
    if n_boot and np.isfinite(alpha):
        from peereval._bootstrap import bootstrap_replicates, percentile_interval

        flat = per_unit.reshape(per_unit.shape[0], -1)
        values = bootstrap_replicates(_krippendorff_replicates, flat.shape[0], n_boot,
                                      as_generator(seed), n_jobs=n_jobs, flat=flat,
                                      level=metric, numbers=numbers)
        undefined = int((~np.isfinite(values)).sum())
        if undefined:
            notes.append(f"{undefined} of {n_boot} resamples had no disagreement to expect "
                         "and were left out of the interval")
        low, high = percentile_interval(values, confidence)
    return KrippendorffAlphaResult(
        alpha=float(alpha), metric=metric, ci_low=float(low), ci_high=float(high),
        ci_level=float(confidence), n_boot=int(n_boot), seed=seed_text,
        observed_disagreement=float(d_o), expected_disagreement=float(d_e),
        n_units=int(pairable.sum()), n_dropped=n_dropped, n_coders=len(names),
        n_values=int(units.sum()), values=tuple(order),
        coincidences=tuple(tuple(float(x) for x in row) for row in coincidence),
        notes=tuple(notes),
    )

