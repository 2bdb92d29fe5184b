"""Plain tables: one header row, one respondent per row.

This is what Iranian platforms such as Porsline and home-grown university systems
write, and what a researcher types into Excel: Persian or English headers, answers as
labels or numbers, dates possibly in the Jalali calendar (``1402/08/15``, with Persian
or ASCII digits), sometimes saved as UTF-16 tab-separated text with an ``.xls`` name.

Columns are read as follows: the respondent id is ``id_column=`` or, failing that,
the first column whose header names an id (``id``, ``respondent id``, ``شناسه``,
``کد پاسخ دهنده``, ...) and whose values are unique; date/time columns recognised by
their header and content become metadata (``started``, ``ended``); every other
column is an item whose kind its answers decide.
"""

from __future__ import annotations

import re
from typing import Any

from peereval.errors import FileFormatError
from peereval.loaders._common import Column, assemble, parse_datetimes
from peereval.loaders._table import RawTable, cell_text
from peereval.loaders.labels import normalize_label
from peereval.loaders.responses import Responses

NAME = "generic"
TITLE = "plain table"
OPTIONS: frozenset[str] = frozenset({"id_column", "header_row"})

_ID_HEADERS = {
    "id", "respondent id", "respondent", "response id", "responseid", "record id",
    "participant id", "participant", "subject id", "code", "شناسه", "شناسه پاسخ",
    "شناسه پاسخ دهنده", "کد", "کد پاسخ دهنده", "کد پاسخگو", "شماره پاسخ", "ردیف",
    "شماره", "شناسه پاسخگو",
}
_START_HEADERS = re.compile(r"^(start(ed)?( date| time)?|تاریخ شروع|زمان شروع)$")
_END_HEADERS = re.compile(
    r"^(end(ed)?( date| time)?|timestamp|submitted( at)?|submission (date|time)|"
    r"completion time|date|تاریخ|زمان|تاریخ ثبت|زمان ثبت|تاریخ پایان|زمان پایان|"
    r"تاریخ و ساعت ثبت|تاریخ ارسال|زمان ارسال)$"
)


def sniff(table: RawTable) -> float:
    """Any table with a header row and data rows can be read as a plain table."""
    return 0.1 if len(table.rows) >= 2 else 0.0


def _find_id(headers: list[str], table: RawTable, start: int, wanted: str | None) -> int | None:
    if wanted is not None:
        keys = [normalize_label(h) for h in headers]
        target = normalize_label(wanted)
        if target not in keys:
            raise FileFormatError(
                f"there is no column named '{wanted}'",
                file=table.path, sheet=table.sheet, row=table.row_numbers[start - 1],
                hint="columns found: " + ", ".join(h for h in headers if h)[:400],
            )
        return keys.index(target)
    for index, header in enumerate(headers):
        if normalize_label(header) in _ID_HEADERS:
            values = [cell_text(r[index]) for r in table.rows[start:]]
            if all(values) and len(set(values)) == len(values):
                return index
    return None


def _looks_like_dates(table: RawTable, index: int, start: int) -> bool:
    from peereval.loaders._common import BadCell  # noqa: PLC0415

    import pandas as pd

    values = pd.Series([r[index] for r in table.rows[start:]], dtype=object)
    values = values.where(values.map(lambda v: cell_text(v) != ""), None)
    if values.isna().all():
        return False
    try:
        parse_datetimes(values, Column(index, "", ""))
    except BadCell:
        return False
    return True


def read(table: RawTable, *, id_column: str | None = None, header_row: int = 1,
         **options: Any) -> Responses:
    """Read a plain table whose header is spreadsheet row ``header_row``."""
    try:
        header_index = table.row_numbers.index(header_row)
    except ValueError:
        raise FileFormatError(
            f"row {header_row} is empty, so it cannot be the header row",
            file=table.path, sheet=table.sheet, hint="give header_row= the row of the headers",
        ) from None
    headers = table.text_row(header_index)
    start = header_index + 1
    empty = [i for i, h in enumerate(headers) if not h]
    if empty and any(any(r[i] is not None for r in table.rows[start:]) for i in empty):
        column_letter = _column_letter(empty[0])
        raise FileFormatError(
            "a column with answers has no header",
            file=table.path, sheet=table.sheet, row=table.row_numbers[header_index],
            column=column_letter,
            hint="give every column a name in the header row (or delete the column)",
        )
    id_index = _find_id(headers, table, start, id_column)
    columns: list[Column] = []
    notes: list[str] = []
    started = ended = False
    for index, header in enumerate(headers):
        if not header:
            continue
        if index == id_index:
            columns.append(Column(index, header, header, "id"))
            continue
        key = normalize_label(header)
        if not started and _START_HEADERS.match(key) and _looks_like_dates(table, index, start):
            columns.append(Column(index, header, "started", "meta", text=header))
            started = True
            continue
        if not ended and _END_HEADERS.match(key) and _looks_like_dates(table, index, start):
            columns.append(Column(index, header, "ended", "meta", text=header))
            ended = True
            continue
        columns.append(Column(index, header, header, "item", text=header))
    ids = None
    if id_index is None:
        ids = [f"row-{n}" for n in table.row_numbers[start:]]
        notes.append("no respondent id column found; respondents are named by their row "
                     "in the file (row-2, row-3, ...). Pass id_column= to use a column.")
    return assemble(
        table,
        columns,
        data_start=start,
        platform=NAME,
        ids=ids,
        meta_converters={"started": parse_datetimes, "ended": parse_datetimes},
        notes=notes,
    )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
