"""Microsoft Forms response exports (XLSX, or that workbook saved as CSV).

Layout of the workbook Microsoft Forms gives under Responses > Open in Excel (or
> Download a copy): one header row, one response per row. The first columns are
``ID`` (1, 2, 3, ... in order of submission), ``Start time``, ``Completion time``,
``Email`` (``anonymous`` when the form does not record names) and ``Name``; newer
exports add ``Last modified time``. Quizzes add ``Total points`` and ``Quiz
feedback`` after ``Name`` and, after a scored question, ``Points - <question>``
and ``Feedback - <question>`` columns. Then one column per question, headed with
the question title; answers are the option labels as text (Forms attaches no
numbers to options). A multi-select answer is the chosen options joined by ``";"``
with a trailing ``";"`` (``Weekly meetings;Social events;``).

A **Likert question** exports one column per statement, headed with the statement
text **only**: the question's own title is not exported (Microsoft Tech Community,
"Export Likert Question Text with Statements"; sources in
``tests/fixtures/ms_forms/README.md``), so the statements of one Likert
question cannot be told from those of the next. peereval therefore does not
group them (``Item.question`` is ``None``) and each statement's labels are coded on
their own: pass the number of scale points to
:meth:`~peereval.responses.Responses.numeric` (``points=5``), since a
statement whose answers miss some labels is otherwise refused as ambiguous, or, when
only the middle label is missing, coded on a shorter scale.

Items are named by their column header. ``ID`` is the respondent id; ``Start
time`` and ``Completion time`` become ``started`` and ``ended`` and their
difference ``duration_s``; the quiz columns and ``Email``, ``Name``, ``Last
modified time`` are metadata (``email``, ``name``, ``modified``, ``total_points``,
``quiz_feedback``, and ``Points - ...``/``Feedback - ...`` under their own
headers). Workbooks hold times as date cells; a workbook saved as CSV by US
English Excel writes them ``3/2/24 9:14:05``.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError
from peereval.loaders._common import BadCell, Column, assemble, parse_datetimes, to_float
from peereval.loaders._table import RawTable, cell_text, column_letter
from peereval.responses import ItemKind, Responses, classify_column

NAME = "ms_forms"
TITLE = "Microsoft Forms"
OPTIONS: frozenset[str] = frozenset()

_META = {
    "start time": "started",
    "completion time": "ended",
    "email": "email",
    "name": "name",
    "last modified time": "modified",
    "total points": "total_points",
    "quiz feedback": "quiz_feedback",
}
_SCORED = re.compile(r"^(?P<what>Points|Feedback) - (?P<question>.+)$", re.DOTALL)
_DATE_FORMATS = (
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %I:%M:%S %p",
)
_HOW_TO_EXPORT = (
    "download the responses again from Microsoft Forms (Responses > Open in Excel) and "
    "do not edit the header row"
)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a Microsoft Forms export (0-1).

    0.95 when row 1 starts ``ID``, ``Start time``, ``Completion time``; 0.7 when those
    three headers appear elsewhere in row 1; 0 otherwise.
    """
    if not table.rows:
        return 0.0
    head = [_key(h) for h in table.text_row(0)]
    if head[:3] == ["id", "start time", "completion time"]:
        return 0.95
    if {"id", "start time", "completion time"} <= set(head):
        return 0.7
    return 0.0


def read(table: RawTable, **options: Any) -> Responses:
    """Read a Microsoft Forms export; see the module docstring for the layout.

    Parameters
    ----------
    table
        The response sheet of the workbook, or the CSV it was saved as.

    Returns
    -------
    Responses
        Respondent id ``ID``; one item per question column (Likert statements
        ungrouped, multi-select answers joined by ``";"`` without the trailing
        ``";"``); metadata as the module docstring lists.

    Raises
    ------
    FileFormatError
        When row 1 lacks ``ID``, ``Start time`` or ``Completion time``, a column
        with answers has no header, or a time cannot be read (naming its row).
    DuplicateIdError
        Listing every row of every repeated ``ID``.
    """
    head = _checked_header(table)
    keys = [_key(h) for h in head]
    data = table.rows[1:]
    headers = set(head)
    columns: list[Column] = []
    rows = [list(r) for r in table.rows]
    notes: list[str] = []
    multi_columns: list[str] = []
    for index, header in enumerate(head):
        key = keys[index]
        if not header:
            if any(cell_text(r[index]) for r in data):
                raise FileFormatError(
                    "a column with answers has no header", file=table.path,
                    sheet=table.sheet, row=table.row_numbers[0],
                    column=column_letter(index), hint=_HOW_TO_EXPORT)
            continue
        if key == "id":
            columns.append(Column(index, header, "id", "id"))
            continue
        if key in _META:
            columns.append(Column(index, header, _META[key], "meta", text=header))
            continue
        scored = _SCORED.match(header)
        if scored and scored["question"] in headers:
            columns.append(Column(index, header, header, "meta", text=header))
            continue
        values = [r[index] for r in data]
        kind: ItemKind
        if _is_multi(values):
            kind = "multi"
            multi_columns.append(header)
            for r in rows[1:]:
                parts = [p.strip() for p in cell_text(r[index]).split(";") if p.strip()]
                r[index] = ";".join(parts) if parts else None
        else:
            kind = classify_column(values)
        columns.append(Column(index, header, header, "item", text=header, kind=kind))

    if multi_columns:
        notes.append("multi-select answers (" + ", ".join(f"'{c}'" for c in multi_columns)
                     + ") had their trailing ';' removed")
    notes.append("Microsoft Forms exports only submitted responses: meta has no "
                 "'finished' column; duration_s is Completion time minus Start time")
    working = RawTable(rows, list(table.row_numbers), table.path, table.sheet,
                       table.encoding, table.delimiter)
    converters = {"started": _dates, "ended": _dates, "modified": _dates,
                  "total_points": to_float}
    converters.update({c.code: to_float for c in columns
                       if c.role == "meta" and c.code.startswith("Points - ")})
    responses = assemble(
        working,
        columns,
        data_start=1,
        platform=NAME,
        meta_converters=converters,
        notes=notes,
        id_label="ID",
    )
    meta = responses.meta
    position = list(meta.columns).index("ended") + 1
    meta.insert(position, "duration_s", (meta["ended"] - meta["started"]).dt.total_seconds())
    if responses.likert_items:
        responses.notes += (
            "Microsoft Forms exports a Likert question as one column per statement, "
            "without the question's title, so statements are not grouped into questions "
            "and each statement's labels are coded on their own: pass the number of scale "
            "points to numeric() (points=5), or a statement whose answers miss some "
            "labels may be refused as ambiguous or coded on a shorter scale",
        )
    return responses


def _checked_header(table: RawTable) -> list[str]:
    """Row 1 of a Microsoft Forms export, refused unless it names the ID, Start time
    and Completion time columns and row 2 starts with an ID."""
    head = table.text_row(0) if table.rows else []
    keys = [_key(h) for h in head]
    missing = [name for name in ("ID", "Start time", "Completion time")
               if _key(name) not in keys]
    if missing:
        raise FileFormatError(
            "the file is not a Microsoft Forms export: row 1 has no "
            + ", ".join(f"'{m}'" for m in missing) + " column",
            file=table.path, sheet=table.sheet,
            row=table.row_numbers[0] if table.rows else None,
            hint="read it with platform='auto' to detect its layout; " + _HOW_TO_EXPORT,
        )
    if len(table.rows) >= 2 and keys[0] == "id" and not cell_text(table.row(1)[0]):
        raise FileFormatError(
            "row 2 has no ID: a Microsoft Forms export has one header row and a response "
            "with its ID on every row below it",
            file=table.path, sheet=table.sheet, row=table.row_numbers[1], column=head[0],
            hint=_HOW_TO_EXPORT,
        )
    return head


def _is_multi(values: list[Any]) -> bool:
    """Multi-select answers end with ';' (every one of them)."""
    texts = [cell_text(v) for v in values if cell_text(v)]
    return bool(texts) and all(t.endswith(";") for t in texts)


def _dates(series: pd.Series, col: Column) -> pd.Series:
    try:
        return parse_datetimes(series, col, formats=_DATE_FORMATS)
    except BadCell as bad:
        raise BadCell(bad.respondent_id, bad.value,
                      "a Microsoft Forms time column holds a value that is not a date",
                      "the workbook holds times as date cells (a CSV saved by Excel writes "
                      "e.g. 3/2/24 9:14:05); correct the cell or download the responses "
                      "again") from None
