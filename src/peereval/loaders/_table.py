"""Reading export files into raw grids of cells, before any platform logic.

A :class:`RawTable` is the file exactly as a spreadsheet program would show it: every
row (header rows included) as a list of cells, text cells as ``str``, empty cells as
``None``; workbook cells keep the type openpyxl gives them (numbers, datetimes).
Nothing is interpreted here, so a platform loader can read header rows its own way
and report any cell by the row number the user sees.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peereval.errors import EmptyFileError, EncodingError, FileFormatError, SheetError

__all__ = ["RawTable", "Source", "open_source"]

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".xls", ".dat"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
SAV_SUFFIXES = {".sav", ".zsav"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAV_MAGIC = (b"$FL2", b"$FL3")

# Guard against zip bombs: openpyxl inflates every XML part in memory.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3


@dataclass
class RawTable:
    """One sheet (or one text file) as rows of cells.

    Attributes
    ----------
    rows
        Every non-empty row, each padded to the same width; ``None`` for empty cells.
    row_numbers
        The 1-based row number of each entry of ``rows`` as a spreadsheet shows it.
    path, sheet
        Where the table came from; ``sheet`` is ``None`` for text files.
    encoding, delimiter
        For text files, what the file was decoded and split with.
    """

    rows: list[list[Any]]
    row_numbers: list[int]
    path: Path
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def row(self, index: int) -> list[Any]:
        return self.rows[index] if index < len(self.rows) else []

    def text_row(self, index: int) -> list[str]:
        """Row ``index`` as stripped strings ("" for empty cells)."""
        return [cell_text(c) for c in self.row(index)]

    def where(self, index: int | None = None, column: str | None = None,
              value: Any = None) -> dict[str, Any]:
        """Keyword arguments locating a cell, for a :class:`PeerevalError`."""
        return {
            "file": self.path,
            "sheet": self.sheet,
            "row": None if index is None else self.row_numbers[index],
            "column": column,
            "value": value,
        }


@dataclass
class Source:
    """An opened export file: its kind and its tables (one per non-empty sheet)."""

    path: Path
    kind: str  # "text", "workbook" or "sav"
    tables: list[RawTable] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> ``A``, 26 -> ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(value: Any) -> str:
    """A cell as stripped text; ``""`` for empty cells."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ----------------------------------------------------------------------- detection


def sniff_kind(path: Path, head: bytes) -> str:
    """Tell a file's kind from its first bytes (the extension can lie)."""
    if head.startswith(_ZIP_MAGIC):
        return "workbook"
    if head.startswith(_SAV_MAGIC):
        return "sav"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    return "text"


def open_source(
    path: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
) -> Source:
    """Open an export file and read its raw tables.

    Parameters
    ----------
    path
        The file. Its kind is told from its content, not its extension: a
        ``.xls`` file that is really UTF-16 tab-separated text (as many university
        systems write) is read as text.
    encoding
        Force a text encoding (e.g. ``"cp1256"``). By default a byte-order mark
        decides, otherwise the text must be UTF-8.
    delimiter
        Force the field separator of a text file; by default it is detected.
    sheet
        For workbooks: the sheet name or 0-based index to read. By default every
        non-empty sheet is read and the caller chooses.
    """
    path = Path(path)
    if not path.exists():
        raise FileFormatError(
            "the file does not exist", file=path, hint="check the path and the file name"
        )
    if path.is_dir():
        raise FileFormatError("this is a folder, not a file", file=path,
                              hint="give the path of the exported file itself")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError("the file is empty (0 bytes)", file=path,
                             hint="export the data again; the download may have failed")
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = sniff_kind(path, head)
    if kind == "workbook":
        return _open_workbook(path, sheet)
    if kind == "sav":
        return Source(path, "sav")
    if kind == "ole":
        raise FileFormatError(
            "this is an old binary Excel 97-2003 workbook (.xls) or an encrypted workbook, "
            "which peereval does not read",
            file=path,
            hint="open it in Excel or LibreOffice and save it as .xlsx (Excel Workbook), "
            "or remove the password",
        )
    data = path.read_bytes()
    text, used = decode_text(data, path, encoding)
    table = parse_delimited(text, path, delimiter=delimiter, encoding=used)
    return Source(path, "text", [table], [])


# -------------------------------------------------------------------------- text


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file, returning the text and the encoding used.

    Byte-order marks decide between UTF-8, UTF-16 LE and UTF-16 BE; UTF-16 without a
    mark is recognised by its zero bytes. Anything else must be valid UTF-8: legacy
    code pages cannot be told apart reliably (a Windows-1256 Persian file also
    decodes, wrongly, as Windows-1252), so the caller is asked to name it.
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise EncodingError(f"unknown encoding name '{encoding}'", file=path,
                                hint="use a Python codec name such as 'utf-8', "
                                "'utf-16' or 'cp1256'") from exc
        except UnicodeDecodeError as exc:
            raise _decode_error(data, path, exc, encoding) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        chosen = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        chosen = "utf-16"
    else:
        chosen = _utf16_without_bom(data) or "utf-8"
        if chosen == "utf-8" and _looks_binary(data):
            raise FileFormatError(
                "the file holds binary data (control bytes), not text, so it is not a "
                "text export",
                file=path,
                hint="export the survey again as CSV or XLSX; if this is a workbook or an "
                "SPSS file, give it its proper extension (.xlsx, .sav)",
            )
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as exc:
        raise _decode_error(data, path, exc, chosen) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileFormatError(
            "the file contains binary data (NUL characters), so it is not a text export",
            file=path,
            row=line,
            hint="export the survey again as CSV or XLSX; if this is a workbook, give it "
            "its proper extension",
        )
    return text, chosen


_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r")


def _looks_binary(data: bytes) -> bool:
    """More than 1% control bytes (other than tab, newline, form feed, CR): not text."""
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROLS)
    return controls > max(1, len(sample) // 100)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _decode_error(data: bytes, path: Path, exc: UnicodeDecodeError, tried: str) -> EncodingError:
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    snippet_bytes = data[start : end if end != -1 else len(data)][:80]
    guess = _guess_legacy(data)
    hint = (
        "save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8'), or name its encoding "
        "with encoding='...'"
    )
    if guess:
        hint = (
            f"the bytes look like {guess[1]}; pass encoding='{guess[0]}' "
            "(command line: --encoding " + guess[0] + "), or save the file as UTF-8"
        )
    return EncodingError(
        f"the text is not valid {tried} (byte 0x{data[offset]:02x} at position {offset})",
        file=path,
        row=line,
        value=snippet_bytes.decode(tried, errors="replace").strip(),
        hint=hint,
    )


def _guess_legacy(data: bytes) -> tuple[str, str] | None:
    """Guess a legacy code page for an error message (never used to decode silently)."""
    try:
        text = data[:20000].decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff")
    letters = sum(1 for ch in text if ch.isalpha())
    if letters and arabic / letters > 0.3:
        return "cp1256", "Windows-1256 (Persian/Arabic Windows)"
    try:
        data[:20000].decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "cp1252", "Windows-1252 (Western European Windows)"


def sniff_delimiter(text: str, path: Path) -> str:
    """Choose the field separator from the first lines (outside quoted fields)."""
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    counts = {",": 0, ";": 0, "\t": 0, "|": 0}
    in_quotes = False
    lines_seen = 0
    per_line: dict[str, list[int]] = {d: [] for d in counts}
    current = dict.fromkeys(counts, 0)
    for ch in text[:65536]:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            current[ch] += 1
        elif not in_quotes and ch == "\n":
            for d in counts:
                per_line[d].append(current[d])
            current = dict.fromkeys(counts, 0)
            lines_seen += 1
            if lines_seen >= 20:
                break
    if not lines_seen:
        for d in counts:
            per_line[d].append(current[d])

    def score(d: str) -> tuple[int, int]:
        values = per_line[d]
        consistent = sum(1 for v in values if v == values[0] and v > 0)
        return consistent, values[0]

    best = max(counts, key=score)
    return best if score(best)[1] > 0 else ","


def parse_delimited(text: str, path: Path, *, delimiter: str | None = None,
                    encoding: str | None = None) -> RawTable:
    """Split decoded text into rows; quoted fields may hold separators and newlines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise EmptyFileError("the file holds only white space", file=path,
                             hint="export the data again")
    sep = delimiter or sniff_delimiter(text, path)
    try:
        rows, numbers = _parse_fast(text, sep)
    except ValueError:  # ragged rows or odd quoting: the csv module copes with both
        rows, numbers = _parse_tolerant(text, sep, path)
    if not rows:
        raise EmptyFileError("the file holds no values, only empty fields", file=path,
                             hint="export the data again; the download may have failed")
    return _rectangular(RawTable(rows, numbers, path, None, encoding, sep))


def _parse_fast(text: str, sep: str) -> tuple[list[list[Any]], list[int]]:
    """pandas' C parser; raises ValueError (ParserError) on ragged rows."""
    import numpy as np
    import pandas as pd

    # only the empty field is missing (no "NA", "null", ...): the parser marks it in C
    frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=object,
                        na_filter=True, na_values=[""], keep_default_na=False,
                        skip_blank_lines=False, quotechar='"', doublequote=True,
                        engine="c")
    cells = frame.to_numpy(dtype=object)
    empty = pd.isna(cells)  # one C pass over the whole array, not one per column
    cells[empty] = None
    keep = ~empty.all(axis=1)
    numbers = (np.flatnonzero(keep) + 1).tolist()
    return cells[keep].tolist(), numbers


def _parse_tolerant(text: str, sep: str, path: Path) -> tuple[list[list[Any]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"',
                        doublequote=True, strict=False)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    try:
        for record_number, record in enumerate(reader, start=1):
            cells = [c if c.strip() else None for c in record]
            if any(c is not None for c in cells):
                rows.append(cells)
                numbers.append(record_number)
    except csv.Error as exc:
        raise FileFormatError(f"the text cannot be split into fields: {exc}", file=path,
                              row=reader.line_num,
                              hint="check for an unclosed quotation mark") from exc
    return rows, numbers


def _rectangular(table: RawTable) -> RawTable:
    """Pad short rows; trailing empty columns are dropped."""
    lengths = {len(r) for r in table.rows}
    width = max(lengths, default=0)
    while width and all(len(r) < width or r[width - 1] is None for r in table.rows):
        width -= 1
    if lengths != {width}:
        table.rows = [r[:width] + [None] * (width - len(r)) for r in table.rows]
    return table


# ---------------------------------------------------------------------- workbooks


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        raise FileFormatError("the workbook is damaged or truncated (not a valid zip)",
                              file=path, hint="download or save the workbook again") from exc
    if "xl/workbook.xml" not in names:
        raise FileFormatError("this zip file is not an Excel workbook (no xl/workbook.xml)",
                              file=path, hint="give the .xlsx file exported by the platform")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileFormatError(
            f"the workbook would expand to {total / 1024**3:.1f} GiB, more than the "
            f"{MAX_UNCOMPRESSED_BYTES / 1024**3:.0f} GiB peereval accepts",
            file=path, hint="export the data as CSV instead",
        )


def _open_workbook(path: Path, sheet: str | int | None) -> Source:
    import openpyxl

    _check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileFormatError(f"the workbook cannot be opened ({type(exc).__name__}: {exc})",
                              file=path, hint="open and re-save it in Excel") from exc
    try:
        names = list(wb.sheetnames)
        if sheet is not None:
            if isinstance(sheet, int):
                if not 0 <= sheet < len(names):
                    raise SheetError(f"there is no sheet number {sheet}; the workbook has "
                                     f"{len(names)} sheet(s): {', '.join(names)}",
                                     file=path, hint="sheets are counted from 0")
                wanted = [names[sheet]]
            else:
                if sheet not in names:
                    raise SheetError(f"there is no sheet named '{sheet}'", file=path,
                                     hint="choose one of: " + ", ".join(names))
                wanted = [sheet]
        else:
            wanted = names
        tables = []
        for name in wanted:
            ws = wb[name]
            rows: list[list[Any]] = []
            numbers: list[int] = []
            try:
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    cells = [_workbook_cell(v) for v in values]
                    if any(c is not None for c in cells):
                        rows.append(cells)
                        numbers.append(number)
            except Exception as exc:  # the sheet's XML is parsed lazily, row by row
                raise FileFormatError(
                    f"the sheet is damaged after row {len(rows) and numbers[-1]} "
                    f"({type(exc).__name__}: {exc})", file=path, sheet=name,
                    hint="open and re-save the workbook in Excel, or export it again",
                ) from exc
            if rows:
                tables.append(_rectangular(RawTable(rows, numbers, path, name)))
    finally:
        wb.close()
    if not tables:
        raise EmptyFileError("the workbook has no cells with data", file=path,
                             sheet=wanted[0] if len(wanted) == 1 else None,
                             hint="export the data again")
    return Source(path, "workbook", tables, names)


def _workbook_cell(value: Any) -> Any:
    if isinstance(value, str):
        return value if value.strip() else None
    return value
