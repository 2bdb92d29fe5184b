"""REDCap exports: raw and labels CSV, classic and longitudinal, with and without the
project's data dictionary."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import (
    DuplicateIdError,
    FileFormatError,
    LabelError,
    OutOfRangeError,
    PeerevalError,
)
from peereval.loaders import detect_platform, qualtrics, redcap
from peereval.loaders._table import open_source

HERE = FIXTURES / "redcap"
DICTIONARY = HERE / "dictionary.csv"
FIELDS = list(canonical.ITEMS)  # the project's field names are the canonical item names
LABEL_CODES = [canonical.ROWS[k] for k in canonical.ITEMS]  # labels export, no dictionary
EXPORTS = ["raw.csv", "labels.csv", "longitudinal_raw.csv"]
# The fixture's survey completion times (make_fixtures.TIMESTAMPS); the 6th is unfinished.
ENDED = ["2024-03-02 09:19:47", "2024-03-02 10:05:02", "2024-03-03 18:30:55",
         "2024-03-04 08:09:12", "2024-03-04 21:41:03", None]
# The extra checkbox field: choices ticked by each respondent (make_fixtures.SESSIONS).
SESSION_CODES = ["1;2", "1", "1;2;3", None, "2;3", None]
SESSION_LABELS = ["Orientation week;Study skills", "Orientation week",
                  "Orientation week;Study skills;Wellbeing", None, "Study skills;Wellbeing",
                  None]
LONGITUDINAL_IDS = ["101|baseline_arm_1", "101|followup_arm_1", "102|baseline_arm_1",
                    "102|followup_arm_1", "103|weekly_arm_1|1", "103|weekly_arm_1|2"]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lines(name):
    return (HERE / name).read_text(encoding="utf-8-sig").split("\n")


def _write(tmp_path, lines, name="export.csv"):
    target = tmp_path / name
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


@pytest.mark.parametrize("with_dictionary", [False, True], ids=["alone", "dictionary"])
@pytest.mark.parametrize("name", EXPORTS)
def test_every_export_gives_the_canonical_answers(name, with_dictionary):
    path = HERE / name
    before = _digest(path), _digest(DICTIONARY)
    responses = peereval.read_export(path, dictionary=DICTIONARY if with_dictionary else None)
    assert responses.platform == "redcap"
    assert detect_platform(open_source(path).tables[0])[0] == "redcap"
    labels_alone = name == "labels.csv" and not with_dictionary
    codes = LABEL_CODES if labels_alone else FIELDS
    assert responses.likert_items == codes
    # Without the dictionary nothing groups the label items into one scale, and item 5's
    # answers never include "Strongly disagree"; the scale length settles it.
    assert_canonical(responses, codes, points=5 if labels_alone else None)
    assert_comments(responses, canonical.COMMENT_QUESTION if labels_alone else "comments")
    expected_ids = LONGITUDINAL_IDS if name.startswith("longitudinal") else list("123456")
    assert list(responses.ids) == expected_ids
    assert responses.meta["finished"].tolist() == canonical.FINISHED
    assert responses.meta["status"].tolist() == ["Complete"] * 5 + ["Incomplete"]
    ended = [None if pd.isna(t) else str(t) for t in responses.meta["ended"]]
    assert ended == ENDED
    assert "started" not in responses.meta  # REDCap records no start time
    assert responses.source_rows.tolist() == [2, 3, 4, 5, 6, 7]
    assert (_digest(path), _digest(DICTIONARY)) == before


def test_dictionary_gives_texts_kinds_options_and_matrix_groups():
    responses = peereval.read_export(HERE / "raw.csv", dictionary=DICTIONARY)
    agree = tuple(canonical.LABELS_EN.items())
    for code in FIELDS:
        item = responses.items[code]
        question = canonical.QUESTION_SUPPORT if code.startswith("support") else (
            canonical.QUESTION_ADJUST)
        assert item.text == f"{question} - {canonical.ROWS[code]}"
        assert item.question == code.split("_")[0]
        assert item.options == agree
        assert item.kind == "likert"
    comments = responses.items["comments"]
    assert (comments.kind, comments.text, comments.question) == (
        "text", canonical.COMMENT_QUESTION, None)
    sessions = responses.items["sessions"]
    assert sessions.kind == "multi"
    assert sessions.options == ((1, "Orientation week"), (2, "Study skills"), (3, "Wellbeing"))
    assert sessions.text == "Which mentoring sessions did you attend?"


def test_labels_export_with_dictionary_uses_field_names_and_keeps_headers():
    responses = peereval.read_export(HERE / "labels.csv", dictionary=DICTIONARY)
    assert list(responses.items) == [*FIELDS, "sessions", "comments"]
    assert responses.items["support_2"].column == canonical.ROWS["support_2"]
    assert responses.items["support_2"].question == "support"
    assert responses.meta["record_id"].tolist() == list("123456")


def test_without_dictionary_items_are_named_by_their_headers():
    raw = peereval.read_export(HERE / "raw.csv")
    assert list(raw.items) == [*FIELDS, "sessions", "comments"]
    assert raw.items["support_1"].text == "support_1"
    assert raw.items["support_1"].options is None
    assert raw.items["support_1"].question is None
    labels = peereval.read_export(HERE / "labels.csv")
    assert list(labels.items)[:5] == LABEL_CODES
    assert labels.items["Which mentoring sessions did you attend?"].kind == "multi"


@pytest.mark.parametrize(("name", "expected"), [("raw.csv", SESSION_CODES),
                                                ("labels.csv", SESSION_LABELS)])
def test_checkbox_field_is_one_multi_item(name, expected):
    responses = peereval.read_export(HERE / name, dictionary=DICTIONARY)
    got = [None if pd.isna(v) else v for v in responses.answers["sessions"]]
    assert got == expected
    assert not any("___" in code or "(choice=" in code for code in responses.items)


def test_labels_are_coded_with_the_dictionary_numbers(tmp_path):
    # A project that codes its agreement scale backwards: 5 = Strongly disagree.
    reversed_choices = " | ".join(f"{6 - k}, {v}" for k, v in canonical.LABELS_EN.items())
    lines = _lines("dictionary.csv")
    forward = " | ".join(f"{k}, {v}" for k, v in canonical.LABELS_EN.items())
    lines = [line.replace(forward, reversed_choices) for line in lines]
    dictionary = _write(tmp_path, lines, "dictionary.csv")
    responses = peereval.read_export(HERE / "labels.csv", dictionary=dictionary)
    values = responses.numeric(FIELDS)
    expected = 6 - np.array(canonical.ANSWERS, dtype=float)
    np.testing.assert_array_equal(values.to_numpy(), expected)
    codes = responses.label_codes(["support_1"]).set_index("label")["value"]
    assert codes["Strongly disagree"] == 5


def test_longitudinal_ids_link_administrations_of_one_record():
    responses = peereval.read_export(HERE / "longitudinal_raw.csv", dictionary=DICTIONARY)
    meta = responses.meta
    assert meta["record_id"].tolist() == ["101", "101", "102", "102", "103", "103"]
    assert meta["event"].tolist() == ["baseline_arm_1", "followup_arm_1", "baseline_arm_1",
                                      "followup_arm_1", "weekly_arm_1", "weekly_arm_1"]
    assert meta["repeat_instance"].tolist()[4:] == [1, 2]
    assert meta["repeat_instance"].isna().tolist()[:4] == [True] * 4
    assert any("record_id" in note for note in responses.notes)
    baseline = responses.numeric(FIELDS).loc["101|baseline_arm_1"]
    assert baseline.tolist() == canonical.ANSWERS[0]


def test_rows_of_other_instruments_are_left_out(tmp_path):
    lines = _lines("longitudinal_raw.csv")
    width = lines[0].count(",")
    other = "101,baseline_arm_1,medication,1" + "," * (width - 3)
    path = _write(tmp_path, [lines[0], lines[1], other, *lines[2:]])
    responses = peereval.read_export(path)
    assert list(responses.ids) == LONGITUDINAL_IDS
    assert responses.source_rows.tolist() == [2, 4, 5, 6, 7, 8]
    assert any("rows 3" in note for note in responses.notes)
    assert_canonical(responses, FIELDS)


def test_several_instruments_must_all_be_complete(tmp_path):
    # Export of both instruments: enrolment (record_id, cohort) before the survey.
    lines = _lines("raw.csv")
    first, _, rest = lines[0].partition(",redcap_survey_identifier,")
    lines[0] = f"{first},redcap_survey_identifier,cohort,enrolment_complete,{rest}"
    enrolment = ["1,2", "2,2", "1,2", "2,1", "1,2", "2,2"]  # record 4: Unverified
    for k, extra in enumerate(enrolment, start=1):
        record, _, rest = lines[k].partition(",,")
        lines[k] = f"{record},,{extra},{rest}"
    responses = peereval.read_export(_write(tmp_path, lines), dictionary=DICTIONARY)
    meta = responses.meta
    assert meta["enrolment_status"].tolist()[3] == "Unverified"
    assert meta["mentoring_survey_status"].tolist()[3] == "Complete"
    assert meta["finished"].tolist() == [True, True, True, False, True, False]
    assert responses.items["cohort"].kind == "choice"
    assert responses.items["cohort"].options == ((1, "2023-24"), (2, "2024-25"))
    assert_canonical(responses, FIELDS)


def test_api_metadata_dictionary_is_accepted(tmp_path):
    lines = _lines("dictionary.csv")
    api = ["field_name", "form_name", "section_header", "field_type", "field_label",
           "select_choices_or_calculations", "field_note",
           "text_validation_type_or_show_slider_number", "text_validation_min",
           "text_validation_max", "identifier", "branching_logic", "required_field",
           "custom_alignment", "question_number", "matrix_group_name", "matrix_ranking",
           "field_annotation"]
    dictionary = _write(tmp_path, [",".join(api), *lines[1:]], "metadata.csv")
    responses = peereval.read_export(HERE / "raw.csv", dictionary=dictionary)
    assert responses.items["adjust_2"].question == "adjust"
    assert responses.items["adjust_2"].options[0] == (1, "Strongly disagree")


# ------------------------------------------------------------------------ errors


def test_dictionary_that_does_not_match_names_the_fields(tmp_path):
    lines = [line for line in _lines("dictionary.csv")
             if not line.startswith(("support_3,", "comments,"))]
    dictionary = _write(tmp_path, lines, "dictionary.csv")
    for name, missing in [("raw.csv", ["support_3", "comments"]),
                          ("labels.csv", [canonical.ROWS["support_3"],
                                          canonical.COMMENT_QUESTION])]:
        with pytest.raises(FileFormatError, match="not in the data dictionary") as err:
            peereval.read_export(HERE / name, dictionary=dictionary)
        assert [p.column for p in err.value.problems] == missing
        assert "dictionary.csv" in str(err.value)
        assert "How to fix" in str(err.value)


def test_file_that_is_not_a_dictionary_is_refused():
    with pytest.raises(FileFormatError, match="not a REDCap data dictionary") as err:
        peereval.read_export(HERE / "raw.csv", dictionary=FIXTURES / "qualtrics" /
                             "choice_text.csv")
    assert "Variable / Field Name" in str(err.value)


def test_dictionary_given_as_the_export_is_explained():
    with pytest.raises(FileFormatError, match="data dictionary, not a data export"):
        peereval.read_export(DICTIONARY, platform="redcap")


def test_redcap_forced_on_another_layout():
    path = FIXTURES / "qualtrics" / "choice_text.csv"
    with pytest.raises(FileFormatError, match="not a REDCap data export") as err:
        peereval.read_export(path, platform="redcap")
    assert err.value.file == path
    assert "qualtrics" in str(err.value)


def test_qualtrics_forced_on_a_redcap_export():
    with pytest.raises(FileFormatError, match="not a Qualtrics export") as err:
        peereval.read_export(HERE / "raw.csv", platform="qualtrics")
    assert "platform='redcap'" in str(err.value)


def test_duplicate_records_list_every_row(tmp_path):
    lines = _lines("raw.csv")
    path = _write(tmp_path, [lines[0], lines[1], lines[1], *lines[2:]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [(p.row, p.value) for p in err.value.problems] == [(2, "1"), (3, "1")]
    assert "record_id" in str(err.value)


def test_duplicate_record_event_rows_list_every_row(tmp_path):
    lines = _lines("longitudinal_raw.csv")
    path = _write(tmp_path, [*lines[:3], lines[2], *lines[3:]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path, dictionary=DICTIONARY)
    assert [(p.row, p.value) for p in err.value.problems] == [
        (3, "101|followup_arm_1"), (4, "101|followup_arm_1")]


def test_unknown_code_is_out_of_range_with_dictionary(tmp_path):
    lines = _lines("raw.csv")
    lines[2] = lines[2].replace(",4,4,2,3,4,", ",4,7,2,3,4,")  # record 2, support_2 = 7
    path = _write(tmp_path, lines)
    with pytest.raises(OutOfRangeError) as err:
        peereval.read_export(path, dictionary=DICTIONARY)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "support_2", "7")
    assert "5 = Strongly agree" in str(err.value)
    # Without the dictionary the range is unknown: the code is kept as a number.
    assert peereval.read_export(path).numeric(FIELDS).loc["2", "support_2"] == 7


def test_unknown_label_names_row_column_and_value(tmp_path):
    lines = _lines("labels.csv")
    lines[2] = lines[2].replace(",Agree,Agree,Disagree,", ",Agree,Mostly agree,Disagree,")
    path = _write(tmp_path, lines)
    with pytest.raises(LabelError) as err:
        peereval.read_export(path, dictionary=DICTIONARY)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (
        3, canonical.ROWS["support_2"], "Mostly agree")
    responses = peereval.read_export(path)
    with pytest.raises(LabelError) as err:
        responses.numeric(LABEL_CODES, points=5)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (
        3, canonical.ROWS["support_2"], "Mostly agree")


@pytest.mark.parametrize(("old", "new", "column"), [
    (',0,"Very helpful', ',2,"Very helpful', "sessions___3"),
    ("thanks!\",2", "thanks!\",5", "mentoring_survey_complete"),
])
def test_impossible_checkbox_or_status_values_are_located(tmp_path, old, new, column):
    lines = _lines("raw.csv")
    assert old in lines[1]
    lines[1] = lines[1].replace(old, new)
    with pytest.raises(PeerevalError) as err:
        peereval.read_export(_write(tmp_path, lines))
    where = err.value.problems[0] if err.value.problems else err.value.location
    assert (where.row, where.column) == (2, column)


def test_missing_record_id_is_located(tmp_path):
    lines = _lines("raw.csv")
    lines[3] = lines[3][lines[3].index(","):]
    with pytest.raises(FileFormatError, match="no record id") as err:
        peereval.read_export(_write(tmp_path, lines))
    assert err.value.row == 4


# ------------------------------------------------------------------------ detection


@pytest.mark.parametrize("name", EXPORTS)
def test_sniff_recognises_only_redcap(name):
    table = open_source(HERE / name).tables[0]
    assert redcap.sniff(table) >= 0.5
    assert qualtrics.sniff(table) == 0


@pytest.mark.parametrize("path", sorted((FIXTURES / "qualtrics").glob("*.*[!y]")),
                         ids=lambda p: p.name)
def test_sniff_gives_zero_on_qualtrics_exports(path):
    for table in open_source(path).tables:
        assert redcap.sniff(table) == 0


def test_sniff_gives_zero_on_the_dictionary():
    assert redcap.sniff(open_source(DICTIONARY).tables[0]) == 0
