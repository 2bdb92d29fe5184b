"""Survey definitions (.qsf, .lss, XLSForm, REDCap data dictionary) read with their exports.

The fixtures in tests/fixtures/definitions/ are one questionnaire ("Peer tutoring
feedback": a 5-point agreement matrix, a 4-point satisfaction question, year of
study, gender, age, a comment) as each platform defines and exports it, written by
hand; each folder's truth.csv holds the numbers every closed answer stands for.
"""

from __future__ import annotations

import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

import peereval
from helpers import FIXTURES
from peereval.errors import FileFormatError, LabelError, PeerevalError
from peereval.loaders.definitions import read_definition

HERE = FIXTURES / "definitions"
QSF = HERE / "qualtrics" / "tutoring.qsf"
LSS = HERE / "limesurvey" / "tutoring.lss"
FORM = HERE / "kobo" / "tutoring_form.xlsx"
AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
         "Strongly agree"]
QUALTRICS_AGREE = ["Strongly disagree", "Somewhat disagree", "Neither agree nor disagree",
                   "Somewhat agree", "Strongly agree"]
SATISFACTION = ["Very dissatisfied", "Dissatisfied", "Satisfied", "Very satisfied"]
YEARS = ["First year", "Second year", "Third year", "Fourth year", "Fifth year", "Sixth year"]

CASES = {  # export: (definition, likert items, choice items, age, comment)
    "qualtrics/choice_text.csv": (QSF, ["Q1_1", "Q1_2", "Q1_3", "Q2"], ["Q3", "Q4"], "Q5", "Q6"),
    "qualtrics/numeric_values.csv": (QSF, ["Q1_1", "Q1_2", "Q1_3", "Q2"], ["Q3", "Q4"], "Q5",
                                     "Q6"),
    "limesurvey/answer_codes.csv": (LSS, ["help[SQ001]", "help[SQ002]", "help[SQ003]", "satis"],
                                    ["year", "gender"], "age", "comment"),
    "kobo/xml_values.csv": (FORM, ["help_1", "help_2", "help_3", "satis"], ["year", "gender"],
                            "age", "comment"),
}


def _truth(folder: str) -> pd.DataFrame:
    truth = pd.read_csv(HERE / folder / "truth.csv", dtype={0: str})
    return truth.set_index(truth.columns[0]).astype(float)


def _option_numbers(responses, code: str) -> list[float]:
    """The definition's number of each answer of a choice item (NaN when unanswered)."""
    numbers = {label: float(number) for number, label in responses.items[code].options}
    return [math.nan if pd.isna(v) else numbers[v] for v in responses.answers[code]]


# ------------------------------------------------------------------- happy paths


@pytest.mark.parametrize("name", list(CASES))
def test_exports_read_with_their_definition_give_the_truth_table(name):
    definition, likert, choice, age, comment = CASES[name]
    responses = peereval.read_export(HERE / name, definition=definition)
    truth = _truth(name.split("/")[0])
    assert list(responses.ids) == list(truth.index)
    assert responses.likert_items == likert
    np.testing.assert_array_equal(responses.numeric().to_numpy(),
                                  truth[likert].to_numpy())
    for code in choice:
        assert responses.items[code].kind == "choice"
        np.testing.assert_array_equal(_option_numbers(responses, code), truth[code].to_numpy())
    assert responses.items[age].kind == "number"
    assert responses.items[comment].kind == "text"
    source = f"definition file ({definition.name})"
    assert all(responses.items[c].options_source == source for c in likert + choice)
    # the matrix rows form one proposed scale; the single questions do not
    groups = {responses.items[c].question for c in likert[:3]}
    assert len(groups) == 1
    assert None not in groups
    assert all(responses.items[c].question is None for c in [likert[3], *choice])
    codes = responses.label_codes(likert[:1])
    assert set(codes["rule"]) == {"options"}
    assert any(definition.name in note for note in responses.notes)
    assert not any("numeric(mapping=" in note for note in responses.notes)


def test_qualtrics_definition_numbers_the_default_five_point_scale_one_to_five():
    responses = peereval.read_export(HERE / "qualtrics" / "choice_text.csv", definition=QSF)
    item = responses.items["Q1_1"]
    assert item.options == tuple(enumerate(QUALTRICS_AGREE, start=1))
    assert item.question == "QID1"
    # texts come from the definition, HTML removed
    assert item.text == ("How much do you agree with these statements about your tutor? - "
                         "My tutor explained things clearly")
    # no recode values: numbers follow the choice order, not the choice ids 1, 2, 4, 5
    assert responses.items["Q2"].options == tuple(enumerate(SATISFACTION, start=1))
    assert responses.items["Q3"].options == tuple(enumerate(YEARS, start=1))


def test_qualtrics_numeric_export_holds_choice_ids_decoded_to_labels():
    responses = peereval.read_export(HERE / "qualtrics" / "numeric_values.csv",
                                     definition=QSF)
    # choice id 5 is the fourth option, "Very satisfied"
    assert responses.answers["Q2"].tolist()[:4] == ["Very satisfied", "Dissatisfied",
                                                    "Very dissatisfied", "Satisfied"]
    assert responses.answers["Q4"].tolist()[3] == "Prefer not to say"


def test_qualtrics_trash_and_order():
    definition = read_definition(QSF)
    assert definition.platform == "qualtrics"
    assert list(definition.questions) == ["Q1_1", "Q1_2", "Q1_3", "Q2", "Q3", "Q4", "Q5", "Q6"]
    assert "Q7" not in definition.questions  # deleted: in the Trash block
    assert "8 questions" in repr(definition)


def test_without_a_definition_the_year_and_age_questions_are_not_what_they_are():
    plain = peereval.read_export(HERE / "qualtrics" / "choice_text.csv")
    defined = peereval.read_export(HERE / "qualtrics" / "choice_text.csv", definition=QSF)
    assert (plain.items["Q3"].kind, defined.items["Q3"].kind) == ("text", "choice")
    assert defined.items["Q5"].kind == "number"


def test_limesurvey_numbers_follow_the_sort_order_not_the_code_digits():
    definition = read_definition(LSS)
    satis = definition.questions["satis"]
    assert [c.code for c in satis.choices] == ["A4", "A3", "A2", "A1"]
    assert satis.options == tuple(enumerate(SATISFACTION, start=1))  # A1 = 4
    # assessment values set and distinct: they are the numbers; "Not applicable" keeps
    # its label (and its assessment value 9) for the coder to treat as missing
    assert definition.questions["help[SQ001]"].options == (
        *enumerate(AGREE, start=1), (9, "Not applicable"))
    assert definition.questions["gender"].options == ((1, "Female"), (2, "Male"))
    assert definition.languages == ("en", "fa")
    assert definition.questions["year"].texts["fa"] == "سال چندم تحصیل هستید؟"


def test_limesurvey_full_answers_with_full_headings_are_matched_by_text():
    responses = peereval.read_export(HERE / "limesurvey" / "full_answers.csv", definition=LSS)
    truth = _truth("limesurvey")
    assert len(responses.likert_items) == 4
    np.testing.assert_array_equal(responses.numeric().to_numpy(),
                                  truth[["help[SQ001]", "help[SQ002]", "help[SQ003]",
                                         "satis"]].to_numpy())
    first = responses.likert_items[0]
    assert responses.items[first].question == "help"
    assert responses.items["Which year of study are you in?"].kind == "choice"


OLD_LSS = """<?xml version="1.0" encoding="UTF-8"?>
<document>
 <LimeSurveyDocType>Survey</LimeSurveyDocType>
 <DBVersion>355</DBVersion>
 <languages><language>en</language></languages>
 <answers><rows>
  <row><qid><![CDATA[5]]></qid><code><![CDATA[A1]]></code><answer><![CDATA[Never]]></answer>
   <sortorder>1</sortorder><assessment_value>0</assessment_value><language>en</language>
   <scale_id>0</scale_id></row>
  <row><qid><![CDATA[5]]></qid><code><![CDATA[A2]]></code><answer><![CDATA[Often]]></answer>
   <sortorder>2</sortorder><assessment_value>0</assessment_value><language>en</language>
   <scale_id>0</scale_id></row>
  <row><qid><![CDATA[5]]></qid><code><![CDATA[A3]]></code>
   <answer><![CDATA[<b>Always</b>]]></answer>
   <sortorder>3</sortorder><assessment_value>0</assessment_value><language>en</language>
   <scale_id>0</scale_id></row>
 </rows></answers>
 <questions><rows>
  <row><qid>5</qid><parent_qid>0</parent_qid><gid>1</gid><type>F</type><title>often</title>
   <question><![CDATA[How often did you ...]]></question><question_order>1</question_order>
   <language>en</language></row>
 </rows></questions>
 <subquestions><rows>
  <row><qid>6</qid><parent_qid>5</parent_qid><gid>1</gid><type>T</type><title>SQ001</title>
   <question><![CDATA[meet your tutor]]></question><question_order>1</question_order>
   <scale_id>0</scale_id><language>en</language></row>
 </rows></subquestions>
</document>
"""


def test_limesurvey_structure_before_version_4_has_its_texts_in_the_rows(tmp_path):
    path = tmp_path / "old.lss"
    path.write_text(OLD_LSS, encoding="utf-8")
    question = read_definition(path).questions["often[SQ001]"]
    assert question.text == "How often did you ... - meet your tutor"
    assert question.options == ((1, "Never"), (2, "Often"), (3, "Always"))
    assert question.kind == "likert"
    assert question.question == "often"


def test_xlsform_groups_matrices_languages_and_repeats():
    form = read_definition(FORM)
    assert form.platform == "xlsform"
    assert form.languages[:2] == ("English (en)", "Persian (fa)")
    assert [form.questions[f"help_{k}"].question for k in (1, 2, 3)] == ["help_group"] * 3
    assert form.questions["help_1"].text == "Your tutor - My tutor explained things clearly"
    # numeric choice names are the numbers; other names number by their order
    assert form.questions["satis"].options == tuple(enumerate(SATISFACTION))
    assert form.questions["year"].options == tuple(enumerate(YEARS, start=1))
    assert form.questions["gender"].kind == "choice"
    assert "session_minutes" not in form.questions  # inside a repeat
    assert "start" not in form.questions  # metadata


def test_xlsform_labels_in_the_export_language_are_kept(tmp_path):
    """A Persian export is decoded to its own (Persian) labels."""
    text = (HERE / "kobo" / "xml_values.csv").read_bytes().decode("utf-8")
    form = read_definition(FORM)
    for choice in form.questions["help_1"].choices:
        text = text.replace(f'"{choice.code}"', f'"{choice.labels["Persian (fa)"]}"')
    path = tmp_path / "persian.csv"
    path.write_bytes(text.encode("utf-8"))
    responses = peereval.read_export(path, definition=FORM)
    assert responses.answers["help_1"].iloc[0] == "کاملاً موافقم"
    assert responses.items["help_1"].options[4] == (5, "کاملاً موافقم")
    assert responses.items["help_1"].text == "راهنمای شما - راهنمایم مطالب را روشن توضیح داد"
    np.testing.assert_array_equal(responses.numeric(["help_1"]).to_numpy().ravel(),
                                  _truth("kobo")["help_1"].to_numpy())


def test_a_labels_export_with_group_headers_is_matched_by_the_question_texts(tmp_path):
    """KoboToolbox "Labels" export: headers "Group label/Question label", answers labels."""
    form = read_definition(FORM)
    head, *rows = (HERE / "kobo" / "xml_values.csv").read_bytes().decode("utf-8").split("\r\n")
    for name, question in form.questions.items():
        label = question.texts["English (en)"].replace(" - ", "/")
        head = head.replace(f'"help_group/{name}"', f'"{label}"').replace(f'"{name}"',
                                                                           f'"{label}"')
    text = "\r\n".join([head, *rows])
    for question in form.questions.values():
        for choice in question.choices:
            text = text.replace(f'"{choice.code}"', f'"{choice.label}"')
    path = tmp_path / "labels.csv"
    path.write_bytes(text.encode("utf-8"))
    responses = peereval.read_export(path, definition=FORM)
    first = "Your tutor/My tutor explained things clearly"
    assert first in responses.items
    assert responses.items[first].question == "help_group"
    assert responses.items["Which year of study are you in?"].kind == "choice"
    truth = _truth("kobo")
    np.testing.assert_array_equal(responses.numeric().to_numpy(),
                                  truth[["help_1", "help_2", "help_3", "satis"]].to_numpy())


def test_redcap_dictionary_is_a_definition_too():
    dictionary = FIXTURES / "redcap" / "dictionary.csv"
    definition = read_definition(dictionary)
    assert definition.platform == "redcap"
    assert definition.source.record_id == next(iter(definition.source.fields))
    closed = [q for q in definition.questions.values() if q.choices]
    assert closed
    assert all(q.options for q in closed)
    for name in ("raw.csv", "labels.csv"):
        old = peereval.read_export(FIXTURES / "redcap" / name, dictionary=dictionary)
        new = peereval.read_export(FIXTURES / "redcap" / name, definition=dictionary)
        pd.testing.assert_frame_equal(old.numeric(), new.numeric())
        assert old.items == new.items


def test_apply_definition_is_public_and_leaves_its_input_alone():
    from peereval.loaders.definitions import apply_definition

    responses = peereval.read_export(HERE / "kobo" / "xml_values.csv", keep_codes=True)
    before = responses.answers.copy()
    coded = apply_definition(responses, read_definition(FORM))
    pd.testing.assert_frame_equal(responses.answers, before)
    assert coded.answers.loc[responses.ids[1], "help_1"] == "Neither agree nor disagree"


# -------------------------------------------------------------- without definition


@pytest.mark.parametrize(("name", "download", "example"), [
    ("limesurvey/answer_codes.csv", "Survey structure (.lss)", "survey.lss"),
    ("kobo/xml_values.csv", "Download XLS", "form.xlsx"),
])
def test_codes_without_the_definition_say_which_file_to_download(name, download, example):
    with pytest.raises(LabelError) as err:
        peereval.read_export(HERE / name)
    message = str(err.value)
    assert name.split("/")[1] in message
    assert download in message
    assert f"definition='{example}'" in message
    assert f'[survey] definition = "{example}"' in message
    assert f"--definition {example}" in message
    assert err.value.problems
    assert all(p.row is not None for p in err.value.problems)
    kept = peereval.read_export(HERE / name, keep_codes=True)
    assert len(kept) == 5


# ------------------------------------------------------------------ failure paths


def test_a_definition_of_another_survey_names_both_files_and_the_codes():
    with pytest.raises(FileFormatError) as err:
        peereval.read_export(HERE / "limesurvey" / "answer_codes.csv", definition=QSF)
    message = str(err.value)
    assert "answer_codes.csv" in message
    assert "tutoring.qsf" in message
    assert "help[SQ001]" in message
    assert "Q1_1" in message


def test_an_answer_code_the_definition_does_not_know_is_located(tmp_path):
    text = (HERE / "limesurvey" / "answer_codes.csv").read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    lines[3] = lines[3].replace('"AO01","AO02","AO01"', '"AO01","AO07","AO01"')
    path = tmp_path / "answer_codes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    with pytest.raises(LabelError) as err:
        peereval.read_export(path, definition=LSS)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "help[SQ002]", "AO07")
    assert "tutoring.lss" in str(err.value)


def _qsf(tmp_path, change) -> object:
    document = json.loads(QSF.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "changed.qsf"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_malformed_qsf_files_name_the_file_and_the_place(tmp_path):
    cut = tmp_path / "cut.qsf"
    cut.write_bytes(QSF.read_bytes()[:700])
    with pytest.raises(FileFormatError, match=r"not valid JSON .*line \d+, column \d+") as err:
        read_definition(cut)
    assert "cut.qsf" in str(err.value)

    path = _qsf(tmp_path, lambda d: d.pop("SurveyElements"))
    with pytest.raises(FileFormatError, match="no 'SurveyElements'"):
        read_definition(path)

    def untyped(document):
        document["SurveyElements"][4]["Payload"].pop("QuestionType")

    with pytest.raises(FileFormatError, match=r"SurveyElements\[4\] \(QID1\)"):
        read_definition(_qsf(tmp_path, untyped))

    def bad_recode(document):
        document["SurveyElements"][4]["Payload"]["RecodeValues"]["3"] = "three"

    with pytest.raises(FileFormatError, match="recode value") as err:
        read_definition(_qsf(tmp_path, bad_recode))
    assert err.value.value == "three"


def test_malformed_lss_files_name_the_file_and_the_place(tmp_path):
    cut = tmp_path / "cut.lss"
    cut.write_bytes(LSS.read_bytes()[:3000])
    with pytest.raises(FileFormatError, match=r"malformed .*line \d+, column \d+") as err:
        read_definition(cut)
    assert "cut.lss" in str(err.value)

    other = tmp_path / "other.lss"
    other.write_text('<?xml version="1.0"?><survey><question/></survey>', encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a LimeSurvey survey structure"):
        read_definition(other)

    bomb = tmp_path / "bomb.lss"
    entities = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                       for i in range(1, 10))
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE document [<!ENTITY lol0 "lol">'
                    + entities + "]><document><LimeSurveyDocType>&lol9;</LimeSurveyDocType>"
                    "</document>", encoding="utf-8")
    with pytest.raises(FileFormatError, match="document type or entities") as err:
        read_definition(bomb)
    assert "line 1" in str(err.value)

    no_title = tmp_path / "no_title.lss"
    no_title.write_text(OLD_LSS.replace("<title>often</title>", ""), encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"no 'title' \(at <questions> row 1\)"):
        read_definition(no_title)


def _form(tmp_path, change, name="form.xlsx"):
    book = openpyxl.load_workbook(FORM)
    change(book)
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsform_problems_name_the_sheet_and_row(tmp_path):
    def drop_survey(book):
        del book["survey"]

    with pytest.raises(FileFormatError, match="no 'survey' sheet") as err:
        read_definition(_form(tmp_path, drop_survey))
    assert "form.xlsx" in str(err.value)
    assert "choices" in str(err.value)

    def drop_choices(book):
        del book["choices"]

    with pytest.raises(FileFormatError,
                       match=r"choice list 'agree5' is not on the 'choices' sheet "
                             r"\(at sheet 'survey', row 5\)"):
        read_definition(_form(tmp_path, drop_choices))

    def no_type(book):
        book["survey"]["A1"] = "kind"

    with pytest.raises(FileFormatError, match=r"no column\(s\) 'type'"):
        read_definition(_form(tmp_path, no_type))

    def unclosed(book):
        book["survey"]["A8"] = "integer"
        book["survey"]["B8"] = "minutes"

    with pytest.raises(FileFormatError, match="'help_group' is never closed"):
        read_definition(_form(tmp_path, unclosed))


def test_files_that_are_no_definition_are_refused_with_the_downloads(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("just some notes\n", encoding="utf-8")
    with pytest.raises(FileFormatError) as err:
        read_definition(text)
    message = str(err.value)
    assert "notes.txt" in message
    assert ".qsf" in message
    assert "Download XLS" in message
    with pytest.raises(FileFormatError, match="does not exist"):
        peereval.read_export(HERE / "kobo" / "xml_values.csv",
                             definition=tmp_path / "missing.xlsx")
    empty = tmp_path / "empty.qsf"
    empty.write_bytes(b"")
    with pytest.raises(PeerevalError, match="empty"):
        read_definition(empty)
    export = HERE / "kobo" / "xml_values.csv"  # an export is not a definition
    with pytest.raises(FileFormatError):
        read_definition(export)


def test_limesurvey_words_its_fixed_options_itself_so_other_wordings_are_kept(tmp_path):
    """LimeSurvey writes "Female" in the respondent's language: not an unknown answer."""
    text = (HERE / "limesurvey" / "full_answers.csv").read_bytes().decode("utf-8-sig")
    path = tmp_path / "full_answers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace('"Female"', '"Weiblich"').encode("utf-8"))
    responses = peereval.read_export(path, definition=LSS)
    assert responses.answers["What is your gender?"].tolist()[:3] == ["Weiblich", "Male",
                                                                       "Weiblich"]


def test_xlsform_or_other_adds_the_choice_other(tmp_path):
    def or_other(book):
        book["survey"]["A11"] = "select_one gender3 or_other"

    form = read_definition(_form(tmp_path, or_other))
    assert form.questions["gender"].options[-1] == (4, "Other")
    assert form.questions["gender"].choices[-1].code == "other"
