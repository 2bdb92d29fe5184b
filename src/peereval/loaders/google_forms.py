"""Google Forms response exports (CSV, or XLSX from the linked Google Sheet).

Layout: one header row, one respondent per row. The header holds ``Timestamp``
(the submission time), ``Email Address`` when the form collects e-mail addresses,
``Score`` when the form is a quiz (e.g. ``28.00 / 30``), then one column per
question headed with the question title. A grid question (multiple-choice grid,
checkbox grid) has one column per grid row headed ``Question [Row]``. There are no
question codes and no respondent id.

Two downloads of the same responses differ (as open-source readers of them and
their test data show; sources in ``tests/fixtures/google_forms/README.md``):

* the form's own download (Responses > Download responses (.csv)) writes
  timestamps with the form owner's UTC offset, ``2024/03/02 9:14:05 AM GMT+3:30``,
  and joins the options ticked in a checkbox question with ``";"``;
* the linked Google Sheet downloaded as CSV (File > Download > Comma-separated
  values) writes timestamps as the sheet's locale shows them, without offset
  (``3/2/2024 9:14:05`` in a US-English sheet), and joins ticked options with
  ``", "``. Splitting at ``", "`` is ambiguous when an option's own text contains
  ``", "``; pass the options with ``multi=`` to split exactly.

Items are named by their column header (``"Question [Row]"`` for grid rows, whose
``text`` is ``"Question - Row"`` and whose ``question`` is ``"Question"``). Checkbox
answers are stored joined by ``";"`` whichever download was read. Respondents are
named by their local submission time, ``2024-03-02T09:14:05`` (``#2``, ``#3`` appended
in file order when several share a second), which is the same in both downloads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from peereval.errors import DuplicateIdError, FileFormatError, Location
from peereval.labels import known_label, normalize_digits
from peereval.loaders._common import Column, assemble
from peereval.loaders._table import RawTable, cell_text, column_letter
from peereval.responses import ItemKind, Responses, classify_column

NAME = "google_forms"
TITLE = "Google Forms"
OPTIONS: frozenset[str] = frozenset({"multi", "dayfirst", "variant"})

_GRID = re.compile(r"^(?P<question>.*\S)\s*\[(?P<row>[^\[\]]+)\]$")
_OFFSET = re.compile(r"\s*(?P<zone>GMT|UTC)(?P<offset>[+-]\d{1,2}(?::?\d{2})?)?\s*$",
                     re.IGNORECASE)
_FORM_TIME = re.compile(
    r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})\s+(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})"
    r"\s*(?P<ampm>[AP]M)?$", re.IGNORECASE)
_SHEET_TIME = re.compile(
    r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}),?\s+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AP]M)?$", re.IGNORECASE)
_ISO_TIME = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[ T](?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2}))?$")
_EMAIL = {"email address"}
_SCORE = {"score"}
_HOW_TO_EXPORT = (
    "download the responses again (in Google Forms: Responses > Download responses "
    "(.csv); or from the linked Google Sheet: File > Download > Comma-separated values)"
)

Variant = Literal["form", "sheet"]


def sniff(table: RawTable) -> float:
    """Confidence that ``table`` is a Google Forms export (0-1).

    0.9 when the first header is ``Timestamp`` and most first-column cells are
    timestamps as Google writes them; 0.5 for the header alone (so that a file with
    damaged timestamps is still read as Google Forms and the bad row reported).
    """
    if len(table.rows) < 2:
        return 0.0
    head = table.text_row(0)
    if _key(head[0]) != "timestamp":
        return 0.0
    cells = [r[0] for r in table.rows[1:21]]
    parsed = sum(1 for c in cells if _parse_time(c, None)[0] is not None)
    return 0.9 if parsed >= max(1, len(cells) / 2) else 0.5


def read(
    table: RawTable,
    *,
    multi: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    dayfirst: bool | None = None,
    variant: Variant | None = None,
    **options: Any,
) -> Responses:
    """Read a Google Forms export; see the module docstring for the layout.

    Parameters
    ----------
    table
        The CSV file (or the response sheet of the linked spreadsheet).
    multi
        The checkbox questions, by question title (or column header): a list of
        titles, or a mapping of title to its options in form order. Given options,
        a ``", "``-joined Sheet answer is split exactly. When ``multi`` is given,
        only the questions it names are read as checkbox questions (``multi=[]``:
        none); by default they are recognised from their answers (options joined
        by the download's separator, recurring in different combinations).
    dayfirst
        For Sheet downloads whose dates are written ``a/b/yyyy``: ``True`` reads
        them day/month, ``False`` month/day. By default a day above 12 decides;
        when none is, month/day (US English, Google's default locale) is assumed
        and a note says so.
    variant
        ``"form"`` (the form's own download) or ``"sheet"`` (the linked sheet's);
        by default told from the timestamps (a ``GMT`` offset means ``"form"``).

    Returns
    -------
    Responses
        Respondent ids from the submission times (see the module docstring);
        metadata ``ended`` (the submission time, local), ``email`` and ``score``
        when present.

    Raises
    ------
    FileFormatError
        When the first header is not ``Timestamp``, a timestamp cannot be read
        (naming its row), a column named in ``multi`` does not exist, or a column
        with answers has no header.
    DuplicateIdError
        When rows repeat each other in every cell (the same response pasted twice).
    """
    head = _checked_header(table, variant)
    data_rows = table.rows[1:]
    notes: list[str] = []
    times, found_variant = _timestamps(table, dayfirst, notes)
    variant = variant or found_variant
    _check_repeated_rows(table)
    ids = _ids(times)
    notes.append(
        "Google Forms exports have no respondent id: respondents are named by their "
        "submission time (local time, to the second) as YYYY-MM-DDTHH:MM:SS, with #2, #3 "
        "added in file order when several share a second; the form's CSV download and "
        "the linked sheet's CSV give the same ids while their rows and time zone agree"
    )
    separator = ";" if variant == "form" else ", "
    notes.append(
        "read as the form's own CSV download (checkbox answers joined by ';')"
        if variant == "form" else
        "read as the linked Google Sheet's download (checkbox answers joined by ', ')"
    )

    columns: list[Column] = []
    _refuse_unnamed_answers(table, head)
    questions = _grid_questions(head)
    wanted = _multi_spec(multi, head, questions, table)
    rows = [list(r) for r in table.rows]
    for index, header in enumerate(head):
        if not header:
            continue
        key = _key(header)
        if index == 0:
            continue  # the timestamp, added below as parsed values
        if index <= 2 and key in _EMAIL:
            columns.append(Column(index, header, "email", "meta", text=header))
            continue
        if index <= 2 and key in _SCORE:
            columns.append(Column(index, header, "score", "meta", text=header))
            continue
        question, row_label = questions.get(index, (None, None))
        text = f"{question} - {row_label}" if question else header
        values = [r[index] for r in data_rows]
        named = header if header in wanted else question if question in wanted else None
        options = wanted[named] if named is not None else None
        is_multi = named is not None or (multi is None and _looks_multi(values, separator))
        kind: ItemKind | None
        item_options = None
        if is_multi:
            kind = "multi"
            split = [_split(v, separator, options) for v in values]
            for r, parts in zip(rows[1:], split, strict=True):
                r[index] = ";".join(parts) if parts else None
            if options:
                item_options = tuple((o, o) for o in options)
            elif separator == ", ":
                notes.append(
                    f"column '{header}': checkbox answers were split at ', '; an option "
                    "whose own text contains ', ' is split in two. Pass its options, "
                    f"multi={{'{question or header}': [...]}}, to split exactly"
                )
        else:
            kind = classify_column(values)
        columns.append(Column(index, header, header, "item", text=text, kind=kind,
                              options=item_options, question=question))

    working = RawTable(rows, list(table.row_numbers), table.path, table.sheet,
                       table.encoding, table.delimiter)
    responses = assemble(working, columns, data_start=1, platform=NAME, ids=ids,
                         notes=notes)
    responses.meta.insert(0, "ended", pd.Series(pd.to_datetime(times), index=responses.ids))
    responses.notes += (
        "Google Forms stores only submitted responses and their submission time: meta has "
        "'ended' but no 'started', 'duration_s' or 'finished'",
    )
    return responses


def _checked_header(table: RawTable, variant: str | None) -> list[str]:
    """Row 1 of a Google Forms export, refused unless it starts with 'Timestamp'."""
    if not table.rows:
        raise FileFormatError("the file has no rows", file=table.path, sheet=table.sheet,
                              hint=_HOW_TO_EXPORT)
    head = table.text_row(0)
    if _key(head[0]) != "timestamp":
        raise FileFormatError(
            "the file is not a Google Forms export: the first column of row 1 should be "
            "'Timestamp'",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0], column="A",
            value=head[0] or None,
            hint="read it with platform='auto' to detect its layout; " + _HOW_TO_EXPORT,
        )
    if variant not in (None, "form", "sheet"):
        raise FileFormatError(f"variant must be 'form' or 'sheet', not {variant!r}",
                              file=table.path, hint="leave variant out to detect it")
    return head


def _refuse_unnamed_answers(table: RawTable, head: list[str]) -> None:
    """A column with answers but no header cannot be named: refuse it."""
    for index in [i for i, h in enumerate(head) if not h]:
        if any(cell_text(r[index]) for r in table.rows[1:]):
            raise FileFormatError(
                "a column with answers has no header", file=table.path, sheet=table.sheet,
                row=table.row_numbers[0], column=column_letter(index),
                hint="give the column back its question title, or " + _HOW_TO_EXPORT,
            )


# ------------------------------------------------------------------ timestamps


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parse_time(value: Any, dayfirst: bool | None) -> tuple[dt.datetime | None, str]:
    """A Google timestamp as local time, and its style: form, sheet, iso or ''."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), "sheet"
    text = normalize_digits(cell_text(value))
    if not text:
        return None, ""
    stripped, count = _OFFSET.subn("", text)
    style = "form" if count else "sheet"
    match = _FORM_TIME.match(stripped)
    if match:
        y, mo, d = int(match["y"]), int(match["m"]), int(match["d"])
        return _combine(y, mo, d, match), style
    match = _SHEET_TIME.match(stripped)
    if match:
        a, b = int(match["a"]), int(match["b"])
        first_is_day = dayfirst if dayfirst is not None else a > 12
        day, month = (a, b) if first_is_day else (b, a)
        return _combine(int(match["y"]), month, day, match), style
    match = _ISO_TIME.match(stripped)
    if match:
        return _combine(int(match["y"]), int(match["m"]), int(match["d"]), match), style
    return None, ""


def _combine(y: int, mo: int, d: int, match: re.Match[str]) -> dt.datetime | None:
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    if match["ampm"]:
        hour = hour % 12 + (12 if match["ampm"].upper() == "PM" else 0)
    try:
        return dt.datetime(y, mo, d, hour, minute, second)
    except ValueError:
        return None


def _timestamps(table: RawTable, dayfirst: bool | None,
                notes: list[str]) -> tuple[list[dt.datetime], Variant]:
    cells = [r[0] for r in table.rows[1:]]
    numbers = table.row_numbers[1:]
    sheet_parts = [m for c in cells if isinstance(c, str)
                   and (m := _SHEET_TIME.match(_OFFSET.sub("", normalize_digits(c.strip()))))]
    if dayfirst is None and sheet_parts:
        firsts = [int(m["a"]) for m in sheet_parts]
        seconds = [int(m["b"]) for m in sheet_parts]
        if any(a > 12 for a in firsts) and any(b > 12 for b in seconds):
            where = next(i for i, c in enumerate(cells) if isinstance(c, str) and (
                m := _SHEET_TIME.match(_OFFSET.sub("", normalize_digits(c.strip()))))
                and int(m["b"]) > 12)
            raise FileFormatError(
                "the timestamps mix day/month/year and month/day/year order",
                file=table.path, sheet=table.sheet, row=numbers[where], column="Timestamp",
                value=cells[where],
                hint="check the Timestamp column; pass dayfirst=True or dayfirst=False",
            )
        dayfirst = any(a > 12 for a in firsts)
        if not any(a > 12 for a in firsts) and not any(b > 12 for b in seconds):
            notes.append("the timestamps do not show whether they are day/month or "
                         "month/day; month/day (US English) was assumed. Pass "
                         "dayfirst=True if the sheet's locale writes the day first")
        elif dayfirst:
            notes.append("the timestamps were read day/month/year")
    times: list[dt.datetime] = []
    styles: set[str] = set()
    offsets: set[str] = set()
    problems: list[Location] = []
    for cell, number in zip(cells, numbers, strict=True):
        parsed, style = _parse_time(cell, dayfirst)
        if parsed is None:
            problems.append(Location(table.path, table.sheet, number, "Timestamp",
                                     cell_text(cell) or None))
            continue
        times.append(parsed)
        styles.add(style)
        if isinstance(cell, str) and (m := _OFFSET.search(cell)):
            offsets.add(f"{m['zone'].upper()}{m['offset'] or ''}")
    if problems:
        first = problems[0]
        raise FileFormatError(
            f"{len(problems)} timestamp(s) cannot be read" if len(problems) > 1 else
            "the timestamp cannot be read",
            file=table.path, sheet=table.sheet, row=first.row, column="Timestamp",
            value=first.value, problems=problems if len(problems) > 1 else (),
            hint="Google writes e.g. '2024/03/02 9:14:05 AM GMT+3:30' (form download) or "
            "'3/2/2024 9:14:05' (sheet download); correct the cell or " + _HOW_TO_EXPORT,
        )
    if offsets:
        notes.append("submission times are kept as the local times written in the file "
                     f"(UTC offset {', '.join(sorted(offsets))})")
    variant: Variant = "form" if "form" in styles else "sheet"
    return times, variant


def _ids(times: Sequence[dt.datetime]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for t in times:
        base = t.strftime("%Y-%m-%dT%H:%M:%S")
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return out


def _check_repeated_rows(table: RawTable) -> None:
    first: dict[tuple[str, ...], int] = {}
    groups: dict[tuple[str, ...], list[int]] = {}
    for row, number in zip(table.rows[1:], table.row_numbers[1:], strict=True):
        key = tuple(cell_text(c) for c in row)
        if key in first:
            groups.setdefault(key, [first[key]]).append(number)
        else:
            first[key] = number
    if not groups:
        return
    problems = [Location(table.path, table.sheet, n, "Timestamp", cell_text(key[0]))
                for key, rows in groups.items() for n in rows]
    raise DuplicateIdError(
        f"{len(groups)} response(s) occur more than once: the rows repeat each other in "
        "every cell, timestamp included",
        file=table.path, sheet=table.sheet, column="Timestamp", problems=problems,
        hint="remove the repeated rows (e.g. the same download pasted twice); Google "
        "Forms has no respondent id, so a response is known only by its timestamp",
    )


# -------------------------------------------------------------------- columns


def _grid_questions(head: list[str]) -> dict[int, tuple[str, str]]:
    """Column index -> (question, row) for runs of 2+ adjacent 'Question [Row]' headers."""
    parsed = {i: m for i, h in enumerate(head) if (m := _GRID.match(h))}
    out: dict[int, tuple[str, str]] = {}
    index = 0
    while index < len(head):
        match = parsed.get(index)
        if match is None:
            index += 1
            continue
        run = [index]
        while (nxt := parsed.get(run[-1] + 1)) and nxt["question"] == match["question"]:
            run.append(run[-1] + 1)
        if len(run) >= 2:
            for i in run:
                out[i] = (parsed[i]["question"], parsed[i]["row"].strip())
        index = run[-1] + 1
    return out


def _multi_spec(multi: Sequence[str] | Mapping[str, Sequence[str]] | None, head: list[str],
                questions: dict[int, tuple[str, str]],
                table: RawTable) -> dict[str, tuple[str, ...] | None]:
    if multi is None:
        return {}
    if isinstance(multi, str):
        multi = [multi]
    spec: dict[str, tuple[str, ...] | None] = (
        {k: tuple(v) for k, v in multi.items()} if isinstance(multi, Mapping)
        else dict.fromkeys(multi)
    )
    known = set(head) | {q for q, _ in questions.values()}
    unknown = [name for name in spec if name not in known]
    if unknown:
        raise FileFormatError(
            f"multi= names {', '.join(map(repr, unknown))}, which is not a question in "
            "this export",
            file=table.path, sheet=table.sheet, row=table.row_numbers[0],
            hint="use the question title as row 1 shows it; columns: "
            + ", ".join(h for h in head[1:] if h)[:400],
        )
    return spec


def _looks_multi(values: Sequence[Any], separator: str) -> bool:
    """Whether a column's answers are options joined by ``separator``.

    True when some answer holds the separator, the parts are short and recur (at
    least half of the distinct parts occur in two or more answers: free text split
    at its commas gives parts that do not), some part is combined with different
    other parts in different answers (a single-choice label that itself contains
    the separator always comes whole), and the answers are not all labels of a
    known response scale.
    """
    texts = [cell_text(v) for v in values if cell_text(v)]
    if len(texts) < 2 or not any(separator in t for t in texts):
        return False
    if any("\n" in t for t in texts) or all(known_label(t) for t in texts):
        return False
    counts: dict[str, int] = {}
    wholes: dict[str, set[str]] = {}
    for t in texts:
        for part in {p.strip() for p in t.split(separator.strip()) if p.strip()}:
            counts[part] = counts.get(part, 0) + 1
            wholes.setdefault(part, set()).add(t)
    if not counts or len(counts) > 30 or max(len(p) for p in counts) > 100:
        return False
    recurring = sum(1 for n in counts.values() if n >= 2)
    combined = any(len(w) >= 2 for w in wholes.values())
    return combined and recurring >= len(counts) / 2


def _split(value: Any, separator: str, options: Sequence[str] | None) -> list[str]:
    text = cell_text(value)
    if not text:
        return []
    if options:
        return _split_by_options(text, separator, options)
    return [p.strip() for p in text.split(separator.strip()) if p.strip()]


def _split_by_options(text: str, separator: str, options: Sequence[str]) -> list[str]:
    """Split ``text`` into known options, longest first at each position; unknown
    stretches (an "Other" answer) are kept up to the next separator."""
    ordered = sorted(options, key=len, reverse=True)
    parts: list[str] = []
    rest = text
    while rest:
        rest = rest.lstrip()
        for option in ordered:
            if rest == option or rest.startswith(option + separator.rstrip()):
                parts.append(option)
                rest = rest[len(option):]
                break
        else:
            head, sep, tail = rest.partition(separator.strip())
            if head.strip():
                parts.append(head.strip())
            rest = tail if sep else ""
            continue
        rest = rest.removeprefix(separator.strip())
    return parts
