"""The coding table every Responses carries, and the warning for unseen levels."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import peereval
from peereval.errors import LabelCodingWarning
from peereval.loaders import Item, Responses

# Five respondents answering two statements on Qualtrics' default five-point scale,
# written as Qualtrics' choice-text export shows them; TRUTH holds the numbers each
# answer stands for on that scale (1 = Strongly disagree ... 5 = Strongly agree).
ANSWERS = {
    "Q1_1": ["Strongly agree", "Somewhat agree", "Neither agree nor disagree",
             "Somewhat disagree", "Strongly disagree"],
    "Q1_2": ["Somewhat agree", "Somewhat agree", "Strongly agree", None, "Somewhat disagree"],
}
TRUTH = {"Q1_1": [5, 4, 3, 2, 1], "Q1_2": [4, 4, 5, None, 2]}


def _responses(answers, *, question="QID1", kind="likert", options=None, source=None):
    frame = pd.DataFrame(answers, index=[f"R_{i}" for i in range(len(next(iter(
        answers.values()))))])
    items = {code: Item(code, f"Statement {code}", kind, options=options, question=question,
                        options_source=source) for code in answers}
    return Responses(frame, items, platform="qualtrics", source="survey.csv")


def test_qualtrics_five_point_answers_get_their_true_numbers():
    responses = _responses(ANSWERS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelCodingWarning)
        values = responses.numeric()
    truth = pd.DataFrame(TRUTH, index=values.index, dtype="float64")
    pd.testing.assert_frame_equal(values, truth)
    assert values["Q1_1"].mean() == 3.0  # not 4.0, as the seven-point reading gave


def test_coding_table_names_rule_and_source_for_each_answer():
    table = _responses(ANSWERS).coding_table()
    assert list(table.columns) == ["item", "answer", "label", "value", "rule", "source",
                                   "unseen_levels", "count"]
    q1 = table[table["item"] == "Q1_1"].set_index("answer")
    assert q1.loc["Somewhat disagree", "value"] == 2.0
    assert set(q1["rule"]) == {"agreement-5/somewhat (en)"}
    assert "Qualtrics" in q1["source"].iloc[0]
    q2 = table[table["item"] == "Q1_2"].set_index("answer")
    assert q2.loc["Somewhat agree", "count"] == 2


def test_numeric_export_rows_show_option_labels_and_their_source():
    options = ((1, "Strongly disagree"), (2, "Disagree"), (3, "Neutral"), (4, "Agree"),
               (5, "Strongly agree"))
    responses = _responses({"v1": [5, 4, 4, 1, None]}, options=options, source="value labels")
    table = responses.coding_table().set_index("answer")
    assert table.loc["4", "label"] == "Agree"
    assert table.loc["4", "count"] == 2
    assert table.loc["5", "rule"] == "numbers as exported"
    assert table.loc["5", "source"] == "value labels"


def test_non_substantive_answers_are_listed_as_missing():
    responses = _responses({"q": ["Agree", "Strongly agree", "Not applicable", "Disagree",
                                  "Neutral", "Strongly disagree"]})
    table = responses.coding_table().set_index("answer")
    assert pd.isna(table.loc["Not applicable", "value"])
    assert table.loc["Not applicable", "rule"] == "not a scale position"


def test_numbers_resting_on_unseen_levels_warn_with_items_labels_and_fix():
    responses = _responses({"f1": ["Always", "Never", "About half the time"],
                            "f2": ["Never", "Always", "Always"]})
    with pytest.warns(LabelCodingWarning) as caught:
        values = responses.numeric()
    assert values["f1"].tolist() == [5.0, 1.0, 3.0]
    message = str(caught[0].message)
    for needed in ("f1, f2", "About half the time = 3", "'sometimes'", "'most of the time'",
                   "points=", "definition"):
        assert needed in message
    table = responses.coding_table()
    assert set(table["unseen_levels"]) == {"sometimes; most of the time"}


def test_points_given_by_the_user_settle_it_without_a_warning():
    responses = _responses({"f1": ["Always", "Never", "About half the time"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelCodingWarning)
        values = responses.numeric(points=5)
    assert values["f1"].tolist() == [5.0, 1.0, 3.0]


def test_sample_survey_codes_without_unseen_levels():
    responses = peereval.read_export(peereval.sample_path("survey"))
    table = responses.coding_table()
    assert not table.empty
    assert (table["unseen_levels"] == "").all()


def test_numeric_not_applicable_code_is_missing_not_a_score():
    # a REDCap raw export: choices "1, Never | ... | 5, Always | 99, Not applicable"
    options = ((1, "Never"), (2, "Rarely"), (3, "Sometimes"), (4, "Often"), (5, "Always"),
               (99, "Not applicable"))
    responses = _responses({"freq": [5, 99, 3, 1, 99]}, options=options,
                           source="data dictionary")
    values = responses.numeric()["freq"]
    assert values.isna().tolist() == [False, True, False, False, True]
    assert values.dropna().tolist() == [5.0, 3.0, 1.0]
    row = responses.coding_table().set_index("answer").loc["99"]
    assert (row["rule"], row["label"], row["count"]) == ("not a scale position",
                                                          "Not applicable", 2)
    assert pd.isna(row["value"])


def test_label_export_not_applicable_option_is_missing():
    options = ((1, "Never"), (2, "Rarely"), (3, "Sometimes"), (4, "Often"), (5, "Always"),
               (99, "Not applicable"))
    responses = _responses({"freq": ["Always", "Not applicable", "Sometimes"]},
                           options=options, source="data dictionary")
    values = responses.numeric()["freq"]
    assert values.iloc[0] == 5.0
    assert values.iloc[2] == 3.0
    assert pd.isna(values.iloc[1])


def test_no_opinion_coded_inside_the_scale_stays_a_scale_point():
    options = ((1, "Strongly disagree"), (2, "Disagree"), (3, "No opinion"), (4, "Agree"),
               (5, "Strongly agree"))
    responses = _responses({"q": [3, 5, 1]}, options=options, source="value labels")
    assert responses.numeric()["q"].tolist() == [3.0, 5.0, 1.0]


def test_level_chosen_in_another_question_on_the_same_scale_settles_it():
    responses = _responses({"f1": ["Always", "Never", "About half the time"]}, question="A")
    other = _responses({"f2": ["Sometimes", "Most of the time", "Never"]}, question="B")
    both = Responses(pd.concat([responses.answers, other.answers], axis=1),
                     {**responses.items, **other.items}, platform="qualtrics",
                     source="survey.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelCodingWarning)
        values = both.numeric()
    assert values["f1"].tolist() == [5.0, 1.0, 3.0]
    assert (both.coding_table()["unseen_levels"] == "").all()


def test_a_file_with_several_agreement_scales_codes_each_on_its_own():
    # a 4-point and a 7-point agreement matrix in one questionnaire, every level answered
    four = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
    seven = ["Strongly disagree", "Disagree", "Somewhat disagree",
             "Neither agree nor disagree", "Somewhat agree", "Agree", "Strongly agree"]
    five = ["Strongly disagree", "Somewhat disagree", "Neither agree nor disagree",
            "Somewhat agree", "Strongly agree"]
    frames = [_responses({"a1": four + four[:3]}, question="A"),
              _responses({"b1": seven}, question="B"),
              _responses({"c1": five + five[:2]}, question="C")]
    both = Responses(pd.concat([f.answers for f in frames], axis=1),
                     {k: v for f in frames for k, v in f.items.items()},
                     platform="qualtrics", source="survey.csv")
    values = both.numeric()
    assert values["a1"].tolist() == [1, 2, 3, 4, 1, 2, 3]
    assert values["b1"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert values["c1"].tolist() == [1, 2, 3, 4, 5, 1, 2]
