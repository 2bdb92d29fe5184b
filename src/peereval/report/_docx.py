"""Rendering a :class:`~peereval.report._model.Report` as a Word document.

``report.docx`` holds what ``report.html`` holds, in the same order: numbered
headings, the key findings with links to their evidence, every table as a real Word
table in APA style (number above in bold, title in italics, rules above and below the
header and at the foot, no vertical lines, *Note.* underneath, header row repeated on
each page), every figure as a 300-dpi picture with its alternative text, the
warnings and the references. Cells are printed through :meth:`Table.cells
<peereval.report.Table.cells>`, as in the HTML, so a number reads the same in both.

Each table's font size and column widths follow what its columns hold, so that no
number wraps; a table too wide for a portrait page goes on a landscape one. The
file is reproducible: the same report gives the same bytes (fixed timestamps inside
the zip, and no creation date claimed in the document properties).

Built with python-docx, the library made for writing ``.docx`` from Python; Word,
LibreOffice and Google Docs open the result.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from peereval.report._html import MISSING_CELL, MISSING_LEGEND, footer_text
from peereval.report._model import Figure, Report, Section, Table

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph

__all__ = ["LANDSCAPE_TABLE", "render_docx", "write_docx"]

#: Tables with more columns than this always go on a landscape page (others too when
#: they do not fit a portrait page at 7.5 points).
LANDSCAPE_TABLE = 12

_FONT = "Calibri"  # APA 7 lists Calibri 11; LibreOffice substitutes metric-compatible Carlito
_LINK_COLOUR = "0563C1"
_PAGE_CM = (21.0, 29.7)  # A4
_MARGIN_CM = 2.5
#: Timestamp of every entry of the zip (the earliest a zip can hold), for same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _anchor(key: str) -> str:
    """A Word bookmark name for an HTML anchor: letters, digits and underscores."""
    name = "".join(c if c.isalnum() else "_" for c in key)
    return ("s_" + name)[:40]


class _Builder:
    """Adds the parts of a report to one python-docx document, counting tables,
    figures and bookmarks as it goes."""

    def __init__(self, report: Report) -> None:
        from docx import Document

        self.report = report
        self.document: DocxDocument = Document()
        self.n_tables = 0
        self.n_figures = 0
        self.n_bookmarks = 0
        self._setup()

    # -- document-wide settings -------------------------------------------------
    def _setup(self) -> None:
        from docx.shared import Cm, Pt, RGBColor

        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(_PAGE_CM[0]), Cm(_PAGE_CM[1])
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(_MARGIN_CM))
        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.name = _FONT
        normal.font.size = Pt(11)
        self._language(normal.element, "en-GB")
        normal.paragraph_format.space_after = Pt(6)
        for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 12.5)):
            style = styles[name]
            style.font.name = _FONT
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0x1F, 0x1F, 0x1F)
        properties = self.document.core_properties
        properties.title = self.report.title
        properties.subject = self.report.subtitle
        properties.author = "peereval"
        properties.last_modified_by = "peereval"
        properties.revision = 1
        properties.comments = f"Produced by peereval {self.report.meta.get('version', '')}"

    @staticmethod
    def _language(style_element, language: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        rpr = style_element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), language)
        rpr.append(lang)

    def digits(self, number: int | None) -> str:
        from peereval.report._i18n import localise_digits

        return localise_digits(str(number), self.report.language)

    # -- small pieces -------------------------------------------------------------
    def bookmark(self, paragraph: Paragraph, key: str) -> None:
        """Make ``paragraph`` the target of links to ``key`` (an HTML anchor)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.n_bookmarks += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.n_bookmarks))
        start.set(qn("w:name"), _anchor(key))
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.n_bookmarks))
        p = paragraph._p
        p.insert(0 if p.pPr is None else 1, start)
        p.append(end)

    @staticmethod
    def link(paragraph: Paragraph, text: str, key: str) -> None:
        """Append ``text`` to ``paragraph`` as a link to the bookmark of ``key``."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("w:anchor"), _anchor(key))
        hyperlink.set(qn("w:history"), "1")
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), _LINK_COLOUR)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        rpr.extend([colour, underline])
        text_element = OxmlElement("w:t")
        text_element.text = text
        text_element.set(qn("xml:space"), "preserve")
        run.extend([rpr, text_element])
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    def note(self, text: str, *, label: str = "Note.") -> None:
        """A note under a table or figure: *Note.* in italics, then the text."""
        from docx.shared import Pt

        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(10)
        if label:
            paragraph.add_run(self.report.words(label) + " ").italic = True
        paragraph.add_run(text)
        for run in paragraph.runs:
            run.font.size = Pt(9.5)

    def caption(self, kind: str, number: int, title: str, key: str) -> None:
        """``Table 3`` in bold on one line, the title in italics on the next (APA 7)."""
        first = self.document.add_paragraph()
        first.add_run(f"{self.report.words(kind)} {self.digits(number)}").bold = True
        first.paragraph_format.keep_with_next = True
        first.paragraph_format.space_after = 0
        self.bookmark(first, key)
        second = self.document.add_paragraph()
        second.add_run(title).italic = True
        second.paragraph_format.keep_with_next = True

    # -- sections -----------------------------------------------------------------
    def heading(self, number: int | None, title: str, key: str) -> None:
        text = f"{self.digits(number)}  {title}" if number is not None else title
        heading = self.document.add_heading(text, level=1)
        self.bookmark(heading, key)

    def contents(self, numbered: list[tuple[int | None, str, str]]) -> None:
        self.document.add_heading(self.report.words("Contents"), level=1)
        for number, title, key in numbered:
            paragraph = self.document.add_paragraph()
            paragraph.paragraph_format.space_after = 0
            self.link(paragraph, f"{self.digits(number)}  {title}" if number else title, key)

    def section(self, number: int, section: Section) -> None:
        self.heading(number, section.title, section.key)
        if section.findings:
            for paragraph in section.paragraphs[:2]:
                self.document.add_paragraph(paragraph)
            self.document.add_heading(self.report.words("Key findings"), level=2)
            for finding in section.findings:
                item = self.document.add_paragraph(finding.text + " ", style="List Bullet")
                self.link(item, self.report.words("See the evidence"), finding.target)
            rest = section.paragraphs[2:]
        else:
            rest = section.paragraphs
        for paragraph in rest:
            self.document.add_paragraph(paragraph)
        for table in section.tables:
            self.table(table)
        for figure in section.figures:
            self.figure(figure)
        for note in section.notes:
            self.note(note, label="")

    def figure(self, figure: Figure) -> None:
        from docx.shared import Cm

        self.n_figures += 1
        self.caption("Figure", self.n_figures, figure.title, f"figure-{figure.key}")
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.keep_with_next = bool(figure.caption)
        shape = paragraph.add_run().add_picture(io.BytesIO(figure.png),
                                                width=Cm(_PAGE_CM[0] - 2 * _MARGIN_CM))
        shape._inline.docPr.set("descr", figure.alt or figure.title)
        if figure.caption:
            self.note(figure.caption)

    def table(self, table: Table) -> None:
        header, rows = table.cells()
        text_width = _PAGE_CM[0] - 2 * _MARGIN_CM
        landscape, size, widths = _layout(header, rows,
                                          (text_width, _PAGE_CM[1] - 2 * _MARGIN_CM))
        if landscape:
            self._orientation(landscape=True)
        self.n_tables += 1
        self.caption("Table", self.n_tables, table.title, f"table-{table.key}")
        _write_table(self.document, header, rows, size, widths)
        notes = [table.note] if table.note else []
        if any(text == MISSING_CELL for row in rows for text, _ in row):
            notes.append(self.report.words(MISSING_LEGEND))
        if notes:
            self.note(" ".join(notes))
        if landscape:
            self._orientation(landscape=False)

    def _orientation(self, *, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Cm

        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        width, height = (_PAGE_CM[1], _PAGE_CM[0]) if landscape else _PAGE_CM
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(width), Cm(height)

    def closing(self, number: int) -> None:
        from docx.shared import Cm, Pt

        if self.report.warnings:
            self.heading(number, self.report.words("Warnings"), "warnings")
            number += 1
            for warning in self.report.warnings:
                self.document.add_paragraph(warning, style="List Bullet")
        self.heading(number, self.report.words("References"), "references")
        for reference in self.report.references:
            paragraph = self.document.add_paragraph(reference)
            paragraph.paragraph_format.left_indent = Cm(1.27)  # APA hanging indent
            paragraph.paragraph_format.first_line_indent = Cm(-1.27)
        footer = self.document.add_paragraph(footer_text(self.report))
        footer.paragraph_format.space_before = Pt(18)
        for run in footer.runs:
            run.font.size = Pt(9)


#: Cell padding (cm) on each side, narrower than Word's default 0.19 cm.
_CELL_PADDING_CM = 0.08
#: Width of a character as a share of the font size: generous (digits of DejaVu
#: Sans, the widest fallback), so that a number never wraps.
_CHAR_EM = 0.62
#: Text cells wrap at about this many characters; numbers never wrap.
_TEXT_CHARS = 40
#: Font sizes (points) tried for a table's cells, largest first.
_TABLE_SIZES = (10.0, 9.0, 8.0, 7.5)


def _column_extents(header: list[str], rows: list[list[tuple[str, bool]]]
                    ) -> list[tuple[int, int]]:
    """Per column, in characters: the least it can take (its longest unbreakable
    run: a header word, a number, a word of text) and what it would like."""
    extents = []
    for j, label in enumerate(header):
        least = max((len(word) for word in label.split()), default=1)
        wanted = least
        for row in rows:
            text, numeric = row[j]
            words = [text + "  "] if numeric else text.split()  # a number never wraps
            least = max(least, *(len(word) for word in words), 1)
            wanted = max(wanted, len(text) if numeric else min(len(text), _TEXT_CHARS))
        extents.append((least, max(wanted, least)))
    return extents


def _layout(header: list[str], rows: list[list[tuple[str, bool]]],
            widths_cm: tuple[float, float]) -> tuple[bool, float, list[float]]:
    """Whether the table goes on a landscape page, its font size and its column
    widths (cm).

    The largest size of :data:`_TABLE_SIZES` at which every column gets its least
    width on a portrait page is used; else the same on a landscape page; else the
    smallest size on landscape, columns shrunk in proportion (text then wraps inside
    words, which is rare: it needs some twenty columns). Width beyond the least is
    shared in proportion to what each column would like.
    """
    extents = _column_extents(header, rows)
    for landscape, width in ((False, widths_cm[0]), (True, widths_cm[1])):
        if len(header) > LANDSCAPE_TABLE and not landscape:
            continue
        for size in _TABLE_SIZES:
            char = size * _CHAR_EM * 2.54 / 72
            least = [n * char + 2 * _CELL_PADDING_CM for n, _ in extents]
            wanted = [n * char + 2 * _CELL_PADDING_CM for _, n in extents]
            if sum(least) > width:
                continue
            if sum(wanted) <= width:
                return landscape, size, [w * width / sum(wanted) for w in wanted]
            spare = (width - sum(least)) / (sum(wanted) - sum(least))
            return landscape, size, [a + (b - a) * spare
                                     for a, b in zip(least, wanted, strict=True)]
    size = _TABLE_SIZES[-1]
    char = size * _CHAR_EM * 2.54 / 72
    least = [n * char + 2 * _CELL_PADDING_CM for n, _ in extents]
    return True, size, [w * widths_cm[1] / sum(least) for w in least]


def _border(parent, edge: str, size: int) -> None:
    """A single rule of ``size`` eighths of a point on ``edge`` of a tblBorders or
    tcBorders element."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(f"w:{edge}")
    element.set(qn("w:val"), "single" if size else "nil")
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:space"), "0")
    element.set(qn("w:color"), "000000")
    parent.append(element)


def _table_properties(word_table) -> None:
    """APA rules (a line above and below the table, none between cells) and narrow
    cell padding."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge, rule in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0),
                       ("insideH", 0), ("insideV", 0)):
        _border(borders, edge, rule)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(round(_CELL_PADDING_CM / 2.54 * 1440)))  # twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    word_table._tbl.tblPr.extend([borders, margins])


def _write_table(document: DocxDocument, header: list[str],
                 rows: list[list[tuple[str, bool]]], size_pt: float,
                 widths_cm: list[float]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Cm, Pt

    size = Pt(size_pt)
    widths = [Cm(w) for w in widths_cm]
    word_table = document.add_table(rows=1 + len(rows), cols=len(header))
    word_table.autofit = False
    _table_properties(word_table)
    for column, width in zip(word_table.columns, widths, strict=True):
        column.width = width
    for i, word_row in enumerate(word_table.rows):
        properties = word_row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if i == 0:
            properties.append(OxmlElement("w:tblHeader"))  # repeated on each page
        cells = [(label, False) for label in header] if i == 0 else rows[i - 1]
        for cell, (text, numeric), width in zip(word_row.cells, cells, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = 0
            if numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # a number and its sign or exponent stay on one line ("< .001", "4.5 × 10¹⁰")
            run = paragraph.add_run(text.replace(" ", "\u00a0") if numeric else text)
            run.font.size = size
            if i == 0:
                tc_borders = OxmlElement("w:tcBorders")
                _border(tc_borders, "bottom", 6)
                cell._tc.get_or_add_tcPr().append(tc_borders)
                paragraph.paragraph_format.keep_with_next = True


def _numbered(report: Report) -> Iterator[tuple[int | None, str, str]]:
    number = 0
    for section in report.sections:
        number += 1
        yield number, section.title, section.key
    if report.warnings:
        number += 1
        yield number, report.words("Warnings"), "warnings"
    yield number + 1, report.words("References"), "references"


def render_docx(report: Report) -> DocxDocument:
    """The report as a python-docx document (not yet saved).

    Parameters
    ----------
    report
        The report to render (:func:`~peereval.report.run_study` builds one).

    Returns
    -------
    docx.document.Document
        Save it with ``.save(path)``, or use :func:`write_docx`.
    """
    builder = _Builder(report)
    builder.document.add_paragraph(report.title, style="Title")
    if report.subtitle:
        builder.document.add_paragraph(report.subtitle, style="Subtitle")
    builder.contents(list(_numbered(report)))
    for number, section in enumerate(report.sections, start=1):
        builder.section(number, section)
    builder.closing(len(report.sections) + 1)
    if report.direction == "rtl":
        _right_to_left(builder.document, report.language)
    return builder.document


#: Fonts for Persian text in Word (the complex-script font of every style); Word and
#: LibreOffice fall back to an installed Arabic-script font when it is missing.
_RTL_FONT = "Vazirmatn"
_ARABIC_SCRIPT = re.compile("[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def _right_to_left(document: DocxDocument, language: str) -> None:
    """Set a right-to-left document: every paragraph and table runs right to left,
    runs of Arabic-script text are marked as such (so that Word shapes and orders
    them), and the styles name the language and a Persian font for complex scripts."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = document.element.body
    for paragraph in body.iter(qn("w:p")):
        ppr = paragraph.get_or_add_pPr()
        if ppr.find(qn("w:bidi")) is None:
            ppr.insert(0, OxmlElement("w:bidi"))
    for run in body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if _ARABIC_SCRIPT.search(text):
            rpr = run.find(qn("w:rPr"))
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                run.insert(0, rpr)
            rpr.append(OxmlElement("w:rtl"))
    for table in body.iter(qn("w:tbl")):
        tblpr = table.find(qn("w:tblPr"))
        if tblpr is not None and tblpr.find(qn("w:bidiVisual")) is None:
            tblpr.append(OxmlElement("w:bidiVisual"))
    tag = {"fa": "fa-IR", "ar": "ar-SA"}.get(language, language)
    for style in document.styles:
        element = style.element
        if element.find(qn("w:rPr")) is None and style.type != 1:
            continue
        rpr = element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        fonts.set(qn("w:cs"), _RTL_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:bidi"), tag)


def _drop_dates(document: DocxDocument) -> None:
    """Remove the creation and modification dates, which python-docx's template
    carries and which would change the bytes (and claim a date nobody chose)."""
    core = document.core_properties._element
    for child in list(core):
        if child.tag.endswith(("}created", "}modified", "}lastPrinted")):
            core.remove(child)


def write_docx(report: Report, path: str | Path) -> Path:
    """Write ``report.docx``.

    Parameters
    ----------
    report
        The report to write (:func:`~peereval.report.run_study` builds one).
    path
        The file to write; overwritten if it exists.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import docx
    >>> import pandas as pd
    >>> from peereval.report import Report, Section, Table, write_docx
    >>> frame = pd.DataFrame({"scale": ["support"], "alpha": [0.8512]})
    >>> report = Report("Mentoring study", "", [
    ...     Section("reliability", "Reliability", paragraphs=["Alpha was high."],
    ...             tables=[Table("alpha", "Cronbach's alpha", frame)])],
    ...     references=[], warnings=[], meta={})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_docx(report, pathlib.Path(folder) / "report.docx")
    ...     document = docx.Document(path)
    >>> [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    [['scale', 'alpha'], ['support', '0.85']]
    """
    document = render_docx(report)
    _drop_dates(document)
    buffer = io.BytesIO()
    document.save(buffer)
    path = Path(path)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            stamped.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stamped, source.read(entry.filename))
    return path
