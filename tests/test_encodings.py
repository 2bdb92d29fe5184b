"""Text encodings, damaged and unusual files: every input gives numbers or a clear error.

Every file is written here, in a temporary folder, from tests/canonical.py; each test
checks that reading it leaves it byte for byte unchanged.
"""

from __future__ import annotations

import hashlib
import random
import zipfile

import openpyxl
import pytest

import canonical
import peereval
from helpers import assert_canonical
from peereval.errors import (
    EmptyFileError,
    EncodingError,
    FileFormatError,
    InputError,
    SheetError,
)

CODES = list(canonical.ITEMS)


def _table(labels: dict[int, str] = canonical.LABELS_FA) -> list[list[str]]:
    rows = [["id", *CODES, "comment"]]
    for i, answers in enumerate(canonical.ANSWERS):
        rows.append([f"r{i + 1}", *(canonical.label(v, labels) for v in answers),
                     canonical.COMMENTS[i] or ""])
    return rows


def _text(sep: str = ",", labels: dict[int, str] = canonical.LABELS_FA) -> str:
    def quote(cell: str) -> str:
        if any(ch in cell for ch in (sep, '"', "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join(sep.join(quote(c) for c in row) + "\r\n" for row in _table(labels))


class Unchanged:
    """Context manager asserting that a file's bytes do not change."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return self.path

    def __exit__(self, *exc):
        assert hashlib.sha256(self.path.read_bytes()).hexdigest() == self.digest
        return False


def _read_canonical(path, comment=canonical.COMMENTS[3], **kwargs):
    with Unchanged(path):
        responses = peereval.read_export(path, **kwargs)
    assert list(responses.ids) == [f"r{i}" for i in range(1, 7)]
    assert_canonical(responses, CODES, points=5)
    assert responses.answers["comment"].iloc[3] == comment
    return responses


@pytest.mark.parametrize(("name", "encode"), [
    ("utf8.csv", lambda t: t.encode("utf-8")),
    ("utf8_bom.csv", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
    ("utf16le_bom.csv", lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    ("utf16be_bom.csv", lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
])
def test_unicode_encodings_with_or_without_a_byte_order_mark(tmp_path, name, encode):
    path = tmp_path / name
    path.write_bytes(encode(_text()))
    responses = _read_canonical(path)
    assert responses.platform == "generic"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_mostly_latin(tmp_path, codec):
    path = tmp_path / "nobom.tsv"
    path.write_bytes(_text("\t", canonical.LABELS_EN).encode(codec))
    with Unchanged(path):
        responses = peereval.read_export(path)
    assert_canonical(responses, CODES, points=5)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_persian(tmp_path, codec):
    """A Persian file without a BOM: Persian letters have no zero byte in UTF-16."""
    path = tmp_path / "nobom_fa.tsv"
    path.write_bytes(_text("\t").encode(codec))
    responses = _read_canonical(path)
    assert responses.answers["comment"].iloc[3] == canonical.COMMENTS[3]  # Persian intact


def test_windows_1256_file_names_the_row_and_suggests_cp1256(tmp_path):
    path = tmp_path / "persian_windows.csv"
    # Windows-1256 has no Persian yeh (U+06CC): such files carry the Arabic yeh.
    path.write_bytes(_text().replace("ی", "ي").encode("cp1256"))
    with Unchanged(path), pytest.raises(EncodingError) as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert err.value.row == 2  # the header is ASCII; the first Persian label is in row 2
    assert "encoding='cp1256'" in err.value.hint
    _read_canonical(path, comment=canonical.COMMENTS[3].replace("ی", "ي"), encoding="cp1256")


def test_binary_garbage_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(random.Random(7).randbytes(3000))
    with Unchanged(path), pytest.raises(InputError) as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert err.value.hint


def test_binary_garbage_is_called_binary_not_a_code_page(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(random.Random(7).randbytes(3000))
    with pytest.raises(FileFormatError, match="binary") as err:
        peereval.read_export(path)
    assert "cp1256" not in str(err.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError) as err:
        peereval.read_export(path)
    assert err.value.file == path


def _workbook(path, sheets):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in sheets:
        ws = wb.create_sheet(name)
        for row in _table():
            ws.append([cell or None for cell in row])
    wb.save(path)


def test_workbook_with_several_data_sheets_lists_them_and_sheet_chooses(tmp_path):
    path = tmp_path / "two.xlsx"
    _workbook(path, ["ترم اول", "ترم دوم"])
    with Unchanged(path), pytest.raises(SheetError) as err:
        peereval.read_export(path)
    assert "'ترم اول' (7 rows)" in str(err.value)
    assert "'ترم دوم' (7 rows)" in str(err.value)
    assert "sheet=" in err.value.hint
    assert _read_canonical(path, sheet="ترم دوم").sheet == "ترم دوم"
    assert _read_canonical(path, sheet=0).sheet == "ترم اول"
    with pytest.raises(SheetError, match="no sheet named 'Sheet1'"):
        peereval.read_export(path, sheet="Sheet1")


def test_old_binary_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with Unchanged(path), pytest.raises(FileFormatError, match="Excel 97-2003") as err:
        peereval.read_export(path)
    assert ".xlsx" in err.value.hint


def test_truncated_workbook(tmp_path):
    whole = tmp_path / "whole.xlsx"
    _workbook(whole, ["Sheet1"])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole.read_bytes()[:1500])
    assert not zipfile.is_zipfile(path)
    with Unchanged(path), pytest.raises(FileFormatError, match="damaged or truncated") as err:
        peereval.read_export(path)
    assert err.value.file == path
