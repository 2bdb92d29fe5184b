"""The sample report opened in a real headless Chromium (Debian's ``chromium``).

CI installs chromium and sets ``PEEREVAL_REQUIRE_BROWSER=1``, so there a missing
browser fails the test instead of skipping it.
"""

from __future__ import annotations

import pytest

from helpers import chromium_page


@pytest.fixture(scope="module")
def page(sample_output):
    with chromium_page(sample_output / "report.html") as opened:
        yield opened


def test_no_console_errors_and_no_network(page):
    log = page.peereval_log
    assert [m for m in log["console"] if m[0] in ("error", "warning", "pageerror")] == []
    assert log["failed"] == []
    # only the page itself and its inline data: URIs
    assert all(url.startswith(("file://", "data:")) for url in log["requests"])


def test_every_image_loads(page, sample_report):
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, "
        "i.naturalHeight, i.getBoundingClientRect().width])")
    assert len(images) == len(sample_report.figures())
    for alt, complete, width, height, shown in images:
        assert complete, alt
        assert width > 100, alt
        assert height > 50, alt
        assert shown > 200, alt  # laid out at a readable size, not collapsed


def test_structure_and_links(page, sample_report):
    assert page.title() == sample_report.title
    headings = page.evaluate("Array.from(document.querySelectorAll('h2')).map(h => "
                             "h.textContent)")
    for section in sample_report.sections:
        assert section.title in headings
    targets = page.evaluate("Array.from(document.querySelectorAll('nav a')).map(a => "
                            "a.getAttribute('href'))")
    for target in targets:
        assert page.evaluate(f"document.getElementById({target[1:]!r}) !== null"), target
    rows = page.evaluate("document.querySelectorAll('table tbody tr').length")
    assert rows == sum(len(t.frame) for t in sample_report.tables())


def test_screenshot(page, tmp_path):
    path = tmp_path / "report.png"
    page.screenshot(path=str(path), full_page=True)
    from PIL import Image

    with Image.open(path) as shot:
        width, height = shot.size
        assert width == 1280
        assert height > 5000
        colours = shot.convert("RGB").resize((64, 256)).getcolors(64 * 256)
        assert colours is None or len(colours) > 20  # text and figures, not a blank page
