"""``peereval init``: a starter ``study.toml`` from the files an evaluator has.

:func:`starter_study` looks at each file it is given and tells what it is:

* a **survey export** when :func:`peereval.read_export` recognises a platform's layout
  (Qualtrics, SurveyMonkey, REDCap, ...; an SPSS file; or a plain table with several
  agreement-scale columns);
* **academic records** when a plain table has a student-id column (unique values, a
  header such as ``student_id``) and a yes/no-like group column (``mentored`` =
  yes/no, 1/0, بله/خیر, intervention/control);
* **expert-panel ratings** when a workbook has sheets named ``relevance`` or
  ``essentiality``, or a table has an item column and several columns of ratings
  1-5 or of Lawshe's labels;
* a **codebook** when a ``.toml`` file has ``[scales.NAME]`` tables;
* a **REDCap data dictionary** by its "Variable / Field Name" and "Field Type"
  columns.

It then writes ``study.toml`` listing every key of :data:`peereval.study.SCHEMA` with
its meaning: what it could guess is filled in (the survey's student-id column, found
by the overlap of ids with the records, the records' id and group columns and the
value meaning "mentored", numeric columns as outcomes, a baseline, covariates, the
mentor-group column, free-text comments, a retest and the days between the two), the
rest commented out. Every guess carries its evidence as a comment, and so does every
column left out (ids, constants, ages typed as text). Without a codebook it also
writes a ``codebook.toml`` stub proposing the questions that share a response scale
as scales, for the user to check and group.
Nothing is overwritten unless asked, and the result says what was guessed and what
the user must check.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from peereval._results import Result
from peereval.errors import ConfigError, PeerevalError

__all__ = ["DetectedFile", "IdOverlap", "StarterStudy", "best_id_overlap", "constant_evidence",
           "demographic_evidence", "detect_file", "free_text_evidence", "id_evidence",
           "starter_study"]

_AFFIRMATIVE = {"yes", "y", "true", "1", "mentored", "mentee", "mentees", "intervention",
                "treated", "treatment", "participant", "participated", "joined", "بله",
                "آری", "اری", "بلی", "دارد", "منتور", "منتورشده"}
_NEGATIVE = {"no", "n", "false", "0", "notmentored", "nonmentored", "unmentored",
             "control", "comparison", "nonparticipant", "notparticipant", "none",
             "خیر", "نه", "ندارد", "کنترل"}
_GROUP_WORDS = ("mentor", "group", "arm", "cohort", "intervention", "treat", "programme",
                "program", "participa", "condition", "منتور", "گروه", "مداخله")
_ID_WORDS = ("studentid", "studentnumber", "studentno", "studentcode", "matric",
             "registration", "شمارهدانشجویی", "کددانشجویی", "شمارهدانشجو")
_BASELINE_TOKENS = {"entry", "baseline", "pre", "prior", "admission", "mcat", "konkur",
                    "entrance", "intake", "ورودی", "کنکور"}
_COVARIATE_TOKENS = {"sex", "gender", "age", "ethnicity", "urim", "ses", "firstgen",
                     "جنس", "جنسیت", "سن"}
_DOSE_TOKENS = {"session", "sessions", "attended", "attendance", "dose", "visits",
                "meetings", "hours", "جلسه", "جلسات", "حضور"}
_ACADEMIC_TOKENS = {"gpa", "exam", "score", "scores", "grade", "grades", "mark", "marks",
                    "pass", "passed", "fail", "failed", "step1", "usmle", "nbme", "comlex",
                    "معدل", "نمره", "قبولی"}
_ATTRITION_TOKENS = {"dropout", "dropped", "attrition", "withdrew", "withdrawn",
                     "remediation", "resit", "repeat", "repeated"}
_NOT_STUDENT_ID = {"source_id", "response_id", "finished", "progress", "duration_s",
                   "started", "ended", "status", "ip_address", "email", "name",
                   "first_name", "last_name", "latitude", "longitude", "language",
                   "collector_id", "recipient_email", "recipient_first_name",
                   "recipient_last_name", "username", "deviceid", "_id", "_uuid"}
_LAWSHE = {"essential", "usefulbutnotessential", "useful", "notnecessary", "notessential",
           "ضروری", "مفیداماغیرضروری", "غیرضروری"}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class DetectedFile:
    """One input file and what :func:`detect_file` took it for.

    ``kind`` is ``survey``, ``records``, ``expert_panel``, ``codebook`` or
    ``dictionary``; ``platform`` names a survey's platform; ``sheet`` the sheet that
    holds the data when a workbook has several; ``detail`` describes what was found.
    """

    path: Path
    kind: str
    detail: str
    platform: str | None = None
    sheet: str | None = None
    data: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, repr=False)
class StarterStudy(Result):
    """What :func:`starter_study` wrote, guessed and wants checked.

    Attributes
    ----------
    study
        The ``study.toml`` written.
    codebook
        The codebook stub written, or ``None`` when a codebook was given.
    files
        Each input as recognised (:class:`DetectedFile`).
    guesses
        Every value filled in from the data rather than known for sure.
    checks
        What the user must check or add before running ``peereval report``.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> import peereval
    >>> from peereval.study import starter_study
    >>> folder = Path(tempfile.mkdtemp())
    >>> survey = shutil.copy(peereval.sample_path("survey"), folder)
    >>> starter = starter_study([survey], out=folder / "mystudy")
    >>> starter.study.name, starter.codebook.name
    ('study.toml', 'codebook.toml')
    >>> any("survey.id" in guess for guess in starter.guesses)
    True
    """

    study: Path
    codebook: Path | None
    files: tuple[DetectedFile, ...]
    guesses: tuple[str, ...]
    checks: tuple[str, ...]
    title: str = "peereval init"

    def to_frame(self) -> pd.DataFrame:
        """One row per input file: file, kind, platform, sheet, what was found."""
        return pd.DataFrame([{"file": f.path.name, "kind": f.kind,
                              "platform": f.platform or "", "sheet": f.sheet or "",
                              "detail": f.detail} for f in self.files],
                            columns=["file", "kind", "platform", "sheet", "detail"])

    def text(self) -> str:
        """What was written, recognised, guessed and must be checked, as plain lines."""
        lines = [f"wrote {self.study}"]
        if self.codebook is not None:
            lines.append(f"wrote {self.codebook} (a stub: group the items into scales)")
        lines.append("files:")
        lines += [f"  {f.path.name}: {f.kind}"
                  + (f" ({f.platform})" if f.platform else "")
                  + (f", sheet '{f.sheet}'" if f.sheet else "") + f" - {f.detail}"
                  for f in self.files]
        if self.guesses:
            lines.append("guessed (marked CHECK in the file):")
            lines += [f"  - {g}" for g in self.guesses]
        if self.checks:
            lines.append("to check or add before running peereval report:")
            lines += [f"  - {c}" for c in self.checks]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()


# ----------------------------------------------------------------------- helpers


def _key(text: Any) -> str:
    from peereval.labels import label_key

    return label_key(text)


def _tokens(header: str) -> set[str]:
    from peereval.labels import normalize_label

    return {t for t in re.split(r"[^\w]+|_", normalize_label(header)) if t}


def _number(value: Any) -> float | None:
    from peereval.labels import normalize_digits
    from peereval.loaders._table import cell_text

    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = cell_text(value)
    if not text:
        return None
    try:
        return float(normalize_digits(text))
    except ValueError:
        return None


@dataclass
class _Column:
    header: str
    values: list[Any]

    @property
    def filled(self) -> list[Any]:
        from peereval.loaders._table import cell_text

        return [v for v in self.values if cell_text(v) != ""]

    @property
    def texts(self) -> list[str]:
        from peereval.loaders._table import cell_text

        return [cell_text(v) for v in self.values]

    @property
    def numeric(self) -> bool:
        filled = self.filled
        return bool(filled) and all(_number(v) is not None for v in filled)

    def distinct(self) -> list[str]:
        return sorted({_key(t) for t in self.texts if t})


def _columns(table: Any) -> list[_Column]:
    headers = table.text_row(0)
    rows = table.rows[1:]
    return [_Column(h, [r[j] for r in rows]) for j, h in enumerate(headers) if h]


# ---------------------------------------------------------------------- evidence
# What a careful analyst looks at before taking a column for an id, a measure or a
# comment. Each helper returns the evidence as a phrase (shown in study.toml, the
# codebook stub and peereval validate), or None.

#: Headers that name an identifier whatever the values (label keys: no spaces).
_ID_NAMES = {"id", "studentid", "studentnumber", "studentno", "studentcode", "matric",
             "matricno", "matriculationnumber", "registrationnumber", "registrationno",
             "responseid", "respondentid", "recordid", "participantid", "nationalid",
             "nationalcode", "nationalnumber", "personnelnumber", "sourceid", "uuid",
             "شمارهدانشجویی", "کددانشجویی", "شمارهدانشجو", "شناسه", "کدملی", "شمارهملی",
             "شمارهپرونده", "کدپاسخدهنده", "شناسهپاسخ"}
#: Words of a header that may name an identifier: taken when the values are unique.
_ID_TOKENS = {"id", "code", "number", "no", "num", "nr", "uuid", "کد", "شماره", "شناسه"}
#: Words naming a question about the student rather than about the programme.
_DEMOGRAPHIC_TOKENS = {"age", "gender", "sex", "year", "years", "semester", "term",
                       "cohort", "nationality", "marital", "faculty", "major", "degree",
                       "سن", "جنس", "جنسیت", "سال", "ترم", "مقطع", "رشته", "ورودی", "تاهل",
                       "نیمسال"}
_NUMBERISH = re.compile(r"^[-+~]?\d+(?:[.,/]\d+)?(?:\s*[^\W\d_]{1,8}\.?){0,2}$")
#: Whole numbers of this many digits or more are codes, not measurements.
_ID_DIGITS = 6


def _filled_texts(values: Iterable[Any]) -> list[str]:
    from peereval.loaders._table import cell_text

    return [t for t in (cell_text(v) for v in values) if t and t.lower() not in ("nan",
                                                                                 "<na>")]


def _header_words(header: str) -> tuple[str, set[str]]:
    return _key(header), {_key(t) for t in _tokens(header)}


def id_evidence(header: str, values: Iterable[Any]) -> str | None:
    """Why a column looks like an identifier (its name, unique codes), or ``None``.

    An id is a column named like one (student number, شماره دانشجویی, national code,
    response id), a column whose header has an id word (``id``, ``code``, ``number``,
    ``کد``) and nine values in ten different, or a column of different whole
    numbers of six digits or more (codes, not measurements).

    Examples
    --------
    >>> id_evidence("Student number", ["9812001", "9812002"])
    "named like an id ('Student number'), 2 different values in 2 rows"
    >>> id_evidence("gpa", [15.2, 16.1, 17.3]) is None
    True
    >>> id_evidence("file", [4270011234, 4270025678, 4270039012])
    '3 different whole numbers of 10 digits in 3 rows: codes, not measurements'
    """
    from peereval.loaders.records import normalise_id

    filled = _filled_texts(values)
    if not filled:
        return None
    ids = [normalise_id(t) for t in filled]
    distinct, n = len(set(ids)), len(filled)
    key, words = _header_words(header)
    spread = f"{distinct} different values in {n} rows"
    if key in _ID_NAMES or any(w in key for w in _ID_WORDS):
        return f"named like an id ('{header}'), {spread}"
    if n >= 3 and distinct >= 0.9 * n:
        if words & _ID_TOKENS:
            return f"named like an id ('{header}') and {spread}"
        numbers = [_number(i) for i in ids]  # spaces and Persian digits normalised
        if all(x is not None and float(x).is_integer() and abs(x) >= 10 ** (_ID_DIGITS - 1)
               for x in numbers):
            digits = max(len(str(int(abs(x)))) for x in numbers if x is not None)
            return (f"{distinct} different whole numbers of {digits} digits in {n} rows: "
                    "codes, not measurements")
        if distinct == n and all(re.fullmatch(r"(?=.*\d)(?=.*[^\W\d])[\w-]{5,}", t)
                                 for t in filled):
            return f"a different code in every row (e.g. '{filled[0][:12]}')"
    return None


def constant_evidence(values: Iterable[Any]) -> str | None:
    """Why a column cannot be an outcome or a covariate: it holds one value or none.

    Examples
    --------
    >>> constant_evidence([1402, 1402, None, 1402])
    "every one of the 3 filled rows holds '1402'"
    >>> constant_evidence([1, 2]) is None
    True
    """
    filled = _filled_texts(values)
    distinct = {_key(t) for t in filled}
    if not filled:
        return "no value in any row"
    if len(distinct) == 1:
        return f"every one of the {len(filled)} filled rows holds '{filled[0]}'"
    return None


def demographic_evidence(item: Any) -> str | None:
    """Why a single question is about the student (age, gender, year), not a scale item.

    Examples
    --------
    >>> from peereval.responses import Item
    >>> demographic_evidence(Item("Year of study", "Year of study", "likert"))
    'named like a question about the student (year)'
    """
    text = item.code + " " + (item.text or "")
    words = {_key(t) for t in _tokens(text)} & {_key(t) for t in _DEMOGRAPHIC_TOKENS}
    if item.question is None and words:
        return f"named like a question about the student ({', '.join(sorted(words))})"
    return None


def free_text_evidence(code: str, item: Any, answers: Sequence[Any]) -> tuple[bool, str]:
    """Whether an item holds comments (free text), and the evidence either way.

    A comment is a free-text question whose answers are words: not an id (a student
    number typed in), not numbers (an age typed in), not about the student (age).

    Examples
    --------
    >>> from peereval.responses import Item
    >>> free_text_evidence("Age", Item("Age", "Age", "text"), ["21", "22 years", "19"])
    (False, "3 of 3 answers are numbers (e.g. '21')")
    >>> free_text_evidence("Q5", Item("Q5", "Comments?", "text"),
    ...                    ["Great mentor", "More sessions please"])[0]
    True
    """
    from peereval.labels import normalize_digits

    if item.kind != "text":
        return False, f"a {item.kind} question, not free text"
    filled = _filled_texts(answers)
    if not filled:
        return False, "nobody answered it"
    evidence = id_evidence(item.column or code, filled) or (
        id_evidence(item.text, filled) if item.text else None)
    if evidence:
        return False, f"it looks like an id: {evidence}"
    numeric = [t for t in filled if _NUMBERISH.fullmatch(normalize_digits(t).strip())]
    if len(numeric) >= 0.5 * len(filled):
        return False, f"{len(numeric)} of {len(filled)} answers are numbers (e.g. '{numeric[0]}')"
    about = demographic_evidence(item)
    if about:
        return False, about
    words = sorted(len(t.split()) for t in filled)
    return True, (f"free text: {len(filled)} answers, {len(set(filled))} different, "
                  f"median {words[len(words) // 2]} word(s)")


@dataclass(frozen=True)
class IdOverlap:
    """How many ids of a survey column are found in a records column.

    Examples
    --------
    >>> IdOverlap("Student number", "student_id", 142, 149).text()
    '142 of 149 survey ids found in records.student_id'
    """

    survey_column: str
    records_column: str
    found: int
    total: int

    def text(self) -> str:
        """The overlap as init and validate write it."""
        return (f"{self.found} of {self.total} survey ids found in "
                f"records.{self.records_column}")


def _survey_id_candidates(responses: Any) -> list[tuple[str, list[Any]]]:
    from peereval.responses import STANDARD_META

    candidates = [(str(name), list(responses.meta[name])) for name in responses.meta.columns
                  if name not in STANDARD_META and str(name) != "source_id"]
    candidates += [(code, list(responses.answers[code]))
                   for code in responses.items_of_kind("number", "text", "choice")]
    return candidates


def best_id_overlap(responses: Any, record_columns: dict[str, Sequence[Any]]
                    ) -> IdOverlap | None:
    """The survey column and records column sharing the most ids (after normalising).

    Ids are compared after :func:`peereval.loaders.records.normalise_id` (spaces,
    leading zeros, Persian digits, ``123.0``). Only survey columns whose values are
    (nearly) all different are candidates: an age or a year of study, whose values
    many respondents share, would match a records column of row numbers. Ties go to
    the survey column named like a student id, then to the first. ``None`` when no
    value is shared.

    Parameters
    ----------
    responses
        The survey export, as read by :func:`peereval.read_export`.
    record_columns
        Candidate id columns of the records: header -> values.

    Returns
    -------
    IdOverlap or None

    Examples
    --------
    >>> import peereval
    >>> responses = peereval.read_export(peereval.sample_path("survey"))
    >>> records = peereval.read_records(peereval.sample_path("records"), id="student_id")
    >>> best_id_overlap(responses, {"student_id": list(records.data.index)}).text()
    '149 of 149 survey ids found in records.student_id'
    """
    from peereval.loaders.records import normalise_id

    targets = {name: {normalise_id(v) for v in values} - {None}
               for name, values in record_columns.items()}
    best: tuple[tuple[int, int, int], IdOverlap] | None = None
    for order, (name, values) in enumerate(_survey_id_candidates(responses)):
        ids = [normalise_id(v) for v in _filled_texts(values)]
        if not ids or len(set(ids)) < 0.8 * len(ids):
            continue  # ages, years, choices: values shared by many are no student ids
        named = int(any(w in _key(name) for w in _ID_WORDS) or _key(name) in _ID_NAMES)
        for records_name, known in targets.items():
            found = sum(i in known for i in ids)
            rank = (found, named, -order)
            if found and (best is None or rank > best[0]):
                best = (rank, IdOverlap(name, records_name, found, len(ids)))
    return best[1] if best else None


# ---------------------------------------------------------------------- detection


def detect_file(path: str | Path, *, definition: str | Path | None = None) -> DetectedFile:
    """Tell what an input file is: survey export, records, expert panel, codebook.

    Parameters
    ----------
    path
        A survey export (any platform :func:`peereval.read_export` reads), an
        academic-records table, an expert panel's ratings, a codebook (``.toml``) or
        a REDCap data dictionary.
    definition
        The survey's definition file (``.qsf``, ``.lss``, XLSForm), used to read a
        file recognised as a platform's export (LimeSurvey answer codes, Kobo choice
        names cannot be read without it).

    Returns
    -------
    DetectedFile

    Raises
    ------
    PeerevalError
        The file does not exist, cannot be read, or is none of the above.

    Examples
    --------
    >>> import peereval
    >>> detect_file(peereval.sample_path("records")).kind
    'records'
    >>> found = detect_file(peereval.sample_path("survey"))
    >>> found.kind, found.platform
    ('survey', 'qualtrics')
    """
    from peereval.loaders import detect_platform, read_export
    from peereval.loaders._table import open_source

    path = Path(path)
    if not path.exists():
        raise PeerevalError("the file does not exist", file=path,
                            hint="check the path and the file name")
    if path.is_dir():
        raise PeerevalError("this is a folder, not a file", file=path,
                            hint="give the files themselves (survey export, records, ...)")
    if path.suffix.lower() == ".toml":
        return _detect_toml(path)
    source = open_source(path)
    if source.kind == "sav":
        responses = read_export(path, platform="spss", definition=definition)
        return _survey(path, responses, None)
    tables = source.tables
    if not tables:
        raise PeerevalError("the workbook has no sheet with data", file=path,
                            hint="check that the right file was given")
    panel = _panel_from_sheet_names(path, source)
    if panel is not None:
        return panel
    for table in tables:
        if _is_dictionary(table):
            return DetectedFile(path, "dictionary", f"REDCap data dictionary, "
                                f"{len(table.rows) - 1} fields", sheet=table.sheet)
    several = len(tables) > 1
    recognised = []
    for table in tables:
        name, score = detect_platform(table)
        if name != "generic" and score >= 0.5:
            recognised.append((score, table))
    if recognised:
        table = max(recognised, key=lambda pair: pair[0])[1]
        sheet = table.sheet if several else None
        return _survey(path, read_export(path, sheet=sheet, definition=definition), sheet)
    generic_surveys = []
    for table in tables:
        sheet = table.sheet if several else None
        likert = _generic_likert(path, sheet)
        records = _records_guess(table)
        if records is not None and (likert is None or len(likert.likert_items) < 3):
            return DetectedFile(path, "records", records.pop("detail"), sheet=sheet,
                                data=records)
        if _panel_like(table):
            return DetectedFile(path, "expert_panel", "ratings table, items x experts",
                                sheet=sheet, data={"relevance_sheet": sheet})
        if likert is not None and len(likert.likert_items) >= 2:
            generic_surveys.append((likert, sheet))
    if generic_surveys:
        responses, sheet = generic_surveys[0]
        return _survey(path, responses, sheet)
    raise PeerevalError(
        "peereval init cannot tell what this file is", file=path,
        hint="it recognises survey exports (Qualtrics, SurveyMonkey, REDCap, LimeSurvey, "
        "Kobo, Google and Microsoft Forms, SPSS, or a plain table of agreement answers), "
        "academic records (a student-id column and a yes/no group column such as "
        "mentored), expert-panel ratings (sheets 'relevance'/'essentiality', or items x "
        "experts), a codebook (.toml with [scales.NAME]) and a REDCap data dictionary")


def _detect_toml(path: Path) -> DetectedFile:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"this .toml file is not valid TOML: {exc}", file=path,
                          hint="check quotes, brackets and '=' on the line named") from None
    if "scales" in data:
        from peereval.instrument import Instrument

        instrument = Instrument.from_toml(path)
        return DetectedFile(path, "codebook", f"codebook '{instrument.name}', "
                            f"{len(instrument.scales)} scales, {len(instrument.items)} items",
                            data=instrument)
    if "survey" in data:
        raise ConfigError("this is already a study file", file=path,
                          hint="give the survey export, records, codebook and panel files "
                          "instead; to start again, pass overwrite=True with the data files")
    raise ConfigError("this .toml file has no [scales.NAME] tables, so it is not a codebook",
                      file=path, hint="a codebook defines [scales.NAME] with items = [...]")


def _survey(path: Path, responses: Any, sheet: str | None) -> DetectedFile:
    detail = (f"{responses.platform} export, {len(responses)} responses, "
              f"{len(responses.items)} items ({len(responses.likert_items)} Likert)")
    return DetectedFile(path, "survey", detail, platform=responses.platform, sheet=sheet,
                        data=responses)


def _generic_likert(path: Path, sheet: str | None) -> Any:
    from peereval.loaders import read_export

    try:
        return read_export(path, platform="generic", sheet=sheet)
    except PeerevalError:
        return None


def _panel_from_sheet_names(path: Path, source: Any) -> DetectedFile | None:
    if source.kind != "workbook":
        return None
    names = {_key(n): n for n in source.sheet_names}
    roles = {}
    for role, words in (("relevance_sheet", ("relevance", "relevancy", "مرتبطبودن",
                                             "ارتباط")),
                        ("essentiality_sheet", ("essentiality", "essential", "ضرورت")),
                        ("importance_sheet", ("importance", "impact", "اهمیت"))):
        for word in words:
            if _key(word) in names:
                roles[role] = names[_key(word)]
                break
    if "relevance_sheet" not in roles and "essentiality_sheet" not in roles:
        return None
    from peereval.loaders.panel import read_expert_panel

    panel = read_expert_panel(path, relevance_sheet=roles.get("relevance_sheet",
                                                             roles.get("essentiality_sheet")),
                              essentiality_sheet=roles.get("essentiality_sheet"),
                              importance_sheet=roles.get("importance_sheet"))
    detail = (f"expert panel, {panel.relevance.shape[0]} items x "
              f"{panel.relevance.shape[1]} experts; sheets "
              + ", ".join(f"'{v}'" for v in roles.values()))
    return DetectedFile(path, "expert_panel", detail, data=roles)


def _is_dictionary(table: Any) -> bool:
    keys = {_key(h) for h in table.text_row(0)}
    return ({_key("Variable / Field Name"), _key("Field Type")} <= keys
            or {_key("field_name"), _key("field_type")} <= keys)


def _records_guess(table: Any) -> dict[str, Any] | None:
    """Id and group columns of a records table, or None when it is not one."""
    columns = _columns(table)
    n_rows = len(table.rows) - 1
    if n_rows < 2 or len(columns) < 2:
        return None
    id_column = _id_column(columns, n_rows)
    if id_column is None:
        return None
    group = _group_column([c for c in columns if c is not id_column], n_rows)
    if group is None:
        return None
    column, treated = group
    counts = pd.Series([_key(t) for t in column.texts]).value_counts()
    return {"id": id_column.header, "group": column.header, "treated": treated,
            "columns": columns, "detail": f"academic records, {n_rows} students; group "
            f"'{column.header}' (" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")"}


def _id_column(columns: list[_Column], n_rows: int) -> _Column | None:
    from peereval.loaders.records import normalise_id

    def unique_filled(column: _Column) -> bool:
        ids = [normalise_id(v) for v in column.values]
        return None not in ids and len(set(ids)) == n_rows

    named = [c for c in columns
             if any(w in _key(c.header) for w in _ID_WORDS) or _key(c.header) in
             ("id", "code", "studentid", "شناسه", "کد")]
    for column in named:
        if unique_filled(column):
            return column
    for column in columns[:1]:  # an unnamed id is usually first, all digits or codes
        texts = column.texts
        if unique_filled(column) and all(re.fullmatch(r"[\w-]{3,}", t) for t in texts):
            return column
    return None


def _group_column(columns: list[_Column], n_rows: int) -> tuple[_Column, str | None] | None:
    """The yes/no-like column naming each student's group, with its treated value."""
    candidates = []
    for column in columns:
        if len(column.filled) != n_rows:
            continue  # every student needs a group (read_records insists)
        values = column.distinct()
        if len(values) != 2:
            continue
        named = any(w in _key(column.header) for w in _GROUP_WORDS)
        yes = [v for v in values if v in _AFFIRMATIVE]
        no = [v for v in values if v in _NEGATIVE]
        binary_text = len(yes) == 1 and len(no) == 1
        if column.numeric and not named:
            continue  # a 0/1 outcome such as passed
        if not (binary_text or named):
            continue
        treated = None
        if binary_text:
            treated = next(t for t in column.texts if _key(t) == yes[0])
        rank = (0 if named and binary_text else 1 if named else 2)
        candidates.append((rank, columns.index(column), column, treated))
    if not candidates:
        return None
    _, _, column, treated = min(candidates, key=lambda c: (c[0], c[1]))
    return column, treated


def _panel_like(table: Any) -> bool:
    from peereval.loaders.panel import DESCRIPTIVE_HEADERS, ITEM_HEADERS

    columns = _columns(table)
    if len(columns) < 4 or len(table.rows) < 3:
        return False
    item_index = next((j for j, c in enumerate(columns) if _key(c.header) in ITEM_HEADERS), 0)
    codes = columns[item_index].texts
    if "" in codes or len(set(codes)) != len(codes):
        return False
    experts = [c for j, c in enumerate(columns)
               if j != item_index and _key(c.header) not in DESCRIPTIVE_HEADERS]
    if len(experts) < 3:
        return False

    def ratings(column: _Column) -> bool:
        filled = column.filled
        if not filled:
            return False
        numbers = [_number(v) for v in filled]
        if all(n is not None and n.is_integer() and 1 <= n <= 5 for n in numbers):
            return True
        return all(_key(v) in _LAWSHE for v in filled)

    return all(ratings(c) for c in experts)


# -------------------------------------------------------------------- guessing


@dataclass
class _Plan:
    """Values to write, per section and key, with notes for guessed ones."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    guesses: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)

    def explain(self, section: str, line: str) -> None:
        """Evidence for a guess (or for leaving a column out), written as a comment
        under ``[section]``."""
        self.evidence.setdefault(section, []).append(line)

    def set(self, section: str, key: str, value: Any, guess: str | None = None) -> None:
        from peereval.study import SCHEMA

        if key not in SCHEMA.get(section, {}):
            return  # a key this version of study.toml does not have
        self.values.setdefault(section, {})[key] = value
        if guess:
            self.notes[(section, key)] = guess
            self.guesses.append(f"{section}.{key} = {_toml_value(value)}: {guess}")


def _survey_id(responses: Any) -> tuple[str, str] | None:
    """The survey column named like a student id (when no records tell), and why."""
    for name, _values in _survey_id_candidates(responses):
        if name.lower() in _NOT_STUDENT_ID:
            continue
        key = _key(name)
        item_text = responses.items[name].text if name in responses.items else ""
        if any(w in key or w in _key(item_text) for w in _ID_WORDS) or key in (
                "studentid", "id"):
            return name, "its name says it holds student ids (no records to compare with)"
    return None


def _linkage(responses: Any, found: DetectedFile) -> IdOverlap | None:
    """The survey and records columns sharing the most student ids.

    Every records column whose values are filled and unique is a candidate records
    id, every survey column (metadata, typed numbers and text) a candidate survey id.
    """
    from peereval.loaders.records import normalise_id

    n_rows = len(found.data["columns"][0].values) if found.data["columns"] else 0
    unique = {}
    for column in found.data["columns"]:
        ids = [normalise_id(v) for v in column.values]
        if None not in ids and len(set(ids)) == n_rows:
            unique[column.header] = column.values
    return best_id_overlap(responses, unique) if unique else None


def _linked_enough(overlap: IdOverlap | None) -> bool:
    """At least half the survey's ids are found in the records column."""
    return overlap is not None and overlap.found >= 0.5 * overlap.total


def _plan_survey_id(plan: _Plan, responses: Any, records: DetectedFile | None,
                    overlap: IdOverlap | None) -> tuple[str, str] | None:
    """Set ``[survey] id``: by the overlap of ids with the records, else by its name."""
    if _linked_enough(overlap) and overlap is not None:
        why = (f"{overlap.text()} (compared without spaces, leading zeros or Persian "
               "digits)")
        plan.set("survey", "id", overlap.survey_column, why)
        plan.explain("survey", f"id: '{overlap.survey_column}' links to the records: "
                     f"{overlap.text()}")
        return overlap.survey_column, why
    guess = _survey_id(responses) if records is None else None
    if guess is not None:
        plan.set("survey", "id", guess[0], guess[1])
        plan.explain("survey", f"id: '{guess[0]}': {guess[1]}")
    elif records is not None:
        best = f" (the best overlap: {overlap.text()} in column '{overlap.survey_column}')" \
            if overlap is not None else ""
        plan.checks.append("survey.id: no survey column holds the records' student ids"
                           f"{best}; name the column with the student number, or linkage "
                           "fails")
        plan.explain("survey", "id: not set: no survey column shares at least half its "
                     f"values with a records column{best}")
    else:
        plan.checks.append("survey.id: no student-id column was found in the survey "
                           "(needed to link answers to grades and to spot repeat answers)")
    return guess


def _plan_comments(plan: _Plan, responses: Any) -> None:
    """Free-text questions as ``[survey] comments``; ids and numbers typed in are not."""
    comments = []
    for code in responses.items_of_kind("text"):
        ok, evidence = free_text_evidence(code, responses.items[code],
                                          list(responses.answers[code]))
        if ok:
            comments.append(code)
            plan.explain("survey", f"comments: '{code}': {evidence}")
        else:
            plan.explain("survey", f"not a comment: '{code}': {evidence}")
    if comments:
        plan.set("survey", "comments", comments, "free-text questions of the survey "
                 "(evidence above); they are shown (escaped) in the report")


def _retest_interval(first: Any, second: Any, id_column: str | None) -> int | None:
    from peereval.loaders.records import normalise_id

    if not id_column or id_column not in first.meta or id_column not in second.meta:
        return None
    if "ended" not in first.meta or "ended" not in second.meta:
        return None

    def by_id(responses: Any) -> pd.Series:
        ids = responses.meta[id_column].map(lambda v: None if pd.isna(v) else normalise_id(v))
        ended = pd.to_datetime(responses.meta["ended"], errors="coerce")
        frame = pd.DataFrame({"id": ids.to_numpy(), "ended": ended.to_numpy()}).dropna()
        return frame.groupby("id")["ended"].min()

    a, b = by_id(first), by_id(second)
    common = a.index.intersection(b.index)
    if not len(common):
        return None
    days = (b[common] - a[common]) / pd.Timedelta(days=1)
    median = float(days.median())
    return round(median) if median > 0 else None


def _plan_records(plan: _Plan, found: DetectedFile, base: Path,
                  overlap: IdOverlap | None = None) -> dict[str, Any]:
    """Set ``[records]`` and ``[outcomes]`` from an academic-records table."""
    from peereval.loaders.records import read_records

    info = dict(found.data)
    plan.set("records", "file", _relative(found.path, base))
    if _linked_enough(overlap) and overlap is not None:
        info["id"] = overlap.records_column
        plan.set("records", "id", info["id"], f"unique per student and the column the "
                 f"survey's ids are found in ({overlap.text()})")
    else:
        plan.set("records", "id", info["id"], "the column with unique values whose name "
                 "says it holds student ids")
    plan.set("records", "group", info["group"], "the column with two values naming each "
             "student's cohort")
    if info["treated"] is not None:
        plan.set("records", "treated", info["treated"], "the value meaning 'mentored'")
    else:
        plan.checks.append(f"records.treated: say which value of '{info['group']}' means "
                           "mentored (it could not be told from the values)")
    if found.sheet:
        plan.set("records", "sheet", found.sheet)
    records = read_records(found.path, id=info["id"], group=info["group"], sheet=found.sheet)
    _explain_records(plan, info, len(records), overlap)
    outcomes = _record_columns(plan, info)
    _plan_outcomes(plan, outcomes)
    return {"records": records, "outcomes": outcomes}


def _explain_records(plan: _Plan, info: dict[str, Any], n_students: int,
                     overlap: IdOverlap | None) -> None:
    """The evidence of the records' id, group and treated value, as comments."""
    linked = f"; {overlap.text()}" if _linked_enough(overlap) and overlap else ""
    plan.explain("records", f"id: '{info['id']}': a different value in each of the "
                 f"{n_students} rows{linked}")
    column = next(c for c in info["columns"] if c.header == info["group"])
    counts = pd.Series([t for t in column.texts if t]).value_counts()
    shown = ", ".join(f"{value}: {n}" for value, n in counts.items())
    treated = (f"; '{info['treated']}' is the value meaning mentored (yes-like)"
               if info["treated"] is not None else "")
    plan.explain("records", f"group: '{info['group']}': two values, one for every "
                 f"student ({shown}){treated}")


def _record_columns(plan: _Plan, info: dict[str, Any]) -> dict[str, Any]:
    """Sort the records' other columns into outcomes, baseline, covariates, cluster.

    Columns that look like ids or do not vary are left out, with their evidence.
    """
    columns: list[_Column] = [c for c in info["columns"]
                              if c.header not in (info["id"], info["group"])]
    outcomes: dict[str, Any] = {"continuous": [], "binary": [], "covariates": []}
    dose, left_out = [], []
    treated_rows = [_key(t) == _key(info["treated"] or "") for t in
                    next(c for c in info["columns"] if c.header == info["group"]).texts]
    for column in columns:
        tokens = {_key(t) for t in _tokens(column.header)}
        values = column.distinct()
        unusable = id_evidence(column.header, column.values) or \
            constant_evidence(column.values)
        if unusable:
            left_out.append(column.header)
            plan.explain("outcomes", f"left out: '{column.header}': {unusable}")
            continue
        if tokens & {_key(t) for t in _COVARIATE_TOKENS} or "year" in tokens:
            outcomes["covariates"].append(column.header)
            plan.explain("outcomes", f"covariate: '{column.header}': a student "
                         "characteristic (" + _spread(column) + ")")
            continue
        if not column.numeric:
            filled_in_treated = [bool(t) for t, yes in zip(column.texts, treated_rows,
                                                           strict=True) if yes]
            named = any(w in _key(column.header) for w in ("group", "mentor", "cluster",
                                                             "tutor", "گروه"))
            if named and len(values) > 2 and "cluster" not in outcomes:
                outcomes["cluster"] = column.header
                share = (sum(filled_in_treated) / len(filled_in_treated)
                         if filled_in_treated else 0)
                plan.guesses.append(f"outcomes.cluster = \"{column.header}\": mentees are "
                                    f"nested in {len(values)} groups ({share:.0%} of the "
                                    "mentored have one)")
                plan.explain("outcomes", f"cluster: '{column.header}': names the mentor "
                             f"group; {len(values)} groups, {share:.0%} of the mentored "
                             "have one")
            continue
        if tokens & _DOSE_TOKENS:
            dose.append(column.header)
            plan.explain("outcomes", f"left out: '{column.header}': attendance, an "
                         "exposure the students chose, not an outcome")
            continue
        baseline_like = any(t.startswith("pre") and len(t) <= 4 for t in tokens) or \
            bool(tokens & _BASELINE_TOKENS)
        if baseline_like and "baseline" not in outcomes:
            outcomes["baseline"] = column.header
            plan.explain("outcomes", f"baseline: '{column.header}': its name says it was "
                         "measured before the programme (" + _spread(column) + ")")
            continue
        if set(values) <= {"0", "1"}:
            outcomes["binary"].append(column.header)
            plan.explain("outcomes", f"binary: '{column.header}': only 0 and 1")
        elif len(values) > 2:
            outcomes["continuous"].append(column.header)
            plan.explain("outcomes", f"continuous: '{column.header}': {_spread(column)}")
    if dose:
        plan.checks.append(f"{', '.join(dose)}: attendance is not an outcome and, as an "
                           "exposure, is chosen by the students (motivated students attend "
                           "more); left out of [outcomes]")
    if left_out:
        plan.checks.append("records columns left out of [outcomes] (they look like ids or "
                           "do not vary; see the comments in study.toml): "
                           + ", ".join(left_out))
    return outcomes


def _spread(column: _Column) -> str:
    """A column's values in a few words: how many, how many different, the range."""
    filled = column.filled
    numbers = [_number(v) for v in filled]
    text = f"{len(filled)} values, {len(set(column.distinct()))} different"
    if filled and all(n is not None for n in numbers):
        low, high = min(n for n in numbers if n is not None), max(
            n for n in numbers if n is not None)
        text += f", from {low:g} to {high:g}"
    return text


def _plan_outcomes(plan: _Plan, outcomes: dict[str, Any]) -> None:
    """Write the sorted columns to ``[outcomes]``, with the kind of outcome."""
    for key in ("continuous", "binary", "baseline", "covariates", "cluster"):
        value = outcomes.get(key)
        if not value:
            continue
        reason = {"continuous": "numeric columns of the records (evidence above)",
                  "binary": "columns holding only 0 and 1",
                  "baseline": "its name says it was measured before the programme",
                  "covariates": "student characteristics (age, sex, ...)",
                  "cluster": "a column naming the mentor group"}[key]
        plan.values.setdefault("outcomes", {})[key] = value
        plan.notes[("outcomes", key)] = reason
        if key != "cluster":
            plan.guesses.append(f"outcomes.{key} = {_toml_value(value)}: {reason}")
    all_outcomes = outcomes["continuous"] + outcomes["binary"]
    if all_outcomes:
        tokens = set().union(*(_tokens(c) for c in all_outcomes))
        if tokens & _ATTRITION_TOKENS:
            plan.set("outcomes", "kind", "attrition", "outcome names speak of dropout or "
                     "remediation")
        elif tokens & _ACADEMIC_TOKENS:
            plan.set("outcomes", "kind", "knowledge", "outcome names speak of grades or "
                     "exams (Kirkpatrick 2b)")
        plan.checks.append("outcomes: keep only the indicators the study set out to compare "
                           "(" + ", ".join(all_outcomes) + "); decide them before looking "
                           "at results")
    else:
        plan.checks.append("outcomes: no numeric outcome column was found in the records; "
                           "name them under [outcomes]")


@dataclass
class _Block:
    """Items proposed as one scale: they share a response scale."""

    name: str
    codes: list[str]
    scale: str
    low: float
    high: float
    why: str
    from_labels: bool = True


def _numeric_options(item: Any) -> list[float]:
    """The item's numeric option codes, without those of answers off the scale
    ("Don't know" = 9 does not widen a 1-5 scale); empty when a code is not a number."""
    from peereval.labels import NON_SUBSTANTIVE

    numbers = []
    for code, label in item.options or ():
        number = _number(code)
        if number is None:
            return []
        if _key(label) not in NON_SUBSTANTIVE:
            numbers.append(number)
    return numbers


def _item_scale(responses: Any, codes: list[str]) -> tuple[str, float, float, bool] | str:
    """The response scale of items that share one: name, lowest and highest code, and
    whether it comes from labels or value labels (not from the answers seen).

    The range is the scale's own (a five-point agreement scale is 1-5 even when
    nobody disagreed strongly); it is read from these items only. A string says why
    the labels could not be coded.
    """
    from peereval.errors import LabelError

    options = _numeric_options(responses.items[codes[0]])
    if options:
        return (_options_scale_name(responses.items[codes[0]], options), min(options),
                max(options), True)
    try:
        table = responses.label_codes(codes)
        if table.empty:
            values = responses.numeric(codes).stack().dropna()
            if not len(values):
                return "nobody answered"
            low, high = float(values.min()), float(values.max())
            return (f"numbers {low:g}-{high:g} seen in the answers", low, high, False)
    except LabelError as exc:
        return exc.message
    rule = str(table["rule"].iloc[0]).split(",")[0]  # not ", read with the file's ..."
    points = re.match(r"^[^\W\d_]+-(\d+)", rule)
    if points:
        return (rule, 1.0, float(points.group(1)), True)
    values = table["value"].dropna()
    return (rule, float(values.min()), float(values.max()), False)


def _options_scale_name(item: Any, options: list[float]) -> str:
    """Name of the scale of value labels: a known vocabulary, or the labels themselves.

    Two questions share a scale when their option labels do, not merely their number
    of options: SPSS items with five value labels each may be on an agreement, a
    frequency and a satisfaction scale.
    """
    from peereval.labels import match_labels

    labels = [str(label) for _code, label in item.options or ()]
    match = match_labels(labels, points=len(options))
    if match.vocabulary and not match.unmatched and not match.ambiguous:
        return match.vocabulary
    source = item.options_source or "the export"
    shown = [label for code, label in item.options or () if _number(code) in options]
    return f"{len(options)} options from {source} ({shown[0]} ... {shown[-1]})"


def _uncoded_scale(responses: Any, codes: list[str]) -> str | None:
    """Why items whose labels all belong to known scales could not be coded (the
    labels do not tell the scale's length), or ``None`` when some label is unknown."""
    from peereval.labels import match_labels

    labels = list(dict.fromkeys(str(v).strip() for c in codes
                                for v in responses.answers[c].dropna().unique()
                                if str(v).strip()))
    match = match_labels(labels) if labels else None
    if match is None or match.unmatched:
        return None
    if match.ambiguous:
        return f"the labels fit {', '.join(match.ambiguous)}"
    shown = ", ".join(f"'{label}'" for label in sorted(labels)[:7])
    return f"the labels {shown} do not tell the number of points"


def _is_vocabulary(scale: tuple[str, float, float, bool]) -> bool:
    """The scale is one of the known response vocabularies (agreement-5 (en), ...)."""
    return bool(re.match(r"^[^\W\d_]+-\d+", scale[0]))


def _scale_blocks(responses: Any) -> tuple[list[_Block], list[str], list[str]]:
    """Proposed scales, the questions that are not scale items (with why), checks."""
    groups: dict[str, list[str]] = {}
    for code in responses.likert_items:
        groups.setdefault(responses.items[code].group, []).append(code)
    blocks: list[_Block] = []
    singles: dict[tuple[str, float, float, bool], list[str]] = {}
    not_items: list[str] = []
    checks: list[str] = []
    nan = float("nan")
    for group, codes in groups.items():
        item = responses.items[codes[0]]
        scale = _item_scale(responses, codes)
        if isinstance(scale, str):
            reason = _uncoded_scale(responses, codes)
            if reason is None:
                not_items.append(f"'{codes[0]}': {scale[:160]}")
                checks.append(f"the answers of {codes[0]} could not be coded as numbers "
                              f"({scale[:160]}); peereval inspect FILE shows them")
                continue
            checks.append(f"the answers of {', '.join(codes[:3])} could not be coded as "
                          f"numbers ({reason}); give the scale's range in the codebook "
                          "(response_range) or a mapping")
            scale = (f"not coded: {reason}", nan, nan, False)
        # a question about the student (age, year of study) coded without a known
        # vocabulary of opinions is no scale item; a statement on an agreement scale
        # that mentions 'year' is one
        about = (demographic_evidence(item) if len(codes) == 1 and not _is_vocabulary(scale)
                 else None)
        if about:
            not_items.append(f"'{codes[0]}': {about}")
        elif len(codes) > 1:
            stem = (item.text.rsplit(" - ", 1)[0] if " - " in (item.text or "")
                    else str(group))
            blocks.append(_Block(str(group), codes, scale[0], scale[1], scale[2],
                                 f"{len(codes)} rows of one matrix question ('{stem[:60]}')",
                                 scale[3]))
        else:
            singles.setdefault(scale, []).append(codes[0])
    for (name, low, high, from_labels), codes in _pool_numbers(singles).items():
        if len(codes) > 1:
            family = re.match(r"^[^\W\d_]+", name)
            blocks.append(_Block(family.group(0) if family and from_labels else "scale_name",
                                 codes, name, low, high, f"{len(codes)} single questions "
                                 "on the same response scale", from_labels))
        else:
            coded = f", {low:g}-{high:g}" if low == low else ""
            not_items.append(f"'{codes[0]}': a single question with a response scale of "
                             f"its own ({name}{coded})")
    return blocks, not_items, checks


def _pool_numbers(singles: dict[tuple[str, float, float, bool], list[str]]
                  ) -> dict[tuple[str, float, float, bool], list[str]]:
    """Single questions answered with bare numbers, pooled on the commonest range.

    Without labels the scale of one question is only what its answers show (nobody
    chose 1 in this one). Numeric questions whose answers lie inside the range of the
    range most questions show join them; a question whose answers go beyond it (a
    year of study 1-6 beside 1-5 items) stays apart, so it never widens the others.
    """
    labelled = {k: v for k, v in singles.items() if k[3] or k[1] != k[1]}  # NaN: uncoded
    numeric: dict[tuple[float, float], list[str]] = {}
    for (_name, low, high, _labels), codes in singles.items():
        if not _labels and low == low:
            numeric.setdefault((min(low, 1.0), high), []).extend(codes)
    if numeric:
        main = max(numeric, key=lambda r: (len(numeric[r]), r[1]))
        inside = [c for r, codes in numeric.items() for c in codes
                  if main[0] <= r[0] and r[1] <= main[1]]
        labelled[(f"numbers within {main[0]:g}-{main[1]:g} in the answers", main[0],
                  main[1], False)] = inside
        for r, codes in numeric.items():
            if not (main[0] <= r[0] and r[1] <= main[1]):
                labelled[(f"numbers {r[0]:g}-{r[1]:g} in the answers", r[0], r[1],
                          False)] = codes
    return labelled


def _codebook_stub(responses: Any, found: DetectedFile) -> tuple[str, list[str]]:
    """Text of a codebook stub for the survey, and the checks it needs."""
    blocks, not_items, checks = _scale_blocks(responses)
    checks.insert(0, "codebook.toml: group the Likert items into [scales.NAME] tables and "
                  "mark negatively worded items in reverse = [...]; the study cannot be "
                  "scored before that")
    coded = [b for b in blocks if b.low == b.low]  # not NaN: the labels were coded
    main = max(coded, key=lambda b: len(b.codes)) if coded else None
    low, high = (main.low, main.high) if main else (1, 5)
    range_note = (f"the response scale of {main.name} ({main.scale}); CHECK" if main
                  else "the usual 5-point scale: no items sharing a response scale were "
                  "found; CHECK")
    lines = [
        f"# Codebook stub written by peereval init for {found.path.name}.",
        "# Group the Likert items below into scales, one [scales.NAME] table each, and",
        "# list the negatively worded items of each scale in reverse = [...].",
        "",
        f"name = {_toml_value('Questionnaire of ' + found.path.stem)}",
        f"response_range = [{low:g}, {high:g}]   # {range_note}",
        'scoring = "mean"                # mean or sum of the items',
        "min_answered = 0.8              # share of a scale's items needed for a score",
        "# missing_codes = [9, 99]       # answer codes meaning 'no answer'",
        "",
        "# Scales. One commented example per set of questions that share a response "
        "scale:",
    ]
    short = _short_names([c for b in blocks for c in b.codes])
    scale_names = _scale_names([b.name for b in blocks])
    for block, name in zip(blocks, scale_names, strict=True):
        coded = (f"coded {block.low:g}-{block.high:g}" if block.low == block.low else
                 "its range must be given") + ("" if block.from_labels else
                                               " from the answers seen: CHECK")
        lines += ["#", f"# init: {block.why}; response scale {block.scale}, {coded}",
                  f"# [scales.{name}]", '# label = ""',
                  f"# items = {_toml_value([short[c] for c in block.codes])}",
                  "# reverse = []"]
        if block.low != block.low:
            lines.append("# response_range = [1, N]   # CHECK: give N, the number of "
                         "points: the labels alone do not tell (see above)")
        elif (block.low, block.high) != (low, high):
            lines.append(f"# response_range = [{block.low:g}, {block.high:g}]")
    if not_items:
        lines += ["#", "# init: not proposed as scale items:"]
        lines += [f"#   {line}" for line in not_items]
    listed = [c for b in blocks for c in b.codes]
    lines += ["", "# Each proposed item: its short name (the platform's question code, or",
              "# item01... where the export names the column by the whole question), the",
              "# export column it reads when that differs, and its wording (the label shown",
              "# in the report).", "[items]"]
    for code in listed:
        item = responses.items[code]
        wording = item.text or code
        if item.question is not None and " - " in wording:
            wording = wording.rsplit(" - ", 1)[1]  # a matrix row: drop the question stem
        if short[code] == code:
            lines.append(f"{code} = {_toml_value(wording)}")
        else:
            lines.append(f"{short[code]} = {{column = {_toml_value(code)}, "
                         f"label = {_toml_value(wording)}}}")
    others = [c for c in responses.items if c not in listed]
    if others:
        lines += ["", "# Other questions of the export (not scored): "
                  + ", ".join(others[:40]) + (" ..." if len(others) > 40 else "")]
    if not blocks:
        checks.append("no questions sharing a response scale were recognised in the survey; "
                      "the codebook stub proposes no scale")
    return "\n".join(lines) + "\n", checks


def _scale_names(titles: Sequence[str]) -> list[str]:
    """Distinct TOML keys for the proposed scales, from their question texts.

    A title becomes its ASCII words joined by ``_`` (at most 40 characters, cut at a
    word); one with none (a Persian question) becomes ``scale1``, ``scale2``, ...; a
    name already taken gets ``_2``, ``_3``.
    """
    names: list[str] = []
    for number, title in enumerate(titles, start=1):
        words = re.sub(r"\W+", "_", title, flags=re.ASCII).strip("_")
        if len(words) > 40:
            words = words[:40].rsplit("_", 1)[0]
        base = words or f"scale{number}"
        name, k = base, 1
        while name in names:
            k += 1
            name = f"{base}_{k}"
        names.append(name)
    return names


_PLATFORM_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.\[\]-]{0,31}")


def _short_names(codes: Sequence[str]) -> dict[str, str]:
    """A short name for each item: its platform code made a bare TOML key, or ``itemNN``.

    A code such as ``Q1_1`` or LimeSurvey's ``support[SQ001]`` (``support_SQ001``) is
    kept; a column named by the whole question (Google Forms, Persian forms) gets
    ``item01``, ``item02``, ... in the order of the export.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    number = 0
    for code in codes:
        name = ""
        if _PLATFORM_CODE.fullmatch(code):
            name = re.sub(r"[^A-Za-z0-9_-]+", "_", code).strip("_")
        if not name or name in taken:
            number += 1
            name = f"item{number:02d}"
            while name in taken:
                number += 1
                name = f"item{number:02d}"
        names[code] = name
        taken.add(name)
    return names


# ------------------------------------------------------------------------- writing


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()


def _placeholder(spec: Any) -> str:
    if spec.example is not None:
        return _toml_value(spec.example)
    if spec.choices:
        return _toml_value(spec.choices[0])
    return {"int": "0", "number": "0.0", "bool": "true", "list": "[]", "flags": "[]",
            "path": '"file"', "labels": "{}"}.get(spec.kind, '""')


def _render(plan: _Plan, files: Sequence[DetectedFile]) -> str:
    from peereval.study import SCHEMA

    lines = [
        "# study.toml written by peereval init from: "
        + ", ".join(f.path.name for f in files),
        "# Every key is listed with what it means. Lines starting with '#' are comments:",
        "# remove the '#' to use a key. Values followed by 'CHECK' were guessed from the",
        "# data: check them. Paths are relative to this file's folder.",
    ]
    for section, keys in SCHEMA.items():
        values = plan.values.get(section)
        active = values is not None
        prefix = "" if active else "# "
        lines += ["", f"{prefix}[{section}]"]
        if not active:
            lines[-1] += "   # not used: no input for it was given"
        lines += [f"# init: {line}" for line in plan.evidence.get(section, [])]
        for key, spec in keys.items():
            meaning = spec.help + (" (required in this section)" if spec.required else "")
            if spec.choices:
                meaning += "; one of: " + ", ".join(map(str, spec.choices))
            lines.append(f"# {key}: {meaning}")
            if active and key in values:
                line = f"{key} = {_toml_value(values[key])}"
                note = plan.notes.get((section, key))
                if note:
                    line += f"   # CHECK: {note}"
                lines.append(line)
            else:
                lines.append(f"# {key} = {_placeholder(spec)}")
    return "\n".join(lines) + "\n"


def _defaults(plan: _Plan, has_records: bool, has_panel: bool, has_covariates: bool) -> None:
    from peereval import study as study_module

    analyses = dict(getattr(study_module, "ANALYSES_DEFAULT", {}))
    options = dict(getattr(study_module, "OPTIONS_DEFAULT", {}))
    schema = study_module.SCHEMA
    wanted = {"content_validity": has_panel, "outcomes": has_records,
              "propensity": has_records and has_covariates}
    if "analyses" in schema:
        for key in schema["analyses"]:
            value = wanted.get(key, analyses.get(key, True))
            plan.set("analyses", key, bool(value))
    if "options" in schema:
        for key, spec in schema["options"].items():
            value = options.get(key, spec.example)
            if value is not None:
                plan.set("options", key, value)
    plan.set("screening", "drop", ["test_response", "unfinished", "duplicate_id"])
    plan.set("screening", "speed_fraction", 0.3)
    plan.set("privacy", "min_cell", 10)
    plan.set("privacy", "key_env", "PEEREVAL_LINK_KEY")


def _target(out: str | Path | None, survey: Path) -> Path:
    if out is None:
        return survey.parent / "study.toml"
    out = Path(out)
    if out.suffix.lower() == ".toml":
        return out
    if out.exists() and not out.is_dir():
        raise PeerevalError("out must be a folder or a .toml file name", file=out,
                            hint="e.g. out='my_study/' or out='my_study/study.toml'")
    return out / "study.toml"


def _sorted_files(paths: list[Path], definition: Path | None
                  ) -> tuple[list[DetectedFile], dict[str, list[DetectedFile]], DetectedFile,
                             DetectedFile | None]:
    """Each file recognised, by kind; the survey and its retest (the smaller export)."""
    resolved = [p.resolve() for p in paths]
    repeated = {p for p in resolved if resolved.count(p) > 1}
    if repeated:
        raise PeerevalError("a file was given twice", file=sorted(repeated)[0],
                            hint="give each file once")
    found = [detect_file(p, definition=definition) for p in paths]
    by_kind: dict[str, list[DetectedFile]] = {}
    for f in found:
        by_kind.setdefault(f.kind, []).append(f)
    surveys = by_kind.get("survey", [])
    if not surveys:
        raise PeerevalError("none of the files is a survey export",
                            hint="add the survey export (" + ", ".join(
                                f"{f.path.name}: {f.kind}" for f in found) + ")")
    for kind, words in (("records", "academic records files"),
                        ("expert_panel", "expert-panel files"),
                        ("codebook", "codebooks"), ("dictionary", "data dictionaries")):
        if len(by_kind.get(kind, [])) > 1:
            raise PeerevalError(f"{len(by_kind[kind])} {words} were given: "
                                + ", ".join(f.path.name for f in by_kind[kind]),
                                hint="give one of each; peereval studies one programme "
                                "at a time")
    if len(surveys) > 2:
        raise PeerevalError(f"{len(surveys)} survey exports were given",
                            hint="give the survey export and, optionally, its retest")
    retest = None
    survey = surveys[0]
    if len(surveys) == 2:
        a, b = surveys
        codes_a, codes_b = set(a.data.items), set(b.data.items)
        if len(codes_a & codes_b) < 0.8 * max(len(codes_a), len(codes_b)):
            raise PeerevalError(
                f"two survey exports with different questions: {a.path.name} and "
                f"{b.path.name}", hint="give one questionnaire (and, optionally, a retest "
                "of the same questionnaire); study other questionnaires separately")
        survey, retest = (a, b) if len(a.data) >= len(b.data) else (b, a)
    return found, by_kind, survey, retest


def _plan_retest(plan: _Plan, retest: DetectedFile | None, responses: Any, base: Path,
                 id_guess: tuple[str, str] | None) -> None:
    """Set ``[retest]`` from a second export of the same questionnaire."""
    if retest is None:
        return
    plan.set("retest", "export", _relative(retest.path, base),
             f"a second export of the same questionnaire with fewer responses "
             f"({len(retest.data)} against {len(responses)})")
    plan.set("retest", "platform", retest.platform or "auto")
    if retest.sheet:
        plan.set("retest", "sheet", retest.sheet)
    days = _retest_interval(responses, retest.data, id_guess[0] if id_guess else None)
    if days is not None:
        plan.set("retest", "interval_days", days, "median days between the two answers "
                 "of the same students")
    else:
        plan.checks.append("retest.interval_days: give the days between the two "
                           "administrations")


def _plan_codebook(plan: _Plan, codebook_found: DetectedFile | None, responses: Any,
                   survey: DetectedFile, base: Path) -> str | None:
    """Name the codebook given, or plan a stub; the stub's text (``None`` with one)."""
    if codebook_found is not None:
        plan.set("survey", "codebook", _relative(codebook_found.path, base))
        instrument = codebook_found.data
        absent = [i for i in instrument.items
                  if instrument.column_of(i) not in responses.items and i not in responses.items]
        if absent:
            plan.checks.append(f"codebook items not in the survey export: "
                               f"{', '.join(absent[:10])}" + (" ..." if len(absent) > 10
                                                             else ""))
        stub_text = None
    else:
        plan.set("survey", "codebook", "codebook.toml")
        stub_text, stub_checks = _codebook_stub(responses, survey)
        plan.checks.extend(stub_checks)
    return stub_text


def _plan_panel_and_design(plan: _Plan, panel: DetectedFile | None,
                           records_info: dict[str, Any] | None, base: Path) -> None:
    """Set ``[expert_panel]``, the design and the defaults of the other sections."""
    if panel is not None:
        plan.set("expert_panel", "file", _relative(panel.path, base))
        for key, sheet in (panel.data or {}).items():
            if sheet:
                plan.set("expert_panel", key, sheet)
        if "essentiality_sheet" not in (panel.data or {}):
            plan.checks.append("expert_panel: no essentiality (Lawshe) ratings were found, "
                               "so the content validity ratio cannot be computed")

    outcomes = records_info["outcomes"] if records_info else {}
    if records_info is not None:
        design = "two_group_baseline" if outcomes.get("baseline") else "two_group"
        why = ("records with two groups and a baseline measure" if outcomes.get("baseline")
               else "records with two groups, no baseline measure found")
    else:
        design, why = "post_only", "a survey without comparison group"
    plan.set("study", "design", design, why + "; randomised allocation or a pre-test "
             "changes it")
    plan.set("study", "institutions", 1, "one school")
    _defaults(plan, records_info is not None, panel is not None,
              bool(outcomes.get("covariates") or outcomes.get("baseline")))


def _plan_survey(plan: _Plan, survey: Any, dictionary: Any, definition: str | Path | None,
                 base: Path, title: str | None, seed: int | None) -> Any:
    """The [study] and [survey] keys; the responses, read again with the REDCap data
    dictionary when one was given."""
    responses = survey.data
    if dictionary is not None:
        if survey.platform != "redcap":
            raise PeerevalError("a REDCap data dictionary was given but the survey is a "
                                f"{survey.platform} export", file=dictionary.path,
                                hint="leave the dictionary out")
        from peereval.loaders import read_export

        responses = read_export(survey.path, platform="redcap", dictionary=dictionary.path,
                                sheet=survey.sheet)
    plan.set("study", "title", title or f"Evaluation of a peer-mentoring programme "
             f"({survey.path.stem})", None if title else "a placeholder title")
    plan.set("study", "seed", seed if seed is not None else
             int(dt.date.today().strftime("%Y%m%d")))

    # survey
    plan.set("survey", "export", _relative(survey.path, base))
    plan.set("survey", "platform", survey.platform or "auto",
             f"recognised from the layout of {survey.path.name}")
    if survey.sheet:
        plan.set("survey", "sheet", survey.sheet)
    if dictionary is not None:
        plan.set("survey", "dictionary", _relative(dictionary.path, base))
    if definition is not None:
        plan.set("survey", "definition", _relative(Path(definition), base),
                 "the survey's definition file given with --definition")
    return responses


def starter_study(
    files: str | Path | Iterable[str | Path],
    *,
    out: str | Path | None = None,
    overwrite: bool = False,
    title: str | None = None,
    seed: int | None = None,
    definition: str | Path | None = None,
) -> StarterStudy:
    """Write a starter ``study.toml`` (and a codebook stub) from a study's files.

    Parameters
    ----------
    files
        The study's files in any order: a survey export (required; a second export of
        the same questionnaire is taken as the retest, the smaller one), and
        optionally academic records, a codebook (``.toml``), an expert panel's
        ratings and a REDCap data dictionary. Each is recognised by its content (see
        :func:`detect_file`).
    out
        Where to write: a folder (``study.toml`` goes inside; created if needed) or
        a ``.toml`` file name. By default the survey export's folder.
    overwrite
        Replace an existing ``study.toml`` (and codebook stub). Without it nothing is
        ever overwritten.
    title
        The study's title (by default one made from the survey file's name).
    seed
        Seed of every random step; by default today's date as ``YYYYMMDD``.
    definition
        The survey's definition file (Qualtrics ``.qsf``, LimeSurvey ``.lss``,
        XLSForm), read with the export (and the retest) and written as
        ``[survey] definition``: answer codes are decoded, and question types and
        matrices come from it.

    Returns
    -------
    StarterStudy
        The files written, each input as recognised, what was guessed and what the
        user must check. :func:`peereval.study.read_study` accepts the study file.

    Raises
    ------
    PeerevalError
        A file missing or unrecognised; no survey export or more than two; two
        records files, panels, codebooks or dictionaries; a file that would be
        overwritten.

    Notes
    -----
    Guesses, each written with its evidence as a comment (``# CHECK: ...`` after the
    value, ``# init: ...`` lines under the section and above each proposed scale):
    the linkage id is the survey column and records column (unique in every row)
    sharing the most student ids after normalising (spaces, leading zeros, Persian
    digits), taken when at least half the survey's ids are found, and the overlap
    is reported ("142 of 149 survey ids found in records.student_id"); without
    records, a survey column named like a student id. The records' group column
    has two values, every student one, yes/no-like (yes/no, 1/0, true/false,
    بله/خیر, intervention/control) or an explicit name (``mentored``, ``group``,
    ``arm``); the treated value is the affirmative one. A column that looks like an
    id (named like one, nine values in ten different under an id word, whole
    numbers of six digits or more) or holds one value is never an outcome,
    covariate or comment. Numeric columns become outcomes (0/1 columns binary),
    except a baseline (``entry``, ``baseline``, ``pre``, ``prior``, ``admission``,
    ``MCAT`` in the name), covariates (``age``, ``sex``, ``gender``, ``year``) and
    attendance (``sessions``, ``attended``: an exposure chosen by the students, not
    an outcome). A text column naming mentor groups is the cluster. Comments are
    free-text questions whose answers are words (not ids, not numbers such as an
    age). Proposed scales are the questions sharing a response scale (matrix rows;
    single questions with the same labels); questions about the student (age,
    gender, year of study) and single questions with a scale of their own are not
    items, and ``response_range`` is read from the proposed items' own labels or
    value labels. The design is ``two_group_baseline`` with records and a baseline,
    ``two_group`` with records only, ``post_only`` without records.

    Examples
    --------
    >>> import tempfile, peereval
    >>> from peereval.study import read_study
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     made = starter_study([peereval.sample_path("survey"),
    ...                           peereval.sample_path("records")], out=folder, seed=1)
    ...     study = read_study(made.study)
    ...     (study.survey["id"], study.records["group"], study.records["treated"],
    ...      made.codebook.name)
    ('student_id', 'mentored', 'yes', 'codebook.toml')
    """
    if isinstance(files, str | Path):
        files = [files]
    paths = [Path(f) for f in files]
    if not paths:
        raise PeerevalError("peereval init needs at least the survey export",
                            hint="peereval init survey.csv [records.xlsx codebook.toml ...]")
    if definition is not None and not Path(definition).is_file():
        raise PeerevalError("the definition file does not exist", file=definition,
                            hint="give the .qsf, .lss or XLSForm downloaded from the survey "
                            "platform")
    found, by_kind, survey, retest = _sorted_files(
        paths, Path(definition) if definition is not None else None)
    if not isinstance(overwrite, bool):
        raise PeerevalError(f"overwrite must be True or False, not {overwrite!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise PeerevalError(f"seed must be a whole number, not {seed!r}", hint="e.g. seed=1")
    target = _target(out, survey.path)
    base = target.parent
    codebook_found = (by_kind.get("codebook") or [None])[0]
    stub_path = None if codebook_found else base / "codebook.toml"
    existing = [p for p in (target, stub_path) if p is not None and p.exists()]
    if existing and not overwrite:
        raise PeerevalError(
            "will not overwrite " + " and ".join(f"'{p}'" for p in existing), file=existing[0],
            hint="move the file away, choose another folder with out=..., or pass "
            "overwrite=True (peereval init --force)")

    plan = _Plan()
    dictionary = (by_kind.get("dictionary") or [None])[0]
    responses = _plan_survey(plan, survey, dictionary, definition, base, title, seed)

    records_info = None
    records_found = (by_kind.get("records") or [None])[0]
    overlap = _linkage(responses, records_found) if records_found is not None else None
    if records_found is not None:
        records_info = _plan_records(plan, records_found, base, overlap)
    id_guess = _plan_survey_id(plan, responses, records_found, overlap)
    _plan_comments(plan, responses)
    plan.checks.append("survey.invited: give the number of students invited, for the "
                       "response rate (MERSQI)")
    _plan_retest(plan, retest, responses, base, id_guess)
    stub_text = _plan_codebook(plan, codebook_found, responses, survey, base)
    _plan_panel_and_design(plan, (by_kind.get("expert_panel") or [None])[0], records_info,
                           base)

    # write: the stub first, since study.toml names it
    base.mkdir(parents=True, exist_ok=True)
    text = _render(plan, found)
    if stub_text is not None and stub_path is not None:
        stub_path.write_text(stub_text, encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    from peereval.study import read_study

    try:
        read_study(target)
    except PeerevalError as exc:  # pragma: no cover - a bug in this module
        raise PeerevalError(f"the starter study does not validate: {exc.message}",
                            file=target, hint="please report this as a bug of peereval "
                            "init") from exc
    return StarterStudy(target, stub_path if stub_text is not None else None,
                        tuple(found), tuple(plan.guesses), tuple(plan.checks))

