"""What a report is made of: sections holding paragraphs, tables and figures.

The runner (:mod:`peereval.report._runner`) fills a :class:`Report` from result
objects; the HTML and Excel writers only render it. Text is stored plain and escaped
by each writer; tables are DataFrames already rounded and suppressed for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Figure", "Finding", "Report", "Section", "Table"]


#: Column roles whose cells are text, never aligned as numbers.
_TEXT_ROLES = frozenset({"label", "note", "flag"})


@dataclass
class Table:
    """A table for the report and the workbook.

    ``key`` is short and unique (it names the workbook sheet, at most 31 characters);
    ``note`` is printed under the table (sources, rules, suppression).

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.report import Table
    >>> table = Table("reliability", "Reliability of each scale",
    ...               pd.DataFrame({"scale": ["support"], "alpha": [0.85]}),
    ...               note="Cronbach's alpha with Feldt 95% CI.")
    >>> table.key, table.frame.shape
    ('reliability', (1, 2))
    """

    key: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    index: bool = False
    #: Column -> role (``"p_value"``, ``"estimate"``, ... see :mod:`peereval._columns`);
    #: what is not given here comes from ``frame.attrs["roles"]``, the column's name or
    #: its values.
    roles: dict[str, str] = field(default_factory=dict)
    #: The cells as :meth:`cells` returns them, once translated (set by the
    #: translation of a report into another language; ``None`` in English).
    translated: tuple[list[str], list[list[tuple[str, bool]]]] | None = None

    def column_roles(self) -> list[str]:
        """The role of each column as written, index levels first when ``index``."""
        from peereval._columns import roles_of

        roles = roles_of(self.frame, self.roles)
        columns = [roles[c] for c in self.frame.columns]
        if not self.index:
            return columns
        levels = self.frame.index.to_frame(index=False)
        levels.columns = [str(c) for c in levels.columns]
        return [*roles_of(levels).values(), *columns]

    def cells(self) -> tuple[list[str], list[list[tuple[str, bool]]]]:
        """The header labels and, per row, each cell as ``(text, is_number)``.

        Every writer (HTML, Word) prints a table through this, so a value reads the
        same in each: the text comes from :func:`peereval._columns.format_column` by
        the column's role; ``is_number`` says whether to align it as a number (a
        finite number in a column that is not a label, note or flag).

        Examples
        --------
        >>> import pandas as pd
        >>> from peereval.report import Table
        >>> table = Table("t", "T", pd.DataFrame({"scale": ["a"], "p_value": [0.0004]}))
        >>> table.cells()
        (['scale', 'p_value'], [[('a', False), ('< .001', True)]])
        """
        from peereval._columns import MISSING, format_column

        if self.translated is not None:
            return self.translated
        frame = self.frame.reset_index() if self.index else self.frame
        columns = []
        for j, role in enumerate(self.column_roles()):
            values = frame.iloc[:, j].tolist()
            texts = format_column(values, role)  # type: ignore[arg-type]
            numeric = [role not in _TEXT_ROLES and isinstance(v, int | float | np.number)
                       and not isinstance(v, bool | np.bool_) and text != MISSING
                       for v, text in zip(values, texts, strict=True)]
            columns.append(list(zip(texts, numeric, strict=True)))
        rows = [[column[i] for column in columns] for i in range(len(frame))]
        return [str(c) for c in frame.columns], rows


@dataclass
class Figure:
    """A rendered figure: its SVG text and 300-dpi PNG bytes, with a caption.

    Examples
    --------
    >>> from matplotlib.figure import Figure as MplFigure
    >>> from peereval.figures import render
    >>> from peereval.report import Figure
    >>> mpl = MplFigure(figsize=(2, 1))
    >>> svg, png = render(mpl, dpi=50)
    >>> figure = Figure("empty", "An empty figure", svg, png, alt="Nothing drawn.")
    >>> figure.svg.startswith("<?xml"), figure.png[1:4] == b"PNG"
    (True, True)
    """

    key: str
    title: str
    svg: str
    png: bytes
    caption: str = ""
    alt: str = ""


@dataclass
class Finding:
    """A key finding of the summary: a plain sentence and the anchor of its evidence.

    Examples
    --------
    >>> Finding("Mentored students passed more often.", "table-unadjusted").target
    'table-unadjusted'
    """

    text: str
    target: str


@dataclass
class Section:
    """One part of the report, in reading order.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.report import Section, Table
    >>> frame = pd.DataFrame({"scale": ["support"], "alpha": [0.85]})
    >>> section = Section("reliability", "Reliability",
    ...                   paragraphs=["Mentor support: α = .85."],
    ...                   tables=[Table("alpha", "Cronbach's alpha", frame)])
    >>> [t.key for t in section.tables], section.figures
    (['alpha'], [])
    """

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Key findings (the summary section), each linking to the evidence.
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Report:
    """The whole report of one study.

    Examples
    --------
    A report built by hand (:func:`~peereval.report.run_study` builds one from a
    study):

    >>> import pandas as pd
    >>> from peereval.report import Report, Section, Table
    >>> frame = pd.DataFrame({"scale": ["support"], "alpha": [0.85]})
    >>> report = Report("Mentoring study", "", [
    ...     Section("study", "The study", paragraphs=["First-year mentoring."]),
    ...     Section("reliability", "Reliability",
    ...             tables=[Table("alpha", "Cronbach's alpha", frame)])],
    ...     references=[], warnings=[], meta={"seed": 1})
    >>> [t.key for t in report.tables()], report.section("reliability").title
    (['alpha'], 'Reliability')
    """

    title: str
    subtitle: str
    sections: list[Section]
    references: list[str]
    warnings: list[str]
    meta: dict[str, Any]
    #: The language the report is written in (``"en"`` or ``"fa"``).
    language: str = "en"
    #: The words the writers add around the sections (headings of the contents,
    #: warnings and references, the footer), in the report's language.
    chrome: dict[str, str] = field(default_factory=dict)

    @property
    def direction(self) -> str:
        """``"rtl"`` for a right-to-left language, else ``"ltr"``."""
        return "rtl" if self.language in ("fa", "ar") else "ltr"

    def words(self, english: str) -> str:
        """One of the writers' own phrases in the report's language."""
        return self.chrome.get(english, english)

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
