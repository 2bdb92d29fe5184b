"""Google Forms: the form's own CSV download and the linked Sheet's CSV download."""

from __future__ import annotations

import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments, sha256, values
from peereval.errors import DuplicateIdError, FileFormatError
from peereval.loaders import google_forms, qualtrics
from peereval.loaders._table import open_source

HERE = FIXTURES / "google_forms"
ACTIVITY = canonical.ACTIVITY_QUESTION
OPTIONS = canonical.ACTIVITY_OPTIONS
ACTIVITIES = canonical.ACTIVITIES
FILES = ["form_download.csv", "sheet_download.csv"]
GRIDS = [(canonical.QUESTION_SUPPORT, "support_1"), (canonical.QUESTION_SUPPORT, "support_2"),
         (canonical.QUESTION_SUPPORT, "support_3"), (canonical.QUESTION_ADJUST, "adjust_1"),
         (canonical.QUESTION_ADJUST, "adjust_2")]
CODES = [f"{q} [{canonical.ROWS[k]}]" for q, k in GRIDS]
IDS = ["2024-03-16T09:19:47", "2024-03-16T10:05:02", "2024-03-17T18:30:55",
       "2024-03-18T08:09:12", "2024-03-18T21:41:03", "2024-03-19T12:02:40"]




@pytest.mark.parametrize("name", FILES)
def test_both_downloads_give_the_canonical_answers(name):
    path = HERE / name
    before = sha256(path)
    responses = peereval.read_export(path)
    assert responses.platform == "google_forms"
    assert list(responses.ids) == IDS
    assert responses.likert_items == CODES
    assert_canonical(responses, CODES)
    assert_comments(responses, canonical.COMMENT_QUESTION)
    assert responses.source_rows.tolist() == [2, 3, 4, 5, 6, 7]
    assert sha256(path) == before


@pytest.mark.parametrize("name", FILES)
def test_metadata(name):
    meta = peereval.read_export(HERE / name).meta
    assert meta["ended"].iloc[0] == pd.Timestamp("2024-03-16 09:19:47")
    assert meta["ended"].iloc[4] == pd.Timestamp("2024-03-18 21:41:03")  # 9:41:03 PM
    assert meta["email"].tolist()[:2] == ["student1@example.edu", "student2@example.edu"]
    assert not {"started", "duration_s", "finished"} & set(meta.columns)


def test_ids_are_the_same_in_both_downloads_and_explained():
    form = peereval.read_export(HERE / "form_download.csv")
    sheet = peereval.read_export(HERE / "sheet_download.csv")
    assert list(form.ids) == list(sheet.ids)
    pd.testing.assert_frame_equal(form.numeric(CODES), sheet.numeric(CODES))
    assert any("no respondent id" in n for n in form.notes)
    assert any("GMT+3:30" in n for n in form.notes)


def test_grid_rows_share_their_question():
    responses = peereval.read_export(HERE / "form_download.csv")
    item = responses.items[CODES[2]]
    assert item.text == f"{canonical.QUESTION_SUPPORT} - {canonical.ROWS['support_3']}"
    assert item.question == canonical.QUESTION_SUPPORT
    assert [responses.items[c].question for c in CODES] == (
        [canonical.QUESTION_SUPPORT] * 3 + [canonical.QUESTION_ADJUST] * 2)
    assert responses.items[canonical.COMMENT_QUESTION].question is None


def test_checkbox_answers_from_the_form_download():
    responses = peereval.read_export(HERE / "form_download.csv")
    assert responses.items[ACTIVITY].kind == "multi"
    assert values(responses.answers[ACTIVITY]) == ACTIVITIES
    assert not any("split at ', '" in n for n in responses.notes)


def test_sheet_download_splits_at_comma_and_says_it_is_ambiguous():
    responses = peereval.read_export(HERE / "sheet_download.csv")
    assert responses.items[ACTIVITY].kind == "multi"
    # without the options, "Exam preparation, revision" cannot be told from two options
    assert values(responses.answers[ACTIVITY])[0] == (
        "Weekly meetings;Exam preparation;revision")
    assert any("split at ', '" in n and ACTIVITY in n for n in responses.notes)


def test_sheet_download_with_known_options_splits_exactly():
    responses = peereval.read_export(HERE / "sheet_download.csv",
                                     multi={ACTIVITY: OPTIONS})
    assert values(responses.answers[ACTIVITY]) == ACTIVITIES
    assert responses.items[ACTIVITY].options == tuple(
        (o, o) for o in OPTIONS)
    assert not any("split at ', '" in n for n in responses.notes)


def test_choice_labels_holding_a_comma_are_not_taken_for_checkboxes(tmp_path):
    lines = [line for line in _lines("sheet_download.csv") if line]
    answers = ["Yes, often", "No, rarely", "Yes, often", "No, rarely", "Yes, often", ""]
    lines = [f'{line},"{"Did you meet outside sessions?" if i == 0 else answers[i - 1]}"'
             for i, line in enumerate(lines)]
    responses = peereval.read_export(_write(tmp_path, lines, "sheet_download.csv"))
    question = "Did you meet outside sessions?"
    assert responses.items[question].kind == "choice"
    assert values(responses.answers[question]) == [a or None for a in answers]


def test_multi_names_exactly_the_checkbox_questions():
    responses = peereval.read_export(HERE / "form_download.csv", multi=[])
    assert responses.items[ACTIVITY].kind != "multi"
    assert values(responses.answers[ACTIVITY]) == ACTIVITIES  # kept as written


def test_unknown_multi_question_is_named():
    with pytest.raises(FileFormatError, match="'Favourite colour'"):
        peereval.read_export(HERE / "sheet_download.csv", multi=["Favourite colour"])


def _lines(name):
    return (HERE / name).read_bytes().decode("utf-8").split("\r\n")


def _write(tmp_path, lines, name):
    target = tmp_path / name
    target.write_text("\r\n".join(lines), encoding="utf-8")
    return target


@pytest.mark.parametrize("name", FILES)
def test_identical_timestamps_get_a_suffix_in_both_downloads(tmp_path, name):
    lines = _lines(name)
    stamp = lines[1].split(",")[0]
    lines[2] = ",".join([stamp, *lines[2].split(",")[1:]])
    responses = peereval.read_export(_write(tmp_path, lines, name))
    assert list(responses.ids[:3]) == [IDS[0], f"{IDS[0]}#2", IDS[2]]


def test_a_row_pasted_twice_is_a_duplicate(tmp_path):
    lines = _lines("form_download.csv")
    path = _write(tmp_path, [*lines[:3], lines[1], *lines[3:]], "form_download.csv")
    with pytest.raises(DuplicateIdError, match="more than once") as err:
        peereval.read_export(path)
    assert [p.row for p in err.value.problems] == [2, 4]
    assert err.value.problems[0].value == "2024/03/16 9:19:47 AM GMT+3:30"


@pytest.mark.parametrize("name", FILES)
def test_unparseable_timestamp_names_the_row(tmp_path, name):
    lines = _lines(name)
    lines[3] = ",".join(["yesterday", *lines[3].split(",")[1:]])
    path = _write(tmp_path, lines, name)
    with pytest.raises(FileFormatError, match="timestamp cannot be read") as err:
        peereval.read_export(path)
    assert (err.value.row, err.value.column, err.value.value) == (4, "Timestamp", "yesterday")


def test_day_and_month_order_of_sheet_dates(tmp_path):
    lines = _lines("sheet_download.csv")
    for i in range(1, 7):  # 3/16/2024 ... -> 3/6/2024 ...: day and month both <= 12
        lines[i] = lines[i].replace("3/1", "3/", 1)
    path = _write(tmp_path, lines, "sheet_download.csv")
    us = peereval.read_export(path)
    assert us.meta["ended"].iloc[0] == pd.Timestamp("2024-03-06 09:19:47")
    assert any("month/day (US English) was assumed" in n for n in us.notes)
    europe = peereval.read_export(path, dayfirst=True)
    assert europe.meta["ended"].iloc[0] == pd.Timestamp("2024-06-03 09:19:47")
    assert next(iter(europe.ids)) == "2024-06-03T09:19:47"


def test_quiz_score_column_is_metadata(tmp_path):
    lines = _lines("form_download.csv")
    scored = []
    for i, line in enumerate(lines):
        if not line:
            continue
        cells = line.split(",", 2)
        scored.append(",".join([cells[0], cells[1], "Score" if i == 0 else f"{i}.00 / 5",
                                cells[2]]))
    responses = peereval.read_export(_write(tmp_path, scored, "quiz.csv"))
    assert responses.meta["score"].tolist()[:2] == ["1.00 / 5", "2.00 / 5"]
    assert "Score" not in responses.items
    assert_canonical(responses, CODES)


def test_forcing_google_forms_on_a_qualtrics_export_says_what_it_is():
    with pytest.raises(FileFormatError, match="not a Google Forms export") as err:
        peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv",
                             platform="google_forms")
    assert "qualtrics" in str(err.value)


def _tables(folder):
    for path in sorted((FIXTURES / folder).iterdir()):
        if path.suffix.lower() in {".csv", ".tsv", ".xlsx", ".txt", ".xls"}:
            yield path, open_source(path).tables[0]


def test_sniff_tells_google_forms_from_qualtrics():
    for path, table in _tables("google_forms"):
        assert google_forms.sniff(table) >= 0.5, path
        assert qualtrics.sniff(table) == 0.0, path
    for path, table in _tables("qualtrics"):
        assert google_forms.sniff(table) == 0.0, path


def test_sniff_claims_no_other_fixture():
    for folder in sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()):
        if folder == "google_forms":
            continue
        for path, table in _tables(folder):
            assert google_forms.sniff(table) < 0.5, path
