"""The Persian report: the sample study written right to left from the catalogues.

The English report is the source; the Persian one must say the same thing with the
same numbers. The checks read the written files (HTML, Word), not the report model.
"""

from __future__ import annotations

import html as html_module
import re
import zipfile

import pytest

import peereval
from peereval.errors import ConfigError
from peereval.report import run_study, write_report
from peereval.report._i18n import (
    Catalogue,
    Entry,
    Translation,
    latin_digits,
    localise_digits,
    read_po,
)

FA_STUDY = peereval.datasets.sample_dir() / "study-fa.toml"


@pytest.fixture(scope="module")
def persian(tmp_path_factory):
    report = run_study(FA_STUDY)
    out = tmp_path_factory.mktemp("persian")
    write_report(report, out)
    return report, out


def _visible(path) -> str:
    page = path.read_text(encoding="utf-8")
    body = page.split("<body", 1)[1]
    body = re.sub(r"<style.*?</style>|<svg.*?</svg>", "", body, flags=re.S)
    body = re.sub(r'<section id="references">.*?</section>', "", body, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", body))


def _numbers(text: str) -> list[str]:
    # Persian writes the leading zero APA leaves out: 0.05 and .05 are one number
    found = re.findall(r"\d+(?:[.,]\d+)*|\.\d+", latin_digits(text))
    return sorted(n[1:] if n.startswith("0.") else n for n in found)


# ---------------------------------------------------------------------- the catalogue


def test_every_catalogue_file_reads_and_no_entry_is_given_twice():
    folder = peereval.report._i18n.LOCALE_DIR / "fa"
    files = sorted(folder.glob("*.po"))
    assert files
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        for entry in read_po(path):
            key = (entry.context, entry.msgid)
            assert key not in seen or seen[key] == entry.msgstr, (entry.where, seen[key])
            seen[key] = entry.msgstr
            names = set(re.findall(r"\{(\w+)\}", entry.msgid))
            assert names == set(re.findall(r"\{(\w+)\}", entry.msgstr)), entry.where
            if not names:
                assert _numbers(entry.msgid) == _numbers(entry.msgstr), entry.where


def test_a_translation_that_changes_a_number_is_refused():
    catalogue = Catalogue("fa", [Entry("{n} students were invited", "{n} دانشجو دعوت شدند"),
                                 Entry("Alpha was .70.", "آلفا ۰٫۸۰ بود.")])
    translation = Translation(catalogue)
    assert translation.text("163 students were invited") == "۱۶۳ دانشجو دعوت شدند"
    assert translation.text("Alpha was .70.") == "Alpha was ۰٫۷۰."  # English kept
    assert translation.refused == ["Alpha was .70."]
    assert translation.missing == ["Alpha was .70."]


def test_digits_are_persian_outside_codes_only():
    assert localise_digits("n = 1,250; 12.5%; Q1_1; ICC(A,1)", "fa") == (
        "n = ۱٬۲۵۰; ۱۲٫۵٪; Q1_1; ICC(A,1)")
    assert latin_digits("۱۲٫۵٪") == "12.5%"


def test_a_malformed_catalogue_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.po"
    path.write_text('msgid "Reliability"\nmsgstr پایایی\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_po(path)
    assert err.value.row == 2
    assert "bad.po" in str(err.value)


def test_an_unknown_language_is_refused_with_the_choices(study_dir):
    with pytest.raises(ConfigError, match="one of: en, fa"):
        run_study(study_dir / "study.toml", language="de")


# -------------------------------------------------------------------- the sample report


def test_every_text_of_the_sample_report_has_its_persian_translation(persian):
    report, _ = persian
    assert report.language == "fa"
    assert report.meta["untranslated"] == []


def test_the_page_is_persian_and_right_to_left(persian):
    _, out = persian
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in page
    assert "Vazirmatn" in page
    text = _visible(out / "report.html")
    assert "پایایی" in text  # "Reliability"
    assert re.search("[۰-۹]", text)


def test_no_english_sentence_remains(persian):
    # three English words in a row, outside what the study's own files wrote (English
    # answers as exported, file names), the references and the respondents' comments
    report, out = persian
    text = _visible(out / "report.html")
    allowed = {"Strongly disagree", "Neither agree nor disagree", "Strongly agree",
               "Peer Mentoring Perception Questionnaire"}
    for table in report.tables():
        if table.key.startswith("comments_"):
            allowed |= {str(v) for v in table.frame.iloc[:, 0]}
    for phrase in allowed:
        text = text.replace(phrase, " ")
    text = re.sub(r"\bet al\.", " ", text)  # "Reed et al. 2007": a citation
    english = re.findall(r"\b[A-Za-z][a-z']+(?:[ ,-]+[A-Za-z][a-z']+){2,}", text)
    assert english == []


def test_the_persian_report_has_the_numbers_of_the_english_one(persian, sample_output):
    _, out = persian
    assert _numbers(_visible(out / "report.html")) == _numbers(
        _visible(sample_output / "report.html"))


def test_the_word_report_runs_right_to_left(persian):
    _, out = persian
    with zipfile.ZipFile(out / "report.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
        styles = archive.read("word/styles.xml").decode("utf-8")
    paragraphs = xml.count("<w:p>") + xml.count("<w:p ")
    assert xml.count("<w:bidi/>") >= paragraphs
    assert xml.count("<w:bidiVisual/>") == xml.count("<w:tbl>")
    assert "<w:rtl/>" in xml
    assert 'w:bidi="fa-IR"' in styles


# ------------------------------------------------------------------- as a reader sees it


@pytest.fixture(scope="module")
def page(persian):
    from helpers import chromium_page

    _, out = persian
    with chromium_page(out / "report.html") as page:
        yield page


@pytest.mark.parametrize("width", [1280, 400])
def test_in_a_browser_it_reads_right_to_left_and_nothing_overflows(page, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"
    overflowing = page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap'))
        .filter(w => w.scrollWidth > w.clientWidth + 1).length""")
    assert overflowing == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the headings start at the right edge of the text column
    edges = page.evaluate("""() => { const h = document.querySelector('#summary h2');
        const r = h.getBoundingClientRect(), s = getComputedStyle(h);
        return [s.textAlign, s.direction]; }""")
    assert edges[1] == "rtl"
    shot = tmp_path / f"persian-{width}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 20_000


def test_it_prints_to_pdf_in_persian(persian, tmp_path):
    import shutil
    import subprocess

    from peereval.report._pdf import write_pdf

    _, out = persian
    pdf = write_pdf(out / "report.html", tmp_path / "report.pdf")  # as test_print does
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "پایایی" in text or "ﭘﺎﯾﺎﯾﯽ" in text  # as typed, or as shaped glyphs


@pytest.mark.parametrize("edits", [
    [("min_cell = 10", "min_cell = 140")],  # groups too small: suppression notes
    [('ci = "bca"', 'ci = "feldt"'), ('adjust = "holm"', 'adjust = "bh"')],
    [('continuous = ["gpa_year1", "exam_score"]', 'continuous = ["gpa_year1"]'),
     ('binary = ["passed"]', "binary = []")],
], ids=["small groups", "other intervals and adjustment", "one outcome"])
def test_other_studies_are_translated_too(tmp_path, edits):
    import shutil

    from peereval.report._i18n import untranslated

    folder = tmp_path / "study"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    path = folder / "study-fa.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    assert untranslated(path, "fa") == []


def test_the_numbers_on_a_figure_s_axes_are_persian():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from peereval.report._i18n import translate_figure

    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    axes = fig.add_subplot()
    axes.plot([0, 0.5, 1.25], [10, 200, 3000])
    axes.set_yticks([1000, 2000])
    axes.set_yticklabels(["Low", "High"])  # fixed texts, written again when drawn
    translation = Translation(Catalogue("fa", [Entry("Low", "کم")]))
    translate_figure(fig, translation)
    fig.canvas.draw()
    ticks = [t.get_text() for t in axes.get_xticklabels() if t.get_text()]
    assert ticks
    assert all(re.search("[۰-۹]", t) for t in ticks)
    assert not any(re.search("[0-9]", t) for t in ticks)
    assert "۰٫۵۰" in ticks or "۰٫۵" in ticks
    assert [t.get_text() for t in axes.get_yticklabels()] == ["کم", "High"]
    assert "High" in translation.missing  # no entry: English, and said
