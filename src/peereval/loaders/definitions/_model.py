"""The common form of a survey definition, whatever platform wrote it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peereval.errors import FileFormatError
from peereval.responses import ItemKind

__all__ = ["Choice", "DefinedQuestion", "SurveyDefinition", "definition_error", "parse_xml"]

#: The file to download from each platform, and where to find it.
DOWNLOADS = {
    "qualtrics": "the survey's .qsf file (Survey editor > Tools > Import/Export > "
                 "Export survey)",
    "limesurvey": "the survey structure, a .lss file (Survey > Display/Export > "
                  "Survey structure (.lss))",
    "kobo": "the form as an XLSForm (.xlsx with 'survey' and 'choices' sheets: the "
            "project's Form page > '...' > Download XLS)",
    "redcap": "the data dictionary (Project Setup > Data Dictionary > Download the "
              "current Data Dictionary)",
}


def how_to_pass(example: str) -> str:
    """The three ways of giving a definition file, with an example file name.

    Parameters
    ----------
    example
        The file name to show.

    Returns
    -------
    str
        A sentence for an error's hint.

    Examples
    --------
    >>> import textwrap
    >>> print(textwrap.fill(how_to_pass("survey.qsf"), 60))
    pass it with read_export(..., definition='survey.qsf'), in
    study.toml as [survey] definition = "survey.qsf", or on the
    command line as --definition survey.qsf
    """
    return (f"pass it with read_export(..., definition='{example}'), in study.toml as "
            f"[survey] definition = \"{example}\", or on the command line as "
            f"--definition {example}")


@dataclass(frozen=True)
class Choice:
    """One answer option of a closed question.

    Attributes
    ----------
    code
        The value an export may hold for it instead of its label: the Qualtrics
        recode value (or choice id), the LimeSurvey answer code, the XLSForm choice
        name, the REDCap choice code.
    number
        The number the definition gives the option (see each reader).
    labels
        The option's text in each language of the definition (language code or name
        -> text); the first is the definition's default language.

    Examples
    --------
    >>> choice = Choice("AO03", 3.0, {"en": "Neutral", "fa": "نظری ندارم"})
    >>> choice.label, choice.number
    ('Neutral', 3.0)
    """

    code: str
    number: float
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The option's text in the definition's default language."""
        return next(iter(self.labels.values()), self.code)


@dataclass(frozen=True)
class DefinedQuestion:
    """One answer column as the definition describes it.

    Attributes
    ----------
    code
        The column's variable name in the export (``Q1_2``, ``support[SQ001]``,
        ``support_1``, a REDCap field name).
    text
        The question text (a matrix row: question and row joined by ``" - "``).
    kind
        ``likert``, ``choice``, ``multi``, ``text``, ``number`` or ``date``.
    choices
        The options of a closed question, in the definition's order.
    question
        For rows of a matrix or array (and for the questions of an XLSForm group that
        share one choice list), the id of the parent: those items form a proposed
        scale.
    where
        Where the question is written in the definition file, for error messages.
    texts
        The text in each language, when the definition has several.
    aliases
        Other headings under which an export may hold the column (a label export's
        question text in each language); matched after normalisation when the
        export's column name is not ``code``.
    translated
        The platform, not the definition, words the options in the respondent's
        language (LimeSurvey's gender and yes/no questions): answers that are no
        option's code or label are then kept as exported instead of refused.

    Examples
    --------
    >>> question = DefinedQuestion("year", "Year of study", "choice",
    ...                            (Choice("y1", 1.0, {"en": "First"}),
    ...                             Choice("y2", 2.0, {"en": "Second"})))
    >>> question.options
    ((1, 'First'), (2, 'Second'))
    """

    code: str
    text: str
    kind: ItemKind
    choices: tuple[Choice, ...] = ()
    question: str | None = None
    where: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    translated: bool = False

    @property
    def options(self) -> tuple[tuple[float | int, str], ...] | None:
        """``(number, label)`` pairs in the definition's order (whole numbers as int)."""
        if not self.choices:
            return None
        return tuple((_plain_number(c.number), c.label) for c in self.choices)


@dataclass(frozen=True)
class SurveyDefinition:
    """A survey's own definition: its questions and their answer options.

    Attributes
    ----------
    path
        The definition file.
    platform
        ``qualtrics`` (.qsf), ``limesurvey`` (.lss), ``xlsform`` (KoboToolbox, ODK)
        or ``redcap`` (data dictionary).
    questions
        Export variable name -> :class:`DefinedQuestion`, in the survey's order.
    languages
        The languages of the labels, the default first.
    source
        The platform-specific object read (the REDCap
        :class:`~peereval.loaders.redcap.DataDictionary`), when there is one.

    Examples
    --------
    >>> from pathlib import Path
    >>> definition = SurveyDefinition(Path("form.xlsx"), "xlsform", {
    ...     "age": DefinedQuestion("age", "Age", "number")})
    >>> definition
    SurveyDefinition(xlsform, form.xlsx: 1 questions: 1 number)
    """

    path: Path
    platform: str
    questions: dict[str, DefinedQuestion]
    languages: tuple[str, ...] = ()
    source: Any = None

    @property
    def choices(self) -> dict[str, tuple[Choice, ...]]:
        """Variable name -> its answer options, for the closed questions."""
        return {code: q.choices for code, q in self.questions.items() if q.choices}

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for q in self.questions.values():
            kinds[q.kind] = kinds.get(q.kind, 0) + 1
        text = ", ".join(f"{n} {k}" for k, n in kinds.items())
        return (f"SurveyDefinition({self.platform}, {self.path.name}: "
                f"{len(self.questions)} questions: {text})")


def _plain_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def definition_error(message: str, path: Path, where: str | None = None, *,
                     hint: str | None = None, value: Any = None) -> FileFormatError:
    """A :class:`FileFormatError` about a definition file, naming the place in it."""
    return FileFormatError(f"{message}" + (f" (at {where})" if where else ""), file=path,
                           value=value, hint=hint or "download the definition again from "
                           "the survey platform and pass the file unchanged")


_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
MAX_DEFINITION_BYTES = 200 * 1024**2


def read_bytes(path: Path) -> bytes:
    """The file's content, refusing a missing, empty or implausibly large file."""
    if not path.exists():
        raise FileFormatError("the definition file does not exist", file=path,
                              hint="check the path and the file name")
    if path.is_dir():
        raise FileFormatError("this is a folder, not a definition file", file=path,
                              hint="give the path of the survey's definition file itself")
    size = path.stat().st_size
    if size == 0:
        raise FileFormatError("the definition file is empty (0 bytes)", file=path,
                              hint="download the definition again")
    if size > MAX_DEFINITION_BYTES:
        raise FileFormatError(f"the definition file is {size / 1024**2:.0f} MiB, larger "
                              "than any survey definition", file=path,
                              hint="check that this is the survey's definition file")
    return path.read_bytes()


def parse_xml(data: bytes, path: Path) -> Any:
    """Parse an XML definition with the standard library, refusing DTDs.

    A survey definition never needs a document type declaration; refusing one keeps
    entity expansion ("billion laughs") and external entities out, as
    ``defusedxml`` does.
    """
    import xml.etree.ElementTree as ET

    found = _DECLARATION.search(data)
    if found:
        line = data[:found.start()].count(b"\n") + 1
        raise definition_error("the XML file declares a document type or entities, which "
                               "a survey definition never does; it was not read", path,
                               f"line {line}")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise definition_error(f"the XML is malformed ({exc})", path,
                               f"line {line}, column {column}" if line else None) from exc


_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|ul|ol|tr|td|h\d)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def plain_text(text: Any) -> str:
    """Question or option text without HTML tags and entities, white space collapsed."""
    import html

    if text is None:
        return ""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", str(text)))
    return " ".join(html.unescape(text).split())


def number_or_none(text: Any) -> float | None:
    """``text`` as a number when it is one (``"3"``, ``"-99"``, ``"2.5"``), else None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text)
    try:
        value = float(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None
