"""The study report: HTML and Word for the dean, an Excel workbook of tables, figures
for papers.

:func:`run_study` reads, screens and analyses everything ``study.toml`` names and
returns a :class:`~peereval.report._model.Report`; :func:`write_report` writes
``report.html``, ``report.docx``, ``tables.xlsx`` and ``figures/``. ``peereval report
study.toml`` does both.
"""

from __future__ import annotations

from peereval._lazy import lazy_attributes

_NAMES = {
    "Report": "peereval.report._model",
    "Section": "peereval.report._model",
    "Table": "peereval.report._model",
    "Figure": "peereval.report._model",
    "run_study": "peereval.report._runner",
    "write_report": "peereval.report._runner",
    "write_html": "peereval.report._html",
    "write_docx": "peereval.report._docx",
    "write_workbook": "peereval.report._excel",
    "starter_study": "peereval.study._init",  # moved beside study.toml's reader
}
#: Moved to :mod:`peereval.study` (documented there); the old names keep working.
_MOVED = {
    "appraise_design": "peereval.study._appraisal",
    "DesignAppraisal": "peereval.study._appraisal",
}

__all__ = sorted(_NAMES)

__getattr__, __dir__ = lazy_attributes("peereval.report", {**_NAMES, **_MOVED}, globals())
