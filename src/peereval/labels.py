"""Response-label vocabularies and the text normalisation used to match them.

A choice-text export holds answers such as ``"Strongly agree"``, ``"کاملاً موافقم"``
or ``"5 = Strongly agree"``. To turn them into numbers peereval normalises the text
(:func:`normalize_label`) and looks it up in built-in vocabularies: agreement,
frequency, satisfaction, quality (very poor to excellent), rating (poor to excellent),
importance, relevance and extent, mostly with 4 to 7 points, in English and Persian
(Arabic-script spellings of the Persian words match too, because normalisation folds
Arabic yeh and kaf into the Persian letters), and a few Arabic scales.

The English anchors follow Vagias (2006), *Likert-type scale response anchors*
(Clemson University); the 4-point relevance scale is the one of the content validity
index (Lynn 1986; Polit & Beck 2006). Persian anchors are the wordings common in
Iranian questionnaires.

Matching is done per group of items that share one response scale (the rows of one
matrix question). Several vocabularies may contain every label seen in a group (a
group whose answers are only "Agree" and "Strongly agree" fits the 4-, 5-, 6- and
7-point agreement scales); the group is coded only when every such vocabulary gives
the same numbers. Otherwise the caller must say how many points the scale has
(``points=``, or the codebook's response range) or pass a mapping.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

__all__ = [
    "NON_SUBSTANTIVE",
    "PANEL_DESCRIPTIVE_HEADERS",
    "PANEL_ITEM_HEADERS",
    "VOCABULARIES",
    "LabelMatch",
    "Vocabulary",
    "label_key",
    "match_labels",
    "normalise_id",
    "normalize_label",
    "split_numbered_label",
    "vocabulary",
]


# --------------------------------------------------------------------------- text

_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_CHAR_MAP = str.maketrans(
    {
        **{d: str(i) for i, d in enumerate(_ARABIC_INDIC)},
        **{d: str(i) for i, d in enumerate(_PERSIAN_DIGITS)},
        "ي": "ی",  # Arabic yeh -> Farsi yeh
        "ى": "ی",  # alef maksura -> Farsi yeh
        "ئ": "ی",
        "ك": "ک",  # Arabic kaf -> keheh
        "ة": "ه",
        "ۀ": "ه",
        "ہ": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "\u200c": " ",  # zero-width non-joiner
        "\u200d": "",
        "\u200e": "",  # left-to-right mark
        "\u200f": "",  # right-to-left mark
        "\u202a": "",
        "\u202b": "",
        "\u202c": "",
        "\u202d": "",
        "\u202e": "",
        "\u2066": "",
        "\u2067": "",
        "\u2068": "",
        "\u2069": "",
        "\ufeff": "",
        "\u00a0": " ",
        "ـ": "",  # tatweel
        "،": ",",
        "؛": ";",
        "؟": "?",
        "٫": ".",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
    }
)
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = " .,;:!?'\"*"


def normalize_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII digits."""
    return text.translate(_CHAR_MAP) if text else text


def normalize_label(text: object) -> str:
    """Normalise a response label for matching.

    Applies Unicode NFKC (which also folds Arabic presentation forms), maps Arabic
    yeh/kaf/teh marbuta and hamza-carrying letters to their Persian base letters,
    Persian and Arabic-Indic digits to ASCII, the zero-width non-joiner to a space,
    drops tatweel, harakat (including the tanwin of ``کاملاً``) and direction marks,
    folds case, collapses white space and trims edge punctuation.

    Examples
    --------
    >>> normalize_label("  Strongly   AGREE. ")
    'strongly agree'
    >>> normalize_label("كاملاً موافقم") == normalize_label("کاملا موافقم")
    True
    >>> normalize_label("۵")
    '5'
    """
    s = unicodedata.normalize("NFKC", str(text))
    s = s.translate(_CHAR_MAP)
    s = _ARABIC_MARKS.sub("", s)
    s = s.casefold()
    s = _SPACES.sub(" ", s)
    return s.strip(_EDGE_PUNCT)


def normalise_id(value: Any) -> str | None:
    """Canonical form of a student id for matching; ``None`` when empty.

    Spreadsheets turn ``00123`` into ``123`` and ``123`` into ``123.0``, and Persian
    keyboards type ``۱۲۳``; all of these become ``"123"``. Linkage
    (:mod:`peereval.loaders.records`) and the retest compare ids in this form.

    Examples
    --------
    >>> normalise_id(" 00981234 "), normalise_id(981234.0), normalise_id("۹۸۱۲۳۴")
    ('981234', '981234', '981234')
    >>> normalise_id("AB-12") == normalise_id("ab-12")
    True
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", "", normalize_digits(str(value))).casefold()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text or None


def label_key(text: object) -> str:
    """Key used for lookups: the normalised label without spaces.

    Persian writers join or split compound words with a space, a zero-width
    non-joiner or nothing at all (``بی‌نظر``, ``بی نظر``, ``بینظر``); removing spaces
    makes all three one key. Underscores count as spaces too, so that the choice names
    of an "XML values" export (``strongly_agree``) key like their labels.
    """
    return normalize_label(text).replace(" ", "").replace("_", "")


_NUMBER = r"[-+]?\d+(?:\.\d+)?"
#: Longer answers are never numbered response labels (the longest known is ~40 chars).
_LONGEST_LABEL = 200
_PREFIXED = re.compile(rf"^\(?\s*({_NUMBER})\s*\)?\s*(?:[=:.)\-/]\s*)?(.*\D.*)$")
_SUFFIXED = re.compile(rf"^(.*\D.*?)(?:\s+|\s*[=:\-/]\s*|\s*\(\s*)({_NUMBER})\s*\)?$")


#: Headers an expert panel's workbook may give its column of item codes (compared with
#: :func:`label_key`).
PANEL_ITEM_HEADERS = frozenset(label_key(h) for h in (
    "item", "items", "item code", "item id", "code", "گویه", "کد گویه", "شماره گویه",
))

#: Headers of a panel workbook's columns that describe an item rather than hold an
#: expert's ratings.
PANEL_DESCRIPTIVE_HEADERS = frozenset(label_key(h) for h in (
    "wording", "text", "item text", "item wording", "label", "question", "statement",
    "description", "domain", "dimension", "scale", "subscale", "construct", "comment",
    "comments", "note", "notes",
    "عبارت", "متن", "متن گویه", "سوال", "سؤال", "حیطه", "بعد", "مقیاس", "توضیحات",
))


def split_numbered_label(text: object) -> tuple[float | None, str]:
    """Split a label such as ``"5 = Strongly agree"`` into ``(5.0, "strongly agree")``.

    Recognised forms: ``5 = label``, ``5 - label``, ``5. label``, ``(5) label``,
    ``5) label``, ``label (5)``, ``label = 5``. A label without a number returns
    ``(None, normalised label)``.

    Examples
    --------
    >>> split_numbered_label("5 = Strongly agree")
    (5.0, 'strongly agree')
    >>> split_numbered_label("کاملا موافقم (۵)")
    (5.0, 'کاملا موافقم')
    >>> split_numbered_label("Agree")
    (None, 'agree')
    >>> split_numbered_label("strongly_agree")  # a choice name
    (None, 'strongly agree')
    """
    s = _SPACES.sub(" ", normalize_label(text).replace("_", " ")).strip()
    if len(s) > _LONGEST_LABEL:  # free text, not a label; the patterns below backtrack
        return None, s
    m = _PREFIXED.match(s)
    if m and m.group(2).strip(_EDGE_PUNCT + "()"):
        return float(m.group(1)), m.group(2).strip(_EDGE_PUNCT + "()").strip()
    m = _SUFFIXED.match(s)
    if m and m.group(1).strip(_EDGE_PUNCT + "()"):
        return float(m.group(2)), m.group(1).strip(_EDGE_PUNCT + "()=-").strip()
    return None, s


# -------------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class Vocabulary:
    """An ordered response scale: ``levels[i]`` holds the spellings of code ``i + 1``.

    Attributes
    ----------
    family
        What the scale measures (``agreement``, ``frequency``, ...).
    language
        ``en``, ``fa`` or ``ar``.
    levels
        Spellings of each level, lowest first; the first spelling is the anchor.
    variant
        Tells apart two scales of one family and length (``"somewhat"`` for
        Qualtrics' five-point agreement scale beside the classic one).
    source
        Where the wording comes from (a platform's default scale, a published list
        of anchors, questionnaires in use).
    """

    family: str
    language: str
    levels: tuple[tuple[str, ...], ...]
    variant: str = ""
    source: str = ""

    @property
    def points(self) -> int:
        return len(self.levels)

    @property
    def name(self) -> str:
        variant = f"/{self.variant}" if self.variant else ""
        return f"{self.family}-{self.points}{variant} ({self.language})"

    @property
    def anchors(self) -> tuple[str, ...]:
        """The first (canonical) spelling of each level."""
        return tuple(level[0] for level in self.levels)

    def codes(self) -> dict[str, int]:
        """Lookup key -> code (1-based)."""
        out: dict[str, int] = {}
        for code, spellings in enumerate(self.levels, start=1):
            for spelling in spellings:
                out[label_key(spelling)] = code
        return out


def _v(family: str, language: str, *levels: Iterable[str] | str, variant: str = "",
       source: str = "") -> Vocabulary:
    return Vocabulary(
        family,
        language,
        tuple((lv,) if isinstance(lv, str) else tuple(lv) for lv in levels),
        variant,
        source,
    )


# Where the wordings come from (shown in the coding table and docs/reading-data.md).
_SRC_VAGIAS = "Vagias (2006), Likert-type scale response anchors"
_SRC_QUALTRICS = ("Qualtrics' default answer choices, as they appear in public "
                  "analysis scripts of Qualtrics exports")
_SRC_SURVEYMONKEY = ("SurveyMonkey's template wording (Extremely / Very / Somewhat / "
                     "Not so / Not at all), as in its customer-satisfaction template")
_SRC_MSFORMS = "Microsoft Forms' Likert question (default options) and common English forms"
_SRC_CVI = "content validity index rating scale (Lynn 1986; Polit & Beck 2006)"
_SRC_PERSIAN = "wordings of Iranian questionnaires (Porsline, Google Forms and paper forms)"
_SRC_ARABIC = "common Arabic questionnaire wordings"


# --- English ---------------------------------------------------------------------
_SD = ("strongly disagree", "completely disagree", "totally disagree")
_D = ("disagree",)
_SLD = ("somewhat disagree", "slightly disagree", "mildly disagree", "moderately disagree")
_N = (
    "neither agree nor disagree",
    "neither agree or disagree",
    "neither disagree nor agree",
    "neutral",
    "undecided",
    "not sure",
    "unsure",
    "uncertain",
)
_SLA = ("somewhat agree", "slightly agree", "mildly agree", "moderately agree")
_A = ("agree",)
_SA = ("strongly agree", "completely agree", "totally agree")

_NEVER = ("never",)
_RARELY = ("rarely", "seldom")
_SOMETIMES = ("sometimes",)
_OFTEN = ("often", "frequently", "very often")
_ALWAYS = ("always", "every time")

_VDIS = ("very dissatisfied", "extremely dissatisfied", "completely dissatisfied")
_DIS = ("dissatisfied",)
_SLDIS = ("somewhat dissatisfied", "slightly dissatisfied")
_NSAT = ("neither satisfied nor dissatisfied", "neither dissatisfied nor satisfied", "neutral",
         "unsure")
_SLSAT = ("somewhat satisfied", "slightly satisfied")
_SAT = ("satisfied",)
_VSAT = ("very satisfied", "extremely satisfied", "completely satisfied")

_ENGLISH = [
    _v("agreement", "en", _SD, _D, _A, _SA),
    _v("agreement", "en", _SD, _D, _N, _A, _SA),
    _v("agreement", "en", _SD, _D, _SLD, _SLA, _A, _SA),
    _v("agreement", "en", _SD, _D, _SLD, _N, _SLA, _A, _SA),
    _v("frequency", "en", _NEVER, ("sometimes", "occasionally"), _OFTEN, _ALWAYS),
    _v("frequency", "en", _NEVER, _RARELY, ("sometimes", "occasionally"), _OFTEN, _ALWAYS),
    _v("frequency", "en", _NEVER, ("very rarely",), _RARELY, ("occasionally",),
       ("frequently", "often"), ("very frequently", "always")),
    _v("frequency", "en", _NEVER, _RARELY, ("occasionally",), _SOMETIMES, ("frequently",),
       ("usually", "almost always"), _ALWAYS),
    _v("satisfaction", "en", _VDIS, _DIS, _SAT, _VSAT),
    _v("satisfaction", "en", _VDIS, _DIS, _NSAT, _SAT, _VSAT),
    _v("satisfaction", "en", _VDIS, _DIS, _SLDIS, _SLSAT, _SAT, _VSAT),
    _v("satisfaction", "en", _VDIS, _DIS, _SLDIS, _NSAT, _SLSAT, _SAT, _VSAT),
    _v("quality", "en", "poor", "fair", "good", "excellent"),
    _v("quality", "en", "very poor", "poor", ("fair", "average", "acceptable"), "good",
       "excellent"),
    _v("rating", "en", "poor", "fair", "good", "very good", "excellent"),
    _v("quality", "en", "very poor", "poor", "fair", "good", "very good", "excellent"),
    _v("quality", "en", "very poor", "poor", "below average", "average", "above average",
       "good", "excellent"),
    _v("importance", "en", ("not at all important", "not important"), "slightly important",
       ("very important", "important"), "extremely important"),
    _v("importance", "en", ("not at all important", "not important"),
       ("slightly important", "of little importance", "low importance"),
       ("moderately important", "neutral"), ("very important", "important"),
       "extremely important"),
    _v("importance", "en", ("not at all important", "not important"), "low importance",
       "slightly important", ("moderately important", "neutral"), "very important",
       "extremely important"),
    _v("importance", "en", ("not at all important", "not important"), "low importance",
       "slightly important", ("moderately important", "neutral"), "important",
       "very important", "extremely important"),
    _v("relevance", "en", ("not relevant", "not at all relevant", "irrelevant"),
       ("somewhat relevant", "slightly relevant"), ("quite relevant", "relevant"),
       ("highly relevant", "very relevant")),
    _v("relevance", "en", ("not at all relevant", "not relevant"), "slightly relevant",
       "moderately relevant", "very relevant", "extremely relevant"),
    _v("relevance", "en", ("not at all relevant", "not relevant"), "slightly relevant",
       "somewhat relevant", "moderately relevant", "very relevant", "extremely relevant"),
    _v("relevance", "en", ("not at all relevant", "not relevant"), "very slightly relevant",
       "slightly relevant", "moderately relevant", "quite relevant", "very relevant",
       "extremely relevant"),
    _v("extent", "en", ("not at all", "none"), "a little", ("somewhat", "moderately"),
       ("a lot", "very much", "to a great extent")),
    _v("extent", "en", ("very low", "very little"), ("low", "little"),
       ("moderate", "medium"), ("high", "much"), ("very high", "very much")),
]

# Qualtrics' default scales: bipolar with "Somewhat" (5 points) or "Moderately" and
# "Slightly" (7 points); its frequency, quality and amount scales.
_QUALTRICS = [
    _v("agreement", "en", _SD, ("somewhat disagree",), _N, ("somewhat agree",), _SA,
       variant="somewhat"),
    _v("satisfaction", "en", _VDIS, ("somewhat dissatisfied",), _NSAT, ("somewhat satisfied",),
       _VSAT, variant="somewhat"),
    _v("satisfaction", "en", _VDIS, ("moderately dissatisfied",), ("slightly dissatisfied",),
       _NSAT, ("slightly satisfied",), ("moderately satisfied",), _VSAT, variant="moderately"),
    _v("likelihood", "en", "extremely unlikely", "somewhat unlikely",
       ("neither likely nor unlikely", "neutral"), "somewhat likely", "extremely likely",
       variant="somewhat"),
    _v("likelihood", "en", "extremely unlikely", "moderately unlikely", "slightly unlikely",
       ("neither likely nor unlikely", "neutral"), "slightly likely", "moderately likely",
       "extremely likely", variant="moderately"),
    _v("frequency", "en", _NEVER, _SOMETIMES, ("about half the time",), ("most of the time",),
       _ALWAYS, variant="half"),
    _v("quality", "en", "terrible", "poor", "average", "good", "excellent", variant="terrible"),
    _v("extent", "en", ("none at all", "not at all"), "a little", "a moderate amount",
       "a lot", "a great deal", variant="amount"),
]
_QUALTRICS = [replace(v, source=_SRC_QUALTRICS) for v in _QUALTRICS]

_LIKELIHOOD = [
    _v("likelihood", "en", "very unlikely", "unlikely", ("neither likely nor unlikely",
       "neutral", "unsure"), "likely", "very likely", source=_SRC_VAGIAS),
]

# Unipolar scales of one adjective: SurveyMonkey's "Not at all / Not so / Somewhat /
# Very / Extremely" and Qualtrics' "Not at all / Slightly / Moderately / Very /
# Extremely" (Vagias 2006 lists the second for several adjectives).
_ADJECTIVES = (
    "likely", "helpful", "important", "easy", "useful", "effective", "clear", "confident",
    "knowledgeable", "supportive", "valuable", "interesting", "comfortable", "prepared",
    "accessible", "responsive", "friendly", "relevant", "approachable", "available",
    "beneficial", "engaging", "motivating", "familiar", "concerned", "difficult",
    "satisfying", "informative", "organized", "organised", "encouraging",
)
_ADJECTIVE_FAMILY = {"likely": "likelihood", "important": "importance"}
_UNIPOLAR = [
    _v(_ADJECTIVE_FAMILY.get(adj, "intensity"), "en", *(f"{q} {adj}" for q in qualifiers),
       variant=f"{name} {adj}", source=source)
    for adj in _ADJECTIVES
    for name, qualifiers, source in (
        ("not so", ("not at all", "not so", "somewhat", "very", "extremely"),
         _SRC_SURVEYMONKEY),
        ("slightly", ("not at all", "slightly", "moderately", "very", "extremely"),
         _SRC_VAGIAS + "; Qualtrics' unipolar default"),
    )
]

# --- Persian (Arabic-script spellings match through normalisation) ----------------
_FA_SD = ("کاملا مخالفم", "کاملا مخالف", "کاملا مخالف هستم", "به شدت مخالفم",
          "بشدت مخالفم", "خیلی مخالفم", "کاملا مخالف هستم")
_FA_D = ("مخالفم", "مخالف", "مخالف هستم")
_FA_SLD = ("تا حدودی مخالفم", "تا حدودی مخالف", "نسبتا مخالفم", "کمی مخالفم", "تا حدی مخالفم")
_FA_N = ("نظری ندارم", "بی نظر", "بدون نظر", "نه موافقم نه مخالفم", "نه موافق نه مخالف",
         "نه مخالفم نه موافقم", "ممتنع", "مطمئن نیستم", "بینابین", "بی نظرم",
         "نه موافقم و نه مخالفم", "نه موافق و نه مخالف")
_FA_SLA = ("تا حدودی موافقم", "تا حدودی موافق", "نسبتا موافقم", "کمی موافقم", "تا حدی موافقم")
_FA_A = ("موافقم", "موافق", "موافق هستم")
_FA_SA = ("کاملا موافقم", "کاملا موافق", "کاملا موافق هستم", "به شدت موافقم", "بشدت موافقم",
          "خیلی موافقم")

_FA_NEVER = ("هرگز", "هیچ وقت", "هیچگاه", "اصلا")
_FA_RARELY = ("به ندرت", "بندرت", "خیلی کم")
_FA_SOMETIMES = ("گاهی", "گاهی اوقات", "بعضی اوقات", "گاه گاهی")
_FA_OFTEN = ("اغلب", "اغلب اوقات", "بیشتر اوقات", "اکثر اوقات", "غالبا")
_FA_ALWAYS = ("همیشه", "همواره")

_FA_VDIS = ("بسیار ناراضی", "خیلی ناراضی", "کاملا ناراضی")
_FA_DIS = ("ناراضی",)
_FA_SLDIS = ("تا حدودی ناراضی", "نسبتا ناراضی")
_FA_NSAT = ("نه راضی نه ناراضی", "بی نظر", "نظری ندارم", "متوسط")
_FA_SLSAT = ("تا حدودی راضی", "نسبتا راضی")
_FA_SAT = ("راضی",)
_FA_VSAT = ("بسیار راضی", "خیلی راضی", "کاملا راضی")

_PERSIAN = [
    _v("agreement", "fa", _FA_SD, _FA_D, _FA_A, _FA_SA),
    _v("agreement", "fa", _FA_SD, _FA_D, _FA_N, _FA_A, _FA_SA),
    _v("agreement", "fa", _FA_SD, _FA_D, _FA_SLD, _FA_SLA, _FA_A, _FA_SA),
    _v("agreement", "fa", _FA_SD, _FA_D, _FA_SLD, _FA_N, _FA_SLA, _FA_A, _FA_SA),
    _v("frequency", "fa", _FA_NEVER, _FA_SOMETIMES, _FA_OFTEN, _FA_ALWAYS),
    _v("frequency", "fa", _FA_NEVER, _FA_RARELY, _FA_SOMETIMES, _FA_OFTEN, _FA_ALWAYS),
    _v("frequency", "fa", _FA_NEVER, ("خیلی به ندرت",), ("به ندرت", "بندرت"),
       ("گاهی", "گاهی اوقات"), ("اغلب", "اغلب اوقات"), ("تقریبا همیشه", "همیشه")),
    _v("frequency", "fa", _FA_NEVER, ("به ندرت", "بندرت"), ("گاه گاهی", "گهگاه"),
       ("گاهی", "گاهی اوقات", "بعضی اوقات"), ("اغلب", "اغلب اوقات"),
       ("معمولا", "تقریبا همیشه"), _FA_ALWAYS),
    _v("satisfaction", "fa", _FA_VDIS, _FA_DIS, _FA_SAT, _FA_VSAT),
    _v("satisfaction", "fa", _FA_VDIS, _FA_DIS, _FA_NSAT, _FA_SAT, _FA_VSAT),
    _v("satisfaction", "fa", _FA_VDIS, _FA_DIS, _FA_SLDIS, _FA_SLSAT, _FA_SAT, _FA_VSAT),
    _v("satisfaction", "fa", _FA_VDIS, _FA_DIS, _FA_SLDIS, _FA_NSAT, _FA_SLSAT, _FA_SAT,
       _FA_VSAT),
    _v("quality", "fa", "ضعیف", "متوسط", "خوب", "عالی"),
    _v("quality", "fa", ("خیلی ضعیف", "بسیار ضعیف", "خیلی بد"), ("ضعیف", "بد"),
       ("متوسط", "قابل قبول"), "خوب", "عالی"),
    _v("rating", "fa", "ضعیف", "متوسط", "خوب", ("خیلی خوب", "بسیار خوب"), "عالی"),
    _v("quality", "fa", ("خیلی ضعیف", "بسیار ضعیف"), "ضعیف", "متوسط", "خوب",
       ("خیلی خوب", "بسیار خوب"), "عالی"),
    _v("quality", "fa", ("خیلی ضعیف", "بسیار ضعیف"), "ضعیف", "کمتر از متوسط", "متوسط",
       "بیشتر از متوسط", "خوب", "عالی"),
    _v("importance", "fa", ("اصلا مهم نیست", "بی اهمیت"), ("کم اهمیت", "کمی مهم"),
       "مهم", ("بسیار مهم", "خیلی مهم")),
    _v("importance", "fa", ("اصلا مهم نیست", "بی اهمیت"), ("کم اهمیت", "کمی مهم"),
       ("تا حدودی مهم", "نسبتا مهم"), "مهم", ("بسیار مهم", "خیلی مهم")),
    _v("importance", "fa", ("اصلا مهم نیست", "بی اهمیت"), ("کم اهمیت", "کمی مهم"),
       ("تا حدودی مهم", "نسبتا مهم"), "مهم", ("خیلی مهم", "بسیار مهم"),
       ("فوق العاده مهم", "بی نهایت مهم")),
    _v("importance", "fa", ("اصلا مهم نیست", "بی اهمیت"), "خیلی کم اهمیت", "کم اهمیت",
       ("تا حدودی مهم", "نسبتا مهم"), "مهم", ("خیلی مهم", "بسیار مهم"),
       ("فوق العاده مهم", "بی نهایت مهم")),
    _v("relevance", "fa", ("مرتبط نیست", "نامرتبط", "غیر مرتبط"),
       ("تا حدودی مرتبط", "نسبتا مرتبط", "تا حدودی مرتبط است"), ("مرتبط است", "مرتبط"),
       ("کاملا مرتبط", "کاملا مرتبط است", "بسیار مرتبط")),
    _v("relevance", "fa", ("اصلا مرتبط نیست", "مرتبط نیست"), "کمی مرتبط",
       "تا حدودی مرتبط", ("خیلی مرتبط", "بسیار مرتبط"), "کاملا مرتبط"),
    _v("relevance", "fa", ("اصلا مرتبط نیست", "مرتبط نیست"), "خیلی کم مرتبط", "کمی مرتبط",
       "تا حدودی مرتبط", ("خیلی مرتبط", "بسیار مرتبط"), "کاملا مرتبط"),
    _v("relevance", "fa", ("اصلا مرتبط نیست", "مرتبط نیست"), "خیلی کم مرتبط", "کمی مرتبط",
       "تا حدودی مرتبط", "مرتبط", ("خیلی مرتبط", "بسیار مرتبط"), "کاملا مرتبط"),
    _v("extent", "fa", ("اصلا", "هیچ"), "کم", ("تا حدودی", "متوسط"), "زیاد"),
    _v("extent", "fa", ("خیلی کم", "بسیار کم"), "کم", "متوسط", "زیاد",
       ("خیلی زیاد", "بسیار زیاد")),
]

# --- Arabic (a few common scales, for Arabic-language questionnaires) --------------
_ARABIC = [
    _v("agreement", "ar", ("غير موافق بشدة", "لا أوافق بشدة", "معارض بشدة"),
       ("غير موافق", "لا أوافق", "معارض"), ("محايد", "غير متأكد"), ("موافق", "أوافق"),
       ("موافق بشدة", "أوافق بشدة")),
    _v("frequency", "ar", ("أبدا", "ابدا"), ("نادرا",), ("أحيانا",), ("غالبا",), ("دائما",)),
    _v("satisfaction", "ar", ("غير راض جدا", "غير راضٍ جدا"), ("غير راض", "غير راضٍ"),
       ("محايد",), ("راض", "راضٍ"), ("راض جدا", "راضٍ جدا")),
]

def _sourced(vocabularies: list[Vocabulary], default: str) -> list[Vocabulary]:
    out = []
    for vocab in vocabularies:
        source = vocab.source or default
        if vocab.name == "agreement-5 (en)":
            source = f"{_SRC_MSFORMS}; {_SRC_VAGIAS}"
        elif vocab.name == "relevance-4 (en)":
            source = _SRC_CVI
        out.append(replace(vocab, source=source))
    return out


VOCABULARIES: tuple[Vocabulary, ...] = tuple(
    _sourced(_ENGLISH, _SRC_VAGIAS) + _QUALTRICS + _LIKELIHOOD + _UNIPOLAR
    + _sourced(_PERSIAN, _SRC_PERSIAN) + _sourced(_ARABIC, _SRC_ARABIC)
)
"""Every built-in vocabulary."""

_BY_NAME: dict[str, Vocabulary] = {vocab.name: vocab for vocab in VOCABULARIES}
if len(_BY_NAME) != len(VOCABULARIES):  # names key the codings: they must be unique
    raise RuntimeError("two built-in vocabularies share a name")


def vocabulary(name: str) -> Vocabulary:
    """The built-in vocabulary of a name such as ``"agreement-5/somewhat (en)"``.

    Examples
    --------
    >>> vocabulary("agreement-5/somewhat (en)").anchors[1]
    'somewhat disagree'
    """
    return _BY_NAME[name]

NON_SUBSTANTIVE: frozenset[str] = frozenset(
    label_key(s)
    for s in (
        "not applicable", "n/a", "na", "n.a.", "don't know", "do not know", "dont know",
        "prefer not to say", "prefer not to answer", "no answer", "no opinion",
        "not observed", "unable to judge", "cannot say", "can't say",
        "موردی ندارد", "نمی دانم", "نمیدانم", "پاسخ نمی دهم", "مایل به پاسخ نیستم",
        "قابل اجرا نیست", "لا أعرف",
    )
)
"""Answers that are not a position on the scale; coded as missing, and counted."""


@cache
def _index() -> dict[str, tuple[tuple[Vocabulary, int], ...]]:
    out: dict[str, list[tuple[Vocabulary, int]]] = {}
    for vocab in VOCABULARIES:
        for key, code in vocab.codes().items():
            out.setdefault(key, []).append((vocab, code))
    return {k: tuple(v) for k, v in out.items()}


def known_label(text: object) -> bool:
    """Whether a label (after normalisation and number stripping) is in any vocabulary."""
    _number, label = split_numbered_label(text)
    key = label.replace(" ", "")
    return key in _index() or key in NON_SUBSTANTIVE


# ------------------------------------------------------------------------ matching


@dataclass(frozen=True)
class LabelMatch:
    """How one group of labels was coded.

    Attributes
    ----------
    codes
        Original label -> number (``nan`` for non-substantive answers).
    vocabulary
        Name of the vocabulary used (``"agreement-5 (en)"``), ``"numbers in labels"``,
        ``"options"`` (the platform's own codes) or ``"mapping"``; ``None`` when the
        group could not be coded.
    unmatched
        Labels that could not be coded.
    ambiguous
        Names of vocabularies that all fit the labels but code them differently.
    non_substantive
        Labels coded as missing because they are not a position on the scale.
    families
        Families (``"agreement"``, ...) of the vocabularies that contain every label.
    by_coverage
        True when the choice rested on the labels filling every level of the
        shortest candidate (a guess other items of the file may contradict).
    unobserved
        Anchors of the chosen vocabulary's levels that no label showed although they
        lie below the highest level seen: the numbers given to the labels rest on
        these levels existing (Qualtrics' five "Somewhat" labels read on the
        seven-point scale would be 1, 3, 4, 5, 7).
    source
        Where the chosen vocabulary's wording comes from.
    """

    codes: Mapping[str, float]
    vocabulary: str | None
    unmatched: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    non_substantive: tuple[str, ...] = ()
    families: frozenset[str] = frozenset()
    by_coverage: bool = False
    unobserved: tuple[str, ...] = ()
    source: str = ""


def _unobserved_levels(vocab: Vocabulary, seen: set[str]) -> tuple[str, ...]:
    """Anchors of levels not seen that lie below the highest level seen."""
    observed = [code for code, level in enumerate(vocab.levels, start=1)
                if any(label_key(spelling) in seen for spelling in level)]
    if not observed:
        return ()
    return tuple(vocab.levels[code - 1][0] for code in range(1, max(observed))
                 if code not in observed)


def _embedded_numbers(labels: list[str]) -> dict[str, float] | None:
    """Use numbers printed in the labels when every label carries one."""
    numbers: dict[str, float] = {}
    for label in labels:
        number, _ = split_numbered_label(label)
        if number is None:
            return None
        numbers[label] = number
    return numbers


def match_labels(
    labels: Iterable[str],
    *,
    points: int | None = None,
    mapping: Mapping[str, float] | None = None,
) -> LabelMatch:
    """Code a group of response labels that share one response scale.

    Parameters
    ----------
    labels
        The distinct labels found in the group's columns.
    points
        Number of scale points, when known (from the codebook); restricts the
        candidate vocabularies.
    mapping
        User-supplied ``label -> number``; compared after normalisation, takes
        precedence over the vocabularies.

    Returns
    -------
    LabelMatch

    Notes
    -----
    Order of rules: (1) the caller's mapping; (2) non-substantive answers ("Not
    applicable", "نمی‌دانم") become missing; (3) when every remaining label carries
    a number (``"5 = Strongly agree"``) those numbers are used, provided the words
    agree with the numbers' order in a known vocabulary; (4) otherwise the
    vocabularies that contain every label are found; they must agree on the codes
    of the labels seen. Vocabularies that give two different labels the same code
    are set aside when another fits (respondents to one question saw one wording per
    level); and when the labels fill every level of a candidate, the shortest such
    candidate is taken (a group showing all five 5-point agreement labels is coded
    1-5, although the 7-point scale contains those words too).

    Examples
    --------
    >>> m = match_labels(["Agree", "Neutral", "Disagree", "Strongly agree",
    ...                   "Strongly disagree"])
    >>> m.vocabulary, m.codes["Strongly agree"]
    ('agreement-5 (en)', 5.0)
    >>> match_labels(["Agree", "Neutral", "Strongly agree"]).ambiguous
    ('agreement-5 (en)', 'agreement-7 (en)')
    >>> match_labels(["Agree", "Strongly agree"]).ambiguous[:2]
    ('agreement-4 (en)', 'agreement-5 (en)')
    >>> match_labels(["Agree", "Strongly agree"], points=5).codes["Agree"]
    4.0
    """
    distinct = list(dict.fromkeys(str(x) for x in labels))
    codes: dict[str, float] = {}
    remaining: list[str] = []
    user = {label_key(k): float(v) for k, v in (mapping or {}).items()}
    non_substantive: list[str] = []
    for label in distinct:
        key = label_key(label)
        if key in user:
            codes[label] = user[key]
        elif key in NON_SUBSTANTIVE:
            codes[label] = float("nan")
            non_substantive.append(label)
        else:
            remaining.append(label)
    if not remaining:
        source = "mapping" if user else None
        return LabelMatch(codes, source, non_substantive=tuple(non_substantive))

    words = {label: split_numbered_label(label)[1].replace(" ", "") for label in remaining}
    candidates = _candidates(set(words.values()), points)
    embedded = _embedded_numbers(remaining)
    if embedded is not None:
        if candidates and not _numbers_follow_vocabulary(embedded, words, candidates):
            return LabelMatch(
                codes,
                None,
                unmatched=tuple(remaining),
                ambiguous=("numbers in labels run against the order of the words",),
                non_substantive=tuple(non_substantive),
            )
        codes.update(embedded)
        return LabelMatch(codes, "numbers in labels", non_substantive=tuple(non_substantive))

    if not candidates:
        index = _index()
        unmatched = tuple(
            label for label in remaining
            if not any(points is None or v.points == points for v, _ in index.get(words[label], ()))
        )
        return LabelMatch(
            codes, None, unmatched=unmatched or tuple(remaining),
            non_substantive=tuple(non_substantive),
        )
    codings = {}
    for vocab in candidates:
        lookup = vocab.codes()
        codings[vocab.name] = tuple(lookup[words[label]] for label in remaining)
    distinct_words = len(set(words.values()))
    injective = {name: c for name, c in codings.items() if len(set(c)) == distinct_words}
    if injective:
        # respondents to one question saw one wording per level
        candidates = [v for v in candidates if v.name in injective]
        codings = injective
    families = frozenset(v.family for v in candidates)
    by_coverage = False
    if len(set(codings.values())) > 1:
        seen = set(words.values())
        complete = [v for v in candidates
                    if all(any(label_key(sp) in seen for sp in level) for level in v.levels)]
        if complete:
            chosen_vocab = min(complete, key=lambda v: (v.points, _vocab_sort_key(v.name)))
            codings = {chosen_vocab.name: codings[chosen_vocab.name]}
            by_coverage = True
    if len(set(codings.values())) > 1:
        return LabelMatch(
            codes,
            None,
            ambiguous=tuple(sorted(codings, key=_vocab_sort_key)),
            non_substantive=tuple(non_substantive),
            families=families,
        )
    chosen = min(codings, key=_vocab_sort_key)
    codes.update(zip(remaining, map(float, codings[chosen]), strict=True))
    chosen_vocab = _BY_NAME[chosen]
    return LabelMatch(codes, chosen, non_substantive=tuple(non_substantive),
                      families=families, by_coverage=by_coverage,
                      unobserved=_unobserved_levels(chosen_vocab, set(words.values())),
                      source=chosen_vocab.source)


def _vocab_sort_key(name: str) -> tuple[str, int, str, str]:
    vocab = _BY_NAME[name]
    return vocab.family, vocab.points, vocab.variant, vocab.language


def _candidates(keys: set[str], points: int | None) -> list[Vocabulary]:
    index = _index()
    sets = []
    for key in keys:
        sets.append({vocab for vocab, _ in index.get(key, ())})
    common = set.intersection(*sets) if sets else set()
    if points is not None:
        common = {v for v in common if v.points == points}
    return sorted(common, key=lambda v: _vocab_sort_key(v.name))


def _numbers_follow_vocabulary(
    numbers: Mapping[str, float], words: Mapping[str, str], candidates: list[Vocabulary]
) -> bool:
    """True when the embedded numbers increase with the vocabulary order."""
    lookup = candidates[0].codes()
    pairs = sorted((lookup[words[label]], numbers[label]) for label in numbers)
    return all(b[1] > a[1] for a, b in itertools.pairwise(pairs))
