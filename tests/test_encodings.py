"""Text encodings, damaged and unusual files: every input gives numbers or a clear error.

A legacy code page is decoded only when the text shows which one it is, and the
encoding used is shown (``Responses.encoding`` and a note); otherwise the file is
refused with an error saying which ``encoding=`` to pass.

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
    assert responses.encoding == codec
    (note,) = [n for n in responses.notes if n.startswith("decoded as")]
    assert f"UTF-16 {codec[-2:].upper()}" in note
    assert "no byte-order mark" in note


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_mostly_persian_text(tmp_path, codec):
    """Long Persian comments leave few ASCII characters: the high bytes still tell."""
    long_comment = "، ".join(["کاش‌جلسات‌بیشتر‌و‌طولانی‌تر‌بود"] * 12)
    path = tmp_path / "nobom_long.tsv"
    path.write_bytes(_text("\t").replace(canonical.COMMENTS[3], long_comment).encode(codec))
    data = path.read_bytes()
    high = data[1::2] if codec == "utf-16-le" else data[0::2]
    assert high.count(0) / len(high) < 0.3  # fewer zero bytes than ASCII-heavy text has
    responses = _read_canonical(path, comment=long_comment)
    assert responses.encoding == codec


def _persian_windows_bytes() -> bytes:
    # Windows-1256 has no Persian yeh (U+06CC): such files carry the Arabic yeh.
    return _text().replace("ی", "ي").encode("cp1256")


def test_windows_1256_file_is_decoded_and_says_so(tmp_path):
    path = tmp_path / "persian_windows.csv"
    path.write_bytes(_persian_windows_bytes())
    responses = _read_canonical(path, comment=canonical.COMMENTS[3].replace("ی", "ي"))
    assert responses.encoding == "cp1256"
    (note,) = [n for n in responses.notes if n.startswith("decoded as")]
    assert "Windows-1256" in note
    assert "Persian/Arabic" in note
    assert "encoding=" in note  # how to overrule it
    forced = _read_canonical(path, comment=canonical.COMMENTS[3].replace("ی", "ي"),
                             encoding="cp1256")
    assert forced.encoding == "cp1256"
    assert not any(n.startswith("decoded as") for n in forced.notes)  # asked, not guessed


def test_windows_1252_file_is_decoded_and_says_so(tmp_path):
    path = tmp_path / "western.csv"
    text = _text(labels=canonical.LABELS_EN).replace(
        "Very helpful, thanks!", "Très utile, merci à tous! Grüße").replace(
        "sometimes", "sometimes déjà vu").replace(canonical.COMMENTS[3], "Plus de séances")
    path.write_bytes(text.encode("cp1252"))
    responses = _read_canonical(path, comment="Plus de séances")
    assert responses.encoding == "cp1252"
    assert responses.answers["comment"].iloc[0] == "Très utile, merci à tous! Grüße"
    (note,) = [n for n in responses.notes if n.startswith("decoded as")]
    assert "Windows-1252" in note
    assert "Grüße" not in note  # the note names what speaks against Windows-1256
    assert "Windows-1256 would give words such as 'Grüكe'" in note


def test_utf8_files_get_no_encoding_note(tmp_path):
    path = tmp_path / "utf8.csv"
    path.write_bytes(_text().encode("utf-8"))
    responses = _read_canonical(path)
    assert responses.encoding == "utf-8"
    assert not any(n.startswith("decoded as") for n in responses.notes)


def test_cyrillic_windows_1251_is_refused_naming_the_options(tmp_path):
    """Neither Windows-1256 nor Windows-1252 reads it as words: refused, not guessed."""
    path = tmp_path / "russian.csv"
    path.write_bytes("id,q1,comment\r\nr1,5,очень хорошо\r\nr2,4,спасибо большое\r\n"
                     "r3,3,нормально\r\n".encode("cp1251"))
    with Unchanged(path), pytest.raises(EncodingError) as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert err.value.row == 2  # the header is ASCII; the first Cyrillic word is in row 2
    assert "could not be identified" in str(err.value)
    assert "encoding=" in err.value.hint
    responses = peereval.read_export(path, encoding="cp1251")
    assert responses.answers["comment"].tolist()[0] == "очень хорошо"


@pytest.mark.parametrize(("codec", "text"), [
    ("cp1254", "başka bir gün, teşekkürler, çok güzel, iyi değil"),  # Turkish
    ("cp1255", "שלום, תודה רבה, טוב מאוד"),  # Hebrew
])
def test_other_code_pages_are_refused_not_read_as_1252(tmp_path, codec, text):
    path = tmp_path / "other.csv"
    rows = [f"r{i},{word.strip()}" for i, word in enumerate(text.split(","), start=1)]
    path.write_bytes(("id,comment\r\n" + "\r\n".join(rows) + "\r\n").encode(codec))
    with pytest.raises(EncodingError, match="could not be identified") as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert err.value.row == 2


def test_utf8_with_one_stray_byte_is_refused(tmp_path):
    path = tmp_path / "damaged.csv"
    path.write_bytes(_text().encode("utf-8").replace("موافقم".encode(), b"\xe9", 1))
    with pytest.raises(EncodingError) as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert err.value.row == 2


def test_two_plausible_code_pages_are_refused_with_both_readings(tmp_path):
    """Single accented letters: 'á ã Ç' in Windows-1252 is 'ل م ا' in Windows-1256."""
    path = tmp_path / "letters.csv"
    path.write_bytes(b"id,answer\r\nr1,\xe1\r\nr2,\xe3\r\nr3,\xc7\r\n")
    with Unchanged(path), pytest.raises(EncodingError, match="will not guess") as err:
        peereval.read_export(path)
    assert err.value.row == 2
    assert "encoding='cp1256'" in err.value.hint
    assert "encoding='cp1252'" in err.value.hint
    assert "'r1,ل'" in str(err.value)
    assert "'r1,á'" in str(err.value)
    assert peereval.read_export(path, encoding="cp1256").answers["answer"].tolist() == [
        "ل", "م", "ا"]


def test_too_little_text_to_tell_the_code_page_is_refused(tmp_path):
    path = tmp_path / "one.csv"
    path.write_bytes(b"id,answer\r\nr1,caf\xe9\r\nr2,ok\r\n")
    with pytest.raises(EncodingError, match="could not be identified"):
        peereval.read_export(path)


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


def test_damaged_binary_xls_is_refused_with_advice(tmp_path):
    """Binary .xls workbooks are read (tests/loaders/test_generic.py); a damaged one
    is refused naming the file."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with Unchanged(path), pytest.raises(FileFormatError, match="Excel 97-2003") as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert ".xlsx" in err.value.hint


def test_password_protected_office_file_is_named_as_such(tmp_path):
    """An encrypted .xlsx is an OLE container holding an 'EncryptedPackage' stream."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                     + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    with pytest.raises(FileFormatError, match="password") as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert "remove the password" in err.value.hint


def test_truncated_workbook(tmp_path):
    whole = tmp_path / "whole.xlsx"
    _workbook(whole, ["Sheet1"])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole.read_bytes()[:1500])
    assert not zipfile.is_zipfile(path)
    with Unchanged(path), pytest.raises(FileFormatError, match="damaged or truncated") as err:
        peereval.read_export(path)
    assert err.value.file == path
