r"""Covariates as numbers: the one design-matrix builder of every outcome model.

Every model in :mod:`peereval.outcomes` that adjusts for covariates (ANCOVA, the
logistic model of :func:`~peereval.outcomes.compare_binary`, the propensity score
model, the outcome model after matching or weighting, the mixed model) and Table 1
(:func:`~peereval.outcomes.describe`) read a covariate here, so that one column is
coded one way in every result of a study.

Kinds
-----
Each covariate is one of three kinds (:func:`covariate_kind`):

* **numeric**: numbers (also text that holds only numbers), entered as they are;
* **indicator**: a yes/no characteristic stored as booleans or as numbers taking
  exactly the values 0 and 1. It enters as one 0/1 column, True (1) against the
  reference False (0); the column is named after the covariate (``married``) for 0/1
  numbers and ``female[True]`` for booleans, as R names them (``married``,
  ``femaleTRUE``). In sum-to-zero coding it is a two-level factor like any other.
* **categorical**: text, a pandas ``Categorical``, or a column the caller declares
  categorical; one indicator per level but the reference (treatment coding), k - 1
  sum-to-zero columns (sum coding) or every level (``"full"``, for balance tables).
  A two-valued text column (``sex`` = F/M) is categorical with two levels, so its
  single indicator (``sex[M]``) is the same column as a boolean ``male`` gives.

Reference level
---------------
The reference level is the **first level** (:func:`level_order`): for a pandas
``Categorical`` its first category present in the data (the order the user declared,
as R uses a factor's levels), otherwise the first in sorted order: False before True,
0 before 1, numbers by value, text alphabetically (by code point). So ``sex`` with
values "F" and "M" has reference "F" in the ANCOVA, the logistic model and the
propensity model alike; to choose another, pass a ``Categorical`` with that category
first. Each result records the reference levels it used
(:meth:`CovariateDesign.coding_note`).

Rank
----
:func:`check_rank` is the one check that the columns of a model matrix are linearly
independent. It raises :class:`CollinearityError` naming the column that adds nothing
and the columns it is a combination of (QR decomposition, then a least-squares fit of
the first dependent column on those before it; tolerance as numpy's ``matrix_rank``:
:math:`\sigma_{max} \cdot \max(n, k) \cdot \epsilon`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval.errors import CollinearityError, PeerevalError
from peereval.outcomes._groups import level_text, numeric_values

__all__ = [
    "REFERENCE_RULE",
    "CollinearityError",
    "Covariate",
    "CovariateDesign",
    "ModelMatrix",
    "check_rank",
    "check_residual_df",
    "code_covariate",
    "covariate_design",
    "covariate_kind",
    "level_order",
    "sort_key",
]

Kind = Literal["numeric", "indicator", "categorical"]
Coding = Literal["treatment", "sum", "full"]

#: A categorical covariate with more levels than this is almost certainly an identifier.
MAX_LEVELS = 50
#: How the reference level of an indicator or categorical covariate is chosen.
REFERENCE_RULE = ("the first level: a pandas Categorical's first category, otherwise the "
                  "first in sorted order (False before True, 0 before 1, numbers by value, "
                  "text alphabetically)")
INTERCEPT = "(Intercept)"


# ----------------------------------------------------------------- kinds and levels


def sort_key(value: Any) -> tuple[int, Any]:
    """Sort key of a level: booleans and numbers by value, then text by code point."""
    if isinstance(value, bool | np.bool_):
        return (0, int(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return (0, float(value))
    return (1, str(value))


def level_order(series: pd.Series, *, declared: bool = False) -> list[Any]:
    """The levels of a column in the order whose first is the reference.

    A pandas ``Categorical`` keeps its category order (only the categories present,
    unless ``declared``); other columns are sorted with :func:`sort_key`.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        if declared:
            return list(series.cat.categories)
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return sorted(pd.unique(series.dropna()), key=sort_key)


def _is_bool_like(values: np.ndarray) -> bool:
    return len(values) > 0 and all(isinstance(v, bool | np.bool_) for v in values)


def covariate_kind(series: pd.Series, column: str, *, categorical: bool = False) -> Kind:
    """``"numeric"``, ``"indicator"`` or ``"categorical"``: see the module notes.

    Raises for dates and times, and for a column that mixes numbers and text (unless
    ``categorical``, when every value is a category label).
    """
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise PeerevalError(f"covariate '{column}' holds dates or times, not numbers or "
                            "categories", column=column,
                            hint="convert it first (e.g. to age in years or a cohort label)")
    if categorical or isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    present = series.dropna()
    if pd.api.types.is_bool_dtype(dtype):
        return "indicator"
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = present.to_numpy(dtype=float)
    else:
        uniques = pd.unique(present)
        if _is_bool_like(uniques):
            return "indicator"
        converted = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
        if converted.isna().all() and len(uniques):
            return "categorical"
        if converted.isna().any():
            text = uniques[converted.isna().to_numpy()]
            first = present.index[present.isin(text)][0]
            raise PeerevalError(
                f"covariate '{column}' mixes numbers and text", column=column,
                value=present[first],
                hint=f"first text value at row {first!r}; clean the column, or make every "
                "value a category label")
        numbers = converted.to_numpy(dtype=float)
    if set(np.unique(numbers)) == {0.0, 1.0}:
        return "indicator"
    return "numeric"


# ----------------------------------------------------------------- one covariate


@dataclass(frozen=True)
class Covariate:
    """One covariate as it enters a model.

    ``values`` are floats for numeric and indicator covariates (an indicator 0/1) and
    level labels for categorical ones; ``levels`` lists the levels, the reference
    first (indicator: ``(False, True)`` or ``(0, 1)``; numeric: empty).
    """

    name: str
    kind: Kind
    values: np.ndarray
    levels: tuple[Any, ...] = ()
    boolean: bool = False

    @property
    def categorical(self) -> bool:
        """True for a factor (categorical or indicator): sum-coded, averaged by level."""
        return self.kind != "numeric"

    @property
    def reference(self) -> Any:
        """The reference level (None for a numeric covariate)."""
        return self.levels[0] if self.levels else None

    def _indicator_name(self) -> str:
        return f"{self.name}[{level_text(self.levels[1])}]" if self.boolean else self.name

    def columns(self, coding: Coding = "treatment") -> tuple[np.ndarray, list[str]]:
        """The covariate's columns and their names in the given coding.

        ``"treatment"``: indicators of every level but the reference; ``"sum"``:
        sum-to-zero codes (R's ``contr.sum``: k - 1 columns, the last level -1
        throughout); ``"full"``: every level its own indicator (an indicator covariate
        stays one column).
        """
        n = len(self.values)
        if self.kind == "numeric":
            return self.values.reshape(n, 1).astype(float), [self.name]
        if self.kind == "indicator" and coding != "sum":
            return self.values.reshape(n, 1).astype(float), [self._indicator_name()]
        if self.kind == "indicator":
            labels = np.where(self.values == 1, self.levels[1], self.levels[0])
        else:
            labels = self.values
        levels = self.levels
        chosen = {"treatment": levels[1:], "sum": levels[:-1], "full": levels}[coding]
        cols, names = [], []
        last = labels == levels[-1]
        for level in chosen:
            col = (labels == level).astype(float)
            if coding == "sum":
                col[last] = -1.0
                names.append(f"{self.name}[S.{level_text(level)}]")
            else:
                names.append(f"{self.name}[{level_text(level)}]")
            cols.append(col)
        return np.column_stack(cols), names


def code_covariate(series: pd.Series, column: str, *, categorical: bool = False
                   ) -> Covariate:
    """One covariate of the analysed rows (no missing values), checked and coded.

    Raises
    ------
    PeerevalError
        Dates or times; numbers mixed with text; an infinite value; a constant
        covariate; a categorical one with more than 50 levels (an identifier?).
    """
    kind = covariate_kind(series, column, categorical=categorical)
    if kind == "categorical":
        levels = level_order(series)
        if len(levels) < 2:
            shown = repr(levels[0]) if levels else "none"
            raise PeerevalError(
                f"the covariate '{column}' takes one value ({shown}) in the rows analysed "
                "(a single category), so it carries no information", column=column,
                hint="leave it out of the covariates")
        if len(levels) > MAX_LEVELS:
            raise PeerevalError(
                f"covariate '{column}' has {len(levels)} different values; a categorical "
                "covariate needs few categories", column=column,
                hint="is it an identifier or free text? Leave it out, or recode it")
        return Covariate(column, kind, series.to_numpy(dtype=object), tuple(levels))
    if kind == "indicator":
        boolean = pd.api.types.is_bool_dtype(series.dtype) or _is_bool_like(
            pd.unique(series.dropna()))
        values = (series.astype(bool).to_numpy(dtype=float) if boolean
                  else numeric_values(series, column))
        levels: tuple[Any, ...] = (False, True) if boolean else (0, 1)
        return Covariate(column, kind, values, levels, boolean=boolean)
    if pd.api.types.is_bool_dtype(series.dtype):  # one boolean value: constant below
        values = series.to_numpy(dtype=float)
    else:
        values = numeric_values(series, column)
    if not np.isfinite(values).all():
        raise PeerevalError(f"covariate '{column}' holds an infinite value",
                            column=column, hint="replace it or drop the row")
    if len(values) and np.ptp(values) == 0:
        raise PeerevalError(
            f"the covariate '{column}' is constant (a single value, {values[0]:g}, in the "
            "rows analysed), so it carries no information", column=column,
            hint="leave it out of the covariates")
    return Covariate(column, kind, values)


# ----------------------------------------------------------------- the design


@dataclass(frozen=True)
class ModelMatrix:
    """A model matrix: columns, their names, which columns make each term, and the
    covariate each column comes from (``"(Intercept)"`` for the intercept)."""

    matrix: np.ndarray
    names: tuple[str, ...]
    terms: dict[str, np.ndarray]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CovariateDesign:
    """The covariates of one model, coded once: see the module notes for the rules.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.outcomes._design import covariate_design
    >>> data = pd.DataFrame({"gpa": [3.1, 2.8, 3.5, 3.0], "sex": ["M", "F", "F", "M"],
    ...                      "female": [False, True, True, False]})
    >>> design = covariate_design(data, ["gpa", "sex", "female"])
    >>> design.matrix().names
    ('(Intercept)', 'gpa', 'sex[M]', 'female[True]')
    >>> design.reference_levels
    {'sex': 'F', 'female': False}
    """

    covariates: tuple[Covariate, ...]
    n: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.covariates)

    @property
    def reference_levels(self) -> dict[str, Any]:
        """Each indicator or categorical covariate's reference level."""
        return {c.name: c.reference for c in self.covariates if c.categorical}

    def matrix(self, coding: Coding = "treatment", *, intercept: bool = True
               ) -> ModelMatrix:
        """The covariates' columns in ``coding``, after an intercept if asked."""
        blocks: list[np.ndarray] = [np.ones((self.n, 1))] if intercept else []
        names: list[str] = [INTERCEPT] if intercept else []
        sources: list[str] = [INTERCEPT] if intercept else []
        terms: dict[str, np.ndarray] = {INTERCEPT: np.array([0])} if intercept else {}
        for cov in self.covariates:
            block, labels = cov.columns(coding)
            terms[cov.name] = np.arange(len(names), len(names) + len(labels))
            blocks.append(block)
            names.extend(labels)
            sources.extend([cov.name] * len(labels))
        matrix = np.column_stack(blocks) if blocks else np.empty((self.n, 0))
        return ModelMatrix(matrix, tuple(names), terms, tuple(sources))

    def coding_note(self) -> str:
        """The reference levels, for a result's notes or methods sentence ("" if none)."""
        refs = self.reference_levels
        if not refs:
            return ""
        shown = ", ".join(f"{name} = {level_text(ref)!r}" if isinstance(ref, str)
                          else f"{name} = {level_text(ref)}" for name, ref in refs.items())
        return (f"categorical covariates coded as indicators against a reference level "
                f"({shown}; {REFERENCE_RULE})")


def covariate_design(frame: pd.DataFrame, names: Sequence[str], *,
                     categorical: Sequence[str] = ()) -> CovariateDesign:
    """Code the covariates ``names`` of the analysed rows of ``frame``.

    Parameters
    ----------
    frame
        The analysed rows (no missing values in ``names``).
    names
        Covariate columns, in model order.
    categorical
        Columns to read as categorical whatever their type (a cohort year 1, 2, 3).

    Returns
    -------
    CovariateDesign
        See the module notes for the kinds, the reference level and the column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.outcomes._design import covariate_design
    >>> data = pd.DataFrame({"married": [0, 1, 1, 0], "year": [1, 2, 3, 2]})
    >>> design = covariate_design(data, ["married", "year"], categorical=["year"])
    >>> design.matrix().names
    ('(Intercept)', 'married', 'year[2]', 'year[3]')
    """
    forced = set(categorical)
    coded = tuple(code_covariate(frame[name], name, categorical=name in forced)
                  for name in names)
    return CovariateDesign(coded, len(frame))


# ----------------------------------------------------------------- rank


def check_rank(matrix: np.ndarray, names: Sequence[str], what: str) -> None:
    """Raise :class:`CollinearityError` when the columns of ``matrix`` are dependent.

    The error names the first column that is a linear combination of the columns
    before it, and those columns (with a nonzero weight in the combination).

    Examples
    --------
    >>> import numpy as np
    >>> from peereval.outcomes._design import check_rank
    >>> check_rank(np.array([[1.0, 0.5], [1, 1.5], [1, 2.0]]), ["(Intercept)", "x"], "it")
    """
    x = np.asarray(matrix, dtype=float)
    n, k = x.shape
    if k == 0:
        return
    r = np.linalg.qr(x, mode="r") if n >= k else x
    sv = np.linalg.svd(r, compute_uv=False)
    tol = sv.max() * max(n, k) * np.finfo(float).eps if sv.size else 0.0
    if int((sv > tol).sum()) == k:
        return
    culprit = k - 1
    for j in range(1, k + 1):
        if np.linalg.matrix_rank(r[:, :j], tol=tol) < j:
            culprit = j - 1
            break
    before = r[:, :culprit]
    weights = np.linalg.lstsq(before, r[:, culprit], rcond=None)[0] if culprit else []
    scale = np.linalg.norm(before, axis=0)
    target = max(float(np.linalg.norm(r[:, culprit])), tol)
    partners = [names[i] for i, w in enumerate(weights)
                if abs(w) * scale[i] > 1e-8 * target]
    dependent = names[culprit]
    if partners:
        detail = (f"'{dependent}' is a linear combination of "
                  + ", ".join(f"'{p}'" for p in partners))
    else:
        detail = f"'{dependent}' is zero throughout (a linear combination of nothing)"
    raise CollinearityError(
        f"{what} cannot be estimated: {detail} (collinear covariates, or a covariate "
        "that coincides with the group)", columns=(dependent, *partners),
        hint="leave out one of the collinear covariates (they measure the same thing)")


def check_residual_df(matrix: np.ndarray, what: str) -> None:
    """Raise when a least-squares model has no residual degrees of freedom."""
    if matrix.shape[0] <= matrix.shape[1]:
        raise PeerevalError(
            f"{what}: {matrix.shape[0]} rows for {matrix.shape[1]} coefficients leave no "
            "residual degrees of freedom", hint="use fewer covariates or more data")
