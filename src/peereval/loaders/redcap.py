"""REDCap data exports (CSV), read with or without the project's data dictionary.

Layout (REDCap "Data Exports, Reports, and Stats" > "CSV / Microsoft Excel", the API's
``content=record``, and the data dictionary of "Project Setup > Data Dictionary"):

* One header row, one row per record, or, in a longitudinal project, per record x
  event; a repeating instrument or event adds one row per instance.
* **Raw export** ("raw data"): headers are field names. The first column is the
  record id field (whatever the project's first field is called, usually
  ``record_id``); then, when the project has them, ``redcap_event_name`` (unique
  event name, e.g. ``baseline_arm_1``), ``redcap_repeat_instrument`` (blank for a
  repeating *event*), ``redcap_repeat_instance``, ``redcap_data_access_group`` and
  ``redcap_survey_identifier``; each instrument contributes ``<instrument>_timestamp``
  (survey completion time; ``[not completed]`` while a survey response is partial)
  when survey fields are exported, its fields, and ``<instrument>_complete`` (form
  status: 0 Incomplete, 1 Unverified, 2 Complete). A checkbox field ``var`` becomes
  one 0/1 column per choice, ``var___1``, ``var___2``, ...; choice fields hold their
  codes.
* **Labels export** ("labels"): the same columns headed by field labels ("Record ID",
  "Event Name", "Repeat Instrument", "Repeat Instance", "Data Access Group", "Survey
  Identifier", "Survey Timestamp", "Complete?"), choice fields hold choice labels,
  form statuses "Incomplete"/"Unverified"/"Complete", and checkbox columns are headed
  ``Field label (choice=Choice label)`` and hold "Checked"/"Unchecked".
* **Data dictionary** (CSV): one row per field with the columns "Variable / Field
  Name", "Form Name", "Section Header", "Field Type", "Field Label", "Choices,
  Calculations, OR Slider Labels" (``1, Strongly disagree | 2, Disagree | ...``),
  "Field Note", "Text Validation Type OR Show Slider Number", ..., "Matrix Group
  Name", ...; the API's metadata export (``field_name``, ``form_name``, ...,
  ``select_choices_or_calculations``, ``matrix_group_name``) is read too.

How peereval reads it:

* The respondent id is the record id, joined by ``|`` with the event, the repeating
  instrument and the instance when the export has them (``101|baseline_arm_1``,
  ``103|weekly_arm_1|2``), so that every row keeps its own id; ``meta`` keeps
  ``record_id``, ``event``, ``repeat_instrument`` and ``repeat_instance`` so that
  administrations of one record can be linked again (test-retest, pre/post).
* ``finished`` is True when the form status of every instrument holding items is
  "Complete" (2); the status itself is kept as ``status`` when one instrument holds
  the items, otherwise (and for other instruments' statuses) as
  ``<instrument>_status``. ``ended`` is the survey completion timestamp (the latest
  one when several instruments hold items; each is kept as ``<instrument>_timestamp``);
  REDCap records no start time or progress.
* A checkbox field becomes **one** ``multi`` item named after the field, whose answer
  is the checked choices joined by ``;`` (codes in a raw export, labels in a labels
  export), with the dictionary's choices as ``options``. REDCap writes 0/"Unchecked"
  for every choice of a form that was never filled in, so "nothing checked" and "not
  answered" cannot be told apart: both are missing (``NA``).
* With a dictionary, items get the question text (a matrix row's text is the matrix
  header, i.e. the Section Header of its first field, and the row label joined by
  ``" - "``), the kind of their field type (radio/dropdown: ``likert`` when the field
  belongs to a matrix group or its choice labels form a known scale, else ``choice``;
  checkbox: ``multi``; text, notes: ``text``, or ``number``/``date`` by validation;
  calc, slider: ``number``), the choices as ``options`` (so labels are coded with the
  project's own numbers, not a vocabulary guess) and the matrix group as ``question``.
  Every column of the export must be in the dictionary (it may describe more fields,
  as exports of selected instruments leave some out), and every answer must be one of
  its field's choices.
* Without a dictionary, raw codes are used as numbers and labels are coded with the
  built-in vocabularies; a raw column that is not numeric is free text.
* Rows in which no item has an answer and no form status of the items' instruments is
  set belong to other instruments (e.g. a repeating instrument's rows); they are left
  out and listed in ``notes``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError, LabelError, Location, OutOfRangeError
from peereval.labels import known_label, label_key, normalize_digits
from peereval.loaders._common import (
    BadCell,
    Column,
    assemble,
    check_unique,
    parse_datetimes,
    to_float,
)
from peereval.loaders._table import RawTable, cell_text, open_source
from peereval.responses import ItemKind, Responses, classify_column

__all__ = ["DataDictionary", "Field", "read", "read_dictionary", "sniff"]

NAME = "redcap"
TITLE = "REDCap"
OPTIONS: frozenset[str] = frozenset({"dictionary"})

# Columns REDCap adds to a raw export -> meta names.
_RESERVED = {
    "redcap_event_name": "event",
    "redcap_repeat_instrument": "repeat_instrument",
    "redcap_repeat_instance": "repeat_instance",
    "redcap_data_access_group": "data_access_group",
    "redcap_survey_identifier": "survey_identifier",
}
# Their headers in a labels export (compared case-insensitively).
_RESERVED_LABELS = {
    "event name": "redcap_event_name",
    "repeat instrument": "redcap_repeat_instrument",
    "repeat instance": "redcap_repeat_instance",
    "data access group": "redcap_data_access_group",
    "survey identifier": "redcap_survey_identifier",
}
_TIMESTAMP_LABEL = "survey timestamp"
_STATUS_LABEL = "complete?"
_STATUS_CODES = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
_STATUS_NAMES = {s.casefold(): s for s in _STATUS_CODES.values()}
_NOT_COMPLETED = "[not completed]"
_CHECKED = {"raw": ("1", "0"), "labels": ("checked", "unchecked")}

_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CHOICE_HEADER = re.compile(r"^(?P<label>.*?)\s*\(choice=(?P<choice>.*)\)$", re.DOTALL)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_TAG = re.compile(r"<[^>]*>")

# Data dictionary columns: key -> (header of the CSV download, API metadata name).
_DICTIONARY_COLUMNS = {
    "name": ("Variable / Field Name", "field_name"),
    "form": ("Form Name", "form_name"),
    "section": ("Section Header", "section_header"),
    "type": ("Field Type", "field_type"),
    "label": ("Field Label", "field_label"),
    "choices": ("Choices, Calculations, OR Slider Labels", "select_choices_or_calculations"),
    "validation": ("Text Validation Type OR Show Slider Number",
                   "text_validation_type_or_show_slider_number"),
    "matrix": ("Matrix Group Name", "matrix_group_name"),
}
_DICTIONARY_REQUIRED = ("name", "form", "type", "label")
_CHOICE_TYPES = {"radio", "dropdown", "checkbox"}
_FIXED_CHOICES = {"yesno": ((1, "Yes"), (0, "No")), "truefalse": ((1, "True"), (0, "False"))}
_DICTIONARY_HINT = (
    "download the data dictionary of the project the data were exported from (Project "
    "Setup > Data Dictionary > 'Download the current Data Dictionary'), or read the "
    "export without dictionary="
)


# ------------------------------------------------------------------ data dictionary


@dataclass(frozen=True)
class Field:
    """One row of a REDCap data dictionary.

    Attributes
    ----------
    name, form, type, label
        Variable / field name, form (instrument) name, field type and field label.
    section
        Section header shown above the field (a matrix's header sits on its first row).
    choices
        ``(code, label)`` pairs of a radio, dropdown or checkbox field (yes/no and
        true/false fields get REDCap's fixed codes); ``None`` otherwise.
    validation
        Text validation type (``integer``, ``number``, ``date_ymd``, ...).
    matrix
        Matrix group name; fields of one matrix share their choices.
    row
        Row of the field in the dictionary file (for error messages).
    """

    name: str
    form: str
    type: str
    label: str
    section: str = ""
    choices: tuple[tuple[Any, str], ...] | None = None
    validation: str = ""
    matrix: str = ""
    row: int = 0


@dataclass(frozen=True)
class DataDictionary:
    """A REDCap data dictionary: the project's fields in their order."""

    path: Path
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def record_id(self) -> str:
        """The record id field: the project's first field."""
        return next(iter(self.fields))

    @property
    def forms(self) -> list[str]:
        """Instrument names in project order."""
        return list(dict.fromkeys(f.form for f in self.fields.values()))

    def matrix_header(self, group: str) -> str:
        """The header of a matrix: the section header of its first field."""
        for f in self.fields.values():
            if f.matrix == group:
                return _plain(f.section)
        return ""


def _plain(text: str) -> str:
    """Field or section label without HTML tags and entities, white space collapsed."""
    text = html.unescape(_TAG.sub(" ", text or ""))
    return " ".join(text.split())


def _label_key(text: str) -> str:
    return _plain(text).casefold()


def read_dictionary(path: str | Path) -> DataDictionary:
    """Read a REDCap data dictionary (CSV download or the API's metadata export).

    Parameters
    ----------
    path
        The dictionary file, as downloaded from Project Setup > Data Dictionary.

    Returns
    -------
    DataDictionary

    Raises
    ------
    FileFormatError
        When the file lacks the dictionary's columns, repeats a field name, or a
        choice is not written ``code, label``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "dictionary.csv"
    >>> _ = path.write_text(
    ...     'Variable / Field Name,Form Name,Field Type,Field Label,'
    ...     '"Choices, Calculations, OR Slider Labels"\\n'
    ...     'record_id,survey,text,Record ID,\\n'
    ...     'q1,survey,radio,My mentor helped me,"1, Disagree | 2, Agree"\\n')
    >>> dictionary = read_dictionary(path)
    >>> dictionary.record_id, dictionary.fields["q1"].choices
    ('record_id', ((1, 'Disagree'), (2, 'Agree')))
    """
    path = Path(path)
    source = open_source(path)
    if not source.tables:
        raise FileFormatError("this is not a REDCap data dictionary (not a CSV file)", file=path,
                              hint=_DICTIONARY_HINT)
    table = source.tables[0]
    headers = table.text_row(0)
    keys: dict[str, int] = {}
    for index, header in enumerate(headers):
        for key, names in _DICTIONARY_COLUMNS.items():
            if header.casefold() in (n.casefold() for n in names) and key not in keys:
                keys[key] = index
    missing = [_DICTIONARY_COLUMNS[k][0] for k in _DICTIONARY_REQUIRED if k not in keys]
    if missing:
        raise FileFormatError(
            "this is not a REDCap data dictionary: it has no column(s) "
            + ", ".join(f"'{m}'" for m in missing),
            file=path, sheet=table.sheet, row=table.row_numbers[0], hint=_DICTIONARY_HINT,
        )

    def cell(row: list[Any], key: str) -> str:
        index = keys.get(key)
        return cell_text(row[index]) if index is not None and index < len(row) else ""

    fields: dict[str, Field] = {}
    repeated: list[Location] = []
    for row, number in zip(table.rows[1:], table.row_numbers[1:], strict=True):
        name = cell(row, "name")
        if not name:
            continue
        if name in fields:
            repeated.append(Location(path, table.sheet, number, _DICTIONARY_COLUMNS["name"][0],
                                     name))
            continue
        ftype = cell(row, "type").casefold()
        choices: tuple[tuple[Any, str], ...] | None = _FIXED_CHOICES.get(ftype)
        if ftype in _CHOICE_TYPES:
            choices = _parse_choices(cell(row, "choices"), path, table.sheet, number)
        fields[name] = Field(name=name, form=cell(row, "form"), type=ftype,
                             label=cell(row, "label"), section=cell(row, "section"),
                             choices=choices, validation=cell(row, "validation").casefold(),
                             matrix=cell(row, "matrix"), row=number)
    if repeated:
        raise FileFormatError(
            f"{len(repeated)} field name(s) occur more than once in the data dictionary",
            file=path, sheet=table.sheet, problems=repeated,
            hint="each field must be listed once; download the dictionary again",
        )
    if not fields:
        raise FileFormatError("the data dictionary lists no fields", file=path,
                              sheet=table.sheet, hint=_DICTIONARY_HINT)
    return DataDictionary(path, fields)


def _parse_choices(text: str, path: Path, sheet: str | None,
                   row: int) -> tuple[tuple[Any, str], ...]:
    """``"1, Strongly disagree | 2, Disagree"`` -> ``((1, "Strongly disagree"), ...)``."""
    out = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        code, sep, label = part.partition(",")
        code = code.strip()
        if not sep or not code:
            raise FileFormatError(
                "a choice of the data dictionary is not written 'code, label'",
                file=path, sheet=sheet, row=row, column=_DICTIONARY_COLUMNS["choices"][0],
                value=part, hint="write each choice as 'code, label' and separate choices "
                "with '|', e.g. '1, Strongly disagree | 2, Disagree'",
            )
        out.append((int(code) if re.fullmatch(r"-?\d+", code) else code, label.strip()))
    return tuple(out)


# ------------------------------------------------------------------------ detection


def _values(table: RawTable, index: int) -> list[str]:
    return [cell_text(r[index]) if index < len(r) else "" for r in table.rows[1:]]


def _only(values: Sequence[str], allowed: set[str]) -> bool:
    return all(v.casefold() in allowed for v in values if v)


def _mostly(values: Sequence[str], allowed: set[str]) -> bool:
    """At least half of the non-empty values are allowed ones (the rest are errors)."""
    present = [v.casefold() for v in values if v]
    return not present or 2 * sum(v in allowed for v in present) >= len(present)


def _is_dictionary(headers: Sequence[str]) -> bool:
    lowered = {h.casefold() for h in headers}
    return all(any(n.casefold() in lowered for n in _DICTIONARY_COLUMNS[k])
               for k in _DICTIONARY_REQUIRED)


def _raw_status(table: RawTable, index: int, header: str) -> bool:
    return header.endswith("_complete") and len(header) > 9 and _only(
        _values(table, index), set(_STATUS_CODES))


def _label_status(table: RawTable, index: int, header: str) -> bool:
    return header.casefold() == _STATUS_LABEL and _only(_values(table, index),
                                                         set(_STATUS_NAMES))


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a REDCap data export (0-1)."""
    if len(table.rows) < 2:
        return 0.0
    headers = table.text_row(0)
    if _is_dictionary(headers):
        return 0.0
    status = any(_raw_status(table, i, h) or _label_status(table, i, h)
                 for i, h in enumerate(headers))
    reserved = sum(h in _RESERVED for h in headers)
    label_marks = sum(h.casefold() in _RESERVED_LABELS or h.casefold() == _TIMESTAMP_LABEL
                      for h in headers if h.casefold() != "event name")
    checkboxes = any(
        ("___" in h and _only(_values(table, i), {"0", "1"}))
        or (_CHOICE_HEADER.match(h) and _only(_values(table, i), {"checked", "unchecked"}))
        for i, h in enumerate(headers))
    if status:
        return 1.0 if reserved or label_marks or checkboxes else 0.9
    if reserved:
        return 0.8
    if label_marks:
        return 0.6
    return 0.0


# ----------------------------------------------------------------------- column plan


@dataclass
class _Col:
    """How one column of the export is read."""

    index: int
    header: str
    role: str  # record, reserved, timestamp, status, field, checkbox
    name: str = ""  # field name, reserved column name, or item code
    code: Any = None  # checkbox choice (code in raw exports, label in labels exports)
    form: str | None = None
    spec: Field | None = None


def _mode(headers: list[str], table: RawTable, dictionary: DataDictionary | None) -> str:
    """``"raw"`` (field-name headers) or ``"labels"`` (field-label headers)."""
    if dictionary is not None:
        if headers[0] in dictionary.fields or any(h in _RESERVED for h in headers):
            return "raw"
        if _label_key(headers[0]) == _label_key(dictionary.fields[dictionary.record_id].label):
            return "labels"
        return "raw" if _FIELD_NAME.match(headers[0]) else "labels"
    raw_marks = any(h in _RESERVED or h.endswith(("_complete", "_timestamp")) or "___" in h
                    for h in headers)
    if raw_marks and _FIELD_NAME.match(headers[0]):
        return "raw"
    return "labels"


def _plan_raw(headers: list[str], table: RawTable) -> list[_Col]:
    cols = [_Col(0, headers[0], "record", headers[0])]
    for i, h in enumerate(headers[1:], start=1):
        values = _values(table, i)
        if h in _RESERVED:
            cols.append(_Col(i, h, "reserved", h))
        elif h.endswith("_complete") and len(h) > 9 and _mostly(values, set(_STATUS_CODES)):
            cols.append(_Col(i, h, "status", h, form=h[:-9]))
        elif h.endswith("_timestamp") and len(h) > 10 and all(
                not v or v == _NOT_COMPLETED or _TIMESTAMP.match(v) for v in values):
            cols.append(_Col(i, h, "timestamp", h, form=h[:-10]))
        elif "___" in h and _mostly(values, {"0", "1"}):
            name, _, code = h.partition("___")
            cols.append(_Col(i, h, "checkbox", name, _code(code)))
        else:
            cols.append(_Col(i, h, "field", h))
    return cols


def _plan_labels(headers: list[str], table: RawTable) -> list[_Col]:
    cols = [_Col(0, headers[0], "record", headers[0])]
    for i, h in enumerate(headers[1:], start=1):
        key = h.casefold()
        choice = _CHOICE_HEADER.match(h)
        if key in _RESERVED_LABELS:
            cols.append(_Col(i, h, "reserved", _RESERVED_LABELS[key]))
        elif key == _TIMESTAMP_LABEL:
            cols.append(_Col(i, h, "timestamp", h))
        elif key == _STATUS_LABEL and _mostly(_values(table, i), set(_STATUS_NAMES)):
            cols.append(_Col(i, h, "status", h))
        elif choice and _mostly(_values(table, i), {"checked", "unchecked"}):
            cols.append(_Col(i, h, "checkbox", choice["label"], choice["choice"].strip()))
        else:
            cols.append(_Col(i, h, "field", h))
    return cols


def _plan_raw_dictionary(headers: list[str], table: RawTable,
                         dictionary: DataDictionary) -> tuple[list[_Col], list[str]]:
    fields = dictionary.fields
    forms = set(dictionary.forms)
    cols: list[_Col] = []
    unknown: list[str] = []
    for i, h in enumerate(headers):
        spec = fields.get(h)
        if i == 0:
            if spec is None:
                unknown.append(h)
            cols.append(_Col(0, h, "record", h, spec=spec))
        elif h in _RESERVED:
            cols.append(_Col(i, h, "reserved", h))
        elif spec is not None:
            cols.append(_Col(i, h, "field", h, form=spec.form, spec=spec))
        elif h.endswith("_complete") and h[:-9] in forms:
            cols.append(_Col(i, h, "status", h, form=h[:-9]))
        elif h.endswith("_timestamp") and h[:-10] in forms:
            cols.append(_Col(i, h, "timestamp", h, form=h[:-10]))
        else:
            name, sep, suffix = h.partition("___")
            spec = fields.get(name) if sep else None
            code = _checkbox_code(spec, suffix) if spec is not None else None
            if code is None:
                unknown.append(h)
                continue
            cols.append(_Col(i, h, "checkbox", name, code, form=spec.form, spec=spec))
    return cols, unknown


def _checkbox_code(spec: Field, suffix: str) -> Any:
    if spec.type != "checkbox" or not spec.choices:
        return None
    for code, _ in spec.choices:
        text = str(code).casefold()
        if suffix.casefold() in (text, text.replace("-", "_"), text.replace(".", "_")):
            return code
    return None


def _plan_labels_dictionary(headers: list[str], table: RawTable,
                            dictionary: DataDictionary) -> tuple[list[_Col], list[str]]:
    """Align label headers with the columns the dictionary predicts, in order."""
    expected: list[tuple[str, _Col]] = []
    record = dictionary.fields[dictionary.record_id]
    for key, name in _RESERVED_LABELS.items():
        expected.append((key, _Col(-1, "", "reserved", name)))
    for form in dictionary.forms:
        expected.append((_TIMESTAMP_LABEL, _Col(-1, "", "timestamp", f"{form}_timestamp",
                                                 form=form)))
        for spec in dictionary.fields.values():
            if spec.form != form or spec.name == record.name or spec.type == "descriptive":
                continue
            if spec.type == "checkbox":
                for code, label in spec.choices or ():
                    key = _label_key(f"{spec.label} (choice={label})")
                    expected.append((key, _Col(-1, "", "checkbox", spec.name, code, form, spec)))
            else:
                expected.append((_label_key(spec.label), _Col(-1, "", "field", spec.name,
                                                               form=form, spec=spec)))
        expected.append((_STATUS_LABEL, _Col(-1, "", "status", f"{form}_complete", form=form)))
    cols = [_Col(0, headers[0], "record", record.name, spec=record)]
    unknown: list[str] = []
    if _label_key(headers[0]) != _label_key(record.label):
        unknown.append(headers[0])
    pointer = 0
    for i, h in enumerate(headers[1:], start=1):
        key = _label_key(h)
        found = next((q for q in range(pointer, len(expected)) if expected[q][0] == key), None)
        if found is None:
            unknown.append(h)
            continue
        cols.append(replace(expected[found][1], index=i, header=h))
        pointer = found + 1
    return cols, unknown


def _assign_forms(cols: list[_Col], labels: bool) -> None:
    """Give each column its instrument by position: a form's status column closes it.

    Survey timestamps open the form of the next field; fields take the form of the
    status column that follows them. In a labels export without a dictionary forms
    have no names and are numbered ``form_1``, ``form_2``, ...
    """
    pending: list[_Col] = []
    number = 0
    for col in cols:
        if col.role in ("field", "checkbox", "timestamp"):
            pending.append(col)
        elif col.role == "status":
            number += 1
            if col.form is None:
                col.form = f"form_{number}" if labels else col.name
            for p in pending:
                if p.form is None:
                    p.form = col.form
            pending = []
    following: str | None = None
    for col in reversed(cols):
        if col.role in ("field", "checkbox", "status"):
            following = col.form
        elif col.role == "timestamp" and following is not None:
            col.form = following


def _code(text: str) -> Any:
    return int(text) if re.fullmatch(r"-?\d+", text) else text


# ---------------------------------------------------------------------------- read


def read(table: RawTable, *, dictionary: str | Path | DataDictionary | None = None,
         **options: Any) -> Responses:
    """Read a REDCap data export; see the module docstring for the layout.

    Parameters
    ----------
    table
        The export's raw table.
    dictionary
        The project's data dictionary (path, or a :class:`DataDictionary`), giving
        question texts, field types, choices and matrix groups.

    Returns
    -------
    Responses

    Raises
    ------
    FileFormatError
        When the layout is not REDCap's, a column is missing from the dictionary, or
        a checkbox or form status cell holds an impossible value.
    OutOfRangeError, LabelError
        When an answer is not one of its field's choices in the dictionary.
    DuplicateIdError
        When a record (record x event x instance) occurs in more than one row.
    """
    if isinstance(dictionary, str | Path):
        dictionary = read_dictionary(dictionary)
    headers = table.text_row(0)
    if not headers or not headers[0]:
        raise FileFormatError("the first column has no header; REDCap puts the record id "
                              "field there", file=table.path, sheet=table.sheet,
                              row=table.row_numbers[0] if table.rows else None,
                              hint="export the data again from REDCap without editing it")
    if _is_dictionary(headers):
        raise FileFormatError(
            "this is a REDCap data dictionary, not a data export",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0],
            hint="give the exported data file as the first argument and the dictionary as "
            "dictionary='...' (command line: --dictionary FILE)",
        )
    mode = _mode(headers, table, dictionary)
    if dictionary is None:
        cols = _plan_raw(headers, table) if mode == "raw" else _plan_labels(headers, table)
        if not any(c.role in ("status", "reserved") for c in cols) and not any(
                c.role == "timestamp" for c in cols):
            raise FileFormatError(
                "the file is not a REDCap data export: no column is a form status "
                "('<instrument>_complete', or 'Complete?' in a labels export) or a REDCap "
                "column such as redcap_event_name",
                file=table.path, sheet=table.sheet, row=table.row_numbers[0],
                hint="export the data again from REDCap (Data Exports, Reports, and Stats > "
                "Export Data > CSV, raw data or labels); a report without the status columns "
                "can be read with the project's data dictionary= ; or read the file with "
                "platform='auto'",
            )
    else:
        plan = _plan_raw_dictionary if mode == "raw" else _plan_labels_dictionary
        cols, unknown = plan(headers, table, dictionary)
        if unknown or len(cols) < 2:
            raise FileFormatError(
                f"{len(unknown)} column(s) of the export are not in the data dictionary "
                f"'{dictionary.path.name}': " + ", ".join(f"'{u}'" for u in unknown[:25]),
                file=table.path, sheet=table.sheet, row=table.row_numbers[0],
                problems=[Location(table.path, table.sheet, table.row_numbers[0], u)
                          for u in unknown],
                hint="the dictionary belongs to another project or an older version of this "
                "one; " + _DICTIONARY_HINT,
            )
    _assign_forms(cols, labels=mode == "labels" and dictionary is None)
    return _build(table, cols, mode, dictionary)


def _build(table: RawTable, cols: list[_Col], mode: str,
           dictionary: DataDictionary | None) -> Responses:
    notes: list[str] = []
    items = [c for c in cols if c.role in ("field", "checkbox")]
    item_forms = {c.form for c in items}
    statuses = [c for c in cols if c.role == "status" and c.form in item_forms]
    stamps = [c for c in cols if c.role == "timestamp" and c.form in item_forms]
    unchecked = {"0", "unchecked"}

    # Rows of other instruments (no answer, no status of the items' forms).
    keep: list[int] = []
    dropped: list[int] = []
    for k, row in enumerate(table.rows[1:]):
        answered = any(cell_text(row[c.index]) and (
            c.role == "field" or cell_text(row[c.index]).casefold() not in unchecked)
            for c in items)
        if not statuses or answered or any(cell_text(row[c.index]) for c in statuses):
            keep.append(k + 1)
        else:
            dropped.append(table.row_numbers[k + 1])
    if dropped:
        notes.append(f"{len(dropped)} row(s) hold no answer and no form status of the "
                     "survey's instrument(s), so they belong to other instruments and were "
                     "left out: rows " + ", ".join(map(str, dropped)))
    rows = [list(table.rows[k]) for k in [0, *keep]]
    numbers = [table.row_numbers[k] for k in [0, *keep]]
    work = RawTable(rows, numbers, table.path, table.sheet, table.encoding, table.delimiter)
    if len(rows) < 2:
        raise FileFormatError("the export has a header row but no responses below it",
                              file=table.path, sheet=table.sheet,
                              hint="check the export's filters and selected instruments")

    ids = _respondent_ids(work, cols)
    if any(c.role == "reserved" and c.name in ("redcap_event_name", "redcap_repeat_instance")
           for c in cols):
        notes.append("respondent ids join the record id with the event, repeating "
                     "instrument and instance ('101|baseline_arm_1'); meta['record_id'] "
                     "links the administrations of one record")

    if dictionary is not None:
        _check_codes(work, [c for c in items if c.spec is not None], mode)

    combined = _checkbox_columns(work, [c for c in items if c.role == "checkbox"], mode,
                                 dictionary)
    columns: list[Column] = []
    converters: dict[str, Any] = {}
    record = cols[0]
    columns.append(Column(record.index, record.header, "record_id", "meta"))
    for col in cols:
        if col.role == "reserved":
            meta = _RESERVED[col.name]
            columns.append(Column(col.index, col.header, meta, "meta"))
            if meta == "repeat_instance":
                converters[meta] = _to_int
        elif col.role == "timestamp":
            single = len(stamps) == 1 and col in stamps
            code = "ended" if single else f"{col.form}_timestamp"
            columns.append(Column(col.index, col.header, code, "meta"))
            converters[code] = _survey_time
        elif col.role == "status":
            single = len(statuses) == 1 and col in statuses
            code = "status" if single else f"{col.form}_status"
            columns.append(Column(col.index, col.header, code, "meta"))
            converters[code] = _status
        elif col.role == "field":
            columns.append(_item_column(work, col, mode, dictionary))
        elif col.role == "checkbox" and col.name in combined:
            columns.append(combined.pop(col.name))  # at the place of its first choice

    responses = assemble(work, columns, data_start=1, platform=NAME, ids=ids,
                         meta_converters=converters, notes=notes, id_label="record id")
    _finish_meta(responses, statuses, stamps)
    return responses


def _respondent_ids(work: RawTable, cols: list[_Col]) -> list[str]:
    record = cols[0]
    parts = [record] + [c for name in ("redcap_event_name", "redcap_repeat_instrument",
                                       "redcap_repeat_instance")
                        for c in cols if c.role == "reserved" and c.name == name]
    data = work.rows[1:]
    numbers = work.row_numbers[1:]
    empty = [n for r, n in zip(data, numbers, strict=True) if not cell_text(r[record.index])]
    if empty:
        raise FileFormatError(
            f"{len(empty)} row(s) have no record id",
            file=work.path, sheet=work.sheet, row=empty[0], column=record.header,
            problems=[Location(work.path, work.sheet, n, record.header) for n in empty],
            hint="every row of a REDCap export starts with its record id; export the data "
            "again, or delete the empty rows",
        )
    ids = ["|".join(normalize_digits(cell_text(r[c.index])) for c in parts
                    if cell_text(r[c.index])) for r in data]
    header = record.header if len(parts) == 1 else " + ".join(c.header for c in parts)
    label = "record id" if len(parts) == 1 else "record x event x instance combination"
    check_unique(ids, numbers, work.path, work.sheet, header, label)
    return ids


def _item_column(work: RawTable, col: _Col, mode: str,
                 dictionary: DataDictionary | None) -> Column:
    if col.spec is not None:
        kind, options = _dictionary_kind(col.spec)
        return Column(col.index, col.header, col.spec.name, "item",
                      text=_item_text(col.spec, dictionary), kind=kind, options=options,
                      question=col.spec.matrix or None)
    values = pd.Series([cell_text(r[col.index]) or None for r in work.rows[1:]], dtype=object)
    return Column(col.index, col.header, col.header, "item", text=col.header,
                  kind=_guess_kind(values, raw=mode == "raw"))


def _checkbox_columns(work: RawTable, cols: list[_Col], mode: str,
                      dictionary: DataDictionary | None) -> dict[str, Column]:
    """One ``multi`` column per checkbox field, appended to the rows of ``work``.

    The answer is the checked choices joined by ``;``: their codes in a raw export,
    their labels in a labels export.
    """
    groups: dict[str, list[_Col]] = {}
    for col in cols:
        groups.setdefault(col.name, []).append(col)
    checked, unchecked = _CHECKED[mode]
    out: dict[str, Column] = {}
    problems: list[Location] = []
    for name, members in groups.items():
        spec = members[0].spec
        labels = dict(spec.choices or ()) if spec is not None else {}
        index = len(work.rows[0])
        work.rows[0].append(name)
        for row, number in zip(work.rows[1:], work.row_numbers[1:], strict=True):
            chosen = []
            for m in members:
                value = cell_text(row[m.index])
                if value.casefold() == checked:
                    chosen.append(str(labels.get(m.code, m.code)) if mode == "labels"
                                  else str(m.code))
                elif value and value.casefold() != unchecked:
                    problems.append(Location(work.path, work.sheet, number, m.header, value))
            row.append(";".join(chosen) or None)
        if spec is not None:
            out[name] = Column(index, spec.name, spec.name, "item",
                               text=_item_text(spec, dictionary), kind="multi",
                               options=spec.choices, question=spec.matrix or None)
        else:
            out[name] = Column(index, name, name, "item", text=name, kind="multi")
    if problems:
        raise FileFormatError(
            f"{len(problems)} checkbox cell(s) hold a value other than "
            + ("1/0" if mode == "raw" else "Checked/Unchecked"),
            file=work.path, sheet=work.sheet, problems=problems,
            hint="a checkbox column holds 1 (checked) or 0 (not checked) in a raw export and "
            "'Checked'/'Unchecked' in a labels export; export the data again",
        )
    return out


def _check_codes(work: RawTable, cols: list[_Col], mode: str) -> None:
    """Every answer of a choice field must be one of the dictionary's choices."""
    problems: list[Location] = []
    allowed_text: dict[str, str] = {}
    for col in cols:
        spec = col.spec
        if col.role != "field" or spec is None or not spec.choices:
            continue
        if mode == "raw":
            allowed = {str(code).casefold() for code, _ in spec.choices}
            key = str.casefold
        else:
            allowed = {label_key(label) for _, label in spec.choices}
            key = label_key
        allowed_text[col.header] = ", ".join(
            f"{c} = {lab}" if mode == "raw" else lab for c, lab in spec.choices)
        for row, number in zip(work.rows[1:], work.row_numbers[1:], strict=True):
            value = cell_text(row[col.index])
            if value and key(value) not in allowed:
                problems.append(Location(work.path, work.sheet, number, col.header, value))
    if not problems:
        return
    listed = "; ".join(f"{h}: {t}" for h, t in allowed_text.items()
                       if any(p.column == h for p in problems))
    if mode == "raw":
        raise OutOfRangeError(
            f"{len(problems)} answer code(s) are not among the choices the data dictionary "
            f"gives for their field ({listed})",
            file=work.path, sheet=work.sheet, problems=problems,
            hint="the export and the dictionary may come from different versions of the "
            "project (choices changed after data were entered); download both again, or fix "
            "the values in REDCap",
        )
    raise LabelError(
        f"{len(problems)} answer label(s) are not among the choices the data dictionary "
        f"gives for their field ({listed})",
        file=work.path, sheet=work.sheet, problems=problems,
        hint="the export and the dictionary may come from different versions of the project; "
        "download both again, or read the export without dictionary= and pass "
        "numeric(mapping=...)",
    )


# ------------------------------------------------------------------------ item kinds


def _dictionary_kind(spec: Field) -> tuple[ItemKind, tuple[tuple[Any, str], ...] | None]:
    ftype = spec.type
    if ftype in ("radio", "dropdown"):
        ordered = spec.matrix or (spec.choices and all(
            known_label(label) for _, label in spec.choices))
        return ("likert" if ordered else "choice"), spec.choices
    if ftype in _FIXED_CHOICES:
        return "choice", spec.choices
    if ftype == "checkbox":
        return "multi", spec.choices
    if ftype == "text":
        validation = spec.validation
        if validation.startswith(("date", "time")):
            return "date", None
        if validation in ("integer", "number") or validation.startswith("number"):
            return "number", None
        return "text", None
    if ftype in ("calc", "slider"):
        return "number", None
    if ftype == "sql":
        return "choice", None
    return "text", None


def _item_text(spec: Field, dictionary: DataDictionary | None) -> str:
    label = _plain(spec.label) or spec.name
    if spec.matrix and dictionary is not None:
        header = dictionary.matrix_header(spec.matrix)
        if header:
            return f"{header} - {label}"
    return label


def _guess_kind(values: pd.Series, *, raw: bool) -> ItemKind:
    """An item's kind from its answers, for exports read without a dictionary.

    In a raw export choice fields hold numeric codes, so any other column holds free
    text (or dates). In a labels export, a column whose answers do not repeat and
    contain spaces is free text rather than a set of choices.
    """
    present = [str(v).strip() for v in values.dropna() if str(v).strip()]
    if not present:
        return "text"
    if all(_TIMESTAMP.match(v) for v in present):
        return "date"
    kind = classify_column(values)
    if raw:
        return kind if kind in ("likert", "number") else "text"
    if kind == "choice" and len(set(present)) == len(present) > 1 and any(
            " " in v for v in present):
        return "text"
    return kind


# ------------------------------------------------------------------------------ meta


def _status(series: pd.Series, col: Column) -> pd.Series:
    def one(rid: Any, value: Any) -> Any:
        if value is None:
            return None
        text = cell_text(value)
        status = _STATUS_CODES.get(text) or _STATUS_NAMES.get(text.casefold())
        if status is None:
            raise BadCell(rid, value, "a form status column holds an unknown status",
                          "REDCap writes 0, 1, 2 (raw) or Incomplete, Unverified, Complete")
        return status

    return pd.Series([one(r, v) for r, v in series.items()], index=series.index, dtype=object)


def _survey_time(series: pd.Series, col: Column) -> pd.Series:
    cleaned = pd.Series([None if v is None or cell_text(v) == _NOT_COMPLETED else v
                         for v in series], index=series.index, dtype=object)
    return parse_datetimes(cleaned, col)


def _to_int(series: pd.Series, col: Column) -> pd.Series:
    return to_float(series, col).astype("Int64")


def _finish_meta(responses: Responses, statuses: list[_Col], stamps: list[_Col]) -> None:
    """``finished``: every instrument holding items is "Complete"; ``ended``: latest time."""
    meta = responses.meta
    names = ["status"] if len(statuses) == 1 else [f"{c.form}_status" for c in statuses]
    names = [n for n in names if n in meta]
    if names:
        statuses_frame = meta[names]
        complete = statuses_frame.eq("Complete").sum(axis=1) == len(names)
        finished = pd.Series(complete.to_numpy(), index=meta.index, dtype="boolean")
        finished[statuses_frame.isna().all(axis=1).to_numpy()] = pd.NA
        meta.insert(1, "finished", finished)
    if len(stamps) > 1:
        times = [f"{c.form}_timestamp" for c in stamps if f"{c.form}_timestamp" in meta]
        if times:
            meta.insert(1, "ended", meta[times].max(axis=1))
