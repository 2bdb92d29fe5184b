"""Plain tables: one header row, one respondent per row.

This is what Iranian platforms such as Porsline and home-grown university systems
write, and what a researcher types into Excel: Persian or English headers, answers as
labels or numbers, dates possibly in the Jalali calendar (``1402/08/15``, with Persian
or ASCII digits), sometimes saved as UTF-16 tab-separated text with an ``.xls`` name.

Columns are read as follows:

- the respondent id is ``id_column=`` or, failing that, the first column whose header
  names an id. Headers that can only mean a respondent id (``id``, ``respondent id``,
  ``شناسه``, ``کد پاسخ دهنده``, ...) are taken even when their values repeat, so that
  a file pasted twice gives a :class:`~peereval.errors.DuplicateIdError` listing every
  repeated row instead of being read silently; headers that may mean something else
  (``code``, ``کد``, ``ردیف``, ``شماره``) are taken, failing a strong one, only when
  every value is present and unique. Without an id column respondents are named by
  their row (``row-2``, ...);
- date/time columns recognised by their header and content become metadata
  (``started``, ``ended``); Jalali dates are converted to Gregorian;
- a student-number column (``student id``, ``شماره دانشجویی``, ...) is kept as
  metadata under its header, for linkage with academic records;
- every other column is an item whose kind its answers decide
  (:func:`~peereval.responses.classify_column`). Columns headed
  ``question - row`` whose ``question`` part heads at least two columns are the
  rows of one matrix question: they share
  ``Item.question``, and so one response scale when labels are coded.

Headers are compared after label normalisation, so Arabic yeh/kaf, the zero-width
non-joiner and Persian digits do not matter.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError
from peereval.labels import label_key, normalize_digits, normalize_label
from peereval.loaders._common import BadCell, Column, assemble, parse_datetimes
from peereval.loaders._table import RawTable, cell_text, column_letter
from peereval.responses import Responses, classify_column

__all__ = ["NAME", "OPTIONS", "TITLE", "read", "sniff"]

NAME = "generic"
TITLE = "plain table"
OPTIONS: frozenset[str] = frozenset({"id_column", "header_row"})

# Headers that can only name a respondent id: taken even when values repeat.
_STRONG_ID_HEADERS = {
    "id", "respondent id", "respondent", "response id", "responseid", "record id",
    "participant id", "participant", "subject id", "شناسه", "شناسه پاسخ",
    "شناسه پاسخ دهنده", "کد پاسخ دهنده", "کد پاسخگو", "شناسه پاسخگو", "شماره پاسخ",
    "کد شرکت کننده", "شناسه شرکت کننده",
}
# Headers that may name something else: taken only when every value is unique.
_WEAK_ID_HEADERS = {"code", "کد", "ردیف", "شماره"}
# Columns identifying the student for linkage with academic records: kept as metadata.
_STUDENT_HEADERS = {"student id", "student number", "student no", "matriculation number",
                    "شماره دانشجویی", "کد دانشجویی", "شماره دانشجو", "شماره دانشجوئی"}
_STUDENT_KEYS = {normalize_label(h) for h in _STUDENT_HEADERS}
_START_HEADERS = re.compile(r"^(start(ed)?( date| time)?|تاریخ شروع|زمان شروع)$")
_END_HEADERS = re.compile(
    r"^(end(ed)?( date| time)?|timestamp|submitted( at)?|submission (date|time)|"
    r"completion time|date|تاریخ|زمان|تاریخ ثبت|زمان ثبت|تاریخ پایان|زمان پایان|"
    r"تاریخ و ساعت ثبت|تاریخ ارسال|زمان ارسال|تاریخ پاسخ|زمان پاسخ)$"
)

# A free-text answer: no answer repeats, or some answer is a sentence.
_MIN_DISTINCT_FOR_TEXT = 3
_SENTENCE_WORDS = 6
# No rating scale has codes beyond this; larger integers are numbers (ids, years).
_MAX_SCALE_CODE = 100
# A matrix row headed "question - row", as Qualtrics and many plain exports write it.
_MATRIX_SEP = " - "


def sniff(table: RawTable) -> float:
    """Any table with a header row and data rows can be read as a plain table."""
    return 0.1 if len(table.rows) >= 2 else 0.0



def check_headers(table: RawTable, header_index: int, headers: list[str],
                  start: int) -> None:
    """Raise when a column holding answers has an empty header cell."""
    empty = [i for i, h in enumerate(headers) if not h]
    for i in empty:
        filled = [k for k in range(start, len(table.rows)) if cell_text(table.rows[k][i])]
        if filled:
            first = filled[0]
            raise FileFormatError(
                f"column {column_letter(i)} holds answers but has no header",
                file=table.path, sheet=table.sheet, row=table.row_numbers[header_index],
                column=column_letter(i), value=table.rows[first][i],
                hint="give every column a name in the header row (or delete the column); "
                f"its first value is in row {table.row_numbers[first]}",
            )


def _find_id(headers: list[str], table: RawTable, start: int, wanted: str | None) -> int | None:
    keys = [label_key(h) for h in headers]
    if wanted is not None:
        target = label_key(wanted)
        if target not in keys:
            raise FileFormatError(
                f"there is no column named '{wanted}'",
                file=table.path, sheet=table.sheet, row=table.row_numbers[start - 1],
                hint="columns found: " + ", ".join(h for h in headers if h)[:400],
            )
        return keys.index(target)
    strong = {label_key(h) for h in _STRONG_ID_HEADERS}
    weak = {label_key(h) for h in _WEAK_ID_HEADERS}
    for index, key in enumerate(keys):
        if key in strong:
            return index
    for index, key in enumerate(keys):
        if key in weak:
            values = [cell_text(r[index]) for r in table.rows[start:]]
            if all(values) and len(set(values)) == len(values):
                return index
    return None


def _looks_like_dates(table: RawTable, index: int, start: int) -> bool:
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
    """Read a plain table whose header is spreadsheet row ``header_row``.

    Parameters
    ----------
    table
        The raw table (see :func:`peereval.loaders._table.open_source`).
    id_column
        Header of the respondent-id column; found from the headers by default.
    header_row
        Spreadsheet row number of the header row (rows above it are ignored).

    Returns
    -------
    Responses
    """
    try:
        header_index = table.row_numbers.index(header_row)
    except ValueError:
        raise FileFormatError(
            f"row {header_row} is empty, so it cannot be the header row",
            file=table.path, sheet=table.sheet, hint="give header_row= the row of the headers",
        ) from None
    headers = table.text_row(header_index)
    start = header_index + 1
    check_headers(table, header_index, headers, start)
    id_index = _find_id(headers, table, start, id_column)
    columns: list[Column] = []
    notes: list[str] = []
    started = ended = False
    rows = table.rows[start:]
    matrix: dict[str, int] = {}
    for header in headers:
        if _MATRIX_SEP in header:
            prefix = header.rsplit(_MATRIX_SEP, 1)[0]
            matrix[prefix] = matrix.get(prefix, 0) + 1
    for index, header in enumerate(headers):
        if not header:
            continue
        if index == id_index:
            columns.append(Column(index, header, header, "id"))
            continue
        key = normalize_label(header)
        if key in _STUDENT_KEYS:
            columns.append(Column(index, header, header, "meta", text=header))
            continue
        if not started and _START_HEADERS.match(key) and _looks_like_dates(table, index, start):
            columns.append(Column(index, header, "started", "meta", text=header))
            started = True
            continue
        if not ended and _END_HEADERS.match(key) and _looks_like_dates(table, index, start):
            columns.append(Column(index, header, "ended", "meta", text=header))
            ended = True
            continue
        values = pd.Series([r[index] for r in rows], dtype=object)
        values = values.where(values.map(lambda v: cell_text(v) != ""), None)
        question = header.rsplit(_MATRIX_SEP, 1)[0] if _MATRIX_SEP in header else None
        columns.append(Column(index, header, header, "item", text=header,
                              kind=classify_column(values),
                              question=question if matrix.get(question, 0) > 1 else None))
    ids = None
    if id_index is None:
        ids = [f"row-{n}" for n in table.row_numbers[start:]]
        notes.append("no respondent id column found; respondents are named by their row "
                     "in the file (row-2, row-3, ...). Pass id_column= to use a column.")
    if any(_is_jalali(table, c.index, start) for c in columns if c.role == "meta"):
        notes.append("dates written in the Jalali (Solar Hijri) calendar were converted "
                     "to Gregorian dates; times are kept as written")
    return assemble(
        table,
        columns,
        data_start=start,
        platform=NAME,
        ids=ids,
        meta_converters={"started": parse_datetimes, "ended": parse_datetimes},
        notes=notes,
    )


_JALALI_YEAR = re.compile(r"^\s*1[2-4]\d\d\s*[-/.]")


def _is_jalali(table: RawTable, index: int, start: int) -> bool:
    return any(isinstance(r[index], str) and _JALALI_YEAR.match(normalize_digits(r[index]))
               for r in table.rows[start:])
