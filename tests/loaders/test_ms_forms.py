"""Microsoft Forms exports: survey and quiz workbooks, and a workbook saved as CSV."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments, sha256, values
from peereval.errors import DuplicateIdError, FileFormatError, LabelError
from peereval.loaders import ms_forms, qualtrics
from peereval.loaders._table import open_source

HERE = FIXTURES / "ms_forms"
ACTIVITY = canonical.ACTIVITY_QUESTION
OPTIONS = canonical.ACTIVITY_OPTIONS
ACTIVITIES = canonical.ACTIVITIES
FILES = ["survey.xlsx", "quiz.xlsx", "survey_saved_as.csv"]
CODES = [canonical.ROWS[k] for k in canonical.ITEMS]  # statement text only
IDS = ["1", "2", "3", "4", "5", "6"]
QUIZ_QUESTION = "How often should mentoring groups meet?"




@pytest.mark.parametrize("name", FILES)
def test_every_export_gives_the_canonical_answers(name):
    path = HERE / name
    before = sha256(path)
    responses = peereval.read_export(path)
    assert responses.platform == "ms_forms"
    assert list(responses.ids) == IDS
    assert responses.likert_items == CODES
    # the export does not say which statements form one Likert question, so the
    # number of scale points is given (see test_likert_statements_are_not_grouped)
    assert_canonical(responses, CODES, points=5)
    assert_comments(responses, canonical.COMMENT_QUESTION)
    assert responses.source_rows.tolist() == [2, 3, 4, 5, 6, 7]
    assert sha256(path) == before


@pytest.mark.parametrize("name", FILES)
def test_metadata(name):
    meta = peereval.read_export(HERE / name).meta
    assert meta["started"].iloc[0] == pd.Timestamp("2024-03-02 09:14:05")
    assert meta["ended"].iloc[0] == pd.Timestamp("2024-03-02 09:19:47")
    assert meta["duration_s"].tolist() == [342, 198, 525, 193, 32, 158]
    assert meta["email"].tolist() == ["anonymous"] * 6
    assert meta["name"].isna().all()
    assert meta["modified"].isna().all()
    assert "finished" not in meta


@pytest.mark.parametrize("name", FILES)
def test_likert_statements_are_not_grouped(name):
    responses = peereval.read_export(HERE / name)
    for code in CODES:
        assert responses.items[code].text == code
        assert responses.items[code].question is None
    assert any("without the question's title" in n for n in responses.notes)
    # Statement 1 alone shows 4 of the 5 agreement labels, which the 7-point scale also
    # has; read with the other statements of the file it is a 5-point scale.
    assert_canonical(responses, CODES)
    rules = responses.label_codes(CODES[:1])["rule"].unique().tolist()
    assert rules == ["agreement-5 (en), read with the file's other items"]
    # on its own (no other items to read it with) the length stays open
    with pytest.raises(LabelError, match="points=5"):
        _alone(responses)


def _alone(responses):
    """The first statement as the only Likert item of its export."""
    only = {CODES[0]: responses.items[CODES[0]]}
    single = peereval.Responses(responses.answers[[CODES[0]]], only, platform="ms_forms",
                                source=responses.source)
    return single.numeric([CODES[0]])


@pytest.mark.parametrize("name", FILES)
def test_multi_select_answers_lose_their_trailing_semicolon(name):
    responses = peereval.read_export(HERE / name)
    assert responses.items[ACTIVITY].kind == "multi"
    assert values(responses.answers[ACTIVITY]) == ACTIVITIES


def test_quiz_columns_are_metadata():
    responses = peereval.read_export(HERE / "quiz.xlsx")
    meta = responses.meta
    assert meta["total_points"].tolist() == [1, 0, 1, 0, 1, 0]
    assert meta["quiz_feedback"].isna().all()
    assert meta[f"Points - {QUIZ_QUESTION}"].tolist() == [1, 0, 1, 0, 1, 0]
    assert meta[f"Feedback - {QUIZ_QUESTION}"].iloc[1] == "Groups meet every two weeks."
    assert list(responses.items) == [*CODES, canonical.COMMENT_QUESTION, ACTIVITY,
                                     QUIZ_QUESTION]
    assert responses.items[QUIZ_QUESTION].kind == "choice"


def _csv_lines():
    return (HERE / "survey_saved_as.csv").read_bytes().decode("utf-8-sig").split("\r\n")


def _write(tmp_path, lines):
    target = tmp_path / "responses.csv"
    target.write_text("\r\n".join(lines), encoding="utf-8")
    return target


def test_duplicate_ids_list_every_row(tmp_path):
    lines = _csv_lines()
    lines[4] = "2" + lines[4][1:]  # response 4 (row 5) gets ID 2
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(_write(tmp_path, lines))
    assert [(p.row, p.value) for p in err.value.problems] == [(3, "2"), (5, "2")]
    assert "'ID'" in str(err.value)


def test_duplicate_ids_in_a_workbook(tmp_path):
    wb = openpyxl.load_workbook(HERE / "survey.xlsx")
    wb.active["A7"] = 1
    path = tmp_path / "survey.xlsx"
    wb.save(path)
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [p.row for p in err.value.problems] == [2, 7]
    assert err.value.sheet == "Sheet1"


def test_unparseable_time_names_the_row(tmp_path):
    lines = _csv_lines()
    cells = lines[4].split(",")
    cells[1] = "soon"
    lines[4] = ",".join(cells)
    with pytest.raises(FileFormatError, match="not a date") as err:
        peereval.read_export(_write(tmp_path, lines))
    assert (err.value.row, err.value.column, err.value.value) == (5, "Start time", "soon")


def test_unparseable_time_in_a_workbook(tmp_path):
    wb = openpyxl.load_workbook(HERE / "quiz.xlsx")
    wb.active["C3"] = "after lunch"
    path = tmp_path / "quiz.xlsx"
    wb.save(path)
    with pytest.raises(FileFormatError, match="not a date") as err:
        peereval.read_export(path)
    assert (err.value.row, err.value.column, err.value.sheet) == (3, "Completion time",
                                                                  "Sheet1")


def test_forcing_ms_forms_on_a_surveymonkey_export_says_what_it_is():
    with pytest.raises(FileFormatError, match="not a Microsoft Forms export") as err:
        peereval.read_export(FIXTURES / "surveymonkey" / "answer_text.csv",
                             platform="ms_forms")
    assert "surveymonkey" in str(err.value)


def test_forcing_ms_forms_on_a_qualtrics_export():
    with pytest.raises(FileFormatError, match="'ID', 'Start time', 'Completion time'"):
        peereval.read_export(FIXTURES / "qualtrics" / "choice_text.xlsx", platform="ms_forms")


def _tables(folder):
    for path in sorted((FIXTURES / folder).iterdir()):
        if path.suffix.lower() in {".csv", ".tsv", ".xlsx", ".txt", ".xls"}:
            yield path, open_source(path).tables[0]


def test_sniff_tells_ms_forms_from_qualtrics():
    for path, table in _tables("ms_forms"):
        assert ms_forms.sniff(table) >= 0.9, path
        assert qualtrics.sniff(table) == 0.0, path
    for path, table in _tables("qualtrics"):
        assert ms_forms.sniff(table) == 0.0, path


def test_sniff_claims_no_other_fixture():
    for folder in sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()):
        if folder == "ms_forms":
            continue
        for path, table in _tables(folder):
            assert ms_forms.sniff(table) < 0.5, path
