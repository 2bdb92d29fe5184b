"""The documentation builds without a warning, with its API reference and validation page.

The build runs ``sphinx-build -W --keep-going`` on docs/ (as CI does), which also
regenerates docs/validation.md from tests/reference/ (docs/_gen/validation.py). Without
Sphinx (the ``docs`` extra) the tests are skipped, unless PEEREVAL_REQUIRE_DOCS=1 asks
for them, as CI does.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NEEDED = ("sphinx", "myst_parser", "furo")


def _require_docs_tools() -> None:
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if not missing:
        return
    reason = (f"documentation tools not installed ({', '.join(missing)}): "
              "pip install -e '.[docs]'")
    if os.environ.get("PEEREVAL_REQUIRE_DOCS") == "1":
        pytest.fail(reason + " (PEEREVAL_REQUIRE_DOCS=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML site, built once for this module with warnings as errors."""
    _require_docs_tools()
    out = tmp_path_factory.mktemp("docs") / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(DOCS), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, (
        f"sphinx-build failed (status {done.returncode}):\n{done.stderr}\n{done.stdout}")
    return out


def test_build_succeeds_without_warnings(html):
    assert (html / "index.html").is_file()
    for page in ("formats", "reading-data", "reliability", "validity", "outcomes", "report",
                 "sample-study", "validation", "api/index", "api/reliability"):
        assert (html / f"{page}.html").is_file(), page


@pytest.mark.parametrize(("page", "names"), [
    ("reliability", ["peereval.reliability.alpha", "peereval.reliability.omega",
                     "peereval.reliability.icc", "peereval.reliability.AlphaResult"]),
    ("validity", ["peereval.validity.efa", "peereval.validity.cfa",
                  "peereval.validity.content_validity"]),
    ("outcomes", ["peereval.outcomes.ancova", "peereval.outcomes.propensity_match",
                  "peereval.outcomes.meta_analysis"]),
    ("loaders", ["peereval.loaders.read_export", "peereval.loaders.Responses",
                 "peereval.loaders.records.read_records"]),
    ("instrument", ["peereval.instrument.Instrument"]),
    ("report", ["peereval.report.run_study"]),
])
def test_api_pages_document_key_functions(html, page, names):
    text = (html / "api" / f"{page}.html").read_text(encoding="utf-8")
    for name in names:
        assert f'id="{name}"' in text, f"{name} is not documented on api/{page}.html"


def test_api_pages_cover_every_public_name(html):
    """Each name in a documented module's __all__ has an entry (lazy names included)."""
    import importlib

    pages = {"reliability": "peereval.reliability", "validity": "peereval.validity",
             "outcomes": "peereval.outcomes", "figures": "peereval.figures",
             "report": "peereval.report", "perception": "peereval.perception",
             "quality": "peereval.quality", "instrument": "peereval.instrument",
             "study": "peereval.study"}
    for page, module_name in pages.items():
        text = (html / "api" / f"{page}.html").read_text(encoding="utf-8")
        module = importlib.import_module(module_name)
        missing = [name for name in module.__all__ if f'id="{module_name}.{name}"' not in text]
        assert not missing, f"api/{page}.html lacks {missing}"


class _Rows(HTMLParser):
    """The cells of every table row of a page, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


_TOLERANCE = re.compile(
    r"^(?:(?P<rtol>[\d.e+-]+) × (?:\|R\||max\(\|R\|, (?P<floor>[\d.e+-]+)\)))?"
    r"(?:(?: \+ )?(?P<atol>[\d.e+-]+))?$")


def _allowed(tolerance: str, r_value: float) -> float:
    match = _TOLERANCE.match(tolerance)
    assert match, f"unreadable tolerance {tolerance!r}"
    rtol = float(match["rtol"] or 0)
    floor = float(match["floor"] or 0)
    atol = float(match["atol"] or 0)
    return atol + rtol * max(abs(r_value), floor)


def test_validation_page_rows_are_within_tolerance(html):
    parser = _Rows()
    parser.feed((html / "validation.html").read_text(encoding="utf-8"))
    header = ["quantity", "R function (or published source)", "R value", "peereval",
              "difference", "tolerance"]
    data = [row for row in parser.rows if row and row != header]
    assert len(data) >= 100
    sections = {row[1] for row in data}
    for source in ("psych::alpha", "psych::omega", "psych::ICC", "psych::cohen.kappa",
                   "lavaan::fitMeasures", "t.test", "metafor::rma", "lme4::lmer"):
        assert source in sections, source
    for quantity, _source, r_text, ours_text, difference, tolerance in data:
        r_value, ours = float(r_text), float(ours_text)
        assert math.isfinite(r_value), quantity
        assert math.isfinite(ours), quantity
        assert "exceeds" not in difference, quantity
        # the difference (two digits) is |ours - R| before both were rounded for display
        assert float(difference) == pytest.approx(abs(ours - r_value), rel=0.06,
                                                  abs=1e-9 * max(1.0, abs(r_value))), quantity
        assert float(difference) <= _allowed(tolerance, r_value), (quantity, difference,
                                                                   tolerance)
    text = (html / "validation.html").read_text(encoding="utf-8")
    for said in ("tests/reference/", "without", "R 4.2.2", "psych 2.2.9", "lavaan 0.6.14"):
        assert said in text, said
