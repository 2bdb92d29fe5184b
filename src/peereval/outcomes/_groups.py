"""Reading the group, outcome and covariate columns every outcome analysis needs.

One place decides which group is "treated" (mentored), how a pass/fail column
becomes 0/1, and what was dropped for missing values, so that every analysis reports
these the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peereval._frames import frame_of
from peereval._options import Choice, Interval
from peereval.errors import PeerevalError
from peereval.labels import normalize_label

__all__ = [
    "LEVEL",
    "PROBABILITY",
    "AnyCase",
    "Groups",
    "as_names",
    "as_typed",
    "binary_values",
    "check_choice",
    "check_level",
    "frame_of",
    "level_text",
    "numeric_values",
    "two_groups",
]

#: Group labels read as the treated (mentored) group when ``treated`` is not given.
TREATED_WORDS = frozenset({"yes", "y", "true", "1", "1.0", "mentored", "mentee", "treated",
                           "treatment", "intervention", "participant", "بله", "دارد",
                           "منتور", "شرکت کرده"})
CONTROL_WORDS = frozenset({"no", "n", "false", "0", "0.0", "not mentored", "control",
                           "comparison", "non-participant", "خیر", "ندارد", "بدون منتور"})
EVENT_WORDS = frozenset({"yes", "y", "true", "1", "1.0", "pass", "passed", "event",
                         "success", "بله", "قبول"})
NON_EVENT_WORDS = frozenset({"no", "n", "false", "0", "0.0", "fail", "failed", "none",
                             "خیر", "مردود"})


def _require(frame: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PeerevalError(
            f"no {role} column(s) {missing}", column=str(missing[0]),
            hint="columns available: " + ", ".join(map(str, frame.columns[:40])),
        )


@dataclass(frozen=True)
class Groups:
    """Which rows belong to the treated and the comparison group.

    ``treated`` and ``control`` are the group labels as they appear in the data;
    ``mask`` is True for treated rows among those kept; ``dropped`` counts rows
    left out for a missing group or missing values in the analysed columns, with the
    reason.
    """

    treated: Any
    control: Any
    mask: pd.Series
    kept: pd.Index
    dropped: dict[str, int]
    rule: str

    @property
    def n_treated(self) -> int:
        return int(self.mask.sum())

    @property
    def n_control(self) -> int:
        return int((~self.mask).sum())


def as_typed(value: Any) -> Any:
    """A value as users typed it: 1 rather than np.float64(1.0); text unchanged."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def level_text(value: Any) -> str:
    """A group or time level for sentences and tables: ``1``, ``yes``."""
    return str(as_typed(value))


def _plain(value: Any) -> str:
    """A value as users typed it, quoted when text: 'yes', 1."""
    return repr(as_typed(value))


def _choose_treated(levels: list[Any], treated: Any, column: str) -> tuple[Any, Any, str]:
    if treated is not None:
        matches = [lv for lv in levels if lv == treated or str(lv) == str(treated)]
        if not matches:
            raise PeerevalError(
                f"treated = {treated!r} is not a value of '{column}'", column=column,
                value=treated, hint="values found: " + ", ".join(map(repr, levels)))
        other = next(lv for lv in levels if lv is not matches[0] and lv != matches[0])
        return matches[0], other, f"'{column}' = {_plain(matches[0])} is the treated group (given)"
    keys = {lv: normalize_label(lv) for lv in levels}
    yes = [lv for lv in levels if keys[lv] in TREATED_WORDS]
    no = [lv for lv in levels if keys[lv] in CONTROL_WORDS]
    if len(yes) == 1 and len(no) == 1:
        return yes[0], no[0], (f"'{column}' = {_plain(yes[0])} is the treated group (read "
                               "from the label)")
    ordered = sorted(levels, key=str)
    return ordered[1], ordered[0], (f"'{column}' = {_plain(ordered[1])} is taken as the treated "
                                    f"group (the second in sorted order; pass treated= to "
                                    "choose)")


def two_groups(data: Any, group: str, columns: Sequence[str] = (), *,
               treated: Any = None) -> tuple[pd.DataFrame, Groups]:
    """Rows with a group and complete ``columns``, and the two groups' membership.

    Raises
    ------
    PeerevalError
        The group column is missing, has fewer or more than two values, or one group
        is empty after dropping missing values.
    """
    frame = frame_of(data)
    _require(frame, [group], "group")
    _require(frame, list(columns), "analysis")
    dropped: dict[str, int] = {}
    has_group = frame[group].notna()
    if (~has_group).any():
        dropped[f"missing '{group}'"] = int((~has_group).sum())
    work = frame.loc[has_group]
    levels = list(pd.unique(work[group]))
    if len(levels) != 2:
        raise PeerevalError(
            f"'{group}' must hold exactly two groups; it holds {len(levels)}",
            column=group,
            hint="values found: " + ", ".join(map(repr, levels[:10])) + "; recode or "
            "select two groups first",
        )
    treated_level, control_level, rule = _choose_treated(levels, treated, group)
    for column in columns:
        missing = work[column].isna()
        if missing.any():
            dropped[f"missing '{column}'"] = int(missing.sum())
            work = work.loc[~missing]
    mask = work[group] == treated_level
    for level, hit in ((treated_level, mask), (control_level, ~mask)):
        if not hit.any():
            raise PeerevalError(
                f"the group '{group}' = {level!r} has no rows with complete data",
                column=group, value=level,
                hint="check the missing values of the analysed columns in that group")
    return work, Groups(treated_level, control_level, mask, work.index, dropped, rule)


def numeric_values(series: pd.Series, column: str) -> np.ndarray:
    """A column as floats; a clear error naming the first non-numeric value."""
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        first = series.index[bad][0]
        raise PeerevalError(
            f"'{column}' holds a value that is not a number", column=column,
            value=series[first], hint=f"first at row {first!r}; clean the column or "
            "pass a numeric one")
    return converted.to_numpy(dtype=float)


def binary_values(series: pd.Series, column: str, event: Any = None
                  ) -> tuple[np.ndarray, str]:
    """A two-valued column as 1 (event) / 0, and the rule used.

    1/0, True/False, yes/no and pass/fail (English and Persian) are read as event /
    non-event; otherwise ``event=`` names the event value.
    """
    present = series.dropna()
    levels = list(pd.unique(present))
    if len(levels) > 2:
        raise PeerevalError(
            f"'{column}' must be binary; it holds {len(levels)} values", column=column,
            hint="values found: " + ", ".join(map(repr, levels[:10])))
    if event is not None:
        if not any(lv == event or str(lv) == str(event) for lv in levels):
            raise PeerevalError(f"event = {event!r} is not a value of '{column}'",
                                column=column, value=event,
                                hint="values found: " + ", ".join(map(repr, levels)))
        coded = series.map(lambda v: np.nan if pd.isna(v) else float(v == event or
                                                                    str(v) == str(event)))
        return coded.to_numpy(dtype=float), f"'{column}' = {event!r} is the event (given)"
    keys = {lv: normalize_label(lv) for lv in levels}
    if all(keys[lv] in EVENT_WORDS | NON_EVENT_WORDS for lv in levels):
        coded = series.map(lambda v: np.nan if pd.isna(v) else
                           float(normalize_label(v) in EVENT_WORDS))
        events = [lv for lv in levels if keys[lv] in EVENT_WORDS]
        label = _plain(events[0]) if events else "1"
        return coded.to_numpy(dtype=float), f"'{column}' = {label} is the event"
    raise PeerevalError(
        f"cannot tell which value of '{column}' is the event", column=column,
        hint="pass event=... (values found: " + ", ".join(map(repr, levels)) + ")")


#: A confidence level (or a significance level): strictly between 0 and 1.
LEVEL = Interval(0, 1, closed="neither")
PROBABILITY = LEVEL


@dataclass(frozen=True)
class AnyCase(Choice):
    """One of a fixed set of words, matched without regard to case (``"att"`` is
    ``"ATT"``); the function puts the value in its canonical spelling with
    :func:`check_choice`.

    Examples
    --------
    >>> AnyCase(("ATT", "ATC")).accepts("att"), AnyCase(("ATT", "ATC")).accepts("ATE")
    (True, False)
    """

    def accepts(self, value: Any) -> bool:
        if value is None:
            return None in self.values
        return isinstance(value, str) and value.lower() in {str(v).lower()
                                                              for v in self.values
                                                              if v is not None}


def check_choice(value: Any, allowed: Sequence[str], name: str) -> str:
    """One of ``allowed``, matched without regard to case, in its canonical spelling."""
    if not isinstance(value, str) or value.lower() not in [a.lower() for a in allowed]:
        raise PeerevalError(f"{name} must be one of {', '.join(map(repr, allowed))}, "
                            f"not {value!r}")
    return next(a for a in allowed if a.lower() == value.lower())


def check_level(level: float, name: str = "level") -> None:
    """A confidence level strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise PeerevalError(f"{name} must be a number between 0 and 1, not {level!r}",
                            hint=f"for a 95% interval use {name}=0.95")


def as_names(value: str | Sequence[str] | None, role: str) -> tuple[str, ...]:
    """A column name or a list of names as a tuple (None gives an empty tuple)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        names = tuple(value)
    except TypeError:
        raise PeerevalError(f"{role} must be a column name or a list of column names, "
                            f"not {value!r}") from None
    for name in names:
        if not isinstance(name, str):
            raise PeerevalError(f"{role} must be column names (strings), not {name!r}")
    if len(set(names)) != len(names):
        raise PeerevalError(f"{role} lists a column twice: {list(names)}")
    return names


def left_out_sentence(dropped: dict[str, int]) -> str:
    """The methods sentence's last part: who was left out and why, or ``""``.

    Examples
    --------
    >>> left_out_sentence({"missing 'gpa_year1'": 3, "no group": 1})
    " 4 students were left out (missing 'gpa_year1': 3, no group: 1)."
    >>> left_out_sentence({"no group": 1}), left_out_sentence({})
    (' 1 student was left out (no group: 1).', '')
    """
    total = int(sum(dropped.values()))
    if not total:
        return ""
    reasons = ", ".join(f"{reason}: {count}" for reason, count in dropped.items())
    who = "1 student was" if total == 1 else f"{total} students were"
    return f" {who} left out ({reasons})."
