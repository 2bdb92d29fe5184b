"""The DataFrame behind what users pass to analyses and figures."""

from __future__ import annotations

from typing import Any

import pandas as pd

from peereval.errors import PeerevalError

__all__ = ["SOURCE_ATTR", "frame_of"]

#: Key of ``DataFrame.attrs`` holding where a table came from: a dict with ``file``,
#: ``sheet`` and ``rows`` (item -> row number as a spreadsheet program shows it). The
#: loaders set it; analyses read it to name the row of a bad value.
SOURCE_ATTR = "peereval_source"


def frame_of(data: Any) -> pd.DataFrame:
    """The DataFrame behind what users pass (a DataFrame, Records or Linked data).

    Parameters
    ----------
    data
        A DataFrame, or an object holding one as ``.data`` (``Records``).

    Returns
    -------
    pandas.DataFrame
        The frame itself (not a copy).

    Examples
    --------
    >>> frame_of(pd.DataFrame({"gpa": [3.1]})).columns.tolist()
    ['gpa']
    """
    if isinstance(data, pd.DataFrame):
        return data
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    raise PeerevalError(f"expected a DataFrame (or Records), not {type(data).__name__}",
                        hint="pass a pandas DataFrame with one row per student")
