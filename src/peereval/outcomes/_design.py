"""Covariates as numbers: the design matrix of every model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peereval.errors import PeerevalError
from peereval.outcomes._groups import (
    numeric_values,
)

__all__ = []

#: A categorical covariate with more levels than this is almost certainly an identifier.
MAX_LEVELS = 50


# ------------------------------------------------------------------ covariates


@dataclass(frozen=True)
class _Design:
    """Covariates as numbers: a model matrix (reference-coded) and a balance matrix.

    ``model`` has an intercept and drops each categorical covariate's first level (as
    R's treatment contrasts do); ``balance`` keeps every level as its own 0/1 column (as
    MatchIt's summary does), so each level's balance is visible.
    """

    model: np.ndarray
    model_names: tuple[str, ...]
    balance: np.ndarray
    balance_names: tuple[str, ...]
    binary: np.ndarray
    source: tuple[str, ...]  # covariate each balance column comes from


def _level_name(column: str, level: Any) -> str:
    return f"{column}[{level}]"


def _categorical_levels(series: pd.Series, column: str) -> list[Any] | None:
    """The levels of a categorical column, or None when the column is numeric."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        return None
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or \
            pd.api.types.is_timedelta64_dtype(series.dtype):
        raise PeerevalError(f"covariate '{column}' holds dates or times, not numbers or "
                            "categories", column=column,
                            hint="convert it first (e.g. to age in years or a cohort label)")
    values = series.dropna()
    uniques = pd.unique(values)
    converted = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
    if converted.notna().all():
        return None  # numbers stored as text
    if converted.notna().any():
        text = uniques[converted.isna().to_numpy()]
        first = values.index[values.isin(text)][0]
        raise PeerevalError(
            f"covariate '{column}' mixes numbers and text", column=column,
            value=values[first],
            hint=f"first text value at row {first!r}; clean the column, or make every "
            "value a category label")
    return sorted(uniques, key=str)


def _design(frame: pd.DataFrame, covariates: Sequence[str]) -> _Design:
    n = len(frame)
    model_cols: list[np.ndarray] = [np.ones(n)]
    model_names: list[str] = ["(Intercept)"]
    bal_cols: list[np.ndarray] = []
    bal_names: list[str] = []
    source: list[str] = []
    for column in covariates:
        series = frame[column]
        levels = _categorical_levels(series, column)
        if levels is None:
            if pd.api.types.is_bool_dtype(series.dtype):
                x = series.to_numpy(dtype=float)
            else:
                x = numeric_values(series, column)
            if not np.isfinite(x).all():
                raise PeerevalError(f"covariate '{column}' holds an infinite value",
                                    column=column, hint="replace it or drop the row")
            if n and np.all(x == x[0]):
                raise PeerevalError(
                    f"covariate '{column}' has a single value ({x[0]:g}) in the rows "
                    "analysed, so it carries no information", column=column,
                    hint="leave it out of the covariates")
            model_cols.append(x)
            model_names.append(column)
            bal_cols.append(x)
            bal_names.append(column)
            source.append(column)
            continue
        if len(levels) > MAX_LEVELS:
            raise PeerevalError(
                f"covariate '{column}' has {len(levels)} different text values; a "
                "categorical covariate needs few categories", column=column,
                hint="is it an identifier or free text? Leave it out, or recode it")
        if len(levels) < 2:
            raise PeerevalError(
                f"covariate '{column}' has a single category ({levels[0]!r}) in the rows "
                "analysed, so it carries no information", column=column,
                hint="leave it out of the covariates")
        values = series.to_numpy(dtype=object)
        for j, level in enumerate(levels):
            dummy = (values == level).astype(float)
            if j > 0:
                model_cols.append(dummy)
                model_names.append(_level_name(column, level))
            bal_cols.append(dummy)
            bal_names.append(_level_name(column, level))
            source.append(column)
    model = np.column_stack(model_cols)
    bal = np.column_stack(bal_cols) if bal_cols else np.empty((n, 0))
    binary = np.array([bool(np.all((c == 0) | (c == 1))) for c in bal_cols], dtype=bool)
    return _Design(model, tuple(model_names), bal, tuple(bal_names), binary, tuple(source))


def _check_rank(x: np.ndarray, names: Sequence[str], what: str) -> None:
    from scipy.linalg import qr

    _, r, piv = qr(x, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    tol = diag.max() * max(x.shape) * np.finfo(float).eps if diag.size else 0.0
    rank = int((diag > tol).sum())
    if rank < x.shape[1]:
        aliased = [names[i] for i in sorted(piv[rank:])]
        raise PeerevalError(
            f"the {what} cannot be estimated: {', '.join(map(repr, aliased))} "
            "is a linear combination of the other terms (collinear covariates)",
            hint="leave out one of the covariates that measure the same thing")
