"""Turning what users pass (DataFrame, Scores, Responses) into a numeric item frame."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peereval.errors import PeerevalError

__all__ = ["Prepared", "check_variance", "cov_to_corr", "item_frame", "listwise",
           "pairwise_cov", "prepare"]


def item_frame(data: Any, items: Sequence[str] | None = None, *, minimum: int = 2,
               what: str = "items") -> pd.DataFrame:
    """Numeric item columns as a float frame (the input is never modified).

    ``data`` is a DataFrame of numbers, a :class:`~peereval.instrument.Scores`
    (its reverse-keyed item scores are used) or a
    :class:`~peereval.responses.Responses` (its Likert answers, coded).
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


def pairwise_cov(x: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Weighted covariance over pairwise-complete observations (R ``use="pairwise"``)."""
    mask = ~np.isnan(x)
    z = np.where(mask, x, 0.0)
    w = np.ones(x.shape[0]) if weights is None else weights
    m = mask.astype(float) * w[:, None]
    n_pair = mask.astype(float).T @ m  # sum of weights over pairs
    s1 = z.T @ m  # s1[j, l]: sum of x_j over rows where j and l are present
    s2 = (z * w[:, None]).T @ z  # sum of x_j x_l over rows where both are present
    with np.errstate(divide="ignore", invalid="ignore"):
        return (s2 - s1 * s1.T / n_pair) / (n_pair - 1)


def cov_to_corr(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(sd, sd)


def check_variance(cov: np.ndarray, names: Sequence[str]) -> None:
    """Items without variance carry no information: an error naming them."""
    flat = [names[i] for i in range(len(names)) if not cov[i, i] > 0]
    if flat:
        raise PeerevalError(
            (f"item {flat[0]!r} has" if len(flat) == 1 else f"items {flat} have")
            + " no variance (everybody gave the same answer)",
            column=flat[0],
            hint="an item without variance carries no information about reliability; "
            "leave it out of the scale for this analysis",
        )


@dataclass(frozen=True)
class Prepared:
    """Items after the missing-data rule.

    ``x`` holds the rows used (listwise: complete rows; pairwise: rows with any
    answer), ``cov`` their covariance matrix, ``n_obs`` the respondents behind it
    (pairwise: the smallest pairwise n) and ``n_dropped`` the rows left out.
    """

    x: np.ndarray
    cov: np.ndarray
    n_obs: int
    n_dropped: int
    missing: str


def prepare(frame: pd.DataFrame, missing: str, *, minimum_rows: int = 3,
            what: str = "this analysis") -> Prepared:
    """Apply the missing-data rule, compute the covariance and check it."""
    if missing == "listwise":
        used, dropped = listwise(frame)
        x = used.to_numpy()
        n_obs = x.shape[0]
        cov = np.cov(x, rowvar=False, ddof=1) if n_obs > 1 else np.full(
            (x.shape[1],) * 2, np.nan)
    elif missing == "pairwise":
        x = frame.dropna(how="all").to_numpy()
        dropped = len(frame) - x.shape[0]
        answered = (~np.isnan(x)).astype(int)
        n_obs = int((answered.T @ answered).min())
        cov = pairwise_cov(x)
    else:
        raise PeerevalError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    if n_obs < minimum_rows:
        raise PeerevalError(
            f"only {n_obs} respondent(s) left after {missing} deletion ({dropped} dropped); "
            f"{what} needs at least {minimum_rows}",
            hint="check for items nobody answered; missing='pairwise' uses more of the data",
        )
    check_variance(cov, list(map(str, frame.columns)))
    return Prepared(x, cov, n_obs, dropped, missing)
