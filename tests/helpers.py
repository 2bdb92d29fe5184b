"""Assertions and tools shared by the tests."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import canonical

FIXTURES = Path(__file__).parent / "fixtures"


def assert_canonical(responses, item_codes: Sequence[str], *, points: int | None = None,
                     respondents: Sequence[int] = range(6)) -> pd.DataFrame:
    """Check that ``item_codes`` of ``responses`` hold the canonical answers.

    ``item_codes`` are the platform's codes for canonical.ITEMS, in that order;
    ``respondents`` are the canonical respondents (0-based) the file holds, in file
    order. Returns the numeric frame.
    """
    values = responses.numeric(list(item_codes), points=points)
    expected = np.array([canonical.ANSWERS[i] for i in respondents], dtype=float)
    np.testing.assert_array_equal(values.to_numpy(), expected)
    return values


def assert_comments(responses, code: str, respondents: Sequence[int] = range(6)) -> None:
    """The free-text item holds the canonical comments, unaltered."""
    got = [None if pd.isna(v) else v for v in responses.answers[code]]
    assert got == [canonical.COMMENTS[i] for i in respondents]
    assert responses.items[code].kind == "text"


def sha256(path: Path) -> str:
    """Checksum of a file, to show an input was not modified."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def values(series: pd.Series) -> list:
    """A column as a list with None for missing values."""
    return [None if pd.isna(v) else v for v in series]


def edit_study(folder: Path, old: str, new: str) -> Path:
    """Replace ``old`` (which must be there) by ``new`` in ``folder/study.toml``."""
    path = folder / "study.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


_CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")


def _chromium() -> str | None:
    # The binary itself, not Debian's wrapper script, when it is there.
    for candidate in _CHROMIUM:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@contextlib.contextmanager
def chromium_page(html: Path) -> Iterator[object]:
    """A page of Debian's headless Chromium (through playwright) showing ``html``.

    ``page.peereval_log`` collects console messages, page errors, dialogs, failed
    and all requests. Without playwright or chromium the test is skipped, unless
    ``PEEREVAL_REQUIRE_BROWSER=1`` (set by CI), which makes it fail.
    """
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
        messages, failures, requests, dialogs = [], [], [], []
        page.on("console", lambda m: messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
        page.on("requestfailed", lambda r: failures.append(r.url))
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(Path(html).as_uri(), wait_until="load")
        page.wait_for_function(
            "Array.from(document.images).every(i => i.complete)", timeout=30_000)
        page.peereval_log = {"console": messages, "failed": failures,
                             "requests": requests, "dialogs": dialogs}
        try:
            yield page
        finally:
            browser.close()


def assert_old_name_warns(result: object, cls: str, old: str, new: str) -> None:
    """``result.<old>`` warns that it is ``<cls>.<new>`` now, and gives the same value."""
    message = f"{cls}.{old} is deprecated since peereval 0.1: use {cls}.{new}"
    with pytest.warns(DeprecationWarning, match=f"^{message}$"):
        value = getattr(result, old)
    assert value == getattr(result, new)


def strip_labels(folder):
    """Remove the ``[labels]`` table from a copied study, so that the report uses the
    records' own column names and group values (what tests of those mechanisms read)."""
    path = folder / "study.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n\[labels\][^\n]*\n(?:[^\n\[][^\n]*\n)*", "\n", text),
                    encoding="utf-8")
    return folder

