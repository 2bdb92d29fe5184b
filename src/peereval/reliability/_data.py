"""Turning what users pass (DataFrame, Scores, Responses) into a numeric item frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from peereval.errors import PeerevalError

__all__ = ["item_frame", "listwise"]


def item_frame(data: Any, items: Sequence[str] | None = None, *, minimum: int = 2,
               what: str = "items") -> pd.DataFrame:
    """Numeric item columns as a float frame (the input is never modified).

    ``data`` is a DataFrame of numbers, a :class:`~peereval.instrument.Scores`
    (its reverse-keyed item scores are used) or a
    :class:`~peereval.loaders.responses.Responses` (its Likert answers, coded).
    """
    if hasattr(data, "scales") and hasattr(data, "items") and hasattr(data, "instrument"):
        frame = data.items
    elif hasattr(data, "numeric") and hasattr(data, "likert_items"):
        frame = data.numeric(list(items) if items is not None else None)
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise PeerevalError(
            f"expected a DataFrame, Scores or Responses, not {type(data).__name__}",
            hint="pass a pandas DataFrame with one column per item",
        )
    if items is None:
        items = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                 and not pd.api.types.is_bool_dtype(frame[c])]
    items = list(items)
    missing = [c for c in items if c not in frame.columns]
    if missing:
        raise PeerevalError(
            f"no column(s) {missing} in the data",
            column=str(missing[0]),
            hint="columns available: " + ", ".join(map(str, frame.columns[:60])),
        )
    if len(set(items)) != len(items):
        raise PeerevalError("an item is listed twice", hint="list each item once")
    for column in items:
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(
                frame[column]):
            bad = frame[column].dropna()
            bad = bad[pd.to_numeric(bad, errors="coerce").isna()]
            raise PeerevalError(
                f"column '{column}' is not numeric",
                column=str(column),
                value=bad.iloc[0] if len(bad) else None,
                hint="code the answers as numbers first (Responses.numeric() or "
                "Instrument.score() do it for survey exports)",
            )
    if len(items) < minimum:
        raise PeerevalError(
            f"{what} need at least {minimum} items; got {len(items)}",
            hint="pass the item columns of one scale with items=[...]",
        )
    out = frame[items].astype("float64")
    infinite = np.isinf(out.to_numpy())
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise PeerevalError("the data hold an infinite value", column=str(items[col]),
                            value=float(out.iat[row, col]),
                            hint="replace it with a valid answer or leave it missing")
    return out


def listwise(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows with every item answered, and how many rows were dropped."""
    complete = frame.dropna()
    return complete, len(frame) - len(complete)
