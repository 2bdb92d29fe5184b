"""The shared style, Persian text shaping, fonts, and deterministic saving."""

from __future__ import annotations

import hashlib
import io
import logging
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import arabic_reshaper
import matplotlib as mpl
import numpy as np
import pytest
from bidi.algorithm import get_display
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from peereval import figures
from peereval.errors import PeerevalWarning
from peereval.figures import _text
from peereval.figures._style import CATEGORICAL, NEUTRAL, OKABE_ITO, diverging
from peereval.figures._text import arabic_font, display_text, has_arabic

SVG = "{http://www.w3.org/2000/svg}"


def independent_shape(text: str) -> str:
    """What a Persian label must look like, from the two libraries directly."""
    visual = get_display(arabic_reshaper.reshape(text))
    return "".join(c for c in visual if c not in "\u200c\u200d\u200e\u200f")


# ------------------------------------------------------------------- palettes


def test_okabe_ito_palette():
    assert OKABE_ITO == {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
                         "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
                         "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}
    assert set(CATEGORICAL) == set(OKABE_ITO.values())
    assert CATEGORICAL[:2] == ("#0072B2", "#E69F00")


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7])
def test_diverging_palette_is_rdbu_with_grey_middle(k):
    colours = diverging(k)
    assert len(colours) == len(set(colours)) == k
    cmap = mpl.colormaps["RdBu"]
    expected = [to_hex(cmap(x)) for x in np.linspace(0.08, 0.92, k)]
    if k % 2:
        assert colours[k // 2] == NEUTRAL.lower()
        expected[k // 2] = NEUTRAL.lower()
    assert colours == expected
    red, blue = mpl.colors.to_rgb(colours[0]), mpl.colors.to_rgb(colours[-1])
    assert red[0] > red[2]  # disagreement red
    assert blue[2] > blue[0]  # agreement blue


def test_drawing_leaves_the_users_rcparams_alone(perception):
    before = dict(mpl.rcParams)
    figures.likert(perception)
    after = dict(mpl.rcParams)
    assert before.keys() == after.keys()
    assert all(before[k] == after[k] or (before[k] != before[k]) for k in before)


def test_no_pyplot_and_figures_show_in_notebooks():
    code = ("import sys, peereval; from peereval import figures; "
            "from peereval.perception import summarise; s = peereval.load_sample(); "
            "fig = figures.likert(summarise(s.screened, s.instrument)); "
            "png = fig._repr_png_(); assert png[:4] == b'\\x89PNG'; "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------- text


def test_display_text_wraps_latin_and_leaves_it_unshaped():
    assert display_text("My mentor listened to my concerns", 20) == (
        "My mentor listened\nto my concerns")
    assert display_text("Strongly agree") == "Strongly agree"
    assert display_text(None) == ""
    assert display_text(3.5) == "3.5"


@pytest.mark.parametrize("text", ["کاملاً موافقم", "احساس تنهایی می‌کردم",
                                  "نمره ۱۸ از ۲۰", "سال اول (n = 32)",
                                  "Q1: منتور من (مثلاً استاد) در دسترس بود"])
def test_persian_is_shaped_and_right_to_left_for_a_matplotlib_that_cannot(text,
                                                                          monkeypatch):
    monkeypatch.setattr(_text, "matplotlib_lays_out_text", lambda: False)
    shown = display_text(text)
    assert shown == independent_shape(text)
    assert not has_arabic(shown)  # only presentation forms left
    assert display_text(shown) == shown  # shaping twice is harmless
    assert "\u200c" not in shown


def test_brackets_are_mirrored_in_right_to_left_text(monkeypatch):
    monkeypatch.setattr(_text, "matplotlib_lays_out_text", lambda: False)
    assert display_text("سال اول (n = 32)").startswith("(n = 32) ")


def test_persian_wrapping_keeps_the_first_words_on_the_first_line(monkeypatch):
    monkeypatch.setattr(_text, "matplotlib_lays_out_text", lambda: False)
    text = "برنامه به من کمک کرد با دانشکده پزشکی سازگار شوم و برنامه‌ریزی بهتری داشته باشم"
    lines = display_text(text, 30).split("\n")
    import textwrap

    logical = textwrap.wrap(text, 30, break_long_words=False, break_on_hyphens=False)
    assert lines == [independent_shape(line) for line in logical]


def _ink_runs(text: str) -> list[tuple[int, int]]:
    """The columns of ink of ``text`` drawn by matplotlib, left to right."""
    import io

    import numpy as np
    from PIL import Image

    fig = Figure(figsize=(4, 1))
    fig.text(0.05, 0.3, display_text(text), fontsize=30, fontfamily="DejaVu Sans")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    ink = (np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L")) < 128).any(0)
    edges = np.flatnonzero(np.diff(np.r_[0, ink.astype(int), 0]))
    return list(zip(edges[::2], edges[1::2], strict=True))


def test_persian_is_drawn_right_to_left_on_the_figure():
    # what the reader sees, not the code points: a lone alef, then a long word. Read
    # right to left, the alef is the rightmost mark and the word lies to its left (a
    # label reordered once too often would put the alef at the left)
    runs = _ink_runs("ا بببببب")
    assert len(runs) == 2
    (word_start, word_end), (alef_start, alef_end) = runs
    assert alef_end - alef_start < (word_end - word_start) / 4
    # two runs only: the six letters of the word are joined, not drawn apart


def test_font_with_persian_glyphs_is_chosen():
    shown = display_text("کاملاً موافقم")
    assert arabic_font(shown) in _text.ARABIC_FONTS
    assert _text.covers("DejaVu Sans", shown)


def test_missing_persian_font_falls_back_with_a_warning(monkeypatch):
    shown = display_text("کاملاً موافقم")
    monkeypatch.setattr(_text, "ARABIC_FONTS", ("No Such Font", "DejaVu Serif"))
    with pytest.warns(PeerevalWarning, match="none of the fonts"):
        assert arabic_font(shown) == "DejaVu Sans"
    monkeypatch.setattr(_text, "FALLBACK_FONT", "DejaVu Serif")
    with pytest.warns(PeerevalWarning, match="no installed font has glyphs"):
        arabic_font(shown)


def _glyph_messages(fig: Figure, caplog) -> list[str]:
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        figures.render(fig, dpi=50)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [m for m in messages if "Glyph" in m or "missing from" in m]


def test_the_glyph_check_can_fail(caplog):
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, display_text("کاملاً موافقم"), fontfamily="DejaVu Serif")
    assert _glyph_messages(fig, caplog)  # the check below would see a missing glyph


def test_persian_figures_have_no_missing_glyphs(persian_summary, caplog):
    from peereval.perception import summarise

    frame, instrument = persian_summary
    for summary in (summarise(frame, instrument), summarise(frame, instrument, by="year")):
        fig = figures.likert(summary)
        assert _glyph_messages(fig, caplog) == []


# ---------------------------------------------------------------------- save


def _figure() -> Figure:
    fig = Figure(figsize=(3, 2), layout="constrained")
    ax = fig.add_subplot()
    ax.bar([0, 1, 2], [3, 1, 2], gid="bars")
    ax.plot([0, 2], [1, 3])
    ax.set_title(display_text("عنوان"))
    return fig


def test_save_writes_svg_and_300_dpi_png(tmp_path):
    svg_path, png_path = figures.save(_figure(), tmp_path / "sub" / "demo.png")
    assert (svg_path.name, png_path.name) == ("demo.svg", "demo.png")
    root = ET.parse(svg_path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "216pt"
    assert "dc:date" not in svg_path.read_text(encoding="utf-8")
    with Image.open(png_path) as image:
        assert image.size == (900, 600)
        assert not image.info.get("Software")
        assert image.info.get("dpi") == pytest.approx((300, 300), abs=0.01)


def test_save_is_byte_identical(tmp_path):
    first = figures.save(_figure(), tmp_path / "a")
    second = figures.save(_figure(), tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    svg, png = figures.render(_figure())
    assert svg.encode("utf-8") == first[0].read_bytes()
    assert png == first[1].read_bytes()


def test_save_is_byte_identical_across_processes(tmp_path):
    code = ("import hashlib; from matplotlib.figure import Figure; "
            "from peereval.figures import render, display_text; "
            "fig = Figure(figsize=(3, 2), layout='constrained'); ax = fig.add_subplot(); "
            "ax.bar([0, 1, 2], [3, 1, 2], gid='bars'); ax.plot([0, 2], [1, 3]); "
            "ax.set_title(display_text('عنوان')); svg, png = render(fig); "
            "print(hashlib.sha256(svg.encode()).hexdigest(), hashlib.sha256(png).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent)
    svg, png = figures.render(_figure())
    assert out.stdout.split() == [hashlib.sha256(svg.encode()).hexdigest(),
                                  hashlib.sha256(png).hexdigest()]


def test_render_png_measures_the_figure():
    _, png = figures.render(_figure(), dpi=100)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (300, 200)
