"""Qualtrics response exports (CSV, TSV, XLSX).

Layout (Qualtrics support page "Understanding your dataset"): three header rows.
Row 1 holds the export tags (``StartDate``, ``ResponseId``, ``Q1``, ``Q3_2``,
``Q5_TEXT``, embedded-data names); row 2 the question text (a matrix row as
``"question text - row text"``); row 3 a JSON object per column,
``{"ImportId":"QID3_2"}`` for questions and ``{"ImportId":"startDate",
"timeZone":"America/Denver"}`` for metadata. Answers follow from row 4, either as
choice text ("Use choice text") or as numeric recode values ("Use numeric values").
CSV files start with a UTF-8 byte-order mark; TSV files are UTF-16 with a BOM.
"""

from __future__ import annotations

import json
import re
from typing import Any

from peereval.errors import FileFormatError
from peereval.loaders._common import Column, assemble, parse_datetimes, to_bool, to_float
from peereval.loaders._table import RawTable, cell_text
from peereval.loaders.responses import Responses

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


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a Qualtrics export (0-1)."""
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
    """Read a Qualtrics export; see the module docstring for the layout."""
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
            '{"ImportId":"QID1"} in every column',
            file=table.path, sheet=table.sheet, row=table.row_numbers[min(2, len(table.rows)
                                                                           - 1)],
            hint="read it with platform='auto' to detect its layout",
        )

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
    if "status" in responses.meta:
        previews = responses.meta["status"].isin(["Survey Preview", "Survey Test"]).sum()
        if previews:
            responses.notes += (f"{int(previews)} preview/test response(s) kept; see "
                                "meta['status'] and peereval.quality.screen",)
    return responses


def _status(series: Any, col: Column) -> Any:
    return series.map(lambda v: None if v is None else _STATUS_CODES.get(cell_text(v),
                                                                           cell_text(v)))
