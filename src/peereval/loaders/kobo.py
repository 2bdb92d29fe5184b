"""KoboToolbox response exports (XLSX and CSV).

Layout, as KoboToolbox's export code (the ``formpack`` library and the ``kpi`` server,
whose export tests spell out whole files) and its help pages "Exporting and
downloading your data" and "Advanced options for exporting data" describe it:

- **One header row**, then one submission per row. A second header row of HXL
  hashtags (``#symmetry``) follows when questions carry HXL tags; it is skipped.
- **Headers** are either question labels ("Labels", the default, in any language of
  the form) or question names ("XML values and headers"). With "Include groups in
  headers" each header is the group path, groups and question joined by the group
  separator (``/`` by default): ``group_support/support_1`` or
  ``Mentor support/My mentor listened to me``.
- **Answers** of select questions are choice labels, or choice names (the XML values,
  e.g. ``strongly_agree``) in an "XML values" export.
- **Select Many** questions (``select_multiple``) give, by default, one column with
  the choices separated by spaces plus one column per choice, headed
  ``question/choice`` and holding ``1`` (chosen) or ``0``.
- **Metadata**: the form's metadata questions under their names (``start``, ``end``,
  ``today``, ``username``, ``deviceid``, ...), then the columns KoboToolbox adds:
  ``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``,
  ``_status``, ``_submitted_by``, ``__version__``, ``_tags``, ``_index``.
  ``start``/``end`` are the device's local times with a UTC offset
  (``2024-03-02T09:14:05.123+03:30``; in XLSX exports usually Excel date cells without
  the offset); ``_submission_time`` is the server's time in UTC.
- **CSV**: UTF-8, fields separated by ``;`` and all quoted, CRLF line ends; only the
  main submissions (no repeat groups).
- **XLSX**: the main sheet (named after the form) plus one sheet per repeat group,
  whose rows point to their submission with ``_parent_index``,
  ``_parent_table_name`` and ``_submission__uuid``. :func:`sniff` scores repeat sheets
  low, so :func:`peereval.read_export` reads the main sheet.

How peereval reads it:

- the respondent id is ``_uuid`` (else ``_id``; or ``id_column=``);
- ``start``/``end`` become ``started``/``ended`` (local time, offset dropped);
  other metadata keep their names; KoboToolbox records no ``finished`` or
  ``progress``;
- a group path makes the group the item's ``question`` (items of one group share
  their response scale, as in a KoboToolbox Likert table); in label headers the item
  text is ``group - question``;
- a Select Many answer is rebuilt from its 0/1 choice columns as the chosen choices
  joined by ``;`` (the space-separated column is ambiguous when labels contain
  spaces); the choice columns are not kept as items;
- choice names in an "XML values" export are codes, not labels. Answers are kept
  exactly as exported, and columns whose names read as a known response scale once
  underscores are read as spaces (``strongly_agree``) are marked ``likert``. Whether
  :meth:`~peereval.responses.Responses.numeric` codes them through the
  vocabularies depends on the label normalisation of :mod:`peereval.labels`
  (underscores read as spaces). Choice names that do not read as labels (``neither``,
  ``sa``) cannot be decoded from the export alone: reading it raises a
  :class:`~peereval.errors.LabelError` that says to pass the form
  (``read_export(path, definition="form.xlsx")``, the XLSForm, see
  :mod:`peereval.loaders.definitions`), which decodes every name to its label and
  number; ``keep_codes=True`` reads the names as they are (then
  ``numeric(mapping=...)`` gives their values, as the note :data:`XML_VALUES_NOTE`
  says).

ODK Central and ODK Briefcase exports (``KEY``, ``SubmissionDate``,
``meta-instanceID``, groups joined by ``-``) are a different layout and are not
recognised here.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError, LabelError, Location
from peereval.labels import known_label, label_key, match_labels
from peereval.loaders._common import Column, assemble, parse_datetimes
from peereval.loaders._table import RawTable, cell_text
from peereval.loaders.generic import check_headers
from peereval.responses import Responses, classify_column

__all__ = ["NAME", "OPTIONS", "SYSTEM_COLUMNS", "TITLE", "XML_VALUES_NOTE", "read", "sniff"]

NAME = "kobo"
TITLE = "KoboToolbox"
OPTIONS: frozenset[str] = frozenset({"id_column", "group_separator", "keep_codes"})

#: Columns KoboToolbox adds to every submission, in export order.
SYSTEM_COLUMNS = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes",
                  "_status", "_submitted_by", "__version__", "_tags", "_index")
_REPEAT_COLUMNS = {"_parent_index", "_parent_table_name"}
# XLSForm metadata question types; their columns carry the question's name.
_META_QUESTIONS = {"start": "started", "end": "ended", "today": "today",
                   "username": "username", "deviceid": "deviceid",
                   "phonenumber": "phonenumber", "simserial": "simserial",
                   "subscriberid": "subscriberid", "email": "email", "audit": "audit",
                   "start-geopoint": "start-geopoint"}
_DATE_META = ("started", "ended", "today", "_submission_time")
_XML_NAME = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:.\-]*$")
_CHOICE_NAME = re.compile(r"^[A-Za-z0-9_:.\-]+$")
_MIN_SYSTEM = 3
_RECOGNISED = 1.0
_PARTIAL = 0.6
_REPEAT_SHEET = 0.2

XML_VALUES_NOTE = (
    "answers of {columns} are KoboToolbox choice names (an 'XML values' export), kept "
    "as exported; if numeric() cannot code them, pass your coding, e.g. "
    "numeric(mapping={{'strongly_agree': 5, ...}}), or export the data again with "
    "'Labels' as the value and header format"
)
"""Note added when choice names stand in for labels."""


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is the main sheet of a KoboToolbox export (0-1).

    The columns KoboToolbox adds (``_uuid``, ``_submission_time``, ...) recognise an
    export; a repeat-group sheet (``_parent_index``) scores 0.2, below the 0.5 that
    means "this platform wrote it", so that the main sheet is read.
    """
    if not table.rows:
        return 0.0
    headers = set(table.text_row(0))
    if headers & _REPEAT_COLUMNS or any(h.startswith("_submission__") for h in headers):
        return _REPEAT_SHEET
    found = headers & set(SYSTEM_COLUMNS)
    if len(found) >= _MIN_SYSTEM and found & {"_uuid", "_id"}:
        return _RECOGNISED
    if "_uuid" in found and len(found) == 2:
        return _PARTIAL
    return 0.0


def _is_hxl_row(cells: list[Any]) -> bool:
    texts = [cell_text(c) for c in cells]
    filled = [t for t in texts if t]
    return bool(filled) and all(t.startswith("#") for t in filled)


def _check_layout(table: RawTable, headers: list[str], *, need_id: bool) -> None:
    present = set(headers)
    if present & _REPEAT_COLUMNS or any(h.startswith("_submission__") for h in present):
        raise FileFormatError(
            "this sheet holds the answers of a repeat group (it has _parent_index / "
            "_submission__ columns), not the submissions themselves",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0],
            hint="read the main sheet of the workbook, the one named after the form "
            "(sheet='...'), or leave sheet= out",
        )
    if need_id and not present & {"_uuid", "_id"}:
        raise FileFormatError(
            "the file is not a KoboToolbox export: its header row has neither _uuid nor "
            "_id, columns KoboToolbox adds to every export",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0],
            hint="read it with platform='auto' to detect its layout; if you removed the "
            "_uuid/_id columns, export the data again or pass id_column='...'",
        )


def _find_id(headers: list[str], table: RawTable, wanted: str | None) -> int:
    if wanted is not None:
        if wanted in headers:
            return headers.index(wanted)
        keys = [label_key(h) for h in headers]
        if label_key(wanted) in keys:
            return keys.index(label_key(wanted))
        raise FileFormatError(
            f"there is no column named '{wanted}'",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0],
            hint="columns found: " + ", ".join(h for h in headers if h)[:400],
        )
    return headers.index("_uuid") if "_uuid" in headers else headers.index("_id")


def _select_many(headers: list[str], rows: list[list[Any]], sep: str,
                 skip: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Summary column index -> its 0/1 choice columns ``(index, choice)``."""
    position = {h: i for i, h in enumerate(headers) if h}
    found: dict[int, list[tuple[int, str]]] = {}
    for index, header in enumerate(headers):
        if not header or index in skip or sep not in header:
            continue
        values = {cell_text(r[index]) for r in rows}
        if not values <= {"", "0", "1"}:
            continue
        cut = len(header)
        while (cut := header.rfind(sep, 0, cut)) > 0:
            prefix = header[:cut]
            owner = position.get(prefix)
            if owner is not None and owner < index and owner not in skip:
                found.setdefault(owner, []).append((index, header[cut + len(sep):]))
                break
    return found


def _rebuild_multi(table: RawTable, start: int,
                   multi: dict[int, list[tuple[int, str]]]) -> RawTable:
    """A copy of ``table`` whose Select Many cells list the chosen choices, ``;``-joined."""
    rows = [list(r) for r in table.rows]
    for row in rows[start:]:
        for owner, choices in multi.items():
            chosen = [name for index, name in choices if cell_text(row[index]) == "1"]
            if chosen:
                row[owner] = ";".join(chosen)
    return RawTable(rows, list(table.row_numbers), table.path, table.sheet,
                    table.encoding, table.delimiter)


def _is_choice_scale(values: pd.Series) -> bool:
    """Choice names such as ``strongly_agree`` that read as a known scale."""
    present = [cell_text(v) for v in values.dropna()]
    present = [v for v in present if v]
    if not present or not all(_CHOICE_NAME.match(v) for v in present):
        return False
    if not any("_" in v for v in present):
        return False
    distinct = set(present)
    known = sum(1 for v in distinct if known_label(v.replace("_", " ")))
    return known * 2 >= len(distinct)


def read(table: RawTable, *, id_column: str | None = None, group_separator: str = "/",
         keep_codes: bool = False, **options: Any) -> Responses:
    """Read a KoboToolbox export; see the module docstring for the layout.

    Parameters
    ----------
    table
        The main sheet of an XLSX export, or a CSV export.
    id_column
        Column to use as respondent id instead of ``_uuid``.
    group_separator
        The "group separator" chosen in the export's advanced options (``/`` by
        default).
    keep_codes
        Keep choice names that read as no label (an "XML values" export) as
        exported instead of refusing them; :func:`peereval.read_export` sets it
        when a definition will decode them.

    Returns
    -------
    Responses

    Raises
    ------
    LabelError
        When answers of a rating question are choice names that are not labels and
        ``keep_codes`` is not set: the form (XLSForm) is needed to decode them.
    """
    if not table.rows:
        raise FileFormatError("the export is empty", file=table.path, sheet=table.sheet,
                              hint="export the data again")
    headers = table.text_row(0)
    _check_layout(table, headers, need_id=id_column is None)
    start = 2 if len(table.rows) > 1 and _is_hxl_row(table.row(1)) else 1
    check_headers(table, 0, headers, start)
    id_index = _find_id(headers, table, id_column)
    sep = group_separator or "/"
    rows = table.rows[start:]
    notes: list[str] = []
    if start == 2:
        notes.append(f"row {table.row_numbers[1]} holds HXL hashtags, not a submission; "
                     "it was skipped")

    meta_index = _meta_columns(headers, id_index, sep)
    multi = _select_many(headers, rows, sep, set(meta_index) | {id_index})
    choice_columns = {index for choices in multi.values() for index, _ in choices}
    if multi:
        table = _rebuild_multi(table, start, multi)
        rows = table.rows[start:]

    item_indices = [i for i, h in enumerate(headers)
                    if h and i != id_index and i not in meta_index and i not in choice_columns]
    prefixes = Counter(sep.join(parts[:-1]) for parts in
                       (headers[index].split(sep) for index in item_indices) if len(parts) > 1)

    columns: list[Column] = [Column(id_index, headers[id_index], headers[id_index], "id")]
    scale_names: list[str] = []
    scale_columns: dict[str, list[tuple[int, str, pd.Series]]] = {}
    for index, header in enumerate(headers):
        if index in meta_index:
            columns.append(Column(index, header, meta_index[index], "meta", text=header))
            continue
        if index not in item_indices:
            continue
        parts = header.split(sep)
        xml = all(_XML_NAME.match(p) for p in parts)
        group = sep.join(parts[:-1]) if len(parts) > 1 else None
        if group is not None and not xml and prefixes.get(group, 0) < 2:
            group, parts = None, [header]  # a lone "/" inside a label, not a group path
        values = pd.Series([r[index] for r in rows], dtype=object)
        values = values.where(values.map(lambda v: cell_text(v) != ""), None)
        options_ = None
        if index in multi:
            kind = "multi"
            options_ = tuple((name, name) for _, name in multi[index])
        elif xml and _is_choice_scale(values):
            kind = "likert"
            scale_names.append(parts[-1])
            scale_columns.setdefault(group or parts[-1], []).append((index, header, values))
        else:
            kind = classify_column(values)
        code = parts[-1] if xml else header
        text = header if xml else " - ".join(parts)
        columns.append(Column(index, header, code, "item", text=text, kind=kind,
                              options=options_, question=group))

    if scale_columns and not keep_codes:
        _check_choice_names(table, start, scale_columns)
    notes += _reading_notes(headers, sep, scale_names, multi, meta_index)
    return assemble(
        table,
        columns,
        data_start=start,
        platform=NAME,
        meta_converters=dict.fromkeys(_DATE_META, parse_datetimes),
        notes=notes,
        id_label="submission id",
    )



def _meta_columns(headers: list[str], id_index: int, sep: str) -> dict[int, str]:
    """Metadata columns by index: Kobo's own questions (start, end, ...) under their
    standard names, and underscore, ``meta/`` and ``formhub/`` fields as they are."""
    meta_index: dict[int, str] = {}
    for index, header in enumerate(headers):
        if index == id_index or not header:
            continue
        first = header.split(sep)[0]
        if header in _META_QUESTIONS:
            meta_index[index] = _META_QUESTIONS[header]
        elif header.startswith("_") or first in ("meta", "formhub"):
            meta_index[index] = header
    return meta_index


def _reading_notes(headers: list[str], sep: str, scale_names: list[str],
                   multi: dict[int, Any], meta_index: dict[int, str]) -> list[str]:
    """What the reader did that the user should know: XML choice names read as
    values, Select Many answers rebuilt, local start and end times."""
    notes = []
    if scale_names:
        notes.append(XML_VALUES_NOTE.format(columns=", ".join(scale_names)))
    if multi:
        names = [headers[i].split(sep)[-1] if _XML_NAME.match(headers[i].split(sep)[-1])
                 else headers[i] for i in multi]
        notes.append("Select Many answers of " + ", ".join(names) + " were rebuilt from "
                     "their 0/1 choice columns as the chosen choices joined by ';'")
    if any(v in ("started", "ended") for v in meta_index.values()):
        notes.append("started/ended are the device's local times (any UTC offset written "
                     "by KoboToolbox was dropped); _submission_time is in UTC")
    return notes


def _check_choice_names(table: RawTable, start: int,
                        groups: dict[str, list[tuple[int, str, pd.Series]]]) -> None:
    """Refuse choice names of rating questions that no response scale decodes."""
    from peereval.loaders.definitions import DOWNLOADS, how_to_pass

    problems: list[Location] = []
    names: dict[str, None] = {}
    for columns in groups.values():
        labels = list(dict.fromkeys(cell_text(v) for _, _, values in columns
                                    for v in values.dropna() if cell_text(v)))
        unmatched = set(match_labels(labels).unmatched)
        for index, header, _ in columns:
            for row, number in zip(table.rows[start:], table.row_numbers[start:],
                                   strict=True):
                value = cell_text(row[index])
                if value in unmatched and value not in names:
                    names[value] = None
                    problems.append(Location(table.path, table.sheet, number, header, value))
    if problems:
        raise LabelError(
            f"{len(names)} choice name(s) of an 'XML values' export read as no response "
            f"label ({', '.join(list(names)[:8])}); what each name means (its label and "
            "number) is written only in the form, so the export alone cannot be scored",
            file=table.path, sheet=table.sheet, problems=problems,
            hint=f"download {DOWNLOADS['kobo']} and {how_to_pass('form.xlsx')}; or export "
            "the data again with 'Labels' as the value and header format; or keep the "
            "names with read_export(..., keep_codes=True) and give their values with "
            "numeric(mapping={...})",
        )
