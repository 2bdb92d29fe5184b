"""The Excel workbook of a report: one formatted sheet per table, behind a contents sheet.

:func:`write_workbook` renders the tables of a :class:`~peereval.report._model.Report`
(or a list of :class:`~peereval.report._model.Table`) into an ``.xlsx`` file that a
dean can open and a researcher can compute with:

* a first sheet, ``Contents``, with the study's title, one internal hyperlink per
  table sheet, the privacy rule and the report's warnings;
* per table: its title in row 1, the table from row 3 with a bold header row that
  stays frozen while scrolling, column widths fitted to the content, the note below;
* numbers stored at full precision and only *displayed* rounded (a number format per
  column: whole numbers without decimals, p-values with three, other values with
  decimals that suit their size);
* right-to-left sheets for tables that are mostly Persian (or Arabic);
* no cell that a spreadsheet program could run as a formula (see
  :func:`neutralise_text`);
* the same report gives the same bytes: the document dates and the zip entries' dates
  are fixed, so that re-running a study and comparing files shows whether anything
  changed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peereval._columns import excel_format
from peereval.errors import PeerevalError
from peereval.report._model import Report, Table

__all__ = ["CONTENTS_SHEET", "FORMULA_PREFIXES", "neutralise_text", "sheet_names",
           "write_workbook"]

#: Name of the first sheet, which lists the others.
CONTENTS_SHEET = "Contents"

#: First characters that make Excel, LibreOffice or Google Sheets read typed or
#: imported text as a formula (OWASP, "CSV Injection"), with the full-width forms that
#: East-Asian input methods type and that some spreadsheet programs accept as well.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d",
                    "\uff20")

# Excel's limits (Microsoft, "Excel specifications and limits").
MAX_SHEET_NAME = 31
MAX_CELL_CHARS = 32_767
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_RESERVED_SHEET_NAMES = {"history"}  # Excel keeps "History" for change tracking
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff"
                            r"\ufe70-\ufeff]")
_LARGEST_EXACT_INT = 2**53  # beyond this a spreadsheet number loses digits

_TITLE_ROW = 1
_HEADER_ROW = 3
_MIN_WIDTH, _MAX_WIDTH, _WRAP_AT = 6, 60, 60

# The date stamped on the workbook and on its zip entries when SOURCE_DATE_EPOCH
# (the reproducible-builds convention) is not set: the earliest date a zip can hold.
_DEFAULT_STAMP = dt.datetime(1980, 1, 1)


# --------------------------------------------------------------------------- text


def neutralise_text(text: str) -> str:
    """Make text safe to store in a spreadsheet cell.

    Text whose first character (after any spaces) is ``=``, ``+``, ``-``, ``@``, a
    tab, a carriage return or a line feed (or a full-width ``＝ ＋ － ＠``) gets a
    leading apostrophe, so that no spreadsheet program runs it as a formula;
    characters that XML 1.0 cannot hold become U+FFFD; text longer than Excel's
    32,767-character cell limit is cut, ending in an ellipsis.

    Why an apostrophe in the value itself: a string cell of an ``.xlsx`` file is
    never evaluated when the file is opened, but the protection is lost as soon as
    someone saves the sheet as CSV (the usual way data leave a spreadsheet) and opens
    that file again, or edits the cell. A value that *begins* with an apostrophe
    survives both: spreadsheet programs read a leading ``'`` as "this is text". This
    is the defence OWASP's "CSV Injection" page recommends, and it was checked with
    LibreOffice 7.4: ``=1+1`` written as a string cell comes back as ``2`` after
    xlsx → CSV → reopen, ``'=1+1`` stays text. Numbers are never passed through
    here, so a negative number stays a number.

    References
    ----------
    OWASP Foundation. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> neutralise_text('=HYPERLINK("http://example.invalid", "click")')
    '\\'=HYPERLINK("http://example.invalid", "click")'
    >>> neutralise_text("-2+3"), neutralise_text("  @SUM(A1)"), neutralise_text("−0.46")
    ("'-2+3", "'  @SUM(A1)", '−0.46')
    >>> neutralise_text("bell\\x07")
    'bell�'
    """
    text = _ILLEGAL_XML.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 2] + " …"
    if text.lstrip(" \u00a0").startswith(FORMULA_PREFIXES) or text.startswith(
            FORMULA_PREFIXES):
        text = "'" + text
    return text


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _cell_value(value: Any) -> Any:
    """A DataFrame value as openpyxl should store it (text already neutralised)."""
    if _is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        number = int(value)
        return number if abs(number) < _LARGEST_EXACT_INT else str(number)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isinf(number):
            return "∞" if number > 0 else "\u2212∞"
        return number
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # spreadsheets have no time zones: keep it as text
            return value.isoformat()
        return value
    if isinstance(value, dt.date):
        return value
    return neutralise_text(str(value))


# ---------------------------------------------------------------------- formats


def _display_length(value: Any, number_format: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        match = re.search(r"0\.(0+)", number_format)
        digits = len(match.group(1)) if match else 0
        text = f"{value:,.{digits}f}" if "," in number_format else f"{value:.{digits}f}"
        return len(text) + (1 if "%" in number_format else 0)
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _mostly_arabic_script(texts: Iterable[str]) -> bool:
    """True when most letters of the texts are Persian/Arabic letters."""
    arabic = letters = 0
    for text in texts:
        for char in text:
            if char.isalpha():
                letters += 1
                if _ARABIC_SCRIPT.match(char):
                    arabic += 1
    return letters > 0 and arabic / letters > 0.5


# ------------------------------------------------------------------------- names


def sheet_names(keys: Sequence[str], reserved: Iterable[str] = (CONTENTS_SHEET,)) -> list[str]:
    """Excel-safe, unique sheet names for table keys, in the same order.

    Characters Excel refuses in sheet names (``[ ] : * ? / \\``) become ``_``, leading
    and trailing apostrophes go, names are cut to 31 characters, and names that
    would clash (Excel compares them ignoring case) get a suffix ``_2``, ``_3``, ...

    Examples
    --------
    >>> sheet_names(["reliability", "Reliability", "a/b: c?", "x" * 40])
    ['reliability', 'Reliability_2', 'a_b_ c_', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    taken = {name.casefold() for name in reserved}
    out = []
    for key in keys:
        base = _INVALID_SHEET_CHARS.sub("_", str(key)).strip().strip("'").strip()
        base = (base or "table")[:MAX_SHEET_NAME]
        if base.casefold() in _RESERVED_SHEET_NAMES:
            base = base[: MAX_SHEET_NAME - 1] + "_"
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            suffix = f"_{number}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


# ------------------------------------------------------------------------ inputs


def _tables_of(report_or_tables: Any) -> tuple[list[Table], str, str, dict[str, Any],
                                                  list[str], list[str]]:
    """Tables, title, subtitle, meta, warnings and the section title of each table."""
    if isinstance(report_or_tables, Report):
        report = report_or_tables
        pairs = [(table, section.title) for section in report.sections
                 for table in section.tables]
        return ([t for t, _ in pairs], report.title, report.subtitle, dict(report.meta),
                list(report.warnings), [title for _, title in pairs])
    if isinstance(report_or_tables, Table):
        items: list[Any] = [report_or_tables]
    elif isinstance(report_or_tables, pd.DataFrame):
        items = [Table("table", "Table", report_or_tables)]
    elif isinstance(report_or_tables, Mapping):
        items = [Table(str(k), str(k), v) for k, v in report_or_tables.items()]
    elif isinstance(report_or_tables, Iterable) and not isinstance(report_or_tables,
                                                                   str | bytes):
        items = list(report_or_tables)
    else:
        raise PeerevalError(
            f"write_workbook cannot write a {type(report_or_tables).__name__}",
            hint="pass a Report, a Table, a list of Tables or a dict of DataFrames")
    for position, table in enumerate(items, start=1):
        if not isinstance(table, Table):
            raise PeerevalError(
                f"item {position} of the tables is a {type(table).__name__}, not a Table",
                hint="wrap each DataFrame as Table(key, title, frame)")
    return items, "peereval tables", "", {}, [], [""] * len(items)


def _check_table(table: Table) -> None:
    if not isinstance(table.frame, pd.DataFrame):
        raise PeerevalError(f"table '{table.key}' holds a {type(table.frame).__name__}, "
                            "not a DataFrame", hint="Table.frame must be a pandas DataFrame")


def _flatten(frame: pd.DataFrame, with_index: bool) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of cells (index levels first when asked)."""
    def label(value: Any) -> str:
        if isinstance(value, tuple):
            return " / ".join(str(v) for v in value if not _is_missing(v) and str(v) != "")
        return "" if _is_missing(value) else str(value)

    headers = [label(c) for c in frame.columns]
    columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
    if with_index:
        index = frame.index
        names = [label(n) for n in index.names]
        if isinstance(index, pd.MultiIndex):
            levels = [list(index.get_level_values(i)) for i in range(index.nlevels)]
        else:
            levels = [index.tolist()]
        headers = names + headers
        columns = levels + columns
    rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
    return headers, rows


# ------------------------------------------------------------------------ writing


def write_workbook(report_or_tables: Report | Table | Iterable[Table]
                   | Mapping[str, pd.DataFrame] | pd.DataFrame,
                   path: str | Path, *, min_cell: int | None = None) -> Path:
    """Write the tables of a report to a formatted Excel workbook.

    Parameters
    ----------
    report_or_tables
        A :class:`~peereval.report._model.Report` (every table of every section, in
        reading order, with the report's title and warnings), a
        :class:`~peereval.report._model.Table`, a list of tables, or a dict of
        DataFrames (keys become sheet names and titles).
    path
        The ``.xlsx`` file to write; an existing file is replaced. Its folder must
        exist.
    min_cell
        The small-cell rule the tables were suppressed with, stated on the contents
        sheet. By default ``report.meta["min_cell"]`` when there is one. The tables
        are written as given: suppression is the runner's job, before this.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    PeerevalError
        Not a report or tables, a table without a DataFrame, a file name not ending
        in ``.xlsx``, a folder that does not exist or cannot be written.

    Notes
    -----
    *Layout.* Sheet ``Contents`` first; then one sheet per table, named from
    ``Table.key`` (see :func:`sheet_names`): title in row 1, header in row 3 (bold,
    frozen, with a filter), values below, the note two rows under the last value.
    With ``Table.index`` the index is written as the first column(s), which are
    frozen too.

    *Numbers* are stored as the DataFrame holds them (NaN as an empty cell) and
    formatted for display per column by the column's role
    (:meth:`~peereval.report.Table.column_roles`, the same rule as the HTML report:
    :func:`peereval._columns.excel_format`): p-values and adjusted p-values as
    ``.000`` with ``< .001`` below .001, counts as ``0``, shares as ``0.0%``,
    percentages as ``0.0``, other numbers with 3 decimals when every value is below
    0.1, 2 below 100, 1 below 10,000, none above (``#,##0`` from 10,000). Integers
    beyond 2^53 are written as text so that no digit is lost; infinities as ``∞``.

    *Text* goes through :func:`neutralise_text` (formula characters, characters XML
    cannot hold, Excel's cell-length limit). Time-zone-aware timestamps are
    written as ISO text, since spreadsheet dates have no time zone.

    *Direction.* A sheet whose title, headers and text are mostly Persian or Arabic
    letters is shown right to left.

    *Determinism.* The document's created and modified dates and every zip entry's
    date are fixed (to ``SOURCE_DATE_EPOCH`` when set, otherwise 1980-01-01) and the
    entries are rewritten in openpyxl's order, so the same report gives a
    byte-identical file.

    References
    ----------
    OWASP Foundation. CSV Injection (formula injection).
    https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from peereval.report import Table, write_workbook
    >>> frame = pd.DataFrame({"scale": ["support", "=1+1"], "alpha": [0.8712, 0.7]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_workbook([Table("reliability", "Reliability", frame)],
    ...                           pathlib.Path(folder) / "tables.xlsx")
    ...     import openpyxl
    ...     book = openpyxl.load_workbook(path)
    ...     sheet = book["reliability"]
    ...     (book.sheetnames, sheet["A1"].value, sheet["A5"].value, sheet["B4"].value,
    ...      sheet["B4"].number_format)
    (['Contents', 'reliability'], 'Reliability', "'=1+1", 0.8712, '0.00')
    """
    from openpyxl import Workbook

    tables, title, subtitle, meta, warnings, sections = _tables_of(report_or_tables)
    for table in tables:
        _check_table(table)
    path = _target(path)
    if min_cell is None and isinstance(meta.get("min_cell"), int):
        min_cell = meta["min_cell"]
    if min_cell is not None and (not isinstance(min_cell, int) or min_cell < 1):
        raise PeerevalError(f"min_cell must be a positive whole number, not {min_cell!r}",
                            hint="e.g. min_cell=10")
    names = sheet_names([t.key for t in tables])
    stamp = _stamp()

    book = Workbook()
    contents = book.active
    contents.title = CONTENTS_SHEET
    for table, name in zip(tables, names, strict=True):
        _write_table(book.create_sheet(name), table)
    _write_contents(contents, tables, names, title, subtitle, meta, warnings, sections,
                    min_cell)
    props = book.properties
    props.creator = "peereval"
    props.lastModifiedBy = "peereval"
    props.title = neutralise_text(title)
    props.created = stamp
    props.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    _write_deterministic(buffer.getvalue(), path, stamp)
    return path


def _target(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise PeerevalError("the workbook's file name must end in .xlsx", file=path,
                            hint="e.g. tables.xlsx")
    if path.is_dir():
        raise PeerevalError("this is a folder, not a file name", file=path,
                            hint="give the path of the .xlsx file to write")
    if not path.parent.is_dir():
        raise PeerevalError(f"the folder '{path.parent}' does not exist", file=path,
                            hint="create the folder first, or write somewhere else")
    return path


def _stamp() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
        return max(stamp, _DEFAULT_STAMP)
    return _DEFAULT_STAMP


def _fonts() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    return {
        "title": Font(bold=True, size=13),
        "subtitle": Font(italic=True, color="555555"),
        "header": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor="E7E6E6"),
        "header_border": Border(bottom=Side(style="thin", color="808080")),
        "header_align": Alignment(wrap_text=True, vertical="bottom"),
        "note": Font(italic=True, color="555555"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "link": Font(color="0563C1", underline="single"),
    }


def _write_table(sheet: Any, table: Table) -> None:
    from openpyxl.utils import get_column_letter

    style = _fonts()
    headers, rows = _flatten(table.frame, table.index)
    if table.translated is not None and len(table.translated[0]) == len(headers):
        headers = table.translated[0]  # a report in another language: its headers
    n_index = table.frame.index.nlevels if table.index else 0
    sheet.cell(_TITLE_ROW, 1, neutralise_text(table.title)).font = style["title"]
    texts = [table.title, *headers]
    for j, header in enumerate(headers, start=1):
        cell = sheet.cell(_HEADER_ROW, j, neutralise_text(header))
        cell.font = style["header"]
        cell.fill = style["header_fill"]
        cell.border = style["header_border"]
        cell.alignment = style["header_align"]
    values = [[_cell_value(v) for v in row] for row in rows]
    roles = table.column_roles()
    for j, header in enumerate(headers):
        column = [row[j] for row in values]
        numbers = [float(v) for v in column
                   if isinstance(v, int | float) and not isinstance(v, bool)]
        number_format = excel_format(roles[j], numbers)  # type: ignore[arg-type]
        width = max(min(len(header), 30), 0)
        for i, value in enumerate(column):
            cell = sheet.cell(_HEADER_ROW + 1 + i, j + 1, value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.number_format = number_format
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                texts.append(value)
                if len(value) > _WRAP_AT or "\n" in value:
                    cell.alignment = style["wrap"]
            width = max(width, _display_length(value, number_format))
        sheet.column_dimensions[get_column_letter(j + 1)].width = \
            min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    last_row = _HEADER_ROW + len(values)
    if headers:
        sheet.freeze_panes = sheet.cell(_HEADER_ROW + 1, n_index + 1).coordinate
        sheet.auto_filter.ref = f"A{_HEADER_ROW}:{get_column_letter(len(headers))}{last_row}"
    note_lines = [line for line in (table.note or "").splitlines()]
    if not rows:
        note_lines.insert(0, "(no rows)")
    for k, line in enumerate(note_lines):
        cell = sheet.cell(last_row + 2 + k, 1, neutralise_text(line))
        cell.font = style["note"]
        texts.append(line)
    if _mostly_arabic_script(texts):
        sheet.sheet_view.rightToLeft = True


def _write_contents(sheet: Any, tables: list[Table], names: list[str], title: str,
                    subtitle: str, meta: Mapping[str, Any], warnings: list[str],
                    sections: list[str], min_cell: int | None) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    style = _fonts()
    sheet.cell(1, 1, neutralise_text(title)).font = style["title"]
    row = 2
    if subtitle:
        sheet.cell(row, 1, neutralise_text(subtitle)).font = style["subtitle"]
        row += 1
    row += 1
    headers = ["Sheet", "Table", "Section", "Rows"]
    for j, header in enumerate(headers, start=1):
        cell = sheet.cell(row, j, header)
        cell.font = style["header"]
        cell.fill = style["header_fill"]
        cell.border = style["header_border"]
    header_row = row
    widths = [len(h) for h in headers]
    texts = [title, subtitle]
    for table, name, section in zip(tables, names, sections, strict=True):
        row += 1
        link = sheet.cell(row, 1, neutralise_text(name))
        target = "'" + name.replace("'", "''") + "'!A1"
        link.hyperlink = Hyperlink(ref=link.coordinate, location=target, display=name)
        link.font = style["link"]
        cells = [name, neutralise_text(table.title),
                 neutralise_text(section), len(table.frame)]
        for j, value in enumerate(cells[1:], start=2):
            sheet.cell(row, j, value)
        texts.extend(str(c) for c in cells[1:3])
        for j, value in enumerate(cells):
            widths[j] = max(widths[j], len(str(value)))
    if not tables:
        row += 1
        sheet.cell(row, 1, "(the report has no tables)").font = style["note"]
    lines = ["Numbers are stored at full precision; the cells show them rounded.",
             "An empty cell in a table: not applicable to that row, or not estimable (the "
             "report's notes and warnings say why).",
             "Text that would begin with =, +, -, @ or a tab starts with an apostrophe, "
             "so that no spreadsheet program runs it as a formula."]
    if min_cell is not None:
        lines.insert(0, f"Privacy: counts and statistics of groups of fewer than {min_cell} "
                        "students are suppressed.")
    version = meta.get("version")
    if version:
        lines.append(f"Written by peereval {version}.")
    row += 1
    for line in lines:
        row += 1
        sheet.cell(row, 1, neutralise_text(line)).font = style["note"]
    if warnings:
        row += 2
        sheet.cell(row, 1, "Warnings").font = style["header"]
        for warning in warnings:
            row += 1
            sheet.cell(row, 1, neutralise_text(str(warning)))
            texts.append(str(warning))
    for j, width in enumerate(widths[:3]):
        sheet.column_dimensions["ABC"[j]].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1).coordinate
    if _mostly_arabic_script(texts):
        sheet.sheet_view.rightToLeft = True


def _write_deterministic(data: bytes, path: Path, stamp: dt.datetime) -> None:
    """Rewrite openpyxl's zip with fixed dates and attributes, atomically."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    pattern = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = pattern.sub(lambda m: m.group(1) + when + m.group(2), content)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content, compresslevel=6)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as fh:
            fh.write(out.getvalue())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise PeerevalError(f"the workbook could not be written: {exc.strerror or exc}",
                            file=path, hint="close the file if it is open in Excel, and "
                            "check that the folder can be written to") from None
