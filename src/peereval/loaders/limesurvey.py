"""LimeSurvey response exports (Responses > Export > Export responses, CSV).

Layout, as LimeSurvey's CSV writer produces it (``CsvWriter``, ``Writer`` and
``createFieldMap`` in LimeSurvey's source; export dialog "Export results"):

* UTF-8 with a byte-order mark, CRLF line ends, **every** value quoted with ``"``
  (``""`` inside), empty (unquoted) for a question the respondent never reached; the
  field separator is chosen in the dialog: comma (default), semicolon or tab.
* One header row. "Export questions as" decides its form:

  - "Question code": ``id``, ``submitdate``, ``lastpage``, ``startlanguage``,
    ``seed``, then ``token`` (surveys that are not anonymous), ``startdate`` and
    ``datestamp`` (surveys with date stamps), ``ipaddr``, ``refurl``; then one
    column per question, an array's subquestions as ``question[SQ001]``, an
    "other"/comment box as ``question[other]``/``question[comment]``; with timings
    saved, ``interviewtime``, ``groupTime<gid>`` and ``<code>Time`` come last;
  - "Full question text" (the default): the question text, a subquestion appended
    in brackets (``"How much do you agree...? [My mentor listened to me]"``), and
    the metadata as "Response ID", "Date submitted", "Last page", "Start language",
    "Seed", "Date started", "Date last action", ..., "Total time", "Group time:
    <group>", all in the export's language;
  - "Question code & question text": code, separator (". " by default), text;
  - "Abbreviated question text": texts cut to a number of characters.

* One row per response. "Export responses as" decides the answers: "Answer codes"
  (the codes of the answer options: ``A1``..``A5``, ``AO01``.., or ``1``..``5`` for
  the 5-point array and for options coded with numbers) or "Full answers" (the
  default: the option texts; 5-point arrays keep their numbers).
* ``submitdate`` is empty for an incomplete response; ``lastpage`` is the last page
  submitted. An anonymised survey stores a constant placeholder date
  (1980-01-01 00:00) instead of real times.

How peereval reads it:

* The respondent id is ``id``; ``finished`` is True when ``submitdate`` is set;
  ``ended`` is ``submitdate``, ``started`` is ``startdate``, ``duration_s`` is
  ``interviewtime``; ``lastpage``, ``language``, ``seed``, ``token``,
  ``last_action``, ``ip_address``, ``referrer`` and the per-group and per-question
  timings are kept under those names. Placeholder dates become missing times (the
  response still counts as finished), with a note.
* Metadata are recognised from the codes, from the English texts, from
  "code<separator>text" headings, or, for texts in another language, from what the
  first columns hold (response number, submission date, page number, language code).
* Subquestions of an array share their question (``support`` for
  ``support[SQ001]``, the question text for "Full question text" headings). The item
  text is the question text and the subquestion joined by ``" - "``; with "Question
  code" headings the export holds no texts, so the text is the code.
* **Answer codes** such as ``A1``..``A5`` or ``AO01`` say nothing about the value an
  option stands for (the survey author chose the codes; ``A1`` may be "Strongly
  agree"), so they are not guessed from their digits. Reading such an export raises
  a :class:`~peereval.errors.LabelError` that lists the columns and says to pass the
  survey structure (``read_export(path, definition="survey.lss")``, see
  :mod:`peereval.loaders.definitions`), which decodes every code to its label and
  number. ``keep_codes=True`` reads the codes as they are instead (then
  :meth:`~Responses.numeric` needs a ``mapping``: ``numeric(mapping={"A1": 1, ...})``).
  Numeric codes (``1``..``5``) and full answers are scored directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError, LabelError, Location
from peereval.loaders._common import Column, assemble, parse_datetimes, to_bool, to_float
from peereval.loaders._table import RawTable, cell_text
from peereval.responses import ItemKind, Responses, classify_column

__all__ = ["read", "sniff"]

NAME = "limesurvey"
TITLE = "LimeSurvey"
OPTIONS: frozenset[str] = frozenset({"keep_codes"})

# LimeSurvey's own columns (field map names) -> meta names.
_META = {
    "id": "response_id",
    "submitdate": "ended",
    "lastpage": "lastpage",
    "startlanguage": "language",
    "seed": "seed",
    "token": "token",
    "startdate": "started",
    "datestamp": "last_action",
    "ipaddr": "ip_address",
    "refurl": "referrer",
    "interviewtime": "duration_s",
}
# Their "Full question text" headings in English.
_META_TEXTS = {
    "response id": "id",
    "date submitted": "submitdate",
    "last page": "lastpage",
    "start language": "startlanguage",
    "seed": "seed",
    "access code": "token",
    "token": "token",
    "date started": "startdate",
    "date last action": "datestamp",
    "ip address": "ipaddr",
    "referrer url": "refurl",
    "total time": "interviewtime",
}
_TIME_META = ("ended", "started", "last_action")
_PLACEHOLDER = re.compile(r"^1980-01-01[ T]00:00(:00)?$")
_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])*(?:#\d)?$")
_ANSWER_CODE = re.compile(r"^[A-Za-z]+[0-9]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?$")
_INTEGER = re.compile(r"^\d+$")
_FREE_TEXT_PARTS = {"other", "comment"}
_EXPORT_HINT = (
    "export the responses again from LimeSurvey (Responses > Export > Export responses, "
    "format CSV) without editing the header row; or read the file with platform='auto'"
)


# ------------------------------------------------------------------------ headings


def _codetext_separator(first: str) -> str | None:
    """The code/text separator of "Question code & question text" headings."""
    match = re.match(r"^id(\W+)\w", first)
    return match.group(1) if match else None


def _headings(table: RawTable) -> tuple[str, list[tuple[str | None, str | None]]] | None:
    """Heading style and (code, text) of every column; ``None`` when not LimeSurvey."""
    headers = table.text_row(0)
    if sum(h in _META for h in headers) >= 3 and headers[0] == "id":
        return "code", [(h, None) for h in headers]
    if sum(h.casefold() in _META_TEXTS for h in headers) >= 3 and (
            headers[0].casefold() == "response id"):
        return "full", [(None, h) for h in headers]
    sep = _codetext_separator(headers[0]) if headers else None
    if sep:
        parts = [h.split(sep, 1) if sep in h else [h, ""] for h in headers]
        if sum(p[0] in _META for p in parts) >= 3:
            return "codetext", [(p[0], p[1]) for p in parts]
    if _structural(table):
        return "positional", [(None, h) for h in headers]
    return None


def _structural(table: RawTable) -> bool:
    """The first four columns hold id, submitdate, lastpage and startlanguage.

    Used for "Full question text" headings in languages other than English.
    """
    if table.width < 5 or len(table.rows) < 2:
        return False
    rows = table.rows[1:]

    def column(i: int) -> Iterator[str]:  # lazily: most tables fail on the first rows
        return (cell_text(r[i]) for r in rows)

    if not all(_INTEGER.match(v) for v in column(0)):
        return False
    ids = list(column(0))
    return (
        len(set(ids)) == len(ids)
        and all(not v or _DATETIME.match(v) for v in column(1))
        and all(not v or _INTEGER.match(v) for v in column(2))
        and all(_LANGUAGE.match(v) for v in column(3))
    )


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a LimeSurvey response export (0-1)."""
    if len(table.rows) < 2:
        return 0.0
    found = _headings(table)
    if found is None:
        return 0.0
    return 0.7 if found[0] == "positional" else 1.0


def _positional(table: RawTable) -> dict[int, str]:
    """LimeSurvey field names of the metadata columns, told from their position and content.

    The first four columns are always ``id``, ``submitdate``, ``lastpage`` and
    ``startlanguage``; a fifth column of whole numbers is ``seed``; the date columns
    that follow are ``startdate`` and ``datestamp``.
    """
    found = {0: "id", 1: "submitdate", 2: "lastpage", 3: "startlanguage"}

    def column(i: int) -> list[str]:
        return [cell_text(r[i]) for r in table.rows[1:]]

    index = 4
    if index < table.width and all(_INTEGER.match(v) for v in column(index)):
        found[index] = "seed"
        index += 1
    for name in ("startdate", "datestamp"):
        if index < table.width and all(_DATETIME.match(v) for v in column(index)):
            found[index] = name
            index += 1
    return found


def _meta_code(style: str, index: int, code: str | None, text: str | None,
               positional: dict[int, str]) -> str | None:
    """The LimeSurvey field name of a metadata column, else ``None``."""
    if style in ("code", "codetext"):
        return code if code in _META else None
    key = _META_TEXTS.get((text or "").casefold())
    if key is not None:
        return key
    return positional.get(index)


def _split_subquestion(text: str) -> tuple[str, str | None]:
    """``"Question [Row]"`` -> ``("Question", "Row")``."""
    if text.endswith("]") and " [" in text:
        question, _, row = text[:-1].rpartition(" [")
        if question.strip():
            return question.strip(), row.strip()
    return text, None


# ---------------------------------------------------------------------------- read


def read(table: RawTable, *, keep_codes: bool = False, **options: Any) -> Responses:
    """Read a LimeSurvey response export; see the module docstring for the layout.

    Parameters
    ----------
    table
        The export's raw table (separator and byte-order mark already handled).
    keep_codes
        Keep answer codes (``A1``, ``AO01``) as exported instead of refusing them;
        :func:`peereval.read_export` sets it when a definition will decode them.

    Returns
    -------
    Responses
        With ``keep_codes``, items holding answer codes are kept as exported, and
        ``numeric()`` needs a ``mapping`` for them (a note says so).

    Raises
    ------
    FileFormatError
        When the first columns are not LimeSurvey's response metadata.
    LabelError
        When answers are answer codes and ``keep_codes`` is not set: the survey
        structure (``.lss``) is needed to decode them.
    """
    found = _headings(table)
    if found is None:
        raise FileFormatError(
            "the file is not a LimeSurvey response export: its first columns should be "
            "the response id, submission date, last page and start language (headed "
            "id, submitdate, lastpage, startlanguage, or 'Response ID', 'Date submitted', "
            "...)",
            file=table.path, sheet=table.sheet,
            row=table.row_numbers[0] if table.rows else None,
            hint=_EXPORT_HINT,
        )
    style, parsed = found
    headers = table.text_row(0)
    notes: list[str] = []
    if style == "positional":
        notes.append("LimeSurvey's metadata columns were recognised by position and content "
                     "(headings in a language other than English)")
    columns: list[Column] = []
    positional = _positional(table) if style == "positional" else {}
    timing = False
    item_cols: list[tuple[int, str]] = []
    meta_index: dict[str, int] = {}
    for index, (header, (code, text)) in enumerate(zip(headers, parsed, strict=True)):
        field = _meta_code(style, index, code, text, positional)
        if field == "interviewtime":
            timing = True
        if field == "id":
            columns.append(Column(index, header, "response_id", "id"))
        elif field is not None:
            columns.append(Column(index, header, _META[field], "meta", text=text or header))
            meta_index[_META[field]] = index
        elif timing:  # per-group and per-question timings follow the total time
            columns.append(Column(index, header, code or header, "meta", text=text or header))
        else:
            item_cols.append((index, header))

    guarded: list[str] = []
    for index, header in item_cols:
        code, text = parsed[index]
        column, coded = _item(table, index, header, style, code, text)
        columns.append(column)
        if coded:
            guarded.append(column.code)
    columns.sort(key=lambda c: c.index)
    if guarded and not keep_codes:
        raise _codes_need_definition(table, [c for c in columns if c.code in guarded])

    work, extra = _with_finished(table, meta_index.get("ended"))
    if extra is not None:
        columns.append(extra)
    placeholders = _count_placeholders(table, [meta_index[m] for m in _TIME_META
                                               if m in meta_index])
    if placeholders:
        notes.append(f"{placeholders} date(s) hold LimeSurvey's placeholder 1980-01-01 00:00 "
                     "(an anonymised survey does not store real times); they are read as "
                     "missing times, and a response with a submission date still counts as "
                     "finished")
    converters: dict[str, Any] = {name: _time for name in _TIME_META}
    converters["lastpage"] = _to_int
    converters["duration_s"] = to_float
    converters["finished"] = to_bool
    for column in columns:
        if column.role == "meta" and column.code not in converters and (
                column.index > meta_index.get("duration_s", len(headers))):
            converters[column.code] = to_float
    responses = assemble(work, columns, data_start=1, platform=NAME, meta_converters=converters,
                         notes=notes, id_label="response id")
    if "finished" in responses.meta:
        finished = responses.meta.pop("finished")
        responses.meta.insert(1 if "source_id" in responses.meta else 0, "finished", finished)
    if guarded:
        responses.notes += (
            f"{len(guarded)} item(s) hold LimeSurvey answer codes ("
            + ", ".join(sorted(_distinct(responses.answers[guarded]))[:6])
            + "); numeric() needs their values: numeric(mapping={'A1': 1, ...}), or export "
            "the responses again with 'Full answers'",)
    return responses


def _item(table: RawTable, index: int, header: str, style: str, code: str | None,
          text: str | None) -> tuple[Column, bool]:
    """The column spec of one answer column, and whether it holds answer codes."""
    values = pd.Series([cell_text(r[index]) or None for r in table.rows[1:]], dtype=object)
    question: str | None = None
    part: str | None = None
    if style in ("code", "codetext") and code and _CODE.match(code) and "[" in code:
        question, _, rest = code.partition("[")
        part = rest.split("]", 1)[0]
        shown, row = _split_subquestion(text) if text else (code, None)
        shown = f"{shown} - {row}" if row else shown
    elif style in ("code", "codetext"):
        shown = text or code or header
    else:
        question_text, row = _split_subquestion(header)
        if row is not None:
            question, part = question_text, row
            shown = f"{question_text} - {row}"
        else:
            shown = header
    item_code = code if style in ("code", "codetext") and code else header
    free = part is not None and part.casefold() in _FREE_TEXT_PARTS
    if free:
        question = None
    present = list(values.dropna())
    coded = not free and bool(present) and all(
        _ANSWER_CODE.match(v) and len(v) <= 5 for v in present)
    if free:
        kind: ItemKind = "text"
    elif coded:
        kind = "likert" if question is not None else "choice"
    else:
        kind = classify_column(values)
    return Column(index, header, item_code, "item", text=shown, kind=kind,
                  question=question if kind != "text" else None), coded


def _with_finished(table: RawTable, submit: int | None) -> tuple[RawTable, Column | None]:
    """A copy of ``table`` with a ``finished`` column (1 when submitdate is set)."""
    if submit is None:
        return table, None
    index = table.width
    rows = [[*table.rows[0], "finished"]]
    rows += [[*r, "1" if cell_text(r[submit]) else "0"] for r in table.rows[1:]]
    work = RawTable(rows, list(table.row_numbers), table.path, table.sheet, table.encoding,
                    table.delimiter)
    return work, Column(index, "finished", "finished", "meta")


def _count_placeholders(table: RawTable, indices: Sequence[int]) -> int:
    return sum(1 for r in table.rows[1:] for i in indices if _PLACEHOLDER.match(cell_text(r[i])))


def _time(series: pd.Series, col: Column) -> pd.Series:
    cleaned = pd.Series([None if v is None or _PLACEHOLDER.match(cell_text(v)) else v
                         for v in series], index=series.index, dtype=object)
    return parse_datetimes(cleaned, col)


def _to_int(series: pd.Series, col: Column) -> pd.Series:
    return to_float(series, col).astype("Int64")


def _distinct(frame: pd.DataFrame) -> set[str]:
    return {str(v) for c in frame.columns for v in frame[c].dropna().unique()}


# ------------------------------------------------------------ answer-code guard


def _codes_need_definition(table: RawTable, columns: list[Column]) -> LabelError:
    """The error for an "Answer codes" export read without its survey structure."""
    from peereval.loaders.definitions import DOWNLOADS, how_to_pass

    problems = []
    codes: dict[str, None] = {}
    for column in columns:
        for row, number in zip(table.rows[1:], table.row_numbers[1:], strict=True):
            value = cell_text(row[column.index])
            if value:
                codes.setdefault(value)
                if len(problems) < 25 and not any(p.column == column.header
                                                  for p in problems):
                    problems.append(Location(table.path, table.sheet, number, column.header,
                                             value))
    shown = ", ".join(sorted(codes)[:8])
    return LabelError(
        f"{len(columns)} column(s) hold LimeSurvey answer codes ({shown}); what each code "
        "means (its label and number) is written only in the survey's structure, so the "
        "export alone cannot be scored",
        file=table.path, sheet=table.sheet, problems=problems,
        hint=f"download {DOWNLOADS['limesurvey']} and {how_to_pass('survey.lss')}; or "
        "export the responses again with 'Full answers'; or keep the codes with "
        "read_export(..., keep_codes=True) and give their values with "
        "numeric(mapping={'A1': 1, ...})",
    )
