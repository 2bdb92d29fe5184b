"""Rendering a :class:`~peereval.report._model.Report` as one self-contained HTML file.

Everything the page needs is inside it: styles inline, figures as SVG data URIs, no
scripts, no external requests. Jinja2 escapes every value (respondent text included)
unless it is markup peereval built itself; text in Persian or other right-to-left
scripts is isolated with ``dir="auto"`` so it cannot reorder the page around it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from jinja2 import Environment, select_autoescape

from peereval._columns import MISSING
from peereval.report._model import Report, Table

__all__ = ["render_html", "write_html"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ report.language }}" dir="{{ report.direction }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="peereval {{ meta.version }}">
<title>{{ report.title }}</title>
<style>
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #222;
       max-width: 62rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem;
     margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.subtitle { color: #555; margin-top: 0; }
nav ol { columns: 2; font-size: .95rem; }
table { border-collapse: collapse; margin: .6rem 0 .2rem; font-size: .86rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f2f6fa; border-bottom: 2px solid #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.table-wrap { overflow-x: auto; }
table.wide { font-size: .78rem; }
table.wide th, table.wide td { padding: .2rem .3rem; }
table.wide td.num { white-space: normal; }
th { overflow-wrap: anywhere; }
.note { font-size: .82rem; color: #555; margin: .2rem 0 1rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .85rem; color: #444; }
.warnings { background: #fff8e6; border-left: 4px solid #E69F00; padding: .5rem 1rem; }
.comment { border-left: 3px solid #ccc; padding-left: .6rem; margin: .3rem 0; }
.findings li { margin: .35rem 0; }
#summary { background: #f5f9fc; border: 1px solid #d6e4ef; padding: .2rem 1.2rem 1rem; }
footer { margin-top: 3rem; font-size: .8rem; color: #666; }
html[lang="fa"] body { font-family: Vazirmatn, "Noto Naskh Arabic", "Noto Sans Arabic",
                       Tahoma, "DejaVu Sans", sans-serif; line-height: 1.7; }
html[lang="fa"] ol { list-style-type: persian; }
html[dir="rtl"] th, html[dir="rtl"] td { text-align: right; }
html[dir="rtl"] td.num { text-align: left; direction: ltr; unicode-bidi: isolate; }
html[dir="rtl"] .warnings { border-left: 0; border-right: 4px solid #E69F00; }
html[dir="rtl"] .comment { border-left: 0; padding-left: 0; border-right: 3px solid #ccc;
                           padding-right: .6rem; }
@media screen and (max-width: 640px) {
  body { margin: 1rem auto; padding: 0 .6rem; }
  nav ol { columns: 1; }
  #summary { padding: .1rem .7rem .6rem; }
  /* each row becomes a card of "column: value" lines: nothing scrolls sideways */
  .table-wrap table, .table-wrap tbody, .table-wrap tr, .table-wrap td { display: block; }
  .table-wrap table { font-size: .86rem; }
  .table-wrap thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
                      clip: rect(0 0 0 0); }
  .table-wrap tr { border-bottom: 2px solid #999; padding: .3rem 0; }
  .table-wrap td { border: none; padding: .1rem 0; text-align: start; white-space: normal; }
  .table-wrap td::before { content: attr(data-label) ": "; font-weight: 600; color: #444; }
}
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  nav { break-after: page; }
  main > section + section > h2 { break-before: page; }
  h2, h3 { break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { width: 100%; font-size: 7.5pt; }
  th, td { padding: .15rem .3rem; }
  th { overflow-wrap: anywhere; hyphens: auto; }
  td.num { white-space: normal; }
  thead { display: table-header-group; }
  tr, figure, .note { break-inside: avoid; }
  figure img { max-height: 23cm; border: none; }
  a { color: inherit; text-decoration: none; }
  #summary { background: none; border: none; padding: 0; }
}
</style>
</head>
<body>
<header>
<h1>{{ report.title }}</h1>
<p class="subtitle">{{ report.subtitle }}</p>
</header>
<nav aria-label="{{ words('Contents') }}"><h2>{{ words('Contents') }}</h2><ol>
{% for section in report.sections %}<li><a href="#{{ section.key }}">{{ section.title }}</a></li>
{% endfor %}{% if report.warnings %}<li><a href="#warnings">{{ words('Warnings') }}</a>
</li>{% endif %}
<li><a href="#references">{{ words('References') }}</a></li>
</ol></nav>
<main>
{% for section in report.sections %}
<section id="{{ section.key }}">
<h2>{{ section.title }}</h2>
{% for paragraph in section.paragraphs[:2] if section.findings %}<p dir="auto">{{ paragraph }}</p>
{% endfor %}
{% if section.findings %}<h3>{{ words('Key findings') }}</h3>
<ul class="findings">{% for finding in section.findings %}<li dir="auto">{{ finding.text }}
<a href="#{{ finding.target }}">{{ words('See the evidence') }}</a></li>{% endfor %}</ul>
{% for paragraph in section.paragraphs[2:] %}<p dir="auto">{{ paragraph }}</p>
{% endfor %}
{% else %}{% for paragraph in section.paragraphs %}<p dir="auto">{{ paragraph }}</p>
{% endfor %}{% endif %}
{% for table in section.tables %}
<h3 id="table-{{ table.key }}">{{ table.title }}</h3>
<div class="table-wrap">{{ tables[table.key] }}</div>
{% if table.note %}<p class="note" dir="auto">{{ table.note }}</p>{% endif %}
{% endfor %}
{% for figure in section.figures %}
<figure id="figure-{{ figure.key }}">
<img src="{{ images[figure.key] }}" alt="{{ figure.alt or figure.title }}">
<figcaption><strong>{{ figure.title }}.</strong> {{ figure.caption }}</figcaption>
</figure>
{% endfor %}
{% for note in section.notes %}<p class="note" dir="auto">{{ note }}</p>
{% endfor %}
</section>
{% endfor %}
{% if report.warnings %}
<section id="warnings" class="warnings">
<h2>{{ words('Warnings') }}</h2>
<ul>{% for warning in report.warnings %}<li dir="auto">{{ warning }}</li>{% endfor %}</ul>
</section>
{% endif %}
<section id="references">
<h2>{{ words('References') }}</h2>
<ol dir="ltr" lang="en">{% for reference in report.references %}<li>{{ reference }}</li>
{% endfor %}</ol>
</section>
</main>
<footer>{{ footer }}</footer>
</body>
</html>
"""


#: How a missing value is shown in a table (never an empty or 'nan' cell).
MISSING_CELL = MISSING

#: Under a table that has a missing cell: what the dash means.
MISSING_LEGEND = (f"{MISSING_CELL}: not applicable to this row, or not estimable (the "
                  "section's notes and the Warnings say why).")

#: Tables with more columns than this are set tighter, so that they fit the page.
WIDE_TABLE = 9


def _table_html(table: Table, words: Callable[[str], str] = str) -> str:
    from markupsafe import escape

    header, body = table.cells()
    labels = [escape(label) for label in header]
    head = "".join(f"<th scope=\"col\">{label}</th>" for label in labels)
    rows = []
    missing = False
    for row in body:
        cells = []
        for label, (text, numeric) in zip(labels, row, strict=True):
            missing = missing or text == MISSING_CELL
            css = ' class="num"' if numeric else ' dir="auto"'
            cells.append(f'<td{css} data-label="{label}">{escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    legend = (f'<p class="note">{escape(words(MISSING_LEGEND))}</p>' if missing else "")
    wide = ' class="wide"' if len(labels) > WIDE_TABLE else ""
    return (f"<table{wide}><thead><tr>{head}</tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>" + legend)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_html(report: Report) -> str:
    """The report as one HTML document (a string)."""
    from markupsafe import Markup

    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                              keep_trailing_newline=True)
    template = environment.from_string(_TEMPLATE)
    tables = {t.key: Markup(_table_html(t, report.words)) for t in report.tables()}
    images = {f.key: _data_uri(f.svg) for f in report.figures()}
    return template.render(report=report, tables=tables, images=images, meta=report.meta,
                           words=report.words, footer=footer_text(report))


def footer_text(report: Report) -> str:
    """The closing line: the version and seed that reproduce the report."""
    from peereval.report._i18n import localise_digits

    meta = report.meta
    if meta.get("seed") is None:
        text = report.words("Produced by peereval {version}.")
    else:
        text = report.words("Produced by peereval {version}; seed {seed}. The same inputs "
                            "and seed reproduce this report exactly.")
    seed = localise_digits(str(meta.get("seed")), report.language)
    return text.replace("{version}", str(meta.get("version", ""))).replace("{seed}", seed)


def write_html(report: Report, path: str | Path) -> Path:
    """Write ``report.html`` (UTF-8).

    Parameters
    ----------
    report
        The report to write (:func:`~peereval.report.run_study` builds one).
    path
        The file to write; overwritten if it exists.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> from peereval.report import Report, Section, Table, write_html
    >>> frame = pd.DataFrame({"scale": ["support"], "alpha": [0.85]})
    >>> report = Report("Mentoring study", "", [
    ...     Section("reliability", "Reliability", paragraphs=["<α> is escaped."],
    ...             tables=[Table("alpha", "Cronbach's alpha", frame)])],
    ...     references=[], warnings=[], meta={})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_html(report, pathlib.Path(folder) / "report.html")
    ...     html = path.read_text(encoding="utf-8")
    >>> "&lt;α&gt; is escaped." in html, "<table" in html
    (True, True)
    """
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8", newline="\n")
    return path


def frame_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names without underscores, for readers."""
    return frame.rename(columns=lambda c: str(c).replace("_", " "))
