"""Qualtrics exports: CSV (choice text, numeric values), UTF-16 TSV, XLSX."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import DuplicateIdError, FileFormatError, LabelError

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
