"""Exports of a questionnaire peereval was not built with give the right numbers.

``tests/fixtures/unseen/make_unseen.py`` (which does not import peereval) writes a
"Peer mentoring experience" questionnaire - a 4-point agreement matrix, Qualtrics'
five-point "Somewhat" agreement scale, a 7-point agreement scale, a 5-point
frequency and a 5-point satisfaction scale, age, gender, year of study (six
options), a student id and a comment; English and Persian - in the export layout
of each platform, with ``truth.csv``: the number (1..k on the item's own scale)
each answer stands for, decided from the answer's position when it was written.

The tests here compare peereval with that truth:

* reading: ``read_export`` + ``numeric()`` give exactly the truth's numbers, with
  no ``LabelCodingWarning``; demographics are not Likert items;
* ``init``'s guesses: the student id, the comment, the outcomes, distinct scale names;
* the command line: ``peereval init`` (the export alone, or with a records sheet),
  the proposed scales accepted as a user would (as they stand, and with init's
  question for a scale's number of points answered from the questionnaire),
  ``validate`` ready, ``report``; the
  workbook's per-statement n, median and "agree %", the item-analysis means and
  the scale means and "agree %" equal what the truth gives under the rules the
  report states (docs/report.md, src/peereval/perception.py).

Cases that fail today because peereval guesses or codes wrongly are marked
``xfail(strict=True)`` with the wrong behaviour as reason, so that each turns into
a failure ("XPASS") the moment it is fixed and the mark can be removed.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import statistics
import sys
import tomllib
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import peereval
from peereval.cli import main as cli
from peereval.errors import LabelCodingWarning

UNSEEN = Path(__file__).parent / "fixtures" / "unseen"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


QUESTIONNAIRE = _read_csv(UNSEEN / "questionnaire.csv")
COLUMNS = [q["column"] for q in QUESTIONNAIRE]
POINTS = {q["column"]: int(q["points"]) for q in QUESTIONNAIRE}
SCALE_OF = {q["column"]: q["scale"] for q in QUESTIONNAIRE}
# The questions that are about the student, not scale items: English and Persian
# wording, and the REDCap field names of the raw export.
NOT_ITEMS = {
    "age": ("What is your age (in years)?", "سن شما (به سال)", "age"),
    "gender": ("What is your gender?", "جنسیت", "gender"),
    "year": ("What is your current year of study?", "سال تحصیلی فعلی شما",
             "year_of_study"),
    "student id": ("Student ID number", "شماره دانشجویی", "student_number", "student_id"),
    "comment": ("Is there anything else you would like to tell us about peer mentoring?",
                "اگر نکته دیگری درباره منتورینگ همتا دارید بنویسید", "comments"),
}


@dataclass(frozen=True)
class Case:
    """One export of the corpus: its files and what to expect of it."""

    folder: str
    export: str
    dictionary: str | None = None
    records: str | None = None
    extra: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        parts = [self.folder, Path(self.export).stem]
        if self.dictionary:
            parts.append("dictionary")
        if self.records:
            parts.append("records")
        return "-".join(parts)

    def path(self, name: str) -> Path:
        return UNSEEN / self.folder / name


CASES = [
    Case("qualtrics", "choice_text.csv"),
    Case("qualtrics", "choice_text.csv", records="records.xlsx"),
    Case("surveymonkey", "answer_text.csv"),
    Case("surveymonkey", "answer_text.csv", records="records.xlsx"),
    Case("google_forms", "form_download.csv"),
    Case("google_forms_fa", "form_download.csv"),
    Case("ms_forms", "survey.xlsx"),
    Case("redcap", "labels.csv"),
    Case("redcap", "labels.csv", dictionary="dictionary.csv"),
    Case("redcap", "raw.csv", dictionary="dictionary.csv"),
    Case("limesurvey", "full_text.csv"),
    Case("kobo", "labels_en.csv"),
    Case("persian_xlsx", "porsline_like.xlsx"),
    Case("persian_xlsx", "porsline_like.xlsx", records="records.xlsx"),
    Case("spss", "survey.sav"),
]
READ_CASES = [c for c in CASES if c.records is None]

# ------------------------------------------------------------ known wrong behaviour
# Each reason names the wrong behaviour seen; remove the mark when it is fixed. None is
# left: the label coding that refused the 4-point and 5-point 'Somewhat' matrices
# beside a 7-point one, floor and ceiling at the codebook's top-level range instead of
# each scale's, duplicate scale names in init's stub, SPSS 'Year 1'... 'Year 6' read
# as a Likert item, and SPSS single questions grouped by their number of value labels
# were fixed, and their marks removed.
READ_XFAIL: dict[str, str] = {}
DEMOGRAPHIC_XFAIL: dict[str, str] = {}
E2E_XFAIL: dict[str, str] = {}
NAMES_XFAIL: dict[str, str] = {}
FLOOR_XFAIL: dict[str, str] = {}
POINTS_XFAIL: dict[str, str] = {}
# the scale numbers are checked on the scales the report has, right or wrong (the
# test of init's proposals says whether they are the questionnaire's)
SCALE_XFAIL: dict[str, str] = {}
POINTS_FLOOR_XFAIL: dict[str, str] = {}


def _e2e(proposed: dict[str, str], points: dict[str, str]) -> list:
    """(case, mode) parameters of the command-line tests: ``proposed`` accepts init's
    codebook as it stands; ``points`` also answers init's question for the number of
    points of a scale (the only input a user adds)."""
    out = []
    for mode, reasons in (("proposed", proposed), ("points", points)):
        for c in CASES:
            marks = ([pytest.mark.xfail(strict=True, reason=reasons[c.id])]
                     if c.id in reasons else [])
            out.append(pytest.param(c, mode, id=f"{c.id}-{mode}", marks=marks))
    return out


def _marked(cases: list[Case], reasons: dict[str, str]) -> list:
    return [pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=reasons[c.id]))
            if c.id in reasons else pytest.param(c, id=c.id) for c in cases]


# ----------------------------------------------------------------------- helpers


def normal(text: object) -> str:
    """Text compared loosely: NFKC, Arabic yeh/kaf as Persian, ZWNJ as a space,
    spaces collapsed, case folded (loaders may normalise headers so)."""
    text = unicodedata.normalize("NFKC", str(text))
    text = text.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    return " ".join(text.split()).casefold()


ROW_TEXTS = {q["column"]: (normal(q["row_en"]), normal(q["row_fa"])) for q in QUESTIONNAIRE}


def truth_column(code: str, text: str) -> str | None:
    """The truth column whose statement (row text) an export's column shows, or whose
    name it has (REDCap field names); None for a column that is no item."""
    if code in POINTS:
        return code
    shown = normal(f"{code} {text}")
    found = [c for c, rows in ROW_TEXTS.items() if any(r in shown for r in rows)]
    assert len(found) <= 1, f"{code!r} matches several statements: {found}"
    return found[0] if found else None


def load_truth(case: Case) -> list[dict[str, float]]:
    """truth.csv of a fixture: per respondent (file order) each item's number."""
    rows = _read_csv(case.path("truth.csv"))
    return [{c: (float(r[c]) if r[c] else math.nan) for c in COLUMNS} for r in rows]


def read(case: Case):
    kwargs = {"dictionary": case.path(case.dictionary)} if case.dictionary else {}
    return peereval.read_export(case.path(case.export), **kwargs)


def truth_of_items(truth: list[dict[str, float]], column: str) -> list[float]:
    return [row[column] for row in truth if not math.isnan(row[column])]


# ------------------------------------------------------------------ reading tests


@pytest.mark.parametrize("case", _marked(READ_CASES, READ_XFAIL))
def test_export_codes_every_answer_to_its_true_number(case):
    """Every Likert answer of the export is coded to the number its label stands for
    (1..k on the item's own scale), with no LabelCodingWarning: the 4-, 5- and
    7-point agreement, frequency and satisfaction scales of one file are each
    recognised, not merged into one."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        responses = read(case)
        values = responses.numeric()
    coding = [str(w.message) for w in caught if issubclass(w.category, LabelCodingWarning)]
    assert not coding, coding
    truth = load_truth(case)
    found = {code: truth_column(code, responses.items[code].text) for code in values.columns}
    assert sorted(c for c in found.values() if c) == sorted(COLUMNS), found
    assert len(values) == len(truth)
    for code, column in found.items():
        if column is None:  # not a statement: test_demographics_... says what it is
            continue
        expected = np.array([row[column] for row in truth])
        np.testing.assert_array_equal(values[code].to_numpy(), expected,
                                      err_msg=f"{code} ({column})")


@pytest.mark.parametrize("case", _marked(READ_CASES, DEMOGRAPHIC_XFAIL))
def test_demographics_id_and_comment_are_not_likert_items(case):
    """Age (a number), gender, year of study (six ordered options), the student id
    and the comment are read, but none of them is a Likert item: exactly the 18
    statements are."""
    responses = read(case)
    likert = set(responses.likert_items)
    for what, names in NOT_ITEMS.items():
        wanted = {normal(n) for n in names}
        columns = [code for code, item in responses.items.items()
                   if normal(code) in wanted or normal(item.text) in wanted]
        columns += [c for c in responses.meta.columns if normal(c) in wanted]
        assert columns, f"the {what} question was not read"
        assert not likert & set(columns), f"the {what} question is a Likert item"
    assert len(likert) == len(COLUMNS)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in READ_CASES])
def test_with_the_number_of_points_every_label_gets_its_true_number(case):
    """Told each item's number of points (``numeric(points=...)``, what the error
    message of an ambiguous scale asks for), peereval decodes every label - English
    and Persian, agreement, "Somewhat", frequency, satisfaction - to the truth's
    number. This separates the choice of a scale's length from the decoding of its
    labels."""
    responses = read(case)
    found = {code: truth_column(code, responses.items[code].text)
             for code in responses.likert_items}
    points = {code: POINTS[column] for code, column in found.items() if column}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = responses.numeric(list(points), points=points)
    assert not [w for w in caught if issubclass(w.category, LabelCodingWarning)]
    truth = load_truth(case)
    for code in points:
        expected = np.array([row[found[code]] for row in truth])
        np.testing.assert_array_equal(values[code].to_numpy(), expected, err_msg=code)


def test_the_generator_reproduces_the_committed_files(tmp_path, monkeypatch):
    """make_unseen.py, run again, writes exactly the committed files (so the truth
    tables are those of the exports, and a change to the generator shows up)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_unseen", UNSEEN / "make_unseen.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_unseen", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(UNSEEN) for p in UNSEEN.rglob("*") if p.is_file()
                 and p.suffix not in {".py", ".md"} and "__pycache__" not in p.parts}
    assert written == committed
    for name in sorted(written):
        if name.suffix == ".sav":  # ReadStat stamps the time of writing: compare content
            import pyreadstat

            new_frame, new_meta = pyreadstat.read_sav(tmp_path / name, user_missing=True)
            old_frame, old_meta = pyreadstat.read_sav(UNSEEN / name, user_missing=True)
            assert new_frame.equals(old_frame), name
            for attribute in ("column_names_to_labels", "variable_value_labels",
                              "missing_ranges", "variable_measure", "file_label"):
                assert getattr(new_meta, attribute) == getattr(old_meta, attribute), name
            continue
        assert (tmp_path / name).read_bytes() == (UNSEEN / name).read_bytes(), name


# ------------------------------------------------------------------- the command line


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """``peereval ARGS`` in this process; its exit code and what it printed."""
    capsys.readouterr()
    code = cli([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def names_of(responses, code: str) -> set[str]:
    """A survey column's code and question text, compared loosely."""
    item = responses.items.get(code)
    return {normal(code)} | ({normal(item.text)} if item is not None else set())


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_init_guesses_the_student_id_the_comment_and_the_outcomes(case, tmp_path, capsys):
    """``init`` takes the student-id question as ``survey.id`` and only the free-text
    question as a comment (not the age, not the id); with a records sheet it links
    through ``student_id``, compares ``mentored`` yes/no, adjusts for ``gpa_entry``
    and proposes ``gpa_year1`` as the only outcome (no id, no demographic)."""
    files = [shutil.copy(case.path(name), tmp_path / name)
             for name in (case.export, case.dictionary, case.records) if name]
    code, said = run_cli(capsys, "init", *files, "-o", tmp_path / "study")
    assert code == 0, said
    study = tomllib.loads((tmp_path / "study" / "study.toml").read_text(encoding="utf-8"))
    responses = read(case)
    ids = {normal(n) for n in NOT_ITEMS["student id"]}
    assert names_of(responses, study["survey"].get("id", "")) & ids, study["survey"]
    comments = study["survey"].get("comments", [])
    assert len(comments) == 1, comments
    assert names_of(responses, comments[0]) & {normal(n) for n in NOT_ITEMS["comment"]}
    if case.records:
        assert study["records"]["id"] == "student_id"
        assert (study["records"]["group"], study["records"]["treated"]) == ("mentored", "yes")
        assert study["outcomes"].get("continuous") == ["gpa_year1"]
        assert study["outcomes"].get("baseline") == "gpa_entry"
        assert not study["outcomes"].get("covariates")
    else:
        assert "records" not in study
        assert "outcomes" not in study


SCALE_LINE = re.compile(r"^# (\[scales\.|label =|items =|reverse =|response_range =)")


@pytest.mark.parametrize("case", _marked(CASES, NAMES_XFAIL))
def test_init_proposes_scales_under_distinct_names(case, tmp_path, capsys):
    """Every scale the codebook stub proposes has a name of its own, so a user who
    uncomments the proposals gets a valid codebook (the tests below make the names
    unique themselves, to go on to the numbers)."""
    files = [shutil.copy(case.path(name), tmp_path / name)
             for name in (case.export, case.dictionary, case.records) if name]
    code, said = run_cli(capsys, "init", *files, "-o", tmp_path / "study")
    assert code == 0, said
    text = (tmp_path / "study" / "codebook.toml").read_text(encoding="utf-8")
    names = re.findall(r"(?m)^# \[scales\.([^\]]+)\]", text)
    assert len(names) == len(set(names)), names


def accept_proposed_scales(codebook: Path, points: dict[str, int] | None = None) -> None:
    """Do what a user who trusts ``init`` does: uncomment every proposed
    ``[scales.NAME]`` block of the codebook stub as it stands (names made unique).

    With ``points`` (item code -> number of points of its scale, which the user knows
    from the questionnaire), also answer init's question where the stub asks for the
    number of points (``response_range = [1, N]``), and nothing else."""
    lines, inside, names, items = [], False, set(), []
    for line in codebook.read_text(encoding="utf-8").splitlines():
        if line.startswith("# [scales."):
            inside, items = True, []
        elif line == "#" or line.startswith("# init"):
            inside = False
        if inside and SCALE_LINE.match(line):
            line = line[2:]
            if line.startswith("[scales."):
                name = base = line[len("[scales."):-1]
                k = 2
                while name in names:
                    name, k = f"{base}_{k}", k + 1
                names.add(name)
                line = f"[scales.{name}]"
            elif line.startswith("items ="):
                items = tomllib.loads(line)["items"]
            elif points is not None and line.startswith("response_range = [1, N]"):
                (n,) = {points[code] for code in items}
                line = f"response_range = [1, {n}]   # the questionnaire's number of points"
        lines.append(line)
    codebook.write_text("\n".join(lines) + "\n", encoding="utf-8")


def quick_options(study: Path, *, factor_analysis: bool = True) -> None:
    """Fewer bootstrap resamples and simulations (the smallest [options] allows), and
    no factor analysis for the cases with records (their survey alone runs it): CI
    speed only; no number compared here depends on them."""
    text = study.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^n_boot = \d+", "n_boot = 200", text)
    text = re.sub(r"(?m)^n_iter = \d+", "n_iter = 50", text)
    if not factor_analysis:
        text = re.sub(r"(?m)^factor_analysis = true", "factor_analysis = false", text)
    study.write_text(text, encoding="utf-8")


def sheet(workbook, name: str, first: str) -> list[dict[str, object]]:
    """The rows of a workbook table: the header is the first row starting ``first``;
    the table ends at the first empty row."""
    rows = list(workbook[name].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == first)
    header = rows[start]
    out = []
    for row in rows[start + 1:]:
        if row[0] is None:
            break
        out.append(dict(zip(header, row, strict=False)))
    return out


def statement_column(row: dict[str, object]) -> str:
    column = truth_column(str(row["item"]), str(row.get("statement") or ""))
    assert column is not None, f"the report's item {row['item']!r} is no statement of the " \
                               "questionnaire (a demographic, id or comment in a scale?)"
    return column


@dataclass
class Reported:
    """What one run of init -> validate -> report left: the study folder, the
    workbook's perception and item-analysis tables, and the truth to compare with."""

    study: Path
    agree: list[dict[str, object]]
    scales: list[dict[str, object]]
    items: list[dict[str, object]]
    columns: list[str]                  # truth column of each row of ``agree``
    members: dict[str, list[str]]      # report scale -> its truth columns
    truth: list[dict[str, float]]
    cohort: list[object]               # each truth respondent's cohort (None: no split)
    workbook: Path


_RUNS: dict[object, Reported | AssertionError] = {}


def run_study(case: Case, mode: str, root: Path, capsys) -> Reported:
    """``init`` the case's files, accept the proposed scales (``mode``), ``validate``
    (must be ready), ``report``; done once per case and codebook and shared by the
    tests below (a failed run fails each of them the same way; when answering
    init's questions changes nothing, the two modes share one run)."""
    key = (case.id, mode)
    if key not in _RUNS:
        try:
            study_dir = _prepare(case, mode, root, capsys)
            same = (case.id, (study_dir / "codebook.toml").read_text(encoding="utf-8"))
            if same not in _RUNS:
                try:
                    _RUNS[same] = _finish(case, study_dir, root, capsys)
                except AssertionError as exc:
                    _RUNS[same] = exc
            _RUNS[key] = _RUNS[same]
        except AssertionError as exc:
            _RUNS[key] = exc
    run = _RUNS[key]
    if isinstance(run, AssertionError):
        raise run
    return run


def _prepare(case: Case, mode: str, root: Path, capsys) -> Path:
    data = root / "data"
    data.mkdir(parents=True)
    files = [shutil.copy(case.path(name), data / name)
             for name in (case.export, case.dictionary, case.records) if name]
    study_dir = root / "study"
    code, said = run_cli(capsys, "init", *files, "-o", study_dir)
    assert code == 0, said
    points = None
    if mode == "points":
        responses = read(case)
        points = {code: POINTS[column] for code in responses.likert_items
                  if (column := truth_column(code, responses.items[code].text))}
    accept_proposed_scales(study_dir / "codebook.toml", points)
    quick_options(study_dir / "study.toml", factor_analysis=case.records is None)
    return study_dir


def _finish(case: Case, study_dir: Path, root: Path, capsys) -> Reported:
    code, said = run_cli(capsys, "validate", study_dir / "study.toml")
    assert code == 0, said
    out = root / "out"
    code, said = run_cli(capsys, "report", study_dir / "study.toml", "-o", out, "-q")
    assert code == 0, said

    import openpyxl

    workbook = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    agree = sheet(workbook, "items_agree", "scale")
    columns = [statement_column(row) for row in agree]
    members: dict[str, set[str]] = {}
    for row, column in zip(agree, columns, strict=True):
        members.setdefault(str(row["scale"]), set()).add(column)
    truth = load_truth(case)
    cohort: list[object] = [None] * len(truth)
    if case.records:
        records = openpyxl.load_workbook(case.path(case.records), read_only=True)
        group = {str(r["student_id"]): r["mentored"]
                 for r in sheet(records, "records", "student_id")}
        ids = [r["student_id"] for r in _read_csv(case.path("truth.csv"))]
        cohort = [group.get(i) for i in ids]
    return Reported(study_dir, agree, sheet(workbook, "scales_agree", "scale"),
                    sheet(workbook, "items", "scale"), columns,
                    {k: sorted(v) for k, v in members.items()}, truth, cohort,
                    out / "tables.xlsx")


def subset(run: Reported, row: dict[str, object]) -> list[dict[str, float]]:
    """The truth respondents a report row speaks of (its cohort, when split)."""
    if row.get("cohort") is None:
        return run.truth
    return [r for r, c in zip(run.truth, run.cohort, strict=True) if c == row["cohort"]]


@pytest.fixture
def case_root(request, tmp_path_factory):
    return tmp_path_factory.mktemp(request.node.callspec.id)


@pytest.mark.parametrize(("case", "mode"), _e2e(E2E_XFAIL, POINTS_XFAIL))
def test_init_proposes_the_questionnaire_s_scales(case, mode, case_root, capsys):
    """``init`` -> ``validate`` -> ``report`` runs on the user's files, and the scales
    of the report are the questionnaire's five statement sets: every statement once,
    no demographic, id or comment among them, no two sets merged."""
    run = run_study(case, mode, case_root, capsys)
    keys = [(c, row.get("cohort")) for row, c in zip(run.agree, run.columns, strict=True)]
    assert len(set(keys)) == len(keys), "a statement is reported twice"
    assert sorted(set(run.columns)) == sorted(COLUMNS)
    true_groups: dict[str, list[str]] = {}
    for column in COLUMNS:
        true_groups.setdefault(SCALE_OF[column], []).append(column)
    assert sorted(run.members.values()) == sorted(true_groups.values())


@pytest.mark.parametrize(("case", "mode"), _e2e(E2E_XFAIL, POINTS_XFAIL))
def test_report_gives_the_true_agreement_with_each_statement(case, mode, case_root, capsys):
    """Per statement (and cohort, when the report splits by one): n, median and
    "agree %" (top-two box: the two highest options of the item's own scale, of
    those who answered) equal the truth's."""
    run = run_study(case, mode, case_root, capsys)
    assert sorted(set(run.columns)) == sorted(COLUMNS)
    for row, column in zip(run.agree, run.columns, strict=True):
        answers = truth_of_items(subset(run, row), column)
        k = POINTS[column]
        where = f"{column} (cohort {row.get('cohort')})"
        assert row["n"] == len(answers), where
        assert row["median"] == pytest.approx(statistics.median(answers), abs=1e-9), where
        top_two = 100 * sum(a >= k - 1 for a in answers) / len(answers)
        assert row["agree %"] == pytest.approx(top_two, abs=1e-9), where


@pytest.mark.parametrize(("case", "mode"), _e2e(E2E_XFAIL, POINTS_XFAIL))
def test_report_gives_the_true_item_means(case, mode, case_root, capsys):
    """The item analysis' mean of each statement equals the truth's mean, over every
    answer or over the respondents who answered every item of the scale (listwise):
    its n says which, and must be one of the two."""
    run = run_study(case, mode, case_root, capsys)
    assert {statement_column(row) for row in run.items} == set(COLUMNS)
    scale_of = {c: str(row["scale"]) for row, c in zip(run.agree, run.columns, strict=True)}
    for row in run.items:
        column = statement_column(row)
        same_scale = run.members[scale_of[column]]
        every = truth_of_items(run.truth, column)
        complete = [r[column] for r in run.truth
                    if not any(math.isnan(r[c]) for c in same_scale)]
        assert row["n"] in (len(every), len(complete)), column
        used = every if row["n"] == len(every) else complete
        assert row["M"] == pytest.approx(statistics.fmean(used), abs=1e-9), column


@pytest.mark.parametrize(("case", "mode"), _e2e(FLOOR_XFAIL, POINTS_FLOOR_XFAIL))
def test_report_gives_the_true_floor_and_ceiling(case, mode, case_root, capsys):
    """The item analysis' floor and ceiling are the shares (of the respondents it
    used) answering the lowest and the highest option of the item's own scale."""
    run = run_study(case, mode, case_root, capsys)
    scale_of = {c: str(row["scale"]) for row, c in zip(run.agree, run.columns, strict=True)}
    for row in run.items:
        column = statement_column(row)
        same_scale = run.members[scale_of[column]]
        every = truth_of_items(run.truth, column)
        complete = [r[column] for r in run.truth
                    if not any(math.isnan(r[c]) for c in same_scale)]
        used = every if row["n"] == len(every) else complete
        k = POINTS[column]
        assert row["floor"] == pytest.approx(sum(a == 1 for a in used) / len(used),
                                             abs=1e-9), column
        assert row["ceiling"] == pytest.approx(sum(a == k for a in used) / len(used),
                                               abs=1e-9), column


@pytest.mark.parametrize(("case", "mode"), _e2e(SCALE_XFAIL, SCALE_XFAIL))
def test_report_gives_the_true_scale_means_and_agreement(case, mode, case_root, capsys):
    """Per scale (and cohort): n scored (respondents answering at least
    ``min_answered`` of the items), the mean scale score (mean of the answered
    items) and "agree %" (mean item score at or above the lowest agreeing option,
    k - 1 on a k-point scale) equal the truth's."""
    run = run_study(case, mode, case_root, capsys)
    codebook = tomllib.loads((run.study / "codebook.toml").read_text(encoding="utf-8"))
    min_answered = codebook.get("min_answered", 0.8)
    for row in run.scales:
        cols = run.members[str(row["scale"])]
        k = POINTS[cols[0]]
        scores = []
        for r in subset(run, row):
            given = [r[c] for c in cols if not math.isnan(r[c])]
            if len(given) >= min_answered * len(cols) - 1e-9:
                scores.append(statistics.fmean(given))
        where = f"{row['scale']} (cohort {row.get('cohort')})"
        assert row["n"] == len(scores), where
        assert row["M"] == pytest.approx(statistics.fmean(scores), abs=1e-9), where
        agreeing = 100 * sum(s >= k - 1 - 1e-9 for s in scores) / len(scores)
        assert row["agree %"] == pytest.approx(agreeing, abs=1e-9), where


@pytest.mark.parametrize(("case", "mode"), [p for p in _e2e(E2E_XFAIL, POINTS_XFAIL)
                                            if p.values[0].records])
def test_report_links_every_respondent_and_shows_no_student_id(case, mode, case_root,
                                                               capsys):
    """With the records sheet: every respondent is linked (the 25 other students are
    records without a response), the groups' entry and year-1 GPA are the records'
    (mean and SD, as the table rounds them), and no student id appears anywhere in
    the workbook."""
    run = run_study(case, mode, case_root, capsys)
    import openpyxl

    workbook = openpyxl.load_workbook(run.workbook, read_only=True)
    linkage = {row["measure"]: row["n"] for row in sheet(workbook, "linkage", "measure")}
    assert linkage["survey responses"] == len(run.truth)
    assert linkage["linked"] == len(run.truth)
    assert linkage["records without a survey response"] == 25
    records = sheet(openpyxl.load_workbook(case.path(case.records), read_only=True),
                    "records", "student_id")
    table = {row["variable"]: row for row in sheet(workbook, "characteristics", "variable")}
    for group in ("yes", "no"):
        chosen = [r for r in records if r["mentored"] == group]
        header = f"mentored = {group} (n = {len(chosen)})"
        for column in ("gpa_entry", "gpa_year1"):
            values = [float(r[column]) for r in chosen]
            expected = f"{statistics.fmean(values):.2f} ({statistics.stdev(values):.2f})"
            assert table[f"{column}, mean (SD)"][header] == expected, (group, column)
    ids = {str(r["student_id"]) for r in records}
    ids |= {i.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) for i in ids}
    for ws in workbook.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert value is None or not any(i in str(value) for i in ids), (ws.title,
                                                                                 value)


LABELS = {q["column"]: ([normal(x) for x in q["labels_en"].split(" | ")],
                        [normal(x) for x in q["labels_fa"].split(" | ")])
          for q in QUESTIONNAIRE}


@pytest.mark.parametrize(("case", "mode"), _e2e(E2E_XFAIL, POINTS_XFAIL))
def test_report_coding_table_gives_each_label_its_true_number(case, mode, case_root,
                                                              capsys):
    """The workbook's coding table ("How the answers were coded") gives every answer
    of every scale the number of its position on that scale's own labels, counts the
    answers as the truth does, and names no level nobody chose."""
    run = run_study(case, mode, case_root, capsys)
    import openpyxl

    coding = sheet(openpyxl.load_workbook(run.workbook, read_only=True), "coding", "scale")
    seen = set()
    for row in coding:
        cols = run.members[str(row["scale"])]
        english, persian = LABELS[cols[0]]
        text = normal(row.get("label") or row["answer"])  # columns left empty are omitted
        position = (english.index(text) if text in english else persian.index(text)) + 1
        assert row["number"] == position, row
        count = sum(r[c] == position for r in run.truth for c in cols)
        assert row["answers"] == count, row
        assert not row.get("levels nobody chose"), row
        seen.add((str(row["scale"]), position))
    assert seen == {(s, k) for s, cols in run.members.items()
                    for k in range(1, POINTS[cols[0]] + 1)}
