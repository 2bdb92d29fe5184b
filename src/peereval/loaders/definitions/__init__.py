"""Survey definitions: what each question and answer code of an export means.

Every platform lets its users download the survey's own definition, which says what
an export alone cannot: what each answer code stands for (LimeSurvey ``AO01``,
KoboToolbox choice names such as ``neither``), the number of each option, which
questions are matrix rows (a proposed scale), and which are a single choice (a
gender or year question is not a Likert item), free text or a number.

========================  =============================================  ===========
platform                  file                                           reader
========================  =============================================  ===========
Qualtrics                 ``.qsf`` (Tools > Import/Export > Export       :mod:`.qualtrics`
                          survey)
LimeSurvey                ``.lss`` (Display/Export > Survey structure)   :mod:`.limesurvey`
KoboToolbox, ODK          XLSForm ``.xlsx`` (Form > Download XLS)        :mod:`.xlsform`
REDCap                    data dictionary ``.csv``                       :mod:`.redcap`
========================  =============================================  ===========

:func:`read_definition` recognises the format from the file's content;
:func:`apply_definition` applies it to the responses read from the export, as
``read_export(path, definition=...)`` does.
"""

from __future__ import annotations

from pathlib import Path

from peereval.errors import FileFormatError
from peereval.loaders.definitions._apply import apply_definition
from peereval.loaders.definitions._model import (
    DOWNLOADS,
    Choice,
    DefinedQuestion,
    SurveyDefinition,
    how_to_pass,
)

__all__ = ["DOWNLOADS", "Choice", "DefinedQuestion", "SurveyDefinition", "apply_definition",
           "how_to_pass", "read_definition"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_definition(path: str | Path) -> SurveyDefinition:
    """Read a survey definition file of any supported platform.

    Parameters
    ----------
    path
        A Qualtrics ``.qsf``, a LimeSurvey ``.lss``, an XLSForm ``.xlsx`` or
        ``.xls`` (KoboToolbox, ODK) or a REDCap data dictionary ``.csv``. The format is told
        from the content, not the file name.

    Returns
    -------
    SurveyDefinition

    Raises
    ------
    FileFormatError
        When the file is none of these, or is damaged; the message names the place.

    Examples
    --------
    >>> from pathlib import Path
    >>> import peereval
    >>> folder = Path(peereval.__file__).parents[2] / "tests/fixtures/definitions"
    >>> definition = read_definition(folder / "limesurvey" / "tutoring.lss")
    >>> definition.platform, definition.questions["year"].kind
    ('limesurvey', 'choice')
    >>> definition.questions["help[SQ002]"].question
    'help'
    """
    path = Path(path)
    from peereval.loaders.definitions._model import read_bytes

    head = read_bytes(path)[:4096]
    if head.startswith((_ZIP, _OLE)):  # .xlsx, or an Excel 97-2003 .xls (ODK's older forms)
        from peereval.loaders.definitions import xlsform

        return xlsform.read(path)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        from peereval.loaders.definitions import qualtrics

        return qualtrics.read(path)
    if start.startswith(b"<"):
        from peereval.loaders.definitions import limesurvey

        return limesurvey.read(path)
    if b"field" in head.lower() or b"variable" in head.lower():
        from peereval.loaders.definitions import redcap

        return redcap.read(path)
    raise FileFormatError(
        "this is not a survey definition peereval knows: not a Qualtrics .qsf (JSON), a "
        "LimeSurvey .lss (XML), an XLSForm (.xlsx) or a REDCap data dictionary (CSV)",
        file=path,
        hint="download the survey's definition from the platform: "
        + "; ".join(f"{name}: {what}" for name, what in DOWNLOADS.items()))
