"""From item data to the correlation matrix a factor analysis works on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from peereval.errors import PeerevalError
from peereval.reliability._data import cov_to_corr, item_frame, prepare

__all__ = ["correlation_input"]


def correlation_input(data: Any, items: Sequence[str] | None, *, missing: str,
                      polychoric: bool, what: str, minimum: int = 3
                      ) -> tuple[np.ndarray, list[str], int, int, str]:
    """Correlation matrix, item names, n used, n dropped, and its kind.

    Pearson correlations follow the missing-data rule (listwise, or pairwise as
    ``cov2cor`` of the pairwise covariances); polychoric ones are psych's two-step
    estimates (smoothed when not positive definite).
    """
    frame = item_frame(data, items, minimum=minimum, what=what)
    names = list(map(str, frame.columns))
    if polychoric:
        from peereval.reliability import polychoric as _polychoric

        result = _polychoric(frame, missing=missing)
        return (result.matrix.to_numpy(), names, int(result.n_pairwise_min), int(result.n_dropped),
                "polychoric")
    prepared = prepare(frame, missing, minimum_rows=len(names) + 1, what=what)
    matrix = cov_to_corr(prepared.cov)
    if not np.all(np.isfinite(matrix)):
        raise PeerevalError(
            "some pairs of items have no respondent in common, so their correlation is "
            "undefined", hint="use missing='listwise' or drop items with few answers")
    return matrix, names, prepared.n_obs, prepared.n_dropped, "pearson"
