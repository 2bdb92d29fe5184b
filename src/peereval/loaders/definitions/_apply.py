"""Applying a survey definition to the responses read from its export."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from peereval.errors import FileFormatError, LabelError, Location
from peereval.labels import label_key
from peereval.loaders.definitions._model import Choice, DefinedQuestion, SurveyDefinition
from peereval.responses import Item, Responses

__all__ = ["apply_definition"]

_LISTED = 8


def _value_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _match(responses: Responses, definition: SurveyDefinition) -> dict[str, DefinedQuestion]:
    """Export item code -> its question in the definition."""
    by_alias: dict[str, set[str]] = {}
    for code, question in definition.questions.items():
        for alias in (code, *question.aliases):
            key = label_key(alias)
            if key:
                by_alias.setdefault(key, set()).add(code)
    found: dict[str, DefinedQuestion] = {}
    taken: set[str] = set()
    for code, item in responses.items.items():
        for name in (code, item.column):
            if name and name in definition.questions:
                found[code] = definition.questions[name]
                break
    taken = {q.code for q in found.values()}
    for code, item in responses.items.items():
        if code in found:
            continue
        for name in (item.column, code, item.text):
            hits = by_alias.get(label_key(name or ""), set()) - taken
            if len(hits) == 1:
                hit = hits.pop()
                found[code] = definition.questions[hit]
                taken.add(hit)
                break
    return found


def _language(responses: Responses, matched: dict[str, DefinedQuestion],
              languages: Iterable[str]) -> str | None:
    """The language whose option labels the export's answers use most."""
    counts: dict[str, int] = {}
    for code, question in matched.items():
        if not question.choices:
            continue
        seen = {label_key(v) for v in _parts(responses, code, question)}
        for choice in question.choices:
            for lang, label in choice.labels.items():
                if label_key(label) in seen:
                    counts[lang] = counts.get(lang, 0) + 1
    order = list(languages)
    if not counts:
        return order[0] if order else None
    best = max(counts.values())
    for lang in [*order, *counts]:
        if counts.get(lang) == best:
            return lang
    return None


def _parts(responses: Responses, code: str, question: DefinedQuestion) -> set[str]:
    values = {_value_text(v) for v in responses._distinct_of(code)}
    if question.kind == "multi":
        return {p.strip() for v in values for p in v.split(";") if p.strip()}
    return values


def _label(choice: Choice, language: str | None) -> str:
    if language is not None and choice.labels.get(language):
        return choice.labels[language]
    return choice.label


def _lookup(question: DefinedQuestion, language: str | None) -> dict[str, str]:
    """Every way the export may write an option -> the option's label."""
    table: dict[str, str] = {}
    for choice in question.choices:
        label = _label(choice, language)
        for text in choice.labels.values():
            table.setdefault(label_key(text), label)
    for choice in question.choices:  # codes after labels: a label "1" stays itself
        table.setdefault(label_key(choice.code), _label(choice, language))
    return table


def apply_definition(responses: Responses, definition: SurveyDefinition) -> Responses:
    """The responses with items (and coded answers) as the survey's definition says.

    Each export column the definition describes gets a new
    :class:`~peereval.responses.Item`: the definition's text, kind and
    matrix (``question``), and its options as ``(number, label)`` pairs in the
    definition's order, with ``options_source="definition file (<name>)"``. Answers
    held as codes (answer codes, choice names, recode values) are replaced by their
    labels, so that :meth:`~peereval.responses.Responses.numeric` codes them
    with the definition's numbers. Columns are matched by variable name, then by
    question text (a labels export); columns the definition does not describe are
    kept as read, and a note lists them.

    Parameters
    ----------
    responses
        As a loader read them from the export.
    definition
        The survey's definition (:func:`~peereval.loaders.definitions.read_definition`).

    Returns
    -------
    Responses

    Raises
    ------
    FileFormatError
        When no column of the export is in the definition (the files belong to
        different surveys); the message names both files and the first codes of each.
    LabelError
        When answers are neither labels nor codes of their question's options,
        each listed with its row and column.

    Examples
    --------
    >>> from pathlib import Path
    >>> import peereval
    >>> from peereval.loaders.definitions import read_definition
    >>> folder = Path(peereval.__file__).parents[2] / "tests/fixtures/definitions/kobo"
    >>> responses = peereval.read_export(folder / "xml_values.csv", keep_codes=True)
    >>> form = read_definition(folder / "tutoring_form.xlsx")
    >>> coded = apply_definition(responses, form)
    >>> responses.answers["help_3"].iloc[3], coded.answers["help_3"].iloc[3]
    ('neither', 'Neither agree nor disagree')
    >>> coded.items["help_3"].options[2]
    (3, 'Neither agree nor disagree')
    """
    matched = _match(responses, definition)
    if not matched:
        export_codes = ", ".join(list(responses.items)[:6])
        defined = ", ".join(list(definition.questions)[:6])
        raise FileFormatError(
            f"the definition '{definition.path.name}' does not describe this export: none "
            f"of its columns ({export_codes}, ...) is a question of the definition "
            f"({defined}, ...)",
            file=responses.source, sheet=responses.sheet,
            hint="give the definition of the survey this export comes from (download both "
            "from the same survey); an export with question texts as headings needs the "
            "definition in the same language",
        )
    language = _language(responses, matched, definition.languages)
    answers = responses.answers.copy()
    items: dict[str, Item] = {}
    problems: list[Location] = []
    source = f"definition file ({definition.path.name})"
    for code, item in responses.items.items():
        question = matched.get(code)
        if question is None:
            items[code] = item
            continue
        options = None
        if question.choices:
            lookup = _lookup(question, language)
            decoded, bad = _decode(answers[code], lookup, question.kind == "multi")
            answers[code] = decoded
            if not question.translated:
                for rid, value in bad:
                    problems.append(responses.locate(rid, code, value))
            options = tuple((number, _label(choice, language)) for (number, _), choice in
                            zip(question.options or (), question.choices, strict=True))
        text = question.texts.get(language, question.text) if language else question.text
        items[code] = Item(code, text or item.text, question.kind, options,
                           question.question, item.column or (
                               code if question.code != code else None),
                           source if options else item.options_source)
    if problems:
        shown = {}
        for p in problems:
            shown.setdefault(p.column, []).append(p.value)
        listed = "; ".join(f"{col}: {', '.join(map(str, dict.fromkeys(vals)))}"
                           for col, vals in list(shown.items())[:_LISTED])
        raise LabelError(
            f"{len(problems)} answer(s) are neither a label nor a code of their question's "
            f"options in the definition '{definition.path.name}' ({listed})",
            file=responses.source, sheet=responses.sheet, problems=problems,
            hint="the export and the definition may come from different versions of the "
            "survey (options changed after data were collected): download both again",
        )
    unmatched = [c for c in responses.items if c not in matched]
    notes = [f"items read with the survey's definition '{definition.path.name}' "
             f"({definition.platform}): {len(matched)} of {len(responses.items)} columns "
             "take their text, kind, scale and option numbers from it"]
    if unmatched:
        notes.append(f"{len(unmatched)} column(s) are not in the definition and keep what "
                     "the export says: " + ", ".join(unmatched[:_LISTED])
                     + (", ..." if len(unmatched) > _LISTED else ""))
    kept = list(responses.notes)
    if not any(responses.items[c].kind in ("likert", "choice") for c in unmatched):
        # the loader's advice to code answer codes by hand no longer applies
        kept = [n for n in kept if "numeric(mapping=" not in n]
    out = Responses(answers, items, responses.meta, platform=responses.platform,
                    source=responses.source, sheet=responses.sheet,
                    source_rows=responses.source_rows, notes=[*kept, *notes],
                    encoding=responses.encoding)
    return out


def _decode(column: pd.Series, lookup: dict[str, str], multi: bool
            ) -> tuple[pd.Series, list[tuple[str, Any]]]:
    bad: list[tuple[str, Any]] = []
    table: dict[Any, Any] = {}
    for value in column.dropna().unique():
        text = _value_text(value)
        if not text:
            table[value] = None
            continue
        if multi:
            parts = [p.strip() for p in text.split(";") if p.strip()]
            labels = [lookup.get(label_key(p)) for p in parts]
            if all(label is not None for label in labels):
                table[value] = ";".join(str(label) for label in labels)
                continue
        else:
            label = lookup.get(label_key(text))
            if label is not None:
                table[value] = label
                continue
        table[value] = value
        bad.append((value, value))
    decoded = column.map(table, na_action="ignore")
    located = []
    for value, _ in bad:
        rid = column.index[column == value][0]
        located.append((rid, value))
    return decoded.astype(object).where(decoded.notna(), None), located
