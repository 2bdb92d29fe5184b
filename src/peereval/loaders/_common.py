"""Pieces every platform loader uses: column specs, assembly, typed metadata."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import count_of
from peereval.errors import DuplicateIdError, FileFormatError, Location
from peereval.labels import normalize_digits
from peereval.loaders._table import RawTable, cell_text
from peereval.responses import Item, ItemKind, Responses, classify_column

__all__ = [
    "Column",
    "assemble",
    "jalali_to_gregorian",
    "parse_datetimes",
    "to_bool",
    "to_float",
]


@dataclass(frozen=True)
class Column:
    """How one column of a raw table is to be read.

    ``role`` is ``"item"`` (an answer), ``"meta"`` (platform metadata, embedded
    data), ``"id"`` (the respondent id) or ``"skip"`` (a column whose content is
    carried elsewhere, e.g. a REDCap checkbox summary). ``kind=None`` lets the
    answers decide (:func:`peereval.responses.classify_column`).
    """

    index: int
    header: str
    code: str
    role: Literal["item", "meta", "id", "skip"] = "item"
    text: str = ""
    kind: ItemKind | None = None
    options: tuple[tuple[Any, str], ...] | None = None
    question: str | None = None


def unique_codes(columns: Sequence[Column], table: RawTable) -> list[Column]:
    """Make item and meta codes unique; a repeated header gets ``" (2)"``, ``" (3)"``."""
    seen: dict[str, int] = {}
    out = []
    for col in columns:
        code = col.code or f"column_{col.index + 1}"
        if code in seen:
            seen[code] += 1
            code = f"{code} ({seen[code]})"
        else:
            seen[code] = 1
        out.append(replace(col, code=code))
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _clean_column(values: Sequence[Any]) -> list[Any]:
    """Strip text and turn empty cells into None, converting each distinct value once."""
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # unhashable cell values: one at a time
        return [_clean(v) for v in values]
    changes = {}
    for value in distinct:
        if value is None:
            continue
        cleaned = _clean(value)
        if cleaned is not value:
            changes[value] = cleaned
    if not changes:
        return list(values)
    return [changes.get(v, v) if v is not None else None for v in values]


def assemble(
    table: RawTable,
    columns: Sequence[Column],
    *,
    data_start: int,
    platform: str,
    ids: Sequence[str] | None = None,
    meta_converters: dict[str, Callable[[pd.Series, Column], pd.Series]] | None = None,
    notes: Iterable[str] = (),
    id_label: str = "respondent id",
) -> Responses:
    """Build a :class:`Responses` from a raw table and column specs.

    Parameters
    ----------
    table
        The raw table; ``table.rows[data_start:]`` are respondents.
    columns
        One spec per column to keep. Exactly one ``role="id"`` column unless ``ids``
        is given.
    ids
        Respondent ids computed by the loader (platforms without an id column).
    meta_converters
        Meta code -> function converting the raw column (e.g. :func:`to_bool`).
    """
    rows = table.rows[data_start:]
    numbers = table.row_numbers[data_start:]
    if not rows:
        raise FileFormatError(
            "the export has header rows but no responses below them",
            file=table.path, sheet=table.sheet,
            hint="check that the survey has responses and that filters in the "
            "platform's export dialog did not exclude them all",
        )
    columns = unique_codes(columns, table)
    id_cols = [c for c in columns if c.role == "id"]
    if ids is None:
        if len(id_cols) != 1:
            raise FileFormatError(f"no {id_label} column found", file=table.path,
                                  sheet=table.sheet, hint="pass id_column='...'")
        id_col = id_cols[0]
        raw_ids = [cell_text(r[id_col.index]) for r in rows]
        empty = [i for i, v in enumerate(raw_ids) if not v]
        if empty:
            raise FileFormatError(
                f"{count_of(len(empty), 'response')} "
                f"{'has' if len(empty) == 1 else 'have'} no {id_label}",
                file=table.path, sheet=table.sheet, row=numbers[empty[0]],
                column=id_col.header,
                problems=[Location(table.path, table.sheet, numbers[i], id_col.header)
                          for i in empty],
                hint="every response needs an id; fill it in or remove the empty rows",
            )
        ids = [normalize_digits(v) for v in raw_ids]
        id_header = id_col.header
    else:
        ids = list(ids)
        id_header = None
    check_unique(ids, numbers, table.path, table.sheet, id_header, id_label)

    answers: dict[str, list[Any]] = {}
    items: dict[str, Item] = {}
    meta: dict[str, pd.Series] = {}
    converters = meta_converters or {}
    by_column = list(zip(*rows, strict=True))
    for col in columns:
        if col.role in ("id", "skip"):
            continue
        values = _clean_column(by_column[col.index])
        if col.role == "meta":
            series = pd.Series(values, index=ids, dtype=object)
            convert = converters.get(col.code)
            meta[col.code] = _converted(convert, series, col, table, ids, numbers)
            continue
        kind = col.kind or classify_column(values)
        items[col.code] = Item(col.code, col.text or col.header, kind, col.options,
                               col.question, col.header if col.header != col.code else None)
        answers[col.code] = values
    answer_frame = pd.DataFrame(answers, index=ids, dtype=object)
    meta_frame = pd.DataFrame(meta, index=ids) if meta else pd.DataFrame(index=ids)
    if id_header is not None:
        meta_frame.insert(0, "source_id", [str(i) for i in ids])
    return Responses(answer_frame, items, meta_frame, platform=platform, source=table.path,
                     sheet=table.sheet, source_rows=numbers, notes=notes)


def _converted(convert: Callable[[pd.Series, Column], pd.Series] | None, series: pd.Series,
               col: Column, table: RawTable, ids: Sequence[str],
               numbers: Sequence[int]) -> pd.Series:
    if convert is None:
        return series
    try:
        return convert(series, col)
    except BadCell as bad:
        row = numbers[list(ids).index(bad.respondent_id)]
        raise FileFormatError(bad.message, file=table.path, sheet=table.sheet, row=row,
                              column=col.header, value=bad.value, hint=bad.hint) from None


def check_unique(ids: Sequence[str], numbers: Sequence[int], path: Path, sheet: str | None,
                 header: str | None, label: str = "respondent id") -> None:
    """Raise :class:`DuplicateIdError` listing every row of every repeated id."""
    first: dict[str, int] = {}
    problems: list[Location] = []
    for value, number in zip(ids, numbers, strict=True):
        if value in first:
            if first[value] >= 0:
                problems.append(Location(path, sheet, first[value], header, value))
                first[value] = -1
            problems.append(Location(path, sheet, number, header, value))
        else:
            first[value] = number
    if problems:
        distinct = len({str(p.value) for p in problems})
        raise DuplicateIdError(
            f"{distinct} {label}(s) occur more than once",
            file=path, sheet=sheet, column=header, problems=problems,
            hint="each response must have its own id: remove repeated rows (e.g. the "
            "same export pasted twice) or choose another id column with id_column=",
        )


# ------------------------------------------------------------------- converters


class BadCell(Exception):  # noqa: N818 - internal signal, caught by assemble
    """Raised by a converter; :func:`assemble` turns it into a located error."""

    def __init__(self, respondent_id: Any, value: Any, message: str, hint: str) -> None:
        super().__init__(message)
        self.respondent_id = respondent_id
        self.value = value
        self.message = message
        self.hint = hint


_TRUE = {"true", "1", "yes", "y", "t", "بله", "درست", "complete", "completed"}
_FALSE = {"false", "0", "no", "n", "f", "خیر", "نادرست", "incomplete", "partial"}


def _per_distinct(series: pd.Series, convert: Callable[[Any], Any], missing: Any,
                  dtype: str, message: str, hint: str) -> pd.Series:
    """Apply ``convert`` once per distinct value; a ValueError names the first bad cell."""
    lookup: dict[Any, Any] = {}
    for value in dict.fromkeys(series.tolist()):
        if value is None:
            continue
        try:
            lookup[value] = convert(value)
        except ValueError:
            rid = series.index[series.to_numpy(dtype=object) == value][0]
            raise BadCell(rid, value, message, hint) from None
    values = [missing if v is None else lookup[v] for v in series.tolist()]
    return pd.Series(values, index=series.index, dtype=dtype)


_TRUE = {"true", "1", "yes", "y", "t", "بله", "درست", "complete", "completed"}
_FALSE = {"false", "0", "no", "n", "f", "خیر", "نادرست", "incomplete", "partial"}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize_digits(str(value)).strip().casefold()
    if text.endswith(".0"):
        text = text[:-2]
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def to_bool(series: pd.Series, col: Column) -> pd.Series:
    """Convert True/False, 1/0, yes/no (English or Persian) to a nullable boolean."""
    return _per_distinct(series, _boolean, pd.NA, "boolean",
                         "a true/false column holds a value that is neither",
                         "expected True/False, 1/0 or yes/no")


def _float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(normalize_digits(str(value)).strip().replace(",", "").replace("%", ""))


def to_float(series: pd.Series, col: Column) -> pd.Series:
    """Convert numbers (possibly written with Persian digits) to floats."""
    return _per_distinct(series, _float, np.nan, "float64",
                         "a numeric column holds a value that is not a number",
                         "expected a number")


# ------------------------------------------------------------------------ dates

_JALALI_BREAKS = (-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097,
                  2192, 2262, 2324, 2394, 2456, 3178)


def _jalali_march_day(jy: int) -> tuple[int, int]:
    """Gregorian year and March day on which Jalali year ``jy`` begins (1 Farvardin).

    The leap-year rule is the 2820-year-free arithmetic of Borkowski (1996),
    "The Persian calendar for 3000 years", *Earth, Moon and Planets* 74:223-230,
    which follows the astronomical calendar for 1178-3177 SH with break years.
    """
    if not _JALALI_BREAKS[0] <= jy < _JALALI_BREAKS[-1]:
        raise ValueError(f"Jalali year {jy} out of range")
    gy = jy + 621
    leap_j = -14
    jp = _JALALI_BREAKS[0]
    jump = 0
    for jm in _JALALI_BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += (jump // 33) * 8 + (jump % 33) // 4
        jp = jm
    n = jy - jp
    leap_j += (n // 33) * 8 + ((n % 33) + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    leap_g = gy // 4 - ((gy // 100 + 1) * 3) // 4 - 150
    return gy, 20 + leap_j - leap_g


def jalali_to_gregorian(jy: int, jm: int, jd: int) -> dt.date:
    """Convert a Jalali (Solar Hijri) date to a Gregorian :class:`datetime.date`.

    Examples
    --------
    >>> jalali_to_gregorian(1399, 1, 1)
    datetime.date(2020, 3, 20)
    >>> jalali_to_gregorian(1402, 8, 15)
    datetime.date(2023, 11, 6)
    """
    if not (1 <= jm <= 12 and 1 <= jd <= (31 if jm <= 6 else 30)):
        raise ValueError(f"invalid Jalali date {jy}/{jm}/{jd}")
    gy, march = _jalali_march_day(jy)
    if jm == 12 and jd == 30:
        next_gy, next_march = _jalali_march_day(jy + 1)
        length = (dt.date(next_gy, 3, next_march) - dt.date(gy, 3, march)).days
        if length != 366:
            raise ValueError(f"{jy} is not a Jalali leap year; Esfand has 29 days")
    offset = (jm - 1) * 31 - max(0, jm - 7) + jd - 1
    return dt.date(gy, 3, march) + dt.timedelta(days=offset)


_DATE_RE = re.compile(
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?m\.?)?)?"
    r"(?:\s*(?:gmt|utc)?\s*[+-]\d{1,2}(?::?\d{2})?|\s*z)?$",
    re.IGNORECASE,
)


def _parse_one(text: str) -> dt.datetime | None:
    """ISO-like ``YYYY-MM-DD[ HH:MM[:SS]]``; Jalali when the year is before 1700."""
    s = normalize_digits(text).strip()
    s = s.replace("ق.ظ", "am").replace("ب.ظ", "pm")
    m = _DATE_RE.match(s)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    hour, minute, second = int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0)
    if m["ampm"]:
        pm = m["ampm"].lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    try:
        date = jalali_to_gregorian(y, mo, d) if y < 1700 else dt.date(y, mo, d)
        return dt.datetime.combine(date, dt.time(hour, minute, second))
    except ValueError:
        return None


def parse_datetimes(series: pd.Series, col: Column, *,
                    formats: Sequence[str] = ()) -> pd.Series:
    """Parse a column of timestamps to naive ``datetime64``.

    Accepts datetime cells from workbooks, ISO-like text (``2020-11-20 10:15:23``,
    ``2020/11/20 10:15:23 AM GMT+3:30``; a trailing UTC offset is dropped, the local
    time kept), Jalali dates (year before 1700, e.g. ``1402/08/15 14:23``, with
    Persian digits or not), and any ``strptime`` ``formats`` given.
    """
    fast = _iso_fast_path(series)
    if fast is not None:
        return fast
    out: list[Any] = []
    for rid, v in series.items():
        if v is None:
            out.append(pd.NaT)
            continue
        if isinstance(v, dt.datetime):
            out.append(v.replace(tzinfo=None))
            continue
        if isinstance(v, dt.date):
            out.append(dt.datetime.combine(v, dt.time()))
            continue
        text = str(v).strip()
        parsed = _parse_one(text)
        if parsed is None:
            for fmt in formats:
                try:
                    parsed = dt.datetime.strptime(_strip_offset(text), fmt)
                    break
                except ValueError:
                    continue
        if parsed is None:
            raise BadCell(rid, v, "a date/time column holds a value that is not a date",
                          "expected e.g. 2024-03-20 14:05:00 or 1403/01/01 14:05")
        out.append(parsed)
    return pd.Series(pd.to_datetime(out), index=series.index, name=series.name)


def _iso_fast_path(series: pd.Series) -> pd.Series | None:
    """Vectorised parse when every value is ``YYYY-MM-DD HH:MM:SS`` text after 1700."""
    values = series.dropna()
    if values.empty or not all(isinstance(v, str) for v in values.iloc[:50]):
        return None
    try:
        parsed = pd.to_datetime(series, format="%Y-%m-%d %H:%M:%S", errors="raise")
    except (ValueError, TypeError):
        return None
    if parsed.dropna().dt.year.min() < 1700:
        return None
    return pd.Series(parsed.to_numpy(), index=series.index, name=series.name)


_OFFSET_RE = re.compile(r"\s*(?:gmt|utc)\s*[+-]\d{1,2}(?::?\d{2})?\s*$", re.IGNORECASE)


def _strip_offset(text: str) -> str:
    return _OFFSET_RE.sub("", text)
