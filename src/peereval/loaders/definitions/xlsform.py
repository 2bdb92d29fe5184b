"""XLSForm definitions (KoboToolbox, ODK, SurveyCTO forms as ``.xlsx``).

An XLSForm (xlsform.org; KoboToolbox: the project's Form page > "..." > Download XLS)
is a workbook with a ``survey`` sheet (one row per question or group marker) and a
``choices`` sheet (one row per answer option), and optionally ``settings``:

* ``survey``: ``type`` (``select_one <list>``, ``select_multiple <list>``,
  ``integer``, ``decimal``, ``range``, ``text``, ``date``, ``begin_group`` /
  ``begin group``, ``end_group``, ``begin_repeat``, ``end_repeat``, ``note``,
  ``calculate``, metadata such as ``start``), ``name`` (the column name in an "XML
  values" export) and ``label``, or one ``label::<Language> (<code>)`` column per
  language (``label::English (en)``, ``label::Persian (fa)``); KoboToolbox adds
  ``$kuid``/``$autoname`` columns, which are ignored;
* ``choices``: ``list_name``, ``name`` (the XML value exported for the option) and
  the ``label`` column(s);
* ``settings``: ``default_language`` names the language shown first.

What peereval takes from it: each question inside groups gets the group path
(``group_support``, ``outer/inner``) as its place; the questions of one group that
share a choice list form a matrix, so they get the group as ``question`` (a proposed
scale) and are ``likert``; any other ``select_one`` is ``likert`` only when its labels
form a known response scale, else ``choice``; ``select_multiple`` is ``multi``;
``integer``/``decimal``/``range`` are ``number``; ``text`` is ``text``; ``date``,
``datetime`` and ``time`` are ``date``. Questions inside a repeat are not columns of
the main sheet and are left out.

Numbers: a list's choice names when all of them are numbers (``1``..``5``),
otherwise the position in the list (1 for the first).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from peereval.errors import PeerevalError
from peereval.labels import known_label
from peereval.loaders._table import RawTable, cell_text, open_source
from peereval.loaders.definitions._model import (
    Choice,
    DefinedQuestion,
    SurveyDefinition,
    definition_error,
    number_or_none,
    plain_text,
)
from peereval.responses import ItemKind

__all__ = ["read"]

_HINT = ("download the form again as XLSForm (KoboToolbox: Form > '...' > Download XLS) "
         "and pass the workbook unchanged")
_KINDS: dict[str, ItemKind] = {"integer": "number", "decimal": "number", "range": "number",
                               "text": "text", "date": "date", "datetime": "date",
                               "time": "date"}
_LABEL = re.compile(r"^label(?:\s*::\s*(?P<lang>.+))?$", re.IGNORECASE)


def read(path: str | Path) -> SurveyDefinition:
    """Read an XLSForm workbook.

    Parameters
    ----------
    path
        The workbook (``.xlsx``, or an Excel 97-2003 ``.xls``) with ``survey`` and
        ``choices`` sheets.

    Returns
    -------
    SurveyDefinition
        One question per answer column, keyed by the question's ``name``.

    Raises
    ------
    FileFormatError
        When a sheet or column every XLSForm has is missing, a question uses a choice
        list the ``choices`` sheet does not define, or the groups do not nest; the
        message names the sheet and row.

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> book = openpyxl.Workbook()
    >>> survey = book.active
    >>> survey.title = "survey"
    >>> for row in [("type", "name", "label"), ("select_one yn", "mentor", "Mentor?"),
    ...             ("integer", "age", "Age")]:
    ...     survey.append(row)
    >>> choices = book.create_sheet("choices")
    >>> for row in [("list_name", "name", "label"), ("yn", "yes", "Yes"),
    ...             ("yn", "no", "No")]:
    ...     choices.append(row)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "form.xlsx"
    >>> book.save(path)
    >>> form = read(path)
    >>> form.questions["mentor"].kind, form.questions["mentor"].options
    ('choice', ((1, 'Yes'), (2, 'No')))
    >>> form.questions["age"].kind
    'number'
    """
    path = Path(path)
    try:
        source = open_source(path)
    except PeerevalError:
        raise
    if source.kind != "workbook":
        raise definition_error("this is not an XLSForm: an XLSForm is an Excel workbook "
                               "(.xlsx) with 'survey' and 'choices' sheets", path,
                               hint=_HINT)
    sheets = {(t.sheet or "").strip().casefold(): t for t in source.tables}
    survey = sheets.get("survey")
    if survey is None:
        raise definition_error("the workbook has no 'survey' sheet, so it is not an "
                               "XLSForm (sheets: " + ", ".join(source.sheet_names) + ")",
                               path, hint=_HINT)
    settings = sheets.get("settings")
    default = _default_language(settings)
    columns = _columns(survey, ("type", "name"), path)
    choice_lists, languages = _choice_lists(sheets.get("choices"), path, default)
    survey_languages = [lang for lang, _ in columns["labels"]]
    ordered = _languages([*survey_languages, *languages], default)

    found = _answer_rows(survey, columns, choice_lists, path)
    out = _questions(found, choice_lists, ordered)
    return SurveyDefinition(path, "xlsform", out, tuple(ordered))


def _answer_rows(survey: RawTable, columns: dict[str, Any],
                 choice_lists: dict[str, tuple[Choice, ...]], path: Path
                 ) -> list[dict[str, Any]]:
    """Walk the survey sheet: one record per answer column, with its group (groups
    must nest; a repeat's questions are left out, they have sheets of their own)."""
    rows = survey.rows[1:]
    numbers = survey.row_numbers[1:]
    stack: list[tuple[str, bool, dict[str, str], int]] = []
    found: list[dict[str, Any]] = []
    for row, number in zip(rows, numbers, strict=True):
        qtype = " ".join(cell_text(_cell(row, columns["type"])).split())
        name = cell_text(_cell(row, columns["name"]))
        labels = {lang: plain_text(_cell(row, index)) for lang, index in columns["labels"]}
        labels = {lang: text for lang, text in labels.items() if text}
        where = f"sheet 'survey', row {number}"
        base = qtype.split(" ")[0].casefold().replace("-", "_") if qtype else ""
        if base in ("begin_group", "begin_repeat", "begin"):
            repeat = "repeat" in qtype.casefold()
            if not name:
                raise definition_error("a group has no name", path, where, hint=_HINT)
            stack.append((name, repeat, labels, number))
            continue
        if base in ("end_group", "end_repeat", "end") and ("group" in qtype.casefold()
                                                            or "repeat" in qtype.casefold()):
            if not stack:
                raise definition_error(f"'{qtype}' closes a group that was never opened",
                                       path, where, hint=_HINT)
            stack.pop()
            continue
        if not qtype or not name:
            continue
        if any(repeat for _, repeat, _, _ in stack):
            continue  # a repeat's questions are in sheets of their own
        kind: ItemKind | None
        list_name = None
        or_other = False
        if base in ("select_one", "select_multiple"):
            parts = qtype.split(" ")
            if len(parts) < 2:
                raise definition_error(f"'{qtype}' names no choice list", path, where,
                                       value=qtype, hint="write the list name after the "
                                       "type, e.g. 'select_one agree5'")
            list_name = parts[1]
            or_other = len(parts) > 2 and parts[2].casefold() == "or_other"
            if list_name not in choice_lists:
                raise definition_error(f"the choice list '{list_name}' is not on the "
                                       "'choices' sheet", path, where, value=qtype,
                                       hint=_HINT)
            kind = "multi" if base == "select_multiple" else None
        elif base in _KINDS:
            kind = _KINDS[base]
        else:
            continue  # notes, calculations, metadata, media: not answer columns
        group = "/".join(g for g, _, _, _ in stack) or None
        group_labels = [g_labels for _, _, g_labels, _ in stack]
        appearance = cell_text(_cell(row, columns.get("appearance"))).casefold()
        found.append({"name": name, "kind": kind, "list": list_name, "group": group,
                      "or_other": or_other,
                      "labels": labels, "group_labels": group_labels, "where": where,
                      "likert": "likert" in appearance})
    if stack:
        name, _, _, number = stack[-1]
        raise definition_error(f"the group '{name}' is never closed (no end_group)", path,
                               f"sheet 'survey', row {number}", hint=_HINT)
    return found


def _questions(found: list[dict[str, Any]], choice_lists: dict[str, tuple[Choice, ...]],
               ordered: list[str]) -> dict[str, DefinedQuestion]:
    """The defined questions: choice lists attached, and the questions of a group that
    share one choice list recognised as the rows of one matrix (Likert) question."""
    shared: dict[tuple[str, str], int] = {}
    for q in found:
        if q["kind"] is None and q["group"]:
            key = (q["group"], q["list"])
            shared[key] = shared.get(key, 0) + 1
    out: dict[str, DefinedQuestion] = {}
    for q in found:
        choices = choice_lists.get(q["list"], ()) if q["list"] else ()
        if q["or_other"]:  # "select_one list or_other" adds the choice "other"
            choices = (*choices, Choice("other", float(len(choices) + 1), {"": "Other"}))
        kind = q["kind"]
        question = None
        if kind is None:
            in_matrix = shared.get((q["group"], q["list"]), 0) >= 2
            question = q["group"] if in_matrix else None
            kind = "likert" if in_matrix or q["likert"] or _known_scale(choices) else "choice"
        texts = _texts(q["labels"], q["group_labels"], ordered) or {"": q["name"]}
        aliases = tuple(dict.fromkeys([*q["labels"].values(), *texts.values(),
                                       *_paths(q["labels"], q["group_labels"])]))
        out.setdefault(q["name"], DefinedQuestion(
            q["name"], next(iter(texts.values())), kind, choices, question, q["where"],
            texts, aliases))
    return out


def _cell(row: list[Any], index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None


def _columns(table: RawTable, required: tuple[str, ...], path: Path) -> dict[str, Any]:
    headers = [cell_text(h).strip() for h in table.rows[0]]
    found: dict[str, Any] = {"labels": []}
    for index, header in enumerate(headers):
        match = _LABEL.match(header)
        if match:
            found["labels"].append(((match.group("lang") or "").strip(), index))
        elif header.casefold() in ("type", "name", "list_name", "list name", "appearance"):
            found.setdefault(header.casefold().replace(" ", "_"), index)
    missing = [r for r in required if r not in found]
    if missing:
        raise definition_error(
            f"the '{table.sheet}' sheet has no column(s) " + ", ".join(f"'{m}'" for m in missing)
            + " in its first row (found: " + ", ".join(h for h in headers if h)[:200] + ")",
            path, f"sheet '{table.sheet}', row {table.row_numbers[0]}", hint=_HINT)
    return found


def _default_language(settings: RawTable | None) -> str | None:
    if settings is None or len(settings.rows) < 2:
        return None
    headers = [cell_text(h).strip().casefold() for h in settings.rows[0]]
    if "default_language" not in headers:
        return None
    return cell_text(settings.rows[1][headers.index("default_language")]).strip() or None


def _languages(found: list[str], default: str | None) -> list[str]:
    ordered = list(dict.fromkeys(found))
    if default is not None:
        match = [lang for lang in ordered if lang == default or lang.casefold().startswith(
            default.casefold()) or f"({default.casefold()})" in lang.casefold()]
        if match:
            ordered.remove(match[0])
            ordered.insert(0, match[0])
    return ordered


def _choice_lists(table: RawTable | None, path: Path, default: str | None
                  ) -> tuple[dict[str, tuple[Choice, ...]], list[str]]:
    if table is None:
        return {}, []
    columns = _columns(table, ("list_name", "name"), path)
    languages = _languages([lang for lang, _ in columns["labels"]], default)
    raw: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for row, number in zip(table.rows[1:], table.row_numbers[1:], strict=True):
        list_name = cell_text(_cell(row, columns["list_name"])).strip()
        name = cell_text(_cell(row, columns["name"])).strip()
        if not list_name and not name:
            continue
        if not list_name or not name:
            raise definition_error("a choice has no " + ("list_name" if not list_name
                                                          else "name"), path,
                                   f"sheet '{table.sheet}', row {number}", hint=_HINT)
        labels = {lang: plain_text(_cell(row, index)) for lang, index in columns["labels"]}
        labels = {lang: labels[lang] for lang in languages if labels.get(lang)}
        raw.setdefault(list_name, []).append((name, labels or {"": name}))
    out = {}
    for list_name, entries in raw.items():
        numbers = [number_or_none(name) for name, _ in entries]
        numeric = all(n is not None for n in numbers) and len(set(numbers)) == len(numbers)
        out[list_name] = tuple(
            Choice(name, float(n) if numeric and n is not None else float(position), labels)
            for position, ((name, labels), n) in enumerate(zip(entries, numbers, strict=True),
                                                           start=1))
    return out, languages


def _texts(labels: dict[str, str], groups: list[dict[str, str]],
           languages: list[str]) -> dict[str, str]:
    """The question's text in each language, its groups' labels in front."""
    out = {}
    for lang in [*languages, *labels]:
        if lang in labels and lang not in out:
            parts = [g[lang] for g in groups if g.get(lang)]
            out[lang] = " - ".join([*parts, labels[lang]])
    return out


def _paths(labels: dict[str, str], groups: list[dict[str, str]]) -> list[str]:
    """Label headings with groups, as KoboToolbox writes them ("Group/Question")."""
    return ["/".join([*(g.get(lang, "") for g in groups), text]) for lang, text in
            labels.items() if groups and all(g.get(lang) for g in groups)]


def _known_scale(choices: tuple[Choice, ...]) -> bool:
    known = sum(1 for c in choices if known_label(c.label))
    return len(choices) >= 3 and known >= len(choices) - 1
