"""The data a CFA analyses: items after listwise deletion, each group's moments.

:func:`_prepare` checks the model's items against the data, drops incomplete rows
(counted, with the reason), splits the rows by group and computes each group's
covariance matrix (divisor n, lavaan's ``likelihood = "normal"``), means and log
determinant, or the polychoric matrix with ``ordinal=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peereval._options import Choice
from peereval.errors import PeerevalError
from peereval.reliability._data import check_variance, item_frame
from peereval.validity._syntax import ModelSpec

__all__: list[str] = []


@dataclass(frozen=True)
class _Group:
    label: str
    n: int
    cov: np.ndarray  # divisor n (lavaan's likelihood = "normal")
    mean: np.ndarray | None
    logdet: float


@dataclass(frozen=True)
class _Data:
    names: tuple[str, ...]
    groups: tuple[_Group, ...]
    n_rows: int
    n_dropped: int
    dropped: str
    ordinal: bool

    @property
    def n(self) -> int:
        return sum(g.n for g in self.groups)


def _columns(data: Any) -> list[str] | None:
    if isinstance(data, pd.DataFrame):
        return list(map(str, data.columns))
    if hasattr(data, "instrument") and hasattr(data, "items"):
        return list(map(str, data.items.columns))
    return None


def _check_names(data: Any, spec: ModelSpec) -> None:
    columns = _columns(data)
    if columns is None:
        return
    unknown = [v for v in spec.observed if v not in columns]
    if unknown:
        name = unknown[0]
        raise PeerevalError(
            f"model syntax, line {spec.line_of(name)}: the item '{name}' is not a column "
            "of the data" + (f" (nor are {unknown[1:]})" if len(unknown) > 1 else ""),
            column=name,
            hint="check the spelling against the columns: " + ", ".join(columns[:60]))
    clash = [f for f in spec.factors if f in columns]
    if clash:
        raise PeerevalError(
            f"model syntax, line {spec.line_of(clash[0])}: the factor name '{clash[0]}' "
            "is also a column of the data",
            column=clash[0],
            hint="give the factor a name that is not an item (e.g. "
            f"'{clash[0]}_factor')")


def _by_short_names(data: Any, model: Any) -> Any:
    """Responses read under an instrument whose items name export columns: the items
    as numbers under their short names (as :meth:`Responses.numeric` gives them,
    reverse-keyed items not reversed); anything else unchanged."""
    from peereval.instrument import Instrument

    if (isinstance(model, Instrument) and model.columns and hasattr(data, "numeric")
            and hasattr(data, "likert_items")):
        return model.item_values(data)
    return data


def _not_pd_error(cov: np.ndarray, names: Sequence[str], label: str) -> PeerevalError:
    values, vectors = np.linalg.eigh(cov)
    weights = np.abs(vectors[:, 0])
    involved = [names[i] for i in np.argsort(-weights) if weights[i] > 0.2]
    where = f" in group '{label}'" if label else ""
    return PeerevalError(
        f"the covariance matrix of the items{where} is not positive definite "
        f"(smallest eigenvalue {values[0]:.3g}): some items are (nearly) linear "
        f"combinations of others, e.g. {involved}",
        hint="drop one of a pair of duplicated items, or a total score that was left "
        "among the items; with fewer respondents than items the matrix is always singular")


@dataclass(frozen=True)
class _Only(Choice):
    """A choice with one value so far, whose refusal says what is not implemented."""

    note: str = ""

    def describe(self) -> str:
        return f"{super().describe()} ({self.note})"


#: The options CFA, invariance and discriminant validity accept (checked by @checked).
ML_ONLY = _Only(("ML",), note="WLSMV is not implemented; for ordinal items, ordinal=True "
                "fits ML to polychoric correlations")
LISTWISE_ONLY = _Only(("listwise",), note="full-information ML (FIML) is not implemented; "
                      "incomplete rows are dropped and counted (result.n_dropped)")


def _prepare(data: Any, spec: ModelSpec, *, group: Any = None, missing: str = "listwise",
             ordinal: bool = False) -> _Data:
    """Items (and group) after listwise deletion, with each group's moments."""
    _check_names(data, spec)
    names = list(spec.observed)
    frame = item_frame(data, names, minimum=1, what="a CFA")
    n_rows = len(frame)
    labels = None if group is None else _group_labels(data, group, frame)
    complete = frame.notna().all(axis=1)
    if labels is not None:
        complete &= labels.notna()
    used = frame[complete]
    n_dropped = int(n_rows - complete.sum())
    if n_dropped:
        reason = "an unanswered item" + (" or no group" if labels is not None else "")
        dropped = (f"listwise: {n_dropped} of {n_rows} rows dropped for {reason}; "
                   f"{n_rows - n_dropped} used")
    else:
        dropped = f"listwise: no rows dropped; {n_rows} used"
    parts = [("", used)] if labels is None else _split(used, labels[complete])
    groups = [_moments(label, part, names, ordinal=ordinal, grouped=labels is not None)
              for label, part in parts]
    return _Data(tuple(names), tuple(groups), n_rows, n_dropped, dropped, ordinal)


def _group_labels(data: Any, group: Any, frame: pd.DataFrame) -> pd.Series:
    """The group of each row of ``frame``: a column of ``data``, a Series or a sequence."""
    if isinstance(group, str):
        if not isinstance(data, pd.DataFrame) or group not in data.columns:
            raise PeerevalError(
                f"no column '{group}' (the grouping variable) in the data",
                column=group,
                hint="pass the name of a column of the DataFrame, or the groups "
                "themselves as a Series aligned with the data")
        labels = data[group]
    elif isinstance(group, pd.Series):
        if not group.index.equals(frame.index):
            if not (group.index.is_unique and set(group.index) == set(frame.index)):
                raise PeerevalError(
                    "the groups (a Series) are indexed differently from the data",
                    hint="index the Series like the data (Series.reindex(data.index)), "
                    "or pass its values (.to_numpy()) to match rows by position")
            group = group.reindex(frame.index)
        labels = group
    else:
        labels = pd.Series(list(group))
        if len(labels) != len(frame):
            raise PeerevalError(
                f"the groups have {len(labels)} values but the data {len(frame)} rows",
                hint="pass one group per row of the data")
    return pd.Series(np.asarray(labels, dtype=object), index=frame.index)


def _split(used: pd.DataFrame, kept: pd.Series) -> list[tuple[str, pd.DataFrame]]:
    """The complete rows of each group, groups in order of first appearance."""
    order = list(dict.fromkeys(kept.tolist()))
    if len(order) < 2:
        raise PeerevalError(
            f"the grouping variable has {len(order)} group(s) among the complete "
            "rows; at least two are needed",
            value=order[0] if order else None,
            hint="check the group column (and its missing values)")
    return [(str(v), used[(kept == v).to_numpy()]) for v in order]


def _moments(label: str, part: pd.DataFrame, names: list[str], *, ordinal: bool,
             grouped: bool) -> _Group:
    """One group's covariance matrix (divisor n), means and log determinant."""
    p = len(names)
    n = len(part)
    where = f" in group '{label}'" if label else ""
    if n <= p:
        raise PeerevalError(
            f"too few observations{where}: {n} complete rows for {p} items; "
            "ML estimation needs more respondents than items (and, for stable "
            "results, at least 100 to 200)",
            hint="collect more responses, or fit a smaller model (fewer items per "
            "factor)" + ("; groups with few respondents can be merged" if label else ""))
    x = part.to_numpy(dtype=float)
    cov = np.cov(x, rowvar=False, ddof=0).reshape(p, p)
    check_variance(cov, names)
    mean: np.ndarray | None
    if ordinal:
        if grouped:
            raise PeerevalError(
                "ordinal=True is available for one group only",
                hint="fit the groups separately, or use the items as continuous")
        from peereval.reliability import polychoric

        result = polychoric(part, names, missing="listwise")
        cov = result.matrix.to_numpy(dtype=float)
        n = result.n
        mean = None
    else:
        mean = x.mean(axis=0)
    sign, logdet = np.linalg.slogdet(cov)
    eig = np.linalg.eigvalsh(cov)
    if sign <= 0 or eig[0] <= 1e-10 * eig[-1]:
        raise _not_pd_error(cov, names, label)
    return _Group(label, n, cov, mean, float(logdet))
