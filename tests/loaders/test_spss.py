"""SPSS data files: labels, value labels, user-missing codes, strings, ids."""

from __future__ import annotations

import hashlib
import importlib.util
import math

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import DuplicateIdError, FileFormatError

HERE = FIXTURES / "spss"
_spec = importlib.util.spec_from_file_location("spss_fixtures", HERE / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

CODES = list(canonical.ITEMS)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sav_gives_canonical_answers_texts_and_options():
    path = HERE / "mentoring.sav"
    before = _sha(path)
    responses = peereval.read_export(path)
    assert responses.platform == "spss"
    assert list(responses.ids) == [str(1001 + i) for i in range(6)]
    assert responses.source_rows.tolist() == [1, 2, 3, 4, 5, 6]  # case numbers
    assert_canonical(responses, CODES)
    assert_comments(responses, "comments")
    item = responses.items["support_3"]
    assert item.kind == "likert"
    assert item.text == f"{canonical.QUESTION_SUPPORT} - {canonical.ROWS['support_3']}"
    # value labels become options; the user-missing code 9 is not a scale position
    assert item.options == tuple(canonical.LABELS_EN.items())
    assert responses.items["year"].options == (
        (1, "First year"), (2, "Second year"), (3, "Third year"))
    assert _sha(path) == before


def test_platform_metadata_variables_become_standard_meta():
    responses = peereval.read_export(HERE / "mentoring.sav")
    assert responses.meta["finished"].tolist() == canonical.FINISHED
    assert responses.meta["progress"].tolist() == canonical.PROGRESS
    assert responses.meta["started"].tolist() == [pd.Timestamp(s) for s in fx.STARTS]
    assert responses.meta["ended"].iloc[4] == pd.Timestamp("2024-03-04 21:41:03")
    assert "StartDate" not in responses.items


def test_user_missing_codes_are_missing_but_kept_and_counted():
    responses = peereval.read_export(HERE / "mentoring.sav")
    values = responses.numeric(CODES)
    assert not (values == fx.NO_ANSWER).any().any()
    ids = list(responses.ids)
    # respondent 4 answered "No answer" (9) to adjust_2, respondent 6 to adjust_1
    kept = responses.meta["missing:adjust_2"]
    assert kept[ids[3]] == 9
    assert kept.drop(ids[3]).isna().all()
    assert responses.meta["missing:adjust_1"][ids[5]] == 9
    # respondent 6's adjust_2 is system-missing: missing, and no code to keep
    assert pd.isna(responses.meta["missing:adjust_2"][ids[5]])
    assert "missing:support_1" not in responses.meta  # no user-missing answers there
    # a user-missing range (90-99): 99 = "Refused"
    assert responses.meta["missing:year"][ids[2]] == 99
    assert math.isnan(responses.numeric(["year"]).loc[ids[2], "year"])
    notes = " ".join(responses.notes)
    assert "adjust_2: 1 answer with user-missing codes (9 = 'No answer': 1)" in notes
    assert "99 = 'Refused'" in notes


def test_compressed_sav_with_persian_labels():
    responses = peereval.read_export(HERE / "persian.zsav")
    assert list(responses.ids) == fx.RESPONSE_IDS
    codes = [f"q{j}" for j in range(1, 6)]
    assert_canonical(responses, codes)
    assert_comments(responses, "nazar")
    assert responses.items["q2"].text == fx.FA_ROWS[1]
    assert responses.items["q1"].options == tuple(canonical.LABELS_FA.items())


def _write(tmp_path, frame, name="data.sav", **kwargs):
    path = tmp_path / name
    pyreadstat.write_sav(frame, path, **kwargs)
    return path


def test_duplicate_ids_list_every_case(tmp_path):
    frame = pd.DataFrame({"id": [7.0, 8.0, 7.0, 9.0, 8.0], "q": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(_write(tmp_path, frame))
    assert [(p.row, p.value) for p in err.value.problems] == [
        (1, "7"), (3, "7"), (2, "8"), (5, "8")]
    assert err.value.column == "id"


def test_without_an_id_variable_cases_are_numbered(tmp_path):
    frame = pd.DataFrame({"q1": [1.0, 2.0], "gender": [1.0, 2.0]})
    path = _write(tmp_path, frame, variable_value_labels={"gender": {1.0: "Male",
                                                                     2.0: "Female"}})
    responses = peereval.read_export(path)
    assert list(responses.ids) == ["case-1", "case-2"]
    assert responses.items["gender"].kind == "choice"  # two labelled codes: no scale
    chosen = peereval.read_export(path, id_column="Q1")  # case-insensitive
    assert list(chosen.ids) == ["1", "2"]
    with pytest.raises(FileFormatError, match="no variable named 'nope'") as err:
        peereval.read_export(path, id_column="nope")
    assert "q1, gender" in err.value.hint


def test_string_user_missing_and_empty_strings(tmp_path):
    frame = pd.DataFrame({"id": [1.0, 2.0, 3.0], "city": ["Tehran", "NA", ""]})
    responses = peereval.read_export(_write(tmp_path, frame, missing_ranges={"city": ["NA"]}))
    assert responses.answers["city"].tolist()[0] == "Tehran"
    assert responses.answers["city"].isna().tolist() == [False, True, True]
    assert responses.meta["missing:city"].tolist() == [None, "NA", None]


def test_damaged_file_is_a_located_error(tmp_path):
    data = (HERE / "mentoring.sav").read_bytes()
    path = tmp_path / "cut.sav"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(FileFormatError, match="SPSS file cannot be read") as err:
        peereval.read_export(path)
    assert err.value.file == path
    assert "save the file again" in err.value.hint


def test_forcing_platforms_across_sav_and_text():
    with pytest.raises(FileFormatError, match=r"not an SPSS \.sav file"):
        peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv", platform="spss")
    with pytest.raises(FileFormatError, match="SPSS data file, not a generic export"):
        peereval.read_export(HERE / "mentoring.sav", platform="generic")


def test_values_are_numbers_not_labels():
    responses = peereval.read_export(HERE / "mentoring.sav")
    first = responses.answers.iloc[0][CODES].astype(float).to_numpy()
    np.testing.assert_array_equal(first, canonical.ANSWERS[0])
