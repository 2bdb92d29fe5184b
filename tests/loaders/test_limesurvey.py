"""LimeSurvey response exports: question-code, full-text and code-and-text headings;
answer codes, numeric codes and full answers; comma, semicolon and tab separators."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import DuplicateIdError, FileFormatError, LabelError
from peereval.loaders import detect_platform, limesurvey, qualtrics, redcap
from peereval.loaders._table import open_source

HERE = FIXTURES / "limesurvey"
CODES = ["support[SQ001]", "support[SQ002]", "support[SQ003]", "adjust[SQ001]",
         "adjust[SQ002]"]
QUESTIONS = [canonical.QUESTION_SUPPORT] * 3 + [canonical.QUESTION_ADJUST] * 2
TEXTS = [f"{q} - {canonical.ROWS[k]}" for q, k in zip(QUESTIONS, canonical.ITEMS, strict=True)]
FULL_HEADINGS = [f"{q} [{canonical.ROWS[k]}]"
                 for q, k in zip(QUESTIONS, canonical.ITEMS, strict=True)]
FILES = {  # file: (item codes, comment code, separator)
    "codes_answer_codes.csv": (CODES, "comment", ","),
    "codes_numeric.csv": (CODES, "comment", ";"),
    "full_text.csv": (FULL_HEADINGS, canonical.COMMENT_QUESTION, ","),
    "code_and_text.csv": (CODES, "comment", "\t"),
}
# The fixture's responses (make_fixtures.IDS, STARTS, ENDS, LAST_PAGE).
IDS = ["3", "4", "5", "7", "8", "9"]
STARTED = ["2024-03-02 09:14:05", "2024-03-02 10:01:44", "2024-03-03 18:22:10",
           "2024-03-04 08:05:59", "2024-03-04 21:40:31", "2024-03-05 12:00:02"]
SUBMITTED = ["2024-03-02 09:19:47", "2024-03-02 10:05:02", "2024-03-03 18:30:55",
             "2024-03-04 08:09:12", "2024-03-04 21:41:03", None]
LAST_PAGE = [3, 3, 3, 3, 3, 1]
A_CODES = {f"A{k}": k for k in range(1, 6)}  # the survey's answer options A1..A5 = 1..5


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _times(series):
    return [None if pd.isna(t) else str(t) for t in series]


def _rewrite(tmp_path, name, transform):
    """A copy of a fixture with its CRLF lines transformed, written as LimeSurvey does."""
    lines = (HERE / name).read_bytes().decode("utf-8-sig").split("\r\n")
    target = tmp_path / name
    target.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(transform(lines)).encode("utf-8"))
    return target


@pytest.mark.parametrize("name", list(FILES))
def test_every_export_gives_the_canonical_answers(name):
    codes, comment, separator = FILES[name]
    path = HERE / name
    before = _digest(path)
    responses = peereval.read_export(path, keep_codes=name == "codes_answer_codes.csv")
    table = open_source(path).tables[0]
    assert responses.platform == "limesurvey"
    assert detect_platform(table)[0] == "limesurvey"
    assert table.delimiter == separator
    assert list(responses.ids) == IDS
    assert responses.likert_items == codes
    if name == "codes_answer_codes.csv":
        values = responses.numeric(codes, mapping=A_CODES)
        np.testing.assert_array_equal(values.to_numpy(),
                                      np.array(canonical.ANSWERS, dtype=float))
    else:
        assert_canonical(responses, codes)
    assert_comments(responses, comment)
    meta = responses.meta
    assert meta["finished"].tolist() == canonical.FINISHED
    assert _times(meta["started"]) == STARTED
    assert _times(meta["ended"]) == SUBMITTED
    assert meta["lastpage"].tolist() == LAST_PAGE
    assert meta["language"].tolist() == ["en"] * 6
    assert responses.source_rows.tolist() == [2, 3, 4, 5, 6, 7]
    assert _digest(path) == before


def test_array_subquestions_share_their_question():
    coded = peereval.read_export(HERE / "codes_numeric.csv")
    assert [coded.items[c].question for c in CODES] == ["support"] * 3 + ["adjust"] * 2
    assert coded.items["support[SQ002]"].text == "support[SQ002]"  # no texts in the file
    assert coded.items["comment"].question is None
    both = peereval.read_export(HERE / "code_and_text.csv")
    assert [both.items[c].text for c in CODES] == TEXTS
    assert [both.items[c].question for c in CODES] == ["support"] * 3 + ["adjust"] * 2
    assert both.items["comment"].text == canonical.COMMENT_QUESTION
    full = peereval.read_export(HERE / "full_text.csv")
    assert [full.items[c].text for c in FULL_HEADINGS] == TEXTS
    assert [full.items[c].question for c in FULL_HEADINGS] == QUESTIONS


@pytest.mark.parametrize(("name", "group_time"), [("codes_numeric.csv", "groupTime17"),
                                                  ("full_text.csv", "Group time: Mentoring")])
def test_timings_are_metadata(name, group_time):
    responses = peereval.read_export(HERE / name)
    assert responses.meta["duration_s"].tolist()[:2] == [342.14, 198.02]
    assert responses.meta[group_time].tolist()[0] == 342.14
    assert "interviewtime" not in responses.items


# ------------------------------------------------------------ answer codes


def test_answer_codes_without_the_survey_structure_are_refused_at_once():
    with pytest.raises(LabelError) as err:
        peereval.read_export(HERE / "codes_answer_codes.csv")
    message = str(err.value)
    assert "codes_answer_codes.csv" in message
    assert "A1, A2, A3, A4, A5" in message
    # which file to download, and the three ways to pass it
    assert ".lss" in message
    assert "Survey structure" in message
    assert "definition='survey.lss'" in message
    assert "[survey] definition" in message
    assert "--definition" in message
    assert "keep_codes=True" in message
    first = err.value.problems[0]
    assert (first.row, first.column, first.value) == (2, "support[SQ001]", "A5")
    assert [p.column for p in err.value.problems] == CODES


def test_answer_codes_kept_need_a_mapping():
    responses = peereval.read_export(HERE / "codes_answer_codes.csv", keep_codes=True)
    with pytest.raises(LabelError) as err:
        responses.numeric()
    message = str(err.value)
    assert "mapping=" in message
    assert any("Full answers" in note for note in responses.notes)
    first = err.value.problems[0]
    assert (first.row, first.column, first.value) == (2, "support[SQ001]", "A5")
    with pytest.raises(LabelError):
        responses.label_codes(CODES)
    assert any("answer codes" in note for note in responses.notes)


def test_answer_codes_with_mapping_per_item_or_for_all():
    responses = peereval.read_export(HERE / "codes_answer_codes.csv", keep_codes=True)
    expected = np.array(canonical.ANSWERS, dtype=float)
    per_item = responses.numeric(CODES, mapping={code: A_CODES for code in CODES})
    np.testing.assert_array_equal(per_item.to_numpy(), expected)
    # A survey that lists its options from "Strongly agree" down: A1 = 5.
    reversed_codes = {code: 6 - value for code, value in A_CODES.items()}
    np.testing.assert_array_equal(responses.numeric(CODES, mapping=reversed_codes).to_numpy(),
                                  6 - expected)
    codes = responses.label_codes(["support[SQ001]"], mapping=A_CODES).set_index("label")
    assert codes.loc["A5", "value"] == 5


def test_incomplete_mapping_lists_the_codes_left_out():
    responses = peereval.read_export(HERE / "codes_answer_codes.csv", keep_codes=True)
    partial = {code: value for code, value in A_CODES.items() if code != "A5"}
    with pytest.raises(LabelError) as err:
        responses.numeric(CODES, mapping=partial)
    assert {p.value for p in err.value.problems} == {"A5"}
    assert [(p.row, p.column) for p in err.value.problems][:2] == [
        (2, "support[SQ001]"), (6, "support[SQ002]")]


def test_subset_keeps_the_answer_code_check():
    responses = peereval.read_export(HERE / "codes_answer_codes.csv", keep_codes=True)
    finished = responses.subset(responses.ids[responses.meta["finished"].to_numpy(bool)])
    assert len(finished) == 5
    with pytest.raises(LabelError):
        finished.numeric()
    assert finished.numeric(mapping=A_CODES).loc["3"].tolist() == canonical.ANSWERS[0]


def test_numeric_codes_and_full_answers_need_no_mapping():
    numbers = peereval.read_export(HERE / "codes_numeric.csv")
    assert not any("answer codes" in note for note in numbers.notes)
    np.testing.assert_array_equal(numbers.numeric(CODES).to_numpy(),
                                  np.array(canonical.ANSWERS, dtype=float))
    full = peereval.read_export(HERE / "full_text.csv")
    rules = set(full.label_codes(FULL_HEADINGS)["rule"])
    assert all(rule.startswith("agreement-5 (en)") for rule in rules)


# ------------------------------------------------------------ dates and headings


def test_placeholder_dates_of_anonymised_surveys(tmp_path):
    def placeholder(lines):
        lines[1] = lines[1].replace('"2024-03-02 09:19:47"', '"1980-01-01 00:00:00"')
        return lines

    responses = peereval.read_export(_rewrite(tmp_path, "codes_numeric.csv", placeholder))
    assert responses.meta["finished"].tolist() == canonical.FINISHED
    assert pd.isna(responses.meta["ended"].iloc[0])
    assert pd.isna(responses.meta["last_action"].iloc[0])
    assert any("1980-01-01" in note for note in responses.notes)


def test_full_headings_in_another_language(tmp_path):
    translated = ['"Antwort ID"', '"Datum Abgeschickt"', '"Letzte Seite"', '"Start-Sprache"',
                  '"Startwert"', '"Datum gestartet"', '"Datum letzte Aktivität"']

    def translate(lines):
        header = lines[0].split('","')
        lines[0] = ",".join(translated) + ',"' + '","'.join(header[7:])
        return lines

    path = _rewrite(tmp_path, "full_text.csv", translate)
    table = open_source(path).tables[0]
    assert 0.5 <= limesurvey.sniff(table) < 1
    responses = peereval.read_export(path)
    assert responses.platform == "limesurvey"
    assert list(responses.ids) == IDS
    assert responses.meta["finished"].tolist() == canonical.FINISHED
    assert "Datum gestartet" not in responses.items
    assert _times(responses.meta["started"]) == STARTED
    assert_canonical(responses, FULL_HEADINGS)
    assert any("by position" in note for note in responses.notes)


# ---------------------------------------------------------------------- errors


def test_limesurvey_forced_on_another_layout():
    path = FIXTURES / "qualtrics" / "choice_text.csv"
    with pytest.raises(FileFormatError, match="not a LimeSurvey response export") as err:
        peereval.read_export(path, platform="limesurvey")
    assert err.value.file == path
    assert "qualtrics" in str(err.value)


def test_qualtrics_forced_on_a_limesurvey_export():
    with pytest.raises(FileFormatError, match="not a Qualtrics export") as err:
        peereval.read_export(HERE / "full_text.csv", platform="qualtrics")
    assert "platform='limesurvey'" in str(err.value)


def test_duplicate_response_ids_list_every_row(tmp_path):
    path = _rewrite(tmp_path, "full_text.csv", lambda lines: [lines[0], lines[1], *lines[1:]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [(p.row, p.value) for p in err.value.problems] == [(2, "3"), (3, "3")]
    assert "Response ID" in str(err.value)


def test_unknown_full_answer_names_row_column_and_value(tmp_path):
    def edit(lines):
        lines[2] = lines[2].replace('"Agree","Agree","Disagree"',
                                    '"Agree","Mostly agree","Disagree"')
        return lines

    responses = peereval.read_export(_rewrite(tmp_path, "full_text.csv", edit))
    with pytest.raises(LabelError) as err:
        responses.numeric(FULL_HEADINGS)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, FULL_HEADINGS[1], "Mostly agree")


# ------------------------------------------------------------------- detection


@pytest.mark.parametrize("name", list(FILES))
def test_sniff_recognises_only_limesurvey(name):
    table = open_source(HERE / name).tables[0]
    assert limesurvey.sniff(table) >= 0.5
    assert qualtrics.sniff(table) == 0
    assert redcap.sniff(table) == 0


@pytest.mark.parametrize("path", sorted([*(FIXTURES / "qualtrics").glob("*.*[!y]"),
                                         *(FIXTURES / "redcap").glob("*.csv")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sniff_gives_zero_on_other_layouts(path):
    for table in open_source(path).tables:
        assert limesurvey.sniff(table) == 0
