"""The problems of a study: one :class:`Problem` each, raised together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peereval.errors import ConfigError, Location, PeerevalError

__all__ = ["Problem", "StudyProblemsError"]


@dataclass(frozen=True)
class Problem:
    """One problem of a study found by :func:`validate_study`.

    Attributes
    ----------
    level
        ``"error"`` (the report would be wrong or would leave out an analysis asked
        for) or ``"warning"`` (the report is complete, but read it with this in mind).
    key
        The ``study.toml`` key at fault (``outcomes.continuous``), or ``study``.
    message
        What is wrong, with the numbers that show it.
    fix
        How to fix it.
    where
        The file, sheet, row, column or value at fault, when there is one.

    Examples
    --------
    >>> from peereval.study import Problem
    >>> print(Problem("error", "survey.id", "no survey id is set", "set id = ...").text())
    [survey.id] no survey id is set How to fix: set id = ...
    """

    level: str
    key: str
    message: str
    fix: str = ""
    where: str = ""

    @classmethod
    def from_error(cls, exc: PeerevalError, key: str = "study",
                   level: str = "error") -> Problem:
        """The problem an input error describes; ``key`` when it names no study key."""
        from peereval.study._config import SCHEMA  # the config module imports this one

        column = exc.column
        is_key = column is not None and (isinstance(exc, ConfigError)
                                         or str(column).split(".")[0] in SCHEMA)
        loc = exc.location
        if is_key:
            loc = Location(loc.file, loc.sheet, loc.row, None, loc.value)
        message = exc.message
        if exc.problems:
            shown = [p.describe() for p in exc.problems[:5]]
            message += " (" + "; ".join(shown) + ("; ..." if len(exc.problems) > 5 else "") + ")"
        return cls(level, str(column) if is_key else key, message, exc.hint or "",
                   loc.describe())

    def text(self) -> str:
        """The problem on one line: key, place, message and fix."""
        where = f" {self.where}:" if self.where else ""
        return f"[{self.key}]{where} {self.message}" + (
            f" How to fix: {self.fix}" if self.fix else "")


class StudyProblemsError(ConfigError):
    """Several problems of one study, found at once.

    The message lists every problem with its key and fix; ``issues`` holds them as
    :class:`Problem` objects. The location (``column``, ``file``, ``hint``) is the
    first problem's, so a caller that handles one problem at a time still can.

    Examples
    --------
    >>> from peereval.study import Problem, StudyProblemsError
    >>> error = StudyProblemsError([Problem("error", "survey.id", "no id", "set it"),
    ...                             Problem("error", "records.id", "no id", "set it")],
    ...                            file="study.toml")
    >>> error.column, len(error.issues)
    ('survey.id', 2)
    """

    def __init__(self, issues: list[Problem], *, file: str | Path | None = None) -> None:
        self.issues = tuple(issues)
        first = self.issues[0]
        if len(self.issues) == 1:
            message = first.message if not first.where else f"{first.where}: {first.message}"
        else:
            message = (f"{len(self.issues)} problems were found; the first: "
                       f"[{first.key}] {first.message}\n"
                       + "\n".join(f"  - {p.text()}" for p in self.issues))
        super().__init__(message, file=file, column=first.key, hint=first.fix)
