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
import itertools
import re
import unicodedata
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
    """An opened export file: its kind and its tables (one per non-empty sheet).

    Attributes
    ----------
    path
        The file.
    kind
        ``"text"``, ``"workbook"`` (``.xlsx`` or binary ``.xls``) or ``"sav"``.
    tables, sheet_names
        The non-empty tables, and every sheet name of a workbook.
    encoding
        For text files, the Python codec the text was decoded with (``"utf-8"``,
        ``"utf-16-le"``, ``"cp1256"``, ...); ``None`` for workbooks and SPSS files.
    encoding_note
        A sentence saying how the encoding was identified, when it was not
        UTF-8 or marked by a byte-order mark (so it is shown to the user);
        ``None`` otherwise.
    """

    path: Path
    kind: str  # "text", "workbook" or "sav"
    tables: list[RawTable] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)
    encoding: str | None = None
    encoding_note: str | None = None


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
        systems write) is read as text, a binary Excel 97-2003 ``.xls`` workbook
        (BIFF) through xlrd, a ``.xlsx`` workbook through openpyxl.
    encoding
        Force a text encoding (e.g. ``"cp1256"``). By default a byte-order mark
        decides, then the byte pattern of UTF-16, then UTF-8; a file that is none
        of these is decoded as Windows-1256 or Windows-1252 only when its text
        says which (see :func:`identify_text`), and refused otherwise.
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
        return _open_xls(path, sheet)
    data = path.read_bytes()
    decoded = identify_text(data, path, encoding)
    table = parse_delimited(decoded.text, path, delimiter=delimiter, encoding=decoded.encoding)
    return Source(path, "text", [table], [], decoded.encoding, decoded.note)


# -------------------------------------------------------------------------- text


@dataclass(frozen=True)
class DecodedText:
    """A text file decoded: the text, the codec used and how it was identified.

    Attributes
    ----------
    text
        The decoded text.
    encoding
        The Python codec name used (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``,
        ``"utf-16-le"``, ``"cp1256"``, ``"cp1252"``, or the one asked for).
    note
        How the encoding was identified, for :attr:`Responses.notes`, when it
        was neither UTF-8, nor marked by a byte-order mark, nor asked for.
    """

    text: str
    encoding: str
    note: str | None = None


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file, returning the text and the encoding used.

    See :func:`identify_text` for how the encoding is chosen.
    """
    decoded = identify_text(data, path, encoding)
    return decoded.text, decoded.encoding


def identify_text(data: bytes, path: Path, encoding: str | None = None) -> DecodedText:
    r"""Decode a text file whose encoding is asked for or can be told from its bytes.

    Algorithm
    ---------
    1. ``encoding`` given: decode with it, strictly.
    2. A byte-order mark decides between UTF-8, UTF-16 LE and UTF-16 BE.
    3. UTF-16 without a mark is recognised by its byte pattern: one byte of each
       pair (the high byte) takes only a few values, zero for ASCII characters
       (so at least a tenth of them), ``0x06`` for Arabic-script letters, ``0x20``
       for punctuation such as the zero-width non-joiner; the other byte is
       almost never zero.
    4. Binary data (control bytes) is refused.
    5. Valid UTF-8 is UTF-8.
    6. Otherwise the two legacy Windows code pages of peereval's users are tried,
       Windows-1256 (Persian/Arabic) and Windows-1252 (Western European; its
       subset ISO-8859-1 included). Every byte decodes in Windows-1256 and almost
       every byte in Windows-1252, so decoding succeeding is no evidence; the
       decoded text is judged instead (:func:`_legacy_evidence`): its words must
       each be of one script, Arabic-script words must carry the letter
       frequencies of Persian or Arabic text, and Latin words must not look like
       mojibake (all-accented words, a capital after a small letter inside a
       word, Icelandic letters such as ``þ`` that Turkish and Persian bytes
       become). The lines holding non-ASCII bytes are judged, up to 256 KiB of
       them. Exactly one plausible code page is used and recorded in the
       note; two plausible ones with different texts, or none, are refused with
       an :class:`EncodingError` saying which ``encoding=`` to pass. Other code
       pages of Latin-script languages (e.g. Windows-1250) can read as
       plausible Windows-1252; the note says which was used.

    Raises
    ------
    EncodingError
        When the encoding cannot be identified with confidence.
    FileFormatError
        When the bytes are binary data, not text.

    Examples
    --------
    >>> from pathlib import Path
    >>> data = "id,comment\r\n1,خيلي خوب بود\r\n".encode("cp1256")
    >>> decoded = identify_text(data, Path("old.csv"))
    >>> decoded.encoding, decoded.text.splitlines()[1]
    ('cp1256', '1,خيلي خوب بود')
    """
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError as exc:
            raise EncodingError(f"unknown encoding name '{encoding}'", file=path,
                                hint="use a Python codec name such as 'utf-8', "
                                "'utf-16' or 'cp1256'") from exc
        except UnicodeDecodeError as exc:
            raise _decode_error(data, path, exc, encoding) from exc
        return DecodedText(text, encoding)
    note = None
    if data.startswith(b"\xef\xbb\xbf"):
        chosen = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        chosen = "utf-16"
    else:
        chosen = _utf16_without_bom(data) or "utf-8"
        if chosen != "utf-8":
            note = (f"decoded as UTF-16 {chosen[-2:].upper()} (the file has no byte-order "
                    "mark; its encoding was recognised by the zero bytes of its ASCII "
                    "characters)")
        elif _looks_binary(data):
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
        if chosen != "utf-8":
            raise _decode_error(data, path, exc, chosen) from exc
        decoded = _identify_legacy(data, path, exc)
        text, chosen, note = decoded.text, decoded.encoding, decoded.note
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileFormatError(
            "the file contains binary data (NUL characters), so it is not a text export",
            file=path,
            row=line,
            hint="export the survey again as CSV or XLSX; if this is a workbook, give it "
            "its proper extension",
        )
    return DecodedText(text, chosen, note)


_TEXT_CONTROLS = frozenset(b"\t\n\x0c\r")


def _looks_binary(data: bytes) -> bool:
    """More than 1% control bytes (other than tab, newline, form feed, CR): not text."""
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROLS)
    return controls > max(1, len(sample) // 100)


# High bytes of UTF-16 code units in survey text: ASCII (0x00), Latin-1 letters
# (0x00), Latin Extended (0x01), Arabic script (0x06), Arabic presentation forms
# (0xFB, 0xFE), general punctuation such as ZWNJ, dashes and quotes (0x20).
_UTF16_HIGH_BYTES = frozenset({0x00, 0x01, 0x06, 0x20, 0xFB, 0xFE})


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    for high, low, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        zero_high = high.count(0) / len(high)
        zero_low = low.count(0) / len(low)
        usual = sum(1 for b in high if b in _UTF16_HIGH_BYTES) / len(high)
        if zero_high > 0.1 and zero_low < 0.05 and usual > 0.95 and _decodes_as_text(
                sample, codec):
            return codec
    return None


def _decodes_as_text(sample: bytes, codec: str) -> bool:
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError as exc:  # a sample may end inside a surrogate pair
        if exc.start < len(sample) - 4:
            return False
        text = sample[: exc.start].decode(codec)
    return not any(ord(ch) < 0x20 and ch not in "\t\n\r\x0c" for ch in text)


# --------------------------------------------------------------- legacy code pages

_LEGACY_NAMES = {
    "cp1256": "Windows-1256 (Persian/Arabic Windows)",
    "cp1252": "Windows-1252 (Western European Windows)",
}
# A legacy code page is identified only from this much evidence: words with
# non-ASCII letters (a lone accented letter might be anything).
_MIN_EVIDENCE_WORDS = 3
# Persian and Arabic text: these letters make up well over half of all letters
# (alef, lam, yeh, noon, meem, reh, waw, dal, heh, teh, beh, seen, kaf/keheh, sheen);
# an Arabic-looking byte salad spreads evenly over the ~40 letters of the code page.
_FREQUENT_ARABIC = frozenset("اليیىنمرودهتبسکكش")
_MIN_FREQUENT_SHARE = 0.45
_FREQUENCY_FROM = 30  # Arabic-script letters needed before the frequency test applies
# Non-letters that occur in real text of either code page.
_TEXT_SYMBOLS = frozenset(
    "\u00a0\u00ad\u200c\u200d\u200e\u200f«»‹›‘’‚“”„–—…•·°±×÷€£¢¥§©®™¼½¾²³¹¡¿،؛؟٪٫٬"
)
# Of the words with non-ASCII letters, at most this share may look odd (a Persian
# file may hold "SMSها"); with fewer than 20 such words, none may.
_RARE_MAX_SHARE = 0.05


def _script(ch: str) -> str:
    """``ascii``, ``arabic``, ``latin`` or ``other`` for a letter or mark."""
    if ch.isascii():
        return "ascii"
    code = ord(ch)
    if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "arabic"
    if unicodedata.name(ch, "").startswith("LATIN"):
        return "latin"
    return "other"


def _words(text: str) -> list[str]:
    """Runs of letters, combining marks and joiners: what a reader calls words."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in "\u200c\u200d" or unicodedata.category(ch)[0] in "LM":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


# The evidence is gathered from the lines holding non-ASCII bytes, up to this many
# bytes of them (judging every line of a large file would take seconds).
_EVIDENCE_BYTES = 256 * 1024
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")


def _non_ascii_lines(data: bytes) -> bytes:
    """The lines of ``data`` that hold non-ASCII bytes, up to ``_EVIDENCE_BYTES``."""
    kept: list[bytes] = []
    size = 0
    for match in _NON_ASCII_LINE.finditer(data):
        kept.append(match.group())
        size += len(kept[-1]) + 1
        if size >= _EVIDENCE_BYTES:
            break
    return b"\n".join(kept)


@dataclass(frozen=True)
class _Evidence:
    """What a candidate decoding looks like (see :func:`_legacy_evidence`)."""

    codec: str
    text: str
    words: int  # words holding non-ASCII letters
    odd: int  # of them, mixed-script or mojibake-looking
    odd_symbols: int  # non-ASCII non-letters outside the usual punctuation
    arabic_letters: int
    frequent_share: float
    example: str  # a word or symbol that speaks against the decoding

    @property
    def plausible(self) -> bool:
        if self.words < _MIN_EVIDENCE_WORDS or self.odd_symbols:
            return False
        if self.odd > int(_RARE_MAX_SHARE * self.words):
            return False
        if self.codec == "cp1256":
            if self.arabic_letters == 0:
                return False
            if (self.arabic_letters >= _FREQUENCY_FROM
                    and self.frequent_share < _MIN_FREQUENT_SHARE):
                return False
        return True


def _legacy_evidence(codec: str, text: str, sample: str | None = None) -> _Evidence:
    """Judge a decoding: are its words of one script each, and shaped like words?

    A word holding letters of two scripts (``Mنdchen``), or of a script neither
    code page is for, speaks against the decoding; so does, for Latin words, one
    made only of accented letters (``ÇãáÇ``) or with a capital after a small
    letter that involves an accented one (``ãÎÇáÝã``): Persian or Arabic bytes read
    as Windows-1252 look like that. ``sample`` (by default ``text``) is the part
    of the text that is judged.
    """
    judged = text if sample is None else sample
    words = odd = arabic = frequent = odd_symbols = 0
    example = ""
    for word in _words(judged):
        if word.isascii():
            continue
        scripts = {_script(ch) for ch in word if unicodedata.category(ch)[0] in "LM"}
        words += 1
        letters = [ch for ch in word if unicodedata.category(ch)[0] == "L"]
        arabic += sum(1 for ch in letters if _script(ch) == "arabic")
        frequent += sum(1 for ch in letters if ch in _FREQUENT_ARABIC)
        bad = "other" in scripts or ("arabic" in scripts and scripts & {"ascii", "latin"})
        if not bad and "arabic" not in scripts:
            bad = _looks_like_mojibake(letters)
        if bad:
            odd += 1
            example = example or word
    for ch in judged:
        if not ch.isascii() and unicodedata.category(ch)[0] not in "LM" \
                and ch not in _TEXT_SYMBOLS:
            odd_symbols += 1
            example = example or ch
    share = frequent / arabic if arabic else 0.0
    return _Evidence(codec, text, words, odd, odd_symbols, arabic, share, example)


# Windows-1252 letters that Western European text outside Iceland hardly uses, but
# that Persian (ف ق, yeh-like letters) and Turkish (ğ ı ş) bytes turn into.
_RARE_LATIN = frozenset("ðÐþÞýÝ")


def _looks_like_mojibake(letters: list[str]) -> bool:
    if len(letters) >= 2 and not any(ch.isascii() for ch in letters):
        return True
    if any(ch in _RARE_LATIN for ch in letters):
        return True
    for left, right in itertools.pairwise(letters):
        if left.islower() and right.isupper() and not (left.isascii() and right.isascii()):
            return True
    return False


def _identify_legacy(data: bytes, path: Path, exc: UnicodeDecodeError) -> DecodedText:
    """Decode non-UTF-8 bytes as Windows-1256 or Windows-1252, if the text says which."""
    candidates: list[_Evidence] = []
    sample = _non_ascii_lines(data)
    for codec in ("cp1256", "cp1252"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append(_legacy_evidence(codec, text, sample.decode(codec)))
    plausible = [c for c in candidates if c.plausible]
    if len(plausible) == 2 and plausible[0].text == plausible[1].text:
        plausible = [plausible[1]]  # the same text either way: call it Windows-1252
    if len(plausible) == 1:
        chosen = plausible[0]
        what = ("Persian/Arabic letters, each word in one script, with the letter "
                "frequencies of Persian or Arabic" if chosen.codec == "cp1256"
                else "Western European accented letters, each word in the Latin script")
        same = (" (Windows-1256 gives the same text)"
                if len(candidates) == 2 and candidates[0].text == candidates[1].text else "")
        other = next((c for c in candidates if c.text != chosen.text), None)
        against = (f"; {_LEGACY_NAMES[other.codec].split(' (')[0]} would give words such "
                   f"as '{other.example}'" if other is not None and other.example else "")
        note = (f"decoded as {_LEGACY_NAMES[chosen.codec]}{same}: the file is not UTF-8; "
                f"the {chosen.words} words with non-ASCII letters judged read as "
                f"{what}{against}. "
                f"If this is wrong, pass encoding='...'")
        return DecodedText(chosen.text, chosen.codec, note)
    if len(plausible) == 2:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        snippet = data[start: end if end != -1 else len(data)][:60]
        readings = "; ".join(f"as {_LEGACY_NAMES[c.codec]}: '{snippet.decode(c.codec).strip()}'"
                             for c in plausible)
        raise EncodingError(
            "the text is not UTF-8 and reads plausibly in two legacy code pages, so "
            f"peereval will not guess ({readings})",
            file=path, row=line, value=snippet.decode("cp1252", errors="replace").strip(),
            hint="pass encoding='cp1256' (command line: --encoding cp1256) if the file "
            "holds Persian or Arabic text, or encoding='cp1252' if it holds Western "
            "European text; or save the file as UTF-8",
        )
    raise _decode_error(data, path, exc, "utf-8")


def _decode_error(data: bytes, path: Path, exc: UnicodeDecodeError, tried: str) -> EncodingError:
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    snippet_bytes = data[start : end if end != -1 else len(data)][:80]
    guess = _guess_legacy(data)
    options = ("pass its encoding with encoding='...' (command line: --encoding NAME), "
               "e.g. 'cp1256' for Persian/Arabic Windows, 'cp1252' for Western European "
               "Windows, 'utf-16'; or save the file as UTF-8 (in Excel: Save As > "
               "'CSV UTF-8')")
    hint = options
    if guess:
        hint = (
            f"the bytes look most like {guess[1]}, but not clearly enough to decode "
            f"them without asking; pass encoding='{guess[0]}' "
            "(command line: --encoding " + guess[0] + ") if that is right, "
            "or save the file as UTF-8"
        )
    what = ("the text is not valid UTF-8 and its encoding could not be identified"
            if tried == "utf-8" else f"the text is not valid {tried}")
    return EncodingError(
        f"{what} (byte 0x{data[offset]:02x} at position {offset})",
        file=path,
        row=line,
        value=snippet_bytes.decode(tried if tried != "utf-8" else "cp1252",
                                   errors="replace").strip(),
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
        wanted = _wanted_sheets(path, names, sheet)
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


# ------------------------------------------------------------- binary .xls (BIFF)

# The name of the stream holding an encrypted .xlsx inside its OLE container
# (MS-OFFCRYPTO), as it appears in the container's directory (UTF-16 LE).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _open_xls(path: Path, sheet: str | int | None) -> Source:
    """Read an Excel 97-2003 workbook (BIFF8, also BIFF5-7) with xlrd.

    Cells are converted as openpyxl gives them for ``.xlsx``: text as ``str``
    (``None`` when blank), whole numbers as ``int``, other numbers as ``float``,
    date cells as :class:`datetime.datetime`, booleans as ``bool``, and error
    cells as their Excel text (``#N/A``, ``#DIV/0!``).
    """
    import xlrd

    data = path.read_bytes()
    try:
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(),
                                  on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors, ...
        message = str(exc)
        if "encrypted" in message.lower() or _ENCRYPTED_PACKAGE in data:
            raise FileFormatError(
                "the workbook is protected by a password (encrypted), so it cannot be "
                "read", file=path,
                hint="open it in Excel or LibreOffice, remove the password (File > Info > "
                "Protect Workbook) and save it again",
            ) from exc
        if "can't find workbook" in message.lower():
            raise FileFormatError(
                "this is a Microsoft Office file (OLE compound document) but it holds no "
                "Excel workbook; it may be a Word or PowerPoint file", file=path,
                hint="export the survey again as CSV or XLSX",
            ) from exc
        raise FileFormatError(
            f"the Excel 97-2003 workbook (.xls) is damaged or truncated and cannot be "
            f"opened ({type(exc).__name__}: {message})", file=path,
            hint="download the file again, or open it in Excel or LibreOffice and save it "
            "as .xlsx",
        ) from exc
    try:
        names = list(book.sheet_names())
        wanted = _wanted_sheets(path, names, sheet)
        tables = []
        for name in wanted:
            try:
                ws = book.sheet_by_name(name)
                rows: list[list[Any]] = []
                numbers: list[int] = []
                for index in range(ws.nrows):
                    cells = [_xls_cell(c, book.datemode) for c in ws.row(index)]
                    if any(c is not None for c in cells):
                        rows.append(cells)
                        numbers.append(index + 1)
            except Exception as exc:  # xlrd parses each sheet's records lazily
                raise FileFormatError(
                    f"the sheet cannot be read; the workbook is damaged "
                    f"({type(exc).__name__}: {exc})", file=path, sheet=name,
                    hint="open and re-save the workbook in Excel or LibreOffice, or export "
                    "it again",
                ) from exc
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [None] * (width - len(r)) for r in rows]
                tables.append(_rectangular(RawTable(rows, numbers, path, name)))
    finally:
        book.release_resources()
    if not tables:
        raise EmptyFileError("the workbook has no cells with data", file=path,
                             sheet=wanted[0] if len(wanted) == 1 else None,
                             hint="export the data again")
    return Source(path, "workbook", tables, names)


def _wanted_sheets(path: Path, names: list[str], sheet: str | int | None) -> list[str]:
    """The sheet names to read: all, or the one ``sheet`` names (by name or index)."""
    if sheet is None:
        return names
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise SheetError(f"there is no sheet number {sheet}; the workbook has "
                             f"{len(names)} sheet(s): {', '.join(names)}",
                             file=path, hint="sheets are counted from 0")
        return [names[sheet]]
    if sheet not in names:
        raise SheetError(f"there is no sheet named '{sheet}'", file=path,
                         hint="choose one of: " + ", ".join(names))
    return [sheet]


def _xls_cell(cell: Any, datemode: int) -> Any:
    """An xlrd cell as the Python value openpyxl would give for the same cell."""
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_TEXT:
        return value if value.strip() else None
    if kind == xlrd.XL_CELL_NUMBER:
        return int(value) if float(value).is_integer() else float(value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return value  # a number formatted as a date that no date can be
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.biffh.error_text_from_code.get(value, f"#ERROR{value}")
    return value
