"""Table 1: the two groups described side by side, with standardised differences."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from peereval._effects import smd_binary, smd_categorical, smd_continuous
from peereval._format import fmt
from peereval._options import Interval, checked
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.outcomes._design import covariate_kind, level_order
from peereval.outcomes._groups import (
    _require,
    frame_of,
    level_text,
    numeric_values,
    two_groups,
)

__all__ = ["Describe", "describe"]

#: |SMD| at or above this is reported as an imbalance (Austin 2009; Normand et al. 2001).
IMBALANCE = 0.1

_ROLES = ("treated", "control")
_STATS = ("mean", "sd", "median", "q1", "q3")
_COLUMNS = (
    ["variable", "category", "kind"]
    + [f"n_{r}" for r in _ROLES]
    + [f"{s}_{r}" for r in _ROLES for s in _STATS]
    + [f"{s}_{r}" for r in _ROLES for s in ("count", "pct")]
    + [f"missing_{r}" for r in _ROLES]
    + ["smd", "suppressed"]
)



def _is_categorical(series: pd.Series, name: str, forced: bool) -> bool:
    """Categorical as every model reads the column (:mod:`peereval.outcomes._design`):
    indicators (booleans, 0/1) and categories; a column no model could use (dates,
    numbers mixed with text) is listed by its values."""
    try:
        return covariate_kind(series, name, categorical=forced) != "numeric"
    except PeerevalError:
        return True


def _levels(series: pd.Series) -> list[Any]:
    """Levels in the models' order, so the first row is the models' reference level;
    a Categorical's declared categories are all shown, present or not."""
    return level_order(series, declared=True)


def _continuous_rows(name: str, values: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
    row: dict[str, Any] = {"variable": name, "category": None, "kind": "continuous"}
    samples = {"treated": values[mask], "control": values[~mask]}
    for role, sample in samples.items():
        present = sample[~np.isnan(sample)]
        row[f"n_{role}"] = int(present.size)
        row[f"missing_{role}"] = int(sample.size - present.size)
        if present.size:
            row[f"mean_{role}"] = float(present.mean())
            row[f"sd_{role}"] = float(np.std(present, ddof=1)) if present.size > 1 else math.nan
            row[f"median_{role}"] = float(np.median(present))
            row[f"q1_{role}"], row[f"q3_{role}"] = (float(v) for v in
                                                    np.quantile(present, [0.25, 0.75]))
    row["smd"] = smd_continuous(samples["treated"], samples["control"])
    return row


def _categorical_rows(name: str, series: pd.Series, mask: np.ndarray) -> list[dict[str, Any]]:
    levels = _levels(series)
    missing = series.isna().to_numpy()
    counts = {}
    for role, hit in (("treated", mask), ("control", ~mask)):
        part = series[hit & ~missing]
        counts[role] = np.array([int((part == level).sum()) for level in levels])
    header: dict[str, Any] = {"variable": name, "category": None, "kind": "categorical"}
    for role, hit in (("treated", mask), ("control", ~mask)):
        header[f"n_{role}"] = int(counts[role].sum())
        header[f"missing_{role}"] = int((missing & hit).sum())
    header["smd"] = smd_categorical(counts["treated"], counts["control"])
    rows = [header]
    for i, level in enumerate(levels):
        row: dict[str, Any] = {"variable": name, "category": level, "kind": "categorical"}
        shares = {}
        for role in _ROLES:
            total = counts[role].sum()
            row[f"count_{role}"] = int(counts[role][i])
            shares[role] = counts[role][i] / total if total else math.nan
            row[f"pct_{role}"] = 100 * shares[role]
        row["smd"] = (smd_binary(shares["treated"], shares["control"])
                      if not any(math.isnan(v) for v in shares.values()) else math.nan)
        rows.append(row)
    return rows


def _suppress(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Hide counts of 1..min_cell−1 (primary) and whatever would give them back.

    A categorical variable's cells in a group (its levels and its missing count) add
    up to the group's size, which is shown: when one cell alone is hidden, the next
    smallest is hidden too (secondary suppression). Percentages are of the answers
    given, so beside a count they give away how many answered, and so a hidden missing
    count: when the missing count is hidden, the group's percentages of that variable
    are too. A variable with a hidden cell shows no SMD, from which the hidden
    proportion or mean would follow given the other group's.
    """
    out = frame.copy()
    out["suppressed"] = False

    def small(value: Any) -> bool:
        return pd.notna(value) and 0 < value < min_cell

    for role in _ROLES:
        count, pct, missing, n = (f"count_{role}", f"pct_{role}", f"missing_{role}",
                                  f"n_{role}")
        for index in out.index[(out["kind"] == "continuous") & out[n].map(small)]:
            out.loc[index, [n] + [f"{s}_{role}" for s in _STATS]] = np.nan
            out.loc[index, "suppressed"] = True
        for _, block in out[out["kind"] == "categorical"].groupby("variable", sort=False):
            header = block.index[block["category"].isna()]
            cells = {(index, count): out.loc[index, count]
                     for index in block.index[block["category"].notna()]}
            cells.update({(index, missing): out.loc[index, missing] for index in header})
            hidden = [cell for cell, value in cells.items() if small(value)]
            if len(hidden) == 1:
                others = {cell: value for cell, value in cells.items()
                          if cell not in hidden and pd.notna(value) and value > 0}
                if others:
                    hidden.append(min(others, key=lambda cell: float(others[cell])))
            for index, column in hidden:
                out.loc[index, column] = np.nan
                if column == count:
                    out.loc[index, pct] = np.nan
                out.loc[index, "suppressed"] = True
            if any(column == missing for _, column in hidden):
                levels = block.index[block["category"].notna()]
                out.loc[levels, pct] = np.nan
                out.loc[levels, "suppressed"] = True
        for index in out.index[(out["kind"] == "continuous") & out[missing].map(small)]:
            out.loc[index, missing] = np.nan
            out.loc[index, "suppressed"] = True
    # the SMD of a variable with a hidden cell gives the hidden group's value back
    touched = out.loc[out["suppressed"], "variable"].unique()
    out.loc[out["variable"].isin(touched) & out["kind"].ne("continuous"), "smd"] = np.nan
    hidden_n = out[[f"n_{role}" for role in _ROLES]].isna().any(axis=1)
    out.loc[(out["kind"] == "continuous") & hidden_n, "smd"] = np.nan
    return out


def _hide_small_groups(frame: pd.DataFrame, min_cell: int,
                       sizes: dict[str, int]) -> pd.DataFrame:
    """A group of 1..min_cell−1 students shows nothing: not its counts (zeros
    included: "0 (0.0)" of a group of 7 says that all 7 share the other level), not its
    statistics, and no SMD, from which its mean follows given the other group's."""
    small = [role for role, n in sizes.items() if 0 < n < min_cell]
    if not small:
        return frame
    out = frame.copy()
    for role in small:
        columns = [f"{stat}_{role}" for stat in (*_STATS, "count", "pct", "n")]
        out[[c for c in columns if c in out.columns]] = np.nan
        # no missing value stays 0 (it says nothing about anyone's answers)
        missing = f"missing_{role}"
        out[missing] = out[missing].where(out[missing] == 0)
    out["smd"] = np.nan
    out["suppressed"] = True
    return out


@dataclass(frozen=True, repr=False)
class Describe(Result):
    """Table 1: each variable summarised in the treated and the comparison group.

    Attributes
    ----------
    group, treated, control, rule
        The group column, the two groups and how the treated group was chosen.
    n_treated, n_control
        Students in each group (rows with a group).
    frame
        The tidy table (see :meth:`to_frame`).
    variables, categorical, nonnormal
        The variables described, those treated as categorical, and those shown as
        median [Q1, Q3] in :meth:`table`.
    min_cell
        Small-cell threshold applied (0: none).
    n_dropped, dropped
        Rows without a group.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import describe
    >>> records = peereval.load_sample().records.data
    >>> table = describe(records, "mentored", ["gpa_entry", "sex"])
    >>> table.n_treated, table.n_control, table.imbalanced()
    (163, 137, ['gpa_entry'])
    """

    group: str
    treated: Any
    control: Any
    rule: str
    n_treated: int
    n_control: int
    frame: pd.DataFrame = field(compare=False)
    variables: tuple[str, ...]
    categorical: tuple[str, ...]
    nonnormal: tuple[str, ...]
    min_cell: int
    n_dropped: int
    dropped: dict[str, int] = field(default_factory=dict, compare=False)
    title: str = "Table 1: characteristics by group"

    @property
    def n(self) -> int:
        """Students described: ``n_treated + n_control``."""
        return self.n_treated + self.n_control

    def to_frame(self) -> pd.DataFrame:
        """The tidy table, one row per continuous variable and per categorical level.

        Columns: ``variable``, ``category`` (None for continuous variables and for the
        header row of a categorical one), ``kind``; per group (``_treated``,
        ``_control``): ``n`` (non-missing), ``mean``, ``sd``, ``median``, ``q1``,
        ``q3`` (continuous), ``count`` and ``pct`` (of the non-missing, per level),
        ``missing``; ``smd`` (continuous: Austin's d; categorical header:
        Yang & Dalton's multivariate SMD, ≥ 0; level rows: the signed
        proportion-difference SMD of that level); ``suppressed`` (a small cell was
        hidden in the row, as NaN).
        """
        return self.frame.copy()

    def _cell(self, count: Any, pct: Any) -> str:
        if pd.isna(count):
            return f"<{self.min_cell}"
        if pd.isna(pct):
            return f"{int(count)} (—)"
        return f"{int(count)} ({fmt(pct, 1)})"

    def table(self, digits: int = 2) -> pd.DataFrame:
        """Table 1 as printed: "mean (SD)" or "median [Q1, Q3]", "n (%)", SMD.

        Suppressed cells show as ``<min_cell``.
        """
        head = {role: f"{self.group} = {getattr(self, role)} (n = "
                f"{self._n_text(getattr(self, f'n_{role}'))})" for role in _ROLES}
        rows = []
        for record in self.frame.to_dict("records"):
            name, level = record["variable"], record["category"]
            smd = "" if pd.isna(record["smd"]) else fmt(record["smd"], digits)
            if record["kind"] == "continuous":
                skewed = name in self.nonnormal
                label = f"{name}, median [Q1, Q3]" if skewed else f"{name}, mean (SD)"
                cells = {}
                for role in _ROLES:
                    if pd.isna(record[f"n_{role}"]):
                        cells[role] = f"n <{self.min_cell}"
                    elif record[f"n_{role}"] == 0:
                        cells[role] = "—"
                    elif skewed:
                        cells[role] = (f"{fmt(record[f'median_{role}'], digits)} "
                                       f"[{fmt(record[f'q1_{role}'], digits)}, "
                                       f"{fmt(record[f'q3_{role}'], digits)}]")
                    else:
                        cells[role] = (f"{fmt(record[f'mean_{role}'], digits)} "
                                       f"({fmt(record[f'sd_{role}'], digits)})")
                rows.append({"variable": label, **{head[r]: cells[r] for r in _ROLES},
                             "SMD": smd})
                rows.extend(self._missing_row(record))
            elif level is None:
                rows.append({"variable": f"{name}, n (%)", head["treated"]: "",
                             head["control"]: "", "SMD": smd})
                rows.extend(self._missing_row(record, defer=True))
            else:
                rows.append({"variable": f"    {level_text(level)}", **{
                    head[r]: self._cell(record[f"count_{r}"], record[f"pct_{r}"])
                    for r in _ROLES}, "SMD": ""})
        return pd.DataFrame(self._place_missing(rows))

    def _n_text(self, n: int) -> str:
        return f"<{self.min_cell}" if self.min_cell and 0 < n < self.min_cell else str(n)

    def _missing_row(self, record: dict[str, Any], defer: bool = False
                     ) -> list[dict[str, Any]]:
        values = {r: record[f"missing_{r}"] for r in _ROLES}
        if all(v == 0 for v in values.values()):
            return []
        cells = {}
        for role in _ROLES:
            value = values[role]
            total = getattr(self, f"n_{role}")
            cells[role] = (f"<{self.min_cell}" if pd.isna(value) else
                           f"{int(value)} ({fmt(100 * value / total, 1)})")
        head = {role: f"{self.group} = {getattr(self, role)} (n = "
                f"{self._n_text(getattr(self, f'n_{role}'))})" for role in _ROLES}
        row = {"variable": "    missing", **{head[r]: cells[r] for r in _ROLES}, "SMD": "",
               "_defer": record["variable"] if defer else None}
        return [row]

    @staticmethod
    def _place_missing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Move a categorical variable's "missing" row below its levels."""
        out: list[dict[str, Any]] = []
        waiting: dict[str, Any] | None = None
        for row in rows:
            deferred = row.pop("_defer", None)
            if deferred is not None:
                waiting = row
                continue
            if waiting is not None and not row["variable"].startswith("    "):
                out.append(waiting)
                waiting = None
            out.append(row)
        if waiting is not None:
            out.append(waiting)
        return out

    def imbalanced(self, threshold: float = IMBALANCE) -> list[str]:
        """Variables whose (header) |SMD| is at least ``threshold``."""
        heads = self.frame[self.frame["category"].isna()]
        return [v for v, s in zip(heads["variable"], heads["smd"], strict=True)
                if pd.notna(s) and abs(s) >= threshold]

    def apa(self) -> str:
        """Balance in one sentence: the largest SMD and how many reach 0.1."""
        heads = self.frame[self.frame["category"].isna() & self.frame["smd"].notna()]
        if heads.empty:
            return ""
        worst = heads.loc[heads["smd"].abs().idxmax()]
        count = len(self.imbalanced())
        return (f"Largest standardised difference: {worst['variable']} "
                f"(SMD = {fmt(worst['smd'])}); {count} of {len(heads)} variables with "
                f"|SMD| ≥ {IMBALANCE:g}.")

    def methods(self) -> str:
        """The methods sentence: what the table shows and how balance is measured.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> print(describe(records, "mentored", ["gpa_entry", "sex"]).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Characteristics of the mentored = yes group (n = 163) and the mentored = no
        group (n = 137): mean (SD) of 1 continuous variable and n (%) of 1
        categorical one; balance as the standardised mean difference (Austin 2009;
        Yang & Dalton 2012 for categorical variables), |SMD| ≥ 0.1 read as
        imbalance.
        """
        continuous = len(self.variables) - len(self.categorical)
        shown = [f"mean (SD) of {continuous} continuous variable"
                 f"{'s' if continuous != 1 else ''}"] if continuous else []
        if self.nonnormal:
            shown.append(f"median [Q1, Q3] of {', '.join(self.nonnormal)}")
        if self.categorical:
            count = len(self.categorical)
            shown.append(f"n (%) of {count} categorical one{'s' if count != 1 else ''}")
        text = (f"Characteristics of the {self.group} = {self.treated} group (n = "
                f"{self._n_text(self.n_treated)}) and the {self.group} = {self.control} "
                f"group (n = {self._n_text(self.n_control)}): {' and '.join(shown)}; "
                f"balance as the standardised mean difference (Austin 2009; Yang & Dalton "
                f"2012 for categorical variables), |SMD| ≥ {IMBALANCE:g} read as "
                f"imbalance.")
        if self.min_cell:
            text += f" Counts from 1 to {self.min_cell - 1} are not shown."
        if self.n_dropped:
            text += f" {self.n_dropped} rows without a group were left out."
        return text

    def _frame_text(self) -> str:
        with pd.option_context("display.max_columns", 10, "display.width", 120,
                               "display.max_colwidth", 40):
            return self.table().to_string(index=False)


@checked(min_cell=Interval(1, None, integer=True, none=True))
def describe(
    data: Any,
    group: str,
    variables: Sequence[str] | None = None,
    *,
    treated: Any = None,
    categorical: Sequence[str] | None = None,
    nonnormal: Sequence[str] | None = None,
    min_cell: int | None = None,
) -> Describe:
    r"""Describe the treated and comparison groups side by side (Table 1).

    Parameters
    ----------
    data
        A DataFrame (or Records) with one row per student.
    group
        The column holding exactly two groups.
    variables
        Columns to describe, in order; by default every column but ``group``.
    treated
        The treated group's value; by default read from the labels.
    categorical
        Columns to treat as categorical whatever their type. Otherwise columns are
        read as every model reads a covariate (:mod:`peereval.outcomes._design`):
        text, boolean and categorical columns, and columns holding only 0 and 1, are
        categorical, their levels listed with the models' reference level first (a
        Categorical's category order, otherwise sorted order); numbers, also numbers
        stored as text, are continuous.
    nonnormal
        Continuous columns shown as median [Q1, Q3] in :meth:`Describe.table`
        (every statistic is in :meth:`Describe.to_frame` regardless).
    min_cell
        Small-cell suppression for reports: counts from 1 to ``min_cell`` − 1 (and
        their percentages, missing counts, and the statistics of continuous variables
        with so few values) are hidden, shown as ``<min_cell``; when a single level
        of a variable is hidden, the next smallest is hidden too so that it cannot be
        recovered by subtraction. Standardised differences are computed before
        suppression. ``None`` (default) hides nothing.

    Returns
    -------
    Describe

    Notes
    -----
    Continuous variables: n, mean, SD, median and quartiles (R's default ``type = 7``
    quantiles) of the non-missing values, and the SMD of Austin (2009),
    :math:`(\bar x_1 - \bar x_2)/\sqrt{(s_1^2 + s_2^2)/2}`.

    Categorical variables: count and percentage of the non-missing values per level;
    per level, the proportion-difference SMD
    :math:`(p_1 - p_2)/\sqrt{[p_1(1-p_1) + p_2(1-p_2)]/2}`; per variable, the
    multivariate SMD of Yang & Dalton (2012),
    :math:`\sqrt{T'[(S_1 + S_2)/2]^{-1}T}` over all levels but one (see
    :func:`peereval._effects.smd_categorical`). For a binary variable the latter
    is the absolute value of the former; for more levels it is neither the mean nor
    the largest per-level SMD.

    Missing values are counted per variable and group and left out of that
    variable's statistics only (no listwise deletion across variables). |SMD| ≥ 0.1
    is the usual mark of imbalance (Austin 2009).

    Raises
    ------
    PeerevalError
        Unknown column, the group among the variables, a ``nonnormal`` column that is
        not continuous, ``min_cell`` below 1.

    References
    ----------
    Austin (2009), *Stat Med* 28:3083-3107; Yang & Dalton (2012), SAS Global Forum
    paper 335-2012.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import describe
    >>> records = peereval.load_sample().records.data
    >>> table = describe(records, "mentored", ["gpa_entry", "age", "sex", "passed"])
    >>> print(table.table().to_string(index=False))  # doctest: +NORMALIZE_WHITESPACE
                variable mentored = yes (n = 163) mentored = no (n = 137)   SMD
    gpa_entry, mean (SD)              3.16 (0.41)             2.86 (0.38)  0.77
          age, mean (SD)             18.75 (0.80)            18.86 (0.92) −0.13
              sex, n (%)                                                   0.01
                       F                98 (60.1)               83 (60.6)
                       M                65 (39.9)               54 (39.4)
           passed, n (%)                                                   0.71
                       0                18 (11.0)               55 (40.1)
                       1               145 (89.0)               82 (59.9)
    >>> table.imbalanced()
    ['gpa_entry', 'age', 'passed']
    """
    frame = frame_of(data)
    min_cell = None if min_cell is None else int(min_cell)
    work, groups = two_groups(frame, group, (), treated=treated)
    names = [c for c in frame.columns if c != group] if variables is None else list(variables)
    if isinstance(variables, str):
        names = [variables]
    _require(frame, names, "variable")
    if group in names:
        raise PeerevalError(f"'{group}' is the group column and cannot be described by "
                            "itself", column=group, hint="leave it out of variables")
    forced = set(categorical or [])
    _require(frame, list(forced), "categorical")
    skewed = list(nonnormal or [])
    _require(frame, skewed, "nonnormal")
    mask = groups.mask.to_numpy()
    rows: list[dict[str, Any]] = []
    kinds = []
    for name in names:
        series = work[name]
        if _is_categorical(series, name, name in forced):
            if name in skewed:
                raise PeerevalError(f"'{name}' is categorical; nonnormal applies to "
                                    "continuous variables", column=name,
                                    hint="remove it from nonnormal")
            kinds.append(name)
            rows.extend(_categorical_rows(name, series, mask))
        else:
            rows.append(_continuous_rows(name, numeric_values(series, name), mask))
    table = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    table["suppressed"] = False
    table["category"] = table["category"].astype(object).where(table["category"].notna(), None)
    if min_cell:
        table = _suppress(table, min_cell)
        table = _hide_small_groups(table, min_cell, {"treated": groups.n_treated,
                                                     "control": groups.n_control})
    return Describe(
        group=group, treated=groups.treated, control=groups.control, rule=groups.rule,
        n_treated=groups.n_treated, n_control=groups.n_control, frame=table,
        variables=tuple(names), categorical=tuple(kinds), nonnormal=tuple(skewed),
        min_cell=int(min_cell or 0), n_dropped=sum(groups.dropped.values()),
        dropped=dict(groups.dropped),
    )
