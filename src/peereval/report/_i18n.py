"""Translation of a finished report, from gettext catalogues with English as the source.

The report is written in English, sentence by sentence, from the results. A language
other than English is a translation of that report: every title, sentence, note,
column header and text cell is looked up in the language's catalogues
(``locale/<language>/*.po``, gettext PO files that any PO editor opens). An entry's
``msgid`` is the English text; it may hold placeholders ``{name}`` for the parts that
come from the data (numbers, labels, lists), and its ``msgstr`` places them where the
language wants them::

    msgid "{n} factors were retained: {reasons}"
    msgstr "{n} عامل حفظ شد: {reasons}"

A placeholder's text is itself translated where the catalogues know it (entries with
``msgctxt "value"`` hold the words that only occur inside sentences), so "entry GPA, sex
and age" becomes a Persian list. Numbers are carried over as they are and written in
the language's digits at the end.

Two rules keep a translation from changing a result silently:

* the numbers of every translated text, read back in Latin digits, must be the
  numbers of its English source (a sentence may place them in another order); a
  translation that would lose, add or change one is refused and the English kept;
* a text that no entry translates stays in English and is listed in
  :attr:`Translation.missing`, which the report prints as a warning (and a test
  requires to be empty for the sample study).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peereval.report._model import Report

__all__ = ["LANGUAGES", "Catalogue", "Translation", "latin_digits", "localise_digits",
           "read_po", "translate_report"]

#: Languages a report can be written in (English is the source).
LANGUAGES = ("en", "fa")

#: Languages written right to left.
RIGHT_TO_LEFT = frozenset({"fa", "ar"})

LOCALE_DIR = Path(__file__).parent / "locale"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: A number as the English report writes it: 1,250 / 0.13 / .05 / −0.13 / 4.54 × 10¹⁰.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\.\d+")
_ARABIC_LETTER = re.compile("[\u0620-\u064A\u066E-\u06D3\u06FA-\u06FF]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


# ----------------------------------------------------------------------------- PO files


@dataclass(frozen=True)
class Entry:
    """One translation: the English ``msgid``, its ``msgstr`` and where it was read."""

    msgid: str
    msgstr: str
    context: str = ""
    where: str = ""


def read_po(path: str | Path) -> list[Entry]:
    """The entries of a gettext PO file.

    The subset of the format that translation tools write is read: comments (``#``),
    ``msgctxt``, ``msgid`` and ``msgstr`` with C-style escapes, each string possibly
    continued on the following lines. The header entry (empty ``msgid``) and entries
    without a translation (empty ``msgstr``) are left out; plural forms are not used
    by the report.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = ('msgid ""\\nmsgstr "Language: fa\\\\n"\\n\\n'
    ...         'msgctxt "value"\\nmsgid "yes"\\nmsgstr "بله"\\n')
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "fa.po"
    ...     _ = path.write_text(text, encoding="utf-8")
    ...     [(e.context, e.msgid, e.msgstr) for e in read_po(path)]
    [('value', 'yes', 'بله')]
    """
    from peereval.errors import ConfigError

    path = Path(path)
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    current = ""
    start = 0

    def flush() -> None:
        if fields.get("msgid") and fields.get("msgstr"):
            entries.append(Entry(fields["msgid"], fields["msgstr"],
                                 fields.get("msgctxt", ""), f"{path.name}:{start}"))
        fields.clear()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and fields:
                flush()
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid", "msgstr"):
            if keyword in fields or (keyword != "msgstr" and "msgid" in fields
                                     and "msgstr" in fields):
                flush()
            if not fields:
                start = number
            current, fields[keyword] = keyword, ""
            line = rest.strip()
        if not (line.startswith('"') and line.endswith('"') and len(line) >= 2) or not current:
            raise ConfigError("a line of the translation catalogue is not a quoted "
                              "string", file=path, row=number, value=raw,
                              hint='each msgid and msgstr is written "..."')
        try:
            fields[current] += ast.literal_eval(line)
        except (ValueError, SyntaxError) as exc:
            raise ConfigError(f"a string of the translation catalogue cannot be read: "
                              f"{exc}", file=path, row=number, value=raw) from exc
    flush()
    return entries


# ------------------------------------------------------------------------------ digits


_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
#: A digit run that is a number, not part of a code such as Q1_1, MR1, SHA-256 or
#: ICC(A,1) (a letter, or a letter and a hyphen or comma, just before it).
_DIGIT_RUN = re.compile(r"(?<![A-Za-z_\d/])(?<![A-Za-z][-,])\d+(?:[.,]\d+)*(?![A-Za-z_\d])")


def localise_digits(text: str, language: str) -> str:
    """Numbers of ``text`` in the digits of ``language``.

    In Persian, digits are ۰-۹, the decimal point is ``٫``, the thousands separator
    ``٬`` and the percent sign ``٪``; a decimal keeps its leading zero (``.05`` is
    ``۰٫۰۵``). Digits inside codes (``Q1_1``, ``ICC(A,1)``'s
    letters, ``HMAC-SHA-256``) are left as they are.

    Examples
    --------
    >>> localise_digits("0.13 points (95% CI 0.06 to 0.20), 1,250 students", "fa")
    '۰٫۱۳ points (۹۵٪ CI ۰٫۰۶ to ۰٫۲۰), ۱٬۲۵۰ students'
    >>> localise_digits("item Q1_1, p = .005", "fa")
    'item Q1_1, p = ۰٫۰۰۵'
    >>> localise_digits("0.13", "en")
    '0.13'
    """
    if language != "fa":
        return text

    def persian(match: re.Match[str]) -> str:
        number = match.group(0)
        return number.translate(_PERSIAN).replace(".", "٫").replace(",", "٬")

    # Persian writes the leading zero that APA leaves out: .005 -> ۰٫۰۰۵ (a separator
    # without a digit before it would also be set apart from its digits right to left)
    text = re.sub(r"(?<![\w.])\.(?=\d)", "0.", text)
    text = _DIGIT_RUN.sub(persian, text)
    return re.sub(r"(?<=[۰-۹])%", "٪", text)


def latin_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits and separators in Latin form.

    >>> latin_digits("۰٫۱۳ و ۱٬۲۵۰ (۹۵٪)")
    '0.13 و 1,250 (95%)'
    """
    return (text.translate(_LATIN).replace("٫", ".").replace("٬", ",").replace("٪", "%"))


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(latin_digits(text))


# ------------------------------------------------------------------------- catalogues


@dataclass
class _Template:
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    entry: Entry


class Catalogue:
    """The translations of one language: exact texts, and templates with placeholders.

    Examples
    --------
    >>> catalogue = Catalogue("fa", [
    ...     Entry("{n} factors were retained", "{n} عامل حفظ شد"),
    ...     Entry("Reliability", "پایایی")])
    >>> catalogue.translate("Reliability")
    'پایایی'
    >>> catalogue.translate("3 factors were retained")
    '3 عامل حفظ شد'
    >>> catalogue.translate("Something new") is None
    True
    """

    def __init__(self, language: str, entries: Iterable[Entry]) -> None:
        self.language = language
        self.exact: dict[tuple[str, str], str] = {}
        self.templates: dict[str, list[_Template]] = {}
        for entry in entries:
            names = tuple(_PLACEHOLDER.findall(entry.msgid))
            if not names:
                self.exact[(entry.context, entry.msgid)] = entry.msgstr
                continue
            parts = _PLACEHOLDER.split(entry.msgid)
            regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                            for i, part in enumerate(parts))
            self.templates.setdefault(entry.context, []).append(
                _Template(re.compile(regex, re.S), names, entry))
        for templates in self.templates.values():  # the most literal text first
            templates.sort(key=lambda t: -len(_PLACEHOLDER.sub("", t.entry.msgid)))

    @classmethod
    def load(cls, language: str, folder: Path | None = None) -> Catalogue:
        """Every ``*.po`` file of ``locale/<language>/``."""
        return _load(language, folder or LOCALE_DIR)

    def translate(self, text: str, context: str = "", *, exact: bool = False
                  ) -> str | None:
        """``text`` translated, or None when no entry covers it; ``exact`` tries the
        entries without placeholders only."""
        found = self.exact.get((context, text))
        if found is not None or exact:
            return found
        for template in self.templates.get(context, ()):
            match = template.pattern.fullmatch(text)
            if match is None:
                continue
            values = {name: self._value(match.group(name)) for name in template.names}
            return _fill(template.entry.msgstr, values)
        return None

    def _value(self, text: str) -> str:
        """A placeholder's text: translated when the catalogues know it (as a value
        or as a text of its own), else as it is (a number, a label from the data)."""
        if _NUMBER.fullmatch(text.strip("−-%")):
            return text
        for context in ("value", ""):
            found = self.translate(text, context)
            if found is not None:
                return found
        if self.language in RIGHT_TO_LEFT and re.search(r"[A-Za-z]", text):
            # Latin text from the data inside a right-to-left sentence: isolated (the
            # plain-text <bdi>) so that it cannot reorder the words around it
            return f"\u2068{text}\u2069"
        return text


def _fill(msgstr: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), msgstr)


@cache
def _load(language: str, folder: Path) -> Catalogue:
    entries = [entry for path in sorted((folder / language).glob("*.po"))
               for entry in read_po(path)]
    return Catalogue(language, entries)


# ------------------------------------------------------------------------ translation


@dataclass
class Translation:
    """Texts translated for one report, and those that could not be.

    Examples
    --------
    >>> catalogue = Catalogue("fa", [Entry("{n} students", "{n} دانشجو")])
    >>> translation = Translation(catalogue)
    >>> translation.text("163 students"), translation.text("Not in the catalogue.")
    ('۱۶۳ دانشجو', 'Not in the catalogue.')
    >>> translation.missing
    ['Not in the catalogue.']
    """

    catalogue: Catalogue
    missing: list[str] = field(default_factory=list)
    #: Translations refused because their numbers differ from the English source.
    refused: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.catalogue.language

    def text(self, text: str, *, data: bool = False) -> str:
        """``text`` in the report's language.

        A text the catalogues do not cover stays in English and is listed in
        :attr:`missing`, unless ``data`` says it comes from the data (a label, an
        answer as exported), which is shown as it is. A paragraph no entry covers as a
        whole is translated sentence by sentence.
        """
        if not text or not text.strip() or self.language == "en":
            return text
        if not re.search(r"[A-Za-z]", text):  # numbers only, or in the language already
            return localise_digits(text, self.language)
        translated = self._checked(text, data=data)
        if translated is None and self._translated_already(text):
            return localise_digits(text, self.language)
        if translated is None and not data:
            sentences = _SENTENCE_END.split(text)
            if len(sentences) > 1:
                parts = [self._checked(s) for s in sentences]
                if all(p is not None for p in parts):
                    translated = " ".join(p for p in parts if p is not None)
                else:
                    self.missing.extend(s for s, p in zip(sentences, parts, strict=True)
                                        if p is None)
                    return localise_digits(" ".join(p if p is not None else s for s, p in
                                                    zip(sentences, parts, strict=True)),
                                           self.language)
        if translated is None:
            if not data and not _NUMBER.fullmatch(text.strip()):
                self.missing.append(text)
            return localise_digits(text, self.language)
        return localise_digits(translated, self.language)

    def _translated_already(self, text: str) -> bool:
        """A text in the language with at most single Latin symbols in it
        ("CVR (نسبت روایی محتوا)"), as a translated label comes back when a figure
        draws it again; two Latin words in a row are English left to translate."""
        return (self.language in RIGHT_TO_LEFT and _ARABIC_LETTER.search(text) is not None
                and re.search(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}", text) is None)

    def _checked(self, text: str, *, data: bool = False) -> str | None:
        # A text of its own is matched by the entries without context; of the "value"
        # entries (words inside sentences) only the exact ones, so that a list template
        # such as "{a} and {b}" cannot take a whole sentence. A text from the data (a
        # label, a comment) is translated only by an exact entry, never re-punctuated.
        translated = self.catalogue.translate(text, exact=data)
        if translated is None:
            translated = self.catalogue.translate(text, "value", exact=True)
        if translated is not None and sorted(_numbers(translated)) != sorted(_numbers(text)):
            self.refused.append(text)
            return None
        return translated


# ---------------------------------------------------------------------------- reports


#: The writers' own phrases (HTML and Word), translated with the report. The footer's
#: placeholders are filled by the writer.
CHROME = ("Contents", "Key findings", "See the evidence", "Warnings", "References",
          "Table", "Figure", "Note.",
          "Produced by peereval {version}; seed {seed}. The same inputs and seed "
          "reproduce this report exactly.",
          "Produced by peereval {version}.",
          "—: not applicable to this row, or not estimable (the section's notes and the "
          "Warnings say why).")


def translate_report(report: Report, language: str, data_texts: Iterable[str] = (), *,
                     translation: Translation | None = None) -> tuple[Report, Translation]:
    """``report`` written in ``language``, and the record of what was translated.

    Every text of the report goes through :meth:`Translation.text`: titles, paragraphs,
    findings, notes, table titles, notes, headers and cells, figure titles, captions
    and descriptions, warnings and the writers' own phrases. Table cells are
    translated after they are formatted (:meth:`Table.cells`), so that "yes", "< .001"
    and "—" are translated as they read; cells that come from the data (labels,
    answers, comments: ``data_texts``) are shown as they are. References stay as
    published. A text with no translation stays in English and is listed in
    :attr:`Translation.missing`; the returned report then carries a warning saying
    how many.
    """
    import copy
    from dataclasses import replace

    from peereval.report._model import Report

    if language == "en":
        return report, Translation(Catalogue("en", []))
    translation = translation or Translation(Catalogue.load(language))
    data = {str(t) for t in data_texts}

    def text(value: str, *, given: bool = False) -> str:
        return translation.text(value, data=given or value in data)

    sections = []
    for section in report.sections:
        out = copy.copy(section)
        out.title = text(section.title)
        out.paragraphs = [text(p) for p in section.paragraphs]
        out.notes = [text(n) for n in section.notes]
        out.findings = [replace(f, text=text(f.text)) for f in section.findings]
        out.tables = []
        for table in section.tables:
            comments = table.key.startswith("comments_")  # respondents' own words
            header, rows = table.cells()
            translated = ([text(h) for h in header],
                          [[(localise_digits(cell, language) if numeric else
                             text(cell, given=comments), numeric) for cell, numeric in row]
                           for row in rows])
            out.tables.append(replace(table, title=text(table.title),
                                           note=text(table.note), translated=translated))
        out.figures = [replace(f, title=text(f.title), caption=text(f.caption),
                                    alt=text(f.alt)) for f in section.figures]
        sections.append(out)
    chrome = {phrase: translation.text(phrase) for phrase in CHROME}
    warnings = [text(w) for w in report.warnings]
    # the middle dot would read as a Persian zero (۰)
    separator = " — " if language == "fa" else " · "
    subtitle = separator.join(text(part) for part in report.subtitle.split(" · "))
    translated = Report(title=text(report.title), subtitle=subtitle,
                        sections=sections, references=list(report.references),
                        warnings=warnings,
                        meta={**report.meta, "language": language,
                              "untranslated": list(dict.fromkeys(translation.missing))},
                        language=language, chrome=chrome)
    missing = list(dict.fromkeys(translation.missing))
    if missing:
        translated.warnings.append(translation.text(
            f"{len(missing)} passages have no translation yet and are shown in English."))
    return translated, translation


def report_texts(report: Report) -> list[str]:
    """Every text of ``report`` that a translation covers, in reading order, each once
    (table cells as formatted, numbers left out)."""
    texts = [report.title, *report.subtitle.split(" · ")]
    for section in report.sections:
        texts += [section.title, *section.paragraphs, *section.notes,
                  *(f.text for f in section.findings)]
        for table in section.tables:
            header, rows = table.cells()
            texts += [table.title, table.note, *header]
            if not table.key.startswith("comments_"):  # respondents' words stay as written
                texts += [cell for row in rows for cell, numeric in row if not numeric]
        for figure in section.figures:
            texts += [figure.title, figure.caption, figure.alt]
    texts += [*report.warnings, *CHROME]
    return [t for t in dict.fromkeys(texts) if t and t.strip()
            and not _NUMBER.fullmatch(t.strip())]


def untranslated(study: str | Path, language: str) -> list[str]:
    """The texts of a study's report that ``language``'s catalogues do not translate
    (data shown as it is not counted): what a translator has left to do.

    ``python -m peereval.report._i18n fa data/sample/study.toml`` prints them, one per
    line, and the translations refused because they change a number.
    """
    from peereval.report._runner import _data_texts, _Render, render_report
    from peereval.study import read_study

    results = read_study(study).analyse()
    english = render_report(results, language="en")
    translation = Translation(Catalogue.load(language))
    data = _data_texts(_Render(results))
    for text in report_texts(english):
        translation.text(text, data=text in data)
    return list(dict.fromkeys(translation.missing + [f"REFUSED: {t}"
                                                      for t in translation.refused]))


if __name__ == "__main__":  # a translator's check, see untranslated()
    import sys

    for line in untranslated(sys.argv[2], sys.argv[1]):
        print(line)


def figure_label(translation: Translation, text: str, data: set[str]) -> str:
    """One label of a figure translated: a text from the study's files (a statement,
    also when marked ``†`` as reverse-keyed) and a number are shown as they are."""
    given = text.removesuffix(" †") in data or numbers_only(text)
    return translation.text(text, data=given)


def translate_figure(fig: object, translation: Translation,
                     data_texts: Iterable[str] = ()) -> None:
    """Translate the texts drawn in a matplotlib figure, in place.

    Every text artist (titles, axis labels, tick labels, legend entries, bar labels)
    that is not already shaped Persian is looked up as a text of its own (a label
    wrapped over several lines is looked up as one line), written in the language's
    digits, then shaped and ordered for display (:func:`peereval.figures._text.
    display_text`) and given a font with its glyphs.
    """
    from matplotlib.text import Text

    from peereval.figures._style import apply_fonts
    from peereval.figures._text import display_text, has_arabic, is_shaped

    data = {str(t) for t in data_texts}
    for artist in fig.findobj(Text):  # type: ignore[attr-defined]
        value = artist.get_text()
        if not value or not value.strip() or (is_shaped(value) and not has_arabic(value)):
            continue
        lines = value.split("\n")
        joined = " ".join(line.strip() for line in lines)
        text = joined if len(lines) > 1 else value
        translated = figure_label(translation, text, data)
        width = max(len(line) for line in lines) if len(lines) > 1 else None
        # matplotlib draws no isolates: the shaping orders the runs itself
        translated = translated.replace("\u2068", "").replace("\u2069", "")
        artist.set_text(display_text(translated, width))
    _localised_ticks(fig, translation, data)
    apply_fonts(fig)  # type: ignore[arg-type]


def _localised_ticks(fig: object, translation: Translation, data: set[str]) -> None:
    """Tick labels in the report's language: each axis's formatter is wrapped, because
    matplotlib writes tick labels when it draws the figure (after the texts above);
    numbers get the language's digits and words are translated."""
    from matplotlib.ticker import Formatter, NullFormatter

    from peereval.figures._text import display_text

    language = translation.language

    def localised(text: str) -> str:
        if re.search(r"[A-Za-z]", text):
            text = display_text(figure_label(translation, text, data))
        return localise_digits(text, language)

    class Localised(Formatter):
        """The axis's own formatter (its ticks, offset and precision), translated."""

        def __init__(self, inner: Formatter) -> None:
            self.inner = inner

        def set_axis(self, axis: object) -> None:
            super().set_axis(axis)
            self.inner.set_axis(axis)

        def set_locs(self, locs: object) -> None:
            super().set_locs(locs)
            self.inner.set_locs(locs)

        def __call__(self, x: float, pos: int | None = None) -> str:
            return localised(self.inner(x, pos))

        def get_offset(self) -> str:
            return localised(self.inner.get_offset())

    for axes in fig.axes:  # type: ignore[attr-defined]
        for axis in (axes.xaxis, axes.yaxis):
            formatter = axis.get_major_formatter()
            if not isinstance(formatter, NullFormatter):
                axis.set_major_formatter(Localised(formatter))


def numbers_only(text: str) -> bool:
    """A tick label or value printed on a figure: numbers and signs only."""
    return re.fullmatch(r"[\d.,%−+\-\s×⁰¹²³⁴⁵⁶⁷⁸⁹⁻()=n<>]*", text) is not None
