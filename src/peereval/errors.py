"""Exceptions and warnings raised by peereval.

Every problem with a user's input is a :class:`PeerevalError`. Its message names
where the problem is (file, sheet, row, column, value) and says what to do about it,
so that an evaluator who does not read Python can fix the file and run again.
Statistical red flags that do not stop an analysis are :class:`PeerevalWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CodebookError",
    "ConfigError",
    "DuplicateIdError",
    "EmptyFileError",
    "EncodingError",
    "FileFormatError",
    "InputError",
    "LabelError",
    "LinkageError",
    "Location",
    "OutOfRangeError",
    "PeerevalError",
    "PeerevalWarning",
    "SheetError",
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
    """An input file cannot be read as it is."""


class EmptyFileError(InputError):
    """The file has no content, or no data rows below its headers."""


class EncodingError(InputError):
    """The file's text encoding is not UTF-8 and could not be told unambiguously."""


class FileFormatError(InputError):
    """The file's layout is not what the (detected or forced) platform writes."""


class SheetError(InputError):
    """A workbook has several candidate sheets, or the named sheet is missing."""


class LabelError(PeerevalError):
    """Response labels that match no known vocabulary and no mapping given."""


class OutOfRangeError(PeerevalError):
    """Numeric answers outside the response range declared in the codebook."""


class DuplicateIdError(PeerevalError):
    """An identifier that must be unique occurs more than once."""


class CodebookError(PeerevalError):
    """The instrument definition (codebook) is inconsistent or does not fit the data."""


class LinkageError(PeerevalError):
    """Survey responses and academic records cannot be linked as asked."""


class ConfigError(PeerevalError):
    """A ``study.toml`` key is missing, misspelt or has an invalid value."""


class PeerevalWarning(UserWarning):
    """A statistical or data-quality red flag that does not stop the analysis."""
