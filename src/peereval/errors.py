"""Exceptions and warnings raised by peereval.

Every problem with a user's input is a :class:`PeerevalError`. Its message names
where the problem is (file, sheet, row, column, value) and says what to do about it,
so that an evaluator who does not read Python can fix the file and run again.
Statistical red flags that do not stop an analysis are :class:`PeerevalWarning`.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CodebookError",
    "CollinearityError",
    "ConfigError",
    "ConvergenceWarning",
    "DataError",
    "DuplicateIdError",
    "EmptyFileError",
    "EncodingError",
    "FileFormatError",
    "HeywoodWarning",
    "InputError",
    "LabelCodingWarning",
    "LabelError",
    "LinkageError",
    "Location",
    "OptionError",
    "OutOfRangeError",
    "PeerevalError",
    "PeerevalWarning",
    "SheetError",
    "SmallSampleWarning",
    "user_stacklevel",
]

_MAX_VALUE_CHARS = 60
_MAX_LISTED = 25


def _show_value(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 4] + "...'"
    return text


@dataclass(frozen=True)
class Location:
    """Where in an input file a problem sits.

    ``row`` is the row number a user sees when the file is opened in a spreadsheet
    program (1-based, header rows included); ``column`` is the column header.

    Examples
    --------
    >>> from peereval.errors import Location
    >>> Location("survey.csv", row=4, column="Q1_2", value="Agre").describe()
    "file 'survey.csv', row 4, column 'Q1_2', value 'Agre'"
    """

    file: str | Path | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None

    def describe(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(f"file '{Path(self.file).name}'")
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"value {_show_value(self.value)}")
        return ", ".join(parts)


class PeerevalError(Exception):
    """Base class of every error peereval raises about its input.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    file, sheet, row, column, value
        Where it is wrong. ``row`` counts as a spreadsheet program shows it.
    hint
        What the user can do about it.
    problems
        When several places are wrong at once (every unknown label, every duplicate
        id), each one as a :class:`Location`; they are all listed in the message.

    Examples
    --------
    Every input problem can be caught as a :class:`PeerevalError`; its parts stay
    available as attributes:

    >>> from peereval.errors import PeerevalError
    >>> error = PeerevalError("the answer is not a number", file="survey.csv", row=7,
    ...                       column="Q1_3", value="four", hint="type 4")
    >>> print(error)
    file 'survey.csv', row 7, column 'Q1_3', value 'four': the answer is not a number
    How to fix: type 4
    >>> error.row, error.column
    (7, 'Q1_3')
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        hint: str | None = None,
        problems: Iterable[Location] = (),
    ) -> None:
        self.message = message
        self.location = Location(file, sheet, row, column, value)
        self.hint = hint
        self.problems = tuple(problems)
        super().__init__(self._compose())

    @property
    def file(self) -> str | Path | None:
        return self.location.file

    @property
    def sheet(self) -> str | None:
        return self.location.sheet

    @property
    def row(self) -> int | None:
        return self.location.row

    @property
    def column(self) -> str | None:
        return self.location.column

    @property
    def value(self) -> Any:
        return self.location.value

    def _compose(self) -> str:
        where = self.location.describe()
        text = f"{where}: {self.message}" if where else self.message
        if self.problems:
            lines = [f"  - {p.describe()}" for p in self.problems[:_MAX_LISTED]]
            if len(self.problems) > _MAX_LISTED:
                lines.append(f"  - ... and {len(self.problems) - _MAX_LISTED} more")
            text += "\n" + "\n".join(lines)
        if self.hint:
            text += f"\nHow to fix: {self.hint}"
        return text


class InputError(PeerevalError):
    """An input file cannot be read as it is.

    Examples
    --------
    >>> import peereval
    >>> from peereval.errors import InputError
    >>> try:
    ...     peereval.read_export("no_such_export.csv")
    ... except InputError as error:
    ...     print(type(error).__name__, "|", error.message)
    FileFormatError | the file does not exist
    """


class EmptyFileError(InputError):
    """The file has no content, or no data rows below its headers.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import peereval
    >>> from peereval.errors import EmptyFileError
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "empty.csv"
    ...     _ = path.write_text("")
    ...     try:
    ...         peereval.read_export(path)
    ...     except EmptyFileError as error:
    ...         print(error.message)
    the file is empty (0 bytes)
    """


class EncodingError(InputError):
    """The file's text encoding is not UTF-8 and could not be told unambiguously.

    Examples
    --------
    A Windows-1252 file read as UTF-8; the hint names the likely encoding:

    >>> import pathlib, tempfile
    >>> import peereval
    >>> from peereval.errors import EncodingError
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "latin.csv"
    ...     _ = path.write_bytes("id,q\\n1,café\\n".encode("cp1252"))
    ...     try:
    ...         peereval.read_export(path)
    ...     except EncodingError as error:
    ...         print(error.row, "encoding='cp1252'" in error.hint)
    2 True
    """


class FileFormatError(InputError):
    """The file's layout is not what the (detected or forced) platform writes.

    Examples
    --------
    >>> import peereval
    >>> from peereval.errors import FileFormatError
    >>> try:
    ...     peereval.read_records(peereval.sample_path("records"), id="matric_no")
    ... except FileFormatError as error:
    ...     print(error.message)
    there is no id column 'matric_no'
    """


class SheetError(InputError):
    """A workbook has several candidate sheets, or the named sheet is missing.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> import peereval
    >>> from peereval.errors import SheetError
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "export.xlsx"
    ...     pd.DataFrame({"Q1": [1, 2]}).to_excel(path, sheet_name="answers")
    ...     try:
    ...         peereval.read_export(path, sheet="responses")
    ...     except SheetError as error:
    ...         print(error.message, "|", error.hint)
    there is no sheet named 'responses' | choose one of: answers
    """


class LabelError(PeerevalError):
    """Response labels that match no known vocabulary and no mapping given.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.errors import LabelError
    >>> from peereval.validity import content_validity
    >>> ratings = pd.DataFrame({"e1": [4, 3], "e2": [4, "Very"], "e3": [3, 4]},
    ...                        index=["q1", "q2"])
    >>> try:
    ...     content_validity(ratings)
    ... except LabelError as error:
    ...     print([p.describe() for p in error.problems])
    ["column 'e2', value 'Very'"]
    """


class OutOfRangeError(PeerevalError):
    """Numeric answers outside the response range declared in the codebook.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.errors import OutOfRangeError
    >>> from peereval.validity import content_validity
    >>> ratings = pd.DataFrame({"e1": [4, 3], "e2": [4, 7], "e3": [3, 4]},
    ...                        index=["q1", "q2"])
    >>> try:
    ...     content_validity(ratings)
    ... except OutOfRangeError as error:
    ...     print(error.message)
    1 relevance rating(s) are not whole numbers from 1 to 4 (first: item 'q2', expert 'e2')
    """


class DuplicateIdError(PeerevalError):
    """An identifier that must be unique occurs more than once.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import peereval
    >>> from peereval.errors import DuplicateIdError
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "records.csv"
    ...     _ = path.write_text("student_id,mentored\\ns1,yes\\ns1,no\\ns2,no\\n")
    ...     try:
    ...         peereval.read_records(path, id="student_id", group="mentored")
    ...     except DuplicateIdError as error:
    ...         print([p.row for p in error.problems])
    [2, 3]
    """


class CodebookError(PeerevalError):
    """The instrument definition (codebook) is inconsistent or does not fit the data.

    Examples
    --------
    >>> from peereval import Instrument
    >>> from peereval.errors import CodebookError
    >>> try:
    ...     Instrument.from_dict({})
    ... except CodebookError as error:
    ...     print(error.message)
    the codebook defines no scales
    """


class LinkageError(PeerevalError):
    """Survey responses and academic records cannot be linked as asked.

    Examples
    --------
    Records read without ``group=`` cannot say who was mentored:

    >>> import peereval
    >>> from peereval.errors import LinkageError
    >>> records = peereval.read_records(peereval.sample_path("records"), id="student_id")
    >>> try:
    ...     records.groups()
    ... except LinkageError as error:
    ...     print(error.message)
    these records were read without group=
    """


class ConfigError(PeerevalError):
    """A ``study.toml`` key is missing, misspelt or has an invalid value.

    Examples
    --------
    >>> from peereval.errors import ConfigError
    >>> from peereval.report import appraise_design
    >>> try:
    ...     appraise_design("pre_post_only", outcomes={"gpa_year1": "exam"})
    ... except ConfigError as error:
    ...     print(error.column, "|", error.message)
    study.design | unknown design 'pre_post_only'
    """


def user_stacklevel() -> int:
    """The ``stacklevel`` for :func:`warnings.warn` that names the first caller outside
    peereval, however many of peereval's own frames (option checks, helpers) lie between.

    Use it as ``warnings.warn(message, SomeWarning, stacklevel=user_stacklevel())``.

    Returns
    -------
    int
        1 for the function that calls it, plus one for each frame of peereval's own
        above it.

    Examples
    --------
    >>> import warnings
    >>> def f():
    ...     return user_stacklevel()
    >>> f()   # called from outside peereval: the function itself is one level up
    1
    """
    package = str(Path(__file__).resolve().parent)
    frame = inspect.currentframe()
    frame = frame.f_back if frame is not None else None  # the function that warns
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    return level


class PeerevalWarning(UserWarning):
    """A statistical or data-quality red flag that does not stop the analysis.

    Examples
    --------
    Two items that run in opposite directions (one not reverse-keyed) give a negative
    alpha, which is computed but flagged:

    >>> import warnings
    >>> import pandas as pd
    >>> from peereval.errors import PeerevalWarning
    >>> from peereval.reliability import alpha
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [5, 3, 4, 1, 2]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = alpha(data)
    >>> result.alpha
    -8.0
    >>> [str(w.message)[:20] for w in caught if issubclass(w.category, PeerevalWarning)]
    ['alpha is negative (-']
    """


class LabelCodingWarning(PeerevalWarning):
    """Answer labels were coded on a scale some of whose levels nobody chose.

    The numbers given to the labels seen rest on the unseen levels existing: if the
    questionnaire's scale did not have them, every mean and every share is wrong.
    The message names the items, the labels seen, the coding chosen and how to
    settle it (``points=``, a mapping, or the survey's definition file).

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from peereval.errors import LabelCodingWarning
    >>> from peereval.loaders import Item, Responses
    >>> answers = pd.DataFrame({"q1": ["Always", "About half the time", "Never"]})
    >>> responses = Responses(answers, {"q1": Item("q1", "q1", "likert")},
    ...                       platform="generic", source="survey.csv")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     values = responses.numeric()
    >>> values["q1"].tolist()
    [5.0, 3.0, 1.0]
    >>> [w.category.__name__ for w in caught]
    ['LabelCodingWarning']
    """


class OptionError(PeerevalError, ValueError):
    """An argument of a peereval function has a value it does not accept.

    It is a ``ValueError`` too, so code written for the standard exception still
    catches it. The message names the function, the argument, the value given and
    what is allowed.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.errors import OptionError
    >>> from peereval.reliability import alpha
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})
    >>> try:
    ...     alpha(data, confidence="0.95")
    ... except OptionError as error:
    ...     print(error.message)
    alpha(): confidence must be a number strictly between 0 and 1, not '0.95' (a str)
    """


class DataError(PeerevalError):
    """The data cannot support the analysis asked for (collinear covariates, no
    variance, one group only); the message says which columns and why.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.errors import DataError
    >>> from peereval.outcomes import ancova
    >>> data = pd.DataFrame({"gpa": [3.1, 2.8, 3.6, 3.0, 2.5, 3.3],
    ...                      "mentored": ["yes", "no", "yes", "no", "yes", "no"],
    ...                      "entry": [3.0, 2.9, 3.4, 3.1, 2.6, 3.2]})
    >>> data["entry_pct"] = data["entry"] * 25
    >>> try:
    ...     ancova(data, "gpa", "mentored", ["entry", "entry_pct"])
    ... except DataError as error:
    ...     print(type(error).__name__, error.columns)
    CollinearityError ('entry_pct', 'entry')
    """


class CollinearityError(DataError):
    """The columns of a model matrix are linearly dependent (collinear covariates).

    ``columns`` names the dependent column first, then the columns it is a linear
    combination of.

    Examples
    --------
    >>> import numpy as np
    >>> from peereval.errors import CollinearityError
    >>> from peereval.outcomes._design import check_rank
    >>> x = np.array([[1.0, 1, 2], [1, 2, 4], [1, 3, 6], [1, 5, 10]])
    >>> try:
    ...     check_rank(x, ["(Intercept)", "gpa", "gpa_x2"], "the model")
    ... except CollinearityError as error:
    ...     error.columns
    ('gpa_x2', 'gpa')
    """

    def __init__(self, message: str, *, columns: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.columns = tuple(columns)



class ConvergenceWarning(PeerevalWarning):
    """An iterative estimator stopped before its convergence criterion was met, or at
    the boundary of its search; its estimates are shown but may be off.

    Examples
    --------
    A polychoric correlation at the edge of its search (two items whose table has
    empty cells that make the association look perfect):

    >>> import warnings
    >>> import pandas as pd
    >>> from peereval.errors import ConvergenceWarning
    >>> from peereval.reliability import polychoric
    >>> data = pd.DataFrame({"a": [1, 1, 2, 2, 3, 3, 1, 2, 3, 3],
    ...                      "b": [1, 1, 2, 2, 3, 3, 1, 2, 3, 3]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = polychoric(data, correct=0)
    >>> any(issubclass(w.category, ConvergenceWarning) for w in caught)
    True
    """


class HeywoodWarning(PeerevalWarning):
    """A factor solution has a communality of one or more (a Heywood case): an item
    is duplicated, the model has too many factors, or n is too small.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import pandas as pd
    >>> from peereval.errors import HeywoodWarning
    >>> from peereval.reliability import omega
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=200)
    >>> data = pd.DataFrame({f"q{i}": f + rng.normal(scale=0.8, size=200) for i in range(5)})
    >>> data["q5"] = data["q0"]             # a duplicated item
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = omega(data, n_factors=3)
    >>> any(issubclass(w.category, HeywoodWarning) for w in caught)
    True
    """


class SmallSampleWarning(PeerevalWarning):
    """n is below what the method needs to be trusted (per item, per group factor,
    per cluster); the result is computed, and the rule that was not met is named.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from peereval.errors import SmallSampleWarning
    >>> from peereval.reliability import alpha
    >>> data = pd.DataFrame({"a": [1, 2, 4], "b": [2, 2, 5], "c": [1, 3, 4]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = alpha(data)           # 3 respondents for 3 items
    >>> [w.category.__name__ for w in caught]
    ['SmallSampleWarning']
    """
