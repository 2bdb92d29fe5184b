"""Qualtrics exports: CSV (choice text, numeric values), UTF-16 TSV, XLSX, and the
legacy CSV layout (two header rows V1... / ResponseID..., a comma ending each line)."""

from __future__ import annotations

import csv
import hashlib
import io

import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import DuplicateIdError, FileFormatError, LabelError
from peereval.loaders._table import open_source

HERE = FIXTURES / "qualtrics"
CODES = ["Q1_1", "Q1_2", "Q1_3", "Q2_1", "Q2_2"]
FILES = ["choice_text.csv", "numeric_values.csv", "numeric_values.tsv", "choice_text.xlsx"]


@pytest.mark.parametrize("name", FILES)
def test_every_export_gives_the_canonical_answers(name):
    path = HERE / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    responses = peereval.read_export(path)
    assert responses.platform == "qualtrics"
    assert list(responses.ids) == [
        "R_1Fq3xAbCdEfGh12", "R_2Gr4yBcDeFgHi23", "R_3Hs5zCdEfGhIj34",
        "R_4It6aDeFgHiJk45", "R_5Ju7bEfGhIjKl56", "R_6Kv8cFgHiJkLm67",
    ]
    assert responses.likert_items == CODES
    assert_canonical(responses, CODES)
    assert_comments(responses, "Q3")
    assert responses.meta["finished"].tolist() == canonical.FINISHED
    assert responses.meta["progress"].tolist() == canonical.PROGRESS
    assert responses.meta["duration_s"].iloc[0] == 342
    assert responses.meta["started"].iloc[0] == pd.Timestamp("2024-03-02 09:14:05")
    assert responses.meta["student_id"].tolist()[0] == "9812345"
    assert responses.source_rows.tolist() == [4, 5, 6, 7, 8, 9]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_item_text_and_matrix_grouping():
    responses = peereval.read_export(HERE / "choice_text.csv")
    item = responses.items["Q1_3"]
    assert item.text == f"{canonical.QUESTION_SUPPORT} - {canonical.ROWS['support_3']}"
    assert item.question == "QID1"
    assert responses.items["Q2_1"].question == "QID2"
    assert responses.items["Q3"].kind == "text"
    assert "Asia/Tehran" in " ".join(responses.notes)


def test_choice_text_labels_report_their_coding():
    codes = peereval.read_export(HERE / "choice_text.csv").label_codes(["Q1_1"])
    assert set(codes["rule"]) == {"agreement-5 (en)"}
    assert codes.set_index("label").loc["Strongly agree", "value"] == 5


def _rewrite(tmp_path, transform, name="export.csv"):
    text = (HERE / "choice_text.csv").read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    target = tmp_path / name
    target.write_bytes("\r\n".join(transform(lines)).encode("utf-8"))
    return target


def test_deleted_header_rows_are_named(tmp_path):
    path = _rewrite(tmp_path, lambda lines: [lines[0], *lines[3:]])
    with pytest.raises(FileFormatError, match="header rows") as err:
        peereval.read_export(path, platform="qualtrics")
    assert err.value.file == path
    assert err.value.row == 3


def test_duplicate_response_ids_list_every_row(tmp_path):
    path = _rewrite(tmp_path, lambda lines: [*lines[:4], lines[3], *lines[4:]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    rows = [p.row for p in err.value.problems]
    assert rows == [4, 5]
    assert err.value.problems[0].value == "R_1Fq3xAbCdEfGh12"
    assert "ResponseId" in str(err.value)


def test_unknown_label_names_column_row_and_value(tmp_path):
    path = _rewrite(tmp_path, lambda lines: [*lines[:4], lines[4].replace(
        "Agree,Agree,Disagree", "Agree,Mostly agree,Disagree"), *lines[5:]])
    responses = peereval.read_export(path)
    with pytest.raises(LabelError) as err:
        responses.numeric(CODES)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (5, "Q1_2", "Mostly agree")
    assert "mapping=" in str(err.value)
    fixed = responses.numeric(CODES, mapping={"Q1_2": {"Mostly agree": 4}})
    assert fixed.loc["R_2Gr4yBcDeFgHi23", "Q1_2"] == 4


def test_wrong_platform_forced_says_what_it_is(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,q1,q2\n1,Agree,Disagree\n2,Agree,Agree\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a Qualtrics export") as err:
        peereval.read_export(path, platform="qualtrics")
    assert err.value.row == 3
    assert err.value.file == path


# ------------------------------------------------------------------ legacy layout

LEGACY = ["legacy_numeric_values.csv", "legacy_choice_text.csv"]


def _csv_rows(path):
    """The file as Python's csv module reads it (independent of peereval)."""
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_exports_give_the_canonical_answers(name):
    path = HERE / name
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    rows = _csv_rows(path)
    assert all(row[-1] == "" for row in rows)  # the comma closing every line
    assert rows[0][:3] == ["V1", "V2", "V3"]
    assert rows[1][:3] == ["ResponseID", "ResponseSet", "Name"]
    responses = peereval.read_export(path)
    assert responses.platform == "qualtrics"
    assert list(responses.ids) == [row[0] for row in rows[2:]]
    assert responses.likert_items == CODES
    assert_canonical(responses, CODES)
    assert_comments(responses, "Q3")
    assert responses.meta["finished"].tolist() == canonical.FINISHED
    assert responses.meta["started"].tolist() == [pd.Timestamp(row[7]) for row in rows[2:]]
    assert responses.meta["ended"].tolist() == [pd.Timestamp(row[8]) for row in rows[2:]]
    assert responses.meta["status"].tolist() == ["IP Address"] * 6
    assert responses.meta["response_set"].tolist() == ["Default Response Set"] * 6
    assert responses.meta["student_id"].tolist() == [row[16] for row in rows[2:]]
    assert responses.meta["location_accuracy"].tolist() == [-1.0] * 6
    assert "progress" not in responses.meta  # the legacy layout has no Progress column
    assert responses.source_rows.tolist() == [3, 4, 5, 6, 7, 8]
    assert any("legacy export" in note for note in responses.notes)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_legacy_item_texts_and_matrix_grouping():
    responses = peereval.read_export(HERE / "legacy_choice_text.csv")
    item = responses.items["Q1_3"]
    assert item.text == f"{canonical.QUESTION_SUPPORT}-{canonical.ROWS['support_3']}"
    assert {responses.items[c].question for c in CODES[:3]} == {"Q1"}
    assert {responses.items[c].question for c in CODES[3:]} == {"Q2"}
    assert responses.items["Q3"].kind == "text"
    assert responses.items["Q3"].question is None
    assert "student_id" not in responses.items
    assert "V1" not in responses.meta


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_layout_is_detected_with_certainty(name):
    from peereval.loaders import PLATFORMS, detect_platform, platform_module

    assert detect_platform(HERE / name) == ("qualtrics", 1.0)
    table = open_source(HERE / name).tables[0]
    for other in PLATFORMS:
        if other not in ("qualtrics", "spss"):
            assert platform_module(other).sniff(table) < 0.5, other


def _legacy_rewrite(tmp_path, transform, name="legacy.csv"):
    lines = (HERE / "legacy_choice_text.csv").read_bytes().decode("utf-8-sig").split("\n")
    path = tmp_path / name
    path.write_bytes("\n".join(transform(lines)).encode("utf-8"))
    return path


def test_legacy_without_its_second_header_row_is_refused(tmp_path):
    path = _legacy_rewrite(tmp_path, lambda lines: [lines[0], *lines[2:]])
    with pytest.raises(FileFormatError, match="legacy export") as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert err.value.row == 2
    assert err.value.value.startswith("R_1Fq3xAbCdEfGh12")
    assert "platform='generic'" in err.value.hint


def test_legacy_duplicate_response_ids_list_every_row(tmp_path):
    path = _legacy_rewrite(tmp_path, lambda lines: [*lines[:3], lines[2], *lines[3:]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [p.row for p in err.value.problems] == [3, 4]
    assert err.value.problems[0].value == "R_1Fq3xAbCdEfGh12"
    assert "ResponseID" in str(err.value)


def test_legacy_missing_response_id_names_row_and_column(tmp_path):
    path = _legacy_rewrite(tmp_path, lambda lines: [
        *lines[:4], lines[4].replace("R_3Hs5zCdEfGhIj34", "", 1), *lines[5:]])
    with pytest.raises(FileFormatError, match="no ResponseID") as err:
        peereval.read_export(path)
    assert (err.value.file, err.value.row, err.value.column) == (path, 5, "V1")


def test_legacy_unknown_label_names_column_row_and_value(tmp_path):
    path = _legacy_rewrite(tmp_path, lambda lines: [*lines[:3], lines[3].replace(
        "Agree,Agree,Disagree", "Agree,Mostly agree,Disagree"), *lines[4:]])
    responses = peereval.read_export(path)
    with pytest.raises(LabelError) as err:
        responses.numeric(CODES)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "Q1_2", "Mostly agree")


def test_legacy_file_shaped_like_qualtricstools_samples(tmp_path):
    """Generated test responses (Status 2), a text-entry part ('-TEXT'), no BOM, and
    the question text cut with '...', as in QualtricsTools' legacy sample exports."""
    question = "Rate each statement on this scale that we have written here for the test" \
        " of the legacy exporter in peer..."
    header = ["V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9", "V10",
              "Q4_1", "Q4_2", "Q4_3", "Q4_3_TEXT", "LocationLatitude", "LocationLongitude",
              "LocationAccuracy"]
    names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
             "IPAddress", "Status", "StartDate", "EndDate", "Finished",
             f"{question}-First", f"{question}-Second", f"{question}-Other",
             f"{question}-Other-TEXT", "LocationLatitude", "LocationLongitude",
             "LocationAccuracy"]
    rows = [["R_9H2nlL82R9Yq21v", "Default Response Set", "Anonymous", "", "", "", "2",
             "2016-05-27 11:33:34", "2016-05-27 11:33:34", "1", "3", "4", "4", "Lorem",
             "42.401901245117", "-71.119300842285", "-1"],
            ["R_4MlalJojzHA3Uzj", "Default Response Set", "Anonymous", "", "", "", "2",
             "2016-05-27 11:33:34", "2016-05-27 11:33:35", "1", "4", "4", "3",
             "Ipsum, dolor", "42.401901245117", "-71.119300842285", "-1"],
            ["R_89cYYn2ZcBOxIbz", "Default Response Set", "Anonymous", "", "", "", "2",
             "2016-05-27 11:33:34", "2016-05-27 11:33:34", "1", "2", "3", "1", "",
             "42.401901245117", "-71.119300842285", "-1"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator=",\n").writerows([header, names, *rows])
    path = tmp_path / "Matrix_Single_Answer.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    responses = peereval.read_export(path)
    assert responses.platform == "qualtrics"
    assert list(responses.items) == ["Q4_1", "Q4_2", "Q4_3", "Q4_3_TEXT"]
    assert responses.items["Q4_3_TEXT"].kind == "text"
    assert {responses.items[c].question for c in ("Q4_1", "Q4_2", "Q4_3")} == {"Q4"}
    assert responses.meta["status"].tolist() == ["Survey Test"] * 3
    assert any("3 responses are marked as a preview or test" in note for note in responses.notes)
    assert responses.answers["Q4_3_TEXT"].tolist()[:2] == ["Lorem", "Ipsum, dolor"]
