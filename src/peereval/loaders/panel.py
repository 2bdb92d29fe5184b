"""Reading an expert panel's content-validity ratings (CSV or XLSX).

A content-validity panel is usually collected in a workbook with one sheet per
question asked of the experts: how *relevant* each item is (4-point scale, for the
content validity index), whether it is *essential* (Lawshe's 3-point scale, for the
content validity ratio) and, for the impact score, how *important* it is (5-point
scale, often asked of members of the target group rather than experts). Every sheet
has one row per item and one column per expert (or respondent)::

    item | wording                       | expert_01 | expert_02 | ...
    Q1_1 | My mentor was available ...   | 4         | 3         | ...

:func:`read_expert_panel` returns the sheets as tables of items x experts, exactly as
typed (numbers stay numbers, labels stay text, empty cells are missing). It computes
nothing: :func:`peereval.validity.content_validity` codes the labels, checks the
values and computes the indices, and it can name the cell at fault because each
table carries its file, sheet and row numbers in ``DataFrame.attrs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peereval._frames import SOURCE_ATTR as _SOURCE_ATTR
from peereval.errors import FileFormatError, Location, SheetError
from peereval.labels import PANEL_DESCRIPTIVE_HEADERS, PANEL_ITEM_HEADERS, label_key
from peereval.loaders._common import check_unique
from peereval.loaders._table import RawTable, Source, cell_text, column_letter, open_source

__all__ = ["DESCRIPTIVE_HEADERS", "ITEM_HEADERS", "SOURCE_ATTR", "ExpertPanel",
           "read_expert_panel"]

#: Key of ``DataFrame.attrs`` holding where a table came from (see
#: :data:`peereval._frames.SOURCE_ATTR`).
SOURCE_ATTR = _SOURCE_ATTR

#: Headers recognised as the column of item codes (:data:`peereval.labels.PANEL_ITEM_HEADERS`).
ITEM_HEADERS = PANEL_ITEM_HEADERS

#: Headers of columns that describe an item (:data:`peereval.labels.PANEL_DESCRIPTIVE_HEADERS`).
DESCRIPTIVE_HEADERS = PANEL_DESCRIPTIVE_HEADERS


@dataclass(frozen=True)
class ExpertPanel:
    """The ratings of an expert panel, one table (items x experts) per question.

    Attributes
    ----------
    relevance
        4-point relevance ratings (for the I-CVI), items as index, experts as columns.
    essentiality
        Lawshe's essential / useful but not essential / not necessary (for the CVR),
        or ``None`` when not read.
    importance
        5-point importance ratings (for the impact score), items x respondents, or
        ``None``.
    info
        The descriptive columns of the relevance sheet (wording, domain, ...), items
        as index; empty when the sheet has none.
    path
        The file read (the relevance file when several were given).
    """

    relevance: pd.DataFrame
    essentiality: pd.DataFrame | None
    importance: pd.DataFrame | None
    info: pd.DataFrame
    path: Path

    @property
    def experts(self) -> list[str]:
        """The expert columns of the relevance table."""
        return [str(c) for c in self.relevance.columns]


def read_expert_panel(
    path: str | Path,
    *,
    relevance_sheet: str | int | None = "relevance",
    essentiality_sheet: str | int | None = "essentiality",
    importance_sheet: str | int | None = None,
    essentiality_file: str | Path | None = None,
    importance_file: str | Path | None = None,
    item: str | None = None,
    encoding: str | None = None,
) -> ExpertPanel:
    """Read an expert panel's ratings from a workbook or from CSV files.

    Parameters
    ----------
    path
        An XLSX workbook holding the sheets named below, or a CSV (or other text)
        file holding the relevance table.
    relevance_sheet, essentiality_sheet, importance_sheet
        Sheet names (or 0-based numbers) in a workbook; names are matched ignoring
        case and spaces when no sheet has the exact name. ``essentiality_sheet=None``
        or ``importance_sheet=None`` (the default for importance) skips that table;
        ``relevance_sheet=None`` takes a workbook's only sheet. Sheet names do not
        apply to a text file, which holds one table only.
    essentiality_file, importance_file
        Read that table from another file (CSV, or a workbook in which the sheet
        named above is used) instead of from ``path``. With a CSV ``path`` this is
        how the essentiality and importance tables are given.
    item
        Header of the column of item codes. By default a column headed ``item``
        (``code``, ``گویه``, ...) or else the first column.
    encoding
        Text encoding of CSV files (by default UTF-8, or as a byte-order mark says).

    Returns
    -------
    ExpertPanel
        Tables of items x experts with the cells as typed.

    Raises
    ------
    SheetError
        A named sheet is not in the workbook (the sheets are listed).
    FileFormatError
        No item column, an item without a code, an expert column without a header
        or a header used twice, a table with no expert columns or no items.
    DuplicateIdError
        An item code occurs twice in a table (every row listed).

    Notes
    -----
    Columns whose header describes the item (``wording``, ``text``, ``domain``,
    ``عبارت``, ...) are not experts; the relevance sheet's are returned in
    ``info``. Every other column with a header is an expert (or respondent).
    The tables are not compared with one another here: the analysis checks that
    they list the same items.

    Examples
    --------
    >>> import peereval
    >>> panel = read_expert_panel(peereval.sample_path("expert_panel"))
    >>> panel.relevance.shape, panel.essentiality.shape
    ((18, 10), (18, 10))
    >>> int(panel.relevance.loc["Q1_1", "expert_02"]), panel.essentiality.loc["Q1_2", "expert_10"]
    (4, 'Useful but not essential')
    """
    path = Path(path)
    sources: dict[Path, Source] = {}

    def read(file: Path, sheet: str | int | None, role: str) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
        if file not in sources:
            sources[file] = open_source(file, encoding=encoding)
        return _read_one(sources[file], sheet, role, item)

    relevance, info = read(path, relevance_sheet, "relevance")
    in_workbook = sources[path].kind == "workbook"
    essentiality = importance = None
    if essentiality_file is not None:
        essentiality, _ = read(Path(essentiality_file), essentiality_sheet, "essentiality")
    elif in_workbook and essentiality_sheet is not None:
        essentiality, _ = read(path, essentiality_sheet, "essentiality")
    if importance_file is not None:
        importance, _ = read(Path(importance_file), importance_sheet, "importance")
    elif in_workbook and importance_sheet is not None:
        importance, _ = read(path, importance_sheet, "importance")
    return ExpertPanel(relevance, essentiality, importance, info, path)


def _read_one(source: Source, sheet: str | int | None, role: str, item: str | None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = source.path
    if source.kind == "sav":
        raise FileFormatError("expert ratings must be CSV or XLSX, not SPSS", file=path,
                              hint="save the ratings as .xlsx or .csv")
    if source.kind == "text":
        table = source.tables[0]
    else:
        table = _pick_sheet(source.tables, source.sheet_names, sheet, role, path)
    return _parse(table, role, item)


def _pick_sheet(tables: list[RawTable], names: list[str], sheet: str | int | None,
                role: str, path: Path) -> RawTable:
    by_name = {t.sheet: t for t in tables}
    if sheet is None:
        if len(tables) == 1:
            return tables[0]
        raise SheetError(f"the workbook has several sheets; which one holds the {role} "
                         "ratings?", file=path,
                         hint=f"name it with {role}_sheet=; sheets: " + ", ".join(names))
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise SheetError(f"there is no sheet number {sheet} (for the {role} ratings)",
                             file=path, hint="sheets are counted from 0: " + ", ".join(names))
        sheet = names[sheet]
    if sheet not in names:
        wanted = label_key(sheet)
        close = [n for n in names if label_key(n) == wanted]
        if len(close) == 1:
            sheet = close[0]
        else:
            raise SheetError(
                f"there is no sheet named '{sheet}' (for the {role} ratings)", file=path,
                hint=f"choose one of: {', '.join(names)}; or pass {role}_sheet=None "
                "if the panel did not rate " + role)
    if sheet not in by_name:
        raise FileFormatError(f"the {role} sheet is empty", file=path, sheet=sheet,
                              hint="fill in the ratings, one row per item")
    return by_name[sheet]


def _parse(table: RawTable, role: str, item: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    headers = table.text_row(0)
    keys = [label_key(h) for h in headers]
    header_row = table.row_numbers[0]
    where = {"file": table.path, "sheet": table.sheet}
    if item is not None:
        if label_key(item) not in keys:
            raise FileFormatError(f"there is no item column '{item}'", **where, row=header_row,
                                  hint="columns found: " + ", ".join(h for h in headers if h))
        item_index = keys.index(label_key(item))
    else:
        found = [i for i, k in enumerate(keys) if k in ITEM_HEADERS]
        item_index = found[0] if found else 0
    descriptive = [i for i, k in enumerate(keys) if i != item_index and k in DESCRIPTIVE_HEADERS]
    experts = [i for i in range(len(headers)) if i != item_index and i not in descriptive]
    rows = table.rows[1:]
    numbers = table.row_numbers[1:]
    for i in experts:
        if not headers[i] and any(r[i] is not None for r in rows):
            raise FileFormatError(
                f"column {column_letter(i)} holds {role} ratings but has no header", **where,
                row=header_row, hint="give every expert column a header (e.g. expert_01)")
    experts = [i for i in experts if headers[i]]
    _check_distinct_headers([headers[i] for i in experts], table, header_row)
    if not experts:
        raise FileFormatError(
            f"the {role} table has no expert columns", **where, row=header_row,
            hint="put one column per expert after the item column, each with a header")
    if not rows:
        raise FileFormatError(f"the {role} table has a header but no items", **where,
                              hint="add one row per item")
    codes = [cell_text(r[item_index]) for r in rows]
    empty = [Location(table.path, table.sheet, n, headers[item_index] or None, None)
             for code, n in zip(codes, numbers, strict=True) if not code]
    if empty:
        raise FileFormatError(
            f"{len(empty)} row(s) of the {role} table have ratings but no item code",
            **where, column=headers[item_index] or column_letter(item_index),
            problems=empty, hint="write the item's code (e.g. Q1_1) in every row")
    check_unique(codes, numbers, table.path, table.sheet, headers[item_index] or None,
                 "item code")
    data = {headers[i]: [_cell(r[i]) for r in rows] for i in experts}
    frame = pd.DataFrame(data, index=pd.Index(codes, name="item"))
    frame.columns.name = "expert"
    frame.attrs[SOURCE_ATTR] = {
        "file": str(table.path),
        "sheet": table.sheet,
        "rows": dict(zip(codes, numbers, strict=True)),
    }
    info = pd.DataFrame({headers[i]: [cell_text(r[i]) or None for r in rows]
                         for i in descriptive}, index=pd.Index(codes, name="item"))
    return frame, info


def _check_distinct_headers(names: list[str], table: RawTable, row: int) -> None:
    seen: set[str] = set()
    for name in names:
        key = label_key(name)
        if key in seen:
            raise FileFormatError(
                "two expert columns have the same header", file=table.path,
                sheet=table.sheet, row=row, column=name,
                hint="give each expert's column its own header")
        seen.add(key)


def _cell(value: Any) -> Any:
    """A cell as typed: numbers stay numbers, text is stripped, empty is NaN."""
    if value is None:
        return np.nan
    if isinstance(value, str):
        text = value.strip()
        return text if text else np.nan
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
