"""Academic records and their linkage to survey responses through keyed pseudonyms.

Records (grades, exam scores, pass/fail, group membership) come from the registrar
as a CSV or XLSX file with one row per student. :func:`link` joins them to survey
responses by student id without letting the id travel further: both sides are
re-indexed by a pseudonym, HMAC-SHA-256 of the id under a secret key (RFC 2104), and
the raw ids and other direct identifiers are removed. A keyed hash, unlike a plain or
salted hash, cannot be reversed by hashing every possible student number, as long as
the key stays secret (the honest-broker practice behind FERPA's 34 CFR 99.31(b)(2)).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from peereval._format import count_of
from peereval._options import keyword_only
from peereval.errors import DuplicateIdError, FileFormatError, LinkageError, Location
from peereval.labels import normalise_id, normalize_digits, normalize_label
from peereval.loaders._common import check_unique
from peereval.loaders._table import cell_text, open_source
from peereval.responses import Responses

__all__ = [
    "LinkageReport",
    "Linked",
    "Records",
    "identifying_columns",
    "keyed_by_id",
    "link",
    "normalise_id",
    "read_records",
]

DEFAULT_KEY_ENV = "PEEREVAL_LINK_KEY"
PSEUDONYM_HEX_DIGITS = 16
MIN_KEY_BYTES = 16
ID_RULE = ("ids compared after trimming, removing spaces, folding case, converting Persian "
           "and Arabic-Indic digits, and dropping leading zeros and a trailing '.0' from "
           "all-digit ids")
# Metadata columns that identify a person or a response directly.
DIRECT_IDENTIFIERS = frozenset({
    "source_id", "response_id", "ip_address", "recipient_email", "recipient_first_name",
    "recipient_last_name", "external_reference", "latitude", "longitude", "email",
    "email address", "name", "first name", "last name", "username", "deviceid",
    "redcap_survey_identifier",
})


# Header words of columns that name, reach or locate a person (English and Persian).
_PERSON_HEADERS = frozenset({
    "name", "full name", "first name", "last name", "surname", "given name", "family name",
    "student name", "respondent name", "نام", "نام خانوادگی", "نام و نام خانوادگی",
    "نام دانشجو",
})
_CONTACT_WORDS = ("email", "e-mail", "e mail", "phone", "mobile", "telephone", "ip address",
                  "ipaddress", "ایمیل", "پست الکترونیک", "تلفن", "موبایل", "شماره همراه")
_ID_WORDS = frozenset({"id", "uuid", "code", "number", "no", "num", "identifier", "nid",
                       "ssn", "شماره", "کد", "شناسه"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_UUID = re.compile(r"^(?:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def identifying_columns(frame: pd.DataFrame, *, student_ids: set[str] = frozenset(),
                        skip: Sequence[str] = ()) -> dict[str, str]:
    """Columns of a frame that identify a person, each with the reason.

    A column identifies a person when its header is a direct identifier (an e-mail,
    name, telephone or IP-address column, a platform's response id), when its values
    are e-mail or IP addresses or UUIDs, when it holds any of ``student_ids``
    (compared after :func:`normalise_id`), or when it is named like an id (``id``,
    ``code``, ``number``, ``شماره``, ...) and its values are unique per row.

    Parameters
    ----------
    frame
        Survey answers or metadata, or academic records.
    student_ids
        Normalised student ids whose presence in a column identifies it.
    skip
        Columns never reported (e.g. the group or an outcome named by the user).

    Returns
    -------
    dict[str, str]
        Column -> reason, in the frame's column order.

    Examples
    --------
    >>> frame = pd.DataFrame({"national_code": ["0012", "0013", "0014", "0015", "0016"],
    ...                       "mail": ["a@x.ir", "b@x.ir", None, "c@x.ir", "d@x.ir"],
    ...                       "mentor_id": ["m1", "m1", "m2", "m2", "m3"],
    ...                       "gpa": [3.1, 3.4, 2.9, 3.8, 3.0]})
    >>> identifying_columns(frame)
    {'national_code': 'named like an id and unique per row', 'mail': 'e-mail addresses'}
    """
    found: dict[str, str] = {}
    for column in frame.columns:
        if column in skip:
            continue
        reason = _identifying_reason(str(column), frame[column], student_ids)
        if reason:
            found[column] = reason
    return found


def _identifying_reason(header: str, values: pd.Series, student_ids: set[str]) -> str | None:
    name = normalize_label(header).replace("_", " ")
    if name in DIRECT_IDENTIFIERS or name.replace(" ", "_") in DIRECT_IDENTIFIERS:
        return "a direct identifier"
    if name in _PERSON_HEADERS:
        return "names of people"
    if any(word in name for word in _CONTACT_WORDS):
        return "contact details"
    present = values.dropna()
    if present.empty:
        return None
    text = present.astype("string").str.strip()
    if student_ids:
        distinct = {normalise_id(v) for v in text.unique()}
        shared = distinct & student_ids
        # a long id cannot match by chance; short ones (1..300) would match ages
        if any(len(i) >= 5 for i in shared) or (
                len(shared) >= 0.5 * len(distinct) and len(distinct) >= 0.8 * len(text)):
            return "holds student ids"
    if pd.api.types.is_float_dtype(present) and not (present % 1 == 0).all():
        return None  # measurements, not codes
    for pattern, reason in ((_EMAIL, "e-mail addresses"), (_IPV4, "IP addresses"),
                            (_UUID, "unique response codes (UUIDs)")):
        if text.str.fullmatch(pattern.pattern, case=False).mean() >= 0.5:
            return reason
    tokens = set(re.split(r"[\s\-./#:()]+", name))
    if tokens & _ID_WORDS and len(text) >= 5 and text.is_unique:
        return "named like an id and unique per row"
    return None


@dataclass(frozen=True)
class Records:
    """Academic records, one row per student.

    Attributes
    ----------
    data
        Index: the normalised student id (or, after :func:`link`, its pseudonym);
        columns: every other column of the file, numbers as floats.
    id_column
        Header of the id column in the file.
    group
        Header of the column telling the cohort (e.g. mentored or not), if given.
    source, sheet
        The file read.
    source_rows
        Row of each student in the file.
    pseudonymised
        True once :func:`link` has replaced the ids.

    Examples
    --------
    >>> import peereval
    >>> records = peereval.read_records(peereval.sample_path("records"),
    ...                                 id="student_id", group="mentored")
    >>> records.id_column, records.group, records.data.shape, records.pseudonymised
    ('student_id', 'mentored', (300, 9), False)
    """

    data: pd.DataFrame
    id_column: str
    group: str | None
    source: Path | None = None
    sheet: str | None = None
    source_rows: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    pseudonymised: bool = False
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.data)

    def groups(self) -> pd.Series:
        """Number of students per group."""
        if self.group is None:
            raise LinkageError("these records were read without group=",
                               hint="read_records(path, id=..., group='mentored')")
        return self.data[self.group].value_counts(dropna=False).sort_index()

    def __repr__(self) -> str:
        where = self.source.name if self.source else "DataFrame"
        groups = ""
        if self.group is not None:
            groups = "; " + ", ".join(f"{k}: {v}" for k, v in self.groups().items())
        kind = "pseudonymised" if self.pseudonymised else f"id '{self.id_column}'"
        return f"Records({len(self)} students, {kind}{groups}; source={where})"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.data.head(10).to_html()


def read_records(
    path: str | Path,
    id: str,
    group: str | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> Records:
    """Read academic records from CSV or XLSX.

    Parameters
    ----------
    path
        The file: one header row, one row per student.
    id
        Header of the student-id column.
    group
        Header of the column naming each student's cohort (e.g. ``mentored`` with
        values yes/no); every student must have one.
    sheet, encoding
        As for :func:`peereval.read_export`.

    Returns
    -------
    Records

    Raises
    ------
    FileFormatError
        A named column is missing (the columns found are listed), an id or a group
        is empty.
    DuplicateIdError
        A student id occurs twice (every row listed).

    Examples
    --------
    >>> import peereval
    >>> records = peereval.read_records(peereval.sample_path("records"),
    ...                                 id="student_id", group="mentored")
    >>> sorted(records.groups().index)
    ['no', 'yes']
    """
    source = open_source(path, encoding=encoding, sheet=sheet)
    if source.kind == "sav":
        raise FileFormatError("academic records must be CSV or XLSX, not SPSS", file=path,
                              hint="save the records as .xlsx or .csv")
    if len(source.tables) > 1:
        names = ", ".join(repr(t.sheet) for t in source.tables)
        raise FileFormatError(f"the workbook has several sheets with data ({names})",
                              file=path, hint="name the sheet with sheet='...'")
    table = source.tables[0]
    headers = table.text_row(0)
    keys = [normalize_label(h) for h in headers]

    def column(name: str, role: str) -> int:
        target = normalize_label(name)
        if target not in keys:
            raise FileFormatError(
                f"there is no {role} column '{name}'",
                file=table.path, sheet=table.sheet, row=table.row_numbers[0],
                hint="columns found: " + ", ".join(h for h in headers if h),
            )
        return keys.index(target)

    id_index = column(id, "id")
    group_index = column(group, "group") if group is not None else None
    rows = table.rows[1:]
    numbers = table.row_numbers[1:]
    if not rows:
        raise FileFormatError("the records file has a header but no students",
                              file=table.path, sheet=table.sheet, hint="check the export")
    ids = [normalise_id(r[id_index]) for r in rows]
    _require_filled(ids, numbers, table, headers[id_index], "student id")
    check_unique(ids, numbers, table.path, table.sheet, headers[id_index], "student id")
    data: dict[str, pd.Series] = {}
    for index, header in enumerate(headers):
        if index == id_index or not header:
            continue
        values = [r[index] for r in rows]
        if index == group_index:
            labels = [cell_text(v) or None for v in values]
            _require_filled(labels, numbers, table, header, "group")
            data[header] = pd.Series(labels, index=ids, dtype="string")
            continue
        data[header] = _typed(values, ids)
    frame = pd.DataFrame(data, index=pd.Index(ids, name="student_id"))
    return Records(frame, headers[id_index], headers[group_index] if group_index is not None
                   else None, table.path, table.sheet,
                   pd.Series(numbers, index=frame.index, dtype="int64"))


def _require_filled(values: Sequence[str | None], numbers: Sequence[int], table: Any,
                    header: str, what: str) -> None:
    empty = [n for v, n in zip(values, numbers, strict=True) if v is None]
    if empty:
        raise FileFormatError(
            f"{len(empty)} row(s) have no {what}",
            file=table.path, sheet=table.sheet, row=empty[0], column=header,
            problems=[Location(table.path, table.sheet, n, header) for n in empty],
            hint=f"fill in the {what} or remove those rows",
        )


def _typed(values: list[Any], index: list[str | None]) -> pd.Series:
    """Numbers as floats when every filled cell is a number; otherwise text."""
    texts = [cell_text(v) for v in values]
    converted: list[float] = []
    numeric = True
    for value, text in zip(values, texts, strict=True):
        if text == "":
            converted.append(float("nan"))
        elif isinstance(value, bool):
            numeric = False
            break
        elif isinstance(value, int | float):
            converted.append(float(value))
        else:
            try:
                converted.append(float(normalize_digits(text)))
            except ValueError:
                numeric = False
                break
    if numeric and any(t for t in texts):
        return pd.Series(converted, index=index, dtype="float64")
    return pd.Series([t or None for t in texts], index=index, dtype="string")


# -------------------------------------------------------------------- linkage


@dataclass(frozen=True)
class LinkageReport:
    """Counts of what linked and what did not.

    Attributes
    ----------
    n_responses, n_records
        Respondents and students on each side.
    matched
        Respondents linked to a student record.
    responses_without_id
        Respondents who left the id empty.
    responses_not_in_records
        Respondents whose id is not in the records.
    records_not_in_survey
        Students who did not answer the survey.
    duplicate_survey_ids
        Responses dropped because the same id answered more than once (only with
        ``duplicates="first"`` or ``"last"``).
    """

    n_responses: int
    n_records: int
    matched: int
    responses_without_id: int
    responses_not_in_records: int
    records_not_in_survey: int
    duplicate_survey_ids: int
    id_rule: str = ID_RULE
    method: str = (f"HMAC-SHA-256 of the normalised id, first {PSEUDONYM_HEX_DIGITS} hex "
                   "digits")
    key_source: str = ""

    def to_frame(self) -> pd.DataFrame:
        rows = [
            ("survey responses", self.n_responses),
            ("academic records", self.n_records),
            ("linked", self.matched),
            ("responses without an id", self.responses_without_id),
            ("responses whose id is not in the records", self.responses_not_in_records),
            ("records without a survey response", self.records_not_in_survey),
            ("repeated survey responses dropped", self.duplicate_survey_ids),
        ]
        return pd.DataFrame(rows, columns=["measure", "n"])

    def __repr__(self) -> str:
        return (f"LinkageReport(linked {self.matched} of {self.n_responses} responses to "
                f"{self.n_records} records; {self.responses_not_in_records} responses and "
                f"{self.records_not_in_survey} records unmatched; "
                f"{self.responses_without_id} responses without id)")

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(repr(self))}</p>"
                + self.to_frame().to_html(index=False, escape=True))


@dataclass(frozen=True)
class Linked:
    """Survey responses and records after linkage, both indexed by pseudonym.

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> linked = peereval.link(study.screened, study.records, key="x" * 32)
    >>> print(repr(linked).splitlines()[0])
    Linked: 138 of 138 survey responses matched to 300 records, by keyed pseudonym
    """

    responses: Responses
    records: Records
    report: LinkageReport

    def __repr__(self) -> str:
        report = self.report
        return "\n".join([
            f"Linked: {report.matched} of {report.n_responses} survey responses matched to "
            f"{report.n_records} records, by keyed pseudonym",
            f"  responses: {self.responses!r}",
            f"  records:   {self.records!r}",
        ])

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(repr(self)).replace(chr(10), '<br>')}</p>"
                + self.report.to_frame().to_html(index=False, escape=True))

    def join(self, scores: pd.DataFrame | Any) -> pd.DataFrame:
        """Records with survey scores added (missing for students who did not answer).

        ``scores`` is a :class:`~peereval.instrument.Scores` (its scale scores are
        used) or any DataFrame indexed like :attr:`responses`.
        """
        frame = scores.scales if hasattr(scores, "scales") else scores
        out = self.records.data.join(frame, how="left")
        out.insert(0, "in_survey", out.index.isin(self.responses.ids))
        return out


def _key_bytes(key: str | bytes | None, key_env: str) -> tuple[bytes, str]:
    if key is None:
        env = os.environ.get(key_env)
        if not env:
            raise LinkageError(
                "no pseudonymisation key was given",
                hint=f"pass key=... or set the environment variable {key_env} to a long "
                "random secret held by the data steward (e.g. python -c \"import secrets; "
                "print(secrets.token_hex(32))\"); keep it out of the study files",
            )
        key, source = env, f"environment variable {key_env}"
    else:
        source = "argument"
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < MIN_KEY_BYTES:
        raise LinkageError(
            f"the pseudonymisation key is {len(raw)} bytes long; at least {MIN_KEY_BYTES} "
            "are needed so that it cannot be guessed",
            hint="use a random secret of 32 bytes or more",
        )
    return raw, source


def pseudonym(student_id: str, key: bytes) -> str:
    """Keyed pseudonym of a normalised id: HMAC-SHA-256, first 16 hex digits."""
    digest = hmac.new(key, student_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "p" + digest[:PSEUDONYM_HEX_DIGITS]


def _survey_id_column(responses: Responses, survey_id: str) -> tuple[pd.Series, bool]:
    """The survey's student-id column (metadata first, then items) and whether it is an
    item the student typed."""
    if survey_id in responses.meta:
        return responses.meta[survey_id], False
    if survey_id in responses.answers:
        return responses.answers[survey_id], True
    raise LinkageError(
        f"the survey has no column '{survey_id}' holding student ids",
        file=responses.source,
        hint="name the column with survey_id=...; metadata columns: "
        + ", ".join(map(str, responses.meta.columns)),
    )


def keyed_by_id(responses: Responses, values: pd.DataFrame, survey_id: str) -> pd.DataFrame:
    """``values`` (one row per respondent of ``responses``) indexed by the student id.

    The id is read from the survey's column ``survey_id`` (metadata, or an item the
    student typed) and normalised with :func:`normalise_id`, so two administrations
    of a questionnaire, or a survey and the records, can be matched row by row, e.g.
    by :func:`peereval.reliability.test_retest`. A respondent without an id keeps a
    missing index label (it matches nothing).

    Parameters
    ----------
    responses
        The survey the rows come from.
    values
        Indexed by ``respondent_id`` (e.g. ``instrument.score(responses).scales``).
    survey_id
        The column holding the student id.

    Returns
    -------
    pandas.DataFrame
        The same rows, indexed by the normalised student id (index name ``student``).

    Raises
    ------
    LinkageError
        The survey has no such column.
    DuplicateIdError
        One student id answered twice (every row named).

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> keyed = keyed_by_id(study.screened, study.scores.scales, "student_id")
    >>> keyed.index.name, len(keyed) == len(study.scores.scales)
    ('student', True)
    """
    raw, id_is_item = _survey_id_column(responses, survey_id)
    column = survey_id if id_is_item else None
    ids = raw.reindex(values.index).map(lambda v: None if pd.isna(v) else normalise_id(v))
    present = ids.dropna()
    repeated = present[present.duplicated(keep=False)]
    if len(repeated):
        raise DuplicateIdError(
            f"{repeated.nunique()} student id(s) answered {responses.source.name} more "
            "than once", file=responses.source, column=survey_id,
            problems=[responses.locate(str(rid), column, raw[rid]) for rid in repeated.index],
            hint="screen first (peereval.quality.screen flags duplicate_id) and drop the "
            "repeats")
    out = values.copy()
    out.index = pd.Index(ids.to_numpy(), name="student")
    return out


@keyword_only("0.1", "key")
def link(
    responses: Responses,
    records: Records,
    *,
    key: str | bytes | None = None,
    survey_id: str = "student_id",
    key_env: str = DEFAULT_KEY_ENV,
    duplicates: Literal["error", "first", "last"] = "error",
    keep: Sequence[str] = (),
) -> Linked:
    """Link survey responses to academic records through keyed pseudonyms.

    Parameters
    ----------
    responses
        The survey; ``survey_id`` names the column (metadata such as embedded data,
        or an item the student typed) holding the student id.
    records
        From :func:`read_records`.
    key
        Secret key of the keyed hash. By default read from the environment
        variable ``key_env``; at least 16 bytes.
    duplicates
        What to do when one student id answered more than once: ``"error"``
        (default; screen first with :func:`peereval.quality.screen`), keep the
        ``"first"`` or the ``"last"`` response in file order.
    keep
        Columns of either side to keep even when they look identifying (an outcome,
        covariate or cluster the study names); the group column is always kept.

    Returns
    -------
    Linked
        Responses and records re-indexed by pseudonym, with the raw ids and every
        other identifying column of either side removed (see
        :func:`identifying_columns`: e-mail, name, telephone and IP-address columns,
        platform response ids, other id columns, columns holding student ids); the
        notes of each side list what was removed and why. Also a
        :class:`LinkageReport`. Unlinked respondents stay in
        ``responses`` (those without an id are named ``unlinked-1``, ...), and
        students who did not answer stay in ``records``.

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> linked = peereval.link(study.screened, study.records, key="x" * 32)
    >>> linked.report.matched == len(study.screened) - linked.report.responses_not_in_records
    True
    """
    if records.pseudonymised:
        raise LinkageError("these records are already pseudonymised",
                           hint="link the records as read by read_records")
    raw_key, key_source = _key_bytes(key, key_env)
    raw, id_is_item = _survey_id_column(responses, survey_id)
    survey_ids = raw.map(lambda v: normalise_id(v) if not pd.isna(v) else None)
    present = survey_ids.dropna()
    repeated = present[present.duplicated(keep=False)]
    dropped = 0
    if len(repeated):
        if duplicates == "error":
            problems = [responses.locate(rid, survey_id if id_is_item else None, raw[rid])
                        for rid in repeated.index]
            raise LinkageError(
                f"{repeated.nunique()} student id(s) answered the survey more than once",
                file=responses.source,
                column=survey_id,
                problems=problems,
                hint="screen first (peereval.quality.screen(..., id_column=...) flags "
                "duplicate_id) and drop the repeats, or pass duplicates='first' or 'last'",
            )
        keep = "first" if duplicates == "first" else "last"
        extra = present.index[present.duplicated(keep=keep)]
        dropped = len(extra)
        survey_ids = survey_ids.drop(extra)
        responses = responses.subset(survey_ids.index,
                                     note=("linkage dropped "
                                           f"{count_of(dropped, 'repeated response')}"))
    pseudo_records = [pseudonym(i, raw_key) for i in records.data.index]
    if len(set(pseudo_records)) != len(pseudo_records):
        raise LinkageError("two student ids received the same pseudonym",
                           hint="this is astronomically unlikely; report it")
    new_ids, unlinked = _survey_pseudonyms(survey_ids, raw_key)
    record_set = set(pseudo_records)
    matched = sum(1 for p in new_ids if p in record_set)
    with_id = len(new_ids) - unlinked
    report = LinkageReport(
        n_responses=len(new_ids),
        n_records=len(records),
        matched=matched,
        responses_without_id=unlinked,
        responses_not_in_records=with_id - matched,
        records_not_in_survey=len(record_set - set(new_ids)),
        duplicate_survey_ids=dropped,
        key_source=key_source,
    )
    student_ids = {i for i in survey_ids.dropna()} | {
        i for i in (normalise_id(v) for v in records.data.index) if i}
    removed = _survey_identifiers(responses, survey_id, student_ids, keep)
    drop_meta = [c for c in responses.meta.columns if c in removed]
    meta = responses.meta.drop(columns=drop_meta)
    answers = responses.answers.drop(columns=[c for c in responses.answers.columns
                                              if c in removed])
    items = {c: responses.items[c] for c in answers.columns}
    removed_records = identifying_columns(
        records.data, student_ids=student_ids,
        skip=[*keep, *([records.group] if records.group else [])])
    answers.index = pd.Index(new_ids, name="respondent_id")
    meta.index = answers.index
    linked_responses = Responses(
        answers, items, meta, platform=responses.platform, source=responses.source,
        sheet=responses.sheet, source_rows=responses.source_rows.to_numpy(),
        notes=[*responses.notes, f"linked to records; ids replaced by pseudonyms "
               f"({report.method}); removed columns: {_removed_text(removed)}"],
        encoding=responses.encoding,
    )
    record_data = records.data.drop(columns=list(removed_records))
    record_data.index = pd.Index(pseudo_records, name="pseudonym")
    linked_records = Records(
        record_data, records.id_column, records.group, records.source, records.sheet,
        pd.Series(records.source_rows.to_numpy(), index=record_data.index, dtype="int64"),
        pseudonymised=True,
        notes=(*records.notes, "ids replaced by pseudonyms"
               + (f"; removed columns: {_removed_text(removed_records)}"
                  if removed_records else "")),
    )
    return Linked(linked_responses, linked_records, report)


def _survey_pseudonyms(survey_ids: pd.Series, raw_key: bytes) -> tuple[list[str], int]:
    """Each response's pseudonym, ``unlinked-1``, ``unlinked-2``, ... for responses
    without an id, and how many had none."""
    new_ids = []
    unlinked = 0
    for value in survey_ids:
        if value is None:
            unlinked += 1
            new_ids.append(f"unlinked-{unlinked}")
        else:
            new_ids.append(pseudonym(value, raw_key))
    return new_ids, unlinked


def _survey_identifiers(responses: Responses, survey_id: str, student_ids: set[str],
                        keep: Sequence[str]) -> dict[str, str]:
    """Metadata and answer columns of a survey that identify a respondent."""
    removed = {survey_id: "the student id used for linkage"}
    removed.update(identifying_columns(responses.meta, student_ids=student_ids,
                                       skip=[survey_id, *keep]))
    open_answers = [c for c, item in responses.items.items()
                    if item.kind in ("text", "number", "choice") and c != survey_id]
    removed.update(identifying_columns(responses.answers[open_answers],
                                       student_ids=student_ids, skip=keep))
    return removed


def _removed_text(removed: dict[str, str]) -> str:
    return "; ".join(f"{column} ({reason})" for column, reason in removed.items()) or "none"
