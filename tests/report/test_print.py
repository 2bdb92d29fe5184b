"""The report on paper: the print stylesheet in Chromium, and the PDF it prints."""

from __future__ import annotations

import os
import re

import pytest

from helpers import _chromium, chromium_page
from peereval.errors import PeerevalError
from peereval.report._pdf import write_pdf

#: The width of A4 inside the print margins (210 mm - 2 x 14 mm) in CSS pixels.
A4_CONTENT_PX = round((210 - 28) / 25.4 * 96)

#: A4 in PDF points, as Chromium writes the MediaBox.
A4_POINTS = (595.0, 842.0)


@pytest.fixture(scope="module")
def printed(sample_output):
    with chromium_page(sample_output / "report.html") as page:
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
        yield page


def test_no_table_or_figure_is_wider_than_the_page(printed):
    too_wide = printed.evaluate("""(limit) => Array.from(
        document.querySelectorAll('table, figure img')).map(e => [
            (e.closest('section') || {}).id, e.tagName,
            Math.round(e.getBoundingClientRect().width)]).filter(r => r[2] > limit + 1)""",
                                A4_CONTENT_PX)
    assert too_wide == []


def test_the_print_rules_apply(printed):
    rules = printed.evaluate("""() => {
        const style = (selector, property) => getComputedStyle(
            document.querySelector(selector)).getPropertyValue(property);
        return {
            second_section: style('main > section + section > h2', 'break-before'),
            heading_after: style('h3', 'break-after'),
            header_group: style('thead', 'display'),
            figure_inside: style('figure', 'break-inside'),
            wrap_overflow: style('.table-wrap', 'overflow-x'),
        };
    }""")
    assert rules == {"second_section": "page", "heading_after": "avoid",
                     "header_group": "table-header-group", "figure_inside": "avoid",
                     "wrap_overflow": "visible"}


def test_the_pdf_is_a4_with_a_page_for_each_section(sample_output, sample_report, tmp_path):
    if _chromium() is None and os.environ.get("PEEREVAL_REQUIRE_BROWSER") != "1":
        pytest.skip("chromium is not installed")
    pdf = write_pdf(sample_output / "report.html", tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {
        (round(A4_POINTS[0]), round(A4_POINTS[1]))}
    pages = max(int(n) for n in re.findall(rb"/Count\s+(\d+)", data))
    # the contents page, then every section (and the warnings and references) on
    # pages of its own
    assert pages >= len(sample_report.sections) + 1


def test_a_missing_browser_is_a_clear_error(sample_output, tmp_path, monkeypatch):
    monkeypatch.setenv("PEEREVAL_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(PeerevalError, match="Chromium could not print the PDF") as caught:
        write_pdf(sample_output / "report.html", tmp_path / "report.pdf")
    assert "File > Print" in caught.value.hint
    assert not (tmp_path / "report.pdf").exists()


def test_peereval_report_pdf_writes_it_beside_the_html(tmp_path):
    import io

    import peereval
    from peereval.cli import main

    if _chromium() is None and os.environ.get("PEEREVAL_REQUIRE_BROWSER") != "1":
        pytest.skip("chromium is not installed")
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        code = main(["report", str(peereval.sample_path("study")), "-o", str(tmp_path),
                     "--pdf", "-q"])
    assert code == 0
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert f"pdf       {tmp_path / 'report.pdf'}" in out.getvalue()
