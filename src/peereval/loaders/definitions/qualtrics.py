"""Qualtrics survey definitions (``.qsf``).

A ``.qsf`` file (Survey editor > Tools > Import/Export > Export survey) is JSON: a
``SurveyEntry`` object and a list ``SurveyElements``. Blocks (``Element: "BL"``) list
the questions in survey order (the ``Trash`` block holds deleted ones); each question
is an element ``"SQ"`` whose ``Payload`` gives ``QuestionID`` (``QID5``),
``DataExportTag`` (the column name in exports, ``Q5``), ``QuestionText`` (HTML),
``QuestionType`` and ``Selector``, ``Choices`` (id -> ``{"Display": ...}``) in
``ChoiceOrder``, optional ``RecodeValues`` (id -> the number exported), and, for a
matrix, the scale points as ``Answers`` in ``AnswerOrder`` (then ``RecodeValues`` are
keyed by answer id) and optional ``ChoiceDataExportTags`` (statement id -> its own
column name). ``Language`` holds translations by language code.

Columns in an export, as this reader expects them:

* multiple choice with one answer (``MC`` with ``SAVR``, ``SAHR``, ``DL``, ``SB``,
  ``NPS``): ``Q5``; a choice with a text box adds ``Q5_<id>_TEXT`` (free text);
* matrix with one answer per statement (``Matrix``, ``Likert``/``Bipolar``,
  ``SingleAnswer`` or ``DL``): ``Q5_<statement id>`` or the statement's own export
  tag; the statements share the question (a proposed scale);
* text entry (``TE``): ``Q5`` (number or date when its validation says so); a form
  (``FORM``): ``Q5_<id>``; slider (``Slider``): ``Q5_<id>`` numbers.

Numbers: the recode values when the question sets them, otherwise the position in
the choice (or scale point) order, 1 for the first. The code an export holds for an
option is its recode value, or its choice id when there is none.

Other question types (multiple answers, side by side, rank order, descriptive text,
timing, meta info) are not described; their columns keep what the export says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from peereval.labels import known_label
from peereval.loaders.definitions._model import (
    Choice,
    DefinedQuestion,
    SurveyDefinition,
    definition_error,
    number_or_none,
    plain_text,
    read_bytes,
)
from peereval.responses import ItemKind

__all__ = ["read"]

_SINGLE = {"SAVR", "SAHR", "DL", "SB", "SACOL", "NPS"}
_MATRIX = {"Likert", "Bipolar"}
_HINT = ("export the survey again from Qualtrics (Survey editor > Tools > Import/Export > "
         "Export survey) and pass the .qsf file unchanged")


def read(path: str | Path) -> SurveyDefinition:
    """Read a Qualtrics ``.qsf`` survey definition.

    Parameters
    ----------
    path
        The ``.qsf`` file.

    Returns
    -------
    SurveyDefinition
        One question per export column the file describes, in survey order.

    Raises
    ------
    FileFormatError
        When the file is not JSON, has no ``SurveyElements``, or a question's
        payload lacks what every Qualtrics question has; the message names the
        element.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> qsf = {"SurveyEntry": {"SurveyLanguage": "EN"}, "SurveyElements": [
    ...     {"Element": "SQ", "PrimaryAttribute": "QID1", "Payload": {
    ...         "QuestionID": "QID1", "DataExportTag": "Q1", "QuestionType": "MC",
    ...         "Selector": "SAVR", "QuestionText": "Year of study",
    ...         "Choices": {"1": {"Display": "First"}, "2": {"Display": "Second"}},
    ...         "ChoiceOrder": ["2", "1"]}}]}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.qsf"
    >>> _ = path.write_text(json.dumps(qsf))
    >>> question = read(path).questions["Q1"]
    >>> question.kind, question.options
    ('choice', ((1, 'Second'), (2, 'First')))
    """
    path = Path(path)
    data = read_bytes(path)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise definition_error("the .qsf file is not UTF-8 text", path,
                               f"byte {exc.start}", hint=_HINT) from exc
    except json.JSONDecodeError as exc:
        raise definition_error(f"the .qsf file is not valid JSON ({exc.msg})", path,
                               f"line {exc.lineno}, column {exc.colno}", hint=_HINT) from exc
    if not isinstance(document, dict) or not isinstance(document.get("SurveyElements"), list):
        raise definition_error("this is not a Qualtrics survey definition: it has no "
                               "'SurveyElements' list", path, "the top level", hint=_HINT)
    entry = document.get("SurveyEntry") if isinstance(document.get("SurveyEntry"), dict) else {}
    default_language = str(entry.get("SurveyLanguage") or "EN")
    elements = document["SurveyElements"]
    payloads: dict[str, tuple[int, dict[str, Any]]] = {}
    order: list[str] = []
    trash: set[str] = set()
    for index, element in enumerate(elements):
        if not isinstance(element, dict):
            raise definition_error("an element of SurveyElements is not an object", path,
                                   f"SurveyElements[{index}]", hint=_HINT)
        kind = element.get("Element")
        if kind == "BL":
            blocks = element.get("Payload") or []
            if isinstance(blocks, dict):
                blocks = list(blocks.values())
            for block in blocks:
                if not isinstance(block, dict):
                    continue
                ids = [e.get("QuestionID") for e in block.get("BlockElements") or []
                       if isinstance(e, dict) and e.get("Type") == "Question"]
                if block.get("Type") == "Trash":
                    trash.update(ids)
                else:
                    order.extend(ids)
        elif kind == "SQ":
            payload = element.get("Payload")
            if not isinstance(payload, dict):
                raise definition_error("a question element has no Payload object", path,
                                       f"SurveyElements[{index}]", hint=_HINT)
            qid = str(payload.get("QuestionID") or element.get("PrimaryAttribute") or "")
            if not qid:
                raise definition_error("a question has no QuestionID", path,
                                       f"SurveyElements[{index}]", hint=_HINT)
            payloads[qid] = (index, payload)
    if not payloads:
        raise definition_error("the survey definition holds no questions (no 'SQ' "
                               "elements)", path, "SurveyElements", hint=_HINT)
    ordered = [q for q in dict.fromkeys(order) if q in payloads]
    ordered += [q for q in payloads if q not in ordered and q not in trash]
    languages: dict[str, None] = {default_language: None}
    questions: dict[str, DefinedQuestion] = {}
    for qid in ordered:
        index, payload = payloads[qid]
        where = f"SurveyElements[{index}] ({qid})"
        for question in _questions(payload, qid, where, default_language, path):
            questions.setdefault(question.code, question)
        translations = payload.get("Language")
        if isinstance(translations, dict):
            languages.update(dict.fromkeys(str(k) for k in translations))
    return SurveyDefinition(path, "qualtrics", questions, tuple(languages))


def _ordered(mapping: Any, order: Any, what: str, where: str, path: Path) -> list[str]:
    if mapping is None:
        return []
    if isinstance(mapping, list):  # an empty object is sometimes written []
        if mapping:
            raise definition_error(f"{what} is a list, not an object of id -> option",
                                   path, where, hint=_HINT)
        return []
    if not isinstance(mapping, dict):
        raise definition_error(f"{what} is not an object of id -> option", path, where,
                               hint=_HINT)
    ids = [str(i) for i in order] if isinstance(order, list) else []
    ids = [i for i in ids if i in mapping]
    return ids + [str(i) for i in mapping if str(i) not in ids]


def _display(option: Any) -> str:
    return plain_text(option.get("Display") if isinstance(option, dict) else option)


def _translated(payload: dict[str, Any], key: str, oid: str, default: str,
                language: str) -> dict[str, str]:
    labels = {language: default}
    for lang, translation in (payload.get("Language") or {}).items():
        if not isinstance(translation, dict):
            continue
        options = translation.get(key)
        if isinstance(options, dict) and oid in options:
            text = _display(options[oid])
            if text:
                labels.setdefault(str(lang), text)
    return labels


def _scale(payload: dict[str, Any], key: str, order_key: str, where: str, path: Path,
           language: str) -> tuple[Choice, ...]:
    options = payload.get(key)
    ids = _ordered(options, payload.get(order_key), key, where, path)
    recode = payload.get("RecodeValues") if isinstance(payload.get("RecodeValues"), dict) else {}
    out = []
    for position, oid in enumerate(ids, start=1):
        value = recode.get(oid)
        number = number_or_none(value) if value is not None else None
        if value is not None and number is None:
            raise definition_error(f"the recode value of option {oid} is not a number",
                                   path, where, value=value, hint=_HINT)
        code = str(value).strip() if value is not None else oid
        out.append(Choice(code, number if number is not None else float(position),
                          _translated(payload, key, oid, _display(options[oid]), language)))
    return tuple(out)


def _scale_kind(choices: tuple[Choice, ...]) -> ItemKind:
    known = sum(1 for c in choices if known_label(c.label))
    return "likert" if len(choices) >= 3 and known >= len(choices) - 1 else "choice"


def _questions(payload: dict[str, Any], qid: str, where: str, language: str,
               path: Path) -> list[DefinedQuestion]:
    qtype = payload.get("QuestionType")
    selector = payload.get("Selector")
    if not isinstance(qtype, str):
        raise definition_error("the question has no QuestionType", path, where, hint=_HINT)
    tag = str(payload.get("DataExportTag") or qid)
    text = plain_text(payload.get("QuestionText")) or tag
    texts = {language: text}
    for lang, translation in (payload.get("Language") or {}).items():
        if isinstance(translation, dict) and plain_text(translation.get("QuestionText")):
            texts.setdefault(str(lang), plain_text(translation.get("QuestionText")))
    choices = payload.get("Choices")
    out: list[DefinedQuestion] = []
    if qtype == "MC" and selector in _SINGLE:
        options = _scale(payload, "Choices", "ChoiceOrder", where, path, language)
        kind: ItemKind = "likert" if selector == "NPS" else _scale_kind(options)
        out.append(DefinedQuestion(tag, text, kind, options, None, where, texts))
        for oid in _ordered(choices, payload.get("ChoiceOrder"), "Choices", where, path):
            if isinstance(choices[oid], dict) and choices[oid].get("TextEntry"):
                out.append(DefinedQuestion(f"{tag}_{oid}_TEXT",
                                           f"{text} - {_display(choices[oid])}", "text",
                                           where=where))
    elif qtype == "Matrix" and selector in _MATRIX and payload.get("SubSelector") in (
            "SingleAnswer", "DL", None):
        scale = _scale(payload, "Answers", "AnswerOrder", where, path, language)
        tags = payload.get("ChoiceDataExportTags")
        tags = tags if isinstance(tags, dict) else {}
        for oid in _ordered(choices, payload.get("ChoiceOrder"), "Choices", where, path):
            statement = _display(choices[oid])
            code = str(tags.get(oid) or f"{tag}_{oid}")
            if isinstance(choices[oid], dict) and choices[oid].get("TextEntry"):
                out.append(DefinedQuestion(f"{code}_TEXT", f"{text} - {statement}", "text",
                                           where=where))
            out.append(DefinedQuestion(code, f"{text} - {statement}", "likert", scale, qid,
                                       where, {language: f"{text} - {statement}"},
                                       (f"{text} - {statement}",)))
    elif qtype == "TE" and selector == "FORM":
        for oid in _ordered(choices, payload.get("ChoiceOrder"), "Choices", where, path):
            out.append(DefinedQuestion(f"{tag}_{oid}", f"{text} - {_display(choices[oid])}",
                                       "text", where=where))
    elif qtype == "TE":
        settings = (payload.get("Validation") or {}).get("Settings") or {}
        content = settings.get("ContentType") if isinstance(settings, dict) else None
        kind = {"ValidNumber": "number", "ValidDate": "date"}.get(str(content), "text")
        out.append(DefinedQuestion(tag, text, kind, where=where, texts=texts))
    elif qtype == "Slider":
        for oid in _ordered(choices, payload.get("ChoiceOrder"), "Choices", where, path):
            out.append(DefinedQuestion(f"{tag}_{oid}", f"{text} - {_display(choices[oid])}",
                                       "number", where=where))
    return out
