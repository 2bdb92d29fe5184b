"""What a report is made of: sections holding paragraphs, tables and figures.

The runner (:mod:`peereval.report._runner`) fills a :class:`Report` from result
objects; the HTML and Excel writers only render it. Text is stored plain and escaped
by each writer; tables are DataFrames already rounded and suppressed for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Figure", "Report", "Section", "Table"]


@dataclass
class Table:
    """A table for the report and the workbook.

    ``key`` is short and unique (it names the workbook sheet, at most 31 characters);
    ``note`` is printed under the table (sources, rules, suppression).
    """

    key: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    index: bool = False


@dataclass
class Figure:
    """A rendered figure: its SVG text and 300-dpi PNG bytes, with a caption."""

    key: str
    title: str
    svg: str
    png: bytes
    caption: str = ""
    alt: str = ""


@dataclass
class Section:
    """One part of the report, in reading order."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The whole report of one study."""

    title: str
    subtitle: str
    sections: list[Section]
    references: list[str]
    warnings: list[str]
    meta: dict[str, Any]

    def tables(self) -> list[Table]:
        """Every table, in reading order."""
        return [table for section in self.sections for table in section.tables]

    def figures(self) -> list[Figure]:
        """Every figure, in reading order."""
        return [figure for section in self.sections for figure in section.figures]

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)
