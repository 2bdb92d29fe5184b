"""SurveyMonkey exports: answer text (CSV, XLSX) and numerical values (CSV)."""

from __future__ import annotations

import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments, sha256, values
from peereval.errors import DuplicateIdError, FileFormatError
from peereval.loaders import qualtrics, surveymonkey
from peereval.loaders._table import open_source

HERE = FIXTURES / "surveymonkey"
ACTIVITY = canonical.ACTIVITY_QUESTION
OPTIONS = canonical.ACTIVITY_OPTIONS
ACTIVITIES = canonical.ACTIVITIES
CODES = ["Q1_1", "Q1_2", "Q1_3", "Q2_1", "Q2_2"]
FILES = ["answer_text.csv", "numerical_value.csv", "answer_text.xlsx"]
IDS = ["114839201456", "114839215872", "114839288013", "114839301147", "114839377520",
       "114839402268"]




@pytest.mark.parametrize("name", FILES)
def test_every_export_gives_the_canonical_answers(name):
    path = HERE / name
    before = sha256(path)
    responses = peereval.read_export(path)
    assert responses.platform == "surveymonkey"
    assert list(responses.ids) == IDS
    assert all(responses.items[c].kind == "likert" for c in CODES)
    assert_canonical(responses, CODES)
    assert_comments(responses, "Q3")
    assert responses.source_rows.tolist() == [3, 4, 5, 6, 7, 8]
    assert sha256(path) == before


@pytest.mark.parametrize("name", FILES)
def test_metadata(name):
    meta = peereval.read_export(HERE / name).meta
    assert meta["started"].iloc[0] == pd.Timestamp("2024-11-20 10:15:23")
    assert meta["ended"].iloc[1] == pd.Timestamp("2024-11-20 13:05:59")  # 01:05:59 PM
    assert meta["duration_s"].tolist() == [342, 198, 525, 193, 32, 158]
    assert meta["custom_data_1"].tolist()[0] == "9812345"
    assert meta["collector_id"].astype(str).tolist() == ["452781903"] * 6
    assert "finished" not in meta  # the export records no completion status
    assert {"ip_address", "email", "first_name", "last_name"} <= set(meta.columns)


def test_item_text_and_matrix_grouping():
    responses = peereval.read_export(HERE / "answer_text.csv")
    item = responses.items["Q1_3"]
    assert item.text == f"{canonical.QUESTION_SUPPORT} - {canonical.ROWS['support_3']}"
    assert item.question == "Q1"
    assert [responses.items[c].question for c in CODES] == ["Q1"] * 3 + ["Q2"] * 2
    assert responses.items["Q3"].text == canonical.COMMENT_QUESTION
    assert responses.items["Q3"].question is None


@pytest.mark.parametrize("name", FILES)
def test_checkbox_options_become_one_multi_item(name):
    responses = peereval.read_export(HERE / name)
    item = responses.items["Q4"]
    assert item.kind == "multi"
    assert item.text == ACTIVITY
    assert item.options == ((1, "Weekly meetings"), (2, "Exam preparation, revision"),
                            (3, "Social events"))
    assert values(responses.answers["Q4"]) == ACTIVITIES
    other = responses.items["Q4_other"]
    assert other.kind == "text"
    assert other.text == f"{ACTIVITY} - Other (please specify)"
    assert values(responses.answers["Q4_other"]) == [None, None, "Journal club", None,
                                                       None, None]
    # no per-option columns are left among the items
    assert list(responses.items) == [*CODES, "Q3", "Q4", "Q4_other", "Q5"]


def test_single_answer_question():
    responses = peereval.read_export(HERE / "answer_text.csv")
    assert responses.items["Q5"].text == "What is your year of study?"
    assert responses.items["Q5"].kind == "choice"
    assert values(responses.answers["Q5"]) == ["Year 1", "Year 2", "Year 1", "Year 3",
                                                "Year 2", None]
    numeric = peereval.read_export(HERE / "numerical_value.csv")
    assert values(numeric.answers["Q5"]) == ["1", "2", "1", "3", "2", None]
    assert any("numerical values" in n for n in numeric.notes)
    assert not any("numerical values" in n for n in responses.notes)


def test_answer_text_labels_are_coded_as_agreement():
    codes = peereval.read_export(HERE / "answer_text.xlsx").label_codes(["Q2_2"])
    assert set(codes["rule"]) == {"agreement-5 (en)"}
    assert codes.set_index("label").loc["Neither agree nor disagree", "value"] == 3


def _lines(name="answer_text.csv"):
    return (HERE / name).read_bytes().decode("utf-8-sig").split("\r\n")


def _write(tmp_path, lines, name="export.csv"):
    target = tmp_path / name
    target.write_text("\r\n".join(lines), encoding="utf-8")
    return target


def test_missing_second_header_row_is_named(tmp_path):
    lines = _lines()
    path = _write(tmp_path, [lines[0], *lines[2:]])
    for platform in ("auto", "surveymonkey"):
        with pytest.raises(FileFormatError, match="second header row") as err:
            peereval.read_export(path, platform=platform)
        assert err.value.file == path
        assert err.value.row == 2
        assert err.value.value == IDS[0]
        assert "How to fix" in str(err.value)


def test_duplicate_respondent_ids_list_every_row(tmp_path):
    lines = _lines()
    path = _write(tmp_path, [*lines[:3], lines[2], *lines[3:6], lines[4]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [p.row for p in err.value.problems] == [3, 4, 6, 8]
    assert [p.value for p in err.value.problems] == [IDS[0], IDS[0], IDS[2], IDS[2]]
    assert "Respondent ID" in str(err.value)


def test_unparseable_date_names_row_column_and_value(tmp_path):
    lines = _lines()
    lines[3] = lines[3].replace("11/20/2024 01:02:41 PM", "20/11/2024 13:02:41")
    path = _write(tmp_path, lines)
    with pytest.raises(FileFormatError, match="not a date") as err:
        peereval.read_export(path)
    assert (err.value.row, err.value.column, err.value.value) == (
        4, "Start Date", "20/11/2024 13:02:41")
    assert "11/20/2024 10:15:23 AM" in str(err.value)  # the hint shows the right format


def test_answer_column_without_headers_is_refused(tmp_path):
    lines = [line + ("," if i < 2 else ",stray") for i, line in enumerate(_lines()) if line]
    path = _write(tmp_path, lines)
    with pytest.raises(FileFormatError, match="neither a question text") as err:
        peereval.read_export(path)
    assert err.value.column == "U"  # the 21st column


def test_forcing_surveymonkey_on_a_qualtrics_export_says_what_it_is():
    with pytest.raises(FileFormatError, match="not a SurveyMonkey export") as err:
        peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv",
                             platform="surveymonkey")
    assert "qualtrics" in str(err.value)


def _tables(folder):
    for path in sorted((FIXTURES / folder).iterdir()):
        if path.suffix.lower() in {".csv", ".tsv", ".xlsx", ".txt", ".xls"}:
            yield path, open_source(path).tables[0]


def test_sniff_tells_surveymonkey_from_qualtrics():
    for path, table in _tables("surveymonkey"):
        assert surveymonkey.sniff(table) == 1.0, path
        assert qualtrics.sniff(table) == 0.0, path
    for path, table in _tables("qualtrics"):
        assert surveymonkey.sniff(table) == 0.0, path


def test_sniff_claims_no_other_fixture():
    for folder in sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()):
        if folder == "surveymonkey":
            continue
        for path, table in _tables(folder):
            assert surveymonkey.sniff(table) < 0.5, path
