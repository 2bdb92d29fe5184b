"""Plain tables: English CSV, Iranian XLSX, UTF-16 '.xls', a BIFF8 '.xls' workbook, an
(unverified) Porsline layout."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util

import jdatetime
import openpyxl
import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import DuplicateIdError, FileFormatError
from peereval.loaders import generic, kobo, qualtrics
from peereval.loaders._table import open_source
from peereval.responses import classify_column

HERE = FIXTURES / "generic"
_spec = importlib.util.spec_from_file_location("generic_fixtures", HERE / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

EN_CODES = [canonical.ROWS[k] for k in canonical.ITEMS]
FA_CODES = list(fx.FA_ROWS)
PORSLINE_CODES = [f"{q} - {row}" for q, row in zip(
    [fx.FA_QUESTION_SUPPORT] * 3 + [fx.FA_QUESTION_ADJUST] * 2, fx.FA_ROWS, strict=True)]
ENDS = [s + dt.timedelta(minutes=m) for s, m in zip(fx.STARTS, fx.DURATIONS_MIN, strict=True)]

CASES = {  # file: (item codes, comment column, ids, points needed)
    "plain.csv": (EN_CODES, canonical.COMMENT_QUESTION, [f"S0{i}" for i in range(1, 7)], 5),
    "iranian.xlsx": (FA_CODES, fx.FA_COMMENT, [f"P{i}" for i in range(1, 7)], 5),
    "university.xls": (FA_CODES, fx.FA_COMMENT, [str(i) for i in range(1, 7)], None),
    "university_biff.xls": (FA_CODES, fx.FA_COMMENT, [str(i) for i in range(1, 7)], None),
    "porsline_unverified.xlsx": (PORSLINE_CODES, fx.FA_COMMENT,
                                 [str(48213001 + i) for i in range(6)], None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_variant_gives_the_canonical_numbers(name):
    codes, comment, ids, points = CASES[name]
    path = HERE / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    responses = peereval.read_export(path)
    assert responses.platform == "generic"
    assert list(responses.ids) == ids
    assert responses.likert_items == codes
    assert_canonical(responses, codes, points=points)
    assert_comments(responses, comment)
    assert responses.source_rows.tolist() == [2, 3, 4, 5, 6, 7]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_persian_labels_typed_with_arabic_letters_are_coded():
    responses = peereval.read_export(HERE / "iranian.xlsx")
    codes = responses.label_codes(FA_CODES, points=5).drop_duplicates(["label", "value"])
    by_label = dict(zip(codes["label"], codes["value"], strict=True))
    for number, spellings in fx.FA_VARIANTS.items():
        for spelling in spellings:
            if spelling in by_label:
                assert by_label[spelling] == number, spelling
    # every spelling used in the file was coded, the Arabic-letter ones included
    assert {"كاملاً مخالفم", "نظري ندارم", "كاملا موافقم", "بی‌نظر", "کاملاً‌موافقم"} <= set(by_label)


def test_arabic_letter_variants_and_persian_digits_in_a_small_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["شناسه", "سوال ۱"])
    rows = [("۱", "كاملاً موافقم"), ("۲", "كاملا مخالفم"), ("۳", "نظري ندارم"),
            ("۴", "موافقم"), ("۵", "مخالفم"), ("۶", "کاملاً موافقم")]
    for rid, label in rows:
        ws.append([rid, label])
    path = tmp_path / "fa.xlsx"
    wb.save(path)
    responses = peereval.read_export(path)
    assert list(responses.ids) == ["1", "2", "3", "4", "5", "6"]
    assert responses.numeric()["سوال ۱"].tolist() == [5, 1, 3, 4, 2, 5]


def test_jalali_timestamps_land_on_the_right_gregorian_dates():
    iranian = peereval.read_export(HERE / "iranian.xlsx")
    assert iranian.meta["ended"].tolist() == [pd.Timestamp(e) for e in ENDS]
    university = peereval.read_export(HERE / "university.xls")
    assert university.meta["ended"].tolist() == [pd.Timestamp(e.date()) for e in ENDS]
    porsline = peereval.read_export(HERE / "porsline_unverified.xlsx")
    assert porsline.meta["started"].tolist() == [pd.Timestamp(s) for s in fx.STARTS]
    assert any("Jalali" in n for n in porsline.notes)


def test_jalali_example_with_persian_digits(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("ID,تاریخ ثبت,Q\n1,۱۴۰۲/۱۲/۱۵ ۱۴:۲۳,5\n2,۱۴۰۳/۱۲/۳۰ ۰۸:۰۵,4\n",
                    encoding="utf-8")
    ended = peereval.read_export(path).meta["ended"].tolist()
    reference = [jdatetime.datetime(1402, 12, 15, 14, 23).togregorian(),
                 jdatetime.datetime(1403, 12, 30, 8, 5).togregorian()]
    assert ended == [pd.Timestamp(r) for r in reference]
    assert ended == [pd.Timestamp("2024-03-05 14:23"), pd.Timestamp("2025-03-20 08:05")]


def test_student_numbers_are_metadata_and_matrix_rows_are_grouped():
    iranian = peereval.read_export(HERE / "iranian.xlsx")
    assert "شماره دانشجویی" not in iranian.items
    assert iranian.meta["شماره دانشجویی"].tolist() == [s.translate(fx.FA_DIGITS)
                                                        for s in fx.STUDENTS]
    porsline = peereval.read_export(HERE / "porsline_unverified.xlsx")
    assert porsline.items[PORSLINE_CODES[0]].question == fx.FA_QUESTION_SUPPORT
    assert porsline.items[PORSLINE_CODES[4]].question == fx.FA_QUESTION_ADJUST
    assert porsline.items[fx.FA_COMMENT].question is None


def test_utf16_xls_is_read_as_text():
    source = open_source(HERE / "university.xls")
    assert source.kind == "text"
    assert source.tables[0].encoding == "utf-16"
    assert source.tables[0].delimiter == "\t"


# university_biff.xls cell by cell, typed from the fixture's description (not from
# canonical.py or the generator): row number, student number, date, codes 1-5, comment.
BIFF_TRUTH = [
    (1, 9812345, dt.datetime(2024, 3, 2, 9, 19), (5, 4, 1, 4, 3), "Very helpful, thanks!"),
    (2, 9812346, dt.datetime(2024, 3, 2, 10, 4), (4, 4, 2, 3, 4), None),
    (3, 9812347, dt.datetime(2024, 3, 3, 18, 30), (3, 2, 4, 2, 2),
     'Sessions were "too short", sometimes'),
    (4, 9812348, dt.datetime(2024, 3, 4, 8, 8), (1, 1, 5, 1, None), "کاش جلسات بیشتر بود"),
    (5, 9812349, dt.datetime(2024, 3, 4, 21, 41), (5, 5, 1, 5, 5), "<script>alert(1)</script>"),
    (6, 9812350, dt.datetime(2024, 3, 5, 14, 25), (4, 3, 3, None, None), None),
]


def test_binary_xls_workbook_cells_match_the_truth_table():
    """BIFF8 written by xlwt, read by xlrd: numbers, dates, text and blanks as typed."""
    path = HERE / "university_biff.xls"
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE container
    source = open_source(path)
    assert source.kind == "workbook"
    assert source.sheet_names == ["نتایج نظرسنجی"]
    (table,) = source.tables
    assert table.text_row(0)[:3] == ["ردیف", "شماره دانشجویی", "تاریخ"]
    for (number, student, date, codes, comment), row in zip(BIFF_TRUTH, table.rows[1:],
                                                            strict=True):
        assert row[0] == number
        assert type(row[0]) is int
        assert row[1] == student
        assert row[2] == date
        assert tuple(row[3:8]) == codes
        assert row[8] == comment
    responses = peereval.read_export(path)
    assert responses.sheet == "نتایج نظرسنجی"
    assert responses.encoding is None  # a workbook, not text
    assert responses.meta["ended"].tolist() == [pd.Timestamp(t[2]) for t in BIFF_TRUTH]
    assert responses.meta["شماره دانشجویی"].astype(str).tolist() == [
        str(t[1]) for t in BIFF_TRUTH]
    numbers = responses.numeric(FA_CODES)
    expected = [[float("nan") if v is None else v for v in t[3]] for t in BIFF_TRUTH]
    pd.testing.assert_frame_equal(
        numbers.reset_index(drop=True),
        pd.DataFrame(expected, columns=FA_CODES, dtype=float), check_names=False)


def test_binary_xls_sheet_choice_and_errors(tmp_path):
    path = HERE / "university_biff.xls"
    assert peereval.read_export(path, sheet=0).sheet == "نتایج نظرسنجی"
    with pytest.raises(peereval.errors.SheetError, match="no sheet named 'Sheet1'") as err:
        peereval.read_export(path, sheet="Sheet1")
    assert "نتایج نظرسنجی" in err.value.hint
    cut = tmp_path / "cut.xls"
    cut.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(FileFormatError, match="Excel 97-2003 workbook") as err:
        peereval.read_export(cut)
    assert err.value.file == cut
    assert ".xlsx" in err.value.hint


def test_duplicate_ids_list_every_row(tmp_path):
    text = (HERE / "plain.csv").read_bytes().decode("utf-8").split("\r\n")
    path = tmp_path / "twice.csv"
    path.write_bytes("\r\n".join([*text[:7], *text[1:3], ""]).encode("utf-8"))
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [(p.row, p.value) for p in err.value.problems] == [
        (2, "S01"), (8, "S01"), (3, "S02"), (9, "S02")]
    assert err.value.column == "ID"


def test_column_without_header_is_named(tmp_path):
    text = (HERE / "plain.csv").read_bytes().decode("utf-8")
    path = tmp_path / "nameless.csv"
    path.write_bytes(text.replace("Start time,", ",", 1).encode("utf-8"))
    with pytest.raises(FileFormatError, match="column B holds answers but has no header") as err:
        peereval.read_export(path)
    assert (err.value.row, err.value.column) == (1, "B")
    assert err.value.value == "2024-03-02 09:14:00"


def test_unknown_id_column_lists_the_columns():
    with pytest.raises(FileFormatError, match="no column named 'Student'") as err:
        peereval.read_export(HERE / "plain.csv", id_column="Student")
    assert "Timestamp" in err.value.hint


def test_forcing_another_platform_on_a_plain_table_is_refused():
    with pytest.raises(FileFormatError, match="not a KoboToolbox export"):
        peereval.read_export(HERE / "plain.csv", platform="kobo")
    with pytest.raises(FileFormatError, match="not a Qualtrics export"):
        peereval.read_export(HERE / "iranian.xlsx", platform="qualtrics")


def test_other_sniffs_give_zero_on_plain_tables():
    for name in CASES:
        for table in open_source(HERE / name).tables:
            assert qualtrics.sniff(table) == 0
            assert kobo.sniff(table) == 0
            assert generic.sniff(table) == 0.1


@pytest.mark.parametrize(("values", "kind"), [
    (["Very helpful, thanks!", None, "Too short", "More sessions please"], "text"),
    (["Male", "Female", "Female", "Male", "Female"], "choice"),
    ([9812345, 9812346, 9812347, 9812348], "number"),
    (["۱", "۵", "۳", "۴"], "likert"),
])
def test_column_kinds(values, kind):
    assert classify_column(pd.Series(values, dtype=object)) == kind
