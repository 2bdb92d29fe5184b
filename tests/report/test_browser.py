"""The sample report opened in a real headless Chromium (Debian's ``chromium``).

CI installs chromium and sets ``PEEREVAL_REQUIRE_BROWSER=1``, so there a missing
browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str | None:
    # The binary itself, not Debian's wrapper script, when it is there.
    for candidate in _CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def page(sample_output):
    executable = _chromium()
    required = os.environ.get("PEEREVAL_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed")
    if executable is None:
        if required:
            pytest.fail("PEEREVAL_REQUIRE_BROWSER=1 but no chromium was found")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        messages, failures, requests = [], [], []
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.on("requestfailed", lambda r: failures.append(r.url))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((sample_output / "report.html").as_uri(), wait_until="load")
        page.wait_for_function(
            "Array.from(document.images).every(i => i.complete)", timeout=30_000)
        page.peereval_log = {"console": messages, "failed": failures, "requests": requests}
        yield page
        browser.close()


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
