"""Reading survey exports and academic records.

:func:`read_export` reads the response export of any supported platform and returns
a :class:`~peereval.responses.Responses`. The platform is recognised from the
file's layout, not its name; ``platform=`` forces one.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from peereval._options import keyword_only, renamed
from peereval.errors import FileFormatError, PeerevalError, SheetError
from peereval.loaders._table import RawTable, Source, open_source
from peereval.responses import Item, Responses

__all__ = ["PLATFORMS", "Item", "Responses", "detect_platform", "read_export"]

#: Supported platform layouts, in the order detection tries them.
PLATFORMS: tuple[str, ...] = (
    "qualtrics",
    "surveymonkey",
    "limesurvey",
    "redcap",
    "kobo",
    "ms_forms",
    "google_forms",
    "spss",
    "generic",
)

_RECOGNISED = 0.5  # a sniff score at or above this means "this platform wrote it"


def platform_module(name: str) -> ModuleType:
    """The loader module of a platform."""
    if name not in PLATFORMS:
        raise FileFormatError(
            f"unknown platform '{name}'",
            hint="choose one of: auto, " + ", ".join(PLATFORMS),
        )
    return importlib.import_module(f"peereval.loaders.{name}")


def _scores(table: RawTable) -> dict[str, float]:
    out = {}
    for name in PLATFORMS:
        if name == "spss":
            continue
        out[name] = float(platform_module(name).sniff(table))
    return out


@renamed(source="path")
def detect_platform(path: str | Path | RawTable, *, encoding: str | None = None,
                    sheet: str | int | None = None) -> tuple[str, float]:
    """The platform whose layout fits an export best, with its score (0-1).

    This is what ``read_export(path, platform="auto")`` decides, without reading the
    responses: useful to see why a file is read as it is.

    Parameters
    ----------
    path
        Path of an export file; or one sheet or text file as raw rows of cells (the
        ``RawTable`` the loaders read internally).
    encoding, sheet
        As for :func:`read_export`, when ``path`` is a path. In a workbook with
        several sheets and no ``sheet``, the sheet that fits a platform best decides.

    Returns
    -------
    tuple[str, float]
        The name of the best-fitting platform (one of ``PLATFORMS``) and its sniff
        score, from 0 (no fit) to 1 (certain). An SPSS ``.sav`` file is
        ``("spss", 1.0)``.

    Raises
    ------
    PeerevalError
        When the file cannot be opened (missing, empty, unknown encoding).

    Examples
    --------
    >>> import peereval
    >>> from peereval.loaders import detect_platform
    >>> detect_platform(peereval.sample_path("survey"))
    ('qualtrics', 1.0)
    """
    if isinstance(path, RawTable):
        return _best_platform(path)
    opened = open_source(Path(path), encoding=encoding, sheet=sheet)
    if opened.kind == "sav":
        return "spss", 1.0
    return max((_best_platform(table) for table in opened.tables),
               key=lambda fit: (fit[1], -PLATFORMS.index(fit[0])))


def _best_platform(table: RawTable) -> tuple[str, float]:
    scores = _scores(table)
    best = max(scores, key=lambda n: (scores[n], -PLATFORMS.index(n)))
    return best, scores[best]


def _choose_table(source: Source, platform: str) -> tuple[RawTable, str]:
    if len(source.tables) == 1:
        table = source.tables[0]
        return table, (detect_platform(table)[0] if platform == "auto" else platform)
    candidates = []
    for table in source.tables:
        if platform == "auto":
            name, score = detect_platform(table)
        else:
            name, score = platform, float(platform_module(platform).sniff(table))
        if score >= _RECOGNISED and name != "generic":
            candidates.append((table, name))
    if len(candidates) == 1:
        return candidates[0]
    listing = ", ".join(f"'{t.sheet}' ({len(t.rows)} rows)" for t in source.tables)
    raise SheetError(
        f"the workbook has {len(source.tables)} sheets with data ({listing}) and "
        + ("none" if not candidates else "more than one")
        + " of them is recognisably a survey export",
        file=source.path,
        hint="name the sheet to read with sheet='...' (command line: --sheet NAME)",
    )


@keyword_only("0.1", "platform")
def read_export(
    path: str | Path,
    *,
    platform: str = "auto",
    dictionary: str | Path | None = None,
    definition: str | Path | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    **options: Any,
) -> Responses:
    """Read a survey platform's response export.

    Parameters
    ----------
    path
        The exported file: CSV, TSV, XLSX, Excel 97-2003 ``.xls``, SPSS ``.sav``,
        or UTF-16 text saved as ``.xls``.
    platform
        ``"auto"`` (default: recognised from the layout) or one of
        :data:`PLATFORMS`: ``qualtrics``, ``surveymonkey``, ``limesurvey``,
        ``redcap``, ``kobo``, ``ms_forms``, ``google_forms``, ``spss``, ``generic``
        (a plain table with one header row, e.g. Porsline or a university system).
    dictionary
        A REDCap data dictionary (CSV) giving question texts and choices (the same
        as ``definition=`` with the dictionary).
    definition
        The survey's own definition file: a Qualtrics ``.qsf``, a LimeSurvey
        ``.lss``, an XLSForm ``.xlsx`` (KoboToolbox, ODK) or a REDCap data
        dictionary. Answer codes and choice names are decoded to their labels,
        and items take the definition's texts, kinds, matrices and option numbers
        (see :mod:`peereval.loaders.definitions`). Needed for a LimeSurvey export
        with answer codes and a KoboToolbox "XML values" export whose choice names
        are not labels.
    sheet
        The sheet of a workbook to read (name or 0-based index); needed only when
        several sheets hold data.
    encoding
        Text encoding of a CSV/TSV file, e.g. ``"cp1256"`` for files saved by
        Persian Windows. By default UTF-8, UTF-16 (with or without a byte-order
        mark), and Windows-1256 or Windows-1252 when the text shows which, are
        recognised; the codec used is ``responses.encoding`` and, when it had to
        be identified, a note in ``responses.notes`` says how. A file whose
        encoding cannot be identified is refused with an error naming the
        options.
    delimiter
        Field separator of a text file; detected by default.
    **options
        Platform-specific options (``id_column=`` for generic tables).

    Returns
    -------
    Responses

    Raises
    ------
    PeerevalError
        With the file, sheet, row, column and value at fault, when the file cannot
        be read as asked.

    Examples
    --------
    >>> import peereval
    >>> responses = peereval.read_export(peereval.sample_path("survey"))
    >>> responses.platform
    'qualtrics'
    """
    path = Path(path)
    if platform != "auto":
        platform_module(platform)  # validates the name
    try:
        return _read_export(path, platform, dictionary=dictionary, definition=definition,
                            sheet=sheet, encoding=encoding, delimiter=delimiter, **options)
    except PeerevalError:
        raise
    except Exception as exc:  # a layout no loader foresaw must not end in a traceback
        raise FileFormatError(
            f"the file could not be read (unexpected {type(exc).__name__}: {exc})",
            file=path,
            hint="the file may be damaged or in a layout peereval does not know; check "
            "that it is the platform's own export, or read it as a plain table with "
            "platform='generic'. Please report this with the file's first rows "
            "(anonymised): it is a gap in peereval",
        ) from exc


def _read_export(path: Path, platform: str, *, dictionary: str | Path | None,
                 sheet: str | int | None, encoding: str | None, delimiter: str | None,
                 definition: str | Path | None = None, **options: Any) -> Responses:
    source = open_source(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    survey_definition, dictionary = _load_definition(definition, dictionary)
    if source.kind == "sav":
        if platform not in ("auto", "spss"):
            raise FileFormatError(
                f"this is an SPSS data file, not a {platform} export",
                file=path, hint="use platform='spss' or platform='auto'",
            )
        platform = "spss"
        module = platform_module("spss")
        _check_options(module, options, dictionary)
        return _record_encoding(_applied(module.read_sav(path, encoding=encoding, **options),
                                         survey_definition), source)
    if platform == "spss":
        raise FileFormatError("this is not an SPSS .sav file", file=path,
                              hint="use platform='auto' to detect the layout")
    table, chosen = _choose_table(source, platform)
    module = platform_module(chosen)
    _check_options(module, options, dictionary)
    if dictionary is not None:
        options["dictionary"] = Path(dictionary)
    if survey_definition is not None and "keep_codes" in module.OPTIONS:
        options.setdefault("keep_codes", True)  # the definition decodes them
    try:
        responses = module.read(table, **options)
    except FileFormatError as exc:
        if platform == "auto":
            raise
        detected, score = detect_platform(table)
        if detected != platform and score >= _RECOGNISED:
            raise FileFormatError(
                f"{exc.message}; the layout looks like a {detected} export instead",
                file=exc.file, sheet=exc.sheet, row=exc.row, column=exc.column,
                value=exc.value, hint=f"use platform='{detected}' or platform='auto'",
            ) from exc
        raise
    return _record_encoding(_applied(responses, survey_definition), source)


def _record_encoding(responses: Responses, source: Source) -> Responses:
    """Show how a text file was decoded: ``responses.encoding`` and a note.

    ``encoding`` is the Python codec of a text export (``None`` for workbooks);
    the note is added when the encoding had to be identified from the bytes
    (UTF-16 without a byte-order mark, Windows-1256, Windows-1252).
    """
    if getattr(responses, "encoding", None) is None:
        responses.encoding = source.encoding
    if source.encoding_note and source.encoding_note not in responses.notes:
        responses.notes = (*responses.notes, source.encoding_note)
    return responses


def _check_options(module: ModuleType, options: dict[str, Any], dictionary: Any) -> None:
    allowed = set(module.OPTIONS)
    if dictionary is not None and "dictionary" not in allowed:
        raise FileFormatError(
            f"dictionary= is only used for REDCap exports, not {module.TITLE}",
            hint="leave dictionary out, or force platform='redcap'",
        )
    unknown = set(options) - allowed
    if unknown:
        accepted = ", ".join(sorted(allowed - {"dictionary"})) or "none"
        raise TypeError(
            f"unexpected option(s) {sorted(unknown)} for {module.TITLE} exports; "
            f"accepted: {accepted}"
        )


def _load_definition(definition: str | Path | None, dictionary: str | Path | None
                     ) -> tuple[Any, str | Path | None]:
    """The survey definition to apply, and the REDCap dictionary to pass on.

    A REDCap data dictionary given as ``definition=`` is passed to the REDCap loader
    as ``dictionary=`` (it reads checkbox columns and label headings with it).
    """
    if definition is None:
        return None, dictionary
    from peereval.loaders.definitions import read_definition

    loaded = read_definition(Path(definition))
    if loaded.platform != "redcap":
        return loaded, dictionary
    if dictionary is not None and Path(dictionary) != Path(definition):
        raise FileFormatError(
            "both dictionary= and definition= name a REDCap data dictionary",
            file=Path(definition), hint="give the data dictionary once, as definition=")
    return None, loaded.path


def _applied(responses: Responses, definition: Any) -> Responses:
    if definition is None:
        return responses
    from peereval.loaders.definitions import apply_definition

    return apply_definition(responses, definition)
