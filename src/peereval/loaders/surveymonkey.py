"""SurveyMonkey response exports (CSV and XLSX, "All individual responses").

Layout of the export SurveyMonkey writes under Analyze Results > Save as > Export
file > All individual responses, with Columns "Expanded" (the default), in either
cell format, "Actual answer text" or "Numerical value":

* **Two header rows.** Row 1 starts with the respondent metadata ``Respondent ID``,
  ``Collector ID``, ``Start Date``, ``End Date``, ``IP Address``, ``Email Address``,
  ``First Name``, ``Last Name``, ``Custom Data 1`` (their row-2 cells are empty),
  then the question texts. A question that takes several columns (a matrix, a
  checkbox list, a question with an "Other" box) shows its text only above its
  first column; the cells above its other columns are empty.
* Row 2 names each answer column: ``Response`` for a single-answer question,
  ``Open-Ended Response`` for a comment box, the row label for each row of a
  matrix, the option label for each option of a checkbox question, and
  ``Other (please specify)`` for an "Other" text box.
* One respondent per row from row 3. Matrix and single-choice cells hold the
  chosen label (or its position number in a "Numerical value" export); a
  checkbox column holds its option's text (or number) when ticked and is empty
  otherwise. Dates are US-style, ``11/20/2024 10:15:23 AM``.

This follows the column layout of real exports as open-source readers of them
describe it (the ``gvca_survey_analytics`` ingest script, the ``monkeywrangler`` R
package; sources in ``tests/fixtures/surveymonkey/README.md``). The export
carries no question codes, so peereval numbers the questions ``Q1``, ``Q2``, ... in
column order; matrix rows are ``Q1_1``, ``Q1_2``, ... and share the question id
``Q1``. The option columns of a checkbox question become **one** ``multi`` item
(``Q4``) whose answer is the ticked options' labels joined by ``";"`` in the order
the export lists them, with the options recorded on the item; an "Other (please
specify)" box becomes a separate text item (``Q4_other``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError
from peereval.loaders._common import BadCell, Column, assemble, parse_datetimes
from peereval.loaders._table import RawTable, cell_text, column_letter
from peereval.responses import Responses

NAME = "surveymonkey"
TITLE = "SurveyMonkey"
OPTIONS: frozenset[str] = frozenset()

#: Row-1 metadata headers -> meta names (compared case-insensitively).
_META = {
    "respondent id": "respondent_id",
    "collector id": "collector_id",
    "start date": "started",
    "end date": "ended",
    "ip address": "ip_address",
    "email address": "email",
    "first name": "first_name",
    "last name": "last_name",
}
_CUSTOM = re.compile(r"^custom data (\d+)$", re.IGNORECASE)
_SINGLE = "response"
_OPEN = "open-ended response"
_OTHER = "other (please specify)"
_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)
_HOW_TO_EXPORT = (
    "export the data again from SurveyMonkey (Analyze Results > Save as > Export file > "
    "All individual responses, CSV or XLSX) and do not edit the two header rows"
)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a SurveyMonkey export (0-1).

    1.0 when row 1 starts with ``Respondent ID`` and names ``Collector ID`` and row 2
    holds SurveyMonkey's sub-headers (``Response``, ``Open-Ended Response``, ...);
    0.6 when only row 1 fits (the second header row is missing, which :func:`read`
    reports); 0 otherwise.
    """
    if not table.rows:
        return 0.0
    head = [_key(h) for h in table.text_row(0)]
    if not head or head[0] != "respondent id":
        return 0.0
    known = sum(1 for h in head[:12] if h in _META or _CUSTOM.match(h))
    if known < 3 or "collector id" not in head[:12]:
        return 0.0
    if len(table.rows) >= 2 and _has_subheader_row(table):
        return 1.0
    return 0.6


def _has_subheader_row(table: RawTable) -> bool:
    second = table.text_row(1)
    if second[0]:  # a respondent id: row 2 is data, not sub-headers
        return False
    return any(second)


@dataclass
class _Group:
    """One question: its row-1 text and the indexes of its answer columns."""

    number: int
    text: str
    columns: list[int] = field(default_factory=list)


def read(table: RawTable, **options: Any) -> Responses:
    """Read a SurveyMonkey export; see the module docstring for the layout.

    Parameters
    ----------
    table
        The export's only sheet (or the CSV file).

    Returns
    -------
    Responses
        Respondent id ``Respondent ID``; items ``Q1``, ``Q1_1``, ... as described
        in the module docstring; metadata ``started``, ``ended``, ``duration_s``
        (end minus start), ``collector_id``, ``ip_address``, ``email``,
        ``first_name``, ``last_name``, ``custom_data_1`` and any custom variables
        under their own names.

    Raises
    ------
    FileFormatError
        When row 1 is not SurveyMonkey's, when the second header row is missing,
        when an answer column has no header, or when a date cannot be read.
    DuplicateIdError
        Listing every row of every repeated ``Respondent ID``.
    """
    head = table.text_row(0)
    if not head or _key(head[0]) != "respondent id":
        raise FileFormatError(
            "the file is not a SurveyMonkey export: row 1 should start with "
            "'Respondent ID', 'Collector ID', 'Start Date', 'End Date'",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0] if table.rows else None,
            column=head[0] if head else None, value=head[0] if head else None,
            hint="read it with platform='auto' to detect its layout; a SurveyMonkey file "
            "must be the 'All individual responses' export with expanded columns",
        )
    if len(table.rows) < 2 or not _has_subheader_row(table):
        row = table.row_numbers[1] if len(table.rows) >= 2 else table.row_numbers[0] + 1
        raise FileFormatError(
            "the second header row of the SurveyMonkey export is missing: row 2 should "
            "name each answer column ('Response', 'Open-Ended Response', matrix row or "
            "option labels) and leave the metadata columns empty, but it holds a response",
            file=table.path, sheet=table.sheet, row=row, column=head[0],
            value=cell_text(table.row(1)[0]) if len(table.rows) >= 2 else None,
            hint=_HOW_TO_EXPORT + "; if you deleted row 2 yourself, read the file as a "
            "plain table with platform='generic'",
        )
    sub = table.text_row(1)
    columns, groups = _header_columns(table, head, sub)

    rows = [list(r) for r in table.rows]
    notes: list[str] = []
    specs: list[Column] = []
    for col in columns:
        if col.role != "skip":
            specs.append(col)
            continue
        group = groups[int(col.code.removeprefix("#group")) - 1]
        specs.extend(_question_columns(group, sub, rows, notes))

    numeric = _numeric_answers(specs, rows)
    if numeric:
        notes.append("answers are SurveyMonkey's numerical values (the position of the "
                     "chosen option); this export does not contain the option labels")
    notes.append("the export records no completion status, so meta has no 'finished' "
                  "column; duration_s is End Date minus Start Date")
    working = RawTable(rows, list(table.row_numbers), table.path, table.sheet,
                       table.encoding, table.delimiter)
    dates = partial(_dates, table=table)
    responses = assemble(
        working,
        specs,
        data_start=2,
        platform=NAME,
        meta_converters={"started": dates, "ended": dates},
        notes=notes,
        id_label="Respondent ID",
    )
    meta = responses.meta
    if "started" in meta and "ended" in meta:
        position = list(meta.columns).index("ended") + 1
        meta.insert(position, "duration_s",
                    (meta["ended"] - meta["started"]).dt.total_seconds())
    return responses


def _header_columns(table: RawTable, head: list[str], sub: list[str]
                    ) -> tuple[list[Column], list[_Group]]:
    """Read the two header rows: metadata columns, and each question's group of answer
    columns (a question text in row 1 spans the sub-headers of row 2 to its right)."""
    data = table.rows[2:]
    columns: list[Column] = []
    groups: list[_Group] = []
    current: _Group | None = None
    for index, (top, below) in enumerate(zip(head, sub, strict=True)):
        if top and not below:  # metadata, custom variables
            current = None
            key = _key(top)
            if key == "respondent id":
                columns.append(Column(index, top, "respondent_id", "id"))
                continue
            custom = _CUSTOM.match(key)
            name = _META.get(key) or (f"custom_data_{custom.group(1)}" if custom else top)
            columns.append(Column(index, top, name, "meta", text=top))
            continue
        if top:  # the first column of a question
            current = _Group(len(groups) + 1, top, [index])
            groups.append(current)
            columns.append(Column(index, top, f"#group{current.number}", "skip"))
            continue
        if not below:
            if any(cell_text(r[index]) for r in data):
                raise FileFormatError(
                    "a column with answers has neither a question text (row 1) nor a "
                    "sub-header (row 2)",
                    file=table.path, sheet=table.sheet, row=table.row_numbers[1],
                    column=column_letter(index), hint=_HOW_TO_EXPORT,
                )
            continue
        if current is None:
            raise FileFormatError(
                "an answer column has a sub-header in row 2 but no question text above "
                "it or to its left in row 1",
                file=table.path, sheet=table.sheet, row=table.row_numbers[0],
                column=column_letter(index), value=below, hint=_HOW_TO_EXPORT,
            )
        current.columns.append(index)
    return columns, groups


def _question_columns(group: _Group, sub: list[str], rows: list[list[Any]],
                      notes: list[str]) -> list[Column]:
    """Column specs for one question (appending a joined column for checkboxes)."""
    code = f"Q{group.number}"
    labels = {i: sub[i] for i in group.columns}
    other = [i for i in group.columns if _key(labels[i]) == _OTHER]
    main = [i for i in group.columns if i not in other]
    out: list[Column] = []
    if len(main) == 1 and _key(labels[main[0]]) in (_SINGLE, _OPEN):
        index = main[0]
        kind = "text" if _key(labels[index]) == _OPEN else None
        out.append(Column(index, group.text, code, "item", text=group.text, kind=kind))
    elif main and _is_checkbox(main, labels, rows):
        out.append(_checkbox(group, code, main, labels, rows))
    else:
        for number, index in enumerate(main, start=1):
            row_label = labels[index]
            kind = "text" if _key(row_label) == _OPEN else None
            out.append(Column(index, f"{group.text} - {row_label}", f"{code}_{number}",
                              "item", text=f"{group.text} - {row_label}", kind=kind,
                              question=code))
    for index in other:
        out.append(Column(index, f"{group.text} - {labels[index]}", f"{code}_other", "item",
                          text=f"{group.text} - {labels[index]}", kind="text"))
    return out


def _is_checkbox(columns: list[int], labels: dict[int, str], rows: list[list[Any]]) -> bool:
    """Whether a question's columns are the options of a checkbox question.

    In an answer-text export every filled cell of an option column repeats the
    column's option label; in a numerical-value export each option column holds
    one constant number (a matrix row varies between respondents).
    """
    data = rows[2:]
    values = {i: [cell_text(r[i]) for r in data if cell_text(r[i])] for i in columns}
    if not any(values.values()):
        return False
    if all(v == labels[i] for i in columns for v in values[i]):
        return True
    numbers_only = all(re.fullmatch(r"\d+(\.0+)?", v) for i in columns for v in values[i])
    return numbers_only and len(columns) > 1 and all(len(set(values[i])) <= 1 for i in columns)


def _checkbox(group: _Group, code: str, columns: list[int], labels: dict[int, str],
              rows: list[list[Any]]) -> Column:
    """Join the ticked options of a checkbox question into one new column."""
    index = len(rows[0])
    rows[0].append(group.text)
    rows[1].append(None)
    for r in rows[2:]:
        ticked = [labels[i] for i in columns if cell_text(r[i])]
        r.append(";".join(ticked) if ticked else None)
    options = tuple((number, labels[i]) for number, i in enumerate(columns, start=1))
    return Column(index, group.text, code, "item", text=group.text, kind="multi",
                  options=options)


def _numeric_answers(specs: list[Column], rows: list[list[Any]]) -> bool:
    """True when every matrix and single-choice answer is a number."""
    seen = False
    for col in specs:
        if col.role != "item" or col.kind is not None:
            continue
        for r in rows[2:]:
            value = r[col.index]
            if value is None or value == "":
                continue
            seen = True
            if isinstance(value, bool) or not (
                isinstance(value, int | float) or re.fullmatch(r"\s*\d+(\.\d+)?\s*", str(value))
            ):
                return False
    return seen


def _dates(series: pd.Series, col: Column, *, table: RawTable) -> pd.Series:
    try:
        return parse_datetimes(series, col, formats=_DATE_FORMATS)
    except BadCell as bad:
        raise BadCell(bad.respondent_id, bad.value,
                      "a SurveyMonkey date column holds a value that is not a date",
                      "SurveyMonkey writes dates as month/day/year with the time, e.g. "
                      "11/20/2024 10:15:23 AM; correct the cell or export the data "
                      "again") from None

