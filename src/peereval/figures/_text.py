"""Text as matplotlib must be given it.

matplotlib 3.11 and newer lay text out with libraqm (HarfBuzz shaping and the Unicode
bidirectional algorithm): Persian given as typed, in logical order, comes out joined and
right to left, so labels are only wrapped (and stripped of the Unicode isolates that the
report's translation puts around Latin words), and a test checks on the drawn figure
that they read right to left. Shaping them beforehand, as was needed until 3.10, would
reverse them a second time: :func:`matplotlib_lays_out_text` tells which matplotlib
this is.

An older matplotlib draws characters one by one, left to right, without OpenType
shaping, so Persian text given as typed comes out as isolated letters in reverse order.
For it, strings that contain Arabic-script letters are

1. wrapped into lines (in logical order, so that the first line holds the first
   words);
2. shaped line by line with arabic-reshaper (each letter replaced by its initial,
   medial, final or isolated presentation form; lam-alef ligatures);
3. reordered for display with python-bidi's pure-Python implementation of the Unicode
   bidirectional algorithm (UAX #9), which also mirrors brackets in right-to-left runs
   (its newer ``bidi.get_display`` does not: "(n = 32)" would come out as ")n = 32(");
4. stripped of the zero-width and direction-control characters that have done their
   work.

Strings without Arabic-script letters are only wrapped. A string that already holds
presentation forms and no base letters has been shaped before and is left alone,
so shaping twice is harmless.

The font must have glyphs for the presentation forms. DejaVu Sans, which ships with
matplotlib, has all of those Persian needs; :func:`arabic_font` prefers Vazirmatn (Debian
``fonts-vazirmatn``) when it is installed and covers the text, checks coverage, and
falls back to DejaVu Sans with a :class:`~peereval.errors.PeerevalWarning` otherwise.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache

from peereval.errors import PeerevalWarning, user_stacklevel

__all__ = ["ARABIC_FONTS", "FALLBACK_FONT", "arabic_font", "display_text", "has_arabic",
           "is_shaped"]

#: Set while a report in another language draws its figures (by the report's
#: runner): every label given to :func:`display_text` is translated first, before it
#: is wrapped and shaped. None (the default) leaves labels as they are.
TRANSLATE: ContextVar[Callable[[str], str] | None] = ContextVar("figure_text_translation",
                                                                 default=None)

#: Fonts tried, in order, for Arabic-script labels; the first installed one that has a
#: glyph for every character of the label is used.
ARABIC_FONTS: tuple[str, ...] = ("Vazirmatn", "DejaVu Sans")
#: Bundled with matplotlib, so always present; covers Persian presentation forms.
FALLBACK_FONT = "DejaVu Sans"

_LETTERS = re.compile("[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f"
                      "\u08a0-\u08ff]")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
_CONTROLS = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def has_arabic(text: str) -> bool:
    """Whether ``text`` contains Arabic-script letters (Persian, Arabic, Urdu...).

    Examples
    --------
    >>> has_arabic("کاملاً موافقم"), has_arabic("Strongly agree"), has_arabic("۱۲۳")
    (True, False, False)
    """
    return bool(_LETTERS.search(text))


def is_shaped(text: str) -> bool:
    """Whether ``text`` holds Arabic presentation forms: it is already shaped for display."""
    return bool(_PRESENTATION.search(text))


@cache
def _reshaper():
    import arabic_reshaper

    # Only the lam-alef ligatures (obligatory in Arabic script, present in every font
    # that covers the script); no word ligatures such as U+FDF2, which fonts may lack.
    return arabic_reshaper.ArabicReshaper(configuration={
        "delete_harakat": True,
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
    })


@cache
def matplotlib_lays_out_text() -> bool:
    """Whether matplotlib shapes and orders right-to-left text itself.

    matplotlib 3.11 lays text out with libraqm (HarfBuzz shaping and the Unicode
    bidirectional algorithm): Persian given in logical order comes out joined and right
    to left, and text shaped and reordered beforehand would be reversed a second time.
    Older versions drew characters one by one, left to right.
    """
    import matplotlib

    major, minor = (int(part) for part in matplotlib.__version__.split(".")[:2])
    return (major, minor) >= (3, 11)


def _visual(line: str) -> str:
    if not has_arabic(line):
        return line
    if matplotlib_lays_out_text():  # logical order; only the isolates go (raqm keeps ZWNJ)
        return line.replace("\u2068", "").replace("\u2069", "")
    shaped = _reshaper().reshape(line)
    return _CONTROLS.sub("", _get_display()(shaped))


@cache
def _get_display():
    try:
        from bidi.algorithm import get_display
    except ImportError:  # pragma: no cover - python-bidi without the pure-Python module
        from bidi import get_display
    return get_display


def display_text(text: object, width: int | None = None) -> str:
    """``text`` ready for matplotlib: wrapped, and (for a matplotlib older than 3.11,
    which cannot lay it out) shaped right to left when Persian.

    Parameters
    ----------
    text
        A label (converted with ``str``).
    width
        Wrap to lines of at most this many characters (words are not broken);
        None keeps the line breaks the text has.

    Returns
    -------
    str
        The text, wrapped and (for Persian) shaped and reordered for display.

    Examples
    --------
    >>> display_text("My mentor listened to my concerns", 20)
    'My mentor listened\\nto my concerns'
    >>> display_text("موافقم") == "موافقم"  # matplotlib >= 3.11 lays it out itself
    True
    """
    text = "" if text is None else str(text)
    if is_shaped(text) and not has_arabic(text):
        return text
    translate = TRANSLATE.get()
    if translate is not None:  # a report in another language is being drawn
        text = translate(text).replace("\u2068", "").replace("\u2069", "")
    lines = []
    for paragraph in text.split("\n"):
        if width:
            lines.extend(textwrap.wrap(paragraph, width, break_long_words=False,
                                       break_on_hyphens=False) or [""])
        else:
            lines.append(paragraph)
    return "\n".join(_visual(line) for line in lines)


# ----------------------------------------------------------------------- fonts


@cache
def _font_path(family: str) -> str | None:
    from matplotlib import font_manager

    try:
        return font_manager.findfont(font_manager.FontProperties(family=family),
                                     fallback_to_default=False)
    except ValueError:
        return None


@cache
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def covers(family: str, text: str) -> bool:
    """Whether the installed font ``family`` has a glyph for every character of ``text``."""
    path = _font_path(family)
    if path is None:
        return False
    chars = _charmap(path)
    return all(ord(c) in chars for c in set(text) if not c.isspace())


def arabic_font(text: str) -> str:
    """The font family to draw a shaped Arabic-script string with.

    The first of :data:`ARABIC_FONTS` that is installed and covers every character;
    otherwise :data:`FALLBACK_FONT`, with a warning naming the font to install.

    Examples
    --------
    >>> arabic_font(display_text("کاملاً موافقم")) in ARABIC_FONTS
    True
    """
    for family in ARABIC_FONTS:
        if covers(family, text):
            return family
    if not covers(FALLBACK_FONT, text):
        path = _font_path(FALLBACK_FONT)
        have = _charmap(path) if path else frozenset()
        missing = sorted(c for c in set(text) if not c.isspace() and ord(c) not in have)
        warnings.warn(
            f"no installed font has glyphs for {''.join(missing[:10])!r} in a figure label; "
            "those characters will show as boxes (install fonts-vazirmatn or "
            "fonts-dejavu-core)", PeerevalWarning, stacklevel=user_stacklevel())
    else:
        warnings.warn(
            f"none of the fonts {list(ARABIC_FONTS)} covers a Persian label; using "
            f"{FALLBACK_FONT}", PeerevalWarning, stacklevel=user_stacklevel())
    return FALLBACK_FONT
