"""The report on a desktop and on a phone: no table hides columns behind a scroll."""

from __future__ import annotations

import pytest

from helpers import chromium_page


@pytest.fixture(scope="module")
def page(sample_output):
    with chromium_page(sample_output / "report.html") as page:
        yield page


def _overflowing(page, width: int) -> list:
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("""() => Array.from(document.querySelectorAll('.table-wrap'))
        .map(w => [(w.previousElementSibling || {}).textContent, w.scrollWidth,
                   w.clientWidth]).filter(r => r[1] > r[2] + 1)""")


@pytest.mark.parametrize("width", [1280, 1024])
def test_on_a_desktop_every_column_is_in_view(page, width):
    assert _overflowing(page, width) == []


def test_on_a_phone_rows_become_cards_and_nothing_scrolls_sideways(page):
    assert _overflowing(page, 400) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    # every value keeps its column name beside it
    first = page.evaluate("""() => {
        const td = document.querySelector('#table-unadjusted + .table-wrap td');
        return [getComputedStyle(td).display, td.dataset.label,
                getComputedStyle(td, '::before').content];
    }""")
    assert first == ["block", "outcome", '"outcome: "']
    images = page.evaluate("""() => Array.from(document.querySelectorAll('figure img'))
        .map(i => Math.round(i.getBoundingClientRect().width))""")
    assert images
    assert max(images) <= 400
