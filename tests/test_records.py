"""Academic records and keyed-pseudonym linkage."""

from __future__ import annotations

import hashlib
import hmac

import openpyxl
import pandas as pd
import pytest

import peereval
from helpers import FIXTURES
from peereval.errors import DuplicateIdError, FileFormatError, LinkageError
from peereval.loaders.records import normalise_id

KEY = "k" * 32
SURVEY = FIXTURES / "qualtrics" / "choice_text.csv"  # student_id 9812345..9812350


def _write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_records():
    records = peereval.read_records(peereval.sample_path("records"), id="student_id",
                                    group="mentored")
    assert len(records) == 300
    assert records.groups().to_dict() == {"no": 137, "yes": 163}
    assert records.data["gpa_entry"].dtype == "float64"
    assert records.data["sex"].dtype == "string"
    assert records.sheet == "records"
    assert records.source_rows.iloc[0] == 2


@pytest.mark.parametrize(("raw", "expected"), [
    (" 0012345 ", "12345"), (12345.0, "12345"), ("12345.0", "12345"), ("۱۲۳۴۵", "12345"),
    ("AB 12", "ab12"), ("", None), (None, None), (float("nan"), None), ("0", "0"),
])
def test_ids_are_normalised(raw, expected):
    assert normalise_id(raw) == expected


def test_missing_columns_empty_and_duplicate_ids(tmp_path):
    path = _write_csv(tmp_path / "r.csv", "sid,grp,gpa\n1,yes,3.1\n2,no,2.9\n")
    with pytest.raises(FileFormatError, match="no id column 'student_id'") as err:
        peereval.read_records(path, id="student_id", group="grp")
    assert "sid, grp, gpa" in str(err.value)
    with pytest.raises(FileFormatError, match="no group column 'mentored'"):
        peereval.read_records(path, id="sid", group="mentored")

    path = _write_csv(tmp_path / "r2.csv", "sid,grp\n1,yes\n,no\n3,\n")
    with pytest.raises(FileFormatError, match="no student id") as err:
        peereval.read_records(path, id="sid", group="grp")
    assert err.value.row == 3
    path = _write_csv(tmp_path / "r3.csv", "sid,grp\n1,yes\n2,no\n3,\n")
    with pytest.raises(FileFormatError, match="no group") as err:
        peereval.read_records(path, id="sid", group="grp")
    assert (err.value.row, err.value.column) == (4, "grp")

    path = _write_csv(tmp_path / "r4.csv", "sid,grp\n1,yes\n2,no\n001,no\n")
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_records(path, id="sid", group="grp")
    assert [p.row for p in err.value.problems] == [2, 4]


def test_records_from_xlsx_with_persian_headers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["شماره دانشجویی", "گروه", "معدل"])
    ws.append(["۹۸۱۲۳۴۵", "منتور", 17.25])
    ws.append([9812346, "بدون منتور", "۱۶.۵"])
    wb.save(tmp_path / "records.xlsx")
    records = peereval.read_records(tmp_path / "records.xlsx", id="شماره دانشجویی",
                                    group="گروه")
    assert list(records.data.index) == ["9812345", "9812346"]
    assert records.data["معدل"].tolist() == [17.25, 16.5]


@pytest.fixture
def survey():
    return peereval.read_export(SURVEY)


@pytest.fixture
def records(tmp_path):
    # 4 of the 6 respondents are in the records, plus two students who did not answer
    text = ("student_id,mentored,gpa\n9812345,yes,3.0\n9812346,yes,3.2\n09812347,no,2.8\n"
            "9812348,no,3.5\n9812399,yes,3.1\n9812398,no,2.7\n")
    return peereval.read_records(_write_csv(tmp_path / "rec.csv", text), id="student_id",
                                 group="mentored")


def test_link_counts_and_pseudonyms(survey, records):
    linked = peereval.link(survey, records, key=KEY)
    rep = linked.report
    assert (rep.n_responses, rep.n_records, rep.matched) == (6, 6, 4)
    assert rep.responses_not_in_records == 2
    assert rep.records_not_in_survey == 2
    assert rep.responses_without_id == 0
    expected = "p" + hmac.new(KEY.encode(), b"9812347", hashlib.sha256).hexdigest()[:16]
    assert expected in linked.records.data.index
    assert expected in linked.responses.ids
    assert linked.records.pseudonymised
    assert rep.to_frame().set_index("measure").loc["linked", "n"] == 4


def test_no_raw_id_survives_linkage(survey, records):
    linked = peereval.link(survey, records, key=KEY)
    raw = {"9812345", "9812346", "9812347", "9812348", "9812349", "9812350", "9812399",
           "9812398", "09812347"}
    response_ids = set(survey.ids)
    frames = [linked.responses.answers, linked.responses.meta, linked.records.data]
    for frame in frames:
        text = frame.astype("string").fillna("")
        cells = set(text.to_numpy().ravel()) | set(map(str, frame.index)) | set(
            map(str, frame.columns))
        assert not cells & raw
        assert not cells & response_ids
    assert "student_id" not in linked.responses.meta
    assert "source_id" not in linked.responses.meta


def test_same_key_same_pseudonyms_other_key_other(survey, records):
    a = peereval.link(survey, records, key=KEY).records.data.index
    b = peereval.link(survey, records, key=KEY).records.data.index
    c = peereval.link(survey, records, key="z" * 32).records.data.index
    assert list(a) == list(b)
    assert not set(a) & set(c)


def test_key_from_environment(survey, records, monkeypatch):
    monkeypatch.setenv("PEEREVAL_LINK_KEY", KEY)
    linked = peereval.link(survey, records)
    assert linked.report.key_source == "environment variable PEEREVAL_LINK_KEY"
    assert list(linked.records.data.index) == list(
        peereval.link(survey, records, key=KEY).records.data.index)
    monkeypatch.delenv("PEEREVAL_LINK_KEY")
    with pytest.raises(LinkageError, match="no pseudonymisation key"):
        peereval.link(survey, records)
    with pytest.raises(LinkageError, match="at least 16"):
        peereval.link(survey, records, key="short")


def test_repeated_survey_ids(tmp_path, records):
    text = SURVEY.read_bytes().decode("utf-8-sig").split("\r\n")
    text[4] = text[4].replace("9812346", "9812345")  # respondent 2 types respondent 1's id
    path = tmp_path / "dup.csv"
    path.write_bytes("\r\n".join(text).encode())
    survey = peereval.read_export(path)
    with pytest.raises(LinkageError, match="more than once") as err:
        peereval.link(survey, records, key=KEY)
    assert [p.row for p in err.value.problems] == [4, 5]
    first = peereval.link(survey, records, key=KEY, duplicates="first")
    assert first.report.duplicate_survey_ids == 1
    assert len(first.responses) == 5
    kept_answers = first.responses.answers.iloc[0]
    assert kept_answers["Q1_1"] == "Strongly agree"  # respondent 1's own answer
    last = peereval.link(survey, records, key=KEY, duplicates="last")
    assert last.responses.answers.iloc[0]["Q1_1"] == "Agree"


def test_join_scores_to_records(survey, records):
    linked = peereval.link(survey, records, key=KEY)
    inst = peereval.Instrument.from_dict({"scales": {"s": {"items": ["Q1_1", "Q1_2"]}}})
    joined = linked.join(inst.score(linked.responses))
    assert joined["in_survey"].sum() == 4
    assert joined["s"].notna().sum() == 4
    assert len(joined) == 6


def test_wrong_survey_id_column(survey, records):
    with pytest.raises(LinkageError, match="no column 'matric'"):
        peereval.link(survey, records, key=KEY, survey_id="matric")
    linked = peereval.link(survey, records, key=KEY)
    with pytest.raises(LinkageError, match="already pseudonymised"):
        peereval.link(survey, linked.records, key=KEY)


def test_input_frames_unchanged(survey, records):
    before = (survey.meta.copy(), records.data.copy())
    peereval.link(survey, records, key=KEY)
    pd.testing.assert_frame_equal(survey.meta, before[0])
    pd.testing.assert_frame_equal(records.data, before[1])


# A survey as a plain table and a records sheet written by hand: besides the id used for
# linkage, each side holds other identifying columns (a response id, a national code,
# e-mail addresses, names) and columns that only look alike (age, a mentor id shared
# by several students, the year of study).
_SURVEY_WITH_IDS = """\
Response ID,student_id,National code,Email,Age,Year of study,Q1,Q2,Comments
R_1a,9900101,0012345671,ali@uni.ac.ir,19,1st year,Agree,Agree,Good mentor
R_2b,9900102,0012345672,sara@uni.ac.ir,20,2nd year,Strongly agree,Agree,More sessions please
R_3c,9900103,0012345673,reza@uni.ac.ir,19,1st year,Neutral,Disagree,
R_4d,9900104,0012345674,mina@uni.ac.ir,21,3rd year,Agree,Strongly agree,Helpful
R_5e,9900105,0012345675,omid@uni.ac.ir,20,2nd year,Disagree,Neutral,Too short
R_6f,9900106,0012345676,neda@uni.ac.ir,22,3rd year,Strongly disagree,Agree,ok
"""
_RECORDS_WITH_IDS = """\
student_id,Name,email,national_id,mentor_id,mentored,gpa,student_no_copy
9900101,Ali A,ali@uni.ac.ir,0012345671,m1,yes,3.1,9900101
9900102,Sara B,sara@uni.ac.ir,0012345672,m1,yes,3.4,9900102
9900103,Reza C,reza@uni.ac.ir,0012345673,m2,no,2.9,9900103
9900104,Mina D,mina@uni.ac.ir,0012345674,m2,yes,3.8,9900104
9900105,Omid E,omid@uni.ac.ir,0012345675,m3,no,3.0,9900105
9900106,Neda F,neda@uni.ac.ir,0012345676,m3,no,3.2,9900106
"""


def test_link_removes_every_identifying_column_of_both_sides(tmp_path):
    survey = peereval.read_export(_write_csv(tmp_path / "s.csv", _SURVEY_WITH_IDS))
    records = peereval.read_records(_write_csv(tmp_path / "r.csv", _RECORDS_WITH_IDS),
                                    id="student_id", group="mentored")
    linked = peereval.link(survey, records, key=KEY, survey_id="student_id")
    identifying = {"Response ID", "student_id", "National code", "Email", "Name", "email",
                   "national_id", "student_no_copy", "source_id"}
    for frame in (linked.responses.answers, linked.responses.meta, linked.records.data):
        assert not identifying & set(frame.columns)
        cells = set(frame.astype("string").fillna("").to_numpy().ravel())
        for raw in ("9900101", "0012345671", "ali@uni.ac.ir", "Ali A", "R_1a"):
            assert raw not in cells
            assert raw not in set(map(str, frame.index))
    # what merely looks alike stays: ages, a mentor shared by students, the year
    assert {"Age", "Year of study", "Q1", "Q2", "Comments"} <= set(linked.responses.answers)
    assert list(linked.records.data.columns) == ["mentor_id", "mentored", "gpa"]
    # and every removal is said, with its reason
    assert "National code (named like an id and unique per row)" in linked.responses.notes[-1]
    assert "Name (a direct identifier)" in linked.records.notes[-1]
    assert "student_no_copy (holds student ids)" in linked.records.notes[-1]


def test_link_keeps_a_column_the_study_names(tmp_path):
    survey = peereval.read_export(_write_csv(tmp_path / "s.csv", _SURVEY_WITH_IDS))
    records = peereval.read_records(_write_csv(tmp_path / "r.csv", _RECORDS_WITH_IDS),
                                    id="student_id", group="mentored")
    linked = peereval.link(survey, records, key=KEY, survey_id="student_id",
                           keep=["national_id"])
    assert "national_id" in linked.records.data


def test_short_ids_do_not_remove_ages(tmp_path):
    # record ids 1..30 overlap the ages 18..25 by value, but ages repeat: not ids
    rows = "\n".join(f"{i},{18 + i % 8},Agree" for i in range(1, 31))
    survey = peereval.read_export(_write_csv(tmp_path / "s.csv", "sid,age,Q1\n" + rows + "\n"))
    records = peereval.read_records(
        _write_csv(tmp_path / "r.csv", "sid,grp\n" + "\n".join(
            f"{i},{'yes' if i % 2 else 'no'}" for i in range(1, 31)) + "\n"),
        id="sid", group="grp")
    linked = peereval.link(survey, records, key=KEY, survey_id="sid")
    assert "age" in linked.responses.answers


def test_old_positional_options_of_the_readers_warn_and_still_work(tmp_path):
    survey = peereval.read_export(_write_csv(tmp_path / "s.csv", _SURVEY_WITH_IDS))
    with pytest.warns(DeprecationWarning, match=r"read_export\(\): passing platform by "
                      "position is deprecated"):
        old = peereval.read_export(tmp_path / "s.csv", "generic")
    assert old.platform == survey.platform
    records = peereval.read_records(_write_csv(tmp_path / "r.csv", _RECORDS_WITH_IDS),
                                    id="student_id", group="mentored")
    with pytest.warns(DeprecationWarning, match=r"link\(\): passing key by position"):
        linked = peereval.link(survey, records, KEY, survey_id="student_id")
    assert linked.report.matched == peereval.link(survey, records, key=KEY,
                                                  survey_id="student_id").report.matched
    from peereval.loaders import detect_platform

    with pytest.warns(DeprecationWarning, match=r"detect_platform\(source=\.\.\.\)"):
        assert detect_platform(source=tmp_path / "s.csv") == detect_platform(tmp_path / "s.csv")
