"""The Word report: its structure read back with python-docx, and its pages as
LibreOffice renders them.

CI installs LibreOffice and poppler and sets ``PEEREVAL_REQUIRE_LIBREOFFICE=1``, so
there a missing ``soffice`` or ``pdftotext`` fails these tests instead of skipping them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from peereval.report import Report, Section, Table, write_docx

A4_POINTS = (595.3, 841.9)
MARGIN_POINTS = 2.5 / 2.54 * 72


@pytest.fixture(scope="module")
def document(sample_output):
    return docx.Document(sample_output / "report.docx")


def _html_tables(path: Path) -> dict[str, list[list[str]]]:
    """Every table of report.html as rows of cell texts (header first), keyed by the
    table's key: read from the HTML, not from the report model."""
    text = path.read_text(encoding="utf-8")
    tables = {}
    for match in re.finditer(r'<h3 id="table-([^"]+)">.*?<table[^>]*>(.*?)</table>', text,
                             re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", match.group(2), re.S)
        tables[match.group(1)] = [
            [html.unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row,
                                                        re.S)] for row in rows]
    return tables


def test_the_word_file_is_written_beside_the_html(sample_output):
    assert (sample_output / "report.docx").stat().st_size > 50_000
    assert (sample_output / "report.html").is_file()


def test_headings_are_numbered_in_the_order_of_the_html(document, sample_output):
    page = (sample_output / "report.html").read_text(encoding="utf-8")
    html_titles = [html.unescape(t) for t in re.findall(r"<section[^>]*>\s*<h2>(.*?)</h2>",
                                                        page)]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Contents"
    assert headings[1:] == [f"{i}  {title}" for i, title in enumerate(html_titles, 1)]
    assert html_titles[0] == "Summary"
    assert html_titles[-1] == "References"


def test_every_table_of_the_html_is_a_word_table_with_the_same_cells(document,
                                                                      sample_output):
    expected = _html_tables(sample_output / "report.html")
    assert len(document.tables) == len(expected) > 20
    for (key, rows), table in zip(expected.items(), document.tables, strict=True):
        cells = [[cell.text.replace("\u00a0", " ") for cell in row.cells]
                 for row in table.rows]
        assert cells == rows, key


def test_tables_are_in_apa_style(document):
    for number, table in enumerate(document.tables, start=1):
        element = table._tbl
        # "Table N" in bold, then the title in italics, just above the table
        title = element.getprevious()
        label = title.getprevious()
        label_runs = list(label.iter(qn("w:r")))
        assert "".join(t.text for t in label.iter(qn("w:t"))) == f"Table {number}"
        assert all(r.find(qn("w:rPr")).find(qn("w:b")) is not None for r in label_runs)
        assert title.find(qn("w:r")).find(qn("w:rPr")).find(qn("w:i")) is not None
        borders = {b.tag.split("}")[1]: b.get(qn("w:val"))
                   for b in element.tblPr.find(qn("w:tblBorders"))}
        assert borders == {"top": "single", "bottom": "single", "left": "nil",
                           "right": "nil", "insideH": "nil", "insideV": "nil"}
        first_row = element.tr_lst[0]
        assert first_row.trPr.find(qn("w:tblHeader")) is not None  # repeats on each page


def test_numbers_are_right_aligned_and_do_not_break(document):
    table = document.tables[next(i for i, t in enumerate(document.tables)
                             if t.rows[0].cells[0].text == "scale"
                             and "alpha" in [c.text for c in t.rows[0].cells])]
    header = [cell.text for cell in table.rows[0].cells]
    alpha = table.rows[1].cells[header.index("alpha")].paragraphs[0]
    assert alpha.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    p_cells = [row.cells[j].text for t in document.tables for row in t.rows[1:]
               for j, cell in enumerate(t.rows[0].cells) if cell.text == "p"]
    assert "<\u00a0.001" in p_cells
    assert "< .001" not in p_cells


def test_figures_are_pictures_with_alternative_text_and_numbered_captions(document,
                                                                          sample_report):
    shapes = document.inline_shapes
    assert len(shapes) == len(sample_report.figures()) > 3
    for shape, figure in zip(shapes, sample_report.figures(), strict=True):
        assert shape._inline.docPr.get("descr") == (figure.alt or figure.title)
        assert shape.width.cm == pytest.approx(16.0, abs=0.01)
    labels = [p.text for p in document.paragraphs if re.fullmatch(r"Figure \d+", p.text)]
    assert labels == [f"Figure {i}" for i in range(1, len(shapes) + 1)]


def test_every_link_leads_to_a_bookmark(document, sample_report):
    body = document.element.body
    bookmarks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    anchors = [h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))]
    findings = sample_report.section("summary").findings
    # the contents (one per heading) and one "See the evidence" per finding
    assert len(anchors) == len(sample_report.sections) + 2 + len(findings)
    assert set(anchors) <= bookmarks
    assert all(len(name) <= 40 and re.fullmatch(r"\w+", name) for name in bookmarks)


def test_the_same_report_gives_the_same_bytes(sample_report, tmp_path):
    first = write_docx(sample_report, tmp_path / "a.docx").read_bytes()
    second = write_docx(sample_report, tmp_path / "b.docx").read_bytes()
    assert first == second
    properties = docx.Document(tmp_path / "a.docx").core_properties
    assert properties.created is None
    assert properties.title == sample_report.title


def test_a_wide_table_goes_on_a_landscape_page_and_back(tmp_path):
    import pandas as pd

    wide = pd.DataFrame({f"column {i}": [1234.5678 + i] for i in range(16)})
    report = Report("Wide", "", [Section("s", "S", paragraphs=["Before."],
                                         tables=[Table("wide", "Sixteen columns", wide),
                                                 Table("narrow", "Two",
                                                       wide.iloc[:, :2])])],
                    references=[], warnings=[], meta={})
    document = docx.Document(write_docx(report, tmp_path / "wide.docx"))
    orientations = [(round(s.page_width.cm, 1), round(s.page_height.cm, 1))
                    for s in document.sections]
    assert orientations == [(21.0, 29.7), (29.7, 21.0), (21.0, 29.7)]


# -- rendered by LibreOffice -----------------------------------------------------------

def _tools() -> bool:
    found = all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdfinfo"))
    if not found and os.environ.get("PEEREVAL_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail("PEEREVAL_REQUIRE_LIBREOFFICE=1 but soffice, pdftotext or pdfinfo "
                    "was not found")
    return found


@pytest.fixture(scope="module")
def rendered(sample_output, tmp_path_factory):
    if not _tools():
        pytest.skip("LibreOffice or poppler is not installed")
    folder = tmp_path_factory.mktemp("docx_pdf")
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(folder), str(sample_output / "report.docx")], check=True,
                   capture_output=True, timeout=180)
    return folder / "report.pdf"


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True,
                          capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def test_libreoffice_renders_it_on_a4_pages(rendered, sample_report):
    pages = _pages(rendered)
    assert 12 <= len(pages) <= 60
    for width, height in pages:
        assert sorted((width, height)) == pytest.approx(sorted(A4_POINTS), abs=1)
    assert any(width > height for width, height in pages)  # the 15-column table


def test_every_heading_and_table_is_on_the_pages(rendered, document):
    text = subprocess.run(["pdftotext", str(rendered), "-"], check=True,
                          capture_output=True, text=True).stdout
    text = re.sub(r"\s+", " ", text)
    # pdftotext joins a word broken at a hyphen at the end of a line ("inter-item" ->
    # "interitem"); header words are looked for without their hyphens
    joined = text.replace("- ", "").replace("-", "")
    for heading in (p.text for p in document.paragraphs if p.style.name == "Heading 1"):
        assert re.sub(r"\s+", " ", heading) in text
    for number, table in enumerate(document.tables, start=1):
        assert f"Table {number} " in text
        for cell in table.rows[0].cells:  # every header word is printed
            for word in cell.text.split():
                assert word.replace("-", "") in joined, (number, word)


def test_no_word_runs_outside_the_text_area(rendered):
    boxes = subprocess.run(["pdftotext", "-bbox", str(rendered), "-"], check=True,
                           capture_output=True, text=True).stdout
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes,
                            re.S):
        width = float(page.group(1))
        for x_min, x_max, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)'
                r"</word>", page.group(3)):
            if float(x_min) < MARGIN_POINTS - 8 or float(x_max) > width - MARGIN_POINTS + 8:
                outside.append((word, x_min, x_max))
    assert outside == []
