"""SPSS data files (``.sav``, and compressed ``.zsav``), read with pyreadstat.

An SPSS file carries its own codebook, and peereval takes it from there (pyreadstat's
``read_sav(..., user_missing=True)`` and its metadata object):

- **variable labels** become the item text (the variable name when unlabelled);
- **value labels** become the item's ``options``, ``(code, label)`` in code order;
- **user-missing values** (e.g. ``9 = "No answer"``, a range ``90 thru 99``) are
  answers that are not positions on the scale. They become missing in
  :attr:`~peereval.responses.Responses.answers` (so ``numeric()`` never
  averages a 9 into a 5-point scale) but are not lost: every item that has any keeps
  them in ``meta["missing:<variable>"]`` (the code per respondent), they are left out
  of the item's ``options``, and a note counts them per code. System-missing values
  (empty cells) are plain missing answers;
- **string variables** are free text (or single choices when answers repeat);
  numeric variables with value labels are ``likert`` when their substantive codes are
  whole numbers at most ten apart and either their labels are a known response scale,
  or the measure level is ordinal, or (measure not nominal) at least three codes are
  labelled; otherwise ``choice`` (a 1 = "Male", 2 = "Female" variable). Numeric
  variables without value labels are classified by their values
  (:func:`peereval.responses.classify_column`);
  DATE/DATETIME variables are ``date`` items, except the start/end timestamps of
  survey platforms (``StartDate``, ``EndDate``, ``start``, ``end``, ...) which become
  ``meta["started"]``/``meta["ended"]``; ``Progress``, ``Finished`` and
  ``Duration__in_seconds_`` become ``progress``, ``finished`` and ``duration_s``;
- the **respondent id** is ``id_column=`` or an id-like variable (``id``,
  ``ResponseId``, ``record_id``, ``caseid``, ...); without one, respondents are named
  by their case number (``case-1``, ...).

SPSS files have no spreadsheet rows: in error messages and
:attr:`~peereval.responses.Responses.source_rows` the "row" is the case
number SPSS shows in Data View (1 for the first respondent).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from peereval._format import count_of
from peereval.errors import FileFormatError
from peereval.labels import known_label, normalize_label
from peereval.loaders._common import Column, assemble, parse_datetimes, to_bool, to_float
from peereval.loaders._table import RawTable
from peereval.responses import ItemKind, Responses, classify_column

__all__ = ["MISSING_PREFIX", "NAME", "OPTIONS", "TITLE", "read_sav"]

NAME = "spss"
TITLE = "SPSS"
OPTIONS: frozenset[str] = frozenset({"id_column"})

#: Prefix of the meta columns that keep the user-missing codes of an item.
MISSING_PREFIX = "missing:"

_ID_NAMES = ("id", "responseid", "response_id", "respondent_id", "respondentid",
             "record_id", "recordid", "caseid", "case_id", "participant_id", "subject_id")
_META_NAMES = {
    "startdate": "started", "start_date": "started", "start": "started",
    "started": "started", "enddate": "ended", "end_date": "ended", "end": "ended",
    "ended": "ended", "submitdate": "ended", "progress": "progress",
    "finished": "finished", "duration__in_seconds_": "duration_s",
    "duration_in_seconds": "duration_s", "duration_s": "duration_s",
}
_MAX_LIKERT_SPAN = 10
_MIN_SCALE_POINTS = 3


def _missing_test(ranges: list[dict[str, Any]]) -> Any:
    """A function telling whether a value is one of a variable's user-missing values."""

    def is_missing(value: Any) -> bool:
        for rng in ranges:
            lo, hi = rng.get("lo"), rng.get("hi")
            if isinstance(value, str) or isinstance(lo, str):
                if isinstance(value, str) and isinstance(lo, str) and value.strip() == lo.strip():
                    return True
                continue
            if lo is not None and hi is not None and lo <= value <= hi:
                return True
        return False

    return is_missing


def _cell(value: Any) -> Any:
    """A pyreadstat value as a raw-table cell: ``None`` when missing."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if value is pd.NaT:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def _as_code(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _show(value: Any) -> str:
    return str(_as_code(value))


def _numeric_kind(labels: dict[Any, str], substantive: list[Any], measure: str,
                  values: pd.Series) -> ItemKind:
    """Kind of a numeric variable from its value labels, measure level and values."""
    if not labels:
        return "choice" if measure == "nominal" else classify_column(values)
    whole = (bool(substantive)
             and all(isinstance(c, int | float) and float(c).is_integer() for c in substantive)
             and max(substantive) - min(substantive) <= _MAX_LIKERT_SPAN)
    vocabulary = sum(1 for code in substantive if known_label(labels[code]))
    if whole and vocabulary * 2 >= len(substantive):
        return "likert"
    if measure == "nominal" or _numbered_categories([labels[c] for c in substantive]):
        return "choice"
    if whole and (measure == "ordinal" or len(substantive) >= _MIN_SCALE_POINTS):
        return "likert"
    return "choice"


def _numbered_categories(labels: list[str]) -> bool:
    """Labels that differ only by a number ("Year 1" ... "Year 6", "Group 1", "۱ ترم")
    name ordered categories, not positions on a rating scale.

    Examples
    --------
    >>> _numbered_categories(["Year 1", "Year 2", "Year 3"])
    True
    >>> _numbered_categories(["1 = Never", "2 = Sometimes", "3 = Always"])
    False
    """
    if len(labels) < 2:
        return False
    stems = {re.sub(r"\d+", "#", normalize_label(label)) for label in labels}
    return len(stems) == 1 and "#" in next(iter(stems)) and bool(
        re.sub(r"[#\W]", "", next(iter(stems))))


def _open_sav(path: Path, encoding: str | None) -> tuple[pd.DataFrame, Any]:
    """The data and metadata of an SPSS file, user-missing codes kept as values."""
    import pyreadstat  # imported here: only SPSS files need it

    try:
        return pyreadstat.read_sav(str(path), user_missing=True, encoding=encoding)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as exc:
        hint = ("save the file again from SPSS (File > Save As > SPSS Statistics .sav), "
                "or download it again; it may be truncated")
        if "encoding" in str(exc).lower() or "convert" in str(exc).lower():
            hint = ("the text in the file is not in the encoding pyreadstat assumed; pass "
                    "encoding='cp1256' for files written by Persian Windows SPSS")
        raise FileFormatError(f"the SPSS file cannot be read ({exc})", file=path,
                              hint=hint) from exc


def _cells(frame: pd.DataFrame, names: list[str], ranges: dict[str, Any]
           ) -> tuple[list[list[Any]], dict[str, list[Any]]]:
    """The rows of cells with user-missing answers blanked, and per variable that has
    any, the user-missing code of each row (``None`` where the answer was valid)."""
    n = len(frame)
    rows: list[list[Any]] = [[] for _ in range(n)]
    missing_codes: dict[str, list[Any]] = {}
    for name in names:
        test = _missing_test(ranges.get(name, []))
        kept: list[Any] = []
        for i, value in enumerate(frame[name].tolist()):
            cell = _cell(value)
            if cell is not None and name in ranges and test(cell):
                kept.append(cell)
                cell = None
            else:
                kept.append(None)
            rows[i].append(cell)
        if any(v is not None for v in kept):
            missing_codes[name] = kept
    return rows, missing_codes


def read_sav(path: str | Path, *, id_column: str | None = None,
             encoding: str | None = None) -> Responses:
    """Read an SPSS ``.sav``/``.zsav`` file; see the module docstring for the rules.

    Parameters
    ----------
    path
        The SPSS data file.
    id_column
        Name of the respondent-id variable; found from the variable names by default.
    encoding
        Character encoding of the file's text, when pyreadstat cannot tell it (old
        files written by a Persian Windows SPSS: ``"cp1256"``).

    Returns
    -------
    Responses

    Raises
    ------
    FileFormatError
        When the file cannot be read, or ``id_column`` names no variable.
    DuplicateIdError
        When the id variable repeats a value (every case is listed).

    Examples
    --------
    >>> import pathlib, tempfile, pandas as pd, pyreadstat
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.sav"
    >>> frame = pd.DataFrame({"id": [1.0, 2.0, 3.0], "support_1": [5.0, 2.0, 9.0]})
    >>> pyreadstat.write_sav(frame, path, column_labels=["Respondent", "Mentor available"],
    ...     variable_value_labels={"support_1": {1: "Strongly disagree", 2: "Disagree",
    ...         3: "Neutral", 4: "Agree", 5: "Strongly agree", 9: "No answer"}},
    ...     missing_ranges={"support_1": [9]})
    >>> responses = read_sav(path, id_column="id")
    >>> responses.items["support_1"].options[:2]
    ((1, 'Strongly disagree'), (2, 'Disagree'))
    >>> responses.numeric(["support_1"])["support_1"].tolist()  # 9 is user-missing
    [5.0, 2.0, nan]
    """
    path = Path(path)
    frame, meta = _open_sav(path, encoding)
    names = list(meta.column_names)
    if not names or frame.empty:
        raise FileFormatError("the SPSS file has no cases (no respondents)", file=path,
                              hint="check that the data were saved into the file")
    labels = dict(meta.column_names_to_labels)
    value_labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    ranges = dict(meta.missing_ranges)
    measures = dict(meta.variable_measure)
    kinds = dict(meta.readstat_variable_types)
    formats = dict(meta.original_variable_types)

    id_index = _find_id(names, frame, path, id_column)
    n = len(frame)
    rows, missing_codes = _cells(frame, names, ranges)
    table = RawTable([list(names), *rows], [0, *range(1, n + 1)], path)

    columns: list[Column] = []
    notes: list[str] = []
    taken: set[str] = set()
    for index, name in enumerate(names):
        if index == id_index:
            columns.append(Column(index, name, name, "id"))
            continue
        text = labels.get(name) or name
        standard = _META_NAMES.get(name.casefold())
        if standard is not None and standard not in taken:
            taken.add(standard)
            columns.append(Column(index, name, standard, "meta", text=text))
            continue
        is_missing = _missing_test(ranges.get(name, []))
        var_labels = value_labels.get(name, {})
        substantive = sorted((c for c in var_labels if not is_missing(c)),
                             key=lambda c: (isinstance(c, str), c))
        options = tuple((_as_code(c), var_labels[c]) for c in substantive) or None
        values = pd.Series([r[index] for r in rows], dtype=object)
        if _is_date_format(formats.get(name, "")):
            kind: ItemKind = "date"
        elif kinds.get(name) == "string":
            kind = "choice" if var_labels else classify_column(values)
        else:
            kind = _numeric_kind(var_labels, substantive, measures.get(name, "unknown"),
                                 values)
        columns.append(Column(index, name, name, "item", text=text, kind=kind,
                              options=options))

    ids = None
    if id_index is None:
        ids = [f"case-{k}" for k in range(1, n + 1)]
        notes.append("no respondent id variable found; respondents are named by their "
                     "case number (case-1, case-2, ...). Pass id_column= to use a variable.")
    responses = assemble(
        table, columns, data_start=1, platform=NAME, ids=ids,
        meta_converters={"started": parse_datetimes, "ended": parse_datetimes,
                         "progress": to_float, "duration_s": to_float,
                         "finished": to_bool},
        notes=notes, id_label="respondent id",
    )
    id_name = names[id_index] if id_index is not None else None
    for name, kept in missing_codes.items():
        if name == id_name:
            continue
        responses.meta[f"{MISSING_PREFIX}{name}"] = pd.Series(
            [_as_code(v) if v is not None else None for v in kept],
            index=responses.meta.index, dtype=object)
        counts = Counter(_show(v) for v in kept if v is not None)
        var_labels = value_labels.get(name, {})
        described = ", ".join(
            f"{code}" + (f" = '{_label_of(var_labels, code)}'" if _label_of(var_labels, code)
                         else "") + f": {count}"
            for code, count in sorted(counts.items()))
        responses.notes += (
            f"{name}: {count_of(sum(counts.values()), 'answer')} with user-missing codes "
            f"({described}) "
            f"read as missing; the codes are kept in meta['{MISSING_PREFIX}{name}']",)
    return responses


def _label_of(labels: dict[Any, str], code: str) -> str | None:
    for value, label in labels.items():
        if _show(value) == code:
            return label
    return None


def _is_date_format(spss_format: str) -> bool:
    head = spss_format.upper().rstrip("0123456789.")
    return head in {"DATE", "ADATE", "EDATE", "SDATE", "JDATE", "DATETIME", "YMDHMS",
                    "MOYR", "QYR", "WKYR"}


def _find_id(names: list[str], frame: pd.DataFrame, path: Path,
             wanted: str | None) -> int | None:
    folded = [n.casefold() for n in names]
    if wanted is not None:
        if wanted.casefold() not in folded:
            raise FileFormatError(
                f"there is no variable named '{wanted}'", file=path,
                hint="variables found: " + ", ".join(names)[:400],
            )
        return folded.index(wanted.casefold())
    for candidate in _ID_NAMES:
        if candidate in folded:
            return folded.index(candidate)
    return None

