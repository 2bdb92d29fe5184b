"""LimeSurvey survey structures (``.lss``).

A ``.lss`` file (Survey > Display/Export > Survey structure (.lss)) is XML: a
``<document>`` with ``<LimeSurveyDocType>Survey</LimeSurveyDocType>``, a
``<DBVersion>``, the survey's ``<languages>``, then one element per database table,
each holding ``<rows>`` of ``<row>`` elements whose children are the table's fields
(values in CDATA sections):

* ``<questions>`` and ``<subquestions>``: ``qid``, ``parent_qid`` (0 for a question,
  the parent's ``qid`` for a subquestion), ``gid``, ``type``, ``title`` (the question
  code), ``other``, ``question_order``, ``scale_id``;
* ``<answers>``: the answer options of list and array questions: ``qid``, ``code``
  (``A1``, ``AO01``, ...), ``sortorder``, ``assessment_value``, ``scale_id``;
* the texts: since LimeSurvey 4 (DBVersion 400 and later) in ``<question_l10ns>``
  (``qid``, ``question``, ``language``) and ``<answer_l10ns>`` (``aid``, ``answer``,
  ``language``; answers then carry an ``aid``); before, in the ``question`` and
  ``answer`` fields of each row, one row per language;
* ``<groups>``: ``gid`` and ``group_order``; ``<surveys>``: the base ``language``.

Export columns, as LimeSurvey's "Question code" headings name them: ``code`` for a
question, ``code[SQ001]`` for an array's (or multiple texts' or numbers')
subquestion, ``code[other]`` and ``code[comment]`` for an "other" and a comment box.

Kinds: arrays (``F``, ``H``, 5- and 10-point ``A``, ``B``) are ``likert`` and their
subquestions share the question (a proposed scale); ``C`` (yes/no/uncertain) and
``E`` (increase/same/decrease) arrays, gender (``G``), yes/no (``Y``) and lists
(``L``, ``!``, ``O``) are ``choice``, unless a list's answers form a known response
scale; texts (``S``, ``T``, ``U``, ``Q``) are ``text``; numbers (``N``, ``K``) are
``number``; ``D`` is a date. Multiple choice, ranking, dual-scale and other arrays
are not described.

Numbers: an answer's ``assessment_value`` when the question's answers set them (not
all zero) and they are all different; otherwise its rank in ``sortorder`` (1 for the
first). The labels are those of the survey's base language. LimeSurvey words the
options of its fixed questions (gender, yes/no, 5- and 10-point, yes/no/uncertain,
increase/same/decrease) itself, in the respondent's language, so their codes are
decoded and other answer texts are kept as exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from peereval.labels import known_label
from peereval.loaders.definitions._model import (
    Choice,
    DefinedQuestion,
    SurveyDefinition,
    definition_error,
    number_or_none,
    parse_xml,
    plain_text,
    read_bytes,
)
from peereval.responses import ItemKind

__all__ = ["read"]

_HINT = ("export the survey structure again from LimeSurvey (Survey > Display/Export > "
         "Survey structure (.lss)) and pass the file unchanged")
_ARRAYS_WITH_ANSWERS = {"F", "H"}
_LISTS = {"L", "!", "O"}
_FIXED = {
    "A": tuple((str(k), float(k), str(k)) for k in range(1, 6)),
    "B": tuple((str(k), float(k), str(k)) for k in range(1, 11)),
    "5": tuple((str(k), float(k), str(k)) for k in range(1, 6)),
    "C": (("Y", 1.0, "Yes"), ("N", 2.0, "No"), ("U", 3.0, "Uncertain")),
    "E": (("I", 1.0, "Increase"), ("S", 2.0, "Same"), ("D", 3.0, "Decrease")),
    "G": (("F", 1.0, "Female"), ("M", 2.0, "Male")),
    "Y": (("Y", 1.0, "Yes"), ("N", 2.0, "No")),
}
_TEXT = {"S", "T", "U"}
_NUMBER = {"N"}
_WITH_SUBQUESTIONS = {"F", "H", "A", "B", "C", "E", "Q", "K"}


def _question_rows(root: Any, path: Path, base: str
                   ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """Every question and subquestion row by qid, and its text in each language (from
    the rows themselves, or from ``question_l10ns`` in LimeSurvey 4 and later)."""
    questions: dict[str, dict[str, Any]] = {}
    texts: dict[str, dict[str, str]] = {}
    for table in ("questions", "subquestions"):
        for number, row in _rows(root, table, path):
            where = f"<{table}> row {number}"
            for key in ("qid", "type", "title"):
                if not row.get(key):
                    raise definition_error(f"a question has no '{key}'", path, where,
                                           hint=_HINT)
            qid = row["qid"]
            questions.setdefault(qid, {**row, "where": where})
            if "question" in row:
                texts.setdefault(qid, {})[row.get("language") or base] = plain_text(
                    row["question"])
    for _, row in _rows(root, "question_l10ns", path):
        if row.get("qid"):
            texts.setdefault(row["qid"], {})[row.get("language") or base] = plain_text(
                row.get("question"))
    if not questions:
        raise definition_error("the survey structure holds no questions", path,
                               "<questions>", hint=_HINT)
    return questions, texts


def read(path: str | Path) -> SurveyDefinition:
    """Read a LimeSurvey ``.lss`` survey structure.

    Parameters
    ----------
    path
        The ``.lss`` file (any LimeSurvey version from 2 on).

    Returns
    -------
    SurveyDefinition
        One question per export column, keyed by its "Question code" heading.

    Raises
    ------
    FileFormatError
        When the file is not well-formed XML, declares a DTD, is not a LimeSurvey
        survey structure, or a row lacks a field every question has; the message
        names the table and row.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> lss = '''<?xml version="1.0" encoding="UTF-8"?><document>
    ... <LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>164</DBVersion>
    ... <languages><language>en</language></languages>
    ... <answers><rows>
    ...  <row><qid>7</qid><code>AO01</code><answer>First year</answer>
    ...   <sortorder>0</sortorder><assessment_value>0</assessment_value>
    ...   <language>en</language><scale_id>0</scale_id></row>
    ...  <row><qid>7</qid><code>AO02</code><answer>Second year</answer>
    ...   <sortorder>1</sortorder><assessment_value>0</assessment_value>
    ...   <language>en</language><scale_id>0</scale_id></row></rows></answers>
    ... <questions><rows><row><qid>7</qid><parent_qid>0</parent_qid><gid>1</gid>
    ...  <type>L</type><title>year</title><question>Year of study?</question>
    ...  <question_order>1</question_order><language>en</language></row></rows>
    ... </questions></document>'''
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.lss"
    >>> _ = path.write_text(lss)
    >>> question = read(path).questions["year"]
    >>> question.kind, question.options, [c.code for c in question.choices]
    ('choice', ((1, 'First year'), (2, 'Second year')), ['AO01', 'AO02'])
    """
    path = Path(path)
    root = parse_xml(read_bytes(path), path)
    if root.tag != "document" or root.find("LimeSurveyDocType") is None:
        raise definition_error(f"this is not a LimeSurvey survey structure (the XML's root "
                               f"is <{root.tag}>, not <document> with a "
                               "<LimeSurveyDocType>)", path, "the root element", hint=_HINT)
    doctype = (root.findtext("LimeSurveyDocType") or "").strip()
    if doctype and doctype != "Survey":
        raise definition_error(f"this LimeSurvey file holds a {doctype.lower()}, not a "
                               "whole survey", path, "<LimeSurveyDocType>", hint=_HINT)
    languages = [(e.text or "").strip() for e in root.iterfind("languages/language")]
    base = next((r["language"] for _, r in _rows(root, "surveys", path) if r.get("language")),
                languages[0] if languages else "")
    languages = [base, *[lang for lang in languages if lang != base]] if base else languages

    questions, texts = _question_rows(root, path, base)
    answers = _answers(root, path, base)
    group_order = {r.get("gid"): _int(r.get("group_order")) for _, r in
                   _rows(root, "groups", path)}
    top = [q for q in questions.values() if q.get("parent_qid", "0") in ("0", "")]
    top.sort(key=lambda q: (group_order.get(q.get("gid"), 0), _int(q.get("question_order"))))
    children: dict[str, list[dict[str, Any]]] = {}
    for q in questions.values():
        if q.get("parent_qid", "0") not in ("0", ""):
            children.setdefault(q["parent_qid"], []).append(q)
    for subs in children.values():
        subs.sort(key=lambda q: _int(q.get("question_order")))

    def text_of(qid: str) -> dict[str, str]:
        found = texts.get(qid, {})
        ordered = {lang: found[lang] for lang in languages if found.get(lang)}
        ordered.update({k: v for k, v in found.items() if v and k not in ordered})
        return ordered

    out: dict[str, DefinedQuestion] = {}
    for q in top:
        qtype, code, where = q["type"], q["title"], q["where"]
        qtexts = text_of(q["qid"]) or {base: code}
        qtext = next(iter(qtexts.values()))
        choices = _choices(q, answers.get(q["qid"], []), path)
        subs = [s for s in children.get(q["qid"], []) if _int(s.get("scale_id")) == 0]
        if qtype in _WITH_SUBQUESTIONS:
            kind: ItemKind
            if qtype in ("Q",):
                kind = "text"
            elif qtype == "K":
                kind = "number"
            elif qtype in ("C", "E"):
                kind = "choice"
            else:
                kind = "likert"
            for sub in subs:
                stexts = text_of(sub["qid"]) or {base: sub["title"]}
                row_texts = {lang: f"{qtexts.get(lang, qtext)} - {t}"
                             for lang, t in stexts.items()}
                aliases = tuple(f"{qtexts.get(lang, qtext)} [{t}]" for lang, t in stexts.items())
                out[f"{code}[{sub['title']}]"] = DefinedQuestion(
                    f"{code}[{sub['title']}]", next(iter(row_texts.values())), kind,
                    choices if kind in ("likert", "choice") else (),
                    code if kind in ("likert", "choice") else None, sub["where"], row_texts,
                    aliases, translated=qtype in _FIXED)
        elif qtype in _LISTS or qtype in ("5", "G", "Y"):
            if q.get("other") == "Y" and qtype in _LISTS:
                choices = (*choices, Choice("-oth-", float(len(choices) + 1),
                                            {base: "Other"}))
                out[f"{code}[other]"] = DefinedQuestion(f"{code}[other]", f"{qtext} - Other",
                                                        "text", where=where)
            kind = "likert" if qtype == "5" else _list_kind(choices)
            out[code] = DefinedQuestion(code, qtext, kind, choices, None, where, qtexts,
                                        tuple(qtexts.values()), translated=qtype in _FIXED)
            if qtype == "O":
                out[f"{code}[comment]"] = DefinedQuestion(
                    f"{code}[comment]", f"{qtext} - Comment", "text", where=where)
        elif qtype in _TEXT or qtype in _NUMBER or qtype == "D":
            kind = "text" if qtype in _TEXT else "number" if qtype in _NUMBER else "date"
            out[code] = DefinedQuestion(code, qtext, kind, where=where, texts=qtexts,
                                        aliases=tuple(qtexts.values()))
    return SurveyDefinition(path, "limesurvey", out, tuple(languages))


def _int(text: Any) -> int:
    number = number_or_none(text)
    return int(number) if number is not None else 0


def _rows(root: Any, table: str, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of one table as field -> text (CDATA content, stripped)."""
    section = root.find(table)
    if section is None:
        return
    rows = section.find("rows")
    if rows is None:
        return
    for number, row in enumerate(rows.iterfind("row"), start=1):
        yield number, {child.tag: (child.text or "").strip() for child in row}


def _answers(root: Any, path: Path, base: str) -> dict[str, list[dict[str, Any]]]:
    """Question id -> its answer options (scale 0) with their texts by language."""
    l10n: dict[str, dict[str, str]] = {}
    for _, row in _rows(root, "answer_l10ns", path):
        if row.get("aid"):
            l10n.setdefault(row["aid"], {})[row.get("language") or base] = plain_text(
                row.get("answer"))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in _rows(root, "answers", path):
        where = f"<answers> row {number}"
        if not row.get("qid") or not row.get("code"):
            raise definition_error("an answer option has no 'qid' or 'code'", path, where,
                                   hint=_HINT)
        if _int(row.get("scale_id")) != 0:
            continue
        key = (row["qid"], row["code"])
        entry = found.setdefault(key, {**row, "where": where, "labels": {}})
        if "answer" in row:
            entry["labels"][row.get("language") or base] = plain_text(row["answer"])
        elif row.get("aid") in l10n:
            entry["labels"].update(l10n[row["aid"]])
    out: dict[str, list[dict[str, Any]]] = {}
    for (qid, _), entry in found.items():
        out.setdefault(qid, []).append(entry)
    return out


def _choices(question: dict[str, Any], answers: list[dict[str, Any]],
             path: Path) -> tuple[Choice, ...]:
    qtype = question["type"]
    if qtype in _FIXED:
        return tuple(Choice(code, number, {"": label}) for code, number, label in _FIXED[qtype])
    if not answers:
        return ()
    answers = sorted(answers, key=lambda a: _int(a.get("sortorder")))
    values = [number_or_none(a.get("assessment_value")) for a in answers]
    assessed = (all(v is not None for v in values) and any(v for v in values)
                and len(set(values)) == len(values))
    out = []
    for rank, (answer, value) in enumerate(zip(answers, values, strict=True), start=1):
        labels = {lang: text for lang, text in answer["labels"].items() if text}
        out.append(Choice(answer["code"], float(value) if assessed and value is not None
                          else float(rank), labels or {"": answer["code"]}))
    return tuple(out)


def _list_kind(choices: tuple[Choice, ...]) -> ItemKind:
    known = sum(1 for c in choices if known_label(c.label))
    return "likert" if len(choices) >= 3 and known >= len(choices) - 1 else "choice"
