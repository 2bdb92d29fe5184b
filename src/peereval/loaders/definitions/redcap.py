"""REDCap data dictionaries as survey definitions.

The dictionary (Project Setup > Data Dictionary > "Download the current Data
Dictionary", or the API's metadata export) is read by
:func:`peereval.loaders.redcap.read_dictionary`; this module gives it the common
form of every definition, so that ``read_export(..., definition="dictionary.csv")``
reads it as ``dictionary=`` always did. The REDCap loader applies it itself (it also
needs it to read checkbox columns and the headings of a labels export), so
:attr:`~peereval.loaders.definitions.SurveyDefinition.source` keeps the
:class:`~peereval.loaders.redcap.DataDictionary`.

Kinds and numbers are those of the REDCap loader: radio and dropdown fields are
``likert`` in a matrix group or when their labels form a known scale, else
``choice``; the choice codes are the numbers.
"""

from __future__ import annotations

from pathlib import Path

from peereval.loaders.definitions._model import Choice, DefinedQuestion, SurveyDefinition
from peereval.loaders.definitions._model import number_or_none as _number

__all__ = ["read"]


def read(path: str | Path) -> SurveyDefinition:
    """Read a REDCap data dictionary as a :class:`SurveyDefinition`.

    Parameters
    ----------
    path
        The dictionary (CSV).

    Returns
    -------
    SurveyDefinition
        One question per field (a checkbox field once, under its own name).

    Raises
    ------
    FileFormatError
        As :func:`peereval.loaders.redcap.read_dictionary`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "dictionary.csv"
    >>> _ = path.write_text(
    ...     'Variable / Field Name,Form Name,Field Type,Field Label,'
    ...     '"Choices, Calculations, OR Slider Labels"\\n'
    ...     'record_id,survey,text,Record ID,\\n'
    ...     'year,survey,radio,Year of study,"1, First | 2, Second"\\n')
    >>> read(path).questions["year"].options
    ((1, 'First'), (2, 'Second'))
    """
    from peereval.loaders import redcap

    dictionary = redcap.read_dictionary(path)
    questions = {}
    for name, spec in list(dictionary.fields.items())[1:]:  # the first is the record id
        kind, options = redcap._dictionary_kind(spec)
        choices = tuple(
            Choice(str(code), _number(code) if _number(code) is not None else float(k),
                   {"": label})
            for k, (code, label) in enumerate(options or (), start=1))
        questions[name] = DefinedQuestion(
            name, redcap._item_text(spec, dictionary), kind, choices, spec.matrix or None,
            f"row {spec.row}")
    return SurveyDefinition(Path(path), "redcap", questions, (), dictionary)
