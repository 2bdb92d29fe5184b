"""Qualtrics response exports (CSV, TSV, XLSX), current and legacy layouts.

Layout (Qualtrics support page "Understanding your dataset"): three header rows.
Row 1 holds the export tags (``StartDate``, ``ResponseId``, ``Q1``, ``Q3_2``,
``Q5_TEXT``, embedded-data names); row 2 the question text (a matrix row as
``"question text - row text"``); row 3 a JSON object per column,
``{"ImportId":"QID3_2"}`` for questions and ``{"ImportId":"startDate",
"timeZone":"America/Denver"}`` for metadata. Answers follow from row 4, either as
choice text ("Use choice text") or as numeric recode values ("Use numeric values").
CSV files start with a UTF-8 byte-order mark; TSV files are UTF-16 with a BOM.

Legacy layout (the exporter Qualtrics replaced in 2017; archives from before then,
and later exports made with "Use legacy exporter"), as in the legacy sample files
of the R package qualtRics and of QualtricsTools: two header rows. Row 1 names the
ten system columns ``V1`` ... ``V10`` and then the export tags (``Q1``, ``Q2_3``,
``Q6_TEXT``, embedded-data names, ``LocationLatitude``, ``LocationLongitude``,
``LocationAccuracy``); row 2 gives the system columns' names (``ResponseID``,
``ResponseSet``, ``Name``, ``ExternalDataReference``, ``EmailAddress``,
``IPAddress``, ``Status``, ``StartDate``, ``EndDate``, ``Finished``) and the
question texts, a matrix row as ``"question text-statement"`` (long question
texts cut to 99 characters and ``...``), a text-entry part as ``"...-TEXT"``;
embedded data and location columns carry their name in both rows. Every line
ends with a comma. There is no ImportId, Progress, Duration or time-zone column.
"""

from __future__ import annotations

import json
import re
from typing import Any

from peereval._format import count_of
from peereval.errors import FileFormatError
from peereval.loaders._common import Column, assemble, parse_datetimes, to_bool, to_float
from peereval.loaders._table import RawTable, cell_text
from peereval.responses import Responses

NAME = "qualtrics"
TITLE = "Qualtrics"
OPTIONS: frozenset[str] = frozenset()

# ImportId of Qualtrics' built-in metadata fields -> our standard meta names.
_META = {
    "startdate": "started",
    "enddate": "ended",
    "status": "status",
    "ipaddress": "ip_address",
    "progress": "progress",
    "duration": "duration_s",
    "finished": "finished",
    "recordeddate": "recorded",
    "_recordid": "response_id",
    "recipientlastname": "recipient_last_name",
    "recipientfirstname": "recipient_first_name",
    "recipientemail": "recipient_email",
    "externaldatareference": "external_reference",
    "locationlatitude": "latitude",
    "locationlongitude": "longitude",
    "distributionchannel": "distribution_channel",
    "userlanguage": "language",
}
# Column tags that identify Qualtrics' metadata when the ImportId row is unusual.
_META_TAGS = {"StartDate", "EndDate", "Status", "Progress", "Finished", "ResponseId",
              "RecordedDate", "Duration (in seconds)", "DistributionChannel"}
_STATUS_CODES = {"0": "IP Address", "1": "Survey Preview", "2": "Survey Test",
                 "4": "Imported", "8": "Spam", "9": "Survey Preview Spam",
                 "12": "Imported Spam", "16": "Offline", "17": "Offline Survey Preview"}
# Legacy layout: row-2 names of the V1..V10 system columns -> our meta names.
_LEGACY_SYSTEM = {
    "responseid": "response_id",
    "responseset": "response_set",
    "name": "recipient_name",
    "externaldatareference": "external_reference",
    "emailaddress": "recipient_email",
    "ipaddress": "ip_address",
    "status": "status",
    "startdate": "started",
    "enddate": "ended",
    "finished": "finished",
}
_LEGACY_LOCATION = {"locationlatitude": "latitude", "locationlongitude": "longitude",
                    "locationaccuracy": "location_accuracy"}
_V_TAG = re.compile(r"^V\d+$")
_MATRIX_TAG = re.compile(r"^(.+)_(\d+)$")
# Legacy system columns that must be recognised before the layout is taken as legacy.
_LEGACY_REQUIRED = {"responseid", "startdate", "enddate", "finished"}
_LEGACY_MIN_SYSTEM = 6
_QID = re.compile(r"^QID(\d+)(?:_(\d+|x\d+))?(?:_(TEXT|\d+_TEXT|x\d+_TEXT))?$", re.IGNORECASE)


def _import_id(cell: Any) -> dict[str, Any] | None:
    text = cell_text(cell)
    if not text.startswith("{"):
        return None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) and "ImportId" in parsed else None


def _legacy_system_columns(table: RawTable) -> dict[int, str]:
    """Column index -> row-2 name (casefolded) of each legacy ``V1``... system column."""
    if len(table.rows) < 2:
        return {}
    tags, names = table.text_row(0), table.text_row(1)
    return {i: name.casefold() for i, (tag, name) in enumerate(zip(tags, names, strict=True))
            if _V_TAG.match(tag) and name.casefold() in _LEGACY_SYSTEM}


def is_legacy(table: RawTable) -> bool:
    """Whether ``table`` has the legacy two-row header (``V1`` ... / ``ResponseID`` ...).

    Row 1 must start with ``V1`` and at least six ``V`` columns must carry a legacy
    system name in row 2, among them ``ResponseID``, ``StartDate``, ``EndDate`` and
    ``Finished``.
    """
    if not table.rows or cell_text(table.rows[0][0]).lstrip("\ufeff") != "V1":
        return False
    system = _legacy_system_columns(table)
    return len(system) >= _LEGACY_MIN_SYSTEM and set(system.values()) >= _LEGACY_REQUIRED


def _legacy_tags_only(table: RawTable) -> bool:
    """Row 1 starts ``V1, V2, ..., V7`` but row 2 does not name the system columns."""
    head = [cell_text(c).lstrip("\ufeff") for c in table.row(0)[:7]]
    return head == [f"V{i}" for i in range(1, 8)] and not is_legacy(table)


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a Qualtrics export (0-1), in either layout."""
    if is_legacy(table):
        return 1.0
    if _legacy_tags_only(table):
        return 0.6  # read() explains what is missing
    if len(table.rows) < 3:
        return 0.0
    tags = set(table.text_row(0))
    ids = [_import_id(c) for c in table.row(2)]
    share_json = sum(x is not None for x in ids) / max(1, table.width)
    if share_json > 0.8:
        return 1.0
    if len(tags & _META_TAGS) >= 3:
        return 0.6
    return 0.0


def read(table: RawTable, **options: Any) -> Responses:
    """Read a Qualtrics export; see the module docstring for the two layouts."""
    if is_legacy(table):
        return read_legacy(table)
    tags, texts, import_ids = _checked_headers(table)

    columns: list[Column] = []
    notes: list[str] = []
    time_zone = None
    for index, (tag, text, imp) in enumerate(zip(tags, texts, import_ids, strict=True)):
        import_id = str((imp or {}).get("ImportId", tag))
        key = import_id.casefold()
        if key == "_recordid":
            columns.append(Column(index, tag, "response_id", "id"))
            continue
        if key in _META:
            columns.append(Column(index, tag, _META[key], "meta", text=text))
            time_zone = time_zone or (imp or {}).get("timeZone")
            continue
        match = _QID.match(import_id)
        if match is None:  # embedded data, scoring, and other fields
            columns.append(Column(index, tag, tag or import_id, "meta", text=text))
            continue
        question = f"QID{match.group(1)}"
        is_text = match.group(3) is not None
        columns.append(
            Column(
                index,
                tag,
                tag,
                "item",
                text=text,
                kind="text" if is_text else None,
                question=question if match.group(2) and not is_text else None,
            )
        )
    if time_zone:
        notes.append(f"start and end times are local times in the time zone {time_zone}")
    responses = assemble(
        table,
        columns,
        data_start=3,
        platform=NAME,
        meta_converters={
            "started": parse_datetimes,
            "ended": parse_datetimes,
            "recorded": parse_datetimes,
            "progress": to_float,
            "duration_s": to_float,
            "finished": to_bool,
            "status": _status,
            "latitude": to_float,
            "longitude": to_float,
        },
        notes=notes,
        id_label="ResponseId",
    )
    _note_previews(responses)
    return responses


def _checked_headers(table: RawTable) -> tuple[list[str], list[str], list[Any]]:
    """The three header rows of a Qualtrics export (tags, question texts, parsed
    ImportIds), refused with what went wrong when they were removed or edited."""
    if _legacy_tags_only(table):
        raise FileFormatError(
            "this looks like a Qualtrics legacy export (row 1: V1, V2, ...) whose second "
            "header row, naming the system columns (ResponseID, ResponseSet, Name, ..., "
            "StartDate, EndDate, Finished), was removed or edited",
            file=table.path, sheet=table.sheet,
            row=table.row_numbers[1] if len(table.rows) > 1 else table.row_numbers[0],
            value=" ".join(table.text_row(1)[:4])[:80] or None,
            hint="export the data again from Qualtrics and do not edit the two header "
            "rows; or read the file as a plain table with platform='generic'",
        )
    tags = table.text_row(0)
    texts = table.text_row(1)
    import_ids = [_import_id(c) for c in table.row(2)]
    if sum(x is not None for x in import_ids) < 0.8 * max(1, table.width):
        if len(set(tags) & _META_TAGS) >= 3:
            raise FileFormatError(
                "this looks like a Qualtrics export whose second and third header rows "
                "(question text and ImportId) were removed or edited",
                file=table.path, sheet=table.sheet, row=table.row_numbers[min(2, len(
                    table.rows) - 1)],
                hint="export the data again from Qualtrics (Data & Analysis > Export & "
                "Import > Export data, CSV) and do not edit the header rows; or read the "
                "file as a plain table with platform='generic'",
            )
        raise FileFormatError(
            "the file is not a Qualtrics export: row 3 should hold a JSON ImportId such as "
            '{"ImportId":"QID1"} in every column (or, in the legacy layout, row 1 '
            "should name the system columns V1, V2, ... and row 2 ResponseID, "
            "ResponseSet, ...)",
            file=table.path, sheet=table.sheet, row=table.row_numbers[min(2, len(table.rows)
                                                                           - 1)],
            hint="read it with platform='auto' to detect its layout",
        )
    return tags, texts, import_ids


def _status(series: Any, col: Column) -> Any:
    return series.map(lambda v: None if v is None else _STATUS_CODES.get(cell_text(v),
                                                                           cell_text(v)))


def read_legacy(table: RawTable) -> Responses:
    """Read a Qualtrics export in the legacy layout (see the module docstring).

    The ``V`` system columns are told by their names in row 2 (``ResponseID`` is
    the respondent id). A column whose two header cells are equal is embedded data
    or a location field (metadata); every other column is a question, of kind
    ``text`` when its tag ends in ``_TEXT`` or its text in ``-TEXT``, otherwise of
    the kind its answers show. Matrix rows (tags ``Q2_1``, ``Q2_2`` ... whose texts
    share the part before the last ``-``) share ``Item.question`` (``"Q2"``).

    Parameters
    ----------
    table
        The raw table; :func:`is_legacy` must be true for it.

    Returns
    -------
    Responses
    """
    tags = [t.lstrip("\ufeff") for t in table.text_row(0)]
    texts = table.text_row(1)
    system = _legacy_system_columns(table)
    questions = _legacy_matrix_questions(tags, texts, system)
    columns: list[Column] = []
    for index, (tag, text) in enumerate(zip(tags, texts, strict=True)):
        if not tag and not text:
            continue
        if index in system:
            code = _LEGACY_SYSTEM[system[index]]
            role = "id" if code == "response_id" else "meta"
            columns.append(Column(index, tag, code, role, text=text))
        elif tag.casefold() in _LEGACY_LOCATION and text.casefold() == tag.casefold():
            columns.append(Column(index, tag, _LEGACY_LOCATION[tag.casefold()], "meta",
                                  text=text))
        elif _V_TAG.match(tag) or tag == text or not tag:
            columns.append(Column(index, tag, tag or text, "meta", text=text))
        else:
            is_text = tag.upper().endswith("_TEXT") or text.endswith("-TEXT")
            columns.append(Column(index, tag, tag, "item", text=text,
                                  kind="text" if is_text else None,
                                  question=None if is_text else questions.get(index)))
    notes = ["read as a Qualtrics legacy export (two header rows: V1, V2, ... and the "
             "export tags; then the question texts). This layout has no Progress, "
             "Duration or time-zone columns; start and end times are as exported, in "
             "the time zone of the Qualtrics account"]
    responses = assemble(
        table,
        columns,
        data_start=2,
        platform=NAME,
        meta_converters={
            "started": parse_datetimes,
            "ended": parse_datetimes,
            "finished": to_bool,
            "status": _status,
            "latitude": to_float,
            "longitude": to_float,
            "location_accuracy": to_float,
        },
        notes=notes,
        id_label="ResponseID",
    )
    _note_previews(responses)
    return responses


def _legacy_matrix_questions(tags: list[str], texts: list[str],
                             system: dict[int, str]) -> dict[int, str]:
    """Column index -> question id (the tag stem) for rows of legacy matrix questions."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (tag, text) in enumerate(zip(tags, texts, strict=True)):
        match = _MATRIX_TAG.match(tag)
        if index in system or match is None or "-" not in text or text.endswith("-TEXT"):
            continue
        groups.setdefault((match.group(1), text.rsplit("-", 1)[0]), []).append(index)
    return {index: stem for (stem, _), members in groups.items() if len(members) > 1
            for index in members}


def _note_previews(responses: Responses) -> None:
    if "status" in responses.meta:
        previews = responses.meta["status"].isin(["Survey Preview", "Survey Test"]).sum()
        if previews:
            one = int(previews) == 1
            responses.notes += (
                f"{count_of(int(previews), 'response')} {'is' if one else 'are'} marked "
                "as a preview or test by Qualtrics (status Survey Preview or Survey Test); "
                f"{'it is' if one else 'they are'} read like the others and screening "
                f"flags {'it' if one else 'them'} as test_response",)
